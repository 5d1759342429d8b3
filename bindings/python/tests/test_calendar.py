"""Business-hours calendars."""
import pytest

import cxkit


def saudi_week():
    c = cxkit.Calendar(180)
    for d in (1, 2, 3, 4, 7):
        c.add_hours(d, 8 * 60, 17 * 60)
    return c


def test_open_and_business_time():
    c = saudi_week()
    assert c.is_open("2024-03-03T09:00:00+03:00")  # Sunday
    assert not c.is_open("2024-03-01T09:00:00+03:00")  # Friday
    ms = c.business_ms("2024-03-03T16:00:00+03:00", "2024-03-04T09:00:00+03:00")
    assert ms == 2 * 3600000 and isinstance(ms, int)
    due = c.add_business_ms("2024-03-03T16:00:00+03:00", 2 * 3600000)
    assert due == cxkit.time_parse("2024-03-04T09:00:00+03:00")
    c.add_holiday(2024, 3, 4)
    assert not c.is_open("2024-03-04T09:00:00+03:00")


def test_calendar_errors():
    with pytest.raises(cxkit.Range):
        cxkit.Calendar(10000)
    c = cxkit.Calendar()
    with pytest.raises(cxkit.Range):
        c.add_hours(8, 0, 60)
    with pytest.raises(cxkit.Order):
        c.add_hours(1, 600, 500)
    with pytest.raises(cxkit.Order):
        c.business_ms(1000, 0)
    with pytest.raises(OverflowError):
        c.add_hours(1, 2**40, 0)

"""Module functions: version, status codes, times."""
import datetime as dt

import cxkit


def test_version():
    assert cxkit.version_string().count(".") == 2
    assert isinstance(cxkit.version(), int) and cxkit.version() > 0


def test_strerror_and_codes():
    assert cxkit.strerror(cxkit.ENOTFOUND) == cxkit.strerror(-3)
    assert cxkit.OK == 0 and cxkit.EVERSION == -11


def test_time_parse_returns_aware_utc_datetime():
    t = cxkit.time_parse("2024-03-01T09:12:00+03:00")
    assert t == dt.datetime(2024, 3, 1, 6, 12, tzinfo=dt.timezone.utc)
    assert t.tzinfo is not None


def test_time_conversions():
    ms = cxkit.to_ms("2024-01-01T00:00:00Z")
    assert ms == 1704067200000
    assert cxkit.to_ms(dt.datetime(2024, 1, 1)) == ms  # naive = UTC
    assert cxkit.to_ms(dt.datetime(2024, 1, 1, 3, tzinfo=dt.timezone(dt.timedelta(hours=3)))) == ms
    assert cxkit.to_ms(dt.date(2024, 1, 1)) == ms
    assert cxkit.from_ms(ms) == dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)
    assert cxkit.to_ms(cxkit.from_ms(ms + 7)) == ms + 7  # milliseconds survive


def test_time_format_and_from_utc():
    assert cxkit.time_format(1704067200000) == "2024-01-01T00:00:00Z"
    assert cxkit.time_format("2024-01-01T00:00:00Z", 180) == "2024-01-01T03:00:00+03:00"
    assert cxkit.time_from_utc(2024, 1, 1) == cxkit.from_ms(1704067200000)


def test_time_errors():
    import pytest
    with pytest.raises(cxkit.Parse) as e:
        cxkit.time_parse("2024-13-01")
    assert e.value.code == cxkit.EPARSE and "month" in str(e.value) or e.value.message
    with pytest.raises(cxkit.Range):
        cxkit.time_from_utc(2024, 2, 30)
    with pytest.raises(TypeError):
        cxkit.time_format(1.5)  # floats are not times: ints are milliseconds


def test_help_reads_well():
    doc = cxkit.Store.add_interaction.__doc__
    assert "customer" in doc and "touchpoint" in doc
    assert "one call" in cxkit.Store.add_interactions.__doc__
    assert cxkit.Query.__doc__ and cxkit.Result.to_pandas.__doc__

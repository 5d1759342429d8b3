/*
 * Business-hours calendars: weekly opening hours in a fixed UTC offset and
 * holidays, with open time between two instants and its inverse (the due
 * time after a given open time).
 *
 * Local time is split into weeks starting on Monday 00:00 and an offset into
 * the week. The weekly hours are one sorted list of disjoint intervals of
 * week minutes, each with the open minutes before it, so the open time from
 * Monday 00:00 to any offset (g() below) is one binary search, and the open
 * time between two instants is whole weeks times the weekly total plus two
 * g() values, minus the open time lost to holidays. Holidays are a sorted
 * array of local day numbers with a running sum of the open time each one
 * removes, so the holidays inside a span cost two binary searches however
 * many there are. Nothing walks day by day.
 */
#include "base.h"
#include "cxkit/calendar.h"

#define MIN_PER_DAY 1440
#define MIN_PER_WEEK (7 * MIN_PER_DAY)

/* Open minutes [start, end) of the week, Monday 00:00 = 0; `before` is the
 * open minutes of the week before `start`. */
typedef struct cal_iv {
    int32_t start, end, before;
} cal_iv;

/* A holiday: its local day (days since 1970-01-01) and the open time of this
 * and every earlier holiday of the array, in ms. */
typedef struct cal_hol {
    int64_t day;
    int64_t upto;
} cal_hol;

struct cx_calendar {
    cxi_mem mem;
    int64_t offset_ms;
    cal_iv *iv;
    size_t niv, iv_cap;
    int64_t day_ms[7]; /* open ms of each weekday, 0 = Monday */
    int64_t week_ms;
    cal_hol *hol;
    size_t nhol, hol_cap;
};

/* A local instant: the week (week 0 starts on Monday 1969-12-29) and the ms
 * since that week's Monday 00:00, 0 to CXI_MS_PER_WEEK - 1. */
typedef struct cal_pos {
    int64_t week;
    int64_t r;
} cal_pos;


/* 1970-01-01, day 0, was a Thursday: day + 3 counts from a Monday. */
static int weekday0(int64_t day) { return (int)(day + 3 - cxi_floordiv(day + 3, 7) * 7); }

/* Split in days first, so that no cx_time near the int64 limits overflows. */
static cal_pos to_local(const cx_calendar *c, cx_time t)
{
    int64_t day = t / CXI_MS_PER_DAY;
    int64_t ms = t % CXI_MS_PER_DAY + c->offset_ms; /* -2 days < ms < 2 days */
    while (ms < 0) {
        ms += CXI_MS_PER_DAY;
        day--;
    }
    while (ms >= CXI_MS_PER_DAY) {
        ms -= CXI_MS_PER_DAY;
        day++;
    }
    int64_t week = cxi_floordiv(day + 3, 7);
    cal_pos p = {week, (day + 3 - week * 7) * CXI_MS_PER_DAY + ms};
    return p;
}

static int64_t pos_day(cal_pos p) { return p.week * 7 - 3 + p.r / CXI_MS_PER_DAY; }

/* The last interval starting at or before week-ms r, or -1. */
static ptrdiff_t iv_at(const cx_calendar *c, int64_t r)
{
    size_t lo = 0, hi = c->niv;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((int64_t)c->iv[mid].start * CXI_MS_PER_MINUTE <= r)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (ptrdiff_t)lo - 1;
}

/* Open ms of the week from Monday 00:00 to week-ms r (0 to CXI_MS_PER_WEEK),
 * holidays not considered. */
static int64_t g(const cx_calendar *c, int64_t r)
{
    ptrdiff_t i = iv_at(c, r);
    if (i < 0)
        return 0;
    const cal_iv *v = &c->iv[i];
    int64_t into = r - (int64_t)v->start * CXI_MS_PER_MINUTE, len = (int64_t)(v->end - v->start) * CXI_MS_PER_MINUTE;
    return (int64_t)v->before * CXI_MS_PER_MINUTE + (into < len ? into : len);
}

/* The earliest week-ms r with g(r) == x, for 0 < x <= week_ms. */
static int64_t g_inverse(const cx_calendar *c, int64_t x)
{
    size_t lo = 0, hi = c->niv; /* first interval whose end reaches x */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((int64_t)(c->iv[mid].before + c->iv[mid].end - c->iv[mid].start) * CXI_MS_PER_MINUTE < x)
            lo = mid + 1;
        else
            hi = mid;
    }
    const cal_iv *v = &c->iv[lo];
    return (int64_t)v->start * CXI_MS_PER_MINUTE + (x - (int64_t)v->before * CXI_MS_PER_MINUTE);
}

/* The first holiday on or after `day`. */
static size_t hol_lower(const cx_calendar *c, int64_t day)
{
    size_t lo = 0, hi = c->nhol;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->hol[mid].day < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static bool is_holiday(const cx_calendar *c, int64_t day)
{
    size_t i = hol_lower(c, day);
    return i < c->nhol && c->hol[i].day == day;
}

/* Open ms removed by the holidays of days [a, b). */
static int64_t hol_ms(const cx_calendar *c, int64_t a, int64_t b)
{
    if (a >= b)
        return 0;
    size_t i = hol_lower(c, a), j = hol_lower(c, b);
    if (i == j)
        return 0;
    return c->hol[j - 1].upto - (i ? c->hol[i - 1].upto : 0);
}

/* Open ms of weekday wd (0 = Monday) between ms-of-day a and b, a <= b. */
static int64_t day_part(const cx_calendar *c, int wd, int64_t a, int64_t b)
{
    return g(c, wd * CXI_MS_PER_DAY + b) - g(c, wd * CXI_MS_PER_DAY + a);
}

/* Recomputes every sum derived from the intervals and holidays. */
static void refresh(cx_calendar *c)
{
    int32_t before = 0;
    for (size_t i = 0; i < c->niv; i++) {
        c->iv[i].before = before;
        before += c->iv[i].end - c->iv[i].start;
    }
    c->week_ms = (int64_t)before * CXI_MS_PER_MINUTE;
    for (int wd = 0; wd < 7; wd++)
        c->day_ms[wd] = day_part(c, wd, 0, CXI_MS_PER_DAY);
    int64_t upto = 0;
    for (size_t i = 0; i < c->nhol; i++) {
        upto += c->day_ms[weekday0(c->hol[i].day)];
        c->hol[i].upto = upto;
    }
}

int cx_calendar_new_with_allocator(cx_calendar **out, int offset_minutes, cx_alloc_fn alloc, void *ud)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_calendar_new: out is NULL");
    *out = NULL;
    if (!cxi_offset_ok(offset_minutes))
        return cxi_fail(CX_ERANGE, "cx_calendar_new: UTC offset %d minutes is beyond +-14:00", offset_minutes);
    cx_calendar *c = CXI_NEW(cx_calendar, alloc, ud);
    if (!c)
        return cxi_fail(CX_ENOMEM, "cx_calendar_new: out of memory");
    c->offset_ms = (int64_t)offset_minutes * CXI_MS_PER_MINUTE;
    *out = c;
    return CX_OK;
}

int cx_calendar_new(cx_calendar **out, int offset_minutes)
{
    return cx_calendar_new_with_allocator(out, offset_minutes, NULL, NULL);
}

void cx_calendar_free(cx_calendar *c)
{
    if (!c)
        return;
    cxi_mem mem = c->mem;
    cxi_free(&mem, c->iv, c->iv_cap * sizeof *c->iv);
    cxi_free(&mem, c->hol, c->hol_cap * sizeof *c->hol);
    cxi_free(&mem, c, sizeof *c);
}

int cx_calendar_add_hours(cx_calendar *c, int weekday, int start_minute, int end_minute)
{
    if (!c)
        return cxi_fail(CX_EINVAL, "cx_calendar_add_hours: calendar is NULL");
    if (weekday < 1 || weekday > 7)
        return cxi_fail(CX_ERANGE, "cx_calendar_add_hours: weekday %d is not 1 (Monday) to 7 (Sunday)", weekday);
    if (start_minute < 0 || start_minute >= MIN_PER_DAY)
        return cxi_fail(CX_ERANGE, "cx_calendar_add_hours: weekday %d: start minute %d is not 0 to 1439", weekday,
                        start_minute);
    if (end_minute < 1 || end_minute > MIN_PER_DAY)
        return cxi_fail(CX_ERANGE, "cx_calendar_add_hours: weekday %d: end minute %d is not 1 to 1440", weekday,
                        end_minute);
    if (end_minute <= start_minute)
        return cxi_fail(CX_EORDER, "cx_calendar_add_hours: weekday %d: end minute %d is not after start minute %d",
                        weekday, end_minute, start_minute);
    /* Room for one more interval first; after that nothing can fail. */
    if (cxi_grow(&c->mem, &c->iv, &c->iv_cap, c->niv + 1, sizeof *c->iv))
        return cxi_fail(CX_ENOMEM, "cx_calendar_add_hours: out of memory");
    int32_t s = (weekday - 1) * MIN_PER_DAY + start_minute, e = (weekday - 1) * MIN_PER_DAY + end_minute;
    /* Intervals [i, j) overlap or touch [s, e): they become one. */
    size_t i = 0;
    while (i < c->niv && c->iv[i].end < s)
        i++;
    size_t j = i;
    while (j < c->niv && c->iv[j].start <= e) {
        if (c->iv[j].start < s)
            s = c->iv[j].start;
        if (c->iv[j].end > e)
            e = c->iv[j].end;
        j++;
    }
    /* Replace intervals [i, j) by one (j == i inserts). */
    memmove(&c->iv[i + 1], &c->iv[j], (c->niv - j) * sizeof *c->iv);
    c->niv = c->niv - (j - i) + 1;
    c->iv[i].start = s;
    c->iv[i].end = e;
    refresh(c);
    return CX_OK;
}

int cx_calendar_add_holiday(cx_calendar *c, int year, int month, int day)
{
    if (!c)
        return cxi_fail(CX_EINVAL, "cx_calendar_add_holiday: calendar is NULL");
    if (year < 0 || year > 9999 || month < 1 || month > 12 || day < 1 || day > cxi_days_in_month(year, month))
        return cxi_fail(CX_ERANGE, "cx_calendar_add_holiday: %04d-%02d-%02d is not a date of years 0000-9999",
                        year, month, day);
    int64_t d = cxi_days_from_civil(year, month, day);
    size_t at = hol_lower(c, d);
    if (at < c->nhol && c->hol[at].day == d)
        return CX_OK;
    if (cxi_grow(&c->mem, &c->hol, &c->hol_cap, c->nhol + 1, sizeof *c->hol))
        return cxi_fail(CX_ENOMEM, "cx_calendar_add_holiday: out of memory");
    memmove(&c->hol[at + 1], &c->hol[at], (c->nhol - at) * sizeof *c->hol);
    c->hol[at].day = d;
    c->nhol++;
    int64_t upto = at ? c->hol[at - 1].upto : 0;
    for (size_t i = at; i < c->nhol; i++) {
        upto += c->day_ms[weekday0(c->hol[i].day)];
        c->hol[i].upto = upto;
    }
    return CX_OK;
}

int cx_calendar_is_open(int *out, const cx_calendar *c, cx_time t)
{
    if (!out || !c)
        return cxi_fail(CX_EINVAL, "cx_calendar_is_open: NULL argument");
    if (t == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "cx_calendar_is_open: time is CX_TIME_NONE");
    cal_pos p = to_local(c, t);
    ptrdiff_t i = iv_at(c, p.r);
    *out = i >= 0 && p.r < (int64_t)c->iv[i].end * CXI_MS_PER_MINUTE && !is_holiday(c, pos_day(p));
    return CX_OK;
}

/* Open ms from a to b (a before or at b), holidays included, in uint64: the
 * span of two int64 values always fits there. */
static uint64_t open_between(const cx_calendar *c, cal_pos a, cal_pos b)
{
    uint64_t sum;
    if (a.week == b.week) {
        sum = (uint64_t)(g(c, b.r) - g(c, a.r));
    } else {
        /* the rest of a's week, the whole weeks between, the start of b's */
        sum = (uint64_t)(c->week_ms - g(c, a.r)) + (uint64_t)(b.week - a.week - 1) * (uint64_t)c->week_ms +
              (uint64_t)g(c, b.r);
    }
    int64_t da = pos_day(a), db = pos_day(b);
    int64_t ra = a.r % CXI_MS_PER_DAY, rb = b.r % CXI_MS_PER_DAY;
    int wa = (int)(a.r / CXI_MS_PER_DAY), wb = (int)(b.r / CXI_MS_PER_DAY);
    if (da == db) {
        if (is_holiday(c, da))
            sum -= (uint64_t)day_part(c, wa, ra, rb);
    } else {
        if (is_holiday(c, da))
            sum -= (uint64_t)day_part(c, wa, ra, CXI_MS_PER_DAY);
        sum -= (uint64_t)hol_ms(c, da + 1, db);
        if (is_holiday(c, db))
            sum -= (uint64_t)day_part(c, wb, 0, rb);
    }
    return sum;
}

int cx_calendar_business_ms(int64_t *out, const cx_calendar *c, cx_time from, cx_time to)
{
    if (!out || !c)
        return cxi_fail(CX_EINVAL, "cx_calendar_business_ms: NULL argument");
    if (from == CX_TIME_NONE || to == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "cx_calendar_business_ms: %s time is CX_TIME_NONE",
                        from == CX_TIME_NONE ? "from" : "to");
    if (to < from)
        return cxi_fail(CX_EORDER, "cx_calendar_business_ms: to (%lld) is before from (%lld)", (long long)to,
                        (long long)from);
    uint64_t sum = open_between(c, to_local(c, from), to_local(c, to));
    if (sum > (uint64_t)INT64_MAX)
        return cxi_fail(CX_ERANGE, "cx_calendar_business_ms: %llu ms of open time do not fit in int64",
                        (unsigned long long)sum);
    *out = (int64_t)sum;
    return CX_OK;
}

/* Open ms of weeks [w, w + k), holidays included; k >= 0 and k * week_ms
 * known to fit in uint64. */
static uint64_t weeks_open(const cx_calendar *c, int64_t w, int64_t k)
{
    return (uint64_t)k * (uint64_t)c->week_ms - (uint64_t)hol_ms(c, w * 7 - 3, (w + k) * 7 - 3);
}

int cx_calendar_add_business_ms(cx_time *out, const cx_calendar *c, cx_time from, int64_t ms)
{
    if (!out || !c)
        return cxi_fail(CX_EINVAL, "cx_calendar_add_business_ms: NULL argument");
    if (from == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "cx_calendar_add_business_ms: from time is CX_TIME_NONE");
    if (ms < 0)
        return cxi_fail(CX_ERANGE, "cx_calendar_add_business_ms: open time %lld ms is negative", (long long)ms);
    if (ms == 0) {
        *out = from;
        return CX_OK;
    }
    if (c->week_ms == 0)
        return cxi_fail(CX_ERANGE, "cx_calendar_add_business_ms: the calendar has no open hours");
    cal_pos start = to_local(c, from), p = start;
    uint64_t left = (uint64_t)ms;
    /* Past the end of the first week, skip whole weeks: the fewest k with
     * weeks_open(k) >= left lies between left / week_ms rounded up (no
     * holidays) and that plus the weeks the holidays ahead can cost. */
    cal_pos next = {start.week + 1, 0};
    uint64_t first = open_between(c, start, next);
    if (left > first) {
        left -= first;
        uint64_t wk = (uint64_t)c->week_ms;
        int64_t w = next.week;
        uint64_t lost = (uint64_t)hol_ms(c, w * 7 - 3, INT64_MAX);
        uint64_t lo = (left + wk - 1) / wk, hi = (left + lost + wk - 1) / wk + 1;
        /* weeks_open(lo - 1) < left <= weeks_open(hi): find the fewest */
        while (lo < hi) {
            uint64_t mid = lo + (hi - lo) / 2;
            if (weeks_open(c, w, (int64_t)mid) >= left)
                hi = mid;
            else
                lo = mid + 1;
        }
        /* the due time is in the last of those weeks */
        left -= weeks_open(c, w, (int64_t)lo - 1);
        p.week = w + (int64_t)lo - 1;
        p.r = 0;
    }
    /* Within p's week, day by day from p: left > 0 and open time enough. */
    for (int wd = (int)(p.r / CXI_MS_PER_DAY);; wd++) {
        int64_t a = wd == p.r / CXI_MS_PER_DAY ? p.r % CXI_MS_PER_DAY : 0;
        uint64_t open = is_holiday(c, p.week * 7 - 3 + wd) ? 0 : (uint64_t)day_part(c, wd, a, CXI_MS_PER_DAY);
        if (left <= open) {
            p.r = g_inverse(c, g(c, wd * CXI_MS_PER_DAY + a) + (int64_t)left);
            break;
        }
        left -= open;
    }
    /* Back to UTC as the elapsed time from `from`, in uint64 (from may be
     * negative, so up to 2^64 - 2 ms fit), checked against overflow. */
    uint64_t dweek = (uint64_t)(p.week - start.week), elapsed = 0;
    bool over = dweek > UINT64_MAX / CXI_MS_PER_WEEK;
    if (!over) {
        elapsed = dweek * (uint64_t)CXI_MS_PER_WEEK;
        if (p.r >= start.r) {
            over = elapsed > UINT64_MAX - (uint64_t)(p.r - start.r);
            elapsed += (uint64_t)(p.r - start.r);
        } else {
            elapsed -= (uint64_t)(start.r - p.r); /* dweek >= 1 here: the due time is after from */
        }
    }
    if (over || elapsed > (uint64_t)INT64_MAX - (uint64_t)from)
        return cxi_fail(CX_ERANGE, "cx_calendar_add_business_ms: due time is beyond the largest cx_time");
    *out = (cx_time)((uint64_t)from + elapsed);
    return CX_OK;
}

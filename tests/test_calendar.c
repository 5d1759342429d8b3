/* Tests of business-hours calendars (cx_calendar_*): hand-computed spans in
 * a Saudi week (Sunday-Thursday, +03:00) and a US week (Monday-Friday,
 * -05:00), split and merged intervals, holidays, due times as the inverse of
 * durations, agreement with a slow day-by-day reference on seeded random
 * calendars and spans, the int64 limits, refusals that change nothing, and
 * allocator failure. */
#include "cx_test.h"

#include <pthread.h>

static int64_t BMS(const cx_calendar *c, cx_time from, cx_time to)
{
    int64_t v = -1;
    OK(cx_calendar_business_ms(&v, c, from, to));
    return v;
}

static int64_t BMS_ISO(const cx_calendar *c, const char *from, const char *to) { return BMS(c, T(from), T(to)); }

static cx_time ADD(const cx_calendar *c, cx_time from, int64_t ms)
{
    cx_time t = CX_TIME_NONE;
    OK(cx_calendar_add_business_ms(&t, c, from, ms));
    return t;
}

static int OPEN(const cx_calendar *c, const char *iso)
{
    int v = -1;
    OK(cx_calendar_is_open(&v, c, T(iso)));
    return v;
}

/* ---- the slow reference ---------------------------------------------- */

static int64_t floordiv(int64_t a, int64_t b) { return a / b - (a % b != 0 && (a < 0) != (b < 0)); }

/* What the calendar should be: a minute map per weekday (0 = Monday) and a
 * sorted list of holiday day numbers, kept by plain code of its own. */
typedef struct ref_cal {
    int offset;
    bool open[7][1440];
    int nruns[7];
    int runs[7][720][2];
    int64_t *hol;
    int nhol, capl;
} ref_cal;

static void ref_init(ref_cal *r, int offset)
{
    memset(r, 0, sizeof *r);
    r->offset = offset;
}

static void ref_runs(ref_cal *r)
{
    for (int wd = 0; wd < 7; wd++) {
        r->nruns[wd] = 0;
        for (int m = 0; m < 1440;) {
            if (!r->open[wd][m]) {
                m++;
                continue;
            }
            int s = m;
            while (m < 1440 && r->open[wd][m])
                m++;
            r->runs[wd][r->nruns[wd]][0] = s;
            r->runs[wd][r->nruns[wd]][1] = m;
            r->nruns[wd]++;
        }
    }
}

static int64_t day_number(int y, int m, int d)
{
    cx_time t;
    OK(cx_time_from_utc(&t, y, m, d, 0, 0, 0));
    return floordiv(t, DAY_MS);
}

static bool ref_holiday(const ref_cal *r, int64_t day)
{
    for (int lo = 0, hi = r->nhol; lo < hi;) {
        int mid = (lo + hi) / 2;
        if (r->hol[mid] == day)
            return true;
        if (r->hol[mid] < day)
            lo = mid + 1;
        else
            hi = mid;
    }
    return false;
}

/* Both the calendar and the reference get the same hours and holidays. */
static void both_hours(cx_calendar *c, ref_cal *r, int weekday, int s, int e)
{
    OK(cx_calendar_add_hours(c, weekday, s, e));
    for (int m = s; m < e; m++)
        r->open[weekday - 1][m] = true;
    ref_runs(r);
}

static void both_holiday(cx_calendar *c, ref_cal *r, int y, int m, int d)
{
    OK(cx_calendar_add_holiday(c, y, m, d));
    int64_t day = day_number(y, m, d);
    if (ref_holiday(r, day))
        return;
    if (r->nhol == r->capl) {
        r->capl = r->capl ? r->capl * 2 : 64;
        r->hol = realloc(r->hol, (size_t)r->capl * sizeof *r->hol);
        ck_assert_ptr_nonnull(r->hol);
    }
    int i = r->nhol++;
    while (i > 0 && r->hol[i - 1] > day) {
        r->hol[i] = r->hol[i - 1];
        i--;
    }
    r->hol[i] = day;
}

/* Open ms of [from, to), one local day at a time. */
static int64_t ref_business(const ref_cal *r, cx_time from, cx_time to)
{
    int64_t lf = from + r->offset * MIN_MS, lt = to + r->offset * MIN_MS, sum = 0;
    for (int64_t d = floordiv(lf, DAY_MS); d <= floordiv(lt, DAY_MS); d++) {
        if (ref_holiday(r, d))
            continue;
        int wd = (int)(d + 3 - floordiv(d + 3, 7) * 7);
        for (int i = 0; i < r->nruns[wd]; i++) {
            int64_t a = d * DAY_MS + r->runs[wd][i][0] * MIN_MS, b = d * DAY_MS + r->runs[wd][i][1] * MIN_MS;
            if (a < lf)
                a = lf;
            if (b > lt)
                b = lt;
            if (b > a)
                sum += b - a;
        }
    }
    return sum;
}

static uint64_t rng_state;
static uint64_t rnd(void) { return splitmix64(&rng_state); }
static int64_t rnd_below(int64_t n) { return (int64_t)(rnd() % (uint64_t)n); }

/* ---- the two working weeks -------------------------------------------- */

/* Sunday to Thursday 08:00-17:00 at +03:00, with Founding Day, three days of
 * Eid al-Fitr (the Friday one changes nothing) and National Day 2024. */
static cx_calendar *saudi(ref_cal *r)
{
    cx_calendar *c;
    OK(cx_calendar_new(&c, 180));
    ref_init(r, 180);
    const int days[] = {7, 1, 2, 3, 4};
    for (int i = 0; i < 5; i++)
        both_hours(c, r, days[i], 8 * 60, 17 * 60);
    both_holiday(c, r, 2024, 2, 22);
    both_holiday(c, r, 2024, 4, 10);
    both_holiday(c, r, 2024, 4, 11);
    both_holiday(c, r, 2024, 4, 12);
    both_holiday(c, r, 2024, 9, 23);
    return c;
}

/* Monday to Friday 09:00-17:30 at -05:00, with four US holidays. */
static cx_calendar *us(ref_cal *r)
{
    cx_calendar *c;
    OK(cx_calendar_new(&c, -300));
    ref_init(r, -300);
    for (int d = 1; d <= 5; d++)
        both_hours(c, r, d, 9 * 60, 17 * 60 + 30);
    both_holiday(c, r, 2024, 7, 4);
    both_holiday(c, r, 2024, 11, 28);
    both_holiday(c, r, 2024, 12, 25);
    both_holiday(c, r, 2025, 1, 1);
    return c;
}

START_TEST(saudi_week)
{
    ref_cal r;
    cx_calendar *c = saudi(&r);
    /* 2024-03-03 is a Sunday */
    ck_assert_int_eq(BMS_ISO(c, "2024-03-03T09:30+03:00", "2024-03-03T12:00+03:00"), 150 * MIN_MS);
    ck_assert_int_eq(BMS_ISO(c, "2024-03-03T00:00+03:00", "2024-03-04T00:00+03:00"), 9 * HOUR_MS);
    /* the same instants written in UTC */
    ck_assert_int_eq(BMS_ISO(c, "2024-03-03T05:00Z", "2024-03-03T06:00Z"), HOUR_MS);
    ck_assert_int_eq(BMS_ISO(c, "2024-03-03T12:00+03:00", "2024-03-03T12:00+03:00"), 0);
    /* across a night: Sunday 16:00 to Monday 09:00 */
    ck_assert_int_eq(BMS_ISO(c, "2024-03-03T16:00+03:00", "2024-03-04T09:00+03:00"), 2 * HOUR_MS);
    /* across the weekend: Thursday 16:00 to Sunday 10:00 */
    ck_assert_int_eq(BMS_ISO(c, "2024-03-07T16:00+03:00", "2024-03-10T10:00+03:00"), 3 * HOUR_MS);
    /* starting in closed time (Friday), ending in closed time (Thursday evening) */
    ck_assert_int_eq(BMS_ISO(c, "2024-03-08T12:00+03:00", "2024-03-10T10:00+03:00"), 2 * HOUR_MS);
    ck_assert_int_eq(BMS_ISO(c, "2024-03-07T16:30+03:00", "2024-03-07T20:00+03:00"), 30 * MIN_MS);
    ck_assert_int_eq(BMS_ISO(c, "2024-03-07T18:00+03:00", "2024-03-09T23:00+03:00"), 0);
    ck_assert_int_eq(BMS_ISO(c, "2024-03-03T07:59:59.999+03:00", "2024-03-03T08:00:00.001+03:00"), 1);
    /* a whole week */
    ck_assert_int_eq(BMS_ISO(c, "2024-03-03T00:00+03:00", "2024-03-10T00:00+03:00"), 45 * HOUR_MS);
    ck_assert_int_eq(BMS_ISO(c, "2024-03-05T13:17+03:00", "2024-03-12T13:17+03:00"), 45 * HOUR_MS);
    /* Founding Day, Thursday 2024-02-22: Wednesday 1 h, Thursday 0, Sunday 1 h */
    ck_assert_int_eq(BMS_ISO(c, "2024-02-21T16:00+03:00", "2024-02-25T09:00+03:00"), 2 * HOUR_MS);
    ck_assert_int_eq(BMS_ISO(c, "2024-02-22T10:00+03:00", "2024-02-25T10:00+03:00"), 2 * HOUR_MS);
    ck_assert_int_eq(BMS_ISO(c, "2024-02-21T16:00+03:00", "2024-02-22T12:00+03:00"), HOUR_MS);
    ck_assert_int_eq(BMS_ISO(c, "2024-02-22T09:00+03:00", "2024-02-22T16:00+03:00"), 0);
    /* Eid: Wednesday and Thursday closed, the Friday holiday changes nothing */
    ck_assert_int_eq(BMS_ISO(c, "2024-04-07T00:00+03:00", "2024-04-14T00:00+03:00"), 27 * HOUR_MS);
    /* 5200 weeks (a century) from Sunday 2024-03-03: every week 45 h, less
     * Eid's Wednesday and Thursday and National Day (a Monday): 27 h */
    cx_time from = T("2024-03-03T00:00+03:00");
    ck_assert_int_eq(BMS(c, from, from + 5200 * 7 * DAY_MS), (5200 * 45 - 27) * HOUR_MS);
    ck_assert_int_eq(BMS(c, from, from + 5200 * 7 * DAY_MS), ref_business(&r, from, from + 5200 * 7 * DAY_MS));

    ck_assert_int_eq(OPEN(c, "2024-03-03T08:00:00.000+03:00"), 1);
    ck_assert_int_eq(OPEN(c, "2024-03-03T07:59:59.999+03:00"), 0);
    ck_assert_int_eq(OPEN(c, "2024-03-03T16:59:59.999+03:00"), 1);
    ck_assert_int_eq(OPEN(c, "2024-03-03T17:00:00.000+03:00"), 0);
    ck_assert_int_eq(OPEN(c, "2024-03-03T05:00Z"), 1);
    ck_assert_int_eq(OPEN(c, "2024-03-08T10:00+03:00"), 0); /* Friday */
    ck_assert_int_eq(OPEN(c, "2024-03-09T10:00+03:00"), 0); /* Saturday */
    ck_assert_int_eq(OPEN(c, "2024-02-22T10:00+03:00"), 0); /* Founding Day */
    ck_assert_int_eq(OPEN(c, "2024-02-21T10:00+03:00"), 1);
    ck_assert_int_eq(OPEN(c, "2024-02-21T21:30Z"), 0); /* 00:30 on the 22nd in Riyadh */

    /* due times: 3 h from Thursday 15:00 is Sunday 09:00 */
    ck_assert_int_eq(ADD(c, T("2024-03-07T15:00+03:00"), 3 * HOUR_MS), T("2024-03-10T09:00+03:00"));
    /* 2 h from Wednesday 16:00 before Founding Day: Wednesday 1 h, Sunday 1 h */
    ck_assert_int_eq(ADD(c, T("2024-02-21T16:00+03:00"), 2 * HOUR_MS), T("2024-02-25T09:00+03:00"));
    ck_assert_int_eq(ADD(c, from, (5200 * 45 - 27) * HOUR_MS), T("2123-10-28T17:00+03:00"));
    free(r.hol);
    cx_calendar_free(c);
}
END_TEST

START_TEST(us_week)
{
    ref_cal r;
    cx_calendar *c = us(&r);
    /* 2024-03-08 is a Friday: 30 min on Friday, 30 on Monday */
    ck_assert_int_eq(BMS_ISO(c, "2024-03-08T17:00-05:00", "2024-03-11T09:30-05:00"), HOUR_MS);
    ck_assert_int_eq(BMS_ISO(c, "2024-03-11T00:00-05:00", "2024-03-18T00:00-05:00"), 85 * HOUR_MS / 2);
    /* the local day is not the UTC day: Friday 19:00 in New York is Saturday in UTC */
    ck_assert_int_eq(OPEN(c, "2024-03-08T22:29:59.999Z"), 1);
    ck_assert_int_eq(OPEN(c, "2024-03-08T22:30Z"), 0);
    ck_assert_int_eq(OPEN(c, "2024-03-09T00:00Z"), 0);
    ck_assert_int_eq(OPEN(c, "2024-03-11T14:00Z"), 1);
    ck_assert_int_eq(OPEN(c, "2024-03-11T13:59:59.999Z"), 0);
    ck_assert_int_eq(BMS_ISO(c, "2024-03-09T00:00Z", "2024-03-11T15:00Z"), HOUR_MS);
    /* Independence Day, Thursday: Wednesday 30 min, Friday 1 h */
    ck_assert_int_eq(BMS_ISO(c, "2024-07-03T17:00-05:00", "2024-07-05T10:00-05:00"), 90 * MIN_MS);
    ck_assert_int_eq(OPEN(c, "2024-07-04T12:00-05:00"), 0);
    ck_assert_int_eq(OPEN(c, "2024-07-04T03:00Z"), 0); /* Wednesday 22:00 locally */
    ck_assert_int_eq(OPEN(c, "2024-07-03T21:00Z"), 1); /* Wednesday 16:00 locally */

    /* SLA due times */
    ck_assert_int_eq(ADD(c, T("2024-03-08T15:00-05:00"), 4 * HOUR_MS), T("2024-03-11T10:30-05:00"));
    ck_assert_int_eq(ADD(c, T("2024-03-08T16:30-05:00"), HOUR_MS), T("2024-03-08T17:30-05:00"));
    ck_assert_int_eq(ADD(c, T("2024-03-08T17:30-05:00"), 1), T("2024-03-11T09:00:00.001-05:00"));
    ck_assert_int_eq(ADD(c, T("2024-03-09T12:00-05:00"), 0), T("2024-03-09T12:00-05:00"));
    ck_assert_int_eq(ADD(c, T("2024-03-09T12:00-05:00"), HOUR_MS), T("2024-03-11T10:00-05:00"));
    ck_assert_int_eq(ADD(c, T("2024-07-03T17:00-05:00"), HOUR_MS), T("2024-07-05T09:30-05:00"));
    /* 52 working weeks from Monday 2024-01-01 09:00 would end on Friday
     * 2024-12-27 17:30; three holidays (25.5 h) push it past New Year's Day
     * to Thursday 2025-01-02 17:30 */
    cx_time y = T("2024-01-01T09:00-05:00"), due = ADD(c, y, 52 * 85 * HOUR_MS / 2);
    ck_assert_int_eq(due, T("2025-01-02T17:30-05:00"));
    ck_assert_int_eq(BMS(c, y, due), 52 * 85 * HOUR_MS / 2);
    ck_assert_int_eq(ref_business(&r, y, due), 52 * 85 * HOUR_MS / 2);
    free(r.hol);
    cx_calendar_free(c);
}
END_TEST

START_TEST(split_and_merged_intervals)
{
    cx_calendar *c;
    OK(cx_calendar_new(&c, 0));
    /* Monday 2024-03-04 09:00-12:00 and 13:00-17:00 */
    OK(cx_calendar_add_hours(c, 1, 13 * 60, 17 * 60));
    OK(cx_calendar_add_hours(c, 1, 9 * 60, 12 * 60));
    ck_assert_int_eq(OPEN(c, "2024-03-04T11:59:59.999Z"), 1);
    ck_assert_int_eq(OPEN(c, "2024-03-04T12:30Z"), 0);
    ck_assert_int_eq(OPEN(c, "2024-03-04T13:00Z"), 1);
    ck_assert_int_eq(BMS_ISO(c, "2024-03-04T11:00Z", "2024-03-04T14:00Z"), 2 * HOUR_MS);
    ck_assert_int_eq(BMS_ISO(c, "2024-03-04T00:00Z", "2024-03-05T00:00Z"), 7 * HOUR_MS);
    ck_assert_int_eq(ADD(c, T("2024-03-04T11:00Z"), HOUR_MS), T("2024-03-04T12:00Z")); /* not 13:00 */
    ck_assert_int_eq(ADD(c, T("2024-03-04T11:00Z"), HOUR_MS + 1), T("2024-03-04T13:00:00.001Z"));
    ck_assert_int_eq(ADD(c, T("2024-03-04T11:00Z"), 2 * HOUR_MS), T("2024-03-04T14:00Z"));
    ck_assert_int_eq(ADD(c, T("2024-03-04T12:30Z"), HOUR_MS), T("2024-03-04T14:00Z"));
    /* filling the lunch break joins them */
    OK(cx_calendar_add_hours(c, 1, 12 * 60, 13 * 60));
    ck_assert_int_eq(OPEN(c, "2024-03-04T12:30Z"), 1);
    ck_assert_int_eq(ADD(c, T("2024-03-04T11:00Z"), 2 * HOUR_MS), T("2024-03-04T13:00Z"));
    ck_assert_int_eq(BMS_ISO(c, "2024-03-04T00:00Z", "2024-03-11T00:00Z"), 8 * HOUR_MS);

    /* Tuesday: overlapping and touching intervals count once: 08:00-17:00 */
    OK(cx_calendar_add_hours(c, 2, 9 * 60, 12 * 60));
    OK(cx_calendar_add_hours(c, 2, 11 * 60, 14 * 60));
    OK(cx_calendar_add_hours(c, 2, 10 * 60, 11 * 60));
    OK(cx_calendar_add_hours(c, 2, 13 * 60, 17 * 60));
    OK(cx_calendar_add_hours(c, 2, 8 * 60, 9 * 60));
    OK(cx_calendar_add_hours(c, 2, 9 * 60, 17 * 60));
    ck_assert_int_eq(BMS_ISO(c, "2024-03-05T00:00Z", "2024-03-06T00:00Z"), 9 * HOUR_MS);
    ck_assert_int_eq(OPEN(c, "2024-03-05T07:59:59.999Z"), 0);
    ck_assert_int_eq(OPEN(c, "2024-03-05T08:00Z"), 1);
    ck_assert_int_eq(OPEN(c, "2024-03-05T16:59:59.999Z"), 1);
    ck_assert_int_eq(OPEN(c, "2024-03-05T17:00Z"), 0);
    ck_assert_int_eq(BMS_ISO(c, "2024-03-04T00:00Z", "2024-03-11T00:00Z"), 17 * HOUR_MS);

    /* open across midnight: Friday 22:00-24:00 and Saturday 00:00-02:00 */
    OK(cx_calendar_add_hours(c, 5, 22 * 60, 1440));
    OK(cx_calendar_add_hours(c, 6, 0, 2 * 60));
    ck_assert_int_eq(BMS_ISO(c, "2024-03-08T23:00Z", "2024-03-09T01:00Z"), 2 * HOUR_MS);
    ck_assert_int_eq(ADD(c, T("2024-03-08T23:00Z"), HOUR_MS), T("2024-03-09T00:00Z"));
    ck_assert_int_eq(ADD(c, T("2024-03-08T23:00Z"), HOUR_MS + 1), T("2024-03-09T00:00:00.001Z"));
    /* and across the week's end: Sunday 23:00-24:00, Monday 00:00-01:00 */
    OK(cx_calendar_add_hours(c, 7, 23 * 60, 1440));
    OK(cx_calendar_add_hours(c, 1, 0, 60));
    ck_assert_int_eq(BMS_ISO(c, "2024-03-10T23:30Z", "2024-03-11T00:30Z"), HOUR_MS);
    ck_assert_int_eq(ADD(c, T("2024-03-10T23:30Z"), HOUR_MS), T("2024-03-11T00:30Z"));
    /* a holiday on the Saturday cuts the night in two */
    OK(cx_calendar_add_holiday(c, 2024, 3, 9));
    ck_assert_int_eq(BMS_ISO(c, "2024-03-08T23:00Z", "2024-03-09T01:00Z"), HOUR_MS);
    ck_assert_int_eq(ADD(c, T("2024-03-08T23:00Z"), HOUR_MS), T("2024-03-09T00:00Z"));
    ck_assert_int_eq(ADD(c, T("2024-03-08T23:00Z"), HOUR_MS + 1), T("2024-03-10T23:00:00.001Z"));
    cx_calendar_free(c);

    /* the last millisecond before 1970, a Wednesday, in UTC and at +00:01 */
    OK(cx_calendar_new(&c, 0));
    OK(cx_calendar_add_hours(c, 3, 23 * 60, 1440));
    ck_assert_int_eq(OPEN(c, "1969-12-31T23:59:59.999Z"), 1);
    ck_assert_int_eq(OPEN(c, "1970-01-01T00:00:00.000Z"), 0);
    ck_assert_int_eq(BMS(c, -1, 0), 1);
    ck_assert_int_eq(ADD(c, -HOUR_MS, HOUR_MS), 0);
    cx_calendar_free(c);
    OK(cx_calendar_new(&c, 1));
    OK(cx_calendar_add_hours(c, 4, 0, 1));
    ck_assert_int_eq(OPEN(c, "1969-12-31T23:59:00.000Z"), 1);
    ck_assert_int_eq(OPEN(c, "1969-12-31T23:58:59.999Z"), 0);
    ck_assert_int_eq(BMS(c, -2 * MIN_MS, MIN_MS), MIN_MS);
    cx_calendar_free(c);
}
END_TEST

START_TEST(holidays)
{
    cx_calendar *c;
    OK(cx_calendar_new(&c, -300));
    for (int d = 1; d <= 5; d++)
        OK(cx_calendar_add_hours(c, d, 9 * 60, 17 * 60 + 30));
    ck_assert_int_eq(BMS_ISO(c, "2024-07-03T17:00-05:00", "2024-07-05T10:00-05:00"), 10 * HOUR_MS);
    OK(cx_calendar_add_holiday(c, 2024, 7, 4));
    OK(cx_calendar_add_holiday(c, 2024, 7, 4)); /* twice is fine */
    ck_assert_int_eq(BMS_ISO(c, "2024-07-03T17:00-05:00", "2024-07-05T10:00-05:00"), 90 * MIN_MS);
    /* a holiday on a closed day changes nothing */
    OK(cx_calendar_add_holiday(c, 2024, 7, 6));
    ck_assert_int_eq(BMS_ISO(c, "2024-07-01T00:00-05:00", "2024-07-08T00:00-05:00"), 34 * HOUR_MS);
    /* hours added after the holidays are closed on them too */
    OK(cx_calendar_add_hours(c, 4, 18 * 60, 19 * 60));
    OK(cx_calendar_add_hours(c, 6, 10 * 60, 11 * 60));
    ck_assert_int_eq(BMS_ISO(c, "2024-07-01T00:00-05:00", "2024-07-08T00:00-05:00"), 34 * HOUR_MS);
    ck_assert_int_eq(BMS_ISO(c, "2024-07-08T00:00-05:00", "2024-07-15T00:00-05:00"), 44 * HOUR_MS + 30 * MIN_MS);
    /* leap day and far years */
    OK(cx_calendar_add_holiday(c, 2024, 2, 29));
    ck_assert_int_eq(BMS_ISO(c, "2024-02-29T00:00-05:00", "2024-03-01T00:00-05:00"), 0);
    OK(cx_calendar_add_holiday(c, 0, 1, 1));
    OK(cx_calendar_add_holiday(c, 9999, 12, 31));
    ck_assert_int_eq(BMS_ISO(c, "9999-12-31T00:00-05:00", "9999-12-31T23:00-05:00"), 0);
    cx_calendar_free(c);

    /* two whole years of holidays: due times jump over them */
    OK(cx_calendar_new(&c, 0));
    for (int d = 1; d <= 5; d++)
        OK(cx_calendar_add_hours(c, d, 9 * 60, 17 * 60));
    for (int y = 2025; y <= 2026; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 31; d++)
                if (cx_calendar_add_holiday(c, y, m, d) != CX_OK)
                    ck_assert_int_eq(cx_last_error_code(), CX_ERANGE); /* 31 April */
    ck_assert_int_eq(BMS_ISO(c, "2024-12-31T16:00Z", "2027-01-01T10:00Z"), 2 * HOUR_MS);
    ck_assert_int_eq(ADD(c, T("2024-12-31T16:00Z"), 2 * HOUR_MS), T("2027-01-01T10:00Z"));
    ck_assert_int_eq(ADD(c, T("2025-06-01T00:00Z"), 9 * HOUR_MS), T("2027-01-04T10:00Z"));
    ck_assert_int_eq(ADD(c, T("2024-12-31T17:00Z"), 52 * 40 * HOUR_MS), T("2027-12-30T17:00Z"));
    cx_calendar_free(c);
}
END_TEST

/* ---- random agreement with the reference ------------------------------ */

static const int64_t t1990 = 631152000000LL, t2060 = 2840140800000LL;

static cx_time random_time(void)
{
    cx_time t = t1990 + rnd_below(t2060 - t1990);
    if (rnd() % 3 == 0) /* on a whole minute, where interval edges are */
        t = floordiv(t, MIN_MS) * MIN_MS;
    return t;
}

static int64_t random_length(void)
{
    switch (rnd() % 10) {
    case 0: return 0;
    case 1: case 2: case 3: return rnd_below(DAY_MS);
    case 4: case 5: case 6: return rnd_below(60 * DAY_MS);
    case 7: case 8: return rnd_below(3 * 366 * DAY_MS);
    default: return rnd_below(40 * 366 * DAY_MS);
    }
}

static void random_holidays(cx_calendar *c, ref_cal *r, int n)
{
    for (int i = 0; i < n; i++) {
        int y = 1990 + (int)rnd_below(70), m = 1 + (int)rnd_below(12), d = 1 + (int)rnd_below(28);
        both_holiday(c, r, y, m, d);
        if (rnd() % 8 == 0)
            both_holiday(c, r, y, m, d);
    }
}

/* n random spans: business_ms agrees with the reference, and the due time of
 * the same open time is the earliest instant that reaches it. */
static void agree(const cx_calendar *c, const ref_cal *r, int n)
{
    for (int i = 0; i < n; i++) {
        cx_time from = random_time(), to = from + random_length();
        int64_t want = ref_business(r, from, to), got = BMS(c, from, to);
        ck_assert_msg(got == want, "span %d [%lld, %lld): %lld, reference %lld", i, (long long)from,
                      (long long)to, (long long)got, (long long)want);
        cx_time due = ADD(c, from, want);
        ck_assert_int_le(due, to);
        ck_assert_int_eq(ref_business(r, from, due), want);
        if (want > 0)
            ck_assert_int_eq(ref_business(r, from, due - 1), want - 1);
        else
            ck_assert_int_eq(due, from);
        int open;
        OK(cx_calendar_is_open(&open, c, from));
        ck_assert_int_eq(open, ref_business(r, from, from + 1) == 1);
    }
}

START_TEST(random_spans_fixed_calendars)
{
    rng_state = 20240303;
    ref_cal r1, r2;
    cx_calendar *c1 = saudi(&r1), *c2 = us(&r2);
    random_holidays(c1, &r1, 300);
    random_holidays(c2, &r2, 300);
    agree(c1, &r1, 1000);
    agree(c2, &r2, 1000);
    free(r1.hol);
    free(r2.hol);
    cx_calendar_free(c1);
    cx_calendar_free(c2);
}
END_TEST

START_TEST(random_spans_random_calendars)
{
    rng_state = 77;
    for (int k = 0; k < 30; k++) {
        ref_cal r;
        cx_calendar *c;
        int offset = (int)rnd_below(2 * 840 + 1) - 840;
        OK(cx_calendar_new(&c, offset));
        ref_init(&r, offset);
        for (int wd = 1; wd <= 7; wd++) {
            int n = (int)rnd_below(5);
            for (int i = 0; i < n; i++) {
                int s = (int)rnd_below(1440), e = s + 1 + (int)rnd_below(k % 3 == 0 ? 30 : 600);
                both_hours(c, &r, wd, s, e > 1440 ? 1440 : e);
            }
            if (rnd() % 10 == 0)
                both_hours(c, &r, wd, 0, 1440);
        }
        if (k == 0) /* at least one open minute */
            both_hours(c, &r, 3, 700, 701);
        random_holidays(c, &r, (int)rnd_below(400));
        int total = 0;
        for (int wd = 0; wd < 7; wd++)
            total += r.nruns[wd];
        if (total)
            agree(c, &r, 100);
        free(r.hol);
        cx_calendar_free(c);
    }
}
END_TEST

START_TEST(long_span_against_reference)
{
    ref_cal r;
    cx_calendar *c = saudi(&r);
    rng_state = 9;
    for (int i = 0; i < 200; i++) {
        int y = (int)rnd_below(10000), m = 1 + (int)rnd_below(12), d = 1 + (int)rnd_below(28);
        both_holiday(c, &r, y, m, d);
    }
    cx_time from = T("0001-01-01T00:00:00.007Z"), to = T("9999-12-31T23:59:59.993Z");
    int64_t want = ref_business(&r, from, to);
    ck_assert_int_eq(BMS(c, from, to), want);
    cx_time due = ADD(c, from, want);
    ck_assert_int_eq(ref_business(&r, from, due), want);
    ck_assert_int_eq(ref_business(&r, from, due - 1), want - 1);
    /* and before 1970 */
    ck_assert_int_eq(BMS_ISO(c, "1969-12-25T00:00+03:00", "1970-01-08T00:00+03:00"),
                     ref_business(&r, T("1969-12-25T00:00+03:00"), T("1970-01-08T00:00+03:00")));
    free(r.hol);
    cx_calendar_free(c);
}
END_TEST

START_TEST(int64_limits)
{
    cx_calendar *c, *all;
    OK(cx_calendar_new(&c, 840));
    OK(cx_calendar_new(&all, -840));
    for (int d = 1; d <= 5; d++)
        OK(cx_calendar_add_hours(c, d, 9 * 60, 17 * 60));
    for (int d = 1; d <= 7; d++)
        OK(cx_calendar_add_hours(all, d, 0, 1440));
    const cx_time lo = INT64_MIN + 1, hi = INT64_MAX;
    /* 40 of 168 hours of the whole range fit in int64, and add up */
    int64_t whole = BMS(c, lo, hi), a = BMS(c, lo, 0), b = BMS(c, 0, hi);
    ck_assert_int_eq(whole, a + b);
    ck_assert_int_gt(whole, INT64_MAX / 5);
    int open;
    OK(cx_calendar_is_open(&open, c, lo));
    OK(cx_calendar_is_open(&open, c, hi));
    OK(cx_calendar_is_open(&open, all, hi));
    ck_assert_int_eq(open, 1);
    /* open all the time, the whole range does not fit */
    int64_t v = 42;
    FAILS(cx_calendar_business_ms(&v, all, lo, hi), CX_ERANGE, "cx_calendar_business_ms");
    ck_assert_int_eq(v, 42);
    ck_assert_int_eq(BMS(all, lo, 0), -(lo));
    ck_assert_int_eq(BMS(all, 0, hi), hi);
    /* due times past the largest cx_time */
    cx_time t = 7;
    FAILS(cx_calendar_add_business_ms(&t, all, hi - 1000, 1001), CX_ERANGE, "cx_calendar_add_business_ms");
    FAILS(cx_calendar_add_business_ms(&t, c, 0, INT64_MAX), CX_ERANGE, "cx_calendar_add_business_ms");
    ck_assert_int_eq(t, 7);
    ck_assert_int_eq(ADD(all, hi - 1000, 1000), hi);
    ck_assert_int_eq(ADD(all, lo, INT64_MAX), 0);
    cx_time due = ADD(c, lo, a);
    ck_assert_int_le(due, 0);
    ck_assert_int_eq(BMS(c, lo, due), a);
    ck_assert_int_eq(BMS(c, lo, due - 1), a - 1);
    ck_assert_int_eq(BMS(c, lo, ADD(c, lo, whole)), whole);
    cx_calendar_free(c);
    cx_calendar_free(all);
}
END_TEST

/* ---- refusals ---------------------------------------------------------- */

/* What a calendar answers, to see that a failed call changed nothing: the
 * open time of every day of 2023-2025 and of every hour of one week. */
typedef struct fingerprint {
    int64_t v[3 * 366 + 7 * 24];
} fingerprint;

static void take(fingerprint *f, const cx_calendar *c)
{
    memset(f, 0, sizeof *f);
    cx_time t = T("2023-01-01T00:00Z");
    int n = 0;
    for (int d = 0; d < 3 * 365 + 1; d++, t += DAY_MS)
        f->v[n++] = BMS(c, t, t + DAY_MS);
    t = T("2024-02-19T00:00Z");
    for (int h = 0; h < 7 * 24; h++, t += HOUR_MS)
        f->v[n++] = BMS(c, t, t + HOUR_MS);
}

static void same(const cx_calendar *c, const fingerprint *before)
{
    fingerprint now;
    take(&now, c);
    ck_assert_msg(memcmp(&now, before, sizeof now) == 0, "the calendar changed");
}

START_TEST(bad_arguments)
{
    /* a failed constructor sets *out to NULL (docs/conventions.md) */
    cx_calendar *c = (cx_calendar *)&c;
    FAILS(cx_calendar_new(NULL, 0), CX_EINVAL, "cx_calendar_new");
    FAILS(cx_calendar_new(&c, 841), CX_ERANGE, "cx_calendar_new");
    ck_assert_ptr_null(c);
    c = (cx_calendar *)&c;
    FAILS(cx_calendar_new(&c, -841), CX_ERANGE, "cx_calendar_new");
    ck_assert_ptr_null(c);
    c = (cx_calendar *)&c;
    FAILS(cx_calendar_new_with_allocator(&c, 900, NULL, NULL), CX_ERANGE, "cx_calendar_new");
    ck_assert_ptr_null(c);
    OK(cx_calendar_new(&c, 840));
    cx_calendar_free(c);
    OK(cx_calendar_new(&c, -840));
    cx_calendar_free(c);
    cx_calendar_free(NULL);

    ref_cal r;
    c = saudi(&r);
    fingerprint f;
    take(&f, c);
    FAILS(cx_calendar_add_hours(NULL, 1, 0, 60), CX_EINVAL, "cx_calendar_add_hours");
    FAILS(cx_calendar_add_hours(c, 0, 0, 60), CX_ERANGE, "cx_calendar_add_hours");
    FAILS(cx_calendar_add_hours(c, 8, 0, 60), CX_ERANGE, "cx_calendar_add_hours");
    FAILS(cx_calendar_add_hours(c, 5, -1, 60), CX_ERANGE, "cx_calendar_add_hours");
    FAILS(cx_calendar_add_hours(c, 5, 1440, 1441), CX_ERANGE, "cx_calendar_add_hours");
    FAILS(cx_calendar_add_hours(c, 5, 0, 1441), CX_ERANGE, "cx_calendar_add_hours");
    FAILS(cx_calendar_add_hours(c, 5, 0, 0), CX_ERANGE, "cx_calendar_add_hours");
    FAILS(cx_calendar_add_hours(c, 5, 600, 600), CX_EORDER, "cx_calendar_add_hours");
    FAILS(cx_calendar_add_hours(c, 5, 600, 540), CX_EORDER, "cx_calendar_add_hours");
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "weekday 5"));
    same(c, &f);

    FAILS(cx_calendar_add_holiday(NULL, 2024, 3, 3), CX_EINVAL, "cx_calendar_add_holiday");
    FAILS(cx_calendar_add_holiday(c, 2023, 2, 29), CX_ERANGE, "cx_calendar_add_holiday");
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "2023-02-29"));
    FAILS(cx_calendar_add_holiday(c, 2024, 4, 31), CX_ERANGE, "cx_calendar_add_holiday");
    FAILS(cx_calendar_add_holiday(c, 2024, 13, 1), CX_ERANGE, "cx_calendar_add_holiday");
    FAILS(cx_calendar_add_holiday(c, 2024, 0, 1), CX_ERANGE, "cx_calendar_add_holiday");
    FAILS(cx_calendar_add_holiday(c, 2024, 1, 0), CX_ERANGE, "cx_calendar_add_holiday");
    FAILS(cx_calendar_add_holiday(c, -1, 1, 1), CX_ERANGE, "cx_calendar_add_holiday");
    FAILS(cx_calendar_add_holiday(c, 10000, 1, 1), CX_ERANGE, "cx_calendar_add_holiday");
    same(c, &f);

    cx_time t0 = T("2024-03-03T10:00+03:00");
    int open = 5;
    FAILS(cx_calendar_is_open(NULL, c, t0), CX_EINVAL, "cx_calendar_is_open");
    FAILS(cx_calendar_is_open(&open, NULL, t0), CX_EINVAL, "cx_calendar_is_open");
    FAILS(cx_calendar_is_open(&open, c, CX_TIME_NONE), CX_EINVAL, "cx_calendar_is_open");
    ck_assert_int_eq(open, 5);

    int64_t v = 5;
    FAILS(cx_calendar_business_ms(NULL, c, t0, t0), CX_EINVAL, "cx_calendar_business_ms");
    FAILS(cx_calendar_business_ms(&v, NULL, t0, t0), CX_EINVAL, "cx_calendar_business_ms");
    FAILS(cx_calendar_business_ms(&v, c, CX_TIME_NONE, t0), CX_EINVAL, "cx_calendar_business_ms");
    FAILS(cx_calendar_business_ms(&v, c, t0, CX_TIME_NONE), CX_EINVAL, "cx_calendar_business_ms");
    FAILS(cx_calendar_business_ms(&v, c, t0, t0 - 1), CX_EORDER, "cx_calendar_business_ms");
    ck_assert_int_eq(v, 5);

    cx_time due = 5;
    FAILS(cx_calendar_add_business_ms(NULL, c, t0, 1), CX_EINVAL, "cx_calendar_add_business_ms");
    FAILS(cx_calendar_add_business_ms(&due, NULL, t0, 1), CX_EINVAL, "cx_calendar_add_business_ms");
    FAILS(cx_calendar_add_business_ms(&due, c, CX_TIME_NONE, 1), CX_EINVAL, "cx_calendar_add_business_ms");
    FAILS(cx_calendar_add_business_ms(&due, c, t0, -1), CX_ERANGE, "cx_calendar_add_business_ms");
    FAILS(cx_calendar_add_business_ms(&due, c, t0, INT64_MIN), CX_ERANGE, "cx_calendar_add_business_ms");
    ck_assert_int_eq(due, 5);
    same(c, &f);

    /* a calendar with no hours: nothing is ever open, no due time exists */
    cx_calendar *closed;
    OK(cx_calendar_new(&closed, 0));
    OK(cx_calendar_add_holiday(closed, 2024, 3, 3));
    FAILS(cx_calendar_add_business_ms(&due, closed, t0, 1), CX_ERANGE, "cx_calendar_add_business_ms");
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "no open hours"));
    ck_assert_int_eq(due, 5);
    ck_assert_int_eq(ADD(closed, t0, 0), t0);
    ck_assert_int_eq(BMS(closed, INT64_MIN + 1, INT64_MAX), 0);
    OK(cx_calendar_is_open(&open, closed, t0));
    ck_assert_int_eq(open, 0);
    cx_calendar_free(closed);
    free(r.hol);
    cx_calendar_free(c);
}
END_TEST

/* ---- allocator failure ------------------------------------------------- */

START_TEST(allocator_failure)
{
    cxt_alloc b = {0};
    cxt_alloc_allow(&b, 0);
    cx_calendar *c = NULL;
    FAILS(cx_calendar_new_with_allocator(&c, 180, cxt_alloc_fn, &b), CX_ENOMEM, "cx_calendar_new");
    ck_assert_ptr_null(c);
    ck_assert_uint_eq(b.live, 0);
    cxt_alloc_allow(&b, 1);
    OK(cx_calendar_new_with_allocator(&c, 180, cxt_alloc_fn, &b));

    /* The same calendar built without a budget. */
    ref_cal r;
    cx_calendar *want;
    OK(cx_calendar_new(&want, 180));
    ref_init(&r, 180);

    /* Forty intervals and a hundred holidays, each call first refused for
     * lack of memory whenever it needs some, then retried. */
    int refused = 0;
    for (int i = 0; i < 140; i++) {
        fingerprint f;
        take(&f, c);
        int wd = 1 + i % 7, s = (i / 7) * 70, y = 2023 + i % 3, m = 1 + i % 12, d = 1 + (i * 7) % 28;
        cxt_alloc_allow(&b, 0);
        int rc = i < 40 ? cx_calendar_add_hours(c, wd, s, s + 30) : cx_calendar_add_holiday(c, y, m, d);
        if (rc == CX_ENOMEM) {
            refused++;
            ck_assert_int_eq(cx_last_error_code(), CX_ENOMEM);
            same(c, &f);
            cxt_alloc_allow(&b, 1);
            rc = i < 40 ? cx_calendar_add_hours(c, wd, s, s + 30) : cx_calendar_add_holiday(c, y, m, d);
        }
        ck_assert_int_eq(rc, CX_OK);
        if (i < 40)
            both_hours(want, &r, wd, s, s + 30);
        else
            both_holiday(want, &r, y, m, d);
    }
    ck_assert_int_ge(refused, 5); /* growths of both arrays were refused */
    fingerprint fc, fw;
    take(&fc, c);
    take(&fw, want);
    ck_assert(memcmp(&fc, &fw, sizeof fc) == 0);
    rng_state = 5;
    agree(c, &r, 100);
    ck_assert_uint_gt(b.live, 0);
    cx_calendar_free(c);
    cxt_alloc_done(&b);
    free(r.hol);
    cx_calendar_free(want);
}
END_TEST

/* ---- threads ----------------------------------------------------------- */

typedef struct job {
    const cx_calendar *c;
    const cx_time *from, *to;
    const int64_t *want;
    int n, bad;
} job;

static void *run_job(void *arg)
{
    job *j = arg;
    for (int round = 0; round < 20; round++)
        for (int i = 0; i < j->n; i++) {
            int64_t v;
            cx_time due;
            if (cx_calendar_business_ms(&v, j->c, j->from[i], j->to[i]) != CX_OK || v != j->want[i])
                j->bad++;
            else if (cx_calendar_add_business_ms(&due, j->c, j->from[i], v) != CX_OK || due > j->to[i])
                j->bad++;
        }
    return NULL;
}

START_TEST(const_calls_from_threads)
{
    ref_cal r;
    cx_calendar *c = us(&r);
    enum { N = 200, THREADS = 4 };
    static cx_time from[N], to[N];
    static int64_t want[N];
    rng_state = 3;
    for (int i = 0; i < N; i++) {
        from[i] = random_time();
        to[i] = from[i] + random_length();
        want[i] = ref_business(&r, from[i], to[i]);
    }
    pthread_t th[THREADS];
    job jobs[THREADS];
    for (int k = 0; k < THREADS; k++) {
        jobs[k] = (job){c, from, to, want, N, 0};
        ck_assert_int_eq(pthread_create(&th[k], NULL, run_job, &jobs[k]), 0);
    }
    for (int k = 0; k < THREADS; k++) {
        ck_assert_int_eq(pthread_join(th[k], NULL), 0);
        ck_assert_int_eq(jobs[k].bad, 0);
    }
    free(r.hol);
    cx_calendar_free(c);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("calendar");
    TCase *core = tcase_create("core");
    tcase_add_test(core, saudi_week);
    tcase_add_test(core, us_week);
    tcase_add_test(core, split_and_merged_intervals);
    tcase_add_test(core, holidays);
    suite_add_tcase(su, core);
    TCase *ref = tcase_create("reference");
    tcase_set_timeout(ref, 240);
    tcase_add_test(ref, random_spans_fixed_calendars);
    tcase_add_test(ref, random_spans_random_calendars);
    tcase_add_test(ref, long_span_against_reference);
    tcase_add_test(ref, const_calls_from_threads);
    suite_add_tcase(su, ref);
    TCase *limits = tcase_create("limits");
    tcase_set_timeout(limits, 120);
    tcase_add_test(limits, int64_limits);
    tcase_add_test(limits, bad_arguments);
    tcase_add_test(limits, allocator_failure);
    suite_add_tcase(su, limits);
    return run_suite(su);
}

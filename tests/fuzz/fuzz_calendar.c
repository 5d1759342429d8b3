/* libFuzzer target (issue 15): business-hours calendars. The input is a
 * calendar spec read as a program: an offset, then commands (add hours on a
 * weekday, add a holiday), then queries. Properties checked against a
 * brute-force count: business_ms over [a, c) equals business_ms over [a, b)
 * plus [b, c); it never exceeds c - a; add_business_ms(a, business_ms(a, c))
 * is at most c and spans the same open time; is_open agrees with
 * business_ms over one millisecond; a calendar with no open time refuses
 * add_business_ms with ms > 0. */
#include "fuzz_util.h"

static int64_t bms(const cx_calendar *cal, cx_time a, cx_time b)
{
    int64_t v = -1;
    int rc = cx_calendar_business_ms(&v, cal, a, b);
    if (rc != CX_OK)
        fz_fail("business_ms(%lld, %lld) failed with %d", (long long)a, (long long)b, rc);
    if (v < 0 || v > b - a)
        fz_fail("business_ms(%lld, %lld) = %lld", (long long)a, (long long)b, (long long)v);
    return v;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    int offset = (int)(int16_t)(fz_u8(&in) << 8 | fz_u8(&in));
    cx_calendar *cal = NULL;
    int rc = cx_calendar_new(&cal, offset);
    if (offset < -CX_UTC_OFFSET_MAX || offset > CX_UTC_OFFSET_MAX) {
        if (rc != CX_ERANGE || cal)
            fz_fail("cx_calendar_new accepted offset %d", offset);
        offset %= CX_UTC_OFFSET_MAX + 1;
        if (cx_calendar_new(&cal, offset) != CX_OK)
            fz_fail("cx_calendar_new refused offset %d", offset);
    } else if (rc != CX_OK)
        fz_fail("cx_calendar_new refused offset %d", offset);

    unsigned ncmd = fz_u8(&in) % 40;
    int open_any = 0;
    for (unsigned i = 0; i < ncmd && in.n; i++) {
        unsigned op = fz_u8(&in);
        if (op & 1) {
            int wd = (int)(op >> 1) % 9, start = (int)(fz_u8(&in) << 8 | fz_u8(&in)) % 1500 - 20;
            int end = start + (int)(fz_u8(&in) << 8 | fz_u8(&in)) % 1500 - 30;
            rc = cx_calendar_add_hours(cal, wd, start, end);
            int valid = wd >= 1 && wd <= 7 && start >= 0 && start <= 1439 && end <= 1440 && end > start;
            if ((rc == CX_OK) != valid)
                fz_fail("add_hours(%d, %d, %d) returned %d", wd, start, end, rc);
            open_any |= valid;
        } else {
            int y = 1900 + (int)fz_u8(&in) + ((op >> 1) & 1 ? 100 : 0), mo = (int)fz_u8(&in) % 14,
                d = (int)fz_u8(&in) % 33;
            rc = cx_calendar_add_holiday(cal, y, mo, d);
            if (rc != CX_OK && rc != CX_ERANGE)
                fz_fail("add_holiday(%d, %d, %d) returned %d", y, mo, d, rc);
        }
    }

    /* queries: times around 1900-2300, spans up to a few years */
    for (int q = 0; q < 4 && in.n; q++) {
        cx_time a = (cx_time)(fz_u64(&in) % 10000000000000ULL) - 2208988800000LL;
        int64_t span1 = (int64_t)(fz_u64(&in) % 200000000000ULL), span2 = (int64_t)(fz_u32(&in)) * 1000;
        cx_time b = a + span1, c = b + span2;
        int64_t ab = bms(cal, a, b), bc = bms(cal, b, c), ac = bms(cal, a, c);
        if (ab + bc != ac)
            fz_fail("business_ms not additive: [a,b) %lld + [b,c) %lld != [a,c) %lld", (long long)ab,
                    (long long)bc, (long long)ac);
        int open = -1;
        if (cx_calendar_is_open(&open, cal, a) != CX_OK || open != (bms(cal, a, a + 1) == 1))
            fz_fail("is_open(%lld) = %d disagrees with business_ms", (long long)a, open);
        cx_time due = 0;
        rc = cx_calendar_add_business_ms(&due, cal, a, ac);
        if (rc == CX_OK) {
            if (due < a || due > c)
                fz_fail("add_business_ms(a, %lld) = %lld outside [a, c]", (long long)ac, (long long)due);
            if (bms(cal, a, due) != ac)
                fz_fail("add_business_ms(a, %lld) = %lld spans %lld", (long long)ac, (long long)due,
                        (long long)bms(cal, a, due));
            if (due > a && ac > 0 && bms(cal, a, due - 1) != ac - 1)
                fz_fail("add_business_ms(a, %lld) is not the earliest instant", (long long)ac);
        } else if (!(rc == CX_ERANGE && !open_any && ac > 0))
            fz_fail("add_business_ms(a, %lld) failed with %d", (long long)ac, rc);
        int64_t more = (int64_t)fz_u32(&in) * 997;
        rc = cx_calendar_add_business_ms(&due, cal, a, more);
        if (rc == CX_OK && bms(cal, a, due) != more)
            fz_fail("add_business_ms(a, %lld) spans %lld", (long long)more, (long long)bms(cal, a, due));
        if (rc != CX_OK && !(rc == CX_ERANGE && (!open_any || ac == 0)))
            fz_fail("add_business_ms(a, %lld) failed with %d", (long long)more, rc);
    }
    cx_calendar_free(cal);
    return 0;
}

/* Tests of the public time API (cx_time_parse, cx_time_format,
 * cx_time_from_utc) through the shared library. Every expected value was
 * worked out by hand from the calendar (and checked once against Python's
 * datetime); none depends on the clock. */
#include "cx_test.h"

#define SENTINEL ((cx_time)0x5EED5EED5EEDLL)
#define YEAR0 (-62167219200000LL)     /* 0000-01-01T00:00:00Z */
#define YEAR9999 (253402300799999LL)  /* 9999-12-31T23:59:59.999Z */

/* Parsing fails with `code`, leaves `out` alone and says `why` (and, when
 * given, "at byte N") in the last error. */
static void parse_fails(const char *text, size_t len, int code, int at, const char *why)
{
    cx_time t = SENTINEL;
    cx_error_clear();
    int rc = cx_time_parse(&t, text, len);
    ck_assert_msg(rc == code, "'%.*s': got %d, want %d", (int)len, text, rc, code);
    ck_assert_msg(t == SENTINEL, "'%.*s': out was written on failure", (int)len, text);
    ck_assert_int_eq(cx_last_error_code(), code);
    const char *msg = cx_last_error();
    ck_assert_msg(strncmp(msg, "cx_time_parse: ", 15) == 0, "message '%s'", msg);
    ck_assert_msg(strstr(msg, why) != NULL, "'%.*s': message '%s' lacks '%s'", (int)len, text, msg, why);
    if (at >= 0) {
        char where[32];
        snprintf(where, sizeof where, "at byte %d: ", at);
        ck_assert_msg(strstr(msg, where) != NULL, "'%.*s': message '%s' lacks '%s'", (int)len, text, msg, where);
    }
}

static void bad(const char *text, int at, const char *why) { parse_fails(text, strlen(text), CX_EPARSE, at, why); }

/* ---- parsing ---------------------------------------------------------- */

START_TEST(parse_dates)
{
    ck_assert_int_eq(T("1970-01-01"), 0);
    ck_assert_int_eq(T("1970-01-02"), DAY_MS);
    /* 54 years with 13 leap days, then 14 days */
    ck_assert_int_eq(T("2024-01-15"), (54 * 365 + 13 + 14) * DAY_MS);
    ck_assert_int_eq(T("2024-01-15"), 1705276800000LL);
    ck_assert_int_eq(T("2000-03-01"), 951868800000LL);
    ck_assert_int_eq(T("2024-12-31"), 1735603200000LL);
    ck_assert_int_eq(T("2025-01-01") - T("2024-01-01"), 366 * DAY_MS);
    ck_assert_int_eq(T("2024-01-01") - T("2023-01-01"), 365 * DAY_MS);
}
END_TEST

START_TEST(parse_date_times)
{
    ck_assert_int_eq(T("2024-01-15T05:00:00Z"), 1705294800000LL);
    ck_assert_int_eq(T("2024-01-15T05:00:00"), 1705294800000LL); /* no offset: UTC */
    ck_assert_int_eq(T("2024-01-15T05:00"), 1705294800000LL);    /* no seconds */
    ck_assert_int_eq(T("2024-01-15t05:00:00z"), 1705294800000LL); /* lower case */
    ck_assert_int_eq(T("2024-01-15 05:00:00Z"), 1705294800000LL); /* a space */
    ck_assert_int_eq(T("2024-01-15T05:00Z"), 1705294800000LL);
    ck_assert_int_eq(T("2024-01-15T23:59:59Z"), 1705276800000LL + DAY_MS - 1000);
    ck_assert_int_eq(T("2024-01-15T00:00:00Z"), 1705276800000LL);
    ck_assert_int_eq(T("2024-01-15T12:34:56Z"), 1705276800000LL + (12 * 3600 + 34 * 60 + 56) * 1000LL);
    /* the largest 32-bit second and the one after it */
    ck_assert_int_eq(T("2038-01-19T03:14:07Z"), 2147483647000LL);
    ck_assert_int_eq(T("2038-01-19T03:14:08Z"), 2147483648000LL);
}
END_TEST

START_TEST(parse_fractions)
{
    const cx_time base = 1705294800000LL; /* 2024-01-15T05:00:00Z */
    ck_assert_int_eq(T("2024-01-15T05:00:00.123Z"), base + 123);
    ck_assert_int_eq(T("2024-01-15T05:00:00.5Z"), base + 500);
    ck_assert_int_eq(T("2024-01-15T05:00:00.05"), base + 50);
    ck_assert_int_eq(T("2024-01-15T05:00:00,25Z"), base + 250); /* ISO's comma */
    ck_assert_int_eq(T("2024-01-15T05:00:00.000Z"), base);
    ck_assert_int_eq(T("2024-01-15T05:00:00.999Z"), base + 999);
    /* beyond milliseconds: truncated, never rounded */
    ck_assert_int_eq(T("2024-01-15T05:00:00.123456789Z"), base + 123);
    ck_assert_int_eq(T("2024-01-15T05:00:00.9999999Z"), base + 999);
    ck_assert_int_eq(T("2024-01-15T05:00:00.0009Z"), base);
    ck_assert_int_eq(T("2024-01-15T08:00:00.250+03:00"), base + 250);
}
END_TEST

START_TEST(parse_offsets)
{
    const cx_time utc5 = 1705294800000LL; /* 2024-01-15T05:00:00Z */
    ck_assert_int_eq(T("2024-01-15T08:00:00+03:00"), 1705294800000LL);
    ck_assert_int_eq(T("2024-01-15T08:00:00+0300"), utc5);
    ck_assert_int_eq(T("2024-01-15T08:00:00+03"), utc5);
    ck_assert_int_eq(T("2024-01-15T08:00+03:00"), utc5);
    ck_assert_int_eq(T("2024-01-14T23:30:00-05:30"), utc5);
    ck_assert_int_eq(T("2024-01-14T23:30:00-0530"), utc5);
    ck_assert_int_eq(T("2024-01-15T08:00:00-05:30"), 1705325400000LL); /* 13:30Z */
    ck_assert_int_eq(T("2024-01-15T05:00:00+00:00"), utc5);
    ck_assert_int_eq(T("2024-01-15T05:00:00-00:00"), utc5);
    ck_assert_int_eq(T("2024-01-15T10:45:00+05:45"), utc5); /* Nepal */
    ck_assert_int_eq(T("2024-01-15T19:00:00+14:00"), utc5); /* Kiribati: the day after... */
    ck_assert_int_eq(T("2024-01-14T19:00:00-10:00"), utc5); /* ...and the day before */
    /* the extremes the header allows */
    ck_assert_int_eq(T("2024-01-15T08:00:00-14:00"), 1705276800000LL + 22 * 3600000LL); /* the widest offsets */
    ck_assert_int_eq(T("2024-01-15T08:00:00+1400"), 1705276800000LL - 6 * 3600000LL);
    /* an offset crossing the epoch */
    ck_assert_int_eq(T("1970-01-01T00:00:00+01:00"), -3600000LL);
    ck_assert_int_eq(T("1969-12-31T19:00:00-05:00"), 0);
}
END_TEST

START_TEST(parse_before_1970)
{
    ck_assert_int_eq(T("1969-12-31T23:59:59.999Z"), -1);
    ck_assert_int_eq(T("1969-12-31T23:59:59.001Z"), -999);
    ck_assert_int_eq(T("1969-12-31T23:59:59Z"), -1000);
    ck_assert_int_eq(T("1969-12-31"), -DAY_MS);
    ck_assert_int_eq(T("1969-07-20T20:17:40Z"), -14182940000LL); /* 165 days before, plus 20:17:40 */
    ck_assert_int_eq(T("1900-01-01"), -2208988800000LL);
    ck_assert_int_eq(T("1899-12-31T23:00:00Z"), -2208992400000LL);
    ck_assert_int_eq(T("1600-02-29"), -11670998400000LL);
    ck_assert_int_eq(T("0001-01-01"), -62135596800000LL);
    /* year 0 is a leap year of the proleptic calendar (divisible by 400) */
    ck_assert_int_eq(T("0000-01-01"), YEAR0);
    ck_assert_int_eq(T("0000-01-01") + 366 * DAY_MS, T("0001-01-01"));
    ck_assert_int_eq(T("0000-02-29"), YEAR0 + (31 + 28) * DAY_MS);
    ck_assert_int_eq(T("9999-12-31T23:59:59.999Z"), YEAR9999);
    ck_assert_int_eq(T("9999-12-31T23:59:59Z"), 253402300799000LL);
}
END_TEST

START_TEST(parse_leap_years)
{
    ck_assert_int_eq(T("2024-02-29"), 1709164800000LL);
    ck_assert_int_eq(T("2024-03-01") - T("2024-02-29"), DAY_MS);
    ck_assert_int_eq(T("2000-02-29"), 951782400000LL); /* divisible by 400: leap */
    bad("2023-02-29", 8, "day out of range for that month");
    bad("1900-02-29", 8, "day out of range for that month"); /* by 100, not 400 */
    bad("2100-02-29T00:00:00Z", 8, "day out of range for that month");
    bad("2024-02-30", 8, "day out of range for that month");
    bad("2024-04-31", 8, "day out of range for that month");
    bad("2024-06-31", 8, "day out of range for that month");
    bad("2024-01-32", 8, "day out of range for that month");
    bad("2024-01-00", 8, "day out of range for that month");
    ck_assert_int_eq(T("2023-02-28") + DAY_MS, T("2023-03-01"));
    ck_assert_int_eq(T("2024-04-30") + DAY_MS, T("2024-05-01"));
    ck_assert_int_eq(T("2024-12-31") + DAY_MS, T("2025-01-01"));
}
END_TEST

START_TEST(parse_bad_input)
{
    parse_fails("", 0, CX_EPARSE, 0, "expected a four-digit year");
    bad("garbage", 0, "expected a four-digit year");
    bad("24-01-15", 0, "expected a four-digit year");
    bad("-2024-01-15", 0, "expected a four-digit year");
    bad("20240115", 4, "expected '-' after the year");
    bad("2024/01/15", 4, "expected '-' after the year");
    bad("2024-1-15", 5, "expected a two-digit month");
    bad("2024-01", 7, "expected '-' after the month");
    bad("2024-01-5", 8, "expected a two-digit day");
    bad("2024-13-01", 5, "month out of range 01-12");
    bad("2024-00-10", 5, "month out of range 01-12");
    bad("2024-01-15T25:00:00Z", -1, "hour out of range 00-23");
    bad("2024-01-15T24:00:00Z", -1, "hour out of range 00-23"); /* no 24:00 */
    bad("2024-01-15T12:60:00Z", -1, "minutes out of range 00-59");
    bad("2024-01-15T12:00:60Z", -1, "seconds out of range 00-59"); /* no leap seconds */
    bad("2024-01-15T", 11, "expected a two-digit hour");
    bad("2024-01-15T8:00", 11, "expected a two-digit hour");
    bad("2024-01-15T08", 13, "expected ':' after the hour");
    bad("2024-01-15T0800", 13, "expected ':' after the hour");
    bad("2024-01-15T08:0", 14, "expected two-digit minutes");
    bad("2024-01-15T08:00:", 17, "expected two-digit seconds");
    bad("2024-01-15T08:00:00.", 20, "expected digits after the decimal point");
    bad("2024-01-15T08:00:00.Z", 20, "expected digits after the decimal point");
    bad("2024-01-15T08:00.5Z", 16, "expected 'Z' or a UTC offset"); /* a fraction needs seconds */
    bad("2024-01-15X08:00", 10, "expected 'T' or ' ' between date and time");
    /* blanks on either side are refused */
    bad(" 2024-01-15", 0, "expected a four-digit year");
    bad("2024-01-15 ", 11, "expected a two-digit hour");
    bad("2024-01-15T08:00:00Z ", 20, "unexpected text after the time");
    bad("2024-01-15T08:00:00\n", 19, "expected 'Z' or a UTC offset");
    /* trailing junk */
    bad("2024-01-15T08:00:00Zjunk", 20, "unexpected text after the time");
    bad("2024-01-15T08:00:00ZZ", 20, "unexpected text after the time");
    bad("2024-01-15T08:00:00+03:00:00", 25, "unexpected text after the time");
    bad("2024-01-15T08:00:00 UTC", 19, "expected 'Z' or a UTC offset");
    /* offsets */
    bad("2024-01-15T08:00:00+3", 20, "expected a two-digit offset hour");
    bad("2024-01-15T08:00:00+", 20, "expected a two-digit offset hour");
    bad("2024-01-15T08:00:00+03:", 23, "expected two-digit offset minutes");
    bad("2024-01-15T08:00:00+03:0", 23, "expected two-digit offset minutes");
    bad("2024-01-15T08:00:00+030", 22, "expected two-digit offset minutes");
    bad("2024-01-15T08:00:00+24:00", 19, "UTC offset out of range");
    bad("2024-01-15T08:00:00+14:01", 19, "UTC offset out of range"); /* one range everywhere: +-14:00 */
    bad("2024-01-15T08:00:00-23:59", 19, "UTC offset out of range");
    bad("2024-01-15T08:00:00-03:60", 19, "UTC offset out of range");
    bad("2024-01-15T08:00:00+9999", 19, "UTC offset out of range");
    /* an offset or Z on a bare date is not one of the accepted forms */
    bad("2024-01-15Z", 10, "expected 'T' or ' ' between date and time");
    /* Arabic-Indic digits are not digits here */
    bad("٢٠٢٤-01-15", 0, "expected a four-digit year");
}
END_TEST

START_TEST(parse_len_not_covering_text)
{
    const char *full = "2024-01-15T08:00:00.123+03:00";
    cx_time t = SENTINEL;
    /* the length decides, not the NUL */
    OK(cx_time_parse(&t, full, 10));
    ck_assert_int_eq(t, 1705276800000LL); /* the date alone: midnight UTC */
    OK(cx_time_parse(&t, full, 16));
    ck_assert_int_eq(t, 1705276800000LL + 8 * 3600000LL);
    OK(cx_time_parse(&t, full, 19));
    ck_assert_int_eq(t, 1705276800000LL + 8 * 3600000LL);
    OK(cx_time_parse(&t, full, 21)); /* ".1" */
    ck_assert_int_eq(t, 1705276800000LL + 8 * 3600000LL + 100);
    OK(cx_time_parse(&t, full, 26)); /* "+03" */
    ck_assert_int_eq(t, 1705294800123LL);
    OK(cx_time_parse(&t, full, strlen(full)));
    ck_assert_int_eq(t, 1705294800123LL);
    /* cuts that leave a field incomplete */
    parse_fails(full, 3, CX_EPARSE, 0, "expected a four-digit year");
    parse_fails(full, 9, CX_EPARSE, 8, "expected a two-digit day");
    parse_fails(full, 11, CX_EPARSE, 11, "expected a two-digit hour");
    parse_fails(full, 20, CX_EPARSE, 20, "expected digits after the decimal point");
    parse_fails(full, 24, CX_EPARSE, 24, "expected a two-digit offset hour");
    parse_fails(full, 27, CX_EPARSE, 27, "expected two-digit offset minutes");
    /* text that is not NUL-terminated at all (ASan would see a read past it) */
    const char raw[10] = {'2', '0', '2', '4', '-', '0', '2', '-', '2', '9'};
    OK(cx_time_parse(&t, raw, sizeof raw));
    ck_assert_int_eq(t, 1709164800000LL);
    const char raw2[20] = {'2', '0', '2', '4', '-', '0', '1', '-', '1', '5',
                           'T', '0', '5', ':', '0', '0', ':', '0', '0', 'Z'};
    OK(cx_time_parse(&t, raw2, sizeof raw2));
    ck_assert_int_eq(t, 1705294800000LL);
    /* a NUL inside the length is text like any other, and wrong */
    parse_fails("2024-01-15\0T08:00", 16, CX_EPARSE, 10, "expected 'T' or ' ' between date and time");
    parse_fails("2024-01-15T08:00:00Z\0", 21, CX_EPARSE, 20, "unexpected text after the time");
}
END_TEST

START_TEST(parse_null_arguments)
{
    cx_time t = SENTINEL;
    cx_error_clear();
    ck_assert_int_eq(cx_time_parse(NULL, "2024-01-15", 10), CX_EINVAL);
    ck_assert_int_eq(cx_last_error_code(), CX_EINVAL);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "cx_time_parse"));
    ck_assert_int_eq(cx_time_parse(&t, NULL, 10), CX_EINVAL);
    ck_assert_int_eq(cx_time_parse(&t, NULL, 0), CX_EINVAL);
    ck_assert_int_eq(t, SENTINEL);
}
END_TEST

START_TEST(success_keeps_previous_error)
{
    bad("2024-13-01", 5, "month out of range");
    char msg[256];
    snprintf(msg, sizeof msg, "%s", cx_last_error());
    ck_assert_int_eq(T("2024-01-15"), 1705276800000LL);
    char buf[CX_TIME_FORMAT_MAX];
    OK(cx_time_format(buf, sizeof buf, 0, 0));
    cx_time t;
    OK(cx_time_from_utc(&t, 2024, 1, 15, 0, 0, 0));
    ck_assert_int_eq(cx_last_error_code(), CX_EPARSE);
    ck_assert_str_eq(cx_last_error(), msg);
}
END_TEST

/* ---- formatting ------------------------------------------------------- */

static const char *F(cx_time t, int offset)
{
    static char buf[CX_TIME_FORMAT_MAX];
    memset(buf, '#', sizeof buf);
    OK(cx_time_format(buf, sizeof buf, t, offset));
    return buf;
}

START_TEST(format_values)
{
    ck_assert_str_eq(F(0, 0), "1970-01-01T00:00:00Z");
    ck_assert_str_eq(F(1705294800000LL, 0), "2024-01-15T05:00:00Z");
    ck_assert_str_eq(F(1705294800000LL, 180), "2024-01-15T08:00:00+03:00");
    ck_assert_str_eq(F(1705294800000LL, -330), "2024-01-14T23:30:00-05:30");
    ck_assert_str_eq(F(1705294800000LL, 345), "2024-01-15T10:45:00+05:45");
    ck_assert_str_eq(F(1705294800000LL, 840), "2024-01-15T19:00:00+14:00");
    ck_assert_str_eq(F(1705294800000LL, -840), "2024-01-14T15:00:00-14:00");
    ck_assert_str_eq(F(1705294800000LL, 1), "2024-01-15T05:01:00+00:01");
    ck_assert_str_eq(F(1705294800000LL, -1), "2024-01-15T04:59:00-00:01");
    ck_assert_str_eq(F(1705294800123LL, 0), "2024-01-15T05:00:00.123Z"); /* ms only when not zero */
    ck_assert_str_eq(F(1705294800007LL, 180), "2024-01-15T08:00:00.007+03:00");
    ck_assert_str_eq(F(1709164800000LL, 0), "2024-02-29T00:00:00Z");
    ck_assert_str_eq(F(1709164800000LL - 1, 0), "2024-02-28T23:59:59.999Z");
    ck_assert_str_eq(F(2147483648000LL, 0), "2038-01-19T03:14:08Z");
    /* before 1970: floor, not truncation towards zero */
    ck_assert_str_eq(F(-1, 0), "1969-12-31T23:59:59.999Z");
    ck_assert_str_eq(F(-999, 0), "1969-12-31T23:59:59.001Z");
    ck_assert_str_eq(F(-1000, 0), "1969-12-31T23:59:59Z");
    ck_assert_str_eq(F(-DAY_MS, 0), "1969-12-31T00:00:00Z");
    ck_assert_str_eq(F(-14182940000LL, 0), "1969-07-20T20:17:40Z");
    ck_assert_str_eq(F(0, -300), "1969-12-31T19:00:00-05:00");
    ck_assert_str_eq(F(-2208988800000LL, 0), "1900-01-01T00:00:00Z");
    ck_assert_str_eq(F(YEAR0 + (31 + 28) * DAY_MS, 0), "0000-02-29T00:00:00Z");
}
END_TEST

START_TEST(format_range)
{
    char buf[CX_TIME_FORMAT_MAX];
    /* the ends of years 0000-9999, as printed in the requested offset */
    ck_assert_str_eq(F(YEAR0, 0), "0000-01-01T00:00:00Z");
    ck_assert_str_eq(F(YEAR9999, 0), "9999-12-31T23:59:59.999Z");
    ck_assert_str_eq(F(YEAR0 - 60000, 1), "0000-01-01T00:00:00+00:01");
    ck_assert_str_eq(F(YEAR9999 + 60000, -1), "9999-12-31T23:59:59.999-00:01");
    ck_assert_str_eq(F(YEAR0 + 840 * 60000LL, -840), "0000-01-01T00:00:00-14:00");
    const struct { cx_time t; int off; } out[] = {
        {YEAR0 - 1, 0},
        {YEAR9999 + 1, 0},
        {YEAR0, -1},      /* 31 Dec of year -1 there */
        {YEAR9999, 1},    /* 1 Jan 10000 there */
        {YEAR0 - 2 * DAY_MS, 840},
        {INT64_MAX, 0},
        {INT64_MAX, 60},  /* t + offset must not overflow */
        {INT64_MAX, 840},
        {INT64_MIN + 1, 0},
        {INT64_MIN + 1, -60},
        {INT64_MIN + 1, -840},
    };
    for (size_t i = 0; i < sizeof out / sizeof out[0]; i++) {
        memset(buf, '#', sizeof buf);
        cx_error_clear();
        ck_assert_msg(cx_time_format(buf, sizeof buf, out[i].t, out[i].off) == CX_ERANGE, "case %zu", i);
        ck_assert_int_eq(cx_last_error_code(), CX_ERANGE);
        ck_assert_ptr_nonnull(strstr(cx_last_error(), "outside years 0000-9999"));
        ck_assert_int_eq(buf[0], '#');
    }
}
END_TEST

START_TEST(format_bad_arguments)
{
    char buf[CX_TIME_FORMAT_MAX];
    memset(buf, '#', sizeof buf);
    ck_assert_int_eq(cx_time_format(NULL, 40, 0, 0), CX_EINVAL);
    ck_assert_int_eq(cx_time_format(buf, sizeof buf, CX_TIME_NONE, 0), CX_EINVAL);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "CX_TIME_NONE"));
    const int offsets[] = {841, -841, 1439, -1439, 100000, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof offsets / sizeof offsets[0]; i++) {
        ck_assert_int_eq(cx_time_format(buf, sizeof buf, 0, offsets[i]), CX_ERANGE);
        ck_assert_ptr_nonnull(strstr(cx_last_error(), "offset"));
    }
    ck_assert_int_eq(buf[0], '#');
}
END_TEST

START_TEST(format_buffer_size)
{
    char buf[CX_TIME_FORMAT_MAX];
    /* "2024-01-15T05:00:00Z" is 20 bytes: 21 with the NUL */
    memset(buf, '#', sizeof buf);
    cx_error_clear();
    ck_assert_int_eq(cx_time_format(buf, 20, 1705294800000LL, 0), CX_EBUFSIZE);
    ck_assert_int_eq(cx_last_error_code(), CX_EBUFSIZE);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "needs 21 bytes"));
    ck_assert_int_eq(buf[0], '#'); /* nothing half-written */
    ck_assert_int_eq(cx_time_format(buf, 0, 1705294800000LL, 0), CX_EBUFSIZE);
    ck_assert_int_eq(cx_time_format(buf, 1, 1705294800000LL, 0), CX_EBUFSIZE);
    ck_assert_int_eq(buf[0], '#');
    OK(cx_time_format(buf, 21, 1705294800000LL, 0));
    ck_assert_str_eq(buf, "2024-01-15T05:00:00Z");
    ck_assert_int_eq(buf[21], '#'); /* not a byte beyond */
    /* the longest form: 29 bytes + NUL, well within CX_TIME_FORMAT_MAX */
    ck_assert_int_eq(cx_time_format(buf, 29, YEAR9999 + 60000, -1), CX_EBUFSIZE);
    OK(cx_time_format(buf, 30, YEAR9999 + 60000, -1));
    ck_assert_str_eq(buf, "9999-12-31T23:59:59.999-00:01");
    ck_assert_int_ge(CX_TIME_FORMAT_MAX, 30);
}
END_TEST


START_TEST(format_parse_round_trip)
{
    const int offsets[] = {0, 180, -330, 345, 540, -600, 840, -840, 1, -1, 60, -480};
    uint64_t seed = 7;
    char buf[CX_TIME_FORMAT_MAX];
    const cx_time lo = YEAR0 + DAY_MS, hi = YEAR9999 - DAY_MS; /* any offset fits */
    for (int i = 0; i < 100000; i++) {
        cx_time t;
        switch (i % 4) {
        case 0: t = lo + (cx_time)(splitmix64(&seed) % (uint64_t)(hi - lo)); break;
        case 1: t = (cx_time)(splitmix64(&seed) % (200 * 365 * DAY_MS)) - 100 * 365 * DAY_MS; break; /* near 1970 */
        case 2: t = (cx_time)(splitmix64(&seed) % (400 * 365 * DAY_MS)) / 1000 * 1000; break; /* whole seconds */
        default: t = (cx_time)(splitmix64(&seed) % (10 * DAY_MS)) - 5 * DAY_MS; break; /* around the epoch */
        }
        int off = offsets[i % (sizeof offsets / sizeof offsets[0])];
        EXPECT(cx_time_format(buf, sizeof buf, t, off) == CX_OK, "%s", cx_last_error());
        cx_time back = SENTINEL;
        EXPECT(cx_time_parse(&back, buf, strlen(buf)) == CX_OK, "%s", cx_last_error());
        EXPECT(back == t, "%lld printed as %s read back as %lld", (long long)t, buf, (long long)back);
        /* the same instant in UTC has the same value too */
        char utc[CX_TIME_FORMAT_MAX];
        EXPECT(cx_time_format(utc, sizeof utc, t, 0) == CX_OK, "%s", cx_last_error());
        EXPECT(cx_time_parse(&back, utc, strlen(utc)) == CX_OK && back == t, "%s read back as %lld", utc,
               (long long)back);
    }
}
END_TEST

START_TEST(parse_format_round_trip)
{
    /* canonical texts print back byte for byte in their own offset */
    const struct { const char *text; int off; } texts[] = {
        {"2024-01-15T08:00:00+03:00", 180},
        {"2024-01-14T23:30:00-05:30", -330},
        {"2024-02-29T12:00:00.500Z", 0},
        {"1969-07-20T20:17:40Z", 0},
        {"1900-03-01T00:00:00.001+01:00", 60},
        {"0000-01-01T00:00:00Z", 0},
        {"9999-12-31T23:59:59.999+14:00", 840},
        {"2000-02-29T23:59:59-14:00", -840},
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        ck_assert_str_eq(F(T(texts[i].text), texts[i].off), texts[i].text);
}
END_TEST

/* ---- from calendar fields --------------------------------------------- */

START_TEST(from_utc_values)
{
    cx_time t = SENTINEL;
    OK(cx_time_from_utc(&t, 2024, 1, 15, 5, 0, 0));
    ck_assert_int_eq(t, 1705294800000LL);
    OK(cx_time_from_utc(&t, 1970, 1, 1, 0, 0, 0));
    ck_assert_int_eq(t, 0);
    OK(cx_time_from_utc(&t, 1969, 12, 31, 23, 59, 59));
    ck_assert_int_eq(t, -1000);
    OK(cx_time_from_utc(&t, 1969, 7, 20, 20, 17, 40));
    ck_assert_int_eq(t, -14182940000LL);
    OK(cx_time_from_utc(&t, 2024, 2, 29, 0, 0, 0));
    ck_assert_int_eq(t, 1709164800000LL);
    OK(cx_time_from_utc(&t, 2000, 2, 29, 0, 0, 0));
    ck_assert_int_eq(t, 951782400000LL);
    OK(cx_time_from_utc(&t, 2038, 1, 19, 3, 14, 8));
    ck_assert_int_eq(t, 2147483648000LL);
    OK(cx_time_from_utc(&t, 0, 1, 1, 0, 0, 0));
    ck_assert_int_eq(t, YEAR0);
    OK(cx_time_from_utc(&t, 0, 2, 29, 0, 0, 0));
    ck_assert_int_eq(t, YEAR0 + 59 * DAY_MS);
    OK(cx_time_from_utc(&t, 9999, 12, 31, 23, 59, 59));
    ck_assert_int_eq(t, 253402300799000LL);
    /* agrees with the parser on every day of a leap and a common year */
    for (int y = 2023; y <= 2024; y++)
        for (int m = 1; m <= 12; m++)
            for (int d = 1; d <= 31; d++) {
                char text[32];
                snprintf(text, sizeof text, "%04d-%02d-%02dT13:07:59Z", y, m, d);
                cx_time p = SENTINEL, f = SENTINEL;
                int rp = cx_time_parse(&p, text, strlen(text));
                int rf = cx_time_from_utc(&f, y, m, d, 13, 7, 59);
                ck_assert_msg((rp == CX_OK) == (rf == CX_OK), "%s: parse %d, from_utc %d", text, rp, rf);
                ck_assert_int_eq(p, f);
            }
}
END_TEST

START_TEST(from_utc_range)
{
    const int badf[][6] = {
        {-1, 1, 1, 0, 0, 0},     {10000, 1, 1, 0, 0, 0}, {2024, 0, 1, 0, 0, 0},  {2024, 13, 1, 0, 0, 0},
        {2024, 1, 0, 0, 0, 0},   {2024, 1, 32, 0, 0, 0}, {2023, 2, 29, 0, 0, 0}, {1900, 2, 29, 0, 0, 0},
        {2024, 2, 30, 0, 0, 0},  {2024, 4, 31, 0, 0, 0}, {2024, 11, 31, 0, 0, 0}, {2024, 1, 1, 24, 0, 0},
        {2024, 1, 1, -1, 0, 0},  {2024, 1, 1, 0, 60, 0}, {2024, 1, 1, 0, -1, 0}, {2024, 1, 1, 0, 0, 60},
        {2024, 1, 1, 0, 0, -1},  {INT32_MAX, 1, 1, 0, 0, 0}, {INT32_MIN, 1, 1, 0, 0, 0},
        {2024, INT32_MAX, 1, 0, 0, 0}, {2024, INT32_MIN, 1, 0, 0, 0},
    };
    for (size_t i = 0; i < sizeof badf / sizeof badf[0]; i++) {
        const int *f = badf[i];
        cx_time t = SENTINEL;
        cx_error_clear();
        ck_assert_msg(cx_time_from_utc(&t, f[0], f[1], f[2], f[3], f[4], f[5]) == CX_ERANGE, "case %zu", i);
        ck_assert_int_eq(t, SENTINEL);
        ck_assert_int_eq(cx_last_error_code(), CX_ERANGE);
        ck_assert_ptr_nonnull(strstr(cx_last_error(), "cx_time_from_utc: "));
    }
    cx_error_clear();
    ck_assert_int_eq(cx_time_from_utc(NULL, 2024, 1, 1, 0, 0, 0), CX_EINVAL);
    ck_assert_int_eq(cx_last_error_code(), CX_EINVAL);
    cx_time t;
    OK(cx_time_from_utc(&t, 2023, 2, 28, 23, 59, 59));
    ck_assert_str_eq(cx_last_error(), "cx_time_from_utc: NULL out"); /* success leaves it */
}
END_TEST

int main(void)
{
    Suite *su = suite_create("time");
    TCase *parse = tcase_create("parse");
    tcase_add_test(parse, parse_dates);
    tcase_add_test(parse, parse_date_times);
    tcase_add_test(parse, parse_fractions);
    tcase_add_test(parse, parse_offsets);
    tcase_add_test(parse, parse_before_1970);
    tcase_add_test(parse, parse_leap_years);
    tcase_add_test(parse, parse_bad_input);
    tcase_add_test(parse, parse_len_not_covering_text);
    tcase_add_test(parse, parse_null_arguments);
    tcase_add_test(parse, success_keeps_previous_error);
    suite_add_tcase(su, parse);
    TCase *format = tcase_create("format");
    tcase_set_timeout(format, 120);
    tcase_add_test(format, format_values);
    tcase_add_test(format, format_range);
    tcase_add_test(format, format_bad_arguments);
    tcase_add_test(format, format_buffer_size);
    tcase_add_test(format, format_parse_round_trip);
    tcase_add_test(format, parse_format_round_trip);
    suite_add_tcase(su, format);
    TCase *civil = tcase_create("from_utc");
    tcase_add_test(civil, from_utc_values);
    tcase_add_test(civil, from_utc_range);
    suite_add_tcase(su, civil);
    return run_suite(su);
}

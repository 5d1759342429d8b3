/*
 * ISO-8601 parsing and printing of cx_time (milliseconds since the Unix
 * epoch, UTC), on the proleptic Gregorian calendar.
 */
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "cxkit/time.h"

static bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int cxi_days_in_month(int64_t y, int m)
{
    static const int d[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : d[m - 1];
}

/* Days since 1970-01-01 of a civil date, counting in 400-year eras of
 * 146097 days whose years start in March (so the leap day ends the year). */
int64_t cxi_days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t mp = (m + 9) % 12; /* March = 0 */
    int64_t doy = (153 * mp + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void cxi_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    *d = (int)(doy - (153 * mp + 2) / 5 + 1);
    *m = (int)(mp < 10 ? mp + 3 : mp - 9);
    *y = yoe + era * 400 + (*m <= 2);
}

/* Reads exactly n digits at text[*pos]. */
static bool digits(const char *text, size_t len, size_t *pos, int n, int *out)
{
    int v = 0;
    if (*pos + (size_t)n > len)
        return false;
    for (int i = 0; i < n; i++) {
        char c = text[*pos + (size_t)i];
        if (c < '0' || c > '9')
            return false;
        v = v * 10 + (c - '0');
    }
    *pos += (size_t)n;
    *out = v;
    return true;
}

static int perr(size_t pos, const char *why)
{
    return cxi_fail(CX_EPARSE, "cx_time_parse: at byte %zu: %s", pos, why);
}

int cx_time_parse(cx_time *out, const char *text, size_t len)
{
    if (!out || !text)
        return cxi_fail(CX_EINVAL, "cx_time_parse: NULL argument");
    size_t pos = 0;
    int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
    if (!digits(text, len, &pos, 4, &y))
        return perr(pos, "expected a four-digit year");
    if (pos >= len || text[pos] != '-')
        return perr(pos, "expected '-' after the year");
    pos++;
    if (!digits(text, len, &pos, 2, &mo))
        return perr(pos, "expected a two-digit month");
    if (pos >= len || text[pos] != '-')
        return perr(pos, "expected '-' after the month");
    pos++;
    if (!digits(text, len, &pos, 2, &d))
        return perr(pos, "expected a two-digit day");
    if (mo < 1 || mo > 12)
        return perr(5, "month out of range 01-12");
    if (d < 1 || d > cxi_days_in_month(y, mo))
        return perr(8, "day out of range for that month");
    int offset = 0;
    if (pos < len) {
        char sep = text[pos];
        if (sep != 'T' && sep != 't' && sep != ' ')
            return perr(pos, "expected 'T' or ' ' between date and time");
        pos++;
        if (!digits(text, len, &pos, 2, &h))
            return perr(pos, "expected a two-digit hour");
        if (pos >= len || text[pos] != ':')
            return perr(pos, "expected ':' after the hour");
        pos++;
        if (!digits(text, len, &pos, 2, &mi))
            return perr(pos, "expected two-digit minutes");
        if (pos < len && text[pos] == ':') {
            pos++;
            if (!digits(text, len, &pos, 2, &s))
                return perr(pos, "expected two-digit seconds");
            if (pos < len && (text[pos] == '.' || text[pos] == ',')) {
                pos++;
                size_t start = pos;
                int scale = 100;
                while (pos < len && text[pos] >= '0' && text[pos] <= '9') {
                    ms += (text[pos] - '0') * scale;
                    scale /= 10;
                    pos++;
                }
                if (pos == start)
                    return perr(pos, "expected digits after the decimal point");
            }
        }
        if (h > 23)
            return perr(pos, "hour out of range 00-23");
        if (mi > 59)
            return perr(pos, "minutes out of range 00-59");
        if (s > 59)
            return perr(pos, "seconds out of range 00-59");
        if (pos < len) {
            char z = text[pos];
            if (z == 'Z' || z == 'z') {
                pos++;
            } else if (z == '+' || z == '-') {
                int oh, om = 0;
                size_t at = pos;
                pos++;
                if (!digits(text, len, &pos, 2, &oh))
                    return perr(pos, "expected a two-digit offset hour");
                if (pos < len && text[pos] == ':') {
                    pos++;
                    if (!digits(text, len, &pos, 2, &om))
                        return perr(pos, "expected two-digit offset minutes");
                } else if (pos < len) {
                    if (!digits(text, len, &pos, 2, &om))
                        return perr(pos, "expected two-digit offset minutes");
                }
                if (om > 59 || !cxi_offset_ok(oh * 60 + om))
                    return perr(at, "UTC offset out of range (beyond +-14:00)");
                offset = (oh * 60 + om) * (z == '-' ? -1 : 1);
            } else {
                return perr(pos, "expected 'Z' or a UTC offset");
            }
        }
        if (pos != len)
            return perr(pos, "unexpected text after the time");
    }
    int64_t days = cxi_days_from_civil(y, mo, d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - (int64_t)offset * 60;
    *out = secs * 1000 + ms;
    return CX_OK;
}

int cx_time_format(char *buf, size_t cap, cx_time t, int offset_minutes)
{
    if (!buf)
        return cxi_fail(CX_EINVAL, "cx_time_format: NULL buffer");
    if (t == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "cx_time_format: CX_TIME_NONE has no text");
    if (!cxi_offset_ok(offset_minutes))
        return cxi_fail(CX_ERANGE, "cx_time_format: offset %d minutes is outside %d..%d", offset_minutes,
                        -CX_UTC_OFFSET_MAX, CX_UTC_OFFSET_MAX);
    /* years 0000-9999 */
    static const int64_t lo = CXI_TIME_MIN, hi = CXI_TIME_MAX;
    /* t is checked before the offset is added: near INT64_MAX/MIN the sum
     * would overflow */
    int64_t local = t < lo - CXI_MS_PER_DAY || t > hi + CXI_MS_PER_DAY ? lo - 1 : t + (int64_t)offset_minutes * 60000;
    if (local < lo || local > hi)
        return cxi_fail(CX_ERANGE, "cx_time_format: time %lld is outside years 0000-9999", (long long)t);
    int64_t days = cxi_floordiv(local, CXI_MS_PER_DAY);
    int64_t msday = local - days * CXI_MS_PER_DAY;
    int64_t y;
    int mo, d;
    cxi_civil_from_days(days, &y, &mo, &d);
    int h = (int)(msday / 3600000), mi = (int)(msday / 60000 % 60), s = (int)(msday / 1000 % 60);
    int ms = (int)(msday % 1000);
    char tmp[CX_TIME_FORMAT_MAX];
    int n = snprintf(tmp, sizeof tmp, "%04d-%02d-%02dT%02d:%02d:%02d", (int)y, mo, d, h, mi, s);
    if (ms)
        n += snprintf(tmp + n, sizeof tmp - (size_t)n, ".%03d", ms);
    if (offset_minutes == 0) {
        n += snprintf(tmp + n, sizeof tmp - (size_t)n, "Z");
    } else {
        int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
        n += snprintf(tmp + n, sizeof tmp - (size_t)n, "%c%02d:%02d", offset_minutes < 0 ? '-' : '+',
                      a / 60, a % 60);
    }
    if ((size_t)n + 1 > cap)
        return cxi_fail(CX_EBUFSIZE, "cx_time_format: needs %d bytes, buffer has %zu", n + 1, cap);
    memcpy(buf, tmp, (size_t)n + 1);
    return CX_OK;
}

int cx_time_from_utc(cx_time *out, int year, int month, int day, int hour, int min, int sec)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_time_from_utc: NULL out");
    if (year < 0 || year > 9999 || month < 1 || month > 12 || day < 1 ||
        day > cxi_days_in_month(year, month) || hour < 0 || hour > 23 || min < 0 || min > 59 ||
        sec < 0 || sec > 59)
        return cxi_fail(CX_ERANGE, "cx_time_from_utc: %04d-%02d-%02d %02d:%02d:%02d is not a valid time",
                        year, month, day, hour, min, sec);
    *out = (cxi_days_from_civil(year, month, day) * 86400 + hour * 3600 + min * 60 + sec) * 1000;
    return CX_OK;
}

/* ---- time buckets ------------------------------------------------------ */

const char *const cxi_bucket_names[CXI_BUCKET_COUNT] = {"day", "week", "month", "quarter", "year"};

cx_time cxi_bucket_start(cx_time t, int bucket, int offset)
{
    /* times past about 36 million years from 1970 are bucketed at that
     * bound, so that no arithmetic below can overflow */
    const int64_t bound = (int64_t)1 << 60;
    t = t > bound ? bound : t < -bound ? -bound : t;
    int64_t off = (int64_t)offset * CXI_MS_PER_MINUTE;
    int64_t days = cxi_floordiv(t + off, CXI_MS_PER_DAY);
    int64_t y;
    int m, d;
    switch (bucket) {
    case CX_BUCKET_DAY:
        break;
    case CX_BUCKET_WEEK:
        days -= (days + 3) - cxi_floordiv(days + 3, 7) * 7; /* back to Monday (1970-01-01 was a Thursday) */
        break;
    default:
        cxi_civil_from_days(days, &y, &m, &d);
        if (bucket == CX_BUCKET_MONTH)
            days = cxi_days_from_civil(y, m, 1);
        else if (bucket == CX_BUCKET_QUARTER)
            days = cxi_days_from_civil(y, (m - 1) / 3 * 3 + 1, 1);
        else
            days = cxi_days_from_civil(y, 1, 1);
        break;
    }
    return days * CXI_MS_PER_DAY - off;
}

void cxi_bucket_label(char *buf, size_t cap, cx_time start, int bucket, int offset)
{
    int64_t days = cxi_floordiv(start + (int64_t)offset * CXI_MS_PER_MINUTE, CXI_MS_PER_DAY);
    int64_t y;
    int m, d;
    cxi_civil_from_days(days, &y, &m, &d);
    switch (bucket) {
    case CX_BUCKET_DAY:
        snprintf(buf, cap, "%04lld-%02d-%02d", (long long)y, m, d);
        break;
    case CX_BUCKET_WEEK: {
        /* the ISO year is the year of the week's Thursday */
        int64_t thu = days + 3, ty;
        int tm, td;
        cxi_civil_from_days(thu, &ty, &tm, &td);
        int64_t week = (thu - cxi_days_from_civil(ty, 1, 1)) / 7 + 1;
        snprintf(buf, cap, "%04lld-W%02lld", (long long)ty, (long long)week);
        break;
    }
    case CX_BUCKET_MONTH:
        snprintf(buf, cap, "%04lld-%02d", (long long)y, m);
        break;
    case CX_BUCKET_QUARTER:
        snprintf(buf, cap, "%04lld-Q%d", (long long)y, (m - 1) / 3 + 1);
        break;
    default:
        snprintf(buf, cap, "%04lld", (long long)y);
        break;
    }
}

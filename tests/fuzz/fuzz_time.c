/* libFuzzer target (issue 15): ISO-8601 times. The input is parsed by
 * cx_time_parse(); a time it accepts must print with cx_time_format() in
 * any offset and parse back to the same instant. The first 10 bytes also
 * give a time and an offset, for the property format -> parse = identity
 * over every time cx_time_format() accepts; cx_time_from_utc() must agree
 * with parsing the fields it is given. */
#include "fuzz_util.h"

static void round_trip(cx_time t, int offset)
{
    char buf[CX_TIME_FORMAT_MAX];
    int rc = cx_time_format(buf, sizeof buf, t, offset);
    if (rc == CX_ERANGE || (rc == CX_EINVAL && t == CX_TIME_NONE))
        return;
    if (rc != CX_OK)
        fz_fail("cx_time_format(%lld, %d) failed with %d", (long long)t, offset, rc);
    cx_time back = 0;
    if (cx_time_parse(&back, buf, strlen(buf)) != CX_OK)
        fz_fail("cx_time_parse does not read back '%s'", buf);
    if (back != t)
        fz_fail("'%s' reads back as %lld, not %lld", buf, (long long)back, (long long)t);
    char small[8];
    if (cx_time_format(small, sizeof small, t, offset) != CX_EBUFSIZE)
        fz_fail("cx_time_format wrote '%s' into 8 bytes", buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_time t = 12345;
    int rc = cx_time_parse(&t, (const char *)data, size);
    if (rc == CX_OK) {
        if (size < 10)
            fz_fail("a time of %zu bytes was accepted", size);
        for (int off = -CX_UTC_OFFSET_MAX; off <= CX_UTC_OFFSET_MAX; off += 105)
            round_trip(t, off);
        round_trip(t, 0);
        /* the date alone, parsed again, is the start of that UTC day when the text had no offset */
    } else {
        if (rc != CX_EPARSE)
            fz_fail("cx_time_parse returned %d, not CX_EPARSE", rc);
        if (t != 12345)
            fz_fail("a failed cx_time_parse wrote its out-parameter");
        if (!*cx_last_error())
            fz_fail("a failed cx_time_parse left no message");
    }

    fz_in in = {data, size};
    cx_time any = (cx_time)fz_u64(&in);
    int off = (int)(int16_t)(fz_u8(&in) << 8 | fz_u8(&in));
    round_trip(any, off);
    /* a time within years 0000-9999 (the range cx_time_format accepts) */
    const int64_t lo = -62167219200000LL, span = 253402300800000LL - lo;
    round_trip(lo + (int64_t)((uint64_t)any % (uint64_t)span), off % (CX_UTC_OFFSET_MAX + 1));

    /* cx_time_from_utc against the parser */
    int y = (int)(fz_u32(&in) % 10001), mo = (int)fz_u8(&in) % 14, d = (int)fz_u8(&in) % 33;
    int h = (int)fz_u8(&in) % 25, mi = (int)fz_u8(&in) % 61, s = (int)fz_u8(&in) % 61;
    cx_time a = 0, b = 0;
    char txt[64];
    snprintf(txt, sizeof txt, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, mo, d, h, mi, s);
    int ra = cx_time_from_utc(&a, y, mo, d, h, mi, s), rb = cx_time_parse(&b, txt, strlen(txt));
    if ((ra == CX_OK) != (rb == CX_OK) || (ra == CX_OK && a != b))
        fz_fail("cx_time_from_utc (%d, %lld) and cx_time_parse('%s') (%d, %lld) disagree", ra, (long long)a, txt,
                rb, (long long)b);
    return 0;
}

/* libFuzzer target (issue 15): every other text the public API reads: ids,
 * names and attribute text checked for UTF-8 (cx_customer_add,
 * cx_customer_set_attribute, cx_vocab_define, cx_touchpoint_add), names
 * looked up (cx_column_find, cx_vocab_find, cx_store_find), query filters
 * and attribute groupings, pseudonyms. The input is split at 0 bytes into
 * texts. Checked against a reference UTF-8 validator written here (RFC
 * 3629: no overlong forms, surrogates or code points beyond U+10FFFF):
 * valid non-empty text is accepted and reads back byte for byte, anything
 * else is refused with CX_EINVAL and leaves the store unchanged. */
#include "fuzz_util.h"

static int utf8_ok(const unsigned char *s)
{
    while (*s) {
        unsigned c = *s, n, cp, min;
        if (c < 0x80) {
            s++;
            continue;
        }
        if (c >= 0xC2 && c <= 0xDF)
            n = 1, cp = c & 0x1F, min = 0x80;
        else if (c >= 0xE0 && c <= 0xEF)
            n = 2, cp = c & 0x0F, min = 0x800;
        else if (c >= 0xF0 && c <= 0xF4)
            n = 3, cp = c & 0x07, min = 0x10000;
        else
            return 0;
        for (unsigned k = 1; k <= n; k++) {
            if ((s[k] & 0xC0) != 0x80)
                return 0;
            cp = cp << 6 | (s[k] & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return 0;
        s += n + 1;
    }
    return 1;
}

static int good(const char *s) { return *s && utf8_ok((const unsigned char *)s); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fz_in in = {data, size};
    unsigned sel = fz_u8(&in);
    char *t[6];
    for (int i = 0; i < 6; i++)
        t[i] = fz_str(&in, 256);
    cx_store *s = NULL;
    if (cx_store_new(&s) != CX_OK)
        abort();
    uint64_t d0 = fz_store_digest(s);

    /* a customer: id, segment, region, plan */
    const char *seg = (sel & 1) ? t[1] : NULL, *reg = (sel & 2) ? t[2] : NULL, *plan = (sel & 4) ? t[3] : NULL;
    int rc = cx_customer_add(s, t[0], seg, reg, plan, CX_TIME_NONE);
    int want = good(t[0]) && (!seg || good(seg)) && (!reg || good(reg)) && (!plan || good(plan));
    if ((rc == CX_OK) != want)
        fz_fail("cx_customer_add('%s', ...) returned %d", t[0], rc);
    if (rc != CX_OK) {
        if (fz_store_digest(s) != d0)
            fz_fail("a refused customer changed the store");
    } else {
        size_t row = 9;
        const char *back = NULL;
        if (cx_store_find(&row, s, CX_TABLE_CUSTOMERS, t[0]) != CX_OK || row != 0 ||
            cx_store_get_string(&back, s, CX_TABLE_CUSTOMERS, 0, 0) != CX_OK || strcmp(back, t[0]) != 0)
            fz_fail("customer '%s' does not read back", t[0]);
        if (cx_customer_add(s, t[0], NULL, NULL, NULL, CX_TIME_NONE) != CX_EEXISTS)
            fz_fail("customer '%s' added twice", t[0]);
        /* an attribute: key t[4], value t[5] */
        uint64_t d1 = fz_store_digest(s);
        rc = cx_customer_set_attribute(s, t[0], t[4], t[5]);
        int ok = good(t[4]) && utf8_ok((unsigned char *)t[5]);
        if (rc == CX_OK) {
            const char *v = NULL;
            if (cx_customer_get_attribute(&v, s, t[0], t[4]) != CX_OK || !v || strcmp(v, t[5]) != 0)
                fz_fail("attribute '%s' does not read back", t[4]);
            /* group and filter by it */
            cx_query *q = NULL;
            cx_result *r = NULL;
            if (cx_query_new(&q, s) != CX_OK || cx_query_add(q, CX_MEASURE_NPS) != CX_OK ||
                cx_query_group_by_attribute(q, t[4]) != CX_OK)
                fz_fail("cannot group by attribute '%s'", t[4]);
            rc = cx_query_filter_attribute(q, t[4], t[5]);
            if ((rc == CX_OK) != utf8_ok((unsigned char *)t[5]))
                fz_fail("cx_query_filter_attribute(%s) returned %d", t[5], rc);
            if (cx_query_run(&r, q) != CX_OK)
                fz_fail("a query grouped by an attribute fails");
            cx_result_free(r);
            cx_query_free(q);
        } else if (ok && rc != CX_EINVAL) {
            fz_fail("cx_customer_set_attribute('%s', '%s') returned %d", t[4], t[5], rc);
        } else if (fz_store_digest(s) != d1) {
            fz_fail("a refused attribute changed the store");
        }
    }

    /* a channel, then a touchpoint on it */
    size_t idx = 99, found = 98;
    rc = cx_vocab_define(&idx, s, CX_VOCAB_CHANNEL, t[1]);
    if ((rc == CX_OK) != good(t[1]) && !(rc == CX_EINVAL && good(t[1])))
        fz_fail("cx_vocab_define('%s') returned %d", t[1], rc);
    if (rc == CX_OK) {
        const char *name = NULL;
        if (cx_vocab_find(&found, s, CX_VOCAB_CHANNEL, t[1]) != CX_OK || found != idx ||
            cx_vocab_name(&name, s, CX_VOCAB_CHANNEL, idx) != CX_OK || strcmp(name, t[1]) != 0)
            fz_fail("channel '%s' does not read back", t[1]);
        rc = cx_touchpoint_add(s, t[2], t[1], "service", NULL, sel >> 3 & 1, 1.0);
        if ((rc == CX_OK) != good(t[2]))
            fz_fail("cx_touchpoint_add('%s') returned %d", t[2], rc);
        cx_query *q = NULL;
        cx_result *r = NULL;
        cx_query_new(&q, s);
        cx_query_add(q, CX_MEASURE_CSAT);
        cx_query_group_by(q, CX_DIM_CHANNEL);
        rc = cx_query_filter(q, (cx_dim)(sel >> 4 & 7), t[3]);
        if (rc == CX_OK) {
            rc = cx_query_run(&r, q);
            if (rc != CX_OK && rc != CX_EINVAL && rc != CX_ENOTFOUND)
                fz_fail("a filtered query returned %d", rc);
        }
        cx_result_free(r);
        cx_query_free(q);
    } else {
        (void)cx_vocab_find(&found, s, CX_VOCAB_CHANNEL, t[1]);
    }

    /* column names */
    for (int tab = 0; tab < CX_TABLE_COUNT; tab++) {
        int col = -1;
        const char *name = NULL;
        if (cx_column_find(&col, (cx_table)tab, t[3]) == CX_OK &&
            (cx_column_name(&name, (cx_table)tab, col) != CX_OK || strcmp(name, t[3]) != 0))
            fz_fail("column '%s' of table %d found as %d", t[3], tab, col);
    }
    (void)cx_store_find(&found, s, (cx_table)(sel % CX_TABLE_COUNT), t[5]);

    /* pseudonyms: 32 hex digits, the same twice, of valid text only */
    char p1[CX_PSEUDONYM_SIZE], p2[CX_PSEUDONYM_SIZE];
    size_t klen = strlen(t[4]);
    rc = cx_pseudonym(p1, t[4], klen, t[5]);
    if (rc == CX_OK) {
        if (strlen(p1) != 32 || strspn(p1, "0123456789abcdef") != 32)
            fz_fail("pseudonym '%s'", p1);
        if (cx_pseudonym(p2, t[4], klen, t[5]) != CX_OK || strcmp(p1, p2) != 0)
            fz_fail("two pseudonyms of one value differ");
    }
    cx_store_free(s);
    for (int i = 0; i < 6; i++)
        free(t[i]);
    return 0;
}

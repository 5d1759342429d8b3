/* libFuzzer target (issue 15): result deserialisation, merge and
 * re-serialisation. The input is read by cx_result_deserialize(); a result
 * it accepts must serialise, read back and serialise again to the same
 * bytes; every cell must be readable by the getter of its column's type;
 * merged with itself (and with its copy), the merge either fails cleanly or
 * gives a result that serialises stably and counts twice as much. */
#include "fuzz_util.h"
#include <math.h>

static uint8_t *serialize(size_t *len, const cx_result *r)
{
    size_t need = 0;
    int rc = cx_result_serialize(&need, r, NULL, 0);
    if (rc != CX_EBUFSIZE && rc != CX_OK)
        fz_fail("cx_result_serialize could not size a result (%d)", rc);
    uint8_t *buf = malloc(need ? need : 1);
    if (!buf)
        abort();
    if (need > 0 && cx_result_serialize(len, r, buf, need - 1) != CX_EBUFSIZE)
        fz_fail("cx_result_serialize wrote %zu bytes into %zu", need, need - 1);
    if (cx_result_serialize(len, r, buf, need) != CX_OK || *len != need)
        fz_fail("cx_result_serialize failed with the size it asked for");
    return buf;
}

/* serialise -> deserialise -> serialise gives the same bytes; returns them */
static uint8_t *stable(size_t *len, const cx_result *r, const char *what)
{
    uint8_t *a = serialize(len, r);
    cx_result *back = NULL;
    int rc = cx_result_deserialize(&back, a, *len);
    if (rc != CX_OK)
        fz_fail("the serialisation of a %s does not read back (%d)", what, rc);
    size_t len2 = 0;
    uint8_t *b = serialize(&len2, back);
    if (len2 != *len || memcmp(a, b, *len) != 0)
        fz_fail("the serialisation of a %s changes when read back and written again", what);
    cx_result_free(back);
    free(b);
    return a;
}

static void read_all(const cx_result *r)
{
    size_t rows = cx_result_row_count(r), cols = cx_result_column_count(r);
    for (size_t c = 0; c < cols; c++) {
        const char *name = NULL;
        int type = 0;
        size_t found = 0;
        if (cx_result_column_name(&name, r, c) != CX_OK || !name || cx_result_column_type(&type, r, c) != CX_OK)
            fz_fail("column %zu unreadable", c);
        if (cx_result_column_find(&found, r, name) != CX_OK)
            fz_fail("column '%s' not found by name", name);
        for (size_t row = 0; row < rows; row++) {
            const char *s = NULL;
            int64_t i = 0;
            double d = 0;
            int rs = cx_result_get_string(&s, r, row, c), ri = cx_result_get_int(&i, r, row, c),
                rd = cx_result_get_real(&d, r, row, c);
            if (type == CX_TYPE_STRING && rs != CX_OK)
                fz_fail("text cell %zu,%zu unreadable", row, c);
            if ((type == CX_TYPE_INT || type == CX_TYPE_TIME) && ri != CX_OK)
                fz_fail("integer cell %zu,%zu unreadable (%d)", row, c, ri);
            if (type == CX_TYPE_REAL && rd != CX_OK)
                fz_fail("real cell %zu,%zu unreadable", row, c);
            if (s)
                (void)strlen(s);
        }
    }
    if (cx_result_get_int(NULL, r, 0, 0) != CX_EINVAL)
        fz_fail("cx_result_get_int accepted a NULL out");
    for (size_t row = 0; row < rows && row < 4; row++)
        for (int m = 0; m < CX_MEASURE_COUNT + 2; m++) {
            double q = 0;
            cx_result_quantile(&q, r, row, (cx_measure)m, 0.5);
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    cx_result *r = (cx_result *)&r;
    int rc = cx_result_deserialize(&r, data, size);
    if (rc != CX_OK) {
        if (r)
            fz_fail("a failed cx_result_deserialize (%d) set its out-parameter", rc);
        if (rc != CX_EPARSE && rc != CX_EVERSION)
            fz_fail("cx_result_deserialize returned %d for bad bytes", rc);
        return 0;
    }
    read_all(r);
    size_t len = 0;
    free(stable(&len, r, "deserialised result"));

    cx_result *m = (cx_result *)&m;
    rc = cx_result_merge(&m, r, r);
    if (rc == CX_OK) {
        read_all(m);
        free(stable(&len, m, "merged result"));
        if (cx_result_row_count(m) != cx_result_row_count(r))
            fz_fail("a result merged with itself has %zu rows, not %zu", cx_result_row_count(m),
                    cx_result_row_count(r));
        /* merging is associative on counts: (r+r)+r and r+(r+r) serialise alike */
        cx_result *a = NULL, *b = NULL;
        int ra = cx_result_merge(&a, m, r), rb = cx_result_merge(&b, r, m);
        if ((ra == CX_OK) != (rb == CX_OK))
            fz_fail("(r+r)+r gives %d, r+(r+r) %d", ra, rb);
        if (ra == CX_OK) {
            size_t la = 0, lb = 0;
            uint8_t *sa = stable(&la, a, "merge of three");
            uint8_t *sb = stable(&lb, b, "merge of three");
            if (cx_result_row_count(a) != cx_result_row_count(b))
                fz_fail("(r+r)+r and r+(r+r) differ in rows");
            free(sa);
            free(sb);
        }
        cx_result_free(a);
        cx_result_free(b);
        cx_result_free(m);
    } else {
        if (m)
            fz_fail("a failed cx_result_merge (%d) set its out-parameter", rc);
        if (rc != CX_ERANGE && rc != CX_EINVAL && rc != CX_ELIMIT)
            fz_fail("cx_result_merge of a result with itself returned %d", rc);
    }
    cx_result_free(r);
    return 0;
}

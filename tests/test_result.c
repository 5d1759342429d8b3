/* Tests of the one result table (src/table) and the shared CSV and JSON
 * writers (src/base/write.c): the builder, the public getters and their
 * errors, growing a table and building one when the allocator refuses, the
 * byte-exact CSV and JSON export of awkward text and numbers, export errors,
 * the query-only calls refusing other results, and the period labels. */
#include "cx_test.h"

#include <jansson.h>

#include "../src/base/base.h"
#include "../src/table/table.h"

/* ---- helpers ------------------------------------------------------------ */

/* A table from the test allocator `a` (cxt_alloc_fn), failing the test when
 * it cannot be made. */
static cx_result *table_from(cxt_alloc *a, size_t rows, size_t ncols, const char *const *names, const int *types)
{
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, a);
    cx_result *r = NULL;
    OK(cxi_result_new(&r, &m, rows, ncols, names, types));
    return r;
}

/* The four types side by side, with a few cells set. */
static const char *const mixed_names[] = {"label", "count", "share", "when"};
static const int mixed_types[] = {CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_REAL, CX_TYPE_TIME};

static cx_result *mixed_table(cxt_alloc *a)
{
    cx_result *r = table_from(a, 3, 4, mixed_names, mixed_types);
    OK(cxi_result_set_text(r, 0, 0, "alpha"));
    OK(cxi_result_set_str(r, 0, 1, "beta-not-this", 4)); /* "beta" */
    cxi_result_set_int(r, 1, 0, 7);
    cxi_result_set_int(r, 1, 2, -3);
    cxi_result_set_real(r, 2, 0, 0.5);
    cxi_result_set_real(r, 2, 1, NAN);
    cxi_result_set_time(r, 3, 0, T("2024-05-01T00:00:00Z"));
    return r;
}

/* ---- getters ------------------------------------------------------------ */

START_TEST(test_getters)
{
    cxt_alloc a = {0};
    cx_result *r = mixed_table(&a);
    ck_assert_uint_eq(cx_result_row_count(r), 3);
    ck_assert_uint_eq(cx_result_column_count(r), 4);
    ck_assert_uint_eq(cx_result_row_count(NULL), 0);
    ck_assert_uint_eq(cx_result_column_count(NULL), 0);

    for (size_t c = 0; c < 4; c++) {
        const char *name = NULL;
        int type = -1;
        size_t found = 99;
        OK(cx_result_column_name(&name, r, c));
        ck_assert_str_eq(name, mixed_names[c]);
        OK(cx_result_column_type(&type, r, c));
        ck_assert_int_eq(type, mixed_types[c]);
        OK(cx_result_column_find(&found, r, mixed_names[c]));
        ck_assert_uint_eq(found, c);
    }
    size_t found = 99;
    FAILS(cx_result_column_find(&found, r, "Label"), CX_ENOTFOUND, "cx_result_column_find");
    MSG_HAS("Label");
    ck_assert_uint_eq(found, 99); /* a failed call leaves *out alone */
    FAILS(cx_result_column_find(&found, r, ""), CX_ENOTFOUND, "cx_result_column_find");

    /* the cells, and the missing ones */
    ck_assert_str_eq(result_str(r, 0, "label"), "alpha");
    ck_assert_str_eq(result_str(r, 1, "label"), "beta");
    ck_assert_ptr_null(result_str(r, 2, "label"));
    ck_assert_int_eq(result_int(r, 0, "count"), 7);
    ck_assert_int_eq(result_int(r, 1, "count"), 0);
    ck_assert_int_eq(result_int(r, 2, "count"), -3);
    ck_assert(result_real(r, 0, "share") == 0.5);
    ck_assert(isnan(result_real(r, 1, "share")));
    ck_assert(result_real(r, 2, "share") == 0.0);
    ck_assert(result_real(r, 2, "count") == -3.0); /* an integer read as a real */
    ck_assert_int_eq(result_int(r, 0, "when"), T("2024-05-01T00:00:00Z"));
    ck_assert_int_eq(result_int(r, 1, "when"), CX_TIME_NONE);
    ck_assert(result_real(r, 0, "when") == (double)T("2024-05-01T00:00:00Z"));
    ck_assert(isnan(result_real(r, 1, "when"))); /* a missing time is NaN, not -2^63 */

    /* the wrong getter for the column's type */
    const char *s = "untouched";
    int64_t i = 42;
    double d = 4.5;
    FAILS(cx_result_get_string(&s, r, 0, 1), CX_EINVAL, "cx_result_get_string");
    MSG_HAS("count");
    FAILS(cx_result_get_string(&s, r, 0, 3), CX_EINVAL, "cx_result_get_string");
    FAILS(cx_result_get_int(&i, r, 0, 2), CX_EINVAL, "cx_result_get_int");
    MSG_HAS("share");
    FAILS(cx_result_get_int(&i, r, 0, 0), CX_EINVAL, "cx_result_get_int");
    FAILS(cx_result_get_real(&d, r, 0, 0), CX_EINVAL, "cx_result_get_real");
    MSG_HAS("label");
    ck_assert_str_eq(s, "untouched");
    ck_assert_int_eq(i, 42);
    ck_assert(d == 4.5);

    /* rows and columns out of range */
    FAILS(cx_result_get_string(&s, r, 3, 0), CX_ERANGE, "cx_result_get_string");
    FAILS(cx_result_get_int(&i, r, 0, 4), CX_ERANGE, "cx_result_get_int");
    FAILS(cx_result_get_int(&i, r, SIZE_MAX, 1), CX_ERANGE, "cx_result_get_int");
    FAILS(cx_result_get_real(&d, r, 3, 2), CX_ERANGE, "cx_result_get_real");
    FAILS(cx_result_get_real(&d, r, 0, SIZE_MAX), CX_ERANGE, "cx_result_get_real");
    const char *name = "untouched";
    int type = 77;
    FAILS(cx_result_column_name(&name, r, 4), CX_ERANGE, "cx_result_column_name");
    FAILS(cx_result_column_type(&type, r, 4), CX_ERANGE, "cx_result_column_type");
    ck_assert_str_eq(name, "untouched");
    ck_assert_int_eq(type, 77);

    /* NULL arguments */
    FAILS(cx_result_column_name(NULL, r, 0), CX_EINVAL, "cx_result_column_name");
    FAILS(cx_result_column_name(&name, NULL, 0), CX_EINVAL, "cx_result_column_name");
    FAILS(cx_result_column_type(NULL, r, 0), CX_EINVAL, "cx_result_column_type");
    FAILS(cx_result_column_type(&type, NULL, 0), CX_EINVAL, "cx_result_column_type");
    FAILS(cx_result_column_find(NULL, r, "label"), CX_EINVAL, "cx_result_column_find");
    FAILS(cx_result_column_find(&found, NULL, "label"), CX_EINVAL, "cx_result_column_find");
    FAILS(cx_result_column_find(&found, r, NULL), CX_EINVAL, "cx_result_column_find");
    FAILS(cx_result_get_string(NULL, r, 0, 0), CX_EINVAL, "cx_result_get_string");
    FAILS(cx_result_get_string(&s, NULL, 0, 0), CX_EINVAL, "cx_result_get_string");
    FAILS(cx_result_get_int(NULL, r, 0, 1), CX_EINVAL, "cx_result_get_int");
    FAILS(cx_result_get_int(&i, NULL, 0, 1), CX_EINVAL, "cx_result_get_int");
    FAILS(cx_result_get_real(NULL, r, 0, 2), CX_EINVAL, "cx_result_get_real");
    FAILS(cx_result_get_real(&d, NULL, 0, 2), CX_EINVAL, "cx_result_get_real");

    cx_result_free(r);
    cx_result_free(NULL);
    cxt_alloc_done(&a);
}
END_TEST

/* The bulk column readers give what the cell getters give, for any span of
 * rows, and refuse what those refuse without writing anything. */
START_TEST(test_column_readers)
{
    cxt_alloc a = {0};
    cx_result *r = mixed_table(&a);
    double d[4] = {9, 9, 9, 9};
    int64_t i[4] = {9, 9, 9, 9};
    const char *s[4] = {"x", "x", "x", "x"};

    OK(cx_result_column_reals(d, r, 2, 0, 3));
    ck_assert(d[0] == 0.5 && isnan(d[1]) && d[2] == 0.0 && d[3] == 9);
    OK(cx_result_column_reals(d, r, 1, 1, 2)); /* integers as reals, from row 1 */
    ck_assert(d[0] == 0.0 && d[1] == -3.0 && d[2] == 0.0);
    OK(cx_result_column_reals(d, r, 3, 0, 2)); /* a missing time is NaN */
    ck_assert(d[0] == (double)T("2024-05-01T00:00:00Z") && isnan(d[1]));
    OK(cx_result_column_ints(i, r, 1, 0, 3));
    ck_assert(i[0] == 7 && i[1] == 0 && i[2] == -3 && i[3] == 9);
    OK(cx_result_column_ints(i, r, 3, 0, 3));
    ck_assert(i[0] == T("2024-05-01T00:00:00Z") && i[1] == CX_TIME_NONE && i[2] == CX_TIME_NONE);
    OK(cx_result_column_strings(s, r, 0, 0, 3));
    ck_assert_str_eq(s[0], "alpha");
    ck_assert_str_eq(s[1], "beta");
    ck_assert_ptr_null(s[2]);
    ck_assert_str_eq(s[3], "x");
    for (size_t row = 0; row < 3; row++) { /* the very values of the cell getters */
        const char *one = NULL;
        OK(cx_result_get_string(&one, r, row, 0));
        OK(cx_result_column_strings(s, r, 0, row, 1));
        ck_assert_ptr_eq(one, s[0]);
    }
    /* empty spans, also at the end and with a NULL out */
    OK(cx_result_column_reals(NULL, r, 2, 3, 0));
    OK(cx_result_column_ints(NULL, r, 1, 0, 0));
    OK(cx_result_column_strings(NULL, r, 0, 3, 0));

    /* failures write nothing */
    d[0] = 4.5;
    i[0] = 42;
    s[0] = "untouched";
    FAILS(cx_result_column_reals(d, r, 0, 0, 3), CX_EINVAL, "cx_result_column_reals");
    MSG_HAS("label");
    FAILS(cx_result_column_ints(i, r, 2, 0, 3), CX_EINVAL, "cx_result_column_ints");
    MSG_HAS("share");
    FAILS(cx_result_column_ints(i, r, 0, 0, 3), CX_EINVAL, "cx_result_column_ints");
    FAILS(cx_result_column_strings(s, r, 1, 0, 3), CX_EINVAL, "cx_result_column_strings");
    MSG_HAS("count");
    FAILS(cx_result_column_reals(d, r, 2, 0, 4), CX_ERANGE, "cx_result_column_reals");
    FAILS(cx_result_column_reals(d, r, 2, 4, 0), CX_ERANGE, "cx_result_column_reals");
    FAILS(cx_result_column_ints(i, r, 1, 2, SIZE_MAX), CX_ERANGE, "cx_result_column_ints"); /* no wrap-around */
    FAILS(cx_result_column_strings(s, r, 0, SIZE_MAX, 2), CX_ERANGE, "cx_result_column_strings");
    FAILS(cx_result_column_strings(s, r, 4, 0, 1), CX_ERANGE, "cx_result_column_strings");
    FAILS(cx_result_column_reals(NULL, r, 2, 0, 1), CX_EINVAL, "cx_result_column_reals");
    FAILS(cx_result_column_ints(i, NULL, 1, 0, 1), CX_EINVAL, "cx_result_column_ints");
    FAILS(cx_result_column_strings(NULL, r, 0, 0, 1), CX_EINVAL, "cx_result_column_strings");
    ck_assert(d[0] == 4.5);
    ck_assert_int_eq(i[0], 42);
    ck_assert_str_eq(s[0], "untouched");

    cx_result_free(r);
    cxt_alloc_done(&a);
}
END_TEST

/* A table of no rows still has its columns, and every cell is out of range. */
START_TEST(test_empty_table)
{
    cxt_alloc a = {0};
    cx_result *r = table_from(&a, 0, 4, mixed_names, mixed_types);
    ck_assert_uint_eq(cx_result_row_count(r), 0);
    ck_assert_uint_eq(cx_result_column_count(r), 4);
    int64_t i;
    FAILS(cx_result_get_int(&i, r, 0, 1), CX_ERANGE, "cx_result_get_int");
    OK(cx_result_export_csv(r, P("e.csv")));
    assert_file_eq(P("e.csv"), "label,count,share,when\r\n");
    OK(cx_result_export_json(r, P("e.json")));
    assert_file_eq(P("e.json"), "[\n]\n");
    /* rows added to an empty table are zero */
    OK(cxi_result_add_rows(r, 2));
    ck_assert_uint_eq(cx_result_row_count(r), 2);
    ck_assert_ptr_null(result_str(r, 1, "label"));
    ck_assert_int_eq(result_int(r, 1, "when"), CX_TIME_NONE);
    cx_result_free(r);
    cxt_alloc_done(&a);
}
END_TEST

/* ---- the state beside a table ------------------------------------------- */

static int ext_freed;
static void count_free(void *state)
{
    ext_freed++;
    free(state);
}
static const cxi_result_ext kind_a = {"a", count_free};
static const cxi_result_ext kind_b = {"b", count_free};

START_TEST(test_ext)
{
    cxt_alloc a = {0};
    cx_result *r = mixed_table(&a);
    ck_assert_ptr_null(cxi_result_ext_of(r, &kind_a));
    int *state = malloc(sizeof *state);
    ck_assert_ptr_nonnull(state);
    cxi_result_set_ext(r, &kind_a, state);
    ck_assert_ptr_eq(cxi_result_ext_of(r, &kind_a), state);
    ck_assert_ptr_null(cxi_result_ext_of(r, &kind_b));
    ck_assert_ptr_null(cxi_result_ext_of(NULL, &kind_a));
    ext_freed = 0;
    cx_result_free(r);
    ck_assert_int_eq(ext_freed, 1);
    cxt_alloc_done(&a);
}
END_TEST

/* ---- growing -------------------------------------------------------------- */

/* Every cell of r equals the same cell of ref (same shape). */
static void assert_same_cells(const cx_result *r, const cx_result *ref)
{
    ck_assert_uint_eq(cx_result_row_count(r), cx_result_row_count(ref));
    ck_assert_uint_eq(cx_result_column_count(r), cx_result_column_count(ref));
    for (size_t c = 0; c < cx_result_column_count(r); c++) {
        int type;
        OK(cx_result_column_type(&type, r, c));
        for (size_t row = 0; row < cx_result_row_count(r); row++) {
            if (type == CX_TYPE_STRING) {
                const char *x = cxi_result_str(r, c, row), *y = cxi_result_str(ref, c, row);
                EXPECT((!x && !y) || (x && y && strcmp(x, y) == 0), "cell %zu,%zu: %s vs %s", row, c,
                       x ? x : "(null)", y ? y : "(null)");
            } else {
                int64_t x = cxi_result_int(r, c, row), y = cxi_result_int(ref, c, row);
                EXPECT(x == y, "cell %zu,%zu: %lld vs %lld", row, c, (long long)x, (long long)y);
            }
        }
    }
}

START_TEST(test_add_rows)
{
    cxt_alloc a = {0};
    cx_result *r = mixed_table(&a);
    OK(cxi_result_add_rows(r, 0));
    ck_assert_uint_eq(cx_result_row_count(r), 3);
    OK(cxi_result_add_rows(r, 2));
    ck_assert_uint_eq(cx_result_row_count(r), 5);
    /* old cells kept */
    ck_assert_str_eq(result_str(r, 0, "label"), "alpha");
    ck_assert_str_eq(result_str(r, 1, "label"), "beta");
    ck_assert_int_eq(result_int(r, 2, "count"), -3);
    ck_assert(isnan(result_real(r, 1, "share")));
    ck_assert_int_eq(result_int(r, 0, "when"), T("2024-05-01T00:00:00Z"));
    /* new ones zero */
    for (size_t row = 3; row < 5; row++) {
        ck_assert_ptr_null(result_str(r, row, "label"));
        ck_assert_int_eq(result_int(r, row, "count"), 0);
        ck_assert(result_real(r, row, "share") == 0.0);
        ck_assert_int_eq(result_int(r, row, "when"), CX_TIME_NONE);
    }
    OK(cxi_result_set_text(r, 0, 4, "gamma"));
    ck_assert_str_eq(result_str(r, 4, "label"), "gamma");
    ck_assert_uint_eq(cxi_result_add_rows(r, SIZE_MAX), CX_ELIMIT);
    ck_assert_uint_eq(cx_result_row_count(r), 5);
    cx_result_free(r);
    cxt_alloc_done(&a);
}
END_TEST

/* Each refused request of a growth gives CX_ENOMEM and leaves the table,
 * and the bytes it holds, as they were; `ncols` above 64 also makes the
 * growth allocate its list of new columns. */
static void add_rows_oom(size_t ncols)
{
    cxt_alloc a = {0}, b = {0};
    const char **names = calloc(ncols, sizeof *names);
    int *types = calloc(ncols, sizeof *types);
    char(*nb)[16] = calloc(ncols, 16);
    ck_assert(names && types && nb);
    for (size_t c = 0; c < ncols; c++) {
        snprintf(nb[c], 16, "c%zu", c);
        names[c] = nb[c];
        types[c] = mixed_types[c % 4];
    }
    cx_result *r = table_from(&a, 3, ncols, names, types), *ref = table_from(&b, 3, ncols, names, types);
    for (size_t c = 0; c < ncols; c++)
        for (size_t row = 0; row < 3; row++) {
            char text[32];
            snprintf(text, sizeof text, "t%zu.%zu", c, row);
            cx_result *both[2] = {r, ref};
            for (int k = 0; k < 2; k++) {
                if (types[c] == CX_TYPE_STRING)
                    OK(cxi_result_set_text(both[k], c, row, row == 1 ? NULL : text));
                else if (types[c] != CX_TYPE_TIME || row != 2)
                    cxi_result_set_int(both[k], c, row, (int64_t)(c * 10 + row));
            }
        }
    size_t fails = 0;
    for (size_t k = 1;; k++) {
        size_t live = a.live, blocks = a.blocks;
        cxt_alloc_fail_nth(&a, k, true);
        cx_error_clear();
        int rc = cxi_result_add_rows(r, 4);
        cxt_alloc_allow(&a, -1);
        if (rc == CX_OK)
            break;
        fails++;
        ck_assert_int_eq(rc, CX_ENOMEM);
        ck_assert_int_eq(cx_last_error_code(), CX_ENOMEM);
        ck_assert_uint_eq(a.live, live);
        ck_assert_uint_eq(a.blocks, blocks);
        assert_same_cells(r, ref);
        ck_assert_msg(k < 1000, "add_rows never succeeds");
    }
    ck_assert_uint_ge(fails, ncols); /* at least one refusal per column */
    ck_assert_uint_eq(cx_result_row_count(r), 7);
    OK(cxi_result_add_rows(ref, 4));
    assert_same_cells(r, ref);

    /* a text that cannot be interned leaves its cell as it was */
    cxt_alloc_allow(&a, 0);
    char big[4096];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_int_eq(cxi_result_set_text(r, 0, 0, big), CX_ENOMEM);
    cxt_alloc_allow(&a, -1);
    assert_same_cells(r, ref);

    cx_result_free(r);
    cx_result_free(ref);
    cxt_alloc_done(&a);
    cxt_alloc_done(&b);
    free(names);
    free(types);
    free(nb);
}

START_TEST(test_add_rows_oom) { add_rows_oom(4); }
END_TEST

START_TEST(test_add_rows_oom_wide) { add_rows_oom(70); }
END_TEST

/* Building a table fails cleanly at every refused request. */
START_TEST(test_new_oom)
{
    cxt_alloc a = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &a);
    size_t fails = 0;
    for (size_t k = 1;; k++) {
        cx_result *r = NULL;
        cxt_alloc_fail_nth(&a, k, true);
        cx_error_clear();
        int rc = cxi_result_new(&r, &m, 5, 4, mixed_names, mixed_types);
        cxt_alloc_allow(&a, -1);
        if (rc == CX_OK) {
            ck_assert_ptr_nonnull(r);
            ck_assert_uint_eq(cx_result_row_count(r), 5);
            cx_result_free(r);
            break;
        }
        fails++;
        ck_assert_int_eq(rc, CX_ENOMEM);
        ck_assert_int_eq(cx_last_error_code(), CX_ENOMEM);
        ck_assert_ptr_null(r);
        ck_assert_uint_eq(a.live, 0);
        ck_assert_uint_eq(a.blocks, 0);
        ck_assert_msg(k < 100, "cxi_result_new never succeeds");
    }
    /* the table, the column list, a name and the cells of each column */
    ck_assert_uint_eq(fails, 2 + 2 * 4);
    cxt_alloc_done(&a);
}
END_TEST

/* ---- export --------------------------------------------------------------- */

/* A table of every awkward value: text that needs quoting or escaping, an
 * empty text beside a missing one, control characters, Arabic, bytes that
 * are not UTF-8, text that a spreadsheet would read as a formula, NaN and
 * infinities, int64 extremes, and times printed in +03:00 and -05:30. */
static const char *const awkward_text[] = {
    "a,b \"c\"\r\nd",
    "",
    NULL,
    "\t\b\x01x",
    "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7", /* مرحبا */
    "\xff\xc3(",
    "=HYPERLINK(\"http://x\")",
    "+1+2",
    "-2+3",
    "@SUM(1)",
    "</script><b>",
    "back\\slash",
};
#define AWKWARD_ROWS (sizeof awkward_text / sizeof *awkward_text)

static cx_result *awkward_table(cxt_alloc *a)
{
    static const char *const names[] = {"name", "score, \"raw\"", "n", "riyadh", "west"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_INT, CX_TYPE_TIME, CX_TYPE_TIME};
    cx_result *r = table_from(a, AWKWARD_ROWS, 5, names, types);
    for (size_t row = 0; row < AWKWARD_ROWS; row++)
        OK(cxi_result_set_text(r, 0, row, awkward_text[row]));
    const double reals[] = {2.5, NAN, INFINITY, -INFINITY, -0.25, 1e-7};
    for (size_t row = 0; row < 6; row++)
        cxi_result_set_real(r, 1, row, reals[row]);
    cxi_result_set_int(r, 2, 0, INT64_MAX);
    cxi_result_set_int(r, 2, 1, INT64_MIN);
    cxi_result_set_int(r, 2, 2, -1);
    cxi_result_set_offset(r, 3, 180);
    cxi_result_set_offset(r, 4, -330);
    cxi_result_set_time(r, 3, 0, T("2024-05-31T22:30:00Z"));
    cxi_result_set_time(r, 4, 0, T("2024-05-31T22:30:00Z"));
    cxi_result_set_time(r, 3, 2, T("1969-12-31T23:59:59.5Z"));
    cxi_result_set_time(r, 4, 2, T("2024-01-01T03:00:00.007Z"));
    return r;
}

/* Reads field `want` of record `rec` of RFC 4180 text (CRLF records, the
 * first the header) into out: NULL for an empty unquoted field (missing),
 * else the unquoted text. A reader of its own, so that the export is checked
 * against the RFC and not only against the bytes this suite expects. */
static const char *csv_field(const char *csv, size_t rec, size_t want, char *out, size_t cap)
{
    size_t r = 0, f = 0;
    const char *p = csv;
    while (*p) {
        size_t n = 0;
        bool quoted = *p == '"';
        if (quoted) {
            for (p++;; p++) {
                ck_assert_msg(*p, "unterminated quoted field");
                if (*p == '"' && p[1] != '"')
                    break;
                if (*p == '"')
                    p++;
                if (n + 1 < cap)
                    out[n++] = *p;
            }
            p++;
            ck_assert_msg(*p == ',' || *p == '\r', "text after a closing quote: %.20s", p);
        } else {
            for (; *p && *p != ',' && *p != '\r'; p++) {
                ck_assert_msg(*p != '"' && *p != '\n', "a bare quote or LF in a field: %.20s", p);
                if (n + 1 < cap)
                    out[n++] = *p;
            }
        }
        out[n] = '\0';
        if (r == rec && f == want)
            return quoted || n ? out : NULL;
        if (*p == ',') {
            p++;
            f++;
        } else {
            ck_assert_msg(p[0] == '\r' && p[1] == '\n', "a record not ended by CRLF");
            p += 2;
            r++;
            f = 0;
        }
    }
    ck_abort_msg("no field %zu in record %zu", want, rec);
    return NULL;
}

START_TEST(test_export_csv)
{
    cxt_alloc a = {0};
    cx_result *r = awkward_table(&a);
    OK(cx_result_export_csv(r, P("t.csv")));
    /* RFC 4180: a field is quoted when it holds a comma, a quote or a line
     * break (quotes doubled), and an empty text is "" so that it reads back
     * apart from a missing one (an empty field). Control characters, Arabic
     * and bytes that are not UTF-8 are written as they are.
     * Text a spreadsheet would run as a formula (=, +, -, @, tab or CR
     * first) gets a leading apostrophe (CSV injection); numbers never. */
    assert_file_eq(P("t.csv"),
                   "name,\"score, \"\"raw\"\"\",n,riyadh,west\r\n"
                   "\"a,b \"\"c\"\"\r\nd\",2.5,9223372036854775807,2024-06-01T01:30:00+03:00,2024-05-31T17:00:00-05:30\r\n"
                   "\"\",,-9223372036854775808,,\r\n"
                   ",inf,-1,1970-01-01T02:59:59.500+03:00,2023-12-31T21:30:00.007-05:30\r\n"
                   "'\t\b\x01x,-inf,0,,\r\n"
                   "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7,-0.25,0,,\r\n"
                   "\xff\xc3(,1e-07,0,,\r\n"
                   "\"'=HYPERLINK(\"\"http://x\"\")\",0,0,,\r\n"
                   "'+1+2,0,0,,\r\n"
                   "'-2+3,0,0,,\r\n"
                   "'@SUM(1),0,0,,\r\n"
                   "</script><b>,0,0,,\r\n"
                   "back\\slash,0,0,,\r\n");
    /* read back by the RFC's rules and the importer's apostrophe rule
     * (cxi_csv_unprotect): every text as written, "" apart from a missing
     * text, the header name with its comma and quotes */
    char *csv = slurp(P("t.csv"), NULL), field[256];
    ck_assert_str_eq(csv_field(csv, 0, 1, field, sizeof field), "score, \"raw\"");
    for (size_t row = 0; row < AWKWARD_ROWS; row++) {
        const char *got = csv_field(csv, row + 1, 0, field, sizeof field);
        if (!awkward_text[row])
            ck_assert_ptr_null(got);
        else
            ck_assert_str_eq(cxi_csv_unprotect(got), awkward_text[row]);
    }
    free(csv);
    /* replaced, not appended to */
    OK(cx_result_export_csv(r, P("t.csv")));
    size_t n1, n2;
    free(slurp(P("t.csv"), &n1));
    OK(cx_result_export_csv(r, P("u.csv")));
    free(slurp(P("u.csv"), &n2));
    ck_assert_uint_eq(n1, n2);
    cx_result_free(r);
    cxt_alloc_done(&a);
}
END_TEST

START_TEST(test_export_json)
{
    cxt_alloc a = {0};
    cx_result *r = awkward_table(&a);
    OK(cx_result_export_json(r, P("t.json")));
    /* JSON has no NaN or infinities (null), control characters are escaped,
     * bytes that are not UTF-8 become U+FFFD each, "</script>" is an
     * ordinary string (JSON does not escape '/' or '<'). */
    assert_file_eq(
        P("t.json"),
        "[\n"
        " {\"name\": \"a,b \\\"c\\\"\\r\\nd\", \"score, \\\"raw\\\"\": 2.5, \"n\": 9223372036854775807, "
        "\"riyadh\": \"2024-06-01T01:30:00+03:00\", \"west\": \"2024-05-31T17:00:00-05:30\"},\n"
        " {\"name\": \"\", \"score, \\\"raw\\\"\": null, \"n\": -9223372036854775808, \"riyadh\": null, \"west\": null},\n"
        " {\"name\": null, \"score, \\\"raw\\\"\": null, \"n\": -1, \"riyadh\": \"1970-01-01T02:59:59.500+03:00\", "
        "\"west\": \"2023-12-31T21:30:00.007-05:30\"},\n"
        " {\"name\": \"\\t\\b\\u0001x\", \"score, \\\"raw\\\"\": null, \"n\": 0, \"riyadh\": null, \"west\": null},\n"
        " {\"name\": \"\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7\", \"score, \\\"raw\\\"\": -0.25, \"n\": 0, \"riyadh\": null, "
        "\"west\": null},\n"
        " {\"name\": \"\xef\xbf\xbd\xef\xbf\xbd(\", \"score, \\\"raw\\\"\": 1e-07, \"n\": 0, \"riyadh\": null, "
        "\"west\": null},\n"
        " {\"name\": \"=HYPERLINK(\\\"http://x\\\")\", \"score, \\\"raw\\\"\": 0, \"n\": 0, \"riyadh\": null, \"west\": null},\n"
        " {\"name\": \"+1+2\", \"score, \\\"raw\\\"\": 0, \"n\": 0, \"riyadh\": null, \"west\": null},\n"
        " {\"name\": \"-2+3\", \"score, \\\"raw\\\"\": 0, \"n\": 0, \"riyadh\": null, \"west\": null},\n"
        " {\"name\": \"@SUM(1)\", \"score, \\\"raw\\\"\": 0, \"n\": 0, \"riyadh\": null, \"west\": null},\n"
        " {\"name\": \"</script><b>\", \"score, \\\"raw\\\"\": 0, \"n\": 0, \"riyadh\": null, \"west\": null},\n"
        " {\"name\": \"back\\\\slash\", \"score, \\\"raw\\\"\": 0, \"n\": 0, \"riyadh\": null, \"west\": null}\n"
        "]\n");

    /* and a JSON parser reads it back to the same values */
    json_error_t err;
    json_t *doc = json_load_file(P("t.json"), 0, &err);
    ck_assert_msg(doc != NULL, "t.json does not parse: %s at line %d", err.text, err.line);
    ck_assert(json_is_array(doc));
    ck_assert_uint_eq(json_array_size(doc), AWKWARD_ROWS);
    for (size_t row = 0; row < AWKWARD_ROWS; row++) {
        json_t *o = json_array_get(doc, row), *name = json_object_get(o, "name");
        ck_assert_uint_eq(json_object_size(o), 5);
        if (!awkward_text[row])
            ck_assert(json_is_null(name));
        else if (row == 5)
            ck_assert_str_eq(json_string_value(name), "\xef\xbf\xbd\xef\xbf\xbd(");
        else
            ck_assert_str_eq(json_string_value(name), awkward_text[row]);
    }
    json_t *o = json_array_get(doc, 0);
    ck_assert(json_real_value(json_object_get(o, "score, \"raw\"")) == 2.5);
    ck_assert(json_integer_value(json_object_get(o, "n")) == INT64_MAX);
    ck_assert(json_integer_value(json_object_get(json_array_get(doc, 1), "n")) == INT64_MIN);
    ck_assert(json_real_value(json_object_get(json_array_get(doc, 5), "score, \"raw\"")) == 1e-7);
    ck_assert_str_eq(json_string_value(json_object_get(o, "west")), "2024-05-31T17:00:00-05:30");
    json_decref(doc);
    cx_result_free(r);
    cxt_alloc_done(&a);
}
END_TEST

/* The writers on their own: every byte of a text, including a length that
 * stops before the NUL and an embedded NUL in JSON. */
static void json_text_is(const char *s, size_t n, const char *expected)
{
    FILE *f = fopen(P("w.json"), "wb");
    ck_assert_ptr_nonnull(f);
    cxi_write_json_text(f, s, n);
    ck_assert_int_eq(fclose(f), 0);
    assert_file_eq(P("w.json"), expected);
}

static void csv_text_is(const char *s, const char *expected)
{
    FILE *f = fopen(P("w.csv"), "wb");
    ck_assert_ptr_nonnull(f);
    cxi_write_csv_text(f, s);
    ck_assert_int_eq(fclose(f), 0);
    assert_file_eq(P("w.csv"), expected);
}

START_TEST(test_writers)
{
    csv_text_is("plain", "plain");
    csv_text_is("", "\"\"");
    csv_text_is("\"", "\"\"\"\"");
    csv_text_is("a\rb", "\"a\rb\"");
    csv_text_is("a\nb", "\"a\nb\"");
    csv_text_is("a,b", "\"a,b\"");
    csv_text_is(" padded ", " padded "); /* spaces are part of a field (RFC 4180) */
    /* what a spreadsheet would run as a formula gets a leading apostrophe,
     * one more than it has, so that the importer reads it back exactly */
    csv_text_is("=1+1", "'=1+1");
    csv_text_is("+966500000000", "'+966500000000");
    csv_text_is("-2+3", "'-2+3");
    csv_text_is("@SUM(A1)", "'@SUM(A1)");
    csv_text_is("\tx", "'\tx");
    csv_text_is("\r=x", "\"'\r=x\"");
    csv_text_is("'=1", "''=1");
    csv_text_is("''-1", "'''-1");
    csv_text_is("'tis", "'tis");
    csv_text_is("a=b", "a=b");
    csv_text_is("=a,b", "\"'=a,b\"");
    ck_assert_str_eq(cxi_csv_unprotect("'=1"), "=1");
    ck_assert_str_eq(cxi_csv_unprotect("''=1"), "'=1");
    ck_assert_str_eq(cxi_csv_unprotect("'tis"), "'tis");
    ck_assert_str_eq(cxi_csv_unprotect("'"), "'");
    ck_assert_str_eq(cxi_csv_unprotect("=1"), "=1");

    json_text_is("", 0, "\"\"");
    json_text_is("abc", 2, "\"ab\"");
    json_text_is("a\0b", 3, "\"a\\u0000b\"");
    json_text_is("\x1f\x7f/\f", 4, "\"\\u001f\x7f/\\f\"");
    /* not UTF-8: a lone continuation byte, an overlong '/', a surrogate, a
     * sequence cut by the end: one U+FFFD per byte */
    json_text_is("\x80", 1, "\"\xef\xbf\xbd\"");
    json_text_is("\xc0\xaf", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    json_text_is("\xed\xa0\x80", 3, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
    json_text_is("\xe2\x82\xac", 2, "\"\xef\xbf\xbd\xef\xbf\xbd\"");
    json_text_is("\xe2\x82\xac\xf0\x9f\x98\x80", 7, "\"\xe2\x82\xac\xf0\x9f\x98\x80\"");
    json_text_is("\xf4\x90\x80\x80", 4, "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"");
}
END_TEST

START_TEST(test_export_errors)
{
    cxt_alloc a = {0};
    cx_result *r = mixed_table(&a);
    FAILS(cx_result_export_csv(NULL, P("x.csv")), CX_EINVAL, "cx_result_export_csv");
    FAILS(cx_result_export_csv(r, NULL), CX_EINVAL, "cx_result_export_csv");
    FAILS(cx_result_export_json(NULL, P("x.json")), CX_EINVAL, "cx_result_export_json");
    FAILS(cx_result_export_json(r, NULL), CX_EINVAL, "cx_result_export_json");
    const char *bad = P("no-such-dir/x.csv");
    FAILS(cx_result_export_csv(r, bad), CX_EIO, "cx_result_export_csv");
    MSG_HAS(bad);
    bad = P("no-such-dir/x.json");
    FAILS(cx_result_export_json(r, bad), CX_EIO, "cx_result_export_json");
    MSG_HAS(bad);
    /* the whole path, however long: its end names the file */
    bad = P("no-such-dir/a-report-file-name-long-enough-to-pass-sixty-four-bytes-by-itself.csv");
    FAILS(cx_result_export_csv(r, bad), CX_EIO, "cx_result_export_csv");
    MSG_HAS(bad);
    ck_assert_int_ne(access(P("no-such-dir"), F_OK), 0);
    cx_result_free(r);
    cxt_alloc_done(&a);
}
END_TEST

/* ---- query results and the others ---------------------------------------- */

/* A store of four NPS answers and two handled contacts, around the end of
 * May: in +03:00 the answer at 22:30Z on May 31st is already June 1st. */
static cx_store *month_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "phone_in", "phone", "service", NULL, 0, 0));
    OK(cx_feedback_add(NULL, s, NULL, "C-1", "nps", 10, T("2024-04-30T21:30:00Z"), NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "C-1", "nps", 2, T("2024-05-31T20:59:59Z"), NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "C-1", "nps", 9, T("2024-05-31T22:30:00Z"), NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "C-1", "nps", 10, T("2024-06-15T12:00:00Z"), NULL, NULL, NULL, NULL));
    OK(cx_interaction_add(NULL, s, NULL, "C-1", "phone_in", T("2024-05-10T10:00:00Z"), "contact", CX_INBOUND, "A", NULL, 60000,
                          CX_HANDLED, 0));
    OK(cx_interaction_add(NULL, s, NULL, "C-1", "phone_in", T("2024-05-11T10:00:00Z"), "contact", CX_INBOUND, "A", NULL, 120000,
                          CX_HANDLED, 0));
    return s;
}

static cx_result *month_query(const cx_store *s)
{
    cx_query *q;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_add(q, CX_MEASURE_HANDLE_TIME));
    OK(cx_query_group_by_time(q, CX_BUCKET_MONTH, 180));
    cx_result *r = NULL;
    OK(cx_query_run(&r, q));
    cx_query_free(q);
    return r;
}

START_TEST(test_query_months)
{
    cx_store *s = month_store();
    cx_result *r = month_query(s);
    ck_assert_uint_eq(cx_result_row_count(r), 2);
    int type;
    OK(cx_result_column_type(&type, r, result_col(r, "month")));
    ck_assert_int_eq(type, CX_TYPE_TIME);
    OK(cx_result_column_type(&type, r, result_col(r, "month_label")));
    ck_assert_int_eq(type, CX_TYPE_STRING);
    /* April 30th 21:30Z and May 31st 20:59:59Z are both May in +03:00 */
    ck_assert_str_eq(result_str(r, 0, "month_label"), "2024-05");
    ck_assert_int_eq(result_int(r, 0, "month"), T("2024-05-01T00:00:00+03:00"));
    /* May 31st 22:30Z is June 1st 01:30 in +03:00 */
    ck_assert_str_eq(result_str(r, 1, "month_label"), "2024-06");
    ck_assert_int_eq(result_int(r, 1, "month"), T("2024-06-01T00:00:00+03:00"));
    CLOSE(result_real(r, 0, "nps"), 0.0);   /* a promoter and a detractor */
    CLOSE(result_real(r, 1, "nps"), 100.0); /* 9 and 10 */

    /* the export writes the month's start in its own offset */
    OK(cx_result_export_csv(r, P("q.csv")));
    char *csv = slurp(P("q.csv"), NULL);
    ck_assert_msg(strncmp(csv, "month,month_label,", 18) == 0, "header: %s", csv);
    ck_assert_msg(strstr(csv, "\r\n2024-05-01T00:00:00+03:00,2024-05,") != NULL, "%s", csv);
    ck_assert_msg(strstr(csv, "\r\n2024-06-01T00:00:00+03:00,2024-06,") != NULL, "%s", csv);
    free(csv);

    /* the query-only calls work on it */
    double v = 0;
    OK(cx_result_quantile(&v, r, 0, CX_MEASURE_HANDLE_TIME, 0.5));
    CLOSE(v, 90000.0);
    FAILS(cx_result_quantile(&v, r, 0, CX_MEASURE_FIRST_RESPONSE, 0.5), CX_ENOTFOUND, "cx_result_quantile");
    size_t len = 0;
    FAILS(cx_result_serialize(&len, r, NULL, 0), CX_EBUFSIZE, "cx_result_serialize");
    ck_assert_uint_gt(len, 0);
    void *buf = malloc(len);
    ck_assert_ptr_nonnull(buf);
    OK(cx_result_serialize(&len, r, buf, len));
    cx_result *back = NULL;
    OK(cx_result_deserialize(&back, buf, len));
    free(buf);
    ck_assert_str_eq(result_str(back, 1, "month_label"), "2024-06");
    cx_result *m = NULL;
    OK(cx_result_merge(&m, r, back));
    ck_assert_uint_eq(cx_result_row_count(m), 2);
    ck_assert_str_eq(result_str(m, 1, "month_label"), "2024-06");
    ck_assert_int_eq(result_int(m, 1, "month"), T("2024-06-01T00:00:00+03:00"));
    CLOSE(result_real(m, 0, "nps"), 0.0);
    cx_result_free(m);
    cx_result_free(back);
    cx_result_free(r);
    cx_store_free(s);
}
END_TEST

/* The query-only calls refuse any other result, saying why. */
static void refuses(const cx_result *other, const cx_result *q)
{
    cx_result *m = (cx_result *)&m; /* not NULL, to see it set to NULL */
    FAILS(cx_result_merge(&m, other, q), CX_EINVAL, "cx_result_merge");
    MSG_HAS("not a query result");
    ck_assert_ptr_null(m);
    m = (cx_result *)&m;
    FAILS(cx_result_merge(&m, q, other), CX_EINVAL, "cx_result_merge");
    MSG_HAS("not a query result");
    ck_assert_ptr_null(m);
    size_t len = 12345;
    char buf[64];
    FAILS(cx_result_serialize(&len, other, NULL, 0), CX_EINVAL, "cx_result_serialize");
    MSG_HAS("not a query result");
    FAILS(cx_result_serialize(&len, other, buf, sizeof buf), CX_EINVAL, "cx_result_serialize");
    MSG_HAS("not a query result");
    double v = 4.5;
    FAILS(cx_result_quantile(&v, other, 0, CX_MEASURE_HANDLE_TIME, 0.5), CX_EINVAL, "cx_result_quantile");
    MSG_HAS("not a query result");
    ck_assert(v == 4.5);
    double diff = 1, p = 1;
    FAILS(cx_result_compare(&diff, &p, other, 0, q, 0, CX_MEASURE_NPS), CX_EINVAL, "cx_result_compare");
    MSG_HAS("not a query result");
}

START_TEST(test_not_query_results)
{
    cx_store *s = month_store();
    cx_result *q = month_query(s);

    /* a table made by the builder */
    cxt_alloc a = {0};
    cx_result *plain = mixed_table(&a);
    refuses(plain, q);
    cx_result_free(plain);
    cxt_alloc_done(&a);

    /* a lifecycle result */
    OK(cx_transaction_add(NULL, s, NULL, "C-1", T("2024-05-01T10:00:00Z"), 12.5));
    cx_result *rfm = NULL;
    OK(cx_rfm_run(&rfm, s, T("2024-07-01T00:00:00Z"), DAY_MS, 5));
    ck_assert_uint_eq(cx_result_row_count(rfm), 1);
    refuses(rfm, q);
    cx_result_free(rfm);

    cx_result_free(q);
    cx_store_free(s);
}
END_TEST

/* ---- period labels -------------------------------------------------------- */

static void label_is(const char *iso, int bucket, int offset, const char *expected)
{
    char buf[CXI_BUCKET_LABEL_MAX];
    cx_time start = cxi_bucket_start(T(iso), bucket, offset);
    cxi_bucket_label(buf, sizeof buf, start, bucket, offset);
    ck_assert_msg(strcmp(buf, expected) == 0, "%s in bucket %d at %+d: %s, expected %s", iso, bucket, offset, buf,
                  expected);
}

/* A time the store holds but ISO 8601 cannot print (past year 9999) is
 * written as its milliseconds, never as a missing value; reals are written
 * in the fewest digits that read back the same. */
START_TEST(test_export_beyond_iso)
{
    cxt_alloc a = {0};
    static const char *const names[] = {"t", "x"};
    static const int types[] = {CX_TYPE_TIME, CX_TYPE_REAL};
    cx_result *r = table_from(&a, 2, 2, names, types);
    cxi_result_set_time(r, 0, 0, 400000000000000LL); /* year 14645 */
    cxi_result_set_real(r, 1, 0, 0.1);
    cxi_result_set_time(r, 0, 1, 0);
    cxi_result_set_real(r, 1, 1, 1.0 / 3);
    OK(cx_result_export_csv(r, P("far.csv")));
    assert_file_eq(P("far.csv"), "t,x\r\n400000000000000,0.1\r\n1970-01-01T00:00:00Z,0.3333333333333333\r\n");
    OK(cx_result_export_json(r, P("far.json")));
    assert_file_eq(P("far.json"), "[\n {\"t\": 400000000000000, \"x\": 0.1},\n {\"t\": \"1970-01-01T00:00:00Z\", "
                                  "\"x\": 0.3333333333333333}\n]\n");
    cx_result_free(r);
}
END_TEST

START_TEST(test_bucket_labels)
{
    label_is("2024-01-01T00:00:00Z", CX_BUCKET_WEEK, 0, "2024-W01"); /* a Monday */
    label_is("2021-01-03T12:00:00Z", CX_BUCKET_WEEK, 0, "2020-W53"); /* the Sunday of 2020's last week */
    label_is("2021-01-04T00:00:00Z", CX_BUCKET_WEEK, 0, "2021-W01");
    label_is("2024-12-30T00:00:00Z", CX_BUCKET_WEEK, 0, "2025-W01");
    label_is("2024-05-17T08:00:00Z", CX_BUCKET_QUARTER, 0, "2024-Q2");
    label_is("2024-05-17T08:00:00Z", CX_BUCKET_MONTH, 0, "2024-05");
    label_is("2024-05-17T08:00:00Z", CX_BUCKET_YEAR, 0, "2024");
    label_is("2024-05-17T08:00:00Z", CX_BUCKET_DAY, 0, "2024-05-17");
    /* in its own offset: 22:30Z on March 31st is April 1st in +03:00 */
    label_is("2024-03-31T22:30:00Z", CX_BUCKET_QUARTER, 180, "2024-Q2");
    label_is("2024-03-31T22:30:00Z", CX_BUCKET_QUARTER, 0, "2024-Q1");
    label_is("2024-01-01T03:00:00Z", CX_BUCKET_YEAR, -330, "2023");
}
END_TEST

int main(void)
{
    Suite *su = suite_create("result");
    TCase *tc = tcase_create("table");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_getters);
    tcase_add_test(tc, test_column_readers);
    tcase_add_test(tc, test_empty_table);
    tcase_add_test(tc, test_ext);
    tcase_add_test(tc, test_add_rows);
    tcase_add_test(tc, test_add_rows_oom);
    tcase_add_test(tc, test_add_rows_oom_wide);
    tcase_add_test(tc, test_new_oom);
    tcase_add_test(tc, test_export_csv);
    tcase_add_test(tc, test_export_json);
    tcase_add_test(tc, test_writers);
    tcase_add_test(tc, test_export_errors);
    tcase_add_test(tc, test_query_months);
    tcase_add_test(tc, test_not_query_results);
    tcase_add_test(tc, test_export_beyond_iso);
    tcase_add_test(tc, test_bucket_labels);
    suite_add_tcase(su, tc);
    return run_suite(su);
}

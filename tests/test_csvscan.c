/* Tests of the CSV reader's two scans: the fast one (bit masks over 64-byte
 * blocks, fields NUL-terminated in the read buffer) that takes the common
 * record, and the general one that takes every other (quotes, CRLF, NULs,
 * records at the end of the buffer). The same rows written both ways (with
 * some fields quoted and CRLF line ends here and there, and every field
 * quoted) must import to the same store, the same report and the same
 * rejects, and a rejected record must reach the reject file byte for byte.
 * Public API only. */
#include "cx_test.h"

/* ---- a seeded generator of interaction rows ---------------------------- */

static uint64_t rng;
static unsigned rnd(unsigned n)
{
    return (unsigned)((lcg64(&rng) >> 33) % n);
}

/* A growable text buffer. */
typedef struct text {
    char *b;
    size_t n, cap;
} text;

static void put(text *t, const char *s, size_t n)
{
    if (t->n + n + 1 > t->cap) {
        t->cap = (t->n + n + 1) * 2;
        t->b = realloc(t->b, t->cap);
        ck_assert_ptr_nonnull(t->b);
    }
    memcpy(t->b + t->n, s, n);
    t->n += n;
    t->b[t->n] = '\0';
}
static void puts_(text *t, const char *s) { put(t, s, strlen(s)); }

/* A field, quoted when it must be, when `always`, or now and then. */
static void field(text *t, const char *v, bool always)
{
    bool must = strpbrk(v, ",\"\n\r") != NULL;
    if (!must && !always && (v[0] == '\0' || rnd(100) >= 3)) {
        puts_(t, v);
        return;
    }
    puts_(t, "\"");
    for (const char *p = v; *p; p++) {
        if (*p == '"')
            puts_(t, "\"");
        put(t, p, 1);
    }
    puts_(t, "\"");
}

/* Field values of one row. */
typedef struct row {
    char v[10][200];
    int bad; /* 0 good, 1 refused by the store (after the scan), 2 malformed CSV */
    char raw[256];
} row;

#define NCUST 50
#define NTP 10

static void make_row(row *r)
{
    static const char *const kinds[] = {"view", "call", "chat"};
    static const char *const dirs[] = {"", "inbound", "outbound"};
    static const char *const outs[] = {"", "handled", "missed", "abandoned"};
    static const char alphabet[] = "abc xyz,\"\n-_";
    memset(r, 0, sizeof *r);
    snprintf(r->v[0], sizeof r->v[0], "C%u", rnd(NCUST));
    snprintf(r->v[1], sizeof r->v[1], "tp%u", rnd(NTP));
    snprintf(r->v[2], sizeof r->v[2], "2025-%02u-%02uT%02u:%02u:%02uZ", 1 + rnd(12), 1 + rnd(28), rnd(24), rnd(60),
             rnd(60));
    snprintf(r->v[3], sizeof r->v[3], "%s", kinds[rnd(3)]);
    snprintf(r->v[4], sizeof r->v[4], "%s", dirs[rnd(3)]);
    if (rnd(2)) { /* an agent: 1 to 150 bytes, some Arabic, some needing quotes */
        unsigned len = 1 + rnd(150), n = 0;
        while (n < len) {
            if (rnd(10) == 0 && n + 6 < len) {
                memcpy(r->v[5] + n, "عبد", 6);
                n += 6;
            } else {
                r->v[5][n++] = alphabet[rnd(sizeof alphabet - 1)];
            }
        }
        r->v[5][n] = '\0';
        if (r->v[5][0] == ' ' || r->v[5][0] == '-') /* not a number-like or blank-led value */
            r->v[5][0] = 'a';
    }
    snprintf(r->v[7], sizeof r->v[7], "%u", rnd(10000000));
    snprintf(r->v[8], sizeof r->v[8], "%s", outs[rnd(4)]);
    snprintf(r->v[9], sizeof r->v[9], "%u.%02u", rnd(1000), rnd(100));
    unsigned k = rnd(100);
    if (k == 0) {
        strcpy(r->v[1], "no_such_touchpoint");
        r->bad = 1;
    } else if (k == 1) {
        strcpy(r->v[2], "2025-13-01T00:00:00Z");
        r->bad = 1;
    } else if (k == 2) {
        strcpy(r->v[7], "-5");
        r->bad = 1;
    }
    if (r->bad == 1 && rnd(2)) /* a customer only refused rows name: never kept when rows add customers */
        snprintf(r->v[0], sizeof r->v[0], "X%u", rnd(1000));
    if (k == 3) { /* the same bytes in both files: a quote inside an unquoted field */
        snprintf(r->raw, sizeof r->raw, "C1,tp1,2025-01-01T00:00:00Z,vi\"ew,,,,%u,,", rnd(1000));
        r->bad = 2;
    }
}

/* Writes the rows, mixed (quotes only where needed and now and then, CRLF
 * now and then, no line end after the last row) or all quoted. */
static void write_rows(const char *path, const row *rows, size_t n, bool all_quoted)
{
    text t = {0};
    puts_(&t, "customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n");
    for (size_t i = 0; i < n; i++) {
        const row *r = &rows[i];
        if (r->bad == 2) {
            puts_(&t, r->raw);
        } else {
            for (int c = 0; c < 10; c++) {
                if (c)
                    puts_(&t, ",");
                field(&t, r->v[c], all_quoted && r->v[c][0] != '\0');
            }
        }
        if (i + 1 < n || all_quoted)
            puts_(&t, !all_quoted && rnd(20) == 0 ? "\r\n" : "\n");
    }
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(t.b, 1, t.n, f), t.n);
    ck_assert_int_eq(fclose(f), 0);
    free(t.b);
}

static cx_store *base_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    for (int i = 0; i < NCUST; i++) {
        char id[16];
        snprintf(id, sizeof id, "C%d", i);
        OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
    }
    for (int i = 0; i < NTP; i++) {
        char id[16];
        snprintf(id, sizeof id, "tp%d", i);
        OK(cx_touchpoint_add(s, id, "web", "awareness", NULL, 0, 1.0));
    }
    return s;
}

/* 30,000 rows (about 3 MB: several read chunks, records across them and
 * across every position of the 64-byte blocks). */
START_TEST(fast_and_general_scans_agree)
{
    enum { N = 30000 };
    row *rows = malloc(N * sizeof *rows);
    ck_assert_ptr_nonnull(rows);
    rng = 20251124;
    size_t good = 0;
    for (size_t i = 0; i < N; i++) {
        make_row(&rows[i]);
        good += rows[i].bad == 0;
    }
    const char *mixed = P("mixed.csv"), *quoted = P("quoted.csv");
    write_rows(mixed, rows, N, false);
    write_rows(quoted, rows, N, true);

    cx_import_options *o;
    OK(cx_import_options_new(&o));
    cx_store *a = base_store(), *b = base_store();
    cx_import_report *ra, *rb;
    OK(cx_import_options_set_reject_path(o, P("mixed.rejects")));
    OK(cx_import_csv(&ra, a, CX_TABLE_INTERACTIONS, mixed, o));
    OK(cx_import_options_set_reject_path(o, P("quoted.rejects")));
    OK(cx_import_csv(&rb, b, CX_TABLE_INTERACTIONS, quoted, o));
    cx_import_options_free(o);

    ck_assert_uint_eq(cx_import_report_read(ra), N);
    ck_assert_uint_eq(cx_import_report_accepted(ra), good);
    ck_assert_uint_eq(cx_import_report_rejected(ra), N - good);
    ck_assert_uint_eq(cx_import_report_accepted(rb), good);
    ck_assert_uint_eq(cx_import_report_rejected(rb), N - good);
    ck_assert_uint_eq(cx_import_report_details(ra), cx_import_report_details(rb));
    for (size_t i = 0; i < cx_import_report_details(ra); i++) {
        uint64_t la, lb;
        int ca, cb;
        const char *wa, *wb;
        OK(cx_import_report_line(&la, ra, i));
        OK(cx_import_report_line(&lb, rb, i));
        OK(cx_import_report_column(&ca, ra, i));
        OK(cx_import_report_column(&cb, rb, i));
        OK(cx_import_report_reason(&wa, ra, i));
        OK(cx_import_report_reason(&wb, rb, i));
        ck_assert_uint_eq(la, lb);
        ck_assert_int_eq(ca, cb);
        ck_assert_str_eq(wa, wb);
    }
    cx_import_report_free(ra);
    cx_import_report_free(rb);

    /* the same rows stored: the exports are the same bytes */
    OK(cx_export_csv(a, CX_TABLE_INTERACTIONS, P("a.csv"), 0));
    OK(cx_export_csv(b, CX_TABLE_INTERACTIONS, P("b.csv"), 0));
    size_t na, nb;
    char *ea = slurp(P("a.csv"), &na), *eb = slurp(P("b.csv"), &nb);
    ck_assert_uint_eq(na, nb);
    ck_assert_int_eq(memcmp(ea, eb, na), 0);
    free(ea);
    free(eb);

    /* the same file into a store without customers, which the rows add
     * (with the import's lookup cache, its cursors, the hint to the add
     * function and the take-back of a refused row's customer): the same
     * interactions, and exactly the customers of the accepted rows */
    cx_store *cs;
    OK(cx_store_new(&cs));
    for (int i = 0; i < NTP; i++) {
        char id[16];
        snprintf(id, sizeof id, "tp%d", i);
        OK(cx_touchpoint_add(cs, id, "web", "awareness", NULL, 0, 1.0));
    }
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_create_customers(o, 1));
    cx_import_report *rc;
    OK(cx_import_csv(&rc, cs, CX_TABLE_INTERACTIONS, mixed, o));
    cx_import_options_free(o);
    ck_assert_uint_eq(cx_import_report_accepted(rc), good);
    cx_import_report_free(rc);
    bool named[NCUST] = {false};
    size_t distinct = 0;
    for (size_t i = 0; i < N; i++)
        if (!rows[i].bad && !named[atoi(rows[i].v[0] + 1)]) { /* C<n> */
            named[atoi(rows[i].v[0] + 1)] = true;
            distinct++;
        }
    size_t nc;
    OK(cx_store_rows(&nc, cs, CX_TABLE_CUSTOMERS));
    ck_assert_uint_eq(nc, distinct);
    OK(cx_export_csv(cs, CX_TABLE_INTERACTIONS, P("c.csv"), 0));
    size_t ncsv;
    char *ec = slurp(P("c.csv"), &ncsv);
    ea = slurp(P("a.csv"), &na);
    ck_assert_uint_eq(ncsv, na);
    ck_assert_int_eq(memcmp(ea, ec, na), 0);
    free(ea);
    free(ec);
    cx_store_free(cs);

    /* and they hold the values written, row by row */
    int col_agent, col_dur;
    OK(cx_column_find(&col_agent, CX_TABLE_INTERACTIONS, "agent"));
    OK(cx_column_find(&col_dur, CX_TABLE_INTERACTIONS, "duration_ms"));
    size_t k = 0;
    for (size_t i = 0; i < N; i++) {
        if (rows[i].bad)
            continue;
        const char *agent;
        int64_t dur;
        OK(cx_store_get_string(&agent, a, CX_TABLE_INTERACTIONS, col_agent, k));
        OK(cx_store_get_int(&dur, a, CX_TABLE_INTERACTIONS, col_dur, k));
        ck_assert_str_eq(agent ? agent : "", rows[i].v[5]);
        ck_assert_int_eq(dur, atoll(rows[i].v[7]));
        k++;
    }
    ck_assert_uint_eq(k, good);

    /* every rejected record of the mixed file, as it was written (the fast
     * scan's in-place terminators put back): unquoted records only, whose
     * bytes are known here without the random quoting */
    size_t nr;
    char *rej = slurp(P("mixed.rejects"), &nr);
    size_t checked = 0;
    for (size_t i = 0; i < N; i++) {
        if (!rows[i].bad)
            continue;
        text t = {0};
        if (rows[i].bad == 2) {
            puts_(&t, rows[i].raw);
        } else {
            bool plain = true;
            for (int c = 0; c < 10; c++)
                plain = plain && strpbrk(rows[i].v[c], ",\"\n\r") == NULL;
            if (!plain)
                continue;
            /* the writer may have quoted a plain field anyway: accept the
             * line if it is there either way, by its unquoted form when the
             * reject file has it */
            for (int c = 0; c < 10; c++) {
                if (c)
                    puts_(&t, ",");
                puts_(&t, rows[i].v[c]);
            }
        }
        puts_(&t, "\n");
        if (mem_contains(rej, nr, t.b, t.n))
            checked++;
        free(t.b);
    }
    /* at least the records that were written unquoted (all but ~3 % a field) */
    ck_assert_uint_gt(checked, (N - good) / 2);
    ck_assert_ptr_null(memchr(rej, '\0', nr));
    free(rej);
    cx_store_free(a);
    cx_store_free(b);
    free(rows);
}
END_TEST

/* A rejected record in the fast path goes to the reject file byte for byte,
 * the good ones around it are stored, and a field of every length from 0
 * to 130 bytes (across block boundaries) is read whole. */
START_TEST(reject_bytes_and_field_lengths)
{
    text t = {0};
    puts_(&t, "customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n");
    char agent[140];
    for (int len = 0; len <= 130; len++) {
        for (int i = 0; i < len; i++)
            agent[i] = (char)('a' + (i + len) % 26);
        agent[len] = '\0';
        char line[300];
        snprintf(line, sizeof line, "C%d,tp%d,2025-03-04T05:06:07Z,view,,%s,,%d,,1.5\n", len % NCUST, len % NTP,
                 agent, len);
        puts_(&t, line);
        if (len % 7 == 0) { /* a bad one after it, same shape */
            snprintf(line, sizeof line, "C%d,tp_unknown,2025-03-04T05:06:07Z,view,,%s,,%d,,1.5\n", len % NCUST, agent,
                     len);
            puts_(&t, line);
        }
    }
    FILE *f = fopen(P("lengths.csv"), "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(t.b, 1, t.n, f), t.n);
    ck_assert_int_eq(fclose(f), 0);

    cx_store *s = base_store();
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_reject_path(o, P("lengths.rejects")));
    cx_import_report *r;
    OK(cx_import_csv(&r, s, CX_TABLE_INTERACTIONS, P("lengths.csv"), o));
    cx_import_options_free(o);
    ck_assert_uint_eq(cx_import_report_accepted(r), 131);
    ck_assert_uint_eq(cx_import_report_rejected(r), 19);
    cx_import_report_free(r);
    int col_agent;
    OK(cx_column_find(&col_agent, CX_TABLE_INTERACTIONS, "agent"));
    for (int len = 0; len <= 130; len++) {
        const char *v;
        OK(cx_store_get_string(&v, s, CX_TABLE_INTERACTIONS, col_agent, (size_t)len));
        ck_assert_uint_eq(v ? strlen(v) : 0, (size_t)len);
        for (int i = 0; i < len; i++)
            ck_assert_int_eq(v[i], 'a' + (i + len) % 26);
    }
    size_t nr;
    char *rej = slurp(P("lengths.rejects"), &nr);
    for (int len = 0; len <= 130; len += 7) {
        for (int i = 0; i < len; i++)
            agent[i] = (char)('a' + (i + len) % 26);
        agent[len] = '\0';
        char line[300];
        snprintf(line, sizeof line, ",C%d,tp_unknown,2025-03-04T05:06:07Z,view,,%s,,%d,,1.5\n", len % NCUST, agent,
                 len);
        ck_assert_msg(mem_contains(rej, nr, line, strlen(line)), "reject of length %d not found as written", len);
    }
    free(rej);
    free(t.b);
    cx_store_free(s);
}
END_TEST

/* Rows that add their customers: a quoted row (read by the general scan
 * into the same row buffer each time) then one whose customer is "" must
 * be refused for its empty customer, not take the customer before it. */
START_TEST(created_customer_not_carried_to_next_row)
{
    static const char text_[] = "customer,touchpoint,time\n"
                                "\"N1\",\"tp1\",\"2025-01-01T00:00:00Z\"\n"
                                "\"\",\"tp1\",\"2025-01-02T00:00:00Z\"\n"
                                "N2,tp1,2025-01-03T00:00:00Z\n";
    FILE *f = fopen(P("empty.csv"), "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(text_, 1, sizeof text_ - 1, f), sizeof text_ - 1);
    ck_assert_int_eq(fclose(f), 0);
    cx_store *s = base_store();
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_create_customers(o, 1));
    cx_import_report *r;
    OK(cx_import_csv(&r, s, CX_TABLE_INTERACTIONS, P("empty.csv"), o));
    cx_import_options_free(o);
    ck_assert_uint_eq(cx_import_report_accepted(r), 2);
    ck_assert_uint_eq(cx_import_report_rejected(r), 1);
    uint64_t line;
    const char *why;
    OK(cx_import_report_line(&line, r, 0));
    OK(cx_import_report_reason(&why, r, 0));
    ck_assert_uint_eq(line, 3);
    ck_assert_msg(strstr(why, "empty") != NULL, "reason: %s", why);
    cx_import_report_free(r);
    size_t n;
    OK(cx_store_rows(&n, s, CX_TABLE_CUSTOMERS));
    ck_assert_uint_eq(n, NCUST + 2);
    cx_store_free(s);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("csvscan");
    TCase *tc = tcase_create("scan");
    tcase_set_timeout(tc, 240);
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(tc, fast_and_general_scans_agree);
    tcase_add_test(tc, reject_bytes_and_field_lengths);
    tcase_add_test(tc, created_customer_not_carried_to_next_row);
    suite_add_tcase(s, tc);
    return run_suite(s);
}

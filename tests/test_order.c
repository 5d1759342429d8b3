/* Tests that the order of the rows does not change any analysis (issue 14):
 * the demo data imported as shipped (sorted by customer and time) and with
 * the records of every event file and of the customers shuffled (seeded),
 * must give the same tables: metrics of every measure by channel, touchpoint
 * and segment, the journeys list, paths, transitions of order 1 and 2 and
 * attribution, funnels, pain points and retention by cohort. Tables whose
 * row order follows the order customers were added in (the journeys list)
 * are compared as sets of rows; the others as they are; reals to 1e-9
 * (see same_field). The journeys' analyses are compared again with other
 * options (channel level, merged repeats, a gap, conversions out of the
 * paths), and with attribution of order 2, path counts, satisfaction,
 * stages, funnel customers and the step matrix. Also: events of
 * one customer at the same millisecond, added in any order, keep one order;
 * and the fallback of the journey build when (customer, time) needs more
 * than 64 bits gives the order the radix sort gives; and every small number
 * of events, the build's arrays at every place in a cache line. Public API
 * only. */
#include "cx_test.h"

#ifndef CXKIT_DEMO_DATA
#error "CXKIT_DEMO_DATA must name examples/data"
#endif

static const int tables[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES,       CX_TABLE_INTERACTIONS,
                             CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,    CX_TABLE_TRANSACTIONS};

/* Splits a CSV text into its header and records (a record goes on over
 * line ends while its quotes are unbalanced); pointers into `text`. */
static size_t split_records(char *text, size_t len, char ***out)
{
    size_t cap = 1024, n = 0;
    char **rec = malloc(cap * sizeof *rec);
    size_t i = 0;
    while (i < len) {
        if (n == cap)
            rec = realloc(rec, (cap *= 2) * sizeof *rec);
        rec[n++] = text + i;
        int quotes = 0;
        while (i < len) {
            char c = text[i++];
            quotes ^= c == '"';
            if (c == '\n' && !quotes)
                break;
        }
    }
    *out = rec;
    return n;
}

/* Writes a copy of CSV file src to dst with its records (not its header)
 * in a seeded random order. */
static void shuffle_file(const char *src, const char *dst, uint64_t seed)
{
    size_t len;
    char *text = slurp(src, &len);
    ck_assert_ptr_nonnull(text);
    ck_assert(len > 0 && text[len - 1] == '\n');
    char **rec;
    size_t n = split_records(text, len, &rec);
    for (size_t k = n - 1; k > 1; k--) { /* Fisher-Yates on records 1..n-1 */
        size_t r = 1 + (size_t)(splitmix64(&seed) % k);
        char *t = rec[k];
        rec[k] = rec[r];
        rec[r] = t;
    }
    FILE *f = fopen(dst, "wb");
    ck_assert_ptr_nonnull(f);
    for (size_t k = 0; k < n; k++) {
        char *e = strchr(rec[k], '\n');
        while (e) { /* to the end of this record: its line feed outside quotes */
            int quotes = 0;
            for (char *p = rec[k]; p < e; p++)
                quotes ^= *p == '"';
            if (!quotes)
                break;
            e = strchr(e + 1, '\n');
        }
        fwrite(rec[k], 1, (size_t)(e - rec[k]) + 1, f);
    }
    ck_assert_int_eq(fclose(f), 0);
    free(rec);
    free(text);
}

static cx_store *import_dir(const char *dir)
{
    cx_store *s;
    OK(cx_store_new(&s));
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        const char *name;
        char path[1024];
        OK(cx_table_name(&name, tables[i]));
        snprintf(path, sizeof path, "%s/%s.csv", dir, name);
        cx_import_report *rep;
        OK(cx_import_csv(&rep, s, tables[i], path, NULL));
        ck_assert_uint_eq(cx_import_report_rejected(rep), 0);
        cx_import_report_free(rep);
    }
    return s;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* A result as CSV text; `as_set`: its rows sorted (the header first). */
static char *result_text(cx_result *r, const char *name, bool as_set)
{
    const char *path = P(name);
    OK(cx_result_export_csv(r, path));
    cx_result_free(r);
    size_t len;
    char *text = slurp(path, &len);
    ck_assert_ptr_nonnull(text);
    if (!as_set)
        return text;
    char **rec;
    size_t n = split_records(text, len, &rec);
    char *out = malloc(len + 1), *o = out;
    for (size_t k = 0; k < n; k++) { /* NUL-terminate each record for strcmp */
        char *end = k + 1 < n ? rec[k + 1] : text + len;
        end[-1] = '\0';
    }
    if (n > 1)
        qsort(rec + 1, n - 1, sizeof *rec, cmp_str);
    for (size_t k = 0; k < n; k++) {
        size_t l = strlen(rec[k]);
        memcpy(o, rec[k], l);
        o += l;
        *o++ = '\n';
    }
    *o = '\0';
    free(rec);
    free(text);
    return out;
}

/* Two fields are the same: equal text, or numbers equal to 1e-9
 * (relative). Counts, ids, names, times and paths must be equal; but the
 * metrics sum reals in row order, and attribution over journeys in the
 * order their customers were added, so a shuffled store rounds some sums
 * differently in their last bits (1e-15), which Markov removal effects
 * carry to about 1e-12. */
static bool same_field(const char *a, size_t la, const char *b, size_t lb)
{
    if (la == lb && memcmp(a, b, la) == 0)
        return true;
    char fa[64], fb[64], *ea, *eb;
    if (la >= sizeof fa || lb >= sizeof fb || la == 0 || lb == 0)
        return false;
    memcpy(fa, a, la);
    fa[la] = '\0';
    memcpy(fb, b, lb);
    fb[lb] = '\0';
    double x = strtod(fa, &ea), y = strtod(fb, &eb);
    return !*ea && !*eb && fabs(x - y) <= 1e-9 * fmax(fabs(x), fabs(y));
}

static void same(cx_result *a, cx_result *b, const char *what, bool as_set)
{
    char na[128], nb[128];
    snprintf(na, sizeof na, "%s-sorted.csv", what);
    snprintf(nb, sizeof nb, "%s-shuffled.csv", what);
    char *ta = result_text(a, na, as_set), *tb = result_text(b, nb, as_set);
    EXPECT(strlen(ta) > 0 && strchr(ta, '\n') != strrchr(ta, '\n'), "%s: no rows", what);
    const char *pa = ta, *pb = tb;
    for (;;) { /* field by field: a field ends at a comma or a line end */
        size_t la = strcspn(pa, ",\r\n"), lb = strcspn(pb, ",\r\n");
        if (!same_field(pa, la, pb, lb) || pa[la] != pb[lb])
            ck_abort_msg("%s differs at byte %zu:\nsorted:   %.120s\nshuffled: %.120s", what, (size_t)(pa - ta), pa,
                         pb);
        if (!pa[la])
            break;
        pa += la + 1;
        pb += lb + 1;
    }
    free(ta);
    free(tb);
}

/* The same table byte for byte: its rows in the same order, every number
 * to its last digit. */
static void same_exact(cx_result *a, cx_result *b, const char *what)
{
    char na[128], nb[128];
    snprintf(na, sizeof na, "%s-sorted.csv", what);
    snprintf(nb, sizeof nb, "%s-shuffled.csv", what);
    char *ta = result_text(a, na, false), *tb = result_text(b, nb, false);
    EXPECT(strlen(ta) > 0 && strchr(ta, '\n') != strrchr(ta, '\n'), "%s: no rows", what);
    size_t i = 0;
    while (ta[i] && ta[i] == tb[i])
        i++;
    if (ta[i] != tb[i])
        ck_abort_msg("%s differs at byte %zu:\nsorted:   %.120s\nshuffled: %.120s", what, i, ta + i, tb + i);
    free(ta);
    free(tb);
}

/* Attribution tables: each row's columns from `first` on the same bit for
 * bit, the row found by its name: the heuristics' credits are summed in
 * fixed point, and the chain's states solved in an order of their own
 * (mean place in the paths, names), not in the order they first appear.
 * Frees neither. */
static void same_heuristics(const cx_result *a, const cx_result *b, size_t first, const char *what)
{
    size_t n = cx_result_row_count(a), cols = cx_result_column_count(a);
    ck_assert_uint_eq(n, cx_result_row_count(b));
    ck_assert_uint_gt(n, 1);
    for (size_t r = 0; r < n; r++) {
        const char *name, *other;
        OK(cx_result_get_string(&name, a, r, 0));
        size_t q = 0;
        for (; q < n; q++) {
            OK(cx_result_get_string(&other, b, q, 0));
            if (!strcmp(name, other))
                break;
        }
        ck_assert_msg(q < n, "%s: %s missing", what, name);
        for (size_t c = first; c < cols; c++) {
            double x, y;
            OK(cx_result_get_real(&x, a, r, c));
            OK(cx_result_get_real(&y, b, q, c));
            ck_assert_msg(memcmp(&x, &y, sizeof x) == 0, "%s: %s, column %zu: %.17g against %.17g", what, name, c, x,
                          y);
        }
    }
}

static cx_result *metrics(const cx_store *s, cx_dim dim)
{
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    for (int m = 0; m < CX_MEASURE_COUNT; m++)
        OK(cx_query_add(q, (cx_measure)m));
    OK(cx_query_group_by(q, dim));
    OK(cx_query_run(&r, q));
    cx_query_free(q);
    return r;
}

static cx_result *funnel(const cx_store *s, const cx_journeys *j)
{
    cx_funnel *f;
    cx_result *r;
    OK(cx_funnel_new(&f, s));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "consideration"));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "purchase"));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "home_delivery"));
    OK(cx_funnel_set_window(f, 30 * DAY_MS));
    OK(cx_journeys_funnel(&r, j, f));
    cx_funnel_free(f);
    return r;
}

/* The analyses that read the index's times, words and values of the
 * conversions (journey.c) beyond the paths: attribution of order 2, path
 * counts, satisfaction by path, stage and conversion, stages, funnel
 * customers and the step matrix. */
static void more_analyses(const cx_store *a, const cx_journeys *ja, const cx_store *b, const cx_journeys *jb,
                          const char *prefix)
{
    char what[64];
    cx_result *ra, *rb;
    OK(cx_journeys_attribution(&ra, ja, 2));
    OK(cx_journeys_attribution(&rb, jb, 2));
    snprintf(what, sizeof what, "%sattribution-2", prefix);
    same_heuristics(ra, rb, 1, what); /* every column, the Markov ones too */
    same(ra, rb, what, true);
    OK(cx_journeys_path_counts(&ra, ja, " > "));
    OK(cx_journeys_path_counts(&rb, jb, " > "));
    snprintf(what, sizeof what, "%spath-counts", prefix);
    same_exact(ra, rb, what); /* rows in one order, values summed in fixed point */
    for (int g = CX_JOURNEYS_GROUP_PATH; g <= CX_JOURNEYS_GROUP_CONVERTED; g++) {
        OK(cx_journeys_satisfaction(&ra, ja, (cx_journeys_group)g));
        OK(cx_journeys_satisfaction(&rb, jb, (cx_journeys_group)g));
        snprintf(what, sizeof what, "%ssatisfaction-%d", prefix, g);
        same(ra, rb, what, true);
    }
    OK(cx_journeys_stages(&ra, ja));
    OK(cx_journeys_stages(&rb, jb));
    snprintf(what, sizeof what, "%sstages", prefix);
    same(ra, rb, what, false);
    OK(cx_journeys_customer_stages(&ra, ja));
    OK(cx_journeys_customer_stages(&rb, jb));
    snprintf(what, sizeof what, "%scustomer-stages", prefix);
    same(ra, rb, what, true);
    cx_funnel *fa, *fb;
    OK(cx_funnel_new(&fa, a));
    OK(cx_funnel_new(&fb, b));
    cx_funnel *f2[] = {fa, fb};
    for (int k = 0; k < 2; k++) {
        OK(cx_funnel_add_step(f2[k], CX_JOURNEYS_LEVEL_STAGE, "consideration"));
        OK(cx_funnel_add_step(f2[k], CX_JOURNEYS_LEVEL_STAGE, "purchase"));
    }
    OK(cx_journeys_funnel_customers(&ra, ja, fa));
    OK(cx_journeys_funnel_customers(&rb, jb, fb));
    cx_funnel_free(fa);
    cx_funnel_free(fb);
    snprintf(what, sizeof what, "%sfunnel-customers", prefix);
    same(ra, rb, what, true);
    OK(cx_journeys_step_matrix(&ra, ja, 5));
    OK(cx_journeys_step_matrix(&rb, jb, 5));
    snprintf(what, sizeof what, "%sstep-matrix", prefix);
    same(ra, rb, what, false);
}

/* Every analysis of the two stores, compared. */
static void compare_stores(const cx_store *a, const cx_store *b)
{
    static const cx_dim dims[] = {CX_DIM_CHANNEL, CX_DIM_TOUCHPOINT, CX_DIM_SEGMENT, CX_DIM_AGENT};
    static const char *const dname[] = {"metrics-channel", "metrics-touchpoint", "metrics-segment", "metrics-agent"};
    for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++)
        same(metrics(a, dims[d]), metrics(b, dims[d]), dname[d], true);
    cx_result *ra, *rb;
    OK(cx_cohorts_run(&ra, a, NULL));
    OK(cx_cohorts_run(&rb, b, NULL));
    same(ra, rb, "retention", false);

    cx_journeys *ja, *jb;
    OK(cx_journeys_new(&ja, a, NULL));
    OK(cx_journeys_new(&jb, b, NULL));
    ck_assert_uint_eq(cx_journeys_count(ja), cx_journeys_count(jb));
    ck_assert_uint_eq(cx_journeys_conversion_count(ja), cx_journeys_conversion_count(jb));
    ck_assert_uint_gt(cx_journeys_conversion_count(ja), 0);
    OK(cx_journeys_list(&ra, ja));
    OK(cx_journeys_list(&rb, jb));
    same(ra, rb, "journeys-list", true);
    OK(cx_journeys_paths(&ra, ja, 50));
    OK(cx_journeys_paths(&rb, jb, 50));
    same(ra, rb, "paths", false);
    for (int order = 1; order <= 2; order++) {
        OK(cx_journeys_transitions(&ra, ja, order));
        OK(cx_journeys_transitions(&rb, jb, order));
        same_exact(ra, rb, order == 1 ? "transitions-1" : "transitions-2"); /* states by name */
    }
    OK(cx_journeys_drivers(&ra, ja));
    OK(cx_journeys_drivers(&rb, jb));
    same_exact(ra, rb, "drivers"); /* sums in fixed point, ties by name */
    OK(cx_journeys_attribution(&ra, ja, 1));
    OK(cx_journeys_attribution(&rb, jb, 1));
    same(ra, rb, "attribution", true);
    same(funnel(a, ja), funnel(b, jb), "funnel", false);
    OK(cx_journeys_pain_points(&ra, ja));
    OK(cx_journeys_pain_points(&rb, jb));
    same(ra, rb, "pain-points", true);
    more_analyses(a, ja, b, jb, "");
    cx_journeys_free(ja);
    cx_journeys_free(jb);
    /* other options: the cut, the path states and the values take other
     * branches (channel level, merged repeats, a gap, conversions out of
     * the paths) */
    cx_journeys_options *oa, *ob;
    OK(cx_journeys_options_new(&oa, a));
    OK(cx_journeys_options_new(&ob, b));
    cx_journeys_options *both[] = {oa, ob};
    for (int k = 0; k < 2; k++) {
        OK(cx_journeys_options_set_level(both[k], CX_JOURNEYS_LEVEL_CHANNEL));
        OK(cx_journeys_options_set_collapse(both[k], 1));
        OK(cx_journeys_options_set_boundary(both[k], CX_JOURNEYS_BOUNDARY_GAP));
        OK(cx_journeys_options_set_gap(both[k], 2 * DAY_MS));
        OK(cx_journeys_options_set_conversion_in_path(both[k], 0));
    }
    OK(cx_journeys_new(&ja, a, oa));
    OK(cx_journeys_new(&jb, b, ob));
    cx_journeys_options_free(oa);
    cx_journeys_options_free(ob);
    ck_assert_uint_eq(cx_journeys_count(ja), cx_journeys_count(jb));
    OK(cx_journeys_list(&ra, ja));
    OK(cx_journeys_list(&rb, jb));
    same(ra, rb, "gap-journeys-list", true);
    OK(cx_journeys_paths(&ra, ja, 50));
    OK(cx_journeys_paths(&rb, jb, 50));
    same(ra, rb, "gap-paths", false);
    OK(cx_journeys_attribution(&ra, ja, 1));
    OK(cx_journeys_attribution(&rb, jb, 1));
    same(ra, rb, "gap-attribution", true);
    OK(cx_journeys_pain_points(&ra, ja));
    OK(cx_journeys_pain_points(&rb, jb));
    same(ra, rb, "gap-pain-points", true);
    more_analyses(a, ja, b, jb, "gap-");
    cx_journeys_free(ja);
    cx_journeys_free(jb);
}

START_TEST(demo_sorted_and_shuffled)
{
    const char *dir = P("shuffled");
    char shuffled[512];
    snprintf(shuffled, sizeof shuffled, "%s", dir);
    ck_assert_int_eq(mkdir(shuffled, 0700), 0);
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++) {
        const char *name;
        char src[1024], dst[1024];
        OK(cx_table_name(&name, tables[i]));
        snprintf(src, sizeof src, "%s/%s.csv", CXKIT_DEMO_DATA, name);
        snprintf(dst, sizeof dst, "%s/%s.csv", shuffled, name);
        /* the definitions (touchpoints, questions) stay as they are */
        if (tables[i] == CX_TABLE_TOUCHPOINTS || tables[i] == CX_TABLE_QUESTIONS) {
            char rel[256];
            size_t len;
            char *text = slurp(src, &len);
            ck_assert_ptr_nonnull(text);
            snprintf(rel, sizeof rel, "shuffled/%s.csv", name);
            write_bytes(rel, text, len);
            free(text);
        } else {
            shuffle_file(src, dst, 14 + (uint64_t)i);
        }
    }
    cx_store *a = import_dir(CXKIT_DEMO_DATA), *b = import_dir(shuffled);
    /* the shuffle did move the rows */
    ck_assert_str_ne(store_str(a, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 0),
                     store_str(b, CX_TABLE_INTERACTIONS, CX_INTERACTION_ID, 0));
    compare_stores(a, b);
    cx_store_free(a);
    cx_store_free(b);
}
END_TEST

/* Events of one customer at one time: the journeys are the same whatever
 * the order they were added in. */
START_TEST(ties_any_order)
{
    static const char *const tp[] = {"web", "ad", "buy", "mail"};
    static const char *const kind[] = {"view", "view", "purchase", "message"};
    static const int perm[2][4] = {{0, 1, 2, 3}, {2, 3, 1, 0}};
    char *text[2];
    for (int k = 0; k < 2; k++) {
        cx_store *s;
        OK(cx_store_new(&s));
        OK(cx_touchpoint_add(s, "ad", "ads", "awareness", NULL, 0, 1));
        OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 1, 1));
        OK(cx_touchpoint_add(s, "mail", "email", "consideration", NULL, 0, 1));
        OK(cx_touchpoint_add(s, "buy", "web", "purchase", NULL, 1, 1));
        OK(cx_customer_add(s, "c1", NULL, NULL, NULL, CX_TIME_NONE));
        OK(cx_customer_add(s, "c2", NULL, NULL, NULL, CX_TIME_NONE));
        for (int i = 0; i < 4; i++) {
            int e = perm[k][i];
            OK(cx_interaction_add(NULL, s, NULL, "c1", tp[e], T("2024-03-01T10:00:00Z"), kind[e], CX_INBOUND, NULL,
                                  NULL, 0, CX_HANDLED, 10));
            OK(cx_interaction_add(NULL, s, NULL, "c2", tp[e], T("2024-03-01T10:00:00Z") + (e % 2), kind[e],
                                  CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 10));
        }
        cx_journeys *j;
        cx_result *r;
        OK(cx_journeys_new(&j, s, NULL));
        OK(cx_journeys_list(&r, j));
        text[k] = result_text(r, k ? "ties-b.csv" : "ties-a.csv", false);
        cx_journeys_free(j);
        cx_store_free(s);
    }
    /* c1: the purchase last of its millisecond, the others by touchpoint name */
    EXPECT(strstr(text[0], "ad > mail > web > buy"), "%s", text[0]);
    ck_assert_str_eq(text[0], text[1]);
    free(text[0]);
    free(text[1]);
}
END_TEST

/* Two purchases of one customer at the same millisecond, at the same
 * touchpoint, with no id and different values (100 and 5), and a
 * post-purchase step tied with a plain visit at that touchpoint: whatever
 * order they are added in, through the build for rows in order (twice,
 * the ties either way), the radix sort (rows out of order) and its
 * fallback (times a millisecond apart over 9997 years and 40000 customers:
 * (customer, time) needs more than 64 bits), the journeys carry the same
 * values and the same steps, and attribution gives each touchpoint the
 * same value. Before, the ties went by row and the values swapped. */
START_TEST(tied_values_any_order)
{
    /* the events of c1: 0 ad view, 1 buy 100, 2 buy 5, 3 ship delivery
     * (post-purchase), 4 ship visit (not), 3 and 4 at the same time */
    static const int perm[4][5] = {{0, 1, 2, 3, 4}, {0, 2, 1, 4, 3}, {2, 4, 0, 3, 1}, {4, 2, 3, 1, 0}};
    static const char *const tp[] = {"ad", "buy", "buy", "ship", "ship"};
    static const char *const kind[] = {"view", "purchase", "purchase", "delivery", "visit"};
    static const double value[] = {0, 100, 5, 0, 0};
    const cx_time t0 = T("2024-03-01T10:00:00Z");
    static const cx_time at[] = {0, HOUR_MS, HOUR_MS, 2 * HOUR_MS, 2 * HOUR_MS};
    char *text[5][2];
    for (int k = 0; k < 5; k++) {
        cx_store *s;
        OK(cx_store_new(&s));
        OK(cx_touchpoint_add(s, "ad", "ads", "awareness", NULL, 0, 1));
        OK(cx_touchpoint_add(s, "buy", "web", "purchase", NULL, 1, 1));
        OK(cx_touchpoint_add(s, "ship", "delivery", "purchase", NULL, 0, 1));
        OK(cx_customer_add(s, "c1", NULL, NULL, NULL, CX_TIME_NONE));
        bool wide = k == 4;
        char id[32];
        for (int c = 0; wide && c < 40000; c++) {
            snprintf(id, sizeof id, "w%d", c);
            OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
        }
        for (int i = 0; i < 5; i++) {
            int e = perm[k < 4 ? k : 2][i];
            OK(cx_interaction_add(NULL, s, NULL, "c1", tp[e], t0 + at[e], kind[e], CX_INBOUND, NULL, NULL, 0,
                                  CX_HANDLED, value[e]));
        }
        if (wide) {
            OK(cx_interaction_add(NULL, s, NULL, "w39999", "ad", T("0001-01-01T00:00:00Z") + 1, "view", CX_INBOUND,
                                  NULL, NULL, 0, CX_HANDLED, 0));
            OK(cx_interaction_add(NULL, s, NULL, "w39999", "ad", T("9998-01-01T00:00:00Z"), "view", CX_INBOUND,
                                  NULL, NULL, 0, CX_HANDLED, 0));
        }
        cx_journeys_options *o;
        OK(cx_journeys_options_new(&o, s));
        OK(cx_journeys_options_set_post_purchase(o, CX_POST_PURCHASE_BY_KIND, "delivery"));
        OK(cx_journeys_options_set_min_support(o, 1));
        cx_journeys *j;
        cx_result *r;
        OK(cx_journeys_new(&j, s, o));
        cx_journeys_options_free(o);
        OK(cx_journeys_list(&r, j));
        text[k][0] = result_text(r, "tied-list.csv", false);
        OK(cx_journeys_attribution(&r, j, 1));
        text[k][1] = result_text(r, "tied-attribution.csv", false);
        cx_journeys_free(j);
        cx_store_free(s);
    }
    /* the wide store lists c1's journeys first, then w39999's */
    for (int k = 1; k < 5; k++)
        EXPECT((k < 4 ? strcmp(text[k][0], text[0][0]) : strncmp(text[k][0], text[0][0], strlen(text[0][0]))) == 0,
               "order %d:\n%s\nagainst\n%s", k, text[k][0], text[0][0]);
    for (int k = 1; k < 4; k++)
        EXPECT(strcmp(text[k][1], text[0][1]) == 0, "order %d:\n%s\nagainst\n%s", k, text[k][1], text[0][1]);
    for (int k = 0; k < 5; k++) {
        free(text[k][0]);
        free(text[k][1]);
    }
}
END_TEST

/* Paths tied on journeys at the cut of a top k: the same path whichever
 * order the touchpoints were added in (by the states' names; the codes
 * follow that order, and a shuffled touchpoints file put another of the
 * tied paths in). */
START_TEST(tied_paths_any_touchpoint_order)
{
    static const char *const tps[2][3] = {{"ad", "mail", "web"}, {"web", "mail", "ad"}};
    char *text[2];
    for (int k = 0; k < 2; k++) {
        cx_store *s;
        OK(cx_store_new(&s));
        for (int i = 0; i < 3; i++)
            OK(cx_touchpoint_add(s, tps[k][i], "web", "consideration", NULL, 0, 1));
        const char *cust[] = {"c1", "c2", "c3", "c4"};
        const char *first[] = {"web", "ad", "mail", "mail"};
        for (int c = 0; c < 4; c++) {
            OK(cx_customer_add(s, cust[c], NULL, NULL, NULL, CX_TIME_NONE));
            OK(cx_interaction_add(NULL, s, NULL, cust[c], first[c], T("2024-03-01T10:00:00Z"), "view", CX_INBOUND,
                                  NULL, NULL, 0, CX_HANDLED, 0));
        }
        cx_journeys *j;
        cx_result *r;
        OK(cx_journeys_new(&j, s, NULL));
        OK(cx_journeys_paths(&r, j, 2));
        text[k] = result_text(r, "tied-paths.csv", false);
        cx_journeys_free(j);
        cx_store_free(s);
    }
    /* mail twice first; then ad and web once each: ad by name */
    EXPECT(strstr(text[0], "\nmail,") && strstr(text[0], "\nad,") && !strstr(text[0], "\nweb,"), "%s", text[0]);
    ck_assert_str_eq(text[1], text[0]);
    free(text[0]);
    free(text[1]);
}
END_TEST

/* 40000 customers and times from year 1 to 9998: (customer, time) needs
 * 16 + 49 bits, more than one 64-bit key, and the build takes its fallback;
 * the journeys are those the radix sort gives for the same rows without
 * the two far times. */
START_TEST(wide_keys_fallback)
{
    char *text[2];
    for (int k = 0; k < 2; k++) {
        cx_store *s;
        OK(cx_store_new(&s));
        OK(cx_touchpoint_add(s, "ad", "ads", "awareness", NULL, 0, 1));
        OK(cx_touchpoint_add(s, "buy", "web", "purchase", NULL, 1, 1));
        char id[32];
        for (int c = 0; c < 40000; c++) {
            snprintf(id, sizeof id, "c%d", c);
            OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
        }
        uint64_t seed = 7;
        for (int i = 0; i < 3000; i++) {
            int c = (int)(splitmix64(&seed) % 40000);
            snprintf(id, sizeof id, "c%d", c);
            cx_time t = T("2024-01-01T00:00:00Z") + (cx_time)(splitmix64(&seed) % (90 * DAY_MS));
            OK(cx_interaction_add(NULL, s, NULL, id, i % 3 ? "ad" : "buy", t, i % 3 ? "view" : "purchase", CX_INBOUND,
                                  NULL, NULL, 0, CX_HANDLED, 1));
        }
        if (k == 1) { /* one customer's events at both ends of the time range */
            OK(cx_interaction_add(NULL, s, NULL, "c39999", "ad", T("0001-01-01T00:00:00Z"), "view", CX_INBOUND, NULL,
                                  NULL, 0, CX_HANDLED, 1));
            OK(cx_interaction_add(NULL, s, NULL, "c39999", "ad", T("9998-01-01T00:00:00Z"), "view", CX_INBOUND, NULL,
                                  NULL, 0, CX_HANDLED, 1));
        }
        cx_journeys *j;
        cx_result *r;
        OK(cx_journeys_new(&j, s, NULL));
        OK(cx_journeys_list(&r, j));
        text[k] = result_text(r, k ? "wide-b.csv" : "wide-a.csv", false);
        cx_journeys_free(j);
        cx_store_free(s);
    }
    /* the same lines but c39999's */
    char *a = text[0], *b = text[1];
    size_t la = strlen(a), lb = strlen(b);
    ck_assert_uint_gt(lb, la);
    char *pa = a, *pb = b;
    while (*pa || *pb) {
        if (strncmp(pb, "c39999,", 7) == 0) {
            pb = strchr(pb, '\n') + 1;
            if (strncmp(pa, "c39999,", 7) == 0)
                pa = strchr(pa, '\n') + 1;
            continue;
        }
        char *ea = strchr(pa, '\n'), *eb = strchr(pb, '\n');
        ck_assert_ptr_nonnull(ea);
        ck_assert_ptr_nonnull(eb);
        EXPECT(ea - pa == eb - pb && memcmp(pa, pb, (size_t)(ea - pa)) == 0, "%.*s != %.*s", (int)(ea - pa), pa,
               (int)(eb - pb), pb);
        pa = ea + 1;
        pb = eb + 1;
    }
    free(a);
    free(b);
}
END_TEST

/* An event of the tests below: its customer "c<c>", its touchpoint (tev_tp)
 * and its time. */
typedef struct tev {
    int c, tp;
    cx_time t;
} tev;

static const char *const tev_tp[] = {"ad", "web", "mail", "buy"};

/* ev[0..n) in a seeded random order. */
static void tev_shuffle(tev *ev, int n, uint64_t *seed)
{
    for (int i = n - 1; i > 0; i--) {
        int r = (int)(splitmix64(seed) % (uint64_t)(i + 1));
        tev x = ev[i];
        ev[i] = ev[r];
        ev[r] = x;
    }
}

/* A store (allocating through `alloc`, NULL for malloc) of the four
 * touchpoints, customers c0 .. c<nc - 1> and the events ev[0..n) added in
 * that order ("buy" a purchase, the others views). */
static cx_store *tev_store(const tev *ev, int n, int nc, cx_alloc_fn alloc, void *ud)
{
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, alloc, ud));
    OK(cx_touchpoint_add(s, "ad", "ads", "awareness", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "mail", "email", "consideration", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "buy", "web", "purchase", NULL, 1, 1));
    char id[32];
    for (int c = 0; c < nc; c++) {
        snprintf(id, sizeof id, "c%d", c);
        OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
    }
    for (int i = 0; i < n; i++) {
        snprintf(id, sizeof id, "c%d", ev[i].c);
        OK(cx_interaction_add(NULL, s, NULL, id, tev_tp[ev[i].tp], ev[i].t, ev[i].tp == 3 ? "purchase" : "view",
                              CX_INBOUND, NULL, NULL, 0, CX_HANDLED, 1 + ev[i].tp));
    }
    return s;
}

/* Customers with few and many events (sorted in the bucket by rank, by
 * insertion and by a heap), times at whole seconds and at milliseconds
 * over more than 49 days (32-bit and 64-bit times in the index), many
 * events at the same second, added in (customer, time) order and shuffled:
 * the same journeys, paths and transitions. */
START_TEST(long_customers_any_order)
{
    static const int len[] = {1, 7, 32, 33, 48, 49, 300};
    enum { NC = sizeof len / sizeof len[0] };
    for (int ms = 0; ms < 2; ms++) {
        char *text[2][3];
        for (int k = 0; k < 2; k++) {
            /* the events: customer, touchpoint, time; k = 1 shuffles them */
            tev ev[600];
            int n = 0;
            uint64_t seed = 14 + (uint64_t)ms;
            for (int c = 0; c < NC; c++) {
                cx_time t = T("2024-01-01T00:00:00Z");
                for (int i = 0; i < len[c]; i++) {
                    /* a third at the same second as the one before */
                    if (i == 0 || splitmix64(&seed) % 3)
                        t += ms ? (cx_time)(splitmix64(&seed) % (2 * DAY_MS)) + 1
                                : 1000 * (cx_time)(1 + splitmix64(&seed) % 86400);
                    ev[n++] = (tev){c, (int)(splitmix64(&seed) % 4), t};
                }
            }
            if (k == 1)
                tev_shuffle(ev, n, &seed);
            cx_store *s = tev_store(ev, n, NC, NULL, NULL);
            cx_journeys *j;
            cx_result *r;
            OK(cx_journeys_new(&j, s, NULL));
            ck_assert_uint_gt(cx_journeys_conversion_count(j), 10);
            OK(cx_journeys_list(&r, j));
            text[k][0] = result_text(r, "long-list.csv", false);
            OK(cx_journeys_paths(&r, j, 20));
            text[k][1] = result_text(r, "long-paths.csv", false);
            OK(cx_journeys_transitions(&r, j, 2));
            text[k][2] = result_text(r, "long-transitions.csv", true);
            cx_journeys_free(j);
            cx_store_free(s);
        }
        for (int t = 0; t < 3; t++) {
            ck_assert_str_eq(text[0][t], text[1][t]);
            free(text[0][t]);
            free(text[1][t]);
        }
    }
}
END_TEST

/* An allocator whose every block starts `shift` bytes past a 64-byte line
 * (a multiple of 16, as malloc's blocks may), the shift moved on by 16 at
 * each request: the build's arrays start at every place in a line. */
typedef struct shifted {
    unsigned next;
} shifted;

static void *shifted_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    shifted *sh = ud;
    if (nsize == 0) {
        if (ptr)
            free(((void **)ptr)[-1]);
        return NULL;
    }
    char *raw = malloc(nsize + 128);
    if (!raw)
        return NULL;
    /* a line past room for raw's address, then the shift: at most 8 + 63 + 48 bytes in */
    char *p = raw + 8 + (64 - (uintptr_t)(raw + 8) % 64) % 64 + 16 * (sh->next++ % 4);
    ((void **)(void *)p)[-1] = raw;
    if (ptr) {
        memcpy(p, ptr, osize < nsize ? osize : nsize);
        free(((void **)ptr)[-1]);
    }
    return p;
}

/* Every number of events from 1 to 80 (the build's buckets start and end
 * at every place in a line of the cache, and hold fewer events than a
 * line), over 1 to 6 customers, their arrays at every place in a line
 * (shifted_fn): added in (customer, time) order and shuffled, the same
 * journeys and transitions. */
START_TEST(every_small_size_any_order)
{
    for (int n = 1; n <= 80; n++) {
        int nc = 1 + n % 6;
        tev ev[80];
        uint64_t seed = 100 + (uint64_t)n;
        for (int i = 0; i < n; i++)
            ev[i] = (tev){(int)(splitmix64(&seed) % (uint64_t)nc), (int)(splitmix64(&seed) % 4),
                                T("2024-01-01T00:00:00Z") + 1000 * (cx_time)(splitmix64(&seed) % 86400)};
        /* sorted by customer and time (insertion: a few events) */
        for (int i = 1; i < n; i++)
            for (int k = i; k > 0 && (ev[k - 1].c > ev[k].c || (ev[k - 1].c == ev[k].c && ev[k - 1].t > ev[k].t));
                 k--) {
                tev x = ev[k];
                ev[k] = ev[k - 1];
                ev[k - 1] = x;
            }
        char *text[2][2];
        for (int k = 0; k < 2; k++) {
            if (k == 1) /* shuffled */
                tev_shuffle(ev, n, &seed);
            shifted sh = {(unsigned)n};
            cx_store *s = tev_store(ev, n, nc, shifted_fn, &sh);
            cx_journeys *j;
            cx_result *r;
            OK(cx_journeys_new(&j, s, NULL));
            OK(cx_journeys_list(&r, j));
            text[k][0] = result_text(r, "small-list.csv", false);
            OK(cx_journeys_transitions(&r, j, 1));
            text[k][1] = result_text(r, "small-transitions.csv", true);
            cx_journeys_free(j);
            cx_store_free(s);
        }
        for (int t = 0; t < 2; t++) {
            EXPECT(strcmp(text[0][t], text[1][t]) == 0, "%d events: %s != %s", n, text[0][t], text[1][t]);
            free(text[0][t]);
            free(text[1][t]);
        }
    }
}
END_TEST

int main(void)
{
    Suite *su = suite_create("order");
    TCase *tc = tcase_create("core");
    tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown);
    tcase_add_test(tc, demo_sorted_and_shuffled);
    tcase_add_test(tc, ties_any_order);
    tcase_add_test(tc, tied_values_any_order);
    tcase_add_test(tc, tied_paths_any_touchpoint_order);
    tcase_add_test(tc, wide_keys_fallback);
    tcase_add_test(tc, long_customers_any_order);
    tcase_add_test(tc, every_small_size_any_order);
    suite_add_tcase(su, tc);
    return run_suite(su);
}

/* Tests of the journeys module (cx_journeys_*, cx_funnel_*), its results
 * read through the cx_result getters: journeys cut by gap and conversion on hand-made customers (a single
 * event, ties in time, events added out of order, cycles, no conversion),
 * paths, transitions of order 1 and 2, Markov removal effects on small
 * chains solved by hand, heuristic attributions summing to the
 * conversions, funnels (strict, loose, window, exclusion, empty), stages,
 * pain points and drivers on seeded synthetic data, satisfaction, bad
 * arguments and running out of memory. Public API only. */
#include "cx_test.h"

#define T0 (1704067200000LL) /* 2024-01-01 */

/* Journey figures are counts, sums and ratios of a few small numbers, so
 * they are checked to 1e-9 (relative), tighter than CLOSE's 1e-6. */
#define EXACT(x, ref) NEAR(x, ref, 1e-9 * (1 + fabs((double)(ref))))

static void ev(cx_store *s, const char *c, const char *tp, cx_time t, const char *kind, double value)
{
    OK(cx_interaction_add(NULL, s, NULL, c, tp, t, kind, CX_INBOUND, NULL, NULL, 0, CX_HANDLED, value));
}

static cx_store *base_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_touchpoint_add(s, "ad", "ads", "awareness", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "mail", "email", "consideration", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "buy", "web", "purchase", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "ship", "delivery", "purchase", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "call", "phone", "service", NULL, 1, 1));
    return s;
}

/* A: two purchases, a tie in time; B: a single event; C: a gap of 40 days
 * and a repeat; D: nothing; E: added out of time order. */
static cx_store *journey_store(void)
{
    cx_store *s = base_store();
    const char *ids[] = {"A", "B", "C", "D", "E"};
    for (int i = 0; i < 5; i++)
        OK(cx_customer_add(s, ids[i], NULL, NULL, NULL, CX_TIME_NONE));
    ev(s, "A", "ad", T0, "view", 0);
    ev(s, "A", "web", T0 + HOUR_MS, "visit", 0);
    ev(s, "A", "buy", T0 + 2 * HOUR_MS, "purchase", 100);
    ev(s, "A", "ship", T0 + 2 * DAY_MS, "delivery", 0);
    ev(s, "A", "web", T0 + 2 * DAY_MS, "visit", 0); /* same time as ship: row order */
    ev(s, "A", "buy", T0 + 3 * DAY_MS, "purchase", 50);
    ev(s, "B", "web", T0, "visit", 0);
    ev(s, "C", "web", T0, "visit", 0);
    ev(s, "C", "web", T0 + HOUR_MS, "visit", 0);
    ev(s, "C", "ad", T0 + 40 * DAY_MS, "view", 0);
    ev(s, "E", "web", T0 + 5 * HOUR_MS, "visit", 0);
    ev(s, "E", "ad", T0 + HOUR_MS, "view", 0);
    return s;
}

/* Journeys under a boundary rule; build() keeps the default rule. */
static cx_journeys *build_rule(cx_store *s, int64_t gap, int collapse, cx_journeys_level level,
                               cx_journeys_boundary rule)
{
    cx_journeys_options *o;
    cx_journeys *j;
    OK(cx_journeys_options_new(&o, s));
    OK(cx_journeys_options_set_boundary(o, rule));
    OK(cx_journeys_options_set_gap(o, gap));
    OK(cx_journeys_options_set_collapse(o, collapse));
    OK(cx_journeys_options_set_level(o, level));
    OK(cx_journeys_new(&j, s, o));
    cx_journeys_options_free(o);
    return j;
}

static cx_journeys *build(cx_store *s, int64_t gap, int collapse, cx_journeys_level level)
{
    cx_journeys_options *o;
    cx_journeys *j;
    OK(cx_journeys_options_new(&o, s));
    OK(cx_journeys_options_set_gap(o, gap));
    OK(cx_journeys_options_set_collapse(o, collapse));
    OK(cx_journeys_options_set_level(o, level));
    OK(cx_journeys_new(&j, s, o));
    cx_journeys_options_free(o);
    return j;
}

/* The rule of 0.2, a conversion ends its journey, still available: the
 * figures pinned before the post-purchase boundary became the default. */
START_TEST(journeys_cut)
{
    cx_store *s = journey_store();
    cx_journeys *j = build_rule(s, 30 * DAY_MS, 0, CX_JOURNEYS_LEVEL_TOUCHPOINT, CX_JOURNEYS_BOUNDARY_CONVERSION);
    cx_result *t;
    OK(cx_journeys_list(&t, j));
    ck_assert_uint_eq(cx_journeys_count(j), 6);
    ck_assert_uint_eq(cx_journeys_conversion_count(j), 2);
    ck_assert_uint_eq(cx_result_row_count(t), 6);
    ck_assert(cx_journeys_byte_count(j) > 0);
    static const char *cust[] = {"A", "A", "B", "C", "C", "E"};
    static const char *path[] = {"ad > web > buy", "ship > web > buy", "web", "web > web", "ad", "ad > web"};
    static const int conv[] = {1, 1, 0, 0, 0, 0};
    static const double val[] = {100, 50, 0, 0, 0, 0};
    for (size_t i = 0; i < 6; i++) {
        ck_assert_str_eq(result_str(t, i, "customer"), cust[i]);
        ck_assert_str_eq(result_str(t, i, "path"), path[i]);
        ck_assert_int_eq(result_int(t, i, "converted"), conv[i]);
        EXACT(result_real(t, i, "value"), val[i]);
    }
    ck_assert_int_eq(result_int(t, 0, "start"), T0);
    ck_assert_int_eq(result_int(t, 0, "end"), T0 + 2 * HOUR_MS);
    ck_assert_int_eq(result_int(t, 5, "start"), T0 + HOUR_MS); /* E sorted by time */
    int ty;
    OK(cx_result_column_type(&ty, t, result_col(t, "start")));
    ck_assert_int_eq(ty, CX_TYPE_TIME);
    /* a journeys result exports like any other: its times as UTC instants */
    char dir[] = "/tmp/cxjouXXXXXX", file[64], csv[512];
    ck_assert_ptr_nonnull(mkdtemp(dir));
    snprintf(file, sizeof file, "%s/list.csv", dir);
    OK(cx_result_export_csv(t, file));
    FILE *f = fopen(file, "rb");
    ck_assert_ptr_nonnull(f);
    size_t n = fread(csv, 1, sizeof csv - 1, f);
    fclose(f);
    csv[n] = 0;
    const char *want = "customer,start,end,events,converted,value,path,converted_at,events_after_conversion\r\n"
                       "A,2024-01-01T00:00:00Z,2024-01-01T02:00:00Z,3,1,100,ad > web > buy,2024-01-01T02:00:00Z,0\r\n";
    ck_assert_msg(strncmp(csv, want, strlen(want)) == 0, "%s", csv);
    remove(file);
    rmdir(dir);
    cx_result_free(t);
    cx_journeys_free(j);

    /* collapsing, no gap, channel level; then no cut at conversion */
    j = build_rule(s, 0, 1, CX_JOURNEYS_LEVEL_CHANNEL, CX_JOURNEYS_BOUNDARY_CONVERSION);
    OK(cx_journeys_list(&t, j));
    ck_assert_uint_eq(cx_result_row_count(t), 5);
    ck_assert_str_eq(result_str(t, 0, "path"), "ads > web"); /* web, buy are both channel web */
    ck_assert_str_eq(result_str(t, 1, "path"), "delivery > web");
    ck_assert_str_eq(result_str(t, 3, "path"), "web > ads");
    cx_result_free(t);
    cx_journeys_free(j);

    cx_journeys_options *o;
    OK(cx_journeys_options_new(&o, s));
    OK(cx_journeys_options_set_cut_at_conversion(o, 0));
    OK(cx_journeys_options_set_conversion_in_path(o, 0));
    OK(cx_journeys_new(&j, s, o));
    OK(cx_journeys_list(&t, j));
    ck_assert_uint_eq(cx_result_row_count(t), 4);
    ck_assert_str_eq(result_str(t, 0, "path"), "ad > web > ship > web");
    EXACT(result_real(t, 0, "value"), 150);
    ck_assert_int_eq(result_int(t, 0, "events"), 6);
    cx_result_free(t);
    cx_journeys_free(j);
    cx_journeys_options_free(o);
    cx_store_free(s);
}
END_TEST

/* Conversion values read back exactly whether the store keeps them in
 * cents (4 bytes a row while every value is an amount in cents) or as
 * doubles (a value that is not widens the column, issue 14), with rows
 * added in (customer, time) order and out of it (two ways of ordering). */
START_TEST(values_in_cents_or_doubles)
{
    static const double vals[2][2] = {{161.55, 0.07}, {161.555, 1e-3}};
    for (int w = 0; w < 2; w++)
        for (int shuffled = 0; shuffled < 2; shuffled++) {
            cx_store *s = base_store();
            OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
            OK(cx_customer_add(s, "B", NULL, NULL, NULL, CX_TIME_NONE));
            ev(s, "A", "ad", T0, "view", 0);
            ev(s, "A", "buy", T0 + HOUR_MS, "purchase", vals[w][0]);
            ev(s, "B", "web", T0, "visit", 0);
            ev(s, "B", "buy", T0 + 2 * HOUR_MS, "purchase", vals[w][1]);
            if (shuffled)
                ev(s, "A", "web", T0 - HOUR_MS, "visit", 0); /* out of order */
            cx_journeys *j = build_rule(s, 30 * DAY_MS, 0, CX_JOURNEYS_LEVEL_TOUCHPOINT,
                                        CX_JOURNEYS_BOUNDARY_CONVERSION);
            cx_result *t;
            OK(cx_journeys_list(&t, j));
            ck_assert_uint_eq(cx_result_row_count(t), 2);
            ck_assert_str_eq(result_str(t, 0, "customer"), "A");
            ck_assert_str_eq(result_str(t, 1, "customer"), "B");
            ck_assert_msg(result_real(t, 0, "value") == vals[w][0], "width %d, shuffled %d: A's value %a", w, shuffled,
                          result_real(t, 0, "value"));
            ck_assert_msg(result_real(t, 1, "value") == vals[w][1], "width %d, shuffled %d: B's value %a", w, shuffled,
                          result_real(t, 1, "value"));
            cx_result_free(t);
            cx_journeys_free(j);
            cx_store_free(s);
        }
}
END_TEST

/* Post-purchase steps by hand. Touchpoints of base_store() plus "news"
 * (email, retention) and "box" (packaging, onboarding, kind "product").
 * P: ad, web, buy (100), ship 2 d, call 3 d, news 10 d, web 11 d, buy 11 d + 1 h (40), ship 13 d.
 * Q: web, buy (10), ship 20 d later.
 * R: buy (10), ship 1 d, box 1 d + 1 h, buy 30 d (20), ship 31 d: two orders, no browsing.
 * S: call, web: service before any purchase, no conversion. */
static cx_store *post_store(void)
{
    cx_store *s = base_store();
    OK(cx_touchpoint_add(s, "news", "email", "retention", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "box", "packaging", "onboarding", "product", 0, 1));
    const char *ids[] = {"P", "Q", "R", "S"};
    for (int i = 0; i < 4; i++)
        OK(cx_customer_add(s, ids[i], NULL, NULL, NULL, CX_TIME_NONE));
    ev(s, "P", "ad", T0, "view", 0);
    ev(s, "P", "web", T0 + HOUR_MS, "visit", 0);
    ev(s, "P", "buy", T0 + 2 * HOUR_MS, "purchase", 100);
    ev(s, "P", "ship", T0 + 2 * DAY_MS, "delivery", 0);
    ev(s, "P", "call", T0 + 3 * DAY_MS, "contact", 0);
    ev(s, "P", "news", T0 + 10 * DAY_MS, "message", 0);
    ev(s, "P", "web", T0 + 11 * DAY_MS, "visit", 0);
    ev(s, "P", "buy", T0 + 11 * DAY_MS + HOUR_MS, "purchase", 40);
    ev(s, "P", "ship", T0 + 13 * DAY_MS, "delivery", 0);
    ev(s, "Q", "web", T0, "visit", 0);
    ev(s, "Q", "buy", T0 + HOUR_MS, "purchase", 10);
    ev(s, "Q", "ship", T0 + 20 * DAY_MS, "delivery", 0);
    ev(s, "R", "buy", T0, "purchase", 10);
    ev(s, "R", "ship", T0 + DAY_MS, "delivery", 0);
    ev(s, "R", "box", T0 + DAY_MS + HOUR_MS, "view", 0);
    ev(s, "R", "buy", T0 + 30 * DAY_MS, "purchase", 20);
    ev(s, "R", "ship", T0 + 31 * DAY_MS, "delivery", 0);
    ev(s, "S", "call", T0, "contact", 0);
    ev(s, "S", "web", T0 + HOUR_MS, "visit", 0);
    return s;
}

/* The journeys of t as one text: "customer:path:converted:events after" per row, joined by " | ". */
static void expect_list(const cx_journeys *j, const char *want)
{
    cx_result *t;
    OK(cx_journeys_list(&t, j));
    char got[1024] = "";
    size_t len = 0;
    for (size_t i = 0; i < cx_result_row_count(t); i++)
        len += (size_t)snprintf(got + len, sizeof got - len, "%s%s:%s:%lld:%lld", i ? " | " : "",
                                result_str(t, i, "customer"), result_str(t, i, "path"),
                                (long long)result_int(t, i, "converted"),
                                (long long)result_int(t, i, "events_after_conversion"));
    ck_assert_str_eq(got, want);
    cx_result_free(t);
}

START_TEST(boundary_post_purchase)
{
    cx_store *s = post_store();
    /* the default: a delivery, the support call and the unboxing after an order stay in its journey; the next
     * pre-purchase touch (news, web) or the next order (R's second buy) starts the next journey */
    cx_journeys *j = build(s, 0, 0, CX_JOURNEYS_LEVEL_TOUCHPOINT);
    expect_list(j, "P:ad > web > buy > ship > call:1:2 | P:news > web > buy > ship:1:1 | Q:web > buy > ship:1:1"
                   " | R:buy > ship > box:1:2 | R:buy > ship:1:1 | S:call > web:0:0");
    ck_assert_uint_eq(cx_journeys_count(j), 6);
    ck_assert_uint_eq(cx_journeys_conversion_count(j), 5);
    cx_result *t;
    OK(cx_journeys_list(&t, j));
    ck_assert_int_eq(result_int(t, 0, "converted_at"), T0 + 2 * HOUR_MS);
    ck_assert_int_eq(result_int(t, 0, "end"), T0 + 3 * DAY_MS); /* the journey ends with its last step */
    EXACT(result_real(t, 0, "value"), 100);
    ck_assert_int_eq(result_int(t, 5, "converted_at"), CX_TIME_NONE);
    cx_result_free(t);
    /* duration includes the steps after the conversion, time to conversion does not */
    OK(cx_journeys_paths(&t, j, 10));
    size_t r = result_row(t, "path", "web > buy > ship");
    EXACT(result_real(t, r, "median_duration_ms"), 20 * DAY_MS);
    EXACT(result_real(t, r, "median_to_conversion_ms"), HOUR_MS);
    r = result_row(t, "path", "call > web");
    ck_assert(isnan(result_real(t, r, "median_to_conversion_ms")));
    cx_result_free(t);
    cx_journeys_free(j);

    /* the gap still cuts, post-purchase steps included: Q's delivery 20 days later is a journey of its own */
    j = build(s, 10 * DAY_MS, 0, CX_JOURNEYS_LEVEL_TOUCHPOINT);
    expect_list(j, "P:ad > web > buy > ship > call:1:2 | P:news > web > buy > ship:1:1 | Q:web > buy:1:0"
                   " | Q:ship:0:0 | R:buy > ship > box:1:2 | R:buy > ship:1:1 | S:call > web:0:0");
    cx_journeys_free(j);

    /* the old rule: the delivery opens the next journey */
    j = build_rule(s, 0, 0, CX_JOURNEYS_LEVEL_TOUCHPOINT, CX_JOURNEYS_BOUNDARY_CONVERSION);
    expect_list(j, "P:ad > web > buy:1:0 | P:ship > call > news > web > buy:1:0 | P:ship:0:0 | Q:web > buy:1:0"
                   " | Q:ship:0:0 | R:buy:1:0 | R:ship > box > buy:1:0 | R:ship:0:0 | S:call > web:0:0");
    cx_journeys_free(j);
    /* cut_at_conversion is the old switch between the conversion rule and the gap alone */
    cx_journeys_options *o;
    OK(cx_journeys_options_new(&o, s));
    OK(cx_journeys_options_set_cut_at_conversion(o, 1));
    OK(cx_journeys_new(&j, s, o));
    ck_assert_uint_eq(cx_journeys_count(j), 9);
    cx_journeys_free(j);
    OK(cx_journeys_options_set_cut_at_conversion(o, 0));
    OK(cx_journeys_new(&j, s, o));
    expect_list(j, "P:ad > web > buy > ship > call > news > web > buy > ship:1:1 | Q:web > buy > ship:1:1"
                   " | R:buy > ship > box > buy > ship:1:1 | S:call > web:0:0");
    cx_journeys_free(j);

    /* the rules are the caller's: retention kept with the order; only deliveries (not R's box); a touchpoint */
    OK(cx_journeys_options_set_boundary(o, CX_JOURNEYS_BOUNDARY_POST_PURCHASE));
    OK(cx_journeys_options_add_post_purchase(o, CX_POST_PURCHASE_BY_STAGE, "retention"));
    OK(cx_journeys_options_add_post_purchase(o, CX_POST_PURCHASE_BY_STAGE, "retention")); /* once */
    OK(cx_journeys_new(&j, s, o));
    expect_list(j, "P:ad > web > buy > ship > call > news:1:3 | P:web > buy > ship:1:1 | Q:web > buy > ship:1:1"
                   " | R:buy > ship > box:1:2 | R:buy > ship:1:1 | S:call > web:0:0");
    cx_journeys_free(j);
    OK(cx_journeys_options_set_post_purchase(o, CX_POST_PURCHASE_BY_KIND, "delivery"));
    OK(cx_journeys_new(&j, s, o));
    expect_list(j, "P:ad > web > buy > ship:1:1 | P:call > news > web > buy > ship:1:1 | Q:web > buy > ship:1:1"
                   " | R:buy > ship:1:1 | R:box > buy > ship:1:1 | S:call > web:0:0");
    cx_journeys_free(j);
    OK(cx_journeys_options_set_post_purchase(o, CX_POST_PURCHASE_BY_TOUCHPOINT_KIND, "product"));
    OK(cx_journeys_options_add_post_purchase(o, CX_POST_PURCHASE_BY_TOUCHPOINT, "ship"));
    OK(cx_journeys_new(&j, s, o));
    expect_list(j, "P:ad > web > buy > ship:1:1 | P:call > news > web > buy > ship:1:1 | Q:web > buy > ship:1:1"
                   " | R:buy > ship > box:1:2 | R:buy > ship:1:1 | S:call > web:0:0");
    cx_journeys_free(j);
    /* conversions out of the path: the conversion stays a state when nothing comes before it (R) */
    OK(cx_journeys_options_set_conversion_in_path(o, 0));
    OK(cx_journeys_new(&j, s, o));
    expect_list(j, "P:ad > web > ship:1:1 | P:call > news > web > ship:1:1 | Q:web > ship:1:1"
                   " | R:buy > ship > box:1:2 | R:buy > ship:1:1 | S:call > web:0:0");
    cx_journeys_free(j);
    cx_journeys_options_free(o);
    cx_store_free(s);
}
END_TEST

START_TEST(top_paths)
{
    cx_store *s = base_store();
    char id[16];
    /* 3 x web > buy (durations 1, 2, 4 h), 2 x web (no conversion), 1 x ad > web > buy */
    for (int i = 0; i < 6; i++) {
        snprintf(id, sizeof id, "K%d", i);
        OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
    }
    ev(s, "K0", "web", T0, "visit", 0);
    ev(s, "K0", "buy", T0 + HOUR_MS, "purchase", 10);
    ev(s, "K1", "web", T0, "visit", 0);
    ev(s, "K1", "buy", T0 + 2 * HOUR_MS, "purchase", 10);
    ev(s, "K1", "web", T0 + 3 * HOUR_MS, "visit", 0);
    ev(s, "K2", "web", T0, "visit", 0);
    ev(s, "K2", "buy", T0 + 4 * HOUR_MS, "purchase", 10);
    ev(s, "K3", "web", T0, "visit", 0);
    ev(s, "K4", "ad", T0, "view", 0);
    ev(s, "K4", "web", T0 + HOUR_MS, "visit", 0);
    ev(s, "K4", "buy", T0 + 2 * HOUR_MS, "purchase", 10);
    OK(cx_feedback_add(NULL, s, NULL, "K0", "nps", 10, T0 + 2 * HOUR_MS, NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "K2", "nps", 3, T0 + 5 * HOUR_MS, NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "K1", "csat", 5, T0 + 1 * HOUR_MS, "web", NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "K3", "nps", 0, T0 - HOUR_MS, NULL, NULL, NULL, NULL)); /* before: no journey */
    cx_journeys *j = build(s, 0, 0, CX_JOURNEYS_LEVEL_TOUCHPOINT);
    cx_result *t;
    OK(cx_journeys_paths(&t, j, 2));
    ck_assert_uint_eq(cx_result_row_count(t), 2);
    ck_assert_str_eq(result_str(t, 0, "path"), "web > buy");
    ck_assert_int_eq(result_int(t, 0, "journeys"), 3);
    ck_assert_int_eq(result_int(t, 0, "conversions"), 3);
    EXACT(result_real(t, 0, "conversion_rate"), 100);
    EXACT(result_real(t, 0, "median_duration_ms"), 2 * HOUR_MS);
    EXACT(result_real(t, 0, "nps"), 0); /* one promoter, one detractor */
    ck_assert_int_eq(result_int(t, 0, "nps_n"), 2);
    EXACT(result_real(t, 0, "csat"), 100);
    ck_assert_str_eq(result_str(t, 1, "path"), "web"); /* K1's second journey and K3 */
    ck_assert_int_eq(result_int(t, 1, "journeys"), 2);
    ck_assert_int_eq(result_int(t, 1, "customers"), 2);
    EXACT(result_real(t, 1, "conversion_rate"), 0);
    EXACT(result_real(t, 1, "median_duration_ms"), 0);
    ck_assert(isnan(result_real(t, 1, "nps")));
    cx_result_free(t);
    OK(cx_journeys_paths(&t, j, 100));
    ck_assert_uint_eq(cx_result_row_count(t), 3);
    cx_result_free(t);

    /* satisfaction for converted and not converted journeys, and by stage */
    OK(cx_journeys_satisfaction(&t, j, CX_JOURNEYS_GROUP_CONVERTED));
    ck_assert_str_eq(result_str(t, 0, "group"), "converted");
    ck_assert_int_eq(result_int(t, 0, "journeys"), 4);
    ck_assert_int_eq(result_int(t, 0, "nps_n"), 2);
    ck_assert_int_eq(result_int(t, 1, "journeys"), 2);
    ck_assert_int_eq(result_int(t, 1, "nps_n"), 0);
    cx_result_free(t);
    OK(cx_journeys_satisfaction(&t, j, CX_JOURNEYS_GROUP_STAGE));
    EXACT(result_real(t, result_row(t, "group", "consideration"), "csat"), 100);
    ck_assert_int_eq(result_int(t, result_row(t, "group", "consideration"), "csat_n"), 1);
    cx_result_free(t);
    OK(cx_journeys_satisfaction(&t, j, CX_JOURNEYS_GROUP_PATH));
    ck_assert_uint_eq(cx_result_row_count(t), 3);
    ck_assert_str_eq(result_str(t, 0, "group"), "web > buy");
    cx_result_free(t);
    cx_journeys_free(j);
    cx_store_free(s);
}
END_TEST

/* The transitions table as "from|to" -> count, probability. */
static void expect_edge(const cx_result *t, const char *from, const char *to, int64_t n, double p)
{
    for (size_t i = 0; i < cx_result_row_count(t); i++)
        if (strcmp(result_str(t, i, "from"), from) == 0 && strcmp(result_str(t, i, "to"), to) == 0) {
            ck_assert_int_eq(result_int(t, i, "count"), n);
            EXACT(result_real(t, i, "probability"), p);
            return;
        }
    ck_abort_msg("no transition %s -> %s", from, to);
}

/* Paths: a > b > a (converts), b (drops), a (drops): a cycle. */
static cx_store *cycle_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_touchpoint_add(s, "a", "web", "consideration", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "b", "email", "consideration", NULL, 0, 1));
    OK(cx_touchpoint_add(s, "buy", "web", "purchase", NULL, 0, 1));
    for (int i = 0; i < 3; i++) {
        char id[8];
        snprintf(id, sizeof id, "Q%d", i);
        OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
    }
    ev(s, "Q0", "a", T0, "visit", 0);
    ev(s, "Q0", "b", T0 + 1, "visit", 0);
    ev(s, "Q0", "a", T0 + 2, "visit", 0);
    ev(s, "Q0", "buy", T0 + 3, "purchase", 7);
    ev(s, "Q1", "b", T0, "visit", 0);
    ev(s, "Q2", "a", T0, "visit", 0);
    return s;
}

static cx_journeys *toy_journeys(cx_store *s)
{
    cx_journeys_options *o;
    cx_journeys *j;
    OK(cx_journeys_options_new(&o, s));
    OK(cx_journeys_options_set_conversion(o, CX_CONVERSION_BY_TOUCHPOINT, "buy"));
    OK(cx_journeys_options_set_conversion_in_path(o, 0));
    OK(cx_journeys_new(&j, s, o));
    cx_journeys_options_free(o);
    return j;
}

START_TEST(transitions)
{
    cx_store *s = cycle_store();
    cx_journeys *j = toy_journeys(s);
    cx_result *t;
    OK(cx_journeys_transitions(&t, j, 1));
    ck_assert_uint_eq(cx_result_row_count(t), 7);
    ck_assert_str_eq(result_str(t, 0, "from"), "START");
    expect_edge(t, "START", "a", 2, 2.0 / 3);
    expect_edge(t, "START", "b", 1, 1.0 / 3);
    expect_edge(t, "a", "b", 1, 1.0 / 3);
    expect_edge(t, "a", "CONVERSION", 1, 1.0 / 3);
    expect_edge(t, "a", "DROP", 1, 1.0 / 3);
    expect_edge(t, "b", "a", 1, 0.5);
    expect_edge(t, "b", "DROP", 1, 0.5);
    cx_result_free(t);
    OK(cx_journeys_transitions(&t, j, 2));
    expect_edge(t, "START", "a", 2, 2.0 / 3);
    expect_edge(t, "a", "a > b", 1, 1.0 / 2);
    expect_edge(t, "a > b", "b > a", 1, 1);
    expect_edge(t, "b > a", "CONVERSION", 1, 1);
    expect_edge(t, "a", "DROP", 1, 0.5);
    ck_assert_uint_eq(cx_result_row_count(t), 7);
    cx_result_free(t);
    cx_journeys_free(j);
    cx_store_free(s);
}
END_TEST

static double attr(const cx_result *t, const char *name, const char *c)
{
    return result_real(t, result_row(t, "name", name), c);
}

static void sums_to(const cx_result *t, double conv, double value)
{
    static const char *models[] = {"markov", "first_touch", "last_touch", "linear", "time_decay", "position_based"};
    for (size_t m = 0; m < 6; m++) {
        double a = 0, b = 0;
        char vname[64];
        snprintf(vname, sizeof vname, "%s_value", models[m]);
        for (size_t i = 0; i < cx_result_row_count(t); i++) {
            a += result_real(t, i, models[m]);
            b += result_real(t, i, vname);
        }
        EXACT(a, conv);
        EXACT(b, value);
    }
}

START_TEST(markov_cycle)
{
    /* h(a) = 1/3 + h(b)/3, h(b) = h(a)/2: h(a) = 2/5, h(b) = 1/5, P = 2/3 h(a) + 1/3 h(b) = 1/3.
     * Without a: 0 (effect 1). Without b: h(a) = 1/3, P = 2/9 (effect 1/3). */
    cx_store *s = cycle_store();
    cx_journeys *j = toy_journeys(s);
    cx_result *t;
    OK(cx_journeys_attribution(&t, j, 1));
    ck_assert_uint_eq(cx_result_row_count(t), 2);
    ck_assert_str_eq(result_str(t, 0, "name"), "a");
    EXACT(attr(t, "a", "removal_effect"), 1);
    EXACT(attr(t, "b", "removal_effect"), 1.0 / 3);
    EXACT(attr(t, "a", "markov"), 0.75);
    EXACT(attr(t, "b", "markov"), 0.25);
    EXACT(attr(t, "a", "markov_value"), 0.75 * 7);
    EXACT(attr(t, "a", "linear"), 2.0 / 3); /* a, b, a */
    EXACT(attr(t, "a", "first_touch"), 1);
    EXACT(attr(t, "b", "last_touch"), 0);
    EXACT(attr(t, "b", "position_based"), 0.2);
    sums_to(t, 1, 7);
    cx_result_free(t);
    cx_journeys_free(j);
    cx_store_free(s);
}
END_TEST

START_TEST(markov_toy)
{
    /* The teaching example (markov_toy_puzyrov2019.csv): google ads 2 conversions 1 null, mailing 1,
     * google ads > mailing 1. P = 4/5 (1/2 + 1/4) + 1/5 = 0.8; without ads 0.2 (effect 0.75), without
     * mailing 0.4 (effect 0.5); attributions 2.4 and 1.6. Values 10, 10 (ads), 20 (mailing), 40 (both):
     * v = 4/5 (5 + 30/4) + 30/5 = 16; without ads 6 (0.625), without mailing 4 (0.75). */
    cx_store *s = base_store();
    const char *ids[] = {"P0", "P1", "P2", "P3", "P4"};
    for (int i = 0; i < 5; i++)
        OK(cx_customer_add(s, ids[i], NULL, NULL, NULL, CX_TIME_NONE));
    ev(s, "P0", "ad", T0, "view", 0);
    ev(s, "P0", "buy", T0 + DAY_MS, "purchase", 10);
    ev(s, "P1", "ad", T0, "view", 0);
    ev(s, "P1", "buy", T0 + DAY_MS, "purchase", 10);
    ev(s, "P2", "ad", T0, "view", 0);
    ev(s, "P3", "mail", T0, "view", 0);
    ev(s, "P3", "buy", T0 + DAY_MS, "purchase", 20);
    ev(s, "P4", "ad", T0, "view", 0);
    ev(s, "P4", "mail", T0 + 7 * DAY_MS, "view", 0);
    ev(s, "P4", "buy", T0 + 7 * DAY_MS, "purchase", 40);
    cx_journeys *j = toy_journeys(s);
    cx_result *t;
    for (int order = 1; order <= 2; order++) {
        OK(cx_journeys_attribution(&t, j, order));
        EXACT(attr(t, "ad", "removal_effect"), 0.75);
        EXACT(attr(t, "mail", "removal_effect"), 0.5);
        EXACT(attr(t, "ad", "markov"), 2.4);
        EXACT(attr(t, "mail", "markov"), 1.6);
        if (order == 1) {
            EXACT(attr(t, "ad", "removal_effect_value"), 0.625);
            EXACT(attr(t, "mail", "removal_effect_value"), 0.75);
            EXACT(attr(t, "ad", "markov_value"), 0.625 / 1.375 * 80);
        } else {
            /* order 2 remembers that "mail" after "ad" converts for 40, alone for 20: both effects are
             * 1 - 4/16 */
            EXACT(attr(t, "ad", "removal_effect_value"), 0.75);
            EXACT(attr(t, "mail", "removal_effect_value"), 0.75);
        }
        EXACT(attr(t, "ad", "first_touch"), 3);
        EXACT(attr(t, "ad", "last_touch"), 2);
        EXACT(attr(t, "ad", "linear"), 2.5);
        EXACT(attr(t, "ad", "position_based"), 2.5);
        /* ad 7 days (one half-life) before the conversion: weights 1/2 and 1 */
        EXACT(attr(t, "ad", "time_decay"), 2 + 1.0 / 3);
        EXACT(attr(t, "mail", "time_decay_value"), 20 + 40 * 2.0 / 3);
        sums_to(t, 4, 80);
        cx_result_free(t);
    }
    /* U-shaped weights change only paths of three or more; a store with no conversion gives zeros */
    cx_journeys_free(j);
    cx_store_free(s);

    OK(cx_store_new(&s));
    OK(cx_touchpoint_add(s, "a", "web", "consideration", NULL, 0, 1));
    OK(cx_customer_add(s, "Z", NULL, NULL, NULL, CX_TIME_NONE));
    ev(s, "Z", "a", T0, "visit", 0);
    OK(cx_journeys_new(&j, s, NULL));
    OK(cx_journeys_attribution(&t, j, 3));
    ck_assert_uint_eq(cx_result_row_count(t), 1);
    EXACT(result_real(t, 0, "markov"), 0);
    EXACT(result_real(t, 0, "removal_effect"), 0);
    cx_result_free(t);
    cx_journeys_free(j);
    cx_store_free(s);
}
END_TEST

START_TEST(position_based)
{
    cx_store *s = base_store();
    OK(cx_customer_add(s, "U", NULL, NULL, NULL, CX_TIME_NONE));
    ev(s, "U", "ad", T0, "view", 0);
    ev(s, "U", "web", T0 + 1, "visit", 0);
    ev(s, "U", "mail", T0 + 2, "view", 0);
    ev(s, "U", "call", T0 + 3, "contact", 0);
    ev(s, "U", "buy", T0 + 4, "purchase", 100);
    cx_journeys_options *o;
    cx_journeys *j;
    OK(cx_journeys_options_new(&o, s));
    OK(cx_journeys_options_set_position_weights(o, 0.3, 0.5));
    OK(cx_journeys_new(&j, s, o));
    cx_result *t;
    OK(cx_journeys_attribution(&t, j, 1));
    EXACT(attr(t, "ad", "position_based"), 0.3);
    EXACT(attr(t, "buy", "position_based"), 0.5);
    EXACT(attr(t, "web", "position_based"), 0.2 / 3);
    EXACT(attr(t, "buy", "markov"), 0.2); /* every state's removal loses the only conversion */
    sums_to(t, 1, 100);
    cx_result_free(t);
    cx_journeys_free(j);
    cx_journeys_options_free(o);
    cx_store_free(s);
}
END_TEST

/* Transitions and attribution stop at the conversion: U1 web, buy (100), ship, call; U2 web. */
START_TEST(boundary_attribution)
{
    cx_store *s = base_store();
    OK(cx_customer_add(s, "U1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "U2", NULL, NULL, NULL, CX_TIME_NONE));
    ev(s, "U1", "web", T0, "visit", 0);
    ev(s, "U1", "buy", T0 + DAY_MS, "purchase", 100);
    ev(s, "U1", "ship", T0 + 2 * DAY_MS, "delivery", 0);
    ev(s, "U1", "call", T0 + 3 * DAY_MS, "contact", 0);
    ev(s, "U2", "web", T0, "visit", 0);
    static const cx_journeys_boundary rules[] = {CX_JOURNEYS_BOUNDARY_POST_PURCHASE, CX_JOURNEYS_BOUNDARY_GAP};
    for (int k = 0; k < 2; k++) {
        cx_journeys *j = build_rule(s, 0, 0, CX_JOURNEYS_LEVEL_TOUCHPOINT, rules[k]);
        ck_assert_uint_eq(cx_journeys_count(j), 2);
        cx_result *t;
        OK(cx_journeys_transitions(&t, j, 1));
        ck_assert_uint_eq(cx_result_row_count(t), 4); /* nothing from or to ship and call */
        expect_edge(t, "START", "web", 2, 1);
        expect_edge(t, "web", "buy", 1, 0.5);
        expect_edge(t, "web", "DROP", 1, 0.5);
        expect_edge(t, "buy", "CONVERSION", 1, 1);
        cx_result_free(t);
        OK(cx_journeys_attribution(&t, j, 1));
        ck_assert_uint_eq(cx_result_row_count(t), 4);
        static const char *const after[] = {"ship", "call"};
        static const char *const cols[] = {"removal_effect", "markov", "markov_value", "first_touch", "last_touch",
                                           "linear", "time_decay", "position_based", "linear_value"};
        for (int a = 0; a < 2; a++)
            for (int c = 0; c < 9; c++)
                EXACT(attr(t, after[a], cols[c]), 0); /* no credit after the conversion */
        EXACT(attr(t, "web", "removal_effect"), 1);
        EXACT(attr(t, "buy", "removal_effect"), 1);
        EXACT(attr(t, "web", "markov"), 0.5);
        EXACT(attr(t, "buy", "last_touch"), 1);
        EXACT(attr(t, "web", "first_touch_value"), 100);
        /* web one day before the purchase weighs 2^(-1/7), the purchase 1: ship and call after it, nothing */
        EXACT(attr(t, "web", "time_decay"), exp2(-1.0 / 7) / (exp2(-1.0 / 7) + 1));
        sums_to(t, 1, 100);
        cx_result_free(t);
        cx_journeys_free(j);
    }
    /* the old rule: the delivery opens a journey that drops, and the chain sees it */
    cx_journeys *j = build_rule(s, 0, 0, CX_JOURNEYS_LEVEL_TOUCHPOINT, CX_JOURNEYS_BOUNDARY_CONVERSION);
    cx_result *t;
    OK(cx_journeys_transitions(&t, j, 1));
    expect_edge(t, "START", "ship", 1, 1.0 / 3);
    expect_edge(t, "call", "DROP", 1, 1);
    cx_result_free(t);
    cx_journeys_free(j);
    cx_store_free(s);
}
END_TEST

static cx_funnel *funnel3(cx_store *s)
{
    cx_funnel *f;
    OK(cx_funnel_new(&f, s));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "ad"));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "web"));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "purchase"));
    return f;
}

START_TEST(funnels)
{
    cx_store *s = base_store();
    const char *ids[] = {"F0", "F1", "F2", "F3", "F4", "F5"};
    for (int i = 0; i < 6; i++)
        OK(cx_customer_add(s, ids[i], NULL, NULL, NULL, CX_TIME_NONE));
    /* F0: ad, web, buy in 2 h. F1: ad, mail, web (loose only), then ship 10 days later.
     * F2: web, ad (never reaches web after ad). F3: ad twice, web. F4: ad, call, web, buy.
     * F5: nothing relevant. */
    ev(s, "F0", "ad", T0, "view", 0);
    ev(s, "F0", "web", T0 + HOUR_MS, "visit", 0);
    ev(s, "F0", "buy", T0 + 2 * HOUR_MS, "purchase", 1);
    ev(s, "F1", "ad", T0, "view", 0);
    ev(s, "F1", "mail", T0 + HOUR_MS, "view", 0);
    ev(s, "F1", "web", T0 + 3 * HOUR_MS, "visit", 0);
    ev(s, "F1", "ship", T0 + 10 * DAY_MS, "delivery", 0);
    ev(s, "F2", "web", T0, "visit", 0);
    ev(s, "F2", "ad", T0 + HOUR_MS, "view", 0);
    ev(s, "F3", "ad", T0, "view", 0);
    ev(s, "F3", "ad", T0 + HOUR_MS, "view", 0);
    ev(s, "F3", "web", T0 + 2 * HOUR_MS, "visit", 0);
    ev(s, "F4", "ad", T0, "view", 0);
    ev(s, "F4", "call", T0 + HOUR_MS, "contact", 0);
    ev(s, "F4", "web", T0 + 2 * HOUR_MS, "visit", 0);
    ev(s, "F4", "buy", T0 + 5 * HOUR_MS, "purchase", 1);
    ev(s, "F5", "call", T0, "contact", 0);
    cx_journeys *j;
    OK(cx_journeys_new(&j, s, NULL));
    cx_funnel *f = funnel3(s);
    cx_result *t;
    OK(cx_journeys_funnel(&t, j, f));
    ck_assert_uint_eq(cx_result_row_count(t), 3);
    ck_assert_int_eq(result_int(t, 0, "entered"), 5);
    ck_assert_int_eq(result_int(t, 1, "entered"), 4);
    ck_assert_int_eq(result_int(t, 2, "entered"), 3); /* F0, F1 (ship), F4 */
    EXACT(result_real(t, 1, "conversion_prev"), 80);
    EXACT(result_real(t, 2, "conversion_first"), 60);
    EXACT(result_real(t, 1, "median_from_prev_ms"), 2 * HOUR_MS); /* 1, 3, 1 (F3 from its first ad: 2), 2 h */
    /* no window: nothing times out, so F2 (furthest: ad) and F3 (web) are
     * still in progress, nobody has dropped out; the finishers are
     * "completed", never "dropped" */
    for (size_t r = 0; r < 3; r++) {
        ck_assert_int_eq(result_int(t, r, "completed"), 3);
        ck_assert_int_eq(result_int(t, r, "dropped"), 0);
        ck_assert_int_eq(result_int(t, r, "in_progress"), r < 2 ? 1 : 0);
    }
    ck_assert(isnan(result_real(t, 0, "median_from_prev_ms")));
    ck_assert_str_eq(result_str(t, 2, "name"), "purchase");
    cx_result_free(t);

    /* window of 1 day: F1's ship is too late; strict: F1 (mail? not a step) stays,
     * F4's call is not a step either; exclusion of call stops F4 after ad */
    OK(cx_funnel_set_window(f, DAY_MS));
    OK(cx_journeys_funnel(&t, j, f));
    ck_assert_int_eq(result_int(t, 2, "entered"), 2);
    /* as of the data's end (F1's ship, 10 days on) every window has
     * passed: F2 dropped after ad; F1 (ship too late) and F3 after web */
    ck_assert_int_eq(result_int(t, 0, "dropped"), 1);
    ck_assert_int_eq(result_int(t, 1, "dropped"), 2);
    ck_assert_int_eq(result_int(t, 2, "dropped"), 0);
    ck_assert_int_eq(result_int(t, 0, "in_progress") + result_int(t, 1, "in_progress"), 0);
    ck_assert_int_eq(result_int(t, 0, "completed"), 2);
    cx_result_free(t);
    /* as of 2.5 h in: later events are not read and every window is open:
     * F1, F2 are in progress after ad, F3, F4 after web; F0 completed */
    OK(cx_funnel_set_as_of(f, T0 + 2 * HOUR_MS + 30 * 60000));
    OK(cx_journeys_funnel(&t, j, f));
    ck_assert_int_eq(result_int(t, 0, "entered"), 5);
    ck_assert_int_eq(result_int(t, 1, "entered"), 3);
    ck_assert_int_eq(result_int(t, 2, "entered"), 1);
    ck_assert_int_eq(result_int(t, 0, "in_progress"), 2);
    ck_assert_int_eq(result_int(t, 1, "in_progress"), 2);
    ck_assert_int_eq(result_int(t, 0, "dropped") + result_int(t, 1, "dropped"), 0);
    ck_assert_int_eq(result_int(t, 2, "completed"), 1);
    cx_result_free(t);
    /* as of T0 + 1 day the window of an attempt started at T0 has just
     * closed (an event counts up to 1 day after the start): F1 dropped;
     * F2 started at T0 + 1 h, still open; F3's second ad (T0 + 1 h) also
     * reaches web and may still go on */
    OK(cx_funnel_set_as_of(f, T0 + DAY_MS));
    OK(cx_journeys_funnel_customers(&t, j, f));
    ck_assert_str_eq(result_str(t, 1, "customer"), "F1");
    ck_assert_str_eq(result_str(t, 1, "status"), "dropped");
    ck_assert_str_eq(result_str(t, 2, "customer"), "F2");
    ck_assert_str_eq(result_str(t, 2, "status"), "in_progress");
    ck_assert_str_eq(result_str(t, 3, "customer"), "F3");
    ck_assert_str_eq(result_str(t, 3, "status"), "in_progress");
    ck_assert_str_eq(result_str(t, 0, "status"), "completed");
    cx_result_free(t);
    OK(cx_funnel_set_as_of(f, CX_TIME_NONE)); /* back to the data's end */
    FAILS(cx_funnel_set_as_of(NULL, 0), CX_EINVAL, "cx_funnel_set_as_of");
    OK(cx_funnel_set_strict(f, 1));
    OK(cx_funnel_add_exclusion(f, CX_JOURNEYS_LEVEL_CHANNEL, "phone"));
    OK(cx_journeys_funnel(&t, j, f));
    ck_assert_int_eq(result_int(t, 0, "entered"), 5);
    ck_assert_int_eq(result_int(t, 1, "entered"), 3);
    ck_assert_int_eq(result_int(t, 2, "entered"), 1);
    /* F2 and F4 (the call excludes) dropped after ad, F1 and F3 after web */
    ck_assert_int_eq(result_int(t, 0, "dropped"), 2);
    ck_assert_int_eq(result_int(t, 1, "dropped"), 2);
    cx_result_free(t);
    /* an exclusion ends an attempt for good, even inside its window: as of
     * 1.5 h, F4 has dropped out while F1, F2, F3 (after ad) and F0 (after
     * web) are in progress */
    OK(cx_funnel_set_as_of(f, T0 + 90 * 60000));
    OK(cx_journeys_funnel(&t, j, f));
    ck_assert_int_eq(result_int(t, 0, "entered"), 5);
    ck_assert_int_eq(result_int(t, 0, "dropped"), 1);
    ck_assert_int_eq(result_int(t, 0, "in_progress"), 3);
    ck_assert_int_eq(result_int(t, 1, "in_progress"), 1);
    ck_assert_int_eq(result_int(t, 2, "entered"), 0);
    ck_assert_int_eq(result_int(t, 2, "completed"), 0);
    cx_result_free(t);
    OK(cx_funnel_set_as_of(f, CX_TIME_NONE));
    OK(cx_journeys_funnel_customers(&t, j, f));
    ck_assert_uint_eq(cx_result_row_count(t), 5);
    ck_assert_str_eq(result_str(t, 3, "customer"), "F3");
    ck_assert_int_eq(result_int(t, 3, "furthest"), 2);
    ck_assert_int_eq(result_int(t, 3, "first_time"), T0); /* the later ad reaches as far: the earliest is kept */
    ck_assert_int_eq(result_int(t, 4, "furthest"), 1);
    cx_result_free(t);
    cx_funnel_free(f);

    /* strict order: a step between two others ends the attempt */
    OK(cx_funnel_new(&f, s));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "web"));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "buy"));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "ad"));
    OK(cx_funnel_set_strict(f, 1));
    OK(cx_journeys_funnel(&t, j, f));
    ck_assert_int_eq(result_int(t, 0, "entered"), 5);
    ck_assert_int_eq(result_int(t, 1, "entered"), 2);
    ck_assert_int_eq(result_int(t, 2, "entered"), 0);
    ck_assert(isnan(result_real(t, 2, "median_from_prev_ms")));
    cx_result_free(t);
    cx_funnel_free(f);

    /* an empty funnel: nobody enters */
    OK(cx_funnel_new(&f, s));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_CHANNEL, "store"));
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "buy"));
    OK(cx_journeys_funnel(&t, j, f));
    ck_assert_int_eq(result_int(t, 0, "entered"), 0);
    ck_assert(isnan(result_real(t, 0, "conversion_prev")));
    ck_assert(isnan(result_real(t, 1, "conversion_first")));
    cx_result_free(t);
    OK(cx_journeys_funnel_customers(&t, j, f));
    ck_assert_uint_eq(cx_result_row_count(t), 0);
    cx_result_free(t);
    cx_funnel_free(f);
    OK(cx_funnel_new(&f, s));
    FAILS(cx_journeys_funnel(&t, j, f), CX_EINVAL, "cx_journeys_funnel"); /* no step */
    ck_assert_ptr_null(t);
    cx_funnel_free(f);
    cx_journeys_free(j);
    cx_store_free(s);
}
END_TEST

START_TEST(stages)
{
    cx_store *s = base_store();
    OK(cx_customer_add(s, "S0", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "S1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "S2", NULL, NULL, NULL, CX_TIME_NONE));
    /* S0: awareness 0-1 d, consideration 1-3 d, (service at 2 d ignored), purchase 3 d .. 10 d (as of) */
    ev(s, "S0", "ad", T0, "view", 0);
    ev(s, "S0", "web", T0 + DAY_MS, "visit", 0);
    ev(s, "S0", "call", T0 + 2 * DAY_MS, "contact", 0);
    ev(s, "S0", "buy", T0 + 3 * DAY_MS, "purchase", 1);
    /* S1: consideration 0-4 d, awareness 4 d .. 10 d: back to an earlier stage */
    ev(s, "S1", "web", T0, "visit", 0);
    ev(s, "S1", "ad", T0 + 4 * DAY_MS, "view", 0);
    ev(s, "S1", "ad", T0 + 10 * DAY_MS, "view", 0);
    /* S2: only service */
    ev(s, "S2", "call", T0, "contact", 0);
    cx_journeys *j;
    OK(cx_journeys_new(&j, s, NULL));
    cx_result *t;
    OK(cx_journeys_customer_stages(&t, j));
    ck_assert_uint_eq(cx_result_row_count(t), 3);
    ck_assert_str_eq(result_str(t, 0, "current"), "purchase");
    ck_assert_int_eq(result_int(t, 0, "ms_awareness"), DAY_MS);
    ck_assert_int_eq(result_int(t, 0, "ms_consideration"), 2 * DAY_MS);
    ck_assert_int_eq(result_int(t, 0, "ms_purchase"), 7 * DAY_MS);
    ck_assert_str_eq(result_str(t, 1, "current"), "awareness");
    ck_assert_int_eq(result_int(t, 1, "ms_awareness"), 6 * DAY_MS);
    ck_assert_ptr_null(result_str(t, 2, "current"));
    cx_result_free(t);
    OK(cx_journeys_stages(&t, j));
    ck_assert_str_eq(result_str(t, 0, "stage"), "awareness");
    ck_assert_int_eq(result_int(t, 0, "reached"), 2);
    ck_assert_int_eq(result_int(t, 0, "current"), 1);
    ck_assert_int_eq(result_int(t, 0, "to_next"), 1); /* S1 reached consideration before awareness */
    EXACT(result_real(t, 0, "conversion_next"), 50);
    EXACT(result_real(t, 0, "median_to_next_ms"), DAY_MS);
    EXACT(result_real(t, 0, "median_time_in_ms"), 3.5 * DAY_MS);
    ck_assert_int_eq(result_int(t, 1, "to_next"), 1);
    EXACT(result_real(t, 1, "median_to_next_ms"), 2 * DAY_MS);
    ck_assert_int_eq(result_int(t, 2, "reached"), 1);
    ck_assert_uint_eq(cx_result_row_count(t), 6); /* service left out */
    cx_result_free(t);
    cx_journeys_free(j);
    cx_store_free(s);
}
END_TEST

static uint64_t rng_state;
static double rnd(void)
{
    return (double)(lcg64(&rng_state) >> 11) / 9007199254740992.0;
}

START_TEST(pain_points_and_drivers)
{
    cx_store *s = base_store();
    rng_state = 42;
    char id[16];
    int64_t nbad = 0, nobuy = 0; /* shipments gone wrong; customers who did not buy again */
    for (int i = 0; i < 400; i++) {
        snprintf(id, sizeof id, "R%d", i);
        OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
        cx_time t = T0 + i * HOUR_MS;
        bool bad = rnd() < 0.5; /* the shipment went wrong */
        ev(s, id, "web", t, "visit", 0);
        ev(s, id, "buy", t + HOUR_MS, "purchase", 10);
        char ship_id[24];
        snprintf(ship_id, sizeof ship_id, "SHIP-%d", i);
        OK(cx_interaction_add(NULL, s, ship_id, id, "ship", t + DAY_MS, "delivery", CX_OUTBOUND, NULL, NULL, 0, CX_HANDLED, 0));
        double ship_csat = bad ? 1 + (rnd() < 0.5) : 4 + (rnd() < 0.5);
        double web_csat = 3 + (rnd() < 0.5) + (rnd() < 0.5);
        OK(cx_feedback_add(NULL, s, NULL, id, "csat", ship_csat, t + DAY_MS + 1, NULL, ship_id, NULL, NULL));
        OK(cx_feedback_add(NULL, s, NULL, id, "csat", web_csat, t + 2, "web", NULL, NULL, NULL));
        OK(cx_feedback_add(NULL, s, NULL, id, "nps", bad ? 3 : 9, t + DAY_MS + 2, "ship", NULL, NULL, NULL));
        /* relationship NPS follows the shipment */
        OK(cx_feedback_add(NULL, s, NULL, id, "nps", 2 * ship_csat, t + 2 * DAY_MS, NULL, NULL, NULL, NULL));
        bool rebuy = false;
        if (bad) {
            ev(s, id, "call", t + 2 * DAY_MS, "contact", 0);
        } else if (rnd() < 0.8) {
            ev(s, id, "web", t + 20 * DAY_MS, "visit", 0);
            ev(s, id, "buy", t + 20 * DAY_MS + HOUR_MS, "purchase", 10);
            rebuy = true;
        }
        nbad += bad;
        nobuy += !rebuy;
    }
    cx_journeys *j = build_rule(s, 0, 0, CX_JOURNEYS_LEVEL_TOUCHPOINT, CX_JOURNEYS_BOUNDARY_CONVERSION);
    cx_result *t;
    /* the old rule: each delivery opens a journey, which drops when no purchase follows */
    OK(cx_journeys_pain_points(&t, j));
    ck_assert_str_eq(result_str(t, 0, "touchpoint"), "ship");
    ck_assert_int_ge(result_int(t, 0, "flags"), 3);
    EXACT(result_real(t, 0, "drop_off"), 100.0 * (double)nobuy / 400);
    ck_assert_int_eq(result_int(t, 0, "drop_off_n"), 400);
    ck_assert(isnan(result_real(t, 0, "post_purchase_drop_off"))); /* no step after a conversion */
    ck_assert_int_eq(result_int(t, 0, "post_purchase_drop_off_n"), 0);
    cx_result_free(t);
    cx_journeys_free(j);

    /* the default: the delivery and the call stay in the order's journey; they are judged on whether the customer
     * buys again, against each other (the call follows only bad deliveries, so it is worse) */
    OK(cx_journeys_new(&j, s, NULL));
    OK(cx_journeys_pain_points(&t, j));
    ck_assert_uint_eq(cx_result_row_count(t), 6);
    ck_assert_str_eq(result_str(t, 0, "touchpoint"), "ship");
    ck_assert_int_eq(result_int(t, 0, "rank"), 1);
    ck_assert_int_ge(result_int(t, 0, "flags"), 2);
    ck_assert(isnan(result_real(t, 0, "drop_off"))); /* never on the way to a purchase */
    ck_assert_int_eq(result_int(t, 0, "drop_off_n"), 0);
    EXACT(result_real(t, 0, "post_purchase_drop_off"), 100.0 * (double)nobuy / 400);
    ck_assert_int_eq(result_int(t, 0, "post_purchase_drop_off_n"), 400);
    EXACT(result_real(t, 0, "post_purchase_drop_off_rest"), 100); /* call: none of them bought again */
    size_t call = result_row(t, "touchpoint", "call");
    ck_assert_int_eq(result_int(t, call, "post_purchase_drop_off_n"), nbad);
    ck_assert(isnan(result_real(t, call, "drop_off")));
    /* web: on the way to every purchase, never dropped */
    size_t web = result_row(t, "touchpoint", "web");
    EXACT(result_real(t, web, "drop_off"), 0);
    ck_assert_int_eq(result_int(t, web, "drop_off_n"), 400 + (400 - nobuy));
    ck_assert_int_eq(result_int(t, web, "journeys"), 400 + (400 - nobuy));
    ck_assert(result_real(t, 0, "low_csat") > 40 && result_real(t, 0, "low_csat_rest") < 40);
    ck_assert(result_real(t, 0, "detractors") > 40);
    ck_assert(strstr(result_str(t, 0, "reason"), "CSAT outside the top two") != NULL);
    ck_assert(isnan(result_real(t, 0, "detractors_rest"))); /* no other touchpoint has NPS answers */
    ck_assert(strstr(result_str(t, 0, "reason"), "key touchpoint") != NULL);
    /* ad and mail: no data at all, last, by name */
    ck_assert_str_eq(result_str(t, 5, "touchpoint"), "mail");
    ck_assert_int_eq(result_int(t, 5, "flags"), 0);
    ck_assert(isnan(result_real(t, 5, "drop_off")));
    cx_result_free(t);

    OK(cx_journeys_drivers(&t, j));
    ck_assert_uint_eq(cx_result_row_count(t), 2);
    ck_assert_str_eq(result_str(t, 0, "touchpoint"), "ship");
    EXACT(result_real(t, 0, "r"), 1); /* relationship NPS = 2 x ship CSAT */
    EXACT(result_real(t, 0, "slope"), 2);
    ck_assert_int_eq(result_int(t, 0, "n"), 400);
    ck_assert(fabs(result_real(t, 1, "r")) < 0.2);
    ck_assert(result_real(t, 1, "r_lo") < result_real(t, 1, "r") && result_real(t, 1, "r") < result_real(t, 1, "r_hi"));
    ck_assert(result_real(t, 1, "p") > 0.001);
    cx_result_free(t);
    cx_journeys_free(j);
    cx_store_free(s);
}
END_TEST

/* The repeat-contact signal of the pain points: an inbound contact at
 * the same time as an event does not follow it, whichever comes first in
 * the index (the index puts "ad" before "call" at one time, by name); one
 * an hour later does. Before, the contact at the same time counted when it
 * came after the event in the index. */
START_TEST(pain_repeat_contacts_at_one_time)
{
    for (int k = 0; k < 2; k++) {
        cx_store *s = base_store();
        OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
        OK(cx_customer_add(s, "B", NULL, NULL, NULL, CX_TIME_NONE));
        if (k == 0) {
            ev(s, "A", "ad", T0, "view", 0);
            ev(s, "A", "call", T0, "contact", 0);
        } else {
            ev(s, "A", "call", T0, "contact", 0);
            ev(s, "A", "ad", T0, "view", 0);
        }
        ev(s, "B", "ad", T0, "view", 0);
        ev(s, "B", "call", T0 + HOUR_MS, "contact", 0);
        cx_journeys *j;
        cx_result *t;
        OK(cx_journeys_new(&j, s, NULL));
        OK(cx_journeys_pain_points(&t, j));
        size_t ad = result_row(t, "touchpoint", "ad"), call = result_row(t, "touchpoint", "call");
        EXACT(result_real(t, ad, "repeat_contacts"), 50); /* B's view only */
        ck_assert_int_eq(result_int(t, ad, "repeat_contacts_n"), 2);
        EXACT(result_real(t, call, "repeat_contacts"), 0);
        ck_assert_int_eq(result_int(t, call, "repeat_contacts_n"), 2);
        cx_result_free(t);
        cx_journeys_free(j);
        cx_store_free(s);
    }
}
END_TEST

START_TEST(bad_arguments)
{
    cx_store *s = journey_store(), *other;
    OK(cx_store_new(&other));
    cx_journeys_options *o = NULL;
    cx_journeys *j = NULL;
    cx_result *t = NULL;
    cx_funnel *f = NULL;
    FAILS(cx_journeys_options_new(NULL, s), CX_EINVAL, "cx_journeys_options_new");
    FAILS(cx_journeys_options_new(&o, NULL), CX_EINVAL, "cx_journeys_options_new");
    ck_assert_ptr_null(o);
    OK(cx_journeys_options_new(&o, other));
    FAILS(cx_journeys_new(&j, s, o), CX_EINVAL, "cx_journeys_new"); /* options of another store */
    MSG_HAS("cx_journeys_new");
    ck_assert_ptr_null(j);
    cx_journeys_options_free(o);
    OK(cx_journeys_options_new(&o, s));
    FAILS(cx_journeys_options_set_conversion(o, CX_CONVERSION_BY_TOUCHPOINT, "nowhere"),
          CX_ENOTFOUND, "cx_journeys_options_set_conversion");
    MSG_HAS("nowhere");
    FAILS(cx_journeys_options_set_conversion(o, CX_CONVERSION_BY_STAGE, "purchas"),
          CX_ENOTFOUND, "cx_journeys_options_set_conversion");
    FAILS(cx_journeys_options_add_conversion(o, CX_CONVERSION_BY_KIND, "buy-it"),
          CX_ENOTFOUND, "cx_journeys_options_add_conversion");
    FAILS(cx_journeys_options_set_conversion(o, (cx_conversion_by)7, "buy"),
          CX_EINVAL, "cx_journeys_options_set_conversion");
    FAILS(cx_journeys_options_set_conversion(o, CX_CONVERSION_BY_KIND, ""),
          CX_EINVAL, "cx_journeys_options_set_conversion");
    FAILS(cx_journeys_options_set_conversion(NULL, CX_CONVERSION_BY_KIND, "purchase"),
          CX_EINVAL, "cx_journeys_options_set_conversion");
    FAILS(cx_journeys_options_set_gap(o, -1), CX_ERANGE, "cx_journeys_options_set_gap");
    FAILS(cx_journeys_options_set_cut_at_conversion(o, 2), CX_EINVAL, "cx_journeys_options_set_cut_at_conversion");
    FAILS(cx_journeys_options_set_boundary(o, (cx_journeys_boundary)3), CX_EINVAL, "cx_journeys_options_set_boundary");
    FAILS(cx_journeys_options_set_boundary(o, (cx_journeys_boundary)-1), CX_EINVAL, "cx_journeys_options_set_boundary");
    FAILS(cx_journeys_options_set_boundary(NULL, CX_JOURNEYS_BOUNDARY_GAP), CX_EINVAL,
          "cx_journeys_options_set_boundary");
    FAILS(cx_journeys_options_set_post_purchase(o, CX_POST_PURCHASE_BY_STAGE, "aftercare"), CX_ENOTFOUND,
          "cx_journeys_options_set_post_purchase");
    MSG_HAS("no stage aftercare");
    FAILS(cx_journeys_options_set_post_purchase(o, CX_POST_PURCHASE_BY_TOUCHPOINT, "nowhere"), CX_ENOTFOUND,
          "cx_journeys_options_set_post_purchase");
    FAILS(cx_journeys_options_add_post_purchase(o, CX_POST_PURCHASE_BY_TOUCHPOINT_KIND, "shipping"), CX_ENOTFOUND,
          "cx_journeys_options_add_post_purchase");
    MSG_HAS("touchpoint kind");
    FAILS(cx_journeys_options_add_post_purchase(o, CX_POST_PURCHASE_BY_KIND, "parcel"), CX_ENOTFOUND,
          "cx_journeys_options_add_post_purchase");
    FAILS(cx_journeys_options_add_post_purchase(o, (cx_post_purchase_by)4, "delivery"), CX_EINVAL,
          "cx_journeys_options_add_post_purchase");
    FAILS(cx_journeys_options_add_post_purchase(o, CX_POST_PURCHASE_BY_STAGE, NULL), CX_EINVAL,
          "cx_journeys_options_add_post_purchase");
    FAILS(cx_journeys_options_set_post_purchase(NULL, CX_POST_PURCHASE_BY_STAGE, "service"), CX_EINVAL,
          "cx_journeys_options_set_post_purchase");
    FAILS(cx_journeys_options_set_level(o, (cx_journeys_level)3), CX_EINVAL, "cx_journeys_options_set_level");
    FAILS(cx_journeys_options_set_level(o, (cx_journeys_level)-1), CX_EINVAL, "cx_journeys_options_set_level");
    FAILS(cx_journeys_options_set_collapse(o, -1), CX_EINVAL, "cx_journeys_options_set_collapse");
    FAILS(cx_journeys_options_set_conversion_in_path(o, 5), CX_EINVAL, "cx_journeys_options_set_conversion_in_path");
    FAILS(cx_journeys_options_set_repeat_contacts(o, "contact", 0),
          CX_ERANGE, "cx_journeys_options_set_repeat_contacts");
    FAILS(cx_journeys_options_set_repeat_contacts(o, "kontakt", DAY_MS),
          CX_ENOTFOUND, "cx_journeys_options_set_repeat_contacts");
    FAILS(cx_journeys_options_set_half_life(o, 0), CX_ERANGE, "cx_journeys_options_set_half_life");
    FAILS(cx_journeys_options_set_position_weights(o, 0.6, 0.6), CX_ERANGE, "cx_journeys_options_set_position_weights");
    FAILS(cx_journeys_options_set_position_weights(o, NAN, 0.1), CX_EINVAL, "cx_journeys_options_set_position_weights");
    FAILS(cx_journeys_options_set_min_support(o, 0), CX_ERANGE, "cx_journeys_options_set_min_support");
    for (int i = 0; i < CX_JOURNEYS_MAX_CONVERSIONS - 1; i++)
        OK(cx_journeys_options_add_conversion(o, CX_CONVERSION_BY_TOUCHPOINT, i % 2 ? "ad" : "web"));
    OK(cx_journeys_options_add_conversion(o, CX_CONVERSION_BY_TOUCHPOINT, "ship")); /* duplicates kept once */
    OK(cx_journeys_new(&j, s, o)); /* nothing above changed the defaults, except the rules */
    ck_assert_uint_eq(cx_journeys_count(j), 12); /* ad, web and ship convert and cut */
    cx_journeys_free(j);
    cx_journeys_options_free(o);

    OK(cx_journeys_new(&j, s, NULL));
    FAILS(cx_journeys_new(NULL, s, NULL), CX_EINVAL, "cx_journeys_new");
    FAILS(cx_journeys_paths(NULL, j, 3), CX_EINVAL, "cx_journeys_paths");
    FAILS(cx_journeys_paths(&t, NULL, 3), CX_EINVAL, "cx_journeys_paths");
    FAILS(cx_journeys_paths(&t, j, 0), CX_ERANGE, "cx_journeys_paths");
    FAILS(cx_journeys_transitions(&t, j, 0), CX_ERANGE, "cx_journeys_transitions");
    FAILS(cx_journeys_attribution(&t, j, CX_JOURNEYS_MAX_ORDER + 1), CX_ERANGE, "cx_journeys_attribution");
    FAILS(cx_journeys_satisfaction(&t, j, (cx_journeys_group)3), CX_EINVAL, "cx_journeys_satisfaction");
    FAILS(cx_journeys_pain_points(&t, NULL), CX_EINVAL, "cx_journeys_pain_points");
    FAILS(cx_journeys_drivers(NULL, j), CX_EINVAL, "cx_journeys_drivers");
    FAILS(cx_journeys_stages(&t, NULL), CX_EINVAL, "cx_journeys_stages");
    FAILS(cx_journeys_customer_stages(NULL, j), CX_EINVAL, "cx_journeys_customer_stages");
    FAILS(cx_journeys_list(&t, NULL), CX_EINVAL, "cx_journeys_list");
    ck_assert_ptr_null(t);
    FAILS(cx_funnel_new(&f, NULL), CX_EINVAL, "cx_funnel_new");
    OK(cx_funnel_new(&f, other));
    FAILS(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "web"), CX_ENOTFOUND, "cx_funnel_add_step");
    OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_CHANNEL, "web"));
    FAILS(cx_journeys_funnel(&t, j, f), CX_EINVAL, "cx_journeys_funnel"); /* another store */
    FAILS(cx_funnel_add_step(f, (cx_journeys_level)9, "web"), CX_EINVAL, "cx_funnel_add_step");
    FAILS(cx_funnel_add_exclusion(f, CX_JOURNEYS_LEVEL_STAGE, NULL), CX_EINVAL, "cx_funnel_add_exclusion");
    FAILS(cx_funnel_set_window(f, -5), CX_ERANGE, "cx_funnel_set_window");
    FAILS(cx_funnel_set_strict(f, 3), CX_EINVAL, "cx_funnel_set_strict");
    FAILS(cx_journeys_funnel(&t, j, NULL), CX_EINVAL, "cx_journeys_funnel");
    for (int i = 1; i < CX_FUNNEL_MAX_STEPS; i++)
        OK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_CHANNEL, "web"));
    FAILS(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_CHANNEL, "web"), CX_ELIMIT, "cx_funnel_add_step");
    cx_funnel_free(f);

    /* tables */
    OK(cx_journeys_paths(&t, j, 10));
    const char *str;
    int64_t iv;
    double dv;
    size_t c;
    int ty;
    FAILS(cx_result_get_string(&str, t, 99, 0), CX_ERANGE, "cx_result_get_string");
    FAILS(cx_result_get_string(&str, t, 0, 99), CX_ERANGE, "cx_result_get_string");
    FAILS(cx_result_get_string(&str, t, 0, result_col(t, "journeys")), CX_EINVAL, "cx_result_get_string");
    FAILS(cx_result_get_int(&iv, t, 0, result_col(t, "path")), CX_EINVAL, "cx_result_get_int");
    FAILS(cx_result_get_int(&iv, t, 0, result_col(t, "conversion_rate")), CX_EINVAL, "cx_result_get_int");
    FAILS(cx_result_get_real(&dv, t, 0, result_col(t, "path")), CX_EINVAL, "cx_result_get_real");
    FAILS(cx_result_get_real(NULL, t, 0, 0), CX_EINVAL, "cx_result_get_real");
    FAILS(cx_result_column_find(&c, t, "nothing"), CX_ENOTFOUND, "cx_result_column_find");
    FAILS(cx_result_column_find(&c, NULL, "path"), CX_EINVAL, "cx_result_column_find");
    FAILS(cx_result_column_name(&str, t, 14), CX_ERANGE, "cx_result_column_name");
    OK(cx_result_column_type(&ty, t, 0));
    ck_assert_int_eq(ty, CX_TYPE_STRING);
    OK(cx_result_column_name(&str, t, 13));
    ck_assert_str_eq(str, "median_to_conversion_ms");
    ck_assert_uint_eq(cx_result_column_count(t), 14);
    ck_assert_uint_eq(cx_result_row_count(NULL), 0);
    cx_result_free(t);
    cx_result_free(NULL);
    cx_journeys_free(NULL);
    cx_funnel_free(NULL);
    cx_journeys_options_free(NULL);
    ck_assert_uint_eq(cx_journeys_count(NULL), 0);

    /* the store grew: the journeys refuse to answer */
    ev(s, "B", "web", T0 + DAY_MS, "visit", 0);
    FAILS(cx_journeys_paths(&t, j, 3), CX_EINVAL, "cx_journeys_paths");
    MSG_HAS("changed");
    cx_journeys_free(j);

    /* an empty store */
    OK(cx_journeys_new(&j, other, NULL));
    ck_assert_uint_eq(cx_journeys_count(j), 0);
    OK(cx_journeys_paths(&t, j, 5));
    ck_assert_uint_eq(cx_result_row_count(t), 0);
    cx_result_free(t);
    OK(cx_journeys_attribution(&t, j, 2));
    ck_assert_uint_eq(cx_result_row_count(t), 0);
    cx_result_free(t);
    OK(cx_journeys_pain_points(&t, j));
    cx_result_free(t);
    OK(cx_journeys_stages(&t, j));
    cx_result_free(t);
    cx_journeys_free(j);
    cx_store_free(other);
    cx_store_free(s);
}
END_TEST

static int run_all(cx_store *s, size_t *rows)
{
    cx_journeys_options *o = NULL;
    cx_journeys *j = NULL;
    cx_funnel *f = NULL;
    cx_result *t = NULL;
    *rows = 0;
    int rc = cx_journeys_options_new(&o, s);
    if (!rc)
        rc = cx_journeys_options_set_collapse(o, 1);
    if (!rc)
        rc = cx_journeys_new(&j, s, o);
#define STEP(call)                                                                                                 \
    if (!rc) {                                                                                                     \
        rc = (call);                                                                                               \
        if (!rc)                                                                                                   \
            *rows += cx_result_row_count(t);                                                                     \
        cx_result_free(t);                                                                                  \
        t = NULL;                                                                                                  \
    }
    STEP(cx_journeys_list(&t, j));
    STEP(cx_journeys_paths(&t, j, 3));
    STEP(cx_journeys_transitions(&t, j, 2));
    STEP(cx_journeys_attribution(&t, j, 2));
    STEP(cx_journeys_pain_points(&t, j));
    STEP(cx_journeys_drivers(&t, j));
    STEP(cx_journeys_satisfaction(&t, j, CX_JOURNEYS_GROUP_PATH));
    STEP(cx_journeys_satisfaction(&t, j, CX_JOURNEYS_GROUP_STAGE));
    STEP(cx_journeys_satisfaction(&t, j, CX_JOURNEYS_GROUP_CONVERTED));
    STEP(cx_journeys_stages(&t, j));
    STEP(cx_journeys_customer_stages(&t, j));
    if (!rc)
        rc = cx_funnel_new(&f, s);
    if (!rc)
        rc = cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "web");
    if (!rc)
        rc = cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "buy");
    STEP(cx_journeys_funnel(&t, j, f));
    STEP(cx_journeys_funnel_customers(&t, j, f));
#undef STEP
    cx_funnel_free(f);
    cx_journeys_free(j);
    cx_journeys_options_free(o);
    return rc;
}

START_TEST(out_of_memory)
{
    cxt_alloc f = {0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &f));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "buy", "web", "purchase", NULL, 1, 1));
    for (int i = 0; i < 4; i++) {
        char id[8];
        snprintf(id, sizeof id, "M%d", i);
        OK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
        for (int k = 0; k < 5; k++) {
            ev(s, id, k % 2 ? "buy" : "web", T0 + (4 - k) * HOUR_MS + i, k % 2 ? "purchase" : "visit", 5);
            OK(cx_feedback_add(NULL, s, NULL, id, k % 2 ? "csat" : "nps", 4, T0 + k * HOUR_MS, "web", NULL, NULL,
                               NULL));
        }
    }
    size_t want;
    OK(run_all(s, &want));
    size_t base = f.live;
    bool done = false;
    for (long n = 0; !done && n < 100000; n++) {
        cxt_alloc_allow(&f, n);
        size_t rows;
        int rc = run_all(s, &rows);
        cxt_alloc_allow(&f, -1);
        ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "rc %d at %ld: %s", rc, n, cx_last_error());
        /* the failing call names itself, whichever step inside it failed */
        ck_assert_msg(rc == CX_OK || strncmp(cx_last_error(), "cx_journeys", 11) == 0 ||
                          strncmp(cx_last_error(), "cx_funnel", 9) == 0,
                      "at %ld: %s", n, cx_last_error());
        ck_assert_uint_eq(f.live, base); /* nothing leaked */
        if (rc == CX_OK) {
            ck_assert_uint_eq(rows, want);
            done = true;
        }
    }
    ck_assert(done);
    cx_store_free(s);
    cxt_alloc_done(&f);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("journey");
    TCase *core = tcase_create("core");
    tcase_add_test(core, journeys_cut);
    tcase_add_test(core, values_in_cents_or_doubles);
    tcase_add_test(core, boundary_post_purchase);
    tcase_add_test(core, boundary_attribution);
    tcase_add_test(core, top_paths);
    tcase_add_test(core, transitions);
    tcase_add_test(core, markov_cycle);
    tcase_add_test(core, markov_toy);
    tcase_add_test(core, position_based);
    tcase_add_test(core, funnels);
    tcase_add_test(core, stages);
    tcase_add_test(core, pain_points_and_drivers);
    tcase_add_test(core, pain_repeat_contacts_at_one_time);
    suite_add_tcase(su, core);
    TCase *bad = tcase_create("limits");
    tcase_set_timeout(bad, 120);
    tcase_add_test(bad, bad_arguments);
    tcase_add_test(bad, out_of_memory);
    suite_add_tcase(su, bad);
    return run_suite(su);
}

/*
 * cx-journeys: the customer journeys of the demo data. Imports a directory
 * of CXKit CSV files, builds the journeys once (a purchase converts; its
 * delivery, unboxing, onboarding and support stay in the order's journey,
 * the next pre-purchase touch starts the next one; consecutive repeats
 * merged) and prints the top paths, a stage funnel, Markov and heuristic
 * attribution by channel, stage progression, the satisfaction drivers of
 * relationship NPS and the prioritised pain points, with the first pain
 * point's evidence under the old rule (a purchase ends its journey) beside.
 *
 * Usage: cx-journeys [DATA_DIR]     (default examples/data)
 */
#include <cxkit/cxkit.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "cx-journeys: %s: %s\n", #call, cx_last_error());                                     \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

static size_t col(const cx_result *t, const char *name)
{
    size_t c;
    CHECK(cx_result_column_find(&c, t, name));
    return c;
}

static double num(const cx_result *t, size_t row, const char *name)
{
    double v;
    CHECK(cx_result_get_real(&v, t, row, col(t, name)));
    return v;
}

static const char *str(const cx_result *t, size_t row, const char *name)
{
    const char *v;
    CHECK(cx_result_get_string(&v, t, row, col(t, name)));
    return v ? v : "(none)";
}

static void load(cx_store *s, const char *dir)
{
    static const int order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES, CX_TABLE_INTERACTIONS,
                                CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,    CX_TABLE_TRANSACTIONS};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *name;
        char path[4096];
        CHECK(cx_table_name(&name, order[i]));
        snprintf(path, sizeof path, "%s/%s.csv", dir, name);
        cx_import_report *rep;
        CHECK(cx_import_csv(&rep, s, order[i], path, NULL));
        cx_import_report_free(rep);
    }
}

static cx_journeys *build(const cx_store *s, cx_journeys_level level, cx_journeys_boundary rule)
{
    cx_journeys_options *o;
    cx_journeys *j;
    CHECK(cx_journeys_options_new(&o, s));
    CHECK(cx_journeys_options_set_conversion(o, CX_CONVERSION_BY_KIND, "purchase"));
    /* the default rule, spelt out: what follows a purchase and belongs to it */
    CHECK(cx_journeys_options_set_boundary(o, rule));
    CHECK(cx_journeys_options_set_post_purchase(o, CX_POST_PURCHASE_BY_KIND, "delivery"));
    CHECK(cx_journeys_options_add_post_purchase(o, CX_POST_PURCHASE_BY_TOUCHPOINT_KIND, "logistics"));
    CHECK(cx_journeys_options_add_post_purchase(o, CX_POST_PURCHASE_BY_STAGE, "onboarding"));
    CHECK(cx_journeys_options_add_post_purchase(o, CX_POST_PURCHASE_BY_STAGE, "advocacy"));
    CHECK(cx_journeys_options_add_post_purchase(o, CX_POST_PURCHASE_BY_STAGE, "service"));
    CHECK(cx_journeys_options_set_collapse(o, 1));
    CHECK(cx_journeys_options_set_level(o, level));
    CHECK(cx_journeys_options_set_repeat_contacts(o, "contact", 14LL * 86400000));
    /* the build on two threads: the same journeys, sooner on a large store */
    CHECK(cx_journeys_options_set_threads(o, 2));
    CHECK(cx_journeys_new(&j, s, o));
    cx_journeys_options_free(o);
    return j;
}

static void top_paths(const cx_journeys *j)
{
    cx_result *t;
    CHECK(cx_journeys_paths(&t, j, 8));
    printf("\nTop paths (touchpoints, repeats merged; a purchase converts, and its delivery, unboxing, onboarding\n"
           "and support stay in its journey: the next pre-purchase touch starts the next one)\n");
    printf("  %6s %7s %9s %9s %6s %6s  %s\n", "n", "conv%", "median h", "to conv h", "NPS", "CSAT%", "path");
    for (size_t r = 0; r < cx_result_row_count(t); r++)
        printf("  %6.0f %7.1f %9.1f %9.1f %6.1f %6.1f  %s\n", num(t, r, "journeys"), num(t, r, "conversion_rate"),
               num(t, r, "median_duration_ms") / 3.6e6, num(t, r, "median_to_conversion_ms") / 3.6e6,
               num(t, r, "nps"), num(t, r, "csat"), str(t, r, "path"));
    cx_result_free(t);
}

static void funnel(const cx_store *s, const cx_journeys *j)
{
    cx_funnel *f;
    cx_result *t;
    CHECK(cx_funnel_new(&f, s));
    CHECK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "awareness"));
    CHECK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "consideration"));
    CHECK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "purchase"));
    CHECK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_TOUCHPOINT, "home_delivery"));
    CHECK(cx_funnel_add_step(f, CX_JOURNEYS_LEVEL_STAGE, "advocacy"));
    CHECK(cx_funnel_set_window(f, 90LL * 86400000));
    CHECK(cx_journeys_funnel(&t, j, f));
    /* as of the data's end (the default, cx_funnel_set_as_of()): a customer
     * whose 90 days have not run out yet is "still in", not "dropped" */
    printf("\nFunnel within 90 days of the first step (loose order), as of the last interaction\n");
    printf("  %-14s %8s %10s %10s %14s %9s %8s %9s\n", "step", "entered", "from prev%", "from 1st%", "median h prev",
           "completed", "dropped", "still in");
    for (size_t r = 0; r < cx_result_row_count(t); r++)
        printf("  %-14s %8.0f %10.1f %10.1f %14.1f %9.0f %8.0f %9.0f\n", str(t, r, "name"), num(t, r, "entered"),
               num(t, r, "conversion_prev"), num(t, r, "conversion_first"),
               num(t, r, "median_from_prev_ms") / 3.6e6, num(t, r, "completed"), num(t, r, "dropped"),
               num(t, r, "in_progress"));
    cx_result_free(t);
    cx_funnel_free(f);
}

static void attribution(const cx_journeys *j, const char *what)
{
    cx_result *t;
    CHECK(cx_journeys_attribution(&t, j, 1));
    printf("\nAttribution of %zu purchases by %s (Markov removal effect, order 1, beside the heuristics;\n"
           "touches after a purchase get no credit for it)\n",
           cx_journeys_conversion_count(j), what);
    printf("  %-16s %8s %8s %10s %8s %8s %8s %8s %8s\n", what, "removal", "markov", "markov SAR", "first", "last",
           "linear", "decay", "U-shape");
    for (size_t r = 0; r < cx_result_row_count(t); r++)
        printf("  %-16s %8.3f %8.1f %10.0f %8.1f %8.1f %8.1f %8.1f %8.1f\n", str(t, r, "name"),
               num(t, r, "removal_effect"), num(t, r, "markov"), num(t, r, "markov_value"),
               num(t, r, "first_touch"), num(t, r, "last_touch"), num(t, r, "linear"), num(t, r, "time_decay"),
               num(t, r, "position_based"));
    cx_result_free(t);
}

static void stages(const cx_journeys *j)
{
    cx_result *t;
    CHECK(cx_journeys_stages(&t, j));
    printf("\nStage progression (customers)\n  %-14s %8s %8s %8s %8s %14s %14s\n", "stage", "reached", "current",
           "to next", "next%", "median d next", "median d in");
    for (size_t r = 0; r < cx_result_row_count(t); r++)
        printf("  %-14s %8.0f %8.0f %8.0f %8.1f %14.1f %14.1f\n", str(t, r, "stage"), num(t, r, "reached"),
               num(t, r, "current"), num(t, r, "to_next"), num(t, r, "conversion_next"),
               num(t, r, "median_to_next_ms") / 8.64e7, num(t, r, "median_time_in_ms") / 8.64e7);
    cx_result_free(t);
}

static void drivers(const cx_journeys *j)
{
    cx_result *t;
    CHECK(cx_journeys_drivers(&t, j));
    printf("\nDrivers of relationship NPS: touchpoint CSAT (customers, correlation, 95%% CI, NPS points per CSAT "
           "point)\n");
    for (size_t r = 0; r < cx_result_row_count(t) && r < 6; r++)
        printf("  %-18s n %5.0f  r %5.2f [%5.2f, %5.2f]  p %-8.2g slope %5.2f +- %.2f\n", str(t, r, "touchpoint"),
               num(t, r, "n"), num(t, r, "r"), num(t, r, "r_lo"), num(t, r, "r_hi"), num(t, r, "p"),
               num(t, r, "slope"), num(t, r, "slope_se"));
    cx_result_free(t);
}

static void satisfaction(const cx_journeys *j)
{
    cx_result *t;
    CHECK(cx_journeys_satisfaction(&t, j, CX_JOURNEYS_GROUP_CONVERTED));
    printf("\nSatisfaction of journeys that converted and of those that did not\n");
    for (size_t r = 0; r < cx_result_row_count(t); r++)
        printf("  %-14s journeys %6.0f  NPS %6.1f (n %5.0f)  CSAT %5.1f%% (n %5.0f)  CES %4.2f (n %5.0f)\n",
               str(t, r, "group"), num(t, r, "journeys"), num(t, r, "nps"), num(t, r, "nps_n"), num(t, r, "csat"),
               num(t, r, "csat_n"), num(t, r, "ces"), num(t, r, "ces_n"));
    cx_result_free(t);
}

/* One touchpoint's journey evidence: drop-off on the way to a purchase and,
 * after purchases, no later purchase. */
static void evidence(const cx_result *t, size_t r, const char *rule)
{
    printf("  %s: rank %.0f, %.0f flags, score %.1f, %.0f journeys\n", rule, num(t, r, "rank"), num(t, r, "flags"),
           num(t, r, "score"), num(t, r, "journeys"));
    printf("     drop-off on the way to a purchase %5.1f %% vs %5.1f %% elsewhere (n = %.0f)\n", num(t, r, "drop_off"),
           num(t, r, "drop_off_rest"), num(t, r, "drop_off_n"));
    if (num(t, r, "post_purchase_drop_off_n") > 0)
        printf("     no later purchase after it as a post-purchase step %5.1f %% vs %5.1f %% elsewhere (n = %.0f)\n",
               num(t, r, "post_purchase_drop_off"), num(t, r, "post_purchase_drop_off_rest"),
               num(t, r, "post_purchase_drop_off_n"));
    else
        printf("     no post-purchase steps under this rule\n");
}

static void pain_points(const cx_store *s, const cx_journeys *j)
{
    cx_result *t;
    CHECK(cx_journeys_pain_points(&t, j));
    printf("\nPain points, prioritised (flags = signals significantly worse than the other touchpoints, "
           "p < 0.05;\nscore = their excess in percentage points)\n");
    for (size_t r = 0; r < cx_result_row_count(t) && r < 8; r++)
        printf("  %zu. %-18s %-9s flags %.0f  score %5.1f  events %6.0f\n     %s\n", r + 1, str(t, r, "touchpoint"),
               str(t, r, "stage"), num(t, r, "flags"), num(t, r, "score"), num(t, r, "events"), str(t, r, "reason"));
    if (strcmp(str(t, 0, "touchpoint"), "home_delivery") == 0)
        printf("  -> the first pain point is home_delivery, the one the demo generator planted\n");
    /* the same evidence with the delivery cut off its order, as before 0.3 */
    const char *first = str(t, 0, "touchpoint");
    cx_journeys *old = build(s, CX_JOURNEYS_LEVEL_TOUCHPOINT, CX_JOURNEYS_BOUNDARY_CONVERSION);
    cx_result *u;
    CHECK(cx_journeys_pain_points(&u, old));
    size_t r = 0;
    while (r + 1 < cx_result_row_count(u) && strcmp(str(u, r, "touchpoint"), first) != 0)
        r++;
    printf("\nThe journey evidence for %s with and without post-purchase steps in the order's journey\n", first);
    evidence(t, 0, "post-purchase steps in the order's journey (the default)");
    evidence(u, r, "a purchase ends its journey (the rule of 0.2)");
    printf("  (under the old rule each delivery opened the next journey, so a delivery with no later purchase\n"
           "  counted as a drop-off and was compared with journeys on their way to a purchase; now it is compared\n"
           "  with the other steps that follow a purchase)\n");
    cx_result_free(u);
    cx_journeys_free(old);
    cx_result_free(t);
}

/* The same Markov attribution from path counts: the journeys' paths to
 * conversion counted in two shards (the customers split in two halves of
 * the rows, as two stores or two machines would count them), added into one
 * table of path counts and solved once; it equals the attribution above. */
static void attribution_from_counts(const cx_journeys *j)
{
    cx_result *pc, *t;
    CHECK(cx_journeys_path_counts(&pc, j, "|"));
    size_t n = cx_result_row_count(pc), col[4];
    const char *names[] = {"path", "conversions", "nulls", "value"};
    for (int c = 0; c < 4; c++)
        CHECK(cx_result_column_find(&col[c], pc, names[c]));
    cx_paths *p;
    CHECK(cx_paths_new(&p));
    CHECK(cx_paths_set_threads(p, 2)); /* the removals on two threads: the same table as on one */
    for (size_t half = 0; half < 2; half++)
        for (size_t r = half ? n / 2 : 0; r < (half ? n : n / 2); r++) {
            const char *path;
            double v[3];
            CHECK(cx_result_get_string(&path, pc, r, col[0]));
            for (int c = 0; c < 3; c++)
                CHECK(cx_result_get_real(&v[c], pc, r, col[c + 1]));
            CHECK(cx_paths_add(p, path, "|", v[0], v[1], v[2]));
        }
    CHECK(cx_paths_attribution(&t, p, 1));
    printf("\nThe same from %zu path counts (counted in two shards, solved once): Markov credit\n  ",
           cx_paths_count(p));
    for (size_t r = 0; r < cx_result_row_count(t); r++)
        printf("%s %.1f%s", str(t, r, "name"), num(t, r, "markov"), r + 1 < cx_result_row_count(t) ? ", " : "\n");
    cx_result_free(t);
    cx_result_free(pc);
    cx_paths_free(p);
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "examples/data";
    cx_store *s;
    CHECK(cx_store_new(&s));
    load(s, dir);
    size_t n, loaded, compacted;
    CHECK(cx_store_rows(&n, s, CX_TABLE_INTERACTIONS));
    /* loaded, the store is only read from here on: it gives back the room
     * its columns keep for rows to come and the index of the events' ids */
    CHECK(cx_store_memory(&loaded, s));
    CHECK(cx_store_compact(s));
    CHECK(cx_store_memory(&compacted, s));
    printf("store: %.1f bytes per interaction loaded, %.1f compacted\n", (double)loaded / (double)(n ? n : 1),
           (double)compacted / (double)(n ? n : 1));
    cx_journeys *j = build(s, CX_JOURNEYS_LEVEL_TOUCHPOINT, CX_JOURNEYS_BOUNDARY_POST_PURCHASE);
    printf("%zu interactions in %zu journeys, %zu converted; the index takes %.1f bytes per interaction\n", n,
           cx_journeys_count(j), cx_journeys_conversion_count(j),
           (double)cx_journeys_byte_count(j) / (double)(n ? n : 1));
    top_paths(j);
    funnel(s, j);
    cx_journeys *jc = build(s, CX_JOURNEYS_LEVEL_CHANNEL, CX_JOURNEYS_BOUNDARY_POST_PURCHASE);
    attribution(jc, "channel");
    attribution_from_counts(jc);
    cx_journeys_free(jc);
    stages(j);
    satisfaction(j);
    drivers(j);
    pain_points(s, j);
    cx_journeys_free(j);
    cx_store_free(s);
    return 0;
}

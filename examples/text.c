/*
 * cx-text: the voice of the customer in the demo data. Imports a directory
 * of CXKit CSV files, indexes every survey comment (Arabic and English)
 * once, and prints the most frequent terms and phrases, the detractor and
 * promoter themes of home_delivery (weighted log-odds with an informative
 * Dirichlet prior, z-scores), the share of its detractors who mention the
 * delivery, the same themes from two shards merged, a search with the
 * customer, touchpoint, score and time of each comment, the monthly trend
 * of "late", and the sentiment of the comments from a lexicon learned from
 * the scores.
 *
 * Usage: cx-text [DATA_DIR]     (default examples/data)
 */
#include <cxkit/cxkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "cx-text: %s: %s\n", #call, cx_last_error());                                         \
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

/* The themes of one group, n from each end. */
/* Prints s and pads it to `width` columns: one column per character (UTF-8
 * lead byte), not per byte, so that Arabic labels line up in a terminal. */
static void padded(const char *s, int width)
{
    int cols = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        cols += (*p & 0xC0) != 0x80;
    printf("%s%*s", s, cols < width ? width - cols : 0, "");
}

static void print_themes(const cx_result *th, const char *group, size_t n)
{
    size_t first = SIZE_MAX, last = 0;
    for (size_t i = 0; i < cx_result_row_count(th); i++)
        if (strcmp(str(th, i, "group"), group) == 0) {
            if (first == SIZE_MAX)
                first = i;
            last = i;
        }
    if (first == SIZE_MAX)
        return;
    printf("  detractors say (z > 0)                      promoters say (z < 0)\n");
    for (size_t k = 0; k < n && first + k <= last; k++) {
        size_t a = first + k, b = last - k;
        printf("  ");
        padded(str(th, a, "label"), 26);
        printf(" %5.1f %4.0f%%    ", num(th, a, "z"), 100 * num(th, a, "low_share"));
        padded(str(th, b, "label"), 26);
        printf(" %5.1f\n", num(th, b, "z"));
    }
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "examples/data";
    cx_store *s;
    CHECK(cx_store_new(&s));
    load(s, dir);

    cx_text_index *ix;
    CHECK(cx_text_index_new(&ix, s, CX_LANG_AUTO));
    size_t ncom, nterms, ntok, mem;
    CHECK(cx_text_index_stats(&ncom, &nterms, &ntok, ix));
    CHECK(cx_text_index_memory(&mem, ix));
    printf("== %zu comments indexed: %zu terms, %zu occurrences, %zu bytes ==\n\n", ncom, nterms, ntok, mem);

    cx_result *t;
    CHECK(cx_text_terms(&t, ix, 1));
    printf("Most frequent terms:");
    for (size_t i = 0; i < 12 && i < cx_result_row_count(t); i++)
        printf(" %s", str(t, i, "label"));
    printf("\n");
    cx_result_free(t);
    CHECK(cx_text_phrases(&t, ix, 10));
    printf("Phrases (by log-likelihood ratio):");
    for (size_t i = 0; i < 8 && i < cx_result_row_count(t); i++)
        printf(" \"%s\"", str(t, i, "label"));
    printf("\n\n");
    cx_result_free(t);

    /* themes of NPS answers by touchpoint */
    cx_result *counts, *th;
    CHECK(cx_text_counts(&counts, ix, CX_METRIC_NPS, CX_TEXT_GROUP_TOUCHPOINT, 0, 0, NULL, NULL, CX_TIME_NONE,
                         CX_TIME_NONE));
    CHECK(cx_text_themes(&th, counts, 0, 5));
    printf("== home_delivery, NPS: terms and phrases (label, z, share of detractors) ==\n");
    print_themes(th, "home_delivery", 6);
    for (size_t i = 0; i < cx_result_row_count(th); i++)
        if (strcmp(str(th, i, "group"), "home_delivery") == 0 && strcmp(str(th, i, "term"), "توصيل") == 0)
            printf("  -> %.0f %% of home_delivery detractors who commented mention the delivery (%s), %.0f %% "
                   "of its promoters\n",
                   100 * num(th, i, "low_share"), str(th, i, "label"), 100 * num(th, i, "high_share"));
    size_t nth_all = cx_result_row_count(th);
    cx_result_free(th);

    /* the same from two halves of the year, merged (shards) */
    cx_result *h1, *h2, *m, *th2;
    cx_time mid;
    CHECK(cx_time_parse(&mid, "2025-01-01T00:00:00+03:00", strlen("2025-01-01T00:00:00+03:00")));
    CHECK(cx_text_counts(&h1, ix, CX_METRIC_NPS, CX_TEXT_GROUP_TOUCHPOINT, 0, 0, NULL, NULL, CX_TIME_NONE, mid));
    CHECK(cx_text_counts(&h2, ix, CX_METRIC_NPS, CX_TEXT_GROUP_TOUCHPOINT, 0, 0, NULL, NULL, mid, CX_TIME_NONE));
    CHECK(cx_text_counts_merge(&m, h1, h2));
    CHECK(cx_text_themes(&th2, m, 0, 5));
    printf("  (2024 and 2025 counted apart, then merged: %zu themes; all at once: %zu)\n\n",
           cx_result_row_count(th2), nth_all);
    cx_result_free(h1);
    cx_result_free(h2);
    cx_result_free(m);
    cx_result_free(th2);
    cx_result_free(counts);

    /* CSAT themes of the call centre */
    CHECK(cx_text_counts(&counts, ix, CX_METRIC_CSAT, CX_TEXT_GROUP_CHANNEL, 0, 0, NULL, "phone", CX_TIME_NONE,
                         CX_TIME_NONE));
    CHECK(cx_text_themes(&th, counts, 0, 3));
    printf("== phone channel, CSAT ==\n");
    print_themes(th, "phone", 4);
    printf("\n");
    cx_result_free(th);
    cx_result_free(counts);

    /* search */
    cx_result *hits;
    CHECK(cx_text_search(&hits, ix, "لم يتصل", 0));
    printf("== \"لم يتصل\" (did not call): %zu comments; the first three ==\n", cx_result_row_count(hits));
    for (size_t i = 0; i < 3 && i < cx_result_row_count(hits); i++) {
        int64_t when;
        char iso[CX_TIME_FORMAT_MAX];
        CHECK(cx_result_get_int(&when, hits, i, col(hits, "time")));
        CHECK(cx_time_format(iso, sizeof iso, when, 180));
        printf("  %s  %s  %s=%g  %s\n", iso, str(hits, i, "customer"), str(hits, i, "question"),
               num(hits, i, "score"), str(hits, i, "comment"));
    }
    cx_result_free(hits);
    CHECK(cx_text_trend(&t, ix, "late", CX_BUCKET_QUARTER, 180));
    printf("\n== \"late\" per quarter: share of comments ==\n ");
    for (size_t i = 0; i < cx_result_row_count(t); i++)
        printf(" %s %.1f%%", str(t, i, "period"), 100 * num(t, i, "share"));
    printf("\n\n");
    cx_result_free(t);

    /* sentiment from a lexicon learned on these scores */
    cx_text_lexicon *lex;
    CHECK(cx_text_lexicon_learn(&lex, ix, CX_METRIC_NPS, 5, 1.0));
    CHECK(cx_text_lexicon_terms(&t, lex));
    printf("== sentiment: %zu terms learned from NPS (|z| >= 1) ==\n", cx_result_row_count(t));
    cx_result_free(t);
    double v;
    CHECK(cx_text_sentiment_of(&v, NULL, lex, "the delivery was late"));
    printf("  \"the delivery was late\" %.2f", v);
    CHECK(cx_text_sentiment_of(&v, NULL, lex, "the delivery was not late"));
    printf("   \"the delivery was not late\" %.2f (negated)\n", v);
    cx_result *sent;
    CHECK(cx_text_sentiment(&sent, ix, lex));
    double pos = 0, neg = 0;
    for (size_t i = 0; i < cx_result_row_count(sent); i++) {
        double x = num(sent, i, "sentiment");
        pos += x > 0;
        neg += x < 0;
    }
    printf("  comments: %.0f positive, %.0f negative, %.0f neutral or unknown\n", pos, neg,
           (double)cx_result_row_count(sent) - pos - neg);
    cx_result_free(sent);
    cx_text_lexicon_free(lex);
    cx_text_index_free(ix);
    cx_store_free(s);
    return 0;
}

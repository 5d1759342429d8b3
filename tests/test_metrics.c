/* Tests of the metrics queries (cx_query_*, cx_result_*): every formula on
 * hand-computed cases with their edge cases, groupings and filters, time
 * buckets, SLA and business hours, comparisons, merge of partitions against
 * one pass on random data, serialisation, export, bad input and running out
 * of memory. */
#include "cx_test.h"

#include <pthread.h>

static cx_result *run1(const cx_store *s, int measure)
{
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, measure));
    OK(cx_query_run(&r, q));
    cx_query_free(q);
    return r;
}

/* Survey data: three customers, three touchpoints. */
static cx_store *survey_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", "vip", "الرياض", NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "B", "std", "جدة", NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "C", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "call", "phone", "service", "service", 1, 1));
    OK(cx_case_add(s, "K1", "C", "email", "high", "نورة", T("2024-03-01T09:00:00Z"), CX_TIME_NONE, CX_TIME_NONE,
                   0, 1));
    cx_time t = T("2024-03-02T10:00:00Z");
    OK(cx_feedback_add(NULL, s, NULL, "A", "nps", 10, t, "web", NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "A", "nps", 9, t, "call", NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "B", "nps", 7, t, "web", NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "B", "nps", 0, t, "call", NULL, NULL, "سيء"));
    OK(cx_feedback_add(NULL, s, NULL, "C", "nps", 8, t, NULL, NULL, "K1", NULL));
    OK(cx_feedback_add(NULL, s, NULL, "C", "nps", 6, t, NULL, NULL, NULL, NULL));
    return s;
}

START_TEST(nps_formula)
{
    cx_store *s = survey_store();
    cx_result *r = run1(s, CX_MEASURE_NPS);
    ck_assert_uint_eq(cx_result_row_count(r), 1);
    CLOSE(result_real(r, 0, "nps"), 0);
    CLOSE(result_real(r, 0, "nps_n"), 6);
    CLOSE(result_real(r, 0, "nps_promoters"), 2);
    CLOSE(result_real(r, 0, "nps_passives"), 2);
    CLOSE(result_real(r, 0, "nps_detractors"), 2);
    /* adjusted Wald (Rocks 2016): 2.75, 3.5, 2.75 of n' = 9, centre 0,
     * var = (5.5/9) / 9, half width 1.959964 * 100 * sqrt(5.5) / 9 */
    CLOSE(result_real(r, 0, "nps_lo"), -51.0724775654055);
    CLOSE(result_real(r, 0, "nps_hi"), 51.0724775654055);
    cx_result_free(r);

    /* by channel: web 10, 7 -> 50; phone 9, 0 -> 0; email (through the case) 8 -> 0; missing 6 -> -100 */
    cx_query *q;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_group_by(q, CX_DIM_CHANNEL));
    OK(cx_query_run(&r, q));
    ck_assert_uint_eq(cx_result_row_count(r), 4);
    ck_assert_ptr_null(result_label(r, 0, "channel")); /* missing labels sort first */
    CLOSE(result_real(r, 0, "nps"), -100);
    CLOSE(result_real(r, result_row(r, "channel", "web"), "nps"), 50);
    CLOSE(result_real(r, result_row(r, "channel", "phone"), "nps"), 0);
    CLOSE(result_real(r, result_row(r, "channel", "email"), "nps"), 0);
    CLOSE(result_real(r, result_row(r, "channel", "email"), "nps_passives"), 1);
    cx_result_free(r);
    cx_query_free(q);

    /* by region (Arabic labels) and by agent (through the case) */
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_group_by(q, CX_DIM_REGION));
    OK(cx_query_run(&r, q));
    ck_assert_uint_eq(cx_result_row_count(r), 3);
    CLOSE(result_real(r, result_row(r, "region", "الرياض"), "nps"), 100);
    CLOSE(result_real(r, result_row(r, "region", "جدة"), "nps"), -50);
    cx_result_free(r);
    cx_query_free(q);
    cx_store_free(s);
}
END_TEST

START_TEST(nps_edge_cases)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    /* no answers: one row, n 0, the rest NaN */
    cx_result *r = run1(s, CX_MEASURE_NPS);
    ck_assert_uint_eq(cx_result_row_count(r), 1);
    CLOSE(result_real(r, 0, "nps_n"), 0);
    ck_assert(isnan(result_real(r, 0, "nps")));
    ck_assert(isnan(result_real(r, 0, "nps_lo")));
    cx_result_free(r);
    /* a single answer */
    OK(cx_feedback_add(NULL, s, NULL, "A", "nps", 10, 0, NULL, NULL, NULL, NULL));
    r = run1(s, CX_MEASURE_NPS);
    CLOSE(result_real(r, 0, "nps"), 100);
    /* not the point [100, 100]: 25 -+ 100 z 0.375 (adjusted Wald) */
    CLOSE(result_real(r, 0, "nps_lo"), -48.498649420252);
    CLOSE(result_real(r, 0, "nps_hi"), 98.498649420252);
    cx_result_free(r);
    cx_store_free(s);
    /* all passives */
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    for (int i = 0; i < 5; i++)
        OK(cx_feedback_add(NULL, s, NULL, "A", "nps", 7 + i % 2, i, NULL, NULL, NULL, NULL));
    r = run1(s, CX_MEASURE_NPS);
    CLOSE(result_real(r, 0, "nps"), 0);
    CLOSE(result_real(r, 0, "nps_passives"), 5);
    CLOSE(result_real(r, 0, "nps_lo"), -30.0056979772207);
    CLOSE(result_real(r, 0, "nps_hi"), 30.0056979772207);
    cx_result_free(r);
    cx_store_free(s);
}
END_TEST

/* Groups below the minimum size are flagged in `<measure>_small`, from n:
 * the default 30, a chosen minimum, 0 for none; the flag survives
 * serialisation (with the query's minimum) and is recomputed by a merge,
 * where two small shards can make a group that is not. */
/* Bytes of format version 3 rewritten with the sums of squares of version
 * 1 and 2: each distribution's exact sum (two u64 before a quantile
 * accumulator, magic "CXQA") as the f64 of its value. Returns the new
 * length (never more than `len`). */
static size_t squares_as_f64(unsigned char *out, const unsigned char *in, size_t len)
{
    size_t o = 0;
    for (size_t i = 0; i < len;) {
        if (i + 20 <= len && memcmp(in + i + 16, "CXQA", 4) == 0) {
            uint64_t lo = 0, hi = 0;
            for (int b = 0; b < 8; b++) {
                lo |= (uint64_t)in[i + (size_t)b] << (8 * b);
                hi |= (uint64_t)in[i + 8 + (size_t)b] << (8 * b);
            }
            double d = (double)hi * 0x1p64 + (double)lo;
            uint64_t u;
            memcpy(&u, &d, 8);
            for (int b = 0; b < 8; b++)
                out[o++] = (unsigned char)(u >> (8 * b));
            i += 16;
        } else {
            out[o++] = in[i++];
        }
    }
    return o;
}

static cx_result *small_query(const cx_store *s, int64_t min_n, int set)
{
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_add(q, CX_MEASURE_CSAT));
    OK(cx_query_add(q, CX_MEASURE_FCR));
    OK(cx_query_add(q, CX_MEASURE_RESOLUTION));
    OK(cx_query_add(q, CX_MEASURE_CX_INDEX));
    OK(cx_query_group_by(q, CX_DIM_SEGMENT));
    if (set)
        OK(cx_query_set_min_n(q, min_n));
    OK(cx_query_run(&r, q));
    cx_query_free(q);
    return r;
}

START_TEST(small_samples)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", "big", NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "B", "one", NULL, NULL, CX_TIME_NONE));
    /* segment big: 40 NPS answers (20 in each half of the year), one case */
    for (int i = 0; i < 40; i++)
        OK(cx_feedback_add(NULL, s, NULL, "A", "nps", i % 11, (cx_time)i * 1000, NULL, NULL, NULL, NULL));
    OK(cx_case_add(s, "K1", "A", "phone", NULL, NULL, 0, 1000, 5000, 0, 1));
    /* segment one: a single detractor */
    OK(cx_feedback_add(NULL, s, NULL, "B", "nps", 3, 500, NULL, NULL, NULL, NULL));
    cx_result *r = small_query(s, 0, 0);
    size_t big = result_row(r, "segment", "big"), one = result_row(r, "segment", "one");
    ck_assert_int_eq(result_int(r, big, "nps_n"), 40);
    ck_assert_int_eq(result_int(r, big, "nps_small"), 0);   /* 40 >= 30 */
    ck_assert_int_eq(result_int(r, big, "fcr_small"), 1);   /* 1 case */
    ck_assert_int_eq(result_int(r, big, "resolution_small"), 1);
    ck_assert_int_eq(result_int(r, big, "csat_small"), 1);  /* no CSAT answer: n 0 */
    ck_assert_int_eq(result_int(r, one, "nps_small"), 1);
    /* the figure is still there, with an honest interval */
    CLOSE(result_real(r, one, "nps"), -100);
    CLOSE(result_real(r, one, "nps_lo"), -98.498649420252);
    CLOSE(result_real(r, one, "nps_hi"), 48.498649420252);
    size_t c;
    ck_assert_int_eq(cx_result_column_find(&c, r, "cx_index_small"), CX_ENOTFOUND);
    OK(cx_result_column_find(&c, r, "nps_small"));
    int type;
    OK(cx_result_column_type(&type, r, c));
    ck_assert_int_eq(type, CX_TYPE_INT);
    cx_result_free(r);
    /* a chosen minimum: 1 answer is enough, 41 is not */
    r = small_query(s, 1, 1);
    ck_assert_int_eq(result_int(r, result_row(r, "segment", "one"), "nps_small"), 0);
    ck_assert_int_eq(result_int(r, result_row(r, "segment", "big"), "fcr_small"), 0);
    ck_assert_int_eq(result_int(r, result_row(r, "segment", "big"), "csat_small"), 1); /* 0 < 1 */
    cx_result_free(r);
    r = small_query(s, 41, 1);
    ck_assert_int_eq(result_int(r, result_row(r, "segment", "big"), "nps_small"), 1);
    cx_result_free(r);
    /* 0: never flagged, even with no data */
    r = small_query(s, 0, 1);
    ck_assert_int_eq(result_int(r, result_row(r, "segment", "big"), "csat_small"), 0);
    ck_assert_int_eq(result_int(r, result_row(r, "segment", "one"), "nps_small"), 0);
    cx_result_free(r);

    /* two shards of 20 answers each are small; their merge (40) is not */
    cx_store *h1, *h2;
    OK(cx_store_new(&h1));
    OK(cx_store_new(&h2));
    OK(cx_customer_add(h1, "A", "big", NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(h2, "A", "big", NULL, NULL, CX_TIME_NONE));
    for (int i = 0; i < 40; i++)
        OK(cx_feedback_add(NULL, i < 20 ? h1 : h2, NULL, "A", "nps", i % 11, (cx_time)i * 1000, NULL, NULL, NULL,
                           NULL));
    cx_result *r1 = small_query(h1, 30, 1), *r2 = small_query(h2, 30, 1), *m;
    ck_assert_int_eq(result_int(r1, 0, "nps_small"), 1);
    ck_assert_int_eq(result_int(r2, 0, "nps_small"), 1);
    OK(cx_result_merge(&m, r1, r2));
    ck_assert_int_eq(result_int(m, 0, "nps_n"), 40);
    ck_assert_int_eq(result_int(m, 0, "nps_small"), 0);
    cx_result_free(m);
    /* a different minimum is a different query: no merge */
    cx_result *r3 = small_query(h2, 10, 1);
    ck_assert_int_eq(result_int(r3, 0, "nps_small"), 0);
    ck_assert_int_eq(cx_result_merge(&m, r1, r3), CX_EINVAL);
    /* serialised and read back: the minimum travels with the result */
    size_t len;
    ck_assert_int_eq(cx_result_serialize(&len, r3, NULL, 0), CX_EBUFSIZE);
    unsigned char *buf = malloc(len);
    ck_assert_ptr_nonnull(buf);
    OK(cx_result_serialize(&len, r3, buf, len));
    cx_result *back;
    OK(cx_result_deserialize(&back, buf, len));
    ck_assert_int_eq(result_int(back, 0, "nps_small"), 0);
    ck_assert_int_eq(result_int(back, 0, "nps_n"), 20);
    cx_result_free(back);
    /* format version 1 (no minimum: its last 8 bytes of the query part are
     * missing) reads with the default 30; made by hand from version 2 */
    cx_result_free(r3);
    cx_result *r4 = small_query(h2, 30, 1);
    size_t len4;
    ck_assert_int_eq(cx_result_serialize(&len4, r4, NULL, 0), CX_EBUFSIZE);
    unsigned char *b3 = malloc(len4), *b4 = malloc(len4);
    ck_assert_ptr_nonnull(b3);
    ck_assert_ptr_nonnull(b4);
    OK(cx_result_serialize(&len4, r4, b3, len4));
    /* the resolution's sum of squares as version 1 wrote it */
    len4 = squares_as_f64(b4, b3, len4);
    free(b3);
    /* find the minimum, 30 as int64 little-endian, after the query part */
    size_t at = SIZE_MAX;
    for (size_t i = 8; i + 8 <= len4; i++)
        if (b4[i] == 30 && !b4[i + 1] && !b4[i + 2] && !b4[i + 3] && !b4[i + 4] && !b4[i + 5] && !b4[i + 6] &&
            !b4[i + 7]) {
            r3 = NULL;
            unsigned char *v1 = malloc(len4 - 8);
            memcpy(v1, b4, i);
            memcpy(v1 + i, b4 + i + 8, len4 - i - 8);
            v1[4] = 1; /* version 1 */
            if (cx_result_deserialize(&r3, v1, len4 - 8) == CX_OK) {
                at = i;
                ck_assert_int_eq(result_int(r3, 0, "nps_small"), 1);
                ck_assert_int_eq(result_int(r3, 0, "nps_n"), 20);
                cx_result_free(r3);
            }
            free(v1);
            if (at != SIZE_MAX)
                break;
        }
    ck_assert_msg(at != SIZE_MAX, "no version-1 reading of the bytes");
    free(b4);
    free(buf);
    cx_result_free(r4);
    cx_result_free(r1);
    cx_result_free(r2);
    cx_store_free(h1);
    cx_store_free(h2);
    cx_store_free(s);
}
END_TEST

START_TEST(csat_and_ces_scales)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_question_add(s, "csat10", CX_METRIC_CSAT, 0, 10, 1));
    OK(cx_question_add(s, "ces_low", CX_METRIC_CES, 1, 5, 0));
    double csat[] = {5, 4, 3, 1};
    for (int i = 0; i < 4; i++)
        OK(cx_feedback_add(NULL, s, NULL, "A", "csat", csat[i], i, NULL, NULL, NULL, NULL));
    /* 9 on 0-10 is in the top two points, and 1 + 9 * 4 / 10 = 4.6 on 1-5 */
    OK(cx_feedback_add(NULL, s, NULL, "A", "csat10", 9, 10, NULL, NULL, NULL, NULL));
    double ces[] = {7, 5, 4, 2};
    for (int i = 0; i < 4; i++)
        OK(cx_feedback_add(NULL, s, NULL, "A", "ces", ces[i], i, NULL, NULL, NULL, NULL));
    /* 1 on a 1-5 scale where low is easy: the easiest answer, 7 on 1-7 */
    OK(cx_feedback_add(NULL, s, NULL, "A", "ces_low", 1, 10, NULL, NULL, NULL, NULL));

    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_CSAT));
    OK(cx_query_add(q, CX_MEASURE_CES));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "csat"), 60);
    CLOSE(result_real(r, 0, "csat_n"), 5);
    CLOSE(result_real(r, 0, "csat_mean"), (5 + 4 + 3 + 1 + 4.6) / 5);
    CLOSE(result_real(r, 0, "csat_lo"), 23.072428127601295); /* Wilson 3/5 */
    CLOSE(result_real(r, 0, "csat_hi"), 88.2379225767352);
    CLOSE(result_real(r, 0, "ces"), 5);
    CLOSE(result_real(r, 0, "ces_n"), 5);
    CLOSE(result_real(r, 0, "ces_easy"), 60);
    /* t interval: 5 -+ t(0.975, 4) * sd / sqrt(5), sd of 7 5 4 2 7 = 2.1213203 */
    CLOSE(result_real(r, 0, "ces_lo"), 5 - 2.7764451051977987 * 0.9486832980505137);
    CLOSE(result_real(r, 0, "ces_hi"), 5 + 2.7764451051977987 * 0.9486832980505137);
    cx_result_free(r);
    cx_query_free(q);
    cx_store_free(s);
}
END_TEST

/* Cases: K1 one contact fast; K2 two contacts slow; K3 reopened; K4 open. */
static cx_store *case_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", "vip", NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "B", "std", NULL, NULL, CX_TIME_NONE));
    cx_time t0 = T("2024-05-06T08:00:00Z"); /* a Monday */
    OK(cx_case_add(s, "K1", "A", "phone", "urgent", "Sara", t0, t0 + HOUR_MS, t0 + 5 * HOUR_MS, 0, 1));
    OK(cx_case_add(s, "K2", "A", "email", "normal", "Omar", t0, t0 + 2 * HOUR_MS, t0 + 10 * HOUR_MS, 0, 2));
    OK(cx_case_add(s, "K3", "B", "phone", "normal", "Sara", t0, t0 + HOUR_MS / 2, t0 + 3 * HOUR_MS, 1, 1));
    OK(cx_case_add(s, "K4", "B", "chat", NULL, NULL, t0 + 20 * HOUR_MS, CX_TIME_NONE, CX_TIME_NONE, 0, 1));
    return s;
}

START_TEST(case_measures)
{
    cx_store *s = case_store();
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    int ms[] = {CX_MEASURE_FCR, CX_MEASURE_FIRST_RESPONSE, CX_MEASURE_RESOLUTION, CX_MEASURE_CONTACTS,
                CX_MEASURE_REOPEN_RATE};
    for (int i = 0; i < 5; i++)
        OK(cx_query_add(q, ms[i]));
    OK(cx_query_run(&r, q));
    ck_assert_uint_eq(cx_result_row_count(r), 1);
    CLOSE(result_real(r, 0, "fcr"), 100.0 / 3);
    CLOSE(result_real(r, 0, "fcr_n"), 3);
    CLOSE(result_real(r, 0, "fcr_count"), 1);
    CLOSE(result_real(r, 0, "first_response_n"), 3);
    CLOSE(result_real(r, 0, "first_response_median"), (double)HOUR_MS);
    CLOSE(result_real(r, 0, "first_response_mean"), 3.5 * HOUR_MS / 3);
    CLOSE(result_real(r, 0, "resolution_n"), 3);
    CLOSE(result_real(r, 0, "resolution_mean"), 6.0 * HOUR_MS);
    CLOSE(result_real(r, 0, "resolution_median"), 5.0 * HOUR_MS);
    CLOSE(result_real(r, 0, "resolution_p90"), 9.0 * HOUR_MS); /* [3, 5, 10] h: 5 + 0.8 * 5 */
    CLOSE(result_real(r, 0, "resolution_total"), 18.0 * HOUR_MS);
    CLOSE(result_real(r, 0, "contacts_mean"), 5.0 / 4);
    CLOSE(result_real(r, 0, "reopen_rate"), 25);
    double v;
    OK(cx_result_quantile(&v, r, 0, CX_MEASURE_RESOLUTION, 0.25));
    CLOSE(v, 4.0 * HOUR_MS);
    OK(cx_result_quantile(&v, r, 0, CX_MEASURE_RESOLUTION, 1));
    CLOSE(v, 10.0 * HOUR_MS);
    ck_assert_int_eq(cx_result_quantile(&v, r, 0, CX_MEASURE_NPS, 0.5), CX_ENOTFOUND);
    ck_assert_int_eq(cx_result_quantile(&v, r, 0, CX_MEASURE_FCR, 0.5), CX_EINVAL);
    ck_assert_int_eq(cx_result_quantile(&v, r, 0, CX_MEASURE_RESOLUTION, 1.5), CX_ERANGE);
    ck_assert_int_eq(cx_result_quantile(&v, r, 1, CX_MEASURE_RESOLUTION, 0.5), CX_ERANGE);
    cx_result_free(r);

    /* a looser rule: two contacts and one reopen allowed -> 3 of 3 */
    OK(cx_query_set_fcr_rule(q, 2, 1, 0));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "fcr"), 100);
    cx_result_free(r);
    cx_query_free(q);

    /* by agent, with a case without an agent */
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_RESOLUTION));
    OK(cx_query_group_by(q, CX_DIM_AGENT));
    OK(cx_query_run(&r, q));
    ck_assert_uint_eq(cx_result_row_count(r), 3);
    CLOSE(result_real(r, result_row(r, "agent", "Sara"), "resolution_mean"), 4.0 * HOUR_MS);
    CLOSE(result_real(r, result_row(r, "agent", NULL), "resolution_n"), 0);
    ck_assert(isnan(result_real(r, result_row(r, "agent", NULL), "resolution_median")));
    cx_result_free(r);
    cx_query_free(q);
    cx_store_free(s);
}
END_TEST

START_TEST(sla_targets)
{
    cx_store *s = case_store();
    cx_time t0 = T("2024-05-06T08:00:00Z");
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_SLA_BREACH));
    OK(cx_query_set_sla(q, NULL, NULL, 90 * 60000LL, 8 * HOUR_MS));
    OK(cx_query_set_as_of(q, t0 + 22 * HOUR_MS)); /* K4 waits 2 h for its first response */
    OK(cx_query_run(&r, q));
    /* K1 ok; K2 answered after 2 h; K3 ok; K4 pending past 90 min */
    CLOSE(result_real(r, 0, "sla_breach_n"), 4);
    CLOSE(result_real(r, 0, "sla_breach_count"), 2);
    CLOSE(result_real(r, 0, "sla_breach"), 50);
    cx_result_free(r);
    /* judged when K4 had waited only one hour: not yet a breach */
    OK(cx_query_set_as_of(q, t0 + 21 * HOUR_MS));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "sla_breach_count"), 1);
    cx_result_free(r);
    /* urgent cases must be answered within 30 minutes: K1 breaches; phone
     * cases of any priority within 45 min: K3 keeps its 30 min */
    OK(cx_query_set_sla(q, "urgent", NULL, 30 * 60000LL, -1));
    OK(cx_query_set_sla(q, NULL, "phone", 45 * 60000LL, -1));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "sla_breach_count"), 2);
    cx_result_free(r);
    /* targets naming an unknown priority are refused when the query runs */
    OK(cx_query_set_sla(q, "critical", NULL, 1, 1));
    ck_assert_int_eq(cx_query_run(&r, q), CX_ENOTFOUND);
    ck_assert_ptr_null(r);
    MSG_HAS("critical");
    ck_assert_int_eq(cx_query_set_sla(q, NULL, NULL, -2, 1), CX_ERANGE);
    cx_query_free(q);
    cx_store_free(s);
}
END_TEST

START_TEST(business_hours)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    /* opened Friday 16:00, answered Monday 10:00, resolved Monday 17:30 */
    OK(cx_case_add(s, "K", "A", "phone", NULL, NULL, T("2024-05-10T16:00:00Z"), T("2024-05-13T10:00:00Z"),
                   T("2024-05-13T17:30:00Z"), 0, 1));
    cx_calendar *cal;
    OK(cx_calendar_new(&cal, 0));
    for (int d = 1; d <= 5; d++)
        OK(cx_calendar_add_hours(cal, d, 9 * 60, 17 * 60));
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_FIRST_RESPONSE));
    OK(cx_query_add(q, CX_MEASURE_RESOLUTION));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "first_response_mean"), 66.0 * HOUR_MS);
    cx_result_free(r);
    OK(cx_query_set_calendar(q, cal));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "first_response_mean"), 2.0 * HOUR_MS);  /* Fri 16-17, Mon 9-10 */
    CLOSE(result_real(r, 0, "resolution_mean"), 9.0 * HOUR_MS);      /* Fri 16-17, Mon 9-17 */
    cx_result_free(r);
    /* a holiday on the Monday pushes everything out */
    OK(cx_calendar_add_holiday(cal, 2024, 5, 13));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "first_response_mean"), 1.0 * HOUR_MS);
    cx_result_free(r);
    cx_query_free(q);
    cx_calendar_free(cal);
    cx_store_free(s);
}
END_TEST

/* Contacts: A inbound t0 handled 5 min, inbound +1 d handled 10 min,
 * outbound +2 d missed; B inbound t0 abandoned, inbound +10 d missed. */
static cx_store *contact_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "B", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "call", "phone", "service", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "chat", "chat", "service", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "site", "web", "consideration", NULL, 0, 1));
    cx_time t0 = T("2024-06-03T09:00:00Z");
    OK(cx_interaction_add(NULL, s, NULL, "A", "call", t0 + DAY_MS, "contact", CX_INBOUND, "Sara", NULL, 600000, CX_HANDLED,
                          0));
    OK(cx_interaction_add(NULL, s, NULL, "A", "call", t0, "contact", CX_INBOUND, "Sara", NULL, 300000, CX_HANDLED, 0));
    OK(cx_interaction_add(NULL, s, NULL, "A", "chat", t0 + 2 * DAY_MS, "contact", CX_OUTBOUND, "Omar", NULL, 0, CX_MISSED,
                          0));
    OK(cx_interaction_add(NULL, s, NULL, "B", "chat", t0, "contact", CX_INBOUND, NULL, NULL, 0, CX_ABANDONED, 0));
    OK(cx_interaction_add(NULL, s, NULL, "B", "call", t0 + 10 * DAY_MS, "contact", CX_INBOUND, "Sara", NULL, 0, CX_MISSED,
                          0));
    /* not a contact: a web visit */
    OK(cx_interaction_add(NULL, s, NULL, "B", "site", t0, "visit", CX_INBOUND, NULL, NULL, 0, CX_ABANDONED, 0));
    return s;
}

/* Two inbound contacts of one customer at the same time do not follow
 * each other: added in either order, neither is a repeat cause by
 * itself; a third contact a day later makes both causes. Before, the one
 * stored first was, and the repeat moved between channels with the
 * order of the rows. */
START_TEST(repeat_causes_at_one_time)
{
    for (int later = 0; later < 2; later++) {
        char text[2][256];
        for (int k = 0; k < 2; k++) {
            cx_store *s;
            OK(cx_store_new(&s));
            OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
            OK(cx_touchpoint_add(s, "call", "phone", "service", NULL, 1, 1));
            OK(cx_touchpoint_add(s, "chat", "chat", "service", NULL, 1, 1));
            cx_time t0 = T("2024-06-03T09:00:00Z");
            const char *tp[2] = {k ? "chat" : "call", k ? "call" : "chat"};
            for (int i = 0; i < 2; i++)
                OK(cx_interaction_add(NULL, s, NULL, "A", tp[i], t0, "contact", CX_INBOUND, NULL, NULL, 1000,
                                      CX_HANDLED, 0));
            if (later)
                OK(cx_interaction_add(NULL, s, NULL, "A", "call", t0 + DAY_MS, "contact", CX_INBOUND, NULL, NULL,
                                      1000, CX_HANDLED, 0));
            cx_query *q;
            cx_result *r;
            OK(cx_query_new(&q, s));
            OK(cx_query_add(q, CX_MEASURE_REPEAT_RATE));
            OK(cx_query_group_by(q, CX_DIM_CHANNEL));
            OK(cx_query_run(&r, q));
            ck_assert_uint_eq(cx_result_row_count(r), 2);
            size_t ph = strcmp(result_label(r, 0, "channel"), "phone") == 0 ? 0 : 1;
            snprintf(text[k], sizeof text[k], "chat %g of %g, phone %g of %g", result_real(r, 1 - ph, "repeat_rate"),
                     result_real(r, 1 - ph, "repeat_rate_n"), result_real(r, ph, "repeat_rate"),
                     result_real(r, ph, "repeat_rate_n"));
            cx_result_free(r);
            cx_query_free(q);
            cx_store_free(s);
        }
        ck_assert_str_eq(text[0], later ? "chat 100 of 1, phone 50 of 2" : "chat 0 of 1, phone 0 of 1");
        ck_assert_str_eq(text[1], text[0]);
    }
}
END_TEST

START_TEST(contact_measures)
{
    cx_store *s = contact_store();
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    int ms[] = {CX_MEASURE_MISSED_RATE, CX_MEASURE_ABANDON_RATE, CX_MEASURE_HANDLE_TIME, CX_MEASURE_REPEAT_RATE};
    for (int i = 0; i < 4; i++)
        OK(cx_query_add(q, ms[i]));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "missed_rate"), 40);
    CLOSE(result_real(r, 0, "missed_rate_n"), 5);
    CLOSE(result_real(r, 0, "abandon_rate"), 20);
    CLOSE(result_real(r, 0, "handle_time_mean"), 450000);
    CLOSE(result_real(r, 0, "handle_time_total"), 900000);
    /* inbound contacts 4; A's first is followed within 7 days */
    CLOSE(result_real(r, 0, "repeat_rate_n"), 4);
    CLOSE(result_real(r, 0, "repeat_rate"), 25);
    cx_result_free(r);
    /* an 11-day window makes B's first a repeat cause too */
    OK(cx_query_set_repeat_window(q, 11 * DAY_MS));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "repeat_rate"), 50);
    cx_result_free(r);
    /* filter on channel and group by agent */
    OK(cx_query_filter(q, CX_DIM_CHANNEL, "phone"));
    OK(cx_query_group_by(q, CX_DIM_AGENT));
    OK(cx_query_run(&r, q));
    ck_assert_uint_eq(cx_result_row_count(r), 1);
    ck_assert_str_eq(result_label(r, 0, "agent"), "Sara");
    CLOSE(result_real(r, 0, "missed_rate"), 100.0 / 3);
    cx_result_free(r);
    cx_query_free(q);
    /* another contact kind */
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_ABANDON_RATE));
    OK(cx_query_set_contact_kind(q, "visit"));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "abandon_rate"), 100);
    CLOSE(result_real(r, 0, "abandon_rate_n"), 1);
    cx_result_free(r);
    cx_query_free(q);
    cx_store_free(s);
}
END_TEST

START_TEST(fcr_window)
{
    cx_store *s = contact_store();
    cx_time t0 = T("2024-06-03T09:00:00Z");
    /* resolved at t0 + 1 h; A calls again at t0 + 1 d */
    OK(cx_case_add(s, "K", "A", "phone", NULL, NULL, t0, t0 + HOUR_MS / 2, t0 + HOUR_MS, 0, 1));
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_FCR));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "fcr"), 100);
    cx_result_free(r);
    OK(cx_query_set_fcr_rule(q, 1, 0, 2 * DAY_MS));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "fcr"), 0);
    cx_result_free(r);
    OK(cx_query_set_fcr_rule(q, 1, 0, 12 * HOUR_MS));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "fcr"), 100);
    cx_result_free(r);
    cx_query_free(q);
    cx_store_free(s);
}
END_TEST

START_TEST(time_buckets)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    /* 22:00 UTC on 31 January is 1 February in +03:00 */
    OK(cx_feedback_add(NULL, s, NULL, "A", "nps", 10, T("2024-01-31T22:00:00Z"), NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "A", "nps", 0, T("2024-12-31T12:00:00Z"), NULL, NULL, NULL, NULL));
    struct {
        int bucket, offset;
        const char *col, *first, *second;
        const char *first_start;
    } cases[] = {
        {CX_BUCKET_MONTH, 0, "month", "2024-01", "2024-12", "2024-01-01T00:00:00Z"},
        {CX_BUCKET_MONTH, 180, "month", "2024-02", "2024-12", "2024-02-01T00:00:00+03:00"},
        {CX_BUCKET_DAY, 180, "day", "2024-02-01", "2024-12-31", "2024-02-01T00:00:00+03:00"},
        {CX_BUCKET_WEEK, 0, "week", "2024-W05", "2025-W01", "2024-01-29T00:00:00Z"},
        {CX_BUCKET_QUARTER, 0, "quarter", "2024-Q1", "2024-Q4", "2024-01-01T00:00:00Z"},
        {CX_BUCKET_YEAR, -300, "year", "2024", "2024", "2024-01-01T00:00:00-05:00"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cx_query *q;
        cx_result *r;
        OK(cx_query_new(&q, s));
        OK(cx_query_add(q, CX_MEASURE_NPS));
        OK(cx_query_group_by_time(q, cases[i].bucket, cases[i].offset));
        OK(cx_query_run(&r, q));
        bool one = strcmp(cases[i].first, cases[i].second) == 0;
        ck_assert_uint_eq(cx_result_row_count(r), (one ? 1 : 2));
        ck_assert_str_eq(result_label(r, 0, cases[i].col), cases[i].first);
        ck_assert_str_eq(result_label(r, one ? 0 : 1, cases[i].col), cases[i].second);
        int64_t start;
        size_t c;
        OK(cx_result_column_find(&c, r, cases[i].col));
        int type;
        OK(cx_result_column_type(&type, r, c));
        ck_assert_int_eq(type, CX_TYPE_TIME);
        OK(cx_result_get_int(&start, r, 0, c));
        ck_assert_int_eq(start, T(cases[i].first_start));
        if (!one) {
            CLOSE(result_real(r, 0, "nps"), 100);
            CLOSE(result_real(r, 1, "nps"), -100);
        }
        /* the labels stay in the caller's offset through serialisation and
         * merges (issue 19: labels in the caller's offset everywhere) */
        size_t len;
        ck_assert_int_eq(cx_result_serialize(&len, r, NULL, 0), CX_EBUFSIZE);
        void *buf = malloc(len);
        ck_assert_ptr_nonnull(buf);
        OK(cx_result_serialize(&len, r, buf, len));
        cx_result *back, *m;
        OK(cx_result_deserialize(&back, buf, len));
        OK(cx_result_merge(&m, r, back));
        ck_assert_str_eq(result_label(back, 0, cases[i].col), cases[i].first);
        ck_assert_str_eq(result_label(m, 0, cases[i].col), cases[i].first);
        ck_assert_str_eq(result_label(m, one ? 0 : 1, cases[i].col), cases[i].second);
        free(buf);
        cx_result_free(back);
        cx_result_free(m);
        cx_result_free(r);
        cx_query_free(q);
    }
    /* extreme times (the first and last a store takes, years 0000 and 9999)
     * are bucketed without overflow */
    OK(cx_feedback_add(NULL, s, NULL, "A", "nps", 5, T("9999-12-31T23:59:59.999Z"), NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "A", "nps", 5, T("0000-01-01T00:00:00Z"), NULL, NULL, NULL, NULL));
    for (int b = CX_BUCKET_DAY; b <= CX_BUCKET_YEAR; b++) {
        cx_query *q;
        cx_result *r;
        OK(cx_query_new(&q, s));
        OK(cx_query_add(q, CX_MEASURE_NPS));
        OK(cx_query_group_by_time(q, b, 840));
        OK(cx_query_run(&r, q));
        ck_assert_uint_eq(cx_result_row_count(r), 4); /* +14:00 puts 2024-12-31T12Z in 2025 */
        cx_result_free(r);
        cx_query_free(q);
    }
    cx_store_free(s);
}
END_TEST

START_TEST(filters)
{
    cx_store *s = survey_store();
    OK(cx_customer_set_attribute(s, "A", "tier", "gold"));
    OK(cx_customer_set_attribute(s, "B", "tier", "silver"));
    cx_query *q;
    cx_result *r;
    /* segment vip or std: A and B (10 9 7 0 -> 25) */
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_filter(q, CX_DIM_SEGMENT, "vip"));
    OK(cx_query_filter(q, CX_DIM_SEGMENT, "std"));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "nps_n"), 4);
    CLOSE(result_real(r, 0, "nps"), 25);
    cx_result_free(r);
    /* and stage service: 9, 0 */
    OK(cx_query_filter(q, CX_DIM_STAGE, "service"));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "nps_n"), 2);
    cx_result_free(r);
    cx_query_free(q);
    /* attribute filter and grouping */
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_filter_attribute(q, "tier", "gold"));
    OK(cx_query_group_by_attribute(q, "tier"));
    OK(cx_query_group_by(q, CX_DIM_TOUCHPOINT));
    OK(cx_query_run(&r, q));
    ck_assert_uint_eq(cx_result_row_count(r), 2);
    ck_assert_str_eq(result_label(r, 0, "tier"), "gold");
    ck_assert_str_eq(result_label(r, 0, "touchpoint"), "call");
    ck_assert_str_eq(result_label(r, 1, "touchpoint"), "web");
    cx_result_free(r);
    cx_query_free(q);
    /* an unknown agent matches nothing; an unknown channel is an error */
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_filter(q, CX_DIM_AGENT, "nobody"));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "nps_n"), 0);
    cx_result_free(r);
    OK(cx_query_filter(q, CX_DIM_CHANNEL, "fax"));
    ck_assert_int_eq(cx_query_run(&r, q), CX_ENOTFOUND);
    MSG_HAS("fax");
    cx_query_free(q);
    /* time range [from, to) */
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_set_range(q, T("2024-03-02T10:00:00Z"), T("2024-03-02T10:00:00.001Z")));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "nps_n"), 6);
    cx_result_free(r);
    OK(cx_query_set_range(q, CX_TIME_NONE, T("2024-03-02T10:00:00Z")));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "nps_n"), 0);
    cx_result_free(r);
    cx_query_free(q);
    cx_store_free(s);
}
END_TEST

START_TEST(cx_index)
{
    cx_store *s = survey_store();
    OK(cx_feedback_add(NULL, s, NULL, "A", "csat", 5, 0, NULL, NULL, NULL, NULL));
    OK(cx_feedback_add(NULL, s, NULL, "A", "csat", 2, 0, NULL, NULL, NULL, NULL));
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_CX_INDEX));
    /* defaults: NPS (0 -> 50), CSAT (50 %); CES and FCR have no data */
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "cx_index"), 50);
    CLOSE(result_real(r, 0, "nps"), 0); /* the parts are reported too */
    cx_result_free(r);
    OK(cx_query_set_index_weight(q, CX_MEASURE_NPS, 3));
    OK(cx_query_set_index_weight(q, CX_MEASURE_CSAT, 1));
    cx_query_free(q);
    OK(cx_query_new(&q, s));
    OK(cx_query_set_index_weight(q, CX_MEASURE_CSAT, 0));
    OK(cx_query_add(q, CX_MEASURE_CX_INDEX));
    OK(cx_query_run(&r, q));
    CLOSE(result_real(r, 0, "cx_index"), 50);
    cx_result_free(r);
    ck_assert_int_eq(cx_query_set_index_weight(q, CX_MEASURE_RESOLUTION, 1), CX_EINVAL);
    ck_assert_int_eq(cx_query_set_index_weight(q, CX_MEASURE_NPS, -1), CX_ERANGE);
    ck_assert_int_eq(cx_query_set_index_weight(q, CX_MEASURE_NPS, NAN), CX_ERANGE);
    cx_query_free(q);
    cx_store_free(s);
}
END_TEST

START_TEST(compare_groups)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "call", "phone", "service", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "chat", "chat", "service", NULL, 1, 1));
    for (int i = 0; i < 100; i++) {
        OK(cx_interaction_add(NULL, s, NULL, "A", "call", i, "contact", CX_INBOUND, NULL, NULL, 0,
                              i < 30 ? CX_MISSED : CX_HANDLED, 0));
        OK(cx_interaction_add(NULL, s, NULL, "A", "chat", i, "contact", CX_INBOUND, NULL, NULL, 0,
                              i < 50 ? CX_MISSED : CX_HANDLED, 0));
    }
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_MISSED_RATE));
    OK(cx_query_group_by(q, CX_DIM_CHANNEL));
    OK(cx_query_run(&r, q));
    double d, p;
    size_t phone = result_row(r, "channel", "phone"), chat = result_row(r, "channel", "chat");
    OK(cx_result_compare(&d, &p, r, phone, r, chat, CX_MEASURE_MISSED_RATE));
    CLOSE(d, -20);
    CLOSE(p, 0.0038924171227785465); /* pooled z = -2.8867513 */
    OK(cx_result_compare(&d, &p, r, phone, r, phone, CX_MEASURE_MISSED_RATE));
    CLOSE(d, 0);
    CLOSE(p, 1);
    ck_assert_int_eq(cx_result_compare(&d, &p, r, phone, r, 7, CX_MEASURE_MISSED_RATE), CX_ERANGE);
    ck_assert_int_eq(cx_result_compare(&d, &p, r, phone, r, chat, CX_MEASURE_NPS), CX_ENOTFOUND);
    ck_assert_int_eq(cx_result_compare(NULL, &p, r, phone, r, chat, CX_MEASURE_MISSED_RATE), CX_EINVAL);
    cx_result_free(r);
    cx_query_free(q);
    cx_store_free(s);
}
END_TEST

/* ---- merge == one pass ------------------------------------------------- */

static uint64_t rng = 88172645463325252u;
static uint64_t next(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

static const char *channels[] = {"phone", "chat", "email"};

static void same_names(cx_store *s)
{
    char id[32];
    for (int c = 0; c < 3; c++) {
        char tp[16];
        snprintf(tp, sizeof tp, "tp-%s", channels[c]);
        OK(cx_touchpoint_add(s, tp, channels[c], "service", NULL, 1, 1));
    }
    for (int i = 0; i < 40; i++) {
        snprintf(id, sizeof id, "C%d", i);
        OK(cx_customer_add(s, id, i % 2 ? "vip" : "std", NULL, NULL, CX_TIME_NONE));
    }
}

/* Puts each random record in one shard, chosen at random, and in `all`. */
static void random_data(cx_store *all, cx_store *shard[2])
{
    char id[32], cid[32];
    same_names(all);
    same_names(shard[0]);
    same_names(shard[1]);
    for (int i = 0; i < 3000; i++) {
        cx_store *s = shard[next() % 2];
        snprintf(id, sizeof id, "C%d", (int)(next() % 40));
        const char *ch = channels[next() % 3];
        char tp[16];
        snprintf(tp, sizeof tp, "tp-%s", ch);
        cx_time t = (cx_time)(next() % (400 * DAY_MS));
        switch (next() % 3) {
        case 0: {
            double score = (double)(next() % 11);
            for (int j = 0; j < 2; j++)
                OK(cx_feedback_add(NULL, j ? all : s, NULL, id, "nps", score, t, tp, NULL, NULL, NULL));
            break;
        }
        case 1: {
            snprintf(cid, sizeof cid, "K%d", i);
            cx_time fr = t + (cx_time)(next() % (10 * HOUR_MS)), rs = fr + (cx_time)(next() % (50 * HOUR_MS));
            bool open = next() % 5 == 0;
            int reopens = (int)(next() % 4 == 0), contacts = 1 + (int)(next() % 3);
            for (int j = 0; j < 2; j++)
                OK(cx_case_add(j ? all : s, cid, id, ch, NULL, "Sara", t, fr, open ? CX_TIME_NONE : rs, reopens,
                               contacts));
            break;
        }
        default: {
            int outcome = (int)(next() % 3);
            int64_t dur = (int64_t)(next() % 900000);
            for (int j = 0; j < 2; j++)
                OK(cx_interaction_add(NULL, j ? all : s, NULL, id, tp, t, "contact", CX_INBOUND, "Omar", NULL, dur,
                                      outcome, 0));
            break;
        }
        }
    }
}

static cx_result *full_query(const cx_store *s)
{
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    for (int m = 0; m < CX_MEASURE_COUNT; m++)
        if (m != CX_MEASURE_REPEAT_RATE) /* repeats depend on the other shard's contacts */
            OK(cx_query_add(q, m));
    OK(cx_query_group_by(q, CX_DIM_CHANNEL));
    OK(cx_query_group_by(q, CX_DIM_SEGMENT));
    OK(cx_query_group_by_time(q, CX_BUCKET_QUARTER, 180));
    OK(cx_query_set_sla(q, NULL, NULL, 4 * HOUR_MS, 24 * HOUR_MS));
    OK(cx_query_set_as_of(q, 500 * DAY_MS));
    OK(cx_query_run(&r, q));
    cx_query_free(q);
    return r;
}

/* Every cell equal: strings exactly; numbers within 1e-9 relative, or to
 * the bit when `exact` (NaN to NaN either way). */
static void assert_results_equal(const cx_result *a, const cx_result *b, bool exact)
{
    ck_assert_uint_eq(cx_result_row_count(a), cx_result_row_count(b));
    ck_assert_uint_eq(cx_result_column_count(a), cx_result_column_count(b));
    for (size_t c = 0; c < cx_result_column_count(a); c++) {
        int type;
        OK(cx_result_column_type(&type, a, c));
        const char *name;
        OK(cx_result_column_name(&name, a, c));
        for (size_t row = 0; row < cx_result_row_count(a); row++) {
            if (type == CX_TYPE_STRING) {
                const char *x, *y;
                OK(cx_result_get_string(&x, a, row, c));
                OK(cx_result_get_string(&y, b, row, c));
                ck_assert(x == y || (x && y && strcmp(x, y) == 0));
                continue;
            }
            double x, y;
            OK(cx_result_get_real(&x, a, row, c));
            OK(cx_result_get_real(&y, b, row, c));
            if (exact)
                ck_assert_msg((isnan(x) && isnan(y)) || memcmp(&x, &y, sizeof x) == 0, "%s row %zu: %a vs %a", name,
                              row, x, y);
            else
                ck_assert_msg((isnan(x) && isnan(y)) || fabs(x - y) <= 1e-9 * (1 + fabs(x)),
                              "%s row %zu: %.17g vs %.17g", name, row, x, y);
        }
    }
}

static void assert_same_result(const cx_result *a, const cx_result *b)
{
    assert_results_equal(a, b, false);
}

START_TEST(merge_equals_one_pass)
{
    for (int round = 0; round < 3; round++) {
        cx_store *all, *shard[2];
        OK(cx_store_new(&all));
        OK(cx_store_new(&shard[0]));
        OK(cx_store_new(&shard[1]));
        random_data(all, shard);
        cx_result *ra = full_query(all), *r0 = full_query(shard[0]), *r1 = full_query(shard[1]), *m, *m2;
        OK(cx_result_merge(&m, r0, r1));
        assert_same_result(ra, m);
        OK(cx_result_merge(&m2, r1, r0)); /* order does not matter */
        assert_same_result(ra, m2);
        /* serialise a shard, read it back, merge: the same again */
        size_t len;
        ck_assert_int_eq(cx_result_serialize(&len, r1, NULL, 0), CX_EBUFSIZE);
        void *buf = malloc(len);
        OK(cx_result_serialize(&len, r1, buf, len));
        cx_result *back, *m3;
        OK(cx_result_deserialize(&back, buf, len));
        assert_same_result(r1, back);
        OK(cx_result_merge(&m3, r0, back));
        assert_same_result(ra, m3);
        /* every truncation is refused cleanly */
        for (size_t cut = 0; cut < len; cut += 1 + len / 97) {
            cx_result *bad = (cx_result *)1;
            int rc = cx_result_deserialize(&bad, buf, cut);
            ck_assert_msg(rc == CX_EPARSE, "cut at %zu of %zu: %d %s", cut, len, rc, cx_last_error());
            ck_assert_ptr_null(bad);
        }
        ((unsigned char *)buf)[4] = 99; /* a newer version */
        cx_result *bad;
        ck_assert_int_eq(cx_result_deserialize(&bad, buf, len), CX_EVERSION);
        free(buf);
        cx_result_free(ra);
        cx_result_free(r0);
        cx_result_free(r1);
        cx_result_free(m);
        cx_result_free(m2);
        cx_result_free(m3);
        cx_result_free(back);
        cx_store_free(all);
        cx_store_free(shard[0]);
        cx_store_free(shard[1]);
    }
}
END_TEST

START_TEST(merge_refuses_other_queries)
{
    cx_store *s = survey_store();
    cx_result *a = run1(s, CX_MEASURE_NPS), *b = run1(s, CX_MEASURE_CSAT), *m = (cx_result *)1;
    ck_assert_int_eq(cx_result_merge(&m, a, b), CX_EINVAL);
    ck_assert_ptr_null(m);
    MSG_HAS("different queries");
    ck_assert_int_eq(cx_result_merge(&m, a, NULL), CX_EINVAL);
    cx_result_free(a);
    cx_result_free(b);
    cx_store_free(s);
}
END_TEST

/* ---- an answer's group follows its links ------------------------------ */

/* What the test put in for each answer, and the labels it must be grouped
 * under (NULL: missing): channel, stage and touchpoint from the answer's
 * touchpoint, else its interaction's; channel else from its case; agent
 * from its interaction, else its case; priority from its case; segment and
 * tier from its customer. */
enum { L_CHANNEL, L_STAGE, L_TP, L_SEGMENT, L_AGENT, L_PRIORITY, L_TIER, L_COUNT };
static const int l_dim[L_COUNT] = {CX_DIM_CHANNEL, CX_DIM_STAGE,    CX_DIM_TOUCHPOINT, CX_DIM_SEGMENT,
                                   CX_DIM_AGENT,   CX_DIM_PRIORITY, CX_DIM_ATTRIBUTE};
static const char *const l_col[L_COUNT] = {"channel", "stage", "touchpoint", "segment", "agent", "priority", "tier"};

typedef struct fb_truth {
    const char *label[L_COUNT];
    int metric; /* CX_METRIC_* */
    double std; /* the answer on its measure's scale: 0-10, 1-5, 1-7 */
    bool good, bad; /* promoter / top-two box / easy; detractor */
    cx_time t;
} fb_truth;

#define LINK_ANSWERS 3000

/* A store of answers linked every way (touchpoint or not, interaction or
 * not, case or not), in random order, and what each must count as. */
static cx_store *linked_store(fb_truth *truth)
{
    static const char *tp_name[] = {"tp-web", "tp-call", "tp-chat", "tp-shop"};
    static const char *tp_channel[] = {"web", "phone", "chat", "store"};
    static const char *tp_stage[] = {"awareness", "service", "service", "purchase"};
    static const char *seg[] = {"vip", "std", NULL}, *tier[] = {"gold", "silver", NULL, NULL};
    static const char *ca_channel[] = {"email", "chat", "phone"}, *ca_pri[] = {"high", "low", NULL};
    static const char *ca_agent[] = {"Ann", "Bob", NULL}, *in_agent[] = {"Ann", "Cid", NULL};
    static const struct {
        const char *name;
        int metric;
        double lo, hi;
        int hib;
    } qs[] = {{"nps", CX_METRIC_NPS, 0, 10, 1},  {"csat", CX_METRIC_CSAT, 1, 5, 1}, {"csat10", CX_METRIC_CSAT, 0, 10, 1},
              {"ces", CX_METRIC_CES, 1, 7, 1},   {"ces_rev", CX_METRIC_CES, 1, 5, 0}, {"delivered", CX_METRIC_CUSTOM, 0, 1, 1}};
    cx_store *s;
    char id[32], iid[32], kid[32];
    OK(cx_store_new(&s));
    for (int k = 0; k < 4; k++)
        OK(cx_touchpoint_add(s, tp_name[k], tp_channel[k], tp_stage[k], NULL, 1, 1));
    OK(cx_question_add(s, "csat10", CX_METRIC_CSAT, 0, 10, 1));
    OK(cx_question_add(s, "ces_rev", CX_METRIC_CES, 1, 5, 0));
    OK(cx_question_add(s, "delivered", CX_METRIC_CUSTOM, 0, 1, 1));
    for (int c = 0; c < 24; c++) {
        snprintf(id, sizeof id, "C%d", c);
        OK(cx_customer_add(s, id, seg[c % 3], NULL, NULL, CX_TIME_NONE));
        if (tier[c % 4])
            OK(cx_customer_set_attribute(s, id, "tier", tier[c % 4]));
    }
    for (int k = 0; k < 40; k++) {
        snprintf(kid, sizeof kid, "K%d", k);
        snprintf(id, sizeof id, "C%d", k % 24);
        OK(cx_case_add(s, kid, id, ca_channel[k % 3], ca_pri[(k / 3) % 3], ca_agent[(k / 2) % 3], k * HOUR_MS,
                       CX_TIME_NONE, CX_TIME_NONE, 0, 1));
    }
    int in_tp[150], in_ag[150];
    for (int k = 0; k < 150; k++) {
        snprintf(iid, sizeof iid, "I%d", k);
        snprintf(id, sizeof id, "C%d", k % 24); /* an answer links to its customer's records only */
        in_tp[k] = (int)(next() % 4);
        in_ag[k] = (int)(next() % 3);
        OK(cx_interaction_add(NULL, s, iid, id, tp_name[in_tp[k]], k * HOUR_MS, "contact", CX_INBOUND,
                              in_agent[in_ag[k]], NULL, 60000, CX_HANDLED, 0));
    }
    for (int i = 0; i < LINK_ANSWERS; i++) {
        fb_truth *f = &truth[i];
        int c = (int)(next() % 24), qn = (int)(next() % 6);
        int tp = next() % 2 ? (int)(next() % 4) : -1;
        int in = next() % 2 ? c + 24 * (int)(next() % (uint64_t)((150 - c + 23) / 24)) : -1;
        int ca = next() % 2 ? c + 24 * (int)(next() % (uint64_t)((40 - c + 23) / 24)) : -1;
        double lo = qs[qn].lo, hi = qs[qn].hi, v = lo + (double)(next() % (uint64_t)(hi - lo + 1));
        snprintf(id, sizeof id, "C%d", c);
        snprintf(iid, sizeof iid, "I%d", in);
        snprintf(kid, sizeof kid, "K%d", ca);
        f->t = (cx_time)(next() % (100 * DAY_MS));
        OK(cx_feedback_add(NULL, s, NULL, id, qs[qn].name, v, f->t, tp >= 0 ? tp_name[tp] : NULL, in >= 0 ? iid : NULL,
                           ca >= 0 ? kid : NULL, NULL));
        int tpe = tp >= 0 ? tp : in >= 0 ? in_tp[in] : -1;
        f->label[L_CHANNEL] = tpe >= 0 ? tp_channel[tpe] : ca >= 0 ? ca_channel[ca % 3] : NULL;
        f->label[L_STAGE] = tpe >= 0 ? tp_stage[tpe] : NULL;
        f->label[L_TP] = tpe >= 0 ? tp_name[tpe] : NULL;
        f->label[L_SEGMENT] = seg[c % 3];
        f->label[L_AGENT] = in >= 0 && in_agent[in_ag[in]] ? in_agent[in_ag[in]] : ca >= 0 ? ca_agent[(ca / 2) % 3] : NULL;
        f->label[L_PRIORITY] = ca >= 0 ? ca_pri[(ca / 3) % 3] : NULL;
        f->label[L_TIER] = tier[c % 4];
        f->metric = qs[qn].metric;
        double o = qs[qn].hib ? v : lo + hi - v;
        if (f->metric == CX_METRIC_NPS) {
            f->std = v;
            f->good = v >= 9;
            f->bad = v <= 6;
        } else if (f->metric == CX_METRIC_CSAT) {
            f->std = 1 + (o - lo) * 4 / (hi - lo);
            f->good = o >= hi - 1;
        } else {
            f->std = 1 + (o - lo) * 6 / (hi - lo);
            f->good = o > (lo + hi) / 2;
        }
    }
    return s;
}

static bool same_label(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

/* Runs NPS, CSAT and CES grouped by `dims` (L_*), filtered on an agent
 * and/or a time range, and checks every group against the answers. */
static void check_linked(const cx_store *s, const fb_truth *truth, const int *dims, int ndims, const char *agent,
                         cx_time from, cx_time to)
{
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_add(q, CX_MEASURE_CSAT));
    OK(cx_query_add(q, CX_MEASURE_CES));
    for (int d = 0; d < ndims; d++) {
        if (dims[d] == L_TIER)
            OK(cx_query_group_by_attribute(q, "tier"));
        else
            OK(cx_query_group_by(q, l_dim[dims[d]]));
    }
    if (agent)
        OK(cx_query_filter(q, CX_DIM_AGENT, agent));
    if (from != CX_TIME_NONE || to != CX_TIME_NONE)
        OK(cx_query_set_range(q, from, to));
    OK(cx_query_run(&r, q));
    static const char *const mname[] = {"nps", "csat", "ces"};
    uint64_t counted = 0, expected = 0;
    for (int i = 0; i < LINK_ANSWERS; i++) {
        const fb_truth *f = &truth[i];
        expected += f->metric != CX_METRIC_CUSTOM && (!agent || same_label(f->label[L_AGENT], agent)) &&
                    (from == CX_TIME_NONE || f->t >= from) && (to == CX_TIME_NONE || f->t < to);
    }
    for (size_t row = 0; row < cx_result_row_count(r); row++) {
        const char *label[3];
        for (int d = 0; d < ndims; d++)
            label[d] = result_label(r, row, l_col[dims[d]]);
        uint64_t n[3] = {0}, good[3] = {0}, bad[3] = {0};
        double sum[3] = {0};
        for (int i = 0; i < LINK_ANSWERS; i++) {
            const fb_truth *f = &truth[i];
            bool in = f->metric != CX_METRIC_CUSTOM && (!agent || same_label(f->label[L_AGENT], agent)) &&
                      (from == CX_TIME_NONE || f->t >= from) && (to == CX_TIME_NONE || f->t < to);
            for (int d = 0; d < ndims && in; d++)
                in = same_label(f->label[dims[d]], label[d]);
            if (!in)
                continue;
            n[f->metric]++;
            good[f->metric] += f->good;
            bad[f->metric] += f->bad;
            sum[f->metric] += f->std;
        }
        for (int m = 0; m < 3; m++) {
            char col[32];
            snprintf(col, sizeof col, "%s_n", mname[m]);
            ck_assert_msg(result_real(r, row, col) == (double)n[m], "%s in row %zu: %g, expected %llu", col, row,
                          result_real(r, row, col), (unsigned long long)n[m]);
            counted += n[m];
            if (!n[m])
                continue;
            double share = 100.0 * (double)good[m] / (double)n[m];
            if (m == 0) {
                CLOSE(result_real(r, row, "nps"), share - 100.0 * (double)bad[m] / (double)n[m]);
                ck_assert(result_real(r, row, "nps_promoters") == (double)good[m]);
                ck_assert(result_real(r, row, "nps_detractors") == (double)bad[m]);
                continue;
            }
            CLOSE(result_real(r, row, m == 1 ? "csat" : "ces_easy"), share);
            CLOSE(result_real(r, row, m == 1 ? "csat_mean" : "ces"), sum[m] / (double)n[m]);
        }
    }
    ck_assert_uint_eq(counted, expected); /* every answer in one group: none lost */
    /* and the result is the same with threads */
    cx_result *r3;
    OK(cx_query_set_threads(q, 3));
    OK(cx_query_run(&r3, q));
    assert_same_result(r, r3);
    cx_result_free(r3);
    cx_result_free(r);
    cx_query_free(q);
}

START_TEST(groups_follow_links)
{
    fb_truth *truth = calloc(LINK_ANSWERS, sizeof *truth);
    ck_assert_ptr_nonnull(truth);
    cx_store *s = linked_store(truth);
    for (int d = 0; d < L_COUNT; d++) /* one grouping of each kind */
        check_linked(s, truth, &d, 1, NULL, CX_TIME_NONE, CX_TIME_NONE);
    check_linked(s, truth, NULL, 0, NULL, CX_TIME_NONE, CX_TIME_NONE); /* none */
    static const int pair[] = {L_CHANNEL, L_AGENT}, three[] = {L_TP, L_PRIORITY, L_TIER};
    check_linked(s, truth, pair, 2, NULL, CX_TIME_NONE, CX_TIME_NONE);
    check_linked(s, truth, three, 3, NULL, CX_TIME_NONE, CX_TIME_NONE);
    /* filtered: an agent, a time range, both */
    check_linked(s, truth, pair, 1, "Ann", CX_TIME_NONE, CX_TIME_NONE);
    check_linked(s, truth, &pair[1], 1, NULL, 20 * DAY_MS, 70 * DAY_MS);
    check_linked(s, truth, three, 2, "Bob", 10 * DAY_MS, CX_TIME_NONE);
    check_linked(s, truth, NULL, 0, "Cid", CX_TIME_NONE, 50 * DAY_MS);
    cx_store_free(s);
    free(truth);
}
END_TEST

/* ---- threads running out of memory ------------------------------------- */

/* cx_test.h's checking allocator behind a lock: a query's threads allocate
 * at once. */
typedef struct locked_alloc {
    pthread_mutex_t mu;
    cxt_alloc a;
} locked_alloc;

static void *locked_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    locked_alloc *l = ud;
    pthread_mutex_lock(&l->mu);
    void *r = cxt_alloc_fn(&l->a, ptr, osize, nsize);
    pthread_mutex_unlock(&l->mu);
    return r;
}

static int scorecard_run(cx_result **out, const cx_store *s, int threads)
{
    cx_query *q = NULL;
    int rc = cx_query_new(&q, s);
    static const int m[] = {CX_MEASURE_NPS, CX_MEASURE_CSAT, CX_MEASURE_RESOLUTION, CX_MEASURE_FCR};
    for (size_t k = 0; k < sizeof m / sizeof m[0] && !rc; k++)
        rc = cx_query_add(q, m[k]);
    if (!rc)
        rc = cx_query_group_by(q, CX_DIM_CHANNEL);
    if (!rc)
        rc = cx_query_set_threads(q, threads);
    if (!rc)
        rc = cx_query_run(out, q);
    else
        *out = NULL; /* failed before the run */
    cx_query_free(q);
    return rc;
}

/* A query of three blocks of answers and one of cases, with 2 and 3
 * threads, refused memory at points spread over its run: it fails with
 * CX_ENOMEM and gives back all it took, or gives the one-thread result
 * (the blocks run last first, so a failure leaves earlier blocks not run). */
START_TEST(threaded_query_out_of_memory)
{
    locked_alloc l;
    memset(&l, 0, sizeof l);
    ck_assert_int_eq(pthread_mutex_init(&l.mu, NULL), 0);
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, locked_alloc_fn, &l));
    OK(cx_touchpoint_add(s, "web", "web", "service", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "call", "phone", "service", NULL, 1, 1));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    for (int i = 0; i < 600000; i++)
        OK(cx_feedback_add(NULL, s, NULL, "A", i % 3 ? "nps" : "csat", (double)(i % 3 ? i % 11 : 1 + i % 5),
                           (cx_time)i * 1000, i % 2 ? "web" : "call", NULL, NULL, NULL));
    char id[32];
    for (int i = 0; i < 3000; i++) {
        snprintf(id, sizeof id, "K%d", i);
        OK(cx_case_add(s, id, "A", i % 2 ? "chat" : "phone", NULL, NULL, (cx_time)i * 1000, CX_TIME_NONE,
                       (cx_time)i * 1000 + (cx_time)(i % 97) * HOUR_MS, i % 5 == 0, 1 + i % 2));
    }
    cx_result *ref;
    OK(scorecard_run(&ref, s, 1));
    for (int threads = 2; threads <= 3; threads++) {
        size_t requests = 0;
        for (size_t k = 0; k <= 24; k++) {
            pthread_mutex_lock(&l.mu);
            size_t live = l.a.live, blocks = l.a.blocks, before = l.a.calls;
            if (k > 0) /* k = 0: count the requests of the whole run */
                cxt_alloc_fail_nth(&l.a, k == 1 ? 1 : 1 + (k - 1) * requests / 24, k % 2 == 0);
            pthread_mutex_unlock(&l.mu);
            cx_result *r = (cx_result *)1;
            int rc = scorecard_run(&r, s, threads);
            pthread_mutex_lock(&l.mu);
            if (k == 0)
                requests = l.a.calls - before;
            cxt_alloc_allow(&l.a, -1);
            pthread_mutex_unlock(&l.mu);
            ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "%d threads, point %zu: %s", threads, k, cx_last_error());
            if (rc == CX_OK) {
                assert_same_result(ref, r);
                cx_result_free(r);
            } else {
                ck_assert_ptr_null(r);
            }
            ck_assert_msg(l.a.live == live && l.a.blocks == blocks, "%d threads, point %zu: %zu bytes kept",
                          threads, k, l.a.live - live);
        }
        ck_assert_uint_gt(requests, 10);
    }
    cx_result_free(ref);
    cx_store_free(s);
    cxt_alloc_done(&l.a);
    pthread_mutex_destroy(&l.mu);
}
END_TEST

/* ---- the cases pass in chunks (issue 14) ------------------------------- */

/* A store of many cases over 40 channels, first seen at random rows (new
 * groups in the middle of a chunk: the accumulators move), durations from 0
 * to weeks (past the exact mode of the sketches), first responses at the
 * opening (0 ms) and none, open cases, reopens, and inbound contacts for
 * the FCR window; on the given allocator. */
static cx_store *chunk_store(cxt_alloc *f, int ncases)
{
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, f ? cxt_alloc_fn : NULL, f));
    char id[32], ch[16], cu[16];
    for (int i = 0; i < 30; i++) {
        snprintf(cu, sizeof cu, "C%d", i);
        OK(cx_customer_add(s, cu, i % 3 ? "std" : "vip", NULL, NULL, CX_TIME_NONE));
    }
    OK(cx_touchpoint_add(s, "call", "phone", "service", NULL, 1, 1));
    for (int c = 39; c >= 0; c--) { /* codes in another order than first seen */
        size_t code;
        snprintf(ch, sizeof ch, "ch%d", c);
        OK(cx_vocab_define(&code, s, CX_VOCAB_CHANNEL, ch));
    }
    rng = 77;
    for (int i = 0; i < ncases; i++) {
        snprintf(id, sizeof id, "K%d", i);
        snprintf(cu, sizeof cu, "C%d", (int)(next() % 30));
        int c = (int)(next() % 40);
        snprintf(ch, sizeof ch, "ch%d", c * c % 40 > 30 && i < ncases / 2 ? 0 : c); /* some channels late */
        cx_time t = (cx_time)(next() % (300 * DAY_MS));
        cx_time fr = next() % 7 ? t + (cx_time)(next() % 4 ? next() % (3 * DAY_MS) : 0) : CX_TIME_NONE;
        cx_time rs = next() % 5 ? (fr != CX_TIME_NONE ? fr : t) + (cx_time)(next() % (20 * DAY_MS)) : CX_TIME_NONE;
        static const char *const agents[] = {"Sara", "Omar", "Nora", NULL}; /* a quarter without one */
        OK(cx_case_add(s, id, cu, ch, i % 2 ? "high" : "low", agents[i % 7 % 4], t, fr, rs, (int)(next() % 4 == 0),
                       1 + (int)(next() % 3)));
        if (i % 40 == 0) /* a contact every 12 days or so per customer: FCR neither 0 nor 1 */
            OK(cx_interaction_add(NULL, s, NULL, cu, "call", t + (cx_time)(next() % (10 * DAY_MS)), "contact",
                                  CX_INBOUND, "Omar", NULL, 1000, CX_HANDLED, 0));
    }
    return s;
}

/* The case measures grouped by `dim`; with `all_in`, a time range that
 * keeps every case, which sends the pass row by row. */
static int cases_query(cx_result **out, const cx_store *s, int dim, bool all_in, int threads)
{
    cx_query *q = NULL;
    *out = NULL;
    int rc = cx_query_new(&q, s);
    static const int m[] = {CX_MEASURE_FIRST_RESPONSE, CX_MEASURE_RESOLUTION, CX_MEASURE_CONTACTS,
                            CX_MEASURE_REOPEN_RATE, CX_MEASURE_FCR};
    for (size_t k = 0; k < sizeof m / sizeof m[0] && !rc; k++)
        rc = cx_query_add(q, m[k]);
    if (!rc)
        rc = cx_query_group_by(q, dim);
    if (!rc)
        rc = cx_query_set_fcr_rule(q, 2, 0, 5 * DAY_MS);
    if (!rc && all_in)
        rc = cx_query_set_range(q, -1000 * DAY_MS, 1000 * DAY_MS);
    if (!rc)
        rc = cx_query_set_threads(q, threads);
    if (!rc)
        rc = cx_query_run(out, q);
    cx_query_free(q);
    return rc;
}

/* Every cell equal, to the bit (NaN to NaN). */
static void assert_identical(const cx_result *a, const cx_result *b)
{
    assert_results_equal(a, b, true);
}

START_TEST(cases_in_chunks_equal_rows)
{
    cx_store *s = chunk_store(NULL, 30000);
    static const int dims[] = {CX_DIM_CHANNEL, CX_DIM_PRIORITY, CX_DIM_SEGMENT, CX_DIM_AGENT};
    for (size_t d = 0; d < 4; d++) {
        cx_result *chunks, *rows;
        OK(cases_query(&chunks, s, dims[d], false, 1));
        OK(cases_query(&rows, s, dims[d], true, 1));
        ck_assert_uint_ge(cx_result_row_count(chunks), d == 0 ? 40 : 2);
        assert_identical(chunks, rows);
        for (int t = 2; t <= 3; t++) {
            cx_result *r;
            OK(cases_query(&r, s, dims[d], false, t));
            assert_identical(chunks, r);
            cx_result_free(r);
        }
        if (d == 0) { /* the groups and the sketches have what they should */
            size_t c;
            double n = 0, v;
            OK(cx_result_column_find(&c, chunks, "resolution_n"));
            for (size_t row = 0; row < cx_result_row_count(chunks); row++) {
                OK(cx_result_get_real(&v, chunks, row, c));
                n += v;
            }
            ck_assert(n > 20000 && n < 26000);
            double fcr;
            OK(cx_result_column_find(&c, chunks, "fcr"));
            OK(cx_result_get_real(&fcr, chunks, 1, c));
            ck_assert_msg(fcr > 20 && fcr < 80, "fcr %g", fcr);
        }
        cx_result_free(chunks);
        cx_result_free(rows);
    }
    cx_store_free(s);
}
END_TEST

/* Cases over more channels than the chunks sort their values by (256):
 * their distributions row by row, the same as the pass by rows. */
START_TEST(cases_in_chunks_many_groups)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "C", NULL, NULL, NULL, CX_TIME_NONE));
    char id[32], ch[16];
    rng = 99;
    for (int i = 0; i < 6000; i++) {
        snprintf(id, sizeof id, "K%d", i);
        snprintf(ch, sizeof ch, "c%d", (int)(next() % 400));
        size_t code;
        OK(cx_vocab_define(&code, s, CX_VOCAB_CHANNEL, ch));
        cx_time t = (cx_time)(next() % (300 * DAY_MS));
        cx_time rs = next() % 5 ? t + (cx_time)(next() % (20 * DAY_MS)) : CX_TIME_NONE;
        OK(cx_case_add(s, id, "C", ch, "low", NULL, t, CX_TIME_NONE, rs, 0, 1 + (int)(next() % 3)));
    }
    cx_result *chunks, *rows;
    OK(cases_query(&chunks, s, CX_DIM_CHANNEL, false, 1));
    OK(cases_query(&rows, s, CX_DIM_CHANNEL, true, 1));
    ck_assert_uint_gt(cx_result_row_count(chunks), 390);
    assert_identical(chunks, rows);
    cx_result_free(chunks);
    cx_result_free(rows);
    cx_store_free(s);
}
END_TEST

/* Each allocation of a chunked cases query refused in turn: CX_ENOMEM and
 * nothing kept, or the result of the query that was not refused. */
START_TEST(cases_in_chunks_out_of_memory)
{
    cxt_alloc f = {0};
    cx_store *s = chunk_store(&f, 5000);
    cx_result *ref;
    OK(cases_query(&ref, s, CX_DIM_CHANNEL, false, 1));
    size_t base = f.live;
    bool done = false;
    for (long n = 0; !done && n < 20000; n++) {
        cx_result *r = (cx_result *)1;
        cxt_alloc_allow(&f, n);
        int rc = cases_query(&r, s, CX_DIM_CHANNEL, false, 1);
        cxt_alloc_allow(&f, -1);
        ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "rc %d at %ld: %s", rc, n, cx_last_error());
        if (rc == CX_OK) {
            assert_identical(ref, r);
            cx_result_free(r);
            done = true;
        } else {
            ck_assert_ptr_null(r);
        }
        ck_assert_uint_eq(f.live, base);
    }
    ck_assert(done);
    cx_result_free(ref);
    cx_store_free(s);
    cxt_alloc_done(&f);
}
END_TEST

/* ---- the feedback pass by counts (issue 14) ---------------------------- */

/* Answers of every metric over 20 touchpoints of 12 channels, in random
 * order: NPS 0-10, CSAT 1-5, CES 1-7, a CES on 1-5 where low is easy
 * (values 1, 2.5, ... 7 on the standard scale), a custom question; some
 * without a touchpoint (the channel of their case, or none). With `half`,
 * one CSAT answer of 3.5 at row `half` (not a whole score: its block goes
 * by lists from there); with `csat10`, CSAT answers on 0 to 10 too (1.4 on
 * 1-5: the whole query goes by lists). On the given allocator. */
static cx_store *fb_store(cxt_alloc *f, int n, int half, bool csat10)
{
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, f ? cxt_alloc_fn : NULL, f));
    char id[32], cu[16], tp[16], ch[16];
    for (int i = 0; i < 30; i++) {
        snprintf(cu, sizeof cu, "C%d", i);
        OK(cx_customer_add(s, cu, i % 3 ? "std" : "vip", NULL, NULL, CX_TIME_NONE));
    }
    for (int c = 12; c >= 0; c--) { /* codes in another order than first seen */
        size_t code;
        snprintf(ch, sizeof ch, "ch%d", c);
        OK(cx_vocab_define(&code, s, CX_VOCAB_CHANNEL, ch));
    }
    for (int t = 0; t < 20; t++) {
        snprintf(tp, sizeof tp, "tp%d", t);
        snprintf(ch, sizeof ch, "ch%d", t * 7 % 12);
        OK(cx_touchpoint_add(s, tp, ch, t % 2 ? "service" : "purchase", NULL, 1, 1));
    }
    for (int k = 0; k < 300; k++) { /* case k belongs to customer k % 30 */
        snprintf(id, sizeof id, "K%d", k);
        snprintf(cu, sizeof cu, "C%d", k % 30);
        snprintf(ch, sizeof ch, "ch%d", k % 13); /* ch12: a channel of cases only */
        OK(cx_case_add(s, id, cu, ch, "low", NULL, 0, CX_TIME_NONE, CX_TIME_NONE, 0, 1));
    }
    OK(cx_question_add(s, "ces_low", CX_METRIC_CES, 1, 5, 0));
    OK(cx_question_add(s, "other", CX_METRIC_CUSTOM, 0, 1, 1));
    if (csat10)
        OK(cx_question_add(s, "csat10", CX_METRIC_CSAT, 0, 10, 1));
    static const char *const qs[] = {"nps", "csat", "ces", "ces_low", "other", "csat10"};
    static const int lo[] = {0, 1, 1, 1, 0, 0}, span[] = {11, 5, 7, 5, 2, 11};
    rng = 4242;
    for (int i = 0; i < n; i++) {
        int c = (int)(next() % 30), q = (int)(next() % (csat10 ? 6 : 5));
        double score = i == half ? 3.5 : lo[q] + (double)(next() % (uint64_t)span[q]);
        if (i == half)
            q = 1;
        snprintf(cu, sizeof cu, "C%d", c);
        snprintf(tp, sizeof tp, "tp%d", (int)(next() % 20));
        snprintf(id, sizeof id, "K%d", (int)(next() % 10) * 30 + c);
        int link = (int)(next() % 10); /* 0-6 a touchpoint, 7-8 a case, 9 neither */
        OK(cx_feedback_add(NULL, s, NULL, cu, qs[q], score, (cx_time)i * 1000, link < 7 ? tp : NULL, NULL,
                           link == 7 || link == 8 ? id : NULL, NULL));
    }
    return s;
}

/* The survey measures (or NPS alone) grouped by `dim` (-1: none); with
 * `all_in`, a time range that keeps every answer, which sends the pass by
 * lists. */
static int fb_query(cx_result **out, const cx_store *s, int dim, bool nps_only, bool all_in, int threads)
{
    cx_query *q = NULL;
    *out = NULL;
    int rc = cx_query_new(&q, s);
    static const int m[] = {CX_MEASURE_NPS, CX_MEASURE_CSAT, CX_MEASURE_CES};
    for (size_t k = 0; k < (nps_only ? 1 : 3) && !rc; k++)
        rc = cx_query_add(q, m[k]);
    if (!rc && dim >= 0)
        rc = cx_query_group_by(q, dim);
    if (!rc && all_in)
        rc = cx_query_set_range(q, -1000 * DAY_MS, 1000 * DAY_MS);
    if (!rc)
        rc = cx_query_set_threads(q, threads);
    if (!rc)
        rc = cx_query_run(out, q);
    cx_query_free(q);
    return rc;
}

/* By counts and by lists, the same result to the bit, with 1 to 3 threads;
 * returns the sum of nps_n over the groups. */
static double fb_counts_equal_lists(const cx_store *s, int dim, bool nps_only)
{
    cx_result *counts, *lists;
    OK(fb_query(&counts, s, dim, nps_only, false, 1));
    OK(fb_query(&lists, s, dim, nps_only, true, 1));
    assert_identical(counts, lists);
    for (int t = 2; t <= 3; t++) {
        cx_result *r;
        OK(fb_query(&r, s, dim, nps_only, false, t));
        assert_identical(counts, r);
        cx_result_free(r);
    }
    double total = 0;
    for (size_t row = 0; row < cx_result_row_count(counts); row++)
        total += result_real(counts, row, "nps_n");
    cx_result_free(counts);
    cx_result_free(lists);
    return total;
}

START_TEST(feedback_by_counts_equal_lists)
{
    static const int dims[] = {CX_DIM_CHANNEL, CX_DIM_TOUCHPOINT, CX_DIM_STAGE, CX_DIM_SEGMENT, -1};
    for (int kind = 0; kind < 3; kind++) { /* whole scores; a half at row 1000; CSAT on 0-10 */
        cx_store *s = fb_store(NULL, 6000, kind == 1 ? 1000 : -1, kind == 2);
        for (size_t d = 0; d < sizeof dims / sizeof dims[0]; d++) {
            double n = fb_counts_equal_lists(s, dims[d], false);
            ck_assert_msg(n > 6000 / 8 && n < 6000 / 3, "%g NPS answers", n); /* every NPS answer counted */
            ck_assert_double_eq(fb_counts_equal_lists(s, dims[d], true), n);
        }
        cx_result *r;
        OK(fb_query(&r, s, CX_DIM_CHANNEL, false, false, 1));
        ck_assert_uint_eq(cx_result_row_count(r), 14); /* 12 channels of touchpoints, ch12 of cases, none */
        /* the CES of 1-5 where low is easy, 1 + (5 - v) * 6 / 4: halves; the
         * mean of all the CES answers is near the middle of 1-7 */
        double ces = 0, n = 0;
        for (size_t row = 0; row < cx_result_row_count(r); row++) {
            ces += result_real(r, row, "ces") * result_real(r, row, "ces_n");
            n += result_real(r, row, "ces_n");
        }
        ck_assert_msg(fabs(ces / n - 4) < 0.2, "CES mean %g", ces / n);
        cx_result_free(r);
        cx_store_free(s);
    }
}
END_TEST

/* A block by counts, one that turns to lists at a half past its first
 * chunks, and the next by counts again: the same as by lists. */
START_TEST(feedback_by_counts_across_blocks)
{
    cx_store *s = fb_store(NULL, 270000, 1000, false);
    double n = fb_counts_equal_lists(s, CX_DIM_CHANNEL, false);
    ck_assert_msg(n > 270000 / 6 && n < 270000 / 4, "%g NPS answers", n);
    cx_store_free(s);
}
END_TEST

/* Groups first seen chunks after the first (a chunk is 256 answers): a
 * channel and a stage at row 600 by a touchpoint, a channel of cases only
 * at row 700 and no channel at row 750 (answers without a touchpoint),
 * every other answer of one touchpoint; by counts the same as by lists,
 * and each group with its answers. */
START_TEST(feedback_by_counts_groups_late)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "C0", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "early", "web", "purchase", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "late", "phone", "service", NULL, 1, 1));
    OK(cx_case_add(s, "K0", "C0", "email", "low", NULL, 0, CX_TIME_NONE, CX_TIME_NONE, 0, 1));
    for (int i = 0; i < 1000; i++) {
        const char *tp = i >= 600 && i % 3 == 0 ? "late" : "early", *ca = NULL;
        if (i >= 700 && i % 5 == 1)
            tp = NULL, ca = "K0";
        if (i >= 750 && i % 7 == 2)
            tp = NULL, ca = NULL;
        OK(cx_feedback_add(NULL, s, NULL, "C0", i % 2 ? "nps" : "csat", (double)(i % 2 ? i % 11 : 1 + i % 5),
                           (cx_time)i * 1000, tp, NULL, ca, NULL));
    }
    static const int dims[] = {CX_DIM_CHANNEL, CX_DIM_TOUCHPOINT, CX_DIM_STAGE};
    static const size_t groups[] = {4, 3, 3}; /* web phone email none; early late none; purchase service none */
    for (size_t d = 0; d < 3; d++) {
        ck_assert_double_eq(fb_counts_equal_lists(s, dims[d], false), 500);
        cx_result *r;
        OK(fb_query(&r, s, dims[d], false, false, 1));
        ck_assert_uint_eq(cx_result_row_count(r), groups[d]);
        for (size_t row = 0; row < groups[d]; row++)
            ck_assert_double_gt(result_real(r, row, "nps_n") + result_real(r, row, "csat_n"), 0);
        cx_result_free(r);
    }
    cx_store_free(s);
}
END_TEST

/* Each allocation of a query by counts refused in turn: CX_ENOMEM and
 * nothing kept, or the result of the query that was not refused. */
START_TEST(feedback_by_counts_out_of_memory)
{
    cxt_alloc f = {0};
    cx_store *s = fb_store(&f, 3000, -1, false);
    cx_result *ref;
    OK(fb_query(&ref, s, CX_DIM_CHANNEL, false, false, 1));
    size_t base = f.live;
    bool done = false;
    for (long n = 0; !done && n < 20000; n++) {
        cx_result *r = (cx_result *)1;
        cxt_alloc_allow(&f, n);
        int rc = fb_query(&r, s, CX_DIM_CHANNEL, false, false, 1);
        cxt_alloc_allow(&f, -1);
        ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "rc %d at %ld: %s", rc, n, cx_last_error());
        if (rc == CX_OK) {
            assert_identical(ref, r);
            cx_result_free(r);
            done = true;
        } else {
            ck_assert_ptr_null(r);
        }
        ck_assert_uint_eq(f.live, base);
    }
    ck_assert(done);
    cx_result_free(ref);
    cx_store_free(s);
    cxt_alloc_done(&f);
}
END_TEST

START_TEST(export_files)
{
    cx_store *s = survey_store();
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_group_by(q, CX_DIM_REGION));
    OK(cx_query_run(&r, q));
    OK(cx_result_export_csv(r, P("r.csv")));
    char *text = slurp(P("r.csv"), NULL);
    /* intervals: adjusted Wald (0/1/1 and 2/0/0 answers); 2 < 30 answers: small */
    const char *want = "region,nps,nps_n,nps_lo,nps_hi,nps_promoters,nps_passives,nps_detractors,nps_small\r\n"
                       ",-50,2,-79.44865107837683,39.44865107837683,0,1,1,1\r\n";
    ck_assert_msg(strncmp(text, want, strlen(want)) == 0, "%s", text);
    ck_assert_msg(strstr(text, "\r\nالرياض,100,2,-24.41098917381764,100,2,0,0,1\r\n"), "%s", text);
    free(text);
    OK(cx_result_export_json(r, P("r.json")));
    text = slurp(P("r.json"), NULL);
    ck_assert_ptr_nonnull(strstr(text, "{\"region\": null, \"nps\": -50, \"nps_n\": 2,"));
    ck_assert_ptr_nonnull(strstr(text, "{\"region\": \"جدة\", \"nps\": -50,"));
    free(text);
    ck_assert_int_eq(cx_result_export_csv(r, "/nonexistent/dir/x.csv"), CX_EIO);
    ck_assert_int_eq(cx_result_export_json(NULL, P("r.json")), CX_EINVAL);
    cx_result_free(r);
    cx_query_free(q);
    cx_store_free(s);
}
END_TEST

START_TEST(bad_arguments)
{
    cx_store *s = survey_store();
    cx_query *q = (cx_query *)1;
    ck_assert_int_eq(cx_query_new(NULL, s), CX_EINVAL);
    ck_assert_int_eq(cx_query_new(&q, NULL), CX_EINVAL);
    ck_assert_ptr_null(q);
    OK(cx_query_new(&q, s));
    cx_result *r = (cx_result *)1;
    ck_assert_int_eq(cx_query_run(&r, q), CX_EINVAL); /* no measure */
    ck_assert_ptr_null(r);
    MSG_HAS("no measure");
    ck_assert_int_eq(cx_query_add(q, -1), CX_EINVAL);
    ck_assert_int_eq(cx_query_add(q, CX_MEASURE_COUNT), CX_EINVAL);
    OK(cx_query_add(q, CX_MEASURE_NPS));
    ck_assert_int_eq(cx_query_add(q, CX_MEASURE_NPS), CX_EINVAL);
    ck_assert_int_eq(cx_query_add(NULL, CX_MEASURE_NPS), CX_EINVAL);
    ck_assert_int_eq(cx_query_group_by(q, CX_DIM_TIME), CX_EINVAL);
    ck_assert_int_eq(cx_query_group_by(q, CX_DIM_ATTRIBUTE), CX_EINVAL);
    ck_assert_int_eq(cx_query_group_by(q, 42), CX_EINVAL);
    ck_assert_int_eq(cx_query_group_by_time(q, 9, 0), CX_EINVAL);
    ck_assert_int_eq(cx_query_group_by_time(q, CX_BUCKET_DAY, 900), CX_ERANGE);
    ck_assert_int_eq(cx_query_group_by_attribute(q, ""), CX_EINVAL);
    ck_assert_int_eq(cx_query_group_by_attribute(q, "\xff"), CX_EINVAL);
    OK(cx_query_group_by(q, CX_DIM_CHANNEL));
    ck_assert_int_eq(cx_query_group_by(q, CX_DIM_CHANNEL), CX_EINVAL);
    OK(cx_query_group_by(q, CX_DIM_STAGE));
    OK(cx_query_group_by(q, CX_DIM_AGENT));
    OK(cx_query_group_by_time(q, CX_BUCKET_DAY, 0));
    ck_assert_int_eq(cx_query_group_by(q, CX_DIM_PLAN), CX_ELIMIT);
    ck_assert_int_eq(cx_query_filter(q, CX_DIM_CHANNEL, NULL), CX_EINVAL);
    ck_assert_int_eq(cx_query_filter(q, CX_DIM_TIME, "x"), CX_EINVAL);
    ck_assert_int_eq(cx_query_filter_attribute(q, "k", NULL), CX_EINVAL);
    ck_assert_int_eq(cx_query_set_range(q, 10, 5), CX_EORDER);
    ck_assert_int_eq(cx_query_set_fcr_rule(q, 0, 0, 0), CX_ERANGE);
    ck_assert_int_eq(cx_query_set_fcr_rule(q, 1, -1, 0), CX_ERANGE);
    ck_assert_int_eq(cx_query_set_fcr_rule(q, 1, 0, -5), CX_ERANGE);
    ck_assert_int_eq(cx_query_set_repeat_window(q, 0), CX_ERANGE);
    ck_assert_int_eq(cx_query_set_contact_kind(q, ""), CX_EINVAL);
    ck_assert_int_eq(cx_query_set_confidence(q, 1), CX_ERANGE);
    ck_assert_int_eq(cx_query_set_confidence(q, NAN), CX_ERANGE);
    ck_assert_int_eq(cx_query_set_sla(q, "", NULL, 1, 1), CX_EINVAL);
    ck_assert_int_eq(cx_query_set_calendar(NULL, NULL), CX_EINVAL);
    ck_assert_int_eq(cx_query_set_min_n(NULL, 5), CX_EINVAL);
    ck_assert_int_eq(cx_query_set_min_n(q, -1), CX_ERANGE);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "min_n -1"));
    /* failed setters changed nothing: the query still runs as before */
    OK(cx_query_run(&r, q));
    ck_assert_uint_eq(cx_result_column_count(r), 4 + 1 + 8); /* four groups, the day with its label */
    const char *str;
    double v;
    int64_t i;
    size_t col;
    ck_assert_int_eq(cx_result_get_string(&str, r, 0, 5), CX_EINVAL); /* a number */
    ck_assert_int_eq(cx_result_get_int(&i, r, 0, 5), CX_EINVAL);      /* nps is real */
    ck_assert_int_eq(cx_result_get_real(&v, r, 0, 4), CX_EINVAL);     /* day_label is text */
    ck_assert_int_eq(cx_result_get_string(&str, r, 0, 3), CX_EINVAL); /* day is a time */
    ck_assert_int_eq(cx_result_get_real(&v, r, 0, 0), CX_EINVAL);     /* a label */
    ck_assert_int_eq(cx_result_get_real(&v, r, 99, 4), CX_ERANGE);
    ck_assert_int_eq(cx_result_get_real(&v, r, 0, 99), CX_ERANGE);
    ck_assert_int_eq(cx_result_column_find(&col, r, "nope"), CX_ENOTFOUND);
    ck_assert_int_eq(cx_result_column_name(NULL, r, 0), CX_EINVAL);
    ck_assert_uint_eq(cx_result_row_count(NULL), 0);
    ck_assert_uint_eq(cx_result_column_count(NULL), 0);
    cx_result_free(r);
    cx_result_free(NULL);
    cx_query_free(q);
    cx_query_free(NULL);
    cx_store_free(s);
}
END_TEST

START_TEST(out_of_memory)
{
    cxt_alloc f = {0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &f));
    OK(cx_customer_add(s, "A", "vip", NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "call", "phone", "service", NULL, 1, 1));
    for (int i = 0; i < 50; i++) {
        OK(cx_feedback_add(NULL, s, NULL, "A", "nps", i % 11, i * DAY_MS, "call", NULL, NULL, NULL));
        OK(cx_interaction_add(NULL, s, NULL, "A", "call", i * DAY_MS, "contact", CX_INBOUND, "x", NULL, 1000 * i,
                              CX_HANDLED, 0));
    }
    size_t base = f.live;
    bool done = false;
    for (long n = 0; !done && n < 10000; n++) {
        cx_query *q = NULL;
        cx_result *r = NULL;
        cxt_alloc_allow(&f, n);
        int rc = cx_query_new(&q, s);
        if (!rc)
            rc = cx_query_add(q, CX_MEASURE_NPS);
        if (!rc)
            rc = cx_query_add(q, CX_MEASURE_HANDLE_TIME);
        if (!rc)
            rc = cx_query_add(q, CX_MEASURE_REPEAT_RATE);
        if (!rc)
            rc = cx_query_group_by_time(q, CX_BUCKET_WEEK, 0);
        if (!rc)
            rc = cx_query_run(&r, q);
        ck_assert_msg(rc == CX_OK || rc == CX_ENOMEM, "rc %d at %ld: %s", rc, n, cx_last_error());
        if (rc == CX_OK) {
            ck_assert_uint_eq(cx_result_row_count(r), 8);
            done = true;
        }
        cx_result_free(r);
        cx_query_free(q);
        cxt_alloc_allow(&f, -1);
        ck_assert_uint_eq(f.live, base); /* nothing leaked */
    }
    ck_assert(done);
    cx_store_free(s);
    cxt_alloc_done(&f);
}
END_TEST


/* Builds a query on `s` asking for many measures, grouped and filtered by
 * attributes, channels, agents and time, with SLA targets and the FCR rule,
 * and runs it; the first failure's code. */
static int run_wide_query(cx_result **r, cx_query **q, const cx_store *s, bool *ran)
{
    *ran = false;
    int rc = cx_query_new(q, s);
    static const int ms[] = {CX_MEASURE_NPS,         CX_MEASURE_CSAT,        CX_MEASURE_FCR,
                             CX_MEASURE_RESOLUTION,  CX_MEASURE_SLA_BREACH,  CX_MEASURE_MISSED_RATE,
                             CX_MEASURE_HANDLE_TIME, CX_MEASURE_REPEAT_RATE, CX_MEASURE_CX_INDEX};
    for (size_t i = 0; !rc && i < sizeof ms / sizeof ms[0]; i++)
        rc = cx_query_add(*q, ms[i]);
    if (!rc)
        rc = cx_query_group_by_attribute(*q, "tier");
    if (!rc)
        rc = cx_query_group_by(*q, CX_DIM_CHANNEL);
    if (!rc)
        rc = cx_query_group_by_time(*q, CX_BUCKET_MONTH, 180);
    if (!rc)
        rc = cx_query_filter(*q, CX_DIM_SEGMENT, "vip");
    if (!rc)
        rc = cx_query_filter(*q, CX_DIM_SEGMENT, "smb");
    if (!rc)
        rc = cx_query_filter_attribute(*q, "tier", "gold");
    if (!rc)
        rc = cx_query_filter_attribute(*q, "tier", "silver");
    if (!rc)
        rc = cx_query_set_sla(*q, "high", NULL, 3600000, 86400000);
    if (!rc)
        rc = cx_query_set_sla(*q, NULL, "phone", -1, 2 * 86400000);
    if (!rc)
        rc = cx_query_set_contact_kind(*q, "contact");
    if (!rc)
        rc = cx_query_set_fcr_rule(*q, 2, 0, 7 * DAY_MS);
    if (!rc && (*ran = true))
        rc = cx_query_run(r, *q);
    return rc;
}

/* Queries over several dimensions, and merging and serialising their
 * results, with the store's allocator refusing from the n-th allocation on
 * (n = 0, 1, ...): each failure is CX_ENOMEM and keeps nothing, and the
 * first success gives what a store with malloc gives. */
START_TEST(out_of_memory_wide_queries)
{
    cxt_alloc f = {0};
    cx_store *s, *plain;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &f));
    OK(cx_store_new(&plain));
    cx_store *both[] = {s, plain};
    for (int k = 0; k < 2; k++) {
        cx_store *t = both[k];
        OK(cx_touchpoint_add(t, "call", "phone", "service", NULL, 1, 1));
        OK(cx_touchpoint_add(t, "chat", "chat", "service", NULL, 1, 1));
        for (int c = 0; c < 30; c++) {
            char id[16];
            snprintf(id, sizeof id, "C%d", c);
            OK(cx_customer_add(t, id, c % 2 ? "vip" : "smb", NULL, NULL, CX_TIME_NONE));
            OK(cx_customer_set_attribute(t, id, "tier", c % 3 == 0 ? "gold" : c % 3 == 1 ? "silver" : "bronze"));
            char cs[16];
            snprintf(cs, sizeof cs, "T%d", c);
            OK(cx_case_add(t, cs, id, c % 2 ? "phone" : "chat", c % 4 ? "high" : "low", "Sara", c * DAY_MS,
                           c * DAY_MS + 1800000 * (c % 5), c % 6 ? c * DAY_MS + DAY_MS * (1 + c % 4) : CX_TIME_NONE,
                           c % 7 == 0, 1 + c % 3));
            OK(cx_interaction_add(NULL, t, NULL, id, c % 2 ? "call" : "chat", c * DAY_MS, "contact", CX_INBOUND, "Sara", cs,
                                  60000 * c, c % 5 ? CX_HANDLED : CX_MISSED, 0));
            OK(cx_interaction_add(NULL, t, NULL, id, "call", c * DAY_MS + 3 * DAY_MS, "contact", CX_INBOUND, "Omar", NULL,
                                  1000 * c, CX_HANDLED, 0));
            OK(cx_feedback_add(NULL, t, NULL, id, "nps", c % 11, c * DAY_MS + 1, "call", NULL, cs, NULL));
            OK(cx_feedback_add(NULL, t, NULL, id, "csat", 1 + c % 5, c * DAY_MS + 2, NULL, NULL, NULL, NULL));
        }
    }
    cx_query *pq;
    cx_result *want;
    bool ran;
    OK(run_wide_query(&want, &pq, plain, &ran));
    cx_query_free(pq);
    ck_assert_uint_gt(cx_result_row_count(want), 1);
    size_t base = f.live;
    cx_result *got = NULL;
    long n = 0, runs_failed = 0;
    for (;; n++) {
        cx_query *q = NULL;
        cx_result *r = (cx_result *)&r;
        cxt_alloc_allow(&f, n);
        int rc = run_wide_query(&r, &q, s, &ran);
        cxt_alloc_allow(&f, -1);
        cx_query_free(q);
        if (rc == CX_OK) {
            got = r;
            break;
        }
        ck_assert_msg(rc == CX_ENOMEM, "rc %d at %ld: %s", rc, n, cx_last_error());
        ck_assert_int_eq(cx_last_error_code(), CX_ENOMEM);
        if (ran) { /* the run failed: no result */
            ck_assert_ptr_null(r);
            runs_failed++;
        }
        ck_assert_uint_eq(f.live, base); /* nothing leaked */
        ck_assert_int_lt(n, 100000);
    }
    ck_assert_int_gt(runs_failed, 10);
    ck_assert_uint_eq(cx_result_row_count(got), cx_result_row_count(want));
    ck_assert_uint_eq(cx_result_column_count(got), cx_result_column_count(want));
    size_t la, lb;
    ck_assert_int_eq(cx_result_serialize(&la, got, NULL, 0), CX_EBUFSIZE);
    ck_assert_int_eq(cx_result_serialize(&lb, want, NULL, 0), CX_EBUFSIZE);
    ck_assert_uint_eq(la, lb);
    size_t with_result = f.live;
    /* a merge and a serialisation take their memory from the result's allocator */
    for (n = 0;; n++) {
        cx_result *m = (cx_result *)&m;
        cxt_alloc_allow(&f, n);
        int rc = cx_result_merge(&m, got, got);
        cxt_alloc_allow(&f, -1);
        if (rc == CX_OK) {
            ck_assert_uint_eq(cx_result_row_count(m), cx_result_row_count(want));
            cx_result_free(m);
            ck_assert_uint_eq(f.live, with_result);
            break;
        }
        ck_assert_msg(rc == CX_ENOMEM, "merge: rc %d at %ld: %s", rc, n, cx_last_error());
        ck_assert_ptr_null(m);
        ck_assert_uint_eq(f.live, with_result);
        ck_assert_int_lt(n, 100000);
    }
    ck_assert_int_gt(n, 0);
    for (n = 0;; n++) {
        size_t len = 0;
        cxt_alloc_allow(&f, n);
        int rc = cx_result_serialize(&len, got, NULL, 0);
        cxt_alloc_allow(&f, -1);
        ck_assert_uint_eq(f.live, with_result);
        if (rc == CX_EBUFSIZE) {
            ck_assert_uint_eq(len, la);
            break;
        }
        ck_assert_msg(rc == CX_ENOMEM, "serialize: rc %d at %ld: %s", rc, n, cx_last_error());
        ck_assert_int_lt(n, 100000);
    }
    ck_assert_int_gt(n, 0);
    cx_result_free(got);
    cx_result_free(want);
    ck_assert_uint_eq(f.live, base);
    cx_store_free(s);
    cx_store_free(plain);
    cxt_alloc_done(&f);
}
END_TEST

START_TEST(agent_daily_report)
{
    cx_store *s = contact_store();
    cx_query *q;
    cx_result *r;
    OK(cx_query_new_agent_daily(&q, s, 180));
    OK(cx_query_run(&r, q));
    ck_assert_uint_eq(cx_result_row_count(r), 5);
    ck_assert_ptr_null(result_label(r, 0, "agent"));
    ck_assert_str_eq(result_label(r, 0, "day"), "2024-06-03");
    CLOSE(result_real(r, 0, "abandon_rate_count"), 1);
    ck_assert_str_eq(result_label(r, 1, "agent"), "Omar");
    CLOSE(result_real(r, 1, "missed_rate_count"), 1);
    ck_assert_str_eq(result_label(r, 3, "agent"), "Sara");
    ck_assert_str_eq(result_label(r, 3, "day"), "2024-06-04");
    CLOSE(result_real(r, 3, "handle_time_n"), 1);
    CLOSE(result_real(r, 3, "handle_time_total"), 600000);
    CLOSE(result_real(r, 3, "missed_rate_n"), 1);
    CLOSE(result_real(r, 3, "missed_rate_count"), 0);
    ck_assert_str_eq(result_label(r, 4, "day"), "2024-06-13");
    CLOSE(result_real(r, 4, "missed_rate"), 100);
    cx_result_free(r);
    cx_query_free(q);
    ck_assert_int_eq(cx_query_new_agent_daily(&q, s, 1000), CX_ERANGE);
    ck_assert_int_eq(cx_query_new_agent_daily(&q, NULL, 0), CX_EINVAL);
    cx_store_free(s);
}
END_TEST

typedef struct ev {
    cx_time t;
    int table;
    size_t row;
} ev;

static int cmp_ev(const void *a, const void *b)
{
    const ev *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->table != y->table ? x->table - y->table : (x->row > y->row) - (x->row < y->row);
}

START_TEST(monitor_agrees_with_query)
{
    cx_store *all, *shard[2];
    OK(cx_store_new(&all));
    OK(cx_store_new(&shard[0]));
    OK(cx_store_new(&shard[1]));
    random_data(all, shard);
    size_t nf, ni;
    OK(cx_store_rows(&nf, all, CX_TABLE_FEEDBACK));
    OK(cx_store_rows(&ni, all, CX_TABLE_INTERACTIONS));
    ev *evs = malloc((nf + ni) * sizeof *evs);
    size_t n = 0;
    for (size_t i = 0; i < nf; i++) {
        int64_t t;
        OK(cx_store_get_int(&t, all, CX_TABLE_FEEDBACK, CX_FEEDBACK_TIME, i));
        evs[n++] = (ev){t, CX_TABLE_FEEDBACK, i};
    }
    for (size_t i = 0; i < ni; i++) {
        int64_t t;
        OK(cx_store_get_int(&t, all, CX_TABLE_INTERACTIONS, CX_INTERACTION_TIME, i));
        evs[n++] = (ev){t, CX_TABLE_INTERACTIONS, i};
    }
    qsort(evs, n, sizeof *evs, cmp_ev);
    const int64_t window = 15 * DAY_MS;
    cx_monitor *m;
    OK(cx_monitor_new(&m, window));
    int measures[] = {CX_MEASURE_NPS, CX_MEASURE_MISSED_RATE, CX_MEASURE_ABANDON_RATE, CX_MEASURE_HANDLE_TIME};
    size_t checks = 0;
    for (size_t i = 0; i < n; i++) {
        if (evs[i].table == CX_TABLE_FEEDBACK) {
            double score;
            OK(cx_store_get_real(&score, all, CX_TABLE_FEEDBACK, CX_FEEDBACK_SCORE, evs[i].row));
            OK(cx_monitor_add_answer(m, evs[i].t, CX_METRIC_NPS, score, 0, 10, 1));
        } else {
            int64_t outcome, dur;
            OK(cx_store_get_int(&outcome, all, CX_TABLE_INTERACTIONS, CX_INTERACTION_OUTCOME, evs[i].row));
            OK(cx_store_get_int(&dur, all, CX_TABLE_INTERACTIONS, CX_INTERACTION_DURATION, evs[i].row));
            OK(cx_monitor_add_contact(m, evs[i].t, (int)outcome, dur));
        }
        if ((i % 97 != 0 && i + 1 != n) || (i + 1 < n && evs[i + 1].t == evs[i].t))
            continue;
        cx_time now = evs[i].t + (cx_time)(i % 3) * HOUR_MS; /* sometimes a little after the event */
        if (i + 1 < n && now >= evs[i + 1].t) /* not yet the next event */
            now = evs[i + 1].t - 1;
        cx_query *q;
        cx_result *r;
        OK(cx_query_new(&q, all));
        for (int k = 0; k < 4; k++)
            OK(cx_query_add(q, measures[k]));
        OK(cx_query_set_range(q, now - window + 1, now + 1));
        OK(cx_query_run(&r, q));
        const char *cols[] = {"nps", "missed_rate", "abandon_rate", "handle_time_mean"};
        const char *ncols[] = {"nps_n", "missed_rate_n", "abandon_rate_n", "handle_time_n"};
        for (int k = 0; k < 4; k++) {
            double v, want = result_real(r, 0, cols[k]);
            uint64_t cnt;
            OK(cx_monitor_read(&v, &cnt, m, now, measures[k]));
            ck_assert_msg((isnan(v) && isnan(want)) || fabs(v - want) < 1e-9 * (1 + fabs(want)),
                          "%s at %lld: monitor %.17g, query %.17g", cols[k], (long long)now, v, want);
            ck_assert_uint_eq(cnt, (uint64_t)result_real(r, 0, ncols[k]));
        }
        checks++;
        cx_result_free(r);
        cx_query_free(q);
    }
    ck_assert_uint_gt(checks, 10);
    cx_monitor_free(m);
    free(evs);
    cx_store_free(all);
    cx_store_free(shard[0]);
    cx_store_free(shard[1]);
}
END_TEST

START_TEST(monitor_cases_and_bad_input)
{
    cx_monitor *m = (cx_monitor *)1;
    ck_assert_int_eq(cx_monitor_new(&m, 0), CX_ERANGE);
    ck_assert_ptr_null(m);
    OK(cx_monitor_new(&m, 10 * HOUR_MS));
    double v;
    uint64_t n;
    OK(cx_monitor_read(&v, &n, m, 0, CX_MEASURE_FCR));
    ck_assert(isnan(v));
    ck_assert_uint_eq(n, 0);
    /* resolved at 1 h (one contact, answered after 10 min) and at 3 h (two contacts, no response recorded) */
    OK(cx_monitor_add_case(m, 1 * HOUR_MS, 0, HOUR_MS / 6, 1, 0));
    OK(cx_monitor_add_case(m, 3 * HOUR_MS, HOUR_MS, CX_TIME_NONE, 2, 0));
    OK(cx_monitor_read(&v, &n, m, 3 * HOUR_MS, CX_MEASURE_FCR));
    CLOSE(v, 50);
    OK(cx_monitor_read(&v, &n, m, 3 * HOUR_MS, CX_MEASURE_RESOLUTION));
    CLOSE(v, 1.5 * HOUR_MS);
    OK(cx_monitor_read(&v, &n, m, 3 * HOUR_MS, CX_MEASURE_FIRST_RESPONSE));
    CLOSE(v, HOUR_MS / 6.0);
    ck_assert_uint_eq(n, 1);
    /* at 11 h the first case has left the window (1 h <= 11 h - 10 h) */
    OK(cx_monitor_read(&v, &n, m, 11 * HOUR_MS, CX_MEASURE_FCR));
    CLOSE(v, 0);
    ck_assert_uint_eq(n, 1);
    OK(cx_monitor_read(&v, &n, m, 11 * HOUR_MS, CX_MEASURE_FIRST_RESPONSE));
    ck_assert(isnan(v));
    /* CSAT and CES on their scales */
    OK(cx_monitor_add_answer(m, 11 * HOUR_MS, CX_METRIC_CSAT, 4, 1, 5, 1));
    OK(cx_monitor_add_answer(m, 11 * HOUR_MS, CX_METRIC_CSAT, 3, 1, 5, 1));
    OK(cx_monitor_add_answer(m, 11 * HOUR_MS, CX_METRIC_CES, 1, 1, 5, 0)); /* easiest: 7 on 1-7 */
    OK(cx_monitor_read(&v, NULL, m, 11 * HOUR_MS, CX_MEASURE_CSAT));
    CLOSE(v, 50);
    OK(cx_monitor_read(&v, NULL, m, 11 * HOUR_MS, CX_MEASURE_CES));
    CLOSE(v, 7);
    /* bad input changes nothing */
    ck_assert_int_eq(cx_monitor_add_answer(m, 10 * HOUR_MS, CX_METRIC_CSAT, 4, 1, 5, 1), CX_EORDER);
    ck_assert_int_eq(cx_monitor_add_answer(m, 12 * HOUR_MS, CX_METRIC_CSAT, 6, 1, 5, 1), CX_ERANGE);
    ck_assert_int_eq(cx_monitor_add_answer(m, 12 * HOUR_MS, CX_METRIC_NPS, 7.5, 0, 10, 1), CX_ERANGE);
    ck_assert_int_eq(cx_monitor_add_answer(m, 12 * HOUR_MS, CX_METRIC_CUSTOM, 1, 0, 10, 1), CX_EINVAL);
    ck_assert_int_eq(cx_monitor_add_contact(m, 12 * HOUR_MS, 7, 0), CX_EINVAL);
    ck_assert_int_eq(cx_monitor_add_contact(m, 12 * HOUR_MS, CX_HANDLED, -1), CX_ERANGE);
    ck_assert_int_eq(cx_monitor_add_case(m, 12 * HOUR_MS, 13 * HOUR_MS, CX_TIME_NONE, 1, 0), CX_EORDER);
    ck_assert_int_eq(cx_monitor_add_case(m, 12 * HOUR_MS, 0, CX_TIME_NONE, -1, 0), CX_ERANGE);
    ck_assert_int_eq(cx_monitor_read(&v, NULL, m, 10 * HOUR_MS, CX_MEASURE_CSAT), CX_EORDER);
    ck_assert_int_eq(cx_monitor_read(&v, NULL, m, 12 * HOUR_MS, CX_MEASURE_SLA_BREACH), CX_EINVAL);
    ck_assert_int_eq(cx_monitor_read(NULL, NULL, m, 12 * HOUR_MS, CX_MEASURE_CSAT), CX_EINVAL);
    OK(cx_monitor_read(&v, &n, m, 11 * HOUR_MS, CX_MEASURE_CSAT));
    CLOSE(v, 50);
    ck_assert_uint_eq(n, 2);
    cx_monitor_free(m);
    cx_monitor_free(NULL);
}
END_TEST

/* Times outside years 0000-9999 and endless durations are refused: before,
 * a read at a time near INT64_MIN, a case opened and resolved 2^63 ms apart
 * and two contacts of INT64_MAX ms each overflowed signed arithmetic
 * (undefined behaviour; UBSan stops the sanitized run). A window longer than
 * every time there is works as the whole span. */
START_TEST(monitor_refuses_times_beyond_years_0000_9999)
{
    cx_monitor *m;
    double v;
    uint64_t n;
    OK(cx_monitor_new(&m, INT64_C(1) << 62));
    ck_assert_int_eq(cx_monitor_add_contact(m, INT64_MIN + 1, CX_HANDLED, 0), CX_ERANGE);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "outside years 0000-9999"));
    ck_assert_int_eq(cx_monitor_read(&v, &n, m, INT64_MIN + 1, CX_MEASURE_MISSED_RATE), CX_ERANGE);
    ck_assert_int_eq(cx_monitor_add_case(m, INT64_MAX, INT64_MIN + 1, CX_TIME_NONE, 1, 0), CX_ERANGE);
    ck_assert_int_eq(cx_monitor_add_case(m, 0, INT64_MIN + 1, CX_TIME_NONE, 1, 0), CX_ERANGE);
    ck_assert_int_eq(cx_monitor_add_case(m, 0, 0, INT64_MIN + 1, 1, 0), CX_ERANGE);
    ck_assert_int_eq(cx_monitor_add_answer(m, INT64_MAX, CX_METRIC_NPS, 9, 0, 10, 1), CX_ERANGE);
    ck_assert_int_eq(cx_monitor_add_contact(m, 0, CX_HANDLED, INT64_MAX), CX_ERANGE);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "longer than years 0000-9999"));
    ck_assert_int_eq(cx_monitor_add_contact(m, 0, CX_HANDLED, -1), CX_ERANGE);
    /* the extremes that are times work; nothing refused was counted */
    const cx_time lo = -62167219200000LL, hi = 253402300799999LL;
    OK(cx_monitor_add_case(m, hi, lo, hi, 1, 0));
    OK(cx_monitor_add_contact(m, hi, CX_HANDLED, hi - lo));
    OK(cx_monitor_add_contact(m, hi, CX_HANDLED, hi - lo));
    OK(cx_monitor_read(&v, &n, m, hi, CX_MEASURE_RESOLUTION));
    ck_assert_uint_eq(n, 1);
    ck_assert(v == (double)(hi - lo));
    OK(cx_monitor_read(&v, &n, m, hi, CX_MEASURE_FIRST_RESPONSE));
    ck_assert(v == (double)(hi - lo));
    OK(cx_monitor_read(&v, &n, m, hi, CX_MEASURE_HANDLE_TIME));
    ck_assert_uint_eq(n, 2);
    ck_assert(v == (double)(hi - lo));
    cx_monitor_free(m);
    /* a window of INT64_MAX holds everything from year 0000 on */
    OK(cx_monitor_new(&m, INT64_MAX));
    OK(cx_monitor_add_contact(m, lo, CX_MISSED, 0));
    OK(cx_monitor_read(&v, &n, m, hi, CX_MEASURE_MISSED_RATE));
    ck_assert_uint_eq(n, 1);
    ck_assert(v == 100);
    cx_monitor_free(m);
}
END_TEST

/* ---- hardening (issue 15) ---------------------------------------------- */

/* Every allocation of cx_query_run() and cx_result_merge() refused in turn,
 * alone (the next ones granted): each failure is CX_ENOMEM, keeps nothing,
 * and every block goes back with its exact size (a pool allocator trusts
 * osize: the result's column table was once freed as one column's). */
START_TEST(each_allocation_refused_in_turn)
{
    cxt_alloc f = {0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &f));
    OK(cx_customer_add(s, "A", "vip", NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "B", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "call", "phone", "service", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "chat", "chat", "service", NULL, 1, 1));
    for (int i = 0; i < 40; i++) {
        OK(cx_feedback_add(NULL, s, NULL, i % 3 ? "A" : "B", "nps", i % 11, i * DAY_MS, i % 2 ? "call" : "chat",
                           NULL, NULL, NULL));
        OK(cx_interaction_add(NULL, s, NULL, i % 3 ? "A" : "B", i % 2 ? "call" : "chat", i * DAY_MS, "contact",
                              CX_INBOUND, "x", NULL, 1000 * i, CX_HANDLED, 0));
    }
    cx_query *q;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_NPS));
    OK(cx_query_add(q, CX_MEASURE_HANDLE_TIME));
    OK(cx_query_add(q, CX_MEASURE_REPEAT_RATE));
    OK(cx_query_group_by(q, CX_DIM_CHANNEL));
    OK(cx_query_group_by_time(q, CX_BUCKET_WEEK, 0));
    size_t base = f.live;
    cx_result *got = NULL;
    size_t refusals = 0;
    for (size_t k = 1;; k++) {
        cx_result *r = (cx_result *)&r;
        cxt_alloc_fail_nth(&f, k, false);
        int rc = cx_query_run(&r, q);
        size_t refused = f.refused;
        cxt_alloc_allow(&f, -1);
        f.refused = 0;
        ck_assert_msg(f.bad == 0, "cx_query_run, allocation %zu refused: %zu calls with a wrong osize", k, f.bad);
        if (rc == CX_OK && refused == 0) {
            got = r;
            break;
        }
        ck_assert_msg(rc == CX_ENOMEM, "cx_query_run, allocation %zu refused: %d %s", k, rc, cx_last_error());
        ck_assert_ptr_null(r);
        ck_assert_uint_eq(f.live, base);
        refusals++;
        ck_assert_uint_lt(k, 100000);
    }
    ck_assert_uint_gt(refusals, 10);
    size_t with_result = f.live;
    refusals = 0;
    for (size_t k = 1;; k++) {
        cx_result *m = (cx_result *)&m;
        cxt_alloc_fail_nth(&f, k, false);
        int rc = cx_result_merge(&m, got, got);
        size_t refused = f.refused;
        cxt_alloc_allow(&f, -1);
        f.refused = 0;
        ck_assert_msg(f.bad == 0, "cx_result_merge, allocation %zu refused: %zu calls with a wrong osize", k, f.bad);
        if (rc == CX_OK && refused == 0) {
            ck_assert_uint_eq(cx_result_row_count(m), cx_result_row_count(got));
            ck_assert_int_eq(result_int(m, 0, "nps_n"), 2 * result_int(got, 0, "nps_n"));
            cx_result_free(m);
            break;
        }
        ck_assert_msg(rc == CX_ENOMEM, "cx_result_merge, allocation %zu refused: %d %s", k, rc, cx_last_error());
        ck_assert_ptr_null(m);
        ck_assert_uint_eq(f.live, with_result);
        refusals++;
        ck_assert_uint_lt(k, 100000);
    }
    ck_assert_uint_gt(refusals, 10);
    ck_assert_uint_eq(f.live, with_result);
    cx_result_free(got);
    cx_query_free(q);
    cx_store_free(s);
    cxt_alloc_done(&f);
}
END_TEST

/* The serialised bytes of a one-measure query over survey_store() (one
 * group): the measure's accumulator is the last `acc_bytes` bytes, its
 * first u64 the count, checked to be `n`. The caller frees the bytes. */
static unsigned char *serialised(int measure, size_t acc_bytes, uint64_t n, size_t *len)
{
    cx_store *s = survey_store();
    cx_result *r = run1(s, measure);
    ck_assert_int_eq(cx_result_serialize(len, r, NULL, 0), CX_EBUFSIZE);
    unsigned char *buf = malloc(*len);
    ck_assert_ptr_nonnull(buf);
    OK(cx_result_serialize(len, r, buf, *len));
    cx_result_free(r);
    cx_store_free(s);
    ck_assert_uint_ge(*len, acc_bytes);
    uint64_t have = 0;
    for (int i = 0; i < 8; i++)
        have |= (uint64_t)buf[*len - acc_bytes + i] << (8 * i);
    ck_assert_msg(have == n, "the count in the bytes is %llu, expected %llu", (unsigned long long)have,
                  (unsigned long long)n);
    return buf;
}

/* Writes u64 number `i` of the accumulator (little-endian, the format's). */
static void put_u64(unsigned char *buf, size_t len, size_t acc_bytes, int i, uint64_t v)
{
    for (int b = 0; b < 8; b++)
        buf[len - acc_bytes + 8 * (size_t)i + (size_t)b] = (unsigned char)(v >> (8 * b));
}

/* An NPS accumulator (n, promoters, passives, detractors: u64; sum and sum
 * of squares: f64) whose count is `n`, all promoters; deserialised, or the
 * status of the refusal. */
static int nps_result(cx_result **out, uint64_t n)
{
    size_t len;
    unsigned char *buf = serialised(CX_MEASURE_NPS, 48, 6, &len);
    put_u64(buf, len, 48, 0, n);
    put_u64(buf, len, 48, 1, n);
    put_u64(buf, len, 48, 2, 0);
    put_u64(buf, len, 48, 3, 0);
    int rc = cx_result_deserialize(out, buf, len);
    free(buf);
    return rc;
}

/* Counts near INT64_MAX (issue 15, defect 5): they read back exactly, a
 * count beyond INT64_MAX is corrupt input, and a merge whose counts would
 * pass INT64_MAX fails with CX_ERANGE instead of overflowing. */
START_TEST(huge_counts_exact_or_refused)
{
    const uint64_t big = ((uint64_t)1 << 53) + 1; /* no double holds it */
    cx_result *r, *m;
    OK(nps_result(&r, big));
    ck_assert_int_eq(result_int(r, 0, "nps_n"), (int64_t)big);
    ck_assert_int_eq(result_int(r, 0, "nps_promoters"), (int64_t)big);
    OK(cx_result_merge(&m, r, r));
    ck_assert_int_eq(result_int(m, 0, "nps_n"), (int64_t)(2 * big));
    CLOSE(result_real(m, 0, "nps"), 100);
    cx_result_free(m);
    cx_result_free(r);
    /* INT64_MAX itself reads back; merged with anything it overflows */
    OK(nps_result(&r, (uint64_t)INT64_MAX));
    ck_assert_int_eq(result_int(r, 0, "nps_n"), INT64_MAX);
    ck_assert_int_eq(result_int(r, 0, "nps_promoters"), INT64_MAX);
    m = (cx_result *)&m;
    FAILS(cx_result_merge(&m, r, r), CX_ERANGE, "cx_result_merge");
    ck_assert_ptr_null(m);
    cx_result_free(r);
    /* 2^62: merged with itself it would be 2^63, one past INT64_MAX */
    OK(nps_result(&r, (uint64_t)1 << 62));
    FAILS(cx_result_merge(&m, r, r), CX_ERANGE, "cx_result_merge");
    MSG_HAS("2^63");
    ck_assert_ptr_null(m);
    cx_result *one;
    OK(nps_result(&one, ((uint64_t)1 << 62) - 1)); /* one less: fits exactly */
    OK(cx_result_merge(&m, r, one));
    ck_assert_int_eq(result_int(m, 0, "nps_n"), INT64_MAX);
    /* and the merged result survives a round trip */
    size_t len;
    ck_assert_int_eq(cx_result_serialize(&len, m, NULL, 0), CX_EBUFSIZE);
    void *buf = malloc(len);
    OK(cx_result_serialize(&len, m, buf, len));
    cx_result *back;
    OK(cx_result_deserialize(&back, buf, len));
    ck_assert_int_eq(result_int(back, 0, "nps_n"), INT64_MAX);
    free(buf);
    cx_result_free(back);
    cx_result_free(m);
    cx_result_free(one);
    cx_result_free(r);
    /* beyond INT64_MAX: refused as corrupt, not read as a negative count */
    static const uint64_t beyond[] = {(uint64_t)INT64_MAX + 1, UINT64_MAX - 1, UINT64_MAX};
    for (size_t i = 0; i < sizeof beyond / sizeof beyond[0]; i++) {
        r = (cx_result *)&r;
        FAILS(nps_result(&r, beyond[i]), CX_EPARSE, "cx_result_deserialize");
        ck_assert_ptr_null(r);
    }
}
END_TEST

/* The same for a proportion (FCR: n cases, x resolved at first contact). */
START_TEST(huge_proportion_counts)
{
    size_t len;
    cx_store *s = survey_store();
    cx_result *r0 = run1(s, CX_MEASURE_FCR);
    uint64_t n0 = (uint64_t)result_int(r0, 0, "fcr_n");
    cx_result_free(r0);
    cx_store_free(s);
    unsigned char *buf = serialised(CX_MEASURE_FCR, 16, n0, &len);
    cx_result *r, *m;
    put_u64(buf, len, 16, 0, (uint64_t)INT64_MAX - 2);
    put_u64(buf, len, 16, 1, 7);
    OK(cx_result_deserialize(&r, buf, len));
    ck_assert_int_eq(result_int(r, 0, "fcr_n"), INT64_MAX - 2);
    ck_assert_int_eq(result_int(r, 0, "fcr_count"), 7);
    FAILS(cx_result_merge(&m, r, r), CX_ERANGE, "cx_result_merge");
    ck_assert_ptr_null(m);
    cx_result_free(r);
    put_u64(buf, len, 16, 0, (uint64_t)INT64_MAX + 5);
    r = (cx_result *)&r;
    FAILS(cx_result_deserialize(&r, buf, len), CX_EPARSE, "cx_result_deserialize");
    ck_assert_ptr_null(r);
    free(buf);
}
END_TEST

/* Little-endian writers for a hand-made accumulator. */
static size_t le(unsigned char *p, uint64_t v, int bytes)
{
    for (int b = 0; b < bytes; b++)
        p[b] = (unsigned char)(v >> (8 * b));
    return (size_t)bytes;
}

static size_t le_f64(unsigned char *p, double v)
{
    uint64_t u;
    memcpy(&u, &v, 8);
    return le(p, u, 8);
}

/* A distribution (contacts per case): its accumulator is the exact sum of
 * squares (two u64), then a quantile accumulator. One case with no contact gives an
 * exact accumulator of one value 0; it is replaced by the sketch form of
 * `zeros` zeros (the wire format of src/metrics/qacc.c: magic "CXQA",
 * version 1, mode 1, count, sum, compensation, min, max, alpha 0.005, zero
 * count, then empty positive and negative bucket ranges). */
static int contacts_result_sq(cx_result **out, uint64_t zeros, uint64_t sq_hi)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_case_add(s, "K1", "A", "email", "high", NULL, T("2024-03-01T09:00:00Z"), CX_TIME_NONE, CX_TIME_NONE, 0, 0));
    cx_result *r = run1(s, CX_MEASURE_CONTACTS);
    ck_assert_int_eq(result_int(r, 0, "contacts_n"), 1);
    size_t len;
    ck_assert_int_eq(cx_result_serialize(&len, r, NULL, 0), CX_EBUFSIZE);
    enum { EXACT1 = 16 + 4 + 1 + 1 + 8 + 4 * 8 + 8, SKETCH = 16 + 4 + 1 + 1 + 8 + 4 * 8 + 8 + 8 + 12 + 12 };
    unsigned char *buf = malloc(len + SKETCH);
    OK(cx_result_serialize(&len, r, buf, len));
    cx_result_free(r);
    cx_store_free(s);
    unsigned char *p = buf + len - EXACT1;
    uint64_t magic = (uint64_t)p[16] | (uint64_t)p[17] << 8 | (uint64_t)p[18] << 16 | (uint64_t)p[19] << 24;
    ck_assert_msg(magic == 0x41515843u && p[20] == 1 && p[21] == 0, "not the exact accumulator of one value");
    p += le(p, 0, 8);                 /* sum of squares, low word */
    p += le(p, sq_hi, 8);             /* and high word */
    p += le(p, 0x41515843u, 4);       /* magic */
    p += le(p, 1, 1);                 /* wire version */
    p += le(p, 1, 1);                 /* sketch */
    p += le(p, zeros, 8);             /* count */
    for (int i = 0; i < 4; i++)       /* sum, compensation, min, max */
        p += le_f64(p, 0);
    p += le_f64(p, 0.005);            /* accuracy */
    p += le(p, zeros, 8);             /* zeros */
    for (int i = 0; i < 2; i++) {     /* no positive, no negative bucket */
        p += le(p, 0, 8);
        p += le(p, 0, 4);
    }
    int rc = cx_result_deserialize(out, buf, (size_t)(p - buf));
    free(buf);
    return rc;
}

static int contacts_result(cx_result **out, uint64_t zeros) { return contacts_result_sq(out, zeros, 0); }

/* The count of a distribution near INT64_MAX (issue 15, defect 5, for
 * quantile accumulators): read back exactly, merged while it fits, refused
 * with CX_ERANGE past 2^63 - 1, and refused as corrupt beyond it. */
START_TEST(huge_distribution_counts)
{
    cx_result *r, *m;
    const uint64_t half = (uint64_t)1 << 62;
    OK(contacts_result(&r, half - 1));
    ck_assert_int_eq(result_int(r, 0, "contacts_n"), (int64_t)(half - 1));
    CLOSE(result_real(r, 0, "contacts_mean"), 0);
    CLOSE(result_real(r, 0, "contacts_median"), 0);
    cx_result *h;
    OK(contacts_result(&h, half));
    OK(cx_result_merge(&m, r, h)); /* 2^63 - 1: fits exactly */
    ck_assert_int_eq(result_int(m, 0, "contacts_n"), INT64_MAX);
    cx_result *m2 = (cx_result *)&m2;
    FAILS(cx_result_merge(&m2, m, r), CX_ERANGE, "cx_result_merge");
    MSG_HAS("2^63");
    ck_assert_ptr_null(m2);
    FAILS(cx_result_merge(&m2, h, h), CX_ERANGE, "cx_result_merge"); /* 2^63: one past */
    ck_assert_ptr_null(m2);
    cx_result_free(m);
    cx_result_free(h);
    cx_result_free(r);
    r = (cx_result *)&r;
    FAILS(contacts_result(&r, (uint64_t)INT64_MAX + 1), CX_EPARSE, "cx_result_deserialize");
    ck_assert_ptr_null(r);
}
END_TEST

/* The sums of squares of a distribution pass 2^128 - 1 only in a merge of
 * made-up bytes (durations are bounded by the years 0000-9999): refused
 * with CX_ERANGE, the inputs unchanged. */
START_TEST(huge_sums_of_squares)
{
    cx_result *r, *m = (cx_result *)&m;
    OK(contacts_result_sq(&r, 1, (uint64_t)1 << 63));
    FAILS(cx_result_merge(&m, r, r), CX_ERANGE, "cx_result_merge");
    MSG_HAS("2^128");
    ck_assert_ptr_null(m);
    ck_assert_int_eq(result_int(r, 0, "contacts_n"), 1);
    cx_result_free(r);
}
END_TEST

/* Cases with durations whose squares no double holds exactly (up to a
 * year in milliseconds), added in three orders and in two stores merged:
 * every cell the same to the bit, the confidence bounds of the durations
 * included (their sums of squares are exact; as doubles, the order changed
 * their last digits). Results written by version 2 (an f64 sum of squares)
 * still read, with the same bounds to 1e-12. */
static void year_cases(cx_store *s, const int *order, int n, int from, int to)
{
    for (int k = 0; k < n; k++) {
        int i = order[k];
        if (i < from || i >= to)
            continue;
        uint64_t h = (uint64_t)i * 0x9E3779B97F4A7C15u;
        h ^= h >> 29;
        char id[16];
        snprintf(id, sizeof id, "K%d", i);
        cx_time op = (cx_time)(h % (200 * DAY_MS)), fr = op + (cx_time)((h >> 7) % (30 * DAY_MS)),
                rs = fr + (cx_time)((h >> 13) % (365 * DAY_MS));
        OK(cx_case_add(s, id, "A", channels[i % 3], NULL, NULL, op, fr, rs, 0, (int)(h >> 40) % 9));
    }
}

static cx_result *duration_query(const cx_store *s)
{
    cx_query *q;
    cx_result *r;
    OK(cx_query_new(&q, s));
    OK(cx_query_add(q, CX_MEASURE_FIRST_RESPONSE));
    OK(cx_query_add(q, CX_MEASURE_RESOLUTION));
    OK(cx_query_add(q, CX_MEASURE_CONTACTS));
    OK(cx_query_group_by(q, CX_DIM_CHANNEL));
    OK(cx_query_run(&r, q));
    cx_query_free(q);
    return r;
}

START_TEST(distribution_sums_independent_of_order)
{
    enum { N = 6000 };
    static int order[3][N];
    for (int i = 0; i < N; i++) {
        order[0][i] = i;
        order[1][i] = N - 1 - i;
        order[2][i] = i;
    }
    for (int i = N - 1; i > 0; i--) { /* a shuffle */
        int j = (int)(next() % (uint64_t)(i + 1)), t = order[2][i];
        order[2][i] = order[2][j];
        order[2][j] = t;
    }
    cx_result *r[3];
    for (int o = 0; o < 3; o++) {
        cx_store *s;
        OK(cx_store_new(&s));
        OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
        year_cases(s, order[o], N, 0, N);
        r[o] = duration_query(s);
        cx_store_free(s);
    }
    ck_assert_uint_eq(cx_result_row_count(r[0]), 3);
    ck_assert_int_eq(result_int(r[0], 0, "resolution_n") + result_int(r[0], 1, "resolution_n") +
                         result_int(r[0], 2, "resolution_n"), N);
    assert_identical(r[0], r[1]);
    assert_identical(r[0], r[2]);
    /* two stores of the shuffled cases, merged */
    cx_result *part[2], *m;
    for (int h = 0; h < 2; h++) {
        cx_store *s;
        OK(cx_store_new(&s));
        OK(cx_customer_add(s, "A", NULL, NULL, NULL, CX_TIME_NONE));
        year_cases(s, order[2], N, h ? N / 3 : 0, h ? N : N / 3);
        part[h] = duration_query(s);
        cx_store_free(s);
    }
    OK(cx_result_merge(&m, part[1], part[0]));
    assert_identical(r[0], m);
    /* the interval is the t interval of the values (checked against a
     * two-pass variance of the same durations) */
    {
        double sum = 0, mean, ss = 0;
        int n = 0;
        for (int i = 0; i < N; i += 3) { /* channel "phone" */
            uint64_t h = (uint64_t)i * 0x9E3779B97F4A7C15u;
            h ^= h >> 29;
            sum += (double)((h >> 13) % (365 * DAY_MS)) + (double)((h >> 7) % (30 * DAY_MS));
            n++;
        }
        mean = sum / n;
        for (int i = 0; i < N; i += 3) {
            uint64_t h = (uint64_t)i * 0x9E3779B97F4A7C15u;
            h ^= h >> 29;
            double d = (double)((h >> 13) % (365 * DAY_MS)) + (double)((h >> 7) % (30 * DAY_MS)) - mean;
            ss += d * d;
        }
        size_t row = SIZE_MAX;
        for (size_t g = 0; g < 3; g++)
            if (strcmp(result_str(r[0], g, "channel"), "phone") == 0)
                row = g;
        ck_assert_uint_ne(row, SIZE_MAX);
        double lo = result_real(r[0], row, "resolution_lo"), hi = result_real(r[0], row, "resolution_hi");
        double half = (hi - lo) / 2, want = 1.9611514201705613 * sqrt(ss / (n - 1)) / sqrt(n); /* R: qt(0.975, 1999) */
        ck_assert_msg(fabs(half - want) <= 1e-9 * want, "half width %.17g, expected %.17g", half, want);
        ck_assert_msg(fabs((lo + hi) / 2 - mean) <= 1e-9 * mean, "centre %.17g, mean %.17g", (lo + hi) / 2, mean);
    }
    /* version 2's bytes: the sums of squares as f64 */
    size_t len;
    ck_assert_int_eq(cx_result_serialize(&len, r[2], NULL, 0), CX_EBUFSIZE);
    unsigned char *b3 = malloc(len), *b2 = malloc(len);
    ck_assert_ptr_nonnull(b3);
    ck_assert_ptr_nonnull(b2);
    OK(cx_result_serialize(&len, r[2], b3, len));
    size_t len2 = squares_as_f64(b2, b3, len);
    ck_assert_uint_eq(len2, len - 3 * 3 * 8); /* three measures in three groups */
    ck_assert_int_eq(b2[4], 3);
    b2[4] = 2;
    cx_result *back;
    OK(cx_result_deserialize(&back, b2, len2));
    for (size_t g = 0; g < 3; g++)
        for (int f = 0; f < 2; f++) {
            const char *col = f ? "resolution_hi" : "resolution_lo";
            double want = result_real(r[2], g, col), got = result_real(back, g, col);
            ck_assert_msg(fabs(got - want) <= 1e-12 * fabs(want), "%s %.17g, expected %.17g", col, got, want);
        }
    /* a negative or non-finite f64 sum of squares is corrupt */
    for (size_t i = 0; i + 20 <= len2; i++)
        if (memcmp(b2 + i + 8, "CXQA", 4) == 0) {
            double bad = -1;
            memcpy(b2 + i, &bad, 8); /* little-endian hosts: the test's */
            break;
        }
    cx_result *none = (cx_result *)&none;
    FAILS(cx_result_deserialize(&none, b2, len2), CX_EPARSE, "cx_result_deserialize");
    ck_assert_ptr_null(none);
    free(b2);
    free(b3);
    cx_result_free(back);
    cx_result_free(m);
    for (int h = 0; h < 2; h++)
        cx_result_free(part[h]);
    for (int o = 0; o < 3; o++)
        cx_result_free(r[o]);
}
END_TEST

/* A NULL allocator is malloc, realloc and free (documented): a monitor made
 * with one works as one made by cx_monitor_new(), and its user data is
 * never used. */
START_TEST(monitor_null_allocator_is_malloc)
{
    cx_monitor *a, *b;
    int ud = 0;
    OK(cx_monitor_new_with_allocator(&a, 7 * DAY_MS, NULL, &ud));
    OK(cx_monitor_new(&b, 7 * DAY_MS));
    cx_monitor *both[] = {a, b};
    double v[2];
    uint64_t n[2];
    for (int k = 0; k < 2; k++) {
        for (int i = 0; i < 300; i++) /* enough to grow its arrays */
            OK(cx_monitor_add_answer(both[k], i * HOUR_MS, CX_METRIC_NPS, i % 11, 0, 10, 1));
        OK(cx_monitor_read(&v[k], &n[k], both[k], 300 * HOUR_MS, CX_MEASURE_NPS));
    }
    ck_assert_uint_eq(n[0], n[1]);
    ck_assert_uint_gt(n[0], 100);
    CLOSE(v[0], v[1]);
    ck_assert_int_eq(ud, 0);
    cx_monitor_free(a);
    cx_monitor_free(b);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("metrics");
    TCase *core = tcase_create("core");
    tcase_add_checked_fixture(core, tmpdir_setup, tmpdir_teardown); /* export_files writes files */
    tcase_add_test(core, nps_formula);
    tcase_add_test(core, nps_edge_cases);
    tcase_add_test(core, small_samples);
    tcase_add_test(core, csat_and_ces_scales);
    tcase_add_test(core, case_measures);
    tcase_add_test(core, sla_targets);
    tcase_add_test(core, business_hours);
    tcase_add_test(core, contact_measures);
    tcase_add_test(core, repeat_causes_at_one_time);
    tcase_add_test(core, fcr_window);
    tcase_add_test(core, time_buckets);
    tcase_add_test(core, filters);
    tcase_add_test(core, groups_follow_links);
    tcase_add_test(core, cases_in_chunks_equal_rows);
    tcase_add_test(core, cases_in_chunks_many_groups);
    tcase_add_test(core, feedback_by_counts_equal_lists);
    tcase_add_test(core, feedback_by_counts_across_blocks);
    tcase_add_test(core, feedback_by_counts_groups_late);
    tcase_add_test(core, cx_index);
    tcase_add_test(core, compare_groups);
    tcase_add_test(core, export_files);
    tcase_add_test(core, agent_daily_report);
    tcase_add_test(core, monitor_cases_and_bad_input);
    tcase_add_test(core, monitor_refuses_times_beyond_years_0000_9999);
    suite_add_tcase(su, core);
    TCase *merge = tcase_create("merge");
    tcase_set_timeout(merge, 120);
    tcase_add_test(merge, merge_equals_one_pass);
    tcase_add_test(merge, merge_refuses_other_queries);
    tcase_add_test(merge, monitor_agrees_with_query);
    suite_add_tcase(su, merge);
    TCase *bad = tcase_create("limits");
    tcase_set_timeout(bad, 120);
    tcase_add_test(bad, bad_arguments);
    tcase_add_test(bad, out_of_memory);
    tcase_add_test(bad, out_of_memory_wide_queries);
    tcase_add_test(bad, threaded_query_out_of_memory);
    tcase_add_test(bad, cases_in_chunks_out_of_memory);
    tcase_add_test(bad, feedback_by_counts_out_of_memory);
    suite_add_tcase(su, bad);
    TCase *hard = tcase_create("hardening");
    tcase_set_timeout(hard, 120);
    tcase_add_test(hard, each_allocation_refused_in_turn);
    tcase_add_test(hard, huge_counts_exact_or_refused);
    tcase_add_test(hard, huge_distribution_counts);
    tcase_add_test(hard, huge_sums_of_squares);
    tcase_add_test(hard, distribution_sums_independent_of_order);
    tcase_add_test(hard, huge_proportion_counts);
    tcase_add_test(hard, monitor_null_allocator_is_malloc);
    suite_add_tcase(su, hard);
    return run_suite(su);
}

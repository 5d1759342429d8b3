/* Tests of the text module (issue 17): the normalisation pinned on Arabic
 * and English cases, the index's term and phrase counts, the weighted
 * log-odds statistic on hand-computed counts, counts merged from shards
 * equal to the counts of the whole, their serialisation, the search against
 * a brute-force scan of cx_text_tokens(), the trend, and refusals. */
#include "cx_test.h"

#include <cxkit/text.h>

#include <pthread.h>

/* ---- helpers ------------------------------------------------------------ */

/* The tokens of a text as "token/term" words joined by spaces ("-" for no term). */
static const char *toks(const char *text, int lang)
{
    static char buf[4096];
    cx_result *r = NULL;
    OK(cx_text_tokens(&r, text, lang));
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < cx_result_row_count(r); i++) {
        const char *t, *m;
        OK(cx_result_get_string(&t, r, i, 1));
        OK(cx_result_get_string(&m, r, i, 2));
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%s/%s", i ? " " : "", t, m ? m : "-");
    }
    cx_result_free(r);
    return buf;
}

static int lang_of(const char *text)
{
    int l = -1;
    OK(cx_text_language(&l, text));
    return l;
}

static size_t col(const cx_result *r, const char *name)
{
    size_t c = 0;
    OK(cx_result_column_find(&c, r, name));
    return c;
}

static const char *S(const cx_result *r, size_t row, const char *name)
{
    const char *s = NULL;
    OK(cx_result_get_string(&s, r, row, col(r, name)));
    return s;
}

static int64_t I(const cx_result *r, size_t row, const char *name)
{
    int64_t v = 0;
    OK(cx_result_get_int(&v, r, row, col(r, name)));
    return v;
}

static double R(const cx_result *r, size_t row, const char *name)
{
    double v = 0;
    OK(cx_result_get_real(&v, r, row, col(r, name)));
    return v;
}

/* The row whose columns a and b hold these texts (b may be NULL: ignored). */
static size_t find_row(const cx_result *r, const char *ca, const char *va, const char *cb, const char *vb)
{
    for (size_t i = 0; i < cx_result_row_count(r); i++) {
        const char *x = S(r, i, ca);
        if (!x || strcmp(x, va) != 0)
            continue;
        if (cb) {
            const char *y = S(r, i, cb);
            if (!y || strcmp(y, vb) != 0)
                continue;
        }
        return i;
    }
    return SIZE_MAX;
}

/* ---- normalisation -------------------------------------------------------- */

START_TEST(english_normalisation)
{
    /* case folding, stop words, Snowball English stems, punctuation */
    ck_assert_str_eq(toks("The Delivery was LATE!! deliveries delivered", CX_LANG_AUTO),
                     "the/- delivery/deliveri was/- late/late deliveries/deliveri delivered/deliv");
    /* Latin-1 and Latin Extended-A folding; U+2019 as an apostrophe kept inside a word */
    ck_assert_str_eq(toks("CAFÉ Über Don\xE2\x80\x99t ŁÓDŹ", CX_LANG_AUTO), "café/café über/über don't/don't łódź/łódź");
    /* a leading or trailing apostrophe is punctuation */
    ck_assert_str_eq(toks("'agents' rude", CX_LANG_AUTO), "agents/agent rude/rude");
    /* negations are terms, not stop words */
    ck_assert_str_eq(toks("not helpful, never again", CX_LANG_AUTO), "not/not helpful/help never/never again/again");
    /* CX_LANG_OTHER: no stemming, no stop words */
    ck_assert_str_eq(toks("The deliveries", CX_LANG_OTHER), "the/the deliveries/deliveries");
}
END_TEST

START_TEST(arabic_normalisation)
{
    /* harakat (shadda, tanween) removed; أ -> ا; إلى -> الي, a stop word */
    ck_assert_str_eq(toks("التوصيل تأخّر كثيراً إلى", CX_LANG_AUTO), "التوصيل/توصيل تاخر/تاخر كثيرا/كثير الي/-");
    /* taa marbuta -> haa, alef maqsura -> yaa, alef wasla -> alef, tatweel removed */
    ck_assert_str_eq(toks("مدرسة", CX_LANG_AUTO), "مدرسه/مدرس");
    ck_assert_str_eq(toks("مستشفى", CX_LANG_AUTO), "مستشفي/مستشف");
    ck_assert_str_eq(toks("ٱلحمد جـــميل", CX_LANG_AUTO), "الحمد/حمد جميل/جميل");
    /* آ and إ -> ا; Farsi yeh -> yaa */
    ck_assert_str_eq(toks("آمن إرجاع ی", CX_LANG_OTHER), "امن/امن ارجاع/ارجاع ي/ي");
    /* Arabic-Indic and Eastern digits are numbers, not terms */
    ck_assert_str_eq(toks("٣ أيام ۴", CX_LANG_AUTO), "3/- ايام/ايام 4/-");
    /* a right-to-left mark is dropped; a script change splits a token */
    ck_assert_str_eq(toks("\xE2\x80\x8FOKشكرا", CX_LANG_AUTO), "ok/ok شكرا/شكر");
    /* negations stay terms; the same stem for forms with and without the article */
    ck_assert_str_eq(toks("لم يصل التوصيل بالتوصيل", CX_LANG_AUTO), "لم/لم يصل/يصل التوصيل/توصيل بالتوصيل/توصيل");
    /* Arabic punctuation breaks phrases */
    cx_result *r = NULL;
    OK(cx_text_tokens(&r, "سيء، متأخر؟ نعم", CX_LANG_AUTO));
    ck_assert_uint_eq(cx_result_row_count(r), 3);
    ck_assert_int_eq(I(r, 1, "break"), 1);
    ck_assert_int_eq(I(r, 2, "break"), 1);
    ck_assert_int_eq(I(r, 0, "break"), 0);
    ck_assert_str_eq(S(r, 0, "script"), "arabic");
    cx_result_free(r);
}
END_TEST

START_TEST(other_scripts_and_language)
{
    /* passed through byte for byte, split at fullwidth punctuation */
    ck_assert_str_eq(toks("你好，世界", CX_LANG_AUTO), "你好/你好 世界/世界");
    ck_assert_int_eq(lang_of("شكرا جزيلا thanks"), CX_LANG_ARABIC);
    ck_assert_int_eq(lang_of("thanks a lot شكرا"), CX_LANG_ENGLISH);
    ck_assert_int_eq(lang_of("你好"), CX_LANG_OTHER);
    ck_assert_int_eq(lang_of("123 !!"), CX_LANG_OTHER);
    ck_assert_int_eq(lang_of(""), CX_LANG_OTHER);
    /* invalid UTF-8 is an error */
    cx_result *r = (cx_result *)1;
    int l;
    FAILS(cx_text_tokens(&r, "bad \xC3\x28 byte", CX_LANG_AUTO), CX_EINVAL, "cx_text_tokens");
    ck_assert_ptr_null(r);
    FAILS(cx_text_language(&l, "\xFF"), CX_EINVAL, "cx_text_language");
    FAILS(cx_text_tokens(&r, "x", 9), CX_EINVAL, "cx_text_tokens");
    FAILS(cx_text_tokens(&r, NULL, 0), CX_EINVAL, "cx_text_tokens");
}
END_TEST

/* ---- a store with comments ------------------------------------------------ */

static cx_store *comment_store(void)
{
    cx_store *s = NULL;
    OK(cx_store_new(&s));
    OK(cx_vocab_define(NULL, s, CX_VOCAB_CHANNEL, "delivery"));
    OK(cx_vocab_define(NULL, s, CX_VOCAB_CHANNEL, "phone"));
    OK(cx_vocab_define(NULL, s, CX_VOCAB_STAGE, "purchase"));
    OK(cx_vocab_define(NULL, s, CX_VOCAB_STAGE, "service"));
    OK(cx_touchpoint_add(s, "home_delivery", "delivery", "purchase", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "call_centre", "phone", "service", NULL, 1, 1));
    OK(cx_customer_add(s, "c1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "c2", NULL, NULL, NULL, CX_TIME_NONE));
    return s;
}

static void fb(cx_store *s, const char *cust, const char *q, double score, const char *iso, const char *tp,
               const char *comment)
{
    OK(cx_feedback_add(NULL, s, NULL, cust, q, score, T(iso), tp, NULL, NULL, comment));
}

START_TEST(index_terms_and_phrases)
{
    cx_store *s = comment_store();
    fb(s, "c1", "nps", 2, "2024-01-05", "home_delivery", "Late delivery again. The late delivery was a mess");
    fb(s, "c2", "nps", 10, "2024-01-06", "call_centre", "Helpful agent, very helpful");
    fb(s, "c1", "nps", 3, "2024-02-01", "home_delivery", "التوصيل متأخر جدا");
    fb(s, "c2", "nps", 9, "2024-02-02", "home_delivery", NULL);
    fb(s, "c2", "csat", 1, "2024-02-03", "call_centre", "");
    cx_text_index *ix = NULL;
    OK(cx_text_index_new(&ix, s, CX_LANG_AUTO));
    size_t nc, nt, nk, mem;
    OK(cx_text_index_stats(&nc, &nt, &nk, ix));
    ck_assert_uint_eq(nc, 3); /* no comment, empty comment: not indexed */
    /* late deliveri again late deliveri mess | help agent help | توصيل متاخر */
    ck_assert_uint_eq(nk, 11);
    ck_assert_uint_eq(nt, 8);
    OK(cx_text_index_memory(&mem, ix));
    ck_assert_uint_gt(mem, 0);

    cx_result *t = NULL;
    OK(cx_text_terms(&t, ix, 2));
    ck_assert_uint_eq(cx_result_row_count(t), 3);
    size_t late = find_row(t, "term", "late", NULL, NULL), del = find_row(t, "term", "deliveri", NULL, NULL);
    ck_assert_uint_lt(late, 3);
    ck_assert_int_eq(I(t, late, "tokens"), 2);
    ck_assert_int_eq(I(t, late, "comments"), 1);
    ck_assert_str_eq(S(t, del, "label"), "delivery");
    ck_assert_str_eq(S(t, find_row(t, "term", "help", NULL, NULL), "label"), "helpful");
    cx_result_free(t);

    /* pairs: late deliveri x2, deliveri again, again|late? no: "." breaks;
     * deliveri mess? no: "was a" are stop words; help agent; توصيل متاخر */
    cx_result *p = NULL;
    OK(cx_text_phrases(&p, ix, 1));
    size_t ld = find_row(p, "phrase", "late deliveri", NULL, NULL);
    ck_assert_uint_lt(ld, cx_result_row_count(p));
    ck_assert_int_eq(I(p, ld, "tokens"), 2);
    ck_assert_str_eq(S(p, ld, "label"), "late delivery");
    /* 5 pair occurrences; late 2, deliveri 2 of 11 tokens: PMI = log2((2/5) / (2/11 * 2/11)) */
    CLOSE(R(p, ld, "pmi"), log2((2.0 / 5) / ((2.0 / 11) * (2.0 / 11))));
    ck_assert_uint_eq(find_row(p, "phrase", "deliveri mess", NULL, NULL), SIZE_MAX);
    ck_assert_uint_eq(find_row(p, "phrase", "again late", NULL, NULL), SIZE_MAX);
    ck_assert_uint_lt(find_row(p, "phrase", "توصيل متاخر", NULL, NULL), cx_result_row_count(p));
    /* G^2 of late -> deliveri: k11 2, first=late 2, second=deliveri 2, N 5: k12 0, k21 0, k22 3 */
    CLOSE(R(p, ld, "llr"), 2 * (2 * log(2 * 5.0 / (2 * 2)) + 3 * log(3 * 5.0 / (3 * 3))));
    cx_result_free(p);
    cx_text_index_free(ix);
    cx_store_free(s);
}
END_TEST

/* ---- the log-odds on hand-computed counts --------------------------------- */

typedef struct crow {
    const char *group, *cls, *kind, *term;
    int64_t tokens, comments;
} crow;

static void put32(unsigned char **p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        *(*p)++ = (unsigned char)(v >> (8 * i));
}

static void put64(unsigned char **p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        *(*p)++ = (unsigned char)(v >> (8 * i));
}

/* Counts written by hand in the documented format. */
static cx_result *hand_counts(const crow *rows, size_t n)
{
    static unsigned char buf[8192];
    unsigned char *p = buf;
    memcpy(p, "CXTC", 4);
    p += 4;
    put32(&p, 1);
    put64(&p, n);
    for (size_t i = 0; i < n; i++) {
        const char *f[5] = {rows[i].group, rows[i].cls, rows[i].kind, rows[i].term, rows[i].term};
        for (int k = 0; k < 5; k++) {
            if (!f[k]) {
                put32(&p, UINT32_MAX);
                continue;
            }
            put32(&p, (uint32_t)strlen(f[k]));
            memcpy(p, f[k], strlen(f[k]));
            p += strlen(f[k]);
        }
        put64(&p, (uint64_t)rows[i].tokens);
        put64(&p, (uint64_t)rows[i].comments);
    }
    cx_result *r = NULL;
    OK(cx_text_counts_deserialize(&r, buf, (size_t)(p - buf)));
    return r;
}

static const crow HAND[] = {
    {"all", "low", "total", NULL, 100, 10},   {"all", "mid", "total", NULL, 50, 5},
    {"all", "high", "total", NULL, 200, 20},  {"all", "low", "term", "late", 20, 8},
    {"all", "mid", "term", "late", 5, 3},     {"all", "high", "term", "late", 5, 4},
    {"all", "low", "term", "great", 2, 2},    {"all", "high", "term", "great", 40, 18},
};

START_TEST(log_odds_hand_computed)
{
    cx_result *c = hand_counts(HAND, sizeof HAND / sizeof *HAND);
    cx_result *th = NULL;
    /* a0 = 100; background 350 term occurrences: late 30, great 42.
     * late: a = 100 * 30/350 = 8.571429; low: (20 + a) / (100 + 100 - 20 - a)
     * = 28.571429 / 171.428571 = 1/6; high: (5 + a) / (200 + 100 - 5 - a) =
     * 13.571429 / 286.428571 = 0.0473815; delta = ln(1/6) - ln(0.0473815) =
     * -1.7917595 + 3.0495225 = 1.2577630; se = sqrt(1/28.571429 +
     * 1/13.571429) = 0.3296729; z = 3.8151848.
     * great: a = 12; low 14 / 186, high 52 / 248: delta = -1.0245043,
     * se = sqrt(1/14 + 1/52) = 0.3010969, z = -3.4025735. */
    OK(cx_text_themes(&th, c, 100, 1));
    ck_assert_uint_eq(cx_result_row_count(th), 2);
    ck_assert_str_eq(S(th, 0, "term"), "late"); /* highest z first */
    NEAR(R(th, 0, "delta"), 1.2577630, 1e-6);
    NEAR(R(th, 0, "se"), 0.3296729, 1e-6);
    NEAR(R(th, 0, "z"), 3.8151848, 1e-6);
    NEAR(R(th, 1, "delta"), -1.0245043, 1e-6);
    NEAR(R(th, 1, "se"), 0.3010969, 1e-6);
    NEAR(R(th, 1, "z"), -3.4025735, 1e-6);
    ck_assert_int_eq(I(th, 0, "low_count"), 20);
    ck_assert_int_eq(I(th, 0, "high_count"), 5);
    CLOSE(R(th, 0, "low_share"), 0.8);
    CLOSE(R(th, 0, "high_share"), 0.2);
    cx_result_free(th);
    /* prior 0: the background counts themselves, a = 30 for late:
     * ln(50/150) - ln(35/265) = 0.6093773 */
    OK(cx_text_themes(&th, c, 0, 1));
    NEAR(R(th, 0, "delta"), 0.6093773, 1e-6);
    NEAR(R(th, 0, "z"), 2.7650044, 1e-6);
    cx_result_free(th);
    /* min_count 30: late has 25 in low + high, great 42 */
    OK(cx_text_themes(&th, c, 100, 30));
    ck_assert_uint_eq(cx_result_row_count(th), 1);
    ck_assert_str_eq(S(th, 0, "term"), "great");
    cx_result_free(th);
    FAILS(cx_text_themes(&th, c, -1, 1), CX_ERANGE, "cx_text_themes");
    FAILS(cx_text_themes(&th, c, 1, 0), CX_ERANGE, "cx_text_themes");
    cx_result_free(c);
}
END_TEST

/* ---- counts, merge, serialisation ----------------------------------------- */

static const char *const SAMPLE[] = {
    "late delivery, the courier never came",   "great service and a helpful agent",
    "delivery was late again",                 "التوصيل متأخر والمندوب لم يتصل",
    "الموظف متعاون وخدمة ممتازة",              "rude agent, not helpful",
    "the parcel arrived damaged and late",     "fast delivery, thank you",
    "لم يصل الطلب حتى الآن",                   "خدمة ممتازة شكرا",
};

static void fill(cx_store *s, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        char iso[32];
        snprintf(iso, sizeof iso, "2024-%02zu-%02zuT10:00:00Z", 1 + i % 3, 1 + i % 27);
        fb(s, i % 2 ? "c1" : "c2", "nps", (double)((i * 7) % 11), iso, i % 3 ? "home_delivery" : "call_centre",
           SAMPLE[(i * 3) % 10]);
    }
}

/* counts as a sorted list of "group|class|kind|term=tokens/comments" lines */
static char *counts_text(const cx_result *c)
{
    size_t n = cx_result_row_count(c), cap = 64 * n + 1, len = 0;
    char **lines = calloc(n ? n : 1, sizeof *lines);
    for (size_t i = 0; i < n; i++) {
        char buf[1024];
        const char *t = S(c, i, "term");
        snprintf(buf, sizeof buf, "%s|%s|%s|%s=%lld/%lld", S(c, i, "group") ? S(c, i, "group") : "(none)",
                 S(c, i, "class"), S(c, i, "kind"), t ? t : "-", (long long)I(c, i, "tokens"),
                 (long long)I(c, i, "comments"));
        lines[i] = strdup(buf);
        cap += strlen(buf);
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && strcmp(lines[j - 1], lines[j]) > 0; j--) {
            char *x = lines[j];
            lines[j] = lines[j - 1];
            lines[j - 1] = x;
        }
    char *out = malloc(cap);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        len += (size_t)sprintf(out + len, "%s\n", lines[i]);
        free(lines[i]);
    }
    free(lines);
    return out;
}

START_TEST(counts_merge_and_serialise)
{
    cx_store *whole = comment_store(), *a = comment_store(), *b = comment_store();
    fill(whole, 0, 60);
    fill(a, 0, 25);
    fill(b, 25, 60);
    cx_text_index *iw, *ia, *ib;
    OK(cx_text_index_new(&iw, whole, CX_LANG_AUTO));
    OK(cx_text_index_new(&ia, a, CX_LANG_AUTO));
    OK(cx_text_index_new(&ib, b, CX_LANG_AUTO));
    for (int g = CX_TEXT_GROUP_NONE; g <= CX_TEXT_GROUP_PERIOD; g++) {
        cx_result *cw, *ca, *cb, *m;
        OK(cx_text_counts(&cw, iw, CX_METRIC_NPS, g, CX_BUCKET_MONTH, 180, NULL, NULL, CX_TIME_NONE, CX_TIME_NONE));
        OK(cx_text_counts(&ca, ia, CX_METRIC_NPS, g, CX_BUCKET_MONTH, 180, NULL, NULL, CX_TIME_NONE, CX_TIME_NONE));
        OK(cx_text_counts(&cb, ib, CX_METRIC_NPS, g, CX_BUCKET_MONTH, 180, NULL, NULL, CX_TIME_NONE, CX_TIME_NONE));
        OK(cx_text_counts_merge(&m, ca, cb));
        char *tw = counts_text(cw), *tm = counts_text(m);
        ck_assert_str_eq(tm, tw);
        /* the round trip of the bytes */
        size_t len = 0;
        FAILS(cx_text_counts_serialize(&len, m, NULL, 0), CX_EBUFSIZE, "cx_text_counts_serialize");
        unsigned char *buf = malloc(len);
        OK(cx_text_counts_serialize(&len, m, buf, len));
        cx_result *back = NULL;
        OK(cx_text_counts_deserialize(&back, buf, len));
        char *tb = counts_text(back);
        ck_assert_str_eq(tb, tw);
        cx_result_free(back);
        /* truncated or corrupt bytes are refused */
        FAILS(cx_text_counts_deserialize(&back, buf, len - 1), CX_EPARSE, "cx_text_counts_deserialize");
        buf[0] = 'X';
        FAILS(cx_text_counts_deserialize(&back, buf, len), CX_EPARSE, "cx_text_counts_deserialize");
        free(buf);
        free(tw);
        free(tm);
        free(tb);
        cx_result_free(cw);
        cx_result_free(ca);
        cx_result_free(cb);
        cx_result_free(m);
    }
    /* the totals: comments of each class add up to the comments answered */
    cx_result *c;
    OK(cx_text_counts(&c, iw, CX_METRIC_NPS, CX_TEXT_GROUP_TOUCHPOINT, 0, 0, "home_delivery", NULL, CX_TIME_NONE,
                      CX_TIME_NONE));
    int64_t total = 0;
    for (size_t i = 0; i < cx_result_row_count(c); i++) {
        ck_assert_str_eq(S(c, i, "group"), "home_delivery");
        if (strcmp(S(c, i, "kind"), "total") == 0)
            total += I(c, i, "comments");
    }
    ck_assert_int_eq(total, 40); /* i % 3 != 0 of 0..59 */
    cx_result_free(c);
    OK(cx_text_counts(&c, iw, CX_METRIC_NPS, CX_TEXT_GROUP_CHANNEL, 0, 0, NULL, "phone", T("2024-01-01"),
                      T("2024-02-01")));
    for (size_t i = 0; i < cx_result_row_count(c); i++)
        ck_assert_str_eq(S(c, i, "group"), "phone");
    ck_assert_uint_gt(cx_result_row_count(c), 0);
    cx_result_free(c);
    /* refusals */
    FAILS(cx_text_counts(&c, iw, CX_METRIC_NPS, 0, 0, 0, "nowhere", NULL, CX_TIME_NONE, CX_TIME_NONE), CX_ENOTFOUND,
          "cx_text_counts");
    FAILS(cx_text_counts(&c, iw, CX_METRIC_NPS, 99, 0, 0, NULL, NULL, CX_TIME_NONE, CX_TIME_NONE), CX_EINVAL,
          "cx_text_counts");
    FAILS(cx_text_counts(&c, iw, CX_METRIC_NPS, 0, 0, 0, NULL, NULL, T("2024-02-01"), T("2024-01-01")), CX_EORDER,
          "cx_text_counts");
    cx_result *terms;
    OK(cx_text_terms(&terms, iw, 1));
    FAILS(cx_text_counts_merge(&c, terms, terms), CX_EINVAL, "cx_text_counts_merge");
    FAILS(cx_text_themes(&c, terms, 1, 1), CX_EINVAL, "cx_text_themes");
    cx_result_free(terms);
    cx_text_index_free(iw);
    cx_text_index_free(ia);
    cx_text_index_free(ib);
    cx_store_free(whole);
    cx_store_free(a);
    cx_store_free(b);
}
END_TEST

/* ---- search against a brute-force scan ------------------------------------ */

/* Whether a comment holds the query's terms consecutively, from
 * cx_text_tokens() alone: a run of tokens that are all terms, without
 * punctuation inside the run. */
static bool brute_has(const char *comment, const char *const *qterms, size_t nq)
{
    cx_result *r = NULL;
    OK(cx_text_tokens(&r, comment, CX_LANG_AUTO));
    size_t n = cx_result_row_count(r);
    bool found = false;
    for (size_t i = 0; i + nq <= n && !found; i++) {
        size_t k = 0;
        for (; k < nq; k++) {
            const char *t = S(r, i + k, "term");
            if (!t || strcmp(t, qterms[k]) != 0 || (k > 0 && I(r, i + k, "break")))
                break;
        }
        found = k == nq;
    }
    cx_result_free(r);
    return found;
}

START_TEST(search_against_brute_force)
{
    static const char *const words[] = {"late", "delivery", "the", "agent", "rude", "helpful", "not", ",", ".",
                                        "was", "التوصيل", "متأخر", "لم", "يصل", "في", "الموظف", "٣", "refund"};
    const size_t nw = sizeof words / sizeof *words;
    cx_store *s = comment_store();
    uint64_t seed = 12345;
    char text[512];
    for (int i = 0; i < 400; i++) {
        size_t len = 0, n = 1 + (size_t)(seed % 9);
        for (size_t k = 0; k < n; k++) {
            seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s", k ? " " : "", words[(seed >> 33) % nw]);
        }
        char iso[32];
        snprintf(iso, sizeof iso, "2024-%02d-%02dT08:00:00Z", 1 + i % 12, 1 + i % 28);
        fb(s, i % 2 ? "c1" : "c2", "nps", i % 11, iso, "home_delivery", text);
    }
    cx_text_index *ix;
    OK(cx_text_index_new(&ix, s, CX_LANG_AUTO));
    static const struct {
        const char *query;
        const char *terms[3];
        size_t n;
    } queries[] = {
        {"late", {"late"}, 1},
        {"Late Delivery", {"late", "deliveri"}, 2},
        {"the late delivery", {"late", "deliveri"}, 2}, /* the query's stop words are dropped */
        {"not helpful", {"not", "help"}, 2},
        {"rude agent refund", {"rude", "agent", "refund"}, 3},
        {"التوصيل متأخر", {"توصيل", "متاخر"}, 2},
        {"لم يصل", {"لم", "يصل"}, 2},
        {"nothingsuch", {"nothingsuch"}, 1},
    };
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        cx_result *r = NULL;
        OK(cx_text_search(&r, ix, queries[q].query, 0));
        size_t k = 0, nfb = 0, expected = 0;
        OK(cx_store_rows(&nfb, s, CX_TABLE_FEEDBACK));
        for (size_t row = 0; row < nfb; row++) {
            const char *c = NULL;
            OK(cx_store_get_string(&c, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, row));
            if (!brute_has(c, queries[q].terms, queries[q].n))
                continue;
            expected++;
            EXPECT(k < cx_result_row_count(r), "query %s: row %zu missing", queries[q].query, row);
            ck_assert_int_eq(I(r, k, "feedback"), (int64_t)row);
            ck_assert_str_eq(S(r, k, "comment"), c);
            ck_assert_str_eq(S(r, k, "touchpoint"), "home_delivery");
            double score;
            OK(cx_store_get_real(&score, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_SCORE, row));
            ck_assert_double_eq(R(r, k, "score"), score);
            k++;
        }
        EXPECT(k == cx_result_row_count(r), "query %s: %zu rows, brute force %zu", queries[q].query,
               cx_result_row_count(r), k);
        if (q < 2)
            ck_assert_uint_gt(expected, 5); /* the test means something */
        cx_result_free(r);
    }
    /* limit */
    cx_result *r;
    OK(cx_text_search(&r, ix, "late", 3));
    ck_assert_uint_eq(cx_result_row_count(r), 3);
    cx_result_free(r);
    FAILS(cx_text_search(&r, ix, "the , .", 0), CX_EINVAL, "cx_text_search");
    FAILS(cx_text_search(&r, ix, "\xC3", 0), CX_EINVAL, "cx_text_search");
    FAILS(cx_text_search(&r, ix, "late", -1), CX_ERANGE, "cx_text_search");

    /* trend: the share per month equals the matches over the comments */
    OK(cx_text_trend(&r, ix, "late", CX_BUCKET_MONTH, 0));
    ck_assert_uint_eq(cx_result_row_count(r), 12);
    int64_t comments = 0, matches = 0;
    for (size_t i = 0; i < 12; i++) {
        comments += I(r, i, "comments");
        matches += I(r, i, "matches");
        CLOSE(R(r, i, "share"), (double)I(r, i, "matches") / (double)I(r, i, "comments"));
    }
    ck_assert_str_eq(S(r, 0, "period"), "2024-01");
    ck_assert_int_eq(comments, 400);
    cx_result *all;
    OK(cx_text_search(&all, ix, "late", 0));
    ck_assert_int_eq(matches, (int64_t)cx_result_row_count(all));
    cx_result_free(all);
    cx_result_free(r);
    FAILS(cx_text_trend(&r, ix, "late", 17, 0), CX_EINVAL, "cx_text_trend");
    cx_text_index_free(ix);
    cx_store_free(s);
}
END_TEST

START_TEST(themes_of_a_store)
{
    cx_store *s = comment_store();
    for (int i = 0; i < 40; i++) {
        char iso[32];
        snprintf(iso, sizeof iso, "2024-03-%02dT08:00:00Z", 1 + i % 28);
        bool det = i % 2 == 0;
        const char *c = det ? (i % 4 ? "late delivery" : "التوصيل متأخر جدا") : "great service, thank you";
        fb(s, "c1", "nps", det ? 2 : 10, iso, "home_delivery", c);
    }
    cx_text_index *ix;
    OK(cx_text_index_new(&ix, s, CX_LANG_AUTO));
    cx_result *c, *th;
    OK(cx_text_counts(&c, ix, CX_METRIC_NPS, CX_TEXT_GROUP_TOUCHPOINT, 0, 0, NULL, NULL, CX_TIME_NONE, CX_TIME_NONE));
    OK(cx_text_themes(&th, c, 0, 3));
    ck_assert_uint_gt(cx_result_row_count(th), 4);
    ck_assert_double_gt(R(th, 0, "z"), 0);
    const char *top = S(th, 0, "term");
    EXPECT(strstr("late deliveri توصيل متاخر", top) != NULL, "top detractor theme %s", top);
    /* the last rows are the promoters' */
    size_t last = cx_result_row_count(th) - 1;
    ck_assert_double_lt(R(th, last, "z"), 0);
    cx_result_free(th);
    cx_result_free(c);
    cx_text_index_free(ix);
    cx_store_free(s);
}
END_TEST

START_TEST(empty_store_and_refusals)
{
    cx_store *s = comment_store();
    cx_text_index *ix = (cx_text_index *)1;
    FAILS(cx_text_index_new(&ix, NULL, 0), CX_EINVAL, "cx_text_index_new");
    ck_assert_ptr_null(ix);
    FAILS(cx_text_index_new(&ix, s, 7), CX_EINVAL, "cx_text_index_new");
    OK(cx_text_index_new(&ix, s, CX_LANG_AUTO));
    cx_result *r;
    OK(cx_text_terms(&r, ix, 1));
    ck_assert_uint_eq(cx_result_row_count(r), 0);
    cx_result_free(r);
    OK(cx_text_phrases(&r, ix, 1));
    ck_assert_uint_eq(cx_result_row_count(r), 0);
    cx_result_free(r);
    OK(cx_text_counts(&r, ix, CX_METRIC_NPS, 0, 0, 0, NULL, NULL, CX_TIME_NONE, CX_TIME_NONE));
    ck_assert_uint_eq(cx_result_row_count(r), 0);
    cx_result *th;
    OK(cx_text_themes(&th, r, 0, 1));
    ck_assert_uint_eq(cx_result_row_count(th), 0);
    cx_result_free(th);
    cx_result_free(r);
    OK(cx_text_search(&r, ix, "late", 0));
    ck_assert_uint_eq(cx_result_row_count(r), 0);
    cx_result_free(r);
    FAILS(cx_text_terms(&r, ix, 0), CX_ERANGE, "cx_text_terms");
    FAILS(cx_text_phrases(&r, NULL, 1), CX_EINVAL, "cx_text_phrases");
    FAILS(cx_text_index_stats(NULL, NULL, NULL, NULL), CX_EINVAL, "cx_text_index_stats");
    cx_text_index_free(ix);
    cx_text_index_free(NULL);
    cx_store_free(s);
}
END_TEST


/* ---- sentiment ------------------------------------------------------------ */

static double senti(const cx_text_lexicon *lex, const char *text, int64_t want_hits)
{
    double v = NAN;
    int64_t hits = -1;
    OK(cx_text_sentiment_of(&v, &hits, lex, text));
    EXPECT(hits == want_hits, "%s: %lld hits, expected %lld", text, (long long)hits, (long long)want_hits);
    return v;
}

START_TEST(sentiment_with_negation)
{
    cx_text_lexicon *lex;
    OK(cx_text_lexicon_new(&lex));
    OK(cx_text_lexicon_add(lex, "helpful", 1));
    OK(cx_text_lexicon_add(lex, "good", 0.5));
    OK(cx_text_lexicon_add(lex, "Late", -1));
    OK(cx_text_lexicon_add(lex, "ممتازة", 2));
    OK(cx_text_lexicon_add(lex, "سيء", -2));
    ck_assert_double_eq(senti(lex, "The agent was HELPFUL", 1), 1);
    ck_assert_double_eq(senti(lex, "not helpful", 1), -1);
    ck_assert_double_eq(senti(lex, "the agent wasn't helpful", 1), -1);
    ck_assert_double_eq(senti(lex, "never late", 1), 1);
    /* the scope skips stop words, ends at punctuation: -0.5 - 1 */
    ck_assert_double_eq(senti(lex, "not a good one, late delivery", 2), -1.5);
    /* three terms: the fourth is outside the scope */
    ck_assert_double_eq(senti(lex, "no courier phone call helpful", 1), 1);
    ck_assert_double_eq(senti(lex, "no courier call helpful", 1), -1);
    ck_assert_double_eq(senti(lex, "خدمة ممتازة", 1), 2);
    ck_assert_double_eq(senti(lex, "الخدمة لم تكن ممتازة", 1), -2);
    ck_assert_double_eq(senti(lex, "التوصيل ليس سيء", 1), 2);
    ck_assert_double_eq(senti(lex, "ما كان سيء", 1), 2);
    ck_assert_double_eq(senti(lex, "nothing here", 0), 0);
    double v;
    FAILS(cx_text_lexicon_add(lex, "two words", 1), CX_EINVAL, "cx_text_lexicon_add");
    FAILS(cx_text_lexicon_add(lex, "the", 1), CX_EINVAL, "cx_text_lexicon_add");
    FAILS(cx_text_lexicon_add(lex, "x", NAN), CX_ERANGE, "cx_text_lexicon_add");
    FAILS(cx_text_sentiment_of(&v, NULL, lex, "\xC3"), CX_EINVAL, "cx_text_sentiment_of");
    cx_result *t;
    OK(cx_text_lexicon_terms(&t, lex));
    ck_assert_uint_eq(cx_result_row_count(t), 5);
    ck_assert_str_eq(S(t, 2, "term"), "late");
    ck_assert_double_eq(R(t, 2, "polarity"), -1);
    cx_result_free(t);

    /* every indexed comment, as one text */
    cx_store *s = comment_store();
    const char *texts[] = {"late delivery, not good", "helpful and good", "خدمة ممتازة", "nothing to say"};
    for (int i = 0; i < 4; i++)
        fb(s, "c1", "nps", 3 * i, "2024-05-01", "home_delivery", texts[i]);
    cx_text_index *ix;
    OK(cx_text_index_new(&ix, s, CX_LANG_AUTO));
    cx_result *r;
    OK(cx_text_sentiment(&r, ix, lex));
    ck_assert_uint_eq(cx_result_row_count(r), 4);
    for (size_t i = 0; i < 4; i++) {
        int64_t hits;
        OK(cx_text_sentiment_of(&v, &hits, lex, texts[i]));
        ck_assert_double_eq(R(r, i, "sentiment"), v);
        ck_assert_int_eq(I(r, i, "hits"), hits);
        ck_assert_int_eq(I(r, i, "feedback"), (int64_t)i);
    }
    ck_assert_double_eq(R(r, 0, "sentiment"), -1.5);
    ck_assert_double_eq(R(r, 0, "mean"), -0.75);
    ck_assert_double_eq(R(r, 3, "mean"), 0);
    cx_result_free(r);
    cx_text_index_free(ix);
    cx_store_free(s);
    cx_text_lexicon_free(lex);
}
END_TEST

START_TEST(lexicon_file_and_learning)
{
    tmpdir_setup();
    cx_text_lexicon *lex = NULL;
    OK(cx_text_lexicon_load(&lex, write_file("lex.csv", "\xEF\xBB\xBFterm,polarity\n# comment\n\nhelpful,1.5\n"
                                                        "rude, -2\r\nممتازة,2\n")));
    double v;
    OK(cx_text_sentiment_of(&v, NULL, lex, "helpful but rude"));
    ck_assert_double_eq(v, -0.5);
    cx_text_lexicon_free(lex);
    lex = (cx_text_lexicon *)1;
    FAILS(cx_text_lexicon_load(&lex, write_file("bad1.csv", "good,1\nbad\n")), CX_EPARSE, "cx_text_lexicon_load");
    MSG_HAS("line 2");
    ck_assert_ptr_null(lex);
    FAILS(cx_text_lexicon_load(&lex, write_file("bad2.csv", "good,1\nbad,x1\n")), CX_EPARSE, "cx_text_lexicon_load");
    FAILS(cx_text_lexicon_load(&lex, write_file("bad3.csv", "good service,1\n")), CX_EINVAL, "cx_text_lexicon_load");
    MSG_HAS("line 1");
    FAILS(cx_text_lexicon_load(&lex, P("missing.csv")), CX_EIO, "cx_text_lexicon_load");
    tmpdir_teardown();

    /* learned from the scores: the detractors' words are negative */
    cx_store *s = comment_store();
    for (int i = 0; i < 60; i++) {
        bool det = i % 2 == 0;
        fb(s, "c1", "nps", det ? 1 : 10, "2024-03-01", "home_delivery",
           det ? "late delivery, rude courier" : "great service, helpful courier");
    }
    cx_text_index *ix;
    OK(cx_text_index_new(&ix, s, CX_LANG_AUTO));
    OK(cx_text_lexicon_learn(&lex, ix, CX_METRIC_NPS, 5, 1.0));
    cx_result *t;
    OK(cx_text_lexicon_terms(&t, lex));
    size_t late = find_row(t, "term", "late", NULL, NULL), great = find_row(t, "term", "great", NULL, NULL);
    ck_assert_uint_lt(late, cx_result_row_count(t));
    ck_assert_uint_lt(great, cx_result_row_count(t));
    ck_assert_double_lt(R(t, late, "polarity"), 0);
    ck_assert_double_gt(R(t, great, "polarity"), 0);
    ck_assert_uint_eq(find_row(t, "term", "courier", NULL, NULL), SIZE_MAX); /* both sides: no signal */
    OK(cx_text_sentiment_of(&v, NULL, lex, "late and rude"));
    ck_assert_double_lt(v, 0);
    cx_result_free(t);
    cx_text_lexicon_free(lex);
    FAILS(cx_text_lexicon_learn(&lex, ix, CX_METRIC_NPS, 5, -1), CX_ERANGE, "cx_text_lexicon_learn");
    cx_text_index_free(ix);
    cx_store_free(s);
}
END_TEST

/* ---- allocation failure ------------------------------------------------------ */

/* Runs `call` with the k-th allocation refused, k = 1, 2, ... until it
 * succeeds: each refusal must be CX_ENOMEM, hand out nothing and hold
 * exactly what was held before. */
#define SWEEP(a, out, call, free_out)                                                                              \
    do {                                                                                                           \
        for (size_t k_ = 1;; k_++) {                                                                               \
            size_t live_ = (a)->live, blocks_ = (a)->blocks;                                                       \
            cxt_alloc_fail_nth((a), k_, false);                                                                    \
            int rc_ = (call);                                                                                      \
            cxt_alloc_allow((a), -1);                                                                              \
            if (rc_ == CX_OK) {                                                                                    \
                ck_assert_uint_gt(k_, 1);                                                                          \
                free_out(out);                                                                                     \
                ck_assert_uint_eq((a)->live, live_);                                                               \
                break;                                                                                             \
            }                                                                                                      \
            EXPECT(rc_ == CX_ENOMEM, "%s: request %zu refused: %s", #call, k_, cx_last_error());                  \
            ck_assert_ptr_null(out);                                                                               \
            EXPECT((a)->live == live_ && (a)->blocks == blocks_, "%s: request %zu refused: %zu bytes left", #call, \
                   k_, (a)->live - live_);                                                                         \
        }                                                                                                          \
    } while (0)

START_TEST(allocation_failure)
{
    cxt_alloc a = {0};
    cx_store *s;
    OK(cx_store_new_with_allocator(&s, cxt_alloc_fn, &a));
    OK(cx_vocab_define(NULL, s, CX_VOCAB_CHANNEL, "delivery"));
    OK(cx_vocab_define(NULL, s, CX_VOCAB_CHANNEL, "phone"));
    OK(cx_touchpoint_add(s, "home_delivery", "delivery", "purchase", NULL, 1, 1));
    OK(cx_touchpoint_add(s, "call_centre", "phone", "service", NULL, 1, 1));
    OK(cx_customer_add(s, "c1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "c2", NULL, NULL, NULL, CX_TIME_NONE));
    fill(s, 0, 40);
    cx_text_index *ix = NULL;
    SWEEP(&a, ix, cx_text_index_new(&ix, s, CX_LANG_AUTO), cx_text_index_free);
    OK(cx_text_index_new(&ix, s, CX_LANG_AUTO));
    cx_result *r = NULL, *c1 = NULL, *c2 = NULL;
    SWEEP(&a, r, cx_text_terms(&r, ix, 1), cx_result_free);
    SWEEP(&a, r, cx_text_phrases(&r, ix, 1), cx_result_free);
    SWEEP(&a, r, cx_text_counts(&r, ix, CX_METRIC_NPS, CX_TEXT_GROUP_PERIOD, CX_BUCKET_MONTH, 0, NULL, NULL,
                                CX_TIME_NONE, CX_TIME_NONE),
          cx_result_free);
    OK(cx_text_counts(&c1, ix, CX_METRIC_NPS, CX_TEXT_GROUP_TOUCHPOINT, 0, 0, NULL, NULL, CX_TIME_NONE, CX_TIME_NONE));
    OK(cx_text_counts(&c2, ix, CX_METRIC_NPS, CX_TEXT_GROUP_CHANNEL, 0, 0, NULL, NULL, CX_TIME_NONE, CX_TIME_NONE));
    SWEEP(&a, r, cx_text_themes(&r, c1, 0, 1), cx_result_free);
    SWEEP(&a, r, cx_text_counts_merge(&r, c1, c2), cx_result_free);
    SWEEP(&a, r, cx_text_search(&r, ix, "late delivery", 0), cx_result_free);
    SWEEP(&a, r, cx_text_trend(&r, ix, "late", CX_BUCKET_MONTH, 0), cx_result_free);
    cx_text_lexicon *lex;
    OK(cx_text_lexicon_new(&lex));
    OK(cx_text_lexicon_add(lex, "late", -1));
    SWEEP(&a, r, cx_text_sentiment(&r, ix, lex), cx_result_free);
    cx_text_lexicon_free(lex);
    cx_result_free(c1);
    cx_result_free(c2);
    cx_text_index_free(ix);
    cx_store_free(s);
    cxt_alloc_done(&a);
}
END_TEST

/* ---- one index read by many threads ----------------------------------------- */

typedef struct reader {
    const cx_text_index *ix;
    char *counts, *search;
    int failed;
} reader;

static char *search_text(const cx_result *r)
{
    size_t n = cx_result_row_count(r), len = 0;
    char *out = malloc(32 * n + 1);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        int64_t v;
        cx_result_get_int(&v, r, i, 0);
        len += (size_t)sprintf(out + len, "%lld,", (long long)v);
    }
    return out;
}

static void *read_index(void *p)
{
    reader *rd = p;
    for (int k = 0; k < 5; k++) {
        cx_result *c = NULL, *th = NULL, *h = NULL;
        if (cx_text_counts(&c, rd->ix, CX_METRIC_NPS, CX_TEXT_GROUP_TOUCHPOINT, 0, 0, NULL, NULL, CX_TIME_NONE,
                           CX_TIME_NONE) ||
            cx_text_themes(&th, c, 0, 1) || cx_text_search(&h, rd->ix, "late delivery", 0)) {
            rd->failed = 1;
            return NULL;
        }
        free(rd->counts);
        free(rd->search);
        rd->counts = counts_text(c);
        rd->search = search_text(h);
        cx_result_free(c);
        cx_result_free(th);
        cx_result_free(h);
    }
    return NULL;
}

START_TEST(threads_share_an_index)
{
    cx_store *s = comment_store();
    fill(s, 0, 200);
    cx_text_index *ix;
    OK(cx_text_index_new(&ix, s, CX_LANG_AUTO));
    reader one = {ix, NULL, NULL, 0};
    read_index(&one);
    ck_assert_int_eq(one.failed, 0);
    reader rd[4];
    pthread_t th[4];
    for (int i = 0; i < 4; i++) {
        rd[i] = (reader){ix, NULL, NULL, 0};
        ck_assert_int_eq(pthread_create(&th[i], NULL, read_index, &rd[i]), 0);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(th[i], NULL);
        ck_assert_int_eq(rd[i].failed, 0);
        ck_assert_str_eq(rd[i].counts, one.counts);
        ck_assert_str_eq(rd[i].search, one.search);
        free(rd[i].counts);
        free(rd[i].search);
    }
    ck_assert_uint_gt(strlen(one.search), 3);
    free(one.counts);
    free(one.search);
    cx_text_index_free(ix);
    cx_store_free(s);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("text");
    TCase *norm = tcase_create("normalisation");
    tcase_add_test(norm, english_normalisation);
    tcase_add_test(norm, arabic_normalisation);
    tcase_add_test(norm, other_scripts_and_language);
    suite_add_tcase(su, norm);
    TCase *core = tcase_create("core");
    tcase_add_test(core, index_terms_and_phrases);
    tcase_add_test(core, log_odds_hand_computed);
    tcase_add_test(core, counts_merge_and_serialise);
    tcase_add_test(core, search_against_brute_force);
    tcase_add_test(core, themes_of_a_store);
    tcase_add_test(core, empty_store_and_refusals);
    tcase_add_test(core, sentiment_with_negation);
    tcase_add_test(core, lexicon_file_and_learning);
    suite_add_tcase(su, core);
    TCase *limits = tcase_create("limits");
    tcase_set_timeout(limits, 240);
    tcase_add_test(limits, allocation_failure);
    tcase_add_test(limits, threads_share_an_index);
    suite_add_tcase(su, limits);
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}

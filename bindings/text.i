/* text.i: voice of the customer (text.h): normalised tokens, the text
 * index of a store's comments, themes tied to scores, search and trends.
 *
 * A TextIndex keeps its store alive (the index reads it on every
 * analysis); every analysis returns a Result (metrics.i), with to_pandas().
 * Languages and groupings are given by name: "auto", "english", "arabic",
 * "other"; "none", "touchpoint", "channel", "stage", "agent", "question",
 * "language", "period". */

#ifdef SWIGPYTHON
%typemap(doctype) cxb_bytes "bytes";
#endif

%{
#include "cxkit/text.h"

typedef struct TextIndex { cx_text_index *h; cxb_ref *store; } TextIndex;
typedef struct TextLexicon { cx_text_lexicon *h; } TextLexicon;
CXB_GETTER(cxb_tindex, TextIndex, cx_text_index, o->h)
CXB_GETTER(cxb_lexicon, TextLexicon, cx_text_lexicon, o->h)
CXB_OWNER_WRAP(cxb_lexicon_wrap, TextLexicon, cx_text_lexicon, cx_text_lexicon_free)
CXB_STORE_CHILD(cxb_tindex_wrap, TextIndex, cx_text_index, cx_text_index_free)

static const char *const cxb_lang_names[] = {"auto", "english", "arabic", "other", NULL};
static const char *const cxb_tgroup_names[] = {"none", "touchpoint", "channel", "stage", "agent",
                                               "question", "language", "period", NULL};

/* The index of name in names (NULL: 0), else -1 with the error set. */
static int cxb_text_name(const char *name, const char *const *names, const char *what)
{
    if (!name)
        return 0;
    for (int i = 0; names[i]; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    cxb_fail(CX_EINVAL, "unknown %s '%s'", what, name);
    return -1;
}

static const char *cxb_text_language(const char *text)
{
    int l = 0;
    if (cxb_check(cx_text_language(&l, text)) < 0)
        return NULL;
    return cxb_lang_names[l];
}

static Result *cxb_text_tokens(const char *text, const char *lang)
{
    int l = cxb_text_name(lang, cxb_lang_names, "language");
    if (l < 0)
        return NULL;
    cx_result *r = NULL;
    return cxb_result_wrap(cx_text_tokens(&r, text, l), &r);
}

static Result *cxb_text_themes(const Result *counts, double prior, int64_t min_count)
{
    const cx_result *c = cxb_result(counts);
    if (!c)
        return NULL;
    cx_result *r = NULL;
    return cxb_result_wrap(cx_text_themes(&r, c, prior, min_count), &r);
}

static Result *cxb_text_counts_merge(const Result *a, const Result *b)
{
    const cx_result *x = cxb_result(a), *y = cxb_result(b);
    if (!x || !y)
        return NULL;
    cx_result *r = NULL;
    return cxb_result_wrap(cx_text_counts_merge(&r, x, y), &r);
}

static cxb_bytes cxb_text_counts_serialize(const Result *counts)
{
    cxb_bytes b = {NULL, 0};
    size_t n = 0;
    const cx_result *r = cxb_result(counts);
    if (!r)
        return b;
    int rc = cx_text_counts_serialize(&n, r, NULL, 0);
    if (rc != CX_EBUFSIZE && cxb_check(rc) < 0)
        return b;
    if (!(b.p = malloc(n ? n : 1))) {
        cxb_fail(CX_ENOMEM, "out of memory");
        return b;
    }
    if (cxb_check(cx_text_counts_serialize(&b.n, r, b.p, n)) < 0) {
        free(b.p);
        b.p = NULL;
        b.n = 0;
    }
    return b;
}

static Result *cxb_text_counts_deserialize(const char *BYTES, size_t LENGTH)
{
    cx_result *r = NULL;
    return cxb_result_wrap(cx_text_counts_deserialize(&r, BYTES, LENGTH), &r);
}

static Result *cxb_tindex_counts(const TextIndex *ix, int metric, const char *group, int bucket,
                                 int offset_minutes, const char *touchpoint, const char *channel, cx_time from,
                                 cx_time to)
{
    const cx_text_index *h = cxb_tindex(ix);
    int g = cxb_text_name(group, cxb_tgroup_names, "grouping");
    if (!h || g < 0)
        return NULL;
    cx_result *r = NULL;
    return cxb_result_wrap(
        cx_text_counts(&r, h, metric, g, bucket, offset_minutes, touchpoint, channel, from, to), &r);
}
%}

%rename(text_language) cxb_text_language;
/** @brief The language of a text by script.
 *  @param text UTF-8 text.
 *  @return "english", "arabic" or "other".
 *  @exception Invalid for text that is not UTF-8. */
const char *cxb_text_language(const char *text);

%rename(text_tokens) cxb_text_tokens;
%newobject cxb_text_tokens;
/** @brief Cut a text into normalised tokens, as the index does: columns
 *  "position", "token" (normalised), "term" (the Snowball stem; None for a
 *  stop word or number), "script", "language", "stop" (1 for a stop word
 *  or number), "break" (1 after punctuation).
 *  @param text UTF-8 text.
 *  @param lang "auto" (by script, the default), "english", "arabic" or
 *  "other" (no stemming, no stop words). */
Result *cxb_text_tokens(const char *text, const char *lang = "auto");

%rename(text_themes) cxb_text_themes;
%newobject cxb_text_themes;
/** @brief Themes from counts (TextIndex.counts(), merged or read back):
 *  the weighted log-odds ratio with an informative Dirichlet prior (Monroe,
 *  Colaresi and Quinn 2008) of each term and phrase between the "low" and
 *  the "high" answers, per group. Columns "group", "kind", "term", "label",
 *  "low_count", "high_count", "low_comments", "high_comments",
 *  "low_share", "high_share", "delta", "se", "z"; a positive z is a
 *  detractor (low) theme; sorted by group, then z from highest.
 *  @param counts the counts.
 *  @param prior the prior's total pseudo-count a0 (> 0), or 0 (the
 *  default) for the background counts themselves.
 *  @param min_count the fewest occurrences in low and high together. */
Result *cxb_text_themes(const Result *counts, double prior = 0, int64_t min_count = 5);

%rename(text_counts_merge) cxb_text_counts_merge;
%newobject cxb_text_counts_merge;
/** @brief Add two counts (shards): rows with the same group, class, kind
 *  and term are summed.
 *  @param a counts.
 *  @param b counts. */
Result *cxb_text_counts_merge(const Result *a, const Result *b);

%rename(text_counts_serialize) cxb_text_counts_serialize;
/** @brief Counts as portable bytes (for shards, Dask, files).
 *  @param counts counts of TextIndex.counts() or a merge.
 *  @return the bytes. */
cxb_bytes cxb_text_counts_serialize(const Result *counts);

%rename(text_counts_deserialize) cxb_text_counts_deserialize;
%newobject cxb_text_counts_deserialize;
/** @brief Counts read back from text_counts_serialize()'s bytes.
 *  @exception Parse for corrupt bytes; Version for a newer format. */
Result *cxb_text_counts_deserialize(const char *BYTES, size_t LENGTH);

/** The inverted index of a store's comments (feedback comments), built
 *  once: terms, phrases, counts by score class for themes, search and
 *  trends. It keeps its store alive; the store must not change while the
 *  index is used. */
typedef struct TextIndex {} TextIndex;

%newobject TextIndex::terms;
%newobject TextIndex::phrases;
%newobject TextIndex::counts;
%newobject TextIndex::themes;
%newobject TextIndex::search;
%newobject TextIndex::trend;
%newobject TextIndex::sentiment;
%extend TextIndex {
    /** @brief Index the comments of a store.
     *  @param store the store (kept alive).
     *  @param lang "auto" (each comment's language by script, the
     *  default), "english", "arabic" or "other". */
    TextIndex(const Store *store, const char *lang = "auto") {
        cx_text_index *h = NULL;
        cx_store *s = cxb_store(store);
        int l = cxb_text_name(lang, cxb_lang_names, "language");
        if (!s || l < 0)
            return NULL;
        return cxb_tindex_wrap(cx_text_index_new(&h, s, l), &h, store);
    }
    ~TextIndex() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_text_index_free($self->h);
        cxb_ref_drop($self->store);
        free($self);
    }
    /** @brief Free the index now (methods then raise). */
    void close() {
        cx_text_index_free($self->h);
        $self->h = NULL;
        cxb_ref_drop($self->store);
        $self->store = NULL;
    }
    /** @brief Number of comments indexed. */
    size_t comment_count() {
        size_t n = 0;
        cxb_check(cx_text_index_stats(&n, NULL, NULL, cxb_tindex($self)));
        return n;
    }
    /** @brief Number of distinct terms. */
    size_t term_count() {
        size_t n = 0;
        cxb_check(cx_text_index_stats(NULL, &n, NULL, cxb_tindex($self)));
        return n;
    }
    /** @brief Number of term occurrences. */
    size_t token_count() {
        size_t n = 0;
        cxb_check(cx_text_index_stats(NULL, NULL, &n, cxb_tindex($self)));
        return n;
    }
    /** @brief Bytes the index holds. */
    size_t byte_count() {
        size_t n = 0;
        cxb_check(cx_text_index_memory(&n, cxb_tindex($self)));
        return n;
    }
    /** @brief The terms, most frequent first: "term", "label", "tokens",
     *  "comments".
     *  @param min_count the fewest occurrences (>= 1). */
    Result *terms(int64_t min_count = 1) {
        cx_result *r = NULL;
        return cxb_result_wrap(cx_text_terms(&r, cxb_tindex($self), min_count), &r);
    }
    /** @brief Phrases (adjacent term pairs above chance): "phrase",
     *  "label", "tokens", "comments", "pmi", "llr"; highest llr first.
     *  @param min_count the fewest occurrences (>= 1). */
    Result *phrases(int64_t min_count = 2) {
        cx_result *r = NULL;
        return cxb_result_wrap(cx_text_phrases(&r, cxb_tindex($self), min_count), &r);
    }
    /** @brief Term and phrase counts by score class ("low", "mid", "high")
     *  and group: the mergeable state of themes (text_themes(),
     *  text_counts_merge(), text_counts_serialize()).
     *  @param metric "nps" (the default), "csat", "ces" or "custom".
     *  @param group "none", "touchpoint", "channel", "stage", "agent",
     *  "question", "language" or "period".
     *  @param bucket the period of group "period" ("month" by default).
     *  @param offset_minutes the UTC offset periods are cut in.
     *  @param touchpoint only answers rating this touchpoint (None: all).
     *  @param channel only answers rating a touchpoint of this channel.
     *  @param start only answers at or after this time (None: no bound).
     *  @param end only answers before this time. */
    Result *counts(cxb_metric metric = CX_METRIC_NPS, const char *group = "none",
                   cxb_bucket bucket = CX_BUCKET_MONTH, int offset_minutes = 0, const char *touchpoint = NULL,
                   const char *channel = NULL, cx_time start = CX_TIME_NONE, cx_time end = CX_TIME_NONE) {
        return cxb_tindex_counts($self, metric, group, bucket, offset_minutes, touchpoint, channel, start, end);
    }
    /** @brief Themes in one call: counts(...) then text_themes(). */
    Result *themes(cxb_metric metric = CX_METRIC_NPS, const char *group = "none", double prior = 0,
                   int64_t min_count = 5, const char *touchpoint = NULL, const char *channel = NULL,
                   cx_time start = CX_TIME_NONE, cx_time end = CX_TIME_NONE, cxb_bucket bucket = CX_BUCKET_MONTH,
                   int offset_minutes = 0) {
        const cx_text_index *h = cxb_tindex($self);
        int g = cxb_text_name(group, cxb_tgroup_names, "grouping");
        if (!h || g < 0)
            return NULL;
        cx_result *c = NULL, *r = NULL;
        int rc = cx_text_counts(&c, h, metric, g, bucket, offset_minutes, touchpoint, channel, start, end);
        if (rc == CX_OK) {
            rc = cx_text_themes(&r, c, prior, min_count);
            cx_result_free(c);
        }
        return cxb_result_wrap(rc, &r);
    }
    /** @brief The comments holding a term or phrase: "feedback" (row),
     *  "id", "customer", "question", "touchpoint", "score", "time",
     *  "language", "comment".
     *  @param query words, normalised and stemmed as the comments.
     *  @param limit at most this many rows (0: all). */
    Result *search(const char *query, int64_t limit = 0) {
        cx_result *r = NULL;
        return cxb_result_wrap(cx_text_search(&r, cxb_tindex($self), query, limit), &r);
    }
    /** @brief The share of comments holding a term or phrase per period:
     *  "period", "start", "comments", "matches", "share". */
    Result *trend(const char *query, cxb_bucket bucket = CX_BUCKET_MONTH, int offset_minutes = 0) {
        cx_result *r = NULL;
        return cxb_result_wrap(cx_text_trend(&r, cxb_tindex($self), query, bucket, offset_minutes), &r);
    }
    /** @brief The sentiment of every comment from a lexicon: "feedback",
     *  "id", "customer", "question", "touchpoint", "score", "time",
     *  "language", "sentiment" (the sum of polarities, negations flipping
     *  the next three terms), "hits", "mean". */
    Result *sentiment(const TextLexicon *lexicon) {
        cx_result *r = NULL;
        const cx_text_lexicon *l = cxb_lexicon(lexicon);
        if (!l)
            return NULL;
        return cxb_result_wrap(cx_text_sentiment(&r, cxb_tindex($self), l), &r);
    }
}

/** Term polarities for sentiment: loaded from a file of term,polarity
 *  lines, added one by one, or learned from the scores (learn()). Owns
 *  its data. */
typedef struct TextLexicon {} TextLexicon;

%newobject TextLexicon::load;
%newobject TextLexicon::learn;
%newobject TextLexicon::terms;
%extend TextLexicon {
    /** @brief An empty lexicon. */
    TextLexicon() {
        cx_text_lexicon *h = NULL;
        return cxb_lexicon_wrap(cx_text_lexicon_new(&h), &h);
    }
    ~TextLexicon() {
        if (!$self)
            return; /* freed already (cxb_freed) */
        cx_text_lexicon_free($self->h);
        free($self);
    }
    /** @brief Free the lexicon now (methods then raise). */
    void close() {
        cx_text_lexicon_free($self->h);
        $self->h = NULL;
    }
    /** @brief Load term,polarity lines from a UTF-8 file.
     *  @exception Parse for a line without a finite polarity; Invalid for a
     *  term that is not one word; IO. */
    static TextLexicon *load(const char *path) {
        cx_text_lexicon *h = NULL;
        return cxb_lexicon_wrap(cx_text_lexicon_load(&h, path), &h);
    }
    /** @brief Learn polarities from the scores: each term's log-odds ratio
     *  between the high and the low answers of a metric, kept when the absolute
     *  z-score is at least min_z.
     *  @param index the text index.
     *  @param metric "nps" (the default), "csat", "ces" or "custom".
     *  @param min_count the fewest occurrences in low and high.
     *  @param min_z the smallest absolute z-score kept. */
    static TextLexicon *learn(const TextIndex *index, cxb_metric metric = CX_METRIC_NPS, int64_t min_count = 5,
                              double min_z = 1.96) {
        cx_text_lexicon *h = NULL;
        const cx_text_index *ix = cxb_tindex(index);
        if (!ix)
            return NULL;
        return cxb_lexicon_wrap(cx_text_lexicon_learn(&h, ix, metric, min_count, min_z), &h);
    }
    /** @brief Set a term's polarity (one word, stemmed as comments are). */
    void add(const char *term, double polarity) {
        cxb_check(cx_text_lexicon_add(cxb_lexicon($self), term, polarity));
    }
    /** @brief The entries: "term" (stem), "polarity". */
    Result *terms() {
        cx_result *r = NULL;
        return cxb_result_wrap(cx_text_lexicon_terms(&r, cxb_lexicon($self)), &r);
    }
    /** @brief The sentiment of one text: the sum of its terms' polarities,
     *  negations flipping the next three terms. */
    double score(const char *text) {
        double v = 0;
        cxb_check(cx_text_sentiment_of(&v, NULL, cxb_lexicon($self), text));
        return v;
    }
    /** @brief How many lexicon terms a text holds. */
    int64_t hits(const char *text) {
        double v = 0;
        int64_t n = 0;
        cxb_check(cx_text_sentiment_of(&v, &n, cxb_lexicon($self), text));
        return n;
    }
}

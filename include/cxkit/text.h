/**
 * @file text.h
 * @brief Voice of the customer: the comments of survey answers, in Arabic
 *        and English, normalised, indexed, tied to their scores and searched.
 */
#ifndef CXKIT_TEXT_H
#define CXKIT_TEXT_H

#include "cxkit/common.h"
#include "cxkit/result.h"
#include "cxkit/store.h"
#include "cxkit/time.h"

#ifdef __cplusplus
extern "C" {
#endif

/** @defgroup text Text: what customers write
 *
 * **Normalisation.** A comment is cut into tokens at spaces, punctuation
 * (ASCII, Latin-1, general and Arabic punctuation, emoji) and at a change
 * between the Latin and the Arabic script. Each token is normalised:
 * - Latin letters are case-folded (ASCII, Latin-1 and Latin Extended-A); an
 *   apostrophe (' or U+2019) between Latin letters stays in the token
 *   ("don't");
 * - Arabic: the harakat and Quranic marks (U+064B-U+065F, U+0670,
 *   U+06D6-U+06ED) and the tatweel (U+0640) are removed; the alef forms
 *   أ إ آ ٱ become ا; alef maqsura ى and Farsi yeh ی become ي; taa marbuta ة
 *   becomes ه (the choice most Arabic search engines make: customers type
 *   both); keheh ک becomes ك;
 * - Arabic-Indic (٠-٩) and Eastern Arabic-Indic (۰-۹) digits become 0-9;
 * - zero-width and bidirectional marks are removed;
 * - any other script is passed through byte for byte.
 * A token is cut at 255 bytes (on a character boundary).
 *
 * **Terms.** A normalised token that is a stop word (CXKit's own short
 * lists for English and Arabic, see src/text/stopwords.c) or only digits is
 * not a term, and breaks phrases. Other tokens are stemmed with the Snowball
 * stemmer of their script (libstemmer: English for Latin letters, Arabic for
 * Arabic letters); the stem is the term. Negations (not, no, never, n't,
 * لا لم لن ليس غير ما) are terms, so that "not helpful" is a phrase.
 *
 * **Language.** Each comment gets a language: the caller's, or by script
 * (::CX_LANG_AUTO): Arabic when it has more Arabic letters than Latin ones,
 * English when it has Latin letters, else ::CX_LANG_OTHER. A comment of
 * ::CX_LANG_OTHER (detected or set) is neither stemmed nor stop-worded.
 *
 * **Invalid UTF-8** is an error (::CX_EINVAL) naming the text; the store
 * refuses such comments, so an index never meets one.
 *
 * **Memory.** An index and every result come from the store's allocator,
 * except the Snowball stemmers (two per index, and two per
 * cx_text_tokens() call), which libstemmer allocates with malloc.
 *
 * **Threads.** An index is read-only once built: many threads may run
 * analyses on one index at once. It borrows its store: the store must
 * outlive it and must not change while it is used.
 * @{
 */

/** Languages of comments. Values are stable. */
typedef enum cx_lang {
    CX_LANG_AUTO = 0,    /**< Detect per comment, by script. */
    CX_LANG_ENGLISH = 1, /**< English. */
    CX_LANG_ARABIC = 2,  /**< Arabic. */
    CX_LANG_OTHER = 3    /**< Anything else: no stemming, no stop words. */
} cx_lang;

/** How cx_text_counts() groups comments. Values are stable. */
typedef enum cx_text_group {
    CX_TEXT_GROUP_NONE = 0,       /**< One group, "all". */
    CX_TEXT_GROUP_TOUCHPOINT = 1, /**< The touchpoint the answer rates. */
    CX_TEXT_GROUP_CHANNEL = 2,    /**< Its channel. */
    CX_TEXT_GROUP_STAGE = 3,      /**< Its journey stage. */
    CX_TEXT_GROUP_AGENT = 4,      /**< The agent of the rated interaction. */
    CX_TEXT_GROUP_QUESTION = 5,   /**< The question. */
    CX_TEXT_GROUP_LANGUAGE = 6,   /**< The comment's language. */
    CX_TEXT_GROUP_PERIOD = 7      /**< A time bucket (::cx_bucket) of the answer. */
} cx_text_group;

/** Opaque inverted index of the comments of a store. */
typedef struct cx_text_index cx_text_index;

/**
 * @brief The language of a text, by script (see the group's description).
 * @param[out] out  ::CX_LANG_ENGLISH, ::CX_LANG_ARABIC or ::CX_LANG_OTHER.
 * @param[in]  text UTF-8 text.
 * @return ::CX_OK or ::CX_EINVAL (NULL, or not UTF-8).
 */
CX_EXTERN int cx_text_language(int *out, const char *text);

/**
 * @brief Cut a text into normalised tokens, as the index does.
 * The result has one row per token: `position` (int, from 0), `token`
 * (the normalised form), `term` (its stem; missing for a stop word or a
 * number), `script` ("latin", "arabic", "digits" or "other"), `language` (of the
 * whole text), `stop` (int, 1 for a stop word or a number) and `break`
 * (int, 1 when punctuation comes between it and the token before: phrases
 * do not span it).
 * @param[out] out  the tokens, to free with cx_result_free(); it uses malloc.
 * @param[in]  text UTF-8 text.
 * @param[in]  lang a ::cx_lang.
 * @return ::CX_OK, ::CX_EINVAL (NULL text, bad language, not UTF-8) or
 *         ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_tokens(cx_result **out, const char *text, int lang);

/**
 * @brief Index the comments of every survey answer of a store, once.
 * Terms are interned and the comments kept as arrays of term ids, with
 * postings (the comments of each term) for search.
 * @param[out] out   the index, to free with cx_text_index_free(); it
 *                   borrows `store`.
 * @param[in]  store the store.
 * @param[in]  lang  a ::cx_lang: ::CX_LANG_AUTO detects each comment's.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOMEM or ::CX_ELIMIT (more than
 *         2^32 - 2 terms, phrases or tokens per term).
 */
CX_EXTERN int cx_text_index_new(cx_text_index **out, const cx_store *store, int lang);

/**
 * @brief Free an index.
 * @param[in] index the index, or NULL (nothing is done).
 */
CX_EXTERN void cx_text_index_free(cx_text_index *index);

/**
 * @brief Sizes of an index.
 * @param[out] comments   comments indexed (answers with a non-empty comment); may be NULL.
 * @param[out] terms      distinct terms; may be NULL.
 * @param[out] tokens     term occurrences; may be NULL.
 * @param[in]  index      the index.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_text_index_stats(size_t *comments, size_t *terms, size_t *tokens, const cx_text_index *index);

/**
 * @brief Bytes an index holds (from the store's allocator).
 * @param[out] out   the bytes.
 * @param[in]  index the index.
 * @return ::CX_OK or ::CX_EINVAL.
 */
CX_EXTERN int cx_text_index_memory(size_t *out, const cx_text_index *index);

/**
 * @brief The terms of an index, most frequent first.
 * Columns: `term` (the stem), `label` (its smallest normalised form, in
 * byte order: the same whatever the order of the comments),
 * `tokens` (occurrences), `comments` (comments containing it).
 * @param[out] out       the terms, to free with cx_result_free().
 * @param[in]  index     the index.
 * @param[in]  min_count the fewest occurrences listed (>= 1).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE (min_count < 1) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_terms(cx_result **out, const cx_text_index *index, int64_t min_count);

/**
 * @brief Phrases: pairs of adjacent terms (no stop word, number or
 *        punctuation between them) that occur together more than chance.
 * Columns: `phrase` ("stem1 stem2"), `label` (the labels of its terms),
 * `tokens`, `comments`, `pmi` (pointwise mutual information, log2 of
 * P(a b) / (P(a) P(b)), probabilities over term occurrences and adjacent
 * pairs) and `llr` (Dunning's log-likelihood ratio G^2 of the 2x2 table of
 * first term / second term over all adjacent pairs). Only pairs with at
 * least `min_count` occurrences and a positive PMI are listed, highest
 * `llr` first.
 * @param[out] out       the phrases, to free with cx_result_free().
 * @param[in]  index     the index.
 * @param[in]  min_count the fewest occurrences (>= 1).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_phrases(cx_result **out, const cx_text_index *index, int64_t min_count);

/**
 * @brief Term and phrase counts by score class and group: the mergeable
 *        state of themes (cx_text_counts_merge(), cx_text_themes()).
 *
 * An answer's class comes from its question's metric and scale (oriented,
 * so that high is good): NPS detractors (0-6) are "low", passives "mid",
 * promoters (9-10) "high"; CSAT "high" in the top two boxes, "low" in the
 * bottom two, else "mid"; CES and custom questions "high" above the middle
 * of the scale (easy), "low" below it (effortful), "mid" at it.
 *
 * Columns: `group` (text), `class` ("low", "mid", "high"), `kind` ("term",
 * "phrase" or "total"), `term` (the stem, "stem1 stem2" for a phrase;
 * missing for the total), `label`, `tokens` (occurrences; for the total:
 * the term occurrences of the class), `comments` (comments containing it;
 * for the total: the comments of the class).
 * @param[out] out        the counts, to free with cx_result_free().
 * @param[in]  index      the index.
 * @param[in]  metric     a ::cx_metric: only answers to questions of it.
 * @param[in]  group      a ::cx_text_group.
 * @param[in]  bucket     the ::cx_bucket for ::CX_TEXT_GROUP_PERIOD (else ignored).
 * @param[in]  offset_minutes the UTC offset periods are cut in.
 * @param[in]  touchpoint only answers rating this touchpoint, or NULL.
 * @param[in]  channel    only answers rating a touchpoint of this channel, or NULL.
 * @param[in]  from       only answers at or after this time, or ::CX_TIME_NONE.
 * @param[in]  to         only answers before this time, or ::CX_TIME_NONE.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ENOTFOUND (an unknown touchpoint or
 *         channel), ::CX_ERANGE (a bad offset), ::CX_EORDER (to before
 *         from), ::CX_ELIMIT or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_counts(cx_result **out, const cx_text_index *index, int metric, int group, int bucket,
                             int offset_minutes, const char *touchpoint, const char *channel, cx_time from,
                             cx_time to);

/**
 * @brief Add two counts (of shards, periods, stores): rows with the same
 *        group, class, kind and term are summed, and keep the smaller
 *        label (so a term's label is the one an index of all the comments
 *        gives; a phrase's, the smaller of the shards' labels).
 * @param[out] out the sum, to free with cx_result_free(); from `a`'s allocator.
 * @param[in]  a   counts made by cx_text_counts() (or this call, or
 *                 cx_text_counts_deserialize()).
 * @param[in]  b   the same.
 * @return ::CX_OK, ::CX_EINVAL (not counts), ::CX_ERANGE (a sum beyond
 *         2^63 - 1) or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_counts_merge(cx_result **out, const cx_result *a, const cx_result *b);

/**
 * @brief Write counts as portable bytes (little-endian, versioned).
 * Call once with `buf` NULL (or too small) to learn the size: the call
 * then returns ::CX_EBUFSIZE with `*out_len` set.
 * @param[out] out_len the bytes written (or needed).
 * @param[in]  counts  counts.
 * @param[out] buf     where to write, or NULL.
 * @param[in]  cap     its size.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_EBUFSIZE.
 */
CX_EXTERN int cx_text_counts_serialize(size_t *out_len, const cx_result *counts, void *buf, size_t cap);

/**
 * @brief Read counts back from cx_text_counts_serialize()'s bytes.
 * @param[out] out  the counts, to free with cx_result_free(); it uses malloc.
 * @param[in]  data the bytes.
 * @param[in]  len  their number.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_EPARSE (corrupt or truncated),
 *         ::CX_EVERSION or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_counts_deserialize(cx_result **out, const void *data, size_t len);

/**
 * @brief Themes: the terms and phrases that "low" answers (detractors, low
 *        CSAT, effortful CES) use more than "high" ones, and the reverse.
 *
 * The weighted log-odds ratio with an informative Dirichlet prior (Monroe,
 * Colaresi and Quinn 2008, eq. 16-22), per group and kind, for term w with
 * counts y_l, y_h in classes of n_l, n_h term occurrences and prior
 * a_w = a0 * f_w (f_w the share of w in the background: every class of
 * every group of `counts`):
 * delta = log((y_l + a_w) / (n_l + a0 - y_l - a_w))
 *       - log((y_h + a_w) / (n_h + a0 - y_h - a_w)),
 * var = 1 / (y_l + a_w) + 1 / (y_h + a_w), z = delta / sqrt(var).
 * A positive z is a "low" theme. Phrases use the same n_l, n_h and a0.
 *
 * Columns: `group`, `kind`, `term`, `label`, `low_count`, `high_count`,
 * `low_comments`, `high_comments`, `low_share` and `high_share` (the share
 * of the class's comments containing it), `delta`, `se`, `z`; sorted by
 * group, then z from highest.
 * @param[out] out       the themes, to free with cx_result_free().
 * @param[in]  counts    counts from cx_text_counts() or a merge.
 * @param[in]  prior     a0 > 0, the prior's total pseudo-count; 0 takes the
 *                       background's own total (a_w = its count of w).
 * @param[in]  min_count the fewest occurrences in low and high together (>= 1).
 * @return ::CX_OK, ::CX_EINVAL (not counts), ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_themes(cx_result **out, const cx_result *counts, double prior, int64_t min_count);

/**
 * @brief The comments containing a term or a phrase, through the index.
 * The query is normalised and stemmed as comments are; its stop words
 * and numbers are dropped; a comment matches when it holds the query's
 * terms consecutively (stop words and numbers of the comment are not
 * skipped over). Columns: `feedback` (int, the answer's row), `id`,
 * `customer`, `question`, `touchpoint`, `score` (real), `time`,
 * `language`, `comment`; in row order.
 * @param[out] out   the matches, to free with cx_result_free().
 * @param[in]  index the index.
 * @param[in]  query UTF-8 text with at least one term.
 * @param[in]  limit at most this many rows (0: all).
 * @return ::CX_OK, ::CX_EINVAL (no term in the query, not UTF-8), ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_search(cx_result **out, const cx_text_index *index, const char *query, int64_t limit);

/**
 * @brief The share of comments containing a term or phrase, per period.
 * Columns: `period` (label), `start` (time), `comments`, `matches`,
 * `share` (matches / comments); periods with comments only, in order.
 * @param[out] out    the trend, to free with cx_result_free().
 * @param[in]  index  the index.
 * @param[in]  query  as for cx_text_search().
 * @param[in]  bucket a ::cx_bucket.
 * @param[in]  offset_minutes the UTC offset periods are cut in.
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_trend(cx_result **out, const cx_text_index *index, const char *query, int bucket,
                            int offset_minutes);

/** Opaque lexicon of term polarities, for sentiment. */
typedef struct cx_text_lexicon cx_text_lexicon;

/**
 * @brief An empty lexicon (it uses malloc).
 * @param[out] out the lexicon, to free with cx_text_lexicon_free().
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_lexicon_new(cx_text_lexicon **out);

/**
 * @brief Free a lexicon.
 * @param[in] lexicon the lexicon, or NULL (nothing is done).
 */
CX_EXTERN void cx_text_lexicon_free(cx_text_lexicon *lexicon);

/**
 * @brief Set the polarity of a term (replacing an earlier one).
 * @param[in] lexicon  the lexicon.
 * @param[in] term     one word (normalised and stemmed as comments are;
 *                     "deliveries" and "delivery" are one term).
 * @param[in] polarity finite: > 0 positive, < 0 negative.
 * @return ::CX_OK, ::CX_EINVAL (not exactly one term, not UTF-8),
 *         ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_lexicon_add(cx_text_lexicon *lexicon, const char *term, double polarity);

/**
 * @brief Load a lexicon from a UTF-8 text file of `term,polarity` lines
 *        (the last comma separates them; blank lines, lines starting with
 *        `#` and a first line starting with `term,` are skipped).
 * @param[out] out  the lexicon, to free with cx_text_lexicon_free().
 * @param[in]  path the file.
 * @return ::CX_OK, ::CX_EINVAL (a term that is not one word, named by its
 *         line), ::CX_EPARSE (a line without a finite polarity), ::CX_EIO
 *         or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_lexicon_load(cx_text_lexicon **out, const char *path);

/**
 * @brief Learn term polarities from the scores of the caller's own data:
 *        the weighted log-odds of cx_text_themes() between the high and
 *        the low answers of a metric over all comments; a term's polarity
 *        is its log-odds ratio (high over low), kept when |z| >= min_z.
 * @param[out] out       the lexicon, to free with cx_text_lexicon_free().
 * @param[in]  index     the index.
 * @param[in]  metric    a ::cx_metric.
 * @param[in]  min_count the fewest occurrences in low and high (>= 1).
 * @param[in]  min_z     the smallest |z| kept (>= 0; 1.96 for 5 %).
 * @return ::CX_OK, ::CX_EINVAL, ::CX_ERANGE or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_lexicon_learn(cx_text_lexicon **out, const cx_text_index *index, int metric,
                                    int64_t min_count, double min_z);

/**
 * @brief The entries of a lexicon: columns `term` (the stem) and `polarity`.
 * @param[out] out     the entries, to free with cx_result_free().
 * @param[in]  lexicon the lexicon.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_lexicon_terms(cx_result **out, const cx_text_lexicon *lexicon);

/**
 * @brief The sentiment of one text: the sum of the polarities of its
 *        lexicon terms, a negation (not, no, never, cannot, nothing,
 *        nobody, n't; لا لم لن ليس غير ما, also after و) flipping the
 *        next three terms up to the next punctuation.
 * @param[out] out     the sum.
 * @param[out] hits    how many lexicon terms it holds; may be NULL.
 * @param[in]  lexicon the lexicon.
 * @param[in]  text    UTF-8 text.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_sentiment_of(double *out, int64_t *hits, const cx_text_lexicon *lexicon, const char *text);

/**
 * @brief The sentiment of every indexed comment, as cx_text_sentiment_of().
 * Columns: `feedback` (row), `id`, `customer`, `question`, `touchpoint`,
 * `score`, `time`, `language`, `sentiment` (the sum), `hits`, `mean`
 * (sentiment / hits, 0 without hits); in row order.
 * @param[out] out     the scores, to free with cx_result_free().
 * @param[in]  index   the index.
 * @param[in]  lexicon the lexicon.
 * @return ::CX_OK, ::CX_EINVAL or ::CX_ENOMEM.
 */
CX_EXTERN int cx_text_sentiment(cx_result **out, const cx_text_index *index, const cx_text_lexicon *lexicon);

/** @} */

#ifdef __cplusplus
}
#endif

#endif

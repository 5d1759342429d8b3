/*
 * Sentiment from a lexicon of term polarities: loaded from a file the
 * caller writes (term,polarity), added one by one, or learned from the
 * scores of the caller's own data (the log-odds of cx_text_themes()).
 * A negation (not, no, never, cannot, n't; لا لم لن ليس غير ما, also with
 * a leading و) flips the polarity of the next three terms, up to the next
 * punctuation.
 */
#include "text_private.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

#define NEGATION_SCOPE 3

struct cx_text_lexicon {
    cxi_mem mem;
    cxi_pool terms; /* stems */
    double *pol;
    size_t cap;
};

static bool is_negation(const cxi_token *t)
{
    static const char *const neg[] = {"not", "no", "never", "cannot", "nothing", "nobody", "لا", "لم", "لن",
                                      "ليس", "غير", "ما", "ولا", "ولم", "ولن", "وليس", "وما"};
    if (t->len >= 3 && memcmp(t->s + t->len - 3, "n't", 3) == 0)
        return true;
    for (size_t i = 0; i < sizeof neg / sizeof *neg; i++)
        if (strlen(neg[i]) == t->len && memcmp(neg[i], t->s, t->len) == 0)
            return true;
    return false;
}

int cx_text_lexicon_new(cx_text_lexicon **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_text_lexicon_new: out is NULL");
    *out = CXI_NEW(cx_text_lexicon, NULL, NULL);
    if (!*out)
        return cxi_fail(CX_ENOMEM, "cx_text_lexicon_new: out of memory");
    cxi_pool_init(&(*out)->terms);
    return CX_OK;
}

void cx_text_lexicon_free(cx_text_lexicon *lex)
{
    if (!lex)
        return;
    cxi_pool_free(&lex->mem, &lex->terms);
    if (lex->pol)
        cxi_free(&lex->mem, lex->pol, lex->cap * sizeof *lex->pol);
    cxi_mem m = lex->mem;
    cxi_free(&m, lex, sizeof *lex);
}

/* Sets the polarity of a stem (replacing an earlier one). */
static int lex_put(cx_text_lexicon *lex, const char *stem, size_t n, double p)
{
    uint32_t id = cxi_pool_find(&lex->terms, stem, n);
    if (id == CXI_NONE) {
        if (cxi_grow(&lex->mem, &lex->pol, &lex->cap, (size_t)lex->terms.count + 1, sizeof *lex->pol) ||
            cxi_pool_reserve(&lex->mem, &lex->terms, 1, n + 1))
            return CX_ENOMEM;
        id = cxi_pool_add(&lex->terms, stem, n);
    }
    lex->pol[id] = p;
    return CX_OK;
}

typedef struct first_ctx {
    cxi_stemmers *st;
    char stem[CXI_TOKEN_MAX + 1];
    size_t n;
    int terms;
} first_ctx;

static int first_term(void *p, const cxi_token *tok)
{
    first_ctx *c = p;
    if (!cxi_is_term(tok, CX_LANG_ENGLISH)) /* the language only decides OTHER; both stemmers apply by script */
        return 0;
    if (c->terms++)
        return 0;
    const char *s;
    size_t n;
    if (cxi_stem(c->st, tok, CX_LANG_ENGLISH, &s, &n))
        return CX_ENOMEM;
    if (n > CXI_TOKEN_MAX)
        n = CXI_TOKEN_MAX;
    memcpy(c->stem, s, n);
    c->n = n;
    return 0;
}

/* The one term of a lexicon entry; CX_EINVAL for none or several. */
static int entry_term(first_ctx *c, const char *fn, const char *term, size_t len, size_t line)
{
    c->n = 0;
    c->terms = 0;
    if (!cxi_utf8_valid(term, len))
        return cxi_fail(CX_EINVAL, "%s: line %zu: the term is not valid UTF-8", fn, line);
    if (cxi_text_scan(term, len, first_term, c))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    if (c->terms != 1)
        return cxi_fail(CX_EINVAL, "%s: line %zu: '%.*s' must be exactly one term (not a stop word or number)", fn,
                        line, (int)(len > 64 ? 64 : len), term);
    return CX_OK;
}

int cx_text_lexicon_add(cx_text_lexicon *lex, const char *term, double polarity)
{
    const char *fn = "cx_text_lexicon_add";
    if (!lex)
        return cxi_fail(CX_EINVAL, "%s: lexicon is NULL", fn);
    if (!term)
        return cxi_fail(CX_EINVAL, "%s: term is NULL", fn);
    if (!isfinite(polarity))
        return cxi_fail(CX_ERANGE, "%s: the polarity must be finite", fn);
    cxi_stemmers st = {NULL, NULL};
    int rc = cxi_stemmers_open(&st, fn);
    if (rc)
        return rc;
    first_ctx c = {&st, {0}, 0, 0};
    rc = entry_term(&c, fn, term, strlen(term), 1);
    if (!rc && lex_put(lex, c.stem, c.n, polarity))
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    cxi_stemmers_close(&st);
    return rc;
}

int cx_text_lexicon_load(cx_text_lexicon **out, const char *path)
{
    const char *fn = "cx_text_lexicon_load";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!path)
        return cxi_fail(CX_EINVAL, "%s: path is NULL", fn);
    FILE *f = fopen(path, "rb");
    if (!f)
        return cxi_fail(CX_EIO, "%s: cannot open '%s': %s", fn, path, strerror(errno));
    cx_text_lexicon *lex;
    int rc = cx_text_lexicon_new(&lex);
    cxi_stemmers st = {NULL, NULL};
    if (!rc)
        rc = cxi_stemmers_open(&st, fn);
    char line[1024];
    size_t no = 0;
    first_ctx c = {&st, {0}, 0, 0};
    while (!rc && fgets(line, sizeof line, f)) {
        no++;
        size_t len = strlen(line);
        if (len == sizeof line - 1 && line[len - 1] != '\n') {
            rc = cxi_fail(CX_EPARSE, "%s: line %zu is longer than %zu bytes", fn, no, sizeof line - 2);
            break;
        }
        while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            line[--len] = '\0';
        const char *p = line;
        if (no == 1 && len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
            p += 3; /* a byte order mark */
        while (*p == ' ' || *p == '\t')
            p++;
        if (!*p || *p == '#')
            continue;
        if (no == 1 && strncmp(p, "term,", 5) == 0)
            continue; /* a header */
        const char *comma = strrchr(p, ',');
        if (!comma) {
            rc = cxi_fail(CX_EPARSE, "%s: line %zu: expected term,polarity", fn, no);
            break;
        }
        char *end;
        double v = cxi_strtod(comma + 1, &end);
        while (*end == ' ' || *end == '\t')
            end++;
        if (end == comma + 1 || *end || !isfinite(v)) {
            rc = cxi_fail(CX_EPARSE, "%s: line %zu: the polarity '%s' is not a finite number", fn, no, comma + 1);
            break;
        }
        if ((rc = entry_term(&c, fn, p, (size_t)(comma - p), no)) != 0)
            break;
        if (lex_put(lex, c.stem, c.n, v))
            rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    if (!rc && ferror(f))
        rc = cxi_fail(CX_EIO, "%s: cannot read '%s'", fn, path);
    fclose(f);
    cxi_stemmers_close(&st);
    if (rc) {
        cx_text_lexicon_free(lex);
        return rc;
    }
    *out = lex;
    return CX_OK;
}

int cx_text_lexicon_learn(cx_text_lexicon **out, const cx_text_index *ix, int metric, int64_t min_count, double min_z)
{
    const char *fn = "cx_text_lexicon_learn";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!ix)
        return cxi_fail(CX_EINVAL, "%s: index is NULL", fn);
    if (!(min_z >= 0) || !isfinite(min_z))
        return cxi_fail(CX_ERANGE, "%s: min_z must be finite and >= 0", fn);
    cx_result *counts = NULL, *th = NULL;
    int rc = cx_text_counts(&counts, ix, metric, CX_TEXT_GROUP_NONE, 0, 0, NULL, NULL, CX_TIME_NONE, CX_TIME_NONE);
    if (!rc)
        rc = cx_text_themes(&th, counts, 0, min_count);
    cx_result_free(counts);
    if (rc)
        return rc;
    cx_text_lexicon *lex;
    if ((rc = cx_text_lexicon_new(&lex)) != 0) {
        cx_result_free(th);
        return rc;
    }
    for (size_t i = 0; i < th->rows && !rc; i++) {
        const char *kind = cxi_result_str(th, 1, i), *term = cxi_result_str(th, 2, i);
        double delta = cxi_result_real(th, 10, i), z = cxi_result_real(th, 12, i);
        if (strcmp(kind, "term") != 0 || fabs(z) < min_z)
            continue;
        if (lex_put(lex, term, strlen(term), -delta)) /* positive: the high answers' word */
            rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    cx_result_free(th);
    if (rc) {
        cx_text_lexicon_free(lex);
        return rc;
    }
    *out = lex;
    return CX_OK;
}

int cx_text_lexicon_terms(cx_result **out, const cx_text_lexicon *lex)
{
    const char *fn = "cx_text_lexicon_terms";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!lex)
        return cxi_fail(CX_EINVAL, "%s: lexicon is NULL", fn);
    static const char *const names[] = {"term", "polarity"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_REAL};
    cx_result *r = NULL;
    int rc = cxi_result_new(&r, &lex->mem, lex->terms.count, 2, names, types);
    for (uint32_t i = 0; !rc && i < lex->terms.count; i++) {
        rc = cxi_result_set_str(r, 0, i, cxi_pool_str(&lex->terms, i), cxi_pool_len(&lex->terms, i));
        cxi_result_set_real(r, 1, i, lex->pol[i]);
    }
    if (rc) {
        cx_result_free(r);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = r;
    return CX_OK;
}

/* ---- scoring ---------------------------------------------------------------- */

typedef struct score_ctx {
    const cx_text_lexicon *lex;
    const cx_text_index *ix; /* or NULL: stem with st */
    cxi_stemmers *st;
    int lang;
    int scope; /* terms left under a negation */
    double sum;
    int64_t hits;
} score_ctx;

static int score_tok(void *p, const cxi_token *tok)
{
    score_ctx *c = p;
    if (tok->brk)
        c->scope = 0;
    if (is_negation(tok)) {
        c->scope = NEGATION_SCOPE;
        return 0;
    }
    if (!cxi_is_term(tok, c->lang))
        return 0;
    const char *stem;
    size_t n;
    if (cxi_stem(c->st, tok, c->lang, &stem, &n))
        return CX_ENOMEM;
    uint32_t id = cxi_pool_find(&c->lex->terms, stem, n);
    if (id != CXI_NONE) {
        c->sum += c->scope > 0 ? -c->lex->pol[id] : c->lex->pol[id];
        c->hits++;
    }
    if (c->scope > 0)
        c->scope--;
    return 0;
}

int cx_text_sentiment_of(double *out, int64_t *hits, const cx_text_lexicon *lex, const char *text)
{
    const char *fn = "cx_text_sentiment_of";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    if (!lex)
        return cxi_fail(CX_EINVAL, "%s: lexicon is NULL", fn);
    if (!text)
        return cxi_fail(CX_EINVAL, "%s: text is NULL", fn);
    size_t len = strlen(text);
    if (!cxi_utf8_valid(text, len))
        return cxi_fail(CX_EINVAL, "%s: the text is not valid UTF-8", fn);
    cxi_stemmers st = {NULL, NULL};
    int rc = cxi_stemmers_open(&st, fn);
    if (rc)
        return rc;
    score_ctx c = {lex, NULL, &st, cxi_text_detect(text, len), 0, 0, 0};
    rc = cxi_text_scan(text, len, score_tok, &c);
    cxi_stemmers_close(&st);
    if (rc)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    *out = c.sum;
    if (hits)
        *hits = c.hits;
    return CX_OK;
}

int cx_text_sentiment(cx_result **out, const cx_text_index *ix, const cx_text_lexicon *lex)
{
    const char *fn = "cx_text_sentiment";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!ix)
        return cxi_fail(CX_EINVAL, "%s: index is NULL", fn);
    if (!lex)
        return cxi_fail(CX_EINVAL, "%s: lexicon is NULL", fn);
    static const char *const names[] = {"feedback", "id",   "customer", "question", "touchpoint", "score",
                                        "time",     "language", "sentiment", "hits", "mean"};
    static const int types[] = {CX_TYPE_INT,  CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_STRING,
                                CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_TIME,   CX_TYPE_STRING,
                                CX_TYPE_REAL, CX_TYPE_INT,    CX_TYPE_REAL};
    static const int text_cols[] = {CX_FEEDBACK_ID, CX_FEEDBACK_CUSTOMER, CX_FEEDBACK_QUESTION,
                                    CX_FEEDBACK_TOUCHPOINT};
    cxi_stemmers st = {NULL, NULL};
    int rc = cxi_stemmers_open(&st, fn);
    if (rc)
        return rc;
    cx_result *r = NULL;
    rc = cxi_result_new(&r, &ix->mem, ix->ndocs, 11, names, types);
    for (uint32_t d = 0; !rc && d < ix->ndocs; d++) {
        size_t row = ix->doc_row[d];
        const char *comment = NULL;
        cx_store_get_string(&comment, ix->store, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, row);
        score_ctx c = {lex, ix, &st, ix->doc_lang[d], 0, 0, 0};
        if (cxi_text_scan(comment, strlen(comment), score_tok, &c)) {
            rc = CX_ENOMEM;
            break;
        }
        cxi_result_set_int(r, 0, d, (int64_t)row);
        for (int k = 0; k < 4 && !rc; k++) {
            const char *v = NULL;
            cx_store_get_string(&v, ix->store, CX_TABLE_FEEDBACK, text_cols[k], row);
            rc = cxi_result_set_text(r, (size_t)k + 1, d, v);
        }
        double score = 0;
        int64_t t = CX_TIME_NONE;
        cx_store_get_real(&score, ix->store, CX_TABLE_FEEDBACK, CX_FEEDBACK_SCORE, row);
        cx_store_get_int(&t, ix->store, CX_TABLE_FEEDBACK, CX_FEEDBACK_TIME, row);
        cxi_result_set_real(r, 5, d, score);
        cxi_result_set_time(r, 6, d, t);
        if (!rc)
            rc = cxi_result_set_text(r, 7, d, cxi_lang_names[ix->doc_lang[d]]);
        cxi_result_set_real(r, 8, d, c.sum);
        cxi_result_set_int(r, 9, d, c.hits);
        cxi_result_set_real(r, 10, d, c.hits ? c.sum / (double)c.hits : 0.0);
    }
    cxi_stemmers_close(&st);
    if (rc) {
        cx_result_free(r);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = r;
    return CX_OK;
}

/*
 * The text index: one pass over the comments of a store, each distinct
 * normalised form stemmed once and interned, comments kept as arrays of
 * term ids (CXI_NONE between phrases), phrase (adjacent pair) counts in a
 * hash map, then postings as one array in compressed rows. Every array
 * grows by doubling: nothing is allocated per token.
 */
#include "text_private.h"
#include "../store/store_private.h"

#include <math.h>
#include <stdlib.h>

/* ---- tokens of one text ------------------------------------------------- */

int cx_text_language(int *out, const char *text)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_text_language: out is NULL");
    if (!text)
        return cxi_fail(CX_EINVAL, "cx_text_language: text is NULL");
    size_t len = strlen(text);
    if (!cxi_utf8_valid(text, len))
        return cxi_fail(CX_EINVAL, "cx_text_language: the text is not valid UTF-8");
    *out = cxi_text_detect(text, len);
    return CX_OK;
}

static const char *const script_names[4] = {"other", "latin", "arabic", "digits"};

typedef struct tokens_ctx {
    cx_result *r;
    cxi_stemmers st;
    int lang;
} tokens_ctx;

static int tokens_one(void *p, const cxi_token *tok)
{
    tokens_ctx *c = p;
    size_t row = c->r->rows;
    if (cxi_result_add_rows(c->r, 1))
        return CX_ENOMEM;
    cxi_result_set_int(c->r, 0, row, (int64_t)row);
    if (cxi_result_set_str(c->r, 1, row, tok->s, tok->len))
        return CX_ENOMEM;
    bool term = cxi_is_term(tok, c->lang);
    if (term) {
        const char *stem;
        size_t n;
        if (cxi_stem(&c->st, tok, c->lang, &stem, &n) || cxi_result_set_str(c->r, 2, row, stem, n))
            return CX_ENOMEM;
    }
    if (cxi_result_set_text(c->r, 3, row, script_names[tok->script]) ||
        cxi_result_set_text(c->r, 4, row, cxi_lang_names[c->lang]))
        return CX_ENOMEM;
    cxi_result_set_int(c->r, 5, row, !term);
    cxi_result_set_int(c->r, 6, row, tok->brk);
    return 0;
}

int cx_text_tokens(cx_result **out, const char *text, int lang)
{
    const char *fn = "cx_text_tokens";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!text)
        return cxi_fail(CX_EINVAL, "%s: text is NULL", fn);
    if (lang < CX_LANG_AUTO || lang > CX_LANG_OTHER)
        return cxi_fail(CX_EINVAL, "%s: unknown language %d", fn, lang);
    size_t len = strlen(text);
    if (!cxi_utf8_valid(text, len))
        return cxi_fail(CX_EINVAL, "%s: the text is not valid UTF-8", fn);
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    static const char *const names[] = {"position", "token", "term", "script", "language", "stop", "break"};
    static const int types[] = {CX_TYPE_INT,    CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_STRING,
                                CX_TYPE_STRING, CX_TYPE_INT,    CX_TYPE_INT};
    tokens_ctx c = {NULL, {NULL, NULL}, lang == CX_LANG_AUTO ? cxi_text_detect(text, len) : lang};
    int rc = cxi_result_new(&c.r, &m, 0, 7, names, types);
    if (rc)
        return rc;
    rc = cxi_stemmers_open(&c.st, fn);
    if (rc) {
        cx_result_free(c.r);
        return rc;
    }
    rc = cxi_text_scan(text, len, tokens_one, &c);
    cxi_stemmers_close(&c.st);
    if (rc) {
        cx_result_free(c.r);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = c.r;
    return CX_OK;
}

/* ---- building the index ------------------------------------------------- */

typedef struct build_ctx {
    cx_text_index *ix;
    int lang;
    uint32_t doc;
    uint32_t prev; /* the last id pushed in this comment; CXI_NONE at its start or after a break */
    bool any;      /* something pushed in this comment */
    int err;
} build_ctx;

static int push(cx_text_index *ix, uint32_t v)
{
    if (ix->ntoks == ix->tok_cap && cxi_grow(&ix->mem, &ix->toks, &ix->tok_cap, ix->ntoks + 1, sizeof *ix->toks))
        return CX_ENOMEM;
    ix->toks[ix->ntoks++] = v;
    return 0;
}

/* The term of the form in tok (the surface cache first). */
static int term_of(build_ctx *b, const cxi_token *tok, uint32_t *out)
{
    cx_text_index *ix = b->ix;
    char key[CXI_TOKEN_MAX + 2];
    size_t klen = tok->len;
    memcpy(key, tok->s, klen);
    if (b->lang == CX_LANG_OTHER) /* forms of such comments are not stemmed: cached apart */
        key[klen++] = '\x01';
    uint32_t h = (uint32_t)cxi_hash(key, klen);
    uint32_t sid = cxi_pool_find_hashed(&ix->surf, key, klen, h);
    if (sid != CXI_NONE) {
        *out = ix->surf_term[sid];
        return 0;
    }
    if (ix->surf.count >= CXI_MAX_ROWS)
        return CX_ELIMIT;
    uint32_t t = CXI_NONE;
    if (cxi_is_term(tok, b->lang)) {
        const char *stem;
        size_t n;
        if (cxi_stem(&ix->st, tok, b->lang, &stem, &n))
            return CX_ENOMEM;
        t = cxi_pool_find(&ix->terms, stem, n);
        if (t == CXI_NONE) {
            uint32_t nt = ix->terms.count;
            if (nt >= CXI_MAX_ROWS)
                return CX_ELIMIT;
            void *arrs[] = {&ix->term_label, &ix->term_tokens, &ix->term_docs, &ix->term_last};
            size_t elems[] = {sizeof(uint32_t), sizeof(uint64_t), sizeof(uint32_t), sizeof(uint32_t)};
            if (cxi_grow_all(&ix->mem, &ix->term_cap, (size_t)nt + 1, 4, arrs, elems) ||
                cxi_pool_reserve(&ix->mem, &ix->terms, 1, n + 1))
                return CX_ENOMEM;
            t = cxi_pool_add(&ix->terms, stem, n);
            ix->term_label[t] = ix->surf.count; /* the form added below */
            ix->term_tokens[t] = 0;
            ix->term_docs[t] = 0;
            ix->term_last[t] = CXI_NONE;
        }
    }
    if (cxi_grow(&ix->mem, &ix->surf_term, &ix->surf_cap, (size_t)ix->surf.count + 1, sizeof *ix->surf_term) ||
        cxi_pool_reserve(&ix->mem, &ix->surf, 1, klen + 1))
        return CX_ENOMEM;
    sid = cxi_pool_add_hashed(&ix->surf, key, klen, h);
    ix->surf_term[sid] = t;
    /* a term's label is its smallest form (byte order, without the mark),
     * so that it depends neither on the order of the comments nor on how
     * they are split into shards */
    if (t != CXI_NONE && ix->term_label[t] != sid) {
        const char *cur;
        size_t clen, nlen = b->lang == CX_LANG_OTHER ? klen - 1 : klen;
        cxi_term_label(ix, t, &cur, &clen);
        int c = memcmp(key, cur, nlen < clen ? nlen : clen);
        if (c < 0 || (c == 0 && nlen < clen))
            ix->term_label[t] = sid;
    }
    *out = t;
    return 0;
}

static int bigram(build_ctx *b, uint32_t a, uint32_t t)
{
    cx_text_index *ix = b->ix;
    uint64_t key = (uint64_t)a << 32 | t;
    uint32_t id = cxi_map_get(&ix->bimap, key);
    if (id == CXI_NONE) {
        if (ix->nbi >= CXI_MAX_ROWS)
            return CX_ELIMIT;
        void *arrs[] = {&ix->bi_a, &ix->bi_b, &ix->bi_docs, &ix->bi_last, &ix->bi_tokens};
        size_t elems[] = {4, 4, 4, 4, 8};
        if (cxi_grow_all(&ix->mem, &ix->bi_cap, (size_t)ix->nbi + 1, 5, arrs, elems) ||
            cxi_map_reserve(&ix->mem, &ix->bimap, 1))
            return CX_ENOMEM;
        id = ix->nbi++;
        ix->bi_a[id] = a;
        ix->bi_b[id] = t;
        ix->bi_docs[id] = 0;
        ix->bi_last[id] = CXI_NONE;
        ix->bi_tokens[id] = 0;
        cxi_map_put(&ix->bimap, key, id);
    }
    ix->bi_tokens[id]++;
    ix->npairs++;
    if (ix->bi_last[id] != b->doc) {
        ix->bi_last[id] = b->doc;
        ix->bi_docs[id]++;
    }
    return 0;
}

static int build_tok(void *p, const cxi_token *tok)
{
    build_ctx *b = p;
    cx_text_index *ix = b->ix;
    int rc;
    if (tok->brk && b->prev != CXI_NONE) {
        if ((rc = push(ix, CXI_NONE)) != 0)
            return rc;
        b->prev = CXI_NONE;
    }
    uint32_t t;
    if ((rc = term_of(b, tok, &t)) != 0)
        return rc;
    if (t == CXI_NONE) {
        if (b->prev != CXI_NONE) {
            if ((rc = push(ix, CXI_NONE)) != 0)
                return rc;
            b->prev = CXI_NONE;
        }
        return 0;
    }
    if ((rc = push(ix, t)) != 0)
        return rc;
    ix->term_tokens[t]++;
    ix->nterm_tokens++;
    if (ix->term_last[t] != b->doc) {
        ix->term_last[t] = b->doc;
        ix->term_docs[t]++;
    }
    if (b->prev != CXI_NONE && (rc = bigram(b, b->prev, t)) != 0)
        return rc;
    b->prev = t;
    b->any = true;
    return 0;
}

static int build_postings(cx_text_index *ix)
{
    uint32_t nt = ix->terms.count;
    uint64_t total = 0;
    ix->post_off = cxi_alloc(&ix->mem, ((size_t)nt + 1) * sizeof *ix->post_off);
    if (!ix->post_off)
        return CX_ENOMEM;
    for (uint32_t t = 0; t < nt; t++) {
        ix->post_off[t] = total;
        total += ix->term_docs[t];
        ix->term_last[t] = CXI_NONE;
    }
    ix->post_off[nt] = total;
    if (total) {
        ix->post = cxi_alloc(&ix->mem, (size_t)total * sizeof *ix->post);
        if (!ix->post)
            return CX_ENOMEM;
    }
    /* fill: term_last[t] counts how many of t's slots are written */
    for (uint32_t t = 0; t < nt; t++)
        ix->term_last[t] = 0;
    for (uint32_t d = 0; d < ix->ndocs; d++) {
        for (uint64_t i = ix->doc_off[d]; i < ix->doc_off[d + 1]; i++) {
            uint32_t t = ix->toks[i];
            if (t == CXI_NONE)
                continue;
            uint64_t at = ix->post_off[t] + ix->term_last[t];
            if (ix->term_last[t] && ix->post[at - 1] == d)
                continue;
            ix->post[at] = d;
            ix->term_last[t]++;
        }
    }
    return 0;
}

void cx_text_index_free(cx_text_index *ix)
{
    if (!ix)
        return;
    cxi_mem *m = &ix->mem;
    size_t nt = ix->terms.count; /* before the pool is freed */
    cxi_stemmers_close(&ix->st);
    cxi_pool_free(m, &ix->surf);
    cxi_free(m, ix->surf_term, ix->surf_cap * sizeof *ix->surf_term);
    cxi_pool_free(m, &ix->terms);
    cxi_free(m, ix->term_label, ix->term_cap * sizeof *ix->term_label);
    cxi_free(m, ix->term_tokens, ix->term_cap * sizeof *ix->term_tokens);
    cxi_free(m, ix->term_docs, ix->term_cap * sizeof *ix->term_docs);
    cxi_free(m, ix->term_last, ix->term_cap * sizeof *ix->term_last);
    cxi_map_free(m, &ix->bimap);
    cxi_free(m, ix->bi_a, ix->bi_cap * 4);
    cxi_free(m, ix->bi_b, ix->bi_cap * 4);
    cxi_free(m, ix->bi_docs, ix->bi_cap * 4);
    cxi_free(m, ix->bi_last, ix->bi_cap * 4);
    cxi_free(m, ix->bi_tokens, ix->bi_cap * 8);
    cxi_free(m, ix->doc_row, ix->doc_cap * sizeof *ix->doc_row);
    cxi_free(m, ix->doc_lang, ix->doc_cap * sizeof *ix->doc_lang);
    cxi_free(m, ix->doc_off, ix->off_cap * sizeof *ix->doc_off);
    cxi_free(m, ix->toks, ix->tok_cap * sizeof *ix->toks);
    if (ix->post_off) {
        if (ix->post)
            cxi_free(m, ix->post, (size_t)ix->post_off[nt] * sizeof *ix->post);
        cxi_free(m, ix->post_off, (nt + 1) * sizeof *ix->post_off);
    }
    cxi_mem mm = ix->mem;
    cxi_free(&mm, ix, sizeof *ix);
}

int cx_text_index_new(cx_text_index **out, const cx_store *store, int lang)
{
    const char *fn = "cx_text_index_new";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!store)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    if (lang < CX_LANG_AUTO || lang > CX_LANG_OTHER)
        return cxi_fail(CX_EINVAL, "%s: unknown language %d", fn, lang);
    size_t nfb;
    int rc = cx_store_rows(&nfb, store, CX_TABLE_FEEDBACK);
    if (rc)
        return rc;
    cx_text_index *ix = CXI_NEW(cx_text_index, store->mem.fn, store->mem.ud);
    if (!ix)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    ix->store = store;
    ix->lang = lang;
    cxi_pool_init(&ix->surf);
    cxi_pool_init(&ix->terms);
    cxi_map_init(&ix->bimap);
    if ((rc = cxi_stemmers_open(&ix->st, fn)) != 0) {
        cx_text_index_free(ix);
        return rc;
    }
    build_ctx b = {ix, lang, 0, CXI_NONE, false, 0};
    for (size_t row = 0; row < nfb; row++) {
        const char *c = NULL;
        cx_store_get_string(&c, store, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, row);
        if (!c || !*c)
            continue;
        size_t len = strlen(c);
        if (!cxi_utf8_valid(c, len)) {
            cx_text_index_free(ix);
            return cxi_fail(CX_EINVAL, "%s: the comment of feedback row %zu is not valid UTF-8", fn, row);
        }
        void *arrs[] = {&ix->doc_row, &ix->doc_lang};
        size_t elems[] = {sizeof(uint32_t), sizeof(uint8_t)};
        if (cxi_grow_all(&ix->mem, &ix->doc_cap, (size_t)ix->ndocs + 1, 2, arrs, elems) ||
            cxi_grow(&ix->mem, &ix->doc_off, &ix->off_cap, (size_t)ix->ndocs + 2, sizeof *ix->doc_off)) {
            rc = CX_ENOMEM;
            break;
        }
        b.lang = lang == CX_LANG_AUTO ? cxi_text_detect(c, len) : lang;
        b.doc = ix->ndocs;
        b.prev = CXI_NONE;
        b.any = false;
        ix->doc_row[b.doc] = (uint32_t)row;
        ix->doc_lang[b.doc] = (uint8_t)b.lang;
        ix->doc_off[b.doc] = ix->ntoks;
        if ((rc = cxi_text_scan(c, len, build_tok, &b)) != 0)
            break;
        if (ix->ntoks > ix->doc_off[b.doc] && ix->toks[ix->ntoks - 1] == CXI_NONE)
            ix->ntoks--; /* no trailing break */
        ix->doc_off[b.doc + 1] = ix->ntoks;
        ix->ndocs++;
    }
    if (!rc)
        rc = build_postings(ix);
    if (rc) {
        cx_text_index_free(ix);
        return rc == CX_ELIMIT ? cxi_fail(rc, "%s: more than 2^32 - 2 terms or phrases", fn)
                               : cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    if (!ix->doc_off) { /* no comment at all: one offset, 0 */
        if (cxi_grow(&ix->mem, &ix->doc_off, &ix->off_cap, 1, sizeof *ix->doc_off)) {
            cx_text_index_free(ix);
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        ix->doc_off[0] = 0;
    }
    *out = ix;
    return CX_OK;
}

int cx_text_index_stats(size_t *comments, size_t *terms, size_t *tokens, const cx_text_index *ix)
{
    if (!ix)
        return cxi_fail(CX_EINVAL, "cx_text_index_stats: index is NULL");
    if (comments)
        *comments = ix->ndocs;
    if (terms)
        *terms = ix->terms.count;
    if (tokens)
        *tokens = (size_t)ix->nterm_tokens;
    return CX_OK;
}

int cx_text_index_memory(size_t *out, const cx_text_index *ix)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_text_index_memory: out is NULL");
    if (!ix)
        return cxi_fail(CX_EINVAL, "cx_text_index_memory: index is NULL");
    *out = ix->mem.bytes;
    return CX_OK;
}

/* ---- terms and phrases ---------------------------------------------------- */

/* A term's label: its smallest form, without the mark of OTHER comments. */
void cxi_term_label(const cx_text_index *ix, uint32_t t, const char **s, size_t *len)
{
    uint32_t sid = ix->term_label[t];
    *s = cxi_pool_str(&ix->surf, sid);
    *len = cxi_pool_len(&ix->surf, sid);
    if (*len && (*s)[*len - 1] == '\x01')
        (*len)--;
}

typedef struct sort_item {
    double key;
    uint32_t id;
    const cx_text_index *ix;
} sort_item;

static int by_key_desc(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    if (x->key != y->key)
        return x->key > y->key ? -1 : 1;
    return x->id < y->id ? -1 : x->id > y->id;
}

int cx_text_terms(cx_result **out, const cx_text_index *ix, int64_t min_count)
{
    const char *fn = "cx_text_terms";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!ix)
        return cxi_fail(CX_EINVAL, "%s: index is NULL", fn);
    if (min_count < 1)
        return cxi_fail(CX_ERANGE, "%s: min_count %lld is below 1", fn, (long long)min_count);
    cxi_mem m = ix->mem;
    uint32_t nt = ix->terms.count;
    size_t n = 0;
    sort_item *it = nt ? cxi_alloc(&m, nt * sizeof *it) : NULL;
    if (nt && !it)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (uint32_t t = 0; t < nt; t++)
        if (ix->term_tokens[t] >= (uint64_t)min_count)
            it[n++] = (sort_item){(double)ix->term_tokens[t], t, ix};
    if (n > 1)
        qsort(it, n, sizeof *it, by_key_desc);
    static const char *const names[] = {"term", "label", "tokens", "comments"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_INT};
    cx_result *r = NULL;
    int rc = cxi_result_new(&r, &ix->mem, n, 4, names, types);
    for (size_t i = 0; !rc && i < n; i++) {
        uint32_t t = it[i].id;
        const char *l;
        size_t ll;
        cxi_term_label(ix, t, &l, &ll);
        rc = cxi_result_set_str(r, 0, i, cxi_pool_str(&ix->terms, t), cxi_pool_len(&ix->terms, t)) ||
             cxi_result_set_str(r, 1, i, l, ll);
        cxi_result_set_int(r, 2, i, (int64_t)ix->term_tokens[t]);
        cxi_result_set_int(r, 3, i, (int64_t)ix->term_docs[t]);
    }
    if (it)
        cxi_free(&m, it, nt * sizeof *it);
    if (rc) {
        cx_result_free(r);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = r;
    return CX_OK;
}

static double xlogx_ratio(double k, double expect)
{
    return k > 0 ? k * log(k / expect) : 0.0;
}

/* Dunning's G^2 of the 2x2 table k11 k12 / k21 k22. */
static double llr(double k11, double k12, double k21, double k22)
{
    double n = k11 + k12 + k21 + k22;
    double r1 = k11 + k12, r2 = k21 + k22, c1 = k11 + k21, c2 = k12 + k22;
    return 2 * (xlogx_ratio(k11, r1 * c1 / n) + xlogx_ratio(k12, r1 * c2 / n) + xlogx_ratio(k21, r2 * c1 / n) +
                xlogx_ratio(k22, r2 * c2 / n));
}

int cxi_phrase_text(cx_result *r, size_t col, size_t row, const cx_text_index *ix, uint32_t a, uint32_t b,
                    bool label)
{
    char buf[2 * (CXI_TOKEN_MAX + 1) + 1];
    const char *s;
    size_t n, len = 0;
    for (int k = 0; k < 2; k++) {
        uint32_t t = k ? b : a;
        if (label) {
            cxi_term_label(ix, t, &s, &n);
        } else {
            s = cxi_pool_str(&ix->terms, t);
            n = cxi_pool_len(&ix->terms, t);
        }
        if (n > CXI_TOKEN_MAX)
            n = CXI_TOKEN_MAX;
        if (k)
            buf[len++] = ' ';
        memcpy(buf + len, s, n);
        len += n;
    }
    return cxi_result_set_str(r, col, row, buf, len);
}

int cx_text_phrases(cx_result **out, const cx_text_index *ix, int64_t min_count)
{
    const char *fn = "cx_text_phrases";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!ix)
        return cxi_fail(CX_EINVAL, "%s: index is NULL", fn);
    if (min_count < 1)
        return cxi_fail(CX_ERANGE, "%s: min_count %lld is below 1", fn, (long long)min_count);
    cxi_mem m = ix->mem;
    uint32_t nt = ix->terms.count, nb = ix->nbi;
    uint64_t *first = nt ? cxi_alloc(&m, 2 * (size_t)nt * sizeof *first) : NULL;
    sort_item *it = nb ? cxi_alloc(&m, nb * sizeof *it) : NULL;
    double *pmi = nb ? cxi_alloc(&m, nb * sizeof *pmi) : NULL;
    if ((nt && !first) || (nb && (!it || !pmi))) {
        if (first)
            cxi_free(&m, first, 2 * (size_t)nt * sizeof *first);
        if (it)
            cxi_free(&m, it, nb * sizeof *it);
        if (pmi)
            cxi_free(&m, pmi, nb * sizeof *pmi);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    uint64_t *second = first + nt;
    for (uint32_t t = 0; t < 2 * nt; t++)
        first[t] = 0;
    for (uint32_t i = 0; i < nb; i++) {
        first[ix->bi_a[i]] += ix->bi_tokens[i];
        second[ix->bi_b[i]] += ix->bi_tokens[i];
    }
    double np = (double)ix->npairs, ntok = (double)ix->nterm_tokens;
    size_t n = 0;
    for (uint32_t i = 0; i < nb; i++) {
        double c = (double)ix->bi_tokens[i];
        if (ix->bi_tokens[i] < (uint64_t)min_count)
            continue;
        double ca = (double)ix->term_tokens[ix->bi_a[i]], cb = (double)ix->term_tokens[ix->bi_b[i]];
        double p = log2((c / np) / ((ca / ntok) * (cb / ntok)));
        if (!(p > 0))
            continue;
        double fa = (double)first[ix->bi_a[i]], sb = (double)second[ix->bi_b[i]];
        pmi[i] = p;
        it[n++] = (sort_item){llr(c, fa - c, sb - c, np - fa - sb + c), i, ix};
    }
    if (n > 1)
        qsort(it, n, sizeof *it, by_key_desc);
    static const char *const names[] = {"phrase", "label", "tokens", "comments", "pmi", "llr"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_INT, CX_TYPE_REAL, CX_TYPE_REAL};
    cx_result *r = NULL;
    int rc = cxi_result_new(&r, &ix->mem, n, 6, names, types);
    for (size_t k = 0; !rc && k < n; k++) {
        uint32_t i = it[k].id;
        rc = cxi_phrase_text(r, 0, k, ix, ix->bi_a[i], ix->bi_b[i], false) ||
             cxi_phrase_text(r, 1, k, ix, ix->bi_a[i], ix->bi_b[i], true);
        cxi_result_set_int(r, 2, k, (int64_t)ix->bi_tokens[i]);
        cxi_result_set_int(r, 3, k, (int64_t)ix->bi_docs[i]);
        cxi_result_set_real(r, 4, k, pmi[i]);
        cxi_result_set_real(r, 5, k, it[k].key);
    }
    if (first)
        cxi_free(&m, first, 2 * (size_t)nt * sizeof *first);
    if (it)
        cxi_free(&m, it, nb * sizeof *it);
    if (pmi)
        cxi_free(&m, pmi, nb * sizeof *pmi);
    if (rc) {
        cx_result_free(r);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = r;
    return CX_OK;
}

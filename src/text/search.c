/*
 * Search through the inverted index: a query's terms, the postings of its
 * rarest term as candidates, each checked for the terms in a row; and the
 * share of comments matching per period.
 */
#include "text_private.h"

#include <stdlib.h>

typedef struct query_ctx {
    const cx_text_index *ix;
    cxi_mem *m;
    cxi_stemmers st;
    int lang;
    uint32_t *ids;
    size_t n, cap;
} query_ctx;

static int query_tok(void *p, const cxi_token *tok)
{
    query_ctx *q = p;
    if (!cxi_is_term(tok, q->lang))
        return 0;
    const char *stem;
    size_t n;
    if (cxi_stem(&q->st, tok, q->lang, &stem, &n))
        return CX_ENOMEM;
    if (q->n == q->cap && cxi_grow(q->m, &q->ids, &q->cap, q->n + 1, sizeof *q->ids))
        return CX_ENOMEM;
    q->ids[q->n++] = cxi_pool_find(&q->ix->terms, stem, n);
    return 0;
}

int cxi_text_query(uint32_t **out, size_t *n, cxi_mem *m, const cx_text_index *ix, const char *fn,
                   const char *query)
{
    *out = NULL;
    *n = 0;
    if (!query)
        return cxi_fail(CX_EINVAL, "%s: query is NULL", fn);
    size_t len = strlen(query);
    if (!cxi_utf8_valid(query, len))
        return cxi_fail(CX_EINVAL, "%s: the query is not valid UTF-8", fn);
    query_ctx q = {ix, m, {NULL, NULL}, 0, NULL, 0, 0};
    q.lang = ix->lang == CX_LANG_AUTO ? cxi_text_detect(query, len) : ix->lang;
    if (q.lang == CX_LANG_OTHER && ix->lang == CX_LANG_AUTO)
        q.lang = CX_LANG_ENGLISH; /* a query of digits or symbols only: stop words apply */
    int rc = cxi_stemmers_open(&q.st, fn);
    if (rc)
        return rc;
    rc = cxi_text_scan(query, len, query_tok, &q);
    cxi_stemmers_close(&q.st);
    if (rc || !q.n) {
        if (q.ids)
            cxi_free(m, q.ids, q.cap * sizeof *q.ids);
        if (rc)
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        char qb[80];
        return cxi_fail(CX_EINVAL, "%s: the query %s has no term (only stop words, numbers or punctuation)", fn,
                        cxi_quote(qb, query));
    }
    /* give back the spare capacity so the caller frees exactly n */
    if (q.cap != q.n) {
        uint32_t *ids = cxi_realloc(m, q.ids, q.cap * sizeof *q.ids, q.n * sizeof *q.ids);
        if (!ids) {
            cxi_free(m, q.ids, q.cap * sizeof *q.ids);
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        q.ids = ids;
    }
    *out = q.ids;
    *n = q.n;
    return CX_OK;
}

bool cxi_doc_has(const cx_text_index *ix, uint32_t d, const uint32_t *ids, size_t n)
{
    uint64_t a = ix->doc_off[d], b = ix->doc_off[d + 1];
    if (b - a < n)
        return false;
    for (uint64_t i = a; i + n <= b; i++) {
        size_t k = 0;
        while (k < n && ix->toks[i + k] == ids[k])
            k++;
        if (k == n)
            return true;
    }
    return false;
}

int cxi_text_match(uint32_t **out, size_t *nout, size_t *cap, cxi_mem *m, const cx_text_index *ix,
                   const uint32_t *ids, size_t n)
{
    *out = NULL;
    *nout = *cap = 0;
    uint32_t best = CXI_NONE;
    for (size_t k = 0; k < n; k++) {
        if (ids[k] == CXI_NONE)
            return CX_OK; /* a term no comment has */
        if (best == CXI_NONE || ix->term_docs[ids[k]] < ix->term_docs[best])
            best = ids[k];
    }
    uint64_t a = ix->post_off[best], b = ix->post_off[best + 1];
    for (uint64_t i = a; i < b; i++) {
        uint32_t d = ix->post[i];
        if (n > 1 && !cxi_doc_has(ix, d, ids, n))
            continue;
        if (*nout == *cap && cxi_grow(m, out, cap, *nout + 1, sizeof **out))
            return CX_ENOMEM;
        (*out)[(*nout)++] = d;
    }
    return CX_OK;
}

/* The matches of a query: docs ascending (cxi_free(m, docs, cap * 4)). */
static int matches(uint32_t **docs, size_t *n, size_t *cap, cxi_mem *m, const cx_text_index *ix, const char *fn,
                   const char *query)
{
    uint32_t *ids;
    size_t nids;
    int rc = cxi_text_query(&ids, &nids, m, ix, fn, query);
    if (rc)
        return rc;
    rc = cxi_text_match(docs, n, cap, m, ix, ids, nids);
    cxi_free(m, ids, nids * sizeof *ids);
    if (rc) {
        if (*docs)
            cxi_free(m, *docs, *cap * sizeof **docs);
        *docs = NULL;
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    return CX_OK;
}

int cx_text_search(cx_result **out, const cx_text_index *ix, const char *query, int64_t limit)
{
    const char *fn = "cx_text_search";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!ix)
        return cxi_fail(CX_EINVAL, "%s: index is NULL", fn);
    if (limit < 0)
        return cxi_fail(CX_ERANGE, "%s: limit %lld is negative", fn, (long long)limit);
    cxi_mem m = ix->mem;
    uint32_t *docs;
    size_t n, cap;
    int rc = matches(&docs, &n, &cap, &m, ix, fn, query);
    if (rc)
        return rc;
    size_t rows = limit && (uint64_t)limit < n ? (size_t)limit : n;
    static const char *const names[] = {"feedback", "id",    "customer", "question", "touchpoint",
                                        "score",    "time",  "language", "comment"};
    static const int types[] = {CX_TYPE_INT,  CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_STRING,
                                CX_TYPE_REAL, CX_TYPE_TIME,   CX_TYPE_STRING, CX_TYPE_STRING};
    static const int text_cols[] = {CX_FEEDBACK_ID, CX_FEEDBACK_CUSTOMER, CX_FEEDBACK_QUESTION,
                                    CX_FEEDBACK_TOUCHPOINT};
    cx_result *r = NULL;
    rc = cxi_result_new(&r, &ix->mem, rows, 9, names, types);
    for (size_t i = 0; !rc && i < rows; i++) {
        size_t row = ix->doc_row[docs[i]];
        cxi_result_set_int(r, 0, i, (int64_t)row);
        for (int c = 0; c < 4 && !rc; c++) {
            const char *v = NULL;
            cx_store_get_string(&v, ix->store, CX_TABLE_FEEDBACK, text_cols[c], row);
            rc = cxi_result_set_text(r, (size_t)c + 1, i, v);
        }
        double score = 0;
        int64_t t = CX_TIME_NONE;
        const char *comment = NULL;
        cx_store_get_real(&score, ix->store, CX_TABLE_FEEDBACK, CX_FEEDBACK_SCORE, row);
        cx_store_get_int(&t, ix->store, CX_TABLE_FEEDBACK, CX_FEEDBACK_TIME, row);
        cx_store_get_string(&comment, ix->store, CX_TABLE_FEEDBACK, CX_FEEDBACK_COMMENT, row);
        cxi_result_set_real(r, 5, i, score);
        cxi_result_set_time(r, 6, i, t);
        if (!rc)
            rc = cxi_result_set_text(r, 7, i, cxi_lang_names[ix->doc_lang[docs[i]]]) ||
                 cxi_result_set_text(r, 8, i, comment);
    }
    if (docs)
        cxi_free(&m, docs, cap * sizeof *docs);
    if (rc) {
        cx_result_free(r);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = r;
    return CX_OK;
}

typedef struct period {
    int64_t start;
    int64_t comments, matches;
} period;

static int by_start(const void *a, const void *b)
{
    int64_t x = ((const period *)a)->start, y = ((const period *)b)->start;
    return x < y ? -1 : x > y;
}

int cx_text_trend(cx_result **out, const cx_text_index *ix, const char *query, int bucket, int offset_minutes)
{
    const char *fn = "cx_text_trend";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!ix)
        return cxi_fail(CX_EINVAL, "%s: index is NULL", fn);
    if (bucket < CX_BUCKET_DAY || bucket > CX_BUCKET_YEAR)
        return cxi_fail(CX_EINVAL, "%s: unknown time bucket %d", fn, bucket);
    if (!cxi_offset_ok(offset_minutes))
        return cxi_fail(CX_ERANGE, "%s: UTC offset %d minutes is out of range", fn, offset_minutes);
    cxi_mem m = ix->mem;
    uint32_t *docs;
    size_t n, cap;
    int rc = matches(&docs, &n, &cap, &m, ix, fn, query);
    if (rc)
        return rc;
    cxi_map map;
    cxi_map_init(&map);
    period *p = NULL;
    size_t np = 0, pcap = 0, k = 0;
    for (uint32_t d = 0; d < ix->ndocs && !rc; d++) {
        int64_t t = 0;
        cx_store_get_int(&t, ix->store, CX_TABLE_FEEDBACK, CX_FEEDBACK_TIME, ix->doc_row[d]);
        int64_t s = cxi_bucket_start(t, bucket, offset_minutes);
        uint32_t id = cxi_map_get(&map, (uint64_t)s);
        if (id == CXI_NONE) {
            if (cxi_grow(&m, &p, &pcap, np + 1, sizeof *p) || cxi_map_reserve(&m, &map, 1)) {
                rc = CX_ENOMEM;
                break;
            }
            id = (uint32_t)np++;
            p[id] = (period){s, 0, 0};
            cxi_map_put(&map, (uint64_t)s, id);
        }
        p[id].comments++;
        while (k < n && docs[k] < d)
            k++;
        if (k < n && docs[k] == d)
            p[id].matches++;
    }
    cx_result *r = NULL;
    if (!rc) {
        if (np > 1)
            qsort(p, np, sizeof *p, by_start);
        static const char *const names[] = {"period", "start", "comments", "matches", "share"};
        static const int types[] = {CX_TYPE_STRING, CX_TYPE_TIME, CX_TYPE_INT, CX_TYPE_INT, CX_TYPE_REAL};
        rc = cxi_result_new(&r, &ix->mem, np, 5, names, types);
        if (!rc)
            cxi_result_set_offset(r, 1, offset_minutes);
    }
    for (size_t i = 0; !rc && i < np; i++) {
        char label[CXI_BUCKET_LABEL_MAX];
        cxi_bucket_label(label, sizeof label, p[i].start, bucket, offset_minutes);
        rc = cxi_result_set_text(r, 0, i, label);
        cxi_result_set_time(r, 1, i, p[i].start);
        cxi_result_set_int(r, 2, i, p[i].comments);
        cxi_result_set_int(r, 3, i, p[i].matches);
        cxi_result_set_real(r, 4, i, (double)p[i].matches / (double)p[i].comments);
    }
    cxi_map_free(&m, &map);
    if (p)
        cxi_free(&m, p, pcap * sizeof *p);
    if (docs)
        cxi_free(&m, docs, cap * sizeof *docs);
    if (rc) {
        cx_result_free(r);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = r;
    return CX_OK;
}

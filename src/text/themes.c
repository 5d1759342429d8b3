/*
 * Themes tied to scores: term and phrase counts by score class and group
 * (the mergeable state: merge and a portable serialisation), and the
 * weighted log-odds ratio with an informative Dirichlet prior (Monroe,
 * Colaresi and Quinn 2008) between the "low" and the "high" class.
 */
#include "text_private.h"

#include <math.h>
#include <stdlib.h>

static const char *const class_names[3] = {"low", "mid", "high"};
static const char *const kind_names[3] = {"term", "phrase", "total"};
static const char *const count_names[] = {"group", "class", "kind", "term", "label", "tokens", "comments"};
static const int count_types[] = {CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_STRING,
                                  CX_TYPE_STRING, CX_TYPE_INT,    CX_TYPE_INT};
enum { K_GROUP, K_CLASS, K_KIND, K_TERM, K_LABEL, K_TOKENS, K_COMMENTS, K_NCOLS };
enum { KIND_TERM, KIND_PHRASE, KIND_TOTAL };

/* ---- counts of an index --------------------------------------------------- */

typedef struct centry {
    uint64_t key; /* gid << 36 | class << 34 | kind << 32 | id */
    uint64_t tokens, comments;
    uint32_t last;
} centry;

typedef struct counts_ctx {
    cxi_mem m;
    cxi_map map;
    centry *e;
    size_t n, cap;
    cxi_pool groups;
} counts_ctx;

static int centry_add(counts_ctx *c, uint64_t key, uint64_t tokens, uint32_t doc)
{
    uint32_t i = cxi_map_get(&c->map, key);
    if (i == CXI_NONE) {
        if (c->n >= CXI_MAX_ROWS)
            return CX_ELIMIT;
        if (cxi_grow(&c->m, &c->e, &c->cap, c->n + 1, sizeof *c->e) || cxi_map_reserve(&c->m, &c->map, 1))
            return CX_ENOMEM;
        i = (uint32_t)c->n++;
        c->e[i] = (centry){key, 0, 0, CXI_NONE};
        cxi_map_put(&c->map, key, i);
    }
    c->e[i].tokens += tokens;
    if (c->e[i].last != doc) {
        c->e[i].last = doc;
        c->e[i].comments++;
    }
    return 0;
}

static int by_centry_key(const void *a, const void *b)
{
    uint64_t x = ((const centry *)a)->key, y = ((const centry *)b)->key;
    return x < y ? -1 : x > y;
}

/* The class of an answer: 0 low, 1 mid, 2 high (see text.h). */
static int answer_class(int metric, double v, double lo, double hi, int hib)
{
    double o = hib ? v : lo + hi - v;
    if (metric == CX_METRIC_NPS)
        return v <= 6 ? 0 : v >= 9 ? 2 : 1;
    if (metric == CX_METRIC_CSAT)
        return o >= hi - 1 ? 2 : o <= lo + 1 ? 0 : 1;
    double mid = (lo + hi) / 2;
    return o > mid ? 2 : o < mid ? 0 : 1;
}

static const char *group_text(const cx_text_index *ix, int group, size_t row, int64_t tp, int bucket, int offset,
                              char *buf, size_t cap)
{
    const cx_store *s = ix->store;
    const char *v = NULL;
    int64_t code;
    switch (group) {
    case CX_TEXT_GROUP_NONE:
        return "all";
    case CX_TEXT_GROUP_TOUCHPOINT:
        cx_store_get_string(&v, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_TOUCHPOINT, row);
        return v;
    case CX_TEXT_GROUP_CHANNEL:
    case CX_TEXT_GROUP_STAGE:
        if (tp >= 0)
            cx_store_get_string(&v, s, CX_TABLE_TOUCHPOINTS,
                                group == CX_TEXT_GROUP_CHANNEL ? CX_TOUCHPOINT_CHANNEL : CX_TOUCHPOINT_STAGE,
                                (size_t)tp);
        return v;
    case CX_TEXT_GROUP_AGENT:
        if (cx_store_get_int(&code, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_INTERACTION, row) == CX_OK && code >= 0)
            cx_store_get_string(&v, s, CX_TABLE_INTERACTIONS, CX_INTERACTION_AGENT, (size_t)code);
        if (!v && cx_store_get_int(&code, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_CASE, row) == CX_OK && code >= 0)
            cx_store_get_string(&v, s, CX_TABLE_CASES, CX_CASE_AGENT, (size_t)code);
        return v;
    case CX_TEXT_GROUP_QUESTION:
        cx_store_get_string(&v, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_QUESTION, row);
        return v;
    case CX_TEXT_GROUP_LANGUAGE:
        return NULL; /* set by the caller from the document */
    default: {
        int64_t t = 0;
        cx_store_get_int(&t, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_TIME, row);
        cxi_bucket_label(buf, cap, cxi_bucket_start(t, bucket, offset), bucket, offset);
        return buf;
    }
    }
}

static void counts_ctx_free(counts_ctx *c)
{
    cxi_map_free(&c->m, &c->map);
    if (c->e)
        cxi_free(&c->m, c->e, c->cap * sizeof *c->e);
    cxi_pool_free(&c->m, &c->groups);
}

int cx_text_counts(cx_result **out, const cx_text_index *ix, int metric, int group, int bucket, int offset_minutes,
                   const char *touchpoint, const char *channel, cx_time from, cx_time to)
{
    const char *fn = "cx_text_counts";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!ix)
        return cxi_fail(CX_EINVAL, "%s: index is NULL", fn);
    if (metric < CX_METRIC_NPS || metric > CX_METRIC_CUSTOM)
        return cxi_fail(CX_EINVAL, "%s: unknown metric %d", fn, metric);
    if (group < CX_TEXT_GROUP_NONE || group > CX_TEXT_GROUP_PERIOD)
        return cxi_fail(CX_EINVAL, "%s: unknown grouping %d", fn, group);
    if (group == CX_TEXT_GROUP_PERIOD && (bucket < CX_BUCKET_DAY || bucket > CX_BUCKET_YEAR))
        return cxi_fail(CX_EINVAL, "%s: unknown time bucket %d", fn, bucket);
    if (!cxi_offset_ok(offset_minutes))
        return cxi_fail(CX_ERANGE, "%s: UTC offset %d minutes is out of range", fn, offset_minutes);
    if (from != CX_TIME_NONE && to != CX_TIME_NONE && to < from)
        return cxi_fail(CX_EORDER, "%s: the range ends before it starts", fn);
    const cx_store *s = ix->store;
    size_t tp_row = SIZE_MAX, ch_code = SIZE_MAX;
    if (touchpoint && cx_store_find(&tp_row, s, CX_TABLE_TOUCHPOINTS, touchpoint) != CX_OK) {
        char q[80];
        return cxi_fail(CX_ENOTFOUND, "%s: no touchpoint %s", fn, cxi_quote(q, touchpoint));
    }
    if (channel && cx_vocab_find(&ch_code, s, CX_VOCAB_CHANNEL, channel) != CX_OK) {
        char q[80];
        return cxi_fail(CX_ENOTFOUND, "%s: no channel %s", fn, cxi_quote(q, channel));
    }
    counts_ctx c;
    memset(&c, 0, sizeof c);
    c.m = ix->mem;
    cxi_map_init(&c.map);
    cxi_pool_init(&c.groups);
    int rc = 0;
    char buf[CXI_BUCKET_LABEL_MAX];
    for (uint32_t d = 0; d < ix->ndocs && !rc; d++) {
        size_t row = ix->doc_row[d];
        int64_t q, t, tp = -1, qm;
        double v, lo, hi, hib;
        cx_store_get_int(&q, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_QUESTION, row);
        cx_store_get_int(&qm, s, CX_TABLE_QUESTIONS, CX_QUESTION_METRIC, (size_t)q);
        if (qm != metric)
            continue;
        cx_store_get_int(&t, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_TIME, row);
        if ((from != CX_TIME_NONE && t < from) || (to != CX_TIME_NONE && t >= to))
            continue;
        cx_store_get_int(&tp, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_TOUCHPOINT, row);
        if (touchpoint && tp != (int64_t)tp_row)
            continue;
        if (channel) {
            int64_t ch = -1;
            if (tp >= 0)
                cx_store_get_int(&ch, s, CX_TABLE_TOUCHPOINTS, CX_TOUCHPOINT_CHANNEL, (size_t)tp);
            if (ch != (int64_t)ch_code)
                continue;
        }
        cx_store_get_real(&v, s, CX_TABLE_FEEDBACK, CX_FEEDBACK_SCORE, row);
        cx_store_get_real(&lo, s, CX_TABLE_QUESTIONS, CX_QUESTION_SCALE_MIN, (size_t)q);
        cx_store_get_real(&hi, s, CX_TABLE_QUESTIONS, CX_QUESTION_SCALE_MAX, (size_t)q);
        cx_store_get_real(&hib, s, CX_TABLE_QUESTIONS, CX_QUESTION_HIGHER_IS_BETTER, (size_t)q);
        uint64_t cls = (uint64_t)answer_class(metric, v, lo, hi, hib != 0);
        const char *g = group == CX_TEXT_GROUP_LANGUAGE
                            ? cxi_lang_names[ix->doc_lang[d]]
                            : group_text(ix, group, row, tp, bucket, offset_minutes, buf, sizeof buf);
        uint64_t gid = 0; /* 0: missing */
        if (g) {
            uint32_t id;
            if ((rc = cxi_pool_intern(&c.m, &c.groups, g, strlen(g), &id)) != 0)
                break;
            gid = (uint64_t)id + 1;
            if (gid >= (1ull << 28)) {
                rc = CX_ELIMIT;
                break;
            }
        }
        uint64_t base = gid << 36 | cls << 34;
        uint64_t nt = 0;
        uint32_t prev = CXI_NONE;
        for (uint64_t i = ix->doc_off[d]; i < ix->doc_off[d + 1] && !rc; i++) {
            uint32_t w = ix->toks[i];
            if (w != CXI_NONE) {
                nt++;
                rc = centry_add(&c, base | (uint64_t)KIND_TERM << 32 | w, 1, d);
                if (!rc && prev != CXI_NONE)
                    rc = centry_add(&c, base | (uint64_t)KIND_PHRASE << 32 | cxi_map_get(&ix->bimap, (uint64_t)prev << 32 | w), 1, d);
            }
            prev = w;
        }
        if (!rc)
            rc = centry_add(&c, base | (uint64_t)KIND_TOTAL << 32, nt, d);
    }
    cx_result *r = NULL;
    if (!rc) {
        if (c.n > 1)
            qsort(c.e, c.n, sizeof *c.e, by_centry_key);
        rc = cxi_result_new(&r, &ix->mem, c.n, K_NCOLS, count_names, count_types);
    }
    for (size_t i = 0; !rc && i < c.n; i++) {
        uint64_t k = c.e[i].key;
        uint32_t gid = (uint32_t)(k >> 36), cls = (uint32_t)(k >> 34 & 3), kind = (uint32_t)(k >> 32 & 3);
        uint32_t id = (uint32_t)k;
        if (gid && cxi_result_set_str(r, K_GROUP, i, cxi_pool_str(&c.groups, gid - 1), cxi_pool_len(&c.groups, gid - 1)))
            rc = CX_ENOMEM;
        if (!rc && (cxi_result_set_text(r, K_CLASS, i, class_names[cls]) ||
                    cxi_result_set_text(r, K_KIND, i, kind_names[kind])))
            rc = CX_ENOMEM;
        if (!rc && kind == KIND_TERM) {
            const char *l;
            size_t ll;
            cxi_term_label(ix, id, &l, &ll);
            if (cxi_result_set_str(r, K_TERM, i, cxi_pool_str(&ix->terms, id), cxi_pool_len(&ix->terms, id)) ||
                cxi_result_set_str(r, K_LABEL, i, l, ll))
                rc = CX_ENOMEM;
        } else if (!rc && kind == KIND_PHRASE) {
            if (cxi_phrase_text(r, K_TERM, i, ix, ix->bi_a[id], ix->bi_b[id], false) ||
                cxi_phrase_text(r, K_LABEL, i, ix, ix->bi_a[id], ix->bi_b[id], true))
                rc = CX_ENOMEM;
        }
        cxi_result_set_int(r, K_TOKENS, i, (int64_t)c.e[i].tokens);
        cxi_result_set_int(r, K_COMMENTS, i, (int64_t)c.e[i].comments);
    }
    counts_ctx_free(&c);
    if (rc) {
        cx_result_free(r);
        return rc == CX_ELIMIT ? cxi_fail(rc, "%s: more than 2^28 groups or 2^32 - 2 counts", fn)
                               : cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = r;
    return CX_OK;
}

/* ---- counts as data: checks, keys, merge, serialisation ------------------- */

static bool is_counts(const cx_result *r)
{
    if (!r || r->ncols != K_NCOLS)
        return false;
    for (size_t i = 0; i < K_NCOLS; i++)
        if (strcmp(r->cols[i].name, count_names[i]) != 0 || r->cols[i].type != count_types[i])
            return false;
    return true;
}

static int name_index(const char *s, const char *const *names)
{
    for (int i = 0; i < 3; i++)
        if (s && strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

/* A growable byte buffer from m. */
typedef struct bbuf {
    char *p;
    size_t n, cap;
} bbuf;

static int bput(cxi_mem *m, bbuf *b, const void *s, size_t n)
{
    if (b->n + n > b->cap && cxi_grow(m, &b->p, &b->cap, b->n + n, 1))
        return CX_ENOMEM;
    if (n)
        memcpy(b->p + b->n, s, n);
    b->n += n;
    return 0;
}

static int bput_u32(cxi_mem *m, bbuf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    return bput(m, b, x, 4);
}

/* Appends text (length-prefixed; missing as 0xFFFFFFFF). */
static int bput_text(cxi_mem *m, bbuf *b, const char *s)
{
    if (!s)
        return bput_u32(m, b, UINT32_MAX);
    size_t n = strlen(s);
    return bput_u32(m, b, (uint32_t)n) || bput(m, b, s, n);
}

/* The key of a row: its group, class, kind and term as bytes into b. */
static int row_key(cxi_mem *m, bbuf *b, const cx_result *r, size_t row, int ncols)
{
    b->n = 0;
    for (int c = 0; c < ncols; c++)
        if (bput_text(m, b, cxi_result_str(r, (size_t)c, row)))
            return CX_ENOMEM;
    return 0;
}

int cx_text_counts_merge(cx_result **out, const cx_result *a, const cx_result *b)
{
    const char *fn = "cx_text_counts_merge";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!is_counts(a) || !is_counts(b))
        return cxi_fail(CX_EINVAL, "%s: %s is not a result of cx_text_counts()", fn, is_counts(a) ? "b" : "a");
    cxi_mem m = a->mem;
    cxi_pool keys;
    cxi_pool_init(&keys);
    bbuf kb = {NULL, 0, 0};
    size_t cap = 0, n = 0;
    /* src[i]: which input and row gives row i's texts; sums in tok/com */
    uint32_t *src = NULL;
    int64_t *tok = NULL, *com = NULL;
    int rc = 0;
    for (int side = 0; side < 2 && !rc; side++) {
        const cx_result *r = side ? b : a;
        for (size_t row = 0; row < r->rows && !rc; row++) {
            uint32_t id;
            if ((rc = row_key(&m, &kb, r, row, 4)) != 0 || (rc = cxi_pool_intern(&m, &keys, kb.p, kb.n, &id)) != 0)
                break;
            if (id == n) {
                void *arrs[] = {&src, &tok, &com};
                size_t elems[] = {4, 8, 8};
                if (cxi_grow_all(&m, &cap, n + 1, 3, arrs, elems)) {
                    rc = CX_ENOMEM;
                    break;
                }
                src[n] = (uint32_t)row | (uint32_t)side << 31;
                tok[n] = com[n] = 0;
                n++;
            }
            else {
                /* the smaller label of the two, as one index of all the comments would give */
                const cx_result *was = (src[id] >> 31) ? b : a;
                const char *l0 = cxi_result_str(was, K_LABEL, src[id] & 0x7FFFFFFFu),
                           *l1 = cxi_result_str(r, K_LABEL, row);
                if (l1 && (!l0 || strcmp(l1, l0) < 0))
                    src[id] = (uint32_t)row | (uint32_t)side << 31;
            }
            int64_t t = cxi_result_int(r, K_TOKENS, row), c = cxi_result_int(r, K_COMMENTS, row);
            if (t > INT64_MAX - tok[id] || c > INT64_MAX - com[id]) {
                rc = CX_ERANGE;
                break;
            }
            tok[id] += t;
            com[id] += c;
        }
    }
    cx_result *r = NULL;
    if (!rc)
        rc = cxi_result_new(&r, &a->mem, n, K_NCOLS, count_names, count_types);
    for (size_t i = 0; !rc && i < n; i++) {
        const cx_result *from = (src[i] >> 31) ? b : a;
        size_t row = src[i] & 0x7FFFFFFFu;
        for (size_t c = 0; c < K_TOKENS && !rc; c++)
            if (cxi_result_set_text(r, c, i, cxi_result_str(from, c, row)))
                rc = CX_ENOMEM;
        cxi_result_set_int(r, K_TOKENS, i, tok[i]);
        cxi_result_set_int(r, K_COMMENTS, i, com[i]);
    }
    cxi_pool_free(&m, &keys);
    if (kb.p)
        cxi_free(&m, kb.p, kb.cap);
    if (src) {
        cxi_free(&m, src, cap * 4);
        cxi_free(&m, tok, cap * 8);
        cxi_free(&m, com, cap * 8);
    }
    if (rc) {
        cx_result_free(r);
        return rc == CX_ERANGE ? cxi_fail(rc, "%s: a count passes 2^63 - 1", fn)
                               : cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    *out = r;
    return CX_OK;
}

#define COUNTS_MAGIC "CXTC"
#define COUNTS_VERSION 1u

static void put_u64(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_u64(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--)
        v = v << 8 | p[i];
    return v;
}

static uint32_t get_u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int cx_text_counts_serialize(size_t *out_len, const cx_result *counts, void *buf, size_t cap)
{
    const char *fn = "cx_text_counts_serialize";
    if (!out_len)
        return cxi_fail(CX_EINVAL, "%s: out_len is NULL", fn);
    if (!is_counts(counts))
        return cxi_fail(CX_EINVAL, "%s: not a result of cx_text_counts()", fn);
    size_t need = 4 + 4 + 8;
    for (size_t row = 0; row < counts->rows; row++) {
        for (size_t c = 0; c < K_TOKENS; c++) {
            const char *s = cxi_result_str(counts, c, row);
            need += 4 + (s ? strlen(s) : 0);
        }
        need += 16;
    }
    *out_len = need;
    if (!buf || cap < need)
        return cxi_fail(CX_EBUFSIZE, "%s: %zu bytes are needed", fn, need);
    unsigned char *p = buf;
    memcpy(p, COUNTS_MAGIC, 4);
    p[4] = COUNTS_VERSION & 0xFF;
    p[5] = p[6] = p[7] = 0;
    put_u64(p + 8, counts->rows);
    p += 16;
    for (size_t row = 0; row < counts->rows; row++) {
        for (size_t c = 0; c < K_TOKENS; c++) {
            const char *s = cxi_result_str(counts, c, row);
            uint32_t n = s ? (uint32_t)strlen(s) : UINT32_MAX;
            p[0] = (unsigned char)n;
            p[1] = (unsigned char)(n >> 8);
            p[2] = (unsigned char)(n >> 16);
            p[3] = (unsigned char)(n >> 24);
            p += 4;
            if (s) {
                memcpy(p, s, n);
                p += n;
            }
        }
        put_u64(p, (uint64_t)cxi_result_int(counts, K_TOKENS, row));
        put_u64(p + 8, (uint64_t)cxi_result_int(counts, K_COMMENTS, row));
        p += 16;
    }
    return CX_OK;
}

int cx_text_counts_deserialize(cx_result **out, const void *data, size_t len)
{
    const char *fn = "cx_text_counts_deserialize";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!data)
        return cxi_fail(CX_EINVAL, "%s: data is NULL", fn);
    const unsigned char *p = data, *end = p + len;
    if (len < 16 || memcmp(p, COUNTS_MAGIC, 4) != 0)
        return cxi_fail(CX_EPARSE, "%s: not text counts (bad header)", fn);
    uint32_t version = get_u32(p + 4);
    if (version > COUNTS_VERSION)
        return cxi_fail(CX_EVERSION, "%s: format version %u is newer than this library's", fn, version);
    uint64_t rows = get_u64(p + 8);
    p += 16;
    if (rows > (uint64_t)(len - 16) / 36) /* each row takes at least 36 bytes */
        return cxi_fail(CX_EPARSE, "%s: truncated (%llu rows announced)", fn, (unsigned long long)rows);
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cx_result *r = NULL;
    if (cxi_result_new(&r, &m, (size_t)rows, K_NCOLS, count_names, count_types))
        return CX_ENOMEM;
    int rc = 0;
    for (size_t row = 0; row < rows && !rc; row++) {
        for (size_t c = 0; c < K_TOKENS && !rc; c++) {
            if (end - p < 4) {
                rc = CX_EPARSE;
                break;
            }
            uint32_t n = get_u32(p);
            p += 4;
            if (n == UINT32_MAX) {
                if (c == K_CLASS || c == K_KIND)
                    rc = CX_EPARSE;
                continue;
            }
            if ((size_t)(end - p) < n || !cxi_utf8_valid((const char *)p, n) || memchr(p, 0, n)) {
                rc = CX_EPARSE;
                break;
            }
            if (cxi_result_set_str(r, c, row, (const char *)p, n)) {
                rc = CX_ENOMEM;
                break;
            }
            p += n;
        }
        if (rc)
            break;
        if (end - p < 16 || name_index(cxi_result_str(r, K_CLASS, row), class_names) < 0 ||
            name_index(cxi_result_str(r, K_KIND, row), kind_names) < 0) {
            rc = CX_EPARSE;
            break;
        }
        uint64_t t = get_u64(p), cm = get_u64(p + 8);
        p += 16;
        if (t > INT64_MAX || cm > INT64_MAX) {
            rc = CX_EPARSE;
            break;
        }
        cxi_result_set_int(r, K_TOKENS, row, (int64_t)t);
        cxi_result_set_int(r, K_COMMENTS, row, (int64_t)cm);
    }
    if (!rc && p != end)
        rc = CX_EPARSE;
    if (rc) {
        cx_result_free(r);
        return rc == CX_ENOMEM ? cxi_fail(rc, "%s: out of memory", fn)
                               : cxi_fail(rc, "%s: corrupt or truncated text counts", fn);
    }
    *out = r;
    return CX_OK;
}

/* ---- the weighted log-odds ------------------------------------------------- */

typedef struct theme {
    uint32_t src;        /* row of counts giving the texts */
    uint32_t gid;        /* group key id */
    uint32_t bg;         /* background key id */
    const char *group;   /* its text (missing: NULL) */
    const char *term;
    int kind;
    int64_t y[2], c[2];  /* low, high */
    double delta, se, z;
} theme;

typedef struct gtot {
    double n[2], c[2];
} gtot;

static int by_group_z(const void *pa, const void *pb)
{
    const theme *a = pa, *b = pb;
    const char *ga = a->group, *gb = b->group;
    int c = (ga && gb) ? strcmp(ga, gb) : (ga != NULL) - (gb != NULL);
    if (c)
        return c;
    if (a->z != b->z)
        return a->z > b->z ? -1 : 1;
    /* ties by kind and term, so that merged counts (rows in another order) give the same table */
    if (a->kind != b->kind)
        return a->kind < b->kind ? -1 : 1;
    return strcmp(a->term, b->term);
}

int cx_text_themes(cx_result **out, const cx_result *counts, double prior, int64_t min_count)
{
    const char *fn = "cx_text_themes";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!is_counts(counts))
        return cxi_fail(CX_EINVAL, "%s: counts is not a result of cx_text_counts()", fn);
    if (!(prior >= 0) || !isfinite(prior))
        return cxi_fail(CX_ERANGE, "%s: prior must be finite and >= 0", fn);
    if (min_count < 1)
        return cxi_fail(CX_ERANGE, "%s: min_count %lld is below 1", fn, (long long)min_count);
    cxi_mem m = counts->mem;
    cxi_pool gk, bk, tk; /* group keys, background keys (kind, term), theme keys (group, kind, term) */
    cxi_pool_init(&gk);
    cxi_pool_init(&bk);
    cxi_pool_init(&tk);
    bbuf kb = {NULL, 0, 0};
    gtot *g = NULL;
    size_t gcap = 0;
    double *bgc = NULL;
    size_t bcap = 0;
    theme *th = NULL;
    size_t tcap = 0, nth = 0, ng = 0, nb = 0;
    double bg_total = 0;
    int rc = 0;
    /* pass 1: totals of groups, background counts, themes */
    for (size_t row = 0; row < counts->rows && !rc; row++) {
        int cls = name_index(cxi_result_str(counts, K_CLASS, row), class_names);
        int kind = name_index(cxi_result_str(counts, K_KIND, row), kind_names);
        int64_t y = cxi_result_int(counts, K_TOKENS, row), cm = cxi_result_int(counts, K_COMMENTS, row);
        if (cls < 0 || kind < 0)
            continue;
        uint32_t gid;
        if ((rc = row_key(&m, &kb, counts, row, 1)) != 0 || (rc = cxi_pool_intern(&m, &gk, kb.p, kb.n, &gid)) != 0)
            break;
        if (gid == ng) { /* a new group */
            if (cxi_grow(&m, &g, &gcap, ng + 1, sizeof *g)) {
                rc = CX_ENOMEM;
                break;
            }
            g[ng++] = (gtot){{0, 0}, {0, 0}};
        }
        if (kind == KIND_TOTAL) {
            bg_total += (double)y;
            if (cls != 1) {
                g[gid].n[cls / 2] += (double)y;
                g[gid].c[cls / 2] += (double)cm;
            }
            continue;
        }
        if (!cxi_result_str(counts, K_TERM, row))
            continue; /* a term row without its term: nothing to say */
        /* background key: kind + term */
        kb.n = 0;
        uint32_t bid, tid;
        if ((rc = bput_u32(&m, &kb, (uint32_t)kind)) != 0 ||
            (rc = bput_text(&m, &kb, cxi_result_str(counts, K_TERM, row))) != 0 ||
            (rc = cxi_pool_intern(&m, &bk, kb.p, kb.n, &bid)) != 0)
            break;
        if (bid == nb) { /* a new background term */
            if (cxi_grow(&m, &bgc, &bcap, nb + 1, sizeof *bgc)) {
                rc = CX_ENOMEM;
                break;
            }
            bgc[nb++] = 0;
        }
        bgc[bid] += (double)y;
        if (cls == 1)
            continue;
        /* theme key: group + kind + term */
        if ((rc = bput_u32(&m, &kb, gid)) != 0 || (rc = cxi_pool_intern(&m, &tk, kb.p, kb.n, &tid)) != 0)
            break;
        if (tid == nth) {
            if (cxi_grow(&m, &th, &tcap, nth + 1, sizeof *th)) {
                rc = CX_ENOMEM;
                break;
            }
            th[nth++] = (theme){(uint32_t)row, gid, bid, cxi_result_str(counts, K_GROUP, row),
                                cxi_result_str(counts, K_TERM, row), kind, {0, 0}, {0, 0}, 0, 0, 0};
        }
        th[tid].y[cls / 2] += y;
        th[tid].c[cls / 2] += cm;
    }
    if (rc)
        goto done;
    /* pass 2: the statistic */
    double a0 = prior > 0 ? prior : bg_total;
    size_t nout = 0;
    for (size_t i = 0; i < nth; i++) {
        theme *t = &th[i];
        if (t->y[0] + t->y[1] < min_count || bg_total <= 0)
            continue;
        double aw = a0 * bgc[t->bg] / bg_total;
        double yl = (double)t->y[0], yh = (double)t->y[1];
        double nl = g[t->gid].n[0], nh = g[t->gid].n[1];
        double dl = nl + a0 - yl - aw, dh = nh + a0 - yh - aw;
        if (!(aw > 0) || !(dl > 0) || !(dh > 0))
            continue;
        t->delta = log((yl + aw) / dl) - log((yh + aw) / dh);
        t->se = sqrt(1 / (yl + aw) + 1 / (yh + aw));
        t->z = t->delta / t->se;
        th[nout++] = *t;
    }
    if (nout > 1)
        qsort(th, nout, sizeof *th, by_group_z);
    static const char *const names[] = {"group",      "kind",          "term",          "label",
                                        "low_count",  "high_count",    "low_comments",  "high_comments",
                                        "low_share",  "high_share",    "delta",         "se",
                                        "z"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_INT,
                                CX_TYPE_INT,    CX_TYPE_INT,    CX_TYPE_INT,    CX_TYPE_REAL,   CX_TYPE_REAL,
                                CX_TYPE_REAL,   CX_TYPE_REAL,   CX_TYPE_REAL};
    cx_result *r = NULL;
    rc = cxi_result_new(&r, &counts->mem, nout, 13, names, types);
    for (size_t i = 0; !rc && i < nout; i++) {
        const theme *t = &th[i];
        if (cxi_result_set_text(r, 0, i, cxi_result_str(counts, K_GROUP, t->src)) ||
            cxi_result_set_text(r, 1, i, cxi_result_str(counts, K_KIND, t->src)) ||
            cxi_result_set_text(r, 2, i, cxi_result_str(counts, K_TERM, t->src)) ||
            cxi_result_set_text(r, 3, i, cxi_result_str(counts, K_LABEL, t->src)))
            rc = CX_ENOMEM;
        const gtot *gt = &g[t->gid];
        cxi_result_set_int(r, 4, i, t->y[0]);
        cxi_result_set_int(r, 5, i, t->y[1]);
        cxi_result_set_int(r, 6, i, t->c[0]);
        cxi_result_set_int(r, 7, i, t->c[1]);
        cxi_result_set_real(r, 8, i, gt->c[0] > 0 ? (double)t->c[0] / gt->c[0] : NAN);
        cxi_result_set_real(r, 9, i, gt->c[1] > 0 ? (double)t->c[1] / gt->c[1] : NAN);
        cxi_result_set_real(r, 10, i, t->delta);
        cxi_result_set_real(r, 11, i, t->se);
        cxi_result_set_real(r, 12, i, t->z);
    }
    if (rc) {
        cx_result_free(r);
        r = NULL;
    }
    *out = r;
done:
    cxi_pool_free(&m, &gk);
    cxi_pool_free(&m, &bk);
    cxi_pool_free(&m, &tk);
    if (kb.p)
        cxi_free(&m, kb.p, kb.cap);
    if (g)
        cxi_free(&m, g, gcap * sizeof *g);
    if (bgc)
        cxi_free(&m, bgc, bcap * sizeof *bgc);
    if (th)
        cxi_free(&m, th, tcap * sizeof *th);
    if (rc)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    return CX_OK;
}

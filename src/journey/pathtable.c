/*
 * Path-count tables (cx_paths): distinct paths of named states with their
 * conversions, nulls and value, attributed with the Markov chain of
 * chain.c and the heuristics, without a store. Also the journeys' paths to
 * conversion as such counts (cx_journeys_path_counts), so that shards can
 * be merged by summing.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fileno, fstat */
#endif
#include "journey_private.h"
#include "../base/csvread.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>

struct cx_paths {
    cxi_mem mem;
    cxi_pool names;       /* state names; code = id */
    uint32_t *st;         /* the states of every distinct path, concatenated */
    size_t nst, stcap;
    cxi_seqmap map;       /* distinct paths: slices of st */
    double *conv, *null, *value; /* per distinct path */
    size_t cap;
    double wfirst, wlast;
};

int cx_paths_new_with_allocator(cx_paths **out, cx_alloc_fn alloc, void *ud)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_paths_new: out is NULL");
    *out = NULL;
    cx_paths *p = CXI_NEW(cx_paths, alloc, ud);
    if (!p)
        return cxi_fail(CX_ENOMEM, "cx_paths_new: out of memory");
    cxi_pool_init(&p->names);
    cxi_seqmap_init(&p->map, NULL);
    p->wfirst = p->wlast = 0.4;
    *out = p;
    return CX_OK;
}

int cx_paths_new(cx_paths **out)
{
    return cx_paths_new_with_allocator(out, NULL, NULL);
}

void cx_paths_free(cx_paths *p)
{
    if (!p)
        return;
    cxi_mem mem = p->mem;
    cxi_pool_free(&mem, &p->names);
    cxi_seqmap_free(&mem, &p->map);
    cxi_free(&mem, p->st, p->stcap * sizeof *p->st);
    cxi_free(&mem, p->conv, p->cap * sizeof *p->conv);
    cxi_free(&mem, p->null, p->cap * sizeof *p->null);
    cxi_free(&mem, p->value, p->cap * sizeof *p->value);
    cxi_free(&mem, p, sizeof *p);
}

size_t cx_paths_count(const cx_paths *p) { return p ? p->map.n : 0; }
size_t cx_paths_state_count(const cx_paths *p) { return p ? p->names.count : 0; }

int cx_paths_set_position_weights(cx_paths *p, double first, double last)
{
    if (!p)
        return cxi_fail(CX_EINVAL, "cx_paths_set_position_weights: paths is NULL");
    if (!(first >= 0 && first <= 1 && last >= 0 && last <= 1 && first + last <= 1))
        return cxi_fail(CX_EINVAL,
                        "cx_paths_set_position_weights: first %g and last %g must be 0 to 1 with a sum <= 1", first,
                        last);
    p->wfirst = first;
    p->wlast = last;
    return CX_OK;
}

/* ---- adding paths ---------------------------------------------------------- */

/* Where the rows of a batch come from: a file's lines, or nothing (rows
 * are then numbered from 0). Set by cx_paths_import_csv for add_rows. */
typedef struct row_src {
    const char *file;
    const uint64_t *line;
} row_src;

/* The row of a batch as the messages name it: " FILE:LINE:" for a file,
 * else " row i:" when n > 1. */
static const char *row_name(char *buf, size_t cap, const row_src *src, size_t i, size_t n)
{
    buf[0] = 0;
    if (src)
        snprintf(buf, cap, " %.200s:%llu:", src->file, (unsigned long long)src->line[i]);
    else if (n > 1)
        snprintf(buf, cap, " row %zu:", i);
    return buf;
}

/* Checks the counts of row i, naming fn and, with n > 1, the row. */
static int check_counts(const char *fn, const row_src *src, size_t i, size_t n, double conv, double null,
                        double value)
{
    if (isfinite(conv) && conv >= 0 && isfinite(null) && null >= 0 && conv + null > 0 && isfinite(value) &&
        (conv != 0 || value == 0))
        return CX_OK;
    char row[300];
    row_name(row, sizeof row, src, i, n);
    if (!isfinite(conv) || conv < 0)
        return cxi_fail(CX_EINVAL, "%s:%s conversions %g must be finite and >= 0", fn, row, conv);
    if (!isfinite(null) || null < 0)
        return cxi_fail(CX_EINVAL, "%s:%s nulls %g must be finite and >= 0", fn, row, null);
    if (!(conv + null > 0))
        return cxi_fail(CX_EINVAL, "%s:%s conversions + nulls must be > 0", fn, row);
    if (!isfinite(value))
        return cxi_fail(CX_EINVAL, "%s:%s value %g must be finite", fn, row, value);
    return cxi_fail(CX_EINVAL, "%s:%s value %g without conversions", fn, row, value);
}

static bool is_blank(char c) { return c == ' ' || c == '\t'; }

/* Appends one state to st (growing it); CX_ENOMEM or CX_ELIMIT. */
static int push_state(cx_paths *p, uint32_t code)
{
    if (p->nst >= CXI_MAX_ROWS)
        return CX_ELIMIT;
    if (p->nst >= p->stcap) {
        if (cxi_grow(&p->mem, &p->st, &p->stcap, p->nst + 1, sizeof *p->st))
            return CX_ENOMEM;
        p->map.base = p->st;
    }
    p->st[p->nst++] = code;
    return CX_OK;
}

/* The state names met lately: a small direct-mapped table from a name's
 * first bytes and length to its code, so that most states cost a compare
 * instead of the pool's hash (a path table has few distinct names). */
#define NAME_CACHE 64
typedef struct name_cache {
    uint32_t code[NAME_CACHE]; /* CXI_NONE: empty */
} name_cache;

static size_t name_slot(const char *x, size_t n)
{
    uint64_t w = 0;
    memcpy(&w, x, n < 8 ? n : 8);
    w ^= (uint64_t)n * 0x9e3779b97f4a7c15u ^ (uint64_t)(unsigned char)x[n - 1] << 56;
    w *= 0xff51afd7ed558ccdu;
    return (size_t)(w >> 58) & (NAME_CACHE - 1);
}

/* The code of name x[0..n), added to the pool when new. CX_ENOMEM. */
static int name_code(cx_paths *p, name_cache *nc, const char *x, size_t n, uint32_t *code)
{
    size_t k = name_slot(x, n);
    uint32_t c = nc->code[k];
    if (c != CXI_NONE && c < p->names.count) {
        const char *t = cxi_pool_str(&p->names, c);
        if (strncmp(t, x, n) == 0 && t[n] == 0) {
            *code = c;
            return CX_OK;
        }
    }
    int rc = cxi_pool_intern(&p->mem, &p->names, x, n, code);
    if (!rc)
        nc->code[k] = *code;
    return rc;
}

/* Splits one path into states appended to st and finds or adds its id.
 * Reports the failure, naming fn and, with n > 1, the row. */
static int add_one(cx_paths *p, name_cache *nc, const char *fn, const row_src *src, size_t i, size_t n,
                   const char *path, const char *sep, size_t seplen, uint32_t *id)
{
    char row[300];
    if (!path)
        return cxi_fail(CX_EINVAL, "%s:%s path is NULL", fn, row_name(row, sizeof row, src, i, n));
    size_t len = strlen(path);
    if (!cxi_utf8_valid(path, len))
        return cxi_fail(CX_EINVAL, "%s:%s the path is not valid UTF-8", fn, row_name(row, sizeof row, src, i, n));
    size_t start = p->nst;
    int pos = 1, rc = CX_OK;
    for (const char *a = path;; pos++) {
        const char *b = strstr(a, sep);
        const char *e = b ? b : path + len;
        const char *x = a, *y = e;
        while (x < y && is_blank(*x))
            x++;
        while (y > x && is_blank(y[-1]))
            y--;
        if (x == y) {
            p->nst = start;
            if (len == 0)
                return cxi_fail(CX_EINVAL, "%s:%s the path is empty", fn, row_name(row, sizeof row, src, i, n));
            return cxi_fail(CX_EINVAL, "%s:%s path \"%.60s\": state %d is empty", fn,
                            row_name(row, sizeof row, src, i, n), path, pos);
        }
        uint32_t code;
        if ((rc = name_code(p, nc, x, (size_t)(y - x), &code)) || (rc = push_state(p, code)))
            break;
        if (!b)
            break;
        a = b + seplen;
    }
    if (!rc && p->nst - start > UINT32_MAX)
        rc = CX_ELIMIT;
    if (!rc) {
        size_t before = p->map.n;
        rc = cxi_seqmap_get(&p->mem, &p->map, (uint32_t)start, (uint32_t)(p->nst - start), id);
        if (!rc && p->map.n == before)
            p->nst = start; /* a path already known: its states are stored once */
    }
    if (!rc && p->map.n > p->cap) {
        size_t old = p->cap;
        void *const arrs[] = {&p->conv, &p->null, &p->value};
        const size_t elems[] = {sizeof *p->conv, sizeof *p->null, sizeof *p->value};
        if (cxi_grow_all(&p->mem, &p->cap, p->map.n, 3, arrs, elems))
            rc = CX_ENOMEM;
        else
            for (size_t k = old; k < p->cap; k++)
                p->conv[k] = p->null[k] = p->value[k] = 0;
    }
    if (rc) {
        p->nst = start;
        row_name(row, sizeof row, src, i, n);
        if (rc == CX_ELIMIT)
            return cxi_fail(CX_ELIMIT, "%s:%s more paths or states than a table can number", fn, row);
        return cxi_fail(CX_ENOMEM, "%s:%s out of memory", fn, row);
    }
    return CX_OK;
}

static int add_rows(cx_paths *p, const char *fn, const row_src *src, size_t n, const char *const *path,
                    const char *sep, const double *conv, const double *null, const double *value)
{
    if (!p)
        return cxi_fail(CX_EINVAL, "%s: paths is NULL", fn);
    if (!sep || !*sep)
        return cxi_fail(CX_EINVAL, "%s: the separator is NULL or empty", fn);
    if (n == 0)
        return CX_OK;
    if (!path || !conv)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !path ? "path" : "conversions");
    for (size_t i = 0; i < n; i++) {
        int rc = check_counts(fn, src, i, n, conv[i], null ? null[i] : 0, value ? value[i] : 0);
        if (rc)
            return rc;
    }
    uint32_t *ids = cxi_alloc(&p->mem, n * sizeof *ids);
    if (!ids)
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, n);
    uint32_t names0 = p->names.count;
    size_t nst0 = p->nst, np0 = p->map.n, seplen = strlen(sep);
    int rc = CX_OK;
    name_cache nc;
    memset(nc.code, 0xFF, sizeof nc.code);
    /* room for every row being a new path, so that nothing grows row by row
     * (a refusal here is only a lost shortcut: add_one grows as it needs) */
    if (!cxi_seqmap_reserve(&p->mem, &p->map, np0 + n) && np0 + n > p->cap) {
        size_t old = p->cap;
        void *const arrs[] = {&p->conv, &p->null, &p->value};
        const size_t elems[] = {sizeof *p->conv, sizeof *p->null, sizeof *p->value};
        if (!cxi_grow_all(&p->mem, &p->cap, np0 + n, 3, arrs, elems)) {
            for (int a = 0; a < 3; a++)
                cxi_prefault(*(double **)arrs[a] + old, (p->cap - old) * sizeof(double));
            for (size_t k = old; k < p->cap; k++)
                p->conv[k] = p->null[k] = p->value[k] = 0;
        }
    }
    for (size_t i = 0; i < n && !rc; i++)
        rc = add_one(p, &nc, fn, src, i, n, path[i], sep, seplen, &ids[i]);
    if (rc) {
        /* all or nothing: forget the names, states and paths this call added */
        cxi_seqmap_truncate(&p->map, np0);
        p->nst = nst0;
        cxi_pool_truncate(&p->mem, &p->names, names0);
    } else {
        for (size_t i = 0; i < n; i++) {
            p->conv[ids[i]] += conv[i];
            p->null[ids[i]] += null ? null[i] : 0;
            p->value[ids[i]] += value ? value[i] : 0;
        }
    }
    cxi_free(&p->mem, ids, n * sizeof *ids);
    return rc;
}

int cx_paths_add(cx_paths *p, const char *path, const char *sep, double conv, double null, double value)
{
    return add_rows(p, "cx_paths_add", NULL, 1, &path, sep, &conv, &null, &value);
}

int cx_paths_add_batch(cx_paths *p, size_t n, const char *const *path, const char *sep, const double *conv,
                       const double *null, const double *value)
{
    return add_rows(p, "cx_paths_add_batch", NULL, n, path, sep, conv, null, value);
}

/* ---- the table ------------------------------------------------------------- */

/* Checks that no state name holds the separator. */
static int check_separator(const char *fn, const cxi_pool *names, const char *sep)
{
    if (!sep || !*sep)
        return cxi_fail(CX_EINVAL, "%s: the separator is NULL or empty", fn);
    for (uint32_t c = 0; c < names->count; c++)
        if (strstr(cxi_pool_str(names, c), sep))
            return cxi_fail(CX_EINVAL, "%s: the state name \"%.60s\" holds the separator \"%s\"", fn,
                            cxi_pool_str(names, c), sep);
    return CX_OK;
}

static const char *pool_name(const void *ctx, uint32_t code)
{
    return cxi_pool_str(ctx, code);
}

int cxi_join_states(cxi_mem *m, char **buf, size_t *cap, cxi_state_name name, const void *ctx, const uint32_t *st,
                    size_t n, const char *sep)
{
    size_t seplen = strlen(sep), need = 1;
    for (size_t i = 0; i < n; i++)
        need += strlen(name(ctx, st[i])) + seplen;
    if (need > *cap) {
        size_t nc = *cap ? *cap : 256;
        while (nc < need)
            nc *= 2;
        char *b = cxi_realloc(m, *buf, *cap, nc);
        if (!b)
            return CX_ENOMEM;
        *buf = b;
        *cap = nc;
    }
    char *q = *buf;
    for (size_t i = 0; i < n; i++) {
        if (i) {
            memcpy(q, sep, seplen);
            q += seplen;
        }
        const char *s = name(ctx, st[i]);
        size_t l = strlen(s);
        memcpy(q, s, l);
        q += l;
    }
    *q = 0;
    return CX_OK;
}

int cx_paths_table(cx_result **out, const cx_paths *p, const char *sep)
{
    static const char *const fn = "cx_paths_table";
    static const char *const names[] = {"path", "length", "conversions", "nulls", "value"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_INT, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL};
    if (!out || !p)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !out ? "out" : "paths");
    *out = NULL;
    int rc = check_separator(fn, &p->names, sep);
    if (rc)
        return rc;
    cx_result *t;
    if (cxi_result_new(&t, &p->mem, p->map.n, 5, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, p->map.n);
    cxi_mem m = p->mem;
    char *buf = NULL;
    size_t cap = 0;
    for (size_t k = 0; k < p->map.n && !rc; k++) {
        rc = cxi_join_states(&m, &buf, &cap, pool_name, &p->names, p->st + p->map.off[k], p->map.len[k], sep);
        if (!rc)
            rc = cxi_result_set_text(t, 0, k, buf);
        cxi_result_set_int(t, 1, k, p->map.len[k]);
        cxi_result_set_real(t, 2, k, p->conv[k]);
        cxi_result_set_real(t, 3, k, p->null[k]);
        cxi_result_set_real(t, 4, k, p->value[k]);
    }
    cxi_free(&m, buf, cap);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the paths of %zu rows", fn, p->map.n);
    }
    *out = t;
    return CX_OK;
}

/* ---- attribution ----------------------------------------------------------- */

enum {
    P_NAME, P_RE, P_MARKOV, P_REV, P_MARKOVV, P_FIRST, P_LAST, P_LINEAR, P_POS, P_FIRSTV, P_LASTV, P_LINEARV,
    P_POSV, P_NCOLS
};

typedef struct pattr_ctx {
    const double *acc;
    const cxi_pool *names;
} pattr_ctx;

static int cmp_pattr(const void *ctx, uint32_t a, uint32_t b)
{
    const pattr_ctx *x = ctx;
    double ma = x->acc[a * P_NCOLS + P_MARKOV], mb = x->acc[b * P_NCOLS + P_MARKOV];
    if (ma != mb)
        return ma > mb ? -1 : 1;
    return strcmp(cxi_pool_str(x->names, a), cxi_pool_str(x->names, b));
}

/* The heuristic credits of every converting path, and each final state's
 * mean conversion value (convval, convn: per chain state, START last). */
static void pattr_heuristics(const cx_paths *p, const cxi_chain *c, double *acc, double *convval, double *convn,
                             double *total_conv, double *total_val)
{
    double wf = p->wfirst, wl = p->wlast;
    for (size_t k = 0; k < p->map.n; k++) {
        if (!(p->conv[k] > 0))
            continue;
        const uint32_t *st = p->st + p->map.off[k];
        size_t len = p->map.len[k];
        uint32_t last = c->sid[p->map.off[k] + len - 1];
        *total_conv += p->conv[k];
        *total_val += p->value[k];
        convval[last] += p->value[k];
        convn[last] += p->conv[k];
        double w[2] = {p->conv[k], p->value[k]};
        for (int v = 0; v < 2; v++) {
            int off = v ? P_FIRSTV - P_FIRST : 0;
            acc[st[0] * P_NCOLS + P_FIRST + off] += w[v];
            acc[st[len - 1] * P_NCOLS + P_LAST + off] += w[v];
            for (size_t i = 0; i < len; i++) {
                double pos = len == 1       ? 1
                             : len == 2     ? 0.5
                             : i == 0       ? wf
                             : i == len - 1 ? wl
                                            : (1 - wf - wl) / (double)(len - 2);
                acc[st[i] * P_NCOLS + P_LINEAR + off] += w[v] / (double)len;
                acc[st[i] * P_NCOLS + P_POS + off] += w[v] * pos;
            }
        }
    }
}

static int pattr_table(cx_result **out, const cx_paths *p, const double *acc, const uint32_t *order_idx, size_t nc)
{
    static const char *const names[P_NCOLS] = {
        "name",        "removal_effect", "markov",           "removal_effect_value", "markov_value",
        "first_touch", "last_touch",     "linear",           "position_based",       "first_touch_value",
        "last_touch_value", "linear_value", "position_based_value"};
    int types[P_NCOLS];
    for (int c = 0; c < P_NCOLS; c++)
        types[c] = c == P_NAME ? CX_TYPE_STRING : CX_TYPE_REAL;
    cx_result *t;
    if (cxi_result_new(&t, &p->mem, nc, P_NCOLS, names, types))
        return CX_ENOMEM;
    for (size_t r = 0; r < nc; r++) {
        uint32_t code = order_idx[r];
        if (cxi_result_set_text(t, P_NAME, r, cxi_pool_str(&p->names, code))) {
            cx_result_free(t);
            return CX_ENOMEM;
        }
        for (int col = 1; col < P_NCOLS; col++)
            cxi_result_set_real(t, (size_t)col, r, acc[code * P_NCOLS + col]);
    }
    *out = t;
    return CX_OK;
}

int cx_paths_attribution(cx_result **out, const cx_paths *p, int order)
{
    static const char *const fn = "cx_paths_attribution";
    if (!out || !p)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !out ? "out" : "paths");
    *out = NULL;
    int rc = cxi_chain_check_order(fn, order);
    if (rc)
        return rc;
    cxi_mem m = p->mem;
    size_t np = p->map.n, nc = p->names.count, nc1 = nc ? nc : 1, np1 = np ? np : 1;
    uint32_t *end = cxi_alloc(&m, np1 * sizeof *end), *codes = cxi_alloc(&m, nc1 * sizeof *codes);
    double *acc = cxi_jzalloc(&m, nc1 * P_NCOLS * sizeof *acc);
    double *re = cxi_alloc(&m, nc1 * sizeof *re), *rev = cxi_alloc(&m, nc1 * sizeof *rev);
    cxi_chain c;
    memset(&c, 0, sizeof c);
    double *convval = NULL, *convn = NULL;
    size_t ns1 = 0;
    if (!end || !codes || !acc || !re || !rev) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu paths", fn, np);
        goto done;
    }
    for (size_t k = 0; k < np; k++)
        end[k] = p->map.off[k] + p->map.len[k];
    for (size_t u = 0; u < nc; u++)
        codes[u] = (uint32_t)u;
    cxi_chain_src src = {.st = p->st, .nst = p->nst, .n = np, .off = p->map.off, .end = end, .wconv = p->conv,
                         .wnull = p->null};
    if ((rc = cxi_chain_build(fn, &m, &src, order, &c)))
        goto done;
    ns1 = c.ns + 1;
    convval = cxi_jzalloc(&m, ns1 * sizeof *convval);
    convn = cxi_jzalloc(&m, ns1 * sizeof *convn);
    if (!convval || !convn) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu chain states", fn, c.ns);
        goto done;
    }
    double total_conv = 0, total_val = 0, vscale = 0;
    pattr_heuristics(p, &c, acc, convval, convn, &total_conv, &total_val);
    for (size_t s = 0; s < ns1; s++) {
        convval[s] = convn[s] > 0 ? convval[s] / convn[s] : 0;
        if (convval[s] > vscale)
            vscale = convval[s];
    }
    if (vscale <= 0)
        vscale = 1;
    if ((rc = cxi_chain_removal(fn, &m, &c, convval, vscale, nc, codes, re, rev)))
        goto done;
    double sum_re = 0, sum_rev = 0;
    for (size_t u = 0; u < nc; u++) {
        sum_re += re[u];
        sum_rev += rev[u];
    }
    for (size_t u = 0; u < nc; u++) {
        double *a = acc + u * P_NCOLS;
        a[P_RE] = re[u];
        a[P_REV] = rev[u];
        a[P_MARKOV] = sum_re > 0 ? re[u] / sum_re * total_conv : 0;
        a[P_MARKOVV] = sum_rev > 0 ? rev[u] / sum_rev * total_val : 0;
    }
    pattr_ctx ax = {acc, &p->names};
    if (cxi_jsort(&m, codes, nc, cmp_pattr, &ax) || pattr_table(out, p, acc, codes, nc))
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, nc);
done:
    cxi_free(&m, convval, ns1 * sizeof *convval);
    cxi_free(&m, convn, ns1 * sizeof *convn);
    cxi_chain_free(&m, &c);
    cxi_free(&m, end, np1 * sizeof *end);
    cxi_free(&m, codes, nc1 * sizeof *codes);
    cxi_free(&m, acc, nc1 * P_NCOLS * sizeof *acc);
    cxi_free(&m, re, nc1 * sizeof *re);
    cxi_free(&m, rev, nc1 * sizeof *rev);
    return rc;
}

/* ---- reading a CSV file ------------------------------------------------------ */

/* A count field as a number: the whole field, spaces around allowed. */
static bool csv_number(const cxi_csv_field *f, double *v)
{
    char *end;
    const char *s = f->s;
    while (*s == ' ' || *s == '\t')
        s++;
    if (!*s)
        return false;
    *v = strtod(s, &end);
    while (*end == ' ' || *end == '\t')
        end++;
    return *end == 0;
}

enum { PC_PATH, PC_CONV, PC_NULL, PC_VALUE, PC_COUNT };

int cx_paths_import_csv(cx_paths *p, const char *file, const char *sep, const char *path_column,
                        const char *conversions_column, const char *nulls_column, const char *value_column)
{
    static const char *const fn = "cx_paths_import_csv";
    static const char *const what[PC_COUNT] = {"path", "conversions", "nulls", "value"};
    if (!p)
        return cxi_fail(CX_EINVAL, "%s: paths is NULL", fn);
    if (!file)
        return cxi_fail(CX_EINVAL, "%s: file is NULL", fn);
    if (!sep || !*sep)
        return cxi_fail(CX_EINVAL, "%s: the separator is NULL or empty", fn);
    if (!path_column || !conversions_column)
        return cxi_fail(CX_EINVAL, "%s: the %s column is NULL", fn, !path_column ? "path" : "conversions");
    const char *want[PC_COUNT] = {path_column, conversions_column, nulls_column, value_column};
    cxi_mem *m = &p->mem;
    char *buf = NULL;
    size_t len = 0, cap = 0, pos = 0;
    int rc = cxi_csv_read_whole(m, fn, file, &buf, &len, &cap);
    if (rc)
        return rc;
    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0)
        pos = 3;
    enum { MAXF = 256 };
    cxi_csv_field f[MAXF];
    int nf = 0, col[PC_COUNT] = {-1, -1, -1, -1};
    uint64_t line = 1;
    /* the header */
    int got = cxi_csv_record(buf, len, &pos, &line, f, MAXF, &nf);
    if (got <= 0)
        rc = cxi_fail(CX_EINVAL, "%s: %s: %s", fn, file, got < 0 ? "a quote is not closed" : "the file is empty");
    for (int c = 0; !rc && c < PC_COUNT; c++) {
        if (!want[c])
            continue;
        for (int k = 0; k < nf && k < MAXF; k++)
            if (strcmp(f[k].s, want[c]) == 0) {
                col[c] = k;
                break;
            }
        if (col[c] < 0)
            rc = cxi_fail(CX_EINVAL, "%s: %s: no column \"%s\" (the %s) in the header", fn, file, want[c], what[c]);
    }
    /* the rows, into arrays sized once by the rows the first 64 kB suggest;
     * the paths point into the buffer */
    size_t nrow = 0, rcap = 0;
    const char **path = NULL;
    double *num[3] = {NULL, NULL, NULL};
    uint64_t *lines = NULL;
    if (!rc) {
        size_t most = 1, span = len - pos < ((size_t)1 << 16) ? len - pos : (size_t)1 << 16;
        for (const char *q = buf + pos; (q = memchr(q, '\n', (size_t)(buf + pos + span - q))) != NULL; q++)
            most++;
        if (span < len - pos) /* a guess from the first 64 kB, 1/16 more; the arrays grow past it */
            most = (size_t)((double)most * (double)(len - pos) / (double)span * 1.0625) + 16;
        void *const arrs[] = {&path, &num[0], &num[1], &num[2], &lines};
        const size_t elems[] = {sizeof *path, sizeof(double), sizeof(double), sizeof(double), sizeof *lines};
        if (cxi_grow_all(m, &rcap, most, 5, arrs, elems) == CX_OK)
            for (int k = 0; k < 5; k++)
                cxi_prefault(*(void **)arrs[k], most * elems[k]);
    }
    while (!rc) {
        uint64_t at = line;
        got = cxi_csv_record(buf, len, &pos, &line, f, MAXF, &nf);
        if (got == 0)
            break;
        if (got < 0) {
            rc = cxi_fail(CX_EINVAL, "%s: %s:%llu: a quote is not closed", fn, file, (unsigned long long)at);
            break;
        }
        if (nf == 1 && f[0].len == 0)
            continue; /* a blank line */
        if (nrow == rcap) {
            void *const arrs[] = {&path, &num[0], &num[1], &num[2], &lines};
            const size_t elems[] = {sizeof *path, sizeof(double), sizeof(double), sizeof(double), sizeof *lines};
            if (cxi_grow_all(m, &rcap, nrow + 1, 5, arrs, elems)) {
                rc = cxi_fail(CX_ENOMEM, "%s: %s: out of memory for %zu rows", fn, file, nrow + 1);
                break;
            }
        }
        for (int c = 0; !rc && c < PC_COUNT; c++) {
            if (col[c] < 0) {
                num[c - 1][nrow] = 0;
                continue;
            }
            if (col[c] >= nf || col[c] >= MAXF) {
                rc = cxi_fail(CX_EINVAL, "%s: %s:%llu: %d fields, no column %d (\"%s\")", fn, file,
                              (unsigned long long)at, nf, col[c] + 1, want[c]);
                break;
            }
            if (c == PC_PATH) {
                path[nrow] = f[col[c]].s;
                continue;
            }
            if (!csv_number(&f[col[c]], &num[c - 1][nrow]))
                rc = cxi_fail(CX_EINVAL, "%s: %s:%llu, column %d (\"%s\"): \"%.40s\" is not a number", fn, file,
                              (unsigned long long)at, col[c] + 1, want[c], f[col[c]].s);
        }
        lines[nrow++] = at;
    }
    if (!rc) {
        row_src src = {file, lines};
        rc = add_rows(p, fn, &src, nrow, path, sep, num[0], num[1], num[2]);
    }
    void *const arrs[] = {path, num[0], num[1], num[2], lines};
    const size_t elems[] = {sizeof *path, sizeof(double), sizeof(double), sizeof(double), sizeof *lines};
    for (int k = 0; k < 5; k++)
        cxi_free(m, arrs[k], rcap * elems[k]);
    cxi_free(m, buf, cap);
    return rc;
}

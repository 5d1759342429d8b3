/*
 * Service cycles (include/cxkit/cycles.h): the case-event log, its CSV
 * import, and the walk that turns each case's events into cycles (one
 * state machine, shared by cx_cycles_run, cx_cycles_summary and
 * cx_cycles_check so that the three never read a log differently).
 */
#include "../base/csvread.h"
#include "../table/table.h"
#include "cxkit/cycles.h"
#include "cxkit/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

struct cx_case_events {
    cxi_mem mem;
    cxi_pool cases;  /* case ids */
    cxi_pool agents; /* agent names */
    uint32_t *cid;   /* per event: case id in `cases` */
    uint32_t *aid;   /* per event: agent in `agents`, CXI_NONE for none */
    int64_t *t;
    uint8_t *kind;
    size_t n, cap;
};

struct cx_cycles_options {
    cxi_mem mem;
    int strict;
    int by;
};

static const char *const kind_names[CX_CASE_EVENT_KIND_COUNT] = {"opened", "resolved", "reopened"};

int cx_case_event_kind_name(const char **out, int kind)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_case_event_kind_name: out is NULL");
    if (kind < 0 || kind >= CX_CASE_EVENT_KIND_COUNT)
        return cxi_fail(CX_EINVAL, "cx_case_event_kind_name: %d is not an event kind (0 to %d)", kind,
                        CX_CASE_EVENT_KIND_COUNT - 1);
    *out = kind_names[kind];
    return CX_OK;
}

static bool ascii_ieq(const char *a, const char *b)
{
    for (; *a && *b; a++, b++) {
        char x = *a >= 'A' && *a <= 'Z' ? (char)(*a + 32) : *a;
        if (x != *b)
            return false;
    }
    return *a == *b;
}

/* The kind of a name, -1 when none: the names, and the synonyms helpdesks use. */
static int kind_of(const char *name)
{
    static const struct {
        const char *name;
        int kind;
    } names[] = {{"opened", CX_CASE_EVENT_OPENED},     {"open", CX_CASE_EVENT_OPENED},
                 {"resolved", CX_CASE_EVENT_RESOLVED}, {"solved", CX_CASE_EVENT_RESOLVED},
                 {"reopened", CX_CASE_EVENT_REOPENED}, {"reopen", CX_CASE_EVENT_REOPENED}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        if (ascii_ieq(name, names[i].name))
            return names[i].kind;
    return -1;
}

int cx_case_event_kind_find(int *out, const char *name)
{
    if (!out || !name)
        return cxi_fail(CX_EINVAL, "cx_case_event_kind_find: %s is NULL", !out ? "out" : "name");
    int k = kind_of(name);
    if (k < 0) {
        char q[80];
        return cxi_fail(CX_ENOTFOUND, "cx_case_event_kind_find: \"%s\" is not an event kind (opened, resolved, reopened)",
                        cxi_quote(q, name));
    }
    *out = k;
    return CX_OK;
}

/* ---- the log --------------------------------------------------------------- */

int cx_case_events_new_with_allocator(cx_case_events **out, cx_alloc_fn alloc, void *ud)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_case_events_new: out is NULL");
    *out = NULL;
    cx_case_events *e = CXI_NEW(cx_case_events, alloc, ud);
    if (!e)
        return cxi_fail(CX_ENOMEM, "cx_case_events_new: out of memory");
    cxi_pool_init(&e->cases);
    cxi_pool_init(&e->agents);
    *out = e;
    return CX_OK;
}

int cx_case_events_new(cx_case_events **out) { return cx_case_events_new_with_allocator(out, NULL, NULL); }

/* Zeroes the strings of a pool (case ids and agent names may be personal). */
static void pool_wipe(cxi_pool *p)
{
    for (uint32_t i = 0; i < p->count; i++)
        cxi_wipe((char *)cxi_pool_str(p, i), cxi_pool_len(p, i));
}

static void free_arrays(cxi_mem *m, uint32_t *cid, uint32_t *aid, int64_t *t, uint8_t *kind, size_t cap)
{
    cxi_free(m, cid, cap * sizeof *cid);
    cxi_free(m, aid, cap * sizeof *aid);
    cxi_free(m, t, cap * sizeof *t);
    cxi_free(m, kind, cap * sizeof *kind);
}

void cx_case_events_free(cx_case_events *e)
{
    if (!e)
        return;
    cxi_mem mem = e->mem;
    pool_wipe(&e->cases);
    pool_wipe(&e->agents);
    cxi_pool_free(&mem, &e->cases);
    cxi_pool_free(&mem, &e->agents);
    free_arrays(&mem, e->cid, e->aid, e->t, e->kind, e->cap);
    cxi_free(&mem, e, sizeof *e);
}

size_t cx_case_events_count(const cx_case_events *e) { return e ? e->n : 0; }
size_t cx_case_events_case_count(const cx_case_events *e) { return e ? e->cases.count : 0; }

/* Where a row comes from, for the messages: a file's line (and the header
 * names of the columns), or an add call. */
typedef struct row_src {
    const char *file;
    uint64_t line;
    const int *col;            /* 1-based file column of case, time, event, agent */
    const char *const *names;  /* their header names */
} row_src;

enum { F_CASE, F_TIME, F_EVENT, F_AGENT, F_COUNT };

static const char *where(char *buf, size_t cap, const row_src *src, int field)
{
    buf[0] = 0;
    if (src)
        snprintf(buf, cap, " %.200s:%llu, column %d (\"%s\"):", src->file, (unsigned long long)src->line,
                 src->col[field], src->names[field]);
    return buf;
}

/* Checks one event; the message names fn and, for a file, the place. */
static int check_event(const char *fn, const row_src *src, const char *case_id, cx_time t, int kind,
                       const char *agent)
{
    char w[300];
    if (!case_id)
        return cxi_fail(CX_EINVAL, "%s:%s case_id is NULL", fn, where(w, sizeof w, src, F_CASE));
    if (!*case_id)
        return cxi_fail(CX_EINVAL, "%s:%s the case id is empty", fn, where(w, sizeof w, src, F_CASE));
    if (!cxi_utf8_valid(case_id, strlen(case_id)))
        return cxi_fail(CX_EINVAL, "%s:%s the case id is not valid UTF-8", fn, where(w, sizeof w, src, F_CASE));
    char q[80];
    if (t == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "%s:%s case \"%s\": the time is missing", fn, where(w, sizeof w, src, F_TIME),
                        cxi_quote(q, case_id));
    if (t < CXI_TIME_MIN || t > CXI_TIME_MAX)
        return cxi_fail(CX_ERANGE, "%s:%s case \"%s\": time %lld is outside years 0000-9999", fn,
                        where(w, sizeof w, src, F_TIME), cxi_quote(q, case_id), (long long)t);
    if (kind < 0 || kind >= CX_CASE_EVENT_KIND_COUNT)
        return cxi_fail(CX_EINVAL, "%s:%s case \"%s\": %d is not an event kind (0 to %d)", fn,
                        where(w, sizeof w, src, F_EVENT), cxi_quote(q, case_id), kind,
                        CX_CASE_EVENT_KIND_COUNT - 1);
    if (agent && !*agent)
        return cxi_fail(CX_EINVAL, "%s:%s case \"%s\": the agent is empty (give NULL for none)", fn,
                        where(w, sizeof w, src, F_AGENT), cxi_quote(q, case_id));
    if (agent && !cxi_utf8_valid(agent, strlen(agent)))
        return cxi_fail(CX_EINVAL, "%s:%s case \"%s\": the agent is not valid UTF-8", fn,
                        where(w, sizeof w, src, F_AGENT), cxi_quote(q, case_id));
    return CX_OK;
}

/* Appends one checked event; on failure the log is as before (the caller
 * rolls back earlier events of a batch). */
static int append(cx_case_events *e, const char *fn, const char *case_id, cx_time t, int kind, const char *agent)
{
    if (e->n >= CXI_MAX_ROWS)
        return cxi_fail(CX_ELIMIT, "%s: the log holds the most events it can number (%zu)", fn, e->n);
    if (e->n >= e->cap) {
        void *const arrs[] = {&e->cid, &e->aid, &e->t, &e->kind};
        const size_t elems[] = {sizeof *e->cid, sizeof *e->aid, sizeof *e->t, sizeof *e->kind};
        if (cxi_grow_all(&e->mem, &e->cap, e->n + 1, 4, arrs, elems))
            return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu events", fn, e->n + 1);
    }
    uint32_t c0 = e->cases.count, cid, aid = CXI_NONE;
    if (cxi_pool_intern(&e->mem, &e->cases, case_id, strlen(case_id), &cid))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for a case id", fn);
    if (agent && cxi_pool_intern(&e->mem, &e->agents, agent, strlen(agent), &aid)) {
        if (e->cases.count != c0)
            cxi_pool_drop_last(&e->cases);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for an agent name", fn);
    }
    e->cid[e->n] = cid;
    e->aid[e->n] = aid;
    e->t[e->n] = t;
    e->kind[e->n] = (uint8_t)kind;
    e->n++;
    return CX_OK;
}

int cx_case_events_add(cx_case_events *e, const char *case_id, cx_time t, int kind, const char *agent)
{
    static const char *const fn = "cx_case_events_add";
    if (!e)
        return cxi_fail(CX_EINVAL, "%s: events is NULL", fn);
    int rc = check_event(fn, NULL, case_id, t, kind, agent);
    return rc ? rc : append(e, fn, case_id, t, kind, agent);
}

/* Forgets every event from n0 on and the names added since (a rollback). */
static void truncate_log(cx_case_events *e, size_t n0, uint32_t cases0, uint32_t agents0)
{
    e->n = n0;
    cxi_pool_truncate(&e->mem, &e->cases, cases0);
    cxi_pool_truncate(&e->mem, &e->agents, agents0);
}

int cx_case_events_import_csv(cx_case_events *e, const char *file)
{
    static const char *const fn = "cx_case_events_import_csv";
    static const char *const names[F_COUNT] = {"case", "time", "event", "agent"};
    if (!e)
        return cxi_fail(CX_EINVAL, "%s: events is NULL", fn);
    if (!file)
        return cxi_fail(CX_EINVAL, "%s: file is NULL", fn);
    cxi_csv r;
    int rc = cxi_csv_open(&r, &e->mem, fn, file);
    if (rc)
        return rc;
    enum { MAXF = 256 };
    cxi_csv_field f[MAXF];
    int nf = 0, col[F_COUNT] = {-1, -1, -1, -1};
    int got = cxi_csv_next(&r, f, MAXF, &nf);
    if (got < 0)
        rc = got;
    else if (got == 0)
        rc = cxi_fail(CX_EINVAL, "%s: %s: the file is empty", fn, file);
    for (int k = 0; !rc && k < nf && k < MAXF; k++)
        for (int c = 0; c < F_COUNT; c++)
            if (col[c] < 0 && strcmp(f[k].s, names[c]) == 0)
                col[c] = k;
    for (int c = 0; !rc && c < F_AGENT; c++)
        if (col[c] < 0)
            rc = cxi_fail(CX_EINVAL, "%s: %s: no column \"%s\" in the header (the columns are case, time, event "
                                     "and, optionally, agent)",
                          fn, file, names[c]);
    int colno[F_COUNT];
    for (int c = 0; c < F_COUNT; c++)
        colno[c] = col[c] + 1;
    size_t n0 = e->n;
    uint32_t cases0 = e->cases.count, agents0 = e->agents.count;
    while (!rc && (got = cxi_csv_next(&r, f, MAXF, &nf)) != 0) {
        if (got < 0) {
            rc = got;
            break;
        }
        uint64_t at = r.at;
        row_src src = {file, at, colno, names};
        char w[300];
        for (int c = 0; !rc && c < F_COUNT; c++)
            if (col[c] >= 0 && (col[c] >= nf || col[c] >= MAXF))
                rc = cxi_fail(CX_EINVAL, "%s:%s the row has %d fields", fn, where(w, sizeof w, &src, c), nf);
        if (rc)
            break;
        const cxi_csv_field *ft = &f[col[F_TIME]], *fe = &f[col[F_EVENT]];
        if (strlen(f[col[F_CASE]].s) != f[col[F_CASE]].len || strlen(ft->s) != ft->len ||
            strlen(fe->s) != fe->len || (col[F_AGENT] >= 0 && strlen(f[col[F_AGENT]].s) != f[col[F_AGENT]].len)) {
            rc = cxi_fail(CX_EINVAL, "%s: %s:%llu: a field holds a NUL byte", fn, file, (unsigned long long)at);
            break;
        }
        cx_time t = CX_TIME_NONE;
        if (ft->len && cx_time_parse(&t, ft->s, ft->len) != CX_OK) {
            char q[80];
            rc = cxi_fail(CX_EINVAL, "%s:%s \"%s\" is not an ISO-8601 time", fn, where(w, sizeof w, &src, F_TIME),
                          cxi_quote(q, ft->s));
            break;
        }
        int kind = kind_of(fe->s);
        if (kind < 0) {
            char q[80];
            rc = cxi_fail(CX_EINVAL, "%s:%s \"%s\" is not an event kind (opened, resolved, reopened)", fn,
                          where(w, sizeof w, &src, F_EVENT), cxi_quote(q, fe->s));
            break;
        }
        /* as the store's importer reads them: the apostrophe CXKit's CSV
         * writers put before a formula-like text is taken away, so that
         * ids read here match the store's */
        const char *agent = col[F_AGENT] >= 0 && f[col[F_AGENT]].len ? cxi_csv_unprotect(f[col[F_AGENT]].s) : NULL;
        const char *case_id = cxi_csv_unprotect(f[col[F_CASE]].s);
        if ((rc = check_event(fn, &src, case_id, t, kind, agent)) != CX_OK)
            break;
        if ((rc = append(e, fn, case_id, t, kind, agent)) != CX_OK) {
            char m[400];
            snprintf(m, sizeof m, "%s", cx_last_error());
            rc = cxi_fail(rc, "%s (%s:%llu)", m, file, (unsigned long long)at);
        }
    }
    if (rc)
        truncate_log(e, n0, cases0, agents0);
    cxi_csv_close(&r);
    return rc;
}

/* ---- cases and their order ------------------------------------------------- */

typedef struct case_key {
    const char *s;
    uint32_t id;
} case_key;

static int cmp_case_key(const void *a, const void *b)
{
    return strcmp(((const case_key *)a)->s, ((const case_key *)b)->s);
}

typedef struct ev_key {
    uint32_t rank; /* the case's place in id order */
    uint32_t seq;  /* the event's place in the log */
    int64_t t;
} ev_key;

static int cmp_ev_key(const void *a, const void *b)
{
    const ev_key *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* ---- the walk -------------------------------------------------------------- */

enum {
    P_BEFORE_OPENING, P_OPENED_AGAIN, P_RESOLVED_TWICE, P_REOPENED_OPEN, P_NO_OPENING, P_NOT_IN_STORE, P_STORE
};
static const char *const problem_text[] = {"before the opening",  "opened again",  "resolved twice",
                                           "reopened while open", "no opening",    "case not in the store",
                                           NULL};

typedef struct cycle {
    uint32_t cs;     /* case id in the log's pool */
    uint32_t number; /* 1, 2, ... */
    uint32_t agent;  /* event agent: of the resolution, else of the opening; CXI_NONE */
    uint32_t ignored;
    int64_t opened, resolved; /* resolved: CX_TIME_NONE while open */
    size_t row;               /* the case's row in the store, SIZE_MAX for none */
    uint32_t case_reopens;
    bool reopened;
} cycle;

typedef struct problem {
    uint32_t cs;
    int what;   /* P_* */
    int kind;   /* the event's kind, -1 for the whole case */
    int64_t t;  /* CX_TIME_NONE for the whole case */
    size_t row; /* P_STORE: the case's row in the store */
} problem;

typedef struct walk {
    cxi_mem *m;
    const char *fn;
    const cx_case_events *e;
    const cx_store *store;
    bool strict;
    bool problems; /* collect problems (cx_cycles_check) */
    cycle *c;
    size_t nc, ccap;
    problem *p;
    size_t np, pcap;
} walk;

static void walk_free(walk *w)
{
    cxi_free(w->m, w->c, w->ccap * sizeof *w->c);
    cxi_free(w->m, w->p, w->pcap * sizeof *w->p);
}

/* The store's case row, SIZE_MAX when absent. */
static size_t store_row(const cx_store *store, const char *id)
{
    size_t row;
    if (!store || cx_store_find(&row, store, CX_TABLE_CASES, id) != CX_OK)
        return SIZE_MAX;
    return row;
}

/* A problem: collected, or in strict mode the failure. */
static int problem_at(walk *w, uint32_t cs, int what, int kind, int64_t t)
{
    if (w->strict) {
        char q[80], ts[CX_TIME_FORMAT_MAX] = "";
        const char *id = cxi_quote(q, cxi_pool_str(&w->e->cases, cs));
        if (what == P_NOT_IN_STORE)
            return cxi_fail(CX_ENOTFOUND, "%s: case \"%s\" of the events is not in the store", w->fn, id);
        if (what == P_NO_OPENING)
            return cxi_fail(CX_EORDER, "%s: case \"%s\" has events but no opening", w->fn, id);
        cx_time_format(ts, sizeof ts, t, 0);
        return cxi_fail(CX_EORDER, "%s: case \"%s\": %s at %s: %s", w->fn, id, kind_names[kind], ts,
                        problem_text[what]);
    }
    if (!w->problems)
        return CX_OK;
    if (cxi_grow(w->m, &w->p, &w->pcap, w->np + 1, sizeof *w->p))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the problems found", w->fn);
    w->p[w->np++] = (problem){cs, what, kind, t, SIZE_MAX};
    return CX_OK;
}

static int new_cycle(walk *w, uint32_t cs, uint32_t number, int64_t opened, uint32_t agent, size_t row)
{
    if (cxi_grow(w->m, &w->c, &w->ccap, w->nc + 1, sizeof *w->c))
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu cycles", w->fn, w->nc + 1);
    w->c[w->nc++] = (cycle){cs, number, agent, 0, opened, CX_TIME_NONE, row, 0, false};
    return CX_OK;
}

/* The events of one case, keys k[0..n), in time order. */
static int walk_case(walk *w, const ev_key *k, size_t n)
{
    const cx_case_events *e = w->e;
    uint32_t cs = e->cid[k[0].seq];
    size_t row = SIZE_MAX;
    if (w->store && (row = store_row(w->store, cxi_pool_str(&e->cases, cs))) == SIZE_MAX)
        return problem_at(w, cs, P_NOT_IN_STORE, -1, CX_TIME_NONE);
    size_t first = w->nc;
    uint32_t before = 0;
    bool open = false;
    int rc = CX_OK;
    for (size_t i = 0; i < n && !rc; i++) {
        uint32_t s = k[i].seq;
        int kind = e->kind[s];
        int64_t t = e->t[s];
        bool started = w->nc > first;
        cycle *cur = started ? &w->c[w->nc - 1] : NULL;
        int bad = -1;
        if (!started) {
            if (kind == CX_CASE_EVENT_OPENED) {
                rc = new_cycle(w, cs, 1, t, e->aid[s], row);
                if (!rc)
                    w->c[w->nc - 1].ignored = before;
                open = true;
                continue;
            }
            bad = P_BEFORE_OPENING;
            before++;
        } else if (kind == CX_CASE_EVENT_OPENED) {
            bad = P_OPENED_AGAIN;
        } else if (kind == CX_CASE_EVENT_RESOLVED) {
            if (open) {
                cur->resolved = t;
                if (e->aid[s] != CXI_NONE)
                    cur->agent = e->aid[s];
                open = false;
            } else {
                bad = P_RESOLVED_TWICE;
            }
        } else if (open) {
            bad = P_REOPENED_OPEN;
        } else {
            cur->reopened = true;
            rc = new_cycle(w, cs, cur->number + 1, t, e->aid[s], row);
            open = true;
        }
        if (bad >= 0) {
            if (started)
                cur->ignored++;
            rc = problem_at(w, cs, bad, kind, t);
        }
    }
    if (!rc && w->nc == first) {
        /* no opening: the events before it are one problem of the case */
        if (w->problems)
            while (w->np > 0 && w->p[w->np - 1].cs == cs && w->p[w->np - 1].what == P_BEFORE_OPENING)
                w->np--;
        rc = problem_at(w, cs, P_NO_OPENING, -1, CX_TIME_NONE);
    }
    for (size_t j = first; j < w->nc; j++)
        w->c[j].case_reopens = (uint32_t)(w->nc - first - 1);
    return rc;
}

/* Sorts one case's events by time, equal times by order of addition:
 * insertion for the few events a case usually has, qsort beyond. */
static void sort_case(ev_key *k, size_t n)
{
    if (n > 16) {
        qsort(k, n, sizeof *k, cmp_ev_key);
        return;
    }
    for (size_t i = 1; i < n; i++) {
        ev_key x = k[i];
        size_t j = i;
        for (; j > 0 && cmp_ev_key(&k[j - 1], &x) > 0; j--)
            k[j] = k[j - 1];
        k[j] = x;
    }
}

/* Walks every case of the log into w->c (by case id, then cycle). The
 * cases are ranked by id (one qsort of the distinct ids); the events are
 * then placed by rank with a counting sort (stable: a case's events stay
 * in order of addition) and each case's few events sorted by time. */
static int walk_all(walk *w)
{
    const cx_case_events *e = w->e;
    size_t nk = e->cases.count, kb = (nk ? nk : 1) * sizeof(case_key), rb = (nk + 1) * sizeof(uint32_t),
           eb = (e->n ? e->n : 1) * sizeof(ev_key);
    case_key *ck = cxi_alloc(w->m, kb);
    uint32_t *rank = cxi_alloc(w->m, rb), *start = cxi_alloc(w->m, rb);
    ev_key *ek = cxi_alloc(w->m, eb);
    int rc = CX_OK;
    if (!ck || !rank || !start || !ek) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu events", w->fn, e->n);
    } else {
        for (uint32_t i = 0; i < nk; i++)
            ck[i] = (case_key){cxi_pool_str(&e->cases, i), i};
        if (nk > 1)
            qsort(ck, nk, sizeof *ck, cmp_case_key);
        memset(start, 0, rb);
        for (uint32_t i = 0; i < nk; i++)
            rank[ck[i].id] = i;
        for (size_t i = 0; i < e->n; i++)
            start[rank[e->cid[i]] + 1]++;
        for (size_t r = 0; r < nk; r++)
            start[r + 1] += start[r];
        for (size_t i = 0; i < e->n; i++) {
            uint32_t r = rank[e->cid[i]];
            ek[start[r]++] = (ev_key){r, (uint32_t)i, e->t[i]};
        }
        for (size_t i = 0; i < e->n && !rc;) {
            size_t j = i + 1;
            while (j < e->n && ek[j].rank == ek[i].rank)
                j++;
            sort_case(ek + i, j - i);
            rc = walk_case(w, ek + i, j - i);
            i = j;
        }
    }
    cxi_free(w->m, ck, kb);
    cxi_free(w->m, rank, rb);
    cxi_free(w->m, start, rb);
    cxi_free(w->m, ek, eb);
    return rc;
}

/* ---- the store's case ------------------------------------------------------ */

static const char *case_str(const cx_store *store, size_t row, int column)
{
    const char *s = NULL;
    if (store && row != SIZE_MAX && cx_store_get_string(&s, store, CX_TABLE_CASES, column, row) != CX_OK)
        s = NULL;
    return s;
}

static int64_t case_int(const cx_store *store, size_t row, int column)
{
    int64_t v = CX_TIME_NONE;
    if (cx_store_get_int(&v, store, CX_TABLE_CASES, column, row) != CX_OK)
        v = CX_TIME_NONE;
    return v;
}

/* The agent of a cycle: of its events, else the store's case agent. */
static const char *cycle_agent(const cx_case_events *e, const cx_store *store, const cycle *c)
{
    return c->agent != CXI_NONE ? cxi_pool_str(&e->agents, c->agent) : case_str(store, c->row, CX_CASE_AGENT);
}

/* What differs between the case's cycles c[0..n) and the store's case:
 * "ok" or the differences, into buf. */
static void store_check(char *buf, size_t cap, const cx_store *store, const cycle *c, size_t n)
{
    int64_t reopens = case_int(store, c[0].row, CX_CASE_REOPENS);
    int64_t opened = case_int(store, c[0].row, CX_CASE_OPENED);
    int64_t resolved = case_int(store, c[0].row, CX_CASE_RESOLVED);
    size_t len = 0;
    buf[0] = 0;
    if (reopens != (int64_t)(n - 1))
        len += (size_t)snprintf(buf + len, cap - len, "reopens: store %lld, log %zu", (long long)reopens, n - 1);
    if (opened != c[0].opened && len < cap)
        len += (size_t)snprintf(buf + len, cap - len, "%sopened differs", len ? "; " : "");
    if (resolved != c[n - 1].resolved && len < cap)
        len += (size_t)snprintf(buf + len, cap - len, "%sresolved differs", len ? "; " : "");
    if (!len)
        snprintf(buf, cap, "ok");
}

/* ---- options --------------------------------------------------------------- */

int cx_cycles_options_new(cx_cycles_options **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_cycles_options_new: out is NULL");
    *out = NULL;
    cx_cycles_options *o = CXI_NEW(cx_cycles_options, NULL, NULL);
    if (!o)
        return cxi_fail(CX_ENOMEM, "cx_cycles_options_new: out of memory");
    o->by = CX_CYCLES_BY_NONE;
    *out = o;
    return CX_OK;
}

void cx_cycles_options_free(cx_cycles_options *o)
{
    if (!o)
        return;
    cxi_mem mem = o->mem;
    cxi_free(&mem, o, sizeof *o);
}

int cx_cycles_options_set_strict(cx_cycles_options *o, int strict)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_cycles_options_set_strict: options is NULL");
    if (strict != 0 && strict != 1)
        return cxi_fail(CX_EINVAL, "cx_cycles_options_set_strict: strict is %d, give 0 or 1", strict);
    o->strict = strict;
    return CX_OK;
}

int cx_cycles_options_set_group(cx_cycles_options *o, int by)
{
    if (!o)
        return cxi_fail(CX_EINVAL, "cx_cycles_options_set_group: options is NULL");
    if (by < CX_CYCLES_BY_NONE || by > CX_CYCLES_BY_AGENT)
        return cxi_fail(CX_EINVAL, "cx_cycles_options_set_group: %d is not a grouping (0 to %d)", by,
                        CX_CYCLES_BY_AGENT);
    o->by = by;
    return CX_OK;
}

/* ---- cx_cycles_run --------------------------------------------------------- */

enum { R_CASE, R_CUSTOMER, R_CHANNEL, R_PRIORITY, R_AGENT, R_CYCLE, R_OPENED, R_RESOLVED, R_DURATION, R_LAG,
       R_REOPENED, R_IGNORED, R_CASE_REOPENS, R_CHECK, R_NCOLS };

static int begin(walk *w, cxi_mem *m, const char *fn, cx_result **out, const cx_case_events *e,
                 const cx_store *store, const cx_cycles_options *o)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!e)
        return cxi_fail(CX_EINVAL, "%s: events is NULL", fn);
    cxi_mem_init(m, e->mem.fn, e->mem.ud);
    *w = (walk){m, fn, e, store, o && o->strict, false, NULL, 0, 0, NULL, 0, 0};
    return CX_OK;
}

int cx_cycles_run(cx_result **out, const cx_case_events *e, const cx_store *store, const cx_cycles_options *o)
{
    static const char *const fn = "cx_cycles_run";
    static const char *const names[R_NCOLS] = {"case",        "customer",      "channel",  "priority",
                                               "agent",       "cycle",         "opened",   "resolved",
                                               "duration_ms", "reopen_lag_ms", "reopened", "ignored_events",
                                               "case_reopens", "store_check"};
    static const int types[R_NCOLS] = {CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_STRING,
                                       CX_TYPE_STRING, CX_TYPE_INT,    CX_TYPE_TIME,   CX_TYPE_TIME,
                                       CX_TYPE_REAL,   CX_TYPE_REAL,   CX_TYPE_INT,    CX_TYPE_INT,
                                       CX_TYPE_INT,    CX_TYPE_STRING};
    cxi_mem m;
    walk w;
    int rc = begin(&w, &m, fn, out, e, store, o);
    if (rc)
        return rc;
    if ((rc = walk_all(&w)) != CX_OK) {
        walk_free(&w);
        return rc;
    }
    cx_result *t = NULL;
    if (cxi_result_new(&t, &m, w.nc, R_NCOLS, names, types)) {
        walk_free(&w);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, w.nc);
    }
    char check[160];
    for (size_t i = 0; i < w.nc && !rc; i++) {
        const cycle *c = &w.c[i];
        if (c->number == 1 && store)
            store_check(check, sizeof check, store, c, c->case_reopens + 1);
        if ((rc = cxi_result_set_text(t, R_CASE, i, cxi_pool_str(&e->cases, c->cs))) ||
            (rc = cxi_result_set_text(t, R_CUSTOMER, i, case_str(store, c->row, CX_CASE_CUSTOMER))) ||
            (rc = cxi_result_set_text(t, R_CHANNEL, i, case_str(store, c->row, CX_CASE_CHANNEL))) ||
            (rc = cxi_result_set_text(t, R_PRIORITY, i, case_str(store, c->row, CX_CASE_PRIORITY))) ||
            (rc = cxi_result_set_text(t, R_AGENT, i, cycle_agent(e, store, c))) ||
            (rc = cxi_result_set_text(t, R_CHECK, i, store ? check : NULL)))
            break;
        cxi_result_set_int(t, R_CYCLE, i, c->number);
        cxi_result_set_time(t, R_OPENED, i, c->opened);
        cxi_result_set_time(t, R_RESOLVED, i, c->resolved);
        cxi_result_set_real(t, R_DURATION, i,
                            c->resolved == CX_TIME_NONE ? NAN : (double)(c->resolved - c->opened));
        cxi_result_set_real(t, R_LAG, i, c->number == 1 ? NAN : (double)(c->opened - w.c[i - 1].resolved));
        cxi_result_set_int(t, R_REOPENED, i, c->reopened);
        cxi_result_set_int(t, R_IGNORED, i, c->ignored);
        cxi_result_set_int(t, R_CASE_REOPENS, i, c->case_reopens);
    }
    walk_free(&w);
    if (rc) {
        cx_result_free(t);
        return cxi_fail(CX_ENOMEM, "%s: out of memory for the texts of %zu rows", fn, w.nc);
    }
    *out = t;
    return CX_OK;
}

/* ---- cx_cycles_summary ----------------------------------------------------- */

typedef struct group_key {
    const char *label; /* NULL: missing */
    uint32_t number;
    uint32_t idx; /* the cycle */
} group_key;

static int cmp_group_key(const void *a, const void *b)
{
    const group_key *x = a, *y = b;
    if (x->label != y->label) {
        if (!x->label || !y->label)
            return x->label ? 1 : -1;
        int d = strcmp(x->label, y->label);
        if (d)
            return d;
    }
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The p-quantile of sorted x[0..n), n > 0, by linear interpolation. */
static double quantile(const double *x, size_t n, double p)
{
    double h = (double)(n - 1) * p;
    size_t lo = (size_t)h;
    if (lo + 1 >= n)
        return x[n - 1];
    return x[lo] + (h - (double)lo) * (x[lo + 1] - x[lo]);
}

static bool same_label(const char *a, const char *b) { return a == b || (a && b && strcmp(a, b) == 0); }

enum { S_CYCLE, S_CYCLES, S_RESOLVED, S_OPEN, S_MEAN, S_MEDIAN, S_P90, S_REOPENED, S_SHARE, S_LAG, S_RATIO,
       S_NCOLS };

int cx_cycles_summary(cx_result **out, const cx_case_events *e, const cx_store *store, const cx_cycles_options *o)
{
    static const char *const fn = "cx_cycles_summary";
    static const char *const base_names[S_NCOLS] = {"cycle",   "cycles",   "resolved",     "open",
                                                    "mean_ms", "median_ms", "p90_ms",      "reopened",
                                                    "reopen_share", "median_lag_ms", "ratio_to_first"};
    static const int base_types[S_NCOLS] = {CX_TYPE_INT,  CX_TYPE_INT,  CX_TYPE_INT,  CX_TYPE_INT,
                                            CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_INT,
                                            CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL};
    static const char *const group_names[] = {NULL, "channel", "priority", "agent"};
    cxi_mem m;
    walk w;
    int rc = begin(&w, &m, fn, out, e, store, o);
    if (rc)
        return rc;
    int by = o ? o->by : CX_CYCLES_BY_NONE;
    if (!store && (by == CX_CYCLES_BY_CHANNEL || by == CX_CYCLES_BY_PRIORITY))
        return cxi_fail(CX_EINVAL, "%s: grouping by %s needs a store", fn, group_names[by]);
    if ((rc = walk_all(&w)) != CX_OK) {
        walk_free(&w);
        return rc;
    }
    size_t n = w.nc;
    group_key *g = cxi_alloc(&m, (n ? n : 1) * sizeof *g);
    double *dur = cxi_alloc(&m, (n ? n : 1) * sizeof *dur), *lag = cxi_alloc(&m, (n ? n : 1) * sizeof *lag);
    size_t *run_start = cxi_alloc(&m, (n + 1) * sizeof *run_start);
    cx_result *t = NULL;
    if (!g || !dur || !lag || !run_start) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu cycles", fn, n);
        goto done;
    }
    for (size_t i = 0; i < n; i++) {
        const cycle *c = &w.c[i];
        const char *label = by == CX_CYCLES_BY_CHANNEL    ? case_str(store, c->row, CX_CASE_CHANNEL)
                            : by == CX_CYCLES_BY_PRIORITY ? case_str(store, c->row, CX_CASE_PRIORITY)
                            : by == CX_CYCLES_BY_AGENT    ? cycle_agent(e, store, c)
                                                          : NULL;
        g[i] = (group_key){label, c->number, (uint32_t)i};
    }
    if (n > 1)
        qsort(g, n, sizeof *g, cmp_group_key);
    size_t nrows = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || g[i].number != g[i - 1].number || !same_label(g[i].label, g[i - 1].label))
            run_start[nrows++] = i;
    run_start[nrows] = n;
    int off = by != CX_CYCLES_BY_NONE;
    const char *names[S_NCOLS + 1];
    int types[S_NCOLS + 1];
    if (off) {
        names[0] = group_names[by];
        types[0] = CX_TYPE_STRING;
    }
    for (int c = 0; c < S_NCOLS; c++) {
        names[c + off] = base_names[c];
        types[c + off] = base_types[c];
    }
    if (cxi_result_new(&t, &m, nrows, (size_t)(S_NCOLS + off), names, types)) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, nrows);
        goto done;
    }
    double first_median = NAN;
    for (size_t r = 0; r < nrows && !rc; r++) {
        size_t a = run_start[r], b = run_start[r + 1], nres = 0, nlag = 0, nreo = 0;
        double sum = 0;
        for (size_t i = a; i < b; i++) {
            const cycle *c = &w.c[g[i].idx];
            if (c->resolved != CX_TIME_NONE) {
                dur[nres++] = (double)(c->resolved - c->opened);
                sum += (double)(c->resolved - c->opened);
                nreo += c->reopened;
            }
            if (c->number > 1)
                lag[nlag++] = (double)(c->opened - w.c[g[i].idx - 1].resolved);
        }
        qsort(dur, nres, sizeof *dur, cmp_double);
        qsort(lag, nlag, sizeof *lag, cmp_double);
        double median = nres ? quantile(dur, nres, 0.5) : NAN;
        if (r == 0 || !same_label(g[a].label, g[run_start[r - 1]].label))
            first_median = g[a].number == 1 ? median : NAN;
        if (off && (rc = cxi_result_set_text(t, 0, r, g[a].label)) != CX_OK)
            break;
        cxi_result_set_int(t, off + S_CYCLE, r, g[a].number);
        cxi_result_set_int(t, off + S_CYCLES, r, (int64_t)(b - a));
        cxi_result_set_int(t, off + S_RESOLVED, r, (int64_t)nres);
        cxi_result_set_int(t, off + S_OPEN, r, (int64_t)(b - a - nres));
        cxi_result_set_real(t, off + S_MEAN, r, nres ? sum / (double)nres : NAN);
        cxi_result_set_real(t, off + S_MEDIAN, r, median);
        cxi_result_set_real(t, off + S_P90, r, nres ? quantile(dur, nres, 0.9) : NAN);
        cxi_result_set_int(t, off + S_REOPENED, r, (int64_t)nreo);
        cxi_result_set_real(t, off + S_SHARE, r, nres ? (double)nreo / (double)nres : NAN);
        cxi_result_set_real(t, off + S_LAG, r, nlag ? quantile(lag, nlag, 0.5) : NAN);
        cxi_result_set_real(t, off + S_RATIO, r, first_median > 0 ? median / first_median : NAN);
    }
    if (rc)
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for the labels of %zu rows", fn, nrows);
done:
    cxi_free(&m, g, (n ? n : 1) * sizeof *g);
    cxi_free(&m, dur, (n ? n : 1) * sizeof *dur);
    cxi_free(&m, lag, (n ? n : 1) * sizeof *lag);
    cxi_free(&m, run_start, (n + 1) * sizeof *run_start);
    walk_free(&w);
    if (rc) {
        cx_result_free(t);
        return rc;
    }
    *out = t;
    return CX_OK;
}

/* ---- cx_cycles_check ------------------------------------------------------- */

int cx_cycles_check(cx_result **out, const cx_case_events *e, const cx_store *store)
{
    static const char *const fn = "cx_cycles_check";
    static const char *const names[] = {"case", "time", "event", "problem"};
    static const int types[] = {CX_TYPE_STRING, CX_TYPE_TIME, CX_TYPE_STRING, CX_TYPE_STRING};
    cxi_mem m;
    walk w;
    int rc = begin(&w, &m, fn, out, e, store, NULL);
    if (rc)
        return rc;
    w.problems = true;
    if ((rc = walk_all(&w)) != CX_OK) {
        walk_free(&w);
        return rc;
    }
    /* the store's disagreements, one per case, after the case's other problems */
    char check[160];
    for (size_t i = 0; store && i < w.nc && !rc; i++) {
        const cycle *c = &w.c[i];
        if (c->number != 1)
            continue;
        store_check(check, sizeof check, store, c, c->case_reopens + 1);
        if (strcmp(check, "ok") == 0)
            continue;
        if (cxi_grow(&m, &w.p, &w.pcap, w.np + 1, sizeof *w.p))
            rc = cxi_fail(CX_ENOMEM, "%s: out of memory for the problems found", fn);
        else
            w.p[w.np++] = (problem){c->cs, P_STORE, -1, CX_TIME_NONE, i};
    }
    /* by case (the walk's order), the store's problems after the others */
    cx_result *t = NULL;
    if (!rc && cxi_result_new(&t, &m, w.np, 4, names, types))
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory for %zu rows", fn, w.np);
    if (!rc) {
        /* the event problems come in case-id order (the walk's), and so do
         * the store's after them: merge the two, a case's own first */
        size_t a = 0, b = 0, r = 0, na = 0;
        while (na < w.np && w.p[na].what != P_STORE)
            na++;
        while (!rc && (a < na || b < w.np - na)) {
            const problem *p;
            if (b >= w.np - na ||
                (a < na && strcmp(cxi_pool_str(&e->cases, w.p[a].cs), cxi_pool_str(&e->cases, w.p[na + b].cs)) <= 0))
                p = &w.p[a++];
            else
                p = &w.p[na + b++];
            if (p->what == P_STORE) {
                const cycle *c = &w.c[p->row];
                store_check(check, sizeof check, store, c, c->case_reopens + 1);
            }
            if ((rc = cxi_result_set_text(t, 0, r, cxi_pool_str(&e->cases, p->cs))) ||
                (rc = cxi_result_set_text(t, 2, r, p->kind >= 0 ? kind_names[p->kind] : NULL)) ||
                (rc = cxi_result_set_text(t, 3, r, p->what == P_STORE ? check : problem_text[p->what])))
                rc = cxi_fail(CX_ENOMEM, "%s: out of memory for the texts of %zu rows", fn, w.np);
            cxi_result_set_time(t, 1, r, p->t);
            r++;
        }
    }
    walk_free(&w);
    if (rc) {
        cx_result_free(t);
        return rc;
    }
    *out = t;
    return CX_OK;
}

/* ---- erasure --------------------------------------------------------------- */

int cx_case_events_prune(size_t *out_removed, cx_case_events *e, const cx_store *store)
{
    static const char *const fn = "cx_case_events_prune";
    if (!e || !store)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !e ? "events" : "store");
    size_t nk = e->cases.count, keep = 0;
    bool *held = cxi_alloc(&e->mem, (nk ? nk : 1) * sizeof *held);
    if (!held)
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (uint32_t i = 0; i < nk; i++)
        held[i] = store_row(store, cxi_pool_str(&e->cases, i)) != SIZE_MAX;
    for (size_t i = 0; i < e->n; i++)
        keep += held[e->cid[i]];
    if (keep == e->n) {
        cxi_free(&e->mem, held, (nk ? nk : 1) * sizeof *held);
        if (out_removed)
            *out_removed = 0;
        return CX_OK;
    }
    /* a new log of the kept events, then the old one wiped and dropped */
    cx_case_events *k = NULL;
    int rc = cx_case_events_new_with_allocator(&k, e->mem.fn, e->mem.ud);
    for (size_t i = 0; !rc && i < e->n; i++)
        if (held[e->cid[i]])
            rc = append(k, fn, cxi_pool_str(&e->cases, e->cid[i]), e->t[i], e->kind[i],
                        e->aid[i] == CXI_NONE ? NULL : cxi_pool_str(&e->agents, e->aid[i]));
    cxi_free(&e->mem, held, (nk ? nk : 1) * sizeof *held);
    if (rc) {
        cx_case_events_free(k);
        return rc;
    }
    size_t removed = e->n - keep;
    /* swap the contents: e keeps its address and its allocator's count */
    cx_case_events old = *e;
    cxi_mem em = e->mem, km = k->mem;
    *e = *k;
    *k = old;
    e->mem = em;
    e->mem.bytes = sizeof *e + (km.bytes - sizeof *k);
    k->mem = km;
    k->mem.bytes = sizeof *k + (em.bytes - sizeof *e);
    cx_case_events_free(k);
    if (out_removed)
        *out_removed = removed;
    return CX_OK;
}

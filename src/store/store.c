/*
 * The store: creation, named sets, adding and updating records, and the
 * schema-driven getters. Every add checks all arguments and reserves all
 * memory before it writes anything, so a failed call changes nothing.
 */
#include <math.h>
#include <string.h>

#include "store_private.h"

/* ---- schema ---------------------------------------------------------- */

enum { ENUM_DIRECTION, ENUM_OUTCOME, ENUM_METRIC };

typedef struct coldesc {
    const char *name;
    int type;
    int src;
    int icol;
    int aux;
} coldesc;

#define S CX_TYPE_STRING
#define I CX_TYPE_INT
#define R CX_TYPE_REAL
#define T CX_TYPE_TIME

static const coldesc customer_cols[] = {
    {"id", S, SRC_ID, -1, 0},
    {"segment", S, SRC_SET, CU_SEGMENT, CX_VOCAB_SEGMENT},
    {"region", S, SRC_SET, CU_REGION, CX_VOCAB_REGION},
    {"plan", S, SRC_SET, CU_PLAN, CX_VOCAB_PLAN},
    {"acquired", T, SRC_I64, CU_ACQUIRED, 0},
};
static const coldesc touchpoint_cols[] = {
    {"name", S, SRC_ID, -1, 0},
    {"channel", S, SRC_SET, TP_CHANNEL, CX_VOCAB_CHANNEL},
    {"stage", S, SRC_SET, TP_STAGE, CX_VOCAB_STAGE},
    {"kind", S, SRC_SET, TP_KIND, CX_VOCAB_TOUCHPOINT_KIND},
    {"key", I, SRC_U8, TP_KEY, 0},
    {"weight", R, SRC_F64, TP_WEIGHT, 0},
};
static const coldesc interaction_cols[] = {
    {"customer", S, SRC_REF, IN_CUSTOMER, CX_TABLE_CUSTOMERS},
    {"touchpoint", S, SRC_REF, IN_TOUCHPOINT, CX_TABLE_TOUCHPOINTS},
    {"time", T, SRC_I64, IN_TIME, 0},
    {"kind", S, SRC_SET, IN_KIND, CX_VOCAB_INTERACTION_KIND},
    {"direction", S, SRC_ENUM, IN_DIRECTION, ENUM_DIRECTION},
    {"agent", S, SRC_SET, IN_AGENT, CX_VOCAB_AGENT},
    {"case", S, SRC_REF, IN_CASE, CX_TABLE_CASES},
    {"duration_ms", I, SRC_I64, IN_DURATION, 0},
    {"outcome", S, SRC_ENUM, IN_OUTCOME, ENUM_OUTCOME},
    {"value", R, SRC_F64, IN_VALUE, 0},
    {"id", S, SRC_EID, IN_ID, 0},
};
static const coldesc case_cols[] = {
    {"id", S, SRC_ID, -1, 0},
    {"customer", S, SRC_REF, CA_CUSTOMER, CX_TABLE_CUSTOMERS},
    {"channel", S, SRC_SET, CA_CHANNEL, CX_VOCAB_CHANNEL},
    {"priority", S, SRC_SET, CA_PRIORITY, CX_VOCAB_PRIORITY},
    {"agent", S, SRC_SET, CA_AGENT, CX_VOCAB_AGENT},
    {"opened", T, SRC_I64, CA_OPENED, 0},
    {"first_response", T, SRC_I64, CA_FIRST_RESPONSE, 0},
    {"resolved", T, SRC_I64, CA_RESOLVED, 0},
    {"reopens", I, SRC_I32, CA_REOPENS, 0},
    {"contacts", I, SRC_I32, CA_CONTACTS, 0},
};
static const coldesc question_cols[] = {
    {"name", S, SRC_ID, -1, 0},
    {"metric", S, SRC_ENUM, QU_METRIC, ENUM_METRIC},
    {"scale_min", R, SRC_F64, QU_MIN, 0},
    {"scale_max", R, SRC_F64, QU_MAX, 0},
    {"higher_is_better", I, SRC_U8, QU_HIB, 0},
};
static const coldesc feedback_cols[] = {
    {"customer", S, SRC_REF, FB_CUSTOMER, CX_TABLE_CUSTOMERS},
    {"question", S, SRC_REF, FB_QUESTION, CX_TABLE_QUESTIONS},
    {"score", R, SRC_F64, FB_SCORE, 0},
    {"time", T, SRC_I64, FB_TIME, 0},
    {"touchpoint", S, SRC_REF, FB_TOUCHPOINT, CX_TABLE_TOUCHPOINTS},
    {"interaction", S, SRC_LINK, FB_INTERACTION, CX_TABLE_INTERACTIONS},
    {"case", S, SRC_REF, FB_CASE, CX_TABLE_CASES},
    {"comment", S, SRC_TEXT, FB_COMMENT, 0},
    {"id", S, SRC_EID, FB_ID, 0},
};
static const coldesc transaction_cols[] = {
    {"customer", S, SRC_REF, TR_CUSTOMER, CX_TABLE_CUSTOMERS},
    {"time", T, SRC_I64, TR_TIME, 0},
    {"amount", R, SRC_F64, TR_AMOUNT, 0},
    {"id", S, SRC_EID, TR_ID, 0},
};

#undef S
#undef I
#undef R
#undef T

static const struct {
    const char *name;
    const coldesc *cols;
    int ncols;
} schema[CX_TABLE_COUNT] = {
#define TAB(n, c) {n, c, (int)(sizeof c / sizeof c[0])}
    TAB("customers", customer_cols),
    TAB("touchpoints", touchpoint_cols),
    TAB("interactions", interaction_cols),
    TAB("cases", case_cols),
    TAB("questions", question_cols),
    TAB("feedback", feedback_cols),
    TAB("transactions", transaction_cols),
#undef TAB
};

static const char *const direction_names[] = {"inbound", "outbound"};
static const char *const outcome_names[] = {"handled", "missed", "abandoned"};
static const char *const metric_names[] = {"nps", "csat", "ces", "custom"};
static const char *const *const enum_names[] = {direction_names, outcome_names, metric_names};

static const char *const set_names[CX_VOCAB_COUNT] = {
    "channel", "stage", "touchpoint kind", "priority", "interaction kind",
    "agent", "segment", "region", "plan", "attribute",
};

void cxi_column_source(cxi_colsrc *out, int table, int column)
{
    const coldesc *d = &schema[table].cols[column];
    out->type = d->type;
    out->src = d->src;
    out->icol = d->icol;
    out->aux = d->aux;
    out->enum_names = d->src == SRC_ENUM ? enum_names[d->aux] : NULL;
}

/* The column a check's subject is stored in, for cxi_set_error_field. */
static const char *field_of(const char *what)
{
    static const char *const map[][2] = {
        {"customer id", "id"}, {"case id", "id"}, {"touchpoint name", "name"}, {"question name", "name"},
        {"touchpoint kind", "kind"}, {"interaction kind", "kind"}, {"attribute", NULL}, {"key", NULL},
        {"value", NULL}, {"name", NULL},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(what, map[i][0]) == 0)
            return map[i][1];
    return what;
}

#define FIELD(field, call) cxi_set_error_field((field), (call))

/* Defined sets refuse names not defined beforehand. */
static bool set_is_defined(int set) { return set <= CX_VOCAB_PRIORITY; }

static const char *const builtin_channels[] = {
    "phone", "email", "chat", "social", "sms", "whatsapp", "self_service", "chatbot",
    "video", "in_person", "web", "mobile_app", "store", "ads", "delivery", "packaging", NULL};
static const char *const builtin_stages[] = {
    "awareness", "consideration", "purchase", "onboarding", "retention", "advocacy", "service", NULL};
static const char *const builtin_tp_kinds[] = {
    "service", "marketing", "sales", "product", "self_service", "logistics", NULL};
static const char *const builtin_priorities[] = {"low", "normal", "high", "urgent", NULL};
static const char *const builtin_interaction_kinds[] = {
    "visit", "view", "contact", "purchase", "delivery", "survey", NULL};

/* ---- argument checks --------------------------------------------------- */

#define QBUF char qb[80]

/* Checks a string argument: `required` refuses NULL and "". */
static int check_text(const char *fn, const char *what, const char *s, bool required, size_t *len)
{
    if (!s) {
        if (required)
            return FIELD(field_of(what), cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, what));
        *len = 0;
        return CX_OK;
    }
    size_t n = strlen(s);
    if (required && n == 0)
        return FIELD(field_of(what), cxi_fail(CX_EINVAL, "%s: %s is empty", fn, what));
    if (n >= UINT32_MAX)
        return FIELD(field_of(what), cxi_fail(CX_ERANGE, "%s: %s is longer than 4 GiB", fn, what));
    if (!cxi_utf8_valid(s, n))
        return FIELD(field_of(what), cxi_fail(CX_EINVAL, "%s: %s is not valid UTF-8", fn, what));
    *len = n;
    return CX_OK;
}

static int check_table(const char *fn, int table)
{
    if (table < 0 || table >= CX_TABLE_COUNT)
        return cxi_fail(CX_EINVAL, "%s: no table %d", fn, table);
    return CX_OK;
}

static bool is_keyed(int table)
{
    return table == CX_TABLE_CUSTOMERS || table == CX_TABLE_TOUCHPOINTS || table == CX_TABLE_CASES ||
           table == CX_TABLE_QUESTIONS;
}

static int room_for_row(const char *fn, const cx_store *s, int table)
{
    if (s->t[table].n >= CXI_MAX_ROWS)
        return cxi_fail(CX_ELIMIT, "%s: table %s is full (%u rows)", fn, schema[table].name,
                        (unsigned)CXI_MAX_ROWS);
    return CX_OK;
}

void cxi_lookup_init(cxi_lookup *lk)
{
    memset(lk, 0xFF, sizeof *lk); /* CXI_NONE everywhere */
    lk->hint_id = NULL;
    lk->nhash = 0;
    memset(lk->direct, 0, sizeof lk->direct);
}

/* Is string `id` of the pool the string s[0..len)? */
static inline bool lookup_hit(const cxi_pool *p, uint32_t id, const char *str, size_t len)
{
    return id < p->count && cxi_pool_len(p, id) == len && cxi_bytes_eq(cxi_pool_str(p, id), str, len);
}

/* The id of str in a slot pair of the lookup cache, or CXI_NONE. */
static inline uint32_t lookup_get(const uint32_t *pair, const cxi_pool *p, const char *str, size_t len)
{
    if (lookup_hit(p, pair[0], str, len))
        return pair[0];
    if (lookup_hit(p, pair[1], str, len))
        return pair[1];
    return CXI_NONE;
}

static inline void lookup_put(uint32_t *pair, uint32_t id)
{
    pair[1] = pair[0];
    pair[0] = id;
}

/* The row of key id[0..len) of a keyed table, or CXI_NONE; through the
 * lookup cache during imports. A lookup needs no UTF-8 check: only valid
 * strings are ever stored. */
/* Moves a cursor of the lookup cache to row r, just found in `table`: the
 * one r follows or equals, else the one that moved less recently. */
static inline void cursor_see(cxi_lookup *lk, int table, uint32_t r)
{
    uint32_t *c = lk->cur[table];
    int m = lk->mru[table] & 1;
    if (r == c[m] || r == c[m] + 1) {
        c[m] = r;
        return;
    }
    c[1 - m] = r;
    lk->mru[table] = (uint8_t)(1 - m);
}

static inline uint32_t key_row(const cx_store *s, int table, const char *id, size_t len)
{
    cxi_lookup *lk = s->lookup;
    if (!lk || !len || lk->direct[table])
        return cxi_pool_find_hashed(&s->keys[table], id, len, cxi_lookup_hash(lk, id, len));
    uint32_t *pair = &lk->key[table][cxi_lookup_slot(id, len)];
    const cxi_pool *keys = &s->keys[table];
    uint32_t r = lookup_get(pair, keys, id, len);
    if (r == CXI_NONE) {
        int m = lk->mru[table] & 1;
        uint32_t a = lk->cur[table][m] + 1, b = lk->cur[table][1 - m] + 1;
        r = lookup_hit(keys, a, id, len) ? a : lookup_hit(keys, b, id, len) ? b : cxi_pool_find(keys, id, len);
        if (r == CXI_NONE)
            return r;
        lookup_put(pair, r);
    }
    cursor_see(lk, table, r);
    return r;
}

/* Finds a keyed record; `what` names the argument in the message. */
static int find_key(const char *fn, const cx_store *s, int table, const char *what, const char *id,
                    uint32_t *row)
{
    if (!id)
        return FIELD(field_of(what), cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, what));
    if (s->lookup && id == s->lookup->hint_id && table == CX_TABLE_CUSTOMERS) {
        *row = s->lookup->hint_row;
        return CX_OK;
    }
    uint32_t r = key_row(s, table, id, strlen(id));
    if (CXI_UNLIKELY(r == CXI_NONE)) {
        QBUF;
        if (!id[0])
            return FIELD(field_of(what), cxi_fail(CX_EINVAL, "%s: %s is empty", fn, what));
        return FIELD(field_of(what), cxi_fail(CX_ENOTFOUND, "%s: no %s '%s'", fn, what, cxi_quote(qb, id)));
    }
    *row = r;
    return CX_OK;
}

/* Same, NULL giving CXI_NONE. */
static int find_key_opt(const char *fn, const cx_store *s, int table, const char *what, const char *id,
                        uint32_t *row)
{
    if (!id) {
        *row = CXI_NONE;
        return CX_OK;
    }
    return find_key(fn, s, table, what, id, row);
}

/* A value of a named set about to be stored. For a defined set it must exist;
 * for an open set a new name is remembered and added in commit_value. */
typedef struct pending {
    const char *s;
    size_t len;
    uint32_t id;
    int set;
} pending;

static int resolve_value(const char *fn, cx_store *s, int set, const char *name, bool required,
                         pending *v)
{
    v->s = name;
    v->set = set;
    v->id = CXI_NONE;
    if (!name) {
        if (required)
            return FIELD(field_of(set_names[set]), cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, set_names[set]));
        return CX_OK;
    }
    v->len = strlen(name);
    if (v->len == 0)
        return FIELD(field_of(set_names[set]), cxi_fail(CX_EINVAL, "%s: %s is empty%s", fn, set_names[set],
                                                        required ? "" : " (pass NULL for none)"));
    uint32_t *pair = s->lookup ? &s->lookup->set[set][cxi_lookup_slot(name, v->len)] : NULL;
    if (pair && (v->id = lookup_get(pair, &s->sets[set], name, v->len)) != CXI_NONE)
        return CX_OK;
    v->id = cxi_pool_find(&s->sets[set], name, v->len);
    if (CXI_LIKELY(v->id != CXI_NONE)) {
        if (pair)
            lookup_put(pair, v->id);
        return CX_OK;
    }
    const char *f = field_of(set_names[set]);
    if (set_is_defined(set)) {
        QBUF;
        return FIELD(f, cxi_fail(CX_ENOTFOUND, "%s: unknown %s '%s' (define it with cx_vocab_define)", fn,
                                 set_names[set], cxi_quote(qb, name)));
    }
    int rc = check_text(fn, set_names[set], name, true, &v->len);
    if (!rc)
        rc = cxi_pool_reserve(&s->mem, &s->sets[set], 1, v->len);
    return rc;
}

static uint32_t commit_value(cx_store *s, pending *v)
{
    if (v->s && v->id == CXI_NONE)
        v->id = cxi_pool_add(&s->sets[v->set], v->s, v->len);
    return v->id;
}

static int grow_rows(cx_store *s, int table, size_t extra);

static inline int reserve_rows(cx_store *s, int table, size_t extra)
{
    if (CXI_LIKELY(s->t[table].n + extra <= s->t[table].room))
        return CX_OK;
    return grow_rows(s, table, extra);
}

static int grow_rows(cx_store *s, int table, size_t extra)
{
    cxi_table *t = &s->t[table];
    int rc = cxi_cols_reserve(&s->mem, t->cols, t->ncols, t->n + extra);
    size_t room = SIZE_MAX;
    for (int i = 0; i < t->ncols; i++)
        if (t->cols[i].cap < room)
            room = t->cols[i].cap;
    /* the dirty bits of the rows too, so that updating a row needs no memory */
    size_t had = s->dirty_cap[table];
    if (!rc && (rc = cxi_grow(&s->mem, &s->dirty[table], &s->dirty_cap[table], room / 64 + 1, sizeof(uint64_t))))
        rc = cxi_fail(rc, "out of memory for %zu rows of %s", t->n + extra, schema[table].name);
    if (rc)
        return rc;
    memset(s->dirty[table] + had, 0, (s->dirty_cap[table] - had) * sizeof(uint64_t));
    t->room = room;
    return CX_OK;
}

int cx_store_reserve(cx_store *s, cx_table table, size_t rows)
{
    if (!s)
        return cxi_fail(CX_EINVAL, "cx_store_reserve: store is NULL");
    int rc = check_table("cx_store_reserve", table);
    if (rc)
        return rc;
    if (rows > CXI_MAX_ROWS - s->t[table].n)
        return cxi_fail(CX_ELIMIT, "cx_store_reserve: %s cannot hold %zu more rows", schema[table].name, rows);
    if ((rc = cxi_table_dense("cx_store_reserve", s, table)))
        return rc;
    rc = reserve_rows(s, table, rows);
    if (rc)
        return cxi_fail(rc, "cx_store_reserve: out of memory for %zu more %s", rows, schema[table].name);
    if (table == CX_TABLE_CUSTOMERS && s->undo) /* an import's: its attributes' columns too (attrs.h) */
        s->attr_rows = (uint32_t)(s->t[table].n + rows);
    return CX_OK;
}

/* A time of a record: CX_TIME_NONE only where it is optional, otherwise in
 * years 0000-9999 (CXI_TIME_MIN..MAX), the times ISO-8601 text can name: a
 * time beyond would be saved by cx_db_save and then refused by cx_db_load,
 * and no export could print it. The record is named by its id, or by its
 * customer when it has none (the message is built only on failure). */
static int check_time(const char *fn, const char *kind, const char *id, const char *customer, const char *what,
                      cx_time t, bool required)
{
    if (t == CX_TIME_NONE) {
        if (required)
            return FIELD(what, cxi_fail(CX_EINVAL, "%s: %s is missing (CX_TIME_NONE)", fn, what));
        return CX_OK;
    }
    if (t >= CXI_TIME_MIN && t <= CXI_TIME_MAX)
        return CX_OK;
    QBUF;
    if (id && *id)
        return FIELD(what, cxi_fail(CX_ERANGE, "%s: %s '%s': %s %lld is outside years 0000-9999", fn, kind,
                                    cxi_quote(qb, id), what, (long long)t));
    return FIELD(what, cxi_fail(CX_ERANGE, "%s: %s of customer '%s': %s %lld is outside years 0000-9999", fn, kind,
                                cxi_quote(qb, customer), what, (long long)t));
}

/* ---- creation ---------------------------------------------------------- */

static void table_init(cxi_table *t, int ncols, const size_t *elems)
{
    memset(t, 0, sizeof *t);
    t->ncols = ncols;
    for (int i = 0; i < ncols; i++)
        t->cols[i].elem = elems[i];
}

static int define_all(cx_store *s, int set, const char *const *names)
{
    for (; *names; names++) {
        int rc = cx_vocab_define(NULL, s, set, *names);
        if (rc)
            return rc;
    }
    return CX_OK;
}

int cx_store_new(cx_store **out) { return cx_store_new_with_allocator(out, NULL, NULL); }

int cx_store_new_with_allocator(cx_store **out, cx_alloc_fn alloc, void *ud)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_store_new: out is NULL");
    *out = NULL;
    cx_store *s = CXI_NEW(cx_store, alloc, ud);
    if (!s)
        return cxi_fail(CX_ENOMEM, "cx_store_new: out of memory");
    /* segment, region and plan 1 byte a row until a code needs more (cxi_code_col) */
    static const size_t cu[] = {1, 1, 1, 8};
    static const size_t tp[] = {4, 4, 4, 1, 8};
    /* time and duration_ms narrow until a value needs more (cxi_icol,
     * cxi_u32_col), value in cents until a value is not an amount in cents
     * (cxi_vcol) */
    /* and touchpoint, kind, agent and case 1 byte a row until a code needs
     * more (cxi_code_col) */
    static const size_t in[] = {4, 1, 4, 1, 1, 1, 1, 1, 4, 4, 4};
    /* channel, priority and agent too (cxi_code_col) */
    static const size_t ca[] = {4, 1, 1, 1, 8, 8, 8, 4, 4};
    static const size_t qu[] = {1, 8, 8, 1};
    /* time narrow until a time needs more (cxi_seconds_col), question,
     * touchpoint, case and comment too (cxi_code_col), score in cents until
     * a score is not an amount in cents (cxi_vcol) */
    static const size_t fb[] = {4, 1, 4, 4, 1, 4, 1, 1, 4};
    /* time too; amount in cents until an amount is not one (cxi_vcol) */
    static const size_t tr[] = {4, 4, 4, 4};
    table_init(&s->t[CX_TABLE_CUSTOMERS], CU_NCOLS, cu);
    table_init(&s->t[CX_TABLE_TOUCHPOINTS], TP_NCOLS, tp);
    table_init(&s->t[CX_TABLE_INTERACTIONS], IN_NCOLS, in);
    table_init(&s->t[CX_TABLE_CASES], CA_NCOLS, ca);
    table_init(&s->t[CX_TABLE_QUESTIONS], QU_NCOLS, qu);
    table_init(&s->t[CX_TABLE_FEEDBACK], FB_NCOLS, fb);
    table_init(&s->t[CX_TABLE_TRANSACTIONS], TR_NCOLS, tr);
    /* the id columns start implicit (cxi_row_eid) */
    s->t[CX_TABLE_INTERACTIONS].ncols = IN_ID;
    s->t[CX_TABLE_FEEDBACK].ncols = FB_ID;
    s->t[CX_TABLE_TRANSACTIONS].ncols = TR_ID;
    for (int i = 0; i < CX_TABLE_COUNT; i++) {
        cxi_pool_init(&s->keys[i]);
        s->keys[i].exact = true; /* ids of one length keep no references (base.h) */
    }
    for (int i = 0; i < CX_VOCAB_COUNT; i++)
        cxi_pool_init(&s->sets[i]);
    cxi_pool_init(&s->comments);
    cxi_pool_init(&s->attr_values);
    cxi_attrs_init(&s->attrs);

    int rc = define_all(s, CX_VOCAB_CHANNEL, builtin_channels);
    if (!rc)
        rc = define_all(s, CX_VOCAB_STAGE, builtin_stages);
    if (!rc)
        rc = define_all(s, CX_VOCAB_TOUCHPOINT_KIND, builtin_tp_kinds);
    if (!rc)
        rc = define_all(s, CX_VOCAB_PRIORITY, builtin_priorities);
    if (!rc)
        rc = define_all(s, CX_VOCAB_INTERACTION_KIND, builtin_interaction_kinds);
    if (!rc)
        rc = cx_question_add(s, "nps", CX_METRIC_NPS, 0, 10, 1);
    if (!rc)
        rc = cx_question_add(s, "csat", CX_METRIC_CSAT, 1, 5, 1);
    if (!rc)
        rc = cx_question_add(s, "ces", CX_METRIC_CES, 1, 7, 1);
    if (rc) {
        cx_store_free(s);
        return cxi_fail(rc, "cx_store_new: out of memory setting up the built-in names");
    }
    *out = s;
    return CX_OK;
}

void cx_store_free(cx_store *s)
{
    if (!s)
        return;
    cxi_hindex_drop(s);
    for (int i = 0; i < CX_TABLE_COUNT; i++) {
        cxi_eindex_drop(s, i);
        cxi_numids_free(s, i);
        cxi_table_sparse_free(s, i);
    }
    cxi_mem mem = s->mem;
    for (int i = 0; i < CX_TABLE_COUNT; i++) {
        cxi_cols_free(&mem, s->t[i].cols, s->t[i].ncols);
        cxi_pool_free(&mem, &s->keys[i]);
    }
    for (int i = 0; i < CX_VOCAB_COUNT; i++)
        cxi_pool_free(&mem, &s->sets[i]);
    cxi_pool_free(&mem, &s->comments);
    cxi_pool_free(&mem, &s->attr_values);
    cxi_attrs_free(&mem, &s->attrs);
    for (int i = 0; i < CX_TABLE_COUNT; i++) {
        cxi_free(&mem, s->idrow[i], s->idrow_cap[i] * sizeof(uint32_t));
        cxi_free(&mem, s->dirty[i], s->dirty_cap[i] * sizeof(uint64_t));
    }
    cxi_free(&mem, s, sizeof *s);
}

int cx_store_memory(size_t *out, const cx_store *s)
{
    if (!out || !s)
        return cxi_fail(CX_EINVAL, "cx_store_memory: NULL argument");
    *out = s->mem.bytes;
    return CX_OK;
}

int cx_store_rows(size_t *out, const cx_store *s, cx_table table)
{
    if (!out || !s)
        return cxi_fail(CX_EINVAL, "cx_store_rows: NULL argument");
    int rc = check_table("cx_store_rows", table);
    if (rc)
        return rc;
    *out = s->t[table].n;
    return CX_OK;
}

int cx_store_find(size_t *out, const cx_store *s, cx_table table, const char *id)
{
    if (!out || !s)
        return cxi_fail(CX_EINVAL, "cx_store_find: NULL argument");
    int rc = check_table("cx_store_find", table);
    if (rc)
        return rc;
    uint32_t row;
    if (!is_keyed(table)) {
        size_t len;
        if ((rc = check_text("cx_store_find", "id", id, true, &len)))
            return rc;
        row = cxi_event_find(s, table, id, len);
        if (row == CXI_NONE) {
            QBUF;
            static const char *const one[CX_TABLE_COUNT] = {NULL, NULL, "interaction", NULL, NULL, "feedback",
                                                            "transaction"};
            return cxi_fail(CX_ENOTFOUND, "cx_store_find: no %s with id '%s'", one[table], cxi_quote(qb, id));
        }
        *out = row;
        return CX_OK;
    }
    static const char *const what[CX_TABLE_COUNT] = {"customer", "touchpoint", NULL, "case", "question"};
    rc = find_key("cx_store_find", s, table, what[table], id, &row);
    if (rc)
        return rc;
    *out = row;
    return CX_OK;
}

/* ---- named sets -------------------------------------------------------- */

static int check_set(const char *fn, int set)
{
    if (set < 0 || set >= CX_VOCAB_COUNT)
        return cxi_fail(CX_EINVAL, "%s: no named set %d", fn, set);
    return CX_OK;
}

int cx_vocab_define(size_t *out, cx_store *s, cx_vocab set, const char *name)
{
    static const char fn[] = "cx_vocab_define";
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    int rc = check_set(fn, set);
    size_t len;
    if (!rc)
        rc = check_text(fn, "name", name, true, &len);
    uint32_t id;
    if (!rc)
        rc = cxi_pool_intern(&s->mem, &s->sets[set], name, len, &id);
    if (rc)
        return rc;
    if (out)
        *out = id;
    return CX_OK;
}

int cx_vocab_count(size_t *out, const cx_store *s, cx_vocab set)
{
    if (!out || !s)
        return cxi_fail(CX_EINVAL, "cx_vocab_count: NULL argument");
    int rc = check_set("cx_vocab_count", set);
    if (rc)
        return rc;
    *out = s->sets[set].count;
    return CX_OK;
}

int cx_vocab_name(const char **out, const cx_store *s, cx_vocab set, size_t index)
{
    if (!out || !s)
        return cxi_fail(CX_EINVAL, "cx_vocab_name: NULL argument");
    int rc = check_set("cx_vocab_name", set);
    if (rc)
        return rc;
    if (index >= s->sets[set].count)
        return cxi_fail(CX_ERANGE, "cx_vocab_name: index %zu beyond the %u names of set %s", index,
                        (unsigned)s->sets[set].count, set_names[set]);
    *out = cxi_pool_str(&s->sets[set], (uint32_t)index);
    return CX_OK;
}

int cx_vocab_find(size_t *out, const cx_store *s, cx_vocab set, const char *name)
{
    static const char fn[] = "cx_vocab_find";
    if (!out || !s)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    int rc = check_set(fn, set);
    size_t len;
    if (!rc)
        rc = check_text(fn, "name", name, true, &len);
    if (rc)
        return rc;
    uint32_t id = cxi_pool_find(&s->sets[set], name, len);
    if (id == CXI_NONE) {
        QBUF;
        return cxi_fail(CX_ENOTFOUND, "%s: no %s '%s'", fn, set_names[set], cxi_quote(qb, name));
    }
    *out = id;
    return CX_OK;
}

/* ---- updates in place -------------------------------------------------- */

/* One cell of a record about to be written: its value in the first `elem`
 * bytes of v (the column's element size), so that writing, comparing and
 * the undo log all copy the same bytes. */
typedef struct cellv {
    int col;
    uint64_t v;
} cellv;

#define CELL(c, k, column, T, val)                                                                                 \
    do {                                                                                                           \
        T cell_tmp_ = (val);                                                                                       \
        (c)[k].col = (column);                                                                                     \
        (c)[k].v = 0;                                                                                              \
        memcpy(&(c)[k].v, &cell_tmp_, sizeof cell_tmp_);                                                           \
    } while (0)

static inline void *cell_at(cx_store *s, int table, int col, uint32_t row)
{
    cxi_col *c = &s->t[table].cols[col];
    return (char *)c->data + (size_t)row * c->elem;
}

/* Writes the cells of a new row (the hot path of every import: each cell
 * is one store of its size). */
static inline void write_row(cx_store *s, int table, uint32_t row, const cellv *c, int n)
{
    cxi_col *cols = s->t[table].cols;
    for (int i = 0; i < n; i++) {
        cxi_col *col = &cols[c[i].col];
        char *p = (char *)col->data;
        switch (col->elem) {
        case 1: memcpy(p + row, &c[i].v, 1); break;
        case 2: memcpy(p + (size_t)row * 2, &c[i].v, 2); break;
        case 4: memcpy(p + (size_t)row * 4, &c[i].v, 4); break;
        default: memcpy(p + (size_t)row * 8, &c[i].v, 8); break;
        }
    }
}

static bool same_row(cx_store *s, int table, uint32_t row, const cellv *c, int n)
{
    for (int i = 0; i < n; i++)
        if (memcmp(cell_at(s, table, c[i].col, row), &c[i].v, s->t[table].cols[c[i].col].elem) != 0)
            return false;
    return true;
}

/* Room for `cells` more entries of the undo log while an import runs. */
static inline int undo_room(cx_store *s, size_t cells)
{
    cxi_undo *u = s->undo;
    if (!u || u->n + cells <= u->cap)
        return CX_OK;
    int rc = cxi_grow(&s->mem, &u->cells, &u->cap, u->n + cells, sizeof *u->cells);
    return rc ? cxi_fail(rc, "out of memory for the undo log of an import") : CX_OK;
}

/* Room for `cells` more entries of the undo log (while an import runs) and
 * for the dirty bit of `row`, so that the writes of an update cannot fail. */
static int reserve_update(cx_store *s, int table, uint32_t row, size_t cells)
{
    int rc;
    cxi_undo *u = s->undo;
    if (u && (rc = cxi_grow(&s->mem, &u->cells, &u->cap, u->n + cells, sizeof *u->cells)))
        return cxi_fail(rc, "out of memory logging an update of %s", schema[table].name);
    size_t had = s->dirty_cap[table];
    if ((rc = cxi_grow(&s->mem, &s->dirty[table], &s->dirty_cap[table], (size_t)row / 64 + 1, sizeof(uint64_t))))
        return cxi_fail(rc, "out of memory marking an updated row of %s", schema[table].name);
    memset(s->dirty[table] + had, 0, (s->dirty_cap[table] - had) * sizeof(uint64_t));
    return CX_OK;
}

/* Overwrites one cell of an existing row, first logging its old value while
 * an import runs (reserve_update made the room). */
static void set_cell(cx_store *s, int table, int col, uint32_t row, const void *val)
{
    void *p = cell_at(s, table, col, row);
    size_t elem = s->t[table].cols[col].elem;
    if (memcmp(p, val, elem) == 0)
        return;
    if (s->undo) {
        cxi_undo_cell *u = &s->undo->cells[s->undo->n++];
        u->table = (uint8_t)table;
        u->col = (uint8_t)col;
        u->row = row;
        u->old = 0;
        memcpy(&u->old, p, elem);
    }
    memcpy(p, val, elem);
}

static void update_row(cx_store *s, int table, uint32_t row, const cellv *c, int n)
{
    for (int i = 0; i < n; i++)
        set_cell(s, table, c[i].col, row, &c[i].v);
    s->dirty[table][row / 64] |= (uint64_t)1 << (row % 64);
}

/* The customer column of each event table. No table keeps a list of each
 * customer's rows: cx_history_new() finds them through its index
 * (store_private.h), which every added or moved row drops. */
static const int event_customer[CX_TABLE_COUNT] = {
    [CX_TABLE_INTERACTIONS] = IN_CUSTOMER,
    [CX_TABLE_CASES] = CA_CUSTOMER,
    [CX_TABLE_FEEDBACK] = FB_CUSTOMER,
    [CX_TABLE_TRANSACTIONS] = TR_CUSTOMER,
};

/* Moves event `row` to customer `to` (one logged cell). */
static void move_event(cx_store *s, int table, uint32_t row, uint32_t to)
{
    cxi_hindex_drop(s);
    set_cell(s, table, event_customer[table], row, &to);
}

/* Is there an event of customer `cu` in `table` whose column `col` is `v`? */
static bool customer_refers(const cx_store *s, int table, uint32_t cu, int col, uint32_t v)
{
    /* a scan: only an event moving to another customer asks */
    const cxi_codes c = cxi_codes_col(s, table, col);
    const uint32_t *cust = CXI_COL(s, table, event_customer[table], uint32_t);
    for (size_t r = 0; r < s->t[table].n; r++)
        if (cxi_codes_at(c, r) == v && cust[r] == cu)
            return true;
    return false;
}

static void report_change(int *out_change, int change)
{
    if (out_change)
        *out_change = change;
}

/* ---- event ids ----------------------------------------------------------- */

/* The source system's id of an event about to be stored. */
typedef struct eid {
    const char *s;
    size_t len;
    uint32_t h;
    uint32_t row; /* the row already holding it, or CXI_NONE */
} eid;

uint32_t cxi_event_find(const cx_store *s, int table, const char *id, size_t len)
{
    uint32_t k = cxi_event_key(s, table, id, len, cxi_lookup_hash(s->lookup, id, len));
    return k == CXI_NONE ? CXI_NONE : cxi_eid_row(s, table, k);
}

static int eid_check(const char *fn, cx_store *s, int table, const char *id, eid *e)
{
    e->s = id;
    e->row = CXI_NONE;
    if (!id)
        return CX_OK;
    int rc = check_text(fn, "id", id, true, &e->len);
    if (rc || (rc = cxi_event_ids_ready(fn, s, table)))
        return rc;
    e->h = cxi_lookup_hash(s->lookup, id, e->len);
    uint32_t k = cxi_pool_find_hashed(&s->keys[table], id, e->len, e->h);
    if (k != CXI_NONE)
        e->row = cxi_eid_row(s, table, k);
    return CX_OK;
}

/* Room to store a new id, which eid_commit will give row `row` (CXI_NONE:
 * none). An event table keeps no idrow while each id's row is its key id;
 * the first id that breaks this makes it. */
static int eid_reserve(cx_store *s, int table, const eid *e, uint32_t row)
{
    if (!e->s)
        return CX_OK;
    int rc = cxi_pool_reserve(&s->mem, &s->keys[table], 1, e->len);
    if (rc || cxi_id_col(table) < 0)
        return rc;
    uint32_t count = s->keys[table].count;
    bool had = s->idrow[table] != NULL;
    if (!had && row == count)
        return CX_OK;
    if ((rc = cxi_grow(&s->mem, &s->idrow[table], &s->idrow_cap[table], (size_t)count + 1, sizeof(uint32_t))))
        return cxi_fail(rc, "out of memory growing the index of %s ids", schema[table].name);
    if (!had)
        for (uint32_t k = 0; k < count; k++)
            s->idrow[table][k] = k;
    return CX_OK;
}

static uint32_t eid_commit(cx_store *s, int table, const eid *e, uint32_t row)
{
    if (!e->s)
        return CXI_NONE;
    uint32_t k = cxi_pool_add_hashed(&s->keys[table], e->s, e->len, e->h);
    if (cxi_id_col(table) >= 0 && s->idrow[table])
        s->idrow[table][k] = row;
    return k;
}

/* Room for an event's add (a new row and id) or update (its log). */
static int reserve_event(const char *fn, cx_store *s, int table, const eid *e, int ncells)
{
    int rc;
    if (e->row != CXI_NONE)
        return reserve_update(s, table, e->row, (size_t)ncells + 4);
    if ((rc = room_for_row(fn, s, table)) || (rc = eid_reserve(s, table, e, (uint32_t)s->t[table].n)) ||
        (rc = reserve_rows(s, table, 1)))
        return rc;
    /* an implicit id column holds while the new row's key id is its row */
    if (CXI_UNLIKELY(cxi_eid_implicit(s, table) && (!e->s || s->keys[table].count != s->t[table].n)) &&
        (rc = cxi_eid_materialize(s, table)))
        return cxi_fail(rc, "%s: out of memory for the ids of %s", fn, schema[table].name);
    return CX_OK;
}

int cxi_eid_materialize(cx_store *s, int table)
{
    int c = cxi_id_col(table);
    cxi_table *t = &s->t[table];
    if (c < 0 || t->ncols > c)
        return CX_OK;
    size_t need = t->room > t->n ? t->room : t->n + 1;
    int rc = cxi_cols_reserve(&s->mem, &t->cols[c], 1, need);
    if (rc)
        return rc;
    uint32_t *id = t->cols[c].data;
    for (size_t r = 0; r < t->n; r++)
        id[r] = (uint32_t)r;
    t->ncols = c + 1;
    if (t->cols[c].cap < t->room)
        t->room = t->cols[c].cap;
    return CX_OK;
}

void cxi_eid_dematerialize(cx_store *s, int table)
{
    int c = cxi_id_col(table);
    cxi_table *t = &s->t[table];
    if (c < 0 || t->ncols <= c)
        return;
    cxi_cols_free(&s->mem, &t->cols[c], 1);
    t->ncols = c;
}

/* The end of an event's put when its id is stored already: replaces its
 * cells unless they are the same (c[0] is its customer: a new one moves it
 * to that customer's list). */
static inline void store_event(cx_store *s, int table, const eid *e, const cellv *c, int n, int *out_change,
                               size_t *out_row)
{
    uint32_t row = e->row, cu;
    memcpy(&cu, &c[0].v, sizeof cu);
    if (same_row(s, table, row, c, n)) {
        report_change(out_change, CX_UNCHANGED);
    } else {
        if (CXI_COL(s, table, event_customer[table], uint32_t)[row] != cu)
            move_event(s, table, row, cu);
        update_row(s, table, row, c, n);
        report_change(out_change, CX_UPDATED);
    }
    if (out_row)
        *out_row = row;
}

/* ---- customers --------------------------------------------------------- */

static int customer_insert(cx_store *s, const char *fn, const char *id, size_t len, uint32_t h,
                           const char *segment, const char *region, const char *plan, cx_time acquired);

static uint32_t pending_code(const cx_store *s, const pending *v);
static int fit_code(const char *fn, cx_store *s, int table, int col, uint32_t v);

/* Customers' segment, region and plan columns wide enough for the codes
 * the values will have (cxi_code_col). */
static int fit_customer_codes(const char *fn, cx_store *s, const pending *seg, const pending *reg, const pending *pl)
{
    const int T = CX_TABLE_CUSTOMERS;
    int rc;
    if ((rc = fit_code(fn, s, T, CU_SEGMENT, pending_code(s, seg))) ||
        (rc = fit_code(fn, s, T, CU_REGION, pending_code(s, reg))) ||
        (rc = fit_code(fn, s, T, CU_PLAN, pending_code(s, pl))))
        return rc;
    return CX_OK;
}

/* A cell of code column `col` (cxi_code_col) in the width it has. */
static void code_cell(const cx_store *s, int table, cellv *c, int col, uint32_t v)
{
    switch (s->t[table].cols[col].elem) {
    case 1: CELL(c, 0, col, uint8_t, (uint8_t)v); break;
    case 2: CELL(c, 0, col, uint16_t, (uint16_t)v); break;
    default: CELL(c, 0, col, uint32_t, v); break;
    }
}

static int customer_put(const char *fn, bool add_only, int *out_change, cx_store *s, const char *id,
                        const char *segment, const char *region, const char *plan, cx_time acquired)
{
    QBUF;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    size_t len;
    int rc = check_text(fn, "customer id", id, true, &len);
    if (rc)
        return rc;
    if ((rc = check_time(fn, "customer", id, NULL, "acquired", acquired, false)))
        return rc;
    uint32_t h = (uint32_t)cxi_hash(id, len);
    uint32_t row = cxi_pool_find_hashed(&s->keys[CX_TABLE_CUSTOMERS], id, len, h);
    if (row != CXI_NONE && add_only)
        return FIELD("id", cxi_fail(CX_EEXISTS, "%s: customer '%s' already exists", fn, cxi_quote(qb, id)));
    if (row == CXI_NONE) {
        if ((rc = customer_insert(s, fn, id, len, h, segment, region, plan, acquired)))
            return rc;
        report_change(out_change, CX_ADDED);
        return CX_OK;
    }
    const int T = CX_TABLE_CUSTOMERS;
    pending seg, reg, pl;
    if ((rc = resolve_value(fn, s, CX_VOCAB_SEGMENT, segment, false, &seg)) ||
        (rc = resolve_value(fn, s, CX_VOCAB_REGION, region, false, &reg)) ||
        (rc = resolve_value(fn, s, CX_VOCAB_PLAN, plan, false, &pl)) || (rc = fit_customer_codes(fn, s, &seg, &reg, &pl)) ||
        (rc = reserve_update(s, T, row, 4)))
        return rc;
    cellv c[4];
    code_cell(s, T, &c[0], CU_SEGMENT, commit_value(s, &seg));
    code_cell(s, T, &c[1], CU_REGION, commit_value(s, &reg));
    code_cell(s, T, &c[2], CU_PLAN, commit_value(s, &pl));
    CELL(c, 3, CU_ACQUIRED, int64_t, acquired);
    bool same = same_row(s, T, row, c, 4);
    if (!same)
        update_row(s, T, row, c, 4);
    report_change(out_change, same ? CX_UNCHANGED : CX_UPDATED);
    return CX_OK;
}

int cx_customer_add(cx_store *s, const char *id, const char *segment, const char *region, const char *plan,
                    cx_time acquired)
{
    return customer_put("cx_customer_add", true, NULL, s, id, segment, region, plan, acquired);
}

int cx_customer_put(int *out_change, cx_store *s, const char *id, const char *segment, const char *region,
                    const char *plan, cx_time acquired)
{
    return customer_put("cx_customer_put", false, out_change, s, id, segment, region, plan, acquired);
}

/* Adds customer id[0..len) (valid text, hash h, not in the store yet). */
static int customer_insert(cx_store *s, const char *fn, const char *id, size_t len, uint32_t h,
                           const char *segment, const char *region, const char *plan, cx_time acquired)
{
    cxi_pool *keys = &s->keys[CX_TABLE_CUSTOMERS];
    int rc;
    pending seg, reg, pl;
    if ((rc = room_for_row(fn, s, CX_TABLE_CUSTOMERS)) ||
        (rc = resolve_value(fn, s, CX_VOCAB_SEGMENT, segment, false, &seg)) ||
        (rc = resolve_value(fn, s, CX_VOCAB_REGION, region, false, &reg)) ||
        (rc = resolve_value(fn, s, CX_VOCAB_PLAN, plan, false, &pl)) ||
        (rc = fit_customer_codes(fn, s, &seg, &reg, &pl)) || (rc = cxi_pool_reserve(&s->mem, keys, 1, len)) ||
        (rc = reserve_rows(s, CX_TABLE_CUSTOMERS, 1)))
        return rc;
    uint32_t row = cxi_pool_add_hashed(keys, id, len, h);
    if (s->lookup) { /* its attributes or events come next */
        lookup_put(&s->lookup->key[CX_TABLE_CUSTOMERS][cxi_lookup_slot(id, len)], row);
        cursor_see(s->lookup, CX_TABLE_CUSTOMERS, row);
    }
    cxi_col *cols = s->t[CX_TABLE_CUSTOMERS].cols;
    cxi_code_put(&cols[CU_SEGMENT], row, commit_value(s, &seg));
    cxi_code_put(&cols[CU_REGION], row, commit_value(s, &reg));
    cxi_code_put(&cols[CU_PLAN], row, commit_value(s, &pl));
    CXI_COL(s, CX_TABLE_CUSTOMERS, CU_ACQUIRED, int64_t)[row] = acquired;
    s->t[CX_TABLE_CUSTOMERS].n = row + 1;
    return CX_OK;
}

int cxi_customer_find_or_add(cx_store *s, const char *id, bool *added)
{
    *added = false;
    size_t len = strlen(id);
    uint32_t r = key_row(s, CX_TABLE_CUSTOMERS, id, len);
    if (CXI_UNLIKELY(r == CXI_NONE)) {
        /* as cx_customer_add, without its second probe for the id */
        static const char fn[] = "cx_customer_add";
        int rc = check_text(fn, "customer id", id, true, &len);
        if (!rc)
            rc = customer_insert(s, fn, id, len, cxi_lookup_hash(s->lookup, id, len), NULL, NULL, NULL, CX_TIME_NONE);
        if (rc)
            return rc;
        *added = true;
        r = s->t[CX_TABLE_CUSTOMERS].n - 1;
    }
    if (s->lookup) {
        s->lookup->hint_id = id;
        s->lookup->hint_row = r;
    }
    return CX_OK;
}

void cxi_customer_drop_last(cx_store *s)
{
    /* nothing else to undo: cx_customer_add with the id alone interned no
     * names, and the refused row linked no event to it (a failed add
     * changes nothing) */
    s->t[CX_TABLE_CUSTOMERS].n--;
    cxi_pool_drop_last(&s->keys[CX_TABLE_CUSTOMERS]);
}

/* Logs the value an attribute had before it changes (an import may roll
 * back), and, when it had one, tells cx_db_save() to rewrite the
 * attributes (a new one is only added to the file). */
static void log_attribute(cx_store *s, uint32_t row, uint32_t kid, uint32_t was)
{
    if (was != CXI_NONE)
        s->attrs_changed = true;
    if (!s->undo)
        return;
    cxi_undo_cell *u = &s->undo->cells[s->undo->n++];
    u->table = 0xFF;
    u->col = 0;
    u->row = row;
    u->old = (uint64_t)kid << 32 | was;
}

static int attribute_remove(const char *fn, cx_store *s, uint32_t row, const char *key)
{
    size_t klen;
    int rc = check_text(fn, "attribute", key, true, &klen);
    if (rc)
        return rc;
    uint32_t kid = cxi_pool_find(&s->sets[CX_VOCAB_ATTRIBUTE], key, klen);
    uint32_t was = kid == CXI_NONE ? CXI_NONE : cxi_attrs_get(&s->attrs, row, kid);
    if (was == CXI_NONE)
        return CX_OK;
    if ((rc = undo_room(s, 1)))
        return rc;
    log_attribute(s, row, kid, was);
    cxi_attrs_remove(&s->attrs, row, kid);
    /* outside an import, a column few customers still use goes (attrs.h) */
    if (!s->undo)
        cxi_attrs_settle(&s->mem, &s->attrs, (uint32_t)s->t[CX_TABLE_CUSTOMERS].n, kid);
    return CX_OK;
}

int cx_customer_set_attribute(cx_store *s, const char *customer, const char *key, const char *value)
{
    static const char fn[] = "cx_customer_set_attribute";
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    uint32_t row;
    size_t vlen;
    pending k;
    int rc;
    if ((rc = find_key(fn, s, CX_TABLE_CUSTOMERS, "customer", customer, &row)) ||
        (rc = check_text(fn, "value", value, false, &vlen)))
        return rc;
    if (!value)
        return attribute_remove(fn, s, row, key);
    /* an attribute named like a column would make exported files ambiguous */
    for (size_t c = 0; key && c < sizeof customer_cols / sizeof customer_cols[0]; c++)
        if (strcmp(key, customer_cols[c].name) == 0)
            return FIELD("key", cxi_fail(CX_EINVAL, "%s: attribute name '%s' is the name of a customer column",
                                         fn, key));
    if ((rc = resolve_value(fn, s, CX_VOCAB_ATTRIBUTE, key, true, &k)))
        return rc;
    uint32_t vh = (uint32_t)cxi_hash(value, vlen);
    uint32_t vid = cxi_pool_find_hashed(&s->attr_values, value, vlen, vh);
    if ((vid == CXI_NONE && (rc = cxi_pool_reserve(&s->mem, &s->attr_values, 1, vlen))) ||
        (rc = cxi_attrs_reserve(&s->mem, &s->attrs, row,
                                k.id != CXI_NONE ? k.id : s->sets[CX_VOCAB_ATTRIBUTE].count, s->attr_rows)) ||
        (rc = undo_room(s, 1)))
        return rc;
    uint32_t kid = commit_value(s, &k);
    if (vid == CXI_NONE)
        vid = cxi_pool_add_hashed(&s->attr_values, value, vlen, vh);
    uint32_t was = cxi_attrs_exchange(&s->attrs, row, kid, vid);
    if (was != vid) /* a new pair too: a rollback removes it (was: CXI_NONE) */
        log_attribute(s, row, kid, was);
    /* outside an import (which cannot roll a column back), a name most
     * customers have moves to a column (attrs.h) */
    if (!s->undo)
        cxi_attrs_settle(&s->mem, &s->attrs, (uint32_t)s->t[CX_TABLE_CUSTOMERS].n, kid);
    return CX_OK;
}

int cx_customer_get_attribute(const char **out, const cx_store *s, const char *customer, const char *key)
{
    static const char fn[] = "cx_customer_get_attribute";
    if (!out || !s)
        return cxi_fail(CX_EINVAL, "%s: NULL argument", fn);
    uint32_t row = 0;
    size_t klen;
    int rc;
    if ((rc = find_key(fn, s, CX_TABLE_CUSTOMERS, "customer", customer, &row)) ||
        (rc = check_text(fn, "key", key, true, &klen)))
        return rc;
    *out = NULL;
    uint32_t kid = cxi_pool_find(&s->sets[CX_VOCAB_ATTRIBUTE], key, klen);
    if (kid == CXI_NONE)
        return CX_OK;
    uint32_t vid = cxi_attrs_get(&s->attrs, row, kid);
    if (vid != CXI_NONE)
        *out = cxi_pool_str(&s->attr_values, vid);
    return CX_OK;
}

/* ---- touchpoints ------------------------------------------------------- */

static int touchpoint_put(const char *fn, bool add_only, int *out_change, cx_store *s, const char *name,
                          const char *channel, const char *stage, const char *kind, int is_key, double weight)
{
    QBUF;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    size_t len;
    int rc = check_text(fn, "touchpoint name", name, true, &len);
    if (rc)
        return rc;
    cxi_pool *keys = &s->keys[CX_TABLE_TOUCHPOINTS];
    uint32_t row = cxi_pool_find(keys, name, len);
    if (row != CXI_NONE && add_only)
        return FIELD("name", cxi_fail(CX_EEXISTS, "%s: touchpoint '%s' already exists", fn, cxi_quote(qb, name)));
    if (is_key != 0 && is_key != 1)
        return FIELD("key", cxi_fail(CX_EINVAL, "%s: touchpoint '%s': is_key must be 0 or 1, not %d", fn,
                        cxi_quote(qb, name), is_key));
    if (!isfinite(weight) || weight < 0)
        return FIELD("weight", cxi_fail(CX_ERANGE, "%s: touchpoint '%s': weight %g is not a finite number >= 0", fn,
                        cxi_quote(qb, name), weight));
    const int T = CX_TABLE_TOUCHPOINTS;
    pending ch, st, kd;
    if ((rc = resolve_value(fn, s, CX_VOCAB_CHANNEL, channel, true, &ch)) ||
        (rc = resolve_value(fn, s, CX_VOCAB_STAGE, stage, true, &st)) ||
        (rc = resolve_value(fn, s, CX_VOCAB_TOUCHPOINT_KIND, kind, false, &kd)))
        return rc;
    if (row == CXI_NONE && ((rc = room_for_row(fn, s, T)) || (rc = cxi_pool_reserve(&s->mem, keys, 1, len)) ||
                            (rc = reserve_rows(s, T, 1))))
        return rc;
    if (row != CXI_NONE && (rc = reserve_update(s, T, row, 5)))
        return rc;
    cellv c[5];
    CELL(c, 0, TP_CHANNEL, uint32_t, ch.id);
    CELL(c, 1, TP_STAGE, uint32_t, st.id);
    CELL(c, 2, TP_KIND, uint32_t, kd.id);
    CELL(c, 3, TP_KEY, uint8_t, (uint8_t)is_key);
    CELL(c, 4, TP_WEIGHT, double, weight);
    if (row == CXI_NONE) {
        row = cxi_pool_add(keys, name, len);
        write_row(s, T, row, c, 5);
        s->t[T].n = row + 1;
        report_change(out_change, CX_ADDED);
    } else if (same_row(s, T, row, c, 5)) {
        report_change(out_change, CX_UNCHANGED);
    } else {
        update_row(s, T, row, c, 5);
        report_change(out_change, CX_UPDATED);
    }
    return CX_OK;
}

int cx_touchpoint_add(cx_store *s, const char *name, const char *channel, const char *stage, const char *kind,
                      int is_key, double weight)
{
    return touchpoint_put("cx_touchpoint_add", true, NULL, s, name, channel, stage, kind, is_key, weight);
}

int cx_touchpoint_put(int *out_change, cx_store *s, const char *name, const char *channel, const char *stage,
                      const char *kind, int is_key, double weight)
{
    return touchpoint_put("cx_touchpoint_put", false, out_change, s, name, channel, stage, kind, is_key, weight);
}

/* The end of a new event's add: its id, the history index dropped,
 * the row count (its cells written). */
static inline void finish_append(cx_store *s, int table, const eid *e, uint32_t row, int *out_change, size_t *out_row)
{
    if (cxi_id_col(table) >= 0) {
        uint32_t k = eid_commit(s, table, e, row);
        if (!cxi_eid_implicit(s, table)) /* else k == row (reserve_event) */
            CXI_COL(s, table, cxi_id_col(table), uint32_t)[row] = k;
    } else
        eid_commit(s, table, e, row); /* a case: its key id is its row */
    cxi_hindex_drop(s);
    s->t[table].n = row + 1;
    report_change(out_change, CX_ADDED);
    if (out_row)
        *out_row = row;
}

/* Stores an event (checked and reserved) whose fields FIELDS(X) lists as
 * X(column, type, value), its customer first: a new one with one typed
 * store per field (the hot path of imports), a replacement cell by cell,
 * compared and logged. Values must be plain expressions (evaluated twice
 * at most, in different branches). */
#define NARROW_FIELD(col) cxi_u32_col(T, (int)(col))
/* The times (cxi_seconds_col): whole seconds when narrow (checked). */
#define SECONDS_FIELD(col) cxi_seconds_col(T, (int)(col))
/* The columns in cents (cxi_vcol, cxi_cents_col): the value was checked to
 * fit (its put widened the column otherwise), so its cents are exact. */
#define CENTS_FIELD(col) cxi_cents_col(T, (int)(col))
#define WRITE_FIELD(col, Ty, val)                                                                                  \
    if (cxi_code_col(T, col))                                                                                      \
        cxi_code_put(&s->t[T].cols[col], row_, (uint32_t)(val));                                                   \
    else if (NARROW_FIELD(col) && s->t[T].cols[col].elem == sizeof(uint32_t))                                     \
        CXI_COL(s, T, col, uint32_t)[row_] = (uint32_t)(val);                                                      \
    else if (SECONDS_FIELD(col) && s->t[T].cols[col].elem == sizeof(uint32_t))                                    \
        CXI_COL(s, T, col, uint32_t)[row_] = (uint32_t)((val) / 1000);                                             \
    else if (CENTS_FIELD(col) && s->t[T].cols[col].elem == sizeof(int32_t))                                       \
        CXI_COL(s, T, col, int32_t)[row_] = cents_of((double)(val));                                               \
    else                                                                                                           \
        CXI_COL(s, T, col, Ty)[row_] = (Ty)(val);
#define CELL_FIELD(col, Ty, val)                                                                                   \
    if (cxi_code_col(T, col))                                                                                      \
        code_cell(s, T, &c_[n_], col, (uint32_t)(val));                                                            \
    else if (NARROW_FIELD(col) && s->t[T].cols[col].elem == sizeof(uint32_t))                                     \
        CELL(c_, n_, col, uint32_t, (uint32_t)(val));                                                              \
    else if (SECONDS_FIELD(col) && s->t[T].cols[col].elem == sizeof(uint32_t))                                    \
        CELL(c_, n_, col, uint32_t, (uint32_t)((val) / 1000));                                                     \
    else if (CENTS_FIELD(col) && s->t[T].cols[col].elem == sizeof(int32_t))                                       \
        CELL(c_, n_, col, int32_t, cents_of((double)(val)));                                                       \
    else                                                                                                           \
        CELL(c_, n_, col, Ty, val);                                                                                \
    n_++;
#define STORE_EVENT(FIELDS, e, out_change, out_row)                                                                \
    do {                                                                                                           \
        if ((e)->row == CXI_NONE) {                                                                                \
            uint32_t row_ = (uint32_t)s->t[T].n;                                                                   \
            FIELDS(WRITE_FIELD)                                                                                    \
            finish_append(s, T, e, row_, out_change, out_row);                                                     \
        } else {                                                                                                   \
            cellv c_[16];                                                                                          \
            int n_ = 0;                                                                                            \
            FIELDS(CELL_FIELD)                                                                                     \
            store_event(s, T, e, c_, n_, out_change, out_row);                                                     \
        }                                                                                                          \
    } while (0)

/* ---- interactions ------------------------------------------------------ */

/* The narrow columns: interactions' duration_ms, 4 bytes until a duration
 * needs more (cxi_icol), the times of events, whole seconds in 4 bytes
 * until a time is not one from 1970 to 2106 (cxi_seconds_col), and the columns in cents (cxi_cents_col:
 * interactions' value, transactions' amount), int32_t cents while every
 * value is an exact amount in cents (cxi_vcol). The first value that does
 * not fit makes the column 8 bytes a row for good (int64_t, or double), and
 * the old values an import's undo log holds for it are rewritten the same
 * way, so that a rollback puts them back whole. The values stay the same:
 * nothing to undo on a failure. `what` names the values in the error. */
static int widen_col(const char *fn, cx_store *s, int T, int col, cxi_widen how, const char *what)
{
    cxi_col *c = &s->t[T].cols[col];
    if (c->elem != sizeof(uint32_t))
        return CX_OK;
    int rc = cxi_col_widen(&s->mem, c, s->t[T].n, how);
    if (rc)
        return cxi_fail(rc, "%s: out of memory widening the %s", fn, what);
    s->t[T].room = c->cap < s->t[T].room ? c->cap : s->t[T].room;
    for (size_t i = 0; s->undo && i < s->undo->n; i++) {
        cxi_undo_cell *u = &s->undo->cells[i];
        if (u->table == T && u->col == col) {
            uint32_t old;
            memcpy(&old, &u->old, sizeof old);
            uint64_t wide = cxi_widen_bits(old, how);
            memcpy(&u->old, &wide, sizeof wide);
        }
    }
    return CX_OK;
}

/* A column of 4 bytes a row (cxi_u32_col) made 8 (widen_col) when v is
 * below 0 or above UINT32_MAX. */
static int fit_u32(const char *fn, cx_store *s, int T, int col, int64_t v, const char *what)
{
    if (CXI_LIKELY(v >= 0 && v <= (int64_t)UINT32_MAX))
        return CX_OK;
    return widen_col(fn, s, T, col, CXI_WIDEN_U32, what);
}

/* A time column (cxi_seconds_col) made 8 bytes a row of milliseconds
 * (widen_col) when time t is not a whole second from 1970 to 2106. */
static int fit_seconds(const char *fn, cx_store *s, int T, int col, cx_time t, const char *what)
{
    if (CXI_LIKELY(t >= 0 && t % 1000 == 0 && t / 1000 <= (int64_t)UINT32_MAX))
        return CX_OK;
    return widen_col(fn, s, T, col, CXI_WIDEN_SECONDS, what);
}

/* A column in cents made double (widen_col) when v is not an amount in cents. */
static int fit_cents(const char *fn, cx_store *s, int T, int col, double v, const char *what)
{
    int32_t cents;
    if (s->t[T].cols[col].elem != sizeof(int32_t) || cxi_cents_of(v, &cents))
        return CX_OK;
    return widen_col(fn, s, T, col, CXI_WIDEN_CENTS, what);
}

/* The cents of a value cxi_cents_of found to fit, rounded as it rounds
 * (no check: the hot path of imports). */
static inline int32_t cents_of(double v)
{
    double c = v * 100.0;
    return (int32_t)(c < 0 ? c - 0.5 : c + 0.5);
}

/* The code a pending value will have: its id, or the next one of its set. */
static uint32_t pending_code(const cx_store *s, const pending *v)
{
    return v->s && v->id == CXI_NONE ? s->sets[v->set].count : v->id;
}

/* Makes code column `col` of `table` (cxi_code_col) wide enough for v: a
 * new column of the width, the values kept, and the old values an import's
 * undo log holds for it rewritten in the new width, so that a rollback puts
 * them back whole. CX_ENOMEM changes nothing. */
static int fit_code(const char *fn, cx_store *s, int table, int col, uint32_t v)
{
    cxi_col *c = &s->t[table].cols[col];
    size_t w = cxi_code_width(v), was = c->elem;
    if (CXI_LIKELY(w <= was))
        return CX_OK;
    int rc = cxi_col_recode(&s->mem, c, s->t[table].n, w);
    if (rc)
        return cxi_fail(rc, "%s: out of memory widening a column of %s", fn, schema[table].name);
    s->t[table].room = c->cap < s->t[table].room ? c->cap : s->t[table].room;
    for (size_t i = 0; s->undo && i < s->undo->n; i++) {
        cxi_undo_cell *u = &s->undo->cells[i];
        if (u->table == table && u->col == col) {
            cxi_codes from = {&u->old, was};
            uint32_t old = cxi_codes_at(from, 0);
            cxi_col cell = {&u->old, 1, w};
            u->old = 0;
            cxi_code_put(&cell, 0, old);
        }
    }
    return CX_OK;
}

static int interaction_put(const char *fn, bool add_only, int *out_change, size_t *out_row, cx_store *s,
                           const char *id, const char *customer, const char *touchpoint, cx_time time,
                           const char *kind, cx_direction direction, const char *agent, const char *case_id,
                           int64_t duration_ms, cx_outcome outcome, double value)
{
    QBUF;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    const int T = CX_TABLE_INTERACTIONS;
    uint32_t cu, tp, ca;
    eid e;
    int rc;
    if ((rc = cxi_table_dense(fn, s, T)) || (rc = eid_check(fn, s, T, id, &e)) ||
        (rc = find_key(fn, s, CX_TABLE_CUSTOMERS, "customer", customer, &cu)) ||
        (rc = find_key(fn, s, CX_TABLE_TOUCHPOINTS, "touchpoint", touchpoint, &tp)) ||
        (rc = find_key_opt(fn, s, CX_TABLE_CASES, "case", case_id, &ca)) ||
        (rc = check_time(fn, "interaction", id, customer, "time", time, true)))
        return rc;
    if (e.row != CXI_NONE && add_only)
        return FIELD("id", cxi_fail(CX_EEXISTS, "%s: interaction '%s' already exists", fn, cxi_quote(qb, id)));
    if (ca != CXI_NONE && CXI_COL(s, CX_TABLE_CASES, CA_CUSTOMER, uint32_t)[ca] != cu)
        return FIELD("case", cxi_fail(CX_EINVAL, "%s: case '%s' belongs to another customer than '%s'", fn,
                        cxi_quote(qb, case_id), customer));
    if (direction != CX_INBOUND && direction != CX_OUTBOUND)
        return FIELD("direction", cxi_fail(CX_EINVAL, "%s: customer '%s': direction %d is neither CX_INBOUND nor CX_OUTBOUND",
                        fn, cxi_quote(qb, customer), direction));
    if (outcome < CX_HANDLED || outcome > CX_ABANDONED)
        return FIELD("outcome", cxi_fail(CX_EINVAL, "%s: customer '%s': outcome %d is not a cx_outcome", fn,
                        cxi_quote(qb, customer), outcome));
    if (duration_ms < 0)
        return FIELD("duration_ms", cxi_fail(CX_ERANGE, "%s: customer '%s': negative duration %lld ms", fn,
                        cxi_quote(qb, customer), (long long)duration_ms));
    if (!isfinite(value))
        return FIELD("value", cxi_fail(CX_ERANGE, "%s: customer '%s': value is not finite", fn, cxi_quote(qb, customer)));
    if (e.row != CXI_NONE && CXI_COL(s, T, IN_CUSTOMER, uint32_t)[e.row] != cu &&
        customer_refers(s, CX_TABLE_FEEDBACK, CXI_COL(s, T, IN_CUSTOMER, uint32_t)[e.row], FB_INTERACTION, e.row))
        return FIELD("customer", cxi_fail(CX_EINVAL, "%s: interaction '%s' cannot move to customer '%s': feedback of "
                                          "its customer rates it", fn, cxi_quote(qb, id), customer));
    /* a full table says so before a column is widened for the row */
    if ((e.row == CXI_NONE && (rc = room_for_row(fn, s, T))) ||
        (rc = fit_u32(fn, s, T, IN_DURATION, duration_ms, "durations of interactions")) ||
        (rc = fit_seconds(fn, s, T, IN_TIME, time, "times of interactions")) ||
        (rc = fit_cents(fn, s, T, IN_VALUE, value, "values of interactions")))
        return rc;
    pending kd, ag;
    if ((rc = resolve_value(fn, s, CX_VOCAB_INTERACTION_KIND, kind, false, &kd)) ||
        (rc = resolve_value(fn, s, CX_VOCAB_AGENT, agent, false, &ag)) ||
        (rc = fit_code(fn, s, T, IN_TOUCHPOINT, tp)) || (rc = fit_code(fn, s, T, IN_CASE, ca)) ||
        (rc = fit_code(fn, s, T, IN_KIND, pending_code(s, &kd))) ||
        (rc = fit_code(fn, s, T, IN_AGENT, pending_code(s, &ag))) || (rc = reserve_event(fn, s, T, &e, 10)))
        return rc;
    uint32_t kind_id = commit_value(s, &kd), agent_id = commit_value(s, &ag);
#define FIELDS(X)                                                                                                  \
    X(IN_CUSTOMER, uint32_t, cu) X(IN_TOUCHPOINT, uint32_t, tp) X(IN_TIME, int64_t, time)                         \
    X(IN_KIND, uint32_t, kind_id) X(IN_DIRECTION, uint8_t, direction) X(IN_OUTCOME, uint8_t, outcome)              \
    X(IN_AGENT, uint32_t, agent_id) X(IN_CASE, uint32_t, ca) X(IN_DURATION, int64_t, duration_ms)                  \
    X(IN_VALUE, double, value)
    STORE_EVENT(FIELDS, &e, out_change, out_row);
#undef FIELDS
    return CX_OK;
}

int cx_interaction_add(size_t *out_row, cx_store *s, const char *id, const char *customer, const char *touchpoint,
                       cx_time time, const char *kind, cx_direction direction, const char *agent,
                       const char *case_id, int64_t duration_ms, cx_outcome outcome, double value)
{
    return interaction_put("cx_interaction_add", true, NULL, out_row, s, id, customer, touchpoint, time, kind,
                           direction, agent, case_id, duration_ms, outcome, value);
}

int cx_interaction_put(int *out_change, size_t *out_row, cx_store *s, const char *id, const char *customer,
                       const char *touchpoint, cx_time time, const char *kind, cx_direction direction,
                       const char *agent, const char *case_id, int64_t duration_ms, cx_outcome outcome,
                       double value)
{
    return interaction_put("cx_interaction_put", false, out_change, out_row, s, id, customer, touchpoint, time, kind,
                           direction, agent, case_id, duration_ms, outcome, value);
}

/* ---- cases ------------------------------------------------------------- */

static int check_case_times(const char *fn, const char *id, cx_time opened, cx_time first_response,
                            cx_time resolved, int reopens, int contacts)
{
    QBUF;
    int rc;
    if ((rc = check_time(fn, "case", id, NULL, "first_response", first_response, false)) ||
        (rc = check_time(fn, "case", id, NULL, "resolved", resolved, false)))
        return rc;
    if (first_response != CX_TIME_NONE && first_response < opened)
        return FIELD("first_response", cxi_fail(CX_EORDER, "%s: case '%s': first response is before the case was opened", fn,
                        cxi_quote(qb, id)));
    if (resolved != CX_TIME_NONE && resolved < opened)
        return FIELD("resolved", cxi_fail(CX_EORDER, "%s: case '%s': resolved time is before opened time", fn,
                        cxi_quote(qb, id)));
    if (resolved != CX_TIME_NONE && first_response != CX_TIME_NONE && resolved < first_response)
        return FIELD("resolved", cxi_fail(CX_EORDER, "%s: case '%s': resolved time is before the first response", fn,
                        cxi_quote(qb, id)));
    if (reopens < 0)
        return FIELD("reopens", cxi_fail(CX_ERANGE, "%s: case '%s': negative reopen count %d", fn, cxi_quote(qb, id), reopens));
    if (contacts < 0)
        return FIELD("contacts", cxi_fail(CX_ERANGE, "%s: case '%s': negative contact count %d", fn, cxi_quote(qb, id),
                        contacts));
    return CX_OK;
}

static int case_put(const char *fn, bool add_only, int *out_change, cx_store *s, const char *id,
                    const char *customer, const char *channel, const char *priority, const char *agent,
                    cx_time opened, cx_time first_response, cx_time resolved, int reopens, int contacts)
{
    QBUF;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    const int T = CX_TABLE_CASES;
    eid e = {id, 0, 0, CXI_NONE};
    int rc = check_text(fn, "case id", id, true, &e.len);
    if (rc)
        return rc;
    e.h = (uint32_t)cxi_hash(id, e.len);
    e.row = cxi_pool_find_hashed(&s->keys[T], id, e.len, e.h);
    if (e.row != CXI_NONE && add_only)
        return FIELD("id", cxi_fail(CX_EEXISTS, "%s: case '%s' already exists", fn, cxi_quote(qb, id)));
    uint32_t cu;
    pending ch, pr, ag;
    if ((rc = find_key(fn, s, CX_TABLE_CUSTOMERS, "customer", customer, &cu)) ||
        (rc = check_time(fn, "case", id, customer, "opened", opened, true)) ||
        (rc = check_case_times(fn, id, opened, first_response, resolved, reopens, contacts)))
        return rc;
    if (e.row != CXI_NONE) {
        uint32_t was = CXI_COL(s, T, CA_CUSTOMER, uint32_t)[e.row];
        if (was != cu && (customer_refers(s, CX_TABLE_INTERACTIONS, was, IN_CASE, e.row) ||
                          customer_refers(s, CX_TABLE_FEEDBACK, was, FB_CASE, e.row)))
            return FIELD("customer", cxi_fail(CX_EINVAL, "%s: case '%s' cannot move to customer '%s': interactions or "
                                              "feedback of its customer refer to it", fn, cxi_quote(qb, id), customer));
    }
    if ((rc = resolve_value(fn, s, CX_VOCAB_CHANNEL, channel, true, &ch)) ||
        (rc = resolve_value(fn, s, CX_VOCAB_PRIORITY, priority, false, &pr)) ||
        (rc = resolve_value(fn, s, CX_VOCAB_AGENT, agent, false, &ag)) ||
        (rc = fit_code(fn, s, T, CA_CHANNEL, pending_code(s, &ch))) ||
        (rc = fit_code(fn, s, T, CA_PRIORITY, pending_code(s, &pr))) ||
        (rc = fit_code(fn, s, T, CA_AGENT, pending_code(s, &ag))) || (rc = reserve_event(fn, s, T, &e, 9)))
        return rc;
    uint32_t agent_id = commit_value(s, &ag);
#define FIELDS(X)                                                                                                  \
    X(CA_CUSTOMER, uint32_t, cu) X(CA_CHANNEL, uint32_t, ch.id) X(CA_PRIORITY, uint32_t, pr.id)                    \
    X(CA_AGENT, uint32_t, agent_id) X(CA_OPENED, int64_t, opened) X(CA_FIRST_RESPONSE, int64_t, first_response)    \
    X(CA_RESOLVED, int64_t, resolved) X(CA_REOPENS, int32_t, reopens) X(CA_CONTACTS, int32_t, contacts)
    STORE_EVENT(FIELDS, &e, out_change, NULL);
#undef FIELDS
    return CX_OK;
}

int cx_case_add(cx_store *s, const char *id, const char *customer, const char *channel, const char *priority,
                const char *agent, cx_time opened, cx_time first_response, cx_time resolved, int reopens, int contacts)
{
    return case_put("cx_case_add", true, NULL, s, id, customer, channel, priority, agent, opened, first_response,
                    resolved, reopens, contacts);
}

int cx_case_put(int *out_change, cx_store *s, const char *id, const char *customer, const char *channel,
                const char *priority, const char *agent, cx_time opened, cx_time first_response, cx_time resolved,
                int reopens, int contacts)
{
    return case_put("cx_case_put", false, out_change, s, id, customer, channel, priority, agent, opened,
                    first_response, resolved, reopens, contacts);
}

int cx_case_update(cx_store *s, const char *id, cx_time first_response, cx_time resolved, int reopens,
                   int contacts)
{
    static const char fn[] = "cx_case_update";
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    uint32_t row;
    int rc;
    const int T = CX_TABLE_CASES;
    if ((rc = find_key(fn, s, T, "case", id, &row)) ||
        (rc = check_case_times(fn, id, CXI_COL(s, T, CA_OPENED, int64_t)[row], first_response, resolved,
                               reopens, contacts)) ||
        (rc = reserve_update(s, T, row, 4)))
        return rc;
    cellv c[4];
    CELL(c, 0, CA_FIRST_RESPONSE, int64_t, first_response);
    CELL(c, 1, CA_RESOLVED, int64_t, resolved);
    CELL(c, 2, CA_REOPENS, int32_t, reopens);
    CELL(c, 3, CA_CONTACTS, int32_t, contacts);
    if (!same_row(s, T, row, c, 4))
        update_row(s, T, row, c, 4);
    return CX_OK;
}

/* ---- feedback ------------------------------------------------------------ */

/* The interaction feedback rates, by id: its row, or (in a streaming import,
 * whose interactions are in the database) the id's key, interned on commit. */
typedef struct link {
    eid e;        /* the interaction's id; e.row its row */
    bool external; /* s->external_interactions: e.row is CXI_NONE */
    uint32_t key;  /* external: the key of an id already interned, else CXI_NONE */
} link;

static int link_check(const char *fn, cx_store *s, const char *customer, uint32_t cu, const char *id, link *l)
{
    QBUF;
    char qb2[80];
    l->external = s->external_interactions;
    l->key = CXI_NONE;
    l->e.s = id;
    l->e.row = CXI_NONE;
    if (!id)
        return CX_OK;
    const int I = CX_TABLE_INTERACTIONS;
    int rc = check_text(fn, "interaction", id, true, &l->e.len);
    if (rc || (rc = cxi_event_ids_ready(fn, s, I)))
        return rc;
    l->e.h = (uint32_t)cxi_hash(id, l->e.len);
    uint32_t k = cxi_pool_find_hashed(&s->keys[I], id, l->e.len, l->e.h);
    if (l->external) {
        /* checked by the caller against where the rows are */
        l->key = k;
        return k == CXI_NONE ? eid_reserve(s, I, &l->e, CXI_NONE) : CX_OK;
    }
    l->e.row = k == CXI_NONE ? CXI_NONE : cxi_eid_row(s, I, k);
    if (l->e.row == CXI_NONE)
        return FIELD("interaction", cxi_fail(CX_ENOTFOUND, "%s: customer '%s': no interaction '%s'", fn,
                                             cxi_quote(qb, customer), cxi_quote(qb2, id)));
    if (CXI_COL(s, I, IN_CUSTOMER, uint32_t)[l->e.row] != cu)
        return FIELD("interaction", cxi_fail(CX_EINVAL, "%s: customer '%s': interaction '%s' belongs to another customer",
                                             fn, cxi_quote(qb, customer), cxi_quote(qb2, id)));
    return CX_OK;
}

/* The value of the feedback's interaction column. */
static uint32_t link_commit(cx_store *s, link *l)
{
    if (!l->external || !l->e.s)
        return l->e.row;
    if (l->key == CXI_NONE)
        l->key = eid_commit(s, CX_TABLE_INTERACTIONS, &l->e, CXI_NONE);
    return l->key;
}

static int feedback_put(const char *fn, bool add_only, int *out_change, size_t *out_row, cx_store *s,
                        const char *id, const char *customer, const char *question, double score, cx_time time,
                        const char *touchpoint, const char *interaction, const char *case_id, const char *comment)
{
    QBUF;
    char qb2[80];
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    const int T = CX_TABLE_FEEDBACK, Q = CX_TABLE_QUESTIONS;
    uint32_t cu, qu, tp, ca;
    size_t clen;
    eid e;
    int rc;
    if ((rc = cxi_table_dense(fn, s, T)) || (rc = eid_check(fn, s, T, id, &e)) ||
        (rc = find_key(fn, s, CX_TABLE_CUSTOMERS, "customer", customer, &cu)) ||
        (rc = find_key(fn, s, Q, "question", question, &qu)) ||
        (rc = find_key_opt(fn, s, CX_TABLE_TOUCHPOINTS, "touchpoint", touchpoint, &tp)) ||
        (rc = find_key_opt(fn, s, CX_TABLE_CASES, "case", case_id, &ca)) ||
        (rc = check_time(fn, "feedback", id, customer, "time", time, true)) ||
        (rc = check_text(fn, "comment", comment, false, &clen)))
        return rc;
    if (e.row != CXI_NONE && add_only)
        return FIELD("id", cxi_fail(CX_EEXISTS, "%s: feedback '%s' already exists", fn, cxi_quote(qb, id)));
    double lo = CXI_COL(s, Q, QU_MIN, double)[qu], hi = CXI_COL(s, Q, QU_MAX, double)[qu];
    if (!isfinite(score) || score < lo || score > hi)
        return FIELD("score", cxi_fail(CX_ERANGE, "%s: customer '%s', question '%s': score %g is outside the scale %g to %g",
                        fn, cxi_quote(qb, customer), cxi_quote(qb2, question), score, lo, hi));
    if (CXI_COL(s, Q, QU_METRIC, uint8_t)[qu] == CX_METRIC_NPS && score != floor(score))
        return FIELD("score", cxi_fail(CX_ERANGE, "%s: customer '%s', question '%s': NPS score %g is not a whole number", fn,
                        cxi_quote(qb, customer), cxi_quote(qb2, question), score));
    if (ca != CXI_NONE && CXI_COL(s, CX_TABLE_CASES, CA_CUSTOMER, uint32_t)[ca] != cu)
        return FIELD("case", cxi_fail(CX_EINVAL, "%s: customer '%s': case '%s' belongs to another customer", fn,
                        cxi_quote(qb, customer), cxi_quote(qb2, case_id)));
    link l;
    if ((rc = link_check(fn, s, customer, cu, interaction, &l)))
        return rc;
    uint32_t ch = comment ? (uint32_t)cxi_hash(comment, clen) : 0;
    uint32_t cid = comment ? cxi_pool_find_hashed(&s->comments, comment, clen, ch) : CXI_NONE;
    if ((e.row == CXI_NONE && (rc = room_for_row(fn, s, T))) ||
        (rc = fit_seconds(fn, s, T, FB_TIME, time, "times of feedback")) ||
        (rc = fit_cents(fn, s, T, FB_SCORE, score, "scores of feedback")) ||
        (rc = fit_code(fn, s, T, FB_QUESTION, qu)) || (rc = fit_code(fn, s, T, FB_TOUCHPOINT, tp)) ||
        (rc = fit_code(fn, s, T, FB_CASE, ca)) ||
        (rc = fit_code(fn, s, T, FB_COMMENT, !comment ? CXI_NONE : cid != CXI_NONE ? cid : s->comments.count)) ||
        (comment && cid == CXI_NONE && (rc = cxi_pool_reserve(&s->mem, &s->comments, 1, clen))) ||
        (rc = reserve_event(fn, s, T, &e, 8)))
        return rc;
    if (comment && cid == CXI_NONE)
        cid = cxi_pool_add_hashed(&s->comments, comment, clen, ch);
    uint32_t link_id = link_commit(s, &l);
#define FIELDS(X)                                                                                                  \
    X(FB_CUSTOMER, uint32_t, cu) X(FB_QUESTION, uint32_t, qu) X(FB_SCORE, double, score) X(FB_TIME, int64_t, time) \
    X(FB_TOUCHPOINT, uint32_t, tp) X(FB_INTERACTION, uint32_t, link_id) X(FB_CASE, uint32_t, ca)                   \
    X(FB_COMMENT, uint32_t, cid)
    STORE_EVENT(FIELDS, &e, out_change, out_row);
#undef FIELDS
    return CX_OK;
}

int cx_feedback_add(size_t *out_row, cx_store *s, const char *id, const char *customer, const char *question,
                    double score, cx_time time, const char *touchpoint, const char *interaction, const char *case_id,
                    const char *comment)
{
    return feedback_put("cx_feedback_add", true, NULL, out_row, s, id, customer, question, score, time, touchpoint,
                        interaction, case_id, comment);
}

int cx_feedback_put(int *out_change, size_t *out_row, cx_store *s, const char *id, const char *customer,
                    const char *question, double score, cx_time time, const char *touchpoint,
                    const char *interaction, const char *case_id, const char *comment)
{
    return feedback_put("cx_feedback_put", false, out_change, out_row, s, id, customer, question, score, time,
                        touchpoint, interaction, case_id, comment);
}

/* ---- transactions ------------------------------------------------------ */

static int transaction_put(const char *fn, bool add_only, int *out_change, size_t *out_row, cx_store *s,
                           const char *id, const char *customer, cx_time time, double amount)
{
    QBUF;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    const int T = CX_TABLE_TRANSACTIONS;
    uint32_t cu;
    eid e;
    int rc;
    if ((rc = eid_check(fn, s, T, id, &e)) ||
        (rc = find_key(fn, s, CX_TABLE_CUSTOMERS, "customer", customer, &cu)) ||
        (rc = check_time(fn, "transaction", id, customer, "time", time, true)))
        return rc;
    if (e.row != CXI_NONE && add_only)
        return FIELD("id", cxi_fail(CX_EEXISTS, "%s: transaction '%s' already exists", fn, cxi_quote(qb, id)));
    if (!isfinite(amount) || amount < 0)
        return FIELD("amount", cxi_fail(CX_ERANGE, "%s: customer '%s': amount %g is not a finite number >= 0", fn,
                        cxi_quote(qb, customer), amount));
    if ((e.row == CXI_NONE && (rc = room_for_row(fn, s, T))) ||
        (rc = fit_seconds(fn, s, T, TR_TIME, time, "times of transactions")) ||
        (rc = fit_cents(fn, s, T, TR_AMOUNT, amount, "amounts of transactions")) ||
        (rc = reserve_event(fn, s, T, &e, 3)))
        return rc;
#define FIELDS(X) X(TR_CUSTOMER, uint32_t, cu) X(TR_TIME, int64_t, time) X(TR_AMOUNT, double, amount)
    STORE_EVENT(FIELDS, &e, out_change, out_row);
#undef FIELDS
    return CX_OK;
}

int cx_transaction_add(size_t *out_row, cx_store *s, const char *id, const char *customer, cx_time time, double amount)
{
    return transaction_put("cx_transaction_add", true, NULL, out_row, s, id, customer, time, amount);
}

int cx_transaction_put(int *out_change, size_t *out_row, cx_store *s, const char *id, const char *customer,
                       cx_time time, double amount)
{
    return transaction_put("cx_transaction_put", false, out_change, out_row, s, id, customer, time, amount);
}

/* ---- questions ----------------------------------------------------------- */

/* Do the answers already given to question `qu` fit this metric and scale? */
static int answers_fit(const char *fn, const cx_store *s, const char *name, uint32_t qu, cx_metric metric, double lo,
                       double hi)
{
    QBUF;
    const int F = CX_TABLE_FEEDBACK;
    const cxi_codes q = cxi_codes_col(s, F, FB_QUESTION);
    const cxi_vcol score = cxi_vcol_of(s, F, FB_SCORE);
    for (size_t r = 0; r < s->t[F].n; r++) {
        if (cxi_codes_at(q, r) != qu)
            continue;
        double v = cxi_vcol_at(score, r);
        if (v < lo || v > hi || (metric == CX_METRIC_NPS && v != floor(v)))
            return FIELD("scale_min", cxi_fail(CX_ERANGE, "%s: question '%s': the answer %g of feedback row %zu does not "
                                               "fit the new metric and scale", fn, cxi_quote(qb, name), v, r));
    }
    return CX_OK;
}

static int question_put(const char *fn, bool add_only, int *out_change, cx_store *s, const char *name,
                        cx_metric metric, double scale_min, double scale_max, int higher_is_better)
{
    QBUF;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    size_t len;
    int rc = check_text(fn, "question name", name, true, &len);
    if (rc)
        return rc;
    cxi_pool *keys = &s->keys[CX_TABLE_QUESTIONS];
    uint32_t row = cxi_pool_find(keys, name, len);
    if (row != CXI_NONE && add_only)
        return FIELD("name", cxi_fail(CX_EEXISTS, "%s: question '%s' already exists", fn, cxi_quote(qb, name)));
    if (metric < CX_METRIC_NPS || metric > CX_METRIC_CUSTOM)
        return FIELD("metric", cxi_fail(CX_EINVAL, "%s: question '%s': metric %d is not a cx_metric", fn,
                        cxi_quote(qb, name), metric));
    if (higher_is_better != 0 && higher_is_better != 1)
        return FIELD("higher_is_better", cxi_fail(CX_EINVAL, "%s: question '%s': higher_is_better must be 0 or 1", fn,
                        cxi_quote(qb, name)));
    if (!isfinite(scale_min) || !isfinite(scale_max) || scale_min >= scale_max)
        return FIELD("scale_max", cxi_fail(CX_ERANGE, "%s: question '%s': scale %g to %g is not a finite range with min < max",
                        fn, cxi_quote(qb, name), scale_min, scale_max));
    if (metric == CX_METRIC_NPS && (scale_min != 0 || scale_max != 10 || !higher_is_better))
        return FIELD("scale_min", cxi_fail(CX_ERANGE, "%s: question '%s': an NPS question is asked on 0 to 10, higher better",
                        fn, cxi_quote(qb, name)));
    const int T = CX_TABLE_QUESTIONS;
    cellv c[4];
    CELL(c, 0, QU_METRIC, uint8_t, (uint8_t)metric);
    CELL(c, 1, QU_MIN, double, scale_min);
    CELL(c, 2, QU_MAX, double, scale_max);
    CELL(c, 3, QU_HIB, uint8_t, (uint8_t)higher_is_better);
    if (row != CXI_NONE) {
        if (same_row(s, T, row, c, 4)) {
            report_change(out_change, CX_UNCHANGED);
            return CX_OK;
        }
        if ((rc = answers_fit(fn, s, name, row, metric, scale_min, scale_max)) || (rc = reserve_update(s, T, row, 4)))
            return rc;
        update_row(s, T, row, c, 4);
        report_change(out_change, CX_UPDATED);
        return CX_OK;
    }
    if ((rc = room_for_row(fn, s, T)) || (rc = cxi_pool_reserve(&s->mem, keys, 1, len)) ||
        (rc = reserve_rows(s, T, 1)))
        return rc;
    row = cxi_pool_add(keys, name, len);
    write_row(s, T, row, c, 4);
    s->t[T].n = row + 1;
    report_change(out_change, CX_ADDED);
    return CX_OK;
}

int cx_question_add(cx_store *s, const char *name, cx_metric metric, double scale_min, double scale_max,
                    int higher_is_better)
{
    return question_put("cx_question_add", true, NULL, s, name, metric, scale_min, scale_max, higher_is_better);
}

int cx_question_put(int *out_change, cx_store *s, const char *name, cx_metric metric, double scale_min,
                    double scale_max, int higher_is_better)
{
    return question_put("cx_question_put", false, out_change, s, name, metric, scale_min, scale_max,
                        higher_is_better);
}

/* ---- schema and getters ------------------------------------------------ */

int cx_table_name(const char **out, cx_table table)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_table_name: out is NULL");
    int rc = check_table("cx_table_name", table);
    if (rc)
        return rc;
    *out = schema[table].name;
    return CX_OK;
}

int cx_column_count(size_t *out, cx_table table)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_column_count: out is NULL");
    int rc = check_table("cx_column_count", table);
    if (rc)
        return rc;
    *out = (size_t)schema[table].ncols;
    return CX_OK;
}

static int get_desc(const char *fn, int table, int column, const coldesc **d)
{
    int rc = check_table(fn, table);
    if (rc)
        return rc;
    if (column < 0 || column >= schema[table].ncols)
        return cxi_fail(CX_EINVAL, "%s: table %s has no column %d", fn, schema[table].name, column);
    *d = &schema[table].cols[column];
    return CX_OK;
}

int cx_column_name(const char **out, cx_table table, int column)
{
    const coldesc *d = NULL;
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_column_name: out is NULL");
    int rc = get_desc("cx_column_name", table, column, &d);
    if (rc)
        return rc;
    *out = d->name;
    return CX_OK;
}

int cx_column_type(int *out, cx_table table, int column)
{
    const coldesc *d = NULL;
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_column_type: out is NULL");
    int rc = get_desc("cx_column_type", table, column, &d);
    if (rc)
        return rc;
    *out = d->type;
    return CX_OK;
}

int cx_column_find(int *out, cx_table table, const char *name)
{
    if (!out || !name)
        return cxi_fail(CX_EINVAL, "cx_column_find: NULL argument");
    int rc = check_table("cx_column_find", table);
    if (rc)
        return rc;
    for (int i = 0; i < schema[table].ncols; i++) {
        if (strcmp(schema[table].cols[i].name, name) == 0) {
            *out = i;
            return CX_OK;
        }
    }
    QBUF;
    return cxi_fail(CX_ENOTFOUND, "cx_column_find: table %s has no column '%s'", schema[table].name,
                    cxi_quote(qb, name));
}

static int get_cell(const char *fn, const cx_store *s, int table, int column, size_t row, const coldesc **d)
{
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    int rc = get_desc(fn, table, column, d);
    if (rc)
        return rc;
    if (row >= s->t[table].n)
        return cxi_fail(CX_ERANGE, "%s: row %zu beyond the %zu rows of %s", fn, row, s->t[table].n,
                        schema[table].name);
    return CX_OK;
}

static uint32_t u32_at(const cx_store *s, int table, const coldesc *d, size_t row)
{
    if (d->src == SRC_EID)
        return cxi_row_eid(s, table, row);
    return cxi_codes_at(cxi_codes_col(s, table, d->icol), row);
}

int cx_store_get_string(const char **out, const cx_store *s, cx_table table, int column, size_t row)
{
    static const char fn[] = "cx_store_get_string";
    const coldesc *d = NULL;
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    int rc = get_cell(fn, s, table, column, row, &d);
    if (rc)
        return rc;
    uint32_t v;
    switch (d->src) {
    case SRC_ID:
        *out = cxi_pool_str(&s->keys[table], (uint32_t)row);
        return CX_OK;
    case SRC_SET:
        v = u32_at(s, table, d, row);
        *out = v == CXI_NONE ? NULL : cxi_pool_str(&s->sets[d->aux], v);
        return CX_OK;
    case SRC_REF:
        v = u32_at(s, table, d, row);
        *out = v == CXI_NONE ? NULL : cxi_pool_str(&s->keys[d->aux], v);
        return CX_OK;
    case SRC_TEXT:
        v = u32_at(s, table, d, row);
        *out = v == CXI_NONE ? NULL : cxi_pool_str(&s->comments, v);
        return CX_OK;
    case SRC_EID:
    case SRC_LINK: {
        int et = d->src == SRC_EID ? (int)table : d->aux;
        v = u32_at(s, table, d, row);
        if (d->src == SRC_LINK && v != CXI_NONE && !s->external_interactions) /* a row: its id */
            v = cxi_row_eid(s, et, v);
        if (v == CXI_NONE) {
            *out = NULL;
            return CX_OK;
        }
        /* after cx_store_compact, the table's ids as text again, once */
        const cxi_pool *text = cxi_event_ids_text(s, et);
        if (!text)
            return cxi_fail(CX_ENOMEM, "%s: out of memory for the text of the ids of %s", fn, schema[et].name);
        *out = cxi_pool_str(text, v);
        return CX_OK;
    }
    case SRC_ENUM:
        *out = enum_names[d->aux][((const uint8_t *)s->t[table].cols[d->icol].data)[row]];
        return CX_OK;
    default:
        return cxi_fail(CX_EINVAL, "%s: column %s.%s is not a string column", fn, schema[table].name, d->name);
    }
}

int cx_store_get_int(int64_t *out, const cx_store *s, cx_table table, int column, size_t row)
{
    static const char fn[] = "cx_store_get_int";
    const coldesc *d = NULL;
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    int rc = get_cell(fn, s, table, column, row, &d);
    if (rc)
        return rc;
    const void *col = d->icol >= 0 ? s->t[table].cols[d->icol].data : NULL;
    uint32_t v;
    switch (d->src) {
    case SRC_LINK:
        v = s->external_interactions ? CXI_NONE : u32_at(s, table, d, row);
        *out = v == CXI_NONE ? -1 : (int64_t)v;
        return CX_OK;
    case SRC_SET:
    case SRC_REF:
        v = u32_at(s, table, d, row);
        *out = v == CXI_NONE ? -1 : (int64_t)v;
        return CX_OK;
    case SRC_ENUM:
    case SRC_U8:
        *out = ((const uint8_t *)col)[row];
        return CX_OK;
    case SRC_I32:
        *out = ((const int32_t *)col)[row];
        return CX_OK;
    case SRC_I64:
        *out = cxi_icol_at(cxi_icol_of(s, table, d->icol), row);
        return CX_OK;
    default:
        return cxi_fail(CX_EINVAL, "%s: column %s.%s has no integer value", fn, schema[table].name, d->name);
    }
}

int cx_store_get_real(double *out, const cx_store *s, cx_table table, int column, size_t row)
{
    static const char fn[] = "cx_store_get_real";
    const coldesc *d = NULL;
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    int rc = get_cell(fn, s, table, column, row, &d);
    if (rc)
        return rc;
    if (d->src == SRC_F64) {
        *out = cxi_vcol_at(cxi_vcol_of(s, table, d->icol), row);
        return CX_OK;
    }
    if (d->type == CX_TYPE_INT) {
        int64_t v;
        rc = cx_store_get_int(&v, s, table, column, row);
        if (!rc)
            *out = (double)v;
        return rc;
    }
    return cxi_fail(CX_EINVAL, "%s: column %s.%s is not numeric", fn, schema[table].name, d->name);
}

/* ---- imp14: sizing a table for an import ------------------------------
 * (owned by imp14, issue 14; a hint for cx_import_csv, see store_private.h) */

int cxi_store_reserve_ids(cx_store *s, int table, size_t rows, size_t bytes)
{
    (void)bytes; /* the bytes come in blocks as the ids are added */
    cxi_pool *p = &s->keys[table];
    if (rows == 0 || rows > CXI_MAX_ROWS - p->count)
        return CX_OK;
    int rc = cxi_id_col(table) >= 0 ? cxi_event_ids_ready("cx_import_csv", s, table) : CX_OK;
    if (rc)
        return rc;
    uint32_t had = p->count;
    /* the hash slots sized once, in huge pages (cxi_pool_presize): the
     * slots of a large table are read at random, one TLB miss each in
     * 4 KiB pages, which made rows in any order slower than sorted ones */
    rc = cxi_pool_presize(&s->mem, p, (uint32_t)rows);
    /* the id -> row index only when the table keeps one (store_private.h) */
    if (!rc && cxi_id_col(table) >= 0 && s->idrow[table] &&
        (rc = cxi_grow(&s->mem, &s->idrow[table], &s->idrow_cap[table], (size_t)had + rows, sizeof(uint32_t))))
        rc = cxi_fail(rc, "out of memory growing the index of %s ids", schema[table].name);
    if (rc)
        return rc;
    /* the references and the index are written in order, whole, and read
     * by id (in huge pages) */
    if (p->nruns == 0 && p->strs.cap >= (size_t)had + rows)
        cxi_prefault_huge((uint32_t *)p->strs.data + had, rows * sizeof(uint32_t));
    if (cxi_id_col(table) >= 0 && s->idrow[table])
        cxi_prefault_huge(s->idrow[table] + had, rows * sizeof(uint32_t));
    return CX_OK;
}

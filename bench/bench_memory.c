#define _POSIX_C_SOURCE 200809L
/*
 * Benchmark (issue 14): the store's memory per interaction, by table and by
 * part (columns, the strings of ids and names, their hash indexes), after
 * importing a directory of CSV files such as `gen-demo` writes. Not a test:
 * it prints figures. Internal: it links the internal archive to read the
 * store's layout (cx_store_memory() gives only the total).
 *
 * Usage: bench-memory DIR [DIR ...]
 *   DIR holds customers.csv, touchpoints.csv, questions.csv, cases.csv,
 *   interactions.csv, feedback.csv and transactions.csv (a missing file is
 *   skipped). Every figure is bytes divided by the number of interactions.
 * Then it estimates, from the data as stored, what other layouts would
 * hold (what_if): ids as numbers, their index by number, sparse columns.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../src/store/store_private.h"
#include "cxkit/cxkit.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The bytes a pool holds: hash slots, per-string references, string blocks
 * (the uniform mode's out-of-line blocks of outliers included). */
typedef struct pool_bytes {
    size_t slots, refs, text;
} pool_bytes;

static pool_bytes pool_size(const cxi_pool *p)
{
    pool_bytes b = {(size_t)p->nslots * sizeof *p->slots, p->strs.cap * p->strs.elem, 0};
    for (size_t i = 0; i < p->nblocks; i++)
        b.text += p->block_sizes[i];
    b.text += p->blocks_cap * (sizeof *p->blocks + sizeof *p->block_sizes);
    for (size_t i = 0; i < p->nx; i++)
        b.text += p->xsizes[i];
    b.text += p->xcap * (sizeof *p->xblocks + sizeof *p->xsizes);
    return b;
}

/* The bytes of table t's columns (used: their rows only); a column kept
 * sparse (cx_store_compact) counts its bytes either way. */
static size_t cols_size(const cx_store *s, int t, bool used)
{
    const cxi_table *tb = &s->t[t];
    size_t b = 0;
    for (int c = 0; c < tb->ncols; c++)
        b += s->sparse[t][c] ? cxi_sparse_bytes(s->sparse[t][c]) : (used ? tb->n : tb->cols[c].cap) * tb->cols[c].elem;
    return b;
}

static const char *const files[] = {"customers", "touchpoints", "interactions", "cases",
                                    "questions", "feedback",    "transactions"};
static const int order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_QUESTIONS, CX_TABLE_CASES,
                            CX_TABLE_INTERACTIONS, CX_TABLE_FEEDBACK, CX_TABLE_TRANSACTIONS};


/* ---- what would shrink it (issue 14's 40 bytes) ----------------------
 * Two estimates of what a different layout would hold, from the data as
 * stored (nothing is changed):
 *   ids as numbers: ids that are a prefix and up to 9 digits (I-1611868,
 *     T-000042), in the table's commonest such form, 4 bytes each (the
 *     number); the others as they are now (their length + 2 bytes: the
 *     uniform mode's stride, or a reference and its text);
 *   sparse columns: a column whose rows mostly hold one value (its
 *     commonest among the first 4096 rows: a missing case, a zero value)
 *     as a bitmap of the rows that differ and their values packed, where
 *     that is smaller than the column. */

/* The form of an id: its prefix (up to 15 bytes, no digit) and digits,
 * 1-9 of them (the number fits 32 bits): width 0 when they have no
 * leading zero (the number's decimal text), else their count (the number
 * padded with zeros); false for any other id. */
typedef struct id_form {
    char prefix[16];
    unsigned plen, width, digits;
} id_form;

static bool form_of(const char *id, size_t len, id_form *f)
{
    size_t i = 0;
    while (i < len && !(id[i] >= '0' && id[i] <= '9'))
        i++;
    if (i >= sizeof f->prefix || len - i < 1 || len - i > 9)
        return false;
    for (size_t k = i; k < len; k++)
        if (!(id[k] >= '0' && id[k] <= '9'))
            return false;
    memcpy(f->prefix, id, i);
    f->prefix[i] = '\0';
    f->plen = (unsigned)i;
    f->digits = (unsigned)(len - i);
    f->width = id[i] == '0' && len - i > 1 ? f->digits : 0;
    return true;
}

/* Whether id form f is written by form `as` (an id with no leading zero
 * also fits a padded form of its width). */
static bool fits_form(const id_form *f, const id_form *as)
{
    if (f->plen != as->plen || memcmp(f->prefix, as->prefix, f->plen) != 0)
        return false;
    return as->width ? f->digits == as->width : f->width == 0;
}

/* Bytes of table t's ids as numbers where they take the form that holds
 * most of them (of the first 8 forms seen), the others as text; *now the
 * bytes of their text and references today; *share the ids in that form;
 * *index the bytes of an index of them: an array of rows by number over
 * the numbers' range (4 bytes a number) when that is smaller than hash
 * slots for them, and hash slots (4 bytes, 9/16 full) for the others. */
static double ids_as_numbers(const cx_store *s, int t, double *now, double *share, double *index)
{
    const cxi_pool *p = &s->keys[t];
    pool_bytes b = pool_size(p);
    *now = (double)(b.refs + b.text);
    *share = 0;
    *index = (double)b.slots;
    if (p->count == 0)
        return *now;
    id_form forms[8], f;
    size_t fit[8] = {0}, nf = 0;
    for (uint32_t id = 0; id < p->count && nf < 8; id++) {
        if (!form_of(cxi_pool_str(p, id), cxi_pool_len(p, id), &f))
            continue;
        size_t k = 0;
        while (k < nf && !(forms[k].width == f.width && fits_form(&f, &forms[k])))
            k++;
        if (k == nf)
            forms[nf++] = f;
    }
    /* each form's ids, the bytes they would save and their numbers' range */
    double saved[8] = {0};
    uint32_t lo[8], hi[8];
    for (size_t k = 0; k < nf; k++) {
        lo[k] = UINT32_MAX;
        hi[k] = 0;
    }
    for (uint32_t id = 0; id < p->count; id++) {
        const char *str = cxi_pool_str(p, id);
        size_t len = cxi_pool_len(p, id);
        if (!form_of(str, len, &f))
            continue;
        uint32_t v = 0;
        for (size_t k = f.plen; k < len; k++)
            v = v * 10 + (uint32_t)(str[k] - '0');
        for (size_t k = 0; k < nf; k++)
            if (fits_form(&f, &forms[k])) {
                fit[k]++;
                saved[k] += (double)len + 2 - 4; /* 4 bytes instead of its length + 2 */
                lo[k] = v < lo[k] ? v : lo[k];
                hi[k] = v > hi[k] ? v : hi[k];
            }
    }
    if (nf == 0)
        return *now;
    size_t best = 0;
    for (size_t k = 1; k < nf; k++)
        best = fit[k] > fit[best] ? k : best;
    double in_form = (double)fit[best];
    *share = in_form / p->count;
    double others = (double)p->count - in_form;
    double direct = in_form > 0 ? 4.0 * ((double)hi[best] - (double)lo[best] + 1) : 0;
    double hashed = 4.0 * in_form * 16 / 9;
    *index = (direct < hashed ? direct : hashed) + 4.0 * others * 16 / 9;
    return *now - saved[best];
}

/* Bytes of column c of table t as a bitmap of the rows that differ from
 * its commonest value (among the first 4096 rows) and those rows' values
 * packed; *common the share of rows that hold that value. */
static double sparse_bytes(const cxi_table *tb, int c, double *common)
{
    size_t n = tb->n, elem = tb->cols[c].elem;
    const unsigned char *d = tb->cols[c].data;
    *common = 0;
    if (n == 0 || elem > 8)
        return (double)n * (double)elem;
    /* the commonest value of a sample: a few candidates counted */
    unsigned char cand[16][8];
    size_t cnt[16] = {0}, nc = 0, m = n < 4096 ? n : 4096;
    for (size_t r = 0; r < m; r++) {
        size_t k = 0;
        while (k < nc && memcmp(cand[k], d + r * elem, elem) != 0)
            k++;
        if (k == nc && nc < 16)
            memcpy(cand[nc++], d + r * elem, elem);
        if (k < nc)
            cnt[k]++;
    }
    size_t best = 0;
    for (size_t k = 1; k < nc; k++)
        best = cnt[k] > cnt[best] ? k : best;
    size_t same = 0;
    for (size_t r = 0; r < n; r++)
        same += memcmp(cand[best], d + r * elem, elem) == 0;
    *common = (double)same / (double)n;
    return (double)((n + 7) / 8) + (double)(n - same) * (double)elem;
}


/* The store's internal columns by table (store_private.h), for the estimates. */
static const char *const cu_names[CU_NCOLS] = {[CU_SEGMENT] = "segment", [CU_REGION] = "region", [CU_PLAN] = "plan",
                                               [CU_ACQUIRED] = "acquired"};
static const char *const tp_names[TP_NCOLS] = {[TP_CHANNEL] = "channel", [TP_STAGE] = "stage", [TP_KIND] = "kind",
                                               [TP_KEY] = "key", [TP_WEIGHT] = "weight"};
static const char *const in_names[IN_NCOLS] = {
    [IN_CUSTOMER] = "customer", [IN_TOUCHPOINT] = "touchpoint", [IN_TIME] = "time",   [IN_KIND] = "kind",
    [IN_DIRECTION] = "direction", [IN_OUTCOME] = "outcome",     [IN_AGENT] = "agent", [IN_CASE] = "case",
    [IN_DURATION] = "duration_ms", [IN_VALUE] = "value",        [IN_ID] = "id"};
static const char *const ca_names[CA_NCOLS] = {
    [CA_CUSTOMER] = "customer", [CA_CHANNEL] = "channel",   [CA_PRIORITY] = "priority",
    [CA_AGENT] = "agent",       [CA_OPENED] = "opened",     [CA_FIRST_RESPONSE] = "first_response",
    [CA_RESOLVED] = "resolved", [CA_REOPENS] = "reopens",   [CA_CONTACTS] = "contacts"};
static const char *const qu_names[QU_NCOLS] = {[QU_METRIC] = "metric", [QU_MIN] = "scale_min", [QU_MAX] = "scale_max",
                                               [QU_HIB] = "higher_is_better"};
static const char *const fb_names[FB_NCOLS] = {
    [FB_CUSTOMER] = "customer",     [FB_QUESTION] = "question",       [FB_SCORE] = "score",
    [FB_TIME] = "time",             [FB_TOUCHPOINT] = "touchpoint",   [FB_INTERACTION] = "interaction",
    [FB_CASE] = "case",             [FB_COMMENT] = "comment",         [FB_ID] = "id"};
static const char *const tr_names[TR_NCOLS] = {[TR_CUSTOMER] = "customer", [TR_TIME] = "time", [TR_AMOUNT] = "amount",
                                               [TR_ID] = "id"};

/* Each table's names and count of internal columns, by cx_table. */
static const struct {
    const char *const *names;
    int ncols;
} col_names[CX_TABLE_COUNT] = {
    [CX_TABLE_CUSTOMERS] = {cu_names, CU_NCOLS}, [CX_TABLE_TOUCHPOINTS] = {tp_names, TP_NCOLS},
    [CX_TABLE_INTERACTIONS] = {in_names, IN_NCOLS}, [CX_TABLE_CASES] = {ca_names, CA_NCOLS},
    [CX_TABLE_QUESTIONS] = {qu_names, QU_NCOLS}, [CX_TABLE_FEEDBACK] = {fb_names, FB_NCOLS},
    [CX_TABLE_TRANSACTIONS] = {tr_names, TR_NCOLS}};

static const char *col_name(int t, int c)
{
    if (t < 0 || t >= CX_TABLE_COUNT || c < 0 || c >= col_names[t].ncols || !col_names[t].names[c])
        return "?";
    return col_names[t].names[c];
}

static void what_if(const cx_store *s, double total, double n)
{
    double ids_now = 0, ids_num = 0, idx_now = 0, idx_num = 0;
    printf("  what would shrink it (estimates from the data as stored; nothing changed):\n");
    printf("    ids as numbers where they are a prefix and digits (4 bytes), the others as now:");
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        if (s->keys[t].count == 0)
            continue;
        double now, share, idx, num = ids_as_numbers(s, t, &now, &share, &idx);
        ids_now += now;
        ids_num += num;
        idx_now += (double)pool_size(&s->keys[t]).slots;
        idx_num += idx;
        printf(" %s %.2f -> %.2f (%.0f %% in one form);", files[t], now / n, num / n, share * 100);
    }
    printf("\n      all ids %.2f -> %.2f bytes per interaction; their hash slots %.2f -> %.2f as an array of rows by "
           "number where smaller (the others hashed)\n",
           ids_now / n, ids_num / n, idx_now / n, idx_num / n);
    double cols_now = 0, cols_sparse = 0;
    printf("    sparse columns (bitmap + the rows off the commonest value), where smaller:");
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        const cxi_table *tb = &s->t[t];
        for (int c = 0; c < tb->ncols; c++) {
            double dense = (double)tb->n * (double)tb->cols[c].elem, common;
            double sp = sparse_bytes(tb, c, &common);
            cols_now += dense;
            if (sp < dense) {
                printf(" %s.%s %.2f -> %.2f (%.0f %% one value);", files[t], col_name(t, c), dense / n, sp / n,
                       common * 100);
                cols_sparse += sp;
            } else {
                cols_sparse += dense;
            }
        }
    }
    printf("\n      all columns (used) %.2f -> %.2f bytes per interaction\n", cols_now / n, cols_sparse / n);
    double both = total - (ids_now - ids_num) - (cols_now - cols_sparse);
    double all3 = both - (idx_now - idx_num);
    printf("    ids as numbers and sparse columns: %.2f -> %.2f bytes per interaction; with the ids' index by number "
           "too: %.2f (issue 14's target: 40; the columns' spare room and the rest as now)\n",
           total / n, both / n, all3 / n);
}

/* The store's bytes by table and part, per interaction; returns the total
 * cx_store_memory gives. */
static size_t breakdown(const cx_store *s, double n)
{
    size_t total;
    cx_store_memory(&total, s);
    printf("  %-13s %8s %8s | %8s %8s %8s %8s | %8s\n", "table", "columns", "(used)", "slots", "refs", "text",
           "idrow", "sum");
    double sum = 0;
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        pool_bytes k = pool_size(&s->keys[t]);
        k.text += cxi_numids_bytes(s, t); /* ids as numbers (cx_store_compact) */
        double cols = (double)cols_size(s, t, false), used = (double)cols_size(s, t, true);
        double idrow = (double)s->idrow_cap[t] * sizeof(uint32_t);
        double dirty = (double)s->dirty_cap[t] * sizeof(uint64_t);
        double all = cols + (double)(k.slots + k.refs + k.text) + idrow + dirty;
        sum += all;
        printf("  %-13s %8.2f %8.2f | %8.2f %8.2f %8.2f %8.2f | %8.2f\n", files[t], cols / n, used / n,
               (double)k.slots / n, (double)k.refs / n, (double)k.text / n, idrow / n, all / n);
    }
    double sets = 0, other;
    for (int v = 0; v < CX_VOCAB_COUNT; v++) {
        pool_bytes b = pool_size(&s->sets[v]);
        sets += (double)(b.slots + b.refs + b.text);
    }
    pool_bytes cm = pool_size(&s->comments), av = pool_size(&s->attr_values);
    double comments = (double)(cm.slots + cm.refs + cm.text);
    double attrs = (double)(av.slots + av.refs + av.text) +
                   (double)cxi_attrs_bytes(&s->attrs);
    sum += sets + comments + attrs;
    other = (double)total - sum;
    printf("  named sets %.2f, comments %.2f, attributes %.2f, other %.2f\n", sets / n, comments / n, attrs / n,
           other / n);
    printf("  total %.2f bytes per interaction (cx_store_memory %zu bytes)\n", (double)total / n, total);
    return total;
}

static void run(const char *dir)
{
    cx_store *s;
    if (cx_store_new(&s)) {
        fprintf(stderr, "%s\n", cx_last_error());
        exit(1);
    }
    double cpu = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        int t = order[i];
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.csv", dir, files[t]);
        if (access(path, R_OK) != 0)
            continue;
        cx_import_report *rep = NULL;
        double c0 = cpu_now();
        if (cx_import_csv(&rep, s, t, path, NULL)) {
            fprintf(stderr, "%s: %s\n", path, cx_last_error());
            exit(1);
        }
        cpu += cpu_now() - c0;
        cx_import_report_free(rep);
    }
    if (s->t[CX_TABLE_INTERACTIONS].n == 0) {
        fprintf(stderr, "%s: no interactions\n", dir);
        exit(1);
    }
    double n = (double)s->t[CX_TABLE_INTERACTIONS].n;
    printf("%s: %zu interactions, %zu customers, %zu feedback, %zu transactions, %zu cases; import CPU %.2f s\n",
           dir, s->t[CX_TABLE_INTERACTIONS].n, s->t[CX_TABLE_CUSTOMERS].n, s->t[CX_TABLE_FEEDBACK].n,
           s->t[CX_TABLE_TRANSACTIONS].n, s->t[CX_TABLE_CASES].n, cpu);
    size_t total = breakdown(s, n);
    what_if(s, (double)total, n);
    printf("  ids without references (uniform mode, outliers out of line):");
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        if (s->keys[t].nruns)
            printf(" %s %u run(s) %u outlier(s);", files[t], (unsigned)s->keys[t].nruns, (unsigned)s->keys[t].nouts);
    printf("\n");
    /* the widths of the code columns (cxi_code_col: 1, 2 or 4 bytes a row) */
    printf("  interactions' code columns, bytes a row:");
    const cxi_table *it = &s->t[CX_TABLE_INTERACTIONS];
    for (int c = 0; c < it->ncols; c++)
        if (cxi_code_col(CX_TABLE_INTERACTIONS, c))
            printf(" %s %zu", c == IN_TOUCHPOINT ? "touchpoint" : c == IN_KIND ? "kind" : c == IN_AGENT ? "agent" : "case",
                   it->cols[c].elem);
    /* and the narrow columns: duration_ms (cxi_icol: 4 or 8), value (cxi_vcol: 4 in cents or 8) */
    printf("; duration_ms %zu, value %zu; transactions' amount %zu", it->cols[IN_DURATION].elem, it->cols[IN_VALUE].elem,
           s->t[CX_TABLE_TRANSACTIONS].cols[TR_AMOUNT].elem);
    /* feedback's code columns and its score (cxi_vcol: 4 in cents or 8) */
    const cxi_table *ft = &s->t[CX_TABLE_FEEDBACK];
    printf("; feedback's question %zu touchpoint %zu case %zu, score %zu", ft->cols[FB_QUESTION].elem,
           ft->cols[FB_TOUCHPOINT].elem, ft->cols[FB_CASE].elem, ft->cols[FB_SCORE].elem);
    /* the times (cxi_seconds_col: 4 in whole seconds or 8 in milliseconds) */
    printf("; times of interactions %zu, feedback %zu, transactions %zu\n", it->cols[IN_TIME].elem,
           ft->cols[FB_TIME].elem, s->t[CX_TABLE_TRANSACTIONS].cols[TR_TIME].elem);
    /* the index of every customer's interactions, cases, feedback and transactions
     * that the first history after a change builds and the store keeps
     * until the next change (not in cx_store_memory) */
    cx_history *h;
    double c0 = cpu_now();
    if (s->t[CX_TABLE_CUSTOMERS].n && cx_history_new(&h, s, cxi_customer_id(s, 0), CX_TIME_NONE, CX_TIME_NONE) == CX_OK) {
        double c1 = cpu_now();
        cx_history_free(h);
        printf("  + history index on demand %.2f bytes per interaction (built by the first history: %.1f ms CPU)\n",
               (double)cxi_hindex_bytes(s) / n, (c1 - c0) * 1e3);
    }
    /* compacted (cx_store_compact): no room for rows to come, no index of
     * the events' ids nor history index until a reader asks for one */
    c0 = cpu_now();
    cx_store_compact(s);
    double c1 = cpu_now();
    printf("after cx_store_compact (%.1f ms CPU):\n", (c1 - c0) * 1e3);
    breakdown(s, n);
    printf("  kept sparse, bytes per interaction:");
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        for (int c = 0; c < CXI_MAX_COLS; c++)
            if (s->sparse[t][c])
                printf(" %s.%s %.2f (%.0f %% one value);", files[t], col_name(t, c),
                       (double)cxi_sparse_bytes(s->sparse[t][c]) / n,
                       100.0 * (1.0 - (double)s->sparse[t][c]->nvals / (double)s->sparse[t][c]->n));
    printf("\n  ids as numbers:");
    for (int t = 0; t < CX_TABLE_COUNT; t++)
        if (s->nid[t])
            printf(" %s %.2f;", files[t], (double)cxi_numids_bytes(s, t) / n);
    printf("\n");
    /* the index of an event table's ids a find builds (not in cx_store_memory) */
    static const int ev[] = {CX_TABLE_INTERACTIONS, CX_TABLE_FEEDBACK, CX_TABLE_TRANSACTIONS};
    c0 = cpu_now();
    for (size_t i = 0; i < 3; i++) {
        const char *id = NULL;
        char buf[CXI_EID_BUF];
        size_t nr = s->t[ev[i]].n, row;
        if (nr && (id = cxi_row_eid_text(s, ev[i], nr - 1, buf)) && (cx_store_find(&row, s, ev[i], id) || row != nr - 1)) {
            fprintf(stderr, "%s: %s not found after cx_store_compact\n", dir, id);
            exit(1);
        }
    }
    c1 = cpu_now();
    printf("  + ids' index on demand %.2f bytes per interaction (built by the first finds: %.1f ms CPU)\n",
           (double)cxi_eindex_bytes(s) / n, (c1 - c0) * 1e3);
    cx_store_free(s);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-memory DIR [DIR ...]\n");
        return 2;
    }
    for (int i = 1; i < argc; i++)
        run(argv[i]);
    return 0;
}

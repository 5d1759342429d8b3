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
 */
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

static size_t cols_size(const cxi_table *t, bool used)
{
    size_t b = 0;
    for (int c = 0; c < t->ncols; c++)
        b += (used ? t->n : t->cols[c].cap) * t->cols[c].elem;
    return b;
}

static const char *const files[] = {"customers", "touchpoints", "interactions", "cases",
                                    "questions", "feedback",    "transactions"};
static const int order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_QUESTIONS, CX_TABLE_CASES,
                            CX_TABLE_INTERACTIONS, CX_TABLE_FEEDBACK, CX_TABLE_TRANSACTIONS};

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
    size_t total;
    cx_store_memory(&total, s);
    double n = (double)s->t[CX_TABLE_INTERACTIONS].n;
    if (n == 0) {
        fprintf(stderr, "%s: no interactions\n", dir);
        exit(1);
    }
    printf("%s: %zu interactions, %zu customers, %zu feedback, %zu transactions, %zu cases; import CPU %.2f s\n",
           dir, s->t[CX_TABLE_INTERACTIONS].n, s->t[CX_TABLE_CUSTOMERS].n, s->t[CX_TABLE_FEEDBACK].n,
           s->t[CX_TABLE_TRANSACTIONS].n, s->t[CX_TABLE_CASES].n, cpu);
    printf("  %-13s %8s %8s | %8s %8s %8s %8s | %8s\n", "table", "columns", "(used)", "slots", "refs", "text",
           "idrow", "sum");
    double sum = 0;
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        pool_bytes k = pool_size(&s->keys[t]);
        double cols = (double)cols_size(&s->t[t], false), used = (double)cols_size(&s->t[t], true);
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

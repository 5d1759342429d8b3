/*
 * Benchmark: a path-count table read from CSV by the library itself
 * (cx_paths_import_csv) and attributed (cx_paths_attribution), in one
 * fresh process, the way bench/attribution_bench.py's "file read in C" case
 * runs it but without Python: prints the CPU and wall seconds of the read
 * and of each order's call, the paths and states, and the load average.
 * With --dump FILE it also writes the table of paths and every attribution
 * table, reals as C99 hex floats, so that two builds can be compared byte
 * for byte (issue 14 asks for results identical before and after).
 *
 * --threads N: cx_paths_set_threads() (default 1; 0 every online core).
 *
 * Usage: bench-attribution CSV [--orders 1,2,3] [--dump OUT] [--sep ">"] [--threads N]
 */
#define _DEFAULT_SOURCE
#include <cxkit/cxkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "benchutil.h"

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "bench-attribution: %s: %s\n", #call, cx_last_error());                              \
            exit(1);                                                                                               \
        }                                                                                                          \
    } while (0)

typedef bench_clocks clocks;

/* Writes every cell of r, reals in hex, one row a line. */
static void dump(FILE *f, const char *title, const cx_result *r)
{
    size_t nr = cx_result_row_count(r), nc = cx_result_column_count(r);
    fprintf(f, "# %s: %zu rows\n", title, nr);
    for (size_t i = 0; i < nr; i++) {
        for (size_t c = 0; c < nc; c++) {
            int type;
            CHECK(cx_result_column_type(&type, r, c));
            if (c)
                fputc('\t', f);
            if (type == CX_TYPE_STRING) {
                const char *s;
                CHECK(cx_result_get_string(&s, r, i, c));
                fputs(s ? s : "(null)", f);
            } else if (type == CX_TYPE_INT) {
                int64_t v;
                CHECK(cx_result_get_int(&v, r, i, c));
                fprintf(f, "%lld", (long long)v);
            } else {
                double v;
                CHECK(cx_result_get_real(&v, r, i, c));
                fprintf(f, "%a", v);
            }
        }
        fputc('\n', f);
    }
}

int main(int argc, char **argv)
{
    const char *csv = NULL, *out = NULL, *orders = "1", *sep = ">";
    int threads = 1;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--orders") == 0 && i + 1 < argc)
            orders = argv[++i];
        else if (strcmp(argv[i], "--sep") == 0 && i + 1 < argc)
            sep = argv[++i];
        else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc)
            threads = atoi(argv[++i]);
        else if (!csv && argv[i][0] != '-')
            csv = argv[i];
        else {
            fprintf(stderr, "usage: bench-attribution CSV [--orders 1,2,3] [--dump OUT] [--sep SEP] [--threads N]\n");
            return 2;
        }
    }
    if (!csv) {
        fprintf(stderr, "usage: bench-attribution CSV [--orders 1,2,3] [--dump OUT] [--sep SEP] [--threads N]\n");
        return 2;
    }
    double la[3];
    bench_loadavg(la);
    FILE *df = NULL;
    if (out && !(df = fopen(out, "w"))) {
        perror(out);
        return 1;
    }
    cx_paths *p;
    CHECK(cx_paths_new(&p));
    CHECK(cx_paths_set_threads(p, threads));
    clocks t0 = bench_now();
    CHECK(cx_paths_import_csv(p, csv, sep, "path", "total_conversions", "total_null", "total_conversion_value"));
    clocks tr = bench_since(t0);
    printf("RESULT paths=%zu states=%zu load=%.2f read_cpu=%.4f read_wall=%.4f", cx_paths_count(p),
           cx_paths_state_count(p), la[0], tr.cpu, tr.wall);
    for (const char *o = orders; *o; o++) {
        if (*o < '1' || *o > '9')
            continue;
        int order = *o - '0';
        cx_result *r;
        clocks t1 = bench_now();
        CHECK(cx_paths_attribution(&r, p, order));
        clocks ta = bench_since(t1);
        printf(" order%d_cpu=%.4f order%d_wall=%.4f", order, ta.cpu, order, ta.wall);
        if (df) {
            char title[32];
            snprintf(title, sizeof title, "attribution order %d", order);
            dump(df, title, r);
        }
        cx_result_free(r);
    }
    printf("\n");
    if (df) {
        cx_result *t;
        CHECK(cx_paths_table(&t, p, sep));
        dump(df, "paths", t);
        cx_result_free(t);
        fclose(df);
    }
    cx_paths_free(p);
    return 0;
}

/*
 * Benchmark: import a directory of CXKit CSV files (as written by gen-demo)
 * into a store, then save the store to SQLite; prints seconds, rows/s and
 * MB/s for each table and in all. bench/import.sh runs it beside pandas and
 * DuckDB on the same files.
 *
 * Usage: bench-import DATA_DIR [DB_PATH]
 */
#define _POSIX_C_SOURCE 200809L
#include <cxkit/cxkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bench-import DATA_DIR [DB_PATH]\n");
        return 2;
    }
    static const int order[] = {CX_TABLE_CUSTOMERS, CX_TABLE_TOUCHPOINTS, CX_TABLE_CASES, CX_TABLE_INTERACTIONS,
                                CX_TABLE_QUESTIONS, CX_TABLE_FEEDBACK,    CX_TABLE_TRANSACTIONS};
    cx_store *s;
    if (cx_store_new(&s) != CX_OK)
        return 1;
    double total_t = 0, total_mb = 0;
    unsigned long long total_rows = 0;
    printf("cxkit %s bench-import (one thread)\n", cx_version_string());
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const char *name;
        cx_table_name(&name, order[i]);
        char path[4096];
        snprintf(path, sizeof path, "%s/%s.csv", argv[1], name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        cx_import_report *r;
        double t0 = now();
        if (cx_import_csv(&r, s, order[i], path, NULL) != CX_OK) {
            fprintf(stderr, "%s\n", cx_last_error());
            return 1;
        }
        double dt = now() - t0;
        double mb = (double)st.st_size / 1e6;
        unsigned long long n = (unsigned long long)cx_import_report_accepted(r);
        printf("  csv -> memory  %-13s %10llu rows %8.1f MB %7.3f s %9.0f rows/s %7.1f MB/s (%llu rejected)\n", name, n,
               mb, dt, (double)n / dt, mb / dt, (unsigned long long)cx_import_report_rejected(r));
        total_t += dt;
        total_mb += mb;
        total_rows += n;
        cx_import_report_free(r);
    }
    printf("  csv -> memory  %-13s %10llu rows %8.1f MB %7.3f s %9.0f rows/s %7.1f MB/s\n", "all", total_rows, total_mb,
           total_t, (double)total_rows / total_t, total_mb / total_t);
    size_t mem;
    cx_store_memory(&mem, s);
    printf("  store memory %.1f MB\n", (double)mem / 1e6);
    double sqlite_total = -1;
    if (argc > 2) {
        remove(argv[2]);
        double t0 = now();
        if (cx_db_save(s, argv[2]) != CX_OK) {
            fprintf(stderr, "%s\n", cx_last_error());
            return 1;
        }
        double dt = now() - t0;
        printf("  memory -> sqlite (one transaction, WAL) %7.3f s; csv -> sqlite in all %7.3f s = %9.0f rows/s %7.1f MB/s\n",
               dt, total_t + dt, (double)total_rows / (total_t + dt), total_mb / (total_t + dt));
        sqlite_total = total_t + dt;
    }
    printf("RESULT cx_memory_s=%.3f cx_sqlite_s=%.3f\n", total_t, sqlite_total);
    cx_store_free(s);
    return 0;
}

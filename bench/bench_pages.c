#define _DEFAULT_SOURCE /* madvise, MAP_ANONYMOUS */
/*
 * Benchmark (issue 14): what fresh memory costs on this machine. Not a
 * test, and not the library: it prints figures that say how to read the
 * others. A journey build of rows in any order writes about three times
 * the fresh memory of a build of sorted rows (bench-journey), and an
 * import writes every column of the store into fresh memory; how much that
 * costs depends on the machine far more than on the code. In a virtual
 * machine whose host keeps its own page tables for the guest (shadow
 * paging), the first write to each new 4 KiB page can cost microseconds
 * even after the kernel has populated it.
 *
 * For SIZE MiB (default 120: the sort keys and rows of a shuffled build of
 * 10^7 interactions), each in a new anonymous mapping, ROUNDS times
 * alternately:
 *   4k           madvise(MADV_POPULATE_WRITE), then three write passes
 *                (memset): the populate's CPU time, each pass's GB/s
 *   4k-nopop     the same with no populate: the first pass faults each page
 *   huge         MADV_HUGEPAGE first, then as 4k
 * and the least CPU time of each figure over the rounds (with the most
 * of populate + first write: the first huge pages of a run can cost as
 * much as ordinary ones, where the host backs them only then), with the
 * kernel's transparent huge page mode and free page reporting order when
 * it shows them. Where a flag is missing (not Linux, an older kernel) its
 * case says so.
 *
 * Usage: bench-pages [SIZE_MIB [ROUNDS]]
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

enum { CASE_4K, CASE_NOPOP, CASE_HUGE, NCASES, PASSES = 3 };
static const char *const names[NCASES] = {"4k", "4k-nopop", "huge"};
static const char *const keys[NCASES] = {"k4", "k4_nopop", "huge"}; /* in the RESULT line */

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The advice of each case, -1 where this system has none. */
#ifdef MADV_HUGEPAGE
#define ADV_HUGE MADV_HUGEPAGE
#else
#define ADV_HUGE (-1)
#endif
#ifdef MADV_POPULATE_WRITE
#define ADV_POPULATE MADV_POPULATE_WRITE
#else
#define ADV_POPULATE (-1)
#endif

/* madvise(p, bytes, advice), its failure or absence printed: 0 or -1. */
static int advise(void *p, size_t bytes, int advice, const char *name)
{
    if (advice < 0) {
        fprintf(stderr, "bench-pages: no %s here\n", name);
        return -1;
    }
    if (madvise(p, bytes, advice) != 0) {
        fprintf(stderr, "bench-pages: madvise(%s): %s\n", name, strerror(errno));
        return -1;
    }
    return 0;
}

/* One case in a new mapping: fills pop (the populate's CPU seconds, 0 when
 * none) and pass[] (each write pass's CPU seconds). 0, or -1 when the case
 * cannot run here (printed). */
static int run_case(int which, size_t bytes, double *pop, double pass[PASSES])
{
    unsigned char *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
        perror("bench-pages: mmap");
        return -1;
    }
    int rc = which == CASE_HUGE ? advise(p, bytes, ADV_HUGE, "MADV_HUGEPAGE") : 0;
    *pop = 0;
    if (!rc && which != CASE_NOPOP) {
        double c = cpu_now();
        rc = advise(p, bytes, ADV_POPULATE, "MADV_POPULATE_WRITE");
        *pop = cpu_now() - c;
    }
    for (int k = 0; !rc && k < PASSES; k++) {
        double c = cpu_now();
        memset(p, k + 1, bytes);
        pass[k] = cpu_now() - c;
    }
    /* read back, so that no pass can be left out */
    if (!rc && p[bytes - 1] != PASSES)
        rc = -1;
    munmap(p, bytes);
    return rc;
}

static void show_file(const char *label, const char *path)
{
    FILE *f = fopen(path, "r");
    char line[256];
    if (f && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\n")] = '\0';
        printf("  %s: %s\n", label, line);
    }
    if (f)
        fclose(f);
}

int main(int argc, char **argv)
{
    long mib = argc > 1 ? strtol(argv[1], NULL, 10) : 120;
    long rounds = argc > 2 ? strtol(argv[2], NULL, 10) : 3;
    if (argc > 3 || mib < 1 || mib > 65536 || rounds < 1 || rounds > 100) {
        fprintf(stderr, "usage: bench-pages [SIZE_MIB (1-65536, default 120) [ROUNDS (1-100, default 3)]]\n");
        return 2;
    }
    size_t bytes = (size_t)mib << 20;
    double best_pop[NCASES], best_pass[NCASES][PASSES], worst_first[NCASES];
    int ok[NCASES];
    for (int w = 0; w < NCASES; w++) {
        ok[w] = 1;
        best_pop[w] = 1e30;
        worst_first[w] = 0;
        for (int k = 0; k < PASSES; k++)
            best_pass[w][k] = 1e30;
    }
    printf("bench-pages: fresh memory, %ld MiB a mapping, %ld round%s (cases alternating), the least CPU time\n", mib,
           rounds, rounds == 1 ? "" : "s");
    show_file("transparent huge pages", "/sys/kernel/mm/transparent_hugepage/enabled");
    show_file("free page reporting order", "/sys/module/page_reporting/parameters/page_reporting_order");
    for (long r = 0; r < rounds; r++)
        for (int w = 0; w < NCASES; w++) {
            double pop, pass[PASSES];
            if (!ok[w] || run_case(w, bytes, &pop, pass) != 0) {
                ok[w] = 0;
                continue;
            }
            best_pop[w] = pop < best_pop[w] ? pop : best_pop[w];
            worst_first[w] = pop + pass[0] > worst_first[w] ? pop + pass[0] : worst_first[w];
            for (int k = 0; k < PASSES; k++)
                best_pass[w][k] = pass[k] < best_pass[w][k] ? pass[k] : best_pass[w][k];
        }
    printf("  %-9s %10s %22s %22s %22s\n", "case", "populate s", "first write s (GB/s)", "second", "third");
    for (int w = 0; w < NCASES; w++) {
        if (!ok[w]) {
            printf("  %-9s not available here\n", names[w]);
            continue;
        }
        printf("  %-9s %10.4f", names[w], best_pop[w]);
        for (int k = 0; k < PASSES; k++)
            printf("   %8.4f (%8.2f)", best_pass[w][k], (double)bytes / best_pass[w][k] / 1e9);
        printf("\n");
    }
    if (ok[CASE_4K] && ok[CASE_HUGE]) {
        double a = best_pop[CASE_4K] + best_pass[CASE_4K][0], b = best_pop[CASE_HUGE] + best_pass[CASE_HUGE][0];
        printf("  populate + first write: 4 KiB pages %.4f s (%.2f GB/s, %.2f us a page), huge pages %.4f s (%.2f GB/s); "
               "the most of a round: %.4f s and %.4f s (a huge page the host has to back first costs more)\n",
               a, (double)bytes / a / 1e9, a / ((double)bytes / 4096) * 1e6, b, (double)bytes / b / 1e9,
               worst_first[CASE_4K], worst_first[CASE_HUGE]);
    }
    printf("RESULT mib=%ld", mib);
    for (int w = 0; w < NCASES; w++)
        if (ok[w])
            printf(" %s_populate_s=%.4f %s_first_s=%.4f %s_second_s=%.4f %s_most_s=%.4f", keys[w], best_pop[w], keys[w],
                   best_pass[w][0], keys[w], best_pass[w][1], keys[w], worst_first[w]);
    printf("\n");
    return 0;
}

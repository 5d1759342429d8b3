/*
 * The timing helpers the benchmarks share (issue 14: "each figure prints CPU
 * time beside wall time and the load average; memory of both sides"):
 *
 *   bench_wall()            wall-clock seconds (CLOCK_MONOTONIC)
 *   bench_cpu()             CPU seconds of the process, all its threads,
 *                           user + system (CLOCK_PROCESS_CPUTIME_ID)
 *   bench_clocks            both at once: bench_now() and bench_since(t0)
 *   bench_loadavg(la)       the 1, 5 and 15 minute load averages (from
 *                           /proc/loadavg: no feature macro needed; zeros
 *                           where there is none); 0 on success, -1 if not
 *   bench_print_load(when)  "load average WHEN: a b c" on stdout
 *   bench_peak_rss_mb()     the process's peak resident set, in MB
 *                           (getrusage ru_maxrss, kB on Linux)
 *
 * Header only (static functions, no state): a benchmark includes it after
 * its feature-test macro (_POSIX_C_SOURCE 199309L or later, or
 * _DEFAULT_SOURCE) and before or after <cxkit/cxkit.h>. Not part of the
 * library.
 */
#ifndef CXKIT_BENCH_BENCHUTIL_H
#define CXKIT_BENCH_BENCHUTIL_H

#include <stdio.h>
#include <sys/resource.h>
#include <time.h>

/* Wall-clock and CPU seconds, read together. */
typedef struct bench_clocks {
    double wall, cpu;
} bench_clocks;

static inline double bench_seconds_(clockid_t id)
{
    struct timespec ts;
    if (clock_gettime(id, &ts) != 0)
        return 0.0;
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall-clock seconds from an arbitrary origin (monotonic). */
static inline double bench_wall(void) { return bench_seconds_(CLOCK_MONOTONIC); }

/* CPU seconds (user + system) of every thread of the process. */
static inline double bench_cpu(void) { return bench_seconds_(CLOCK_PROCESS_CPUTIME_ID); }

static inline bench_clocks bench_now(void)
{
    bench_clocks t;
    t.wall = bench_wall();
    t.cpu = bench_cpu();
    return t;
}

/* The wall and CPU seconds since t0 (a bench_now()). */
static inline bench_clocks bench_since(bench_clocks t0)
{
    bench_clocks t = bench_now();
    t.wall -= t0.wall;
    t.cpu -= t0.cpu;
    return t;
}

/* The load averages over 1, 5 and 15 minutes into la[0..2]; 0, or -1 (and
 * zeros) where /proc/loadavg cannot be read. */
static inline int bench_loadavg(double la[3])
{
    FILE *f = fopen("/proc/loadavg", "r");
    int ok = f && fscanf(f, "%lf %lf %lf", &la[0], &la[1], &la[2]) == 3;
    if (f)
        fclose(f);
    if (!ok)
        la[0] = la[1] = la[2] = 0.0;
    return ok ? 0 : -1;
}

/* Prints "load average WHEN: 1min 5min 15min" on a line of its own. */
static inline void bench_print_load(const char *when)
{
    double la[3];
    if (bench_loadavg(la) == 0)
        printf("load average %s: %.2f %.2f %.2f\n", when, la[0], la[1], la[2]);
}

/* The peak resident set of the process so far, in MB (1 MB = 1024 kB, as
 * the benches have always printed it). */
static inline double bench_peak_rss_mb(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0.0;
    return (double)ru.ru_maxrss / 1024.0;
}

#endif

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
 *   bench_splitmix64(s)     the next number of a seeded sequence (the data
 *   bench_unif(s)           the benches write), and one uniform in (0, 1)
 *   bench_number(p, end)    a decimal number as strtod reads it, parsed by
 *                           hand when it is plain digits (the benches' C
 *                           readers of their CSV files)
 *
 * Header only (static functions, no state): a benchmark includes it after
 * its feature-test macro (_POSIX_C_SOURCE 199309L or later, or
 * _DEFAULT_SOURCE) and before or after <cxkit/cxkit.h>. Not part of the
 * library.
 */
#ifndef CXKIT_BENCH_BENCHUTIL_H
#define CXKIT_BENCH_BENCHUTIL_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
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

/* splitmix64: the next number of the sequence seeded by *state. */
static inline uint64_t bench_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* A uniform double in (0, 1) (53 bits, never 0 or 1). */
static inline double bench_unif(uint64_t *state)
{
    return ((double)(bench_splitmix64(state) >> 11) + 0.5) / 9007199254740992.0;
}

/* A decimal number at p (an optional '-', digits, an optional fraction)
 * as strtod reads it: the digits as an integer divided once by an exact
 * power of ten, so correctly rounded; strtod itself for anything else
 * (exponents, more than 15 digits). *end: the first character after it. */
static inline double bench_number(const char *p, char **end)
{
    static const double pow10[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    const char *q = p;
    int neg = *q == '-';
    q += neg;
    uint64_t m = 0;
    int digits = 0, frac = 0;
    for (; *q >= '0' && *q <= '9'; q++, digits++)
        m = m * 10 + (uint64_t)(*q - '0');
    if (*q == '.')
        for (q++; *q >= '0' && *q <= '9'; q++, digits++, frac++)
            m = m * 10 + (uint64_t)(*q - '0');
    if (digits == 0 || digits > 15 || *q == 'e' || *q == 'E')
        return strtod(p, end);
    *end = (char *)q;
    double v = frac ? (double)m / pow10[frac] : (double)m;
    return neg ? -v : v;
}

#endif

#define _POSIX_C_SOURCE 200809L
/*
 * Benchmark: load N synthetic interactions (seeded, deterministic) into a
 * store through the public API and report load throughput and memory per
 * event. Not a test: it asserts nothing about time, it prints figures.
 *
 * Usage: bench-store [N ...]      (default: 1000000 10000000)
 */
#include <cxkit/cxkit.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "benchutil.h"

static uint64_t rng_state;

/* seeded, so every run loads the same events */
static uint64_t rnd(void) { return bench_splitmix64(&rng_state); }

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define CHECK(call)                                                             \
    do {                                                                        \
        if ((call) != CX_OK) {                                                  \
            fprintf(stderr, "%s: %s\n", #call, cx_last_error());                \
            exit(1);                                                            \
        }                                                                       \
    } while (0)

static const char *const tps[][3] = {
    {"ad", "ads", "awareness"},       {"site", "web", "consideration"}, {"app", "mobile_app", "consideration"},
    {"checkout", "web", "purchase"},  {"delivery", "delivery", "purchase"},
    {"phone", "phone", "service"},    {"chat", "chat", "service"},      {"email", "email", "service"},
    {"whatsapp", "whatsapp", "service"}, {"faq", "self_service", "service"},
};
#define NTP (sizeof tps / sizeof tps[0])

static void run(size_t n, bool reserve)
{
    size_t ncust = n / 10 ? n / 10 : 1;
    const size_t nagents = 200;
    char (*ids)[24] = malloc(ncust * sizeof *ids);
    char (*agents)[24] = malloc(nagents * sizeof *agents);
    if (!ids || !agents) {
        fprintf(stderr, "out of memory\n");
        exit(1);
    }
    for (size_t i = 0; i < ncust; i++)
        snprintf(ids[i], sizeof ids[i], "C%zu", i);
    for (size_t i = 0; i < nagents; i++)
        snprintf(agents[i], sizeof agents[i], "agent%zu", i);
    static const char *const kinds[] = {"visit", "view", "contact", "purchase"};

    rng_state = 42;
    cx_store *s;
    CHECK(cx_store_new(&s));
    for (size_t i = 0; i < NTP; i++)
        CHECK(cx_touchpoint_add(s, tps[i][0], tps[i][1], tps[i][2], NULL, 0, 1));
    double t0 = now();
    if (reserve) {
        CHECK(cx_store_reserve(s, CX_TABLE_CUSTOMERS, ncust));
        CHECK(cx_store_reserve(s, CX_TABLE_INTERACTIONS, n));
    }
    for (size_t i = 0; i < ncust; i++)
        CHECK(cx_customer_add(s, ids[i], i % 3 ? "consumer" : "business", NULL, NULL, CX_TIME_NONE));
    double t1 = now();
    cx_time base = 1704067200000LL; /* 2024-01-01 */
    for (size_t i = 0; i < n; i++) {
        uint64_t r = rnd();
        size_t tp = (r >> 8) % NTP;
        bool service = tp >= 5;
        CHECK(cx_interaction_add(NULL, s, NULL, ids[r % ncust], tps[tp][0], base + (cx_time)((r >> 20) % 63072000000ULL),
                                 kinds[(r >> 40) & 3], (int)((r >> 44) & 1), service ? agents[(r >> 45) % nagents] : NULL,
                                 NULL, service ? (int64_t)((r >> 12) % 900000) : 0, (int)((r >> 50) % 3 == 2 ? 1 : 0),
                                 0.0));
    }
    double t2 = now();
    size_t bytes, bytes_customers;
    CHECK(cx_store_memory(&bytes, s));
    /* memory of the customers alone, to report the events' own share */
    cx_store *c;
    CHECK(cx_store_new(&c));
    if (reserve)
        CHECK(cx_store_reserve(c, CX_TABLE_CUSTOMERS, ncust));
    for (size_t i = 0; i < ncust; i++)
        CHECK(cx_customer_add(c, ids[i], i % 3 ? "consumer" : "business", NULL, NULL, CX_TIME_NONE));
    CHECK(cx_store_memory(&bytes_customers, c));
    cx_store_free(c);
    /* a full scan, to show the column layout pays off when reading */
    double t3 = now();
    cx_history *h;
    size_t total = 0;
    for (size_t i = 0; i < 1000; i++) {
        CHECK(cx_history_new(&h, s, ids[(i * 7919) % ncust], CX_TIME_NONE, CX_TIME_NONE));
        total += cx_history_count(h);
        cx_history_free(h);
    }
    double t4 = now();
    printf("N=%-9zu %-8s customers=%-8zu load %.3f s = %.2f M events/s (customers %.3f s)  "
       "memory %.1f MB = %.1f bytes/event all-in, %.1f bytes/event for the events alone  "
           "history of one customer: %.1f us (avg %.1f entries)\n",
           n, reserve ? "reserved" : "growing", ncust, t2 - t1, (double)n / (t2 - t1) / 1e6, t1 - t0, (double)bytes / 1e6, (double)bytes / (double)n,
           (double)(bytes - bytes_customers) / (double)n, (t4 - t3) / 1000 * 1e6, (double)total / 1000);
    cx_store_free(s);
    free(ids);
    free(agents);
}

int main(int argc, char **argv)
{
    printf("cxkit %s bench-store: synthetic interactions through cx_interaction_add (seed 42)\n",
           cx_version_string());
    static const size_t defaults[] = {1000000, 10000000};
    int count = argc > 1 ? argc - 1 : 2;
    for (int i = 0; i < count; i++) {
        size_t n = argc > 1 ? (size_t)strtoull(argv[i + 1], NULL, 10) : defaults[i];
        run(n, false); /* columns grow by half as rows arrive */
        run(n, true);  /* cx_store_reserve first, as a bulk loader that knows the count would */
    }
    return 0;
}

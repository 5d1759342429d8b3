#define _POSIX_C_SOURCE 200809L
/*
 * The C side of bench_bindings.py: load N synthetic interactions (and N/10
 * customers) through cx_customer_add_batch() and cx_interaction_add_batch(),
 * with exactly the arrays bench_bindings.py builds (same generator), and
 * print the load time. Not a test: it prints figures.
 *
 * Usage: bench-bindings [N]      (default 1000000)
 */
#include <cxkit/cxkit.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

#define CHECK(call)                                                                                \
    do {                                                                                           \
        if ((call) != CX_OK) {                                                                     \
            fprintf(stderr, "%s: %s\n", #call, cx_last_error());                                   \
            exit(1);                                                                               \
        }                                                                                          \
    } while (0)

static const char *const tps[][3] = {
    {"ad", "ads", "awareness"},       {"site", "web", "consideration"}, {"app", "mobile_app", "consideration"},
    {"checkout", "web", "purchase"},  {"delivery", "delivery", "purchase"}, {"phone", "phone", "service"},
    {"chat", "chat", "service"},      {"email", "email", "service"},    {"whatsapp", "whatsapp", "service"},
    {"faq", "self_service", "service"},
};
static const char *const kinds[] = {"visit", "view", "contact", "purchase"};

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 1000000;
    size_t ncust = n / 10 ? n / 10 : 1, nagents = 200;
    char (*ids)[24] = malloc(ncust * sizeof *ids);
    char (*agents)[24] = malloc(nagents * sizeof *agents);
    const char **cid = malloc(ncust * sizeof *cid), **seg = malloc(ncust * sizeof *seg);
    const char **cust = malloc(n * sizeof *cust), **tp = malloc(n * sizeof *tp), **kind = malloc(n * sizeof *kind);
    const char **agent = malloc(n * sizeof *agent);
    cx_time *times = malloc(n * sizeof *times);
    int *dir = malloc(n * sizeof *dir), *outc = malloc(n * sizeof *outc);
    int64_t *dur = malloc(n * sizeof *dur);
    if (!ids || !agents || !cid || !seg || !cust || !tp || !kind || !agent || !times || !dir || !outc || !dur)
        return 1;
    for (size_t i = 0; i < ncust; i++) {
        snprintf(ids[i], sizeof ids[i], "C%zu", i);
        cid[i] = ids[i];
        seg[i] = i % 3 ? "consumer" : "business";
    }
    for (size_t i = 0; i < nagents; i++)
        snprintf(agents[i], sizeof agents[i], "agent%zu", i);
    /* the generator of bench_bindings.py: a 64-bit LCG, top bits used */
    uint64_t x = 42;
    for (size_t i = 0; i < n; i++) {
        x = x * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t r = x >> 11;
        size_t t = (r >> 8) % 10;
        int service = t >= 5;
        cust[i] = ids[r % ncust];
        tp[i] = tps[t][0];
        times[i] = 1704067200000LL + (cx_time)((r >> 20) % 63072000000ULL);
        kind[i] = kinds[(r >> 40) & 3];
        dir[i] = (int)((r >> 44) & 1);
        agent[i] = service ? agents[(r >> 45) % nagents] : NULL;
        dur[i] = service ? (int64_t)((r >> 12) % 900000) : 0;
        outc[i] = (r >> 50) % 3 == 2 ? 1 : 0;
    }
    cx_store *s;
    CHECK(cx_store_new(&s));
    for (size_t i = 0; i < 10; i++)
        CHECK(cx_touchpoint_add(s, tps[i][0], tps[i][1], tps[i][2], NULL, 0, 1));
    double t0 = now();
    CHECK(cx_customer_add_batch(NULL, s, ncust, cid, seg, NULL, NULL, NULL));
    double t1 = now();
    CHECK(cx_interaction_add_batch(NULL, s, n, NULL, cust, tp, times, kind, dir, agent, NULL, dur, outc, NULL));
    double t2 = now();
    size_t rows;
    CHECK(cx_store_rows(&rows, s, CX_TABLE_INTERACTIONS));
    printf("C batch: N=%zu customers=%zu load customers %.3f s, interactions %.3f s = %.2f M events/s "
           "(rows %zu)\n", n, ncust, t1 - t0, t2 - t1, (double)n / (t2 - t1) / 1e6, rows);
    cx_store_free(s);
    return 0;
}

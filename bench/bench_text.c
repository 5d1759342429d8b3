/* bench-text: indexes N survey comments (default 10^6), Arabic and English,
 * and prints the CPU time and the memory per comment of the index, then
 * of the counts and themes by touchpoint and of a search.
 *
 * usage: bench-text [N] [SEED]
 * Comments are 3 to 14 words: 70 % from a list of common Arabic and
 * English review words (Zipf-like), 30 % from a tail of 50 000 made-up
 * Latin words, so the vocabulary grows with N as real text does. Half the
 * comments are Arabic-led, half English-led. CPU times are
 * process times (clock_gettime(CLOCK_PROCESS_CPUTIME_ID)). */
#define _POSIX_C_SOURCE 200809L
#include <cxkit/cxkit.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static const char *const EN[] = {
    "the", "delivery", "was", "late", "again", "agent", "helpful", "rude", "not", "order", "arrived", "damaged",
    "box", "courier", "never", "called", "great", "service", "fast", "thank", "you", "refund", "waiting", "phone",
    "app", "checkout", "failed", "payment", "support", "problem", "solved", "quickly", "price", "quality", "and",
    "very", "good", "bad", "slow", "tracking", "package", "missing", "item", "wrong", "size", "return",
};
static const char *const AR[] = {
    "التوصيل", "تأخر", "كثيراً", "الطلب", "وصل", "متأخر", "المندوب", "لم", "يتصل", "الموظف", "متعاون", "خدمة",
    "ممتازة", "شكراً", "سيء", "جداً", "المشكلة", "لم", "تُحل", "الانتظار", "طويل", "السعر", "الجودة", "التطبيق",
    "الدفع", "فشل", "المنتج", "مكسور", "الكرتونة", "ممزقة", "في", "من", "على", "و", "سريع", "رائع",
};

static uint64_t rng(uint64_t *s)
{
    *s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
    return *s >> 33;
}

/* A Zipf-like pick in [0, n): the smaller, the likelier. */
static size_t zipf(uint64_t *s, size_t n)
{
    double u = (double)(rng(s) % 1000000) / 1e6;
    size_t k = (size_t)((double)n * u * u);
    return k < n ? k : n - 1;
}

static double cpu(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static long maxrss_kb(void)
{
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_maxrss;
}

#define CHECK(call)                                                                                                \
    do {                                                                                                           \
        if ((call) != CX_OK) {                                                                                     \
            fprintf(stderr, "%s: %s\n", #call, cx_last_error());                                                   \
            return 1;                                                                                              \
        }                                                                                                          \
    } while (0)

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? (size_t)strtoull(argv[1], NULL, 10) : 1000000;
    uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 10) : 17;
    cx_store *s;
    CHECK(cx_store_new(&s));
    const char *tps[] = {"home_delivery", "call_centre", "live_chat", "web_checkout"};
    const char *chs[] = {"delivery", "phone", "chat", "web"};
    for (int i = 0; i < 4; i++) {
        CHECK(cx_vocab_define(NULL, s, CX_VOCAB_CHANNEL, chs[i]));
        CHECK(cx_touchpoint_add(s, tps[i], chs[i], "service", NULL, 1, 1));
    }
    char id[32], text[512];
    size_t ncust = n / 100 + 1;
    for (size_t i = 0; i < ncust; i++) {
        snprintf(id, sizeof id, "C%zu", i);
        CHECK(cx_customer_add(s, id, NULL, NULL, NULL, CX_TIME_NONE));
    }
    size_t bytes = 0;
    cx_time t0 = 1704067200000LL; /* 2024-01-01 */
    for (size_t i = 0; i < n; i++) {
        size_t len = 0, words = 3 + rng(&seed) % 12;
        int arabic = i % 2;
        for (size_t w = 0; w < words; w++) {
            uint64_t r = rng(&seed) % 10;
            char tail[16];
            const char *word;
            if (r < 7) {
                bool ar = (rng(&seed) % 4 != 0) == (arabic != 0);
                word = ar ? AR[zipf(&seed, sizeof AR / sizeof *AR)] : EN[zipf(&seed, sizeof EN / sizeof *EN)];
            } else {
                size_t k = zipf(&seed, 50000);
                size_t tl = 0;
                do {
                    tail[tl++] = (char)('a' + k % 26);
                    k /= 26;
                } while (k && tl < 8);
                tail[tl] = '\0';
                word = tail;
            }
            len += (size_t)snprintf(text + len, sizeof text - len, "%s%s%s", w ? " " : "", word,
                                    rng(&seed) % 8 == 0 ? "," : "");
        }
        bytes += len;
        snprintf(id, sizeof id, "C%zu", (size_t)(rng(&seed) % ncust));
        CHECK(cx_feedback_add(NULL, s, NULL, id, "nps", (double)(rng(&seed) % 11),
                              t0 + (cx_time)(rng(&seed) % (365ULL * 86400000ULL)), tps[rng(&seed) % 4], NULL, NULL,
                              text));
    }
    long rss0 = maxrss_kb();
    double c0 = cpu();
    cx_text_index *ix;
    CHECK(cx_text_index_new(&ix, s, CX_LANG_AUTO));
    double c1 = cpu();
    size_t ncom, nterms, ntok, mem;
    CHECK(cx_text_index_stats(&ncom, &nterms, &ntok, ix));
    CHECK(cx_text_index_memory(&mem, ix));
    long rss1 = maxrss_kb();
    cx_result *counts, *themes, *hits;
    double c2 = cpu();
    CHECK(cx_text_counts(&counts, ix, CX_METRIC_NPS, CX_TEXT_GROUP_TOUCHPOINT, 0, 0, NULL, NULL, CX_TIME_NONE,
                         CX_TIME_NONE));
    double c3 = cpu();
    CHECK(cx_text_themes(&themes, counts, 0, 10));
    double c4 = cpu();
    CHECK(cx_text_search(&hits, ix, "late delivery", 0));
    double c5 = cpu();
    double la[3] = {0, 0, 0};
    FILE *f = fopen("/proc/loadavg", "r");
    if (f) {
        if (fscanf(f, "%lf %lf %lf", &la[0], &la[1], &la[2]) != 3)
            la[0] = la[1] = la[2] = 0;
        fclose(f);
    }
    printf("comments           %zu (%zu indexed), %.1f bytes of text each\n", n, ncom, (double)bytes / (double)n);
    printf("terms              %zu distinct, %zu occurrences (%.2f per comment)\n", nterms, ntok,
           (double)ntok / (double)ncom);
    printf("index build        %.3f s CPU, %.3f us per comment\n", c1 - c0, (c1 - c0) * 1e6 / (double)ncom);
    printf("index memory       %zu bytes, %.1f bytes per comment (max RSS grew by %ld kB)\n", mem,
           (double)mem / (double)ncom, rss1 - rss0);
    printf("counts by touchpt  %.3f s CPU (%zu rows)\n", c3 - c2, cx_result_row_count(counts));
    printf("themes             %.3f s CPU (%zu rows)\n", c4 - c3, cx_result_row_count(themes));
    printf("search             %.6f s CPU (\"late delivery\": %zu comments)\n", c5 - c4, cx_result_row_count(hits));
    printf("load average       %.2f %.2f %.2f\n", la[0], la[1], la[2]);
    cx_result_free(counts);
    cx_result_free(themes);
    cx_result_free(hits);
    cx_text_index_free(ix);
    cx_store_free(s);
    return 0;
}

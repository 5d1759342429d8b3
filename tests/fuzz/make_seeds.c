/* Writes the binary seeds of the fuzz targets (issue 15) that only the
 * library can make: SQLite files saved by cx_db_save() (db_load), results
 * serialised by cx_result_serialize() (result), and structured inputs of
 * the time, calendar, care and text targets. Built with -Dfuzz=enabled;
 * run as `make_seeds tests/fuzz/corpus` and commit what it writes. */
#include "fuzz_base.h"
#include <sqlite3.h>
#include <sys/stat.h>

static const char *root;

static void put(const char *target, const char *name, const void *data, size_t n)
{
    char p[4096];
    snprintf(p, sizeof p, "%s/%s", root, target);
    mkdir(p, 0777);
    snprintf(p, sizeof p, "%s/%s/%s", root, target, name);
    fz_write(p, data, n);
}

static void put_file(const char *target, const char *name, const char *from)
{
    FILE *f = fopen(from, "rb");
    static uint8_t buf[1 << 20];
    size_t n = f ? fread(buf, 1, sizeof buf, f) : 0;
    if (!f || n == sizeof buf)
        fz_fail("cannot read %s", from);
    fclose(f);
    put(target, name, buf, n);
}

/* the file cx_db_save() writes (named without .db, which .gitignore drops), and a copy in 512-byte pages (VACUUM), five
 * times smaller, for the fuzzer to mutate faster */
static void db_seed(const cx_store *s, const char *name, int keep_full)
{
    const char *p = fz_path(name);
    if (cx_db_save(s, p) != CX_OK)
        fz_fail("cannot save %s", name);
    if (keep_full)
        put_file("db_load", name, p);
    sqlite3 *db = NULL;
    if (sqlite3_open(p, &db) != SQLITE_OK ||
        sqlite3_exec(db, "PRAGMA journal_mode=DELETE; PRAGMA page_size=512; VACUUM;", NULL, NULL, NULL) != SQLITE_OK)
        fz_fail("cannot vacuum %s: %s", name, sqlite3_errmsg(db));
    sqlite3_close(db);
    char small[256];
    snprintf(small, sizeof small, "small-%s", name);
    put_file("db_load", small, p);
}

static void result_seed(const cx_store *s, const char *name, const cx_measure *m, size_t nm, const cx_dim *g,
                        size_t ng, int bucket)
{
    cx_query *q = NULL;
    cx_result *r = NULL;
    cx_query_new(&q, s);
    for (size_t i = 0; i < nm; i++)
        cx_query_add(q, m[i]);
    for (size_t i = 0; i < ng; i++)
        cx_query_group_by(q, g[i]);
    if (bucket >= 0)
        cx_query_group_by_time(q, (cx_bucket)bucket, 180);
    if (cx_query_run(&r, q) != CX_OK)
        fz_fail("query %s fails", name);
    size_t n = 0;
    cx_result_serialize(&n, r, NULL, 0);
    uint8_t *buf = malloc(n);
    if (!buf || cx_result_serialize(&n, r, buf, n) != CX_OK)
        fz_fail("cannot serialise %s", name);
    put("result", name, buf, n);
    free(buf);
    cx_result_free(r);
    cx_query_free(q);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: make_seeds CORPUS_DIR\n");
        return 2;
    }
    root = argv[1];
    cx_store *base = fz_load_base();
    db_seed(base, "demo-head", 1);
    cx_store *tiny = NULL;
    cx_store_new(&tiny);
    cx_customer_add(tiny, "C-1", "consumer", "الرياض", "basic", 1700000000000LL);
    cx_customer_set_attribute(tiny, "C-1", "language", "ar");
    db_seed(tiny, "tiny", 0);
    cx_store *empty = NULL;
    cx_store_new(&empty);
    db_seed(empty, "empty", 0);

    const cx_measure all[] = {CX_MEASURE_NPS, CX_MEASURE_CSAT, CX_MEASURE_CES, CX_MEASURE_FCR};
    const cx_dim ch[] = {CX_DIM_CHANNEL}, two[] = {CX_DIM_CHANNEL, CX_DIM_TOUCHPOINT};
    result_seed(base, "nps-by-channel", all, 1, ch, 1, -1);
    result_seed(base, "four-by-channel-month", all, 4, ch, 1, CX_BUCKET_MONTH);
    result_seed(base, "csat-by-channel-touchpoint", all + 1, 1, two, 2, -1);
    result_seed(base, "all-measures", (const cx_measure[]){0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13}, 14, NULL,
                0, CX_BUCKET_WEEK);
    result_seed(empty, "empty-store", all, 2, ch, 1, -1);

    static const char *const times[] = {"2025-10-12T18:28:37+03:00", "2024-02-29", "2024-05-01T09:30Z",
                                        "0000-01-01T00:00:00.000Z", "9999-12-31T23:59:59.999-14:00",
                                        "2025-12-04 13:48:55.123456+0530", "2025-07-16t21:12+01"};
    for (size_t i = 0; i < sizeof times / sizeof *times; i++) {
        char name[32];
        snprintf(name, sizeof name, "t%zu", i);
        put("time", name, times[i], strlen(times[i]));
    }
    /* calendar: offset 180, Sun-Thu 08:00-17:00 with lunch, a holiday, queries */
    static const uint8_t cal1[] = {0, 180, 6, 1 | 7 << 1, 1, 224, 2, 128, 1 | 1 << 1, 1, 224, 1, 44, 1 | 1 << 1,
                                   3, 12, 0, 240, 0, 125, 9, 23, 0, 0, 1, 150, 0, 0, 0, 0, 0, 0, 0, 0, 0, 5,
                                   0, 0, 0, 0, 0, 9, 200, 0, 0, 1, 0};
    static const uint8_t cal2[] = {255, 196, 3, 1 | 7 << 1, 0, 0, 5, 160, 1 | 6 << 1, 0, 0, 5, 160, 0, 125, 1, 1,
                                   0, 0, 1, 200, 0, 0, 0, 0, 0, 0, 0, 0, 200, 0, 0, 0, 0, 0, 0, 1};
    put("calendar", "weekdays-lunch-holiday", cal1, sizeof cal1);
    put("calendar", "weekend-24h", cal2, sizeof cal2);
    /* care: as-of, a model, rules of every kind */
    static const uint8_t care1[] = {0, 4, 0, 0, 1, 20, 40, 8, 30, 6,
                                    0, 5, 1, 0, 6, 0, 0, 117, 48, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                    1, 4, 1, 0, 3, 0, 0, 117, 48, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                                    2, 9, 1, 0, 0, 0, 0, 5, 160, 0, 0, 0, 0, 0, 2, 0, 3,
                                    3, 3, 3, 0, 1, 0, 0, 117, 48, 0, 0, 0, 0, 0, 3, 0, 0,
                                    4, 2, 2, 0, 1, 0, 0, 117, 48, 1, 0, 2, 0, 1, 93, 128, 4, 0,
                                    5, 1, 2, 0, 1, 0, 0, 0, 0, 1, 0, 100, 0, 0, 0, 0, 5, 0};
    put("care", "every-kind", care1, sizeof care1);
    static const uint8_t care2[] = {0, 2, 0, 0, 0, 1, 2, 7, 1, 0, 3, 0, 1, 81, 128, 0, 0, 0, 0, 0, 0, 0, 0, 0};
    put("care", "sla-one", care2, sizeof care2);
    static const char text1[] = "\x07" "C-100001\0consumer\0\xd8\xa7\xd9\x84\xd8\xb1\xd9\x8a\xd8\xa7\xd8\xb6\0plus\0language\0ar";
    static const char text2[] = "\x0f" "\xd8\xb9\xd9\x85\xd8\xb1\0chat_bot\0bot_lounge\0channel\0tier\0gold";
    static const char text3[] = "\x55" "C-\xed\xa0\x80\0seg\0\xc0\xaf\0id\0k\0\xf4\x90\x80\x80";
    put("text", "arabic-region", text1, sizeof text1 - 1);
    put("text", "channel-touchpoint", text2, sizeof text2 - 1);
    put("text", "bad-utf8", text3, sizeof text3 - 1);
    cx_store_free(base);
    cx_store_free(tiny);
    cx_store_free(empty);
    return 0;
}

/* Tests of the private base layer (src/base/base.c): status strings and the
 * thread-local last error, message helpers, UTF-8 validation, hashing, the
 * allocator wrapper, growable columns, the string interner and the
 * u64 -> u32 map. Linked against the internal archive, so the cxi_* helpers
 * are reachable without being exported. */
#include "cx_test.h"

#include <pthread.h>

#include "../src/base/base.h"
#include "../src/base/xsum.h"

/* Everything given back to the test allocator (tests/cx_test.h), and the
 * cxi_mem that used it agrees. */
static void mem_done(const cxt_alloc *t, const cxi_mem *m)
{
    cxt_alloc_done(t);
    ck_assert_uint_eq(m->bytes, 0);
}

/* ---- status strings and the last error ------------------------------- */

START_TEST(strerror_every_code)
{
    static const struct { int code; const char *text; } want[] = {
        {CX_OK, "success"},
        {CX_EINVAL, "invalid argument"},
        {CX_ENOMEM, "out of memory"},
        {CX_ENOTFOUND, "not found"},
        {CX_EEXISTS, "already exists"},
        {CX_ERANGE, "value out of range"},
        {CX_EPARSE, "parse error"},
        {CX_EBUFSIZE, "buffer too small"},
        {CX_EORDER, "times out of order"},
        {CX_ELIMIT, "capacity limit reached"},
        {CX_EIO, "input/output error"},
        {CX_EVERSION, "incompatible version"},
    };
    /* the values are ABI: pin them too */
    ck_assert_int_eq(CX_EINVAL, -1);
    ck_assert_int_eq(CX_EVERSION, -11);
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        ck_assert_int_eq(want[i].code, -(int)i);
        ck_assert_str_eq(cx_strerror(want[i].code), want[i].text);
    }
}
END_TEST

START_TEST(strerror_unknown)
{
    const int unknown[] = {1, -12, 42, -1000, INT32_MIN, INT32_MAX};
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        const char *s = cx_strerror(unknown[i]);
        ck_assert_ptr_nonnull(s);
        ck_assert_str_eq(s, "unknown status");
    }
}
END_TEST

START_TEST(last_error_fresh_and_clear)
{
    /* each test may run in a fresh process or not (CK_FORK=no): clear first */
    cx_error_clear();
    ck_assert_str_eq(cx_last_error(), "");
    ck_assert_int_eq(cx_last_error_code(), CX_OK);
    ck_assert_int_eq(cxi_fail(CX_ENOTFOUND, "no customer '%s'", "C-7"), CX_ENOTFOUND);
    ck_assert_str_eq(cx_last_error(), "no customer 'C-7'");
    ck_assert_int_eq(cx_last_error_code(), CX_ENOTFOUND);
    cx_error_clear();
    ck_assert_str_eq(cx_last_error(), "");
    ck_assert_int_eq(cx_last_error_code(), CX_OK);
}
END_TEST

START_TEST(fail_formats_message)
{
    ck_assert_int_eq(cxi_fail(CX_ERANGE, "%s: case '%s': score %d is off %.1f..%u", "cx_feedback_add", "T-17",
                              11, 0.0, 10u),
                     CX_ERANGE);
    ck_assert_str_eq(cx_last_error(), "cx_feedback_add: case 'T-17': score 11 is off 0.0..10");
    ck_assert_int_eq(cx_last_error_code(), CX_ERANGE);
    /* a later failure replaces the record entirely */
    cxi_fail(CX_EIO, "x");
    ck_assert_str_eq(cx_last_error(), "x");
    ck_assert_int_eq(cx_last_error_code(), CX_EIO);
    /* Arabic passes through byte for byte */
    cxi_fail(CX_EEXISTS, "customer '%s' already exists", "عميل-١");
    ck_assert_str_eq(cx_last_error(), "customer 'عميل-١' already exists");
}
END_TEST

START_TEST(fail_wraps_previous_message)
{
    /* adding context to an error from below passes the current message as an
     * argument: it must be formatted aside, not over itself */
    cxi_fail(CX_ENOMEM, "out of memory growing a column to %d rows", 24);
    cxi_fail(cx_last_error_code(), "cx_customer_add: customer 'C-1': %s", cx_last_error());
    ck_assert_str_eq(cx_last_error(), "cx_customer_add: customer 'C-1': out of memory growing a column to 24 rows");
    ck_assert_int_eq(cx_last_error_code(), CX_ENOMEM);
    size_t len = strlen(cx_last_error());
    cxi_fail(CX_EPARSE, "%s / %s", cx_last_error(), cx_last_error());
    ck_assert_uint_eq(strlen(cx_last_error()), 2 * len + 3);
    ck_assert_int_eq(strncmp(cx_last_error() + len, " / cx_customer_add: ", 20), 0);
}
END_TEST

START_TEST(fail_truncates_long_message)
{
    char big[2000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    cxi_fail(CX_EINVAL, "id '%s'", big);
    const char *msg = cx_last_error();
    ck_assert_uint_eq(strlen(msg), 511); /* the record holds 512 bytes, NUL included */
    ck_assert_int_eq(strncmp(msg, "id 'xxx", 7), 0);
    ck_assert_int_eq(cx_last_error_code(), CX_EINVAL);
}
END_TEST

START_TEST(success_leaves_last_error)
{
    cxi_fail(CX_ENOTFOUND, "no touchpoint 'fax'");
    cx_time t;
    OK(cx_time_parse(&t, "2024-01-15", 10));
    char buf[CX_TIME_FORMAT_MAX];
    OK(cx_time_format(buf, sizeof buf, t, 180));
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_pool p;
    cxi_pool_init(&p);
    uint32_t id;
    OK(cxi_pool_intern(&m, &p, "a", 1, &id));
    cxi_pool_free(&m, &p);
    ck_assert_str_eq(cx_last_error(), "no touchpoint 'fax'");
    ck_assert_int_eq(cx_last_error_code(), CX_ENOTFOUND);
    /* and a failing public call does replace it */
    ck_assert_int_eq(cx_time_parse(&t, "x", 1), CX_EPARSE);
    ck_assert_int_eq(cx_last_error_code(), CX_EPARSE);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "cx_time_parse"));
}
END_TEST

START_TEST(error_field)
{
    cxi_fail(CX_ERANGE, "score");
    ck_assert_ptr_null(cxi_error_field());
    ck_assert_int_eq(cxi_set_error_field("score", CX_ERANGE), CX_ERANGE);
    ck_assert_str_eq(cxi_error_field(), "score");
    ck_assert_str_eq(cx_last_error(), "score"); /* the message is not touched */
    cxi_fail(CX_EINVAL, "other");                /* a new failure forgets the field */
    ck_assert_ptr_null(cxi_error_field());
    cxi_set_error_field("id", CX_EINVAL);
    cx_error_clear();
    ck_assert_ptr_null(cxi_error_field());
}
END_TEST

struct thread_seen {
    int code_at_start;
    char msg_at_start[64];
    int code_after;
    char msg_after[64];
};

static void *other_thread(void *arg)
{
    struct thread_seen *seen = arg;
    seen->code_at_start = cx_last_error_code();
    snprintf(seen->msg_at_start, sizeof seen->msg_at_start, "%s", cx_last_error());
    cxi_fail(CX_EIO, "thread %d failed", 2);
    seen->code_after = cx_last_error_code();
    snprintf(seen->msg_after, sizeof seen->msg_after, "%s", cx_last_error());
    return NULL;
}

START_TEST(last_error_is_per_thread)
{
    cxi_fail(CX_EEXISTS, "main thread failed");
    struct thread_seen seen;
    memset(&seen, 0x55, sizeof seen);
    pthread_t th;
    ck_assert_int_eq(pthread_create(&th, NULL, other_thread, &seen), 0);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    /* the new thread did not see the main thread's error ... */
    ck_assert_int_eq(seen.code_at_start, CX_OK);
    ck_assert_str_eq(seen.msg_at_start, "");
    ck_assert_int_eq(seen.code_after, CX_EIO);
    ck_assert_str_eq(seen.msg_after, "thread 2 failed");
    /* ... and its own failure did not reach the main thread */
    ck_assert_int_eq(cx_last_error_code(), CX_EEXISTS);
    ck_assert_str_eq(cx_last_error(), "main thread failed");
    /* clearing in the main thread leaves another thread's error alone */
    cx_error_clear();
    memset(&seen, 0x55, sizeof seen);
    ck_assert_int_eq(pthread_create(&th, NULL, other_thread, &seen), 0);
    ck_assert_int_eq(pthread_join(th, NULL), 0);
    ck_assert_int_eq(seen.code_at_start, CX_OK);
    ck_assert_int_eq(cx_last_error_code(), CX_OK);
    ck_assert_str_eq(cx_last_error(), "");
}
END_TEST

START_TEST(quote_short_and_null)
{
    char buf[80];
    ck_assert_str_eq(cxi_quote(buf, "C-1"), "C-1");
    ck_assert_str_eq(cxi_quote(buf, ""), "");
    ck_assert_str_eq(cxi_quote(buf, NULL), "(null)");
    char s64[65];
    memset(s64, 'a', 64);
    s64[64] = '\0';
    ck_assert_str_eq(cxi_quote(buf, s64), s64); /* exactly 64 bytes: kept whole */
}
END_TEST

START_TEST(quote_cuts_ascii_at_64)
{
    char buf[80], s[200], want[80];
    for (int i = 0; i < 199; i++)
        s[i] = (char)('a' + i % 26);
    s[199] = '\0';
    memcpy(want, s, 64);
    memcpy(want + 64, "...", 4);
    ck_assert_str_eq(cxi_quote(buf, s), want);
    s[65] = '\0'; /* 65 bytes: cut too */
    ck_assert_str_eq(cxi_quote(buf, s), want);
}
END_TEST

START_TEST(quote_cuts_utf8_on_boundary)
{
    char buf[80], s[200];
    /* 'x' then Arabic letters (2 bytes each): byte 64 is the second byte of a
     * letter, so the cut falls back to 63 bytes */
    s[0] = 'x';
    size_t n = 1;
    while (n + 2 < sizeof s) {
        memcpy(s + n, "ع", 2);
        n += 2;
    }
    s[n] = '\0';
    const char *q = cxi_quote(buf, s);
    ck_assert_uint_eq(strlen(q), 63 + 3);
    ck_assert_int_eq(memcmp(q, s, 63), 0);
    ck_assert_str_eq(q + 63, "...");
    ck_assert(cxi_utf8_valid(q, strlen(q)));
    /* a 4-byte sequence across byte 64: bytes 62..65 */
    memset(s, 'y', 62);
    memcpy(s + 62, "\xF0\x9F\x98\x80", 4); /* U+1F600 */
    memcpy(s + 66, "tail", 5);
    q = cxi_quote(buf, s);
    ck_assert_uint_eq(strlen(q), 62 + 3);
    ck_assert(cxi_utf8_valid(q, strlen(q)));
    /* the same sequence ending exactly at byte 64 is kept */
    memset(s, 'y', 60);
    memcpy(s + 60, "\xF0\x9F\x98\x80", 4);
    memcpy(s + 64, "tail", 5);
    q = cxi_quote(buf, s);
    ck_assert_uint_eq(strlen(q), 64 + 3);
    ck_assert_int_eq(memcmp(q + 60, "\xF0\x9F\x98\x80...", 8), 0);
}
END_TEST

/* ---- UTF-8 ----------------------------------------------------------- */

static bool valid(const char *s) { return cxi_utf8_valid(s, strlen(s)); }

START_TEST(utf8_valid_text)
{
    ck_assert(cxi_utf8_valid("", 0));
    ck_assert(cxi_utf8_valid(NULL, 0));
    ck_assert(valid("C-1001"));
    ck_assert(valid("الرياض"));
    ck_assert(valid("سارة، العتيبي \"س\" ١٢٣"));
    ck_assert(valid("mixed عربي text"));
    ck_assert(valid("\xC2\x80"));         /* U+0080, smallest 2-byte */
    ck_assert(valid("\xDF\xBF"));         /* U+07FF */
    ck_assert(valid("\xE0\xA0\x80"));     /* U+0800, smallest 3-byte */
    ck_assert(valid("\xED\x9F\xBF"));     /* U+D7FF, just below the surrogates */
    ck_assert(valid("\xEE\x80\x80"));     /* U+E000, just above */
    ck_assert(valid("\xEF\xBF\xBF"));     /* U+FFFF */
    ck_assert(valid("\xF0\x90\x80\x80")); /* U+10000, smallest 4-byte */
    ck_assert(valid("\xF4\x8F\xBF\xBF")); /* U+10FFFF, the last code point */
    ck_assert(valid("\x7F"));
}
END_TEST

START_TEST(utf8_overlongs)
{
    ck_assert(!valid("\xC0\x80")); /* NUL in two bytes */
    ck_assert(!valid("\xC0\xAF"));
    ck_assert(!valid("\xC1\xBF")); /* U+007F in two bytes */
    ck_assert(!valid("\xE0\x80\x80"));
    ck_assert(!valid("\xE0\x9F\xBF")); /* U+07FF in three bytes */
    ck_assert(!valid("\xF0\x80\x80\x80"));
    ck_assert(!valid("\xF0\x8F\xBF\xBF")); /* U+FFFF in four bytes */
    ck_assert(!valid("ok\xC0\xAFok"));
}
END_TEST

START_TEST(utf8_surrogates)
{
    ck_assert(!valid("\xED\xA0\x80")); /* U+D800 */
    ck_assert(!valid("\xED\xAF\xBF")); /* U+DBFF */
    ck_assert(!valid("\xED\xB0\x80")); /* U+DC00 */
    ck_assert(!valid("\xED\xBF\xBF")); /* U+DFFF */
    ck_assert(!valid("\xED\xA0\xBD\xED\xB8\x80")); /* CESU-8 pair for U+1F600 */
}
END_TEST

START_TEST(utf8_truncated)
{
    const char *arabic = "ع"; /* D8 B9 */
    ck_assert(cxi_utf8_valid(arabic, 2));
    ck_assert(!cxi_utf8_valid(arabic, 1)); /* len cuts the sequence */
    ck_assert(!valid("\xD8"));
    ck_assert(!valid("abc\xD8"));
    ck_assert(!valid("\xE2\x82"));        /* 3-byte with one continuation */
    ck_assert(!valid("\xF0\x9F\x98"));    /* 4-byte with two */
    ck_assert(!valid("\xF0\x9F\x98z"));   /* continuation replaced by ASCII */
    ck_assert(!valid("\xD8 "));
    ck_assert(!valid("\xE2\x82\xC2\xAC")); /* a new lead byte too early */
    const char *euro = "\xE2\x82\xAC";
    ck_assert(cxi_utf8_valid(euro, 3));
    ck_assert(!cxi_utf8_valid(euro, 2));
    ck_assert(!cxi_utf8_valid(euro, 1));
}
END_TEST

START_TEST(utf8_beyond_unicode_and_bad_bytes)
{
    ck_assert(!valid("\xF4\x90\x80\x80")); /* U+110000 */
    ck_assert(!valid("\xF5\x80\x80\x80"));
    ck_assert(!valid("\xF7\xBF\xBF\xBF")); /* U+1FFFFF */
    ck_assert(!valid("\xF8\x88\x80\x80\x80")); /* old 5-byte form */
    ck_assert(!valid("\xFC\x84\x80\x80\x80\x80"));
    ck_assert(!valid("\xFE"));
    ck_assert(!valid("\xFF"));
    ck_assert(!valid("\x80"));    /* lone continuation */
    ck_assert(!valid("a\xBFz"));
    ck_assert(!valid("\xD8\xB9\xB9")); /* one continuation too many */
}
END_TEST

START_TEST(utf8_embedded_nul)
{
    /* The code refuses a NUL byte inside the given length: ids and names are
     * C strings, and one with a NUL would be cut short by every reader. */
    ck_assert(!cxi_utf8_valid("a\0b", 3));
    ck_assert(!cxi_utf8_valid("\0", 1));
    ck_assert(!cxi_utf8_valid("ع\0", 3));
    ck_assert(cxi_utf8_valid("a\0b", 1)); /* outside the length: not looked at */
}
END_TEST

/* ---- hashing --------------------------------------------------------- */

START_TEST(hash_consistent)
{
    /* Only in-memory tables use it (nothing on disk), so its values are not
     * pinned; what matters is that equal bytes hash equal wherever they lie. */
    const char *s = "الرياض-C-1001-premium";
    size_t n = strlen(s);
    uint64_t h = cxi_hash(s, n);
    ck_assert_uint_eq(cxi_hash(s, n), h);
    char buf[64 + 8];
    for (size_t shift = 0; shift < 8; shift++) { /* any alignment */
        memcpy(buf + shift, s, n);
        ck_assert_uint_eq(cxi_hash(buf + shift, n), h);
    }
    ck_assert_uint_eq(cxi_hash("", 0), cxi_hash("x", 0));
}
END_TEST

/* The hash as it was first written: whole words, then the tail copied into
 * a zeroed word (what a little-endian machine reads). cxi_hash now reads the
 * tail with at most two loads: the values must not change. */
static uint64_t ref_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

static uint64_t ref_hash(const unsigned char *p, size_t len)
{
    uint64_t h = 0x9E3779B97F4A7C15ULL ^ (len * 0xC2B2AE3D27D4EB4FULL);
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t w = 0;
        for (int k = 0; k < 8; k++)
            w |= (uint64_t)p[k] << (8 * k);
        h = (h ^ ref_mix(w)) * 0x100000001B3ULL;
    }
    uint64_t w = 0;
    for (size_t k = 0; k < len; k++)
        w |= (uint64_t)p[k] << (8 * k);
    h ^= ref_mix(w ^ ((uint64_t)len << 56));
    return ref_mix(h);
}

START_TEST(hash_tail_reads_its_bytes_only)
{
    /* every length to 3 words and every alignment, 32 rounds of random
     * bytes, then 32 of bytes counting up (every value 0 to 255 comes by),
     * also in a block of exactly that many bytes (a read past it is an
     * error under the sanitizers) */
    uint32_t x = 12345;
    for (size_t len = 0; len <= 24; len++) {
        for (size_t shift = 0; shift < 8; shift++) {
            unsigned char *blk = malloc(shift + len + 1);
            ck_assert_ptr_nonnull(blk);
            for (int round = 0; round < 64; round++) {
                for (size_t k = 0; k < len; k++) {
                    x = x * 1103515245u + 12345u;
                    blk[shift + k] = (unsigned char)(round < 32 ? x >> 16 : (round * 8 + k) & 0xFF);
                }
                unsigned char *p = blk + shift;
                uint64_t want = 0;
                if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
                    want = ref_hash(p, len);
                uint64_t got = cxi_hash(p, len);
                if (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__)
                    ck_assert_msg(got == want, "length %zu, shift %zu: %llx, the old hash %llx", len, shift,
                                  (unsigned long long)got, (unsigned long long)want);
                /* the same bytes in a block of their own size */
                unsigned char *exact = malloc(len ? len : 1);
                ck_assert_ptr_nonnull(exact);
                memcpy(exact, p, len);
                ck_assert_uint_eq(cxi_hash(exact, len), got);
                free(exact);
                /* the bytes around it change nothing */
                if (shift)
                    blk[shift - 1] ^= 0x5A;
                blk[shift + len] = (unsigned char)round;
                ck_assert_uint_eq(cxi_hash(p, len), got);
            }
            free(blk);
        }
    }
}
END_TEST

START_TEST(hash_distinguishes)
{
    /* the length is part of the hash: trailing zero bytes count */
    static const char zeros[17];
    for (size_t a = 0; a < sizeof zeros; a++)
        for (size_t b = a + 1; b < sizeof zeros; b++)
            ck_assert_uint_ne(cxi_hash(zeros, a), cxi_hash(zeros, b));
    ck_assert_uint_ne(cxi_hash("a", 1), cxi_hash("b", 1));
    ck_assert_uint_ne(cxi_hash("abcdefgh1", 9), cxi_hash("abcdefgh2", 9)); /* tail byte */
    ck_assert_uint_ne(cxi_hash("1abcdefgh", 9), cxi_hash("2abcdefgh", 9)); /* first word */
    /* 100 000 sequential ids: no full 64-bit collision, and the low 32 bits the
     * interner uses are spread (very few collisions expected: ~1 in 2^32 each) */
    enum { N = 100000 };
    uint64_t *h = malloc(N * sizeof *h);
    ck_assert_ptr_nonnull(h);
    char id[32];
    for (int i = 0; i < N; i++) {
        int len = snprintf(id, sizeof id, "C-%d", i);
        h[i] = cxi_hash(id, (size_t)len);
    }
    /* sort and look for equal neighbours */
    for (size_t gap = N / 2; gap > 0; gap /= 2) /* shell sort: no qsort comparator needed */
        for (size_t i = gap; i < N; i++)
            for (size_t j = i; j >= gap && h[j - gap] > h[j]; j -= gap) {
                uint64_t tmp = h[j];
                h[j] = h[j - gap];
                h[j - gap] = tmp;
            }
    for (size_t i = 1; i < N; i++)
        EXPECT(h[i - 1] != h[i], "two ids share the hash %llx", (unsigned long long)h[i]);
    /* every one of the 16 low bit patterns is used roughly evenly */
    size_t buckets[16] = {0};
    for (size_t i = 0; i < N; i++)
        buckets[h[i] & 15]++;
    for (int b = 0; b < 16; b++)
        ck_assert_msg(buckets[b] > N / 16 * 9 / 10 && buckets[b] < N / 16 * 11 / 10, "bucket %d has %zu", b,
                      buckets[b]);
    free(h);
}
END_TEST

/* ---- allocator wrapper ----------------------------------------------- */

START_TEST(mem_default_accounting)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, (void *)&m); /* ud is ignored without a function */
    ck_assert(m.fn == cxi_default_alloc);
    ck_assert_ptr_null(m.ud);
    ck_assert_uint_eq(m.bytes, 0);
    char *p = cxi_alloc(&m, 100);
    ck_assert_ptr_nonnull(p);
    memset(p, 1, 100);
    ck_assert_uint_eq(m.bytes, 100);
    p = cxi_realloc(&m, p, 100, 300);
    ck_assert_ptr_nonnull(p);
    ck_assert_int_eq(p[99], 1);
    ck_assert_uint_eq(m.bytes, 300);
    p = cxi_realloc(&m, p, 300, 10);
    ck_assert_uint_eq(m.bytes, 10);
    cxi_free(&m, p, 10);
    ck_assert_uint_eq(m.bytes, 0);
    cxi_free(&m, NULL, 123); /* NULL: nothing, not even accounting */
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

START_TEST(mem_custom_allocator)
{
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    ck_assert_ptr_eq(m.ud, &t);
    void *a = cxi_alloc(&m, 40);
    void *b = cxi_alloc(&m, 0); /* zero bytes become one, so the block is real */
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(m.bytes, 41);
    ck_assert_uint_eq(t.live, 41);
    void *c = cxi_realloc(&m, NULL, 0, 8); /* NULL: an allocation */
    ck_assert_uint_eq(t.blocks, 3);
    a = cxi_realloc(&m, a, 40, 4000);
    ck_assert_uint_eq(m.bytes, 4009);
    ck_assert_uint_eq(t.live, 4009);
    b = cxi_realloc(&m, b, 1, 0); /* to zero: kept as one byte, never freed by a resize */
    ck_assert_ptr_nonnull(b);
    ck_assert_uint_eq(m.bytes, 4009);
    ck_assert_uint_eq(t.calls, 5);
    ck_assert_uint_eq(t.frees, 0);

    /* refusals change nothing */
    cxt_alloc_allow(&t, 0);
    ck_assert_ptr_null(cxi_alloc(&m, 16));
    ck_assert_ptr_null(cxi_realloc(&m, a, 4000, 8000));
    ck_assert_uint_eq(t.refused, 2);
    ck_assert_uint_eq(m.bytes, 4009);
    ck_assert_uint_eq(t.live, 4009);
    ck_assert_uint_eq(t.blocks, 3);

    cxi_free(&m, a, 4000);
    cxi_free(&m, b, 0); /* size 0 means the 1-byte block */
    cxi_free(&m, c, 8);
    ck_assert_uint_eq(t.frees, 3);
    mem_done(&t, &m);
}
END_TEST

/* ---- growable columns ------------------------------------------------ */

START_TEST(cols_reserve_grows)
{
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    cxi_col cols[2] = {{NULL, 0, sizeof(uint32_t)}, {NULL, 0, sizeof(double)}};
    OK(cxi_cols_reserve(&m, cols, 2, 1));
    ck_assert_uint_ge(cols[0].cap, 16); /* small tables start at 16 rows */
    ck_assert_uint_ge(cols[1].cap, 16);
    size_t calls = t.calls;
    OK(cxi_cols_reserve(&m, cols, 2, 16)); /* within capacity: no allocation */
    ck_assert_uint_eq(t.calls, calls);
    for (uint32_t i = 0; i < 16; i++) {
        ((uint32_t *)cols[0].data)[i] = i * 7;
        ((double *)cols[1].data)[i] = i / 2.0;
    }
    for (size_t need = 17; need < 100000; need = need * 3 + 1) {
        OK(cxi_cols_reserve(&m, cols, 2, need));
        ck_assert_uint_ge(cols[0].cap, need);
        ck_assert_uint_ge(cols[1].cap, need);
    }
    for (uint32_t i = 0; i < 16; i++) {
        ck_assert_uint_eq(((uint32_t *)cols[0].data)[i], i * 7);
        ck_assert(((double *)cols[1].data)[i] == i / 2.0);
    }
    ck_assert_uint_eq(m.bytes, cols[0].cap * 4 + cols[1].cap * 8);
    ck_assert_uint_eq(t.live, m.bytes);
    cxi_cols_free(&m, cols, 2);
    ck_assert_ptr_null(cols[0].data);
    ck_assert_uint_eq(cols[1].cap, 0);
    mem_done(&t, &m);
}
END_TEST

START_TEST(cols_reserve_failure_leaves_contents)
{
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    cxi_col cols[3] = {{NULL, 0, 4}, {NULL, 0, 8}, {NULL, 0, 2}};
    OK(cxi_cols_reserve(&m, cols, 3, 10));
    for (int c = 0; c < 3; c++)
        memset(cols[c].data, 'a' + c, cols[c].cap * cols[c].elem);
    size_t cap0 = cols[1].cap;
    /* the first column grows, the second is refused, the third never asked */
    cxt_alloc_allow(&t, 1);
    cx_error_clear();
    ck_assert_int_eq(cxi_cols_reserve(&m, cols, 3, 1000), CX_ENOMEM);
    ck_assert_int_eq(cx_last_error_code(), CX_ENOMEM);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "out of memory"));
    ck_assert_uint_ge(cols[0].cap, 1000);     /* its growth is kept, and recorded */
    ck_assert_uint_eq(cols[1].cap, cap0);     /* the refused one keeps its size */
    ck_assert_uint_eq(cols[2].cap, cap0);
    for (size_t i = 0; i < cap0 * 4; i++)
        ck_assert_int_eq(((char *)cols[0].data)[i], 'a');
    for (size_t i = 0; i < cap0 * 8; i++)
        ck_assert_int_eq(((char *)cols[1].data)[i], 'b');
    for (size_t i = 0; i < cap0 * 2; i++)
        ck_assert_int_eq(((char *)cols[2].data)[i], 'c');
    ck_assert_uint_eq(m.bytes, t.live);
    /* the next try, with memory, finishes the job */
    cxt_alloc_allow(&t, -1);
    OK(cxi_cols_reserve(&m, cols, 3, 1000));
    for (int c = 0; c < 3; c++)
        ck_assert_uint_ge(cols[c].cap, 1000);
    ck_assert_int_eq(((char *)cols[1].data)[cap0 * 8 - 1], 'b');
    cxi_cols_free(&m, cols, 3);
    mem_done(&t, &m);
}
END_TEST

START_TEST(cols_reserve_overflow)
{
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    cxi_col col = {NULL, 0, 16};
    ck_assert_int_eq(cxi_cols_reserve(&m, &col, 1, SIZE_MAX / 8), CX_ELIMIT);
    ck_assert_ptr_nonnull(strstr(cx_last_error(), "too large"));
    ck_assert_uint_eq(t.calls, 0); /* refused before asking the allocator */
    ck_assert_ptr_null(col.data);
    ck_assert_uint_eq(col.cap, 0);
    OK(cxi_cols_reserve(&m, &col, 0, 1000)); /* no columns: nothing to do */
    ck_assert_uint_eq(t.calls, 0);
    mem_done(&t, &m);
}
END_TEST

/* ---- string interner ------------------------------------------------- */

/* The pool holds exactly `n` strings, those of names(i), with ids 0..n-1. */
typedef const char *(*name_fn)(uint32_t i, char *buf);

static void pool_check(const cxi_pool *p, uint32_t n, name_fn name)
{
    char buf[64];
    ck_assert_uint_eq(p->count, n);
    for (uint32_t i = 0; i < n; i++) {
        const char *s = name(i, buf);
        size_t len = strlen(s);
        EXPECT(cxi_pool_find(p, s, len) == i, "'%s' not found as id %u", s, (unsigned)i);
        EXPECT(cxi_pool_len(p, i) == len, "id %u: length %u, not %zu", (unsigned)i, (unsigned)cxi_pool_len(p, i), len);
        EXPECT(strcmp(cxi_pool_str(p, i), s) == 0, "id %u: '%s', not '%s'", (unsigned)i, cxi_pool_str(p, i),
               s); /* NUL-terminated in place */
    }
}

static const char *cust_name(uint32_t i, char *buf)
{
    snprintf(buf, 64, "%s-%u", i % 2 ? "عميل" : "C", (unsigned)i);
    return buf;
}

START_TEST(pool_dense_ids_in_order)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_pool p;
    cxi_pool_init(&p);
    ck_assert_uint_eq(cxi_pool_find(&p, "a", 1), CXI_NONE); /* empty pool */
    const char *names[] = {"web", "phone", "email", "chat", "store"};
    for (uint32_t i = 0; i < 5; i++) {
        uint32_t id = 99;
        OK(cxi_pool_intern(&m, &p, names[i], strlen(names[i]), &id));
        ck_assert_uint_eq(id, i);
    }
    /* interning again returns the same ids and adds nothing */
    for (uint32_t i = 5; i-- > 0;) {
        uint32_t id = 99;
        OK(cxi_pool_intern(&m, &p, names[i], strlen(names[i]), &id));
        ck_assert_uint_eq(id, i);
    }
    ck_assert_uint_eq(p.count, 5);
    ck_assert_uint_eq(cxi_pool_find(&p, "we", 2), CXI_NONE);  /* a prefix */
    ck_assert_uint_eq(cxi_pool_find(&p, "webs", 4), CXI_NONE);
    ck_assert_uint_eq(cxi_pool_find(&p, "web", 3), 0);
    ck_assert_uint_eq(cxi_pool_find(&p, "phone!", 5), 1); /* only len bytes count */
    ck_assert_uint_eq(cxi_pool_find(&p, "Web", 3), CXI_NONE); /* case matters */
    ck_assert_uint_gt(m.bytes, 0);
    cxi_pool_free(&m, &p);
    ck_assert_uint_eq(m.bytes, 0);
    ck_assert_uint_eq(p.count, 0);
    ck_assert_uint_eq(cxi_pool_find(&p, "web", 3), CXI_NONE);
}
END_TEST

START_TEST(pool_reserve_then_add_cannot_fail)
{
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    cxi_pool p;
    cxi_pool_init(&p);
    char buf[64];
    OK(cxi_pool_reserve(&m, &p, 0, 0)); /* nothing asked: nothing done */
    ck_assert_uint_eq(t.calls, 0);
    /* three rounds: the first from empty, the next two past the old capacity */
    uint32_t n = 0;
    const uint32_t rounds[] = {40, 300, 3000};
    for (int r = 0; r < 3; r++) {
        size_t bytes = 0;
        for (uint32_t i = n; i < n + rounds[r]; i++)
            bytes += strlen(cust_name(i, buf));
        OK(cxi_pool_reserve(&m, &p, rounds[r], bytes));
        cxt_alloc_allow(&t, 0); /* from here on every request would be refused */
        for (uint32_t i = n; i < n + rounds[r]; i++) {
            const char *s = cust_name(i, buf);
            ck_assert_uint_eq(cxi_pool_find(&p, s, strlen(s)), CXI_NONE);
            ck_assert_uint_eq(cxi_pool_add(&p, s, strlen(s)), i);
        }
        ck_assert_uint_eq(t.refused, 0);
        /* interning a known string needs no memory either */
        uint32_t id;
        OK(cxi_pool_intern(&m, &p, "C-0", 3, &id));
        ck_assert_uint_eq(id, 0);
        ck_assert_uint_le(p.block_used, p.block_cap);
        cxt_alloc_allow(&t, -1);
        n += rounds[r];
        pool_check(&p, n, cust_name);
    }
    ck_assert_uint_eq(m.bytes, t.live);
    cxi_pool_free(&m, &p);
    mem_done(&t, &m);
}
END_TEST

START_TEST(pool_long_strings)
{
    /* strings larger than a 64 KiB block get a block of their own size */
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_pool p;
    cxi_pool_init(&p);
    size_t big = 200000;
    char *s = malloc(big + 1);
    ck_assert_ptr_nonnull(s);
    for (size_t i = 0; i < big; i += 2)
        memcpy(s + i, "ن", 2);
    s[big] = '\0';
    uint32_t id, id2;
    OK(cxi_pool_intern(&m, &p, "short", 5, &id));
    OK(cxi_pool_intern(&m, &p, s, big, &id));
    ck_assert_uint_eq(id, 1);
    ck_assert_uint_eq(cxi_pool_len(&p, 1), big);
    ck_assert_int_eq(memcmp(cxi_pool_str(&p, 1), s, big + 1), 0);
    s[big - 1] = 'x'; /* differs only in the last byte */
    OK(cxi_pool_intern(&m, &p, s, big, &id2));
    ck_assert_uint_eq(id2, 2);
    ck_assert_uint_eq(cxi_pool_find(&p, s, big - 1), CXI_NONE);
    /* a reservation of many long strings at once */
    OK(cxi_pool_reserve(&m, &p, 3, 3 * big));
    for (int k = 0; k < 3; k++) {
        s[0] = (char)('a' + k);
        ck_assert_uint_eq(cxi_pool_add(&p, s, big), 3 + (uint32_t)k);
    }
    ck_assert_uint_le(p.block_used, p.block_cap);
    s[0] = 'b';
    ck_assert_uint_eq(cxi_pool_find(&p, s, big), 4);
    ck_assert_uint_eq(cxi_pool_find(&p, "short", 5), 0);
    free(s);
    cxi_pool_free(&m, &p);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

/* cxi_pool_probe_id, which the import's read-ahead uses, finds a string
 * that linear probing moved past its home slot, as long as it is within
 * the span and no slot before it carries its tag; it never names a string
 * for an absent one but one whose tag collides. */
START_TEST(pool_probe_id_follows_collisions)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_pool p;
    cxi_pool_init(&p);
    const uint32_t n = 20000;
    char buf[64];
    for (uint32_t i = 0; i < n; i++) {
        uint32_t id;
        snprintf(buf, sizeof buf, "I-%u", (unsigned)i);
        OK(cxi_pool_intern(&m, &p, buf, strlen(buf), &id));
        ck_assert_uint_eq(id, i);
    }
    const uint32_t mask = p.nslots - 1;
    unsigned moved_found = 0;
    for (uint32_t i = 0; i < n; i++) {
        snprintf(buf, sizeof buf, "I-%u", (unsigned)i);
        uint32_t h = (uint32_t)cxi_hash(buf, strlen(buf)), home = h & mask, d = 0;
        bool tag_before = false;
        while (p.slots[(home + d) & mask] != i + 1 + (h & ~mask)) {
            uint32_t v = p.slots[(home + d) & mask];
            ck_assert_uint_ne(v, 0); /* the string is reached before an empty slot */
            tag_before |= (v & ~mask) == (h & ~mask);
            d++;
        }
        uint32_t got = cxi_pool_probe_id(&p, h, 8);
        if (d < 8 && !tag_before) {
            EXPECT(got == i, "'%s' %u slots past its home: probe gave %u", buf, (unsigned)d, (unsigned)got);
            moved_found += d > 0;
        } else if (d >= 8 && !tag_before) {
            EXPECT(got == CXI_NONE, "'%s' %u slots past its home: probe gave %u", buf, (unsigned)d, (unsigned)got);
        }
        /* a span of one reads the home slot only */
        uint32_t home_v = p.slots[home];
        uint32_t want1 = home_v && (home_v & ~mask) == (h & ~mask) ? (home_v & mask) - 1 : CXI_NONE;
        ck_assert_uint_eq(cxi_pool_probe_id(&p, h, 1), want1);
    }
    /* a table 9/16 full moves many strings off their home */
    ck_assert_uint_gt(moved_found, n / 20);
    /* absent strings: no id, or one whose string differs (a tag collision) */
    for (uint32_t i = n; i < 2 * n; i++) {
        snprintf(buf, sizeof buf, "I-%u", (unsigned)i);
        uint32_t got = cxi_pool_probe_id(&p, (uint32_t)cxi_hash(buf, strlen(buf)), 8);
        if (got != CXI_NONE) {
            ck_assert_uint_lt(got, n);
            ck_assert_str_ne(cxi_pool_str(&p, got), buf);
        }
    }
    cxi_pool_free(&m, &p);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

START_TEST(pool_arabic_empty_and_nul)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_pool p;
    cxi_pool_init(&p);
    uint32_t id;
    const char *ar[] = {"الرياض", "جدة", "الدمام", "مكة المكرمة", "عميل-٢"};
    for (uint32_t i = 0; i < 5; i++) {
        OK(cxi_pool_intern(&m, &p, ar[i], strlen(ar[i]), &id));
        ck_assert_uint_eq(id, i);
    }
    /* byte for byte: the same word in another normalisation is another string */
    const char *alef_madda = "\xD8\xA2";          /* U+0622 */
    const char *alef_plus_madda = "\xD8\xA7\xD9\x93"; /* U+0627 U+0653 */
    OK(cxi_pool_intern(&m, &p, alef_madda, 2, &id));
    ck_assert_uint_eq(id, 5);
    OK(cxi_pool_intern(&m, &p, alef_plus_madda, 4, &id));
    ck_assert_uint_eq(id, 6);
    /* the empty string is a string like any other */
    ck_assert_uint_eq(cxi_pool_find(&p, "", 0), CXI_NONE);
    OK(cxi_pool_intern(&m, &p, "", 0, &id));
    ck_assert_uint_eq(id, 7);
    ck_assert_uint_eq(cxi_pool_len(&p, 7), 0);
    ck_assert_str_eq(cxi_pool_str(&p, 7), "");
    ck_assert_uint_eq(cxi_pool_find(&p, "", 0), 7);
    ck_assert_uint_eq(cxi_pool_find(&p, "x", 0), 7);
    /* lengths, not NULs, delimit (the pool itself does not validate) */
    OK(cxi_pool_intern(&m, &p, "a\0b", 3, &id));
    ck_assert_uint_eq(id, 8);
    OK(cxi_pool_intern(&m, &p, "a", 1, &id));
    ck_assert_uint_eq(id, 9);
    ck_assert_uint_eq(cxi_pool_find(&p, "a\0b", 3), 8);
    ck_assert_uint_eq(cxi_pool_find(&p, "a\0c", 3), CXI_NONE);
    ck_assert_uint_eq(cxi_pool_len(&p, 8), 3);
    for (uint32_t i = 0; i < 5; i++) {
        ck_assert_uint_eq(cxi_pool_find(&p, ar[i], strlen(ar[i])), i);
        ck_assert_str_eq(cxi_pool_str(&p, i), ar[i]);
    }
    cxi_pool_free(&m, &p);
    ck_assert_uint_eq(m.bytes, 0);
}
END_TEST

START_TEST(pool_many_strings_pointers_stay)
{
    enum { N = 100000 };
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    cxi_pool p;
    cxi_pool_init(&p);
    const char **ptr = malloc(N * sizeof *ptr);
    ck_assert_ptr_nonnull(ptr);
    char buf[64];
    for (uint32_t i = 0; i < N; i++) {
        const char *s = cust_name(i, buf);
        uint32_t id;
        EXPECT(cxi_pool_intern(&m, &p, s, strlen(s), &id) == CX_OK, "%s", cx_last_error());
        EXPECT(id == i, "'%s' got id %u", s, (unsigned)id);
        ptr[i] = cxi_pool_str(&p, i);
    }
    ck_assert_uint_gt(p.nblocks, 10); /* it did grow through many blocks */
    pool_check(&p, N, cust_name);
    for (uint32_t i = 0; i < N; i++) {
        EXPECT(cxi_pool_str(&p, i) == ptr[i], "id %u moved", (unsigned)i);
        EXPECT(strcmp(ptr[i], cust_name(i, buf)) == 0, "id %u changed to '%s'", (unsigned)i, ptr[i]);
    }
    ck_assert_uint_eq(m.bytes, t.live);
    /* the table keeps its load at most 1/2 */
    ck_assert_uint_ge(p.nslots, 2 * (uint64_t)N);
    ck_assert_uint_eq(p.nslots & (p.nslots - 1), 0);
    free(ptr);
    cxi_pool_free(&m, &p);
    mem_done(&t, &m);
}
END_TEST

START_TEST(pool_drop_last)
{
    /* dropping strings one by one from the end, through every load of the
     * hash slots and the collision runs (some wrapping around the table) */
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    cxi_pool p;
    cxi_pool_init(&p);
    char buf[64];
    uint32_t id;
    enum { N = 1000 };
    for (uint32_t i = 0; i < N; i++) {
        const char *s = cust_name(i, buf);
        OK(cxi_pool_intern(&m, &p, s, strlen(s), &id));
    }
    size_t calls = t.calls;
    for (uint32_t n = N; n-- > 0;) {
        const char *s = cust_name(n, buf);
        cxi_pool_drop_last(&p);
        EXPECT(cxi_pool_find(&p, s, strlen(s)) == CXI_NONE, "'%s' still found", s);
        if (n % 97 == 0 || n < 40)
            pool_check(&p, n, cust_name);
    }
    ck_assert_uint_eq(t.calls, calls); /* allocates nothing */
    /* the import's pattern: add a new string, then take it back, many times
     * between kept ones; the bytes are given back each time */
    for (uint32_t i = 0; i < 3000; i++) {
        const char *s = cust_name(i, buf);
        if (i % 3 == 0) {
            OK(cxi_pool_intern(&m, &p, s, strlen(s), &id));
            continue;
        }
        OK(cxi_pool_reserve(&m, &p, 1, strlen(s)));
        size_t used = p.block_used;
        char *block = p.block;
        ck_assert_uint_eq(cxi_pool_add(&p, s, strlen(s)), i / 3 + 1);
        cxi_pool_drop_last(&p);
        ck_assert_ptr_eq(p.block, block);
        ck_assert_uint_eq(p.block_used, used);
    }
    ck_assert_uint_eq(p.count, 1000);
    for (uint32_t i = 0; i < 3000; i++) {
        const char *s = cust_name(i, buf);
        EXPECT(cxi_pool_find(&p, s, strlen(s)) == (i % 3 ? CXI_NONE : i / 3), "'%s' found as %u", s,
               (unsigned)cxi_pool_find(&p, s, strlen(s)));
    }
    ck_assert_uint_eq(m.bytes, t.live);
    cxi_pool_free(&m, &p);
    mem_done(&t, &m);
}
END_TEST

/* The first name "k<n>", n >= *from, whose hash has the low bits `home`
 * under `mask`. */
static const char *name_with_home(char *buf, uint32_t *from, uint32_t mask, uint32_t home)
{
    for (;; (*from)++) {
        snprintf(buf, 16, "k%u", (unsigned)*from);
        if (((uint32_t)cxi_hash(buf, strlen(buf)) & mask) == home) {
            (*from)++;
            return buf;
        }
    }
}

START_TEST(pool_drop_last_after_growth)
{
    /* A and B share the home slot 31 of 32 (so 15 of 16): in 16 slots A is
     * at 15 and B wraps to 0; growing to 32 places the strings again in id
     * order (a slot's tag depends on the number of slots), A at 31 and B
     * wrapped to 0. Dropping the strings one by one must keep every other
     * findable. A slot holds id + 1 in its low bits (issue 14). */
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    cxi_pool p;
    cxi_pool_init(&p);
    char names[10][16];
    uint32_t next = 0, id;
    name_with_home(names[0], &next, 31, 31);
    name_with_home(names[1], &next, 31, 31);
    for (int i = 2; i < 10; i++) /* fillers with homes 4 to 11, out of the way */
        name_with_home(names[i], &next, 31, (uint32_t)i + 2);
    for (uint32_t i = 0; i < 10; i++) {
        OK(cxi_pool_intern(&m, &p, names[i], strlen(names[i]), &id));
        ck_assert_uint_eq(id, i);
        if (i == 8) { /* 16 slots hold 9 strings (load 9/16) */
            ck_assert_uint_eq(p.nslots, 16);
            ck_assert_uint_eq(p.slots[15] & 15u, 1); /* A */
            ck_assert_uint_eq(p.slots[0] & 15u, 2);  /* B */
        }
    }
    ck_assert_uint_eq(p.nslots, 32);
    ck_assert_uint_eq(p.slots[31] & 31u, 1); /* A */
    ck_assert_uint_eq(p.slots[0] & 31u, 2);  /* B, after A */
    for (uint32_t n = 10; n-- > 1;) {
        cxi_pool_drop_last(&p);
        for (uint32_t i = 0; i < 10; i++)
            ck_assert_uint_eq(cxi_pool_find(&p, names[i], strlen(names[i])), (i < n ? i : CXI_NONE));
    }
    ck_assert_uint_eq(p.slots[31] & 31u, 1);
    ck_assert_uint_eq(p.slots[0], 0);
    cxi_pool_free(&m, &p);
}
END_TEST

START_TEST(pool_truncate_rolls_back)
{
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    cxi_pool p;
    cxi_pool_init(&p);
    char buf[64];
    uint32_t id;
    for (uint32_t i = 0; i < 2000; i++) {
        const char *s = cust_name(i, buf);
        OK(cxi_pool_intern(&m, &p, s, strlen(s), &id));
    }
    const char *keep = cxi_pool_str(&p, 999);
    size_t calls = t.calls;
    cxi_pool_truncate(&m, &p, 1000);
    ck_assert_uint_eq(t.calls, calls); /* a rollback allocates nothing */
    pool_check(&p, 1000, cust_name);
    ck_assert_ptr_eq(cxi_pool_str(&p, 999), keep);
    for (uint32_t i = 1000; i < 2000; i++) {
        const char *s = cust_name(i, buf);
        ck_assert_uint_eq(cxi_pool_find(&p, s, strlen(s)), CXI_NONE);
    }
    /* truncating to the current size or beyond does nothing */
    cxi_pool_truncate(&m, &p, 1000);
    cxi_pool_truncate(&m, &p, 5000);
    pool_check(&p, 1000, cust_name);
    /* ids are reused densely after the rollback */
    OK(cxi_pool_intern(&m, &p, "new", 3, &id));
    ck_assert_uint_eq(id, 1000);
    OK(cxi_pool_intern(&m, &p, "C-1500", 6, &id)); /* forgotten: a new id */
    ck_assert_uint_eq(id, 1001);
    ck_assert_uint_eq(m.bytes, t.live);
    /* truncating to 0 gives the string blocks back */
    size_t before = m.bytes;
    cxi_pool_truncate(&m, &p, 0);
    ck_assert_uint_eq(p.count, 0);
    ck_assert_uint_eq(p.nblocks, 0);
    ck_assert_uint_lt(m.bytes, before);
    ck_assert_uint_eq(m.bytes, t.live);
    ck_assert_uint_eq(cxi_pool_find(&p, "C-0", 3), CXI_NONE);
    ck_assert_uint_eq(cxi_pool_find(&p, "new", 3), CXI_NONE);
    /* and the pool works again from scratch */
    for (uint32_t i = 0; i < 300; i++) {
        const char *s = cust_name(i, buf);
        OK(cxi_pool_intern(&m, &p, s, strlen(s), &id));
        ck_assert_uint_eq(id, i);
    }
    pool_check(&p, 300, cust_name);
    cxi_pool_free(&m, &p);
    mem_done(&t, &m);
}
END_TEST

START_TEST(pool_failure_injection)
{
    /* Refuse the k-th request for every k until a whole run succeeds: each
     * refusal must leave the pool as it was, and usable. */
    enum { N = 1500 };
    char buf[64];
    bool completed = false;
    for (long k = 0; !completed; k++) {
        ck_assert_int_lt(k, 10000);
        cxt_alloc t = {0};
        cxi_mem m;
        cxi_mem_init(&m, cxt_alloc_fn, &t);
        cxi_pool p;
        cxi_pool_init(&p);
        cxt_alloc_allow(&t, k);
        uint32_t i = 0;
        int rc = CX_OK;
        for (; i < N; i++) {
            const char *s = cust_name(i, buf);
            uint32_t id = 12345;
            rc = cxi_pool_intern(&m, &p, s, strlen(s), &id);
            if (rc) {
                ck_assert_uint_eq(id, 12345); /* not written */
                break;
            }
            ck_assert_uint_eq(id, i);
        }
        if (rc == CX_OK) {
            ck_assert_uint_eq(t.refused, 0);
            completed = true;
        } else {
            ck_assert_int_eq(rc, CX_ENOMEM);
            ck_assert_int_eq(cx_last_error_code(), CX_ENOMEM);
            ck_assert_uint_ge(t.refused, 1); /* two when both halves of a pair are asked */
            /* unchanged: exactly the strings before the failing one */
            pool_check(&p, i, cust_name);
            const char *s = cust_name(i, buf);
            ck_assert_uint_eq(cxi_pool_find(&p, s, strlen(s)), CXI_NONE);
            ck_assert_uint_eq(m.bytes, t.live);
            /* usable: with memory again, the same string goes in with the next id */
            cxt_alloc_allow(&t, -1);
            uint32_t id;
            OK(cxi_pool_intern(&m, &p, s, strlen(s), &id));
            ck_assert_uint_eq(id, i);
            for (uint32_t j = i + 1; j < i + 200; j++) {
                s = cust_name(j, buf);
                OK(cxi_pool_intern(&m, &p, s, strlen(s), &id));
                ck_assert_uint_eq(id, j);
            }
            pool_check(&p, i + 200, cust_name);
        }
        cxi_pool_free(&m, &p);
        mem_done(&t, &m);
    }
}
END_TEST

START_TEST(pool_refused_reserve_leaves_pool)
{
    /* a refused reservation, then a smaller one that fits in what is held */
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    cxi_pool p;
    cxi_pool_init(&p);
    uint32_t id;
    OK(cxi_pool_intern(&m, &p, "a", 1, &id));
    cxt_alloc_allow(&t, 0);
    ck_assert_int_eq(cxi_pool_reserve(&m, &p, 1000, 1000000), CX_ENOMEM);
    ck_assert_uint_eq(p.count, 1);
    ck_assert_uint_eq(cxi_pool_find(&p, "a", 1), 0);
    OK(cxi_pool_intern(&m, &p, "a", 1, &id)); /* present: no memory needed */
    ck_assert_uint_eq(id, 0);
    /* a new string that fits in the table and block already held needs no memory */
    OK(cxi_pool_intern(&m, &p, "b", 1, &id));
    ck_assert_uint_eq(id, 1);
    ck_assert_uint_eq(t.refused, 1);
    /* but one beyond the current block does, and is refused cleanly */
    char big[3000];
    memset(big, 'z', sizeof big);
    ck_assert_int_eq(cxi_pool_intern(&m, &p, big, sizeof big, &id), CX_ENOMEM);
    ck_assert_uint_eq(p.count, 2);
    ck_assert_uint_eq(cxi_pool_find(&p, big, sizeof big), CXI_NONE);
    cxt_alloc_allow(&t, -1);
    OK(cxi_pool_intern(&m, &p, big, sizeof big, &id));
    ck_assert_uint_eq(id, 2);
    ck_assert_uint_eq(cxi_pool_find(&p, "b", 1), 1);
    cxi_pool_free(&m, &p);
    mem_done(&t, &m);
}
END_TEST

/* ---- u64 -> u32 map -------------------------------------------------- */

START_TEST(map_put_get)
{
    cxt_alloc t = {0};
    cxi_mem mem;
    cxi_mem_init(&mem, cxt_alloc_fn, &t);
    cxi_map m;
    cxi_map_init(&m);
    ck_assert_uint_eq(cxi_map_get(&m, 0), CXI_NONE); /* empty: no slots at all */
    ck_assert_uint_eq(cxi_map_get(&m, 42), CXI_NONE);
    OK(cxi_map_reserve(&mem, &m, 1));
    ck_assert_uint_eq(m.nslots, 16);
    cxi_map_put(&m, 0, 7); /* key 0 is an ordinary key */
    OK(cxi_map_reserve(&mem, &m, 1));
    cxi_map_put(&m, UINT64_MAX, 0);
    OK(cxi_map_reserve(&mem, &m, 1));
    cxi_map_put(&m, (uint64_t)5 << 32 | 3, CXI_NONE - 1);
    ck_assert_uint_eq(m.count, 3);
    ck_assert_uint_eq(cxi_map_get(&m, 0), 7);
    ck_assert_uint_eq(cxi_map_get(&m, UINT64_MAX), 0);
    ck_assert_uint_eq(cxi_map_get(&m, (uint64_t)5 << 32 | 3), CXI_NONE - 1);
    ck_assert_uint_eq(cxi_map_get(&m, (uint64_t)3 << 32 | 5), CXI_NONE);
    ck_assert_uint_eq(cxi_map_get(&m, 1), CXI_NONE);
    /* put on a present key replaces its value and does not count twice */
    cxi_map_put(&m, 0, 8);
    ck_assert_uint_eq(cxi_map_get(&m, 0), 8);
    ck_assert_uint_eq(m.count, 3);
    /* reserving within the load limit allocates nothing */
    size_t calls = t.calls;
    OK(cxi_map_reserve(&mem, &m, 5)); /* 3 + 5 = 8 = 16 / 2 */
    ck_assert_uint_eq(t.calls, calls);
    ck_assert_uint_eq(m.nslots, 16);
    OK(cxi_map_reserve(&mem, &m, 6));
    ck_assert_uint_eq(m.nslots, 32);
    ck_assert_uint_eq(m.count, 3);
    ck_assert_uint_eq(cxi_map_get(&m, 0), 8);
    ck_assert_uint_eq(cxi_map_get(&m, UINT64_MAX), 0);
    ck_assert_uint_eq(mem.bytes, 32 * (8 + 4));
    cxi_map_free(&mem, &m);
    ck_assert_uint_eq(m.nslots, 0);
    ck_assert_uint_eq(cxi_map_get(&m, 0), CXI_NONE);
    mem_done(&t, &mem);
}
END_TEST

/* the keys the store uses: row << 32 | attribute id */
static uint64_t attr_key(uint32_t i) { return (uint64_t)(i / 7) << 32 | (i % 7); }

START_TEST(map_many_keys)
{
    enum { N = 200000 };
    cxt_alloc t = {0};
    cxi_mem mem;
    cxi_mem_init(&mem, cxt_alloc_fn, &t);
    cxi_map m;
    cxi_map_init(&m);
    for (uint32_t i = 0; i < N; i++) {
        EXPECT(cxi_map_reserve(&mem, &m, 1) == CX_OK, "%s", cx_last_error());
        cxi_map_put(&m, attr_key(i), i);
        EXPECT(m.count * 2 <= m.nslots, "load above 1/2 at %u", (unsigned)i);
    }
    ck_assert_uint_eq(m.count, N);
    for (uint32_t i = 0; i < N; i++)
        EXPECT(cxi_map_get(&m, attr_key(i)) == i, "key %u lost", (unsigned)i);
    for (uint32_t i = 0; i < 1000; i++)
        EXPECT(cxi_map_get(&m, (uint64_t)(N + i) << 32) == CXI_NONE, "absent key %u found", (unsigned)i);
    /* random 64-bit keys too */
    uint64_t seed = 1;
    OK(cxi_map_reserve(&mem, &m, 50000));
    size_t calls = t.calls;
    for (uint32_t i = 0; i < 50000; i++)
        cxi_map_put(&m, splitmix64(&seed) | 1ULL << 63, i);
    ck_assert_uint_eq(t.calls, calls); /* reserved: no allocation on put */
    seed = 1;
    for (uint32_t i = 0; i < 50000; i++)
        EXPECT(cxi_map_get(&m, splitmix64(&seed) | 1ULL << 63) == i, "random key %u lost", (unsigned)i);
    ck_assert_uint_eq(m.count, N + 50000);
    ck_assert_uint_eq(mem.bytes, t.live);
    cxi_map_free(&mem, &m);
    mem_done(&t, &mem);
}
END_TEST

static bool drop_odd_values(void *ctx, uint64_t key, uint32_t val)
{
    (void)key;
    ++*(size_t *)ctx;
    return val % 2 == 1;
}

static bool drop_all(void *ctx, uint64_t key, uint32_t val)
{
    (void)ctx, (void)key, (void)val;
    return true;
}

static bool drop_none(void *ctx, uint64_t key, uint32_t val)
{
    (void)ctx, (void)key, (void)val;
    return false;
}

START_TEST(map_remove_if)
{
    cxi_mem mem;
    cxi_mem_init(&mem, NULL, NULL);
    cxi_map m;
    cxi_map_init(&m);
    size_t seen = 0;
    cxi_map_remove_if(&m, drop_odd_values, &seen); /* empty map: no call */
    ck_assert_uint_eq(seen, 0);
    enum { N = 5000 };
    OK(cxi_map_reserve(&mem, &m, N));
    for (uint32_t i = 0; i < N; i++)
        cxi_map_put(&m, attr_key(i), i);
    size_t bytes = mem.bytes;
    cxi_map_remove_if(&m, drop_odd_values, &seen);
    ck_assert_uint_eq(seen, N); /* asked once per entry */
    ck_assert_uint_eq(m.count, N / 2);
    ck_assert_uint_eq(mem.bytes, bytes); /* allocates nothing */
    for (uint32_t i = 0; i < N; i++)
        ck_assert_uint_eq(cxi_map_get(&m, attr_key(i)), i % 2 ? CXI_NONE : i);
    cxi_map_remove_if(&m, drop_none, NULL);
    ck_assert_uint_eq(m.count, N / 2);
    for (uint32_t i = 0; i < N; i += 2)
        ck_assert_uint_eq(cxi_map_get(&m, attr_key(i)), i);
    /* the removed keys can come back */
    for (uint32_t i = 1; i < N; i += 2)
        cxi_map_put(&m, attr_key(i), i + 1);
    for (uint32_t i = 0; i < N; i++)
        ck_assert_uint_eq(cxi_map_get(&m, attr_key(i)), i % 2 ? i + 1 : i);
    cxi_map_remove_if(&m, drop_all, NULL);
    ck_assert_uint_eq(m.count, 0);
    for (uint32_t i = 0; i < N; i++)
        ck_assert_uint_eq(cxi_map_get(&m, attr_key(i)), CXI_NONE);
    cxi_map_free(&mem, &m);
    ck_assert_uint_eq(mem.bytes, 0);
}
END_TEST

struct drop_set {
    const bool *drop; /* by value */
};

static bool drop_marked(void *ctx, uint64_t key, uint32_t val)
{
    (void)key;
    return ((struct drop_set *)ctx)->drop[val];
}

START_TEST(map_remove_if_random)
{
    /* Small, crowded maps (up to half full, where probe chains are long and
     * wrap around the end of the table) against a plain array as the model:
     * after every removal each surviving key must still be found. */
    enum { MAXK = 64 };
    cxi_mem mem;
    cxi_mem_init(&mem, NULL, NULL);
    uint64_t seed = 2024;
    for (int round = 0; round < 20000; round++) {
        cxi_map m;
        cxi_map_init(&m);
        uint64_t keys[MAXK];
        bool drop[MAXK], gone[MAXK] = {false};
        size_t slots = (size_t)16 << (round % 3);
        uint32_t n = (uint32_t)(slots / 2 - splitmix64(&seed) % 3);
        OK(cxi_map_reserve(&mem, &m, slots / 2));
        ck_assert_uint_eq(m.nslots, slots);
        for (uint32_t i = 0; i < n; i++) {
            /* distinct random keys; in 16 to 64 slots their homes collide often */
            keys[i] = splitmix64(&seed);
            for (uint32_t j = 0; j < i; j++)
                if (keys[j] == keys[i]) {
                    keys[i]++;
                    j = (uint32_t)-1;
                }
            cxi_map_put(&m, keys[i], i);
        }
        for (int pass = 0; pass < 3; pass++) {
            for (uint32_t i = 0; i < n; i++)
                drop[i] = splitmix64(&seed) % 3 == 0;
            struct drop_set ds = {drop};
            cxi_map_remove_if(&m, drop_marked, &ds);
            size_t live = 0;
            for (uint32_t i = 0; i < n; i++) {
                gone[i] = gone[i] || drop[i];
                live += !gone[i];
                EXPECT(cxi_map_get(&m, keys[i]) == (gone[i] ? CXI_NONE : i),
                              "round %d pass %d: key %u of %u %s", round, pass, i, n,
                              gone[i] ? "still found" : "lost");
            }
            ck_assert_uint_eq(m.count, live);
        }
        cxi_map_free(&mem, &m);
    }
    ck_assert_uint_eq(mem.bytes, 0);
}
END_TEST

START_TEST(map_reserve_failure_leaves_map)
{
    cxt_alloc t = {0};
    cxi_mem mem;
    cxi_mem_init(&mem, cxt_alloc_fn, &t);
    cxi_map m;
    cxi_map_init(&m);
    for (uint32_t i = 0; i < 8; i++) {
        OK(cxi_map_reserve(&mem, &m, 1));
        cxi_map_put(&m, attr_key(i), i);
    }
    ck_assert_uint_eq(m.nslots, 16);
    /* refuse the keys array, then the values array */
    for (long k = 0; k < 2; k++) {
        cxt_alloc_allow(&t, k);
        cx_error_clear();
        ck_assert_int_eq(cxi_map_reserve(&mem, &m, 1), CX_ENOMEM);
        ck_assert_int_eq(cx_last_error_code(), CX_ENOMEM);
        ck_assert_uint_eq(m.nslots, 16);
        ck_assert_uint_eq(m.count, 8);
        for (uint32_t i = 0; i < 8; i++)
            ck_assert_uint_eq(cxi_map_get(&m, attr_key(i)), i);
        ck_assert_uint_eq(mem.bytes, 16 * 12);
        ck_assert_uint_eq(t.live, mem.bytes);
    }
    cxt_alloc_allow(&t, -1);
    OK(cxi_map_reserve(&mem, &m, 1));
    cxi_map_put(&m, attr_key(8), 8);
    for (uint32_t i = 0; i < 9; i++)
        ck_assert_uint_eq(cxi_map_get(&m, attr_key(i)), i);
    cxi_map_free(&mem, &m);
    mem_done(&t, &mem);
}
END_TEST

/* ---- order-independent sums (xsum.h) --------------------------------------- */

static uint64_t xs_next(uint64_t *g)
{
    uint64_t z = (*g += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    return z ^ (z >> 31);
}

START_TEST(xsum_any_order)
{
    enum { N = 4000 };
    static double v[N];
    uint64_t g = 42;
    /* amounts in cents, of both signs, and values of any magnitude from
     * 1e-3 to 1e9 with every bit of their mantissa set at random */
    for (size_t i = 0; i < N; i++) {
        double u = (double)(xs_next(&g) >> 11) / 9007199254740992.0;
        v[i] = i % 2 ? (double)((int64_t)(xs_next(&g) % 2000001) - 1000000) / 100.0 : pow(10, -3 + 12 * u) * (i % 4 ? 1 : -1);
    }
    cxi_xsum fwd = {0}, back = {0};
    double plain_fwd = 0, plain_back = 0;
    for (size_t i = 0; i < N; i++) {
        cxi_xsum_add(&fwd, v[i]);
        plain_fwd += v[i];
    }
    for (size_t i = N; i-- > 0;) {
        cxi_xsum_add(&back, v[i]);
        plain_back += v[i];
    }
    double a = cxi_xsum_value(&fwd), b = cxi_xsum_value(&back);
    ck_assert(memcmp(&a, &b, sizeof a) == 0);
    /* the plain sums of these do differ with the order (the test would
     * show nothing otherwise), and the fixed-point one is as close to
     * both as they are to each other */
    ck_assert(plain_fwd != plain_back);
    ck_assert(fabs(a - plain_fwd) <= 4 * fabs(plain_fwd - plain_back) + 1e-6);
    /* two halves merged: the same state */
    cxi_xsum h1 = {0}, h2 = {0};
    for (size_t i = 0; i < N; i++)
        cxi_xsum_add(i < N / 3 ? &h1 : &h2, v[i]);
    cxi_xsum_merge(&h2, &h1);
    double c = cxi_xsum_value(&h2);
    ck_assert(memcmp(&a, &c, sizeof a) == 0);
    /* amounts in cents add exactly: 0.1 ten times is 1, and 1037.90 from
     * its parts */
    cxi_xsum t = {0};
    for (int i = 0; i < 10; i++)
        cxi_xsum_add(&t, 0.1);
    ck_assert(cxi_xsum_value(&t) == 1.0);
    cxi_xsum u = {0};
    cxi_xsum_add(&u, 1037.9 - 0.7 - 0.2);
    cxi_xsum_add(&u, 0.7);
    cxi_xsum_add(&u, 0.2);
    ck_assert(fabs(cxi_xsum_value(&u) - 1037.9) <= 1e-12);
    cxi_xsum neg = {0};
    cxi_xsum_add(&neg, -0.25);
    cxi_xsum_add(&neg, -3.5);
    ck_assert(cxi_xsum_value(&neg) == -3.75);
    /* beyond 2^62, and NaN: an ordinary double sum */
    cxi_xsum w = {0};
    cxi_xsum_add(&w, 1.5);
    cxi_xsum_add(&w, 1e19);
    ck_assert(w.is_wide);
    ck_assert(cxi_xsum_value(&w) == 1.5 + 1e19);
    cxi_xsum nan_sum = {0};
    cxi_xsum_add(&nan_sum, NAN);
    ck_assert(isnan(cxi_xsum_value(&nan_sum)));
    /* an integer part that would pass 2^62 */
    cxi_xsum big = {0};
    for (int i = 0; i < 3; i++)
        cxi_xsum_add(&big, 2e18);
    ck_assert(big.is_wide);
    ck_assert(cxi_xsum_value(&big) == 6e18);
    /* the scaled fixed point of a known bound: any order, the same sum,
     * within the bound's rounding of the exact one */
    double bound = 0;
    for (size_t i = 0; i < N; i++)
        bound += fabs(v[i]);
    cxi_fix fx = cxi_fix_for(bound * (1 + 1e-6) + 1);
    ck_assert(!fx.plain);
    cxi_fixacc f1 = {0, 0}, f2 = {0, 0};
    for (size_t i = 0; i < N; i++) {
        cxi_fix_add(&fx, &f1, v[i]);
        cxi_fix_add(&fx, &f2, v[N - 1 - i]);
    }
    ck_assert(f1.i == f2.i);
    ck_assert(fabs(cxi_fix_value(&fx, &f1) - a) <= 1e-15 * bound);
    /* a bound that is not finite: plain double sums */
    cxi_fix fp = cxi_fix_for(INFINITY);
    ck_assert(fp.plain);
    cxi_fixacc f3 = {0, 0};
    cxi_fix_add(&fp, &f3, 1e308);
    cxi_fix_add(&fp, &f3, 1e308);
    ck_assert(isinf(cxi_fix_value(&fp, &f3)));
}
END_TEST

int main(void)
{
    Suite *su = suite_create("base");
    TCase *err = tcase_create("errors");
    tcase_add_test(err, strerror_every_code);
    tcase_add_test(err, strerror_unknown);
    tcase_add_test(err, last_error_fresh_and_clear);
    tcase_add_test(err, fail_formats_message);
    tcase_add_test(err, fail_wraps_previous_message);
    tcase_add_test(err, fail_truncates_long_message);
    tcase_add_test(err, success_leaves_last_error);
    tcase_add_test(err, error_field);
    tcase_add_test(err, last_error_is_per_thread);
    tcase_add_test(err, quote_short_and_null);
    tcase_add_test(err, quote_cuts_ascii_at_64);
    tcase_add_test(err, quote_cuts_utf8_on_boundary);
    suite_add_tcase(su, err);
    TCase *text = tcase_create("text");
    tcase_add_test(text, utf8_valid_text);
    tcase_add_test(text, utf8_overlongs);
    tcase_add_test(text, utf8_surrogates);
    tcase_add_test(text, utf8_truncated);
    tcase_add_test(text, utf8_beyond_unicode_and_bad_bytes);
    tcase_add_test(text, utf8_embedded_nul);
    tcase_add_test(text, hash_consistent);
    tcase_add_test(text, hash_distinguishes);
    tcase_add_test(text, hash_tail_reads_its_bytes_only);
    suite_add_tcase(su, text);
    TCase *mem = tcase_create("memory");
    tcase_add_test(mem, mem_default_accounting);
    tcase_add_test(mem, mem_custom_allocator);
    tcase_add_test(mem, cols_reserve_grows);
    tcase_add_test(mem, cols_reserve_failure_leaves_contents);
    tcase_add_test(mem, cols_reserve_overflow);
    suite_add_tcase(su, mem);
    TCase *pool = tcase_create("pool");
    tcase_set_timeout(pool, 120);
    tcase_add_test(pool, pool_dense_ids_in_order);
    tcase_add_test(pool, pool_reserve_then_add_cannot_fail);
    tcase_add_test(pool, pool_long_strings);
    tcase_add_test(pool, pool_probe_id_follows_collisions);
    tcase_add_test(pool, pool_arabic_empty_and_nul);
    tcase_add_test(pool, pool_many_strings_pointers_stay);
    tcase_add_test(pool, pool_truncate_rolls_back);
    tcase_add_test(pool, pool_drop_last);
    tcase_add_test(pool, pool_drop_last_after_growth);
    tcase_add_test(pool, pool_failure_injection);
    tcase_add_test(pool, pool_refused_reserve_leaves_pool);
    suite_add_tcase(su, pool);
    TCase *sums = tcase_create("sums");
    tcase_add_test(sums, xsum_any_order);
    suite_add_tcase(su, sums);
    TCase *map = tcase_create("map");
    tcase_set_timeout(map, 120);
    tcase_add_test(map, map_put_get);
    tcase_add_test(map, map_many_keys);
    tcase_add_test(map, map_remove_if);
    tcase_add_test(map, map_remove_if_random);
    tcase_add_test(map, map_reserve_failure_leaves_map);
    suite_add_tcase(su, map);
    return run_suite(su);
}

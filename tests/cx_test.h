/* What every Check suite of CXKit needs, written once: assertions that name
 * the failed call and the library's last error, times from ISO-8601 text, a
 * temporary directory per test, reading and comparing files, getters for
 * store and result cells, seeded generators, and an allocator that counts
 * live bytes, checks the size contract and fails the k-th request on demand.
 *
 * Include it first (it sets _POSIX_C_SOURCE for mkdtemp and friends). Each
 * suite is one translation unit, so everything here is static: functions are
 * static inline (no warning when a suite leaves one unused), and the state of
 * the temporary directory lives in function-local statics.
 *
 * The assertions call Check only when they fail: ck_assert records a mark
 * point on every success (a message to the runner when it forks), which made
 * loops of many thousand checks slow, under valgrind above all. */
#ifndef CX_TEST_H
#define CX_TEST_H

#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L
#endif

#include <check.h>

/* Check's ck_assert_msg(), which every ck_assert_* macro expands to, calls
 * _mark_point() for each assertion that holds: a message written to the
 * runner through a file, a system call an assertion. In the loops that
 * compare every cell of two stores or results that was most of the time of
 * whole suites (test_parallel: 2 of its 2 minutes; more under valgrind).
 * Here a holding assertion costs nothing; a failing one fails the test as
 * before, with the same message and place. What is lost is only the "last
 * checkpoint" Check names when a test crashes (the sanitizers and valgrind
 * print the stack of a crash instead). */
#undef ck_assert_msg
#define ck_assert_msg(expr, ...)                                                                                   \
    ((expr) ? (void)0 : _ck_assert_failed(__FILE__, __LINE__, "Assertion '" #expr "' failed", ##__VA_ARGS__))
#include <cxkit/cxkit.h>
#include <dirent.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- assertions -------------------------------------------------------- */

/* A condition, with a printf-style message when it does not hold. */
#define EXPECT(cond, ...)                                                                                          \
    do {                                                                                                           \
        if (!(cond))                                                                                               \
            ck_abort_msg(__VA_ARGS__);                                                                             \
    } while (0)

/* A library call that must succeed: names the call and says why it failed. */
#define OK(call)                                                                                                   \
    do {                                                                                                           \
        int cxt_rc_ = (call);                                                                                      \
        if (cxt_rc_ != CX_OK)                                                                                      \
            ck_abort_msg("%s: %s: %s", #call, cx_strerror(cxt_rc_), cx_last_error());                              \
    } while (0)

/* A call that must fail with `code`, set the same last error code, and say
 * `fn` (the public function's name) in its message. */
#define FAILS(call, code, fn)                                                                                      \
    do {                                                                                                           \
        cx_error_clear();                                                                                          \
        int cxt_rc_ = (call), cxt_want_ = (code);                                                                  \
        if (cxt_rc_ != cxt_want_)                                                                                  \
            ck_abort_msg("%s: got %d (%s), expected %d: %s", #call, cxt_rc_, cx_strerror(cxt_rc_), cxt_want_,      \
                         cx_last_error());                                                                         \
        if (cx_last_error_code() != cxt_want_)                                                                     \
            ck_abort_msg("%s: last error code %d, expected %d", #call, cx_last_error_code(), cxt_want_);           \
        if (!strstr(cx_last_error(), (fn)))                                                                        \
            ck_abort_msg("%s: message '%s' does not name %s", #call, cx_last_error(), (fn));                       \
    } while (0)

/* The last error's message mentions `part`. */
#define MSG_HAS(part)                                                                                              \
    do {                                                                                                           \
        const char *cxt_part_ = (part);                                                                            \
        if (!strstr(cx_last_error(), cxt_part_))                                                                   \
            ck_abort_msg("'%s' not in: %s", cxt_part_, cx_last_error());                                           \
    } while (0)

/* |x - ref| <= tol (a NaN never is). */
#define NEAR(x, ref, tol)                                                                                          \
    do {                                                                                                           \
        double cxt_x_ = (double)(x), cxt_ref_ = (double)(ref), cxt_tol_ = (double)(tol);                           \
        if (!(fabs(cxt_x_ - cxt_ref_) <= cxt_tol_))                                                                \
            ck_abort_msg("%s = %.17g, expected %.17g (tolerance %g)", #x, cxt_x_, cxt_ref_, cxt_tol_);             \
    } while (0)

/* Within a fraction `tol` of ref. */
#define REL(x, ref, tol)                                                                                           \
    do {                                                                                                           \
        double cxt_rx_ = (double)(x), cxt_rref_ = (double)(ref), cxt_rtol_ = (double)(tol);                        \
        if (!(fabs(cxt_rx_ - cxt_rref_) <= cxt_rtol_ * fabs(cxt_rref_)))                                           \
            ck_abort_msg("%s = %.10g, expected %.10g +- %g %%", #x, cxt_rx_, cxt_rref_, 100.0 * cxt_rtol_);        \
    } while (0)

/* Equal as computed results are: to 1e-6, relative to the size of ref. */
#define CLOSE(x, ref) NEAR(x, ref, 1e-6 * (1 + fabs((double)(ref))))

/* ---- times ------------------------------------------------------------- */

#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define WEEK_MS (7 * DAY_MS)

/* The time an ISO-8601 text names; the test fails if it does not parse. */
static inline cx_time T(const char *iso)
{
    cx_time t = CX_TIME_NONE;
    int rc = cx_time_parse(&t, iso, strlen(iso));
    if (rc != CX_OK)
        ck_abort_msg("T(\"%s\"): %s", iso, cx_last_error());
    return t;
}

/* ---- a temporary directory per test ------------------------------------ */

/* The directory of the running test (made by tmpdir_setup). */
static inline char *tmp_dir(void)
{
    static char dir[256];
    return dir;
}

/* A fresh directory under $TMPDIR (or /tmp); the checked fixture
 * tcase_add_checked_fixture(tc, tmpdir_setup, tmpdir_teardown) gives every
 * test its own. */
static inline void tmpdir_setup(void)
{
    const char *base = getenv("TMPDIR");
    snprintf(tmp_dir(), 256, "%s/cxtest-XXXXXX", base && *base ? base : "/tmp");
    ck_assert_ptr_nonnull(mkdtemp(tmp_dir()));
}

/* Removes `path` and, for a directory, everything under it (symbolic links
 * are removed, not followed). */
static inline void remove_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        ck_assert_msg(d != NULL, "cannot open %s", path);
        struct dirent *e;
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            size_t n = strlen(path) + strlen(e->d_name) + 2;
            char *sub = malloc(n);
            ck_assert_ptr_nonnull(sub);
            snprintf(sub, n, "%s/%s", path, e->d_name);
            remove_tree(sub);
            free(sub);
        }
        closedir(d);
        ck_assert_msg(rmdir(path) == 0, "cannot remove %s", path);
    } else {
        ck_assert_msg(unlink(path) == 0, "cannot remove %s", path);
    }
}

static inline void tmpdir_teardown(void)
{
    if (*tmp_dir())
        remove_tree(tmp_dir());
    *tmp_dir() = '\0';
}

/* A path in the test's directory; eight live at a time. */
static inline const char *P(const char *name)
{
    static char buf[8][512];
    static unsigned next;
    char *p = buf[next++ % 8];
    int n = snprintf(p, sizeof buf[0], "%s/%s", tmp_dir(), name);
    ck_assert_msg(n > 0 && (size_t)n < sizeof buf[0], "path too long: %s", name);
    return p;
}

/* ---- files ------------------------------------------------------------- */

/* Writes `len` bytes to `name` in the test's directory; returns its path. */
static inline const char *write_bytes(const char *name, const char *bytes, size_t len)
{
    const char *path = P(name);
    FILE *f = fopen(path, "wb");
    ck_assert_msg(f != NULL, "cannot create %s", path);
    ck_assert_uint_eq(fwrite(bytes, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
    return path;
}

static inline const char *write_file(const char *name, const char *text)
{
    return write_bytes(name, text, strlen(text));
}

/* The whole file, NUL-terminated (its length in *len when len is not NULL);
 * the caller frees it. */
static inline char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    size_t cap = 1024, n = 0, got;
    char *b = malloc(cap);
    ck_assert_ptr_nonnull(b);
    while ((got = fread(b + n, 1, cap - n - 1, f)) > 0) {
        n += got;
        if (cap - n - 1 == 0) {
            cap *= 2;
            b = realloc(b, cap);
            ck_assert_ptr_nonnull(b);
        }
    }
    ck_assert_msg(!ferror(f), "cannot read %s", path);
    fclose(f);
    b[n] = '\0';
    if (len)
        *len = n;
    return b;
}

/* The file holds exactly `expected`. */
static inline void assert_file_eq(const char *path, const char *expected)
{
    size_t n;
    char *got = slurp(path, &n);
    ck_assert_msg(n == strlen(expected) && memcmp(got, expected, n) == 0, "%s:\n--- got ---\n%s\n--- expected ---\n%s",
                  path, got, expected);
    free(got);
}

/* Two files with the same bytes. */
static inline void assert_files_same(const char *a, const char *b)
{
    size_t na, nb;
    char *x = slurp(a, &na), *y = slurp(b, &nb);
    ck_assert_msg(na == nb && memcmp(x, y, na) == 0, "%s and %s differ:\n%s\n---\n%s", a, b, x, y);
    free(x);
    free(y);
}

/* `needle` occurs in the first `hn` bytes of `hay` (which may hold NULs). */
static inline bool mem_contains(const char *hay, size_t hn, const char *needle, size_t nn)
{
    for (size_t i = 0; i + nn <= hn; i++)
        if (memcmp(hay + i, needle, nn) == 0)
            return true;
    return false;
}

/* ---- store and result cells -------------------------------------------- */

static inline size_t store_rows(const cx_store *s, int table)
{
    size_t n = 0;
    OK(cx_store_rows(&n, s, table));
    return n;
}

static inline size_t vocab_size(const cx_store *s, int vocab)
{
    size_t n = 0;
    OK(cx_vocab_count(&n, s, vocab));
    return n;
}

static inline const char *store_str(const cx_store *s, int table, int col, size_t row)
{
    const char *v = NULL;
    OK(cx_store_get_string(&v, s, table, col, row));
    return v;
}

static inline int64_t store_int(const cx_store *s, int table, int col, size_t row)
{
    int64_t v = 0;
    OK(cx_store_get_int(&v, s, table, col, row));
    return v;
}

static inline double store_real(const cx_store *s, int table, int col, size_t row)
{
    double v = 0;
    OK(cx_store_get_real(&v, s, table, col, row));
    return v;
}

/* The index of a result column, by name; the test fails if there is none. */
static inline size_t result_col(const cx_result *r, const char *name)
{
    size_t c = 0;
    OK(cx_result_column_find(&c, r, name));
    return c;
}

static inline double result_real(const cx_result *r, size_t row, const char *col)
{
    double v = 0;
    OK(cx_result_get_real(&v, r, row, result_col(r, col)));
    return v;
}

static inline int64_t result_int(const cx_result *r, size_t row, const char *col)
{
    int64_t v = 0;
    OK(cx_result_get_int(&v, r, row, result_col(r, col)));
    return v;
}

static inline const char *result_str(const cx_result *r, size_t row, const char *col)
{
    const char *v = NULL;
    OK(cx_result_get_string(&v, r, row, result_col(r, col)));
    return v;
}

/* A group's label: the string cell, or for a time bucket the label column
 * beside its start ("month_label" beside "month"), in the bucket's offset. */
static inline const char *result_label(const cx_result *r, size_t row, const char *col)
{
    size_t c = result_col(r, col);
    int type = -1;
    OK(cx_result_column_type(&type, r, c));
    if (type == CX_TYPE_TIME) {
        char name[128];
        snprintf(name, sizeof name, "%s_label", col);
        c = result_col(r, name);
    }
    const char *v = NULL;
    OK(cx_result_get_string(&v, r, row, c));
    return v;
}

/* The first row whose label in `col` is `value` (NULL: the missing label);
 * the test fails if there is none. */
static inline size_t result_row(const cx_result *r, const char *col, const char *value)
{
    for (size_t i = 0; i < cx_result_row_count(r); i++) {
        const char *l = result_label(r, i, col);
        if ((!l && !value) || (l && value && strcmp(l, value) == 0))
            return i;
    }
    ck_abort_msg("no row with %s = %s", col, value ? value : "(missing)");
    return 0;
}

/* A store with every table, Arabic text, quotes, commas, line breaks and a
 * tab in text, missing values and odd times (before 1970, milliseconds): the
 * round trips of test_io and test_db start from it. */
static inline cx_store *sample_store(void)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_vocab_define(NULL, s, CX_VOCAB_CHANNEL, "fax"));
    OK(cx_customer_add(s, "C-1", "consumer", "الرياض", "premium", T("2024-01-15T08:00:00+03:00")));
    OK(cx_customer_add(s, "عميل-٢", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_set_attribute(s, "C-1", "name", "سارة، العتيبي \"س\""));
    OK(cx_customer_set_attribute(s, "عميل-٢", "tier", ""));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", "sales", 1, 2.5));
    OK(cx_touchpoint_add(s, "fax_in", "fax", "service", NULL, 0, 0.1));
    OK(cx_case_add(s, "T-1", "C-1", "fax", "high", "نورة", T("2024-02-01T10:00:00Z"), T("2024-02-01T10:30:00Z"),
                   CX_TIME_NONE, 0, 1));
    OK(cx_interaction_add(NULL, s, "I-1", "C-1", "fax_in", T("2024-02-01T10:00:00Z"), "contact", CX_INBOUND, "نورة", "T-1",
                          123456, CX_HANDLED, 0));
    OK(cx_interaction_add(NULL, s, NULL, "عميل-٢", "web", T("1969-07-20T20:17:40.5Z"), NULL, CX_OUTBOUND, NULL, NULL, 0,
                          CX_ABANDONED, 99.99));
    OK(cx_question_add(s, "ces_low", CX_METRIC_CES, 1, 7, 0));
    OK(cx_feedback_add(NULL, s, NULL, "C-1", "ces_low", 6, T("2024-02-02T09:00:00Z"), "fax_in", "I-1", "T-1",
                       "صعب جداً,\n\"مرهق\"\r\n\ttab"));
    OK(cx_feedback_add(NULL, s, NULL, "عميل-٢", "nps", 10, T("2024-02-03T09:00:00Z"), NULL, NULL, NULL, ""));
    OK(cx_transaction_add(NULL, s, NULL, "C-1", T("2024-02-04T09:00:00Z"), 0.1));
    OK(cx_transaction_add(NULL, s, NULL, "عميل-٢", T("2024-02-04T09:00:00.007Z"), 1234567.89));
    return s;
}

/* ---- a seeded generator ------------------------------------------------ */

/* splitmix64: a fixed seed gives the same numbers on every run. */
static inline uint64_t splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

/* Knuth's MMIX linear congruential step: the generator the synthetic data of
 * test_journey and test_csvscan were drawn from (their expected figures were
 * worked out on it); its high bits are the good ones. */
static inline uint64_t lcg64(uint64_t *state)
{
    return *state = *state * 6364136223846793005ULL + 1442695040888963407ULL;
}

/* ---- running a suite -------------------------------------------------- */

/* main()'s last line: runs the suite (CK_FORK, CK_VERBOSITY and the TAP
 * settings come from the environment) and gives the exit status. */
static inline int run_suite(Suite *su)
{
    SRunner *sr = srunner_create(su);
    srunner_run_all(sr, CK_ENV);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* ---- a test allocator -------------------------------------------------- */

/* A cx_alloc_fn (pass cxt_alloc_fn with a cxt_alloc as its user data) that
 * counts requests and live bytes, checks that `osize` is always the exact
 * size of the block (the documented contract) and refuses requests when told
 * to. Every block carries its size and a mark in a header, so a wrong size
 * or a block it never gave out is counted in `bad` and the real size is used.
 * Zero-initialised (`cxt_alloc a = {0};`) it never refuses. */
typedef struct cxt_alloc {
    size_t calls;   /* requests that need memory (allocations and resizes), refused ones included */
    size_t frees;   /* blocks given back */
    size_t live;    /* bytes held */
    size_t blocks;  /* blocks held */
    size_t peak;    /* the most bytes held at once */
    size_t refused; /* requests refused */
    size_t bad;     /* calls with a wrong osize or a block not from here */
    size_t fail_at; /* 0: refuse nothing; else the number (in `calls`) of the first request refused */
    bool sticky;    /* refuse every request after fail_at too */
} cxt_alloc;

#define CXT_ALLOC_HDR 16
#define CXT_ALLOC_MARK 0xC0FFEE15C0FFEE15ULL

/* Refuse the k-th request from now on (1: the next one); with `sticky`,
 * every request after it too. */
static inline void cxt_alloc_fail_nth(cxt_alloc *a, size_t k, bool sticky)
{
    a->fail_at = a->calls + k;
    a->sticky = sticky;
}

/* Grant `n` more requests, then refuse every one; n < 0: never refuse. */
static inline void cxt_alloc_allow(cxt_alloc *a, long n)
{
    if (n < 0) {
        a->fail_at = 0;
        return;
    }
    a->fail_at = a->calls + (size_t)n + 1;
    a->sticky = true;
}

/* How many requests were granted. */
static inline size_t cxt_alloc_granted(const cxt_alloc *a) { return a->calls - a->refused; }

static inline void *cxt_alloc_fn(void *ud, void *ptr, size_t osize, size_t nsize)
{
    cxt_alloc *a = ud;
    char *blk = NULL;
    size_t have = 0;
    if (ptr) {
        uint64_t mark;
        blk = (char *)ptr - CXT_ALLOC_HDR;
        memcpy(&have, blk, sizeof have);
        memcpy(&mark, blk + 8, sizeof mark);
        if (mark != CXT_ALLOC_MARK) {
            a->bad++;
            return NULL; /* not ours: leave it alone */
        }
        if (have != osize)
            a->bad++;
    } else if (osize != 0) {
        a->bad++;
    }
    if (nsize == 0) {
        if (ptr) {
            a->live -= have;
            a->blocks--;
            a->frees++;
            free(blk);
        }
        return NULL;
    }
    a->calls++;
    if (a->fail_at && (a->calls == a->fail_at || (a->sticky && a->calls > a->fail_at))) {
        a->refused++;
        return NULL;
    }
    char *b = realloc(blk, nsize + CXT_ALLOC_HDR);
    if (!b)
        return NULL;
    uint64_t mark = CXT_ALLOC_MARK;
    memcpy(b, &nsize, sizeof nsize);
    memcpy(b + 8, &mark, sizeof mark);
    a->live = a->live - have + nsize;
    a->blocks += !ptr;
    if (a->live > a->peak)
        a->peak = a->live;
    return b + CXT_ALLOC_HDR;
}

/* Everything given back, and every call kept the size contract. */
static inline void cxt_alloc_done(const cxt_alloc *a)
{
    ck_assert_msg(a->bad == 0, "%zu allocator calls with a wrong size or a foreign block", a->bad);
    ck_assert_msg(a->live == 0 && a->blocks == 0, "%zu bytes in %zu blocks still held", a->live, a->blocks);
}


#ifdef CXKIT_TOOL
/* ---- the cxkit command (suites that run the built program) -------------- */

#include <errno.h>
#include <sys/wait.h>

/* Runs cxkit (CXKIT_TOOL) with `args` (NULL-terminated); its output goes to
 * out.txt and its errors to err.txt in the test's directory. Returns its
 * exit status. */
static inline int cxkit(const char *const *args)
{
    char out[512], err[512]; /* not through P(): the arguments may be P()'s buffers */
    snprintf(out, sizeof out, "%s/out.txt", tmp_dir());
    snprintf(err, sizeof err, "%s/err.txt", tmp_dir());
    const char *argv[40] = {"cxkit"};
    size_t n = 1;
    for (; args[n - 1]; n++) {
        EXPECT(n < 39, "too many arguments");
        argv[n] = args[n - 1];
    }
    argv[n] = NULL;
    fflush(NULL);
    pid_t pid = fork();
    EXPECT(pid >= 0, "fork: %s", strerror(errno));
    if (pid == 0) {
        if (!freopen(out, "wb", stdout) || !freopen(err, "wb", stderr))
            _exit(126);
        execv(CXKIT_TOOL, (char *const *)argv);
        _exit(127);
    }
    int status;
    EXPECT(waitpid(pid, &status, 0) == pid, "waitpid: %s", strerror(errno));
    EXPECT(WIFEXITED(status), "cxkit %s: killed by signal %d", args[0] ? args[0] : "",
           WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return WEXITSTATUS(status);
}

#define CXKIT(...) cxkit((const char *const[]){__VA_ARGS__, NULL})

/* A file of the test's directory (out.txt, err.txt...) holds `part`. */
static inline void output_has(const char *file, const char *part)
{
    char *text = slurp(P(file), NULL);
    EXPECT(strstr(text, part) != NULL, "'%s' not in %s:\n%.1500s", part, file, text);
    free(text);
}

/* ... or does not. */
static inline void output_lacks(const char *file, const char *part)
{
    char *text = slurp(P(file), NULL);
    EXPECT(strstr(text, part) == NULL, "'%s' in %s:\n%.1500s", part, file, strstr(text, part));
    free(text);
}
#endif

#endif

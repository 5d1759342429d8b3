/* Issue 14, the string pool's uniform mode with outliers (src/base/base.c,
 * base.h): a pool of ids of one length keeps no references even when a few
 * strings of another length (or of 254 bytes and more) come at any place;
 * runs still start where the length really changes; beyond the share of
 * outliers the mode is left cleanly. Every string must read back, be found
 * and keep its pointer through truncations, drop_last, failures of the
 * allocator, and through a store's clone, erasure, save and load. Links the
 * internal archive to see the layout. */
#include "cx_test.h"

#include "../src/store/store_private.h"

static char long_id[300];    /* 254 bytes and more: a 5-byte length */
static char huge_id[150000]; /* larger than a 64 KiB block */

static void ids_setup(void)
{
    tmpdir_setup();
    memset(long_id, 'L', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    for (size_t i = 0; i < sizeof huge_id - 1; i++)
        huge_id[i] = (char)('a' + i % 26);
    huge_id[sizeof huge_id - 1] = '\0';
}

/* ---- a list of names, and what the pool must hold ---------------------- */

typedef struct names {
    char **s;
    size_t n, cap;
    const char **ptr; /* the pointer cxi_pool_str gave when it was added */
} names;

static void names_add(names *v, const char *s)
{
    if (v->n == v->cap) { /* doubling: a realloc per name made the test quadratic (5 minutes under ASan) */
        v->cap = v->cap ? 2 * v->cap : 64;
        v->s = realloc(v->s, v->cap * sizeof *v->s);
        v->ptr = realloc(v->ptr, v->cap * sizeof *v->ptr);
        ck_assert_ptr_nonnull(v->s);
        ck_assert_ptr_nonnull(v->ptr);
    }
    v->s[v->n] = strdup(s);
    ck_assert_ptr_nonnull(v->s[v->n]);
    v->ptr[v->n++] = NULL;
}

static void names_free(names *v)
{
    for (size_t i = 0; i < v->n; i++)
        free(v->s[i]);
    free(v->s);
    free(v->ptr);
    memset(v, 0, sizeof *v);
}

/* n ids "I-%06u" (8 bytes) with the outliers `odd` (9 bytes, "I-1%06u")
 * at pseudo-random places (a fixed LCG): a shuffled export. */
static void shuffled_ids(names *v, uint32_t n, uint32_t odd, uint32_t seed)
{
    char buf[32];
    uint32_t x = seed;
    uint32_t *at = malloc((odd + 1) * sizeof *at);
    ck_assert_ptr_nonnull(at);
    for (uint32_t k = 0; k < odd; k++) {
        x = x * 1664525u + 1013904223u;
        at[k] = (x >> 8) % (n + odd);
    }
    uint32_t plain = 0, outs = 0;
    for (uint32_t i = 0; i < n + odd; i++) {
        bool o = false;
        for (uint32_t k = 0; k < odd; k++)
            o |= at[k] == i;
        if ((o && outs < odd) || plain == n) {
            snprintf(buf, sizeof buf, "I-1%06u", outs++);
        } else
            snprintf(buf, sizeof buf, "I-%06u", plain++);
        names_add(v, buf);
    }
    free(at);
}

/* Interns names [from, to) of v: new ids in order. */
static void add_names(cxi_mem *m, cxi_pool *p, names *v, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        uint32_t id = 12345;
        OK(cxi_pool_intern(m, p, v->s[i], strlen(v->s[i]), &id));
        ck_assert_uint_eq(id, i);
        v->ptr[i] = cxi_pool_str(p, (uint32_t)i);
    }
}

/* The pool holds exactly names [0, n) of v, at the pointers first given. */
static void check_names(const cxi_pool *p, const names *v, size_t n)
{
    ck_assert_uint_eq(p->count, n);
    for (size_t i = 0; i < n; i++) {
        const char *s = v->s[i];
        size_t len = strlen(s);
        const char *got = cxi_pool_str(p, (uint32_t)i);
        EXPECT(got == v->ptr[i], "string %zu '%s' moved", i, s);
        EXPECT(cxi_pool_len(p, (uint32_t)i) == len, "string %zu: length %u, not %zu", i,
               (unsigned)cxi_pool_len(p, (uint32_t)i), len);
        EXPECT(memcmp(got, s, len + 1) == 0, "string %zu: '%.40s', not '%.40s'", i, got, s);
        EXPECT(cxi_pool_find(p, s, len) == i, "'%.40s' not found as %zu", s, i);
    }
    for (size_t i = n; i < v->n; i++) {
        bool dup = false; /* a later name equal to an earlier one would be found */
        for (size_t j = 0; j < n && !dup; j++)
            dup = strcmp(v->s[j], v->s[i]) == 0;
        if (!dup)
            EXPECT(cxi_pool_find(p, v->s[i], strlen(v->s[i])) == CXI_NONE, "'%.40s' found after its removal",
                   v->s[i]);
    }
}

/* The outliers of a uniform pool, counted from the places. */
static uint32_t count_outs(const cxi_pool *p)
{
    uint32_t n = 0;
    for (uint32_t k = 0; k < p->count; k++)
        n += (unsigned char)cxi_pool_place(p, k)[0] == CXI_POOL_OUT;
    return n;
}

static cxi_pool exact_pool(void)
{
    cxi_pool p;
    cxi_pool_init(&p);
    p.exact = true;
    return p;
}

/* ---- outliers ------------------------------------------------------------ */

START_TEST(outliers_shuffled_keep_the_mode)
{
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    names v = {0};
    shuffled_ids(&v, 50000, 4, 7);
    cxi_pool p = exact_pool();
    add_names(&m, &p, &v, 0, v.n);
    ck_assert_uint_eq(p.nruns, 1); /* one run: the 9-byte ids came alone */
    ck_assert_uint_eq(p.nouts, 4);
    ck_assert_uint_eq(count_outs(&p), 4);
    ck_assert_ptr_null(p.strs.data); /* no references */
    check_names(&p, &v, v.n);
    cxi_pool_free(&m, &p);
    ck_assert(p.exact);
    names_free(&v);
    cxt_alloc_done(&t);
}
END_TEST

START_TEST(outliers_at_start_middle_end)
{
    char buf[32];
    for (int where = 0; where < 3; where++) {
        cxi_mem m;
        cxi_mem_init(&m, NULL, NULL);
        names v = {0};
        enum { N = 3000 };
        for (uint32_t i = 0; i < N; i++) {
            if ((where == 0 && i == 0) || (where == 1 && i == N / 2) || (where == 2 && i == N - 1)) {
                names_add(&v, "I-100000000000"); /* 6 bytes longer than the others: not padded */
                names_add(&v, long_id);
            }
            snprintf(buf, sizeof buf, "I-%06u", i);
            names_add(&v, buf);
        }
        cxi_pool p = exact_pool();
        add_names(&m, &p, &v, 0, v.n);
        ck_assert_ptr_null(p.strs.data);
        if (where == 0) {
            /* run 0 holds the first id's length; the next CXI_POOL_STREAK
             * ids of 8 bytes are outliers, then they have a run of their own */
            ck_assert_uint_eq(p.nruns, 2);
            ck_assert_uint_eq(p.nouts, 1 + CXI_POOL_STREAK); /* long_id too */
            ck_assert_uint_eq(p.runs[1].id, 2 + CXI_POOL_STREAK);
        } else {
            ck_assert_uint_eq(p.nruns, 1);
            ck_assert_uint_eq(p.nouts, 2);
        }
        ck_assert_uint_eq(count_outs(&p), p.nouts);
        check_names(&p, &v, v.n);
        cxi_pool_free(&m, &p);
        ck_assert_uint_eq(m.bytes, 0);
        names_free(&v);
    }
}
END_TEST

/* Strings up to CXI_POOL_PAD_MAX bytes shorter than their run's sit in
 * their places, padded with zeroes: no outlier, no reference, no second
 * run; one byte shorter still is an outlier. Rollbacks over them. */
START_TEST(shorter_ids_sit_padded)
{
    char buf[32];
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    names v = {0};
    uint32_t shorter = 0, outs = 0;
    names_add(&v, "I-1000000"); /* the run: 9 bytes */
    for (uint32_t i = 0; i < 3000; i++) {
        unsigned w = 8 - i % 5; /* 8, 7, 6, 5, 4 bytes: 1 to 5 shorter */
        snprintf(buf, sizeof buf, "I-%0*u", (int)w - 2, i);
        if (strlen(buf) != w) /* i too large for the width: a 9-byte id */
            snprintf(buf, sizeof buf, "I-2%06u", i);
        names_add(&v, buf);
        size_t len = strlen(buf);
        shorter += len < 9 && 9 - len <= CXI_POOL_PAD_MAX;
        outs += len < 9 && 9 - len > CXI_POOL_PAD_MAX;
    }
    cxi_pool p = exact_pool();
    add_names(&m, &p, &v, 0, v.n);
    ck_assert_uint_eq(p.nruns, 1);
    ck_assert_uint_gt(shorter, 1000);
    ck_assert_uint_gt(outs, 100);
    ck_assert_uint_eq(p.nouts, outs);
    ck_assert_uint_eq(count_outs(&p), outs);
    ck_assert_ptr_null(p.strs.data);
    check_names(&p, &v, v.n);
    /* a padded place: length byte, bytes, NUL, then zeroes to the stride */
    uint32_t pads = 0;
    for (uint32_t k = 0; k < p.count; k++) {
        const char *at = cxi_pool_place(&p, k);
        size_t len = strlen(v.s[k]);
        if ((unsigned char)at[0] == CXI_POOL_OUT || len == 9)
            continue;
        ck_assert_uint_eq((unsigned char)at[0], len);
        for (size_t b = 1 + len; b < p.runs[0].stride; b++)
            ck_assert_int_eq(at[b], 0);
        pads++;
    }
    ck_assert_uint_eq(pads, shorter);
    /* dropping the last, then truncating across padded places and outliers */
    cxi_pool_drop_last(&p);
    check_names(&p, &v, v.n - 1);
    cxi_pool_truncate(&m, &p, 1200);
    check_names(&p, &v, 1200);
    ck_assert_uint_eq(count_outs(&p), p.nouts);
    add_names(&m, &p, &v, 1200, v.n);
    check_names(&p, &v, v.n);
    ck_assert_uint_eq(p.nouts, outs);
    cxi_pool_free(&m, &p);
    names_free(&v);
    cxt_alloc_done(&t);
}
END_TEST

/* Shuffled exports of 8- and 9-byte ids, an 8-byte one first: where the
 * 9-byte ones are one in two or nine in ten, they soon get a run of their
 * own (after CXI_POOL_STREAK of them) and the 8-byte ones sit padded in it;
 * where they are one in a hundred, they stay outliers (padding every other
 * id would cost more). */
START_TEST(shuffled_shorter_ids_padded)
{
    static const unsigned longer_pct[] = {90, 50, 1};
    for (size_t c = 0; c < sizeof longer_pct / sizeof longer_pct[0]; c++) {
        char buf[32];
        cxi_mem m;
        cxi_mem_init(&m, NULL, NULL);
        names v = {0};
        uint32_t x = 11, longer = 0;
        names_add(&v, "I-000000");
        for (uint32_t i = 1; i < 50000; i++) {
            x = x * 1664525u + 1013904223u;
            if ((x >> 8) % 100 >= longer_pct[c]) {
                snprintf(buf, sizeof buf, "I-%06u", i);
            } else {
                snprintf(buf, sizeof buf, "I-1%06u", i);
                longer++;
            }
            names_add(&v, buf);
        }
        cxi_pool p = exact_pool();
        add_names(&m, &p, &v, 0, v.n);
        ck_assert_ptr_null(p.strs.data);
        ck_assert_uint_eq(count_outs(&p), p.nouts);
        if (longer_pct[c] > 1) {
            ck_assert_uint_eq(p.nruns, 2);
            ck_assert_uint_eq(p.runs[1].stride, 11);
            ck_assert_uint_lt(p.runs[1].id, 200);
            ck_assert_uint_lt(p.nouts, p.runs[1].id); /* none after the run started */
        } else {
            ck_assert_uint_eq(p.nruns, 1);
            ck_assert_uint_eq(p.nouts, longer);
        }
        check_names(&p, &v, v.n);
        cxi_pool_free(&m, &p);
        ck_assert_uint_eq(m.bytes, 0);
        names_free(&v);
    }
}
END_TEST

START_TEST(length_change_sorted_starts_a_run)
{
    /* "I-9999" ... then "I-10000" ...: the length really changes */
    char buf[32];
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    names v = {0};
    for (uint32_t i = 9000; i < 12000; i++) {
        snprintf(buf, sizeof buf, "I-%u", i);
        names_add(&v, buf);
    }
    cxi_pool p = exact_pool();
    add_names(&m, &p, &v, 0, v.n);
    ck_assert_uint_eq(p.nruns, 2);
    ck_assert_uint_eq(p.runs[1].id, 1000 + CXI_POOL_STREAK);
    ck_assert_uint_eq(p.nouts, CXI_POOL_STREAK);
    ck_assert_ptr_null(p.strs.data);
    check_names(&p, &v, v.n);
    cxi_pool_free(&m, &p);
    ck_assert_uint_eq(m.bytes, 0);
    names_free(&v);
}
END_TEST

START_TEST(many_outliers_leave_the_mode)
{
    /* one id in two of a length too far from the run's to pad: references are cheaper; the
     * strings (out of line or not) stay where they were */
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    names v = {0};
    char buf[32];
    for (uint32_t i = 0; i < 20000; i++) {
        if (i % 2)
            snprintf(buf, sizeof buf, "X-1000%06u", i); /* 4 bytes longer: not padded */
        else
            snprintf(buf, sizeof buf, "I-%06u", i);
        names_add(&v, buf);
        if (i == 500) {
            names_add(&v, huge_id); /* out of line, spanning 3 indices */
            names_add(&v, long_id);
        }
    }
    cxi_pool p = exact_pool();
    size_t k = 0;
    for (; k < v.n && (p.nruns || k == 0); k++)
        add_names(&m, &p, &v, k, k + 1);
    ck_assert_uint_eq(p.nruns, 0); /* left */
    ck_assert_uint_eq(p.nouts, 0);
    ck_assert_uint_eq(p.nx, 0);
    ck_assert_uint_gt(k, CXI_POOL_OUT_MIN); /* not before the allowance */
    check_names(&p, &v, k);
    add_names(&m, &p, &v, k, v.n);
    check_names(&p, &v, v.n);
    size_t spanned = 0;
    for (size_t b = 0; b < p.nblocks; b++)
        spanned += p.block_sizes[b] == 0;
    ck_assert_uint_ge(spanned, 2); /* the huge id's block joined the blocks */
    cxi_pool_truncate(&m, &p, 400);
    check_names(&p, &v, 400);
    cxi_pool_free(&m, &p);
    names_free(&v);
    cxt_alloc_done(&t);
}
END_TEST

START_TEST(huge_and_long_outliers)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    names v = {0};
    char buf[32];
    for (uint32_t i = 0; i < 2000; i++) {
        snprintf(buf, sizeof buf, "C-%05u", i);
        names_add(&v, buf);
        if (i == 700)
            names_add(&v, huge_id);
        if (i == 900)
            names_add(&v, long_id);
        if (i == 901)
            names_add(&v, ""); /* shorter than the run's, too */
    }
    cxi_pool p = exact_pool();
    add_names(&m, &p, &v, 0, v.n);
    ck_assert_uint_eq(p.nruns, 1);
    ck_assert_uint_eq(p.nouts, 3);
    ck_assert_ptr_null(p.strs.data);
    size_t spanned = 0;
    for (size_t b = 0; b < p.nx; b++)
        spanned += p.xsizes[b] == 0;
    ck_assert_uint_ge(spanned, 2);
    uint32_t id;
    OK(cxi_pool_intern(&m, &p, long_id, strlen(long_id), &id)); /* found, not added */
    ck_assert_uint_eq(id, 902);
    check_names(&p, &v, v.n);
    cxi_pool_free(&m, &p);
    ck_assert_uint_eq(m.bytes, 0);
    names_free(&v);
}
END_TEST

START_TEST(short_runs_take_no_outliers)
{
    /* strings of 2 bytes have no room for a reference at their place: a
     * string of another length leaves the mode, or after CXI_POOL_RUN_MIN
     * strings starts a run at once, as before */
    for (uint32_t n = 200; n <= 256; n += 56) {
        cxi_mem m;
        cxi_mem_init(&m, NULL, NULL);
        names v = {0};
        char buf[8];
        for (uint32_t i = 0; i < n; i++) {
            snprintf(buf, sizeof buf, "%02x", i);
            names_add(&v, buf);
        }
        names_add(&v, "abc");
        names_add(&v, "abd");
        cxi_pool p = exact_pool();
        add_names(&m, &p, &v, 0, v.n);
        ck_assert_uint_eq(p.nruns, n < CXI_POOL_RUN_MIN ? 0 : 2);
        ck_assert_uint_eq(p.nouts, 0);
        check_names(&p, &v, v.n);
        cxi_pool_free(&m, &p);
        ck_assert_uint_eq(m.bytes, 0);
        names_free(&v);
    }
}
END_TEST

/* ---- rollbacks ----------------------------------------------------------- */

START_TEST(truncate_across_outliers)
{
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    names v = {0};
    shuffled_ids(&v, 8000, 40, 11);
    cxi_pool p = exact_pool();
    add_names(&m, &p, &v, 0, v.n);
    ck_assert_uint_eq(p.nouts, 40);
    ck_assert_uint_eq(p.nruns, 1);
    size_t held = 0;
    const uint32_t cuts[] = {7990, 6000, 4001, 2500, 1, 3000};
    for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
        cxi_pool_truncate(&m, &p, cuts[c]);
        ck_assert_uint_eq(p.nouts, count_outs(&p));
        check_names(&p, &v, cuts[c]);
        /* the same strings again, in the space given back: pointers equal */
        add_names(&m, &p, &v, cuts[c], v.n);
        ck_assert_uint_eq(p.nouts, 40);
        ck_assert_ptr_null(p.strs.data);
        check_names(&p, &v, v.n);
        if (c == 0)
            held = m.bytes;
        ck_assert_uint_eq(m.bytes, held); /* rollbacks and redos take nothing more */
    }
    cxi_pool_truncate(&m, &p, 0);
    ck_assert_uint_eq(p.nx, 0);
    for (size_t i = 0; i < v.n; i++)
        v.ptr[i] = NULL;
    add_names(&m, &p, &v, 0, v.n);
    check_names(&p, &v, v.n);
    cxi_pool_free(&m, &p);
    names_free(&v);
    cxt_alloc_done(&t);
}
END_TEST

START_TEST(drop_last_outlier)
{
    cxi_mem m;
    cxi_mem_init(&m, NULL, NULL);
    names v = {0};
    char buf[32];
    for (uint32_t i = 0; i < 1000; i++) {
        snprintf(buf, sizeof buf, "I-%06u", i);
        names_add(&v, buf);
    }
    names_add(&v, "I-1000000");
    names_add(&v, long_id);
    cxi_pool p = exact_pool();
    add_names(&m, &p, &v, 0, v.n);
    ck_assert_uint_eq(p.nouts, 2);
    size_t xused = p.xused;
    cxi_pool_drop_last(&p); /* the long id */
    ck_assert_uint_eq(p.nouts, 1);
    ck_assert_uint_lt(p.xused, xused);
    check_names(&p, &v, 1001);
    cxi_pool_drop_last(&p); /* the 9-byte one */
    ck_assert_uint_eq(p.nouts, 0);
    ck_assert_uint_eq(p.xused, 0);
    cxi_pool_drop_last(&p); /* a plain one */
    check_names(&p, &v, 999);
    /* in again: the outliers take the same bytes */
    add_names(&m, &p, &v, 999, v.n);
    ck_assert_uint_eq(p.xused, xused);
    check_names(&p, &v, v.n);
    /* a drop with later strings after the outlier: its bytes stay taken */
    names_add(&v, "I-2000000");
    add_names(&m, &p, &v, v.n - 1, v.n);
    cxi_pool_drop_last(&p);
    cxi_pool_drop_last(&p);
    ck_assert_uint_eq(p.nouts, 1);
    check_names(&p, &v, 1001);
    cxi_pool_free(&m, &p);
    ck_assert_uint_eq(m.bytes, 0);
    names_free(&v);
}
END_TEST

/* ---- out of memory at every allocation ------------------------------------ */

START_TEST(outliers_failure_injection)
{
    /* ids with outliers, then enough of them to leave the mode: refuse the
     * k-th request for every k; each refusal leaves the pool as it was,
     * and usable */
    names v = {0};
    char buf[32];
    for (uint32_t i = 0; i < 3000; i++) {
        if (i % 97 == 5)
            snprintf(buf, sizeof buf, "I-1%06u", i);
        else if (i == 1200)
            snprintf(buf, sizeof buf, "%s", "I-0");
        else
            snprintf(buf, sizeof buf, "I-%06u", i);
        names_add(&v, buf);
        if (i == 800)
            names_add(&v, huge_id);
        if (i >= 1500) { /* too many (longer, so not padded): references */
            names_add(&v, (snprintf(buf, sizeof buf, "Y-%u-%u-y", i, i), buf));
            names_add(&v, (snprintf(buf, sizeof buf, "Z-%u-%u-z", i, i), buf));
        }
    }
    bool completed = false;
    for (long k = 0; !completed; k++) {
        ck_assert_int_lt(k, 10000);
        cxt_alloc t = {0};
        cxi_mem m;
        cxi_mem_init(&m, cxt_alloc_fn, &t);
        cxi_pool p = exact_pool();
        cxt_alloc_allow(&t, k);
        size_t i = 0;
        int rc = CX_OK;
        for (; i < v.n; i++) {
            uint32_t id = 12345;
            rc = cxi_pool_intern(&m, &p, v.s[i], strlen(v.s[i]), &id);
            if (rc) {
                ck_assert_uint_eq(id, 12345);
                break;
            }
            ck_assert_uint_eq(id, i);
            v.ptr[i] = cxi_pool_str(&p, (uint32_t)i);
        }
        if (rc == CX_OK) {
            ck_assert_uint_eq(t.refused, 0);
            ck_assert_uint_eq(p.nruns, 0); /* the mode was left at the end */
            completed = true;
        } else {
            ck_assert_int_eq(rc, CX_ENOMEM);
            check_names(&p, &v, i);
            ck_assert_uint_eq(m.bytes, t.live);
            if (p.nruns)
                ck_assert_uint_eq(p.nouts, count_outs(&p));
            cxt_alloc_allow(&t, -1);
            add_names(&m, &p, &v, i, i + 300 < v.n ? i + 300 : v.n);
            check_names(&p, &v, i + 300 < v.n ? i + 300 : v.n);
        }
        cxi_pool_free(&m, &p);
        ck_assert_uint_eq(m.bytes, 0);
        cxt_alloc_done(&t);
    }
    names_free(&v);
}
END_TEST

/* ---- slots sized for a known count ----------------------------------------- */

START_TEST(presized_slots_fuller)
{
    /* 10 000 strings presized: 16 384 slots (13/16 full at most), where
     * growing one by one takes 32 768 (9/16); past the count, 9/16 again */
    cxt_alloc t = {0};
    cxi_mem m;
    cxi_mem_init(&m, cxt_alloc_fn, &t);
    names v = {0};
    shuffled_ids(&v, 12000, 3, 5);
    for (int exact = 0; exact < 2; exact++) {
        cxi_pool p;
        cxi_pool_init(&p);
        p.exact = exact;
        OK(cxi_pool_presize(&m, &p, 10000));
        ck_assert_uint_eq(p.nslots, 16384);
        ck_assert_uint_eq(p.hint, 10000);
        for (size_t i = 0; i < v.n; i++)
            v.ptr[i] = NULL;
        add_names(&m, &p, &v, 0, 10000);
        ck_assert_uint_eq(p.nslots, 16384); /* no growth up to the count */
        check_names(&p, &v, 10000);
        add_names(&m, &p, &v, 10000, 10001);
        ck_assert_uint_eq(p.nslots, 32768);
        add_names(&m, &p, &v, 10001, v.n);
        check_names(&p, &v, v.n);
        /* a rollback keeps the slots; the same strings go in again */
        cxi_pool_truncate(&m, &p, 5000);
        check_names(&p, &v, 5000);
        add_names(&m, &p, &v, 5000, v.n);
        check_names(&p, &v, v.n);
        cxi_pool_free(&m, &p);
        ck_assert_uint_eq(p.hint, 0);
    }
    /* an unsized pool grows at 9/16 */
    cxi_pool p = exact_pool();
    add_names(&m, &p, &v, 0, 10000);
    ck_assert_uint_eq(p.nslots, 32768);
    cxi_pool_free(&m, &p);
    /* a refused presize changes nothing */
    p = exact_pool();
    add_names(&m, &p, &v, 0, 100);
    uint32_t ns = p.nslots;
    cxt_alloc_fail_nth(&t, 1, false);
    FAILS(cxi_pool_presize(&m, &p, 10000), CX_ENOMEM, "string table");
    ck_assert_uint_eq(p.nslots, ns);
    ck_assert_uint_eq(p.hint, 0);
    check_names(&p, &v, 100);
    add_names(&m, &p, &v, 100, 200);
    check_names(&p, &v, 200);
    cxi_pool_free(&m, &p);
    names_free(&v);
    cxt_alloc_done(&t);
}
END_TEST

/* ---- through a store ------------------------------------------------------- */

static cx_store *store_with_outliers(names *v)
{
    cx_store *s;
    OK(cx_store_new(&s));
    OK(cx_customer_add(s, "C-1", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_customer_add(s, "C-2", NULL, NULL, NULL, CX_TIME_NONE));
    OK(cx_touchpoint_add(s, "web", "web", "consideration", NULL, 0, 1));
    shuffled_ids(v, 3000, 5, 3);
    names_add(v, long_id);
    for (size_t i = 0; i < v->n; i++) {
        cx_time t = 1700000000000 + (cx_time)i * 1000;
        OK(cx_interaction_add(NULL, s, v->s[i], i % 3 ? "C-1" : "C-2", "web", t, NULL, CX_INBOUND, NULL, NULL,
                              (int64_t)i, CX_HANDLED, 0.5));
    }
    const cxi_pool *p = &s->keys[CX_TABLE_INTERACTIONS];
    ck_assert_uint_eq(p->nruns, 1);
    ck_assert_uint_eq(p->nouts, 6);
    return s;
}

static void assert_store_ids(const cx_store *s, const names *v, size_t n)
{
    int c;
    OK(cx_column_find(&c, CX_TABLE_INTERACTIONS, "id"));
    ck_assert_uint_eq(store_rows(s, CX_TABLE_INTERACTIONS), n);
    for (size_t r = 0; r < n; r++) {
        const char *got = store_str(s, CX_TABLE_INTERACTIONS, c, r);
        EXPECT(got && strcmp(got, v->s[r]) == 0, "row %zu: '%.40s', expected '%.40s'", r, got ? got : "", v->s[r]);
        size_t row;
        OK(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, v->s[r]));
        ck_assert_uint_eq(row, r);
    }
}

START_TEST(store_clone_save_load)
{
    names v = {0};
    cx_store *s = store_with_outliers(&v);
    assert_store_ids(s, &v, v.n);
    cx_store *c, *l;
    OK(cx_store_clone(&c, s));
    assert_store_ids(c, &v, v.n);
    ck_assert_uint_eq(c->keys[CX_TABLE_INTERACTIONS].nouts, 6);
    OK(cx_db_save(s, P("out.db")));
    OK(cx_db_load(&l, P("out.db")));
    assert_store_ids(l, &v, v.n);
    /* more ids, of either length, in the loaded copy */
    names_add(&v, "I-9999999");
    names_add(&v, "I-999999");
    for (size_t i = v.n - 2; i < v.n; i++)
        OK(cx_interaction_add(NULL, l, v.s[i], "C-1", "web", 1800000000000 + (cx_time)i, NULL, CX_INBOUND, NULL, NULL,
                              1, CX_HANDLED, 0.5));
    assert_store_ids(l, &v, v.n);
    cx_store_free(l);
    cx_store_free(c);
    cx_store_free(s);
    names_free(&v);
}
END_TEST

START_TEST(store_forget_and_failed_import)
{
    names v = {0};
    cx_store *s = store_with_outliers(&v);
    /* a failed import of ids with outliers rolls back to the same ids */
    size_t mem0;
    OK(cx_store_memory(&mem0, s));
    char *csv = malloc(1 << 20);
    ck_assert_ptr_nonnull(csv);
    size_t n = (size_t)sprintf(csv, "id,customer,touchpoint,time,kind,direction,agent,case,duration_ms,outcome,value\n");
    for (int i = 0; i < 2000; i++)
        n += (size_t)sprintf(csv + n, "%s-%06d,C-1,web,2024-03-01T00:00:00Z,,inbound,,,1,handled,0\n",
                             i % 300 == 7 ? "J-1" : "J", i);
    sprintf(csv + n, "J-999999,C-1,web,not a time,,inbound,,,1,handled,0\n");
    const char *path = write_file("in.csv", csv);
    free(csv);
    cx_import_options *o;
    OK(cx_import_options_new(&o));
    OK(cx_import_options_set_strict(o, 1));
    cx_import_report *rep = NULL;
    for (int round = 0; round < 3; round++) {
        FAILS(cx_import_csv(&rep, s, CX_TABLE_INTERACTIONS, path, o), CX_EPARSE, "cx_import_csv");
        cx_import_report_free(rep);
        rep = NULL;
        assert_store_ids(s, &v, v.n);
        ck_assert_uint_eq(s->keys[CX_TABLE_INTERACTIONS].nouts, 6);
    }
    cx_import_options_free(o);
    /* an erasure rebuilds the pool: the other ids stay, in order */
    const char *gone = "C-2";
    size_t rows;
    OK(cx_customer_forget(&rows, s, 1, &gone));
    names kept = {0};
    for (size_t i = 0; i < v.n; i++)
        if (i % 3)
            names_add(&kept, v.s[i]);
    assert_store_ids(s, &kept, kept.n);
    size_t row;
    FAILS(cx_store_find(&row, s, CX_TABLE_INTERACTIONS, v.s[0]), CX_ENOTFOUND, "cx_store_find");
    cx_store_free(s);
    names_free(&kept);
    names_free(&v);
}
END_TEST

int main(void)
{
    Suite *su = suite_create("pool");
    TCase *tc = tcase_create("outliers");
    tcase_add_checked_fixture(tc, ids_setup, tmpdir_teardown);
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, outliers_shuffled_keep_the_mode);
    tcase_add_test(tc, outliers_at_start_middle_end);
    tcase_add_test(tc, shorter_ids_sit_padded);
    tcase_add_test(tc, shuffled_shorter_ids_padded);
    tcase_add_test(tc, length_change_sorted_starts_a_run);
    tcase_add_test(tc, many_outliers_leave_the_mode);
    tcase_add_test(tc, huge_and_long_outliers);
    tcase_add_test(tc, short_runs_take_no_outliers);
    tcase_add_test(tc, truncate_across_outliers);
    tcase_add_test(tc, drop_last_outlier);
    tcase_add_test(tc, outliers_failure_injection);
    tcase_add_test(tc, presized_slots_fuller);
    tcase_add_test(tc, store_clone_save_load);
    tcase_add_test(tc, store_forget_and_failed_import);
    suite_add_tcase(su, tc);
    return run_suite(su);
}

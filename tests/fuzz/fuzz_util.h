/* Shared helpers of the libFuzzer targets in tests/fuzz/ (issue 15): a
 * per-process temporary directory for the files the importers and SQLite
 * read, a reader that turns the first input bytes into option choices, a
 * digest of a store's whole content (to check that a failed call changed
 * nothing), and the small store the import and care targets start from. */
#ifndef CX_FUZZ_UTIL_H
#define CX_FUZZ_UTIL_H

#define _GNU_SOURCE
#include <cxkit/cxkit.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A broken invariant: print it and abort, which libFuzzer reports as a crash
 * and keeps the input of. */
__attribute__((noreturn, format(printf, 1, 2))) static inline void fz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("cxkit fuzz invariant broken: ", stderr);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, " (last error: %s)\n", cx_last_error());
    va_end(ap);
    abort();
}

static char fz_dir[4096];

static inline int fz_rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb; (void)flag; (void)ftw;
    return remove(path);
}

static inline void fz_rm_dir(void)
{
    if (fz_dir[0])
        nftw(fz_dir, fz_rm_one, 8, FTW_DEPTH | FTW_PHYS);
}

/* The path of `name` in this process's own temporary directory, created on
 * first use under $TMPDIR (or /tmp) and removed at exit. The returned path
 * stays valid for the life of the process (one per name). */
static inline const char *fz_path(const char *name)
{
    static char names[32][64], paths[32][4200];
    static int used;
    if (!fz_dir[0]) {
        const char *t = getenv("TMPDIR");
        snprintf(fz_dir, sizeof fz_dir, "%s/cxkit-fuzz-XXXXXX", t && *t ? t : "/tmp");
        if (!mkdtemp(fz_dir)) {
            perror("mkdtemp");
            exit(2);
        }
        atexit(fz_rm_dir);
    }
    for (int i = 0; i < used; i++)
        if (strcmp(names[i], name) == 0)
            return paths[i];
    if (used == 32 || strlen(name) >= sizeof names[0])
        abort();
    snprintf(names[used], sizeof names[0], "%s", name);
    snprintf(paths[used], sizeof paths[0], "%s/%s", fz_dir, name);
    return paths[used++];
}

static inline void fz_write(const char *path, const uint8_t *data, size_t size)
{
    FILE *f = fopen(path, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        perror(path);
        exit(2);
    }
}

/* Reads option choices off the front of the input. Past the end every
 * choice reads 0, so a short input still means something. */
typedef struct fz_in {
    const uint8_t *p;
    size_t n;
} fz_in;

static inline unsigned fz_u8(fz_in *in)
{
    if (!in->n)
        return 0;
    in->n--;
    return *in->p++;
}

static inline uint32_t fz_u32(fz_in *in)
{
    uint32_t v = 0;
    for (int i = 0; i < 4; i++)
        v = v << 8 | fz_u8(in);
    return v;
}

static inline uint64_t fz_u64(fz_in *in)
{
    uint64_t hi = fz_u32(in);
    return hi << 32 | fz_u32(in);
}

/* A NUL-terminated copy of up to `max` bytes, ending at the first 0 byte
 * (consumed). The caller frees it. */
static inline char *fz_str(fz_in *in, size_t max)
{
    size_t k = 0;
    while (k < in->n && k < max && in->p[k])
        k++;
    char *s = malloc(k + 1);
    if (!s)
        abort();
    memcpy(s, in->p, k);
    s[k] = 0;
    in->p += k;
    in->n -= k;
    if (in->n && k < max) { /* the terminating 0 */
        in->p++;
        in->n--;
    }
    return s;
}

/* FNV-1a over a store's whole content: every cell of every table through
 * the public getters, every name of every named set, and every customer's
 * attributes. Equal stores give equal digests; a row more or less, a
 * changed cell or a new name changes it. */
typedef struct fz_hash {
    uint64_t h;
} fz_hash;

static inline void fz_mix(fz_hash *h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) {
        h->h ^= b[i];
        h->h *= 0x100000001b3ULL;
    }
}

static inline void fz_mix_str(fz_hash *h, const char *s)
{
    if (!s) {
        fz_mix(h, "\xff\xfe", 2);
        return;
    }
    fz_mix(h, s, strlen(s) + 1);
}

static inline uint64_t fz_store_digest(const cx_store *s)
{
    fz_hash h = {0xcbf29ce484222325ULL};
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        size_t rows = 0, ncol = 0;
        if (cx_store_rows(&rows, s, (cx_table)t) != CX_OK || cx_column_count(&ncol, (cx_table)t) != CX_OK)
            fz_fail("cannot count table %d", t);
        fz_mix(&h, &rows, sizeof rows);
        for (size_t r = 0; r < rows; r++)
            for (int c = 0; c < (int)ncol; c++) {
                int type = 0;
                cx_column_type(&type, (cx_table)t, c);
                if (type == CX_TYPE_STRING) {
                    const char *v = NULL;
                    if (cx_store_get_string(&v, s, (cx_table)t, c, r) != CX_OK)
                        fz_fail("cannot read table %d column %d row %zu", t, c, r);
                    fz_mix_str(&h, v);
                } else if (type == CX_TYPE_REAL) {
                    double v = 0;
                    if (cx_store_get_real(&v, s, (cx_table)t, c, r) != CX_OK)
                        fz_fail("cannot read table %d column %d row %zu", t, c, r);
                    fz_mix(&h, &v, sizeof v);
                } else {
                    int64_t v = 0;
                    if (cx_store_get_int(&v, s, (cx_table)t, c, r) != CX_OK)
                        fz_fail("cannot read table %d column %d row %zu", t, c, r);
                    fz_mix(&h, &v, sizeof v);
                }
            }
    }
    for (int v = 0; v < CX_VOCAB_COUNT; v++) {
        size_t n = 0;
        if (cx_vocab_count(&n, s, (cx_vocab)v) != CX_OK)
            fz_fail("cannot count named set %d", v);
        fz_mix(&h, &n, sizeof n);
        for (size_t i = 0; i < n; i++) {
            const char *name = NULL;
            if (cx_vocab_name(&name, s, (cx_vocab)v, i) != CX_OK)
                fz_fail("cannot read name %zu of set %d", i, v);
            fz_mix_str(&h, name);
        }
    }
    size_t ncust = 0, nattr = 0;
    cx_store_rows(&ncust, s, CX_TABLE_CUSTOMERS);
    cx_vocab_count(&nattr, s, CX_VOCAB_ATTRIBUTE);
    for (size_t r = 0; r < ncust; r++) {
        const char *id = NULL;
        cx_store_get_string(&id, s, CX_TABLE_CUSTOMERS, 0, r);
        for (size_t a = 0; a < nattr; a++) {
            const char *key = NULL, *val = NULL;
            cx_vocab_name(&key, s, CX_VOCAB_ATTRIBUTE, a);
            if (cx_customer_get_attribute(&val, s, id, key) != CX_OK)
                fz_fail("cannot read attribute %s of %s", key, id);
            fz_mix_str(&h, val);
        }
    }
    return h.h;
}

#endif

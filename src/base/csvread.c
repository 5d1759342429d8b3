/*
 * The CSV reader of csvread.h: a file read through one buffer, each record
 * first scanned without change (so that a record cut by the buffer's end is
 * simply scanned again once more text is read), then its fields ended with
 * NULs and unquoted in place.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fileno, fstat */
#endif
#include "csvread.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/* The buffer's size: small enough to stay in the cache between the read
 * that fills it and the scan, large enough that reads are few. */
#define CSV_CHUNK ((size_t)1 << 18)

void cxi_csv_close(cxi_csv *r)
{
    if (r->fp)
        fclose(r->fp);
    cxi_free(r->m, r->buf, r->cap);
    r->fp = NULL;
    r->buf = NULL;
    r->cap = r->n = r->pos = 0;
}

/* Keeps the unread text, moved to the buffer's start, and reads more after
 * it; the buffer doubles when the unread text fills half of it (a long
 * record), so that each read adds at least half a buffer. */
static int fill(cxi_csv *r)
{
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, r->n - r->pos);
        r->n -= r->pos;
        r->pos = 0;
    }
    if (r->n >= r->cap / 2) {
        char *nb = r->cap <= SIZE_MAX / 2 ? cxi_realloc(r->m, r->buf, r->cap, r->cap * 2) : NULL;
        if (!nb)
            return cxi_fail(CX_ENOMEM, "%s: %s: out of memory for a record of %zu bytes", r->fn, r->file, r->n);
        r->buf = nb;
        r->cap *= 2;
    }
    size_t want = r->cap - 1 - r->n, got = fread(r->buf + r->n, 1, want, r->fp);
    r->n += got;
    if (got < want) {
        if (ferror(r->fp))
            return cxi_fail(CX_EIO, "%s: %s: %s", r->fn, r->file, strerror(errno ? errno : EIO));
        r->eof = true;
    }
    return CX_OK;
}

int cxi_csv_open(cxi_csv *r, cxi_mem *m, const char *fn, const char *file)
{
    memset(r, 0, sizeof *r);
    r->m = m;
    r->fn = fn;
    r->file = file;
    r->line = r->at = 1;
    errno = 0;
    FILE *fp = fopen(file, "rb");
    if (!fp)
        return cxi_fail(CX_EIO, "%s: %s: %s", fn, file, strerror(errno ? errno : EIO));
    /* the reader's buffer is the only one: fread reads straight into it */
    setvbuf(fp, NULL, _IONBF, 0);
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0)
        r->size = (uint64_t)st.st_size;
    if (!(r->buf = cxi_alloc(m, CSV_CHUNK))) {
        fclose(fp);
        return cxi_fail(CX_ENOMEM, "%s: %s: out of memory reading the file", fn, file);
    }
    r->cap = CSV_CHUNK;
    r->fp = fp;
    int rc = fill(r);
    if (rc) {
        cxi_csv_close(r);
        return rc;
    }
    if (r->n >= 3 && memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0)
        r->pos = 3;
    return CX_OK;
}

/* The first ',', '\n' or '\r' of b[i..n), or n. */
static size_t find_delim(const char *b, size_t i, size_t n)
{
#if defined(__SSE2__)
    const __m128i comma = _mm_set1_epi8(','), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
    for (; i + 16 <= n; i += 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(b + i));
        __m128i hit = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, lf)),
                                   _mm_cmpeq_epi8(v, cr));
        unsigned mask = (unsigned)_mm_movemask_epi8(hit);
        if (mask)
            return i + (size_t)__builtin_ctz(mask);
    }
#elif defined(__GNUC__) && defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* eight bytes at a time: the lowest byte flagged by the zero-byte test
     * is exact (a false flag only ever follows a true one) */
    const uint64_t ones = 0x0101010101010101u, highs = 0x8080808080808080u;
    for (; i + 8 <= n; i += 8) {
        uint64_t w, a, c, d;
        memcpy(&w, b + i, 8);
        a = w ^ (ones * (unsigned char)',');
        c = w ^ (ones * (unsigned char)'\n');
        d = w ^ (ones * (unsigned char)'\r');
        uint64_t hit = ((a - ones) & ~a) | ((c - ones) & ~c) | ((d - ones) & ~d);
        hit &= highs;
        if (hit)
            return i + (size_t)(__builtin_ctzll(hit) >> 3);
    }
#endif
    while (i < n && b[i] != ',' && b[i] != '\n' && b[i] != '\r')
        i++;
    return i;
}

static uint64_t count_lf(const char *s, size_t n)
{
    uint64_t c = 0;
    for (const char *e = s + n; (s = memchr(s, '\n', (size_t)(e - s))) != NULL; s++)
        c++;
    return c;
}

enum { SCAN_OPEN = -1, SCAN_MORE = 0, SCAN_DONE = 1 };

/* Scans the record at buf[pos..n) without changing it: the raw extent of
 * each field (quotes included) into f, where the next record starts, and
 * the line breaks passed. SCAN_MORE when the text read so far ends inside
 * the record (before the end of the file), SCAN_OPEN for a quote still
 * open at the end of the file. */
static int scan(const cxi_csv *r, cxi_csv_field *f, int max, int *nfields, size_t *next, uint64_t *lines)
{
    const char *b = r->buf;
    size_t n = r->n, i = r->pos;
    uint64_t nl = 0;
    int k = 0;
    for (;;) {
        size_t start = i;
        if (i < n && b[i] == '"') {
            size_t j = i + 1;
            for (;;) {
                const char *q = j < n ? memchr(b + j, '"', n - j) : NULL;
                if (!q)
                    return r->eof ? SCAN_OPEN : SCAN_MORE;
                size_t e = (size_t)(q - b);
                nl += count_lf(b + j, e - j);
                if (e + 1 == n && !r->eof)
                    return SCAN_MORE; /* a doubled quote, or the closing one? */
                if (e + 1 < n && b[e + 1] == '"') {
                    j = e + 2;
                    continue;
                }
                i = e + 1;
                break;
            }
        }
        /* anything up to the delimiter after a closing quote is kept as is */
        i = find_delim(b, i, n);
        if (i == n && !r->eof)
            return SCAN_MORE;
        if (k < max)
            f[k] = (cxi_csv_field){(char *)b + start, i - start};
        k++;
        if (i < n && b[i] == ',') {
            i++;
            continue;
        }
        if (i < n && b[i] == '\r') {
            if (i + 1 == n && !r->eof)
                return SCAN_MORE; /* CRLF or a lone CR? */
            if (i + 1 < n && b[i + 1] == '\n')
                i++;
        }
        if (i < n)
            i++;
        nl++;
        break;
    }
    *nfields = k;
    *next = i;
    *lines = nl;
    return SCAN_DONE;
}

/* Ends a scanned field with a NUL, its quotes removed and doubled quotes
 * undone in place. */
static void finish(cxi_csv_field *f)
{
    char *s = f->s;
    if (!f->len || s[0] != '"') {
        s[f->len] = 0;
        return;
    }
    const char *p = s + 1, *end = s + f->len;
    char *out = s;
    for (;;) {
        if (*p == '"') {
            if (p + 1 < end && p[1] == '"') {
                *out++ = '"';
                p += 2;
                continue;
            }
            p++;
            break;
        }
        *out++ = *p++;
    }
    while (p < end)
        *out++ = *p++;
    *out = 0;
    f->len = (size_t)(out - s);
}

int cxi_csv_next(cxi_csv *r, cxi_csv_field *f, int max, int *nfields)
{
    for (;;) {
        if (r->pos >= r->n) {
            if (r->eof)
                return 0;
            int rc = fill(r);
            if (rc)
                return rc;
            continue;
        }
        size_t next;
        uint64_t nl;
        int k, got = scan(r, f, max, &k, &next, &nl);
        if (got == SCAN_MORE) {
            int rc = fill(r);
            if (rc)
                return rc;
            continue;
        }
        if (got == SCAN_OPEN)
            return cxi_fail(CX_EINVAL, "%s: %s:%llu: a quote is not closed", r->fn, r->file,
                            (unsigned long long)r->line);
        for (int j = 0; j < k && j < max; j++)
            finish(&f[j]);
        r->at = r->line;
        r->line += nl;
        r->pos = next;
        if (k == 1 && max > 0 && f[0].len == 0)
            continue; /* a blank line */
        *nfields = k;
        return 1;
    }
}

/* Scales a count of the text read so far to the whole file. */
static size_t scale(const cxi_csv *r, size_t count)
{
    if (!r->size || r->size <= r->n || !r->n)
        return count + 1;
    double est = (double)count * ((double)r->size / (double)r->n) * 1.0625 + 16;
    return est < (double)SIZE_MAX / 2 ? (size_t)est : SIZE_MAX / 2;
}

size_t cxi_csv_guess_records(const cxi_csv *r)
{
    return scale(r, (size_t)count_lf(r->buf, r->n));
}

size_t cxi_csv_guess_count(const cxi_csv *r, const char *pat)
{
    size_t c = 0, pl = strlen(pat);
    const char *s = r->buf, *e = r->buf + r->n;
    while (pl && (size_t)(e - s) >= pl && (s = memchr(s, pat[0], (size_t)(e - s) - pl + 1)) != NULL) {
        if (memcmp(s, pat, pl) == 0) {
            c++;
            s += pl;
        } else
            s++;
    }
    return scale(r, c);
}

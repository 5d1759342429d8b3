/*
 * The in-memory CSV reader of csvread.h: a whole file read into one block
 * from the caller's allocator, then split into records in place.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* fileno, fstat */
#endif
#include "csvread.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

int cxi_csv_read_whole(cxi_mem *m, const char *fn, const char *file, char **buf, size_t *len, size_t *cap)
{
    FILE *fp = fopen(file, "rb");
    if (!fp)
        return cxi_fail(CX_EIO, "%s: %s: %s", fn, file, strerror(errno));
    /* a regular file is read in one block of its size (and one byte more,
     * to see its end); anything else grows the block as it reads */
    size_t c = 1 << 16, n = 0;
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size < (uint64_t)SIZE_MAX / 2)
        c = (size_t)st.st_size + 2;
    char *b = cxi_alloc(m, c);
    cxi_prefault(b, c);
    int rc = b ? CX_OK : CX_ENOMEM, err = 0;
    while (!rc) {
        if (n + 1 >= c) {
            char *nb = cxi_realloc(m, b, c, c * 2);
            if (!nb) {
                rc = CX_ENOMEM;
                break;
            }
            b = nb;
            c *= 2;
        }
        size_t got = fread(b + n, 1, c - 1 - n, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp)) {
                err = errno;
                rc = CX_EIO;
            }
            break;
        }
    }
    fclose(fp);
    if (rc) {
        cxi_free(m, b, c);
        if (rc == CX_EIO)
            return cxi_fail(CX_EIO, "%s: %s: %s", fn, file, strerror(err));
        return cxi_fail(CX_ENOMEM, "%s: %s: out of memory reading the file", fn, file);
    }
    b[n] = 0;
    *buf = b;
    *len = n;
    *cap = c;
    return CX_OK;
}

size_t cxi_csv_start(const char *buf, size_t len)
{
    return len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
}

int cxi_csv_record(char *buf, size_t n, size_t *pos, uint64_t *line, cxi_csv_field *f, int max, int *nfields)
{
    size_t i = *pos;
    int k = 0;
    if (i >= n)
        return 0;
    for (;;) {
        char *out = buf + i, *start = out;
        if (i < n && buf[i] == '"') {
            i++;
            for (;;) {
                if (i >= n)
                    return -1;
                if (buf[i] == '"') {
                    if (i + 1 < n && buf[i + 1] == '"') {
                        *out++ = '"';
                        i += 2;
                        continue;
                    }
                    i++;
                    break;
                }
                if (buf[i] == '\n')
                    (*line)++;
                *out++ = buf[i++];
            }
            /* anything up to the delimiter after the closing quote is kept as is */
            while (i < n && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r')
                *out++ = buf[i++];
        } else {
            while (i < n && buf[i] != ',' && buf[i] != '\n' && buf[i] != '\r')
                i++;
            out = buf + i;
        }
        char d = i < n ? buf[i] : '\n';
        if (k < max)
            f[k] = (cxi_csv_field){start, (size_t)(out - start)};
        k++;
        if (i < n)
            buf[i] = 0;
        *out = 0;
        if (d == ',') {
            i++;
            continue;
        }
        if (d == '\r' && i + 1 < n && buf[i + 1] == '\n')
            i++;
        i++;
        (*line)++;
        break;
    }
    *pos = i;
    *nfields = k;
    return k;
}

/*
 * A small CSV reader (RFC 4180: quotes, doubled quotes, line breaks inside
 * quotes, LF or CRLF, a UTF-8 byte-order mark) for the side tables that are
 * read into an object rather than streamed into a store: path tables
 * (cx_paths_import_csv, src/journey/pathtable.c) and case events
 * (src/service/cycles.c). The file is read record by record through one
 * buffer of the reader's own (256 kB, grown only for a longer record), so
 * reading never holds the whole file, each page of the buffer is reused,
 * and pipes read as files do.
 * The store's importer (src/io/csv.c) keeps its own streaming scanner.
 */
#ifndef CXI_CSVREAD_H
#define CXI_CSVREAD_H

#include "base.h"

/* One field of a record: s[0..len), NUL-terminated in place (a NUL byte in
 * the file makes strlen(s) < len). */
typedef struct cxi_csv_field {
    char *s;
    size_t len;
} cxi_csv_field;

typedef struct cxi_csv {
    cxi_mem *m;
    const char *fn, *file; /* named by every failure reported */
    FILE *fp;
    char *buf;             /* the unread text is buf[pos..n); cap > n */
    size_t cap, pos, n;
    bool eof;
    uint64_t size;         /* the file's size, 0 when unknown (a pipe) */
    uint64_t line;         /* the line where the next record starts */
    uint64_t at;           /* the line where the record last read starts */
} cxi_csv;

/* Opens `file` for cxi_csv_next, its byte-order mark skipped; the reader
 * allocates from m. The failure (CX_EIO, CX_ENOMEM) is reported naming fn
 * and the file, and leaves nothing to close. */
int cxi_csv_open(cxi_csv *r, cxi_mem *m, const char *fn, const char *file);

/* Reads the next record that is not a blank line into at most `max`
 * fields (*nfields may exceed max): quotes removed, doubled quotes undone,
 * each field NUL-terminated, valid until the next call. r->at is the line
 * where it starts. Returns 1, 0 at the end of the file, or a negative code
 * reported naming fn and the file: CX_EINVAL ("FILE:LINE: a quote is not
 * closed"), CX_EIO, CX_ENOMEM. */
int cxi_csv_next(cxi_csv *r, cxi_csv_field *f, int max, int *nfields);

/* How many records the file seems to hold, from the text read so far and
 * the file's size (the records read so far for a pipe); at least 1. */
size_t cxi_csv_guess_records(const cxi_csv *r);

/* How often `pat` (not empty) occurs in the text read so far, scaled like
 * cxi_csv_guess_records to the whole file. */
size_t cxi_csv_guess_count(const cxi_csv *r, const char *pat);

void cxi_csv_close(cxi_csv *r);

#endif

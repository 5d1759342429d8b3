/*
 * A small in-memory CSV reader (RFC 4180: quotes, doubled quotes, line
 * breaks inside quotes, LF or CRLF, a UTF-8 byte-order mark) for the side
 * tables that are read whole into an object rather than streamed into a
 * store: path tables (cx_paths_import_csv, src/journey/pathtable.c) and
 * case events (src/service/cycles.c).
 * The store's importer (src/io/csv.c) keeps its faster streaming scanner.
 */
#ifndef CXI_CSVREAD_H
#define CXI_CSVREAD_H

#include "base.h"

/* One field of a record: s[0..len), NUL-terminated in place. */
typedef struct cxi_csv_field {
    char *s;
    size_t len;
} cxi_csv_field;

/* The whole file in memory, NUL-terminated, from `m`: *len bytes in a
 * block of *cap (free it with cxi_free(m, *buf, *cap)). The failure
 * (CX_EIO, CX_ENOMEM) is reported naming fn and the file. */
int cxi_csv_read_whole(cxi_mem *m, const char *fn, const char *file, char **buf, size_t *len, size_t *cap);

/* Where the records of buf start: after a byte-order mark, if any. */
size_t cxi_csv_start(const char *buf, size_t len);

/* Reads the next record of buf[*pos..n) into at most `max` fields, in
 * place: quotes removed and doubled quotes undone, each field ended by a
 * NUL over its delimiter. *line counts the line breaks passed. Returns the
 * number of fields (0 at the end; *nfields may exceed max), or -1 for an
 * unterminated quote. */
int cxi_csv_record(char *buf, size_t n, size_t *pos, uint64_t *line, cxi_csv_field *f, int max, int *nfields);

#endif

/* The small store of demo data the import and care fuzz targets start from
 * (tests/fuzz/base_store.h, written by make_corpus.py). */
#ifndef CX_FUZZ_BASE_H
#define CX_FUZZ_BASE_H

#include "fuzz_util.h"
#include "base_store.h"

static inline cx_store *fz_load_base(void)
{
    cx_store *s = NULL;
    if (cx_store_new(&s) != CX_OK)
        abort();
    for (int t = 0; t < CX_TABLE_COUNT; t++) {
        const char *p = fz_path("base.csv");
        fz_write(p, (const uint8_t *)fz_base_csv[t], strlen(fz_base_csv[t]));
        cx_import_options *o = NULL;
        cx_import_options_new(&o);
        cx_import_options_set_strict(o, 1);
        cx_import_report *r = NULL;
        if (cx_import_csv(&r, s, (cx_table)t, p, o) != CX_OK)
            fz_fail("the base data of table %d does not import", t);
        cx_import_report_free(r);
        cx_import_options_free(o);
    }
    return s;
}

#endif

/*
 * One way of writing text into CSV and JSON, shared by every writer of the
 * library (store exports, reject files, result exports), so that a cell is
 * quoted by one rule wherever it is written.
 */
#include <stdio.h>

#include "base.h"

void cxi_write_csv_text(FILE *f, const char *s)
{
    /* quoted when it holds a delimiter, a quote or a line break, and when it
     * is empty, so that an empty text reads back apart from a missing one */
    if (*s && !strpbrk(s, ",\"\r\n"))
        fputs(s, f);
    else
        cxi_write_csv_quoted(f, s);
}

void cxi_write_csv_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', f);
        fputc(*s, f);
    }
    fputc('"', f);
}

/* Bytes of the UTF-8 sequence at s[0..n), or 0 when it is not valid UTF-8. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    size_t k = c < 0x80 ? 1 : c >= 0xC2 && c <= 0xDF ? 2 : c >= 0xE0 && c <= 0xEF ? 3 : c >= 0xF0 && c <= 0xF4 ? 4 : 0;
    if (!k || k > n || !cxi_utf8_valid((const char *)s, k))
        return 0;
    return k;
}

void cxi_write_json_text(FILE *f, const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    fputc('"', f);
    for (size_t i = 0; i < n;) {
        unsigned char c = p[i];
        if (c >= 0x80) {
            size_t k = utf8_seq(p + i, n - i);
            if (k) {
                fwrite(p + i, 1, k, f);
                i += k;
            } else { /* a JSON string holds only UTF-8 */
                fputs("\xEF\xBF\xBD", f);
                i++;
            }
            continue;
        }
        switch (c) {
        case '"': fputs("\\\"", f); break;
        case '\\': fputs("\\\\", f); break;
        case '\b': fputs("\\b", f); break;
        case '\f': fputs("\\f", f); break;
        case '\n': fputs("\\n", f); break;
        case '\r': fputs("\\r", f); break;
        case '\t': fputs("\\t", f); break;
        default:
            if (c < 0x20)
                fprintf(f, "\\u%04x", c);
            else
                fputc(c, f);
        }
        i++;
    }
    fputc('"', f);
}

/*
 * One way of writing text into CSV and JSON, shared by every writer of the
 * library (store exports, reject files, result exports), so that a cell is
 * quoted by one rule wherever it is written.
 */
#ifndef _POSIX_C_SOURCE
#define _POSIX_C_SOURCE 200809L /* nl_langinfo, newlocale, uselocale */
#endif
#include <langinfo.h>
#include <locale.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "base.h"

/* ---- numbers independent of the locale ---------------------------------
 *
 * printf and strtod read LC_NUMERIC, which the host application may have
 * set to a locale whose decimal point is a comma (or a longer string):
 * "%g" then writes 7,5 and strtod stops at the '.' of 10.25. Two ways out
 * were weighed: switching the thread to a C locale around each call
 * (newlocale + uselocale, or strtod_l), or letting printf and strtod work
 * in the host's locale and swapping its decimal point for '.' (and back).
 * The swap is chosen: it allocates nothing (newlocale allocates with
 * malloc, outside the store's allocator, and can fail in the middle of an
 * export), keeps no state, global or per thread, and touches no category
 * other than the decimal point. The point is the thread's current one
 * (nl_langinfo follows uselocale), the one printf and strtod use. Numbers
 * never hold grouping: "%g" groups nothing without the ' flag, and strtod
 * reads no grouping. */

/* The decimal point of the calling thread's numeric locale. */
static const char *radix(void)
{
    const char *r = nl_langinfo(RADIXCHAR);
    return r && *r ? r : ".";
}

/* Replaces the locale's decimal point in a formatted number by '.': the
 * text holds digits, sign, 'e' or 'p', "inf", "nan", padding and the point,
 * so one match at most. */
static void point_to_dot(char *num)
{
    const char *r = radix();
    if (r[0] == '.' && r[1] == '\0')
        return;
    char *p = strstr(num, r);
    if (p) {
        size_t n = strlen(r);
        *p = '.';
        memmove(p + 1, p + n, strlen(p + n) + 1);
    }
}

void cxi_format_double(char *buf, size_t cap, int prec, double v)
{
    if (cap == 0)
        return;
    snprintf(buf, cap, "%.*g", prec, v);
    point_to_dot(buf);
}

/* Appends what snprintf wrote into piece (need bytes, maybe cut) to
 * buf[*len..cap), keeping buf terminated; *len counts the whole text. */
static void put_piece(char *buf, size_t cap, size_t *len, const char *piece, size_t need)
{
    if (*len + 1 < cap) {
        size_t room = cap - 1 - *len, k = need < room ? need : room;
        memcpy(buf + *len, piece, k);
        buf[*len + k] = '\0';
    }
    *len += need;
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/* One conversion of spec (a whole "%...c", NUL-terminated) with its
 * arguments: 0 to 2 '*' values, then the value of type T. */
#define CXI_ONE(T)                                                                                                     \
    do {                                                                                                               \
        T v_ = va_arg(*ap, T);                                                                                         \
        n = nstar == 0   ? snprintf(tmp, sizeof tmp, spec, v_)                                                         \
            : nstar == 1 ? snprintf(tmp, sizeof tmp, spec, star[0], v_)                                                \
                         : snprintf(tmp, sizeof tmp, spec, star[0], star[1], v_);                                      \
    } while (0)

/* Formats the conversion spec[0..] (already checked: flags, width,
 * precision, length, conversion) into buf; returns the length it needs. */
static int one_conversion(char *buf, size_t cap, size_t *len, const char *spec, char conv, const char *lenmod,
                          int nstar, va_list *ap)
{
    int star[2] = {0, 0};
    for (int i = 0; i < nstar; i++)
        star[i] = va_arg(*ap, int);
    char tmp[512];
    int n = 0;
    bool hh = !strcmp(lenmod, "hh"), h = !strcmp(lenmod, "h"), l = !strcmp(lenmod, "l"),
         ll = !strcmp(lenmod, "ll"), j = !strcmp(lenmod, "j"), z = !strcmp(lenmod, "z"),
         t = !strcmp(lenmod, "t"), L = !strcmp(lenmod, "L");
    (void)hh, (void)h; /* promoted to int */
    switch (conv) {
    case 'd': case 'i':
        if (l) CXI_ONE(long);
        else if (ll) CXI_ONE(long long);
        else if (j) CXI_ONE(intmax_t);
        else if (z || t) CXI_ONE(ptrdiff_t);
        else CXI_ONE(int);
        break;
    case 'o': case 'u': case 'x': case 'X':
        if (l) CXI_ONE(unsigned long);
        else if (ll) CXI_ONE(unsigned long long);
        else if (j) CXI_ONE(uintmax_t);
        else if (z) CXI_ONE(size_t);
        else if (t) CXI_ONE(ptrdiff_t);
        else CXI_ONE(unsigned);
        break;
    case 'c': CXI_ONE(int); break;
    case 'p': CXI_ONE(void *); break;
    case 's': {
        /* any length: straight into buf */
        const char *v = va_arg(*ap, const char *);
        size_t room = *len + 1 < cap ? cap - *len : 0;
        n = nstar == 0   ? snprintf(room ? buf + *len : NULL, room, spec, v)
            : nstar == 1 ? snprintf(room ? buf + *len : NULL, room, spec, star[0], v)
                         : snprintf(room ? buf + *len : NULL, room, spec, star[0], star[1], v);
        if (n > 0)
            *len += (size_t)n;
        return n;
    }
    default: /* f F e E g G a A */
        if (L) CXI_ONE(long double);
        else CXI_ONE(double);
        point_to_dot(tmp);
        if (n >= 0 && (size_t)n < sizeof tmp)
            n = (int)strlen(tmp); /* the point may have been longer than '.' */
        break;
    }
    if (n < 0)
        return n;
    size_t have = strlen(tmp);
    put_piece(buf, cap, len, tmp, have);
    if ((size_t)n > have) /* cut by tmp: count the rest as printf would */
        *len += (size_t)n - have;
    return n;
}
#undef CXI_ONE

int cxi_vsnprintf(char *buf, size_t cap, const char *fmt, va_list ap)
{
    va_list aq;
    va_copy(aq, ap);
    size_t len = 0;
    if (cap)
        buf[0] = '\0';
    const char *p = fmt;
    while (*p) {
        const char *q = strchr(p, '%');
        size_t lit = q ? (size_t)(q - p) : strlen(p);
        put_piece(buf, cap, &len, p, lit);
        if (!q)
            break;
        p = q + 1;
        if (*p == '%') {
            put_piece(buf, cap, &len, "%", 1);
            p++;
            continue;
        }
        /* %[flags][width][.precision][length]conversion */
        char spec[40];
        size_t k = 0;
        int nstar = 0;
        spec[k++] = '%';
        while (*p && strchr("-+ #0'", *p) && k < 20)
            spec[k++] = *p++;
        if (*p == '*') {
            spec[k++] = *p++;
            nstar++;
        } else
            while (*p >= '0' && *p <= '9' && k < 28)
                spec[k++] = *p++;
        if (*p == '.') {
            spec[k++] = *p++;
            if (*p == '*') {
                spec[k++] = *p++;
                nstar++;
            } else
                while (*p >= '0' && *p <= '9' && k < 34)
                    spec[k++] = *p++;
        }
        char lenmod[3] = "";
        size_t m = 0;
        while (*p && strchr("hljztL", *p) && m < 2)
            lenmod[m++] = *p++;
        lenmod[m] = '\0';
        char conv = *p;
        if (!conv || !strchr("diouxXcspfFeEgGaAn", conv) || k >= sizeof spec - 4) {
            va_end(aq);
            return -1; /* a format the library never writes */
        }
        p++;
        if (conv == 'n') {
            (void)va_arg(aq, void *);
            continue;
        }
        memcpy(spec + k, lenmod, m);
        k += m;
        spec[k++] = conv;
        spec[k] = '\0';
        if (one_conversion(buf, cap, &len, spec, conv, lenmod, nstar, &aq) < 0) {
            va_end(aq);
            return -1;
        }
    }
    va_end(aq);
    return len > INT_MAX ? INT_MAX : (int)len;
}
#pragma GCC diagnostic pop

int cxi_snprintf(char *buf, size_t cap, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = cxi_vsnprintf(buf, cap, fmt, ap);
    va_end(ap);
    return n;
}

void cxi_format_real(char *buf, size_t cap, double v)
{
    for (int prec = 15; prec <= 17; prec++) {
        cxi_format_double(buf, cap, prec, v);
        if (cxi_strtod(buf, NULL) == v)
            return;
    }
}

/* Characters strtod may read in a number (decimal or hexadecimal, inf,
 * infinity, nan): the text of a number ends before any other. */
static bool number_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '.' || c == '+' ||
           c == '-' || c == '(' || c == ')' || c == '_';
}

double cxi_strtod(const char *s, char **end)
{
    const char *r = radix();
    if (r[0] == '.' && r[1] == '\0')
        return strtod(s, end);
    /* Copy the number's text with '.' as the locale's point: a locale's
     * point itself (a comma) is no number character, so the copy stops
     * there, as the C locale's strtod would. */
    size_t rn = strlen(r), lead = 0, n = 0;
    while (s[lead] == ' ' || (s[lead] >= '\t' && s[lead] <= '\r'))
        lead++;
    while (number_char(s[lead + n]))
        n++;
    char tmp[512];
    size_t need = lead + n, dots = 0;
    for (size_t i = lead; i < need; i++)
        dots += s[i] == '.';
    if (need + dots * rn + 1 > sizeof tmp) {
        /* a number longer than any double needs: in the C locale for this
         * thread (allocates, but only for such text) */
        locale_t c = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
        if (!c) {
            if (end)
                *end = (char *)s;
            return 0.0;
        }
        locale_t old = uselocale(c);
        double v = strtod(s, end);
        uselocale(old);
        freelocale(c);
        return v;
    }
    /* the copy, and where each of its bytes came from in s */
    size_t k = 0;
    size_t from[sizeof tmp];
    for (size_t i = 0; i < need; i++) {
        if (s[i] == '.') {
            for (size_t j = 0; j < rn; j++) {
                from[k] = i;
                tmp[k++] = r[j];
            }
        } else {
            from[k] = i;
            tmp[k++] = s[i];
        }
    }
    from[k] = need;
    tmp[k] = '\0';
    char *e;
    double v = strtod(tmp, &e);
    if (end) {
        size_t used = (size_t)(e - tmp);
        /* the end of a number never falls inside the point */
        *end = (char *)s + (used == 0 ? 0 : from[used - 1] + 1);
    }
    return v;
}

/* ---- text a spreadsheet would run ---------------------------------------
 *
 * A spreadsheet opening a CSV file runs a cell that starts with = + - @ (or
 * a tab or carriage return) as a formula: a customer's comment
 * "=HYPERLINK(...)" would become a link, or worse. Every CSV writer of the
 * library therefore writes such a text cell with a leading apostrophe,
 * which spreadsheets take as "this is text" and do not display. To keep the
 * files readable back exactly, the rule counts the apostrophes already
 * there: a text whose first character after its leading apostrophes is a
 * trigger gets one more, and the CSV importer takes one away from such a
 * cell. So "=1" is written '=1 and "'=1" is written ''=1, and both read
 * back as they were; "'tis" is left alone, and numbers are never text. */
bool cxi_csv_formula(const char *s)
{
    while (*s == '\'')
        s++;
    return *s == '=' || *s == '+' || *s == '-' || *s == '@' || *s == '\t' || *s == '\r';
}

const char *cxi_csv_unprotect(const char *s) { return s[0] == '\'' && cxi_csv_formula(s) ? s + 1 : s; }

void cxi_write_csv_text(FILE *f, const char *s)
{
    /* quoted when it holds a delimiter, a quote or a line break, and when it
     * is empty, so that an empty text reads back apart from a missing one */
    if (*s && !strpbrk(s, ",\"\r\n")) {
        if (cxi_csv_formula(s))
            fputc('\'', f);
        fputs(s, f);
    } else
        cxi_write_csv_quoted(f, s);
}

void cxi_write_csv_quoted(FILE *f, const char *s)
{
    fputc('"', f);
    if (cxi_csv_formula(s))
        fputc('\'', f);
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

/*
 * Inline SVG charts for `cxkit report` (see cxkit_svg.h for the contract).
 *
 * Geometry is computed left to right and mirrored at the end of each
 * coordinate (mx) when ctx->rtl is set, so that one code path draws both
 * directions. Numbers in the markup go through fmt_num, which writes '.'
 * whatever LC_NUMERIC says. Colours: the Okabe-Ito palette for series and
 * steps, a single blue sequential scale for the heatmap; small samples are
 * lighter with a dashed outline.
 */
#include "cxkit_svg.h"

#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the buffer -------------------------------------------------------- */

static bool sb_reserve(sbuf *b, size_t extra)
{
    if (b->oom)
        return false;
    if (b->len + extra + 1 <= b->cap && b->p)
        return true;
    if (extra > SIZE_MAX / 2 - b->len - 1) {
        b->oom = true;
        return false;
    }
    size_t cap = b->cap ? b->cap : 256;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->p, cap);
    if (!p) {
        b->oom = true;
        return false;
    }
    b->p = p;
    b->cap = cap;
    return true;
}

void sb_put(sbuf *b, const char *s, size_t n)
{
    if (!b || !s || !sb_reserve(b, n))
        return;
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void sb_puts(sbuf *b, const char *s)
{
    if (s)
        sb_put(b, s, strlen(s));
}

void sb_printf(sbuf *b, const char *fmt, ...)
{
    if (!b || !fmt || b->oom)
        return;
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        sb_put(b, small, (size_t)n);
        return;
    }
    if (!sb_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void sb_free(sbuf *b)
{
    if (!b)
        return;
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    b->oom = false;
}

/* ---- UTF-8 ------------------------------------------------------------- */

/* Decodes one code point of s[0..n); returns its length in bytes (>= 1) and
 * sets *cp, or -1 in *cp for a byte that does not start a valid sequence
 * (overlong forms, surrogates and values above U+10FFFF are invalid). */
static size_t utf8_next(const unsigned char *s, size_t n, long *cp)
{
    unsigned c = s[0];
    if (c < 0x80) {
        *cp = (long)c;
        return 1;
    }
    size_t len;
    long v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = -1;
        return 1;
    }
    if (len > n) {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = -1;
        return 1;
    }
    *cp = v;
    return len;
}

void sb_esc(sbuf *b, const char *s, size_t n)
{
    if (!b || !s)
        return;
    if (n == (size_t)-1)
        n = strlen(s);
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, run = 0; /* bytes [run, i) copy as they are */
    while (i < n) {
        long cp;
        size_t len = utf8_next(u + i, n - i, &cp);
        const char *rep = NULL;
        bool drop = false;
        if (cp < 0 || cp == 0xFFFE || cp == 0xFFFF)
            rep = "\xEF\xBF\xBD"; /* U+FFFD; U+FFFE/FFFF are not XML characters */
        else if ((cp < 0x20 && cp != '\t' && cp != '\n') || cp == 0x7F || (cp >= 0x80 && cp <= 0x9F))
            drop = true;
        else if (cp == '&')
            rep = "&amp;";
        else if (cp == '<')
            rep = "&lt;";
        else if (cp == '>')
            rep = "&gt;";
        else if (cp == '"')
            rep = "&quot;";
        else if (cp == '\'')
            rep = "&#39;";
        if (rep || drop) {
            sb_put(b, s + run, i - run);
            if (rep)
                sb_puts(b, rep);
            run = i + len;
        }
        i += len;
    }
    sb_put(b, s + run, i - run);
}

/* The byte length of the first `max` code points of s (invalid bytes count
 * one each), never inside a character; *more tells whether s is longer. */
static size_t utf8_prefix(const char *s, size_t max, bool *more)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s), i = 0, k = 0;
    while (i < n && k < max) {
        long cp;
        i += utf8_next(u + i, n - i, &cp);
        k++;
    }
    *more = i < n;
    return i;
}

/* Whether s has a right-to-left letter (Hebrew, Arabic, Syriac, Thaana,
 * NKo..., and their presentation forms) or a bidi control (RLM, an
 * embedding, override or isolate): such a label is isolated, so that what
 * it holds cannot reorder the text around it. */
static bool has_rtl(const char *s)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        long cp;
        i += utf8_next(u + i, n - i, &cp);
        if ((cp >= 0x0590 && cp <= 0x08FF) || (cp >= 0xFB1D && cp <= 0xFDFF) || (cp >= 0xFE70 && cp <= 0xFEFC) ||
            cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
            return true;
    }
    return false;
}

#define FSI "\xE2\x81\xA8" /* U+2068 first strong isolate */
#define RLI "\xE2\x81\xA7" /* U+2067 right-to-left isolate */
#define PDI "\xE2\x81\xA9" /* U+2069 pop directional isolate */

/* A label, escaped, cut to `max` code points with an ellipsis. The svg is
 * direction:ltr, so a label with right-to-left letters is isolated (FSI ...
 * PDI): its ellipsis and punctuation then fall on its own end (the left). */
static void sb_label(sbuf *b, const char *s, size_t max)
{
    if (!s)
        return;
    bool more, rtl = has_rtl(s);
    size_t len = utf8_prefix(s, max, &more);
    if (rtl)
        sb_puts(b, FSI);
    if (!more) {
        sb_esc(b, s, len);
    } else {
        len = utf8_prefix(s, max > 1 ? max - 1 : 1, &more);
        sb_esc(b, s, len);
        sb_puts(b, "\xE2\x80\xA6"); /* … */
    }
    if (rtl)
        sb_puts(b, PDI);
}

/* ---- numbers ----------------------------------------------------------- */

/* v with `digits` decimals into out (at least 48 bytes), '.' as the point
 * whatever the locale, no "-0". Magnitudes from 1e15 on use an exponent
 * ("1.0e+300") rather than hundreds of digits. Not for NaN or infinity. */
static void fmt_num(char *out, size_t cap, double v, int digits)
{
    char tmp[64];
    if (digits < 0)
        digits = 0;
    if (digits > 9)
        digits = 9;
    if (fabs(v) >= 1e15)
        snprintf(tmp, sizeof tmp, "%.*e", digits, v);
    else
        snprintf(tmp, sizeof tmp, "%.*f", digits, v);
    /* copy, writing '.' for whatever the locale put as the decimal point */
    size_t o = 0;
    bool zero = true, in_point = false;
    for (const char *p = tmp; *p && o + 2 < cap; p++) {
        char c = *p;
        if ((c >= '0' && c <= '9') || c == '-' || c == '+' || c == 'e') {
            out[o++] = c;
            in_point = false;
            if (c >= '1' && c <= '9')
                zero = false;
        } else if (!in_point) {
            out[o++] = '.';
            in_point = true;
        }
    }
    out[o] = '\0';
    if (zero && out[0] == '-')
        memmove(out, out + 1, o);
}

void sb_num(sbuf *b, double v, int digits)
{
    if (!b)
        return;
    if (!isfinite(v)) {
        sb_puts(b, "\xE2\x80\x93"); /* – */
        return;
    }
    char s[64];
    fmt_num(s, sizeof s, v, digits);
    sb_puts(b, s);
}

/* A tiny printf for markup: %f a coordinate (one decimal, '.'), %d an int,
 * %z a size_t, %s a raw string (never user text: that goes through sb_esc),
 * %% a percent sign. */
static void sv(sbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    const char *run = fmt;
    for (const char *p = fmt; *p; p++) {
        if (*p != '%')
            continue;
        sb_put(b, run, (size_t)(p - run));
        p++;
        char buf[64];
        switch (*p) {
        case 'f': {
            double v = va_arg(ap, double);
            if (!isfinite(v))
                v = 0;
            fmt_num(buf, sizeof buf, v, 1);
            size_t l = strlen(buf);
            if (l > 2 && buf[l - 2] == '.' && buf[l - 1] == '0')
                buf[l - 2] = '\0';
            sb_puts(b, buf);
            break;
        }
        case 'd':
            snprintf(buf, sizeof buf, "%d", va_arg(ap, int));
            sb_puts(b, buf);
            break;
        case 'z':
            snprintf(buf, sizeof buf, "%zu", va_arg(ap, size_t));
            sb_puts(b, buf);
            break;
        case 's':
            sb_puts(b, va_arg(ap, const char *));
            break;
        case '%':
            sb_puts(b, "%");
            break;
        default:
            p--;
            break;
        }
        run = p + 1;
    }
    sb_puts(b, run);
    va_end(ap);
}

/* ---- shared layout ----------------------------------------------------- */

#define W 640.0
#define LABEL_MAX 28 /* code points of a category label before the ellipsis */
#define FONT "system-ui,-apple-system,'Segoe UI',Roboto,'Noto Sans','Noto Sans Arabic',sans-serif"
#define INK "#222"
#define MUTED "#666"
#define GRID "#ddd"

/* Okabe & Ito (2008), yellow (light on white) and black last */
static const char *const palette[] = {"#0072B2", "#E69F00", "#009E73", "#D55E00",
                                      "#CC79A7", "#56B4E9", "#F0E442", "#000000"};
static const char *colour(size_t i) { return palette[i % (sizeof palette / sizeof *palette)]; }

typedef struct lay {
    bool rtl;
} lay;

static double mx(const lay *l, double x) { return l->rtl ? W - x : x; }
/* the left edge of a rect from x to x + w once mirrored */
static double mrect(const lay *l, double x, double w) { return l->rtl ? W - x - w : x; }
/* text-anchor for text that starts (reads away from) x in LTR terms */
static const char *a_start(const lay *l) { return l->rtl ? "end" : "start"; }
static const char *a_end(const lay *l) { return l->rtl ? "start" : "end"; }

static const char *nz(const char *s) { return s ? s : ""; }

/* Around the content of a text that joins a label and a suffix ("name
 * (n=12)"): in RTL the whole reads right to left, suffix on the left. */
static void rtl_begin(sbuf *b, const lay *l)
{
    if (l->rtl)
        sb_puts(b, RLI);
}
static void rtl_end(sbuf *b, const lay *l)
{
    if (l->rtl)
        sb_puts(b, PDI);
}

static void open_svg(sbuf *b, const char *id, const char *title, size_t marks, double h, const char *extra)
{
    sv(b, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" data-chart=\"");
    sb_esc(b, id, (size_t)-1);
    sv(b, "\" data-marks=\"%z\"", marks);
    if (extra)
        sb_puts(b, extra);
    sv(b, " role=\"img\" aria-label=\"");
    sb_esc(b, title, (size_t)-1);
    sv(b, "\" viewBox=\"0 0 %f %f\" width=\"100%%\" preserveAspectRatio=\"xMidYMin meet\""
          " style=\"direction:ltr;max-width:%fpx;height:auto;display:block\""
          " font-family=\"%s\" font-size=\"13\" fill=\"" INK "\"><title>",
       W, h, W, FONT);
    sb_esc(b, title, (size_t)-1);
    sb_puts(b, "</title>\n");
}

static int close_svg(sbuf *b)
{
    sb_puts(b, "</svg>\n");
    return b->oom ? -1 : 0;
}

static int no_data(sbuf *b, const svg_ctx *ctx, const char *id, const char *title)
{
    open_svg(b, id, title, 0, 60, NULL);
    sv(b, "<text x=\"%f\" y=\"34\" text-anchor=\"middle\" fill=\"" MUTED "\">", W / 2);
    sb_label(b, nz(ctx->no_data), 80);
    sb_puts(b, "</text>\n");
    return close_svg(b);
}

/* The <title> of a mark: "label: value unit, n=N" (value "–" when NaN). */
static void mark_title(sbuf *b, const svg_ctx *ctx, const char *label, const char *label2, double v, int digits,
                       const char *unit, const double *n)
{
    sb_puts(b, "<title>");
    sb_esc(b, nz(label), (size_t)-1);
    if (label2) {
        sb_puts(b, " \xE2\x80\x94 "); /* — */
        sb_esc(b, label2, (size_t)-1);
    }
    sb_puts(b, ": ");
    sb_num(b, v, digits);
    if (unit && isfinite(v))
        sb_esc(b, unit, (size_t)-1);
    if (n && isfinite(*n)) {
        sb_puts(b, ", ");
        sb_esc(b, ctx->n_label ? ctx->n_label : "n", (size_t)-1);
        sb_puts(b, "=");
        sb_num(b, *n, 0);
    }
    sb_puts(b, "</title>");
}

/* Round axis ticks: a step of 1, 2 or 5 times a power of ten, about
 * `want` intervals over [lo, hi], widened to whole steps. */
typedef struct ticks {
    double lo, hi, step;
    int n;      /* number of ticks: lo, lo + step, ..., hi */
    int digits; /* decimals the step needs */
} ticks;

static ticks nice_ticks(double lo, double hi, int want)
{
    ticks t;
    if (!isfinite(lo) || !isfinite(hi)) {
        lo = 0;
        hi = 1;
    }
    if (lo > hi) {
        double x = lo;
        lo = hi;
        hi = x;
    }
    if (hi - lo <= fabs(hi) * 1e-12 || hi - lo == 0) { /* all equal */
        double pad = fabs(hi) > 0 ? fabs(hi) * 0.1 : 1;
        if (lo >= 0 && lo - pad < 0)
            lo = 0;
        else
            lo -= pad;
        hi += pad;
    }
    double raw = (hi - lo) / (want > 0 ? want : 4);
    if (!isfinite(raw) || raw <= 0) /* the range overflows: 1e308-sized data */
        raw = fmax(fabs(lo), fabs(hi)) / 2;
    double p = pow(10, floor(log10(raw))), f = raw / p;
    double step = (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * p;
    t.lo = floor(lo / step) * step;
    t.hi = ceil(hi / step) * step;
    if (!isfinite(t.lo) || !isfinite(t.hi) || t.hi <= t.lo) {
        t.lo = lo;
        t.hi = hi;
        step = (hi - lo) / 4;
        if (!isfinite(step) || step <= 0) {
            t.lo = -1e300, t.hi = 1e300, step = 5e299;
        }
    }
    t.step = step;
    double k = floor((t.hi - t.lo) / step + 0.5);
    t.n = k < 1 ? 2 : k > 20 ? 21 : (int)k + 1;
    int d = (int)-floor(log10(step) + 1e-9);
    t.digits = d < 0 ? 0 : d > 6 ? 6 : d;
    return t;
}

static double tick_at(const ticks *t, int i)
{
    double v = i == t->n - 1 ? t->hi : t->lo + t->step * i;
    return fabs(v) < t->step * 1e-9 ? 0 : v;
}

/* maps a value in [t.lo, t.hi] to [p0, p1] */
static double scale(const ticks *t, double v, double p0, double p1)
{
    double span = t->hi - t->lo;
    if (!(span > 0) || !isfinite(span))
        return p0;
    double r = (v - t->lo) / span;
    if (!isfinite(r))
        r = v > t->lo ? 1 : 0;
    return p0 + r * (p1 - p0);
}

/* a y in the plot: values beyond the caller's fixed axis range sit on its edge */
static double yclamp(const ticks *t, double v, double bottom, double top)
{
    return scale(t, v < t->lo ? t->lo : v > t->hi ? t->hi : v, bottom, top);
}

/* the style of a mark: its colour, lighter and dashed when small */
static void mark_style(sbuf *b, const char *fill, bool small)
{
    if (small)
        sv(b, " fill=\"%s\" fill-opacity=\"0.35\" stroke=\"%s\" stroke-dasharray=\"3 2\"", fill, fill);
    else
        sv(b, " fill=\"%s\"", fill);
}

/* "■ small sample" legend entry at (x, y) in LTR terms */
static void small_legend(sbuf *b, const lay *l, const svg_ctx *ctx, double x, double y)
{
    sv(b, "<g class=\"legend\"><rect x=\"%f\" y=\"%f\" width=\"12\" height=\"10\"", mrect(l, x, 12), y - 9);
    mark_style(b, MUTED, true);
    sv(b, "/><text x=\"%f\" y=\"%f\" text-anchor=\"%s\" font-size=\"12\">", mx(l, x + 17), y, a_start(l));
    sb_label(b, ctx->small_note ? ctx->small_note : "small sample", 60);
    sb_puts(b, "</text></g>\n");
}

/* A horizontal legend of swatches: entries in reading order (mirrored in
 * RTL); wraps onto new lines. Returns the height used. */
static double legend_row(sbuf *b, const lay *l, const char *const *names, size_t count, double x0, double y,
                         bool draw)
{
    double x = x0, lines = 1;
    for (size_t i = 0; i < count; i++) {
        bool more;
        size_t len = utf8_prefix(nz(names[i]), 24, &more);
        double w = 12 + 5 + 7.0 * (double)(len < 24 ? len : 24) + 16; /* rough width of the entry */
        if (x > x0 && x + w > W - 8) {
            x = x0;
            y += 18;
            lines++;
        }
        if (draw) {
            sv(b, "<g class=\"legend\"><rect x=\"%f\" y=\"%f\" width=\"12\" height=\"10\" fill=\"%s\"/>",
               mrect(l, x, 12), y - 9, colour(i));
            sv(b, "<text x=\"%f\" y=\"%f\" text-anchor=\"%s\" font-size=\"12\">", mx(l, x + 17), y, a_start(l));
            sb_label(b, nz(names[i]), 24);
            sb_puts(b, "</text></g>\n");
        }
        x += w;
    }
    return lines * 18;
}

/* ---- horizontal bars --------------------------------------------------- */

/* The value axis of bar charts: ticks over [min(0, lo), max(0, hi)], a grid
 * line at each, tick labels below the plot, the zero line darker. */
static void value_axis(sbuf *b, const lay *l, const ticks *t, double x0, double x1, double top, double bottom,
                       const char *unit)
{
    for (int i = 0; i < t->n; i++) {
        double v = tick_at(t, i), x = mx(l, scale(t, v, x0, x1));
        sv(b, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"%s\"/>", x, top, x, bottom,
           v == 0 ? "#888" : GRID);
        sv(b, "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"12\" fill=\"" MUTED "\">", x, bottom + 14);
        sb_num(b, v, t->digits);
        if (unit)
            sb_esc(b, unit, (size_t)-1);
        sb_puts(b, "</text>");
    }
    sb_puts(b, "\n");
}

/* a value label next to a bar ending at x (LTR terms), on the side away
 * from zero */
static void value_label(sbuf *b, const lay *l, double x, double y, bool neg, double v, int digits,
                        const char *unit)
{
    sv(b, "<text class=\"value\" x=\"%f\" y=\"%f\" dy=\"0.35em\" text-anchor=\"%s\" font-size=\"12\">",
       mx(l, neg ? x - 4 : x + 4), y, neg ? a_end(l) : a_start(l));
    sb_num(b, v, digits);
    if (unit && isfinite(v))
        sb_esc(b, unit, (size_t)-1);
    sb_puts(b, "</text>");
}

#define LABEL_W 190.0 /* the column of category labels */
#define VALUE_W 64.0  /* room for a value label beyond a bar */

int svg_hbars(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *labels,
              const double *v, const double *lo, const double *hi, const double *n, const unsigned char *small,
              size_t count, int digits, const char *unit)
{
    if (!b || !ctx || !id || !title || (count && (!labels || !v)))
        return -1;
    if (b->oom)
        return -1;
    size_t marks = 0;
    bool neg = false, any_small = false;
    double dlo = 0, dhi = 0;
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(v[i]))
            continue;
        marks++;
        dlo = fmin(dlo, v[i]);
        dhi = fmax(dhi, v[i]);
        if (lo && hi && isfinite(lo[i]) && isfinite(hi[i])) {
            dlo = fmin(dlo, lo[i]);
            dhi = fmax(dhi, hi[i]);
        }
        if (small && small[i])
            any_small = true;
    }
    if (!marks)
        return no_data(b, ctx, id, title);
    neg = dlo < 0;
    lay L = {ctx->rtl}, *l = &L;
    const double row = 26, bar = 16, top = 8;
    double plot_h = row * (double)count, legend = any_small ? 22 : 0;
    double h = top + plot_h + 24 + legend;
    ticks t = nice_ticks(dlo, dhi, 4);
    double x0 = LABEL_W + (neg ? VALUE_W : 8), x1 = W - VALUE_W;
    double zx = scale(&t, 0, x0, x1);
    open_svg(b, id, title, marks, h, NULL);
    value_axis(b, l, &t, x0, x1, top, top + plot_h, unit);
    for (size_t i = 0; i < count; i++) {
        double y = top + row * (double)i, cy = y + row / 2;
        sv(b, "<g><text class=\"label\" x=\"%f\" y=\"%f\" dy=\"0.35em\" text-anchor=\"%s\">", mx(l, LABEL_W - 6), cy,
           a_end(l));
        sb_label(b, nz(labels[i]), LABEL_MAX);
        if (!isfinite(v[i])) {
            sb_puts(b, "<title>");
            sb_esc(b, nz(labels[i]), (size_t)-1);
            sb_puts(b, "</title></text>");
            value_label(b, l, zx, cy, false, v[i], digits, unit);
            sb_puts(b, "</g>\n");
            continue;
        }
        sb_puts(b, "<title>");
        sb_esc(b, nz(labels[i]), (size_t)-1);
        sb_puts(b, "</title></text>");
        double vx = scale(&t, v[i], x0, x1), bx = fmin(zx, vx), bw = fabs(vx - zx);
        bool sm = small && small[i];
        sv(b, "<rect class=\"mark%s\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\"", sm ? " small" : "",
           mrect(l, bx, bw), cy - bar / 2, bw, bar);
        mark_style(b, colour(0), sm);
        sb_puts(b, ">");
        mark_title(b, ctx, labels[i], NULL, v[i], digits, unit, n ? &n[i] : NULL);
        sb_puts(b, "</rect>");
        double end = vx;
        if (lo && hi && isfinite(lo[i]) && isfinite(hi[i])) {
            double a = mx(l, scale(&t, lo[i], x0, x1)), c = mx(l, scale(&t, hi[i], x0, x1));
            sv(b, "<path class=\"whisker\" d=\"M%f %fH%fM%f %fV%fM%f %fV%f\" stroke=\"" INK "\" fill=\"none\"/>", a,
               cy, c, a, cy - 4, cy + 4, c, cy - 4, cy + 4);
            end = v[i] < 0 ? fmin(vx, scale(&t, lo[i], x0, x1)) : fmax(vx, scale(&t, hi[i], x0, x1));
        }
        value_label(b, l, end, cy, v[i] < 0, v[i], digits, unit);
        sb_puts(b, "</g>\n");
    }
    if (any_small)
        small_legend(b, l, ctx, LABEL_W, h - 8);
    return close_svg(b);
}

int svg_grouped_hbars(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *cats,
                      size_t ncat, const char *const *series_names, size_t nseries, const double *v, int digits)
{
    if (!b || !ctx || !id || !title || (ncat && !cats) || (nseries && !series_names) || (ncat && nseries && !v))
        return -1;
    if (b->oom)
        return -1;
    if (nseries && ncat > SIZE_MAX / nseries)
        return -1;
    size_t marks = 0;
    double dlo = 0, dhi = 0;
    for (size_t i = 0; i < ncat * nseries; i++)
        if (isfinite(v[i])) {
            marks++;
            dlo = fmin(dlo, v[i]);
            dhi = fmax(dhi, v[i]);
        }
    if (!marks)
        return no_data(b, ctx, id, title);
    lay L = {ctx->rtl}, *l = &L;
    const double bar = 12, gap = 2, pad = 10;
    double group = (double)nseries * (bar + gap) - gap + pad;
    double legend_h = legend_row(b, l, series_names, nseries, 8, 14, false);
    double top = legend_h + 6, plot_h = group * (double)ncat;
    double h = top + plot_h + 24;
    ticks t = nice_ticks(dlo, dhi, 4);
    bool neg = dlo < 0;
    double x0 = LABEL_W + (neg ? VALUE_W : 8), x1 = W - VALUE_W, zx = scale(&t, 0, x0, x1);
    open_svg(b, id, title, marks, h, NULL);
    legend_row(b, l, series_names, nseries, 8, 14, true);
    value_axis(b, l, &t, x0, x1, top, top + plot_h, NULL);
    for (size_t c = 0; c < ncat; c++) {
        double gy = top + group * (double)c + pad / 2;
        sv(b, "<g><text class=\"label\" x=\"%f\" y=\"%f\" dy=\"0.35em\" text-anchor=\"%s\">", mx(l, LABEL_W - 6),
           gy + (group - pad) / 2, a_end(l));
        sb_label(b, nz(cats[c]), LABEL_MAX);
        sb_puts(b, "<title>");
        sb_esc(b, nz(cats[c]), (size_t)-1);
        sb_puts(b, "</title></text>\n");
        for (size_t s = 0; s < nseries; s++) {
            double x = v[c * nseries + s], y = gy + (bar + gap) * (double)s, cy = y + bar / 2;
            if (!isfinite(x)) {
                value_label(b, l, zx, cy, false, x, digits, NULL);
                continue;
            }
            double vx = scale(&t, x, x0, x1), bx = fmin(zx, vx), bw = fabs(vx - zx);
            sv(b, "<rect class=\"mark\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"%s\">", mrect(l, bx, bw), y,
               bw, bar, colour(s));
            mark_title(b, ctx, cats[c], nz(series_names[s]), x, digits, NULL, NULL);
            sb_puts(b, "</rect>");
            value_label(b, l, vx, cy, x < 0, x, digits, NULL);
        }
        sb_puts(b, "</g>\n");
    }
    return close_svg(b);
}

/* ---- funnel ------------------------------------------------------------ */

int svg_funnel(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *steps,
               const double *count, size_t n)
{
    if (!b || !ctx || !id || !title || (n && (!steps || !count)))
        return -1;
    if (b->oom)
        return -1;
    if (!n)
        return no_data(b, ctx, id, title);
    lay L = {ctx->rtl}, *l = &L;
    double max = 0;
    for (size_t i = 0; i < n; i++)
        if (isfinite(count[i]) && count[i] > max)
            max = count[i];
    const double row = 30, bar = 20, top = 6, bx0 = LABEL_W, bx1 = W - 150, cx = (bx0 + bx1) / 2;
    double h = top + row * (double)n + 6;
    open_svg(b, id, title, n, h, NULL);
    double first = count[0], prev = NAN;
    for (size_t i = 0; i < n; i++) {
        double c = count[i], y = top + row * (double)i, cy = y + row / 2;
        double w = isfinite(c) && c > 0 && max > 0 ? (bx1 - bx0) * (c / max) : 0;
        sv(b, "<g><text class=\"label\" x=\"%f\" y=\"%f\" dy=\"0.35em\" text-anchor=\"%s\">", mx(l, LABEL_W - 6), cy,
           a_end(l));
        sb_label(b, nz(steps[i]), LABEL_MAX);
        sb_puts(b, "<title>");
        sb_esc(b, nz(steps[i]), (size_t)-1);
        sb_puts(b, "</title></text>");
        if (i > 0) /* a connector from the previous step */
            sv(b, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"" GRID "\"/>", mx(l, cx), y - (row - bar) / 2,
               mx(l, cx), y + (row - bar) / 2);
        sv(b, "<rect class=\"mark\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"%s\">", mrect(l, cx - w / 2, w),
           cy - bar / 2, w, bar, colour(0));
        mark_title(b, ctx, steps[i], NULL, c, 0, NULL, NULL);
        sb_puts(b, "</rect>");
        /* count · % of the first step · ↘ % of the previous one */
        sv(b, "<text class=\"value\" x=\"%f\" y=\"%f\" dy=\"0.35em\" text-anchor=\"%s\" font-size=\"12\">",
           mx(l, bx1 + 8), cy, a_start(l));
        sb_num(b, c, 0);
        if (i > 0) {
            sb_puts(b, " \xC2\xB7 ");
            sb_num(b, first > 0 && isfinite(c) ? 100 * c / first : NAN, 1);
            sb_puts(b, "% \xC2\xB7 \xE2\x86\x98");
            sb_num(b, prev > 0 && isfinite(c) ? 100 * c / prev : NAN, 1);
            sb_puts(b, "%");
        }
        sb_puts(b, "</text></g>\n");
        prev = c;
    }
    return close_svg(b);
}

/* ---- line chart with bands --------------------------------------------- */

int svg_line_band(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *x_labels,
                  size_t nx, const svg_series *series, size_t nseries, double ymin, double ymax, int digits)
{
    if (!b || !ctx || !id || !title || (nx && !x_labels) || (nseries && !series))
        return -1;
    for (size_t s = 0; s < nseries; s++)
        if (nx && !series[s].y)
            return -1;
    if (b->oom)
        return -1;
    size_t marks = 0;
    bool any_small = false;
    double lo = INFINITY, hi = -INFINITY;
    for (size_t s = 0; s < nseries; s++) {
        const svg_series *S = &series[s];
        for (size_t i = 0; i < nx; i++) {
            if (!isfinite(S->y[i]))
                continue;
            marks++;
            lo = fmin(lo, S->y[i]);
            hi = fmax(hi, S->y[i]);
            if (S->lo && S->hi && isfinite(S->lo[i]) && isfinite(S->hi[i])) {
                lo = fmin(lo, S->lo[i]);
                hi = fmax(hi, S->hi[i]);
            }
            if (S->small && S->small[i])
                any_small = true;
        }
    }
    if (!marks)
        return no_data(b, ctx, id, title);
    if (isfinite(ymin))
        lo = ymin;
    if (isfinite(ymax))
        hi = ymax;
    lay L = {ctx->rtl}, *l = &L;
    const char **names = malloc((nseries ? nseries : 1) * sizeof *names);
    if (!names) {
        b->oom = true;
        return -1;
    }
    for (size_t s = 0; s < nseries; s++)
        names[s] = nz(series[s].name);
    double legend_h = nseries > 1 ? legend_row(b, l, names, nseries, 56, 14, false) : 0;
    double top = legend_h + 10, ph = 200, x0 = 56, x1 = W - 16;
    double bottom = top + ph, h = bottom + 32 + (any_small ? 20 : 0);
    ticks t = nice_ticks(lo, hi, 4);
    if (isfinite(ymin) && isfinite(ymax) && ymax > ymin) { /* the caller's range as it is */
        t.lo = ymin;
        t.hi = ymax;
    }
    open_svg(b, id, title, marks, h, NULL);
    if (nseries > 1)
        legend_row(b, l, names, nseries, 56, 14, true);
    free(names);
    /* y axis */
    for (int i = 0; i < t.n; i++) {
        double v = tick_at(&t, i), y = scale(&t, v, bottom, top);
        if (v < t.lo || v > t.hi)
            continue;
        sv(b, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"%s\"/>", mx(l, x0), y, mx(l, x1), y,
           v == 0 ? "#888" : GRID);
        sv(b, "<text x=\"%f\" y=\"%f\" dy=\"0.35em\" text-anchor=\"%s\" font-size=\"12\" fill=\"" MUTED "\">",
           mx(l, x0 - 6), y, a_end(l));
        sb_num(b, v, t.digits > digits ? t.digits : digits);
        sb_puts(b, "</text>");
    }
    sb_puts(b, "\n");
    /* x positions, and a label every k-th so that they stay ~56 units apart */
    double dx = nx > 1 ? (x1 - x0 - 16) / (double)(nx - 1) : 0, xs = nx > 1 ? x0 + 8 : (x0 + x1) / 2;
    size_t every = dx > 0 && dx < 56 ? (size_t)ceil(56 / dx) : 1;
    for (size_t i = 0; i < nx; i += every) {
        sv(b, "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"12\" fill=\"" MUTED "\">",
           mx(l, xs + dx * (double)i), bottom + 21);
        sb_label(b, nz(x_labels[i]), 10);
        sb_puts(b, "</text>");
    }
    sb_puts(b, "\n");
    for (size_t s = 0; s < nseries; s++) {
        const svg_series *S = &series[s];
        const char *col = colour(s);
        /* the band: a polygon per run of x with both lo and hi */
        if (S->lo && S->hi) {
            size_t i = 0;
            while (i < nx) {
                if (!isfinite(S->lo[i]) || !isfinite(S->hi[i])) {
                    i++;
                    continue;
                }
                size_t j = i;
                while (j < nx && isfinite(S->lo[j]) && isfinite(S->hi[j]))
                    j++;
                sv(b, "<path class=\"band\" fill=\"%s\" fill-opacity=\"0.15\" d=\"", col);
                for (size_t k = i; k < j; k++)
                    sv(b, "%s%f %f", k == i ? "M" : "L", mx(l, xs + dx * (double)k), yclamp(&t, S->hi[k], bottom, top));
                for (size_t k = j; k-- > i;)
                    sv(b, "L%f %f", mx(l, xs + dx * (double)k), yclamp(&t, S->lo[k], bottom, top));
                if (j - i == 1) /* one x: a small bar */
                    sv(b, "h%fV%fZ\"/>", l->rtl ? 3.0 : -3.0, yclamp(&t, S->hi[i], bottom, top));
                else
                    sb_puts(b, "Z\"/>");
                i = j;
            }
        }
        /* the line, broken where y is NaN */
        sv(b, "<path class=\"line\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\" d=\"", col);
        bool pen = false;
        for (size_t i = 0; i < nx; i++) {
            if (!isfinite(S->y[i])) {
                pen = false;
                continue;
            }
            sv(b, "%s%f %f", pen ? "L" : "M", mx(l, xs + dx * (double)i), yclamp(&t, S->y[i], bottom, top));
            pen = true;
        }
        sb_puts(b, "\"/>\n");
        for (size_t i = 0; i < nx; i++) {
            if (!isfinite(S->y[i]))
                continue;
            bool sm = S->small && S->small[i];
            sv(b, "<circle class=\"mark%s\" cx=\"%f\" cy=\"%f\" r=\"3.5\"", sm ? " small" : "",
               mx(l, xs + dx * (double)i), yclamp(&t, S->y[i], bottom, top));
            if (sm)
                sv(b, " fill=\"#fff\" stroke=\"%s\" stroke-dasharray=\"2 1\"", col);
            else
                sv(b, " fill=\"%s\"", col);
            sb_puts(b, ">");
            mark_title(b, ctx, nz(x_labels[i]), S->name, S->y[i], digits, NULL, S->n ? &S->n[i] : NULL);
            sb_puts(b, "</circle>");
        }
        sb_puts(b, "\n");
    }
    if (any_small)
        small_legend(b, l, ctx, x0, h - 6);
    return close_svg(b);
}

/* ---- heatmap ----------------------------------------------------------- */

/* the sequential blue scale from #f1f6fb (0) to #08306b (1) */
static void heat_colour(char out[8], double t)
{
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    int r = (int)lround(0xf1 + (0x08 - 0xf1) * t), g = (int)lround(0xf6 + (0x30 - 0xf6) * t),
        bl = (int)lround(0xfb + (0x6b - 0xfb) * t);
    snprintf(out, 8, "#%02x%02x%02x", (unsigned)r & 0xff, (unsigned)g & 0xff, (unsigned)bl & 0xff);
}

int svg_heatmap(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *rows,
                size_t nrow, const char *const *cols, size_t ncol, const double *v, const double *row_n,
                int digits, double scale_by, const char *unit)
{
    if (!b || !ctx || !id || !title || (nrow && !rows) || (ncol && !cols) || (nrow && ncol && !v))
        return -1;
    if (b->oom)
        return -1;
    if (ncol && nrow > SIZE_MAX / ncol)
        return -1;
    if (!isfinite(scale_by))
        scale_by = 1;
    size_t marks = 0;
    double max = 0;
    for (size_t i = 0; i < nrow * ncol; i++)
        if (isfinite(v[i])) {
            marks++;
            max = fmax(max, v[i]);
        }
    if (!marks)
        return no_data(b, ctx, id, title);
    lay L = {ctx->rtl}, *l = &L;
    const double lw = 170, top = 22, ch = 24;
    double cw = (W - lw - 8) / (double)ncol;
    if (cw > 64)
        cw = 64;
    double fs = cw >= 44 ? 12 : cw >= 30 ? 10 : 0; /* no written value when too narrow: the tooltip has it */
    double h = top + ch * (double)nrow + 30;
    open_svg(b, id, title, marks, h, NULL);
    size_t every = cw < 30 ? (size_t)ceil(30 / cw) : 1;
    for (size_t j = 0; j < ncol; j += every) {
        sv(b, "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"12\" fill=\"" MUTED "\">",
           mx(l, lw + cw * ((double)j + 0.5)), top - 8);
        sb_label(b, nz(cols[j]), cw >= 44 ? 8 : 4);
        sb_puts(b, "<title>");
        sb_esc(b, nz(cols[j]), (size_t)-1);
        sb_puts(b, "</title></text>");
    }
    sb_puts(b, "\n");
    for (size_t i = 0; i < nrow; i++) {
        double y = top + ch * (double)i;
        sv(b, "<g><text class=\"label\" x=\"%f\" y=\"%f\" dy=\"0.35em\" text-anchor=\"%s\">", mx(l, lw - 6), y + ch / 2,
           a_end(l));
        rtl_begin(b, l);
        sb_label(b, nz(rows[i]), row_n ? 14 : 22);
        if (row_n && isfinite(row_n[i])) {
            sv(b, "<tspan fill=\"" MUTED "\" font-size=\"12\"> (");
            sb_esc(b, ctx->n_label ? ctx->n_label : "n", (size_t)-1);
            sb_puts(b, "=");
            sb_num(b, row_n[i], 0);
            sb_puts(b, ")</tspan>");
        }
        rtl_end(b, l);
        sb_puts(b, "<title>");
        sb_esc(b, nz(rows[i]), (size_t)-1);
        sb_puts(b, "</title></text>\n");
        for (size_t j = 0; j < ncol; j++) {
            double x = v[i * ncol + j];
            if (!isfinite(x))
                continue;
            double r = max > 0 && x > 0 ? x / max : 0;
            char fill[8];
            heat_colour(fill, r);
            double cx = lw + cw * (double)j;
            sv(b, "<rect class=\"mark\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"%s\" stroke=\"#fff\">",
               mrect(l, cx, cw), y, cw, ch, fill);
            sb_puts(b, "<title>");
            sb_esc(b, nz(rows[i]), (size_t)-1);
            sb_puts(b, " \xE2\x80\x94 ");
            sb_esc(b, nz(cols[j]), (size_t)-1);
            sb_puts(b, ": ");
            sb_num(b, x * scale_by, digits);
            if (unit)
                sb_esc(b, unit, (size_t)-1);
            if (row_n && isfinite(row_n[i])) {
                sb_puts(b, ", ");
                sb_esc(b, ctx->n_label ? ctx->n_label : "n", (size_t)-1);
                sb_puts(b, "=");
                sb_num(b, row_n[i], 0);
            }
            sb_puts(b, "</title></rect>");
            if (fs > 0) {
                sv(b, "<text x=\"%f\" y=\"%f\" dy=\"0.35em\" text-anchor=\"middle\" font-size=\"%f\" fill=\"%s\">",
                   mx(l, cx + cw / 2), y + ch / 2, fs, r > 0.5 ? "#fff" : INK);
                sb_num(b, x * scale_by, digits);
                if (unit && fs >= 12)
                    sb_esc(b, unit, (size_t)-1);
                sb_puts(b, "</text>");
            }
        }
        sb_puts(b, "</g>\n");
    }
    /* the scale: five swatches from 0 to the largest value */
    double ly = top + ch * (double)nrow + 10;
    for (int k = 0; k < 5; k++) {
        char fill[8];
        heat_colour(fill, k / 4.0);
        sv(b, "<rect class=\"legend\" x=\"%f\" y=\"%f\" width=\"20\" height=\"10\" fill=\"%s\"/>",
           mrect(l, lw + 30 + 20 * k, 20), ly, fill);
    }
    sv(b, "<text x=\"%f\" y=\"%f\" text-anchor=\"%s\" font-size=\"12\" fill=\"" MUTED "\">0</text>", mx(l, lw + 26),
       ly + 9, a_end(l));
    sv(b, "<text x=\"%f\" y=\"%f\" text-anchor=\"%s\" font-size=\"12\" fill=\"" MUTED "\">", mx(l, lw + 134), ly + 9,
       a_start(l));
    sb_num(b, max * scale_by, digits);
    if (unit)
        sb_esc(b, unit, (size_t)-1);
    sb_puts(b, "</text>\n");
    return close_svg(b);
}

/* ---- Sankey ------------------------------------------------------------ */

typedef struct snode {
    size_t pos;
    const char *name;
    double count;
    size_t colour;      /* index of the step name, in order of first appearance */
    size_t rank;        /* place in the drawing order (column, then larger first) */
    double y, h;        /* top and height, after layout */
    double out_y, in_y; /* where the next outgoing / incoming link attaches */
} snode;

typedef struct slink {
    size_t from, to;
    double count;
    size_t rank_from, rank_to; /* the places of its nodes in the drawing order */
} slink;

static int link_cmp(const void *pa, const void *pb)
{
    const slink *a = pa, *b = pb;
    if (a->rank_from != b->rank_from)
        return a->rank_from < b->rank_from ? -1 : 1;
    return (a->rank_to > b->rank_to) - (a->rank_to < b->rank_to);
}

static size_t find_node(snode *nodes, size_t *nn, size_t pos, const char *name)
{
    for (size_t k = 0; k < *nn; k++)
        if (nodes[k].pos == pos && strcmp(nodes[k].name, name) == 0)
            return k;
    nodes[*nn] = (snode){.pos = pos, .name = name};
    return (*nn)++;
}

/* nodes of a column in order: larger first, then first seen */
static int node_cmp(const snode *a, const snode *b, size_t ia, size_t ib)
{
    if (a->pos != b->pos)
        return a->pos < b->pos ? -1 : 1;
    if (a->count != b->count)
        return a->count > b->count ? -1 : 1;
    return ia < ib ? -1 : ia > ib;
}

int svg_sankey(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const svg_flow *paths,
               size_t npaths)
{
    if (!b || !ctx || !id || !title || (npaths && !paths))
        return -1;
    size_t cap = 0;
    for (size_t p = 0; p < npaths; p++) {
        if (paths[p].nsteps && !paths[p].steps)
            return -1;
        for (size_t k = 0; k < paths[p].nsteps; k++)
            if (!paths[p].steps[k])
                return -1;
        if (cap > SIZE_MAX / sizeof(snode) - paths[p].nsteps)
            return -1;
        cap += paths[p].nsteps;
    }
    if (b->oom)
        return -1;
    snode *nodes = malloc((cap ? cap : 1) * sizeof *nodes);
    slink *links = malloc((cap ? cap : 1) * sizeof *links);
    size_t *order = malloc((cap ? cap : 1) * sizeof *order);
    if (!nodes || !links || !order) {
        free(nodes), free(links), free(order);
        b->oom = true;
        return -1;
    }
    size_t nn = 0, nl = 0, ncolumn = 0;
    for (size_t p = 0; p < npaths; p++) {
        const svg_flow *f = &paths[p];
        if (!(f->count > 0) || !isfinite(f->count) || !f->nsteps)
            continue; /* a path nobody took draws nothing */
        size_t prev = SIZE_MAX;
        for (size_t k = 0; k < f->nsteps; k++) {
            size_t at = find_node(nodes, &nn, k, f->steps[k]);
            nodes[at].count += f->count;
            if (prev != SIZE_MAX) {
                size_t q = 0;
                while (q < nl && !(links[q].from == prev && links[q].to == at))
                    q++;
                if (q == nl)
                    links[nl++] = (slink){prev, at, 0, 0, 0};
                links[q].count += f->count;
            }
            prev = at;
        }
        if (f->nsteps > ncolumn)
            ncolumn = f->nsteps;
    }
    if (!nn) {
        free(nodes), free(links), free(order);
        return no_data(b, ctx, id, title);
    }
    /* colours by step name */
    size_t ncolour = 0;
    for (size_t k = 0; k < nn; k++) {
        size_t c = ncolour;
        for (size_t j = 0; j < k; j++)
            if (strcmp(nodes[j].name, nodes[k].name) == 0) {
                c = nodes[j].colour;
                break;
            }
        if (c == ncolour)
            ncolour++;
        nodes[k].colour = c;
    }
    /* order: by column, larger first (insertion sort: a report's flows are small) */
    for (size_t k = 0; k < nn; k++) {
        size_t j = k;
        while (j > 0 && node_cmp(&nodes[k], &nodes[order[j - 1]], k, order[j - 1]) < 0) {
            order[j] = order[j - 1];
            j--;
        }
        order[j] = k;
    }
    /* column sizes */
    size_t maxrows = 0;
    double maxtotal = 0;
    for (size_t a = 0; a < nn;) {
        size_t z = a;
        double total = 0;
        while (z < nn && nodes[order[z]].pos == nodes[order[a]].pos)
            total += nodes[order[z++]].count;
        if (z - a > maxrows)
            maxrows = z - a;
        maxtotal = fmax(maxtotal, total);
        a = z;
    }
    lay L = {ctx->rtl}, *l = &L;
    const double gap = 16, nw = 10, top = 10;
    double ph = fmax(180, (double)maxrows * 32);
    double k_scale = (ph - gap * (double)(maxrows - 1)) / maxtotal;
    double h = top + ph + 10;
    /* columns: node k's left edge; the last column's labels go before it */
    double x_first = 8, x_last = W - 8 - nw;
    double colgap = ncolumn > 1 ? (x_last - x_first) / (double)(ncolumn - 1) : 0;
    if (ncolumn == 1)
        x_first = (W - nw) / 2 - 60;
    size_t lab_max = ncolumn > 1 ? (size_t)fmax(6, fmin(LABEL_MAX, (colgap - nw - 50) / 6.5)) : LABEL_MAX;
    for (size_t a = 0; a < nn;) {
        size_t z = a;
        double y = top;
        while (z < nn && nodes[order[z]].pos == nodes[order[a]].pos) {
            snode *N = &nodes[order[z++]];
            N->h = fmax(1, N->count * k_scale);
            N->y = N->out_y = N->in_y = y;
            y += N->h + gap;
        }
        a = z;
    }
    /* links in order of their source's place, then their target's, so
     * that bands leave and reach each node from top to bottom uncrossed */
    for (size_t o = 0; o < nn; o++)
        nodes[order[o]].rank = o;
    for (size_t q = 0; q < nl; q++) {
        links[q].rank_from = nodes[links[q].from].rank;
        links[q].rank_to = nodes[links[q].to].rank;
    }
    qsort(links, nl, sizeof *links, link_cmp);
    char extra[96];
    snprintf(extra, sizeof extra, " data-nodes=\"%zu\" data-links=\"%zu\"", nn, nl);
    open_svg(b, id, title, nn + nl, h, extra);
    for (size_t q = 0; q < nl; q++) {
        snode *A = &nodes[links[q].from], *B = &nodes[links[q].to];
        double w = fmax(0.5, links[q].count * k_scale);
        double xa = x_first + colgap * (double)A->pos + nw, xb = x_first + colgap * (double)B->pos;
        double ya = A->out_y, yb = B->in_y, xm = (xa + xb) / 2;
        A->out_y += w;
        B->in_y += w;
        sv(b, "<path class=\"mark link\" fill=\"%s\" fill-opacity=\"0.35\" d=\"M%f %fC%f %f %f %f %f %fL%f "
              "%fC%f %f %f %f %f %fZ\">",
           colour(A->colour), mx(l, xa), ya, mx(l, xm), ya, mx(l, xm), yb, mx(l, xb), yb, mx(l, xb), yb + w,
           mx(l, xm), yb + w, mx(l, xm), ya + w, mx(l, xa), ya + w);
        sb_puts(b, "<title>");
        sb_esc(b, A->name, (size_t)-1);
        sb_puts(b, " \xE2\x86\x92 "); /* → */
        sb_esc(b, B->name, (size_t)-1);
        sb_puts(b, ": ");
        sb_num(b, links[q].count, 0);
        sb_puts(b, "</title></path>\n");
    }
    for (size_t o = 0; o < nn; o++) {
        snode *N = &nodes[order[o]];
        double x = x_first + colgap * (double)N->pos;
        sv(b, "<g><rect class=\"mark node\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"%s\">",
           mrect(l, x, nw), N->y, nw, N->h, colour(N->colour));
        mark_title(b, ctx, N->name, NULL, N->count, 0, NULL, NULL);
        sb_puts(b, "</rect>");
        bool before = ncolumn > 1 && N->pos == ncolumn - 1; /* the last column's labels go before the node */
        sv(b, "<text class=\"label\" x=\"%f\" y=\"%f\" dy=\"0.35em\" text-anchor=\"%s\" font-size=\"12\""
              " stroke=\"#fff\" stroke-width=\"3\" stroke-opacity=\"0.8\" paint-order=\"stroke\">",
           mx(l, before ? x - 4 : x + nw + 4), N->y + N->h / 2, before ? a_end(l) : a_start(l));
        rtl_begin(b, l);
        sb_label(b, N->name, lab_max);
        sb_puts(b, " <tspan fill=\"" MUTED "\">");
        sb_num(b, N->count, 0);
        sb_puts(b, "</tspan>");
        rtl_end(b, l);
        sb_puts(b, "</text></g>\n");
    }
    free(nodes), free(links), free(order);
    return close_svg(b);
}

/* ---- step curves ------------------------------------------------------- */

int svg_steps(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *x_label,
              const svg_curve *curves, size_t ncurves)
{
    if (!b || !ctx || !id || !title || (ncurves && !curves))
        return -1;
    for (size_t c = 0; c < ncurves; c++)
        if (curves[c].n && (!curves[c].t || !curves[c].s))
            return -1;
    if (b->oom)
        return -1;
    if (!ncurves)
        return no_data(b, ctx, id, title);
    lay L = {ctx->rtl}, *l = &L;
    double tmax = 0;
    bool any_small = false;
    for (size_t c = 0; c < ncurves; c++) {
        for (size_t i = 0; i < curves[c].n; i++)
            if (isfinite(curves[c].t[i]))
                tmax = fmax(tmax, curves[c].t[i]);
        any_small |= curves[c].small;
    }
    ticks tx = nice_ticks(0, tmax > 0 ? tmax : 1, 5);
    ticks ty = {0, 1, 0.2, 6, 0};
    const double x0 = 52, x1 = W - 16, top = 10, ph = 200;
    bool risk = false;
    for (size_t c = 0; c < ncurves; c++)
        risk |= curves[c].at_risk != NULL;
    double bottom = top + ph, ry = bottom + 58; /* the number-at-risk heading */
    double ly = risk ? ry + 16 * (double)ncurves + 26 : bottom + 50;
    double h = ly + 18 * (double)ncurves + (any_small ? 18 : 0);
    open_svg(b, id, title, ncurves, h, NULL);
    for (int i = 0; i < ty.n; i++) {
        double v = tick_at(&ty, i), y = scale(&ty, v, bottom, top);
        sv(b, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"%s\"/>", mx(l, x0), y, mx(l, x1), y,
           i == 0 ? "#888" : GRID);
        sv(b, "<text x=\"%f\" y=\"%f\" dy=\"0.35em\" text-anchor=\"%s\" font-size=\"12\" fill=\"" MUTED "\">",
           mx(l, x0 - 6), y, a_end(l));
        sb_num(b, 100 * v, 0);
        sb_puts(b, "%</text>");
    }
    for (int i = 0; i < tx.n; i++) {
        double v = tick_at(&tx, i), x = mx(l, scale(&tx, v, x0, x1));
        sv(b, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"" GRID "\"/>", x, bottom, x, bottom + 4);
        sv(b, "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"12\" fill=\"" MUTED "\">", x, bottom + 16);
        sb_num(b, v, tx.digits);
        sb_puts(b, "</text>");
    }
    if (x_label) {
        sv(b, "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"12\">", mx(l, (x0 + x1) / 2),
           bottom + 34);
        sb_label(b, x_label, 60);
        sb_puts(b, "</text>");
    }
    sb_puts(b, "\n");
    if (risk) {
        sv(b, "<text x=\"%f\" y=\"%f\" text-anchor=\"%s\" font-size=\"12\" font-weight=\"600\">", mx(l, 8), ry,
           a_start(l));
        sb_label(b, ctx->at_risk ? ctx->at_risk : "Number at risk", 40);
        sb_puts(b, "</text>\n");
        for (size_t c = 0; c < ncurves; c++) {
            const svg_curve *C = &curves[c];
            double y = ry + 16 * (double)(c + 1);
            if (!C->at_risk)
                continue;
            /* the curve's colour beside its row (the legend below names it) */
            sv(b, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"%s\" stroke-width=\"3\"%s/>", mx(l, 10),
               y - 4, mx(l, 34), y - 4, colour(c), C->small ? " stroke-dasharray=\"6 3\"" : "");
            for (int i = 0; i < tx.n; i++) {
                double v = tick_at(&tx, i), n = 0;
                for (size_t k = 0; k < C->n; k++)
                    if (isfinite(C->t[k]) && C->t[k] >= v) {
                        n = C->at_risk[k];
                        break;
                    }
                sv(b, "<text class=\"risk\" data-g=\"%z\" data-t=\"", c);
                sb_num(b, v, tx.digits);
                /* in ink: the palette's orange and yellow are too light for text */
                sv(b, "\" x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"12\">", mx(l, scale(&tx, v, x0, x1)), y);
                sb_num(b, n, 0);
                sb_puts(b, "</text>");
            }
            sb_puts(b, "\n");
        }
    }
#define PX(t) mx(l, scale(&tx, (t), x0, x1))
#define PY(s) scale(&ty, fmin(1, fmax(0, (s))), bottom, top)
    for (size_t c = 0; c < ncurves; c++) {
        const svg_curve *C = &curves[c];
        const char *col = colour(c);
        if (C->lo && C->hi) { /* bands: a step polygon per run of points with both bounds */
            size_t i = 0;
            while (i < C->n) {
                if (!isfinite(C->t[i]) || !isfinite(C->lo[i]) || !isfinite(C->hi[i])) {
                    i++;
                    continue;
                }
                size_t j = i;
                while (j < C->n && isfinite(C->t[j]) && isfinite(C->lo[j]) && isfinite(C->hi[j]))
                    j++;
                sv(b, "<path class=\"band\" fill=\"%s\" fill-opacity=\"0.15\" d=\"", col);
                for (size_t k = i; k < j; k++) {
                    double te = k + 1 < j ? C->t[k + 1] : C->t[k];
                    sv(b, "%s%f %fL%f %f", k == i ? "M" : "L", PX(C->t[k]), PY(C->hi[k]), PX(te), PY(C->hi[k]));
                }
                for (size_t k = j; k-- > i;) {
                    double te = k + 1 < j ? C->t[k + 1] : C->t[k];
                    sv(b, "L%f %fL%f %f", PX(te), PY(C->lo[k]), PX(C->t[k]), PY(C->lo[k]));
                }
                sb_puts(b, "Z\"/>\n");
                i = j;
            }
        }
        sv(b, "<path class=\"mark%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"%s d=\"M%f %f", C->small ? " small" : "",
           col, C->small ? " stroke-dasharray=\"6 3\" stroke-opacity=\"0.7\"" : "", PX(0), PY(1));
        double last = 1, tlast = 0;
        for (size_t i = 0; i < C->n; i++) {
            if (!isfinite(C->t[i]) || !isfinite(C->s[i]))
                continue;
            sv(b, "H%fV%f", PX(C->t[i]), PY(C->s[i]));
            last = C->s[i];
            tlast = C->t[i];
        }
        if (tlast <= 0) /* nothing after 0: a visible tick at the start */
            sv(b, "h%f", l->rtl ? -1.0 : 1.0);
        sb_puts(b, "\"><title>");
        sb_esc(b, nz(C->name), (size_t)-1);
        sb_puts(b, ": ");
        sb_num(b, 100 * last, 1);
        sb_puts(b, "%");
        if (isfinite(C->subjects)) {
            sb_puts(b, ", ");
            sb_esc(b, ctx->n_label ? ctx->n_label : "n", (size_t)-1);
            sb_puts(b, "=");
            sb_num(b, C->subjects, 0);
        }
        if (C->small) {
            sb_puts(b, " (");
            sb_esc(b, ctx->small_note ? ctx->small_note : "small sample", (size_t)-1);
            sb_puts(b, ")");
        }
        sb_puts(b, "</title></path>\n");
        /* legend line */
        double y = ly + 18 * (double)c;
        sv(b, "<g class=\"legend\"><line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"%s\" stroke-width=\"2\"%s/>",
           mx(l, x0), y - 4, mx(l, x0 + 20), y - 4, col, C->small ? " stroke-dasharray=\"6 3\"" : "");
        sv(b, "<text x=\"%f\" y=\"%f\" text-anchor=\"%s\" font-size=\"12\">", mx(l, x0 + 26), y, a_start(l));
        rtl_begin(b, l);
        sb_label(b, nz(C->name), 40);
        if (isfinite(C->subjects)) {
            sb_puts(b, " <tspan fill=\"" MUTED "\">(");
            sb_esc(b, ctx->n_label ? ctx->n_label : "n", (size_t)-1);
            sb_puts(b, "=");
            sb_num(b, C->subjects, 0);
            sb_puts(b, ")</tspan>");
        }
        rtl_end(b, l);
        sb_puts(b, "</text></g>\n");
    }
#undef PX
#undef PY
    if (any_small)
        small_legend(b, l, ctx, x0, ly + 18 * (double)ncurves);
    return close_svg(b);
}

/* ---- stacked bars ------------------------------------------------------ */

int svg_stacked_bars(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *x_labels,
                     size_t nx, const char *const *series_names, const unsigned char *below, size_t nseries,
                     const double *v)
{
    if (!b || !ctx || !id || !title || (nx && !x_labels) || (nseries && (!series_names || !v)))
        return -1;
    if (b->oom)
        return -1;
    size_t marks = 0;
    double up = 0, down = 0;
    for (size_t i = 0; i < nx; i++) {
        double u = 0, d = 0;
        for (size_t s = 0; s < nseries; s++) {
            double x = v[s * nx + i];
            if (!(x > 0))
                continue;
            marks++;
            if (below && below[s])
                d += x;
            else
                u += x;
        }
        up = fmax(up, u);
        down = fmax(down, d);
    }
    if (!marks)
        return no_data(b, ctx, id, title);
    lay L = {ctx->rtl}, *l = &L;
    double legend_h = legend_row(b, l, series_names, nseries, 56, 14, false);
    double top = legend_h + 10, ph = 240, x0 = 56, x1 = W - 16;
    double bottom = top + ph, h = bottom + 32;
    ticks t = nice_ticks(-down, up, 6);
    open_svg(b, id, title, marks, h, NULL);
    legend_row(b, l, series_names, nseries, 56, 14, true);
    for (int i = 0; i < t.n; i++) {
        double tv = tick_at(&t, i), y = scale(&t, tv, bottom, top);
        sv(b, "<line x1=\"%f\" y1=\"%f\" x2=\"%f\" y2=\"%f\" stroke=\"%s\"/>", mx(l, x0), y, mx(l, x1), y,
           tv == 0 ? "#888" : GRID);
        sv(b, "<text x=\"%f\" y=\"%f\" dy=\"0.35em\" text-anchor=\"%s\" font-size=\"12\" fill=\"" MUTED "\">",
           mx(l, x0 - 6), y, a_end(l));
        sb_num(b, fabs(tv), t.digits); /* counts: the bars below the line are counts too */
        sb_puts(b, "</text>");
    }
    sb_puts(b, "\n");
    double slot = nx ? (x1 - x0) / (double)nx : 0, bw = slot * 0.72;
    size_t every = slot > 0 && slot < 56 ? (size_t)ceil(56 / slot) : 1;
    for (size_t i = 0; i < nx; i += every) {
        sv(b, "<text x=\"%f\" y=\"%f\" text-anchor=\"middle\" font-size=\"12\" fill=\"" MUTED "\">",
           mx(l, x0 + slot * ((double)i + 0.5)), bottom + 18);
        sb_label(b, nz(x_labels[i]), 10);
        sb_puts(b, "</text>");
    }
    sb_puts(b, "\n");
    for (size_t i = 0; i < nx; i++) {
        double yu = 0, yd = 0, xl = x0 + slot * (double)i + (slot - bw) / 2;
        for (size_t s = 0; s < nseries; s++) {
            double x = v[s * nx + i];
            if (!(x > 0))
                continue;
            bool dn = below && below[s];
            double a = dn ? -yd : yu, z = dn ? -(yd + x) : yu + x;
            double ya = scale(&t, a, bottom, top), yz = scale(&t, z, bottom, top);
            sv(b, "<rect class=\"mark\" x=\"%f\" y=\"%f\" width=\"%f\" height=\"%f\" fill=\"%s\">",
               mrect(l, xl, bw), fmin(ya, yz), bw, fabs(ya - yz), colour(s));
            mark_title(b, ctx, nz(x_labels[i]), nz(series_names[s]), x, 0, NULL, NULL);
            sb_puts(b, "</rect>");
            if (dn)
                yd += x;
            else
                yu += x;
        }
        sb_puts(b, "\n");
    }
    return close_svg(b);
}

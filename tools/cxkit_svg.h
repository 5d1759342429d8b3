/*
 * Inline SVG charts for `cxkit report` (tools/cxkit_report.c), and the
 * growable text buffer they are written into. Private to the tool.
 *
 * Every chart is one <svg> element, sized by its viewBox (it scales to the
 * width of its container, so it fits a phone and prints), with
 *
 *   <svg class="chart" data-chart="ID" data-marks="K" role="img"
 *        aria-label="TITLE" viewBox="0 0 W H" style="direction:ltr" ...>
 *     <title>TITLE</title> ...
 *
 * Each drawn datum is an element of class "mark" (plus "small" when its
 * sample is small), with a <title> child naming its label, its value and its
 * sample size: the report's test counts them. Axes, grid lines, labels,
 * bands and legends never carry the class "mark". K is the number of marks
 * drawn. A chart with nothing to draw is still an <svg class="chart"> with
 * data-marks="0" and the ctx->no_data text.
 *
 * All text (labels, names, titles) is escaped for HTML and SVG (sb_esc), so
 * what customers and CRMs wrote stays text. Numbers are written with '.'
 * whatever the locale. The svg root always has direction:ltr; an Arabic page
 * sets ctx->rtl, which mirrors the layout instead (category labels on the
 * right, bars growing leftwards, time running from right to left).
 *
 * The functions return 0, or -1 when memory ran out (the buffer's oom flag
 * is then set, and stays set).
 */
#ifndef CXKIT_SVG_H
#define CXKIT_SVG_H

#include <stdbool.h>
#include <stddef.h>

typedef struct sbuf {
    char *p;
    size_t len, cap;
    bool oom;
} sbuf;

void sb_put(sbuf *b, const char *s, size_t n);
void sb_puts(sbuf *b, const char *s);
void sb_printf(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Text escaped for HTML/SVG element content and attribute values (& < > "
 * '); bytes that are not valid UTF-8 become U+FFFD, control characters
 * other than tab and newline are dropped. n (size_t)-1: up to the NUL. */
void sb_esc(sbuf *b, const char *s, size_t n);
/* A number for people: `digits` after the point (trailing zeros kept),
 * "-" rather than "-0", and "–" (en dash) for NaN or infinity. */
void sb_num(sbuf *b, double v, int digits);
void sb_free(sbuf *b);

typedef struct svg_ctx {
    bool rtl;                /* mirror the layout (see above) */
    const char *no_data;     /* shown when a chart has nothing to draw */
    const char *small_note;  /* legend of small samples: "small sample (n < 30)" */
    const char *n_label;     /* before a sample size in tooltips: "n" */
    const char *at_risk;     /* the heading of the number-at-risk rows: "Number at risk" */
} svg_ctx;

/* Line chart with a confidence band: x is a sequence of labels (months),
 * each series a line with a dot per x whose y is not NaN. lo/hi (NULL or
 * NaN: no band at that x), n (NULL: not shown) and small (NULL: none small)
 * are per x. ymin/ymax: the axis range, NaN to take it from the data and
 * the bands. Marks: the dots, one per non-NaN y. */
typedef struct svg_series {
    const char *name;
    const double *y, *lo, *hi, *n;
    const unsigned char *small;
} svg_series;
int svg_line_band(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *x_labels,
                  size_t nx, const svg_series *series, size_t nseries, double ymin, double ymax, int digits);

/* Horizontal bars, one per label, from a zero line (values may be
 * negative: NPS), with whiskers from lo to hi when given (NULL, or NaN at a
 * row: none). n and small as above. unit (NULL: none) follows each value
 * ("%"). Marks: the bars, one per non-NaN value; a NaN row keeps its label
 * and shows the en dash. */
int svg_hbars(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *labels,
              const double *v, const double *lo, const double *hi, const double *n, const unsigned char *small,
              size_t count, int digits, const char *unit);

/* Grouped horizontal bars: per category, a bar per series (a legend names
 * them, each series its own colour). v is ncat * nseries, category by
 * category. Marks: one per non-NaN value. */
int svg_grouped_hbars(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *cats,
                      size_t ncat, const char *const *series_names, size_t nseries, const double *v, int digits);

/* A funnel: a centred bar per step, its width the count, labelled with the
 * count, the share of the first step and of the previous one. Marks: the
 * steps, one each (a step with count 0 is still a mark, of zero width). */
int svg_funnel(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *steps,
               const double *count, size_t n);

/* A journey flow (Sankey) of paths: column k holds the steps seen at
 * position k of a path; a node is a distinct (position, step), its height
 * the journeys through it; a link is a distinct (position, step, next
 * step), its width the journeys taking it. Marks: every node (class "mark
 * node") and every link (class "mark link"); the root element also carries
 * data-nodes and data-links. */
typedef struct svg_flow {
    const char *const *steps;
    size_t nsteps;
    double count;
} svg_flow;
int svg_sankey(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const svg_flow *paths,
               size_t npaths);

/* A heatmap: rows (cohorts) by columns (periods), the colour the value
 * (scale from 0 to the largest value), the value written in the cell.
 * v is nrow * ncol, row by row; NaN: an empty cell, not a mark. row_n
 * (NULL: not shown) labels each row with its size. unit as for svg_hbars;
 * scale multiplies the written value (100 for a share shown in %). Marks:
 * the non-NaN cells. */
int svg_heatmap(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *rows,
                size_t nrow, const char *const *cols, size_t ncol, const double *v, const double *row_n,
                int digits, double scale, const char *unit);

/* Step curves (Kaplan-Meier) with their bands: per curve, n points (t
 * ascending, s the value from t on, lo/hi the band, NULL for none); the
 * curve starts at (0, 1). Marks: the curves, one each (a path of class
 * "mark"), with the name, subjects and small flag in its title and legend.
 * at_risk (NULL: none) is per point the subjects at risk just before t;
 * when a curve has it, rows under the axis give the number at risk at each
 * x tick (at_risk of the first point at or after the tick, 0 past the
 * last), one row per curve in its colour: <text class="risk" data-g="CURVE
 * INDEX" data-t="TICK"> elements, for the report's test. */
typedef struct svg_curve {
    const char *name;
    const double *t, *s, *lo, *hi;
    size_t n;
    double subjects;
    bool small;
    const double *at_risk;
} svg_curve;
int svg_steps(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *x_label,
              const svg_curve *curves, size_t ncurves);

/* Stacked vertical bars per x (a period): each series a colour (a legend
 * names them); series flagged `below` stack downwards from the zero line
 * (PostHog's dormant customers), the others upwards. v is nseries * nx,
 * series by series; values are counts (>= 0; NaN or 0 draws nothing).
 * Marks: one rect per value > 0. */
int svg_stacked_bars(sbuf *b, const svg_ctx *ctx, const char *id, const char *title, const char *const *x_labels,
                     size_t nx, const char *const *series_names, const unsigned char *below, size_t nseries,
                     const double *v);

#endif

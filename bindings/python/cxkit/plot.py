"""cxkit.plot: matplotlib charts of CXKit results, in the look of the HTML report.

_install() adds the methods (cxkit/__init__.py calls it):
  Result.plot(ax=None, **kw)   a metric table (by a time bucket: a line with
                               its confidence band; by a category: bars with
                               whiskers and sample sizes), a funnel
                               (Journeys.funnel()), a cohort table (cohorts():
                               a retention heatmap) or survival curves
                               (Survival.curve(): steps with bands), chosen by
                               the result's columns;
  Survival.plot(ax=None, **kw) its curves with their bands;
  Model.plot(summary, ax=None, **kw)
                               a BG/NBD or Pareto/NBD fit: the expected and
                               the actual number of customers by number of
                               repeat purchases.
Each returns the matplotlib Axes it drew on. matplotlib is imported only when
a chart is drawn (with the Agg backend when there is no display), never by
`import cxkit`. The look (colours, lightness of bands and small samples, the
"n" labels, the titles) is the report's (tools/cxkit_svg.c, cxkit_report.c),
kept in STYLE.
"""
import math

import cxkit

# One place for the look, the same as the report's SVG charts.
STYLE = {
    # Okabe & Ito (2008), in the report's order: yellow (light on white) and black last
    "palette": ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"),
    "ink": "#222222",
    "muted": "#666666",
    "grid": "#dddddd",
    "axis": "#888888",
    "band_alpha": 0.15,        # confidence bands (fill-opacity 0.15)
    "small_alpha": 0.35,       # marks resting on a small sample (fill-opacity 0.35, dashed outline)
    "small_dashes": (0, (3, 2)),
    "small_curve_dashes": (0, (6, 3)),  # a survival curve of a small group (stroke-dasharray 6 3, opacity 0.7)
    "small_curve_alpha": 0.7,
    "small_n": 30,             # QUERY_MIN_N_DEFAULT: a survival group smaller than this is a small sample
    "heat": ("#f1f6fb", "#08306b"),  # the sequential blue scale of the retention heatmap
    "n_label": "n",
    "small_note": "small sample",
    "font_size": 10,
    "titles": {
        "nps": "NPS", "csat": "CSAT", "ces": "CES", "fcr": "FCR",
        "funnel": "Funnel",
        "cohorts": "Retention by cohort (%)",
        "survival": "Survival",
        "survival_by": "Survival by %s",
        "days": "days since the first activity",
        "fit": "Repeat purchases: expected vs actual (%s)",
        "fit_x": "repeat purchases in the calibration period",
        "fit_y": "customers",
        "expected": "expected",
        "actual": "actual",
        "none": "(none)",
    },
}

_MODEL_NAMES = {"bgnbd": "BG/NBD", "pareto_nbd": "Pareto/NBD"}
_TIME_BUCKETS = ("hour", "day", "week", "month", "quarter", "year")


# ---- matplotlib, on demand ----------------------------------------------------------

def _pyplot():
    """matplotlib.pyplot, imported here only; Agg when there is no display
    (chosen before pyplot's first import only: switching later would close
    the caller's figures)."""
    import os
    import sys
    import matplotlib
    if "matplotlib.pyplot" not in sys.modules and "MPLBACKEND" not in os.environ and \
            not os.environ.get("DISPLAY") and not os.environ.get("WAYLAND_DISPLAY"):
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def _axes(ax, title, size=(6.4, 3.6)):
    if ax is None:
        plt = _pyplot()
        _fig, ax = plt.subplots(figsize=size, layout="constrained")
    else:
        _pyplot()
    ax.set_title(title, loc="left", fontsize=STYLE["font_size"] + 2, color=STYLE["ink"])
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(STYLE["axis"])
    ax.tick_params(colors=STYLE["muted"], labelsize=STYLE["font_size"])
    return ax


def _colour(i):
    p = STYLE["palette"]
    return p[i % len(p)]


def _light(col):
    """A small sample's fill: its colour at the report's fill-opacity (the
    outline stays full, dashed)."""
    from matplotlib.colors import to_rgba
    return to_rgba(col, STYLE["small_alpha"])


def _small_legend(ax):
    """The report's "small sample" legend entry, a light dashed swatch, on
    the title's line (clear of the marks)."""
    from matplotlib.patches import Patch
    swatch = Patch(facecolor=_light(STYLE["muted"]), edgecolor=STYLE["muted"], linestyle=STYLE["small_dashes"])
    ax.legend([swatch], [STYLE["small_note"]], loc="lower right", bbox_to_anchor=(1, 1), borderaxespad=0.2,
              frameon=False, fontsize=STYLE["font_size"])


def _finite(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _label(v):
    return STYLE["titles"]["none"] if v is None or v == "" else str(v)


# ---- Result.plot: which table is it? ------------------------------------------------

def _result_plot(self, ax=None, measure=None, **kw):
    """Draw this result with matplotlib (imported now) and return the Axes.

    Which chart depends on the columns: a survival curve (Survival.curve():
    steps with 95 % bands, one colour a group), a funnel (Journeys.funnel():
    the customers entering each step), a cohort table (cohorts(): a
    retention heatmap), else a metric table (Query.run()): `measure` (the
    first measure with an interval when None) by the first column, a line
    with its band when that column is a time bucket, bars with whiskers and
    sample sizes when it is a category. ax: the Axes to draw on (None: a new
    figure). Other keywords: title (and, for survival curves, by: what the
    groups are, for the title).
    Raises ValueError (naming Result.plot) when the columns needed are missing."""
    cols = self.to_dict()
    names = list(cols)
    if measure is None:
        if {"time", "survival", "lo", "hi"} <= set(names):
            return _survival(cols, ax, **kw)
        if {"name", "entered", "conversion_first"} <= set(names):
            return _funnel(cols, ax, **kw)
        if {"cohort_label", "period", "retention", "size"} <= set(names):
            return _cohorts(cols, ax, **kw)
        measure = next((c for c in names if c + "_lo" in cols and c + "_hi" in cols), None)
        if measure is None:
            raise ValueError(
                "Result.plot: no chart for columns %s: it needs a measure with its interval (<m>, <m>_lo, <m>_hi, "
                "as Query.run() gives), a funnel (name, entered, conversion_first), cohorts (cohort_label, "
                "period, retention, size) or a survival curve (group, time, survival, lo, hi)"
                % ", ".join(names))
    missing = [c for c in (measure, measure + "_lo", measure + "_hi") if c not in cols]
    if missing:
        raise ValueError("Result.plot: measure %r: the result has no column %s (it has %s)"
                         % (measure, ", ".join(missing), ", ".join(names)))
    if not names or names[0] == measure:
        raise ValueError("Result.plot: measure %r: the result has no grouping column before it" % measure)
    return _metric(cols, names[0], measure, ax, **kw)


# ---- metrics ------------------------------------------------------------------------

def _metric(cols, dim, m, ax=None, title=None):
    import datetime
    x = cols[dim]
    y, lo, hi = cols[m], cols[m + "_lo"], cols[m + "_hi"]
    n = cols.get(m + "_n", [None] * len(y))
    small = [bool(s) for s in cols.get(m + "_small", [False] * len(y))]
    title = title or STYLE["titles"].get(m, m.upper() if len(m) <= 4 else m)
    if dim in _TIME_BUCKETS or any(isinstance(v, datetime.datetime) for v in x):
        # the buckets' own labels ("2025-03", in the query's time zone) when
        # the result has them, as the report does
        labels = cols.get(dim + "_label") or [v.isoformat()[:10] if v is not None else "" for v in x]
        return _metric_line(ax, title, labels, y, lo, hi, small)
    return _metric_bars(ax, title, [_label(v) for v in x], y, lo, hi, n, small)


def _nan(v):
    return v if _finite(v) else float("nan")


def _metric_line(ax, title, labels, y, lo, hi, small):
    """A line with its band, a point a bucket (lighter where it rests on a
    small sample), buckets evenly spaced and labelled, like the report's
    trend charts."""
    import numpy as np
    ax = _axes(ax, title)
    col = _colour(0)
    xs = np.arange(len(labels))
    ys = np.array([_nan(v) for v in y])
    los = np.array([_nan(v) for v in lo])
    his = np.array([_nan(v) for v in hi])
    sm = np.array(small, dtype=bool)
    ax.fill_between(xs, los, his, where=np.isfinite(los) & np.isfinite(his), color=col,
                    alpha=STYLE["band_alpha"], linewidth=0, label="95 % interval")
    ax.plot(xs, ys, color=col, linewidth=2)
    big = ~sm & np.isfinite(ys)
    ax.scatter(xs[big], ys[big], s=30, color=col, zorder=3)
    sm &= np.isfinite(ys)
    if sm.any():
        ax.scatter(xs[sm], ys[sm], s=36, facecolor=_light(col), edgecolor=col, linewidths=1.2,
                   linestyle=STYLE["small_dashes"], zorder=3)
        _small_legend(ax)
    every = max(1, -(-len(labels) // 8))  # at most 8 labels
    ax.set_xticks(xs[::every], [labels[i] for i in range(0, len(labels), every)])
    ax.set_xlim(-0.5, len(labels) - 0.5)
    ax.grid(axis="y", color=STYLE["grid"])
    ax.set_axisbelow(True)
    return ax


def _metric_bars(ax, title, labels, y, lo, hi, n, small):
    """Horizontal bars with whiskers for the interval, "n=" beside each,
    small samples lighter and dashed, like the report's bar charts."""
    k = len(labels)
    ax = _axes(ax, title, size=(6.4, 0.6 + 0.32 * max(k, 1)))
    col = _colour(0)
    pos = list(range(k))
    vals = [_nan(v) for v in y]
    bars = ax.barh(pos, [v if math.isfinite(v) else 0 for v in vals], height=0.62, color=col)
    for b, s, v in zip(bars, small, vals):
        if s:
            b.set_facecolor(_light(col))
            b.set_edgecolor(col)
            b.set_linestyle(STYLE["small_dashes"])
        if not math.isfinite(v):
            b.set_visible(False)
    whisk = [i for i in pos if _finite(lo[i]) and _finite(hi[i])]
    if whisk:
        ax.errorbar([vals[i] for i in whisk], whisk,
                    xerr=[[vals[i] - lo[i] for i in whisk], [hi[i] - vals[i] for i in whisk]],
                    fmt="none", ecolor=STYLE["ink"], elinewidth=1, capsize=3)
    ends = [max(hi[i] if _finite(hi[i]) else vals[i], vals[i]) if math.isfinite(vals[i]) else 0 for i in pos]
    span = max([abs(e) for e in ends] + [1e-9])
    for i in pos:
        text = "%.3g" % vals[i] if math.isfinite(vals[i]) else "-"
        if _finite(n[i]):
            text += "  %s=%d" % (STYLE["n_label"], n[i])
        ax.text(ends[i] + span * 0.02, i, text, va="center", fontsize=STYLE["font_size"] - 1,
                color=STYLE["muted"])
    ax.set_yticks(pos, labels)
    ax.invert_yaxis()
    ax.set_xlim(right=span * 1.35 if span > 0 else None)
    ax.axvline(0, color=STYLE["axis"], linewidth=1)
    ax.grid(axis="x", color=STYLE["grid"])
    ax.set_axisbelow(True)
    if any(small):
        _small_legend(ax)
    return ax


# ---- funnel -------------------------------------------------------------------------

def _funnel(cols, ax=None, title=None):
    """Centred bars of the customers entering each step, with the count,
    % of the first step and (↘) % of the step before, like the report."""
    names, entered = [_label(v) for v in cols["name"]], [_nan(v) for v in cols["entered"]]
    k = len(names)
    ax = _axes(ax, title or STYLE["titles"]["funnel"], size=(6.4, 0.6 + 0.4 * max(k, 1)))
    top = max([v for v in entered if math.isfinite(v)] + [0])
    col = _colour(0)
    widths = [v if math.isfinite(v) and v > 0 else 0 for v in entered]
    ax.barh(range(k), widths, left=[-w / 2 for w in widths], height=0.66, color=col)
    for i in range(1, k):
        ax.plot([0, 0], [i - 1 + 0.33, i - 0.33], color=STYLE["grid"], linewidth=1)
    for i, c in enumerate(entered):
        text = "%d" % c if math.isfinite(c) else "-"
        if i > 0:
            first, prev = entered[0], entered[i - 1]
            text += " \u00b7 %.1f%% \u00b7 \u2198%.1f%%" % (100 * c / first if first > 0 else float("nan"),
                                                          100 * c / prev if prev > 0 else float("nan"))
        ax.text(top / 2 + top * 0.03, i, text, va="center", fontsize=STYLE["font_size"] - 1, color=STYLE["ink"])
    ax.set_yticks(range(k), names)
    ax.invert_yaxis()
    ax.set_xlim(-top / 2 * 1.02 if top else -1, top * 1.25 if top else 1)
    ax.set_xticks([])
    ax.spines["bottom"].set_visible(False)
    ax.spines["left"].set_visible(False)
    ax.tick_params(axis="y", length=0)
    return ax


# ---- cohorts ------------------------------------------------------------------------

def _cohorts(cols, ax=None, title=None):
    """Retention (%) by cohort (rows, "(n=size)") and period since its
    start (columns), in the report's blue scale."""
    import numpy as np
    from matplotlib.colors import LinearSegmentedColormap
    rows, sizes, index = [], [], {}
    for label, size in zip(cols["cohort_label"], cols["size"]):
        if label not in index:
            index[label] = len(rows)
            rows.append(label)
            sizes.append(size)
    ncol = max([int(p) + 1 for p in cols["period"]] + [0])
    v = np.full((len(rows), ncol), np.nan)
    for label, p, r in zip(cols["cohort_label"], cols["period"], cols["retention"]):
        v[index[label], int(p)] = _nan(r)
    ax = _axes(ax, title or STYLE["titles"]["cohorts"], size=(6.4, 0.9 + 0.3 * max(len(rows), 1)))
    cmap = LinearSegmentedColormap.from_list("cxkit_blues", STYLE["heat"])
    cmap.set_bad("white")
    vmax = np.nanmax(v) if np.isfinite(v).any() else 1
    ax.imshow(np.ma.masked_invalid(v), cmap=cmap, vmin=0, vmax=vmax if vmax > 0 else 1, aspect="auto",
              interpolation="nearest")
    if ncol <= 14:
        for i in range(len(rows)):
            for j in range(ncol):
                if math.isfinite(v[i, j]):
                    ax.text(j, i, "%.0f" % (100 * v[i, j]), ha="center", va="center",
                            fontsize=STYLE["font_size"] - 2,
                            color="#ffffff" if vmax > 0 and v[i, j] / vmax > 0.5 else STYLE["ink"])
    ax.set_yticks(range(len(rows)), ["%s (%s=%d)" % (r, STYLE["n_label"], s) for r, s in zip(rows, sizes)])
    ax.set_xticks(range(ncol), [str(j) for j in range(ncol)])
    ax.xaxis.set_ticks_position("top")
    for side in ("left", "bottom"):
        ax.spines[side].set_visible(False)
    ax.tick_params(length=0)
    return ax


# ---- survival -----------------------------------------------------------------------

def _survival(cols, ax=None, title=None, by=None):
    """Kaplan-Meier steps with their bands, one colour a group; a group of
    fewer than 30 customers dashed and lighter; "(n=...)" in the legend."""
    groups, order = {}, []
    for i, g in enumerate(cols["group"]):
        if g not in groups:
            groups[g] = []
            order.append(g)
        groups[g].append(i)
    if title is None:
        title = STYLE["titles"]["survival_by"] % by if by else STYLE["titles"]["survival"]
    ax = _axes(ax, title)
    at_risk = cols.get("at_risk")
    for c, g in enumerate(order):
        rows = groups[g]
        col = _colour(c)
        t = [0.0] + [cols["time"][i] for i in rows]
        s = [1.0] + [cols["survival"][i] for i in rows]
        lo = [1.0] + [_nan(cols["lo"][i]) for i in rows]
        hi = [1.0] + [_nan(cols["hi"][i]) for i in rows]
        n = at_risk[rows[0]] if at_risk else None
        small = n is not None and n < STYLE["small_n"]
        ax.fill_between(t, lo, hi, step="post", color=col, alpha=STYLE["band_alpha"], linewidth=0)
        label = _label(g) if g is not None else "\u2014"
        if n is not None:
            label += " (%s=%d)" % (STYLE["n_label"], n)
        if small:
            label += " (%s)" % STYLE["small_note"]
        ax.step(t, s, where="post", color=col, linewidth=2, label=label,
                linestyle=STYLE["small_curve_dashes"] if small else "-",
                alpha=STYLE["small_curve_alpha"] if small else 1)
    ax.set_ylim(0, 1.02)
    ax.set_xlim(left=0)
    ax.yaxis.set_major_formatter(lambda v, _pos: "%.0f%%" % (100 * v))
    ax.set_xlabel(STYLE["titles"]["days"], fontsize=STYLE["font_size"], color=STYLE["ink"])
    ax.grid(axis="y", color=STYLE["grid"])
    ax.set_axisbelow(True)
    ax.legend(loc="lower left", frameon=False, fontsize=STYLE["font_size"])
    return ax


def _survival_plot(self, ax=None, **kw):
    """Draw the curves (curve()) with their bands and return the Axes; see
    Result.plot. by: what the groups are (e.g. "segment"), for the title."""
    return _survival(self.curve().to_dict(), ax, **kw)


# ---- model fit ----------------------------------------------------------------------

def _nbd_pmf(x, r, alpha, t):
    """P(X(t) = x) of the NBD (Poisson with a gamma(r, alpha) rate), for an
    array t; x an int."""
    import numpy as np
    t = np.asarray(t, dtype=float)
    lg = math.lgamma(r + x) - math.lgamma(r) - math.lgamma(x + 1)
    return np.exp(lg + r * np.log(alpha / (alpha + t)) + x * np.log(np.where(t > 0, t / (alpha + t), 1.0))) \
        if x else (alpha / (alpha + t)) ** r


def _bgnbd_pmf(x, params, t):
    """P(X(t) = x) under BG/NBD (Fader, Hardie & Lee 2005, eq. 8)."""
    import numpy as np
    r, alpha, a, b = params
    lbeta = lambda p, q: math.lgamma(p) + math.lgamma(q) - math.lgamma(p + q)  # noqa: E731
    t = np.asarray(t, dtype=float)
    out = math.exp(lbeta(a, b + x) - lbeta(a, b)) * _nbd_pmf(x, r, alpha, t)
    if x > 0:
        cdf = sum(_nbd_pmf(j, r, alpha, t) for j in range(x))
        out = out + math.exp(lbeta(a + 1, b + x - 1) - lbeta(a, b)) * (1 - cdf)
    return out


def _paretonbd_pmf(x, params, t):
    """P(X(t) = x) under Pareto/NBD: alive through t with probability
    (beta/(beta+t))^s, else dead at tau with density s beta^s/(beta+tau)^(s+1);
    purchases NBD over the time alive (rates independent), the integral over
    tau by 64-point Gauss-Legendre on [0, t]."""
    import numpy as np
    r, alpha, s, beta = params
    t = np.asarray(t, dtype=float)
    nodes, weights = np.polynomial.legendre.leggauss(64)
    tau = (nodes[None, :] + 1) / 2 * t[:, None]
    dens = s * beta ** s / (beta + tau) ** (s + 1)
    dead = (_nbd_pmf(x, r, alpha, tau.ravel()).reshape(tau.shape) * dens * weights[None, :]).sum(axis=1) * t / 2
    return _nbd_pmf(x, r, alpha, t) * (beta / (beta + t)) ** s + dead


def _model_plot(self, summary=None, ax=None, x=None, T=None, max_frequency=7, title=None):
    """Expected vs actual number of customers by number of repeat purchases
    in the calibration period (0, 1, ..., max_frequency - 1 and
    "max_frequency+"), for a BG/NBD or Pareto/NBD model, and return the Axes.
    The data: a Summary (its "frequency" and "age"), or the arrays x (repeat
    purchases) and T (ages). A customer's expected share is P(X(T) = k) at
    their own age, from the model's parameters (the binding has no function
    for this probability: it is computed here)."""
    import numpy as np
    kind = self.kind()
    if kind not in _MODEL_NAMES:
        raise ValueError("Model.plot: a %s model has no purchase-count fit to draw (BG/NBD or Pareto/NBD only)"
                         % kind)
    if summary is not None:
        if x is not None or T is not None:
            raise ValueError("Model.plot: pass a summary or x and T, not both")
        x, T = summary.column("frequency"), summary.column("age")
    elif x is None or T is None:
        raise ValueError("Model.plot: missing %s: pass a Summary or the arrays x (repeat purchases) and T (ages)"
                         % ("x and T" if x is None and T is None else "x" if x is None else "T"))
    x, T = np.asarray(x, dtype=float), np.asarray(T, dtype=float)
    if x.shape != T.shape or x.ndim != 1 or not len(x):
        raise ValueError("Model.plot: x and T must be arrays of one same non-zero length (%s, %s)"
                         % (x.shape, T.shape))
    if not isinstance(max_frequency, int) or max_frequency < 1:
        raise ValueError("Model.plot: max_frequency must be an int >= 1, not %r" % (max_frequency,))
    p = self.params().to_dict()
    params = p["value"]
    pmf = _bgnbd_pmf if kind == "bgnbd" else _paretonbd_pmf
    expected = [float(pmf(k, params, T).sum()) for k in range(max_frequency)]
    expected.append(len(x) - sum(expected))
    actual = [int((x == k).sum()) for k in range(max_frequency)] + [int((x >= max_frequency).sum())]
    ax = _axes(ax, title or STYLE["titles"]["fit"] % _MODEL_NAMES[kind])
    pos = np.arange(max_frequency + 1)
    ax.bar(pos - 0.2, actual, width=0.4, color=_colour(0), label=STYLE["titles"]["actual"])
    ax.bar(pos + 0.2, expected, width=0.4, color=_colour(1), label=STYLE["titles"]["expected"])
    ax.set_xticks(pos, [str(k) for k in range(max_frequency)] + ["%d+" % max_frequency])
    ax.set_xlabel(STYLE["titles"]["fit_x"], fontsize=STYLE["font_size"], color=STYLE["ink"])
    ax.set_ylabel(STYLE["titles"]["fit_y"], fontsize=STYLE["font_size"], color=STYLE["ink"])
    ax.grid(axis="y", color=STYLE["grid"])
    ax.set_axisbelow(True)
    ax.legend(frameon=False, fontsize=STYLE["font_size"], title="%s=%d" % (STYLE["n_label"], len(x)),
              title_fontsize=STYLE["font_size"])
    return ax


def _install():
    """Add the plot() methods to the SWIG classes."""
    cxkit.Result.plot = _result_plot
    cxkit.Survival.plot = _survival_plot
    cxkit.Model.plot = _model_plot

/*
 * Kaplan-Meier curves with Greenwood confidence bands and standard errors,
 * late entry, medians and the log-rank test. The curves are built from
 * the (group, time) cells of the subjects: whole times of a few groups are
 * counted in a table of every cell in one pass, the others radix-sorted
 * (no comparison sort, nothing allocated per subject; the cells and the
 * radix sort serve the log-rank family too); each group's steps are
 * stored contiguously. A subject entering late (left truncation) is at risk
 * on (entry, time], as Surv(entry, time, event) in R. The curves and
 * their groups are handed out as cx_result tables. The options handle and
 * the subjects of a store (who is observed, start, exit, churn, group,
 * late entry), shared by the store curves, the subject table and the Cox
 * fit of a store, are here too.
 */
#include "../table/table.h"
#include "lifecycle_private.h"

#include "cxkit/time.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

typedef struct km_group {
    char *label;
    size_t label_len;
    uint64_t subjects, events;
    size_t first, nsteps;
} km_group;

struct cx_survival {
    cxi_mem mem;
    size_t ngroups, nsteps;
    km_group *g;
    double *time, *surv, *lo, *hi, *se;
    uint64_t *at_risk, *ev, *cens;
};

/* ---- sorting ------------------------------------------------------------ */

#define RADIX_BITS 11
#define RADIX_SIZE ((size_t)1 << RADIX_BITS)

int cxi_radix_order(uint32_t *ord, const uint64_t *key, size_t n, cxi_mem *mem)
{
    if (n < 2)
        return CX_OK;
    uint64_t *k = cxi_alloc(mem, 2 * n * sizeof *k);
    uint32_t *v = cxi_alloc(mem, n * sizeof *v);
    if (!k || !v) {
        cxi_free(mem, k, k ? 2 * n * sizeof *k : 0);
        cxi_free(mem, v, v ? n * sizeof *v : 0);
        return CX_ENOMEM;
    }
    uint64_t lo = UINT64_MAX, hi = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t x = key[ord[i]];
        k[i] = x;
        lo = x < lo ? x : lo;
        hi = x > hi ? x : hi;
    }
    uint64_t range = hi - lo;
    /* a narrow range (integer days, a group and a day...): one counting
     * pass over range + 1 buckets; else 11-bit digits of key - lo, as many
     * as the range has */
    size_t wide = n > 65536 ? n : 65536;
    unsigned bits = 0;
    while (bits < 64 && (range >> bits))
        bits++;
    size_t digits = range < wide ? 1 : (bits + RADIX_BITS - 1) / RADIX_BITS;
    size_t width = range < wide ? (size_t)range + 1 : RADIX_SIZE;
    unsigned step = range < wide ? 0 : RADIX_BITS;
    uint64_t mask = range < wide ? UINT64_MAX : RADIX_SIZE - 1;
    size_t *hist = range == 0 ? NULL : cxi_alloc(mem, digits * width * sizeof *hist);
    int rc = CX_OK;
    if (range == 0) {
        /* every key the same: ord is sorted */
    } else if (!hist) {
        rc = CX_ENOMEM;
    } else {
        memset(hist, 0, digits * width * sizeof *hist);
        for (size_t i = 0; i < n; i++) {
            uint64_t x = k[i] - lo;
            for (size_t d = 0; d < digits; d++)
                hist[d * width + ((x >> (d * step)) & mask)]++;
        }
        uint64_t *ks = k, *kd = k + n;
        uint32_t *vs = ord, *vd = v;
        for (size_t d = 0; d < digits; d++) {
            size_t *h = hist + d * width, sum = 0;
            unsigned shift = (unsigned)(d * step);
            if (h[((ks[0] - lo) >> shift) & mask] == n)
                continue; /* every key has this digit */
            for (size_t b = 0; b < width; b++) {
                size_t c = h[b];
                h[b] = sum;
                sum += c;
            }
            for (size_t i = 0; i < n; i++) {
                size_t at = h[((ks[i] - lo) >> shift) & mask]++;
                kd[at] = ks[i];
                vd[at] = vs[i];
            }
            uint64_t *kt = ks;
            ks = kd;
            kd = kt;
            uint32_t *vt = vs;
            vs = vd;
            vd = vt;
        }
        if (vs != ord)
            memcpy(ord, vs, n * sizeof *ord);
        cxi_free(mem, hist, digits * width * sizeof *hist);
    }
    cxi_free(mem, k, 2 * n * sizeof *k);
    cxi_free(mem, v, n * sizeof *v);
    return rc;
}

/* The number of slots of a table of every (class, whole time, group),
 * when it holds at most max(2n, 65536); 0 when larger. */
static size_t narrow_slots(uint64_t cmax, double tmax, size_t k, size_t n)
{
    size_t limit = n > 32768 ? 2 * n : 65536;
    double slots = ((double)cmax + 1) * (tmax + 1) * (double)k;
    return slots <= (double)limit ? (size_t)slots : 0;
}

#define CLS(s, i) ((s)->cls ? (s)->cls[i] : 0)
#define GRP(s, i) ((s)->g ? (s)->g[i] : 0)

/* ord: the subjects by (cls, time), or by (cls, entry); key: n scratch. */
static int order_by_class(uint32_t *ord, uint64_t *key, const cxi_srec *s, bool by_entry, cxi_mem *mem)
{
    size_t n = s->n;
    for (size_t i = 0; i < n; i++) {
        ord[i] = (uint32_t)i;
        key[i] = cxi_double_key(by_entry ? s->entry[i] : s->time[i]);
    }
    int rc = cxi_radix_order(ord, key, n, mem);
    if (rc || !s->cls)
        return rc;
    for (size_t i = 0; i < n; i++)
        key[i] = s->cls[i];
    return cxi_radix_order(ord, key, n, mem);
}

int cxi_cells(cxi_cell **out, size_t *ncell, const cxi_srec *s, size_t k, cxi_mem *mem)
{
    size_t n = s->n;
    const double *time = s->time;
    uint32_t cmax = 0;
    double tmax = 0;
    bool whole = true;
    for (size_t i = 0; i < n; i++) {
        double t = time[i];
        tmax = t > tmax ? t : tmax;
        whole = whole && t < 4294967296.0 && t == (double)(uint32_t)t;
    }
    for (size_t i = 0; s->cls && i < n; i++)
        cmax = s->cls[i] > cmax ? s->cls[i] : cmax;
    size_t slots = whole ? narrow_slots(cmax, tmax, k, n) : 0, nc = 0;
    cxi_cell *cell = NULL;
    if (slots) {
        size_t T = (size_t)tmax + 1;
        uint32_t *cnt = cxi_alloc(mem, 2 * slots * sizeof *cnt);
        if (!cnt)
            return CX_ENOMEM;
        memset(cnt, 0, 2 * slots * sizeof *cnt);
        for (size_t i = 0; i < n; i++) {
            size_t c = ((size_t)CLS(s, i) * T + (size_t)time[i]) * k + GRP(s, i);
            cnt[2 * c]++;
            cnt[2 * c + 1] += (uint32_t)s->event[i];
        }
        for (size_t c = 0; c < slots; c++)
            nc += cnt[2 * c] != 0;
        if ((cell = cxi_alloc(mem, nc * sizeof *cell)))
            for (size_t c = 0, j = 0; c < slots; c++)
                if (cnt[2 * c])
                    cell[j++] = (cxi_cell){c / k / T, (uint32_t)(c % k), (double)(c / k % T), cnt[2 * c],
                                           cnt[2 * c + 1]};
        cxi_free(mem, cnt, 2 * slots * sizeof *cnt);
    } else {
        uint32_t *ord = cxi_alloc(mem, n * sizeof *ord);
        uint64_t *key = cxi_alloc(mem, n * sizeof *key);
        if (ord && key && !order_by_class(ord, key, s, false, mem)) {
            /* a cell per run of subjects of one class, time and group */
            for (size_t i = 0; i < n; i++) {
                size_t a = ord[i], b = i ? ord[i - 1] : 0;
                nc += i == 0 || CLS(s, a) != CLS(s, b) || time[a] != time[b] || GRP(s, a) != GRP(s, b);
            }
            if ((cell = cxi_alloc(mem, nc * sizeof *cell))) {
                size_t j = 0;
                for (size_t i = 0; i < n; i++) {
                    size_t a = ord[i];
                    if (j == 0 || CLS(s, a) != cell[j - 1].cls || time[a] != cell[j - 1].time ||
                        GRP(s, a) != cell[j - 1].g)
                        cell[j++] = (cxi_cell){CLS(s, a), GRP(s, a), time[a], 0, 0};
                    cell[j - 1].exits++;
                    cell[j - 1].deaths += (uint64_t)s->event[a];
                }
            }
        }
        cxi_free(mem, ord, ord ? n * sizeof *ord : 0);
        cxi_free(mem, key, key ? n * sizeof *key : 0);
    }
    if (!cell)
        return CX_ENOMEM;
    *out = cell;
    *ncell = nc;
    return CX_OK;
}

int cxi_entries(double *ent, uint32_t *eg, const cxi_srec *s, cxi_mem *mem)
{
    size_t n = s->n;
    uint32_t *ord = cxi_alloc(mem, n * sizeof *ord);
    uint64_t *key = cxi_alloc(mem, n * sizeof *key);
    int rc = !ord || !key ? CX_ENOMEM : order_by_class(ord, key, s, true, mem);
    for (size_t i = 0; i < n && !rc; i++) {
        ent[i] = s->entry[ord[i]];
        if (eg)
            eg[i] = GRP(s, ord[i]);
    }
    cxi_free(mem, ord, ord ? n * sizeof *ord : 0);
    cxi_free(mem, key, key ? n * sizeof *key : 0);
    return rc;
}

static void band(double *lo, double *hi, double s, double v, double z, int kind)
{
    if (s <= 0 || !isfinite(v)) {
        /* Greenwood's variance is undefined once everyone has failed (R: NA) */
        *lo = *hi = NAN;
        return;
    }
    if (s >= 1 || v == 0) {
        *lo = *hi = s;
        return;
    }
    double se = sqrt(v);
    switch (kind) {
    case CX_BAND_PLAIN:
        *lo = fmax(0, s - z * s * se);
        *hi = fmin(1, s + z * s * se);
        break;
    case CX_BAND_LOG:
        *lo = s * exp(-z * se);
        *hi = fmin(1, s * exp(z * se));
        break;
    default: {
        double ls = log(s), th = se / fabs(ls);
        *lo = pow(s, exp(z * th));
        *hi = pow(s, exp(-z * th));
        break;
    }
    }
}

void cx_survival_free(cx_survival *s)
{
    if (!s)
        return;
    cxi_mem mem = s->mem;
    for (size_t i = 0; i < s->ngroups; i++)
        cxi_free(&mem, s->g[i].label, s->g[i].label_len + 1);
    cxi_free(&mem, s->g, s->ngroups * sizeof *s->g);
    size_t n = s->nsteps;
    cxi_free(&mem, s->time, n * sizeof(double));
    cxi_free(&mem, s->surv, n * sizeof(double));
    cxi_free(&mem, s->lo, n * sizeof(double));
    cxi_free(&mem, s->hi, n * sizeof(double));
    cxi_free(&mem, s->se, n * sizeof(double));
    cxi_free(&mem, s->at_risk, n * sizeof(uint64_t));
    cxi_free(&mem, s->ev, n * sizeof(uint64_t));
    cxi_free(&mem, s->cens, n * sizeof(uint64_t));
    cxi_free(&mem, s, sizeof *s);
}

int cxi_km_build(cx_survival **out, cxi_mem mem, const cxi_srec *subjects, double level, int kind,
                 const char *(*label)(void *ctx, uint64_t group, char *buf), void *ctx, const char *fn)
{
    size_t n = subjects->n;
    cxi_cell *cell = NULL;
    size_t nc = 0;
    if (cxi_cells(&cell, &nc, subjects, 1, &mem))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    /* late entry: each group's entry times, sorted, to count who entered before a time */
    double *ent = subjects->entry ? cxi_alloc(&mem, n * sizeof *ent) : NULL;
    if (subjects->entry && (!ent || cxi_entries(ent, NULL, subjects, &mem))) {
        cxi_free(&mem, ent, ent ? n * sizeof *ent : 0);
        cxi_free(&mem, cell, nc * sizeof *cell);
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    }
    size_t ngroups = 0, nsteps = nc;
    for (size_t i = 0; i < nc; i++)
        ngroups += i == 0 || cell[i].cls != cell[i - 1].cls;
    cx_survival *s = cxi_alloc(&mem, sizeof *s);
    if (s) {
        memset(s, 0, sizeof *s);
        s->mem = mem;
        s->g = cxi_alloc(&s->mem, ngroups * sizeof *s->g);
        if (s->g)
            memset(s->g, 0, ngroups * sizeof *s->g);
        s->ngroups = s->g ? ngroups : 0;
        s->time = cxi_alloc(&s->mem, nsteps * sizeof(double));
        s->surv = cxi_alloc(&s->mem, nsteps * sizeof(double));
        s->lo = cxi_alloc(&s->mem, nsteps * sizeof(double));
        s->hi = cxi_alloc(&s->mem, nsteps * sizeof(double));
        s->se = cxi_alloc(&s->mem, nsteps * sizeof(double));
        s->at_risk = cxi_alloc(&s->mem, nsteps * sizeof(uint64_t));
        s->ev = cxi_alloc(&s->mem, nsteps * sizeof(uint64_t));
        s->cens = cxi_alloc(&s->mem, nsteps * sizeof(uint64_t));
        s->nsteps = nsteps;
    }
    int rc = CX_OK;
    if (!s || !s->g || !s->time || !s->surv || !s->lo || !s->hi || !s->se || !s->at_risk || !s->ev || !s->cens) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    double z = cxi_level_z(level);
    size_t gi = 0, e0 = 0; /* e0: the group's first entry in ent */
    for (size_t i = 0; i < nc;) {
        size_t j = i;
        uint64_t members = 0;
        while (j < nc && cell[j].cls == cell[i].cls)
            members += cell[j++].exits;
        km_group *g = &s->g[gi++];
        char buf[32];
        const char *l = label(ctx, cell[i].cls, buf);
        if (l) {
            g->label_len = strlen(l);
            if (!(g->label = cxi_alloc(&s->mem, g->label_len + 1))) {
                rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
                goto done;
            }
            memcpy(g->label, l, g->label_len + 1);
        }
        g->subjects = members;
        g->first = i;
        uint64_t risk = members, left = 0, entered = 0;
        double S = 1, V = 0;
        for (size_t k = i; k < j; k++) {
            uint64_t d = cell[k].deaths, c = cell[k].exits - d;
            if (ent) {
                /* at risk at t: entered before t, not yet left (time >= t) */
                while (entered < members && ent[e0 + entered] < cell[k].time)
                    entered++;
                risk = entered - left;
            }
            if (d) {
                S *= 1 - (double)d / (double)risk;
                V += risk > d ? (double)d / ((double)risk * (double)(risk - d)) : INFINITY;
            }
            s->time[k] = cell[k].time;
            s->surv[k] = S;
            band(&s->lo[k], &s->hi[k], S, V, z, kind);
            s->se[k] = S > 0 ? S * sqrt(V) : NAN; /* R: NaN once S reaches 0 */
            s->at_risk[k] = risk;
            s->ev[k] = d;
            s->cens[k] = c;
            g->events += d;
            risk -= cell[k].exits;
            left += cell[k].exits;
        }
        g->nsteps = j - i;
        e0 += members;
        i = j;
    }
done:
    cxi_free(&mem, ent, ent ? n * sizeof *ent : 0);
    cxi_free(&mem, cell, nc * sizeof *cell);
    if (rc) {
        cx_survival_free(s);
        return rc;
    }
    *out = s;
    return CX_OK;
}

static const char *int_label(void *ctx, uint64_t group, char *buf)
{
    (void)ctx;
    snprintf(buf, 32, "%llu", (unsigned long long)group);
    return buf;
}

/* ---- options ---------------------------------------------------------- */

void cxi_survival_defaults(cx_survival_options *o)
{
    memset(o, 0, sizeof *o);
    cxi_mem_init(&o->mem, cxi_default_alloc, NULL);
    o->level = 0.95;
    o->band = CX_BAND_LOG_LOG;
    o->activity = CX_ACTIVITY_TRANSACTIONS;
    o->inactivity = 90 * CXI_MS_PER_DAY;
    o->group_by = -1;
    o->unit = CXI_MS_PER_DAY;
    o->observed_from = CX_TIME_NONE;
}

int cx_survival_options_new(cx_survival_options **out)
{
    if (!out)
        return cxi_fail(CX_EINVAL, "cx_survival_options_new: out is NULL");
    *out = NULL;
    cx_survival_options d;
    cxi_survival_defaults(&d);
    cx_survival_options *o = cxi_alloc(&d.mem, sizeof *o);
    if (!o)
        return cxi_fail(CX_ENOMEM, "cx_survival_options_new: out of memory");
    *o = d;
    *out = o;
    return CX_OK;
}

void cx_survival_options_free(cx_survival_options *o)
{
    if (!o)
        return;
    cxi_mem mem = o->mem;
    cxi_free(&mem, o->churn_attribute, o->churn_len + 1);
    cxi_free(&mem, o->entry, o->entry_n * sizeof *o->entry);
    cxi_free(&mem, o, sizeof *o);
}

#define NEED_OPTIONS(o, fn)                                                                                        \
    do {                                                                                                           \
        if (!(o))                                                                                                  \
            return cxi_fail(CX_EINVAL, "%s: options is NULL", fn);                                                 \
    } while (0)

int cx_survival_options_set_level(cx_survival_options *o, double level)
{
    NEED_OPTIONS(o, "cx_survival_options_set_level");
    if (!(level > 0 && level < 1))
        return cxi_fail(CX_ERANGE, "cx_survival_options_set_level: level %g is not within (0, 1)", level);
    o->level = level;
    return CX_OK;
}

int cx_survival_options_set_band(cx_survival_options *o, cx_band band)
{
    NEED_OPTIONS(o, "cx_survival_options_set_band");
    if ((int)band < CX_BAND_LOG_LOG || (int)band > CX_BAND_PLAIN)
        return cxi_fail(CX_EINVAL, "cx_survival_options_set_band: band %d is not a cx_band", (int)band);
    o->band = band;
    return CX_OK;
}

int cx_survival_options_set_activity(cx_survival_options *o, int activity)
{
    NEED_OPTIONS(o, "cx_survival_options_set_activity");
    if (!cxi_activity_ok(activity))
        return cxi_fail(CX_EINVAL, "cx_survival_options_set_activity: activity %d is not a non-empty cx_activity mask",
                        activity);
    o->activity = activity;
    return CX_OK;
}

int cx_survival_options_set_inactivity(cx_survival_options *o, int64_t inactivity_ms)
{
    NEED_OPTIONS(o, "cx_survival_options_set_inactivity");
    if (inactivity_ms <= 0)
        return cxi_fail(CX_ERANGE, "cx_survival_options_set_inactivity: %lld ms is not > 0", (long long)inactivity_ms);
    o->inactivity = inactivity_ms;
    return CX_OK;
}

int cx_survival_options_set_churn_attribute(cx_survival_options *o, const char *attribute)
{
    static const char fn[] = "cx_survival_options_set_churn_attribute";
    NEED_OPTIONS(o, fn);
    if (attribute && !*attribute)
        return cxi_fail(CX_EINVAL, "%s: the attribute name is empty", fn);
    char *copy = NULL;
    size_t len = attribute ? strlen(attribute) : 0;
    if (attribute) {
        if (!(copy = cxi_alloc(&o->mem, len + 1)))
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        memcpy(copy, attribute, len + 1);
    }
    cxi_free(&o->mem, o->churn_attribute, o->churn_len + 1);
    o->churn_attribute = copy;
    o->churn_len = len;
    return CX_OK;
}

int cx_survival_options_set_group_by(cx_survival_options *o, cx_dim dim)
{
    NEED_OPTIONS(o, "cx_survival_options_set_group_by");
    if (!cxi_survival_dim_ok(dim))
        return cxi_fail(CX_EINVAL, "cx_survival_options_set_group_by: dim %d is not segment, region, plan or channel",
                        (int)dim);
    o->group_by = dim;
    return CX_OK;
}

int cx_survival_options_set_unit(cx_survival_options *o, int64_t unit_ms)
{
    NEED_OPTIONS(o, "cx_survival_options_set_unit");
    if (unit_ms <= 0)
        return cxi_fail(CX_ERANGE, "cx_survival_options_set_unit: unit %lld ms is not > 0", (long long)unit_ms);
    o->unit = unit_ms;
    return CX_OK;
}

int cx_survival_options_set_observed_from(cx_survival_options *o, cx_time start)
{
    NEED_OPTIONS(o, "cx_survival_options_set_observed_from");
    o->observed_from = start;
    return CX_OK;
}

int cx_survival_options_set_entry(cx_survival_options *o, const double *entry, size_t n)
{
    NEED_OPTIONS(o, "cx_survival_options_set_entry");
    return cxi_set_entry(&o->entry, &o->entry_n, &o->mem, entry, n, "cx_survival_options_set_entry");
}

/* ---- curves ------------------------------------------------------------ */

int cx_survival_new(cx_survival **out, const double *time, const int *event, const int *group, size_t n,
                    const cx_survival_options *options)
{
    static const char fn[] = "cx_survival_new";
    const double *entry = options ? options->entry : NULL;
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!time || !event)
        return cxi_fail(CX_EINVAL, "%s: %s is NULL", fn, !time ? "time" : "event");
    if (n == 0 || n > UINT32_MAX)
        return cxi_fail(CX_ERANGE, "%s: %zu subjects: give 1 to 2^32 - 1", fn, n);
    if (entry && options->entry_n != n)
        return cxi_fail(CX_ERANGE, "%s: the options have %zu entry times for %zu subjects", fn, options->entry_n, n);
    cx_survival_options defaults;
    if (!options) {
        cxi_survival_defaults(&defaults);
        options = &defaults;
    }
    for (size_t i = 0; i < n; i++) {
        int rc = cxi_check_subject(time, event, entry, i, fn);
        if (rc)
            return rc;
        if (group && group[i] < 0)
            return cxi_fail(CX_ERANGE, "%s: row %zu: group %d is negative", fn, i, group[i]);
    }
    cxi_mem mem;
    cxi_mem_init(&mem, cxi_default_alloc, NULL);
    /* the groups, checked >= 0, read as unsigned (the same object, C11 6.5p7) */
    cxi_srec subjects = {n, time, event, (const uint32_t *)(const void *)group, NULL, entry};
    return cxi_km_build(out, mem, &subjects, options->level, options->band, int_label, NULL, fn);
}

size_t cx_survival_group_count(const cx_survival *s) { return s ? s->ngroups : 0; }

static int check_group(const cx_survival *s, size_t group, const char *fn)
{
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: survival is NULL", fn);
    if (group >= s->ngroups)
        return cxi_fail(CX_ERANGE, "%s: group %zu is out of range (%zu groups)", fn, group, s->ngroups);
    return CX_OK;
}

/* The median and its interval of one group (see cx_survival_median). */
static void median_of(double *m, double *l, double *h, const cx_survival *s, const km_group *g)
{
    *m = *l = *h = NAN;
    for (size_t k = 0; k < g->nsteps; k++) {
        size_t i = g->first + k;
        if (isnan(*m) && s->surv[i] <= 0.5)
            *m = s->time[i];
        if (isnan(*l) && s->lo[i] <= 0.5)
            *l = s->time[i];
        if (isnan(*h) && s->hi[i] <= 0.5)
            *h = s->time[i];
    }
}

enum { SC_GROUP, SC_TIME, SC_SURVIVAL, SC_LO, SC_HI, SC_AT_RISK, SC_EVENTS, SC_CENSORED, SC_STD_ERR, SC_NCOLS };

int cx_survival_curve(cx_result **out, const cx_survival *s)
{
    static const char fn[] = "cx_survival_curve";
    static const char *const names[SC_NCOLS] = {"group", "time", "survival", "lo", "hi", "at_risk", "events",
                                                "censored", "std_err"};
    static const int types[SC_NCOLS] = {CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL,
                                        CX_TYPE_INT,    CX_TYPE_INT,  CX_TYPE_INT,  CX_TYPE_REAL};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: survival is NULL", fn);
    cx_result *r;
    if (cxi_result_new(&r, &s->mem, s->nsteps, SC_NCOLS, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t g = 0; g < s->ngroups; g++) {
        const km_group *kg = &s->g[g];
        for (size_t i = kg->first; i < kg->first + kg->nsteps; i++) {
            if (kg->label && cxi_result_set_str(r, SC_GROUP, i, kg->label, kg->label_len)) {
                cx_result_free(r);
                return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
            }
            cxi_result_set_real(r, SC_TIME, i, s->time[i]);
            cxi_result_set_real(r, SC_SURVIVAL, i, s->surv[i]);
            cxi_result_set_real(r, SC_LO, i, s->lo[i]);
            cxi_result_set_real(r, SC_HI, i, s->hi[i]);
            cxi_result_set_int(r, SC_AT_RISK, i, (int64_t)s->at_risk[i]);
            cxi_result_set_int(r, SC_EVENTS, i, (int64_t)s->ev[i]);
            cxi_result_set_int(r, SC_CENSORED, i, (int64_t)s->cens[i]);
            cxi_result_set_real(r, SC_STD_ERR, i, s->se[i]);
        }
    }
    *out = r;
    return CX_OK;
}

enum { ST_GROUP, ST_TIME, ST_AT_RISK, ST_EVENTS, ST_CENSORED, ST_SURVIVAL, ST_STD_ERR, ST_LO, ST_HI, ST_NCOLS };

int cx_survival_table(cx_result **out, const cx_survival *s)
{
    static const char fn[] = "cx_survival_table";
    static const char *const names[ST_NCOLS] = {"group",    "time",    "at_risk", "events", "censored",
                                                "survival", "std_err", "lo",      "hi"};
    static const int types[ST_NCOLS] = {CX_TYPE_STRING, CX_TYPE_REAL, CX_TYPE_INT,  CX_TYPE_INT, CX_TYPE_INT,
                                        CX_TYPE_REAL,   CX_TYPE_REAL, CX_TYPE_REAL, CX_TYPE_REAL};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: survival is NULL", fn);
    cx_result *r;
    if (cxi_result_new(&r, &s->mem, s->nsteps + s->ngroups, ST_NCOLS, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    size_t row = 0;
    for (size_t g = 0; g < s->ngroups; g++) {
        const km_group *kg = &s->g[g];
        /* the origin (R's survfit0): S(0) = 1, at risk as at the first step */
        for (size_t k = 0; k <= kg->nsteps; k++, row++) {
            size_t i = kg->first + (k ? k - 1 : 0);
            if (kg->label && cxi_result_set_str(r, ST_GROUP, row, kg->label, kg->label_len)) {
                cx_result_free(r);
                return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
            }
            cxi_result_set_real(r, ST_TIME, row, k ? s->time[i] : 0);
            cxi_result_set_int(r, ST_AT_RISK, row, (int64_t)s->at_risk[i]);
            cxi_result_set_int(r, ST_EVENTS, row, k ? (int64_t)s->ev[i] : 0);
            cxi_result_set_int(r, ST_CENSORED, row, k ? (int64_t)s->cens[i] : 0);
            cxi_result_set_real(r, ST_SURVIVAL, row, k ? s->surv[i] : 1);
            cxi_result_set_real(r, ST_STD_ERR, row, k ? s->se[i] : 0);
            cxi_result_set_real(r, ST_LO, row, k ? s->lo[i] : 1);
            cxi_result_set_real(r, ST_HI, row, k ? s->hi[i] : 1);
        }
    }
    *out = r;
    return CX_OK;
}

enum { SS_GROUP, SS_SUBJECTS, SS_EVENTS, SS_MEDIAN, SS_MEDIAN_LO, SS_MEDIAN_HI, SS_NCOLS };

int cx_survival_summary(cx_result **out, const cx_survival *s)
{
    static const char fn[] = "cx_survival_summary";
    static const char *const names[SS_NCOLS] = {"group", "subjects", "events", "median", "median_lo", "median_hi"};
    static const int types[SS_NCOLS] = {CX_TYPE_STRING, CX_TYPE_INT,  CX_TYPE_INT,
                                        CX_TYPE_REAL,   CX_TYPE_REAL, CX_TYPE_REAL};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: survival is NULL", fn);
    cx_result *r;
    if (cxi_result_new(&r, &s->mem, s->ngroups, SS_NCOLS, names, types))
        return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    for (size_t g = 0; g < s->ngroups; g++) {
        const km_group *kg = &s->g[g];
        if (kg->label && cxi_result_set_str(r, SS_GROUP, g, kg->label, kg->label_len)) {
            cx_result_free(r);
            return cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        }
        double m, l, h;
        median_of(&m, &l, &h, s, kg);
        cxi_result_set_int(r, SS_SUBJECTS, g, (int64_t)kg->subjects);
        cxi_result_set_int(r, SS_EVENTS, g, (int64_t)kg->events);
        cxi_result_set_real(r, SS_MEDIAN, g, m);
        cxi_result_set_real(r, SS_MEDIAN_LO, g, l);
        cxi_result_set_real(r, SS_MEDIAN_HI, g, h);
    }
    *out = r;
    return CX_OK;
}

int cx_survival_at(double *surv, double *lo, double *hi, const cx_survival *s, size_t group, double t)
{
    static const char fn[] = "cx_survival_at";
    if (!surv)
        return cxi_fail(CX_EINVAL, "%s: surv is NULL", fn);
    int rc = check_group(s, group, fn);
    if (rc)
        return rc;
    if (!isfinite(t))
        return cxi_fail(CX_ERANGE, "%s: t %g is not finite", fn, t);
    const km_group *g = &s->g[group];
    /* the last step at or before t */
    size_t a = 0, b = g->nsteps;
    while (a < b) {
        size_t m = (a + b) / 2;
        if (s->time[g->first + m] <= t)
            a = m + 1;
        else
            b = m;
    }
    if (a == 0) {
        *surv = 1;
        if (lo)
            *lo = 1;
        if (hi)
            *hi = 1;
        return CX_OK;
    }
    size_t i = g->first + a - 1;
    *surv = s->surv[i];
    if (lo)
        *lo = s->lo[i];
    if (hi)
        *hi = s->hi[i];
    return CX_OK;
}

int cx_survival_median(double *median, double *lo, double *hi, const cx_survival *s, size_t group)
{
    static const char fn[] = "cx_survival_median";
    if (!median)
        return cxi_fail(CX_EINVAL, "%s: median is NULL", fn);
    int rc = check_group(s, group, fn);
    if (rc)
        return rc;
    double m, l, h;
    median_of(&m, &l, &h, s, &s->g[group]);
    *median = m;
    if (lo)
        *lo = l;
    if (hi)
        *hi = h;
    return CX_OK;
}

#define MAX_LOGRANK_GROUPS 64

int cx_survival_logrank(double *chi2, double *p, uint64_t *df, const cx_survival *s)
{
    static const char fn[] = "cx_survival_logrank";
    if (!chi2)
        return cxi_fail(CX_EINVAL, "%s: chi2 is NULL", fn);
    if (!s)
        return cxi_fail(CX_EINVAL, "%s: survival is NULL", fn);
    size_t k = s->ngroups;
    if (k < 2)
        return cxi_fail(CX_ERANGE, "%s: the test needs at least two groups, there are %zu", fn, k);
    if (k > MAX_LOGRANK_GROUPS)
        return cxi_fail(CX_ERANGE, "%s: at most %d groups, there are %zu", fn, MAX_LOGRANK_GROUPS, k);
    size_t pos[MAX_LOGRANK_GROUPS] = {0};
    double obs[MAX_LOGRANK_GROUPS] = {0}, exp_[MAX_LOGRANK_GROUPS] = {0};
    double var[MAX_LOGRANK_GROUPS * MAX_LOGRANK_GROUPS] = {0}, A[MAX_LOGRANK_GROUPS * MAX_LOGRANK_GROUPS];
    double ng[MAX_LOGRANK_GROUPS], dg[MAX_LOGRANK_GROUPS], x[MAX_LOGRANK_GROUPS];
    uint64_t total_events = 0;
    size_t m = k - 1;
    for (;;) {
        /* the next time any group has a step at */
        double t = INFINITY;
        for (size_t g = 0; g < k; g++)
            if (pos[g] < s->g[g].nsteps && s->time[s->g[g].first + pos[g]] < t)
                t = s->time[s->g[g].first + pos[g]];
        if (t == INFINITY)
            break;
        double N = 0, D = 0;
        for (size_t g = 0; g < k; g++) {
            ng[g] = dg[g] = 0;
            if (pos[g] < s->g[g].nsteps) {
                size_t i = s->g[g].first + pos[g];
                ng[g] = (double)s->at_risk[i];
                if (s->time[i] == t) {
                    dg[g] = (double)s->ev[i];
                    pos[g]++;
                }
            }
            N += ng[g];
            D += dg[g];
        }
        if (D == 0)
            continue;
        total_events += (uint64_t)D;
        cxi_logrank_step(obs, exp_, var, k, ng, dg, N, D, 1);
    }
    if (total_events == 0)
        return cxi_fail(CX_ERANGE, "%s: no event in any group", fn);
    double c;
    if (!cxi_logrank_chi2(&c, obs, exp_, var, k, A, x))
        return cxi_fail(CX_ERANGE, "%s: the variance matrix is singular (a group without subjects at risk at any event)",
                        fn);
    *chi2 = c;
    if (p)
        *p = cxi_gamma_q(m / 2.0, c / 2);
    if (df)
        *df = m;
    return CX_OK;
}

/* ---- the subjects of a store ------------------------------------------------
 * One scan defines who is observed, when each relationship starts and
 * ends, whether it ended in churn, its group and its late entry; the
 * curves (cx_survival_from_store), the subject table (cx_survival_subjects)
 * and the Cox fit of a store (cx_cox_fit_store, cox.c) all read it. */

typedef struct life_scan {
    cx_time as_of;
    cx_time *first, *last;
} life_scan;

static void life_visit(void *vctx, uint32_t c, cx_time t)
{
    life_scan *x = vctx;
    if (t >= x->as_of)
        return;
    if (t < x->first[c])
        x->first[c] = t;
    if (t > x->last[c])
        x->last[c] = t;
}

const uint32_t *cxi_survival_groups(int *set, uint32_t *chan, cx_time *scratch, const cx_store *store, int group_by)
{
    size_t ncust = store->t[CX_TABLE_CUSTOMERS].n;
    *set = -1;
    if (group_by == CX_DIM_SEGMENT || group_by == CX_DIM_REGION || group_by == CX_DIM_PLAN) {
        int col = group_by == CX_DIM_SEGMENT ? CU_SEGMENT : group_by == CX_DIM_REGION ? CU_REGION : CU_PLAN;
        *set = group_by == CX_DIM_SEGMENT  ? CX_VOCAB_SEGMENT
               : group_by == CX_DIM_REGION ? CX_VOCAB_REGION
                                           : CX_VOCAB_PLAN;
        cxi_codes_read(cxi_codes_col(store, CX_TABLE_CUSTOMERS, col), 0, ncust, chan);
        return chan;
    }
    if (group_by != CX_DIM_CHANNEL)
        return NULL;
    *set = CX_VOCAB_CHANNEL;
    size_t ni = store->t[CX_TABLE_INTERACTIONS].n;
    const uint32_t *cu = CXI_COL(store, CX_TABLE_INTERACTIONS, IN_CUSTOMER, uint32_t);
    const cxi_codes tp = cxi_codes_col(store, CX_TABLE_INTERACTIONS, IN_TOUCHPOINT);
    const cxi_icol tm = cxi_icol_of(store, CX_TABLE_INTERACTIONS, IN_TIME);
    const uint32_t *tpch = CXI_COL(store, CX_TABLE_TOUCHPOINTS, TP_CHANNEL, uint32_t);
    for (size_t i = 0; i < ncust; i++) {
        scratch[i] = INT64_MAX;
        chan[i] = CXI_NONE;
    }
    for (size_t i = 0; i < ni; i++)
        if (cxi_icol_at(tm, i) < scratch[cu[i]]) {
            scratch[cu[i]] = cxi_icol_at(tm, i);
            chan[cu[i]] = tpch[cxi_codes_at(tp, i)];
        }
    return chan;
}

void cxi_subjects_free(cxi_subjects *s)
{
    size_t cap = s->cap;
    cxi_free(&s->mem, s->cust, cap * sizeof *s->cust);
    cxi_free(&s->mem, s->group, cap * sizeof *s->group);
    cxi_free(&s->mem, s->start, cap * sizeof *s->start);
    cxi_free(&s->mem, s->exit, cap * sizeof *s->exit);
    cxi_free(&s->mem, s->time, cap * sizeof *s->time);
    cxi_free(&s->mem, s->entry, cap * sizeof *s->entry);
    cxi_free(&s->mem, s->event, cap * sizeof *s->event);
    cxi_mem mem = s->mem;
    memset(s, 0, sizeof *s);
    s->mem = mem;
}

/* One subject per observed customer: its start, exit, churn and late entry. */
static int subject_rows(cxi_subjects *s, const cx_store *store, const life_scan *x, const uint32_t *gcol,
                        const cx_survival_options *o, cx_time as_of, const char *fn)
{
    size_t ncust = store->t[CX_TABLE_CUSTOMERS].n;
    const int64_t *acq = CXI_COL(store, CX_TABLE_CUSTOMERS, CU_ACQUIRED, int64_t);
    uint32_t akey = CXI_NONE;
    if (o->churn_attribute)
        akey = cxi_pool_find(&store->sets[CX_VOCAB_ATTRIBUTE], o->churn_attribute, strlen(o->churn_attribute));
    cx_time from = o->observed_from;
    size_t n = 0;
    for (size_t i = 0; i < ncust; i++) {
        cx_time start = acq[i] != CX_TIME_NONE ? acq[i] : x->first[i];
        if (start == INT64_MAX || start > as_of)
            continue;
        cx_time last = x->last[i] > start ? x->last[i] : start, end;
        int event;
        uint32_t v = akey == CXI_NONE ? CXI_NONE : cxi_attrs_get(&store->attrs, (uint32_t)i, akey);
        if (v != CXI_NONE) {
            const char *txt = cxi_pool_str(&store->attr_values, v);
            cx_time ct;
            char qb[80];
            if (cx_time_parse(&ct, txt, strlen(txt)) != CX_OK)
                return cxi_fail(CX_EPARSE, "%s: customer '%s': churn attribute '%s' = %s is not an ISO 8601 time", fn,
                                cxi_quote(qb, cxi_customer_id(store, (uint32_t)i)), o->churn_attribute, txt);
            if (ct < start)
                return cxi_fail(CX_EORDER, "%s: customer '%s': churned before the relationship started", fn,
                                cxi_quote(qb, cxi_customer_id(store, (uint32_t)i)));
            event = ct <= as_of;
            end = event ? ct : as_of;
        } else if (as_of - last > o->inactivity) {
            event = 1;
            end = last;
        } else {
            event = 0;
            end = as_of;
        }
        double entry = -INFINITY;
        if (from != CX_TIME_NONE && start < from) {
            if (end <= from)
                continue; /* ended before the data begin: never observed at risk */
            entry = (double)(from - start) / (double)o->unit;
            s->late = true;
        }
        s->cust[n] = (uint32_t)i;
        s->group[n] = gcol ? gcol[i] : CXI_NONE;
        s->start[n] = start;
        s->exit[n] = end;
        s->time[n] = (double)(end - start) / (double)o->unit;
        s->entry[n] = entry;
        s->event[n] = event;
        n++;
    }
    if (n == 0)
        return cxi_fail(CX_ERANGE, "%s: no customer has activity or an acquisition before as_of%s", fn,
                        from != CX_TIME_NONE ? " and a relationship going on after the data begin" : "");
    s->n = n;
    return CX_OK;
}

int cxi_subjects_scan(cxi_subjects *s, const cx_store *store, cx_time as_of, const cx_survival_options *o,
                      const char *fn)
{
    memset(s, 0, sizeof *s);
    cxi_mem_init(&s->mem, store->mem.fn, store->mem.ud);
    size_t ncust = store->t[CX_TABLE_CUSTOMERS].n, cap = ncust + 1;
    s->cap = cap;
    s->cust = cxi_alloc(&s->mem, cap * sizeof *s->cust);
    s->group = cxi_alloc(&s->mem, cap * sizeof *s->group);
    s->start = cxi_alloc(&s->mem, cap * sizeof *s->start);
    s->exit = cxi_alloc(&s->mem, cap * sizeof *s->exit);
    s->time = cxi_alloc(&s->mem, cap * sizeof *s->time);
    s->entry = cxi_alloc(&s->mem, cap * sizeof *s->entry);
    s->event = cxi_alloc(&s->mem, cap * sizeof *s->event);
    cxi_mem mem = s->mem;
    life_scan x = {as_of, cxi_alloc(&mem, cap * sizeof(cx_time)), cxi_alloc(&mem, cap * sizeof(cx_time))};
    bool grouped = cxi_survival_dim_ok(o->group_by);
    uint32_t *chan = grouped ? cxi_alloc(&mem, cap * sizeof *chan) : NULL;
    int rc = CX_OK;
    if (!s->cust || !s->group || !s->start || !s->exit || !s->time || !s->entry || !s->event || !x.first || !x.last ||
        (grouped && !chan)) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    } else {
        for (size_t i = 0; i < ncust; i++) {
            x.first[i] = INT64_MAX;
            x.last[i] = INT64_MIN;
        }
        cxi_each_activity(store, o->activity, life_visit, &x);
        /* the exit column is free until the rows are written: the channel scan's scratch */
        const uint32_t *gcol = cxi_survival_groups(&s->set, chan, s->exit, store, o->group_by);
        rc = subject_rows(s, store, &x, gcol, o, as_of, fn);
    }
    cxi_free(&mem, x.first, cap * sizeof(cx_time));
    cxi_free(&mem, x.last, cap * sizeof(cx_time));
    cxi_free(&mem, chan, chan ? cap * sizeof *chan : 0);
    if (rc)
        cxi_subjects_free(s);
    return rc;
}

typedef struct subject_labels {
    const cx_store *store;
    int set;
} subject_labels;

static const char *set_label(void *ctx, uint64_t group, char *buf)
{
    (void)buf;
    const subject_labels *g = ctx;
    if (group == 0)
        return NULL;
    return cxi_pool_str(&g->store->sets[g->set], (uint32_t)(group - 1));
}

static int store_begin(cxi_subjects *sub, const cx_store *store, cx_time as_of, const cx_survival_options *options,
                       const char *fn)
{
    if (!store)
        return cxi_fail(CX_EINVAL, "%s: store is NULL", fn);
    if (as_of == CX_TIME_NONE)
        return cxi_fail(CX_EINVAL, "%s: as_of is missing", fn);
    cx_survival_options defaults;
    if (!options) {
        cxi_survival_defaults(&defaults);
        options = &defaults;
    }
    return cxi_subjects_scan(sub, store, as_of, options, fn);
}

int cx_survival_from_store(cx_survival **out, const cx_store *store, cx_time as_of,
                           const cx_survival_options *options)
{
    static const char fn[] = "cx_survival_from_store";
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    cxi_subjects sub;
    int rc = store_begin(&sub, store, as_of, options, fn);
    if (rc)
        return rc;
    size_t n = sub.n;
    uint32_t *cls = cxi_alloc(&sub.mem, n * sizeof *cls);
    if (!cls) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
    } else {
        for (size_t i = 0; i < n; i++) {
            cls[i] = sub.group[i] != CXI_NONE ? sub.group[i] + 1 : 0;
        }
        subject_labels gl = {store, sub.set};
        double level = options ? options->level : 0.95;
        int band = options ? options->band : CX_BAND_LOG_LOG;
        cxi_srec subjects = {n, sub.time, sub.event, cls, NULL, sub.late ? sub.entry : NULL};
        rc = cxi_km_build(out, sub.mem, &subjects, level, band, set_label, &gl, fn);
        cxi_free(&sub.mem, cls, n * sizeof *cls);
    }
    cxi_subjects_free(&sub);
    return rc;
}

enum { SU_CUSTOMER, SU_GROUP, SU_START, SU_EXIT, SU_ENTRY, SU_TIME, SU_EVENT, SU_NCOLS };

int cx_survival_subjects(cx_result **out, const cx_store *store, cx_time as_of, const cx_survival_options *options)
{
    static const char fn[] = "cx_survival_subjects";
    static const char *const names[SU_NCOLS] = {"customer", "group", "start", "exit", "entry", "time", "event"};
    static const int types[SU_NCOLS] = {CX_TYPE_STRING, CX_TYPE_STRING, CX_TYPE_TIME, CX_TYPE_TIME,
                                        CX_TYPE_REAL,   CX_TYPE_REAL,   CX_TYPE_INT};
    if (!out)
        return cxi_fail(CX_EINVAL, "%s: out is NULL", fn);
    *out = NULL;
    cxi_subjects sub;
    int rc = store_begin(&sub, store, as_of, options, fn);
    if (rc)
        return rc;
    cx_result *r = NULL;
    if (cxi_result_new(&r, &sub.mem, sub.n, SU_NCOLS, names, types)) {
        rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
        goto done;
    }
    for (size_t i = 0; i < sub.n; i++) {
        const char *id = cxi_customer_id(store, sub.cust[i]);
        if (cxi_result_set_str(r, SU_CUSTOMER, i, id, strlen(id))) {
            rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
            goto done;
        }
        if (sub.group[i] != CXI_NONE) {
            const char *g = cxi_pool_str(&store->sets[sub.set], sub.group[i]);
            if (cxi_result_set_str(r, SU_GROUP, i, g, strlen(g))) {
                rc = cxi_fail(CX_ENOMEM, "%s: out of memory", fn);
                goto done;
            }
        }
        cxi_result_set_time(r, SU_START, i, sub.start[i]);
        cxi_result_set_time(r, SU_EXIT, i, sub.exit[i]);
        cxi_result_set_real(r, SU_ENTRY, i, sub.entry[i] > 0 ? sub.entry[i] : 0);
        cxi_result_set_real(r, SU_TIME, i, sub.time[i]);
        cxi_result_set_int(r, SU_EVENT, i, sub.event[i]);
    }
    *out = r;
    r = NULL;
done:
    cx_result_free(r);
    cxi_subjects_free(&sub);
    return rc;
}

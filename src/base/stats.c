/*
 * Statistics for the metrics engine: normal and Student t distributions,
 * the incomplete beta function, confidence intervals and two-sample tests.
 * Written from the published definitions cited at each function; see
 * stats.h for the contract (statuses, NaN outputs).
 */
#include "stats.h"

#include <math.h>

#define PI 3.14159265358979323846
#define LN_SQRT_2PI 0.91893853320467274178
#define SQRT_2PI 2.50662827463100050242
#define SQRT1_2 0.70710678118654752440

/* ---- distributions --------------------------------------------------- */

double cxi_lgamma(double x)
{
    /* Lanczos' approximation with Godfrey's coefficients (g = 7, n = 9) */
    static const double c[9] = {
        0.99999999999980993,     676.5203681218851,     -1259.1392167224028,
        771.32342877765313,      -176.61502916214059,   12.507343278686905,
        -0.13857109526572012,    9.9843695780195716e-6, 1.5056327351493116e-7,
    };
    if (!(x > 0))
        return NAN;
    if (isinf(x))
        return INFINITY;
    if (x < 0.5) /* reflection: Gamma(x) Gamma(1-x) = pi / sin(pi x) */
        return log(PI / sin(PI * x)) - cxi_lgamma(1.0 - x);
    x -= 1.0;
    double a = c[0];
    double t = x + 7.5;
    for (int i = 1; i < 9; i++)
        a += c[i] / (x + i);
    return LN_SQRT_2PI + (x + 0.5) * log(t) - t + log(a);
}

/* omega(x) = ln Gamma(x) - ((x - 1/2) ln x - x + ln sqrt(2 pi)), Stirling's
 * series to the x^-13 term: below 1e-16 for x >= 10. */
static double stirling_rest(double x)
{
    double r = 1.0 / x, r2 = r * r;
    return r * (1.0 / 12 + r2 * (-1.0 / 360 + r2 * (1.0 / 1260 + r2 * (-1.0 / 1680 +
                r2 * (1.0 / 1188 + r2 * (-691.0 / 360360 + r2 * (1.0 / 156)))))));
}

/* ln B(a, b). With a large argument (df/2 of a t distribution with many df)
 * the difference of lgammas would lose digits to cancellation, so the
 * large-argument part is taken from Stirling's series, where
 * ln Gamma(x) - ln Gamma(x + s) = -s ln x - (x + s - 1/2) log1p(s/x) + s
 * + omega(x) - omega(x + s) cancels analytically. */
double cxi_lbeta(double a, double b)
{
    double big = a > b ? a : b, s = a > b ? b : a;
    if (big < 10)
        return cxi_lgamma(a) + cxi_lgamma(b) - cxi_lgamma(a + b);
    return cxi_lgamma(s) - s * log(big) - (big + s - 0.5) * log1p(s / big) + s + stirling_rest(big) -
           stirling_rest(big + s);
}

/* The continued fraction for I_x(a, b) (A&S 26.5.8):
 * I_x(a,b) = x^a (1-x)^b / (a B(a,b)) * 1/(1+ d1/(1+ d2/(1+ ...))) with
 * d_{2m+1} = -(a+m)(a+b+m) x / ((a+2m)(a+2m+1)),
 * d_{2m}   =  m(b-m) x / ((a+2m-1)(a+2m)),
 * evaluated by the modified Lentz method. Converges fast for x < (a+1)/(a+b+2). */
static double betacf(double a, double b, double x)
{
    const double tiny = 1e-300, eps = 1e-16;
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < tiny)
        d = tiny;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 100000; m++) {
        double m2 = 2.0 * m;
        double num = m * (b - m) * x / ((a + m2 - 1.0) * (a + m2));
        d = 1.0 + num * d;
        d = fabs(d) < tiny ? 1.0 / tiny : 1.0 / d;
        c = 1.0 + num / c;
        if (fabs(c) < tiny)
            c = tiny;
        h *= d * c;
        num = -(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0));
        d = 1.0 + num * d;
        d = fabs(d) < tiny ? 1.0 / tiny : 1.0 / d;
        c = 1.0 + num / c;
        if (fabs(c) < tiny)
            c = tiny;
        double del = d * c;
        h *= del;
        if (fabs(del - 1.0) < eps)
            break;
    }
    return h;
}

/* The regularized incomplete beta function I_x(a, b), a, b > 0 (the
 * continued fraction of A&S 26.5.8 by the modified Lentz method, using
 * I_x(a,b) = 1 - I_{1-x}(b,a) where it converges faster), given x,
 * y = 1 - x and their logarithms, each computed by the
 * caller without cancellation. */
static double incbeta_xy(double a, double b, double x, double y, double lnx, double lny)
{
    if (x <= 0)
        return 0.0;
    if (y <= 0)
        return 1.0;
    double front = exp(a * lnx + b * lny - cxi_lbeta(a, b));
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * betacf(a, b, x) / a;
    return 1.0 - front * betacf(b, a, y) / b;
}

double cxi_normal_cdf(double x)
{
    if (isnan(x))
        return NAN;
    return 0.5 * erfc(-x * SQRT1_2);
}

double cxi_normal_quantile(double p)
{
    /* P. J. Acklam, "An algorithm for computing the inverse normal
     * cumulative distribution function" (2003): rational approximations on
     * a central region and the tails. */
    static const double a[6] = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
                                1.383577518672690e+02,  -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[5] = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
                                6.680131188771972e+01,  -1.328068155288572e+01};
    static const double c[6] = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
                                -2.549732539343734e+00, 4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[4] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                                3.754408661907416e+00};
    const double plow = 0.02425;
    if (!(p >= 0 && p <= 1))
        return NAN;
    if (p == 0)
        return -INFINITY;
    if (p == 1)
        return INFINITY;
    if (p > 0.5) /* 1 - p is exact here (Sterbenz), and the lower tail is where erfc is accurate */
        return -cxi_normal_quantile(1.0 - p);
    double x;
    if (p < plow) {
        double q = sqrt(-2.0 * log(p));
        x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1.0);
    } else {
        double q = p - 0.5, r = q * q;
        x = (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q /
            (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1.0);
    }
    /* one step of Halley's method on Phi(x) - p (Acklam's refinement) */
    double e = 0.5 * erfc(-x * SQRT1_2) - p;
    double u = e * SQRT_2PI * exp(x * x / 2.0);
    return x - u / (1.0 + x * u / 2.0);
}

double cxi_level_z(double level)
{
    if (!(level > 0 && level < 1))
        return NAN;
    return cxi_normal_quantile(0.5 + level / 2.0);
}

/* ln(1 + r^2) without overflow for huge r. */
static double log1p_sq(double r)
{
    r = fabs(r);
    if (r > 1e150)
        return 2.0 * log(r) + log1p(1.0 / r / r);
    return log1p(r * r);
}

/* P(T > t) for t >= 0: I_x(df/2, 1/2) / 2 with x = 1/(1+r^2), r = t/sqrt(df). */
static double t_upper(double t, double df)
{
    if (t == 0)
        return 0.5;
    if (isinf(t))
        return 0.0;
    double r = t / sqrt(df);
    double l = log1p_sq(r);           /* ln(1 + r^2) */
    double lnx = -l;                  /* ln x */
    double lny = 2.0 * log(r) - l;    /* ln y, y = r^2/(1+r^2) */
    double x = exp(lnx), y = exp(lny);
    return 0.5 * incbeta_xy(df / 2.0, 0.5, x, y, lnx, lny);
}

/* The t density. */
static double t_pdf(double t, double df)
{
    double r = t / sqrt(df);
    return exp(-cxi_lbeta(df / 2.0, 0.5) - 0.5 * log(df) - (df + 1.0) / 2.0 * log1p_sq(r));
}

/* Beyond this many degrees of freedom the continued fraction converges too
 * slowly near the centre (its error grows past 1e-12), and the t
 * distribution is described better by its expansion around the normal. */
#define T_LARGE_DF 1e4

/* Fisher & Cornish's expansion of the t quantile in the normal one
 * (A&S 26.7.5): t = z + g1(z)/df + g2(z)/df^2 + g3(z)/df^3 + g4(z)/df^4;
 * for df >= 1e4 and t^2 <= df/1000 the next term is below ~1e-15 of t.
 * *dt gets dt/dz. */
static double cornish_fisher(double z, double df, double *dt)
{
    double z2 = z * z, v = 1.0 / df;
    double g1 = z * (z2 + 1.0) / 4.0;
    double g2 = z * ((5.0 * z2 + 16.0) * z2 + 3.0) / 96.0;
    double g3 = z * (((3.0 * z2 + 19.0) * z2 + 17.0) * z2 - 15.0) / 384.0;
    double g4 = z * ((((79.0 * z2 + 776.0) * z2 + 1482.0) * z2 - 1920.0) * z2 - 945.0) / 92160.0;
    if (dt) {
        double d1 = (3.0 * z2 + 1.0) / 4.0;
        double d2 = ((25.0 * z2 + 48.0) * z2 + 3.0) / 96.0;
        double d3 = (((21.0 * z2 + 95.0) * z2 + 51.0) * z2 - 15.0) / 384.0;
        double d4 = ((((711.0 * z2 + 5432.0) * z2 + 7410.0) * z2 - 5760.0) * z2 - 945.0) / 92160.0;
        *dt = 1.0 + v * (d1 + v * (d2 + v * (d3 + v * d4)));
    }
    return z + v * (g1 + v * (g2 + v * (g3 + v * g4)));
}

static int t_use_expansion(double t, double df) { return df >= T_LARGE_DF && t * t <= df / 1000.0; }

double cxi_student_t_cdf(double t, double df)
{
    if (isnan(t) || !(df > 0))
        return NAN;
    if (isinf(df))
        return cxi_normal_cdf(t);
    if (t_use_expansion(t, df)) {
        /* invert the expansion: the z whose t quantile is t, by Newton from z = t */
        double z = t;
        for (int i = 0; i < 20; i++) {
            double dt, dz = (cornish_fisher(z, df, &dt) - t) / dt;
            z -= dz;
            if (fabs(dz) <= 1e-16 * (fabs(z) + 1e-300))
                break;
        }
        return cxi_normal_cdf(z);
    }
    double u = t_upper(fabs(t), df);
    return t > 0 ? 1.0 - u : u;
}

double cxi_student_t_quantile(double p, double df)
{
    if (!(p >= 0 && p <= 1) || !(df > 0))
        return NAN;
    if (isinf(df))
        return cxi_normal_quantile(p);
    if (p == 0)
        return -INFINITY;
    if (p == 1)
        return INFINITY;
    if (p == 0.5)
        return 0.0;
    /* solve P(T > t) = tail for t > 0, then give the sign */
    double tail = p < 0.5 ? p : 1.0 - p;
    double sign = p < 0.5 ? -1.0 : 1.0;
    double t;
    if (df == 1) {
        t = 1.0 / tan(PI * tail); /* Cauchy */
        return sign * t;
    }
    if (df == 2) {
        t = (1.0 - 2.0 * tail) / sqrt(2.0 * tail * (1.0 - tail));
        return sign * t;
    }
    /* the Cornish-Fisher expansion: the answer itself for large df (the
     * cdf uses the same expansion there), otherwise the start of Newton */
    double z = -cxi_normal_quantile(tail);
    t = cornish_fisher(z, df, NULL);
    if (t_use_expansion(t, df))
        return sign * t;
    if (!(t > 0) || !isfinite(t))
        t = z > 0 ? z : 1.0;
    double lo = 0.0, hi = INFINITY, lntail = log(tail);
    for (int it = 0; it < 200; it++) {
        double s = t_upper(t, df);
        if (s == tail)
            break;
        if (s > tail)
            lo = t;
        else
            hi = t;
        /* Newton on g(t) = ln S(t) - ln tail, g'(t) = -pdf(t)/S(t) */
        double f = t_pdf(t, df);
        double tn = (s > 0 && f > 0) ? t + (log(s) - lntail) * s / f : NAN;
        if (!(tn > lo && tn < hi))
            tn = isinf(hi) ? 2.0 * t : 0.5 * (lo + hi);
        if (fabs(tn - t) <= 1e-14 * t || hi - lo <= 1e-15 * t) {
            t = tn;
            break;
        }
        t = tn;
    }
    return sign * t;
}

/* ---- intervals and tests ---------------------------------------------- */

static void put(double *out, double v)
{
    if (out)
        *out = v;
}

static int bad_count(double x) { return !isfinite(x) || x < 0; }

int cxi_wilson(double *lo, double *hi, double successes, double n, double z)
{
    put(lo, NAN);
    put(hi, NAN);
    if (bad_count(successes) || bad_count(n) || successes > n)
        return cxi_fail(CX_EINVAL, "Wilson interval: need 0 <= successes (%g) <= n (%g)", successes, n);
    if (!(z > 0) || isinf(z))
        return cxi_fail(CX_EINVAL, "Wilson interval: critical value z = %g must be positive", z);
    if (n == 0)
        return cxi_fail(CX_ERANGE, "Wilson interval: no observation (n = 0)");
    double p = successes / n, z2n = z * z / n;
    double centre = (p + z2n / 2.0) / (1.0 + z2n);
    double half = z / (1.0 + z2n) * sqrt(p * (1.0 - p) / n + z2n / (4.0 * n));
    double l = centre - half, h = centre + half;
    put(lo, successes == 0 || l < 0 ? 0.0 : l);
    put(hi, successes == n || h > 1 ? 1.0 : h);
    return CX_OK;
}

static int check_level(const char *fn, double level)
{
    if (!(level > 0 && level < 1))
        return cxi_fail(CX_EINVAL, "%s: confidence level %g is not in (0, 1)", fn, level);
    return CX_OK;
}

int cxi_mean_ci(double *lo, double *hi, double mean, double sd, double n, double level)
{
    put(lo, NAN);
    put(hi, NAN);
    if (!isfinite(mean) || !isfinite(sd) || sd < 0 || bad_count(n))
        return cxi_fail(CX_EINVAL, "mean interval: invalid mean %g, sd %g or n %g", mean, sd, n);
    if (check_level("mean interval", level))
        return CX_EINVAL;
    if (!(n > 1))
        return cxi_fail(CX_ERANGE, "mean interval: n = %g leaves no degree of freedom", n);
    double half = cxi_student_t_quantile(0.5 + level / 2.0, n - 1.0) * sd / sqrt(n);
    put(lo, mean - half);
    put(hi, mean + half);
    return CX_OK;
}

/* Shares of promoters and detractors, NPS as a fraction in [-1, 1] and the
 * variance of one answer's score (+1, 0, -1). */
static void nps_parts(double prom, double pas, double det, double *n, double *nps, double *var)
{
    *n = prom + pas + det;
    double p = prom / *n, d = det / *n;
    *nps = p - d;
    double v = p + d - *nps * *nps;
    *var = v > 0 ? v : 0.0; /* rounding can take an exact 0 below */
}

int cxi_nps_ci(double *nps, double *lo, double *hi, double promoters, double passives, double detractors,
               double level)
{
    put(nps, NAN);
    put(lo, NAN);
    put(hi, NAN);
    if (bad_count(promoters) || bad_count(passives) || bad_count(detractors))
        return cxi_fail(CX_EINVAL, "NPS interval: invalid counts %g, %g, %g", promoters, passives, detractors);
    if (check_level("NPS interval", level))
        return CX_EINVAL;
    if (promoters + passives + detractors == 0)
        return cxi_fail(CX_ERANGE, "NPS interval: no answer");
    /* Rocks (2016)'s adjusted Wald interval: 3/4 of a promoter, 3/2 of a
     * passive and 3/4 of a detractor are added before the Wald formula, so
     * that a small or one-sided sample never gets a zero-width interval. */
    double n, x, var, na, xa, vara;
    nps_parts(promoters, passives, detractors, &n, &x, &var);
    nps_parts(promoters + CXI_NPS_PSEUDO_PROMOTERS, passives + CXI_NPS_PSEUDO_PASSIVES,
              detractors + CXI_NPS_PSEUDO_DETRACTORS, &na, &xa, &vara);
    (void)var;
    double half = 100.0 * cxi_level_z(level) * sqrt(vara / na);
    double l = 100.0 * xa - half, h = 100.0 * xa + half;
    put(nps, 100.0 * x);
    put(lo, l < -100.0 ? -100.0 : l);
    put(hi, h > 100.0 ? 100.0 : h);
    return CX_OK;
}

/* Two-sided p-value of a standard normal statistic: 2 (1 - Phi(|z|)). */
static double p_normal(double z) { return erfc(fabs(z) * SQRT1_2); }

int cxi_two_proportion_test(double *z, double *p, double x1, double n1, double x2, double n2)
{
    put(z, NAN);
    put(p, NAN);
    if (bad_count(x1) || bad_count(n1) || bad_count(x2) || bad_count(n2) || x1 > n1 || x2 > n2)
        return cxi_fail(CX_EINVAL, "two-proportion test: need 0 <= x <= n (%g/%g, %g/%g)", x1, n1, x2, n2);
    if (n1 == 0 || n2 == 0)
        return cxi_fail(CX_ERANGE, "two-proportion test: an empty group (n1 = %g, n2 = %g)", n1, n2);
    double pool = (x1 + x2) / (n1 + n2);
    double se = sqrt(pool * (1.0 - pool) * (1.0 / n1 + 1.0 / n2));
    if (!(se > 0))
        return cxi_fail(CX_ERANGE, "two-proportion test: no variation (pooled proportion %g)", pool);
    double zz = (x1 / n1 - x2 / n2) / se;
    put(z, zz);
    put(p, p_normal(zz));
    return CX_OK;
}

int cxi_welch_t_test(double *t, double *df, double *p, double m1, double s1, double n1, double m2, double s2,
                     double n2)
{
    put(t, NAN);
    put(df, NAN);
    put(p, NAN);
    if (!isfinite(m1) || !isfinite(m2) || !isfinite(s1) || !isfinite(s2) || s1 < 0 || s2 < 0 || bad_count(n1) ||
        bad_count(n2))
        return cxi_fail(CX_EINVAL, "Welch test: invalid summary (%g, %g, %g; %g, %g, %g)", m1, s1, n1, m2, s2, n2);
    if (!(n1 > 1) || !(n2 > 1))
        return cxi_fail(CX_ERANGE, "Welch test: each group needs two observations (n1 = %g, n2 = %g)", n1, n2);
    double v1 = s1 * s1 / n1, v2 = s2 * s2 / n2, v = v1 + v2;
    if (!(v > 0))
        return cxi_fail(CX_ERANGE, "Welch test: no variation in either group");
    double tt = (m1 - m2) / sqrt(v);
    double dof = v * v / (v1 * v1 / (n1 - 1.0) + v2 * v2 / (n2 - 1.0));
    double cdf = cxi_student_t_cdf(-fabs(tt), dof);
    put(t, tt);
    put(df, dof);
    put(p, 2.0 * cdf);
    return CX_OK;
}

int cxi_nps_diff_test(double *z, double *p, double prom1, double pas1, double det1, double prom2, double pas2,
                      double det2)
{
    put(z, NAN);
    put(p, NAN);
    if (bad_count(prom1) || bad_count(pas1) || bad_count(det1) || bad_count(prom2) || bad_count(pas2) ||
        bad_count(det2))
        return cxi_fail(CX_EINVAL, "NPS difference test: invalid counts");
    if (prom1 + pas1 + det1 == 0 || prom2 + pas2 + det2 == 0)
        return cxi_fail(CX_ERANGE, "NPS difference test: a group without answers");
    double n1, x1, v1, n2, x2, v2;
    nps_parts(prom1, pas1, det1, &n1, &x1, &v1);
    nps_parts(prom2, pas2, det2, &n2, &x2, &v2);
    double se = sqrt(v1 / n1 + v2 / n2);
    if (!(se > 0))
        return cxi_fail(CX_ERANGE, "NPS difference test: no variation in either group");
    double zz = (x1 - x2) / se;
    put(z, zz);
    put(p, p_normal(zz));
    return CX_OK;
}

/* ---- special functions of the lifecycle models ----------------------- */

double cxi_digamma(double x)
{
    if (!(x > 0) || !isfinite(x))
        return NAN;
    double r = 0;
    while (x < 6) {
        r -= 1 / x;
        x += 1;
    }
    double f = 1 / (x * x);
    return r + log(x) - 0.5 / x -
           f * (1.0 / 12 - f * (1.0 / 120 - f * (1.0 / 252 - f * (1.0 / 240 - f * (1.0 / 132)))));
}

double cxi_hyp2f1(double a, double b, double c, double z)
{
    if (!(z >= 0 && z < 1))
        return NAN;
    double term = 1, sum = 1;
    for (int k = 0; k < 200000; k++) {
        term *= (a + k) * (b + k) / ((c + k) * (k + 1.0)) * z;
        sum += term;
        if (fabs(term) <= 1e-16 * fabs(sum))
            return sum;
    }
    return NAN;
}

/* Q(a, x) = Gamma(a, x) / Gamma(a): the series of P below a + 1, else the
 * continued fraction of Q (modified Lentz), as in Numerical Recipes. */
double cxi_gamma_q(double a, double x)
{
    if (!(a > 0) || !(x >= 0))
        return NAN;
    if (x == 0)
        return 1;
    double lg = a * log(x) - x - cxi_lgamma(a);
    if (x < a + 1) {
        double ap = a, del = 1 / a, sum = del;
        for (int n = 0; n < 10000; n++) {
            ap += 1;
            del *= x / ap;
            sum += del;
            if (fabs(del) < fabs(sum) * 1e-16)
                break;
        }
        return 1 - sum * exp(lg);
    }
    double b = x + 1 - a, c = 1 / 1e-300, d = 1 / b, h = d;
    for (int i = 1; i < 10000; i++) {
        double an = -i * (i - a);
        b += 2;
        d = an * d + b;
        if (fabs(d) < 1e-300)
            d = 1e-300;
        c = b + an / c;
        if (fabs(c) < 1e-300)
            c = 1e-300;
        d = 1 / d;
        double del = d * c;
        h *= del;
        if (fabs(del - 1) < 1e-16)
            break;
    }
    return exp(lg) * h;
}

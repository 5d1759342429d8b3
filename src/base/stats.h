/*
 * Private statistics: distribution functions (normal, Student t, the
 * regularized incomplete beta), confidence intervals (Wilson, t interval of
 * a mean, NPS) and two-sample tests (two proportions, Welch, NPS difference)
 * and the special functions of the lifecycle models (log-beta, digamma,
 * the hypergeometric series, the incomplete gamma), shared by every analysis
 * module. Pure functions: no allocation, no global state
 * (log-gamma is computed here because libm's lgamma writes the global
 * signgam), thread-safe.
 *
 * Conventions
 * - Distribution functions return a double: NaN for a NaN argument or one
 *   outside the domain (p outside [0, 1], df <= 0); quantiles give -inf / +inf
 *   at p = 0 / 1. df may be fractional (Welch) or +inf (normal).
 * - Intervals and tests return an int status and write every output, in all
 *   cases (NaN when the result does not exist), and accept NULL for outputs
 *   the caller does not want:
 *     CX_OK      the outputs are the result;
 *     CX_EINVAL  an argument is invalid: NaN or infinite, a negative count,
 *                successes > n, sd < 0, level outside (0, 1), z <= 0;
 *     CX_ERANGE  the arguments are valid but the data cannot give a result:
 *                no observation (n = 0), fewer than two for a t statistic,
 *                or a test whose standard error is zero (no variation in
 *                either group, e.g. 0 % vs 0 %: the statistic is 0/0).
 *   Both failures are reported through cxi_fail (the thread's last error).
 * - Counts are doubles so that weighted counts work; they need not be
 *   integers.
 * - p-values are two-sided.
 */
#ifndef CXI_STATS_H
#define CXI_STATS_H

#include "../base/base.h"

/* ---- distributions --------------------------------------------------- */

/* ln Gamma(x) for x > 0 (Lanczos, g = 7, n = 9; relative error ~1e-15 in
 * Gamma); NaN for x <= 0. Thread-safe, unlike libm's lgamma. */
double cxi_lgamma(double x);

/* digamma psi(x), x > 0: recurrence up to 6, then the asymptotic series. */
double cxi_digamma(double x);
/* ln B(a, b), a, b > 0, accurate also when one argument is large (the
 * difference of log-gammas would lose digits to cancellation there). */
double cxi_lbeta(double a, double b);
/* Gauss 2F1(a, b; c; z) for 0 <= z < 1 by its series (NaN if it does not
 * converge in 200000 terms). */
double cxi_hyp2f1(double a, double b, double c, double z);
/* Regularized upper incomplete gamma Q(a, x). */
double cxi_gamma_q(double a, double x);


/* Standard normal CDF, 0.5 erfc(-x/sqrt 2) (accurate in both tails). */
double cxi_normal_cdf(double x);

/* Inverse standard normal CDF: Acklam's rational approximation (relative
 * error 1.15e-9) refined by one Halley step on erfc, giving full double
 * accuracy (~1e-15); computed on the lower tail so that p near 1 keeps its
 * precision. */
double cxi_normal_quantile(double p);

/* Student t CDF with df degrees of freedom:
 * P(T <= t) = 1 - I_{df/(df+t^2)}(df/2, 1/2) / 2 for t >= 0 (symmetric).
 * For df >= 1e4 (and t^2 <= df/1000), where the continued fraction
 * converges too slowly, the normal CDF of the z that Fisher & Cornish's
 * expansion (A&S 26.7.5, to df^-4) maps to t. Relative accuracy, checked
 * against 50-digit references: ~3e-13 or better, tails included. */
double cxi_student_t_cdf(double t, double df);

/* Inverse of cxi_student_t_cdf: closed forms for df = 1 and 2; the
 * Cornish-Fisher expansion itself where the CDF uses it; otherwise that expansion
 * as a start refined by safeguarded Newton steps on the log tail
 * (relative accuracy ~1e-12 or better). */
double cxi_student_t_quantile(double p, double df);

/* The two-sided critical value z for a confidence level in (0, 1):
 * cxi_normal_quantile(0.5 + level/2) (1.959964 for 0.95); NaN outside. */
double cxi_level_z(double level);

/* ---- intervals ------------------------------------------------------- */

/* Wilson score interval for a proportion successes/n with critical value z
 * (use cxi_level_z): centre (p + z^2/2n) / (1 + z^2/n), half-width
 * z/(1 + z^2/n) sqrt(p(1-p)/n + z^2/4n^2); exactly 0 / 1 at the ends.
 * CX_EINVAL (successes < 0, successes > n, z <= 0), CX_ERANGE (n = 0). */
int cxi_wilson(double *lo, double *hi, double successes, double n, double z);

/* t interval of a mean: mean -+ t_{(1+level)/2, n-1} sd / sqrt(n).
 * CX_EINVAL (sd < 0, bad level, n < 0), CX_ERANGE (n <= 1: no df). */
int cxi_mean_ci(double *lo, double *hi, double mean, double sd, double n, double level);

/* Pseudo-observations of the adjusted Wald NPS interval (Rocks 2016, the
 * defaults of his R package `NPS`): 3 answers in all, split 1:2:1. */
#define CXI_NPS_PSEUDO_PROMOTERS 0.75
#define CXI_NPS_PSEUDO_PASSIVES 1.5
#define CXI_NPS_PSEUDO_DETRACTORS 0.75

/* NPS = 100 (P - D), P, D the shares of promoters and detractors, with
 * Rocks (2016)'s adjusted Wald interval: the counts plus the pseudo-
 * observations above (n' = n + 3, P' = (prom + 3/4) / n', D' = (det + 3/4)
 * / n'), then the normal interval of the multinomial variance,
 * 100 (P' - D') -+ 100 z sqrt((P' + D' - (P' - D')^2) / n'), clipped to
 * [-100, 100]. The point estimate stays the plain 100 (P - D). At n = 1 the
 * interval is wide ([-98.5, 48.5] for one detractor at 95 %), never a point.
 * CX_EINVAL (negative count, bad level), CX_ERANGE (no answer). */
int cxi_nps_ci(double *nps, double *lo, double *hi, double promoters, double passives, double detractors,
               double level);

/* ---- tests (two-sided p-values) --------------------------------------- */

/* Pooled two-proportion z test of x1/n1 against x2/n2:
 * z = (p1 - p2) / sqrt(p (1-p) (1/n1 + 1/n2)), p = (x1 + x2) / (n1 + n2).
 * CX_EINVAL (x < 0, x > n), CX_ERANGE (n1 or n2 = 0; p = 0 or 1 pooled). */
int cxi_two_proportion_test(double *z, double *p, double x1, double n1, double x2, double n2);

/* Welch's unequal-variance t test from summary statistics (means, sample
 * standard deviations, sizes), with the Welch-Satterthwaite df.
 * CX_EINVAL (sd < 0, n < 0), CX_ERANGE (n1 or n2 <= 1; both sd = 0). */
int cxi_welch_t_test(double *t, double *df, double *p, double m1, double s1, double n1, double m2, double s2,
                     double n2);

/* Difference of two NPS (group 1 - group 2) as a z test with unpooled
 * multinomial variances: z = (N1 - N2) / sqrt(v1/n1 + v2/n2), N = P - D,
 * v = P + D - N^2. CX_EINVAL (negative count), CX_ERANGE (an empty group;
 * zero variance in both groups). */
int cxi_nps_diff_test(double *z, double *p, double prom1, double pas1, double det1, double prom2, double pas2,
                      double det2);

#endif

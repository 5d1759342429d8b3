"""Reference numbers for tests/test_btyd.c and the BTYD binding tests, from
lifetimes 0.11.3 (a peer implementation; nothing of it is copied into CXKit).

Run:  /work/venv-peers/bin/python tests/data/btyd/make_reference.py ../shared/data
(lifetimes 0.11.3, numpy 1.24.2, scipy 1.10.1, autograd). It prints the
values that the tests hold as constants; see README.md beside it.
"""
import sys

import numpy as np
import pandas as pd
from lifetimes import BetaGeoFitter, ParetoNBDFitter, GammaGammaFitter, BetaGeoBetaBinomFitter
from lifetimes.utils import calibration_and_holdout_data

data = sys.argv[1] if len(sys.argv) > 1 else "../shared/data"
np.set_printoptions(precision=17)
np.random.seed(1)  # ParetoNBDFitter starts Nelder-Mead from random points


def show(name, values):
    print(name, "=", ", ".join("%.17g" % v for v in np.atleast_1d(values)))


s = pd.read_csv(data + "/cdnow_customers_summary_with_transactions.csv")
x, tx, T, z = s["x"].values, s["t_x"].values, s["T"].values, s["zbar"].values

print("# BG/NBD on the CDNOW summary: BetaGeoFitter().fit(x, t_x, T); .summary")
bg = BetaGeoFitter().fit(x, tx, T)
print(bg.summary.to_string(float_format=lambda v: "%.10g" % v))
show("bgnbd_params", bg.params_[["r", "alpha", "a", "b"]].values)
show("bgnbd_se", bg.standard_errors_[["r", "alpha", "a", "b"]].values)
print("# probability_of_n_purchases_up_to_time(t, n), n = 0..9, and expected_number_of_purchases_up_to_time(t)")
for t in (39.0, 78.0):
    show("bgnbd_pmf_t%g" % t, [bg.probability_of_n_purchases_up_to_time(t, n) for n in range(10)])
show("bgnbd_ex_t", [bg.expected_number_of_purchases_up_to_time(t) for t in (1.0, 10.0, 39.0, 78.0)])

print("# Pareto/NBD: ParetoNBDFitter().fit(x, t_x, T)")
pn = ParetoNBDFitter().fit(x, tx, T)
p = pn.params_[["r", "alpha", "s", "beta"]].values
show("pnbd_params", p)
show("pnbd_ex_t", [pn.expected_number_of_purchases_up_to_time(t) for t in (1.0, 10.0, 39.0, 78.0)])
print("# lifetimes has no unconditional Pareto/NBD pmf; its conditional pmf (Fader & Hardie note 028, eq. 16)")
print("# for a customer with no history (x = 0, t_x = 0, T = 1e-9) is the prior one to O(1e-9)")
for t in (39.0,):
    show("pnbd_pmf_t%g" % t, [pn.conditional_probability_of_n_purchases_up_to_time(n, t, 0, 0, 1e-9)
                               for n in range(10)])
print("# lifetimes fits Pareto/NBD by Nelder-Mead and gives no Hessian: its _negative_log_likelihood")
print("# (natural parameters, summed over customers) at the estimate, second central differences with")
print("# steps h_i = 1e-4 p_i; var(p) = inv(H)_ii")
w = np.ones(len(x))


def nll(v):
    return ParetoNBDFitter._negative_log_likelihood(v, x, tx, T, w, 0.0)


h = 1e-4 * p
H = np.zeros((4, 4))
for i in range(4):
    for j in range(4):
        def f(di, dj):
            v = p.copy()
            v[i] += di
            v[j] += dj
            return nll(v)
        H[i, j] = (f(h[i], h[j]) - f(h[i], -h[j]) - f(-h[i], h[j]) + f(-h[i], -h[j])) / (4 * h[i] * h[j])
show("pnbd_se", np.sqrt(np.diag(np.linalg.inv(H))))
show("pnbd_loglik", [-nll(p)])

print("# Gamma-Gamma: GammaGammaFitter().fit(x[x > 0], zbar[x > 0]); .summary")
gg = GammaGammaFitter().fit(x[x > 0], z[x > 0])
print(gg.summary.to_string(float_format=lambda v: "%.10g" % v))
show("gg_params", gg.params_[["p", "q", "v"]].values)
show("gg_se", gg.standard_errors_[["p", "q", "v"]].values)

print("# BG/BB on donations.csv: BetaGeoBetaBinomFitter().fit(frequency, recency, periods, weights)")
d = pd.read_csv(data + "/donations.csv")
bb = BetaGeoBetaBinomFitter().fit(d["frequency"], d["recency"], d["periods"], weights=d["weights"])
print(bb.summary.to_string(float_format=lambda v: "%.10g" % v))
show("bgbb_params", bb.params_[["alpha", "beta", "gamma", "delta"]].values)
show("bgbb_se", bb.standard_errors_[["alpha", "beta", "gamma", "delta"]].values)
show("bgbb_ex_n", bb.expected_number_of_transactions_in_first_n_periods(6)["model"].values)

print("# calibration / holdout on CDNOW_master.txt: calibration_and_holdout_data(freq='D'),")
print("# calibration end 1997-09-30, observation end 1998-06-30; BG/NBD fitted on the calibration;")
print("# table by frequency_cal clipped at 7: customers, mean frequency_holdout, mean prediction")
m = pd.read_csv(data + "/CDNOW_master.txt", sep=r"\s+", dtype={"customer_id": str, "date": str})
m["date"] = pd.to_datetime(m["date"], format="%Y%m%d")
ch = calibration_and_holdout_data(m, "customer_id", "date", calibration_period_end="1997-09-30",
                                  observation_period_end="1998-06-30", freq="D")
dur = ch["duration_holdout"].iloc[0]
print("customers", len(ch), "duration", dur)
cb = BetaGeoFitter().fit(ch["frequency_cal"], ch["recency_cal"], ch["T_cal"])
show("calib_params", cb.params_[["r", "alpha", "a", "b"]].values)
ch["pred"] = cb.conditional_expected_number_of_purchases_up_to_time(dur, ch["frequency_cal"], ch["recency_cal"],
                                                                  ch["T_cal"])
g = ch.assign(f=ch["frequency_cal"].clip(upper=7)).groupby("f")
show("calib_customers", g.size().values)
show("calib_actual", g["frequency_holdout"].mean().values)
show("calib_expected", g["pred"].mean().values)
show("calib_sums", [ch["frequency_cal"].sum(), ch["recency_cal"].sum(), ch["T_cal"].sum(),
                    ch["frequency_holdout"].sum()])

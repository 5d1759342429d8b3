#!/usr/bin/env python3
"""Time to churn on the IBM telecom churn data (7,043 customers: tenure in
months, contract, internet service, charges, Churn Yes/No): which plan
shortens the time to churn, and does the answer depend on when churn happens?

    python3 examples/python/cx_churn_survival.py [Telco-Customer-Churn.csv]

The file is Apache-2.0 (IBM/telco-customer-churn-on-icp4d); by default it is
read from $CXKIT_TELCO, else ../shared/data/ beside the source tree.
Kaplan-Meier by contract with Greenwood standard errors (Survival.table(),
starting at S(0) = 1), then the weighted log-rank family (LogRank): the
log-rank test weighs every month alike, Gehan-Breslow and Peto-Peto weigh
early churn, Fleming-Harrington (0, 1) late churn; stratified by internet
service, so that the contracts are compared within each service; last a
Cox regression (Cox, CoxOptions) of contract, internet service and the
monthly charge together, with hazard ratios and a customer's predicted curve."""
import csv
import os
import pathlib
import sys

import cxkit

ROOT = pathlib.Path(__file__).resolve().parents[2]
path = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
    "CXKIT_TELCO", str(ROOT.parent / "shared" / "data" / "Telco-Customer-Churn.csv"))
with open(path, newline="") as f:
    rows = list(csv.DictReader(f))

CONTRACTS = ["Month-to-month", "One year", "Two year"]
SERVICES = sorted({r["InternetService"] for r in rows})
tenure = [float(r["tenure"]) for r in rows]
churned = [int(r["Churn"] == "Yes") for r in rows]
contract = [CONTRACTS.index(r["Contract"]) for r in rows]
service = [SERVICES.index(r["InternetService"]) for r in rows]
print("Loaded %d customers, %d churned" % (len(rows), sum(churned)))

s = cxkit.Survival(tenure, churned, contract, band="log")
print("\nKaplan-Meier by contract: S(t) (std. error) at 12, 24, 48 months")
table = s.table()
for g, name in enumerate(CONTRACTS):
    rows_g = [r for r in table if r["group"] == str(g)]
    assert rows_g[0]["time"] == 0 and rows_g[0]["survival"] == 1  # the origin row
    cells = []
    for month in (12, 24, 48):
        r = [x for x in rows_g if x["time"] <= month][-1]
        cells.append("%.3f (%.4f)" % (r["survival"], r["std_err"]))
    print("  %-15s n=%4d  %s" % (name, rows_g[0]["at_risk"], "  ".join(cells)))

print("\nDo the contracts share one curve? (stratified by internet service)")
for weight, p, q, note in [("logrank", 0, 0, "every month alike"), ("gehan", 0, 0, "early churn"),
                           ("peto_peto", 0, 0, "early churn"), ("fh", 0, 1, "late churn")]:
    lr = cxkit.LogRank(tenure, churned, contract, strata=service, weight=weight, p=p, q=q)
    t = lr.test()
    label = weight if weight != "fh" else "FH(%g, %g)" % (p, q)
    print("  %-10s (%-17s) chi2 = %9.2f on %d df, p = %.3g" % (label, note, t["chi2"], t["df"], t["p"]))
lr = cxkit.LogRank(tenure, churned, contract, strata=service)
print("\nObserved and expected churn by contract (log-rank, stratified):")
for r in lr.groups():
    print("  %-15s observed %5d  expected %8.1f" % (CONTRACTS[r["group"]], r["observed"], r["expected"]))
worst = max(lr.groups(), key=lambda r: r["observed"] / r["expected"])
print("Shortest time to churn: %s (observed/expected %.2f)" % (CONTRACTS[worst["group"]],
                                                             worst["observed"] / worst["expected"]))

# Cox regression: contract, internet service (references: month-to-month,
# DSL) and the monthly charge together; hazard ratios below 1 lengthen the
# time to churn.
cox_options = cxkit.CoxOptions()
cox_options.add_factor("Contract", [r["Contract"] for r in rows], reference="Month-to-month")
cox_options.add_factor("InternetService", [r["InternetService"] for r in rows], reference="DSL")
cox_options.add_covariate("MonthlyCharges", [float(r["MonthlyCharges"]) for r in rows])
cox = cxkit.Cox(tenure, churned, cox_options)
print("\nCox proportional hazards (Efron ties), hazard ratio [95% CI] (robust s.e.):")
for r in cox.coefficients():
    print("  %-28s %7.4f [%.4f, %.4f]  (%.4f)" % (r["term"], r["hazard_ratio"], r["hr_lo"], r["hr_hi"],
                                                 r["robust_se"]))
lr = next(r for r in cox.tests() if r["test"] == "likelihood_ratio")
print("Likelihood-ratio test: chi2 = %.1f on %d df" % (lr["chi2"], lr["df"]))
# a month-to-month fibre customer paying 90 a month, after 12 months
x = [0, 0, 1, 0, 90.0]
print("S(12 months) of a month-to-month fibre customer at 90/month: %.3f" % cox.predict(x, 12))
print("Proportional hazards? (Schoenfeld residuals, R's cox.zph, transform km)")
for r in cox.zph():
    print("  %-16s chi2 = %8.3f on %d df, p = %.3g" % (r["term"], r["chi2"], r["df"], r["p"]))

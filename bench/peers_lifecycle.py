"""lifetimes side of bench/lifecycle.sh: fits BG/NBD, Pareto/NBD or
Gamma-Gamma with lifetimes 0.11.3 (the defaults of its fit()) to one file
written by `bench-lifecycle --write`, and prints a RESULT line like the
cxkit side's: CPU and wall seconds of the fit alone, peak memory, the
parameters. Run with the venv of bench/README.md (lifetimes and autograd
built from their sources): /work/venv-peers/bin/python.

usage: peers_lifecycle.py bgnbd|pnbd|gg FILE"""
import resource
import sys
import time
import warnings

import pandas as pd
import lifetimes

warnings.filterwarnings("ignore")
model, path = sys.argv[1], sys.argv[2]
df = pd.read_csv(path)
if model == "bgnbd":
    fitter, names = lifetimes.BetaGeoFitter(), ["r", "alpha", "a", "b"]
    args = (df["frequency"], df["recency"], df["T"])
elif model == "pnbd":
    fitter, names = lifetimes.ParetoNBDFitter(), ["r", "alpha", "s", "beta"]
    args = (df["frequency"], df["recency"], df["T"])
else:
    rep = df[df["frequency"] > 0]
    fitter, names = lifetimes.GammaGammaFitter(), ["p", "q", "v"]
    args = (rep["frequency"], rep["monetary_value"])
c0, w0 = time.process_time(), time.perf_counter()
fitter.fit(*args)
c1, w1 = time.process_time() - c0, time.perf_counter() - w0
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
params = ",".join("%.8g" % fitter.params_[n] for n in names)
print("RESULT side=lifetimes-%s model=%s n=%d cpu=%.4f wall=%.4f rss_mb=%.1f params=%s"
      % (lifetimes.__version__, model, len(df), c1, w1, rss, params))

"""BG/BB fits on long rows of opportunities: cxkit against lifetimes 0.11.3's
BetaGeoBetaBinomFitter, on the same generated data, in one run (issue 14:
fits that never hang; see bench/README.md, "BG/BB on long rows").

Each case draws N customers (numpy, fixed seed) with a purchase probability
from Beta(1.2, 0.75) and a dropout probability from Beta(0.66, DELTA), or
the one dropout probability 0.002 for every customer ("ridge": no spread in
dropout, which the fit must report as degenerate data), over OPP
opportunities, and writes (x, t_x, n) to a CSV. cxkit fits it in this
process (Debian's interpreter); lifetimes fits the grouped rows in a
subprocess of --lt-python (its weights are the group counts, as its docs
show). Printed per case and side: the outcome (parameters, or the error),
CPU seconds, and the load average.

Usage:
  PYTHONPATH=build/bindings/python /usr/bin/python3 bench/bgbb_bench.py \
      [--lt-python /work/venv-peers/bin/python] [--cases N:OPP:DELTA ...]
DELTA "ridge" for the common dropout probability. Default cases:
5000:1000:280 5000:1000:ridge 5000:100:28.
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

LIFETIMES = r"""
import sys, time, warnings
warnings.filterwarnings('ignore')
import pandas as pd
from lifetimes import BetaGeoBetaBinomFitter
d = pd.read_csv(sys.argv[1])
g = d.groupby(['x', 't_x', 'n']).size().reset_index(name='w')
t0 = time.process_time()
try:
    m = BetaGeoBetaBinomFitter().fit(g['x'], g['t_x'], g['n'], weights=g['w'])
    p = m.params_
    out = 'alpha=%.4g beta=%.4g gamma=%.4g delta=%.4g' % (p['alpha'], p['beta'], p['gamma'], p['delta'])
except Exception as e:
    out = 'failed: %s' % type(e).__name__
print('%.3f %s' % (time.process_time() - t0, out))
"""


def generate(path, n, opp, delta, seed=1):
    rng = np.random.default_rng(seed)
    p = rng.beta(1.2, 0.75, n)
    th = np.full(n, 0.002) if delta == 'ridge' else rng.beta(0.66, float(delta), n)
    drop = rng.geometric(th)
    with open(path, 'w') as f:
        f.write('x,t_x,n\n')
        for i in range(n):
            alive = min(drop[i] - 1, opp)
            buys = np.nonzero(rng.random(alive) < p[i])[0]
            x, tx = (len(buys), int(buys[-1]) + 1) if len(buys) else (0, 0)
            f.write('%d,%d,%d\n' % (x, tx, opp))


def cxkit_fit(path):
    import cxkit
    d = np.loadtxt(path, delimiter=',', skiprows=1, ndmin=2)
    t0 = time.process_time()
    try:
        m = cxkit.fit_bgbb(d[:, 0].copy(), d[:, 1].copy(), d[:, 2].copy())
        out = repr(m)
    except Exception as e:  # cxkit.Error: degenerate data, caps
        msg = str(e)
        at = msg.find('boundary estimate')
        out = 'error: ' + (msg[:70] + ' ... ' + msg[at:] if at >= 0 else msg[:200])
    return time.process_time() - t0, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--lt-python', default='/work/venv-peers/bin/python')
    ap.add_argument('--cases', nargs='*', default=['5000:1000:280', '5000:1000:ridge', '5000:100:28'])
    a = ap.parse_args()
    lt_ok = os.path.exists(a.lt_python)
    print('BG/BB fits, cxkit vs lifetimes 0.11.3 (CPU s); load average %.2f' % os.getloadavg()[0])
    with tempfile.TemporaryDirectory() as tmp:
        for case in a.cases:
            n, opp, delta = case.split(':')
            path = os.path.join(tmp, 'bgbb.csv')
            generate(path, int(n), int(opp), delta)
            cpu, out = cxkit_fit(path)
            print('  %s customers, %s opportunities, dropout %s' %
                  (n, opp, 'common 0.002' if delta == 'ridge' else 'Beta(0.66, %s)' % delta))
            print('    cxkit      %8.3f s  %s' % (cpu, out))
            if lt_ok:
                r = subprocess.run([a.lt_python, '-c', LIFETIMES, path], capture_output=True, text=True)
                line = (r.stdout.strip().splitlines() or ['nan failed: no output'])[-1]
                t, _, rest = line.partition(' ')
                print('    lifetimes  %8s s  %s' % (t, rest))
            else:
                print('    lifetimes  not run (no %s)' % a.lt_python)
            print('RESULT bgbb case=%s cx_cpu_s=%.3f' % (case, cpu), flush=True)


if __name__ == '__main__':
    sys.exit(main())

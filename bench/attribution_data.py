"""Path tables for bench/attribution_bench.py, in ChannelAttribution's
format: one row per distinct path, columns path (channels joined by " > "),
total_conversions, total_null (integers) and total_conversion_value.

Journeys are simulated with a fixed seed over 15 channels of Zipf-skewed
frequency (a channel repeats itself with probability 0.3, as "direct >
direct" does in real exports), lengths 1 to 10 (geometric, mostly short);
each touch of channel c converts with its own probability q_c (0.3 % to
3 %), and a conversion is worth a log-normal amount (mean about 80). The
journeys are counted per distinct path, in order of first appearance, and
the first `rows` distinct paths are written: the head paths carry large
counts, the long tail counts of 1 or 2, as in real path exports.

Usage: /usr/bin/python3 bench/attribution_data.py OUT.csv [ROWS]   (default 10^6)
"""
import sys

import numpy as np
import pandas as pd

CHANNELS = ["direct", "organic_search", "paid_search", "email", "facebook", "instagram", "display", "affiliate",
            "referral", "youtube", "tiktok", "sms", "push", "podcast", "tv"]
MAX_LEN = 10


def simulate(n, rng):
    k = len(CHANNELS)
    weight = 1.0 / np.arange(1, k + 1) ** 1.1
    weight /= weight.sum()
    conv_q = np.linspace(0.03, 0.003, k)
    rng.shuffle(conv_q)
    length = np.minimum(rng.geometric(0.32, n), MAX_LEN)
    steps = np.zeros((n, MAX_LEN), dtype=np.int64)
    steps[:, 0] = rng.choice(k, n, p=weight)
    for i in range(1, MAX_LEN):
        fresh = rng.choice(k, n, p=weight)
        repeat = rng.random(n) < 0.3
        steps[:, i] = np.where(repeat, steps[:, i - 1], fresh)
    alive = np.arange(MAX_LEN)[None, :] < length[:, None]
    # key: base-16 digits, channel + 1 per step (0 = no step)
    key = np.zeros(n, dtype=np.int64)
    stay = np.ones(n)
    for i in range(MAX_LEN):
        key = key * 16 + np.where(alive[:, i], steps[:, i] + 1, 0)
        stay *= np.where(alive[:, i], 1.0 - conv_q[steps[:, i]], 1.0)
    converted = rng.random(n) >= stay
    value = np.where(converted, rng.lognormal(4.0, 0.8, n), 0.0)
    return key, converted, value


def path_of(key):
    digits = []
    for _ in range(MAX_LEN):
        key, d = divmod(key, 16)
        if d:
            digits.append(CHANNELS[d - 1])
    return " > ".join(reversed(digits))


def table(rows, seed=20261202):
    rng = np.random.default_rng(seed)
    frames = []
    distinct = 0
    while distinct < rows:
        key, conv, value = simulate(2_000_000, rng)
        frames.append(pd.DataFrame({"key": key, "conv": conv.astype(np.int64), "null": (~conv).astype(np.int64),
                                    "value": value}))
        all_ = pd.concat(frames, ignore_index=True)
        distinct = all_["key"].nunique()
    g = all_.groupby("key", sort=False).agg(total_conversions=("conv", "sum"), total_null=("null", "sum"),
                                             total_conversion_value=("value", "sum"))
    g = g.iloc[:rows]
    return pd.DataFrame({"path": [path_of(int(k)) for k in g.index],
                         "total_conversions": g["total_conversions"].to_numpy(),
                         "total_null": g["total_null"].to_numpy(),
                         "total_conversion_value": g["total_conversion_value"].round(2).to_numpy()})


def main():
    out = sys.argv[1]
    rows = int(float(sys.argv[2])) if len(sys.argv) > 2 else 1_000_000
    df = table(rows)
    df.to_csv(out, index=False)
    print("%s: %d paths, %d journeys, %d conversions, mean length %.2f, %d channels" % (
        out, len(df), int(df["total_conversions"].sum() + df["total_null"].sum()), int(df["total_conversions"].sum()),
        df["path"].str.count(">").mean() + 1, len(CHANNELS)))


if __name__ == "__main__":
    main()

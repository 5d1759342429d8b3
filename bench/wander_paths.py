"""A path table of long paths that wander among many channels, in
ChannelAttribution's format (path, total_conversions, total_null,
total_conversion_value): ROWS paths of STEPS steps, each step a channel
drawn uniformly from CHANNELS ("ch0" .. ), 0 to 2 conversions worth 10 to
99 each and 1 to 4 nulls per path (seeded). The hard case of the Markov
attribution's iteration: every state reaches every other over many steps,
so the chain settles slowly (about 1400 Gauss-Seidel sweeps per removal at
200 x 200 x 200). bench/README.md ("Attribution from path counts") runs it
beside ChannelAttribution.

Usage: /usr/bin/python3 bench/wander_paths.py OUT.csv ROWS CHANNELS STEPS [SEED]
"""
import random
import sys


def main():
    out, rows, channels, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    rnd = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 1)
    with open(out, "w") as f:
        f.write("path,total_conversions,total_null,total_conversion_value\n")
        for _ in range(rows):
            path = " > ".join("ch%d" % rnd.randrange(channels) for _ in range(steps))
            conv, null = rnd.randint(0, 2), rnd.randint(1, 4)
            f.write("%s,%d,%d,%d\n" % (path, conv, null, sum(rnd.randint(10, 99) for _ in range(conv))))


if __name__ == "__main__":
    main()

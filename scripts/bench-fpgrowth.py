#!/usr/bin/env python3
"""FP-Growth speed: GuanxiAnalytics against mlxtend on the same baskets and thresholds.

Writes 200,000 random baskets over 1,000 products (seeded; item popularity skewed by a
product of three uniforms, 1-10 items a basket) to a file, times mlxtend's fpgrowth and
apriori(low_memory=True) on them, checks both find the same itemsets, then runs the
Swift benchmark on the same file and checks it finds as many.
  pip install mlxtend pandas && python3 scripts/bench-fpgrowth.py [min_support]
"""
import os
import random
import subprocess
import sys
import tempfile
import time

import numpy as np
import pandas as pd
from mlxtend.frequent_patterns import apriori, fpgrowth

MIN_SUPPORT = float(sys.argv[1]) if len(sys.argv) > 1 else 0.005
ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")

rng = random.Random(4)
baskets = []
for _ in range(200_000):
    size = 1 + rng.randrange(10)
    baskets.append(sorted({int(1000 * rng.random() * rng.random() * rng.random()) for _ in range(size)}))
path = os.path.join(tempfile.gettempdir(), "guanxi-baskets.txt")
with open(path, "w") as f:
    for b in baskets:
        f.write(" ".join(map(str, b)) + "\n")

values = np.zeros((len(baskets), 1000), dtype=bool)
for row, b in enumerate(baskets):
    values[row, b] = True
frame = pd.DataFrame(values, columns=range(1000))

def timed(name, miner, **options):
    started = time.perf_counter()
    found = miner(frame, min_support=MIN_SUPPORT, **options)
    seconds = time.perf_counter() - started
    print(f"mlxtend {name}: {seconds:.2f} s, {len(found)} itemsets")
    return seconds, {frozenset(s) for s in found["itemsets"]}

fp_seconds, fp_sets = timed("fpgrowth", fpgrowth)
ap_seconds, ap_sets = timed("apriori(low_memory=True)", apriori, low_memory=True)
assert fp_sets == ap_sets, "mlxtend's two miners disagree"

env = dict(os.environ, GUANXI_BASKETS=path, GUANXI_MIN_SUPPORT=str(MIN_SUPPORT), GUANXI_EXPECT_ITEMSETS=str(len(fp_sets)))
print("GuanxiAnalytics (swift package benchmark, FP-Growth and rules; it stops if the itemset count differs):")
subprocess.run(["swift", "package", "benchmark", "--filter", "FP-Growth.*"], cwd=os.path.join(ROOT, "Benchmarks"), env=env, check=True)

#!/usr/bin/env python3
"""Writes the FP-Growth parity fixture: random baskets and what mlxtend finds in them.

GuanxiAnalytics' tests check that FPGrowth and AssociationRules find exactly these
itemsets (with their supports) and rules (with confidence and lift). Regenerate with
  pip install mlxtend pandas && python3 scripts/analytics/mlxtend-reference.py
"""
import os
import random

import pandas as pd
from mlxtend.frequent_patterns import association_rules, fpgrowth

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "..", "Tests", "GuanxiAnalyticsTests", "Fixtures")
MIN_SUPPORT = 0.02
MIN_CONFIDENCE = 0.4

rng = random.Random(20261130)
items = 25
baskets = []
for _ in range(600):
    size = rng.randint(1, 8)
    # Skewed popularity (the product of two uniforms) so that long itemsets are frequent.
    baskets.append(sorted({int(items * rng.random() * rng.random()) for _ in range(size)}))

frame = pd.DataFrame([[i in b for i in range(items)] for b in baskets], columns=list(range(items)))
itemsets = fpgrowth(frame, min_support=MIN_SUPPORT, use_colnames=True)
rules = association_rules(itemsets, num_itemsets=len(baskets), metric="confidence", min_threshold=MIN_CONFIDENCE)

with open(os.path.join(OUT, "mlxtend-baskets.txt"), "w") as f:
    f.write(f"# min_support {MIN_SUPPORT} min_confidence {MIN_CONFIDENCE}\n")
    for b in baskets:
        f.write(" ".join(map(str, b)) + "\n")
with open(os.path.join(OUT, "mlxtend-itemsets.txt"), "w") as f:
    for _, row in itemsets.iterrows():
        f.write(f"{row['support']!r} {' '.join(map(str, sorted(row['itemsets'])))}\n")
with open(os.path.join(OUT, "mlxtend-rules.txt"), "w") as f:
    for _, row in rules.iterrows():
        a = " ".join(map(str, sorted(row["antecedents"])))
        c = " ".join(map(str, sorted(row["consequents"])))
        f.write(f"{a} > {c} | {row['support']!r} {row['confidence']!r} {row['lift']!r}\n")
print(f"{len(baskets)} baskets, {len(itemsets)} itemsets, {len(rules)} rules")

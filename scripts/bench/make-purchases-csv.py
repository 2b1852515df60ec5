"""Writes a CSV of N orders as a shop or ERP system exports them, for the purchases import
and the analytics (scripts/bench-purchases.sh): N/10 buyers named by member number, e-mail
or mobile phone (as shops do), most buying a few times and some often; dates over three
years; amounts in yuan with margins; one to three SKUs; a unique order number each.

  python3 make-purchases-csv.py N OUT.csv
"""
import datetime
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(2028)
buyers = max(1, n // 10)
# Three years ending before the day this was written, so no order lies in the future.
start = datetime.date(2023, 12, 1)
skus = [f"SKU-{i:04d}" for i in range(500)]


def reference(b):
    """How the shop names buyer `b`: a member number, an e-mail or a mobile phone."""
    if b % 3 == 0:
        return f"M{b:07d}"
    if b % 3 == 1:
        return f"buyer{b}@shop{b % 53}.example.cn"
    return f"+86 13{b % 10} {b // 10000 % 10000:04d} {b % 10000:04d}"


with open(out, "w", encoding="utf-8", newline="") as f:
    f.write("订单号,会员,下单日期,实付金额,毛利,商品\r\n")
    for i in range(n):
        # A skewed choice of buyer: a few buy often, most a few times.
        b = int(buyers * rng.random() ** 2)
        day = start + datetime.timedelta(days=rng.randrange(3 * 365 - 1))
        amount = round(rng.lognormvariate(5, 1), 2)
        margin = round(amount * rng.uniform(0.1, 0.4), 2)
        items = ";".join(rng.sample(skus, rng.randint(1, 3)))
        f.write(f"SO{i:09d},{reference(b)},{day.isoformat()},{amount:.2f},{margin:.2f},{items}\r\n")

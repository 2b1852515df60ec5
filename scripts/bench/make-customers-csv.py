"""Writes a CSV of the companies that make-contacts-csv.py's people work for, as a CRM's
account export might hold them, so a benchmark loads them the way a user moving in does:
companies first (`guanxi import customers`), then the people naming them. One company per
ten people; about a third Chinese, the rest English (people.py), with customer numbers,
industries, cities, phones in a dozen countries' formats, e-mail, web site and grade.

  python3 make-customers-csv.py N_CONTACTS OUT.csv
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import people  # noqa: E402

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(2027)
grades = ["A", "B", "C", ""]
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write("名称,客户编号,industry,城市,电话,email,website,等级\r\n")
    for c in range((n + 9) // 10):
        slug = f"co{c}"
        name = people.company(c)
        quoted = f'"{name}"' if "," in name else name
        f.write(f"{quoted},C{c:07d},{people.industry(c)},{people.city(c)},{people.phone(c)},info@{slug}.example.com,"
                f"https://www.{slug}.example.com,{rng.choice(grades)}\r\n")

"""Writes a CSV of N contacts as a CRM export might hold them, for the import, export and
duplicate-finder benchmarks (scripts/bench-data-exchange.sh): about a third Chinese names,
the rest English (people.py); companies shared by about ten people each, named exactly as
make-customers-csv.py writes them; mobile and office phones in a dozen countries' formats,
e-mail, title, and about 1 % of people entered twice (same e-mail, other spelling).

  python3 make-contacts-csv.py N OUT.csv
"""
import os
import random
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import people  # noqa: E402

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(2026)
titles = ["总经理", "采购经理", "销售总监", "技术主管", "财务", "行政", "工程师", "市场专员", "Buyer", "CTO", "Sales Director", "Office Manager"]
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write("姓名,公司,职务,手机,座机,电子邮箱,备注\r\n")
    for i in range(n):
        twin = i > 0 and i % 100 == 0
        k = i - 1 if twin else i
        name, local = people.person(rng, k)
        company = people.company(k // 10)
        company = f'"{company}"' if "," in company else company
        mobile = people.phone(k * 7 + 3)
        office = people.phone(k) if k % 3 == 0 else ""
        domain = f"example{k % 97}.cn" if people.chinese(k) else f"mail{k % 97}.example.com"
        email = f"{local}@{domain}" if not twin else f"{local}@{domain}".upper()
        note = "展会名片" if k % 5 == 0 else ("Met at trade fair" if k % 7 == 0 else "")
        f.write(f"{name},{company},{rng.choice(titles)},{mobile},{office},{email},{note}\r\n")

"""Writes a CSV of the companies that make-contacts-csv.py's people work for, as a CRM's
account export might hold them, so a benchmark loads them the way a user moving in does:
companies first (`guanxi import customers`), then the people naming them. One company per
ten people; their names are exactly those the contact file uses, with customer numbers,
industries, cities, phones in a few countries' formats, e-mail, web site and grade.

  python3 make-customers-csv.py N_CONTACTS OUT.csv
"""
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(2027)
cities = ["北京", "上海", "广州", "深圳", "杭州", "成都", "南京", "武汉", "西安", "苏州"]
trades = ["科技", "贸易", "制造", "物流", "医药", "食品", "电子", "建材", "咨询", "教育"]
industries = ["Software", "Trading", "Manufacturing", "Logistics", "Pharma", "Food", "Electronics", "Building materials", "Consulting", "Education"]
phones = ["+86 10 {a:04d} {b:04d}", "021-{a:04d}{b:04d}", "+1 (415) 55{d}-{b:04d}", "+44 20 7{a:03d} {b:04d}", "+49 30 {a:04d}{d}",
          "+81 3-{a:04d}-{b:04d}", "+65 6{a:03d} {b:04d}", "(0755) {a:04d} {b:04d}", "+852 2{a:03d} {b:04d}", "+61 2 9{a:03d} {b:04d}"]
grades = ["A", "B", "C", ""]
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write("名称,客户编号,industry,城市,电话,email,website,等级\r\n")
    for c in range((n + 9) // 10):
        name = f"{cities[c % 10]}{trades[c // 10 % 10]}{c}号有限公司"
        phone = phones[c % len(phones)].format(a=c % 1000, b=c % 10000, d=c % 10)
        slug = f"co{c}"
        f.write(f"{name},C{c:07d},{industries[c // 10 % 10]},{cities[c % 10]},{phone},info@{slug}.example.com,https://www.{slug}.example.com,{rng.choice(grades)}\r\n")

"""Writes a CSV of N contacts as a CRM export might hold them, for the import, export and
duplicate-finder benchmarks (scripts/bench-data-exchange.sh): Chinese and English names,
companies shared by about ten people each, mobile and office phones, e-mail, title, and
about 1 % of people entered twice (same e-mail, other spelling).

  python3 make-contacts-csv.py N OUT.csv
"""
import random
import sys

n, out = int(sys.argv[1]), sys.argv[2]
rng = random.Random(2026)
family = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
given = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玲红梅鹏飞宇浩然欣怡子涵梓萱雨轩思远佳琪"
cities = ["北京", "上海", "广州", "深圳", "杭州", "成都", "南京", "武汉", "西安", "苏州"]
trades = ["科技", "贸易", "制造", "物流", "医药", "食品", "电子", "建材", "咨询", "教育"]
titles = ["总经理", "采购经理", "销售总监", "技术主管", "财务", "行政", "工程师", "市场专员", "Buyer", "CTO"]
with open(out, "w", encoding="utf-8", newline="") as f:
    f.write("姓名,公司,职务,手机,座机,电子邮箱,备注\r\n")
    for i in range(n):
        twin = i > 0 and i % 100 == 0
        k = i - 1 if twin else i
        name = rng.choice(family) + rng.choice(given) + (rng.choice(given) if rng.random() < 0.6 else "")
        company = f"{cities[k // 10 % 10]}{trades[k // 100 % 10]}{k // 10}号有限公司"
        mobile = f"1{3 + k % 7}{k:09d}"[:11]
        office = f"0{10 + k % 89}-{8000_0000 + k % 1_000_0000}" if k % 3 == 0 else ""
        email = f"user{k}@example{k % 97}.cn" if not twin else f"User{k}@Example{k % 97}.CN"
        note = "展会名片" if k % 5 == 0 else ""
        f.write(f"{name},{company},{rng.choice(titles)},{mobile},{office},{email},{note}\r\n")

"""Names, companies and phone numbers as a Chinese company's CRM export holds them: about a
third Chinese, the rest English; phones written the way a dozen countries write them. The
customer and contact generators share it, so the contacts name exactly the companies the
customer file holds.
"""

CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "南京", "武汉", "西安", "苏州"]
TRADES = ["科技", "贸易", "制造", "物流", "医药", "食品", "电子", "建材", "咨询", "教育"]
INDUSTRIES = ["Software", "Trading", "Manufacturing", "Logistics", "Pharma", "Food", "Electronics", "Building materials", "Consulting", "Education"]
TOWNS = ["Northwind", "Riverside", "Oakland", "Brighton", "Kingston", "Westfield", "Ashford", "Fairview", "Lakeside", "Greenwood"]
LINES = ["Technologies", "Trading", "Manufacturing", "Logistics", "Pharmaceuticals", "Foods", "Electronics", "Building Supplies", "Consulting", "Learning"]
FORMS = ["Ltd", "Inc.", "GmbH", "Pte. Ltd.", "LLC", "Co., Ltd.", "plc", "S.A."]

FAMILY = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
COMPOUND = ["欧阳", "司马", "上官", "诸葛", "东方"]
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国文辉玲红梅鹏飞宇浩然欣怡子涵梓萱雨轩思远佳琪"
FIRST = ["James", "Mary", "John", "Patricia", "Robert", "Jennifer", "Michael", "Linda", "William", "Elizabeth", "David", "Barbara",
         "Richard", "Susan", "Joseph", "Jessica", "Thomas", "Sarah", "Charles", "Karen", "Emma", "Oliver", "Sophia", "Lucas",
         "Mia", "Noah", "Amelia", "Liam", "Chloe", "Ethan", "Wei", "Jun", "Mei", "Hiroshi", "Yuki", "Priya", "Arjun", "Anna", "Lukas", "Sofia"]
LAST = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez", "Hernandez", "Lopez",
        "Wilson", "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "Martin", "Lee", "Thompson", "White", "Harris", "Clark",
        "Lewis", "Robinson", "Walker", "Young", "Allen", "King", "Wright", "Scott", "Green", "Baker", "Adams", "Nelson",
        "Wang", "Zhang", "Chen", "Liu", "Tanaka", "Sato", "Kim", "Park", "Nguyen", "Müller", "Schmidt", "O'Brien", "Smythe", "Goldsmith"]
PHONES = ["+86 138 {a:04d} {b:04d}", "139{a:04d}{b:04d}", "021-{a:04d}{b:04d}", "(0755) {a:04d} {b:04d}", "+1 (415) 55{d}-{b:04d}",
          "+44 20 7{a:03d} {b:04d}", "+49 30 {a:04d}{d}", "+81 3-{a:04d}-{b:04d}", "+65 6{a:03d} {b:04d}", "+852 2{a:03d} {b:04d}",
          "+61 2 9{a:03d} {b:04d}", "+33 1 {c:02d} {d:02d} {a:02d} {c:02d}", "+91 98{a:03d} {b:05d}"]


def chinese(c):
    """Whether company or person number `c` is Chinese: about one in three."""
    return c % 3 == 0


def company(c):
    """The name of company number `c`."""
    if chinese(c):
        return f"{CITIES[c % 10]}{TRADES[c // 10 % 10]}{c}号有限公司"
    return f"{TOWNS[c % 10]} {LINES[c // 10 % 10]} {c} {FORMS[c // 100 % len(FORMS)]}"


def industry(c):
    return INDUSTRIES[c // 10 % 10]


def city(c):
    return CITIES[c % 10] if chinese(c) else TOWNS[c % 10]


def phone(k):
    """A phone number written as people in one of a dozen countries write it."""
    return PHONES[k % len(PHONES)].format(a=k % 10000, b=k // 7 % 10000, c=k % 100, d=k % 10)


def person(rng, k):
    """A person's name (Chinese for about a third) and the local part of their e-mail."""
    if chinese(k):
        family = rng.choice(COMPOUND) if rng.random() < 0.02 else rng.choice(FAMILY)
        name = family + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
        return name, f"user{k}"
    first, last = rng.choice(FIRST), rng.choice(LAST)
    return f"{first} {last}", f"{first}.{last}{k}".lower().replace("'", "").replace("ü", "u")

"""Reads and writes vCard and iCalendar files with independent parsers (vobject,
icalendar), for Guanxi's round-trip tests. Run through scripts/python-tools.sh.

  cards.py read-vcard FILE     -> JSON list of cards
  cards.py write-vcard FILE    -> writes two cards made by vobject
  cards.py read-ical FILE      -> JSON list of events and to-dos
"""
import json
import sys


def read_vcard(path):
    import vobject
    out = []
    with open(path, encoding="utf-8") as f:
        for card in vobject.readComponents(f.read()):
            c = card.contents
            def values(name):
                return c.get(name, [])
            n = card.n.value if "n" in c else None
            out.append({
                "version": card.version.value,
                "fn": card.fn.value,
                "family": n.family if n else "",
                "given": n.given if n else "",
                "org": list(card.org.value) if "org" in c else [],
                "title": card.title.value if "title" in c else "",
                "tels": sorted([t.value for t in values("tel")]),
                "tel_types": sorted([",".join(sorted(x.lower() for x in t.params.get("TYPE", []))) for t in values("tel")]),
                "emails": sorted([e.value for e in values("email")]),
                "addresses": [a.value.street for a in values("adr")],
                "bday": card.bday.value if "bday" in c else "",
                "note": card.note.value if "note" in c else "",
                "wechat": c["x-wechat"][0].value if "x-wechat" in c else "",
                "uid": card.uid.value if "uid" in c else "",
            })
    print(json.dumps(out, ensure_ascii=False))


def write_vcard(path):
    import vobject
    cards = []
    for fn, family, given, org, tels, emails, street in [
        ("欧阳娜娜", "欧阳", "娜娜", ["杭州西湖茶业有限公司", "市场部"], [("CELL", "139 0571 0000"), ("WORK", "0571-8888 6666")], ["nana@xihutea.cn"], "西湖区龙井路 1 号"),
        ("Anna Müller", "Müller", "Anna", ["Müller GmbH"], [("WORK", "+49 30 1234567")], ["anna@mueller.de", "anna.private@example.de"], "Unter den Linden 5"),
    ]:
        card = vobject.vCard()
        card.add("n").value = vobject.vcard.Name(family=family, given=given)
        card.add("fn").value = fn
        card.add("org").value = org
        for kind, number in tels:
            tel = card.add("tel")
            tel.value = number
            tel.type_param = kind
        for address in emails:
            email = card.add("email")
            email.value = address
            email.type_param = "INTERNET"
        card.add("adr").value = vobject.vcard.Address(street=street)
        card.add("note").value = "第一行；含分号, 逗号\n第二行"
        cards.append(card.serialize())
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write("".join(cards))


def read_ical(path):
    import icalendar
    with open(path, "rb") as f:
        calendar = icalendar.Calendar.from_ical(f.read())
    out = []
    for component in calendar.walk():
        if component.name not in ("VEVENT", "VTODO"):
            continue
        def when(name):
            if name not in component:
                return None
            value = component.decoded(name)
            return {"iso": value.isoformat(), "tz": str(getattr(value.tzinfo, "key", value.tzinfo)) if value.tzinfo else None,
                    "utc": value.astimezone(__import__("datetime").timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
        out.append({
            "type": component.name, "uid": str(component.get("uid")), "summary": str(component.get("summary")),
            "description": str(component.get("description", "")), "status": str(component.get("status", "")),
            "start": when("dtstart"), "end": when("dtend"), "due": when("due"),
            "alarm": [str(a.get("trigger").to_ical(), "ascii") for a in component.walk("VALARM")],
        })
    print(json.dumps(out, ensure_ascii=False))


if __name__ == "__main__":
    {"read-vcard": read_vcard, "write-vcard": write_vcard, "read-ical": read_ical}[sys.argv[1]](sys.argv[2])

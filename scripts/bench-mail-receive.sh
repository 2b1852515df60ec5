#!/usr/bin/env bash
# Received-mail throughput: a file loaded the way users load it (customers first, then
# contacts naming them; about a third Chinese), then MESSAGES saved messages filed with
# `guanxi mail receive FILE…` — four in five from known contacts (UTF-8 or GBK, some with
# an attachment, some replies), one in five from strangers — on the release build, SQLite.
#   scripts/bench-mail-receive.sh [contacts] [messages]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
MESSAGES=${2:-2000}
swift build -c release --product guanxi >/dev/null 2>&1
BIN=.build/release/guanxi
WORK=$(mktemp -d /tmp/guanxi-receive.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export GUANXI_LOG_LEVEL=warning GUANXI_MAX_IMPORT_BYTES=1073741824
python3 scripts/bench/make-customers-csv.py $((N / 10)) "$WORK/customers.csv"
python3 scripts/bench/make-contacts-csv.py "$N" "$WORK/contacts.csv"
"$BIN" migrate --data-dir "$WORK/data" >/dev/null
"$BIN" import customers "$WORK/customers.csv" --data-dir "$WORK/data" >/dev/null 2>&1
"$BIN" import contacts "$WORK/contacts.csv" --data-dir "$WORK/data" >/dev/null 2>&1
mkdir "$WORK/mail"
python3 - "$WORK/contacts.csv" "$WORK/mail" "$MESSAGES" <<'PY'
import base64, csv, random, sys
from email.header import Header
contacts, folder, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(2026)
people = [(row[0], row[5]) for row in csv.reader(open(contacts, encoding="utf-8")) if row and "@" in row[5]]
for i in range(count):
    known = i % 5 != 4
    name, address = rng.choice(people) if known else (f"Stranger {i}", f"someone{i}@stranger{i % 50}.example")
    gbk = i % 3 == 0
    charset = "gbk" if gbk else "utf-8"
    text = f"{name}您好，关于第 {i} 号报价的问题，请于本周内回复。Regards.\n" * (1 + i % 4)
    try:
        body = text.encode(charset)
    except UnicodeEncodeError:
        charset, body = "utf-8", text.encode("utf-8")
    headers = [f"From: {Header(name, charset).encode()} <{address}>", "To: sales@ourcompany.cn",
               f"Subject: {Header(f'关于报价 {i}', charset).encode()}", f"Message-ID: <bench-{i}@mail.example>",
               "Date: Fri, 4 Dec 2026 10:00:00 +0800", "MIME-Version: 1.0"]
    if i % 7 == 0:
        headers.append(f"In-Reply-To: <bench-{i - 7}@mail.example>")
    if i % 10 == 0:
        b = "BOUNDARY-bench"
        parts = [f"--{b}\r\nContent-Type: text/plain; charset={charset}\r\nContent-Transfer-Encoding: base64\r\n\r\n" + base64.encodebytes(body).decode(),
                 f"--{b}\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"quote-{i}.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
                 + base64.encodebytes(bytes(rng.getrandbits(8) for _ in range(20000))).decode(), f"--{b}--\r\n"]
        raw = "\r\n".join(headers + [f'Content-Type: multipart/mixed; boundary="{b}"', "", ""]) + "\r\n".join(parts)
    else:
        raw = "\r\n".join(headers + [f"Content-Type: text/plain; charset={charset}", "Content-Transfer-Encoding: base64", "", base64.encodebytes(body).decode()])
    open(f"{folder}/{i:06d}.eml", "w", encoding="ascii").write(raw)
PY
echo "== $MESSAGES messages into a file of $((N / 10)) customers and $N contacts"
"$BIN" mail receive --data-dir "$WORK/data" "$WORK"/mail/*.eml
echo "== the same messages again (each already received)"
"$BIN" mail receive --data-dir "$WORK/data" "$WORK"/mail/*.eml
echo "== one message through a mail server's pipe (a process per message)"
/usr/bin/time -f "elapsed %e s" "$BIN" mail receive --data-dir "$WORK/data" < Tests/GuanxiServerTests/Fixtures/Mail/big5-sample.eml

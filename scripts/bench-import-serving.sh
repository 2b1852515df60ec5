#!/usr/bin/env bash
# A large import on a serving SQLite Guanxi, and how long everyone else waits meanwhile.
#   scripts/bench-import-serving.sh [N]
# Loads N contacts (default 200,000) with `guanxi import`, starts `guanxi serve`, then
# imports N more through the API — large enough that the import sets SQLite's indexes and
# search index aside and catches up at its end, inside the serving process. While it runs,
# a client asks /ready and lists one customer every 0.2 s; the script prints the import's
# time and the slowest and 99th-percentile answers while its rows go in and while the
# indexes and the search index catch up (until the search finds the second file's people).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-200000}
PORT=${GUANXI_BENCH_PORT:-18081}
swift build -c release --product guanxi >/dev/null 2>&1
BIN=$PWD/.build/release/guanxi
WORK=$(mktemp -d /tmp/guanxi-serving.XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
export GUANXI_ADMIN_PASSWORD=Bench-admin-2026 GUANXI_LOG_LEVEL=warning GUANXI_MAX_IMPORT_BYTES=1073741824 GUANXI_API_RATE_LIMIT=1000000

python3 scripts/bench/make-contacts-csv.py "$N" "$WORK/first.csv"
python3 scripts/bench/make-contacts-csv.py "$N" "$WORK/second.csv"
"$BIN" migrate --data-dir "$WORK/data" >/dev/null 2>&1
echo "== first $N contacts with guanxi import"
/usr/bin/time -f "elapsed %e s" "$BIN" import contacts "$WORK/first.csv" --data-dir "$WORK/data" 2>&1 | grep -v "^[0-9]*% (" | grep -v "^$" | tail -n 2
TOKEN=$("$BIN" user token admin --name bench --data-dir "$WORK/data")
"$BIN" serve --port "$PORT" --data-dir "$WORK/data" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done

echo "== second $N contacts through the API, on the serving process"
python3 - "$PORT" "$TOKEN" "$WORK/second.csv" <<'EOF'
import json, sys, threading, time, urllib.parse, urllib.request
port, token, path = sys.argv[1], sys.argv[2], sys.argv[3]
base = f"http://127.0.0.1:{port}"
def call(method, url, body=None, kind=None):
    request = urllib.request.Request(base + url, data=body, method=method, headers={"Authorization": f"Bearer {token}"})
    if kind: request.add_header("Content-Type", kind)
    with urllib.request.urlopen(request, timeout=600) as answer:
        return answer.status, answer.read()
started = time.time()
status, body = call("POST", "/api/v1/imports?kind=contacts", open(path, "rb").read(), "text/csv")
job = json.loads(body)
print(f"   accepted ({status}) after {time.time() - started:.1f} s; job {job['id']}")
samples, done = [], threading.Event()
def probe():
    while not done.is_set():
        for url in ["/ready", "/api/v1/customers?limit=1"]:
            t = time.time()
            try:
                code, _ = call("GET", url)
            except Exception as error:
                code = getattr(error, "code", "error")
            samples.append((t, url, time.time() - t, code))
        time.sleep(0.2)
probing = threading.Thread(target=probe)
probing.start()
while True:
    _, body = call("GET", f"/api/v1/imports/{job['id']}")
    state = json.loads(body)
    if state["status"] in ("done", "failed", "cancelled"):
        break
    time.sleep(0.5)
finished = time.time()
# The job is done once its rows are in; the indexes and the search index catch up after
# that, in the same process. The catch-up is over when the search finds the first row's
# person twice (the two files hold the same people).
with open(path, encoding="utf-8") as f:
    f.readline()
    first = f.readline().split(",")[0]
while time.time() - finished < 1800:
    _, body = call("GET", "/api/v1/search?q=" + urllib.parse.quote(first))
    if len(json.loads(body)["items"]) >= 2: break
    time.sleep(0.5)
caught_up = time.time()
done.set(); probing.join()
print(f"   import {state['status']}: {state.get('created')} created, rows in after {finished - started:.1f} s; "
      f"indexes and search caught up {caught_up - finished:.1f} s later")
def report(label, rows):
    if not rows: return
    times = sorted(r[2] for r in rows)
    bad = [r for r in rows if r[3] != 200]
    print(f"   {label}: {len(rows)} answers, slowest {times[-1]*1000:.0f} ms, p99 {times[int(len(times)*0.99)-1]*1000:.0f} ms, median {times[len(times)//2]*1000:.0f} ms, not 200: {len(bad)}")
for url in ["/ready", "/api/v1/customers?limit=1"]:
    report(f"{url} while rows go in", [s for s in samples if s[1] == url and s[0] < finished])
    report(f"{url} during the catch-up", [s for s in samples if s[1] == url and s[0] >= finished])
EOF

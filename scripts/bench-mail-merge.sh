#!/usr/bin/env bash
# Mail merge throughput: CUSTOMERS companies imported the way users load them (about a
# third Chinese names, each with its e-mail), a marketing template with merge fields
# created through the API, then one mail merge to the whole customer list started through
# the API and followed until every personal message is written to the outbox (consent,
# suppressions and the frequency cap checked for each) — on the release build, SQLite.
# Sending speed is measured apart, by scripts/bench-mail.sh.
#   scripts/bench-mail-merge.sh [customers]
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-100000}
PORT=${GUANXI_BENCH_PORT:-18083}
swift build -c release --product guanxi >/dev/null 2>&1
BIN=.build/release/guanxi
WORK=$(mktemp -d /tmp/guanxi-merge.XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
export GUANXI_ADMIN_PASSWORD=Bench-admin-2026 GUANXI_LOG_LEVEL=warning GUANXI_MAX_IMPORT_BYTES=1073741824 GUANXI_MAIL_FROM=crm@ourcompany.cn
python3 scripts/bench/make-customers-csv.py $((N * 10)) "$WORK/customers.csv"
"$BIN" migrate --data-dir "$WORK/data" >/dev/null
echo "== importing $N customers"
/usr/bin/time -f "import: %e s" "$BIN" import customers "$WORK/customers.csv" --data-dir "$WORK/data" >/dev/null
TOKEN=$("$BIN" user token admin --name bench --data-dir "$WORK/data")
"$BIN" serve --port "$PORT" --data-dir "$WORK/data" >/dev/null &
SERVER=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
# GUANXI_BENCH_PERF=FILE records where the server spends its time during the merge (perf).
PERF=""
if [ -n "${GUANXI_BENCH_PERF:-}" ]; then perf record -F 499 -g -p "$SERVER" -o "$GUANXI_BENCH_PERF" >/dev/null 2>&1 & PERF=$!; fi
python3 - "http://127.0.0.1:$PORT/api/v1" "$TOKEN" "$N" <<'PY'
import json, sys, time, urllib.request
api, token, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
def call(method, path, body=None):
    request = urllib.request.Request(api + path, method=method, data=json.dumps(body).encode() if body else None,
                                     headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    return json.load(urllib.request.urlopen(request))
template = call("POST", "/templates", {"name": "年终回馈", "channel": "email", "purpose": "marketing", "language": "zh-Hans",
                                       "subject": "{{customer.name}}：年终回馈活动邀请",
                                       "body": "尊敬的{{customer.name}}：\n\n感谢一年来的支持。{{#customer.city}}{{customer.city}}的{{/customer.city}}客户可参加本月的回馈活动。\n\n{{owner.name}}\n{{today}}"})
started = time.time()
merge = call("POST", "/mail-merges", {"templateId": template["id"], "kind": "customers", "label": "全部客户"})
while merge["status"] in ("queued", "running"):
    time.sleep(0.5)
    merge = call("GET", f"/mail-merges/{merge['id']}")
elapsed = time.time() - started
print(f"merge {merge['status']}: {merge['total']:,} recipients ({merge['queued']:,} queued, {merge['skipped']:,} skipped) "
      f"in {elapsed:.1f} s, {merge['total'] / elapsed:,.0f} messages/s (from the POST to done, the worker's pick-up included)")
if merge.get("error"):
    print("error:", merge["error"])
PY
if [ -n "$PERF" ]; then kill -INT $PERF; wait $PERF 2>/dev/null || true; fi
ls -l "$WORK/data/guanxi.sqlite" | awk '{printf "file: %.0f MB\n", $5 / 1048576}'

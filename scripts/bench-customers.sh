#!/usr/bin/env bash
# The customer file at volume: generates CUSTOMERS customers with CONTACTS contacts each
# (default 200,000 × 5 = 1,000,000 contacts), a lead for every two customers, about one
# opportunity and ACTIVITIES activities per customer (default 10: 2,000,000) with
# `guanxi demo`, then measures with wrk (loopback only) the list pages, keyset paging deep
# in the list, substring and phone search, a customer record with its timeline, and
# creating customers through the API.
#   scripts/bench-customers.sh [customers] [contacts-per-customer] [seconds] [activities-per-customer]
#   (GUANXI_BENCH_CONNECTIONS=16 by default)
# Set GUANXI_DATABASE_URL (an empty database) to measure PostgreSQL instead of SQLite.
# Set GUANXI_BENCH_DATA to a folder to keep the generated SQLite data and reuse it next time.
set -euo pipefail
cd "$(dirname "$0")/.."
CUSTOMERS=${1:-200000}
CONTACTS=${2:-5}
SECONDS_PER_RUN=${3:-10}
ACTIVITIES=${4:-10}
PORT=${GUANXI_BENCH_PORT:-18081}

command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product guanxi >/dev/null 2>&1
BIN=.build/release/guanxi
DATA=${GUANXI_BENCH_DATA:-$(mktemp -d /tmp/guanxi-bench.XXXXXX)}
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; [ -n "${GUANXI_BENCH_DATA:-}" ] || rm -rf "$DATA"' EXIT
export GUANXI_ADMIN_PASSWORD=Bench-admin-2026 GUANXI_LOG_LEVEL=warning GUANXI_API_RATE_LIMIT=1000000

if [ -n "${GUANXI_DATABASE_URL:-}" ] || [ ! -f "$DATA/guanxi.sqlite" ]; then
  echo "== generating $CUSTOMERS customers × $CONTACTS contacts, $ACTIVITIES activities each, leads and opportunities"
  START=$(date +%s.%N)
  LOADED=$("$BIN" demo --customers "$CUSTOMERS" --contacts-per-customer "$CONTACTS" --activities-per-customer "$ACTIVITIES" --data-dir "$DATA" 2>/dev/null | grep '^Loaded')
  END=$(date +%s.%N)
  echo "$LOADED"
  python3 - "$LOADED" "$START" "$END" <<'PY'
import re, sys
total = sum(int(n.replace(",", "")) for n in re.findall(r"(\d[\d,]*) (?:customers|contacts|leads|opportunities|activities|purchases)", sys.argv[1]))
print(f"generation: {total:,} records in {float(sys.argv[3]) - float(sys.argv[2]):.0f} s, {total / (float(sys.argv[3]) - float(sys.argv[2])):,.0f} records/s")
PY
fi
TOKEN=$("$BIN" user token admin --name bench --data-dir "$DATA")

"$BIN" serve --port "$PORT" --data-dir "$DATA" >/dev/null &
SERVER=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
API="http://127.0.0.1:$PORT/api/v1"
AUTH="Authorization: Bearer $TOKEN"
# A customer from the generated file (first by name), with its contacts, deals and activities.
ID=$(curl -sf -H "$AUTH" "$API/customers?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["items"][0]["id"])')
echo "customer $ID has $(curl -sf -H "$AUTH" "$API/timeline?kind=customers&id=$ID" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["items"]))') timeline items"
DEEP=$(python3 - "$API" "$TOKEN" <<'PY'
import json, sys, urllib.request
api, token = sys.argv[1], sys.argv[2]
cursor = None
for _ in range(200):  # 200 pages of 200 in: 40,000 rows deep
    url = f"{api}/customers?limit=200" + (f"&cursor={urllib.parse.quote(cursor)}" if cursor else "")
    page = json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})))
    cursor = page.get("nextCursor")
print(urllib.parse.quote(cursor))
PY
)

run() {
  echo "== $1"
  # Let the server drain what the previous run left queued before measuring the next.
  curl -sf -H "$AUTH" "$API/me" >/dev/null
  wrk -t1 -c"${GUANXI_BENCH_CONNECTIONS:-16}" -d"${SECONDS_PER_RUN}s" --latency -H "$AUTH" "$2" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
}
run "list, first page of 50 by name" "$API/customers?limit=50"
run "list, page 40,000 rows deep (keyset)" "$API/customers?limit=50&cursor=$DEEP"
run "list, newest first" "$API/customers?limit=50&sort=updated"
run "search customers: 星辰科技 (Chinese substring)" "$API/customers?limit=50&q=%E6%98%9F%E8%BE%B0%E7%A7%91%E6%8A%80"
run "search contacts: phone digits 13800" "$API/contacts?limit=50&q=13800"
run "search box: 星辰 (customers and contacts)" "$API/search?q=%E6%98%9F%E8%BE%B0"
run "customer record" "$API/customers/$ID"
run "customer history" "$API/customers/$ID/history"
run "customer timeline (activities, commitments, changes)" "$API/timeline?kind=customers&id=$ID"
run "leads, newest first" "$API/leads?limit=50"
run "opportunities, last changed first" "$API/opportunities?limit=50"
run "search leads: phone digits 13500" "$API/leads?limit=50&q=13500"
run "forecast by month" "$API/forecast?groupBy=month"
SCRIPT=$(mktemp /tmp/guanxi-create.XXXXXX.lua)
cat > "$SCRIPT" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"压测新建客户","phone":"021-5555 0000","tags":["bench"],"allowDuplicates":true}'
LUA
echo "== creating customers through the API (POST /customers, audited)"
wrk -t1 -c"${GUANXI_BENCH_CONNECTIONS:-16}" -d"${SECONDS_PER_RUN}s" --latency -H "$AUTH" -s "$SCRIPT" "$API/customers" | grep -E "Requests/sec|50%|90%|99%|Non-2xx"
rm -f "$SCRIPT"

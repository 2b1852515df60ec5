#!/usr/bin/env bash
# The web pages and the API on a file loaded the way a user moving in loads it: N/10
# companies first (`guanxi import customers`), then N contacts naming them (default
# 1,000,000; mixed Chinese and Latin names, phones in several countries' formats — see
# scripts/bench-data-exchange.sh). Then a browser's session, got by signing in through the
# login form, and an API token measure the list pages, searches, record pages and API
# lists with wrk at one connection and at 16, each for S seconds (default 15).
#   scripts/bench-web.sh [N] [S]
# GUANXI_BENCH_BIN measures another build; GUANXI_BENCH_DATA=DIR keeps (or reuses) the
# loaded data directory, so a second build can be measured on the same file. A binary reads
# its templates from the `Guanxi_GuanxiServer.resources` folder beside it, else from the
# build folder it was made in — which holds today's templates: copy an older build with its
# folder (`cp -r .build/release/guanxi .build/release/Guanxi_GuanxiServer.resources DIR`).
# Set GUANXI_DATABASE_URL (an empty database) to measure PostgreSQL instead of SQLite.
# GUANXI_BENCH_ONLY=PATTERN runs only the measurements whose name matches it (grep -E),
# e.g. 'list|page' while working on one page.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
S=${2:-15}
PORT=${GUANXI_BENCH_PORT:-18081}
command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq wrk >/dev/null; }
BIN=${GUANXI_BENCH_BIN:-$PWD/.build/release/guanxi}
[ -d "$(dirname "$BIN")/Guanxi_GuanxiServer.resources" ] || echo "note: no Guanxi_GuanxiServer.resources beside $BIN; it reads the templates of the build it was made in" >&2
[ -n "${GUANXI_BENCH_BIN:-}" ] || swift build -c release --product guanxi >/dev/null 2>&1
WORK=$(mktemp -d /tmp/guanxi-web.XXXXXX)
DATA=${GUANXI_BENCH_DATA:-$WORK/data}
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$WORK"' EXIT
export GUANXI_ADMIN_PASSWORD=Bench-admin-2026 GUANXI_LOG_LEVEL=warning GUANXI_MAX_IMPORT_BYTES=1073741824
export GUANXI_API_RATE_LIMIT=${GUANXI_API_RATE_LIMIT:-1000000}

if [ ! -e "$DATA/guanxi.sqlite" ] || [ -n "${GUANXI_DATABASE_URL:-}" ]; then
  python3 scripts/bench/make-customers-csv.py "$N" "$WORK/customers.csv"
  python3 scripts/bench/make-contacts-csv.py "$N" "$WORK/contacts.csv"
  "$BIN" migrate --data-dir "$DATA" >/dev/null 2>&1
  echo "== loading $(( (N + 9) / 10 )) customers, then $N contacts naming them"
  /usr/bin/time -f "   customers: %e s" "$BIN" import customers "$WORK/customers.csv" --data-dir "$DATA" >/dev/null
  /usr/bin/time -f "   contacts: %e s" "$BIN" import contacts "$WORK/contacts.csv" --data-dir "$DATA" >/dev/null
fi
TOKEN=$("$BIN" user token admin --name "bench-$$" --data-dir "$DATA")
# A known password for signing in, also on data an earlier run loaded (and changed it on).
"$BIN" user passwd admin --password "$GUANXI_ADMIN_PASSWORD" --data-dir "$DATA" >/dev/null

"$BIN" serve --port "$PORT" --data-dir "$DATA" >/dev/null &
SERVER=$!
BASE="http://127.0.0.1:$PORT"
for _ in $(seq 1 300); do curl -sf "$BASE/health" >/dev/null && break; sleep 0.1; done

# Signing in as a browser does: the form's CSRF cookie and field, then the session cookie.
JAR="$WORK/cookies"
LOGIN=$(curl -s -c "$JAR" "$BASE/login")
CSRF=$(printf '%s' "$LOGIN" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$CSRF" --data-urlencode "username=admin" \
  --data-urlencode "password=$GUANXI_ADMIN_PASSWORD" "$BASE/login"
# The administrator is asked to choose a new password before anything else.
PAGE=$(curl -s -b "$JAR" -c "$JAR" -L "$BASE/")
if printf '%s' "$PAGE" | grep -q 'name="new_password"'; then
  NEW="Bench-web-$$-2026"
  CSRF=$(printf '%s' "$PAGE" | sed -n 's/.*name="_csrf" value="\([^"]*\)".*/\1/p' | head -1)
  curl -s -b "$JAR" -c "$JAR" -o /dev/null --data-urlencode "_csrf=$CSRF" --data-urlencode "current_password=$GUANXI_ADMIN_PASSWORD" \
    --data-urlencode "new_password=$NEW" --data-urlencode "confirm_password=$NEW" "$BASE/password"
fi
SESSION=$(awk '$6 == "guanxi_session" { print $7 }' "$JAR")
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Cookie: guanxi_session=$SESSION" "$BASE/contacts")" = 200 ] || { echo "signing in failed" >&2; exit 1; }
COOKIE="Cookie: guanxi_session=$SESSION"

# Record pages of contacts picked at random, 2,000 of them, one per request.
curl -s -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/contacts?limit=200" >/dev/null
python3 - "$BASE" "$TOKEN" "$WORK/ids.lua" <<'EOF'
import json, random, sys, urllib.parse, urllib.request
base, token, out = sys.argv[1:4]
ids, after = [], None
while len(ids) < 20000:
    url = f"{base}/api/v1/contacts?limit=200" + (f"&cursor={urllib.parse.quote(after)}" if after else "")
    page = json.load(urllib.request.urlopen(urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})))
    ids += [c["id"] for c in page["items"]]
    after = page.get("nextCursor")
    if not after: break
random.seed(7)
pick = random.sample(ids, min(2000, len(ids)))
with open(out, "w") as f:
    f.write("ids = {" + ",".join(f'"{i}"' for i in pick) + "}\n")
    f.write('request = function() return wrk.format("GET", "/contacts/" .. ids[math.random(#ids)]) end\n')
EOF

run() {
  local name=$1; shift
  [ -z "${GUANXI_BENCH_ONLY:-}" ] || printf '%s' "$name" | grep -Eq "$GUANXI_BENCH_ONLY" || return 0
  for c in 1 16; do
    local t=$(( c == 1 ? 1 : 2 ))
    printf '%-48s c=%-3s ' "$name" "$c"
    wrk -t$t -c$c -d"${S}s" --latency "$@" | awk '/Requests\/sec/ { rps = $2 } / 50%/ { p50 = $2 } / 99%/ { p99 = $2 } /Non-2xx/ { bad = $NF }
      END { printf "%8s req/s  p50 %-9s p99 %-9s%s\n", rps, p50, p99, (bad ? "  non-2xx " bad : "") }'
  done
}
echo "== $(basename "$BIN"), $([ -n "${GUANXI_DATABASE_URL:-}" ] && echo PostgreSQL || echo SQLite), $N contacts, ${S}s per run"
run "contact list (HTML /contacts)" -H "$COOKIE" "$BASE/contacts"
# Search terms common and rare, Latin and Chinese, of one to five characters.
run "contact search, common Latin (HTML ?q=mith)" -H "$COOKIE" "$BASE/contacts?q=mith"
run "contact search, common Latin (HTML ?q=ang)" -H "$COOKIE" "$BASE/contacts?q=ang"
run "contact search, one hanzi (HTML ?q=秀)" -H "$COOKIE" "$BASE/contacts?q=%E7%A7%80"
run "contact search, surname (HTML ?q=王)" -H "$COOKIE" "$BASE/contacts?q=%E7%8E%8B"
run "contact search, two Latin letters (HTML ?q=li)" -H "$COOKIE" "$BASE/contacts?q=li"
run "contact search, one Latin letter (HTML ?q=a)" -H "$COOKIE" "$BASE/contacts?q=a"
run "contact search, two hanzi (HTML ?q=秀英)" -H "$COOKIE" "$BASE/contacts?q=%E7%A7%80%E8%8B%B1"
run "contact search, rare hanzi (HTML ?q=赟)" -H "$COOKIE" "$BASE/contacts?q=%E8%B5%9F"
run "contact search, rare Latin (HTML ?q=zzq)" -H "$COOKIE" "$BASE/contacts?q=zzq"
run "search box (HTML /search?q=smith)" -H "$COOKIE" "$BASE/search?q=smith"
run "contact page, random (HTML /contacts/ID)" -H "$COOKIE" -s "$WORK/ids.lua" "$BASE"
run "customer list (HTML /customers)" -H "$COOKIE" "$BASE/customers"
run "customer search (HTML /customers?q=tech)" -H "$COOKIE" "$BASE/customers?q=tech"
run "API GET /contacts?limit=50" -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/contacts?limit=50"
run "API GET /contacts?limit=50&q=ang" -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/contacts?limit=50&q=ang"
run "API GET /customers?limit=50" -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/customers?limit=50"
# Counting a whole list happens only when a reader asks ("count them all"): one request each.
for path in "/contacts?count=all" "/contacts?q=ang&count=all" "/customers?count=all"; do
  printf '%-48s %s s\n' "counted to the end (HTML $path)" "$(curl -s -o /dev/null -w '%{time_total}' -H "$COOKIE" "$BASE$path")"
done
echo "server RSS after the runs: $(ps -o rss= -p $SERVER) KB"
if [ -z "${GUANXI_DATABASE_URL:-}" ]; then
  BYTES=$(cat "$DATA"/guanxi.sqlite* | wc -c)
  echo "data file: $(( BYTES / 1048576 )) MB, $(( BYTES / N )) bytes per contact (customers, audit and search index included)"
fi

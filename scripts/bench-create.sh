#!/usr/bin/env bash
# Creation throughput through the REST API: customers (validated, audited, indexed for
# search), with wrk on CONNECTIONS connections for SECONDS, into a small demo file.
#   scripts/bench-create.sh [connections] [seconds]
# Set GUANXI_DATABASE_URL (an empty database) to measure PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
CONNECTIONS=${1:-16}
SECONDS_PER_RUN=${2:-10}
PORT=${GUANXI_BENCH_PORT:-18082}
command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq wrk >/dev/null; }
swift build -c release --product guanxi >/dev/null 2>&1
BIN=.build/release/guanxi
DATA=$(mktemp -d /tmp/guanxi-create.XXXXXX)
SCRIPT=$(mktemp /tmp/guanxi-create.XXXXXX.lua)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA" "$SCRIPT"' EXIT
export GUANXI_ADMIN_PASSWORD=Bench-admin-2026 GUANXI_LOG_LEVEL=warning GUANXI_API_RATE_LIMIT=1000000
"$BIN" demo --customers 1000 --data-dir "$DATA" >/dev/null 2>&1
TOKEN=$("$BIN" user token admin --name bench --data-dir "$DATA")
"$BIN" serve --port "$PORT" --data-dir "$DATA" >/dev/null 2>&1 &
SERVER=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done
cat > "$SCRIPT" <<'LUA'
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"name":"压测新建客户","phone":"021-5555 0000","tags":["bench"],"allowDuplicates":true}'
LUA
echo "== POST /api/v1/customers, $CONNECTIONS connections"
wrk -t"$(( CONNECTIONS < 2 ? 1 : 2 ))" -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency -H "Authorization: Bearer $TOKEN" -s "$SCRIPT" "http://127.0.0.1:$PORT/api/v1/customers" \
  | grep -E "Requests/sec|50%|90%|99%|Non-2xx"

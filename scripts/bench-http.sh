#!/usr/bin/env bash
# HTTP latency and throughput of a release build with wrk, on loopback only.
#   scripts/bench-http.sh [seconds] [connections]
# Prints wrk's figures for /health and for authenticated API calls (GET /api/v1/me and
# GET /api/v1/users). The per-token limit is raised so wrk is not answered 429, but every
# API request is still counted in the database, as in production.
# Set GUANXI_DATABASE_URL to measure PostgreSQL instead of the embedded SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_RUN=${1:-15}
CONNECTIONS=${2:-32}
PORT=${GUANXI_BENCH_PORT:-18080}

command -v wrk >/dev/null || { export DEBIAN_FRONTEND=noninteractive; apt-get update -qq; apt-get install -y -qq wrk >/dev/null; }
# GUANXI_BENCH_BIN measures another build (an earlier release, to compare).
BIN=${GUANXI_BENCH_BIN:-.build/release/guanxi}
[ -n "${GUANXI_BENCH_BIN:-}" ] || swift build -c release --product guanxi >/dev/null 2>&1
DATA=$(mktemp -d /tmp/guanxi-bench.XXXXXX)
SERVER=""
trap '[ -n "$SERVER" ] && kill $SERVER 2>/dev/null; wait 2>/dev/null; rm -rf "$DATA"' EXIT

export GUANXI_ADMIN_PASSWORD=Bench-admin-2026 GUANXI_LOG_LEVEL=warning GUANXI_API_RATE_LIMIT=${GUANXI_API_RATE_LIMIT:-1000000}
"$BIN" migrate --data-dir "$DATA" >/dev/null
TOKEN=$("$BIN" user token admin --name bench --data-dir "$DATA")
for i in $(seq 1 50); do "$BIN" user add "bench.user$i" --password "Bench-user-2026" --data-dir "$DATA" >/dev/null; done

"$BIN" serve --port "$PORT" --data-dir "$DATA" >/dev/null &
SERVER=$!
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$PORT/health" >/dev/null && break; sleep 0.1; done

run() {
  echo "== $1"
  shift
  wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_RUN}s" --latency "$@" | grep -E "Latency|Req/Sec|requests in|Requests/sec|50%|90%|99%|Non-2xx"
}
run "GET /health" "http://127.0.0.1:$PORT/health"
run "GET /api/v1/me (bearer token)" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/me"
run "GET /api/v1/users?limit=50 (bearer token)" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/api/v1/users?limit=50"
echo "engine: $([ -n "${GUANXI_DATABASE_URL:-}" ] && echo postgres || echo sqlite)"

#!/usr/bin/env bash
# A shop's order history loaded the way a user loads it, then scored: N orders (default
# 1,000,000) for about N/10 buyers named by member number, e-mail or phone, imported with
# `guanxi import purchases --create-missing-customers` into an empty file (so the import
# also creates the customers), then `guanxi analyze`, which prints its step timings.
#   scripts/bench-purchases.sh [N]
# GUANXI_BENCH_BIN measures another build; GUANXI_BENCH_DATA=DIR keeps (or reuses) the
# imported data directory, so the analysis can be measured again without importing.
# Set GUANXI_DATABASE_URL (an empty database) to measure PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
BIN=${GUANXI_BENCH_BIN:-$PWD/.build/release/guanxi}
[ -n "${GUANXI_BENCH_BIN:-}" ] || swift build -c release --product guanxi >/dev/null 2>&1
WORK=$(mktemp -d /tmp/guanxi-purchases.XXXXXX)
DATA=${GUANXI_BENCH_DATA:-$WORK/data}
trap 'rm -rf "$WORK"' EXIT
export GUANXI_ADMIN_PASSWORD=Bench-admin-2026 GUANXI_LOG_LEVEL=warning GUANXI_MAX_IMPORT_BYTES=1073741824
if [ ! -e "$DATA/guanxi.sqlite" ] || [ -n "${GUANXI_DATABASE_URL:-}" ]; then
  python3 scripts/bench/make-purchases-csv.py "$N" "$WORK/orders.csv"
  "$BIN" migrate --data-dir "$DATA" >/dev/null 2>&1
  echo "== importing $N orders, creating their buyers"
  START=$(date +%s.%N)
  "$BIN" import purchases "$WORK/orders.csv" --create-missing-customers --data-dir "$DATA" | tail -1
  END=$(date +%s.%N)
  python3 -c "import sys; s = float(sys.argv[2]) - float(sys.argv[1]); print(f'   import: {s:.1f} s, {int(sys.argv[3]) / s:,.0f} rows/s')" "$START" "$END" "$N"
fi
echo "== guanxi analyze"
START=$(date +%s.%N)
"$BIN" analyze --json --data-dir "$DATA" > "$WORK/summary.json"
END=$(date +%s.%N)
python3 - "$WORK/summary.json" "$START" "$END" <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
print(f"   analyze: {float(sys.argv[3]) - float(sys.argv[2]):.1f} s all in; {s['customers']:,} customers, {s['purchases']:,} purchases")
for step, seconds in sorted(s.get("timings", {}).items(), key=lambda kv: -kv[1]):
    print(f"     {step:<28} {seconds:7.2f} s")
PY
if [ -z "${GUANXI_DATABASE_URL:-}" ]; then echo "   file: $(du -sm "$DATA" | cut -f1) MB"; fi

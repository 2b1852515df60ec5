#!/usr/bin/env bash
# Data in and out at volume, loaded the way a user moving in loads it: N/10 companies
# first (`guanxi import customers`), then N contacts (default 1,000,000) naming them
# (`guanxi import contacts`); the contacts are exported again with `guanxi export`, and
# the duplicate finder runs over them (`guanxi duplicates`) — printing the time of each
# and the imports' peak memory. The files (scripts/bench/make-customers-csv.py,
# make-contacts-csv.py) have companies shared by about ten people, phones in several
# countries' formats, two phones for a third of the people, and 1 % of people entered twice.
#   scripts/bench-data-exchange.sh [N]
# Set GUANXI_DATABASE_URL (an empty database) to measure PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-1000000}
# GUANXI_BENCH_BIN measures another build (an earlier release, to compare).
BIN=${GUANXI_BENCH_BIN:-$PWD/.build/release/guanxi}
[ -n "${GUANXI_BENCH_BIN:-}" ] || swift build -c release --product guanxi >/dev/null 2>&1
WORK=$(mktemp -d /tmp/guanxi-exchange.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export GUANXI_ADMIN_PASSWORD=Bench-admin-2026 GUANXI_LOG_LEVEL=warning GUANXI_MAX_IMPORT_BYTES=1073741824
python3 scripts/bench/make-customers-csv.py "$N" "$WORK/customers.csv"
python3 scripts/bench/make-contacts-csv.py "$N" "$WORK/contacts.csv"
echo "== files: $(( (N + 9) / 10 )) customers, $(du -h "$WORK/customers.csv" | cut -f1); $N contacts, $(du -h "$WORK/contacts.csv" | cut -f1)"
"$BIN" migrate --data-dir "$WORK/data" >/dev/null 2>&1
echo "== guanxi import customers"
/usr/bin/time -f "elapsed %e s, peak memory %M KB" "$BIN" import customers "$WORK/customers.csv" --data-dir "$WORK/data" 2>&1 | grep -v "^[0-9]*% (" | grep -v "^$"
echo "== guanxi import contacts"
/usr/bin/time -f "elapsed %e s, peak memory %M KB" "$BIN" import contacts "$WORK/contacts.csv" --data-dir "$WORK/data" 2>&1 | grep -v "^[0-9]*% (" | grep -v "^$"
echo "== guanxi export contacts"
/usr/bin/time -f "elapsed %e s, peak memory %M KB" "$BIN" export contacts "$WORK/out.csv" --filter 'col=customer&col=title&col=phones&col=emails' --data-dir "$WORK/data" 2>&1
echo "   $(wc -l < "$WORK/out.csv") lines written"
echo "== guanxi duplicates contacts"
/usr/bin/time -f "elapsed %e s, peak memory %M KB" "$BIN" duplicates contacts --limit 3 --data-dir "$WORK/data" 2>&1

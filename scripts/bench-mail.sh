#!/usr/bin/env bash
# Outbox throughput: COUNT personalised test messages queued (written out, stored, audited)
# then handed to a local SMTP server (aiosmtpd in plain text, like a Postfix relay on the
# same machine), on the release build and an empty SQLite file.
#   scripts/bench-mail.sh [count]
# Set GUANXI_DATABASE_URL (an empty database) to measure PostgreSQL instead of SQLite.
set -euo pipefail
cd "$(dirname "$0")/.."
COUNT=${1:-10000}
swift build -c release --product guanxi >/dev/null 2>&1
BIN=.build/release/guanxi
DATA=$(mktemp -d /tmp/guanxi-mail.XXXXXX)
SPOOL=$(mktemp -d /tmp/guanxi-spool.XXXXXX)
FIFO=$(mktemp -u /tmp/guanxi-smtp.XXXXXX)
mkfifo "$FIFO"
SERVER=""
trap 'exec 8>&- 2>/dev/null || true; [ -n "$SERVER" ] && wait $SERVER 2>/dev/null; rm -rf "$DATA" "$SPOOL" "$FIFO"' EXIT
# The server runs until its standard input closes (the trap closes it).
scripts/python-tools.sh scripts/interop/smtp_server.py "$SPOOL" --no-tls < "$FIFO" > "$SPOOL.ready" &
SERVER=$!
exec 8>"$FIFO"
for _ in $(seq 1 600); do grep -q READY "$SPOOL.ready" 2>/dev/null && break; sleep 0.1; done
PORT=$(awk '{print $2}' "$SPOOL.ready")
rm -f "$SPOOL.ready"
# One receiving domain here: lift its limit, or the run measures the limit.
export GUANXI_MAIL_PER_DOMAIN_PER_MINUTE=100000 GUANXI_LOG_LEVEL=warning GUANXI_SMTP_URL="smtp://127.0.0.1:$PORT?starttls=off" GUANXI_MAIL_FROM="关系 CRM <bench@guanxi.example.cn>"
"$BIN" migrate --data-dir "$DATA" >/dev/null
echo "== $COUNT messages through the outbox to smtp://127.0.0.1:$PORT"
"$BIN" mail test --to wang.wei@example.cn --count "$COUNT" --data-dir "$DATA"
echo "received: $(ls "$SPOOL" | grep -c '\.eml$')"

#!/usr/bin/env bash
# Drives Guanxi in a real browser: loads the demo data into a fresh data folder, starts
# `guanxi serve` on it, and runs the workflows, the link crawl and the layout checks of
# Tests/Browser with headless Chromium. Chromium, chromedriver and the Simplified
# Chinese fonts come from Debian's packages, selenium from PyPI (into .build/), each
# installed when missing.
#   scripts/browser-tests.sh [BINARY]      (default: the debug build, built if needed)
#   GUANXI_TOUR=DIR scripts/browser-tests.sh [BINARY]   screenshots to look at (Tests/Browser/tour.py)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
dpkg -s fonts-noto-cjk >/dev/null 2>&1 || missing+=(fonts-noto-cjk)
python3 -c "import ensurepip" 2>/dev/null || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "Installing ${missing[*]} from Debian packages…"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } >/dev/null
fi
venv="$root/.build/browser-tools"
if ! "$venv/bin/python" -c "import selenium" 2>/dev/null; then
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "selenium==4.27.1"
fi

binary="${1:-}"
if [ -z "$binary" ]; then
  swift build --product guanxi >/dev/null 2>&1
  binary="$(swift build --show-bin-path)/guanxi"
fi
work=$(mktemp -d /tmp/guanxi-browser.XXXXXX)
server=""
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export GUANXI_ADMIN_PASSWORD="Browser-admin-2026" GUANXI_LOG_LEVEL=warning
"$binary" demo --data-dir "$work/data" > "$work/demo.txt" 2>&1
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$binary" serve --host 127.0.0.1 --port "$port" --data-dir "$work/data" > "$work/server.log" 2>&1 &
server=$!
for _ in $(seq 1 300); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.1; done

export GUANXI_URL="http://127.0.0.1:$port" GUANXI_DEMO_PASSWORDS="$work/demo.txt" GUANXI_SCREENSHOTS="${GUANXI_SCREENSHOTS:-}"
# GUANXI_TOUR=DIR takes screenshots of the main pages to look at instead of testing.
if [ -n "${GUANXI_TOUR:-}" ]; then
  (cd Tests/Browser && "$venv/bin/python" tour.py "$GUANXI_TOUR")
  exit
fi
"$venv/bin/python" -m unittest discover -s Tests/Browser -p "${GUANXI_BROWSER_TESTS:-test_*.py}" -v

#!/usr/bin/env bash
# Runs python3 with the independent parsers the round-trip tests check Guanxi's files
# against (vobject for vCard, icalendar for iCalendar), and the real SMTP server the mail
# tests send to (aiosmtpd, with certificates from trustme). They live in a virtual
# environment under .build/, made and filled from PyPI the first time; python3 and its
# venv module come from Debian's packages when missing.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.build/python-tools"
ready() { "$venv/bin/python" -c "import vobject, icalendar, aiosmtpd, trustme" 2>/dev/null; }
if ! ready; then
    # Tests run side by side: the first to get here fills the environment while the
    # others wait for it, instead of removing it under each other.
    mkdir -p "$root/.build"
    exec 9>"$root/.build/python-tools.lock"
    flock 9
fi
if ! ready; then
    if ! python3 -m venv --help >/dev/null 2>&1 || ! python3 -c "import ensurepip" 2>/dev/null; then
        export DEBIAN_FRONTEND=noninteractive
        { apt-get update -qq && apt-get install -y -qq python3 python3-venv; } >&2
    fi
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    "$venv/bin/pip" install --quiet --disable-pip-version-check "vobject==0.9.9" "icalendar==6.1.1" "aiosmtpd==1.4.6" "trustme==1.2.1" >&2
fi
exec 9>&- 2>/dev/null || true
exec "$venv/bin/python" "$@"

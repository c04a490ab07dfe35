#!/usr/bin/env bash
# Everything the test suite needs on a fresh machine: a virtual environment with the CPU build
# of torch (installed first, so pip never pulls a multi-GB CUDA build) and the project with its
# test extra. Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip
python -m pip install -q "torch==2.13.0"
python -m pip install -q -e ".[test]"
# Browser tests drive Debian's chromium through Playwright (never `playwright install`).
if ! [ -x /usr/bin/chromium ] && command -v apt-get >/dev/null; then
  SUDO=$([ "$(id -u)" = 0 ] || echo sudo)
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq chromium >/dev/null
fi

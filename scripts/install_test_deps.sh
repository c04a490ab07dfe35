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

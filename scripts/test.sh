#!/usr/bin/env bash
# Run all of kneeline's tests on a fresh machine: installs what they need, then lint, types, tests.
# Usage: bash scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."

PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv/bin/python ]; then
    "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[dev,cluster]'

.venv/bin/ruff check kneeline tests benchmarks
.venv/bin/mypy
# pytest exits 5 when it collects nothing: that is a failure here, as is any other non-zero code.
.venv/bin/python -m pytest "$@"

#!/usr/bin/env bash
# Dependency audit of the installed environment (.venv): see scripts/audit_deps.py for the policy.
# Exit 0 passed, 1 known vulnerabilities (fails CI), 3 could not audit (CI says so loudly, no pass).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-$(command -v python3.11 || command -v python3)}
if [ ! -x .venv-audit/bin/pip-audit ]; then
    "$PY" -m venv .venv-audit
    .venv-audit/bin/python -m pip install -q pip-audit || { echo "dependency audit INCOMPLETE: cannot install pip-audit" >&2; exit 3; }
fi
SITE=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
exec .venv-audit/bin/python scripts/audit_deps.py --pip-audit .venv-audit/bin/pip-audit --site-packages "$SITE" "$@"

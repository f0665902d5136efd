"""The dependency audit's verdicts (scripts/audit_deps.py) on pip-audit reports of each kind."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _audit():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("audit_deps", REPO / "scripts" / "audit_deps.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_deps"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_unreachable_data_is_incomplete_not_a_pass() -> None:
    """What pip-audit printed here (no vulnerability data): "No known vulnerabilities found", exit 0."""
    audit = _audit()
    report = {"dependencies": [{"name": "fastapi", "skip_reason": "Dependency not found on PyPI and could not be "
                                "audited: fastapi (0.120.0)"}], "fixes": []}
    summary = audit.summarise(report, set())
    assert summary.code == audit.INCOMPLETE and "NOT AUDITED" in "\n".join(summary.lines())


def test_a_known_vulnerability_fails_unless_allowed_with_a_reason(tmp_path: Path) -> None:
    audit = _audit()
    report = {"dependencies": [{"name": "jinja2", "version": "3.1.0", "vulns": [
        {"id": "PYSEC-0000-1", "aliases": ["GHSA-xxxx"], "fix_versions": ["3.1.5"]}]},
        {"name": "numpy", "version": "1.26.4", "vulns": []}]}
    assert audit.summarise(report, set()).code == audit.VULNERABLE
    allow = tmp_path / "allow.txt"
    allow.write_text("# reviewed\nGHSA-xxxx  the sandbox is not used\n", encoding="utf-8")
    assert audit.summarise(report, audit.read_allowed(allow)).code == audit.OK
    assert audit.summarise({"dependencies": []}, set()).code == audit.INCOMPLETE

"""Dependency audit: known vulnerabilities of the installed (pinned) dependencies, via pip-audit.

Usage: ``python scripts/audit_deps.py [--pip-audit PATH] [--site-packages DIR] [--allow FILE]``
(``bash scripts/audit.sh`` installs pip-audit in ``.venv-audit`` and runs this).

Exit codes, so CI can tell the three outcomes apart:

* 0 — every dependency was audited and none has a known vulnerability (or each is allowed);
* 1 — at least one known vulnerability that is not allowed: fix it (upgrade) or allow it with a reason;
* 3 — the audit could not run or was incomplete (the vulnerability data could not be reached, or the
  package index lacks it for some packages): the packages not audited are listed; this is never
  reported as a pass.

Severity: the advisories pip-audit reads from PyPI carry no severity score, so every known
vulnerability counts as high (fails) until someone reviews it and lists its id with a reason in the
allow file (``scripts/audit-allow.txt``: ``ID  reason``, one a line, ``#`` comments).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

OK, VULNERABLE, INCOMPLETE = 0, 1, 3


@dataclass
class AuditSummary:
    """What one pip-audit report says."""

    audited: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    vulnerable: list[str] = field(default_factory=list)
    allowed: list[str] = field(default_factory=list)

    @property
    def code(self) -> int:
        """The exit code (see the module docstring)."""
        if self.vulnerable:
            return VULNERABLE
        if self.skipped or not self.audited:
            return INCOMPLETE
        return OK

    def lines(self) -> list[str]:
        """A report for people."""
        out = [f"dependency audit: {len(self.audited)} packages audited, {len(self.skipped)} NOT audited, "
               f"{len(self.vulnerable)} known vulnerabilities, {len(self.allowed)} allowed"]
        out += [f"  VULNERABLE {v}" for v in self.vulnerable]
        out += [f"  allowed    {a}" for a in self.allowed]
        if self.skipped:
            out.append("  NOT AUDITED (no vulnerability data reachable for these; the audit did not pass):")
            out += [f"    {s}" for s in self.skipped]
        verdict = {OK: "PASSED", VULNERABLE: "FAILED: upgrade the packages above or allow each id with a reason "
                   "in scripts/audit-allow.txt", INCOMPLETE: "INCOMPLETE: not a pass; run it where PyPI's "
                   "vulnerability data can be reached"}[self.code]
        out.append(f"dependency audit {verdict}")
        return out


def read_allowed(path: Path) -> set[str]:
    """Advisory ids allowed by ``path`` (``ID reason`` lines); empty when the file is absent."""
    if not path.is_file():
        return set()
    ids = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            ids.add(line.split()[0])
    return ids


def summarise(report: dict[str, Any], allowed: set[str]) -> AuditSummary:
    """Summarise pip-audit's JSON report (``pip-audit -f json``)."""
    summary = AuditSummary()
    for dep in report.get("dependencies", []):
        name = f"{dep.get('name')} {dep.get('version', '')}".strip()
        if "skip_reason" in dep:
            summary.skipped.append(f"{name}: {dep['skip_reason']}")
            continue
        summary.audited.append(name)
        for vuln in dep.get("vulns", []):
            ids = {vuln.get("id", "?"), *vuln.get("aliases", [])}
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fixed version yet"
            text = f"{name}: {vuln.get('id')} (fixed in {fixes})"
            (summary.allowed if ids & allowed else summary.vulnerable).append(text)
    return summary


def main(argv: list[str] | None = None) -> int:
    """Run pip-audit on ``--site-packages`` and print the verdict; return the exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pip-audit", default="pip-audit", help="the pip-audit executable")
    parser.add_argument("--site-packages", required=True, help="the environment to audit")
    parser.add_argument("--allow", default=str(Path(__file__).with_name("audit-allow.txt")))
    args = parser.parse_args(argv)
    try:
        run = subprocess.run([args.pip_audit, "--path", args.site_packages, "-f", "json", "--progress-spinner",
                              "off"], capture_output=True, text=True, timeout=600, check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"dependency audit INCOMPLETE: pip-audit could not run ({exc})", file=sys.stderr)
        return INCOMPLETE
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(f"dependency audit INCOMPLETE: pip-audit gave no report (exit {run.returncode}):\n"
              f"{run.stderr.strip()[-2000:]}", file=sys.stderr)
        return INCOMPLETE
    summary = summarise(report, read_allowed(Path(args.allow)))
    print("\n".join(summary.lines()))
    return summary.code


if __name__ == "__main__":
    sys.exit(main())

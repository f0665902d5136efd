"""The exact numbers of a result as plain tables (text cells), for clinicians: reps and summary.

Shared by the web results page (inside its "exact numbers" block) and ``kneeline analyze``.  A
column no repetition has a value for is left out (and the plain summary says why it is missing);
a single withheld cell says "not measured", never a dash.
"""

from __future__ import annotations

from dataclasses import dataclass

from kneeline.report.compare import NOT_MEASURED
from kneeline.report.plain import UNIT_DEG
from kneeline.report.result import AnalysisResult

__all__ = ["TextTable", "rep_table", "summary_table", "CLINICAL_NAMES"]

CLINICAL_NAMES: dict[str, str] = {
    "fppa_deg": "Knee FPPA (+ = inward)",
    "pelvic_drop_deg": "Pelvic drop",
    "pelvic_drop_max_deg": "Largest pelvic drop",
    "pelvic_obliquity_deg": "Pelvic obliquity",
    "trunk_lean_deg": "Trunk lean",
    "depth": "Depth (share of leg length)",
    "hold_s": "Hold",
}
"""Result measures by their clinical names (the exact-numbers tables)."""

_REP_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("fppa_left_deg", "Left knee FPPA", "deg"),
    ("fppa_right_deg", "Right knee FPPA", "deg"),
    ("pelvic_obliquity_deg", "Pelvic obliquity", "deg"),
    ("pelvic_drop_deg", "Pelvic drop", "deg"),
    ("trunk_lean_deg", "Trunk lean", "deg"),
    ("depth", "Depth", "ratio"),
    ("hold_s", "Hold", "s"),
)


@dataclass(frozen=True)
class TextTable:
    """A table as text: a caption, column headers and rows of cells."""

    caption: str
    headers: list[str]
    rows: list[list[str]]


def _cell(x: float | None, unit: str) -> str:
    if x is None:
        return "not measured"
    digits = 2 if unit not in ("deg", "s") else 1
    shown = round(x, digits) + 0.0  # + 0.0: a value that rounds to zero is "0.0", never "-0.0"
    if unit == "deg":
        return f"{shown:.1f}{UNIT_DEG}"
    if unit == "s":
        return f"{shown:.1f} s"
    return f"{shown:.2f}"


def _metric_unit(result: AnalysisResult, name: str) -> str:
    """Unit of measure ``name`` in the summary (``deg`` when no side reports it)."""
    for side_name in ("left", "right", "both"):
        side = getattr(result.summary, side_name)
        if side is not None and name in side.metrics:
            return side.metrics[name].unit
    return "deg"


def rep_table(result: AnalysisResult) -> TextTable:
    """One row per repetition: leg, bottom time and every measure at least one repetition has."""
    present = [c for c in _REP_COLUMNS if any(getattr(r, c[0]) is not None for r in result.reps)]
    headers = ["#", "Leg", "Bottom", *(label for _, label, _ in present)]
    rows = [[str(r.index), r.side, f"{r.bottom_s:.2f} s", *(_cell(getattr(r, key), unit) for key, _, unit in present)]
            for r in result.reps]
    return TextTable(f"Repetitions: {len(result.reps)}", headers, rows)


def summary_table(result: AnalysisResult) -> TextTable:
    """Mean ± SD over repetitions, repetitions used and the smallest detectable difference (SDD)."""
    rows: list[list[str]] = []
    for side_name in ("left", "right", "both"):
        side = getattr(result.summary, side_name)
        if side is None:
            continue
        for name, m in side.metrics.items():
            unit = "deg" if m.unit == "deg" else m.unit
            if m.mean is None:
                spread = NOT_MEASURED
            else:
                sd = f" ± {_cell(m.sd, unit)}" if m.sd is not None else ""
                spread = f"{_cell(m.mean, unit)}{sd}"
            sdd = "none published" if m.sdd is None else _cell(m.sdd, unit)
            rows.append([side_name, CLINICAL_NAMES.get(name, name.replace("_", " ")), spread, str(m.n), sdd])
    for name, a in result.summary.asymmetry.items():
        if a.difference is None:
            continue
        verdict = "" if a.exceeds_sdd is None else (" (more than the SDD)" if a.exceeds_sdd else " (within noise)")
        difference = _cell(a.difference, _metric_unit(result, name))
        rows.append(["left − right", CLINICAL_NAMES.get(name, name), f"{difference}{verdict}", "", ""])
    return TextTable("Mean ± SD over repetitions; SDD: the smallest change between sessions larger than "
                     "measurement noise", ["Side", "Measure", "Mean ± SD", "Reps", "SDD"], rows)

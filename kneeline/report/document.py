"""The assessment report: one HTML document (with a print stylesheet) and its PDF.

Patients first: the report opens with the result in the same plain words as the results page and
``kneeline analyze`` (:func:`kneeline.report.plain.plain_result`).  Then, for clinicians, the exact
numbers and their sources, each technical term (FPPA, pelvic obliquity, SD, SDD) explained where it
appears; degrees are always written "°".

Clinician section: capture quality (view, yaw and its uncertainty, warnings), a key
frame at each rep's bottom with the measured lines drawn, the per-rep table (pelvis and trunk
values with their expected error), mean ± SD with the smallest detectable difference, published
reference values with their sources (``norms.yaml``), findings in plain words, questionnaire scores
with their trend, the current program, and optionally the comparison with an earlier assessment.

A value the capture gate withheld (null in ``result.json``) is written as "not measured from this
view", never as a number.  The PDF is made by WeasyPrint (HTML and CSS to PDF, with the system's
Pango for text); the HTML is self-contained (styles inline, images as ``data:`` URIs).
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kneeline.errors import KneelineError
from kneeline.evidence import load_sourced
from kneeline.report.compare import METRIC_LABELS, NOT_MEASURED, Comparison, compare
from kneeline.report.keyframes import KeyFrame, key_frames
from kneeline.report.plain import PlainResult, degrees_text, plain_result
from kneeline.report.record import PatientRecord, score_trend
from kneeline.report.result import AnalysisResult, MetricSummary, Rep
from kneeline.report.source import AnalysisSource

__all__ = ["TEST_LABELS", "report_context", "render_html", "render_pdf", "write_pdf", "write_report", "fmt"]

TEST_LABELS: dict[str, str] = {
    "single-leg-squat": "Single-leg squat",
    "squat": "Squat (both legs)",
    "single-leg-stance": "Single-leg stance (Trendelenburg)",
}

_REFERENCE_LABELS: dict[str, tuple[str, str | None]] = {
    "fppa_sls_healthy_women_mean_deg": ("Knee angle (FPPA), single-leg squat, healthy women",
                                        "fppa_sls_healthy_women_sd_deg"),
    "fppa_sls_pfp_women_mean_deg": ("Knee angle (FPPA), single-leg squat, women with patellofemoral pain",
                                    "fppa_sls_pfp_women_sd_deg"),
    "fppa_healthy_landing_women_deg": ("Knee angle (FPPA), single-leg landing, healthy women (range)", None),
    "fppa_healthy_landing_men_deg": ("Knee angle (FPPA), single-leg landing, healthy men (range)", None),
    "fppa_sdd_deg": ("Knee angle (FPPA): smallest detectable difference", None),
    "pelvic_drop_sdd_deg": ("Pelvic drop: smallest detectable difference (nearest: running)", None),
    "trunk_lean_sdd_deg": ("Trunk lean: smallest detectable difference (nearest: running)", None),
    "trendelenburg_hold_s": ("Single-leg stance (Trendelenburg): hold time", None),
}
"""``norms.yaml`` entry -> its name for the reader and the entry holding its SD (mean ± SD)."""

CLINICIAN_LABELS: dict[str, str] = {
    "fppa_deg": "Knee angle, inward movement (FPPA, + = inward)",
    "pelvic_drop_deg": "Hip drop (pelvic drop)",
    "pelvic_drop_max_deg": "Largest hip drop (pelvic drop)",
    "pelvic_obliquity_deg": "Hip tilt (pelvic obliquity, + = left hip higher)",
    "trunk_lean_deg": "Upper-body lean (trunk lean, + = toward the left)",
    "depth": "Depth (share of leg length)",
    "hold_s": "Time on one leg (hold)",
}
"""Summary measures in the clinician section: the plain name first, the clinical term in brackets."""

_REFERENCES: dict[str, tuple[str, ...]] = {
    "single-leg-squat": ("fppa_sls_healthy_women_mean_deg", "fppa_sls_pfp_women_mean_deg",
                         "fppa_healthy_landing_women_deg", "fppa_healthy_landing_men_deg", "fppa_sdd_deg",
                         "pelvic_drop_sdd_deg", "trunk_lean_sdd_deg"),
    "squat": ("fppa_healthy_landing_women_deg", "fppa_healthy_landing_men_deg", "fppa_sdd_deg",
              "pelvic_drop_sdd_deg", "trunk_lean_sdd_deg"),
    "single-leg-stance": ("trendelenburg_hold_s", "pelvic_drop_sdd_deg", "trunk_lean_sdd_deg"),
}
"""Entries of ``norms.yaml`` shown as reference values for each test."""

def fmt(value: float | None, digits: int = 1, unit: str = "°") -> str:
    """A number for the reader; a withheld or unknown value (None) is :data:`NOT_MEASURED`."""
    if value is None:
        return NOT_MEASURED
    text = f"{value:.{digits}f}"
    return f"{'0.0' if text == '-0.0' else text}{unit}"

def _with_error(value: float | None, error: float | None) -> str:
    if value is None:
        return NOT_MEASURED
    return fmt(value) + (f" (± {error:.1f}°)" if error is not None else "")

def _rep_row(rep: Rep) -> dict[str, str]:
    return {
        "index": str(rep.index), "side": rep.side, "bottom": f"{rep.bottom_s:.2f} s",
        "fppa_left": fmt(rep.fppa_left_deg), "fppa_right": fmt(rep.fppa_right_deg),
        "obliquity": _with_error(rep.pelvic_obliquity_deg, rep.pelvic_error_deg),
        "drop": _with_error(rep.pelvic_drop_deg, rep.pelvic_error_deg),
        "lean": _with_error(rep.trunk_lean_deg, rep.trunk_lean_error_deg),
        "depth": fmt(rep.depth, 2, ""), "hold": "" if rep.hold_s is None else fmt(rep.hold_s, 1, " s"),
    }

def _unit(m: MetricSummary) -> str:
    return "°" if m.unit == "deg" else ("" if m.unit.startswith("fraction") else f" {m.unit}")

def _mean_sd(m: MetricSummary) -> str:
    if m.mean is None:
        return NOT_MEASURED
    digits = 2 if m.unit.startswith("fraction") else 1
    sd = f" ± {m.sd:.{digits}f}" if m.sd is not None else ""
    return f"{m.mean:.{digits}f}{sd}{_unit(m)}"

def _summary_rows(result: AnalysisResult) -> list[dict[str, str]]:
    rows = []
    for side in ("left", "right", "both"):
        summary = getattr(result.summary, side)
        if summary is None:
            continue
        for name, m in summary.metrics.items():
            rows.append({"side": side, "metric": CLINICIAN_LABELS.get(name, name), "mean_sd": _mean_sd(m),
                         "n": str(m.n), "sdd": "none published" if m.sdd is None else f"{m.sdd:g}{_unit(m)}",
                         "sdd_source": m.sdd_source or ""})
    return rows

def _asymmetry_rows(result: AnalysisResult) -> list[dict[str, str]]:
    rows = []
    for name, a in result.summary.asymmetry.items():
        verdict = ("" if a.exceeds_sdd is None else
                   "more than measurement noise" if a.exceeds_sdd else "within measurement noise")
        rows.append({"metric": CLINICIAN_LABELS.get(name, METRIC_LABELS.get(name, name)),
                     "difference": fmt(a.difference), "verdict": verdict, "note": degrees_text(a.note)})
    return rows

def _references(test: str) -> list[dict[str, str]]:
    table = load_sourced("norms.yaml")
    rows = []
    for key in _REFERENCES.get(test, ()):
        entry = table[key]
        label, sd_key = _REFERENCE_LABELS[key]
        v = entry.value
        text = f"{v[0]:g}–{v[1]:g}" if isinstance(v, list) and len(v) == 2 else f"{v}"
        if sd_key is not None:
            text += f" ± {table[sd_key].value}"
        unit = "°" if entry.unit == "deg" else f" {entry.unit}"
        rows.append({"what": label, "value": text + unit, "source": degrees_text(entry.source),
                     "note": degrees_text(entry.note),
                     "provisional": "verify" if entry.provisional else ""})
    return rows


def _data_uri(frame: KeyFrame) -> str | None:
    return None if frame.png is None else "data:image/png;base64," + base64.b64encode(frame.png).decode("ascii")

def _frames(frames: Sequence[KeyFrame]) -> list[dict[str, Any]]:
    return [{"rep": f.rep, "time": f"{f.time_s:.2f} s", "src": _data_uri(f), "note": f.note} for f in frames]

def _capture(result: AnalysisResult) -> dict[str, Any]:
    cap = result.capture
    yaw = "unknown" if cap.yaw_deg is None else fmt(cap.yaw_deg, 0)
    if cap.yaw_deg is not None and cap.yaw_uncertainty_deg is not None:
        yaw += f" (± {cap.yaw_uncertainty_deg:.0f}°)"
    messages = [degrees_text(m) for m in (*cap.warnings, *(i.message for i in cap.issues if i.level != "info"))]
    return {"view": cap.view, "yaw": yaw, "warnings": list(dict.fromkeys(messages)),
            "video": (f"{result.video.width}×{result.video.height}, {result.video.fps:.1f} frames/s, "
                      f"{result.video.duration_s:.1f} s"), "people": cap.people_max}

def _program(record: PatientRecord) -> dict[str, Any] | None:
    response = record.program
    if response is None:
        return None
    if response.status == "referred" and response.referral is not None:
        return {"referred": True, "title": response.referral.title, "advice": response.referral.advice}
    program = response.program
    if program is None:
        return None
    exercises = [{"name": e.name, "week": e.start_week, "phase": e.phase,
                  "dose": (f"{e.sets} × {e.reps}" if e.reps else f"{e.sets} × hold {e.hold_s} s")
                  + (" each side" if e.each_side else "")} for e in program.exercises]
    return {"referred": False, "weeks": program.weeks, "sessions": program.sessions_per_week,
            "start": program.start_date.isoformat() if program.start_date else "", "exercises": exercises}

def _findings(source: AnalysisSource, record: PatientRecord) -> list[str]:
    if record.intake is None:
        return []
    from kneeline.assess.findings import assess

    return [degrees_text(f"{f.text} {f.uncertainty}".strip())
            for f in assess(record.intake, [source.result]).findings if f.test is not None]


def _plain(result: AnalysisResult, record: PatientRecord) -> PlainResult:
    """The result in the words of the results page; the intake, when there is one, picks the reference range."""
    if record.intake is None:
        return plain_result(result)
    return plain_result(result, record.intake.sex, record.intake.knee)

def _comparison(comparison: Comparison) -> dict[str, Any]:
    rows = [{"side": m.side, "metric": m.label, "before": _mean_sd(m.before), "after": _mean_sd(m.after),
             "change": "" if m.change is None else fmt(m.change, 1, _unit(m.before)), "verdict": m.text}
            for m in comparison.metrics]
    pairs = []
    if comparison.comparable and comparison.pairs:
        before = key_frames(comparison.before, [p.before for p in comparison.pairs])
        after = key_frames(comparison.after, [p.after for p in comparison.pairs])
        pairs = [{"side": p.side, "before": _frames([b])[0], "after": _frames([a])[0]}
                 for p, b, a in zip(comparison.pairs, before, after, strict=True)]
    return {"comparable": comparison.comparable, "reason": comparison.reason, "rows": rows, "pairs": pairs,
            "before_date": comparison.before.date, "after_date": comparison.after.date}

def report_context(source: AnalysisSource, record: PatientRecord | None = None,
                   previous: AnalysisSource | None = None) -> dict[str, Any]:
    """Everything the report template shows, already formatted (withheld values as words).

    Parameters
    ----------
    source
        The assessment reported on.
    record
        The patient's record (name, intake, scores, program); empty by default.
    previous
        An earlier assessment to compare with (``--previous``).
    """
    record = record or PatientRecord()
    result = source.result
    intake = record.intake
    scores = [{"date": d.date.isoformat() if d.date else "intake", "nprs_now": fmt(d.nprs_now, 0, "/10")
               if d.nprs_now is not None else "", "nprs_worst": "" if d.nprs_worst_week is None else
               f"{d.nprs_worst_week}/10", "akps": "" if d.akps is None else f"{d.akps:g}/100",
               "koos_pf": "" if d.koos_pf is None else f"{d.koos_pf:g}/100"} for d in record.scores]
    return {
        "title": f"kneeline assessment report: {TEST_LABELS.get(result.test, result.test)}",
        "patient": record.name or "not named",
        "about": (f"{intake.age} years, {intake.sex}, painful knee: {intake.knee}" if intake else ""),
        "date": source.date, "generated": datetime.now(UTC).strftime("%Y-%m-%d"),
        "test": TEST_LABELS.get(result.test, result.test), "version": result.kneeline_version,
        "capture": _capture(result), "reps": [_rep_row(r) for r in result.reps],
        "hold_test": result.test == "single-leg-stance", "single_leg": result.test != "squat",
        "frames": _frames(key_frames(source)), "summary": _summary_rows(result),
        "asymmetry": _asymmetry_rows(result), "references": _references(result.test),
        "plain": _plain(result, record), "findings": _findings(source, record),
        "notes": [degrees_text(n) for n in result.notes],
        "scores": scores, "trend": [c.text for c in score_trend(record.scores)],
        "program": _program(record), "not_measured": NOT_MEASURED,
        "comparison": _comparison(compare(previous, source)) if previous is not None else None,
    }

def render_html(context: dict[str, Any], *, stylesheet: str | None = None) -> str:
    """The report as one HTML document.

    Parameters
    ----------
    context
        From :func:`report_context`.
    stylesheet
        CSS to inline; the report's own (``report.css``, screen and print) by default.
    """
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("kneeline.report", "templates"), autoescape=select_autoescape(["html"]))
    css = stylesheet if stylesheet is not None else _stylesheet()
    env.filters["degrees"] = degrees_text
    return env.get_template("report.html").render(css=css, **context)

def _stylesheet() -> str:
    from importlib import resources

    return resources.files("kneeline.report").joinpath("templates", "report.css").read_text(encoding="utf-8")

def render_pdf(html: str) -> bytes:
    """Render ``html`` to PDF bytes with WeasyPrint.

    Raises
    ------
    KneelineError
        If WeasyPrint or the system libraries it needs (Pango) are missing.
    """
    try:
        from weasyprint import HTML
    except (ImportError, OSError) as exc:
        raise KneelineError(f"cannot make a PDF: WeasyPrint is not usable ({exc}). Install kneeline's "
                            "dependencies (pip install -e .) and Pango (apt-get install libpango-1.0-0 "
                            "libpangoft2-1.0-0), or write the report as .html.") from exc
    pdf = HTML(string=html, base_url=None).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def write_pdf(html: str, out: str | Path) -> Path:
    """Render ``html`` to a PDF file (see :func:`render_pdf`).

    Raises
    ------
    KneelineError
        If WeasyPrint is not usable or the file cannot be written.
    """
    path = Path(out)
    tmp = path.with_name(f".{path.name}.partial")
    try:
        tmp.write_bytes(render_pdf(html))
        tmp.replace(path)
    except OSError as exc:
        raise KneelineError(f"cannot write the report to {path}: {exc}. Check the folder exists and is "
                            "writable.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    return path

def write_report(out: str | Path, source: AnalysisSource, record: PatientRecord | None = None,
                 previous: AnalysisSource | None = None) -> Path:
    """Write the report to ``out``: PDF, or HTML when the name ends in ``.html``/``.htm``."""
    path = Path(out)
    html = render_html(report_context(source, record, previous))
    if path.suffix.lower() in (".html", ".htm"):
        try:
            path.write_text(html, encoding="utf-8")
        except OSError as exc:
            raise KneelineError(f"cannot write the report to {path}: {exc}.") from exc
        return path
    return write_pdf(html, path)

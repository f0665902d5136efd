"""A movement result in words a patient understands: each value with its meaning, and what to do next.

The web results page and ``kneeline analyze`` both show this; the exact numbers (mean ± SD, SDD,
sources) stay one step deeper for clinicians.  The meaning of each value comes from the same
findings the assessment uses (:func:`kneeline.assess.movement.movement_findings`, references in
``norms.yaml``); a value the capture gate withheld is said to be not measured, with the reason and
how to film it, never shown as a dash.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from kneeline.assess.movement import MovementFlags, movement_findings
from kneeline.assess.types import Finding, number, value_range
from kneeline.capture.gate import SETUP_ADVICE
from kneeline.evidence import load_sourced, value
from kneeline.report.result import AnalysisResult

__all__ = ["Status", "PlainMeasure", "NotMeasured", "PlainResult", "plain_result", "view_sentence",
           "MEASURE_NAMES", "UNIT_DEG", "degrees_text"]

UNIT_DEG = "°"
"""The one way kneeline writes degrees."""

_DEG_WORD = re.compile(r"(\d)\s*deg\b")


def degrees_text(text: object) -> str:
    """Text from the measurement core with "12 deg" written the one way kneeline writes it ("12°")."""
    return _DEG_WORD.sub(rf"\1{UNIT_DEG}", str(text))

Status = Literal["usual", "more", "less", "no_range", "differs"]
"""How a value compares: within the usual range, more or less than it, no usual range published, sides differ."""

MEASURE_NAMES: dict[str, str] = {
    "fppa_deg": "Knee angle (inward movement)",
    "fppa_left_deg": "Left knee angle (inward movement)",
    "fppa_right_deg": "Right knee angle (inward movement)",
    "pelvic_drop_deg": "Hip drop",
    "pelvic_drop_max_deg": "Largest hip drop",
    "pelvic_obliquity_deg": "Hip tilt",
    "trunk_lean_deg": "Upper-body lean",
    "depth": "Depth",
    "hold_s": "Time standing on one leg",
}
"""Human names of the result's measures (``result.json`` keys)."""

_VIEW_WORDS = {"frontal": "from the front", "oblique": "at an angle", "sagittal": "from the side",
               "unknown": "from a direction we could not work out"}
_STATUS_WORDS: dict[Status, str] = {"usual": "within the usual range", "more": "more than usual",
                                    "less": "less than usual", "no_range": "no usual range known",
                                    "differs": "sides differ"}


@dataclass(frozen=True)
class PlainMeasure:
    """One measured value in plain words.

    Attributes
    ----------
    title
        What was measured and on which side ("Right knee: inward movement").
    value
        The value with its unit, once ("12°", "28 s").
    status
        How it compares (:data:`Status`).
    meaning
        One or two sentences saying what the value means.
    """

    title: str
    value: str
    status: Status
    meaning: str

    @property
    def status_words(self) -> str:
        """The status as a short phrase ("within the usual range")."""
        return _STATUS_WORDS[self.status]


@dataclass(frozen=True)
class NotMeasured:
    """A measure the capture gate withheld: what, and why in plain words."""

    title: str
    reason: str


@dataclass(frozen=True)
class PlainResult:
    """A result in words: headline, view, measures, what was not measured, how to film, next steps.

    ``warnings``: the capture warnings other than the view's (those are said by ``not_measured`` and
    ``how_to_film``), e.g. two people in the picture or poor light.
    """

    count: int
    what: str
    view: str
    measures: list[PlainMeasure] = field(default_factory=list)
    not_measured: list[NotMeasured] = field(default_factory=list)
    how_to_film: list[str] = field(default_factory=list)
    next_steps: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def headline(self) -> str:
        """"We found 5 repetitions." (or none)."""
        return f"We found {self.count} {self.what}." if self.count else f"We found no {self.what} in this video."


def view_sentence(result: AnalysisResult) -> str:
    """How the video was filmed, with the view's uncertainty ("Filmed at an angle: ... 19° ± 5° ...")."""
    cap = result.capture
    where = _VIEW_WORDS.get(cap.view, cap.view)
    if cap.yaw_deg is None:
        return f"Filmed {where}."
    spread = f" ± {cap.yaw_uncertainty_deg:.0f}{UNIT_DEG}" if cap.yaw_uncertainty_deg is not None else ""
    return (f"Filmed {where}: your body was turned about {abs(cap.yaw_deg):.0f}{UNIT_DEG}{spread} "
            "from facing the camera (0° is straight on).")


def _deg(x: float, digits: int = 0) -> str:
    return f"{abs(x):.{digits}f}{UNIT_DEG}"


def _side(finding: Finding) -> str:
    return finding.side or "both"


def _fppa(f: Finding, lo_hi: str) -> PlainMeasure | None:
    assert f.value is not None
    side = _side(f)
    title = f"{side.capitalize()} knee: inward movement"
    if f.code == "fppa_above_healthy_range":
        return PlainMeasure(title, _deg(f.value), "more",
                            f"Your {side} knee moved inward more than most healthy people's ({lo_hi}).")
    if f.code == "fppa_within_healthy_range":
        return PlainMeasure(title, _deg(f.value), "usual",
                            f"Within the usual range of healthy people ({lo_hi}).")
    if f.code == "fppa_below_healthy_range":
        where = "inward" if f.value >= 0 else "outward"
        return PlainMeasure(title, _deg(f.value), "less",
                            f"Your {side} knee moved {where}, less inward than the usual range of healthy "
                            f"people ({lo_hi}).")
    if f.code == "fppa_squat":
        where = "inward" if f.value >= 0 else "outward"
        return PlainMeasure(title, _deg(f.value), "no_range",
                            f"Your {side} knee moved {where}. There is no usual range for the two-leg squat: "
                            "compare your two knees and your next videos.")
    return None


def _pelvis_trunk(f: Finding, notable: float, hold: float) -> PlainMeasure | None:
    assert f.value is not None
    side = _side(f)
    if f.code in ("pelvic_drop", "pelvic_drop_notable"):
        verb = "dropped" if f.value >= 0 else "rose"
        status: Status = "more" if f.code == "pelvic_drop_notable" else "no_range"
        amount = (f"more than the {notable:g}{UNIT_DEG} kneeline points out; hip exercises can help"
                  if status == "more" else "a little")
        return PlainMeasure(f"Standing on your {side} leg: hip drop", _deg(f.value, 1), status,
                            f"The other side of your hips {verb} {amount}. No usual range is published "
                            "for this test.")
    if f.code == "trunk_lean":
        towards = "towards" if f.value >= 0 else "away from"
        return PlainMeasure(f"Standing on your {side} leg: upper-body lean", _deg(f.value, 1), "no_range",
                            f"Your upper body leaned {towards} the standing leg. No usual range is published "
                            "for this test.")
    if f.code in ("stance_hold", "stance_hold_short"):
        short = f.code == "stance_hold_short"
        return PlainMeasure(f"Standing on your {side} leg", f"{f.value:.0f} s", "less" if short else "usual",
                            (f"Less than the {hold:g} s the test asks for. Pain can cut a hold short too."
                             if short else f"The test asks for {hold:g} s."))
    if f.code.endswith("_asymmetry") and f.code.startswith(("fppa", "pelvic")):
        what = "knees" if f.code.startswith("fppa") else "hips"
        return PlainMeasure(f"Left and right {what}", _deg(f.value, 1), "differs",
                            f"Your left and right {what} moved differently, by more than the measurement noise.")
    return None


def _fppa_range_text(sex: str) -> str:
    norms = load_sourced("norms.yaml")
    keys = {"female": ("fppa_healthy_landing_women_deg",), "male": ("fppa_healthy_landing_men_deg",)}
    names = keys.get(sex, ("fppa_healthy_landing_women_deg", "fppa_healthy_landing_men_deg"))
    bounds = [b for k in names for b in value_range(norms[k])]
    return f"usual: {min(bounds):g}–{max(bounds):g}{UNIT_DEG}"


def _measures(findings: list[Finding], sex: str) -> list[PlainMeasure]:
    norms = load_sourced("norms.yaml")
    notable, hold = number(norms["pelvic_drop_notable_deg"]), number(norms["trendelenburg_hold_s"])
    out: list[PlainMeasure] = []
    for f in findings:
        if f.topic != "movement" or f.value is None:
            continue
        made = _fppa(f, _fppa_range_text(sex)) if f.code.startswith("fppa_") and "asymmetry" not in f.code \
            else _pelvis_trunk(f, notable, hold)
        if made is None:  # gait and anything newer: the finding's own words
            unit = UNIT_DEG if f.unit == "deg" else f" {f.unit}".rstrip()
            digits = 1 if f.unit == "deg" else 2
            title = f.text.split(":")[0][:60] if ":" in f.text else "Walking"
            made = PlainMeasure(title, f"{f.value:.{digits}f}{unit}", "no_range", f.text)
        out.append(made)
    return out


_VIEW_SUFFIX = re.compile(r"\s*\(view about [^)]*\)\s*$")

_WITHHELD_TITLES: dict[str, str] = {
    "left knee angle (FPPA)": "Left knee: inward movement",
    "right knee angle (FPPA)": "Right knee: inward movement",
    "pelvic drop / obliquity": "Hip drop and tilt",
    "trunk lean": "Upper-body lean",
}
"""The capture gate's per-rep measure names (:mod:`kneeline.pipeline`) -> the names shown here."""

_PLAIN_REASONS: dict[str, str] = {
    "view": "you were turned too far from the camera in this video",
    "frame_view": "you or the camera turned during the repetition",
    "thigh": "your thigh pointed at the camera, so the knee's inward movement cannot be seen",
    "flexion": "with the knees bent this far it can only be measured when you face the camera more squarely",
}
"""Plain words for each reason code of :data:`kneeline.capture.shown.WITHHELD_REASONS`."""


def _summary_title(name: str, side_name: str) -> str:
    if name == "fppa_deg":
        return f"{side_name.capitalize()} knee: inward movement" if side_name != "both" else "Knee: inward movement"
    if name.startswith("pelvic_"):
        return "Hip drop and tilt"
    return MEASURE_NAMES.get(name, name.replace("_", " "))


def _plain_reason(why: str) -> str:
    from kneeline.capture.shown import WITHHELD_REASONS

    text = _VIEW_SUFFIX.sub("", why.strip())
    for code, gate_text in WITHHELD_REASONS.items():
        if text == gate_text:
            return _PLAIN_REASONS.get(code, text)
    return text or "it is not reliable from this angle"


def _not_measured(result: AnalysisResult) -> list[NotMeasured]:
    """Each withheld measure once, with its reason (per-rep reasons, then whole-video gaps)."""
    seen: dict[str, str] = {}
    for item in [w for r in result.reps for w in r.withheld] + [w for s in result.steps for w in s.withheld]:
        name, _, why = item.partition(":")
        title = _WITHHELD_TITLES.get(name.strip(), name.strip()[:1].upper() + name.strip()[1:])
        seen.setdefault(title, _plain_reason(why))
    for side_name in ("left", "right", "both"):
        side = getattr(result.summary, side_name)
        if side is None:
            continue
        for name, m in side.metrics.items():
            if m.mean is None and m.n == 0 and name != "depth":
                seen.setdefault(_summary_title(name, side_name), "it is not reliable from the angle this video "
                                                                 "was filmed at")
    return [NotMeasured(t, f"We could not measure this from this angle: {why}.") for t, why in seen.items()]


def _unjudged(result: AnalysisResult) -> list[PlainMeasure]:
    """Values measured but not compared with a reference (the view was not straight on)."""
    out: list[PlainMeasure] = []
    for side_name in ("left", "right", "both"):
        side = getattr(result.summary, side_name)
        if side is None:
            continue
        for name, m in side.metrics.items():
            if m.mean is None or name == "depth":
                continue
            unit = UNIT_DEG if m.unit == "deg" else f" {m.unit}"
            where = "" if side_name == "both" else f" ({side_name} leg)"
            title = _summary_title(name, side_name) if name == "fppa_deg" else MEASURE_NAMES.get(name, name)
            out.append(PlainMeasure(f"{title}{where}", f"{abs(m.mean):.1f}{unit}",
                                    "no_range", "Measured, but not compared with a usual range: the video was "
                                    "not filmed straight from the front."))
    return out


def _how_to_film(result: AnalysisResult, missing: bool) -> list[str]:
    cap = result.capture
    advice: list[str] = []
    if missing or cap.view != "frontal" or any(i.level == "refuse" for i in cap.issues):
        limit = float(value("capture.yaml", "fppa_yaw_withhold_deg"))
        advice.append(SETUP_ADVICE)
        advice.append(f"Face the phone straight on: knee angles are measured only when your body is turned "
                      f"less than {limit:g}{UNIT_DEG} from the camera.")
        advice.append("Stand so the phone sees your knees, not the side of your legs; keep to the same spot "
                      "for every repetition.")
    return advice


def _next_steps(result: AnalysisResult, measures: list[PlainMeasure], film: list[str]) -> list[str]:
    steps: list[str] = []
    if film:
        steps.append("Film this test again following the tips above, so every value can be measured.")
    if any(m.status in ("more", "differs") for m in measures):
        steps.append("Update your exercise program with this result: it adds or adjusts hip and knee exercises "
                     "for what was found.")
    elif measures:
        steps.append("Keep doing your exercise program.")
    steps.append("Film the same test again in 4 to 6 weeks to see whether anything changed; only a change larger "
                 "than the measurement noise counts.")
    steps.append("This is not a diagnosis. A physiotherapist can examine your knee.")
    return steps


def plain_result(result: AnalysisResult, sex: str = "unspecified", knee: str = "unspecified") -> PlainResult:
    """Say ``result`` in plain words.

    Parameters
    ----------
    result
        One ``result.json`` of ``kneeline analyze``.
    sex
        ``"female"`` / ``"male"`` picks the healthy reference range; anything else uses both.
    knee
        The painful knee (``"left"``, ``"right"``, ``"both"``), if known.
    """
    findings, _flags = movement_findings(result, sex, knee, MovementFlags())
    measures = _measures(findings, sex)
    missing = _not_measured(result)
    film = _how_to_film(result, bool(missing))
    count = len(result.steps) if result.test == "gait" else len(result.reps)
    what = {"gait": "steps", "single-leg-stance": "holds"}.get(result.test, "repetitions")
    if not any(f.topic == "movement" for f in findings):
        measures += _unjudged(result)
    view_messages = {i.message for i in result.capture.issues if i.code.startswith("view_")}
    warnings = [w for w in result.capture.warnings if w not in view_messages]  # the view: said in not_measured
    return PlainResult(warnings=warnings, count=count, what=what, view=view_sentence(result), measures=measures,
                       not_measured=missing, how_to_film=film, next_steps=_next_steps(result, measures, film))

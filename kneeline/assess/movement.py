"""Movement findings from one ``result.json`` of ``kneeline analyze``.

Reads ``summary.left/right/both.metrics`` (``fppa_deg``, ``pelvic_drop_deg``, ``trunk_lean_deg``,
``hold_s``, ``pelvic_drop_max_deg``, ``pelvic_obliquity_deg``), ``capture.view`` and the capture
issues.  Parts of the summary may be missing; whatever is there is used.  References and
measurement noise come from ``norms.yaml`` (``../shared/evidence.md`` §1-2).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from kneeline.assess.types import Finding, Leg, number, value_range
from kneeline.evidence import Sourced, load_sourced
from kneeline.report.result import AnalysisResult, MetricSummary, SideSummary

__all__ = ["MovementFlags", "movement_findings", "TEST_NAMES"]

TEST_NAMES: dict[str, str] = {"single-leg-squat": "single-leg squat", "squat": "squat",
                              "single-leg-stance": "single-leg stance", "gait": "walking/running"}
_LEGS: tuple[Leg, ...] = ("left", "right")
_FRONTAL_SOURCE = ("evidence.md §1 consequences: FPPA needs a frontal camera; oblique views gave large "
                   "errors in a measured phone video")


class MovementFlags(BaseModel):
    """Movement findings that change the program: side -> value."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    valgus: dict[Leg, float] = Field(default_factory=dict,
                                     description="FPPA mean above the healthy range (single-leg squat)")
    pelvic_drop: dict[Leg, float] = Field(default_factory=dict,
                                          description="Stance leg whose opposite pelvis dropped notably")

    def merged(self, valgus: dict[Leg, float], pelvic_drop: dict[Leg, float]) -> MovementFlags:
        """A new set of flags with the larger value per side."""
        def join(a: dict[Leg, float], b: dict[Leg, float]) -> dict[Leg, float]:
            return {k: max(v for v in (a.get(k), b.get(k)) if v is not None) for k in sorted({*a, *b})}
        return MovementFlags(valgus=join(self.valgus, valgus), pelvic_drop=join(self.pelvic_drop, pelvic_drop))


def _norm(key: str) -> Sourced:
    return load_sourced("norms.yaml")[key]


def _spread(m: MetricSummary, digits: int, unit: str = "°") -> str:
    mean = f"{m.mean:.{digits}f}{unit}"
    reps = f" over {m.n} reps" if m.n > 1 else " (1 rep)"
    return (f"{mean} ± {m.sd:.{digits}f}{unit}" if m.sd is not None else mean) + reps


def _metric(summary: SideSummary | None, name: str) -> tuple[MetricSummary, float] | None:
    """The metric and its mean, or None when the summary lacks it or it has no value."""
    if summary is None:
        return None
    m = summary.metrics.get(name)
    return (m, float(m.mean)) if m is not None and m.mean is not None and m.n > 0 else None


def _painful(side: Leg, knee: str) -> str:
    return " This is your painful side." if knee in (side, "both") else ""


def _fppa_reference(sex: str) -> tuple[float, float, str, list[str]]:
    """Healthy range (lo, hi), the reference text and its sources for ``sex``."""
    women, men = _norm("fppa_healthy_landing_women_deg"), _norm("fppa_healthy_landing_men_deg")
    hw, pw = _norm("fppa_sls_healthy_women_mean_deg"), _norm("fppa_sls_pfp_women_mean_deg")
    w_lo, w_hi = value_range(women)
    m_lo, m_hi = value_range(men)
    women_text = (f"healthy women {w_lo:g}–{w_hi:g}° in single-leg landing; in the single-leg squat healthy "
                  f"women averaged {hw.value}°, women with patellofemoral pain {pw.value}°")
    men_text = f"healthy men {m_lo:g}–{m_hi:g}° in single-leg landing; no single-leg-squat values for men were found"
    if sex == "female":
        return w_lo, w_hi, women_text, [women.source, hw.source, pw.source]
    if sex == "male":
        return m_lo, m_hi, men_text, [men.source]
    return min(w_lo, m_lo), max(w_hi, m_hi), f"{women_text}; {men_text}", [women.source, men.source, hw.source]


def _fppa_sls(side: Leg, m: MetricSummary, mean: float, sex: str, knee: str) -> Finding:
    lo, hi, ref, sources = _fppa_reference(sex)
    sdd = m.sdd if m.sdd is not None else number(_norm("fppa_sdd_deg"))
    if mean > hi:
        code, phrase = "fppa_above_healthy_range", "moves inward more than in most healthy people"
    elif mean < lo:
        code, phrase = "fppa_below_healthy_range", "moves inward less than the healthy range"
    else:
        code, phrase = "fppa_within_healthy_range", "stays within the healthy range"
    return Finding(
        code=code, topic="movement", side=side, test="single-leg-squat", value=mean, spread=m.sd, unit="deg",
        n=m.n, reference=ref, sources=[*sources, _norm("fppa_sdd_deg").source],
        text=(f"{side.capitalize()} knee {phrase} in the single-leg squat: FPPA {_spread(m, 0)} ({ref})."
              f"{_painful(side, knee)}"),
        uncertainty=(f"± is the spread over reps. There is no diagnostic cut-off; between sessions only a change "
                     f"larger than about {sdd:g}° counts, and joints found by pose estimation only approximate "
                     "the skin markers the published values used."))


def _pelvic_drop(side: Leg, m: MetricSummary, mean: float, test: str, during: str) -> tuple[Finding, bool]:
    sdd = m.sdd if m.sdd is not None else number(_norm("pelvic_drop_sdd_deg"))
    notable = mean > number(_norm("pelvic_drop_notable_deg"))
    verb = "dropped" if mean >= 0 else "rose"
    value_text = _spread(m.model_copy(update={"mean": abs(mean)}), 1)
    return Finding(
        code="pelvic_drop_notable" if notable else "pelvic_drop", topic="movement", side=side, test=test,
        value=mean, spread=m.sd, unit="deg", n=m.n,
        reference=f"nearest reference: measurement noise of pelvic drop in running, {sdd:g}°",
        sources=[_norm("pelvic_drop_sdd_deg").source, _norm("pelvic_drop_notable_deg").source],
        provisional=True,
        text=(f"Standing on the {side} leg ({during}), the other side of the pelvis {verb} {value_text}. "
              "No published norm exists for this test."),
        uncertainty=(f"The nearest reference is the smallest detectable difference of pelvic drop in running, "
                     f"{sdd:g}° (a different task)."),
    ), notable


def _trunk_lean(side: Leg, m: MetricSummary, mean: float, test: str) -> Finding:
    sdd = _norm("trunk_lean_sdd_deg")
    towards = "towards" if mean >= 0 else "away from"
    return Finding(
        code="trunk_lean", topic="movement", side=side, test=test, value=mean, spread=m.sd, unit="deg", n=m.n,
        text=(f"Standing on the {side} leg, the trunk leaned {towards} the standing leg: "
              f"{_spread(m.model_copy(update={'mean': abs(mean)}), 1)}. No published norm exists for this test."),
        reference="nearest reference: measurement noise of trunk lean in running",
        uncertainty=f"Smallest detectable difference in running {sdd.value}° (a different task).",
        sources=[sdd.source], provisional=True)


def _asymmetry(result: AnalysisResult, metric: str, label: str) -> list[Finding]:
    asym = result.summary.asymmetry.get(metric)
    if asym is None or asym.difference is None or not asym.exceeds_sdd:
        return []
    return [Finding(code=f"{metric}_asymmetry", topic="movement", test=result.test, value=asym.difference,
                    unit="deg", text=(f"{label} differs between legs: left minus right {asym.difference:+.1f}°, "
                                      "more than the measurement noise."),
                    sources=[_norm("fppa_sdd_deg" if metric == "fppa_deg" else "pelvic_drop_sdd_deg").source])]


def _single_leg_squat(result: AnalysisResult, sex: str, knee: str
                      ) -> tuple[list[Finding], dict[Leg, float], dict[Leg, float]]:
    out: list[Finding] = []
    valgus: dict[Leg, float] = {}
    drops: dict[Leg, float] = {}
    for side in _LEGS:
        summary = getattr(result.summary, side)
        if (got := _metric(summary, "fppa_deg")) is not None:
            finding = _fppa_sls(side, *got, sex, knee)
            out.append(finding)
            if finding.code == "fppa_above_healthy_range":
                valgus[side] = got[1]
        if (got := _metric(summary, "pelvic_drop_deg")) is not None:
            finding, notable = _pelvic_drop(side, *got, result.test, "single-leg squat")
            out.append(finding)
            if notable:
                drops[side] = got[1]
        if (got := _metric(summary, "trunk_lean_deg")) is not None:
            out.append(_trunk_lean(side, *got, result.test))
    out += _asymmetry(result, "fppa_deg", "Knee angle (FPPA)") + _asymmetry(result, "pelvic_drop_deg", "Pelvic drop")
    return out, valgus, drops


def _squat(result: AnalysisResult, knee: str) -> list[Finding]:
    out: list[Finding] = []
    sdd = _norm("fppa_sdd_deg")
    for side in _LEGS:
        if (got := _metric(getattr(result.summary, side), "fppa_deg")) is not None:
            m = got[0]
            out.append(Finding(
                code="fppa_squat", topic="movement", side=side, test="squat", value=got[1], spread=m.sd,
                unit="deg", n=m.n, sources=[sdd.source],
                text=(f"{side.capitalize()} knee FPPA at the bottom of the squat: {_spread(m, 0)}. No published "
                      "healthy range exists for the double-leg squat; compare sides and sessions."
                      f"{_painful(side, knee)}"),
                uncertainty=f"Between sessions only a change larger than about {sdd.value}° counts."))
    return out + _asymmetry(result, "fppa_deg", "Knee angle (FPPA)")


def _stance(result: AnalysisResult) -> tuple[list[Finding], dict[Leg, float]]:
    out: list[Finding] = []
    drops: dict[Leg, float] = {}
    hold = _norm("trendelenburg_hold_s")
    for side in _LEGS:
        summary = getattr(result.summary, side)
        if (got := _metric(summary, "hold_s")) is not None:
            m, mean = got
            short = mean < number(hold)
            rel = f"less than the {hold.value} s" if short else f"the Trendelenburg test asks for {hold.value} s"
            out.append(Finding(code="stance_hold_short" if short else "stance_hold", topic="movement", side=side,
                               test=result.test, value=mean, unit="s", n=m.n, sources=[hold.source],
                               text=f"Stood on the {side} leg for {_spread(m, 0, ' s')} ({rel}).",
                               uncertainty=("Pain can cut a hold short, which the test cannot tell apart "
                                            "from weakness.")))
        if (got := _metric(summary, "pelvic_drop_max_deg")) is not None:
            finding, notable = _pelvic_drop(side, *got, result.test, "largest drop during the hold")
            out.append(finding)
            if notable:
                drops[side] = got[1]
    return out, drops


def movement_findings(result: AnalysisResult, sex: str, knee: str, flags: MovementFlags
                      ) -> tuple[list[Finding], MovementFlags]:
    """Findings of one analysis result and the flags updated with them (``flags`` is not changed).

    Nothing is stated when the capture gate refused the video; frontal-plane values are not stated
    when the view is not frontal, and the finding says why.
    """
    name = TEST_NAMES.get(result.test, result.test)
    refused = [i.message for i in result.capture.issues if i.level == "refuse"]
    if refused:
        return [Finding(code="capture_refused", topic="capture", test=result.test,
                        text=f"Values of the {name} video were withheld, so none are stated here: "
                             f"{' '.join(refused)}",
                        sources=[_FRONTAL_SOURCE])], flags
    notes = [Finding(code="capture_warning", topic="capture", test=result.test, text=w)
             for w in result.capture.warnings]
    if result.capture.view != "frontal":
        yaw = result.capture.yaw_deg
        angle = f", about {abs(yaw):.0f}° turned from the camera" if yaw is not None else ""
        return [Finding(code="frontal_view_needed", topic="capture", test=result.test, sources=[_FRONTAL_SOURCE],
                        text=(f"The {name} was not filmed from the front (camera view: {result.capture.view}"
                              f"{angle}). Knee angle (FPPA), "
                              "pelvic drop and trunk lean are only stated from a camera straight in front, so none "
                              "are given here; film it again facing the camera."))] + notes, flags
    if result.test == "gait":  # its own wording (kneeline/assess/gait_findings.py); no program flags
        from kneeline.assess.gait_findings import gait_findings

        return gait_findings(result) + notes, flags
    if result.test == "single-leg-squat":
        found, valgus, drops = _single_leg_squat(result, sex, knee)
        return found + notes, flags.merged(valgus, drops)
    if result.test == "single-leg-stance":
        found, drops = _stance(result)
        return found + notes, flags.merged({}, drops)
    return _squat(result, knee) + notes, flags

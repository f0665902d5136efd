"""Hand-made intakes and analysis results for the assessment and program tests.

Each builder says what it contains.  Results are built through the real ``AnalysisResult`` model, so
a fixture that does not validate fails here, not later.
"""

from __future__ import annotations

from typing import Any

from kneeline.assess.intake import Intake, RedFlagAnswers
from kneeline.report.result import (
    AnalysisResult,
    Asymmetry,
    Capture,
    CaptureIssue,
    MetricSummary,
    Provenance,
    SideSummary,
    Summary,
    VideoMeta,
)

NO_FLAGS: dict[str, bool] = dict.fromkeys(RedFlagAnswers.model_fields, False)

AKPS_BEST: dict[str, str] = {
    "limp": "none", "support": "full_without_pain", "walking": "unlimited", "stairs": "no_difficulty",
    "squatting": "no_difficulty", "running": "no_difficulty", "jumping": "no_difficulty",
    "prolonged_sitting": "no_difficulty", "pain": "none", "swelling": "none", "kneecap_movements": "none",
    "thigh_atrophy": "none", "flexion_deficit": "none",
}
AKPS_WORST: dict[str, str] = {
    "limp": "constant", "support": "impossible", "walking": "unable", "stairs": "unable",
    "squatting": "unable", "running": "unable", "jumping": "unable", "prolonged_sitting": "unable",
    "pain": "constant_severe", "swelling": "constant", "kneecap_movements": "more_than_two_dislocations",
    "thigh_atrophy": "severe", "flexion_deficit": "severe",
}


def intake_dict(**overrides: Any) -> dict[str, Any]:
    """A typical patellofemoral-pain-like intake (34-year-old woman, right knee, no red flags) as JSON data."""
    data: dict[str, Any] = {
        "age": 34, "sex": "female", "knee": "right", "pain_locations": ["front"],
        "aggravating": ["stairs", "squatting"], "pain_now": 3, "pain_worst_week": 5,
        "duration_weeks": 12, "recent_injury": False, "pregnancy": "no", "red_flags": dict(NO_FLAGS),
    }
    flags = overrides.pop("flags", {})
    data.update(overrides)
    data["red_flags"] = {**data["red_flags"], **flags}
    return data


def make_intake(**overrides: Any) -> Intake:
    """:func:`intake_dict` validated as an :class:`Intake`."""
    return Intake.model_validate(intake_dict(**overrides))


def metric(mean: float | None, sd: float | None = 2.0, n: int = 5, sdd: float | None = None,
           unit: str = "deg") -> MetricSummary:
    """A metric summary over ``n`` reps."""
    return MetricSummary(mean=mean, sd=sd, n=n if mean is not None else 0, unit=unit, sdd=sdd)


def make_result(test: str = "single-leg-squat", view: str = "frontal", yaw: float | None = 3.0,
                left: dict[str, MetricSummary] | None = None, right: dict[str, MetricSummary] | None = None,
                asymmetry: dict[str, Asymmetry] | None = None, refuse: bool = False,
                warnings: list[str] | None = None, notes: str = "") -> AnalysisResult:
    """An analysis result with the given per-side metrics (None side = not in the summary)."""
    refusal = CaptureIssue(code="view_oblique", level="refuse",
                           message="The camera is at an angle; film from the front.")
    issues = [refusal] if refuse else []
    return AnalysisResult(
        kneeline_version="0.1.0", test=test,  # type: ignore[arg-type]
        video=VideoMeta(path="clip.mp4", fps=30.0, frames=300, width=1080, height=1920, duration_s=10.0),
        capture=Capture(view=view, yaw_deg=yaw, warnings=warnings or [], issues=issues),  # type: ignore[arg-type]
        reps=[],
        summary=Summary(left=SideSummary(reps=5, metrics=left) if left is not None else None,
                        right=SideSummary(reps=5, metrics=right) if right is not None else None,
                        asymmetry=asymmetry or {}),
        provenance=Provenance(model="test", settings={}, input_sha256="0" * 64, kneeline_version="0.1.0",
                              created_utc="2025-01-01T00:00:00Z"),
        notes=[notes] if notes else [],
    )


def sls_result(right_fppa: float = 17.0, left_fppa: float = 8.0, right_drop: float = 1.0,
               left_drop: float = 1.0, **kwargs: Any) -> AnalysisResult:
    """Frontal single-leg squats on both legs: FPPA and pelvic drop per stance leg, trunk lean small."""
    return make_result(
        left={"fppa_deg": metric(left_fppa), "pelvic_drop_deg": metric(left_drop, 1.0),
              "trunk_lean_deg": metric(1.0, 0.5)},
        right={"fppa_deg": metric(right_fppa, 3.0), "pelvic_drop_deg": metric(right_drop, 1.0),
               "trunk_lean_deg": metric(1.5, 0.5)},
        notes="synthetic: single-leg squats, right knee moving inward", **kwargs)

"""The result in plain words: each value with its meaning, withheld values said plainly, units once."""

from __future__ import annotations

from kneeline.movements.summary import build_summary
from kneeline.report.plain import plain_result
from kneeline.report.result import AnalysisResult, Capture, Rep
from kneeline.report.tables import rep_table, summary_table
from tests.report._factories import make_result

_WHY = "the camera view of the whole video is past this value's limit (view about 19 deg)"
_WITHHELD = [f"left knee angle (FPPA): {_WHY}", f"right knee angle (FPPA): {_WHY}"]


def _single_leg_squat(fppa: float) -> AnalysisResult:
    """Three left single-leg squats filmed from the front, knee ``fppa``° inward, pelvis 1° dropped."""
    reps = [Rep(index=i, side="left", start_s=i, bottom_s=i + 0.5, end_s=i + 1, fppa_left_deg=fppa,
                pelvic_drop_deg=1.0, trunk_lean_deg=-2.0) for i in range(1, 4)]
    summary = build_summary(reps, [], {"fppa_deg": "fppa_left_deg", "pelvic_drop_deg": "pelvic_drop_deg",
                                       "trunk_lean_deg": "trunk_lean_deg"}, {})
    return make_result("single-leg-squat", reps=reps).model_copy(update={"summary": summary})


def _oblique_squat() -> AnalysisResult:
    """Three squats filmed about 19° ± 4° off frontal: both knee angles withheld in every rep."""
    reps = [Rep(index=i, side="both", start_s=i, bottom_s=i + 0.5, end_s=i + 1, depth=0.3, withheld=_WITHHELD)
            for i in range(1, 4)]
    summary = build_summary(reps, reps, {"fppa_deg": "fppa_left_deg"}, {"fppa_deg": "fppa_right_deg"},
                            both_reps=reps, both_fields={"depth": "depth"})
    capture = Capture(view="oblique", yaw_deg=19.2, yaw_uncertainty_deg=4.0)
    return make_result("squat", reps=reps).model_copy(update={"summary": summary, "capture": capture})


def test_knee_above_the_healthy_range_is_said_in_words() -> None:
    plain = plain_result(_single_leg_squat(20.0), "female", "left")
    knee = plain.measures[0]
    assert knee.title == "Left knee: inward movement" and knee.value == "20°" and knee.status == "more"
    assert "moved inward more than most healthy people's" in knee.meaning
    assert plain.headline == "We found 3 repetitions."
    assert any("Update your exercise program" in s for s in plain.next_steps)


def test_knee_within_the_healthy_range_is_usual() -> None:
    plain = plain_result(_single_leg_squat(8.0), "female", "left")
    assert plain.measures[0].status == "usual" and "usual range" in plain.measures[0].meaning
    assert not plain.not_measured and not plain.how_to_film


def test_withheld_values_are_named_with_the_reason_and_how_to_film() -> None:
    plain = plain_result(_oblique_squat())
    titles = [n.title for n in plain.not_measured]
    assert titles == ["Left knee: inward movement", "Right knee: inward movement"]
    assert all("could not measure this from this angle" in n.reason for n in plain.not_measured)
    assert "19° ± 4°" in plain.view and "at an angle" in plain.view
    assert any("less than 8°" in t for t in plain.how_to_film)
    assert plain.next_steps[0].startswith("Film this test again")


def test_tables_leave_out_columns_nobody_has_and_never_show_dashes() -> None:
    result = _oblique_squat()
    reps = rep_table(result)
    assert reps.headers == ["#", "Leg", "Bottom", "Depth"]
    summary = summary_table(result)
    cells = [c for row in reps.rows + summary.rows for c in row]
    assert "-" not in cells and "—" not in cells
    assert any(c == "not measured from this view" for c in cells)


def test_degrees_are_written_one_way() -> None:
    text = str(plain_result(_single_leg_squat(20.0), "female", "left")) + str(summary_table(_single_leg_squat(20.0)))
    assert " deg" not in text and "(FPPA))" not in text and "°" in text

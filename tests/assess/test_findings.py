"""Findings from intake and result.json: norms by sex, view and capture gate, partial summaries, pattern."""

from __future__ import annotations

import pytest

from kneeline.assess.findings import assess, suggest_pattern
from kneeline.report.result import AnalysisResult, Asymmetry
from tests.assess.builders import make_intake, make_result, metric, sls_result


def _codes(result: AnalysisResult, sex: str = "female") -> list[str]:
    return [f.code for f in assess(make_intake(sex=sex), [result]).findings if f.topic in ("movement", "capture")]


def test_fppa_above_healthy_range_states_value_spread_and_norms() -> None:
    a = assess(make_intake(), [sls_result(right_fppa=17.0)])
    right = next(f for f in a.findings if f.code == "fppa_above_healthy_range")
    assert right.side == "right"
    assert right.text.startswith("Right knee moves inward more than in most healthy people in the single-leg squat: "
                                 "FPPA 17° ± 3° over 5 reps (healthy women 5–12°")
    assert "16.8" in right.text and "8.4" in right.text
    assert "no diagnostic cut-off" in right.uncertainty and "8°" in right.uncertainty
    assert any("Herrington" in s for s in right.sources)
    assert "painful side" in right.text
    assert a.movement.valgus == {"right": 17.0}
    left = next(f for f in a.findings if f.side == "left" and f.code.startswith("fppa"))
    assert left.code == "fppa_within_healthy_range"


@pytest.mark.parametrize(("sex", "fppa", "code"), [
    ("female", 12.0, "fppa_within_healthy_range"),
    ("female", 12.5, "fppa_above_healthy_range"),
    ("male", 9.5, "fppa_above_healthy_range"),
    ("male", 9.0, "fppa_within_healthy_range"),
    ("male", 0.5, "fppa_below_healthy_range"),
    ("other", 11.0, "fppa_within_healthy_range"),
])
def test_fppa_compared_with_sex_specific_range(sex: str, fppa: float, code: str) -> None:
    assert code in _codes(sls_result(right_fppa=fppa), sex=sex)


def test_men_get_the_male_range_and_no_pfp_mean() -> None:
    a = assess(make_intake(sex="male"), [sls_result(right_fppa=15.0)])
    text = next(f.text for f in a.findings if f.code == "fppa_above_healthy_range")
    assert "healthy men 1–9°" in text and "16.8" not in text


def test_oblique_view_states_no_frontal_values_and_says_why() -> None:
    a = assess(make_intake(), [sls_result(view="oblique", yaw=19.0)])
    codes = [f.code for f in a.findings]
    assert "frontal_view_needed" in codes
    assert not any(c.startswith("fppa") or c.startswith("pelvic") for c in codes)
    text = next(f.text for f in a.findings if f.code == "frontal_view_needed")
    assert "not filmed from the front (camera view: oblique, about 19° turned" in text
    assert "camera straight in front" in text
    assert a.movement.valgus == {}


def test_refused_capture_states_nothing_but_why() -> None:
    a = assess(make_intake(), [sls_result(refuse=True)])
    movement = [f for f in a.findings if f.topic in ("movement", "capture")]
    assert [f.code for f in movement] == ["capture_refused"]
    assert "film from the front" in movement[0].text


def test_partial_summary_is_accepted() -> None:
    only_left = make_result(left={"fppa_deg": metric(20.0)}, right=None)
    a = assess(make_intake(), [only_left])
    assert [f.side for f in a.findings if f.code.startswith("fppa")] == ["left"]
    empty = make_result(left=None, right=None)
    assert [f.topic for f in assess(make_intake(), [empty]).findings] == ["symptoms", "symptoms"]
    no_mean = make_result(left={"fppa_deg": metric(None)}, right={})
    assert not [f for f in assess(make_intake(), [no_mean]).findings if f.topic == "movement"]


def test_pelvic_drop_flag_and_asymmetry() -> None:
    result = sls_result(right_drop=5.0, left_drop=0.5,
                        asymmetry={"pelvic_drop_deg": Asymmetry(difference=-4.5, exceeds_sdd=True)})
    a = assess(make_intake(), [result])
    drop = next(f for f in a.findings if f.code == "pelvic_drop_notable")
    assert drop.side == "right" and "No published norm" in drop.text and drop.provisional
    assert "running" in drop.uncertainty
    assert a.movement.pelvic_drop == {"right": 5.0}
    assert any(f.code == "pelvic_drop_deg_asymmetry" for f in a.findings)


def test_capture_warnings_are_passed_on() -> None:
    a = assess(make_intake(), [sls_result(warnings=["Low light: landmarks were less certain."])])
    assert any(f.code == "capture_warning" and "Low light" in f.text for f in a.findings)


def test_single_leg_stance_hold_against_trendelenburg_time() -> None:
    result = make_result(test="single-leg-stance",
                         left={"hold_s": metric(31.0, 1.0, 2, unit="s"), "pelvic_drop_max_deg": metric(1.0)},
                         right={"hold_s": metric(12.0, 4.0, 2, unit="s"), "pelvic_drop_max_deg": metric(6.0)})
    a = assess(make_intake(), [result])
    codes = {(f.side, f.code) for f in a.findings}
    assert ("left", "stance_hold") in codes and ("right", "stance_hold_short") in codes
    assert a.movement.pelvic_drop == {"right": 6.0}


def test_double_leg_squat_has_no_norm_and_no_flag() -> None:
    result = make_result(test="squat", left={"fppa_deg": metric(20.0)}, right={"fppa_deg": metric(18.0)})
    a = assess(make_intake(), [result])
    texts = [f.text for f in a.findings if f.code == "fppa_squat"]
    assert len(texts) == 2 and all("No published healthy range" in t for t in texts)
    assert a.movement.valgus == {}


def test_several_results_merge_flags() -> None:
    a = assess(make_intake(), [sls_result(right_fppa=15.0), sls_result(right_fppa=18.0, left_fppa=14.0)])
    assert a.movement.valgus == {"left": 14.0, "right": 18.0}


@pytest.mark.parametrize(("locations", "aggravating", "injury", "pattern"), [
    (["front"], ["stairs"], False, "pfp-like"),
    (["front", "inside"], ["sitting"], False, "pfp-like"),
    (["outside"], ["running"], False, "itb-like"),
    (["outside"], ["running", "walking"], False, "itb-like"),
    (["front", "outside"], ["running", "squatting"], False, "unclear"),  # both
    (["back"], ["walking"], False, "unclear"),  # neither
    (["front"], ["running"], False, "unclear"),
    (["outside"], ["stairs"], False, "unclear"),
    (["front"], ["squatting"], True, "unclear"),  # began with an injury
    ([], [], False, "unclear"),
])
def test_pattern_suggestion(locations: list[str], aggravating: list[str], injury: bool, pattern: str) -> None:
    p = suggest_pattern(make_intake(pain_locations=locations, aggravating=aggravating, recent_injury=injury))
    assert p.pattern == pattern
    assert "not a diagnosis" in p.disclaimer and "physiotherapist" in p.disclaimer
    assert p.reasons


def test_outcome_scores_become_findings() -> None:
    from kneeline.assess.intake import intake_scores
    from tests.assess.builders import AKPS_BEST

    intake = make_intake(akps=AKPS_BEST, koos_pf={"pf1": 1, "pf2": 1, "pf3": 1, "pf4": 1, "pf5": 1, "pf6": 1})
    a = assess(intake, [], intake_scores(intake))
    texts = {f.code: f.text for f in a.findings}
    assert texts["akps"].startswith("AKPS (Kujala) 100/100") and "10 points" in texts["akps"]
    assert texts["koos_pf"].startswith("KOOS-PF 75/100 from 6 of 11 items") and "16.4" in texts["koos_pf"]

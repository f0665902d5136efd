"""Clinical vignettes through the whole library path: intake (+ videos) -> referral or program.

Each vignette is a short description of a person; the expectations follow ../shared/evidence.md:
red flags refer with no program (§6), patterns are information (§4), programs are combined
hip-and-knee, hip first, 2-4 sets of >= 10 reps, 6 weeks, 3 sessions a week (§4).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pytest

from kneeline.assess.redflags import load_red_flags
from kneeline.errors import ValidationError
from kneeline.program.plan import ProgramResponse, build_program
from kneeline.report.result import AnalysisResult
from tests.assess.builders import AKPS_BEST, make_intake, make_result, metric, sls_result


@dataclass(frozen=True)
class Referred:
    """A vignette that must be referred with no program."""

    story: str
    intake: dict[str, Any]
    urgency: str


REFERRED = [
    Referred("28-year-old footballer, twisted the knee yesterday, cannot take 4 steps",
             {"age": 28, "recent_injury": True, "flags": {"cannot_walk_4_steps": True}}, "x-ray"),
    Referred("60-year-old woman who fell on her knee last week, nothing else",
             {"age": 60, "recent_injury": True}, "x-ray"),
    Referred("45-year-old man, knee hot, red and swollen, with a fever",
             {"age": 45, "sex": "male", "flags": {"hot_red_swollen_with_fever": True}}, "emergency"),
    Referred("35-year-old woman with a painful swollen calf after a long flight",
             {"flags": {"calf_pain_swelling": True}}, "same-day"),
    Referred("12-year-old with knee pain and a limp",
             {"age": 12, "flags": {"child_with_limp": True}}, "same-day"),
    Referred("52-year-old man, pain wakes him at night, lost weight without trying",
             {"age": 52, "sex": "male", "flags": {"night_or_constant_pain": True, "unexplained_weight_loss": True}},
             "urgent"),
    Referred("40-year-old woman, an hour of morning stiffness and swollen fingers too",
             {"age": 40, "flags": {"morning_stiffness_over_30min": True, "several_swollen_joints": True}},
             "rheumatology"),
    Referred("23-year-old basketball player whose kneecap popped out",
             {"age": 23, "flags": {"kneecap_dislocation": True}}, "urgent"),
    Referred("31-year-old whose knee locks on stairs", {"flags": {"locking": True}}, "urgent"),
    Referred("Runner whose knee gives way on descents", {"flags": {"giving_way": True}}, "urgent"),
    Referred("After a fall, cannot bend the knee to a right angle",
             {"recent_injury": True, "flags": {"cannot_bend_90": True}}, "x-ray"),
    # issue 12: lost circulation is an emergency (ESVS 2020); numbness alone is urgent (evidence.md §6)
    Referred("After a knee injury the foot is cold and pale", {"flags": {"foot_cold_pale_or_blue": True}}, "emergency"),
    Referred("Tingling in the foot, foot warm and pink", {"flags": {"foot_numb_or_tingling": True}}, "urgent"),
    # a hot swollen joint is septic until proven otherwise, even without fever (Coakley 2006)
    Referred("58-year-old man, hot red swollen knee overnight, no fever",
             {"age": 58, "sex": "male", "flags": {"hot_red_swollen_no_fever": True}}, "same-day"),
    Referred("6-year-old with knee pain, no warning signs", {"age": 6, "pain_now": 2, "pain_worst_week": 3},
             "routine"),
    Referred("Arthroscopy 6 weeks ago", {"flags": {"recent_knee_procedure": True}}, "own-clinician"),
    Referred("Pain 9/10 at rest, no warning signs", {"pain_now": 9, "pain_worst_week": 10}, "urgent"),
]


@pytest.mark.parametrize("case", REFERRED, ids=[c.story for c in REFERRED])
def test_referred_vignettes_get_no_program(case: Referred) -> None:
    response = build_program(make_intake(**case.intake))
    assert response.status == "referred"
    assert response.program is None and response.findings == []
    assert response.referral is not None and response.referral.urgency == case.urgency


@pytest.mark.parametrize("flag", [f.id for f in load_red_flags().flags])
def test_every_red_flag_alone_gives_referred_and_no_program(flag: str) -> None:
    after_injury = next(f for f in load_red_flags().flags if f.id == flag).after_injury_only
    response = build_program(make_intake(flags={flag: True}, recent_injury=after_injury),
                             [sls_result()])
    payload = json.loads(response.model_dump_json())
    assert payload["status"] == "referred" and payload["program"] is None
    assert payload["referral"]["reasons"][0]["flag"] == flag


@dataclass(frozen=True)
class Programmed:
    """A vignette that gets a program."""

    story: str
    intake: dict[str, Any]
    results: list[AnalysisResult] = field(default_factory=list)
    pattern: str = "pfp-like"
    band: str = "moderate"
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()


PROGRAMMED = [
    Programmed("Typical PFP: 24-year-old woman runner, front-of-knee pain on stairs and squats, right knee "
               "moves inward in single-leg squats",
               {"age": 24, "aggravating": ["stairs", "squatting", "running"], "pain_now": 3},
               [sls_result(right_fppa=17.0)],
               includes=("lateral-step-down", "knee-alignment-drill", "clamshell", "wall-sit"),
               excludes=("step-up", "pistol-squat")),
    Programmed("PFP with high pain: 30-year-old woman, pain 7/10 at rest, sitting hurts",
               {"pain_now": 7, "pain_worst_week": 8, "aggravating": ["sitting", "stairs"]}, band="low",
               includes=("clamshell", "isometric-standing-abduction", "quad-set", "wall-sit"),
               excludes=("step-up", "lateral-step-down", "squat", "hip-hike")),
    Programmed("PFP with little pain: 19-year-old, pain 1/10, squats hurt at the end of training",
               {"age": 19, "pain_now": 1, "aggravating": ["squatting"]}, band="standard",
               includes=("clamshell-band", "standing-hip-abduction", "hip-hike", "single-leg-bridge", "squat",
                         "step-up"),
               excludes=("wall-sit", "quad-set")),
    Programmed("ITB-like: 30-year-old male runner, outside-of-knee pain after 5 km",
               {"sex": "male", "pain_locations": ["outside"], "aggravating": ["running"], "pain_now": 2},
               pattern="itb-like", band="standard", includes=("side-lying-hip-abduction", "itb-stretch")),
    Programmed("ITB-like with pelvic drop on video: 35-year-old woman trail runner",
               {"pain_locations": ["outside"], "aggravating": ["running", "walking"], "pain_now": 4},
               [sls_result(right_fppa=10.0, right_drop=5.0)], pattern="itb-like",
               includes=("side-lying-hip-abduction", "hip-hike", "itb-stretch"), excludes=("knee-alignment-drill",)),
    Programmed("Unclear: 50-year-old man, back-of-knee ache when walking",
               {"age": 50, "sex": "male", "pain_locations": ["back"], "aggravating": ["walking"]}, pattern="unclear"),
    Programmed("Unclear: front and outside pain with running and squatting",
               {"pain_locations": ["front", "outside"], "aggravating": ["running", "squatting"]}, pattern="unclear"),
    Programmed("Unclear: began with a minor twist 3 weeks ago, no red flags, age 40",
               {"age": 40, "recent_injury": True, "duration_weeks": 3}, pattern="unclear"),
    Programmed("63-year-old without injury, front-of-knee pain on stairs (Ottawa age does not apply)",
               {"age": 63, "aggravating": ["stairs"], "pain_now": 5}),
    Programmed("Both knees, both move inward in single-leg squats",
               {"knee": "both"}, [sls_result(right_fppa=16.0, left_fppa=15.0)],
               includes=("lateral-step-down", "knee-alignment-drill")),
    Programmed("Filmed at an angle: no knee-angle findings, no video cues",
               {}, [sls_result(view="oblique", yaw=25.0)], excludes=("knee-alignment-drill", "lateral-step-down")),
    Programmed("Capture refused: nothing measured", {}, [sls_result(refuse=True)], excludes=("knee-alignment-drill",)),
    Programmed("Pain exactly at the acceptable edge (5/10) starts at the moderate level", {"pain_now": 5}),
    Programmed("Pain just above the acceptable edge (6/10) starts low", {"pain_now": 6}, band="low"),
    Programmed("Pain exactly at the safe edge (2/10) starts at the standard level", {"pain_now": 2}, band="standard"),
    Programmed("Pain 2/10 now but 7/10 at worst this week starts no higher than moderate",
               {"pain_now": 2, "pain_worst_week": 7}, band="moderate"),
    Programmed("High pain with pelvic drop on video keeps a single-leg stance",
               {"pain_now": 7, "pain_worst_week": 7}, [sls_result(right_fppa=9.0, right_drop=4.0)], band="low",
               includes=("single-leg-stance",)),
]


def _check_program_rules(response: ProgramResponse) -> None:
    program = response.program
    assert program is not None
    assert (program.weeks, program.sessions_per_week) == (6, 3)
    strength = [e for e in program.exercises if e.phase == "strength"]
    focus = [e.focus for e in strength]
    assert "hip" in focus and "knee" in focus  # combined hip and knee
    assert focus == sorted(focus, key=lambda f: f != "hip")  # hip exercises first
    for ex in strength:
        assert 2 <= ex.sets <= 4
        assert ex.reps is None or ex.reps >= 5
    assert "100 repetitions" in program.notes.dose and "did not reduce pain more" in program.notes.dose
    assert "not a diagnosis" in program.notes.see_physio
    assert "recommends no supplement" in program.notes.supplements
    assert response.pattern is not None and "not a diagnosis" in response.pattern.disclaimer


@pytest.mark.parametrize("case", PROGRAMMED, ids=[c.story for c in PROGRAMMED])
def test_programmed_vignettes(case: Programmed) -> None:
    response = build_program(make_intake(**case.intake), case.results)
    assert response.status == "program" and response.referral is None
    _check_program_rules(response)
    assert response.pattern is not None and response.pattern.pattern == case.pattern
    program = response.program
    assert program is not None and program.pain_band == case.band
    ids = {e.id for e in program.exercises}
    assert set(case.includes) <= ids, ids
    assert not set(case.excludes) & ids, ids


def test_hip_first_delays_weight_bearing_knee_work_when_pain_is_high() -> None:
    program = build_program(make_intake(pain_now=7)).program
    assert program is not None
    starts = {e.id: e.start_week for e in program.exercises}
    assert starts["wall-sit"] == 3 and starts["quad-set"] == 1 and starts["clamshell"] == 1


def test_valgus_cues_name_the_side_and_value() -> None:
    program = build_program(make_intake(), [sls_result(right_fppa=17.0)]).program
    assert program is not None
    step_down = next(e for e in program.exercises if e.id == "lateral-step-down")
    assert any(c.startswith("Right leg: keep the knee over the second toe") and "17°" in c for c in step_down.cues)
    bridge = next(e for e in program.exercises if e.id == "bridge")
    assert not any("your video" in c for c in bridge.cues)  # lying exercises get no standing cue
    assert any("right leg" in c.lower() for c in program.form_cues)


def test_ottawa_answer_without_injury_gives_program_and_note() -> None:
    response = build_program(make_intake(flags={"tender_kneecap_after_injury": True}))
    assert response.status == "program" and any("Ottawa" in n for n in response.notes)


def test_questionnaire_scores_come_with_the_program() -> None:
    response = build_program(make_intake(akps=AKPS_BEST))
    assert response.scores is not None and response.scores.akps is not None
    assert response.scores.akps.score == 100
    assert any(f.code == "akps" for f in response.findings)


@pytest.mark.parametrize(("weeks", "ok"), [(1, True), (8, True), (12, True), (0, False), (13, False)])
def test_weeks_option(weeks: int, ok: bool) -> None:
    if ok:
        program = build_program(make_intake(), weeks=weeks).program
        assert program is not None and program.weeks == weeks
    else:
        with pytest.raises(ValidationError, match=f"weeks: got {weeks}; allowed: a whole number from 1 to 12"):
            build_program(make_intake(), weeks=weeks)


def test_no_supplement_or_product_is_recommended_anywhere() -> None:
    response = build_program(make_intake(), [sls_result()])
    text = response.model_dump_json().lower()
    for word in ("regenerix", "capsule", "collagen", "turmeric", "hyaluronic", "order now", "buy "):
        assert word not in text


def test_stance_and_squat_results_together() -> None:
    stance = make_result(test="single-leg-stance", left={"hold_s": metric(30.0, 1.0, 2, unit="s")},
                         right={"hold_s": metric(14.0, 2.0, 2, unit="s"), "pelvic_drop_max_deg": metric(5.0)})
    squat = make_result(test="squat", left={"fppa_deg": metric(12.0)}, right={"fppa_deg": metric(13.0)})
    response = build_program(make_intake(), [stance, squat])
    program = response.program
    assert program is not None and "hip-hike" in {e.id for e in program.exercises}
    codes = [f.code for f in response.findings]
    assert "stance_hold_short" in codes and "fppa_squat" in codes

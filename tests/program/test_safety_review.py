"""Issue 12 (clinical safety review): one vignette or scenario per finding.

Each expected outcome is stated from the cited source, not read off kneeline's output:
evidence.md §4 (pain-monitoring model: <= 5/10 during; settled within about an hour; not worse next
morning; not building week on week; reduce the load when it is), §5 (NPRS: about 2 points), §6 (red
flags), Coakley 2006 (hot swollen joint without fever), ESVS 2020 (cold, pale foot = emergency), ACOG 2020
(no lying on the back after the first trimester), Harvie 2011 / Crossley 2016 (guideline programs stop
at step-downs).
"""

from __future__ import annotations

from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from kneeline.assess.consistency import check_consistent, contradictions
from kneeline.assess.intake import parse_intake
from kneeline.assess.redflags import CHILD_FLAG, SEVERE_PAIN_FLAG, load_red_flags, screen
from kneeline.errors import ValidationError
from kneeline.program.edit import ProgramEdit, edit_program, program_changes, rebase
from kneeline.program.library import load_library
from kneeline.program.plan import build_program
from kneeline.program.prescribe import Program
from kneeline.program.progression import (
    ExerciseLog,
    SessionEntry,
    TrainingLog,
    current_prescriptions,
    new_log,
    record_session,
    set_next_morning_pain,
)
from tests.assess.builders import AKPS_BEST, intake_dict, make_intake

MONDAY = date(2026, 1, 5)


def _program(**intake: Any) -> Program:
    response = build_program(make_intake(**intake), start_date=MONDAY)
    assert response.program is not None, response.referral
    return response.program


def _ex(ex_id: str, program: Program, log: TrainingLog, **kw: Any) -> ExerciseLog:
    """The exercise done at its current dose, pain 0 during, settled, form good, unless overridden."""
    rx = next(r for r in current_prescriptions(program, log).values() if r.id == ex_id)
    base: dict[str, Any] = {"id": ex_id, "sets": rx.sets, "reps": rx.reps,
                            "hold_s": None if rx.hold_s is None else float(rx.hold_s),
                            "pain_during": 0, "pain_after_1h": 0, "pain_next_morning": 0, "quality": "good"}
    return ExerciseLog(**{**base, **kw})


# ------------------------------------------------------------------ triage (findings 1-7)

def test_1_cold_pale_foot_is_an_emergency_numbness_alone_is_not() -> None:
    cold = screen(make_intake(flags={"foot_cold_pale_or_blue": True})).referral
    numb = screen(make_intake(flags={"foot_numb_or_tingling": True})).referral
    assert cold is not None and cold.urgency == "emergency" and cold.title == "Go to an emergency department now"
    assert numb is not None and numb.urgency == "urgent"
    for flag in load_red_flags().flags:  # every flag says its source
        assert len(flag.source) > 10 and ("evidence.md" in flag.source or "Coakley" in flag.source)


def test_2_hot_red_swollen_knee_without_fever_is_seen_the_same_day() -> None:
    ref = screen(make_intake(flags={"hot_red_swollen_no_fever": True})).referral
    assert ref is not None and ref.urgency == "same-day" and ref.title == "See a doctor today"
    assert "even without a fever" in ref.reasons[0].message and "Coakley 2006" in ref.reasons[0].source


@pytest.mark.parametrize(("flags", "title"), [
    ({"hot_red_swollen_with_fever": True}, "Go to an emergency department now"),
    ({"calf_pain_swelling": True}, "See a doctor today"),
    ({"locking": True}, "Book an appointment in the next few days"),
])
def test_3_referral_says_what_to_do_how_soon_why_and_that_the_program_waits(flags: dict[str, bool],
                                                                          title: str) -> None:
    response = build_program(make_intake(flags=flags))
    ref = response.referral
    assert response.status == "referred" and response.program is None and ref is not None
    assert ref.title == title and ref.reasons and ref.reasons[0].message
    assert "program waits until then" in ref.note
    text = " ".join([ref.title, ref.advice, ref.note]).lower()
    assert "before exercising" not in text


def test_4_age_policy_children_first_see_a_doctor_adolescents_get_an_adapted_program() -> None:
    data = load_red_flags()
    assert (int(data.child_below_years.value), int(data.adult_from_years.value)) == (12, 18)  # type: ignore[arg-type]
    six = build_program(make_intake(age=6, pain_now=1, pain_worst_week=2))
    assert six.status == "referred" and six.referral is not None
    assert [r.flag for r in six.referral.reasons] == [CHILD_FLAG] and six.referral.urgency == "routine"
    teen = build_program(make_intake(age=14, pain_now=1, pain_worst_week=2))
    assert teen.status == "program" and teen.program is not None
    assert teen.program.pain_band == "moderate"  # an adult with this pain starts at "standard"
    assert build_program(make_intake(age=30, pain_now=1, pain_worst_week=2)).program.pain_band == "standard"  # type: ignore[union-attr]
    assert any("under 18" in n for n in teen.notes)


def test_5_contradicting_answers_name_both_fields_and_can_be_confirmed() -> None:
    with pytest.raises(ValidationError, match=r"'pain_now' \(7/10\) and 'pain_worst_week' \(4/10\)"):
        parse_intake(intake_dict(pain_now=7, pain_worst_week=4))
    assert parse_intake(intake_dict(pain_now=7, pain_worst_week=4, confirmed=["pain_now_above_worst_week"]))
    teen_limp = make_intake(age=15, akps={**AKPS_BEST, "limp": "constant"})
    assert [c.fields for c in contradictions(teen_limp)] == [("red_flags.child_with_limp", "akps.limp")]
    with pytest.raises(ValidationError, match="red_flags.child_with_limp"):
        check_consistent(teen_limp)
    adult = make_intake(age=40, flags={"child_with_limp": True})
    assert [c.id for c in contradictions(adult)] == ["child_limp_but_adult"]


def test_6_severe_pain_at_rest_without_red_flags_means_a_medical_review_first() -> None:
    severe = build_program(make_intake(pain_now=9, pain_worst_week=10))
    assert severe.status == "referred" and severe.referral is not None
    assert severe.referral.reasons[0].flag == SEVERE_PAIN_FLAG and "5/10" in severe.referral.reasons[0].message
    high = build_program(make_intake(pain_now=7, pain_worst_week=7))
    assert high.program is not None and high.program.pain_band == "low"
    assert any("above the 5/10" in n for n in high.notes)


def test_7_recent_surgery_or_injection_follows_the_treating_team() -> None:
    ref = screen(make_intake(flags={"recent_knee_procedure": True})).referral
    assert ref is not None and ref.urgency == "own-clinician" and "surgeon" in ref.advice


def test_7_pregnancy_after_week_12_avoids_lying_on_the_back_and_never_progresses_to_it() -> None:
    lib = load_library()
    for band in ({"pain_now": 1, "pain_worst_week": 1}, {"pain_now": 4, "pain_worst_week": 5}):
        program = _program(pregnancy="after_first_trimester", **band)
        assert program.avoid_supine and not [e.id for e in program.exercises if lib.exercises[e.id].supine]
        assert {"donkey-kick", "quad-set"} <= {e.id for e in program.exercises}
    program = _program(pregnancy="after_first_trimester", pain_now=1, pain_worst_week=1)
    log = new_log(program)
    day = MONDAY
    for _ in range(10):  # a perfect log: quad-set would move up to the straight-leg raise, lying on the back
        log = record_session(program, log, SessionEntry(date=day, pain_before=0,
                                                        exercises=[_ex("quad-set", program, log)]))
        day += timedelta(days=2)
    assert current_prescriptions(program, log)["quadriceps"].id == "quad-set"
    early = build_program(make_intake(pregnancy="first_trimester"))
    assert any("week 13" in n for n in early.notes) and early.program is not None
    assert not early.program.avoid_supine


# ------------------------------------------------------------------ progression (findings 8-12)

def test_8_a_one_point_rise_after_an_hour_is_within_measurement_error() -> None:
    program = _program(pain_now=0, pain_worst_week=1)
    log = new_log(program)
    entry = SessionEntry(date=MONDAY, pain_before=0, exercises=[
        _ex("clamshell-band", program, log, pain_during=2, pain_after_1h=1, pain_next_morning=0)])
    decision = record_session(program, log, entry).sessions[-1].decisions[0]
    assert decision.action != "regress" and decision.meets_progress


def test_9_a_steady_3_of_10_progresses_while_it_settles_and_does_not_build() -> None:
    program = _program(pain_now=0, pain_worst_week=1)
    log = new_log(program)
    for day in (MONDAY, MONDAY + timedelta(days=2)):
        log = record_session(program, log, SessionEntry(date=day, pain_before=1, exercises=[
            _ex("clamshell-band", program, log, pain_during=3, pain_after_1h=1, pain_next_morning=1)]))
    assert log.sessions[-1].decisions[0].action == "progress"
    strict = program.model_copy(update={"pain_model": "kneeline-strict"})
    slog = new_log(strict)
    for day in (MONDAY, MONDAY + timedelta(days=2)):
        slog = record_session(strict, slog, SessionEntry(date=day, pain_before=1, exercises=[
            _ex("clamshell-band", strict, slog, pain_during=3, pain_after_1h=1, pain_next_morning=1)]))
    assert slog.sessions[-1].decisions[0].action == "hold"  # the named stricter setting keeps holding


def test_10_one_next_morning_value_reduces_the_session_load_not_every_exercise_down_a_level() -> None:
    program = _program(pain_now=0, pain_worst_week=1)
    log = new_log(program)
    ids = ["clamshell-band", "single-leg-bridge", "step-up"]
    log = record_session(program, log, SessionEntry(date=MONDAY, pain_before=1, exercises=[
        _ex(i, program, log, pain_during=2, pain_after_1h=1, pain_next_morning=None) for i in ids]))
    worse = set_next_morning_pain(program, log, 4)
    decisions = {d.id: d for d in worse.sessions[-1].decisions}
    for ex_id in ids:
        d = decisions[ex_id]
        assert d.action == "regress" and d.next.id == ex_id and d.next.sets == d.at.sets - 1  # same exercise
        assert "whole session" in d.reason and "log next-morning pain for that exercise" in d.reason
    one = set_next_morning_pain(program, log, 4, "step-up")
    actions = {d.id: d.action for d in one.sessions[-1].decisions}
    assert actions == {"clamshell-band": "hold", "single-leg-bridge": "hold", "step-up": "regress"}
    with pytest.raises(ValidationError, match="one of the last session's exercises"):
        set_next_morning_pain(program, log, 4, "lunge")


def test_11_pain_building_week_on_week_reduces_the_load() -> None:
    program = _program(pain_now=0, pain_worst_week=1)
    log = record_session(program, new_log(program), SessionEntry(date=MONDAY, pain_before=1, exercises=[
        _ex("clamshell-band", program, new_log(program))]))
    later = SessionEntry(date=MONDAY + timedelta(days=7), pain_before=3, exercises=[
        _ex("clamshell-band", program, log, pain_after_1h=3, pain_next_morning=3)])
    d = record_session(program, log, later).sessions[-1].decisions[0]
    assert d.action == "regress" and "building" in d.reason and d.next.sets < d.at.sets


# ------------------------------------------------------------------ safe limits (findings 13-15)

def _perfect_weeks(program: Program, ex_id_of_slot: str, weeks: int) -> TrainingLog:
    log, day = new_log(program), MONDAY
    for _ in range(weeks * 3):
        rx = current_prescriptions(program, log)[ex_id_of_slot]
        log = record_session(program, log, SessionEntry(date=day, pain_before=0, exercises=[
            _ex(rx.id, program, log)]))
        day += timedelta(days=2)
    return log


def test_13_automatic_progression_stops_below_deep_single_leg_squats() -> None:
    from tests.assess.builders import sls_result

    response = build_program(make_intake(pain_now=0, pain_worst_week=1), [sls_result(right_fppa=17.0)],
                             start_date=MONDAY)
    program = response.program
    assert program is not None
    assert current_prescriptions(program, new_log(program))["single-leg-loading"].id == "lateral-step-down"
    log = _perfect_weeks(program, "single-leg-loading", 12)
    top = current_prescriptions(program, log)["single-leg-loading"]
    assert top.id == "lateral-step-down"
    assert "your clinician can unlock it" in log.sessions[-1].decisions[0].reason
    unlocked = edit_program(program, ProgramEdit(unlock=["single-leg-squat"], reason="returning to sport"))
    assert unlocked.unlocked == ["single-leg-squat"]
    ulog = _perfect_weeks(unlocked, "single-leg-loading", 6)
    assert current_prescriptions(unlocked, ulog)["single-leg-loading"].id == "single-leg-squat"  # not pistol


def test_14_exercises_of_week_3_cannot_be_logged_in_week_1() -> None:
    program = _program(pain_now=7, pain_worst_week=7)
    wall = next(e for e in program.exercises if e.id == "wall-sit")
    assert wall.start_week == 3
    log = new_log(program)
    with pytest.raises(ValidationError, match="'wall-sit' starts in week 3.*week 1 of the program"):
        record_session(program, log, SessionEntry(date=MONDAY, pain_before=2, exercises=[
            _ex("wall-sit", program, log)]))
    ok = record_session(program, log, SessionEntry(date=MONDAY + timedelta(days=14), pain_before=2,
                                                   exercises=[_ex("wall-sit", program, log)]))
    assert len(ok.sessions) == 1


def test_15_an_edit_starts_from_the_current_doses() -> None:
    program = _program()
    log = record_session(program, new_log(program), SessionEntry(date=MONDAY, pain_before=2, exercises=[
        _ex("step-up", program, new_log(program), pain_during=6)]))
    current = rebase(program, current_prescriptions(program, log))
    step = next(e for e in current.exercises if e.id == "step-up")
    assert (step.sets, step.reps) == (2, 10)
    edited = edit_program(current, ProgramEdit(doses={"clamshell": {"sets": 4, "reps": 10}},  # type: ignore[dict-item]
                                               reason="more hip work"))
    assert program_changes(current, edited) == ["Clamshell: 3 x 10 -> 4 x 10"]
    assert (next(e for e in edited.exercises if e.id == "step-up").sets) == 2


# ------------------------------------------------------------------ wording (findings 16-17)

def test_16_no_claim_that_knee_pain_starts_at_the_hip() -> None:
    data = resources.files("kneeline.data")
    web = resources.files("kneeline.web").joinpath("templates")
    texts = [data.joinpath("supplements.yaml").read_text(encoding="utf-8"),
             web.joinpath("index.html").read_text(encoding="utf-8")]
    readme = Path(__file__).resolve().parents[2] / "README.md"
    if readme.exists():
        texts.append(readme.read_text(encoding="utf-8").split("## Quick start")[0])
    for text in texts:
        assert "starts at the hip" not in text.lower()


@pytest.mark.parametrize(("name", "ex_id"), [("monster walk", "lateral-band-walk"),
                                             ("Monster Walks", "lateral-band-walk"),
                                             ("side plank", "side-plank-hip-abduction")])
def test_17_aliases_people_type(name: str, ex_id: str) -> None:
    assert load_library().get(name).id == ex_id

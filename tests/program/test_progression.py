"""Pain-monitored progression around every threshold 0-10, dose steps, and the training log."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from kneeline.errors import ValidationError
from kneeline.evidence import value
from kneeline.program.library import load_library
from kneeline.program.plan import build_program
from kneeline.program.prescribe import Program
from kneeline.program.progression import (
    ExerciseLog,
    Prescription,
    SessionEntry,
    current_prescriptions,
    decide_exercise,
    new_log,
    pain_model,
    pain_zone,
    record_session,
    set_next_morning_pain,
)
from tests.assess.builders import make_intake

SAFE = int(value("pain_monitoring.yaml", "safe_max"))
ACCEPTABLE = int(value("pain_monitoring.yaml", "acceptable_max"))
NEEDED = int(value("progression.yaml", "sessions_to_progress"))
CLAM = Prescription(slot="hip-abduction-side-lying", id="clamshell", sets=3, reps=10, hold_s=None)
DEFAULT, STRICT = pain_model(), pain_model("kneeline-strict")
NOISE = int(value("pain_monitoring.yaml", "noise_points"))


def done(**kw: Any) -> ExerciseLog:
    """A clamshell session done in full, pain-free, form good, unless overridden."""
    base: dict[str, Any] = {"id": "clamshell", "sets": 3, "reps": 10, "pain_during": 0, "pain_after_1h": 1,
                            "pain_next_morning": 1, "quality": "good"}
    return ExerciseLog(**{**base, **kw})


def test_zone_edges_come_from_data_with_both_sources() -> None:
    assert (SAFE, ACCEPTABLE) == (2, 5)
    assert int(value("pain_monitoring.yaml", "safe_max_alternative")) == 3
    assert [pain_zone(p) for p in range(11)] == ["safe"] * 3 + ["acceptable"] * 3 + ["too much"] * 5


@pytest.mark.parametrize("pain", range(11))
def test_pain_during_every_value(pain: int) -> None:
    """my-knee-cap (default): up to 5/10 during is acceptable and lets the load rise (Silbernagel 2007;
    La Trobe "My Knee Cap"); above 5/10 reduce the load."""
    d = decide_exercise(CLAM, done(pain_during=pain), pain_before=1, streak=NEEDED - 1)
    expected = "progress" if pain <= ACCEPTABLE else "regress"
    assert d.action == expected
    assert d.reason.startswith(expected.capitalize() + ":") and d.reason.endswith(".")
    assert d.reason.count(". ") == 0  # one sentence


@pytest.mark.parametrize("pain", range(11))
def test_pain_during_every_value_strict_setting(pain: int) -> None:
    """kneeline-strict keeps the earlier edges: progress only in the safe zone, hold in the acceptable one."""
    d = decide_exercise(CLAM, done(pain_during=pain), pain_before=1, streak=NEEDED - 1, model=STRICT)
    assert d.action == ("progress" if pain <= SAFE else ("hold" if pain <= ACCEPTABLE else "regress"))


@pytest.mark.parametrize("after", range(11))
def test_pain_one_hour_after_must_settle_to_the_level_before(after: int) -> None:
    """Settled = back to the level before within an hour (La Trobe), allowing a 1-point rise (NPRS error ~2)."""
    before = 3
    d = decide_exercise(CLAM, done(pain_after_1h=after, pain_next_morning=min(after, before)),
                        pain_before=before, streak=NEEDED - 1)
    assert d.action == ("progress" if after <= before + NOISE else "regress")
    if after > before + NOISE:
        assert "had not settled" in d.reason
    strict = decide_exercise(CLAM, done(pain_after_1h=after, pain_next_morning=min(after, before)),
                             pain_before=before, streak=NEEDED - 1, model=STRICT)
    assert strict.action == ("progress" if after <= before else "regress")


@pytest.mark.parametrize("morning", range(11))
def test_next_morning_must_not_be_worse(morning: int) -> None:
    before = 4
    d = decide_exercise(CLAM, done(pain_after_1h=before, pain_next_morning=morning), pain_before=before,
                        streak=NEEDED - 1)
    assert d.action == ("progress" if morning <= before + NOISE else "regress")
    strict = decide_exercise(CLAM, done(pain_after_1h=before, pain_next_morning=morning), pain_before=before,
                             streak=NEEDED - 1, model=STRICT)
    assert strict.action == ("progress" if morning <= before else "regress")


def test_unknown_next_morning_holds() -> None:
    d = decide_exercise(CLAM, done(pain_next_morning=None), pain_before=1, streak=NEEDED - 1)
    assert d.action == "hold" and "next-morning pain is not known" in d.reason and not d.meets_progress


@pytest.mark.parametrize(("quality", "action"), [("good", "progress"), (None, "progress"), ("fair", "hold"),
                                                 ("poor", "regress")])
def test_quality(quality: str | None, action: str) -> None:
    assert decide_exercise(CLAM, done(quality=quality), pain_before=1, streak=NEEDED - 1).action == action


def test_incomplete_dose_holds() -> None:
    d = decide_exercise(CLAM, done(reps=8), pain_before=1, streak=NEEDED - 1)
    assert d.action == "hold" and "3 x 10 was not completed" in d.reason


def test_one_good_session_is_not_enough() -> None:
    first = decide_exercise(CLAM, done(), pain_before=1, streak=0)
    assert first.action == "hold" and first.meets_progress and "1 more session" in first.reason
    assert decide_exercise(CLAM, done(), pain_before=1, streak=NEEDED - 1).action == "progress"


def test_building_pain_reduces_the_load() -> None:
    """Finding 11: pain building week on week -> reduce the load (evidence.md §4), not only hold."""
    d = decide_exercise(CLAM, done(), pain_before=1, streak=NEEDED - 1, building=True)
    assert d.action == "regress" and "building" in d.reason
    assert (d.next.id, d.next.sets, d.next.reps) == ("clamshell", 2, 10)


def test_progress_steps_reps_then_chain_then_sets_then_load() -> None:
    d = decide_exercise(CLAM, done(), pain_before=1, streak=NEEDED - 1)
    assert (d.next.id, d.next.reps) == ("clamshell", 12)
    top = CLAM.model_copy(update={"reps": 15})
    d = decide_exercise(top, done(reps=15), pain_before=1, streak=NEEDED - 1)
    assert (d.next.id, d.next.sets, d.next.reps) == ("clamshell-band", 3, 10)
    plank = Prescription(slot="x", id="side-plank-hip-abduction", sets=3, reps=15, hold_s=None)
    d = decide_exercise(plank, done(id=plank.id, reps=15), pain_before=1, streak=NEEDED - 1)
    assert d.next.sets == 4
    full = plank.model_copy(update={"sets": 4})
    d = decide_exercise(full, done(id=plank.id, sets=4, reps=15), pain_before=1, streak=NEEDED - 1)
    assert d.next == full and "add a little load" in d.reason


def test_hold_exercises_progress_by_time() -> None:
    wall = Prescription(slot="squat", id="wall-sit", sets=4, reps=None, hold_s=30)
    log = {"id": "wall-sit", "sets": 4, "reps": None, "hold_s": 30.0}
    d = decide_exercise(wall, done(**log), pain_before=1, streak=NEEDED - 1)
    assert d.next.hold_s == 35


def test_regress_steps_start_dose_then_chain_then_smaller_then_pause() -> None:
    raised = CLAM.model_copy(update={"id": "clamshell-band", "reps": 14})
    d = decide_exercise(raised, done(id="clamshell-band", reps=14, pain_during=7), pain_before=1)
    assert (d.next.id, d.next.reps) == ("clamshell-band", 10) and "starting dose" in d.reason
    d = decide_exercise(d.next, done(id="clamshell-band", pain_during=7), pain_before=1)
    assert d.next.id == "clamshell" and "step down to Clamshell" in d.reason
    step = Prescription(slot="single-leg-loading", id="lateral-step-down", sets=3, reps=8, hold_s=None)
    d = decide_exercise(step, done(id="lateral-step-down", reps=8, pain_during=8), pain_before=1)
    assert d.next.id == "step-up"
    easiest = Prescription(slot="quadriceps", id="quad-set", sets=2, reps=10, hold_s=5)
    d = decide_exercise(easiest, done(id="quad-set", sets=2, reps=10, hold_s=5.0, pain_during=9), pain_before=1)
    assert d.next == easiest and "pause this exercise" in d.reason
    d = decide_exercise(CLAM, done(pain_during=6), pain_before=1)
    assert (d.next.sets, d.next.reps) == (2, 10) and "one set fewer" in d.reason


# ------------------------------------------------------------------ the log over a program

def _program() -> Program:
    program = build_program(make_intake(pain_now=2)).program
    assert program is not None
    return program


def _entry(day: date, pain_before: int = 1, **kw: Any) -> SessionEntry:
    return SessionEntry(date=day, pain_before=pain_before, exercises=[done(id="clamshell-band", **kw)])


def test_log_progresses_after_two_safe_sessions_and_is_not_mutated() -> None:
    program = _program()
    assert current_prescriptions(program, new_log(program))["hip-abduction-side-lying"].id == "clamshell-band"
    log0 = new_log(program)
    log1 = record_session(program, log0, _entry(date(2025, 3, 3)))
    assert log0.sessions == [] and log1.sessions[0].decisions[0].action == "hold"
    log2 = record_session(program, log1, _entry(date(2025, 3, 5)))
    decision = log2.sessions[-1].decisions[0]
    assert decision.action == "progress" and decision.next.reps == 12
    assert current_prescriptions(program, log2)["hip-abduction-side-lying"].reps == 12
    # the next session at the new dose starts a new streak
    log3 = record_session(program, log2, _entry(date(2025, 3, 7), reps=12))
    assert log3.sessions[-1].decisions[0].action == "hold"


def test_log_building_pain_week_on_week() -> None:
    program = _program()
    log = record_session(program, new_log(program), _entry(date(2025, 3, 3), pain_before=1))
    later = date(2025, 3, 3) + timedelta(days=int(value("progression.yaml", "build_window_days")))
    noise = record_session(program, log, _entry(later, pain_before=1 + NOISE, pain_after_1h=1 + NOISE,
                                               pain_next_morning=1 + NOISE))
    assert "building" not in noise.sessions[-1].decisions[0].reason  # a 1-point rise is measurement error
    log = record_session(program, log, _entry(later, pain_before=3, pain_after_1h=3, pain_next_morning=3))
    decision = log.sessions[-1].decisions[0]
    assert "building" in decision.reason and decision.action == "regress"


def test_log_refuses_unknown_exercise_other_program_and_earlier_date() -> None:
    program = _program()
    log = new_log(program)
    bad = SessionEntry(date=date(2025, 3, 3), pain_before=1, exercises=[done(id="pistol-squat")])
    with pytest.raises(ValidationError, match="'pistol-squat' not in the program now; allowed ids: warm-up-walk"):
        record_session(program, log, bad)
    other = build_program(make_intake(pain_now=7, pain_worst_week=7)).program
    assert other is not None
    with pytest.raises(ValidationError, match="different program"):
        record_session(other, log, _entry(date(2025, 3, 3)))
    log = record_session(program, log, _entry(date(2025, 3, 3)))
    with pytest.raises(ValidationError, match="2025-03-03 or later"):
        record_session(program, log, _entry(date(2025, 3, 1)))


def test_next_morning_pain_filled_in_later() -> None:
    program = _program()
    log = record_session(program, new_log(program), _entry(date(2025, 3, 3), pain_next_morning=None))
    assert log.sessions[-1].decisions[0].action == "hold" and not log.sessions[-1].decisions[0].meets_progress
    worse = set_next_morning_pain(program, log, 5)
    assert worse.sessions[-1].decisions[0].action == "regress" and len(worse.sessions) == 1
    fine = set_next_morning_pain(program, log, 1)
    assert fine.sessions[-1].decisions[0].meets_progress
    with pytest.raises(ValidationError, match="from 0 to 10"):
        set_next_morning_pain(program, log, 11)
    with pytest.raises(ValidationError, match="no session yet"):
        set_next_morning_pain(program, new_log(program), 1)


def test_session_entry_refuses_duplicates() -> None:
    with pytest.raises(Exception, match="at most once"):
        SessionEntry(date=date(2025, 3, 3), pain_before=1, exercises=[done(), done()])


@pytest.mark.parametrize("ex_id", ["warm-up-walk", "hamstring-stretch", "knee-alignment-drill"])
def test_non_strength_exercises_are_not_progressed(ex_id: str) -> None:
    dose = load_library().profile(ex_id).start()
    rx = Prescription(slot="x", id=ex_id, sets=dose.sets, reps=dose.reps, hold_s=dose.hold_s)
    log = done(id=ex_id, sets=dose.sets, reps=dose.reps, hold_s=None if dose.hold_s is None else float(dose.hold_s))
    d = decide_exercise(rx, log, pain_before=1, streak=5)
    assert d.action == "hold" and d.next == rx and "not progressed" in d.reason
    assert decide_exercise(rx, log.model_copy(update={"pain_during": 7}), pain_before=1).action == "regress"

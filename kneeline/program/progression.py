"""Pain-monitored progression: each logged exercise is progressed, held or regressed.

The pain-monitoring model (``../shared/evidence.md`` §4; zone edges in ``pain_monitoring.yaml``):

- regress when pain during exercise is above the acceptable edge, when pain one hour after has not
  settled back to its level before the session, when next-morning pain is worse than before the
  session, or when form was poor;
- hold when pain during is in the acceptable zone, form was fair, the prescribed dose was not
  completed, next-morning pain is not yet known, or pain before sessions is building week on week;
- progress when all of the above are fine (pain during in the safe zone) for
  ``sessions_to_progress`` sessions in a row at the same dose (``progression.yaml``).

Progress adds reps (or hold time) up to the profile's maximum, then moves up the chain, then adds
sets; regress goes back to the starting dose, then down the chain, then reduces the dose.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date as Date
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from kneeline.assess.questionnaires import NPRS_MAX, NPRS_MIN, Nprs
from kneeline.errors import ValidationError
from kneeline.evidence import value
from kneeline.program.library import Library, dose_text, load_library
from kneeline.program.prescribe import Program

__all__ = [
    "MAX_SETS", "MAX_REPS", "MAX_HOLD_S", "Quality", "Action", "Zone", "ExerciseLog", "SessionEntry",
    "Prescription", "Decision", "LoggedSession", "TrainingLog", "program_fingerprint", "new_log",
    "current_prescriptions", "pain_zone", "decide_exercise", "record_session", "set_next_morning_pain",
]

Quality = Literal["good", "fair", "poor"]
Action = Literal["progress", "hold", "regress"]
Zone = Literal["safe", "acceptable", "too much"]

MAX_SETS = 20
MAX_REPS = 500
MAX_HOLD_S = 3600
"""Plausibility limits of logged numbers (input checks, not clinical thresholds)."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExerciseLog(_Model):
    """What was done for one exercise in a session, and how the knee responded."""

    id: str = Field(description="Exercise id as in the program")
    sets: Annotated[StrictInt, Field(ge=0, le=MAX_SETS)]
    reps: Annotated[StrictInt, Field(ge=0, le=MAX_REPS)] | None = Field(default=None, description="Reps per set")
    hold_s: Annotated[float, Field(strict=True, ge=0, le=MAX_HOLD_S)] | None = Field(
        default=None, description="Hold per set, seconds")
    load: Annotated[str, Field(max_length=80)] | None = Field(default=None, description="Band or weight used")
    pain_during: Nprs = Field(description="Worst pain during the exercise, 0-10")
    pain_after_1h: Nprs = Field(description="Pain one hour after the session, 0-10")
    pain_next_morning: Nprs | None = Field(default=None, description="Pain the next morning, 0-10 (if known)")
    quality: Quality | None = Field(default=None, description="Rep quality, e.g. from a kneeline video check")


class SessionEntry(_Model):
    """One training session."""

    date: Date
    pain_before: Nprs = Field(description="Knee pain before the session (your usual level that day), 0-10")
    exercises: list[ExerciseLog] = Field(min_length=1)
    note: Annotated[str, Field(max_length=500)] | None = None

    @field_validator("exercises")
    @classmethod
    def _unique_ids(cls, v: list[ExerciseLog]) -> list[ExerciseLog]:
        ids = [e.id for e in v]
        if len(set(ids)) != len(ids):
            raise ValueError(f"each exercise id at most once per session, got {ids}")
        return v


class Prescription(_Model):
    """The current exercise and dose of one program slot."""

    slot: str
    id: str
    sets: int
    reps: int | None
    hold_s: int | None

    def text(self) -> str:
        """``id sets x reps``."""
        return f"{self.id} {dose_text(self.sets, self.reps, self.hold_s)}"


class Decision(_Model):
    """What to do next with one exercise, and why (one sentence)."""

    slot: str
    id: str
    action: Action
    zone: Zone
    meets_progress: bool = Field(description="All progress conditions met in this session")
    reason: str
    at: Prescription = Field(description="The prescription the exercise was done at")
    next: Prescription


class LoggedSession(_Model):
    """A session and the decisions taken from it."""

    entry: SessionEntry
    decisions: list[Decision]


class TrainingLog(_Model):
    """All logged sessions of one program."""

    program_fingerprint: str
    sessions: list[LoggedSession] = Field(default_factory=list)


def program_fingerprint(program: Program) -> str:
    """Short hash identifying a program, so a log cannot be applied to another one."""
    canonical = json.dumps(program.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def new_log(program: Program) -> TrainingLog:
    """An empty log for ``program``."""
    return TrainingLog(program_fingerprint=program_fingerprint(program))


def current_prescriptions(program: Program, log: TrainingLog) -> dict[str, Prescription]:
    """Slot -> current prescription: the program's start, updated by every logged decision."""
    current = {e.slot: Prescription(slot=e.slot, id=e.id, sets=e.sets, reps=e.reps, hold_s=e.hold_s)
               for e in program.exercises}
    for session in log.sessions:
        for decision in session.decisions:
            current[decision.slot] = decision.next
    return current


def pain_zone(pain_during: int) -> Zone:
    """Zone of the pain-monitoring model for pain during exercise."""
    if pain_during <= float(value("pain_monitoring.yaml", "safe_max")):
        return "safe"
    if pain_during <= float(value("pain_monitoring.yaml", "acceptable_max")):
        return "acceptable"
    return "too much"


def _completed(rx: Prescription, done: ExerciseLog) -> bool:
    return (done.sets >= rx.sets and (rx.reps is None or (done.reps or 0) >= rx.reps)
            and (rx.hold_s is None or (done.hold_s or 0) >= rx.hold_s))


def _with(rx: Prescription, **changes: object) -> Prescription:
    return rx.model_copy(update=changes)


def _start_of(slot: str, exercise_id: str, lib: Library) -> Prescription:
    dose = lib.profile(exercise_id).start()
    return Prescription(slot=slot, id=exercise_id, sets=dose.sets, reps=dose.reps, hold_s=dose.hold_s)


def _progress(rx: Prescription, lib: Library) -> tuple[Prescription, str]:
    """Next step up: more reps (or hold), then the next exercise of the chain, then a set more."""
    lim, ex = lib.profile(rx.id).limits(), lib.exercises[rx.id]
    step_reps, step_hold = int(value("progression.yaml", "reps_step")), int(value("progression.yaml", "hold_step_s"))
    if rx.reps is not None and lim.reps_max is not None and rx.reps < lim.reps_max:
        return _with(rx, reps=min(rx.reps + step_reps, lim.reps_max)), "add reps"
    if rx.reps is None and rx.hold_s is not None and lim.hold_max_s is not None and rx.hold_s < lim.hold_max_s:
        return _with(rx, hold_s=min(rx.hold_s + step_hold, lim.hold_max_s)), "hold longer"
    if ex.progression is not None:
        nxt = lib.exercises[ex.progression]
        return _start_of(rx.slot, nxt.id, lib), f"move up to {nxt.name}"
    if rx.sets < lim.sets_max:
        return _with(rx, sets=rx.sets + 1), "add a set"
    return rx, "this is the top of the chain at full dose: add a little load (band or weight) instead"


def _regress(rx: Prescription, lib: Library) -> tuple[Prescription, str]:
    """Next step down: back to the starting dose, then down the chain, then a smaller dose."""
    lim, ex = lib.profile(rx.id).limits(), lib.exercises[rx.id]
    start = _start_of(rx.slot, rx.id, lib)
    above_start = (rx.sets > start.sets or (rx.reps or 0) > (start.reps or 0)
                   or (rx.hold_s or 0) > (start.hold_s or 0))
    if above_start:
        return start, "go back to the starting dose of this exercise"
    if ex.regression is not None:
        prev = lib.exercises[ex.regression]
        return _start_of(rx.slot, prev.id, lib), f"step down to {prev.name}"
    step_reps, step_hold = int(value("progression.yaml", "reps_step")), int(value("progression.yaml", "hold_step_s"))
    if rx.reps is not None and lim.reps_min is not None and rx.reps > lim.reps_min:
        return _with(rx, reps=max(rx.reps - step_reps, lim.reps_min)), "do fewer reps"
    if rx.reps is None and rx.hold_s is not None and lim.hold_min_s is not None and rx.hold_s > lim.hold_min_s:
        return _with(rx, hold_s=max(rx.hold_s - step_hold, lim.hold_min_s)), "hold shorter"
    if rx.sets > lim.sets_min:
        return _with(rx, sets=rx.sets - 1), "do one set fewer"
    return rx, "this is already the easiest level: pause this exercise and ask your physiotherapist"


def _check(rx: Prescription, done: ExerciseLog, pain_before: int, building: bool
           ) -> tuple[Action | None, str]:
    """The pain-monitoring rules that stop progress, in order; (None, '') when all are fine."""
    acc = value("pain_monitoring.yaml", "acceptable_max")
    minutes = value("pain_monitoring.yaml", "settle_minutes")
    zone = pain_zone(done.pain_during)
    morning = done.pain_next_morning
    rules: list[tuple[bool, Action, str]] = [
        (zone == "too much", "regress", f"pain during was {done.pain_during}/10, above the acceptable {acc}/10"),
        (done.pain_after_1h > pain_before, "regress",
         f"pain had not settled within {minutes} minutes ({done.pain_after_1h}/10 vs {pain_before}/10 before)"),
        (morning is not None and morning > pain_before, "regress",
         f"next-morning pain ({morning}/10) was worse than before the session ({pain_before}/10)"),
        (done.quality == "poor", "regress", "form broke down (quality poor)"),
        (zone == "acceptable", "hold",
         f"pain during was {done.pain_during}/10, in the acceptable zone (up to {acc}/10) but not the safe zone"),
        (done.quality == "fair", "hold", "form was only fair; keep this level until it is good"),
        (not _completed(rx, done), "hold",
         f"the prescribed {dose_text(rx.sets, rx.reps, rx.hold_s)} was not completed"),
        (morning is None, "hold", "next-morning pain is not known yet; log it before moving up"),
        (building, "hold", "your pain before sessions is higher than a week ago, so it is building"),
    ]
    for hit, action, why in rules:
        if hit:
            return action, why
    return None, ""


def decide_exercise(rx: Prescription, done: ExerciseLog, pain_before: int, streak: int = 0,
                    building: bool = False, lib: Library | None = None) -> Decision:
    """Decide progress / hold / regress for one logged exercise.

    Parameters
    ----------
    rx
        The prescription the exercise was done at.
    done
        What was logged.
    pain_before
        Pain before the session (the baseline that "settled" and "not worse" refer to).
    streak
        Previous consecutive sessions at this same prescription that met every progress condition.
    building
        True when pain before sessions is building week on week.
    lib
        Exercise library (default: the shipped one).
    """
    lib = lib or load_library()
    action, why = _check(rx, done, pain_before, building)
    zone = pain_zone(done.pain_during)
    if action == "regress":
        nxt, step = _regress(rx, lib)
        return Decision(slot=rx.slot, id=rx.id, action="regress", zone=zone, meets_progress=False,
                        reason=f"Regress: {why}; {step}.", at=rx, next=nxt)
    if action == "hold":
        return Decision(slot=rx.slot, id=rx.id, action="hold", zone=zone, meets_progress=False,
                        reason=f"Hold: {why}.", at=rx, next=rx)
    category = lib.exercises[rx.id].category
    if category != "strength":
        return Decision(slot=rx.slot, id=rx.id, action="hold", zone=zone, meets_progress=False, at=rx, next=rx,
                        reason=f"Hold: pain was fine; {category} exercises are kept as they are, not progressed.")
    needed = int(value("progression.yaml", "sessions_to_progress"))
    count = streak + 1
    if count < needed:
        return Decision(slot=rx.slot, id=rx.id, action="hold", zone=zone, meets_progress=True, at=rx, next=rx,
                        reason=(f"Hold: pain stayed in the safe zone, settled and was not worse next morning; "
                                f"{needed - count} more session(s) like this and it moves up."))
    nxt, step = _progress(rx, lib)
    return Decision(slot=rx.slot, id=rx.id, action="progress", zone=zone, meets_progress=True, at=rx, next=nxt,
                    reason=(f"Progress: pain stayed in the safe zone, settled and was not worse next morning "
                            f"for {count} sessions in a row; {step}."))


def _streak(log: TrainingLog, rx: Prescription) -> int:
    """Consecutive most recent sessions of this slot at this prescription that met every condition."""
    count = 0
    for session in reversed(log.sessions):
        decision = next((d for d in session.decisions if d.slot == rx.slot), None)
        if decision is None:
            continue
        if not decision.meets_progress or decision.at != rx:
            break
        count += 1
    return count


def _building(log: TrainingLog, entry: SessionEntry) -> bool:
    window = timedelta(days=int(value("progression.yaml", "build_window_days")))
    earlier = [s for s in log.sessions if s.entry.date <= entry.date - window]
    return bool(earlier) and entry.pain_before > earlier[-1].entry.pain_before


def record_session(program: Program, log: TrainingLog, entry: SessionEntry) -> TrainingLog:
    """Decide every exercise of ``entry`` and return a new log with the session appended.

    Raises
    ------
    ValidationError
        If the log belongs to another program, the date is earlier than the last session, or an
        exercise id is not one of the program's current exercises.
    """
    if log.program_fingerprint != program_fingerprint(program):
        raise ValidationError("this log belongs to a different program (fingerprint "
                              f"{log.program_fingerprint}, program {program_fingerprint(program)}); "
                              "use the log file that was started with this program, or start a new log.")
    if log.sessions and entry.date < log.sessions[-1].entry.date:
        raise ValidationError(f"date: got {entry.date}; allowed: {log.sessions[-1].entry.date} or later "
                              "(the last logged session). Log sessions in order.")
    current = current_prescriptions(program, log)
    by_id = {rx.id: rx for rx in current.values()}
    unknown = [e.id for e in entry.exercises if e.id not in by_id]
    if unknown:
        raise ValidationError(f"exercises: {', '.join(repr(u) for u in unknown)} not in the program now; "
                              f"allowed ids: {', '.join(by_id)}. Nothing was saved.")
    building = _building(log, entry)
    decisions = [decide_exercise(by_id[e.id], e, entry.pain_before, _streak(log, by_id[e.id]), building)
                 for e in entry.exercises]
    return log.model_copy(update={"sessions": [*log.sessions, LoggedSession(entry=entry, decisions=decisions)]})


def set_next_morning_pain(program: Program, log: TrainingLog, pain_next_morning: int) -> TrainingLog:
    """Fill in next-morning pain for every exercise of the last session and decide it again.

    Raises
    ------
    ValidationError
        If the log has no session yet, or the pain is not a whole number 0-10.
    """
    if not log.sessions:
        raise ValidationError("the log has no session yet; log a session first, then its next-morning pain.")
    if isinstance(pain_next_morning, bool) or not isinstance(pain_next_morning, int) or not (
            NPRS_MIN <= pain_next_morning <= NPRS_MAX):
        raise ValidationError(f"next-morning pain: got {pain_next_morning!r}; allowed: a whole number "
                              f"from {NPRS_MIN} to {NPRS_MAX}.")
    last = log.sessions[-1].entry
    entry = last.model_copy(update={"exercises": [
        e.model_copy(update={"pain_next_morning": pain_next_morning}) for e in last.exercises]})
    earlier = log.model_copy(update={"sessions": log.sessions[:-1]})
    return record_session(program, earlier, entry)

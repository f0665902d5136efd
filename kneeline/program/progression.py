"""Pain-monitored progression: each logged exercise is progressed, held or regressed.

The pain-monitoring model (``../shared/evidence.md`` §4; every edge in ``pain_monitoring.yaml``).  The
default variant is "my-knee-cap" (La Trobe "My Knee Cap" with Silbernagel 2007); "kneeline-strict"
is kneeline's earlier, stricter reading, kept as a named setting (``Program.pain_model``):

- regress (one step down) when pain during exercise is above 5/10, when pain one hour after has not
  settled (a rise above the NPRS measurement error over the level before the session), when the
  exercise's own next-morning pain is worse than before, or when form was poor;
- reduce the session's load (one set fewer of each exercise) when next-morning pain logged for the
  whole session is worse than before it, or when pain before sessions is building week on week: both
  are responses to the session's or the week's load, not to one exercise (strict: regress each);
- hold when pain during is above ``progress_pain_max`` (strict: above the safe zone), form was fair,
  the dose was not completed, or next-morning pain is not yet known;
- progress when all of the above are fine for ``sessions_to_progress`` sessions in a row at the same
  dose (``progression.yaml``).

Progress adds reps (or hold time) up to the profile's maximum, then moves up the chain (never to an
exercise of ``clinician_unlock`` unless the program unlocks it, never to one lying on the back when the
program avoids that), then adds sets; regress goes back to the starting dose, then down the chain,
then reduces the dose.  A session may log only exercises that have started in its program week.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date as Date
from datetime import timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator

from kneeline.assess.questionnaires import NPRS_MAX, NPRS_MIN, Nprs
from kneeline.assess.types import whole
from kneeline.errors import ValidationError
from kneeline.evidence import load_sourced, value
from kneeline.program.library import Library, dose_text, load_library
from kneeline.program.prescribe import Program

__all__ = [
    "MAX_SETS", "MAX_REPS", "MAX_HOLD_S", "Quality", "Action", "Zone", "ExerciseLog", "SessionEntry",
    "Prescription", "Decision", "LoggedSession", "TrainingLog", "program_fingerprint", "new_log",
    "current_prescriptions", "pain_zone", "decide_exercise", "record_session", "set_next_morning_pain",
    "set_one_hour_pain", "PainModel", "pain_model", "session_week", "clinician_only",
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
    pain_after_1h: Nprs | None = Field(default=None, description=(
        "Pain one hour after the session, 0-10 (if known; else the session's own, asked later)"))
    pain_next_morning: Nprs | None = Field(default=None, description="Pain the next morning, 0-10 (if known)")
    quality: Quality | None = Field(default=None, description="Rep quality, e.g. from a kneeline video check")


class SessionEntry(_Model):
    """One training session."""

    date: Date
    pain_before: Nprs = Field(description="Knee pain before the session (your usual level that day), 0-10")
    exercises: list[ExerciseLog] = Field(min_length=1)
    pain_after_1h: Nprs | None = Field(default=None, description=(
        "Pain one hour after the whole session, 0-10 (asked an hour later; when it is not known per exercise)"))
    pain_next_morning: Nprs | None = Field(default=None, description=(
        "Pain the next morning after the whole session, 0-10 (when it is not known per exercise)"))
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


_ADDED_PROGRAM_FIELDS: dict[str, object] = {"pain_model": None, "unlocked": [], "avoid_supine": False}
"""Program fields added later; left out of the fingerprint at their default, so older logs still fit."""


def program_fingerprint(program: Program) -> str:
    """Short hash identifying a program, so a log cannot be applied to another one."""
    dumped = program.model_dump(mode="json")
    for key, default in _ADDED_PROGRAM_FIELDS.items():
        if dumped.get(key) == default:
            dumped.pop(key, None)
    canonical = json.dumps(dumped, sort_keys=True, separators=(",", ":"))
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


@dataclass(frozen=True)
class PainModel:
    """One variant of the pain-monitoring model, read from ``pain_monitoring.yaml``.

    Attributes
    ----------
    name
        "my-knee-cap" (default) or "kneeline-strict".
    noise
        A rise of up to this many points counts as settled / not worse / not building.
    progress_max
        Highest pain during exercise that still allows progress.
    strict
        True for "kneeline-strict": a session-level response regresses every exercise.
    """

    name: str
    noise: int
    progress_max: int
    strict: bool


def pain_model(name: str | None = None) -> PainModel:
    """The named variant of the pain-monitoring model (default: the ``model`` entry of the data).

    Raises
    ------
    ValidationError
        If ``name`` is not one of the variants of ``pain_monitoring.yaml``.
    """
    table = load_sourced("pain_monitoring.yaml")
    chosen = name or str(table["model"].value)
    allowed = [str(v) for v in table["models"].value] if isinstance(table["models"].value, list) else []
    if chosen not in allowed:
        raise ValidationError(f"pain model: got {chosen!r}; allowed: {', '.join(allowed)}.")
    strict = chosen == "kneeline-strict"
    prefix = "strict_" if strict else ""
    return PainModel(name=chosen, noise=whole(table[f"{prefix}noise_points"]),
                     progress_max=whole(table[f"{prefix}progress_pain_max"]), strict=strict)


def clinician_only() -> frozenset[str]:
    """Exercises automatic progression never moves up to unless a clinician unlocks them."""
    raw = value("progression.yaml", "clinician_unlock")
    return frozenset(str(v) for v in (raw if isinstance(raw, list) else [raw]))


def session_week(program: Program, log: TrainingLog, on: Date) -> int:
    """Week of the program that ``on`` falls in (1 = first week).

    Week 1 starts at the program's start date or, when it has none, at the first logged session.
    """
    start = program.start_date or (log.sessions[0].entry.date if log.sessions else on)
    return max(1, (on - start).days // 7 + 1)


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


@dataclass(frozen=True)
class _Limits:
    """What automatic progression may not move up to in this program."""

    unlocked: frozenset[str] = frozenset()
    avoid_supine: bool = False


def _blocked(exercise_id: str, lib: Library, limits: _Limits) -> str | None:
    """Why automatic progression may not move up to ``exercise_id`` (None when it may)."""
    nxt = lib.exercises[exercise_id]
    if exercise_id in clinician_only() and exercise_id not in limits.unlocked:
        return (f"{nxt.name} is not in the guideline programs, so kneeline does not move up to it on its own; "
                "your clinician can unlock it")
    if limits.avoid_supine and nxt.supine:
        return f"{nxt.name} is done lying on the back, which the program avoids (pregnancy after week 12)"
    return None


def _progress(rx: Prescription, lib: Library, limits: _Limits = _Limits()) -> tuple[Prescription, str]:
    """Next step up: more reps (or hold), then the next exercise of the chain, then a set more."""
    lim, ex = lib.profile(rx.id).limits(), lib.exercises[rx.id]
    step_reps, step_hold = int(value("progression.yaml", "reps_step")), int(value("progression.yaml", "hold_step_s"))
    if rx.reps is not None and lim.reps_max is not None and rx.reps < lim.reps_max:
        return _with(rx, reps=min(rx.reps + step_reps, lim.reps_max)), "add reps"
    if rx.reps is None and rx.hold_s is not None and lim.hold_max_s is not None and rx.hold_s < lim.hold_max_s:
        return _with(rx, hold_s=min(rx.hold_s + step_hold, lim.hold_max_s)), "hold longer"
    blocked = _blocked(ex.progression, lib, limits) if ex.progression is not None else None
    if ex.progression is not None and blocked is None:
        nxt = lib.exercises[ex.progression]
        return _start_of(rx.slot, nxt.id, lib), f"move up to {nxt.name}"
    if rx.sets < lim.sets_max:
        return _with(rx, sets=rx.sets + 1), "add a set" + (f" ({blocked})" if blocked else "")
    if blocked:
        return rx, f"this is the highest level kneeline moves to on its own at full dose: {blocked}"
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


def _reduce(rx: Prescription, lib: Library) -> tuple[Prescription, str]:
    """Reduce the load a little: one set fewer while above the profile's lowest, else one step down."""
    if rx.sets > lib.profile(rx.id).limits().sets_min:
        return _with(rx, sets=rx.sets - 1), "do one set fewer"
    return _regress(rx, lib)


_Kind = Literal["regress", "reduce", "hold"]


@dataclass(frozen=True)
class _Context:
    """What a decision needs beyond the exercise's own log."""

    pain_before: int
    building: bool = False
    session_morning: int | None = None
    model: PainModel | None = None
    session_after_1h: int | None = None


def _check(rx: Prescription, done: ExerciseLog, ctx: _Context) -> tuple[_Kind | None, str]:
    """The pain-monitoring rules that stop progress, in order; (None, '') when all are fine."""
    model = ctx.model or pain_model()
    acc = value("pain_monitoring.yaml", "acceptable_max")
    minutes = value("pain_monitoring.yaml", "settle_minutes")
    before, zone, noise = ctx.pain_before, pain_zone(done.pain_during), model.noise
    own, session = done.pain_next_morning, ctx.session_morning
    after = done.pain_after_1h if done.pain_after_1h is not None else ctx.session_after_1h
    within = f"; a rise of up to {noise} point counts as settled (measurement error)" if noise else ""
    session_kind: _Kind = "regress" if model.strict else "reduce"
    rules: list[tuple[bool, _Kind, str]] = [
        (zone == "too much", "regress", f"pain during was {done.pain_during}/10, above the acceptable {acc}/10"),
        (after is not None and after - before > noise, "regress",
         f"pain had not settled within {minutes} minutes ({after}/10 vs {before}/10 before{within})"),
        (own is not None and own - before > noise, "regress",
         f"next-morning pain after this exercise ({own}/10) was worse than before the session ({before}/10)"),
        (done.quality == "poor", "regress", "form broke down (quality poor)"),
        (own is None and session is not None and session - before > noise, session_kind,
         f"next-morning pain ({session}/10) was worse than before the session ({before}/10); that is a response "
         "to the whole session, so its load goes down a little (if you know which exercise caused it, log "
         "next-morning pain for that exercise)"),
        (ctx.building, session_kind,
         "your pain before sessions is building week on week, so the load goes down a little"),
        (done.pain_during > model.progress_max, "hold",
         f"pain during was {done.pain_during}/10: acceptable (up to {acc}/10), but above the "
         f"{model.progress_max}/10 at which the {model.name} rules let the load rise"),
        (done.quality == "fair", "hold", "form was only fair; keep this level until it is good"),
        (not _completed(rx, done), "hold",
         f"the prescribed {dose_text(rx.sets, rx.reps, rx.hold_s)} was not completed"),
        (after is None, "hold", f"pain {minutes} minutes after is not known yet; log it before moving up"),
        (own is None and session is None, "hold", "next-morning pain is not known yet; log it before moving up"),
    ]
    for hit, kind, why in rules:
        if hit:
            return kind, why
    return None, ""


def decide_exercise(rx: Prescription, done: ExerciseLog, pain_before: int, streak: int = 0,
                    building: bool = False, lib: Library | None = None, *, session_morning: int | None = None,
                    model: PainModel | None = None, unlocked: Collection[str] = (),
                    avoid_supine: bool = False, session_after_1h: int | None = None) -> Decision:
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
    session_morning
        Next-morning pain logged for the whole session (used when the exercise has none of its own).
    model
        Variant of the pain-monitoring model (default: ``model`` of ``pain_monitoring.yaml``).
    unlocked
        Clinician-only exercises this program may progress to.
    avoid_supine
        True when progression must not move to an exercise lying on the back.
    session_after_1h
        Pain an hour after, logged for the whole session (used when the exercise has none of its own;
        unknown: the exercise is held until it is logged).
    """
    lib = lib or load_library()
    model = model or pain_model()
    kind, why = _check(rx, done, _Context(pain_before, building, session_morning, model, session_after_1h))
    zone = pain_zone(done.pain_during)
    if kind in ("regress", "reduce"):
        nxt, step = _regress(rx, lib) if kind == "regress" else _reduce(rx, lib)
        return Decision(slot=rx.slot, id=rx.id, action="regress", zone=zone, meets_progress=False,
                        reason=f"Regress: {why}; {step}.", at=rx, next=nxt)
    if kind == "hold":
        return Decision(slot=rx.slot, id=rx.id, action="hold", zone=zone, meets_progress=False,
                        reason=f"Hold: {why}.", at=rx, next=rx)
    category = lib.exercises[rx.id].category
    if category != "strength":
        return Decision(slot=rx.slot, id=rx.id, action="hold", zone=zone, meets_progress=False, at=rx, next=rx,
                        reason=f"Hold: pain was fine; {category} exercises are kept as they are, not progressed.")
    needed = int(value("progression.yaml", "sessions_to_progress"))
    count = streak + 1
    fine = (f"pain during stayed at or below {model.progress_max}/10, settled and was not worse next morning "
            f"({model.name} rules)")
    if count < needed:
        return Decision(slot=rx.slot, id=rx.id, action="hold", zone=zone, meets_progress=True, at=rx, next=rx,
                        reason=f"Hold: {fine}; {needed - count} more session(s) like this and it moves up.")
    nxt, step = _progress(rx, lib, _Limits(frozenset(unlocked), avoid_supine))
    return Decision(slot=rx.slot, id=rx.id, action="progress", zone=zone, meets_progress=True, at=rx, next=nxt,
                    reason=f"Progress: {fine} for {count} sessions in a row; {step}.")


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


def _building(log: TrainingLog, entry: SessionEntry, model: PainModel) -> bool:
    """Pain before sessions higher, beyond the measurement error, than at least a week earlier."""
    window = timedelta(days=int(value("progression.yaml", "build_window_days")))
    earlier = [s for s in log.sessions if s.entry.date <= entry.date - window]
    return bool(earlier) and entry.pain_before - earlier[-1].entry.pain_before > model.noise


def _check_log(program: Program, log: TrainingLog, entry: SessionEntry) -> dict[str, Prescription]:
    """The current prescriptions by exercise id, after checking the log fits ``program`` and ``entry``.

    Raises
    ------
    ValidationError
        If the log belongs to another program, the date is earlier than the last session, an exercise
        id is not one of the program's current exercises, or an exercise has not started yet.
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
    week = session_week(program, log, entry.date)
    starts = {e.slot: e.start_week for e in program.exercises}
    early = [f"{e.id!r} starts in week {starts[by_id[e.id].slot]}" for e in entry.exercises
             if starts.get(by_id[e.id].slot, 1) > week]
    if early:
        raise ValidationError(f"exercises: {'; '.join(early)}, but {entry.date} is in week {week} of the program. "
                              "Log only the exercises of this week. Nothing was saved.")
    return by_id


def record_session(program: Program, log: TrainingLog, entry: SessionEntry) -> TrainingLog:
    """Decide every exercise of ``entry`` and return a new log with the session appended.

    Raises
    ------
    ValidationError
        If the log belongs to another program, the date is earlier than the last session, an
        exercise id is not one of the program's current exercises, or it starts in a later week.
    """
    by_id = _check_log(program, log, entry)
    model = pain_model(program.pain_model)
    building = _building(log, entry, model)
    decisions = [decide_exercise(by_id[e.id], e, entry.pain_before, _streak(log, by_id[e.id]), building,
                                 session_morning=entry.pain_next_morning, model=model,
                                 unlocked=program.unlocked, avoid_supine=program.avoid_supine,
                                 session_after_1h=entry.pain_after_1h)
                 for e in entry.exercises]
    return log.model_copy(update={"sessions": [*log.sessions, LoggedSession(entry=entry, decisions=decisions)]})


def set_next_morning_pain(program: Program, log: TrainingLog, pain_next_morning: int,
                          exercise_id: str | None = None) -> TrainingLog:
    """Fill in next-morning pain for the last session and decide it again.

    Without ``exercise_id`` the value is the response to the whole session (it replaces any value per
    exercise); with it, the value belongs to that exercise alone.

    Raises
    ------
    ValidationError
        If the log has no session yet, the pain is not a whole number 0-10, or the exercise was not
        part of the last session.
    """
    if not log.sessions:
        raise ValidationError("the log has no session yet; log a session first, then its next-morning pain.")
    if isinstance(pain_next_morning, bool) or not isinstance(pain_next_morning, int) or not (
            NPRS_MIN <= pain_next_morning <= NPRS_MAX):
        raise ValidationError(f"next-morning pain: got {pain_next_morning!r}; allowed: a whole number "
                              f"from {NPRS_MIN} to {NPRS_MAX}.")
    last = log.sessions[-1].entry
    if exercise_id is None:
        entry = last.model_copy(update={"pain_next_morning": pain_next_morning, "exercises": [
            e.model_copy(update={"pain_next_morning": None}) for e in last.exercises]})
    else:
        ids = [e.id for e in last.exercises]
        if exercise_id not in ids:
            raise ValidationError(f"exercise: got {exercise_id!r}; allowed: one of the last session's exercises "
                                  f"({', '.join(ids)}).")
        entry = last.model_copy(update={"exercises": [
            e.model_copy(update={"pain_next_morning": pain_next_morning}) if e.id == exercise_id else e
            for e in last.exercises]})
    earlier = log.model_copy(update={"sessions": log.sessions[:-1]})
    return record_session(program, earlier, entry)


def set_one_hour_pain(program: Program, log: TrainingLog, pain_after_1h: int) -> TrainingLog:
    """Fill in the pain an hour after the last session (for the whole session) and decide it again.

    Raises
    ------
    ValidationError
        If the log has no session yet or the pain is not a whole number 0-10.
    """
    if not log.sessions:
        raise ValidationError("the log has no session yet; log a session first, then the pain an hour after.")
    if isinstance(pain_after_1h, bool) or not isinstance(pain_after_1h, int) or not (
            NPRS_MIN <= pain_after_1h <= NPRS_MAX):
        raise ValidationError(f"pain an hour after: got {pain_after_1h!r}; allowed: a whole number "
                              f"from {NPRS_MIN} to {NPRS_MAX}.")
    entry = log.sessions[-1].entry.model_copy(update={"pain_after_1h": pain_after_1h})
    earlier = log.model_copy(update={"sessions": log.sessions[:-1]})
    return record_session(program, earlier, entry)

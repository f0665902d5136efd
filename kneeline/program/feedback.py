"""A logged session's decisions in plain words: what to do next time, with the dose, and why.

The decisions themselves come from :mod:`kneeline.program.progression` (the pain-monitoring rules);
this module only words them for the session log, the home page and the program page.
"""

from __future__ import annotations

from dataclasses import dataclass

from kneeline.program.library import Library, load_library
from kneeline.program.progression import Decision, LoggedSession

__all__ = ["NextDose", "next_doses", "pending_questions", "PendingQuestions", "dose_words", "shared_reason"]

_ACTION_WORDS = {"progress": "Move up", "hold": "Keep the same", "regress": "Step down"}


@dataclass(frozen=True)
class NextDose:
    """One exercise's next dose in words.

    Attributes
    ----------
    exercise
        The exercise done in the session, by name.
    action
        "Move up", "Keep the same" or "Step down".
    next_text
        What to do next time ("3 sets of 12"; with the other exercise's name when it changes).
    why
        The reason, one sentence, without the decision's own prefix.
    """

    exercise: str
    action: str
    next_text: str
    why: str


def dose_words(sets: int, reps: int | None, hold_s: int | float | None) -> str:
    """A dose as a patient says it: "3 sets of 10", "3 holds of 30 s", "3 sets of 10, holding each 5 s"."""
    plural = "" if sets == 1 else "s"
    if reps is None and hold_s is not None and hold_s >= 120:  # a warm-up: minutes, not a "hold"
        minutes = f"{hold_s / 60:g} minutes"
        return minutes if sets == 1 else f"{sets} times {minutes}"
    if reps is not None and hold_s is not None:
        return f"{sets} set{plural} of {reps}, holding each {hold_s:g} s"
    if reps is not None:
        return f"{sets} set{plural} of {reps}"
    return f"{sets} hold{plural} of {hold_s:g} s" if hold_s is not None else f"{sets} set{plural}"


def _name(exercise_id: str, lib: Library) -> str:
    ex = lib.exercises.get(exercise_id)
    return ex.name if ex is not None else exercise_id.replace("-", " ")


def _why(reason: str) -> str:
    head, sep, rest = reason.partition(": ")
    text = rest if sep and head in ("Hold", "Progress", "Regress") else reason
    return text[:1].upper() + text[1:]


def next_doses(session: LoggedSession, lib: Library | None = None) -> list[NextDose]:
    """Every decision of ``session`` in words."""
    lib = lib or load_library()
    return [_dose(d, lib) for d in session.decisions]


def _dose(d: Decision, lib: Library) -> NextDose:
    nxt = d.next
    dose = dose_words(nxt.sets, nxt.reps, nxt.hold_s)
    return NextDose(exercise=_name(d.id, lib), action=_ACTION_WORDS.get(d.action, d.action),
                    next_text=dose if nxt.id == d.id else f"{_name(nxt.id, lib)}, {dose}", why=_why(d.reason))


def shared_reason(doses: list[NextDose]) -> str | None:
    """The reason, when every exercise has the same one (said once instead of after each exercise)."""
    reasons = {d.why for d in doses}
    return reasons.pop() if len(doses) > 1 and len(reasons) == 1 else None


@dataclass(frozen=True)
class PendingQuestions:
    """What is still to be asked about the last session: pain an hour after, and the next morning."""

    one_hour: bool
    next_morning: bool


def pending_questions(session: LoggedSession) -> PendingQuestions:
    """Which of the later questions the last session still lacks."""
    entry = session.entry
    one_hour = entry.pain_after_1h is None and any(e.pain_after_1h is None for e in entry.exercises)
    morning = entry.pain_next_morning is None and any(e.pain_next_morning is None for e in entry.exercises)
    return PendingQuestions(one_hour=one_hour, next_morning=morning)

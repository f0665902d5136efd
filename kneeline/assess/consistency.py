"""Answers of one intake that contradict each other.

A contradiction is never resolved silently: the CLI stops with an error naming both fields, the web
form shows both answers and asks to confirm them, and nothing is saved until the person corrects one
answer or confirms both (their ids go into ``Intake.confirmed``).
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from kneeline.assess.intake import Intake
from kneeline.assess.redflags import load_red_flags
from kneeline.assess.types import whole
from kneeline.errors import ValidationError

__all__ = ["Contradiction", "contradictions", "unconfirmed", "check_consistent"]

_NO_LIMP = "none"
"""AKPS limp answer meaning no limp (``akps.yaml``)."""


class Contradiction(BaseModel):
    """Two answers that cannot both be right as given."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    fields: tuple[str, str]
    labels: tuple[str, str]
    answers: tuple[str, str]
    text: str


def contradictions(intake: Intake) -> list[Contradiction]:
    """Every pair of answers of ``intake`` that contradict each other (confirmed or not)."""
    found: list[Contradiction] = []
    if intake.pain_now > intake.pain_worst_week:
        found.append(Contradiction(
            id="pain_now_above_worst_week", fields=("pain_now", "pain_worst_week"),
            labels=("Pain now", "Worst pain in the last week"),
            answers=(f"{intake.pain_now}/10", f"{intake.pain_worst_week}/10"),
            text=(f"pain now ({intake.pain_now}/10) is higher than the worst pain of the last week "
                  f"({intake.pain_worst_week}/10), which includes today")))
    adult = whole(load_red_flags().adult_from_years)
    limp = (intake.akps or {}).get("limp")
    if intake.age < adult and limp not in (None, _NO_LIMP) and not intake.red_flags.child_with_limp:
        found.append(Contradiction(
            id="limp_in_akps_not_in_red_flags", fields=("red_flags.child_with_limp", "akps.limp"),
            labels=("Warning sign: a child or adolescent with a limp", "AKPS question: limp"),
            answers=("no", str(limp)),
            text=(f"the warning-sign question about a limp (under {adult}) was answered no, but the AKPS "
                  f"limp question was answered {limp!r}")))
    if intake.age >= adult and intake.red_flags.child_with_limp:
        found.append(Contradiction(
            id="child_limp_but_adult", fields=("red_flags.child_with_limp", "age"),
            labels=("Warning sign: a child or adolescent with a limp", "Age"),
            answers=("yes", str(intake.age)),
            text=(f"the question about a child or adolescent (under {adult}) with a limp was answered yes, "
                  f"but the age is {intake.age}")))
    return found


def unconfirmed(intake: Intake) -> list[Contradiction]:
    """The contradictions the person has not confirmed."""
    return [c for c in contradictions(intake) if c.id not in intake.confirmed]


def check_consistent(intake: Intake) -> None:
    """Raise when answers contradict each other and have not been confirmed.

    Raises
    ------
    ValidationError
        Naming both fields of each contradiction, and how to correct or confirm it.
    """
    open_ = unconfirmed(intake)
    if not open_:
        return
    parts = [f"'{c.fields[0]}' ({c.answers[0]}) and '{c.fields[1]}' ({c.answers[1]}) contradict each other: "
             f"{c.text}" for c in open_]
    ids = ", ".join(f'"{c.id}"' for c in open_)
    raise ValidationError("intake answers: " + "; ".join(parts) + ". Correct one of the answers, or, if both are "
                          f"right, confirm them by adding {ids} to \"confirmed\". Nothing was saved.")

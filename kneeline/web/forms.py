"""Turning HTML form fields into the library's models, with one message per wrong field.

Form values arrive as strings; numbers are converted where they parse and passed on unchanged where
they do not, so the library's validation names the field, what arrived and what is allowed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from kneeline.assess.consistency import unconfirmed
from kneeline.assess.intake import Intake, RedFlagAnswers
from kneeline.assess.questionnaires import OutcomeAnswers, load_akps, load_koos_pf
from kneeline.assess.validation import field_errors

__all__ = ["FormData", "validate", "intake_data", "outcome_data", "parse_intake_form", "parse_outcome_form", "to_int",
           "to_float", "to_bool"]

M = TypeVar("M", bound=BaseModel)
FormData = Mapping[str, Any]


def to_int(raw: Any) -> Any:
    """``"7"`` -> 7; empty -> None; anything else unchanged (validation then reports it)."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    try:
        return int(str(raw).strip())
    except ValueError:
        return raw


def to_float(raw: Any) -> Any:
    """``"2.5"`` -> 2.5; empty -> None; anything else unchanged."""
    if raw is None or (isinstance(raw, str) and raw.strip() == ""):
        return None
    try:
        return float(str(raw).strip().replace(",", "."))
    except ValueError:
        return raw


def to_bool(raw: Any) -> Any:
    """``"yes"``/``"no"`` -> True/False; empty -> None (a missing answer); else unchanged."""
    if raw in ("yes", "true", "1", "on"):
        return True
    if raw in ("no", "false", "0"):
        return False
    return None if raw in (None, "") else raw


def validate(model: type[M], data: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    """Validate ``data``; return the model, or None and ``{field: message}``."""
    try:
        return model.model_validate(data), {}
    except PydanticValidationError as exc:
        return None, field_errors(exc, model)


def _multi(form: Any, name: str) -> list[str]:
    getter = getattr(form, "getlist", None)
    values = getter(name) if getter is not None else form.get(name, [])
    return [str(v) for v in (values if isinstance(values, list | tuple) else [values])]


def _questionnaires(form: FormData) -> tuple[dict[str, str] | None, dict[str, int | None] | None]:
    akps = {item.id: str(form[f"akps_{item.id}"]) for item in load_akps().items if form.get(f"akps_{item.id}")}
    koos = {item.id: to_int(form.get(f"koos_{item.id}")) for item in load_koos_pf().items
            if form.get(f"koos_{item.id}") not in (None, "")}
    return akps or None, koos or None


def intake_data(form: Any) -> dict[str, Any]:
    """The intake answers of the intake form, ready for :class:`~kneeline.assess.intake.Intake`.

    An AKPS or KOOS-PF left entirely blank is omitted (both are optional); a partly answered one is
    passed on so validation can say which items are missing.
    """
    akps, koos = _questionnaires(form)
    data: dict[str, Any] = {
        "age": to_int(form.get("age")),
        "sex": form.get("sex") or None,
        "knee": form.get("knee") or None,
        "pain_locations": _multi(form, "pain_locations"),
        "aggravating": _multi(form, "aggravating"),
        "pain_now": to_int(form.get("pain_now")),
        "pain_worst_week": to_int(form.get("pain_worst_week")),
        "duration_weeks": to_float(form.get("duration_weeks")),
        "recent_injury": to_bool(form.get("recent_injury")),
        "pregnancy": form.get("pregnancy") or None,
        "red_flags": {flag: to_bool(form.get(f"rf_{flag}")) for flag in RedFlagAnswers.model_fields},
        "confirmed": _multi(form, "confirmed"),
        "date": form.get("date") or None,
    }
    if akps is not None:
        data["akps"] = akps
    if koos is not None:
        data["koos_pf"] = koos
    return data


def outcome_data(form: Any) -> dict[str, Any]:
    """The answers of the questionnaires form, ready for :class:`~kneeline.assess.questionnaires.OutcomeAnswers`."""
    akps, koos = _questionnaires(form)
    return {"date": form.get("date") or None, "akps": akps, "koos_pf": koos,
            "nprs_now": to_int(form.get("nprs_now")), "nprs_worst_week": to_int(form.get("nprs_worst_week"))}


def parse_intake_form(form: Any) -> tuple[Intake | None, dict[str, str], dict[str, Any]]:
    """Validate the intake form: (intake or None, errors, the raw data for re-display).

    Answers that contradict each other and are not confirmed give no intake and one error per pair
    under ``confirm.<id>``; the form then shows both answers and asks to confirm them.
    """
    data = intake_data(form)
    intake, errors = validate(Intake, data)
    if intake is not None:
        open_ = unconfirmed(intake)
        if open_:
            return None, {f"confirm.{c.id}": (f"{c.text}. Correct one of the two answers, or tick the box to "
                                              "confirm both are right.") for c in open_}, data
    return intake, errors, data


OUTCOME_LABELS: dict[str, str] = {
    "date": "Date", "nprs_now": "Pain now", "nprs_worst_week": "Worst pain in the last week",
    "akps": "Knee questionnaire (AKPS, Kujala)", "koos_pf": "Kneecap questionnaire (KOOS-PF)",
}
"""The questionnaire form's fields in plain words, for its error messages."""


def _missing(answered: object, questions: dict[str, str]) -> list[str]:
    given = answered if isinstance(answered, dict) else {}
    return [text for item_id, text in questions.items() if given.get(item_id) in (None, "")]


def plain_outcome_errors(errors: dict[str, str], data: dict[str, Any]) -> dict[str, str]:
    """The questionnaire form's errors in plain words: which questions are left, what numbers are allowed."""
    out = dict(errors)
    for key, questions in (("akps", {i.id: i.question for i in load_akps().items}),
                           ("koos_pf", {i.id: i.text for i in load_koos_pf().items})):
        if key in errors:
            left = _missing(data.get(key), questions)
            listed = "; ".join(f"\u201c{q}\u201d" for q in left[:3]) + (f"; and {len(left) - 3} more" if len(left) > 3
                                                                        else "")
            out[key] = (f"answer every question of this questionnaire, or none of it. Still to answer: {listed}."
                        if left else "check the answers of this questionnaire; one of them is not one of its choices.")
    for key in ("nprs_now", "nprs_worst_week"):
        if key in errors:
            out[key] = (f"you entered {data.get(key)!r}; choose a whole number from 0 (no pain) to 10 (worst "
                        "imaginable), or leave it empty")
    return out


def parse_outcome_form(form: Any) -> tuple[OutcomeAnswers | None, dict[str, str], dict[str, Any]]:
    """Validate the questionnaires form (errors in plain words, see :func:`plain_outcome_errors`)."""
    data = outcome_data(form)
    answers, errors = validate(OutcomeAnswers, data)
    return answers, plain_outcome_errors(errors, data) if errors else errors, data

"""Red-flag screen: stop, do not prescribe, refer (``../shared/evidence.md`` section 6).

Any red flag gives a referral and no program at all.  The Ottawa knee rules (and age at or over
the Ottawa age) count only after a recent injury.  Three reasons come from the answers rather than
from a yes/no flag: a child under the age policy's limit, pain at rest in the severe range, and (as
a flag) recent knee surgery or an injection.  Each referral says what to do and how soon in plain
words, why, and that the program waits.  The wording informs; it never diagnoses.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from kneeline.assess.intake import ADDED_QUESTIONS, Intake, RedFlagAnswers
from kneeline.assess.types import whole
from kneeline.errors import DataError
from kneeline.evidence import Sourced, data_text

__all__ = [
    "Urgency", "UrgencyInfo", "FlagDefinition", "RedFlagData", "ReferralReason", "Referral", "Screen",
    "OTTAWA_AGE_FLAG", "CHILD_FLAG", "SEVERE_PAIN_FLAG", "load_red_flags", "screen",
]

Urgency = Literal["emergency", "same-day", "x-ray", "urgent", "own-clinician", "rheumatology", "routine"]

OTTAWA_AGE_FLAG = "age_55_or_over_after_injury"
"""Identifier of the Ottawa age reason in a referral (the age itself lives in ``red_flags.yaml``)."""
CHILD_FLAG = "child_under_age_policy"
"""Identifier of the age-policy reason (under ``child_below_years`` of ``red_flags.yaml``)."""
SEVERE_PAIN_FLAG = "severe_pain_at_rest"
"""Identifier of the severe-pain reason (pain now at or above ``severe_pain_min``)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class UrgencyInfo(_Frozen):
    """One level of urgency and the advice that goes with it."""

    id: Urgency
    title: str = Field(description="What to do and how soon, in plain words")
    advice: str
    source: str = Field(min_length=4)
    provisional: bool = False


class FlagDefinition(_Frozen):
    """One red flag: its question, why it matters, and how urgent it is."""

    id: str
    question: str
    reason: str
    urgency: Urgency
    after_injury_only: bool
    source: str = Field(min_length=4)
    provisional: bool = False


class RedFlagData(_Frozen):
    """Contents of ``red_flags.yaml``; urgencies most urgent first."""

    ottawa_age_years: Sourced
    child_below_years: Sourced
    adult_from_years: Sourced
    severe_pain_min: Sourced
    urgencies: tuple[UrgencyInfo, ...]
    flags: tuple[FlagDefinition, ...]

    def urgency(self, urgency_id: str) -> UrgencyInfo:
        """Return the urgency called ``urgency_id``."""
        return next(u for u in self.urgencies if u.id == urgency_id)

    def rank(self, urgency_id: str) -> int:
        """Position of an urgency, 0 = most urgent."""
        return [str(u.id) for u in self.urgencies].index(urgency_id)


@lru_cache(maxsize=1)
def load_red_flags() -> RedFlagData:
    """Load ``red_flags.yaml`` and check it covers exactly the flags of :class:`RedFlagAnswers`.

    Raises
    ------
    DataError
        If the file is malformed, names an urgency twice, or disagrees with the intake model.
    """
    try:
        data = RedFlagData.model_validate(yaml.safe_load(data_text("red_flags.yaml")))
    except PydanticValidationError as exc:
        raise DataError(f"red_flags.yaml is invalid: {exc}") from exc
    ids = [f.id for f in data.flags]
    if sorted(ids) != sorted(RedFlagAnswers.model_fields) or len(set(ids)) != len(ids):
        raise DataError("red_flags.yaml must define each flag of RedFlagAnswers exactly once; "
                        f"differences: {sorted(set(ids) ^ set(RedFlagAnswers.model_fields))}")
    if len({u.id for u in data.urgencies}) != len(data.urgencies) or {
            f.urgency for f in data.flags} - {u.id for u in data.urgencies}:
        raise DataError("red_flags.yaml: urgencies must be unique and cover every flag's urgency")
    return data


class ReferralReason(_Frozen):
    """One reason to refer."""

    flag: str
    urgency: Urgency
    message: str
    source: str


class Referral(_Frozen):
    """Where to go and why: the most urgent reason decides the urgency."""

    urgency: Urgency
    title: str
    advice: str
    reasons: list[ReferralReason]
    note: str = Field(description="That this informs and does not diagnose")


class Screen(_Frozen):
    """Result of the red-flag screen."""

    referred: bool
    referral: Referral | None = None
    notes: list[str] = Field(default_factory=list, description="Things worth knowing that are not referrals")


_NOTE = ("Your exercise program waits until then: kneeline has not prepared one. After you have been seen, "
         "update your answers and follow what you were told. kneeline does not diagnose; these answers only "
         "mean that someone should check your knee first.")


def screen(intake: Intake) -> Screen:
    """Screen the intake for red flags.

    Parameters
    ----------
    intake
        Validated answers.

    Returns
    -------
    Screen
        ``referred`` is True when any red flag is present; the referral then carries every reason
        and the most urgent level among them.
    """
    data = load_red_flags()
    answers = intake.red_flags.model_dump()
    reasons: list[ReferralReason] = []
    notes: list[str] = []
    for flag in data.flags:
        if not answers[flag.id]:
            continue
        if flag.after_injury_only and not intake.recent_injury:
            notes.append(f"You answered yes to \"{flag.question}\" but reported no recent injury; the "
                         "Ottawa knee rules apply after an injury. If this is new or getting worse, see a doctor.")
            continue
        reasons.append(ReferralReason(flag=flag.id, urgency=flag.urgency, message=flag.reason, source=flag.source))
    reasons.extend(_answer_reasons(intake, data))
    notes.extend(_akps_notes(intake))
    notes.extend(_not_asked_notes(intake))
    if not reasons:
        return Screen(referred=False, notes=notes)
    top = min(reasons, key=lambda r: data.rank(r.urgency))
    info = data.urgency(top.urgency)
    ordered = sorted(reasons, key=lambda r: data.rank(r.urgency))
    return Screen(referred=True, notes=notes, referral=Referral(
        urgency=top.urgency, title=info.title, advice=info.advice, reasons=ordered, note=_NOTE))


def _answer_reasons(intake: Intake, data: RedFlagData) -> list[ReferralReason]:
    """Reasons that come from the answers themselves: Ottawa age, the age policy, severe pain at rest."""
    out: list[ReferralReason] = []
    age_limit = whole(data.ottawa_age_years)
    if intake.recent_injury and intake.age >= age_limit:
        out.append(ReferralReason(
            flag=OTTAWA_AGE_FLAG, urgency="x-ray",
            message=f"After an injury at age {age_limit} or over, a doctor should check whether an X-ray is needed.",
            source=data.ottawa_age_years.source))
    child = whole(data.child_below_years)
    if intake.age < child:
        out.append(ReferralReason(
            flag=CHILD_FLAG, urgency="routine",
            message=(f"Knee pain in children under {child} often has causes that need an examination first (the "
                     "growing parts of the bones, or the hip); kneeline's program is for older children and adults."),
            source=data.child_below_years.source))
    severe = whole(data.severe_pain_min)
    if intake.pain_now >= severe:
        out.append(ReferralReason(
            flag=SEVERE_PAIN_FLAG, urgency="urgent",
            message=(f"Your pain now is {intake.pain_now}/10, in the severe range ({severe}/10 or more). Exercise "
                     "should not take knee pain above 5/10, so a doctor should look at the knee and at pain relief "
                     "before you start."),
            source=data.severe_pain_min.source))
    return out


def _not_asked_notes(intake: Intake) -> list[str]:
    """A note when a stored intake predates some of today's questions."""
    if not intake.not_asked:
        return []
    names = "; ".join(ADDED_QUESTIONS.get(k, k) for k in intake.not_asked)
    return [f"Your intake was saved before kneeline asked about: {names}. Please update your intake so these "
            "are answered."]


def _akps_notes(intake: Intake) -> list[str]:
    """Notes when AKPS answers mention kneecap dislocations that the red-flag answers did not."""
    if intake.akps is None or intake.red_flags.kneecap_dislocation:
        return []
    if intake.akps.get("kneecap_movements") in ("one_dislocation", "more_than_two_dislocations"):
        return ["Your AKPS answers mention a kneecap dislocation. If it has not been checked by a doctor, "
                "please have it checked before starting the exercises."]
    return []

"""The intake: who the person is, where the knee hurts, and the red-flag answers.

:class:`Intake` is the one validated form of the answers, whether they come from the interactive
``kneeline intake``, an answers file or (later) the web app.  Its JSON Schema, with the questions
read from the data files, is published by :func:`intake_json_schema`.
"""

from __future__ import annotations

from datetime import date as Date
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    ValidationInfo,
    field_validator,
    model_validator,
)

from kneeline.assess.questionnaires import (
    NPRS_MAX,
    NPRS_MIN,
    Nprs,
    OutcomeAnswers,
    OutcomeScores,
    QuestionnaireValidators,
    load_akps,
    load_koos_pf,
    score_akps,
    score_koos_pf,
)
from kneeline.assess.types import whole
from kneeline.assess.validation import parse_model
from kneeline.errors import DataError

__all__ = [
    "Sex", "Knee", "PainLocation", "Aggravator", "PAIN_LOCATIONS", "AGGRAVATORS", "AGE_MAX",
    "DURATION_WEEKS_MAX", "Pregnancy", "STORED", "ADDED_QUESTIONS", "RedFlagAnswers", "Intake", "parse_intake",
    "stored_intake", "outcome_answers", "intake_scores", "intake_json_schema",
]

Sex = Literal["female", "male", "other"]
Knee = Literal["left", "right", "both"]
PainLocation = Literal["front", "inside", "outside", "back"]
Aggravator = Literal["running", "stairs", "squatting", "sitting", "jumping", "walking"]
Pregnancy = Literal["no", "first_trimester", "after_first_trimester"]

PAIN_LOCATIONS: tuple[str, ...] = get_args(PainLocation)
AGGRAVATORS: tuple[str, ...] = get_args(Aggravator)

AGE_MAX = 120
"""Plausibility limit for age in years (input check, not a clinical threshold)."""
DURATION_WEEKS_MAX = 5200
"""Plausibility limit for symptom duration, 100 years (input check, not a clinical threshold)."""

STORED: dict[str, bool] = {"stored": True}
"""Validation context for an intake read back from storage (saved by an earlier kneeline)."""

ADDED_QUESTIONS: dict[str, str] = {
    "red_flags.hot_red_swollen_no_fever": "a hot, red, swollen knee without fever",
    "red_flags.foot_numb_or_tingling": "numbness or tingling in the foot",
    "red_flags.foot_cold_pale_or_blue": "a cold, pale or blue foot",
    "red_flags.recent_knee_procedure": "knee surgery or an injection in the last 3 months",
    "pregnancy": "pregnancy",
}
"""Questions added after the first release: an older stored intake lacks them (see :func:`stored_intake`)."""

_OLD_FOOT_FLAG = "numbness_or_cold_foot"
"""The earlier combined foot question, split into a nerve and a circulation question."""


def _upgrade_stored(data: Any) -> Any:
    """An older stored intake, with the questions it never asked filled in and listed in ``not_asked``.

    The old combined foot answer counts for both new foot questions (it asked about both; a "yes"
    cannot tell which, so the more urgent one must be assumed).  A question that was never asked is
    filled with "no" and named in ``not_asked``, so the screen can ask the person to update the intake.
    """
    if not isinstance(data, dict) or not isinstance(data.get("red_flags"), dict):
        return data
    flags = dict(data["red_flags"])
    not_asked = list(data.get("not_asked") or [])
    if _OLD_FOOT_FLAG in flags:
        old = flags.pop(_OLD_FOOT_FLAG)
        flags.setdefault("foot_numb_or_tingling", old)
        flags.setdefault("foot_cold_pale_or_blue", old)
    for key in ADDED_QUESTIONS:
        name = key.removeprefix("red_flags.")
        holder = flags if key.startswith("red_flags.") else data
        if name not in holder and key not in not_asked:
            not_asked.append(key)
    for key in not_asked:
        if key.startswith("red_flags."):
            flags.setdefault(key.removeprefix("red_flags."), False)
    out = {**data, "red_flags": flags, "not_asked": not_asked}
    if "pregnancy" in not_asked:
        out.setdefault("pregnancy", "no")
    return out


class RedFlagAnswers(BaseModel):
    """Yes/no answers to the red-flag questions (``red_flags.yaml`` holds the questions and rules).

    Every flag must be answered explicitly: a missing answer is an error, never a silent "no".
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    cannot_walk_4_steps: StrictBool
    cannot_bend_90: StrictBool
    tender_kneecap_after_injury: StrictBool
    tender_fibular_head_after_injury: StrictBool
    hot_red_swollen_with_fever: StrictBool
    hot_red_swollen_no_fever: StrictBool
    locking: StrictBool
    giving_way: StrictBool
    sudden_large_swelling: StrictBool
    kneecap_dislocation: StrictBool
    cannot_straighten_knee: StrictBool
    foot_numb_or_tingling: StrictBool
    foot_cold_pale_or_blue: StrictBool
    night_or_constant_pain: StrictBool
    unexplained_weight_loss: StrictBool
    lump: StrictBool
    calf_pain_swelling: StrictBool
    morning_stiffness_over_30min: StrictBool
    several_swollen_joints: StrictBool
    psoriasis_or_bowel_disease: StrictBool
    child_with_limp: StrictBool
    recent_knee_procedure: StrictBool

    @classmethod
    def none_present(cls) -> RedFlagAnswers:
        """All answers "no" (for tests and examples)."""
        return cls(**dict.fromkeys(cls.model_fields, False))


class Intake(QuestionnaireValidators):
    """Validated intake answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    age: Annotated[StrictInt, Field(ge=0, le=AGE_MAX, description="Age in years")]
    sex: Sex = Field(description="Used to pick the healthy reference range")
    knee: Knee = Field(description="Which knee hurts")
    pain_locations: list[PainLocation] = Field(description="Where the knee hurts")
    aggravating: list[Aggravator] = Field(description="What brings the pain on")
    pain_now: Nprs = Field(description="Pain now, 0 = none, 10 = worst imaginable")
    pain_worst_week: Nprs = Field(description="Worst pain in the last week, 0-10")
    duration_weeks: Annotated[float, Field(strict=True, ge=0, le=DURATION_WEEKS_MAX,
                                           description="How many weeks the pain has lasted")]
    recent_injury: StrictBool = Field(description="Did the pain start with a recent injury (fall, twist, blow)?")
    pregnancy: Pregnancy = Field(description="Are you pregnant? no / yes, up to week 12 / yes, week 13 or later")
    red_flags: RedFlagAnswers
    confirmed: list[str] = Field(default_factory=list, description=(
        "Ids of answers that contradict each other and that the person confirmed as right "
        "(see kneeline.assess.consistency)"))
    not_asked: list[str] = Field(default_factory=list, description=(
        "Questions this intake never asked (filled only when an intake saved by an earlier kneeline is read)"))
    date: Date | None = Field(default=None, description="Date of the answers (YYYY-MM-DD)")
    akps: dict[str, str] | None = Field(default=None, description="Optional AKPS answers: item id -> answer id")
    koos_pf: dict[str, StrictInt | None] | None = Field(
        default=None, description="Optional KOOS-PF answers: item id -> 0-4 (or null)")

    @model_validator(mode="before")
    @classmethod
    def _stored_upgrade(cls, data: Any, info: ValidationInfo) -> Any:
        if isinstance(info.context, dict) and info.context.get("stored"):
            return _upgrade_stored(data)
        return data

    @field_validator("pain_locations", "aggravating", "confirmed")
    @classmethod
    def _unique(cls, v: list[str]) -> list[str]:
        if len(set(v)) != len(v):
            raise ValueError(f"each answer at most once, got {v}")
        return v


def parse_intake(data: Any) -> Intake:
    """Validate new intake answers (a dict parsed from JSON): every question answered, no contradiction.

    Raises
    ------
    ValidationError
        Naming each wrong field and its allowed values, or both fields of answers that contradict
        each other and have not been confirmed.
    """
    from kneeline.assess.consistency import check_consistent

    intake = parse_model(Intake, data, "intake answers")
    check_consistent(intake)
    return intake


def stored_intake(data: Any) -> Intake:
    """An intake read back from storage; one saved before questions were added still loads.

    Questions it never asked are listed in ``not_asked`` (the screen then asks for an update).
    """
    return Intake.model_validate(data, context=STORED)


def outcome_answers(intake: Intake, on: Date | None = None) -> OutcomeAnswers | None:
    """The outcome-measure part of an intake, or None when it has no date to file it under."""
    when = intake.date or on
    if when is None:
        return None
    return OutcomeAnswers(date=when, akps=intake.akps, koos_pf=intake.koos_pf,
                          nprs_now=intake.pain_now, nprs_worst_week=intake.pain_worst_week)


def intake_scores(intake: Intake) -> OutcomeScores:
    """Score the questionnaires answered in an intake, with its pain ratings as NPRS."""
    return OutcomeScores(
        date=intake.date,
        akps=score_akps(intake.akps) if intake.akps is not None else None,
        koos_pf=score_koos_pf(intake.koos_pf) if intake.koos_pf is not None else None,
        nprs_now=intake.pain_now, nprs_worst_week=intake.pain_worst_week)


def intake_json_schema() -> dict[str, Any]:
    """JSON Schema of the intake answers, with the red-flag questions and questionnaire items filled in.

    Raises
    ------
    DataError
        If ``red_flags.yaml`` and :class:`RedFlagAnswers` do not name the same flags.
    """
    from kneeline.assess.redflags import load_red_flags

    schema = Intake.model_json_schema()
    flags = {f.id: f for f in load_red_flags().flags}
    props = schema["$defs"]["RedFlagAnswers"]["properties"]
    if set(flags) != set(props):
        raise DataError(f"red_flags.yaml and RedFlagAnswers disagree: {sorted(set(flags) ^ set(props))}")
    for key, prop in props.items():
        suffix = " (counts only after a recent injury)" if flags[key].after_injury_only else ""
        prop["description"] = flags[key].question + suffix
    schema["properties"]["akps"] = {
        "anyOf": [{"type": "object", "additionalProperties": False, "properties": {
            item.id: {"enum": [o.id for o in item.options], "description": item.question}
            for item in load_akps().items}}, {"type": "null"}],
        "default": None, "description": "Optional AKPS answers: every item, one answer id each"}
    koos = load_koos_pf()
    schema["properties"]["koos_pf"] = {
        "anyOf": [{"type": "object", "additionalProperties": False, "properties": {
            item.id: {"anyOf": [{"type": "integer", "minimum": 0, "maximum": whole(koos.item_max)},
                                {"type": "null"}], "description": item.text}
            for item in koos.items}}, {"type": "null"}],
        "default": None, "description": "Optional KOOS-PF answers: 0 = no problem ... 4 = extreme"}
    schema["$comment"] = f"Pain scales are whole numbers {NPRS_MIN}-{NPRS_MAX}."
    return schema

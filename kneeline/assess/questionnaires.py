"""Outcome measures: AKPS (Kujala), KOOS-PF and NPRS; scoring and change between two dates.

Item definitions and points live in ``kneeline/data/akps.yaml`` and ``koos_pf.yaml``; the minimal
important changes in ``outcomes.yaml`` (sources: ``../shared/evidence.md`` section 5).  Every answer
is checked against the allowed values before anything is scored.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from datetime import date as Date
from functools import lru_cache
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StrictInt, field_validator
from pydantic import ValidationError as PydanticValidationError

from kneeline.assess.types import number, whole
from kneeline.errors import DataError
from kneeline.evidence import Sourced, data_text, load_sourced, value

__all__ = [
    "NPRS_MIN", "NPRS_MAX", "Nprs", "AkpsOption", "AkpsItem", "AkpsDefinition", "KoosPfItem",
    "KoosPfDefinition", "load_akps", "load_koos_pf", "check_akps_answers", "check_koos_pf_answers",
    "AkpsScore", "KoosPfScore", "OutcomeAnswers", "OutcomeScores", "Verdict", "Change",
    "score_akps", "score_koos_pf", "score_outcomes", "interpret_change", "compare_outcomes",
]

NPRS_MIN = 0
"""Lowest point of the 0-10 numeric pain rating scale (scale definition, evidence.md §5)."""
NPRS_MAX = 10
"""Highest point of the 0-10 numeric pain rating scale (scale definition, evidence.md §5)."""

Nprs = Annotated[StrictInt, Field(ge=NPRS_MIN, le=NPRS_MAX)]
"""A 0-10 pain rating, whole numbers only."""

Verdict = Literal["improved", "no clear change", "worsened"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AkpsOption(_Frozen):
    """One answer of an AKPS item and its points."""

    id: str
    label: str
    points: int
    provisional: bool = False
    note: str = ""


class AkpsItem(_Frozen):
    """One AKPS item: the question, its maximum and its answers."""

    id: str
    question: str
    max_points: int
    source: str = Field(min_length=4)
    provisional: bool = False
    note: str = ""
    options: tuple[AkpsOption, ...]

    def option(self, option_id: str) -> AkpsOption:
        """Return the answer called ``option_id``.

        Raises
        ------
        KeyError
            If the item has no such answer.
        """
        for opt in self.options:
            if opt.id == option_id:
                return opt
        raise KeyError(option_id)


class AkpsDefinition(_Frozen):
    """The whole AKPS as data."""

    total_max: Sourced
    items: tuple[AkpsItem, ...]


class KoosPfItem(_Frozen):
    """One KOOS-PF item (a short description; see ``koos_pf.yaml``)."""

    id: str
    text: str
    scale: str
    source: str = Field(min_length=4)
    provisional: bool = False


class KoosScale(_Frozen):
    """Labels of the five answer boxes 0-4."""

    labels: tuple[str, ...]
    source: str = Field(min_length=4)
    provisional: bool = False


class KoosPfDefinition(_Frozen):
    """The KOOS-PF as data."""

    item_max: Sourced
    score_max: Sourced
    min_answered_fraction: Sourced
    items: tuple[KoosPfItem, ...]
    scales: dict[str, KoosScale]


def _load_yaml(filename: str) -> Any:
    return yaml.safe_load(data_text(filename))


@lru_cache(maxsize=1)
def load_akps() -> AkpsDefinition:
    """Load and check ``akps.yaml`` (each item's maximum is its best answer; maxima sum to 100).

    Raises
    ------
    DataError
        If the file is malformed or its points do not add up.
    """
    try:
        akps = AkpsDefinition.model_validate(_load_yaml("akps.yaml"))
    except PydanticValidationError as exc:
        raise DataError(f"akps.yaml is invalid: {exc}") from exc
    for item in akps.items:
        best = max(o.points for o in item.options)
        if best != item.max_points:
            raise DataError(f"akps.yaml: item {item.id!r} max_points {item.max_points} but best answer {best}")
    total = sum(i.max_points for i in akps.items)
    if total != whole(akps.total_max):
        raise DataError(f"akps.yaml: item maxima sum to {total}, expected {akps.total_max.value}")
    return akps


@lru_cache(maxsize=1)
def load_koos_pf() -> KoosPfDefinition:
    """Load and check ``koos_pf.yaml``.

    Raises
    ------
    DataError
        If the file is malformed or an item names an unknown answer scale.
    """
    try:
        koos = KoosPfDefinition.model_validate(_load_yaml("koos_pf.yaml"))
    except PydanticValidationError as exc:
        raise DataError(f"koos_pf.yaml is invalid: {exc}") from exc
    for item in koos.items:
        if item.scale not in koos.scales:
            raise DataError(f"koos_pf.yaml: item {item.id!r} uses unknown scale {item.scale!r}")
    for name, scale in koos.scales.items():
        if len(scale.labels) != whole(koos.item_max) + 1:
            raise DataError(f"koos_pf.yaml: scale {name!r} needs {whole(koos.item_max) + 1} labels")
    return koos


def check_akps_answers(answers: Mapping[str, Any]) -> dict[str, str]:
    """Check AKPS answers: every item answered once with one of its allowed answers.

    Raises
    ------
    ValueError
        Naming the item, what arrived and the allowed answers (pydantic turns it into a field error).
    """
    akps = load_akps()
    known = {i.id: i for i in akps.items}
    problems = [f"unknown item {k!r} (items: {', '.join(known)})" for k in answers if k not in known]
    for item in akps.items:
        allowed = ", ".join(o.id for o in item.options)
        if item.id not in answers:
            problems.append(f"item {item.id!r} is missing (allowed answers: {allowed})")
            continue
        got = answers[item.id]
        if not isinstance(got, str) or got not in {o.id for o in item.options}:
            problems.append(f"item {item.id!r} got {got!r} (allowed answers: {allowed})")
    if problems:
        raise ValueError("; ".join(problems))
    return {k: str(v) for k, v in answers.items()}


def check_koos_pf_answers(answers: Mapping[str, Any]) -> dict[str, int | None]:
    """Check KOOS-PF answers: known items, each a whole number 0-4 or null (unanswered).

    Raises
    ------
    ValueError
        Naming the item, what arrived and the allowed values.
    """
    koos = load_koos_pf()
    top = whole(koos.item_max)
    known = [i.id for i in koos.items]
    problems = [f"unknown item {k!r} (items: {', '.join(known)})" for k in answers if k not in known]
    for key, got in answers.items():
        if key in known and got is not None and (type(got) is not int or not 0 <= got <= top):
            problems.append(f"item {key!r} got {got!r} (allowed: a whole number from 0 to {top}, or null)")
    if problems:
        raise ValueError("; ".join(problems))
    return {k: answers.get(k) for k in known}


class AkpsScore(_Frozen):
    """AKPS total and item points."""

    score: int = Field(description="0-100, 100 = no problems")
    items: dict[str, int]
    provisional: bool = Field(description="True when an answer with disputed points was used")


class KoosPfScore(_Frozen):
    """KOOS-PF score and how many items it rests on."""

    score: float = Field(description="0-100, 100 = no problems")
    answered: int
    of: int


class QuestionnaireValidators(BaseModel):
    """Checks of ``akps`` and ``koos_pf`` answers, shared by every model that holds them."""

    @field_validator("akps", check_fields=False)
    @classmethod
    def _akps(cls, v: dict[str, str] | None) -> dict[str, str] | None:
        return None if v is None else check_akps_answers(v)

    @field_validator("koos_pf", check_fields=False)
    @classmethod
    def _koos(cls, v: dict[str, int | None] | None) -> dict[str, int | None] | None:
        return None if v is None else check_koos_pf_answers(v)


class OutcomeAnswers(QuestionnaireValidators):
    """Answers to the outcome measures on one date (all parts optional)."""

    model_config = ConfigDict(extra="forbid")

    date: Date
    akps: dict[str, str] | None = Field(default=None, description="AKPS item id -> answer id")
    koos_pf: dict[str, StrictInt | None] | None = Field(default=None, description="KOOS-PF item id -> 0-4")
    nprs_now: Nprs | None = None
    nprs_worst_week: Nprs | None = None



class OutcomeScores(_Frozen):
    """Scores on one date (the date may be unknown for an undated intake)."""

    date: Date | None = None
    akps: AkpsScore | None = None
    koos_pf: KoosPfScore | None = None
    nprs_now: int | None = None
    nprs_worst_week: int | None = None


def score_akps(answers: Mapping[str, str]) -> AkpsScore:
    """Sum the AKPS points of checked answers (see :func:`check_akps_answers`).

    Raises
    ------
    ValueError
        If the answers are incomplete or not allowed.
    """
    checked = check_akps_answers(answers)
    items = {item.id: item.option(checked[item.id]) for item in load_akps().items}
    return AkpsScore(score=sum(o.points for o in items.values()),
                     items={k: o.points for k, o in items.items()},
                     provisional=any(o.provisional for o in items.values()))


def score_koos_pf(answers: Mapping[str, int | None]) -> KoosPfScore | None:
    """KOOS convention: 100 - mean item score / 4 x 100; None when under half the items are answered.

    Raises
    ------
    ValueError
        If an answer is not allowed.
    """
    koos = load_koos_pf()
    given = [v for v in check_koos_pf_answers(answers).values() if v is not None]
    need = math.ceil(number(koos.min_answered_fraction) * len(koos.items))
    if len(given) < need:
        return None
    mean = sum(given) / len(given)
    top, full = number(koos.item_max), number(koos.score_max)
    return KoosPfScore(score=round(full - mean / top * full, 1), answered=len(given), of=len(koos.items))


def score_outcomes(answers: OutcomeAnswers) -> OutcomeScores:
    """Score every measure present in ``answers``."""
    return OutcomeScores(
        date=answers.date,
        akps=score_akps(answers.akps) if answers.akps is not None else None,
        koos_pf=score_koos_pf(answers.koos_pf) if answers.koos_pf is not None else None,
        nprs_now=answers.nprs_now, nprs_worst_week=answers.nprs_worst_week,
    )


class Change(_Frozen):
    """Change of one measure between two dates, judged against its minimal important change."""

    measure: str
    before: float
    after: float
    difference: float = Field(description="after - before")
    mic: str = Field(description="The minimal important change used, in words")
    verdict: Verdict
    text: str
    source: str


def interpret_change(measure: Literal["akps", "koos_pf", "nprs"], before: float, after: float,
                     label: str | None = None) -> Change:
    """Judge a change: improved / no clear change / worsened, by the minimal important change.

    AKPS and KOOS-PF: higher is better; NPRS: lower is better, and a change counts when it reaches
    either the point or the percentage threshold of ``outcomes.yaml`` and also the NPRS measurement
    error (so 3 -> 2, 33 % but 1 point, is no clear change).
    """
    diff = round(after - before, 1)
    if measure == "nprs":
        pts = float(value("outcomes.yaml", "nprs_mic_points"))
        pct = float(value("outcomes.yaml", "nprs_mic_percent"))
        error = float(value("outcomes.yaml", "nprs_measurement_error_points"))
        relative = abs(diff) / before * 100 if before > 0 else 0.0
        important = abs(diff) >= error and (abs(diff) >= pts or relative >= pct)
        verdict: Verdict = "no clear change" if not important else ("improved" if diff < 0 else "worsened")
        mic = (f"{pts:g} points or {pct:g}% of the earlier score, and at least the measurement error of "
               f"{error:g} points")
        src = _source("nprs_mic_points")
        name, unit = "Pain (NPRS)", "/10"
    else:
        key = "akps_mic_points" if measure == "akps" else "koos_pf_mic_points"
        pts = float(value("outcomes.yaml", key))
        verdict = "no clear change" if abs(diff) < pts else ("improved" if diff > 0 else "worsened")
        mic, src = f"{pts:g} points", _source(key)
        name, unit = ("AKPS" if measure == "akps" else "KOOS-PF"), "/100"
    name = label or name
    text = (f"{name}: {before:g}{unit} -> {after:g}{unit} ({diff:+g}); {verdict} "
            f"(the smallest change that matters is {mic}).")
    return Change(measure=measure, before=before, after=after, difference=diff, mic=mic,
                  verdict=verdict, text=text, source=src)


def _source(key: str) -> str:
    return load_sourced("outcomes.yaml")[key].source


def compare_outcomes(first: OutcomeScores, second: OutcomeScores) -> list[Change]:
    """Changes of every measure scored on both dates, earlier date first whatever the argument order."""
    swap = first.date is not None and second.date is not None and second.date < first.date
    before, after = (second, first) if swap else (first, second)
    out: list[Change] = []
    if before.akps and after.akps:
        out.append(interpret_change("akps", before.akps.score, after.akps.score))
    if before.koos_pf and after.koos_pf:
        out.append(interpret_change("koos_pf", before.koos_pf.score, after.koos_pf.score))
    if before.nprs_worst_week is not None and after.nprs_worst_week is not None:
        out.append(interpret_change("nprs", before.nprs_worst_week, after.nprs_worst_week,
                                    "Worst pain in the last week (NPRS)"))
    elif before.nprs_now is not None and after.nprs_now is not None:
        out.append(interpret_change("nprs", before.nprs_now, after.nprs_now, "Pain now (NPRS)"))
    return out

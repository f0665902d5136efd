"""Prescription: a combined hip-and-knee program chosen from the findings and the pain.

Built from the slot template of ``program.yaml``: hip exercises first (Dolak 2011), knee exercises
after them (combined program, Crossley 2016; Collins 2018), 2-4 sets of >= 10 reps (Harvie 2011),
6 weeks and 3 sessions a week by default.  The starting level of each chain depends on the pain band
(the pain-monitoring zones of ``pain_monitoring.yaml``) and on the movement findings.
"""

from __future__ import annotations

from datetime import date as Date
from functools import lru_cache
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from kneeline.assess.findings import Assessment
from kneeline.assess.intake import Intake, Knee
from kneeline.assess.redflags import load_red_flags
from kneeline.assess.types import Leg, number, whole
from kneeline.errors import DataError, ValidationError
from kneeline.evidence import Sourced, data_text, load_sourced
from kneeline.program.library import Category, Exercise, Focus, Library, load_library

__all__ = [
    "PainBand", "Phase", "ProgramExercise", "ProgramNotes", "Program", "pain_band", "program_texts",
    "prescribe", "starting_band", "intake_notes",
]

PainBand = Literal["low", "moderate", "standard"]
Phase = Literal["warm-up", "strength", "form", "mobility"]
_BANDS: tuple[PainBand, ...] = ("low", "moderate", "standard")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Slot(_Frozen):
    slot: str
    phase: Phase
    weight_bearing_knee: bool = False
    start: dict[PainBand, str | None]
    valgus: dict[PainBand, str | None] | None = None
    pelvic_drop: dict[PainBand, str | None] | None = None
    itb_like: dict[PainBand, str | None] | None = None
    not_supine: dict[PainBand, str | None] | None = None
    why: str


class _ProgramData(_Frozen):
    weeks: Sourced
    sessions_per_week: Sourced
    weeks_max: Sourced
    hip_first_knee_start_week: Sourced
    texts: dict[str, Sourced]
    slots: tuple[_Slot, ...]


@lru_cache(maxsize=1)
def _program_data() -> _ProgramData:
    try:
        data = _ProgramData.model_validate(yaml.safe_load(data_text("program.yaml")))
    except PydanticValidationError as exc:
        raise DataError(f"program.yaml is invalid: {exc}") from exc
    lib = load_library()
    for slot in data.slots:
        for table in (slot.start, slot.valgus, slot.pelvic_drop, slot.itb_like, slot.not_supine):
            for ex_id in (table or {}).values():
                if ex_id is not None and (ex_id not in lib.exercises or lib.exercises[ex_id].dose is None):
                    raise DataError(f"program.yaml: slot {slot.slot!r} names {ex_id!r}, not a prescribable exercise")
        for table in (slot.start, slot.valgus, slot.pelvic_drop, slot.itb_like):
            supine = [i for i in (table or {}).values() if i is not None and lib.exercises[i].supine]
            if supine and slot.not_supine is None:
                raise DataError(f"program.yaml: slot {slot.slot!r} can start lying on the back ({supine}) but has "
                                "no not_supine alternative")
    return data


class ProgramExercise(_Frozen):
    """One exercise of a program with its starting dose."""

    slot: str = Field(description="The chain position this exercise fills; progression moves within it")
    id: str
    name: str
    phase: Phase
    category: Category
    focus: Focus
    start_week: int = Field(description="Week of the program in which it starts")
    sets: int
    reps: int | None
    hold_s: int | None
    rest_s: int
    each_side: bool
    cues: list[str]
    why: str
    evidence: str
    video_check: str | None = Field(description="The kneeline test and camera view that can check it, if any")


class ProgramNotes(_Frozen):
    """The explanations that come with every program."""

    combined: str
    dose: str
    pain_rule: str
    mobility: str
    supplements: str
    other_options: str
    see_physio: str


class Program(_Frozen):
    """A program: weeks, sessions and exercises in session order."""

    weeks: int
    sessions_per_week: int
    knee: Knee
    pain_band: PainBand = Field(description="Starting level from pain (see pain_band): low, moderate or standard")
    start_date: Date | None = None
    pain_model: str | None = Field(default=None, description=(
        "Variant of the pain-monitoring model; None = the default of pain_monitoring.yaml"))
    unlocked: list[str] = Field(default_factory=list, description=(
        "Clinician-only exercises (progression.yaml clinician_unlock) a clinician allowed progression to"))
    avoid_supine: bool = Field(default=False, description=(
        "No exercise lying on the back, and no progression to one (pregnancy after week 12)"))
    exercises: list[ProgramExercise]
    form_cues: list[str]
    notes: ProgramNotes
    sources: list[str]


def pain_band(pain_now: int, pain_worst_week: int | None = None) -> PainBand:
    """Starting level from the pain zones of the pain-monitoring model.

    Pain now above the acceptable zone -> low; in the acceptable zone -> moderate; in the safe zone
    -> standard, except that a worst pain of the week above the acceptable zone caps it at moderate.
    """
    table = load_sourced("pain_monitoring.yaml")
    acceptable, safe = number(table["acceptable_max"]), number(table["safe_max"])
    if pain_now > acceptable:
        return "low"
    if pain_now > safe or (pain_worst_week is not None and pain_worst_week > acceptable):
        return "moderate"
    return "standard"


def program_texts() -> dict[str, Sourced]:
    """The explanation texts of ``program.yaml``, with the pain-rule numbers filled in from data."""
    table = load_sourced("pain_monitoring.yaml")
    numbers = {k: v.value for k, v in table.items()}
    numbers["pain_now"] = "{pain_now}"
    return {k: v.model_copy(update={"value": str(v.value).format(**numbers)})
            for k, v in _program_data().texts.items()}


def _choose(slot: _Slot, band: PainBand, assessment: Assessment, avoid_supine: bool = False) -> str | None:
    """Starting exercise of a slot: finding-specific start when present, else the pain-band start.

    With ``avoid_supine`` an exercise lying on the back is replaced by the slot's ``not_supine`` one.
    """
    chosen = slot.start[band]
    overrides: list[tuple[bool, dict[PainBand, str | None] | None]] = [
        (assessment.pattern.pattern == "itb-like", slot.itb_like),
        (bool(assessment.movement.pelvic_drop), slot.pelvic_drop),
        (bool(assessment.movement.valgus), slot.valgus),
    ]
    for present, table in overrides:
        if present and table is not None and table.get(band) is not None:
            chosen = table[band]
    if avoid_supine and chosen is not None and load_library().exercises[chosen].supine:
        chosen = (slot.not_supine or {}).get(band)
    return chosen


def starting_band(intake: Intake) -> PainBand:
    """The pain band, capped at "moderate" for adolescents (age policy of ``red_flags.yaml``)."""
    band = pain_band(intake.pain_now, intake.pain_worst_week)
    if intake.age < whole(load_red_flags().adult_from_years) and band == "standard":
        return "moderate"
    return band


def intake_notes(intake: Intake) -> list[str]:
    """Notes a program carries for this person: adolescents, pregnancy, pain now above the acceptable zone."""
    texts, notes = program_texts(), []
    if intake.age < whole(load_red_flags().adult_from_years):
        notes.append(str(texts["adolescent"].value))
    if intake.pregnancy != "no":
        notes.append(str(texts[f"pregnancy_{intake.pregnancy}"].value))
    acceptable = number(load_sourced("pain_monitoring.yaml")["acceptable_max"])
    if intake.pain_now > acceptable:
        notes.append(str(texts["pain_above_acceptable"].value).replace("{pain_now}", str(intake.pain_now)))
    return notes


def _finding_cues(ex: Exercise, assessment: Assessment) -> list[str]:
    """Cues tied to the movement findings, for the exercises they concern."""
    cues: list[str] = []
    if not ex.weight_bearing:
        return cues
    for side, fppa in sorted(assessment.movement.valgus.items()):
        cues.append(f"{side.capitalize()} leg: keep the knee over the second toe; your video showed it "
                    f"moving inwards (FPPA {fppa:.0f}°).")
    if ex.each_side:
        for side, drop in sorted(assessment.movement.pelvic_drop.items()):
            cues.append(f"Standing on the {side} leg: keep the hips level; your video showed the other side "
                        f"dropping ({drop:.1f}°).")
    return cues


def _form_cues(assessment: Assessment) -> list[str]:
    cues = ["Knees stay in line with the toes; no inward collapse, in exercises and on stairs."]
    sides: dict[Leg, list[str]] = {}
    for side, fppa in assessment.movement.valgus.items():
        sides.setdefault(side, []).append(f"keep the knee over the second toe (it moved inwards, FPPA {fppa:.0f}°)")
    for side, drop in assessment.movement.pelvic_drop.items():
        sides.setdefault(side, []).append(f"keep the hips level (the other side dropped {drop:.1f}°)")
    cues += [f"On the {side} leg: {' and '.join(items)}, as your video showed; the exercises that load this "
             "leg carry the cue too." for side, items in sorted(sides.items())]
    return cues


def _item(slot: _Slot, ex: Exercise, lib: Library, band: PainBand, assessment: Assessment) -> ProgramExercise:
    data = _program_data()
    dose = lib.profile(ex.id).start()
    delayed = band == "low" and slot.weight_bearing_knee
    start_week = whole(data.hip_first_knee_start_week) if delayed else 1
    video = f"{ex.video.test} ({ex.video.view} view)" if ex.video.checkable else None
    return ProgramExercise(
        slot=slot.slot, id=ex.id, name=ex.name, phase=slot.phase, category=ex.category, focus=ex.focus,
        start_week=start_week, sets=dose.sets, reps=dose.reps, hold_s=dose.hold_s, rest_s=dose.rest_s,
        each_side=ex.each_side, cues=[*ex.cues, *_finding_cues(ex, assessment)], why=slot.why,
        evidence=ex.evidence, video_check=video)


def prescribe(intake: Intake, assessment: Assessment, weeks: int | None = None,
              start_date: Date | None = None, pain_model: str | None = None) -> Program:
    """Build a program for a screened intake (the caller must have checked for red flags).

    Parameters
    ----------
    intake
        Validated intake without red flags.
    assessment
        Findings, pattern and movement flags from :func:`kneeline.assess.findings.assess`.
    weeks
        Program length; default from ``program.yaml`` (6).
    start_date
        Optional first day.
    pain_model
        Variant of the pain-monitoring model (None = the data's default; the caller validates it).

    Raises
    ------
    ValidationError
        If ``weeks`` is outside 1 to the maximum in ``program.yaml``.
    """
    data, lib = _program_data(), load_library()
    longest = whole(data.weeks_max)
    n_weeks = whole(data.weeks) if weeks is None else weeks
    if not 1 <= n_weeks <= longest:
        raise ValidationError(f"weeks: got {n_weeks}; allowed: a whole number from 1 to {longest} "
                              f"({data.weeks_max.source}).")
    band = starting_band(intake)
    avoid_supine = intake.pregnancy == "after_first_trimester"
    items = []
    for slot in data.slots:
        chosen = _choose(slot, band, assessment, avoid_supine)
        if chosen is not None:
            items.append(_item(slot, lib.exercises[chosen], lib, band, assessment))
    order: dict[str, int] = {"warm-up": 0, "strength": 1, "form": 2, "mobility": 3}
    focus_order: dict[str, int] = {"general": 0, "hip": 1, "knee": 2}
    items.sort(key=lambda i: (order[i.phase], focus_order[i.focus]))  # hip before knee (Dolak 2011)
    texts = program_texts()
    notes = ProgramNotes(
        combined=str(texts["combined"].value), dose=str(texts["dose"].value),
        pain_rule=str(texts["pain_rule"].value), mobility=str(texts["mobility"].value),
        supplements=_supplement_summary(), other_options=str(texts["other_options"].value),
        see_physio=str(texts["see_physio"].value))
    sources = sorted({t.source for t in texts.values()} | {data.weeks.source})
    return Program(weeks=n_weeks, sessions_per_week=whole(data.sessions_per_week),
                   knee=intake.knee, pain_band=band, start_date=start_date, pain_model=pain_model,
                   avoid_supine=avoid_supine, exercises=items,
                   form_cues=_form_cues(assessment), notes=notes, sources=sources)


def _supplement_summary() -> str:
    return str(load_sourced("supplements.yaml")["summary"].value)

"""A clinician's changes to a program: doses, removed exercises, added library exercises.

The result is a new :class:`~kneeline.program.prescribe.Program` (programs are versioned; the
training log of the new version starts empty, so progression restarts from the clinician's doses).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from kneeline.errors import ValidationError
from kneeline.program.library import load_library
from kneeline.program.prescribe import Phase, Program, ProgramExercise
from kneeline.program.progression import MAX_HOLD_S, MAX_REPS, MAX_SETS

__all__ = ["DoseChange", "ProgramEdit", "edit_program"]

_PHASE_OF_CATEGORY: dict[str, Phase] = {"warm-up": "warm-up", "strength": "strength", "form": "form",
                                        "mobility": "mobility", "soft-tissue": "mobility"}


class DoseChange(BaseModel):
    """New dose of one exercise."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sets: Annotated[StrictInt, Field(ge=1, le=MAX_SETS)]
    reps: Annotated[StrictInt, Field(ge=1, le=MAX_REPS)] | None = None
    hold_s: Annotated[StrictInt, Field(ge=1, le=MAX_HOLD_S)] | None = None


class ProgramEdit(BaseModel):
    """What a clinician changed, and why."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    doses: dict[str, DoseChange] = Field(default_factory=dict, description="exercise id -> new dose")
    remove: list[str] = Field(default_factory=list)
    add: list[str] = Field(default_factory=list, description="library exercise ids to add at their start dose")
    reason: Annotated[str, Field(min_length=3, max_length=400)]


def _added(exercise_id: str) -> ProgramExercise:
    lib = load_library()
    ex = lib.get(exercise_id)
    if ex.dose is None:
        raise ValidationError(f"add: {ex.id!r} has no dose in kneeline's library and cannot be prescribed; "
                              "choose a strength, form or mobility exercise with a dose.")
    dose = lib.profile(ex.id).start()
    video = f"{ex.video.test} ({ex.video.view} view)" if ex.video.checkable else None
    return ProgramExercise(slot=f"added-{ex.id}", id=ex.id, name=ex.name, phase=_PHASE_OF_CATEGORY[ex.category],
                           category=ex.category, focus=ex.focus, start_week=1, sets=dose.sets, reps=dose.reps,
                           hold_s=dose.hold_s, rest_s=dose.rest_s, each_side=ex.each_side, cues=list(ex.cues),
                           why="Added by your clinician.", evidence=ex.evidence, video_check=video)


def edit_program(program: Program, edit: ProgramEdit) -> Program:
    """Apply ``edit`` to ``program``.

    Raises
    ------
    ValidationError
        If an id is not in the program (doses, remove) or already in it (add), or a dose does not fit
        the exercise (reps for a hold exercise or the other way round).
    """
    ids = [e.id for e in program.exercises]
    unknown = [i for i in [*edit.doses, *edit.remove] if i not in ids]
    if unknown:
        raise ValidationError(f"exercises {unknown} are not in this program; allowed: {', '.join(ids)}")
    exercises = []
    for e in program.exercises:
        if e.id in edit.remove:
            continue
        change = edit.doses.get(e.id)
        if change is not None:
            if (e.reps is None) != (change.reps is None) or (e.hold_s is None) != (change.hold_s is None):
                kind = "reps" if e.reps is not None else "a hold time in seconds"
                raise ValidationError(f"{e.id}: this exercise is dosed in {kind}; give sets and {kind}.")
            e = e.model_copy(update={"sets": change.sets, "reps": change.reps, "hold_s": change.hold_s})
        exercises.append(e)
    for ex_id in edit.add:
        new = _added(ex_id)
        if new.id in {e.id for e in exercises}:
            raise ValidationError(f"add: {new.id!r} is already in the program; change its dose instead.")
        exercises.append(new)
    if not exercises:
        raise ValidationError("a program needs at least one exercise; to stop the program, tell the patient "
                              "and leave a note instead.")
    return program.model_copy(update={"exercises": exercises})

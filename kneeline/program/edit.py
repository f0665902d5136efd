"""A clinician's changes to a program: doses, removed exercises, added library exercises, unlocks.

An edit starts from the program as it stands now: :func:`rebase` puts every slot at its current
exercise and dose (after the patient's progressions and regressions), so an edit of one exercise
never undoes a pain-based regression of another.  :func:`program_changes` lists what an edit
changes, for the clinician to check before saving.  The result is a new
:class:`~kneeline.program.prescribe.Program` (programs are versioned; the training log of the new
version starts empty, from these doses).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from kneeline.errors import ValidationError
from kneeline.program.library import dose_text, load_library
from kneeline.program.prescribe import Phase, Program, ProgramExercise
from kneeline.program.progression import MAX_HOLD_S, MAX_REPS, MAX_SETS, Prescription, clinician_only

__all__ = ["DoseChange", "ProgramEdit", "edit_program", "rebase", "program_changes"]

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
    unlock: list[str] = Field(default_factory=list, description=(
        "clinician-only exercises (progression.yaml clinician_unlock) progression may now move up to"))
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


def rebase(program: Program, current: Mapping[str, Prescription]) -> Program:
    """``program`` with every slot at its current exercise and dose (``current`` is slot -> prescription).

    A slot whose exercise changed (moved up or down its chain) takes the new exercise's name, cues,
    evidence and rest from the library; the slot, phase, start week and reason stay.
    """
    lib = load_library()
    exercises = []
    for e in program.exercises:
        rx = current.get(e.slot)
        if rx is None:
            exercises.append(e)
            continue
        update: dict[str, object] = {"sets": rx.sets, "reps": rx.reps, "hold_s": rx.hold_s}
        if rx.id != e.id:
            ex = lib.exercises[rx.id]
            video = f"{ex.video.test} ({ex.video.view} view)" if ex.video.checkable else None
            update |= {"id": ex.id, "name": ex.name, "category": ex.category, "focus": ex.focus,
                       "rest_s": lib.profile(ex.id).start().rest_s, "each_side": ex.each_side,
                       "cues": list(ex.cues), "evidence": ex.evidence, "video_check": video}
        exercises.append(e.model_copy(update=update))
    return program.model_copy(update={"exercises": exercises})


def program_changes(before: Program, after: Program) -> list[str]:
    """What ``after`` changes in ``before``, one line each (doses, removed, added, unlocked)."""
    old = {e.id: e for e in before.exercises}
    new = {e.id: e for e in after.exercises}
    out = []
    for ex_id, e in new.items():
        was = old.get(ex_id)
        now = dose_text(e.sets, e.reps, e.hold_s)
        if was is None:
            out.append(f"add {e.name}: {now}")
        elif (was.sets, was.reps, was.hold_s) != (e.sets, e.reps, e.hold_s):
            out.append(f"{e.name}: {dose_text(was.sets, was.reps, was.hold_s)} -> {now}")
    out += [f"remove {e.name}" for ex_id, e in old.items() if ex_id not in new]
    out += [f"allow progression to {lib_name(i)}" for i in after.unlocked if i not in before.unlocked]
    return out


def lib_name(exercise_id: str) -> str:
    """The library name of an exercise id."""
    return load_library().exercises[exercise_id].name


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
    lockable = clinician_only()
    wrong = [i for i in edit.unlock if i not in lockable]
    if wrong:
        raise ValidationError(f"unlock: {wrong} cannot be unlocked; allowed: {', '.join(sorted(lockable))}.")
    unlocked = sorted({*program.unlocked, *edit.unlock})
    return program.model_copy(update={"exercises": exercises, "unlocked": unlocked})

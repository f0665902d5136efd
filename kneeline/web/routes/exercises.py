"""The exercise library: every exercise with its start and end pictures, steps, cues and cautions."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from kneeline.errors import InputError
from kneeline.program.library import load_library
from kneeline.web.deps import AuthDep, NotFound
from kneeline.web.render import page

router = APIRouter()


def _coachable() -> set[str]:
    from kneeline.coach.definitions import load_movements

    return set(load_movements().movements)


@router.get("/exercises")
def exercise_list(request: Request, auth: AuthDep) -> Response:
    """Every exercise of the library, with its pictures."""
    return page(request, "exercises.html", exercises=list(load_library().exercises.values()),
                coachable=_coachable())


@router.get("/exercises/{exercise_id}")
def exercise_page(request: Request, exercise_id: str, auth: AuthDep) -> Response:
    """One exercise: pictures, steps, cues, common faults, cautions and its starting dose."""
    from kneeline.program.feedback import dose_words

    lib = load_library()
    try:
        ex = lib.get(exercise_id)
    except InputError:
        raise NotFound("There is no such exercise in the library.") from None
    dose = None
    if ex.dose:
        start = lib.profile(ex.id).start()
        dose = dose_words(start.sets, start.reps, start.hold_s) + (" on each side" if ex.each_side else "")
    return page(request, "exercise.html", ex=ex, dose=dose, coachable=ex.id in _coachable())

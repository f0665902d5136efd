"""The exercise library: ``exercises.yaml`` and its dose profiles ``doses.yaml``, validated at load.

Exercises form chains (regression -> progression) ordered by gluteus medius activation where
``../shared/evidence.md`` §4 gives it.  Every number in the library is a :class:`~kneeline.evidence.Sourced`
entry with its source.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from kneeline.assess.types import numbers, whole
from kneeline.errors import DataError, InputError
from kneeline.evidence import Sourced, data_text, load_sourced
from kneeline.report.result import TestName, View

__all__ = [
    "Category", "Focus", "VideoCheck", "Exercise", "DoseProfile", "DoseLimits", "Dose", "dose_text", "Library",
    "load_library", "intensity_band",
]

Category = Literal["warm-up", "strength", "mobility", "soft-tissue", "form"]
Focus = Literal["hip", "knee", "general"]


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class VideoCheck(_Frozen):
    """Whether ``kneeline analyze`` can check the exercise, and from which camera view."""

    checkable: bool
    test: TestName | None = None
    view: View | None = None
    metrics: tuple[str, ...] = ()
    note: str = ""

    @model_validator(mode="after")
    def _test_when_checkable(self) -> VideoCheck:
        if self.checkable and (self.test is None or self.view is None):
            raise ValueError("a checkable exercise needs a test and a camera view")
        return self


class Exercise(_Frozen):
    """One exercise of the library."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    name: str
    aliases: tuple[str, ...] = Field(description="Other names, including the lay articles' names")
    category: Category
    focus: Focus
    target: tuple[str, ...]
    chain: str | None = Field(description="Name of the progression chain, None if standalone")
    regression: str | None
    progression: str | None
    each_side: bool
    weight_bearing: bool
    supine: bool = Field(default=False, description="Done lying on the back (avoided in pregnancy after week 12)")
    steps: tuple[str, ...]
    cues: tuple[str, ...]
    faults: tuple[str, ...]
    dose: str | None = Field(description="Dose profile in doses.yaml; None = not prescribed by kneeline")
    equipment: tuple[str, ...]
    cautions: tuple[str, ...]
    gmed_mvic: Sourced | None = Field(default=None, description="Gluteus medius activation, %MVIC")
    gluteal_tfl_index: Sourced | None = Field(default=None, description="Gluteal-to-TFL activation index")
    evidence: str = Field(min_length=4, description="Why it is in the library, with sources")
    video: VideoCheck


class Dose(_Frozen):
    """A concrete dose."""

    sets: int
    reps: int | None = None
    hold_s: int | None = None
    rest_s: int
    sessions_per_week: int

    def text(self) -> str:
        """The dose in words, e.g. ``3 x 10`` or ``4 x 30 s hold``."""
        return dose_text(self.sets, self.reps, self.hold_s)


def dose_text(sets: int, reps: int | None, hold_s: int | None) -> str:
    """Write a dose as ``3 x 10``, ``4 x 30 s`` or ``3 x 10 x 5 s hold``."""
    if reps is not None and hold_s is not None:
        return f"{sets} x {reps} (hold {hold_s} s each)"
    if reps is not None:
        return f"{sets} x {reps}"
    return f"{sets} x {hold_s} s"


class DoseLimits(_Frozen):
    """Lowest and highest sets, reps and hold of a dose profile (None = not used)."""

    sets_min: int
    sets_max: int
    reps_min: int | None
    reps_max: int | None
    hold_min_s: int | None
    hold_max_s: int | None


class DoseProfile(_Frozen):
    """A named dose with the range the progression rules may move it in; every number sourced."""

    sets: Sourced
    sets_min: Sourced
    sets_max: Sourced
    reps: Sourced | None = None
    reps_min: Sourced | None = None
    reps_max: Sourced | None = None
    hold_s: Sourced | None = None
    hold_min_s: Sourced | None = None
    hold_max_s: Sourced | None = None
    rest_s: Sourced
    sessions_per_week: Sourced

    @model_validator(mode="after")
    def _consistent(self) -> DoseProfile:
        if self.reps is None and self.hold_s is None:
            raise ValueError("a dose needs reps or hold_s")
        # The quantity the progression moves (reps if any, else the hold) needs its range.
        driver = ("reps", "reps_min", "reps_max") if self.reps is not None else ("hold_s", "hold_min_s", "hold_max_s")
        for start, lo, hi in (("sets", "sets_min", "sets_max"), driver):
            vals = [getattr(self, k) for k in (lo, start, hi)]
            if any(v is None for v in vals):
                raise ValueError(f"{start} needs {lo} and {hi}")
            if not _int(vals[0]) <= _int(vals[1]) <= _int(vals[2]):
                raise ValueError(f"{start} must lie within {lo}..{hi}")
        return self

    def limits(self) -> DoseLimits:
        """The range the progression rules may move the dose in."""
        return DoseLimits(sets_min=_int(self.sets_min), sets_max=_int(self.sets_max),
                          reps_min=_opt_int(self.reps_min), reps_max=_opt_int(self.reps_max),
                          hold_min_s=_opt_int(self.hold_min_s), hold_max_s=_opt_int(self.hold_max_s))

    def start(self) -> Dose:
        """The starting dose."""
        return Dose(sets=_int(self.sets), reps=_opt_int(self.reps), hold_s=_opt_int(self.hold_s),
                    rest_s=_int(self.rest_s), sessions_per_week=_int(self.sessions_per_week))


def _int(entry: Sourced) -> int:
    try:
        return whole(entry)
    except DataError as exc:
        raise ValueError(str(exc)) from None


def _opt_int(entry: Sourced | None) -> int | None:
    return None if entry is None else _int(entry)


class Library(_Frozen):
    """All exercises by id, and the dose profiles by name."""

    exercises: dict[str, Exercise]
    doses: dict[str, DoseProfile]

    def get(self, name: str) -> Exercise:
        """Find an exercise by id or alias (case-insensitive).

        Raises
        ------
        InputError
            If no exercise has that id or alias; the message lists the ids.
        """
        key = _normal(name)
        for ex in self.exercises.values():
            if key in {_normal(n) for n in (ex.id, ex.name, *ex.aliases)}:
                return ex
        raise InputError(f"no exercise called {name!r}; known ids: {', '.join(self.exercises)}. "
                         "Run `kneeline exercises` to see them all.")

    def profile(self, exercise_id: str) -> DoseProfile:
        """The dose profile of an exercise.

        Raises
        ------
        DataError
            If the exercise has no dose (kneeline does not prescribe it).
        """
        ex = self.exercises[exercise_id]
        if ex.dose is None:
            raise DataError(f"exercise {exercise_id!r} has no dose; kneeline does not prescribe it")
        return self.doses[ex.dose]

    def chain(self, exercise_id: str) -> list[Exercise]:
        """The whole chain the exercise belongs to, easiest first."""
        first = self.exercises[exercise_id]
        while first.regression is not None:
            first = self.exercises[first.regression]
        out = [first]
        while out[-1].progression is not None:
            out.append(self.exercises[str(out[-1].progression)])
        return out


def _normal(name: str) -> str:
    """Lower case, with hyphens and underscores as spaces, for matching names."""
    return " ".join(name.lower().replace("-", " ").replace("_", " ").split())


def _check_links(lib: Library) -> None:
    """Links exist, are reciprocal, stay inside one chain and have no cycles."""
    for ex in lib.exercises.values():
        if ex.dose is not None and ex.dose not in lib.doses:
            raise DataError(f"exercises.yaml: {ex.id!r} uses unknown dose profile {ex.dose!r}")
        for kind, other_kind in (("progression", "regression"), ("regression", "progression")):
            target = getattr(ex, kind)
            if target is None:
                continue
            if target not in lib.exercises:
                raise DataError(f"exercises.yaml: {ex.id!r} {kind} {target!r} is not an exercise id")
            other = lib.exercises[target]
            if getattr(other, other_kind) != ex.id or other.chain != ex.chain or ex.chain is None:
                raise DataError(f"exercises.yaml: {ex.id!r} -> {target!r} must be reciprocal and in one chain")
        if len(lib.chain(ex.id)) > len(lib.exercises):
            raise DataError(f"exercises.yaml: chain of {ex.id!r} has a cycle")
    names: dict[str, str] = {}
    for ex in lib.exercises.values():
        for alias in {_normal(n) for n in (ex.id, ex.name, *ex.aliases)}:
            if names.setdefault(alias, ex.id) != ex.id:
                raise DataError(f"exercises.yaml: name {alias!r} used by {names[alias]!r} and {ex.id!r}")


@lru_cache(maxsize=1)
def load_library() -> Library:
    """Load and validate the exercise library.

    Raises
    ------
    DataError
        If an exercise or dose profile is malformed, ids repeat, or the chains are inconsistent.
    """
    raw: Any = yaml.safe_load(data_text("exercises.yaml"))
    doses_raw: Any = yaml.safe_load(data_text("doses.yaml"))
    try:
        exercises = [Exercise.model_validate(e) for e in raw["exercises"]]
        doses = {str(k): DoseProfile.model_validate(v) for k, v in doses_raw.items()}
    except (PydanticValidationError, KeyError, TypeError, AttributeError) as exc:
        raise DataError(f"exercises.yaml / doses.yaml is invalid: {exc}") from exc
    by_id = {e.id: e for e in exercises}
    if len(by_id) != len(exercises):
        raise DataError("exercises.yaml: exercise ids must be unique")
    lib = Library(exercises=by_id, doses=doses)
    _check_links(lib)
    return lib


def intensity_band(mvic: Sourced | None) -> str | None:
    """Ebert 2017 intensity band (low / moderate / high / very high) of a %MVIC entry, by its lower value."""
    if mvic is None:
        return None
    low = numbers(mvic)[0]
    edges = numbers(load_sourced("norms.yaml")["gmed_intensity_band_edges_pct"])
    names = ("low", "moderate", "high", "very high")
    return names[sum(low > e for e in edges)]

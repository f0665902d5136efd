"""Movement definitions for coaching: ``kneeline/data/movements.yaml``, validated at load.

Each movement names the camera view and posture it needs, the signal whose excursions make a
repetition (or whose level makes a hold), and the checks (faults) made on every repetition.  Every
number is a :class:`~kneeline.evidence.Sourced` entry.  Movement ids are exercise ids of the
exercise library (``exercises.yaml``); a movement is found by id, by its own aliases or by any
name the library knows for the exercise.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic import ValidationError as PydanticValidationError

from kneeline.errors import DataError, InputError
from kneeline.evidence import Sourced, data_text

__all__ = [
    "SignalName", "MeasureName", "ViewNeed", "Check", "FaultInfo", "Movement", "MovementLibrary",
    "load_movements", "get_movement",
]

SignalName = Literal["hip_descent", "knee_opening", "leg_spread", "hip_extension", "pelvis_tilt", "foot_lift",
                     "body_line", "knee_flexion"]
MeasureName = Literal["fppa", "knee_width_ratio", "trunk_lean", "trunk_forward", "pelvic_drop", "foreshortening",
                      "hip_angle_at_peak", "body_line_min", "knee_flexion", "range", "rep_time", "hold_time"]
ViewNeed = Literal["frontal", "sagittal", "any"]
_NEEDS_THRESHOLD = {"fppa", "knee_width_ratio", "trunk_lean", "trunk_forward", "pelvic_drop", "foreshortening",
                    "hip_angle_at_peak", "body_line_min", "knee_flexion"}
_DEFAULT_KEYS = ("smoothing_s", "still_s", "still_band", "enter_fraction", "edge_fraction", "rest_follow_s",
                 "hold_gap_s", "min_hold_s", "incomplete_relative", "lost_s", "min_confidence", "lying_trunk_deg",
                 "view_frontal_width_ratio", "view_sagittal_width_ratio", "fppa_min_segment_ratio",
                 "fppa_rear_shank_ratio", "lying_end_on_width_ratio")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Check(_Frozen):
    """One fault check made on every repetition (or hold)."""

    fault: str = Field(description="Fault id, a key of the file's ``faults``")
    measure: MeasureName
    view: ViewNeed = Field("any", description="Camera view the measure needs; elsewhere it is not checked")
    threshold: Sourced | None = None
    segment: tuple[str, str] | None = Field(None, description="foreshortening: the two keypoints (hip/ankle "
                                                                "without a side mean the working leg)")

    @model_validator(mode="after")
    def _threshold_when_needed(self) -> Check:
        if self.measure in _NEEDS_THRESHOLD and self.threshold is None:
            raise ValueError(f"measure {self.measure} needs a threshold")
        if self.measure == "foreshortening" and self.segment is None:
            raise ValueError("measure foreshortening needs a segment")
        return self


class FaultInfo(_Frozen):
    """How a fault is named and cued."""

    cue: str = Field(min_length=4)
    label: str = Field(min_length=4)


class Movement(_Frozen):
    """One coached movement."""

    id: str = Field(pattern=r"^[a-z0-9-]+$")
    aliases: tuple[str, ...] = ()
    view: Literal["frontal", "sagittal"]
    posture: Literal["standing", "lying"]
    kind: Literal["reps", "hold"]
    signal: SignalName
    direction: Literal["up", "down", "auto"] = "up"
    side: Literal["both", "working"]
    working_leg: Literal["stance", "moving", "leading"] = Field(
        "stance", description="For one-sided movements whose signal is not a leg lift: the working leg is the one "
                              "standing (lower ankle), the one moving (donkey kick, leg raise) or the leading one "
                              "(higher ankle: the foot on the step of a step-up)")
    rep_leg: Literal["front", "bent"] | None = Field(
        None, description="For movements counted on both legs whose every repetition loads one leg (a lunge, a "
                          "side lunge): how that leg is found at the deepest point -- the front leg, whose shin "
                          "stands upright while the rear one tips toward the floor, or the bent leg, whose knee "
                          "bends while the other stays straight.  Repetitions are then compared with reference "
                          "repetitions of the same leg only (kneeline.coach.compare)")
    hold_at_top: bool = False
    min_amplitude: Sourced
    target_amplitude: Sourced | None = None
    min_rep_s: Sourced | None = None
    target_hold_s: Sourced | None = None
    checks: tuple[Check, ...]

    @model_validator(mode="after")
    def _kind_fields(self) -> Movement:
        if self.kind == "hold" and self.target_hold_s is None:
            raise ValueError(f"hold movement {self.id} needs target_hold_s")
        measures = {c.measure for c in self.checks}
        if "range" in measures and self.target_amplitude is None:
            raise ValueError(f"movement {self.id} checks range but has no target_amplitude")
        if "rep_time" in measures and self.min_rep_s is None:
            raise ValueError(f"movement {self.id} checks rep_time but has no min_rep_s")
        if self.rep_leg is not None and self.side != "both":
            raise ValueError(f"movement {self.id} has rep_leg but side {self.side}: rep_leg is for movements counted "
                             "on both legs (a one-sided movement's working leg is its side)")
        return self

    def amplitude_unit(self) -> str:
        """Unit of the movement's signal."""
        return self.min_amplitude.unit


class MovementLibrary(_Frozen):
    """All movement definitions, the shared defaults and the fault names and cues."""

    defaults: dict[str, Sourced]
    faults: dict[str, FaultInfo]
    movements: dict[str, Movement]

    def default(self, key: str) -> float:
        """A numeric default (``defaults`` in movements.yaml)."""
        return float(self.defaults[key].value)  # type: ignore[arg-type]

    @model_validator(mode="after")
    def _consistent(self) -> MovementLibrary:
        missing = [k for k in _DEFAULT_KEYS if k not in self.defaults]
        if missing:
            raise ValueError(f"defaults lack {', '.join(missing)}")
        for m in self.movements.values():
            unknown = [c.fault for c in m.checks if c.fault not in self.faults]
            if unknown:
                raise ValueError(f"movement {m.id} names unknown faults {unknown}")
        return self


def _normal(name: str) -> str:
    return " ".join(name.lower().replace("-", " ").replace("_", " ").split())


@cache
@lru_cache(maxsize=1)
def load_movements() -> MovementLibrary:
    """Load and validate ``movements.yaml``.

    Raises
    ------
    DataError
        If the file is missing or invalid.
    """
    raw = yaml.safe_load(data_text("movements.yaml"))
    try:
        movements = {m["id"]: Movement.model_validate(m) for m in raw["movements"]}
        return MovementLibrary(defaults={k: Sourced.model_validate(v) for k, v in raw["defaults"].items()},
                               faults={k: FaultInfo.model_validate(v) for k, v in raw["faults"].items()},
                               movements=movements)
    except (PydanticValidationError, KeyError, TypeError) as exc:
        raise DataError(f"kneeline data file movements.yaml is invalid: {exc}") from exc


def get_movement(name: str) -> Movement:
    """Find a coached movement by id, alias, or any name the exercise library gives the exercise.

    Raises
    ------
    InputError
        If no coached movement has that name; the message lists the ids that can be coached.
    """
    from kneeline.program.library import load_library

    lib = load_movements()
    key = _normal(name)
    for m in lib.movements.values():
        if key in {_normal(n) for n in (m.id, *m.aliases)}:
            return m
    known = ", ".join(lib.movements)
    try:
        ex = load_library().get(name)
    except InputError:
        raise InputError(f"kneeline cannot coach {name!r}; exercises it can coach: {known}") from None
    if ex.id in lib.movements:
        return lib.movements[ex.id]
    raise InputError(f"{ex.name} ({ex.id}) is in the exercise library but kneeline cannot coach it from video "
                     f"yet; exercises it can coach: {known}")

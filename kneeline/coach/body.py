"""Is a reference set the same person? Body proportions of a set against its reference's.

A reference set says what *this person's* good form is; a reference of someone else (a
clinician's demonstration, a family member's set) would make every rep read "changed" or, worse,
"no change".  Each repetition records the person's body proportions in the rest posture just before
it (:func:`body_ratios`): thigh over shin length, trunk over leg length (both seen by a front and a
side camera) and shoulder over hip width (a front camera only).  A set's proportions are the medians
over its reps; a set is compared with a reference only when every proportion both measured agrees
within what one person's own sets vary by, widened by how much each set's reps scatter
(:func:`person_problem`).  Only reps filmed by the reference's camera are compared: a 2D
proportion reads differently from the front and from the side.  The tolerances are measured, not
chosen: ``reference_body.yaml``, written by ``benchmarks/coach_body.py --write``, says from what.

People of similar build pass: the check refuses a clearly different body, it cannot tell two
similar people apart.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from kneeline.coach.faults import RepWindow
from kneeline.coach.rep_signals import Camera, camera_of
from kneeline.coach.signals import Features
from kneeline.evidence import load_data_model

__all__ = ["BODY_FILE", "BodyRatio", "BODY_RATIOS", "BodyFile", "load_body", "body_ratios", "SetBody", "set_body",
           "person_checked", "person_problem"]

BODY_FILE = "reference_body.yaml"


@dataclass(frozen=True)
class BodyRatio:
    """One body proportion: name, plain label, the features it divides, the cameras that see it."""

    name: str
    label: str
    numerator: tuple[str, ...]
    denominator: tuple[str, ...]
    cameras: frozenset[Camera]


BODY_RATIOS: tuple[BodyRatio, ...] = (
    BodyRatio("thigh_shank", "thigh length over shin length", ("left_thigh_len", "right_thigh_len"),
              ("left_shank_len", "right_shank_len"), frozenset({"front", "side"})),
    BodyRatio("trunk_leg", "trunk length over leg length", ("trunk_len",), ("leg_len",), frozenset({"front", "side"})),
    BodyRatio("shoulder_hip", "shoulder width over hip width", ("shoulder_gap",), ("hip_gap",), frozenset({"front"})),
)
"""The proportions recorded per repetition, in a fixed order."""


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RatioTolerance(_Model):
    """How much one person's set medians of a proportion vary (natural log of the ratio)."""

    within_sd: float = Field(gt=0, description="SD of ln(set median) between one person's sets")
    source: str


class BodyRule(_Model):
    """When the check refuses, and how many reps a set's median needs."""

    k: float = Field(gt=0, description="Refuse beyond k combined SDs")
    min_reps: int = Field(ge=1, description="Fewest reps with a proportion for a set's median of it")
    source: str


class BodyFile(_Model):
    """``reference_body.yaml``."""

    source: str
    rule: BodyRule
    ratios: dict[str, RatioTolerance]


@cache
def load_body() -> BodyFile:
    """The validated ``reference_body.yaml``.

    Raises
    ------
    DataError
        The file is missing or malformed: reinstall kneeline, or rewrite it with
        ``benchmarks/coach_body.py --write``.
    """
    return load_data_model(BODY_FILE, BodyFile, "benchmarks/coach_body.py --write")


def _summed(feats: Features, names: tuple[str, ...], rows: slice) -> np.ndarray:
    parts = np.stack([np.asarray(feats[n][rows], dtype=np.float64) for n in names])
    out: np.ndarray = parts.sum(axis=0)  # NaN where any part is missing: both legs or none
    return out


def body_ratios(feats: Features, w: RepWindow, view: str | None) -> dict[str, float | None]:
    """The person's proportions in the rest posture before one repetition (``w.pre`` to ``w.start``).

    Medians over those frames; None where a keypoint is missing in all of them, or where the
    camera (``view``) cannot see the proportion (shoulder and hip widths from the side).
    """
    rows = slice(w.pre, w.start + 1)
    camera = camera_of(view)
    out: dict[str, float | None] = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for r in BODY_RATIOS:
            ratio = _summed(feats, r.numerator, rows) / _summed(feats, r.denominator, rows)
            ratio = ratio[np.isfinite(ratio) & (ratio > 0)]
            out[r.name] = round(float(np.median(ratio)), 4) if camera in r.cameras and ratio.size else None
    return out


@dataclass(frozen=True)
class SetBody:
    """A set's proportion: median over its reps, the standard error of ln of it, reps used."""

    median: float
    se_log: float
    n: int


def set_body(bodies: Sequence[Mapping[str, float | None]], min_reps: int) -> dict[str, SetBody]:
    """Per proportion, the median over the reps that have it (at least ``min_reps``) and its uncertainty.

    The standard error of ln(median) is 1.2533 x (robust SD of ln values, 1.4826 x MAD) / sqrt(n).
    """
    out = {}
    for r in BODY_RATIOS:
        values = np.array([b[r.name] for b in bodies if b.get(r.name) is not None], dtype=np.float64)
        if values.size >= min_reps:
            logs = np.log(values)
            mad = 1.4826 * float(np.median(np.abs(logs - np.median(logs))))
            out[r.name] = SetBody(float(np.median(values)), 1.2533 * mad / np.sqrt(values.size), int(values.size))
    return out


def person_checked(bodies: Sequence[Mapping[str, float | None]],
                   reference_bodies: Sequence[Mapping[str, float | None]]) -> bool:
    """Whether at least one proportion is measured in both sets (so :func:`person_problem` compared something)."""
    n = load_body().rule.min_reps
    return bool(set(set_body(bodies, n)) & set(set_body(reference_bodies, n)))


def person_problem(bodies: Sequence[Mapping[str, float | None]],
                   reference_bodies: Sequence[Mapping[str, float | None]]) -> str | None:
    """Why the reference looks like another person's set (None when nothing says so), in plain words.

    A proportion differs when ``|ln(set / reference)|`` passes ``k`` times the combined SD:
    ``sqrt(2 within_sd^2 + se_set^2 + se_reference^2)`` (``reference_body.yaml``).  Proportions
    measured in only one of the two sets are not compared.
    """
    spec = load_body()
    now, ref = set_body(bodies, spec.rule.min_reps), set_body(reference_bodies, spec.rule.min_reps)
    differ = []
    for r in BODY_RATIOS:
        if r.name not in now or r.name not in ref or r.name not in spec.ratios:
            continue
        a, b = now[r.name], ref[r.name]
        sd = float(np.sqrt(2 * spec.ratios[r.name].within_sd ** 2 + a.se_log ** 2 + b.se_log ** 2))
        if abs(np.log(a.median / b.median)) > spec.rule.k * sd:
            allowed = b.median * (np.exp(spec.rule.k * sd) - 1)
            differ.append(f"{r.label} {a.median:.2f} in this set against {b.median:.2f} in the reference (one "
                          f"person's sets differ by up to about {allowed:.2f})")
    if not differ:
        return None
    return ("the body proportions differ from the reference set's: " + "; ".join(differ) + ". The reference looks "
            "like another person's set, and a set is only compared with the same person's good reps: record a new "
            "reference set of this person (at least 3 good reps, the whole body in view)")

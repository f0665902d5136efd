"""Comparing repetitions with a person's own reference repetitions.

People differ more from each other than a rep done well differs from the same person's rep done
badly: on UI-PRMD one subject's correct squats are shallower than other subjects' incorrect ones
(``benchmarks/uiprmd_reference.py``).  A *reference set* -- a few repetitions the person did
under a clinician's eye, accepted as their good form -- removes that: each later repetition is
scored by how far its measures move from the reference's, in units of the usual rep-to-rep
variation of that measure (its *scale*).

The score of one repetition is a quantile (the median by default) of ``|value - reference| /
scale`` over the measures both have: a large score means most measures moved, not one noisy one.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from kneeline.pose.container import FloatArray

__all__ = ["Reference", "build_reference", "deviation_scores", "feature_matrix", "pooled_scale"]

Row = Mapping[str, float | None]
"""One repetition's measures: name -> value (None or NaN where it could not be measured)."""


@dataclass(frozen=True)
class Reference:
    """A person's reference repetitions summarised: per-measure median over ``n_reps`` repetitions."""

    names: tuple[str, ...]
    median: FloatArray
    n_reps: int

    def as_dict(self) -> dict[str, float | None]:
        """Measure -> reference median (None where no reference rep had it)."""
        return {n: (float(v) if np.isfinite(v) else None) for n, v in zip(self.names, self.median, strict=True)}


def feature_matrix(rows: Sequence[Row], names: Sequence[str]) -> FloatArray:
    """``(len(rows), len(names))`` array of the rows' measures; missing or None -> NaN."""
    out = np.full((len(rows), len(names)), np.nan)
    for i, row in enumerate(rows):
        for j, name in enumerate(names):
            value = row.get(name)
            if value is not None:
                out[i, j] = float(value)
    return out


def build_reference(rows: Sequence[Row], names: Sequence[str] | None = None) -> Reference:
    """The reference of ``rows`` (the accepted repetitions), over ``names`` (default: the first row's).

    Raises
    ------
    ValueError
        With fewer than two reference repetitions: one repetition cannot say what is usual.
    """
    if len(rows) < 2:
        raise ValueError(f"a reference needs at least 2 accepted repetitions; got {len(rows)}")
    keys = tuple(names) if names is not None else tuple(rows[0])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a measure no reference rep had stays NaN
        median = np.nanmedian(feature_matrix(rows, keys), axis=0)
    return Reference(names=keys, median=median, n_reps=len(rows))


def pooled_scale(groups: Sequence[tuple[Reference, Sequence[Row]]]) -> FloatArray:
    """Usual rep-to-rep variation of each measure: RMS deviation of good repetitions from their reference.

    ``groups`` pairs each person's reference with other repetitions of theirs that were also done
    well (not the reference ones).  All references must share their measure names.
    """
    if not groups:
        raise ValueError("pooled_scale needs at least one (reference, good repetitions) pair")
    names = groups[0][0].names
    devs = []
    for ref, rows in groups:
        if ref.names != names:
            raise ValueError("every reference must have the same measures to pool their variation")
        devs.append(feature_matrix(rows, names) - ref.median)
    d = np.concatenate(devs)
    with np.errstate(all="ignore"):
        n = np.isfinite(d).sum(axis=0)
        rms = np.sqrt(np.nansum(d**2, axis=0) / np.maximum(n, 1))
    out: FloatArray = np.where(n > 0, rms, np.nan)
    return out


def deviation_scores(rows: Sequence[Row], ref: Reference, scale: FloatArray, quantile: float = 0.5) -> FloatArray:
    """Per repetition, the ``quantile`` of ``|value - reference| / scale`` over the measures it has.

    Measures with no reference value, or a scale that is zero or unknown, are left out.  A
    repetition with none left scores NaN.
    """
    if not 0.0 <= quantile <= 1.0:
        raise ValueError(f"quantile must be within 0..1; got {quantile}")
    scale = np.asarray(scale, dtype=np.float64)
    if scale.shape != ref.median.shape:
        raise ValueError(f"scale has {scale.size} values for {ref.median.size} reference measures")
    usable = np.isfinite(ref.median) & np.isfinite(scale) & (scale > 0)
    x = feature_matrix(rows, ref.names)
    z = np.abs(x[:, usable] - ref.median[usable]) / scale[usable]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a rep with no usable measure scores NaN
        out: FloatArray = np.nanquantile(z, quantile, axis=1) if z.shape[1] else np.full(len(rows), np.nan)
    return out

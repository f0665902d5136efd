"""The key frame of a set: the body at the deepest point of its typical repetition, as a small stick figure.

A reference set keeps one (:attr:`kneeline.coach.result.CoachResult.key_frame`), so the live page
can show the person's own good form beside the repetition they are doing.  Only the coaching
keypoints are kept (shoulders, hips, knees, ankles), scaled into a unit square: no picture of the
person is stored.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from kneeline.coach.result import CoachRep, CoachResult, KeyFrame
from kneeline.coach.signals import KEYPOINTS
from kneeline.pose.container import FloatArray

__all__ = ["typical_rep", "key_frame", "with_key_frame"]


def typical_rep(reps: list[CoachRep]) -> CoachRep | None:
    """The repetition whose size is the median of the set's (the lower middle one for an even count)."""
    sized = sorted((r for r in reps if r.amplitude is not None), key=lambda r: float(r.amplitude or 0.0))
    return sized[(len(sized) - 1) // 2] if sized else None


def key_frame(reps: list[CoachRep], time_s: FloatArray, points: Mapping[str, FloatArray]) -> KeyFrame | None:
    """The stick figure at the peak of :func:`typical_rep`; None when a coaching keypoint is missing there.

    Parameters
    ----------
    reps
        The counted repetitions.
    time_s
        ``(time,)`` frame times the repetitions' ``peak_s`` refer to.
    points
        Keypoint -> ``(time, 2)`` image positions (y down); NaN where missing.
    """
    rep = typical_rep(reps)
    if rep is None or len(time_s) == 0:
        return None
    i = int(np.argmin(np.abs(np.asarray(time_s) - rep.peak_s)))
    xy = np.array([np.asarray(points[k], dtype=np.float64).reshape(-1, 2)[i] for k in KEYPOINTS])
    if not np.isfinite(xy).all():
        return None
    lo = xy.min(axis=0)
    size = float(np.max(xy.max(axis=0) - lo))
    if size <= 0:
        return None
    box = (xy - lo) / size + (1 - (xy.max(axis=0) - lo) / size) / 2  # centred in the unit square
    box_points = {k: [round(float(x), 4), round(float(y), 4)] for k, (x, y) in zip(KEYPOINTS, box, strict=True)}
    return KeyFrame(rep=rep.index, time_s=rep.peak_s, points=box_points)


def with_key_frame(result: CoachResult, time_s: FloatArray, points: Mapping[str, FloatArray]) -> CoachResult:
    """``result`` with its :func:`key_frame` (unchanged where there is none)."""
    frame = key_frame(result.reps, time_s, points)
    return result if frame is None else result.model_copy(update={"key_frame": frame})

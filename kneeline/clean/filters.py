"""Cleaning a pose series: confidence masking, short-gap filling and zero-lag low-pass filtering.

Each function returns a new :class:`~kneeline.pose.container.PoseSeries`; none modifies its input.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from scipy.signal import butter, filtfilt

from kneeline.pose.container import FloatArray, PoseSeries

__all__ = ["mask_low_confidence", "fill_gaps", "lowpass", "nan_runs"]


def mask_low_confidence(pose: PoseSeries, threshold: float) -> PoseSeries:
    """Set positions whose confidence is below ``threshold`` to NaN.

    Parameters
    ----------
    pose
        Input series.
    threshold
        Minimum confidence in [0, 1] for a keypoint to be kept.

    Returns
    -------
    PoseSeries
        A copy with low-confidence keypoints masked (world coordinates masked alike).
    """
    if not 0.0 <= threshold <= 1.0:
        raise ValueError(f"confidence threshold must be in [0, 1]; got {threshold}")
    low = pose.confidence < threshold
    position = np.where(low[..., None], np.nan, pose.position)
    world = None if pose.world is None else np.where(low[..., None], np.nan, pose.world)
    return pose.with_arrays(position=position, world=world)


def nan_runs(missing: np.ndarray) -> list[tuple[int, int]]:
    """Return ``(start, stop)`` index pairs of the runs of True in a 1-D boolean array."""
    m = np.asarray(missing, dtype=bool)
    if m.size == 0:
        return []
    edges = np.diff(np.concatenate(([0], m.astype(np.int8), [0])))
    starts = np.flatnonzero(edges == 1)
    stops = np.flatnonzero(edges == -1)
    return list(zip(starts.tolist(), stops.tolist(), strict=True))


def _per_coordinate(pose: PoseSeries, func: Callable[[FloatArray], FloatArray]) -> PoseSeries:
    """Apply a 1-D function to every coordinate track (2D positions, and world coordinates if any)."""

    def apply(arr: FloatArray) -> FloatArray:
        out = np.empty_like(arr)
        for k in range(arr.shape[1]):
            for d in range(arr.shape[2]):
                out[:, k, d] = func(arr[:, k, d])
        return out

    world = None if pose.world is None else apply(pose.world)
    return pose.with_arrays(position=apply(pose.position), world=world)


def _fill_1d(values: FloatArray, time_s: FloatArray, max_gap_s: float) -> FloatArray:
    out = values.copy()
    missing = ~np.isfinite(values)
    for start, stop in nan_runs(missing):
        if start == 0 or stop == values.size:
            continue  # never extrapolate beyond the observed data
        if time_s[stop] - time_s[start - 1] > max_gap_s:
            continue
        out[start:stop] = np.interp(time_s[start:stop], [time_s[start - 1], time_s[stop]],
                                    [values[start - 1], values[stop]])
    return out


def fill_gaps(pose: PoseSeries, max_gap_s: float) -> PoseSeries:
    """Linearly interpolate gaps no longer than ``max_gap_s`` seconds.

    Longer gaps, and gaps at the start or end, stay NaN: kneeline does not invent movement.
    Filled keypoints keep confidence 0 so later checks still see they were not observed.
    """
    if max_gap_s < 0:
        raise ValueError(f"max_gap_s must be >= 0; got {max_gap_s}")
    return _per_coordinate(pose, lambda values: _fill_1d(values, pose.time_s, max_gap_s))


def _filter_1d(values: FloatArray, b: FloatArray, a: FloatArray) -> FloatArray:
    out = values.copy()
    padlen = 3 * max(len(a), len(b))
    for start, stop in nan_runs(np.isfinite(values)):
        if stop - start > padlen:
            out[start:stop] = filtfilt(b, a, values[start:stop], padlen=padlen)
    return out


def lowpass(pose: PoseSeries, cutoff_hz: float, order: int = 2) -> PoseSeries:
    """Zero-lag Butterworth low-pass filter (forward and backward) of every coordinate.

    The filter runs on each stretch of finite samples separately; stretches too short to filter
    are left as they are.  The sampling rate is the mean frame rate of the series.

    Parameters
    ----------
    pose
        Input series.
    cutoff_hz
        Cut-off frequency in Hz; must be below half the frame rate.
    order
        Butterworth order of each pass (the effective order is doubled by the two passes).
    """
    fs = pose.fps
    if fs <= 0:
        return pose
    if not 0 < cutoff_hz < fs / 2:
        raise ValueError(f"cut-off must be between 0 and half the frame rate ({fs / 2:.1f} Hz); got {cutoff_hz}")
    b, a = butter(order, cutoff_hz / (fs / 2))
    return _per_coordinate(pose, lambda values: _filter_1d(values, b, a))

"""Cleaning a pose series: confidence masking, short-gap filling and zero-lag low-pass filtering.

Each function returns a new :class:`~kneeline.pose.container.PoseSeries`; none modifies its input.
"""

from __future__ import annotations

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
    t = pose.time_s
    position = np.empty_like(pose.position)
    for k in range(len(pose.keypoints)):
        for d in range(2):
            position[:, k, d] = _fill_1d(pose.position[:, k, d], t, max_gap_s)
    world = None
    if pose.world is not None:
        world = np.empty_like(pose.world)
        for k in range(len(pose.keypoints)):
            for d in range(3):
                world[:, k, d] = _fill_1d(pose.world[:, k, d], t, max_gap_s)
    return pose.with_arrays(position=position, world=world)


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
    position = np.empty_like(pose.position)
    for k in range(len(pose.keypoints)):
        for d in range(2):
            position[:, k, d] = _filter_1d(pose.position[:, k, d], b, a)
    world = None
    if pose.world is not None:
        world = np.empty_like(pose.world)
        for k in range(len(pose.keypoints)):
            for d in range(3):
                world[:, k, d] = _filter_1d(pose.world[:, k, d], b, a)
    return pose.with_arrays(position=position, world=world)

"""Repetitions as events: start, bottom and end times found in a depth signal.

A repetition is an excursion of the depth signal (hip descent) away from its standing level and
back.  Bottoms are peaks of depth at least ``min_depth`` deep and ``min_interval_s`` apart; a rep
starts at the last sample before its bottom, and ends at the first sample after it, where depth is
back within ``edge_fraction`` of the amplitude from the local standing level.  Candidates much
shallower than the typical rep of the video are partial movements and are dropped.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import find_peaks

from kneeline.pose.container import FloatArray

__all__ = ["RepEvents", "detect_reps", "detect_rises"]


@dataclass(frozen=True)
class RepEvents:
    """Sample indices of one repetition."""

    start: int
    bottom: int
    end: int
    amplitude: float


def _fill_nan(signal: FloatArray) -> FloatArray:
    """Linearly interpolate NaN samples (for peak finding only); all-NaN stays NaN."""
    x = np.asarray(signal, dtype=np.float64)
    good = np.isfinite(x)
    if not good.any():
        return x.copy()
    idx = np.arange(x.size)
    out: FloatArray = np.interp(idx, idx[good], x[good])
    return out


def detect_reps(depth: FloatArray, time_s: FloatArray, *, min_depth: float, edge_fraction: float,
                min_interval_s: float, min_relative: float = 0.5) -> list[RepEvents]:
    """Find repetitions in a depth signal.

    Parameters
    ----------
    depth
        ``(time,)`` hip descent (larger = deeper); NaN gaps are bridged for peak finding.
    time_s
        ``(time,)`` timestamps.
    min_depth
        Smallest peak prominence that counts as a rep (same unit as ``depth``).
    edge_fraction
        Start/end threshold as a fraction of the rep's amplitude above its local baseline.
    min_interval_s
        Smallest time between two bottoms.
    min_relative
        A candidate shallower than this fraction of the median candidate amplitude is a partial
        movement (a bob, a shift of weight), not a rep.

    Returns
    -------
    list of RepEvents
        In time order; a rep whose start or end is not in the recording is left out.
    """
    x = _fill_nan(depth)
    t = np.asarray(time_s, dtype=np.float64)
    if x.size < 3 or not np.all(np.isfinite(x)):
        return []
    dt = float(np.median(np.diff(t))) if t.size > 1 else 1.0
    distance = max(1, int(round(min_interval_s / dt)))
    peaks, _ = find_peaks(x, prominence=min_depth, distance=distance)
    reps: list[RepEvents] = []
    prev_end = 0
    for i, peak in enumerate(peaks):
        next_peak = int(peaks[i + 1]) if i + 1 < len(peaks) else x.size - 1
        left_base = float(np.min(x[prev_end:peak + 1]))
        right_base = float(np.min(x[peak:next_peak + 1]))
        amplitude = float(x[peak] - max(left_base, right_base))
        if amplitude < min_depth:
            continue
        start_level = left_base + edge_fraction * (x[peak] - left_base)
        end_level = right_base + edge_fraction * (x[peak] - right_base)
        before = np.flatnonzero(x[prev_end:peak] <= start_level)
        after = np.flatnonzero(x[peak:next_peak + 1] <= end_level)
        if before.size == 0 or after.size == 0:
            continue
        start = prev_end + int(before[-1])
        end = int(peak) + int(after[0])
        reps.append(RepEvents(start=start, bottom=int(peak), end=end, amplitude=amplitude))
        prev_end = end
    if not reps:
        return reps
    typical = float(np.median([r.amplitude for r in reps]))
    return [r for r in reps if r.amplitude >= min_relative * typical]


def detect_rises(depth: FloatArray, time_s: FloatArray, *, min_depth: float, edge_fraction: float,
                 min_interval_s: float, min_relative: float = 0.5) -> list[RepEvents]:
    """Find sit-to-stand repetitions: rises from the low (seated) level to standing and back.

    The same event logic as :func:`detect_reps` on the height above the lowest position, so a
    recording that starts and ends seated counts every rise.  Each event's ``bottom`` is the
    standing peak of that rise.  A final rise that does not sit down again is not complete and is
    left out.
    """
    x = np.asarray(depth, dtype=np.float64)
    if not np.isfinite(x).any():
        return []
    height = float(np.nanmax(x)) - x
    return detect_reps(height, time_s, min_depth=min_depth, edge_fraction=edge_fraction,
                       min_interval_s=min_interval_s, min_relative=min_relative)

"""Repetitions and holds as events in a 1D signal, found causally (sample by sample).

A repetition is an excursion of the signal away from the *rest level* (the posture held still
before the set) and back.  :class:`RepTracker` waits until the signal has been still for a while,
takes that as the rest level, starts a repetition when the signal leaves it by ``enter``, follows
the peak, and ends the repetition when the signal is back within ``edge_fraction`` of the
excursion.  An excursion smaller than ``min_amplitude`` is a partial movement: reported, not
counted.  Pauses anywhere (at rest, at the peak, halfway) do not split or end a repetition; noise
smaller than ``enter`` never starts one; after a repetition ends, the next starts when the signal
rises ``enter`` above its lowest value since (so quick reps that do not settle still count).
With ``direction="auto"`` the first excursion of full size decides
whether repetitions go up or down from rest (a sit-to-stand set filmed from the chair counts
rises).  :class:`HoldTracker` measures holds: time spent at or above a level, bridging short dips.

The trackers use only past samples, so a live stream and a whole recording give the same events;
:func:`detect_rep_events` and :func:`detect_holds` run them over whole arrays.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass
from typing import Literal

import numpy as np

from kneeline.pose.container import FloatArray

__all__ = ["RepParams", "RepEvent", "RepTracker", "HoldParams", "HoldEvent", "HoldTracker", "detect_rep_events",
           "detect_holds", "TrackerPhase"]

TrackerPhase = Literal["ready", "rest", "out", "back", "hold"]


@dataclass(frozen=True)
class RepParams:
    """Thresholds of :class:`RepTracker`, in the unit of the signal (``*_fraction`` excepted)."""

    min_amplitude: float
    enter: float
    edge_fraction: float
    still_s: float
    still_band: float
    rest_follow_s: float
    direction: Literal["up", "down", "auto"] = "up"


@dataclass(frozen=True)
class RepEvent:
    """One excursion: sample indices of start, peak and end, and its size.

    ``counted`` is False for a partial movement (smaller than ``min_amplitude``) and for an
    excursion cut off by the end of the data or a loss of the person (``cut`` True).
    """

    start: int
    peak: int
    end: int
    start_s: float
    peak_s: float
    end_s: float
    amplitude: float
    counted: bool
    cut: bool = False


class RepTracker:
    """Causal repetition finder; feed samples in time order with :meth:`update`."""

    def __init__(self, params: RepParams) -> None:
        self.p = params
        self.phase: TrackerPhase = "ready"
        self.sign = {"up": 1.0, "down": -1.0, "auto": 0.0}[params.direction]
        self._still: deque[tuple[float, float]] = deque()
        self._rest = float("nan")
        self._low = float("nan")  # lowest (signed) value since the last excursion ended
        self._last_t = float("nan")
        self._buf: list[tuple[int, float, float]] = []  # (index, time, signed value) of the current excursion

    def reset(self) -> None:
        """Forget the rest level (after the person was lost); keep the direction already learnt."""
        self.phase = "ready"
        self._still.clear()
        self._buf = []
        self._rest = float("nan")

    @property
    def rest_level(self) -> float | None:
        """Rest level in signal units, or None before the posture was still."""
        if not np.isfinite(self._rest):
            return None
        return float(self._rest * (self.sign or 1.0))

    def update(self, index: int, t: float, value: float) -> RepEvent | None:
        """Take one sample; return the excursion that ended with it, if any.  NaN is skipped."""
        if not np.isfinite(value):
            return None
        dt = t - self._last_t if np.isfinite(self._last_t) else 0.0
        self._last_t = t
        if self.phase == "ready":
            self._wait_still(t, value)
            return None
        if self.sign == 0.0:
            d = value - self._rest
            if abs(d) <= self.p.enter:
                self._follow(value, dt)
                self._buf = [(index, t, value)]
                self.phase = "rest"
                return None
            self._buf.append((index, t, value))
            self.phase = "out"
            if abs(d) < self.p.min_amplitude:  # the direction is set by the first full-size excursion
                return None
            self.sign = 1.0 if d > 0 else -1.0
            self._rest *= self.sign
            self._low = self._rest
            self._buf = [(i, ti, v * self.sign) for i, ti, v in self._buf]
            return self._in_excursion(value * self.sign)
        x = value * self.sign
        if self.phase == "rest":
            self._low = min(self._low, x)
            if x <= self._low + self.p.enter:
                self._follow(x, dt)
                self._buf = [(index, t, x)]
                return None
            self.phase = "out"
        self._buf.append((index, t, x))
        return self._in_excursion(x)

    def _wait_still(self, t: float, value: float) -> None:
        self._still.append((t, value))
        while len(self._still) > 1 and t - self._still[1][0] >= self.p.still_s:
            self._still.popleft()  # keep the shortest window that spans still_s
        vals = [v for _, v in self._still]
        if t - self._still[0][0] >= self.p.still_s and max(vals) - min(vals) <= self.p.still_band:
            self._rest = float(np.mean(vals)) * (self.sign or 1.0)
            self._low = self._rest
            self.phase = "rest"
            self._buf = []

    def _follow(self, x: float, dt: float) -> None:
        """Let the rest level follow a slowly drifting posture (and at once a lower one)."""
        alpha = 1.0 - np.exp(-dt / self.p.rest_follow_s) if dt > 0 else 0.0
        self._rest += alpha * (x - self._rest)
        if self.sign != 0.0:
            self._rest = min(self._rest, x)

    def _in_excursion(self, x: float) -> RepEvent | None:
        values = np.array([v for _, _, v in self._buf])
        k_peak = int(np.argmax(values))
        peak = float(values[k_peak])
        trough = min(float(np.min(values[:k_peak + 1])), self._rest)
        level = trough + self.p.edge_fraction * (peak - trough)
        self.phase = "back" if x < peak - 0.5 * (peak - trough) else "out"
        if x > level:
            return None
        event = self._event(values, k_peak, trough, cut=False)
        self.phase = "rest"
        self._low = x
        self._buf = [self._buf[-1]]
        return event

    def _event(self, values: FloatArray, k_peak: int, trough: float, cut: bool) -> RepEvent:
        peak = float(values[k_peak])
        level = trough + self.p.edge_fraction * (peak - trough)
        before = np.flatnonzero(values[:k_peak] <= level)
        k_start = int(before[-1]) if before.size else 0
        amplitude = peak - trough
        first, top, last = self._buf[k_start], self._buf[k_peak], self._buf[-1]
        return RepEvent(start=first[0], peak=top[0], end=last[0], start_s=first[1], peak_s=top[1], end_s=last[1],
                        amplitude=float(amplitude), counted=bool(not cut and amplitude >= self.p.min_amplitude),
                        cut=cut)

    def flush(self) -> RepEvent | None:
        """End the data: return the excursion in progress (``cut``, not counted), if any."""
        if self.phase not in ("out", "back") or len(self._buf) < 2:
            return None
        values = np.array([v for _, _, v in self._buf])
        k_peak = int(np.argmax(values))
        trough = min(float(np.min(values[:k_peak + 1])), self._rest)
        event = self._event(values, k_peak, trough, cut=True)
        self.phase = "rest"
        self._buf = []
        return event


@dataclass(frozen=True)
class HoldParams:
    """Thresholds of :class:`HoldTracker`."""

    level: float
    gap_s: float
    min_hold_s: float


@dataclass(frozen=True)
class HoldEvent:
    """One hold: first and last sample at or above the level; ``cut`` when the data ended during it."""

    start: int
    end: int
    start_s: float
    end_s: float
    counted: bool
    cut: bool = False

    @property
    def duration_s(self) -> float:
        """Length of the hold in seconds."""
        return self.end_s - self.start_s


class HoldTracker:
    """Causal hold finder: the signal at or above ``level``; dips shorter than ``gap_s`` are bridged."""

    def __init__(self, params: HoldParams) -> None:
        self.p = params
        self._start: tuple[int, float] | None = None
        self._last_on: tuple[int, float] | None = None

    @property
    def phase(self) -> TrackerPhase:
        """``"hold"`` during a hold, else ``"rest"``."""
        return "hold" if self._start is not None else "rest"

    def held_s(self) -> float | None:
        """Length of the hold in progress, or None."""
        if self._start is None or self._last_on is None:
            return None
        return self._last_on[1] - self._start[1]

    def update(self, index: int, t: float, value: float) -> HoldEvent | None:
        """Take one sample; return the hold that ended, if any.  NaN counts as below the level."""
        on = bool(np.isfinite(value) and value >= self.p.level)
        if on:
            if self._start is None:
                self._start = (index, t)
            self._last_on = (index, t)
            return None
        if self._start is not None and self._last_on is not None and t - self._last_on[1] > self.p.gap_s:
            return self._close(cut=False)
        return None

    def _close(self, cut: bool) -> HoldEvent | None:
        assert self._start is not None and self._last_on is not None
        (i0, t0), (i1, t1) = self._start, self._last_on
        self._start = self._last_on = None
        return HoldEvent(start=i0, end=i1, start_s=t0, end_s=t1, counted=t1 - t0 >= self.p.min_hold_s, cut=cut)

    def flush(self) -> HoldEvent | None:
        """End the data: return the hold in progress (``cut``), if any."""
        if self._start is None:
            return None
        return self._close(cut=True)


def detect_rep_events(signal: FloatArray, time_s: FloatArray, params: RepParams) -> list[RepEvent]:
    """Run a :class:`RepTracker` over a whole signal; the excursion cut by the end comes last."""
    tracker = RepTracker(params)
    events = [e for i, (t, v) in enumerate(zip(time_s, signal, strict=True))
              if (e := tracker.update(i, float(t), float(v))) is not None]
    last = tracker.flush()
    return events + ([last] if last is not None else [])


def detect_holds(signal: FloatArray, time_s: FloatArray, params: HoldParams) -> list[HoldEvent]:
    """Run a :class:`HoldTracker` over a whole signal; a hold cut by the end comes last."""
    tracker = HoldTracker(params)
    events = [e for i, (t, v) in enumerate(zip(time_s, signal, strict=True))
              if (e := tracker.update(i, float(t), float(v))) is not None]
    last = tracker.flush()
    return events + ([last] if last is not None else [])

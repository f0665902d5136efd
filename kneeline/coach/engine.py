"""The causal coaching engine shared by offline (:mod:`~kneeline.coach.session`) and live coaching.

One sample at a time: the movement's raw signal is divided by a body scale (a running typical leg
length, fixed once the rest posture is known), smoothed by a
causal exponential filter, and fed to a :class:`~kneeline.coach.events.RepTracker` or
:class:`~kneeline.coach.events.HoldTracker`.  When the signal is missing for longer than
``lost_s`` (the person left the view) or the timestamps jump by that much (frames lost), the
excursion in progress is cut, the tracker waits for a still posture again, and the gap is recorded.
Running the same engine over a whole recording and over a live stream gives the same events.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np

from kneeline.coach.definitions import Movement, MovementLibrary
from kneeline.coach.events import HoldEvent, HoldParams, HoldTracker, RepEvent, RepParams, RepTracker

__all__ = ["Gap", "EngineStep", "CoachEngine"]

_SCALE_WINDOW = 900
"""Samples of body length kept for the running scale (a minute at 15 fps)."""


@dataclass(frozen=True)
class Gap:
    """A time span without usable keypoints: ``"lost"`` (person out of view) or ``"frames"`` (none arrived)."""

    start_s: float
    end_s: float
    kind: str


@dataclass(frozen=True)
class EngineStep:
    """What one sample produced."""

    value: float
    events: tuple[RepEvent | HoldEvent, ...] = ()
    lost: bool = False


@dataclass
class _State:
    scale: deque[float] = field(default_factory=lambda: deque(maxlen=_SCALE_WINDOW))
    smooth: float = float("nan")
    last_t: float = float("nan")
    last_valid_t: float = float("nan")
    lost: bool = False
    started: bool = False
    frozen: float | None = None


class CoachEngine:
    """Causal events of one movement from its raw per-frame signal.

    Parameters
    ----------
    movement, lib
        The movement definition and the loaded definitions (defaults).
    """

    def __init__(self, movement: Movement, lib: MovementLibrary) -> None:
        self.movement = movement
        d = lib.default
        self.smoothing_s, self.lost_s = d("smoothing_s"), d("lost_s")
        amp = float(movement.min_amplitude.value)  # type: ignore[arg-type]
        self.tracker: RepTracker | HoldTracker
        if movement.kind == "hold":
            self.tracker = HoldTracker(HoldParams(level=amp, gap_s=d("hold_gap_s"), min_hold_s=d("min_hold_s")))
        else:
            self.tracker = RepTracker(RepParams(
                min_amplitude=amp, enter=d("enter_fraction") * amp, edge_fraction=d("edge_fraction"),
                still_s=d("still_s"), still_band=d("still_band") * amp, rest_follow_s=d("rest_follow_s"),
                direction=movement.direction))
        self.gaps: list[Gap] = []
        self._s = _State()

    @property
    def lost(self) -> bool:
        """True while the person is out of view (or before they were ever seen)."""
        return self._s.lost or not self._s.started

    @property
    def phase(self) -> str:
        """The tracker's phase (``ready``, ``rest``, ``out``, ``back``, ``hold``)."""
        return self.tracker.phase

    def _cut(self, start_s: float, end_s: float, kind: str) -> tuple[RepEvent | HoldEvent, ...]:
        self.gaps.append(Gap(start_s=start_s, end_s=end_s, kind=kind))
        event = self.tracker.flush()
        if isinstance(self.tracker, RepTracker):
            self.tracker.reset()
        self._s.smooth = float("nan")
        self._s.frozen = None
        self._s.scale.clear()
        return (event,) if event is not None else ()

    def step(self, index: int, t: float, raw: float, scale: float | None) -> EngineStep:
        """Take sample ``index`` at time ``t``: the raw signal and, for length signals, the body length."""
        s = self._s
        events: tuple[RepEvent | HoldEvent, ...] = ()
        if s.started and not s.lost and np.isfinite(s.last_t) and t - s.last_t > self.lost_s:
            events = self._cut(s.last_t, t, "frames")
        dt = t - s.last_t if np.isfinite(s.last_t) else 0.0
        s.last_t = t
        value = raw
        if scale is not None and np.isfinite(scale) and scale > 0 and s.frozen is None:
            s.scale.append(float(scale))
        if scale is not None:
            body = s.frozen or (float(np.percentile(s.scale, 75)) if s.scale else float("nan"))
            value = raw / body
        if not np.isfinite(value):
            if s.started and not s.lost and t - s.last_valid_t > self.lost_s:
                s.lost = True
                events = events + self._cut(s.last_valid_t, t, "lost")
            return EngineStep(value=float("nan"), events=events, lost=self.lost)
        if s.lost:
            last = self.gaps[-1]
            self.gaps[-1] = Gap(start_s=last.start_s, end_s=t, kind=last.kind)
        s.lost, s.started, s.last_valid_t = False, True, t
        alpha = 1.0 - np.exp(-dt / self.smoothing_s) if dt > 0 and np.isfinite(s.smooth) else 1.0
        s.smooth = value if not np.isfinite(s.smooth) else s.smooth + alpha * (value - s.smooth)
        event = self.tracker.update(index, t, s.smooth)
        if s.frozen is None and self.tracker.phase not in ("ready", "hold") and scale is not None:
            # The body scale is fixed with the rest level: a set started seated (legs foreshortened)
            # keeps one unit throughout instead of shifting when the person first stands.
            s.frozen = float(np.percentile(s.scale, 75))
        return EngineStep(value=s.smooth, events=events + ((event,) if event is not None else ()), lost=False)

    def finish(self) -> tuple[RepEvent | HoldEvent, ...]:
        """End of data: the excursion or hold in progress, cut."""
        event = self.tracker.flush()
        return (event,) if event is not None else ()

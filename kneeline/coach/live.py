"""Live coaching: BlazePose keypoints pushed frame by frame -> a small state after every frame.

:class:`LiveCoach` runs the same causal :class:`~kneeline.coach.engine.CoachEngine` as offline
coaching, so a live stream and the recorded video give the same counts.  Each push costs well under
a millisecond; a repetition is counted the moment it completes (the signal is back near rest), and
its faults become cues at once.  :meth:`LiveCoach.finish` returns the whole set so far as a
:class:`~kneeline.coach.result.CoachResult`, a partial set included.
"""

from __future__ import annotations

import copy
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from kneeline.coach.definitions import get_movement, load_movements
from kneeline.coach.engine import CoachEngine
from kneeline.coach.events import HoldEvent, HoldTracker, RepEvent
from kneeline.coach.faults import RepWindow, judge_rep
from kneeline.coach.result import CoachResult
from kneeline.coach.session import build_result
from kneeline.coach.signals import KEYPOINTS, compute_features, signal_values
from kneeline.errors import InputError
from kneeline.pose.container import FloatArray
from kneeline.pose.skeleton import BLAZEPOSE_KEYPOINTS

__all__ = ["LiveState", "LiveCoach"]

_INDEX = np.array([BLAZEPOSE_KEYPOINTS.index(k) for k in KEYPOINTS])
_POSTURE_FRAMES = 45


class LiveState(BaseModel):
    """What the live page shows after a frame."""

    model_config = ConfigDict(extra="forbid")

    reps: int = Field(description="Counted repetitions (or holds) so far")
    phase: str = Field(description='"ready", "down", "up", "hold" or "no person"')
    hold_s: float | None = Field(None, description="Length of the hold in progress")
    cues: list[str] = Field(default_factory=list, description="Short cues for the last rep / now")
    last_rep_faults: list[str] = Field(default_factory=list, description="Fault ids of the last counted rep")
    message: str | None = Field(None, description="A problem with the capture and what to do")


class LiveCoach:
    """Count and judge a set from a stream of BlazePose keypoints.

    Parameters
    ----------
    exercise_id
        Exercise id or name (see :func:`kneeline.coach.definitions.get_movement`).
    side
        Working/stance leg, or ``"auto"``.

    Raises
    ------
    InputError
        For an exercise kneeline cannot coach or an unknown side.
    """

    def __init__(self, exercise_id: str, *, side: Literal["left", "right", "auto"] = "auto") -> None:
        if side not in ("left", "right", "auto"):
            raise InputError(f"unknown side {side!r}; expected left, right or auto")
        self.movement = get_movement(exercise_id)
        self.side = side
        self._lib = load_movements()
        self._engine = CoachEngine(self.movement, self._lib)
        self._min_conf = self._lib.default("min_confidence")
        self._time: list[float] = []
        self._signal: list[float] = []
        self._feats: dict[str, list[float]] = {}
        self._events: list[RepEvent | HoldEvent] = []
        self._count = 0
        self._last_faults: list[str] = []
        self._cues: list[str] = []
        self._size: tuple[int, int] | None = None

    def _arrays(self, lo: int, hi: int) -> tuple[dict[str, FloatArray], FloatArray, FloatArray]:
        feats = {k: np.asarray(v[lo:hi], dtype=np.float64) for k, v in self._feats.items()}
        return feats, np.asarray(self._time[lo:hi]), np.asarray(self._signal[lo:hi], dtype=np.float64)

    def _judge(self, event: RepEvent | HoldEvent) -> None:
        """Turn a counted event into cues at once (the set's typical range so far)."""
        pre_t = self._time[event.start] - self._lib.default("still_s")
        lo = int(np.searchsorted(np.asarray(self._time[: event.start + 1]), pre_t))
        feats, t, signal = self._arrays(lo, event.end + 1)
        amps = [e.amplitude for e in self._events if e.counted and isinstance(e, RepEvent)]
        if isinstance(event, HoldEvent):
            finite = signal[np.isfinite(signal)]
            w = RepWindow(pre=0, start=event.start - lo, peak=(event.start + event.end) // 2 - lo,
                          end=event.end - lo, time_s=t, signal=signal,
                          amplitude=float(np.median(finite)) if finite.size else float("nan"), hold_s=event.duration_s)
        else:
            w = RepWindow(pre=0, start=event.start - lo, peak=event.peak - lo, end=event.end - lo, time_s=t,
                          signal=signal, amplitude=event.amplitude)
        leg = None if self.side == "auto" else self.side
        rep = judge_rep(self._count, self.movement, self._lib, feats, w, leg,
                        float(np.median(amps)) if amps else None)
        self._last_faults = [f.id for f in rep.faults]
        self._cues = [f.cue for f in rep.faults]

    def _phase(self) -> str:
        if self._engine.lost:
            return "no person"
        tracker_phase = self._engine.phase
        if tracker_phase == "hold":
            return "hold"
        if tracker_phase in ("ready", "rest"):
            return "ready"
        out_is_down = self.movement.signal == "hip_descent" and self.movement.direction != "down"
        going_out = tracker_phase == "out"
        return "down" if going_out == out_is_down else "up"

    def _message(self) -> str | None:
        if self._engine.lost:
            return "Step back so your whole body is in view." if self._time else None
        tilt = [v for v in self._feats.get("trunk_tilt_deg", [])[-_POSTURE_FRAMES:] if np.isfinite(v)]
        if len(tilt) >= _POSTURE_FRAMES // 2:
            lying = float(np.median(tilt)) > self._lib.default("lying_trunk_deg")
            if lying != (self.movement.posture == "lying"):
                return f"This exercise is done {self.movement.posture}; check that you chose the right exercise."
        if self._engine.phase == "ready" and self.movement.kind == "reps":
            return "Hold still in the starting position."
        return None

    def push(self, t_s: float, xy: np.ndarray, conf: np.ndarray, width: int, height: int) -> LiveState:
        """Take one frame: ``xy`` ``(33, 2)`` pixels (NaN where missing), ``conf`` ``(33,)`` visibility.

        Frames must come in time order; a frame not later than the previous one is ignored.
        """
        if self._time and t_s <= self._time[-1]:
            return self.state()
        self._size = (int(width), int(height))
        pts = np.asarray(xy, dtype=np.float64)[_INDEX]
        seen = np.asarray(conf, dtype=np.float64)[_INDEX] >= self._min_conf
        pts = np.where(seen[:, None], pts, np.nan)
        feats = compute_features({k: pts[i][None, :] for i, k in enumerate(KEYPOINTS)})
        for k, v in feats.items():
            self._feats.setdefault(k, []).append(float(v[0]))
        raw, scale = signal_values(self.movement.signal, feats, self._lib.default("lying_trunk_deg"))
        index = len(self._time)
        self._time.append(float(t_s))
        step = self._engine.step(index, float(t_s), float(raw[0]), None if scale is None else float(scale[0]))
        self._signal.append(step.value)
        for event in step.events:
            self._events.append(event)
            if event.counted:
                self._count += 1
                self._judge(event)
        return self.state()

    def state(self) -> LiveState:
        """The current state without taking a frame."""
        hold = self._engine.tracker.held_s() if isinstance(self._engine.tracker, HoldTracker) else None
        return LiveState(reps=self._count, phase=self._phase(), hold_s=None if hold is None else round(hold, 2),
                         cues=list(self._cues), last_rep_faults=list(self._last_faults), message=self._message())

    def finish(self) -> CoachResult:
        """The whole set so far (a set cut short included); pushing may continue afterwards."""
        engine = copy.deepcopy(self._engine)
        events = [*self._events, *engine.finish()]
        feats, t, signal = self._arrays(0, len(self._time))
        return build_result(self.movement, feats, t, signal, events, engine.gaps, side=self.side)

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

from kneeline.coach.capture import MEASURE_NAMES, CoachGate, gate_set
from kneeline.coach.definitions import get_movement, load_movements
from kneeline.coach.engine import CoachEngine
from kneeline.coach.events import HoldEvent, HoldTracker, RepEvent
from kneeline.coach.faults import RepWindow
from kneeline.coach.key_frame import with_key_frame
from kneeline.coach.result import CoachResult
from kneeline.coach.session import build_result, judge_with_gate
from kneeline.coach.signals import KEYPOINTS, compute_features, signal_values
from kneeline.errors import InputError
from kneeline.kinematics.compute import compute_kinematics
from kneeline.pose.container import FloatArray, PoseSeries
from kneeline.pose.skeleton import BLAZEPOSE_KEYPOINTS

NOBODY_SEEN = ("Nobody was seen in the camera during this set, so it was not saved: a set with nobody in view "
               "is not a set of 0 repetitions. Stand where the camera sees your whole body, then start again.")
"""Why a live set in which nobody was seen is not saved."""

__all__ = ["NOBODY_SEEN", "LiveState", "LiveCoach"]

_INDEX = np.array([BLAZEPOSE_KEYPOINTS.index(k) for k in KEYPOINTS])
_POSTURE_FRAMES = 45
LIVE_SOURCE = "mediapipe blazepose live"
"""Source of the live keypoints (BlazePose: the view estimate corrects its depth axis)."""


class LiveState(BaseModel):
    """What the live page shows after a frame."""

    model_config = ConfigDict(extra="forbid")

    reps: int = Field(description="Counted repetitions (or holds) so far")
    phase: str = Field(description='"ready", "down", "up", "hold" or "no person"')
    hold_s: float | None = Field(None, description="Length of the hold in progress")
    cues: list[str] = Field(default_factory=list, description="Short cues for the last rep / now")
    last_rep_faults: list[str] = Field(default_factory=list, description="Fault ids of the last counted rep")
    message: str | None = Field(None, description="A problem with the capture and what to do")
    withheld: list[str] = Field(default_factory=list, description="Measures of the last counted rep that the "
                                                                  "capture gate withheld, and why")


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
        self._xy: list[FloatArray] = []
        self._conf: list[FloatArray] = []
        self._world: list[FloatArray | None] = []
        self._withheld: list[str] = []

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
        # The capture gate over the rep's own recent frames: the same view estimate and limits as analyze.
        rep = judge_with_gate(self._count, self.movement, self._lib, feats, w, leg,
                              float(np.median(amps)) if amps else None, self._gate(lo, event.end + 1))
        self._last_faults = [f.id for f in rep.faults]
        self._cues = [f.cue for f in rep.faults]
        self._withheld = [f"{MEASURE_NAMES.get(m, m)}: {why}" for m, why in rep.withheld.items()]

    def _pose(self, lo: int, hi: int) -> PoseSeries | None:
        """Frames ``lo..hi-1`` as a pose series (keypoints below the confidence limit missing), or None."""
        if hi - lo < 2 or self._size is None:
            return None
        xy = np.stack(self._xy[lo:hi])
        conf = np.stack(self._conf[lo:hi])
        xy = np.where((conf >= self._min_conf)[..., None], xy, np.nan)
        worlds = self._world[lo:hi]
        missing = np.full((len(BLAZEPOSE_KEYPOINTS), 3), np.nan)
        world = None if all(w is None for w in worlds) else np.stack([missing if w is None else w for w in worlds])
        return PoseSeries(position=xy, confidence=conf, time_s=np.asarray(self._time[lo:hi]),
                          keypoints=BLAZEPOSE_KEYPOINTS, width=self._size[0], height=self._size[1],
                          source=LIVE_SOURCE, world=world)

    def _gate(self, lo: int, hi: int) -> CoachGate | None:
        """The capture gate over frames ``lo..hi-1`` (None with fewer than two frames)."""
        pose = self._pose(lo, hi)
        if pose is None:
            return None
        table = compute_kinematics(pose)
        # fps 0: the page streams about 12 frames/s on purpose; the low-frame-rate advice is for recordings.
        return gate_set(pose, table, fps=0.0, view_needed=self.movement.view)

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

    def push(self, t_s: float, xy: np.ndarray, conf: np.ndarray, width: int, height: int,
             world: np.ndarray | None = None) -> LiveState:
        """Take one frame: ``xy`` ``(33, 2)`` pixels (NaN where missing), ``conf`` ``(33,)`` visibility.

        ``world`` ``(33, 3)``: the pose model's metric 3D keypoints, for the view estimate; without
        them the view is unknown and the 2D width ratio stands in (as for keypoint files).
        Frames must come in time order; a frame not later than the previous one is ignored.
        """
        if self._time and t_s <= self._time[-1]:
            return self.state()
        self._size = (int(width), int(height))
        self._xy.append(np.asarray(xy, dtype=np.float64).reshape(len(BLAZEPOSE_KEYPOINTS), 2))
        self._conf.append(np.asarray(conf, dtype=np.float64).reshape(len(BLAZEPOSE_KEYPOINTS)))
        self._world.append(None if world is None
                           else np.asarray(world, dtype=np.float64).reshape(len(BLAZEPOSE_KEYPOINTS), 3))
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
                         cues=list(self._cues), last_rep_faults=list(self._last_faults), message=self._message(),
                         withheld=list(self._withheld))

    def person_seen(self) -> bool:
        """Whether the person's legs (hips, knees, ankles) were seen in any frame so far."""
        return any(np.isfinite(v) for v in self._feats.get("leg_len", []))

    def finish(self) -> CoachResult:
        """The whole set so far (a set cut short included); pushing may continue afterwards."""
        engine = copy.deepcopy(self._engine)
        events = [*self._events, *engine.finish()]
        feats, t, signal = self._arrays(0, len(self._time))
        result = build_result(self.movement, feats, t, signal, events, engine.gaps, side=self.side,
                              gate=self._gate(0, len(self._time)))
        if not self._xy:
            return result
        xy, conf = np.stack(self._xy)[:, _INDEX], np.stack(self._conf)[:, _INDEX]
        xy = np.where((conf >= self._min_conf)[..., None], xy, np.nan)
        return with_key_frame(result, t, {k: xy[:, i] for i, k in enumerate(KEYPOINTS)})

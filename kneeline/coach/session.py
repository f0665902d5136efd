"""Offline coaching of one set: a pose series or a video -> :class:`~kneeline.coach.result.CoachResult`.

Stages: clean the keypoints (:func:`kneeline.clean.pipeline.clean_pose`), compute the coaching
features, run the causal :class:`~kneeline.coach.engine.CoachEngine` over every frame (the same
engine the live coach runs), then judge each counted repetition.  A set cut short (person out of
view, frames lost, video ending mid-repetition) keeps what was counted and is flagged ``partial``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import numpy as np

from kneeline._version import get_version
from kneeline.capture.gate import PeopleSeen
from kneeline.clean.pipeline import clean_pose
from kneeline.coach.body import body_ratios
from kneeline.coach.capture import MEASURE_NAMES, CoachGate, gate_set, lying_view_issue, with_issue
from kneeline.coach.definitions import Movement, MovementLibrary, get_movement, load_movements
from kneeline.coach.engine import CoachEngine, Gap
from kneeline.coach.events import HoldEvent, RepEvent
from kneeline.coach.faults import RepWindow, classify_view, judge_rep, working_side
from kneeline.coach.key_frame import with_key_frame
from kneeline.coach.quality import fault_counts, mean_quality, tempo
from kneeline.coach.rep_signals import rep_signals
from kneeline.coach.result import CoachRep, CoachResult, WithheldMeasure
from kneeline.coach.signals import KEYPOINTS, Features, features_from_pose, signal_values
from kneeline.config import AnalysisSettings, load_settings
from kneeline.errors import AnalysisError, InputError
from kneeline.kinematics.angles import Leg
from kneeline.kinematics.compute import compute_kinematics, lower_body_confidence
from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import FloatArray, PoseSeries
from kneeline.program.library import load_library
from kneeline.report.result import Provenance, VideoMeta

__all__ = ["CoachRun", "SideArg", "run_engine", "judge_with_gate", "withheld_summary", "withheld_messages",
           "build_result", "coach_pose", "coach_video", "no_reps_message"]

SideArg = Literal["left", "right", "auto"]
Event = RepEvent | HoldEvent


@dataclass(frozen=True, eq=False)
class CoachRun:
    """A coached set with the per-frame data its outputs are drawn from.

    ``table`` is the kinematics *as shown* (:func:`kneeline.capture.shown.shown_table`): every
    value the capture gate withholds is NaN in it, and ``signal`` is NaN where the movement's
    signal is itself a withheld number, so no output drawn from them can show one.
    """

    result: CoachResult
    table: KinematicsTable
    pose: PoseSeries
    raw_pose: PoseSeries
    signal: FloatArray


def run_engine(movement: Movement, lib: MovementLibrary, feats: Features,
               time_s: FloatArray) -> tuple[list[Event], list[Gap], FloatArray]:
    """Run the causal engine over whole feature arrays: events, gaps and the smoothed signal."""
    raw, scale = signal_values(movement.signal, feats, lib.default("lying_trunk_deg"))
    engine = CoachEngine(movement, lib)
    events: list[Event] = []
    smooth = np.full(time_s.shape, np.nan)
    for i, t in enumerate(time_s):
        step = engine.step(i, float(t), float(raw[i]), None if scale is None else float(scale[i]))
        smooth[i] = step.value
        events.extend(step.events)
    events.extend(engine.finish())
    return events, engine.gaps, smooth


def _window(movement: Movement, e: Event, time_s: FloatArray, signal: FloatArray, still_s: float) -> RepWindow:
    start = e.start
    pre = int(np.searchsorted(time_s, time_s[start] - still_s))
    if isinstance(e, HoldEvent):
        vals = signal[e.start:e.end + 1]
        vals = vals[np.isfinite(vals)]
        level = float(np.median(vals)) if vals.size else float("nan")
        return RepWindow(pre=pre, start=e.start, peak=(e.start + e.end) // 2, end=e.end, time_s=time_s,
                         signal=signal, amplitude=level, hold_s=e.duration_s)
    return RepWindow(pre=pre, start=start, peak=e.peak, end=e.end, time_s=time_s, signal=signal,
                     amplitude=e.amplitude)


def _gap_message(gap: Gap) -> str:
    if gap.kind == "lost":
        return (f"You were out of view from {gap.start_s:.1f} s to {gap.end_s:.1f} s; movements then were not "
                "counted. Step back so your whole body is in view.")
    return (f"No frames arrived from {gap.start_s:.1f} s to {gap.end_s:.1f} s (the camera stopped or dropped "
            "frames); movements then were not counted.")


def _posture_message(movement: Movement, feats: Features, lib: MovementLibrary) -> str | None:
    tilt = feats["trunk_tilt_deg"]
    tilt = tilt[np.isfinite(tilt)]
    if tilt.size == 0:
        return None
    seen = "lying" if float(np.median(tilt)) > lib.default("lying_trunk_deg") else "standing"
    if seen == movement.posture:
        return None
    view = lying_view_issue(movement, feats, lib)
    if view is not None and view.code == "view_lying_end_on":  # a body pointing at the camera only looks upright
        return view.message
    name = load_library().exercises[movement.id].name
    return (f"The person is mostly {seen}, but {name} is done {movement.posture}: the video may show a "
            "different exercise. Check the exercise you chose.")


def judge_with_gate(index: int, movement: Movement, lib: MovementLibrary, feats: Features, w: RepWindow,
                    leg: Leg | None, typical: float | None, gate: CoachGate | None) -> CoachRep:
    """:func:`judge_rep` on the numbers the capture gate lets kneeline show (all of them without a gate)."""
    if gate is None:
        rep = judge_rep(index, movement, lib, feats, w, leg, typical)
        return rep.model_copy(update={"signals": rep_signals(feats, w, lib, {}, rep.view),
                                      "body": body_ratios(feats, w, rep.view)})
    worker = working_side(movement, feats, w.start, w.end, leg)
    sides = [worker] if worker is not None else ["left", "right"]  # the legs whose knee angle is read
    gated = sorted({c.measure for c in movement.checks} | {"fppa", "trunk_lean", "pelvic_drop"})
    withheld_all = gate.withheld(gated, movement.signal, w.start, w.end, w.pre, sides)
    checked: set[str] = {c.measure for c in movement.checks}
    withheld: dict[str, str] = {m: why for m, why in withheld_all.items() if m in checked}
    shown = gate.features(feats)
    rep = judge_rep(index, movement, lib, shown, w, leg, typical, withheld=withheld,
                    view=gate.rep_view(w.start, w.end))
    return rep.model_copy(update={"withheld": withheld,
                                  "signals": rep_signals(shown, w, lib, withheld_all, rep.view),
                                  "body": body_ratios(feats, w, rep.view)})


def _ranges(indices: Sequence[int]) -> str:
    """``[1, 2, 3, 5]`` -> ``"1-3, 5"``."""
    parts: list[str] = []
    for i in indices:
        if parts and parts[-1].split("-")[-1] == str(i - 1):
            parts[-1] = f"{parts[-1].split('-')[0]}-{i}"
        else:
            parts.append(str(i))
    return ", ".join(parts)


def withheld_summary(reps: Sequence[CoachRep]) -> list[WithheldMeasure]:
    """The measures withheld over the set, grouped by measure and reason, with their repetitions."""
    groups: dict[tuple[str, str], list[int]] = {}
    for rep in reps:
        for measure, reason in rep.withheld.items():
            groups.setdefault((measure, reason), []).append(rep.index)
    return [WithheldMeasure(measure=m, label=MEASURE_NAMES.get(m, m), reps=idx, reason=reason)
            for (m, reason), idx in groups.items()]


def withheld_messages(withheld: Sequence[WithheldMeasure], count: int) -> list[str]:
    """One plain line per withheld measure: which repetitions, and why."""
    out = []
    for w in withheld:
        which = "every repetition" if len(w.reps) == count and count > 1 else \
            f"repetition{'s' if len(w.reps) > 1 else ''} {_ranges(w.reps)}"
        reason = w.reason.removeprefix("withheld: ")
        out.append(f"The {w.label} is not shown for {which}: {reason}.")
    return out


def build_result(movement: Movement, feats: Features, time_s: FloatArray, signal: FloatArray,
                 events: Sequence[Event], gaps: Sequence[Gap], *, side: SideArg = "auto",
                 video: VideoMeta | None = None, provenance: Provenance | None = None,
                 gate: CoachGate | None = None) -> CoachResult:
    """Judge every counted event and summarise the set (shared by offline and live coaching).

    With ``gate`` (the set's capture gate, :func:`kneeline.coach.capture.gate_set`) only the knee,
    pelvis and trunk angles it lets kneeline show are measured; the result carries its capture
    findings and names the repetitions whose measures were withheld, and why.
    """
    lib = load_movements()
    counted = [e for e in events if e.counted]
    typical = None
    if movement.kind == "reps" and counted:
        typical = float(np.median([e.amplitude for e in counted if isinstance(e, RepEvent)]))
    leg: Leg | None = None if side == "auto" else side
    still_s = lib.default("still_s")
    reps: list[CoachRep] = [judge_with_gate(i + 1, movement, lib, feats,
                                            _window(movement, e, time_s, signal, still_s), leg, typical, gate)
                            for i, e in enumerate(counted)]
    withheld = withheld_summary(reps)
    messages = [_gap_message(g) for g in gaps]
    if events and events[-1].cut and not any(g.end_s >= events[-1].end_s for g in gaps):
        messages.append("The recording ended during a movement; that last one was not counted.")
    partial = bool(gaps) or any(e.cut for e in events)
    posture = _posture_message(movement, feats, lib)
    if posture:
        messages.insert(0, posture)
    view_seen = classify_view(feats, 0, len(time_s) - 1, lib) if len(time_s) else "unknown"
    if gate is not None and gate.outcome.capture.view != "unknown":
        view_seen = gate.outcome.capture.view
    messages.extend(withheld_messages(withheld, len(reps)))
    lying_view = lying_view_issue(movement, feats, lib)
    capture = None if gate is None else gate.outcome.capture
    if lying_view is not None:
        if lying_view.message not in messages:
            messages.insert(0, lying_view.message)
        capture = None if capture is None else with_issue(capture, lying_view)
    notes = []
    if view_seen not in (movement.view, "unknown") and not (view_seen == "oblique" and movement.view == "frontal"):
        notes.append(f"This exercise is best filmed from a {movement.view} view (seen: {view_seen}); checks that "
                     "need that view were skipped.")
    holds = [r.hold_s for r in reps if r.hold_s is not None]
    return CoachResult(
        kneeline_version=get_version(), exercise=movement.id, exercise_name=load_library().exercises[movement.id].name,
        kind=movement.kind, view_needed=movement.view, view_seen=view_seen, count=len(reps), reps=reps,
        partial_attempts=sum(1 for e in events if not e.counted and not e.cut),
        hold_total_s=round(float(sum(holds)), 2) if movement.kind == "hold" else None,
        tempo=tempo(reps), quality=mean_quality(reps), fault_counts=fault_counts(reps), partial=partial,
        messages=messages, notes=notes, video=video, provenance=provenance,
        capture=capture, withheld=withheld)


def no_reps_message(result: CoachResult) -> str:
    """Why nothing was counted, and what to do."""
    what = "holds" if result.kind == "hold" else "repetitions"
    reasons = list(result.messages)
    if result.partial_attempts:
        reasons.append(f"{result.partial_attempts} movement(s) were too small to count as {what}.")
    base = (f"No {result.exercise_name} {what} were found. Check that the video shows this exercise with the whole "
            f"body in view, filmed from a {result.view_needed} view.")
    return " ".join([base, *reasons])


def _provenance(pose: PoseSeries, settings: AnalysisSettings, input_sha256: str | None) -> Provenance:
    sha = input_sha256 or hashlib.sha256(np.ascontiguousarray(pose.position).tobytes()).hexdigest()
    return Provenance(model=pose.source, settings=settings.model_dump(), input_sha256=sha,
                      kneeline_version=get_version(), created_utc=datetime.now(UTC).isoformat(timespec="seconds"))


def coach_pose(pose: PoseSeries, exercise: str, *, side: SideArg = "auto", settings: AnalysisSettings | None = None,
               video: VideoMeta | None = None, input_sha256: str | None = None,
               require_reps: bool = True, people: PeopleSeen | None = None) -> CoachRun:
    """Coach one set from a pose series (raw keypoints, not yet cleaned).

    Parameters
    ----------
    pose
        Raw keypoints with at least shoulders, hips, knees and ankles.
    exercise
        Exercise id or name (see :func:`kneeline.coach.definitions.get_movement`).
    side
        Working/stance leg, or ``"auto"`` to find it per repetition.
    settings
        Cleaning settings; defaults from :func:`kneeline.config.load_settings`.
    video
        Facts about the source video.
    input_sha256
        Hash of the input file, for provenance.
    require_reps
        Raise when nothing was counted (the CLI); False returns the empty result.
    people
        How many people were seen and which was followed, for the capture gate.

    Raises
    ------
    InputError
        Unknown exercise or side, or keypoints missing.
    AnalysisError
        Nothing counted, or the person's posture (standing / lying) does not fit the exercise (with
        ``require_reps``): the message says why.
    """
    movement = get_movement(exercise)
    if side not in ("left", "right", "auto"):
        raise InputError(f"unknown side {side!r}; expected left, right or auto")
    missing = [k for k in KEYPOINTS if k not in pose.keypoints]
    if missing:
        raise InputError(f"the keypoints lack {', '.join(missing)}; coaching needs shoulders, hips, knees and ankles")
    if pose.n_frames < 2:
        raise InputError(f"the video has {pose.n_frames} frame(s); coaching needs a recording of the whole set")
    settings = settings or load_settings().analysis
    cleaned, _ = clean_pose(pose, settings)
    table = compute_kinematics(cleaned, confidence=lower_body_confidence(pose))
    gate = gate_set(cleaned, table, fps=video.fps if video is not None else pose.fps, view_needed=movement.view,
                    enforce_view=settings.enforce_view, people=people)
    feats = features_from_pose(cleaned)
    events, gaps, signal = run_engine(movement, load_movements(), feats, cleaned.time_s)
    result = build_result(movement, feats, cleaned.time_s, signal, events, gaps, side=side, video=video,
                          provenance=_provenance(pose, settings, input_sha256), gate=gate)
    result = with_key_frame(result, cleaned.time_s, {k: cleaned.xy(k) for k in KEYPOINTS})
    if require_reps and result.count == 0:
        raise AnalysisError(no_reps_message(result))
    posture = _posture_message(movement, feats, load_movements())
    if require_reps and posture:  # reps of a lying exercise counted on a standing person mean nothing
        raise AnalysisError(posture)
    return CoachRun(result=result, table=gate.shown, pose=cleaned, raw_pose=pose,
                    signal=gate.signal(movement.signal, signal))


def coach_video(path: str | Path, exercise: str, *, side: SideArg = "auto", settings: AnalysisSettings | None = None,
                progress: Callable[[int, int], None] | None = None) -> CoachRun:
    """Estimate the pose in a video file and coach the set (see :func:`coach_pose`).

    Raises
    ------
    InputError
        If the file is missing, not a video, or the exercise unknown.
    AnalysisError
        If nothing was counted.
    """
    from kneeline.pipeline import file_sha256
    from kneeline.pose.people import describe_people
    from kneeline.pose.runner import estimate_pose

    movement = get_movement(exercise)  # fail fast, before the slow pose estimation
    settings = settings or load_settings().analysis
    p = Path(path)
    pose = estimate_pose(p, progress=progress, max_side_px=settings.max_side_px)
    info = pose.meta.get("video", {})
    video = VideoMeta(path=str(p), fps=round(pose.fps, 3), frames=pose.n_frames, width=pose.width,
                      height=pose.height, duration_s=round(float(info.get("duration_s", 0.0)), 3),
                      rotation_deg=int(info.get("rotation_deg", 0)))
    people = describe_people(p, pose)
    return coach_pose(pose, movement.id, side=side, settings=settings, video=video, input_sha256=file_sha256(p),
                      people=PeopleSeen(people.people_max, people.tracked_person, people.switches))

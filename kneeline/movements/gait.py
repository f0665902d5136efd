"""Gait test (walking or running towards or away from the camera): steps and per-stance frontal values.

Events come from :func:`kneeline.movements.gait_events.detect_gait_events`.  Each complete stance
(contact and toe-off seen) is one step; at its midstance (half-way between contact and toe-off)
kneeline reads the contralateral pelvic drop, the stance knee's FPPA and the lateral trunk lean
toward the stance leg, and over the whole stance the largest pelvic drop.  Every value is read from
the table *as shown* (:func:`kneeline.capture.shown.shown_table`), so what the capture gate withholds
for a frame stays withheld; each step says which of its values were withheld and why (the view is
judged per step: a walker turns and comes nearer).  Values are averaged per side only over at least
``min_steps_per_side`` steps (Dingenen 2018, ``gait.yaml``); fewer gives "too few steps" with the
counted steps kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from kneeline.capture.gate import GateOutcome
from kneeline.capture.limits import expected_error, flexion_band, yaw_limits
from kneeline.capture.shown import knee_flexion, leg_knee_flexion
from kneeline.errors import AnalysisError
from kneeline.evidence import value
from kneeline.kinematics.angles import Leg, contralateral_pelvic_drop, trunk_lean_toward
from kneeline.kinematics.table import KinematicsTable
from kneeline.movements.common import round_or_none
from kneeline.movements.gait_events import GaitEvents, Stance, detect_gait_events
from kneeline.movements.summary import asymmetry, summarise_metric
from kneeline.pose.container import FloatArray, PoseSeries
from kneeline.report.result import GaitSummary, Rep, SideSummary, Step, Summary

__all__ = ["GAIT_FIELDS", "GaitAnalysis", "analyse_gait", "cadence", "step_width_m", "stance_knee_flexion"]

GAIT_FIELDS: dict[str, str] = {"pelvic_drop_deg": "pelvic_drop_deg", "pelvic_drop_max_deg": "pelvic_drop_max_deg",
                               "fppa_deg": "fppa_deg", "trunk_lean_deg": "trunk_lean_deg"}
"""Summary metric -> :class:`~kneeline.report.result.Step` field."""

_ERROR_OF = {"pelvic_drop_deg": "pelvic_error_deg", "pelvic_drop_max_deg": "pelvic_error_deg",
             "trunk_lean_deg": "trunk_lean_error_deg"}
_LEGS: tuple[Leg, Leg] = ("left", "right")


@dataclass(frozen=True, eq=False)
class GaitAnalysis:
    """What the gait test found: steps, the complete ones as reps, summaries and notes."""

    steps: list[Step]
    reps: list[Rep]
    summary: Summary
    gait: GaitSummary
    notes: list[str]


def _param(key: str) -> float:
    return float(value("gait.yaml", key))


def cadence(contacts_s: Sequence[float]) -> float | None:
    """Steps per minute from all contact times (both legs): 60 over the median contact interval."""
    t = np.sort(np.asarray(contacts_s, dtype=np.float64))
    if t.size < 3:
        return None
    return float(60.0 / np.median(np.diff(t)))


def step_width_m(pose: PoseSeries, index: int) -> float | None:
    """Heel-to-heel distance across the body (along the horizontal hip axis) at one frame, from 3D keypoints."""
    if pose.world is None or "left_heel" not in pose.keypoints or "right_heel" not in pose.keypoints:
        return None
    w = {k: pose.world_xyz(k) for k in ("left_heel", "right_heel", "left_hip", "right_hip")}
    if any(v is None for v in w.values()):
        return None
    axis = w["left_hip"][index] - w["right_hip"][index]  # type: ignore[index]
    axis = np.array([axis[0], 0.0, axis[2]])  # world y is down: keep the horizontal part
    heels = w["left_heel"][index] - w["right_heel"][index]  # type: ignore[index]
    norm = float(np.linalg.norm(axis))
    if not np.isfinite(norm) or norm == 0 or not np.all(np.isfinite(heels)):
        return None
    return abs(float(heels @ axis) / norm)


def stance_knee_flexion(pose: PoseSeries, side: Leg, index: int) -> float | None:
    """Flexion (deg, 0 = straight) of one knee at one frame from the 3D keypoints, or None without them."""
    flexion = float(leg_knee_flexion(pose, side)[index])
    return flexion if np.isfinite(flexion) else None


def _pelvis_reason(yaw: float, flexion: float, gate: GateOutcome, what: str, column: str) -> str:
    if not gate.pelvis_ok:
        return f"{what}: the video's view is past the limit for the whole video (see the capture warnings)"
    limit = yaw_limits(column)[flexion_band(flexion)]
    if limit is None:
        return (f"{what}: not shown with a knee bent {flexion:.0f} deg (the swinging leg's, at midstance; "
                "measured too unreliable in squats)")
    return (f"{what}: turned {yaw:.0f} deg from facing the camera at this step (shown up to {limit:.0f} deg at "
            "this knee flexion)")


def _withheld(raw: KinematicsTable, shown: KinematicsTable, mid: int, side: Leg, flexion: float,
              gate: GateOutcome) -> list[str]:
    """Why each value at ``mid`` that the pose model measured is not shown."""
    yaw = float(shown.yaw_deg[mid])
    out = []
    fppa = "fppa_left_deg" if side == "left" else "fppa_right_deg"
    if np.isfinite(raw.column(fppa)[mid]) and not np.isfinite(shown.column(fppa)[mid]):
        limit = float(value("capture.yaml", "fppa_yaw_withhold_deg"))
        why = (f"turned {yaw:.0f} deg from facing the camera (shown below {limit:.0f} deg)"
               if gate.enforce_view and yaw >= limit
               else "the thigh points at the camera or the view is past the limit")
        out.append(f"knee angle (FPPA): {why}")
    for column, what in (("pelvic_obliquity_deg", "pelvic drop"), ("trunk_lean_deg", "trunk lean")):
        if np.isfinite(raw.column(column)[mid]) and not np.isfinite(shown.column(column)[mid]):
            out.append(_pelvis_reason(yaw, flexion, gate, what, column))
    return out


def _rounded(x: float | None) -> float | None:
    return None if x is None else round_or_none(x, 1)


def _error(column: str, yaw: float, flexion: float, shown_value: float | None) -> float | None:
    if shown_value is None:
        return None
    err = expected_error(column, yaw, flexion)
    return None if err is None else round(err, 1)


def _measure(stance: Stance, index: int, raw: KinematicsTable, shown: KinematicsTable, pose: PoseSeries,
             flexion: FloatArray, gate: GateOutcome) -> Step:
    """One step's events and, for a complete stance, its values at midstance."""
    t = shown.time_s
    contact_s = None if stance.contact is None else round(float(t[stance.contact]), 3)
    toe_off_s = None if stance.toe_off is None else round(float(t[stance.toe_off]), 3)
    width = None
    if stance.contact is not None and np.isfinite(shown.yaw_deg[stance.contact]) \
            and float(shown.yaw_deg[stance.contact]) <= _param("step_width_max_yaw_deg"):
        width = step_width_m(pose, stance.contact)
    step = Step(index=index, side=stance.side, contact_s=contact_s, toe_off_s=toe_off_s,
                step_width_m=None if width is None else round(width, 3))
    if stance.contact is None or stance.toe_off is None:
        return step
    a, b = stance.contact, stance.toe_off
    mid = (a + b) // 2
    yaw, flex = float(shown.yaw_deg[mid]), float(flexion[mid])
    drop = contralateral_pelvic_drop(shown.pelvic_obliquity_deg[a:b + 1], stance.side)
    shown_share = float(np.isfinite(drop).mean()) if drop.size else 0.0
    peak = round_or_none(float(np.nanmax(drop))) if shown_share >= _param("peak_shown_fraction") else None
    fppa = shown.fppa_left_deg if stance.side == "left" else shown.fppa_right_deg
    drop_mid = round_or_none(float(drop[mid - a]))
    lean = round_or_none(float(trunk_lean_toward(shown.trunk_lean_deg[mid:mid + 1], stance.side)[0]))
    return step.model_copy(update={
        "midstance_s": round(float(t[mid]), 3), "stance_s": round(float(t[b] - t[a]), 3),
        "yaw_deg": round_or_none(yaw, 1), "knee_flexion_deg": _rounded(stance_knee_flexion(pose, stance.side, mid)),
        "pelvic_drop_deg": drop_mid, "pelvic_drop_max_deg": peak, "fppa_deg": round_or_none(float(fppa[mid])),
        "trunk_lean_deg": lean,
        "pelvic_error_deg": _error("pelvic_obliquity_deg", yaw, flex, drop_mid if drop_mid is not None else peak),
        "trunk_lean_error_deg": _error("trunk_lean_deg", yaw, flex, lean),
        "withheld": _withheld(raw, shown, mid, stance.side, flex, gate),
    })


def _as_rep(step: Step) -> Rep:
    """A complete stance as a :class:`Rep` (start = contact, bottom = midstance, end = toe-off)."""
    assert step.contact_s is not None and step.toe_off_s is not None and step.midstance_s is not None
    fppa = {"fppa_left_deg": step.fppa_deg} if step.side == "left" else {"fppa_right_deg": step.fppa_deg}
    return Rep(index=step.index, side=step.side, start_s=step.contact_s, bottom_s=step.midstance_s,
               end_s=step.toe_off_s, pelvic_drop_deg=step.pelvic_drop_deg, trunk_lean_deg=step.trunk_lean_deg,
               pelvic_drop_max_deg=step.pelvic_drop_max_deg, pelvic_error_deg=step.pelvic_error_deg,
               trunk_lean_error_deg=step.trunk_lean_error_deg, stance_detected=step.side, **fppa)


def _side_summary(steps: list[Step], enough: bool, messages: list[str], side: Leg) -> SideSummary | None:
    """Mean ± SD per metric over one side's steps; none with too few steps or an error above the SDD."""
    if not steps:
        return None
    metrics = {}
    for name, attr in GAIT_FIELDS.items():
        values = [getattr(s, attr) for s in steps] if enough else []
        m = summarise_metric(name, values)
        errors = [getattr(s, _ERROR_OF[name]) for s in steps if name in _ERROR_OF and getattr(s, attr) is not None]
        errors = [e for e in errors if e is not None]
        if m.mean is not None and errors and m.sdd is not None and float(np.mean(errors)) >= m.sdd:
            messages.append(f"{name.replace('_deg', '').replace('_', ' ')} ({side} stance) is not reliable from this "
                            f"video: its expected error {np.mean(errors):.1f} deg is not below the smallest "
                            f"detectable difference {m.sdd:g} deg, so it is not given as a finding.")
            m = summarise_metric(name, [])
        metrics[name] = m
    metrics["stance_s"] = summarise_metric("stance_s", [s.stance_s for s in steps])
    metrics["stance_s"] = metrics["stance_s"].model_copy(update={"unit": "s"})
    return SideSummary(reps=len(steps), metrics=metrics)


def _gait_summary(events: GaitEvents, steps: list[Step], time_s: FloatArray) -> tuple[GaitSummary, bool]:
    need = int(_param("min_steps_per_side"))
    complete = {leg: [s for s in steps if s.side == leg and s.stance_s is not None] for leg in _LEGS}
    enough = all(len(complete[leg]) >= need for leg in _LEGS)
    contacts = [float(time_s[i]) for leg in _LEGS for i in events.contacts[leg]]
    widths = [s.step_width_m for s in steps if s.step_width_m is not None]
    messages = []
    if not enough:
        messages.append(f"Too few steps: {len(complete['left'])} left and {len(complete['right'])} right stances "
                        f"were complete, and at least {need} per side are needed for averaged values (Dingenen "
                        "2018). The steps found are listed; walk or run longer (about 20 steps) to get averages.")

    def mean_stance(leg: Leg) -> float | None:
        vals = [s.stance_s for s in complete[leg] if s.stance_s is not None]
        return round(float(np.mean(vals)), 3) if vals else None

    c = cadence(contacts)
    gait = GaitSummary(contacts_left=len(events.contacts["left"]), contacts_right=len(events.contacts["right"]),
                       steps_left=len(complete["left"]), steps_right=len(complete["right"]), min_steps_per_side=need,
                       enough_steps=enough, cadence_steps_per_min=None if c is None else round(c, 1),
                       stance_time_left_s=mean_stance("left"), stance_time_right_s=mean_stance("right"),
                       step_width_m=round(float(np.median(widths)), 3) if widths else None, messages=messages)
    return gait, enough


def analyse_gait(raw: KinematicsTable, shown: KinematicsTable, pose: PoseSeries,
                 gate: GateOutcome) -> GaitAnalysis:
    """Find the steps of a walking or running video and measure each stance.

    Parameters
    ----------
    raw
        Per-frame kinematics before the capture gate (used only to say what was withheld).
    shown
        The same table as shown (:func:`kneeline.capture.shown.shown_table`): every value is read here.
    pose
        The cleaned keypoints (events, knee flexion, step width).
    gate
        The capture gate's outcome.

    Returns
    -------
    GaitAnalysis
        Steps (every stance, in time order), the complete ones as reps, per-side summaries with
        the SDD, the gait summary and notes.

    Raises
    ------
    AnalysisError
        When no foot contact or toe-off is found.
    """
    events = detect_gait_events(pose)
    if not events.stances:
        raise AnalysisError("No steps were found in the video. Film the person walking or running towards (or "
                            "away from) the camera for at least 10 steps, whole body in view, and choose --test gait.")
    flexion = knee_flexion(pose)
    steps = [_measure(s, i + 1, raw, shown, pose, flexion, gate) for i, s in enumerate(events.stances)]
    gait, enough = _gait_summary(events, steps, shown.time_s)
    messages = list(gait.messages)
    sides = {leg: _side_summary([s for s in steps if s.side == leg and s.stance_s is not None], enough, messages, leg)
             for leg in _LEGS}
    gait = gait.model_copy(update={"messages": messages})
    summary = Summary(left=sides["left"], right=sides["right"], asymmetry=asymmetry(sides["left"], sides["right"]))
    reps = [_as_rep(s) for s in steps if s.stance_s is not None]
    withheld = sorted({w.split(":")[0] for s in steps for w in s.withheld})
    notes = list(messages)
    if withheld:
        notes.append(f"Withheld at some steps by the capture check: {', '.join(withheld)} (each step lists why).")
    return GaitAnalysis(steps=steps, reps=reps, summary=summary, gait=gait, notes=notes)

"""Coaching behind the capture gate: the same gate as analyze, per repetition, offline and live.

Synthetic stick figures (``tests/fixtures/synthetic.py``) whose 3D keypoints are turned about the
vertical axis by a known yaw per frame, so kneeline's view estimate reads that yaw.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from kneeline.capture.gate import GateOutcome
from kneeline.coach.capture import CoachGate, gate_set
from kneeline.coach.definitions import get_movement, load_movements
from kneeline.coach.live import LiveCoach
from kneeline.coach.session import build_result, coach_pose, run_engine
from kneeline.coach.signals import features_from_pose
from kneeline.kinematics.compute import compute_kinematics
from kneeline.pose.container import PoseSeries
from kneeline.pose.skeleton import BLAZEPOSE_KEYPOINTS
from kneeline.report.result import Capture
from tests.coach.test_coach_session import BOTTOMS, T, _to_blazepose, squat_depth
from tests.fixtures.synthetic import stick_figure


def turned(pose: PoseSeries, yaw_deg: np.ndarray | float) -> PoseSeries:
    """``pose`` turned by ``yaw_deg`` (per frame) about the vertical axis: seen by an orthographic camera.

    Image x shrinks by cos(yaw) about the figure's centre line (x = 500); the 3D left-right axis
    turns out of the image plane by the same angle.
    """
    assert pose.world is not None
    yaw = np.radians(np.broadcast_to(np.asarray(yaw_deg, dtype=float), (pose.n_frames,)))[:, None]
    pos = pose.position.copy()
    pos[..., 0] = 500.0 + (pos[..., 0] - 500.0) * np.cos(yaw)
    world = pose.world.copy()
    world[..., 2] = world[..., 0] * np.sin(yaw)
    world[..., 0] = world[..., 0] * np.cos(yaw)
    return pose.with_arrays(position=pos, world=world)


def valgus_squats() -> PoseSeries:
    """Four squats (bottoms at 3, 7, 11, 15 s) whose knees all collapse 20 deg into valgus at the bottom."""
    fppa = sum(20.0 * np.clip(1 - np.abs(T - b) / 1.0, 0, None) for b in BOTTOMS)
    return stick_figure(T, depth=squat_depth(), fppa_left=fppa, fppa_right=fppa)


def rep_frames(i: int) -> np.ndarray:
    """Mask of the frames of repetition ``i`` (1-based) and its rest before: 2 s either side of its bottom."""
    return np.abs(T - BOTTOMS[i - 1]) <= 2.0


def test_facing_the_camera_the_valgus_is_checked_in_every_rep():
    result = coach_pose(valgus_squats(), "squat").result
    assert result.capture is not None and result.capture.view == "frontal" and result.withheld == []
    assert all("knee_valgus" in [f.id for f in r.faults] for r in result.reps)
    assert all(r.measures["fppa"] is not None and r.withheld == {} for r in result.reps)


def test_turned_past_the_knee_limit_the_knee_angle_is_withheld_in_every_output():
    run = coach_pose(turned(valgus_squats(), 20.0), "squat")
    result = run.result
    assert result.capture is not None and result.capture.view == "oblique" == result.view_seen
    assert result.capture.yaw_deg == pytest.approx(20.0, abs=0.5)
    assert any("the limit for the knee angle is 8°" in w for w in result.capture.warnings)
    for rep in result.reps:
        assert rep.measures["fppa"] is None and "knee_valgus" not in [f.id for f in rep.faults]
        assert "turned about 20" in rep.withheld["fppa"]
        assert any(n.startswith("knee_valgus: withheld: you were turned") for n in rep.not_checked)
        # Trunk lean follows its own limits: measured exactly where the shown table keeps it.
        rows = (run.pose.time_s >= rep.start_s) & (run.pose.time_s <= rep.end_s)
        assert (rep.measures["trunk_lean"] is None) == (not np.isfinite(run.table.trunk_lean_deg[rows]).any())
    assert ("fppa", [1, 2, 3, 4]) in [(w.measure, w.reps) for w in result.withheld]
    assert "The knee angle (FPPA) is not shown for every repetition" in " ".join(result.messages)
    # The per-frame data the outputs are drawn from holds no knee angle.
    assert not np.isfinite(run.table.fppa_left_deg).any() and not np.isfinite(run.table.fppa_right_deg).any()
    assert np.isfinite(run.table.depth).any()


def test_a_side_view_is_not_refused_for_a_side_exercise_but_shows_no_frontal_number():
    pose = turned(valgus_squats(), 80.0)
    run = coach_pose(pose, "lunge", require_reps=False)
    capture = run.result.capture
    assert capture is not None and capture.view == "sagittal"
    assert [i.code for i in capture.issues][:1] == ["view_side"] and capture.issues[0].level == "info"
    for column in ("fppa_left_deg", "fppa_right_deg", "pelvic_obliquity_deg", "trunk_lean_deg"):
        assert not np.isfinite(run.table.column(column)).any(), column
    squat = coach_pose(pose, "squat", require_reps=False).result  # a frontal exercise: told to film from the front
    assert squat.capture is not None and squat.capture.issues[0].level == "warning"
    assert "film from the front" in squat.capture.warnings[0]


def _per_rep_gate(pose: PoseSeries, withheld_reps: tuple[int, ...], yaw_deg: float) -> CoachGate:
    """A gate whose shown table blanks the knee angles in ``withheld_reps`` only (as a per-frame gate does)."""
    table = compute_kinematics(pose)
    blank = np.zeros(pose.n_frames, dtype=bool)
    for i in withheld_reps:
        blank |= rep_frames(i)
    shown = replace(table, fppa_left_deg=np.where(blank, np.nan, table.fppa_left_deg),
                    fppa_right_deg=np.where(blank, np.nan, table.fppa_right_deg))
    outcome = GateOutcome(capture=Capture(view="frontal", yaw_deg=round(yaw_deg, 1)), fppa_ok=True, pelvis_ok=True)
    return CoachGate(outcome=outcome, table=table, shown=shown)


def test_view_changing_mid_set_withholds_only_the_turned_reps_and_names_them():
    """The person faces the camera for reps 1-2 and turns 20 deg for reps 3-4.

    Whatever the gate decides per frame, the coach reads it: here a shown table that blanks the knee
    angles of reps 3-4 only.
    """
    yaw = np.where(T > 9.0, 20.0, 0.0)
    pose = turned(valgus_squats(), yaw)
    gate = _per_rep_gate(pose, (3, 4), 0.0)
    movement, lib = get_movement("squat"), load_movements()
    feats = features_from_pose(pose)
    events, gaps, signal = run_engine(movement, lib, feats, pose.time_s)
    result = build_result(movement, feats, pose.time_s, signal, events, gaps, gate=gate)
    assert result.count == 4
    assert [r.measures["fppa"] is None for r in result.reps] == [False, False, True, True]
    assert ["knee_valgus" in [f.id for f in r.faults] for r in result.reps] == [True, True, False, False]
    reason = result.reps[2].withheld["fppa"]
    assert "turned about 20°" in reason and "in this repetition" in reason
    assert [r.view for r in result.reps] == ["frontal", "frontal", "oblique", "oblique"]
    assert [(w.measure, w.reps) for w in result.withheld] == [("fppa", [3, 4])]
    assert any(m.startswith("The knee angle (FPPA) is not shown for repetitions 3-4: you were turned about 20°")
               for m in result.messages)


def test_coach_measures_only_read_values_the_shown_table_keeps():
    """Turned in the middle of the set: each rep's knee angle exists exactly where the gate shows one."""
    pose = turned(valgus_squats(), np.where((T > 9.0) & (T < 13.0), 25.0, 0.0))
    run = coach_pose(pose, "squat")
    for rep in run.result.reps:
        rows = (run.pose.time_s >= rep.start_s) & (run.pose.time_s <= rep.end_s)
        shown = np.isfinite(run.table.fppa_left_deg[rows]).any() or np.isfinite(run.table.fppa_right_deg[rows]).any()
        assert (rep.measures["fppa"] is not None) == shown, rep.index
        assert ("fppa" in rep.withheld) == (not shown), rep.index


def test_a_capture_the_gate_refuses_withholds_every_angle_but_still_counts():
    pose = valgus_squats()
    tiny = pose.with_arrays(position=500.0 + (pose.position - 500.0) * 0.15)  # about 100 px tall
    gate = gate_set(tiny, compute_kinematics(tiny), fps=30.0, view_needed="frontal")
    assert not gate.outcome.fppa_ok and not gate.outcome.pelvis_ok
    assert gate.outcome.capture.issues[0].code == "capture_refused"
    result = coach_pose(tiny, "squat").result
    assert result.count == 4 and all(r.measures["fppa"] is None for r in result.reps)
    assert all("could not be checked" in r.withheld["fppa"] for r in result.reps)


def test_live_coach_withholds_cues_of_a_turned_rep_and_saves_the_capture():
    pose = turned(valgus_squats(), 20.0)
    assert pose.world is not None
    coach = LiveCoach("squat")
    seen_withheld = []
    for i in range(pose.n_frames):
        xy, conf = _to_blazepose(pose, i)
        world = np.full((33, 3), np.nan)
        for k, name in enumerate(pose.keypoints):
            world[BLAZEPOSE_KEYPOINTS.index(name)] = pose.world[i, k]
        state = coach.push(float(pose.time_s[i]), xy, conf, pose.width, pose.height, world=world)
        assert "knee_valgus" not in state.last_rep_faults
        seen_withheld.extend(state.withheld)
    assert state.reps == 4
    assert any(w.startswith("knee angle (FPPA): withheld") for w in seen_withheld)
    saved = coach.finish()
    assert saved.capture is not None and saved.capture.view == "oblique"
    assert all(r.measures["fppa"] is None for r in saved.reps)
    # Without 3D keypoints the view is unknown: the capture says so and the 2D view decides, as before.
    blind = LiveCoach("squat")
    facing = valgus_squats()
    for i in range(pose.n_frames):
        xy, conf = _to_blazepose(facing, i)
        blind.push(float(pose.time_s[i]), xy, conf, pose.width, pose.height)
    unknown = blind.finish()
    assert unknown.capture is not None and unknown.capture.yaw_deg is None
    assert any(i.code == "view_unknown" for i in unknown.capture.issues)


def test_a_pelvis_hike_turned_past_the_pelvis_limit_is_counted_but_its_range_is_withheld():
    """Hip hikes (the pelvis tilts 10 deg, left foot lifts) are counted by pelvic obliquity itself.

    Turned 40 deg (past the limit for pelvis numbers) the reps are still counted, but the
    hike's size in degrees is a pelvic obliquity: not in the result, and not in the plotted signal.
    """
    hike = sum(10.0 * np.clip(1 - np.abs(T - b) / 1.5, 0, None) for b in BOTTOMS)
    pose = stick_figure(T, obliquity=hike, lift_left=hike / 100)
    facing = coach_pose(pose, "hip-hike")
    assert facing.result.count == 4 and all(r.amplitude is not None for r in facing.result.reps)
    run = coach_pose(turned(pose, 40.0), "hip-hike")
    assert run.result.count == 4
    for rep in run.result.reps:
        assert rep.amplitude is None and "turned about 40" in rep.withheld["range"]
        assert rep.measures["trunk_lean"] is None and "incomplete_range" not in [f.id for f in rep.faults]
    assert not np.isfinite(run.signal).any() and not np.isfinite(run.table.pelvic_obliquity_deg).any()

import numpy as np
import pytest

from kneeline.capture.gate import PeopleSeen, check_capture, classify_view
from kneeline.errors import CaptureError
from kneeline.kinematics.compute import compute_kinematics
from kneeline.pipeline import analyze_pose
from tests.fixtures.synthetic import squat_depth, stick_figure

T = np.arange(0, 10, 1 / 30)


def _turned(pose, yaw_deg):
    """Turn the figure about the vertical axis by yaw_deg: its 3D keypoints and, consistently, its 2D image."""
    a = np.radians(yaw_deg)
    w = pose.world
    x, z = w[..., 0] * np.cos(a) - w[..., 2] * np.sin(a), w[..., 0] * np.sin(a) + w[..., 2] * np.cos(a)
    li, ri = pose.index("left_hip"), pose.index("right_hip")
    px_per_m = np.nanmedian(np.abs(pose.position[:, li, 0] - pose.position[:, ri, 0])
                            / np.abs(w[:, li, 0] - w[:, ri, 0]))
    mid_x = (pose.position[:, li, 0] + pose.position[:, ri, 0]) / 2
    pos = pose.position.copy()
    pos[..., 0] = mid_x[:, None] + px_per_m * (x - (x[:, li] + x[:, ri])[:, None] / 2)
    return pose.with_arrays(world=np.stack([x, w[..., 1], z], axis=-1), position=pos)


def _gate(pose, fps=30.0, people=None):
    return check_capture(pose, compute_kinematics(pose), fps=fps, people=people)


def test_frontal_capture_passes_clean():
    out = _gate(stick_figure(T))
    assert out.fppa_ok and out.pelvis_ok and out.capture.view == "frontal" and out.capture.warnings == []


def test_classify_view_limits():
    assert classify_view(5) == "frontal"
    assert classify_view(8) == "oblique"
    assert classify_view(20) == "oblique"
    assert classify_view(70) == "sagittal"
    assert classify_view(None) == "unknown"


def test_nobody_in_view():
    pose = stick_figure(T)
    empty = pose.with_arrays(position=np.full_like(pose.position, np.nan), confidence=np.zeros_like(pose.confidence))
    with pytest.raises(CaptureError, match="Nobody was found"):
        _gate(empty)


def test_person_in_few_frames():
    pose = stick_figure(T)
    pos = pose.position.copy()
    pos[: int(0.7 * T.size)] = np.nan
    with pytest.raises(CaptureError, match="only 30% of the frames"):
        _gate(pose.with_arrays(position=pos))


def test_side_view_is_refused_with_advice():
    with pytest.raises(CaptureError, match="from the side.*hip height"):
        _gate(_turned(stick_figure(T), 75))


def test_view_limits_per_metric():
    # limits from capture.yaml: FPPA warn 3 / withhold 8; pelvis and trunk warn 5 / withhold 10 (measured)
    slight = _gate(_turned(stick_figure(T), 4))
    assert slight.fppa_ok and slight.pelvis_ok and slight.capture.view == "frontal"
    assert [i.code for i in slight.capture.issues] == ["view_fppa_oblique"]
    turned = _gate(_turned(stick_figure(T), 8.5))
    assert not turned.fppa_ok and turned.pelvis_ok and turned.capture.view == "oblique"
    assert [i.code for i in turned.capture.issues] == ["view_fppa_withheld", "view_pelvis_oblique"]
    pelvis_msg = turned.capture.issues[1].message
    assert "° (pelvis)" in pelvis_msg and "not shown from this angle" in pelvis_msg
    far = _gate(_turned(stick_figure(T), 20))
    assert not far.fppa_ok and not far.pelvis_ok


def test_withheld_numbers_are_null_but_reps_remain():
    d = squat_depth(T, n_reps=3)
    r = analyze_pose(_turned(stick_figure(T, depth=d, fppa_left=10, obliquity=3), 20), "squat").result
    assert len(r.reps) == 3
    assert all(rep.fppa_left_deg is None and rep.fppa_right_deg is None for rep in r.reps)
    assert all(rep.pelvic_obliquity_deg is None and rep.trunk_lean_deg is None for rep in r.reps)
    assert r.summary.left.metrics["fppa_deg"].mean is None
    assert any(i.code == "view_fppa_withheld" and i.level == "refuse" for i in r.capture.issues)
    assert any(i.code == "view_pelvis_withheld" for i in r.capture.issues)


def test_pelvis_shown_near_frontal_with_its_expected_error():
    d = squat_depth(T, n_reps=3)
    r = analyze_pose(_turned(stick_figure(T, depth=d, obliquity=3), 4), "squat").result
    assert len(r.reps) == 3
    # turned 4 deg the hips look a little narrower: atan(tan 3 / cos 4) = 3.01 deg
    assert all(rep.pelvic_obliquity_deg == pytest.approx(3.0, abs=0.1) for rep in r.reps)
    assert all(rep.pelvic_error_deg is not None and 0 < rep.pelvic_error_deg < 2.8 for rep in r.reps)


def test_no_3d_keypoints_means_view_unknown_with_warning():
    pose = stick_figure(T)
    out = _gate(pose.with_arrays(world=None))
    assert out.capture.view == "unknown" and out.fppa_ok
    assert any(i.code == "view_unknown" for i in out.capture.issues)


def test_low_frame_rate_warns():
    out = _gate(stick_figure(np.arange(0, 10, 1 / 15)), fps=15)
    assert any(i.code == "low_fps" and "30 fps" in i.message for i in out.capture.issues)


def test_lower_body_out_of_frame_is_refused():
    pose = stick_figure(T)
    pos = pose.position.copy()
    for k in ("left_ankle", "right_ankle"):
        pos[:, pose.index(k), 1] = 5000  # feet below the picture
    with pytest.raises(CaptureError, match="ankles were in the picture in only 0%"):
        _gate(pose.with_arrays(position=pos))


def test_partly_out_of_frame_warns():
    pose = stick_figure(T)
    pos = pose.position.copy()
    pos[:90, pose.index("left_ankle"), 1] = 5000  # 30% of frames
    out = _gate(pose.with_arrays(position=pos))
    assert not out.capture.framing_ok and any(i.code == "framing" for i in out.capture.issues)


def test_low_confidence():
    pose = stick_figure(T)
    with pytest.raises(CaptureError, match="unsure"):
        _gate(pose.with_arrays(confidence=np.full_like(pose.confidence, 0.2)))
    out = _gate(pose.with_arrays(confidence=np.full_like(pose.confidence, 0.5)))
    assert any(i.code == "low_confidence" for i in out.capture.issues)


def test_several_people_warns_and_names_tracked_person():
    out = _gate(stick_figure(T), people=PeopleSeen(people_max=2, tracked_person="the person on the left"))
    msg = next(i.message for i in out.capture.issues if i.code == "several_people")
    assert "2 people" in msg and "the person on the left" in msg
    assert out.capture.people_max == 2


def test_tiny_person_is_refused():
    pose = stick_figure(T)
    small = pose.with_arrays(position=pose.position * 0.15)
    with pytest.raises(CaptureError, match="px tall"):
        _gate(small)


def test_side_view_for_a_side_exercise_withholds_instead_of_refusing():
    pose = _turned(stick_figure(T), 75)
    out = check_capture(pose, compute_kinematics(pose), fps=30.0, refuse_side_view=False)
    assert not out.fppa_ok and not out.pelvis_ok and out.capture.view == "sagittal"
    assert [i.code for i in out.capture.issues][:1] == ["view_side"]

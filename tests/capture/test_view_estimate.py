"""The one view estimate: sign, BlazePose's corrections, 2D width bounds, uncertainty."""

from dataclasses import replace

import numpy as np
import pytest

from kneeline.capture.view import estimate_view, signed_frame_yaw
from kneeline.evidence import value
from tests.capture.test_gate import _turned
from tests.fixtures.synthetic import stick_figure

T = np.arange(0, 4, 1 / 30)


@pytest.mark.parametrize("yaw", [-30.0, -10.0, 0.0, 15.0, 40.0])
def test_camera_aligned_keypoints_are_read_as_they_are(yaw):
    # _turned(+yaw) brings the figure's right side nearer the camera (its world x turns into +z for the left hip)
    pose = _turned(stick_figure(T), yaw)
    est = estimate_view(pose)
    assert est.yaw_deg == pytest.approx(abs(yaw), abs=0.5)
    assert est.uncertainty_deg is not None and est.uncertainty_deg < 1.0  # no model error outside BlazePose
    assert est.frames_used == T.size


def test_direction_sign_left_side_nearer_is_negative():
    pose = stick_figure(T)
    w = pose.world.copy()
    li = pose.index("left_hip")
    # push the left side toward the camera (smaller z) and the right side away
    w[..., 2] = np.where(np.array(["left" in k for k in pose.keypoints]), -0.05, 0.05)
    est = estimate_view(pose.with_arrays(world=w))
    assert est.signed_yaw_deg is not None and est.signed_yaw_deg < 0
    assert w[0, li, 2] < 0


def test_blazepose_offset_and_line_of_sight_are_removed():
    pose = replace(stick_figure(T), source="mediapipe-0.10.21 blazepose full")
    offset = float(value("capture.yaml", "blazepose_world_yaw_bias_deg"))
    # a frontal 3D reading of a person standing at the centre of the frame reads minus the offset
    centred = pose.with_arrays(position=pose.position + (pose.width / 2 - np.nanmean(pose.position[..., 0])))
    assert np.nanmedian(signed_frame_yaw(centred)) == pytest.approx(-offset, abs=0.5)
    # the same reading with the person right of centre: the line of sight turns, the estimate follows
    right = centred.with_arrays(position=centred.position + np.array([0.25 * pose.width, 0.0]))
    focal = max(pose.width, pose.height) * float(value("capture.yaml", "phone_focal_length_35mm")) / 36
    expected = -offset - np.degrees(np.arctan2(0.25 * pose.width, focal))
    assert np.nanmedian(signed_frame_yaw(right)) == pytest.approx(expected, abs=0.5)
    est = estimate_view(centred)
    assert est.uncertainty_deg is not None
    assert est.uncertainty_deg >= float(value("capture.yaml", "view_estimate_error_deg"))


def test_narrow_body_cannot_read_as_facing_the_camera():
    # 3D keypoints that say "facing" while the 2D image shows a body seen side-on (BlazePose's depth collapses)
    pose = stick_figure(T)
    side = _turned(pose, 80)
    est = estimate_view(side.with_arrays(world=pose.world))
    assert est.yaw_deg is not None and est.yaw_deg > 60


def test_no_3d_keypoints_gives_no_estimate():
    est = estimate_view(stick_figure(T).with_arrays(world=None))
    assert est.yaw_deg is None and est.method.startswith("none")
    assert np.isnan(est.per_frame_deg).all()

import numpy as np
import pytest

from kneeline.kinematics.view import estimate_yaw, in_frame, person_height_px, yaw_from_world
from tests.fixtures.synthetic import stick_figure


def _with_world(pose, yaw_deg):
    """Give the figure 3D keypoints: hips/shoulders 0.3 m apart turned by yaw_deg about the vertical."""
    world = np.zeros((pose.n_frames, len(pose.keypoints), 3))
    a = np.radians(yaw_deg)
    for name, sign in (("left_hip", 1), ("right_hip", -1), ("left_shoulder", 1), ("right_shoulder", -1)):
        world[:, pose.index(name)] = sign * 0.15 * np.array([np.cos(a), 0, np.sin(a)])
    return pose.with_arrays(world=world)


@pytest.mark.parametrize("yaw", [0.0, 20.0, 45.0, 89.0])
def test_yaw_from_world_recovers_rotation(yaw):
    pose = _with_world(stick_figure(np.arange(3) / 30), yaw)
    np.testing.assert_allclose(yaw_from_world(pose), yaw, atol=1e-6)
    np.testing.assert_allclose(estimate_yaw(pose), yaw, atol=1e-6)


def test_yaw_z_scale_corrects_compressed_depth():
    pose = _with_world(stick_figure(np.arange(2) / 30), 30.0)
    world = pose.world.copy()
    world[..., 2] /= 2  # a model that halves depth
    squashed = pose.with_arrays(world=world)
    assert yaw_from_world(squashed)[0] < 20
    np.testing.assert_allclose(yaw_from_world(squashed, z_scale=2.0), 30.0, atol=1e-6)


def test_no_world_means_unknown_yaw():
    pose = stick_figure(np.arange(2) / 30).with_arrays(world=None)
    assert np.isnan(estimate_yaw(pose)).all()


def test_in_frame_and_person_height():
    pose = stick_figure(np.arange(2) / 30)
    assert in_frame(pose, 0.0).all()
    pos = pose.position.copy()
    pos[1, pose.index("left_ankle"), 1] = 5000
    assert in_frame(pose.with_arrays(position=pos), 0.02).tolist() == [True, False]
    assert person_height_px(pose)[0] == pytest.approx(260 + 60 + 400 + 10, abs=1e-6)

import numpy as np
import pytest

from kneeline.kinematics.angles import (
    contralateral_pelvic_drop,
    depth,
    fppa,
    fppa_points,
    leg_length_px,
    pelvic_obliquity,
    pelvic_obliquity_points,
    trunk_lean,
    trunk_lean_points,
    trunk_lean_toward,
)
from tests.fixtures.synthetic import stick_figure


def test_fppa_straight_leg_is_zero():
    assert fppa_points(np.array([0.0, 0]), np.array([0.0, 100]), np.array([0.0, 200]),
                       np.array([50.0, 0])) == pytest.approx(0.0)


def test_fppa_knee_toward_other_hip_is_positive_valgus():
    # Right leg of a person facing the camera: other (left) hip to the image right.
    hip, ankle, other = np.array([100.0, 100]), np.array([100.0, 300]), np.array([200.0, 100])
    knee_in = np.array([100.0 + 100 * np.tan(np.radians(10)), 200])
    assert fppa_points(hip, knee_in, ankle, other) == pytest.approx(20.0, abs=1e-9)
    knee_out = np.array([100.0 - 100 * np.tan(np.radians(10)), 200])
    assert fppa_points(hip, knee_out, ankle, other) == pytest.approx(-20.0, abs=1e-9)


def test_fppa_sign_follows_other_hip_not_image_side():
    # Same knee offset, but the other hip is on the opposite side: valgus becomes varus.
    hip, knee, ankle = np.array([100.0, 100]), np.array([120.0, 200]), np.array([100.0, 300])
    a = fppa_points(hip, knee, ankle, np.array([200.0, 100]))
    b = fppa_points(hip, knee, ankle, np.array([0.0, 100]))
    assert a == pytest.approx(-b) and a > 0


def test_fppa_vectorised_over_frames():
    hip = np.zeros((3, 2))
    knee = np.array([[0.0, 100], [10, 100], [-10, 100]])
    ankle = np.array([[0.0, 200]] * 3)
    other = np.array([[50.0, 0]] * 3)
    out = fppa_points(hip, knee, ankle, other)
    assert out.shape == (3,)
    assert out[0] == pytest.approx(0) and out[1] > 0 and out[2] < 0


def test_pelvic_obliquity_left_higher_positive():
    # y grows downwards: the left hip at a smaller y is higher.
    assert pelvic_obliquity_points(np.array([200.0, 90]), np.array([100.0, 100])) == pytest.approx(
        np.degrees(np.arctan2(10, 100)))
    assert pelvic_obliquity_points(np.array([200.0, 110]), np.array([100.0, 100])) < 0


def test_contralateral_drop_sign():
    ob = np.array([3.0])  # left hip higher: right side dropped
    assert contralateral_pelvic_drop(ob, "left")[0] == 3.0  # standing on left, right side lower
    assert contralateral_pelvic_drop(ob, "right")[0] == -3.0


def test_trunk_lean_toward_left_positive_facing_and_away():
    lh, rh = np.array([120.0, 300]), np.array([80.0, 300])
    # shoulders shifted toward the left hip's image side
    lean = trunk_lean_points(lh, rh, np.array([170.0, 100]), np.array([90.0, 100]))
    assert lean > 0
    # person turned away: left hip now on the image left; same image shoulders -> lean to the right
    assert trunk_lean_points(rh, lh, np.array([170.0, 100]), np.array([90.0, 100])) < 0
    assert trunk_lean_toward(np.array([5.0]), "right")[0] == -5.0


@pytest.mark.parametrize("facing", ["camera", "away"])
def test_series_functions_recover_stick_figure_angles(facing):
    t = np.arange(5) / 30
    fl, fr, ob, ln = np.array([0, 5, 10, -5, 15.0]), np.array([3, -4, 8, 0, 12.0]), \
        np.array([0, 2, -3, 4, 1.0]), np.array([0, -6, 4, 2, 10.0])
    pose = stick_figure(t, fppa_left=fl, fppa_right=fr, obliquity=ob, lean=ln, facing=facing)
    np.testing.assert_allclose(fppa(pose, "left"), fl, atol=1e-9)
    np.testing.assert_allclose(fppa(pose, "right"), fr, atol=1e-9)
    np.testing.assert_allclose(pelvic_obliquity(pose), ob, atol=1e-9)
    np.testing.assert_allclose(trunk_lean(pose), ln, atol=1e-9)


def test_depth_is_fraction_of_leg_length():
    t = np.arange(40) / 30
    d = np.concatenate([np.zeros(10), np.linspace(0, 0.3, 30)])
    pose = stick_figure(t, depth=d)
    assert leg_length_px(pose) == pytest.approx(400.0)
    np.testing.assert_allclose(depth(pose), d, atol=1e-9)


def test_missing_keypoints_give_nan_not_error():
    pose = stick_figure(np.arange(3) / 30)
    pos = pose.position.copy()
    pos[1, pose.index("left_knee")] = np.nan
    out = fppa(pose.with_arrays(position=pos), "left")
    assert np.isnan(out[1]) and np.isfinite(out[0])

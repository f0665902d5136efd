"""The three movement tests end to end on synthetic stick figures with known answers."""

import numpy as np
import pytest

from kneeline.config import AnalysisSettings
from kneeline.errors import AnalysisError, InputError
from kneeline.pipeline import analyze_pose
from tests.fixtures.synthetic import squat_depth, stick_figure

T = np.arange(0, 14, 1 / 30)


def test_squat_reps_and_values_at_bottom():
    d = squat_depth(T, n_reps=5)
    # knees cave in as the figure goes down: valgus proportional to depth
    pose = stick_figure(T, depth=d, fppa_left=40 * d, fppa_right=20 * d, obliquity=2.0, lean=-3.0)
    run = analyze_pose(pose, "squat")
    r = run.result
    assert len(r.reps) == 5
    assert [rep.side for rep in r.reps] == ["both"] * 5
    np.testing.assert_allclose([rep.bottom_s for rep in r.reps], 2.0 + 2.0 * np.arange(5), atol=0.05)
    for rep in r.reps:
        assert rep.fppa_left_deg == pytest.approx(12.0, abs=0.3)
        assert rep.fppa_right_deg == pytest.approx(6.0, abs=0.3)
        assert rep.pelvic_obliquity_deg == pytest.approx(2.0, abs=0.1)
        assert rep.trunk_lean_deg == pytest.approx(-3.0, abs=0.1)
        assert rep.depth == pytest.approx(0.3, abs=0.01)
    assert r.summary.left.metrics["fppa_deg"].mean == pytest.approx(12.0, abs=0.3)
    assert r.summary.left.metrics["fppa_deg"].sdd == 8.0
    assert r.summary.asymmetry["fppa_deg"].difference == pytest.approx(6.0, abs=0.5)
    assert r.summary.asymmetry["fppa_deg"].exceeds_sdd is False  # 6 deg < SDD 8 deg: not reported as real
    assert r.capture.view == "frontal"


def test_single_leg_squat_detects_stance_leg_per_rep():
    d = squat_depth(T, n_reps=6, amplitude=0.15)
    first_half = T < 7.0
    # reps 1-3 stand on the left (right foot lifted), reps 4-6 on the right
    pose = stick_figure(T, depth=d, fppa_left=np.where(first_half, 60 * d, 0),
                        fppa_right=np.where(first_half, 0, 30 * d),
                        obliquity=np.where(first_half, 20 * d, 10 * d), lean=np.where(first_half, 5.0, -2.0),
                        lift_right=np.where(first_half, 0.15, 0), lift_left=np.where(first_half, 0, 0.15))
    r = analyze_pose(pose, "single-leg-squat").result
    assert [rep.side for rep in r.reps] == ["left"] * 3 + ["right"] * 3
    left, right = r.reps[0], r.reps[3]
    assert left.fppa_left_deg == pytest.approx(9.0, abs=0.3) and left.fppa_right_deg is None
    assert right.fppa_right_deg == pytest.approx(4.5, abs=0.3) and right.fppa_left_deg is None
    # standing on the left with the left hip higher = the right side dropped: positive drop
    assert left.pelvic_drop_deg == pytest.approx(3.0, abs=0.2)
    # standing on the right with the left hip higher = the left (stance-opposite) side is higher: negative drop
    assert right.pelvic_drop_deg == pytest.approx(-1.5, abs=0.2)
    assert left.trunk_lean_deg == pytest.approx(5.0, abs=0.1)   # toward the left = toward stance leg
    assert right.trunk_lean_deg == pytest.approx(2.0, abs=0.1)  # leaning right, standing on right
    assert r.summary.left.reps == 3 and r.summary.right.reps == 3
    assert "fppa_deg" in r.summary.asymmetry


def test_oblique_double_leg_squat_is_not_taken_for_single_leg():
    """Feet at different image heights (far foot higher in an oblique view) but both on the floor."""
    d = squat_depth(T, n_reps=3, amplitude=0.15)
    pose = stick_figure(T, depth=d)
    pos = pose.position.copy()
    for name in ("left_ankle", "left_heel", "left_foot_index"):
        pos[:, pose.index(name), 1] -= 0.1 * 400  # the far foot appears 10% of leg length higher, throughout
    with pytest.raises(AnalysisError, match="single leg squat"):
        analyze_pose(pose.with_arrays(position=pos), "single-leg-squat")


def test_single_leg_squat_with_both_feet_down_finds_nothing():
    pose = stick_figure(T, depth=squat_depth(T, n_reps=3, amplitude=0.15))
    with pytest.raises(AnalysisError, match="single leg squat"):
        analyze_pose(pose, "single-leg-squat")


def test_single_leg_stance_hold_time_and_drop():
    t = np.arange(0, 40, 1 / 30)
    lifted = (t >= 2) & (t < 34)
    # pelvis level, then from 20 s the non-stance (right) side sinks by 5 deg: a positive Trendelenburg
    ob = np.where(t > 20, np.minimum((t - 20) * 2, 5.0), 0.0)
    pose = stick_figure(t, lift_right=np.where(lifted, 0.1, 0), obliquity=ob, lean=np.where(lifted, 4, 0))
    r = analyze_pose(pose, "single-leg-stance").result
    assert len(r.reps) == 1
    hold = r.reps[0]
    assert hold.side == "left"
    assert hold.ended_by == "pelvis dropped"
    assert hold.hold_s == pytest.approx(19.4, abs=0.3)  # drop exceeds 2.8 deg at 21.4 s
    assert hold.pelvic_drop_max_deg == pytest.approx(5.0, abs=0.1)


def test_single_leg_stance_full_hold():
    t = np.arange(0, 37, 1 / 30)
    pose = stick_figure(t, lift_left=np.where(t > 2, 0.1, 0))  # stands on both feet for 2 s, then on the right
    r = analyze_pose(pose, "single-leg-stance").result
    assert r.reps[0].side == "right" and r.reps[0].hold_s == 30 and r.reps[0].ended_by == "held 30 s"


def test_no_reps_is_an_analysis_error():
    pose = stick_figure(T)
    with pytest.raises(AnalysisError, match="No squat repetitions"):
        analyze_pose(pose, "squat")


def test_bad_arguments_are_input_errors():
    pose = stick_figure(T[:10])
    with pytest.raises(InputError, match="unknown test"):
        analyze_pose(pose, "jumping-jack")
    with pytest.raises(InputError, match="unknown side"):
        analyze_pose(pose, "squat", side="middle")  # type: ignore[arg-type]


def test_result_does_not_depend_on_input_being_mutated():
    d = squat_depth(T, n_reps=2)
    pose = stick_figure(T, depth=d)
    before = pose.position.copy()
    analyze_pose(pose, "squat", settings=AnalysisSettings())
    np.testing.assert_array_equal(pose.position, before)

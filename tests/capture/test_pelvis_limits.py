"""Pelvis and trunk values are shown only where their measured error is under the SDD (issue 19).

The limits (``capture.yaml``, measured by ``benchmarks/pelvis_limits.py``) depend on the view and the
knee flexion; every movement test reads them through :func:`kneeline.capture.shown.shown_table`.
"""

import numpy as np
import pytest

from kneeline.capture.limits import FLEXION_BANDS, expected_error, flexion_band, yaw_limits
from kneeline.evidence import value
from kneeline.pipeline import analyze_pose
from tests.capture.test_gate import _turned
from tests.fixtures.mocap import load_mocap_case, pelvis_list_at
from tests.fixtures.synthetic import stick_figure

PELVIC_SDD = float(value("measurement.yaml", "pelvic_drop_sdd_deg"))


def test_limits_never_loosen_with_deeper_knees():
    for column in ("pelvic_obliquity_deg", "trunk_lean_deg"):
        limits = [-1.0 if v is None else v for v in yaw_limits(column)]
        assert limits == sorted(limits, reverse=True) and len(limits) == len(FLEXION_BANDS)


def test_expected_error_grows_with_view_and_stays_under_sdd_where_shown():
    for band, (lo, hi) in enumerate(FLEXION_BANDS):
        flex = (lo + min(hi, 120)) / 2
        assert flexion_band(flex) == band
        limit = yaw_limits("pelvic_obliquity_deg")[band]
        if limit is None:
            continue
        errors = [expected_error("pelvic_obliquity_deg", yaw, flex) for yaw in np.linspace(0, limit, 5)]
        assert errors == sorted(errors) and errors[-1] is not None and errors[-1] < PELVIC_SDD
    assert flexion_band(float("nan")) == len(FLEXION_BANDS) - 1  # unknown flexion counts as deep


def test_mocap_squats_frontal_pelvis_shown_and_right():
    case = load_mocap_case("squats1")
    r = analyze_pose(case.pose, "squat").result
    shown = [rep for rep in r.reps if rep.pelvic_obliquity_deg is not None]
    assert len(shown) == case.n_reps
    truth = pelvis_list_at(case, np.array([rep.bottom_s for rep in shown]))
    errors = np.abs(np.array([rep.pelvic_obliquity_deg for rep in shown]) - truth)
    assert errors.max() < PELVIC_SDD
    assert all(rep.pelvic_error_deg is not None and rep.pelvic_error_deg < PELVIC_SDD for rep in shown)


@pytest.mark.parametrize("yaw", [-15.0, 15.0])
def test_mocap_squats_turned_15_deg_withholds_pelvis_and_trunk_at_the_bottoms(yaw):
    case = load_mocap_case("squats1", yaw_deg=yaw)
    r = analyze_pose(case.pose, "squat").result
    assert len(r.reps) == case.n_reps
    assert all(rep.pelvic_obliquity_deg is None and rep.trunk_lean_deg is None for rep in r.reps)
    assert any(i.code == "view_pelvis_withheld" for i in r.capture.issues)


def test_single_leg_stance_drop_follows_the_same_limits():
    t = np.arange(0, 36, 1 / 30)
    lifted = (t >= 2) & (t < 34)
    ob = np.where(t > 20, np.minimum((t - 20) * 2, 5.0), 0.0)
    pose = stick_figure(t, lift_right=np.where(lifted, 0.1, 0), obliquity=ob)
    near = analyze_pose(_turned(pose, 3), "single-leg-stance").result
    assert near.reps[0].pelvic_drop_max_deg is not None and near.reps[0].ended_by == "pelvis dropped"
    far = analyze_pose(_turned(pose, 15), "single-leg-stance").result
    assert far.reps[0].pelvic_drop_max_deg is None
    assert far.reps[0].ended_by != "pelvis dropped"  # a drop kneeline cannot see is not claimed


def test_each_rep_names_what_was_withheld_and_why_when_the_person_turns_mid_video():
    from tests.fixtures.synthetic import squat_depth

    t = np.arange(0, 14, 1 / 30)
    pose = stick_figure(t, depth=squat_depth(t, n_reps=6), fppa_left=6, fppa_right=6)
    turned = _turned(pose, 14)
    late = t >= 7.5  # reps 4-6 filmed after the person turned 14 deg
    mixed = pose.with_arrays(position=np.where(late[:, None, None], turned.position, pose.position),
                             world=np.where(late[:, None, None], turned.world, pose.world))
    r = analyze_pose(mixed, "squat").result
    assert len(r.reps) == 6
    early, later = r.reps[:3], r.reps[3:]
    assert all(rep.fppa_left_deg is not None and rep.withheld == [] for rep in early[:2])
    assert all(rep.fppa_left_deg is None for rep in later)
    assert all(any(w.startswith("left knee angle (FPPA)") and "turned" in w for w in rep.withheld) for rep in later)
    assert any("repetitions" in note and "4" in note for note in r.notes)

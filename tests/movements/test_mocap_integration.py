"""The whole analysis on real motion capture filmed by a virtual camera, against exact answers."""

from __future__ import annotations

import numpy as np
import pytest

from kneeline.pipeline import analyze_pose
from tests.fixtures.mocap import MocapCase, mocap_dir, mocap_sit_to_stand, mocap_squats, mocap_squats_oblique  # noqa: F401


def _at(case_values: np.ndarray, case: MocapCase, t: float) -> float:
    return float(case_values[int(np.argmin(np.abs(case.pose.time_s - t)))])


def test_squats_counted_and_measured(mocap_squats: MocapCase):  # noqa: F811
    r = analyze_pose(mocap_squats.pose, "squat").result
    assert len(r.reps) == mocap_squats.n_reps == 5
    np.testing.assert_allclose([rep.bottom_s for rep in r.reps], mocap_squats.bottom_s, atol=0.1)
    assert r.capture.view == "frontal"
    for rep in r.reps:
        assert rep.pelvic_obliquity_deg == pytest.approx(
            _at(mocap_squats.pelvis_list_deg, mocap_squats, rep.bottom_s), abs=1.5)
        if rep.fppa_left_deg is not None:
            assert rep.fppa_left_deg == pytest.approx(
                _at(mocap_squats.fppa_left_deg, mocap_squats, rep.bottom_s), abs=2.5)


def test_sit_to_stand_complete_cycles(mocap_sit_to_stand: MocapCase):  # noqa: F811
    r = analyze_pose(mocap_sit_to_stand.pose, "squat").result
    assert len(r.reps) == mocap_sit_to_stand.n_reps
    # seated, the thigh points at the camera: FPPA is withheld rather than shown wrong
    assert all(rep.fppa_left_deg is None and rep.fppa_right_deg is None for rep in r.reps)


def test_turned_camera_withholds_knee_angles(mocap_squats_oblique: MocapCase):  # noqa: F811
    r = analyze_pose(mocap_squats_oblique.pose, "squat").result
    assert len(r.reps) == 5
    assert r.capture.view == "oblique"
    assert all(rep.fppa_left_deg is None for rep in r.reps)
    assert any(i.code == "view_fppa_withheld" for i in r.capture.issues)

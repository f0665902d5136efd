"""The UI-PRMD benchmark's feature code on hand-made signals and a synthetic marker set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks.uiprmd_data import NO_REPETITION, PIG, hip_centres, read_uiprmd, uiprmd_files, with_hip_centres
from benchmarks.uiprmd_features import N_SAMPLES, rep_curves, summarise, time_normalise
from kneeline.io.trc import MarkerSet


def test_time_normalise_resamples_a_ramp_and_bridges_gaps() -> None:
    ramp = np.arange(11.0)  # 0..10 over 11 frames
    ramp[4] = np.nan
    out = time_normalise(ramp)
    assert out.shape == (N_SAMPLES,)
    np.testing.assert_allclose(out, np.linspace(0.0, 10.0, N_SAMPLES))


def test_hip_centres_follow_harrington_for_an_upright_pelvis() -> None:
    """Pelvis facing +x, Y up, so right is +z (x cross y): ASIS 0.25 m apart, PSIS 0.15 m behind."""
    lasi, rasi = np.array([[0.0, 1.0, -0.125]]), np.array([[0.0, 1.0, 0.125]])
    lpsi, rpsi = np.array([[-0.15, 1.0, -0.05]]), np.array([[-0.15, 1.0, 0.05]])
    left, right = hip_centres(lasi, rasi, lpsi, rpsi)
    back, down, out = 0.24 * 0.15 + 0.0099, 0.30 * 0.25 + 0.0109, 0.33 * 0.25 + 0.0073
    np.testing.assert_allclose(left[0], [-back, 1.0 - down, -out], atol=1e-12)
    np.testing.assert_allclose(right[0], [-back, 1.0 - down, out], atol=1e-12)


def _squat_markers(n: int = 60, step_left: bool = False) -> MarkerSet:
    """A stick person facing +x squatting once (hips drop 0.3 m); optionally the left foot steps forward."""
    base = {  # x forward, Y up, z to the person's right
        "LSHO": (0.0, 1.45, -0.18), "RSHO": (0.0, 1.45, 0.18), "LASI": (0.08, 1.0, -0.12),
        "RASI": (0.08, 1.0, 0.12), "LPSI": (-0.08, 1.0, -0.05), "RPSI": (-0.08, 1.0, 0.05),
        "LKNE": (0.0, 0.5, -0.14), "RKNE": (0.0, 0.5, 0.14), "LANK": (0.0, 0.08, -0.14), "RANK": (0.0, 0.08, 0.14),
        "LHEE": (-0.06, 0.03, -0.12), "RHEE": (-0.06, 0.03, 0.12), "LTOE": (0.15, 0.03, -0.12),
        "RTOE": (0.15, 0.03, 0.12),
    }
    phase = np.sin(np.linspace(0.0, np.pi, n))
    xyz = np.zeros((n, len(PIG), 3))
    for name, pos in base.items():
        xyz[:, PIG.index(name)] = pos
    for name in ("LSHO", "RSHO", "LASI", "RASI", "LPSI", "RPSI"):
        xyz[:, PIG.index(name), 1] -= 0.3 * phase
    for name in ("LKNE", "RKNE"):
        xyz[:, PIG.index(name), 0] += 0.15 * phase
    if step_left:
        for name in ("LANK", "LHEE", "LTOE"):
            xyz[:, PIG.index(name), 0] += 0.4 * phase
    return MarkerSet(time_s=np.arange(n) / 30.0, names=tuple(PIG), xyz=xyz, rate_hz=30.0, units="m")


def test_with_hip_centres_appends_two_markers() -> None:
    markers = with_hip_centres(_squat_markers())
    assert markers.names[-2:] == ("LHJC", "RHJC")
    assert np.all(markers.marker("LHJC")[:, 2] < 0) and np.all(markers.marker("RHJC")[:, 2] > 0)
    assert np.all(markers.marker("LHJC")[:, 1] < markers.marker("LASI")[:, 1])  # below the ASIS


def test_symmetric_squat_curves_are_deep_upright_and_level() -> None:
    curves, _ = rep_curves(_squat_markers(), rule="right")
    feats = summarise(curves)
    assert all(c.shape == (N_SAMPLES,) for c in curves.values())
    assert feats["f_depth:max"] == pytest.approx(feats["s_depth:max"], rel=0.1)
    assert feats["f_depth:tmax"] == pytest.approx(0.5, abs=0.02)
    assert abs(feats["f_trunk_lean:max"]) < 1.0 and abs(feats["f_pelvis_obliquity:max"]) < 1.0
    assert feats["s_knee_angle_act:min"] < 150.0 < feats["s_knee_angle_act:max"]
    assert feats["s_knee_over_toe_act:max"] > feats["s_knee_over_toe_act:c000"]  # knees travel forward


def test_active_side_is_the_stepping_leg() -> None:
    _, act = rep_curves(_squat_markers(step_left=True), rule="ankle_travel")
    assert act == "left"
    with pytest.raises(ValueError, match="active-side rule"):
        rep_curves(_squat_markers(), rule="widest")


def test_files_listed_without_a_repetition_have_no_pelvis_descent(shared_data: Path) -> None:
    """Each listed file's pelvis never drops below its start; the other files of its set drop > 0.2 m."""
    for name in NO_REPETITION:
        movement = name[:3]
        files = uiprmd_files(shared_data, movement, correct="_inc." not in name)[name[4:7]]
        assert name in [p.name for p in files]
        for p in files:
            markers = read_uiprmd(p)
            pelvis_y = np.mean([markers.marker(m)[:, 1] for m in ("LASI", "RASI", "LPSI", "RPSI")], axis=0)
            drop_m = pelvis_y[0] - pelvis_y.min()
            if p.name == name:
                assert drop_m < 0.01
            else:
                assert drop_m > 0.2

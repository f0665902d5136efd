"""Tests of cameras, projection and marker-to-keypoint mapping, on hand-built points with known answers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from kneeline.errors import InputError
from kneeline.io.markers import (
    OPENCAP_VIDEO_MAPPING,
    Camera,
    add_virtual_markers,
    facing_direction,
    markers_to_pose,
    pelvis_yaw_deg,
    project,
    resample_markers,
    subject_frame,
    virtual_camera,
    virtual_view,
)
from kneeline.io.trc import MarkerSet, read_trc
from kneeline.kinematics import angles
from tests.fixtures.mocap import load_mocap_case, shared_data_root

K = np.array([[100.0, 0.0, 50.0], [0.0, 100.0, 60.0], [0.0, 0.0, 1.0]])
EYE = np.eye(3)


def rot_y(deg: float) -> np.ndarray:
    a = np.radians(deg)
    return np.array([[np.cos(a), 0.0, np.sin(a)], [0.0, 1.0, 0.0], [-np.sin(a), 0.0, np.cos(a)]])


# --- project ------------------------------------------------------------------------------------

def test_point_on_the_optical_axis_maps_to_the_principal_point() -> None:
    np.testing.assert_allclose(project(np.array([0.0, 0.0, 5.0]), K, EYE, np.zeros(3)), [50.0, 60.0])


def test_known_pixel() -> None:
    # x/z = 0.1, y/z = 0.2 -> 50 + 100*0.1, 60 + 100*0.2
    np.testing.assert_allclose(project(np.array([1.0, 2.0, 10.0]), K, EYE, np.zeros(3)), [60.0, 80.0])


def test_translation_and_rotation() -> None:
    # A camera 2 m behind the origin, turned 90 deg: world +x is its optical axis.
    R = rot_y(-90.0)
    t = np.array([0.0, 0.0, 2.0])
    np.testing.assert_allclose(R @ np.array([1.0, 0.0, 0.0]), [0.0, 0.0, 1.0], atol=1e-12)
    np.testing.assert_allclose(project(np.array([[3.0, 0.0, 0.0]]), K, R, t), [[50.0, 60.0]], atol=1e-9)


def test_points_behind_the_camera_and_nan_are_missing() -> None:
    px = project(np.array([[0.0, 0.0, -1.0], [np.nan, 0.0, 1.0], [0.0, 0.0, 1.0]]), K, EYE, np.zeros(3))
    assert np.all(np.isnan(px[:2])) and np.all(np.isfinite(px[2]))


def test_radial_distortion_by_hand() -> None:
    k1 = 0.1
    px = project(np.array([0.5, 0.0, 1.0]), K, EYE, np.zeros(3), distortion=np.array([k1, 0, 0, 0, 0]))
    np.testing.assert_allclose(px, [50.0 + 100.0 * 0.5 * (1 + k1 * 0.25), 60.0])


def test_distortion_matches_opencv() -> None:
    cv2 = pytest.importorskip("cv2")
    rng = np.random.default_rng(0)
    pts = rng.uniform([-1, -1, 2], [1, 1, 4], size=(20, 3))
    dist = np.array([0.2, -0.6, -0.0005, -0.0005, 0.57])
    R, t = rot_y(10.0), np.array([0.1, -0.2, 0.5])
    expected, _ = cv2.projectPoints(pts, cv2.Rodrigues(R)[0], t, K, dist)
    np.testing.assert_allclose(project(pts, K, R, t, dist), expected[:, 0, :], atol=1e-6)


def test_projection_round_trip_with_known_depth() -> None:
    camera = Camera(K=K, R=rot_y(20.0), t=np.array([0.2, 0.1, 3.0]), width=100, height=120)
    pts = np.array([[0.1, -0.3, 0.2], [-0.4, 0.5, -0.1]])
    px = camera.project(pts)
    depth = camera.to_camera(pts)[:, 2]
    cam = np.column_stack([(px - K[:2, 2]) / K[[0, 1], [0, 1]] * depth[:, None], depth])
    np.testing.assert_allclose((cam - camera.t) @ camera.R, pts, atol=1e-12)
    np.testing.assert_allclose(camera.centre, -camera.R.T @ camera.t)


def test_camera_rejects_a_non_rotation() -> None:
    with pytest.raises(InputError, match="rotation"):
        Camera(K=K, R=2 * EYE, t=np.zeros(3), width=10, height=10)


# --- Camera.from_json -----------------------------------------------------------------------------

def camera_json(tmp_path: Path, **extra: object) -> Path:
    data = {"K": [[800, 0, 356], [0, 800, 637], [0, 0, 1]], "R": EYE.tolist(), "t_m": [0, 0, 0],
            "distortion": [0, 0, 0, 0, 0], "image_size_wh": [1280, 720], **extra}
    path = tmp_path / "camera.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_from_json_swaps_a_landscape_size_that_does_not_fit_the_principal_point(tmp_path: Path) -> None:
    camera = Camera.from_json(camera_json(tmp_path))
    assert (camera.width, camera.height) == (720, 1280)


def test_from_json_keeps_a_fitting_size_and_honours_an_override(tmp_path: Path) -> None:
    path = camera_json(tmp_path, image_size_wh=[720, 1280])
    assert (Camera.from_json(path).width, Camera.from_json(path).height) == (720, 1280)
    assert Camera.from_json(path, image_wh=(640, 480)).width == 640


def test_from_json_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        Camera.from_json(tmp_path / "none.json")
    bad = tmp_path / "bad.json"
    bad.write_text("{", encoding="utf-8")
    with pytest.raises(InputError, match="not valid JSON"):
        Camera.from_json(bad)
    bad.write_text(json.dumps({"R": EYE.tolist()}), encoding="utf-8")
    with pytest.raises(InputError, match="K"):
        Camera.from_json(bad)


# --- virtual cameras ------------------------------------------------------------------------------

HIP_L, HIP_R = np.array([0.0, 0.9, -0.1]), np.array([0.0, 0.9, 0.1])
"""A subject facing +x (Y up): their left, up x facing, is -z."""


def test_virtual_camera_frontal_view() -> None:
    target = np.array([0.0, 0.9, 0.0])
    camera = virtual_camera(target, np.array([1.0, 0.0]), yaw_deg=0, distance_m=3, image_wh=(720, 1280))
    np.testing.assert_allclose(camera.project(target), [360.0, 640.0], atol=1e-9)
    np.testing.assert_allclose(camera.centre, [3.0, 0.9, 0.0], atol=1e-12)
    left, right = camera.project(HIP_L), camera.project(HIP_R)
    assert left[0] > right[0]  # facing the camera, the person's left is on the image's right
    assert camera.project(np.array([0.0, 1.5, 0.0]))[1] < 640  # up in the world is up in the image


def test_virtual_camera_yaw_90_puts_the_hips_on_top_of_each_other() -> None:
    camera = virtual_camera(np.array([0.0, 0.9, 0.0]), np.array([1.0, 0.0]), yaw_deg=90, distance_m=3)
    np.testing.assert_allclose(camera.project(HIP_L), camera.project(HIP_R), atol=1e-6)
    # +90 = from the subject's left: the left hip is the nearer one.
    assert camera.to_camera(HIP_L)[2] < camera.to_camera(HIP_R)[2]


@pytest.mark.parametrize("yaw", [-40.0, 0.0, 15.0, 60.0])
def test_pelvis_yaw_reads_the_virtual_yaw(yaw: float) -> None:
    camera = virtual_camera(np.array([0.0, 0.9, 0.0]), np.array([1.0, 0.0]), yaw_deg=yaw, distance_m=3)
    markers = MarkerSet(np.zeros(1), ("L", "R"), np.stack([HIP_L, HIP_R])[None], 1.0, "m")
    np.testing.assert_allclose(pelvis_yaw_deg(markers, camera, "L", "R"), [yaw], atol=1e-9)


def test_orthographic_camera_ignores_depth() -> None:
    camera = virtual_camera(np.zeros(3), np.array([0.0, 1.0]), distance_m=3, orthographic=True)
    near, far = camera.project(np.array([0.1, 0.2, 1.0])), camera.project(np.array([0.1, 0.2, -1.0]))
    np.testing.assert_allclose(near, far)


def test_facing_direction_from_the_pelvis() -> None:
    markers = MarkerSet(np.zeros(2), ("L.ASIS", "r.ASIS"), np.stack([[HIP_L, HIP_R]] * 2), 1.0, "m")
    np.testing.assert_allclose(facing_direction(markers), [1.0, 0.0, 0.0], atol=1e-12)


# --- markers_to_pose ----------------------------------------------------------------------------

def standing_markers(n: int = 3) -> MarkerSet:
    """A subject standing still, facing +x: hips, knees (lateral + medial) and ankles."""
    pts = {
        "LH": [0.0, 0.9, -0.1], "RH": [0.0, 0.9, 0.1],
        "LKl": [0.0, 0.5, -0.15], "LKm": [0.0, 0.5, -0.05], "RKl": [0.0, 0.5, 0.15], "RKm": [0.0, 0.5, 0.05],
        "LA": [0.0, 0.1, -0.1], "RA": [0.0, 0.1, 0.1],
    }
    xyz = np.repeat(np.array(list(pts.values()))[None], n, axis=0)
    return MarkerSet(np.arange(n) / 100.0, tuple(pts), xyz, 100.0, "m", source="standing.trc")


MAPPING = {"left_hip": ("LH",), "right_hip": ("RH",), "left_knee": ("LKl", "LKm"),
           "right_knee": ("RKl", "RKm"), "left_ankle": ("LA",), "right_ankle": ("RA",)}


def test_markers_to_pose_midpoints_world_and_confidence() -> None:
    markers = standing_markers()
    camera = virtual_camera(np.array([0.0, 0.9, 0.0]), np.array([1.0, 0.0]), distance_m=3)
    pose = markers_to_pose(markers, camera, MAPPING)
    assert pose.keypoints == tuple(MAPPING)
    assert (pose.width, pose.height) == (720, 1280)
    np.testing.assert_allclose(pose.xy("left_knee")[0], camera.project(np.array([0.0, 0.5, -0.1])))
    assert np.all(pose.confidence == 1.0)
    assert pose.world is not None
    np.testing.assert_allclose(pose.world_xyz("left_hip")[0], [0.1, 0.0, 0.0], atol=1e-12)  # x right
    np.testing.assert_allclose(pose.world_xyz("left_ankle")[0, 1], 0.8, atol=1e-12)  # y down
    np.testing.assert_allclose(angles.fppa(pose, "left"), 0.0, atol=1e-9)


def test_missing_markers_give_missing_keypoints() -> None:
    markers = standing_markers()
    xyz = markers.xyz.copy()
    xyz[1, markers.names.index("LKm")] = np.nan
    pose = markers_to_pose(MarkerSet(markers.time_s, markers.names, xyz, 100.0, "m"),
                           virtual_camera(np.array([0.0, 0.9, 0.0]), np.array([1.0, 0.0])), MAPPING)
    assert pose.conf("left_knee").tolist() == [1.0, 0.0, 1.0]
    assert np.all(np.isnan(pose.xy("left_knee")[1]))


def test_unknown_marker_in_mapping() -> None:
    with pytest.raises(InputError, match="'nope'"):
        markers_to_pose(standing_markers(), virtual_camera(np.zeros(3), np.array([1.0, 0.0])),
                        {"left_hip": ("nope",)})


def test_resample_markers_interpolates_and_marks_outside_as_missing() -> None:
    markers = standing_markers(3)
    xyz = markers.xyz.copy()
    xyz[:, 0, 0] = [0.0, 1.0, 2.0]
    markers = MarkerSet(markers.time_s, markers.names, xyz, 100.0, "m")
    same = resample_markers(markers, markers.time_s)
    np.testing.assert_allclose(same.xyz, markers.xyz)
    out = resample_markers(markers, np.array([0.005, 0.015, 0.05]))
    np.testing.assert_allclose(out.xyz[:2, 0, 0], [0.5, 1.5])
    assert np.all(np.isnan(out.xyz[2]))


def test_markers_to_pose_at_video_times() -> None:
    camera = virtual_camera(np.array([0.0, 0.9, 0.0]), np.array([1.0, 0.0]))
    pose = markers_to_pose(standing_markers(3), camera, MAPPING, time_s=np.array([0.0, 0.0125]))
    np.testing.assert_allclose(pose.time_s, [0.0, 0.0125])
    assert np.all(pose.confidence == 1.0)


def test_virtual_view_films_from_the_subject_frame() -> None:
    pose, camera = virtual_view(standing_markers(), MAPPING, yaw_deg=0.0)
    mid, facing = subject_frame(standing_markers(), MAPPING)
    np.testing.assert_allclose(facing, [1.0, 0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(camera.project(mid), [360.0, 640.0], atol=1e-9)
    assert pose.xy("left_hip")[0, 0] > pose.xy("right_hip")[0, 0]


def test_add_virtual_markers_follows_a_rigid_cluster() -> None:
    rng = np.random.default_rng(1)
    cluster = rng.normal(size=(4, 3))
    hidden = np.array([0.3, -0.2, 0.1])
    static = MarkerSet(np.zeros(1), ("a", "b", "c", "d", "m"), np.vstack([cluster, hidden])[None], 1.0, "m")
    R, t = rot_y(35.0), np.array([1.0, 2.0, 3.0])
    moved = np.stack([cluster, cluster @ R.T + t])
    trial = MarkerSet(np.array([0.0, 0.01]), ("a", "b", "c", "d"), moved, 100.0, "m")
    out = add_virtual_markers(trial, static, {"m": ("a", "b", "c", "d")})
    np.testing.assert_allclose(out.marker("m"), [hidden, R @ hidden + t], atol=1e-12)
    with pytest.raises(InputError, match="already"):
        add_virtual_markers(out, static, {"m": ("a", "b", "c")})


# --- real data ------------------------------------------------------------------------------------

def test_opencap_camera_projects_the_reference_onto_the_portrait_video() -> None:
    root = shared_data_root()
    folder = None if root is None else root / "opencap-squat-cam0"
    if folder is None or not folder.is_dir():
        pytest.skip("real data absent: ../shared/data/opencap-squat-cam0")
    camera = Camera.from_json(folder / "camera.json")
    assert (camera.width, camera.height) == (720, 1280)
    markers = read_trc(folder / "squats-with-arm-raise.reference.trc")
    pose = markers_to_pose(markers, camera, OPENCAP_VIDEO_MAPPING)
    xy = pose.position.reshape(-1, 2)
    assert np.all((xy[:, 0] > 0) & (xy[:, 0] < 720) & (xy[:, 1] > 0) & (xy[:, 1] < 1280))
    # Checked by overlay on decoded frames: the person stands in the middle third, feet near y = 800.
    assert 300 < np.median(pose.xy("left_ankle")[:, 0]) < 500
    assert 700 < np.median(pose.xy("left_ankle")[:, 1]) < 850
    yaw = pelvis_yaw_deg(markers, camera, "L.ASIS_study", "r.ASIS_study")
    assert 16 < np.median(yaw) < 22  # about 19 deg off frontal, left hip nearer the camera


def test_mocap_frontal_fixture_matches_the_true_frontal_plane() -> None:
    case = load_mocap_case("squats1")
    assert case.pose.n_frames == 1346
    assert len(case.bottom_s) == case.n_reps == 5
    bottoms = np.searchsorted(case.markers.time_s, case.bottom_s)
    for side, truth in (("left", case.fppa_left_deg), ("right", case.fppa_right_deg)):
        err = angles.fppa(case.pose, side)[bottoms] - truth[bottoms]
        assert np.max(np.abs(err)) < 3.0  # perspective at 3 m only
    ob = angles.pelvic_obliquity(case.pose)
    assert np.mean(np.abs(ob - case.pelvis_list_deg)) < 1.0

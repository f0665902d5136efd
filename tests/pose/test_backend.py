"""Tests of the pose-backend interface and of BlazePose (the real model on the real squat video)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from kneeline.errors import InputError
from kneeline.pose.backend import PersonDetector, PoseBackend, PoseFrame, SeriesBackend
from kneeline.pose.container import PoseSeries
from kneeline.pose.skeleton import BLAZEPOSE_KEYPOINTS

MOV = ("opencap-squat-cam0", "squats-with-arm-raise.mov")
K = len(BLAZEPOSE_KEYPOINTS)


def test_nothing_heavy_is_imported_with_kneeline() -> None:
    code = ("import sys, kneeline.io.video, kneeline.io.keypoints_csv, kneeline.pose.backend, "
            "kneeline.pose.mediapipe_backend, kneeline.pose.runner, kneeline.pose.people; "
            "print(sorted(m for m in ('mediapipe', 'cv2', 'tensorflow') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert out.stdout.strip() == "[]"


def test_pose_frame_checks_shapes() -> None:
    with pytest.raises(InputError, match=r"\(keypoint, 2\)"):
        PoseFrame(position=np.zeros((3, 3)), confidence=np.zeros(3))
    with pytest.raises(InputError, match="confidence"):
        PoseFrame(position=np.zeros((3, 2)), confidence=np.zeros(4))
    with pytest.raises(InputError, match="world"):
        PoseFrame(position=np.zeros((3, 2)), confidence=np.zeros(3), world=np.zeros((3, 2)))


def test_empty_frame_means_nobody() -> None:
    frame = PoseFrame.empty(K, with_world=True)
    assert not frame.detected
    assert np.all(np.isnan(frame.position)) and np.all(frame.confidence == 0)
    assert frame.world is not None and np.all(np.isnan(frame.world))


def two_point_series() -> PoseSeries:
    """Two keypoints standing still at known pixels of a 200x100 frame, 3 frames at 10 fps."""
    position = np.tile(np.array([[[20.0, 10.0], [180.0, 90.0]]]), (3, 1, 1))
    return PoseSeries(position=position, confidence=np.full((3, 2), 0.9), time_s=np.array([0.0, 0.1, 0.2]),
                      keypoints=("left_hip", "right_hip"), width=200, height=100, source="hand-made")


def test_series_backend_replays_and_rescales() -> None:
    series = two_point_series()
    with SeriesBackend(series) as backend:
        assert isinstance(backend, PoseBackend)
        half = backend.process(np.zeros((50, 100, 3), dtype=np.uint8))
        np.testing.assert_allclose(half.position, [[10, 5], [90, 45]])
        np.testing.assert_allclose(half.confidence, [0.9, 0.9])
        full = backend.process(np.zeros((100, 200, 3), dtype=np.uint8))
        np.testing.assert_allclose(full.position, series.position[1])
        backend.process(np.zeros((100, 200, 3), dtype=np.uint8))
        with pytest.raises(InputError, match="replayed keypoints have 3 frames"):
            backend.process(np.zeros((100, 200, 3), dtype=np.uint8))
    assert backend.provenance()["replayed_source"] == "hand-made"


def test_models_that_need_a_download_are_refused() -> None:
    from kneeline.pose.mediapipe_backend import MediaPipePose

    for complexity in (0, 2):
        with pytest.raises(InputError, match="offline"):
            MediaPipePose(model_complexity=complexity)
    with pytest.raises(InputError, match="min_detection_confidence"):
        MediaPipePose(min_detection_confidence=1.5)


@pytest.fixture(scope="module")
def squat_frames(shared_data: Path) -> list[np.ndarray]:
    """The first 60 frames (1 s) of the real portrait squat video, as RGB."""
    import cv2

    from kneeline.io.video import iter_frames

    frames = []
    for frame in iter_frames(shared_data.joinpath(*MOV)):
        frames.append(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB))
        if len(frames) == 60:
            break
    return frames


@pytest.mark.slow
def test_blazepose_on_real_video(squat_frames: list[np.ndarray]) -> None:
    from kneeline.pose.mediapipe_backend import MediaPipePose

    first = squat_frames[0].copy()
    with MediaPipePose() as backend:
        assert isinstance(backend, PoseBackend)
        frames = [backend.process(image) for image in squat_frames]
        provenance = backend.provenance()
    np.testing.assert_array_equal(squat_frames[0], first)  # input not modified
    assert provenance["model_complexity"] == 1 and provenance["mediapipe_version"] == "0.10.21"
    assert provenance["smooth_landmarks"] is False
    assert all(f.detected for f in frames)
    pos = np.stack([f.position for f in frames])
    conf = np.stack([f.confidence for f in frames])
    assert pos.shape == (60, K, 2)
    assert np.all((pos[..., 0] > 0) & (pos[..., 0] < 720) & (pos[..., 1] > 0) & (pos[..., 1] < 1280))
    assert np.all((conf >= 0) & (conf <= 1)) and np.median(conf) > 0.9
    # the person stands in the middle of the portrait frame, head above hips above ankles
    nose, hip, ankle = (pos[:, BLAZEPOSE_KEYPOINTS.index(k), 1] for k in ("nose", "left_hip", "left_ankle"))
    assert np.all(nose < hip) and np.all(hip < ankle)


@pytest.mark.slow
def test_world_coordinates_follow_kneeline_axes(squat_frames: list[np.ndarray]) -> None:
    """x to the image right, y down, origin mid-hip, metres; the person faces the camera."""
    from kneeline.pose.mediapipe_backend import MediaPipePose

    with MediaPipePose() as backend:
        frames = [backend.process(image) for image in squat_frames[:20]]
    world = np.stack([f.world for f in frames if f.world is not None])
    pos = np.stack([f.position for f in frames])
    idx = {k: BLAZEPOSE_KEYPOINTS.index(k) for k in ("nose", "left_shoulder", "right_shoulder", "left_hip",
                                                     "right_hip", "left_ankle")}
    image_right = pos[:, idx["left_shoulder"], 0] > pos[:, idx["right_shoulder"], 0]
    world_right = world[:, idx["left_shoulder"], 0] > world[:, idx["right_shoulder"], 0]
    np.testing.assert_array_equal(image_right, world_right)
    mid_hip = (world[:, idx["left_hip"]] + world[:, idx["right_hip"]]) / 2
    np.testing.assert_allclose(mid_hip, 0, atol=0.05)
    assert np.all(world[:, idx["nose"], 1] < -0.4)          # head above the hips: y down
    assert np.all(world[:, idx["left_ankle"], 1] > 0.5)     # ankles below
    assert np.all(world[:, idx["nose"], 2] < 0)             # face towards the camera: z away
    height = world[:, idx["left_ankle"], 1] - world[:, idx["nose"], 1]
    assert np.all((height > 1.2) & (height < 2.0))           # metres


@pytest.mark.slow
def test_nobody_gives_an_empty_frame() -> None:
    from kneeline.pose.mediapipe_backend import MediaPipePose

    grey = np.full((480, 640, 3), 90, dtype=np.uint8)
    with MediaPipePose() as backend:
        frame = backend.process(grey)
    assert not frame.detected
    assert np.all(frame.confidence == 0)


def test_person_detector_protocol() -> None:
    from kneeline.pose.mediapipe_backend import MediaPipePersonDetector

    with MediaPipePersonDetector() as detector:
        assert isinstance(detector, PersonDetector)
        assert detector.detect(np.full((240, 320, 3), 90, dtype=np.uint8)) == []


def test_backend_refuses_non_rgb_images() -> None:
    from kneeline.pose.mediapipe_backend import MediaPipePose

    with MediaPipePose() as backend, pytest.raises(InputError, match="RGB uint8"):
        backend.process(np.zeros((10, 10), dtype=np.uint8))

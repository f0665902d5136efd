"""Tests of the pose runner: threading, ordering, scaling, progress, errors; the real model on real video."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from kneeline.errors import CaptureError, InputError
from kneeline.io.video import Frame, iter_frames
from kneeline.pose.backend import PoseFrame, SeriesBackend
from kneeline.pose.container import PoseSeries
from kneeline.pose.runner import estimate_pose, estimate_pose_frames, prepare_image
from tests.conftest import VideoFactory

MOV = ("opencap-squat-cam0", "squats-with-arm-raise.mov")
WALK = ("videos", "sports2d-demo-walk-jump.mp4")


def walking_points(n: int, width: int = 160, height: int = 120) -> PoseSeries:
    """Two keypoints walking right by 1 px per frame at 30 fps, in a width x height frame."""
    x = 20.0 + np.arange(n)
    position = np.stack([np.stack([x, np.full(n, 40.0)], axis=1), np.stack([x + 10, np.full(n, 80.0)], axis=1)],
                        axis=1)
    return PoseSeries(position=position, confidence=np.full((n, 2), 0.8), time_s=np.arange(n) / 30,
                      keypoints=("left_hip", "right_hip"), width=width, height=height, source="walking points")


def decode_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "kneeline-decode"]


# ---- fast: the machinery, with keypoints replayed instead of a model --------------------------------

def test_replayed_keypoints_come_back_in_full_frame_pixels(make_video: VideoFactory) -> None:
    path = make_video(n_frames=30)
    series = walking_points(30)
    calls: list[tuple[int, int]] = []
    with SeriesBackend(series) as backend:
        out = estimate_pose(path, backend=backend, max_side_px=80, progress=lambda d, t: calls.append((d, t)))
    np.testing.assert_allclose(out.position, series.position)
    assert (out.width, out.height) == (160, 120)
    assert out.meta["working_size"] == [80, 60]
    np.testing.assert_allclose(out.time_s, np.arange(30) / 30, atol=1e-3)
    assert out.meta["frames"] == 30 and out.meta["frames_without_person"] == 0
    assert out.meta["video"]["frame_count"] == 30 and out.meta["decode"]["truncated"] is False
    assert calls[-1] == (30, 30)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)
    assert not decode_threads()


def test_prepare_image_downscales_and_converts() -> None:
    bgr = np.zeros((100, 400, 3), dtype=np.uint8)
    bgr[..., 0] = 255  # blue
    rgb = prepare_image(bgr, 200)
    assert rgb.shape == (50, 200, 3) and rgb[0, 0].tolist() == [0, 0, 255]
    assert prepare_image(bgr, 0).shape == (100, 400, 3)
    assert bgr[0, 0].tolist() == [255, 0, 0]  # input untouched


def test_truncated_file_is_analysed_and_reported(make_video: VideoFactory) -> None:
    path = make_video("cut.avi", n_frames=60, fourcc="MJPG")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with SeriesBackend(walking_points(60)) as backend:
        out = estimate_pose(path, backend=backend)
    assert 10 < out.n_frames < 50
    assert out.meta["decode"]["truncated"] is True
    assert "stopped after" in out.meta["decode"]["message"]
    with SeriesBackend(walking_points(60)) as backend, pytest.raises(InputError, match="truncated"):
        estimate_pose(path, backend=backend, strict=True)
    assert not decode_threads()


def frames_from(images: int, *, fail_at: int | None = None, times: list[float] | None = None,
                log: dict[str, Any] | None = None) -> Iterator[Frame]:
    """Synthetic frames 160x120 at 30 fps; optionally raising at ``fail_at``, logging what was produced."""
    log = log if log is not None else {}
    log["produced"] = 0
    try:
        for i in range(images):
            if fail_at is not None and i == fail_at:
                raise ValueError("camera unplugged")
            log["produced"] = i + 1
            t = times[i] if times is not None else i / 30
            yield Frame(index=i, time_s=t, image=np.full((120, 160, 3), 80, dtype=np.uint8))
    finally:
        log["closed"] = True


def test_errors_in_the_frame_source_reach_the_caller() -> None:
    log: dict[str, Any] = {}
    with SeriesBackend(walking_points(50)) as backend, pytest.raises(ValueError, match="camera unplugged"):
        estimate_pose_frames(frames_from(50, fail_at=7, log=log), backend=backend, width=160, height=120)
    assert log["closed"]
    assert not decode_threads()


def test_timestamps_must_increase() -> None:
    with SeriesBackend(walking_points(3)) as backend, pytest.raises(InputError, match="must increase"):
        estimate_pose_frames(frames_from(3, times=[0.0, 0.1, 0.1]), backend=backend, width=160, height=120)


class SlowReplay(SeriesBackend):
    """Replays keypoints, taking 5 ms per frame, and records how far ahead the decoder ran."""

    def __init__(self, series: PoseSeries, log: dict[str, Any]) -> None:
        super().__init__(series)
        self.log = log
        self.ahead: list[int] = []

    def process(self, image_rgb: np.ndarray) -> PoseFrame:
        self.ahead.append(self.log["produced"] - self._next)
        time.sleep(0.005)
        return super().process(image_rgb)


def test_decoder_runs_ahead_by_a_bounded_number_of_frames() -> None:
    log: dict[str, Any] = {}
    backend = SlowReplay(walking_points(80), log)
    out = estimate_pose_frames(frames_from(80, log=log), backend=backend, width=160, height=120)
    assert out.n_frames == 80  # more than the initial capacity: the arrays grew
    assert max(backend.ahead) <= 4 + 2  # queue of decode_queue_frames, one in hand, one being made


def test_max_frames_stops_the_source() -> None:
    log: dict[str, Any] = {}
    with SeriesBackend(walking_points(100)) as backend:
        out = estimate_pose_frames(frames_from(100, log=log), backend=backend, width=160, height=120,
                                   max_frames=10, total=100, progress=lambda d, t: None)
    assert out.n_frames == 10
    assert log["closed"] and log["produced"] < 100
    assert not decode_threads()


def test_unknown_total_reports_zero() -> None:
    calls: list[tuple[int, int]] = []
    with SeriesBackend(walking_points(5)) as backend:
        estimate_pose_frames(frames_from(5), backend=backend, width=160, height=120,
                             progress=lambda d, t: calls.append((d, t)))
    assert calls[-1] == (5, 0)


# ---- slow: the real model on real video -------------------------------------------------------------

@pytest.mark.slow
def test_real_video_matches_the_bare_model_frame_by_frame(shared_data: Path) -> None:
    import cv2

    from kneeline.pose.mediapipe_backend import MediaPipePose

    path = shared_data.joinpath(*MOV)
    calls: list[tuple[int, int]] = []
    series = estimate_pose(path, max_frames=90, progress=lambda d, t: calls.append((d, t)))
    assert series.position.shape == (90, 33, 2) and series.world is not None
    assert (series.width, series.height) == (720, 1280)
    assert series.fps == pytest.approx(59.98, abs=0.05)
    assert series.meta["model_complexity"] == 1 and series.meta["mediapipe_version"] == "0.10.21"
    assert series.meta["backend"] == "mediapipe-blazepose-full"
    assert series.meta["frames_without_person"] == 0
    assert series.source == "mediapipe-0.10.21 blazepose full"
    assert calls[-1] == (90, 90)
    with MediaPipePose() as backend:
        bare = []
        for frame in iter_frames(path):
            bare.append(backend.process(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)).position)
            if len(bare) == 90:
                break
    np.testing.assert_allclose(series.position, np.stack(bare), atol=1e-6)


@pytest.mark.slow
def test_large_frames_are_downscaled_with_little_change(shared_data: Path) -> None:
    path = shared_data.joinpath(*WALK)
    full = estimate_pose(path, max_side_px=0, max_frames=40)
    work = estimate_pose(path, max_frames=40)
    assert work.meta["working_size"] == [1280, 720] and full.meta["working_size"] == [1768, 994]
    assert (work.width, work.height) == (1768, 994)
    lower = [work.index(k) for k in ("left_hip", "right_hip", "left_knee", "right_knee")]
    shift = np.linalg.norm(work.position[:, lower] - full.position[:, lower], axis=2)
    assert np.nanmedian(shift) < 4.0  # px, in 1768x994 pixels


@pytest.mark.slow
def test_nobody_in_the_video(make_video: VideoFactory) -> None:
    path = make_video(n_frames=15, width=320, height=240)
    with pytest.raises(CaptureError, match="no person was found in any of the 15 frames"):
        estimate_pose(path)
    series = estimate_pose(path, require_person=False)
    assert series.meta["frames_without_person"] == 15
    assert np.all(np.isnan(series.position)) and np.all(series.confidence == 0)

"""The pose runner at an analysis frame rate: only every k-th frame reaches the model, timestamps kept."""

from __future__ import annotations

import numpy as np

from kneeline.pose.backend import SeriesBackend
from kneeline.pose.runner import estimate_pose
from tests.conftest import VideoFactory
from tests.pose.test_runner import walking_points


def test_a_60_fps_video_analysed_at_30_fps_gives_every_other_frame(make_video: VideoFactory) -> None:
    path = make_video(n_frames=60, fps=60.0)
    calls: list[tuple[int, int]] = []
    with SeriesBackend(walking_points(30)) as backend:
        out = estimate_pose(path, backend=backend, target_fps=30, progress=lambda d, t: calls.append((d, t)))
    assert out.n_frames == 30 and out.meta["frame_step"] == 2
    np.testing.assert_allclose(out.time_s, np.arange(0, 60, 2) / 60, atol=1e-3)  # the frames' own times
    assert abs(out.fps - 30) < 0.1 and calls[-1] == (30, 30)
    assert out.meta["decode"]["frames_decoded"] == 60 and out.meta["decode"]["truncated"] is False


def test_without_a_rate_every_frame_is_analysed(make_video: VideoFactory) -> None:
    path = make_video(n_frames=20, fps=60.0)
    with SeriesBackend(walking_points(20)) as backend:
        out = estimate_pose(path, backend=backend)
    assert out.n_frames == 20 and out.meta["frame_step"] == 1

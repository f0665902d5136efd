"""Decoding only the frames the analysis needs: every k-th frame, with its own index and timestamp."""

from __future__ import annotations

import numpy as np
import pytest

from kneeline.errors import InputError
from kneeline.io.video import frame_step, iter_frames, open_video
from tests.conftest import VideoFactory


@pytest.mark.parametrize(("fps", "target", "step"), [
    (60.0, 30.0, 2), (59.94, 30.0, 2), (50.0, 30.0, 1), (30.0, 30.0, 1), (29.97, 30.0, 1), (240.0, 30.0, 8),
    (120.0, 25.0, 4), (60.0, None, 1), (60.0, 0.0, 1), (0.0, 30.0, 1), (float("nan"), 30.0, 1)])
def test_the_step_keeps_the_rate_at_or_above_the_target(fps: float, target: float | None, step: int) -> None:
    assert frame_step(fps, target) == step


def test_every_other_frame_is_the_same_frame_as_in_full_decoding(make_video: VideoFactory) -> None:
    path = make_video(n_frames=41, fourcc="MJPG", name="s.avi")
    full = list(iter_frames(path))
    with open_video(path, step=2) as reader:
        half = list(reader)
        summary = reader.summary()
    assert [f.index for f in half] == list(range(0, 41, 2))
    assert summary.frames_decoded == 41 and summary.finished and not summary.truncated
    for frame in half:
        assert frame.time_s == pytest.approx(full[frame.index].time_s)
        np.testing.assert_array_equal(frame.image, full[frame.index].image)


def test_a_step_below_one_is_refused(make_video: VideoFactory) -> None:
    with pytest.raises(InputError, match="frame step must be 1 or more"):
        open_video(make_video(n_frames=3, fourcc="MJPG", name="s.avi"), step=0)

"""The people count's frames, kept from the pose pass instead of seeking the video again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kneeline.io.video import Frame, iter_frames
from kneeline.pose.people import FrameSampler, count_people, sample_indices


def test_the_sampler_keeps_the_sampled_frames_of_a_step_reader_downscaled() -> None:
    sampler = FrameSampler(100, step=2, n_samples=5)
    assert sampler.indices == frozenset(i - i % 2 for i in sample_indices(100, 5))
    big = np.zeros((2160, 3840, 3), dtype=np.uint8)
    for index in range(0, 100, 2):
        sampler(Frame(index=index, time_s=index / 60, image=big))
    assert [f.index for f in sampler.frames] == sorted(sampler.indices)
    assert all(f.image.shape == (720, 1280, 3) for f in sampler.frames)  # working size, not 4K


@pytest.mark.slow
def test_counting_from_kept_frames_finds_what_seeking_finds(shared_data: Path) -> None:
    video = shared_data / "opencap-squat-cam0" / "squats-with-arm-raise.mov"
    sampler = FrameSampler(799, step=2)
    for frame in iter_frames(video, step=2):
        sampler(frame)
    kept = count_people(video, frames=sampler.frames)
    sought = count_people(video)
    assert kept.people_max == sought.people_max == 1
    assert len(kept.counts) == len(sought.counts) == 12
    assert all(abs(a - b) <= 1 for a, b in zip(kept.frames, sought.frames, strict=True))

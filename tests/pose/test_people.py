"""Tests of the people checks: counting, which person was followed, identity switches."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kneeline.pose.backend import PersonDetection
from kneeline.pose.container import PoseSeries
from kneeline.pose.people import (
    PeopleCount,
    PeopleReport,
    count_people,
    describe_people,
    describe_tracked_person,
    detect_people,
    find_identity_switches,
    robust_count,
    sample_indices,
)

MOV = ("opencap-squat-cam0", "squats-with-arm-raise.mov")
WALK = ("videos", "sports2d-demo-walk-jump.mp4")
TORSO = ("left_shoulder", "right_shoulder", "left_hip", "right_hip")


def test_sample_indices() -> None:
    assert sample_indices(10, 4) == (0, 3, 6, 9)
    assert sample_indices(3, 10) == (0, 1, 2)
    assert sample_indices(1, 3) == (0,)
    assert sample_indices(0, 5) == ()


def test_robust_count_ignores_a_single_spike() -> None:
    assert robust_count([1, 1, 2, 2, 1]) == 2
    assert robust_count([1, 3, 1, 1]) == 1
    assert robust_count([0, 0, 0]) == 0
    assert robust_count([2]) == 2
    assert robust_count([]) == 0
    assert robust_count([1, 3, 1], min_frames=1) == 3


class BlobDetector:
    """A stand-in person detector that 'sees' each white square as a person (score 0.9)."""

    name = "white squares"

    def detect(self, image_rgb: np.ndarray) -> list[PersonDetection]:
        import cv2

        mask = (image_rgb[..., 0] > 200).astype(np.uint8)
        n, _, stats, centroids = cv2.connectedComponentsWithStats(mask)
        return [PersonDetection(score=0.9, centre_x=float(centroids[i][0]), centre_y=float(centroids[i][1]),
                                radius=float(max(stats[i][2], stats[i][3])))
                for i in range(1, n)]

    def close(self) -> None:
        """Nothing to release."""


def test_people_in_several_tiles_are_counted_once() -> None:
    """A wide 600x100 image: two white 40 px squares, each inside several of the four search tiles."""
    image = np.zeros((100, 600, 3), dtype=np.uint8)
    image[30:70, 230:270] = 255
    image[30:70, 480:520] = 255
    found = detect_people(image, BlobDetector())
    assert len(found) == 2
    assert sorted(round(d.centre_x) for d in found) == [250, 500]


def stander(n: int, *, hip_x: np.ndarray | float = 300.0, torso: np.ndarray | float = 100.0,
            fps: float = 30.0, width: int = 640, height: int = 480) -> PoseSeries:
    """Shoulders and hips of a person whose hip centre is at (hip_x, 300) px, torso ``torso`` px tall."""
    hx = np.broadcast_to(np.asarray(hip_x, dtype=float), (n,))
    tl = np.broadcast_to(np.asarray(torso, dtype=float), (n,))
    position = np.zeros((n, 4, 2))
    for k, (dx, up) in enumerate([(-20, 1), (20, 1), (-15, 0), (15, 0)]):
        position[:, k, 0] = hx + dx
        position[:, k, 1] = 300 - up * tl
    return PoseSeries(position=position, confidence=np.ones((n, 4)), time_s=np.arange(n) / fps,
                      keypoints=TORSO, width=width, height=height, source="hand-made")


def test_jump_of_the_hips_is_a_switch() -> None:
    hip_x = np.where(np.arange(40) < 20, 100.0, 500.0)
    assert find_identity_switches(stander(40, hip_x=hip_x)) == (20,)


def test_walking_fast_is_not_a_switch() -> None:
    # 5 torso lengths per second = 500 px/s, about 2.5 m/s
    assert find_identity_switches(stander(60, hip_x=50 + np.arange(60) * 500 / 30)) == ()


def test_reappearing_after_a_gap_is_judged_by_elapsed_time() -> None:
    series = stander(60, hip_x=np.where(np.arange(60) < 20, 100.0, 400.0))
    position = series.position.copy()
    position[20:50] = np.nan  # nobody for 1 s, then 3 torso lengths away: plausible walking
    gap = series.with_arrays(position=position)
    assert find_identity_switches(gap) == ()


def test_sudden_change_of_size_is_a_switch() -> None:
    assert find_identity_switches(stander(30, torso=np.where(np.arange(30) < 10, 100.0, 180.0))) == (10,)


def test_no_torso_keypoints_no_switches() -> None:
    series = PoseSeries(position=np.zeros((3, 1, 2)), confidence=np.ones((3, 1)), time_s=np.arange(3.0),
                        keypoints=("left_knee",), width=10, height=10, source="x")
    assert find_identity_switches(series) == ()


def test_tracked_person_is_described_where_first_found() -> None:
    series = stander(10, hip_x=200.0)
    position = series.position.copy()
    position[:3] = np.nan
    tracked = describe_tracked_person(series.with_arrays(position=position))
    assert tracked is not None
    assert tracked.frame == 3 and tracked.time_s == pytest.approx(0.1)
    assert tracked.where == "centre-left"  # x 180-220 of 640, y 200-300 of 480
    assert tracked.box == (180.0, 200.0, 220.0, 300.0)
    assert tracked.describe() == "the person in the centre-left of the frame (first seen at 0.1 s)"
    nobody = series.with_arrays(position=np.full_like(position, np.nan))
    assert describe_tracked_person(nobody) is None


def test_report_messages() -> None:
    series = stander(5)
    tracked = describe_tracked_person(series)
    count = PeopleCount(frames=(0, 4), times_s=(0.0, 0.13), counts=(2, 2), people_max=2)
    report = PeopleReport(count=count, tracked=tracked, switch_frames=(3,), switch_times_s=(0.1,),
                          after_switches=(tracked,))
    assert report.people_max == 2 and report.switches == 1
    text = " ".join(report.messages())
    assert "2 people were in view" in text and "centre" in text and "change at 0.1 s" in text
    alone = PeopleReport(count=PeopleCount((0,), (0.0,), (1,), 1), tracked=tracked, switch_frames=(),
                         switch_times_s=())
    assert alone.messages() == []


@pytest.mark.slow
def test_two_people_in_the_walking_video(shared_data: Path) -> None:
    count = count_people(shared_data.joinpath(*WALK))
    assert count.people_max == 2
    assert len(count.counts) == 12 and max(count.counts) >= 2


@pytest.mark.slow
def test_one_person_in_the_squat_video(shared_data: Path) -> None:
    count = count_people(shared_data.joinpath(*MOV))
    assert count.people_max == 1
    assert set(count.counts) == {1}


@pytest.mark.slow
def test_squat_video_report(shared_data: Path) -> None:
    from kneeline.pose.runner import estimate_pose

    path = shared_data.joinpath(*MOV)
    report = describe_people(path, estimate_pose(path, max_frames=60), n_samples=4)
    assert report.people_max == 1 and report.switches == 0
    assert report.tracked is not None and report.tracked.where == "centre"
    assert report.messages() == []


@pytest.mark.slow
def test_identity_switch_in_the_walking_video(shared_data: Path) -> None:
    """BlazePose follows the person on the wall, then jumps to the one on the grass (~5.7 s)."""
    from kneeline.pose.runner import estimate_pose

    series = estimate_pose(shared_data.joinpath(*WALK))
    tracked = describe_tracked_person(series)
    assert tracked is not None and tracked.where.startswith("upper")
    switches = find_identity_switches(series)
    assert any(160 <= i <= 180 for i in switches)

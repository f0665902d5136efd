"""The key frame of a set: a stick figure at the deepest point of its typical repetition."""

from __future__ import annotations

import numpy as np

from kneeline.coach.key_frame import key_frame, typical_rep
from kneeline.coach.live import LiveCoach
from kneeline.coach.session import coach_pose
from kneeline.coach.signals import KEYPOINTS
from tests.coach.test_coach_session import _to_blazepose, squats


def test_the_key_frame_is_the_typical_rep_at_its_deepest_point() -> None:
    """Four equal synthetic squats: the figure is taken at a rep's bottom, hips lower than standing."""
    pose = squats()
    result = coach_pose(pose, "squat").result
    frame = result.key_frame
    assert frame is not None and frame.rep == typical_rep(result.reps).index  # type: ignore[union-attr]
    assert set(frame.points) == set(KEYPOINTS)
    xy = np.array(list(frame.points.values()))
    assert xy.min() >= 0 and xy.max() <= 1
    # At the bottom the hips are nearer the ankles than when standing (the figure is not a standing one).
    standing = key_frame(result.reps, pose.time_s[:1], {k: pose.xy(k)[:1] for k in KEYPOINTS})
    assert standing is not None
    drop = frame.points["left_ankle"][1] - frame.points["left_hip"][1]
    assert drop < standing.points["left_ankle"][1] - standing.points["left_hip"][1]


def test_no_key_frame_without_a_rep_or_with_a_keypoint_missing() -> None:
    pose = squats()
    result = coach_pose(pose, "squat").result
    assert key_frame([], pose.time_s, {k: pose.xy(k) for k in KEYPOINTS}) is None
    gone = {k: np.full_like(pose.xy(k), np.nan) if k == "left_knee" else pose.xy(k) for k in KEYPOINTS}
    assert key_frame(result.reps, pose.time_s, gone) is None


def test_the_live_coach_keeps_a_key_frame_too() -> None:
    pose = squats()
    live = LiveCoach("squat")
    for i in range(pose.n_frames):
        xy, conf = _to_blazepose(pose, i)
        live.push(float(pose.time_s[i]), xy, conf, pose.width, pose.height)
    result = live.finish()
    assert result.count == 4 and result.key_frame is not None

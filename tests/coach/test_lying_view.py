"""Lying exercises filmed from a view that cannot judge them: the coach's capture gate says so.

Constructed keypoints only (no real video of lying exercises exists in ``../shared/data``): the
same straight-leg raise seen from the side (judgeable), from the feet (the body points at the
camera) and a side-lying clamshell seen from above (the top leg moves towards the camera).
"""

from __future__ import annotations

import numpy as np
import pytest

from kneeline.coach.session import coach_pose
from kneeline.errors import AnalysisError
from kneeline.pose.container import PoseSeries
from tests.coach.figures import _series, bumps, straight_leg_raise, times


def _issues(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [i.code for i in result.capture.issues]


def test_a_leg_raise_filmed_from_the_side_raises_no_view_issue() -> None:
    t = times(26)
    result = coach_pose(straight_leg_raise(t, bumps(t, [4, 8.5, 13, 17.5, 22], 4.0, 40.0)),
                        "straight-leg-raise").result
    assert result.count == 5 and not {"view_lying", "view_lying_end_on"} & set(_issues(result))


def _from_the_feet(t: np.ndarray, lift: np.ndarray) -> PoseSeries:
    """A person lying on their back seen from their feet: wide shoulders and hips, the trunk a short
    vertical stub (it points away), the left foot rising towards the camera as the leg lifts."""
    n = t.size
    pts = {}
    for side, sign in (("left", 1.0), ("right", -1.0)):
        hip = np.broadcast_to([700.0 + sign * 40.0, 700.0], (n, 2))
        pts[f"{side}_hip"] = hip
        pts[f"{side}_shoulder"] = np.broadcast_to([700.0 + sign * 70.0, 640.0], (n, 2))
        up = lift if side == "left" else np.zeros(n)
        pts[f"{side}_knee"] = hip + np.stack([np.zeros(n), 60.0 - 80.0 * up], axis=1)
        pts[f"{side}_ankle"] = hip + np.stack([np.zeros(n), 120.0 - 240.0 * up], axis=1)
    return _series(pts, t)


def test_a_leg_raise_filmed_from_the_feet_is_refused_for_its_view_not_called_standing() -> None:
    t = times(26)
    pose = _from_the_feet(t, bumps(t, [4, 8.5, 13, 17.5, 22], 4.0, 0.6))
    with pytest.raises(AnalysisError, match="head or your feet") as info:
        coach_pose(pose, "straight-leg-raise")
    assert "standing" not in str(info.value) and "at your side" in str(info.value)
    result = coach_pose(pose, "straight-leg-raise", require_reps=False).result
    assert "view_lying_end_on" in _issues(result)
    assert result.messages[0].startswith("For a lying exercise the camera seems to be at your head or your feet")
    assert result.capture is not None and result.messages[0] in result.capture.warnings


def test_a_clamshell_filmed_from_above_says_the_view_cannot_judge_it() -> None:
    """Side-lying, camera looking down: shoulders and hips overlap, the trunk lies along the image."""
    t = times(20)
    n = t.size
    opening = bumps(t, [4, 8, 12, 16], 3.0, 100.0)  # the top knee swings out along the image (towards the camera)
    pts = {}
    for side, dy in (("left", 0.0), ("right", 4.0)):
        hip = np.broadcast_to([700.0, 600.0 + dy], (n, 2))
        pts[f"{side}_hip"] = hip
        pts[f"{side}_shoulder"] = hip + [-260.0, 0.0]
        swing = opening if side == "left" else np.zeros(n)
        pts[f"{side}_knee"] = hip + np.stack([np.full(n, 140.0), 140.0 - swing], axis=1)
        pts[f"{side}_ankle"] = hip + [0.0, 280.0]
    result = coach_pose(_series(pts, t), "clamshell", require_reps=False).result
    assert "view_lying" in _issues(result)
    assert any("look down on you" in m and "in front of you" in m for m in result.messages)

"""Gait events and the gait test on hand-built keypoints whose answers are known by hand."""

from __future__ import annotations

import numpy as np
import pytest

from kneeline.errors import AnalysisError
from kneeline.movements.gait import cadence
from kneeline.movements.gait_events import detect_gait_events
from kneeline.pipeline import analyze_pose
from kneeline.pose.container import PoseSeries

FPS = 60.0
STRIDE_S = 1.0
SWING_S = 0.4
NAMES = ("left_shoulder", "right_shoulder", "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle",
         "right_ankle", "left_heel", "right_heel", "left_foot_index", "right_foot_index")


def _foot_track(t: np.ndarray, swing_start: float, advance_px: float, lift_px: float) -> tuple[np.ndarray, np.ndarray]:
    """Vertical image offset of one foot: still in stance; in each swing it moves ``advance_px`` down the
    picture (toward the camera) at constant speed while lifting ``lift_px`` (a half sine), so it lands
    with speed, as a heel does."""
    y = np.zeros_like(t)
    moving = np.zeros_like(t, dtype=bool)
    for k in range(int(t[-1] / STRIDE_S) + 2):
        a = swing_start + k * STRIDE_S
        u = (t - a) / SWING_S
        inside = (u > 0) & (u < 1)
        y = np.where(u >= 1, y + advance_px, y)  # stays where it landed
        y = np.where(inside, y + advance_px * u - lift_px * np.sin(np.pi * u), y)
        moving |= inside
    return y, moving


def walking_in_view(duration_s: float = 8.0, turn_px: float = 0.0) -> PoseSeries:
    """A frontal person stepping toward a fixed camera: right swing 0.0-0.4 s, left swing 0.5-0.9 s of every
    1 s stride (contacts: right at 0.4 + k, left at 0.9 + k; toe-offs at the swing starts).  Each swing moves
    the foot 240 px down the picture (nearer) with a 30 px lift; the body follows the mean of the feet (no
    change of scale).  ``turn_px`` lifts the left hip (a pelvic obliquity) during every left stance."""
    t = np.arange(0.0, duration_s, 1.0 / FPS)
    pos = np.zeros((t.size, len(NAMES), 2))
    feet = {"right": _foot_track(t, 0.0, 240.0, 30.0)[0], "left": _foot_track(t, 0.5, 240.0, 30.0)[0]}
    body = (feet["right"] + feet["left"]) / 2  # the body comes down the picture with the feet (nearer)
    for side, x in (("left", 420.0), ("right", 300.0)):
        foot = feet[side]
        hip_y = 600.0 + body
        if side == "left" and turn_px:
            hip_y = hip_y - turn_px * ((t % STRIDE_S) < 0.5)
        points = {"shoulder": (x, 350.0 + body), "hip": (x, hip_y), "knee": (x, (hip_y + 1000.0 + foot) / 2),
                  "ankle": (x, 1000.0 + foot), "heel": (x - 5, 1015.0 + foot), "foot_index": (x + 10, 1030.0 + foot)}
        for part, (px, py) in points.items():
            pos[:, NAMES.index(f"{side}_{part}"), 0] = px
            pos[:, NAMES.index(f"{side}_{part}"), 1] = py
    return PoseSeries(position=pos, confidence=np.ones(pos.shape[:2]), time_s=t, keypoints=NAMES, width=720,
                      height=4000, source="synthetic walking in view")  # tall enough for 9 m of approach


def test_contacts_and_toe_offs_of_both_legs_are_found_within_two_frames():
    pose = walking_in_view()
    events = detect_gait_events(pose)
    for side, contact0 in (("right", 0.4), ("left", 0.9)):
        found = pose.time_s[events.contacts[side]]
        expected = np.arange(contact0, pose.time_s[-1], STRIDE_S)
        assert found.size == expected.size, (side, found)
        assert np.all(np.abs(found - expected) <= 2 / FPS + 1e-9), (side, found - expected)
    toe_offs = pose.time_s[events.toe_offs["left"]]
    assert np.all(np.abs(toe_offs - np.arange(0.5, pose.time_s[-1] - 0.3, STRIDE_S)) <= 2 / FPS + 1e-9)


def test_stances_pair_each_contact_with_the_next_toe_off():
    events = detect_gait_events(walking_in_view())
    complete = [s for s in events.stances if s.complete]
    assert all(s.toe_off > s.contact for s in complete)  # type: ignore[operator]
    sides = [s.side for s in events.stances if s.contact is not None]
    assert all(a != b for a, b in zip(sides, sides[1:], strict=False)), "contacts alternate between legs"


def test_cadence_from_contact_times():
    assert cadence([0.4, 0.9, 1.4, 1.9]) == pytest.approx(120.0)
    assert cadence([0.4, 0.9]) is None


def test_gait_test_measures_every_stance_and_averages_over_seven_per_side():
    run = analyze_pose(walking_in_view(duration_s=9.0, turn_px=6.0), "gait")
    result = run.result
    gait = result.gait
    assert gait is not None and gait.enough_steps and gait.steps_left >= 7 and gait.steps_right >= 7
    assert gait.cadence_steps_per_min == pytest.approx(120.0, abs=3.0)
    left = [s for s in result.steps if s.side == "left" and s.pelvic_drop_deg is not None]
    right = [s for s in result.steps if s.side == "right" and s.pelvic_drop_deg is not None]
    # Left hip 6 px higher over hips 120 px apart during left stance: drop atan(6/120) = 2.86 deg; none on the right.
    assert np.mean([s.pelvic_drop_deg for s in left]) == pytest.approx(np.degrees(np.arctan(6 / 120)), abs=0.3)
    assert np.mean([s.pelvic_drop_deg for s in right]) == pytest.approx(0.0, abs=0.3)
    assert result.summary.asymmetry["pelvic_drop_deg"].difference == pytest.approx(2.86, abs=0.3)
    assert [r.start_s for r in result.reps] == [s.contact_s for s in result.steps if s.stance_s is not None]


def test_too_few_steps_keeps_the_steps_and_gives_no_averages():
    result = analyze_pose(walking_in_view(duration_s=3.0), "gait").result
    assert result.gait is not None and not result.gait.enough_steps
    assert any("Too few steps" in m for m in result.gait.messages)
    assert result.steps and all(s.side in ("left", "right") for s in result.steps)
    assert result.summary.left is not None and result.summary.left.metrics["pelvic_drop_deg"].mean is None


def test_standing_still_is_no_gait():
    pose = walking_in_view(duration_s=3.0)
    still = PoseSeries(position=np.repeat(pose.position[:1], pose.n_frames, axis=0), confidence=pose.confidence,
                       time_s=pose.time_s, keypoints=pose.keypoints, width=pose.width, height=pose.height,
                       source="synthetic standing still")
    with pytest.raises(AnalysisError, match="No steps"):
        analyze_pose(still, "gait")

"""Offline and live coaching of synthetic sets: counts, faults, partial sets, wrong exercise."""

from __future__ import annotations

import time

import numpy as np
import pytest

from kneeline.coach.live import LiveCoach, LiveState
from kneeline.coach.session import coach_pose
from kneeline.errors import AnalysisError
from kneeline.pose.container import PoseSeries
from kneeline.pose.skeleton import BLAZEPOSE_KEYPOINTS
from tests.fixtures.synthetic import stick_figure

FPS = 30.0
T = np.arange(0.0, 20.0, 1 / FPS)
BOTTOMS = (3.0, 7.0, 11.0, 15.0)


def squat_depth() -> np.ndarray:
    """Four squats 0.25 leg lengths deep, 3 s each, bottoms at 3, 7, 11 and 15 s, still in between."""
    return sum(0.25 * np.clip(1 - np.abs(T - b) / 1.5, 0, None) for b in BOTTOMS)


def squats(valgus_rep: int | None = None) -> PoseSeries:
    """The stick figure squatting; with ``valgus_rep`` that rep's knees collapse 20 deg at the bottom."""
    fppa = np.zeros_like(T)
    if valgus_rep is not None:
        b = BOTTOMS[valgus_rep - 1]
        fppa = 20.0 * np.clip(1 - np.abs(T - b) / 1.0, 0, None)
    return stick_figure(T, depth=squat_depth(), fppa_left=fppa, fppa_right=fppa)


def test_counts_four_reps_with_events_tempo_and_the_valgus_rep_flagged():
    result = coach_pose(squats(valgus_rep=3), "squat").result
    assert result.count == 4 and not result.partial and result.messages == []
    for rep, bottom in zip(result.reps, BOTTOMS, strict=True):
        assert abs(rep.peak_s - bottom) < 0.2
        assert rep.start_s < bottom < rep.end_s
        assert 1.2 < rep.duration_s < 3.2
    faults = [[f.id for f in r.faults] for r in result.reps]
    assert "knee_valgus" in faults[2]
    assert all("knee_valgus" not in f for i, f in enumerate(faults) if i != 2)
    assert result.reps[2].quality is not None and result.reps[2].quality < result.reps[0].quality
    assert result.tempo.reps_per_min == pytest.approx(15.0, abs=1.0)
    assert result.fault_counts["knee_valgus"] == 1


def test_person_leaving_the_view_keeps_the_reps_before_and_flags_the_set_partial():
    pose = squats()
    position = pose.position.copy()
    gone = (T > 9.0) & (T < 12.5)
    position[gone] = np.nan
    confidence = np.where(gone[:, None], 0.0, pose.confidence)
    result = coach_pose(pose.with_arrays(position=position, confidence=confidence), "squat").result
    assert result.partial
    assert result.count == 3  # reps 1, 2 and 4; the third was cut
    assert any("out of view" in m for m in result.messages)


def test_video_ending_mid_rep_keeps_what_was_counted():
    pose = squats().slice(0, int(14.6 * FPS))
    result = coach_pose(pose, "squat").result
    assert result.count == 3 and result.partial
    assert any("ended during a movement" in m for m in result.messages)


def test_standing_video_named_as_a_lying_exercise_is_a_clear_error():
    with pytest.raises(AnalysisError, match="mostly standing, but Clamshell is done lying"):
        coach_pose(squats(), "clamshell")


def test_single_leg_stance_hold_is_timed():
    lift = np.where((T > 4) & (T < 16), 0.15, 0.0)
    result = coach_pose(stick_figure(T, lift_left=lift), "single-leg-stance").result
    assert result.count == 1 and result.kind == "hold"
    assert result.reps[0].hold_s == pytest.approx(12.0, abs=0.3)
    assert result.reps[0].side == "right"  # the left foot is up: the right leg stands
    assert "short_hold" in [f.id for f in result.reps[0].faults]  # 12 s < the 30 s target


def _to_blazepose(pose: PoseSeries, i: int) -> tuple[np.ndarray, np.ndarray]:
    xy = np.full((33, 2), np.nan)
    conf = np.zeros(33)
    for k, name in enumerate(pose.keypoints):
        j = BLAZEPOSE_KEYPOINTS.index(name)
        xy[j], conf[j] = pose.position[i, k], pose.confidence[i, k]
    return xy, conf


def test_live_counts_each_rep_when_it_completes_and_agrees_with_offline():
    pose = squats(valgus_rep=2)
    coach = LiveCoach("squat")
    counts, costs = [], []
    for i in range(pose.n_frames):
        xy, conf = _to_blazepose(pose, i)
        t0 = time.perf_counter()
        state = coach.push(float(pose.time_s[i]), xy, conf, pose.width, pose.height)
        costs.append(time.perf_counter() - t0)
        counts.append(state.reps)
        if i and counts[-1] == 2 and counts[-2] == 1:
            assert "knee_valgus" in state.last_rep_faults and state.cues
    assert np.median(costs) < 0.005  # the median: other processes share this machine's cores
    first_count = T[counts.index(1)]
    assert BOTTOMS[0] < first_count < BOTTOMS[0] + 1.5  # counted as it completes, not at the end
    offline = coach_pose(pose, "squat").result
    live = coach.finish()
    assert counts[-1] == live.count == offline.count == 4
    assert [f.id for f in live.reps[1].faults] == [f.id for f in offline.reps[1].faults]
    assert LiveState.model_validate_json(state.model_dump_json()) == state


def test_live_says_when_nobody_is_in_view():
    coach = LiveCoach("squat", side="auto")
    state = coach.push(0.0, np.full((33, 2), np.nan), np.zeros(33), 640, 480)
    assert state.phase == "no person" and state.reps == 0
    pose = squats()
    for i in range(60):
        xy, conf = _to_blazepose(pose, i)
        coach.push(float(pose.time_s[i]) + 0.1, xy, conf, pose.width, pose.height)
    for k in range(40):
        state = coach.push(2.2 + k / FPS, np.full((33, 2), np.nan), np.zeros(33), 640, 480)
    assert state.phase == "no person" and state.message and "whole body" in state.message
    assert coach.finish().count == 0

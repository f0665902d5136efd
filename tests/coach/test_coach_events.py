"""Repetition and hold events on hand-made signals whose answers are known."""

from __future__ import annotations

import numpy as np

from kneeline.coach.events import HoldParams, RepParams, detect_holds, detect_rep_events

T = np.arange(0.0, 24.0, 1 / 30)
PARAMS = RepParams(min_amplitude=0.5, enter=0.2, edge_fraction=0.3, still_s=0.5, still_band=0.2,
                   rest_follow_s=2.0, direction="up")


def bump(centre: float, width: float, height: float) -> np.ndarray:
    """A smooth excursion of ``height`` peaking at ``centre`` seconds."""
    return height * np.exp(-((T - centre) / width) ** 2)


def counted(events) -> list:
    return [e for e in events if e.counted]


def test_four_reps_with_a_pause_at_the_peak_a_partial_and_noise():
    plateau = np.clip((T - 14) * 4, 0, 1) * np.clip((18 - T) * 4, 0, 1)  # down, 3 s pause at the bottom, up
    signal = bump(3, 0.5, 1) + bump(6, 0.5, 1) + bump(9, 0.3, 0.3) + bump(11.5, 0.5, 1) + plateau
    signal = signal + np.random.default_rng(1).normal(0, 0.03, T.size)
    events = detect_rep_events(signal, T, PARAMS)
    reps = counted(events)
    assert len(reps) == 4
    assert [round(e.peak_s) for e in reps[:3]] == [3, 6, 12]
    assert reps[3].start_s < 14.5 and reps[3].end_s > 17.5  # the pause stays inside one rep
    partial = [e for e in events if not e.counted]
    assert len(partial) == 1 and abs(partial[0].peak_s - 9) < 0.3 and partial[0].amplitude < 0.5
    for e in reps:
        assert e.start < e.peak < e.end


def test_pause_halfway_up_does_not_split_a_rep():
    x = np.interp(T, [0, 2, 3, 4, 6, 7, 24], [0, 0, 1, 0.6, 0.6, 0, 0])
    reps = counted(detect_rep_events(x, T, PARAMS))
    assert len(reps) == 1 and reps[0].start_s < 2.5 and reps[0].end_s >= 6.4


def test_quick_reps_that_do_not_settle_still_count():
    x = np.interp(T, [0, 2, 3, 3.8, 4.6, 5.4, 6.2, 8, 24], [0, 0, 1, 0.25, 1, 0.25, 1, 0, 0])
    assert len(counted(detect_rep_events(x, T, PARAMS))) == 3


def test_noise_alone_counts_nothing():
    x = np.random.default_rng(2).normal(0, 0.05, T.size)
    assert counted(detect_rep_events(x, T, PARAMS)) == []


def test_auto_direction_counts_rises_from_a_seated_start_after_a_small_bob():
    seated = np.full(T.size, 1.0) + bump(1.5, 0.2, 0.3)  # a small shift of weight first
    rises = sum(bump(c, 0.6, -1.0) for c in (4, 8, 12, 16, 20))
    auto = RepParams(**{**PARAMS.__dict__, "direction": "auto"})
    reps = counted(detect_rep_events(seated + rises, T, auto))
    assert len(reps) == 5


def test_stepping_out_of_a_lunge_stance_after_the_set_counts_nothing():
    # Three lunges (the hips drop 1) from a split stance, then the person steps out of it: the hips
    # rise 0.3 above the rest level and stay there (as in UI-PRMD m03 s02's last incorrect file).
    lunges = sum(bump(c, 0.6, 1.0) for c in (4, 8, 12))
    step_out = -0.3 * np.clip((T - 16) / 2, 0, 1)
    auto = RepParams(**{**PARAMS.__dict__, "direction": "auto"})
    events = detect_rep_events(lunges + step_out, T, auto)
    assert len(events) == 3 and all(e.counted for e in events)


def test_rep_cut_by_the_end_is_reported_but_not_counted():
    x = bump(3, 0.5, 1) + np.clip((T - 22) * 2, 0, 1)
    events = detect_rep_events(x, T, PARAMS)
    assert len(counted(events)) == 1
    assert events[-1].cut and not events[-1].counted


def test_holds_bridge_short_dips_and_need_a_minimum_length():
    on = ((T > 2) & (T < 8)) | ((T > 10) & (T < 10.5)) | (T > 15)
    on = on & ~((T > 5) & (T < 5.2))  # a 0.2 s wobble inside the first hold
    holds = detect_holds(on.astype(float), T, HoldParams(level=0.5, gap_s=0.4, min_hold_s=1.0))
    assert [h.counted for h in holds] == [True, False, True]
    assert abs(holds[0].duration_s - 6.0) < 0.1
    assert holds[-1].cut

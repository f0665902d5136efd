"""The coach reads FPPA only while the leg is not foreshortened (evidence: FPPA to 45-60 deg knee flexion)."""

from __future__ import annotations

import numpy as np

from kneeline.coach.definitions import get_movement, load_movements
from kneeline.coach.faults import RepWindow, measure

N = 41
PEAK = 20


def _feats(left_fppa: np.ndarray, left_thigh: np.ndarray, right_shank: np.ndarray) -> dict[str, np.ndarray]:
    ones = np.full(N, 100.0)
    return {"fppa_left_deg": left_fppa, "fppa_right_deg": np.where(np.arange(N) > 5, 120.0, 0.0),
            "left_thigh_len": left_thigh, "right_thigh_len": ones, "left_shank_len": ones,
            "right_shank_len": right_shank}


def _window() -> RepWindow:
    return RepWindow(pre=0, start=5, peak=PEAK, end=35, time_s=np.arange(N) / 30.0, signal=np.zeros(N),
                     amplitude=0.3)


def test_deep_frames_and_a_rear_leg_are_not_read() -> None:
    check = next(c for c in get_movement("lunge").checks if c.measure == "fppa")
    lib = load_movements()
    depth = np.clip(1 - np.abs(np.arange(N) - PEAK) / 12.0, 0, None)  # 0 standing .. 1 at the bottom
    left_thigh = 100.0 * (1 - 0.7 * depth)  # foreshortened to 0.3 at the bottom
    left_fppa = np.where(left_thigh >= 71, 12.0 * depth, 160.0)  # garbage angle once the thigh points at us
    right_shank = 100.0 * (1 - 0.9 * depth)  # rear leg: shin nearly horizontal
    feats = _feats(left_fppa, left_thigh, right_shank)
    value = measure(check, feats, _window(), None, lib.default("fppa_min_segment_ratio"),
                    lib.default("fppa_rear_shank_ratio"))
    assert value is not None and 3.0 < value <= 12.0  # the front leg's real valgus, before the thigh tilted
    # Without the gate the noise of the deep frames and of the rear leg is what gets reported.
    assert measure(check, feats, _window(), None) == 160.0


def test_no_readable_frame_gives_no_value() -> None:
    check = next(c for c in get_movement("squat").checks if c.measure == "fppa")
    short = np.full(N, 40.0)
    short[:5] = 100.0
    feats = _feats(np.full(N, 30.0), short, np.full(N, 100.0))
    assert measure(check, feats, _window(), "left", 0.71, 0.5) is None


def test_a_leg_unseen_before_the_rep_does_not_hide_the_other() -> None:
    check = next(c for c in get_movement("squat").checks if c.measure == "fppa")
    feats = _feats(np.full(N, 14.0), np.full(N, 100.0), np.full(N, 100.0))
    feats["right_thigh_len"] = np.where(np.arange(N) <= 5, np.nan, 100.0)  # right leg unseen until the rep
    assert measure(check, feats, _window(), None, 0.71, 0.5) == 14.0

"""The shipped reference scales are what the benchmark fits on UI-PRMD, and its threshold search is right."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from benchmarks.uiprmd_scales import CAMERAS, MOVEMENTS, balanced_accuracy, best_threshold, fit, load
from kneeline.coach.scales import load_scales


def test_best_threshold_splits_hand_made_scores() -> None:
    """Correct reps score 0.2, 0.4, 0.5; incorrect 0.45, 1.5, 2.0.  Cutting at 0.425 or 1.0 both give
    balanced accuracy 5/6; ties go to the lower threshold (fewer missed changes)."""
    s = np.array([0.2, 0.4, 0.5, 0.45, 1.5, 2.0])
    y = np.array([0, 0, 0, 1, 1, 1])
    t = best_threshold(s, y)
    assert t == pytest.approx(0.425)
    assert balanced_accuracy(s > t, y) == pytest.approx(5 / 6)
    assert np.isnan(balanced_accuracy(np.array([True, False]), np.array([1, 1])))  # one class only


@pytest.mark.slow
def test_the_shipped_scales_are_the_benchmark_fit(shared_data: Path) -> None:
    """Re-fit on UI-PRMD s01-s05 (about 15 s): every shipped scale and threshold comes out the same."""
    shipped = load_scales().exercises
    assert {exercise for _, exercise, _ in MOVEMENTS.values()} <= set(shipped)  # the side lunge has its own
    for movement, (_, exercise, source) in MOVEMENTS.items():
        if movement != source:
            continue
        for camera in CAMERAS:
            groups, _ = load(shared_data, movement, camera)
            fitted = fit(groups, "check")
            ship = getattr(shipped[exercise], camera)
            assert ship is not None
            assert fitted.scales == ship.scales and fitted.threshold == ship.threshold
            assert fitted.threshold_transfer == ship.threshold_transfer and fitted.good_reps == ship.good_reps

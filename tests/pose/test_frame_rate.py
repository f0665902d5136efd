"""The analysis frame rate of each test, from ``frame_rate.yaml``."""

from __future__ import annotations

import pytest

from kneeline.errors import InputError
from kneeline.pipeline import TESTS
from kneeline.pose.frame_rate import analysis_fps


def test_every_test_has_a_rate_and_gait_runs_at_full_rate() -> None:
    assert {test: analysis_fps(test) for test in TESTS} == {
        "squat": 30.0, "single-leg-squat": 30.0, "single-leg-stance": 30.0, "gait": None}


def test_an_unknown_test_is_refused() -> None:
    with pytest.raises(InputError, match="no analysis frame rate for test 'jump'"):
        analysis_fps("jump")

"""Scoring repetitions against a person's own reference repetitions."""

from __future__ import annotations

import numpy as np
import pytest

from kneeline.coach.reference import build_reference, deviation_scores, feature_matrix, pooled_scale


def test_reference_is_the_median_and_skips_missing_values() -> None:
    ref = build_reference([{"a": 1.0, "b": None}, {"a": 3.0, "b": 5.0}, {"a": 2.0, "b": 7.0}])
    assert ref.names == ("a", "b")
    assert ref.as_dict() == {"a": 2.0, "b": 6.0}
    assert ref.n_reps == 3


def test_one_reference_repetition_is_refused_with_the_reason() -> None:
    with pytest.raises(ValueError, match="at least 2 accepted repetitions; got 1"):
        build_reference([{"a": 1.0}])


def test_pooled_scale_is_the_rms_deviation_of_good_reps_from_their_own_reference() -> None:
    ref1 = build_reference([{"a": 0.0}, {"a": 0.0}])
    ref2 = build_reference([{"a": 100.0}, {"a": 100.0}])
    scale = pooled_scale([(ref1, [{"a": 3.0}, {"a": -3.0}]), (ref2, [{"a": 104.0}, {"a": 96.0}])])
    assert scale == pytest.approx([np.sqrt((9 + 9 + 16 + 16) / 4)])


def test_pooled_scale_refuses_references_with_different_measures() -> None:
    with pytest.raises(ValueError, match="same measures"):
        pooled_scale([(build_reference([{"a": 0.0}, {"a": 1.0}]), []),
                       (build_reference([{"b": 0.0}, {"b": 1.0}]), [])])


def test_deviation_is_measured_from_the_persons_own_reference() -> None:
    # Two people whose builds differ by far more than their own mistakes.
    small = build_reference([{"depth": 0.30, "lean": 10.0}, {"depth": 0.32, "lean": 12.0}])
    tall = build_reference([{"depth": 0.60, "lean": 30.0}, {"depth": 0.62, "lean": 32.0}])
    scale = np.array([0.02, 2.0])
    good_small = deviation_scores([{"depth": 0.31, "lean": 11.5}], small, scale)
    bad_small = deviation_scores([{"depth": 0.40, "lean": 20.0}], small, scale)
    good_tall = deviation_scores([{"depth": 0.61, "lean": 31.0}], tall, scale)
    assert good_small[0] < 1 and good_tall[0] < 1
    assert bad_small[0] > 3
    # The same rep judged against the other person's reference looks wrong: the reference matters.
    assert deviation_scores([{"depth": 0.31, "lean": 11.5}], tall, scale)[0] > 3


def test_a_rep_without_usable_measures_scores_nan_and_bad_arguments_are_named() -> None:
    ref = build_reference([{"a": 1.0}, {"a": 1.0}])
    assert np.isnan(deviation_scores([{"a": None}], ref, np.array([1.0]))[0])
    assert np.isnan(deviation_scores([{"a": 2.0}], ref, np.array([0.0]))[0])
    with pytest.raises(ValueError, match="quantile must be within 0..1"):
        deviation_scores([{"a": 2.0}], ref, np.array([1.0]), quantile=1.5)
    with pytest.raises(ValueError, match="scale has 2 values for 1 reference measures"):
        deviation_scores([{"a": 2.0}], ref, np.array([1.0, 2.0]))
    assert np.isnan(feature_matrix([{"a": 1.0}], ["a", "b"])[0, 1])

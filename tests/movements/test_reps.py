import numpy as np

from kneeline.movements.reps import detect_reps
from tests.fixtures.synthetic import squat_depth


def test_counts_reps_and_bottoms():
    t = np.arange(0, 14, 1 / 30)
    d = squat_depth(t, n_reps=5, period_s=2.0, start_s=1.0)
    reps = detect_reps(d, t, min_depth=0.05, edge_fraction=0.15, min_interval_s=0.8)
    assert len(reps) == 5
    bottoms = t[[r.bottom for r in reps]]
    np.testing.assert_allclose(bottoms, 1.0 + 1.0 + 2.0 * np.arange(5), atol=1 / 30)
    for r in reps:
        assert r.start < r.bottom < r.end


def test_ignores_noise_and_shallow_bobs():
    rng = np.random.default_rng(1)
    t = np.arange(0, 10, 1 / 30)
    d = squat_depth(t, n_reps=3, period_s=2.0, start_s=1.0) + rng.normal(0, 0.005, t.size)
    d[t > 8] += 0.02 * np.sin(2 * np.pi * 2 * t[t > 8])  # small bobbing: not reps
    reps = detect_reps(d, t, min_depth=0.05, edge_fraction=0.15, min_interval_s=0.8)
    assert len(reps) == 3


def test_pause_at_bottom_is_one_rep():
    t = np.arange(0, 8, 1 / 30)
    d = np.interp(t, [0, 1, 2, 4, 5, 8], [0, 0, 0.3, 0.3, 0, 0])
    d = d + 0.003 * np.sin(2 * np.pi * 3 * t)  # tremor while holding
    reps = detect_reps(d, t, min_depth=0.05, edge_fraction=0.15, min_interval_s=0.8)
    assert len(reps) == 1


def test_rep_cut_off_by_video_end_is_not_counted():
    t = np.arange(0, 4, 1 / 30)
    d = np.interp(t, [0, 1, 2, 3, 4], [0, 0.3, 0, 0, 0.3])
    reps = detect_reps(d, t, min_depth=0.05, edge_fraction=0.15, min_interval_s=0.8)
    assert len(reps) == 1


def test_all_nan_gives_no_reps():
    t = np.arange(10) / 30
    assert detect_reps(np.full(10, np.nan), t, min_depth=0.05, edge_fraction=0.15, min_interval_s=0.8) == []


def test_rises_counted_when_starting_and_ending_seated():
    from kneeline.movements.reps import detect_rises

    t = np.arange(0, 12, 1 / 30)
    # seated (depth 0.4) at start and end, five rises to standing (depth 0)
    d = 0.4 - squat_depth(t, n_reps=5, period_s=2.0, start_s=1.0, amplitude=0.4)
    assert len(detect_reps(d, t, min_depth=0.05, edge_fraction=0.15, min_interval_s=0.8)) == 4
    rises = detect_rises(d, t, min_depth=0.05, edge_fraction=0.15, min_interval_s=0.8)
    assert len(rises) == 5
    np.testing.assert_allclose(t[[r.bottom for r in rises]], 2.0 + 2.0 * np.arange(5), atol=1 / 30)

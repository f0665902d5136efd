import numpy as np
import pytest

from kneeline.clean.filters import fill_gaps, lowpass, mask_low_confidence, nan_runs
from tests.fixtures.synthetic import stick_figure


def test_nan_runs():
    assert nan_runs(np.array([0, 1, 1, 0, 1], bool)) == [(1, 3), (4, 5)]
    assert nan_runs(np.array([], bool)) == []


def test_mask_low_confidence_does_not_modify_input():
    pose = stick_figure(np.arange(4) / 30)
    conf = pose.confidence.copy()
    conf[2, 0] = 0.2
    pose = pose.with_arrays(confidence=conf)
    before = pose.position.copy()
    out = mask_low_confidence(pose, 0.5)
    assert np.isnan(out.position[2, 0]).all() and np.isfinite(out.position[1, 0]).all()
    np.testing.assert_array_equal(pose.position, before)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        mask_low_confidence(pose, 1.5)


def test_fill_gaps_short_only_and_never_extrapolates():
    t = np.arange(30) / 30  # 30 fps
    pose = stick_figure(t, depth=np.linspace(0, 0.29, 30))
    pos = pose.position.copy()
    pos[5:8] = np.nan      # 0.13 s gap: filled
    pos[15:27] = np.nan    # 0.43 s gap: kept
    pos[0] = np.nan        # leading gap: kept
    out = fill_gaps(pose.with_arrays(position=pos), max_gap_s=0.25)
    np.testing.assert_allclose(out.position[5:8], pose.position[5:8], atol=1e-9)  # linear motion
    assert np.isnan(out.position[15:27]).all() and np.isnan(out.position[0]).all()


def test_lowpass_removes_noise_without_lag():
    t = np.arange(300) / 60
    slow = 0.2 * (1 - np.cos(2 * np.pi * 0.5 * t)) / 2
    pose = stick_figure(t, depth=slow)
    rng = np.random.default_rng(0)
    noisy = pose.with_arrays(position=pose.position + rng.normal(0, 3, pose.position.shape))
    out = lowpass(noisy, cutoff_hz=6)
    err_before = np.abs(noisy.position - pose.position).mean()
    err_after = np.abs(out.position - pose.position)[20:-20].mean()
    assert err_after < err_before / 2
    # zero lag: the filtered hip peak stays at the true peak time
    k = pose.index("left_hip")
    assert abs(np.argmax(out.position[20:-20, k, 1]) - np.argmax(pose.position[20:-20, k, 1])) <= 1


def test_lowpass_rejects_cutoff_above_nyquist():
    pose = stick_figure(np.arange(50) / 30)
    with pytest.raises(ValueError, match="half the frame rate"):
        lowpass(pose, 20)

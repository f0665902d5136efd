"""Tests of the keypoint CSV format: exact round trips, files made elsewhere, and bad files."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kneeline.errors import InputError
from kneeline.io.keypoints_csv import load_keypoints_csv, save_keypoints_csv
from kneeline.pose.container import PoseSeries
from kneeline.pose.skeleton import BLAZEPOSE_KEYPOINTS


def random_series(*, world: bool, n: int = 25, seed: int = 3) -> PoseSeries:
    """33 keypoints jittering randomly over a 720x1280 frame at ~60 fps, some frames and points missing."""
    rng = np.random.default_rng(seed)
    k = len(BLAZEPOSE_KEYPOINTS)
    position = rng.uniform(0, 720, (n, k, 2))
    confidence = rng.uniform(0, 1, (n, k))
    position[3] = np.nan  # nobody in frame 3
    confidence[3] = 0
    position[5, 7] = np.nan
    confidence[5, 7] = 0
    time_s = np.cumsum(rng.uniform(0.015, 0.018, n))  # variable frame rate
    w = rng.normal(0, 0.5, (n, k, 3)) if world else None
    if w is not None:
        w[3] = np.nan
    return PoseSeries(position=position, confidence=confidence, time_s=time_s, keypoints=BLAZEPOSE_KEYPOINTS,
                      width=720, height=1280, source="test series", world=w,
                      meta={"backend": "test", "frames_without_person": 1, "nested": {"a": [1, 2]}})


@pytest.mark.parametrize("world", [True, False])
def test_round_trip_is_exact(tmp_path: Path, world: bool) -> None:
    series = random_series(world=world)
    before = series.position.copy()
    path = save_keypoints_csv(series, tmp_path / "kp.csv")
    loaded = load_keypoints_csv(path)
    np.testing.assert_array_equal(series.position, before)  # input untouched
    np.testing.assert_array_equal(loaded.position, series.position)
    np.testing.assert_array_equal(loaded.confidence, series.confidence)
    np.testing.assert_array_equal(loaded.time_s, series.time_s)
    assert loaded.keypoints == series.keypoints
    assert (loaded.width, loaded.height, loaded.source) == (720, 1280, "test series")
    if world:
        assert loaded.world is not None and series.world is not None
        np.testing.assert_array_equal(loaded.world, series.world)
    else:
        assert loaded.world is None
    assert loaded.meta["nested"] == {"a": [1, 2]}
    assert loaded.meta["keypoint_file"] == str(path)


def test_file_made_elsewhere_without_confidence(tmp_path: Path) -> None:
    """Two frames of hips from another tool, its own names, no metadata, one missing value."""
    path = tmp_path / "other.csv"
    path.write_text("time,LHip_x,LHip_y,RHip_x,RHip_y\n0.0,10,20,30,40\n0.5,11,,31,41\n", encoding="utf-8")
    series = load_keypoints_csv(path, width=640, height=480, rename={"LHip": "left_hip", "RHip": "right_hip"})
    assert series.keypoints == ("left_hip", "right_hip")
    assert series.source == "other.csv"
    np.testing.assert_array_equal(series.confidence, [[1, 1], [0, 1]])
    assert np.all(np.isnan(series.position[1, 0]))
    np.testing.assert_array_equal(series.position[1, 1], [31, 41])
    assert series.fps == pytest.approx(2.0)


def test_arguments_override_file_size(tmp_path: Path) -> None:
    path = save_keypoints_csv(random_series(world=False), tmp_path / "kp.csv")
    assert load_keypoints_csv(path, width=360, height=640).width == 360


@pytest.mark.parametrize(("text", "match"), [
    ("", "no keypoint rows"),
    ("time_s,nose_x,nose_y\n", "no keypoint rows"),
    ("frame,nose_x,nose_y\n0,1,2\n", "first column must be 'time_s'"),
    ("time_s,nose_x,nose_y,nose_speed\n0,1,2,3\n", "not understood"),
    ("time_s,LHip_x,LHip_y\n0,1,2\n", "unknown keypoint names"),
    ("time_s,nose_x\n0,1\n", "needs both"),
    ("time_s,nose_x,nose_y\n0,1,abc\n", "line 2: 'abc' is not a number"),
    ("time_s,nose_x,nose_y\n0,1\n", "2 values for 3 columns"),
    ("time_s,nose_x,nose_y\n0,1,2\n0,1,2\n", "must increase"),
    ("time_s,nose_x,nose_y\n0,1,2\n", "does not say the frame width"),
])
def test_bad_files_say_what_is_wrong(tmp_path: Path, text: str, match: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=match):
        load_keypoints_csv(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        load_keypoints_csv(tmp_path / "none.csv")

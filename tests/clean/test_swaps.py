import numpy as np

from kneeline.clean.swaps import repair_swaps
from tests.fixtures.synthetic import stick_figure


def _swap(pose, frames, names=("knee", "ankle", "heel", "foot_index")):
    pos = pose.position.copy()
    for n in names:
        a, b = pose.index(f"left_{n}"), pose.index(f"right_{n}")
        pos[frames, a], pos[frames, b] = pose.position[frames, b], pose.position[frames, a]
    return pose.with_arrays(position=pos)


def test_repairs_a_few_swapped_leg_frames():
    t = np.arange(60) / 30
    pose = stick_figure(t, depth=0.2 * np.sin(np.linspace(0, np.pi, 60)), fppa_left=8, fppa_right=3)
    broken = _swap(pose, [20, 21, 22, 40])
    fixed, report = repair_swaps(broken, ratio=0.5, min_separation_px=10)
    np.testing.assert_allclose(fixed.position, pose.position)
    assert report.frames["left_knee"] == (20, 21, 22, 40)
    assert report.total == 4


def test_clean_series_is_left_alone():
    pose = stick_figure(np.arange(30) / 30, depth=np.linspace(0, 0.3, 30))
    fixed, report = repair_swaps(pose, ratio=0.5, min_separation_px=10)
    assert report.total == 0
    np.testing.assert_array_equal(fixed.position, pose.position)


def test_close_legs_are_not_judged():
    pose = stick_figure(np.arange(10) / 30)
    broken = _swap(pose, [5])
    _, report = repair_swaps(broken, ratio=0.5, min_separation_px=10_000)
    assert report.total == 0

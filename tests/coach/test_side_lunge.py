"""The side lunge (lateral lunge) as its own coached exercise: counts on UI-PRMD m04, its own scales.

UI-PRMD m04 (side lunge, Vicon markers, subjects s01-s05 in ``../shared/data``) is joined into one
set per subject and label and filmed by a virtual front (yaw 0) and side (yaw 90) camera, as
``benchmarks/coaching.py`` does for the other movements; the true count is one per file.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from kneeline.coach.compare import compare_with_reference
from kneeline.coach.definitions import get_movement
from kneeline.coach.result import CoachRep, CoachResult
from kneeline.coach.scales import load_scales
from kneeline.coach.session import coach_pose
from kneeline.evidence import data_text
from kneeline.program.library import load_library
from tests.coach.test_coach_session import squats


def test_the_side_lunge_is_a_library_exercise_coached_from_the_front() -> None:
    ex = load_library().get("lateral lunge")
    assert ex.id == "side-lunge" and ex.each_side and ex.dose == "strength"
    movement = get_movement("Side lunges")
    assert movement.id == "side-lunge" and movement.view == "frontal" and movement.signal == "hip_descent"
    measures = {c.measure for c in movement.checks}
    assert {"fppa", "trunk_lean", "trunk_forward"} <= measures
    assert "knee_width_ratio" not in measures  # the wide stance always reads "knees in"


def test_the_side_lunge_is_not_in_the_automatic_program() -> None:
    """A clinician adds it (it has a dose); the program's slot template never chooses it."""
    slots = yaml.safe_load(data_text("program.yaml"))["slots"]
    assert "side-lunge" not in yaml.safe_dump(slots)


@pytest.mark.parametrize("yaw", [0.0, 90.0])
def test_uiprmd_side_lunges_are_counted_exactly(shared_data: Path, yaw: float) -> None:
    """Every m04 set of s01-s05 (correct and incorrect, 10 files each): the count is the number of files."""
    from benchmarks._common import bench_settings
    from benchmarks.coaching import join_reps
    from benchmarks.uiprmd_data import PIG_MAPPING, read_uiprmd, repetitions_in, uiprmd_files
    from kneeline.io.markers import virtual_view

    counts = []
    for correct in (True, False):
        for subject, files in sorted(uiprmd_files(shared_data, "m04", correct).items()):
            pose, _ = virtual_view(join_reps([read_uiprmd(p) for p in files]), PIG_MAPPING, yaw_deg=yaw)
            result = coach_pose(pose, "side-lunge", settings=bench_settings(), require_reps=False).result
            counts.append((subject, correct, repetitions_in(files), result.count, result.partial))
    assert len(counts) == 10
    assert all(true == n and not partial for _, _, true, n, partial in counts), counts


def _moved(rep: CoachRep, by: float) -> CoachRep:
    """``rep`` with every signal moved by ``by`` of the side lunge's front-camera scale."""
    cam = load_scales().exercises["side-lunge"].front
    assert cam is not None
    return rep.model_copy(update={"signals": {k: None if v is None else v + by * cam.scales.get(k, 0.0)
                                              for k, v in rep.signals.items()}})


def test_a_side_lunge_is_judged_with_the_side_lunge_scales_not_the_squat_ones() -> None:
    """Four synthetic hip drops filmed from the front, coached as side lunges; one rep moved by 3 of the side
    lunge's own scales in every signal reads z = 3 against them, and the threshold is the side lunge's."""
    reference: CoachResult = coach_pose(squats(), "side-lunge").result
    assert reference.exercise == "side-lunge" and reference.count == 4
    side_lunge = load_scales().exercises["side-lunge"].front
    squat = load_scales().exercises["squat"].front
    assert side_lunge is not None and squat is not None and side_lunge.scales != squat.scales
    assert "m04 (side lunge)" in side_lunge.source
    reps = [reference.reps[0], _moved(reference.reps[1], 3.0), reference.reps[2]]
    result = compare_with_reference(reference.model_copy(update={"reps": reps}), reference)
    judged = [r.vs_reference for r in result.reps]
    assert all(v is not None and v.threshold == side_lunge.threshold for v in judged)
    moved = judged[1]
    assert moved is not None and moved.differs and moved.score == pytest.approx(3.0, abs=0.01)
    assert all(c.z == pytest.approx(3.0, abs=0.01) for c in moved.signal_changes)
    assert [v.differs for v in judged if v is not None] == [False, True, False]


def test_live_and_offline_count_the_same_side_lunges(shared_data: Path) -> None:
    """s01's correct m04 set (10 side lunges) through a virtual front camera, frame by frame as live."""
    from benchmarks._common import bench_settings
    from benchmarks.coaching import join_reps
    from benchmarks.uiprmd_data import PIG_MAPPING, read_uiprmd, uiprmd_files
    from kneeline.coach.live import LiveCoach
    from kneeline.io.markers import virtual_view
    from tests.coach.test_coach_session import _to_blazepose

    files = uiprmd_files(shared_data, "m04", True)["s01"]
    pose, _ = virtual_view(join_reps([read_uiprmd(p) for p in files]), PIG_MAPPING, yaw_deg=0.0)
    live = LiveCoach("side-lunge")
    for i in range(pose.n_frames):
        xy, conf = _to_blazepose(pose, i)
        live.push(float(pose.time_s[i]), xy, conf, pose.width, pose.height)
    offline = coach_pose(pose, "side-lunge", settings=bench_settings(), require_reps=False).result
    assert live.finish().count == offline.count == 10

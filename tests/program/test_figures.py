"""Every library exercise has a start and an end picture, drawn from its poses, and the shipped files are
the ones the pose data draws today."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kneeline.errors import DataError
from kneeline.program.figures import POSES, figure_path, figure_svg, pose_of, write_figures
from kneeline.program.library import load_library

EXERCISES = sorted(load_library().exercises)


@pytest.mark.parametrize("exercise_id", EXERCISES)
def test_every_exercise_has_a_start_and_an_end_picture(exercise_id: str) -> None:
    for which in POSES:
        path = figure_path(exercise_id, which)
        assert path.is_file(), f"{path} is missing: run python -m kneeline.program.figures"
        svg = path.read_text(encoding="utf-8")
        assert svg.startswith("<svg") and f": {which} position</title>" in svg
        assert len(re.findall(r"<line ", svg)) >= 12  # ground, limbs both sides, trunk
    start, end = (pose_of(exercise_id, w) for w in POSES)
    assert start != end, f"{exercise_id}: the start and end pictures are the same pose"


def test_shipped_pictures_are_up_to_date(tmp_path: Path) -> None:
    fresh = write_figures(tmp_path)
    assert len(fresh) == 2 * len(EXERCISES)
    stale = [p.name for p in fresh if p.read_text() != figure_path(p.stem.rsplit("-", 1)[0], p.stem.rsplit("-", 1)[1])
             .read_text()]
    assert not stale, f"run python -m kneeline.program.figures: {stale}"


def test_a_standing_figure_is_about_as_tall_as_a_person() -> None:
    svg = figure_svg("squat", "start", "Squat: start position")
    height = float(re.search(r'viewBox="[-\d.]+ [-\d.]+ [\d.]+ ([\d.]+)"', svg).group(1))  # type: ignore[union-attr]
    assert 1.7 <= height <= 2.0  # standing height about 1.75 body units, plus a margin


def test_a_missing_pose_names_the_exercise() -> None:
    with pytest.raises(DataError, match="no 'middle' pose for 'squat'"):
        pose_of("squat", "middle")

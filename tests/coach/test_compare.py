"""A coached set against the person's reference set: changes beyond the SDD, and bad references."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeline.coach.compare import (
    compare_with_reference,
    load_reference_result,
    measure_sdds,
    reference_summary,
    vs_reference_text,
)
from kneeline.coach.session import coach_pose
from kneeline.errors import InputError
from tests.coach.test_coach_session import squats


@pytest.fixture(scope="module")
def reference():
    return coach_pose(squats(), "squat").result


def test_only_the_rep_whose_knees_collapse_differs_from_the_reference(reference) -> None:
    result = compare_with_reference(coach_pose(squats(valgus_rep=3), "squat").result, reference)
    assert result.reference is not None and result.reference.reps == 4
    assert "fppa" in result.reference.medians["both"]
    flags = [r.vs_reference.differs for r in result.reps if r.vs_reference]
    assert flags == [False, False, True, False]
    fppa = next(c for c in result.reps[2].vs_reference.changes if c.measure == "fppa")
    assert fppa.sdd == measure_sdds()["fppa"] and fppa.change > fppa.sdd and fppa.beyond_sdd
    # Measures without a published SDD are shown, never called a change.
    assert all(c.beyond_sdd is None for r in result.reps for c in r.vs_reference.changes if c.sdd is None)
    assert any("1 of 4 rep(s) changed" in n for n in result.notes)


def test_the_same_set_against_itself_is_within_noise(reference) -> None:
    result = compare_with_reference(reference, reference)
    assert all(r.vs_reference is not None and not r.vs_reference.differs for r in result.reps)
    assert all(r.vs_reference.score is None or r.vs_reference.score < 1 for r in result.reps)


def test_reference_of_another_exercise_or_too_short_is_refused(reference) -> None:
    lunge = reference.model_copy(update={"exercise": "lunge", "exercise_name": "Lunge"})
    with pytest.raises(InputError, match="reference is a Lunge set but this set is squat"):
        compare_with_reference(reference, lunge)
    short = reference.model_copy(update={"reps": reference.reps[:1]})
    with pytest.raises(InputError, match="has 1 counted repetition"):
        compare_with_reference(reference, short)


def test_reference_file_problems_name_the_file_and_what_to_give(tmp_path: Path, reference) -> None:
    with pytest.raises(InputError, match="reference not found"):
        load_reference_result(tmp_path / "missing.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"count": "many"}', encoding="utf-8")
    with pytest.raises(InputError, match="is not a kneeline coach result"):
        load_reference_result(bad)
    folder = tmp_path / "set1"
    folder.mkdir()
    (folder / "result.json").write_text(reference.model_dump_json(), encoding="utf-8")
    assert load_reference_result(folder).count == reference.count


def test_reps_without_a_measure_that_has_an_sdd_are_not_judged_not_called_unchanged(reference) -> None:
    """A side view measures none of FPPA, trunk lean, pelvic drop: the comparison must say it cannot tell."""
    sdd_free = {"fppa", "trunk_lean", "pelvic_drop"}

    def side_view(result):  # type: ignore[no-untyped-def]
        reps = [r.model_copy(update={"measures": {k: v for k, v in r.measures.items() if k not in sdd_free}})
                for r in result.reps]
        return result.model_copy(update={"reps": reps})

    result = compare_with_reference(side_view(coach_pose(squats(valgus_rep=3), "squat").result), side_view(reference))
    assert all(r.vs_reference is not None and r.vs_reference.differs is None for r in result.reps)
    assert all(r.vs_reference.changes for r in result.reps)  # the values are still shown
    assert vs_reference_text(result.reps[0]).startswith("cannot tell")
    assert reference_summary(result) == ("no rep could be judged against your reference "
                                         "(no measure with a published SDD in this view)")
    assert any("4 rep(s) could not be judged" in n for n in result.notes)
    assert not any("0 of 0" in n for n in result.notes)


def test_summary_counts_changed_reps_and_keeps_unjudged_ones_apart(reference) -> None:
    result = compare_with_reference(coach_pose(squats(valgus_rep=3), "squat").result, reference)
    assert reference_summary(result) == "1 rep(s) changed from your reference"
    first = result.reps[0]
    assert first.vs_reference is not None
    blind = first.model_copy(update={"vs_reference": first.vs_reference.model_copy(update={"differs": None})})
    mixed = result.model_copy(update={"reps": [blind, *result.reps[1:]]})
    assert reference_summary(mixed) == "1 rep(s) changed from your reference, 1 could not be judged"
    assert reference_summary(reference) is None

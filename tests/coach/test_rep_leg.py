"""Lunges compared leg by leg: each rep only with reference reps of the same working leg.

A lunge or a side lunge is counted on both legs but each rep loads one (``rep_leg`` in
``movements.yaml``).  The synthetic lunges (:func:`tests.coach.figures.lunges`, side view) know
their front leg; UI-PRMD m03/m04 (``../shared/data``) give the leg of real reps through virtual
cameras.  No real video of a lunge exists in the shared data, so no video is checked.
"""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest
from rich.console import Console

from kneeline.coach.compare import (
    check_reference,
    compare_with_reference,
    per_leg,
    reference_legs_text,
    reference_problem,
    reference_summary,
    vs_reference_text,
)
from kneeline.coach.definitions import get_movement
from kneeline.coach.faults import rep_leg
from kneeline.coach.result import CoachResult
from kneeline.coach.session import coach_pose
from kneeline.errors import InputError
from tests.coach.figures import lunges, times

T = times(17.0)
CENTRES = [2.5, 6.5, 10.5, 14.5]
NO_LEFT = "your reference set has no left-leg reps; record a reference set on both legs"


def _lunges(front: list[str]) -> CoachResult:
    return coach_pose(lunges(T, CENTRES, front), "lunge").result


@pytest.fixture(scope="module")
def right_reference() -> CoachResult:
    """Four lunges, all on the right front leg."""
    return _lunges(["right"] * 4)


@pytest.fixture(scope="module")
def alternating() -> CoachResult:
    """Four lunges alternating the front leg: right, left, right, left."""
    return _lunges(["right", "left", "right", "left"])


def test_the_leg_of_each_rep_is_found_where_each_rep_loads_one_leg(alternating: CoachResult) -> None:
    assert [r.leg for r in alternating.reps] == ["right", "left", "right", "left"]
    assert all(r.side == "both" for r in alternating.reps)  # still counted and checked on both legs
    assert per_leg("lunge") and per_leg("side-lunge") and not per_leg("squat") and not per_leg("step-up")
    assert get_movement("lunge").rep_leg == "front" and get_movement("side-lunge").rep_leg == "bent"


def test_rep_leg_reads_the_upright_shin_or_the_bent_knee_at_the_deepest_point() -> None:
    """Hand-made features, one sample: the lunge's front shin stands upright, the side lunge's bent knee bends."""
    def feats(**values: float) -> dict[str, np.ndarray]:
        return {k: np.array([v]) for k, v in values.items()}

    lunge, side_lunge = get_movement("lunge"), get_movement("side-lunge")
    shins = feats(left_ankle_y=1000, left_knee_y=965, right_ankle_y=1000, right_knee_y=800)  # right shin upright
    assert rep_leg(lunge, shins, 0, None) == "right"
    assert rep_leg(lunge, shins, 0, "left") == "left"  # a leg given by the user wins
    knees = feats(left_knee_deg=100.0, right_knee_deg=178.0)  # left knee bent, right straight
    assert rep_leg(side_lunge, knees, 0, None) == "left"
    assert rep_leg(side_lunge, feats(left_knee_deg=np.nan, right_knee_deg=178.0), 0, None) is None
    assert rep_leg(get_movement("squat"), knees, 0, None) is None  # two-legged: no leg per rep


def test_against_a_right_leg_reference_left_leg_reps_cannot_be_told(right_reference: CoachResult,
                                                                  alternating: CoachResult) -> None:
    result = compare_with_reference(alternating, right_reference)
    right, left = result.reps[0::2], result.reps[1::2]
    for rep in right:  # the same lunge as the reference's: compared, no change
        assert rep.vs_reference is not None and rep.vs_reference.differs is False
        assert vs_reference_text(rep) == "no change"
    for rep in left:  # never "changed" nor "no change", and never compared on the right leg's numbers
        v = rep.vs_reference
        assert v is not None and v.differs is None and v.score is None and not v.changes and not v.signal_changes
        assert vs_reference_text(rep) == f"cannot tell ({NO_LEFT})"
    assert result.reference is not None and result.reference.legs == {"left": 0, "right": 4}
    assert set(result.reference.medians) == {"right"}
    assert reference_summary(result) == ("0 rep(s) changed from your reference, 2 could not be judged; your "
                                         "reference covers your right leg only")
    assert any(f"2 rep(s) could not be judged ({NO_LEFT})" in n for n in result.notes)
    assert any(n.startswith("Your reference set covers your right leg only (4 reps)") for n in result.notes)


def test_a_reference_on_both_legs_compares_both(alternating: CoachResult) -> None:
    both = coach_pose(lunges(times(25.0), [2.5, 6.5, 10.5, 14.5, 18.5, 22.5], ["right", "left"] * 3),
                      "lunge").result
    assert reference_problem(both) is None
    assert reference_legs_text(both) == "Your reference set covers both legs (3 left-leg and 3 right-leg reps)."
    result = compare_with_reference(alternating, both)
    assert all(r.vs_reference is not None and r.vs_reference.differs is False for r in result.reps)
    assert result.reference is not None and set(result.reference.medians) == {"left", "right"}
    assert reference_summary(result) == "0 rep(s) changed from your reference; your reference covers both legs"


def test_a_reference_is_accepted_with_enough_reps_on_one_leg_and_refused_without(
        right_reference: CoachResult, alternating: CoachResult) -> None:
    check_reference(right_reference, "lunge")  # one leg covered: accepted
    assert reference_problem(alternating) == ("it has 2 usable repetition(s) on the left leg and 2 on the right; a "
                                              "reference needs at least 3 on one leg: record a longer set on each "
                                              "leg")
    with pytest.raises(InputError, match="at least 3 on one leg"):
        check_reference(alternating, "lunge")
    older = right_reference.model_copy(update={"reps": [r.model_copy(update={"leg": None})
                                                        for r in right_reference.reps]})
    assert "could not tell which leg" in (reference_problem(older) or "")


def test_a_result_saved_before_the_leg_was_recorded_still_loads(right_reference: CoachResult) -> None:
    data = right_reference.model_dump(mode="json")
    for rep in data["reps"]:
        del rep["leg"]
    loaded = CoachResult.model_validate(data)
    assert [r.leg for r in loaded.reps] == [None] * 4


def test_the_cli_table_shows_why_a_rep_cannot_be_told(right_reference: CoachResult,
                                                      alternating: CoachResult) -> None:
    from kneeline.cli.coach import coach_tables

    buffer = io.StringIO()
    console = Console(file=buffer, width=400)
    for table in coach_tables(compare_with_reference(alternating, right_reference)):
        console.print(table)
    assert f"cannot tell ({NO_LEFT})" in buffer.getvalue()


@pytest.mark.slow
@pytest.mark.parametrize(("movement", "exercise"), [("m03", "lunge"), ("m04", "side-lunge")])
def test_uiprmd_reps_read_one_leg_per_subject(shared_data: Path, movement: str, exercise: str) -> None:
    """UI-PRMD correct reps through virtual front and side cameras: each subject's reps read one leg,
    and the markers mirrored (left and right swapped) read the other.  Every m04 rep is on the right
    leg; in m03 subject s02 lunges on the left front leg, the others on the right."""
    import dataclasses

    from benchmarks._common import bench_settings
    from benchmarks.coaching import join_reps
    from benchmarks.uiprmd_data import NO_REPETITION, PIG_MAPPING, read_uiprmd, uiprmd_files
    from kneeline.io.markers import virtual_view

    other = {k: k.replace("left", "R").replace("right", "left").replace("R", "right") for k in PIG_MAPPING}
    mirrored = {other[k]: v for k, v in PIG_MAPPING.items()}
    for subject, files in sorted(uiprmd_files(shared_data, movement, True).items()):
        markers = join_reps([read_uiprmd(p) for p in files if p.name not in NO_REPETITION])
        flipped = dataclasses.replace(markers, xyz=markers.xyz * [-1.0, 1.0, 1.0])
        for yaw in (0.0, 90.0):
            legs = []
            for m, mapping in ((markers, PIG_MAPPING), (flipped, mirrored)):
                pose, _ = virtual_view(m, mapping, yaw_deg=yaw)
                reps = coach_pose(pose, exercise, settings=bench_settings(), require_reps=False).result.reps
                legs.append({r.leg for r in reps})
            want = "left" if (movement, subject) == ("m03", "s02") else "right"
            assert legs == [{want}, {"left", "right"} - {want}], (subject, yaw, legs)

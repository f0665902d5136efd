"""The exercise library: every exercise the seeds name, chains ordered by activation, lookups."""

from __future__ import annotations

import pytest

from kneeline.errors import InputError
from kneeline.program.library import intensity_band, load_library

# Names as the five lay articles write them (../shared/seeds), plus the issue's list.
SEED_NAMES = [
    "Side-Lying Leg Raises", "Side-Lying Leg Lifts", "Clamshells", "clam shells", "Single-Leg Squats",
    "Hip Abductions", "Lateral Hip Raises", "IT Band Stretch", "Foam Rolling", "Focus on Knee Alignment",
    "Improve Running Form", "Pistol Squat", "Pelvic Drop Exercise", "Gait Retraining", "Hip Hikes",
    "Seated Pigeon Pose", "Bridge Pose", "Squats", "Lunges", "Bridges", "glute bridges", "donkey kicks",
    "hip stretches", "hamstring stretches", "Avoid Knee Collapse",
]
ISSUE_IDS = [
    "side-lying-hip-abduction", "clamshell", "clamshell-band", "single-leg-squat", "standing-hip-abduction",
    "squat", "lunge", "bridge", "single-leg-bridge", "pistol-squat", "hip-hike", "lateral-band-walk",
    "donkey-kick", "lateral-step-down", "step-up", "side-plank-hip-abduction", "itb-stretch", "seated-pigeon",
    "hip-flexor-stretch", "hamstring-stretch", "foam-rolling", "gait-retraining", "knee-alignment-drill",
    "isometric-standing-abduction", "quad-set", "straight-leg-raise", "wall-sit",
]


@pytest.mark.parametrize("name", SEED_NAMES)
def test_every_seed_name_finds_an_exercise(name: str) -> None:
    assert load_library().get(name).id


def test_issue_exercises_present() -> None:
    assert set(ISSUE_IDS) <= set(load_library().exercises)


def test_unknown_name_lists_ids() -> None:
    with pytest.raises(InputError, match="no exercise called 'moonwalk'; known ids: warm-up-walk"):
        load_library().get("moonwalk")


def test_chains_are_ordered_by_gluteus_medius_activation() -> None:
    lib = load_library()
    for ex in lib.exercises.values():
        if ex.chain is None:
            continue
        lows = [float(e.gmed_mvic.value[0] if isinstance(e.gmed_mvic.value, list) else e.gmed_mvic.value)
                for e in lib.chain(ex.id) if e.gmed_mvic is not None]
        assert lows == sorted(lows), ex.chain
    assert [e.id for e in lib.chain("side-lying-hip-abduction")] == [
        "clamshell", "clamshell-band", "side-lying-hip-abduction", "side-plank-hip-abduction"]
    assert lib.chain("single-leg-squat")[-1].id == "pistol-squat"  # advanced step only


def test_every_exercise_has_the_required_content() -> None:
    for ex in load_library().exercises.values():
        assert ex.steps and ex.cues and ex.evidence, ex.id
        if ex.video.checkable:
            assert ex.video.test in ("single-leg-squat", "squat", "single-leg-stance") and ex.video.view == "frontal"


def test_video_checkable_exercises() -> None:
    lib = load_library()
    checkable = {e.id: e.video.test for e in lib.exercises.values() if e.video.checkable}
    assert checkable == {"single-leg-squat": "single-leg-squat", "squat": "squat",
                         "single-leg-stance": "single-leg-stance", "knee-alignment-drill": "squat"}


def test_not_prescribed_exercises_have_no_dose() -> None:
    lib = load_library()
    assert lib.exercises["gait-retraining"].dose is None
    assert lib.profile("lateral-step-down").start().text() == "3 x 8"
    assert lib.profile("isometric-standing-abduction").start().text() == "4 x 30 s"  # Harvie 2011


@pytest.mark.parametrize(("ex_id", "band"), [("clamshell", "moderate"), ("hip-hike", "moderate"),
                                             ("single-leg-bridge", "high"), ("single-leg-squat", "very high"),
                                             ("bridge", None)])
def test_intensity_bands(ex_id: str, band: str | None) -> None:
    assert intensity_band(load_library().exercises[ex_id].gmed_mvic) == band

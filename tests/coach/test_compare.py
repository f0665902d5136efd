"""A coached set against the person's reference set: the deviation score decides, the SDDs explain; bad references."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeline.coach.compare import (
    check_reference,
    compare_with_reference,
    load_reference_result,
    measure_sdds,
    reference_summary,
    vs_reference_text,
)
from kneeline.coach.rep_signals import TRANSFERS
from kneeline.coach.result import CoachRep, CoachResult
from kneeline.coach.scales import load_scales
from kneeline.coach.session import coach_pose
from kneeline.errors import InputError
from tests.coach.test_coach_session import squats


@pytest.fixture(scope="module")
def reference() -> CoachResult:
    """Four identical synthetic squats filmed from the front."""
    return coach_pose(squats(), "squat").result


def _moved(rep: CoachRep, by: float) -> CoachRep:
    """``rep`` with every signal moved by ``by`` of its scale (squat, front camera): a rep done differently."""
    scales = load_scales().exercises["squat"].front
    assert scales is not None
    signals = {k: (None if v is None else v + by * scales.scales.get(k, 0.0)) for k, v in rep.signals.items()}
    return rep.model_copy(update={"signals": signals})


def test_the_scales_are_shipped_with_their_source() -> None:
    scales = load_scales()
    assert "UI-PRMD" in scales.source and scales.settings.quantile == 0.5
    assert scales.settings.min_reference_reps == 3 and scales.settings.min_signals == 3
    for exercise, camera in (("squat", "front"), ("lunge", "side")):
        cam = getattr(scales.exercises[exercise], camera)
        assert cam is not None and "UI-PRMD" in cam.source and cam.threshold > 0 and len(cam.scales) >= 10


def test_a_rep_whose_signals_all_moved_changed_and_the_others_did_not(reference: CoachResult) -> None:
    reps = [reference.reps[0], _moved(reference.reps[1], 3.0), reference.reps[2]]
    result = compare_with_reference(reference.model_copy(update={"reps": reps}), reference)
    flags = [r.vs_reference.differs for r in result.reps if r.vs_reference]
    assert flags == [False, True, False]
    changed = result.reps[1].vs_reference
    assert changed is not None and changed.score is not None and changed.threshold is not None
    assert changed.score > changed.threshold and changed.signal_changes[0].z >= 2.9
    assert vs_reference_text(result.reps[1]).startswith("changed: ")
    assert reference_summary(result) == "1 rep(s) changed from your reference"
    assert any("1 of 3 rep(s) changed" in n for n in result.notes)


def test_the_sdd_explains_but_does_not_decide(reference: CoachResult) -> None:
    """A 20 deg knee collapse in one rep moves a few signals only: the median score stays low (no overall
    change), and the knee angle's change beyond its SDD is still said."""
    result = compare_with_reference(coach_pose(squats(valgus_rep=3), "squat").result, reference)
    rep = result.reps[2]
    assert rep.vs_reference is not None and rep.vs_reference.differs is False
    fppa = next(c for c in rep.vs_reference.changes if c.measure == "fppa")
    assert fppa.sdd == measure_sdds()["fppa"] and fppa.beyond_sdd
    assert vs_reference_text(rep).startswith("no change overall (but knee angle")
    assert {c.signal for c in rep.vs_reference.signal_changes[:3]} & {"fppa_left", "fppa_right", "knee_width_peak"}


def test_the_same_set_against_itself_reads_no_change(reference: CoachResult) -> None:
    result = compare_with_reference(reference, reference)
    assert all(r.vs_reference is not None and r.vs_reference.differs is False for r in result.reps)
    assert all(vs_reference_text(r) == "no change" for r in result.reps)


def test_bad_references_are_refused_with_the_reason(reference: CoachResult) -> None:
    lunge = reference.model_copy(update={"exercise": "lunge", "exercise_name": "Lunge"})
    with pytest.raises(InputError, match="reference is a Lunge set but this set is squat"):
        compare_with_reference(reference, lunge)
    short = reference.model_copy(update={"reps": reference.reps[:2]})
    with pytest.raises(InputError, match="2 usable repetition"):
        check_reference(short, "squat")
    side = reference.model_copy(update={"reps": [r.model_copy(update={"view": "sagittal"}) for r in reference.reps]})
    with pytest.raises(InputError, match=r"filmed from the side, but Squat \(to a chair\) is coached from the front"):
        check_reference(side, "squat")
    mixed = reference.model_copy(update={"reps": [reference.reps[0].model_copy(update={"view": "sagittal"}),
                                                  *reference.reps[1:]]})
    with pytest.raises(InputError, match="more than one view"):
        check_reference(mixed, "squat")
    old = reference.model_copy(update={"reps": [r.model_copy(update={"signals": {}}) for r in reference.reps]})
    with pytest.raises(InputError, match="older kneeline"):
        check_reference(old, "squat")
    legacy = reference.model_copy(update={"capture": None})
    with pytest.raises(InputError, match="older kneeline"):
        check_reference(legacy, "squat")


def test_a_stored_reference_that_cannot_serve_is_said_not_raised(reference: CoachResult) -> None:
    """A reference saved before these checks (the web app keeps them) leaves the set uncompared, with why."""
    short = reference.model_copy(update={"reps": reference.reps[:2]})
    result = compare_with_reference(reference, short)
    assert result.reference is not None and result.reference.refused
    assert all(r.vs_reference is None for r in result.reps)
    summary = reference_summary(result)
    assert summary is not None and summary.startswith("not compared with your reference set: it has 2 usable")
    assert any(n.startswith("Your reference set could not be used") for n in result.notes)


def test_a_set_filmed_from_another_view_is_compared_on_what_transfers(reference: CoachResult) -> None:
    reps = [r.model_copy(update={"view": "sagittal"}) for r in reference.reps]
    result = compare_with_reference(reference.model_copy(update={"reps": reps}), reference)
    for rep in result.reps:
        v = rep.vs_reference
        assert v is not None and v.transfer_only and v.differs is False
        assert {c.signal for c in v.signal_changes} <= TRANSFERS
    assert any("compared only on what reads the same from both views" in n for n in result.notes)


def test_a_rep_whose_angles_are_withheld_is_never_compared_on_them(reference: CoachResult) -> None:
    """Turned 20 deg: the knee angle is withheld, so it is left out of the score and named."""
    from tests.coach.test_coach_gate import turned

    result = compare_with_reference(coach_pose(turned(squats(valgus_rep=3), 20.0), "squat").result, reference)
    for rep in result.reps:
        v = rep.vs_reference
        assert v is not None and "fppa" in rep.withheld
        assert not {c.measure for c in v.changes} & set(rep.withheld)
        assert not {c.signal for c in v.signal_changes} & {"fppa_left", "fppa_right"}
        assert v.left_out["fppa_left"].startswith("withheld")
    assert any("Left out of the comparison" in n and "left knee angle (FPPA)" in n for n in result.notes)


def test_too_few_signals_cannot_be_judged_and_are_not_called_unchanged(reference: CoachResult) -> None:
    blind = [r.model_copy(update={"signals": {k: None for k in r.signals} | {"depth": r.signals["depth"]}})
             for r in reference.reps]
    result = compare_with_reference(reference.model_copy(update={"reps": blind}), reference)
    assert all(r.vs_reference is not None and r.vs_reference.differs is None for r in result.reps)
    assert vs_reference_text(result.reps[0]).startswith("cannot tell (only 1 of the signals")
    assert reference_summary(result) == "no rep could be judged against your reference (see the notes)"
    assert any("4 rep(s) could not be judged" in n for n in result.notes)


def test_reference_file_problems_name_the_file_and_what_to_give(tmp_path: Path, reference: CoachResult) -> None:
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

"""Bad reference sets in the web flow: another exercise, too few reps, another view, another person; a set
filmed from another view than its reference (issue 14, "Bad input")."""

from __future__ import annotations

import numpy as np

from kneeline.coach.result import CoachResult
from kneeline.coach.session import coach_pose
from kneeline.pose.container import PoseSeries
from kneeline.store.models import CoachedSet, CoachReference
from kneeline.store.references import with_reference
from tests.coach.test_body import _longer_trunk
from tests.coach.test_coach_session import T, squat_depth
from tests.fixtures.synthetic import stick_figure
from tests.web.builders import intake_form


def _good_squats() -> PoseSeries:
    """Four synthetic squats, knees 8 deg outward: every rep free of faults."""
    return stick_figure(T, depth=squat_depth(), fppa_left=-8.0, fppa_right=-8.0)


def _store(app, patient_id: int, result: CoachResult, exercise: str = "squat") -> int:  # type: ignore[no-untyped-def]
    """Save ``result`` as a live set, compared with the patient's reference as the live page does."""
    with app.state.ctx.db.session() as s:
        result = with_reference(s, patient_id, result)
        row = CoachedSet(patient_id=patient_id, exercise_id=exercise, count=result.count, quality=result.quality,
                         partial=result.partial, result=result.model_dump(mode="json"))
        s.add(row)
        s.flush()
        return row.id


def _saved(app, set_id: int) -> CoachResult:  # type: ignore[no-untyped-def]
    with app.state.ctx.db.session() as s:
        row = s.get(CoachedSet, set_id)
        assert row is not None
        return CoachResult.model_validate(row.result)


def test_bad_sets_are_refused_as_the_patients_reference_with_the_reason(app, patient, clinician) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    patient.post("/account/share", {"email": "physio@example.org"})
    good = coach_pose(_good_squats(), "squat").result
    two = good.model_copy(update={"reps": good.reps[:2], "count": 2})
    side = good.model_copy(update={"reps": [r.model_copy(update={"view": "sagittal"}) for r in good.reps]})
    squat_id = _store(app, patient.user_id, good)
    cases = [(_store(app, patient.user_id, two), "has 2 usable repetition(s)", "at least 3"),
             (_store(app, patient.user_id, side), "filmed from the side", "record the reference from the front")]
    for set_id, why, what in cases:
        r = patient.post("/coach/squat/reference", {"set_id": str(set_id)})
        assert r.status_code == 400 and why in r.text and what in r.text, r.text
        r = clinician.post(f"/clinic/patients/{patient.user_id}/references",
                           {"source": "live", "source_id": str(set_id)})
        assert r.status_code == 400 and why in r.text and 'id="reference-error"' in r.text
    # Another exercise: a squat set cannot be the lunge reference (references are kept per exercise).
    r = patient.post("/coach/lunge/reference", {"set_id": str(squat_id)})
    assert r.status_code == 400 and "your own lunge sets" in r.text
    with app.state.ctx.db.session() as s:
        assert s.query(CoachReference).count() == 0


def test_another_persons_set_and_another_view_against_the_reference(app, patient) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    good = _store(app, patient.user_id, coach_pose(_good_squats(), "squat").result)
    assert patient.post("/coach/squat/reference", {"set_id": str(good)}).status_code == 303

    # Another person (a 30 % longer trunk) doing the same squats: not compared, and why.
    other = _saved(app, _store(app, patient.user_id, coach_pose(_longer_trunk(_good_squats()), "squat").result))
    assert other.reference is not None and other.reference.refused is not None
    assert all(r.vs_reference is None for r in other.reps)
    page = " ".join(patient.client.get("/coach/squat").text.split())
    assert "not compared with your reference set: the body proportions differ" in page
    assert "record a new reference set" in page

    # The same person filmed from the side: compared only on what transfers between views, and said.
    own = coach_pose(_good_squats(), "squat").result
    side = own.model_copy(update={"reps": [r.model_copy(update={"view": "sagittal"}) for r in own.reps]})
    saved = _saved(app, _store(app, patient.user_id, side))
    assert saved.reference is not None and saved.reference.refused is None
    assert all(r.vs_reference is not None and r.vs_reference.transfer_only for r in saved.reps)
    assert any("compared only on what reads the same from both views" in n for n in saved.notes)
    page = " ".join(patient.client.get("/coach/squat").text.split())
    assert "4 rep(s) filmed from another view than your reference were compared only on" in page
    assert np.isfinite([r.vs_reference.score or 0.0 for r in saved.reps if r.vs_reference]).all()

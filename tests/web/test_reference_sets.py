"""Reference sets: a linked clinician accepts a coached set as the patient's good form; later sets compare."""

from __future__ import annotations

import pytest

from kneeline.coach.session import coach_pose
from kneeline.jobs.base import InlineJobs
from kneeline.store.models import CoachedSet, CoachReference
from kneeline.store.references import with_reference
from tests.coach.test_coach_session import squats
from tests.web.builders import intake_form


def _good_squats():  # type: ignore[no-untyped-def]
    """Four synthetic squats with the knees 8 deg outward (wider than the ankles): every rep free of faults."""
    from tests.coach.test_coach_session import T, squat_depth
    from tests.fixtures.synthetic import stick_figure

    return stick_figure(T, depth=squat_depth(), fppa_left=-8.0, fppa_right=-8.0)


def _live_set(app, patient_id: int, valgus_rep: int | None = None, partial: bool = False,  # type: ignore[no-untyped-def]
              good: bool = False) -> int:
    """A live set as the live page saves it (the coach's real result on a synthetic squat set)."""
    pose = _good_squats() if good else squats(valgus_rep)
    result = coach_pose(pose, "squat").result.model_copy(update={"partial": partial})
    with app.state.ctx.db.session() as s:
        result = with_reference(s, patient_id, result)
        row = CoachedSet(patient_id=patient_id, exercise_id="squat", count=result.count, quality=result.quality,
                         partial=result.partial, result=result.model_dump(mode="json"))
        s.add(row)
        s.flush()
        return row.id


def test_clinician_sets_a_reference_and_later_sets_are_compared(app, patient, clinician) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    patient.post("/account/share", {"email": "physio@example.org"})
    good = _live_set(app, patient.user_id)
    record = clinician.client.get(f"/clinic/patients/{patient.user_id}").text
    assert "No reference sets yet" in record and "Use as reference" in record
    r = clinician.post(f"/clinic/patients/{patient.user_id}/references", {"source": "live", "source_id": str(good)})
    assert r.status_code == 303
    record = clinician.client.get(f"/clinic/patients/{patient.user_id}").text
    assert 'id="reference-list"' in record and "live set" in record
    assert 'id="reference-info"' in patient.client.get("/coach/squat").text

    later = _live_set(app, patient.user_id, valgus_rep=2)
    with app.state.ctx.db.session() as s:
        saved = s.get(CoachedSet, later)
        assert saved is not None and saved.result["reference"]["reps"] == 4
        differs = [r["vs_reference"]["differs"] for r in saved.result["reps"]]
    # The deviation score decides (a knee collapse alone moves too few signals to change the median);
    # the knee angle's change beyond its SDD is still said.
    assert differs == [False, False, False, False]
    assert any(c["measure"] == "fppa" and c["beyond_sdd"] for c in saved.result["reps"][1]["vs_reference"]["changes"])
    assert "0 rep(s) changed from your reference" in patient.client.get("/coach/squat").text

    r = clinician.post(f"/clinic/patients/{patient.user_id}/references/squat/delete")
    assert r.status_code == 303
    with app.state.ctx.db.session() as s:
        assert s.query(CoachReference).count() == 0


def test_bad_reference_choices_are_refused_with_the_reason(app, patient, other_patient, clinician) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    patient.post("/account/share", {"email": "physio@example.org"})
    cut = _live_set(app, patient.user_id, partial=True)
    theirs = _live_set(app, other_patient.user_id)
    url = f"/clinic/patients/{patient.user_id}/references"
    cases = [({"source": "live", "source_id": str(cut)}, "cut short"),
             ({"source": "live", "source_id": str(theirs)}, "has no live set"),
             ({"source": "video", "source_id": "999"}, "has no coached video"),
             ({"source": "photo", "source_id": "x"}, "choose one of the patient"),
             ({}, "choose one of the patient")]
    for form, message in cases:
        r = clinician.post(url, form)
        assert r.status_code == 400 and message in r.text and 'id="reference-error"' in r.text, form
        assert "Traceback" not in r.text
    with app.state.ctx.db.session() as s:
        assert s.query(CoachReference).count() == 0


@pytest.mark.slow
def test_uploaded_set_is_compared_with_the_reference(app, patient, clinician, squat_clip) -> None:  # type: ignore[no-untyped-def]
    ctx = app.state.ctx
    ctx.jobs = InlineJobs(ctx.db.engine.url.render_as_string(hide_password=False), ctx.data_dir)
    patient.post("/intake", intake_form())
    patient.post("/account/share", {"email": "physio@example.org"})

    def upload() -> str:
        r = patient.client.post("/coach/squat/upload",
                                data={"csrf_token": patient.csrf("/coach/squat"), "side": "auto"},
                                files={"video": ("squats.mp4", squat_clip.read_bytes(), "video/mp4")},
                                follow_redirects=False)
        assert r.status_code == 303
        return str(r.headers["location"])

    first = upload()
    analysis_id = int(first.rsplit("/", 1)[1])
    r = clinician.post(f"/clinic/patients/{patient.user_id}/references",
                       {"source": "video", "source_id": str(analysis_id)})
    assert r.status_code == 303
    page = patient.client.get(upload()).text
    # The same four real squats against themselves: compared, and nothing beyond measurement noise
    # (a rep whose angles with a published SDD are all withheld by the capture gate: "cannot tell").
    assert "Against your reference set" in page
    assert page.count("no change") == 4


def test_the_patients_first_good_set_becomes_the_reference_after_confirmation(app, patient, other_patient) -> None:  # type: ignore[no-untyped-def]
    """Every rep good: the coach page offers the set; confirming makes it the reference, key frame shown."""
    patient.post("/intake", intake_form())
    faulty = _live_set(app, patient.user_id, valgus_rep=2)  # knees in on every rep, knee collapse on rep 2
    assert 'id="own-reference-form"' not in patient.client.get("/coach/squat").text  # a rep had a form fault
    r = patient.post("/coach/squat/reference", {"set_id": str(faulty)})
    assert r.status_code == 400 and "every" in r.text and "repetition was good" in r.text
    good = _live_set(app, patient.user_id, good=True)
    page = patient.client.get("/coach/squat").text
    assert 'id="own-reference-form"' in page and f'name="set_id" value="{good}"' in page
    assert 'id="reference-key-frame"' not in page
    theirs = _live_set(app, other_patient.user_id)
    r = patient.post("/coach/squat/reference", {"set_id": str(theirs)})
    assert r.status_code == 400 and "your own squat sets" in r.text
    r = patient.post("/coach/squat/reference", {"set_id": str(good)})
    assert r.status_code == 303
    with app.state.ctx.db.session() as s:
        row = s.query(CoachReference).one()
        assert row.source_id == good and row.set_by_id == patient.user_id
    page = patient.client.get("/coach/squat").text
    assert 'id="reference-info"' in page and 'id="own-reference-form"' not in page
    assert 'id="reference-key-frame"' in page and page.count("<line ") == 8
    # Once there is a reference, the patient cannot replace it from here (their clinician can).
    r = patient.post("/coach/squat/reference", {"set_id": str(good)})
    assert r.status_code == 400 and "already have a reference set" in r.text

"""The clinician's journey: linked patients, the record, notes and program edits."""

from __future__ import annotations

import re

from sqlalchemy import select

from kneeline.store.models import ClinicianNote, ProgramVersion
from tests.web.builders import intake_form


def test_clinician_sees_only_patients_who_shared(app, patient, other_patient, clinician) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    assert 'id="no-patients"' in clinician.client.get("/clinic").text
    r = patient.post("/account/share", {"email": "PHYSIO@example.org"})
    assert r.status_code == 303
    page = clinician.client.get("/clinic").text
    assert "Pat One" in page and "Pat Two" not in page
    record = clinician.client.get(f"/clinic/patients/{patient.user_id}").text
    assert "Latest intake" in record and "pain now 3/10" in record
    r = patient.post("/account/share", {"email": "nobody@example.org"})
    assert r.status_code == 400 and "no clinician account" in r.text
    r = patient.post("/account/unshare", {"clinician_id": str(clinician.user_id)})
    assert clinician.client.get(f"/clinic/patients/{patient.user_id}").status_code == 403


def test_notes_and_program_edit_make_a_new_version(app, patient, clinician) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    patient.post("/account/share", {"email": "physio@example.org"})
    pid = patient.user_id
    r = clinician.post(f"/clinic/patients/{pid}/notes", {"text": "Seen today; pain settles quickly."})
    assert r.status_code == 303
    assert "pain settles quickly" in clinician.client.get(f"/clinic/patients/{pid}").text
    r = clinician.post(f"/clinic/patients/{pid}/notes", {"text": "   "})
    assert r.status_code == 400
    editor = clinician.client.get(f"/clinic/patients/{pid}/program").text
    form = {k: v for k, v in re.findall(r'name="((?:sets|reps|hold)_[a-z0-9-]+)" value="(\d+)"', editor)}
    first = next(k for k in form if k.startswith("sets_"))
    form[first] = "4"
    form["reason"] = "tolerating well"
    r = clinician.post(f"/clinic/patients/{pid}/program", form)
    assert r.status_code == 303, r.text[-400:]
    with app.state.ctx.db.session() as s:
        versions = s.scalars(select(ProgramVersion).where(ProgramVersion.patient_id == pid)
                             .order_by(ProgramVersion.version)).all()
        assert [v.version for v in versions] == [1, 2]
        assert "tolerating well" in versions[-1].reason
        ex_id = first.removeprefix("sets_")
        exercise = next(e for e in versions[-1].response["program"]["exercises"] if e["id"] == ex_id)
        assert exercise["sets"] == 4
        assert s.scalars(select(ClinicianNote)).one().author_id == clinician.user_id
    page = patient.client.get(f"/patients/{pid}/program").text
    assert "Version 2" in page and "tolerating well" in page


def test_program_edit_errors(app, patient, clinician) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    patient.post("/account/share", {"email": "physio@example.org"})
    pid = patient.user_id
    editor = clinician.client.get(f"/clinic/patients/{pid}/program").text
    form = {k: v for k, v in re.findall(r'name="((?:sets|reps|hold)_[a-z0-9-]+)" value="(\d+)"', editor)}
    first = next(k for k in form if k.startswith("sets_"))
    r = clinician.post(f"/clinic/patients/{pid}/program", {**form, first: "99", "reason": "x"})
    assert r.status_code == 400 and "reason" in r.text and "sets" in r.text
    with app.state.ctx.db.session() as s:
        assert len(s.scalars(select(ProgramVersion)).all()) == 1

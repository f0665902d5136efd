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
    assert r.status_code == 200 and 'id="changes"' in r.text  # first the editor shows what changes
    r = clinician.post(f"/clinic/patients/{pid}/program", {**form, "confirm": "yes"})
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


def _editor_form(html: str) -> dict[str, str]:
    return {k: v for k, v in re.findall(r'name="((?:sets|reps|hold)_[a-z0-9-]+)" value="(\d+)"', html)}


def test_edit_starts_from_current_doses_and_keeps_a_pain_based_regression(app, patient, clinician) -> None:  # type: ignore[no-untyped-def]
    """Finding 15.  A patient's step-up was stepped down to 2 x 10 after pain 6/10 during it (above the
    acceptable 5/10 of the pain-monitoring model, evidence.md §4).  The clinician then changes only the
    clamshells: the new version must keep step-up at 2 x 10, not put it back to the planned 3 x 10, and the
    editor must say what changes before saving."""
    from datetime import date

    from kneeline.program.progression import ExerciseLog, SessionEntry
    from kneeline.store.models import User
    from kneeline.store.records import current_program, log_session

    patient.post("/intake", intake_form())
    patient.post("/account/share", {"email": "physio@example.org"})
    pid = patient.user_id
    with app.state.ctx.db.session() as s:
        row = current_program(s, pid)
        assert row is not None and s.get(User, pid) is not None
        entry = SessionEntry(date=date.today(), pain_before=2, exercises=[ExerciseLog(
            id="step-up", sets=3, reps=10, pain_during=6, pain_after_1h=2)])
        log_session(s, row, entry)
        s.commit()
    editor = clinician.client.get(f"/clinic/patients/{pid}/program").text
    form = _editor_form(editor)
    assert form["sets_step-up"] == "2" and form["reps_step-up"] == "10"  # current, after the regression
    form["sets_clamshell"] = "4"
    form["reason"] = "more hip work"
    r = clinician.post(f"/clinic/patients/{pid}/program", form)
    assert r.status_code == 200, re.findall(r'<li data-field=.*?</li>', r.text)
    changes = re.search(r'id="changes".*?</ul>', r.text, re.S)
    assert changes is not None
    assert "Clamshell: 3 x 10 -&gt; 4 x 10" in changes.group(0) and "Step-up" not in changes.group(0)
    r = clinician.post(f"/clinic/patients/{pid}/program", {**form, "confirm": "yes"})
    assert r.status_code == 303
    with app.state.ctx.db.session() as s:
        newest = s.scalars(select(ProgramVersion).order_by(ProgramVersion.version.desc())).first()
        assert newest is not None
        doses = {e["id"]: (e["sets"], e["reps"]) for e in newest.response["program"]["exercises"]}
        assert doses["step-up"] == (2, 10) and doses["clamshell"] == (4, 10)


def test_clinician_can_unlock_a_deep_single_leg_squat(app, patient, clinician) -> None:  # type: ignore[no-untyped-def]
    """Finding 13: only a linked clinician unlocks exercises beyond the guideline programs (evidence.md §4)."""
    patient.post("/intake", intake_form())
    patient.post("/account/share", {"email": "physio@example.org"})
    pid = patient.user_id
    editor = clinician.client.get(f"/clinic/patients/{pid}/program").text
    assert 'name="unlock" value="pistol-squat"' in editor
    form = {**_editor_form(editor), "unlock": "pistol-squat", "reason": "returning to sport", "confirm": "yes"}
    r = clinician.post(f"/clinic/patients/{pid}/program", form)
    assert r.status_code == 303
    with app.state.ctx.db.session() as s:
        newest = s.scalars(select(ProgramVersion).order_by(ProgramVersion.version.desc())).first()
        assert newest is not None and newest.response["program"]["unlocked"] == ["pistol-squat"]
    assert "no exercise program" not in patient.client.get(f"/patients/{pid}/program").text

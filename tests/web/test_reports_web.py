"""Reports, before/after comparison, FHIR download and the zip's research files, through the web app."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from kneeline.store.models import Analysis
from tests.fixtures.analysis_outputs import real_squat  # noqa: F401  (session fixture)
from tests.report.reporting import pages, poppler, render_pages, text
from tests.web.builders import intake_form
from tests.web.conftest import sign_up

FILES = ["result.json", "frames.csv", "plot.png", "annotated.mp4", "annotated.webm"]


def _stored(app, patient_id: int, folder: Path, *, test: str | None = None, status: str = "done",  # type: ignore[no-untyped-def]
            error: str | None = None) -> int:
    """An analysis row whose files are a copy of ``folder`` (its result relabelled as ``test``)."""
    result = json.loads((folder / "result.json").read_text())
    if test is not None:
        result["test"] = test
    with app.state.ctx.db.session() as s:
        row = Analysis(patient_id=patient_id, kind="test", test=result["test"], video_sha256="0" * 64,
                       video_name="squats.mp4", video_bytes=1, status=status, error=error,
                       result=result if status == "done" else None, files=FILES if status == "done" else None)
        s.add(row)
        s.flush()
        analysis_id = row.id
    if status == "done":
        target = app.state.ctx.files.analysis_dir(analysis_id)
        shutil.copytree(folder, target)
        shutil.copy(folder / "annotated.mp4", target / "annotated.webm")  # any video file serves the page
        (target / "result.json").write_text(json.dumps(result))
    return analysis_id


@pytest.fixture
def linked(app, patient, clinician):  # type: ignore[no-untyped-def]
    assert patient.post("/intake", intake_form()).status_code == 303
    assert patient.post("/account/share", {"email": "physio@example.org"}).status_code == 303
    return clinician


def test_report_download_for_the_patient_and_the_linked_clinician(app, patient, linked, other_patient,  # type: ignore[no-untyped-def]
                                                                  real_squat: Path, tmp_path: Path) -> None:  # noqa: F811
    poppler()
    analysis_id = _stored(app, patient.user_id, real_squat)
    page = patient.client.get(f"/analyses/{analysis_id}").text
    assert f'href="/analyses/{analysis_id}/report"' in page and "Download report" in page
    for who in (patient, linked):
        r = who.client.get(f"/analyses/{analysis_id}/report")
        assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
        assert "attachment" in r.headers["content-disposition"]
        pdf = tmp_path / f"{who.user_id}.pdf"
        pdf.write_bytes(r.content)
        assert len(render_pages(pdf, tmp_path / f"png{who.user_id}")) == pages(pdf)
        words = text(pdf)
        assert "Pat One" in words and "34 years, female" in words and "not measured from this view" in words
    html = patient.client.get(f"/analyses/{analysis_id}/report?format=html")
    assert html.status_code == 200 and "@media print" in html.text
    assert other_patient.client.get(f"/analyses/{analysis_id}/report").status_code == 404


def test_no_report_for_a_running_or_failed_analysis(app, patient) -> None:  # type: ignore[no-untyped-def]
    with app.state.ctx.db.session() as s:
        rows = [Analysis(patient_id=patient.user_id, kind="test", test="squat", video_sha256="0" * 64,
                         video_name="v.mp4", video_bytes=1, status=st, error=err)
                for st, err in (("running", None), ("failed", "no person was found in any of the 30 frames."))]
        s.add_all(rows)
        s.flush()
        running, failed = rows[0].id, rows[1].id
    r = patient.client.get(f"/analyses/{running}/report")
    assert r.status_code == 409 and "still running" in r.text
    r = patient.client.get(f"/analyses/{failed}/report")
    assert r.status_code == 409 and "failed" in r.text and "no person was found" in r.text


def test_compare_two_assessments_side_by_side(app, patient, linked, real_squat: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    first = _stored(app, patient.user_id, real_squat)
    second = _stored(app, patient.user_id, real_squat)
    other_test = _stored(app, patient.user_id, real_squat, test="single-leg-squat")
    picker = patient.client.get(f"/analyses/{second}/compare").text
    assert f"/analyses/{second}/compare?with={first}" in picker and f"with={other_test}" not in picker
    for who in (patient, linked):
        r = who.client.get(f"/analyses/{second}/compare?with={first}")
        assert r.status_code == 200
        assert 'id="changes"' in r.text and "not comparable: not measured from this view" in r.text
        assert r.text.count('src="data:image/png;base64,') == 2 * 4  # 4 matched reps, two key frames each
        assert 'id="sync"' in r.text and "data-reps=" in r.text and '<script src="/static/compare.js">' in r.text
        assert "script-src 'self'" in r.headers["content-security-policy"]
    js = patient.client.get("/static/compare.js")
    assert js.status_code == 200 and "playbackRate" in js.text
    r = patient.client.get(f"/analyses/{second}/compare?with={other_test}")
    assert r.status_code == 200 and "two different tests" in r.text and 'id="changes"' not in r.text


def test_two_patients_assessments_are_not_compared(app, patient, linked, real_squat: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    second_patient = sign_up(app, "Pat Three", "pat3@example.org")
    second_patient.post("/intake", intake_form())
    second_patient.post("/account/share", {"email": "physio@example.org"})
    mine = _stored(app, patient.user_id, real_squat)
    theirs = _stored(app, second_patient.user_id, real_squat)
    r = linked.client.get(f"/analyses/{mine}/compare?with={theirs}")
    assert r.status_code == 200 and "two different people" in r.text
    assert patient.client.get(f"/analyses/{mine}/compare?with={theirs}").status_code == 404  # not theirs to see


def test_fhir_download(app, patient, linked, real_squat: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    fhir = pytest.importorskip("fhir.resources.R4B")
    from fhir.resources.R4B.bundle import Bundle

    _stored(app, patient.user_id, real_squat)
    assert f"/patients/{patient.user_id}/fhir" in patient.client.get(f"/patients/{patient.user_id}/progress").text
    for who in (patient, linked):
        r = who.client.get(f"/patients/{patient.user_id}/fhir")
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/fhir+json")
        bundle = r.json()
        Bundle.model_validate(bundle)
        for e in bundle["entry"]:
            fhir.get_fhir_model_class(e["resource"]["resourceType"]).model_validate(e["resource"])
        kinds = {e["resource"]["resourceType"] for e in bundle["entry"]}
        assert {"Patient", "Observation", "QuestionnaireResponse", "CarePlan"} <= kinds
        plan = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "CarePlan")
        assert plan["status"] == "active" and plan["activity"]


def test_zip_export_holds_keypoints_and_angles(app, patient, real_squat: Path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    analysis_id = _stored(app, patient.user_id, real_squat)
    with app.state.ctx.db.session() as s:
        row = s.get(Analysis, analysis_id)
        assert row is not None
        row.files = [*FILES, "keypoints.csv"]
    r = patient.client.get("/account/export")
    assert r.status_code == 200
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    for name in ("keypoints.trc", "keypoints_clean.csv", "angles.csv"):
        assert f"analyses/{analysis_id}/export/{name}" in names
    angles = zipfile.ZipFile(io.BytesIO(r.content)).read(f"analyses/{analysis_id}/export/angles.csv").decode()
    assert angles.splitlines()[0].startswith("time_s,knee_fppa_left_deg")

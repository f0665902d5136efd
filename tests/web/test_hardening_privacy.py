"""Issue 18, item 11: the access log of a patient's record, visible to that patient (SQLite, PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kneeline.config import Settings
from kneeline.web.app import create_app
from tests.web.conftest import sign_up


def test_a_clinicians_visits_are_logged_once_and_shown_only_to_the_patient(tmp_path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path / "data", database_url=db_url), start_jobs=False)
    with TestClient(app):
        patient = sign_up(app, "Pat", "pat@example.org")
        physio = sign_up(app, "Dr Physio", "physio@example.org", role="clinician")
        other = sign_up(app, "Other", "other@example.org")
        assert "Nobody else has opened" in patient.client.get("/account/access").text
        assert patient.post("/account/share", {"email": "physio@example.org"}).status_code == 303
        patient.client.get(f"/patients/{patient.user_id}/progress")  # the patient's own visits: not logged
        for _ in range(3):  # repeated visits within minutes: one row
            assert physio.client.get(f"/clinic/patients/{patient.user_id}").status_code == 200
        page = patient.client.get("/account/access").text
        assert page.count("Dr Physio (clinician)") == 1
        assert "Dr Physio" not in other.client.get("/account/access").text
        assert physio.client.get("/account/access").status_code == 403


def test_the_server_applies_video_retention_at_start(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from kneeline.store.models import Analysis, utcnow

    settings = Settings(data_dir=tmp_path / "data", privacy={"video_retention_days": 30})  # type: ignore[arg-type]
    app = create_app(settings, start_jobs=False)
    sha = "e" * 64
    with TestClient(app):
        patient = sign_up(app, "Pat", "pat@example.org")
        blob = app.state.ctx.files.path(sha)
        blob.parent.mkdir(parents=True, exist_ok=True)
        blob.write_bytes(b"an old video")
        with app.state.ctx.db.session() as s:
            s.add(Analysis(patient_id=patient.user_id, test="squat", video_sha256=sha, video_name="v.mp4",
                           video_bytes=12, status="done", created_at=utcnow() - timedelta(days=31)))
    assert blob.is_file()
    with TestClient(create_app(settings, start_jobs=False)):  # the next start
        assert not blob.is_file()

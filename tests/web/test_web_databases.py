"""The web app's main path on each supported database (SQLite and PostgreSQL)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from kneeline.config import Settings
from kneeline.web.app import create_app
from tests.web.builders import intake_form
from tests.web.conftest import sign_up


def test_patient_and_clinician_on_each_database(tmp_path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url)
    app = create_app(settings, start_jobs=False)
    with TestClient(app):
        patient = sign_up(app, "Pat", "pat@example.org")
        physio = sign_up(app, "Physio", "physio@example.org", role="clinician")
        assert patient.post("/intake", intake_form()).status_code == 303
        assert patient.post("/outcomes", {"date": "2026-01-01", "nprs_now": "4"}).status_code == 303
        assert patient.post("/account/share", {"email": "physio@example.org"}).status_code == 303
        assert "pat@example.org" in physio.client.get("/clinic").text
        assert physio.post(f"/clinic/patients/{patient.user_id}/notes", {"text": "ok"}).status_code == 303
        other = sign_up(app, "Other", "other@example.org")
        assert other.client.get(f"/patients/{patient.user_id}/program").status_code == 403
        r = patient.post("/account/delete", {"confirm": "delete", "password": patient.password})
        assert r.status_code == 303
        assert "pat@example.org" not in physio.client.get("/clinic").text

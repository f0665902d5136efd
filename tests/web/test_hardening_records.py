"""Issue 18, items 5 and 7: a damaged stored result, and analysis ids, on SQLite and PostgreSQL."""

from __future__ import annotations

import logging

from fastapi.testclient import TestClient

from kneeline.config import Settings
from kneeline.store.models import Analysis
from kneeline.web.app import create_app
from tests.web.conftest import sign_up


def _analysis(app, patient_id: int, result: dict[str, object]) -> int:  # type: ignore[no-untyped-def]
    with app.state.ctx.db.session() as s:
        row = Analysis(patient_id=patient_id, test="squat", video_sha256="0" * 64, video_name="v.mp4",
                       video_bytes=1, status="done", result=result, files=[])
        s.add(row)
        s.flush()
        return row.id


def test_one_damaged_result_shows_as_damaged_and_breaks_no_page(tmp_path, db_url: str, caplog) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path / "data", database_url=db_url), start_jobs=False)
    with TestClient(app):
        patient = sign_up(app, "Pat", "pat@example.org")
        damaged = _analysis(app, patient.user_id, {"no longer": "an AnalysisResult"})
        with caplog.at_level(logging.WARNING, logger="kneeline.store.records"):
            r = patient.client.get(f"/analyses/{damaged}")
        assert r.status_code == 200 and "damaged" in r.text and "Delete this video" in r.text
        assert any(f"analysis {damaged}" in m for m in caplog.messages), caplog.messages
        for path in ("/home", f"/patients/{patient.user_id}/progress", f"/analyses/{damaged}/status"):
            assert patient.client.get(path).status_code == 200, path


def test_another_patients_analysis_answers_like_a_missing_one(tmp_path, db_url: str) -> None:  # type: ignore[no-untyped-def]
    app = create_app(Settings(data_dir=tmp_path / "data", database_url=db_url), start_jobs=False)
    with TestClient(app):
        owner = sign_up(app, "Owner", "owner@example.org")
        other = sign_up(app, "Other", "other@example.org")
        analysis_id = _analysis(app, owner.user_id, {})
        theirs = other.client.get(f"/analyses/{analysis_id}")
        missing = other.client.get(f"/analyses/{analysis_id + 1000}")
        assert theirs.status_code == missing.status_code == 404
        assert theirs.text == missing.text
        for huge in ("99999999999999999999", str(2**63)):
            assert owner.client.get(f"/analyses/{huge}").status_code == 404
            assert owner.client.get(f"/patients/{huge}/program").status_code == 404

"""Accounts: change password, one-time reset links (administrator or linked clinician, nothing e-mailed;
expired and used links say so), and a patient's invitation of a clinician who has no account yet."""

from __future__ import annotations

import re
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from kneeline.store.models import AccountToken, CareLink, User, utcnow
from kneeline.web.security import hash_password
from tests.web.conftest import Browser, csrf_of

NEW = "a brand new passphrase"


def _log_in(app, email: str, password: str) -> int:  # type: ignore[no-untyped-def]
    c = TestClient(app)
    r = c.post("/login", data={"csrf_token": csrf_of(c.get("/login").text), "email": email, "password": password},
               follow_redirects=False)
    return r.status_code


def _link_of(page: str) -> str:
    found = re.search(r'id="issued-link" readonly value="https?://[^/]+(/[^"]+)"', page)
    assert found, page[-1500:]
    return found.group(1)


def _anon_post(app, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    c = TestClient(app)
    token = csrf_of(c.get("/login").text)
    return c.post(path, data={"csrf_token": token, **data}, follow_redirects=False)


def test_change_password_asks_the_current_one_and_the_new_one_twice(app, patient: Browser) -> None:  # type: ignore[no-untyped-def]
    r = patient.post("/account/password", {"current_password": "wrong one here", "new_password": NEW,
                                           "confirm_password": NEW})
    assert r.status_code == 400 and "Current password" in r.text and "not your current password" in r.text
    r = patient.post("/account/password", {"current_password": patient.password, "new_password": NEW,
                                           "confirm_password": NEW + "x"})
    assert r.status_code == 400 and "New password again" in r.text
    r = patient.post("/account/password", {"current_password": patient.password, "new_password": NEW,
                                           "confirm_password": NEW})
    assert r.status_code == 303 and r.headers["location"] == "/account?password=changed"
    assert "Your password was changed" in patient.client.get("/account?password=changed").text
    assert _log_in(app, patient.email, NEW) == 303 and _log_in(app, patient.email, patient.password) == 400


def test_the_linked_clinician_issues_a_reset_link_that_works_once(app, patient: Browser,  # type: ignore[no-untyped-def]
                                                                    clinician: Browser) -> None:
    patient.post("/account/share", {"email": clinician.email})
    page = clinician.post(f"/clinic/patients/{patient.user_id}/reset").text
    assert "sends no e-mail" in page
    path = _link_of(page)
    assert re.fullmatch(r"/reset/[A-Za-z0-9_-]{40,}", path)
    assert patient.email in TestClient(app).get(path).text
    r = _anon_post(app, path, {"new_password": "short", "confirm_password": "short"})
    assert r.status_code == 400 and "New password" in r.text
    r = _anon_post(app, path, {"new_password": NEW, "confirm_password": NEW})
    assert r.status_code == 200 and "Your password was changed" in r.text
    assert patient.client.get("/home", follow_redirects=False).status_code in (303, 307)  # signed out
    assert _log_in(app, patient.email, NEW) == 303
    again = TestClient(app).get(path)
    assert again.status_code == 410 and "already been used" in again.text


def test_an_expired_or_unknown_link_says_so(app, patient: Browser) -> None:  # type: ignore[no-untyped-def]
    with app.state.ctx.db.session() as s:
        admin = User(email="admin@example.org", name="Admin", password_hash=hash_password("admin password 1"),
                     role="admin")
        s.add(admin)
    c = TestClient(app)
    c.post("/login", data={"csrf_token": csrf_of(c.get("/login").text), "email": "admin@example.org",
                           "password": "admin password 1"})
    assert "Reset link" in c.get("/admin").text
    page = c.post(f"/admin/users/{patient.user_id}/reset", data={"csrf_token": csrf_of(c.get("/admin").text)}).text
    path = _link_of(page)
    with app.state.ctx.db.session() as s:
        for row in s.scalars(select(AccountToken)):
            row.expires_at = utcnow() - timedelta(minutes=1)
    r = TestClient(app).get(path)
    assert r.status_code == 410 and "has expired" in r.text
    assert _anon_post(app, path, {"new_password": NEW, "confirm_password": NEW}).status_code == 410
    r = TestClient(app).get("/reset/not-a-real-token")
    assert r.status_code == 404 and "not valid" in r.text


def test_a_patient_invites_a_clinician_without_an_account(app, patient: Browser) -> None:  # type: ignore[no-untyped-def]
    r = patient.post("/account/share", {"email": "newphysio@example.org"})
    assert r.status_code == 400 and "invitation link" in r.text
    path = _link_of(patient.post("/account/invite").text)
    assert path.startswith("/invite/")
    form = TestClient(app).get(path).text
    assert "Pat One invited you" in form
    r = _anon_post(app, path, {"name": "New Physio", "email": "not-an-address", "new_password": NEW,
                               "confirm_password": NEW})
    assert r.status_code == 400 and "E-mail" in r.text and 'value="New Physio"' in r.text
    c = TestClient(app)
    r = c.post(path, data={"csrf_token": csrf_of(c.get("/login").text), "name": "New Physio",
                           "email": "NewPhysio@example.org", "new_password": NEW, "confirm_password": NEW},
               follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/clinic"
    assert "Pat One" in c.get("/clinic").text
    with app.state.ctx.db.session() as s:
        physio = s.scalar(select(User).where(User.email == "newphysio@example.org"))
        assert physio is not None and physio.role == "clinician"
        assert s.scalar(select(CareLink).where(CareLink.clinician_id == physio.id,
                                               CareLink.patient_id == patient.user_id)) is not None
    assert TestClient(app).get(path).status_code == 410

"""Fixtures of the web tests: an app on its own SQLite database in a temporary folder, and users."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from kneeline.config import Settings
from kneeline.web.app import create_app

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "page has no CSRF token"
    return found.group(1)


@dataclass
class Browser:
    """A test client with the session cookie of one user."""

    client: TestClient
    user_id: int
    email: str
    password: str

    def csrf(self, path: str = "/account") -> str:
        return csrf_of(self.client.get(path).text)

    def post(self, path: str, data: dict[str, object] | None = None, **kw: object):  # type: ignore[no-untyped-def]
        payload = {"csrf_token": self.csrf(), **(data or {})}
        return self.client.post(path, data=payload, follow_redirects=False, **kw)  # type: ignore[arg-type]


def make_settings(tmp: Path, **web: object) -> Settings:
    return Settings(data_dir=tmp, web={"login_max_failures": 5, **web})  # type: ignore[arg-type]


@pytest.fixture
def app_settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path / "data")


@pytest.fixture
def app(app_settings: Settings):  # type: ignore[no-untyped-def]
    return create_app(app_settings, start_jobs=False)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


def sign_up(app, name: str, email: str, role: str = "patient", password: str = "correct horse battery") -> Browser:  # type: ignore[no-untyped-def]
    c = TestClient(app)
    token = csrf_of(c.get("/signup").text)
    r = c.post("/signup", data={"csrf_token": token, "name": name, "email": email, "password": password,
                                "role": role}, follow_redirects=False)
    assert r.status_code == 303, r.text
    ctx = app.state.ctx
    from sqlalchemy import select

    from kneeline.store.models import User
    with ctx.db.session() as s:
        uid = s.scalar(select(User.id).where(User.email == email))
    return Browser(client=c, user_id=uid, email=email, password=password)


@pytest.fixture
def patient(client, app) -> Browser:  # type: ignore[no-untyped-def]
    return sign_up(app, "Pat One", "pat@example.org")


@pytest.fixture
def other_patient(client, app) -> Browser:  # type: ignore[no-untyped-def]
    return sign_up(app, "Pat Two", "pat2@example.org")


@pytest.fixture
def clinician(client, app) -> Browser:  # type: ignore[no-untyped-def]
    return sign_up(app, "Dr Physio", "physio@example.org", role="clinician")

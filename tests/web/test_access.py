"""Access control on every route: who may open what.

The matrix below must name every route of the app (a test fails when a new route is added without
an access rule), and each rule is checked for a signed-out visitor, the patient who owns the
record, another patient, a linked clinician, an unlinked clinician and an administrator.
"""

from __future__ import annotations

import pytest
from fastapi.routing import APIRoute, APIWebSocketRoute
from sqlalchemy import select

from kneeline.store.models import Analysis, User
from kneeline.web.security import hash_password
from tests.web.builders import intake_form
from tests.web.conftest import Browser, sign_up

ANON, OWNER, OTHER, LINKED, UNLINKED, ADMIN = "anon", "owner", "other", "linked", "unlinked", "admin"
EVERYONE = {OWNER, OTHER, LINKED, UNLINKED, ADMIN}
PATIENTS = {OWNER, OTHER}
CLINICIANS = {LINKED, UNLINKED}

# (method, path template) -> who may use it (signed-out visitors are listed explicitly).
RULES: dict[tuple[str, str], set[str]] = {
    ("GET", "/"): {ANON, *EVERYONE},
    ("GET", "/signup"): {ANON, *EVERYONE},
    ("POST", "/signup"): {ANON, *EVERYONE},
    ("GET", "/login"): {ANON, *EVERYONE},
    ("POST", "/login"): {ANON, *EVERYONE},
    ("POST", "/logout"): {ANON, *EVERYONE},
    ("GET", "/home"): PATIENTS,
    ("GET", "/intake"): PATIENTS,
    ("POST", "/intake"): PATIENTS,
    ("GET", "/outcomes"): PATIENTS,
    ("POST", "/outcomes"): PATIENTS,
    ("GET", "/tests"): PATIENTS,
    ("POST", "/tests/upload"): PATIENTS,
    ("GET", "/analyses/{analysis_id}"): {OWNER, LINKED},
    ("GET", "/analyses/{analysis_id}/status"): {OWNER, LINKED},
    ("GET", "/analyses/{analysis_id}/files/{name}"): {OWNER, LINKED},
    ("POST", "/analyses/{analysis_id}/delete"): {OWNER},
    ("GET", "/analyses/{analysis_id}/report"): {OWNER, LINKED},
    ("GET", "/analyses/{analysis_id}/compare"): {OWNER, LINKED},
    ("GET", "/patients/{patient_id}/fhir"): {OWNER, LINKED},
    ("GET", "/patients/{patient_id}/program"): {OWNER, LINKED},
    ("POST", "/patients/{patient_id}/program/rebuild"): {OWNER, LINKED},
    ("GET", "/patients/{patient_id}/program/handout"): {OWNER, LINKED},
    ("GET", "/patients/{patient_id}/program/calendar.ics"): {OWNER, LINKED},
    ("GET", "/patients/{patient_id}/progress"): {OWNER, LINKED},
    ("GET", "/log"): PATIENTS,
    ("POST", "/log"): PATIENTS,
    ("POST", "/log/morning"): PATIENTS,
    ("POST", "/log/hour"): PATIENTS,
    ("GET", "/clinic"): CLINICIANS,
    ("GET", "/clinic/patients/{patient_id}"): {LINKED},
    ("POST", "/clinic/patients/{patient_id}/notes"): {LINKED},
    ("GET", "/clinic/patients/{patient_id}/program"): {LINKED},
    ("POST", "/clinic/patients/{patient_id}/program"): {LINKED},
    ("POST", "/clinic/patients/{patient_id}/references"): {LINKED},
    ("POST", "/clinic/patients/{patient_id}/references/{exercise_id}/delete"): {LINKED},
    ("GET", "/account"): EVERYONE,
    ("POST", "/account/share"): PATIENTS,
    ("POST", "/account/unshare"): PATIENTS,
    ("GET", "/account/export"): PATIENTS,
    ("GET", "/account/access"): PATIENTS,
    ("POST", "/account/delete"): EVERYONE,
    ("GET", "/admin"): {ADMIN},
    ("GET", "/exercises"): EVERYONE,
    ("GET", "/exercises/{exercise_id}"): EVERYONE,
    ("POST", "/admin/users/{user_id}/reset"): {ADMIN},
    ("POST", "/clinic/patients/{patient_id}/reset"): {LINKED},
    ("POST", "/account/password"): EVERYONE,
    ("POST", "/account/invite"): PATIENTS,
    ("GET", "/reset/{token}"): {ANON, *EVERYONE},
    ("POST", "/reset/{token}"): {ANON, *EVERYONE},
    ("GET", "/invite/{token}"): {ANON, *EVERYONE},
    ("POST", "/invite/{token}"): {ANON, *EVERYONE},
    ("GET", "/coach/{exercise_id}"): PATIENTS,
    ("POST", "/coach/{exercise_id}/upload"): PATIENTS,
    ("POST", "/coach/{exercise_id}/reference"): PATIENTS,
    ("WS", "/coach/{exercise_id}/ws"): PATIENTS,
    ("WS", "/setup/ws"): PATIENTS,
}


def _flat(routes):  # type: ignore[no-untyped-def]
    """Routes, with included routers opened (FastAPI keeps them as included-router entries)."""
    for route in routes:
        inner = getattr(route, "original_router", None)
        if inner is not None:
            yield from _flat(inner.routes)
        else:
            yield route


def app_routes(app) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    found = set()
    for route in _flat(app.routes):
        if isinstance(route, APIRoute):
            found |= {(m, route.path) for m in route.methods if m != "HEAD"}
        elif isinstance(route, APIWebSocketRoute):
            found.add(("WS", route.path))
    return found


def test_every_route_has_an_access_rule(app) -> None:  # type: ignore[no-untyped-def]
    assert app_routes(app) == set(RULES)


@pytest.fixture(scope="module")
def shared_app(tmp_path_factory):  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from kneeline.web.app import create_app
    from tests.web.conftest import make_settings
    app = create_app(make_settings(tmp_path_factory.mktemp("access")), start_jobs=False)
    with TestClient(app) as c:
        yield app, c


def _analysis(app, patient_id: int) -> int:  # type: ignore[no-untyped-def]
    with app.state.ctx.db.session() as s:
        row = Analysis(patient_id=patient_id, test="squat", video_sha256="0" * 64, video_name="v.mp4",
                       video_bytes=1, status="done", files=["result.json"])
        s.add(row)
        s.flush()
        analysis_id = row.id
    folder = app.state.ctx.files.analysis_dir(analysis_id)
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "result.json").write_text("{}")
    return analysis_id


@pytest.fixture(scope="module")
def world(shared_app):  # type: ignore[no-untyped-def]
    """Two patients (the owner has an intake, a program and a finished analysis), two clinicians, an admin."""
    app, client = shared_app
    owner = sign_up(app, "Owner", "owner@example.org")
    other = sign_up(app, "Other", "other@example.org")
    linked = sign_up(app, "Linked", "linked@example.org", role="clinician")
    unlinked = sign_up(app, "Unlinked", "unlinked@example.org", role="clinician")
    with app.state.ctx.db.session() as s:
        s.add(User(email="admin@example.org", name="Admin", password_hash=hash_password("admin password 1"),
                   role="admin"))
    admin = _login(app, "admin@example.org", "admin password 1")
    assert owner.post("/intake", intake_form()).status_code == 303
    assert owner.post("/account/share", {"email": "linked@example.org"}).status_code == 303
    return {OWNER: owner, OTHER: other, LINKED: linked, UNLINKED: unlinked, ADMIN: admin, "app": app,
            "client": client, "analysis_id": _analysis(app, owner.user_id)}


def _login(app, email: str, password: str) -> Browser:  # type: ignore[no-untyped-def]
    from fastapi.testclient import TestClient

    from tests.web.conftest import csrf_of
    c = TestClient(app)
    r = c.post("/login", data={"csrf_token": csrf_of(c.get("/login").text), "email": email, "password": password},
               follow_redirects=False)
    assert r.status_code == 303
    with app.state.ctx.db.session() as s:
        uid = s.scalar(select(User.id).where(User.email == email))
    return Browser(client=c, user_id=uid, email=email, password=password)


def _url(template: str, world: dict[str, object], method: str) -> str:
    owner = world[OWNER]
    assert isinstance(owner, Browser)
    # A delete gets its own analysis each time, so the shared one stays for the other checks.
    analysis_id = _analysis(world["app"], owner.user_id) if template.endswith("/delete") else world["analysis_id"]
    if "{token}" in template:  # a fresh one-time link each time (a used one answers "already used")
        template = template.replace("{token}", _link(world["app"], "reset" if "/reset/" in template else "invite",
                                                     owner.user_id))
    return (template.replace("{patient_id}", str(owner.user_id)).replace("{user_id}", str(owner.user_id))
            .replace("{analysis_id}", str(analysis_id))
            .replace("{name}", "result.json").replace("{exercise_id}", "squat"))


def _link(app, kind: str, user_id: int) -> str:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from kneeline.store.tokens import issue_link
    with app.state.ctx.db.session() as s:
        return issue_link(s, kind, user_id, None, timedelta(hours=1))  # type: ignore[arg-type]


def _allowed(status: int, location: str) -> bool:
    """A request got through: not refused (403/404) and not sent to log in."""
    return status not in (401, 403, 404) and not location.startswith("/login?next=")


ROLES = [ANON, OWNER, OTHER, LINKED, UNLINKED, ADMIN]
HTTP_RULES = sorted(k for k in RULES if k[0] != "WS" and k not in {("POST", "/account/delete"),
                                                                   ("POST", "/logout")})


@pytest.mark.parametrize("method,template", HTTP_RULES)
def test_route_access(world, method: str, template: str) -> None:  # type: ignore[no-untyped-def]
    client = world["client"]
    for role in ROLES:
        url = _url(template, world, method)
        if role == ANON:
            from tests.web.conftest import csrf_of
            token = csrf_of(client.get("/login").text)
            r = (client.get(url, follow_redirects=False) if method == "GET"
                 else client.post(url, data={"csrf_token": token}, follow_redirects=False))
        else:
            b = world[role]
            r = b.client.get(url, follow_redirects=False) if method == "GET" else b.post(url, {})
        ok = _allowed(r.status_code, r.headers.get("location", ""))
        expected = role in RULES[(method, template)]
        assert ok == expected, f"{method} {url} as {role}: status {r.status_code}, expected allowed={expected}"
        if not ok and role != OWNER:
            assert "owner@example.org" not in r.text and "Traceback" not in r.text


def test_refused_pages_show_no_record_data(world) -> None:  # type: ignore[no-untyped-def]
    owner_id = world[OWNER].user_id
    for role in (OTHER, UNLINKED, ADMIN):
        for url in (f"/patients/{owner_id}/program", f"/patients/{owner_id}/progress",
                    f"/analyses/{world['analysis_id']}", f"/clinic/patients/{owner_id}"):
            r = world[role].client.get(url)
            # another person's analysis answers like a missing one (404): its id reveals nothing
            assert r.status_code == (404 if url.startswith("/analyses/") else 403), (role, url, r.status_code)
            assert "Owner" not in r.text and "owner@example.org" not in r.text
            assert "Traceback" not in r.text


def test_unknown_record_ids_are_refused_like_other_peoples(world) -> None:  # type: ignore[no-untyped-def]
    owner = world[OWNER]
    assert owner.client.get("/patients/99999/program").status_code == 403
    assert owner.client.get("/analyses/99999").status_code == 404


ID_RULES = [k for k in HTTP_RULES if "_id}" in k[1].replace("{exercise_id}", "")]
HUGE_IDS = ("99999999999999999999", str(2**63), "1" + "0" * 40)


@pytest.mark.parametrize("method,template", ID_RULES)
def test_out_of_range_ids_answer_not_found(world, method: str, template: str) -> None:  # type: ignore[no-untyped-def]
    """A number too large for a row id (or 0, -1) names nothing: 404 or 403, never an overflow (500)."""
    for value in (*HUGE_IDS, "0", "-1"):
        url = (template.replace("{patient_id}", value).replace("{analysis_id}", value).replace("{user_id}", value)
               .replace("{name}", "result.json").replace("{exercise_id}", "squat"))
        for role in (OWNER, LINKED):
            b = world[role]
            r = b.client.get(url, follow_redirects=False) if method == "GET" else b.post(url, {})
            expected = {404} if value in HUGE_IDS else {403, 404}
            assert r.status_code in expected, f"{method} {url} as {role}: {r.status_code}"
            assert "Traceback" not in r.text


@pytest.mark.parametrize("path", ["/coach/squat/ws", "/setup/ws"])
def test_websocket_needs_a_signed_in_patient_from_this_site(world, path: str) -> None:  # type: ignore[no-untyped-def]
    from starlette.websockets import WebSocketDisconnect
    client = world["client"]
    for browser, headers in ((None, {"origin": "http://testserver"}), (world[LINKED], {"origin": "http://testserver"}),
                             (world[OWNER], {"origin": "http://evil.example"})):
        c = browser.client if browser else client
        with pytest.raises(WebSocketDisconnect) as info, c.websocket_connect(path, headers=headers) as ws:
            ws.receive_json()
        assert info.value.code == 1008

"""Sign-up, log-in, rate limiting, CSRF, sessions and error pages."""

from __future__ import annotations

from sqlalchemy import select

from kneeline.store.models import User, WebSession
from tests.web.conftest import csrf_of, sign_up


def _login(client, email: str, password: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password},
                       follow_redirects=False)


def test_signup_stores_an_argon2_hash_and_signs_in(app, client) -> None:  # type: ignore[no-untyped-def]
    b = sign_up(app, "Ann", "Ann@Example.org")
    with app.state.ctx.db.session() as s:
        user = s.scalar(select(User).where(User.email == "ann@example.org"))
        assert user is not None and user.password_hash.startswith("$argon2id$")
        assert "correct horse" not in user.password_hash
    assert b.client.get("/home").status_code == 200


def test_session_cookie_is_httponly_and_samesite(app, client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/signup").text)
    r = client.post("/signup", data={"csrf_token": token, "name": "B", "email": "b@example.org",
                                     "password": "long enough pw", "role": "patient"}, follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "kneeline_session=" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_database_keeps_only_a_digest_of_the_session_token(app, client) -> None:  # type: ignore[no-untyped-def]
    b = sign_up(app, "C", "c@example.org")
    token = b.client.cookies.get("kneeline_session")
    with app.state.ctx.db.session() as s:
        digests = s.scalars(select(WebSession.token_sha256)).all()
    assert token and token not in digests and len(digests) == 1


def test_signup_errors_name_the_field(app, client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/signup").text)
    r = client.post("/signup", data={"csrf_token": token, "name": "", "email": "nope", "password": "short",
                                     "role": "wizard"})
    assert r.status_code == 400
    for field in ("name", "email", "password", "role"):
        assert f'data-field="{field}"' in r.text
    sign_up(app, "D", "d@example.org")
    r = client.post("/signup", data={"csrf_token": token, "name": "D2", "email": "D@example.org",
                                     "password": "long enough pw", "role": "patient"})
    assert r.status_code == 400 and "cannot create an account" in r.text and "already exists" not in r.text


def test_wrong_password_and_rate_limit(app, client) -> None:  # type: ignore[no-untyped-def]
    sign_up(app, "E", "e@example.org", password="the right password")
    for _ in range(5):
        r = _login(client, "e@example.org", "wrong password!")
        assert r.status_code == 400 and "wrong" in r.text
    r = _login(client, "e@example.org", "the right password")
    assert r.status_code == 429 and "too many failed attempts" in r.text


def test_login_succeeds_and_follows_only_local_next(app, client) -> None:  # type: ignore[no-untyped-def]
    sign_up(app, "F", "f@example.org", password="the right password")
    token = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"csrf_token": token, "email": "F@example.org", "password": "the right password",
                                    "next": "//evil.example/x"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/home"


def test_forms_without_the_csrf_token_are_refused(app, client) -> None:  # type: ignore[no-untyped-def]
    b = sign_up(app, "G", "g@example.org")
    r = b.client.post("/outcomes", data={"date": "2026-01-01", "nprs_now": "3"})
    assert r.status_code == 403 and "Form expired" in r.text
    r = b.client.post("/outcomes", data={"csrf_token": "forged", "date": "2026-01-01", "nprs_now": "3"})
    assert r.status_code == 403
    r = client.post("/login", data={"email": "g@example.org", "password": "correct horse battery"})
    assert r.status_code == 403


def test_logout_ends_the_session_on_the_server(app, client) -> None:  # type: ignore[no-untyped-def]
    b = sign_up(app, "H", "h@example.org")
    old = b.client.cookies.get("kneeline_session")
    assert b.post("/logout").status_code == 303
    b.client.cookies.set("kneeline_session", old)
    r = b.client.get("/home", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_error_pages_are_plain_and_have_no_traceback(app, client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "does not exist" in r.text and "Traceback" not in r.text
    b = sign_up(app, "I", "i@example.org")
    r = b.client.get("/analyses/not-a-number")  # a path that names no row: not found, like a missing id
    assert r.status_code == 404 and "does not exist" in r.text


def test_security_headers(client) -> None:  # type: ignore[no-untyped-def]
    r = client.get("/")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"

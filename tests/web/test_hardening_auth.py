"""Issue 18, items 1-4 and 9: log-in abuse, enumeration, proxy headers, lock-out, CSRF cookie, NUL, HSTS.

The concurrency and header tests run against a real ``kneeline serve`` (uvicorn, its thread pool,
its proxy-header handling) on SQLite and PostgreSQL; timings are compared as ratios within one run.
"""

from __future__ import annotations

import statistics
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from fastapi.testclient import TestClient

from kneeline.web.app import create_app
from kneeline.web.security import client_address
from tests.web.conftest import csrf_of, make_settings, sign_up
from tests.web.server import form_token, running_server

PASSWORD = "the right password"


def _login(client, email: str, password: str, **headers: str):  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/login").text)
    return client.post("/login", data={"csrf_token": token, "email": email, "password": password},
                       headers=headers, follow_redirects=False)


def _http_signup(url: str, email: str) -> None:
    with httpx.Client(base_url=url) as c:
        token = form_token(c, "/signup")
        r = c.post("/signup", data={"csrf_token": token, "name": "Pat", "email": email, "password": PASSWORD,
                                    "role": "patient"})
        assert r.status_code == 303, r.text


@pytest.fixture
def server(tmp_path, db_url: str):  # type: ignore[no-untyped-def]
    """A real server on the test's database, 5 failures per account, 20 per client."""
    database = None if db_url.startswith("sqlite") else db_url
    with running_server(tmp_path / "srv", database, KNEELINE_WEB__LOGIN_MAX_FAILURES="5",
                        KNEELINE_WEB__CLIENT_MAX_FAILURES="20") as running:
        yield running.url


def test_parallel_wrong_passwords_are_checked_at_most_the_limit(server: str) -> None:
    """40 wrong passwords at once for one account: no more than 5 get their password checked."""
    _http_signup(server, "victim@example.org")
    with httpx.Client(base_url=server) as c:
        token = form_token(c)
        cookies = dict(c.cookies)

    def attempt(i: int) -> int:
        with httpx.Client(base_url=server, cookies=cookies, timeout=60) as client:
            r = client.post("/login", data={"csrf_token": token, "email": "victim@example.org",
                                            "password": f"wrong password {i}"})
            return r.status_code

    with ThreadPoolExecutor(max_workers=40) as pool:
        codes = list(pool.map(attempt, range(40)))
    assert codes.count(400) <= 5 and codes.count(400) + codes.count(429) == 40, codes


def test_x_forwarded_for_from_loopback_does_not_make_a_new_client(server: str) -> None:
    """Per-client limit (20) holds although each try claims another address in X-Forwarded-For."""
    with httpx.Client(base_url=server, timeout=60) as c:
        token = form_token(c)
        codes = [c.post("/login", data={"csrf_token": token, "email": f"nobody{i}@example.org", "password": "x"},
                        headers={"X-Forwarded-For": f"203.0.113.{i}"}).status_code for i in range(22)]
    assert codes[:20] == [400] * 20 and codes[20:] == [429, 429], codes


def test_forwarded_header_is_believed_only_from_configured_proxies() -> None:
    assert client_address("127.0.0.1", "203.0.113.9", ()) == "127.0.0.1"
    assert client_address("10.0.0.2", "203.0.113.9", ("10.0.0.1",)) == "10.0.0.2"
    assert client_address("10.0.0.1", "198.51.100.1, 203.0.113.9", ("10.0.0.1",)) == "203.0.113.9"
    assert client_address("10.0.0.1", "203.0.113.9, 10.0.0.1", ("10.0.0.1",)) == "203.0.113.9"
    assert client_address("10.0.0.1", "not an address", ("10.0.0.1",)) == "10.0.0.1"


@pytest.fixture
def roomy(tmp_path):  # type: ignore[no-untyped-def]
    app = create_app(make_settings(tmp_path / "data", login_max_failures=100, client_max_failures=1000,
                                   signup_max_per_client=1000), start_jobs=False)
    with TestClient(app) as client:
        yield app, client


def test_unknown_and_known_addresses_take_about_as_long(roomy) -> None:  # type: ignore[no-untyped-def]
    """Wrong password for a known address vs any password for an unknown one: same work (ratio ~1)."""
    app, client = roomy
    sign_up(app, "Known", "known@example.org", password=PASSWORD)

    def timed(email: str) -> float:
        began = time.perf_counter()
        assert _login(client, email, "wrong password").status_code == 400
        return time.perf_counter() - began

    known, unknown = [], []
    for i in range(5):  # interleaved, so a busy machine slows both alike
        known.append(timed("known@example.org"))
        unknown.append(timed(f"nobody{i}@example.org"))
    ratio = statistics.median(known) / statistics.median(unknown)
    assert 0.5 < ratio < 2.0, f"known {statistics.median(known):.3f} s vs unknown {statistics.median(unknown):.3f} s"


def test_signup_does_not_confirm_accounts_and_is_rate_limited(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(make_settings(tmp_path / "data", signup_max_per_client=3), start_jobs=False)
    with TestClient(app) as client:
        sign_up(app, "Taken", "taken@example.org")  # 1
        token = csrf_of(client.get("/signup").text)
        form = {"csrf_token": token, "name": "Someone", "password": "long enough pw", "role": "patient"}
        r = client.post("/signup", data={**form, "email": "taken@example.org"})  # 2
        assert r.status_code == 400 and "already" not in r.text and "exists" not in r.text
        r = client.post("/signup", data={**form, "email": "new1@example.org"}, follow_redirects=False)  # 3
        assert r.status_code == 303
        client.cookies.clear()
        token = csrf_of(client.get("/signup").text)
        r = client.post("/signup", data={**form, "csrf_token": token, "email": "new2@example.org"})  # 4: over
        assert r.status_code == 429 and "too many sign-ups" in r.text


def test_lockout_spares_the_owner_on_a_known_browser_and_other_accounts(tmp_path) -> None:  # type: ignore[no-untyped-def]
    app = create_app(make_settings(tmp_path / "data", login_max_failures=5, client_max_failures=8),
                     start_jobs=False)
    with TestClient(app) as attacker:
        owner = sign_up(app, "Owner", "owner@example.org", password=PASSWORD)  # this browser is now known
        neighbour = sign_up(app, "Neighbour", "neighbour@example.org", password=PASSWORD)
        for _ in range(5):
            assert _login(attacker, "owner@example.org", "guess").status_code == 400
        assert _login(attacker, "owner@example.org", PASSWORD).status_code == 429  # locked for strangers
        assert _login(owner.client, "owner@example.org", PASSWORD).status_code == 303  # not for the owner
        # the owner's success lifted the account's lock; the per-client limit (8) still stops the attacker
        for i in range(8):
            assert _login(attacker, f"someone{i}@example.org", "guess").status_code == 400
        assert _login(attacker, "someone@example.org", "guess").status_code == 429
        # another user behind the same address, on their own browser, still gets in
        assert _login(neighbour.client, "neighbour@example.org", PASSWORD).status_code == 303


def test_pre_login_csrf_cookie_must_be_signed_by_the_server(client) -> None:  # type: ignore[no-untyped-def]
    client.cookies.set("kneeline_csrf", "planted-by-another-site")
    r = client.post("/login", data={"csrf_token": "planted-by-another-site", "email": "a@example.org",
                                    "password": "whatever"})
    assert r.status_code == 403 and "Form expired" in r.text
    client.cookies.clear()
    token = csrf_of(client.get("/login").text)
    assert "." in token and client.cookies.get("kneeline_csrf") == token


def test_nul_characters_in_form_fields_are_refused(app, client) -> None:  # type: ignore[no-untyped-def]
    token = csrf_of(client.get("/signup").text)
    r = client.post("/signup", data={"csrf_token": token, "name": "A\x00B", "email": "nul@example.org",
                                     "password": "long enough pw", "role": "patient"})
    assert r.status_code == 400 and "NUL" in r.text and "name" in r.text


def test_hsts_only_with_secure_cookies(tmp_path, client) -> None:  # type: ignore[no-untyped-def]
    assert "strict-transport-security" not in client.get("/").headers
    app = create_app(make_settings(tmp_path / "secure", secure_cookies=True), start_jobs=False)
    with TestClient(app) as secure:
        assert secure.get("/").headers["strict-transport-security"].startswith("max-age=")


def test_a_read_only_database_says_so(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """At start: refused with the reason.  While running (disk turned read-only): 503 saying so."""
    from kneeline.config import Settings
    from kneeline.errors import InputError
    from kneeline.store.db import open_database

    folder = tmp_path / "data"
    app = create_app(make_settings(folder), start_jobs=False)
    read_only = f"sqlite:///file:{folder / 'kneeline.db'}?mode=ro&uri=true"
    with TestClient(app, raise_server_exceptions=False) as client:
        token = csrf_of(client.get("/signup").text)
        writable = app.state.ctx.db
        app.state.ctx.db = open_database(read_only, upgrade=False)
        try:
            r = client.post("/signup", data={"csrf_token": token, "name": "A", "email": "ro@example.org",
                                             "password": "long enough pw", "role": "patient"})
        finally:
            app.state.ctx.db.dispose()
            app.state.ctx.db = writable
    assert r.status_code == 503 and "not writable" in r.text and "Traceback" not in r.text
    with pytest.raises(InputError, match="not writable"), \
            TestClient(create_app(Settings(data_dir=folder, database_url=read_only), start_jobs=False)):
        pass


def test_kneeline_unlock_lifts_a_lock(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from kneeline.cli import build_app

    folder = tmp_path / "data"
    app = create_app(make_settings(folder), start_jobs=False)
    with TestClient(app) as stranger:
        sign_up(app, "Owner", "owner@example.org", password=PASSWORD)
        for _ in range(5):
            _login(stranger, "owner@example.org", "guess")
        assert _login(stranger, "owner@example.org", PASSWORD).status_code == 429
        result = CliRunner().invoke(build_app(), ["unlock", "Owner@example.org", "--data-dir", str(folder)])
        assert result.exit_code == 0, result.output
        assert _login(stranger, "owner@example.org", PASSWORD).status_code == 303

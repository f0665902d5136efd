"""Passwords, sign-in sessions, CSRF tokens and the log-in rate limit.

- Passwords are hashed with argon2id (argon2-cffi's defaults).
- A sign-in creates a random 256-bit token: the browser keeps it in an HttpOnly, SameSite=Lax
  cookie; the database keeps only its SHA-256, so a copy of the database cannot sign anyone in.
- Every form carries the session's CSRF token (synchroniser-token pattern); forms shown before
  sign-in use a separate pre-session token cookie (double-submit), signed with the server's key so
  a cookie planted by another site is refused.
- Log-in attempts are rate-limited (see :func:`reserve_login`): an attempt is written *before* its
  password is checked, then counted, in one step that concurrent requests cannot slip past.
  Limits: per account (attempts from unknown browsers; a browser that signed in to the account
  before keeps its own count, so the right password from it still works while strangers are locked
  out) and per client address.  Sign-ups are limited per client address.
- An unknown address costs the same argon2 verification as a known one (no timing difference).
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kneeline.errors import InputError
from kneeline.store.db import Database
from kneeline.store.models import LoginAttempt, User, WebSession, utcnow

__all__ = [
    "hash_password", "verify_password", "verify_or_dummy", "new_token", "token_digest", "start_session",
    "find_session", "end_session", "tokens_match", "sign", "unsign", "signed_token", "server_secret",
    "LoginLimits", "Reservation", "reserve_login", "release_login", "clear_failures", "reserve_signup",
    "client_address", "MIN_PASSWORD_LENGTH", "SECRET_FILE",
]

MIN_PASSWORD_LENGTH = 10
"""Shortest password accepted at sign-up (NIST SP 800-63B asks for at least 8)."""

_hasher = PasswordHasher()


def hash_password(password: str) -> str:
    """Argon2id hash of ``password``."""
    return _hasher.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches ``stored_hash`` (False for a malformed hash, never an exception)."""
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return _hasher.hash(secrets.token_urlsafe(16))


def verify_or_dummy(stored_hash: str | None, password: str) -> bool:
    """:func:`verify_password`, or the same work against a dummy hash when there is no account.

    A log-in for an unknown address then takes as long as one for a known address with a wrong
    password, so timing does not tell which addresses have accounts.
    """
    if stored_hash is None:
        verify_password(_dummy_hash(), password)
        return False
    return verify_password(stored_hash, password)


def new_token() -> str:
    """A random URL-safe token of 256 bits."""
    return secrets.token_urlsafe(32)


def token_digest(token: str) -> str:
    """SHA-256 hex digest of a session token (what the database keeps)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def tokens_match(expected: str | None, given: str | None) -> bool:
    """Constant-time comparison of two tokens; False when either is missing."""
    if not expected or not given:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), given.encode("utf-8"))


def start_session(session: Session, user: User, days: float) -> str:
    """Create a sign-in session for ``user`` and return the cookie token."""
    token = new_token()
    now = utcnow()
    session.add(WebSession(token_sha256=token_digest(token), user_id=user.id, csrf_token=new_token(),
                           created_at=now, expires_at=now + timedelta(days=days)))
    user.last_active_at = now
    session.execute(delete(WebSession).where(WebSession.expires_at < now))
    return token


def find_session(session: Session, token: str | None) -> WebSession | None:
    """The live sign-in session for a cookie token, or None (unknown or expired)."""
    if not token:
        return None
    found = session.get(WebSession, token_digest(token))
    if found is None or found.expires_at < utcnow():
        return None
    return found


def end_session(session: Session, token: str | None) -> None:
    """Sign out: forget the session behind ``token`` (if any)."""
    if token:
        session.execute(delete(WebSession).where(WebSession.token_sha256 == token_digest(token)))


SECRET_FILE = "secret.key"
"""File in the data folder holding the server's random signing key (created at first start, mode 600)."""


def server_secret(data_dir: Path, configured: str | None = None) -> bytes:
    """The key that signs cookies: ``configured`` (setting ``web.secret_key``), else the data folder's.

    Raises
    ------
    InputError
        If the key file cannot be read or created (the data folder is not writable).
    """
    if configured:
        return configured.encode("utf-8")
    path = Path(data_dir) / SECRET_FILE
    try:
        if not path.exists():
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w", encoding="ascii") as f:
                f.write(secrets.token_hex(32))
        key = path.read_text(encoding="ascii").strip()
    except FileExistsError:  # another process created it meanwhile
        key = path.read_text(encoding="ascii").strip()
    except OSError as exc:
        raise InputError(f"cannot read or create the signing key {path} ({exc.strerror}); the data folder "
                         "must be writable by the user running kneeline.") from None
    if len(key) < 32:
        raise InputError(f"the signing key in {path} is too short ({len(key)} characters); delete the file "
                         "and restart kneeline to make a new one.")
    return key.encode("ascii")


def sign(secret: bytes, value: str) -> str:
    """``value`` followed by a dot and its HMAC-SHA256 (URL-safe base 16)."""
    mac = hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{value}.{mac}"


def unsign(secret: bytes, token: str | None) -> str | None:
    """The value of a :func:`sign`-ed token, or None when missing or its signature is wrong."""
    if not token or "." not in token:
        return None
    value, _, mac = token.rpartition(".")
    expected = hmac.new(secret, value.encode("utf-8"), hashlib.sha256).hexdigest()
    return value if hmac.compare_digest(expected.encode("ascii"), mac.encode("ascii", "replace")) else None


def signed_token(secret: bytes) -> str:
    """A new random token signed with ``secret`` (the pre-log-in CSRF cookie)."""
    return sign(secret, new_token())


def client_address(peer: str | None, forwarded_for: str | None, trusted_proxies: tuple[str, ...]) -> str:
    """The client's address for rate limits.

    ``X-Forwarded-For`` is believed only when the connection comes from a configured proxy
    (setting ``web.trusted_proxies``; none by default): then the right-most address in it that is
    not itself a trusted proxy is the client.  Anything else uses the connection's own address.
    """
    peer = peer or "unknown"
    if not forwarded_for or peer not in trusted_proxies:
        return peer
    for hop in reversed([h.strip() for h in forwarded_for.split(",")]):
        try:
            ipaddress.ip_address(hop)
        except ValueError:
            return peer  # a malformed header: fall back to the proxy itself
        if hop not in trusted_proxies:
            return hop
    return peer


@dataclass(frozen=True)
class LoginLimits:
    """The log-in limits of the settings (``web.login_*``, ``web.client_max_failures``)."""

    per_account: int
    per_client: int
    window_s: float


@dataclass(frozen=True)
class Reservation:
    """A log-in attempt written before its password was checked."""

    id: int
    email: str


def _window_start(window_s: float) -> datetime:
    return utcnow() - timedelta(seconds=window_s)


def _count(session: Session, *where: object) -> int:
    return session.scalar(select(func.count()).select_from(LoginAttempt).where(*where)) or 0  # type: ignore[arg-type]


def reserve_login(db: Database, email: str, client: str, trusted: bool, limits: LoginLimits) -> Reservation | None:
    """Write this attempt, then count: the attempt may go on only if it is within every limit.

    The row is committed before counting, so of N concurrent attempts the k-th to commit counts at
    least k rows: never more than the limit get their password checked (on SQLite and PostgreSQL).
    A refused attempt's row is removed (refusals do not extend a lock-out); a checked one stays as a
    failure until :func:`release_login` removes it after the right password.

    Returns
    -------
    Reservation or None
        None when the account (attempts from unknown browsers, or from this known browser) or,
        for an unknown browser, the client address is over its limit.
    """
    since = _window_start(limits.window_s)
    with db.session() as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.at < since))
        row = LoginAttempt(email=email[:254], client=client[:64], kind="login", trusted=trusted)
        session.add(row)
        session.flush()
        reservation = Reservation(row.id, row.email)
    with db.session() as session:
        login = LoginAttempt.kind == "login", LoginAttempt.at >= since
        by_account = _count(session, *login, LoginAttempt.email == reservation.email, LoginAttempt.trusted == trusted)
        by_client = _count(session, *login, LoginAttempt.client == client[:64])
        # a known browser is exempt from the client limit: neighbours behind one address keep their access
        if by_account <= limits.per_account and (trusted or by_client <= limits.per_client):
            return reservation
        session.execute(delete(LoginAttempt).where(LoginAttempt.id == reservation.id))
    return None


def release_login(db: Database, reservation: Reservation) -> None:
    """The password was right: forget this attempt and the account's earlier failures."""
    clear_failures(db, reservation.email)


def clear_failures(db: Database, email: str) -> None:
    """Forget the failed log-ins of ``email`` (the right password, or an administrator unlocking it)."""
    with db.session() as session:
        session.execute(delete(LoginAttempt).where(LoginAttempt.kind == "login", LoginAttempt.email == email))


def reserve_signup(db: Database, client: str, limit: int, window_s: float) -> bool:
    """Count a sign-up attempt from ``client``; False when it is over ``limit`` per window (then not kept)."""
    since = _window_start(window_s)
    with db.session() as session:
        row = LoginAttempt(email="", client=client[:64], kind="signup")
        session.add(row)
        session.flush()
        row_id = row.id
    with db.session() as session:
        if _count(session, LoginAttempt.kind == "signup", LoginAttempt.client == client[:64],
                  LoginAttempt.at >= since) <= limit:
            return True
        session.execute(delete(LoginAttempt).where(LoginAttempt.id == row_id))
    return False

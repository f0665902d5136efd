"""Passwords, sign-in sessions, CSRF tokens and the log-in rate limit.

- Passwords are hashed with argon2id (argon2-cffi's defaults).
- A sign-in creates a random 256-bit token: the browser keeps it in an HttpOnly, SameSite=Lax
  cookie; the database keeps only its SHA-256, so a copy of the database cannot sign anyone in.
- Every form carries the session's CSRF token (synchroniser-token pattern); forms shown before
  sign-in use a separate pre-session token cookie (double-submit).
- Failed log-ins are counted per e-mail address and per client address within a window.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from kneeline.store.models import LoginAttempt, User, WebSession, utcnow

__all__ = [
    "hash_password", "verify_password", "new_token", "token_digest", "start_session", "find_session",
    "end_session", "tokens_match", "login_blocked", "record_failure", "clear_failures",
    "MIN_PASSWORD_LENGTH",
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


def _window_start(window_s: float) -> datetime:
    return utcnow() - timedelta(seconds=window_s)


def login_blocked(session: Session, email: str, client: str, max_failures: int, window_s: float) -> bool:
    """Whether too many log-ins failed recently for this address or from this client."""
    since = _window_start(window_s)
    by_email = session.scalar(select(func.count()).select_from(LoginAttempt)
                              .where(LoginAttempt.email == email, LoginAttempt.at >= since)) or 0
    by_client = session.scalar(select(func.count()).select_from(LoginAttempt)
                               .where(LoginAttempt.client == client, LoginAttempt.at >= since)) or 0
    return by_email >= max_failures or by_client >= 4 * max_failures


def record_failure(session: Session, email: str, client: str, window_s: float) -> None:
    """Count a failed log-in (and drop counts older than the window)."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < _window_start(window_s)))
    session.add(LoginAttempt(email=email[:254], client=client[:64]))


def clear_failures(session: Session, email: str) -> None:
    """Forget failed log-ins of ``email`` after a successful one."""
    session.execute(delete(LoginAttempt).where(LoginAttempt.email == email))

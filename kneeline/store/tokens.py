"""One-time links: password resets and a patient's invitation of a clinician without an account.

Nothing is e-mailed: the person who issues a link (an administrator or the linked clinician for a
reset, the patient for an invitation) sees it once and hands it over.  The database keeps only the
SHA-256 of the token, its expiry and when it was used.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from sqlalchemy.orm import Session

from kneeline.store.models import AccountToken, utcnow

__all__ = ["TokenKind", "TokenState", "LinkCheck", "issue_link", "check_link", "use_link"]

TokenKind = Literal["reset", "invite"]
TokenState = Literal["valid", "expired", "used", "unknown"]


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class LinkCheck:
    """What a link's token is: its state, and its row when the token is known."""

    state: TokenState
    row: AccountToken | None = None


def issue_link(session: Session, kind: TokenKind, user_id: int, created_by_id: int | None,
               lifetime: timedelta) -> str:
    """Store a new one-time token of ``kind`` for ``user_id`` and return it (shown once, never stored)."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(AccountToken(token_sha256=_digest(token), kind=kind, user_id=user_id,
                             created_by_id=created_by_id, created_at=now, expires_at=now + lifetime))
    session.flush()
    return token


def check_link(session: Session, kind: TokenKind, token: str) -> LinkCheck:
    """Whether ``token`` is a valid, expired, already used or unknown link of ``kind``."""
    row = session.get(AccountToken, _digest(token)) if token else None
    if row is None or row.kind != kind:
        return LinkCheck("unknown")
    if row.used_at is not None:
        return LinkCheck("used", row)
    if row.expires_at < utcnow():
        return LinkCheck("expired", row)
    return LinkCheck("valid", row)


def use_link(row: AccountToken) -> None:
    """Mark a link as used (it cannot be used again)."""
    row.used_at = utcnow()

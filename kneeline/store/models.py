"""kneeline's database tables (SQLAlchemy 2, typed declarative).

One patient's health data hangs off their ``users`` row with ``ON DELETE CASCADE``, so deleting the
account deletes every intake, outcome, analysis, program, session and note in the same transaction
(the files on disk are removed by :func:`kneeline.store.rights.delete_account`).

JSON columns hold the library's pydantic models dumped with ``mode="json"`` (``Intake``,
``ProgramResponse``, ``AnalysisResult``, ``SessionEntry``, ``Decision``), so the web app never keeps
a second copy of clinical logic: it reads the columns back into the same models.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy import false as sa_false
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeDecorator

__all__ = [
    "Base", "User", "PatientProfile", "CareLink", "IntakeRecord", "OutcomeRecord", "Analysis",
    "CoachedSet", "CoachReference", "ProgramVersion", "SessionLog", "ClinicianNote", "WebSession", "LoginAttempt",
    "RecordAccess",
    "ROLES", "ANALYSIS_STATES", "utcnow", "UtcDateTime",
]

ROLES: tuple[str, ...] = ("patient", "clinician", "admin")
ANALYSIS_STATES: tuple[str, ...] = ("queued", "running", "done", "failed")

_NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Timezone-aware current time in UTC (stored as such in every timestamp column)."""
    return datetime.now(UTC)


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Convert an aware time to UTC; a naive time is refused (its zone is unknown)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"timestamps must be timezone-aware; got naive {value.isoformat()}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Attach UTC to the stored value."""
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with stable constraint names (so migrations are the same on every database)."""

    metadata = MetaData(naming_convention=_NAMING)
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, datetime: UtcDateTime()}


def _user_fk() -> ForeignKey:
    return ForeignKey("users.id", ondelete="CASCADE")


class User(Base):
    """An account: a patient, a clinician (physiotherapist) or an administrator."""

    __tablename__ = "users"
    # AUTOINCREMENT on SQLite (migration 0006): a deleted account's id is never given to another
    __table_args__ = (CheckConstraint("role IN ('patient', 'clinician', 'admin')", name="role"),
                      {"sqlite_autoincrement": True})

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(120))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_active_at: Mapped[datetime | None] = mapped_column(default=None)

    profile: Mapped[PatientProfile | None] = relationship(back_populates="user", cascade="all, delete-orphan",
                                                          passive_deletes=True, uselist=False)


class PatientProfile(Base):
    """What kneeline knows of a patient beyond the account (kept current from the latest intake)."""

    __tablename__ = "patient_profiles"

    user_id: Mapped[int] = mapped_column(_user_fk(), primary_key=True)
    sex: Mapped[str | None] = mapped_column(String(16), default=None)
    knee: Mapped[str | None] = mapped_column(String(8), default=None)
    age: Mapped[int | None] = mapped_column(Integer, default=None)
    referred: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(back_populates="profile")


class CareLink(Base):
    """A patient's consent that one clinician may see and edit their record."""

    __tablename__ = "care_links"
    __table_args__ = (UniqueConstraint("clinician_id", "patient_id", name="pair"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    clinician_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    patient_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class IntakeRecord(Base):
    """One completed intake: the answers (``Intake``) and the red-flag screen it gave."""

    __tablename__ = "intakes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    answers: Mapped[dict[str, Any]]
    referred: Mapped[bool] = mapped_column(Boolean)
    screen: Mapped[dict[str, Any]]


class OutcomeRecord(Base):
    """Outcome measures on one day: NPRS and, when answered, AKPS and KOOS-PF with their scores."""

    __tablename__ = "outcomes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    taken_on: Mapped[date] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    nprs: Mapped[int | None] = mapped_column(Integer, default=None)
    akps: Mapped[float | None] = mapped_column(Float, default=None)
    koos_pf: Mapped[float | None] = mapped_column(Float, default=None)
    answers: Mapped[dict[str, Any]]


class Analysis(Base):
    """One uploaded or recorded video and its analysis job.

    ``status`` moves queued -> running -> done | failed.  A job found queued or running at start is
    resumed (``attempts`` counts the starts).  ``video_sha256`` names the content-addressed file.
    """

    __tablename__ = "analyses"
    __table_args__ = (CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
                      {"sqlite_autoincrement": True})  # a deleted analysis's id is never given to another

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    kind: Mapped[str] = mapped_column(String(16), default="test")
    test: Mapped[str] = mapped_column(String(40))
    side: Mapped[str] = mapped_column(String(8), default="auto")
    status: Mapped[str] = mapped_column(String(16), default="queued", index=True)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    stage: Mapped[str] = mapped_column(String(80), default="waiting")
    video_sha256: Mapped[str] = mapped_column(String(64), index=True)
    video_name: Mapped[str] = mapped_column(String(255))
    video_bytes: Mapped[int] = mapped_column(BigInteger)
    result: Mapped[dict[str, Any] | None] = mapped_column(default=None)
    files: Mapped[list[Any] | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    lease_until: Mapped[datetime | None] = mapped_column(default=None)
    """While ``running``: the claim of the worker running it lasts until then (renewed as it works)."""
    setup_warning: Mapped[str | None] = mapped_column(Text, default=None)
    """Recorded before the setup assistant's checks were met ("record anyway"): the warning the result carries."""


class CoachedSet(Base):
    """One set done with the live camera coach: the count, hold time and form it measured.

    Saved the moment the set ends (a partial set included); the session log form offers it when the
    patient logs the session, so nothing counted is lost.
    """

    __tablename__ = "coached_sets"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    exercise_id: Mapped[str] = mapped_column(String(60))
    count: Mapped[int] = mapped_column(Integer)
    hold_s: Mapped[float | None] = mapped_column(Float, default=None)
    quality: Mapped[int | None] = mapped_column(Integer, default=None)
    partial: Mapped[bool] = mapped_column(Boolean, default=False)
    result: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CoachReference(Base):
    """A patient's reference set of one exercise: a coached set their clinician accepted as good form.

    ``result`` is the accepted set's ``CoachResult``; later sets of the exercise are compared with
    it (:func:`kneeline.coach.compare.compare_with_reference`).  One per patient and exercise.
    """

    __tablename__ = "coach_references"
    __table_args__ = (UniqueConstraint("patient_id", "exercise_id", name="exercise"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    exercise_id: Mapped[str] = mapped_column(String(60))
    source: Mapped[str] = mapped_column(String(16))
    """``"live"`` (a :class:`CoachedSet`) or ``"video"`` (a coach :class:`Analysis`)."""
    source_id: Mapped[int] = mapped_column(Integer)
    result: Mapped[dict[str, Any]]
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ProgramVersion(Base):
    """One version of a patient's program (``ProgramResponse``); the highest version is current."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("patient_id", "version", name="version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    version: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    response: Mapped[dict[str, Any]]
    reason: Mapped[str] = mapped_column(String(500))
    created_by: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SessionLog(Base):
    """One logged training session against a program version, with the decisions it gave."""

    __tablename__ = "sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"), index=True)
    session_date: Mapped[date] = mapped_column(Date)
    entry: Mapped[dict[str, Any]]
    decisions: Mapped[list[Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClinicianNote(Base):
    """A clinician's free-text note on a patient's record."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class WebSession(Base):
    """A signed-in browser: the cookie holds a random token, the table only its SHA-256."""

    __tablename__ = "web_sessions"

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]


class LoginAttempt(Base):
    """A log-in (or sign-up) attempt, kept for rate limiting per e-mail address and per client address.

    A log-in's row is written *before* its password is checked and removed if the password was
    right, so concurrent attempts are counted (see :mod:`kneeline.web.security`).  ``trusted``: it
    came from a browser that signed in to this account before (a known device).
    """

    __tablename__ = "login_attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    client: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    kind: Mapped[str] = mapped_column(String(8), default="login", server_default="login")
    trusted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=sa_false())


class RecordAccess(Base):
    """Someone other than the patient opened the patient's record (shown to the patient)."""

    __tablename__ = "record_access"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    patient_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    viewer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    viewer_name: Mapped[str] = mapped_column(String(120))
    viewer_role: Mapped[str] = mapped_column(String(16))
    what: Mapped[str] = mapped_column(String(200))
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class AccountToken(Base):
    """A one-time link: a password reset, or a patient's invitation of a clinician.

    ``kind="reset"``: for the account ``user_id``; ``kind="invite"``: from patient ``user_id`` to a
    clinician who has no account yet.  The link holds a random token; the table keeps only its
    SHA-256, when it expires and when it was used.
    """

    __tablename__ = "account_tokens"
    __table_args__ = (CheckConstraint("kind IN ('reset', 'invite')", name="kind"),)

    token_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int] = mapped_column(_user_fk(), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None] = mapped_column(default=None)

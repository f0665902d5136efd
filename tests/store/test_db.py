"""The database on SQLite and PostgreSQL: migrations, schema, cascades, constraints, timestamps."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select, text
from sqlalchemy.exc import IntegrityError, StatementError

from kneeline.store.db import Database, open_database
from kneeline.store.models import (
    Analysis,
    Base,
    CareLink,
    ClinicianNote,
    IntakeRecord,
    LoginAttempt,
    OutcomeRecord,
    PatientProfile,
    ProgramVersion,
    SessionLog,
    User,
    WebSession,
)

from .records import add_analysis, add_user, fill_patient

CHILD_TABLES = (PatientProfile, CareLink, IntakeRecord, OutcomeRecord, Analysis, ProgramVersion, SessionLog,
                ClinicianNote, WebSession)


def _script_head() -> str | None:
    """The newest migration revision shipped with kneeline."""
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory

    import kneeline.store.db as store_db

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(store_db.__file__).with_name("migrations")))
    return ScriptDirectory.from_config(cfg).get_current_head()


def _head(db: Database) -> str | None:
    with db.engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def test_migrations_create_every_table_and_reapply_as_a_no_op(db_url: str):
    first = open_database(db_url)
    try:
        tables = set(inspect(first.engine).get_table_names())
        assert set(Base.metadata.tables) <= tables and "alembic_version" in tables
        head = _head(first)
        assert head == _script_head()
        with first.session() as session:
            add_user(session, "keep@example.org")
    finally:
        first.dispose()
    second = open_database(db_url)  # what every restart does: migrate again
    try:
        assert _head(second) == head
        with second.session() as session:
            assert session.scalar(select(func.count()).select_from(User)) == 1
    finally:
        second.dispose()


def test_migrated_schema_matches_the_models(db: Database):
    with db.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
    assert diffs == []


def test_deleting_a_user_deletes_every_row_of_their_record(db: Database):
    with db.session() as session:
        clinician = add_user(session, "doc@example.org", role="clinician")
        patient = add_user(session, "pat@example.org")
        other = add_user(session, "other@example.org")
        fill_patient(session, patient, clinician)
        fill_patient(session, other, clinician)
        patient_id, other_id = patient.id, other.id
    with db.session() as session:
        counts = {m.__tablename__: session.scalar(select(func.count()).select_from(m)) for m in CHILD_TABLES}
    assert all(n >= 2 for n in counts.values()), counts  # both patients have a row in every table
    with db.session() as session:
        session.delete(session.get(User, patient_id))
    with db.session() as session:
        for model in CHILD_TABLES:
            column = model.user_id if model in (PatientProfile, WebSession) else model.patient_id  # type: ignore[attr-defined]
            assert session.scalar(select(func.count()).select_from(model).where(column == patient_id)) == 0
            assert session.scalar(select(func.count()).select_from(model).where(column == other_id)) >= 1


def test_deleting_a_clinician_keeps_their_patients_notes_and_programs(db: Database):
    with db.session() as session:
        clinician = add_user(session, "doc@example.org", role="clinician")
        patient = add_user(session, "pat@example.org")
        fill_patient(session, patient, clinician)
        clinician_id, patient_id = clinician.id, patient.id
    with db.session() as session:
        session.execute(User.__table__.delete().where(User.id == clinician_id))
    with db.session() as session:
        note = session.scalars(select(ClinicianNote).where(ClinicianNote.patient_id == patient_id)).one()
        program = session.scalars(select(ProgramVersion).where(ProgramVersion.patient_id == patient_id)).one()
        assert note.author_id is None and program.created_by is None  # ON DELETE SET NULL
        assert session.scalar(select(func.count()).select_from(CareLink)) == 0


@pytest.mark.parametrize("case", ["email", "care_link", "program_version"])
def test_unique_constraints(db: Database, case: str):
    with db.session() as session:
        clinician = add_user(session, "doc@example.org", role="clinician")
        patient = add_user(session, "pat@example.org")
        session.add(CareLink(clinician_id=clinician.id, patient_id=patient.id))
        session.add(ProgramVersion(patient_id=patient.id, version=1, status="active", response={}, reason="first"))
        ids = clinician.id, patient.id
    with pytest.raises(IntegrityError), db.session() as session:
        if case == "email":
            add_user(session, "pat@example.org")
        elif case == "care_link":
            session.add(CareLink(clinician_id=ids[0], patient_id=ids[1]))
        else:
            session.add(ProgramVersion(patient_id=ids[1], version=1, status="active", response={}, reason="again"))
        session.flush()


def test_check_constraints_refuse_unknown_role_and_status(db: Database):
    with pytest.raises(IntegrityError), db.session() as session:
        add_user(session, "x@example.org", role="superuser")
    with db.session() as session:
        patient = add_user(session, "pat@example.org")
    with pytest.raises(IntegrityError), db.session() as session:
        add_analysis(session, patient.id, status="paused")


def test_foreign_keys_are_enforced(db: Database):
    with pytest.raises(IntegrityError), db.session() as session:
        session.add(IntakeRecord(patient_id=999, answers={}, referred=False, screen={}))
        session.flush()


def test_timestamps_round_trip_as_aware_utc(db: Database):
    cest = timezone(timedelta(hours=2))
    when = datetime(2025, 3, 30, 2, 30, 15, 123456, tzinfo=cest)
    with db.session() as session:
        session.add(LoginAttempt(email="a@example.org", client="127.0.0.1", at=when))
    with db.session() as session:
        back = session.scalars(select(LoginAttempt)).one().at
        assert back.tzinfo is not None and back.utcoffset() == timedelta(0)
        assert back == when and back.hour == 0  # the same instant, expressed in UTC
        newer = session.scalar(select(func.count()).select_from(LoginAttempt)
                               .where(LoginAttempt.at > datetime(2025, 3, 30, 0, 30, 14, tzinfo=UTC)))
        assert newer == 1  # comparisons in SQL use UTC too


def test_naive_timestamps_are_refused(db: Database):
    with pytest.raises(StatementError, match="timezone-aware"), db.session() as session:
        session.add(LoginAttempt(email="a@example.org", client="x", at=datetime(2025, 1, 1, 12, 0)))
        session.flush()


def test_json_columns_round_trip(db: Database):
    with db.session() as session:
        patient = add_user(session, "pat@example.org")
        row = add_analysis(session, patient.id, result={"reps": [{"bottom_s": 1.5, "note": "ä"}], "ok": True},
                           files=["result.json", "plot.png"])
        session.add(OutcomeRecord(patient_id=patient.id, taken_on=date(2025, 5, 1), nprs=3, answers={"a": [1, 2]}))
        analysis_id = row.id
    with db.session() as session:
        row = session.get(Analysis, analysis_id)
        assert row is not None
        assert row.result == {"reps": [{"bottom_s": 1.5, "note": "ä"}], "ok": True}
        assert row.files == ["result.json", "plot.png"]
        assert session.scalars(select(OutcomeRecord)).one().taken_on == date(2025, 5, 1)


def test_sqlite_runs_in_wal_mode_with_foreign_keys(db: Database):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite pragmas")
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1


_OLD_T = datetime(2026, 1, 1, tzinfo=UTC)


def _old_user(conn: Any, email: str = "old@example.org") -> int:
    """Insert an account with raw SQL (as an older schema holds it); return its id."""
    conn.execute(text("INSERT INTO users (email, name, password_hash, role, created_at) "
                      "VALUES (:e, 'Old', 'x', 'patient', :t)"), {"e": email, "t": _OLD_T})
    return int(conn.execute(text("SELECT id FROM users WHERE email = :e"), {"e": email}).scalar_one())


def _old_analysis(conn: Any, user_id: int, **extra: str) -> None:
    """Insert a finished analysis with raw SQL; ``extra`` adds columns of later revisions."""
    columns = ", ".join(["patient_id, kind, test, side, status, progress, stage, video_sha256, video_name, "
                         "video_bytes, attempts, created_at, result", *extra])
    values = ", ".join([":u, 'test', 'squat', 'auto', 'done', 1, 'done', 'ab', 'v.mp4', 3, 1, :t, '{\"k\": 1}'",
                        *(f":{k}" for k in extra)])
    conn.execute(text(f"INSERT INTO analyses ({columns}) VALUES ({values})"), {"u": user_id, "t": _OLD_T, **extra})


def test_a_database_at_the_first_revision_upgrades_keeping_its_data(db_url: str):
    from kneeline.store.db import make_engine, migrate

    engine = make_engine(db_url)
    try:
        migrate(engine, "0001")
        with engine.begin() as conn:
            _old_user(conn)
    finally:
        engine.dispose()
    db = open_database(db_url)
    try:
        assert _head(db) == _script_head()
        assert "coach_references" in inspect(db.engine).get_table_names()
        with db.session() as session:
            assert session.scalar(select(User.email)) == "old@example.org"
    finally:
        db.dispose()


def test_upgrade_to_0003_keeps_analyses_and_never_reuses_a_deleted_id(db_url: str):
    """0002 -> 0003 rebuilds ``analyses`` on SQLite (AUTOINCREMENT): rows survive, ids are not reused."""
    from kneeline.store.db import make_engine, migrate

    engine = make_engine(db_url)
    try:
        migrate(engine, "0002")
        with engine.begin() as conn:
            user_id = _old_user(conn)
            for _ in (1, 2):
                _old_analysis(conn, user_id)
            conn.execute(text("INSERT INTO login_attempts (email, client, at) VALUES ('a@b.c', '1.2.3.4', :t)"),
                         {"t": _OLD_T})
    finally:
        engine.dispose()
    db = open_database(db_url)
    try:
        assert _head(db) == _script_head()
        with db.session() as session:
            rows = session.scalars(select(Analysis).order_by(Analysis.id)).all()
            assert [(r.result, r.lease_until) for r in rows] == [({"k": 1}, None), ({"k": 1}, None)]
            last_id = rows[1].id
            attempt = session.scalar(select(LoginAttempt))
            assert attempt is not None and attempt.kind == "login" and attempt.trusted is False
            assert session.scalar(select(func.count()).select_from(User)) == 1
            session.delete(rows[1])
        with db.session() as session:
            new_id = add_analysis(session, user_id).id
        assert new_id == last_id + 1, "the id of a deleted analysis was given to a new one"
    finally:
        db.dispose()


def test_upgrade_from_0004_keeps_data_and_adds_account_tokens(db_url: str):
    """0004 -> 0005 (one-time reset and invitation links): users and analyses survive; the table is new."""
    from kneeline.store.db import make_engine, migrate
    from kneeline.store.models import AccountToken

    engine = make_engine(db_url)
    try:
        migrate(engine, "0004")
        with engine.begin() as conn:
            user_id = _old_user(conn)
            _old_analysis(conn, user_id, setup_warning="record anyway")
        assert "account_tokens" not in inspect(engine).get_table_names()
    finally:
        engine.dispose()
    db = open_database(db_url)
    try:
        assert _head(db) == _script_head() and "account_tokens" in inspect(db.engine).get_table_names()
        with db.session() as session:
            assert session.scalar(select(User.email)) == "old@example.org"
            row = session.scalars(select(Analysis)).one()
            assert row.result == {"k": 1} and row.setup_warning == "record anyway"
            session.add(AccountToken(token_sha256="a" * 64, kind="reset", user_id=user_id,
                                     expires_at=datetime(2026, 1, 2, tzinfo=UTC)))
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(AccountToken)) == 1
    finally:
        db.dispose()


def test_upgrade_to_0006_keeps_accounts_and_their_rows_and_never_reuses_a_user_id(db_url: str):
    """0005 -> 0006 rebuilds ``users`` on SQLite (AUTOINCREMENT) without touching the rows that point at it."""
    from kneeline.store.db import make_engine, migrate

    engine = make_engine(db_url)
    try:
        migrate(engine, "0005")
        with engine.begin() as conn:
            _old_user(conn)
            last_id = _old_user(conn, "last@example.org")
            _old_analysis(conn, last_id)
    finally:
        engine.dispose()
    db = open_database(db_url)
    try:
        assert _head(db) == _script_head()
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(User)) == 2
            assert session.scalars(select(Analysis)).one().patient_id == last_id  # the rebuild kept it
            session.delete(session.get(User, last_id))
        with db.session() as session:
            assert session.scalar(select(func.count()).select_from(Analysis)) == 0  # foreign keys are on again
            session.add(User(email="new@example.org", name="New", password_hash="x", role="patient"))
        with db.session() as session:
            new_id = session.scalar(select(User.id).where(User.email == "new@example.org"))
        assert new_id == last_id + 1, "the id of a deleted account was given to a new one"
    finally:
        db.dispose()

"""Small rows for the storage tests: users and one of every record of a patient."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from kneeline.store.models import (
    Analysis,
    CareLink,
    ClinicianNote,
    IntakeRecord,
    OutcomeRecord,
    PatientProfile,
    ProgramVersion,
    SessionLog,
    User,
    WebSession,
    utcnow,
)

SHA_A = "a" * 64


def add_user(session: Session, email: str, *, role: str = "patient", name: str = "Test Person") -> User:
    """A user with a fake (never checked) password hash."""
    user = User(email=email, name=name, password_hash="$argon2id$v=19$not-a-real-hash", role=role)
    session.add(user)
    session.flush()
    return user


def add_analysis(session: Session, patient_id: int, *, sha256: str = SHA_A, video_name: str = "squat.mp4",
                 **values: Any) -> Analysis:
    """An analysis row of a stored video (status queued unless given)."""
    row = Analysis(patient_id=patient_id, test="squat", video_sha256=sha256, video_name=video_name,
                   video_bytes=1234, **values)
    session.add(row)
    session.flush()
    return row


def fill_patient(session: Session, patient: User, clinician: User) -> None:
    """One row in every table that hangs off a patient (notes and program written by ``clinician``)."""
    pid = patient.id
    session.add(PatientProfile(user_id=pid, sex="female", knee="left", age=34))
    session.add(CareLink(clinician_id=clinician.id, patient_id=pid))
    session.add(IntakeRecord(patient_id=pid, answers={"age": 34}, referred=False, screen={"flags": []}))
    session.add(OutcomeRecord(patient_id=pid, taken_on=date(2025, 1, 2), nprs=4, answers={"nprs": 4}))
    add_analysis(session, pid, sha256=f"{pid:064x}", video_name="lost.mp4")  # never stored
    program = ProgramVersion(patient_id=pid, version=1, status="active", response={"exercises": []},
                             reason="first program", created_by=clinician.id)
    session.add(program)
    session.flush()
    session.add(SessionLog(patient_id=pid, program_id=program.id, session_date=date(2025, 1, 3),
                           entry={"pain": 2}, decisions=[]))
    session.add(ClinicianNote(patient_id=pid, author_id=clinician.id, text="Good control."))
    session.add(WebSession(token_sha256=f"{pid:064x}", user_id=pid, csrf_token="c" * 32,
                           expires_at=utcnow() + timedelta(days=1)))
    session.flush()

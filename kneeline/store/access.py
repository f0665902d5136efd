"""Who opened a patient's record: the access log each patient can read (issue 18, privacy).

Every time someone other than the patient (a linked clinician) opens or changes the record, one row
is written — at most one per person and record every :data:`REPEAT_S` seconds, so a page that polls
does not flood the log.  Rows go with the patient's account (``ON DELETE CASCADE``) and are part of
the patient's data export.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kneeline.store.models import RecordAccess, utcnow

__all__ = ["note_access", "access_log", "REPEAT_S"]

REPEAT_S = 600.0
"""A second opening by the same person within this many seconds is not logged again."""


def note_access(session: Session, patient_id: int, viewer_id: int, viewer_name: str, viewer_role: str,
                what: str = "your record") -> bool:
    """Log that ``viewer`` opened the record of ``patient_id``; return whether a row was written.

    Nothing is logged when the viewer is the patient, or when the same viewer's last row for this
    record is younger than :data:`REPEAT_S`.
    """
    if viewer_id == patient_id:
        return False
    since = utcnow() - timedelta(seconds=REPEAT_S)
    recent = session.scalar(select(RecordAccess.id).where(RecordAccess.patient_id == patient_id,
                                                          RecordAccess.viewer_id == viewer_id,
                                                          RecordAccess.at >= since).limit(1))
    if recent is not None:
        return False
    session.add(RecordAccess(patient_id=patient_id, viewer_id=viewer_id, viewer_name=viewer_name[:120],
                             viewer_role=viewer_role[:16], what=what[:200]))
    return True


def access_log(session: Session, patient_id: int, limit: int = 500) -> list[RecordAccess]:
    """The record's access log, newest first (at most ``limit`` rows)."""
    return list(session.scalars(select(RecordAccess).where(RecordAccess.patient_id == patient_id)
                                .order_by(RecordAccess.at.desc(), RecordAccess.id.desc()).limit(limit)))

"""The retention setting (kneeline/store/retention.py) on SQLite and PostgreSQL, with real files."""

from __future__ import annotations

from datetime import timedelta

from kneeline.config import PrivacySettings
from kneeline.store.db import Database
from kneeline.store.files import FileStore
from kneeline.store.models import Analysis, RecordAccess, utcnow
from kneeline.store.retention import apply_retention

from .records import add_user

OLD, SHARED, NEW, BUSY = ("a" * 64, "b" * 64, "c" * 64, "d" * 64)


def _blob(files: FileStore, sha: str) -> None:
    path = files.path(sha)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"video")


def test_videos_past_retention_go_and_everything_else_stays(db: Database, files: FileStore) -> None:
    now = utcnow()
    with db.session() as s:
        patient = add_user(s, "p@example.org")
        physio = add_user(s, "c@example.org", role="clinician")
        for sha, days, status in ((OLD, 40, "done"), (SHARED, 40, "done"), (SHARED, 2, "done"), (NEW, 2, "done"),
                                  (BUSY, 40, "queued")):
            s.add(Analysis(patient_id=patient.id, test="squat", video_sha256=sha, video_name="v.mp4", video_bytes=5,
                           status=status, result={"kept": True}, created_at=now - timedelta(days=days)))
            _blob(files, sha)
        s.add(RecordAccess(patient_id=patient.id, viewer_id=physio.id, viewer_name="C", viewer_role="clinician",
                           what="your record", at=now - timedelta(days=800)))
        s.add(RecordAccess(patient_id=patient.id, viewer_id=physio.id, viewer_name="C", viewer_role="clinician",
                           what="your record", at=now - timedelta(days=1)))
    kept_forever = apply_retention(db, files, PrivacySettings(), now=now)
    assert kept_forever.videos == () and kept_forever.access_rows == 1
    done = apply_retention(db, files, PrivacySettings(video_retention_days=30), now=now)
    assert done.videos == (OLD,)
    assert not files.has(OLD) and files.has(SHARED) and files.has(NEW) and files.has(BUSY)
    with db.session() as s:
        assert s.query(Analysis).count() == 5 and all(a.result == {"kept": True} for a in s.query(Analysis))
        assert s.query(RecordAccess).count() == 1

"""Fixtures of the job tests: a patient with a stored video, and a short real squat clip."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from kneeline.store.db import Database
from kneeline.store.files import FileStore
from kneeline.store.models import Analysis, User

QueueJob = Callable[..., int]


@pytest.fixture
def queue_job(db: Database, files: FileStore) -> QueueJob:
    """Store ``content`` (bytes, or a file's path) and add a queued analysis row for it; return its id."""

    def add(content: bytes | Path, *, name: str = "clip.mp4", test: str = "squat", kind: str = "test",
            store: bool = True, **values: object) -> int:
        data = content.read_bytes() if isinstance(content, Path) else content
        import hashlib

        sha = hashlib.sha256(data).hexdigest()
        if store:  # written directly: ingest_video would refuse a bad video before it reaches a job
            blob = files.path(sha)
            blob.parent.mkdir(parents=True, exist_ok=True)
            blob.write_bytes(data)
        with db.session() as session:
            user = session.query(User).filter_by(email="pat@example.org").one_or_none()
            if user is None:
                user = User(email="pat@example.org", name="Pat", password_hash="x", role="patient")
                session.add(user)
                session.flush()
            row = Analysis(patient_id=user.id, kind=kind, test=test, video_sha256=sha, video_name=name,
                           video_bytes=len(data), **values)
            session.add(row)
            session.flush()
            return row.id

    return add


def row(db: Database, analysis_id: int) -> Analysis:
    """The analysis row as stored now."""
    with db.session() as session:
        found = session.get(Analysis, analysis_id)
        assert found is not None
        return found



"""The retention setting: how long uploaded videos and the record access log are kept.

``privacy.video_retention_days`` (off by default): an uploaded video is deleted once every analysis
that uses it was uploaded more than that many days ago and none is still queued or running.  The
analyses keep their results and keypoints (``keypoints.csv``); a later re-analysis works from
those.  ``privacy.access_log_days``: older access-log rows are deleted.  Applied at every start of
``kneeline serve`` and once a day while it runs.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select

from kneeline.config import PrivacySettings
from kneeline.store.db import Database
from kneeline.store.files import FileStore
from kneeline.store.models import Analysis, RecordAccess, utcnow

__all__ = ["Retained", "apply_retention"]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Retained:
    """What one pass of :func:`apply_retention` deleted."""

    videos: tuple[str, ...]
    access_rows: int


def apply_retention(db: Database, files: FileStore, privacy: PrivacySettings, *,
                    now: datetime | None = None) -> Retained:
    """Delete the videos and access-log rows older than the retention settings allow.

    Parameters
    ----------
    db, files
        The database and the file store.
    privacy
        The settings (``video_retention_days``: None keeps videos; ``access_log_days``).
    now
        The current time (for tests); default now.
    """
    now = now or utcnow()
    videos: list[str] = []
    with db.session() as session:
        rows = session.execute(delete(RecordAccess).where(
            RecordAccess.at < now - timedelta(days=privacy.access_log_days)))
        access_rows = int(getattr(rows, "rowcount", 0) or 0)
        if privacy.video_retention_days is not None:
            cutoff = now - timedelta(days=privacy.video_retention_days)
            unfinished = func.sum(Analysis.status.in_(("queued", "running")).cast(Analysis.attempts.type))
            expired = (select(Analysis.video_sha256).group_by(Analysis.video_sha256)
                       .having(func.max(Analysis.created_at) < cutoff, func.coalesce(unfinished, 0) == 0))
            videos = list(session.scalars(expired))
    removed = tuple(sha for sha in videos if files.remove_blob(sha))
    if removed or access_rows:
        logger.info("retention: deleted %d videos and %d access-log rows", len(removed), access_rows)
    return Retained(videos=removed, access_rows=access_rows)

"""The job-queue interface, the resume rule shared by every queue, and the in-thread queue for tests.

A queue runs :func:`kneeline.jobs.runner.run_analysis` for ``analyses`` rows.  The database row is
the single source of truth about a job (status, progress, stage, error, attempts): a queue holds
nothing a restart would lose, so any engine (a process pool here, a Ray cluster later) can take
over the same rows.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Protocol, runtime_checkable

from sqlalchemy import select, update

from kneeline.store.db import Database
from kneeline.store.models import Analysis, utcnow

__all__ = ["JobQueue", "InlineJobs", "MAX_ATTEMPTS", "GAVE_UP_MESSAGE", "resumable_jobs"]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
"""Starts of one job after which a job that keeps stopping (crash, restart) is given up."""

GAVE_UP_MESSAGE = (f"stopped {MAX_ATTEMPTS} times while analysing; try a shorter video or report it")
"""The error shown to the user for a job given up after :data:`MAX_ATTEMPTS` starts."""


@runtime_checkable
class JobQueue(Protocol):
    """Runs analyses in the background; the ``analyses`` rows hold every job's state."""

    def submit(self, analysis_id: int) -> None:
        """Queue the analysis ``analysis_id`` (a row whose status is ``queued``)."""
        ...

    def resume(self) -> int:
        """Re-submit the jobs a crash or restart interrupted; return how many were submitted.

        Rows still ``queued`` or ``running`` are submitted again, except those already started
        :data:`MAX_ATTEMPTS` times, which are marked ``failed`` with :data:`GAVE_UP_MESSAGE`.
        Call it once, when the process that owns the queue starts.
        """
        ...

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking jobs; with ``wait``, return only when the running ones have finished."""
        ...


def resumable_jobs(db: Database) -> list[int]:
    """Ids of the interrupted jobs to run again, oldest first; gives up those started too often.

    Parameters
    ----------
    db
        The database.

    Returns
    -------
    list of int
        Rows ``queued`` or ``running`` started fewer than :data:`MAX_ATTEMPTS` times.  Those
        started :data:`MAX_ATTEMPTS` times or more are marked ``failed`` (in the same transaction).
    """
    unfinished = Analysis.status.in_(("queued", "running"))
    with db.session() as session:
        gave_up = session.execute(
            update(Analysis).where(unfinished, Analysis.attempts >= MAX_ATTEMPTS)
            .values(status="failed", stage="failed", error=GAVE_UP_MESSAGE, finished_at=utcnow())
            .returning(Analysis.id)).scalars().all()
        ids = list(session.scalars(select(Analysis.id).where(unfinished).order_by(Analysis.id)))
    for analysis_id in gave_up:
        logger.warning("analysis %d gave up after %d starts", analysis_id, MAX_ATTEMPTS)
    return ids


def resubmit_interrupted(queue: JobQueue, database_url: str) -> int:
    """Submit every interrupted job of ``database_url`` to ``queue`` again; return how many (for ``resume``)."""
    ids = resumable_job_ids(database_url)
    for analysis_id in ids:
        queue.submit(analysis_id)
    if ids:
        logger.info("resumed %d interrupted analysis job(s) on %s", len(ids), type(queue).__name__)
    return len(ids)


def resumable_job_ids(database_url: str) -> list[int]:
    """:func:`resumable_jobs` of the database at ``database_url`` (opened and closed here)."""
    from kneeline.store.db import open_database

    db = open_database(database_url, upgrade=False)
    try:
        return resumable_jobs(db)
    finally:
        db.dispose()


class InlineJobs:
    """A queue that runs each job at once in the calling thread (tests, scripts, a CLI batch).

    Parameters
    ----------
    database_url
        SQLAlchemy URL of the database holding the ``analyses`` rows.
    data_dir
        The data directory (the file store's root; logs go to ``data_dir/logs``).
    run
        If False, ``submit`` and ``resume`` leave the jobs queued (tests of the web pages that
        need no analysis).
    """

    def __init__(self, database_url: str, data_dir: str | Path, *, run: bool = True) -> None:
        self.database_url = database_url
        self.data_dir = Path(data_dir)
        self.run = run
        self.submitted: list[int] = []

    def submit(self, analysis_id: int) -> None:
        """Run the job now (when ``run``) and return when it has finished."""
        from kneeline.jobs.runner import run_analysis

        self.submitted.append(analysis_id)
        if self.run:
            run_analysis(self.database_url, self.data_dir, analysis_id)

    def resume(self) -> int:
        """Run every interrupted job now (see :meth:`JobQueue.resume`); return how many."""
        return resubmit_interrupted(self, self.database_url)

    def shutdown(self, wait: bool = True) -> None:
        """Nothing to stop: every job ran in ``submit``."""

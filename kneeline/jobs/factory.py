"""The job queue a web server uses, chosen by the ``jobs`` setting (``KNEELINE_JOBS``)."""

from __future__ import annotations

from pathlib import Path

from kneeline.jobs.base import JobQueue

__all__ = ["make_job_queue"]


def make_job_queue(jobs: str, database_url: str, data_dir: str | Path, *, workers: int) -> JobQueue:
    """Return the queue for ``jobs``: ``local`` (worker processes here) or ``ray``/``ray://HOST:PORT``.

    Parameters
    ----------
    jobs
        The ``jobs`` setting (see :func:`kneeline.jobs.ray_queue.parse_jobs_setting`).
    database_url, data_dir
        Where the jobs' rows and files live.
    workers
        Worker processes of the local queue (``web.workers``); a Ray cluster has its own CPUs.

    Raises
    ------
    InputError
        If Ray is requested but missing, or its cluster does not answer.
    ValueError
        For an unknown ``jobs`` value.
    """
    from kneeline.jobs.ray_queue import parse_jobs_setting

    engine, address = parse_jobs_setting(jobs)
    if engine == "ray":
        from kneeline.jobs.ray_queue import RayJobs

        return RayJobs(database_url, data_dir, address)
    from kneeline.jobs.pool import ProcessPoolJobs

    return ProcessPoolJobs(database_url, data_dir, workers=workers)

"""Background analysis on a Ray cluster: ``RayJobs`` (``KNEELINE_JOBS=ray://HOST:PORT``).

Each job is one Ray task running :func:`kneeline.jobs.runner.run_analysis` on whichever machine of
the cluster has a free CPU, so a clinic adds machines (``ray start --address=HEAD:6379`` on each)
without any change to kneeline.  What the machines share: the database (PostgreSQL; SQLite only
when every worker is on this machine) and the data folder (the file store: uploaded videos and
outputs, on a shared file system at the same path everywhere).  What each worker has: its own
process, pose model and database connection.

As with the process pool, the ``analyses`` row is the single source of truth: a task whose worker
process dies is run again by Ray (``max_retries``), and the row's claim, lease and attempt counter
(:mod:`kneeline.jobs.runner`) keep one job from having two runners; :meth:`RayJobs.resume` hands
interrupted rows to the cluster again after a restart of the web server.
"""

from __future__ import annotations

import logging
import threading
from pathlib import Path
from typing import Any

from kneeline.jobs.base import MAX_ATTEMPTS, resubmit_interrupted

__all__ = ["RayJobs", "parse_jobs_setting"]

logger = logging.getLogger(__name__)


def parse_jobs_setting(value: str) -> tuple[str, str | None]:
    """Split the ``jobs`` setting into an engine and an address.

    ``local`` -> (``local``, None); ``ray`` -> (``ray``, None: a Ray on this machine, started or
    joined); ``ray://HOST:PORT`` -> (``ray``, ``ray://HOST:PORT``: Ray Client of a cluster);
    ``ray:HOST:PORT`` -> (``ray``, ``HOST:PORT``: the head node's GCS, from a machine of the cluster).

    Raises
    ------
    ValueError
        For any other value.
    """
    text = value.strip()
    if text in ("", "local"):
        return "local", None
    if text == "ray":
        return "ray", None
    if text.startswith("ray://"):
        return "ray", text
    if text.startswith("ray:"):
        return "ray", text[len("ray:"):]
    raise ValueError(f"unknown jobs setting {value!r}; expected local, ray, ray://HOST:PORT or ray:HOST:PORT")


def _run_job(database_url: str, data_dir: str, analysis_id: int) -> str:
    """The Ray task: one analysis (imports kneeline's runner in the worker process)."""
    from kneeline.jobs.runner import run_analysis

    return run_analysis(database_url, data_dir, analysis_id)


class RayJobs:
    """A :class:`~kneeline.jobs.base.JobQueue` running each job as a task on a Ray cluster.

    Parameters
    ----------
    database_url
        SQLAlchemy URL of kneeline's database; every worker must reach it.
    data_dir
        The data directory; every worker must see it at this path.
    address
        The cluster (see :func:`kneeline.cluster.connect`); None joins or starts a Ray on this machine.

    Raises
    ------
    InputError
        If Ray is missing or the cluster does not answer (at construction, before any job).
    """

    def __init__(self, database_url: str, data_dir: str | Path, address: str | None = None) -> None:
        from kneeline.cluster import connect

        self.database_url = database_url
        self.data_dir = Path(data_dir)
        self._ray = connect(address)
        self._task = self._ray.remote(num_cpus=1, max_retries=MAX_ATTEMPTS - 1)(_run_job)
        self._lock = threading.Lock()
        self._pending: dict[Any, int] = {}
        self._closed = False

    def submit(self, analysis_id: int) -> None:
        """Hand the job to the cluster; it runs when a worker has a free CPU.

        Raises
        ------
        RuntimeError
            After :meth:`shutdown`.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("this job queue is shut down; create a new RayJobs to submit jobs")
            ref = self._task.remote(self.database_url, str(self.data_dir), analysis_id)
            self._pending[ref] = analysis_id
            refs = list(self._pending)
        ready, _ = self._ray.wait(refs, num_returns=len(refs), timeout=0)
        self._collect(ready)  # a long-running server keeps only the jobs still running

    def resume(self) -> int:
        """Submit every interrupted job again (see :meth:`kneeline.jobs.base.JobQueue.resume`)."""
        return resubmit_interrupted(self, self.database_url)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every submitted job has ended; False if ``timeout`` seconds passed first."""
        with self._lock:
            refs = list(self._pending)
        if not refs:
            return True
        ready, waiting = self._ray.wait(refs, num_returns=len(refs), timeout=timeout)
        self._collect(ready)
        return not waiting

    def _collect(self, refs: list[Any]) -> None:
        for ref in refs:
            with self._lock:
                analysis_id = self._pending.pop(ref, None)
            if analysis_id is None:
                continue
            try:
                logger.info("analysis %d: %s", analysis_id, self._ray.get(ref))
            except Exception as exc:  # a lost worker after every retry, the database unreachable...
                # The row stays queued/running: resume() runs it at the next start.
                logger.error("analysis %d could not be run on Ray: %s", analysis_id, exc)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking jobs; with ``wait`` return when the submitted ones have ended, else cancel them.

        Cancelled jobs keep their rows ``queued``/``running``; :meth:`resume` runs them at the next
        start (their lease runs out first when a worker was stopped mid-job).
        """
        with self._lock:
            self._closed = True
            refs = list(self._pending)
        if wait:
            self.wait()
            return
        for ref in refs:
            self._ray.cancel(ref, force=True)

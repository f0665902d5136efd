"""Background analysis in worker processes: ``ProcessPoolJobs``.

Workers are *spawned*, not forked: MediaPipe (and the threads of a running web server) do not
survive ``fork``.  Each worker imports kneeline once (a few seconds) and then runs job after job;
it is replaced after ``max_tasks_per_child`` jobs to bound the memory a long-running server holds.

When a worker dies (killed, out of memory, a crash inside native code) the pool is broken: it is
replaced and the jobs that were in it are submitted again.  The attempt counter in each row, not
this class, decides when a job that keeps crashing is given up.

Workers die with the server: each watches its parent process and exits as soon as it is gone (a
``kill -9`` of the server included), so no orphan finishes a job, takes the next one or blocks on
a dead pipe while a restarted server runs the same job.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from kneeline.jobs.base import resubmit_interrupted
from kneeline.jobs.runner import release_leases, run_analysis

__all__ = ["ProcessPoolJobs", "PARENT_CHECK_S"]

logger = logging.getLogger(__name__)

PARENT_CHECK_S = 0.5
"""How often a worker checks that the server that started it is still alive."""


def _watch_parent(parent_pid: int) -> None:
    """Worker initializer: exit the worker as soon as ``parent_pid`` is no longer its parent."""

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(PARENT_CHECK_S)
        os._exit(70)  # the server is gone: stop now (its job is resumed by the next server)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


class ProcessPoolJobs:
    """A :class:`~kneeline.jobs.base.JobQueue` running jobs in spawned worker processes.

    Parameters
    ----------
    database_url
        SQLAlchemy URL of kneeline's database (each worker opens its own engine).
    data_dir
        The data directory (file store root, logs).
    workers
        Jobs run at the same time.  Each uses about one CPU core and 0.5-1 GB of memory.
    max_tasks_per_child
        Jobs a worker runs before it is replaced (None: never replaced).
    """

    def __init__(self, database_url: str, data_dir: str | Path, workers: int = 1, *,
                 max_tasks_per_child: int | None = 20) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1; got {workers}")
        self.database_url = database_url
        self.data_dir = Path(data_dir)
        self.workers = workers
        self.max_tasks_per_child = max_tasks_per_child
        self._lock = threading.RLock()  # a callback of an already finished future runs inside submit
        self._idle = threading.Condition(self._lock)
        self._executor: ProcessPoolExecutor | None = None
        self._pending: dict[Future[str], int] = {}
        self._closed = False

    def _pool(self) -> ProcessPoolExecutor:
        """The executor, created on first use (called with the lock held)."""
        if self._executor is None:
            self._executor = ProcessPoolExecutor(max_workers=self.workers,
                                                 mp_context=multiprocessing.get_context("spawn"),
                                                 max_tasks_per_child=self.max_tasks_per_child,
                                                 initializer=_watch_parent, initargs=(os.getpid(),))
        return self._executor

    def submit(self, analysis_id: int) -> None:
        """Queue the job; it runs when a worker is free.

        Raises
        ------
        RuntimeError
            After :meth:`shutdown`.
        """
        with self._lock:
            if self._closed:
                raise RuntimeError("this job queue is shut down; create a new ProcessPoolJobs to submit jobs")
            self._submit_locked(analysis_id)

    def _submit_locked(self, analysis_id: int) -> None:
        try:
            future = self._pool().submit(run_analysis, self.database_url, str(self.data_dir), analysis_id)
        except BrokenProcessPool:
            self._replace_broken_locked()
            future = self._pool().submit(run_analysis, self.database_url, str(self.data_dir), analysis_id)
        self._pending[future] = analysis_id
        future.add_done_callback(self._done)

    def _replace_broken_locked(self) -> None:
        broken = self._executor
        self._executor = None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)

    def _done(self, future: Future[str]) -> None:
        """Runs when a job ends; resubmits jobs lost with a broken pool."""
        with self._lock:
            analysis_id = self._pending.pop(future, None)
            if analysis_id is None:
                return
            exc = None if future.cancelled() else future.exception()
            if future.cancelled():
                logger.info("analysis %d not started before the shutdown; it is resumed at the next start",
                            analysis_id)
            elif isinstance(exc, BrokenProcessPool) and self._closed:
                logger.info("analysis %d stopped by the shutdown; it is resumed at the next start", analysis_id)
            elif isinstance(exc, BrokenProcessPool):
                logger.warning("a worker process died; analysis %d is submitted again", analysis_id)
                if self._executor is not None and getattr(self._executor, "_broken", False):
                    self._replace_broken_locked()
                release_leases(self.database_url, [analysis_id])  # its worker is dead: no need to wait
                self._submit_locked(analysis_id)
            elif exc is not None:
                # run_analysis records every job error in the row; this is e.g. the database being
                # unreachable.  The row stays queued/running and is resumed at the next start.
                logger.error("analysis %d could not be run: %s", analysis_id, exc, exc_info=exc)
            else:
                logger.info("analysis %d: %s", analysis_id, future.result())
            self._idle.notify_all()

    def resume(self) -> int:
        """Submit every interrupted job again (see :meth:`kneeline.jobs.base.JobQueue.resume`)."""
        return resubmit_interrupted(self, self.database_url)

    def wait(self, timeout: float | None = None) -> bool:
        """Block until every submitted job has ended; False if ``timeout`` seconds passed first."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._pending, timeout=timeout)

    def shutdown(self, wait: bool = True) -> None:
        """Stop taking jobs.

        With ``wait``, run the queued jobs and return when all have ended.  Without it, queued jobs
        are cancelled and running ones are stopped (their workers are terminated), so a server
        restarts at once: the rows stay ``queued``/``running`` and :meth:`resume` runs them at the
        next start.  Every write of a job is atomic, so a stopped job leaves nothing half-done.
        """
        with self._lock:
            self._closed = True
            executor = self._executor
            in_flight = list(self._pending.values())
        if executor is None:
            return
        if wait:
            executor.shutdown(wait=True)
            return
        # ProcessPoolExecutor has no public way to stop running work before Python 3.14
        # (terminate_workers); its worker table is stable from 3.8 to 3.13.
        processes = list(getattr(executor, "_processes", {}).values())
        executor.shutdown(wait=False, cancel_futures=True)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=10)
        if not any(process.is_alive() for process in processes):
            try:  # the workers are gone: the next start may take their jobs at once
                release_leases(self.database_url, in_flight)
            except Exception as exc:  # the database is unreachable: the leases simply run out
                logger.warning("could not release the leases of stopped jobs: %s", exc)

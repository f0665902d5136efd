"""Several server processes on one data folder: how many there are, and which one does the chores.

``kneeline serve --processes N`` (setting ``web.processes``) starts N uvicorn worker processes that
share the port, the database and the data folder.  Every process answers requests; one of them,
the *lead* (whoever holds an exclusive lock on ``server.lock`` in the data folder), also does what
must happen once per server: resume interrupted analyses, sweep orphan files, apply the retention
settings daily.  When the lead dies, uvicorn starts a replacement, which takes the lock over.

Jobs stay correct without the lead too: an analysis row is claimed atomically in the database with
a lease (:mod:`kneeline.jobs.runner`), so two processes never run one job; the lock only saves the
others from queuing a job that the lead's workers will claim anyway.  Each process analyses the
uploads it receives in its own pool, so up to ``web.processes`` x ``web.workers`` analyses run at once.

What is shared lives in the database: sign-in sessions, the log-in and sign-up rate limits
(``login_attempts`` rows), jobs.  What is per process: the cap on live-coaching sockets per user
(``web.max_live_sockets`` counts the sockets of one process) and the chart cache.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import IO

from kneeline.config import Settings

__all__ = ["server_processes", "LeadLock", "MAX_AUTO_PROCESSES", "LOCK_FILE"]

MAX_AUTO_PROCESSES = 4
"""``web.processes = 0`` with PostgreSQL starts one process per CPU core, at most this many."""

LOCK_FILE = "server.lock"
"""File in the data folder that the lead process holds locked."""


def server_processes(settings: Settings, cpu_count: int | None = None) -> int:
    """The number of server processes for ``settings``.

    ``web.processes`` when set; for 0 (the default), one per CPU core (at most
    :data:`MAX_AUTO_PROCESSES`) with PostgreSQL, and 1 with SQLite: SQLite lets one writer in at a
    time, and one process already keeps a small practice's pages fast.

    Parameters
    ----------
    settings
        kneeline's settings.
    cpu_count
        CPU cores (default: ``os.cpu_count()``).
    """
    if settings.web.processes:
        return settings.web.processes
    url = (settings.database_url or "").lower()
    if not url.startswith(("postgresql", "postgres:")):
        return 1
    cores = cpu_count if cpu_count is not None else (os.cpu_count() or 1)
    return max(1, min(MAX_AUTO_PROCESSES, cores))


class LeadLock:
    """An exclusive, non-blocking lock on ``data_dir/server.lock`` held for a process's lifetime.

    On systems without ``fcntl`` (Windows) every process counts as the lead (one process there).
    """

    def __init__(self, data_dir: Path) -> None:
        self.path = Path(data_dir) / LOCK_FILE
        self._file: IO[bytes] | None = None

    def acquire(self) -> bool:
        """Take the lock if no other process holds it; True when this process is the lead."""
        try:
            import fcntl
        except ImportError:
            return True
        handle = self.path.open("ab")
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # another process is the lead
            handle.close()
            return False
        except OSError:  # no locks on this file system: lead anyway (jobs are claimed atomically)
            handle.close()
            return True
        self._file = handle
        return True

    def release(self) -> None:
        """Let the lock go (closing the file releases it; a dead process's lock goes with it)."""
        if self._file is not None:
            self._file.close()
            self._file = None

"""How many server processes ``web.processes`` gives, and the lock that picks the one doing the chores."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeline.config import Settings
from kneeline.web.processes import MAX_AUTO_PROCESSES, LeadLock, server_processes


def test_an_explicit_count_is_used_on_either_database() -> None:
    assert server_processes(Settings(web={"processes": 3})) == 3
    assert server_processes(Settings(web={"processes": 2}, database_url="postgresql://u@h/db")) == 2


def test_the_default_is_one_process_on_sqlite_and_one_per_core_on_postgresql() -> None:
    assert server_processes(Settings(), cpu_count=8) == 1
    pg = Settings(database_url="postgresql://u@h/db")
    assert server_processes(pg, cpu_count=2) == 2
    assert server_processes(pg, cpu_count=64) == MAX_AUTO_PROCESSES
    assert server_processes(pg, cpu_count=1) == 1


def test_only_one_holder_of_the_lead_lock_at_a_time(tmp_path: Path) -> None:
    pytest.importorskip("fcntl", reason="the lead lock uses fcntl.flock (POSIX)")
    first, second = LeadLock(tmp_path), LeadLock(tmp_path)
    assert first.acquire()
    assert not second.acquire()  # another open file: refused, as another process would be
    first.release()
    assert second.acquire()  # a released (or dead) lead's lock is taken over
    second.release()

"""Running batch items: here (``local``) or on a Ray cluster (``ray``).

Both engines hand each item to a :class:`~kneeline.batch.worker.BatchWorker`, which keeps one pose
model loaded and writes the item's folder atomically.  The Ray engine makes each worker a Ray
*actor* (one process, one CPU, one model) and lets Ray do the scheduling and the recovery: an actor
whose process dies is restarted (``max_restarts``) and the item it was working on is run again
(``max_task_retries``); the worker skips an item whose folder is already complete, so a retried
item is never published twice.  An item whose worker dies on every attempt fails with that reason.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from kneeline.batch.manifest import BatchItem
from kneeline.batch.worker import BatchWorker, ItemOutcome, journal_path

__all__ = ["OnOutcome", "run_local", "run_ray", "RAY_ITEM_RETRIES"]

OnOutcome = Callable[[ItemOutcome], None]
"""Called once per item as it ends (drives the progress bar)."""

RAY_ITEM_RETRIES = 2
"""Times an item is run again after its worker process died (so at most three attempts)."""


def run_local(items: Sequence[BatchItem], out_dir: Path, *, annotate: bool, settings_json: str | None,
              on_outcome: OnOutcome | None = None) -> list[ItemOutcome]:
    """Run the items one after another in this process, with one pose model."""
    worker = BatchWorker(out_dir, annotate=annotate, settings_json=settings_json)
    outcomes = []
    try:
        for item in items:
            outcome = worker.run(item)
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
    finally:
        worker.close()
    return outcomes


def _died(item: BatchItem, out_dir: Path, exc: Exception, starts: int) -> ItemOutcome:
    return ItemOutcome(line=item.line, video=str(item.video), test=item.test, side=item.side,
                       patient_id=item.patient_id, status="failed", output=str(out_dir / item.name),
                       reason=f"the worker process died on each of {starts} attempts ({type(exc).__name__}: "
                              f"{str(exc)[:200]}); the video may crash the pose model or need more memory")


def _starts(out_dir: Path, item: BatchItem) -> int:
    """Attempts that really began (the worker logs ``start`` before analysing)."""
    try:
        text = journal_path(out_dir, item).read_text(encoding="utf-8")
    except OSError:
        return 0
    return sum(1 for line in text.splitlines() if line.startswith("start "))


def start_ray_workers(ray: Any, n: int, out_dir: Path, *, annotate: bool, settings_json: str | None) -> list[Any]:
    """Create ``n`` worker actors (one CPU each, restarted when their process dies)."""
    actor = ray.remote(num_cpus=1, max_restarts=-1, max_task_retries=RAY_ITEM_RETRIES)(BatchWorker)
    return [actor.remote(str(out_dir), annotate=annotate, settings_json=settings_json) for _ in range(n)]


def run_ray(items: Sequence[BatchItem], out_dir: Path, *, address: str | None, workers: int, annotate: bool,
            settings_json: str | None, on_outcome: OnOutcome | None = None,
            on_workers: Callable[[list[Any]], None] | None = None) -> list[ItemOutcome]:
    """Run the items on Ray actors, each worker taking the next item when it is free.

    Parameters
    ----------
    items
        The items.
    out_dir
        The batch's output folder; every worker must see it at the same path (on several machines:
        a shared file store).
    address
        The cluster (see :func:`kneeline.cluster.connect`); None starts a Ray on this machine.
    workers
        Actors to start (each holds one pose model and uses one CPU).
    annotate, settings_json
        As :class:`~kneeline.batch.worker.BatchWorker`.
    on_outcome
        Called as each item ends.
    on_workers
        Called with the actor handles once they are started (monitoring; the tests kill one).

    Raises
    ------
    InputError
        If Ray is missing or the address does not answer (before any item starts).
    """
    from kneeline.cluster import connect

    ray = connect(address, num_cpus=None if address else max(1, workers))
    from ray.exceptions import RayActorError, RayTaskError

    actors = start_ray_workers(ray, max(1, min(workers, len(items))), out_dir, annotate=annotate,
                               settings_json=settings_json)
    if on_workers is not None:
        on_workers(actors)
    queue = list(items)[::-1]
    running: dict[Any, tuple[Any, BatchItem]] = {}
    outcomes: list[ItemOutcome] = []
    earlier: dict[int, int] = {}  # starts logged by earlier runs of this batch, per item line

    def give(actor: Any) -> None:
        if queue:
            item = queue.pop()
            earlier.setdefault(item.line, _starts(out_dir, item))
            running[actor.run.remote(item)] = (actor, item)

    for actor in actors:
        give(actor)
    try:
        while running:
            ready, _ = ray.wait(list(running), num_returns=1)
            actor, item = running.pop(ready[0])
            try:
                outcome = ray.get(ready[0])
            except RayActorError as exc:
                # Ray already ran the item again up to RAY_ITEM_RETRIES times; retries spent while the
                # actor was still restarting never began, so only the starts logged in this run count.
                starts = _starts(out_dir, item) - earlier[item.line]
                if starts <= RAY_ITEM_RETRIES:
                    queue.append(item)
                    give(actor)
                    continue
                outcome = _died(item, out_dir, exc, starts)
            except RayTaskError as exc:  # not an error of the analysis (the worker reports those itself)
                outcome = _died(item, out_dir, exc, _starts(out_dir, item) - earlier[item.line])
            outcomes.append(outcome)
            if on_outcome is not None:
                on_outcome(outcome)
            give(actor)
    finally:
        for actor in actors:
            ray.kill(actor, no_restart=True)
    return outcomes

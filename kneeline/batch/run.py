"""``run_batch``: read the input, run the items on an engine, write ``summary.csv``.

The batch is resumable: run it again with the same input and output folder and the items whose
folder is complete are skipped (``skipped`` in the summary), the others run.  ``summary.csv`` lists
every row of the input in input order, failures with their reason; it is rewritten (atomically) at
the end of every run.
"""

from __future__ import annotations

import csv
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Literal

from kneeline.batch.manifest import BatchItem, RowFailure, read_batch_input
from kneeline.batch.worker import JOURNAL_DIR, ItemOutcome, journal_path
from kneeline.errors import InputError

__all__ = ["Engine", "BatchReport", "SUMMARY_NAME", "SUMMARY_COLUMNS", "run_batch"]

Engine = Literal["local", "ray"]

SUMMARY_NAME = "summary.csv"
"""The batch summary, in the output folder."""

SUMMARY_COLUMNS: tuple[str, ...] = (*(f.name for f in fields(ItemOutcome)), "attempts")
"""Columns of ``summary.csv``."""


@dataclass(frozen=True)
class BatchReport:
    """The outcome of one batch run.

    Attributes
    ----------
    outcomes
        One per input row, in input order (refused rows included, as ``failed``).
    summary
        Path of ``summary.csv``.
    """

    outcomes: tuple[ItemOutcome, ...]
    summary: Path

    def count(self, status: str) -> int:
        """Number of outcomes with ``status`` (``done``, ``skipped`` or ``failed``)."""
        return sum(1 for o in self.outcomes if o.status == status)

    @property
    def failures(self) -> list[ItemOutcome]:
        """The failed rows, with their reasons."""
        return [o for o in self.outcomes if o.status == "failed"]


def _refused(row: RowFailure) -> ItemOutcome:
    return ItemOutcome(line=row.line, video=row.video, test=row.test, side=row.side, patient_id=row.patient_id,
                       status="failed", reason=row.reason)


def _attempts(out_dir: Path, items: Sequence[BatchItem]) -> dict[int, int]:
    """Starts of each item recorded in its log (all runs of this batch)."""
    counts = {}
    for item in items:
        try:
            lines = journal_path(out_dir, item).read_text(encoding="utf-8").splitlines()
        except OSError:
            lines = []
        counts[item.line] = sum(1 for line in lines if line.startswith("start "))
    return counts


def _remove_stale_partials(out_dir: Path, items: Sequence[BatchItem]) -> None:
    """Remove the partial folders a killed worker left beside the items' output folders."""
    for item in items:
        folder = out_dir / item.name
        for stale in folder.parent.glob(f".{folder.name}.partial-*"):
            shutil.rmtree(stale, ignore_errors=True)


def _write_summary(path: Path, outcomes: Sequence[ItemOutcome], attempts: dict[int, int]) -> None:
    fd, tmp = tempfile.mkstemp(prefix=".summary-", suffix=".csv", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=SUMMARY_COLUMNS)
            writer.writeheader()
            for outcome in outcomes:
                row: dict[str, Any] = outcome.as_row()
                row["seconds"] = f"{outcome.seconds:.1f}"
                row["reps"] = "" if outcome.reps is None else outcome.reps
                row["attempts"] = attempts.get(outcome.line, 0) if outcome.output else 0
                writer.writerow(row)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run_batch(source: str | Path, out_dir: str | Path, *, engine: Engine = "local", address: str | None = None,
              workers: int = 1, test: str | None = None, side: str = "auto", annotate: bool = True,
              settings_json: str | None = None, on_start: Callable[[int], None] | None = None,
              on_outcome: Callable[[ItemOutcome], None] | None = None,
              on_workers: Callable[[list[Any]], None] | None = None) -> BatchReport:
    """Analyse every video of a folder or CSV manifest into ``out_dir``.

    Parameters
    ----------
    source
        A folder of videos or a CSV manifest (see :mod:`kneeline.batch.manifest`).
    out_dir
        Output folder: one sub-folder per video, ``summary.csv`` and the per-item logs (``.batch/``).
    engine
        ``local`` (this process, one model) or ``ray`` (``workers`` actors on a Ray cluster).
    address
        Ray cluster address for ``engine="ray"``; None starts a Ray on this machine.
    workers
        Ray workers (actors); each keeps one pose model loaded and uses one CPU.
    test, side
        Test and side of a folder's videos, and of manifest rows that leave them empty.
    annotate
        Write ``annotated.mp4`` for each video.
    settings_json
        Analysis settings (JSON of ``AnalysisSettings``); None uses the defaults.
    on_start
        Called with the number of items about to run (the progress bar's total).
    on_outcome
        Called as each item ends.
    on_workers
        Ray engine only: called with the actor handles once started.

    Returns
    -------
    BatchReport
        Every row's outcome and the summary's path.

    Raises
    ------
    InputError
        If the input cannot be read, the output folder cannot be created, workers is below 1, or (Ray)
        the cluster does not answer.  Each of these stops the batch before any video is analysed.
    """
    if workers < 1:
        raise InputError(f"--workers must be 1 or more; got {workers}")
    if engine not in ("local", "ray"):
        raise InputError(f"unknown engine {engine!r}; expected local or ray")
    if engine == "ray" and address is not None:
        from kneeline.cluster import check_address

        check_address(address)  # a cluster that does not answer stops the batch before anything is written
    items, refused = read_batch_input(source, test=test, side=side)
    out = Path(out_dir).expanduser().resolve()
    try:
        (out / JOURNAL_DIR).mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the output folder {out}: {exc}. Choose another folder with --out.") from exc
    if on_start is not None:
        on_start(len(items))
    if engine == "ray":
        from kneeline.batch.engines import run_ray

        done = run_ray(items, out, address=address, workers=workers, annotate=annotate,
                       settings_json=settings_json, on_outcome=on_outcome, on_workers=on_workers)
    else:
        from kneeline.batch.engines import run_local

        done = run_local(items, out, annotate=annotate, settings_json=settings_json, on_outcome=on_outcome)
    _remove_stale_partials(out, items)
    outcomes = sorted([*done, *(_refused(r) for r in refused)], key=lambda o: o.line)
    summary = out / SUMMARY_NAME
    _write_summary(summary, outcomes, _attempts(out, items))
    return BatchReport(tuple(outcomes), summary)

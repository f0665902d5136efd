"""One batch worker: a pose model kept loaded, analysing one item after another.

Each item gets its own output folder ``OUT/<item.name>`` written atomically
(:func:`kneeline.report.writer.write_outputs`: ``result.json`` last), so a folder holding
``result.json`` is complete.  :meth:`BatchWorker.run` skips such a folder: a batch started again,
or an item retried after its worker was killed, is never analysed twice once it has been published.

Every start and end of an item is appended to ``OUT/.batch/<item.name>.log`` (one line each:
``start|done|failed|skipped <pid> <time>``): the summary counts attempts from it, and whoever
watches a batch sees which process works on which video.
"""

from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from kneeline.batch.manifest import BatchItem
from kneeline.errors import KneelineError

__all__ = ["ItemOutcome", "BatchWorker", "JOURNAL_DIR", "journal_path", "is_complete"]

JOURNAL_DIR = ".batch"
"""Folder under the batch's output folder holding one small log per item."""


@dataclass(frozen=True)
class ItemOutcome:
    """What became of one item.

    Attributes
    ----------
    line, video, test, side, patient_id
        The item (or refused row).
    status
        ``done`` (analysed now), ``skipped`` (complete from an earlier run) or ``failed``.
    reason
        Why it failed ("" otherwise).
    output
        The item's output folder ("" for a refused row).
    reps
        Repetitions (or steps/holds) found, when done or skipped.
    seconds
        Time this worker spent on it (0 when skipped or refused).
    worker
        ``host:pid`` of the process that ran it.
    """

    line: int
    video: str
    test: str
    side: str
    patient_id: str
    status: str
    reason: str = ""
    output: str = ""
    reps: int | None = None
    seconds: float = 0.0
    worker: str = ""

    def as_row(self) -> dict[str, Any]:
        """The outcome as a dict of CSV cells."""
        return asdict(self)


def journal_path(out_dir: Path, item: BatchItem) -> Path:
    """The log file of ``item`` under ``out_dir``."""
    return out_dir / JOURNAL_DIR / f"{item.name}.log"


def is_complete(folder: Path) -> bool:
    """True when ``folder`` holds a published analysis (``result.json`` is written last)."""
    return (folder / "result.json").is_file()


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _log(out_dir: Path, item: BatchItem, event: str) -> None:
    path = journal_path(out_dir, item)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as f:
        f.write(f"{event} {os.getpid()} {time.time():.3f}\n")


def _reps(folder: Path) -> int | None:
    try:
        data = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    steps = data.get("steps") or []
    return len(steps) if data.get("test") == "gait" else len(data.get("reps") or [])


class BatchWorker:
    """Analyses batch items with one pose model, created on first use and kept loaded.

    Parameters
    ----------
    out_dir
        The batch's output folder (shared by every worker; on several machines a shared file store).
    annotate
        Write ``annotated.mp4`` for each video.
    settings_json
        Analysis settings as JSON (``AnalysisSettings``); None uses the defaults.
    """

    def __init__(self, out_dir: str | Path, *, annotate: bool = True, settings_json: str | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.annotate = annotate
        self.settings_json = settings_json
        self._backend: Any = None

    def pid(self) -> int:
        """Return the process id of this worker."""
        return os.getpid()

    def _model(self) -> Any:
        from kneeline.pose.mediapipe_backend import MediaPipePose

        if self._backend is None:
            self._backend = MediaPipePose()
        else:
            self._backend.reset()  # a new video: forget the person tracked in the last one
        return self._backend

    def run(self, item: BatchItem) -> ItemOutcome:
        """Analyse ``item`` into ``out_dir/item.name``; skip it when that folder is complete.

        Every kneeline error (bad video, unusable capture, no repetitions) and any other exception
        becomes a ``failed`` outcome with its reason; only the death of the process is not caught
        (the engine retries the item).
        """
        folder = self.out_dir / item.name
        base = ItemOutcome(line=item.line, video=str(item.video), test=item.test, side=item.side,
                           patient_id=item.patient_id, status="failed", output=str(folder), worker=_worker_name())
        if is_complete(folder):
            _log(self.out_dir, item, "skipped")
            return replace(base, status="skipped", reps=_reps(folder))
        _log(self.out_dir, item, "start")
        started = time.perf_counter()
        try:
            self._analyse(item, folder)
        except KneelineError as exc:
            _log(self.out_dir, item, "failed")
            return replace(base, reason=str(exc), seconds=time.perf_counter() - started)
        except Exception as exc:  # a bug or a broken file the library did not foresee: reported, batch goes on
            _log(self.out_dir, item, "failed")
            return replace(base, reason=f"internal error: {type(exc).__name__}: {exc}",
                           seconds=time.perf_counter() - started)
        _log(self.out_dir, item, "done")
        return replace(base, status="done", reps=_reps(folder), seconds=time.perf_counter() - started)

    def _analyse(self, item: BatchItem, folder: Path) -> None:
        from kneeline.config import AnalysisSettings
        from kneeline.io.video import probe
        from kneeline.pipeline import analyze_video
        from kneeline.report.writer import write_outputs

        probe(item.video)  # an unreadable file fails here, before the model is loaded
        settings = None if self.settings_json is None else AnalysisSettings.model_validate_json(self.settings_json)
        run = analyze_video(item.video, item.test, side=item.side,  # type: ignore[arg-type]
                            settings=settings, backend=self._model())
        write_outputs(folder, run.result, run.table, run.pose, item.video, annotate=self.annotate)

    def close(self) -> None:
        """Close the pose model."""
        if self._backend is not None:
            self._backend.close()
            self._backend = None

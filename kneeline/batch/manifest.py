"""What a batch holds: the videos of a folder, or the rows of a CSV manifest.

A manifest is a CSV file with a header row and the columns ``video`` (a path, relative to the
manifest's folder or absolute), ``test``, ``side`` (``left``, ``right`` or ``auto``; empty = auto)
and optionally ``patient_id``.  Each row is checked on its own: a missing file, an unknown test, a
bad side or patient id, or a repeated row fails that row with its reason, and the other rows run.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from kneeline.errors import InputError

__all__ = ["BatchItem", "RowFailure", "VIDEO_SUFFIXES", "MANIFEST_COLUMNS", "read_batch_input"]

VIDEO_SUFFIXES: frozenset[str] = frozenset({".mp4", ".mov", ".m4v", ".avi", ".webm", ".mkv"})
"""File name endings taken as videos when the input is a folder."""

MANIFEST_COLUMNS: tuple[str, ...] = ("video", "test", "side", "patient_id")
"""Columns of a CSV manifest; ``video`` and ``test`` are required, the others optional."""

_SIDES = ("left", "right", "auto")
_PATIENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


@dataclass(frozen=True)
class BatchItem:
    """One video to analyse.

    Attributes
    ----------
    line
        Line of the manifest (1 = header, so rows start at 2), or the position in the folder (1...).
    video
        The video file (absolute).
    test
        Movement test.
    side
        ``left``, ``right`` or ``auto``.
    patient_id
        Optional identifier; the output folder is then ``OUT/<patient_id>/<name>``.
    name
        Output folder name (relative to the batch's output folder), unique within the batch.
    """

    line: int
    video: Path
    test: str
    side: str
    patient_id: str
    name: str


@dataclass(frozen=True)
class RowFailure:
    """A manifest row refused before any analysis, with its reason."""

    line: int
    video: str
    test: str
    side: str
    patient_id: str
    reason: str


def _tests() -> tuple[str, ...]:
    from kneeline.pipeline import TESTS

    return TESTS


def read_batch_input(source: str | Path, *, test: str | None = None,
                     side: str = "auto") -> tuple[list[BatchItem], list[RowFailure]]:
    """Read a folder of videos or a CSV manifest.

    Parameters
    ----------
    source
        A folder (every file ending in :data:`VIDEO_SUFFIXES`, sorted by name) or a ``.csv`` manifest.
    test
        The test of every video of a folder, and of manifest rows whose ``test`` is empty.
    side
        The side of every video of a folder, and of manifest rows whose ``side`` is empty.

    Returns
    -------
    tuple
        The items to run and the rows refused (each with its reason).

    Raises
    ------
    InputError
        If ``source`` does not exist, is neither a folder nor a CSV file, has no video or row, lacks
        the ``video`` column, or a folder is given without ``test``.
    """
    path = Path(source).expanduser()
    if path.is_dir():
        return _read_folder(path, test, side)
    if path.is_file() and path.suffix.lower() == ".csv":
        return _read_manifest(path, test, side)
    if not path.exists():
        raise InputError(f"batch input not found: {path}. Give a folder of videos or a CSV manifest "
                         f"(columns {', '.join(MANIFEST_COLUMNS)}).")
    raise InputError(f"{path.name} is neither a folder nor a .csv manifest. Give a folder of videos or a CSV "
                     f"manifest (columns {', '.join(MANIFEST_COLUMNS)}).")


def _read_folder(folder: Path, test: str | None, side: str) -> tuple[list[BatchItem], list[RowFailure]]:
    if test is None:
        raise InputError(f"{folder} is a folder: say which test its videos show with --test "
                         f"({', '.join(_tests())}), or give a CSV manifest with a test per video.")
    videos = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in VIDEO_SUFFIXES)
    if not videos:
        raise InputError(f"no video in {folder} (looked for {', '.join(sorted(VIDEO_SUFFIXES))}).")
    rows = [(i + 1, str(p), test, side, "") for i, p in enumerate(videos)]
    return _check_rows(rows, folder)


def _read_manifest(manifest: Path, test: str | None, side: str) -> tuple[list[BatchItem], list[RowFailure]]:
    try:
        with manifest.open(newline="", encoding="utf-8-sig") as f:
            reader = csv.DictReader(f)
            columns = [c.strip().lower() for c in reader.fieldnames or []]
            if "video" not in columns:
                raise InputError(f"{manifest.name} has no 'video' column (found: {', '.join(columns) or 'none'}). "
                                 f"The first line must name the columns: {', '.join(MANIFEST_COLUMNS)}.")
            rows = []
            for record in reader:
                cells = {str(k).strip().lower(): (v or "").strip() for k, v in record.items() if k is not None}
                if not any(cells.values()):
                    continue
                rows.append((reader.line_num, cells.get("video", ""), cells.get("test") or (test or ""),
                             cells.get("side") or side, cells.get("patient_id", "")))
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError(f"cannot read the manifest {manifest}: {exc}. Expected a UTF-8 CSV file with the "
                         f"columns {', '.join(MANIFEST_COLUMNS)}.") from exc
    if not rows:
        raise InputError(f"the manifest {manifest.name} has no rows below its header.")
    return _check_rows(rows, manifest.parent)


def _row_problem(video: Path, test: str, side: str, patient_id: str) -> str:
    tests = _tests()
    if not str(video) or video == Path():
        return "no video given in the 'video' column"
    if not video.is_file():
        return f"video file not found: {video}"
    if test not in tests:
        return f"unknown test {test!r}; expected one of: {', '.join(tests)}"
    if side not in _SIDES:
        return f"bad side {side!r}; expected left, right or auto (empty = auto)"
    if patient_id and not _PATIENT_ID.match(patient_id):
        return (f"bad patient_id {patient_id!r}; use 1-64 letters, digits, '.', '_' or '-' (it names the output "
                "folder)")
    return ""


def _check_rows(rows: list[tuple[int, str, str, str, str]],
                base: Path) -> tuple[list[BatchItem], list[RowFailure]]:
    items: list[BatchItem] = []
    failures: list[RowFailure] = []
    seen: dict[tuple[str, str, str, str], int] = {}
    names: set[str] = set()
    for line, video_text, test, side, patient_id in rows:
        video = Path(os.path.abspath(base / video_text)) if video_text else Path()
        problem = _row_problem(video, test, side, patient_id)
        key = (str(video), test, side, patient_id)
        if not problem and key in seen:
            problem = f"the same video, test, side and patient as line {seen[key]}; analysed once"
        if problem:
            failures.append(RowFailure(line, video_text, test, side, patient_id, problem))
            continue
        seen[key] = line
        name = _unique_name(video, test, side, patient_id, names)
        items.append(BatchItem(line, video, test, side, patient_id, name))
    return items, failures


def _unique_name(video: Path, test: str, side: str, patient_id: str, taken: set[str]) -> str:
    """``[patient/]stem-test[-side]``, with a short hash of the path when two videos share a stem."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", video.stem).strip("._") or "video"
    leaf = f"{stem}-{test}" + ("" if side == "auto" else f"-{side}")
    name = f"{patient_id}/{leaf}" if patient_id else leaf
    if name in taken:
        digest = hashlib.sha256(str(video).encode()).hexdigest()[:8]
        name = f"{name}-{digest}"
    taken.add(name)
    return name

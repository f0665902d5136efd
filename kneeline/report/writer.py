"""Writing an analysis's outputs safely: all files of a run appear together, or none do.

The files are written into a temporary sibling folder (``.DIR.partial-xxxx``, same parent, so the
moves stay on one file system) and moved into the output folder only when every one succeeded.
``result.json`` is written last and moved last: its presence marks a complete output.  On failure
the partial folder is removed and the output folder is left as it was.
"""

from __future__ import annotations

import logging
import secrets
import shutil
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from kneeline.errors import InputError
from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import PoseSeries
from kneeline.report.result import AnalysisResult

if TYPE_CHECKING:
    from kneeline.report.annotate import FrameCopy

__all__ = ["OUTPUT_FILES", "Outputs", "write_outputs", "write_folder", "beside_video"]

logger = logging.getLogger(__name__)

T = TypeVar("T")

OUTPUT_FILES: tuple[str, ...] = ("frames.csv", "plot.png", "annotated.mp4", "result.json")
"""The files of one analysis, in the order they are written; ``result.json`` last."""


class Outputs(dict[str, Path]):
    """Output name -> path of each file written, plus what was skipped and why.

    Attributes
    ----------
    skipped
        Output name -> reason, for outputs not written (e.g. ``annotated.mp4`` without a video).
    video_codec
        FourCC of the codec ``annotated.mp4`` was written with, None if it was not written.
    """

    def __init__(self, written: Mapping[str, Path], skipped: Mapping[str, str], video_codec: str | None) -> None:
        super().__init__(written)
        self.skipped: dict[str, str] = dict(skipped)
        self.video_codec = video_codec


def _check_out_dir(out: Path) -> None:
    """Refuse an output path that is an existing file."""
    if out.exists() and not out.is_dir():
        raise InputError(f"output folder {out} is an existing file; give a folder path with --out "
                         "(a new or existing folder).")


def _make_partial_dir(out: Path) -> Path:
    """Create the temporary sibling folder ``.NAME.partial-xxxxxxxx`` next to ``out``.

    Created with :func:`os.mkdir`'s default mode, so the folder gets the user's usual permissions
    when it is renamed into place.
    """
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(100):
            tmp = out.parent / f".{out.name}.partial-{secrets.token_hex(4)}"
            try:
                tmp.mkdir()
            except FileExistsError:
                continue
            return tmp
        raise FileExistsError(f"no free name for a partial folder beside {out}")
    except OSError as exc:
        raise InputError(f"cannot create the output folder {out}: {exc}. Choose another folder with --out.") from exc


def _publish_dir(tmp: Path, out: Path) -> list[str]:
    """Move the files of ``tmp`` into ``out``; ``result.json`` last.  Return the names moved.

    A new output folder is the partial folder renamed (one atomic step).  Into an existing folder
    the files are moved one by one: the old ``result.json`` is removed first and the new one moved
    last, so the folder never looks complete with a mix of two runs.  An older run's file that this
    run did not write (e.g. ``annotated.mp4`` after ``--no-video``) is removed; other files in
    ``out`` are never touched.
    """
    names = [name for name in OUTPUT_FILES if (tmp / name).is_file()]
    if not out.exists():
        try:
            tmp.rename(out)
            return names
        except OSError:  # created meanwhile by someone else: fall through to the file-by-file moves
            logger.debug("%s appeared while writing; moving the files one by one", out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "result.json").unlink(missing_ok=True)
    for stale in OUTPUT_FILES:
        if stale not in names and (out / stale).is_file():
            (out / stale).unlink()
    for name in names:
        (tmp / name).replace(out / name)
    return names


def write_folder(out_dir: str | Path, write: Callable[[Path], T]) -> tuple[T, Path, list[str]]:
    """Run ``write(tmp)`` in a partial folder beside ``out_dir``, then publish its outputs into ``out_dir``.

    Returns
    -------
    tuple
        What ``write`` returned, the resolved output folder, and the output names published.

    Raises
    ------
    InputError
        If ``out_dir`` is an existing file, or the folder cannot be created or written; ``out_dir``
        is then left as it was and no partial folder stays behind.
    """
    out = Path(out_dir).expanduser().resolve()
    _check_out_dir(out)
    tmp = _make_partial_dir(out)
    try:
        value = write(tmp)
        names = _publish_dir(tmp, out)
    except OSError as exc:
        raise InputError(f"cannot write the outputs to {out}: {exc}. Check free space and permissions, "
                         "or choose another folder with --out.") from exc
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return value, out, names


def beside_video(tables: Callable[[], None], video: Callable[[], T]) -> T:
    """Run ``tables`` (e.g. frames.csv and plot.png) in a second thread while ``video`` runs here.

    OpenCV releases the GIL while it decodes and encodes, so drawing the tables while the annotated
    video is written lets the two cores share the work.  An error of either is raised here (the
    video's first); both have finished when this returns or raises.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="kneeline-outputs") as pool:
        side = pool.submit(tables)
        try:
            value = video()
        finally:
            error = side.exception()  # waits for the tables either way
        if error is not None:
            raise error
    return value


def _write_all(tmp: Path, result: AnalysisResult, table: KinematicsTable, pose: PoseSeries,
               video_path: str | Path | None, annotate: bool,
               progress: Callable[[int, int], None] | None,
               copies: Sequence[FrameCopy]) -> tuple[dict[str, str], str | None]:
    """Write every output into ``tmp``; return the skipped outputs and the video codec."""
    from kneeline.report.annotate import write_annotated_video
    from kneeline.report.frames_csv import write_frames_csv
    from kneeline.report.plot import write_plot

    def tables() -> None:
        write_frames_csv(tmp / "frames.csv", table, result)
        write_plot(tmp / "plot.png", table, result)

    skipped: dict[str, str] = {}
    codec: str | None = None
    if video_path is None or not annotate:
        tables()
        skipped["annotated.mp4"] = ("no video: the keypoints were read from a file" if video_path is None
                                    else "annotated video not requested")
    else:
        codec = beside_video(tables, lambda: write_annotated_video(tmp / "annotated.mp4", video_path, pose, table,
                                                                   result, progress=progress, copies=copies))
    (tmp / "result.json").write_text(result.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return skipped, codec


def write_outputs(out_dir: str | Path, result: AnalysisResult, table: KinematicsTable, pose: PoseSeries,
                  video_path: str | Path | None, *, annotate: bool = True,
                  progress: Callable[[int, int], None] | None = None,
                  copies: Sequence[FrameCopy] = ()) -> Outputs:
    """Write result.json, frames.csv, plot.png and (from a video) annotated.mp4 into ``out_dir``.

    Parameters
    ----------
    out_dir
        Output folder; created if missing.  Earlier kneeline outputs in it are replaced, other files
        are left alone.
    result
        The analysis result, written as ``result.json``.
    table
        Per-frame kinematics, written as ``frames.csv`` and drawn in ``plot.png``.
    pose
        Keypoints, drawn in ``annotated.mp4``.
    video_path
        The analysed video; None when the keypoints came from a file (no ``annotated.mp4`` then).
    annotate
        Whether to write ``annotated.mp4`` (the slow part).
    progress
        Called as ``progress(done, total)`` while the annotated video is written.
    copies
        Other videos made from the annotated frames as they are drawn (e.g. the web app's WebM).

    Returns
    -------
    Outputs
        Output name -> path of each file written; ``.skipped`` names the outputs not written and
        why, ``.video_codec`` the codec of ``annotated.mp4``.

    Raises
    ------
    InputError
        If ``out_dir`` is an existing file, cannot be created or written, or the video cannot be
        read.  Any error leaves ``out_dir`` as it was and no partial folder behind.
    """
    (skipped, codec), out, names = write_folder(
        out_dir, lambda tmp: _write_all(tmp, result, table, pose, video_path, annotate, progress, copies))
    for name, reason in skipped.items():
        logger.info("%s not written: %s", name, reason)
    return Outputs({name: out / name for name in names}, skipped, codec)

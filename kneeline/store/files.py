"""Files under the data directory: uploaded videos (content-addressed) and each analysis's outputs.

Layout under ``root`` (the data directory)::

    blobs/ab/<sha256>      one uploaded video, named by the SHA-256 of its bytes (stored once)
    analyses/<id>/         the outputs of analysis ``id`` (result.json, plot.png, annotated.webm...)
    tmp/<random>/<name>    an upload being received (removed when done; swept when stale)

An upload is streamed to ``tmp`` in chunks (memory does not grow with its size), hashed on the way,
checked with :func:`kneeline.io.video.probe`, and only then renamed into ``blobs`` (one atomic
step on the same file system).  Two uploads of the same bytes share one blob; which rows still
reference a blob is the database's business (:mod:`kneeline.store.rights`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from kneeline.errors import InputError
from kneeline.io.video import VideoInfo, check_limits, probe

__all__ = ["FileStore", "StoredVideo", "safe_name", "CHUNK_BYTES", "STALE_TEMP_S", "megabytes"]

logger = logging.getLogger(__name__)

CHUNK_BYTES = 1 << 20
"""Bytes read from an upload stream at a time."""

STALE_TEMP_S = 6 * 3600.0
"""A temporary upload or partial output untouched for this long is left over from a crash."""

_SHA256 = re.compile(r"[0-9a-f]{64}")
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass(frozen=True)
class StoredVideo:
    """A video kept in the file store.

    Attributes
    ----------
    sha256
        Hex SHA-256 of the bytes; the blob's name.
    size
        Size in bytes.
    path
        The blob (``blobs/ab/<sha256>``).
    info
        What :func:`~kneeline.io.video.probe` read from the upload (its ``path`` is the temporary
        file, which no longer exists).
    """

    sha256: str
    size: int
    path: Path
    info: VideoInfo


def safe_name(filename: str, default: str = "video") -> str:
    """A file name safe to create on any file system: no folders, no odd characters, at most 100 chars.

    Parameters
    ----------
    filename
        A name as a browser or user gave it (may hold a client-side path).
    default
        Used when nothing of ``filename`` is left.
    """
    base = re.split(r"[\\/]", filename)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" .")
    if not cleaned:
        return default
    if len(cleaned) > 100:
        stem, dot, ext = cleaned.rpartition(".")
        cleaned = (stem[: 100 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else cleaned[:100]
    return cleaned


def _check_sha(sha256: str) -> str:
    if not _SHA256.fullmatch(sha256):
        raise ValueError(f"expected a SHA-256 as 64 lower-case hex digits; got {sha256!r}")
    return sha256


def _newest_mtime(path: Path) -> float:
    """Latest modification time of ``path`` or anything inside it (0 when it vanished)."""
    try:
        newest = path.stat().st_mtime
        if path.is_dir():
            for child in path.rglob("*"):
                newest = max(newest, child.stat().st_mtime)
    except OSError:
        return 0.0
    return newest


def _remove(path: Path) -> bool:
    """Remove a file or folder tree; True if something was removed."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path)
        return True
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


class FileStore:
    """The data directory's files: content-addressed video blobs and per-analysis output folders.

    Creating a store makes its folders and removes temporary files left by a crash (untouched for
    :data:`STALE_TEMP_S`, so uploads in progress in another process are not disturbed).

    Parameters
    ----------
    root
        The data directory (see :func:`kneeline.store.db.default_data_dir`).
    """

    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).expanduser().resolve()
        self.blobs_dir = self.root / "blobs"
        self.analyses_dir = self.root / "analyses"
        self.tmp_dir = self.root / "tmp"
        for folder in (self.blobs_dir, self.analyses_dir, self.tmp_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.sweep_temp()

    def __repr__(self) -> str:
        return f"FileStore({str(self.root)!r})"

    # ---- blobs ---------------------------------------------------------------------------------

    def path(self, sha256: str) -> Path:
        """Where the blob ``sha256`` is (or would be) stored.

        Raises
        ------
        ValueError
            If ``sha256`` is not 64 lower-case hex digits (so no name can escape the store).
        """
        sha = _check_sha(sha256)
        return self.blobs_dir / sha[:2] / sha

    def has(self, sha256: str) -> bool:
        """Whether the blob ``sha256`` is stored."""
        return self.path(sha256).is_file()

    def blob_hashes(self) -> Iterator[str]:
        """The SHA-256 of every stored blob."""
        for sub in sorted(self.blobs_dir.iterdir()):
            if sub.is_dir():
                for blob in sorted(sub.iterdir()):
                    if _SHA256.fullmatch(blob.name):
                        yield blob.name

    def remove_blob(self, sha256: str) -> bool:
        """Delete the blob ``sha256``; True if it existed.  The caller checks nothing references it."""
        removed = _remove(self.path(sha256))
        if removed:
            logger.info("removed video blob %s", sha256)
        return removed

    def ingest_video(self, stream: BinaryIO, *, filename: str, max_bytes: int) -> StoredVideo:
        """Store an uploaded video: stream it to disk, check it is a usable video, keep it by its hash.

        Parameters
        ----------
        stream
            The upload, read in :data:`CHUNK_BYTES` chunks until it returns ``b""``.
        filename
            The name the user gave the file (used in messages and to help FFmpeg probe it).
        max_bytes
            Largest accepted upload; reading stops as soon as it is exceeded.

        Returns
        -------
        StoredVideo
            The blob.  Bytes already stored under the same hash are not stored twice.

        Raises
        ------
        InputError
            If the upload is larger than ``max_bytes``, empty, not a video (or audio only, cut off,
            without decodable frames), or above kneeline's frame-size or duration limits.  Nothing
            is kept then.
        """
        if max_bytes <= 0:
            raise ValueError(f"max_bytes must be positive; got {max_bytes}")
        name = safe_name(filename)
        work = self._temp_dir()
        try:
            tmp = work / name
            sha256, size = _receive(stream, tmp, name=name, max_bytes=max_bytes)
            info = probe(tmp)
            check_limits(info)
            final = self._place(tmp, sha256)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        logger.info("stored %s (%d bytes) as blob %s", name, size, sha256)
        return StoredVideo(sha256=sha256, size=size, path=final, info=info)

    def _temp_dir(self) -> Path:
        self.tmp_dir.mkdir(parents=True, exist_ok=True)
        return Path(tempfile.mkdtemp(prefix="upload-", dir=self.tmp_dir))

    def _place(self, tmp: Path, sha256: str) -> Path:
        """Move ``tmp`` to the blob path (or keep the existing blob) and return the blob path."""
        final = self.path(sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.is_file():
            # Same bytes already stored: reuse them, and mark them recently used so that
            # sweep_orphans does not take the blob before the new row referencing it is saved.
            os.utime(final)
            return final
        os.replace(tmp, final)
        return final

    # ---- analysis outputs ----------------------------------------------------------------------

    def analysis_dir(self, analysis_id: int) -> Path:
        """The output folder of analysis ``analysis_id`` (``analyses/<id>``; not created here)."""
        if isinstance(analysis_id, bool) or not isinstance(analysis_id, int) or analysis_id < 0:
            raise ValueError(f"expected an analysis id (a non-negative integer); got {analysis_id!r}")
        return self.analyses_dir / str(analysis_id)

    def analysis_ids(self) -> Iterator[int]:
        """The ids of every analysis with an output folder."""
        for folder in sorted(self.analyses_dir.iterdir()):
            if folder.is_dir() and folder.name.isdigit():
                yield int(folder.name)

    def remove_analysis(self, analysis_id: int) -> bool:
        """Delete the output folder of ``analysis_id``; True if it existed."""
        removed = _remove(self.analysis_dir(analysis_id))
        if removed:
            logger.info("removed the outputs of analysis %d", analysis_id)
        return removed

    # ---- housekeeping --------------------------------------------------------------------------

    def sweep_temp(self, *, older_than_s: float = STALE_TEMP_S) -> int:
        """Remove uploads and partial output folders untouched for ``older_than_s`` seconds.

        Returns
        -------
        int
            How many were removed.
        """
        cutoff = time.time() - older_than_s
        stale = [p for p in self.tmp_dir.iterdir()] if self.tmp_dir.is_dir() else []
        if self.analyses_dir.is_dir():
            stale += [p for p in self.analyses_dir.iterdir() if p.name.startswith(".")]
        removed = 0
        for path in stale:
            if _newest_mtime(path) < cutoff:
                try:
                    removed += _remove(path)
                except OSError as exc:
                    logger.warning("cannot remove the stale temporary %s: %s", path, exc)
        if removed:
            logger.info("removed %d stale temporary file(s) under %s", removed, self.root)
        return removed


def megabytes(n_bytes: int) -> str:
    """``n_bytes`` in MB of 1024 x 1024 bytes (as the web settings' ``max_upload_mb``)."""
    mb = n_bytes / (1 << 20)
    return f"{mb:.0f}" if mb >= 10 else f"{mb:.3g}"


def _receive(stream: BinaryIO, tmp: Path, *, name: str, max_bytes: int) -> tuple[str, int]:
    """Copy ``stream`` to ``tmp`` chunk by chunk; return its SHA-256 and size.

    Raises
    ------
    InputError
        As soon as more than ``max_bytes`` arrived, or when nothing arrived.
    """
    digest = hashlib.sha256()
    size = 0
    with tmp.open("wb") as out:
        while chunk := stream.read(CHUNK_BYTES):
            size += len(chunk)
            if size > max_bytes:
                raise InputError(f"{name} is larger than the upload limit of {megabytes(max_bytes)} MB. Trim the "
                                 "video to the test itself (a few repetitions) or record it at 1080p, and "
                                 "upload it again.")
            digest.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    if size == 0:
        raise InputError(f"{name} is empty (0 bytes). Record or choose the video again.")
    return digest.hexdigest(), size

"""The file store: streamed, checked, content-addressed uploads; analysis folders; housekeeping."""

from __future__ import annotations

import hashlib
import io
import os
import time
from pathlib import Path

import pytest

from kneeline.errors import InputError
from kneeline.store.files import CHUNK_BYTES, STALE_TEMP_S, FileStore, safe_name


class CountingStream(io.RawIOBase):
    """A readable stream of ``total`` bytes (or endless) that records every read size."""

    def __init__(self, data: bytes = b"", *, endless: bool = False) -> None:
        self.data = data
        self.pos = 0
        self.endless = endless
        self.reads: list[int] = []

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        self.reads.append(size)
        if self.endless:
            return b"\x00" * size
        chunk = self.data[self.pos:self.pos + size]
        self.pos += len(chunk)
        return chunk


def _leftovers(files: FileStore) -> list[Path]:
    return list(files.tmp_dir.rglob("*"))


def test_a_video_is_stored_under_its_hash(files: FileStore, make_video):
    data = make_video("my clip.mp4", n_frames=20, width=160, height=120).read_bytes()
    stream = CountingStream(data)
    stored = files.ingest_video(stream, filename="C:\\phone\\my clip.mp4", max_bytes=10_000_000)
    sha = hashlib.sha256(data).hexdigest()
    assert stored.sha256 == sha and stored.size == len(data)
    assert stored.path == files.root / "blobs" / sha[:2] / sha == files.path(sha)
    assert stored.path.read_bytes() == data
    assert (stored.info.width, stored.info.height, stored.info.frame_count) == (160, 120, 20)
    assert max(stream.reads) <= CHUNK_BYTES  # streamed in chunks, never read whole
    assert files.has(sha) and list(files.blob_hashes()) == [sha]
    assert _leftovers(files) == []


def test_the_same_bytes_are_stored_once(files: FileStore, make_video):
    data = make_video(n_frames=10).read_bytes()
    first = files.ingest_video(io.BytesIO(data), filename="a.mp4", max_bytes=10_000_000)
    old = time.time() - 10 * 86400
    os.utime(first.path, (old, old))
    second = files.ingest_video(io.BytesIO(data), filename="renamed.mov", max_bytes=10_000_000)
    assert second.path == first.path and list(files.blob_hashes()) == [first.sha256]
    assert second.path.stat().st_mtime > old  # reuse marks the blob recently used (see sweep_orphans)


def test_an_upload_over_the_limit_stops_early_and_keeps_nothing(files: FileStore):
    stream = CountingStream(endless=True)
    with pytest.raises(InputError, match=r"big\.mp4 is larger than the upload limit of 2 MB") as info:
        files.ingest_video(stream, filename="big.mp4", max_bytes=2 << 20)
    assert "Trim the video" in str(info.value)
    assert sum(stream.reads) <= (2 << 20) + CHUNK_BYTES  # stopped at the limit, not at the end
    assert _leftovers(files) == [] and list(files.blob_hashes()) == []


def test_a_video_exactly_at_the_limit_is_accepted(files: FileStore, make_video):
    data = make_video(n_frames=5).read_bytes()
    stored = files.ingest_video(io.BytesIO(data), filename="a.mp4", max_bytes=len(data))
    assert stored.size == len(data)


def test_an_empty_upload_is_refused(files: FileStore):
    with pytest.raises(InputError, match=r"empty\.mp4 is empty \(0 bytes\)"):
        files.ingest_video(io.BytesIO(b""), filename="empty.mp4", max_bytes=1000)
    assert _leftovers(files) == []


@pytest.mark.parametrize("content", [b"this is not a video, just text\n" * 50, b"\x00\x01garbage" * 500])
def test_a_file_that_is_not_a_video_is_refused_by_its_own_name(files: FileStore, content: bytes):
    with pytest.raises(InputError) as info:
        files.ingest_video(io.BytesIO(content), filename="holiday.mp4", max_bytes=10_000_000)
    message = str(info.value)
    assert "holiday.mp4" in message and "upload-" not in message and str(files.root) not in message
    assert _leftovers(files) == [] and list(files.blob_hashes()) == []


def test_paths_cannot_escape_the_store(files: FileStore):
    for bad in ("../../etc/passwd", "A" * 64, "abc", ""):
        with pytest.raises(ValueError, match="64 lower-case hex"):
            files.path(bad)
    for bad_id in (-1, "3", True):
        with pytest.raises(ValueError, match="analysis id"):
            files.analysis_dir(bad_id)  # type: ignore[arg-type]


def test_analysis_folders(files: FileStore):
    folder = files.analysis_dir(7)
    assert folder == files.root / "analyses" / "7" and not folder.exists()
    folder.mkdir()
    (folder / "result.json").write_text("{}")
    assert list(files.analysis_ids()) == [7]
    assert files.remove_analysis(7) and not folder.exists()
    assert not files.remove_analysis(7)


def test_remove_blob(files: FileStore, make_video):
    stored = files.ingest_video(make_video().open("rb"), filename="a.mp4", max_bytes=10_000_000)
    assert files.remove_blob(stored.sha256) and not stored.path.exists()
    assert not files.remove_blob(stored.sha256)


def test_stale_temporaries_are_swept_at_start_and_fresh_ones_kept(data_dir: Path):
    old = time.time() - STALE_TEMP_S - 60
    stale_upload = data_dir / "tmp" / "upload-dead"
    stale_partial = data_dir / "analyses" / ".5.job-dead"
    fresh_upload = data_dir / "tmp" / "upload-live"
    for folder in (stale_upload, stale_partial, fresh_upload):
        folder.mkdir(parents=True)
        (folder / "part").write_bytes(b"x")
    for path in (stale_upload, stale_upload / "part", stale_partial, stale_partial / "part"):
        os.utime(path, (old, old))
    kept = data_dir / "analyses" / "5"
    kept.mkdir()
    os.utime(kept, (old, old))
    FileStore(data_dir)
    assert not stale_upload.exists() and not stale_partial.exists()
    assert fresh_upload.exists() and kept.exists()  # a live upload, and real outputs, are not temporaries


@pytest.mark.parametrize(("given", "expected"), [
    ("clip.mp4", "clip.mp4"),
    ("C:\\Users\\me\\IMG 0001.MOV", "IMG 0001.MOV"),
    ("/etc/passwd", "passwd"),
    ("../..", "video"),
    ("", "video"),
    ("réunion<script>.mp4", "r_union_script_.mp4"),
    ("x" * 300 + ".webm", "x" * 95 + ".webm"),
])
def test_safe_name(given: str, expected: str):
    assert safe_name(given) == expected

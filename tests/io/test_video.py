"""Tests of video reading: formats, rotation, timestamps, streaming and every kind of bad input.

The bad files are made here: synthetic clips written with OpenCV, then cut, overwritten, renamed
or patched.
"""

from __future__ import annotations

import math
import struct
import tracemalloc
import wave
from pathlib import Path

import numpy as np
import pytest

from kneeline.errors import InputError
from kneeline.io import video as video_mod
from kneeline.io.video import VideoInfo, check_limits, iter_frames, iter_frames_at, open_video, probe
from tests.conftest import VideoFactory

MOV = ("opencap-squat-cam0", "squats-with-arm-raise.mov")


def patch_rotation(path: Path, degrees: int) -> Path:
    """Write the rotation of an iPhone-style display matrix into the first ``tkhd`` box of an MP4."""
    matrices = {90: (0, 1 << 16, 0, -(1 << 16), 0, 0, 0, 0, 1 << 30),
                180: (-(1 << 16), 0, 0, 0, -(1 << 16), 0, 0, 0, 1 << 30),
                270: (0, -(1 << 16), 0, 1 << 16, 0, 0, 0, 0, 1 << 30)}
    data = bytearray(path.read_bytes())
    at = data.find(b"tkhd")
    assert at > 0 and data[at + 4] == 0, "expected a version-0 tkhd box"
    matrix = at + 4 + 4 + 4 * 5 + 8 + 2 * 4
    data[matrix:matrix + 36] = struct.pack(">9i", *matrices[degrees])
    out = path.with_name(f"rot{degrees}_{path.name}")
    out.write_bytes(bytes(data))
    return out


# ---- reading ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "fourcc"), [("a.mp4", "mp4v"), ("b.avi", "MJPG"), ("c.mov", "mp4v"),
                                              ("d.mkv", "FFV1"), ("e.avi", "XVID")])
def test_common_containers_decode_completely(make_video: VideoFactory, name: str, fourcc: str) -> None:
    path = make_video(name, n_frames=20, fourcc=fourcc)
    info = probe(path)
    assert (info.width, info.height, info.frame_count) == (160, 120, 20)
    assert info.fps == pytest.approx(30.0)
    with open_video(path) as reader:
        frames = list(reader)
    assert len(frames) == 20
    assert [f.index for f in frames] == list(range(20))
    assert frames[0].image.dtype == np.uint8 and frames[0].image.shape == (120, 160, 3)
    times = np.array([f.time_s for f in frames])
    np.testing.assert_allclose(np.diff(times), 1 / 30, atol=1e-3)
    summary = reader.summary()
    assert summary.finished and not summary.truncated and summary.frames_decoded == 20
    assert summary.message() == ""


def test_webm_decodes(make_video: VideoFactory) -> None:
    path = make_video("f.webm", n_frames=15, fourcc="VP80")
    assert len(list(iter_frames(path))) == 15


def test_frames_are_bgr_with_red_marker_top_left(make_video: VideoFactory) -> None:
    frame = next(iter_frames(make_video(fourcc="MJPG", name="m.avi")))
    b, g, r = frame.image[2, 2].astype(int)
    assert r > 200 and b < 60 and g < 60


@pytest.mark.parametrize(("degrees", "shape", "corner"), [
    (90, (160, 120), (slice(0, 8), slice(-8, None))),     # top-left -> top-right
    (180, (120, 160), (slice(-8, None), slice(-8, None))),  # top-left -> bottom-right
    (270, (160, 120), (slice(-8, None), slice(0, 8))),    # top-left -> bottom-left
])
def test_rotation_metadata_is_applied(make_video: VideoFactory, degrees: int, shape: tuple[int, int],
                                      corner: tuple[slice, slice]) -> None:
    path = patch_rotation(make_video(n_frames=5), degrees)
    info = probe(path)
    assert info.rotation_deg == degrees
    assert (info.height, info.width) == shape
    frames = list(iter_frames(path))
    assert frames[0].image.shape[:2] == shape
    red = frames[0].image[corner][..., 2].astype(int)
    assert red.mean() > 150


def test_portrait_phone_video_is_upright(shared_data: Path) -> None:
    info = probe(shared_data.joinpath(*MOV))
    assert (info.width, info.height) == (720, 1280)
    assert info.frame_count == 799 and info.fps == pytest.approx(59.98, abs=0.01)
    frame = next(iter_frames(shared_data.joinpath(*MOV)))
    assert frame.image.shape == (1280, 720, 3)
    assert frame.time_s == 0.0


def test_frames_at_match_sequential_decoding(make_video: VideoFactory) -> None:
    path = make_video(n_frames=40, fourcc="MJPG", name="s.avi")
    sequential = {f.index: f for f in iter_frames(path)}
    picked = list(iter_frames_at(path, [0, 13, 39, 400, -1]))
    assert [f.index for f in picked] == [0, 13, 39]
    for frame in picked:
        assert frame.time_s == pytest.approx(sequential[frame.index].time_s)
        np.testing.assert_array_equal(frame.image, sequential[frame.index].image)


def test_decoding_streams_in_constant_memory(make_video: VideoFactory) -> None:
    path = make_video(n_frames=300, width=320, height=240, fourcc="MJPG", name="long.avi")
    frame_bytes = 320 * 240 * 3
    tracemalloc.start()
    try:
        count = sum(1 for _ in iter_frames(path))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == 300
    assert peak < 10 * frame_bytes  # 300 frames decoded, never more than a few held


def test_reader_iterates_once_and_closes_early(make_video: VideoFactory) -> None:
    reader = open_video(make_video(n_frames=10))
    with reader:
        first = next(iter(reader))
        assert first.index == 0
    assert not reader.summary().finished
    with pytest.raises(RuntimeError, match="only once"):
        iter(reader)


# ---- timestamps ------------------------------------------------------------------------------------

def test_clock_keeps_variable_frame_rate_timestamps() -> None:
    clock = video_mod._Clock(30.0)
    raw_ms = [0.0, 33.0, 70.0, 100.0, 180.0]
    assert [clock.stamp(t) for t in raw_ms] == pytest.approx([0.0, 0.033, 0.070, 0.100, 0.180])
    assert clock.repaired == 0


def test_clock_repairs_missing_and_non_increasing_timestamps() -> None:
    clock = video_mod._Clock(25.0)
    times = [clock.stamp(t) for t in [math.nan, 0.0, 0.0, 120.0, 100.0, -5.0]]
    assert times == pytest.approx([0.0, 0.04, 0.08, 0.12, 0.16, 0.20])
    assert clock.repaired == 5
    assert np.all(np.diff(times) > 0)


def test_clock_without_frame_rate_uses_fallback() -> None:
    clock = video_mod._Clock(0.0)
    assert [clock.stamp(0.0), clock.stamp(0.0)] == pytest.approx([0.0, 1 / 30])


# ---- bad input -------------------------------------------------------------------------------------

def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        probe(tmp_path / "nope.mp4")


def test_folder_instead_of_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="folder"):
        probe(tmp_path)


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.mp4"
    path.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        probe(path)


def test_text_file_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "notes.mp4"
    path.write_text("squat video, take 2\nremember to film from the front\n", encoding="utf-8")
    with pytest.raises(InputError, match="text file") as err:
        probe(path)
    assert "squat video" in str(err.value)


def test_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "noise.mp4"
    path.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    with pytest.raises(InputError, match="not a video kneeline can decode"):
        probe(path)


def test_audio_only_wav_named_mp4(tmp_path: Path) -> None:
    path = tmp_path / "voice.mp4"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(8000)
        w.writeframes(np.zeros(8000, dtype=np.int16).tobytes())
    with pytest.raises(InputError, match="audio only: there is no video stream"):
        probe(path)


def _box(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + kind + payload


def _hdlr(handler: bytes) -> bytes:
    return _box(b"hdlr", b"\x00" * 8 + handler + b"\x00" * 12 + b"Sound\x00")


def test_audio_only_mp4_container(tmp_path: Path) -> None:
    """An MP4 whose only track is a sound track (boxes made by hand)."""
    moov = _box(b"moov", _box(b"trak", _box(b"mdia", _hdlr(b"soun"))))
    path = tmp_path / "audio.m4a.mp4"
    path.write_bytes(_box(b"ftyp", b"isom\x00\x00\x00\x00mp41") + moov + _box(b"mdat", b"\x00" * 64))
    with pytest.raises(InputError, match="audio track only"):
        probe(path)


def test_zero_frame_mp4(make_video: VideoFactory) -> None:
    path = make_video("none.mp4", n_frames=0)
    with pytest.raises(InputError, match="no video frames"):
        probe(path)


def test_zero_frame_avi(make_video: VideoFactory) -> None:
    path = make_video("none.avi", n_frames=0, fourcc="MJPG")
    with pytest.raises(InputError, match="frame"):
        probe(path)


def test_mp4_cut_before_its_index(make_video: VideoFactory) -> None:
    path = make_video("cut.mp4", n_frames=30)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="truncated"):
        probe(path)


def test_truncated_avi_yields_the_frames_before_the_cut(make_video: VideoFactory) -> None:
    path = make_video("cut.avi", n_frames=60, fourcc="MJPG")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with open_video(path) as reader:
        frames = list(reader)
    summary = reader.summary()
    assert 10 < len(frames) < 50
    assert summary.truncated and summary.frames_expected == 60
    assert "stopped after" in summary.message()
    with pytest.raises(InputError, match="truncated"):
        list(iter_frames(path, strict=True))


def test_corrupt_middle_is_reported(make_video: VideoFactory) -> None:
    path = make_video("bad.mp4", n_frames=60)
    data = bytearray(path.read_bytes())
    start, length = len(data) // 3, len(data) // 10
    data[start:start + length] = np.random.default_rng(1).integers(0, 256, length, dtype=np.uint8).tobytes()
    path.write_bytes(bytes(data))
    with open_video(path) as reader:
        n = sum(1 for _ in reader)
    assert n < 57
    assert reader.summary().truncated


def test_huge_resolution_is_refused(make_video: VideoFactory) -> None:
    path = make_video("wide.avi", n_frames=2, width=8320, height=16, fourcc="MJPG")
    with pytest.raises(InputError, match="above kneeline's limit"):
        open_video(path)


def test_limits_on_a_described_video() -> None:
    info = VideoInfo(path=Path("x.mp4"), width=3840, height=2160, fps=30, frame_count=900, duration_s=30,
                     rotation_deg=0)
    check_limits(info)
    with pytest.raises(InputError, match="Trim"):
        check_limits(info, max_duration_s=10)
    long = VideoInfo(path=Path("x.mp4"), width=1920, height=1080, fps=30, frame_count=30 * 900,
                     duration_s=900, rotation_deg=0)
    with pytest.raises(InputError, match="15.0 min"):
        check_limits(long)
    with pytest.raises(InputError, match="positive"):
        check_limits(info, max_duration_s=0)


def test_long_video_is_refused_before_decoding(make_video: VideoFactory) -> None:
    path = make_video(n_frames=60)
    with pytest.raises(InputError, match="Trim the video"):
        open_video(path, max_duration_s=1.0)
    assert len(list(iter_frames(path, max_duration_s=5.0))) == 60

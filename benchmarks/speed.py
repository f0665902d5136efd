"""kneeline speed benchmark: pose throughput, decode/inference overlap, memory, 1080p real time.

Run::

    .venv/bin/python benchmarks/speed.py [--video PATH] [--frames N] [--long-minutes M] [--full]
    .venv/bin/python benchmarks/speed.py --compare-smoothing

In one run on the same video:

(a) bare model: the first ``--frames`` frames decoded and converted to RGB in memory first, then
    a loop of ``mediapipe ... Pose.process`` only;
(b) ``kneeline.pose.runner.estimate_pose`` end to end on the file (decode thread + inference),
    same frames, and the ratio (b)/(a)  — target >= 0.9;
(c) peak resident memory (VmHWM, each in a fresh subprocess) of ``estimate_pose`` on a 10 s clip
    and on a ``--long-minutes`` clip made by looping the video's frames (30 fps, temporary files)
    — target: long within 1.2x of short;
(d) a 10 s 1080p 30 fps clip made by upscaling the video's frames: end-to-end fps against real
    time — target >= 30 fps;
(e) with ``--full``: ``kneeline.analyze`` (or ``kneeline.pipeline``) ``analyze`` on the video;
(f) with ``--analyze`` (issue 17): the user-facing command ``kneeline analyze VIDEO --test squat``
    (a fresh process, all four outputs) against the bare model on *every* frame of the same video
    (decoded in chunks of 100 frames outside the clock, one ``Pose`` across them): ratio bare time /
    command time — target >= 0.9 — and video duration / command time — target >= 1 (real time).
    Also timed in the same run: the command with ``--no-video`` and with ``--fps 0`` (every frame).

    .venv/bin/python benchmarks/speed.py --analyze-only

    With ``--web-job`` also the web app's job end to end, in process: the upload stored
    (``FileStore.ingest_video``: streamed, hashed, checked), its row added, and
    ``kneeline.jobs.runner.run_analysis`` (claim, analysis, the four outputs, ``annotated.webm`` for
    the browser, ``keypoints.csv``, row ``done``) on a fresh SQLite database.

Temporary clips are written with OpenCV's MPEG-4 part 2 encoder (``mp4v``; the OpenCV wheels
cannot write H.264) into a temporary folder that is deleted afterwards.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_VIDEO = REPO.parent / "shared" / "data" / "opencap-squat-cam0" / "squats-with-arm-raise.mov"
Row = tuple[str, str, str, str]


def _fmt_ok(ok: bool | None) -> str:
    return "" if ok is None else ("yes" if ok else "NO")


def decode_rgb(video: Path, n_frames: int) -> list[np.ndarray]:
    """Decode the first ``n_frames`` frames of ``video`` into memory as RGB images."""
    import cv2

    from kneeline.io.video import iter_frames

    frames = []
    for frame in iter_frames(video):
        frames.append(cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB))
        if len(frames) >= n_frames:
            break
    return frames


def bare_model_fps(frames: list[np.ndarray]) -> float:
    """Throughput of MediaPipe's BlazePose alone on pre-decoded RGB frames (kneeline's settings)."""
    from mediapipe.python.solutions import pose as mp_pose

    from kneeline.evidence import value

    with mp_pose.Pose(static_image_mode=False, model_complexity=int(value("pose.yaml", "model_complexity")),
                      smooth_landmarks=bool(value("pose.yaml", "smooth_landmarks"))) as pose:
        started = time.perf_counter()
        for image in frames:
            pose.process(image)
        elapsed = time.perf_counter() - started
    return len(frames) / elapsed


def end_to_end_fps(video: Path, n_frames: int | None) -> tuple[float, int]:
    """Throughput of ``estimate_pose`` on the file (model created before the clock starts)."""
    from kneeline.pose.mediapipe_backend import MediaPipePose
    from kneeline.pose.runner import estimate_pose

    with MediaPipePose() as backend:
        started = time.perf_counter()
        series = estimate_pose(video, backend=backend, max_frames=n_frames, require_person=False)
        elapsed = time.perf_counter() - started
    return series.n_frames / elapsed, series.n_frames


def decode_fps(video: Path, n_frames: int | None = None) -> float:
    """Throughput of decoding alone (frames discarded)."""
    from kneeline.io.video import iter_frames

    started = time.perf_counter()
    count = 0
    for _ in iter_frames(video):
        count += 1
        if n_frames is not None and count >= n_frames:
            break
    return count / (time.perf_counter() - started)


def write_clip(source: Path, target: Path, *, seconds: float, fps: float = 30.0,
               transform: Callable[[np.ndarray], np.ndarray] | None = None) -> int:
    """Write ``seconds`` of ``fps`` video by looping the frames of ``source`` (subsampled to ``fps``)."""
    import cv2

    from kneeline.io.video import iter_frames, probe

    info = probe(source)
    step = max(1, round(info.fps / fps)) if info.fps > 0 else 1
    wanted = round(seconds * fps)
    writer: Any = None
    written = 0
    try:
        while written < wanted:
            for frame in iter_frames(source):
                if frame.index % step:
                    continue
                image = frame.image if transform is None else transform(frame.image)
                if writer is None:
                    size = (image.shape[1], image.shape[0])
                    fourcc = cv2.VideoWriter_fourcc(*"mp4v")  # type: ignore[attr-defined]
                    writer = cv2.VideoWriter(str(target), fourcc, fps, size)
                writer.write(image)
                written += 1
                if written >= wanted:
                    break
    finally:
        if writer is not None:
            writer.release()
    return written


def child_peak(video: Path) -> None:
    """Run ``estimate_pose`` on ``video`` and print JSON with this process's peak memory."""
    from kneeline.pose.runner import estimate_pose

    started = time.perf_counter()
    series = estimate_pose(video, require_person=False)
    elapsed = time.perf_counter() - started
    status = Path("/proc/self/status").read_text(encoding="utf-8")
    hwm_kb = next(int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM:"))
    print(json.dumps({"hwm_kb": hwm_kb, "frames": series.n_frames, "seconds": elapsed}))


def peak_in_subprocess(video: Path) -> dict[str, Any]:
    """Peak resident memory of ``estimate_pose`` on ``video`` in a fresh Python process."""
    out = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child-peak", str(video)],
                         check=True, capture_output=True, text=True, cwd=str(REPO))
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def section_throughput(video: Path, n_frames: int) -> list[Row]:
    """Measure (a) the bare model and (b) estimate_pose end to end on the same frames."""
    frames = decode_rgb(video, n_frames)
    bare = bare_model_fps(frames)
    n = len(frames)
    del frames
    e2e, done = end_to_end_fps(video, n)
    ratio = e2e / bare
    return [
        (f"(a) bare BlazePose on {n} pre-decoded RGB frames", f"{bare:.1f} fps", "", ""),
        (f"(b) estimate_pose end to end, same {done} frames", f"{e2e:.1f} fps", "", ""),
        ("    ratio (b) / (a)", f"{ratio:.2f}", ">= 0.90", _fmt_ok(ratio >= 0.9)),
        ("    decoding alone (same frames)", f"{decode_fps(video, n):.0f} fps", "", ""),
    ]


def section_memory(video: Path, long_minutes: float, tmp: Path) -> list[Row]:
    """Measure (c) the peak memory for a 10 s and a long clip, each in a fresh process."""
    short_clip, long_clip = tmp / "clip-10s.mp4", tmp / "clip-long.mp4"
    n_short = write_clip(video, short_clip, seconds=10)
    n_long = write_clip(video, long_clip, seconds=60 * long_minutes)
    short = peak_in_subprocess(short_clip)
    short_clip.unlink()
    long = peak_in_subprocess(long_clip)
    long_clip.unlink()
    ratio = long["hwm_kb"] / short["hwm_kb"]
    return [
        (f"(c) peak RSS, 10 s clip ({n_short} frames)", f"{short['hwm_kb'] / 1024:.0f} MB", "", ""),
        (f"    peak RSS, {long_minutes:g} min clip ({n_long} frames)", f"{long['hwm_kb'] / 1024:.0f} MB",
         "", ""),
        ("    ratio long / 10 s", f"{ratio:.2f}", "<= 1.20", _fmt_ok(ratio <= 1.2)),
        (f"    end to end on the {long_minutes:g} min clip", f"{long['frames'] / long['seconds']:.1f} fps",
         "", ""),
    ]


def section_1080p(video: Path, tmp: Path) -> list[Row]:
    """Measure (d) a 1080p 30 fps clip (upscaled real frames) against real time."""
    import cv2

    def upscale(image: np.ndarray) -> np.ndarray:
        h, w = image.shape[:2]
        size = (1080, 1920) if h > w else (1920, 1080)
        return np.asarray(cv2.resize(image, size, interpolation=cv2.INTER_LINEAR))

    clip = tmp / "clip-1080p.mp4"
    n = write_clip(video, clip, seconds=10, transform=upscale)
    decode = decode_fps(clip)
    e2e, _ = end_to_end_fps(clip, None)
    clip.unlink()
    ratio = e2e / 30.0
    return [
        (f"(d) 1080p 30 fps clip, decoding alone ({n} frames)", f"{decode:.0f} fps", "", ""),
        ("    1080p estimate_pose end to end", f"{e2e:.1f} fps", ">= 30", _fmt_ok(e2e >= 30)),
        ("    ratio to real time", f"{ratio:.2f}x", ">= 1.00", _fmt_ok(ratio >= 1.0)),
    ]


def bare_model_all_frames(video: Path, chunk: int = 100) -> tuple[float, int]:
    """Seconds the bare model needs for every frame of ``video`` (decoding kept outside the clock)."""
    import cv2
    from mediapipe.python.solutions import pose as mp_pose

    from kneeline.evidence import value
    from kneeline.io.video import iter_frames

    elapsed, n, batch = 0.0, 0, []
    with mp_pose.Pose(static_image_mode=False, model_complexity=int(value("pose.yaml", "model_complexity")),
                      smooth_landmarks=bool(value("pose.yaml", "smooth_landmarks"))) as pose:
        frames = iter_frames(video)
        while True:
            batch = [cv2.cvtColor(f.image, cv2.COLOR_BGR2RGB) for _, f in zip(range(chunk), frames, strict=False)]
            if not batch:
                break
            started = time.perf_counter()
            for image in batch:
                pose.process(image)
            elapsed += time.perf_counter() - started
            n += len(batch)
    return elapsed, n


def time_command(args: list[str]) -> float:
    """Wall-clock seconds of one ``kneeline`` command in a fresh process (it must succeed)."""
    command = [str(Path(sys.executable).with_name("kneeline")), *args]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, text=True, cwd=str(REPO))
    return time.perf_counter() - started


def section_analyze(video: Path, test: str, tmp: Path) -> list[Row]:
    """Time (f): ``kneeline analyze`` (four outputs, and variants) against the bare model on every frame."""
    from kneeline.io.video import probe

    info = probe(video)
    duration = info.frame_count / info.fps if info.fps > 0 else float("nan")
    bare, n = bare_model_all_frames(video)
    base = ["analyze", str(video), "--test", test]
    full = time_command([*base, "--out", str(tmp / "four")])
    outputs = sorted(p.name for p in (tmp / "four").iterdir())
    no_video = time_command([*base, "--out", str(tmp / "no-video"), "--no-video"])
    every = time_command([*base, "--out", str(tmp / "every"), "--fps", "0"])
    result = json.loads((tmp / "four" / "result.json").read_text(encoding="utf-8"))
    step = result["provenance"]["settings"].get("frame_step", 1)
    return [
        (f"(f) bare BlazePose, every one of the {n} frames", f"{bare:.1f} s = {n / bare:.1f} fps", "", ""),
        (f"    kneeline analyze --test {test} ({', '.join(outputs)}; every {step}. frame)", f"{full:.1f} s", "",
         ""),
        ("    ratio bare / analyze", f"{bare / full:.2f}", ">= 0.90", _fmt_ok(bare / full >= 0.9)),
        (f"    real time: video {duration:.1f} s / analyze", f"{duration / full:.2f}x", ">= 1.00",
         _fmt_ok(duration / full >= 1.0)),
        ("    same with --no-video", f"{no_video:.1f} s, ratio {bare / no_video:.2f}", "", ""),
        ("    same with --fps 0 (every frame, four outputs)", f"{every:.1f} s, ratio {bare / every:.2f}", "", ""),
    ]


def time_web_job(video: Path, test: str, tmp: Path) -> float:
    """Seconds from the stored upload to the job's row ``done`` (SQLite, in this process)."""
    from kneeline.jobs.runner import run_analysis
    from kneeline.store.db import database_url, open_database
    from kneeline.store.files import FileStore
    from kneeline.store.models import Analysis, User

    data_dir = tmp / "web-data"
    data_dir.mkdir()
    url = database_url(data_dir)
    db = open_database(url)
    try:
        started = time.perf_counter()
        with video.open("rb") as stream:
            stored = FileStore(data_dir).ingest_video(stream, filename=video.name, max_bytes=1 << 31)
        with db.session() as session:
            user = User(email="bench@example.org", name="Bench", password_hash="x", role="patient")
            session.add(user)
            session.flush()
            row = Analysis(patient_id=user.id, kind="test", test=test, side="auto", video_sha256=stored.sha256,
                           video_name=video.name, video_bytes=stored.size)
            session.add(row)
            session.flush()
            analysis_id = row.id
        outcome = run_analysis(url, data_dir, analysis_id)
        elapsed = time.perf_counter() - started
        with db.session() as session:
            status = session.get(Analysis, analysis_id).status  # type: ignore[union-attr]
        if status != "done":
            raise SystemExit(f"the web job ended {status}: {outcome}")
        return elapsed
    finally:
        db.dispose()


def section_web_job(video: Path, test: str, tmp: Path, bare: float | None = None) -> list[Row]:
    """Time (g): a web analysis from the stored upload to its row ``done``, against the bare model."""
    from kneeline.io.video import probe

    info = probe(video)
    duration = info.frame_count / info.fps if info.fps > 0 else float("nan")
    if bare is None:
        bare, _ = bare_model_all_frames(video)
    job = time_web_job(video, test, tmp)
    return [
        ("(g) web job: upload stored -> row done (4 outputs + annotated.webm)", f"{job:.1f} s", "", ""),
        ("    ratio bare / web job", f"{bare / job:.2f}", ">= 0.90", _fmt_ok(bare / job >= 0.9)),
        ("    real time: video / web job", f"{duration / job:.2f}x", ">= 1.00", _fmt_ok(duration / job >= 1.0)),
    ]


def _bare_seconds(rows: list[Row]) -> float:
    """The bare model's seconds from the first row of (f)."""
    return float(rows[0][1].split(" s")[0])


def section_full(video: Path, test: str) -> list[Row]:
    """Time (e) the whole analysis, when kneeline has one."""
    for module_name in ("kneeline.analyze", "kneeline.pipeline"):
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        analyze = getattr(module, "analyze", None)
        if callable(analyze):
            started = time.perf_counter()
            try:
                analyze(video, test)
            except Exception as exc:  # a broken pipeline must not lose the other measurements
                traceback.print_exc()
                return [(f"(e) {module_name}.analyze({test!r})", f"failed: {type(exc).__name__}: {exc}"[:70],
                         "", "")]
            elapsed = time.perf_counter() - started
            n = _frame_count(video)
            return [(f"(e) {module_name}.analyze({test!r}) whole video ({n} frames)",
                     f"{elapsed:.1f} s = {n / elapsed:.1f} fps", "", "")]
    print("--full: kneeline.analyze.analyze does not exist yet; skipped", file=sys.stderr)
    return [("(e) full analysis", "skipped: no kneeline.analyze.analyze yet", "", "")]


def _pose_track(frames: list[np.ndarray], smooth: bool) -> tuple[np.ndarray, float]:
    from kneeline.pose.mediapipe_backend import MediaPipePose

    with MediaPipePose(smooth_landmarks=smooth) as backend:
        started = time.perf_counter()
        position = np.stack([backend.process(image).position for image in frames])
        elapsed = time.perf_counter() - started
    return position, len(frames) / elapsed


def _lag_frames(reference: np.ndarray, other: np.ndarray, max_lag: int = 10) -> int:
    """Delay of ``other`` behind ``reference`` (frames) maximising the correlation of velocities."""
    a, b = np.diff(reference), np.diff(other)
    ok = np.isfinite(a) & np.isfinite(b)
    a, b = np.where(ok, a - np.nanmean(a), 0.0), np.where(ok, b - np.nanmean(b), 0.0)
    scores = [float(np.dot(a[: len(a) - lag], b[lag:])) for lag in range(max_lag + 1)]
    return int(np.argmax(scores))


def compare_smoothing(video: Path, n_frames: int) -> list[Row]:
    """Jitter (frame-to-frame acceleration), lag and speed with MediaPipe's smoothing off and on."""
    from kneeline.pose.skeleton import BLAZEPOSE_KEYPOINTS, LOWER_BODY

    frames = decode_rgb(video, n_frames)
    idx = [BLAZEPOSE_KEYPOINTS.index(k) for k in LOWER_BODY]
    hips = [BLAZEPOSE_KEYPOINTS.index("left_hip"), BLAZEPOSE_KEYPOINTS.index("right_hip")]
    rows: list[Row] = []
    tracks = {}
    for smooth in (False, True):
        position, fps = _pose_track(frames, smooth)
        tracks[smooth] = position
        accel = np.diff(position[:, idx], n=2, axis=0)
        jitter = float(np.nanmedian(np.sqrt(np.nanmean(accel ** 2, axis=0))))
        label = "on " if smooth else "off"
        rows.append((f"smoothing {label}: jitter (RMS 2nd difference, lower body)", f"{jitter:.2f} px",
                     "", ""))
        rows.append((f"smoothing {label}: throughput", f"{fps:.1f} fps", "", ""))
    hip_off = np.nanmean(tracks[False][:, hips, 1], axis=1)
    hip_on = np.nanmean(tracks[True][:, hips, 1], axis=1)
    fps_video = _video_fps(video)
    lag = _lag_frames(hip_off, hip_on)
    rows.append(("hip-height lag of smoothed vs raw", f"{lag} frames ({1000 * lag / fps_video:.0f} ms)",
                 "", ""))
    return rows


def _frame_count(video: Path) -> int:
    from kneeline.io.video import probe

    return probe(video).frame_count


def _video_fps(video: Path) -> float:
    from kneeline.io.video import probe

    return probe(video).fps or 30.0


def print_table(title: str, rows: list[Row]) -> None:
    """Print the results as an aligned plain-text table."""
    header: Row = ("measure", "value", "target", "ok")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(4)]
    line = "  ".join("-" * w for w in widths)
    print(title)
    print(line)
    print("  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print(line)
    for row in rows:
        print("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)))
    print(line)


def machine() -> str:
    """One line about the machine and library versions."""
    import cv2
    import mediapipe

    return (f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}, mediapipe {mediapipe.__version__}, OpenCV {cv2.__version__}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--video", type=Path, default=DEFAULT_VIDEO)
    parser.add_argument("--frames", type=int, default=300, help="frames for (a)/(b) (held in memory for (a))")
    parser.add_argument("--long-minutes", type=float, default=5.0, help="length of the long clip of (c)")
    parser.add_argument("--skip-memory", action="store_true", help="skip (c)")
    parser.add_argument("--skip-1080p", action="store_true", help="skip (d)")
    parser.add_argument("--full", action="store_true", help="also time kneeline.analyze on the video")
    parser.add_argument("--test", default="squat", help="movement test for --full")
    parser.add_argument("--compare-smoothing", action="store_true", help="only compare MediaPipe smoothing")
    parser.add_argument("--analyze", action="store_true", help="also time (f) kneeline analyze vs the bare model")
    parser.add_argument("--analyze-only", action="store_true", help="only (f)")
    parser.add_argument("--web-job", action="store_true", help="with --analyze(-only): also (g), the web job")
    parser.add_argument("--child-peak", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child_peak is not None:
        child_peak(args.child_peak)
        return 0
    if not args.video.is_file():
        print(f"video not found: {args.video} (give --video PATH)", file=sys.stderr)
        return 2
    if args.compare_smoothing:
        print_table(f"MediaPipe smoothing on {args.video.name}, first {args.frames} frames",
                    compare_smoothing(args.video, args.frames))
        return 0
    from kneeline.io.video import probe

    info = probe(args.video)
    title = (f"kneeline speed benchmark: {args.video.name} ({info.width}x{info.height}, {info.fps:.2f} fps, "
             f"{info.frame_count} frames)\n{machine()}")
    if args.analyze_only:
        with tempfile.TemporaryDirectory(prefix="kneeline-bench-") as tmp:
            rows = section_analyze(args.video, args.test, Path(tmp))
            if args.web_job:
                rows += section_web_job(args.video, args.test, Path(tmp), _bare_seconds(rows))
            print_table(title, rows)
        return 0
    rows = section_throughput(args.video, args.frames)
    with tempfile.TemporaryDirectory(prefix="kneeline-bench-") as tmp:
        if args.analyze:
            rows += section_analyze(args.video, args.test, Path(tmp))
        if not args.skip_memory:
            rows += section_memory(args.video, args.long_minutes, Path(tmp))
        if not args.skip_1080p:
            rows += section_1080p(args.video, Path(tmp))
    if args.full:
        rows += section_full(args.video, args.test)
    print_table(title, rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

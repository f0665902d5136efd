"""Batch throughput: videos per minute with the local engine and with 1 and 2 Ray workers, in one run.

The batch is ``--copies`` links to the real 60 fps squat video (13.3 s, 6 squats) under different
names, analysed with all four outputs into a fresh folder per engine.  Each engine's time is the
whole ``run_batch`` call: reading the input, starting Ray and its worker actors (each imports
kneeline and loads one pose model), every video, ``summary.csv``.  A Ray on this machine is started
once (``ray.init(num_cpus=--cpus)``) before the clock, as a cluster would already be running.

Run: ``.venv/bin/python benchmarks/batch.py [--copies 4] [--cpus 2] [--no-video]``.

Scaling to N machines: each worker is one process with one pose model and one CPU; workers share
nothing but the input videos and the output folder (a shared file store) — and, for the web app's
queue, the database.  A video is analysed by one worker from start to end, so throughput grows with
the number of workers until the file store or database saturates (a video's outputs are a few MB,
written once; a web job writes a few rows).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

from _common import data_root, print_table


def make_batch(folder: Path, copies: int) -> Path:
    """A folder of ``copies`` links to the real squat video."""
    video = data_root() / "opencap-squat-cam0" / "squats-with-arm-raise.mov"
    folder.mkdir(parents=True)
    for i in range(copies):
        (folder / f"squat{i + 1:02d}.mov").symlink_to(video)
    return folder


def time_batch(videos: Path, out: Path, engine: str, workers: int, annotate: bool) -> tuple[float, int]:
    """Seconds of one ``run_batch`` and the number of videos analysed."""
    from kneeline.batch.run import run_batch

    started = time.perf_counter()
    report = run_batch(videos, out, engine=engine, workers=workers, test="squat",  # type: ignore[arg-type]
                       annotate=annotate)
    elapsed = time.perf_counter() - started
    if report.failures:
        sys.exit(f"{len(report.failures)} videos failed: {report.failures[0].reason}")
    return elapsed, report.count("done")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--copies", type=int, default=4, help="videos in the batch")
    parser.add_argument("--cpus", type=int, default=2, help="CPUs of the Ray started here")
    parser.add_argument("--no-video", action="store_true", help="skip annotated.mp4")
    args = parser.parse_args(argv)
    import ray

    ray.init(num_cpus=args.cpus, include_dashboard=False, logging_level="warning", log_to_driver=False)
    rows = []
    try:
        with tempfile.TemporaryDirectory(prefix="kneeline-batch-bench-") as tmp:
            videos = make_batch(Path(tmp) / "videos", args.copies)
            base = None
            for label, engine, workers in (("local engine (this process)", "local", 1),
                                           ("ray, 1 worker", "ray", 1), ("ray, 2 workers", "ray", 2)):
                seconds, n = time_batch(videos, Path(tmp) / f"out-{engine}-{workers}", engine, workers,
                                        not args.no_video)
                per_minute = 60.0 * n / seconds
                base = base or per_minute
                rows.append((label, f"{n}", f"{seconds:.1f}", f"{per_minute:.2f}", f"{per_minute / base:.2f}"))
    finally:
        ray.shutdown()
    outputs = "three outputs (--no-video)" if args.no_video else "four outputs"
    print_table(f"batch of {args.copies} x squats-with-arm-raise.mov (13.3 s, 60 fps), {outputs}, {args.cpus} CPUs",
                ("engine", "videos", "seconds", "videos/min", "vs local"), rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

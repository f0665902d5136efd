"""The web job's browser video: WebM made while drawing (``WebmCopy``) vs transcoded afterwards (``write_webm``).

Run::

    .venv/bin/python benchmarks/webm_copy.py [--video PATH] [--rounds 3]

One analysis of the video, then, alternating in each round on the same analysis: (a) the four
outputs with ``annotated.mp4``, then ``annotated.webm`` transcoded from it (the web job before
issue 17's last change: a second decode); (b) the same outputs with ``annotated.webm`` made from
the drawn frames as they are written (``copies=[WebmCopy]``).  Prints wall and CPU seconds of each
and the ratio (a)/(b) per round, measured in one run.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from _common import data_root, print_table


def _timed(write: object) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    write()  # type: ignore[operator]
    return time.perf_counter() - wall, time.process_time() - cpu


def main(argv: list[str] | None = None) -> int:
    """Time both ways of writing the browser video and print the table."""
    from kneeline.jobs.playback import WebmCopy, write_webm
    from kneeline.pipeline import analyze_video
    from kneeline.report.writer import write_outputs

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path,
                        default=data_root() / "opencap-squat-cam0" / "squats-with-arm-raise.mov")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    run = analyze_video(args.video, test="squat")
    rows = []
    for rnd in range(1, max(1, args.rounds) + 1):
        folder = Path(tempfile.mkdtemp(prefix="kneeline-webm-"))
        try:
            def after(out: Path = folder / "a") -> None:
                write_outputs(out, run.result, run.table, run.pose, args.video)
                write_webm(out / "annotated.mp4", out / "annotated.webm")

            def beside(out: Path = folder / "b", partial: Path = folder / "b.webm") -> None:
                copy = WebmCopy(partial)
                write_outputs(out, run.result, run.table, run.pose, args.video, copies=[copy])
                if copy.error:
                    raise SystemExit(f"no WebM copy: {copy.error}")
                copy.dest.replace(out / "annotated.webm")

            a, b = _timed(after), _timed(beside)
            rows.append([rnd, f"{a[0]:.2f} s ({a[1]:.2f} CPU)", f"{b[0]:.2f} s ({b[1]:.2f} CPU)", f"{a[0] / b[0]:.2f}"])
        finally:
            shutil.rmtree(folder, ignore_errors=True)
    print_table(f"Outputs + annotated.webm for {args.video.name} ({run.pose.n_frames} frames analysed)",
                ["round", "(a) transcode after", "(b) WebmCopy while drawing", "wall (a)/(b)"], rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

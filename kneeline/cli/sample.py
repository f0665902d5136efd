"""``kneeline sample OUT.mp4``: write a drawn sample video to try kneeline without filming anyone."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from kneeline.cli.common import run_guarded, stdout_console

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``sample`` to ``app``."""
    app.command("sample")(sample_command)


def sample_command(
    out: Annotated[Path, typer.Argument(help="Video file to write (.mp4).", metavar="OUT.mp4")],
    reps: Annotated[int, typer.Option("--reps", min=1, max=50, help="Number of squats.")] = 5,
    left: Annotated[float, typer.Option(
        "--left", min=-30, max=30, help="Left knee angle (FPPA) drawn at the bottom, degrees (+ = inward).")] = 10.0,
    right: Annotated[float, typer.Option(
        "--right", min=-30, max=30, help="Right knee angle (FPPA) drawn at the bottom, degrees.")] = 20.0,
) -> None:
    """Write a short video of a drawn person doing slow two-leg squats, to try `kneeline analyze` on.

    The person is a drawing, so the knee angles are known exactly; the video is for seeing how
    kneeline works, not for judging how accurate it is on people.
    """
    def work() -> None:
        from kneeline.io.sample_video import SampleSpec, write_sample_video

        spec = SampleSpec(reps=reps, fppa_left_deg=left, fppa_right_deg=right)
        path = write_sample_video(out, spec)
        seconds = spec.n_frames / spec.fps
        stdout_console().print(
            f"Wrote {path} ({seconds:.0f} s, {spec.width} x {spec.height}, {reps} squats; knee angles drawn at "
            f"the bottom: left {left:g}°, right {right:g}°).\nNext: kneeline analyze {path} --test squat",
            highlight=False, soft_wrap=True)
    run_guarded(work)

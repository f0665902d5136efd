"""``kneeline analyze``: measure a movement test in a video and write the four outputs."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from kneeline.cli.common import print_report, run_guarded, stderr_console
from kneeline.report.result import AnalysisResult

__all__ = ["register", "summary_tables"]


class TestChoice(StrEnum):
    """Movement tests."""

    single_leg_squat = "single-leg-squat"
    squat = "squat"
    single_leg_stance = "single-leg-stance"


class SideChoice(StrEnum):
    """Stance leg for single-leg tests."""

    left = "left"
    right = "right"
    auto = "auto"


def _fmt(x: float | None, unit: str = "deg") -> str:
    if x is None:
        return "-"
    return f"{x:.1f}°" if unit == "deg" else f"{x:.2f}"


def summary_tables(result: AnalysisResult) -> list[Table]:
    """Rich tables for the terminal: capture, reps, and per-side summary with uncertainty."""
    cap = Table(title="Capture", show_header=False)
    cap.add_row("view", f"{result.capture.view} (yaw {_fmt(result.capture.yaw_deg)})")
    cap.add_row("video", f"{result.video.width}x{result.video.height}, {result.video.fps:.1f} fps, "
                         f"{result.video.duration_s:.1f} s")
    for w in result.capture.warnings:
        cap.add_row("[yellow]warning[/]", w)
    reps = Table(title=f"{result.test}: {len(result.reps)} rep(s)")
    for col in ("#", "side", "bottom s", "FPPA L", "FPPA R", "pelvic obliq.", "pelvic drop", "trunk lean",
                "depth", "hold s"):
        reps.add_column(col, justify="right")
    for r in result.reps:
        reps.add_row(str(r.index), r.side, f"{r.bottom_s:.2f}", _fmt(r.fppa_left_deg), _fmt(r.fppa_right_deg),
                     _fmt(r.pelvic_obliquity_deg), _fmt(r.pelvic_drop_deg), _fmt(r.trunk_lean_deg),
                     _fmt(r.depth, "ratio"), _fmt(r.hold_s, "s"))
    summ = Table(title="Summary (mean ± SD over reps; SDD = smallest detectable difference)")
    for col in ("side", "metric", "mean ± SD", "n", "SDD"):
        summ.add_column(col)
    for side_name in ("left", "right", "both"):
        side = getattr(result.summary, side_name)
        if side is None:
            continue
        for name, m in side.metrics.items():
            sd = f" ± {m.sd:.1f}" if m.sd is not None else ""
            mean = "-" if m.mean is None else f"{m.mean:.2f}{sd} {m.unit}"
            summ.add_row(side_name, name, mean, str(m.n), "-" if m.sdd is None else f"{m.sdd:g}")
    for name, a in result.summary.asymmetry.items():
        verdict = "" if a.exceeds_sdd is None else ("exceeds SDD" if a.exceeds_sdd else "within noise")
        summ.add_row("L - R", name, "-" if a.difference is None else f"{a.difference:.1f}", "", verdict)
    return [cap, reps, summ]


def _default_out(video: Path) -> Path:
    return Path.cwd() / f"{video.stem}-kneeline"


def analyze_command(
    video: Annotated[Path, typer.Argument(help="Video file (mp4, mov, avi, webm) from a phone or webcam.")],
    test: Annotated[TestChoice, typer.Option("--test", "-t", help="Movement test shown in the video.")],
    side: Annotated[SideChoice, typer.Option(help="Stance leg for single-leg tests; auto detects it.")]
    = SideChoice.auto,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: ./<video>-kneeline).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print result.json to standard output.")] = False,
    no_video: Annotated[bool, typer.Option("--no-video", help="Skip annotated.mp4 (faster).")] = False,
    settings_file: Annotated[Path | None, typer.Option("--settings", help="JSON settings file.")] = None,
) -> None:
    """Measure knee valgus (FPPA), pelvic drop and trunk lean per repetition in VIDEO."""
    from kneeline.config import load_settings
    from kneeline.pipeline import analyze_video
    from kneeline.report.writer import write_outputs

    def work() -> None:
        settings = load_settings(settings_file).analysis
        out_dir = out or _default_out(video)
        err = stderr_console()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, transient=False, disable=not err.is_terminal and as_json) as bar:
            pose_task = bar.add_task("pose estimation", total=None)
            run = analyze_video(video, test.value, side=side.value, settings=settings,
                                progress=lambda done, total: bar.update(pose_task, completed=done,
                                                                        total=total or None))
            video_task = bar.add_task("annotated video", total=None, visible=not no_video)
            paths = write_outputs(out_dir, run.result, run.table, run.pose, video, annotate=not no_video,
                                  progress=lambda done, total: bar.update(video_task, completed=done,
                                                                          total=total or None))
        if as_json:
            sys.stdout.write(run.result.model_dump_json(indent=2) + "\n")
            return
        print_report(summary_tables(run.result), run.result.notes, out_dir, (p.name for p in paths.values()))

    run_guarded(work)


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the CLI."""
    app.command("analyze")(analyze_command)

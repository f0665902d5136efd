"""``kneeline coach``: count and judge the repetitions of one exercise set in a video."""

from __future__ import annotations

import dataclasses
import sys
from contextlib import nullcontext
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kneeline.cli.common import print_report, run_guarded, stderr_console
from kneeline.coach.compare import vs_reference_text
from kneeline.coach.result import CoachResult

__all__ = ["register", "coach_tables"]


class SideChoice(StrEnum):
    """Working or stance leg."""

    left = "left"
    right = "right"
    auto = "auto"


def coach_tables(result: CoachResult) -> list[Table]:
    """Rich tables for the terminal: one row per repetition, then the set summary."""
    what = "hold(s)" if result.kind == "hold" else "rep(s)"
    reps = Table(title=f"{result.exercise_name}: {result.count} {what}" + (" (partial set)" if result.partial else ""))
    columns = ["#", "side", "start s", "time s", "range", "hold s", "quality", "faults"]
    if result.reference is not None:
        columns.append("vs reference")
    for col in columns:
        reps.add_column(col, justify="left" if col in ("faults", "side", "vs reference") else "right")
    for r in result.reps:
        row = [str(r.index), r.side or "-", f"{r.start_s:.2f}", f"{r.duration_s:.2f}",
               "withheld" if r.amplitude is None else f"{r.amplitude:.2f} {r.amplitude_unit}",
               "-" if r.hold_s is None else f"{r.hold_s:.1f}",
               "-" if r.quality is None else str(r.quality), ", ".join(f.label for f in r.faults) or "none"]
        if result.reference is not None:
            row.append(vs_reference_text(r))
        reps.add_row(*row)
    summary = Table(title="Set", show_header=False)
    yaw = result.capture.yaw_deg if result.capture is not None else None
    summary.add_row("view", f"{result.view_seen}" + (f" (yaw {yaw:.0f}°)" if yaw is not None else "")
                    + f" (needs {result.view_needed})")
    for w in result.withheld:
        summary.add_row("withheld", f"{w.label}: rep(s) {', '.join(map(str, w.reps))}")
    if result.tempo.mean_rep_s is not None:
        summary.add_row("tempo", f"{result.tempo.mean_rep_s:.1f} s per rep"
                        + (f", {result.tempo.reps_per_min:.0f} per minute" if result.tempo.reps_per_min else ""))
    if result.quality is not None:
        summary.add_row("quality", f"{result.quality}/100")
    if result.partial_attempts:
        summary.add_row("not counted", f"{result.partial_attempts} movement(s) too small")
    for fault, n in result.fault_counts.items():
        summary.add_row("fault", f"{fault}: {n} rep(s)")
    return [reps, summary]


def coach_command(
    video: Annotated[Path, typer.Argument(help="Video file of one exercise set.")],
    exercise: Annotated[str, typer.Option("--exercise", "-e", help="Exercise id (see `kneeline exercises`).")],
    side: Annotated[SideChoice, typer.Option(help="Working or stance leg; auto detects it.")] = SideChoice.auto,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Output folder (default: ./<video>-coach).")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print result.json to standard output.")] = False,
    no_video: Annotated[bool, typer.Option("--no-video", help="Skip annotated.mp4 (faster).")] = False,
    settings_file: Annotated[Path | None, typer.Option("--settings", help="JSON settings file.")] = None,
    reference: Annotated[Path | None, typer.Option(
        "--reference", help="result.json (or its folder) of an earlier set of this exercise by the same person, "
                            "accepted as their good form (at least 3 reps, filmed from the view the exercise is "
                            "coached from): each rep is compared with it.")] = None,
) -> None:
    """Count repetitions (or time holds) of EXERCISE in VIDEO, with tempo, faults and a quality score."""
    from kneeline.coach.compare import check_reference, compare_with_reference, load_reference_result
    from kneeline.coach.definitions import get_movement
    from kneeline.coach.output import write_coach_outputs
    from kneeline.coach.session import coach_video
    from kneeline.config import load_settings
    from kneeline.errors import InputError

    def work() -> None:
        settings = load_settings(settings_file).analysis
        out_dir = out or Path.cwd() / f"{video.stem}-coach"
        err = stderr_console()
        ref = None
        if reference is not None:  # refuse a wrong reference before the slow part
            ref = load_reference_result(reference)
            check_reference(ref, get_movement(exercise).id)
        with err.status("estimating the pose and counting...", spinner="dots") if err.is_terminal else nullcontext():
            run = coach_video(video, exercise, side=side.value, settings=settings)
            if ref is not None:
                run = dataclasses.replace(run, result=compare_with_reference(run.result, ref))
            paths = write_coach_outputs(out_dir, run, video, annotate=not no_video)
        capture = run.result.capture.warnings if run.result.capture is not None else []
        for message in dict.fromkeys([*capture, *run.result.messages]):
            err.print(f"[yellow]warning:[/] {message}", highlight=False, soft_wrap=True)
        if as_json:
            sys.stdout.write(run.result.model_dump_json(indent=2) + "\n")
        else:
            print_report(coach_tables(run.result), run.result.notes, out_dir, (p.name for p in paths.values()))
        refused = run.result.reference.refused if run.result.reference is not None else None
        if refused is not None:  # found only once the set is measured (another person's body): the set is kept
            raise InputError(f"the reference set was not used: {refused}. This set was coached without it "
                             f"(outputs in {out_dir}).")

    run_guarded(work)


def register(app: typer.Typer) -> None:
    """Add ``coach`` to the CLI."""
    app.command("coach")(coach_command)

"""``kneeline analyze``: measure a movement test in a video and write the four outputs."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import RenderableType
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table
from rich.text import Text

from kneeline.cli.common import print_report, run_guarded, stderr_console
from kneeline.report.result import AnalysisResult
from kneeline.report.tables import TextTable, rep_table, summary_table

__all__ = ["register", "summary_tables", "plain_tables"]


class TestChoice(StrEnum):
    """Movement tests."""

    single_leg_squat = "single-leg-squat"
    squat = "squat"
    single_leg_stance = "single-leg-stance"
    gait = "gait"


class SideChoice(StrEnum):
    """Stance leg for single-leg tests."""

    left = "left"
    right = "right"
    auto = "auto"


def _fmt(x: float | None, unit: str = "deg") -> str:
    if x is None:
        return "not measured"
    return f"{x:.1f}°" if unit == "deg" else f"{x:.2f}"


def _text_table(table: TextTable) -> Table:
    out = Table(title=table.caption, title_justify="left")
    for header in table.headers:
        out.add_column(header, overflow="fold")
    for row in table.rows:
        out.add_row(*row)
    return out


def plain_tables(result: AnalysisResult) -> list[RenderableType]:
    """The result in plain words: how it was filmed, each value and its meaning, what was not measured, next steps."""
    from kneeline.report.plain import plain_result

    plain = plain_result(result)
    out: list[RenderableType] = [Text(plain.headline, style="bold"), Text(plain.view)]
    out += [Text(f"warning: {w}", style="yellow") for w in plain.warnings]
    if plain.measures:
        measured = Table(title="What we measured", title_justify="left", show_lines=True)
        measured.add_column("Measure", ratio=2, overflow="fold")
        measured.add_column("Value", ratio=1, overflow="fold")
        measured.add_column("What it means", ratio=4, overflow="fold")
        for m in plain.measures:
            measured.add_row(m.title, f"{m.value}\n{m.status_words}", m.meaning)
        out.append(measured)
    if plain.not_measured:
        out.append(Text("Not measured in this video", style="bold"))
        out += [Text(f"- {n.title}. {n.reason}") for n in plain.not_measured]
    if plain.how_to_film:
        out.append(Text("How to film it", style="bold"))
        out += [Text(f"- {t}") for t in plain.how_to_film]
    out.append(Text("What to do next", style="bold"))
    out += [Text(f"- {t}") for t in plain.next_steps]
    return out


def summary_tables(result: AnalysisResult) -> list[RenderableType]:
    """For the terminal: the result in plain words, then the exact numbers (reps or steps, summary)."""
    exact: list[RenderableType] = [Text("Exact numbers (for clinicians)", style="bold")]
    if result.test == "gait":
        exact.append(_steps_table(result))
    else:
        exact.append(_text_table(rep_table(result)))
    exact.append(_text_table(summary_table(result)))
    return [*plain_tables(result), *exact]


def _steps_table(result: AnalysisResult) -> Table:
    """Gait: one row per stance (events and the values at midstance)."""
    gait = result.gait
    cadence = "" if gait is None or gait.cadence_steps_per_min is None else \
        f", cadence {gait.cadence_steps_per_min:.0f} steps/min"
    table = Table(title=f"Walking: {len(result.steps)} stance(s){cadence}", title_justify="left")
    for col in ("#", "Leg", "Contact s", "Toe-off s", "Stance s", "View", "Pelvic drop", "Peak drop", "Knee FPPA",
                "Trunk lean", "Not measured"):
        table.add_column(col, overflow="fold")
    for s in result.steps:
        table.add_row(str(s.index), s.side, _fmt(s.contact_s, "s"), _fmt(s.toe_off_s, "s"), _fmt(s.stance_s, "s"),
                      _fmt(s.yaw_deg), _fmt(s.pelvic_drop_deg), _fmt(s.pelvic_drop_max_deg), _fmt(s.fppa_deg),
                      _fmt(s.trunk_lean_deg), "; ".join(w.split(":")[0] for w in s.withheld))
    return table


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
    fps: Annotated[float | None, typer.Option("--fps", min=0, help="Analysis frame rate (default: the test's own, "
                                              "30 for squats and stance, every frame for gait; 0 = every frame).")]
    = None,
    export: Annotated[str | None, typer.Option("--export", help="Also write research exports: trc (keypoints.trc "
                                               "for OpenSim/Pose2Sim), csv (keypoints_clean.csv, angles.csv); "
                                               "e.g. --export trc,csv.")] = None,
) -> None:
    """Measure knee valgus (FPPA), pelvic drop and trunk lean per repetition in VIDEO."""
    from kneeline.config import load_settings
    from kneeline.pipeline import analyze_video
    from kneeline.report.writer import write_outputs

    def work() -> None:
        from kneeline.export.research import parse_formats, write_exports

        formats = parse_formats(export) if export is not None else ()
        settings = load_settings(settings_file).analysis
        out_dir = out or _default_out(video)
        err = stderr_console()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      console=err, transient=False, disable=not err.is_terminal and as_json) as bar:
            pose_task = bar.add_task("pose estimation", total=None)
            run = analyze_video(video, test.value, side=side.value, settings=settings, target_fps=fps,
                                progress=lambda done, total: bar.update(pose_task, completed=done,
                                                                        total=total or None))
            video_task = bar.add_task("annotated video", total=None, visible=not no_video)
            paths = write_outputs(out_dir, run.result, run.table, run.pose, video, annotate=not no_video,
                                  progress=lambda done, total: bar.update(video_task, completed=done,
                                                                          total=total or None))
        exported = write_exports(out_dir, formats, run.pose, run.table, run.result) if formats else {}
        if as_json:
            sys.stdout.write(run.result.model_dump_json(indent=2) + "\n")
            return
        names = [*(p.name for p in paths.values()), *exported]
        print_report(summary_tables(run.result), run.result.notes, out_dir, names)

    run_guarded(work)


def register(app: typer.Typer) -> None:
    """Add ``analyze`` to the CLI."""
    app.command("analyze")(analyze_command)

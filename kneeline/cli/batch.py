"""``kneeline batch``: analyse a folder of videos or a CSV manifest, here or on a Ray cluster."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from kneeline.batch.worker import ItemOutcome
from kneeline.cli.analyze import SideChoice, TestChoice
from kneeline.cli.common import run_guarded, stderr_console, stdout_console

__all__ = ["register"]


class EngineChoice(StrEnum):
    """Where the batch runs."""

    local = "local"
    ray = "ray"


def _last(outcome: ItemOutcome) -> str:
    return f"videos (last: {Path(outcome.video).name} {outcome.status})"


def batch_command(
    source: Annotated[Path, typer.Argument(metavar="INPUT", help="A folder of videos, or a CSV manifest with the "
                                           "columns video, test, side (left/right/auto) and optional patient_id.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder: one folder per video and summary.csv.")],
    engine: Annotated[EngineChoice, typer.Option(help="local: this process, one pose model; ray: worker actors on "
                                                 "a Ray cluster (pip install 'kneeline[cluster]').")]
    = EngineChoice.local,
    address: Annotated[str | None, typer.Option(help="Ray cluster: HOST:PORT of its head node or ray://HOST:10001. "
                                                "Default: start a Ray on this machine.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=256, help="Ray workers; each keeps one pose model loaded "
                                         "and uses one CPU.")] = 2,
    test: Annotated[TestChoice | None, typer.Option("--test", "-t", help="Test of a folder's videos (and of "
                                                    "manifest rows that leave it empty).")] = None,
    side: Annotated[SideChoice, typer.Option(help="Stance leg of a folder's videos (and of manifest rows that "
                                             "leave it empty).")] = SideChoice.auto,
    no_video: Annotated[bool, typer.Option("--no-video", help="Skip annotated.mp4 (faster).")] = False,
    settings_file: Annotated[Path | None, typer.Option("--settings", help="JSON settings file.")] = None,
) -> None:
    """Analyse many videos; run it again to resume (finished videos are skipped)."""
    from kneeline.batch.run import run_batch
    from kneeline.config import load_settings

    def work() -> None:
        settings = load_settings(settings_file).analysis
        if engine is EngineChoice.ray and address is not None:
            from kneeline.cluster import check_address

            check_address(address)  # before the progress bar: a wrong address is a one-line error
        err = stderr_console()
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                      console=err, transient=False) as bar:
            task = bar.add_task("videos", total=None)
            report = run_batch(source, out, engine=engine.value, address=address, workers=workers,
                               test=None if test is None else test.value, side=side.value, annotate=not no_video,
                               settings_json=settings.model_dump_json(),
                               on_start=lambda n: bar.update(task, total=n),
                               on_outcome=lambda o: bar.update(task, advance=1, description=_last(o)))
        console = stdout_console()
        console.print(f"{report.count('done')} analysed, {report.count('skipped')} already done, "
                      f"{report.count('failed')} failed. Summary: {report.summary}")
        if report.failures:
            table = Table(title="Failed")
            for col in ("line", "video", "reason"):
                table.add_column(col)
            for o in report.failures:
                table.add_row(str(o.line), o.video, o.reason)
            console.print(table)
            raise typer.Exit(code=1)

    run_guarded(work)


def register(app: typer.Typer) -> None:
    """Add ``batch`` to the CLI."""
    app.command("batch")(batch_command)

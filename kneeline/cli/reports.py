"""``kneeline report`` and ``kneeline compare``: the assessment report (PDF/HTML) and a before/after comparison."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from kneeline.cli.common import run_guarded, stdout_console

__all__ = ["register"]

_ANALYSIS_HELP = "result.json of `kneeline analyze`, or its output folder."


def report_command(
    analysis: Annotated[Path, typer.Argument(help=_ANALYSIS_HELP)],
    out: Annotated[Path, typer.Option("--out", "-o", help="Report file: .pdf (default) or .html.")],
    previous: Annotated[Path | None, typer.Option("--previous", help="An earlier assessment of the same test to "
                                                                     "compare with (result.json or folder).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Patient name printed on the report.")] = None,
    intake: Annotated[Path | None, typer.Option("--intake", help="Intake file (kneeline intake --out): findings "
                                                                 "against reference values, scores.")] = None,
    outcomes: Annotated[list[Path] | None, typer.Option("--outcomes", help="Outcome answers of one day "
                                                                           "(repeatable): the score trend.")] = None,
    program: Annotated[Path | None, typer.Option("--program", help="Program file (kneeline program --out).")] = None,
) -> None:
    """Write the assessment report of one analysis as PDF (or HTML), optionally compared with an earlier one."""
    from kneeline.report.document import write_report
    from kneeline.report.record import load_record
    from kneeline.report.source import load_analysis

    def work() -> None:
        source = load_analysis(analysis)
        before = load_analysis(previous) if previous is not None else None
        record = load_record(name=name, intake=intake, outcomes=outcomes or (), program=program)
        path = write_report(out, source, record, before)
        stdout_console().print(f"Report written to {path}")

    run_guarded(work)


def compare_command(
    before: Annotated[Path, typer.Argument(help="The earlier assessment: " + _ANALYSIS_HELP)],
    after: Annotated[Path, typer.Argument(help="The later assessment: " + _ANALYSIS_HELP)],
    as_json: Annotated[bool, typer.Option("--json", help="Print the comparison as JSON.")] = False,
) -> None:
    """Compare two assessments of the same test: per measure the change and whether it exceeds the SDD."""
    from kneeline.report.compare import compare
    from kneeline.report.source import load_analysis

    def work() -> None:
        comparison = compare(load_analysis(before), load_analysis(after))
        if as_json:
            typer.echo(json.dumps(_as_json(comparison), indent=2))
        else:
            _print(comparison)
        if not comparison.comparable:
            raise typer.Exit(code=1)

    run_guarded(work)


def _as_json(comparison: object) -> dict[str, object]:
    from kneeline.report.compare import Comparison

    assert isinstance(comparison, Comparison)
    return {
        "comparable": comparison.comparable, "reason": comparison.reason,
        "before": {"label": comparison.before.label, "date": comparison.before.date},
        "after": {"label": comparison.after.label, "date": comparison.after.date},
        "metrics": [{"side": m.side, "metric": m.metric, "unit": m.unit, "before_mean": m.before.mean,
                     "before_sd": m.before.sd, "after_mean": m.after.mean, "after_sd": m.after.sd,
                     "change": m.change, "sdd": m.sdd, "sdd_source": m.sdd_source, "verdict": m.verdict,
                     "text": m.text} for m in comparison.metrics],
        "rep_pairs": [{"side": p.side, "before_rep": p.before.index, "after_rep": p.after.index}
                      for p in comparison.pairs],
    }


def _print(comparison: object) -> None:
    from kneeline.report.compare import Comparison
    from kneeline.report.document import fmt

    assert isinstance(comparison, Comparison)
    console = stdout_console()
    if not comparison.comparable:
        console.print(comparison.reason)
        return
    table = Table(title=f"{comparison.before.date} -> {comparison.after.date}: change per measure")
    for col in ("side", "measure", "before", "after", "change", "verdict"):
        table.add_column(col)
    for m in comparison.metrics:
        table.add_row(m.side, m.label, fmt(m.before.mean, 2, ""), fmt(m.after.mean, 2, ""),
                      "" if m.change is None else f"{m.change:+.2f}", m.text)
    console.print(table)
    if comparison.reason:
        console.print(f"note: {comparison.reason}")


def register(app: typer.Typer) -> None:
    """Add ``report`` and ``compare`` to ``app``."""
    app.command("report")(report_command)
    app.command("compare")(compare_command)

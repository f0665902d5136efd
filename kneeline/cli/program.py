"""``kneeline program``: a referral, or findings and a combined hip-and-knee program.

The library builds the answer (:func:`kneeline.program.plan.build_program`); this module reads the
files, writes ``--out`` atomically and prints.
"""

from __future__ import annotations

from datetime import date as Date
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from kneeline.assess.consistency import check_consistent
from kneeline.assess.intake import Intake
from kneeline.assess.redflags import Screen
from kneeline.cli.common import run_guarded, stdout_console
from kneeline.cli.intake import print_screen
from kneeline.errors import ValidationError
from kneeline.program.library import dose_text
from kneeline.program.plan import ProgramResponse, build_program
from kneeline.program.prescribe import Program
from kneeline.program.storage import read_model, write_text_atomic
from kneeline.report.result import AnalysisResult

__all__ = ["register", "print_program"]


def register(app: typer.Typer) -> None:
    """Add ``program`` to ``app``."""
    app.command("program")(program_command)


def program_command(
    intake: Annotated[Path, typer.Option("--intake", help="Intake answers (JSON, see `kneeline intake --schema`).")],
    result: Annotated[list[Path] | None, typer.Option(
        "--result", help="result.json of `kneeline analyze`; repeat for several videos.")] = None,
    weeks: Annotated[int | None, typer.Option("--weeks", help="Program length in weeks (default 6).")] = None,
    start: Annotated[str | None, typer.Option("--start", help="First day, YYYY-MM-DD (optional).")] = None,
    out: Annotated[Path | None, typer.Option(
        "--out", help="Write the answer as JSON here (the file `kneeline log --program` reads).")] = None,
    pain_model: Annotated[str | None, typer.Option(
        "--pain-model", help="Pain-monitoring rules: my-knee-cap (default, as published) or kneeline-strict.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON.")] = False,
) -> None:
    """Screen for red flags; if there are none, show the findings and a program."""
    def work() -> None:
        answers = read_model(intake, Intake, "intake")
        check_consistent(answers)
        results = [read_model(p, AnalysisResult, "analysis result") for p in (result or [])]
        response = build_program(answers, results, weeks=weeks, start_date=_date(start), pain_model=pain_model)
        text = response.model_dump_json(indent=2)
        if out is not None:
            write_text_atomic(out, text + "\n")
        if as_json:
            typer.echo(text)
            return
        print_response(response)
        if out is not None:
            stdout_console().print(f"Saved to {out}; log sessions with `kneeline log --program {out} "
                                   "--log LOG.json`.", highlight=False)
    run_guarded(work)


def _date(text: str | None) -> Date | None:
    if text is None:
        return None
    try:
        return Date.fromisoformat(text)
    except ValueError:
        raise ValidationError(f"--start: got {text!r}; allowed: a date written YYYY-MM-DD.") from None


def _say(text: str) -> None:
    """Print plain text (never read as rich markup)."""
    stdout_console().print(text, highlight=False, markup=False)


def _heading(title: str, text: str = "") -> None:
    stdout_console().print(f"[bold]{escape(title)}[/]{(' ' + escape(text)) if text else ''}", highlight=False)


def print_response(response: ProgramResponse) -> None:
    """Print a referral, or findings, pattern and program."""
    if response.status == "referred":
        print_screen(Screen(referred=True, referral=response.referral, notes=response.notes))
        return
    for note in response.notes:
        _say(f"Note: {note}")
    _heading("What kneeline found")
    for finding in response.findings:
        _say(f"  - {finding.text}")
    if response.pattern is not None:
        p = response.pattern
        _heading("Pattern:", f"{p.title}. {p.text} ({'; '.join(p.reasons)})")
        _say(f"  {p.disclaimer}")
    if response.program is not None:
        print_program(response.program)


def print_program(program: Program) -> None:
    """Print the exercises in session order, the form cues and the explanations."""
    _heading("Your program:", f"{program.weeks} weeks, {program.sessions_per_week} sessions a week "
                                 f"(starting level: {program.pain_band}). Each session, in this order:")
    for ex in program.exercises:
        side = " each side" if ex.each_side else ""
        later = f" (from week {ex.start_week})" if ex.start_week > 1 else ""
        _say(f"  {ex.phase:<9} {ex.name} [{ex.id}]: {dose_text(ex.sets, ex.reps, ex.hold_s)}{side}, "
             f"rest {ex.rest_s} s{later}")
    _say("  Steps, cues and common faults of each exercise: `kneeline exercises ID`.")
    _heading("Form cues")
    for cue in program.form_cues:
        _say(f"  - {cue}")
    n = program.notes
    for title, text in (("Why these exercises:", n.combined), ("Why this dose:", n.dose), ("Pain rule:", n.pain_rule),
                        ("Stretches:", n.mobility),
                        ("Supplements:", n.supplements + " See `kneeline ask supplements`."),
                        ("Other options:", n.other_options), ("Please note:", n.see_physio)):
        _heading(title, text)

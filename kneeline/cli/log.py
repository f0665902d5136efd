"""``kneeline log``: record a session and decide, per exercise, progress / hold / regress.

Non-interactive with ``--entry SESSION.json`` (or ``--next-morning N`` to complete the last
session); interactive otherwise.  The log file is written atomically and only after every answer
has been validated.
"""

from __future__ import annotations

import json
from datetime import date as Date
from pathlib import Path
from typing import Annotated, Any

import typer

from kneeline.assess.questionnaires import NPRS_MAX, NPRS_MIN
from kneeline.assess.validation import parse_model
from kneeline.cli.common import run_guarded, stdout_console
from kneeline.cli.intake import ask_bool, ask_choice, ask_int
from kneeline.errors import ValidationError
from kneeline.program.library import load_library
from kneeline.program.plan import ProgramResponse
from kneeline.program.prescribe import Program
from kneeline.program.progression import (
    MAX_HOLD_S,
    MAX_REPS,
    MAX_SETS,
    LoggedSession,
    Prescription,
    SessionEntry,
    TrainingLog,
    current_prescriptions,
    new_log,
    record_session,
    session_week,
    set_next_morning_pain,
)
from kneeline.program.storage import read_json, read_model, write_model_atomic

__all__ = ["register", "load_program"]


def register(app: typer.Typer) -> None:
    """Add ``log`` to ``app``."""
    app.command("log")(log_command)


def log_command(
    program: Annotated[Path, typer.Option("--program", help="Program file written by `kneeline program --out`.")],
    log: Annotated[Path, typer.Option("--log", help="Training-log file (created if it does not exist).")],
    entry: Annotated[Path | None, typer.Option(
        "--entry", help="Session as JSON: date, pain_before, exercises[{id, sets, reps|hold_s, load, pain_during, "
                        "pain_after_1h, pain_next_morning, quality}].")] = None,
    next_morning: Annotated[int | None, typer.Option(
        "--next-morning", help="Next-morning pain 0-10 for the last logged session; decides it again.")] = None,
    exercise: Annotated[str | None, typer.Option(
        "--exercise",
        help="With --next-morning: the exercise the pain belongs to (default: the whole session).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the decisions as JSON.")] = False,
) -> None:
    """Record a session; each exercise is progressed, held or regressed by the pain-monitoring model."""
    def work() -> None:
        plan = load_program(program)
        history = read_model(log, TrainingLog, "training log") if log.exists() else new_log(plan)
        if entry is not None and next_morning is not None:
            raise ValidationError("give either --entry or --next-morning, not both.")
        if exercise is not None and next_morning is None:
            raise ValidationError("--exercise goes with --next-morning: give the next-morning pain too.")
        if next_morning is not None:
            updated = set_next_morning_pain(plan, history, next_morning, exercise)
        else:
            session = (parse_model(SessionEntry, read_json(entry, "session"), f"session ({entry})")
                       if entry is not None else _interactive_entry(plan, history))
            updated = record_session(plan, history, session)
        write_model_atomic(log, updated)
        _print(updated.sessions[-1], current_prescriptions(plan, updated), as_json)
    run_guarded(work)


def load_program(path: Path) -> Program:
    """Read a program from ``kneeline program --out`` (or a bare program object).

    Raises
    ------
    ValidationError
        If the file is a referral (no program) or not a program.
    """
    data: Any = read_json(path, "program")
    if isinstance(data, dict) and "status" in data:
        response = parse_model(ProgramResponse, data, f"program ({path})")
        if response.program is None:
            raise ValidationError(f"{path} holds a referral, not a program: kneeline prepares no program "
                                  "when a red flag is present. See a doctor first.")
        return response.program
    return parse_model(Program, data, f"program ({path})")


def _interactive_entry(plan: Program, history: TrainingLog) -> SessionEntry:
    """Ask for the session exercise by exercise (only those of the session's program week), then validate.

    Each "did you do it" needs an explicit answer: nothing is assumed done.
    """
    lib = load_library()
    when = _ask_date("Date of the session (YYYY-MM-DD)", Date.today())
    data: dict[str, Any] = {"date": when, "exercises": [],
                            "pain_before": ask_int("Knee pain before the session, 0-10", NPRS_MIN, NPRS_MAX)}
    week = session_week(plan, history, Date.fromisoformat(when))
    starts = {e.slot: e.start_week for e in plan.exercises}
    for rx in current_prescriptions(plan, history).values():
        name = lib.exercises[rx.id].name
        if starts.get(rx.slot, 1) > week:
            typer.echo(f"  ({name} starts in week {starts[rx.slot]}; this is week {week}.)")
            continue
        if not ask_bool(f"Did you do {name} ({rx.text()})?"):
            continue
        item: dict[str, Any] = {"id": rx.id, "sets": ask_int("  sets done", 0, MAX_SETS, default=rx.sets)}
        if rx.reps is not None:
            item["reps"] = ask_int("  reps per set", 0, MAX_REPS, default=rx.reps)
        if rx.hold_s is not None:
            item["hold_s"] = ask_int("  hold per set, seconds", 0, MAX_HOLD_S, default=rx.hold_s)
        item["pain_during"] = ask_int("  worst pain during, 0-10", NPRS_MIN, NPRS_MAX)
        item["pain_after_1h"] = ask_int("  pain one hour after, 0-10", NPRS_MIN, NPRS_MAX)
        item["pain_next_morning"] = ask_int("  pain next morning, 0-10 (empty if not yet known)",
                                            NPRS_MIN, NPRS_MAX, optional=True)
        if ask_bool("  was the form checked (mirror or video)?", default=False):
            item["quality"] = ask_choice("  form", ("good", "fair", "poor"))
        data["exercises"].append(item)
    return parse_model(SessionEntry, data, "session")


def _ask_date(text: str, default: Date) -> str:
    """Ask for a date, re-asking until it is written YYYY-MM-DD."""
    while True:
        raw = str(typer.prompt(text, default=default.isoformat())).strip()
        try:
            return Date.fromisoformat(raw).isoformat()
        except ValueError:
            typer.echo(f"  Got {raw!r}; allowed: a date written YYYY-MM-DD.")


def _print(session: LoggedSession, current: dict[str, Prescription], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"session": session.model_dump(mode="json"),
                               "current": {k: v.model_dump(mode="json") for k, v in current.items()}}, indent=2))
        return
    from kneeline.program.feedback import next_doses

    console = stdout_console()
    console.print(f"Session {session.entry.date} (pain before: {session.entry.pain_before}/10). Next time:",
                  highlight=False)
    for d, dose in zip(session.decisions, next_doses(session), strict=True):
        console.print(f"- {dose.exercise} ({d.id}): {dose.action.lower()}, {dose.next_text}.", highlight=False,
                      markup=False)
        console.print(f"  {dose.why}", highlight=False, markup=False)

"""``kneeline intake`` (answers and red-flag screen) and ``kneeline score`` (outcome measures).

The library does the work (:mod:`kneeline.assess`); this module asks the questions, reads and
writes the files and prints.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape

from kneeline.assess.intake import (
    AGE_MAX,
    AGGRAVATORS,
    DURATION_WEEKS_MAX,
    PAIN_LOCATIONS,
    Intake,
    intake_json_schema,
    intake_scores,
    parse_intake,
)
from kneeline.assess.questionnaires import (
    NPRS_MAX,
    NPRS_MIN,
    Change,
    OutcomeAnswers,
    OutcomeScores,
    compare_outcomes,
    load_akps,
    load_koos_pf,
    score_outcomes,
)
from kneeline.assess.redflags import Screen, load_red_flags, screen
from kneeline.assess.types import whole
from kneeline.assess.validation import parse_model
from kneeline.cli.common import run_guarded, stdout_console
from kneeline.errors import ValidationError
from kneeline.program.storage import read_json, write_model_atomic

__all__ = ["register", "ask_int", "ask_number", "ask_choice", "ask_subset", "ask_bool", "print_screen"]


def register(app: typer.Typer) -> None:
    """Add ``intake`` and ``score`` to ``app``."""
    app.command("intake")(intake_command)
    app.command("score")(score_command)


def intake_command(
    answers: Annotated[Path | None, typer.Option(
        "--answers", help="JSON file with the answers (see --schema); without it kneeline asks.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Write the validated intake to this JSON file.")] = None,
    schema: Annotated[bool, typer.Option("--schema", help="Print the JSON Schema of the answers and exit.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the intake and the red-flag screen as JSON.")] = False,
) -> None:
    """Answer the intake questions (or read them from a file) and screen for red flags."""
    def work() -> None:
        if schema:
            typer.echo(json.dumps(intake_json_schema(), indent=2))
            return
        intake = parse_intake(read_json(answers, "answers")) if answers else _interactive_intake()
        result = screen(intake)
        if out is not None:
            write_model_atomic(out, intake)
        if as_json:
            typer.echo(json.dumps({"intake": intake.model_dump(mode="json"),
                                   "screen": result.model_dump(mode="json")}, indent=2))
            return
        print_screen(result)
        if out is not None:
            stdout_console().print(f"Intake saved to {out}.", highlight=False)
    run_guarded(work)


def print_screen(result: Screen) -> None:
    """Print the red-flag screen in plain words."""
    console = stdout_console()
    for note in result.notes:
        console.print(f"Note: {note}", highlight=False, markup=False)
    if result.referral is None:
        console.print("Red-flag screen: no red flags in your answers.", highlight=False)
        return
    ref = result.referral
    console.print(f"[bold red]{escape(ref.title)}[/]", highlight=False)
    lines = (ref.advice, "Why:", *(f"  - {r.message}" for r in ref.reasons), ref.note)
    for line in lines:
        console.print(line, highlight=False, markup=False)


def _interactive_intake() -> Intake:
    """Ask every question, re-asking until each answer is allowed; then validate the whole."""
    typer.echo("kneeline intake. Answer each question; press Ctrl-C to stop (nothing is saved).")
    data: dict[str, Any] = {
        "age": ask_int("Age in years", 0, AGE_MAX),
        "sex": ask_choice("Sex (for the reference ranges)", ("female", "male", "other")),
        "knee": ask_choice("Which knee hurts", ("left", "right", "both")),
        "pain_locations": ask_subset("Where does it hurt", PAIN_LOCATIONS),
        "aggravating": ask_subset("What brings the pain on", AGGRAVATORS),
        "pain_now": ask_int("Pain now, 0 = none, 10 = worst imaginable", NPRS_MIN, NPRS_MAX),
        "pain_worst_week": ask_int("Worst pain in the last week, 0-10", NPRS_MIN, NPRS_MAX),
        "duration_weeks": ask_number("For how many weeks has it hurt", 0, DURATION_WEEKS_MAX),
        "recent_injury": ask_bool("Did the pain start with a recent injury (fall, twist, blow)?"),
        "pregnancy": _ask_pregnancy(),
    }
    typer.echo("Safety questions: answer each one.")
    flags = {}
    for flag in load_red_flags().flags:
        if flag.after_injury_only and not data["recent_injury"]:
            flags[flag.id] = False
            continue
        flags[flag.id] = ask_bool(flag.question)
    data["red_flags"] = flags
    if ask_bool("Answer the AKPS knee questionnaire now (13 questions)?", default=False):
        data["akps"] = _ask_akps()
    if ask_bool("Answer the KOOS-PF knee questionnaire now (11 questions)?", default=False):
        data["koos_pf"] = _ask_koos_pf()
    return _confirmed(data)


_PREGNANCY = {"no": "no", "yes, up to week 12": "first_trimester", "yes, week 13 or later": "after_first_trimester"}


def _ask_pregnancy() -> str:
    labels = tuple(_PREGNANCY)
    return _PREGNANCY[ask_choice("Are you pregnant?", labels, numbered=True)]


def _confirmed(data: dict[str, Any]) -> Intake:
    """Validate the answers; show answers that contradict each other and ask to confirm both."""
    from kneeline.assess.consistency import unconfirmed

    intake = parse_model(Intake, data, "intake answers")
    for c in unconfirmed(intake):
        typer.echo(f"These answers contradict each other: {c.fields[0]} = {c.answers[0]} and "
                   f"{c.fields[1]} = {c.answers[1]} ({c.text}).")
        if not ask_bool("Are both answers right?", default=None):
            raise ValidationError(f"answers {c.fields[0]} and {c.fields[1]} contradict each other; run "
                                  "`kneeline intake` again and correct one of them. Nothing was saved.")
        data = {**data, "confirmed": [*data.get("confirmed", []), c.id]}
    return parse_intake(data)


def _ask_akps() -> dict[str, str]:
    answers: dict[str, str] = {}
    for item in load_akps().items:
        labels = tuple(o.label for o in item.options)
        chosen = ask_choice(item.question, labels, numbered=True)
        answers[item.id] = item.options[labels.index(chosen)].id
    return answers


def _ask_koos_pf() -> dict[str, int | None]:
    koos = load_koos_pf()
    top = whole(koos.item_max)
    answers: dict[str, int | None] = {}
    for item in koos.items:
        labels = koos.scales[item.scale].labels
        scale = ", ".join(f"{i} = {label}" for i, label in enumerate(labels))
        answers[item.id] = ask_int(f"{item.text} ({scale}; empty to skip)", 0, top, optional=True)
    return answers


def score_command(
    answers: Annotated[Path, typer.Argument(help="Outcome answers (or an intake) as JSON: date, akps, koos_pf, "
                                                 "nprs_now, nprs_worst_week.")],
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="Earlier answers to compare with (improved / no clear change / worsened).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print scores and changes as JSON.")] = False,
) -> None:
    """Score AKPS, KOOS-PF and pain ratings, and compare with an earlier date."""
    def work() -> None:
        now = _scores_from_file(answers)
        before = _scores_from_file(previous) if previous else None
        changes = compare_outcomes(before, now) if before else []
        if as_json:
            typer.echo(json.dumps({"scores": now.model_dump(mode="json"),
                                   "previous": before.model_dump(mode="json") if before else None,
                                   "changes": [c.model_dump(mode="json") for c in changes]}, indent=2))
            return
        _print_scores(now, changes)
    run_guarded(work)


def _scores_from_file(path: Path) -> OutcomeScores:
    data = read_json(path, "answers")
    if isinstance(data, dict) and "red_flags" in data:
        return intake_scores(parse_intake(data))
    return score_outcomes(parse_model(OutcomeAnswers, data, f"outcome answers ({path})"))


def _print_scores(now: OutcomeScores, changes: list[Change]) -> None:
    console = stdout_console()
    when = f" on {now.date}" if now.date else ""
    console.print(f"Scores{when}:", highlight=False, markup=False)
    if now.akps is not None:
        flag = " (uses an answer with disputed points: provisional)" if now.akps.provisional else ""
        console.print(f"  AKPS (Kujala): {now.akps.score}/100{flag}", highlight=False, markup=False)
    if now.koos_pf is not None:
        console.print(f"  KOOS-PF: {now.koos_pf.score:g}/100 ({now.koos_pf.answered} of {now.koos_pf.of} items)",
                      highlight=False, markup=False)
    for label, val in (("Pain now", now.nprs_now), ("Worst pain last week", now.nprs_worst_week)):
        if val is not None:
            console.print(f"  {label}: {val}/10", highlight=False, markup=False)
    for change in changes:
        console.print(f"  {change.text}", highlight=False, markup=False)


# ---------------------------------------------------------------- prompts shared with `kneeline log`

def _ask(text: str, default: str | None = None) -> str:
    return str(typer.prompt(text, default=default, show_default=default not in (None, ""))).strip()


def _ask_in_range(text: str, low: float, high: float, parse: type[int] | type[float], allowed: str,
                  default: str | None, optional: bool) -> float | None:
    """Ask until the answer parses with ``parse`` and lies in ``low..high`` (empty = None if optional)."""
    while True:
        raw = _ask(text, "" if optional else default)
        if optional and raw == "":
            return None
        try:
            number: float = parse(raw)
        except ValueError:
            number = low - 1
        if low <= number <= high:
            return number
        typer.echo(f"  Got {raw!r}; allowed: {allowed}.")


def ask_int(text: str, low: int, high: int, optional: bool = False, default: int | None = None) -> int | None:
    """Ask for a whole number in ``low..high``, re-asking until it is allowed (empty = None if optional)."""
    number = _ask_in_range(text, low, high, int, f"a whole number from {low} to {high}",
                           None if default is None else str(default), optional)
    return None if number is None else int(number)


def ask_number(text: str, low: float, high: float) -> float:
    """Ask for a number in ``low..high``, re-asking until it is allowed."""
    number = _ask_in_range(text, low, high, float, f"a number from {low:g} to {high:g}", None, False)
    assert number is not None  # not optional: only an allowed number ends the loop
    return number


def ask_choice(text: str, choices: tuple[str, ...], numbered: bool = False) -> str:
    """Ask for one of ``choices`` (by name, or by number when ``numbered``), re-asking until allowed."""
    if numbered:
        for i, choice in enumerate(choices, start=1):
            typer.echo(f"  {i}. {choice}")
    while True:
        raw = _ask(f"{text} [{'1-' + str(len(choices)) if numbered else '/'.join(choices)}]")
        if numbered and raw.isdigit() and 1 <= int(raw) <= len(choices):
            return choices[int(raw) - 1]
        if not numbered and raw.lower() in choices:
            return raw.lower()
        allowed = f"a number from 1 to {len(choices)}" if numbered else "one of " + ", ".join(choices)
        typer.echo(f"  Got {raw!r}; allowed: {allowed}.")


def ask_subset(text: str, choices: tuple[str, ...]) -> list[str]:
    """Ask for zero or more of ``choices``, comma-separated (empty = none), re-asking until allowed."""
    while True:
        raw = _ask(f"{text} (comma-separated: {', '.join(choices)}; empty for none)", "")
        picked = [p.strip().lower() for p in raw.split(",") if p.strip()]
        wrong = [p for p in picked if p not in choices]
        if not wrong:
            return list(dict.fromkeys(picked))
        typer.echo(f"  Got {', '.join(repr(w) for w in wrong)}; allowed: {', '.join(choices)}.")


def ask_bool(text: str, default: bool | None = None) -> bool:
    """Ask a yes/no question; with no default an explicit answer is required."""
    return bool(typer.confirm(text, default=default))

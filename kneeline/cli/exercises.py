"""``kneeline exercises [ID]``: the exercise library, or one exercise in full."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from kneeline.assess.types import numbers
from kneeline.cli.common import run_guarded, stdout_console
from kneeline.evidence import Sourced
from kneeline.program.figures import figure_path
from kneeline.program.library import Exercise, Library, intensity_band, load_library
from kneeline.program.progression import clinician_only

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``exercises`` to ``app``."""
    app.command("exercises")(exercises_command)


def exercises_command(
    exercise: Annotated[str | None, typer.Argument(help="Exercise id or name (e.g. clamshell, 'Hip Hikes').")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the exercise library, or show one exercise with its steps, cues, dose and sources."""
    def work() -> None:
        lib = load_library()
        if exercise is None:
            if as_json:
                typer.echo(json.dumps([e.model_dump(mode="json") for e in lib.exercises.values()], indent=2))
            else:
                _print_list(lib)
            return
        ex = lib.get(exercise)
        if as_json:
            dose = lib.profile(ex.id).model_dump(mode="json") if ex.dose else None
            typer.echo(json.dumps({"exercise": ex.model_dump(mode="json"), "dose": dose,
                                   "chain": [e.id for e in lib.chain(ex.id)] if ex.chain else []}, indent=2))
        else:
            _print_one(ex, lib)
    run_guarded(work)


def _coachable() -> set[str]:
    from kneeline.coach.definitions import load_movements

    return set(load_movements().movements)


def _mvic(entry: Sourced | None) -> str:
    return "-" if entry is None else "-".join(f"{x:g}" for x in numbers(entry))


def _print_list(lib: Library) -> None:
    table = Table(title="kneeline exercise library", title_justify="left", expand=True)
    table.add_column("Exercise (id)", ratio=5, overflow="fold")
    table.add_column("Type", ratio=2, overflow="fold")
    table.add_column("Glute med. activation", ratio=2, overflow="fold")
    table.add_column("Camera", ratio=2, overflow="fold")
    coachable = _coachable()
    for ex in lib.exercises.values():
        video = "counts and checks form" if ex.id in coachable else "no"
        mvic = _mvic(ex.gmed_mvic)
        table.add_row(f"{escape(ex.name)}\n[dim]{ex.id}[/]", ex.category, "not measured" if mvic == "-" else f"{mvic}%",
                      video)
    stdout_console().print(table)
    stdout_console().print("Glute med. activation: gluteus medius activity in % of a maximal contraction "
                           "(%MVIC). More: kneeline exercises ID.", highlight=False)


def _print_one(ex: Exercise, lib: Library) -> None:
    from kneeline.cite import readable_source

    console = stdout_console()
    out = [f"[bold]{escape(ex.name)}[/] (id: {ex.id})", f"Also called: {', '.join(ex.aliases) or '-'}",
           f"Category: {ex.category}; focus: {ex.focus}; targets: {', '.join(ex.target)}"]
    if ex.chain:
        out.append(f"Chain ({ex.chain}): " + " -> ".join(e.id for e in lib.chain(ex.id)))
    if ex.id in clinician_only():
        out.append("Progression: kneeline moves up to this exercise only when a clinician unlocks it "
                   "(it is not in the guideline programs).")
    if ex.supine:
        out.append("Position: lying on the back (swapped in pregnancy from week 13).")
    if ex.dose:
        prof = lib.profile(ex.id)
        start = prof.start()
        out.append(f"Starting dose: {start.text()}{' each side' if ex.each_side else ''}, rest {start.rest_s} s, "
                   f"{start.sessions_per_week} sessions a week")
        driver = prof.reps or prof.hold_s or prof.sets
        out.append(f"  dose source: {readable_source(driver.source)}")
    else:
        out.append("Dose: kneeline does not prescribe this exercise.")
    if ex.gmed_mvic is not None:
        out.append(f"Gluteus medius activation: {_mvic(ex.gmed_mvic)} %MVIC ({intensity_band(ex.gmed_mvic)}; "
                   f"{readable_source(ex.gmed_mvic.source)}){' [provisional]' if ex.gmed_mvic.provisional else ''}")
    camera = ("counts repetitions and checks form live (kneeline coach, or 'Do this with the camera' in the web app)"
              if ex.id in _coachable() else "no camera coaching for this exercise")
    out.append(f"Camera: {camera}")
    if ex.video.checkable:
        out.append(f"Movement test: kneeline analyze --test {ex.video.test} ({ex.video.view} camera)")
    out.append(f"Pictures: {figure_path(ex.id, 'start')}, {figure_path(ex.id, 'end').name}")
    out += ["Steps:", *[f"  {i}. {s}" for i, s in enumerate(ex.steps, 1)]]
    out += ["Cues:", *[f"  - {c}" for c in ex.cues]]
    out += ["Common faults:", *[f"  - {f}" for f in ex.faults]]
    if ex.equipment:
        out.append(f"Equipment: {', '.join(ex.equipment)}")
    out += [f"Caution: {c}" for c in ex.cautions]
    out.append(f"Evidence: {readable_source(ex.evidence)}")
    console.print(out[0], highlight=False)
    for line in out[1:]:
        console.print(line, highlight=False, markup=False)

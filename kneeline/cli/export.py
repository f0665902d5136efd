"""``kneeline export-fhir``: a patient's record as a FHIR R4 Bundle (JSON)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from kneeline.cli.common import run_guarded, stdout_console

__all__ = ["register"]


def export_fhir_command(
    intake: Annotated[Path, typer.Option("--intake", help="Intake file (kneeline intake --out).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The Bundle to write (JSON).")],
    result: Annotated[list[Path] | None, typer.Option("--result", help="result.json of kneeline analyze, or its "
                                                                       "folder (repeatable).")] = None,
    program: Annotated[Path | None, typer.Option("--program", help="Program file (kneeline program --out).")] = None,
    log: Annotated[Path | None, typer.Option("--log", help="Training log (kneeline log).")] = None,
    outcomes: Annotated[list[Path] | None, typer.Option("--outcomes", help="Outcome answers of one day "
                                                                           "(repeatable).")] = None,
    name: Annotated[str | None, typer.Option("--name", help="Patient name.")] = None,
) -> None:
    """Write the record (intake scores, movement results, program, log) as a FHIR R4 Bundle."""
    from kneeline.export.fhir import build_bundle
    from kneeline.program.storage import write_text_atomic
    from kneeline.report.record import load_record
    from kneeline.report.source import load_analysis

    def work() -> None:
        record = load_record(name=name, intake=intake, outcomes=outcomes or (), program=program, log=log)
        analyses = [load_analysis(p) for p in result or ()]
        bundle = build_bundle(record, analyses)
        write_text_atomic(out, json.dumps(bundle, indent=2, ensure_ascii=False) + "\n")
        stdout_console().print(f"FHIR R4 Bundle with {len(bundle['entry'])} resources written to {out}")

    run_guarded(work)


def register(app: typer.Typer) -> None:
    """Add ``export-fhir`` to ``app``."""
    app.command("export-fhir")(export_fhir_command)

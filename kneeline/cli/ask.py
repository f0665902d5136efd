"""``kneeline ask TOPIC``: short evidence answers (supplements, dose, pain rule, ...)."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from kneeline.cli.common import run_guarded, stdout_console
from kneeline.program.topics import ask, topics

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    """Add ``ask`` to ``app``."""
    app.command("ask")(ask_command)


def ask_command(
    topic: Annotated[str | None, typer.Argument(help="Topic, e.g. supplements, dose, pain; empty lists them.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Answer a question with the evidence behind it (kneeline recommends no supplement or product)."""
    def work() -> None:
        if topic is None:
            typer.echo("Topics: " + ", ".join(topics()))
            return
        answer = ask(topic)
        if as_json:
            typer.echo(json.dumps(answer.model_dump(mode="json"), indent=2))
            return
        console = stdout_console()
        for paragraph in answer.paragraphs:
            console.print(paragraph, highlight=False, markup=False)
        from kneeline.cite import readable_sources

        console.print("Sources: " + "; ".join(readable_sources(list(answer.sources))), highlight=False, markup=False)
    run_guarded(work)

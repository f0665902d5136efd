"""Helpers shared by CLI commands: error translation and consoles."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import typer
from rich.console import Console, RenderableType

from kneeline.errors import KneelineError

T = TypeVar("T")

__all__ = ["stderr_console", "stdout_console", "run_guarded", "print_report"]


def stderr_console() -> Console:
    """Return a console writing to standard error (progress, messages)."""
    return Console(stderr=True)


def stdout_console() -> Console:
    """Return a console writing to standard output (tables, JSON)."""
    return Console()


def run_guarded(func: Callable[[], T]) -> T:
    """Run ``func``; turn a :class:`KneelineError` into a one-line message and its exit code.

    Unexpected exceptions are not hidden: they are real bugs and keep their traceback.
    """
    try:
        return func()
    except KneelineError as exc:
        stderr_console().print(f"[bold red]error:[/] {exc}", markup=True, highlight=False, soft_wrap=True)
        raise typer.Exit(code=exc.exit_code) from None


def print_report(tables: Iterable[RenderableType], notes: Iterable[str], out_dir: Path, names: Iterable[str]) -> None:
    """Print a command's summary tables, its notes and the output files written."""
    console = stdout_console()
    for table in tables:
        console.print(table)
    for note in notes:
        console.print(f"[dim]note:[/] {note}")
    console.print(f"Outputs in {out_dir}: " + ", ".join(sorted(names)))

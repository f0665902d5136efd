"""kneeline's command line: a thin layer over the library.

Each command module exposes ``register(app)``; the library's exceptions become one-line messages
and exit codes here (see :func:`kneeline.cli.common.run_guarded`).
"""

from __future__ import annotations

import typer

COMMAND_MODULES: tuple[str, ...] = (
    "kneeline.cli.analyze",
    "kneeline.cli.batch",
    "kneeline.cli.coach",
    "kneeline.cli.intake",
    "kneeline.cli.program",
    "kneeline.cli.log",
    "kneeline.cli.exercises",
    "kneeline.cli.ask",
    "kneeline.cli.reports",
    "kneeline.cli.export",
    "kneeline.cli.serve",
    "kneeline.cli.sample",
)
"""Modules whose ``register(app)`` adds commands, in help order."""


def build_app() -> typer.Typer:
    """Create the Typer application with every command registered."""
    import importlib

    app = typer.Typer(
        name="kneeline",
        help="Measure hip and knee control from one video, screen for red flags, and follow an "
        "evidence-based hip-and-knee program. Everything runs on this machine.",
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,  # plain help: wraps at 80 columns, flags without a "<bool>" type column
    )
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(app)
    return app


def main() -> None:
    """Console-script entry point.

    An unexpected exception is a bug: the user gets one line saying where the details were
    written, not a traceback.
    """
    import os
    import sys
    import tempfile
    import traceback

    # The console script is the application: it may quiet the pose model's native logging (absl,
    # TensorFlow Lite), which otherwise floods the terminal. The library itself sets nothing.
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        build_app()(standalone_mode=True)
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as exc:  # noqa: BLE001 - last-resort guard of the console script
        with tempfile.NamedTemporaryFile("w", prefix="kneeline-error-", suffix=".log", delete=False) as log:
            traceback.print_exc(file=log)
        sys.stderr.write(f"internal error: {type(exc).__name__}: {exc}. This is a bug in kneeline; "
                         f"details were written to {log.name}. Please report it with that file.\n")
        sys.exit(70)

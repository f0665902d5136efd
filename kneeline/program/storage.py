"""Reading and writing the JSON files the user names (intake, program, training log).

Reads turn missing or malformed files into :class:`~kneeline.errors.InputError` and wrong answers
into :class:`~kneeline.errors.ValidationError`.  Writes are atomic: a temporary file in the same
folder, then :func:`os.replace`, so a failure never leaves a half-written file.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel

from kneeline.assess.validation import parse_model
from kneeline.errors import InputError

__all__ = ["read_json", "read_model", "write_text_atomic", "write_model_atomic"]

M = TypeVar("M", bound=BaseModel)


def read_json(path: Path, what: str) -> Any:
    """Parse a JSON file.

    Raises
    ------
    InputError
        If the file is missing, unreadable or not valid JSON.
    """
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} file {str(path)!r} does not exist; check the path.") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{what} file {str(path)!r} cannot be read ({exc}).") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} file {str(path)!r} is not valid JSON (line {exc.lineno}, column "
                         f"{exc.colno}: {exc.msg}); fix the file and run again.") from None


def read_model(path: Path, model: type[M], what: str) -> M:
    """Read a JSON file and validate it as ``model``.

    Raises
    ------
    InputError
        If the file cannot be read or parsed.
    ValidationError
        If its contents do not fit ``model``.
    """
    return parse_model(model, read_json(path, what), f"{what} ({path})")


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` atomically (temporary file in the same folder, then rename).

    Raises
    ------
    InputError
        If the folder does not exist or cannot be written.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        raise InputError(f"cannot write {str(target)!r}: folder {str(folder)!r} does not exist.")
    tmp_name = ""
    try:
        with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=folder, prefix=f".{target.name}.",
                                         suffix=".tmp", delete=False) as handle:
            tmp_name = handle.name
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, target)
    except OSError as exc:
        if tmp_name and os.path.exists(tmp_name):
            os.unlink(tmp_name)
        raise InputError(f"cannot write {str(target)!r} ({exc}); nothing was changed.") from None


def write_model_atomic(path: Path, model: BaseModel) -> None:
    """Write a model as indented JSON, atomically (see :func:`write_text_atomic`)."""
    write_text_atomic(path, model.model_dump_json(indent=2) + "\n")

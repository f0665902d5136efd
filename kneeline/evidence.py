"""Clinical and technical numbers kept as data, each with its source.

Every threshold, norm and dose kneeline uses lives in a YAML file under ``kneeline/data`` as a
:class:`Sourced` entry: a value and the reference it comes from (``../shared/evidence.md`` or a
kneeline measurement with the command that reproduces it).  Code reads numbers only through
:func:`load_sourced` / :func:`value`, never as literals.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kneeline.errors import DataError

__all__ = ["Sourced", "load_sourced", "value", "data_text", "load_data_model"]

ModelT = TypeVar("ModelT", bound=BaseModel)


class Sourced(BaseModel):
    """One number (or small list of numbers) with its source.

    Attributes
    ----------
    value
        The number, a list of numbers, or a short string.
    unit
        Unit of the value ("deg", "s", "ratio", ...).
    source
        Where it comes from: a publication (author year, journal) or a kneeline measurement with
        the command that reproduces it.
    note
        What exactly the number means, if not obvious.
    provisional
        True when ``evidence.md`` marks the figure as recalled rather than read (**verify**).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    value: float | int | str | bool | list[float] | list[int] | list[str] | list[list[float]]
    unit: str = ""
    source: str = Field(min_length=4)
    note: str = ""
    provisional: bool = False


def data_text(filename: str) -> str:
    """Return the text of a file shipped in ``kneeline/data``.

    Raises
    ------
    DataError
        If the file is not part of the installed package.
    """
    try:
        return resources.files("kneeline.data").joinpath(filename).read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise DataError(f"kneeline data file {filename!r} is missing from the installation; "
                        "reinstall kneeline") from exc


def load_data_model(filename: str, model: type[ModelT], written_by: str) -> ModelT:
    """Read a YAML file of ``kneeline/data`` that a benchmark writes, validated as ``model``.

    Parameters
    ----------
    filename
        The file's name in ``kneeline/data``.
    model
        The pydantic model of its content.
    written_by
        The command that writes it (named in the error), e.g. ``benchmarks/uiprmd_scales.py --write``.

    Raises
    ------
    DataError
        The file is missing or malformed: reinstall kneeline, or rewrite it with ``written_by``.
    """
    raw: Any = yaml.safe_load(data_text(filename))
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise DataError(f"{filename} is invalid ({exc.errors()[0]['msg']}); expected the file written by "
                        f"{written_by}") from exc


@cache
def load_sourced(filename: str) -> dict[str, Sourced]:
    """Load a YAML file of named :class:`Sourced` entries from ``kneeline/data``.

    Parameters
    ----------
    filename
        File name inside ``kneeline/data``, e.g. ``"capture.yaml"``.

    Returns
    -------
    dict
        Entry name to validated entry.

    Raises
    ------
    DataError
        If the file is missing, is not a mapping, or an entry lacks a value or a source.
    """
    raw: Any = yaml.safe_load(data_text(filename))
    if not isinstance(raw, dict):
        raise DataError(f"{filename}: expected a mapping of name -> {{value, source}}, got {type(raw).__name__}")
    out: dict[str, Sourced] = {}
    for key, entry in raw.items():
        try:
            out[str(key)] = Sourced.model_validate(entry)
        except ValidationError as exc:
            raise DataError(f"{filename}: entry {key!r} is invalid (needs value and source): {exc}") from exc
    return out


def value(filename: str, key: str) -> Any:
    """Return the value of entry ``key`` in data file ``filename``.

    Raises
    ------
    DataError
        If the entry does not exist.
    """
    table = load_sourced(filename)
    if key not in table:
        raise DataError(f"{filename}: no entry {key!r}; known: {', '.join(sorted(table))}")
    return table[key].value

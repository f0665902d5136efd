"""Small types and helpers shared by the assessment and program modules."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kneeline.errors import DataError
from kneeline.evidence import Sourced

__all__ = ["Leg", "Topic", "Finding", "number", "whole", "numbers", "value_range"]

Leg = Literal["left", "right"]
Topic = Literal["symptoms", "outcome", "movement", "capture"]


class Finding(BaseModel):
    """One finding, stated with its uncertainty and source."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str = Field(description="Stable identifier, e.g. 'fppa_above_healthy_range'")
    topic: Topic
    side: Leg | None = None
    test: str | None = Field(default=None, description="The movement test, for movement findings")
    text: str = Field(description="The finding in plain words")
    value: float | None = None
    spread: float | None = Field(default=None, description="SD over repetitions")
    unit: str = ""
    n: int | None = Field(default=None, description="Repetitions the value rests on")
    reference: str = Field(default="", description="What the value is compared with")
    uncertainty: str = Field(default="", description="How far the value can be trusted")
    sources: list[str] = Field(default_factory=list)
    provisional: bool = False


def number(entry: Sourced) -> float:
    """The value of a Sourced entry as a number.

    Raises
    ------
    DataError
        If the value is not a single number.
    """
    v = entry.value
    if isinstance(v, bool) or not isinstance(v, int | float):
        raise DataError(f"expected a number, got {v!r} (source: {entry.source})")
    return float(v)


def whole(entry: Sourced) -> int:
    """The value of a Sourced entry as a whole number.

    Raises
    ------
    DataError
        If the value is not a whole number.
    """
    v = number(entry)
    if v != int(v):
        raise DataError(f"expected a whole number, got {entry.value!r} (source: {entry.source})")
    return int(v)


def numbers(entry: Sourced) -> list[float]:
    """The value of a Sourced entry as a list of numbers (a single number gives a list of one).

    Raises
    ------
    DataError
        If the value holds anything but numbers.
    """
    raw = entry.value if isinstance(entry.value, list) else [entry.value]
    if not raw or any(isinstance(v, bool) or not isinstance(v, int | float) for v in raw):
        raise DataError(f"expected numbers, got {entry.value!r} (source: {entry.source})")
    return [float(v) for v in raw if isinstance(v, int | float)]  # all are (checked above); narrows the type


def value_range(entry: Sourced) -> tuple[float, float]:
    """A ``[low, high]`` Sourced entry as a pair.

    Raises
    ------
    DataError
        If the value is not two numbers.
    """
    vals = numbers(entry)
    if len(vals) != 2:
        raise DataError(f"expected [low, high], got {entry.value!r} (source: {entry.source})")
    return vals[0], vals[1]

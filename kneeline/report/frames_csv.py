"""``frames.csv``: the per-frame kinematics, with the repetition and phase each frame belongs to.

One row per frame, columns :data:`~kneeline.kinematics.table.COLUMNS` then ``rep`` and ``phase``.
Numbers have three decimals; an unknown value (NaN) is an empty cell.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from kneeline.kinematics.table import COLUMNS, KinematicsTable
from kneeline.report.result import AnalysisResult, Rep, TestName

__all__ = ["CSV_COLUMNS", "Phase", "frame_reps", "write_frames_csv"]

CSV_COLUMNS: tuple[str, ...] = (*COLUMNS, "rep", "phase")
"""Header of ``frames.csv``."""

Phase = Literal["descent", "ascent", "hold", "stance", ""]
"""``"descent"``, ``"ascent"``, ``"hold"`` or ``""`` (outside any repetition)."""

_HOLD_TESTS: frozenset[TestName] = frozenset({"single-leg-stance"})


def frame_reps(time_s: NDArray[np.float64], reps: Sequence[Rep],
               test: TestName) -> tuple[list[int | None], list[Phase]]:
    """Assign each frame time to a repetition and a phase.

    A frame belongs to the first repetition whose ``start_s <= t <= end_s``.  Before the bottom
    it is in ``"descent"``, from the bottom on in ``"ascent"``; in a single-leg stance test the
    whole repetition is a ``"hold"``.

    Parameters
    ----------
    time_s
        ``(time,)`` frame timestamps in seconds.
    reps
        The repetitions of the result.
    test
        The test name; decides whether repetitions are holds.

    Returns
    -------
    tuple of list
        Per frame, the repetition's ``index`` (None outside repetitions) and its phase
        (``""`` outside repetitions).
    """
    t = np.asarray(time_s, dtype=np.float64)
    rep_of: list[int | None] = [None] * t.shape[0]
    phase_of: list[Phase] = [""] * t.shape[0]
    hold = test in _HOLD_TESTS
    for rep in reps:
        inside = np.flatnonzero((t >= rep.start_s) & (t <= rep.end_s))
        for i in inside:
            if rep_of[i] is not None:
                continue
            rep_of[i] = rep.index
            if test == "gait":  # a gait "rep" is one stance, from contact to toe-off
                phase_of[i] = "stance"
            elif hold:
                phase_of[i] = "hold"
            else:
                phase_of[i] = "descent" if t[i] < rep.bottom_s else "ascent"
    return rep_of, phase_of


def _cell(value: float) -> str:
    """Format one number: three decimals, empty for NaN or infinity."""
    if not math.isfinite(value):
        return ""
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text


def write_frames_csv(path: str | Path, table: KinematicsTable, result: AnalysisResult) -> Path:
    """Write ``frames.csv``: one row per frame of ``table``.

    Parameters
    ----------
    path
        File to write (overwritten).
    table
        Per-frame kinematics.
    result
        The analysis result; its repetitions fill the ``rep`` and ``phase`` columns.

    Returns
    -------
    Path
        The path written.
    """
    out = Path(path)
    columns = [table.column(name) for name in COLUMNS]
    rep_of, phase_of = frame_reps(table.time_s, result.reps, result.test)
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        for i in range(table.time_s.shape[0]):
            row = [_cell(float(col[i])) for col in columns]
            rep = rep_of[i]
            row.append("" if rep is None else str(rep))
            row.append(phase_of[i])
            writer.writerow(row)
    return out

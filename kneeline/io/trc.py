"""Reading marker trajectories from TRC files (OpenSim / OpenCap / Pose2Sim).

Layout of a TRC file (tab separated)::

    PathFileType  4  (X/Y/Z)  <path>                         line 1
    DataRate  CameraRate  NumFrames  NumMarkers  Units ...    line 2: header keys
    100  100  1346  51  m ...                                 line 3: header values
    Frame#  Time  C7  <empty>  <empty>  L.ASIS ...            line 4: marker names
    <empty>  <empty>  X1  Y1  Z1  X2 ...                      line 5: coordinate labels
    1  0  -0.27  1.46  -0.61 ...                              data (blank lines are skipped)

Each marker name is followed by two empty columns (its Y and Z).  Empty cells and ``nan`` mean the
marker was not seen in that frame; they become NaN.  Coordinates in millimetres (``Units = mm``)
are converted to metres.  The axes are kept as the file has them (OpenSim files are Y up).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kneeline.errors import InputError
from kneeline.pose.container import FloatArray

__all__ = ["MarkerSet", "MotionTable", "read_trc", "read_mot"]

_UNIT_SCALE: dict[str, float] = {"m": 1.0, "mm": 1e-3, "cm": 1e-2}
_HEADER_LINES = 5


@dataclass(frozen=True, eq=False)
class MarkerSet:
    """Marker trajectories of one trial.

    Parameters
    ----------
    time_s
        ``(time,)`` timestamps in seconds.
    names
        Marker names, in the order of the marker axis.
    xyz
        ``(time, marker, 3)`` positions in metres, in the file's own axes; NaN where missing.
    rate_hz
        Sampling rate from the header (``DataRate``).
    units
        Units the file was written in (``"m"`` or ``"mm"``); ``xyz`` is always metres.
    source
        Where the markers came from (usually the file path).
    """

    time_s: FloatArray
    names: tuple[str, ...]
    xyz: FloatArray
    rate_hz: float
    units: str
    source: str = ""

    def __post_init__(self) -> None:
        t = np.asarray(self.time_s, dtype=np.float64)
        xyz = np.asarray(self.xyz, dtype=np.float64)
        if xyz.ndim != 3 or xyz.shape[1:] != (len(self.names), 3):
            raise InputError(f"marker xyz must have shape (time, {len(self.names)}, 3); got {xyz.shape}")
        if t.shape != (xyz.shape[0],):
            raise InputError(f"marker time_s must have shape ({xyz.shape[0]},); got {t.shape}")
        if len(set(self.names)) != len(self.names):
            raise InputError(f"marker names must be unique; got {self.names}")
        t.setflags(write=False)
        xyz.setflags(write=False)
        object.__setattr__(self, "time_s", t)
        object.__setattr__(self, "xyz", xyz)

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return int(self.xyz.shape[0])

    def has(self, name: str) -> bool:
        """Return whether marker ``name`` is in this set."""
        return name in self.names

    def marker(self, name: str) -> FloatArray:
        """Return the ``(time, 3)`` trajectory of marker ``name`` in metres (read-only).

        Raises
        ------
        InputError
            If the marker is not in this set.
        """
        try:
            i = self.names.index(name)
        except ValueError as exc:
            raise InputError(f"marker {name!r} is not in {self.source or 'this marker set'} "
                             f"(has: {', '.join(self.names)})") from exc
        return self.xyz[:, i, :]

    def slice(self, start: int, stop: int) -> MarkerSet:
        """Return frames ``start:stop`` as a new marker set."""
        return MarkerSet(self.time_s[start:stop], self.names, self.xyz[start:stop], self.rate_hz,
                         self.units, self.source)


def _header(lines: list[str], where: str) -> tuple[float, str, int, int]:
    """Parse lines 2–3 and return ``(rate_hz, units, n_frames, n_markers)`` as declared."""
    keys = [k.strip() for k in lines[1].rstrip("\r\n").split("\t")]
    values = [v.strip() for v in lines[2].rstrip("\r\n").split("\t")]
    header = dict(zip(keys, values, strict=False))
    missing = [k for k in ("DataRate", "NumFrames", "NumMarkers", "Units") if k not in header]
    if missing:
        raise InputError(f"{where}: TRC header line 2 lacks {', '.join(missing)}; got {keys}. "
                         "Expected an OpenSim-style TRC file.")
    units = header["Units"].lower()
    if units not in _UNIT_SCALE:
        raise InputError(f"{where}: TRC units must be m, cm or mm; got {header['Units']!r}")
    try:
        rate = float(header["DataRate"])
        n_frames = int(float(header["NumFrames"]))
        n_markers = int(float(header["NumMarkers"]))
    except ValueError as exc:
        raise InputError(f"{where}: TRC header values are not numbers: {values}") from exc
    return rate, units, n_frames, n_markers


def _marker_names(line: str, where: str) -> tuple[str, ...]:
    """Parse line 4 (``Frame#  Time  name  <empty>  <empty> ...``) into marker names."""
    cells = [c.strip() for c in line.rstrip("\r\n").split("\t")]
    if len(cells) < 2 or cells[0].lower() not in ("frame#", "frame") or cells[1].lower() != "time":
        raise InputError(f"{where}: TRC line 4 must start with 'Frame#<TAB>Time'; got {cells[:2]}")
    names = tuple(c for c in cells[2:] if c)
    if not names:
        raise InputError(f"{where}: TRC line 4 names no markers")
    if len(set(names)) != len(names):
        raise InputError(f"{where}: TRC marker names repeat: {names}")
    return names


def _cell(text: str) -> float:
    """Convert one data cell; empty cells are missing markers (NaN)."""
    text = text.strip()
    return float(text) if text else float("nan")


def _data(lines: list[str], n_markers: int, where: str) -> tuple[FloatArray, FloatArray]:
    """Parse the data rows into ``(time_s, xyz)``; short rows are padded with NaN."""
    n_cols = 2 + 3 * n_markers
    rows: list[list[float]] = []
    for offset, line in enumerate(lines):
        if not line.strip():
            continue
        cells = line.rstrip("\r\n").split("\t")
        if len(cells) > n_cols and any(c.strip() for c in cells[n_cols:]):
            raise InputError(f"{where}: data line {_HEADER_LINES + 1 + offset} has {len(cells)} columns; "
                             f"expected {n_cols} (Frame#, Time and 3 per marker)")
        cells = cells[:n_cols] + [""] * (n_cols - len(cells))
        try:
            rows.append([_cell(c) for c in cells])
        except ValueError as exc:
            raise InputError(f"{where}: data line {_HEADER_LINES + 1 + offset} holds a non-number: "
                             f"{exc}") from exc
    if not rows:
        raise InputError(f"{where}: TRC file has no data rows")
    table = np.asarray(rows, dtype=np.float64)
    time_s = table[:, 1]
    if not np.all(np.isfinite(time_s)):
        raise InputError(f"{where}: every data row needs a Time value")
    return time_s, table[:, 2:].reshape(len(rows), n_markers, 3)


def read_trc(path: str | Path) -> MarkerSet:
    """Read a TRC marker file.

    Parameters
    ----------
    path
        The ``.trc`` file.

    Returns
    -------
    MarkerSet
        Positions in metres (converted from ``mm``/``cm``), axes as in the file, NaN where missing.

    Raises
    ------
    InputError
        If the file is missing or does not follow the TRC layout (header keys, marker-name line,
        numeric data with ``2 + 3 × NumMarkers`` columns).
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"TRC file not found: {p}")
    lines = p.read_text(encoding="utf-8", errors="replace").splitlines()
    if len(lines) < _HEADER_LINES or not lines[0].startswith("PathFileType"):
        raise InputError(f"{p.name} is not a TRC file: expected 'PathFileType' on line 1 and "
                         f"{_HEADER_LINES} header lines")
    rate, units, _, declared = _header(lines, p.name)
    names = _marker_names(lines[3], p.name)
    if len(names) != declared:
        raise InputError(f"{p.name}: header declares {declared} markers but line 4 names {len(names)}")
    time_s, xyz = _data(lines[_HEADER_LINES:], len(names), p.name)
    if time_s.size > 1 and not np.all(np.diff(time_s) > 0):
        raise InputError(f"{p.name}: TRC times must be strictly increasing")
    return MarkerSet(time_s=time_s, names=names, xyz=xyz * _UNIT_SCALE[units], rate_hz=rate, units=units,
                     source=str(p))


@dataclass(frozen=True, eq=False)
class MotionTable:
    """Columns of an OpenSim motion/storage file (``*.mot``, ``*.sto``), e.g. inverse-kinematics angles.

    Parameters
    ----------
    time_s
        ``(time,)`` timestamps.
    columns
        Column name -> ``(time,)`` values as stored (radians or degrees, metres).
    in_degrees
        The header's ``inDegrees`` flag: whether rotational columns are in degrees.
    source
        The file path.
    """

    time_s: FloatArray
    columns: dict[str, FloatArray]
    in_degrees: bool
    source: str = ""

    def column(self, name: str) -> FloatArray:
        """Return column ``name`` as stored.

        Raises
        ------
        InputError
            If the column does not exist.
        """
        if name not in self.columns:
            raise InputError(f"column {name!r} is not in {self.source or 'this motion file'} "
                             f"(has: {', '.join(self.columns)})")
        return self.columns[name]

    def degrees(self, name: str) -> FloatArray:
        """Return rotational column ``name`` in degrees, whatever the file stored."""
        values = self.column(name)
        out: FloatArray = values if self.in_degrees else np.degrees(values)
        return out


def read_mot(path: str | Path) -> MotionTable:
    """Read an OpenSim ``.mot``/``.sto`` file (header up to ``endheader``, then a tab-separated table).

    Raises
    ------
    InputError
        If the file is missing, has no ``endheader`` line, no ``time`` column or non-numeric data.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"motion file not found: {p}")
    lines = p.read_text(encoding="utf-8", errors="replace").splitlines()
    try:
        end = next(i for i, line in enumerate(lines) if line.strip().lower() == "endheader")
    except StopIteration as exc:
        raise InputError(f"{p.name} is not an OpenSim motion file: no 'endheader' line") from exc
    header = {k.strip().lower(): v.strip().lower() for k, _, v in
              (line.partition("=") for line in lines[:end] if "=" in line)}
    names = [n.strip() for n in lines[end + 1].split("\t")] if end + 1 < len(lines) else []
    if not names or names[0].lower() != "time":
        raise InputError(f"{p.name}: the line after 'endheader' must name the columns, starting with 'time'")
    rows = [line.split("\t") for line in lines[end + 2:] if line.strip()]
    try:
        table = np.asarray(rows, dtype=np.float64)
    except ValueError as exc:
        raise InputError(f"{p.name}: motion data must be a numeric table with {len(names)} columns") from exc
    if table.ndim != 2 or table.shape[1] != len(names):
        raise InputError(f"{p.name}: expected {len(names)} columns per row; got {table.shape}")
    columns = {n: table[:, i] for i, n in enumerate(names)}
    return MotionTable(time_s=table[:, 0], columns=columns, in_degrees=header.get("indegrees") == "yes",
                       source=str(p))

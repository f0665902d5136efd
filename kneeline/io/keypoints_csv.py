"""Keypoints as CSV: load keypoints computed elsewhere, save kneeline's own.

Format (one row per frame)::

    # kneeline keypoints csv v1
    # width: 720
    # height: 1280
    # source: mediapipe-0.10.21 blazepose full
    # meta: {"backend": "..."}
    time_s,nose_x,nose_y,nose_confidence,left_eye_inner_x,...,nose_world_x,nose_world_y,nose_world_z,...

- ``time_s``: seconds, strictly increasing (``time`` is accepted too);
- ``<keypoint>_x``, ``<keypoint>_y``: pixels of the upright video frame, ``x`` right, ``y`` down;
  an empty cell (or ``nan``) is a missing keypoint;
- ``<keypoint>_confidence``: optional score in [0, 1]; when the column is absent, found keypoints
  get 1 and missing ones 0;
- ``<keypoint>_world_x/_y/_z``: optional metric 3D coordinates (see
  :mod:`kneeline.pose.container`);
- lines starting with ``#`` before the header hold ``key: value`` metadata; ``width`` and
  ``height`` may instead be given as arguments.

Keypoint names are BlazePose's (:data:`kneeline.pose.skeleton.BLAZEPOSE_KEYPOINTS`); other names
can be mapped with ``rename``.
"""

from __future__ import annotations

import csv
import itertools
import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from kneeline.errors import InputError
from kneeline.pose.container import FloatArray, PoseSeries
from kneeline.pose.skeleton import BLAZEPOSE_KEYPOINTS

__all__ = ["load_keypoints_csv", "save_keypoints_csv"]

_MAGIC = "# kneeline keypoints csv v1"
_SUFFIXES = ("_world_x", "_world_y", "_world_z", "_confidence", "_x", "_y")


def save_keypoints_csv(series: PoseSeries, path: str | Path) -> Path:
    """Write ``series`` to ``path`` as CSV (see the module docstring); the series is not modified.

    Values are written with Python's shortest round-trip representation, so loading the file gives
    back exactly the same numbers.

    Returns
    -------
    Path
        The file written.
    """
    p = Path(path)
    header = ["time_s"]
    for name in series.keypoints:
        header += [f"{name}_x", f"{name}_y", f"{name}_confidence"]
    if series.world is not None:
        for name in series.keypoints:
            header += [f"{name}_world_x", f"{name}_world_y", f"{name}_world_z"]
    meta = json.dumps(series.meta, default=str, sort_keys=True)
    with p.open("w", encoding="utf-8", newline="") as f:
        f.write(f"{_MAGIC}\n# width: {series.width}\n# height: {series.height}\n")
        f.write(f"# source: {series.source}\n# meta: {meta}\n")
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        n_k = len(series.keypoints)
        for i in range(series.n_frames):
            planar = np.column_stack([series.position[i], series.confidence[i]]).reshape(3 * n_k)
            row = [float(series.time_s[i]), *planar.tolist()]
            if series.world is not None:
                row += series.world[i].reshape(3 * n_k).tolist()
            writer.writerow([_cell(v) for v in row])
    return p


def _cell(v: float) -> str:
    return "" if math.isnan(v) else repr(float(v))


def load_keypoints_csv(path: str | Path, *, width: int | None = None, height: int | None = None,
                       rename: Mapping[str, str] | None = None, source: str | None = None) -> PoseSeries:
    """Load keypoints from a CSV file into a :class:`PoseSeries`.

    Parameters
    ----------
    path
        The CSV file (see the module docstring for its columns).
    width, height
        Size in pixels of the video frames the keypoints refer to; override the file's metadata,
        required when the file has none.
    rename
        Map from the file's keypoint names to BlazePose names, e.g. ``{"LHip": "left_hip"}``.
    source
        What produced the keypoints; default: the file's ``source`` metadata, else the file name.

    Raises
    ------
    InputError
        If the file is missing or empty, a column or value is not understood, a keypoint name is
        unknown, or width/height are not given.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"keypoint file not found: {p}. Give the path to a CSV file of keypoints.")
    try:
        with p.open("r", encoding="utf-8", newline="") as f:
            meta, header, rows = _read(f, p.name)
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {p}: {exc}. Expected a UTF-8 CSV file of keypoints.") from exc
    columns = _columns(header, p.name, rename or {})
    data = np.array(rows, dtype=np.float64).reshape(len(rows), len(header))
    _check_time(data[:, 0], p.name)
    size = (width or _int_meta(meta, "width", p.name), height or _int_meta(meta, "height", p.name))
    position, confidence, world = _arrays(data, columns)
    extra: dict[str, Any] = {}
    if "meta" in meta:
        try:
            extra = dict(json.loads(meta["meta"]))
        except (json.JSONDecodeError, TypeError, ValueError):
            extra = {}
    extra["keypoint_file"] = str(p)
    return PoseSeries(position=position, confidence=confidence, time_s=data[:, 0], keypoints=tuple(columns),
                      width=size[0], height=size[1], source=source or meta.get("source") or p.name,
                      world=world, meta=extra)


def _read(f: Any, name: str) -> tuple[dict[str, str], list[str], list[list[float]]]:
    meta: dict[str, str] = {}
    line_no = 0
    first_data: list[str] = []
    for line in f:
        line_no += 1
        if not line.strip():
            continue
        if not line.startswith("#"):
            first_data = [line]
            break
        key, sep, val = line.lstrip("#").partition(":")
        if sep:
            meta[key.strip()] = val.strip()
    reader = csv.reader(itertools.chain(first_data, f))
    header = [c.strip() for c in next(reader, [])]
    rows: list[list[float]] = []
    for offset, row in enumerate(reader, start=1):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if len(row) != len(header):
            raise InputError(f"{name} line {line_no + offset}: {len(row)} values for {len(header)} columns")
        rows.append([_number(cell, name, line_no + offset) for cell in row])
    if not header or not rows:
        raise InputError(f"{name} holds no keypoint rows. Expected a header (time_s, <keypoint>_x, "
                         "<keypoint>_y, ...) and one row per frame.")
    return meta, header, rows


def _number(cell: str, name: str, line_no: int) -> float:
    text = cell.strip()
    if not text:
        return math.nan
    try:
        return float(text)
    except ValueError as exc:
        raise InputError(f"{name} line {line_no}: {text!r} is not a number") from exc


def _columns(header: list[str], name: str, rename: Mapping[str, str]) -> dict[str, dict[str, int]]:
    """Map keypoint name -> {suffix: column index}, in order of first appearance."""
    if header[0] not in ("time_s", "time"):
        raise InputError(f"{name}: the first column must be 'time_s' (seconds); got {header[0]!r}")
    columns: dict[str, dict[str, int]] = {}
    for index, column in enumerate(header[1:], start=1):
        suffix = next((s for s in _SUFFIXES if column.endswith(s)), None)
        if suffix is None:
            raise InputError(f"{name}: column {column!r} is not understood; expected <keypoint>_x, _y, "
                             "_confidence or _world_x/_y/_z")
        keypoint = column[: -len(suffix)]
        keypoint = rename.get(keypoint, keypoint)
        columns.setdefault(keypoint, {})[suffix] = index
    unknown = [k for k in columns if k not in BLAZEPOSE_KEYPOINTS]
    if unknown:
        raise InputError(f"{name}: unknown keypoint names {unknown}; kneeline uses BlazePose names "
                         f"({', '.join(BLAZEPOSE_KEYPOINTS)}). Map yours with "
                         "rename={'yours': 'blazepose'}.")
    for keypoint, parts in columns.items():
        if "_x" not in parts or "_y" not in parts:
            raise InputError(f"{name}: keypoint {keypoint!r} needs both {keypoint}_x and {keypoint}_y "
                             "columns")
    has_world = [("_world_x" in parts) for parts in columns.values()]
    if any(has_world) and not all(has_world):
        raise InputError(f"{name}: world columns must be given for every keypoint or none")
    return columns


def _check_time(time_s: FloatArray, name: str) -> None:
    if not np.all(np.isfinite(time_s)):
        raise InputError(f"{name}: every row needs a time_s value")
    steps = np.diff(time_s)
    if np.any(steps <= 0):
        row = int(np.flatnonzero(steps <= 0)[0]) + 1
        raise InputError(f"{name}: time_s must increase from row to row; data row {row + 1} is at "
                         f"{time_s[row]} s after {time_s[row - 1]} s")


def _int_meta(meta: dict[str, str], key: str, name: str) -> int:
    if key not in meta:
        raise InputError(f"{name} does not say the frame {key} in pixels; pass {key}=... (the size of the "
                         "video the keypoints were measured in)")
    try:
        return int(float(meta[key]))
    except ValueError as exc:
        raise InputError(f"{name}: frame {key} {meta[key]!r} is not a number") from exc


def _arrays(data: FloatArray,
            columns: dict[str, dict[str, int]]) -> tuple[FloatArray, FloatArray, FloatArray | None]:
    n, n_k = data.shape[0], len(columns)
    position = np.full((n, n_k, 2), np.nan)
    confidence = np.zeros((n, n_k))
    world = None
    if all("_world_x" in parts for parts in columns.values()):
        world = np.full((n, n_k, 3), np.nan)
    for k, parts in enumerate(columns.values()):
        position[:, k, 0] = data[:, parts["_x"]]
        position[:, k, 1] = data[:, parts["_y"]]
        found = np.all(np.isfinite(position[:, k]), axis=1)
        if "_confidence" in parts:
            confidence[:, k] = np.nan_to_num(data[:, parts["_confidence"]], nan=0.0)
        else:
            confidence[:, k] = found.astype(np.float64)
        position[~found, k] = np.nan
        if world is not None:
            world[:, k] = data[:, [parts["_world_x"], parts["_world_y"], parts["_world_z"]]]
    return position, confidence, world

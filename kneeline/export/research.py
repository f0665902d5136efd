"""Keypoint and angle exports for research tools (OpenSim, Pose2Sim, Sports2D, a spreadsheet).

Three files:

- ``keypoints.trc``: the cleaned 2D keypoints as an OpenSim marker file (tab separated, metres,
  X right, Y up, Z = 0).  A video has no metric scale: pixels are scaled by a person height
  (``export.yaml`` ``trc_person_height_m``, 1.70 m unless given), taking the largest standing
  nose-to-heel span in the image as that height.  Missing keypoints are empty cells.
- ``keypoints_clean.csv``: the same cleaned keypoints in pixels (kneeline's keypoint CSV, which
  :func:`kneeline.io.keypoints_csv.load_keypoints_csv` reads back), 2D only.
- ``angles.csv``: the per-frame angles with their units in the column names
  (:data:`ANGLE_COLUMNS`).  A value the capture gate withheld is an empty cell, exactly as in
  ``frames.csv``: it is never exported as a number.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from kneeline.errors import InputError
from kneeline.evidence import value
from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import PoseSeries
from kneeline.report.frames_csv import frame_reps
from kneeline.report.result import AnalysisResult

__all__ = ["FORMATS", "ANGLE_COLUMNS", "trc_text", "angles_text", "angles_from_frames_csv", "keypoints_csv_text",
           "write_exports", "parse_formats", "stored_exports"]

FORMATS: tuple[str, ...] = ("trc", "csv")
"""What ``kneeline analyze --export`` accepts: ``trc`` (keypoints.trc), ``csv`` (keypoints_clean.csv, angles.csv)."""

ANGLE_COLUMNS: dict[str, str] = {
    "time_s": "time_s",
    "fppa_left_deg": "knee_fppa_left_deg",
    "fppa_right_deg": "knee_fppa_right_deg",
    "pelvic_obliquity_deg": "pelvic_obliquity_deg",
    "trunk_lean_deg": "lateral_trunk_lean_deg",
    "depth": "depth_leg_lengths",
    "yaw_deg": "view_yaw_deg",
    "confidence": "confidence_0_to_1",
    "rep": "rep",
    "phase": "phase",
}
"""``frames.csv`` column -> ``angles.csv`` column (the unit is the suffix: s, deg, leg lengths, 0-1)."""

_FEET = ("left_heel", "right_heel", "left_ankle", "right_ankle")


def parse_formats(text: str) -> tuple[str, ...]:
    """``"trc,csv"`` -> ``("trc", "csv")``.

    Raises
    ------
    InputError
        If a format is not one of :data:`FORMATS`.
    """
    chosen = tuple(dict.fromkeys(p.strip().lower() for p in text.split(",") if p.strip()))
    wrong = [f for f in chosen if f not in FORMATS]
    if wrong or not chosen:
        raise InputError(f"--export takes a comma-separated list of {', '.join(FORMATS)}; got {text!r}.")
    return chosen


def _cell(x: float, digits: int = 6) -> str:
    if not math.isfinite(x):
        return ""
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and not text.strip("-0.") else text


def metres_per_pixel(pose: PoseSeries, person_height_m: float | None = None) -> float:
    """The scale of :func:`trc_text`: person height over the largest standing nose-to-heel span.

    Raises
    ------
    InputError
        If the nose or the feet are never seen together (no scale can be found).
    """
    height = float(person_height_m if person_height_m is not None else value("export.yaml", "trc_person_height_m"))
    if not 0.5 <= height <= 2.5:
        raise InputError(f"person height must be between 0.5 and 2.5 m; got {height:g} m.")
    names = [n for n in _FEET if n in pose.keypoints]
    if "nose" not in pose.keypoints or not names:
        raise InputError("the keypoints have no nose or feet, so the TRC export cannot find the image scale.")
    stacked = np.stack([pose.xy(n)[:, 1] for n in names])
    feet = np.max(np.where(np.isfinite(stacked), stacked, -np.inf), axis=0)
    with np.errstate(invalid="ignore"):
        span = feet - pose.xy("nose")[:, 1]
    span = span[np.isfinite(span) & (span > 0)]
    if span.size == 0:
        raise InputError("the nose and the feet are never seen in the same frame, so the TRC export cannot find "
                         "the image scale; film the whole body.")
    return height / float(np.percentile(span, 95))


def trc_text(pose: PoseSeries, name: str = "keypoints.trc", person_height_m: float | None = None) -> str:
    """The cleaned 2D keypoints as a TRC file (see the module docstring).

    Parameters
    ----------
    pose
        Cleaned keypoints in pixels.
    name
        The file name written on line 1.
    person_height_m
        The person's height for the pixel-to-metre scale; ``export.yaml``'s default when None.
    """
    scale = metres_per_pixel(pose, person_height_m)
    rate = pose.fps if math.isfinite(pose.fps) and pose.fps > 0 else 30.0
    n_k = len(pose.keypoints)
    out = io.StringIO()
    out.write(f"PathFileType\t4\t(X/Y/Z)\t{name}\n")
    out.write("DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n")
    out.write(f"{rate:.6g}\t{rate:.6g}\t{pose.n_frames}\t{n_k}\tm\t{rate:.6g}\t1\t{pose.n_frames}\n")
    out.write("Frame#\tTime\t" + "\t\t\t".join(pose.keypoints) + "\t\t\n")
    out.write("\t\t" + "\t".join(f"X{i}\tY{i}\tZ{i}" for i in range(1, n_k + 1)) + "\n")
    out.write("\n")
    x = pose.position[:, :, 0] * scale
    y = (pose.height - pose.position[:, :, 1]) * scale
    for i in range(pose.n_frames):
        cells = [str(i + 1), f"{float(pose.time_s[i]):.6f}"]
        for k in range(n_k):
            seen = math.isfinite(float(x[i, k])) and math.isfinite(float(y[i, k]))
            cells += [_cell(float(x[i, k])), _cell(float(y[i, k])), "0.000000" if seen else ""]
        out.write("\t".join(cells) + "\n")
    return out.getvalue()


def keypoints_csv_text(pose: PoseSeries) -> str:
    """The cleaned keypoints in pixels as kneeline's keypoint CSV, without the 3D columns."""
    import tempfile

    from kneeline.io.keypoints_csv import save_keypoints_csv

    flat = PoseSeries(time_s=pose.time_s, position=pose.position, confidence=pose.confidence,
                      keypoints=pose.keypoints, width=pose.width, height=pose.height,
                      source=f"{pose.source} (cleaned by kneeline)", meta={"cleaned": True, "units": "px"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "keypoints.csv"
        save_keypoints_csv(flat, path)
        return path.read_text(encoding="utf-8")


def _angle_rows(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([ANGLE_COLUMNS[h] for h in header])
    writer.writerows(rows)
    return out.getvalue()


def angles_text(table: KinematicsTable, result: AnalysisResult) -> str:
    """The per-frame angles of ``table`` (already blanked by the capture gate) as ``angles.csv``."""
    names = [c for c in ANGLE_COLUMNS if c not in ("rep", "phase")]
    rep_of, phase_of = frame_reps(table.time_s, result.reps, result.test)
    rows = []
    for i in range(table.time_s.shape[0]):
        row = [_cell(float(table.column(c)[i]), 3) for c in names]
        rows.append([*row, "" if rep_of[i] is None else str(rep_of[i]), phase_of[i]])
    return _angle_rows([*names, "rep", "phase"], rows)


def angles_from_frames_csv(path: Path) -> str:
    """``angles.csv`` from a stored ``frames.csv`` (same values and blanks, columns renamed with units).

    Raises
    ------
    InputError
        If the file is not a ``frames.csv`` of kneeline.
    """
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        header = next(reader, [])
        unknown = [h for h in header if h not in ANGLE_COLUMNS]
        if not header or unknown:
            raise InputError(f"{path} is not a frames.csv of kneeline (unexpected columns {unknown or 'none'}).")
        return _angle_rows(header, list(reader))


def write_exports(out_dir: Path, formats: Sequence[str], pose: PoseSeries, table: KinematicsTable,
                  result: AnalysisResult, person_height_m: float | None = None) -> dict[str, Path]:
    """Write the chosen exports into ``out_dir`` (each file atomically); return name -> path.

    Raises
    ------
    InputError
        If a file cannot be written, or the TRC scale cannot be found.
    """
    texts: dict[str, str] = {}
    if "trc" in formats:
        texts["keypoints.trc"] = trc_text(pose, "keypoints.trc", person_height_m)
    if "csv" in formats:
        texts["keypoints_clean.csv"] = keypoints_csv_text(pose)
        texts["angles.csv"] = angles_text(table, result)
    return _write_all(out_dir, texts)


def _write_all(out_dir: Path, texts: Mapping[str, str]) -> dict[str, Path]:
    written = {}
    for name, text in texts.items():
        path = out_dir / name
        tmp = out_dir / f".{name}.partial"
        try:
            tmp.write_text(text, encoding="utf-8")
            tmp.replace(path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise InputError(f"cannot write {path}: {exc}. Check free space and permissions.") from exc
        written[name] = path
    return written


def stored_exports(folder: Path) -> dict[str, str]:
    """The research exports of a stored analysis folder (the web app's), for the account's zip export.

    Needs ``result.json``, ``frames.csv`` and ``keypoints.csv`` (the raw keypoints); the keypoints
    are cleaned again with the settings recorded in the result's provenance.  Returns name -> text;
    an empty mapping where the folder lacks what is needed.

    Raises
    ------
    InputError
        If the stored files cannot be read.
    """
    from pydantic import ValidationError as PydanticValidationError

    from kneeline.clean.pipeline import clean_pose
    from kneeline.config import AnalysisSettings, load_settings
    from kneeline.io.keypoints_csv import load_keypoints_csv

    needed = [folder / n for n in ("result.json", "frames.csv", "keypoints.csv")]
    if not all(p.is_file() for p in needed):
        return {}
    try:
        data = json.loads(needed[0].read_text(encoding="utf-8"))
        if isinstance(data, dict) and "exercise" in data:
            return {}  # a coached set: no movement-test angles
        result = AnalysisResult.model_validate(data)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{needed[0]} is not JSON: {exc}") from exc
    except PydanticValidationError as exc:
        raise InputError(f"{needed[0]} is not a result of kneeline analyze: {exc.error_count()} errors") from exc
    fields = set(AnalysisSettings.model_fields)
    recorded = {k: v for k, v in result.provenance.settings.items() if k in fields}
    try:
        settings = AnalysisSettings.model_validate(recorded)
    except PydanticValidationError:
        settings = load_settings().analysis
    cleaned, _ = clean_pose(load_keypoints_csv(needed[2]), settings)
    return {"keypoints.trc": trc_text(cleaned), "keypoints_clean.csv": keypoints_csv_text(cleaned),
            "angles.csv": angles_from_frames_csv(needed[1])}

"""UI-PRMD repetitions as marker sets, and the markers a phone video could see as keypoints.

UI-PRMD (University of Idaho physical rehabilitation movements) gives Vicon Plug-in-Gait marker
trajectories (39 markers x xyz, mm, Z up, 100 Hz), already cut into single repetitions, in
``ui-prmd/correct`` and ``ui-prmd/incorrect`` of the shared data folder.
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import numpy as np

from kneeline.io.trc import MarkerSet
from kneeline.pose.container import FloatArray

PIG = ("LFHD RFHD LBHD RBHD C7 T10 CLAV STRN RBAK LSHO LUPA LELB LFRM LWRA LWRB LFIN RSHO RUPA RELB RFRM RWRA "
       "RWRB RFIN LASI RASI LPSI RPSI LTHI LKNE LTIB LANK LHEE LTOE RTHI RKNE RTIB RANK RHEE RTOE").split()
"""UI-PRMD's 39 Plug-in-Gait markers in column order."""

PIG_MAPPING: dict[str, tuple[str, ...]] = {
    "left_shoulder": ("LSHO",), "right_shoulder": ("RSHO",), "left_elbow": ("LELB",), "right_elbow": ("RELB",),
    "left_wrist": ("LWRA", "LWRB"), "right_wrist": ("RWRA", "RWRB"),
    "left_hip": ("LASI", "LPSI"), "right_hip": ("RASI", "RPSI"),
    "left_knee": ("LKNE",), "right_knee": ("RKNE",), "left_ankle": ("LANK",), "right_ankle": ("RANK",),
    "left_heel": ("LHEE",), "right_heel": ("RHEE",), "left_foot_index": ("LTOE",), "right_foot_index": ("RTOE",),
}
"""Plug-in-Gait markers -> kneeline keypoints (hip = mid-point of the ASIS and PSIS of that side).

Used by the repetition counts of ``benchmarks/coaching.py``."""

CLASSIFY_MAPPING: dict[str, tuple[str, ...]] = {
    "left_shoulder": ("LSHO",), "right_shoulder": ("RSHO",),
    "left_hip": ("LHJC",), "right_hip": ("RHJC",),
    "left_knee": ("LKNE",), "right_knee": ("RKNE",), "left_ankle": ("LANK",), "right_ankle": ("RANK",),
    "left_heel": ("LHEE",), "right_heel": ("RHEE",), "left_foot_index": ("LTOE",), "right_foot_index": ("RTOE",),
}
"""Plug-in-Gait markers -> the BlazePose-like keypoints the classifier reads.

Hips are hip joint centres estimated from the pelvis markers (:func:`with_hip_centres`); knees and
ankles are the *lateral* markers (epicondyle, malleolus), about 5 cm lateral of the joint centres
BlazePose would report (UI-PRMD has no medial markers); no arm or head markers."""

STEP = 3
"""UI-PRMD is 100 Hz; every third sample gives a 33 Hz phone-like stream."""


NO_REPETITION: dict[str, str] = {
    "m03_s02_e10_positions_inc.txt.gz": "no lunge: the pelvis only rises (973 -> 1074 mm, never below its start) "
                                        "while the rear foot lifts and steps forward, i.e. s02 steps out of the "
                                        "lunge stance after the ninth lunge",
}
"""UI-PRMD repetition files that hold no repetition, found in the marker data, with the evidence.

The files of a set are consecutive cuts of one recording (each starts where the previous ends).  Of
the m01, m03 and m04 files only this one has no pelvis descent (0 mm; the next smallest is 78 mm).
These files stay in the joined sequences of ``benchmarks/coaching.py`` (where they must not be
counted) but not in their true counts."""


def repetitions_in(files: list[Path]) -> int:
    """How many repetitions UI-PRMD ``files`` hold: one per file, less those of :data:`NO_REPETITION`."""
    return sum(p.name not in NO_REPETITION for p in files)


def read_uiprmd(path: Path, step: int = STEP) -> MarkerSet:
    """One UI-PRMD repetition as a Y-up marker set in metres (the file is Z up, mm), every ``step``-th frame."""
    with gzip.open(path, "rt") as fh:
        data = np.loadtxt(fh, delimiter=",", ndmin=2)
    xyz = data.reshape(data.shape[0], 39, 3) / 1000.0
    y_up = np.stack([xyz[..., 0], xyz[..., 2], -xyz[..., 1]], axis=-1)[::step]
    n = y_up.shape[0]
    return MarkerSet(time_s=np.arange(n) * step / 100.0, names=tuple(PIG), xyz=y_up, rate_hz=100.0 / step,
                     units="m", source=str(path))


def uiprmd_files(root: Path, movement: str, correct: bool) -> dict[str, list[Path]]:
    """Subject -> repetition files of one movement."""
    folder = root / "ui-prmd" / ("correct" if correct else "incorrect")
    out: dict[str, list[Path]] = {}
    for p in sorted(folder.glob(f"{movement}_s*_e*_positions*.txt.gz")):
        m = re.match(rf"{movement}_(s\d+)_", p.name)
        if m:
            out.setdefault(m.group(1), []).append(p)
    return out


def _unit(v: FloatArray) -> FloatArray:
    out: FloatArray = v / np.linalg.norm(v, axis=-1, keepdims=True)
    return out


def hip_centres(lasi: FloatArray, rasi: FloatArray, lpsi: FloatArray, rpsi: FloatArray) -> tuple[FloatArray, ...]:
    """Left and right hip joint centres ``(time, 3)`` by Harrington et al.'s regression (metres, Y up).

    Harrington ME et al. (2007) J Biomech 40:595-602: relative to the mid-ASIS in the pelvis frame,
    posterior ``0.24 PD + 9.9 mm``, inferior ``0.30 PW + 10.9 mm``, lateral ``0.33 PW + 7.3 mm``,
    with PW the inter-ASIS and PD the mid-ASIS to mid-PSIS distance.
    """
    mid_asis, mid_psis = (lasi + rasi) / 2, (lpsi + rpsi) / 2
    pw = np.linalg.norm(lasi - rasi, axis=-1, keepdims=True)
    pd = np.linalg.norm(mid_asis - mid_psis, axis=-1, keepdims=True)
    right = _unit(rasi - lasi)
    ant = mid_asis - mid_psis
    ant = _unit(ant - np.sum(ant * right, axis=-1, keepdims=True) * right)
    sup = np.cross(right, ant)
    base = mid_asis - (0.24 * pd + 0.0099) * ant - (0.30 * pw + 0.0109) * sup
    lateral = (0.33 * pw + 0.0073) * right
    return base - lateral, base + lateral


def with_hip_centres(markers: MarkerSet) -> MarkerSet:
    """``markers`` with ``LHJC`` and ``RHJC`` appended (see :func:`hip_centres`)."""
    lhjc, rhjc = hip_centres(*(markers.marker(m) for m in ("LASI", "RASI", "LPSI", "RPSI")))
    xyz = np.concatenate([markers.xyz, lhjc[:, None], rhjc[:, None]], axis=1)
    return MarkerSet(time_s=markers.time_s, names=markers.names + ("LHJC", "RHJC"), xyz=xyz,
                     rate_hz=markers.rate_hz, units=markers.units, source=markers.source)

"""How camera yaw corrupts kneeline's frontal-plane numbers: the evidence for the capture gate's limits.

Reference markers (mocap-opencap-subject4 ``squats1`` with static-calibrated knee/ankle centres, and
the OpenCap squat reference) are filmed by virtual level cameras 3 m away at yaws 0-90 deg round the
subject's trial-mean facing direction, both to the subject's left (+) and right (-).  At each yaw,
kneeline's own 2D functions (``kinematics.angles``, ``kinematics.view``) are compared with the true
frontal-plane angles (the same functions on an orthographic projection onto the subject's frontal
plane):

- FPPA error at squat bottoms (deep flexion) and at frames with 3D knee flexion 45-60 deg (the
  single-leg-squat protocol depth), both knees, worst of the two yaw signs;
- pelvic obliquity error at bottoms;
- the yaw estimate, from metric 3D keypoints (as BlazePose gives) and from 2D proportions only,
  against the true pelvis yaw to the camera.

Limits proposed: warn from the smallest yaw whose FPPA error exceeds the FPPA SEM (3 deg), withhold
from the smallest whose error exceeds the smallest detectable difference (8 deg) (Munro 2012).

Run: ``.venv/bin/python benchmarks/view_limits.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _common import (
    bench_settings,
    data_root,
    frontal_truth,
    knee_flexion_3d,
    mid_hip_height,
    print_table,
    reference_bottoms,
)

from kneeline.io.markers import (
    MOCAP_CENTRE_MAPPING,
    OPENCAP_VIDEO_MAPPING,
    MarkerMapping,
    pelvis_yaw_deg,
    virtual_view,
    with_static_medial_markers,
)
from kneeline.io.trc import MarkerSet, read_trc
from kneeline.kinematics import angles, view
from kneeline.pose.container import FloatArray, PoseSeries

YAWS_DEG = (0, 2.5, 5, 7.5, 10, 15, 20, 25, 30, 40, 50, 60, 75, 90)
"""Virtual camera yaws; 2.5 and 7.5 resolve where the FPPA limits fall."""
FPPA_SEM_DEG = 3.0
"""FPPA standard error of measurement, 2.7-3.0 deg (Munro 2012; evidence.md section 1)."""
FPPA_SDD_DEG = 8.0
"""FPPA smallest detectable difference, 7.5-8.9 deg (Munro 2012; evidence.md section 1)."""
PELVIC_DROP_SDD_DEG = 2.8
"""2D contralateral pelvic drop SDD, running (Dingenen 2018; evidence.md section 2)."""
SLS_FLEXION_DEG = (45.0, 60.0)
"""Knee flexion of the single-leg-squat protocol (Willson & Davis 2008; evidence.md section 1)."""


@dataclass(frozen=True)
class Trial:
    """A marker trial prepared for virtual filming."""

    name: str
    markers: MarkerSet
    mapping: MarkerMapping
    pelvis: tuple[str, str]
    bottoms: np.ndarray
    sls_frames: np.ndarray
    truth: dict[str, FloatArray]


@dataclass(frozen=True)
class YawRow:
    """Errors at one virtual yaw (worst of +yaw and -yaw)."""

    yaw: float
    fppa_bottom_mae: float
    fppa_bottom_max: float
    fppa_sls_mae: float
    fppa_sls_max: float
    obliquity_mae: float
    true_yaw: float
    yaw_world: float
    yaw_image: float


def _prepare(name: str, markers: MarkerSet, mapping: MarkerMapping, pelvis: tuple[str, str]) -> Trial:
    truth_pose = frontal_truth(markers, mapping)
    truth = {"left": angles.fppa(truth_pose, "left"), "right": angles.fppa(truth_pose, "right"),
             "obliquity": angles.pelvic_obliquity(truth_pose)}
    bottoms = reference_bottoms(mid_hip_height(markers, mapping), markers.time_s)
    flex = np.stack([knee_flexion_3d(markers, mapping, s) for s in ("left", "right")], axis=1)
    sls = np.flatnonzero(np.all((flex >= SLS_FLEXION_DEG[0]) & (flex <= SLS_FLEXION_DEG[1]), axis=1))
    return Trial(name, markers, mapping, pelvis, bottoms, sls, truth)


def load_trials(root: Path) -> list[Trial]:
    """Read the two marker trials filmed by the virtual cameras."""
    mocap = root / "mocap-opencap-subject4"
    squats = with_static_medial_markers(read_trc(mocap / "squats1.trc"), read_trc(mocap / "static1.trc"))
    opencap = read_trc(root / "opencap-squat-cam0" / "squats-with-arm-raise.reference.trc")
    return [_prepare("mocap squats1 (5 squats)", squats, MOCAP_CENTRE_MAPPING, ("L.ASIS", "r.ASIS")),
            _prepare("opencap reference (6 squats)", opencap, OPENCAP_VIDEO_MAPPING,
                     ("L.ASIS_study", "r.ASIS_study"))]


def _fppa_errors(pose: PoseSeries, trial: Trial, frames: np.ndarray) -> FloatArray:
    errs = [angles.fppa(pose, s)[frames] - trial.truth[s][frames] for s in ("left", "right")]
    out: FloatArray = np.abs(np.concatenate(errs))
    return out


def _worst(values: list[float], how: str = "max") -> float:
    finite = [v for v in values if np.isfinite(v)]
    if not finite:
        return float("nan")
    return max(finite) if how == "max" else float(np.mean(finite))


def measure(trial: Trial, yaw: float, width_ratio: float) -> YawRow:
    """Film ``trial`` at ``+yaw`` and ``-yaw`` and return the worse errors of the two."""
    parts: dict[str, list[float]] = {k: [] for k in ("bm", "bx", "sm", "sx", "ob", "true", "world", "image")}
    for signed in {yaw, -yaw}:
        pose, camera = virtual_view(trial.markers, trial.mapping, yaw_deg=signed, distance_m=3.0)
        bottom_err = _fppa_errors(pose, trial, trial.bottoms)
        sls_err = _fppa_errors(pose, trial, trial.sls_frames)
        ob = angles.pelvic_obliquity(pose)[trial.bottoms] - trial.truth["obliquity"][trial.bottoms]
        parts["bm"].append(float(np.nanmean(bottom_err)))
        parts["bx"].append(float(np.nanmax(bottom_err)))
        parts["sm"].append(float(np.nanmean(sls_err)) if sls_err.size else float("nan"))
        parts["sx"].append(float(np.nanmax(sls_err)) if sls_err.size else float("nan"))
        parts["ob"].append(float(np.nanmean(np.abs(ob))))
        true_yaw = np.abs(pelvis_yaw_deg(trial.markers, camera, *trial.pelvis))
        parts["true"].append(float(np.nanmedian(true_yaw)))
        parts["world"].append(float(np.nanmedian(view.estimate_yaw(pose))))
        image_yaw = view.estimate_yaw(pose.with_arrays(world=None), width_ratio)
        parts["image"].append(float(np.nanmedian(image_yaw)))
    return YawRow(yaw, _worst(parts["bm"]), _worst(parts["bx"]), _worst(parts["sm"]), _worst(parts["sx"]),
                  _worst(parts["ob"]), _worst(parts["true"], "mean"), _worst(parts["world"], "mean"),
                  _worst(parts["image"], "mean"))


def _last_yaw_within(rows: list[YawRow], attr: str, limit: float) -> float:
    """Largest yaw of the leading run of rows whose ``attr`` stays within ``limit`` (NaN if none)."""
    last = float("nan")
    for r in rows:
        if not getattr(r, attr) <= limit:
            break
        last = r.yaw
    return last


def print_trial(trial: Trial, rows: list[YawRow]) -> None:
    """Print the yaw table of one trial and the yaws at which the SEM and SDD are exceeded."""
    print_table(
        f"{trial.name}: {len(trial.bottoms)} bottoms, {trial.sls_frames.size} frames at 45-60 deg knee "
        "flexion; errors in deg, worst of +/- yaw",
        ("yaw", "FPPA bottom MAE", "max", "FPPA 45-60 MAE", "max", "obliquity MAE", "true pelvis yaw",
         "est. yaw (3D)", "est. yaw (2D)"),
        [(f"{r.yaw:g}", f"{r.fppa_bottom_mae:.1f}", f"{r.fppa_bottom_max:.1f}", f"{r.fppa_sls_mae:.1f}",
          f"{r.fppa_sls_max:.1f}", f"{r.obliquity_mae:.2f}", f"{r.true_yaw:.1f}", f"{r.yaw_world:.1f}",
          f"{r.yaw_image:.1f}") for r in rows])
    for attr, label, limits in (("fppa_bottom_mae", "FPPA at bottoms", (FPPA_SEM_DEG, FPPA_SDD_DEG)),
                                ("fppa_sls_mae", "FPPA at 45-60 deg flexion", (FPPA_SEM_DEG, FPPA_SDD_DEG)),
                                ("obliquity_mae", "pelvic obliquity at bottoms", (1.0, PELVIC_DROP_SDD_DEG))):
        within = [f"<= {lim:g} deg up to yaw {_yaw_text(_last_yaw_within(rows, attr, lim))}"
                  for lim in limits]
        print(f"{label}: MAE " + "; ".join(within))


def _yaw_text(yaw: float) -> str:
    return "none (exceeded already at yaw 0)" if np.isnan(yaw) else f"{yaw:g} deg"


def propose(all_rows: list[list[YawRow]]) -> None:
    """Print proposed warn / withhold limits: the strictest over both trials."""
    def strictest(attr: str, limit: float) -> str:
        yaws = [_last_yaw_within(rows, attr, limit) for rows in all_rows]
        return _yaw_text(float("nan") if any(np.isnan(yaws)) else min(yaws))

    print("\nproposed capture-gate limits (largest tested yaw at which the MAE stays within the limit, "
          "strictest over both trials):")
    print(f"  FPPA, single-leg-squat depth (45-60 deg flexion): warn above "
          f"{strictest('fppa_sls_mae', FPPA_SEM_DEG)} (error > SEM {FPPA_SEM_DEG:g}), withhold above "
          f"{strictest('fppa_sls_mae', FPPA_SDD_DEG)} (error > SDD {FPPA_SDD_DEG:g})")
    print("  FPPA, deep double-leg squat bottoms: warn above "
          f"{strictest('fppa_bottom_mae', FPPA_SEM_DEG)}, withhold above "
          f"{strictest('fppa_bottom_mae', FPPA_SDD_DEG)}")
    print(f"  pelvic obliquity: warn above {strictest('obliquity_mae', 1.0)} (error > 1 deg), withhold "
          f"above {strictest('obliquity_mae', PELVIC_DROP_SDD_DEG)} (error > pelvic-drop SDD "
          f"{PELVIC_DROP_SDD_DEG:g})")
    print("  the yaw estimate must read these angles: see the 'est. yaw' columns "
          "(3D = from metric keypoints).")


def main() -> int:
    """Run the yaw sweep on both trials and print the tables and the proposal."""
    root = data_root()
    width_ratio = bench_settings().yaw_width_ratio
    all_rows = []
    for trial in load_trials(root):
        rows = [measure(trial, float(yaw), width_ratio) for yaw in YAWS_DEG]
        print_trial(trial, rows)
        all_rows.append(rows)
    propose(all_rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

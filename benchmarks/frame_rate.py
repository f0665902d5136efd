"""Analysis frame rate: whether analysing fewer frames a second changes what kneeline measures.

For each rate (the video's full 60 fps, then 30, 20 and 15 fps: every 2nd, 3rd and 4th frame, run
through the pose model exactly as ``kneeline analyze`` does, with ``estimate_pose(target_fps=...)``):

1. ``opencap-squat-cam0`` (real iPhone video, 60 fps, 6 squats) against OpenCap's reference
   markers projected through ``camera.json`` (as ``benchmarks/accuracy.py``): rep count, bottom
   times against the reference's lowest hip height, FPPA left/right and pelvic obliquity at the
   reference bottoms (kneeline's value at its frame nearest in time) against the reference's.
2. ``mocap-opencap-subject4/squats1`` (marker motion capture at 100 Hz, virtual frontal camera):
   the projected keypoints decimated to each rate; reps, bottom times, FPPA and obliquity at the
   bottoms against the exact frontal-plane answers at full rate.

"Unchanged" means: the same rep count, every bottom within the 0.1 s target, and the MAE at the
bottoms against the reference no worse than at full rate by more than the *measurement error of
that MAE* (its standard error over the bottoms, ``SD / sqrt(n)``, at least 0.1 deg).  Each row also
prints the largest change of a single bottom's value from the full-rate analysis (pose-model noise:
MediaPipe tracks from a frame 33 ms rather than 17 ms earlier), to be read against the SEM of the
measurement (FPPA SEM 3 deg, SDD 8 deg; pelvic drop SDD 2.8 deg, so SEM about 1 deg).

Run: ``.venv/bin/python benchmarks/frame_rate.py [--no-cache] [--rates 30,20,15]``.  Pose estimates
of the video are cached per rate like ``accuracy.py``'s.
"""

from __future__ import annotations

import argparse
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from _common import _cache_dir as cache_dir
from _common import (
    _file_key,
    bench_settings,
    data_root,
    frontal_truth,
    load_pose,
    mid_hip_height,
    print_table,
    reference_bottoms,
    save_pose,
    verdict,
)

from kneeline.io.markers import (
    MOCAP_CENTRE_MAPPING,
    OPENCAP_VIDEO_MAPPING,
    Camera,
    markers_to_pose,
    virtual_view,
    with_static_medial_markers,
)
from kneeline.io.trc import MarkerSet, read_trc
from kneeline.kinematics import angles
from kneeline.pipeline import AnalysisRun, analyze_pose
from kneeline.pose.container import FloatArray, PoseSeries

COLUMNS = (("FPPA left", "fppa_left_deg"), ("FPPA right", "fppa_right_deg"),
           ("obliquity", "pelvic_obliquity_deg"))
BOTTOM_TIME_TARGET_S = 0.1
MIN_ERROR_DEG = 0.1


@dataclass(frozen=True)
class RateResult:
    """What one analysis at one rate measured against the reference bottoms."""

    label: str
    fps: float
    reps: int
    worst_bottom_s: float
    values: dict[str, FloatArray]  # column -> kneeline value at each reference bottom
    errors: dict[str, FloatArray]  # column -> kneeline - reference at each reference bottom


def video_pose_at(video: Path, step: int, use_cache: bool) -> PoseSeries:
    """Pose of ``video`` with every ``step``-th frame through the model (cached per step)."""
    from kneeline._version import get_version
    from kneeline.io.video import probe
    from kneeline.pose.runner import estimate_pose

    fps = probe(video).fps
    key = _file_key(video, {"kneeline": get_version(), "frame_step": step, "bench": "frame_rate"})
    cache = cache_dir() / f"{video.stem}-step{step}-{key}.npz"
    if use_cache and cache.is_file():
        return load_pose(cache)
    print(f"(estimating pose in {video.name} at every {step}. frame; this takes a while)")
    pose = estimate_pose(video, target_fps=fps / step if step > 1 else None)
    if int(pose.meta.get("frame_step", 1)) != step:
        raise SystemExit(f"asked for every {step}. frame, the runner used {pose.meta.get('frame_step')}")
    save_pose(pose, cache)
    return pose


def decimate(pose: PoseSeries, step: int) -> PoseSeries:
    """Every ``step``-th frame of ``pose`` (what a camera filming at ``fps / step`` would give)."""
    world = None if pose.world is None else pose.world[::step]
    return pose.with_arrays(position=pose.position[::step], confidence=pose.confidence[::step],
                            time_s=pose.time_s[::step], world=world)


def nearest_rows(time_s: FloatArray, at_s: FloatArray) -> np.ndarray:
    """Index of the sample of ``time_s`` nearest each time of ``at_s``."""
    return np.asarray([int(np.argmin(np.abs(time_s - t))) for t in at_s], dtype=int)


def measure(label: str, run: AnalysisRun, ref_bottom_s: FloatArray,
            reference: dict[str, FloatArray]) -> RateResult:
    """Compare one analysis with the reference bottoms and the reference values there."""
    bottoms = np.asarray([r.bottom_s for r in run.result.reps])
    worst = max((float(np.min(np.abs(bottoms - t))) for t in ref_bottom_s), default=float("nan")) \
        if bottoms.size else float("nan")
    rows = nearest_rows(run.table.time_s, ref_bottom_s)
    values = {col: np.asarray(run.table.column(col), dtype=float)[rows] for _, col in COLUMNS}
    errors = {col: values[col] - reference[col] for _, col in COLUMNS}
    return RateResult(label, run.pose.fps, len(run.result.reps), worst, values, errors)


def summarise(title: str, results: list[RateResult], expected_reps: int) -> list[tuple[str, bool]]:
    """Print one table per data set; return (check, passed) per rate below full rate."""
    full = results[0]
    rows, checks = [], []
    for res in results:
        ok_reps = res.reps == expected_reps
        ok_time = res.worst_bottom_s <= BOTTOM_TIME_TARGET_S
        cells = [res.label, f"{res.fps:.1f}", f"{res.reps}/{expected_reps}", f"{res.worst_bottom_s:.3f}"]
        ok_angles = True
        for _, col in COLUMNS:
            err, ref_err = np.abs(res.errors[col]), np.abs(full.errors[col])
            mae, ref_mae = float(np.nanmean(err)), float(np.nanmean(ref_err))
            n = int(np.count_nonzero(np.isfinite(ref_err)))
            se = max(MIN_ERROR_DEG, float(np.nanstd(full.errors[col], ddof=1)) / np.sqrt(max(n, 1)))
            change = float(np.nanmax(np.abs(res.values[col] - full.values[col])))
            within = mae - ref_mae <= se
            ok_angles &= within
            cells.append(f"{mae:.2f} ({mae - ref_mae:+.2f}, se {se:.2f}); max change {change:.2f}")
        ok = ok_reps and ok_time and ok_angles
        cells.append(verdict(ok) if res is not full else "(reference rate)")
        rows.append(cells)
        if res is not full:
            checks.append((f"{title} at {res.fps:.0f} fps unchanged", ok))
    header = ("rate", "fps", "reps", "worst bottom s",
              *(f"{name} MAE at bottoms (vs full rate, se)" for name, _ in COLUMNS), "unchanged")
    print_table(title, header, rows)
    return checks


def opencap_video(root: Path, steps: list[int], use_cache: bool) -> list[tuple[str, bool]]:
    """The real 60 fps squat video against the projected reference markers, at each rate."""
    folder = root / "opencap-squat-cam0"
    video = folder / "squats-with-arm-raise.mov"
    settings = bench_settings()
    camera = Camera.from_json(folder / "camera.json")
    raw = read_trc(folder / "squats-with-arm-raise.reference.trc")
    full = video_pose_at(video, 1, use_cache)
    n = min(raw.n_frames, full.n_frames)
    markers = MarkerSet(time_s=full.time_s[:n], names=raw.names, xyz=raw.xyz[:n], rate_hz=raw.rate_hz,
                        units=raw.units, source=raw.source)  # frame i of the TRC = frame i of the video
    ref_pose = markers_to_pose(markers, camera, OPENCAP_VIDEO_MAPPING, source="OpenCap reference markers")
    ref = analyze_pose(ref_pose, "squat", settings=settings)
    bottoms = reference_bottoms(markers.marker("midHip")[:, 1], markers.time_s)
    ref_s = markers.time_s[bottoms]
    reference = {col: np.asarray(ref.table.column(col), dtype=float)[bottoms] for _, col in COLUMNS}
    results = []
    for step in [1, *steps]:
        pose = full if step == 1 else video_pose_at(video, step, use_cache)
        run = analyze_pose(pose, "squat", settings=settings)
        results.append(measure(f"every {step}. frame", run, ref_s, reference))
    return summarise("opencap-squat-cam0 (real 60 fps video) vs reference markers, per analysis rate",
                     results, expected_reps=6)


def mocap(root: Path, steps_fps: list[float]) -> list[tuple[str, bool]]:
    """Motion capture squats1 through a virtual frontal camera, decimated to each rate."""
    folder = root / "mocap-opencap-subject4"
    settings = bench_settings()
    markers = with_static_medial_markers(read_trc(folder / "squats1.trc"), read_trc(folder / "static1.trc"))
    pose, _ = virtual_view(markers, MOCAP_CENTRE_MAPPING, yaw_deg=0.0, distance_m=3.0)
    truth_pose = frontal_truth(markers, MOCAP_CENTRE_MAPPING)
    bottoms = reference_bottoms(mid_hip_height(markers, MOCAP_CENTRE_MAPPING), markers.time_s)
    reference = {"fppa_left_deg": angles.fppa(truth_pose, "left")[bottoms],
                 "fppa_right_deg": angles.fppa(truth_pose, "right")[bottoms],
                 "pelvic_obliquity_deg": angles.pelvic_obliquity(truth_pose)[bottoms]}
    rate = float(markers.rate_hz)
    results = []
    for fps in [rate, *steps_fps]:
        step = max(1, int(np.floor(rate / fps + 0.01)))
        run = analyze_pose(decimate(pose, step), "squat", settings=settings)
        results.append(measure(f"every {step}. sample", run, markers.time_s[bottoms], reference))
    return summarise(f"mocap squats1 ({rate:g} Hz), virtual frontal camera, vs exact frontal answers", results,
                     expected_reps=5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--no-cache", action="store_true", help="re-run pose estimation on the video")
    parser.add_argument("--rates", default="30,20,15", help="analysis rates below full rate (fps)")
    parser.add_argument("--skip-video", action="store_true", help="motion capture only")
    args = parser.parse_args(argv)
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    root = data_root()
    checks = mocap(root, rates)
    if not args.skip_video:
        video_fps = 60.0
        steps = sorted({max(2, int(np.floor(video_fps / r + 0.01))) for r in rates})
        checks += opencap_video(root, steps, not args.no_cache)
    print_table("summary", ("check", "verdict"), [(name, verdict(ok)) for name, ok in checks])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

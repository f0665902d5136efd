"""Coaching benchmark: repetition counts and correct-vs-incorrect classification on real motion data.

1. Counts: ``mocap-opencap-subject4`` squats1 and STS1 (5 each) through a virtual frontal camera;
   sequences joined from UI-PRMD single repetitions (0.6 s still before and after each file, 33 Hz;
   true count one per file, less the files that hold none: ``uiprmd_data.NO_REPETITION``) through
   a virtual frontal or side camera; the real OpenCap squat video (6, BlazePose, cached).  Target:
   every count exact.
2. Classification: UI-PRMD correct vs incorrect repetitions (m01 deep squat, m02 hurdle step, m03
   inline lunge, m04 side lunge) from 2D features of a projected frontal and a projected side
   camera (:mod:`benchmarks.uiprmd_classify`).  Leave-one-subject-out over s01-s05 with nested
   cross-validation: the feature set, the model (logistic regression, linear SVM, random forest,
   gradient boosting) and its regularisation are chosen inside the four training subjects, refitted
   there and scored on the fifth.  Target: balanced accuracy >= 0.9 per movement.  Needs
   scikit-learn (``pip install -e '.[dev]'``).

Run: ``.venv/bin/python benchmarks/coaching.py [--no-cache] [--counts-only]``.  Prints every number it reaches.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import bench_settings, cached_video_pose, data_root, print_table, verdict  # noqa: E402
from benchmarks.uiprmd_data import NO_REPETITION, PIG_MAPPING, read_uiprmd, repetitions_in, uiprmd_files  # noqa: E402
from kneeline.coach.session import coach_pose  # noqa: E402
from kneeline.coach.signals import features_from_pose  # noqa: E402
from kneeline.io.markers import MOCAP_CENTRE_MAPPING, virtual_view, with_static_medial_markers  # noqa: E402
from kneeline.io.trc import MarkerSet, read_trc  # noqa: E402
from kneeline.pose.container import PoseSeries  # noqa: E402

MOVEMENTS: dict[str, tuple[str, str, int]] = {
    "m01": ("deep squat", "squat", 0), "m02": ("hurdle step", "single-leg-stance", 0),
    "m03": ("inline lunge", "lunge", 90), "m04": ("side lunge", "side-lunge", 0),
}
"""UI-PRMD movement -> (name, exercise coached, camera yaw for counting)."""


def join_reps(reps: Sequence[MarkerSet], still_s: float = 0.6) -> MarkerSet:
    """Concatenate repetitions, each with ``still_s`` of its first/last posture before/after it."""
    parts = []
    for m in reps:
        k = int(round(still_s * m.rate_hz))
        xyz = m.xyz.copy()
        idx = np.arange(xyz.shape[0])
        for j in range(xyz.shape[1]):  # marker gaps: linear interpolation in time
            for c in range(3):
                good = np.isfinite(xyz[:, j, c])
                if good.any() and not good.all():
                    xyz[:, j, c] = np.interp(idx, idx[good], xyz[good, j, c])
        parts.append(np.concatenate([np.repeat(xyz[:1], k, 0), xyz, np.repeat(xyz[-1:], k, 0)]))
    xyz = np.concatenate(parts)
    rate = reps[0].rate_hz
    return MarkerSet(time_s=np.arange(xyz.shape[0]) / rate, names=reps[0].names, xyz=xyz, rate_hz=rate, units="m",
                     source="joined UI-PRMD")


def count(pose: PoseSeries, exercise: str) -> tuple[int, bool]:
    """Counted reps (holds) and the partial flag of a coached pose series."""
    run = coach_pose(pose, exercise, settings=bench_settings(), require_reps=False)
    return run.result.count, run.result.partial


def count_checks(root: Path, use_cache: bool) -> list[bool]:
    """Print the count table; return pass/fail per row."""
    rows, oks = [], []
    folder = root / "mocap-opencap-subject4"
    static = read_trc(folder / "static1.trc")
    for trial, exercise in (("squats1", "squat"), ("STS1", "squat")):
        markers = with_static_medial_markers(read_trc(folder / f"{trial}.trc"), static)
        pose, _ = virtual_view(markers, MOCAP_CENTRE_MAPPING, yaw_deg=0.0)
        n, partial = count(pose, exercise)
        oks.append(n == 5)
        rows.append([f"mocap subject4 {trial} (frontal)", exercise, 5, n, verdict(n == 5)])
    for mv, (name, exercise, yaw) in MOVEMENTS.items():
        for correct in (True, False):
            for subject, files in uiprmd_files(root, mv, correct).items():
                joined = join_reps([read_uiprmd(p) for p in files])
                pose, _ = virtual_view(joined, PIG_MAPPING, yaw_deg=yaw)
                n, _ = count(pose, exercise)
                true = repetitions_in(files)
                oks.append(n == true)
                note = f" [{len(files) - true} file without a rep]" if true < len(files) else ""
                rows.append([f"UI-PRMD {mv} {name} {subject} {'correct' if correct else 'incorrect'} (yaw {yaw}){note}",
                             exercise, true, n, verdict(n == true)])
    video = root / "opencap-squat-cam0" / "squats-with-arm-raise.mov"
    pose = cached_video_pose(video, bench_settings(), use_cache)
    n, _ = count(pose, "squat")
    oks.append(n == 6)
    rows.append(["OpenCap video squats (BlazePose)", "squat", 6, n, verdict(n == 6)])
    print_table("Repetition counts", ["sequence", "exercise", "true", "counted", "result"], rows)
    for name, why in NO_REPETITION.items():
        print(f"  {name} is joined in but not a true repetition: {why}")
    return oks


def view_checks(root: Path) -> None:
    """Print the 2D width ratio of each movement in the frontal and side camera (for movements.yaml's view limits)."""
    for mv in MOVEMENTS:
        front, side = [], []
        for correct in (True, False):
            for files in uiprmd_files(root, mv, correct).values():
                for p in files:
                    markers = read_uiprmd(p)
                    for yaw, out in ((0.0, front), (90.0, side)):
                        pose, _ = virtual_view(markers, PIG_MAPPING, yaw_deg=yaw)
                        out.append(float(np.nanmedian(features_from_pose(pose)["width_ratio"])))
        print(f"{mv} 2D width ratio (view check): front camera {np.mean(front):.2f} (min {np.min(front):.2f}), "
              f"side camera {np.mean(side):.2f} (max {np.max(side):.2f})")


def main(argv: list[str] | None = None) -> int:
    """Run both parts; exit 1 when a target is missed."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-cache", action="store_true", help="re-run pose estimation on the video")
    parser.add_argument("--counts-only", action="store_true", help="skip the classification part")
    args = parser.parse_args(argv)
    root = data_root()
    counts = count_checks(root, not args.no_cache)
    print(f"\ncounts exact: {sum(counts)}/{len(counts)} sequences")
    if args.counts_only:
        return 0 if all(counts) else 1
    view_checks(root)
    try:
        from benchmarks.uiprmd_classify import classification_checks
    except ImportError as exc:
        print(f"classification skipped: {exc}; install the dev extra (pip install -e '.[dev]')")
        return 1
    classes = classification_checks(root)
    print(f"movements at balanced accuracy >= 0.9: {sum(classes)}/{len(classes)}")
    return 0 if all(counts) and all(classes) else 1


if __name__ == "__main__":
    sys.exit(main())

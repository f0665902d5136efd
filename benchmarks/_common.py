"""Shared pieces of kneeline's benchmarks: data paths, reference events, error statistics, tables, cache.

The benchmarks read the real data from ``../shared/data`` (or ``$KNEELINE_DATA``) and never copy it
into the repository.  The pose estimate of a video is cached under ``$KNEELINE_BENCH_CACHE``
(default ``~/.cache/kneeline/benchmarks``) keyed by the video's hash, kneeline's version and the
pose settings, so re-runs take seconds.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.signal import find_peaks

from kneeline.config import AnalysisSettings
from kneeline.io.markers import MarkerMapping, keypoint_xyz, virtual_view
from kneeline.io.trc import MarkerSet
from kneeline.pose.backend import PoseBackend
from kneeline.pose.container import FloatArray, PoseSeries

REPO = Path(__file__).resolve().parents[1]


def data_root() -> Path:
    """Return the shared data folder, or exit with a message when it is absent."""
    root = Path(os.environ.get("KNEELINE_DATA", REPO.parent / "shared" / "data"))
    if not root.is_dir():
        sys.exit(f"benchmark data not found at {root}; set KNEELINE_DATA to the shared data folder")
    return root


def bench_settings() -> AnalysisSettings:
    """Analysis settings for benchmarks: defaults, but frontal numbers are never withheld.

    The capture gate would withhold FPPA from oblique views; the benchmarks need the numbers to
    measure how wrong they are.
    """
    return AnalysisSettings.model_validate({"enforce_view": False})


@dataclass(frozen=True)
class Stats:
    """Error statistics of ``estimate - reference`` over the samples where both are finite."""

    n: int
    mae: float
    bias: float
    max_abs: float

    def row(self) -> list[str]:
        """Format as table cells: n, MAE, bias, max."""
        return [str(self.n), f"{self.mae:.2f}", f"{self.bias:+.2f}", f"{self.max_abs:.2f}"]


def error_stats(estimate: FloatArray, reference: FloatArray) -> Stats:
    """Return MAE, bias (mean signed error) and max absolute error of ``estimate - reference``."""
    err = np.asarray(estimate, dtype=np.float64) - np.asarray(reference, dtype=np.float64)
    err = err[np.isfinite(err)]
    if err.size == 0:
        return Stats(0, float("nan"), float("nan"), float("nan"))
    return Stats(int(err.size), float(np.mean(np.abs(err))), float(np.mean(err)), float(np.max(np.abs(err))))


def print_table(title: str, header: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """Print a plain aligned text table with a title line."""
    cells = [[str(c) for c in header]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    print(f"\n{title}")
    print("  ".join(h.rjust(w) for h, w in zip(cells[0], widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for r in cells[1:]:
        print("  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)))


def verdict(ok: bool) -> str:
    """PASS or FAIL."""
    return "PASS" if ok else "FAIL"


def reference_bottoms(height_m: FloatArray, time_s: FloatArray, prominence_m: float = 0.1,
                      min_interval_s: float = 0.8) -> np.ndarray:
    """Return indices of squat bottoms: minima of a hip-height signal at least ``prominence_m`` deep."""
    dt = float(np.median(np.diff(time_s)))
    peaks, _ = find_peaks(-np.asarray(height_m), prominence=prominence_m,
                          distance=max(1, int(round(min_interval_s / dt))))
    return np.asarray(peaks, dtype=int)


def mid_hip_height(markers: MarkerSet, mapping: MarkerMapping) -> FloatArray:
    """Per-frame height (Y) of the mid-point of the mapped hip markers."""
    _, hips = keypoint_xyz(markers, {"l": mapping["left_hip"], "r": mapping["right_hip"]})
    height: FloatArray = hips[:, :, 1].mean(axis=1)
    return height


def knee_flexion_3d(markers: MarkerSet, mapping: MarkerMapping, side: str) -> FloatArray:
    """Per-frame 3D knee flexion (degrees, 0 = straight): angle between thigh and shank vectors."""
    names, xyz = keypoint_xyz(markers, {k: mapping[f"{side}_{k}"] for k in ("hip", "knee", "ankle")})
    thigh = xyz[:, 1] - xyz[:, 0]
    shank = xyz[:, 2] - xyz[:, 1]
    cos = np.sum(thigh * shank, axis=1) / (np.linalg.norm(thigh, axis=1) * np.linalg.norm(shank, axis=1))
    flexion: FloatArray = np.degrees(np.arccos(np.clip(cos, -1.0, 1.0)))
    return flexion


def frontal_truth(markers: MarkerSet, mapping: MarkerMapping) -> PoseSeries:
    """Keypoints projected orthographically onto the subject's trial-mean frontal plane.

    Angles measured on this series with kneeline's own 2D functions are the true frontal-plane
    angles of the 3D markers (no perspective, no camera yaw).
    """
    pose, _ = virtual_view(markers, mapping, yaw_deg=0.0, orthographic=True)
    return pose


def at_frames(values: FloatArray, frames: np.ndarray) -> FloatArray:
    """Values at sample indices (NaN for indices outside the series)."""
    v = np.asarray(values, dtype=np.float64)
    out = np.full(len(frames), np.nan)
    ok = (frames >= 0) & (frames < v.size)
    out[ok] = v[frames[ok]]
    return out


def _cache_dir() -> Path:
    return Path(os.environ.get("KNEELINE_BENCH_CACHE", Path.home() / ".cache" / "kneeline" / "benchmarks"))


def _file_key(path: Path, extra: dict[str, object]) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    h.update(json.dumps(extra, sort_keys=True).encode())
    return h.hexdigest()[:20]


def save_pose(pose: PoseSeries, path: Path) -> None:
    """Write a pose series to an ``.npz`` file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    arrays = {"position": pose.position, "confidence": pose.confidence, "time_s": pose.time_s}
    if pose.world is not None:
        arrays["world"] = pose.world
    info = {"keypoints": list(pose.keypoints), "width": pose.width, "height": pose.height,
            "source": pose.source, "meta": pose.meta}
    np.savez_compressed(path, info=np.array(json.dumps(info, default=str)), **arrays)


def load_pose(path: Path) -> PoseSeries:
    """Read a pose series written by :func:`save_pose`."""
    with np.load(path) as z:
        info = json.loads(str(z["info"]))
        world = z["world"] if "world" in z.files else None
        return PoseSeries(position=z["position"], confidence=z["confidence"], time_s=z["time_s"],
                          keypoints=tuple(info["keypoints"]), width=info["width"], height=info["height"],
                          source=info["source"], world=world, meta=info["meta"])


def cached_video_pose(video: Path, settings: AnalysisSettings, use_cache: bool = True,
                      backend: PoseBackend | None = None, variant: str | None = None,
                      max_side_px: int | None = None) -> PoseSeries:
    """Run kneeline's pose estimation on ``video``, or load the cached result of an earlier run.

    ``backend`` (left open) replaces kneeline's default BlazePose, and ``max_side_px`` the working
    size of ``settings``; ``variant`` names such a change and becomes part of the cache key.
    """
    from kneeline._version import get_version
    from kneeline.pose.runner import estimate_pose

    side = settings.max_side_px if max_side_px is None else max_side_px
    extra: dict[str, object] = {"kneeline": get_version(), "max_side_px": side}
    if variant is not None:
        extra["variant"] = variant
    key = _file_key(video, extra)
    cache = _cache_dir() / f"{video.stem}-{key}.npz"
    if use_cache and cache.is_file():
        print(f"(pose loaded from cache {cache}; --no-cache recomputes)")
        return load_pose(cache)
    print(f"(estimating pose in {video.name}{'' if variant is None else f' ({variant})'}; this takes a while)")
    pose = estimate_pose(video, backend=backend, max_side_px=side)
    save_pose(pose, cache)
    return pose

"""How well kneeline's view estimate (body yaw to the camera) transfers: real videos, both turn directions.

1. Real videos with reference markers (``../shared/data``): opencap-squat-cam0 and opencap-walk
   cam0 (the person's left side nearer the camera) and opencap-walk cam1 (the right side nearer).
   The reference yaw is the hip + shoulder left-right axis of OpenCap's markers against the
   camera's image plane (README of the data).  The one fitted number of the estimate, BlazePose's
   yaw offset (``capture.yaml`` ``blazepose_world_yaw_bias_deg``), is fitted **leave-one-video-out**:
   for each video, on the two others only, exactly as the deployed value is fitted on all three.
2. Motion capture (mocap-opencap-subject4 squats1 and walking1) through virtual cameras at known
   yaws on both sides: camera-aligned 3D keypoints, so this checks the geometry (sign, 2D width
   bounds, folding), not BlazePose.

Run: ``.venv/bin/python benchmarks/view_estimate.py [--no-cache]`` (poses cached as in accuracy.py).
"""

from __future__ import annotations

import argparse
from dataclasses import replace
from pathlib import Path

import numpy as np
from _common import cached_video_pose, data_root, print_table, verdict

from kneeline.capture import view as view_mod
from kneeline.clean.pipeline import clean_pose
from kneeline.config import AnalysisSettings
from kneeline.evidence import value
from kneeline.io.markers import MOCAP_LATERAL_MAPPING, Camera, virtual_view
from kneeline.io.trc import MarkerSet, read_trc
from kneeline.kinematics.view import in_frame
from kneeline.pose.container import FloatArray, PoseSeries
from kneeline.pose.skeleton import LOWER_BODY

TARGET_DEG = 5.0
"""Issue #11: within 5 deg of the reference on every real video, both turn directions."""

VIDEOS = {
    "squat cam0": ("opencap-squat-cam0/squats-with-arm-raise.mov",
                   "opencap-squat-cam0/squats-with-arm-raise.reference.trc", "opencap-squat-cam0/camera.json", 5 * 0),
    "walk cam0": ("opencap-walk/cam0/walk.mov", "opencap-walk/walk.reference.trc", "opencap-walk/cam0/camera.json", 5),
    "walk cam1": ("opencap-walk/cam1/walk.mov", "opencap-walk/walk.reference.trc", "opencap-walk/cam1/camera.json", 0),
}
"""Name -> video, reference markers, camera, and the frame offset (video frame i + offset = marker frame i)."""


def reference_yaw(markers: MarkerSet, camera: Camera) -> FloatArray:
    """Signed reference yaw per marker frame (deg, negative = the person's left side nearer the camera)."""
    axis = sum(camera.to_camera(markers.marker(left)) - camera.to_camera(markers.marker(right))
               for left, right in (("LHJC_study", "RHJC_study"), ("L_shoulder_study", "r_shoulder_study")))
    assert isinstance(axis, np.ndarray)
    out: FloatArray = np.degrees(np.arctan2(axis[:, 2], axis[:, 0]))
    return out


def _aligned(ref: FloatArray, n_video: int, offset: int) -> FloatArray:
    out = np.full(n_video, np.nan)
    n = min(n_video - offset, ref.size)
    out[offset:offset + n] = ref[:n]
    return out


def _offset_of(pose: PoseSeries, ref: FloatArray) -> float:
    """BlazePose's yaw offset on one video: raw estimate (no offset) minus reference, median over framed frames."""
    raw = view_mod.signed_frame_yaw(pose) + float(value("capture.yaml", "blazepose_world_yaw_bias_deg"))
    framed = in_frame(pose, float(value("capture.yaml", "frame_margin")), LOWER_BODY)
    return float(np.nanmedian((raw - ref)[framed]))


def _estimate_with_offset(pose: PoseSeries, offset_deg: float) -> view_mod.ViewEstimate:
    """Run the product's estimate with the offset replaced by ``offset_deg`` (nothing else changes)."""
    original = view_mod._capture

    def patched(key: str) -> float:
        return offset_deg if key == "blazepose_world_yaw_bias_deg" else original(key)

    view_mod._capture = patched
    try:
        return view_mod.estimate_view(pose)
    finally:
        view_mod._capture = original


def real_videos(root: Path, use_cache: bool) -> list[bool]:
    settings = AnalysisSettings()
    cases: dict[str, tuple[PoseSeries, FloatArray]] = {}
    for name, (video, trc, cam, offset) in VIDEOS.items():
        pose, _ = clean_pose(cached_video_pose(root / video, settings, use_cache), settings)
        ref = _aligned(reference_yaw(read_trc(root / trc), Camera.from_json(root / cam)), pose.n_frames, offset)
        cases[name] = (pose, ref)
    offsets = {name: _offset_of(pose, ref) for name, (pose, ref) in cases.items()}
    deployed = float(value("capture.yaml", "blazepose_world_yaw_bias_deg"))
    rows, oks = [], []
    for name, (pose, ref) in cases.items():
        loo = float(np.mean([o for k, o in offsets.items() if k != name]))
        est = _estimate_with_offset(pose, loo)
        framed = in_frame(pose, float(value("capture.yaml", "frame_margin")), LOWER_BODY)
        true = float(np.nanmedian(ref[framed]))
        assert est.signed_yaw_deg is not None and est.uncertainty_deg is not None
        err = est.signed_yaw_deg - true
        ok = abs(err) <= TARGET_DEG
        oks.append(ok)
        per_frame = np.abs(np.abs(est.per_frame_deg) - np.abs(ref))
        rows.append([name, "left nearer" if true < 0 else "right nearer", f"{true:+.1f}",
                     f"{est.signed_yaw_deg:+.1f}", f"{est.uncertainty_deg:.1f}", f"{err:+.1f}",
                     f"{np.nanmedian(per_frame):.1f}", f"{loo:+.2f}", f"{offsets[name]:+.2f}", verdict(ok)])
    print_table("view estimate on real video, leave-one-video-out (offset fitted on the OTHER two videos)",
                ["video", "turn", "reference", "estimate", "+-", "error", "per-frame |err| median",
                 "offset used", "own offset", "<= 5 deg"], rows)
    print(f"deployed offset (capture.yaml, mean of the three own offsets): {deployed:+.2f} deg; "
          f"own offsets: " + ", ".join(f"{k} {v:+.2f}" for k, v in offsets.items()))
    return oks


def mocap(root: Path) -> list[bool]:
    rows, oks = [], []
    for trial in ("squats1", "walking1"):
        markers = read_trc(root / "mocap-opencap-subject4" / f"{trial}.trc")
        for yaw in (-45, -30, -20, -10, 0, 10, 20, 30, 45, 75):
            pose, _ = virtual_view(markers, MOCAP_LATERAL_MAPPING, yaw_deg=yaw)
            pose = replace(pose, source="motion capture, virtual camera")
            est = view_mod.estimate_view(pose)
            assert est.yaw_deg is not None
            # virtual_view's positive yaw puts the camera toward the subject's left: left side nearer.
            err = est.yaw_deg - abs(yaw)
            sign_ok = yaw == 0 or (est.signed_yaw_deg is not None and np.sign(est.signed_yaw_deg) == -np.sign(yaw))
            ok = abs(err) <= TARGET_DEG and sign_ok
            oks.append(ok)
            rows.append([trial, f"{yaw:+d}", f"{est.signed_yaw_deg:+.1f}", f"{err:+.1f}",
                         "yes" if sign_ok else "NO", verdict(ok)])
    print_table("motion capture through virtual cameras (3D keypoints in camera axes: geometry only)",
                ["trial", "camera yaw", "estimate (signed)", "error", "direction right", "<= 5 deg"], rows)
    return oks


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--no-cache", action="store_true", help="re-run the pose model on the videos")
    args = parser.parse_args(argv)
    root = data_root()
    oks = real_videos(root, not args.no_cache) + mocap(root)
    print(f"\n{sum(oks)} of {len(oks)} within {TARGET_DEG:g} deg")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

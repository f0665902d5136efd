"""Hand-built inputs for the report writers: one synthetic squat, as pose, kinematics and result.

``one_squat()`` is a frontal stick figure (``tests/fixtures/synthetic.py``) filmed for 2 s at 30 fps
(60 frames) doing one squat between 0.2 s and 1.8 s, bottom at 1.0 s, 0.3 leg lengths deep.  The left
knee goes 12° into valgus at the bottom, the right knee 4° into varus; the pelvis tilts up to 3°
(left hip higher) and the trunk leans 2° to the left.  Frame 3 is a frame where nobody was found
(NaN pose row, NaN kinematics), and the keypoint confidence falls from 1 to 0.4 over the clip.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import PoseSeries
from kneeline.report.result import (
    AnalysisResult,
    Capture,
    Provenance,
    Rep,
    Summary,
    TestName,
    VideoMeta,
)
from tests.fixtures.synthetic import squat_depth, stick_figure

FPS = 30.0
N_FRAMES = 60
START_S, BOTTOM_S, END_S = 0.2, 1.0, 1.8
MISSING_FRAME = 3
VALGUS_LEFT_DEG, VARUS_RIGHT_DEG = 12.0, 4.0


@dataclass(frozen=True)
class Squat:
    """The three inputs of the report writers for one synthetic squat."""

    pose: PoseSeries
    table: KinematicsTable
    result: AnalysisResult


def _signals(t: np.ndarray) -> dict[str, np.ndarray]:
    depth = squat_depth(t, n_reps=1, period_s=END_S - START_S, start_s=START_S, amplitude=0.3)
    frac = depth / 0.3
    return {
        "depth": depth, "fppa_left": VALGUS_LEFT_DEG * frac, "fppa_right": -VARUS_RIGHT_DEG * frac,
        "obliquity": 3.0 * frac, "lean": 2.0 * frac,
    }


def make_result(test: TestName = "squat", reps: list[Rep] | None = None, video_path: str = "squat.mp4",
                warnings: list[str] | None = None) -> AnalysisResult:
    """An :class:`AnalysisResult` with every required field, describing :func:`one_squat`."""
    if reps is None:
        reps = [Rep(index=1, side="both", start_s=START_S, bottom_s=BOTTOM_S, end_s=END_S,
                    fppa_left_deg=VALGUS_LEFT_DEG, fppa_right_deg=-VARUS_RIGHT_DEG, pelvic_obliquity_deg=3.0,
                    trunk_lean_deg=2.0, depth=0.3)]
    return AnalysisResult(
        kneeline_version="0.0.0-test", test=test,
        video=VideoMeta(path=video_path, fps=FPS, frames=N_FRAMES, width=1000, height=1200,
                        duration_s=N_FRAMES / FPS),
        capture=Capture(view="frontal", yaw_deg=4.0, warnings=list(warnings or [])),
        reps=reps, summary=Summary(),
        provenance=Provenance(model="synthetic", settings={}, input_sha256="0" * 64,
                              kneeline_version="0.0.0-test", created_utc="2025-01-01T00:00:00Z"),
    )


def one_squat(test: TestName = "squat", warnings: list[str] | None = None) -> Squat:
    """Pose, kinematics and result of the synthetic squat described in the module docstring."""
    t = np.arange(N_FRAMES) / FPS
    sig = _signals(t)
    pose = stick_figure(t, depth=sig["depth"], fppa_left=sig["fppa_left"], fppa_right=sig["fppa_right"],
                        obliquity=sig["obliquity"], lean=sig["lean"])
    position = pose.position.copy()
    position[MISSING_FRAME] = np.nan
    confidence = np.repeat(np.linspace(1.0, 0.4, N_FRAMES)[:, None], len(pose.keypoints), axis=1)
    confidence[MISSING_FRAME] = 0.0
    pose = pose.with_arrays(position=position, confidence=confidence)
    nan_at_missing = {k: np.where(np.arange(N_FRAMES) == MISSING_FRAME, np.nan, v) for k, v in sig.items()}
    table = KinematicsTable(
        time_s=t, fppa_left_deg=nan_at_missing["fppa_left"], fppa_right_deg=nan_at_missing["fppa_right"],
        pelvic_obliquity_deg=nan_at_missing["obliquity"], trunk_lean_deg=nan_at_missing["lean"],
        depth=nan_at_missing["depth"], yaw_deg=np.full(N_FRAMES, 4.0), confidence=confidence[:, 0].copy(),
    )
    return Squat(pose=pose, table=table, result=make_result(test, warnings=warnings))


def write_video(path: Path, n_frames: int = N_FRAMES, size: tuple[int, int] = (250, 300),
                fps: float = FPS) -> Path:
    """Write a plain grey test video (``size`` = width, height) with mp4v; return its path."""
    import cv2

    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"mp4v"), fps, size)
    assert writer.isOpened(), "mp4v must be writable in the test environment"
    try:
        for i in range(n_frames):
            image = np.full((size[1], size[0], 3), 90, dtype=np.uint8)
            image[:8, : (i * size[0]) // max(n_frames, 1)] = 200  # a progress bar, so frames differ
            writer.write(image)
    finally:
        writer.release()
    return path

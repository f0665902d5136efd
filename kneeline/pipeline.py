"""``analyze``: one video (or keypoint series) -> a checked, per-rep measurement result.

Stages: pose estimation -> cleaning -> per-frame kinematics -> capture gate -> movement test ->
summary with uncertainty -> provenance.  The CLI and the web app call these functions only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from kneeline._version import get_version
from kneeline.capture.gate import GateOutcome, PeopleSeen, check_capture
from kneeline.clean.pipeline import clean_pose
from kneeline.config import AnalysisSettings, load_settings
from kneeline.errors import AnalysisError, InputError
from kneeline.evidence import value
from kneeline.kinematics.compute import compute_kinematics, lower_body_confidence
from kneeline.kinematics.table import KinematicsTable
from kneeline.movements.common import make_signals
from kneeline.movements.single_leg_squat import analyse_single_leg_squat
from kneeline.movements.single_leg_stance import analyse_single_leg_stance
from kneeline.movements.squat import analyse_squat
from kneeline.pose.container import PoseSeries
from kneeline.pose.skeleton import LOWER_BODY
from kneeline.report.result import AnalysisResult, Provenance, Rep, Summary, TestName, VideoMeta

SideArg = Literal["left", "right", "auto"]
Progress = Callable[[int, int], None]

__all__ = ["AnalysisRun", "analyze", "analyze_video", "analyze_pose", "file_sha256", "TESTS"]

TESTS: tuple[str, ...] = get_args(TestName)
"""The movement tests kneeline can analyse."""

_NOTES: dict[str, str] = {
    "fppa": "Knee angles from video are 2D projections of 3D movement: they agree only moderately with "
            "3D motion capture, and published norms used markers, not pose estimation. Treat comparisons "
            "as approximate; a change smaller than the smallest detectable difference is not a change.",
}


@dataclass(frozen=True, eq=False)
class AnalysisRun:
    """An analysis with the per-frame data the outputs are drawn from."""

    result: AnalysisResult
    table: KinematicsTable
    pose: PoseSeries
    raw_pose: PoseSeries


def file_sha256(path: str | Path) -> str:
    """SHA-256 of a file, read in 1 MiB blocks (memory does not grow with file size)."""
    h = hashlib.sha256()
    with Path(path).open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _packages() -> dict[str, str]:
    out = {}
    for name in ("mediapipe", "numpy", "scipy", "opencv-contrib-python"):
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            continue
    return out


def _check_args(test: str, side: str, pose: PoseSeries) -> None:
    if test not in TESTS:
        raise InputError(f"unknown test {test!r}; expected one of: {', '.join(TESTS)}")
    if side not in ("left", "right", "auto"):
        raise InputError(f"unknown side {side!r}; expected left, right or auto")
    missing = [k for k in LOWER_BODY if k not in pose.keypoints]
    if missing:
        raise InputError(f"the keypoints lack {', '.join(missing)}; kneeline needs shoulders, hips, knees "
                         "and ankles of both sides")


def _run_test(test: str, pose: PoseSeries, table: KinematicsTable, gate: GateOutcome,
              settings: AnalysisSettings, side: SideArg) -> tuple[list[Rep], Summary, list[str]]:
    signals = make_signals(pose, table, fppa_ok=gate.fppa_ok, pelvis_ok=gate.pelvis_ok,
                           min_thigh_ratio=float(value("capture.yaml", "fppa_min_thigh_ratio")))
    leg = None if side == "auto" else side
    if test == "squat":
        reps, summary = analyse_squat(signals, settings)
        notes: list[str] = []
    elif test == "single-leg-squat":
        reps, summary, notes = analyse_single_leg_squat(signals, settings, leg)
    else:
        reps, summary, notes = analyse_single_leg_stance(signals, settings, leg)
    if not reps:
        what = "single-leg holds (one foot lifted for at least a second)" if test == "single-leg-stance" \
            else f"{test.replace('-', ' ')} repetitions"
        raise AnalysisError(f"No {what} were found in the video. Check that the video shows the "
                            f"{test.replace('-', ' ')} test from head to feet, and that you chose the right --test.")
    return reps, summary, notes


def _withhold(table: KinematicsTable, gate: GateOutcome) -> KinematicsTable:
    """Blank the per-frame columns the capture gate withheld, so no output shows them."""
    blank = np.full(table.time_s.shape, np.nan)
    changes: dict[str, np.ndarray] = {}
    if not gate.fppa_ok:
        changes.update(fppa_left_deg=blank, fppa_right_deg=blank)
    if not gate.pelvis_ok:
        changes.update(pelvic_obliquity_deg=blank, trunk_lean_deg=blank)
    return replace(table, **changes) if changes else table


def _z_scale(pose: PoseSeries) -> float:
    """Depth correction of the 3D keypoints: BlazePose's are compressed (``capture.yaml``)."""
    if "blazepose" in pose.source.lower() or "mediapipe" in pose.source.lower():
        return float(value("capture.yaml", "blazepose_world_z_scale"))
    return 1.0


def _variable_frame_rate(time_s: np.ndarray) -> bool:
    """True when frame intervals vary by more than 10% (a variable-frame-rate phone video)."""
    dt = np.diff(time_s)
    return bool(dt.size > 1 and np.std(dt) > 0.1 * np.mean(dt))


def _video_meta_from_pose(pose: PoseSeries, path: str) -> VideoMeta:
    dt = np.diff(pose.time_s)
    vfr = _variable_frame_rate(pose.time_s)
    duration = float(pose.time_s[-1] - pose.time_s[0] + (np.median(dt) if dt.size else 0.0))
    return VideoMeta(path=path, fps=round(pose.fps, 3), frames=pose.n_frames, width=pose.width,
                     height=pose.height, duration_s=round(duration, 3), variable_frame_rate=vfr)


def analyze_pose(pose: PoseSeries, test: str, *, side: SideArg = "auto", settings: AnalysisSettings | None = None,
                 video: VideoMeta | None = None, people: PeopleSeen | None = None,
                 input_sha256: str | None = None) -> AnalysisRun:
    """Analyse a pose series (from a video or a keypoint file).

    Parameters
    ----------
    pose
        Raw keypoints (not yet cleaned).
    test
        ``"single-leg-squat"``, ``"squat"`` or ``"single-leg-stance"``.
    side
        Stance leg for single-leg tests, or ``"auto"`` to detect it per rep.
    settings
        Analysis settings; defaults from :func:`kneeline.config.load_settings`.
    video
        Facts about the source video; derived from the pose when absent.
    people
        How many people were seen and which was followed.
    input_sha256
        Hash of the input file for provenance.

    Raises
    ------
    InputError, CaptureError, AnalysisError
        For an unknown test, an unusable capture, or no repetitions found.
    """
    _check_args(test, side, pose)
    settings = settings or load_settings().analysis
    cleaned, cleaning = clean_pose(pose, settings)
    table = compute_kinematics(cleaned, confidence=lower_body_confidence(pose),
                               yaw_z_scale=_z_scale(pose))
    video = video or _video_meta_from_pose(pose, pose.meta.get("path", "<keypoints>"))
    gate = check_capture(cleaned, table, fps=video.fps, people=people, enforce_view=settings.enforce_view)
    reps, summary, notes = _run_test(test, cleaned, table, gate, settings, side)
    table = _withhold(table, gate)
    if cleaning.swaps.total:
        notes.append(f"Left/right labels of the pose model were swapped in {cleaning.swaps.total} place(s) and "
                     "were repaired.")
    if gate.fppa_ok:
        notes.append(_NOTES["fppa"])
    provenance = Provenance(
        model=pose.source, settings={**settings.model_dump(), "cutoff_hz_used": cleaning.cutoff_hz},
        input_sha256=input_sha256 or hashlib.sha256(np.ascontiguousarray(pose.position).tobytes()).hexdigest(),
        kneeline_version=get_version(), created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        packages=_packages(),
    )
    result = AnalysisResult(kneeline_version=get_version(), test=test,
                            video=video, capture=gate.capture, reps=reps, summary=summary,
                            provenance=provenance, notes=notes)
    return AnalysisRun(result=result, table=table, pose=cleaned, raw_pose=pose)


def analyze_video(path: str | Path, test: str, *, side: SideArg = "auto", settings: AnalysisSettings | None = None,
                  progress: Progress | None = None) -> AnalysisRun:
    """Estimate the pose in a video file and analyse it (see :func:`analyze_pose`).

    Raises
    ------
    InputError
        If the file is missing, empty, not a video, corrupt or too long.
    CaptureError, AnalysisError
        As :func:`analyze_pose`.
    """
    from kneeline.pose.people import describe_people
    from kneeline.pose.runner import estimate_pose

    settings = settings or load_settings().analysis
    p = Path(path)
    pose = estimate_pose(p, progress=progress, max_side_px=settings.max_side_px)
    people = describe_people(p, pose)
    info = pose.meta.get("video", {})
    video = VideoMeta(path=str(p), fps=round(pose.fps, 3), frames=pose.n_frames, width=pose.width,
                      height=pose.height, duration_s=round(float(info.get("duration_s", 0.0)), 3),
                      rotation_deg=int(info.get("rotation_deg", 0)),
                      variable_frame_rate=_variable_frame_rate(pose.time_s))
    return analyze_pose(pose, test, side=side, settings=settings, video=video,
                        people=PeopleSeen(people.people_max, people.tracked_person, people.switches),
                        input_sha256=file_sha256(p))


def analyze(path: str | Path, test: str, *, side: SideArg = "auto", settings: AnalysisSettings | None = None,
            progress: Progress | None = None) -> AnalysisResult:
    """Analyse a video and return the typed result (the content of ``result.json``)."""
    return analyze_video(path, test, side=side, settings=settings, progress=progress).result

"""``analyze``: one video (or keypoint series) -> a checked, per-rep measurement result.

Stages: pose estimation -> cleaning -> per-frame kinematics -> capture gate -> movement test ->
summary with uncertainty -> provenance.  The CLI and the web app call these functions only.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Literal, get_args

import numpy as np

from kneeline._version import get_version
from kneeline.capture.gate import GateOutcome, PeopleSeen, check_capture
from kneeline.capture.limits import expected_error
from kneeline.capture.shown import WITHHELD_REASONS, knee_flexion, shown_with_reasons
from kneeline.clean.pipeline import clean_pose
from kneeline.config import AnalysisSettings, load_settings
from kneeline.errors import AnalysisError, InputError
from kneeline.kinematics.compute import compute_kinematics, lower_body_confidence
from kneeline.kinematics.table import KinematicsTable
from kneeline.movements.common import make_signals
from kneeline.movements.gait import analyse_gait
from kneeline.movements.single_leg_squat import analyse_single_leg_squat
from kneeline.movements.single_leg_stance import analyse_single_leg_stance
from kneeline.movements.squat import analyse_squat
from kneeline.pose.backend import PoseBackend
from kneeline.pose.container import FloatArray, PoseSeries
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
    signals = make_signals(pose, table, pelvis_ok=gate.pelvis_ok)
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


_MEASURE_NAMES = {"fppa_left_deg": "left knee angle (FPPA)", "fppa_right_deg": "right knee angle (FPPA)",
                  "pelvic_obliquity_deg": "pelvic drop / obliquity", "trunk_lean_deg": "trunk lean"}


def _withheld_note(reps: list[Rep]) -> str | None:
    """One line naming the reps with withheld values (the capture issues say why for the whole video)."""
    hit = [rep.index for rep in reps if rep.withheld]
    if not hit:
        return None
    which = "every repetition" if len(hit) == len(reps) else "repetitions " + ", ".join(str(i) for i in hit)
    return f"Some values were not shown for {which}; each repetition lists which and why."


def _annotate_reps(reps: list[Rep], table: KinematicsTable, flexion: FloatArray,
                   reasons: dict[str, np.ndarray] | None) -> list[Rep]:
    """Annotate each rep at the frame it is read: expected errors and, with ``reasons``, what was withheld.

    The expected error of its shown pelvis and trunk values comes from the view and knee flexion there;
    ``reasons`` (from :func:`~kneeline.capture.shown.shown_with_reasons`) name the values withheld and why.
    """
    out = []
    for rep in reps:
        i = int(np.argmin(np.abs(table.time_s - rep.bottom_s)))
        yaw, flex = float(table.yaw_deg[i]), float(flexion[i])
        pelvic = rep.pelvic_obliquity_deg is not None or rep.pelvic_drop_deg is not None
        pelvic_err = expected_error("pelvic_obliquity_deg", yaw, flex) if pelvic else None
        trunk_err = expected_error("trunk_lean_deg", yaw, flex) if rep.trunk_lean_deg is not None else None
        update: dict[str, object] = {
            "pelvic_error_deg": None if pelvic_err is None else round(pelvic_err, 1),
            "trunk_lean_error_deg": None if trunk_err is None else round(trunk_err, 1)}
        if reasons is not None:
            view = f" (view about {yaw:.0f} deg)" if np.isfinite(yaw) else ""
            update["withheld"] = [f"{_MEASURE_NAMES[col]}: {WITHHELD_REASONS[str(why[i])]}{view}"
                                  for col, why in reasons.items() if why[i]]
        out.append(rep.model_copy(update=update))
    return out


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
        ``"single-leg-squat"``, ``"squat"``, ``"single-leg-stance"`` or ``"gait"`` (walking or running
        towards or away from the camera: steps with per-stance values, see :mod:`kneeline.movements.gait`).
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
    table = compute_kinematics(cleaned, confidence=lower_body_confidence(pose))
    video = video or _video_meta_from_pose(pose, pose.meta.get("path", "<keypoints>"))
    gate = check_capture(cleaned, table, fps=video.fps, people=people, enforce_view=settings.enforce_view)
    raw_table = table
    flexion = knee_flexion(cleaned)
    table, reasons = shown_with_reasons(table, gate, cleaned, flexion)
    gait = analyse_gait(raw_table, table, cleaned, gate) if test == "gait" else None
    if gait is not None:
        reps, summary, notes = gait.reps, gait.summary, list(gait.notes)
    else:
        reps, summary, notes = _run_test(test, cleaned, table, gate, settings, side)
    # gait steps carry their own reasons
    reps = _annotate_reps(reps, table, flexion, None if gait is not None else reasons)
    if gait is None:
        withheld_note = _withheld_note(reps)
        if withheld_note:
            notes.append(withheld_note)
    if cleaning.swaps.total:
        notes.append(f"Left/right labels of the pose model were swapped in {cleaning.swaps.total} place(s) and "
                     "were repaired.")
    if gate.fppa_ok:
        notes.append(_NOTES["fppa"])
    provenance = Provenance(
        model=pose.source, settings={**settings.model_dump(), "cutoff_hz_used": cleaning.cutoff_hz,
                                     "frame_step": int(pose.meta.get("frame_step", 1))},
        input_sha256=input_sha256 or hashlib.sha256(np.ascontiguousarray(pose.position).tobytes()).hexdigest(),
        kneeline_version=get_version(), created_utc=datetime.now(UTC).isoformat(timespec="seconds"),
        packages=_packages(),
    )
    result = AnalysisResult(kneeline_version=get_version(), test=test,
                            video=video, capture=gate.capture, reps=reps, summary=summary,
                            provenance=provenance, notes=notes,
                            steps=[] if gait is None else gait.steps, gait=None if gait is None else gait.gait)
    return AnalysisRun(result=result, table=table, pose=cleaned, raw_pose=pose)


def analyze_video(path: str | Path, test: str, *, side: SideArg = "auto", settings: AnalysisSettings | None = None,
                  progress: Progress | None = None, target_fps: float | None = None,
                  backend: PoseBackend | None = None) -> AnalysisRun:
    """Estimate the pose in a video file and analyse it (see :func:`analyze_pose`).

    Parameters
    ----------
    path, test, side, settings
        As :func:`analyze_pose`.
    progress
        ``progress(done, total)`` of the pose estimation.
    target_fps
        Analysis frame rate; ``None`` takes the test's own from ``frame_rate.yaml`` (30 fps for the
        squats and the stance, every frame for gait), 0 analyses every frame.
    backend
        A pose model to reuse (left open; e.g. one per batch worker); ``None`` creates one.

    Raises
    ------
    InputError
        If the file is missing, empty, not a video, corrupt or too long.
    CaptureError, AnalysisError
        As :func:`analyze_pose`.
    """
    from kneeline.io.video import frame_step, probe
    from kneeline.pose.frame_rate import analysis_fps
    from kneeline.pose.people import FrameSampler, describe_people
    from kneeline.pose.runner import estimate_pose

    if test not in TESTS:
        raise InputError(f"unknown test {test!r}; expected one of: {', '.join(TESTS)}")
    settings = settings or load_settings().analysis
    p = Path(path)
    rate = analysis_fps(test) if target_fps is None else (target_fps or None)
    probed = probe(p)
    # the people count's frames, kept from the one decoding pass instead of seeking them again
    sampler = FrameSampler(probed.frame_count, frame_step(probed.fps, rate)) if probed.frame_count else None
    pose = estimate_pose(p, progress=progress, max_side_px=settings.max_side_px, target_fps=rate, backend=backend,
                         frame_hook=sampler)
    people = describe_people(p, pose, frames=sampler.frames if sampler is not None and sampler.frames else None)
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

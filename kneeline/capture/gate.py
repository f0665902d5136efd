"""The capture gate: checks that a video is fit to measure, before any number is shown.

Checks, each with a plain message saying what to do: somebody in view, camera view (yaw), framing,
person size, frame rate, keypoint confidence, more than one person.  Limits live in
``kneeline/data/capture.yaml`` with their sources.  A check that leaves nothing usable raises
:class:`~kneeline.errors.CaptureError`; one that makes the frontal-plane numbers untrustworthy
withholds them (``fppa_ok`` / ``pelvis_ok`` False, each by its own measured yaw limit); the rest
are warnings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kneeline.capture.limits import expected_error
from kneeline.capture.view import estimate_view
from kneeline.errors import CaptureError
from kneeline.evidence import value
from kneeline.kinematics.table import KinematicsTable
from kneeline.kinematics.view import in_frame, person_height_px
from kneeline.pose.container import PoseSeries
from kneeline.report.result import Capture, CaptureIssue, View

__all__ = ["PeopleSeen", "GateOutcome", "SETUP_ADVICE", "check_capture", "classify_view"]

SETUP_ADVICE = "Put the phone at hip height, 2-3 m away, facing you, with your whole body in view."


@dataclass(frozen=True)
class PeopleSeen:
    """How many people the video showed and which one was followed."""

    people_max: int
    tracked_person: str | None = None
    switches: int = 0


@dataclass(frozen=True)
class GateOutcome:
    """The capture description and which frontal-plane numbers may be shown.

    Attributes
    ----------
    capture
        What the gate found, with plain-language issues.
    fppa_ok
        Knee frontal-plane projection angles may be shown.
    pelvis_ok
        Pelvic obliquity / drop and lateral trunk lean may be shown.
    enforce_view
        False when the view limits only warn (``enforce_view`` setting off, e.g. for benchmarks):
        then nothing is withheld for the view, per frame either.
    """

    capture: Capture
    fppa_ok: bool
    pelvis_ok: bool
    enforce_view: bool = True


def _limit(key: str) -> float:
    return float(value("capture.yaml", key))


def classify_view(yaw_deg: float | None) -> View:
    """Classify a yaw angle: frontal while knee angles are usable, sagittal past the side-view limit."""
    if yaw_deg is None or not np.isfinite(yaw_deg):
        return "unknown"
    if yaw_deg < _limit("fppa_yaw_withhold_deg"):
        return "frontal"
    if yaw_deg < _limit("yaw_sagittal_deg"):
        return "oblique"
    return "sagittal"


def _turned(yaw: float) -> str:
    return f"You were turned about {yaw:.0f}° away from facing the camera"


def _metric_view(yaw: float, what: str, prefix: str, enforce: bool,
                 error_note: str) -> tuple[CaptureIssue | None, bool]:
    """Warn or withhold one group of metrics by its own yaw limits."""
    withhold, warn = _limit(f"{prefix}_yaw_withhold_deg"), _limit(f"{prefix}_yaw_warn_deg")
    if yaw >= withhold:
        plural = " and " in what
        msg = (f"{_turned(yaw)}; the limit for {what} is {withhold:.0f}°, so {what} {'are' if plural else 'is'} not "
               f"shown: from this angle {'they are' if plural else 'it is'} not reliable. {SETUP_ADVICE}")
        return CaptureIssue(code=f"view_{prefix}_withheld", level="refuse" if enforce else "warning",
                            message=msg), not enforce
    if yaw >= warn:
        msg = f"{_turned(yaw)}: {what} may be off by {error_note}. {SETUP_ADVICE}"
        return CaptureIssue(code=f"view_{prefix}_oblique", level="warning", message=msg), True
    return None, True


def _pelvis_error_note(yaw: float) -> str:
    """What the user is told about pelvis and trunk values at a view between the warn and withhold limits."""
    pelvic = expected_error("pelvic_obliquity_deg", yaw, 0.0)
    trunk = expected_error("trunk_lean_deg", yaw, 0.0)
    assert pelvic is not None and trunk is not None
    return (f"about {pelvic:.1f}° (pelvis) and {trunk:.1f}° (trunk) while you stand (measured, "
            "benchmarks/pelvis_limits.py); with the knees bent they are not shown from this angle")


def _view_issues(yaw: float | None, enforce: bool, uncertainty: float | None = None,
                 refuse_side_view: bool = True) -> tuple[list[CaptureIssue], bool, bool]:
    """Return the view issues and whether FPPA and pelvis/trunk numbers may be shown."""
    if yaw is None:
        return [CaptureIssue(code="view_unknown", level="warning",
                             message="The camera view could not be checked (no 3D keypoints). Make sure you "
                                     "faced the camera squarely: knee angles change about 1° for every "
                                     f"degree you are turned. {SETUP_ADVICE}")], True, True
    # Every frontal-plane number is withheld long before a side view; a frontal test is refused once a
    # side view cannot be ruled out (the estimate plus its uncertainty reaches the side-view limit).
    if yaw + (uncertainty or 0.0) >= _limit("yaw_sagittal_deg"):
        side = (f"The camera sees you from the side (about {yaw:.0f}° from facing it). This test measures the "
                f"knee and pelvis from the front. {SETUP_ADVICE}")
        if refuse_side_view:
            raise CaptureError(side)
        return [CaptureIssue(code="view_side", level="info",
                             message=f"Filmed from the side (about {yaw:.0f}° from facing the camera): the knee "
                                     "angle (FPPA), pelvic drop and trunk lean are front-view numbers and are not "
                                     "shown.")], False, False
    fppa_issue, fppa_ok = _metric_view(yaw, "the knee angle", "fppa", enforce,
                                       f"about {yaw:.0f}° (about 1° per degree turned)")
    pelvis_issue, pelvis_ok = _metric_view(yaw, "pelvic drop and trunk lean", "pelvis", enforce,
                                           _pelvis_error_note(yaw))
    if fppa_issue is not None and pelvis_issue is not None:  # give the setup advice once
        pelvis_issue = pelvis_issue.model_copy(
            update={"message": pelvis_issue.message.replace(f" {SETUP_ADVICE}", "")})
    return [i for i in (fppa_issue, pelvis_issue) if i is not None], fppa_ok, pelvis_ok


def _size_issues(pose: PoseSeries, detected: np.ndarray) -> tuple[list[CaptureIssue], float | None, bool]:
    issues: list[CaptureIssue] = []
    framed = in_frame(pose, _limit("frame_margin"))
    framed_fraction = float(framed[detected].mean()) if detected.any() else 0.0
    if framed_fraction < _limit("refuse_framed_fraction"):
        raise CaptureError(
            f"Your shoulders, hips, knees and ankles were in the picture in only {framed_fraction:.0%} of the "
            f"frames (at least {_limit('refuse_framed_fraction'):.0%} needed). {SETUP_ADVICE}")
    framing_ok = framed_fraction >= _limit("min_framed_fraction")
    if not framing_ok:
        issues.append(CaptureIssue(
            code="framing", level="warning",
            message=f"Part of your body was out of the picture in {1 - framed_fraction:.0%} of the frames; "
                    f"those frames were not used. {SETUP_ADVICE}"))
    heights = person_height_px(pose)
    heights = heights[np.isfinite(heights)]
    height = float(np.median(heights)) if heights.size else None
    if height is not None and height < _limit("min_person_height_px"):
        raise CaptureError(f"You appear only {height:.0f} px tall in the video (at least "
                           f"{_limit('min_person_height_px'):.0f} px needed). Move closer: {SETUP_ADVICE}")
    if height is not None and height < _limit("min_person_height_fraction") * pose.height:
        issues.append(CaptureIssue(code="person_small", level="warning",
                                   message=f"You fill only {height / pose.height:.0%} of the picture height. "
                                           f"Move closer for more precise angles. {SETUP_ADVICE}"))
    return issues, height, framing_ok


def _quality_issues(table: KinematicsTable, fps: float, people: PeopleSeen | None) -> list[CaptureIssue]:
    issues: list[CaptureIssue] = []
    if 0 < fps < _limit("min_fps"):
        issues.append(CaptureIssue(code="low_fps", level="warning",
                                   message=f"The video has {fps:.0f} frames per second (at least "
                                           f"{_limit('min_fps'):.0f} recommended): fast movements may be missed. "
                                           "Record at 30 fps or more."))
    conf = table.confidence[np.isfinite(table.confidence)]
    mean_conf = float(conf.mean()) if conf.size else 0.0
    if mean_conf < _limit("refuse_confidence"):
        raise CaptureError(f"The pose model was unsure where your joints are (mean confidence {mean_conf:.2f}, "
                           f"at least {_limit('refuse_confidence'):.2f} needed). Use good light, fitted clothes "
                           f"and a plain background. {SETUP_ADVICE}")
    if mean_conf < _limit("warn_confidence"):
        issues.append(CaptureIssue(code="low_confidence", level="warning",
                                   message=f"The pose model was often unsure where your joints are (mean "
                                           f"confidence {mean_conf:.2f}). Better light, fitted clothes and a plain "
                                           "background give more precise numbers."))
    if people is not None and people.people_max > 1:
        who = f" kneeline followed {people.tracked_person}." if people.tracked_person else ""
        issues.append(CaptureIssue(code="several_people", level="warning",
                                   message=f"{people.people_max} people were in view.{who} Film with only the "
                                           "person being tested in the picture."))
    if people is not None and people.switches > 0:
        issues.append(CaptureIssue(code="person_switch", level="warning",
                                   message="The tracked person seemed to change during the video; numbers near "
                                           "those moments may mix two people. Film one person at a time."))
    return issues


def check_capture(pose: PoseSeries, table: KinematicsTable, *, fps: float, people: PeopleSeen | None = None,
                  enforce_view: bool = True, refuse_side_view: bool = True) -> GateOutcome:
    """Run every capture check on a cleaned pose series and its kinematics.

    ``refuse_side_view=False`` (an exercise filmed from the side) withholds every frontal-plane number
    of a side view instead of refusing the video.

    Raises
    ------
    CaptureError
        When nothing usable remains: nobody found, a side view, the body mostly out of frame,
        the person too small, or the keypoints mostly guessed.
    """
    detected = pose.detected()
    fraction = float(detected.mean()) if detected.size else 0.0
    if fraction == 0.0:
        raise CaptureError(f"Nobody was found in the video. {SETUP_ADVICE}")
    if fraction < _limit("min_detected_fraction"):
        raise CaptureError(f"A person was found in only {fraction:.0%} of the frames (at least "
                           f"{_limit('min_detected_fraction'):.0%} needed). {SETUP_ADVICE}")
    view = estimate_view(pose)
    yaw = view.yaw_deg
    yaw_values = table.yaw_deg[np.isfinite(table.yaw_deg)]
    yaw_sd = float(np.std(yaw_values)) if yaw_values.size > 1 else None
    size_issues, height, framing_ok = _size_issues(pose, detected)
    view_issues, fppa_ok, pelvis_ok = _view_issues(yaw, enforce_view, view.uncertainty_deg, refuse_side_view)
    issues = view_issues + size_issues + _quality_issues(table, fps, people)
    conf = table.confidence[np.isfinite(table.confidence)]
    capture = Capture(
        view=classify_view(yaw), yaw_deg=None if yaw is None else round(yaw, 1),
        yaw_sd_deg=None if yaw_sd is None else round(yaw_sd, 1),
        yaw_signed_deg=None if view.signed_yaw_deg is None else round(view.signed_yaw_deg, 1),
        yaw_uncertainty_deg=None if view.uncertainty_deg is None else round(view.uncertainty_deg, 1),
        person_height_px=None if height is None else round(height, 1), framing_ok=framing_ok,
        mean_confidence=round(float(conf.mean()), 3) if conf.size else None,
        people_max=None if people is None else people.people_max,
        tracked_person=None if people is None else people.tracked_person,
        warnings=[i.message for i in issues if i.level != "info"], issues=issues,
    )
    return GateOutcome(capture=capture, fppa_ok=fppa_ok, pelvis_ok=pelvis_ok, enforce_view=enforce_view)

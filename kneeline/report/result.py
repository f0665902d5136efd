"""The typed result of an analysis; ``result.json`` is its JSON form.

These models are the contract between the measurement core, the CLI (``kneeline analyze``), the
assessment/program layer (which reads ``result.json``) and the web app.  Field names required by the
issue tracker are kept; fields are only ever added.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TestName = Literal["single-leg-squat", "squat", "single-leg-stance", "gait"]
Side = Literal["left", "right", "both"]
View = Literal["frontal", "oblique", "sagittal", "unknown"]
Level = Literal["info", "warning", "refuse"]

__all__ = [
    "TestName", "Side", "View", "Level", "VideoMeta", "CaptureIssue", "Capture", "Rep",
    "MetricSummary", "SideSummary", "Asymmetry", "Summary", "Provenance", "AnalysisResult", "Step", "GaitSummary",
]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class VideoMeta(_Model):
    """What was read from the video file."""

    path: str
    fps: float = Field(description="Mean frame rate from the frame timestamps")
    frames: int
    width: int = Field(description="Displayed width in pixels, after rotation")
    height: int = Field(description="Displayed height in pixels, after rotation")
    duration_s: float
    rotation_deg: int = 0
    variable_frame_rate: bool = False


class CaptureIssue(_Model):
    """One finding of the capture gate."""

    code: str = Field(description="Stable identifier, e.g. 'view_oblique', 'low_fps'")
    level: Level
    message: str = Field(description="What is wrong and what to do, in plain words")


class Capture(_Model):
    """How the video was filmed, checked before any number is shown."""

    view: View
    yaw_deg: float | None = Field(description="Estimated body yaw to the camera; 0 = facing it, 90 = side-on")
    yaw_sd_deg: float | None = Field(default=None, description="Frame-to-frame spread of the per-frame view")
    yaw_signed_deg: float | None = Field(
        default=None, description="The view with its direction: negative when the left side is nearer the camera")
    yaw_uncertainty_deg: float | None = Field(
        default=None, description="Expected error of yaw_deg (kneeline's own validation, benchmarks/view_estimate.py)")
    person_height_px: float | None = None
    framing_ok: bool = True
    mean_confidence: float | None = None
    people_max: int | None = Field(default=None, description="Most people seen at once in sampled frames")
    tracked_person: str | None = Field(default=None, description="Which person the numbers are about")
    warnings: list[str] = Field(default_factory=list)
    issues: list[CaptureIssue] = Field(default_factory=list)


class Rep(_Model):
    """One repetition (or, for single-leg stance, one hold) and its values at the bottom."""

    index: int
    side: Side
    start_s: float
    bottom_s: float
    end_s: float
    fppa_left_deg: float | None = None
    fppa_right_deg: float | None = None
    pelvic_obliquity_deg: float | None = None
    pelvic_drop_deg: float | None = None
    trunk_lean_deg: float | None = None
    pelvic_error_deg: float | None = Field(
        default=None, description="Expected error of the pelvic values shown for this rep, for its view and knee "
                                  "flexion (benchmarks/pelvis_limits.py)")
    trunk_lean_error_deg: float | None = Field(
        default=None, description="Expected error of trunk_lean_deg for this rep's view and knee flexion")
    withheld: list[str] = Field(default_factory=list,
                                description="Values of this rep not shown, each with the reason (capture gate)")
    depth: float | None = Field(default=None, description="Hip descent as a fraction of leg length")
    hold_s: float | None = None
    pelvic_drop_max_deg: float | None = None
    ended_by: str | None = Field(default=None, description="single-leg stance: why the hold ended")
    stance_detected: Side | None = Field(default=None, description="Stance leg seen in the video")


class Step(_Model):
    """One stance of the gait test: its events and its values at midstance (``--test gait``)."""

    index: int
    side: Literal["left", "right"] = Field(description="The standing leg")
    contact_s: float | None = Field(description="Foot contact; None when the video starts with the foot down")
    toe_off_s: float | None = Field(description="Toe-off; None when the video ends with the foot down")
    midstance_s: float | None = Field(default=None, description="Half-way between contact and toe-off")
    stance_s: float | None = Field(default=None, description="Stance time, toe-off minus contact")
    yaw_deg: float | None = Field(default=None, description="The view at midstance (per frame: the person turns "
                                                             "and comes nearer during a walk)")
    knee_flexion_deg: float | None = Field(
        default=None, description="Stance knee flexion at midstance, 3D keypoints (the capture gate judges the "
                                  "supporting knee)")
    pelvic_drop_deg: float | None = Field(default=None, description="Contralateral pelvic drop at midstance; + = "
                                                                     "pelvis lower on the swinging side")
    pelvic_drop_max_deg: float | None = Field(default=None, description="Largest contralateral pelvic drop in stance")
    fppa_deg: float | None = Field(default=None, description="Stance knee FPPA at midstance; + = valgus")
    trunk_lean_deg: float | None = Field(default=None, description="Lateral trunk lean at midstance; + = toward "
                                                                    "the standing leg")
    pelvic_error_deg: float | None = Field(default=None, description="Expected error of the pelvic values shown")
    trunk_lean_error_deg: float | None = Field(default=None, description="Expected error of trunk_lean_deg")
    step_width_m: float | None = Field(default=None, description="Heel-to-heel distance across the walking line "
                                                                  "at this contact (3D keypoints, approximate)")
    withheld: list[str] = Field(default_factory=list, description="Values of this step not shown, and why")


class GaitSummary(_Model):
    """Events and timing of the gait test, and whether enough steps were seen."""

    contacts_left: int = 0
    contacts_right: int = 0
    steps_left: int = Field(default=0, description="Complete stances (contact and toe-off) of the left leg")
    steps_right: int = Field(default=0, description="Complete stances of the right leg")
    min_steps_per_side: int = Field(default=7, description="Steps per side needed for averaged values")
    enough_steps: bool = False
    cadence_steps_per_min: float | None = None
    stance_time_left_s: float | None = None
    stance_time_right_s: float | None = None
    step_width_m: float | None = None
    messages: list[str] = Field(default_factory=list, description="What was and was not shown, and why")


class MetricSummary(_Model):
    """Spread of one metric over reps, with the smallest detectable difference (SDD)."""

    mean: float | None
    sd: float | None
    n: int
    min: float | None = None
    max: float | None = None
    unit: str = "deg"
    sdd: float | None = Field(default=None, description="Smallest detectable difference between sessions")
    sdd_source: str | None = None


class SideSummary(_Model):
    """Per-side summary: metric name -> spread over reps."""

    reps: int
    metrics: dict[str, MetricSummary]


class Asymmetry(_Model):
    """Left minus right for one metric, and whether it exceeds the measurement noise."""

    difference: float | None
    exceeds_sdd: bool | None
    note: str = ""


class Summary(_Model):
    """Per-side summaries and left-right asymmetry."""

    left: SideSummary | None = None
    right: SideSummary | None = None
    both: SideSummary | None = Field(default=None, description="Metrics of the whole body (double-leg tests)")
    asymmetry: dict[str, Asymmetry] = Field(default_factory=dict)


class Provenance(_Model):
    """What produced the result, so it can be reproduced."""

    model: str
    settings: dict[str, object]
    input_sha256: str
    kneeline_version: str
    created_utc: str
    packages: dict[str, str] = Field(default_factory=dict)


class AnalysisResult(_Model):
    """Everything ``kneeline analyze`` measured in one video."""

    kneeline_version: str
    test: TestName
    video: VideoMeta
    capture: Capture
    reps: list[Rep]
    summary: Summary
    provenance: Provenance
    notes: list[str] = Field(default_factory=list, description="Plain-language caveats for the reader")
    steps: list[Step] = Field(default_factory=list, description="Gait test: every stance found, in time order")
    gait: GaitSummary | None = Field(default=None, description="Gait test: events, timing and step counts")

"""The typed result of an analysis; ``result.json`` is its JSON form.

These models are the contract between the measurement core, the CLI (``kneeline analyze``), the
assessment/program layer (which reads ``result.json``) and the web app.  Field names required by the
issue tracker are kept; fields are only ever added.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

TestName = Literal["single-leg-squat", "squat", "single-leg-stance"]
Side = Literal["left", "right", "both"]
View = Literal["frontal", "oblique", "sagittal", "unknown"]
Level = Literal["info", "warning", "refuse"]

__all__ = [
    "TestName", "Side", "View", "Level", "VideoMeta", "CaptureIssue", "Capture", "Rep",
    "MetricSummary", "SideSummary", "Asymmetry", "Summary", "Provenance", "AnalysisResult",
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
    yaw_sd_deg: float | None = None
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
    depth: float | None = Field(default=None, description="Hip descent as a fraction of leg length")
    hold_s: float | None = None
    pelvic_drop_max_deg: float | None = None
    ended_by: str | None = Field(default=None, description="single-leg stance: why the hold ended")
    stance_detected: Side | None = Field(default=None, description="Stance leg seen in the video")


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

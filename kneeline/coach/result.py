"""The typed result of coaching one set; ``result.json`` of ``kneeline coach`` is its JSON form."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kneeline.report.result import Provenance, VideoMeta

__all__ = ["CoachView", "Fault", "MeasureChange", "RepVsReference", "ReferenceInfo", "CoachRep", "Tempo",
           "CoachResult"]

CoachView = Literal["frontal", "oblique", "sagittal", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Fault(_Model):
    """One fault seen in a repetition."""

    id: str = Field(description="Stable identifier, e.g. 'knee_valgus'")
    label: str
    cue: str = Field(description="Short plain-language cue")
    value: float | None = Field(None, description="The measured value")
    threshold: float | None = None
    unit: str = ""


class MeasureChange(_Model):
    """One measure of a repetition against the same measure in the person's reference repetitions."""

    measure: str
    value: float
    reference: float = Field(description="Median of the reference repetitions")
    change: float = Field(description="value - reference")
    sdd: float | None = Field(None, description="Smallest detectable difference; None where none is published")
    beyond_sdd: bool | None = Field(None, description="|change| > sdd: a real change, not measurement noise")


class RepVsReference(_Model):
    """A repetition compared with the reference set (see :mod:`kneeline.coach.compare`)."""

    changes: list[MeasureChange] = Field(default_factory=list)
    score: float | None = Field(None, description="Median of |change| / SDD over the measures with an SDD "
                                                   "(1 = a typical measure moved by its SDD)")
    differs: bool | None = Field(None, description="At least one measure changed by more than its SDD; None when "
                                                   "no measure with a published SDD was measured in this rep "
                                                   "(e.g. a side view): then nothing can be called a change")


class ReferenceInfo(_Model):
    """The reference set a result was compared with: repetitions accepted as this person's good form."""

    exercise: str
    reps: int = Field(description="Repetitions in the reference")
    video_name: str | None = None
    video_sha256: str | None = None
    medians: dict[str, dict[str, float | None]] = Field(
        default_factory=dict, description="Side ('left', 'right' or 'both') -> measure -> median")


class CoachRep(_Model):
    """One repetition (or hold): its events, tempo, measurements, faults and quality."""

    index: int
    side: Literal["left", "right", "both"] | None = None
    start_s: float
    peak_s: float
    end_s: float
    amplitude: float = Field(description="Size of the movement, in amplitude_unit")
    amplitude_unit: str
    duration_s: float
    down_s: float | None = Field(None, description="Start to peak (the way out)")
    up_s: float | None = Field(None, description="Peak to end (the way back)")
    hold_s: float | None = Field(None, description="Hold time: the whole hold, or the pause at the top")
    view: CoachView = "unknown"
    measures: dict[str, float | None] = Field(default_factory=dict)
    faults: list[Fault] = Field(default_factory=list)
    not_checked: list[str] = Field(default_factory=list, description="Checks skipped and why")
    quality: int | None = Field(None, description="0-100: share of the checks made that passed")
    vs_reference: RepVsReference | None = Field(None, description="Against the person's reference set, if given")


class Tempo(_Model):
    """Pace of the set."""

    mean_rep_s: float | None = None
    sd_rep_s: float | None = None
    mean_down_s: float | None = None
    mean_up_s: float | None = None
    reps_per_min: float | None = None


class CoachResult(_Model):
    """Everything ``kneeline coach`` found in one set."""

    kneeline_version: str
    exercise: str = Field(description="Exercise id of the library")
    exercise_name: str
    kind: Literal["reps", "hold"]
    view_needed: Literal["frontal", "sagittal"]
    view_seen: CoachView = "unknown"
    count: int = Field(description="Counted repetitions (or holds of at least the minimum length)")
    reps: list[CoachRep]
    partial_attempts: int = Field(0, description="Movements too small to count")
    hold_total_s: float | None = None
    tempo: Tempo = Field(default_factory=Tempo)
    quality: int | None = Field(None, description="Mean quality of the counted reps, 0-100")
    fault_counts: dict[str, int] = Field(default_factory=dict)
    partial: bool = Field(False, description="The set was cut short: person lost, frames missing or video ended "
                                             "during a repetition; what was counted is kept")
    messages: list[str] = Field(default_factory=list, description="Plain-language problems and what to do")
    notes: list[str] = Field(default_factory=list)
    reference: ReferenceInfo | None = Field(None, description="The reference set the reps were compared with")
    video: VideoMeta | None = None
    provenance: Provenance | None = None

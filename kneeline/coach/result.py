"""The typed result of coaching one set; ``result.json`` of ``kneeline coach`` is its JSON form."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from kneeline.report.result import Capture, Provenance, VideoMeta

__all__ = ["CoachView", "Fault", "MeasureChange", "SignalChange", "RepVsReference", "ReferenceInfo", "CoachRep",
           "Tempo", "WithheldMeasure", "KeyFrame", "CoachResult"]

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


class SignalChange(_Model):
    """One per-repetition signal against the reference, in units of its usual rep-to-rep variation."""

    signal: str
    label: str
    value: float
    reference: float = Field(description="Median of the reference's good repetitions")
    change: float = Field(description="value - reference")
    z: float = Field(description="|change| / scale (scale: usual variation of good reps, from marker data)")


class RepVsReference(_Model):
    """A repetition compared with the reference set (see :mod:`kneeline.coach.compare`).

    The decision is the deviation score (``score`` above ``threshold``); the per-measure changes
    against their smallest detectable difference (``changes``) explain it.
    """

    changes: list[MeasureChange] = Field(default_factory=list)
    score: float | None = Field(None, description="Median over the signals of |change| / scale (scales from "
                                                   "marker data, reference_scales.yaml)")
    threshold: float | None = Field(None, description="Score above which the rep has changed from the reference")
    differs: bool | None = Field(None, description="score > threshold; None when the rep could not be judged "
                                                   "(see reason)")
    reason: str | None = Field(None, description="Why the rep could not be judged")
    transfer_only: bool = Field(False, description="Filmed from another view than the reference: compared only on "
                                                   "the signals that read the same from both views")
    signal_changes: list[SignalChange] = Field(default_factory=list, description="The signals compared, largest "
                                                                                 "change first")
    left_out: dict[str, str] = Field(default_factory=dict, description="Signal -> why it was left out of the score")


class ReferenceInfo(_Model):
    """The reference set a result was compared with: repetitions accepted as this person's good form."""

    exercise: str
    reps: int = Field(description="Repetitions in the reference")
    good_reps: int | None = Field(None, description="Of them, usable repetitions (counted and measured): the "
                                                    "ones used")
    camera: Literal["front", "side"] | None = Field(None, description="The camera the reference was filmed by")
    refused: str | None = Field(None, description="Why the reference could not be used (then no rep is compared)")
    video_name: str | None = None
    video_sha256: str | None = None
    medians: dict[str, dict[str, float | None]] = Field(
        default_factory=dict, description="Side ('left', 'right' or 'both'; the leg for an exercise that loads one "
                                          "leg per rep) -> measure -> median")
    legs: dict[str, int] = Field(default_factory=dict, description="Exercises that load one leg per rep (lunge, "
                                                                   "side lunge): leg -> usable reference reps on it")


class CoachRep(_Model):
    """One repetition (or hold): its events, tempo, measurements, faults and quality."""

    index: int
    side: Literal["left", "right", "both"] | None = None
    leg: Literal["left", "right"] | None = Field(
        None, description="For an exercise counted on both legs whose every rep loads one leg (lunge: the front "
                          "leg; side lunge: the bent leg): the leg this rep loaded; it is compared only with "
                          "reference reps of the same leg. None for other exercises, where the leg could not be "
                          "told, and in results of older kneeline versions")
    start_s: float
    peak_s: float
    end_s: float
    amplitude: float | None = Field(description="Size of the movement, in amplitude_unit; None where the movement "
                                                "is itself a withheld number (a pelvis hike filmed at an angle)")
    amplitude_unit: str
    duration_s: float
    down_s: float | None = Field(None, description="Start to peak (the way out)")
    up_s: float | None = Field(None, description="Peak to end (the way back)")
    hold_s: float | None = Field(None, description="Hold time: the whole hold, or the pause at the top")
    view: CoachView = "unknown"
    measures: dict[str, float | None] = Field(default_factory=dict)
    faults: list[Fault] = Field(default_factory=list)
    not_checked: list[str] = Field(default_factory=list, description="Checks skipped and why")
    withheld: dict[str, str] = Field(default_factory=dict, description="Measure -> why the capture gate withheld "
                                                                       "it in this repetition")
    quality: int | None = Field(None, description="0-100: share of the checks made that passed")
    signals: dict[str, float | None] = Field(default_factory=dict, description="Per-repetition signals "
                                             "compared with a reference set (kneeline.coach.rep_signals); None "
                                             "where not measured or withheld")
    body: dict[str, float | None] = Field(default_factory=dict, description="The person's body proportions in "
                                          "the rest posture before the rep (kneeline.coach.body): is a reference "
                                          "set the same person")
    vs_reference: RepVsReference | None = Field(None, description="Against the person's reference set, if given")


class WithheldMeasure(_Model):
    """A measure the capture gate withheld, the repetitions it was withheld in, and why."""

    measure: str
    label: str = Field(description="Plain name of the measure")
    reps: list[int] = Field(description="Indices of the repetitions it was withheld in")
    reason: str


class Tempo(_Model):
    """Pace of the set."""

    mean_rep_s: float | None = None
    sd_rep_s: float | None = None
    mean_down_s: float | None = None
    mean_up_s: float | None = None
    reps_per_min: float | None = None


class KeyFrame(_Model):
    """The body at the deepest point of a typical repetition: a stick figure to show beside a live rep."""

    rep: int = Field(description="The repetition it is taken from")
    time_s: float
    points: dict[str, list[float]] = Field(description="Keypoint -> [x, y], 0-1 inside the figure's square "
                                                       "(y down), aspect kept")


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
    key_frame: KeyFrame | None = Field(None, description="Stick figure at the deepest point of a typical rep")
    capture: Capture | None = Field(None, description="The capture gate's findings (the same gate as `kneeline "
                                                      "analyze`): view, yaw, warnings")
    withheld: list[WithheldMeasure] = Field(default_factory=list, description="Measures withheld, in which "
                                                                              "repetitions, and why")
    video: VideoMeta | None = None
    provenance: Provenance | None = None

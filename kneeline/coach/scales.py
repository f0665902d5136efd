"""Per-signal scales and thresholds of the reference comparison: ``kneeline/data/reference_scales.yaml``.

For each exercise and camera the file holds the usual rep-to-rep variation of each
per-repetition signal (:mod:`kneeline.coach.rep_signals`) of people doing the exercise well,
measured on marker data (UI-PRMD) through kneeline's own coach, and the deviation-score threshold
above which a repetition reads "changed from your reference".  It is written by
``benchmarks/uiprmd_scales.py --write``; its ``source`` says from what.
"""

from __future__ import annotations

from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from kneeline.evidence import load_data_model

__all__ = ["SCALES_FILE", "CameraScales", "ExerciseScales", "ScoreSettings", "ScalesFile", "load_scales"]

SCALES_FILE = "reference_scales.yaml"


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CameraScales(_Model):
    """One exercise filmed by one camera: signal scales and the score thresholds."""

    scales: dict[str, float] = Field(description="Signal -> RMS deviation of good reps from the person's reference")
    threshold: float = Field(gt=0, description="Score above which a rep has changed (all signals of this camera)")
    threshold_transfer: float | None = Field(None, gt=0, description="The same for the signals that transfer "
                                                                     "between views (a set filmed from another "
                                                                     "view than its reference)")
    source: str = Field(description="Which data the numbers were fitted on, and how")
    good_reps: int = Field(ge=1, description="Good (correct, non-reference) repetitions behind the scales")


class ExerciseScales(_Model):
    """An exercise's scales per camera (``front``, ``side``)."""

    front: CameraScales | None = None
    side: CameraScales | None = None


class ScoreSettings(_Model):
    """How the score is taken and what a reference needs (fixed before the benchmark was run)."""

    quantile: float = Field(ge=0, le=1, description="Quantile of |signal - reference| / scale over the signals")
    min_signals: int = Field(ge=1, description="Fewest usable signals for a rep to be judged")
    min_reference_reps: int = Field(ge=2, description="Fewest usable repetitions a reference set needs")
    source: str


class ScalesFile(_Model):
    """The whole file."""

    source: str
    settings: ScoreSettings
    exercises: dict[str, ExerciseScales]


@cache
def load_scales() -> ScalesFile:
    """The validated ``reference_scales.yaml``.

    Raises
    ------
    DataError
        The file is missing or malformed: reinstall kneeline, or rewrite it with
        ``benchmarks/uiprmd_scales.py --write``.
    """
    return load_data_model(SCALES_FILE, ScalesFile, "benchmarks/uiprmd_scales.py --write")

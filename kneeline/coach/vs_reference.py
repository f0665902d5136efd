"""One repetition against the person's reference: the deviation score (the decision) and its explanation.

The decision is :func:`kneeline.coach.reference.deviation_scores` over the per-repetition signals
(:mod:`kneeline.coach.rep_signals`) of the camera the reference was filmed by, each divided by its
usual rep-to-rep variation measured on marker data (``reference_scales.yaml``): a rep has changed
when the median scaled deviation passes the threshold fitted on the same data.  The changes of the
measures with a published smallest detectable difference (knee FPPA, trunk lean, pelvic drop) are
kept beside it as the explanation shown to the person, never as the decision.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from kneeline.coach.reference import Reference, deviation_scores
from kneeline.coach.rep_signals import REP_SIGNALS, SIGNAL_LABELS, TRANSFERS, Camera, camera_of
from kneeline.coach.result import CoachRep, MeasureChange, RepVsReference, SignalChange
from kneeline.coach.scales import CameraScales

__all__ = ["SideReference", "judge_rep_vs_reference"]

_WITHHELD_WITH = {s.name: s.withheld_with for s in REP_SIGNALS}


class SideReference:
    """The reference of one side: medians of its good reps' signals and of their SDD measures."""

    def __init__(self, signals: Reference, measures: Reference, camera: Camera) -> None:
        self.signals = signals
        self.measures = measures
        self.camera = camera


def _sdd_changes(rep: CoachRep, ref: Reference, sdd: Mapping[str, float]) -> list[MeasureChange]:
    """The rep's coach measures against the reference medians; SDD verdicts where one is published."""
    medians = ref.as_dict()
    out = []
    for name, value in rep.measures.items():
        base = medians.get(name)
        if value is None or base is None or name in rep.withheld:
            continue
        change = value - base
        limit = sdd.get(name)
        out.append(MeasureChange(measure=name, value=value, reference=round(base, 3), change=round(change, 3),
                                 sdd=limit, beyond_sdd=None if limit is None else abs(change) > limit))
    return out


def _left_out(rep: CoachRep, names: list[str], medians: Mapping[str, float | None]) -> dict[str, str]:
    out = {}
    for name in names:
        gated = _WITHHELD_WITH.get(name)
        if rep.signals.get(name) is None:
            out[name] = (rep.withheld[gated] if gated is not None and gated in rep.withheld
                         else "not measured in this repetition")
        elif medians.get(name) is None:
            out[name] = "not measured in your reference set"
    return out


def judge_rep_vs_reference(rep: CoachRep, ref: SideReference, cam: CameraScales | None, *, quantile: float,
                           min_signals: int, sdd: Mapping[str, float]) -> RepVsReference:
    """Compare one repetition with its side's reference.

    Parameters
    ----------
    rep
        The repetition (its ``signals`` and ``measures``).
    ref
        The reference of the rep's side.
    cam
        Scales and thresholds of the exercise filmed by the reference's camera; None where kneeline
        has none (the rep is then not judged, and says why).
    quantile, min_signals
        From ``reference_scales.yaml``: the score's quantile and the fewest signals to judge on.
    sdd
        Coach measure -> smallest detectable difference, for the explanation.
    """
    changes = _sdd_changes(rep, ref.measures, sdd)
    transfer = camera_of(rep.view) != ref.camera
    if cam is None:
        return RepVsReference(changes=changes, transfer_only=transfer,
                              reason="kneeline has no measured rep-to-rep variation for this exercise filmed "
                                     f"from the {ref.camera}")
    threshold = cam.threshold_transfer if transfer else cam.threshold
    names = [n for n in cam.scales if not transfer or n in TRANSFERS]
    medians = ref.signals.as_dict()
    left_out = _left_out(rep, names, medians)
    used = [n for n in names if n not in left_out]
    if threshold is None or len(used) < min_signals:
        return RepVsReference(changes=changes, transfer_only=transfer, left_out=left_out,
                              reason=f"only {len(used)} of the signals could be compared (at least {min_signals} "
                                     "needed)")
    scale = np.array([cam.scales[n] if n in used else np.nan for n in ref.signals.names])
    score = float(deviation_scores([rep.signals], ref.signals, scale, quantile)[0])
    signal_changes = []
    for n in used:
        value, base = rep.signals[n], medians[n]
        assert value is not None and base is not None
        signal_changes.append(SignalChange(signal=n, label=SIGNAL_LABELS[n], value=value, reference=round(base, 4),
                                           change=round(value - base, 4),
                                           z=round(abs(value - base) / cam.scales[n], 2)))
    signal_changes.sort(key=lambda c: -c.z)
    return RepVsReference(changes=changes, score=round(score, 3), threshold=threshold, differs=score > threshold,
                          transfer_only=transfer, signal_changes=signal_changes, left_out=left_out)

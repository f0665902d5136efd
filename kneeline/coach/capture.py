"""The capture gate for coaching: the same gate, view estimate and limits as ``kneeline analyze``.

A coached set is checked by :func:`kneeline.capture.gate.check_capture` and its knee, pelvis and
trunk angles are read from :func:`kneeline.capture.shown.shown_table`, exactly as an analysis.
Two differences, both about what coaching is for:

- a set is never refused for its view: an exercise meant to be filmed from the side (a lunge, a
  bridge) is filmed from the side, and its repetitions are still counted.  Only the frontal-plane
  numbers (knee FPPA, pelvic drop, lateral trunk lean) are withheld there, with the reason;
- a capture the gate would refuse outright (nobody found most of the time, the body mostly out of
  frame) withholds every frontal-plane number instead of ending the set: counting does not need
  them.

:class:`CoachGate` then says, for each repetition, which measures were withheld and why: the
repetition's own frames decide (a value blanked in the shown table in all of them is withheld).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from kneeline.capture.gate import SETUP_ADVICE, GateOutcome, PeopleSeen, check_capture, classify_view
from kneeline.capture.shown import shown_table
from kneeline.capture.view import estimate_view
from kneeline.coach.definitions import Movement, MovementLibrary
from kneeline.coach.signals import Features
from kneeline.errors import CaptureError
from kneeline.evidence import value
from kneeline.kinematics.table import KinematicsTable
from kneeline.pose.container import FloatArray, PoseSeries
from kneeline.report.result import Capture, CaptureIssue, View

__all__ = ["GATED_MEASURES", "MEASURE_NAMES", "CoachGate", "gate_set", "lying_view_issue", "with_issue"]

GATED_MEASURES: dict[str, tuple[str, ...]] = {
    "fppa": ("fppa_left_deg", "fppa_right_deg"),
    "pelvic_drop": ("pelvic_obliquity_deg",),
    "trunk_lean": ("trunk_lean_deg",),
}
"""Coach measure -> the shown-table columns it is read from (the frontal-plane numbers the gate decides)."""

MEASURE_NAMES: dict[str, str] = {"fppa": "knee angle (FPPA)", "pelvic_drop": "pelvic drop",
                                 "trunk_lean": "trunk lean", "range": "range of the pelvis hike"}
"""Plain names of the measures that can be withheld."""

_FEATURE_COLUMNS: dict[str, str] = {
    "fppa_left_deg": "fppa_left_deg", "fppa_right_deg": "fppa_right_deg",
    "obliquity_deg": "pelvic_obliquity_deg", "trunk_lean_deg": "trunk_lean_deg",
}
"""Coaching feature -> shown-table column holding the same angle."""

_SIGNAL_COLUMNS: dict[str, str] = {"pelvis_tilt": "pelvic_obliquity_deg"}
"""Movement signals that are themselves a gated number (their range is withheld with it)."""


def _limit(key: str) -> float:
    return float(value("capture.yaml", key))


def _median(values: FloatArray) -> float | None:
    finite = values[np.isfinite(values)]
    return float(np.median(finite)) if finite.size else None


@dataclass(frozen=True, eq=False)
class CoachGate:
    """The capture gate's decisions for one coached set.

    Attributes
    ----------
    outcome
        What :func:`~kneeline.capture.gate.check_capture` found (its capture goes into the result).
    table
        Per-frame kinematics as computed.
    shown
        The same table as shown (:func:`~kneeline.capture.shown.shown_table`): NaN = withheld.
    """

    outcome: GateOutcome
    table: KinematicsTable
    shown: KinematicsTable

    def features(self, feats: Features) -> Features:
        """A copy of ``feats`` whose knee, pelvis and trunk angles are NaN wherever the gate withholds them."""
        out = dict(feats)
        for feature, column in _FEATURE_COLUMNS.items():
            if feature in out:
                out[feature] = np.where(np.isfinite(self.shown.column(column)), out[feature], np.nan)
        return out

    def signal(self, signal_name: str, values: FloatArray) -> FloatArray:
        """``values`` of a movement signal, NaN where the signal is a withheld number (a pelvis hike)."""
        column = _SIGNAL_COLUMNS.get(signal_name)
        if column is None:
            return values
        out: FloatArray = np.where(np.isfinite(self.shown.column(column)), values, np.nan)
        return out

    def rep_view(self, start: int, end: int) -> View | None:
        """The view during samples ``start..end`` from the view estimate; None where it is unknown."""
        yaw = _median(self.table.yaw_deg[start:end + 1])
        return None if yaw is None else classify_view(yaw)

    def withheld(self, measures: Sequence[str], signal_name: str, start: int, end: int, pre: int,
                 sides: Sequence[str]) -> dict[str, str]:
        """Measure -> why it is withheld in the repetition on samples ``start..end`` (rest from ``pre``).

        A measure is withheld when the shown table blanks it in every sample of the repetition
        where it was computed (for pelvic drop and trunk lean, which are changes from the rest
        posture, also when the rest samples are all withheld).  ``"range"`` is listed when the
        movement's own signal is a withheld number.
        """
        out: dict[str, str] = {}
        rows, rest = slice(start, end + 1), slice(pre, start + 1)
        for measure in measures:
            columns = GATED_MEASURES.get(measure)
            if columns is None:
                continue
            if measure == "fppa":
                columns = tuple(c for c in columns if c.split("_")[1] in sides) or columns
            blocked = self._blocked(columns, rows) or (measure != "fppa" and self._blocked(columns, rest))
            if blocked:
                out[measure] = self.reason(measure, start, end)
        column = _SIGNAL_COLUMNS.get(signal_name)
        if column is not None and "range" in measures and self._blocked((column,), rows):
            out["range"] = self.reason("pelvic_drop", start, end)  # the hike is a pelvic obliquity
        return out

    def _blocked(self, columns: Sequence[str], rows: slice) -> bool:
        computed = np.zeros(0, dtype=bool)
        shown = np.zeros(0, dtype=bool)
        for column in columns:
            computed = np.concatenate([computed, np.isfinite(self.table.column(column)[rows])])
            shown = np.concatenate([shown, np.isfinite(self.shown.column(column)[rows])])
        return bool(computed.any() and not shown.any())

    def reason(self, measure: str, start: int, end: int) -> str:
        """Why ``measure`` is withheld in samples ``start..end``, in plain words.

        The gate's own message where it withheld the measure for the whole set; else the view of
        this repetition, or (for the knee angle) the thigh pointing at the camera.
        """
        group = "fppa" if measure == "fppa" else "pelvis"
        name = MEASURE_NAMES.get(measure, measure)
        capture = self.outcome.capture
        refused = [i.message for i in capture.issues if i.code == "capture_refused"]
        if refused:
            return f"withheld: the video could not be checked well enough ({_first_sentence(refused[0])})"
        if capture.view == "sagittal":
            return (f"withheld: filmed from the side (about {capture.yaw_deg:.0f}° from facing the camera); the "
                    f"{name} needs a front view")
        set_ok = self.outcome.fppa_ok if group == "fppa" else self.outcome.pelvis_ok
        gate_says = [i.message for i in capture.issues if i.code == f"view_{group}_withheld"]
        if not set_ok and gate_says:
            return f"withheld: {_first_sentence(gate_says[0])}"
        yaw = _median(self.table.yaw_deg[start:end + 1])
        limit = _limit("fppa_yaw_withhold_deg" if group == "fppa" else "pelvis_yaw_warn_deg")
        if yaw is not None and yaw >= limit:
            return (f"withheld: you were turned about {yaw:.0f}° from facing the camera in this repetition; from "
                    f"this angle the {name} is not reliable")
        if measure == "fppa":
            ratio = _limit("fppa_min_thigh_ratio")
            return (f"withheld: the thigh pointed at the camera (shorter than {ratio:.0%} of its standing length "
                    "in the picture), where the knee angle is not reliable")
        return "withheld by the capture check (see the capture warnings)"


def _first_sentence(text: str) -> str:
    """The gist of a gate message: its first sentence up to ", so", starting lower case."""
    first = text.split(". ")[0].split(", so ")[0].rstrip(".")
    return first[:1].lower() + first[1:]


def _side_view(base: GateOutcome, yaw: float, view_needed: str) -> GateOutcome:
    """``base`` (the gate run without the view) turned into a side view: no frontal-plane number."""
    what = "the knee angle (FPPA), pelvic drop and trunk lean"
    if view_needed == "sagittal":
        issue = CaptureIssue(code="view_side", level="info",
                             message=f"Filmed from the side (about {yaw:.0f}° from facing the camera), as this "
                                     f"exercise needs: {what} are not measured from the side.")
    else:
        issue = CaptureIssue(code="view_side", level="warning",
                             message=f"The camera saw you from the side (about {yaw:.0f}° from facing it), so {what} "
                                     f"are not shown. To have them checked, film from the front. {SETUP_ADVICE}")
    issues = [issue, *(i for i in base.capture.issues if not i.code.startswith("view_"))]
    capture = base.capture.model_copy(update={
        "view": "sagittal", "yaw_deg": round(yaw, 1), "issues": issues,
        "warnings": [i.message for i in issues if i.level != "info"]})
    return GateOutcome(capture=capture, fppa_ok=False, pelvis_ok=False)


def _refused(message: str, yaw: float | None) -> GateOutcome:
    """The gate found nothing measurable: every frontal-plane number is withheld; counting goes on."""
    issue = CaptureIssue(code="capture_refused", level="warning",
                         message=f"{message} So no knee, pelvis or trunk angle is shown; the repetitions are "
                                 "still counted.")
    capture = Capture(view=classify_view(yaw), yaw_deg=None if yaw is None else round(yaw, 1),
                      framing_ok=False, warnings=[issue.message], issues=[issue])
    return GateOutcome(capture=capture, fppa_ok=False, pelvis_ok=False)


def gate_set(pose: PoseSeries, table: KinematicsTable, *, fps: float, view_needed: str,
             enforce_view: bool = True, people: PeopleSeen | None = None) -> CoachGate:
    """Run the capture gate on a coached set and derive its shown table.

    Parameters
    ----------
    pose
        The cleaned pose series ``table`` was computed from.
    table
        Per-frame kinematics (its ``yaw_deg`` is the view estimate's per-frame yaw).
    fps
        Frame rate of the video.
    view_needed
        ``"frontal"`` or ``"sagittal"``: the view the exercise is meant to be filmed from.
    enforce_view
        Withhold numbers past their view limits (``AnalysisSettings.enforce_view``, as analyze).
    people
        How many people the video showed and which one was followed (as analyze).

    Returns
    -------
    CoachGate
        Never raises for the view or the capture: see the module docstring.
    """
    yaw = estimate_view(pose).yaw_deg
    try:
        if yaw is not None and yaw >= _limit("yaw_sagittal_deg"):
            # Every other check of the gate, without the view (which would refuse a side view).
            blind = replace(table, yaw_deg=np.full(table.yaw_deg.shape, np.nan))
            base = check_capture(pose.with_arrays(world=None), blind, fps=fps, people=people,
                                 enforce_view=enforce_view)
            outcome = _side_view(base, yaw, view_needed)
        else:
            outcome = check_capture(pose, table, fps=fps, people=people, enforce_view=enforce_view)
    except CaptureError as exc:
        outcome = _refused(str(exc), yaw)
    return CoachGate(outcome=outcome, table=table, shown=shown_table(table, outcome, pose))


def lying_view_issue(movement: Movement, feats: Features, lib: MovementLibrary) -> CaptureIssue | None:
    """Why a lying exercise cannot be judged from the camera's view, or None when the view can serve.

    From the 2D body-width ratio ((shoulder + hip width) / 2 trunk lengths, median over the set):

    - at or above ``lying_end_on_width_ratio`` the trunk points at the camera: filmed from the
      head or the feet, where every leg movement of a lying exercise runs along the line of sight;
    - a lying exercise judged from the side (bridge, leg raise, donkey kick) filmed with the body
      wider than ``view_frontal_width_ratio``: not from the side;
    - a side-lying exercise judged from the front (clamshell, leg lift, side plank) with the body
      narrower than ``view_sagittal_width_ratio``: filmed from above, the top leg moving towards the
      camera.

    Standing exercises are left to the capture gate.  The thresholds are in ``movements.yaml``.
    """
    if movement.posture != "lying":
        return None
    ratio = _median(np.asarray(feats["width_ratio"], dtype=np.float64))
    if ratio is None:
        return None
    place = ("at your side, level with your hips" if movement.view == "sagittal"
             else "in front of you (facing your chest and the front of your hips)")
    advice = f"Put the phone {place}, 2-3 m away and low, with your whole body in view."
    code = "view_lying"
    if ratio >= lib.default("lying_end_on_width_ratio"):
        code = "view_lying_end_on"
        why = ("the camera seems to be at your head or your feet: your body points at it, so the movement of "
               "this lying exercise runs towards the camera and cannot be judged.")
    elif movement.view == "sagittal" and ratio >= lib.default("view_frontal_width_ratio"):
        why = ("the camera does not see you from the side (your shoulders and hips look wide), so the hip and knee "
               "angles of this exercise cannot be judged.")
    elif movement.view == "frontal" and ratio <= lib.default("view_sagittal_width_ratio"):
        why = ("the camera seems to look down on you or along your back (your shoulders and hips overlap), so the "
               "top leg moves towards the camera and its movement cannot be judged.")
    else:
        return None
    return CaptureIssue(code=code, level="warning", message=f"For a lying exercise {why} {advice}")


def with_issue(capture: Capture, issue: CaptureIssue) -> Capture:
    """``capture`` with ``issue`` added (and its message among the warnings)."""
    return capture.model_copy(update={"issues": [*capture.issues, issue],
                                      "warnings": [*capture.warnings, issue.message]})

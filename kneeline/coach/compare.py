"""A coached set against the person's reference set: which repetitions changed from the person's good form.

A *reference set* is an earlier set of the same exercise that the person (with their
physiotherapist) accepted as good form.  People differ more from each other than from their own
mistakes (``benchmarks/uiprmd_reference.py``; it held on five unseen UI-PRMD subjects), so each
rep is judged against the person's own good reps: a deviation score over the per-repetition
signals of one camera, in units of the usual rep-to-rep variation measured on marker data
(:mod:`kneeline.coach.vs_reference`, ``reference_scales.yaml``).  The measures with a published
smallest detectable difference (``measurement.yaml``) explain a change ("your knee moved inward 9°
more"); they do not decide it.  Withheld measures are never compared: they are left out and named.

A lunge or a side lunge is counted on both legs, but each rep loads one (``rep_leg`` in
``movements.yaml``; :func:`kneeline.coach.faults.rep_leg`).  Its signals belong to that leg: a
knee angle is the other knee's, a hip shift or trunk lean points the other way on the other leg.
So a rep is compared only with reference reps of the same leg (:func:`rep_group`), and a rep on a
leg the reference does not cover reads "cannot tell", never "changed" or "no change".  Signals are
never mirrored to stand in for the other leg: from the front a left lunge is roughly the mirror
image of a right one, but from the side it is not (the near and far legs swap).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from kneeline.coach.body import person_checked, person_problem
from kneeline.coach.definitions import load_movements
from kneeline.coach.reference import build_reference
from kneeline.coach.rep_signals import REP_SIGNALS, SIGNAL_LABELS, TRANSFERS, Camera, camera_of
from kneeline.coach.result import CoachRep, CoachResult, ReferenceInfo, RepVsReference
from kneeline.coach.scales import SCALES_FILE, load_scales
from kneeline.coach.vs_reference import SideReference, judge_rep_vs_reference
from kneeline.errors import InputError
from kneeline.evidence import load_sourced

__all__ = ["MEASURE_SDD_KEYS", "MEASURE_LABELS", "DOSE_FAULTS", "measure_sdds", "vs_reference_text",
           "reference_summary", "load_reference_result", "good_reps", "fault_free", "reference_camera",
           "reference_problem", "check_reference", "per_leg", "rep_group", "reference_legs", "reference_legs_text",
           "side_references", "compare_with_reference"]

MEASURE_SDD_KEYS: dict[str, str] = {
    "fppa": "fppa_sdd_deg",
    "trunk_lean": "trunk_lean_sdd_deg",
    "pelvic_drop": "pelvic_drop_sdd_deg",
}
"""Coach measure -> entry of ``measurement.yaml`` holding its SDD (other measures have none)."""


MEASURE_LABELS: dict[str, str] = {
    "fppa": "knee angle (+ = inward)", "trunk_lean": "trunk lean", "pelvic_drop": "pelvic drop",
}
"""Plain names of the measures that can change beyond their SDD."""


def vs_reference_text(rep: CoachRep) -> str:
    """One line on a rep against the reference: "no change", "changed" with why, "cannot tell (why)", or "-"."""
    v = rep.vs_reference
    if v is None:
        return "-"
    if v.differs is None:
        return f"cannot tell ({v.reason or 'not enough was measured'})"
    beyond = [f"{MEASURE_LABELS.get(c.measure, c.measure)} {c.change:+.1f}° (SDD {c.sdd:g}°)"
              for c in v.changes if c.beyond_sdd]
    if not v.differs:  # one joint alone moving beyond its SDD does not make the rep "changed", but is said
        return "no change" + (f" overall (but {', '.join(beyond)})" if beyond else "")
    return "changed: " + ", ".join(beyond + [f"{c.label} {c.change:+.3g}" for c in v.signal_changes[:2]])


def reference_summary(result: CoachResult) -> str | None:
    """One line on a set against its reference ("2 rep(s) changed from your reference"); None without one.

    Reps that could not be judged are counted apart, never as unchanged.
    """
    if result.reference is None:
        return None
    if result.reference.refused:
        return f"not compared with your reference set: {result.reference.refused}"
    compared, judged, changed = _counts(result.reps)
    if not judged:
        return "no rep could be judged against your reference (see the notes)"
    text = f"{changed} rep(s) changed from your reference"
    if judged < compared:
        text += f", {compared - judged} could not be judged"
    covered = _covered_legs(result.reference.legs)
    if result.reference.legs:
        text += "; your reference covers " + ("both legs" if len(covered) == 2 else f"your {covered[0]} leg only"
                                              if covered else "neither leg")
    other_view = sum(1 for r in result.reps if r.vs_reference is not None and r.vs_reference.transfer_only)
    if other_view:
        text += (f"; {other_view} rep(s) filmed from another view than your reference were compared only on what "
                 "reads the same from both views (depth and timing)")
    return text


def _counts(reps: list[CoachRep]) -> tuple[int, int, int]:
    """Reps compared with the reference, those judged, those changed."""
    compared = [r.vs_reference for r in reps if r.vs_reference is not None]
    judged = [v for v in compared if v.differs is not None]
    return len(compared), len(judged), sum(bool(v.differs) for v in judged)


def measure_sdds() -> dict[str, float]:
    """Coach measure -> smallest detectable difference, from ``measurement.yaml``."""
    data = load_sourced("measurement.yaml")
    return {m: float(data[k].value) for m, k in MEASURE_SDD_KEYS.items()}  # type: ignore[arg-type]


def load_reference_result(path: Path) -> CoachResult:
    """Read the ``result.json`` of an earlier ``kneeline coach`` run (the file or its output folder).

    Raises
    ------
    InputError
        The file is missing, unreadable or not a coach result; the message says what to give.
    """
    file = path / "result.json" if path.is_dir() else path
    hint = "give the result.json (or its folder) of an earlier `kneeline coach` run of the same exercise"
    if not file.is_file():
        raise InputError(f"reference not found: {file}; {hint}")
    try:
        text = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read the reference {file} ({exc}); {hint}") from exc
    try:
        return CoachResult.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "the file"
        raise InputError(f"{file} is not a kneeline coach result ({where}: {first['msg']}); {hint}") from exc


DOSE_FAULTS = frozenset({"too_fast", "incomplete_range", "short_hold"})
"""Faults about dose (tempo, range, hold time), not form."""


def good_reps(result: CoachResult) -> list[CoachRep]:
    """The reps a reference set can use: counted, with at least ``min_signals`` signals measured.

    A reference set is accepted by the person's clinician as their good form, so reps the coach's
    provisional population thresholds flag are still used (those thresholds are what a personal
    reference replaces: the knee-width check flags most wide-stance reps).  Reps the coach could
    not measure (too few signals, e.g. the body out of view) cannot say what is usual.
    """
    need = load_scales().settings.min_signals
    return [r for r in result.reps if sum(v is not None for v in r.signals.values()) >= need]


def fault_free(result: CoachResult) -> bool:
    """Every counted rep of ``result`` free of form faults (dose faults such as "too fast" allowed)."""
    return bool(result.reps) and all(not {f.id for f in r.faults} - DOSE_FAULTS for r in result.reps)


def reference_camera(result: CoachResult) -> Camera | None:
    """The one camera the usable reps of ``result`` were filmed by; None when they mix views."""
    cameras = {camera_of(r.view) for r in good_reps(result)}
    return cameras.pop() if len(cameras) == 1 else None


def reference_problem(reference: CoachResult, *, require_view: bool = True) -> str | None:
    """Why ``reference`` cannot serve as a reference set (None when it can), in plain words.

    Refused: a set coached by a kneeline without per-repetition signals or without the capture
    check, fewer usable repetitions (:func:`good_reps`) than ``min_reference_reps``
    (``reference_scales.yaml``) -- for an exercise that loads one leg per rep (:func:`per_leg`),
    fewer than that on each leg (one leg enough is accepted: reps on the other then cannot be
    compared) --, usable repetitions filmed from more than one view, and (with
    ``require_view``) a reference filmed from another view than the one its exercise is coached from.
    """
    if reference.capture is None or any(not r.signals for r in reference.reps):
        return ("it was coached by an older kneeline (before the camera view and per-repetition signals were "
                "recorded): record a new reference set")
    need = load_scales().settings.min_reference_reps
    good = good_reps(reference)
    if len(good) < need:
        return (f"it has {len(good)} usable repetition(s) (counted and measured); a reference needs at least "
                f"{need} to say what your usual good form is: record a longer set with your whole body in view")
    legs = reference_legs(reference)
    if legs is not None and max(legs.values()) < need:
        if not any(legs.values()):
            return ("kneeline could not tell which leg worked in its repetitions (sets coached by an older kneeline "
                    "do not record it): record a new reference set")
        return (f"it has {legs['left']} usable repetition(s) on the left leg and {legs['right']} on the right; a "
                f"reference needs at least {need} on one leg: record a longer set on each leg")
    camera = reference_camera(reference)
    if camera is None:
        return "its repetitions were filmed from more than one view: record it from one place"
    wanted: Camera = "side" if reference.view_needed == "sagittal" else "front"
    if require_view and camera != wanted:
        return (f"it was filmed from the {camera}, but {reference.exercise_name} is coached from the {wanted}: "
                f"record the reference from the {wanted}")
    return None


def check_reference(reference: CoachResult, exercise_id: str, *, require_view: bool = True) -> None:
    """Refuse a reference that cannot serve for ``exercise_id`` (see :func:`reference_problem`).

    Raises
    ------
    InputError
        Another exercise, or a reference :func:`reference_problem` refuses; the message says what
        is wrong and what reference to give instead.
    """
    if reference.exercise != exercise_id:
        raise InputError(f"the reference is a {reference.exercise_name} set but this set is {exercise_id}: "
                         "compare with a reference of the same exercise")
    problem = reference_problem(reference, require_view=require_view)
    if problem is not None:
        raise InputError(f"this reference set cannot be used: {problem}")


def per_leg(exercise: str) -> bool:
    """Whether ``exercise`` is counted on both legs but loads one per rep (``rep_leg``: lunge, side lunge)."""
    movement = load_movements().movements.get(exercise)
    return movement is not None and movement.rep_leg is not None


def rep_group(rep: CoachRep, exercise: str) -> str | None:
    """Which reference reps ``rep`` is compared with: its leg, or its side.

    The leg for a :func:`per_leg` exercise (None where it could not be told); else the side
    (``"both"`` for a two-legged exercise).
    """
    return rep.leg if per_leg(exercise) else rep.side or "both"


def reference_legs(reference: CoachResult) -> dict[str, int] | None:
    """Leg -> usable reps (:func:`good_reps`) of a :func:`per_leg` reference; None for other exercises."""
    if not per_leg(reference.exercise):
        return None
    good = good_reps(reference)
    return {leg: sum(1 for r in good if r.leg == leg) for leg in ("left", "right")}


def _covered_legs(legs: dict[str, int]) -> list[str]:
    """The legs with enough usable reference reps (``min_reference_reps``) to compare reps with."""
    need = load_scales().settings.min_reference_reps
    return [leg for leg, n in legs.items() if n >= need]


def reference_legs_text(reference: CoachResult) -> str | None:
    """Which legs a :func:`per_leg` reference covers, in plain words; None for other exercises."""
    legs = reference_legs(reference)
    if legs is None:
        return None
    need = load_scales().settings.min_reference_reps
    covered = _covered_legs(legs)
    if len(covered) == 2:
        return f"Your reference set covers both legs ({legs['left']} left-leg and {legs['right']} right-leg reps)."
    if not covered:
        return (f"Your reference set covers neither leg ({legs['left']} left-leg and {legs['right']} right-leg reps; "
                f"at least {need} are needed on a leg).")
    leg = covered[0]
    other = "left" if leg == "right" else "right"
    return (f"Your reference set covers your {leg} leg only ({legs[leg]} reps): reps on your {other} leg cannot be "
            "compared with it. Record a reference set on both legs to compare both.")


def side_references(reference: CoachResult, camera: Camera) -> dict[str, SideReference]:
    """Group of the reps (:func:`rep_group`) -> reference built from the usable reference reps of that group.

    A group needs at least 2 reps; a leg of a :func:`per_leg` exercise needs ``min_reference_reps``
    (as a whole reference does).  Reps whose leg could not be told are in no group.
    """
    out: dict[str, SideReference] = {}
    need = load_scales().settings.min_reference_reps if per_leg(reference.exercise) else 2
    groups: dict[str, list[CoachRep]] = {}
    for r in good_reps(reference):
        key = rep_group(r, reference.exercise)
        if key is not None:
            groups.setdefault(key, []).append(r)
    names = [s.name for s in REP_SIGNALS]
    for key, reps in sorted(groups.items()):
        if len(reps) >= need:
            rows = [dict(r.measures) for r in reps]
            measures = build_reference(rows, sorted({k for row in rows for k in row}))
            out[key] = SideReference(build_reference([r.signals for r in reps], names), measures, camera)
    return out


def _no_leg_reference(rep: CoachRep, legs: dict[str, int]) -> RepVsReference:
    """A rep of a :func:`per_leg` exercise on a leg the reference does not cover: cannot tell, and why."""
    if rep.leg is None:
        return RepVsReference(reason="kneeline could not tell which leg worked in this rep (a knee or ankle was not "
                                     "seen at the deepest point)")
    n = legs.get(rep.leg, 0)
    has = f"no {rep.leg}-leg reps" if n == 0 else f"only {n} usable {rep.leg}-leg rep(s)"
    return RepVsReference(reason=f"your reference set has {has}; record a reference set on both legs")


def _notes(reps: list[CoachRep], n_good: int) -> list[str]:
    notes = []
    compared, judged, changed = _counts(reps)
    if judged:
        notes.append(f"Compared with your reference set ({n_good} good reps): {changed} of {judged} rep(s) changed "
                     "(how far their depth, timing, trunk, hip and knee positions moved from your reference, "
                     "measured against how much good repetitions usually vary; from marker data, "
                     f"{SCALES_FILE}). The changes beyond the smallest detectable difference explain it.")
    if judged < compared:
        reasons = sorted({r.vs_reference.reason for r in reps if r.vs_reference and r.vs_reference.reason})
        notes.append(f"{compared - judged} rep(s) could not be judged ({'; '.join(reasons)}); they are not called "
                     "unchanged.")
    if any(r.vs_reference and r.vs_reference.transfer_only for r in reps):
        kept = ", ".join(SIGNAL_LABELS[n] for n in sorted(TRANSFERS))
        notes.append("Some reps were filmed from another view than your reference set: they were compared only on "
                     f"what reads the same from both views ({kept}).")
    left: dict[tuple[str, str], list[int]] = {}
    for r in reps:
        for name, why in (r.vs_reference.left_out if r.vs_reference else {}).items():
            left.setdefault((name, why), []).append(r.index)
    for (name, why), idx in sorted(left.items()):
        which = "every rep" if len(idx) == compared else f"rep(s) {', '.join(map(str, idx))}"
        notes.append(f"Left out of the comparison in {which}: {SIGNAL_LABELS.get(name, name)} "
                     f"({why.removeprefix('withheld: ')}).")
    return notes


def compare_with_reference(result: CoachResult, reference: CoachResult, *, require_view: bool = True) -> CoachResult:
    """``result`` with each repetition compared with ``reference`` (same exercise, same side or leg).

    Each rep is compared only with the reference reps of its group (:func:`rep_group`): its side,
    or for a lunge or side lunge its leg; a rep on a leg the reference does not cover (or whose leg
    could not be told) reads "cannot tell" with the reason.  Nothing is mirrored (see the module).

    A reference that cannot serve (:func:`reference_problem`: an old one, too few good reps,
    another view; :func:`kneeline.coach.body.person_problem`: another person's body proportions) is
    not used: the result says why in ``reference.refused`` and its notes.

    Raises
    ------
    InputError
        The reference is another exercise.
    """
    if reference.exercise != result.exercise:
        check_reference(reference, result.exercise)
    info = ReferenceInfo(
        exercise=reference.exercise, reps=len(reference.reps), good_reps=len(good_reps(reference)),
        camera=reference_camera(reference),
        video_name=Path(reference.video.path).name if reference.video else None,
        video_sha256=reference.provenance.input_sha256 if reference.provenance else None)
    problem = reference_problem(reference, require_view=require_view)
    same_camera = [r.body for r in result.reps if camera_of(r.view) == info.camera]
    reference_bodies = [r.body for r in good_reps(reference)]
    if problem is None and info.camera is not None:
        problem = person_problem(same_camera, reference_bodies)
    if problem is not None or info.camera is None:
        refused = problem or "its repetitions were filmed from more than one view"
        note = f"Your reference set could not be used: {refused}."
        return result.model_copy(update={"reference": info.model_copy(update={"refused": refused}),
                                         "notes": [*result.notes, note]})
    refs = side_references(reference, info.camera)
    scales = load_scales()
    cam = getattr(scales.exercises.get(result.exercise), info.camera, None)
    sdd = measure_sdds()
    legs = reference_legs(reference)
    reps, notes = [], []
    for rep in result.reps:
        side = rep_group(rep, result.exercise)
        if legs is not None and side not in refs:  # another leg than the reference's: never judged
            reps.append(rep.model_copy(update={"vs_reference": _no_leg_reference(rep, legs)}))
            continue
        if side is None or side not in refs:
            notes.append(f"rep {rep.index}: the reference has fewer than 2 usable repetitions on the {side} side; "
                         "not compared")
            reps.append(rep)
            continue
        judged = judge_rep_vs_reference(rep, refs[side], cam, quantile=scales.settings.quantile,
                                        min_signals=scales.settings.min_signals, sdd=sdd)
        reps.append(rep.model_copy(update={"vs_reference": judged}))
    info = info.model_copy(update={"medians": {side: ref.measures.as_dict() for side, ref in refs.items()},
                                   "legs": legs or {}})
    notes += _notes(reps, info.good_reps or 0)
    legs_text = reference_legs_text(reference)
    if legs_text is not None:
        notes.append(legs_text)
    if not person_checked(same_camera, reference_bodies):
        notes.append("kneeline could not check that your reference set is the same person (body proportions are "
                     "compared on at least 2 reps filmed from the reference's view, and older sets did not record "
                     "them).")
    return result.model_copy(update={"reps": reps, "reference": info, "notes": [*result.notes, *notes]})

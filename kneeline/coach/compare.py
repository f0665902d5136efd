"""A coached set against the person's reference set: what changed beyond measurement noise.

A *reference set* is an earlier set of the same exercise that the person (with their
physiotherapist) accepted as good form.  People differ more from each other than from their own
mistakes (``benchmarks/uiprmd_reference.py``), so "your knee went 9 deg further inward than in
your reference reps" is more telling than a population threshold.  A change is only called a change
when it is larger than the measure's smallest detectable difference (``measurement.yaml``);
measures without a published SDD are shown but never called one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from pydantic import ValidationError

from kneeline.coach.reference import Reference, build_reference, deviation_scores
from kneeline.coach.result import CoachRep, CoachResult, MeasureChange, ReferenceInfo, RepVsReference
from kneeline.errors import InputError
from kneeline.evidence import load_sourced

__all__ = ["MEASURE_SDD_KEYS", "MEASURE_LABELS", "measure_sdds", "vs_reference_text", "reference_summary",
           "load_reference_result", "check_reference", "compare_with_reference"]

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
    """One line on a rep against the reference: the changes beyond their SDD, "within noise", or "-"."""
    if rep.vs_reference is None:
        return "-"
    if rep.vs_reference.differs is None:
        return "cannot tell (no measure with a published SDD in this view)"
    real = [c for c in rep.vs_reference.changes if c.beyond_sdd]
    if not real:
        return "within noise"
    return ", ".join(f"{MEASURE_LABELS.get(c.measure, c.measure)} {c.change:+.1f}° (SDD {c.sdd:g}°)" for c in real)


def reference_summary(result: CoachResult) -> str | None:
    """One line on a set against its reference ("2 rep(s) changed from your reference"); None without one.

    Reps that could not be judged (no measure with a published SDD, e.g. filmed from the side) are
    counted apart, never as unchanged.
    """
    if result.reference is None:
        return None
    compared, judged, changed = _counts(result.reps)
    if not judged:
        return "no rep could be judged against your reference (no measure with a published SDD in this view)"
    text = f"{changed} rep(s) changed from your reference"
    if judged < compared:
        text += f", {compared - judged} could not be judged"
    return text


def _counts(reps: list[CoachRep]) -> tuple[int, int, int]:
    """Reps compared with the reference, those judged (a measure with an SDD), those changed."""
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


def check_reference(reference: CoachResult, exercise_id: str) -> None:
    """Refuse a reference that cannot serve for ``exercise_id``: another exercise, or under two reps.

    Raises
    ------
    InputError
        Saying what is wrong and what reference to give instead.
    """
    if reference.exercise != exercise_id:
        raise InputError(f"the reference is a {reference.exercise_name} set but this set is {exercise_id}: "
                         "compare with a reference of the same exercise")
    if len(reference.reps) < 2:
        raise InputError(f"the reference set has {len(reference.reps)} counted repetition(s); it needs at least 2 "
                         "to say what your usual good form is: record a longer reference set")


def _side_references(reference: CoachResult) -> dict[str, Reference]:
    """Side of the reps -> reference built from the reference reps of that side (at least 2)."""
    out: dict[str, Reference] = {}
    for side in sorted({r.side or "both" for r in reference.reps}):
        rows = [r.measures for r in reference.reps if (r.side or "both") == side]
        if len(rows) >= 2:
            names = sorted({k for row in rows for k in row})
            out[side] = build_reference(rows, names)
    return out


def _compare_rep(rep: CoachRep, ref: Reference, sdd: dict[str, float]) -> RepVsReference:
    changes = []
    medians = ref.as_dict()
    for name, value in rep.measures.items():
        base = medians.get(name)
        if value is None or base is None:
            continue
        change = value - base
        limit = sdd.get(name)
        changes.append(MeasureChange(measure=name, value=value, reference=round(base, 3), change=round(change, 3),
                                     sdd=limit, beyond_sdd=None if limit is None else abs(change) > limit))
    scale = np.array([sdd.get(n, np.nan) for n in ref.names])
    score = float(deviation_scores([rep.measures], ref, scale)[0])
    judged = [c.beyond_sdd for c in changes if c.beyond_sdd is not None]
    return RepVsReference(changes=changes, score=round(score, 2) if np.isfinite(score) else None,
                          differs=any(judged) if judged else None)


def compare_with_reference(result: CoachResult, reference: CoachResult) -> CoachResult:
    """``result`` with each repetition compared with ``reference`` (same exercise, same side).

    Raises
    ------
    InputError
        The reference is another exercise, or has fewer than two counted repetitions.
    """
    check_reference(reference, result.exercise)
    refs = _side_references(reference)
    sdd = measure_sdds()
    reps, notes = [], []
    for rep in result.reps:
        side = rep.side or "both"
        if side not in refs:
            notes.append(f"rep {rep.index}: the reference has fewer than 2 repetitions on the {side} side; "
                         "not compared")
            reps.append(rep)
            continue
        reps.append(rep.model_copy(update={"vs_reference": _compare_rep(rep, refs[side], sdd)}))
    compared, judged, changed = _counts(reps)
    if judged:
        notes.append(f"Compared with your reference set ({len(reference.reps)} reps): {changed} of {judged} "
                     "rep(s) changed by more than the smallest detectable difference in at least one measure.")
    if judged < compared:
        notes.append(f"{compared - judged} rep(s) could not be judged: none of the measures with a "
                     "published smallest detectable difference (knee angle, trunk lean, pelvic drop) was "
                     "measured in them, as in a side view. Their values are shown for your physiotherapist; "
                     "they are not called unchanged.")
    no_sdd = sorted({c.measure for r in reps if r.vs_reference for c in r.vs_reference.changes if c.sdd is None})
    if no_sdd:
        notes.append(f"No published smallest detectable difference for {', '.join(no_sdd)}: their changes are "
                     "shown but never called a change.")
    info = ReferenceInfo(
        exercise=reference.exercise, reps=len(reference.reps),
        video_name=Path(reference.video.path).name if reference.video else None,
        video_sha256=reference.provenance.input_sha256 if reference.provenance else None,
        medians={side: ref.as_dict() for side, ref in refs.items()})
    return result.model_copy(update={"reps": reps, "reference": info, "notes": [*result.notes, *notes]})

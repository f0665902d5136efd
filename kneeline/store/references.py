"""A patient's reference sets: the coached set of each exercise their clinician accepted as good form.

Later sets of the exercise, live or from a video, are compared with it
(:func:`kneeline.coach.compare.compare_with_reference`).  The reference keeps a copy of the accepted
set's result, so deleting the set or its video later does not change what later sets were compared
with.
"""

from __future__ import annotations

from typing import Literal

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kneeline.coach.compare import check_reference, compare_with_reference
from kneeline.coach.result import CoachResult
from kneeline.errors import InputError, ValidationError
from kneeline.store.models import Analysis, CoachedSet, CoachReference

__all__ = ["Source", "reference_result", "references_of", "set_reference", "clear_reference", "with_reference"]

Source = Literal["live", "video"]
"""Where a reference set comes from: a live camera set or a coached video."""


def reference_result(session: Session, patient_id: int, exercise_id: str) -> CoachResult | None:
    """The patient's reference set of ``exercise_id``, or None when there is none."""
    row = session.scalar(select(CoachReference).where(CoachReference.patient_id == patient_id,
                                                      CoachReference.exercise_id == exercise_id))
    return CoachResult.model_validate(row.result) if row is not None else None


def references_of(session: Session, patient_id: int) -> list[CoachReference]:
    """Every reference set of the patient, by exercise."""
    return list(session.scalars(select(CoachReference).where(CoachReference.patient_id == patient_id)
                                .order_by(CoachReference.exercise_id)))


def _source_result(session: Session, patient_id: int, source: Source, source_id: int) -> CoachResult:
    if source == "live":
        live = session.get(CoachedSet, source_id)
        if live is None or live.patient_id != patient_id:
            raise ValidationError(f"this patient has no live set {source_id}; choose one of their coached sets.")
        data = live.result
    else:
        video = session.get(Analysis, source_id)
        if video is None or video.patient_id != patient_id or video.kind != "coach":
            raise ValidationError(f"this patient has no coached video {source_id}; choose one of their coached "
                                  "sets.")
        if video.status != "done" or not video.result:
            raise ValidationError("this video has not been coached yet (or failed); wait until it is done.")
        data = video.result
    result = CoachResult.model_validate(data)
    if result.reference is not None:  # the copy is the set as measured, not its comparison with an older one
        result = result.model_copy(update={"reference": None,
                                           "reps": [r.model_copy(update={"vs_reference": None}) for r in result.reps]})
    return result


def set_reference(session: Session, patient_id: int, source: Source, source_id: int,
                  by_id: int | None) -> CoachReference:
    """Make a coached set the patient's reference for its exercise (replacing the one before).

    Raises
    ------
    ValidationError
        The set is not the patient's, not finished, cut short, or has fewer than two repetitions.
    """
    result = _source_result(session, patient_id, source, source_id)
    if result.partial:
        raise ValidationError("this set was cut short (person out of view, frames lost or the video ended "
                              "mid-rep); choose a complete set as the reference.")
    try:
        check_reference(result, result.exercise)
    except InputError as exc:
        raise ValidationError(str(exc)) from None
    clear_reference(session, patient_id, result.exercise)
    row = CoachReference(patient_id=patient_id, exercise_id=result.exercise, source=source, source_id=source_id,
                         result=result.model_dump(mode="json"), set_by_id=by_id)
    session.add(row)
    session.flush()
    return row


def clear_reference(session: Session, patient_id: int, exercise_id: str) -> bool:
    """Remove the patient's reference of ``exercise_id``; True when there was one."""
    gone = session.execute(delete(CoachReference).where(CoachReference.patient_id == patient_id,
                                                        CoachReference.exercise_id == exercise_id))
    return bool(getattr(gone, "rowcount", 0))


def with_reference(session: Session, patient_id: int, result: CoachResult) -> CoachResult:
    """``result`` compared with the patient's reference set of its exercise, if there is one."""
    reference = reference_result(session, patient_id, result.exercise)
    return result if reference is None else compare_with_reference(result, reference)

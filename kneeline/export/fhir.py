"""A patient's record as a FHIR R4 Bundle (type ``collection``).

Resources:

- ``Patient``: name (when known) and administrative gender from the intake.
- ``Observation`` for each summary metric of each assessment (mean over reps as ``valueQuantity``
  in UCUM degrees; components: SD, number of reps, smallest detectable difference, and for pelvis
  and trunk values the largest expected error over reps), one for the camera view (yaw and its
  uncertainty), and one for each questionnaire score and pain rating.  A metric the capture gate
  withheld has no value: ``dataAbsentReason`` ``not-performed`` with the text "not measured from
  this view".
- ``QuestionnaireResponse`` for each day's AKPS, KOOS-PF and NPRS answers.
- ``CarePlan`` for the program: one ``activity.detail`` per exercise with its dose and weekly
  schedule (a referral instead gives a CarePlan ``on-hold`` whose description is the advice).

Codes: LOINC where one exists — ``72514-3`` "Pain severity - 0-10 verbal numeric rating [Score] -
Reported" for pain now and for pain before a session.  LOINC has no code for the knee frontal-
plane projection angle, 2D pelvic obliquity/drop, lateral trunk lean, squat depth, body yaw to
the camera, the AKPS (Kujala) score, the KOOS-PF score or "worst pain in the last week" as
kneeline asks it; these use kneeline's own code system :data:`KNEELINE_CODES`.  Observation
categories come from ``http://terminology.hl7.org/CodeSystem/observation-category`` (``exam``
for movement measures, ``survey`` for scores); units from UCUM.

The resources follow R4 (4.0.1); the tests validate them with ``fhir.resources``' R4B models (R4's
technical correction, identical for these resources), the R4-family models that work with
pydantic 2.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from kneeline.report.compare import METRIC_LABELS, NOT_MEASURED
from kneeline.report.record import PatientRecord, ScoreDay
from kneeline.report.result import AnalysisResult, MetricSummary
from kneeline.report.source import AnalysisSource

__all__ = ["LOINC", "KNEELINE_CODES", "UCUM", "build_bundle", "QUESTIONNAIRES"]

LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
KNEELINE_CODES = "urn:kneeline:fhir:codes"
"""kneeline's own code system, for measures LOINC has no code for."""
QUESTIONNAIRES: dict[str, str] = {
    "akps": "urn:kneeline:fhir:questionnaire:akps",
    "koos_pf": "urn:kneeline:fhir:questionnaire:koos-pf",
    "nprs": "urn:kneeline:fhir:questionnaire:nprs",
}
"""Canonical ids of the questionnaires kneeline asks (no published FHIR Questionnaire exists for them)."""

_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
_ABSENT = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
_PAIN_NOW = {"system": LOINC, "code": "72514-3",
             "display": "Pain severity - 0-10 verbal numeric rating [Score] - Reported"}
_GENDER = {"female": "female", "male": "male", "other": "other"}
_ERROR_FIELD = {"pelvic_drop_deg": "pelvic_error_deg", "pelvic_drop_max_deg": "pelvic_error_deg",
                "pelvic_obliquity_deg": "pelvic_error_deg", "trunk_lean_deg": "trunk_lean_error_deg"}


def _urn() -> str:
    return f"urn:uuid:{uuid.uuid4()}"


def _code(code: str, display: str, system: str = KNEELINE_CODES) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _category(code: str) -> list[dict[str, Any]]:
    return [{"coding": [{"system": _CATEGORY, "code": code}]}]


def _quantity(value: float, unit: str) -> dict[str, Any]:
    ucum = {"deg": ("deg", "°"), "s": ("s", "s"), "score": ("{score}", "points"), "n": ("1", "reps")}
    code, text = ucum.get(unit, ("1", unit))
    return {"value": value, "unit": text, "system": UCUM, "code": code}


def _when(result: AnalysisResult) -> str:
    return result.provenance.created_utc


def _metric_observation(subject: str, result: AnalysisResult, side: str, name: str,
                        m: MetricSummary) -> dict[str, Any]:
    label = f"{METRIC_LABELS.get(name, name)}, {side}, {result.test} (2D video)"
    unit = "deg" if m.unit == "deg" else ("s" if m.unit == "s" else "ratio")
    obs: dict[str, Any] = {
        "resourceType": "Observation", "status": "final", "category": _category("exam"),
        "code": _code(f"{result.test}.{name}", label), "subject": {"reference": subject},
        "effectiveDateTime": _when(result),
        "method": {"text": f"one 2D video, {result.provenance.model}, kneeline {result.kneeline_version}; "
                           f"mean over repetitions"},
    }
    if side in ("left", "right"):
        obs["bodySite"] = {"text": f"{side} lower limb"}
    if m.mean is None:
        obs["dataAbsentReason"] = {"coding": [{"system": _ABSENT, "code": "not-performed"}],
                                   "text": f"{NOT_MEASURED} (withheld by the capture check)"}
        return obs
    obs["valueQuantity"] = _quantity(m.mean, unit)
    components = [{"code": _code("reps", "repetitions"), "valueInteger": m.n}]
    if m.sd is not None:
        components.append({"code": _code("sd", "standard deviation over repetitions"),
                           "valueQuantity": _quantity(m.sd, unit)})
    if m.sdd is not None:
        components.append({"code": _code("sdd", "smallest detectable difference"),
                           "valueQuantity": _quantity(m.sdd, unit)})
    errors = [getattr(r, _ERROR_FIELD[name]) for r in result.reps
              if name in _ERROR_FIELD and getattr(r, _ERROR_FIELD[name]) is not None]
    if errors:
        components.append({"code": _code("expected-error", "expected error for the view (largest over reps)"),
                           "valueQuantity": _quantity(max(errors), "deg")})
    obs["component"] = components
    if m.sdd_source:
        obs["note"] = [{"text": f"Smallest detectable difference: {m.sdd_source}"}]
    return obs


def _view_observation(subject: str, result: AnalysisResult) -> dict[str, Any]:
    cap = result.capture
    obs: dict[str, Any] = {"resourceType": "Observation", "status": "final", "category": _category("exam"),
                           "code": _code("view-yaw", "body turn to the camera (0 = facing it)"),
                           "subject": {"reference": subject}, "effectiveDateTime": _when(result),
                           "interpretation": [{"text": f"view: {cap.view}"}]}
    if cap.yaw_deg is None:
        obs["dataAbsentReason"] = {"coding": [{"system": _ABSENT, "code": "unknown"}], "text": "view not estimated"}
    else:
        obs["valueQuantity"] = _quantity(cap.yaw_deg, "deg")
        if cap.yaw_uncertainty_deg is not None:
            obs["component"] = [{"code": _code("yaw-uncertainty", "expected error of the yaw"),
                                 "valueQuantity": _quantity(cap.yaw_uncertainty_deg, "deg")}]
    if cap.warnings:
        obs["note"] = [{"text": w} for w in cap.warnings]
    return obs


def _score_observations(subject: str, day: ScoreDay, answered: dict[str, str]) -> list[dict[str, Any]]:
    when = day.date.isoformat() if day.date else None
    out = []
    for attr, code, unit in (("nprs_now", _PAIN_NOW, "score"),
                             ("nprs_worst_week", {"system": KNEELINE_CODES, "code": "nprs-worst-week",
                                                  "display": "Worst knee pain in the last week, 0-10"}, "score"),
                             ("akps", {"system": KNEELINE_CODES, "code": "akps-total",
                                       "display": "Anterior Knee Pain Scale (Kujala) total, 0-100"}, "score"),
                             ("koos_pf", {"system": KNEELINE_CODES, "code": "koos-pf-score",
                                          "display": "KOOS Patellofemoral subscale score, 0-100"}, "score")):
        v = getattr(day, attr)
        if v is None:
            continue
        obs: dict[str, Any] = {"resourceType": "Observation", "status": "final", "category": _category("survey"),
                               "code": {"coding": [code], "text": code["display"]}, "subject": {"reference": subject},
                               "valueQuantity": _quantity(float(v), unit)}
        if when:
            obs["effectiveDateTime"] = when
        questionnaire = {"akps": "akps", "koos_pf": "koos_pf"}.get(attr, "nprs")
        if questionnaire in answered:
            obs["derivedFrom"] = [{"reference": answered[questionnaire]}]
        out.append(obs)
    return out


def _responses(subject: str, day: ScoreDay) -> dict[str, dict[str, Any]]:
    """QuestionnaireResponses of one day: questionnaire key -> resource."""
    items: dict[str, list[dict[str, Any]]] = {}
    if day.akps_answers:
        items["akps"] = [{"linkId": k, "answer": [{"valueCoding": {"system": f"{QUESTIONNAIRES['akps']}:answers",
                                                                   "code": v}}]} for k, v in day.akps_answers.items()]
    if day.koos_pf_answers:
        items["koos_pf"] = [{"linkId": k, "answer": [{"valueInteger": v}]} if v is not None else {"linkId": k}
                            for k, v in day.koos_pf_answers.items()]
    nprs = [{"linkId": k, "answer": [{"valueInteger": v}]}
            for k, v in (("nprs_now", day.nprs_now), ("nprs_worst_week", day.nprs_worst_week)) if v is not None]
    if nprs:
        items["nprs"] = nprs
    out = {}
    for key, answers in items.items():
        qr: dict[str, Any] = {"resourceType": "QuestionnaireResponse", "questionnaire": QUESTIONNAIRES[key],
                              "status": "completed", "subject": {"reference": subject}, "item": answers}
        if day.date:
            qr["authored"] = day.date.isoformat()
        out[key] = qr
    return out


def _care_plan(subject: str, record: PatientRecord) -> dict[str, Any] | None:
    response = record.program
    if response is None:
        return None
    plan: dict[str, Any] = {"resourceType": "CarePlan", "intent": "plan", "subject": {"reference": subject},
                            "title": "kneeline hip-and-knee exercise program"}
    if response.program is None:
        advice = response.referral.advice if response.referral else "see a clinician first"
        return {**plan, "status": "on-hold", "description": f"No exercise program: {advice}"}
    program = response.program
    plan["status"] = "active"
    plan["description"] = (f"{program.weeks} weeks, {program.sessions_per_week} sessions a week; "
                           f"starting level: {program.pain_band}")
    if program.start_date:
        plan["period"] = {"start": program.start_date.isoformat()}
    activities = []
    for e in program.exercises:
        dose = f"{e.sets} x {e.reps}" if e.reps else f"{e.sets} x hold {e.hold_s} s"
        activities.append({"detail": {
            "code": _code(f"exercise.{e.id}", e.name), "status": "scheduled",
            "description": f"{dose}{' each side' if e.each_side else ''}, rest {e.rest_s} s; from week "
                           f"{e.start_week}; {e.phase}. {' '.join(e.cues)}".strip(),
            "scheduledTiming": {"repeat": {"frequency": program.sessions_per_week, "period": 1, "periodUnit": "wk"}},
        }})
    plan["activity"] = activities
    return plan


def _log_observations(subject: str, record: PatientRecord) -> list[dict[str, Any]]:
    if record.log is None:
        return []
    out = []
    for logged in record.log.sessions:
        entry = logged.entry
        out.append({"resourceType": "Observation", "status": "final", "category": _category("survey"),
                    "code": {"coding": [_PAIN_NOW], "text": "Knee pain before an exercise session, 0-10"},
                    "subject": {"reference": subject}, "effectiveDateTime": entry.date.isoformat(),
                    "valueQuantity": _quantity(float(entry.pain_before), "score")})
    return out


def _patient(record: PatientRecord) -> dict[str, Any]:
    patient: dict[str, Any] = {"resourceType": "Patient"}
    if record.name:
        patient["name"] = [{"text": record.name}]
    if record.patient_id:
        patient["identifier"] = [{"system": "urn:kneeline:fhir:patient-id", "value": record.patient_id}]
    patient["gender"] = _GENDER.get(record.intake.sex, "unknown") if record.intake else "unknown"
    return patient


def build_bundle(record: PatientRecord, analyses: Sequence[AnalysisSource] = ()) -> dict[str, Any]:
    """The patient's record as a FHIR R4 Bundle (a JSON-ready dict).

    Parameters
    ----------
    record
        Name, intake, scores by day, program and training log.
    analyses
        Finished movement assessments (``result.json``).
    """
    patient_urn = _urn()
    entries: list[tuple[str, dict[str, Any]]] = [(patient_urn, _patient(record))]
    for source in analyses:
        result = source.result
        entries.append((_urn(), _view_observation(patient_urn, result)))
        for side in ("left", "right", "both"):
            summary = getattr(result.summary, side)
            if summary is None:
                continue
            entries += [(_urn(), _metric_observation(patient_urn, result, side, name, m))
                        for name, m in summary.metrics.items()]
    for day in record.scores:
        answered: dict[str, str] = {}
        for key, qr in _responses(patient_urn, day).items():
            answered[key] = _urn()
            entries.append((answered[key], qr))
        entries += [(_urn(), obs) for obs in _score_observations(patient_urn, day, answered)]
    entries += [(_urn(), obs) for obs in _log_observations(patient_urn, record)]
    plan = _care_plan(patient_urn, record)
    if plan is not None:
        entries.append((_urn(), plan))
    return {"resourceType": "Bundle", "type": "collection",
            "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
            "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries]}

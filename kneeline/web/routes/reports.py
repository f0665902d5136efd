"""Reports, before/after comparison and the FHIR export: for the patient and a linked clinician.

- ``/analyses/{id}/report``: the assessment report as PDF (``?format=html``: the same document as
  HTML, downloaded), optionally compared with an earlier assessment (``?previous=ID``).
- ``/analyses/{id}/compare``: pick an earlier assessment of the same test (``?with=ID``): the change
  per measure against its smallest detectable difference, the key frames of matching reps side by
  side, and the two annotated videos playing rep by rep in sync (``static/compare.js``).
- ``/patients/{id}/fhir``: the record as a FHIR R4 Bundle (JSON download).
"""

from __future__ import annotations

import base64
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from kneeline.assess.questionnaires import NPRS_MAX
from kneeline.errors import ValidationError
from kneeline.report.compare import compare
from kneeline.report.record import PatientRecord, ScoreDay
from kneeline.report.result import AnalysisResult
from kneeline.report.source import AnalysisSource, from_result
from kneeline.store.models import Analysis, OutcomeRecord, User
from kneeline.store.records import (
    current_program,
    intake_of,
    latest_intake,
    outcome_rows,
    program_of,
    stored_result,
    training_log,
)
from kneeline.web.deps import AuthDep, IdPath, SessionDep, get_ctx, visible_patient
from kneeline.web.render import error_page, page
from kneeline.web.routes.analyses import TEST_LABELS, visible_analysis

router = APIRouter()

OptionalId = Annotated[int | None, Query(ge=1, le=2**63 - 1)]


def _source(request: Request, row: Analysis) -> AnalysisSource | str:
    """The finished analysis of ``row``, or what to say when there is none."""
    if row.status in ("queued", "running"):
        return "This analysis is still running. The report can be made when it has finished."
    if row.status == "failed":
        return f"This analysis failed, so there is nothing to report: {row.error or 'no result'}"
    result = stored_result(row)
    if not isinstance(result, AnalysisResult):
        return ("This analysis has no movement-test result to report (a coached set, or a result that is "
                "missing or damaged).")
    folder = get_ctx(request).files.analysis_dir(row.id)
    return from_result(result, folder, label=f"analysis {row.id}", patient=str(row.patient_id))


def _day(row: OutcomeRecord) -> ScoreDay:
    answers: dict[str, Any] = row.answers or {}
    worst = answers.get("nprs_worst_week")
    akps, koos = answers.get("akps"), answers.get("koos_pf")
    return ScoreDay(date=row.taken_on, nprs_now=row.nprs,
                    nprs_worst_week=worst if isinstance(worst, int) and 0 <= worst <= NPRS_MAX else None,
                    akps=row.akps, koos_pf=row.koos_pf, akps_answers=akps if isinstance(akps, dict) else None,
                    koos_pf_answers=koos if isinstance(koos, dict) else None)


def patient_record(session: Session, patient: User) -> PatientRecord:
    """The patient's record from the database, as the report and the FHIR export read it."""
    intake_row = latest_intake(session, patient.id)
    program_row = current_program(session, patient.id)
    log = None
    if program_row is not None and program_row.status == "program":
        try:
            _, log = training_log(session, program_row)
        except ValidationError:  # no exercise program (a referral): no sessions to log
            log = None
    return PatientRecord(name=patient.name, patient_id=str(patient.id),
                         intake=intake_of(intake_row) if intake_row is not None else None,
                         scores=[_day(r) for r in outcome_rows(session, patient.id)],
                         program=program_of(program_row) if program_row is not None else None, log=log)


@router.get("/analyses/{analysis_id}/report")
def analysis_report(request: Request, analysis_id: IdPath, auth: AuthDep, session: SessionDep,
                    output: Annotated[str, Query(alias="format", pattern="^(pdf|html)$")] = "pdf",
                    previous: OptionalId = None) -> Response:
    """The assessment report as a PDF (or HTML) download."""
    from kneeline.errors import KneelineError
    from kneeline.report.document import render_html, render_pdf, report_context

    row = visible_analysis(session, auth, analysis_id)
    source = _source(request, row)
    if isinstance(source, str):
        return error_page(request, 409, "No report for this analysis", source)
    before: AnalysisSource | None = None
    if previous is not None:
        earlier = _source(request, visible_analysis(session, auth, previous))
        if isinstance(earlier, str):
            return error_page(request, 409, "The earlier analysis cannot be compared", earlier)
        before = earlier
    patient = visible_patient(session, auth, row.patient_id)
    html = render_html(report_context(source, patient_record(session, patient), before))
    name = f"kneeline-report-{row.id}"
    headers = {"Cache-Control": "private, no-store"}
    if output == "html":
        headers["Content-Disposition"] = f'attachment; filename="{name}.html"'
        return Response(html, media_type="text/html; charset=utf-8", headers=headers)
    try:
        pdf = render_pdf(html)
    except KneelineError as exc:
        return error_page(request, 503, "The PDF cannot be made on this server", str(exc))
    headers["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return Response(pdf, media_type="application/pdf", headers=headers)


def _choices(session: Session, row: Analysis) -> list[Analysis]:
    return list(session.scalars(select(Analysis).where(
        Analysis.patient_id == row.patient_id, Analysis.kind == "test", Analysis.status == "done",
        Analysis.id != row.id).order_by(Analysis.id.desc())).all())


def _uri(png: bytes | None) -> str | None:
    return None if png is None else "data:image/png;base64," + base64.b64encode(png).decode("ascii")


@router.get("/analyses/{analysis_id}/compare")
def analysis_compare(request: Request, analysis_id: IdPath, auth: AuthDep, session: SessionDep,
                     with_id: Annotated[int | None, Query(alias="with", ge=1, le=2**63 - 1)] = None) -> Response:
    """Pick an earlier assessment, then see both side by side with the change per measure."""
    from kneeline.report.keyframes import key_frames

    row = visible_analysis(session, auth, analysis_id)
    after = _source(request, row)
    if isinstance(after, str):
        return error_page(request, 409, "This analysis cannot be compared", after)
    if with_id is None:
        return page(request, "compare.html", a=row, choices=_choices(session, row), labels=TEST_LABELS,
                    comparison=None)
    other = visible_analysis(session, auth, with_id)
    before = _source(request, other)
    if isinstance(before, str):
        return error_page(request, 409, "The other analysis cannot be compared", before)
    comparison = compare(before, after)
    pairs = []
    if comparison.comparable:
        left = key_frames(before, [p.before for p in comparison.pairs], height=300)
        right = key_frames(after, [p.after for p in comparison.pairs], height=300)
        pairs = [{"pair": p, "before": _uri(b.png), "before_note": b.note, "after": _uri(a.png),
                  "after_note": a.note} for p, b, a in zip(comparison.pairs, left, right, strict=True)]
    reps = {"before": [[p.before.start_s, p.before.end_s] for p in comparison.pairs],
            "after": [[p.after.start_s, p.after.end_s] for p in comparison.pairs]}
    return page(request, "compare.html", a=row, other=other, comparison=comparison, pairs=pairs,
                labels=TEST_LABELS, reps=json.dumps(reps), choices=_choices(session, row),
                videos={"before": "annotated.webm" in (other.files or []),
                        "after": "annotated.webm" in (row.files or [])})


@router.get("/patients/{patient_id}/fhir")
def patient_fhir(request: Request, patient_id: IdPath, auth: AuthDep, session: SessionDep) -> Response:
    """The patient's record as a FHIR R4 Bundle (JSON download)."""
    from kneeline.export.fhir import build_bundle

    patient = visible_patient(session, auth, patient_id)
    rows = session.scalars(select(Analysis).where(Analysis.patient_id == patient.id, Analysis.kind == "test",
                                                  Analysis.status == "done").order_by(Analysis.id)).all()
    analyses = [s for s in (_source(request, r) for r in rows) if not isinstance(s, str)]
    bundle = build_bundle(patient_record(session, patient), analyses)
    return Response(json.dumps(bundle, indent=2, ensure_ascii=False), media_type="application/fhir+json",
                    headers={"Content-Disposition": f'attachment; filename="kneeline-fhir-{patient.id}.json"',
                             "Cache-Control": "private, no-store"})

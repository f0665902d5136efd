"""Movement tests: setup instructions, upload or camera recording, job progress, results and files."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import FileResponse, JSONResponse, Response
from sqlalchemy.orm import Session

from kneeline.assess.findings import assess
from kneeline.capture.gate import SETUP_ADVICE
from kneeline.coach.result import CoachResult
from kneeline.errors import InputError
from kneeline.evidence import value
from kneeline.pipeline import TESTS
from kneeline.report.result import AnalysisResult
from kneeline.store.models import Analysis
from kneeline.store.records import DAMAGED_MESSAGE, intake_of, latest_intake, stored_result
from kneeline.web.deps import (
    Auth,
    AuthDep,
    CsrfDep,
    Forbidden,
    IdPath,
    NotFound,
    PatientDep,
    SessionDep,
    get_ctx,
    visible_patient,
)
from kneeline.web.render import error_page, page, redirect
from kneeline.web.routes.setup import setup_warning

router = APIRouter()

OUTPUT_FILES: dict[str, str] = {
    "result.json": "application/json",
    "frames.csv": "text/csv",
    "plot.png": "image/png",
    "annotated.mp4": "video/mp4",
    "annotated.webm": "video/webm",
}
"""The derived files a browser may fetch, with their content types."""

TEST_LABELS: dict[str, str] = {
    "single-leg-squat": "Single-leg squat",
    "squat": "Squat (both legs)",
    "single-leg-stance": "Single-leg stance (Trendelenburg)",
    "gait": "Walking/running",
}


def _instructions() -> dict[str, list[str]]:
    hold = value("movement_tests.yaml", "trendelenburg_hold_s")
    return {
        "single-leg-squat": ["Stand on one leg, arms crossed or on your hips.",
                             "Squat slowly as deep as is comfortable (about half-way), then stand up. "
                             "Do 5 on each leg, one leg after the other.",
                             "Keep the other foot off the floor the whole time."],
        "squat": ["Stand with feet hip-width apart.", "Do 5 slow squats as deep as is comfortable."],
        "single-leg-stance": ["Stand on one leg for as long as you can, up to "
                              f"{hold:g} s, hands on your hips.", "Then do the other leg."],
        "gait": _gait_instructions(),
    }


def _gait_instructions() -> list[str]:
    steps = int(value("gait.yaml", "min_steps_per_side"))
    return ["Put the phone at hip height at the end of a straight path, facing along it (walk over the "
            "ground: a treadmill moves the standing foot and is not supported).",
            f"Walk or run towards the phone at your usual pace for at least {2 * steps + 4} steps "
            f"({steps} on each foot are needed for averaged values), keeping your whole body in the picture. "
            "Start far enough away, or walk away from the phone and back.",
            "Keep facing the phone: walking across the picture (side-on) cannot show pelvic drop or trunk lean."]


def upload_limit_bytes(request: Request) -> int:
    """The largest video accepted, in bytes (``web.max_upload_mb``)."""
    return int(get_ctx(request).settings.web.max_upload_mb * 1024 * 1024)


def too_large_message(size_bytes: int, limit_bytes: int) -> str:
    """What to say when an upload is over the limit."""
    from kneeline.store.files import megabytes

    return (f"the video is {megabytes(size_bytes)} MB; the limit is {megabytes(limit_bytes)} MB. "
            "Record a shorter clip (10-30 s is enough) or lower the phone's video resolution. Nothing was stored.")


@router.get("/tests")
def tests_page(request: Request, auth: PatientDep) -> Response:
    """Choose a test; setup instructions; record with the camera or upload a file."""
    return page(request, "tests.html", tests=TESTS, labels=TEST_LABELS, instructions=_instructions(),
                setup=SETUP_ADVICE, max_mb=get_ctx(request).settings.web.max_upload_mb)


def create_analysis(request: Request, auth: Auth, upload: UploadFile, test: str, side: str, kind: str,
                    setup_warning: str | None = None) -> int:
    """Store an uploaded video (content-addressed), add its analysis row and queue the job.

    ``setup_warning``: the camera recording started before the setup checks were met; the
    analysis's capture warnings will carry it.

    Raises
    ------
    InputError
        If the file is empty, too large or not a video (then nothing is stored).
    """
    ctx = get_ctx(request)
    stored = ctx.files.ingest_video(upload.file, filename=upload.filename or "video",
                                    max_bytes=upload_limit_bytes(request))
    with ctx.db.session() as session:
        row = Analysis(patient_id=auth.user.id, kind=kind, test=test, side=side, video_sha256=stored.sha256,
                       video_name=(upload.filename or "video")[:255], video_bytes=stored.size,
                       setup_warning=setup_warning)
        session.add(row)
        session.flush()
        analysis_id = row.id
    ctx.jobs.submit(analysis_id)
    return analysis_id


@router.post("/tests/upload")
def upload(request: Request, auth: PatientDep, _csrf: CsrfDep,
           test: Annotated[str, Form()] = "", side: Annotated[str, Form()] = "auto",
           video: Annotated[UploadFile | None, File()] = None,
           setup_unmet: Annotated[str, Form(max_length=200)] = "") -> Response:
    """Store the video (content-addressed) and queue its analysis.

    ``setup_unmet``: the setup checks not met when the camera recording started (``"ok"``: all met;
    empty for a chosen file), see :mod:`kneeline.web.routes.setup`.
    """
    errors: dict[str, str] = {}
    if test not in TESTS:
        errors["test"] = f"got {test!r}; choose one of {', '.join(TESTS)}"
    if side not in ("left", "right", "auto"):
        errors["side"] = f"got {side!r}; choose left, right or auto"
    if video is None or not video.filename:
        errors["video"] = "choose a video file (mp4, mov, avi or webm) or record one with the camera"
    if errors:
        return page(request, "tests.html", status_code=400, errors=errors, tests=TESTS, labels=TEST_LABELS,
                    instructions=_instructions(), setup=SETUP_ADVICE,
                    max_mb=get_ctx(request).settings.web.max_upload_mb)
    assert video is not None
    try:
        analysis_id = create_analysis(request, auth, video, test, side, "test", setup_warning(setup_unmet))
    except InputError as exc:
        return error_page(request, 400, "This video cannot be used", f"{exc} Nothing was stored.")
    return redirect(f"/analyses/{analysis_id}")


def visible_analysis(session: Session, auth: Auth, analysis_id: int) -> Analysis:
    """The analysis if its patient's record is visible to ``auth``.

    Raises
    ------
    NotFound
        Both when there is no such analysis and when it is someone else's (the answer must not tell
        which ids exist).
    """
    row = session.get(Analysis, analysis_id)
    if row is None:
        raise NotFound("There is no such analysis.")
    try:
        visible_patient(session, auth, row.patient_id)
    except Forbidden:
        raise NotFound("There is no such analysis.") from None
    return row


def _damaged_view(row: Analysis) -> SimpleNamespace:
    """A read-only copy of ``row`` shown as failed with :data:`DAMAGED_MESSAGE` (the row is not changed)."""
    values = {column.key: getattr(row, column.key) for column in Analysis.__table__.columns}
    return SimpleNamespace(**{**values, "status": "failed", "error": DAMAGED_MESSAGE})


def _plain(session: Session, row: Analysis, result: AnalysisResult) -> dict[str, Any]:
    """The result in plain words (the intake, when there is one, picks the reference range) and its tables."""
    from kneeline.report.gait_table import STEP_NOTE, step_table
    from kneeline.report.plain import plain_result
    from kneeline.report.tables import rep_table, summary_table

    intake_row = latest_intake(session, row.patient_id)
    intake = intake_of(intake_row) if intake_row is not None else None
    plain = (plain_result(result, intake.sex, intake.knee) if intake is not None else plain_result(result))
    return {"plain": plain, "rep_tab": rep_table(result), "summary_tab": summary_table(result),
            "step_tab": step_table(result) if result.steps else None, "step_note": STEP_NOTE}


def _findings(session: Session, row: Analysis, result: AnalysisResult) -> list[Any]:
    intake_row = latest_intake(session, row.patient_id)
    if intake_row is None or row.kind != "test":
        return []
    return [f for f in assess(intake_of(intake_row), [result]).findings if f.test is not None]


@router.get("/analyses/{analysis_id}")
def analysis_page(request: Request, analysis_id: IdPath, auth: AuthDep, session: SessionDep) -> Response:
    """Progress while the job runs; the results when it is done (a damaged stored result: said so)."""
    row = visible_analysis(session, auth, analysis_id)
    loaded = stored_result(row)
    result = loaded if isinstance(loaded, AnalysisResult) else None
    coach = loaded if isinstance(loaded, CoachResult) else None
    if row.result is not None and loaded is None:
        return page(request, "analysis.html", a=_damaged_view(row), result=None, coach=None, labels=TEST_LABELS,
                    findings=[], files=[])
    return page(request, "analysis.html", a=row, result=result, coach=coach, labels=TEST_LABELS,
                findings=_findings(session, row, result) if result else [],
                files=[f for f in (row.files or []) if f in OUTPUT_FILES],
                **(_plain(session, row, result) if result else {}))


@router.get("/analyses/{analysis_id}/status")
def analysis_status(analysis_id: IdPath, auth: AuthDep, session: SessionDep) -> Response:
    """The job's state as JSON (polled by the page)."""
    row = visible_analysis(session, auth, analysis_id)
    return JSONResponse({"id": row.id, "status": row.status, "progress": row.progress, "stage": row.stage,
                         "error": row.error}, headers={"Cache-Control": "no-store"})


@router.get("/analyses/{analysis_id}/files/{name}")
def analysis_file(request: Request, analysis_id: IdPath, name: str, auth: AuthDep, session: SessionDep) -> Response:
    """One derived file of a finished analysis."""
    row = visible_analysis(session, auth, analysis_id)
    if name not in OUTPUT_FILES or name not in (row.files or []):
        raise NotFound("This analysis has no such file.")
    path = get_ctx(request).files.analysis_dir(row.id) / name
    if not path.is_file():
        raise NotFound("This file is missing; run the analysis again.")
    return FileResponse(path, media_type=OUTPUT_FILES[name], headers={"Cache-Control": "private, no-store"})


@router.post("/analyses/{analysis_id}/delete")
def analysis_delete(request: Request, analysis_id: IdPath, auth: PatientDep, session: SessionDep,
                    _csrf: CsrfDep) -> Response:
    """Delete one of the patient's own analyses and its files (the video too, unless used elsewhere).

    The row goes first (committed), then the files; a file left by a failure is swept later.
    """
    from kneeline.store.rights import delete_analysis

    visible_analysis(session, auth, analysis_id)
    session.rollback()
    ctx = get_ctx(request)
    delete_analysis(ctx.db, ctx.files, analysis_id)
    return redirect("/home")

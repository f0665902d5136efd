"""Live coaching: the browser streams its camera; the server counts reps and sends cues back.

Protocol on ``/coach/{exercise_id}/ws`` (same-origin, signed-in patients only):

- browser -> server, binary: 8 bytes little-endian float64 capture time (ms, the page's clock),
  then one JPEG frame (reduced resolution, 10-15 frames/s; the page sends the next frame only
  after the answer to the previous one, so a slow machine drops frames instead of queueing them);
- server -> browser, JSON ``{"t": capture_ms, "state": LiveState, "server_ms": ...}``;
- query ``?setup=ok`` or ``?setup=<unmet check ids>``: the page's setup assistant
  (:mod:`kneeline.web.routes.setup`) ran first; a set started before every check was met carries
  that warning in its ``messages``;
- browser -> server, text ``{"type": "finish"}``: the set is saved (a partial set too) and the
  server answers ``{"type": "saved", "set_id": ..., "count": ..., "quality": ...}``.

A dropped connection also saves what was counted.  Every message is validated: a text frame that is
not a JSON object closes the socket with code 1007, an unknown message type with 1003 (each with a
reason); a user may hold ``web.max_live_sockets`` sockets at once (more are closed with 1008), and
each socket's pose model is freed when it closes.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

import numpy as np
from fastapi import APIRouter, File, Form, Request, UploadFile, WebSocket, WebSocketDisconnect
from fastapi.responses import Response
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from kneeline.errors import InputError
from kneeline.program.library import load_library
from kneeline.store.models import CoachedSet, User
from kneeline.store.references import reference_result, with_reference
from kneeline.web.deps import SESSION_COOKIE, CsrfDep, NotFound, PatientDep, SessionDep, get_ctx
from kneeline.web.live_socket import answer_frame, with_socket_slot
from kneeline.web.render import error_page, page, redirect
from kneeline.web.routes.analyses import create_analysis
from kneeline.web.routes.setup import setup_warning
from kneeline.web.security import find_session

router = APIRouter()

"""Largest JPEG frame accepted over the socket (a 640-px frame is ~30-80 kB)."""


def _movement(exercise_id: str) -> Any:
    from kneeline.coach.definitions import get_movement

    try:
        return get_movement(exercise_id)
    except (InputError, KeyError):
        raise NotFound(f"kneeline cannot coach {exercise_id!r} with the camera.") from None


@router.post("/coach/{exercise_id}/upload")
def coach_upload(request: Request, exercise_id: str, auth: PatientDep, _csrf: CsrfDep,
                 side: Annotated[str, Form()] = "auto",
                 video: Annotated[UploadFile | None, File()] = None) -> Response:
    """Coach a recorded set: store the video and queue a coaching job (count, faults, annotated video)."""
    movement = _movement(exercise_id)
    if side not in ("left", "right", "auto") or video is None or not video.filename:
        return error_page(request, 400, "Check the form", "choose a video file of one set, and the working leg "
                          "(left, right or auto). Nothing was stored.")
    try:
        analysis_id = create_analysis(request, auth, video, movement.id, side, "coach")
    except InputError as exc:
        return error_page(request, 400, "This video cannot be used", f"{exc} Nothing was stored.")
    return redirect(f"/analyses/{analysis_id}")


@router.get("/coach/{exercise_id}")
def coach_page(request: Request, exercise_id: str, auth: PatientDep, session: SessionDep) -> Response:
    """The live page: camera preview, rep counter, cues and hold timer."""
    movement = _movement(exercise_id)
    exercise = load_library().get(movement.id)
    recent = session.scalars(select(CoachedSet).where(CoachedSet.patient_id == auth.user.id,
                                                      CoachedSet.exercise_id == movement.id)
                             .order_by(CoachedSet.id.desc()).limit(5)).all()
    from kneeline.coach.compare import reference_legs_text

    reference = reference_result(session, auth.user.id, movement.id)
    offer = recent[0] if recent and reference is None and _can_be_own_reference(recent[0]) else None
    return page(request, "coach.html", movement=movement, exercise=exercise, recent=recent,
                reference=reference, reference_legs=reference_legs_text(reference) if reference else None,
                offer=offer)


def _own_reference_problem(row: CoachedSet) -> str | None:
    """Why a patient's own set cannot become their first reference (None when it can), in plain words.

    It can when it is complete, every rep is free of form faults, and it can serve as a reference
    (:func:`kneeline.coach.compare.reference_problem`: enough usable reps, filmed from the view the
    exercise is coached from).
    """
    from kneeline.coach.compare import fault_free, reference_problem
    from kneeline.coach.result import CoachResult

    if row.partial or not row.result:
        return "the set was cut short (you went out of view, or frames were lost): record a complete set"
    result = CoachResult.model_validate(row.result)
    if not fault_free(result):
        return "not every repetition was good (a form fault was found in at least one)"
    return reference_problem(result)


def _can_be_own_reference(row: CoachedSet) -> bool:
    """A patient's own set may become their first reference (see :func:`_own_reference_problem`)."""
    return _own_reference_problem(row) is None


@router.post("/coach/{exercise_id}/reference")
def coach_own_reference(request: Request, exercise_id: str, auth: PatientDep, session: SessionDep, _csrf: CsrfDep,
                        set_id: Annotated[str, Form()] = "") -> Response:
    """The patient confirms their latest set (all reps good) as their first reference set of the exercise.

    Only while there is none: a reference their clinician chose is never replaced from here.
    """
    from kneeline.errors import ValidationError
    from kneeline.store.references import set_reference

    movement = _movement(exercise_id)
    if reference_result(session, auth.user.id, movement.id) is not None:
        return error_page(request, 400, "You already have a reference set", "only your clinician can change it.")
    row = session.get(CoachedSet, int(set_id)) if set_id.isdigit() else None
    if row is None or row.patient_id != auth.user.id or row.exercise_id != movement.id:
        return error_page(request, 400, "Choose one of your sets", f"choose one of your own {movement.id} sets.")
    problem = _own_reference_problem(row)
    if problem is not None:
        return error_page(request, 400, "This set cannot be your reference",
                          f"{problem[:1].upper()}{problem[1:]}. Only a complete set whose every repetition was good "
                          "(no form fault) can be; ask your clinician to choose one.")
    try:
        set_reference(session, auth.user.id, "live", row.id, by_id=auth.user.id)
    except ValidationError as exc:
        return error_page(request, 400, "This set cannot be your reference", str(exc))
    return redirect(f"/coach/{movement.id}")


def _user_for(websocket: WebSocket) -> User | None:
    ctx = get_ctx(websocket)  # type: ignore[arg-type]
    with ctx.db.session() as session:
        found = find_session(session, websocket.cookies.get(SESSION_COOKIE))
        user = session.get(User, found.user_id) if found is not None else None
        if user is not None:
            session.expunge(user)
        return user if user is not None and user.role == "patient" else None


def _same_origin(websocket: WebSocket) -> bool:
    origin = websocket.headers.get("origin")
    host = websocket.headers.get("host")
    return origin is not None and host is not None and origin.split("://", 1)[-1] == host


class _Session:
    """One live set: the pose model and the coach, used from a worker thread."""

    def __init__(self, exercise_id: str) -> None:
        from kneeline.coach.live import LiveCoach
        from kneeline.pose.mediapipe_backend import MediaPipePose

        self.coach = LiveCoach(exercise_id)
        self.pose = MediaPipePose()
        self.frames = 0

    def push(self, t_ms: float, jpeg: bytes) -> dict[str, Any]:
        import cv2

        decoded = cv2.imdecode(np.frombuffer(jpeg, dtype=np.uint8), cv2.IMREAD_COLOR)
        if decoded is None:
            raise InputError("a camera frame could not be decoded; expected a JPEG image")
        image = np.asarray(decoded, dtype=np.uint8)
        frame = self.pose.process(np.asarray(cv2.cvtColor(image, cv2.COLOR_BGR2RGB), dtype=np.uint8))
        self.frames += 1
        state = self.coach.push(t_ms / 1000.0, frame.position, frame.confidence, image.shape[1], image.shape[0],
                                world=frame.world)
        return state.model_dump(mode="json")

    def close(self) -> None:
        self.pose.close()


def _save(websocket: WebSocket, user_id: int, live: _Session) -> CoachedSet | None:
    """Save the live set; None (nothing saved) when no frame came or nobody was ever in view."""
    if live.frames == 0 or not live.coach.person_seen():
        return None
    ctx = get_ctx(websocket)  # type: ignore[arg-type]
    with ctx.db.session() as session:
        result = with_reference(session, user_id, live.coach.finish())
        warning = setup_warning(websocket.query_params.get("setup"))  # started before the setup checks were met
        if warning is not None:
            result = result.model_copy(update={"messages": [*result.messages, warning]})
        row = CoachedSet(patient_id=user_id, exercise_id=result.exercise, count=result.count,
                         hold_s=result.hold_total_s, quality=result.quality, partial=result.partial,
                         result=result.model_dump(mode="json"))
        session.add(row)
        session.flush()
        session.expunge(row)
    return row


def _refusal(text: str) -> tuple[int, str] | None:
    """None for the one text message, ``{"type": "finish"}``; else the close code and reason it gets."""
    try:
        data = json.loads(text)
    except ValueError:
        return 1007, 'expected a JSON object such as {"type": "finish"}; got text that is not JSON'
    if not isinstance(data, dict) or not isinstance(data.get("type"), str):
        return 1007, f'expected a JSON object such as {{"type": "finish"}}; got {type(data).__name__}'
    if data["type"] != "finish":
        return 1003, f"unknown message type {data['type'][:40]!r}; the only one is 'finish'"
    return None


@router.websocket("/coach/{exercise_id}/ws")
async def coach_socket(websocket: WebSocket, exercise_id: str) -> None:
    """Run the live coach on the frames the page sends (at most ``web.max_live_sockets`` per user)."""
    user = _user_for(websocket)
    if user is None or not _same_origin(websocket):
        await websocket.close(code=1008, reason="sign in as a patient on this site first")
        return
    try:
        _movement(exercise_id)
    except NotFound as exc:
        await websocket.close(code=1008, reason=str(exc)[:120])
        return
    await websocket.accept()
    await with_socket_slot(websocket, user.id, "coaching", lambda: _coach_loop(websocket, user.id, exercise_id))


async def _coach_loop(websocket: WebSocket, user_id: int, exercise_id: str) -> None:
    """The live set on an accepted socket; the pose model is freed however the socket ends."""
    live = await run_in_threadpool(_Session, exercise_id)
    saved = False
    try:
        while True:
            message = await websocket.receive()
            if message["type"] == "websocket.disconnect":
                break
            data = message.get("bytes")
            if data is not None:
                await answer_frame(websocket, data, live.push, "state")
            elif message.get("text") is not None:
                refusal = _refusal(message["text"])
                if refusal is not None:
                    await websocket.close(code=refusal[0], reason=refusal[1][:120])
                    break
                row = await run_in_threadpool(_save, websocket, user_id, live)
                saved = True
                if row is None:  # nobody in view: an error that says why, never "0 reps"
                    from kneeline.coach.live import NOBODY_SEEN

                    await websocket.send_json({"type": "error", "message": NOBODY_SEEN})
                    break
                await websocket.send_json({"type": "saved", "set_id": row.id, "count": row.count,
                                           "quality": row.quality})
                break
    except WebSocketDisconnect:
        pass
    finally:
        try:
            if not saved:
                await run_in_threadpool(_save, websocket, user_id, live)
        finally:
            live.close()

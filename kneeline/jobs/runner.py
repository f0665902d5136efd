"""One analysis job, start to finish: ``run_analysis(database_url, data_dir, analysis_id)``.

The function runs in a worker process (or inline); it opens its own database engine and file
store.  The row moves ``queued``/``running`` -> ``running`` -> ``done`` | ``failed``:

* **claim** — one ``UPDATE`` marks the row running, counts the attempt, clears an old error and
  sets a *lease* (``lease_until``, setting ``web.job_lease_s``) that a heartbeat thread renews while
  the job runs.  Only a queued row, or a running row whose lease has run out (its worker died), can
  be claimed, so one job never has two runners; a runner finding the row leased waits for the lease
  to end.  The attempt number is the job's fencing token: every later write names it, so a run whose
  row was deleted (account deleted) or taken over by a newer attempt stops at its next progress write.
* **analyse** — the pipeline reports ``progress`` (0..1) and ``stage`` (text for the user) at
  most every :data:`PROGRESS_INTERVAL_S`.
* **publish** — the outputs are written into a hidden work folder beside ``analyses/<id>``, the
  browser copy ``annotated.webm`` is made there, and the folder is renamed into place.
* **finish** — ``result`` (``AnalysisResult`` as JSON), ``files`` and status ``done``.  A movement
  test also keeps its raw keypoints (``keypoints.csv``); with ``privacy.keep_keypoints_only`` the
  uploaded video is then deleted, and a later run of the job works from those keypoints.

A kneeline error (bad video, unusable capture, no repetitions) fails the job with its one-line
message, which the user sees.  Anything else fails it with a generic message; the traceback goes to
``data_dir/logs/jobs.log`` only.  A crash of the process leaves the row ``running`` for
:func:`kneeline.jobs.base.resumable_jobs`.
"""

from __future__ import annotations

import dataclasses
import logging
import shutil
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import CursorResult, or_, select, update

from kneeline.coach.result import CoachResult
from kneeline.errors import InputError, KneelineError
from kneeline.jobs.base import GAVE_UP_MESSAGE, MAX_ATTEMPTS
from kneeline.jobs.playback import WebmCopy
from kneeline.report.result import AnalysisResult, CaptureIssue
from kneeline.store.db import Database, open_database
from kneeline.store.files import FileStore
from kneeline.store.models import Analysis, utcnow
from kneeline.store.references import reference_result

__all__ = ["run_analysis", "claim", "release_leases", "LEASED", "PROGRESS_INTERVAL_S", "LOG_NAME",
           "internal_error_message"]

logger = logging.getLogger(__name__)

PROGRESS_INTERVAL_S = 0.25
"""Shortest time between two progress writes of one job (at most four a second)."""

KEYPOINTS_NAME = "keypoints.csv"
"""The raw keypoints of a movement test, kept with its outputs (re-analysis without the video)."""

WEBM_NAME = "annotated.webm"
"""The browser's copy of ``annotated.mp4`` (VP8; :class:`kneeline.jobs.playback.WebmCopy`)."""

LOG_NAME = "jobs.log"
"""File under ``data_dir/logs`` that receives the tracebacks of failed jobs."""

_Progress = Callable[[int, int], None]


def internal_error_message(analysis_id: int) -> str:
    """What the user sees when a job fails for a reason that is not their video's."""
    return (f"internal error while analysing this video (analysis {analysis_id}); details logged for the "
            "administrator. Try again later, or report it with this number.")


class _Cancelled(Exception):
    """The job's row was deleted or claimed by a newer attempt: stop quietly."""


@dataclass(frozen=True)
class _Job:
    """The claimed row's facts (read once, so no session stays open while the job runs)."""

    id: int
    attempt: int
    patient_id: int
    kind: str
    test: str
    side: str
    video_sha256: str
    video_name: str


class _Reporter:
    """Writes ``progress`` and ``stage`` of one job, throttled, and detects cancellation."""

    def __init__(self, db: Database, job: _Job, *, interval_s: float = PROGRESS_INTERVAL_S) -> None:
        self.db = db
        self.job = job
        self.interval_s = interval_s
        self._last = -float("inf")
        self._stage = ""

    def stage(self, text: str, progress: float) -> None:
        """Enter a new stage (always written)."""
        self._stage = text
        self._write(progress)

    def span(self, text: str, start: float, end: float) -> _Progress:
        """Enter stage ``text`` and return a ``progress(done, total)`` callback mapped onto start..end."""
        self.stage(text, start)

        def report(done: int, total: int) -> None:
            if time.monotonic() - self._last < self.interval_s:
                return
            fraction = min(1.0, done / total) if total > 0 else 0.0
            self._write(start + (end - start) * fraction)

        return report

    def _write(self, progress: float) -> None:
        with self.db.session() as session:
            hit = _rows(session.execute(
                update(Analysis).where(*_owned(self.job))
                .values(progress=round(min(max(progress, 0.0), 1.0), 4), stage=self._stage[:80])))
        self._last = time.monotonic()
        if hit == 0:
            raise _Cancelled


def _rows(result: Any) -> int:
    return int(result.rowcount) if isinstance(result, CursorResult) else 0


def _owned(job: _Job) -> tuple[Any, ...]:
    return Analysis.id == job.id, Analysis.status == "running", Analysis.attempts == job.attempt


LEASED: Literal["leased"] = "leased"
""":func:`claim` found the row running under another worker's live lease."""


def _claimable(now: datetime) -> Any:
    """Queued, or running with no live lease (its worker is gone)."""
    return or_(Analysis.status == "queued",
               (Analysis.status == "running") & or_(Analysis.lease_until.is_(None), Analysis.lease_until < now))


def claim(db: Database, analysis_id: int, lease_s: float) -> _Job | Literal["leased"] | None:
    """Claim the job for this runner in one ``UPDATE`` (at most one runner wins).

    Returns
    -------
    _Job, "leased" or None
        The claimed job; :data:`LEASED` when another runner's lease is live; None when the row is
        gone, finished, or given up (then marked failed with :data:`GAVE_UP_MESSAGE`).
    """
    now = utcnow()
    with db.session() as session:
        row = session.execute(
            update(Analysis).where(Analysis.id == analysis_id, _claimable(now), Analysis.attempts < MAX_ATTEMPTS)
            .values(status="running", attempts=Analysis.attempts + 1, started_at=now, finished_at=None,
                    progress=0.0, stage="starting", error=None, lease_until=now + timedelta(seconds=lease_s))
            .returning(Analysis.attempts, Analysis.patient_id, Analysis.kind, Analysis.test, Analysis.side,
                       Analysis.video_sha256, Analysis.video_name)).first()
        if row is not None:
            return _Job(analysis_id, *row)
        gave_up = _rows(session.execute(
            update(Analysis).where(Analysis.id == analysis_id, _claimable(now))
            .values(status="failed", stage="failed", error=GAVE_UP_MESSAGE, finished_at=now, lease_until=None)))
        if gave_up:
            return None
        status = session.scalar(select(Analysis.status).where(Analysis.id == analysis_id))
    return LEASED if status == "running" else None


def _claim_waiting(db: Database, analysis_id: int, lease_s: float) -> _Job | None:
    """:func:`claim`, waiting (up to one lease and a bit) while another runner's lease is live."""
    deadline = time.monotonic() + lease_s + 5.0
    while True:
        got = claim(db, analysis_id, lease_s)
        if got != LEASED:
            return got if isinstance(got, _Job) else None
        if time.monotonic() > deadline:
            logger.info("analysis %d is running under another worker's lease; leaving it to that worker",
                        analysis_id)
            return None
        time.sleep(min(1.0, lease_s / 4))


class _Heartbeat:
    """Renews a claimed job's lease every third of the lease while the job runs (a daemon thread)."""

    def __init__(self, db: Database, job: _Job, lease_s: float) -> None:
        self.db, self.job, self.lease_s = db, job, lease_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"lease-{job.id}", daemon=True)

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def _run(self) -> None:
        while not self._stop.wait(self.lease_s / 3):
            try:
                with self.db.session() as session:
                    hit = _rows(session.execute(update(Analysis).where(*_owned(self.job)).values(
                        lease_until=utcnow() + timedelta(seconds=self.lease_s))))
            except Exception as exc:  # a database hiccup: the next beat tries again; the job's writes decide
                logger.warning("analysis %d: could not renew its lease: %s", self.job.id, exc)
                continue
            if hit == 0:  # deleted or taken over: the job's next write stops it
                return


def _fail(db: Database, job: _Job, message: str) -> None:
    with db.session() as session:
        session.execute(update(Analysis).where(*_owned(job))
                        .values(status="failed", stage="failed", error=message, finished_at=utcnow(),
                                lease_until=None))


def _log_internal(data_dir: Path, job: _Job, exc: BaseException) -> None:
    """Append the traceback to ``data_dir/logs/jobs.log`` (never shown to users)."""
    logger.error("analysis %d failed with an internal error", job.id, exc_info=exc)
    try:
        logs = data_dir / "logs"
        logs.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(UTC).isoformat(timespec="seconds")
        text = "".join(traceback.format_exception(exc))
        with (logs / LOG_NAME).open("a", encoding="utf-8") as f:
            f.write(f"--- {stamp} analysis {job.id} attempt {job.attempt} kind {job.kind} test {job.test}\n{text}\n")
    except OSError as log_exc:
        logger.error("cannot write the job log under %s: %s", data_dir, log_exc)


def run_analysis(database_url: str, data_dir: str | Path, analysis_id: int) -> str:
    """Run the analysis job ``analysis_id`` and record its outcome in its row.

    Parameters
    ----------
    database_url
        SQLAlchemy URL of kneeline's database (already migrated).
    data_dir
        The data directory: the file store's root, with ``logs/`` for tracebacks.
    analysis_id
        The ``analyses`` row to run.

    Returns
    -------
    str
        ``"done"`` or ``"failed"``; ``"skipped"`` when the row is gone or already finished,
        ``"cancelled"`` when it was deleted (or taken over by a newer attempt) while running.
    """
    from kneeline.config import load_settings

    root = Path(data_dir)
    lease_s = load_settings().web.job_lease_s
    db = open_database(database_url, upgrade=False)
    try:
        job = _claim_waiting(db, analysis_id, lease_s)
        if job is None:
            return "skipped"
        files: FileStore | None = None
        try:
            files = FileStore(root)
            with _Heartbeat(db, job, lease_s):
                _run(db, files, job)
        except _Cancelled:
            if files is not None:
                _discard(db, files, job)
            return "cancelled"
        except KneelineError as exc:
            # messages about the file name the blob (its hash): show the user's own file name
            _fail(db, job, str(exc).replace(job.video_sha256, job.video_name))
            return "failed"
        except Exception as exc:  # anything else: logged in full, shown as an internal error
            _log_internal(root, job, exc)
            _fail(db, job, internal_error_message(job.id))
            return "failed"
        return "done"
    finally:
        db.dispose()


def _run(db: Database, files: FileStore, job: _Job) -> None:
    reporter = _Reporter(db, job)
    video: Path | None = files.path(job.video_sha256)
    keypoints = files.analysis_dir(job.id) / KEYPOINTS_NAME
    if video is None or not video.is_file():
        if job.kind != "test" or not keypoints.is_file():
            raise InputError(f"the uploaded video {job.video_name} is missing from the server's storage; upload "
                             "it again.")
        video = None  # deleted after an earlier run (keep keypoints only): analyse its keypoints
    work = _work_dir(files, job.id)
    try:
        if job.kind == "coach":
            with db.session() as session:
                reference = reference_result(session, job.patient_id, job.test)
            result = _coach(_exists(video), job, reporter, work, reference)
        else:
            with db.session() as session:  # recorded before the setup checks were met ("record anyway")
                setup_warning = session.scalar(select(Analysis.setup_warning).where(Analysis.id == job.id))
            if video is None:
                result = _analyse_keypoints(keypoints, job, reporter, work, setup_warning)
            else:
                result = _analyse(video, job, reporter, work, setup_warning)
        reporter.stage("saving the results", 0.99)
        final = _publish(files, job.id, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    names = sorted(p.name for p in final.iterdir() if p.is_file())
    with db.session() as session:
        hit = _rows(session.execute(
            update(Analysis).where(*_owned(job))
            .values(status="done", progress=1.0, stage="done", result=result, files=names, error=None,
                    finished_at=utcnow(), lease_until=None)))
    if hit == 0:
        raise _Cancelled
    if job.kind == "test" and KEYPOINTS_NAME in names:
        _drop_video_if_keypoints_only(db, files, job)


def _exists(video: Path | None) -> Path:
    if video is None:
        raise InputError("this coached video is missing from the server's storage; upload it again.")
    return video


def _drop_video_if_keypoints_only(db: Database, files: FileStore, job: _Job) -> None:
    """With ``privacy.keep_keypoints_only``: delete the video unless an unfinished job still needs it."""
    from kneeline.config import load_settings

    if not load_settings().privacy.keep_keypoints_only:
        return
    with db.session() as session:
        waiting = session.scalar(select(Analysis.id).where(Analysis.video_sha256 == job.video_sha256,
                                                           Analysis.status.in_(("queued", "running"))).limit(1))
    if waiting is None and files.remove_blob(job.video_sha256):
        logger.info("analysis %d: video deleted (keep keypoints only)", job.id)


def _analyse(video: Path, job: _Job, reporter: _Reporter, work: Path,
             setup_warning: str | None = None) -> dict[str, Any]:
    """A movement test: pose, measurements, outputs and the browser video into ``work/out``.

    ``setup_warning`` (recorded before the setup checks were met) joins the capture warnings.
    """
    from kneeline.config import load_settings
    from kneeline.io.keypoints_csv import save_keypoints_csv
    from kneeline.pipeline import analyze_video
    from kneeline.report.writer import write_outputs

    settings = load_settings().analysis
    run = analyze_video(video, job.test, side=job.side,  # type: ignore[arg-type]
                        settings=settings, progress=reporter.span("finding the body in each frame", 0.02, 0.70))
    result = run.result.model_copy(update={"video": run.result.video.model_copy(update={"path": job.video_name})})
    result = _with_setup_warning(result, setup_warning)
    out = work / "out"
    webm = WebmCopy(work / WEBM_NAME)  # drawn with annotated.mp4, from the same frames
    write_outputs(out, result, run.table, run.pose, video, copies=[webm],
                  progress=reporter.span("drawing the annotated video", 0.72, 0.99))
    save_keypoints_csv(run.raw_pose, out / KEYPOINTS_NAME)
    _place_webm(webm, out, job)
    return result.model_dump(mode="json")


def _place_webm(webm: WebmCopy, out: Path, job: _Job) -> None:
    """Move the browser copy into the outputs (the job keeps every other output without it)."""
    if webm.dest.is_file():
        webm.dest.replace(out / WEBM_NAME)
    elif webm.error:
        logger.warning("analysis %d: no browser video: %s", job.id, webm.error)


def _with_setup_warning(result: AnalysisResult, setup_warning: str | None) -> AnalysisResult:
    """``result`` with the "recorded before the setup checks were met" warning among its capture warnings."""
    if not setup_warning:
        return result
    issue = CaptureIssue(code="setup_not_met", level="warning", message=setup_warning)
    return result.model_copy(update={"capture": result.capture.model_copy(update={
        "warnings": [*result.capture.warnings, setup_warning], "issues": [*result.capture.issues, issue]})})


def _analyse_keypoints(keypoints: Path, job: _Job, reporter: _Reporter, work: Path,
                       setup_warning: str | None = None) -> dict[str, Any]:
    """A movement test whose video was deleted: analyse its stored keypoints (no annotated video)."""
    from kneeline.config import load_settings
    from kneeline.io.keypoints_csv import load_keypoints_csv, save_keypoints_csv
    from kneeline.pipeline import analyze_pose
    from kneeline.report.writer import write_outputs

    reporter.stage("reading the stored keypoints", 0.05)
    pose = load_keypoints_csv(keypoints)
    run = analyze_pose(pose, job.test, side=job.side, settings=load_settings().analysis)  # type: ignore[arg-type]
    result = run.result.model_copy(update={"video": run.result.video.model_copy(update={"path": job.video_name})})
    result = _with_setup_warning(result, setup_warning)
    out = work / "out"
    write_outputs(out, result, run.table, run.pose, None)
    save_keypoints_csv(run.raw_pose, out / KEYPOINTS_NAME)
    return result.model_dump(mode="json")


def _coach(video: Path, job: _Job, reporter: _Reporter, work: Path, reference: CoachResult | None) -> dict[str, Any]:
    """An exercise video (``job.test`` is the exercise id): count, faults, outputs and the browser video.

    With the patient's ``reference`` set of the exercise, each rep is compared with it.
    """
    from kneeline.coach.compare import compare_with_reference
    from kneeline.coach.output import write_coach_outputs
    from kneeline.coach.session import coach_video

    run = coach_video(video, job.test, side=job.side,  # type: ignore[arg-type]
                      progress=reporter.span("following the exercise", 0.02, 0.70))
    if reference is not None:
        run = dataclasses.replace(run, result=compare_with_reference(run.result, reference))
    out = work / "out"
    webm = WebmCopy(work / WEBM_NAME)
    write_coach_outputs(out, run, video, copies=[webm],
                        progress=reporter.span("drawing the annotated video", 0.72, 0.99))
    _place_webm(webm, out, job)
    data: dict[str, Any] = run.result.model_dump(mode="json")
    if data.get("video"):
        data["video"]["path"] = job.video_name
    return data


def _work_dir(files: FileStore, analysis_id: int) -> Path:
    """A new hidden folder beside ``analyses/<id>`` (same file system, so the final rename is atomic).

    Work folders of earlier attempts of the same job (left by a crash) are removed first: this
    attempt owns the job now.
    """
    parent = files.analysis_dir(analysis_id).parent
    parent.mkdir(parents=True, exist_ok=True)
    for stale in parent.glob(f".{analysis_id}.job-*"):
        shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(prefix=f".{analysis_id}.job-", dir=parent))


def _publish(files: FileStore, analysis_id: int, work: Path) -> Path:
    """Rename ``work/out`` to ``analyses/<id>``, replacing the outputs of an earlier attempt."""
    final = files.analysis_dir(analysis_id)
    if final.exists():
        old = work / "previous"
        final.rename(old)
    (work / "out").rename(final)
    return final


def _discard(db: Database, files: FileStore, job: _Job) -> None:
    """After a cancellation: remove the outputs unless a newer attempt owns the row."""
    with db.session() as session:
        exists = session.scalar(select(Analysis.id).where(Analysis.id == job.id)) is not None
    if not exists:
        files.remove_analysis(job.id)
    logger.info("analysis %d attempt %d stopped: the row was %s", job.id, job.attempt,
                "taken over by a newer attempt" if exists else "deleted")



def release_leases(database_url: str, analysis_ids: list[int]) -> None:
    """End the leases of running jobs whose workers are known to be dead (the pool stopped them).

    The next runner then claims them at once instead of waiting for the lease to run out.
    """
    if not analysis_ids:
        return
    db = open_database(database_url, upgrade=False)
    try:
        with db.session() as session:
            session.execute(update(Analysis).where(Analysis.id.in_(analysis_ids), Analysis.status == "running")
                            .values(lease_until=None))
    finally:
        db.dispose()

"""A patient's data rights: a copy of everything (export) and erasure (account deletion).

Export writes one zip archive::

    data.json               the account (no password hash), profile, care links, intakes, outcomes,
                            analyses with their results, program versions, sessions, notes
    videos/<name>           each uploaded video once, under its original (made safe) file name
    analyses/<id>/<file>    each analysis's outputs (result.json, frames.csv, plot.png, videos)

Deletion removes the database rows first, in one transaction (``ON DELETE CASCADE`` from
``users``), and the files afterwards.  A video blob is removed only when no remaining analysis
references it (two accounts may have uploaded the same bytes).  Should removing a file fail, or the
process stop in between, :func:`sweep_orphans` finds what no row references and removes it later.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import time
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from kneeline._version import get_version
from kneeline.errors import InputError
from kneeline.store.db import Database
from kneeline.store.files import FileStore, safe_name
from kneeline.store.models import (
    Analysis,
    Base,
    CareLink,
    ClinicianNote,
    CoachedSet,
    CoachReference,
    IntakeRecord,
    OutcomeRecord,
    PatientProfile,
    ProgramVersion,
    RecordAccess,
    SessionLog,
    User,
)

__all__ = ["EXPORT_FORMAT", "ORPHAN_MIN_AGE_S", "Removal", "export_patient", "delete_account",
           "delete_analysis", "sweep_orphans"]

logger = logging.getLogger(__name__)

EXPORT_FORMAT = 1
"""Version of the layout of ``data.json``; raised when a field changes meaning or disappears."""

ORPHAN_MIN_AGE_S = 3600.0
"""An unreferenced blob younger than this may belong to an upload whose row is not saved yet."""

_SECRET_COLUMNS = frozenset({"password_hash"})


@dataclass
class Removal:
    """What a deletion or sweep removed from disk, and what it could not remove (swept later).

    Attributes
    ----------
    rows
        Database rows deleted directly (the account or analysis; cascaded rows not counted).
    blobs
        SHA-256 of the video blobs removed.
    analyses
        Ids of the analysis output folders removed.
    leftovers
        Files or folders that could not be removed now, with the reason.
    """

    rows: int = 0
    blobs: list[str] = field(default_factory=list)
    analyses: list[int] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)


# ---- export ---------------------------------------------------------------------------------


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _row(obj: Base) -> dict[str, Any]:
    """The row's columns as JSON values (secret columns left out)."""
    columns = obj.__table__.columns
    return {c.key: _jsonable(getattr(obj, c.key)) for c in columns if c.key not in _SECRET_COLUMNS}


def _rows(session: Session, model: type[Base], *where: Any) -> list[dict[str, Any]]:
    pk = model.__table__.primary_key.columns  # type: ignore[attr-defined]
    return [_row(r) for r in session.scalars(select(model).where(*where).order_by(*pk))]


def _names(session: Session, ids: Iterable[int | None]) -> dict[int, dict[str, str]]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    users = session.scalars(select(User).where(User.id.in_(wanted)))
    return {u.id: {"name": u.name, "email": u.email, "role": u.role} for u in users}


def _patient_data(session: Session, user: User) -> dict[str, Any]:
    pid = user.id
    links = _rows(session, CareLink, (CareLink.patient_id == pid) | (CareLink.clinician_id == pid))
    notes = _rows(session, ClinicianNote, ClinicianNote.patient_id == pid)
    programs = _rows(session, ProgramVersion, ProgramVersion.patient_id == pid)
    people = _names(session, [link["clinician_id"] for link in links] + [link["patient_id"] for link in links]
                    + [n["author_id"] for n in notes] + [p["created_by"] for p in programs])
    for link in links:
        link["clinician"] = people.get(link["clinician_id"])
        link["patient"] = people.get(link["patient_id"])
    for note in notes:
        note["author"] = people.get(note["author_id"])
    profile = session.get(PatientProfile, pid)
    return {
        "account": _row(user),
        "profile": _row(profile) if profile is not None else None,
        "care_links": links,
        "intakes": _rows(session, IntakeRecord, IntakeRecord.patient_id == pid),
        "outcomes": _rows(session, OutcomeRecord, OutcomeRecord.patient_id == pid),
        "analyses": _rows(session, Analysis, Analysis.patient_id == pid),
        "programs": programs,
        "sessions": _rows(session, SessionLog, SessionLog.patient_id == pid),
        "notes": notes,
        "coached_sets": _rows(session, CoachedSet, CoachedSet.patient_id == pid),
        "coach_references": _rows(session, CoachReference, CoachReference.patient_id == pid),
        "record_access": _rows(session, RecordAccess, RecordAccess.patient_id == pid),
    }


def _video_names(analyses: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Archive name of each distinct video: its original name, made unique with the hash if needed."""
    names: dict[str, str] = {}
    used: set[str] = set()
    for a in analyses:
        sha = a["video_sha256"]
        if sha in names:
            continue
        name = safe_name(a["video_name"] or "", default=sha)
        if name in used:
            name = f"{sha[:12]}-{name}"
        used.add(name)
        names[sha] = name
    return names


def _export_path(dest: Path, patient_id: int) -> Path:
    if dest.is_dir():
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return dest / f"kneeline-export-{patient_id}-{stamp}.zip"
    if not dest.parent.is_dir():
        raise InputError(f"cannot write the export to {dest}: the folder {dest.parent} does not exist. Give an "
                         "existing folder or a .zip path inside one.")
    return dest


def export_patient(db: Database, files: FileStore, patient_id: int, dest: Path) -> Path:
    """Write everything kneeline holds about one account into one zip archive.

    Parameters
    ----------
    db
        The database.
    files
        The file store holding the account's videos and analysis outputs.
    patient_id
        The account (``users.id``); usually a patient, but any role can export its own data.
    dest
        A folder (the archive is named ``kneeline-export-<id>-<time>.zip`` inside it) or the
        archive's path.  The archive appears complete or not at all.

    Returns
    -------
    Path
        The archive.

    Raises
    ------
    InputError
        If there is no such account or ``dest`` cannot be written.
    """
    with db.session() as session:
        user = session.get(User, patient_id)
        if user is None:
            raise InputError(f"there is no account with id {patient_id}; nothing was exported.")
        data = _patient_data(session, user)
    out = _export_path(Path(dest), patient_id)
    tmp = out.with_name(f".{out.name}.{secrets.token_hex(4)}.partial")
    try:
        _write_archive(tmp, data, files)
        os.replace(tmp, out)
    except OSError as exc:
        raise InputError(f"cannot write the export to {out}: {exc}. Check free space and permissions.") from exc
    finally:
        tmp.unlink(missing_ok=True)
    logger.info("exported account %d to %s", patient_id, out)
    return out


def _write_archive(path: Path, data: dict[str, Any], files: FileStore) -> None:
    videos = _video_names(data["analyses"])
    missing: list[str] = []
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True) as zf:
        for sha, name in videos.items():
            blob = files.path(sha)
            if blob.is_file():
                zf.write(blob, f"videos/{name}", compress_type=zipfile.ZIP_STORED)  # already compressed
            else:
                missing.append(f"videos/{name}")
        for a in data["analyses"]:
            a["video_file"] = f"videos/{videos[a['video_sha256']]}"
            folder = files.analysis_dir(a["id"])
            for name in a["files"] or []:
                source = folder / safe_name(str(name))
                arcname = f"analyses/{a['id']}/{source.name}"
                if source.is_file():
                    video = source.suffix in (".mp4", ".webm")
                    zf.write(source, arcname, compress_type=zipfile.ZIP_STORED if video else zipfile.ZIP_DEFLATED)
                else:
                    missing.append(arcname)
            _write_research_exports(zf, folder, f"analyses/{a['id']}/export")
        header = {"format": "kneeline-export", "format_version": EXPORT_FORMAT, "kneeline_version": get_version(),
                  "exported_at": datetime.now(UTC).isoformat(timespec="seconds"), "missing_files": missing}
        zf.writestr("data.json", json.dumps({**header, **data}, indent=2, ensure_ascii=False) + "\n")


def _write_research_exports(zf: zipfile.ZipFile, folder: Path, prefix: str) -> None:
    """Keypoints as TRC and CSV, angles as CSV (:mod:`kneeline.export.research`) of one stored movement test.

    A folder without raw keypoints (a coached set, an older analysis) gets none; one whose files
    cannot be read is logged and skipped, so the rest of the export is still written.
    """
    from kneeline.errors import KneelineError
    from kneeline.export.research import stored_exports

    try:
        files = stored_exports(folder)
    except KneelineError as exc:
        logger.warning("export: no keypoint/angle files for %s: %s", folder.name, exc)
        return
    for name, text in files.items():
        zf.writestr(f"{prefix}/{name}", text)


# ---- deletion -------------------------------------------------------------------------------


def _remove_files(files: FileStore, analysis_ids: Iterable[int], shas: Iterable[str],
                  still_used: set[str], removal: Removal) -> None:
    """Remove analysis folders and the blobs in ``shas`` not in ``still_used``; failures are leftovers."""
    for analysis_id in analysis_ids:
        try:
            if files.remove_analysis(analysis_id):
                removal.analyses.append(analysis_id)
        except OSError as exc:
            removal.leftovers.append(f"analyses/{analysis_id}: {exc}")
    for sha in sorted(set(shas) - still_used):
        try:
            if files.remove_blob(sha):
                removal.blobs.append(sha)
        except OSError as exc:
            removal.leftovers.append(f"blob {sha}: {exc}")
    for item in removal.leftovers:
        logger.warning("not removed now (sweep_orphans will): %s", item)


def _referenced(session: Session, shas: Iterable[str]) -> set[str]:
    wanted = set(shas)
    if not wanted:
        return set()
    return set(session.scalars(select(Analysis.video_sha256).where(Analysis.video_sha256.in_(wanted)).distinct()))


def delete_account(db: Database, files: FileStore, user_id: int) -> Removal:
    """Delete an account, every row that hangs off it, and its files no other account uses.

    The rows go first, in one transaction (all or nothing); then the analysis folders and the
    video blobs that no remaining analysis references.  A file that cannot be removed now is
    listed in ``leftovers`` and removed by a later :func:`sweep_orphans`.

    Raises
    ------
    InputError
        If there is no account ``user_id`` (nothing is deleted).
    """
    with db.session() as session:
        mine = session.execute(select(Analysis.id, Analysis.video_sha256)
                               .where(Analysis.patient_id == user_id)).all()
        deleted = session.execute(delete(User).where(User.id == user_id).returning(User.id)).scalars().all()
        if not deleted:
            raise InputError(f"there is no account with id {user_id}; nothing was deleted.")
        session.flush()
        shas = {sha for _, sha in mine}
        still_used = _referenced(session, shas)
    removal = Removal(rows=1)
    _remove_files(files, [analysis_id for analysis_id, _ in mine], shas, still_used, removal)
    logger.info("deleted account %d: %d analyses, %d videos removed", user_id, len(removal.analyses),
                len(removal.blobs))
    return removal


def delete_analysis(db: Database, files: FileStore, analysis_id: int) -> Removal:
    """Delete one analysis row, its outputs, and its video unless another analysis uses it.

    Raises
    ------
    InputError
        If there is no analysis ``analysis_id``.
    """
    with db.session() as session:
        sha = session.execute(delete(Analysis).where(Analysis.id == analysis_id)
                              .returning(Analysis.video_sha256)).scalar_one_or_none()
        if sha is None:
            raise InputError(f"there is no analysis with id {analysis_id}; nothing was deleted.")
        still_used = _referenced(session, [sha])
    removal = Removal(rows=1)
    _remove_files(files, [analysis_id], [sha], still_used, removal)
    return removal


def _older(path: Path, cutoff: float) -> bool:
    try:
        return path.stat().st_mtime < cutoff
    except FileNotFoundError:
        return False


def sweep_orphans(db: Database, files: FileStore, *, min_age_s: float = ORPHAN_MIN_AGE_S) -> Removal:
    """Remove files no database row references: blobs, analysis folders and stale temporaries.

    Parameters
    ----------
    db
        The database.
    files
        The file store.
    min_age_s
        Files modified more recently are kept: an upload is stored before its row is saved, and
        a job may still be publishing the outputs of a row deleted a moment ago.
    """
    with db.session() as session:
        used = set(session.scalars(select(Analysis.video_sha256).distinct()))
        ids = set(session.scalars(select(Analysis.id)))
    removal = Removal()
    cutoff = time.time() - min_age_s
    old = [sha for sha in files.blob_hashes() if sha not in used and _older(files.path(sha), cutoff)]
    orphan_dirs = [i for i in files.analysis_ids() if i not in ids and _older(files.analysis_dir(i), cutoff)]
    _remove_files(files, orphan_dirs, old, set(), removal)
    files.sweep_temp()
    if removal.blobs or removal.analyses:
        logger.info("swept %d orphan videos and %d orphan analysis folders", len(removal.blobs),
                    len(removal.analyses))
    return removal

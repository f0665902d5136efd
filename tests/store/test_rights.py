"""Data rights on SQLite and PostgreSQL: the export archive, account deletion, orphan sweeping."""

from __future__ import annotations

import io
import json
import os
import time
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import func, select

from kneeline.errors import InputError
from kneeline.store.db import Database
from kneeline.store.files import FileStore, StoredVideo
from kneeline.store.models import Analysis, User
from kneeline.store.rights import delete_account, delete_analysis, export_patient, sweep_orphans

from .records import add_analysis, add_user, fill_patient


def _store(files: FileStore, make_video, name: str, n_frames: int) -> StoredVideo:
    return files.ingest_video(make_video(name, n_frames=n_frames).open("rb"), filename=name, max_bytes=10 << 20)


def _outputs(files: FileStore, analysis_id: int) -> list[str]:
    folder = files.analysis_dir(analysis_id)
    folder.mkdir(parents=True)
    (folder / "result.json").write_text(json.dumps({"id": analysis_id}))
    (folder / "plot.png").write_bytes(b"\x89PNG fake")
    return ["plot.png", "result.json"]


@pytest.fixture
def world(db: Database, files: FileStore, make_video) -> dict[str, int | str]:
    """Two patients and a clinician; both patients uploaded the same squat video ("shared")."""
    shared = _store(files, make_video, "squat.mp4", 12)
    own = _store(files, make_video, "stance.mp4", 16)
    with db.session() as session:
        clinician = add_user(session, "doc@example.org", role="clinician", name="Dr Knee")
        ann = add_user(session, "ann@example.org", name="Ann")
        bob = add_user(session, "bob@example.org", name="Bob")
        fill_patient(session, ann, clinician)
        a1 = add_analysis(session, ann.id, sha256=shared.sha256, video_name="squat.mp4", status="done",
                          result={"reps": [{"bottom_s": 1.0}]})
        a2 = add_analysis(session, ann.id, sha256=own.sha256, video_name="../stance.mp4", status="failed",
                          error="No person was found")
        b1 = add_analysis(session, bob.id, sha256=shared.sha256, video_name="my squat.mp4", status="done")
        for row in (a1, b1):
            row.files = _outputs(files, row.id)
        ids = {"ann": ann.id, "bob": bob.id, "clinician": clinician.id, "a1": a1.id, "a2": a2.id, "b1": b1.id,
               "shared": shared.sha256, "own": own.sha256}
    return ids


def test_export_holds_the_whole_record_and_no_secret(db: Database, files: FileStore, world, tmp_path: Path):
    archive = export_patient(db, files, int(world["ann"]), tmp_path)
    assert archive.parent == tmp_path and archive.name.startswith(f"kneeline-export-{world['ann']}-")
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no partial file left
    with zipfile.ZipFile(archive) as zf:
        names = set(zf.namelist())
        data = json.loads(zf.read("data.json"))
        assert zf.read("videos/squat.mp4") == files.path(str(world["shared"])).read_bytes()
        assert zf.read("videos/stance.mp4") == files.path(str(world["own"])).read_bytes()
    assert names == {"data.json", "videos/squat.mp4", "videos/stance.mp4",
                     f"analyses/{world['a1']}/result.json", f"analyses/{world['a1']}/plot.png"}
    assert "password_hash" not in json.dumps(data)
    assert data["format"] == "kneeline-export" and data["missing_files"] == ["videos/lost.mp4"]
    assert data["account"]["email"] == "ann@example.org" and data["profile"]["knee"] == "left"
    for key in ("intakes", "outcomes", "programs", "sessions", "notes", "care_links"):
        assert len(data[key]) == 1, key
    assert data["notes"][0]["author"]["name"] == "Dr Knee"
    assert data["care_links"][0]["clinician"]["email"] == "doc@example.org"
    analyses = {a["id"]: a for a in data["analyses"]}
    assert set(analyses) == {world["a1"], world["a2"], world["a1"] - 1}  # fill_patient adds one more
    assert analyses[world["a1"]]["result"] == {"reps": [{"bottom_s": 1.0}]}
    assert analyses[world["a1"]]["video_file"] == "videos/squat.mp4"
    assert analyses[world["a2"]]["error"] == "No person was found"
    missing_blob = analyses[world["a1"] - 1]  # its video was never stored: listed, not fatal
    assert missing_blob["video_file"] in data["missing_files"]
    assert not any(a["patient_id"] != world["ann"] for a in data["analyses"])  # nothing of Bob's


def test_export_to_a_file_path_and_errors(db: Database, files: FileStore, world, tmp_path: Path):
    target = tmp_path / "mine.zip"
    assert export_patient(db, files, int(world["bob"]), target) == target
    with zipfile.ZipFile(target) as zf:
        assert "videos/my squat.mp4" in zf.namelist()
    with pytest.raises(InputError, match="no account with id 9999"):
        export_patient(db, files, 9999, tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        export_patient(db, files, int(world["bob"]), tmp_path / "no" / "such.zip")


def test_same_named_videos_get_distinct_archive_names(db: Database, files: FileStore, make_video, tmp_path):
    first = _store(files, make_video, "a.mp4", 8)
    second = _store(files, make_video, "b.mp4", 9)
    with db.session() as session:
        user = add_user(session, "c@example.org")
        add_analysis(session, user.id, sha256=first.sha256, video_name="IMG_0001.MOV")
        add_analysis(session, user.id, sha256=second.sha256, video_name="IMG_0001.MOV")
        add_analysis(session, user.id, sha256=second.sha256, video_name="IMG_0001.MOV")
        user_id = user.id
    with zipfile.ZipFile(export_patient(db, files, user_id, tmp_path)) as zf:
        videos = {n for n in zf.namelist() if n.startswith("videos/")}
    assert videos == {f"videos/{second.sha256[:12]}-IMG_0001.MOV", "videos/IMG_0001.MOV"}


def test_delete_account_keeps_a_video_another_account_uses(db: Database, files: FileStore, world):
    removal = delete_account(db, files, int(world["ann"]))
    assert removal.blobs == [world["own"]] and removal.leftovers == []
    assert sorted(removal.analyses) == [world["a1"]]  # the only one of Ann's with an output folder
    assert files.has(str(world["shared"])) and not files.has(str(world["own"]))
    assert not files.analysis_dir(int(world["a1"])).exists() and files.analysis_dir(int(world["b1"])).exists()
    with db.session() as session:
        assert session.get(User, world["ann"]) is None
        left = select(func.count()).select_from(Analysis).where(Analysis.patient_id == world["ann"])
        assert session.scalar(left) == 0
        assert session.get(Analysis, world["b1"]) is not None and session.get(User, world["clinician"]) is not None
    # Bob's turn: now the shared video goes too
    removal = delete_account(db, files, int(world["bob"]))
    assert removal.blobs == [world["shared"]] and list(files.blob_hashes()) == []


def test_deleting_an_unknown_account_changes_nothing(db: Database, files: FileStore, world):
    with pytest.raises(InputError, match="no account with id 424242"):
        delete_account(db, files, 424242)
    assert len(list(files.blob_hashes())) == 2


def test_delete_one_analysis(db: Database, files: FileStore, world):
    removal = delete_analysis(db, files, int(world["b1"]))
    assert removal.analyses == [world["b1"]] and removal.blobs == []  # Ann still uses the video
    removal = delete_analysis(db, files, int(world["a1"]))
    assert removal.blobs == [world["shared"]]
    with pytest.raises(InputError, match="no analysis"):
        delete_analysis(db, files, int(world["a1"]))


def test_sweep_removes_what_an_interrupted_deletion_left(db: Database, files: FileStore, world, make_video):
    # The rows of Ann went, but the process stopped before it removed her files.
    with db.session() as session:
        session.delete(session.get(User, world["ann"]))
    fresh = files.ingest_video(io.BytesIO(make_video("new.mp4", n_frames=7).read_bytes()), filename="new.mp4",
                               max_bytes=10 << 20)  # an upload whose row is not saved yet
    old = time.time() - 7200
    for path in (files.path(str(world["own"])), files.analysis_dir(int(world["a1"]))):
        os.utime(path, (old, old))
    removal = sweep_orphans(db, files)
    assert removal.blobs == [world["own"]] and removal.analyses == [world["a1"]]
    assert files.has(fresh.sha256) and files.has(str(world["shared"]))  # too young / still used by Bob
    assert files.analysis_dir(int(world["b1"])).exists()
    assert sweep_orphans(db, files, min_age_s=0).blobs == [fresh.sha256]
    assert sweep_orphans(db, files, min_age_s=0).blobs == []  # nothing left to do

"""Reading a batch's input: a folder of videos, or a CSV manifest whose bad rows fail alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from kneeline.batch.manifest import read_batch_input
from kneeline.errors import InputError


def _touch(folder: Path, *names: str) -> None:
    for name in names:
        (folder / name).write_bytes(b"not decoded here")


def test_a_folder_gives_its_videos_in_name_order_with_the_test_given(tmp_path: Path):
    _touch(tmp_path, "b.mp4", "a.MOV", "notes.txt")
    items, refused = read_batch_input(tmp_path, test="squat")
    assert [i.video.name for i in items] == ["a.MOV", "b.mp4"] and refused == []
    assert [(i.line, i.test, i.side, i.name) for i in items] == [(1, "squat", "auto", "a-squat"),
                                                                (2, "squat", "auto", "b-squat")]


def test_a_folder_needs_a_test_and_a_video(tmp_path: Path):
    _touch(tmp_path, "a.mp4")
    with pytest.raises(InputError, match="--test"):
        read_batch_input(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match="no video"):
        read_batch_input(empty, test="squat")


def test_each_bad_manifest_row_fails_with_its_reason_and_the_others_stay(tmp_path: Path):
    _touch(tmp_path, "a.mp4", "b.mp4")
    (tmp_path / "other").mkdir()
    _touch(tmp_path / "other", "a.mp4")
    manifest = tmp_path / "m.csv"
    manifest.write_text("video,test,side,patient_id\n"
                        "a.mp4,squat,left,p-1\n"
                        "missing.mp4,squat,,\n"
                        "b.mp4,jumping,,\n"
                        "b.mp4,squat,middle,\n"
                        "b.mp4,squat,,../x\n"
                        "a.mp4,squat,left,p-1\n"
                        ",,,\n"
                        "b.mp4,,,\n"
                        "other/a.mp4,single-leg-squat,right,\n"
                        "a.mp4,single-leg-squat,right,\n", encoding="utf-8")
    items, refused = read_batch_input(manifest, test="gait")
    assert [(i.line, i.name) for i in items] == [
        (2, "p-1/a-squat-left"), (9, "b-gait"), (10, "a-single-leg-squat-right"),
        (11, items[3].name)]
    assert items[3].name.startswith("a-single-leg-squat-right-") and items[1].test == "gait"
    reasons = {r.line: r.reason for r in refused}
    assert sorted(reasons) == [3, 4, 5, 6, 7]
    assert reasons[3].startswith("video file not found")
    assert reasons[4].startswith("unknown test 'jumping'")
    assert reasons[5].startswith("bad side 'middle'")
    assert reasons[6].startswith("bad patient_id")
    assert "line 2" in reasons[7]


def test_unreadable_inputs_say_what_is_expected(tmp_path: Path):
    with pytest.raises(InputError, match="not found"):
        read_batch_input(tmp_path / "nope.csv")
    (tmp_path / "x.txt").write_text("hello")
    with pytest.raises(InputError, match="neither a folder nor a .csv"):
        read_batch_input(tmp_path / "x.txt")
    (tmp_path / "m.csv").write_text("file,test\na.mp4,squat\n")
    with pytest.raises(InputError, match="no 'video' column"):
        read_batch_input(tmp_path / "m.csv")
    (tmp_path / "h.csv").write_text("video,test\n")
    with pytest.raises(InputError, match="no rows"):
        read_batch_input(tmp_path / "h.csv")

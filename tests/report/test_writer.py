import pytest

from kneeline.errors import InputError
from kneeline.report.result import AnalysisResult
from kneeline.report.writer import OUTPUT_FILES, Outputs, write_outputs
from tests.report._factories import one_squat, write_video


def _snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _partials(parent):
    return [p.name for p in parent.iterdir() if ".partial-" in p.name]


@pytest.fixture
def video(tmp_path):
    return write_video(tmp_path / "source.mp4")


def test_new_folder_gets_all_four_files(tmp_path, video):
    squat = one_squat()
    out = tmp_path / "run"
    paths = write_outputs(out, squat.result, squat.table, squat.pose, video)
    assert isinstance(paths, Outputs) and isinstance(paths, dict)
    assert set(paths) == set(OUTPUT_FILES)
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUT_FILES)
    assert all(p.is_file() and p.stat().st_size > 0 for p in paths.values())
    assert paths.skipped == {} and paths.video_codec is not None
    assert AnalysisResult.model_validate_json((out / "result.json").read_text()) == squat.result
    assert _partials(tmp_path) == []


def test_keypoint_file_input_skips_the_video(tmp_path):
    squat = one_squat()
    paths = write_outputs(tmp_path / "run", squat.result, squat.table, squat.pose, None)
    assert "annotated.mp4" not in paths and "annotated.mp4" in paths.skipped
    assert paths.video_codec is None
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["frames.csv", "plot.png", "result.json"]


def test_annotate_false_skips_the_video(tmp_path, video):
    squat = one_squat()
    paths = write_outputs(tmp_path / "run", squat.result, squat.table, squat.pose, video, annotate=False)
    assert "annotated.mp4" in paths.skipped and not (tmp_path / "run" / "annotated.mp4").exists()


def test_failure_leaves_no_folder_and_no_partial(tmp_path):
    squat = one_squat()
    out = tmp_path / "run"
    with pytest.raises(InputError):
        write_outputs(out, squat.result, squat.table, squat.pose, tmp_path / "missing.mp4")
    assert not out.exists()
    assert _partials(tmp_path) == []


def test_failure_leaves_existing_folder_untouched(tmp_path, video):
    squat = one_squat()
    out = tmp_path / "run"
    write_outputs(out, squat.result, squat.table, squat.pose, video)
    (out / "notes.txt").write_text("mine")
    before = _snapshot(out)
    with pytest.raises(InputError):
        write_outputs(out, squat.result, squat.table, squat.pose, tmp_path / "missing.mp4")
    assert _snapshot(out) == before
    assert _partials(tmp_path) == []


def test_rerun_replaces_outputs_and_keeps_user_files(tmp_path, video):
    squat = one_squat()
    out = tmp_path / "run"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    (out / "sub").mkdir()
    (out / "sub" / "x.bin").write_bytes(b"\x00\x01")
    for name in OUTPUT_FILES:
        (out / name).write_text("old")
    write_outputs(out, squat.result, squat.table, squat.pose, video)
    assert (out / "notes.txt").read_text() == "mine"
    assert (out / "sub" / "x.bin").read_bytes() == b"\x00\x01"
    for name in OUTPUT_FILES:
        assert (out / name).read_bytes() != b"old"
    assert _partials(tmp_path) == []


def test_rerun_without_video_removes_the_stale_video(tmp_path, video):
    squat = one_squat()
    out = tmp_path / "run"
    write_outputs(out, squat.result, squat.table, squat.pose, video)
    assert (out / "annotated.mp4").exists()
    write_outputs(out, squat.result, squat.table, squat.pose, None)
    assert not (out / "annotated.mp4").exists()
    assert (out / "result.json").exists()


def test_out_dir_that_is_a_file_is_refused(tmp_path, video):
    squat = one_squat()
    target = tmp_path / "run"
    target.write_text("a file")
    with pytest.raises(InputError, match="existing file"):
        write_outputs(target, squat.result, squat.table, squat.pose, video)
    assert target.read_text() == "a file"
    assert _partials(tmp_path) == []


def test_failure_in_a_later_writer_removes_the_partial(tmp_path, video, monkeypatch):
    """A crash after frames.csv and plot.png were written must not leave them anywhere."""
    import kneeline.report.annotate as annotate

    def boom(*args, **kwargs):
        raise RuntimeError("encoder crashed")

    monkeypatch.setattr(annotate, "write_annotated_video", boom)
    squat = one_squat()
    with pytest.raises(RuntimeError):
        write_outputs(tmp_path / "run", squat.result, squat.table, squat.pose, video)
    assert not (tmp_path / "run").exists()
    assert _partials(tmp_path) == []


def test_missing_parents_are_created(tmp_path):
    squat = one_squat()
    out = tmp_path / "a" / "b" / "run"
    write_outputs(out, squat.result, squat.table, squat.pose, None)
    assert (out / "result.json").is_file()

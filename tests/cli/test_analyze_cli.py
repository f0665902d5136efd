"""``kneeline analyze`` end to end: the real pose model on real video, and bad input."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

import kneeline
from kneeline.cli import build_app
from kneeline.errors import AnalysisError

runner = CliRunner()


def _analyze(*args: str):
    return runner.invoke(build_app(), ["analyze", *args])


@pytest.fixture(scope="module")
def squat_run(shared_data: Path, tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("squat") / "out"
    video = shared_data / "opencap-squat-cam0" / "squats-with-arm-raise.mov"
    result = _analyze(str(video), "--test", "squat", "--out", str(out), "--json")
    return result, out


@pytest.mark.slow
def test_real_squat_video_gives_six_reps_and_four_outputs(squat_run):
    result, out = squat_run
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in out.iterdir()) == ["annotated.mp4", "frames.csv", "plot.png", "result.json"]
    data = json.loads((out / "result.json").read_text())
    assert len(data["reps"]) == 6
    assert data["test"] == "squat" and data["video"]["width"] == 720 and data["video"]["height"] == 1280
    assert data["provenance"]["input_sha256"] and data["provenance"]["model"].startswith("mediapipe")
    for rep in data["reps"]:
        assert rep["start_s"] < rep["bottom_s"] < rep["end_s"]
    # the camera is ~19 deg off frontal: knee angles are withheld, not shown wrong
    assert data["capture"]["view"] == "oblique"
    assert all(rep["fppa_left_deg"] is None for rep in data["reps"])
    with (out / "frames.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == data["video"]["frames"]
    assert {"time_s", "fppa_left_deg", "fppa_right_deg", "pelvic_obliquity_deg", "trunk_lean_deg",
            "confidence"} <= set(rows[0])


@pytest.mark.slow
def test_json_flag_prints_the_result(squat_run):
    result, out = squat_run
    printed = json.loads(result.stdout)
    assert printed == json.loads((out / "result.json").read_text())


@pytest.mark.slow
def test_side_view_is_refused_without_outputs(shared_data: Path, tmp_path: Path):
    out = tmp_path / "out"
    result = _analyze(str(shared_data / "videos" / "sports2d-demo-walk-jump.mp4"), "--test", "squat",
                      "--out", str(out))
    assert result.exit_code == 3
    assert "from the side" in result.stderr and "Traceback" not in result.output
    assert not out.exists()
    assert not list(tmp_path.glob(".out.partial-*"))


@pytest.mark.slow
def test_wrong_movement_named_is_a_clear_analysis_error(shared_data: Path):
    with pytest.raises(AnalysisError, match="single leg squat"):
        kneeline.analyze(shared_data / "opencap-squat-cam0" / "squats-with-arm-raise.mov", test="single-leg-squat")


@pytest.mark.parametrize(("content", "needle"), [
    (b"", "empty"),
    (b"this is not a video, just text\n" * 20, "text"),
    (b"\x00\x01garbage" * 500, "video"),
])
def test_unusable_files_exit_with_one_line(tmp_path: Path, content: bytes, needle: str):
    bad = tmp_path / "clip.mp4"
    bad.write_bytes(content)
    out = tmp_path / "out"
    result = _analyze(str(bad), "--test", "squat", "--out", str(out))
    assert result.exit_code == 2, result.output
    assert needle in result.stderr.lower()
    assert "Traceback" not in result.output
    assert not out.exists()


def test_missing_file(tmp_path: Path):
    result = _analyze(str(tmp_path / "nope.mp4"), "--test", "squat")
    assert result.exit_code == 2 and "not found" in result.stderr


@pytest.mark.slow
def test_nobody_in_view(make_video, tmp_path: Path):
    video = make_video("empty_room.mp4", n_frames=40, width=320, height=240)
    out = tmp_path / "out"
    result = _analyze(str(video), "--test", "squat", "--out", str(out))
    assert result.exit_code == 3
    assert "no person was found" in result.stderr.lower()
    assert not out.exists()


def test_unknown_test_name_is_rejected_by_the_cli(tmp_path: Path):
    result = _analyze(str(tmp_path / "x.mp4"), "--test", "jumping")
    assert result.exit_code == 2 and "jumping" in result.output


def test_every_command_has_help_is_named_in_the_readme_and_documented_where_it_points():
    """The README names every command in its table; the docs page its row links to explains it."""
    import re

    app = build_app()
    root = Path(__file__).resolve().parents[2]
    readme = (root / "README.md").read_text()
    names = [c.name or c.callback.__name__ for c in app.registered_commands]
    assert "analyze" in names and "sample" in names
    for name in names:
        result = runner.invoke(app, [name, "--help"])
        assert result.exit_code == 0 and "Usage" in result.output, name
        row = re.search(rf"^\| `kneeline {re.escape(name)}[ `].*$", readme, flags=re.MULTILINE)
        assert row is not None, f"command {name} has no row in README.md's command table"
        for page in re.findall(r"\]\((docs/[\w-]+\.md)\)", row.group(0)):
            assert f"kneeline {name}" in (root / page).read_text(), f"{page} does not explain kneeline {name}"

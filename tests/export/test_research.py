"""Keypoint and angle exports: TRC read back by kneeline's own reader, CSVs with units and blanks."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kneeline.cli import build_app
from kneeline.errors import InputError
from kneeline.export.research import (
    ANGLE_COLUMNS,
    angles_from_frames_csv,
    angles_text,
    metres_per_pixel,
    parse_formats,
    stored_exports,
    trc_text,
    write_exports,
)
from kneeline.io.keypoints_csv import load_keypoints_csv, save_keypoints_csv
from kneeline.io.trc import read_trc
from kneeline.report.frames_csv import write_frames_csv
from kneeline.report.writer import write_outputs
from tests.report import _factories


def test_trc_round_trip_through_kneelines_reader(tmp_path: Path) -> None:
    squat = _factories.one_squat()
    path = tmp_path / "k.trc"
    path.write_text(trc_text(squat.pose, "k.trc", person_height_m=1.6))
    markers = read_trc(path)
    pose = squat.pose
    assert markers.names == pose.keypoints and markers.n_frames == pose.n_frames
    assert markers.rate_hz == pytest.approx(pose.fps) and markers.units == "m"
    np.testing.assert_allclose(markers.time_s, pose.time_s, atol=1e-6)
    scale = metres_per_pixel(pose, 1.6)
    expected_x = pose.position[:, :, 0] * scale
    expected_y = (pose.height - pose.position[:, :, 1]) * scale  # Y up
    np.testing.assert_allclose(markers.xyz[:, :, 0], expected_x, atol=2e-6)
    np.testing.assert_allclose(markers.xyz[:, :, 1], expected_y, atol=2e-6)
    seen = np.isfinite(pose.position[:, :, 0])
    assert np.all(markers.xyz[seen][:, 2] == 0)
    assert np.isnan(markers.xyz[_factories.MISSING_FRAME]).all()  # the frame where nobody was found: empty cells


def test_the_opencap_trc_is_read_by_the_same_reader(shared_data: Path) -> None:
    markers = read_trc(shared_data / "opencap-squat-cam0" / "squats-with-arm-raise.reference.trc")
    assert markers.n_frames > 100 and len(markers.names) > 10
    assert np.isfinite(markers.xyz).mean() > 0.9


def test_angles_keep_withheld_values_blank_with_units_in_the_header(tmp_path: Path) -> None:
    squat = _factories.one_squat()
    table = squat.table
    from dataclasses import replace
    withheld = replace(table, fppa_left_deg=np.full(table.time_s.shape, np.nan))
    rows = list(csv.DictReader(angles_text(withheld, squat.result).splitlines()))
    assert list(rows[0]) == list(ANGLE_COLUMNS.values())
    assert all(r["knee_fppa_left_deg"] == "" for r in rows)  # never 0
    assert rows[30]["knee_fppa_right_deg"] != "" and rows[30]["rep"] == "1"
    write_frames_csv(tmp_path / "frames.csv", withheld, squat.result)
    assert angles_from_frames_csv(tmp_path / "frames.csv") == angles_text(withheld, squat.result)


def test_cleaned_keypoints_csv_loads_back(tmp_path: Path) -> None:
    squat = _factories.one_squat()
    written = write_exports(tmp_path, ("csv",), squat.pose, squat.table, squat.result)
    assert set(written) == {"keypoints_clean.csv", "angles.csv"}
    back = load_keypoints_csv(written["keypoints_clean.csv"])
    np.testing.assert_array_equal(back.position, squat.pose.position)
    assert back.world is None


def test_bad_export_requests_say_what_is_expected() -> None:
    assert parse_formats("trc, CSV") == ("trc", "csv")
    for bad in ("", "pdf", "trc,mot"):
        with pytest.raises(InputError, match="--export takes"):
            parse_formats(bad)
    squat = _factories.one_squat()
    with pytest.raises(InputError, match="person height"):
        trc_text(squat.pose, person_height_m=12)
    blank = squat.pose.with_arrays(position=np.full(squat.pose.position.shape, np.nan))
    with pytest.raises(InputError, match="cannot find the image scale"):
        trc_text(blank)


def test_stored_analysis_folder_gives_all_three_files(tmp_path: Path) -> None:
    squat = _factories.one_squat()
    write_outputs(tmp_path / "a", squat.result, squat.table, squat.pose, None)
    assert stored_exports(tmp_path / "a") == {}  # no raw keypoints: nothing to export
    save_keypoints_csv(squat.pose, tmp_path / "a" / "keypoints.csv")
    files = stored_exports(tmp_path / "a")
    assert set(files) == {"keypoints.trc", "keypoints_clean.csv", "angles.csv"}
    assert files["angles.csv"] == angles_from_frames_csv(tmp_path / "a" / "frames.csv")


def test_analyze_cli_writes_the_exports(squat_clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    r = CliRunner().invoke(build_app(), ["analyze", str(squat_clip), "--test", "squat", "--out", str(out),
                                         "--no-video", "--export", "trc,csv"])
    assert r.exit_code == 0, r.output
    for name in ("keypoints.trc", "keypoints_clean.csv", "angles.csv", "result.json"):
        assert (out / name).is_file(), name
    markers = read_trc(out / "keypoints.trc")
    frames = list(csv.DictReader((out / "frames.csv").open()))
    assert markers.n_frames == len(frames)
    angles = list(csv.DictReader((out / "angles.csv").open()))
    assert [a["knee_fppa_left_deg"] for a in angles] == [f["fppa_left_deg"] for f in frames]
    bad = CliRunner().invoke(build_app(), ["analyze", str(squat_clip), "--test", "squat", "--out",
                                           str(tmp_path / "x"), "--export", "mot"])
    assert bad.exit_code == 2 and "--export takes" in bad.output and not (tmp_path / "x").exists()

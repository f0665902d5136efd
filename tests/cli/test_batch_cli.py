"""``kneeline batch`` from the command line: failures listed with reasons, summary written, clean errors."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from kneeline.cli import build_app

runner = CliRunner()


def test_a_batch_of_bad_rows_lists_each_failure_and_writes_the_summary(tmp_path: Path):
    (tmp_path / "broken.mp4").write_bytes(b"\x00\x01garbage" * 200)
    manifest = tmp_path / "m.csv"
    manifest.write_text("video,test,side\nbroken.mp4,squat,\nnope.mp4,squat,\nbroken.mp4,hop,left\n",
                        encoding="utf-8")
    result = runner.invoke(build_app(), ["batch", str(manifest), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1, result.output
    assert "0 analysed, 0 already done, 3 failed" in result.output
    with (tmp_path / "out" / "summary.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert [(r["line"], r["status"]) for r in rows] == [("2", "failed"), ("3", "failed"), ("4", "failed")]
    assert "not a video kneeline can decode" in rows[0]["reason"] and "unknown test 'hop'" in rows[2]["reason"]


def test_a_folder_without_a_test_is_a_clean_input_error(tmp_path: Path):
    (tmp_path / "a.mp4").write_bytes(b"x")
    result = runner.invoke(build_app(), ["batch", str(tmp_path), "--out", str(tmp_path / "out")])
    assert result.exit_code == 2 and "--test" in result.output and "Traceback" not in result.output

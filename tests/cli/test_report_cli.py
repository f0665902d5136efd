"""``kneeline report`` and ``kneeline compare`` on a real analysis folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from typer.testing import CliRunner

from kneeline.cli import build_app
from tests.assess.builders import intake_dict
from tests.fixtures.analysis_outputs import real_squat  # noqa: F401  (session fixture)
from tests.report.reporting import pages, poppler, render_pages, text


def _other_test(folder: Path, tmp_path: Path) -> Path:
    """A copy of ``folder`` relabelled as a single-leg squat (another test)."""
    copy = tmp_path / "sls"
    shutil.copytree(folder, copy)
    data = json.loads((copy / "result.json").read_text())
    data["test"] = "single-leg-squat"
    (copy / "result.json").write_text(json.dumps(data))
    return copy


def test_report_pdf_with_previous_and_intake(real_squat: Path, tmp_path: Path) -> None:  # noqa: F811
    poppler()
    (tmp_path / "intake.json").write_text(json.dumps(intake_dict(date="2025-01-02")))
    out = tmp_path / "report.pdf"
    r = CliRunner().invoke(build_app(), ["report", str(real_squat / "result.json"), "--previous", str(real_squat),
                                         "--intake", str(tmp_path / "intake.json"), "--name", "Pat",
                                         "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert len(render_pages(out, tmp_path / "png")) == pages(out)
    words = text(out)
    assert "Compared with the assessment of" in words and "the same video was analysed twice" in words
    assert "not comparable: not measured from this view" in words  # withheld FPPA in both
    assert "34 years, female" in words


def test_report_against_another_test_says_not_comparable(real_squat: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "report.html"
    other = _other_test(real_squat, tmp_path)
    r = CliRunner().invoke(build_app(), ["report", str(real_squat), "--previous", str(other), "--out", str(out)])
    assert r.exit_code == 0, r.output
    assert "not comparable: these are two different tests" in out.read_text()


def test_report_of_an_unfinished_analysis_is_a_clear_error(tmp_path: Path) -> None:
    r = CliRunner().invoke(build_app(), ["report", str(tmp_path), "--out", str(tmp_path / "r.pdf")])
    assert r.exit_code == 2 and "has not finished" in r.output and not (tmp_path / "r.pdf").exists()


def test_compare_cli(real_squat: Path, tmp_path: Path) -> None:  # noqa: F811
    r = CliRunner().invoke(build_app(), ["compare", str(real_squat), str(real_squat / "result.json"), "--json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.output)
    assert data["comparable"] and len(data["rep_pairs"]) == 4
    by = {(m["side"], m["metric"]): m for m in data["metrics"]}
    assert by[("left", "fppa_deg")]["verdict"] == "not comparable"
    assert by[("both", "depth")]["verdict"] == "no SDD" and by[("both", "depth")]["change"] == 0.0
    r = CliRunner().invoke(build_app(), ["compare", str(real_squat), str(_other_test(real_squat, tmp_path))])
    assert r.exit_code == 1 and "two different tests" in r.output

"""One gate for every number shown: ``kneeline analyze`` and ``kneeline coach`` on the same oblique video.

The OpenCap iPhone video films six squats about 19 deg off frontal.  Both commands run through the
CLI with every output (the real pose model, the annotated video included); every number that
``analyze``'s ``result.json`` withholds must be absent from every output of both commands:
``result.json``, ``frames.csv``, the data drawn in ``plot.png``, the angle labels drawn on
``annotated.mp4`` (read from the annotate module's label log, not by OCR) and the web result pages.
"""

from __future__ import annotations

import csv
import json
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from typer.testing import CliRunner

from kneeline.cli import build_app

runner = CliRunner()

ANGLE_COLUMNS = ("fppa_left_deg", "fppa_right_deg", "pelvic_obliquity_deg", "trunk_lean_deg")
LABEL_KINDS = {"fppa_left": "fppa_left_deg", "fppa_right": "fppa_right_deg", "pelvis": "pelvic_obliquity_deg",
               "trunk": "trunk_lean_deg"}
PLOT_SERIES = {"left knee": "fppa_left_deg", "right knee": "fppa_right_deg", "pelvic obliquity": "pelvic_obliquity_deg",
               "trunk lean": "trunk_lean_deg"}


class _Records(logging.Handler):
    """Keeps the messages of the loggers it is attached to."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def _run(args: list[str], names: tuple[str, ...]) -> tuple[Any, list[str]]:
    """Invoke the CLI with DEBUG records of ``names`` kept; restore the loggers afterwards."""
    handler = _Records()
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    try:
        result = runner.invoke(build_app(), args)
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(handler)
            lg.setLevel(level)
    return result, handler.messages


@pytest.fixture(scope="module")
def runs(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Both commands on the same video, with their outputs and what their writers logged."""
    video = shared_data / "opencap-squat-cam0" / "squats-with-arm-raise.mov"
    tmp = tmp_path_factory.mktemp("one-gate")
    names = ("kneeline.report.annotate.labels", "kneeline.report.plot")
    # Every frame, as the coach reads them (analyze's default rate for squats is 30 fps since frame_rate.yaml).
    analyze, analyze_log = _run(["analyze", str(video), "--test", "squat", "--fps", "0", "--out", str(tmp / "analyze")],
                                names)
    coach, coach_log = _run(["coach", str(video), "--exercise", "squat", "--out", str(tmp / "coach")], names)
    assert analyze.exit_code == 0, analyze.output
    assert coach.exit_code == 0, coach.output
    yield {"analyze": tmp / "analyze", "coach": tmp / "coach", "analyze_log": analyze_log, "coach_log": coach_log,
           "coach_stderr": coach.stderr}


def _json(folder: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((folder / "result.json").read_text(encoding="utf-8"))
    return data


def _frames(folder: Path) -> list[dict[str, str]]:
    with (folder / "frames.csv").open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _withheld_columns(analysis: dict[str, Any]) -> set[str]:
    """Columns analyze withholds in every rep of this video."""
    rep_fields = {"fppa_left_deg": "fppa_left_deg", "fppa_right_deg": "fppa_right_deg",
                  "pelvic_obliquity_deg": "pelvic_obliquity_deg", "trunk_lean_deg": "trunk_lean_deg"}
    return {col for col, field in rep_fields.items() if all(r[field] is None for r in analysis["reps"])}


@pytest.mark.slow
def test_the_video_is_oblique_and_analyze_withholds_the_knee_angle(runs: dict[str, Any]) -> None:
    analysis = _json(runs["analyze"])
    assert analysis["capture"]["view"] == "oblique" and len(analysis["reps"]) == 6
    assert {"fppa_left_deg", "fppa_right_deg"} <= _withheld_columns(analysis)


@pytest.mark.slow
def test_coach_result_carries_the_same_capture_and_names_the_withheld_reps(runs: dict[str, Any]) -> None:
    analysis, coached = _json(runs["analyze"]), _json(runs["coach"])
    assert coached["count"] == 6
    assert coached["capture"]["view"] == analysis["capture"]["view"] == coached["view_seen"]
    assert coached["capture"]["yaw_deg"] == analysis["capture"]["yaw_deg"]
    assert coached["capture"]["warnings"] == analysis["capture"]["warnings"]
    withheld = _withheld_columns(analysis)
    gated = {"fppa": {"fppa_left_deg", "fppa_right_deg"}, "pelvic_drop": {"pelvic_obliquity_deg"},
             "trunk_lean": {"trunk_lean_deg"}}
    for rep in coached["reps"]:
        for measure, columns in gated.items():
            if columns <= withheld and measure in rep["measures"]:
                assert rep["measures"][measure] is None, (rep["index"], measure)
                assert rep["withheld"][measure].startswith("withheld"), (rep["index"], measure)
                assert any(n.startswith("knee_valgus: withheld") for n in rep["not_checked"]) or measure != "fppa"
        assert "knee_valgus" not in {f["id"] for f in rep["faults"]}
    fppa = next(w for w in coached["withheld"] if w["measure"] == "fppa")
    assert fppa["reps"] == [1, 2, 3, 4, 5, 6] and "turned about" in fppa["reason"]
    assert any(m.startswith("The knee angle (FPPA) is not shown for every repetition") for m in coached["messages"])
    assert "not shown for every repetition" in " ".join(runs["coach_stderr"].split())


@pytest.mark.slow
def test_frames_csv_of_both_commands_blank_every_withheld_value(runs: dict[str, Any]) -> None:
    analysis_rows, coach_rows = _frames(runs["analyze"]), _frames(runs["coach"])
    assert len(analysis_rows) == len(coach_rows)
    withheld = _withheld_columns(_json(runs["analyze"]))
    for col in withheld:
        assert all(r[col] == "" for r in analysis_rows) and all(r[col] == "" for r in coach_rows), col
    for col in ANGLE_COLUMNS:  # frame by frame: blank in analyze -> blank in coach
        for a, c in zip(analysis_rows, coach_rows, strict=True):
            assert a[col] != "" or c[col] == "", (col, a["time_s"])


def _plotted(log: list[str]) -> dict[str, int]:
    found = {}
    for message in log:
        m = re.match(r"plot series '(.+)': (\d+) finite values", message)
        if m:
            found[m.group(1)] = int(m.group(2))
    return found


@pytest.mark.slow
def test_plot_draws_no_withheld_series(runs: dict[str, Any]) -> None:
    plotted = _plotted(runs["analyze_log"])
    assert plotted, "the plot logged no series"
    withheld = _withheld_columns(_json(runs["analyze"]))
    for label, column in PLOT_SERIES.items():
        if column in withheld:
            assert plotted.get(label, 0) == 0, label
    assert plotted["depth"] > 0
    # The coach's plot draws its movement signal (hip descent), not an angle.
    assert not set(_plotted(runs["coach_log"])) & set(PLOT_SERIES)


def _labels(log: list[str]) -> list[tuple[float, str, str]]:
    out = []
    for message in log:
        m = re.match(r"(-?\d+\.\d+) (fppa_left|fppa_right|pelvis|trunk) (.+)", message)
        if m:
            out.append((float(m.group(1)), m.group(2), m.group(3)))
    return out


@pytest.mark.slow
def test_annotated_videos_draw_only_shown_values(runs: dict[str, Any]) -> None:
    rows = _frames(runs["analyze"])
    times = np.array([float(r["time_s"]) for r in rows])
    anything_shown = any(r[col] != "" for r in rows for col in ANGLE_COLUMNS)
    for log in ("analyze_log", "coach_log"):
        labels = _labels(runs[log])
        # The label log itself is checked in tests/report/test_annotate.py; here: labels iff values are shown.
        assert bool(labels) == anything_shown, log
        kinds = {kind for _, kind, _ in labels}
        assert not kinds & {"fppa_left", "fppa_right"}, f"{log} drew a withheld knee angle"
        assert not [text for _, _, text in labels if "valgus" in text or "varus" in text]
        for t, kind, _ in labels:  # every label drawn is a value analyze shows in that frame
            row = rows[int(np.argmin(np.abs(times - t)))]
            assert row[LABEL_KINDS[kind]] != "", (log, t, kind)


@pytest.mark.slow
def test_web_result_pages_show_no_withheld_number(runs: dict[str, Any], tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from kneeline.store.models import Analysis
    from kneeline.web.app import create_app
    from tests.web.conftest import make_settings, sign_up

    app = create_app(make_settings(tmp_path / "data"), start_jobs=False)
    with TestClient(app):
        patient = sign_up(app, "Pat", "pat@example.org")
        pages = {}
        for kind, folder in (("test", runs["analyze"]), ("coach", runs["coach"])):
            with app.state.ctx.db.session() as s:
                row = Analysis(patient_id=patient.user_id, kind=kind, test="squat", video_sha256="0" * 64,
                               video_name="squats.mov", video_bytes=1, status="done", result=_json(folder),
                               files=["result.json", "frames.csv", "plot.png"])
                s.add(row)
                s.flush()
                analysis_id = row.id
            pages[kind] = patient.client.get(f"/analyses/{analysis_id}")
            assert pages[kind].status_code == 200, pages[kind].text
    analysis = _json(runs["analyze"])
    test_page, coach_page = pages["test"].text, pages["coach"].text
    # the reps table of the exact-numbers block: a column is there only if some rep has a value, and a
    # withheld cell reads "not measured" (kneeline/report/tables.py)
    table = re.search(r'<table id="reps".*?</table>', test_page, re.S)
    assert table is not None
    headers = [re.sub(r"<.*?>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table.group(0), re.S)]
    body_rows = re.findall(r"<tr>(.*?)</tr>", table.group(0).split("<tbody>", 1)[1], re.S)
    assert len(body_rows) == len(analysis["reps"]) == 6
    names = {"fppa_left_deg": "Left knee FPPA", "fppa_right_deg": "Right knee FPPA",
             "pelvic_obliquity_deg": "Pelvic obliquity", "pelvic_drop_deg": "Pelvic drop",
             "trunk_lean_deg": "Trunk lean"}
    for row, rep in zip(body_rows, analysis["reps"], strict=True):
        cells = [re.sub(r"<.*?>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        for field, name in names.items():
            column = next((i for i, h in enumerate(headers) if h.startswith(name)), None)
            if rep[field] is None and column is not None:
                assert not re.search(r"\d", cells[column]), (rep["index"], field, cells[column])
    assert "oblique" in coach_page and "not shown for every repetition" in coach_page
    assert "valgus" not in coach_page.lower() and "varus" not in coach_page.lower()

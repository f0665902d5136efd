"""The gait test on motion capture: long walks built from ``walking1`` with a known left-right difference.

:mod:`benchmarks.gait_synth` repeats the one ``walking1`` step, mirrored every other step, for 16 steps
(true cadence 107.1 steps/min), adds 3 deg of pelvic drop to every left stance and 2 deg of trunk lean
toward the stance leg to every right stance, and films it with a virtual camera straight ahead.
"""

from __future__ import annotations

import csv
import json
import logging
from pathlib import Path

import numpy as np
import pytest

from benchmarks.gait_synth import SyntheticWalk, build_walk, film_walk
from kneeline.assess.gait_findings import gait_findings
from kneeline.config import AnalysisSettings
from kneeline.errors import CaptureError
from kneeline.evidence import load_sourced
from kneeline.io.markers import MOCAP_LATERAL_MAPPING, virtual_view
from kneeline.io.trc import read_trc
from kneeline.pipeline import AnalysisRun, analyze_pose
from kneeline.report.result import AnalysisResult
from kneeline.report.writer import write_outputs


@pytest.fixture(scope="module")
def walk(shared_data: Path) -> SyntheticWalk:
    """16 steps from walking1 with the built-in differences."""
    return build_walk(shared_data)


@pytest.fixture(scope="module")
def raw_run(walk: SyntheticWalk) -> AnalysisRun:
    """The walk analysed with nothing withheld for the view (the benchmark settings)."""
    return analyze_pose(film_walk(walk), "gait", settings=AnalysisSettings.model_validate({"enforce_view": False}))


@pytest.fixture(scope="module")
def default_run(walk: SyntheticWalk) -> AnalysisRun:
    """The walk analysed at kneeline's default settings (the capture gate on)."""
    return analyze_pose(film_walk(walk), "gait")


def _side_mean(result: AnalysisResult, side: str, field: str) -> float:
    return float(np.mean([getattr(s, field) for s in result.steps if s.side == side and getattr(s, field) is not None]))


def test_gait_yaml_entries_have_values_and_sources():
    entries = load_sourced("gait.yaml")
    assert {"min_steps_per_side", "bramah_odds_per_deg", "contact_speed", "rest_distance"} <= set(entries)
    assert all(e.source for e in entries.values())
    assert entries["min_steps_per_side"].value == 7


def test_cadence_steps_and_contacts_of_the_long_walk(walk: SyntheticWalk, raw_run: AnalysisRun):
    gait = raw_run.result.gait
    assert gait is not None and gait.enough_steps
    assert gait.steps_left == gait.steps_right == 7  # the first contact starts the video, the last has no toe-off
    assert gait.cadence_steps_per_min == pytest.approx(walk.cadence, abs=3.0)
    contacts = sorted(s.contact_s for s in raw_run.result.steps if s.contact_s is not None)
    truth = sorted(t for side in walk.contacts_s.values() for t in side if t > 0)
    assert len(contacts) == len(truth)
    assert max(abs(a - b) for a, b in zip(contacts, truth, strict=True)) <= 0.1  # far steps land earliest


def test_built_in_left_right_difference_is_recovered(walk: SyntheticWalk, raw_run: AnalysisRun):
    result = raw_run.result
    drop = _side_mean(result, "left", "pelvic_drop_deg") - _side_mean(result, "right", "pelvic_drop_deg")
    lean = _side_mean(result, "left", "trunk_lean_deg") - _side_mean(result, "right", "trunk_lean_deg")
    assert drop == pytest.approx(walk.extra_drop_deg, abs=0.5)
    assert lean == pytest.approx(-walk.extra_lean_deg, abs=0.5)


def test_default_settings_show_pelvic_drop_and_trunk_lean_with_their_expected_errors(default_run: AnalysisRun):
    result = default_run.result
    complete = [s for s in result.steps if s.stance_s is not None]
    assert complete and all(s.pelvic_drop_deg is not None and s.pelvic_error_deg is not None for s in complete)
    # at midstance the supporting knee is nearly straight: trunk lean is read (the swinging knee does not count)
    assert all(s.trunk_lean_deg is not None and s.trunk_lean_error_deg is not None for s in complete)
    assert all(s.trunk_lean_error_deg < 2.3 for s in complete if s.trunk_lean_error_deg is not None)
    assert result.summary.asymmetry["pelvic_drop_deg"].difference == pytest.approx(3.0, abs=0.5)
    # the shown table is the one source: what a step shows is what frames.csv holds at its midstance
    for step in complete:
        i = int(np.argmin(np.abs(default_run.table.time_s - step.midstance_s)))
        assert np.isfinite(default_run.table.trunk_lean_deg[i])


def test_findings_are_information_with_the_evidence(default_run: AnalysisRun):
    findings = gait_findings(default_run.result)
    drops = [f for f in findings if f.code == "gait_pelvic_drop"]
    assert {f.side for f in drops} == {"left", "right"}
    text = " ".join(f.text + " " + f.reference + " " + f.uncertainty for f in findings)
    assert "Bramah 2018" in text and "Dingenen 2018" in text and "not a diagnosis" in text
    assert "diagnosed" not in text and "you have" not in text.lower()
    asym = [f for f in findings if f.code == "gait_pelvic_drop_deg_asymmetry"]
    assert asym and "more than the measurement noise" in asym[0].text


def test_too_few_steps_are_counted_and_not_averaged(shared_data: Path):
    short = build_walk(shared_data, n_steps=8)
    result = analyze_pose(film_walk(short), "gait").result
    assert result.gait is not None and not result.gait.enough_steps
    assert result.gait.steps_left == result.gait.steps_right == 3
    assert any("Too few steps" in m for m in result.gait.messages)
    assert result.summary.left is not None and result.summary.left.metrics["pelvic_drop_deg"].mean is None
    assert [f.code for f in gait_findings(result)] == ["gait_message"]


def test_outputs_of_the_gait_test(default_run: AnalysisRun, tmp_path: Path, caplog: pytest.LogCaptureFixture):
    with caplog.at_level(logging.INFO):
        paths = write_outputs(tmp_path / "out", default_run.result, default_run.table, default_run.pose, None)
    assert sorted(paths) == ["frames.csv", "plot.png", "result.json"]
    data = json.loads((tmp_path / "out" / "result.json").read_text())
    assert data["test"] == "gait" and len(data["steps"]) == len(default_run.result.steps)
    assert {"side", "contact_s", "toe_off_s", "pelvic_drop_deg", "withheld"} <= set(data["steps"][1])
    assert AnalysisResult.model_validate(data) == default_run.result
    with (tmp_path / "out" / "frames.csv").open() as fh:
        phases = {row["phase"] for row in csv.DictReader(fh)}
    assert phases == {"stance", ""}
    assert (tmp_path / "out" / "plot.png").stat().st_size > 20_000


def test_results_written_before_the_gait_test_still_load(default_run: AnalysisRun):
    data = json.loads(default_run.result.model_dump_json())
    data["test"] = "squat"
    del data["steps"], data["gait"]
    old = AnalysisResult.model_validate(data)
    assert old.steps == [] and old.gait is None


def test_walking_across_the_view_is_refused_with_the_reason(shared_data: Path):
    markers = read_trc(shared_data / "mocap-opencap-subject4" / "walking1.trc")
    side_on, _ = virtual_view(markers, MOCAP_LATERAL_MAPPING, yaw_deg=90.0)
    with pytest.raises(CaptureError, match="from the side"):
        analyze_pose(side_on, "gait")

"""Contract with the measurement core: a real ``AnalysisResult`` from ``analyze_pose`` feeds the program.

Uses the synthetic stick figure of ``tests/fixtures/synthetic.py``: six single-leg squats, three on
the left leg (knee angle up to 3 deg, little pelvic drop) then three on the right (knee angle up to
18 deg valgus, the other side of the pelvis dropping 4.5 deg).
"""

from __future__ import annotations

import json

import numpy as np

from kneeline.pipeline import analyze_pose
from kneeline.program.plan import build_program
from kneeline.report.result import AnalysisResult
from tests.assess.builders import make_intake
from tests.fixtures.synthetic import squat_depth, stick_figure

T = np.arange(0, 14, 1 / 30)


def test_result_json_of_the_pipeline_drives_findings_and_cues() -> None:
    depth = squat_depth(T, n_reps=6, amplitude=0.15)
    left_first = T < 7.0
    pose = stick_figure(T, depth=depth, fppa_left=np.where(left_first, 20 * depth, 0),
                        fppa_right=np.where(left_first, 0, 120 * depth),
                        obliquity=np.where(left_first, 5 * depth, -30 * depth),
                        lift_right=np.where(left_first, 0.15, 0), lift_left=np.where(left_first, 0, 0.15))
    result = analyze_pose(pose, "single-leg-squat").result
    round_trip = AnalysisResult.model_validate(json.loads(result.model_dump_json()))
    response = build_program(make_intake(), [round_trip])
    codes = {(f.side, f.code) for f in response.findings}
    assert ("right", "fppa_above_healthy_range") in codes
    assert ("right", "pelvic_drop_notable") in codes
    assert ("left", "fppa_below_healthy_range") in codes
    program = response.program
    assert program is not None
    assert {"lateral-step-down", "knee-alignment-drill", "side-lying-hip-abduction", "hip-hike"} <= {
        e.id for e in program.exercises}

import csv

import numpy as np
import pytest

from kneeline.kinematics.table import COLUMNS
from kneeline.report.frames_csv import CSV_COLUMNS, frame_reps, write_frames_csv
from kneeline.report.result import Rep
from tests.report._factories import (
    BOTTOM_S,
    FPS,
    MISSING_FRAME,
    N_FRAMES,
    VALGUS_LEFT_DEG,
    VARUS_RIGHT_DEG,
    make_result,
    one_squat,
)


def _read(path):
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_header_and_one_row_per_frame(tmp_path):
    squat = one_squat()
    rows = _read(write_frames_csv(tmp_path / "frames.csv", squat.table, squat.result))
    assert tuple(rows[0]) == CSV_COLUMNS == (*COLUMNS, "rep", "phase")
    assert len(rows) == 1 + N_FRAMES
    assert all(len(r) == len(CSV_COLUMNS) for r in rows)


def test_values_three_decimals_and_bottom_frame(tmp_path):
    squat = one_squat()
    rows = _read(write_frames_csv(tmp_path / "frames.csv", squat.table, squat.result))
    col = {name: i for i, name in enumerate(rows[0])}
    bottom = rows[1 + round(BOTTOM_S * FPS)]
    assert bottom[col["time_s"]] == f"{BOTTOM_S:.3f}"
    assert bottom[col["fppa_left_deg"]] == f"{VALGUS_LEFT_DEG:.3f}"
    assert bottom[col["fppa_right_deg"]] == f"{-VARUS_RIGHT_DEG:.3f}"
    assert bottom[col["depth"]] == "0.300"
    assert bottom[col["rep"]] == "1"
    assert bottom[col["phase"]] == "ascent"
    for name in COLUMNS:
        for r in rows[1:]:
            cell = r[col[name]]
            assert cell == "" or len(cell.split(".")[1]) == 3


def test_nan_is_an_empty_cell(tmp_path):
    squat = one_squat()
    rows = _read(write_frames_csv(tmp_path / "frames.csv", squat.table, squat.result))
    col = {name: i for i, name in enumerate(rows[0])}
    missing = rows[1 + MISSING_FRAME]
    assert missing[col["fppa_left_deg"]] == ""
    assert missing[col["depth"]] == ""
    assert missing[col["time_s"]] == f"{MISSING_FRAME / FPS:.3f}"


def test_frames_outside_reps_have_empty_rep_and_phase(tmp_path):
    squat = one_squat()
    rows = _read(write_frames_csv(tmp_path / "frames.csv", squat.table, squat.result))
    assert rows[1][-2:] == ["", ""]
    assert rows[-1][-2:] == ["", ""]
    phases = [r[-1] for r in rows[1:]]
    assert "descent" in phases and "ascent" in phases
    first_descent, first_ascent = phases.index("descent"), phases.index("ascent")
    assert first_descent < first_ascent


def test_frame_reps_by_hand():
    t = np.arange(10.0)
    reps = [Rep(index=1, side="both", start_s=1, bottom_s=3, end_s=4),
            Rep(index=2, side="both", start_s=6, bottom_s=7, end_s=8)]
    rep_of, phase_of = frame_reps(t, reps, "squat")
    assert rep_of == [None, 1, 1, 1, 1, None, 2, 2, 2, None]
    assert phase_of == ["", "descent", "descent", "ascent", "ascent", "", "descent", "ascent", "ascent", ""]


def test_single_leg_stance_reps_are_holds():
    t = np.arange(5.0)
    reps = [Rep(index=1, side="left", start_s=1, bottom_s=2, end_s=3)]
    rep_of, phase_of = frame_reps(t, reps, "single-leg-stance")
    assert rep_of == [None, 1, 1, 1, None]
    assert phase_of == ["", "hold", "hold", "hold", ""]


def test_no_reps_leaves_columns_empty(tmp_path):
    squat = one_squat()
    rows = _read(write_frames_csv(tmp_path / "f.csv", squat.table, make_result(reps=[])))
    assert all(r[-2:] == ["", ""] for r in rows[1:])


def test_inputs_not_mutated(tmp_path):
    squat = one_squat()
    before = squat.table.fppa_left_deg.copy()
    dumped = squat.result.model_dump()
    write_frames_csv(tmp_path / "f.csv", squat.table, squat.result)
    np.testing.assert_array_equal(squat.table.fppa_left_deg, before)
    assert squat.result.model_dump() == dumped


@pytest.mark.parametrize("value,text", [(-0.0004, "0.000"), (1.23456, "1.235")])
def test_negative_zero_and_rounding(tmp_path, value, text):
    squat = one_squat()
    table = type(squat.table)(**{**{n: squat.table.column(n) for n in COLUMNS},
                                 "trunk_lean_deg": np.full(N_FRAMES, value)})
    rows = _read(write_frames_csv(tmp_path / "f.csv", table, squat.result))
    assert rows[1][rows[0].index("trunk_lean_deg")] == text

import re
import subprocess
import sys
from pathlib import Path

import numpy as np

from kneeline.kinematics.table import COLUMNS, KinematicsTable
from kneeline.report.plot import write_plot
from kneeline.report.result import Rep
from tests.report._factories import N_FRAMES, make_result, one_squat

ROOT = Path(__file__).resolve().parents[2]


def _decode(path):
    import cv2

    image = cv2.imread(str(path))
    assert image is not None, f"{path} is not a decodable PNG"
    return image


def test_png_decodes_with_figure_size(tmp_path):
    squat = one_squat(warnings=["Camera looks oblique (yaw 25°)."])
    out = write_plot(tmp_path / "plot.png", squat.table, squat.result, dpi=50)
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert _decode(out).shape == (500, 550, 3)  # 11 x 10 inches at 50 dpi


def test_single_leg_test_draws(tmp_path):
    squat = one_squat()
    result = make_result("single-leg-squat", reps=[
        Rep(index=1, side="left", start_s=0.2, bottom_s=1.0, end_s=1.8)])
    out = write_plot(tmp_path / "plot.png", squat.table, result, dpi=40)
    assert _decode(out).shape == (400, 440, 3)


def test_all_nan_table_and_no_reps(tmp_path):
    t = np.arange(N_FRAMES) / 30.0
    nan = np.full(N_FRAMES, np.nan)
    table = KinematicsTable(time_s=t, **{c: nan for c in COLUMNS if c != "time_s"})
    out = write_plot(tmp_path / "plot.png", table, make_result(reps=[]), dpi=40)
    assert _decode(out).shape == (400, 440, 3)


def test_plot_differs_with_data(tmp_path):
    """A drawn curve changes pixels: the plot is not a blank template."""
    squat = one_squat()
    t = squat.table.time_s
    flat = KinematicsTable(time_s=t, **{c: np.zeros(N_FRAMES) for c in COLUMNS if c != "time_s"})
    a = _decode(write_plot(tmp_path / "a.png", squat.table, squat.result, dpi=40))
    b = _decode(write_plot(tmp_path / "b.png", flat, squat.result, dpi=40))
    assert np.abs(a.astype(int) - b.astype(int)).sum() > 0


def test_no_matplotlib_at_import_and_no_pyplot_after_use(tmp_path):
    code = (
        "import sys\n"
        "import kneeline.report.plot, kneeline.report.writer, kneeline.report.annotate\n"
        "assert 'matplotlib' not in sys.modules, 'matplotlib imported at import time'\n"
        "from tests.report._factories import one_squat\n"
        "s = one_squat()\n"
        f"kneeline.report.plot.write_plot(r'{tmp_path / 'p.png'}', s.table, s.result, dpi=30)\n"
        "assert 'matplotlib.pyplot' not in sys.modules, 'pyplot used'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_withheld_series_are_drawn_empty(tmp_path, caplog):
    """A knee angle withheld in every frame (NaN in the shown table) is plotted with no finite value."""
    from dataclasses import replace

    squat = one_squat()
    nan = np.full(squat.table.time_s.shape, np.nan)
    shown = replace(squat.table, fppa_left_deg=nan, fppa_right_deg=nan)
    with caplog.at_level("DEBUG", logger="kneeline.report.plot"):
        write_plot(tmp_path / "plot.png", shown, squat.result)
    counts = dict(re.findall(r"plot series '(.+)': (\d+) finite", caplog.text))
    assert counts["left knee"] == "0" and counts["right knee"] == "0"
    assert int(counts["pelvic obliquity"]) > 0 and int(counts["depth"]) > 0

"""Tests of the TRC and OpenSim motion-file readers: hand-written files and the real data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kneeline.errors import InputError
from kneeline.io.trc import MarkerSet, read_mot, read_trc
from tests.fixtures.mocap import shared_data_root

HEADER = (
    "PathFileType\t4\t(X/Y/Z)\ttiny.trc\n"
    "DataRate\tCameraRate\tNumFrames\tNumMarkers\tUnits\tOrigDataRate\tOrigDataStartFrame\tOrigNumFrames\n"
    "{rate}\t{rate}\t3\t2\t{units}\t{rate}\t1\t3\n"
    "Frame#\tTime\tA\t\t\tB\t\t\n"
    "\t\tX1\tY1\tZ1\tX2\tY2\tZ2\n"
    "\n"
)
ROWS = (
    "1\t0.00\t1\t2\t3\t4\t5\t6\n"
    "2\t0.01\t1.5\t2.5\t3.5\t\t\t\n"
    "3\t0.02\t2\t3\t4\t7\t8\t9\n"
)


def write(tmp_path: Path, text: str, name: str = "tiny.trc") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def tiny(tmp_path: Path, units: str = "m", rows: str = ROWS, rate: str = "100") -> Path:
    return write(tmp_path, HEADER.format(units=units, rate=rate) + rows)


def test_reads_names_times_and_positions(tmp_path: Path) -> None:
    markers = read_trc(tiny(tmp_path))
    assert markers.names == ("A", "B")
    assert markers.rate_hz == 100.0
    assert markers.units == "m"
    np.testing.assert_allclose(markers.time_s, [0.0, 0.01, 0.02])
    assert markers.xyz.shape == (3, 2, 3)
    np.testing.assert_allclose(markers.marker("A")[0], [1, 2, 3])
    np.testing.assert_allclose(markers.marker("B")[2], [7, 8, 9])


def test_empty_cells_are_missing(tmp_path: Path) -> None:
    b = read_trc(tiny(tmp_path)).marker("B")
    assert np.all(np.isnan(b[1]))
    assert np.all(np.isfinite(b[[0, 2]]))


def test_millimetres_become_metres(tmp_path: Path) -> None:
    markers = read_trc(tiny(tmp_path, units="mm"))
    assert markers.units == "mm"
    np.testing.assert_allclose(markers.marker("A")[0], [0.001, 0.002, 0.003])


def test_short_rows_are_padded_with_nan(tmp_path: Path) -> None:
    rows = "1\t0.00\t1\t2\t3\t4\t5\t6\n2\t0.01\t1\t2\t3\n"
    markers = read_trc(tiny(tmp_path, rows=rows))
    assert np.all(np.isnan(markers.marker("B")[1]))


def test_result_is_read_only(tmp_path: Path) -> None:
    markers = read_trc(tiny(tmp_path))
    with pytest.raises(ValueError):
        markers.xyz[0, 0, 0] = 5.0


def test_unknown_marker_names_the_available_ones(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="'C' is not in .*A, B"):
        read_trc(tiny(tmp_path)).marker("C")


def test_slice_keeps_names(tmp_path: Path) -> None:
    part = read_trc(tiny(tmp_path)).slice(1, 3)
    assert part.n_frames == 2 and part.names == ("A", "B")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not a trc\n", "not a TRC file"),
        (HEADER.format(units="inch", rate="100") + ROWS, "units must be"),
        (HEADER.format(units="m", rate="fast") + ROWS, "not numbers"),
        (HEADER.format(units="m", rate="100").replace("Frame#\tTime", "Index\tT") + ROWS, "Frame#"),
        (HEADER.format(units="m", rate="100").replace("\t2\tm", "\t3\tm") + ROWS, "declares 3 markers"),
        (HEADER.format(units="m", rate="100"), "no data rows"),
        (HEADER.format(units="m", rate="100") + "1\t0\t1\t2\tx\t4\t5\t6\n", "non-number"),
        (HEADER.format(units="m", rate="100") + "1\t0\t1\t2\t3\t4\t5\t6\t7\n", "expected 8"),
        (HEADER.format(units="m", rate="100") + "1\t0.1\t1\t2\t3\t4\t5\t6\n2\t0.1\t1\t2\t3\t4\t5\t6\n",
         "strictly increasing"),
        (HEADER.format(units="m", rate="100").replace("DataRate\t", "Rate\t") + ROWS, "lacks DataRate"),
    ],
)
def test_malformed_files_raise_input_error(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_trc(write(tmp_path, text))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not found"):
        read_trc(tmp_path / "nope.trc")


def test_marker_set_validates_shapes() -> None:
    with pytest.raises(InputError, match="shape"):
        MarkerSet(time_s=np.zeros(2), names=("A",), xyz=np.zeros((2, 2, 3)), rate_hz=1.0, units="m")


MOT = """Coordinates
version=1
nRows=2
nColumns=3
inDegrees={deg}
endheader
time\tpelvis_list\tpelvis_tx
0\t0.1\t1.0
0.01\t-0.2\t1.1
"""


@pytest.mark.parametrize(("flag", "expected"), [("no", np.degrees([0.1, -0.2])), ("yes", [0.1, -0.2])])
def test_read_mot_converts_to_degrees(tmp_path: Path, flag: str, expected: list[float]) -> None:
    mot = read_mot(write(tmp_path, MOT.format(deg=flag), "ik.mot"))
    np.testing.assert_allclose(mot.time_s, [0.0, 0.01])
    np.testing.assert_allclose(mot.degrees("pelvis_list"), expected)
    np.testing.assert_allclose(mot.column("pelvis_tx"), [1.0, 1.1])
    with pytest.raises(InputError, match="hip_flexion_r"):
        mot.column("hip_flexion_r")


def test_read_mot_needs_endheader(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="endheader"):
        read_mot(write(tmp_path, "time\tx\n0\t1\n", "bad.mot"))


# --- real files ---------------------------------------------------------------------------------

def data_or_skip(*parts: str) -> Path:
    root = shared_data_root()
    path = None if root is None else root.joinpath(*parts)
    if path is None or not path.exists():
        pytest.skip(f"real data absent: ../shared/data/{'/'.join(parts)}")
    return path


def test_real_opencap_reference() -> None:
    markers = read_trc(data_or_skip("opencap-squat-cam0", "squats-with-arm-raise.reference.trc"))
    assert markers.xyz.shape == (795, 63, 3)
    assert markers.rate_hz == 60.0
    for name in ("RHJC_study", "LHJC_study", "r_mknee_study", "L_mankle_study", "midHip", "L.ASIS_study"):
        assert markers.has(name)
    assert np.all(np.isfinite(markers.xyz))
    # Y up, metres: the hips of a standing adult are about a metre above the floor.
    assert 0.6 < np.median(markers.marker("midHip")[:, 1]) < 1.2


@pytest.mark.parametrize(("trial", "frames", "n_markers"),
                         [("squats1", 1346, 51), ("STS1", 1399, 51), ("static1", 517, 55), ("DJ1", 269, 51)])
def test_real_mocap_trials(trial: str, frames: int, n_markers: int) -> None:
    markers = read_trc(data_or_skip("mocap-opencap-subject4", f"{trial}.trc"))
    assert markers.xyz.shape == (frames, n_markers, 3)
    assert markers.rate_hz == 100.0
    assert markers.has("R_HJC") and markers.has("L_HJC")
    if trial == "DJ1":
        assert np.isnan(markers.xyz).any()  # gaps in the drop jump stay missing


def test_real_mot_pelvis_list() -> None:
    mot = read_mot(data_or_skip("mocap-opencap-subject4", "squats1_ik.mot"))
    assert not mot.in_degrees
    assert mot.time_s.size == 1346
    assert np.all(np.abs(mot.degrees("pelvis_list")) < 15)

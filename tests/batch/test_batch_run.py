"""Batches on this machine and on a Ray cluster started by the tests: failures, resuming, a killed worker."""

from __future__ import annotations

import csv
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from kneeline.batch.run import BatchReport, run_batch
from kneeline.errors import InputError

DEADLINE_S = 240.0
"""Generous: the machine running the tests may be busy."""


def _summary(report: BatchReport) -> dict[int, dict[str, str]]:
    with report.summary.open(newline="", encoding="utf-8") as f:
        return {int(r["line"]): r for r in csv.DictReader(f)}


def _events(out: Path, name: str) -> list[tuple[str, int]]:
    lines = (out / ".batch" / f"{name}.log").read_text(encoding="utf-8").splitlines()
    return [(line.split()[0], int(line.split()[1])) for line in lines]


def _manifest(folder: Path, squat: Path | None) -> Path:
    (folder / "corrupt.mp4").write_bytes(b"\x00\x01garbage" * 500)
    rows = ["video,test,side,patient_id", "corrupt.mp4,squat,,", "missing.mp4,squat,,", "corrupt.mp4,jump,,",
            "corrupt.mp4,squat,up,"]
    if squat is not None:
        rows.insert(1, f"{squat},squat,auto,p1")
    manifest = folder / "manifest.csv"
    manifest.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return manifest


def _check_bad_rows(rows: dict[int, dict[str, str]], first: int) -> None:
    assert rows[first]["status"] == "failed" and "not a video kneeline can decode" in rows[first]["reason"]
    assert rows[first + 1]["reason"].startswith("video file not found")
    assert rows[first + 2]["reason"].startswith("unknown test 'jump'")
    assert rows[first + 3]["reason"].startswith("bad side 'up'")


def test_a_local_batch_lists_every_failure_and_skips_nothing_it_has_not_done(tmp_path: Path):
    out = tmp_path / "out"
    report = run_batch(_manifest(tmp_path, None), out, engine="local", annotate=False)
    rows = _summary(report)
    assert sorted(rows) == [2, 3, 4, 5] and report.count("failed") == 4
    _check_bad_rows(rows, 2)
    assert rows[2]["attempts"] == "1" and not (out / "corrupt-squat").exists()  # no output folder for a failure


def test_a_ray_address_that_does_not_answer_stops_before_any_work(tmp_path: Path):
    pytest.importorskip("ray", reason="Ray is not installed (pip install 'kneeline[cluster]')")
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    started = time.monotonic()
    with pytest.raises(InputError, match=f"no Ray cluster answers at 127.0.0.1:{port}"):
        run_batch(_manifest(tmp_path, None), tmp_path / "out", engine="ray", address=f"127.0.0.1:{port}")
    assert time.monotonic() - started < 15
    assert not (tmp_path / "out").exists()


def _kill_mid_video(out: Path, name: str, killed: list[int]) -> None:
    """Wait until a worker has been on ``name`` for 2 s, then kill its process (SIGKILL)."""
    log = out / ".batch" / f"{name}.log"
    deadline = time.monotonic() + DEADLINE_S
    while not (log.is_file() and log.read_text(encoding="utf-8").startswith("start ")):
        assert time.monotonic() < deadline, "the video never started"
        time.sleep(0.1)
    time.sleep(2.0)
    assert not (out / name / "result.json").exists(), "the video finished before the kill"
    pid = int(log.read_text(encoding="utf-8").split()[1])
    os.kill(pid, signal.SIGKILL)  # e.g. the kernel's out-of-memory killer
    killed.append(pid)


@pytest.mark.slow
def test_a_ray_batch_survives_a_worker_killed_mid_video_and_resumes(ray_cluster: str, shared_data: Path,
                                                                    tmp_path: Path):
    squat = shared_data / "opencap-squat-cam0" / "squats-with-arm-raise.mov"
    out = tmp_path / "out"
    name = "p1/squats-with-arm-raise-squat"
    killed: list[int] = []
    killer = threading.Thread(target=_kill_mid_video, args=(out, name, killed), daemon=True)
    killer.start()
    report = run_batch(_manifest(tmp_path, squat), out, engine="ray", address=ray_cluster, workers=1,
                       annotate=False)
    killer.join(timeout=5)
    assert len(killed) == 1
    rows = _summary(report)
    assert (rows[2]["status"], rows[2]["reps"], rows[2]["attempts"]) == ("done", "6", "2"), rows[2]
    _check_bad_rows(rows, 3)
    events = _events(out, name)  # retried on a new worker process, published once
    assert [e for e, _ in events] == ["start", "start", "done"]
    assert events[0][1] == killed[0] and events[1][1] != killed[0] == events[0][1]
    assert sorted(p.name for p in (out / name).iterdir()) == ["frames.csv", "plot.png", "result.json"]
    assert list((out / "p1").glob(".*partial*")) == []  # the killed attempt's partial folder is gone
    written = (out / name / "result.json").stat().st_mtime_ns

    again = run_batch(_manifest(tmp_path, squat), out, engine="local", annotate=False)  # resumed: nothing redone
    rows = _summary(again)
    assert (rows[2]["status"], rows[2]["reps"], rows[2]["attempts"]) == ("skipped", "6", "2")
    assert (out / name / "result.json").stat().st_mtime_ns == written
    assert [e for e, _ in _events(out, name)] == ["start", "start", "done", "skipped"]
    assert again.count("failed") == 4

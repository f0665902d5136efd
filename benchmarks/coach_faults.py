"""How the coach's own fault checks (``movements.yaml`` thresholds) agree with UI-PRMD's labels.

Each subject's correct and incorrect repetitions of a movement are joined into one set (as in
``coaching.py``), projected into a virtual frontal (yaw 0) and a virtual side camera (yaw 90) and
coached as the kneeline exercise that matches the movement.  A repetition is matched to its file
by the time of its peak; it counts as *flagged* when any form check of either camera flagged it.
Tempo checks (``too_fast``) and range checks are reported apart: UI-PRMD's incorrect repetitions
are deliberate form errors, not speed or range instructions, and the repetitions were cut by the
dataset's authors.

Printed per movement: how many correct repetitions were flagged (false alarms), how many incorrect
ones were (caught), balanced accuracy, and each fault's rate on correct vs incorrect repetitions.
This is the evidence for (or against) the coach's thresholds; it needs no scikit-learn.

Run: ``.venv/bin/python benchmarks/coach_faults.py``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import bench_settings, data_root, print_table  # noqa: E402
from benchmarks.coaching import join_reps  # noqa: E402
from benchmarks.uiprmd_data import NO_REPETITION, PIG_MAPPING, read_uiprmd, uiprmd_files  # noqa: E402
from kneeline.coach.session import coach_pose  # noqa: E402
from kneeline.io.markers import virtual_view  # noqa: E402

EXERCISES: dict[str, tuple[str, str]] = {
    "m01": ("deep squat", "squat"), "m02": ("hurdle step", "single-leg-stance"),
    "m03": ("inline lunge", "lunge"), "m04": ("side lunge", "side-lunge"),
}
"""UI-PRMD movement -> (name, kneeline exercise that coaches it)."""

NOT_FORM = frozenset({"too_fast", "incomplete_range", "short_hold"})
"""Faults about dose (tempo, range, hold time), reported apart from form faults."""

STILL_S = 0.6
"""Still posture joined before and after each repetition (as ``coaching.py``)."""


@dataclass
class Tally:
    """Per movement: reps seen, flagged, and per-fault counts, for correct (0) and incorrect (1)."""

    reps: list[int] = field(default_factory=lambda: [0, 0])
    flagged: list[int] = field(default_factory=lambda: [0, 0])
    unmatched: list[int] = field(default_factory=lambda: [0, 0])
    faults: dict[str, list[int]] = field(default_factory=dict)


def file_windows(durations: list[float]) -> list[tuple[float, float]]:
    """Start and end time (s) of each file's repetition inside the joined sequence."""
    out, t = [], 0.0
    for d in durations:
        out.append((t + STILL_S, t + STILL_S + d))
        t += 2 * STILL_S + d
    return out


def rep_faults(files: list[Path], exercise: str) -> list[set[str] | None]:
    """Faults of each file's repetition (both cameras), or None where no counted rep peaked in it."""
    reps = [read_uiprmd(p) for p in files]
    joined = join_reps(reps, STILL_S)
    windows = file_windows([float(m.time_s[-1] - m.time_s[0]) + 1.0 / m.rate_hz for m in reps])
    found: list[set[str] | None] = [None] * len(files)
    for yaw in (0.0, 90.0):
        pose, _ = virtual_view(joined, PIG_MAPPING, yaw_deg=yaw)
        result = coach_pose(pose, exercise, settings=bench_settings(), require_reps=False).result
        for rep in result.reps:
            for i, (a, b) in enumerate(windows):
                if a <= rep.peak_s <= b:
                    found[i] = (found[i] or set()) | {f.id for f in rep.faults}
    return found


def tally(root: Path, movement: str) -> Tally:
    """Coach every subject's correct and incorrect set of ``movement`` and count the flags."""
    t = Tally()
    exercise = EXERCISES[movement][1]
    for label, correct in ((0, True), (1, False)):
        for files in uiprmd_files(root, movement, correct).values():
            files = [p for p in files if p.name not in NO_REPETITION]
            for faults in rep_faults(files, exercise):
                t.reps[label] += 1
                if faults is None:
                    t.unmatched[label] += 1
                    continue
                if faults - NOT_FORM:
                    t.flagged[label] += 1
                for f in faults:
                    t.faults.setdefault(f, [0, 0])[label] += 1
    return t


def main() -> int:
    """Print the agreement table and each fault's rates."""
    root = data_root()
    rows, details = [], []
    for mv, (name, exercise) in EXERCISES.items():
        t = tally(root, mv)
        seen = [t.reps[k] - t.unmatched[k] for k in (0, 1)]
        spec = 1 - t.flagged[0] / seen[0] if seen[0] else float("nan")
        sens = t.flagged[1] / seen[1] if seen[1] else float("nan")
        rows.append([f"{mv} {name}", exercise, f"{t.flagged[0]}/{seen[0]}", f"{t.flagged[1]}/{seen[1]}",
                     f"{(spec + sens) / 2:.2f}", f"{t.unmatched[0] + t.unmatched[1]}"])
        details.append((mv, name, t, seen))
    print_table("Coach form checks vs UI-PRMD labels (a rep is flagged when any form fault of either camera fires)",
                ["movement", "coached as", "correct flagged", "incorrect flagged", "balanced accuracy",
                 "reps not matched"], rows)
    for mv, name, t, seen in details:
        rates = ", ".join(f"{f} {c[0]}/{seen[0]} vs {c[1]}/{seen[1]}" for f, c in sorted(t.faults.items()))
        print(f"  {mv} {name}: fault on correct vs incorrect: {rates or 'none fired'}")
    print("  (too_fast, incomplete_range and short_hold are dose checks, not counted as form flags)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

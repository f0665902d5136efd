"""The product's reference comparison (``kneeline coach --reference``) against UI-PRMD's labels.

Since issue 14 the product decides with the deviation score (``uiprmd_scales.py`` fits its scales
and prints the per-camera figures, leave-one-subject-out and as shipped); this script runs the
product path itself and counts a rep as changed when ``vs_reference.differs`` is true in either
camera.  The history below describes the earlier SDD rule it was written for.

``uiprmd_reference.py`` shows that a person's own reference repetitions separate their correct
from their incorrect repetitions when *hundreds* of 2D features are compared.  The product compares
fewer: the coach's per-repetition measures, and it calls a change only for the three measures
with a published smallest detectable difference (knee FPPA 8 deg, trunk lean 2.3 deg, pelvic drop
2.8 deg; ``measurement.yaml``).  This benchmark runs exactly that path:

* per subject, the first ``--reference`` correct files (by file order, never by score) are joined
  into one set and coached: the *reference set*;
* the subject's other correct files and all incorrect files are joined and coached as separate
  sets and compared with :func:`kneeline.coach.compare.compare_with_reference`;
* both through a virtual frontal (yaw 0) and side (yaw 90) camera, as ``coach_faults.py``.

A repetition counts as *changed* when any measure of either camera moved beyond its SDD.  Printed
per movement: changed correct repetitions (false alarms), changed incorrect ones (caught), balanced
accuracy, and which measure changed how often.  No scikit-learn, nothing fitted: the SDDs are the
published ones.

Run: ``.venv/bin/python benchmarks/coach_reference.py [--reference 3]``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks._common import bench_settings, data_root, print_table  # noqa: E402
from benchmarks.coach_faults import EXERCISES, STILL_S, file_windows  # noqa: E402
from benchmarks.coaching import join_reps  # noqa: E402
from benchmarks.uiprmd_data import NO_REPETITION, PIG_MAPPING, read_uiprmd, uiprmd_files  # noqa: E402
from kneeline.coach.compare import compare_with_reference  # noqa: E402
from kneeline.coach.result import CoachResult  # noqa: E402
from kneeline.coach.session import coach_pose  # noqa: E402
from kneeline.errors import InputError  # noqa: E402
from kneeline.io.markers import virtual_view  # noqa: E402
from kneeline.io.trc import MarkerSet  # noqa: E402

N_REFERENCE = 3
CAMERAS = {"front": 0.0, "side": 90.0}
"""Virtual camera -> yaw (deg), as ``coach_faults.py``."""
MOVEMENTS = ("m01", "m03", "m04")
"""Movements compared.  m02 (hurdle step) is left out: its kneeline stand-in, the single-leg stance,
is a hold, and three joined hurdle steps count as one hold, too few for a reference set."""


@dataclass
class Tally:
    """Per movement, for correct (0) and incorrect (1) repetitions: scored, changed, not compared."""

    reps: list[int] = field(default_factory=lambda: [0, 0])
    changed: list[int] = field(default_factory=lambda: [0, 0])
    not_compared: list[int] = field(default_factory=lambda: [0, 0])
    measures: dict[str, list[int]] = field(default_factory=dict)
    by_camera: dict[str, list[int]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)


def _coach(reps: list[MarkerSet], exercise: str, yaw: float) -> CoachResult:
    pose, _ = virtual_view(join_reps(reps, STILL_S), PIG_MAPPING, yaw_deg=yaw)
    return coach_pose(pose, exercise, settings=bench_settings(), require_reps=False).result


def changed_measures(files: list[Path], references: dict[str, CoachResult],
                     exercise: str) -> list[set[tuple[str, str]] | None]:
    """Per file: the ``(camera, measure)`` pairs that changed beyond their SDD, or None if never compared.

    ``references``: camera (``"front"``, ``"side"``) -> the coached reference set seen by it.

    Raises
    ------
    InputError
        The reference set could not serve (e.g. fewer than two counted repetitions in a camera).
    """
    reps = [read_uiprmd(p) for p in files]
    windows = file_windows([float(m.time_s[-1] - m.time_s[0]) + 1.0 / m.rate_hz for m in reps])
    found: list[set[tuple[str, str]] | None] = [None] * len(files)
    for camera, yaw in CAMERAS.items():
        compared = compare_with_reference(_coach(reps, exercise, yaw), references[camera], require_view=False)
        if compared.reference is not None and compared.reference.refused:
            raise InputError(f"{camera} camera: {compared.reference.refused}")
        for rep in compared.reps:
            if rep.vs_reference is None or rep.vs_reference.differs is None:
                continue
            for i, (a, b) in enumerate(windows):
                if a <= rep.peak_s <= b:
                    found[i] = (found[i] or set()) | ({(camera, "deviation score")} if rep.vs_reference.differs
                                                      else set())
    return found


def tally(root: Path, movement: str, n_reference: int) -> Tally:
    """Compare every subject's other correct and incorrect repetitions with their reference set."""
    t = Tally()
    exercise = EXERCISES[movement][1]
    correct = uiprmd_files(root, movement, True)
    incorrect = uiprmd_files(root, movement, False)
    for subject in sorted(correct):
        files = [p for p in correct[subject] if p.name not in NO_REPETITION]
        reference = [read_uiprmd(p) for p in files[:n_reference]]
        references = {camera: _coach(reference, exercise, yaw) for camera, yaw in CAMERAS.items()}
        scored = ((0, files[n_reference:]),
                  (1, [p for p in incorrect.get(subject, []) if p.name not in NO_REPETITION]))
        for label, group in scored:
            try:
                per_file = changed_measures(group, references, exercise)
            except InputError as exc:
                t.skipped.append(f"{subject}: {exc}")
                continue
            for changed in per_file:
                t.reps[label] += 1
                if changed is None:
                    t.not_compared[label] += 1
                    continue
                t.changed[label] += bool(changed)
                for m in {m for _, m in changed}:
                    t.measures.setdefault(m, [0, 0])[label] += 1
                for camera in {c for c, _ in changed}:
                    t.by_camera.setdefault(camera, [0, 0])[label] += 1
    return t


def main(argv: list[str] | None = None) -> int:
    """Print the agreement table and each measure's change rates."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reference", type=int, default=N_REFERENCE,
                        help=f"reference repetitions per subject (default {N_REFERENCE})")
    args = parser.parse_args(argv)
    if args.reference < 2:
        parser.error("--reference needs at least 2 repetitions")
    root = data_root()
    rows, details = [], []
    for mv in MOVEMENTS:
        name, exercise = EXERCISES[mv]
        t = tally(root, mv, args.reference)
        seen = [t.reps[k] - t.not_compared[k] for k in (0, 1)]
        spec = 1 - t.changed[0] / seen[0] if seen[0] else float("nan")
        sens = t.changed[1] / seen[1] if seen[1] else float("nan")
        shown = exercise if mv != "m04" else f"{exercise} (not a kneeline exercise)"
        rows.append([f"{mv} {name}", shown, f"{t.changed[0]}/{seen[0]}", f"{t.changed[1]}/{seen[1]}",
                     f"{(spec + sens) / 2:.2f}", f"{t.not_compared[0] + t.not_compared[1]}"])
        details.append((mv, name, t, seen))
    print_table(f"Reference comparison (first {args.reference} correct reps of each subject) vs UI-PRMD labels: "
                "a rep is 'changed' when the product's deviation score says so in either camera",
                ["movement", "coached as", "correct changed", "incorrect changed", "balanced accuracy",
                 "reps not compared"], rows)
    for mv, name, t, seen in details:
        rates = ", ".join(f"{m} {c[0]}/{seen[0]} vs {c[1]}/{seen[1]}" for m, c in sorted(t.measures.items()))
        print(f"  {mv} {name}: changed on correct vs incorrect: {rates or 'none'}")
        counts = {c: t.by_camera.get(c, [0, 0]) for c in CAMERAS}
        cams = ", ".join(f"{c} camera {n[0]}/{seen[0]} vs {n[1]}/{seen[1]}" for c, n in counts.items())
        print(f"    by camera: {cams}")
        for line in sorted(set(t.skipped)):
            print(f"    not compared: {line}")
    print("  m02 hurdle step: not compared (its stand-in, the single-leg stance, is a hold: 3 joined steps = 1 hold)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

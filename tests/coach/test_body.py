"""Same-person check of a reference set: body proportions measured, compared, refused with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from kneeline.cli import build_app
from kneeline.coach.body import BODY_RATIOS, body_ratios, load_body, person_problem
from kneeline.coach.compare import compare_with_reference, reference_summary
from kneeline.coach.faults import RepWindow
from kneeline.coach.session import coach_pose
from kneeline.coach.signals import features_from_pose
from kneeline.pose.container import PoseSeries
from tests.coach.test_coach_session import T, squats
from tests.fixtures.synthetic import HIP_WIDTH, SHANK, THIGH, TRUNK, stick_figure


def _longer_trunk(pose: PoseSeries, factor: float = 1.3) -> PoseSeries:
    """``pose`` of a person whose trunk and shoulders are ``factor`` times longer and wider (the same moves)."""
    names = list(pose.keypoints)
    pos = pose.position.copy()
    mid_hip = (pos[:, names.index("left_hip")] + pos[:, names.index("right_hip")]) / 2
    for k in ("left_shoulder", "right_shoulder", "nose"):
        pos[:, names.index(k)] = mid_hip + factor * (pos[:, names.index(k)] - mid_hip)
    return PoseSeries(position=pos, confidence=pose.confidence, time_s=pose.time_s, keypoints=pose.keypoints,
                      width=pose.width, height=pose.height, source="synthetic, longer trunk", world=pose.world)


def test_proportions_of_a_hand_built_standing_figure() -> None:
    """The stick figure stands still: its proportions are the lengths it was drawn with."""
    feats = features_from_pose(stick_figure(T[:30]))
    w = RepWindow(pre=0, start=20, peak=25, end=29, time_s=T[:30], signal=np.zeros(30), amplitude=0.0)
    front = body_ratios(feats, w, "frontal")
    assert front["thigh_shank"] == pytest.approx(THIGH / SHANK)
    assert front["trunk_leg"] == pytest.approx(TRUNK / (THIGH + SHANK))
    assert front["shoulder_hip"] == pytest.approx(140.0 / HIP_WIDTH)
    side = body_ratios(feats, w, "sagittal")  # shoulder and hip widths are not seen from the side
    assert side["shoulder_hip"] is None and side["thigh_shank"] == pytest.approx(THIGH / SHANK)


def test_the_tolerances_are_shipped_with_their_source() -> None:
    spec = load_body()
    assert "benchmarks/coach_body.py" in spec.source and spec.rule.k > 0
    assert set(spec.ratios) == {r.name for r in BODY_RATIOS}
    assert all(r.within_sd > 0 and "SD" in r.source for r in spec.ratios.values())


def test_noise_within_a_person_passes_and_another_build_is_refused() -> None:
    rng = np.random.default_rng(1)
    sd = {n: r.within_sd for n, r in load_body().ratios.items()}

    def reps(thigh_shank: float, trunk_leg: float, n: int = 5) -> list[dict[str, float | None]]:
        return [{"thigh_shank": thigh_shank * np.exp(rng.normal(0, sd["thigh_shank"])),
                 "trunk_leg": trunk_leg * np.exp(rng.normal(0, sd["trunk_leg"])), "shoulder_hip": None}
                for _ in range(n)]

    reference = reps(1.15, 0.55)
    assert person_problem(reps(1.15, 0.55), reference) is None
    problem = person_problem(reps(1.15, 0.70), reference)
    assert problem is not None
    assert "trunk length over leg length" in problem and "thigh" not in problem  # only the one that differs
    assert "another person" in problem and "record a new reference set" in problem
    assert person_problem(reps(1.15, 0.70, n=1), reference) is None  # one rep: too few to say
    assert person_problem([{"thigh_shank": None}] * 4, reference) is None  # nothing measured in both


def test_another_persons_reference_is_refused_with_what_was_compared() -> None:
    """The same four squats by a person with a 30 % longer trunk than the reference's."""
    reference = coach_pose(squats(), "squat").result
    own = compare_with_reference(coach_pose(squats(), "squat").result, reference)
    assert own.reference is not None and own.reference.refused is None
    assert all(r.vs_reference is not None for r in own.reps)
    other = compare_with_reference(coach_pose(_longer_trunk(squats()), "squat").result, reference)
    assert other.reference is not None and other.reference.refused is not None
    assert "body proportions" in other.reference.refused and "trunk length over leg length" in other.reference.refused
    assert all(r.vs_reference is None for r in other.reps)
    summary = reference_summary(other)
    assert summary is not None and summary.startswith("not compared with your reference set: the body proportions")


def _uiprmd_set(root: Path, subject: str, correct: bool) -> object:
    from benchmarks._common import bench_settings
    from benchmarks.coach_faults import STILL_S
    from benchmarks.coaching import join_reps
    from benchmarks.uiprmd_data import NO_REPETITION, PIG_MAPPING, read_uiprmd, uiprmd_files
    from kneeline.io.markers import virtual_view

    files = [p for p in uiprmd_files(root, "m01", correct)[subject] if p.name not in NO_REPETITION]
    pose, _ = virtual_view(join_reps([read_uiprmd(p) for p in files], STILL_S), PIG_MAPPING, yaw_deg=0.0)
    return coach_pose(pose, "squat", settings=bench_settings(), require_reps=False).result


def test_uiprmd_subjects_through_a_front_camera(shared_data: Path) -> None:
    """Deep squats, marker data through a virtual front camera: s01's incorrect set against s01's
    correct set is the same person; s05 (trunk/leg 0.66 against 0.55, shoulders/hips 1.05 against
    1.6 in coach_body.py) is not."""
    s01 = _uiprmd_set(shared_data, "s01", True)
    same = compare_with_reference(_uiprmd_set(shared_data, "s01", False), s01)  # type: ignore[arg-type]
    assert same.reference is not None and same.reference.refused is None
    other = compare_with_reference(_uiprmd_set(shared_data, "s05", True), s01)  # type: ignore[arg-type]
    assert other.reference is not None and other.reference.refused is not None
    assert "body proportions" in other.reference.refused


@pytest.mark.slow
def test_cli_refuses_another_persons_reference_and_keeps_the_set(shared_data: Path, squat_clip: Path,
                                                                  tmp_path: Path) -> None:
    """The real squat clip against a UI-PRMD subject's deep squats (another person) as the reference."""
    ref = tmp_path / "reference.json"
    ref.write_text(_uiprmd_set(shared_data, "s05", True).model_dump_json(), encoding="utf-8")  # type: ignore[attr-defined]
    out = tmp_path / "out"
    result = CliRunner().invoke(build_app(), ["coach", str(squat_clip), "--exercise", "squat", "--out", str(out),
                                              "--no-video", "--reference", str(ref)])
    assert result.exit_code == 2, result.output
    err = " ".join(result.stderr.split())
    assert "the reference set was not used: the body proportions differ" in err
    assert "record a new reference set" in err and "Traceback" not in result.output
    data = json.loads((out / "result.json").read_text(encoding="utf-8"))  # the set itself is kept
    assert data["count"] == 4 and data["reference"]["refused"].startswith("the body proportions differ")

"""CLI: ``kneeline log``, ``exercises``, ``ask`` and help, driven with files via CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kneeline.assess.intake import RedFlagAnswers
from kneeline.cli import COMMAND_MODULES, build_app

runner = CliRunner()
MY_COMMANDS = ("intake", "score", "program", "log", "exercises", "ask")


def flat(text: str) -> str:
    """Text with whitespace runs collapsed (rich wraps at 80 columns)."""
    return " ".join(text.split())


def run(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(build_app(), list(args), input=stdin)


def make_program(tmp_path: Path, **overrides: Any) -> Path:
    """Write a program for a patellofemoral-pain-like intake (pain 2/10: standard start) and return its path."""
    flags = {**dict.fromkeys(RedFlagAnswers.model_fields, False), **overrides.pop("flags", {})}
    intake = {"age": 34, "sex": "female", "knee": "right", "pain_locations": ["front"],
              "aggravating": ["stairs"], "pain_now": 2, "pain_worst_week": 4, "duration_weeks": 10,
              "recent_injury": False, "pregnancy": "no", "red_flags": flags, **overrides}
    (tmp_path / "intake.json").write_text(json.dumps(intake))
    out = tmp_path / "program.json"
    result = run("program", "--intake", str(tmp_path / "intake.json"), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    return out


def session(day: str, **kw: Any) -> dict[str, Any]:
    """A session of clamshells with a band, done in full, safe-zone pain, unless overridden."""
    ex = {"id": "clamshell-band", "sets": 3, "reps": 10, "pain_during": 1, "pain_after_1h": 1,
          "pain_next_morning": 1, "quality": "good"}
    ex.update(kw)
    return {"date": day, "pain_before": 1, "exercises": [ex]}


def log_entry(tmp_path: Path, program: Path, log: Path, entry: dict[str, Any], *extra: str) -> Any:
    path = tmp_path / "entry.json"
    path.write_text(json.dumps(entry))
    return run("log", "--program", str(program), "--log", str(log), "--entry", str(path), *extra)


def test_log_two_sessions_then_progress(tmp_path: Path) -> None:
    program, log = make_program(tmp_path), tmp_path / "log.json"
    first = log_entry(tmp_path, program, log, session("2025-03-03"))
    assert first.exit_code == 0, first.stderr
    assert "Clamshell with band (clamshell-band): keep the same, 3 sets of 10." in first.stdout
    second = log_entry(tmp_path, program, log, session("2025-03-05"), "--json")
    payload = json.loads(second.stdout)
    decision = payload["session"]["decisions"][0]
    assert decision["action"] == "progress" and decision["next"]["reps"] == 12
    assert payload["current"]["hip-abduction-side-lying"]["reps"] == 12
    assert len(json.loads(log.read_text())["sessions"]) == 2


@pytest.mark.parametrize(("pain", "action"), [(2, "hold"), (3, "hold"), (5, "hold"), (6, "regress"), (10, "regress")])
def test_log_pain_during_thresholds(tmp_path: Path, pain: int, action: str) -> None:
    program, log = make_program(tmp_path), tmp_path / "log.json"
    result = log_entry(tmp_path, program, log, session("2025-03-03", pain_during=pain), "--json")
    assert json.loads(result.stdout)["session"]["decisions"][0]["action"] == action


def test_log_bad_entry_names_field_and_leaves_log_untouched(tmp_path: Path) -> None:
    program, log = make_program(tmp_path), tmp_path / "log.json"
    assert log_entry(tmp_path, program, log, session("2025-03-03")).exit_code == 0
    before = log.read_bytes()
    result = log_entry(tmp_path, program, log, session("2025-03-05", pain_during=14, quality="great"))
    assert result.exit_code == 6
    err = flat(result.stderr)
    assert "'exercises.0.pain_during': got 14" in err and "a whole number from 0 to 10" in err
    assert "'exercises.0.quality': got \"great\"" in err and '"good", "fair", "poor"' in err
    result = log_entry(tmp_path, program, log, session("2025-03-05", id="pistol-squat"))
    assert result.exit_code == 6 and "allowed ids:" in flat(result.stderr)
    assert log.read_bytes() == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_log_next_morning_completes_last_session(tmp_path: Path) -> None:
    program, log = make_program(tmp_path), tmp_path / "log.json"
    log_entry(tmp_path, program, log, session("2025-03-03", pain_next_morning=None))
    result = run("log", "--program", str(program), "--log", str(log), "--next-morning", "4", "--json")
    assert result.exit_code == 0, result.stderr
    decision = json.loads(result.stdout)["session"]["decisions"][0]
    assert decision["action"] == "regress" and "next-morning pain (4/10)" in decision["reason"]


def test_log_refuses_a_referral_file(tmp_path: Path) -> None:
    program = make_program(tmp_path, flags={"lump": True})
    result = log_entry(tmp_path, program, tmp_path / "log.json", session("2025-03-03"))
    assert result.exit_code == 6 and "holds a referral, not a program" in flat(result.stderr)
    assert not (tmp_path / "log.json").exists()


def test_log_interactive(tmp_path: Path) -> None:
    program, log = make_program(tmp_path), tmp_path / "log.json"
    n = len(json.loads(program.read_text())["program"]["exercises"])
    # date, pain before, then: warm-up skipped; clamshell-band done; every other exercise skipped
    answers = ["3 March", "2025-03-03", "1", "n", "y", "3", "10", "1", "1", "", "y", "good", *["n"] * (n - 2)]
    result = run("log", "--program", str(program), "--log", str(log), stdin="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Got '3 March'; allowed: a date written YYYY-MM-DD" in result.output
    saved = json.loads(log.read_text())["sessions"][0]
    assert [e["id"] for e in saved["entry"]["exercises"]] == ["clamshell-band"]
    assert saved["entry"]["exercises"][0]["pain_next_morning"] is None
    assert saved["decisions"][0]["action"] == "hold"


def test_exercises_list_and_detail() -> None:
    listing = run("exercises")
    assert listing.exit_code == 0 and "side-plank-hip-abduction" in listing.stdout
    detail = flat(run("exercises", "Hip Hikes").stdout)
    assert "Pelvic drop / hip hike (id: hip-hike)" in detail
    assert "Starting dose: 2 x 15 each side" in detail and "Moore 2020" in detail
    payload = json.loads(run("exercises", "single-leg-squat", "--json").stdout)
    assert payload["exercise"]["video"]["test"] == "single-leg-squat"
    assert payload["exercise"]["gmed_mvic"]["value"] == 83
    assert payload["chain"] == ["step-up", "lateral-step-down", "single-leg-squat", "pistol-squat"]
    missing = run("exercises", "moonwalk")
    assert missing.exit_code == 2 and "no exercise called 'moonwalk'" in missing.stderr


def test_ask_supplements_and_topics() -> None:
    text = flat(run("ask", "supplements").stdout)
    assert "No systematic review supports any supplement" in text and "recommends no supplement" in text
    assert "Liu 2018" in text
    assert "supplements" in run("ask").stdout
    pain = flat(run("ask", "pain").stdout)
    assert "up to 2/10 (some sources say 3/10)" in pain
    bad = run("ask", "magnets")
    assert bad.exit_code == 2 and "known topics" in bad.stderr


def test_my_modules_are_registered_and_every_command_has_help() -> None:
    for module in ("intake", "program", "log", "exercises", "ask"):
        assert f"kneeline.cli.{module}" in COMMAND_MODULES
    for command in MY_COMMANDS:
        result = run(command, "--help")
        assert result.exit_code == 0 and "Usage" in result.stdout, command


# ------------------------------------------------------------------ issue 12 (clinical safety review)

@pytest.mark.parametrize(("name", "ex_id"), [("monster walk", "lateral-band-walk"),
                                             ("side plank", "side-plank-hip-abduction")])
def test_exercise_aliases_people_type(name: str, ex_id: str) -> None:
    """Finding 17."""
    result = run("exercises", name)
    assert result.exit_code == 0, result.stderr
    assert f"(id: {ex_id})" in flat(result.stdout)


def test_exercise_detail_says_a_clinician_unlocks_deep_single_leg_squats() -> None:
    """Finding 13: the pistol squat is not in the guideline programs (Harvie 2011; Crossley 2016)."""
    assert "only when a clinician unlocks it" in flat(run("exercises", "pistol").stdout)
    assert "only when a clinician unlocks it" not in flat(run("exercises", "lateral-step-down").stdout)


def test_log_refuses_an_exercise_before_its_week(tmp_path: Path) -> None:
    """Finding 14: with pain 7/10 the weight-bearing knee work starts in week 3 (hip first, Dolak 2011)."""
    program, log = make_program(tmp_path, pain_now=7, pain_worst_week=7), tmp_path / "log.json"
    plan = json.loads(program.read_text())["program"]
    assert next(e for e in plan["exercises"] if e["id"] == "wall-sit")["start_week"] == 3
    entry = {"date": "2025-03-03", "pain_before": 2, "exercises": [
        {"id": "wall-sit", "sets": 4, "hold_s": 30, "pain_during": 1, "pain_after_1h": 1, "pain_next_morning": 1}]}
    result = log_entry(tmp_path, program, log, entry)
    assert result.exit_code != 0 and "'wall-sit' starts in week 3" in flat(result.stderr)
    assert not log.exists()


def test_log_interactive_asks_every_exercise_and_skips_later_weeks(tmp_path: Path) -> None:
    """Finding 14: the CLI does not say yes for the patient (an empty answer is asked again)."""
    program, log = make_program(tmp_path, pain_now=7, pain_worst_week=7), tmp_path / "log.json"
    plan = json.loads(program.read_text())["program"]
    now = [e for e in plan["exercises"] if e["start_week"] == 1]
    answers = ["2025-03-03", "2", "", "n", *["n"] * (len(now) - 1)]
    result = run("log", "--program", str(program), "--log", str(log), stdin="\n".join(answers) + "\n")
    assert "Error: invalid input" in result.output  # the empty answer was not taken as "yes"
    assert "Wall sit (isometric squat) starts in week 3; this is week 1." in result.output
    assert "Did you do Wall sit" not in result.output
    assert result.exit_code != 0  # nothing done at all: the session needs at least one exercise
    assert not log.exists()


def test_next_morning_for_one_exercise(tmp_path: Path) -> None:
    """Finding 10: next-morning pain can be given for the exercise that caused it."""
    program, log = make_program(tmp_path), tmp_path / "log.json"
    entry = session("2025-03-03", pain_next_morning=None)
    assert log_entry(tmp_path, program, log, entry).exit_code == 0
    result = run("log", "--program", str(program), "--log", str(log), "--next-morning", "5",
                 "--exercise", "clamshell-band", "--json")
    assert result.exit_code == 0, result.stderr
    decision = json.loads(result.stdout)["session"]["decisions"][0]
    assert decision["action"] == "regress" and "after this exercise" in decision["reason"]
    bad = run("log", "--program", str(program), "--log", str(log), "--exercise", "clamshell-band")
    assert bad.exit_code != 0 and "--next-morning" in bad.stderr

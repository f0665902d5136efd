"""CLI: ``kneeline intake``, ``score`` and ``program`` driven with files (and prompts) via CliRunner."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kneeline.assess.intake import RedFlagAnswers
from kneeline.cli import build_app
from kneeline.report.result import (
    AnalysisResult,
    Capture,
    MetricSummary,
    Provenance,
    SideSummary,
    Summary,
    VideoMeta,
)

runner = CliRunner()


def flat(text: str) -> str:
    """Text with all whitespace runs collapsed (rich wraps lines at 80 columns)."""
    return " ".join(text.split())


def intake_data(**overrides: Any) -> dict[str, Any]:
    """A patellofemoral-pain-like intake without red flags."""
    flags = {**dict.fromkeys(RedFlagAnswers.model_fields, False), **overrides.pop("flags", {})}
    return {"age": 34, "sex": "female", "knee": "right", "pain_locations": ["front"],
            "aggravating": ["stairs", "squatting"], "pain_now": 3, "pain_worst_week": 5, "duration_weeks": 12,
            "recent_injury": False, "pregnancy": "no", "red_flags": flags, **overrides}


def sls_result_json(view: str = "frontal") -> str:
    """Frontal single-leg squats: right knee FPPA 17 +/- 3 deg (moves inward), left 8 +/- 2 deg."""
    def m(mean: float, sd: float) -> MetricSummary:
        return MetricSummary(mean=mean, sd=sd, n=5)
    result = AnalysisResult(
        kneeline_version="0.1.0", test="single-leg-squat",
        video=VideoMeta(path="sls.mp4", fps=30, frames=300, width=1080, height=1920, duration_s=10),
        capture=Capture(view=view, yaw_deg=4.0),  # type: ignore[arg-type]
        reps=[],
        summary=Summary(left=SideSummary(reps=5, metrics={"fppa_deg": m(8.0, 2.0)}),
                        right=SideSummary(reps=5, metrics={"fppa_deg": m(17.0, 3.0)})),
        provenance=Provenance(model="test", settings={}, input_sha256="0" * 64, kneeline_version="0.1.0",
                              created_utc="2025-01-01T00:00:00Z"))
    return result.model_dump_json()


def write(path: Path, data: Any) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def run(*args: str, stdin: str | None = None) -> Any:
    return runner.invoke(build_app(), list(args), input=stdin)


# ------------------------------------------------------------------ intake

def test_intake_schema_is_json() -> None:
    result = run("intake", "--schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "red_flags" in schema["properties"] and "akps" in schema["properties"]


def test_intake_answers_file_writes_validated_intake(tmp_path: Path) -> None:
    out = tmp_path / "intake.valid.json"
    result = run("intake", "--answers", str(write(tmp_path / "a.json", intake_data())), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    assert "no red flags" in result.stdout
    assert json.loads(out.read_text())["knee"] == "right"
    assert not list(tmp_path.glob(".*.tmp"))


def test_intake_bad_answers_name_field_and_save_nothing(tmp_path: Path) -> None:
    out = tmp_path / "intake.valid.json"
    data = intake_data(pain_now=12, knee="middle")
    del data["red_flags"]["lump"]
    result = run("intake", "--answers", str(write(tmp_path / "a.json", data)), "--out", str(out))
    assert result.exit_code == 6
    err = flat(result.stderr)
    assert err.startswith("error: intake answers: 3 problem(s)")
    assert "'pain_now': got 12" in err and "a whole number from 0 to 10" in err
    assert "'knee': got \"middle\"" in err and 'one of "left", "right", "both"' in err
    assert "'red_flags.lump' is missing" in err
    assert "Traceback" not in result.output
    assert not out.exists()


@pytest.mark.parametrize(("content", "needle"), [("{not json", "is not valid JSON"), (None, "does not exist")])
def test_intake_unreadable_file(tmp_path: Path, content: str | None, needle: str) -> None:
    path = tmp_path / "a.json"
    if content is not None:
        path.write_text(content)
    result = run("intake", "--answers", str(path))
    assert result.exit_code == 2 and needle in flat(result.stderr)


def test_intake_referral_printed(tmp_path: Path) -> None:
    data = intake_data(flags={"calf_pain_swelling": True})
    result = run("intake", "--answers", str(write(tmp_path / "a.json", data)))
    assert result.exit_code == 0
    text = flat(result.stdout)
    # Finding 3: say what to do and how soon (NHS care-card wording, style.md), why, and that the program
    # waits; never "see a doctor before exercising", which reads as a clearance step.
    assert "See a doctor today" in text and "before exercising" not in text
    assert "Why:" in text and "blood clot" in text
    assert "program waits until then" in text and "does not diagnose" in text


def test_intake_json_output(tmp_path: Path) -> None:
    result = run("intake", "--answers", str(write(tmp_path / "a.json", intake_data())), "--json")
    payload = json.loads(result.stdout)
    assert payload["screen"]["referred"] is False and payload["intake"]["age"] == 34


def test_intake_interactive_reasks_until_valid(tmp_path: Path) -> None:
    answers = [
        "abc", "34",            # age: not a number, then valid
        "f", "female",          # sex
        "right",                # knee
        "front, top", "front",  # locations: 'top' refused
        "stairs,squatting",     # aggravating
        "11", "3",              # pain now: out of range, then valid
        "5",                    # worst week
        "12",                   # weeks
        "n",                    # recent injury -> Ottawa questions skipped
        "1",                    # pregnancy: no
        *["n"] * 18,            # the other red-flag questions
        "n", "n",               # no AKPS, no KOOS-PF
    ]
    out = tmp_path / "intake.json"
    result = run("intake", "--out", str(out), stdin="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Got 'abc'; allowed: a whole number from 0 to 120" in result.output
    assert "Got 'top'; allowed: front, inside, outside, back" in result.output
    assert "Got '11'; allowed: a whole number from 0 to 10" in result.output
    saved = json.loads(out.read_text())
    assert saved["pain_locations"] == ["front"] and saved["pain_now"] == 3
    assert saved["red_flags"]["cannot_walk_4_steps"] is False


def test_intake_interactive_abort_saves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "intake.json"
    result = run("intake", "--out", str(out), stdin="34\nfemale\n")
    assert result.exit_code != 0 and not out.exists()


# ------------------------------------------------------------------ score

def test_score_compares_two_dates(tmp_path: Path) -> None:
    best = {k: "none" for k in ("limp", "pain", "swelling", "kneecap_movements", "thigh_atrophy", "flexion_deficit")}
    best.update(support="full_without_pain", walking="unlimited", stairs="no_difficulty",
                squatting="no_difficulty", running="no_difficulty", jumping="no_difficulty",
                prolonged_sitting="no_difficulty")
    before = {**best, "stairs": "pain_both_ways", "squatting": "painful_each_time", "running": "severe_pain"}
    old = write(tmp_path / "old.json", {"date": "2025-01-06", "akps": before, "nprs_worst_week": 6,
                                        "koos_pf": {f"pf{i}": 2 for i in range(1, 12)}})
    new = write(tmp_path / "new.json", {"date": "2025-02-17", "akps": best, "nprs_worst_week": 2,
                                        "koos_pf": {f"pf{i}": 1 for i in range(1, 12)}})
    result = run("score", str(new), "--previous", str(old))
    assert result.exit_code == 0, result.stderr
    text = flat(result.stdout)
    assert "AKPS (Kujala): 100/100" in text
    assert "AKPS: 86/100 -> 100/100 (+14); improved" in text
    assert "KOOS-PF: 50/100 -> 75/100 (+25); improved" in text
    assert "Worst pain in the last week (NPRS): 6/10 -> 2/10 (-4); improved" in text
    payload = json.loads(run("score", str(new), "--previous", str(old), "--json").stdout)
    assert [c["verdict"] for c in payload["changes"]] == ["improved"] * 3


def test_score_bad_answer(tmp_path: Path) -> None:
    result = run("score", str(write(tmp_path / "s.json", {"date": "2025-01-06", "koos_pf": {"pf1": 7}})))
    assert result.exit_code == 6 and "item 'pf1' got 7" in flat(result.stderr)


# ------------------------------------------------------------------ program

def test_program_json_with_result(tmp_path: Path) -> None:
    intake = write(tmp_path / "i.json", intake_data())
    res = write(tmp_path / "result.json", sls_result_json())
    result = run("program", "--intake", str(intake), "--result", str(res), "--json")
    assert result.exit_code == 0, result.stderr
    payload = json.loads(result.stdout)
    assert payload["status"] == "program" and payload["referral"] is None
    program = payload["program"]
    assert program["weeks"] == 6 and program["sessions_per_week"] == 3
    first = program["exercises"][0]
    assert {"id", "sets", "reps", "hold_s"} <= set(first)
    assert "lateral-step-down" in [e["id"] for e in program["exercises"]]
    assert any(f["code"] == "fppa_above_healthy_range" for f in payload["findings"])


def test_program_referred_json(tmp_path: Path) -> None:
    intake = write(tmp_path / "i.json", intake_data(age=61, recent_injury=True, flags={"locking": True}))
    payload = json.loads(run("program", "--intake", str(intake), "--json").stdout)
    assert payload["status"] == "referred" and payload["program"] is None
    assert payload["referral"]["urgency"] == "x-ray"
    assert {r["flag"] for r in payload["referral"]["reasons"]} == {"locking", "age_55_or_over_after_injury"}


def test_program_human_output_and_out_file(tmp_path: Path) -> None:
    intake = write(tmp_path / "i.json", intake_data())
    res = write(tmp_path / "result.json", sls_result_json())
    out = tmp_path / "program.json"
    result = run("program", "--intake", str(intake), "--result", str(res), "--out", str(out))
    assert result.exit_code == 0, result.stderr
    text = flat(result.stdout)
    assert "Right knee moves inward more than in most healthy people in the single-leg squat: FPPA 17° ± 3°" in text
    assert "Pattern: patellofemoral-pain-like" in text and "not a diagnosis" in text
    assert "Lateral step-down [lateral-step-down]: 3 x 8 each side" in text
    assert "Why this dose:" in text and "recommends no supplement" in text
    assert json.loads(out.read_text())["status"] == "program"


def test_program_oblique_result_explains(tmp_path: Path) -> None:
    intake = write(tmp_path / "i.json", intake_data())
    res = write(tmp_path / "result.json", sls_result_json(view="oblique"))
    text = flat(run("program", "--intake", str(intake), "--result", str(res)).stdout)
    assert "not filmed from the front (camera view: oblique" in text and "FPPA 17" not in text


def test_program_bad_inputs(tmp_path: Path) -> None:
    intake = write(tmp_path / "i.json", intake_data())
    bad_result = write(tmp_path / "r.json", {"test": "hopscotch"})
    result = run("program", "--intake", str(intake), "--result", str(bad_result))
    assert result.exit_code == 6 and "analysis result" in result.stderr
    result = run("program", "--intake", str(intake), "--weeks", "0")
    assert result.exit_code == 6 and "weeks: got 0" in flat(result.stderr)
    result = run("program", "--intake", str(intake), "--start", "soon")
    assert result.exit_code == 6 and "YYYY-MM-DD" in result.stderr


# ------------------------------------------------------------------ issue 12 (clinical safety review)

def test_contradicting_answers_error_names_both_fields_and_save_nothing(tmp_path: Path) -> None:
    """Finding 5: pain now 7 is above a worst-of-the-week 4 (which includes today)."""
    out = tmp_path / "intake.json"
    data = intake_data(pain_now=7, pain_worst_week=4)
    result = run("intake", "--answers", str(write(tmp_path / "a.json", data)), "--out", str(out))
    assert result.exit_code != 0 and not out.exists()
    text = flat(result.stderr)
    assert "'pain_now' (7/10) and 'pain_worst_week' (4/10)" in text and "Nothing was saved" in text
    confirmed = {**data, "confirmed": ["pain_now_above_worst_week"]}
    ok = run("intake", "--answers", str(write(tmp_path / "b.json", confirmed)), "--out", str(out))
    assert ok.exit_code == 0 and out.exists()
    program = run("program", "--intake", str(write(tmp_path / "c.json", data)), "--json")
    assert program.exit_code != 0 and "pain_worst_week" in program.stderr


def test_pain_model_option(tmp_path: Path) -> None:
    """The published variant is the default; the stricter edges are only a named setting."""
    intake = write(tmp_path / "i.json", intake_data())
    default = json.loads(run("program", "--intake", str(intake), "--json").stdout)
    assert default["program"]["pain_model"] is None
    strict = json.loads(run("program", "--intake", str(intake), "--pain-model", "kneeline-strict", "--json").stdout)
    assert strict["program"]["pain_model"] == "kneeline-strict"
    bad = run("program", "--intake", str(intake), "--pain-model", "lenient")
    assert bad.exit_code != 0 and "my-knee-cap, kneeline-strict" in flat(bad.stderr)


def test_old_intake_file_without_the_new_questions_is_refused_with_what_to_add(tmp_path: Path) -> None:
    """Finding 7: a new program needs the new questions answered (pregnancy, surgery or injection)."""
    data = intake_data()
    data.pop("pregnancy")
    result = run("program", "--intake", str(write(tmp_path / "i.json", data)))
    assert result.exit_code != 0 and "'pregnancy' is missing" in flat(result.stderr)


def test_interactive_intake_shows_contradicting_answers_and_asks_to_confirm(tmp_path: Path) -> None:
    """Finding 5, interactive: both answers are shown; "n" saves nothing, "y" saves them as confirmed."""
    base = ["34", "female", "right", "front", "stairs", "7", "4", "12", "n", "1", *["n"] * 18, "n", "n"]
    out = tmp_path / "intake.json"
    refused = run("intake", "--out", str(out), stdin="\n".join([*base, "n"]) + "\n")
    assert refused.exit_code != 0 and not out.exists()
    assert "pain_now = 7/10 and pain_worst_week = 4/10" in flat(refused.output)
    accepted = run("intake", "--out", str(out), stdin="\n".join([*base, "y"]) + "\n")
    assert accepted.exit_code == 0, accepted.output
    assert json.loads(out.read_text())["confirmed"] == ["pain_now_above_worst_week"]

"""The assessment report: a real analysis to PDF (opened by poppler), numbers and withheld values."""

from __future__ import annotations

import json
import re
import shutil
from html import unescape
from pathlib import Path

import pytest

from kneeline.errors import InputError
from kneeline.io.keypoints_csv import save_keypoints_csv
from kneeline.movements.summary import build_summary
from kneeline.report.compare import NOT_MEASURED
from kneeline.report.document import render_html, report_context, write_report
from kneeline.report.keyframes import key_frames
from kneeline.report.record import PatientRecord, from_intake
from kneeline.report.result import AnalysisResult, Rep
from kneeline.report.source import from_result, load_analysis
from tests.assess.builders import AKPS_BEST, make_intake
from tests.fixtures.analysis_outputs import real_squat  # noqa: F401  (session fixture)
from tests.report import _factories
from tests.report.reporting import pages, poppler, render_pages, text


def _measured_result() -> AnalysisResult:
    """Two single-leg squats on the left leg with every value shown, one with FPPA withheld."""
    reps = [Rep(index=1, side="left", start_s=0.2, bottom_s=1.0, end_s=1.8, fppa_left_deg=13.4,
                pelvic_obliquity_deg=-2.6, pelvic_drop_deg=4.2, trunk_lean_deg=3.3, pelvic_error_deg=1.2,
                trunk_lean_error_deg=0.9, depth=0.21),
            Rep(index=2, side="left", start_s=2.0, bottom_s=2.6, end_s=3.4, fppa_left_deg=None,
                pelvic_obliquity_deg=-2.2, pelvic_drop_deg=3.7, trunk_lean_deg=2.8, pelvic_error_deg=1.1,
                trunk_lean_error_deg=0.8, depth=0.24)]
    fields = {"fppa_deg": "fppa_left_deg", "pelvic_drop_deg": "pelvic_drop_deg", "trunk_lean_deg": "trunk_lean_deg"}
    summary = build_summary(reps, [], fields, fields)
    base = _factories.make_result("single-leg-squat", reps=reps)
    return base.model_copy(update={"summary": summary})


def test_real_report_pdf_opens_and_holds_the_numbers_and_no_withheld_one(real_squat: Path,  # noqa: F811
                                                                          tmp_path: Path) -> None:
    poppler()
    source = load_analysis(real_squat / "result.json")
    out = write_report(tmp_path / "report.pdf", source, PatientRecord(name="Pat Example"))
    assert out.read_bytes().startswith(b"%PDF")
    n = pages(out)
    assert n >= 2 and len(render_pages(out, tmp_path / "png")) == n  # pdftoppm renders every page
    words = text(out)
    result = json.loads((real_squat / "result.json").read_text())
    assert "Pat Example" in words and source.date in words
    for rep in result["reps"]:
        assert f"{rep['bottom_s']:.2f} s" in words and f"{rep['depth']:.2f}" in words
        withheld = [k for k in ("fppa_left_deg", "fppa_right_deg", "pelvic_obliquity_deg", "trunk_lean_deg")
                    if rep[k] is None]
        assert withheld, "the oblique clip should have withheld values"
    depth = result["summary"]["both"]["metrics"]["depth"]
    assert f"{depth['mean']:.2f} ± {depth['sd']:.2f}" in words
    # The capture gate withheld FPPA, pelvis and trunk in every rep: only the words appear, never a number.
    html = render_html(report_context(source))
    rows = re.findall(r"<tr><td>(\d)</td><td>both</td><td>[\d.]+ s</td>(.*?)</tr>", html)
    assert len(rows) == len(result["reps"])
    for _, cells in rows:
        values = re.findall(r"<td>(.*?)</td>", cells)
        assert values[:4] == [NOT_MEASURED] * 4, values
    assert words.count(NOT_MEASURED) >= 4 * len(result["reps"])
    assert "nan" not in words.lower().split() and "None" not in words
    yaw = result["capture"]["yaw_deg"]
    assert f"{yaw:.0f}°" in words and f"± {result['capture']['yaw_uncertainty_deg']:.0f}°" in words
    # one key frame per rep, from the annotated video
    assert html.count('<img src="data:image/png;base64,') == len(result["reps"])


def test_measured_values_their_errors_sdd_and_sources_are_in_the_pdf(tmp_path: Path) -> None:
    poppler()
    result = _measured_result()
    intake = make_intake(akps=AKPS_BEST, date="2025-01-02")
    record = PatientRecord(name="Ann", intake=intake, scores=[from_intake(intake)])
    out = write_report(tmp_path / "r.pdf", from_result(result), record)
    words = text(out)
    for v in ("13.4°", "-2.6° (± 1.2°)", "4.2° (± 1.2°)", "3.3° (± 0.9°)", "0.21", "3.7° (± 1.1°)"):
        assert v in words, v
    m = result.summary.left.metrics["pelvic_drop_deg"]  # type: ignore[union-attr]
    assert f"{m.mean:.1f} ± {m.sd:.1f}°" in words and "2.8°" in words  # mean ± SD and its SDD
    assert "Herrington" in words and "Dingenen 2018" in words  # published references with sources
    assert "100/100" in words and "Ann" in words  # the intake's AKPS (best answers) in the questionnaire table
    assert NOT_MEASURED in words  # rep 2's withheld FPPA
    assert "does not diagnose" in words


def test_the_report_opens_with_the_words_of_the_results_page_and_explains_its_terms() -> None:
    """Patients first: the plain sentences of :func:`plain_result`; the exact numbers follow for clinicians."""
    from kneeline.report.plain import plain_result

    result = _measured_result()
    intake = make_intake(akps=AKPS_BEST, date="2025-01-02")
    html = render_html(report_context(from_result(result), PatientRecord(name="Ann", intake=intake)))
    patients, clinicians = unescape(html).split('id="clinicians"')
    plain = plain_result(result, intake.sex, intake.knee)
    assert plain.headline in patients and plain.measures
    for m in plain.measures:
        assert m.title in patients and m.value in patients and m.meaning in patients
    for step in plain.next_steps:
        assert step in patients
    assert "Left knee: inward movement" in patients and "more than usual" in patients
    for jargon in ("FPPA", "obliquity", "SDD", " SD", "valgus", " deg"):
        assert jargon not in patients, jargon
    # Each term is explained before the clinicians' tables use it; degrees are written one way.
    for term in ("FPPA</strong> (frontal-plane projection angle)", "Pelvic obliquity</strong> (hip tilt)",
                 "SDD</strong> (smallest detectable difference)", "SD</strong> (standard deviation)"):
        assert term in clinicians, term
    assert "13.4°" in clinicians and "Herrington" in clinicians
    assert not re.search(r"\d\s*deg\b", html)


def test_program_referral_and_score_trend_are_summarised(tmp_path: Path) -> None:
    from kneeline.assess.questionnaires import OutcomeAnswers
    from kneeline.program.plan import build_program
    from kneeline.report.record import from_answers

    intake = make_intake(date="2025-01-02", pain_worst_week=6)
    later = from_answers(OutcomeAnswers(date="2025-02-20", nprs_now=1, nprs_worst_week=2))  # type: ignore[arg-type]
    record = PatientRecord(intake=intake, scores=[from_intake(intake), later], program=build_program(intake))
    html = render_html(report_context(from_result(_measured_result()), record))
    assert "Worst pain in the last week (NPRS): 6/10 -&gt; 2/10" in html and "improved" in html
    assert "sessions a week" in html and "From week" in html
    referred = build_program(make_intake(flags={"calf_pain_swelling": True}))
    html = render_html(report_context(from_result(_measured_result()), PatientRecord(program=referred)))
    assert referred.referral is not None and referred.referral.title in html


def test_key_frames_from_keypoints_when_the_video_was_not_kept(tmp_path: Path) -> None:
    squat = _factories.one_squat()
    folder = tmp_path / "a"
    folder.mkdir()
    save_keypoints_csv(squat.pose, folder / "keypoints.csv")
    source = from_result(squat.result, folder)
    frames = key_frames(source)
    assert len(frames) == 1 and frames[0].png is not None and frames[0].png.startswith(b"\x89PNG")
    assert "keypoints" in frames[0].note
    bare = key_frames(from_result(squat.result, tmp_path / "empty"))
    assert bare[0].png is None and "no annotated video" in bare[0].note


def test_an_unfinished_or_wrong_analysis_is_refused_clearly(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="has not finished"):
        load_analysis(tmp_path)
    with pytest.raises(InputError, match="does not exist"):
        load_analysis(tmp_path / "missing.json")
    (tmp_path / "coach.json").write_text(json.dumps({"exercise": "squat", "reps": []}))
    with pytest.raises(InputError, match="coaching result"):
        load_analysis(tmp_path / "coach.json")
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(InputError, match="not a JSON file"):
        load_analysis(tmp_path / "bad.json")
    (tmp_path / "other.json").write_text(json.dumps({"test": "squat"}))
    with pytest.raises(InputError, match="not a result.json"):
        load_analysis(tmp_path / "other.json")


def test_html_report_is_self_contained(real_squat: Path, tmp_path: Path) -> None:  # noqa: F811
    copy = tmp_path / "copy"
    shutil.copytree(real_squat, copy)
    out = write_report(tmp_path / "r.html", load_analysis(copy))
    html = out.read_text()
    assert "@page" in html and "@media print" in html  # its print stylesheet, inline
    assert "http://" not in html and "https://" not in html.split("</style>")[0]  # nothing fetched


def test_record_from_files_reads_program_responses_and_bare_programs(tmp_path: Path) -> None:
    from kneeline.errors import ValidationError
    from kneeline.program.plan import build_program
    from kneeline.report.record import load_record
    from tests.assess.builders import intake_dict

    (tmp_path / "intake.json").write_text(json.dumps(intake_dict(date="2025-01-02")))
    response = build_program(make_intake())
    assert response.program is not None
    (tmp_path / "response.json").write_text(response.model_dump_json())
    (tmp_path / "bare.json").write_text(response.program.model_dump_json())
    (tmp_path / "answers.json").write_text(json.dumps({"date": "2025-03-01", "nprs_now": 2}))
    for name in ("response.json", "bare.json"):
        record = load_record(intake=tmp_path / "intake.json", program=tmp_path / name,
                             outcomes=[tmp_path / "answers.json"])
        assert record.program is not None and record.program.program == response.program
        assert [d.nprs_now for d in record.scores] == [3, 2]
    (tmp_path / "wrong.json").write_text(json.dumps({"age": "old"}))
    with pytest.raises((InputError, ValidationError)):
        load_record(intake=tmp_path / "wrong.json")

"""FHIR R4 export: every resource validated with fhir.resources (R4B models), codes, withheld values."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from kneeline.assess.questionnaires import OutcomeAnswers
from kneeline.cli import build_app
from kneeline.export.fhir import KNEELINE_CODES, LOINC, build_bundle
from kneeline.program.plan import build_program
from kneeline.program.progression import ExerciseLog, SessionEntry, new_log, record_session
from kneeline.report.record import PatientRecord, from_answers, from_intake
from kneeline.report.source import from_result
from tests.assess.builders import AKPS_BEST, intake_dict, make_intake, make_result, metric
from tests.fixtures.analysis_outputs import real_squat  # noqa: F401  (session fixture)

fhir_r4b = pytest.importorskip("fhir.resources.R4B",
                               reason="fhir.resources is a dev dependency (pip install -e '.[dev]')")


def validate(bundle: dict[str, Any]) -> list[Any]:
    """Validate the Bundle and each resource on its own; return the resource models."""
    from fhir.resources.R4B.bundle import Bundle

    Bundle.model_validate(bundle)
    return [fhir_r4b.get_fhir_model_class(e["resource"]["resourceType"]).model_validate(e["resource"])
            for e in bundle["entry"]]


def _record() -> tuple[PatientRecord, Any]:
    koos: dict[str, int | None] = {f"pf{i}": 1 for i in range(1, 11)} | {"pf11": None}
    intake = make_intake(akps=AKPS_BEST, koos_pf=koos, date="2025-01-02")
    later = from_answers(OutcomeAnswers.model_validate({"date": "2025-02-01", "nprs_now": 1, "nprs_worst_week": 2}))
    response = build_program(intake)
    assert response.program is not None
    program = response.program
    first = program.exercises[0]
    entry = SessionEntry(date="2025-01-06", pain_before=2,  # type: ignore[arg-type]
                         exercises=[ExerciseLog(id=first.id, sets=first.sets, reps=first.reps, hold_s=first.hold_s,
                                                pain_during=2, pain_after_1h=1)])
    log = record_session(program, new_log(program), entry)
    return PatientRecord(name="Pat Example", patient_id="7", intake=intake,
                         scores=[from_intake(intake), later], program=response, log=log), entry


def _by_type(bundle: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_bundle_validates_and_holds_every_part() -> None:
    record, _ = _record()
    result = make_result(left={"fppa_deg": metric(14.2, sdd=8.0), "pelvic_drop_deg": metric(None, sdd=2.8)},
                         right={"fppa_deg": metric(6.5, sdd=8.0)})
    bundle = build_bundle(record, [from_result(result)])
    models = validate(bundle)
    kinds = {m.get_resource_type() for m in models}
    assert kinds == {"Patient", "Observation", "QuestionnaireResponse", "CarePlan"}
    assert bundle["type"] == "collection" and all(e["fullUrl"].startswith("urn:uuid:") for e in bundle["entry"])
    patient = _by_type(bundle, "Patient")[0]
    assert patient["gender"] == "female" and patient["name"][0]["text"] == "Pat Example"
    observations = _by_type(bundle, "Observation")
    movement = {o["code"]["coding"][0]["code"]: o for o in observations
                if o["category"][0]["coding"][0]["code"] == "exam"}
    fppa_left = next(o for o in observations if o["code"]["coding"][0]["code"] == "single-leg-squat.fppa_deg"
                     and o.get("bodySite", {}).get("text") == "left lower limb")
    assert fppa_left["valueQuantity"] == {"value": 14.2, "unit": "°", "system": "http://unitsofmeasure.org",
                                          "code": "deg"}
    components = {c["code"]["coding"][0]["code"]: c for c in fppa_left["component"]}
    assert components["sdd"]["valueQuantity"]["value"] == 8.0 and components["reps"]["valueInteger"] == 5
    drop = movement["single-leg-squat.pelvic_drop_deg"]
    assert "valueQuantity" not in drop and drop["dataAbsentReason"]["coding"][0]["code"] == "not-performed"
    assert "not measured from this view" in drop["dataAbsentReason"]["text"]
    view = movement["view-yaw"]
    assert view["valueQuantity"]["value"] == 3.0
    # LOINC where it exists (NPRS), kneeline's own codes elsewhere
    pain = [o for o in observations if o["code"]["coding"][0]["system"] == LOINC]
    assert {o["code"]["coding"][0]["code"] for o in pain} == {"72514-3"}
    assert sorted(o["valueQuantity"]["value"] for o in pain) == [1.0, 2.0, 3.0]  # intake, later day, session
    akps = next(o for o in observations if o["code"]["coding"][0]["code"] == "akps-total")
    assert akps["code"]["coding"][0]["system"] == KNEELINE_CODES and akps["valueQuantity"]["value"] == 100.0
    responses = _by_type(bundle, "QuestionnaireResponse")
    assert {r["questionnaire"].rsplit(":", 1)[-1] for r in responses} == {"akps", "koos-pf", "nprs"}
    akps_qr = next(r for r in responses if r["questionnaire"].endswith("akps"))
    assert {i["linkId"] for i in akps_qr["item"]} == set(AKPS_BEST) and akps_qr["authored"] == "2025-01-02"
    assert any(o.get("derivedFrom") for o in observations)
    plan = _by_type(bundle, "CarePlan")[0]
    assert plan["status"] == "active" and plan["activity"]
    detail = plan["activity"][0]["detail"]
    assert detail["scheduledTiming"]["repeat"]["periodUnit"] == "wk" and " x " in detail["description"]


def test_a_referral_gives_a_care_plan_on_hold() -> None:
    intake = make_intake(flags={"calf_pain_swelling": True})
    bundle = build_bundle(PatientRecord(intake=intake, program=build_program(intake)))
    validate(bundle)
    plan = _by_type(bundle, "CarePlan")[0]
    assert plan["status"] == "on-hold" and "No exercise program" in plan["description"] and "activity" not in plan


def test_withheld_values_of_a_real_analysis_are_never_exported(real_squat: Path) -> None:  # noqa: F811
    from kneeline.report.source import load_analysis

    source = load_analysis(real_squat)
    bundle = build_bundle(PatientRecord(), [source])
    validate(bundle)
    for obs in _by_type(bundle, "Observation"):
        metric_name = obs["code"]["coding"][0]["code"].split(".")[-1]
        if metric_name in ("fppa_deg", "pelvic_obliquity_deg", "trunk_lean_deg"):  # withheld in this clip
            assert "valueQuantity" not in obs and "component" not in obs
    view = next(o for o in _by_type(bundle, "Observation") if o["code"]["coding"][0]["code"] == "view-yaw")
    assert view["component"][0]["valueQuantity"]["value"] == source.result.capture.yaw_uncertainty_deg


def test_export_fhir_cli(tmp_path: Path, real_squat: Path) -> None:  # noqa: F811
    record, entry = _record()
    (tmp_path / "intake.json").write_text(json.dumps(intake_dict(akps=AKPS_BEST, date="2025-01-02")))
    assert record.program is not None and record.log is not None
    (tmp_path / "program.json").write_text(record.program.model_dump_json())
    (tmp_path / "log.json").write_text(record.log.model_dump_json())
    out = tmp_path / "bundle.json"
    r = CliRunner().invoke(build_app(), ["export-fhir", "--intake", str(tmp_path / "intake.json"), "--result",
                                         str(real_squat / "result.json"), "--program", str(tmp_path / "program.json"),
                                         "--log", str(tmp_path / "log.json"), "--out", str(out)])
    assert r.exit_code == 0, r.output
    bundle = json.loads(out.read_text())
    kinds = [m.get_resource_type() for m in validate(bundle)]
    assert kinds.count("CarePlan") == 1 and "QuestionnaireResponse" in kinds
    missing = CliRunner().invoke(build_app(), ["export-fhir", "--intake", str(tmp_path / "nope.json"),
                                               "--out", str(out)])
    assert missing.exit_code == 2 and "does not exist" in missing.output


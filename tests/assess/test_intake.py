"""Intake validation: bad answers name the field and the allowed values; the schema is complete."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest

from kneeline.assess.intake import intake_json_schema, parse_intake
from kneeline.errors import ValidationError
from tests.assess.builders import AKPS_BEST, intake_dict


def _error(data: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as info:
        parse_intake(data)
    return str(info.value)


def test_valid_intake_parses() -> None:
    intake = parse_intake(intake_dict(akps=AKPS_BEST, koos_pf={"pf1": 1, "pf2": None}))
    assert intake.knee == "right" and intake.akps == AKPS_BEST
    assert intake.koos_pf is not None and intake.koos_pf["pf2"] is None and intake.koos_pf["pf11"] is None


@pytest.mark.parametrize(("change", "field", "allowed"), [
    ({"pain_now": 11}, "'pain_now': got 11", "a whole number from 0 to 10"),
    ({"pain_worst_week": -1}, "'pain_worst_week': got -1", "a whole number from 0 to 10"),
    ({"pain_now": "7"}, "'pain_now': got \"7\"", "a whole number from 0 to 10"),
    ({"pain_now": 6.5}, "'pain_now': got 6.5", "a whole number from 0 to 10"),
    ({"knee": "middle"}, "'knee': got \"middle\"", 'one of "left", "right", "both"'),
    ({"sex": "F"}, "'sex': got \"F\"", 'one of "female", "male", "other"'),
    ({"pain_locations": ["front", "top"]}, "'pain_locations.1': got \"top\"",
     'one of "front", "inside", "outside", "back"'),
    ({"aggravating": ["swimming"]}, "'aggravating.0'", '"running", "stairs", "squatting", "sitting"'),
    ({"age": 130}, "'age': got 130", "a whole number from 0 to 120"),
    ({"duration_weeks": -2}, "'duration_weeks': got -2", "a number from 0 to 5200"),
    ({"recent_injury": "no"}, "'recent_injury': got \"no\"", "true or false"),
    ({"date": "01/02/2025"}, "'date'", "YYYY-MM-DD"),
])
def test_bad_answer_names_field_and_allowed_values(change: dict[str, Any], field: str, allowed: str) -> None:
    text = _error(intake_dict(**change))
    assert field in text
    assert allowed in text
    assert "Nothing was saved" in text


def test_missing_fields_and_flags_are_named() -> None:
    data = intake_dict()
    del data["age"]
    del data["red_flags"]["locking"]
    text = _error(data)
    assert "'age' is missing; allowed: a whole number from 0 to 120" in text
    assert "'red_flags.locking' is missing; allowed: true or false" in text


def test_mistyped_flag_and_unknown_field() -> None:
    text = _error(intake_dict(flags={"giving_way": "yes"}, favourite_colour="blue"))
    assert "'red_flags.giving_way': got \"yes\"" in text and "true or false" in text
    assert "'favourite_colour' is not a known field" in text


def test_duplicate_subset_answer_refused() -> None:
    assert "each answer at most once" in _error(intake_dict(pain_locations=["front", "front"]))


def test_bad_akps_answer_lists_allowed() -> None:
    text = _error(intake_dict(akps={**AKPS_BEST, "stairs": "sometimes"}))
    assert "'akps'" in text and "item 'stairs' got 'sometimes'" in text and "no_difficulty" in text


def test_schema_accepts_a_valid_intake_and_rejects_bad_ones() -> None:
    schema = intake_json_schema()
    jsonschema.validate(intake_dict(akps=AKPS_BEST, koos_pf={"pf1": 2}), schema)
    for bad in (intake_dict(pain_now=11), intake_dict(knee="up"), intake_dict(akps={"limp": "sometimes"})):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_schema_describes_every_red_flag_with_its_question() -> None:
    props = intake_json_schema()["$defs"]["RedFlagAnswers"]["properties"]
    assert len(props) == 22  # 19 + hot knee without fever, the split foot question, recent surgery or injection
    assert all(len(p["description"]) > 10 for p in props.values())
    assert "after a recent injury" in props["cannot_bend_90"]["description"]

"""AKPS, KOOS-PF and NPRS: scoring against worked examples, answer checks, change by the MIC."""

from __future__ import annotations

from datetime import date

import pytest

from kneeline.assess.questionnaires import (
    OutcomeAnswers,
    check_akps_answers,
    compare_outcomes,
    interpret_change,
    load_akps,
    load_koos_pf,
    score_akps,
    score_koos_pf,
    score_outcomes,
)
from kneeline.assess.validation import parse_model
from kneeline.errors import ValidationError
from tests.assess.builders import AKPS_BEST, AKPS_WORST

KOOS_IDS = [i.id for i in load_koos_pf().items]


def test_akps_definition_matches_evidence_table() -> None:
    akps = load_akps()
    assert len(akps.items) == 13
    maxima = {i.id: i.max_points for i in akps.items}
    assert maxima == {"limp": 5, "support": 5, "walking": 5, "stairs": 10, "squatting": 5, "running": 10,
                      "jumping": 10, "prolonged_sitting": 10, "pain": 10, "swelling": 10,
                      "kneecap_movements": 10, "thigh_atrophy": 5, "flexion_deficit": 5}
    disputed = {(i.id, o.id) for i in akps.items for o in i.options if o.provisional}
    assert disputed == {("limp", "constant"), ("squatting", "partial_weight")}
    assert next(i for i in akps.items if i.id == "jumping").provisional


def test_akps_best_and_worst() -> None:
    assert score_akps(AKPS_BEST).score == 100
    assert not score_akps(AKPS_BEST).provisional
    worst = score_akps(AKPS_WORST)
    assert worst.score == 0
    assert worst.provisional  # constant limp: disputed 0 vs 2 points


def test_akps_worked_example() -> None:
    # Patellofemoral-pain-like answers; points from evidence.md §5:
    # stairs both ways 5, squatting painful each time 3, running slight pain from start 6,
    # jumping slight difficulty 7, sitting constant pain 6, pain slight/occasional 8, rest at maximum
    # (limp 5 + support 5 + walking 5 + swelling 10 + kneecap 10 + atrophy 5 + flexion 5 = 45): 45 + 35 = 80.
    answers = {**AKPS_BEST, "stairs": "pain_both_ways", "squatting": "painful_each_time",
               "running": "slight_pain_from_start", "jumping": "slight_difficulty",
               "prolonged_sitting": "constant_pain", "pain": "slight_occasional"}
    result = score_akps(answers)
    assert result.score == 80
    assert result.items["squatting"] == 3 and result.items["prolonged_sitting"] == 6


def test_akps_second_option_everywhere() -> None:
    # 3 + 3 + 3 + 8 + 4 + 8 + 7 + 8 + 8 + 8 + 6 + 3 + 3 = 72
    second = {i.id: i.options[1].id for i in load_akps().items}
    assert score_akps(second).score == 72


@pytest.mark.parametrize(("change", "needle"), [
    ({"limp": "sometimes"}, "item 'limp' got 'sometimes' (allowed answers: none, slight_or_periodical, constant)"),
    ({"hopping": "none"}, "unknown item 'hopping'"),
    ({"pain": 8}, "item 'pain' got 8"),
])
def test_akps_bad_answers_name_item_and_allowed(change: dict[str, object], needle: str) -> None:
    with pytest.raises(ValueError, match="allowed answers|unknown item") as info:
        check_akps_answers({**AKPS_BEST, **change})
    assert needle in str(info.value)


def test_akps_missing_item_named() -> None:
    answers = dict(AKPS_BEST)
    del answers["swelling"]
    with pytest.raises(ValueError, match="item 'swelling' is missing"):
        score_akps(answers)


@pytest.mark.parametrize(("values", "expected"), [
    ([0] * 11, 100.0),
    ([4] * 11, 0.0),
    ([2] * 11, 50.0),
    ([1] * 11, 75.0),
    ([1, 2, 1, 2, 1, 2, 1, 2, 1, 1, 1], 65.9),  # mean 15/11 = 1.364 -> 100 - 34.09
    ([4, 4, 4, 0, 0, 0, None, None, None, None, None], 50.0),  # 6 of 11 answered: enough
])
def test_koos_pf_worked_examples(values: list[int | None], expected: float) -> None:
    result = score_koos_pf(dict(zip(KOOS_IDS, values, strict=True)))
    assert result is not None
    assert result.score == pytest.approx(expected)


def test_koos_pf_needs_half_the_items() -> None:
    answers = dict.fromkeys(KOOS_IDS)
    answers.update(dict.fromkeys(KOOS_IDS[:5], 1))
    assert score_koos_pf(answers) is None  # 5 of 11 is under half


@pytest.mark.parametrize("bad", [5, -1, "2", 2.5, True])
def test_koos_pf_bad_value_named(bad: object) -> None:
    with pytest.raises(ValueError, match=r"item 'pf3' got .* \(allowed: a whole number from 0 to 4, or null\)"):
        score_koos_pf({"pf3": bad})  # type: ignore[dict-item]


@pytest.mark.parametrize(("measure", "before", "after", "verdict"), [
    ("akps", 70, 80, "improved"),  # exactly the MIC of 10
    ("akps", 70, 79, "no clear change"),
    ("akps", 80, 70, "worsened"),
    ("koos_pf", 50.0, 66.4, "improved"),  # MIC 16.4
    ("koos_pf", 50.0, 66.3, "no clear change"),
    ("koos_pf", 70.0, 50.0, "worsened"),
    ("nprs", 6, 4, "improved"),  # 2 points
    ("nprs", 6, 5, "no clear change"),  # 1 point, 17%
    ("nprs", 3, 2, "no clear change"),  # finding 12: 33% but 1 point, within the NPRS measurement error (~2)
    ("nprs", 10, 8, "improved"),  # 2 points, 20%
    ("nprs", 2, 4, "worsened"),
    ("nprs", 0, 1, "no clear change"),
    ("nprs", 5, 5, "no clear change"),
])
def test_change_against_mic(measure: str, before: float, after: float, verdict: str) -> None:
    change = interpret_change(measure, before, after)  # type: ignore[arg-type]
    assert change.verdict == verdict
    assert verdict in change.text and "evidence.md §5" in change.source


def test_compare_outcomes_orders_by_date() -> None:
    first = score_outcomes(OutcomeAnswers(date=date(2025, 1, 1), akps=AKPS_WORST, nprs_worst_week=7))
    later = score_outcomes(OutcomeAnswers(date=date(2025, 2, 12), akps=AKPS_BEST, nprs_worst_week=3))
    changes = compare_outcomes(later, first)
    assert [c.measure for c in changes] == ["akps", "nprs"]
    assert all(c.verdict == "improved" for c in changes)
    assert changes[0].before == 0 and changes[0].after == 100


def test_outcome_answers_validation_message() -> None:
    with pytest.raises(ValidationError) as info:
        parse_model(OutcomeAnswers, {"date": "2025-13-01", "nprs_now": 11}, "outcome answers")
    text = str(info.value)
    assert "'date'" in text and "'nprs_now': got 11" in text and "from 0 to 10" in text

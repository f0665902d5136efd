"""Red-flag screen: every flag alone refers; Ottawa rules only after an injury; age counts."""

from __future__ import annotations

import pytest

from kneeline.assess.intake import RedFlagAnswers
from kneeline.assess.redflags import OTTAWA_AGE_FLAG, load_red_flags, screen
from tests.assess.builders import AKPS_BEST, make_intake

FLAGS = [f.id for f in load_red_flags().flags]
OTTAWA = {f.id for f in load_red_flags().flags if f.after_injury_only}
EXPECTED_URGENCY = {
    "cannot_walk_4_steps": "x-ray", "cannot_bend_90": "x-ray", "tender_kneecap_after_injury": "x-ray",
    "tender_fibular_head_after_injury": "x-ray", "hot_red_swollen_with_fever": "emergency",
    "locking": "urgent", "giving_way": "urgent", "sudden_large_swelling": "urgent",
    "kneecap_dislocation": "urgent", "cannot_straighten_knee": "urgent",
    # Finding 1: nerve (numbness, tingling) -> urgent orthopaedic review (evidence.md §6); a cold, pale or
    # blue foot is acute limb ischaemia -> emergency (ESVS 2020).  Finding 2: hot, red, swollen knee
    # without fever -> same day (Coakley 2006: septic until proven otherwise, even without fever).
    "foot_numb_or_tingling": "urgent", "foot_cold_pale_or_blue": "emergency", "hot_red_swollen_no_fever": "same-day",
    # Finding 7: recent knee surgery or injection -> follow the treating team's protocol first.
    "recent_knee_procedure": "own-clinician",
    "night_or_constant_pain": "urgent", "unexplained_weight_loss": "urgent", "lump": "urgent",
    "calf_pain_swelling": "same-day", "morning_stiffness_over_30min": "rheumatology",
    "several_swollen_joints": "rheumatology", "psoriasis_or_bowel_disease": "rheumatology",
    "child_with_limp": "same-day",
}


def test_data_covers_every_flag_of_the_model() -> None:
    assert sorted(FLAGS) == sorted(RedFlagAnswers.model_fields) == sorted(EXPECTED_URGENCY)
    assert OTTAWA == {"cannot_walk_4_steps", "cannot_bend_90", "tender_kneecap_after_injury",
                      "tender_fibular_head_after_injury"}


@pytest.mark.parametrize("flag", FLAGS)
def test_each_flag_alone_refers_with_its_urgency(flag: str) -> None:
    intake = make_intake(flags={flag: True}, recent_injury=flag in OTTAWA)
    result = screen(intake)
    assert result.referred
    assert result.referral is not None
    assert result.referral.urgency == EXPECTED_URGENCY[flag]
    assert [r.flag for r in result.referral.reasons] == [flag]
    assert "does not diagnose" in result.referral.note and "program waits" in result.referral.note


def test_no_flags_no_referral() -> None:
    result = screen(make_intake())
    assert not result.referred and result.referral is None


@pytest.mark.parametrize("flag", sorted(OTTAWA))
def test_ottawa_items_do_not_count_without_recent_injury(flag: str) -> None:
    result = screen(make_intake(flags={flag: True}, recent_injury=False))
    assert not result.referred
    assert any("Ottawa" in n for n in result.notes)


def test_age_at_ottawa_limit_after_injury_refers_for_xray() -> None:
    limit = int(load_red_flags().ottawa_age_years.value)  # type: ignore[arg-type]
    assert limit == 55
    at = screen(make_intake(age=limit, recent_injury=True))
    assert at.referred and at.referral is not None and at.referral.urgency == "x-ray"
    assert at.referral.reasons[0].flag == OTTAWA_AGE_FLAG
    below = screen(make_intake(age=limit - 1, recent_injury=True))
    assert not below.referred
    no_injury = screen(make_intake(age=limit + 20, recent_injury=False))
    assert not no_injury.referred


def test_most_urgent_reason_decides_and_all_reasons_are_listed() -> None:
    result = screen(make_intake(flags={"morning_stiffness_over_30min": True, "calf_pain_swelling": True,
                                       "hot_red_swollen_with_fever": True}))
    assert result.referral is not None
    assert result.referral.urgency == "emergency"
    assert [r.urgency for r in result.referral.reasons] == ["emergency", "same-day", "rheumatology"]


def test_referral_wording_informs_and_does_not_diagnose() -> None:
    for flag in FLAGS:
        result = screen(make_intake(flags={flag: True}, recent_injury=True))
        assert result.referral is not None
        text = " ".join([result.referral.advice, *(r.message for r in result.referral.reasons)]).lower()
        assert "you have" not in text and "diagnos" not in text


def test_akps_dislocation_answer_gives_a_note() -> None:
    akps = {**AKPS_BEST, "kneecap_movements": "one_dislocation"}
    result = screen(make_intake(akps=akps))
    assert not result.referred
    assert any("dislocation" in n for n in result.notes)

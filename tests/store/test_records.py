"""A patient's record through kneeline.store.records, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from kneeline.assess.intake import Intake, RedFlagAnswers
from kneeline.assess.questionnaires import OutcomeAnswers
from kneeline.errors import ValidationError
from kneeline.program.progression import ExerciseLog, SessionEntry
from kneeline.store.models import OutcomeRecord, PatientProfile, User
from kneeline.store.records import (
    current_program,
    latest_intake,
    log_next_morning,
    log_session,
    outcome_rows,
    program_of,
    rebuild_program,
    save_intake,
    save_outcomes,
    training_log,
)


def _intake(**changes: object) -> Intake:
    data: dict[str, object] = dict(age=40, sex="male", knee="left", pain_locations=["front"], aggravating=["stairs"],
                                   pain_now=2, pain_worst_week=4, duration_weeks=10.0, recent_injury=False,
                                   pregnancy="no", red_flags=RedFlagAnswers.none_present())
    data.update(changes)
    return Intake.model_validate(data)


@pytest.fixture
def patient_id(db) -> int:  # type: ignore[no-untyped-def]
    with db.session() as s:
        user = User(email="p@example.org", name="P", password_hash="x", role="patient")
        s.add(user)
        s.flush()
        return user.id


def test_intake_program_and_sessions_round_trip(db, patient_id: int) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        row = save_intake(s, patient_id, _intake(), date(2026, 1, 5))
        assert row.version == 1 and row.status == "program"
    with db.session() as s:
        profile = s.get(PatientProfile, patient_id)
        assert profile is not None and profile.knee == "left" and not profile.referred
        assert latest_intake(s, patient_id) is not None
        row = current_program(s, patient_id)
        assert row is not None
        program, log = training_log(s, row)
        assert log.sessions == []
        first = program.exercises[1]
        done = ExerciseLog(id=first.id, sets=first.sets, reps=first.reps, hold_s=first.hold_s, pain_during=1,
                           pain_after_1h=1)
        log_session(s, row, SessionEntry(date=date(2026, 1, 6), pain_before=1, exercises=[done]))
    with db.session() as s:
        row = current_program(s, patient_id)
        assert row is not None
        _, log = training_log(s, row)
        assert len(log.sessions) == 1 and log.sessions[0].decisions[0].action == "hold"
        log_next_morning(s, row, 1)
    with db.session() as s:
        row = current_program(s, patient_id)
        assert row is not None
        _, log = training_log(s, row)
        assert log.sessions[0].entry.pain_next_morning == 1  # one value: the response to the whole session
        with pytest.raises(ValidationError, match="in order"):
            log_session(s, row, SessionEntry(date=date(2026, 1, 1), pain_before=1, exercises=[done]))


def test_red_flag_intake_stores_a_referral(db, patient_id: int) -> None:  # type: ignore[no-untyped-def]
    flags = RedFlagAnswers.none_present().model_copy(update={"calf_pain_swelling": True})
    with db.session() as s:
        row = save_intake(s, patient_id, _intake(red_flags=flags), date(2026, 1, 5))
        assert row.status == "referred" and program_of(row).program is None
        with pytest.raises(ValidationError, match="no exercise program"):
            training_log(s, row)
        profile = s.get(PatientProfile, patient_id)
        assert profile is not None and profile.referred


def test_rebuild_needs_an_intake_and_makes_a_new_version(db, patient_id: int) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s, pytest.raises(ValidationError, match="intake first"):
        rebuild_program(s, patient_id, patient_id, date(2026, 1, 5))
    with db.session() as s:
        save_intake(s, patient_id, _intake(), date(2026, 1, 5))
        assert rebuild_program(s, patient_id, patient_id, date(2026, 2, 1)).version == 2


def test_outcomes_are_scored_and_ordered_by_date(db, patient_id: int) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        save_outcomes(s, patient_id, OutcomeAnswers(date=date(2026, 3, 1), nprs_now=2))
        save_outcomes(s, patient_id, OutcomeAnswers(date=date(2026, 1, 1), nprs_now=6))
    with db.session() as s:
        rows = outcome_rows(s, patient_id)
        assert [r.nprs for r in rows] == [6, 2]
        assert s.scalars(select(OutcomeRecord)).first() is not None

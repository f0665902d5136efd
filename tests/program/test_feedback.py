"""A session's decisions in plain words: names not ids, the next dose, the reason without its prefix."""

from __future__ import annotations

from datetime import date

from kneeline.program.feedback import dose_words, next_doses, pending_questions, shared_reason
from kneeline.program.progression import SessionEntry, new_log, record_session
from tests.program.test_progression import _program, done


def test_dose_words() -> None:
    assert dose_words(3, 10, None) == "3 sets of 10"
    assert dose_words(1, 12, None) == "1 set of 12"
    assert dose_words(4, None, 30) == "4 holds of 30 s"
    assert dose_words(3, 10, 5) == "3 sets of 10, holding each 5 s"
    assert dose_words(1, None, 300) == "5 minutes"


def test_next_doses_name_the_exercise_and_the_dose() -> None:
    program = _program()
    entry = SessionEntry(date=date(2025, 3, 3), pain_before=1, exercises=[done(id="clamshell-band",
                                                                               pain_after_1h=None)])
    session = record_session(program, new_log(program), entry).sessions[-1]
    (dose,) = next_doses(session)
    assert dose.exercise == "Clamshell with band" and dose.action == "Keep the same"
    assert dose.next_text == "3 sets of 10" and dose.why.startswith("Pain 60 minutes after is not known yet")
    assert "clamshell-band" not in dose.exercise + dose.next_text
    assert pending_questions(session).one_hour and shared_reason([dose]) is None
    assert shared_reason([dose, dose]) == dose.why

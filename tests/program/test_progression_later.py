"""Pain an hour after, logged later for the whole session (the light session log): unknown holds, then the
same settling rule as a value logged per exercise."""

from __future__ import annotations

from datetime import date

import pytest

from kneeline.errors import ValidationError
from kneeline.program.progression import SessionEntry, decide_exercise, new_log, record_session, set_one_hour_pain
from tests.program.test_progression import CLAM, NEEDED, NOISE, _program, done


def test_unknown_pain_an_hour_after_holds() -> None:
    d = decide_exercise(CLAM, done(pain_after_1h=None), pain_before=1, streak=NEEDED - 1)
    assert d.action == "hold" and "60 minutes after is not known yet" in d.reason and not d.meets_progress


@pytest.mark.parametrize("after", range(11))
def test_session_value_settles_like_an_exercise_value(after: int) -> None:
    before = 3
    per_exercise = decide_exercise(CLAM, done(pain_after_1h=after, pain_next_morning=before), pain_before=before,
                                   streak=NEEDED - 1)
    per_session = decide_exercise(CLAM, done(pain_after_1h=None, pain_next_morning=before), pain_before=before,
                                  streak=NEEDED - 1, session_after_1h=after)
    assert per_session.action == per_exercise.action == ("progress" if after <= before + NOISE else "regress")


def test_one_hour_pain_filled_in_later() -> None:
    program = _program()
    entry = SessionEntry(date=date(2025, 3, 3), pain_before=1,
                         exercises=[done(id="clamshell-band", pain_after_1h=None, pain_next_morning=None)])
    log = record_session(program, new_log(program), entry)
    assert "not known yet" in log.sessions[-1].decisions[0].reason
    worse = set_one_hour_pain(program, log, 1 + NOISE + 1)
    assert worse.sessions[-1].decisions[0].action == "regress" and len(worse.sessions) == 1
    assert worse.sessions[-1].entry.pain_after_1h == 1 + NOISE + 1 and log.sessions[-1].entry.pain_after_1h is None
    with pytest.raises(ValidationError, match="from 0 to 10"):
        set_one_hour_pain(program, log, 11)
    with pytest.raises(ValidationError, match="no session yet"):
        set_one_hour_pain(program, new_log(program), 1)

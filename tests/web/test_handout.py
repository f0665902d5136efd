"""The printable program handout (HTML, PDF) with pictures, dose, cues and the pain rule, and the .ics file."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

from kneeline.report.handout import Handout, HandoutExercise, calendar_ics, session_days
from tests.web.builders import intake_form


def _handout(**changes: object) -> Handout:
    base: dict[str, object] = dict(patient="Pat", week=1, weeks=2, sessions_per_week=3, start=date(2026, 3, 2),
                                   exercises=(HandoutExercise("clamshell", "Clamshell", "3 sets of 10 on each side",
                                                              ("Lie on your side.",), ("Hips stacked.",)),),
                                   pain_rule="Pain up to 5/10 is OK; a long description, with commas; semicolons.",
                                   dose_note="Rest a minute.", made_on=date(2026, 3, 4))
    return Handout(**{**base, **changes})  # type: ignore[arg-type]


def test_sessions_are_spread_over_the_week() -> None:
    assert session_days(date(2026, 3, 2), 1, 1, 3) == [date(2026, 3, 2), date(2026, 3, 4), date(2026, 3, 6)]
    assert len(session_days(date(2026, 3, 2), 2, 6, 2)) == 10


def test_the_calendar_has_one_event_per_session_from_today_with_a_reminder() -> None:
    ics = calendar_ics(_handout(), datetime(2026, 3, 4, 9, tzinfo=UTC))
    assert ics.startswith("BEGIN:VCALENDAR\r\n") and ics.endswith("END:VCALENDAR\r\n")
    unfolded = ics.replace("\r\n ", "")
    starts = re.findall(r"DTSTART:(\d{8})T180000", unfolded)
    assert starts == ["20260304", "20260306", "20260309", "20260311", "20260313"]  # 2026-03-02 already past
    assert unfolded.count("BEGIN:VALARM") == 5 and "TRIGGER:-PT15M" in unfolded
    assert "Clamshell: 3 sets of 10 on each side" in unfolded and "with commas\\; semicolons." in unfolded
    assert all(len(line.encode()) <= 75 for line in ics.split("\r\n"))


def test_the_web_handout_has_pictures_dose_cues_and_the_pain_rule(app, patient) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    program = patient.client.get(f"/patients/{patient.user_id}/program").text
    assert 'id="handout-link"' in program and 'src="/static/exercises/' in program
    r = patient.client.get(f"/patients/{patient.user_id}/program/handout")
    assert r.status_code == 200
    assert r.text.count("data:image/svg+xml;base64,") >= 4 and "How much pain is OK" in r.text
    assert "Remember:" in r.text and re.search(r"\d sets? of \d+|\d holds? of \d+ s", r.text)
    ics = patient.client.get(f"/patients/{patient.user_id}/program/calendar.ics")
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    assert "BEGIN:VEVENT" in ics.text


def test_the_handout_pdf_is_made(app, patient) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    r = patient.client.get(f"/patients/{patient.user_id}/program/handout?format=pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF") and len(r.content) > 5000


def test_no_program_no_handout(app, patient) -> None:  # type: ignore[no-untyped-def]
    assert patient.client.get(f"/patients/{patient.user_id}/program/handout").status_code in (403, 404)

"""The light session log: one tap per exercise, pain an hour after and next morning asked later, the next
dose in plain words at the top after saving."""

from __future__ import annotations

import html as htmllib
import re
from datetime import date, timedelta
from html.parser import HTMLParser

from sqlalchemy import select

from kneeline.store.models import SessionLog
from tests.web.builders import intake_form


class _Form(HTMLParser):
    """What a browser would send from ``#log-form`` untouched: prefilled values and pre-checked choices,
    and the names of the fields marked required."""

    def __init__(self) -> None:
        super().__init__()
        self.inside = False
        self.values: dict[str, str] = {}
        self.required: set[str] = set()
        self.radio_groups: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == "log-form"
        if not self.inside or tag not in ("input", "textarea", "select") or not a.get("name"):
            return
        name, kind = str(a["name"]), a.get("type", "text")
        if "required" in a:
            self.required.add(name)
        if kind == "radio":
            self.radio_groups.add(name)
            if "checked" in a:
                self.values[name] = str(a.get("value"))
        elif tag == "input" and a.get("value") is not None:
            self.values[name] = str(a.get("value"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self.inside = False


def _form(patient) -> _Form:  # type: ignore[no-untyped-def]
    parsed = _Form()
    parsed.feed(patient.client.get("/log").text)
    return parsed


def _one_tap_each(patient, day: str, pain: str = "2") -> dict[str, str]:  # type: ignore[no-untyped-def]
    """The log form as sent after one tap on the pain scale before the session and one per exercise."""
    form = _form(patient)
    taps = {"pain_before": pain, **{name: pain for name in form.radio_groups if name.startswith("pain_during_")}}
    return {**form.values, "date": day, **taps}


def _text(page: str) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


def test_the_form_needs_one_tap_per_exercise_and_shows_the_next_dose(app, patient) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    form = _form(patient)
    exercises = [n.removeprefix("done_") for n in form.radio_groups if n.startswith("done_")]
    assert exercises, "no exercise on the log form"
    assert all(form.values[f"done_{e}"] == "yes" for e in exercises), "'done as prescribed' is not pre-chosen"
    # required: the date (prefilled) and pain before; nothing per exercise but the one tap on its pain scale
    assert form.required == {"date", "pain_before"}
    assert not any(n.startswith("pain_after_") for n in form.values)
    r = patient.post("/log", _one_tap_each(patient, date.today().isoformat()))
    assert r.status_code == 303 and r.headers["location"] == "/log?saved=1", r.text
    page = patient.client.get("/log?saved=1").text
    text = _text(page)
    assert "Saved." in text and "next time" in text and 'id="next-doses"' in page
    assert "not known yet" in text  # held until the pain an hour after is logged
    assert 'id="hour-form"' in page and '<details id="new-session">' in page  # the result, not a blank form
    with app.state.ctx.db.session() as s:
        entry = s.scalars(select(SessionLog)).one().entry
    assert len(entry["exercises"]) == len(exercises) and entry["pain_after_1h"] is None


def test_pain_an_hour_after_is_asked_later_and_decides_again(app, patient) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    patient.post("/log", _one_tap_each(patient, date.today().isoformat()))
    r = patient.post("/log/hour", {"pain_after_1h": "6"})
    assert r.status_code == 303
    with app.state.ctx.db.session() as s:
        row = s.scalars(select(SessionLog)).one()
        assert row.entry["pain_after_1h"] == 6
        assert all(d["action"] == "regress" for d in row.decisions), row.decisions  # had not settled: 6 vs 2
    assert 'id="hour-form"' not in patient.client.get("/log").text
    r = patient.post("/log/hour", {"pain_after_1h": "eleven"})
    assert r.status_code == 400 and "Pain an hour after" in r.text and "0 (no pain) to 10" in r.text


def test_home_asks_the_next_morning(app, patient) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    assert patient.post("/log", _one_tap_each(patient, yesterday)).status_code == 303
    home = patient.client.get("/home").text
    assert 'id="later-questions"' in home and "this morning" in home and 'href="/log#morning-form"' in home
    assert 'id="morning-form"' in patient.client.get("/log").text
    patient.post("/log/hour", {"pain_after_1h": "2"})
    patient.post("/log/morning", {"pain_next_morning": "2"})
    assert 'id="later-questions"' not in patient.client.get("/home").text


def test_a_missing_tap_names_the_exercise_and_keeps_the_answers(app, patient) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    sent = _one_tap_each(patient, date.today().isoformat(), pain="3")
    missing = next(k for k in sent if k.startswith("pain_during_"))
    del sent[missing]
    r = patient.post("/log", sent)
    assert r.status_code == 400
    text = _text(r.text)
    assert "Pain during " in text and "one tap on a number" in text and missing not in text.split("Please")[1][:200]
    assert re.search(r'name="pain_before" value="3" required checked', r.text), "pain before was not kept"
    assert patient.client.get("/log").status_code == 200
    with app.state.ctx.db.session() as s:
        assert s.scalars(select(SessionLog)).first() is None


def test_questionnaire_errors_are_in_plain_words_and_keep_the_answers(app, patient) -> None:  # type: ignore[no-untyped-def]
    r = patient.post("/outcomes", {"date": date.today().isoformat(), "nprs_now": "13", "akps_limp": "none"})
    assert r.status_code == 400
    text = _text(r.text)
    assert "Knee questionnaire (AKPS, Kujala)" in text and "answer every question of this questionnaire" in text
    assert "Pain now" in text and "from 0 (no pain) to 10" in text
    assert "allowed answers" not in text and "{" not in text.split("Please correct")[1][:600]
    assert re.search(r'<option value="none"\s+selected', r.text) or 'value="none" selected' in r.text

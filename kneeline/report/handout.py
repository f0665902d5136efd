"""The printable program handout (HTML with a print stylesheet, and its PDF) and a calendar file (.ics).

The handout lists this week's exercises with their pictures (start and end,
:mod:`kneeline.program.figures`), dose, steps and cues, and the pain rule; the calendar holds one
event per planned session for the rest of the program, which the user's own calendar can import
(offline: nothing is sent anywhere).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

__all__ = ["HandoutExercise", "Handout", "handout_html", "session_days", "calendar_ics"]

_WEEKDAYS = {1: (0,), 2: (0, 3), 3: (0, 2, 4), 4: (0, 1, 3, 4), 5: (0, 1, 2, 3, 4), 6: (0, 1, 2, 3, 4, 5),
             7: (0, 1, 2, 3, 4, 5, 6)}
"""Days of the program week (0 = the day it started) of each planned session, by sessions per week."""


@dataclass(frozen=True)
class HandoutExercise:
    """One exercise as the handout and calendar show it."""

    id: str
    name: str
    dose: str
    steps: tuple[str, ...]
    cues: tuple[str, ...]


@dataclass(frozen=True)
class Handout:
    """Everything the handout shows."""

    patient: str
    week: int
    weeks: int
    sessions_per_week: int
    start: date
    exercises: tuple[HandoutExercise, ...]
    pain_rule: str
    dose_note: str
    made_on: date


def _figure_uri(exercise_id: str, which: str) -> str | None:
    from kneeline.program.figures import figure_path

    path = figure_path(exercise_id, which)
    if not path.is_file():
        return None
    return "data:image/svg+xml;base64," + base64.b64encode(path.read_bytes()).decode("ascii")


def handout_html(handout: Handout) -> str:
    """The handout as one self-contained HTML document (styles inline, pictures as ``data:`` URIs)."""
    from importlib import resources

    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("kneeline.report", "templates"), autoescape=select_autoescape(["html"]))
    css = resources.files("kneeline.report").joinpath("templates", "handout.css").read_text(encoding="utf-8")
    pictures: dict[str, dict[str, Any]] = {ex.id: {w: _figure_uri(ex.id, w) for w in ("start", "end")}
                                           for ex in handout.exercises}
    return env.get_template("handout.html").render(css=css, h=handout, pictures=pictures,
                                                  days=session_days(handout.start, handout.week, handout.week,
                                                                    handout.sessions_per_week))


def session_days(start: date, first_week: int, last_week: int, sessions_per_week: int) -> list[date]:
    """The planned session dates of weeks ``first_week``..``last_week`` of a program that began on ``start``."""
    offsets = _WEEKDAYS.get(sessions_per_week, _WEEKDAYS[3])
    return [start + timedelta(weeks=w - 1, days=d) for w in range(first_week, last_week + 1) for d in offsets]


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Fold a content line at 75 octets (RFC 5545 section 3.1)."""
    raw = line.encode("utf-8")
    if len(raw) <= 75:
        return line
    parts: list[str] = []
    current = b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not parts else 74):
            parts.append(current.decode("utf-8"))
            current = b""
        current += b
    parts.append(current.decode("utf-8"))
    return "\r\n ".join(parts)


def calendar_ics(handout: Handout, now: datetime, at_hour: int = 18) -> str:
    """An iCalendar file with one 30-minute event per planned session from today to the end of the program.

    Events are at ``at_hour`` local time (floating: the user's calendar keeps its own time zone), each
    with a reminder 15 minutes before and the exercises and doses in its description.
    """
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    what = "\n".join(f"- {ex.name}: {ex.dose}" for ex in handout.exercises)
    description = f"{what}\n\n{handout.pain_rule}"
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//kneeline//program calendar//EN", "CALSCALE:GREGORIAN",
             "METHOD:PUBLISH", "X-WR-CALNAME:Knee exercises (kneeline)"]
    for day in session_days(handout.start, handout.week, handout.weeks, handout.sessions_per_week):
        if day < handout.made_on:
            continue
        begin = datetime(day.year, day.month, day.day, at_hour)
        lines += ["BEGIN:VEVENT", f"UID:kneeline-{handout.start:%Y%m%d}-{day:%Y%m%d}@kneeline.local",
                  f"DTSTAMP:{stamp}", f"DTSTART:{begin:%Y%m%dT%H%M%S}",
                  f"DTEND:{begin + timedelta(minutes=30):%Y%m%dT%H%M%S}",
                  "SUMMARY:Knee exercises", f"DESCRIPTION:{_escape(description)}",
                  "BEGIN:VALARM", "ACTION:DISPLAY", "DESCRIPTION:Knee exercises", "TRIGGER:-PT15M", "END:VALARM",
                  "END:VEVENT"]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"

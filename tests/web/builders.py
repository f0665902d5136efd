"""Form data for the web tests: a valid intake without red flags, and helpers to post it."""

from __future__ import annotations

from kneeline.assess.intake import RedFlagAnswers


def intake_form(**changes: object) -> dict[str, object]:
    """A woman of 34 with front-of-knee pain on stairs and squatting, no red flags."""
    form: dict[str, object] = {
        "age": "34", "sex": "female", "knee": "right", "pain_locations": ["front"],
        "aggravating": ["stairs", "squatting"], "pain_now": "3", "pain_worst_week": "5",
        "duration_weeks": "12", "recent_injury": "no", "pregnancy": "no",
    }
    form.update({f"rf_{flag}": "no" for flag in RedFlagAnswers.model_fields})
    form.update(changes)
    return form

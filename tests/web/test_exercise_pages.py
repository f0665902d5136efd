"""The exercise library pages: every exercise with its start and end pictures, served from static files."""

from __future__ import annotations

import pytest

from kneeline.program.library import load_library

EXERCISES = sorted(load_library().exercises)


def test_the_list_links_every_exercise(app, patient) -> None:  # type: ignore[no-untyped-def]
    page = patient.client.get("/exercises").text
    for ex_id in EXERCISES:
        assert f'href="/exercises/{ex_id}"' in page, ex_id


@pytest.mark.parametrize("ex_id", EXERCISES)
def test_every_exercise_page_shows_both_pictures(app, patient, ex_id: str) -> None:  # type: ignore[no-untyped-def]
    page = patient.client.get(f"/exercises/{ex_id}")
    assert page.status_code == 200
    for which in ("start", "end"):
        src = f"/static/exercises/{ex_id}-{which}.svg"
        assert f'src="{src}"' in page.text
        picture = patient.client.get(src)
        assert picture.status_code == 200 and picture.text.startswith("<svg"), src
    assert "evidence.md" not in page.text


def test_an_unknown_exercise_is_not_found(app, patient) -> None:  # type: ignore[no-untyped-def]
    assert patient.client.get("/exercises/no-such-thing").status_code == 404

"""The results page says each value in words, names what was not measured, and keeps the exact numbers
one click away (a <details> block)."""

from __future__ import annotations

import html as htmllib
import re

from kneeline.store.models import Analysis
from tests.report.test_plain import _oblique_squat, _single_leg_squat


def _analysis(app, patient_id: int, result: dict[str, object], test: str) -> int:  # type: ignore[no-untyped-def]
    with app.state.ctx.db.session() as s:
        row = Analysis(patient_id=patient_id, test=test, video_sha256="0" * 64, video_name="v.mp4",
                       video_bytes=1, status="done", result=result, files=[])
        s.add(row)
        s.flush()
        return row.id


def _text(html: str) -> str:
    return htmllib.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)))


def test_withheld_values_are_said_plainly_with_how_to_film(app, patient) -> None:  # type: ignore[no-untyped-def]
    aid = _analysis(app, patient.user_id, _oblique_squat().model_dump(mode="json"), "squat")
    html = patient.client.get(f"/analyses/{aid}").text
    text = _text(html)
    assert 'id="rep-count">3<' in html
    assert "Left knee: inward movement." in text and "could not measure this from this angle" in text
    assert "19° ± 4°" in text and "How to film it" in text and "What to do next" in text
    details = html[html.index('<details id="exact-numbers">'):html.index("</details>")]
    assert 'id="reps"' in details and 'id="summary"' in details
    assert "<td>—</td>" not in html and "<td>-</td>" not in html and " deg" not in text
    assert "(FPPA))" not in html


def test_measured_values_have_their_meaning(app, patient) -> None:  # type: ignore[no-untyped-def]
    aid = _analysis(app, patient.user_id, _single_leg_squat(20.0).model_dump(mode="json"), "single-leg-squat")
    text = _text(patient.client.get(f"/analyses/{aid}").text)
    assert "Left knee: inward movement" in text and "20°" in text
    assert "moved inward more than most healthy people's" in text
    assert "Exact numbers and sources (for clinicians)" in text

"""Progress charts: matplotlib SVG with labelled axes and units, series told apart without colour, and a
text summary."""

from __future__ import annotations

import base64
import re
from datetime import date

from kneeline.web.charts import Point, Series, chart_svg, line_chart


def _svg_of(markup: str) -> str:
    found = re.search(r'src="data:image/svg\+xml;base64,([^"]+)"', markup)
    assert found, markup[:200]
    return base64.b64decode(found.group(1)).decode("utf-8")


def _texts(svg: str | bytes) -> list[str]:
    text = svg.decode("utf-8") if isinstance(svg, bytes) else svg
    return [t.strip() for t in re.findall(r"<text[^>]*>([^<]*)</text>", text)]


def test_pain_axis_is_zero_to_ten_with_its_label() -> None:
    chart = str(line_chart("Knee pain", [Series("before session", [Point(date(2026, 3, 1), 3.0),
                                                                    Point(date(2026, 3, 4), 2.0)])],
                           "/10", (0.0, 10.0), y_label="Pain (0 = none, 10 = worst)"))
    texts = _texts(_svg_of(chart))
    assert "Pain (0 = none, 10 = worst)" in texts and "Knee pain" in texts
    assert "0" in texts and "10" in texts and "−0" not in texts
    assert "01 Mar" in texts or "02 Mar" in texts
    assert "Before session: 2 values from 01 Mar 2026 to 04 Mar 2026; first 3/10, latest 2/10" in chart


def test_a_small_value_gets_ticks_around_it() -> None:
    """A depth of 0.3 is drawn on an axis whose ticks are around 0.3, not on a -1...1 axis."""
    svg = chart_svg("Depth", [Series("both", [Point(date(2026, 3, 1), 0.3), Point(date(2026, 3, 8), 0.32)])],
                    "Depth, share of leg length")
    ticks = [float(t.replace("−", "-")) for t in _texts(svg) if re.fullmatch(r"[−-]?\d+(\.\d+)?", t)]
    assert ticks and min(ticks) >= 0.2 and max(ticks) <= 0.4, ticks


def test_series_differ_in_marker_and_line_style_and_are_named_in_the_chart() -> None:
    days = [date(2026, 3, d) for d in (1, 3, 5)]
    svg = chart_svg("Knee pain", [Series("before session", [Point(d, 2.0) for d in days]),
                                  Series("worst during", [Point(d, 4.0) for d in days])], "Pain", (0.0, 10.0))
    texts = _texts(svg)
    assert "before session" in texts and "worst during" in texts  # the legend is inside the chart
    assert b"stroke-dasharray" in svg  # the second line is dashed, not only another colour


def test_nothing_to_draw_is_empty() -> None:
    assert str(line_chart("Knee pain", [Series("before session", [])])) == ""

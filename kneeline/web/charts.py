"""Line charts of values over dates, drawn by matplotlib as SVG, with a text summary for screen readers.

The SVG is embedded as an image (a ``data:`` URL: the content security policy allows no inline styles,
and an image keeps matplotlib's own styling), sized for a phone first.  Series are told apart by
marker shape and line style as well as colour, and are named in a legend inside the chart; the
text summary says the same in words.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from html import escape

from markupsafe import Markup

__all__ = ["Point", "Series", "line_chart", "chart_summary", "chart_svg"]

_STYLES = (("#1f5fa8", "o", "-"), ("#b03a2e", "s", "--"), ("#2e7d32", "^", ":"), ("#6a3d9a", "D", "-."))
"""(colour, marker, line style) per series: never colour alone."""
_SIZE_IN = (5.0, 3.2)
"""Figure size in inches: 360 x 230 px at 72 dpi, so text keeps its size (13 px) on a 390 px phone."""


@dataclass(frozen=True)
class Point:
    """One value on one day, with an optional spread (SD) drawn as an error bar."""

    day: date
    value: float
    spread: float | None = None


@dataclass(frozen=True)
class Series:
    """A named line."""

    name: str
    points: Sequence[Point] = field(default_factory=tuple)


def _fmt(v: float, unit: str) -> str:
    text = f"{v:.1f}".rstrip("0").rstrip(".") if abs(v - round(v)) > 1e-9 else f"{v:.0f}"
    return f"{text}{unit}"


def chart_summary(title: str, series: Sequence[Series], unit: str = "") -> str:
    """The chart in words: per series, how many values, over which dates, first and latest, lowest and highest."""
    parts = []
    for s in series:
        name = s.name[:1].upper() + s.name[1:]
        pts = sorted(s.points, key=lambda p: p.day)
        if not pts:
            continue
        values = [p.value for p in pts]
        when = (f"on {pts[0].day:%d %b %Y}" if len(pts) == 1 else
                f"from {pts[0].day:%d %b %Y} to {pts[-1].day:%d %b %Y}")
        if len(pts) == 1:
            parts.append(f"{name}: one value, {_fmt(values[0], unit)}, {when}.")
        else:
            parts.append(f"{name}: {len(pts)} values {when}; first {_fmt(values[0], unit)}, latest "
                         f"{_fmt(values[-1], unit)}, lowest {_fmt(min(values), unit)}, highest "
                         f"{_fmt(max(values), unit)}.")
    return f"{title}. " + " ".join(parts)


_CACHED_CHARTS = 512
"""Charts kept per server process (an SVG is 10-40 kB), so a page viewed again is not redrawn."""


def chart_svg(title: str, series: Sequence[Series], y_label: str,
              y_range: tuple[float, float] | None = None) -> bytes:
    """The chart as an SVG document (matplotlib, no pyplot state).

    Drawing takes 20-40 ms of CPU (issue 17: most of a progress page's time), so the result is kept
    for the same title, series and axis: a page shown again, unchanged, costs a dictionary look-up.
    """
    frozen = tuple(Series(s.name, tuple(s.points)) for s in series)
    return _cached_svg(title, frozen, y_label, tuple(y_range) if y_range is not None else None)


@lru_cache(maxsize=_CACHED_CHARTS)
def _cached_svg(title: str, series: tuple[Series, ...], y_label: str,
                y_range: tuple[float, float] | None) -> bytes:
    from matplotlib import rc_context

    with rc_context({"svg.fonttype": "none", "font.family": "sans-serif"}):  # text stays text: smaller, readable
        return _draw(title, series, y_label, y_range)


def _draw(title: str, series: Sequence[Series], y_label: str, y_range: tuple[float, float] | None) -> bytes:
    from matplotlib.dates import AutoDateLocator, DateFormatter, date2num
    from matplotlib.figure import Figure

    fig = Figure(figsize=_SIZE_IN, dpi=72, layout="constrained")
    ax = fig.add_subplot()
    days = [p.day for s in series for p in s.points]
    for i, s in enumerate(series):
        colour, marker, style = _STYLES[i % len(_STYLES)]
        pts = sorted(s.points, key=lambda p: p.day)
        ax.errorbar([float(date2num(p.day)) for p in pts], [p.value for p in pts], yerr=[p.spread or 0.0 for p in pts],
                    color=colour, marker=marker, linestyle=style, linewidth=2, markersize=7, capsize=3,
                    label=s.name)
    ax.set_title(title, fontsize=14, loc="left")
    ax.set_ylabel(y_label, fontsize=13)
    if y_range is not None:
        ax.set_ylim(*y_range)
    ax.set_xlim(float(date2num(min(days) - timedelta(days=1))), float(date2num(max(days) + timedelta(days=1))))
    locator = AutoDateLocator(minticks=2, maxticks=5)
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
    ax.tick_params(labelsize=13)
    ax.grid(True, color="#dddddd", linewidth=0.8)
    ax.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        ax.legend(fontsize=12, frameon=False, loc="best")
    buf = io.BytesIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})
    return buf.getvalue()


def line_chart(title: str, series: Sequence[Series], unit: str = "",
               y_range: tuple[float, float] | None = None, y_label: str | None = None) -> Markup:
    """A chart of ``series`` over dates with its summary in words; an empty string when there is nothing to draw.

    Parameters
    ----------
    title
        What the chart shows.
    series
        The lines; empty ones are left out.
    unit
        Unit written after each value in the summary ("°", " s", or nothing).
    y_range
        Fixed limits of the value axis (e.g. 0-10 for pain); default: from the data.
    y_label
        Label of the value axis, with its unit (default: ``title``).
    """
    series = [s for s in series if s.points]
    if not series:
        return Markup("")
    svg = chart_svg(title, series, y_label or title, y_range)
    url = "data:image/svg+xml;base64," + base64.b64encode(svg).decode("ascii")
    summary = chart_summary(title, series, unit)
    return Markup(f'<figure class="chart-figure"><img class="chart" src="{url}" alt="{escape(title)}: '
                  f'chart; its values are written below" width="360" height="230">'
                  f'<figcaption class="chart-summary">{escape(summary)}</figcaption></figure>')

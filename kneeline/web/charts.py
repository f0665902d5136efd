"""Small inline SVG line charts (no scripts, no external files), with optional ±SD error bars."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape

from markupsafe import Markup

__all__ = ["Point", "Series", "line_chart"]

_W, _H = 560, 220
_LEFT, _RIGHT, _TOP, _BOTTOM = 48, 12, 16, 36
_COLOURS = ("#1f5fa8", "#c0392b", "#2e7d32", "#7b3fa0")


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


def _scale(lo: float, hi: float, out_lo: float, out_hi: float, v: float) -> float:
    return out_lo if hi == lo else out_lo + (v - lo) * (out_hi - out_lo) / (hi - lo)


def _bounds(series: Sequence[Series], y_range: tuple[float, float] | None) -> tuple[float, float, int, int]:
    points = [p for s in series for p in s.points]
    days = [p.day.toordinal() for p in points]
    if y_range is not None:
        y_lo, y_hi = y_range
    else:
        y_lo = min(p.value - (p.spread or 0) for p in points)
        y_hi = max(p.value + (p.spread or 0) for p in points)
        pad = max(1.0, (y_hi - y_lo) * 0.1)
        y_lo, y_hi = y_lo - pad, y_hi + pad
    return y_lo, y_hi, min(days), max(days)


def line_chart(title: str, series: Sequence[Series], unit: str = "",
               y_range: tuple[float, float] | None = None) -> Markup:
    """An SVG chart of ``series`` over dates; an empty string when there is nothing to draw."""
    series = [s for s in series if s.points]
    if not series:
        return Markup("")
    y_lo, y_hi, d_lo, d_hi = _bounds(series, y_range)

    def x(d: date) -> float:
        return _scale(d_lo - 1, d_hi + 1, _LEFT, _W - _RIGHT, d.toordinal())

    def y(v: float) -> float:
        return _scale(y_lo, y_hi, _H - _BOTTOM, _TOP, v)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_W} {_H}" role="img" class="chart" '
             f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
             f'<line x1="{_LEFT}" y1="{_H - _BOTTOM}" x2="{_W - _RIGHT}" y2="{_H - _BOTTOM}" stroke="#888"/>',
             f'<line x1="{_LEFT}" y1="{_TOP}" x2="{_LEFT}" y2="{_H - _BOTTOM}" stroke="#888"/>']
    for v in (y_lo, (y_lo + y_hi) / 2, y_hi):
        parts.append(f'<text x="{_LEFT - 4}" y="{y(v) + 4:.1f}" text-anchor="end" font-size="11">{v:.0f}{unit}'
                     "</text>")
    for d in sorted({p.day for s in series for p in s.points})[:: max(1, len(series[0].points) // 6 or 1)]:
        parts.append(f'<text x="{x(d):.1f}" y="{_H - _BOTTOM + 14}" text-anchor="middle" font-size="10">'
                     f"{d.strftime('%d %b')}</text>")
    for i, s in enumerate(series):
        colour = _COLOURS[i % len(_COLOURS)]
        pts = sorted(s.points, key=lambda p: p.day)
        path = " ".join(f"{x(p.day):.1f},{y(p.value):.1f}" for p in pts)
        parts.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2" points="{path}"/>')
        for p in pts:
            if p.spread:
                parts.append(f'<line x1="{x(p.day):.1f}" x2="{x(p.day):.1f}" y1="{y(p.value - p.spread):.1f}" '
                             f'y2="{y(p.value + p.spread):.1f}" stroke="{colour}"/>')
            parts.append(f'<circle cx="{x(p.day):.1f}" cy="{y(p.value):.1f}" r="3" fill="{colour}">'
                         f"<title>{escape(s.name)} {p.day.isoformat()}: {p.value:.1f}{escape(unit)}</title></circle>")
        parts.append(f'<text x="{_LEFT + 8 + 150 * i}" y="{_H - 6}" font-size="11" fill="{colour}">'
                     f"■ {escape(s.name)}</text>")
    parts.append("</svg>")
    return Markup("".join(parts))

"""Accessibility and phone-layout checks run in the test page: axe-core (vendored), sideways scroll, tap targets.

axe-core is read from ``tests/browser/vendor/axe-core/axe.min.js`` (``tests/browser/vendor/README.md``) and
evaluated through Playwright (so the app's content security policy, which allows only its own scripts,
stays as it is and nothing is fetched from a CDN).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page

__all__ = ["AXE_JS", "axe_violations", "sideways_scroll", "small_targets", "check_page", "check_page_as_is", "WIDTHS"]

AXE_JS = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"
"""axe-core, vendored from the npm registry."""

WIDTHS = (1280, 390)
"""Desktop and phone (iPhone 12-15) widths every page is checked at."""

_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
_MIN_TARGET_PX = 44.0


@lru_cache(maxsize=1)
def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """The serious and critical WCAG 2.1 A/AA violations axe-core finds on the page as it is now."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    found: list[dict[str, Any]] = page.evaluate(
        """async (tags) => {
             const r = await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']});
             return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => ({
               id: v.id, impact: v.impact, help: v.help,
               nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || ''))}));
           }""", _TAGS)
    return found


def sideways_scroll(page: Page) -> int:
    """How many CSS pixels the page is wider than the window (0: no horizontal scrolling)."""
    return int(page.evaluate("() => document.documentElement.scrollWidth - document.documentElement.clientWidth"))


def small_targets(page: Page) -> list[str]:
    """Visible buttons, button-like links, form fields, summaries and menu links less than 44 px high."""
    found: list[str] = page.evaluate(
        """(min) => {
             const sel = 'button, a.button, input:not([type=hidden]):not([type=checkbox]):not([type=radio]),'
                       + ' select, summary, nav a';
             return Array.from(document.querySelectorAll(sel)).filter(el => {
               const r = el.getBoundingClientRect();
               return r.width > 0 && r.height > 0 && r.height < min - 0.5 && !el.closest('.visually-hidden');
             }).map(el => el.tagName.toLowerCase() + (el.name ? '[name=' + el.name + ']' : '')
                          + ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '" '
                          + Math.round(el.getBoundingClientRect().height) + 'px');
           }""", _MIN_TARGET_PX)
    return found


def check_page_as_is(page: Page) -> list[str]:
    """The page now open (e.g. the answer to a form), at its current width: what is wrong, in words."""
    width = page.viewport_size["width"] if page.viewport_size else 0
    problems = [f"{page.url} at {width} px: axe {v['impact']} {v['id']} ({v['help']}): {v['nodes']}"
                for v in axe_violations(page)]
    if (extra := sideways_scroll(page)) > 0:
        problems.append(f"{page.url} at {width} px: scrolls sideways by {extra} px")
    return problems


def check_page(page: Page, path: str) -> list[str]:
    """Open ``path`` at every width of :data:`WIDTHS`, every <details> opened; what is wrong, in words."""
    problems: list[str] = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 844 if width < 600 else 900})
        page.goto(path)
        page.evaluate("() => document.querySelectorAll('details').forEach(d => { d.open = true; })")
        for v in axe_violations(page):
            problems.append(f"{path} at {width} px: axe {v['impact']} {v['id']} ({v['help']}): {v['nodes']}")
        if (extra := sideways_scroll(page)) > 0:
            problems.append(f"{path} at {width} px: scrolls sideways by {extra} px")
        if width < 600 and (small := small_targets(page)):
            problems.append(f"{path} at {width} px: tap targets under 44 px: {small[:6]}")
    return problems

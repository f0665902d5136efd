"""Sources as a reader can follow them: by reference (author, year, journal), not by kneeline's files.

The data files name their sources as ``evidence.md §8: Liu 2018, BJSM 52:167`` (the review that
collected them, then the reference).  A user has no ``evidence.md``; :func:`readable_source` keeps the
reference and, where a source is only a section of the review, names the section's topic.
"""

from __future__ import annotations

import re

__all__ = ["readable_source", "readable_sources", "REVIEW_SECTIONS"]

REVIEW_SECTIONS: dict[str, str] = {
    "1": "published studies of the knee frontal-plane projection angle",
    "2": "published studies of pelvic and trunk motion",
    "3": "published validations of markerless pose estimation",
    "4": "clinical guidelines and trials of exercise therapy for knee pain",
    "5": "published validations of the outcome questionnaires",
    "6": "red-flag guidance (Ottawa knee rules and referral criteria)",
    "7": "published self-tests",
    "8": "systematic reviews of supplements for knee pain",
}
"""Sections of kneeline's evidence review (``../shared/evidence.md``) by number: what they cite."""

_YEAR = re.compile(r"\b(19|20)\d{2}\b")
_SECTION = re.compile(r"(?:\.\./shared/)?evidence\.md\s*(?:§|section\s+)\s*(\d+)(?:-\d+)?(?:\s+(?:and\s+)?§?\d+)*\s*")


def readable_source(text: str) -> str:
    """``text`` with each "evidence.md §N" replaced by the reference that follows it, or by the section's topic."""
    def replace(match: re.Match[str]) -> str:
        rest = text[match.end():match.end() + 120].split(";")[0]
        if _YEAR.search(rest):
            return ""  # the reference (author and year) follows: keep only it
        topic = REVIEW_SECTIONS.get(match.group(1), "published sources")
        return f"kneeline evidence review, {topic}" + (" " if rest.strip() else "")

    out = _SECTION.sub(replace, text)
    out = re.sub(r"\s*\band\s+§\s*\d+|§\s*\d+", "", out)
    out = re.sub(r"^\s*[:;,]\s*", "", out)
    out = re.sub(r"\(\s*:\s*", "(", out)
    out = re.sub(r"\s{2,}", " ", out).strip()
    return out or text


def readable_sources(sources: list[str]) -> list[str]:
    """Each source made readable (:func:`readable_source`), duplicates dropped, order kept."""
    seen: dict[str, None] = {}
    for s in sources:
        seen.setdefault(readable_source(s), None)
    return list(seen)

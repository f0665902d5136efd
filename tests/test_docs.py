"""The README and the pages in docs/: every relative link leads to a file that exists."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.name)
def test_relative_links_lead_to_files_that_exist(page: Path) -> None:
    for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text(encoding="utf-8")):
        if re.match(r"[a-z]+:", target):  # http:, https:, mailto:
            continue
        assert (page.parent / target).exists(), f"{page.name} links to {target}, which does not exist"


def test_the_readme_stays_a_start() -> None:
    """The detail lives in docs/; the README keeps the start (the measured speed section included)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 300
    for needed in ("python3.11 -m venv .venv", "pip install -e . && kneeline serve", "bash scripts/test.sh",
                   "kneeline sample", "## Getting a phone video onto the computer", "## How to film a test"):
        assert needed in readme, needed
    assert "../shared/data/opencap" not in readme  # not in the repository: no path a newcomer cannot follow

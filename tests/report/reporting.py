"""Helpers of the report tests: render a PDF's pages and text with poppler (pdftoppm, pdftotext)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest


def poppler() -> None:
    """Skip (fail on CI) when poppler-utils is absent."""
    if shutil.which("pdftoppm") and shutil.which("pdftotext") and shutil.which("pdfinfo"):
        return
    reason = "poppler-utils (pdftoppm, pdftotext, pdfinfo) is not installed (apt-get install poppler-utils)"
    if os.environ.get("CI", "").strip().lower() in ("true", "1", "yes"):
        pytest.fail(f"CI=true but {reason}: .ci/run installs it", pytrace=False)
    pytest.skip(reason)


def pages(pdf: Path) -> int:
    """Number of pages pdfinfo reads."""
    out = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def render_pages(pdf: Path, folder: Path) -> list[Path]:
    """Every page as PNG (pdftoppm, 40 dpi); fails when pdftoppm cannot read the file."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(pdf), str(folder / "page")], check=True,
                   capture_output=True)
    return sorted(folder.glob("page*.png"))


def text(pdf: Path) -> str:
    """The PDF's text (pdftotext, reading order), whitespace collapsed."""
    out = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(out.split())

"""Reading one finished analysis for a report, a comparison or an export.

An analysis is given as its ``result.json`` or as the folder that holds it (the output folder of
``kneeline analyze``, or a web analysis's folder).  Files beside it (``frames.csv``,
``annotated.mp4`` / ``annotated.webm``, ``keypoints.csv``) are used when present.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError as PydanticValidationError

from kneeline.errors import InputError
from kneeline.report.result import AnalysisResult

__all__ = ["AnalysisSource", "load_analysis", "from_result"]

VIDEO_NAMES: tuple[str, ...] = ("annotated.mp4", "annotated.webm")
"""Annotated videos a key frame can be taken from, best first."""


@dataclass(frozen=True)
class AnalysisSource:
    """One analysis result and the folder its other outputs lie in.

    Attributes
    ----------
    result
        The validated ``result.json``.
    folder
        The folder holding the other outputs; None when only the result is known.
    label
        How to name this analysis to the reader (file name, or "analysis 12").
    patient
        Whose analysis it is, when known (the web app fills it; compared before/after).
    """

    result: AnalysisResult
    folder: Path | None = None
    label: str = ""
    patient: str | None = None

    @property
    def date(self) -> str:
        """The day the analysis was made (``YYYY-MM-DD``, from its provenance)."""
        return self.result.provenance.created_utc[:10]

    def file(self, name: str) -> Path | None:
        """The output ``name`` beside the result, or None where it is absent."""
        if self.folder is None:
            return None
        path = self.folder / name
        return path if path.is_file() else None

    def video(self) -> Path | None:
        """The annotated video beside the result, if any."""
        for name in VIDEO_NAMES:
            found = self.file(name)
            if found is not None:
                return found
        return None


def from_result(result: AnalysisResult, folder: Path | None = None, label: str = "",
                patient: str | None = None) -> AnalysisSource:
    """Wrap an already validated result (the web app's stored result)."""
    return AnalysisSource(result=result, folder=folder, label=label, patient=patient)


def load_analysis(path: str | Path) -> AnalysisSource:
    """Read an analysis from its ``result.json`` or its output folder.

    Raises
    ------
    InputError
        If the path is missing, the folder holds no ``result.json`` (the analysis did not finish,
        failed or is still running), the file is not JSON, is a coaching result, or is not a
        ``kneeline analyze`` result.
    """
    p = Path(path).expanduser()
    if p.is_dir():
        folder, file = p, p / "result.json"
        if not file.is_file():
            raise InputError(f"{p} holds no result.json: the analysis has not finished (it failed or is still "
                             "running). Run `kneeline analyze VIDEO --out FOLDER` and give that folder or its "
                             "result.json.")
    elif p.is_file():
        folder, file = p.parent, p
    else:
        raise InputError(f"{p} does not exist; give the result.json of `kneeline analyze` or its output folder.")
    try:
        data = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{file} is not a JSON file ({exc}); give the result.json of `kneeline analyze`.") from exc
    if isinstance(data, dict) and "exercise" in data and "test" not in data:
        raise InputError(f"{file} is a coaching result (`kneeline coach`), not a movement test; reports and "
                         "comparisons are made from `kneeline analyze` results.")
    try:
        result = AnalysisResult.model_validate(data)
    except PydanticValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        raise InputError(f"{file} is not a result.json of `kneeline analyze`: {where or 'top level'}: "
                         f"{first.get('msg')}. Run the analysis again to get a complete result.") from exc
    return AnalysisSource(result=result, folder=folder, label=file.parent.name or file.name)

"""The Jinja2 environment of the web pages: autoescaped templates and a few display filters."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from kneeline.coach.compare import reference_summary, vs_reference_text
from kneeline.coach.result import CoachResult

__all__ = ["make_templates", "fmt_number", "fmt_when", "metric_label", "set_reference_summary"]


def fmt_number(value: object, digits: int = 1, unit: str = "") -> str:
    """A number rounded for display; a dash when missing."""
    if value is None or isinstance(value, bool):
        return "—"
    if isinstance(value, int | float):
        if value != value:  # NaN
            return "—"
        return f"{value:.{digits}f}{unit}"
    return str(value)


def fmt_when(value: object) -> str:
    """A date or time for display (UTC, minutes)."""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M UTC")
    if isinstance(value, date):
        return value.isoformat()
    return "—" if value is None else str(value)


def metric_label(name: str) -> str:
    """A readable name of a result metric (``fppa_deg`` -> "Knee angle (FPPA, + = inward)")."""
    from kneeline.web.progress import METRIC_LABELS

    return METRIC_LABELS.get(name, (name.replace("_", " "), ""))[0]


def set_reference_summary(result: CoachResult | Mapping[str, Any]) -> str:
    """A coached set (stored as JSON or loaded) against its reference, in one line; empty without one."""
    loaded = result if isinstance(result, CoachResult) else CoachResult.model_validate(result)
    return reference_summary(loaded) or ""


def make_templates(folder: Path) -> Jinja2Templates:
    """Templates from ``folder`` with kneeline's filters."""
    from kneeline.report.plain import degrees_text

    templates = Jinja2Templates(directory=str(folder))
    templates.env.filters["num"] = fmt_number
    templates.env.filters["when"] = fmt_when
    templates.env.filters["degrees"] = degrees_text  # "12 deg" from the measurement core written "12°"
    from kneeline.program.feedback import shared_reason

    templates.env.filters["shared_reason"] = shared_reason
    from kneeline.cite import readable_source

    templates.env.filters["cite"] = readable_source
    templates.env.globals["app_name"] = "kneeline"
    templates.env.filters["metric"] = metric_label
    templates.env.filters["vs_reference"] = vs_reference_text
    templates.env.filters["reference_summary"] = set_reference_summary
    return templates

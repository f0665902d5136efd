"""Short evidence answers for ``kneeline ask``: supplements, dose, pain rule and more.

kneeline recommends no supplement or product; the supplement answer summarises
``../shared/evidence.md`` §8 (``supplements.yaml``).  Other topics are in ``ask.yaml``.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from kneeline.errors import InputError
from kneeline.evidence import load_sourced

__all__ = ["Answer", "topics", "ask"]

_SUPPLEMENTS = "supplements"


class Answer(BaseModel):
    """An answer: paragraphs and the sources they rest on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    topic: str
    paragraphs: list[str]
    sources: list[str]
    provisional: bool = False


def topics() -> list[str]:
    """The topics ``ask`` can answer."""
    return [_SUPPLEMENTS, *load_sourced("ask.yaml")]


def ask(topic: str) -> Answer:
    """Answer one topic.

    Raises
    ------
    InputError
        If the topic is unknown; the message lists the known topics.
    """
    key = topic.strip().lower()
    if key in (_SUPPLEMENTS, "supplement"):
        entries = list(load_sourced("supplements.yaml").values())
    elif key in load_sourced("ask.yaml"):
        numbers = {k: v.value for k, v in load_sourced("pain_monitoring.yaml").items()}
        entry = load_sourced("ask.yaml")[key]
        entries = [entry.model_copy(update={"value": str(entry.value).format(**numbers)})]
    else:
        raise InputError(f"unknown topic {topic!r}; known topics: {', '.join(topics())}.")
    return Answer(topic=key if key != "supplement" else _SUPPLEMENTS,
                  paragraphs=[str(e.value) for e in entries],
                  sources=list(dict.fromkeys(e.source for e in entries)),
                  provisional=any(e.provisional for e in entries))

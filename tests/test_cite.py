"""Sources named by reference, not by kneeline's evidence file."""

from __future__ import annotations

import pytest

from kneeline.cite import readable_source, readable_sources


@pytest.mark.parametrize(("raw", "shown"), [
    ("evidence.md §8: Liu 2018, BJSM 52:167", "Liu 2018, BJSM 52:167"),
    ("evidence.md section 1 (Ageberg 2010)", "(Ageberg 2010)"),
    ("evidence.md §4 (exercise therapy: Crossley 2016; Collins 2018) and §8",
     "(exercise therapy: Crossley 2016; Collins 2018)"),
    ("evidence.md §5", "kneeline evidence review, published validations of the outcome questionnaires"),
    ("kneeline clinical default (not from a study)", "kneeline clinical default (not from a study)"),
])
def test_readable_source(raw: str, shown: str) -> None:
    assert readable_source(raw) == shown


def test_every_data_source_reads_without_the_file_name() -> None:
    from kneeline.program.topics import ask, topics

    for topic in topics():
        for source in readable_sources(list(ask(topic).sources)):
            assert "evidence.md" not in source and "§" not in source, source

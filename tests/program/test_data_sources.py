"""Every number in kneeline's data (exercise library, rules, norms, doses) has a source next to it.

Walks every YAML file shipped in ``kneeline/data``: each numeric value must sit in a mapping that
has a ``source`` (itself or its nearest enclosing mapping below the file's top level).  The files of
the assessment and program layers must cite ``evidence.md`` or say "kneeline clinical default (not
from a study)" and then be provisional; sources marked "verify" must be provisional too.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

import pytest
import yaml

from kneeline.program.library import load_library

DATA_FILES = sorted(p.name for p in resources.files("kneeline.data").iterdir() if p.name.endswith(".yaml"))
PROGRAM_FILES = {"akps.yaml", "ask.yaml", "doses.yaml", "exercises.yaml", "koos_pf.yaml", "norms.yaml",
                 "outcomes.yaml", "pain_monitoring.yaml", "patterns.yaml", "program.yaml", "progression.yaml",
                 "red_flags.yaml", "supplements.yaml"}
CLINICAL_DEFAULT = "kneeline clinical default (not from a study):"


def unsourced_numbers(node: Any, path: str = "", sourced: bool = False, top: bool = True) -> list[str]:
    """Paths of numbers with no ``source`` in their own or an enclosing mapping (below the top level)."""
    if isinstance(node, dict):
        here = sourced or (not top and isinstance(node.get("source"), str) and len(node["source"]) >= 4)
        return [p for k, v in node.items() for p in unsourced_numbers(v, f"{path}.{k}", here, False)]
    if isinstance(node, list):
        return [p for i, v in enumerate(node) for p in unsourced_numbers(v, f"{path}[{i}]", sourced, False)]
    if isinstance(node, int | float) and not isinstance(node, bool) and not sourced:
        return [path]
    return []


def sourced_mappings(node: Any) -> list[dict[str, Any]]:
    """Every mapping that carries a ``source``."""
    if isinstance(node, dict):
        own = [node] if "source" in node else []
        return own + [m for v in node.values() for m in sourced_mappings(v)]
    if isinstance(node, list):
        return [m for v in node for m in sourced_mappings(v)]
    return []


def _load(name: str) -> Any:
    return yaml.safe_load(resources.files("kneeline.data").joinpath(name).read_text(encoding="utf-8"))


def test_walker_catches_a_number_without_source() -> None:
    bad = {"exercises": [{"id": "x", "gmed_mvic": {"value": 40, "unit": "%MVIC"}}],
           "good": {"value": 3, "source": "evidence.md §4"}}
    assert unsourced_numbers(bad) == [".exercises[0].gmed_mvic.value"]
    assert unsourced_numbers({"source": "file-level source does not count", "x": 5}) == [".x"]


def test_all_program_data_files_exist() -> None:
    assert PROGRAM_FILES <= set(DATA_FILES)


@pytest.mark.parametrize("name", DATA_FILES)
def test_every_number_has_a_source(name: str) -> None:
    assert unsourced_numbers(_load(name)) == []


@pytest.mark.parametrize("name", sorted(PROGRAM_FILES))
def test_sources_cite_evidence_or_say_clinical_default(name: str) -> None:
    for entry in sourced_mappings(_load(name)):
        source = entry["source"]
        assert "evidence.md" in source or source.startswith(CLINICAL_DEFAULT), (name, source)
        if source.startswith(CLINICAL_DEFAULT) or "verify" in source:
            assert entry.get("provisional") is True, (name, source)


def test_every_numeric_field_of_the_loaded_library_is_sourced() -> None:
    lib = load_library()
    for ex in lib.exercises.values():
        for entry in (ex.gmed_mvic, ex.gluteal_tfl_index):
            if entry is not None:
                assert "evidence.md" in entry.source, ex.id
        dumped = ex.model_dump()
        numbers = [k for k, v in dumped.items() if isinstance(v, int | float) and not isinstance(v, bool)]
        assert numbers == [], (ex.id, numbers)
    for name, profile in lib.doses.items():
        for field, entry in profile:
            if entry is not None:
                assert entry.source.startswith(CLINICAL_DEFAULT) or "evidence.md" in entry.source, (name, field)
                assert entry.provisional or not entry.source.startswith(CLINICAL_DEFAULT), (name, field)

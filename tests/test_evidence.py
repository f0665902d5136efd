"""Every number kneeline's measurement code uses comes from data with a source."""

from importlib import resources

import pytest
import yaml

from kneeline.errors import DataError
from kneeline.evidence import Sourced, load_sourced, value

MEASUREMENT_FILES = ("capture.yaml", "measurement.yaml", "movement_tests.yaml")


@pytest.mark.parametrize("name", MEASUREMENT_FILES)
def test_every_entry_has_value_and_source(name):
    table = load_sourced(name)
    assert table
    for key, entry in table.items():
        assert isinstance(entry, Sourced), key
        assert len(entry.source) > 10, f"{name}:{key} has no real source"


def test_missing_entry_and_file_raise_data_error():
    with pytest.raises(DataError, match="no entry"):
        value("capture.yaml", "no_such_limit")
    with pytest.raises(DataError, match="missing"):
        load_sourced("no_such_file.yaml")


def test_sourced_rejects_entries_without_source():
    with pytest.raises(ValueError):
        Sourced.model_validate({"value": 3})


def test_data_files_are_valid_yaml():
    for f in resources.files("kneeline.data").iterdir():
        if f.name.endswith(".yaml"):
            assert yaml.safe_load(f.read_text(encoding="utf-8")) is not None, f.name

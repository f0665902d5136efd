import json

import pytest

from kneeline.config import AnalysisSettings, load_settings
from kneeline.errors import InputError


def test_defaults():
    assert load_settings().analysis == AnalysisSettings()


def test_layering_file_env_flags(tmp_path, monkeypatch):
    f = tmp_path / "s.json"
    f.write_text(json.dumps({"analysis": {"cutoff_hz": 5, "max_gap_s": 0.5, "foot_lift": 0.08}}))
    assert load_settings(f).analysis.cutoff_hz == 5
    monkeypatch.setenv("KNEELINE_ANALYSIS__CUTOFF_HZ", "7")
    s = load_settings(f, analysis={"max_gap_s": 0.1})
    assert s.analysis.cutoff_hz == 7        # environment beats file
    assert s.analysis.max_gap_s == 0.1      # flags beat everything
    assert s.analysis.foot_lift == 0.08     # file beats defaults


def test_bad_settings_name_the_problem(tmp_path):
    f = tmp_path / "s.json"
    f.write_text(json.dumps({"analysis": {"cutoff_hz": -1}}))
    with pytest.raises(InputError, match="cutoff_hz"):
        load_settings(f)
    f.write_text("not json")
    with pytest.raises(InputError, match="JSON"):
        load_settings(f)
    with pytest.raises(InputError, match="cannot read"):
        load_settings(tmp_path / "missing.json")

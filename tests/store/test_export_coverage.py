"""Every table that holds a patient's rows is in their export (so a new table cannot be forgotten)."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from kneeline.store.models import Base, CoachedSet, User
from kneeline.store.rights import export_patient


def test_every_patient_table_is_exported(db, files, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with db.session() as s:
        user = User(email="p@example.org", name="P", password_hash="secret-hash", role="patient")
        s.add(user)
        s.flush()
        s.add(CoachedSet(patient_id=user.id, exercise_id="bridge", count=9, result={"count": 9}))
        pid = user.id
    archive = export_patient(db, files, pid, tmp_path)
    data = json.loads(zipfile.ZipFile(archive).read("data.json"))
    patient_tables = {t.name for t in Base.metadata.sorted_tables if "patient_id" in t.c}
    missing = patient_tables - set(data)
    assert not missing, f"tables with patient rows missing from the export: {missing}"
    assert data["coached_sets"][0]["count"] == 9
    assert "secret-hash" not in json.dumps(data)

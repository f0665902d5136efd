"""The patient's journey through the pages (test client; the browser tests drive the same in Chromium)."""

from __future__ import annotations

import io
import zipfile
from datetime import date

from sqlalchemy import func, select

from kneeline.store.models import Analysis, IntakeRecord, OutcomeRecord, ProgramVersion, SessionLog
from tests.web.builders import intake_form


def _count(app, model) -> int:  # type: ignore[no-untyped-def]
    with app.state.ctx.db.session() as s:
        return s.scalar(select(func.count()).select_from(model)) or 0


def test_intake_without_red_flags_gives_a_program(app, patient) -> None:  # type: ignore[no-untyped-def]
    r = patient.post("/intake", intake_form())
    assert r.status_code == 303
    page = patient.client.get(r.headers["location"]).text
    assert 'id="exercises"' in page and "Clamshell" in page and 'id="referral"' not in page
    assert _count(app, IntakeRecord) == 1 and _count(app, ProgramVersion) == 1
    with app.state.ctx.db.session() as s:
        outcome = s.scalars(select(OutcomeRecord)).one()
        assert outcome.nprs == 3


def test_red_flag_refers_and_gives_no_program(app, patient) -> None:  # type: ignore[no-untyped-def]
    r = patient.post("/intake", intake_form(rf_locking="yes"))
    page = patient.client.get(r.headers["location"]).text
    assert 'id="referral"' in page and 'id="exercises"' not in page
    log = patient.client.get("/log").text
    assert "no exercise program" in log and 'id="log-form"' not in log
    r = patient.post("/log", {"date": "2026-01-01", "pain_before": "2"})
    assert r.status_code == 400 and "no exercise program" in r.text


def test_intake_errors_name_each_field_and_keep_answers(app, patient) -> None:  # type: ignore[no-untyped-def]
    form = intake_form(age="abc", pain_now="11")
    del form["rf_locking"]
    r = patient.post("/intake", form)
    assert r.status_code == 400
    for field in ("age", "pain_now", "red_flags.locking"):
        assert f'data-field="{field}"' in r.text
    assert 'value="female" selected' in r.text
    assert _count(app, IntakeRecord) == 0


def _log_form(patient, day: str, pain_during: str = "2") -> dict[str, object]:  # type: ignore[no-untyped-def]
    page = patient.client.get("/log").text
    import re
    ids = re.findall(r'name="done_([a-z0-9-]+)"', page)
    assert ids, "no exercises on the log form"
    form: dict[str, object] = {"date": day, "pain_before": "2"}
    for ex_id in ids:
        form[f"done_{ex_id}"] = "yes"
        for name in ("sets", "reps", "hold"):
            found = re.search(rf'name="{name}_{ex_id}"[^>]*value="(\d+)"', page)
            if found:
                form[f"{name}_{ex_id}"] = found.group(1)
        form[f"pain_during_{ex_id}"] = pain_during
        form[f"pain_after_{ex_id}"] = "2"
        form[f"quality_{ex_id}"] = "good"
    return form


def test_log_a_session_next_morning_and_progress(app, patient) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    today = date.today().isoformat()
    r = patient.post("/log", _log_form(patient, today))
    assert r.status_code == 303, r.text
    assert "Saved" in patient.client.get(r.headers["location"]).text
    program = patient.client.get(f"/patients/{patient.user_id}/program").text
    assert 'id="decisions"' in program
    r = patient.post("/log/morning", {"pain_next_morning": "1"})
    assert r.status_code == 303
    with app.state.ctx.db.session() as s:
        entry = s.scalars(select(SessionLog)).one().entry
        # finding 10: one next-morning value is the response to the whole session, stored once for it
        assert entry["pain_next_morning"] == 1
        assert all(e["pain_next_morning"] is None for e in entry["exercises"])
    progress = patient.client.get(f"/patients/{patient.user_id}/progress").text
    assert "data:image/svg+xml;base64," in progress and "chart-summary" in progress


def test_log_errors_are_per_field_and_store_nothing(app, patient) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    form = _log_form(patient, "2026-13-40", pain_during="12")
    r = patient.post("/log", form)
    assert r.status_code == 400 and 'data-field="date"' in r.text and "pain_during" in r.text
    assert _count(app, SessionLog) == 0
    r = patient.post("/log", {"date": date.today().isoformat(), "pain_before": "2"})
    assert r.status_code == 400 and "mark at least one exercise as done" in r.text


def test_questionnaires_are_scored_and_changes_judged(app, patient) -> None:  # type: ignore[no-untyped-def]
    from kneeline.assess.questionnaires import load_akps
    akps = load_akps()
    worst = {f"akps_{i.id}": min(i.options, key=lambda o: o.points).id for i in akps.items}
    best = {f"akps_{i.id}": max(i.options, key=lambda o: o.points).id for i in akps.items}
    assert patient.post("/outcomes", {"date": "2026-01-01", "nprs_now": "6", **worst}).status_code == 303
    assert patient.post("/outcomes", {"date": "2026-03-01", "nprs_now": "2", **best}).status_code == 303
    page = patient.client.get(f"/patients/{patient.user_id}/progress").text
    assert "AKPS" in page and "improved" in page
    r = patient.post("/outcomes", {"date": "2026-03-02", "nprs_now": "3", "akps_" + akps.items[0].id: "bogus"})
    assert r.status_code == 400 and "akps" in r.text


def test_upload_rejects_non_videos_and_stores_nothing(app, patient) -> None:  # type: ignore[no-untyped-def]
    token = patient.csrf("/tests")
    for name, body in (("fake.mp4", b"this is text, not a video"), ("empty.mp4", b"")):
        r = patient.client.post("/tests/upload", data={"csrf_token": token, "test": "squat", "side": "auto"},
                                files={"video": (name, io.BytesIO(body), "video/mp4")})
        assert r.status_code == 400 and "Nothing was stored" in r.text, r.text[-500:]
    assert _count(app, Analysis) == 0
    assert not list((app.state.ctx.data_dir / "blobs").rglob("*")) if (app.state.ctx.data_dir / "blobs").exists() \
        else True


def test_upload_over_the_limit_is_refused(tmp_path, make_video) -> None:  # type: ignore[no-untyped-def]
    """Two layers: a declared size far over the limit is refused before the body is read (413); a file
    just over the limit (within the form's overhead allowance) is refused while it is stored (400)."""
    from fastapi.testclient import TestClient

    from kneeline.web.app import create_app
    from tests.web.conftest import make_settings, sign_up
    app = create_app(make_settings(tmp_path / "d", max_upload_mb=0.01), start_jobs=False)  # 10 KiB
    with TestClient(app):
        b = sign_up(app, "P", "p@example.org")
        big = make_video("big.mp4", n_frames=60, width=320, height=240).read_bytes() * 12  # ~100 KiB
        r = b.client.post("/tests/upload", data={"csrf_token": b.csrf("/tests"), "test": "squat", "side": "auto"},
                          files={"video": ("big.mp4", big, "video/mp4")})
        assert r.status_code == 413 and "the limit is 0 MB" not in r.text and "Nothing was stored" in r.text
        just_over = make_video("clip.mp4", n_frames=120, width=320, height=240).read_bytes()  # ~16 KiB
        r = b.client.post("/tests/upload", data={"csrf_token": b.csrf("/tests"), "test": "squat", "side": "auto"},
                          files={"video": ("clip.mp4", just_over, "video/mp4")})
        assert r.status_code == 400 and "limit" in r.text
        assert _count(app, Analysis) == 0


def test_upload_of_a_video_queues_an_analysis(app, patient, make_video) -> None:  # type: ignore[no-untyped-def]
    video = make_video("clip.mp4")
    r = patient.client.post("/tests/upload", data={"csrf_token": patient.csrf("/tests"), "test": "squat",
                                                   "side": "auto"},
                            files={"video": ("clip.mp4", video.read_bytes(), "video/mp4")}, follow_redirects=False)
    assert r.status_code == 303
    page = patient.client.get(r.headers["location"]).text
    assert 'data-status="queued"' in page
    status = patient.client.get(r.headers["location"] + "/status").json()
    assert status["status"] == "queued"
    assert app.state.ctx.jobs.submitted, "the job was not submitted"
    r = patient.client.post("/tests/upload", data={"csrf_token": patient.csrf("/tests"), "test": "dance"},
                            files={"video": ("clip.mp4", video.read_bytes(), "video/mp4")})
    assert r.status_code == 400 and 'data-field="test"' in r.text


def test_export_contains_the_record_and_delete_removes_it(app, patient, make_video) -> None:  # type: ignore[no-untyped-def]
    patient.post("/intake", intake_form())
    video = make_video("clip.mp4")
    patient.client.post("/tests/upload", data={"csrf_token": patient.csrf("/tests"), "test": "squat"},
                        files={"video": ("clip.mp4", video.read_bytes(), "video/mp4")})
    r = patient.client.get("/account/export")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(r.content)).namelist()
    assert "data.json" in names and any(n.startswith("videos/") for n in names)
    r = patient.post("/account/delete", {"confirm": "delete", "password": "wrong password"})
    assert r.status_code == 400 and "nothing was deleted" in r.text
    assert _count(app, IntakeRecord) == 1
    r = patient.post("/account/delete", {"confirm": "delete", "password": patient.password})
    assert r.status_code == 303
    assert _count(app, IntakeRecord) == 0 and _count(app, Analysis) == 0
    assert not [p for p in (app.state.ctx.data_dir / "blobs").rglob("*") if p.is_file()]
    assert patient.client.get("/home", follow_redirects=False).status_code == 303


def test_red_flag_home_page_gives_the_referral_and_no_filming_or_ticked_program(app, patient) -> None:  # type: ignore[no-untyped-def]
    """Finding 3: a cold, pale foot (loss of circulation: emergency, ESVS 2020) -> the home page says what
    to do and how soon, why, and that the program waits; it does not invite filming or tick "Your program"."""
    patient.post("/intake", intake_form(**{"rf_foot_cold_pale_or_blue": "yes"}))
    page = patient.client.get("/home").text
    home = page[page.index("<main"):page.index("</main>")]  # the page itself, not the site navigation
    assert 'id="referral"' in home and "Go to an emergency department now" in home
    assert "program waits until then" in home and "blood supply" in home
    assert 'href="/tests"' not in home and "Record or upload" not in home
    assert 'class="done"><a href="/patients' not in home and "Your program" not in home


def test_contradicting_answers_are_shown_and_saved_only_when_confirmed(app, patient) -> None:  # type: ignore[no-untyped-def]
    """Finding 5: pain now 7 with worst-this-week 4 cannot both be right (the week includes today)."""
    form = intake_form(pain_now="7", pain_worst_week="4")
    r = patient.post("/intake", form)
    assert r.status_code == 400 and 'id="confirm"' in r.text
    assert "Pain now: <strong>7/10</strong>" in r.text
    assert "Worst pain in the last week: <strong>4/10</strong>" in r.text
    assert 'name="confirmed" value="pain_now_above_worst_week"' in r.text
    assert _count(app, IntakeRecord) == 0
    r = patient.post("/intake", {**form, "confirmed": "pain_now_above_worst_week"})
    assert r.status_code == 303 and _count(app, IntakeRecord) == 1


def test_new_questions_must_be_answered(app, patient) -> None:  # type: ignore[no-untyped-def]
    """Finding 7: pregnancy and recent surgery or injection are asked; a missing answer is an error."""
    page = patient.client.get("/intake").text
    for name in ('name="pregnancy"', 'name="rf_recent_knee_procedure"', 'name="rf_hot_red_swollen_no_fever"',
                 'name="rf_foot_numb_or_tingling"', 'name="rf_foot_cold_pale_or_blue"'):
        assert name in page
    form = intake_form()
    del form["pregnancy"]
    r = patient.post("/intake", form)
    assert r.status_code == 400 and 'data-field="pregnancy"' in r.text
    r = patient.post("/intake", intake_form(rf_recent_knee_procedure="yes"))
    program = patient.client.get(r.headers["location"]).text
    assert "Ask the team that treated your knee first" in program and 'id="exercises"' not in program


def test_an_intake_stored_before_the_new_questions_still_loads(app, patient) -> None:  # type: ignore[no-untyped-def]
    """Old rows (combined foot question, no pregnancy or surgery question) load, and ask for an update."""
    from kneeline.store.records import intake_of, latest_intake, rebuild_program

    patient.post("/intake", intake_form())
    with app.state.ctx.db.session() as s:
        row = latest_intake(s, patient.user_id)
        assert row is not None
        old = dict(row.answers)
        flags = {k: v for k, v in old["red_flags"].items()
                 if k not in ("hot_red_swollen_no_fever", "foot_numb_or_tingling", "foot_cold_pale_or_blue",
                              "recent_knee_procedure")}
        old.pop("pregnancy"), old.pop("confirmed"), old.pop("not_asked")
        row.answers = {**old, "red_flags": {**flags, "numbness_or_cold_foot": False}}
        s.commit()
    with app.state.ctx.db.session() as s:
        row = latest_intake(s, patient.user_id)
        assert row is not None
        intake = intake_of(row)
        assert intake.red_flags.foot_cold_pale_or_blue is False and "pregnancy" in intake.not_asked
        rebuilt = rebuild_program(s, patient.user_id, patient.user_id, date.today())
        s.commit()
        assert any("update your intake" in n for n in rebuilt.response["notes"])
    home = patient.client.get("/home")
    assert home.status_code == 200


def test_next_morning_pain_can_name_the_exercise(app, patient) -> None:  # type: ignore[no-untyped-def]
    """Finding 10: the morning form asks which exercise, if the patient knows; only that one steps down."""
    patient.post("/intake", intake_form())
    patient.post("/log", _log_form(patient, date.today().isoformat()))
    page = patient.client.get("/log").text
    assert 'name="exercise"' in page and "the whole session" in page
    r = patient.post("/log/morning", {"pain_next_morning": "6", "exercise": "clamshell"})
    assert r.status_code == 303
    with app.state.ctx.db.session() as s:
        decisions = {d["id"]: d["action"] for d in s.scalars(select(SessionLog)).one().decisions}
    assert decisions["clamshell"] == "regress"
    assert all(a != "regress" for i, a in decisions.items() if i != "clamshell")
    r = patient.post("/log/morning", {"pain_next_morning": "6", "exercise": "pistol-squat"})
    assert r.status_code == 400 and "one of the last session" in r.text


def test_a_referred_patient_is_led_to_the_referral_not_to_filming(app, patient) -> None:  # type: ignore[no-untyped-def]
    """The navigation says what the home page says: after a red flag, see a clinician first, not "Record a test"."""
    def nav(path: str) -> str:
        text = patient.client.get(path).text
        return text[text.index('<nav aria-label="main"'):text.index("</nav>")]

    patient.post("/intake", intake_form())
    assert 'href="/tests"' in nav("/home") and "nav-referral" not in nav("/home")
    patient.post("/intake", intake_form(rf_locking="yes"))
    for path in ("/home", "/log", "/exercises", "/account", f"/patients/{patient.user_id}/program"):
        menu = nav(path)
        assert 'href="/tests"' not in menu and "Record a test" not in menu, path
        assert 'href="/home#referral"' in menu and "See a clinician first" in menu, path
    tests_page = patient.client.get("/tests").text
    assert 'id="referred-note"' in tests_page and 'href="/home#referral"' in tests_page

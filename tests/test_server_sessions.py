"""Sessions over HTTP: kept in SQLite, shared by every server process, surviving a restart,
with undo walking the stored history."""
from __future__ import annotations

import json
import sqlite3

import httpx
import pytest

from serving import EXAMPLES, ag18, running

pytest.importorskip("ag18_rules.session", reason="sessions need the incremental session API (policy.session)")
YAML = {"Content-Type": "application/yaml"}
EXAMPLE = EXAMPLES / "sonv-offices-2021.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running(tmp_path_factory.mktemp("sessions") / "sessions.sqlite3", "--workers", "2") as s:
        yield s


def open_session(server, body=None):
    r = httpx.post(server.url + "/v1/sessions", content=body or EXAMPLE.read_bytes(), headers=YAML, timeout=120)
    assert r.status_code == 201, r.text
    return r.json()


def fix_changes(report):
    """The changes of each finding's first verified fix, in report order."""
    return [[{"field": c["field"], "to": c["to"]} for c in f["fixes"][0]["changes"]]
            for f in report["findings"] if f.get("fixes")]


def apply(server, sid, changes, author="cán bộ A"):
    return httpx.post(f"{server.url}/v1/sessions/{sid}/changes", json={"changes": changes, "author": author},
                      timeout=120)


def test_a_session_starts_with_the_report_ag18_check_gives(server):
    created = open_session(server)
    cli = json.loads(ag18("check", str(EXAMPLE), "--format", "json").stdout)
    assert created["report"] == cli and created["version"] == 0 and created["verdict"] == "fail"


def test_applying_the_suggested_fixes_turns_the_verdict_to_pass_and_reports_the_delta(server, tmp_path):
    created = open_session(server)
    sid = created["id"]
    first, second = fix_changes(created["report"])
    r = apply(server, sid, first)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["version"] == 1 and body["verdict"] == "fail"
    assert [(f["rule"], f["entity"]["id"]) for f in body["delta"]["removed"]] == [
        (created["report"]["findings"][0]["rule"], created["report"]["findings"][0]["entity"]["id"])]
    assert body["delta"]["added"] == []
    body = apply(server, sid, second).json()
    assert body["verdict"] == "pass" and body["report"]["summary"]["error"] == 0
    plan = httpx.get(f"{server.url}/v1/sessions/{sid}/plan", params={"format": "yaml"})
    assert plan.status_code == 200 and plan.headers["content-type"].startswith("application/yaml")
    path = tmp_path / "fixed.yaml"
    path.write_bytes(plan.content)
    assert ag18("check", str(path)).returncode == 0
    as_json = httpx.get(f"{server.url}/v1/sessions/{sid}/plan", params={"format": "json"}).json()
    assert as_json["plan"]["id"] == "ag-sonv-2021"


def test_undo_walks_back_through_the_stored_history(server):
    created = open_session(server)
    sid = created["id"]
    first, second = fix_changes(created["report"])
    apply(server, sid, first, "A")
    apply(server, sid, second, "B")
    r = httpx.post(f"{server.url}/v1/sessions/{sid}/undo", timeout=120)
    assert r.status_code == 200 and r.json()["verdict"] == "fail" and r.json()["report"]["summary"]["error"] == 1
    r = httpx.post(f"{server.url}/v1/sessions/{sid}/undo", timeout=120)
    assert r.json()["report"] == created["report"] and r.json()["version"] == 0
    r = httpx.post(f"{server.url}/v1/sessions/{sid}/undo", timeout=120)
    assert r.status_code == 409 and r.json()["code"] == "nothing-to-undo"
    history = httpx.get(f"{server.url}/v1/sessions/{sid}").json()["history"]
    assert [(h["author"], h["changes"], h["undone"] is not None) for h in history] == [
        ("A", first, True), ("B", second, True)]


def test_a_bad_change_is_422_naming_its_field_and_changes_nothing(server):
    sid = open_session(server)["id"]
    r = apply(server, sid, [{"field": "after.organizations[no-such-office].deputies", "to": 1}])
    assert r.status_code == 422
    assert any("no-such-office" in (d["path"] + d["message"]) for d in r.json()["diagnostics"])
    session = httpx.get(f"{server.url}/v1/sessions/{sid}").json()
    assert session["version"] == 0 and session["history"] == []
    r = httpx.post(f"{server.url}/v1/sessions/{sid}/changes", json={"changes": "all"})
    assert r.status_code == 422 and r.json()["diagnostics"][0]["code"] == "bad-change"


def test_every_server_process_sees_the_same_session(server):
    created = open_session(server)
    sid = created["id"]
    first, _ = fix_changes(created["report"])
    apply(server, sid, first)
    # new connections land on either of the two processes; every one sees the change
    for _ in range(8):
        with httpx.Client() as client:
            assert client.get(f"{server.url}/v1/sessions/{sid}").json()["version"] == 1


def test_sessions_survive_a_restart_and_deleted_ones_are_gone(server):
    created = open_session(server)
    sid = created["id"]
    first, _ = fix_changes(created["report"])
    after_change = apply(server, sid, first).json()
    server.restart()
    again = httpx.get(f"{server.url}/v1/sessions/{sid}", timeout=120).json()
    assert again["version"] == 1 and again["report"] == after_change["report"]
    assert httpx.delete(f"{server.url}/v1/sessions/{sid}").status_code == 204
    assert httpx.get(f"{server.url}/v1/sessions/{sid}").status_code == 404


def test_each_change_is_committed_with_who_applied_it(server):
    created = open_session(server)
    first, _ = fix_changes(created["report"])
    apply(server, created["id"], first, "Nguyễn Văn A")
    with sqlite3.connect(server.store) as db:
        rows = db.execute("SELECT author, changes FROM changes WHERE session = ?", (created["id"],)).fetchall()
    assert rows == [("Nguyễn Văn A", json.dumps(first, ensure_ascii=False))]


def test_idle_sessions_expire_and_their_number_is_bounded(tmp_path):
    with running(tmp_path / "s.sqlite3", "--session-ttl", "0.0001", "--max-sessions", "2") as s:
        sid = open_session(s)["id"]
        with sqlite3.connect(tmp_path / "s.sqlite3") as db:
            db.execute("UPDATE sessions SET touched = touched - 3600")
        assert httpx.get(f"{s.url}/v1/sessions/{sid}").status_code == 404
    with running(tmp_path / "t.sqlite3", "--max-sessions", "2") as s:
        open_session(s), open_session(s)
        r = httpx.post(s.url + "/v1/sessions", content=EXAMPLE.read_bytes(), headers=YAML, timeout=120)
        assert r.status_code == 507 and r.json()["code"] == "session-full"

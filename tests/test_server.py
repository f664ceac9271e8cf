"""``ag18 serve`` over real HTTP: a server started on a loopback port, called as curl would.

The stateless API answers exactly what the command line prints for the same plan and options.
"""
from __future__ import annotations

import asyncio
import json
import socket

import httpx
import pytest
import yaml

from serving import EXAMPLES, ag18, running

YAML = {"Content-Type": "application/yaml"}
PLANS = sorted(p.name for p in EXAMPLES.glob("*.yaml"))


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running(tmp_path_factory.mktemp("serve") / "sessions.sqlite3") as s:
        yield s


def post(server, path, body: bytes, headers=YAML, **params):
    return httpx.post(server.url + path, content=body, headers=headers, params=params, timeout=120)


@pytest.mark.parametrize("name", PLANS)
def test_evaluate_answers_byte_for_byte_what_ag18_check_prints(server, name):
    plan = EXAMPLES / name
    r = post(server, "/v1/evaluate", plan.read_bytes())
    cli = ag18("check", str(plan), "--format", "json")
    assert r.status_code == 200 and cli.returncode in (0, 1)
    assert r.headers["content-type"].startswith("application/json")
    assert r.content == cli.stdout


def test_options_match_the_command_line_options(server, tmp_path):
    plan = EXAMPLES / "sonv-offices-2021.yaml"
    as_json = tmp_path / "plan.json"
    as_json.write_text(json.dumps(yaml.safe_load(plan.read_text()), ensure_ascii=False, default=str))
    r = post(server, "/v1/evaluate", as_json.read_bytes(), {"Content-Type": "application/json"},
             lang="en", fixes="false", explain="true", as_of="2022-06-30")
    cli = ag18("check", str(as_json), "--format", "json", "--lang", "en", "--no-fixes", "--explain",
               "--as-of", "2022-06-30")
    assert r.status_code == 200
    assert r.content == cli.stdout
    report = r.json()
    assert report["as_of"] == "2022-06-30"
    assert all("fixes" not in f or not f["fixes"] for f in report["findings"])


def test_a_plan_that_is_not_yaml_is_400_with_its_position(server):
    r = post(server, "/v1/evaluate", b"format: ag18-plan/1\nplan: [\n")
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["status"] == 400 and problem["code"] == "malformed"
    (d,) = problem["diagnostics"]
    assert (d["file"], d["line"]) == ("plan.yaml", 3) and d["code"] == "yaml-syntax"
    assert "Traceback" not in r.text


def test_an_invalid_plan_is_422_with_the_diagnostics_ag18_validate_prints(server, tmp_path):
    text = (EXAMPLES / "sonv-offices-2021.yaml").read_text().replace("deputies: 3", "deputies: -3", 1)
    bad = tmp_path / "plan.yaml"
    bad.write_text(text)
    r = post(server, "/v1/validate", text.encode())
    cli = ag18("validate", str(bad))
    assert r.status_code == 422 and cli.returncode == 2
    (d,) = r.json()["diagnostics"]
    assert f"plan.yaml:{d['line']}:{d['col']}: {d['code']}: {d['message']}" in cli.stderr.decode()
    assert d["path"].endswith(".deputies")
    english = post(server, "/v1/validate", text.encode(), lang="en").json()
    assert english["title"] == "The plan is invalid" and english["diagnostics"][0]["message"] != d["message"]


def test_validate_accepts_a_valid_plan_without_evaluating(server):
    r = post(server, "/v1/validate", (EXAMPLES / "hamlets-2020.yaml").read_bytes())
    assert r.status_code == 200 and r.json()["valid"] is True


def test_unsupported_media_type_is_415(server):
    r = post(server, "/v1/evaluate", b"hello", {"Content-Type": "text/plain"})
    assert r.status_code == 415 and r.json()["code"] == "unsupported-media-type"


def test_a_path_in_the_body_is_text_never_a_file_that_is_read(server):
    r = post(server, "/v1/evaluate", str(EXAMPLES / "sonv-offices-2021.yaml").encode())
    assert r.status_code == 422
    assert "ag-sonv-2021" not in r.text


def test_diff_answers_what_ag18_diff_prints(server):
    old, new = EXAMPLES / "sonv-offices-2021-draft1.yaml", EXAMPLES / "sonv-offices-2021-draft2.yaml"
    body = json.dumps({"old": old.read_text(), "new": new.read_text()}).encode()
    r = post(server, "/v1/diff", body, {"Content-Type": "application/json"})
    cli = ag18("diff", str(old), str(new), "--format", "json")
    assert r.status_code == 200
    got, want = r.json(), json.loads(cli.stdout)
    for side in ("from", "to"):  # the files are named by the request, not by a path
        got[side].pop("source"), want[side].pop("source")
    assert got == want and got["disappeared"]


def test_rules_and_a_rule_with_its_parameters_by_date(server):
    listing = httpx.get(server.url + "/v1/rules").json()
    ids = [r["id"] for r in listing["rules"]]
    assert "deputy-cap" in ids and len(ids) == len(set(ids)) >= 20
    rule = httpx.get(server.url + "/v1/rules/deputy-cap", params={"lang": "en"}).json()
    assert rule["clauses"][0]["id"] == "GOAL-2021-1" and rule["clauses"][0]["quote"]
    param = next(p for c in rule["checks"] for p in c["parameters"] if p["id"] == "deputy.department_unit_max")
    dated = {v["since"]: v for v in param["values"]}
    assert dated["2020-11-25"]["reference"].startswith("Nghị định 107/2020/NĐ-CP")
    r = httpx.get(server.url + "/v1/rules/deputy-cpa")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"


def test_coverage_and_schemas_are_what_the_command_line_prints(server):
    assert httpx.get(server.url + "/v1/coverage").json() == json.loads(ag18("coverage", "--format", "json").stdout)
    assert httpx.get(server.url + "/v1/schemas/plan").json() == json.loads(ag18("schema", "plan").stdout)
    assert httpx.get(server.url + "/v1/schemas/nothing").status_code == 422


def test_health_and_version(server):
    assert httpx.get(server.url + "/healthz").json() == {"status": "ok"}
    version = httpx.get(server.url + "/version").json()
    assert version["policy"]["id"] == "ag18" and version["ag18_rules"]


def test_concurrent_requests_give_the_reports_serial_requests_give(server):
    bodies = [(EXAMPLES / name).read_bytes() for name in PLANS if name != "province-2021.yaml"] * 3
    serial = [post(server, "/v1/evaluate", b).content for b in bodies]

    async def together():
        async with httpx.AsyncClient(timeout=120) as client:
            return await asyncio.gather(*(client.post(server.url + "/v1/evaluate", content=b, headers=YAML)
                                          for b in bodies))

    answers = asyncio.run(together())
    assert [a.status_code for a in answers] == [200] * len(bodies)
    assert [a.content for a in answers] == serial


def test_a_body_announced_past_the_limit_is_refused_before_it_is_sent(server):
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(b"POST /v1/evaluate HTTP/1.1\r\nHost: x\r\nContent-Type: application/yaml\r\n"
                     b"Content-Length: 104857600\r\n\r\nformat: ag18-plan/1\n")
        answer = sock.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 413")
    assert "application/problem+json" in answer


def test_cors_is_off_unless_configured(server):
    r = httpx.options(server.url + "/v1/evaluate", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in r.headers
    r = httpx.get(server.url + "/v1/rules", headers={"Origin": "https://example.org"})
    assert "access-control-allow-origin" not in r.headers


def test_unknown_paths_and_methods_are_problems(server):
    r = httpx.get(server.url + "/v1/nothing")
    assert r.status_code == 404 and r.json()["code"] == "not-found"
    r = httpx.delete(server.url + "/v1/evaluate")
    assert r.status_code == 405 and r.json()["status"] == 405


def test_the_access_log_is_one_json_object_per_request(server):
    httpx.get(server.url + "/v1/rules?lang=en")
    lines = [json.loads(line) for line in server.log.read_text().splitlines() if line.startswith("{")]
    mine = [e for e in lines if e["path"] == "/v1/rules"]
    assert mine and mine[-1]["status"] == 200 and mine[-1]["method"] == "GET" and mine[-1]["bytes"] > 0
    assert all("lang=en" not in json.dumps(e) for e in lines)  # the query string stays out of the log

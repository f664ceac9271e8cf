"""Property-based testing of the HTTP API against its own OpenAPI document with schemathesis, run
as its command line does in CI: for requests generated from the document (examples, coverage,
fuzzing, stateful), the server never answers 500, and every answer has a documented status,
content type, headers and shape."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from serving import running

CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running(tmp_path_factory.mktemp("openapi") / "sessions.sqlite3", "--timeout", "20") as s:
        yield s


def test_schemathesis_finds_nothing(server):
    st = Path(sys.executable).with_name("schemathesis")
    if not st.exists():
        st = shutil.which("schemathesis")
    if not st:
        pytest.skip("schemathesis is not installed (it is in the test extra)")
    run = subprocess.run([str(st), "run", server.url + "/openapi.json", "--checks", CHECKS, "--max-examples", "10",
                          "--workers", "1", "--generation-deterministic", "--max-failures", "5"],
                         capture_output=True, text=True, timeout=600, cwd=server.store.parent)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failed" not in run.stdout.split("SUMMARY")[-1].lower()


def test_the_document_is_openapi_3_1_with_the_api_under_v1(server):
    doc = httpx.get(server.url + "/openapi.json").json()
    assert doc["openapi"].startswith("3.1")
    assert {"/v1/evaluate", "/v1/validate", "/v1/diff", "/v1/rules", "/v1/rules/{rule_id}", "/v1/coverage",
            "/v1/schemas/{name}", "/v1/sessions", "/v1/sessions/{sid}", "/v1/sessions/{sid}/changes",
            "/v1/sessions/{sid}/plan", "/healthz", "/version"} <= set(doc["paths"])
    evaluate = doc["paths"]["/v1/evaluate"]["post"]
    assert evaluate["operationId"] == "evaluate"
    assert {"application/json", "application/yaml"} <= set(evaluate["requestBody"]["content"])
    assert {"as_of", "lang", "fixes", "origin", "explain", "backend", "format"} <= {
        p["name"] for p in evaluate["parameters"]}
    assert evaluate["responses"]["422"]["content"]["application/problem+json"]
    assert doc["components"]["schemas"]["Plan"]["title"] == "ag18-plan/1"

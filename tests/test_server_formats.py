"""The server with the formats package: HTML and SARIF reports by ``format=`` or ``Accept``,
Excel plans in and out, the Excel template; each the same as the command line gives."""
from __future__ import annotations

import shutil
import subprocess
import sys

import httpx
import pytest

pytest.importorskip("ag18_rules.formats", reason="the formats package (HTML, SARIF, Excel) is not here")

from serving import EXAMPLES, running  # noqa: E402

YAML = {"Content-Type": "application/yaml"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
EXAMPLE = EXAMPLES / "sonv-offices-2021.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running(tmp_path_factory.mktemp("formats") / "sessions.sqlite3") as s:
        yield s


def cli(cwd, *args) -> subprocess.CompletedProcess:
    """``ag18`` run where the plan is named as the server names it (``plan.yaml``, ``plan.xlsx``)."""
    return subprocess.run([sys.executable, "-m", "ag18_rules", *args], cwd=cwd, capture_output=True)


@pytest.mark.parametrize("fmt,accept,media", [("html", "text/html", "text/html"),
                                              ("sarif", "application/sarif+json", "application/sarif+json")])
def test_html_and_sarif_by_format_or_accept_are_what_ag18_check_writes(server, tmp_path, fmt, accept, media):
    shutil.copy(EXAMPLE, tmp_path / "plan.yaml")
    want = cli(tmp_path, "check", "plan.yaml", "--format", fmt).stdout
    by_query = httpx.post(server.url + "/v1/evaluate", params={"format": fmt}, content=EXAMPLE.read_bytes(),
                          headers=YAML, timeout=120)
    by_accept = httpx.post(server.url + "/v1/evaluate", content=EXAMPLE.read_bytes(),
                           headers={**YAML, "Accept": accept}, timeout=120)
    assert by_query.status_code == by_accept.status_code == 200
    assert by_query.headers["content-type"].startswith(media)
    assert by_query.content == by_accept.content == want


def test_an_excel_plan_is_evaluated_as_ag18_check_evaluates_it(server, tmp_path):
    assert cli(tmp_path, "convert", str(EXAMPLE), "plan.xlsx").returncode == 0
    want = cli(tmp_path, "check", "plan.xlsx", "--format", "json").stdout
    r = httpx.post(server.url + "/v1/evaluate", content=(tmp_path / "plan.xlsx").read_bytes(),
                   headers={"Content-Type": XLSX}, timeout=120)
    assert r.status_code == 200 and r.content == want


def test_a_bad_cell_is_named_by_sheet_and_cell(server, tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    assert cli(tmp_path, "convert", str(EXAMPLE), "plan.xlsx").returncode == 0
    book = openpyxl.load_workbook(tmp_path / "plan.xlsx")
    sheet = next(ws for ws in book.worksheets if ws.max_row > 2 and "deputies" in str(
        [c.comment.text if c.comment else c.value for c in ws[1]]))
    column = next(c.column for c in sheet[1] if "deputies" in str(c.comment.text if c.comment else c.value))
    sheet.cell(row=3, column=column, value="ba")
    book.save(tmp_path / "bad.xlsx")
    r = httpx.post(server.url + "/v1/validate", content=(tmp_path / "bad.xlsx").read_bytes(),
                   headers={"Content-Type": XLSX}, timeout=120)
    assert r.status_code == 422
    (d,) = [d for d in r.json()["diagnostics"] if d.get("sheet")]
    assert d["sheet"] == sheet.title and d["cell"].endswith("3") and d["file"] == "plan.xlsx"
    want = cli(tmp_path, "validate", "bad.xlsx").stderr.decode()
    assert f"{d['sheet']}!{d['cell']}" in want


def test_a_session_plan_downloads_as_excel_and_the_template_as_a_workbook(server, tmp_path):
    created = httpx.post(server.url + "/v1/sessions", content=EXAMPLE.read_bytes(), headers=YAML, timeout=120)
    sid = created.json()["id"]
    book = httpx.get(f"{server.url}/v1/sessions/{sid}/plan", params={"format": "xlsx"}, timeout=120)
    assert book.status_code == 200 and book.headers["content-type"] == XLSX and book.content[:2] == b"PK"
    (tmp_path / "again.xlsx").write_bytes(book.content)
    assert cli(tmp_path, "check", "again.xlsx", "--format", "json").stdout == \
        cli(EXAMPLES, "check", EXAMPLE.name, "--format", "json").stdout
    template = httpx.get(server.url + "/template.xlsx", params={"lang": "en"})
    assert template.status_code == 200 and template.content[:2] == b"PK"
    assert "attachment" in template.headers["content-disposition"]
    report = httpx.get(f"{server.url}/v1/sessions/{sid}/report", params={"format": "html"}, timeout=120)
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    assert "Phòng Tổ chức, biên chế và Công chức, viên chức" in report.text


def test_the_workbench_shows_the_html_report_with_its_fixes(server):
    created = httpx.post(server.url + "/v1/sessions", params={"html": "true"}, content=EXAMPLE.read_bytes(),
                         headers=YAML, timeout=120).json()
    assert 'data-changes="[{' in created["html"].replace("&#34;", '"').replace("&quot;", '"') or \
        "data-changes=" in created["html"]
    assert httpx.get(server.url + "/static/report.css").status_code == 200

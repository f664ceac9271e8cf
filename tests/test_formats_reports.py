"""Reports in HTML, SARIF 2.1.0 (validated against the official schema), JUnit XML and GitHub
annotations, rendered from real evaluations of the examples."""
import json
import re
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from ag18_rules.engine import Policy
from ag18_rules.formats import render_github, render_html, render_html_fragment, render_junit, render_sarif
from cli_run import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))
DRAFT1 = ROOT / "examples" / "sonv-offices-2021-draft1.yaml"
SARIF_SCHEMA = json.loads((Path(__file__).parent / "data" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def policy():
    with Policy.load() as p:
        yield p


@pytest.fixture(scope="module")
def evaluated(policy):
    """(plan, report) of every example, with fixes and origin as `ag18 check` gives them."""
    out = {}
    for path in EXAMPLES:
        plan = policy.load_plan(path)
        out[path.stem] = (plan, policy.evaluate(plan, fixes=True, origin=True))
    return out


def quotes(policy):
    return {c.id: c.quote_vi for c in policy.params.programme.clauses}


# --------------------------------------------------------------------------- SARIF


@pytest.mark.parametrize("example", [p.stem for p in EXAMPLES])
def test_sarif_of_every_example_validates_against_the_official_schema(example, evaluated, policy):
    plan, report = evaluated[example]
    data = json.loads(render_sarif([report], [plan], policy=policy))
    jsonschema.validate(data, SARIF_SCHEMA)
    run_ = data["runs"][0]
    assert len(run_["results"]) == len(report.findings)
    ids = [r["id"] for r in run_["tool"]["driver"]["rules"]]
    assert ids == sorted(ids) and all(r["ruleId"] in ids for r in run_["results"])
    assert {"deputy-cap/department-unit", "one-lead-organization/lead"} <= set(ids)  # every check, found or not


def test_sarif_results_point_at_the_entity_line_and_carry_in_place_fixes(evaluated, policy):
    plan, report = evaluated["sonv-offices-2021-draft1"]
    data = json.loads(render_sarif([report], [plan], policy=policy, lang="en"))
    lines = DRAFT1.read_text(encoding="utf-8").splitlines()
    by_rule = {r["ruleId"]: r for r in data["runs"][0]["results"]}
    inspect = by_rule["deputy-cap/inspectorate"]
    region = inspect["locations"][0]["physicalLocation"]["region"]
    assert "id: sonv/thanh-tra" in lines[region["startLine"] - 1]
    assert inspect["level"] == "error" and inspect["message"]["text"].startswith("Thanh tra Sở")
    (fix,) = inspect["fixes"]
    (replacement,) = fix["artifactChanges"][0]["replacements"]
    deleted = replacement["deletedRegion"]
    line = lines[deleted["startLine"] - 1]
    assert line[deleted["startColumn"] - 1:deleted["endColumn"] - 1] == "2"  # deputies: 2
    assert line.strip().startswith("deputies:") and replacement["insertedContent"]["text"] == "1"
    rule = next(r for r in data["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "deputy-cap/inspectorate")
    assert "GOAL-2021-1" in rule["properties"]["clause"] and "GOAL-2021-1: “" in rule["help"]["text"]


def test_sarif_marks_waived_findings_as_suppressed(policy, tmp_path):
    text = DRAFT1.read_text(encoding="utf-8") + (
        "\nwaivers:\n  - rule: deputy-cap\n    entity: sonv/thanh-tra\n    reason: Chuyển tiếp\n"
        "    approved_by: Ban Thường vụ\n    reference: CV 1\n")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    plan = policy.load_plan(tmp_path / "p.yaml")
    data = json.loads(render_sarif([policy.evaluate(plan)], [plan], policy=policy))
    jsonschema.validate(data, SARIF_SCHEMA)
    waived = [r for r in data["runs"][0]["results"] if "suppressions" in r]
    assert [r["ruleId"] for r in waived] == ["deputy-cap/inspectorate"]
    assert waived[0]["suppressions"][0]["justification"] == "Chuyển tiếp (CV 1)"


# --------------------------------------------------------------------------- JUnit and GitHub


def test_junit_has_a_failure_per_finding_skips_for_not_applicable_and_passes_for_the_rest(evaluated, policy):
    plan, report = evaluated["sonv-offices-2021-draft1"]
    root = ET.fromstring(render_junit([report], policy=policy, lang="en"))
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    failures = [c for c in cases if c.find("failure") is not None]
    assert len(failures) == report.summary["error"] + report.summary["warning"] == int(root.get("failures"))
    names = {c.get("name") for c in failures}
    assert "deputy-cap/inspectorate sonv/thanh-tra" in names
    failure = next(c for c in failures if c.get("name") == "deputy-cap/inspectorate sonv/thanh-tra").find("failure")
    assert failure.get("message").startswith("[error] Thanh tra Sở") and "deputies = 2" in failure.text
    assert int(suite.get("skipped")) == len(report.not_applicable)
    assert any(c.get("name") == "min-staff-for-unit/department-unit" and len(c) == 0 for c in cases)


def test_github_annotations_name_file_line_and_escape_their_fields(evaluated):
    plan, report = evaluated["sonv-offices-2021-draft1"]
    lines = render_github([report], [plan]).splitlines()
    assert len(lines) == len(report.findings)
    inspect = next(line for line in lines if "deputy-cap/inspectorate" in line)
    line_no = int(re.search(r",line=(\d+),", inspect).group(1))
    assert "id: sonv/thanh-tra" in DRAFT1.read_text(encoding="utf-8").splitlines()[line_no - 1]
    assert inspect.startswith(f"::error file={report.source},line=")
    assert "title=deputy-cap/inspectorate%3A Thanh tra Sở::Thanh tra Sở có 2 phó chánh thanh tra" in inspect
    assert any(line.startswith("::notice ") for line in lines)  # the info finding


def test_test_command_writes_junit_for_rule_examples(tmp_path):
    code, out, _ = run("test", "--backend", "python", "--format", "junit", "-o", tmp_path / "j.xml")
    assert code == 0 and out == ""
    root = ET.parse(tmp_path / "j.xml").getroot()
    assert int(root.get("tests")) > 20 and root.get("failures") == "0"
    assert root.find("testsuite[@name='deputy-cap']/testcase") is not None


# --------------------------------------------------------------------------- HTML


def test_html_report_is_self_contained_and_escapes_what_the_plan_says(policy, tmp_path):
    text = DRAFT1.read_text(encoding="utf-8").replace(
        "name: Thanh tra Sở", "name: \"Thanh tra <script>alert('x')</script> Sở\"", 1)
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    plan = policy.load_plan(tmp_path / "p.yaml")
    page = render_html(policy.evaluate(plan, fixes=True, origin=True), plan, quotes=quotes(policy))
    assert "<script>alert" not in page and "Thanh tra &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; Sở" in page
    assert page.count("<script>") == 1  # the page's own inline script, nothing else
    assert not re.search(r"<(link|img|iframe)\b", page) and not re.search(r"\bsrc=", page)
    assert re.findall(r'href="(https?://[^"]+)"', page) == re.findall(r'href="(http[^"]+)"', page)


def test_html_report_shows_verdict_trees_charts_findings_basis_and_not_applicable(evaluated, policy):
    plan, report = evaluated["sonv-offices-2021-draft1"]
    page = render_html(report, plan, quotes=quotes(policy))
    assert page.index("KHÔNG ĐẠT") < page.index("tree-before") < page.index("<svg") < page.index('class="finding ')
    for org in plan.after.organizations + plan.before.organizations:
        assert f'data-entity="{org.id}"' in page
    assert "sáp nhập vào" in page and "hợp nhất từ" in page  # merged organisations shown as such
    assert 'node-head">Người đứng đầu: p-tccb-01<' in page  # the plan names no one: its pseudonym
    assert "Nghị định 107/2020/NĐ-CP" in page and "Điều khoản GOAL-2021-1" in page
    assert "Thay đổi đề xuất (đã kiểm tra lại)" in page and "do kế hoạch gây ra" in page
    assert "Không áp dụng" in page and "@page { size: A4" in page


def test_html_fragment_marks_each_finding_with_its_rule_entity_and_fix_changes(evaluated):
    plan, report = evaluated["sonv-offices-2021-draft1"]
    fragment = render_html_fragment(report, plan, "en")
    assert "<html" not in fragment and "<body" not in fragment
    articles = re.findall(r'<article class="finding[^>]*>', fragment)
    assert len(articles) == len(report.findings)
    thanh_tra = next(a for a in articles if 'data-entity="sonv/thanh-tra"' in a)
    assert 'data-rule="deputy-cap"' in thanh_tra
    import html as html_lib

    changes = json.loads(html_lib.unescape(re.search(r'data-changes="([^"]*)"', thanh_tra).group(1)))
    assert changes == [{"entity": {"id": "sonv/thanh-tra", "kind": "organization", "name": "Thanh tra Sở"},
                        "field": "after.organizations[sonv/thanh-tra].deputies", "from": 2, "to": 1}]


def test_check_diff_and_scorecard_write_html_files(tmp_path):
    code, out, _ = run("check", DRAFT1, "--format", "html", "-o", tmp_path / "r.html", "--lang", "en")
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert code == 1 and out == "" and page.startswith("<!DOCTYPE html>") and 'lang="en"' in page
    code, _, _ = run("diff", DRAFT1, ROOT / "examples" / "sonv-offices-2021-draft2.yaml", "--format", "html",
                     "-o", tmp_path / "d.html")
    page = (tmp_path / "d.html").read_text(encoding="utf-8")
    assert code == 1 and "Vi phạm đã khắc phục" in page and "Phòng Cải cách hành chính" in page
    code, _, _ = run("scorecard", ROOT / "examples" / "province-2021.yaml", "--format", "html", "-o", tmp_path / "s.html")
    page = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert code == 0 and "Bảng điểm theo tổ chức" in page and "Trung tâm Kiểm soát bệnh tật" in page


def test_reports_are_byte_identical_across_runs(tmp_path):
    for fmt in ("html", "sarif", "junit", "github"):
        first = run("check", DRAFT1, "--format", fmt)[1]
        assert first and run("check", DRAFT1, "--format", fmt)[1] == first


def test_html_lists_waivers_with_approver_and_expiry(policy, tmp_path):
    text = DRAFT1.read_text(encoding="utf-8") + (
        "\nwaivers:\n  - rule: deputy-cap\n    entity: sonv/thanh-tra\n    reason: Chuyển tiếp\n"
        "    approved_by: Ban Thường vụ Tỉnh ủy\n    reference: CV 456\n    expires: 2020-12-31\n")
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    plan = policy.load_plan(tmp_path / "p.yaml")
    page = render_html(policy.evaluate(plan), plan)
    section = page[page.index('class="waivers-section"'):]
    assert "Ban Thường vụ Tỉnh ủy" in section and "CV 456" in section and "2020-12-31" in section
    assert "đã hết hạn" in section  # evaluated on 2021-01-01, after the expiry


def test_importing_the_library_loads_neither_openpyxl_nor_jinja2():
    import subprocess
    import sys

    code = ("import sys, ag18_rules, ag18_rules.formats; "
            "print(sorted(m for m in ('openpyxl', 'jinja2') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"

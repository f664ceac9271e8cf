"""The ``ag18`` command, called as ``main([...])`` and as the installed script."""
import io
import json
import shutil
import subprocess
import sys
from pathlib import Path

from ag18_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
DEPUTY_FAIL = RULES / "deputy-cap" / "examples" / "class1-2021.yaml"
DEPUTY_PASS = RULES / "deputy-cap" / "examples" / "compliant-2021.yaml"


def run(*argv):
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_check_text_in_vietnamese_by_default_names_rule_entity_values_and_basis():
    code, out, _ = run("check", str(DEPUTY_FAIL))
    assert code == 1
    assert "Kết luận: KHÔNG ĐẠT" in out
    assert "LỖI deputy-cap [GOAL-2021-1] Văn phòng Sở (sonv/vp)" in out
    assert "Văn phòng Sở có 2 cấp phó, vượt mức tối đa 1" in out
    assert "deputy.department_unit_max = 1 (từ 2020-11-25; Nghị định 107/2020/NĐ-CP" in out
    assert "“giảm cấp phó”" not in out  # the clause is quoted in full, not the rule's excerpt
    assert "giảm tối đa cấp trung gian, giảm cấp phó”" in out


def test_check_english_and_exit_zero_on_a_passing_plan():
    code, out, _ = run("check", str(DEPUTY_PASS), "--lang", "en")
    assert code == 0
    assert "Verdict: PASS" in out


def test_check_json_follows_the_contract():
    code, out, _ = run("check", str(DEPUTY_FAIL), "--format", "json", "--lang", "en")
    assert code == 1
    data = json.loads(out)
    assert data["format"] == "ag18-report/1"
    assert (data["plan"], data["as_of"], data["verdict"]) == ("dc-class1-2021", "2021-01-01", "fail")
    assert data["policy"]["id"] == "ag18"
    assert data["summary"]["error"] == 3
    vp = next(f for f in data["findings"] if f["entity"]["id"] == "sonv/vp")
    assert vp["rule"] == "deputy-cap" and vp["severity"] == "error" and vp["clause"] == ["GOAL-2021-1"]
    assert vp["entity"] == {"kind": "organization", "id": "sonv/vp", "name": "Văn phòng Sở"}
    assert vp["values"] == {"deputies": 2, "cap": 1, "civil_servants": 8, "province_class": 1}
    param = vp["parameters"][0]
    assert (param["name"], param["value"], param["since"]) == ("deputy.department_unit_max", 1, "2020-11-25")
    assert param["reference"].startswith("Nghị định 107/2020/NĐ-CP") and param["verified"] is True
    assert vp["waived"] is None
    keys = [(f["rule"], f["entity"]["id"]) for f in data["findings"]]
    assert keys == sorted(keys)
    assert {n["rule"] for n in data["not_applicable"]} >= {"no-unit-increase", "staff-reduction-target"}


def test_check_output_is_byte_identical_across_runs():
    first = run("check", str(DEPUTY_FAIL), "--format", "json")[1]
    assert first == run("check", str(DEPUTY_FAIL), "--format", "json")[1]


def test_several_plans_give_a_list_of_reports():
    code, out, _ = run("check", str(DEPUTY_FAIL), str(DEPUTY_PASS), "--format", "json")
    assert code == 1
    assert [r["plan"] for r in json.loads(out)["reports"]] == ["dc-class1-2021", "dc-compliant-2021"]


def test_as_of_changes_the_law_applied():
    code, out, _ = run("check", str(DEPUTY_FAIL), "--as-of", "2014-05-19", "--format", "json")
    data = json.loads(out)
    assert data["as_of"] == "2014-05-19" and data["verdict"] == "pass"
    reasons = [n["reason"] for n in data["not_applicable"] if n.get("check") == "department-unit"]
    assert reasons and "deputy.department_unit_max" in reasons[0]


def test_bad_plan_is_exit_2_with_position_and_no_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: ag18-plan/1\nplan:\n  id: x\n  effective: 2021-01-01\nafter:\n"
                   "  organizations:\n    - {id: a, name: A, type: departmnet}\n", encoding="utf-8")
    code, out, err = run("check", str(bad), "--lang", "en")
    assert code == 2 and out == ""
    assert f"{bad}:7:" in err and "departmnet" in err and "department" in err
    assert "Traceback" not in err


def test_missing_file_and_bad_date_are_exit_2(tmp_path):
    assert run("check", str(tmp_path / "nope.yaml"))[0] == 2
    assert run("check", str(DEPUTY_FAIL), "--as-of", "2021-13-01")[0] == 2
    assert run("frobnicate")[0] == 2


def test_rules_lists_every_rule():
    code, out, _ = run("rules", "--lang", "en")
    assert code == 0
    ids = [line.split()[0] for line in out.splitlines()]
    assert ids == sorted(p.name for p in RULES.iterdir() if (p / f"{p.name}.yaml").exists())


def test_explain_rule_shows_parameters_by_date_with_references():
    code, out, _ = run("explain", "deputy-cap", "--lang", "en")
    assert code == 0
    assert "Clause GOAL-2021-1" in out
    assert "from 2020-11-25" in out and "Nghị định 107/2020/NĐ-CP" in out
    code, _, err = run("explain", "deputy-caps")
    assert code == 2 and "có phải ý là 'deputy-cap'" in err  # Vietnamese by default
    code, _, err = run("explain", "deputy-caps", "--lang", "en")
    assert code == 2 and "did you mean 'deputy-cap'" in err


def test_coverage_accounts_for_every_clause():
    code, out, _ = run("coverage", "--format", "json", "--lang", "en")
    assert code == 0
    data = json.loads(out)
    assert data["summary"]["clauses"] == 26
    assert data["summary"]["unaccounted"] == 0
    rows = {r["clause"]: r for r in data["clauses"]}
    assert "deputy-cap" in rows["GOAL-2021-1"]["rules"]
    assert rows["TASK-7"]["rules"] == [] and rows["TASK-7"]["reason"]


def test_schema_prints_valid_json():
    for which in ("plan", "rule", "policy", "tests"):
        code, out, _ = run("schema", which)
        assert code == 0 and json.loads(out)["$schema"].startswith("https://json-schema.org/")


def test_validate_the_shipped_policy():
    code, out, err = run("validate", "--lang", "en")
    assert code == 0, err
    assert "valid" in out


def test_validate_reports_every_problem_of_a_rule_with_positions(tmp_path):
    policy = tmp_path / "pol"
    shutil.copytree(ROOT / "policy", policy / "policy")
    shutil.copytree(RULES / "deputy-cap", policy / "rules" / "deputy-cap")
    rule = policy / "rules" / "deputy-cap" / "deputy-cap.yaml"
    text = rule.read_text(encoding="utf-8")
    text = text.replace('require: "deputies <= cap"', 'require: "deputys <= cap"', 1)
    text = text.replace("clause: [GOAL-2021-1]", "clause: [GOAL-2021-9]")
    rule.write_text(text, encoding="utf-8")
    code, _, err = run("validate", "--policy", str(policy), "--lang", "en")
    assert code == 2
    lines = text.splitlines()
    bad_line = next(i for i, l in enumerate(lines, 1) if "deputys" in l)
    col = lines[bad_line - 1].index("deputys") + 1
    assert f"deputy-cap.yaml:{bad_line}:{col}: expr-unknown-name" in err
    assert "Did you mean 'deputies'" in err
    clause_line = next(i for i, l in enumerate(lines, 1) if "GOAL-2021-9" in l)
    assert f"deputy-cap.yaml:{clause_line}:" in err and "unknown-clause" in err


def test_installed_script_and_module_entry_point():
    exe = Path(sys.executable).with_name("ag18")
    result = subprocess.run([str(exe), "rules"], capture_output=True, text=True)
    assert result.returncode == 0 and "deputy-cap" in result.stdout
    result = subprocess.run([sys.executable, "-m", "ag18_rules", "check", str(DEPUTY_PASS)],
                            capture_output=True, text=True)
    assert result.returncode == 0 and "ĐẠT" in result.stdout

"""The command as a policy officer uses it inside their own copy of the policy: discovery of the
folder being edited, files validated as what they are, one rule or matching cases tested, and
every word in Vietnamese unless English is asked for."""
from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from ag18_rules.cli import main
from ag18_rules.discover import find_policy

ROOT = Path(__file__).resolve().parent.parent


def run(*argv, cwd: Path | None = None, monkeypatch=None):
    if cwd is not None:
        monkeypatch.chdir(cwd)
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _cases(tests: Path) -> int:
    """How many cases a tests.yaml holds."""
    import yaml

    return len(yaml.safe_load(tests.read_text(encoding="utf-8"))["cases"])


@pytest.fixture
def folder(tmp_path):
    """An officer's copy of the policy."""
    shutil.copytree(ROOT / "policy", tmp_path / "mine" / "policy")
    shutil.copytree(ROOT / "rules", tmp_path / "mine" / "rules")
    return tmp_path / "mine"


def test_the_folder_being_edited_is_found_from_any_directory_inside_it(folder, monkeypatch):
    found = find_policy(start=folder / "rules" / "deputy-cap" / "examples")
    assert (found.directory, found.how) == (folder.resolve(), "folder")
    (folder / "rules" / "one-lead-person" / "one-lead-person.yaml").write_text(
        (ROOT / "rules" / "one-lead-person" / "one-lead-person.yaml").read_text(encoding="utf-8")
        .replace("severity: error", "severity: eror"), encoding="utf-8")
    code, out, err = run("validate", cwd=folder / "rules" / "one-lead-person", monkeypatch=monkeypatch)
    assert code == 2 and out == ""
    first, *rest = err.splitlines()
    assert first == f"Chính sách: {folder.resolve()} (thư mục đang làm việc)"
    assert "one-lead-person.yaml:17:11: bad-value:" in rest[0] and "Có phải ý là 'error' (lỗi)?" in rest[0]


def test_an_ag18_toml_names_the_policy_and_the_shipped_policy_is_the_last_resort(folder, tmp_path, monkeypatch):
    work = tmp_path / "work"
    (work / "plans").mkdir(parents=True)
    (work / "ag18.toml").write_text('# the policy I edit\npolicy = "../mine"\n', encoding="utf-8")
    found = find_policy(start=work / "plans")
    assert (found.directory, found.how, found.config) == (folder.resolve(), "config", work / "ag18.toml")
    (work / "ag18.toml").write_text('policy = "plans"\n', encoding="utf-8")
    code, _, err = run("rules", cwd=work, monkeypatch=monkeypatch)
    assert code == 2 and "ag18.toml:1:1: bad-config:" in err and "không phải thư mục chính sách" in err
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    assert find_policy(start=outside).how == "shipped"
    code, _, err = run("rules", "--lang", "en", cwd=outside, monkeypatch=monkeypatch)
    assert code == 0 and err == ""  # the shipped policy, every command's default, goes without saying


def test_policy_option_on_every_command_and_json_stays_valid(folder, tmp_path, monkeypatch):
    plan = ROOT / "rules" / "deputy-cap" / "examples" / "class1-2021.yaml"
    monkeypatch.chdir(tmp_path)
    for argv in (["check", str(plan), "--format", "json"], ["coverage", "--format", "json"],
                 ["scorecard", str(plan), "--format", "json"], ["diff", str(plan), str(plan), "--format", "json"]):
        code, out, err = run(*argv, "--policy", str(folder))
        assert code in (0, 1), err
        json.loads(out)
        assert err.splitlines()[0] == f"Chính sách: {folder.resolve()} (theo --policy)"
    code, _, err = run("explain", "deputy-cap", "--policy", str(tmp_path))
    assert code == 2 and "not-a-policy" in err and "cần có hai thư mục con policy/ và rules/" in err


def test_validate_takes_each_file_as_what_it_is(folder, monkeypatch):
    code, out, err = run("validate", "rules/", cwd=folder, monkeypatch=monkeypatch)
    assert (code, err.count("\n")) == (0, 1), err  # tests files are not read as plans
    assert out.endswith("tệp hợp lệ.\n")
    tests = folder / "rules" / "deputy-cap" / "tests.yaml"
    tests.write_text(tests.read_text(encoding="utf-8").replace("format: ag18-rule-tests/1\n", ""), encoding="utf-8")
    code, out, err = run("validate", str(tests), "--lang", "en", cwd=folder, monkeypatch=monkeypatch)
    assert code == 2 and "tests.yaml:1:1: missing-key: Required key 'format' is missing" in err
    assert "plan" not in err.split("\n", 1)[1]  # by its place it is a tests file, not a plan
    plan = folder / "draft.yaml"
    plan.write_text("format: ag18-plan/2\nplan: {id: p, effective: 2021-01-01}\nafter: {}\n", encoding="utf-8")
    code, _, err = run("validate", str(plan), cwd=folder, monkeypatch=monkeypatch)
    assert code == 2 and "draft.yaml:1:9: unknown-format:" in err and "có phải ý là 'ag18-plan/1'?" in err


def test_test_runs_one_rule_or_matching_cases(folder, monkeypatch):
    cases = _cases(folder / "rules" / "deputy-cap" / "tests.yaml")
    code, out, _ = run("test", "rules/deputy-cap", "--backend", "python", cwd=folder, monkeypatch=monkeypatch)
    assert code == 0 and out.startswith(f"{cases} đạt, 0 thất bại")
    on_the_day = sum(f.read_text(encoding="utf-8").count("as_of: 2020-11-24") for f in (folder / "rules").glob("*/tests.yaml"))
    code, out, _ = run("test", "-k", "2020-11-24", "--backend", "python", "--lang", "en", cwd=folder,
                       monkeypatch=monkeypatch)
    assert on_the_day >= 1 and code == 0 and out.startswith(f"{on_the_day} passed, 0 failed")
    code, _, err = run("test", "deputy-cpa", cwd=folder, monkeypatch=monkeypatch)
    assert code == 2 and "Không có quy tắc 'deputy-cpa'; có phải ý là 'deputy-cap'?" in err
    code, _, err = run("test", "-k", "no-such-case", "--backend", "python", cwd=folder, monkeypatch=monkeypatch)
    assert code == 2 and "Không có trường hợp nào khớp với -k no-such-case" in err


def test_a_failing_case_names_its_line_in_tests_yaml_and_expected_and_actual_findings(folder, monkeypatch):
    tests = folder / "rules" / "deputy-cap" / "tests.yaml"
    text = tests.read_text(encoding="utf-8")
    tests.write_text(text.replace("values: {deputies: 2, cap: 1, civil_servants: 8}",
                                  "values: {deputies: 3, cap: 1, civil_servants: 8}"), encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "plan: examples/class1-2021.yaml" in t)
    code, out, _ = run("test", "rules/deputy-cap", "--backend", "python", cwd=folder, monkeypatch=monkeypatch)
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == (f"THẤT BẠI {tests.resolve()}:{line}:5: quy tắc deputy-cap, ví dụ class1-2021.yaml [python]")
    finding = next(i for i, t in enumerate(text.splitlines(), 1) if "entity: sonv/vp, values: {deputies: 2" in t)
    assert f"  - deputy-cap/department-unit tại sonv/vp: giá trị deputies là 2, mong đợi 3 (dòng {finding})" in lines
    assert any(t.startswith("  mong đợi: deputy-cap/department-average tại dc-class1-2021") for t in lines)
    assert any(t.startswith("  thực tế:  deputy-cap/department-average tại dc-class1-2021") for t in lines)
    assert lines[-1] == f"{_cases(tests) - 1} đạt, 1 thất bại; ví dụ của các quy tắc, trên bộ máy: python"
    _, out, _ = run("test", "rules/deputy-cap", "--backend", "python", "--lang", "en", cwd=folder,
                    monkeypatch=monkeypatch)
    assert f"  - deputy-cap/department-unit on sonv/vp: value deputies is 2, expected 3 (line {finding})" in out.splitlines()


def test_argparse_speaks_vietnamese_unless_english_is_asked_for(capsys):
    assert main(["validate", "--help"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("cách dùng: ag18 validate") and "tùy chọn:" in text and "đối số vị trí:" in text
    assert "hiện trợ giúp này rồi thoát" in text and "show this help" not in text
    assert main(["check"]) == 2
    err = capsys.readouterr().err
    assert "ag18 check: lỗi: thiếu các đối số bắt buộc: ĐỀ_ÁN" in err
    assert main(["check", "x.yaml", "--as-of", "31/12/2021"]) == 2
    assert "lỗi: đối số --as-of: không phải ngày (YYYY-MM-DD): '31/12/2021'" in capsys.readouterr().err
    assert main(["frobnicate"]) == 2
    assert "lựa chọn không hợp lệ: 'frobnicate'" in capsys.readouterr().err
    assert main(["check", "--lang", "en"]) == 2
    assert "error: the following arguments are required: PLAN" in capsys.readouterr().err


def test_the_shipped_policy_is_clean_against_its_own_lint_baseline(monkeypatch):
    code, out, err = run("lint", cwd=ROOT, monkeypatch=monkeypatch)
    assert code == 0, out
    assert out.startswith("0 vấn đề;") and "đã có trong tệp nền" in out


def test_lint_baseline_only_new_problems_fail_and_codes_are_ignored_with_a_reason(folder, monkeypatch):
    (folder / "lint-baseline.yaml").unlink(missing_ok=True)
    code, out, _ = run("lint", "--plans", "0", cwd=folder, monkeypatch=monkeypatch)
    assert code == 1 and "boundary-untested" in out  # no baseline yet: every problem
    code, _, err = run("lint", "--plans", "0", "--write-baseline", cwd=folder, monkeypatch=monkeypatch)
    assert code == 0 and "lint-baseline.yaml" in err
    code, out, _ = run("lint", "--plans", "0", cwd=folder, monkeypatch=monkeypatch)
    assert code == 0 and out.startswith("0 vấn đề;")
    staff = folder / "policy" / "staff.yaml"  # a new problem: a parameter no rule reads
    text = staff.read_text(encoding="utf-8")
    entry = ("  staff.officer_note:\n    description: {vi: Ghi chú thử, en: A trial note}\n    unit: count\n"
             "    values:\n      2021-01-01: {value: 1, reference: {document: Quyết định thử, article: Điều 1, "
             "effective: 2021-01-01, source: https://vanban.chinhphu.vn/, confidence: high}, verified: true}\n")
    staff.write_text(text.replace("parameters:\n", "parameters:\n" + entry, 1), encoding="utf-8")
    code, out, _ = run("lint", "--plans", "0", "--lang", "en", cwd=folder, monkeypatch=monkeypatch)
    lines = out.splitlines()
    assert code == 1 and lines[0].endswith("unused-parameter: Parameter staff.officer_note is read by no rule "
                                           "and no derived fact")
    assert lines[1].startswith("1 problem(s)") and "1 new problems (not in the baseline)" in out
    baseline = folder / "lint-baseline.yaml"
    kept = baseline.read_text(encoding="utf-8")
    baseline.write_text(kept.replace("ignore: []", "ignore:\n- {code: unused-parameter}"), encoding="utf-8")
    code, _, err = run("lint", "--plans", "0", cwd=folder, monkeypatch=monkeypatch)
    assert code == 2 and "lint-baseline.yaml:6:3: missing-key: Thiếu khóa bắt buộc 'reason'" in err
    baseline.write_text(kept.replace("ignore: []", "ignore:\n- {code: unused-parameter, reason: kept for the 2026 "
                                                   "report}"), encoding="utf-8")
    code, out, _ = run("lint", "--plans", "0", cwd=folder, monkeypatch=monkeypatch)
    assert code == 0 and ", 0 vấn đề thuộc mã" not in out and "vấn đề thuộc mã được bỏ qua có lý do" in out
    run("lint", "--plans", "0", "--write-baseline", cwd=folder, monkeypatch=monkeypatch)
    assert "reason: kept for the 2026 report" in baseline.read_text(encoding="utf-8")  # ignores survive a rewrite


def test_lint_reports_a_reference_date_that_contradicts_the_values_date(folder, monkeypatch):
    staff = folder / "policy" / "staff.yaml"
    entry = ("  staff.officer_note:\n    description: {vi: Ghi chú thử, en: A trial note}\n    unit: count\n"
             "    values:\n      2021-01-01: {value: 1, note: {vi: Áp dụng từ năm 2021, en: Applies from 2021}, "
             "reference: {document: Quyết định thử, article: Điều 1, effective: 2020-06-01, "
             "source: https://vanban.chinhphu.vn/, confidence: high}, verified: true}\n")
    staff.write_text(staff.read_text(encoding="utf-8").replace("parameters:\n", "parameters:\n" + entry, 1),
                     encoding="utf-8")
    code, out, _ = run("lint", "--plans", "0", "--no-baseline", cwd=folder, monkeypatch=monkeypatch)
    [line] = [t for t in out.splitlines() if "reference-date-differs" in t]
    assert code == 1 and "staff.yaml:" in line
    assert ("Giá trị của staff.officer_note áp dụng từ 2021-01-01, nhưng căn cứ Quyết định thử ghi ngày hiệu lực "
            "2020-06-01") in line


def test_an_expected_finding_naming_a_check_the_rule_lacks_is_a_validation_error(folder, monkeypatch):
    tests = folder / "rules" / "deputy-cap" / "tests.yaml"
    text = tests.read_text(encoding="utf-8")
    tests.write_text(text.replace("{check: inspectorate, entity: sonv/tt, values", "{check: inspector, entity: sonv/tt, values"),
                     encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if "{check: inspectorate, entity: sonv/tt, values" in t)
    for argv in (["validate"], ["validate", "rules/deputy-cap/tests.yaml"]):
        code, _, err = run(*argv, cwd=folder, monkeypatch=monkeypatch)
        assert code == 2
        assert f"tests.yaml:{line}:19: unknown-check: Quy tắc deputy-cap không có kiểm tra 'inspector'; " \
               "có phải ý là 'inspectorate'? Các kiểm tra:" in err


def test_a_failing_case_in_junit_says_what_differed_in_the_chosen_language(folder, monkeypatch, tmp_path):
    import xml.etree.ElementTree as ET

    tests = folder / "rules" / "deputy-cap" / "tests.yaml"
    tests.write_text(tests.read_text(encoding="utf-8").replace("values: {deputies: 2, cap: 1, civil_servants: 8}",
                                                               "values: {deputies: 3, cap: 1, civil_servants: 8}"),
                     encoding="utf-8")
    for lang, said in (("vi", "giá trị deputies là 2, mong đợi 3"), ("en", "value deputies is 2, expected 3")):
        out = tmp_path / f"junit-{lang}.xml"
        code, _, _ = run("test", "rules/deputy-cap", "--backend", "python", "--format", "junit", "-o", str(out),
                         "--lang", lang, cwd=folder, monkeypatch=monkeypatch)
        assert code == 1
        [failure] = ET.parse(out).getroot().findall(".//failure")
        assert said in failure.get("message")

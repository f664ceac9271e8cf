"""``ag18 diff``: the findings that appear, disappear or change between two versions of a plan."""
import json
from pathlib import Path

import pytest
import yaml

import ag18_rules
from ag18_rules.diff import diff_reports, render_diff
from cli_run import run

ROOT = Path(__file__).resolve().parent.parent
DRAFT1 = ROOT / "examples" / "sonv-offices-2021-draft1.yaml"
DRAFT2 = ROOT / "examples" / "sonv-offices-2021-draft2.yaml"
DEPUTY = ROOT / "rules" / "deputy-cap" / "examples"


def keys(findings):
    return [(f.rule, f.check, f.entity.id) for f in findings]


@pytest.fixture(scope="module")
def drafts():
    with ag18_rules.load_policy() as policy:
        return diff_reports(policy.evaluate(DRAFT1), policy.evaluate(DRAFT2))


def test_revising_draft_one_into_draft_two(drafts):
    assert keys(drafts.appeared) == [("min-staff-for-unit", "department-unit", "sonv/phong-cchc")]
    assert keys(drafts.disappeared) == [
        ("affected-staff-settled", "merger-group", "sonv/phong-vtlt"),
        ("deputy-cap", "inspectorate", "sonv/thanh-tra"),
        ("task-continuity", "continued", "cong-tac-thanh-nien"),
    ]
    assert drafts.changed == ()
    assert drafts.unchanged == len(drafts.new.findings) - 1 == len(drafts.old.findings) - 3
    assert drafts.new.summary["error"] == drafts.old.summary["error"] - 2
    assert drafts.verdict == "fail"


def test_diff_text_for_an_officer(drafts):
    old, new = drafts.old.summary, drafts.new.summary
    text = render_diff(drafts, "vi")
    assert text.splitlines()[:4] == [
        "So sánh hai phiên bản kế hoạch",
        f"  Bản trước: ag-sonv-2021 ({DRAFT1}), 2021-01-01",
        f"  Bản sau: ag-sonv-2021 ({DRAFT2}), 2021-01-01",
        f"Kết luận: KHÔNG ĐẠT → KHÔNG ĐẠT (lỗi {old['error']} → {new['error']}, cảnh báo {old['warning']} → "
        f"{new['warning']}, thông tin {old['info']} → {new['info']})",
    ]
    assert "Vi phạm mới xuất hiện (1):" in text
    assert ("  + LỖI min-staff-for-unit/department-unit Phòng Cải cách hành chính (sonv/phong-cchc): "
            "Phòng Cải cách hành chính có 5 biên chế công chức") in text
    assert "Vi phạm không còn (3):" in text
    assert ("  - LỖI deputy-cap/inspectorate Thanh tra Sở (sonv/thanh-tra): Thanh tra Sở có 2 phó chánh thanh tra, "
            "vượt mức tối đa 1 đối với thanh tra sở có 7 biên chế công chức.") in text
    assert text.rstrip().endswith(f"Không đổi: {drafts.unchanged} vi phạm")
    english = render_diff(drafts, "en")
    assert "Findings that appear (1):" in english and "Findings that disappear (3):" in english
    assert f"Verdict: FAIL → FAIL (errors {old['error']} → {new['error']}, warnings" in english


def test_diff_command_exit_codes_and_json():
    code, out, _ = run("diff", DRAFT1, DRAFT2, "--format", "json", "--lang", "en")
    assert code == 1  # draft 2 still has unwaived errors
    data = json.loads(out)
    assert data["format"] == "ag18-diff/1" and data["verdict"] == "fail"
    assert (data["from"]["source"], data["to"]["source"]) == (str(DRAFT1), str(DRAFT2))
    assert data["to"]["summary"]["error"] == data["from"]["summary"]["error"] - 2
    assert [(f["rule"], f["entity"]["id"]) for f in data["appeared"]] == [("min-staff-for-unit", "sonv/phong-cchc")]
    assert data["appeared"][0]["message"].startswith("Phòng Cải cách hành chính has 5 civil-servant posts")
    assert len(data["disappeared"]) == 3 and data["changed"] == []
    assert data["unchanged"] == sum(data["from"]["summary"][k] for k in ("error", "warning", "info", "waived")) - 3
    code, _, _ = run("diff", DEPUTY / "class1-2021.yaml", DEPUTY / "compliant-2021.yaml")
    assert code == 0  # the revision has no error left


def _plan(deputies: int, staff: int) -> dict:
    return {"format": "ag18-plan/1", "plan": {"id": "tt", "effective": "2021-01-01", "province_class": 1},
            "after": {"organizations": [
                {"id": "s", "name": "Sở Nội vụ", "type": "department", "level": "province", "deputies": 3,
                 "staff": {"civil_servants": 4}, "job_positions": 4},
                {"id": "s/tt", "name": "Thanh tra Sở", "type": "inspectorate", "level": "province", "parent": "s",
                 "deputies": deputies, "staff": {"civil_servants": staff}, "job_positions": staff}]}}


def test_a_finding_that_changes_its_numbers(tmp_path):
    a, b = tmp_path / "a.yaml", tmp_path / "b.yaml"
    a.write_text(yaml.safe_dump(_plan(3, 7), allow_unicode=True), encoding="utf-8")
    b.write_text(yaml.safe_dump(_plan(2, 7), allow_unicode=True), encoding="utf-8")
    with ag18_rules.load_policy() as policy:
        result = diff_reports(policy.evaluate(a), policy.evaluate(b))
    (change,) = result.changed
    assert (change.new.rule, change.new.check, change.new.entity.id) == ("deputy-cap", "inspectorate", "s/tt")
    assert change.fields == ("values", "message")
    assert change.to_dict("en")["from"]["values"]["deputies"] == 3
    assert change.to_dict("en")["to"]["values"]["deputies"] == 2
    text = render_diff(result, "vi")
    assert "Vi phạm thay đổi (1):" in text
    assert "  ~ LỖI deputy-cap/inspectorate Thanh tra Sở (s/tt): Thanh tra Sở có 2 phó chánh thanh tra" in text
    assert "      deputies: 3 → 2" in text
    code, out, _ = run("diff", a, a)
    assert code == 1 and "Hai phiên bản có cùng các vi phạm." in out


def test_bad_input_exits_2_with_the_position(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: ag18-plan/1\nplan: {id: x, effective: 2021-01-01}\n"
                   "after: {organizations: [{id: a, name: A, type: nope}]}\n", encoding="utf-8")
    code, out, err = run("diff", DRAFT1, bad)
    assert code == 2 and out == ""
    assert f"{bad}:3:48: bad-value:" in err
    code, _, err = run("diff", DRAFT1, tmp_path / "missing.yaml")
    assert code == 2 and "file-not-found" in err
    assert run("diff", DRAFT1)[0] == 2  # usage: two plans are needed


def test_diff_help_states_the_exit_codes(capsys):
    code, _, _ = run("diff", "--help", "--lang", "en")  # argparse prints help itself
    out = capsys.readouterr().out
    assert code == 0
    assert "exit 0 when the later version has no unwaived error, 1 when it has one, 2 on bad input" in " ".join(out.split())
    code, _, _ = run("diff", "--help")  # Vietnamese by default
    out = " ".join(capsys.readouterr().out.split())
    assert code == 0
    assert "mã thoát 0 khi phiên bản sau không còn lỗi chưa miễn trừ, 1 khi còn, 2 khi đầu vào sai" in out

"""Before and after: each finding introduced or pre-existing; what the plan resolves is progress."""
import io
import json
import shutil
from pathlib import Path

import pytest

import ag18_rules
from ag18_rules.cli import main
from ag18_rules.origin import INTRODUCED, PRE_EXISTING, before_as_plan

ROOT = Path(__file__).resolve().parent.parent
DRAFT1 = ROOT / "examples" / "sonv-offices-2021-draft1.yaml"
NO_BEFORE = ROOT / "rules" / "deputy-cap" / "examples" / "class1-2021.yaml"


@pytest.fixture(scope="module")
def policy():
    with ag18_rules.load_policy() as p:
        yield p


def origins(report):
    return {(f.rule, f.check, f.entity.id): f.extra["origin"] for f in report.findings}


def test_findings_are_introduced_or_pre_existing(policy):
    report = policy.evaluate(DRAFT1, origin=True)
    seen = origins(report)
    # Thanh tra Sở had 2 deputy chief inspectors for 7 posts before, and still has
    assert seen[("deputy-cap", "inspectorate", "sonv/thanh-tra")] == PRE_EXISTING == "pre-existing"
    # the merged office of 12 posts gets 3 deputies: the plan did that
    assert seen[("deputy-cap", "department-unit", "sonv/phong-tccb-ccvc")] == INTRODUCED == "introduced"
    assert seen[("one-lead-organization", "lead", "kiem-tra-cong-vu")] == INTRODUCED
    # comparing before with after cannot fail before the plan exists
    assert seen[("task-continuity", "continued", "cong-tac-thanh-nien")] == INTRODUCED


def test_what_the_plan_resolves_is_listed_as_progress(policy):
    report = policy.evaluate(DRAFT1, origin=True)
    resolved = {(r.rule, r.check, r.entity.id): r for r in report.resolved}
    assert ("deputy-cap", "department-unit", "sonv/phong-ccvc") in resolved
    assert ("staff-reduction-target", "reduction", "ag-sonv-2021") in resolved
    ccvc = resolved[("deputy-cap", "department-unit", "sonv/phong-ccvc")].to_dict("en")
    assert ccvc == {
        "rule": "deputy-cap", "check": "department-unit", "severity": "error",
        "entity": {"kind": "organization", "id": "sonv/phong-ccvc", "name": "Phòng Công chức, viên chức"},
        "message": "Phòng Công chức, viên chức has 2 deputies, above the cap of 1 for a department office with "
                   "6 civil-servant posts (province class 1).",
    }
    # progress is not a violation: it is neither counted nor among the findings
    assert all((f.rule, f.check, f.entity.id) not in resolved for f in report.findings)
    data = json.loads(report.to_json("en"))
    assert {(r["rule"], r["entity"]["id"]) for r in data["resolved"]} == {
        (r.rule, r.entity.id) for r in report.resolved}
    assert data["summary"]["error"] == sum(1 for f in report.findings if f.severity == "error")


def test_a_plan_without_before_has_no_origin(policy):
    report = policy.evaluate(NO_BEFORE, origin=True)
    assert report.findings and all(f.extra["origin"] is None for f in report.findings)
    data = json.loads(report.to_json())
    assert all(f["origin"] is None for f in data["findings"]) and data["resolved"] == []


def test_origin_off_adds_nothing(policy):
    report = policy.evaluate(DRAFT1, origin=False)
    assert all("origin" not in f.extra for f in report.findings) and report.resolved == ()


def test_before_is_evaluated_as_a_plan_that_changes_nothing(policy):
    plan = policy.load_plan(DRAFT1)
    earlier = before_as_plan(plan)
    assert earlier.after == plan.before and earlier.before is None
    assert earlier.transitions == () and earlier.waivers == ()
    assert (earlier.id, earlier.effective, earlier.baseline) == (plan.id, plan.effective, plan.baseline)
    assert before_as_plan(policy.load_plan(NO_BEFORE)) is None


RULE = """\
format: ag18-rule/1
id: single-lead
title: {vi: Một việc một đơn vị chủ trì, en: One lead per task}
description: {vi: Mỗi nhiệm vụ có đúng một đơn vị chủ trì., en: Every task has exactly one lead.}
clause: [TASK-3]
quote: "một việc chỉ do một tổ chức, một người chủ trì và chịu trách nhiệm chính"
severity: error
checks:
  - id: lead
    applies_to: task
    where: "in_after"
    require: "lead_count == 1"
    message: {vi: "Nhiệm vụ {name} có {lead_count} đơn vị chủ trì.", en: "Task {name} has {lead_count} leads."}
"""


def test_a_finding_made_undecidable_is_not_progress(tmp_path):
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    (tmp_path / "rules" / "single-lead").mkdir(parents=True)
    (tmp_path / "rules" / "single-lead" / "single-lead.yaml").write_text(RULE, encoding="utf-8")
    orgs = [{"id": "a", "name": "A", "type": "other"}, {"id": "b", "name": "B", "type": "other"}]
    plan = {
        "format": "ag18-plan/1", "plan": {"id": "u", "effective": "2021-01-01"},
        "before": {"organizations": orgs, "tasks": [{"id": "t", "name": "T", "lead": ["a", "b"]},
                                                    {"id": "v", "name": "V", "lead": ["a", "b"]}]},
        # t names no lead at all, so "exactly one lead" cannot be decided; v now has one lead
        "after": {"organizations": orgs, "tasks": [{"id": "t", "name": "T"}, {"id": "v", "name": "V", "lead": "a"}]},
    }
    with ag18_rules.load_policy(tmp_path) as policy:
        report = policy.evaluate(plan, origin=True)
    assert [(n.check, n.entity.id) for n in report.not_applicable if n.entity] == [("lead", "t")]
    assert [(r.rule, r.check, r.entity.id) for r in report.resolved] == [("single-lead", "lead", "v")]


def test_check_text_shows_origin_and_progress():
    out = io.StringIO()
    assert main(["check", str(DRAFT1), "--no-fixes"], stdout=out, stderr=io.StringIO()) == 1
    text = out.getvalue()
    assert "LỖI deputy-cap [GOAL-2021-1] Thanh tra Sở (sonv/thanh-tra) — đã có từ trước sắp xếp" in text
    assert ("LỖI deputy-cap [GOAL-2021-1] Phòng Tổ chức, biên chế và Công chức, viên chức (sonv/phong-tccb-ccvc)"
            " — do kế hoạch gây ra") in text
    assert "Tiến bộ — vi phạm của cơ cấu trước sắp xếp được kế hoạch khắc phục:" in text
    assert ("  deputy-cap/department-unit Phòng Công chức, viên chức (sonv/phong-ccvc): Phòng Công chức, viên chức "
            "có 2 cấp phó, vượt mức tối đa 1") in text
    out = io.StringIO()
    main(["check", str(DRAFT1), "--no-fixes", "--lang", "en"], stdout=out, stderr=io.StringIO())
    assert "ERROR deputy-cap [GOAL-2021-1] Thanh tra Sở (sonv/thanh-tra) — already in `before`" in out.getvalue()
    assert "Progress — findings of the structure before that the plan resolves:" in out.getvalue()

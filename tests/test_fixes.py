"""The smallest fix of each finding: its text, its data, and its verification by re-evaluation."""
import json
import shutil
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import given, settings

import ag18_rules
from ag18_rules import edits
from ag18_rules.fixes import FixOptions, _Search, _errors
from ag18_rules.model import Staff
from ag18_rules.testing import CI, plans
from cli_run import run

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
EXAMPLES = ROOT / "examples"
ALL_PLANS = sorted(RULES.glob("*/examples/*.yaml")) + sorted(EXAMPLES.glob("*.yaml"))

#: (rule, check) -> why no change to the plan can remove such a finding by itself.  Every
#: unverified error fix on the bundled examples must be one of these (and say so in its text).
NO_SINGLE_CHANGE = {
    ("part-time-quota", "province-envelope"):
        "the province allocates its total among the communes: which communes give up posts is its decision",
    ("pilot-approved", "approval"):
        "the approving document must be issued by the competent body; the plan can only cite it",
    ("hamlet-merge-required", "ap"):
        "the example hamlet names no parent commune, so no neighbouring hamlet is known to merge with",
    ("hamlet-merge-required", "khom"):
        "the example khóm names no parent ward, so no neighbouring khóm is known to merge with",
    ("one-lead-organization", "lead"):
        "the task names no lead, had none before and has no supporting organisation: no candidate lead is known",
    ("one-lead-organization", "lead-missing"):
        "the task names no lead, had none before and has no supporting organisation: no candidate lead is known",
}


@pytest.fixture(scope="module")
def policy():
    with ag18_rules.load_policy() as p:
        yield p


def finding(report, rule, entity, check=None):
    return next(f for f in report.findings
                if f.rule == rule and f.entity.id == entity and (check is None or f.check == check))


def only_fix(f):
    (fix,) = f.extra["fixes"]
    return fix


# --------------------------------------------------------------------------- texts and data


def test_deputy_cap_fix_cuts_the_excess_deputy_with_names_and_numbers(policy):
    report = policy.evaluate(RULES / "deputy-cap" / "examples" / "class1-2021.yaml", fixes=True)
    fix = only_fix(finding(report, "deputy-cap", "sonv/vp"))
    assert fix.verified
    assert fix.text.vi == "Giảm 1 cấp phó tại Văn phòng Sở (2 → 1)."
    assert fix.text.en == "Cut the deputies of Văn phòng Sở by 1 (2 → 1)."
    assert fix.to_dict("en") == {
        "entity": {"kind": "organization", "id": "sonv/vp", "name": "Văn phòng Sở"},
        "field": "after.organizations[sonv/vp].deputies", "from": 2, "to": 1,
        "text": "Cut the deputies of Văn phòng Sở by 1 (2 → 1).",
        "texts": {"vi": "Giảm 1 cấp phó tại Văn phòng Sở (2 → 1).", "en": "Cut the deputies of Văn phòng Sở by 1 (2 → 1)."},
        "verified": True, "size": 1,
        "changes": [{"entity": {"kind": "organization", "id": "sonv/vp", "name": "Văn phòng Sở"},
                     "field": "after.organizations[sonv/vp].deputies", "from": 2, "to": 1}],
    }


def test_a_plan_wide_average_is_met_by_cutting_the_department_with_most_deputies(policy):
    report = policy.evaluate(RULES / "deputy-cap" / "examples" / "class1-2021.yaml", fixes=True)
    fix = only_fix(finding(report, "deputy-cap", "dc-class1-2021", "department-average"))
    title = policy.rule("deputy-cap").spec.title
    assert fix.verified
    assert fix.text.vi == (f"Giảm 1 cấp phó để đạt yêu cầu “{title.vi}” "
                           "(tổng số phó giám đốc sở sau sắp xếp: 4 → 3): Sở Nội vụ 4 → 3.")
    assert fix.text.en == (f"Cut the deputies by 1 to meet “{title.en}” "
                           "(deputy directors of departments after: 4 → 3): Sở Nội vụ 4 → 3.")
    assert [(c.entity.id, c.field, c.old, c.new) for c in fix.changes] == [
        ("sonv", "after.organizations[sonv].deputies", 4, 3)]


def test_a_staff_target_is_met_by_the_smallest_cut(policy):
    path = RULES / "staff-reduction-target" / "examples" / "behind-2020.yaml"
    report = policy.evaluate(path, fixes=True)
    fix = only_fix(finding(report, "staff-reduction-target", "srt-behind"))
    title = policy.rule("staff-reduction-target").spec.title
    assert fix.verified and fix.size == 3
    assert fix.text.vi == (f"Cắt thêm 3 biên chế được tính để đạt yêu cầu “{title.vi}” "
                           "(tổng biên chế 109 → 106): Sở Nội vụ 109 → 106.")
    (change,) = fix.changes
    assert (change.field, change.old, change.new) == ("after.organizations[sonv].staff.public_employees", 65, 62)
    # 106 of 118 is 10.17% below the baseline; 107 would be 9.32%: the cut is the smallest
    plan = policy.load_plan(path)
    for cut, still_behind in ((3, False), (2, True)):
        changed = edits.set_org(plan, "sonv", lambda o: replace(o, staff=replace(o.staff, public_employees=65 - cut)))
        again = policy.evaluate(changed)
        assert any(f.rule == "staff-reduction-target" for f in again.findings) is still_behind


def test_several_leads_become_one_lead_and_supporters(policy):
    report = policy.evaluate(EXAMPLES / "sonv-offices-2021.yaml", fixes=True)
    fix = only_fix(finding(report, "one-lead-organization", "kiem-tra-cong-vu"))
    assert fix.verified
    assert fix.text.vi == ("Giao Thanh tra Sở làm đơn vị chủ trì duy nhất của nhiệm vụ “Kiểm tra công vụ”, "
                           "chuyển Phòng Cải cách hành chính sang phối hợp.")
    assert fix.text.en == ("Make Thanh tra Sở the only lead of task “Kiểm tra công vụ” "
                           "and move Phòng Cải cách hành chính to support.")
    lead, support = fix.changes
    assert (lead.field, lead.old, lead.new) == ("after.tasks[kiem-tra-cong-vu].lead",
                                                ["sonv/thanh-tra", "sonv/phong-cchc"], "sonv/thanh-tra")
    assert support.field == "after.tasks[kiem-tra-cong-vu].support" and "sonv/phong-cchc" in support.new


def test_removed_posts_are_settled_by_a_transition(policy):
    report = policy.evaluate(RULES / "affected-staff-settled" / "examples" / "fail.yaml", fixes=True)
    fix = only_fix(finding(report, "affected-staff-settled", "sonv", "organization"))
    assert fix.verified
    assert fix.text.vi == ("Bổ sung phương án cho 2 biên chế dôi dư của Sở Nội vụ (chuyển công tác, nghỉ hưu hoặc "
                           "tinh giản biên chế; transitions: from sonv, count 2).")
    (change,) = fix.changes
    assert (change.field, change.old, change.new) == (
        "transitions", None, {"from": "sonv", "outcome": "streamlining", "count": 2})


def test_a_dropped_task_is_kept_with_the_successor_of_its_lead(policy):
    report = policy.evaluate(RULES / "task-continuity" / "examples" / "fail.yaml", fixes=True)
    fix = only_fix(finding(report, "task-continuity", "hoi-cho"))
    assert fix.verified
    assert fix.text.vi == ("Đưa nhiệm vụ “Tổ chức hội chợ” vào cơ cấu sau sắp xếp và giao Phòng Quản lý thương mại "
                           "chủ trì (trước sắp xếp do Phòng Xuất nhập khẩu chủ trì).")
    (change,) = fix.changes
    assert change.to_dict()["to"] == {"id": "hoi-cho", "name": "Tổ chức hội chợ", "lead": "sct/ab"}


def test_a_new_intermediate_level_is_undone_and_a_new_unit_dissolved_into_its_parent(policy):
    report = policy.evaluate(RULES / "no-new-intermediate" / "examples" / "fail.yaml", fixes=True)
    fix = only_fix(finding(report, "no-new-intermediate", "khoi-kt"))
    assert fix.text.vi == "Không tổ chức Khối kinh tế thành cấp trung gian (intermediate: true → false)."
    assert (fix.changes[0].field, fix.changes[0].old, fix.changes[0].new) == (
        "after.organizations[khoi-kt].intermediate", True, False)
    units = only_fix(finding(report, "no-unit-increase", "nni-fail"))
    assert units.verified
    assert units.text.vi == ("Giải thể Khối kinh tế, chuyển đơn vị trực thuộc, biên chế và nhiệm vụ về "
                             "UBND huyện Chợ Mới (số đầu mối: 4 → 3).")


def test_a_split_unit_is_merged_back(policy):
    report = policy.evaluate(RULES / "no-unit-increase" / "examples" / "fail.yaml", fixes=True)
    fix = only_fix(finding(report, "no-unit-increase", "stp", "parent"))
    assert fix.verified
    assert fix.text.vi == ("Sáp nhập Phòng Phổ biến pháp luật vào Phòng Giáo dục pháp luật "
                           "(số đầu mối trực thuộc Sở Tư pháp: 3 → 2).")
    assert fix.text.en == ("Merge Phòng Phổ biến pháp luật into Phòng Giáo dục pháp luật "
                           "(units directly under Sở Tư pháp: 3 → 2).")


def test_vietnamese_numbers_use_the_decimal_comma(policy):
    report = policy.evaluate(RULES / "part-time-lump-sum" / "examples" / "lump-sum-2019.yaml", fixes=True)
    fix = only_fix(finding(report, "part-time-lump-sum", "long-xuyen/my-hoa-hung"))
    assert fix.verified
    assert fix.text.vi == "Điều chỉnh quỹ phụ cấp khoán của Xã Mỹ Hòa Hưng về 11,4 lần mức lương cơ sở (hiện 12)."
    assert fix.text.en == "Set the lump-sum allowance fund of Xã Mỹ Hòa Hưng to 11.4 × the base salary (now 12)."
    assert (fix.changes[0].old, fix.changes[0].new) == (12.0, 11.4)


# --------------------------------------------------------------------------- when one change is not enough


def test_two_changes_when_the_single_one_breaks_another_rule(policy):
    report = policy.evaluate(EXAMPLES / "sonv-offices-2021-draft2.yaml", fixes=True)
    fix = only_fix(finding(report, "min-staff-for-unit", "sonv/phong-cchc"))
    assert fix.verified and fix.size == 2
    assert fix.text.vi == (
        "Không có thay đổi đơn lẻ nào xóa được vi phạm này (thay đổi thứ nhất sẽ gây lỗi staff-within-job-positions); "
        "hai thay đổi sau cùng lúc thì xóa được: Bổ sung 1 biên chế công chức cho Phòng Cải cách hành chính (5 → 6). "
        "Tăng số vị trí việc làm được duyệt của Phòng Cải cách hành chính thêm 1 (5 → 6).")
    assert [(c.field, c.old, c.new) for c in fix.changes] == [
        ("after.organizations[sonv/phong-cchc].staff.civil_servants", 5, 6),
        ("after.organizations[sonv/phong-cchc].job_positions", 5, 6),
    ]


def test_no_single_change_says_so_and_what_would(policy):
    report = policy.evaluate(RULES / "pilot-approved" / "examples" / "fail.yaml", fixes=True)
    f = finding(report, "pilot-approved", "tt/ubkt-tt", "approval")
    fix = only_fix(f)
    assert not fix.verified and fix.changes == ()
    assert fix.text.vi.startswith("Không có thay đổi đơn lẻ nào trong kế hoạch xóa được vi phạm này. Cần: ")
    assert fix.text.en.startswith("No single change to the plan removes this finding. What would: ")
    assert f.fix.en in fix.text.en  # the rule's own advice
    assert "pilot.approval" in fix.text.en and "only the competent body can issue it" in fix.text.en
    assert fix.to_dict("vi")["field"] is None and fix.to_dict("vi")["entity"]["id"] == "tt/ubkt-tt"


# --------------------------------------------------------------------------- bounds and cost


def test_beyond_the_limit_fixes_are_unverified_hints(policy):
    report = policy.evaluate(RULES / "deputy-cap" / "examples" / "class1-2021.yaml", fixes=FixOptions(limit=1))
    errors = [f for f in report.findings if f.severity == "error"]
    assert [only_fix(f).verified for f in errors] == [True, False, False]
    hint = only_fix(finding(report, "deputy-cap", "sonv/vp"))
    assert hint.text.vi == ("Giảm 1 cấp phó tại Văn phòng Sở (2 → 1). (chưa kiểm chứng: chỉ 1 vi phạm đầu tiên "
                            "được kiểm tra lại cách khắc phục)")
    assert hint.text.en.endswith("(not verified: only the first 1 findings have their fix re-checked)")


def test_fixes_off_costs_nothing(policy, monkeypatch):
    calls = []
    for name in ("facts", "columns"):  # the plan is derived once, as records or as columns
        real = getattr(type(policy), name)
        monkeypatch.setattr(type(policy), name, lambda self, *a, real=real: calls.append(1) or real(self, *a))
    report = policy.evaluate(RULES / "deputy-cap" / "examples" / "class1-2021.yaml", fixes=False, origin=False)
    assert len(calls) == 1
    assert all("fixes" not in f.extra for f in report.findings)
    assert all("fixes" not in f.to_dict() for f in report.findings)


def test_waived_findings_get_no_fix(policy):
    data = policy.load_plan(RULES / "deputy-cap" / "examples" / "class1-2021.yaml")
    waived = replace(data, waivers=(ag18_rules.model.Waiver("deputy-cap", "chuyển tiếp", entity="sonv/vp"),))
    report = policy.evaluate(waived, fixes=True)
    f = finding(report, "deputy-cap", "sonv/vp")
    assert f.waived and "fixes" not in f.extra


# --------------------------------------------------------------------------- verification is exact


def _candidate_plans(policy, path):
    plan = policy.load_plan(path)
    report = policy.evaluate(plan)
    search = _Search(policy, plan, plan.effective, report, _errors(report), FixOptions())
    for f in report.findings[:6]:
        _, _, levers, _ = search._levers(f)
        for lever in levers[:3]:
            yield search, lever.build(1).plan


@pytest.mark.parametrize("path", [p for p in ALL_PLANS if "province" not in p.name], ids=lambda p: p.name)
def test_re_evaluating_only_what_changed_equals_a_full_evaluation(policy, path):
    for search, plan in _candidate_plans(policy, path):
        assert _seen(search._evaluate(plan)) == _seen(policy.evaluate(plan, as_of=search.as_of))


def test_a_merger_keeps_references_consistent():
    plan = ag18_rules.load_plan({
        "format": "ag18-plan/1", "plan": {"id": "m", "effective": "2021-01-01"},
        "before": {"organizations": [{"id": "a", "name": "A", "type": "internal_unit", "parent": "s"},
                                     {"id": "s", "name": "S", "type": "department"}]},
        "after": {
            "organizations": [
                {"id": "s", "name": "S", "type": "department"},
                {"id": "a", "name": "A", "type": "internal_unit", "parent": "s", "staff": {"civil_servants": 4},
                 "job_positions": 4},
                {"id": "b", "name": "B", "type": "internal_unit", "parent": "s",
                 "staff": {"civil_servants": 3, "contract": 1}},
                {"id": "a/x", "name": "X", "type": "other", "parent": "a"},
            ],
            "tasks": [{"id": "t", "name": "T", "lead": "a", "support": ["b"]}],
            "people": [{"id": "p", "posts": [{"org": "a", "role": "head"}]}],
        },
        "transitions": [{"from": "a", "outcome": "transfer", "to": "a", "count": 1}],
    })
    merged = edits.merge_org(plan, "a", "b")
    orgs = {o.id: o for o in merged.after.organizations}
    assert sorted(orgs) == ["a/x", "b", "s"]
    assert orgs["b"].staff == Staff(civil_servants=7, contract=1) and orgs["b"].job_positions == 4
    assert orgs["b"].formed_from == ("a",)  # a existed before: it is now merged away into b
    assert orgs["a/x"].parent == "b"
    (task,) = merged.after.tasks
    assert (task.lead, task.support) == (("b",), ())
    assert merged.after.people[0].posts[0].org == "b"
    assert merged.transitions[0].to == "b"


# --------------------------------------------------------------------------- every rule


@lru_cache(maxsize=1)
def _error_findings() -> tuple:
    """Every unwaived error finding of the bundled examples, with fixes searched without a bound,
    and the keys of the errors its plan has."""
    out = []
    with ag18_rules.load_policy() as p:
        for path in ALL_PLANS:
            report = p.evaluate(path, fixes=FixOptions(limit=10_000))
            errors = frozenset(_errors(report))
            out += [(path, f, errors) for f in report.findings if f.severity == "error" and not f.waived]
    return tuple(out)


@pytest.mark.parametrize("path,f,errors", _error_findings(),
                         ids=[f"{p.parent.parent.name}/{p.stem}:{f.rule}/{f.check}:{f.entity.id}"
                              for p, f, _ in _error_findings()])
def test_every_error_on_the_examples_has_a_verified_fix_or_a_documented_reason(policy, path, f, errors):
    fix = only_fix(f)
    if fix.verified:
        assert fix.changes and fix.text.vi and fix.text.en and fix.text.vi != fix.text.en
        # the change, evaluated again from scratch: the finding is gone and no error is new
        again = policy.evaluate(fix.plan, as_of=policy.load_plan(path).effective)
        assert (f.rule, f.check, f.entity.id) not in {(x.rule, x.check, x.entity.id) for x in again.findings}
        assert not any(n.rule == f.rule and n.entity is not None and n.entity.id == f.entity.id
                       for n in again.not_applicable)
        assert _errors(again) <= errors
        return
    assert (f.rule, f.check) in NO_SINGLE_CHANGE, f"{f.rule}/{f.check} on {f.entity.id}: {fix.text.en}"
    assert fix.text.en.startswith("No single change")
    assert fix.text.vi.startswith("Không có thay đổi đơn lẻ nào")


def test_the_examples_exercise_the_rules_that_report_errors():
    rules = {f.rule for _, f, _ in _error_findings()}
    assert rules >= {"deputy-cap", "no-unit-increase", "no-staff-increase", "one-lead-organization",
                     "task-continuity", "affected-staff-settled", "min-staff-for-unit", "part-time-quota"}


# --------------------------------------------------------------------------- the command


def test_check_shows_fixes_by_default_in_text_and_json():
    path = RULES / "deputy-cap" / "examples" / "class1-2021.yaml"
    code, out, _ = run("check", path)
    assert code == 1
    assert "  Thay đổi đề xuất (đã kiểm tra lại): Giảm 1 cấp phó tại Văn phòng Sở (2 → 1)." in out
    assert "  Cách khắc phục: Giảm số cấp phó của Văn phòng Sở xuống không quá 1." in out  # the rule's own advice stays
    _, out, _ = run("check", path, "--format", "json", "--lang", "en")
    vp = next(f for f in json.loads(out)["findings"] if f["entity"]["id"] == "sonv/vp")
    assert vp["fix"] == "Bring the deputies of Văn phòng Sở down to at most 1."
    assert [(x["field"], x["from"], x["to"], x["verified"], x["text"]) for x in vp["fixes"]] == [
        ("after.organizations[sonv/vp].deputies", 2, 1, True, "Cut the deputies of Văn phòng Sở by 1 (2 → 1).")]
    assert vp["origin"] is None  # this plan has no `before`


def test_check_without_fixes_and_with_a_bound(capsys):
    path = RULES / "deputy-cap" / "examples" / "class1-2021.yaml"
    _, out, _ = run("check", path, "--format", "json", "--no-fixes")
    assert all("fixes" not in f for f in json.loads(out)["findings"])
    _, out, _ = run("check", path, "--format", "json", "--max-fixes", "0")
    assert [x["verified"] for f in json.loads(out)["findings"] for x in f["fixes"]] == [False] * 8
    code, _, _ = run("check", path, "--max-fixes", "many")
    assert code == 2 and "không phải số đếm: 'many'" in capsys.readouterr().err  # argparse writes usage errors itself
    code, _, _ = run("check", path, "--max-fixes", "many", "--lang", "en")
    assert code == 2 and "not a count: 'many'" in capsys.readouterr().err


TWO_RULES = {
    "few-deputies": ("deputies <= 1", "Ít cấp phó", "Few deputies"),
    "some-deputies": ("deputies >= 2", "Đủ cấp phó", "Enough deputies"),
}


def _rule(rule_id: str, require: str, vi: str, en: str) -> str:
    return (f"format: ag18-rule/1\nid: {rule_id}\ntitle: {{vi: {vi}, en: {en}}}\n"
            f"description: {{vi: {vi}., en: {en}.}}\nclause: [GOAL-2021-1]\nquote: \"giảm cấp phó\"\n"
            f"severity: error\nchecks:\n  - id: c\n    applies_to: organization\n    where: \"in_after\"\n"
            f"    require: \"{require}\"\n    message: {{vi: \"{{name}} có {{deputies}} cấp phó.\", "
            f"en: \"{{name}} has {{deputies}} deputies.\"}}\n")


def test_a_change_that_would_break_another_rule_is_shown_but_not_verified(tmp_path):
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    for rule_id, (require, vi, en) in TWO_RULES.items():
        (tmp_path / "rules" / rule_id).mkdir(parents=True)
        (tmp_path / "rules" / rule_id / f"{rule_id}.yaml").write_text(_rule(rule_id, require, vi, en), encoding="utf-8")
    plan = {"format": "ag18-plan/1", "plan": {"id": "p", "effective": "2021-01-01"},
            "after": {"organizations": [{"id": "x", "name": "Phòng X", "type": "other", "deputies": 2}]}}
    with ag18_rules.load_policy(tmp_path) as p:
        report = p.evaluate(plan, fixes=True)
    fix = only_fix(finding(report, "few-deputies", "x"))
    assert not fix.verified
    assert fix.text.vi == ("Không có thay đổi đơn lẻ nào xóa được vi phạm này mà không gây lỗi mới: "
                           "“Giảm 1 cấp phó tại Phòng X (2 → 1)” sẽ gây lỗi some-deputies. "
                           "Cần: thay đổi cơ cấu mà kế hoạch hiện chưa thể hiện được")
    assert fix.text.en.startswith("No single change removes this finding without a new error: "
                                  "“Cut the deputies of Phòng X by 1 (2 → 1)” would break some-deputies.")
    assert [(c.field, c.old, c.new) for c in fix.changes] == [("after.organizations[x].deputies", 2, 1)]


# --------------------------------------------------------------------------- generated plans


@settings(CI, max_examples=40)
@given(plans())
def test_on_generated_plans_every_verified_fix_survives_a_full_evaluation(policy, plan):
    report = policy.evaluate(plan, fixes=True)
    errors = _errors(report)
    for f in report.findings:
        for fix in f.extra.get("fixes", ()):
            if not fix.verified:
                continue
            again = policy.evaluate(fix.plan, as_of=report.as_of)
            assert (f.rule, f.check, f.entity.id) not in {(x.rule, x.check, x.entity.id) for x in again.findings}
            assert _errors(again) <= errors, (f.rule, f.check, f.entity.id, fix.text.en)


@settings(CI, max_examples=25)
@given(plans())
def test_on_generated_plans_fix_search_is_deterministic(policy, plan):
    first = policy.evaluate(plan, fixes=True, origin=True)
    assert policy.evaluate(plan, fixes=True, origin=True).to_json("en") == first.to_json("en")


def _seen(report):
    return ([(f.rule, f.check, f.entity.id, f.severity, bool(f.waived), f.message.en, dict(f.values))
             for f in report.findings],
            [(n.rule, n.check, n.entity.id if n.entity else None, n.reason.en) for n in report.not_applicable])


@settings(CI, max_examples=30)
@given(plans())
def test_on_generated_plans_re_evaluating_what_changed_equals_a_full_evaluation(policy, plan):
    report = policy.evaluate(plan)
    search = _Search(policy, plan, report.as_of, report, _errors(report), FixOptions())
    for f in report.findings[:5]:
        _, _, levers, _ = search._levers(f)
        for lever in levers[:3]:
            changed = lever.build(1).plan
            assert _seen(search._evaluate(changed)) == _seen(policy.evaluate(changed, as_of=report.as_of))


def test_every_lever_moves_a_fact_of_the_catalogue():
    from ag18_rules.facts import CATALOGUE
    from ag18_rules.levers import LEVERS

    assert [key for key in LEVERS if key[1] not in CATALOGUE[key[0]]] == []


def test_many_units_under_one_parent_cost_the_fix_search_linear_work(monkeypatch):
    """1,500 sub-standard hamlets of one commune: each finding looks at a few ranked siblings, never
    at all of them (the search was quadratic: 10,000 units took over 400 s)."""
    from ag18_rules.levers.base import PlanIndex

    hamlets = [{"id": f"c/ap-{i:04d}", "name": f"Ấp {i}", "level": "hamlet", "kind": "ap", "parent": "c",
                "terrain": "plains", "households": 100 + i % 50} for i in range(1500)]
    plan = {"format": "ag18-plan/1", "plan": {"id": "many", "effective": "2021-01-01"},
            "after": {"admin_units": [{"id": "c", "name": "Xã C", "level": "commune", "kind": "xa",
                                       "terrain": "plains"}, *hamlets]}}
    looked, built = [], []
    siblings, init = PlanIndex.unit_siblings, PlanIndex.__init__
    monkeypatch.setattr(PlanIndex, "unit_siblings",
                        lambda self, unit, limit: looked.append(unit.id) or siblings(self, unit, limit))
    monkeypatch.setattr(PlanIndex, "__init__", lambda self, *a: built.append(1) or init(self, *a))
    report = ag18_rules.load_policy().evaluate(plan, fixes=True)
    merge = [f for f in report.findings if f.rule == "hamlet-merge-required"]
    assert len(merge) == 1500
    assert len(built) == 1 and len(looked) >= 1500  # one index, every finding sized from it
    first = merge[0].extra["fixes"][0]
    assert first.verified and first.changes[0].field == f"after.admin_units[{merge[0].entity.id}]"

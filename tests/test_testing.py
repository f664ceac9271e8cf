"""Invariants of the engine, each a Hypothesis property over generated plans; and the strategies
themselves (valid plans, compliant plans that pass, mutations that break exactly their rule).

Every property runs on the python backend (the oracle) with explicit example counts, so the
module stays within about a minute; tests/test_differential.py holds the backends equal.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys

import pytest
import yaml
from hypothesis import HealthCheck, find, given, settings
from hypothesis.errors import NoSuchExample
from hypothesis import strategies as st

import ag18_rules
from ag18_rules.model import Plan
from ag18_rules.plan import load_plan, plan_to_dict
from ag18_rules.testing import CI, compliant_plans, effective_dates, mutants, mutations, plans, sample_plans
from ag18_rules.testing._base import DrawChoices, SeededChoices

LISTS = ("organizations", "tasks", "admin_units", "people")


@pytest.fixture(scope="module")
def policy():
    with ag18_rules.load_policy() as p:
        yield p


def _errors(report) -> list:
    return [f for f in report.findings if f.severity == "error" and not f.waived]


def _show(findings) -> str:
    return "\n".join(f"{f.rule}/{f.check} {f.severity} on {f.entity.id}: {f.message.en}" for f in findings)


# --------------------------------------------------------------------------- the strategies


@settings(CI, max_examples=60)
@given(plans())
def test_generated_plans_are_valid_and_survive_their_file_form(plan):
    """A generated plan reloads from its file form unchanged: it met the schema and every
    reference resolved (load_plan rejects anything else), and nothing was lost on the way."""
    again = load_plan(plan_to_dict(plan), filename=plan.source)
    assert again == plan
    after_orgs = {o.id for o in plan.after.organizations}
    assert all(t.to in after_orgs for t in plan.transitions if t.outcome == "transfer")


@settings(CI, max_examples=30)
@given(plans(organizations=(2, 3), tasks=0, admin_units=(1, 1), people=0, transitions=0, waivers=0,
             before=False, baseline=True, dates=st.just(dt.date(2021, 6, 30))))
def test_size_and_feature_knobs_are_obeyed(plan):
    assert 2 <= len(plan.after.organizations) <= 3
    assert plan.after.tasks == () and plan.after.people == () and len(plan.after.admin_units) == 1
    assert plan.before is None and plan.baseline is not None
    assert plan.transitions == () and plan.waivers == ()
    assert plan.effective == dt.date(2021, 6, 30)


def test_dates_reach_both_sides_of_a_decree():
    """Decree 107/2020 takes effect on 2020-11-25: the day before and the day itself both come up."""
    days = effective_dates(start=dt.date(2020, 1, 1), end=dt.date(2020, 12, 31))
    for day in (dt.date(2020, 11, 24), dt.date(2020, 11, 25)):
        assert find(days, lambda d, day=day: d == day, settings=settings(max_examples=300, database=None)) == day
    with pytest.raises(NoSuchExample):
        find(days, lambda d: not dt.date(2020, 1, 1) <= d <= dt.date(2020, 12, 31),
             settings=settings(max_examples=100, database=None))


@settings(CI, max_examples=120)
@given(compliant_plans())
def test_compliant_plans_pass(policy, plan):
    """Built to pass, never filtered: the policy finds no unwaived error in any of them."""
    report = policy.evaluate(plan, fixes=False)
    assert report.verdict == "pass", _show(_errors(report))
    assert not [f for f in report.findings if f.severity == "error"], "compliant plans need no waiver"


@settings(CI, max_examples=30)
@given(compliant_plans(fast=True), plans(fast=True))
def test_fast_mode_builds_the_same_kinds_of_plan(policy, good, any_plan):
    assert policy.evaluate(good, fixes=False).verdict == "pass"
    assert load_plan(plan_to_dict(any_plan)) == any_plan


def test_sample_plans_are_the_same_on_every_run_and_of_every_kind(policy):
    first = list(sample_plans(policy, 25, seed=3))
    again = list(sample_plans(policy, 25, seed=3))
    assert [(k, plan_to_dict(p)) for k, p in first] == [(k, plan_to_dict(p)) for k, p in again]
    assert {k for k, _ in first} == {"any", "compliant", "mutant"}
    for kind, plan in first:
        if kind == "compliant":
            assert policy.evaluate(plan, fixes=False).verdict == "pass"
    assert [plan_to_dict(p) for _, p in sample_plans(policy, 5, seed=4)] != [plan_to_dict(p) for _, p in first[:5]]


def test_seeded_choices_are_reproducible():
    a, b = SeededChoices(7), SeededChoices(7)
    assert [a.integer(0, 1000) for _ in range(20)] == [b.integer(0, 1000) for _ in range(20)]
    c = SeededChoices(1)
    assert sorted(c.shuffled(range(10))) == list(range(10))
    assert len(set(c.subset("abcdef", 2, 4))) in (2, 3, 4)


def test_import_ag18_rules_does_not_import_hypothesis():
    code = "import sys, ag18_rules, ag18_rules.pytest_plugin; print('hypothesis' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --------------------------------------------------------------------------- mutations


@pytest.mark.parametrize("name", sorted(mutations))
def test_each_mutation_triggers_its_rule_and_no_other_error(policy, name):
    """A mutation of a compliant plan is reported by its rule (and by the rules its violation
    implies), and by no other rule as an error."""
    mutation = mutations[name]

    @settings(CI, max_examples=12, suppress_health_check=list(CI.suppress_health_check) + [HealthCheck.filter_too_much])
    @given(mutants(policy, only=[name]))
    def check(mutant):
        report = policy.evaluate(mutant.plan, fixes=False)
        assert any(f.rule == mutation.rule for f in report.findings), f"{name} did not trigger {mutation.rule}"
        allowed = {mutation.rule, *mutation.implies}
        assert not [f for f in _errors(report) if f.rule not in allowed], _show(_errors(report))

    check()


def test_mutations_cover_the_rules():
    required = {"deputy-cap", "no-new-intermediate", "one-lead-organization", "task-continuity", "no-unit-increase",
                "no-staff-increase", "affected-staff-settled", "staff-reduction-target"}
    covered = {m.rule for m in mutations.values()}
    assert required <= covered
    with ag18_rules.load_policy() as shipped:
        assert covered <= shipped.rule_ids
        missing = shipped.rule_ids - covered
    assert not missing, f"rules with no mutation yet: {sorted(missing)}"


def test_a_mutation_gives_none_where_the_plan_has_no_place_for_it(policy):
    bare = load_plan({"format": "ag18-plan/1", "plan": {"id": "p", "effective": "2021-01-01"},
                      "after": {"organizations": [{"id": "a", "name": "Sở A", "type": "department"}]}})
    assert mutations["dropped-task"](bare, policy) is None  # no `before`
    assert mutations["understaffed-unit"](bare, policy) is None
    assert mutations["task-without-lead"](bare, policy) is not None


def test_mutants_refuse_unknown_names(policy):
    with pytest.raises(ValueError, match="no-such-mutation"):
        mutants(policy, only=["no-such-mutation"])


def test_deputy_beyond_cap_goes_exactly_one_past_the_cap(policy):
    """Class 1, 2021: an internal unit of a department with 10 civil servants may have 2 deputies."""
    plan = load_plan({
        "format": "ag18-plan/1", "plan": {"id": "p", "effective": "2021-01-01", "province_class": 1},
        "after": {"organizations": [
            {"id": "so", "name": "Sở", "type": "department", "staff": {"civil_servants": 20}, "job_positions": 20},
            {"id": "so/p", "name": "Phòng", "type": "internal_unit", "parent": "so",
             "staff": {"civil_servants": 10}, "job_positions": 10}]}})
    mutated = mutations["deputy-beyond-cap"](plan, policy, order=lambda items: sorted(items, reverse=True))
    assert {o.id: o.deputies for o in mutated.after.organizations} == {"so": 0, "so/p": 3}


# --------------------------------------------------------------------------- invariants


@pytest.fixture(scope="module")
def second_policy():
    with ag18_rules.load_policy() as p:
        yield p


@settings(CI, max_examples=40)
@given(plans())
def test_same_input_gives_byte_identical_output(policy, second_policy, tmp_path_factory, plan):
    """Twice with one policy, once with another, and once from the plan written as YAML:
    the same bytes, in both languages."""
    path = tmp_path_factory.mktemp("plan") / "plan.yaml"
    path.write_text(yaml.safe_dump(plan_to_dict(plan), allow_unicode=True, sort_keys=False), encoding="utf-8")
    first = policy.evaluate(plan)
    others = [policy.evaluate(plan), second_policy.evaluate(plan), policy.evaluate(path)]
    for lang in ("vi", "en"):
        for other in others:
            assert other.to_json(lang) == first.to_json(lang)


_TOKEN = re.compile(r"QQ[a-z]{6}QQ")


def _rename(data: dict, new: dict[str, str]) -> dict:
    """The plan in file form with every entity id renamed; rule ids stay as they are."""
    def one(value):
        return new.get(value, value) if isinstance(value, str) else [new.get(v, v) for v in value]

    out = json.loads(json.dumps(data))
    out["plan"]["id"] = new[out["plan"]["id"]]
    for snap in ("before", "after"):
        for key in LISTS:
            for item in (out.get(snap) or {}).get(key, ()):
                for field in ("id", "parent", "formed_from", "lead", "lead_person", "support"):
                    if item.get(field) is not None:
                        item[field] = one(item[field])
                for post in item.get("posts", ()):
                    post["org"] = new[post["org"]]
    for move in out.get("transitions", ()):
        move["from"] = new[move["from"]]
        if move.get("to"):
            move["to"] = new[move["to"]]
    for waiver in out.get("waivers", ()):
        if waiver.get("entity"):
            waiver["entity"] = new[waiver["entity"]]
    return out


def _all_ids(data: dict) -> list[str]:
    found = {data["plan"]["id"]}
    for snap in ("before", "after"):
        for key in LISTS:
            found.update(item["id"] for item in (data.get(snap) or {}).get(key, ()))
    return sorted(found)


@settings(CI, max_examples=60)
@given(plans(), st.data())
def test_renaming_ids_and_reordering_lists_change_nothing_but_the_names(policy, plan, data):
    """Ids renamed (keeping their order, since the report's findings are sorted by entity id) and
    the lists shuffled: the report, with the old ids put back, is the same bytes."""
    original = plan_to_dict(plan)
    old = _all_ids(original)
    bodies = data.draw(st.lists(st.text("abcdefghijklmnopqrstuvwxyz", min_size=6, max_size=6),
                                min_size=len(old), max_size=len(old), unique=True))
    new = dict(zip(old, (f"QQ{b}QQ" for b in sorted(bodies))))
    renamed = _rename(original, new)
    for snap in ("before", "after"):
        for key in LISTS:
            if key in (renamed.get(snap) or {}):
                renamed[snap][key] = data.draw(st.permutations(renamed[snap][key]))
    for key in ("transitions", "waivers"):
        if key in renamed:
            renamed[key] = data.draw(st.permutations(renamed[key]))
    back = {v: k for k, v in new.items()}
    for lang in ("vi", "en"):
        expected = policy.evaluate(plan, fixes=False).to_json(lang)
        got = _TOKEN.sub(lambda m: back[m.group(0)], policy.evaluate(renamed, fixes=False).to_json(lang))
        assert got == expected


def test_reordering_two_waivers_of_one_finding_changes_nothing(policy):
    org = {"id": "so-a", "name": "Sở A", "type": "department"}
    plan = {"format": "ag18-plan/1", "plan": {"id": "p", "effective": "2021-01-01"},
            "before": {"organizations": [org]}, "after": {"organizations": [org]},
            "waivers": [{"rule": "fewer-units", "reason": "Lý do", "reference": "Công văn 1"},
                        {"rule": "fewer-units", "reason": "Lý do", "reference": "Công văn 2"}]}
    swapped = dict(plan, waivers=plan["waivers"][::-1])
    assert [f.rule for f in policy.evaluate(plan, fixes=False).findings if f.waived] == ["fewer-units"]
    assert policy.evaluate(swapped, fixes=False).to_json() == policy.evaluate(plan, fixes=False).to_json()


def test_swapping_the_ids_of_two_members_of_a_merger_group_moves_nothing(policy):
    def split(first: str, second: str) -> dict:
        return {"format": "ag18-plan/1", "plan": {"id": "p", "effective": "2021-01-01"},
                "before": {"organizations": [{"id": "s", "name": "Sở", "type": "department",
                                              "staff": {"civil_servants": 10}}]},
                "after": {"organizations": [
                    {"id": first, "name": "Phòng Một", "type": "department", "formed_from": ["s"],
                     "staff": {"civil_servants": 6}},
                    {"id": second, "name": "Phòng Hai", "type": "department", "formed_from": ["s"],
                     "staff": {"civil_servants": 6}}]}}

    def carriers(report) -> set:
        return {(f.check, f.entity.name) for f in report.findings if f.rule == "no-staff-increase"}

    # the group's findings go to the member first by name (then by id)
    assert ("merger", "Phòng Hai") in carriers(policy.evaluate(split("a", "b"), fixes=False))
    assert carriers(policy.evaluate(split("b", "a"), fixes=False)) == carriers(policy.evaluate(split("a", "b"), fixes=False))


def _cut(data: dict, snap: str, oid: str, change) -> dict:
    out = json.loads(json.dumps(data))
    change(next(o for o in out[snap]["organizations"] if o["id"] == oid))
    return out


@settings(CI, max_examples=80)
@given(plans(before=True), st.data())
def test_removing_counted_staff_from_after_never_creates_a_no_staff_increase_finding(policy, plan, data):
    counted = [o for o in plan.after.organizations if o.staff.civil_servants + o.staff.public_employees > 0]
    if not counted:
        return
    org = data.draw(st.sampled_from(counted))
    category = data.draw(st.sampled_from([c for c in ("civil_servants", "public_employees")
                                          if getattr(org.staff, c) > 0]))
    taken = data.draw(st.integers(1, getattr(org.staff, category)))

    def cut(o):
        o["staff"][category] -= taken

    before = {(f.check, f.entity.id) for f in policy.evaluate(plan, fixes=False).findings if f.rule == "no-staff-increase"}
    smaller = policy.evaluate(_cut(plan_to_dict(plan), "after", org.id, cut), fixes=False)
    after = {(f.check, f.entity.id) for f in smaller.findings if f.rule == "no-staff-increase"}
    assert after <= before


@settings(CI, max_examples=80)
@given(plans(), st.data())
def test_removing_a_deputy_never_creates_a_deputy_cap_finding(policy, plan, data):
    """Not for that organisation, nor for the plan.  Its sub-units are the one exception, by the
    rule's own words: a unit may have no more deputies than the one above it (not-above-parent)."""
    with_deputies = [o for o in plan.after.organizations if o.deputies > 0]
    if not with_deputies:
        return
    org = data.draw(st.sampled_from(with_deputies))
    before = {(f.check, f.entity.id) for f in policy.evaluate(plan, fixes=False).findings if f.rule == "deputy-cap"}
    fewer = policy.evaluate(_cut(plan_to_dict(plan), "after", org.id, lambda o: o.update(deputies=o["deputies"] - 1)))
    children = {o.id for o in plan.after.organizations if o.parent == org.id}
    new = {(f.check, f.entity.id) for f in fewer.findings if f.rule == "deputy-cap"} - before
    assert all(check == "not-above-parent" and entity in children for check, entity in new), new


@settings(CI, max_examples=80)
@given(plans(), st.data())
def test_a_waiver_only_removes_failures(policy, plan, data):
    """The same findings, values and messages; some may become waived; none stops being waived;
    the unwaived errors shrink or stay; a passing plan still passes."""
    original = plan_to_dict(plan)
    ids = _all_ids(original)
    waiver = {"rule": data.draw(st.sampled_from(sorted(policy.rule_ids))), "reason": "Miễn trừ thử nghiệm",
              "entity": data.draw(st.sampled_from([None] + ids))}
    if data.draw(st.booleans()):
        waiver["expires"] = (plan.effective + dt.timedelta(days=data.draw(st.integers(-2, 2)))).isoformat()
    waived = dict(original, waivers=original.get("waivers", []) + [{k: v for k, v in waiver.items() if v is not None}])
    one, two = policy.evaluate(plan, fixes=False), policy.evaluate(waived, fixes=False)

    def plain(f):
        return (f.rule, f.check, f.severity, f.entity, f.message, tuple(sorted(f.values.items(), key=str)))

    assert [plain(f) for f in one.findings] == [plain(f) for f in two.findings]
    assert all(b.waived or not a.waived for a, b in zip(one.findings, two.findings))
    assert {plain(f) for f in _errors(two)} <= {plain(f) for f in _errors(one)}
    assert one.verdict == "fail" or two.verdict == "pass"
    assert one.not_applicable == two.not_applicable


@settings(CI, max_examples=60)
@given(st.one_of(plans(), mutants().map(lambda m: m.plan)))
def test_the_json_report_round_trips(policy, plan):
    """The JSON text parses back to the report's data, and writing that data again gives the same text."""
    report = policy.evaluate(plan, explain=True, fixes=False)
    for lang in ("vi", "en"):
        text = report.to_json(lang)
        assert json.loads(text) == report.to_dict(lang)
        assert json.dumps(json.loads(text), ensure_ascii=False, indent=2) == text


def test_draw_choices_draw_through_hypothesis():
    @settings(CI, max_examples=5)
    @given(st.data())
    def check(data):
        c = DrawChoices(data.draw)
        assert 3 <= c.integer(3, 9) <= 9
        assert c.choice("xyz") in "xyz"
        assert sorted(c.shuffled([3, 1, 2])) == [1, 2, 3]

    check()


def test_plans_are_plans():
    @settings(CI, max_examples=3)
    @given(plans(), compliant_plans())
    def check(a, b):
        assert isinstance(a, Plan) and isinstance(b, Plan)

    check()

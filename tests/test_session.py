"""Incremental sessions: edits in the form of a fix's changes, deltas, refusals that change nothing,
and the property that a session's report is always a fresh evaluation of its plan."""
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ag18_rules
from ag18_rules import InputError
from ag18_rules.plan import load_plan, plan_to_dict

ROOT = Path(__file__).resolve().parent.parent
DRAFT = ROOT / "examples" / "sonv-offices-2021-draft1.yaml"
PROVINCE = ROOT / "examples" / "province-2021.yaml"
HAMLETS = ROOT / "examples" / "hamlets-2020.yaml"


@pytest.fixture(scope="module")
def policy():
    return ag18_rules.load_policy()


def keys(findings):
    return sorted((f.rule, f.check, f.entity.id) for f in findings)


def fresh(policy, session):
    return policy.evaluate(session.plan, as_of=session.as_of, fixes=False, origin=False)


def test_a_session_reports_what_evaluate_reports(policy):
    session = policy.session(DRAFT)
    assert session.report == policy.evaluate(DRAFT, fixes=False, origin=False)
    assert session.plan == load_plan(DRAFT)


def test_every_verified_fix_applies_as_it_is_and_removes_its_finding(policy):
    report = policy.evaluate(DRAFT, fixes=True)
    session = policy.session(DRAFT)
    applied = 0
    for finding in report.findings:
        fix = finding.extra["fixes"][0]
        if not fix.verified:
            continue
        changes = [c.to_dict() for c in fix.changes]  # the JSON form an application receives
        delta = session.apply(changes)
        assert (finding.rule, finding.check, finding.entity.id) in keys(delta.removed)
        assert not [f for f in delta.added if f.severity == "error"]
        assert session.report == fresh(policy, session)
        applied += 1
    assert applied >= 5
    assert not [f for f in session.report.findings if f.severity == "error"]


def test_delta_names_added_removed_and_changed_findings(policy):
    session = policy.session(DRAFT)
    delta = session.apply([{"field": "after.organizations[sonv/thanh-tra].deputies", "to": 1}])
    assert keys(delta.removed) == [("deputy-cap", "inspectorate", "sonv/thanh-tra")]
    assert delta.added == () and delta.changed == ()
    delta = session.apply([{"field": "after.organizations[sonv/thanh-tra].deputies", "to": 4}])
    # 4 deputies also exceeds the 2 the inspectorate had before the plan
    assert keys(delta.added) == [("deputy-cap", "inspectorate", "sonv/thanh-tra"),
                                 ("fewer-deputies", "continuing", "sonv/thanh-tra")]
    assert [f.values["deputies"] for f in delta.added] == [4, 4]
    delta = session.apply([{"field": "after.organizations[sonv/thanh-tra].deputies", "to": 3}])
    assert ("deputy-cap", "inspectorate", "sonv/thanh-tra") in keys(delta.changed)
    assert {f.values["deputies"] for f in delta.changed} == {3}
    assert delta.added == () and delta.removed == ()
    assert not session.apply([{"field": "after.organizations[sonv/thanh-tra].deputies", "to": 3}])


@pytest.mark.parametrize("change, field, code", [
    ({"field": "after.organizations[no-such-org].deputies", "to": 1},
     "after.organizations[no-such-org].deputies", "bad-change"),
    ({"field": "after.organizations[sonv/thanh-tra].deputies", "to": -1},
     "after.organizations[sonv/thanh-tra].deputies", "bad-value"),
    ({"field": "after.organizations[sonv/thanh-tra].deputies", "to": "two"},
     "after.organizations[sonv/thanh-tra].deputies", None),
    ({"field": "after.organizations[sonv/thanh-tra].colour", "to": "red"},
     "after.organizations[sonv/thanh-tra]", None),
    ({"field": "after.organizations[sonv/thanh-tra].parent", "to": "sonv/nowhere"},
     "after.organizations[sonv/thanh-tra].parent", "unknown-reference"),
    ({"field": "after.tasks[kiem-tra-cong-vu].lead", "to": "sonv/nowhere"},
     "after.tasks[kiem-tra-cong-vu].lead", "unknown-reference"),
    ({"field": "after..deputies", "to": 1}, "after..deputies", "bad-change"),
    ({"field": "transitions[99].count", "to": 1}, "transitions[99].count", "bad-change"),
])
def test_a_bad_change_names_its_field_and_changes_nothing(policy, change, field, code):
    session = policy.session(DRAFT)
    plan, report = session.plan, session.report
    good = {"field": "after.organizations[sonv/phong-tccb-ccvc].deputies", "to": 2}
    with pytest.raises(InputError) as caught:
        session.apply([good, change])
    paths = [d.path for d in caught.value.diagnostics]
    assert any(p.startswith(field) for p in paths), paths
    if code:
        assert code in [d.code for d in caught.value.diagnostics]
    assert session.plan is plan and session.report is report  # the good change was not kept either
    assert session.to_dict() == plan_to_dict(plan)


def test_a_parent_cycle_is_refused(policy):
    session = policy.session(DRAFT)
    child = next(o for o in session.plan.after.organizations if o.parent)
    with pytest.raises(InputError) as caught:
        session.apply([{"field": f"after.organizations[{child.parent}].parent", "to": child.id}])
    assert "parent-cycle" in [d.code for d in caught.value.diagnostics]


def test_organisations_and_tasks_are_added_and_removed(policy):
    session = policy.session(DRAFT)
    n_orgs = len(session.plan.after.organizations)
    delta = session.apply([{"field": "after.organizations[sonv/phong-moi]", "to": {
        "name": "Phòng mới", "type": "internal_unit", "parent": "sonv", "deputies": 5,
        "staff": {"civil_servants": 6}}}])
    assert len(session.plan.after.organizations) == n_orgs + 1
    assert ("deputy-cap", "department-unit", "sonv/phong-moi") in keys(delta.added)
    delta = session.apply([{"field": "after.organizations[sonv/phong-moi]", "to": None}])
    assert ("deputy-cap", "department-unit", "sonv/phong-moi") in keys(delta.removed)
    assert len(session.plan.after.organizations) == n_orgs
    session.apply([{"field": "after.tasks[new-task]", "to": {"name": "Việc mới", "lead": "sonv"}}])
    assert "new-task" in {t.id for t in session.plan.after.tasks}
    session.apply([{"field": "after.tasks[new-task]", "to": None}])
    assert "new-task" not in {t.id for t in session.plan.after.tasks}
    assert session.report == fresh(policy, session)


def test_admin_unit_numbers_and_the_written_plan(policy, tmp_path):
    session = policy.session(HAMLETS)
    unit = next(u for u in session.plan.after.admin_units if u.population is not None)
    session.apply([{"field": f"after.admin_units[{unit.id}].population", "to": 1},
                   {"field": f"after.admin_units[{unit.id}].area_km2", "to": 0.5}])
    edited = next(u for u in session.plan.after.admin_units if u.id == unit.id)
    assert (edited.population, edited.area_km2) == (1, 0.5)
    import json

    path = tmp_path / "edited.json"
    path.write_text(json.dumps(plan_to_dict(session.plan), ensure_ascii=False), encoding="utf-8")
    assert policy.evaluate(path, fixes=False, origin=False).findings == session.report.findings


def test_replaying_the_same_changes_gives_the_same_plan(policy):
    history = [
        [{"field": "after.organizations[sonv/thanh-tra].deputies", "to": 1}],
        [{"field": "plan.approval.status", "to": "submitted"}],
        [{"field": "transitions", "to": {"from": "sonv/chi-cuc-vtlt", "outcome": "streamlining", "count": 1}}],
    ]
    one, two = policy.session(DRAFT), policy.session(DRAFT)
    for changes in history:
        one.apply(changes)
    for changes in history:
        two.apply(changes)
    assert one.plan == two.plan and one.to_dict() == two.to_dict()
    assert one.report.to_json() == two.report.to_json()
    undone = policy.session(DRAFT)
    for changes in history[:-1]:
        undone.apply(changes)
    assert len(undone.plan.transitions) == len(one.plan.transitions) - 1


# --------------------------------------------------------------------------- the property


def _org_changes(plan):
    orgs = [o.id for o in plan.after.organizations]
    before = [o.id for o in plan.before.organizations] if plan.before else []
    tasks = [t.id for t in plan.after.tasks]
    people = [p.id for p in plan.after.people]
    units = [u.id for u in plan.after.admin_units]
    org = st.sampled_from(orgs or ["nowhere"])
    small = st.integers(min_value=0, max_value=12)
    choices = [] if not orgs else [
        st.builds(lambda o, n: {"field": f"after.organizations[{o}].deputies", "to": n}, org, small),
        st.builds(lambda o, n: {"field": f"after.organizations[{o}].heads", "to": n}, org, st.integers(0, 3)),
        st.builds(lambda o, c, n: {"field": f"after.organizations[{o}].staff.{c}", "to": n}, org,
                  st.sampled_from(["civil_servants", "public_employees", "contract"]), st.integers(0, 60)),
        st.builds(lambda o, p: {"field": f"after.organizations[{o}].parent", "to": p}, org,
                  st.sampled_from(orgs + [None, "nowhere"])),
        st.builds(lambda o, t: {"field": f"after.organizations[{o}].type", "to": t}, org,
                  st.sampled_from(["internal_unit", "department", "inspectorate", "sub_department", "bogus"])),
        st.builds(lambda o, b: {"field": f"after.organizations[{o}].intermediate", "to": b}, org, st.booleans()),
        st.builds(lambda o: {"field": f"after.organizations[{o}]", "to": None}, org),
        st.builds(lambda i, d: {"field": f"after.organizations[new-{i}]", "to": {
            "name": f"Mới {i}", "type": "internal_unit", "parent": orgs[0] if orgs else None, "deputies": d}},
            st.integers(0, 3), small),
    ]
    if orgs:
        choices.append(st.builds(lambda o, n: {"field": f"after.organizations[{o}].name", "to": n}, org,
                                 st.sampled_from(["A", "Phòng Z", "Ban M"])))
    if before:
        choices.append(st.builds(lambda o, s: {"field": f"after.organizations[{o}].formed_from", "to": s}, org,
                                 st.lists(st.sampled_from(before + ["gone"]), max_size=3, unique=True)))
        choices.append(st.builds(lambda f, out, t, n: {"field": "transitions", "to": {
            "from": f, "outcome": out, "count": n, **({"to": t} if out == "transfer" else {})}},
            st.sampled_from(before), st.sampled_from(["streamlining", "transfer", "retirement"]),
            st.sampled_from(orgs or ["nowhere"]), st.integers(0, 5)))
    if plan.transitions:
        choices.append(st.builds(lambda i, n: {"field": f"transitions[{i}].count", "to": n},
                                 st.integers(0, len(plan.transitions) - 1), st.integers(0, 9)))
    choices.append(st.builds(lambda s: {"field": "plan.approval.status", "to": s},
                             st.sampled_from(["draft", "submitted", "approved"])))
    choices.append(st.builds(lambda n: {"field": "baseline.staff", "to": n}, st.integers(0, 500)))
    if tasks and orgs:
        task = st.sampled_from(tasks)
        choices += [
            st.builds(lambda t, ls: {"field": f"after.tasks[{t}].lead", "to": ls}, task,
                      st.one_of(st.sampled_from(orgs), st.lists(st.sampled_from(orgs), max_size=3, unique=True))),
            st.builds(lambda t: {"field": f"after.tasks[{t}]", "to": None}, task),
            st.builds(lambda i, o: {"field": f"after.tasks[added-{i}]", "to": {"name": f"Việc {i}", "lead": o}},
                      st.integers(0, 2), st.sampled_from(orgs)),
        ]
        if people:
            choices.append(st.builds(lambda t, p: {"field": f"after.tasks[{t}].lead_person", "to": p}, task,
                                     st.sampled_from(people)))
    if units:
        unit = st.sampled_from(units)
        choices += [
            st.builds(lambda u, n: {"field": f"after.admin_units[{u}].population", "to": n}, unit,
                      st.integers(0, 30000)),
            st.builds(lambda u, n: {"field": f"after.admin_units[{u}].households", "to": n}, unit,
                      st.integers(0, 800)),
            st.builds(lambda u, n: {"field": f"after.admin_units[{u}].part_time_workers", "to": n}, unit,
                      st.integers(0, 30)),
            st.builds(lambda u, a: {"field": f"after.admin_units[{u}].area_km2", "to": a}, unit,
                      st.floats(0, 400, allow_nan=False).map(lambda x: round(x, 2))),
            st.builds(lambda u, m: {"field": f"after.admin_units[{u}].allowance.mode", "to": m}, unit,
                      st.sampled_from(["lump_sum", "per_person", "bogus"])),
            st.builds(lambda u, c: {"field": f"after.admin_units[{u}].class", "to": c}, unit, st.integers(0, 4)),
        ]
    return st.lists(st.lists(st.one_of(choices), min_size=1, max_size=3), min_size=1, max_size=5)


EXAMPLES = int(os.environ.get("AG18_SESSION_EXAMPLES", "15"))


@pytest.mark.parametrize("path", [DRAFT, HAMLETS, PROVINCE, ROOT / "examples" / "district-party-2019.yaml"],
                         ids=lambda p: p.stem)
def test_after_any_changes_the_report_is_a_fresh_evaluation(policy, path):
    plan = load_plan(path)

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(_org_changes(plan))
    def check(history):
        session = policy.session(plan)
        for changes in history:
            kept_plan, kept_report = session.plan, session.report
            try:
                session.apply(changes)
            except InputError as error:
                assert error.diagnostics and all(d.path for d in error.diagnostics)
                assert session.plan is kept_plan and session.report is kept_report
                continue
            assert session.report == fresh(policy, session)
        assert load_plan(plan_to_dict(session.plan)) == session.plan

    check()


def test_a_repeated_transition_settles_positions_again(policy):
    """An appended copy of an existing transition is an edit too (the local path compares by position)."""
    session = policy.session(DRAFT)
    settle = {"field": "transitions", "to": {"from": "sonv/chi-cuc-vtlt", "outcome": "streamlining", "count": 1}}
    session.apply([settle])
    session.apply([settle])
    assert len(session.plan.transitions) == len(load_plan(DRAFT).transitions) + 2
    assert session.report == fresh(policy, session)

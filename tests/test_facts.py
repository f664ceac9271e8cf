"""Facts derived from plans: merger groups, settlement of removed positions, statuses."""
import datetime as dt

from ag18_rules.expr.types import Type
from ag18_rules.facts import CATALOGUE, derive, render_markdown
from ag18_rules.model import (Organization, Person, Plan, Post, Snapshot, Staff, Task,
                              Transition, Baseline, Pilot)


def org(id, **kw):
    kw.setdefault("name", id.upper())
    kw.setdefault("type", "internal_unit")
    return Organization(id=id, **kw)


def staff(cs, pe=0, contract=0):
    return Staff(civil_servants=cs, public_employees=pe, contract=contract)


def facts_of(table, kind, id):
    for ref, entity in zip(table.refs, table.entities):
        if ref.kind == kind and ref.id == id:
            return entity.values
    raise KeyError((kind, id))


def merger_plan(transitions=()):
    before = Snapshot(organizations=(
        org("d", type="department", staff=staff(4)),
        org("a", parent="d", staff=staff(8, 1), deputies=2),
        org("b", parent="d", staff=staff(5, 0, 3), deputies=1, intermediate=True),
        org("c", parent="d", staff=staff(6)),
    ))
    after = Snapshot(organizations=(
        org("d", type="department", staff=staff(4)),
        org("ab", parent="d", formed_from=("a", "b"), staff=staff(10), deputies=2),
        org("n", parent="d", staff=staff(2)),
    ))
    return Plan(id="p", effective=dt.date(2021, 1, 1), before=before, after=after,
                transitions=tuple(transitions), baseline=Baseline(2015, 40))


def test_statuses_and_was_intermediate():
    t = derive(merger_plan())
    assert facts_of(t, "organization", "ab")["status"] == "formed"
    assert facts_of(t, "organization", "ab")["was_intermediate"] is True  # b was intermediate
    assert facts_of(t, "organization", "a")["status"] == "merged_away"
    assert facts_of(t, "organization", "c")["status"] == "dissolved"
    assert facts_of(t, "organization", "n")["status"] == "new"
    assert facts_of(t, "organization", "d")["status"] == "continuing"
    assert facts_of(t, "organization", "n")["counted_staff_before"] is None


def test_merger_group_totals_on_its_representative():
    t = derive(merger_plan())
    ab = facts_of(t, "organization", "ab")
    assert ab["group_lead"] is True
    assert (ab["group_size"], ab["group_staff_before"], ab["group_staff_after"]) == (3, 14, 10)
    assert (ab["group_deputies_before"], ab["group_deputies_after"]) == (3, 2)
    assert facts_of(t, "organization", "a")["group_lead"] is False
    assert facts_of(t, "organization", "d")["group_size"] is None


def test_removed_positions_are_matched_by_transitions_of_the_group_or_org():
    plan = merger_plan([Transition("a", "early_retirement", 3), Transition("c", "transfer", 2, to="n")])
    t = derive(plan)
    ab = facts_of(t, "organization", "ab")
    assert (ab["removed_positions"], ab["settled_positions"], ab["unsettled_positions"]) == (4, 3, 1)
    c = facts_of(t, "organization", "c")
    assert (c["removed_positions"], c["settled_positions"], c["unsettled_positions"]) == (6, 2, 4)
    n = facts_of(t, "organization", "n")
    assert (n["transfers_in"], n["staff_gain"]) == (2, 2)
    p = t.entities[0].values
    assert (p["removed_positions"], p["settled_positions"], p["unsettled_positions"]) == (10, 5, 5)


def test_a_transfer_inside_a_merger_group_settles_nothing():
    # a (9) and b (5) merge into ab (10): 4 positions leave the group. Moving 4 of a's people
    # into ab keeps them inside the group, so it is no way out for the 4 removed positions.
    plan = merger_plan([Transition("a", "transfer", 4, to="ab"), Transition("b", "retirement", 1)])
    t = derive(plan)
    ab = facts_of(t, "organization", "ab")
    assert (ab["removed_positions"], ab["settled_positions"], ab["unsettled_positions"]) == (4, 1, 3)
    assert (ab["transfers_in"], ab["staff_gain"]) == (0, -4)
    p = t.entities[0].values
    assert (p["removed_positions"], p["settled_positions"], p["unsettled_positions"]) == (10, 1, 9)


def test_lead_person_list_names_the_lead_persons():
    after = Snapshot(organizations=(org("x"),), tasks=(
        Task("t1", "T1", lead=("x",), lead_person=("p-2", "p-1")), Task("t2", "T2", lead=("x",), lead_person=()),
        Task("t3", "T3", lead=("x",))))
    t = derive(Plan(id="p", effective=dt.date(2021, 1, 1), after=after))
    assert [facts_of(t, "task", i)["lead_person_count"] for i in ("t1", "t2", "t3")] == [2, 0, None]
    assert [facts_of(t, "task", i)["lead_person_list"] for i in ("t1", "t2", "t3")] == ["p-2, p-1", None, None]


def test_plan_aggregates():
    p = derive(merger_plan()).entities[0].values
    assert (p["orgs_before"], p["orgs_after"]) == (4, 3)
    assert (p["staff_before"], p["staff_after"]) == (24, 16)
    assert p["staff_reduction_pct"] == 60.0
    assert p["departments_after"] == 1


def test_counted_categories_follow_the_parameter():
    t = derive(merger_plan(), counted_categories=("civil_servants",))
    assert facts_of(t, "organization", "a")["counted_staff"] == 8
    assert t.entities[0].values["staff_before"] == 23


def test_plan_without_before_has_absent_comparisons():
    plan = Plan(id="p", effective=dt.date(2021, 1, 1), after=Snapshot(organizations=(org("x"),)))
    p = derive(plan).entities[0].values
    assert p["has_before"] is False
    assert p["orgs_before"] is None and p["removed_positions"] is None


def test_tasks_lead_counts_distinguish_absent_empty_and_several():
    after = Snapshot(organizations=(org("x"), org("y")), tasks=(
        Task("t1", "T1", lead=("x", "y")), Task("t2", "T2", lead=()), Task("t3", "T3")))
    t = derive(Plan(id="p", effective=dt.date(2021, 1, 1), after=after))
    assert [facts_of(t, "task", i)["lead_count"] for i in ("t1", "t2", "t3")] == [2, 0, None]
    assert facts_of(t, "task", "t1")["lead_list"] == "x, y"


def test_people_latest_rating_and_heads():
    after = Snapshot(organizations=(org("x"),), people=(
        Person("p1", posts=(Post("x", "head"),), ratings={2017: "good", 2018: "not_completed"}),))
    t = derive(Plan(id="p", effective=dt.date(2021, 1, 1), after=after))
    person = facts_of(t, "person", "p1")
    assert (person["latest_rating"], person["latest_rating_year"], person["is_head"]) == ("not_completed", 2018, True)
    assert facts_of(t, "organization", "x")["head_person"] == "p1"


def test_pilot_exemptions_naming_unknown_rules():
    after = Snapshot(organizations=(org("x", pilot=Pilot("M", None, ("deputy-cap", "no-such-rule"))),))
    t = derive(Plan(id="p", effective=dt.date(2021, 1, 1), after=after), rule_ids=["deputy-cap"])
    x = facts_of(t, "organization", "x")
    assert (x["pilot"], x["pilot_approved"], x["pilot_unknown_exemptions"]) == (True, False, 1)
    assert x["pilot_unknown_exemption_list"] == "no-such-rule"


def test_every_derived_fact_is_in_the_catalogue_with_its_type():
    t = derive(merger_plan([Transition("a", "transfer", 1, to="n")]))
    for entity in t.entities:
        declared = CATALOGUE[entity.kind]
        assert set(entity.values) == set(declared), entity.kind
        for name, value in entity.values.items():
            typ: Type = declared[name].type
            if value is None:
                assert typ.nullable, name
            elif typ.base == "bool":
                assert isinstance(value, bool), name
            elif typ.base == "int":
                assert isinstance(value, int) and not isinstance(value, bool), name
            elif typ.base == "number":
                assert isinstance(value, (int, float)), name
            else:
                assert isinstance(value, str), name
                assert not typ.choices or value in typ.choices, (name, value)


def test_docs_are_generated_from_the_catalogue():
    from pathlib import Path

    doc = Path(__file__).resolve().parent.parent / "docs" / "facts.md"
    assert doc.read_text(encoding="utf-8") == render_markdown(), "run: python -m ag18_rules.facts > docs/facts.md"

"""Facts derived from plans: merger groups, settlement of removed positions, statuses."""
import datetime as dt
from pathlib import Path

import pytest

from ag18_rules.expr.types import Type
from ag18_rules.facts import CATALOGUE, derive, render_markdown, with_dated_facts
from ag18_rules.facts.dated import part_time_extra
from ag18_rules.parameters import ParameterSet
from ag18_rules.model import (AdminUnit, Organization, Person, Plan, Post, Snapshot, Staff, Task,
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


# --------------------------------------------------------------------------- part_time_extra (Decree 33/2023, Art. 33)

DECREE_33 = dt.date(2023, 8, 1)


@pytest.fixture(scope="module")
def params():
    return ParameterSet.load(Path(__file__).resolve().parent.parent / "policy")


def commune(kind="xa", parent_kind="huyen", terrain="plains", **kw):
    return {"level": "commune", "kind": kind, "parent_kind": parent_kind, "terrain": terrain, **kw}


@pytest.mark.parametrize("population, area, extra", [
    (16500, 62.4, 3),   # (16,500 - 8,000) / 4,000 = 2.125 -> 2; (62.4 - 30) / 30 = 1.08 -> 1
    (20000, 95.0, 5),   # 12,000 / 4,000 = 3; 65 / 30 = 2.17 -> 2
    (12000, 60.0, 2),   # exactly 1.5x and 2x the standard: one full step each
    (11999, 59.9, 0),   # just short of a full step on both
    (7500, 20.0, 0),    # below the standard: no addition, never a negative one
])
def test_part_time_extra_of_a_plains_commune(params, population, area, extra):
    """A xã's standard is 8,000 people and 30 km²: +1 per full 4,000 people (1/2) and per full 30 km² above it."""
    assert part_time_extra(commune(population=population, area_km2=area), params, DECREE_33) == extra


def test_part_time_extra_of_a_mountain_commune_uses_the_mountain_standard(params):
    # 5,000 people and 50 km²: (7,600 - 5,000) / 2,500 = 1.04 -> 1; (101 - 50) / 50 = 1.02 -> 1
    values = commune(terrain="mountain", population=7600, area_km2=101.0)
    assert part_time_extra(values, params, DECREE_33) == 2


def test_part_time_extra_of_wards_depends_on_the_parent_kind(params):
    # a ward of a provincial city: 7,000 people, steps of 1/2 = 3,500: 16,600 / 3,500 = 4.74 -> 4; 1.62 km² < 5.5
    city_ward = commune(kind="phuong", parent_kind="thanh_pho", population=23600, area_km2=1.62)
    assert part_time_extra(city_ward, params, DECREE_33) == 4
    # a ward of an urban district (quận): 15,000 people, steps of 1/3 = 5,000: 10,000 / 5,000 = 2
    district_ward = commune(kind="phuong", parent_kind="quan", population=25000, area_km2=5.0)
    assert part_time_extra(district_ward, params, DECREE_33) == 2


def test_part_time_extra_is_zero_while_no_addition_is_in_force(params):
    values = commune(population=16500, area_km2=62.4)
    assert part_time_extra(values, params, dt.date(2023, 7, 31)) == 0  # Decree 34/2019: fixed caps
    assert part_time_extra(values, params, dt.date(2019, 6, 24)) == 0  # before any verified cap


def test_part_time_extra_is_absent_when_the_standard_or_the_data_is_missing(params):
    # the standards of thị trấn were not verified (admin_unit.thi_tran.* are null)
    assert part_time_extra(commune(kind="thi_tran", population=41200, area_km2=22.3), params, DECREE_33) is None
    assert part_time_extra(commune(population=None, area_km2=62.4), params, DECREE_33) is None
    assert part_time_extra(commune(population=16500, area_km2=None), params, DECREE_33) is None


def test_dated_facts_fill_part_time_extra_for_commune_level_units_only(params):
    after = Snapshot(admin_units=(
        AdminUnit("cm", "Huyện Chợ Mới", "district", kind="huyen", terrain="plains"),
        AdminUnit("cm/lda", "Xã Long Điền A", "commune", kind="xa", parent="cm", terrain="plains",
                  population=16500, area_km2=62.4),
        AdminUnit("cm/lda/ap", "Ấp Long Hòa", "hamlet", kind="ap", parent="cm/lda", terrain="plains", households=410),
    ))
    table = with_dated_facts(derive(Plan(id="p", effective=DECREE_33, after=after)), params, DECREE_33)
    assert facts_of(table, "admin_unit", "cm/lda")["part_time_extra"] == 3
    assert facts_of(table, "admin_unit", "cm")["part_time_extra"] is None
    assert facts_of(table, "admin_unit", "cm/lda/ap")["part_time_extra"] is None


def test_wards_and_towns_are_counted_under_their_district_level_unit():
    after = Snapshot(admin_units=(
        AdminUnit("lx", "Thành phố Long Xuyên", "district", kind="thanh_pho"),
        AdminUnit("lx/mb", "Phường Mỹ Bình", "commune", kind="phuong", parent="lx"),
        AdminUnit("lx/ml", "Phường Mỹ Long", "commune", kind="phuong", parent="lx"),
        AdminUnit("lx/mk", "Xã Mỹ Khánh", "commune", kind="xa", parent="lx"),
        AdminUnit("lx/mk/ap", "Ấp Mỹ Khánh 1", "hamlet", kind="ap", parent="lx/mk"),
    ))
    lx = facts_of(derive(Plan(id="p", effective=DECREE_33, after=after)), "admin_unit", "lx")
    assert (lx["communes"], lx["wards"], lx["towns"]) == (3, 2, 0)

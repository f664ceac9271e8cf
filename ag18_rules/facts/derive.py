"""Plan -> facts: one flat record of typed values per entity, as the catalogue describes.

Derivation is the only place that walks the plan's structure (parents, mergers, transitions);
rules then read plain values.  It runs in linear time in the size of the plan.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from operator import attrgetter
from typing import Collection, Iterable, Mapping, Optional, Sequence

from ..backends.base import Entity
from ..model import AdminUnit, Organization, Plan
from .columns import DEFAULT_COUNTED, ORG_FACTS, TASK_FACTS, PlanColumns, merger_groups

__all__ = ["DEFAULT_COUNTED", "EntityRef", "FactTable", "derive", "derive_with_totals", "merger_groups",
           "plan_columns", "plan_facts", "plan_sums"]


@dataclass(frozen=True)
class EntityRef:
    """Who a fact record is about, for findings: kind, id and display name."""

    kind: str
    id: str
    name: str


@dataclass(frozen=True)
class FactTable:
    entities: tuple[Entity, ...]
    refs: tuple[EntityRef, ...]

    def of_kind(self, kind: str) -> Iterable[int]:
        return (i for i, e in enumerate(self.entities) if e.kind == kind)


def derive(
    plan: Plan,
    *,
    counted_categories: Sequence[str] = DEFAULT_COUNTED,
    rule_ids: Iterable[str] = (),
) -> FactTable:
    """Every fact of every entity of ``plan``, plan record first, then by kind and id."""
    return derive_with_totals(plan, counted_categories=counted_categories, rule_ids=rule_ids)[0]


def derive_with_totals(
    plan: Plan,
    *,
    counted_categories: Sequence[str] = DEFAULT_COUNTED,
    rule_ids: Iterable[str] = (),
    only: Optional[Collection[str]] = None,
) -> tuple[FactTable, dict]:
    """:func:`derive`, and the plan's additive totals (:func:`plan_sums`), or with ``only`` the share
    of those organisations (then the plan record's facts are not the plan's: see :mod:`..live`)."""
    cols = PlanColumns(plan, counted_categories, rule_ids)
    sums = add_records(cols, only)
    rows: list[tuple[EntityRef, dict]] = [(cols.records("plan")[0][0], dict(cols.records("plan")[1][0]))]
    rows.extend(_sorted_rows(cols, "organization", ORG_FACTS))
    rows.extend(_sorted_rows(cols, "task", TASK_FACTS))
    for kind in ("admin_unit", "person"):
        refs, values = cols.records(kind)
        rows.extend((ref, dict(v)) for ref, v in zip(refs, values))
    table = FactTable(
        entities=tuple(Entity(ref.kind, values) for ref, values in rows),
        refs=tuple(ref for ref, _ in rows),
    )
    return table, sums


def plan_columns(plan: Plan, *, counted_categories: Sequence[str] = DEFAULT_COUNTED,
                 rule_ids: Iterable[str] = ()) -> PlanColumns:
    """The plan's facts as columns (see :mod:`.columns`), with the records of the plan,
    its administrative units and its people."""
    cols = PlanColumns(plan, counted_categories, rule_ids)
    add_records(cols)
    return cols


def add_records(cols: PlanColumns, only: Optional[Collection[str]] = None) -> dict:
    """Give ``cols`` the records of the plan, its administrative units and its people; the plan's
    totals (with ``only``, those organisations' share, and the plan record is made of it)."""
    plan = cols.plan
    sums = cols.sums = plan_sums(plan, cols, only)
    cols.set_records("plan", (EntityRef("plan", plan.id, plan.title or plan.id),), (plan_facts(plan, sums),))
    for kind, made in (("admin_unit", _unit_rows(plan)), ("person", _person_rows(plan))):
        cols.set_records(kind, tuple(ref for ref, _ in made), tuple(values for _, values in made))
    return sums


def _sorted_rows(cols: PlanColumns, kind: str, names: Sequence[str]) -> list[tuple[EntityRef, dict]]:
    """Every ``kind`` entity's record, ordered by id."""
    ids, shown = cols.ids(kind), cols.names(kind)
    columns = [cols.column(kind, name) for name in names]
    records = [dict(zip(names, values)) for values in zip(*columns)] if columns else []
    order = sorted(range(len(ids)), key=ids.__getitem__)
    return [(EntityRef(kind, ids[i], shown[i]), records[i]) for i in order]


# --------------------------------------------------------------------------- plan


def plan_sums(plan: Plan, orgs: PlanColumns, only: Optional[Collection[str]] = None) -> dict:
    """The additive totals the plan's facts are made of.

    With ``only``, the share of those organisations (and of the settlement units they represent)
    alone: an edit that touches a few organisations moves the totals by the difference of their
    shares, so the plan's facts are updated without walking the plan (see :mod:`.local`).
    """
    sums = dict.fromkeys(_SUMS, 0)
    after, before = orgs.after, orgs.before
    if only is None:  # the whole plan: from the columns (its first rows are the organisations of ``after``)
        n = orgs.n_after
        chosen_after = list(after.values())
        types, deputies = orgs.column("organization", "type")[:n], orgs.column("organization", "deputies")[:n]
        staff_after, chosen_before = orgs.staff_after.values(), before.values()
    else:
        chosen_after = [after[oid] for oid in after if oid in only]
        types, deputies = [o.type for o in chosen_after], [o.deputies for o in chosen_after]
        staff_after = [orgs.staff_after[o.id] for o in chosen_after]
        chosen_before = [before[oid] for oid in before if oid in only]
    _add_after(sums, chosen_after, types, deputies, staff_after, after)
    staff_before = orgs.staff_before
    sums["orgs_before"] = len(chosen_before)
    sums["staff_before"] = sum(staff_before[o.id] for o in chosen_before) if only is not None else sum(staff_before.values())
    sums["deputies_before"] = sum(map(_DEPUTIES, chosen_before))
    sums["department_deputies_before"] = sum(o.deputies for o in chosen_before if o.type == "department")
    sums["removed_positions"], sums["settled_positions"] = orgs.settlement_sums(only)
    if only is None:
        sums["people_after"] = len(plan.after.people)
        sums["admin_units"] = len(plan.after.admin_units) + (len(plan.before.admin_units) if plan.before else 0)
    return sums


_SUMS = ("orgs_after", "orgs_before", "staff_after", "staff_before", "deputies_after", "deputies_before",
         "intermediate_after", "departments_after", "department_deputies_after", "district_offices_after",
         "district_office_deputies_after", "province_party_bodies_after", "province_party_body_deputies_after",
         "removed_positions", "settled_positions", "people_after", "admin_units", "department_deputies_before",
         "province_merger_departments_after", "merged_departments_after", "commune_offices_after",
         "commune_office_deputies_after")


_DEPUTIES = attrgetter("deputies")


def _add_after(sums: dict, orgs: Sequence[Organization], types: list, deputies: list, staff: Iterable[int],
               after: Mapping) -> None:
    """Organisations of ``after``'s share of the plan's totals; ``types``, ``deputies`` and ``staff``
    are theirs, in the same order (the plan's columns, or those of a few organisations)."""
    sums["orgs_after"] += len(orgs)
    sums["staff_after"] += sum(staff)
    sums["deputies_after"] += sum(deputies)
    sums["intermediate_after"] += sum(1 for o in orgs if o.intermediate)
    sums["departments_after"] += types.count("department")
    sums["district_offices_after"] += types.count("district_office")
    department_deputies = merger_departments = merged_departments = office_deputies = 0
    party = party_deputies = commune_offices = commune_office_deputies = 0
    for o, kind, d in zip(orgs, types, deputies):
        if kind == "department":
            department_deputies += d
            merger_departments += bool(o.province_merger)
            merged_departments += bool(o.formed_from)
        elif kind == "district_office":
            office_deputies += d
        elif kind == "party_body":
            if o.level == "province":
                party += 1
                party_deputies += d
        elif kind == "internal_unit" and o.level == "commune" and o.parent is not None:
            parent = after.get(o.parent)
            if parent is not None and parent.type == "people_committee":  # a commune's specialised office (Res. 332/NQ-CP)
                commune_offices += 1
                commune_office_deputies += d
    for key, value in (("department_deputies_after", department_deputies),
                       ("province_merger_departments_after", merger_departments),
                       ("merged_departments_after", merged_departments),
                       ("district_office_deputies_after", office_deputies), ("province_party_bodies_after", party),
                       ("province_party_body_deputies_after", party_deputies),
                       ("commune_offices_after", commune_offices),
                       ("commune_office_deputies_after", commune_office_deputies)):
        sums[key] += value


def plan_facts(plan: Plan, sums: dict) -> dict:
    """The plan record's facts from its totals (:func:`plan_sums`) and its own fields."""
    has_before = plan.before is not None
    staff_after = sums["staff_after"]
    baseline = plan.baseline
    reduction = None
    if baseline and baseline.staff > 0:
        reduction = round((baseline.staff - staff_after) * 100 / baseline.staff, 4)
    removed = sums["removed_positions"] if has_before else None
    settled = sums["settled_positions"] if has_before else None
    return {
        "has_before": has_before,
        "has_baseline": baseline is not None,
        "has_people": sums["people_after"] > 0,
        "has_admin_units": sums["admin_units"] > 0,
        "province_class": plan.province_class,
        "approval_status": plan.approval.status if plan.approval else None,
        "orgs_before": sums["orgs_before"] if has_before else None,
        "orgs_after": sums["orgs_after"],
        "staff_before": sums["staff_before"] if has_before else None,
        "staff_after": staff_after,
        "deputies_before": sums["deputies_before"] if has_before else None,
        "deputies_after": sums["deputies_after"],
        "intermediate_after": sums["intermediate_after"],
        "department_deputies_before": sums["department_deputies_before"] if has_before else None,
        "province_merger_departments_after": sums["province_merger_departments_after"],
        "merged_departments_after": sums["merged_departments_after"],
        "commune_offices_after": sums["commune_offices_after"],
        "commune_office_deputies_after": sums["commune_office_deputies_after"],
        # filled in from dated parameters: see .dated
        "part_time_communes_after": 0, "part_time_commune_workers_after": 0,
        "part_time_commune_caps_after": None, "part_time_commune_figures": None,
        "baseline_year": baseline.year if baseline else None,
        "baseline_staff": baseline.staff if baseline else None,
        "staff_reduction_pct": reduction,
        "departments_after": sums["departments_after"],
        "department_deputies_after": sums["department_deputies_after"],
        "district_offices_after": sums["district_offices_after"],
        "district_office_deputies_after": sums["district_office_deputies_after"],
        "province_party_bodies_after": sums["province_party_bodies_after"],
        "province_party_body_deputies_after": sums["province_party_body_deputies_after"],
        "removed_positions": removed,
        "settled_positions": settled,
        "unsettled_positions": None if removed is None else removed - settled,
    }


# --------------------------------------------------------------------------- tasks, units, people


def _unit_rows(plan: Plan) -> list[tuple[EntityRef, dict]]:
    before = {u.id: u for u in plan.before.admin_units} if plan.before else {}
    after = {u.id: u for u in plan.after.admin_units}
    merged_away = {s for u in after.values() for s in u.formed_from if s not in after}
    children: dict[str, list[AdminUnit]] = defaultdict(list)
    for u in after.values():
        if u.parent:
            children[u.parent].append(u)
    rows = []
    for uid in sorted(set(before) | set(after)):
        unit = after.get(uid) or before[uid]
        in_after = uid in after
        if in_after:
            status = "continuing" if uid in before else ("formed" if unit.formed_from else "new")
        else:
            status = "merged_away" if uid in merged_away else "dissolved"
        snapshot = after if in_after else before
        parent = snapshot.get(unit.parent) if unit.parent else None
        kids = children.get(uid, []) if in_after else []
        allowance = unit.allowance
        rows.append((EntityRef("admin_unit", uid, unit.name), {
            "status": status,
            "in_before": uid in before,
            "in_after": in_after,
            "level": unit.level,
            "kind": unit.kind,
            "parent_kind": parent.kind if parent else None,
            "terrain": unit.terrain,
            "mountain": unit.terrain == "mountain",
            "border_island": unit.terrain in ("border", "island"),
            "ethnic_minority": unit.ethnic_minority,
            "reduced_standard": unit.ethnic_minority or unit.terrain == "border",
            "population": unit.population,
            "area_km2": unit.area_km2,
            "households": unit.households,
            "unit_class": unit.class_,
            "part_time_workers": unit.part_time_workers,
            "allowance_mode": allowance.mode if allowance else None,
            "fund_coefficient": allowance.fund_coefficient if allowance else None,
            "part_time_extra": None,  # filled in from dated parameters: see .dated
            "communes": sum(1 for k in kids if k.level == "commune"),
            "towns": sum(1 for k in kids if k.kind == "thi_tran"),
            "wards": sum(1 for k in kids if k.kind == "phuong"),
            "sources": len(unit.formed_from) if in_after else 0,
        }))
    return rows


def _person_rows(plan: Plan) -> list[tuple[EntityRef, dict]]:
    rows = []
    for person in sorted(plan.after.people, key=lambda p: p.id):
        roles = [p.role for p in person.posts]
        year = max(person.ratings) if person.ratings else None
        rows.append((EntityRef("person", person.id, person.name or person.id), {
            "is_head": "head" in roles,
            "is_deputy": "deputy" in roles,
            "posts": len(roles),
            "latest_rating": person.ratings[year] if year is not None else None,
            "latest_rating_year": year,
        }))
    return rows

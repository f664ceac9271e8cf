"""Plan -> facts: one flat record of typed values per entity, as the catalogue describes.

Derivation is the only place that walks the plan's structure (parents, mergers, transitions);
rules then read plain values.  It runs in linear time in the size of the plan.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Collection, Iterable, Optional, Sequence

from ..backends.base import Entity
from ..model import AdminUnit, Organization, Plan, Snapshot

DEFAULT_COUNTED = ("civil_servants", "public_employees")


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
    of those organisations (then the plan record's facts are not the plan's: see :mod:`.local`)."""
    counted = tuple(counted_categories)
    rows: list[tuple[EntityRef, dict]] = []
    orgs = _OrgFacts(plan, counted, frozenset(rule_ids))
    sums = plan_sums(plan, orgs, only)
    rows.append((EntityRef("plan", plan.id, plan.title or plan.id), plan_facts(plan, sums)))
    rows.extend(orgs.rows())
    rows.extend(_task_rows(plan))
    rows.extend(_unit_rows(plan))
    rows.extend(_person_rows(plan))
    table = FactTable(
        entities=tuple(Entity(ref.kind, values) for ref, values in rows),
        refs=tuple(ref for ref, _ in rows),
    )
    return table, sums


# --------------------------------------------------------------------------- organisations


class _OrgFacts:
    """Organisation facts, including merger groups and the settlement of removed positions.

    Each organisation's counted staff and each settlement unit's totals and representative are
    computed once here, and shared by the organisation rows, the settlement and the plan totals.
    """

    def __init__(self, plan: Plan, counted: tuple[str, ...], rule_ids: frozenset[str]):
        self.plan = plan
        self.rule_ids = rule_ids
        self.before = {o.id: o for o in plan.before.organizations} if plan.before else {}
        self.after = {o.id: o for o in plan.after.organizations}
        self.ids = sorted(self.before.keys() | self.after.keys())
        self.staff_before = {oid: o.staff.counted(counted) for oid, o in self.before.items()}
        self.staff_after = {oid: o.staff.counted(counted) for oid, o in self.after.items()}
        self.group_of = self._groups()
        self.units = self._settlement_units()
        self.totals: dict[str, tuple[int, int, int, int]] = {}
        self.leads: dict[str, Optional[str]] = {}
        for unit, members in self.units.items():
            self.totals[unit], self.leads[unit] = self._unit_totals(members)
        self.settlement = self._settlement()

    def _groups(self) -> dict[str, str]:
        return merger_groups(self.after.values())

    def _settlement_units(self) -> dict[str, list[str]]:
        """Each organisation of ``before`` belongs to one unit: its merger group or itself."""
        units: dict[str, list[str]] = {}
        for oid in self.ids:
            units.setdefault(self.group_of.get(oid, oid), []).append(oid)
        return units

    def _unit_totals(self, members: list[str]) -> tuple[tuple[int, int, int, int], Optional[str]]:
        """Counted staff before and after, deputies before and after, of a unit's members; and
        its representative: the member of ``after`` first by name, then by id, so that neither
        renaming ids nor changing staff moves a group's findings to another organisation."""
        sb = sa = db = da = 0
        lead = lead_key = None
        for m in members:
            old, new = self.before.get(m), self.after.get(m)
            if old is not None:
                sb += self.staff_before[m]
                db += old.deputies
            if new is not None:
                sa += self.staff_after[m]
                da += new.deputies
                key = (new.name, m)
                if lead_key is None or key < lead_key:
                    lead, lead_key = m, key
        return (sb, sa, db, da), lead

    def _unit_of(self, oid: str, default: Optional[str] = None) -> Optional[str]:
        """The settlement unit of an organisation of the plan (its merger group, or itself);
        ``default`` for another id."""
        if oid in self.before or oid in self.after:
            return self.group_of.get(oid, oid)
        return default

    def rows(self) -> list[tuple[EntityRef, dict]]:
        plan = self.plan
        merged_away = {s for o in self.after.values() for s in o.formed_from if s not in self.after}
        children_after = _count_children(self.after.values())
        children_before = _count_children(self.before.values())
        phong_after = _count_children(o for o in self.after.values() if o.type == "internal_unit")
        heads = _heads(plan.after)

        result = []
        for oid in self.ids:
            org = self.after.get(oid) or self.before[oid]
            old = self.before.get(oid)
            in_after = oid in self.after
            if in_after:
                status = "continuing" if old else ("formed" if org.formed_from else "new")
            else:
                status = "merged_away" if oid in merged_away else "dissolved"
            snapshot = self.after if in_after else self.before
            parent = snapshot.get(org.parent) if org.parent else None
            sources = [self.before[s] for s in org.formed_from if s in self.before] if in_after else []
            was_intermediate = bool((old and old.intermediate) or any(s.intermediate for s in sources))
            group = self.group_of.get(oid)
            members = self.units[group] if group else None
            totals = self.totals[group] if members else (None,) * 4
            unknown = sorted(set(org.pilot.exempt_from) - self.rule_ids) if org.pilot else []
            values = {
                "status": status,
                "in_before": old is not None,
                "in_after": in_after,
                "type": org.type,
                "level": org.level,
                "parent_type": parent.type if parent else None,
                "intermediate": org.intermediate,
                "was_intermediate": was_intermediate,
                "effective": org.effective,
                "heads": org.heads,
                "deputies": org.deputies,
                "civil_servants": org.staff.civil_servants,
                "public_employees": org.staff.public_employees,
                "contract": org.staff.contract,
                "counted_staff": self.staff_after[oid] if in_after else self.staff_before[oid],
                "job_positions": org.job_positions,
                "deputies_before": old.deputies if old else None,
                "counted_staff_before": self.staff_before.get(oid),
                "effective_before": old.effective if old else None,
                "children_after": children_after.get(oid, 0) if in_after else 0,
                "children_before": children_before.get(oid, 0) if old else None,
                "internal_units_after": phong_after.get(oid, 0) if in_after else 0,
                "parent_deputies": parent.deputies if parent else None,
                "province_class": plan.province_class,
                "sources": len(org.formed_from) if in_after else 0,
                "group_lead": bool(members) and in_after and oid == self.leads[group],
                "group_size": len(members) if members else None,
                "group_staff_before": totals[0],
                "group_staff_after": totals[1],
                "group_deputies_before": totals[2],
                "group_deputies_after": totals[3],
                "pilot": org.pilot is not None,
                "pilot_approved": bool(org.pilot and org.pilot.approval),
                "pilot_unknown_exemptions": len(unknown),
                "pilot_unknown_exemption_list": ", ".join(unknown) or None,
                "head_person": heads.get(oid),
            }
            values.update(self.settlement.get(oid, _NO_SETTLEMENT))
            result.append((EntityRef("organization", oid, org.name), values))
        return result

    def _settlement(self) -> dict[str, dict]:
        """Removed positions per settlement unit, reported on the unit's representative.

        A transition settles positions only if it takes them out of the unit: a transfer to
        another member of the same merger group keeps them inside it, in its staff after.
        """
        if self.plan.before is None:
            return {}
        leaving: dict[str, int] = defaultdict(int)
        transfers_in: dict[str, int] = defaultdict(int)
        for t in self.plan.transitions:
            src = self._unit_of(t.from_, t.from_)
            dst = self._unit_of(t.to) if t.outcome == "transfer" and t.to is not None else None
            if dst == src:
                continue
            leaving[src] += t.count
            if dst is not None:
                transfers_in[dst] += t.count
        out = {}
        for unit, members in self.units.items():
            sb, sa, _, _ = self.totals[unit]
            settled = leaving.get(unit, 0)
            removed = max(0, sb - sa)
            rep = self.leads[unit] or members[0]
            out[rep] = {
                "settlement_unit": True,
                "removed_positions": removed,
                "settled_positions": settled,
                "unsettled_positions": max(0, removed - settled),
                "transfers_in": transfers_in.get(unit, 0),
                "staff_gain": sa - sb,
            }
        return out


_NO_SETTLEMENT = {
    "settlement_unit": False,
    "removed_positions": None,
    "settled_positions": None,
    "unsettled_positions": None,
    "transfers_in": None,
    "staff_gain": None,
}


def _count_children(orgs: Iterable[Organization]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for org in orgs:
        if org.parent:
            counts[org.parent] += 1
    return counts


def _heads(snapshot: Snapshot) -> dict[str, str]:
    heads: dict[str, str] = {}
    for person in snapshot.people:
        for post in person.posts:
            if post.role == "head":
                heads.setdefault(post.org, person.id)
    return heads


# --------------------------------------------------------------------------- plan


def plan_sums(plan: Plan, orgs: _OrgFacts, only: Optional[Collection[str]] = None) -> dict:
    """The additive totals the plan's facts are made of.

    With ``only``, the share of those organisations (and of the settlement units they represent)
    alone: an edit that touches a few organisations moves the totals by the difference of their
    shares, so the plan's facts are updated without walking the plan (see :mod:`.local`).
    """
    sums = dict.fromkeys(_SUMS, 0)
    after = orgs.after
    for oid, o in after.items():
        if only is None or oid in only:
            _add_after(sums, o, orgs.staff_after[oid])
            parent = after.get(o.parent) if o.parent is not None else None
            if (o.level == "commune" and o.type == "internal_unit" and parent is not None
                    and parent.type == "people_committee"):  # a specialised office of a commune (Res. 332/NQ-CP)
                sums["commune_offices_after"] += 1
                sums["commune_office_deputies_after"] += o.deputies
    for oid, o in orgs.before.items():
        if only is None or oid in only:
            sums["orgs_before"] += 1
            sums["staff_before"] += orgs.staff_before[oid]
            sums["deputies_before"] += o.deputies
            if o.type == "department":
                sums["department_deputies_before"] += o.deputies
    for rep, unit in orgs.settlement.items():
        if only is None or rep in only:
            sums["removed_positions"] += unit["removed_positions"]
            sums["settled_positions"] += min(unit["settled_positions"], unit["removed_positions"])
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


def _add_after(sums: dict, o: Organization, staff: int) -> None:
    """One organisation of ``after``'s share of the plan's totals."""
    sums["orgs_after"] += 1
    sums["staff_after"] += staff
    sums["deputies_after"] += o.deputies
    sums["intermediate_after"] += o.intermediate
    if o.type == "department":
        sums["departments_after"] += 1
        sums["department_deputies_after"] += o.deputies
        sums["province_merger_departments_after"] += bool(o.province_merger)
        sums["merged_departments_after"] += bool(o.formed_from)
    elif o.type == "district_office":
        sums["district_offices_after"] += 1
        sums["district_office_deputies_after"] += o.deputies
    elif o.type == "party_body" and o.level == "province":
        sums["province_party_bodies_after"] += 1
        sums["province_party_body_deputies_after"] += o.deputies


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


def _task_rows(plan: Plan) -> list[tuple[EntityRef, dict]]:
    before = {t.id: t for t in plan.before.tasks} if plan.before else {}
    after = {t.id: t for t in plan.after.tasks}
    rows = []
    for tid in sorted(set(before) | set(after)):
        task = after.get(tid) or before[tid]
        in_after = tid in after
        rows.append((EntityRef("task", tid, task.name), {
            "in_before": tid in before,
            "in_after": in_after,
            "retired": bool(in_after and task.retired and task.retired.reason),
            "lead_count": len(task.lead) if task.lead is not None else None,
            "lead_person_count": len(task.lead_person) if task.lead_person is not None else None,
            "support_count": len(task.support),
            "lead_list": ", ".join(task.lead) if task.lead else None,
            "lead_person_list": ", ".join(task.lead_person) if task.lead_person else None,
        }))
    return rows


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


def merger_groups(orgs: Iterable[Organization]) -> dict[str, str]:
    """Merger groups, the connected components of ``formed_from`` edges (an organisation of ``after``
    and its sources in ``before``): each member's root, the smallest id of its group."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        root = x
        while parent.get(root, root) != root:
            root = parent[root]
        while parent.get(x, x) != root:
            parent[x], x = root, parent[x]
        return root

    for org in orgs:
        for src in org.formed_from:
            a, b = find(org.id), find(src)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {x: find(x) for x in set(parent) | set(parent.values())}

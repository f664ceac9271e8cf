"""Baseline H: the benchmark's checks written by hand as one pass over the plan.

:func:`hand_written` answers what ``Policy.evaluate`` answers for the benchmark's rules on
:data:`AS_OF` -- the set of (rule, check, entity id) findings -- with its own fact derivation
and the parameter values in force on that date typed in, and no engine code: it is what a
programmer would write for these rules alone.  ``run.py`` checks that both answers are equal
on every plan it measures, so the comparison is between programs that do the same work.

The parameter values below are those of ``policy/deputies.yaml`` and ``policy/targets.yaml``
on :data:`AS_OF`; ``deputy.staff_share_max_pct`` and ``deputy.excess_over_parent_max`` are not
in force yet (2025), so those two checks are not applicable then and H skips them.
"""
from __future__ import annotations

import datetime as dt
from collections import Counter

from ag18_rules.model import Organization, Plan

AS_OF = dt.date(2021, 7, 1)

# (below, cap) brackets, the last one open; Decree 107/2020 and Quy định 04-QĐi/TW, in force on AS_OF.
DEPARTMENT_UNIT_MAX = {  # by province class, over the office's civil servants
    1: ((9, 1), (15, 2), (None, 3)),
    2: ((8, 1), (15, 2), (None, 3)),
    3: ((8, 1), (15, 2), (None, 3)),
}
INSPECTORATE_MAX = ((8, 1), (None, 2))  # over civil servants
SUB_DEPARTMENT_MAX = ((1, 2), (4, 1), (None, 2))  # over the sub-department's own offices
PARTY_UNIT_MAX = 1  # a unit of fewer than 10 people
DEPARTMENT_DIRECTOR_AVG = 3
DISTRICT_OFFICE_AVG = 2
PARTY_ADVISORY_TOTAL_MAX = 15
STAFF_REDUCTION_MIN_PCT = 10

Finding = tuple[str, str, str]  # (rule, check, entity id)


def _cap(brackets: tuple, x: int) -> int:
    return next(cap for below, cap in brackets if below is None or x < below)


def _staff(org: Organization) -> int:
    return org.staff.civil_servants + org.staff.public_employees


def hand_written(plan: Plan) -> set[Finding]:
    """The findings of the benchmark's rules on ``plan`` as of :data:`AS_OF`."""
    found: set[Finding] = set()
    after = {o.id: o for o in plan.after.organizations}
    before = {o.id: o for o in plan.before.organizations} if plan.before else None
    found |= _organisations(plan, after, before)
    found |= _plan_level(plan, after, before)
    found |= _tasks(plan)
    return found


def _organisations(plan: Plan, after: dict, before: dict | None) -> set[Finding]:
    found: set[Finding] = set()
    add = found.add
    children_after = Counter(o.parent for o in after.values() if o.parent)
    offices_after = Counter(o.parent for o in after.values() if o.parent and o.type == "internal_unit")
    children_before = Counter(o.parent for o in before.values() if o.parent) if before is not None else None
    office_caps = DEPARTMENT_UNIT_MAX[plan.province_class]
    old_of = before or {}
    for oid, org in after.items():
        kind, deputies = org.type, org.deputies
        parent = after.get(org.parent) if org.parent else None
        parent_type = parent.type if parent else None
        if kind == "internal_unit":
            if parent_type == "department" and deputies > _cap(office_caps, org.staff.civil_servants):
                add(("deputy-cap", "department-unit", oid))
            elif parent_type == "party_body" and _staff(org) < 10 and deputies > PARTY_UNIT_MAX:
                add(("deputy-cap", "party-unit", oid))
        elif kind == "inspectorate" and deputies > _cap(INSPECTORATE_MAX, org.staff.civil_servants):
            add(("deputy-cap", "inspectorate", oid))
        elif kind == "sub_department" and deputies > _cap(SUB_DEPARTMENT_MAX, offices_after[oid]):
            add(("deputy-cap", "sub-department", oid))
        old = old_of.get(oid)
        if org.intermediate and not ((old and old.intermediate)
                                     or any(old_of[s].intermediate for s in org.formed_from if s in old_of)):
            add(("no-new-intermediate", "intermediate", oid))
        if old is not None and children_after[oid] > children_before[oid]:
            add(("no-unit-increase", "parent", oid))
    if before is not None:
        found |= _mergers(after, before)
    return found


def _mergers(after: dict, before: dict) -> set[Finding]:
    """Merger groups (organisations linked by ``formed_from``) whose staff grew, by their lead."""
    root: dict[str, str] = {}

    def find(x: str) -> str:
        while root.get(x, x) != x:
            x = root[x]
        return x

    for org in after.values():
        for source in org.formed_from:
            a, b = find(org.id), find(source)
            if a != b:
                root[max(a, b)] = min(a, b)
    groups: dict[str, list[str]] = {}
    for member in set(root) | set(root.values()):
        groups.setdefault(find(member), []).append(member)
    found = set()
    for members in groups.values():
        staff_before = sum(_staff(before[m]) for m in members if m in before)
        staff_after = sum(_staff(after[m]) for m in members if m in after)
        if staff_after > staff_before:
            found.add(("no-staff-increase", "merger", min(m for m in members if m in after)))
    return found


def _plan_level(plan: Plan, after: dict, before: dict | None) -> set[Finding]:
    found: set[Finding] = set()
    pid = plan.id
    departments = district_offices = party_bodies = 0
    department_deputies = district_office_deputies = party_deputies = 0
    staff_after = 0
    for org in after.values():
        staff_after += _staff(org)
        if org.type == "department":
            departments += 1
            department_deputies += org.deputies
        elif org.type == "district_office":
            district_offices += 1
            district_office_deputies += org.deputies
        elif org.type == "party_body" and org.level == "province":
            party_bodies += 1
            party_deputies += org.deputies
    if departments and department_deputies > departments * DEPARTMENT_DIRECTOR_AVG:
        found.add(("deputy-cap", "department-average", pid))
    if district_offices and district_office_deputies > district_offices * DISTRICT_OFFICE_AVG:
        found.add(("deputy-cap", "district-office-average", pid))
    if party_bodies and party_deputies > PARTY_ADVISORY_TOTAL_MAX:
        found.add(("deputy-cap", "party-advisory-total", pid))
    if before is not None:
        if len(after) > len(before):
            found.add(("no-unit-increase", "plan", pid))
        if staff_after > sum(_staff(o) for o in before.values()):
            found.add(("no-staff-increase", "plan", pid))
    baseline = plan.baseline
    if baseline and baseline.staff > 0:
        reduction = round((baseline.staff - staff_after) * 100 / baseline.staff, 4)
        if reduction < STAFF_REDUCTION_MIN_PCT:
            found.add(("staff-reduction-target", "reduction", pid))
    return found


def _tasks(plan: Plan) -> set[Finding]:
    found: set[Finding] = set()
    add = found.add
    after = {t.id: t for t in plan.after.tasks}
    for tid, task in after.items():
        if task.retired and task.retired.reason:
            continue
        if task.lead is None:
            add(("one-lead-organization", "lead-missing", tid))
        elif len(task.lead) != 1:
            add(("one-lead-organization", "lead", tid))
    if plan.before is not None:
        for task in plan.before.tasks:
            now = after.get(task.id)
            if now is None:
                add(("task-continuity", "continued", task.id))
            elif not ((now.retired and now.retired.reason) or now.lead):
                add(("task-continuity", "continued", task.id))
    return found

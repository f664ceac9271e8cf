"""Edits of a frozen plan, for the fix search: set a field, merge two organisations or two units.

Every function returns a new :class:`Plan` (``dataclasses.replace``); nothing is mutated.  An
edit keeps the plan's references consistent (children, task leads, posts, transitions and
waivers follow a merged organisation), so facts can be derived from the result directly.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Mapping, Optional

from .model import AdminUnit, Organization, Person, Plan, Post, Staff, Task, Transition

__all__ = [
    "add_transitions", "merge_org", "merge_unit", "merged_unit", "set_org", "set_orgs", "set_units", "set_person", "set_task", "set_unit", "upsert_task",
]


def _after(plan: Plan, **lists) -> Plan:
    return replace(plan, after=replace(plan.after, **lists))


def set_org(plan: Plan, oid: str, change: Callable[[Organization], Organization]) -> Plan:
    """``plan`` with the organisation ``oid`` of ``after`` replaced by ``change(org)``."""
    return _after(plan, organizations=tuple(change(o) if o.id == oid else o for o in plan.after.organizations))


def set_orgs(plan: Plan, changes: Mapping[str, Callable[[Organization], Organization]]) -> Plan:
    """``plan`` with each organisation of ``after`` named in ``changes`` replaced, in one pass."""
    return _after(plan, organizations=tuple(changes[o.id](o) if o.id in changes else o
                                            for o in plan.after.organizations))


def set_task(plan: Plan, tid: str, change: Callable[[Task], Task]) -> Plan:
    return _after(plan, tasks=tuple(change(t) if t.id == tid else t for t in plan.after.tasks))


def upsert_task(plan: Plan, task: Task) -> Plan:
    """``plan`` with ``task`` in ``after``: replacing the task of the same id, or added."""
    if any(t.id == task.id for t in plan.after.tasks):
        return set_task(plan, task.id, lambda _: task)
    return _after(plan, tasks=plan.after.tasks + (task,))


def set_unit(plan: Plan, uid: str, change: Callable[[AdminUnit], AdminUnit]) -> Plan:
    return _after(plan, admin_units=tuple(change(u) if u.id == uid else u for u in plan.after.admin_units))


def set_units(plan: Plan, changes: Mapping[str, Callable[[AdminUnit], AdminUnit]]) -> Plan:
    """``plan`` with each administrative unit of ``after`` named in ``changes`` replaced, in one pass."""
    return _after(plan, admin_units=tuple(changes[u.id](u) if u.id in changes else u for u in plan.after.admin_units))


def set_person(plan: Plan, pid: str, change: Callable[[Person], Person]) -> Plan:
    return _after(plan, people=tuple(change(p) if p.id == pid else p for p in plan.after.people))


def add_transitions(plan: Plan, transitions: tuple[Transition, ...]) -> Plan:
    return replace(plan, transitions=plan.transitions + transitions)


def _add(a: Optional[int], b: Optional[int]) -> Optional[int]:
    return None if a is None and b is None else (a or 0) + (b or 0)


def _sources(victim_id: str, formed_from: tuple[str, ...], in_before: bool) -> tuple[str, ...]:
    """What a merged-away entity contributes to its target's ``formed_from``: itself if it existed before."""
    return (victim_id,) if in_before else formed_from


def _swap(ids: Optional[tuple[str, ...]], old: str, new: str) -> Optional[tuple[str, ...]]:
    if ids is None:
        return None
    return tuple(dict.fromkeys(new if i == old else i for i in ids))


def merge_org(plan: Plan, victim_id: str, into_id: str) -> Plan:
    """``victim`` merged into ``into``: staff added, children, tasks, posts, transfers and waivers follow."""
    before_ids = {o.id for o in plan.before.organizations} if plan.before else set()
    after = {o.id: o for o in plan.after.organizations}
    victim, into = after[victim_id], after[into_id]
    merged = replace(
        into,
        staff=Staff(*(getattr(into.staff, c) + getattr(victim.staff, c)
                      for c in ("civil_servants", "public_employees", "contract"))),
        job_positions=_add(into.job_positions, victim.job_positions),
        formed_from=tuple(dict.fromkeys(into.formed_from + _sources(
            victim_id, victim.formed_from, victim_id in before_ids))),
    )
    orgs = tuple(
        merged if o.id == into_id else replace(o, parent=into_id) if o.parent == victim_id else o
        for o in plan.after.organizations if o.id != victim_id
    )
    # only what names the victim changes; the rest is shared with the plan as it was
    tasks = tuple(_task_moved(t, victim_id, into_id) if victim_id in (t.lead or ()) or victim_id in t.support else t
                  for t in plan.after.tasks)
    people = tuple(replace(p, posts=tuple(Post(into_id if s.org == victim_id else s.org, s.role) for s in p.posts))
                   if any(s.org == victim_id for s in p.posts) else p for p in plan.after.people)
    transitions = tuple(replace(t, to=into_id) if t.to == victim_id else t for t in plan.transitions)
    waivers = tuple(replace(w, entity=into_id) if w.entity == victim_id else w for w in plan.waivers)
    after_snap = replace(plan.after, organizations=orgs, tasks=tasks, people=people)
    return replace(plan, after=after_snap, transitions=transitions, waivers=waivers)


def _task_moved(task: Task, old: str, new: str) -> Task:
    lead = _swap(task.lead, old, new)
    support = tuple(s for s in (_swap(task.support, old, new) or ()) if not lead or s not in lead)
    return replace(task, lead=lead, support=support)


def merged_unit(victim: AdminUnit, into: AdminUnit, victim_in_before: bool) -> AdminUnit:
    """``into`` as it is after ``victim`` merges into it: households, population and area added."""
    area = None if into.area_km2 is None and victim.area_km2 is None else \
        round((into.area_km2 or 0) + (victim.area_km2 or 0), 4)
    return replace(
        into,
        households=_add(into.households, victim.households),
        population=_add(into.population, victim.population),
        area_km2=area,
        formed_from=tuple(dict.fromkeys(into.formed_from + _sources(victim.id, victim.formed_from, victim_in_before))),
    )


def merge_unit(plan: Plan, victim_id: str, into_id: str) -> Plan:
    """Administrative unit ``victim`` merged into ``into``: households, population and area added."""
    in_before = plan.before is not None and any(u.id == victim_id for u in plan.before.admin_units)
    after = {u.id: u for u in plan.after.admin_units}
    merged = merged_unit(after[victim_id], after[into_id], in_before)
    units = tuple(
        merged if u.id == into_id else replace(u, parent=into_id) if u.parent == victim_id else u
        for u in plan.after.admin_units if u.id != victim_id
    )
    return _after(plan, admin_units=units)

"""A plan kept evaluated: an edit of a few entities re-derives and re-checks only what it touches.

Facts are local: an organisation's facts read itself, its parent, its children, its merger group,
the transitions of that group and the people heading it; a task's read the task; an
administrative unit's read itself, its parent and its children; the plan record's are additive
totals over organisations and settlement units (:func:`.facts.derive.plan_sums`).  So when an
edit changes some entities without changing the plan's structure (no parent, merger, id or
person changes), the entities whose facts can move are the changed ones, their children, their
parent (when a type changes) and their merger groups.  Those rows are derived again from a
small plan holding them and everything their facts read, the plan's totals move by the
difference of their shares, and only those rows (and the plan record) are checked again.

:class:`LiveEvaluation` holds the plan as maps in file order, its fact rows, totals, and the
findings by entity.  ``trial(changes)`` evaluates an edit without keeping it (the fix search
verifies candidates this way); ``commit(trial)`` keeps it (sessions).  Edits it cannot do
locally are answered with None: the caller evaluates the changed plan in full.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional

from .backends.base import Entity
from .facts import EntityRef, FactTable, with_dated_facts
from .facts.derive import merger_groups, plan_facts
from .model import AdminUnit, Organization, Plan, Snapshot, Task, Transition
from .report import Finding, NotApplicable, Report

if TYPE_CHECKING:
    from .stages import PolicyView as Policy

__all__ = ["Changes", "LiveEvaluation", "Trial"]

Key = tuple[str, str]  # (entity kind, id)


@dataclass
class Changes:
    """An edit in model terms: entities of ``after`` replaced, tasks added or removed (None), the
    transitions as a whole, and the plan's own fields (approval, baseline)."""

    orgs: dict[str, Organization] = field(default_factory=dict)
    tasks: dict[str, Optional[Task]] = field(default_factory=dict)
    units: dict[str, AdminUnit] = field(default_factory=dict)
    transitions: Optional[tuple[Transition, ...]] = None
    head: dict[str, Any] = field(default_factory=dict)


@dataclass
class Trial:
    """The evaluation of an edit, not yet kept: new fact rows, totals, and the findings of the
    entities it re-checked (``keys``); the rest of the report is the live one's."""

    changes: Changes
    keys: frozenset  # entities re-checked, the plan record included
    rows: dict  # key -> (ref, values) for re-derived rows; None: the row is gone
    sums: dict
    findings: dict  # key -> tuple of findings, for ``keys``
    na: dict  # key -> tuple of not-applicable entries, for ``keys``
    whole_na: tuple  # not-applicable entries without an entity
    targets: tuple
    _base: "LiveEvaluation"

    def reported(self, finding: Finding) -> bool:
        key = (finding.entity.kind, finding.entity.id)
        found = self.findings.get(key) if key in self.keys else self._base.findings.get(key)
        return any(_same(f, finding) for f in found or ())

    def undecided(self, finding: Finding) -> bool:
        """True when the edited plan leaves the finding's check undecidable (that fixes nothing)."""
        key = (finding.entity.kind, finding.entity.id)
        entries = (self.na.get(key) if key in self.keys else self._base.na.get(key)) or ()
        return any(_covers(n, finding) for n in (*self.whole_na, *entries))

    def new_findings(self) -> Iterable[Finding]:
        """Findings of the re-checked entities (the only ones an edit can add)."""
        return (f for key in sorted(self.keys) for f in self.findings.get(key, ()))

    @property
    def report(self) -> Report:
        return self._base._assemble(self)


def _same(a: Finding, b: Finding) -> bool:
    return (a.rule, a.check) == (b.rule, b.check)


def _covers(na: NotApplicable, finding: Finding) -> bool:
    return (na.rule == finding.rule and na.check in (None, finding.check)
            and (na.entity is None or (na.entity.kind, na.entity.id) == (finding.entity.kind, finding.entity.id)))


class LiveEvaluation:
    """One plan evaluated on one date, kept with its maps, rows and findings by entity."""

    def __init__(self, policy: "Policy", plan: Plan, as_of: dt.date, start: Optional[tuple] = None):
        """``start``: the plan's evaluation on ``as_of`` already made (:meth:`Policy.evaluation`), if any."""
        self.policy, self.as_of = policy, as_of
        self.head = replace(plan, after=Snapshot(), before=None if plan.before is None else Snapshot(),
                            transitions=())
        self.has_before = plan.before is not None
        before = plan.before or Snapshot()
        self.after = {o.id: o for o in plan.after.organizations}
        self.before = {o.id: o for o in before.organizations}
        self.tasks = {t.id: t for t in plan.after.tasks}
        self.tasks_before = {t.id: t for t in before.tasks}
        self.units = {u.id: u for u in plan.after.admin_units}
        self.units_before = {u.id: u for u in before.admin_units}
        self.people = plan.after.people
        self.people_before = before.people
        self.transitions = plan.transitions
        self._index()
        report, self.rows, self.sums = start or policy.evaluation(plan, as_of)  # rows: records read when asked for
        self._take(report, None)
        self._plan: Optional[Plan] = plan

    # ---------------------------------------------------------------- indexes of the structure

    def _index(self) -> None:
        """Where each organisation sits (positions, parents' children, merger groups, heads,
        transitions); none of it moves under the edits done locally."""
        self.pos = {oid: i for i, oid in enumerate(self.after)}
        self.pos_before = {oid: i for i, oid in enumerate(self.before)}
        self.unit_pos = {uid: i for i, uid in enumerate(self.units)}
        self.unit_pos_before = {uid: i for i, uid in enumerate(self.units_before)}
        self.children = _children(self.after.values())
        self.children_before = _children(self.before.values())
        self.unit_children = _children(self.units.values())
        self.unit_children_before = _children(self.units_before.values())
        self.group, self.members = _groups(self.after.values())
        self.heads: dict[str, list[int]] = {}
        for i, person in enumerate(self.people):
            for post in person.posts:
                if post.role == "head":
                    self.heads.setdefault(post.org, []).append(i)
        self.touching = _touching(self.transitions)

    def _take(self, report: Report, keys: Optional[frozenset]) -> None:
        """Findings and not-applicable entries by entity, from a report of all (keys None) or some."""
        if keys is None:
            self.findings, self.na = {}, {}
        self.whole_na = tuple(n for n in report.not_applicable if n.entity is None)
        self.targets = report.targets
        self.report_head = report
        for f in report.findings:
            self.findings.setdefault((f.entity.kind, f.entity.id), []).append(f)
        for n in report.not_applicable:
            if n.entity is not None:
                self.na.setdefault((n.entity.kind, n.entity.id), []).append(n)

    # ---------------------------------------------------------------- the plan as it now is

    @property
    def plan(self) -> Plan:
        if self._plan is None:
            before = Snapshot(tuple(self.before.values()), tuple(self.tasks_before.values()),
                              tuple(self.units_before.values()), ())
            self._plan = replace(
                self.head,
                after=Snapshot(tuple(self.after.values()), tuple(self.tasks.values()),
                               tuple(self.units.values()), self.people),
                before=replace(before, people=self.people_before) if self.has_before else None,
                transitions=self.transitions,
            )
        return self._plan

    @property
    def report(self) -> Report:
        return self._assemble(None)

    def _assemble(self, trial: Optional[Trial]) -> Report:
        findings, na = dict(self.findings), dict(self.na)
        whole_na, targets = self.whole_na, self.targets
        if trial is not None:
            for key in trial.keys:
                findings[key] = trial.findings.get(key, ())
                na[key] = trial.na.get(key, ())
            whole_na, targets = trial.whole_na, trial.targets
        return replace(
            self.report_head,
            findings=tuple(sorted((f for fs in findings.values() for f in fs), key=lambda f: f.sort_key)),
            not_applicable=tuple(sorted((*whole_na, *(n for ns in na.values() for n in ns)),
                                        key=lambda n: n.sort_key)),
            targets=targets,
        )

    # ---------------------------------------------------------------- edits

    def trial(self, changes: Changes) -> Optional[Trial]:
        """The evaluation of ``changes`` (not kept), or None when they cannot be evaluated locally."""
        if any(oid not in self.after for oid in changes.orgs) or any(u not in self.units for u in changes.units):
            return None
        orgs = self._affected_orgs(changes)
        tasks = frozenset(changes.tasks)
        units = frozenset(changes.units)
        old = self._subplan(orgs, tasks, units, Changes())
        new = self._subplan(orgs, tasks, units, changes)
        _, old_part = self.policy.facts_with_totals(old, self.as_of, only=orgs)
        table, new_part = self.policy.facts_with_totals(new, self.as_of, only=orgs)
        sums = {k: v - old_part[k] + new_part[k] for k, v in self.sums.items()}
        wanted = ({("organization", o) for o in orgs} | {("task", t) for t in tasks}
                  | {("admin_unit", u) for u in units})
        plan_ref = EntityRef("plan", self.head.id, self.head.title or self.head.id)
        plan_row = self._dated_plan_row(plan_facts(new, sums), plan_ref, units, table)
        picked = [(plan_ref, plan_row)] + [(r, e.values) for r, e in zip(table.refs, table.entities)
                                           if (r.kind, r.id) in wanted]
        part = FactTable(tuple(Entity(r.kind, v) for r, v in picked), tuple(r for r, _ in picked))
        report = self.policy._report(new, self.as_of, part)
        whole_na = tuple(n for n in report.not_applicable if n.entity is None)
        if {(n.rule, n.check, n.reason.en) for n in whole_na} != {(n.rule, n.check, n.reason.en)
                                                                   for n in self.whole_na}:
            return None  # which rules apply changed: nothing carries over
        keys = frozenset(wanted | {("plan", self.head.id)})
        rows = {key: None for key in wanted}
        rows.update({(r.kind, r.id): (r, v) for r, v in picked})
        found: dict = {}
        for f in report.findings:
            found.setdefault((f.entity.kind, f.entity.id), []).append(f)
        na: dict = {}
        for n in report.not_applicable:
            if n.entity is not None:
                na.setdefault((n.entity.kind, n.entity.id), []).append(n)
        return Trial(changes, keys, rows, sums, found, na, whole_na, report.targets, self)

    def _dated_plan_row(self, row: dict, ref: EntityRef, units: frozenset, table: FactTable) -> dict:
        """The plan record with its dated totals (over every commune, see :mod:`.facts.dated`): those of
        the evaluation so far when no unit changed, else computed again over every unit's row."""
        key = ("plan", self.head.id)
        if not units:
            old = self.rows[key][1]
            row.update({k: old[k] for k in self._dated_plan_keys})
            return row
        fresh = {(r.kind, r.id): (r, e.values) for r, e in zip(table.refs, table.entities) if r.kind == "admin_unit"}
        rows = [self.rows[k] for k in self.rows.of_kind("admin_unit") if k[1] not in units]
        rows += [fresh[k] for k in sorted(fresh) if k[1] in units]
        dated = with_dated_facts(FactTable((Entity("plan", row), *(Entity(r.kind, v) for r, v in rows)),
                                           (ref, *(r for r, _ in rows))), self.policy.params, self.as_of)
        return dict(dated.entities[0].values)

    @cached_property
    def _dated_plan_keys(self) -> frozenset:
        """The plan facts that dated parameters fill in (with_dated_facts on a plan alone names them)."""
        probe = FactTable((Entity("plan", {}),), (EntityRef("plan", "", ""),))
        return frozenset(with_dated_facts(probe, self.policy.params, self.as_of).entities[0].values)

    def commit(self, trial: Trial) -> None:
        """Keep an edit evaluated by :meth:`trial` (of this state, and the last one committed)."""
        c = trial.changes
        self.after.update(c.orgs)
        self.units.update(c.units)
        for tid, task in c.tasks.items():
            if task is None:
                self.tasks.pop(tid, None)
            else:
                self.tasks[tid] = task
        if c.transitions is not None:
            self.transitions = c.transitions
            self.touching = _touching(self.transitions)
        if c.head:
            self.head = replace(self.head, **c.head)
        for key, row in trial.rows.items():
            if row is None:
                self.rows.pop(key, None)
            else:
                self.rows[key] = row
        self.sums = trial.sums
        for key in trial.keys:
            self.findings[key] = trial.findings.get(key, [])
            self.na[key] = trial.na.get(key, [])
        self.whole_na, self.targets = trial.whole_na, trial.targets
        self._plan = None

    # ---------------------------------------------------------------- what an edit touches

    def _affected_orgs(self, changes: Changes) -> frozenset:
        """Organisations whose facts an edit can move, closed under merger groups."""
        out = set()
        for oid, org in changes.orgs.items():
            out.add(oid)
            out.update(self.children.get(oid, ()))
            old = self.after[oid]
            if org.type != old.type and org.parent is not None:
                out.add(org.parent)
        if changes.transitions is not None:  # by position: an appended copy of a transition counts too
            old, new = self.transitions, changes.transitions
            for i in range(max(len(old), len(new))):
                pair = old[i:i + 1] + new[i:i + 1]
                if len(pair) == 1 or pair[0] != pair[1]:
                    out.update(x for t in pair for x in (t.from_, t.to)
                               if x is not None and (x in self.after or x in self.before))
        for oid in list(out):
            root = self.group.get(oid)
            if root is not None:
                out.update(self.members[root])
        return frozenset(out)

    def _subplan(self, orgs: frozenset, tasks: frozenset, units: frozenset, changes: Changes) -> Plan:
        """A plan holding ``orgs``, ``tasks`` and ``units`` with everything their facts read; its cost
        is the size of that neighbourhood, never the plan's."""
        def org_after(oid: str) -> Optional[Organization]:
            return changes.orgs.get(oid) or self.after.get(oid)

        near = set(orgs)
        for oid in orgs:
            for org, children in ((org_after(oid), self.children), (self.before.get(oid), self.children_before)):
                if org is not None and org.parent is not None:
                    near.add(org.parent)
                near.update(children.get(oid, ()))
        after = tuple(org_after(o) for o in sorted((o for o in near if o in self.after), key=self.pos.__getitem__))
        before = tuple(self.before[o] for o in sorted((o for o in near if o in self.before),
                                                      key=self.pos_before.__getitem__))
        heads = sorted({i for o in orgs for i in self.heads.get(o, ())})
        transitions = changes.transitions if changes.transitions is not None else self.transitions
        touching = _touching(transitions) if changes.transitions is not None else self.touching
        moved = tuple(transitions[i] for i in sorted({i for o in orgs for i in touching.get(o, ())}))
        task_after = tuple(t for tid in sorted(tasks)
                           if (t := (changes.tasks[tid] if tid in changes.tasks else self.tasks.get(tid))) is not None)
        task_before = tuple(self.tasks_before[t] for t in sorted(tasks) if t in self.tasks_before)
        unit_after, unit_before = self._near_units(units, changes.units)
        head = replace(self.head, **changes.head) if changes.head else self.head
        return replace(
            head,
            after=Snapshot(after, task_after, unit_after, tuple(self.people[i] for i in heads)),
            before=Snapshot(before, task_before, unit_before, ()) if self.has_before else None,
            transitions=moved,
        )

    def _near_units(self, units: frozenset, changed: Mapping[str, AdminUnit]) -> tuple[tuple, tuple]:
        """The changed units with their parents and children, in file order, after and before."""
        near_after, near_before = set(), set()
        for uid in units:
            near_after.add(uid)
            unit = changed.get(uid) or self.units[uid]
            if unit.parent is not None:
                near_after.add(unit.parent)
            near_after.update(self.unit_children.get(uid, ()))
            if uid in self.units_before:
                near_before.add(uid)
                old = self.units_before[uid]
                if old.parent is not None:
                    near_before.add(old.parent)
                near_before.update(self.unit_children_before.get(uid, ()))
        after = tuple(changed.get(u) or self.units[u]
                      for u in sorted((u for u in near_after if u in self.units), key=self.unit_pos.__getitem__))
        before = tuple(self.units_before[u] for u in sorted((u for u in near_before if u in self.units_before),
                                                            key=self.unit_pos_before.__getitem__))
        return after, before


def _children(items: Iterable[Any]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for item in items:
        if item.parent is not None:
            out.setdefault(item.parent, []).append(item.id)
    return out


def _touching(transitions: tuple[Transition, ...]) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for i, t in enumerate(transitions):
        for oid in {t.from_, t.to} - {None}:
            out.setdefault(oid, []).append(i)
    return out


def _groups(orgs: Iterable[Organization]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """Merger groups (connected by ``formed_from``): each member's root, and each root's members."""
    group = merger_groups(orgs)
    members: dict[str, list[str]] = {}
    for x, root in group.items():
        members.setdefault(root, []).append(x)
    return group, members

"""A plan's facts as columns: one list per fact, over shared indexes, computed when first read.

This is the one definition of every organisation and task fact.  Rows are in plan order (the
organisations of ``after``, then those only in ``before``; the tasks likewise); each fact is a
list comprehension over that order, and a fact is computed only when something reads it: the
evaluation of the checks in force reads the dozen facts they name, a finding's message reads a
few more, and :func:`.derive.derive` reads them all to build one record per entity.

The indexes the facts share (the plan's maps, children, merger groups, settlement units, heads)
are computed once, on first use.  Administrative units and people are few; their facts are built
as records by :mod:`.derive` and read here as columns.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from itertools import repeat
from operator import attrgetter
from functools import cached_property
from typing import Callable, Collection, Iterable, Optional

from ..model import Organization, Plan, Snapshot

DEFAULT_COUNTED = ("civil_servants", "public_employees")

#: the facts of an organisation's settlement unit, on the unit's representative only
SETTLEMENT_FACTS = ("settlement_unit", "removed_positions", "settled_positions", "unsettled_positions",
                    "transfers_in", "staff_gain")
NO_SETTLEMENT = dict.fromkeys(SETTLEMENT_FACTS)
NO_SETTLEMENT["settlement_unit"] = False

_ORG: dict[str, Callable[["PlanColumns"], list]] = {}
_TASK: dict[str, Callable[["PlanColumns"], list]] = {}


def _org(*names: str):
    """Register a column function for the organisation facts ``names`` (one name: it returns the
    column; several: it returns the columns in that order)."""
    def register(fn):
        for i, name in enumerate(names):
            _ORG[name] = fn if len(names) == 1 else (lambda c, fn=fn, i=i: c.shared(fn)[i])
        return fn
    return register


def _task(name: str):
    def register(fn):
        _TASK[name] = fn
        return fn
    return register


class PlanColumns:
    """The facts of one plan, as columns computed on first read; ``counted`` are the staff categories
    counted towards targets, ``rule_ids`` the policy's rules (a pilot may only be exempt from those)."""

    def __init__(self, plan: Plan, counted: Iterable[str] = DEFAULT_COUNTED, rule_ids: Iterable[str] = ()):
        self.plan = plan
        self.counted = tuple(counted)
        self.rule_ids = frozenset(rule_ids)
        self._columns: dict[tuple[str, str], list] = {}
        self._shared: dict[Callable, tuple] = {}
        self._records: dict[str, tuple] = {}
        self.sums: dict = {}  # the plan's additive totals, set with the records (see .derive.plan_sums)

    # ------------------------------------------------------------------ reading

    def column(self, kind: str, name: str) -> list:
        """The fact ``name`` of every ``kind`` entity, in row order."""
        key = (kind, name)
        found = self._columns.get(key)
        if found is None:
            if kind == "organization":
                found = _ORG[name](self)
            elif kind == "task":
                found = _TASK[name](self)
            else:
                found = [values[name] for values in self.records(kind)[1]]
            self._columns[key] = found
        return found

    def has(self, kind: str, name: str) -> bool:
        """Whether ``name`` is a fact of ``kind`` here."""
        if kind == "organization":
            return name in _ORG
        if kind == "task":
            return name in _TASK
        return name in CATALOGUE_NAMES.get(kind, ())

    def shared(self, fn: Callable) -> tuple:
        """The columns a function computes together (once)."""
        found = self._shared.get(fn)
        if found is None:
            found = self._shared[fn] = fn(self)
        return found

    def ids(self, kind: str) -> list:
        """The ids of the ``kind`` entities, in row order."""
        if kind == "organization":
            return self.org_ids
        if kind == "task":
            return self.task_ids
        return [ref.id for ref in self.records(kind)[0]]  # few: records are built for them

    def names(self, kind: str) -> list:
        """The display names of the ``kind`` entities, in row order."""
        key = (kind, " name")
        found = self._columns.get(key)
        if found is None:
            if kind == "organization":
                found = [o.name for o in self.orgs]
            elif kind == "task":
                found = [t.name for t in self.tasks]
            else:
                found = [ref.name for ref in self.records(kind)[0]]
            self._columns[key] = found
        return found

    def size(self, kind: str) -> int:
        return len(self.ids(kind)) if kind != "plan" else 1

    def records(self, kind: str) -> tuple:
        """(refs, values) of the kinds built as records (administrative units, people, the plan):
        set by the derivation that owns them."""
        return self._records[kind]

    def set_records(self, kind: str, refs: tuple, values: tuple) -> None:
        self._records[kind] = (refs, values)
        for key in [k for k in self._columns if k[0] == kind]:
            del self._columns[key]

    # ------------------------------------------------------------------ shared indexes: organisations

    @cached_property
    def after(self) -> dict[str, Organization]:
        return {o.id: o for o in self.plan.after.organizations}

    @cached_property
    def before(self) -> dict[str, Organization]:
        return {o.id: o for o in self.plan.before.organizations} if self.plan.before else {}

    @cached_property
    def org_ids(self) -> list[str]:
        after = self.after
        return [*after, *[oid for oid in self.before if oid not in after]]

    @cached_property
    def n_after(self) -> int:
        return len(self.after)

    @cached_property
    def orgs(self) -> list[Organization]:
        """Each row's organisation: as in ``after``, else as in ``before``."""
        before = self.before
        return [*self.after.values(), *(before[oid] for oid in self.org_ids[self.n_after:])]

    @cached_property
    def olds(self) -> list[Optional[Organization]]:
        """Each row's organisation as in ``before`` (None if it is new)."""
        return list(map(self.before.get, self.org_ids))

    @cached_property
    def staff_after(self) -> dict[str, int]:
        return dict(zip(self.after, _counted(self.after.values(), self.counted)))

    @cached_property
    def staff_before(self) -> dict[str, int]:
        return dict(zip(self.before, _counted(self.before.values(), self.counted)))

    @cached_property
    def parents(self) -> list[Optional[Organization]]:
        """Each row's parent in its own snapshot (``after`` for rows of ``after``)."""
        n, orgs = self.n_after, self.orgs  # no organisation has the id None or ""
        return [*map(self.after.get, map(_PARENT, orgs[:n])), *map(self.before.get, map(_PARENT, orgs[n:]))]

    @cached_property
    def group_of(self) -> dict[str, str]:
        return merger_groups(self.after.values())

    @cached_property
    def groups(self) -> dict[str, list[str]]:
        """Merger groups by root, with their members of the plan in id order."""
        out: dict[str, list[str]] = {}
        before, after = self.before, self.after
        for oid, root in self.group_of.items():
            if oid in before or oid in after:
                out.setdefault(root, []).append(oid)
        for members in out.values():
            members.sort()
        return out

    @cached_property
    def totals(self) -> dict[str, tuple[tuple[int, int, int, int], Optional[str]]]:
        """Per merger group: counted staff before and after, deputies before and after, and its
        representative: the member of ``after`` first by name, then by id, so that neither renaming
        ids nor changing staff moves a group's findings to another organisation."""
        out = {}
        before, after, sb_of, sa_of = self.before, self.after, self.staff_before, self.staff_after
        for unit, members in self.groups.items():
            sb = sa = db = da = 0
            lead = lead_key = None
            for m in members:
                old, new = before.get(m), after.get(m)
                if old is not None:
                    sb += sb_of[m]
                    db += old.deputies
                if new is not None:
                    sa += sa_of[m]
                    da += new.deputies
                    key = (new.name, m)
                    if lead_key is None or key < lead_key:
                        lead, lead_key = m, key
            out[unit] = ((sb, sa, db, da), lead)
        return out

    def unit_of(self, oid: str, default: Optional[str] = None) -> Optional[str]:
        """The settlement unit of an organisation of the plan (its merger group, or itself);
        ``default`` for another id."""
        if oid in self.before or oid in self.after:
            return self.group_of.get(oid, oid)
        return default

    def unit_staff(self, unit: str) -> tuple[int, int, str]:
        """A settlement unit's counted staff before and after, and the organisation representing it."""
        found = self.totals.get(unit)
        if found is not None:
            (sb, sa, _, _), lead = found
            return sb, sa, lead or self.groups[unit][0]
        return self.staff_before.get(unit, 0), self.staff_after.get(unit, 0), unit

    @cached_property
    def flows(self) -> tuple[dict[str, int], dict[str, int]]:
        """Positions leaving each settlement unit through transitions, and transferred into each.

        A transition settles positions only if it takes them out of the unit: a transfer to another
        member of the same merger group keeps them inside it, in its staff after."""
        leaving: dict[str, int] = defaultdict(int)
        transfers_in: dict[str, int] = defaultdict(int)
        for t in self.plan.transitions:
            src = self.unit_of(t.from_, t.from_)
            dst = self.unit_of(t.to) if t.outcome == "transfer" and t.to is not None else None
            if dst == src:
                continue
            leaving[src] += t.count
            if dst is not None:
                transfers_in[dst] += t.count
        return dict(leaving), dict(transfers_in)

    def settlement_sums(self, only: Optional[Collection[str]] = None) -> tuple[int, int]:
        """Removed and settled positions over the settlement units (with ``only``, those whose
        representative is in it); (0, 0) for a plan without ``before``."""
        if self.plan.before is None:
            return 0, 0
        leaving = self.flows[0]
        if only is not None:
            units = {self.unit_of(oid) for oid in only} - {None}
            shares = [(u, *self.unit_staff(u)) for u in sorted(units)]
            shares = [(u, sb, sa) for u, sb, sa, rep in shares if rep in only]
        else:  # organisations of no merger group (only those in ``before`` can lose staff), then the groups
            grouped, sa_get = self.group_of, self.staff_after.get
            shares = [(u, sb, sa) for u, sb in self.staff_before.items()
                      if u not in grouped and sb > (sa := sa_get(u, 0))]
            shares += [(u, *self.unit_staff(u)[:2]) for u in self.groups]
        removed = settled = 0
        for unit, sb, sa in shares:
            if sb > sa:
                removed += sb - sa
                settled += min(leaving.get(unit, 0), sb - sa)
        return removed, settled

    @cached_property
    def settlement(self) -> dict[str, dict]:
        """Removed positions per settlement unit, on the unit's representative."""
        if self.plan.before is None:
            return {}
        leaving, transfers_in = self.flows
        out = {}
        units = [oid for oid in self.org_ids if oid not in self.group_of] + list(self.groups)
        for unit in units:
            sb, sa, rep = self.unit_staff(unit)
            settled = leaving.get(unit, 0)
            removed = max(0, sb - sa)
            out[rep] = {
                "settlement_unit": True,
                "removed_positions": removed,
                "settled_positions": settled,
                "unsettled_positions": max(0, removed - settled),
                "transfers_in": transfers_in.get(unit, 0),
                "staff_gain": sa - sb,
            }
        return out

    # ------------------------------------------------------------------ shared indexes: tasks

    @cached_property
    def tasks_after(self) -> dict:
        return {t.id: t for t in self.plan.after.tasks}

    @cached_property
    def tasks_before(self) -> dict:
        return {t.id: t for t in self.plan.before.tasks} if self.plan.before else {}

    @cached_property
    def task_ids(self) -> list[str]:
        after = self.tasks_after
        return [*after, *(tid for tid in self.tasks_before if tid not in after)]

    @cached_property
    def tasks(self) -> list:
        before = self.tasks_before
        return [*self.tasks_after.values(), *(before[tid] for tid in self.task_ids[len(self.tasks_after):])]


def _counted(orgs: Iterable[Organization], counted: tuple[str, ...]) -> list[int]:
    if counted == DEFAULT_COUNTED:
        return [o.staff.civil_servants + o.staff.public_employees for o in orgs]
    return [o.staff.counted(counted) for o in orgs]


# --------------------------------------------------------------------------- organisation facts


def _attr(name: str, *path: str) -> None:
    read = attrgetter(".".join(path) if path else name)

    def column(c: PlanColumns) -> list:
        return list(map(read, c.orgs))
    _ORG[name] = column


for _name in ("type", "level", "intermediate", "effective", "heads", "deputies", "job_positions"):
    _attr(_name)
for _name in ("civil_servants", "public_employees", "contract"):
    _attr(_name, "staff", _name)


@_org("status")
def _status(c: PlanColumns) -> list:
    merged_away = {s for o in c.after.values() for s in o.formed_from if s not in c.after}
    n = c.n_after
    return ([("continuing" if old is not None else ("formed" if o.formed_from else "new"))
             for o, old in zip(c.orgs[:n], c.olds[:n])]
            + ["merged_away" if oid in merged_away else "dissolved" for oid in c.org_ids[n:]])


@_org("in_before")
def _in_before(c: PlanColumns) -> list:
    return [old is not None for old in c.olds]


@_org("in_after")
def _in_after(c: PlanColumns) -> list:
    return [True] * c.n_after + [False] * (len(c.org_ids) - c.n_after)


@_org("parent_type")
def _parent_type(c: PlanColumns) -> list:
    return [p.type if p is not None else None for p in c.parents]


@_org("parent_deputies")
def _parent_deputies(c: PlanColumns) -> list:
    return [p.deputies if p is not None else None for p in c.parents]


@_org("was_intermediate")
def _was_intermediate(c: PlanColumns) -> list:
    """Intermediate in ``before``, or formed (in ``after``) from an intermediate organisation."""
    before = c.before
    out = [old is not None and old.intermediate for old in c.olds]
    for i, o in enumerate(c.orgs[:c.n_after]):
        if o.formed_from and not out[i]:
            out[i] = any(before[s].intermediate for s in o.formed_from if s in before)
    return out


@_org("counted_staff")
def _counted_staff(c: PlanColumns) -> list:
    sa, sb = c.staff_after, c.staff_before
    return [*sa.values(), *(sb[oid] for oid in c.org_ids[c.n_after:])]


@_org("counted_staff_before")
def _counted_staff_before(c: PlanColumns) -> list:
    get = c.staff_before.get
    return [get(oid) for oid in c.org_ids]


@_org("deputies_before")
def _deputies_before(c: PlanColumns) -> list:
    return [old.deputies if old is not None else None for old in c.olds]


@_org("effective_before")
def _effective_before(c: PlanColumns) -> list:
    return [old.effective if old is not None else None for old in c.olds]


def _children_count(c: PlanColumns, orgs: Iterable[Organization], rows_after: bool, absent) -> list:
    get = _count_children(orgs).get
    n, ids = c.n_after, c.org_ids
    if rows_after:  # counted in ``after``: rows only in ``before`` have none
        return list(map(get, ids[:n], repeat(0, n))) + [absent] * (len(ids) - n)
    counts = list(map(get, ids, repeat(0, len(ids))))
    if n and c.plan.before is not None:  # rows not in ``before`` have no count there
        counts[:n] = [k if old is not None else absent for k, old in zip(counts[:n], c.olds[:n])]
    elif c.plan.before is None:
        counts = [absent] * len(ids)
    return counts


@_org("children_after")
def _children_after(c: PlanColumns) -> list:
    return _children_count(c, c.after.values(), True, 0)


@_org("children_before")
def _children_before(c: PlanColumns) -> list:
    return _children_count(c, c.before.values(), False, None)


@_org("internal_units_after")
def _internal_units_after(c: PlanColumns) -> list:
    return _children_count(c, (o for o in c.after.values() if o.type == "internal_unit"), True, 0)


@_org("province_class")
def _province_class(c: PlanColumns) -> list:
    return [c.plan.province_class] * len(c.org_ids)


@_org("sources")
def _sources(c: PlanColumns) -> list:
    n = c.n_after
    return [len(o.formed_from) for o in c.orgs[:n]] + [0] * (len(c.org_ids) - n)


@_org("group_lead", "group_size", "group_staff_before", "group_staff_after", "group_deputies_before",
      "group_deputies_after")
def _group(c: PlanColumns) -> tuple:
    n_rows, n = len(c.org_ids), c.n_after
    lead = [False] * n_rows
    size, sb, sa, db, da = ([None] * n_rows for _ in range(5))
    group_of, groups, totals = c.group_of, c.groups, c.totals
    if not group_of:
        return lead, size, sb, sa, db, da
    ids = c.org_ids
    for i in [i for i, oid in enumerate(ids) if oid in group_of]:
        oid = ids[i]
        group = group_of[oid]
        (sb[i], sa[i], db[i], da[i]), rep = totals[group]
        lead[i] = i < n and oid == rep
        size[i] = len(groups[group])
    return lead, size, sb, sa, db, da


@_org(*SETTLEMENT_FACTS)
def _settlement(c: PlanColumns) -> tuple:
    get = c.settlement.get
    rows = [get(oid, NO_SETTLEMENT) for oid in c.org_ids]
    return tuple([row[name] for row in rows] for name in SETTLEMENT_FACTS)


@_org("pilot", "pilot_approved", "pilot_unknown_exemptions", "pilot_unknown_exemption_list")
def _pilot(c: PlanColumns) -> tuple:
    pilot, approved, unknown, listed = [], [], [], []
    for o in c.orgs:
        p = o.pilot
        names = sorted(set(p.exempt_from) - c.rule_ids) if p is not None else []
        pilot.append(p is not None)
        approved.append(bool(p is not None and p.approval))
        unknown.append(len(names))
        listed.append(", ".join(names) or None)
    return pilot, approved, unknown, listed


@_org("head_person")
def _head_person(c: PlanColumns) -> list:
    get = _heads(c.plan.after).get
    return [get(oid) for oid in c.org_ids]


#: the organisation facts in the order of an organisation's record
ORG_FACTS = ("status", "in_before", "in_after", "type", "level", "parent_type", "intermediate",
             "was_intermediate", "effective", "heads", "deputies", "civil_servants", "public_employees",
             "contract", "counted_staff", "job_positions", "deputies_before", "counted_staff_before",
             "effective_before", "children_after", "children_before", "internal_units_after",
             "parent_deputies", "province_class", "sources", "group_lead", "group_size",
             "group_staff_before", "group_staff_after", "group_deputies_before", "group_deputies_after",
             "pilot", "pilot_approved", "pilot_unknown_exemptions", "pilot_unknown_exemption_list",
             "head_person", *SETTLEMENT_FACTS)


# --------------------------------------------------------------------------- task facts


@_task("in_before")
def _task_in_before(c: PlanColumns) -> list:
    before = c.tasks_before
    return [tid in before for tid in c.task_ids]


@_task("in_after")
def _task_in_after(c: PlanColumns) -> list:
    n = len(c.tasks_after)
    return [True] * n + [False] * (len(c.task_ids) - n)


@_task("retired")
def _task_retired(c: PlanColumns) -> list:
    n = len(c.tasks_after)
    return [bool(t.retired and t.retired.reason) for t in c.tasks[:n]] + [False] * (len(c.task_ids) - n)


@_task("lead_count")
def _task_lead_count(c: PlanColumns) -> list:
    return [len(t.lead) if t.lead is not None else None for t in c.tasks]


@_task("lead_person_count")
def _task_lead_person_count(c: PlanColumns) -> list:
    return [len(t.lead_person) if t.lead_person is not None else None for t in c.tasks]


@_task("support_count")
def _task_support_count(c: PlanColumns) -> list:
    return [len(t.support) for t in c.tasks]


@_task("lead_list")
def _task_lead_list(c: PlanColumns) -> list:
    return [", ".join(t.lead) if t.lead else None for t in c.tasks]


@_task("lead_person_list")
def _task_lead_person_list(c: PlanColumns) -> list:
    return [", ".join(t.lead_person) if t.lead_person else None for t in c.tasks]


TASK_FACTS = ("in_before", "in_after", "retired", "lead_count", "lead_person_count", "support_count",
              "lead_list", "lead_person_list")


# --------------------------------------------------------------------------- helpers


def _count_children(orgs: Iterable[Organization]) -> dict[str, int]:
    counts = Counter(map(_PARENT, orgs))
    counts.pop(None, None)
    counts.pop("", None)
    return counts


_PARENT = attrgetter("parent")


def _heads(snapshot: Snapshot) -> dict[str, str]:
    heads: dict[str, str] = {}
    for person in snapshot.people:
        for post in person.posts:
            if post.role == "head":
                heads.setdefault(post.org, person.id)
    return heads


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

    for org in [o for o in orgs if o.formed_from]:
        for src in org.formed_from:
            a, b = find(org.id), find(src)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {x: find(x) for x in set(parent) | set(parent.values())}


from .catalogue import CATALOGUE  # noqa: E402  (after the registries: the names of the record kinds)

CATALOGUE_NAMES = {kind: frozenset(CATALOGUE[kind]) for kind in ("plan", "admin_unit", "person")}

"""What a lever is: a family of edits of a plan, sized by ``k``, and the context it reads."""
from __future__ import annotations

import heapq
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Mapping, Optional, Union

from ..errors import Text
from ..facts import EntityRef
from ..model import Plan
from ..serial import JsonForm

__all__ = ["MERGE_LIMIT", "RAISE_LIMIT", "SIBLING_LIMIT", "Change", "Context", "Edit", "Lever", "PlanIndex", "merged_away"]

#: the largest ``k`` tried when a lever raises a count (lowering stops at zero)
RAISE_LIMIT = 1000
#: the most organisations one fix merges away; more is a reorganisation, not a fix
MERGE_LIMIT = 10
#: the most neighbouring units tried as the target of a merger
SIBLING_LIMIT = 5


def merged_away(_k: int) -> Mapping[str, Any]:
    """How a merger moves the facts of the entity merged away: it leaves ``after``."""
    return {"in_after": False, "status": "merged_away"}


@dataclass(frozen=True)
class Change(JsonForm):
    """One field of the plan changed by a fix: whose, which (a path in the plan), from what to what."""

    entity: EntityRef
    field: str
    old: Any
    new: Any

    def to_dict(self, lang: str = "vi") -> dict:
        return {"entity": {"kind": self.entity.kind, "id": self.entity.id, "name": self.entity.name},
                "field": self.field, "from": self.old, "to": self.new}


class Edit:
    """A plan changed by a lever, the changes in the plan's terms, and the sentence for an officer.

    ``plan`` may be given as a function that builds it: the changed plan costs a copy of the plan's
    lists, so it is built only when asked for (a fix that is verified, a hint never)."""

    __slots__ = ("_plan", "changes", "text")

    def __init__(self, plan: Union[Plan, Callable[[], Plan]], changes: tuple[Change, ...], text: Text):
        self._plan = plan
        self.changes = changes
        self.text = text

    @property
    def plan(self) -> Plan:
        if not isinstance(self._plan, Plan):
            self._plan = self._plan()
        return self._plan

    def __repr__(self) -> str:
        return f"Edit({self.changes!r}, {self.text!r})"


@dataclass(frozen=True)
class Lever:
    """A family of edits of growing size ``k`` (1..limit); ``tier`` 0 follows the programme's direction."""

    key: str
    tier: int
    limit: int
    build: Callable[[int], Edit]
    facts_at: Optional[Callable[[int], Mapping[str, Any]]] = None  # effect on the finding's own facts


class PlanIndex:
    """Maps of one plan and its facts, built once per fix search and shared by every finding's
    levers, so that looking up an entity, its children or its siblings costs no walk of the plan."""

    def __init__(self, plan: Plan, rows: Mapping):
        self.plan = plan
        self.rows = rows  # (kind, id) -> (reference, facts): see :class:`..rows.Records`

    @cached_property
    def orgs(self) -> dict:
        return {o.id: o for o in self.plan.after.organizations}

    @cached_property
    def before_orgs(self) -> dict:
        return {o.id: o for o in self.plan.before.organizations} if self.plan.before else {}

    @cached_property
    def tasks(self) -> dict:
        return {t.id: t for t in self.plan.after.tasks}

    @cached_property
    def before_tasks(self) -> dict:
        return {t.id: t for t in self.plan.before.tasks} if self.plan.before else {}

    @cached_property
    def units(self) -> dict:
        return {u.id: u for u in self.plan.after.admin_units}

    @cached_property
    def people(self) -> dict:
        return {p.id: p for p in self.plan.after.people}

    @cached_property
    def children(self) -> dict:
        """Organisations of ``after`` by parent, in plan order."""
        out: dict = {}
        for o in self.plan.after.organizations:
            if o.parent is not None:
                out.setdefault(o.parent, []).append(o.id)
        return out

    @cached_property
    def before_units(self) -> frozenset:
        return frozenset(u.id for u in self.plan.before.admin_units) if self.plan.before else frozenset()

    @cached_property
    def _unit_ranks(self) -> dict:
        """Units of ``after`` by (parent, level, kind), smallest first (households, population, id)."""
        out: dict = {}
        for u in self.plan.after.admin_units:
            if u.parent is not None:
                out.setdefault((u.parent, u.level), {}).setdefault(u.kind, []).append(u)
        for kinds in out.values():
            for units in kinds.values():
                units.sort(key=lambda u: (u.households or 0, u.population or 0, u.id))
        return out

    def unit_siblings(self, unit, limit: int) -> list:
        """The first ``limit`` other units under the same parent at the same level: those of the same
        kind first, then the smallest; a few from each kind's ranked list, so the cost is not the
        number of siblings."""
        kinds = self._unit_ranks.get((unit.parent, unit.level), {})
        near = [u for units in kinds.values() for u in units[:limit + 1] if u.id != unit.id]
        return heapq.nsmallest(limit, near, key=lambda u: (u.kind != unit.kind, u.households or 0,
                                                           u.population or 0, u.id))

    @cached_property
    def links(self) -> dict:
        """``formed_from`` as an undirected graph: organisation id -> linked ids."""
        links: dict = {}
        for org in self.plan.after.organizations:
            for source in org.formed_from:
                links.setdefault(org.id, set()).add(source)
                links.setdefault(source, set()).add(org.id)
        return links

    @cached_property
    def successors(self) -> dict:
        """Each organisation of ``before`` -> the first (by id) organisation of ``after`` formed from it."""
        out: dict = {}
        for org in sorted(self.plan.after.organizations, key=lambda o: o.id):
            for source in org.formed_from:
                out.setdefault(source, org.id)
        return out

    @cached_property
    def heads(self) -> dict:
        """Organisation id -> the first person (by id) heading it."""
        out: dict = {}
        for person in sorted(self.plan.after.people, key=lambda p: p.id):
            for post in person.posts:
                if post.role == "head":
                    out.setdefault(post.org, person.id)
        return out


@dataclass(frozen=True)
class Context:
    """What a lever needs to know: the plan, the finding's entity and its facts, all facts of the plan."""

    plan: Plan
    ref: EntityRef
    values: Mapping[str, Any]
    counted: tuple[str, ...]
    goal: Text  # the rule's title, for plan-wide sentences
    numbers: tuple[float, ...] = ()  # every number in the trace of the violated condition
    shared: Optional[PlanIndex] = None  # the search's index of the plan and its records

    @cached_property
    def index(self) -> PlanIndex:
        return self.shared

    @property
    def _rows(self) -> dict:
        return self.index.rows

    def facts(self, kind: str, eid: str) -> Mapping[str, Any]:
        return self._rows[(kind, eid)][1]

    def ref_of(self, kind: str, eid: str) -> EntityRef:
        row = self._rows.get((kind, eid))
        return row[0] if row else EntityRef(kind, eid, eid)

    def of_kind(self, kind: str) -> list[tuple[EntityRef, Mapping[str, Any]]]:
        return [(r, v) for (k, _), (r, v) in self._rows.items() if k == kind]

    @property
    def orgs(self) -> dict:
        return self.index.orgs

    @property
    def before_orgs(self) -> dict:
        return self.index.before_orgs

    def org_name(self, oid: str) -> str:
        org = self.orgs.get(oid) or self.before_orgs.get(oid)
        return org.name if org else oid

    def successor(self, oid: str) -> Optional[str]:
        """The organisation of ``after`` that carries on ``oid``: itself, or the one formed from it."""
        if oid in self.orgs:
            return oid
        return self.index.successors.get(oid)

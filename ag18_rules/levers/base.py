"""What a lever is: a family of edits of a plan, sized by ``k``, and the context it reads."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Mapping, Optional

from ..errors import Text
from ..facts import EntityRef, FactTable
from ..model import Plan
from ..serial import JsonForm

__all__ = ["MERGE_LIMIT", "RAISE_LIMIT", "SIBLING_LIMIT", "Change", "Context", "Edit", "Lever", "merged_away"]

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


@dataclass(frozen=True)
class Edit:
    """A plan changed by a lever, the changes in the plan's terms, and the sentence for an officer."""

    plan: Plan
    changes: tuple[Change, ...]
    text: Text


@dataclass(frozen=True)
class Lever:
    """A family of edits of growing size ``k`` (1..limit); ``tier`` 0 follows the programme's direction."""

    key: str
    tier: int
    limit: int
    build: Callable[[int], Edit]
    facts_at: Optional[Callable[[int], Mapping[str, Any]]] = None  # effect on the finding's own facts


@dataclass(frozen=True)
class Context:
    """What a lever needs to know: the plan, the finding's entity and its facts, all facts of the plan."""

    plan: Plan
    ref: EntityRef
    values: Mapping[str, Any]
    table: FactTable
    counted: tuple[str, ...]
    goal: Text  # the rule's title, for plan-wide sentences
    numbers: tuple[float, ...] = ()  # every number in the trace of the violated condition

    @cached_property
    def _rows(self) -> dict:
        return {(r.kind, r.id): (r, e.values) for r, e in zip(self.table.refs, self.table.entities)}

    def facts(self, kind: str, eid: str) -> Mapping[str, Any]:
        return self._rows[(kind, eid)][1]

    def ref_of(self, kind: str, eid: str) -> EntityRef:
        row = self._rows.get((kind, eid))
        return row[0] if row else EntityRef(kind, eid, eid)

    def of_kind(self, kind: str) -> list[tuple[EntityRef, Mapping[str, Any]]]:
        return [(r, v) for (k, _), (r, v) in self._rows.items() if k == kind]

    @cached_property
    def orgs(self) -> dict:
        return {o.id: o for o in self.plan.after.organizations}

    @cached_property
    def before_orgs(self) -> dict:
        return {o.id: o for o in self.plan.before.organizations} if self.plan.before else {}

    def org_name(self, oid: str) -> str:
        org = self.orgs.get(oid) or self.before_orgs.get(oid)
        return org.name if org else oid

    def successor(self, oid: str) -> Optional[str]:
        """The organisation of ``after`` that carries on ``oid``: itself, or the one formed from it."""
        if oid in self.orgs:
            return oid
        return next((o.id for o in sorted(self.orgs.values(), key=lambda o: o.id) if oid in o.formed_from), None)

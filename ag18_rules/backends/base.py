"""The protocol every evaluation backend meets.

A backend receives backend-neutral :class:`CheckProgram` s (one condition pair per rule check,
already parsed and type-checked) and, per evaluation, the entities with their facts and
resolved parameter values.  It answers which (check, entity) pairs are *violated* and which
are *unknown* (a value the condition needs is missing).  Everything else -- findings,
messages, explanations -- is built above the backend, so both backends are compared on
exactly the part they implement.

Semantics, for an entity of the check's kind (three-valued, see :mod:`ag18_rules.expr.nodes`):

* ``where`` unknown                      -> UNKNOWN
* ``where`` true and ``require`` false   -> VIOLATED
* ``where`` true and ``require`` unknown -> UNKNOWN
* otherwise                              -> nothing reported
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Collection, Mapping, NamedTuple, Optional, Protocol, Sequence

from ..expr.nodes import Node, Value
from ..expr.types import Type


class Verdict(enum.Enum):
    VIOLATED = "violated"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class CheckProgram:
    """One check of one rule, in backend-neutral form.

    ``types`` gives the type of every name the two expressions read; parameter names have
    already been rewritten to their field names (``p__<parameter id with . and - as _>``).
    """

    key: str  # "<rule id>/<check id>", unique in a rule set
    kind: str  # entity kind: plan | organization | task | admin_unit | person
    where: Node
    require: Node
    types: Mapping[str, Type]


class Entity(NamedTuple):
    """One entity as the backends see it: its kind and a flat mapping of typed values.

    A named tuple rather than a frozen dataclass: a plan has one per entity, and a tuple is made
    several times faster."""

    kind: str
    values: Mapping[str, Value]


@dataclass(frozen=True, order=True)
class Outcome:
    check: str
    entity: int  # index into the evaluated entity sequence
    verdict: str  # Verdict value


class Prepared(Protocol):
    def run(self, entities: Sequence[Entity], checks: Optional[Collection[str]] = None) -> list[Outcome]:
        """Evaluate the checks whose keys are in ``checks`` (None: every check) on every entity of
        their kind; outcomes sorted.  The engine passes the checks in force on its date."""

    def close(self) -> None:
        """Release what the prepared program holds (worker processes, engine state)."""


class Backend(Protocol):
    name: str

    def prepare(self, programs: Sequence[CheckProgram]) -> Prepared:
        """Build an evaluator for these checks, once; it is then run many times."""

"""Frozen data types at the library's boundary: plans (format ``ag18-plan/1``).

Loading and validation live in :mod:`ag18_rules.plan`; these types hold only data that has
already passed the schema and the semantic checks, so every reference resolves.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Mapping, Optional

from .errors import Span


@dataclass(frozen=True)
class Staff:
    civil_servants: int = 0
    public_employees: int = 0
    contract: int = 0

    def counted(self, categories: tuple[str, ...]) -> int:
        return sum(getattr(self, c) for c in categories)


@dataclass(frozen=True)
class Pilot:
    model: str
    approval: Optional[str] = None
    exempt_from: tuple[str, ...] = ()


@dataclass(frozen=True)
class Organization:
    id: str
    name: str
    type: str
    level: Optional[str] = None
    parent: Optional[str] = None
    intermediate: bool = False
    effective: bool = True
    heads: int = 0
    deputies: int = 0
    staff: Staff = field(default_factory=Staff)
    job_positions: Optional[int] = None
    formed_from: tuple[str, ...] = ()
    pilot: Optional[Pilot] = None
    province_merger: bool = False  # a department formed when two provinces merged (Decree 370/2025)


@dataclass(frozen=True)
class Retired:
    reason: str


@dataclass(frozen=True)
class Task:
    id: str
    name: str
    field: Optional[str] = None
    # ``None`` when the key is absent; a tuple when given (a single id becomes a 1-tuple,
    # a list keeps its length, so an empty list and several leads stay visible as findings).
    lead: Optional[tuple[str, ...]] = None
    lead_person: Optional[tuple[str, ...]] = None
    support: tuple[str, ...] = ()
    retired: Optional[Retired] = None


@dataclass(frozen=True)
class Allowance:
    mode: str  # lump_sum | per_person
    fund_coefficient: Optional[float] = None


@dataclass(frozen=True)
class AdminUnit:
    id: str
    name: str
    level: str  # district | commune | hamlet
    kind: Optional[str] = None
    parent: Optional[str] = None
    terrain: Optional[str] = None
    population: Optional[int] = None
    area_km2: Optional[float] = None
    households: Optional[int] = None
    class_: Optional[int] = None  # ``class`` in the file
    part_time_workers: Optional[int] = None
    allowance: Optional[Allowance] = None
    formed_from: tuple[str, ...] = ()
    ethnic_minority: bool = False  # a unit with ethnic-minority factors (Resolution 112/2025)


@dataclass(frozen=True)
class Post:
    org: str
    role: str  # head | deputy | member


@dataclass(frozen=True)
class Person:
    id: str
    name: Optional[str] = None
    posts: tuple[Post, ...] = ()
    ratings: Mapping[int, str] = field(default_factory=dict)  # year -> rating


@dataclass(frozen=True)
class Snapshot:
    organizations: tuple[Organization, ...] = ()
    tasks: tuple[Task, ...] = ()
    admin_units: tuple[AdminUnit, ...] = ()
    people: tuple[Person, ...] = ()


@dataclass(frozen=True)
class Transition:
    from_: str  # ``from`` in the file
    outcome: str
    count: int
    to: Optional[str] = None


@dataclass(frozen=True)
class Waiver:
    rule: str
    reason: str
    entity: Optional[str] = None
    approved_by: Optional[str] = None
    reference: Optional[str] = None
    expires: Optional[dt.date] = None

    def in_force(self, as_of: dt.date) -> bool:
        return self.expires is None or as_of <= self.expires


@dataclass(frozen=True)
class Approval:
    body: Optional[str] = None
    status: str = "draft"  # draft | submitted | approved
    reference: Optional[str] = None


@dataclass(frozen=True)
class Baseline:
    year: int
    staff: int


@dataclass(frozen=True)
class Plan:
    """A reorganisation plan (``ag18-plan/1``): the structure ``after`` (and ``before``) with its
    organisations, tasks, administrative units and people, the transitions of staff between
    them, and waivers.  Built by :func:`ag18_rules.load_plan` from a file or a mapping; a program
    may also build one, and it is then checked and normalised when evaluated.  Immutable.
    """

    id: str
    effective: dt.date
    after: Snapshot
    before: Optional[Snapshot] = None
    title: Optional[str] = None
    jurisdiction: Optional[str] = None
    province_class: Optional[int] = None
    approval: Optional[Approval] = None
    baseline: Optional[Baseline] = None
    transitions: tuple[Transition, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    source: Optional[str] = field(default=None, compare=False)  # file it was read from, for messages
    spans: Mapping[str, Span] = field(default_factory=dict, compare=False, repr=False)

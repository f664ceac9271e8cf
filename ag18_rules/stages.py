"""What the stages after an evaluation are handed: the policy as they may use it.

``engine`` imports :mod:`.explain`, :mod:`.fixes`, :mod:`.origin` and :mod:`.live`; they never import
``engine`` back.  They receive the policy as an object meeting :class:`PolicyView` -- its rules and
parameters, the facts of a plan, the report on some facts, and an evaluate function -- so the
imports go one way, down the pipeline (``Policy`` meets it; a test may hand in anything else).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional, Protocol, Sequence

from .facts import FactTable
from .model import Plan
from .report import NotApplicable, Report

__all__ = ["Active", "PolicyView"]


@dataclass(frozen=True)
class Active:
    """What applies on one date: the checks that run and what is not applicable, and why."""

    checks: tuple
    not_applicable: tuple[NotApplicable, ...]


class PolicyView(Protocol):
    """The policy as the later stages use it."""

    id: str
    version: str
    rules: tuple
    params: Any
    rule_ids: frozenset
    directory: Any
    backend_name: str

    def rule(self, rule_id: str) -> Any: ...

    def check(self, rule_id: str, check_id: str) -> Any: ...

    def counted_categories(self, as_of: dt.date) -> tuple[str, ...]: ...

    def facts(self, plan: Plan, as_of: dt.date) -> FactTable: ...

    def facts_with_totals(self, plan: Plan, as_of: dt.date, only: Optional[Any] = None) -> tuple[FactTable, dict]: ...

    def evaluate(self, plan: Any, **options: Any) -> Report: ...

    def evaluation(self, plan: Plan, as_of: dt.date) -> tuple[Report, Any, dict]: ...

    def evaluate_part(self, plan: Plan, as_of: dt.date, table: FactTable, indices: Sequence[int]) -> Report: ...

    def _report(self, plan: Plan, as_of: dt.date, table: FactTable, trace: bool = False) -> Report: ...

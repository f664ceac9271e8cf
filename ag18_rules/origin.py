"""Before and after: did the plan introduce a finding, inherit it, or resolve one?

The plan's ``before`` is evaluated as if it were a plan of its own (its structure as ``after``, no
``before``, no transitions) with the same policy and date.  Findings are matched by rule, check and
entity: one in both is *pre-existing*, one only after the plan is *introduced*, and one only in
``before`` -- whose entity is not merely undecidable after the plan -- is *resolved*: progress,
reported apart from the violations.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Optional

from .model import Plan
from .report import Finding, Report, Resolved

__all__ = ["INTRODUCED", "PRE_EXISTING", "before_as_plan", "classify_origin"]

INTRODUCED = "introduced"
PRE_EXISTING = "pre-existing"


def before_as_plan(plan: Plan) -> Optional[Plan]:
    """The structure before the plan, as a plan that changes nothing; None when the plan has no ``before``."""
    if plan.before is None:
        return None
    from .plan import derived

    return derived(plan, replace(plan, after=plan.before, before=None, transitions=(), waivers=()))


def _key(f: Finding) -> tuple:
    return (f.rule, f.check, f.entity.kind, f.entity.id)


def classify_origin(evaluate: Callable[[Plan], Report], plan: Plan, report: Report) -> Report:
    """``report`` with ``origin`` on every finding and the findings of ``before`` that the plan resolves;
    ``evaluate`` gives the report of a plan with the same policy and date."""
    before = before_as_plan(plan)
    if before is None:
        return replace(report, findings=tuple(f.with_extra(origin=None) for f in report.findings))
    earlier = evaluate(before)
    seen = {_key(f) for f in earlier.findings}
    now = {_key(f) for f in report.findings}
    findings = tuple(f.with_extra(origin=PRE_EXISTING if _key(f) in seen else INTRODUCED) for f in report.findings)
    undecided = _undecided_index(report)
    resolved = tuple(Resolved(f.rule, f.check, f.severity, f.entity, f.message) for f in earlier.findings
                     if _key(f) not in now and not _undecided(undecided, f))
    return replace(report, findings=findings, resolved=resolved)


def _undecided_index(report: Report) -> dict:
    """The report's not-applicable entries by rule, for :func:`_undecided`."""
    index: dict = {}
    for n in report.not_applicable:
        index.setdefault(n.rule, []).append(n)
    return index


def _undecided(index: dict, finding: Finding) -> bool:
    """True when the plan leaves the finding's check undecidable for its entity: that is not progress."""
    return any(n.check in (None, finding.check)
               and (n.entity is None or (n.entity.kind, n.entity.id) == (finding.entity.kind, finding.entity.id))
               for n in index.get(finding.rule, ()))

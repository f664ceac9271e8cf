"""When a check's subject ended: the district level, the department inspectorates, commune part-time
posts...  An end is data: a parameter entry with ``ends`` (its value is then null) or a check's own
``ends``.  From that date the check is not applicable and says what ended, when and by which document;
``ag18 explain`` and ``ag18 coverage`` show it and ``ag18 lint`` flags a check that still runs after a
sibling check on the same subject has ended.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Iterable, Optional

from .errors import Text
from .parameters import ended_reason

__all__ = ["End", "check_ends", "first_end"]


@dataclass(frozen=True)
class End:
    """The subject of a check ended on ``date``; ``reason`` is the *not applicable* text."""

    date: dt.date
    reason: Text
    parameter: Optional[str] = None  # the parameter recording it, or None for the check's own ``ends``
    revived: Optional[dt.date] = None  # a later entry of that parameter with a value again (a data mistake)


def check_ends(check, params) -> tuple[End, ...]:
    """Every end recorded for ``check`` (its own and its parameters'), in date order."""
    found = []
    spec = check.spec
    if spec.ends is not None:
        found.append(End(spec.ends.date, ended_reason(spec.ends.subject, spec.ends.date, spec.ends.document)))
    for pid in sorted(set(check.parameters.values())):
        param = params.get(pid)
        for entry in param.ends():
            later = [since for since, e in param.values if since > entry.since and e.value is not None]
            found.append(End(entry.since, entry.end_reason(), pid, later[0] if later else None))
    return tuple(sorted(found, key=lambda e: (e.date, e.parameter or "")))


def first_end(ends: Iterable[End]) -> Optional[End]:
    """The earliest end that is not undone by a later value."""
    return next((e for e in ends if e.revived is None), None)


# --------------------------------------------------------------------------- lint


def _subject(node) -> frozenset:
    """The ``fact == 'literal'`` conjuncts at the top of a condition: the entities it is about."""
    from .expr.nodes import Binary, Literal, Name

    if isinstance(node, Binary) and node.op == "and":
        return _subject(node.left) | _subject(node.right)
    if (isinstance(node, Binary) and node.op == "==" and isinstance(node.left, Name)
            and isinstance(node.right, Literal) and isinstance(node.right.value, str)):
        return frozenset({(node.left.name, node.right.value)})
    return frozenset()


def _runs_on(check, params, day: dt.date) -> bool:
    """Whether ``check`` is in force on ``day`` as it was the day before: not ended by then, every
    parameter with a value; a check that only comes into force on ``day`` is what replaces the
    ended subject (commune part-time posts that must be gone), not a check that outlived it."""
    if any(end.date <= day and end.revived is None for end in check_ends(check, params)):
        return False
    eve = day - dt.timedelta(days=1)
    return all(params.get(pid).in_force(day) is not None and params.get(pid).in_force(eve) is not None
               for pid in check.parameters.values())


def lint_ends(policy) -> list:
    """``runs-after-end``: a check of the same rule about the same entities as a check whose subject
    ended (its ``where`` names the same kinds and types, and more), still in force on that date; ``end-revived``: a
    parameter given a value again after recording that its subject ended."""
    from .errors import Diagnostic

    out = []
    checks = [c for r in policy.rules for c in r.checks]
    ended = []
    for check in checks:
        for end in check_ends(check, policy.params):
            if end.revived is not None:
                entry = policy.params.get(end.parameter).entry_at(end.revived)
                out.append(Diagnostic("end-revived", Text(
                    f"Tham số {end.parameter} có giá trị lại từ {end.revived.isoformat()} sau khi ghi nhận: {end.reason.vi}",
                    f"Parameter {end.parameter} has a value again from {end.revived.isoformat()} after recording: "
                    f"{end.reason.en}"), entry.span))
            subject = _subject(check.where_source)
            if subject and end.revived is None:
                ended.append((check, subject, end))
    seen = set()
    for other in checks:
        mine = _subject(other.where_source)
        for check, subject, end in ended:
            key = (other.key, end.date)
            if other is check or key in seen or other.rule != check.rule:
                continue
            if subject <= mine and _runs_on(other, policy.params, end.date):
                seen.add(key)
                span = other.spec.where.span if other.spec.where else other.spec.spans.get("id")
                out.append(Diagnostic("runs-after-end", Text(
                    f"Kiểm tra {other.key} vẫn chạy từ ngày {end.date.isoformat()} dù đối tượng của nó đã kết thúc "
                    f"(như kiểm tra {check.key}): {end.reason.vi}",
                    f"Check {other.key} still runs from {end.date.isoformat()} although its subject ended "
                    f"(as for check {check.key}): {end.reason.en}"), span))
    return out

"""Incremental sessions: one plan evaluated once, then edited change by change.

``policy.session(plan)`` evaluates the plan and keeps it; ``session.apply(changes)`` edits it with
changes in exactly the ``field`` / ``to`` form of a fix's ``changes`` (so a suggested fix can be
applied as it is) and answers which findings the edit added, removed or changed.  A list of changes
is applied all together or not at all: a bad change raises :class:`InputError` naming its field and
leaves the session as it was.  Applying the same changes to the same plan always gives the same
plan, so an application may keep the history itself and rebuild a session by replaying it.

Field paths name entities of a snapshot by id, everything else by key or index::

    after.organizations[sonv/vp].deputies          an attribute (staff.civil_servants: nested)
    after.organizations[sonv/vp]                   the whole entry: a mapping adds or replaces it, null removes it
    after.tasks[t-1].lead                          a task's lead (an id or a list of ids)
    after.admin_units[xa-1].population             an administrative unit's numbers
    plan.approval.status, baseline.staff           the plan's own fields
    transitions                                    a mapping appends a transition
    transitions[2].count, transitions[2]           one transition by position (null removes it)
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Optional, Sequence

from .errors import Diagnostic, InputError, Span
from .live import LiveEvaluation
from .changes import ID_LISTS, bad_change as _bad, local_changes, plain as _plain, steps as _steps
from .model import Plan
from .report import Finding, Report
from .serial import JsonForm

if TYPE_CHECKING:
    from .stages import PolicyView as Policy

__all__ = ["Delta", "Session"]

_INDEXED = re.compile(r"\b(before|after)\.(organizations|tasks|admin_units|people)\[(\d+)\]")
_MISSING = object()


@dataclass(frozen=True)
class Delta(JsonForm):
    """What one :meth:`Session.apply` changed in the report: findings added, removed, and changed
    (same rule, check and entity, other values or message; the new finding is given)."""

    added: tuple[Finding, ...]
    removed: tuple[Finding, ...]
    changed: tuple[Finding, ...]

    def __bool__(self) -> bool:
        return bool(self.added or self.removed or self.changed)

    def to_dict(self, lang: str = "vi") -> dict:
        """The delta as JSON data: each list of findings in the report's form."""
        return {name: [f.to_dict(lang) for f in getattr(self, name)] for name in ("added", "removed", "changed")}


def finding_key(f: Finding) -> tuple:
    """What names a finding across edits: rule, check and entity."""
    return (f.rule, f.check, f.entity.kind, f.entity.id)


def delta_of(old: Report, new: Report) -> Delta:
    """The findings that differ between two reports of the same plan, each in report order."""
    before = {finding_key(f): f for f in old.findings}
    after = {finding_key(f): f for f in new.findings}
    return Delta(
        added=tuple(f for k, f in after.items() if k not in before),
        removed=tuple(f for k, f in before.items() if k not in after),
        changed=tuple(f for k, f in after.items() if k in before and before[k] != f),
    )


class Session:
    """A plan kept with its evaluation, edited by changes (see the module's documentation).

    Not thread-safe: one session belongs to one thread at a time; the policy may be shared.
    """

    def __init__(self, policy: "Policy", plan: Plan, as_of: Optional[dt.date] = None):
        self._policy = policy
        self._fixed_date = as_of
        self._source = plan.source
        self._live = LiveEvaluation(policy, plan, as_of or plan.effective)
        self._report: Optional[Report] = None

    @property
    def as_of(self) -> dt.date:
        """The date the plan is evaluated on: the one given, else the plan's ``effective``."""
        return self._live.as_of

    @property
    def report(self) -> Report:
        """The current report, equal to ``policy.evaluate(session.plan, as_of=session.as_of, fixes=False,
        origin=False)``: the findings, without the fix search or the comparison with ``before``."""
        if self._report is None:
            self._report = self._live.report
        return self._report

    @property
    def plan(self) -> Plan:
        """The edited plan; ``plan_to_dict(session.plan)`` writes it back as YAML or JSON data."""
        return self._live.plan

    def to_dict(self) -> dict:
        """The edited plan in its canonical file form."""
        from .plan import plan_to_dict

        return plan_to_dict(self.plan)

    def apply(self, changes: Iterable[Mapping[str, Any]]) -> Delta:
        """Apply ``changes`` (``[{"field": ..., "to": ...}, ...]``) together; the report's delta.

        Raises :class:`InputError` naming the field of a bad change (unknown field or id, a value the
        plan schema refuses, a dangling reference); the session is then unchanged.
        """
        changes = _as_list(changes)
        for number, change in enumerate(changes):
            _steps(change["field"], number)  # a malformed path is refused before anything else
        local = local_changes(self._live, changes)
        trial = self._live.trial(local) if local is not None else None
        if trial is None:
            return self._apply_in_full(changes)
        old = self._live
        before = {key: old.findings.get(key, ()) for key in trial.keys}
        after = {key: trial.findings.get(key, ()) for key in trial.keys}
        old.commit(trial)
        self._report = None
        return _delta(before, after)

    def _apply_in_full(self, changes: list[Mapping[str, Any]]) -> Delta:
        """The edit made on the plan's file form, which is loaded and evaluated again in full."""
        from .plan import load_plan, plan_to_dict

        data = plan_to_dict(self.plan)
        for number, change in enumerate(changes):
            _apply_one(data, change, number)
        try:
            plan = load_plan(data, filename=self._source, rule_ids=self._policy.rule_ids)
        except InputError as error:
            raise InputError(_by_id(d, data, self._source) for d in error.diagnostics) from None
        old = self.report
        self._live = LiveEvaluation(self._policy, plan, self._fixed_date or plan.effective)
        self._report = None
        return delta_of(old, self.report)


def _delta(before: Mapping[tuple, Sequence[Finding]], after: Mapping[tuple, Sequence[Finding]]) -> Delta:
    """The delta of the findings of some entities, in report order."""
    old = {finding_key(f): f for fs in before.values() for f in fs}
    new = {finding_key(f): f for fs in after.values() for f in fs}
    order = lambda f: f.sort_key  # noqa: E731
    return Delta(
        added=tuple(sorted((f for k, f in new.items() if k not in old), key=order)),
        removed=tuple(sorted((f for k, f in old.items() if k not in new), key=order)),
        changed=tuple(sorted((f for k, f in new.items() if k in old and old[k] != f), key=order)),
    )


# --------------------------------------------------------------------------- changes on file data


def _as_list(changes: Iterable[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    if isinstance(changes, Mapping) or isinstance(changes, (str, bytes)):
        raise _bad(0, "", "Danh sách thay đổi phải là một danh sách các {field, to}.",
                   "Changes must be a list of {field, to} mappings.")
    out = list(changes)
    for number, change in enumerate(out):
        if not isinstance(change, Mapping) or "field" not in change or "to" not in change:
            raise _bad(number, "", "Mỗi thay đổi phải có 'field' (trường) và 'to' (giá trị mới).",
                       "Each change needs 'field' and 'to'.")
        if not isinstance(change["field"], str):
            raise _bad(number, "", "'field' phải là một đường dẫn dạng chuỗi.", "'field' must be a path string.")
    return out


def _apply_one(data: dict, change: Mapping[str, Any], number: int) -> None:
    """Edit ``data`` (the plan's file form) in place by one change."""
    field, to = change["field"], _plain(change["to"])
    steps = _steps(field, number)
    holder: Any = data
    for depth, (name, key) in enumerate(steps):
        last = depth == len(steps) - 1
        if not isinstance(holder, dict):
            raise _unknown(field, number)
        where = holder
        if key is None:
            if last:
                _set_key(where, name, to)
                return
            holder = _child(where, name, field, number)
            continue
        items = where.get(name)
        if items is None and last and to is not None and name in (*ID_LISTS, "transitions", "waivers"):
            items = where[name] = []
        if not isinstance(items, list):
            raise _unknown(field, number)
        index = _find(items, name, key, field, number, adding=last and to is not None)
        if last:
            _set_entry(items, index, key, name, to, field, number)
            return
        if index is None:
            raise _unknown(field, number)
        holder = items[index]
    raise _unknown(field, number)  # pragma: no cover - the loop always returns


def _child(where: dict, name: str, field: str, number: int) -> dict:
    """The mapping under ``name``, created empty for optional sub-objects (``approval``, ``staff``)."""
    value = where.get(name, _MISSING)
    if value is _MISSING or value is None:
        value = where[name] = {}
    if not isinstance(value, dict):
        raise _unknown(field, number)
    return value


def _set_key(where: dict, name: str, to: Any) -> None:
    if name in ("transitions", "waivers") and isinstance(to, dict):
        where.setdefault(name, []).append(to)
    elif to is None:
        where.pop(name, None)
    else:
        where[name] = to


def _find(items: list, name: str, key: str, field: str, number: int, *, adding: bool) -> Optional[int]:
    """The position of the entry named ``key``: by id in snapshot lists, by index elsewhere."""
    if name in ID_LISTS:
        for i, item in enumerate(items):
            if isinstance(item, dict) and item.get("id") == key:
                return i
        if adding:
            return None
        raise _unknown(field, number, key)
    if key.isdigit() and int(key) < len(items):
        return int(key)
    raise _unknown(field, number, key)


def _set_entry(items: list, index: Optional[int], key: str, name: str, to: Any, field: str, number: int) -> None:
    """A whole entry replaced (a mapping), added (a new id) or removed (null)."""
    if to is None:
        del items[index]
        return
    if not isinstance(to, dict):
        raise _bad(number, field, "Giá trị mới của một mục phải là một bảng (mapping) hoặc null để xóa.",
                   "A whole entry takes a mapping, or null to remove it.")
    if name in ID_LISTS:
        to = {"id": key, **{k: v for k, v in to.items() if k != "id"}} if to.get("id") in (None, key) else to
        if to.get("id") != key:
            raise _bad(number, field, f"Mã trong giá trị mới ('{to.get('id')}') khác mã '{key}' của đường dẫn.",
                       f"The id in the new value ('{to.get('id')}') differs from '{key}' in the path.")
    if index is None:
        items.append(to)
    else:
        items[index] = to


def _unknown(field: str, number: int, key: Optional[str] = None) -> InputError:
    if key is not None:
        return _bad(number, field, f"Không có mục nào mang mã '{key}' cho trường '{field}'.",
                    f"No entry '{key}' for the field '{field}'.")
    return _bad(number, field, f"Kế hoạch không có trường '{field}'.", f"The plan has no field '{field}'.")


def _by_id(diagnostic: Diagnostic, data: dict, source: Optional[str]) -> Diagnostic:
    """A diagnostic of the edited plan with snapshot entries named by id, as changes name them."""

    def named(match: re.Match) -> str:
        snap, name, index = match.group(1), match.group(2), int(match.group(3))
        items = (data.get(snap) or {}).get(name) or []
        item = items[index] if index < len(items) else None
        ident = item.get("id") if isinstance(item, dict) else None
        return f"{snap}.{name}[{ident}]" if isinstance(ident, str) else match.group(0)

    path = _INDEXED.sub(named, diagnostic.path)
    return Diagnostic(diagnostic.code, diagnostic.message, Span(source or "<session>"), path)


def replay(policy: "Policy", plan: Plan, history: Sequence[Iterable[Mapping[str, Any]]],
           as_of: Optional[dt.date] = None) -> Session:
    """A session of ``plan`` with each list of changes in ``history`` applied in turn (for undo)."""
    session = Session(policy, plan, as_of)
    for changes in history:
        session.apply(changes)
    return session

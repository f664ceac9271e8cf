"""The policy: rules compiled once, evaluated on many plans.

``Policy.load()`` reads parameters and rules, type-checks every condition and prepares a
backend; ``Policy.evaluate(plan, as_of=...)`` derives the plan's facts, resolves the dated
parameters as of the date, runs the backend and hands its outcomes to :mod:`.explain`.
The plan, the date and the explain switch are arguments of each evaluation, never state.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
import threading
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping, Optional, Sequence, Union

from . import explain
from .backends import get_backend
from .backends.base import Entity
from .compiler import CompiledCheck, CompiledRule, compile_rules, param_field
from .errors import Ag18Error, OptionError, Text
from .facts import FactTable, with_dated_facts
from .facts.columns import PlanColumns
from .facts.dated import with_dated_columns
from .facts.derive import DEFAULT_COUNTED, derive_with_totals, plan_columns
from .fixes import FixOptions, attach_fixes
from .model import Plan
from .origin import classify_origin
from .parameters import ParameterSet, ended_reason
from .report import NotApplicable, Report
from .rows import ColumnRows, Records, TableRows
from .rulespec import load_rules
from .stages import Active as _Active

if TYPE_CHECKING:
    from .session import Session

__all__ = ["Policy", "load_policy", "shipped_policy_dir"]

PlanInput = Union[str, os.PathLike, Mapping, Plan]

NEEDS = {
    "before": ("has_before", Text("kế hoạch không có cấu trúc `before` (trước sắp xếp) để so sánh",
                                  "the plan has no `before` structure to compare with")),
    "baseline": ("has_baseline", Text("kế hoạch không có `baseline` (biên chế năm 2015)",
                                      "the plan has no `baseline` (the 2015 staff)")),
    "people": ("has_people", Text("kế hoạch không có danh sách người (`people`)", "the plan lists no `people`")),
    "admin_units": ("has_admin_units", Text("kế hoạch không có đơn vị hành chính (`admin_units`)",
                                            "the plan lists no `admin_units`")),
}


def shipped_policy_dir() -> Path:
    """The AG18 policy shipped with the library (``policy/`` and ``rules/``)."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_shipped", here.parent):
        if (candidate / "policy").is_dir() and (candidate / "rules").is_dir():
            return candidate
    raise Ag18Error(Text("Bản cài đặt này thiếu chính sách AG18 kèm theo; hãy cài lại ag18-rules",
                         "the shipped AG18 policy is missing from this installation"))


def load_policy(path: Union[str, os.PathLike, None] = None, *, backend: str = "python") -> "Policy":
    """The policy in ``path`` (a folder with ``policy/`` and ``rules/``), or the shipped one."""
    return Policy.load(path, backend=backend)


class _CollectorPause:
    """Keeps Python's cyclic garbage collector off while evaluations run, as it was before.

    An evaluation allocates millions of containers on a large plan, none in a reference cycle;
    with the collector on, each full collection walks the whole heap, which grows with the plan,
    so time grew faster than the plan.  The collector is process-wide: concurrent evaluations
    share one pause, the first turns it off and the last restores it.
    """

    def __init__(self):
        self._lock = threading.Lock()
        self._depth = 0
        self._was_enabled = False

    def __enter__(self) -> None:
        with self._lock:
            if self._depth == 0:
                self._was_enabled = gc.isenabled()
                gc.disable()
            self._depth += 1

    def __exit__(self, *exc) -> None:
        with self._lock:
            self._depth -= 1
            if self._depth == 0 and self._was_enabled:
                gc.enable()


_COLLECTOR_PAUSED = _CollectorPause()


def _as_of(value: Union[dt.date, str, None]) -> Optional[dt.date]:
    """An evaluation date from a date, a datetime or ``YYYY-MM-DD`` text; OptionError otherwise."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    raise OptionError(f"as_of must be a date or text YYYY-MM-DD such as '2021-01-01', not {shown}")


def _check_options(*, explain: Any, fixes: Any, origin: Any) -> None:
    """Switches are booleans (``fixes`` may also be a :class:`FixOptions`); a string is a mistake."""
    for name, value in (("explain", explain), ("origin", origin)):
        if not isinstance(value, bool):
            raise OptionError(f"{name} must be True or False, not {type(value).__name__}")
    if not isinstance(fixes, (bool, FixOptions)):
        raise OptionError(f"fixes must be True, False or a FixOptions, not {type(fixes).__name__}")

#: a parameter an entity kind reads: (parameter id, its field, the parameter, the facts it is looked up by)
_Lookup = tuple[str, str, Any, tuple[str, ...]]


class Policy:
    """A compiled policy on one backend. Close it (or use ``with``) to stop backend workers."""

    def __init__(self, params: ParameterSet, rules: Sequence[CompiledRule], backend: str, directory: Path):
        self.params = params
        self.rules = tuple(rules)
        self.directory = directory
        self.backend_name = backend
        self.rule_ids = frozenset(r.id for r in self.rules)
        self._checks = tuple(c for r in self.rules for c in r.checks)
        self._rule_of = {r.id: r for r in self.rules}
        self._prepared = get_backend(backend).prepare([c.program for c in self._checks])
        self._lookups_kept: dict = {}  # parameter values by (parameter, date), then by the facts they depend on

    @classmethod
    def load(cls, path: Union[str, os.PathLike, None] = None, *, backend: str = "python") -> "Policy":
        """Read, check and compile the policy in ``path`` (default: the shipped one) on ``backend``;
        :class:`InputError` with every problem of its files."""
        if path is not None and not isinstance(path, (str, os.PathLike)):
            raise OptionError(f"a policy is a folder path, not {type(path).__name__}")
        directory = Path(path) if path is not None else shipped_policy_dir()
        params = ParameterSet.load(directory / "policy")
        rules = compile_rules(load_rules(directory / "rules"), params)
        return cls(params, rules, backend, directory)

    @property
    def id(self) -> str:
        """The policy's id (``ag18`` for the shipped one)."""
        return self.params.meta.id

    @property
    def version(self) -> str:
        """The policy's version, as reports name it."""
        return self.params.meta.version

    def rule(self, rule_id: str) -> CompiledRule:
        """The compiled rule ``rule_id`` (KeyError when there is none)."""
        return self._rule_of[rule_id]

    def close(self) -> None:
        """Stop the backend's worker process, if it has one; idempotent."""
        self._prepared.close()

    def __enter__(self) -> "Policy":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ evaluation

    def load_plan(self, plan: PlanInput) -> Plan:
        """``plan`` (a path, a mapping or a :class:`Plan`) loaded and checked against this policy.

        A :class:`Plan` built by a program is checked and normalised like a file (finite numbers,
        areas to 4 decimals, clean text); one returned by :func:`load_plan` is used as it is.
        """
        from .plan import load_plan

        return load_plan(plan, rule_ids=self.rule_ids)

    def evaluate(self, plan: PlanInput, *, as_of: Union[dt.date, str, None] = None, explain: bool = False,
                 fixes: Union[bool, FixOptions] = True, origin: bool = True,
                 explain_: Optional[bool] = None) -> Report:
        """Evaluate ``plan`` (a path, a mapping or a :class:`Plan`) as of ``as_of`` (a date or
        ``YYYY-MM-DD``; default: the plan's ``effective`` date).

        The defaults give the report ``ag18 check`` prints: ``fixes`` (True, False or
        :class:`FixOptions`) adds to each finding a change that removes it, verified by evaluating the
        changed plan; ``origin`` says whether the plan introduced each finding or found it in
        ``before``, and lists what it resolves; ``explain`` adds each condition as a tree of values.
        Fixes and origin evaluate again: pass ``fixes=False, origin=False`` for the findings alone.
        Raises :class:`InputError` for a malformed plan and :class:`OptionError` for a bad argument.
        """
        if explain_ is not None:
            warnings.warn("evaluate(explain_=...) is deprecated; use explain=...", DeprecationWarning, stacklevel=2)
            explain = explain_
        as_of = _as_of(as_of)
        _check_options(explain=explain, fixes=fixes, origin=origin)
        plan = self.load_plan(plan)
        as_of = as_of or plan.effective
        start = None
        with _COLLECTOR_PAUSED:  # origin and the fix search too: they allocate in proportion to the plan
            if explain or not fixes:
                report = self._report_plan(plan, as_of, trace=explain)
            else:  # the fix search starts from this evaluation's records
                start = self.evaluation(plan, as_of)
                report = start[0]
            if origin:
                report = classify_origin(lambda other: self._findings(other, as_of), plan, report)
            if fixes:
                report = attach_fixes(self, plan, as_of, report, fixes if isinstance(fixes, FixOptions) else None, start)
        return report

    def evaluate_many(self, plans, *, executor=None, progress=False, **options):
        """Reports of many plans (paths or mappings) in their order, here or on an executor or a
        ``dask.distributed.Client``: see :func:`ag18_rules.batch.evaluate_many`."""
        from .batch import evaluate_many

        return evaluate_many(self, plans, executor=executor, progress=progress, **options)

    def session(self, plan: PlanInput, as_of: Optional[dt.date] = None) -> "Session":
        """An incremental session: ``plan`` evaluated once, then edited with ``session.apply(changes)``.

        ``session.report`` is always what ``evaluate(session.plan, as_of=..., fixes=False, origin=False)``
        gives; see :mod:`ag18_rules.session` for the form of changes.
        """
        from .session import Session

        return Session(self, self.load_plan(plan), _as_of(as_of))

    def _findings(self, plan: Plan, as_of: dt.date) -> Report:
        """The report of a plan built from a checked one (``before`` as a plan): no second check."""
        with _COLLECTOR_PAUSED:
            return self._report_plan(plan, as_of)

    def check(self, rule_id: str, check_id: str) -> CompiledCheck:
        """The compiled check ``check_id`` of rule ``rule_id``."""
        return next(c for c in self._rule_of[rule_id].checks if c.spec.id == check_id)

    def counted_categories(self, as_of: dt.date) -> tuple[str, ...]:
        """The staff categories counted towards targets on ``as_of`` (parameter staff.counted_categories)."""
        if "staff.counted_categories" in self.params:
            found = self.params.get("staff.counted_categories").resolve(as_of, {})
            if found is not None and found.value:
                return tuple(found.value)
        return DEFAULT_COUNTED

    def facts(self, plan: Plan, as_of: dt.date) -> FactTable:
        """Every entity's facts on ``as_of``, dated facts included."""
        return self.facts_with_totals(plan, as_of)[0]

    def facts_with_totals(self, plan: Plan, as_of: dt.date, only=None) -> tuple[FactTable, dict]:
        """:meth:`facts` and the plan's additive totals (or, with ``only``, those organisations' share)."""
        table, sums = derive_with_totals(plan, counted_categories=self.counted_categories(as_of),
                                         rule_ids=self.rule_ids, only=only)
        return with_dated_facts(table, self.params, as_of), sums

    def evaluate_part(self, plan: Plan, as_of: dt.date, table: FactTable, indices: Sequence[int]) -> Report:
        """The report of ``plan`` on the entities ``indices`` of its fact ``table`` only (the plan record
        always included): checks are per entity, so the fix search re-checks only what a change touched."""
        chosen = sorted(set(indices) | {0})
        part = FactTable(tuple(table.entities[i] for i in chosen), tuple(table.refs[i] for i in chosen))
        with _COLLECTOR_PAUSED:
            return self._report(plan, as_of, part)

    def columns(self, plan: Plan, as_of: dt.date) -> PlanColumns:
        """The plan's facts on ``as_of`` as columns, computed when read (see :mod:`.facts.columns`)."""
        cols = plan_columns(plan, counted_categories=self.counted_categories(as_of), rule_ids=self.rule_ids)
        with_dated_columns(cols, self.params, as_of)
        return cols

    def _report_plan(self, plan: Plan, as_of: dt.date, trace: bool = False) -> Report:
        """The report on a whole plan: over its columns on the python backend, else over its records."""
        run_columns = getattr(self._prepared, "run_columns", None)
        if run_columns is None:
            return self._report(plan, as_of, self.facts(plan, as_of), trace=trace)
        return self._columnar_report(plan, as_of, self.columns(plan, as_of), run_columns, trace)[0]

    def _columnar_report(self, plan: Plan, as_of: dt.date, cols: PlanColumns, run_columns,
                         trace: bool = False) -> tuple[Report, ColumnRows]:
        active = self._active(cols.records("plan")[1][0], as_of)
        rows = ColumnRows(cols, self.params, active.checks, as_of, self._lookups_kept)
        # in the order of the checks' keys, then rows: the report sorts findings by their own order
        outcomes = ((key, verdict, found.kind, row)
                    for found in run_columns(rows, [c.key for c in active.checks])
                    for verdict, by_check in (("violated", found.violated), ("unknown", found.unknown))
                    for key, hits in by_check.items() for row in hits)
        report = explain.build_report(self, plan, as_of, rows, active, outcomes, trace=trace)
        return report, rows

    def evaluation(self, plan: Plan, as_of: dt.date) -> tuple[Report, Records, dict]:
        """A whole plan's report (findings only), with every entity's record, read when first asked
        for, and the plan's totals: what an incremental evaluation starts from (:mod:`.live`)."""
        run_columns = getattr(self._prepared, "run_columns", None)
        with _COLLECTOR_PAUSED:
            if run_columns is None:
                table, sums = self.facts_with_totals(plan, as_of)
                return self._report(plan, as_of, table), Records.of_table(table), sums
            cols = self.columns(plan, as_of)
            report, rows = self._columnar_report(plan, as_of, cols, run_columns)
            return report, Records.of_columns(rows), cols.sums

    def _report(self, plan: Plan, as_of: dt.date, table: FactTable, trace: bool = False) -> Report:
        """The report on the facts in ``table``: the checks in force run on the backend, then explained."""
        active = self._active(table.entities[0].values, as_of)
        entities, resolved = self._entities(table, active.checks, as_of)
        outcomes = self._prepared.run(entities, frozenset(c.key for c in active.checks))
        rows = TableRows(table, entities, resolved)
        return explain.build_report(self, plan, as_of, rows, active,
                                    ((o.check, o.verdict, entities[o.entity].kind, o.entity) for o in outcomes),
                                    trace=trace)

    def _active(self, plan_facts: Mapping, as_of: dt.date) -> _Active:
        """The checks in force on ``as_of`` for a plan with these plan facts, and what is not applicable."""
        checks, na = [], []
        for rule in self.rules:
            missing = [NEEDS[n][1] for n in rule.spec.needs if not plan_facts[NEEDS[n][0]]]
            if missing:
                na.append(NotApplicable(rule.id, missing[0]))
                continue
            for check in rule.checks:
                ends = check.spec.ends
                if ends is not None and as_of >= ends.date:  # its subject no longer exists: say so, never pass
                    na.append(NotApplicable(rule.id, ended_reason(ends.subject, ends.date, ends.document), check.spec.id))
                    continue
                absent = [self.params.get(pid) for pid in sorted(set(check.parameters.values()))
                          if self.params.get(pid).in_force(as_of) is None]
                if absent:
                    na.append(NotApplicable(rule.id, absent[0].absence(as_of, {}), check.spec.id))
                else:
                    checks.append(check)
        return _Active(tuple(checks), tuple(na))

    def _entities(self, table: FactTable, checks: Sequence[CompiledCheck], as_of: dt.date):
        """Each entity's facts plus the resolved parameters the active checks of its kind read.

        A parameter's value depends only on the facts it is looked up by, so it is resolved once
        per distinct case and evaluation."""
        lookups = self._lookups(checks)
        cache: dict[tuple, Any] = {}
        resolved: list[dict] = []
        entities = []
        for entity in table.entities:
            kind_lookups = lookups.get(entity.kind)
            if kind_lookups is None:
                entities.append(entity)
                resolved.append({})
                continue
            values = dict(entity.values)
            found = {}
            for pid, field, param, needed in kind_lookups:
                key = (pid, *map(values.get, needed))
                try:
                    hit = cache[key]
                except KeyError:
                    hit = cache[key] = param.resolve(as_of, values)
                values[field] = hit.value if hit is not None else None
                found[pid] = hit
            entities.append(Entity(entity.kind, values))
            resolved.append(found)
        return tuple(entities), tuple(resolved)

    def _lookups(self, checks: Sequence[CompiledCheck]) -> dict[str, tuple[_Lookup, ...]]:
        """Per entity kind, the parameters its checks read, in the order of their ids."""
        by_kind: dict[str, set[str]] = {}
        for check in checks:
            by_kind.setdefault(check.spec.applies_to, set()).update(check.parameters.values())
        return {kind: tuple((pid, param_field(pid), self.params.get(pid), self.params.get(pid).facts_needed())
                            for pid in sorted(pids))
                for kind, pids in by_kind.items() if pids}

"""Outcomes of a backend -> explained findings: the values that broke a check, the parameters
with their legal references, the clause, the fix, waivers, and -- on request -- the trace of
the condition with the value of every sub-expression.

Rendering never evaluates; this module is where a finding gets everything it will show.
"""
from __future__ import annotations

import datetime as dt
from collections import ChainMap
from functools import lru_cache, partial
from operator import itemgetter
from typing import TYPE_CHECKING, Any, Iterable, Mapping, MutableMapping, Optional

from .errors import Text
from .expr import trace
from .expr.evaluate import TraceNode
from .expr.nodes import Binary, Node, children
from .expr.nodes import names as names_of
from .facts import CATALOGUE, EntityRef
from .model import Plan
from .report import Finding, NotApplicable, ParameterUse, Report, TargetProgress, Waived

if TYPE_CHECKING:
    from .compiler import CompiledCheck, CompiledRule
    from .stages import Active as _Active, PolicyView as Policy


def build_report(policy: "Policy", plan: Plan, as_of: dt.date, rows, active: "_Active",
                 outcomes: Iterable[tuple[str, str, str, int]], *, trace: bool = False) -> Report:
    """The report of an evaluation: ``outcomes`` are (check key, verdict, entity kind, row) and ``rows``
    gives each row's reference, values and resolved parameters (:mod:`.rows`).  A finding's message,
    values and parameters are built when first read."""
    checks = {c.key: _Decided(policy, c, as_of, plan.effective) for c in active.checks}
    found: list[tuple[tuple, Finding]] = []
    na = list(active.not_applicable)
    pilots = {o.id: o.pilot for o in plan.after.organizations if o.pilot is not None}  # once, not per finding
    waivable = bool(plan.waivers or pilots)
    for key, verdict, kind, row in outcomes:
        decided = checks.get(key)
        if decided is None:
            continue  # a check that does not apply on this date
        check, ref = decided.check, rows.ref(kind, row)
        if verdict == "unknown":
            values = rows.values(kind, row)
            na.append(NotApplicable(check.rule, _missing_reason(check, values, policy, as_of), check.spec.id, ref))
            continue
        values = rows.values(kind, row) if (decided.cases or trace) else None
        case = next(((c, last) for c, last in decided.cases if c.when_fn is None or c.when_fn(values) is True),
                    None) if decided.cases else None  # as check.severity_case, with the date decided once
        finding = Finding.deferred(
            partial(_details, decided, ref, partial(rows.values, kind, row), partial(rows.resolved, kind, row), case),
            rule=check.rule, check=check.spec.id,
            severity=case[0].severity if case is not None else decided.severity,  # a severity case of the rule file
            clause=decided.clause, entity=ref,
            waived=_waiver(plan, check.rule, ref, as_of, pilots) if waivable else None,
            extra=_explained(policy, decided, values) if trace else {},
        )
        found.append(((check.rule, ref.id, check.spec.id, kind), finding))
    targets = ()
    if any(r.spec.target and _target_active(r, active) for r in policy.rules):
        plan_values, plan_resolved = rows.values("plan", 0), rows.resolved("plan", 0)
        targets = tuple(_target(policy.rule(r.id), plan_values, plan_resolved, as_of)
                        for r in policy.rules if r.spec.target and _target_active(r, active))
    found.sort(key=_FIRST)
    return Report(
        plan=plan.id, as_of=as_of, policy_id=policy.id, policy_version=policy.version,
        findings=tuple(f for _, f in found),
        targets=tuple(t for t in targets if t is not None),
        not_applicable=tuple(sorted(na, key=lambda n: n.sort_key)),
        plan_title=plan.title, source=plan.source,
    )


_FIRST = itemgetter(0)


def _target_active(rule: "CompiledRule", active: "_Active") -> bool:
    return any(c.key == f"{rule.id}/{rule.spec.target.check}" for c in active.checks)


class _Decided:
    """What every finding of one check shares on one date: its rule, clause and severity, and the
    severity cases that can hold on that date."""

    __slots__ = ("check", "rule", "clause", "severity", "cases")

    def __init__(self, policy, check: "CompiledCheck", as_of: dt.date, plan_effective: Optional[dt.date]):
        rule = policy.rule(check.rule)
        spec = check.spec
        severity = spec.severity or rule.spec.severity
        deadline = rule.spec.deadline
        if rule.spec.target and rule.spec.target.check == spec.id:
            deadline = rule.spec.target.deadline
        if deadline is not None and severity == "error" and as_of <= deadline:
            severity = "warning"  # a target's shortfall is a warning until its deadline
        self.check, self.rule, self.clause, self.severity = check, rule, rule.spec.clause, severity
        self.cases = check.cases_on(as_of, plan_effective, policy.params) if check.cases else ()


def _explained(policy, decided: _Decided, values: Mapping) -> dict:
    """The conditions of a finding as trees of values, and its clauses quoted (``explain``)."""
    check = decided.check
    named = check.alias_values(values)
    quotes = {c.id: c.quote_vi for c in policy.params.programme.clauses}
    return {
        "trace": {
            "where": blame(check.where_source, trace(check.where_source, named)),
            "require": blame(check.require_source, trace(check.require_source, named)),
        },
        "clauses": [{"id": cid, "quote": quotes.get(cid)} for cid in decided.rule.spec.clause],
    }


def _details(decided: _Decided, ref: EntityRef, values_of, resolving, case) -> dict:
    """A finding's message, values, parameters and advice, built when one of them is first read."""
    check = decided.check
    spec = check.spec
    named = check.alias_values(values_of())
    shown = spec.values or tuple(sorted(names_of(check.require_source)))
    resolved = resolving()
    params = tuple(_param_use(alias, resolved.get(pid)) for alias, pid in sorted(check.parameters.items())
                   if resolved.get(pid) is not None)
    fields = ChainMap({"id": ref.id, "name": ref.name}, named)
    message, shown_values = spec.message, {name: named.get(name) for name in shown}
    if case is not None:  # a window, an orientation, figures for information
        _, message, shown_values = _apply_case(case, message, shown_values, fields)
    return {
        "message": fill(message, fields),
        "values": shown_values,
        "parameters": params,
        "fix": fill(spec.fix, fields) if spec.fix else None,
        "unverified": tuple(p.name for p in params if not p.verified),
    }


def _apply_case(found, message: Text, shown: dict, fields: MutableMapping):
    """The severity, message and values of a finding a severity case holds for; a bounded case
    (a window, a date) also reports its last day as ``until``."""
    case, last = found
    if case.until is not None or case.within_years is not None:
        shown = {**shown, "until": last.isoformat()}
        fields["until"] = last.isoformat()
    if case.note is not None:
        message = Text(f"{message.vi} {case.note.vi}", f"{message.en} {case.note.en}")
    return case.severity, message, shown


def blame(node: Node, traced: TraceNode, wanted: bool = True) -> dict:
    """A traced condition as JSON with ``failed`` on every node: true where it made the condition false.

    A false ``and`` blames its false operands, a false ``or`` both; the blame stops at a comparison,
    a membership test, a name or a ``not``.  A condition that held (or was not wanted) blames nothing.
    """
    failed = wanted and traced.value is False
    logical = failed and isinstance(node, Binary) and node.op in ("and", "or")
    return {
        "expr": traced.text,
        "value": traced.value,
        "failed": failed,
        "children": [blame(kid, t, logical and t.value is False) for kid, t in zip(children(node), traced.children)],
    }


def _param_use(alias: str, hit) -> ParameterUse:
    ref = hit.reference
    reference = ref.document + (f", {ref.article}" if getattr(ref, "article", None) else "")
    return ParameterUse(
        name=hit.parameter, alias=alias, value=hit.value, since=hit.since, reference=reference,
        verified=hit.verified, note=hit.note_text, source=tuple(getattr(ref, "source", ()) or ()),
        bracket=getattr(hit, "bracket", None),
    )


def _waiver(plan: Plan, rule_id: str, ref: EntityRef, as_of: dt.date, pilots: Mapping) -> Optional[Waived]:
    """The waiver, or the approved pilot (``pilots``: by organisation id), that covers this finding."""
    covering = [w for w in plan.waivers
                if w.rule == rule_id and (w.entity is None or w.entity == ref.id) and w.in_force(as_of)]
    if covering:
        # by content, never by file order: a waiver for this entity before one for the whole
        # plan, then the one lasting longest, then by reference
        w = min(covering, key=lambda w: (w.entity is None, -(w.expires or dt.date.max).toordinal(),
                                         w.reference or "", w.reason, w.approved_by or ""))
        return Waived(w.reason, w.reference, w.approved_by, w.expires)
    pilot = pilots.get(ref.id) if ref.kind == "organization" else None
    if pilot and pilot.approval and rule_id in pilot.exempt_from:
        return Waived(pilot.model, pilot.approval, None, None, by="pilot")
    return None


@lru_cache(maxsize=1024)
def _needed(where: Node, require: Node) -> list[str]:
    """The names a check's conditions read, in order (its trees are the policy's, few and lasting)."""
    return sorted(names_of(where) | names_of(require))


def _missing_reason(check: "CompiledCheck", values: Mapping, policy, as_of: dt.date) -> Text:
    """Why a condition could not be decided for an entity: the facts it needs that are absent."""
    facts = CATALOGUE[check.spec.applies_to]
    needed = _needed(check.where_source, check.require_source)
    vi, en = [], []
    named = check.alias_values(values)
    for name in needed:
        if named.get(name) is not None:
            continue
        if name in check.parameters:
            why = policy.params.get(check.parameters[name]).absence(as_of, values)
            if why is not None:
                vi.append(why.vi)
                en.append(why.en)
        elif name in facts:
            why = facts[name].missing or Text("không có giá trị", "has no value")
            vi.append(f"{name}: {why.vi}")
            en.append(f"{name}: {why.en}")
    return Text("thiếu dữ kiện — " + "; ".join(dict.fromkeys(vi)), "missing data — " + "; ".join(dict.fromkeys(en)))


def _target(rule: "CompiledRule", plan_values: Mapping, resolved: Mapping, as_of: dt.date) -> Optional[TargetProgress]:
    t = rule.spec.target
    check = next(c for c in rule.checks if c.spec.id == t.check)
    pid = check.parameters[t.target]
    hit = resolved.get(pid)
    value = plan_values.get(t.value)
    target = hit.value if hit is not None else None
    if value is None or target is None:
        return None
    if value >= target:
        status, gap = "met", 0
    elif as_of > t.deadline:
        status, gap = "missed", round(target - value, 4)
    else:
        status, gap = ("on_track" if value > 0 else "behind"), round(target - value, 4)
    return TargetProgress(rule.id, value, target, t.unit, gap, status, t.deadline)


#: characters of one value a message shows
SHOWN_TEXT = 200


class _Shown(dict):
    """The values a message asks for, each shown as people read it when first asked for; an
    unknown placeholder stays as written."""

    def __init__(self, values: Mapping[str, Any]):
        super().__init__()
        self._values = values

    def __missing__(self, key: str) -> str:
        if key not in self._values:
            return "{" + key + "}"
        shown = show(self._values[key])
        if len(shown) > SHOWN_TEXT:  # a message quotes a long text shortened; `values` keeps it whole
            shown = shown[: SHOWN_TEXT - 1] + "…"
        self[key] = shown
        return shown


def fill(text: Text, values: Mapping[str, Any]) -> Text:
    """A message with its placeholders replaced by the entity's values (only those it uses are formatted)."""
    shown = _Shown(values)
    return Text(text.vi.format_map(shown), text.en.format_map(shown))


def show(value: Any, none: str = "—") -> str:
    """A value as people read it: no trailing zeros, booleans as in conditions."""
    if value is None:
        return none
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)

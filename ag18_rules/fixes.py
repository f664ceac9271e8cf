"""The smallest fix of each finding, verified by evaluating the changed plan again.

For a finding, the facts its check reads are mapped back to the plan by :mod:`.levers`; each lever
is sized (the smallest ``k`` that makes the check hold for the entity, first on the entity's own
facts, then -- where a lever moves facts the entity does not hold -- on freshly derived facts),
and the candidates are tried smallest first: the plan is changed, evaluated again with the same
policy and date, and a candidate is accepted only if the finding is gone and no error appeared
that the plan did not already have.  When a change removes the finding but adds exactly one error,
a second change that removes that error is searched the same way, and the pair is verified together.
When nothing is accepted, the fix says that no single change removes the finding, and what would.

Fixes are opt-in per evaluation (``Policy.evaluate(plan, fixes=True)``) and bounded by
:class:`FixOptions`: evaluation without fixes does no extra work.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence

from .compiler import param_field
from .errors import Text
from .expr import trace
from .expr.nodes import names as names_of
from .facts import EntityRef
from .levers import Change, Context, Edit, Lever, levers_for
from .changes import local_changes
from .levers.base import PlanIndex
from .live import LiveEvaluation
from .model import Plan
from .report import Finding, Report
from .rows import Records
from .serial import JsonForm

if TYPE_CHECKING:
    from .compiler import CompiledCheck
    from .stages import PolicyView as Policy

__all__ = ["Fix", "FixOptions", "NO_FIX_TEXTS", "attach_fixes"]

SEVERITY_ORDER = {"error": 0, "warning": 1, "info": 2}

#: what an unverified fix says when no single change to the plan removes a finding
NO_FIX_TEXTS: Mapping[str, Text] = {
    "none": Text("Không có thay đổi đơn lẻ nào trong kế hoạch xóa được vi phạm này. Cần: {what}",
                 "No single change to the plan removes this finding. What would: {what}"),
    "conflict": Text("Không có thay đổi đơn lẻ nào xóa được vi phạm này mà không gây lỗi mới: “{change}” sẽ gây lỗi {rules}. "
                     "Cần: {what}",
                     "No single change removes this finding without a new error: “{change}” would break {rules}. "
                     "What would: {what}"),
    "pair": Text("Không có thay đổi đơn lẻ nào xóa được vi phạm này (thay đổi thứ nhất sẽ gây lỗi {rules}); "
                 "hai thay đổi sau cùng lúc thì xóa được: {first} {second}",
                 "No single change removes this finding (the first change alone would break {rules}); "
                 "these two together do: {first} {second}"),
    "unchecked": Text("{change} (chưa kiểm chứng: chỉ {limit} vi phạm đầu tiên được kiểm tra lại cách khắc phục)",
                      "{change} (not verified: only the first {limit} findings have their fix re-checked)"),
}


@dataclass(frozen=True)
class FixOptions:
    """Bounds of the fix search: how many findings get a verified fix, and the work per finding."""

    limit: int = 50  # findings searched and verified; beyond it, an unverified hint from the facts alone
    probes: int = 40  # plans re-derived per finding while sizing levers
    verifications: int = 4  # full evaluations per finding


@dataclass(frozen=True)
class Fix(JsonForm):
    """A concrete change that removes a finding: the fields changed, a sentence, and whether it was verified."""

    entity: EntityRef  # the entity changed first (the finding's own when nothing can be changed)
    changes: tuple[Change, ...]
    text: Text
    verified: bool
    size: int = 0  # units changed
    edit: Optional[Any] = field(default=None, compare=False, repr=False)  # the change made: an Edit, or a Plan

    @property
    def plan(self) -> Optional[Plan]:
        """The plan with the change made (built on first access; None once the fix was pickled)."""
        return self.edit.plan if hasattr(self.edit, "plan") else self.edit

    def __getstate__(self) -> dict:
        """A fix travels (to another process) without its changed plan: ``changes`` say what it is."""
        return {**self.__dict__, "edit": None}

    def to_dict(self, lang: str = "vi") -> dict:
        first = self.changes[0] if self.changes else None
        return {
            "entity": {"kind": self.entity.kind, "id": self.entity.id, "name": self.entity.name},
            "field": first.field if first else None,
            "from": first.old if first else None,
            "to": first.new if first else None,
            "text": self.text(lang),
            "texts": {"vi": self.text.vi, "en": self.text.en},
            "verified": self.verified,
            "size": self.size,
            "changes": [c.to_dict(lang) for c in self.changes],
        }


def _key(f: Finding) -> tuple:
    return (f.rule, f.check, f.entity.kind, f.entity.id)


def _errors(report: Report) -> set[tuple]:
    return {_key(f) for f in report.findings if f.severity == "error" and not f.waived}


def attach_fixes(policy: "Policy", plan: Plan, as_of: dt.date, report: Report,
                 options: Optional[FixOptions] = None, start: Optional[tuple] = None) -> Report:
    """``report`` with ``fixes`` in every unwaived finding's ``extra``: errors first within the bound.
    ``start`` is the plan's evaluation already made (:meth:`Policy.evaluation`), when there is one."""
    search = _Search(policy, plan, as_of, report, _errors(report), options or FixOptions(), start=start)
    ranked = sorted((f for f in report.findings if not f.waived), key=lambda f: SEVERITY_ORDER[f.severity])
    searched = {_key(f) for f in ranked[:search.options.limit]}
    findings = []
    for f in report.findings:
        if not f.waived:
            fixes = search.fix(f) if _key(f) in searched else search.hint(f)
            f = f.with_extra(fixes=fixes)
        findings.append(f)
    return replace(report, findings=tuple(findings))


@dataclass(frozen=True)
class _Trial:
    """What evaluating a changed plan showed: the finding gone or not, and the error findings it added."""

    edit: Edit
    view: Any  # the changed plan's evaluation: a live trial or a full report's view
    size: int
    gone: bool  # the finding is no longer reported (nor hidden as undecidable)
    back: bool  # a finding an earlier change removed is reported again
    new_errors: tuple[Finding, ...]

    @property
    def report(self) -> Report:
        return self.view.report

    @property
    def clean(self) -> bool:
        return self.gone and not self.back and not self.new_errors

    @property
    def rules(self) -> str:
        return ", ".join(sorted({f.rule for f in self.new_errors}))


class _Facts(Mapping):
    """Each entity's facts by (kind, id), from its records (read when asked for)."""

    def __init__(self, records: Mapping):
        self._records = records

    def __getitem__(self, key):
        return self._records[key][1]

    def __iter__(self):
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)


class _Search:
    """The fix search on one plan: its facts derived once, shared by every finding.

    ``errors`` are the error findings the plan may keep (its own); ``gone`` are findings an earlier
    change removed, which must stay removed; ``depth`` 0 may add a second change to a first one.
    """

    def __init__(self, policy: "Policy", plan: Plan, as_of: dt.date, base: Report, errors: set,
                 options: FixOptions, gone: tuple[Finding, ...] = (), depth: int = 0, start: Optional[tuple] = None):
        self.policy, self.plan, self.as_of, self.options = policy, plan, as_of, options
        self.base, self.errors, self.gone, self.depth = base, errors, gone, depth
        self.live = LiveEvaluation(policy, plan, as_of, start) if depth == 0 else None
        records = self.live.rows if self.live is not None else Records.of_table(policy.facts(plan, as_of))
        self.index = PlanIndex(plan, records)
        self.rows = _Facts(records)
        self.counted = policy.counted_categories(as_of)

    # ---------------------------------------------------------------- per finding

    def fix(self, finding: Finding) -> tuple[Fix, ...]:
        trials, hints = self._trials(finding, _Budget(self.options.probes, self.options.verifications))
        for trial in trials:
            if trial.clean:
                edit = trial.edit
                return (Fix(edit.changes[0].entity, edit.changes, edit.text, True, trial.size, edit),)
        conflicts = [t for t in trials if t.gone and not t.back]
        if self.depth == 0:
            for trial in conflicts[:2]:
                pair = self._second_change(finding, trial)
                if pair is not None:
                    return (pair,)
        return (_unverified(finding, conflicts, hints),)

    def _trials(self, finding: Finding, budget: "_Budget") -> tuple[list[_Trial], list[Text]]:
        """The levers of the finding, smallest first, each tried on the plan until one is clean;
        and the hints that no lever can act on."""
        ctx, check, levers, hints = self._levers(finding)
        sized = []
        for order, lever in enumerate(levers):
            k = self._size(ctx, check, lever, budget)
            if k is not None:
                sized.append((lever.tier, k, order, lever))
        trials = []
        for _, k, _, lever in sorted(sized, key=lambda s: s[:3]):
            if not budget.verify():
                break
            trial = self._try(finding, lever, k)
            if trial.back:
                continue
            if not trial.gone and lever.facts_at is not None:  # the entity's own facts were not the whole story
                k = self._probe_size(finding.entity, check, lever, budget, start=k + 1)
                if k is None or not budget.verify():
                    continue
                trial = self._try(finding, lever, k)
            trials.append(trial)
            if trial.clean:
                break
        return trials, hints

    def _second_change(self, finding: Finding, first: _Trial) -> Optional[Fix]:
        """When a change removes the finding but adds one error, a second change that removes that error."""
        if len(first.new_errors) != 1:
            return None
        follow = _Search(self.policy, first.edit.plan, self.as_of, first.report, self.errors,
                         self.options, gone=self.gone + (finding,), depth=1)
        trials, _ = follow._trials(first.new_errors[0], _Budget(self.options.probes, 3))
        for trial in trials:
            if trial.clean:
                text = _fill(NO_FIX_TEXTS["pair"], rules=first.rules, first=first.edit.text, second=trial.edit.text)
                changes = first.edit.changes + trial.edit.changes
                return Fix(changes[0].entity, changes, text, True, first.size + trial.size, trial.edit)
        return None

    def hint(self, finding: Finding) -> tuple[Fix, ...]:
        """Beyond the bound: the best lever sized on the entity's own facts, not verified."""
        ctx, check, levers, _ = self._levers(finding)
        sized = []
        for order, lever in enumerate(levers):
            if lever.facts_at is not None:
                k = _smallest(lambda k: self._holds_with(ctx, check, lever.facts_at(k)), 1, lever.limit)
                if k is not None:
                    sized.append((lever.tier, k, order, lever))
        if not sized:
            return ()
        _, k, _, lever = min(sized, key=lambda s: s[:3])
        edit = lever.build(k)
        text = _fill(NO_FIX_TEXTS["unchecked"], change=edit.text, limit=str(self.options.limit))
        return (Fix(edit.changes[0].entity, edit.changes, text, False, k, edit),)

    # ---------------------------------------------------------------- levers and their size

    def _levers(self, finding: Finding):
        check = self.policy.check(finding.rule, finding.check)
        values = self._resolved(check, self.rows[(finding.entity.kind, finding.entity.id)])
        named = check.alias_values(values)
        ctx = Context(
            plan=self.plan, ref=finding.entity, values=values, counted=self.counted,
            goal=self.policy.rule(finding.rule).spec.title, numbers=_numbers(trace(check.require_source, named)),
            shared=self.index,
        )
        facts = (names_of(check.where_source) | names_of(check.require_source)) - set(check.parameters)
        levers, hints = levers_for(ctx, sorted(facts))
        return ctx, check, levers, hints

    def _size(self, ctx: Context, check: "CompiledCheck", lever: Lever, budget: "_Budget") -> Optional[int]:
        """The smallest ``k`` that makes the check hold: on the entity's own facts when the lever says
        how it moves them, else on the facts derived from the changed plan."""
        if lever.facts_at is not None:
            return _smallest(lambda k: self._holds_with(ctx, check, lever.facts_at(k)), 1, lever.limit)
        return self._probe_size(ctx.ref, check, lever, budget, start=1)

    def _probe_size(self, ref: EntityRef, check: "CompiledCheck", lever: Lever, budget: "_Budget", *,
                    start: int) -> Optional[int]:
        """The smallest ``k`` from ``start`` for which the check holds on the facts of the changed plan."""

        def fixed(k: int) -> bool:
            return budget.probe() and self._holds_in(lever.build(k), check, ref)

        return _smallest(fixed, start, lever.limit)

    def _holds_with(self, ctx: Context, check: "CompiledCheck", changed: Mapping[str, Any]) -> bool:
        values = {**ctx.values, **changed}
        self._resolve_into(check, values)
        return _passes(check, values)

    def _holds_in(self, edit: Edit, check: "CompiledCheck", ref: EntityRef) -> bool:
        trial = self._live_trial(edit)
        if trial is not None:
            row = trial.rows.get((ref.kind, ref.id)) if (ref.kind, ref.id) in trial.keys else \
                (None, self.rows.get((ref.kind, ref.id)))
            return row is None or row[1] is None or _passes(check, self._resolved(check, row[1]))
        table = self.policy.facts(edit.plan, self.as_of)
        for r, entity in zip(table.refs, table.entities):
            if r.kind == ref.kind and r.id == ref.id:
                return _passes(check, self._resolved(check, entity.values))
        return True  # the entity is gone from the plan

    def _resolved(self, check: "CompiledCheck", values: Mapping[str, Any]) -> dict:
        """The entity's facts with the check's parameters resolved for them (they may depend on the facts)."""
        out = dict(values)
        self._resolve_into(check, out)
        return out

    def _resolve_into(self, check: "CompiledCheck", values: dict) -> None:
        for pid in check.parameters.values():
            hit = self.policy.params.get(pid).resolve(self.as_of, values)
            values[param_field(pid)] = hit.value if hit is not None else None

    # ---------------------------------------------------------------- verification

    def _try(self, finding: Finding, lever: Lever, k: int) -> _Trial:
        """Evaluate the plan changed by ``lever`` at size ``k`` with the same policy and date."""
        edit = lever.build(k)
        view = self._live_trial(edit) or _ReportView(self._evaluate(edit.plan))

        def absent(f: Finding) -> bool:
            return not view.reported(f) and not view.undecided(f)

        new = tuple(f for f in view.new_findings()
                    if f.severity == "error" and not f.waived and _key(f) not in self.errors)
        return _Trial(edit, view, k, absent(finding), not all(absent(f) for f in self.gone), new)

    def _live_trial(self, edit: Edit):
        """The changed plan evaluated locally from the search's live evaluation, when the edit allows."""
        if self.live is None:
            return None
        changes = local_changes(self.live, [{"field": c.field, "to": c.new} for c in edit.changes])
        return self.live.trial(changes) if changes is not None else None

    def _evaluate(self, plan: Plan) -> Report:
        """The report of a changed plan, the same as ``policy.evaluate`` would give, re-checking only
        the entities whose facts the change touched (and the plan record)."""
        table = self.policy.facts(plan, self.as_of)
        changed = [i for i, (r, e) in enumerate(zip(table.refs, table.entities))
                   if self.rows.get((r.kind, r.id)) != e.values]
        part = self.policy.evaluate_part(plan, self.as_of, table, changed)
        if _whole(part) != _whole(self.base):  # which rules apply changed: nothing carries over
            return self.policy.evaluate(plan, as_of=self.as_of, fixes=False, origin=False)
        redone = {(table.refs[i].kind, table.refs[i].id) for i in [0, *changed]}
        present = {(r.kind, r.id) for r in table.refs}

        def kept(entity) -> bool:
            return entity is not None and (entity.kind, entity.id) in present and (entity.kind, entity.id) not in redone

        findings = [f for f in self.base.findings if kept(f.entity)] + list(part.findings)
        na = [n for n in self.base.not_applicable if kept(n.entity)] + list(part.not_applicable)
        return replace(part, findings=tuple(sorted(findings, key=lambda f: f.sort_key)),
                       not_applicable=tuple(sorted(na, key=lambda n: n.sort_key)))


class _ReportView:
    """A full report of a changed plan, asked the questions a live trial answers."""

    def __init__(self, report: Report):
        self.report = report
        self.keys = {_key(f) for f in report.findings}

    def reported(self, finding: Finding) -> bool:
        return _key(finding) in self.keys

    def undecided(self, finding: Finding) -> bool:
        return any(_covers(n, finding) for n in self.report.not_applicable)

    def new_findings(self):
        return self.report.findings


def _unverified(finding: Finding, conflicts: Sequence[_Trial], hints: Sequence[Text]) -> Fix:
    """No change removed the finding cleanly: say so, show the change that came closest, and what would."""
    what = _what(finding, hints)
    if conflicts:
        edit = conflicts[0].edit
        text = _fill(NO_FIX_TEXTS["conflict"], change=_strip(edit.text), rules=conflicts[0].rules, what=what)
        return Fix(edit.changes[0].entity, edit.changes, text, False, 0, edit)
    return Fix(finding.entity, (), _fill(NO_FIX_TEXTS["none"], what=what), False, 0)


@dataclass
class _Budget:
    """Work left for one finding (mutable on purpose: it is spent as the search goes)."""

    probes: int
    verifications: int

    def probe(self) -> bool:
        self.probes -= 1
        return self.probes >= 0

    def verify(self) -> bool:
        self.verifications -= 1
        return self.verifications >= 0


def _whole(report: Report) -> set:
    """The rules and checks not applicable to the whole plan (they depend on the plan record and date)."""
    return {(n.rule, n.check, n.reason.en) for n in report.not_applicable if n.entity is None}


def _covers(na, finding: Finding) -> bool:
    """A not-applicable entry that hides the finding: a change that makes a check undecidable fixes nothing."""
    return (na.rule == finding.rule and na.check in (None, finding.check)
            and (na.entity is None or (na.entity.kind, na.entity.id) == (finding.entity.kind, finding.entity.id)))


def _passes(check: "CompiledCheck", values: Mapping[str, Any]) -> bool:
    """True when the check no longer reports the entity: it does not apply, or its requirement holds."""
    applies = check.where_fn(values)
    if applies is False:
        return True
    return applies is True and check.require_fn(values) is True


def _smallest(holds: Callable[[int], bool], start: int, limit: int) -> Optional[int]:
    """The smallest ``k`` in ``start..limit`` for which ``holds(k)``, assuming it keeps holding once it does."""
    if start > limit:
        return None
    low, k = start - 1, start
    while not holds(k):
        if k >= limit:
            return None
        low, k = k, min(limit, start + 2 * (k - start + 1) - 1)
    high = k
    while high - low > 1:
        mid = (low + high) // 2
        if holds(mid):
            high = mid
        else:
            low = mid
    return high


def _numbers(node) -> tuple[float, ...]:
    """Every number a traced condition computed, for levers that set a value (a cap, a norm)."""
    out = []
    if isinstance(node.value, (int, float)) and not isinstance(node.value, bool):
        out.append(node.value)
    for child in node.children:
        out.extend(_numbers(child))
    return tuple(out)


def _what(finding: Finding, hints: Sequence[Text]) -> Text:
    """What would remove the finding: the rule's own advice, then what only an officer can supply."""
    parts = ([finding.fix] if finding.fix else []) + list(hints)
    if not parts:
        return Text("thay đổi cơ cấu mà kế hoạch hiện chưa thể hiện được", "a change the plan cannot yet express")
    return Text(" ".join(p.vi for p in parts), " ".join(p.en for p in parts))


def _strip(text: Text) -> Text:
    return Text(text.vi.rstrip("."), text.en.rstrip("."))


def _fill(template: Text, **fields: Any) -> Text:
    def pick(lang: str) -> dict:
        return {k: v(lang) if isinstance(v, Text) else v for k, v in fields.items()}

    return Text(template.vi.format(**pick("vi")), template.en.format(**pick("en")))

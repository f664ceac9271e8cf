"""``ag18 lint``: what is wrong with a valid policy, each problem at its file and line.

``ag18 validate`` checks that every file is well formed; lint looks at the policy as a whole:

* ``never-triggered``   a check that no generated plan triggers (plans of every kind, dates next
                        to every parameter change; needs Hypothesis, the ``test`` extra);
* ``one-sided-examples`` a rule whose examples never give a finding, or never pass while it applies;
  ``check-never-fails`` a check that no example makes report;
* ``boundary-untested`` a date on which a parameter of a rule changes, with no example on the day
  before it or on the day itself;
* ``unused-parameter``  a parameter that no rule and no derived fact reads;
* ``date-before-effective``, ``reference-date-differs``, ``overlapping-dates``, ``document-dates``,
  ``inconsistent-deadline``: a value in force before the law it cites, or from another day than the
  one its reference gives; replaced before that law takes effect; one law cited with different
  dates; a rule's deadline that differs from its target's;
* ``runs-after-end``    a check about the same entities as a check whose subject ended (the
                        district level, an inspectorate...), still in force after that date;
  ``end-revived``       a parameter given a value again after recording that its subject ended;
* ``unreachable-target`` a target that no generated plan meets without breaking a prohibition
  (an error of another rule).
"""
from __future__ import annotations

import datetime as dt
import importlib.util
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Optional, Union

from .ends import lint_ends
from .errors import Diagnostic, Span, Text
from .facts.dated import AREA_STEP, POPULATION_STEP, STANDARDS

__all__ = ["LintReport", "lint_policy"]

#: Parameters read by the engine itself rather than by a rule: the counted staff categories
#: (``Policy.counted_categories``) and the standards behind the fact ``part_time_extra``.
ENGINE_PARAMETERS = frozenset({"staff.counted_categories", POPULATION_STEP, AREA_STEP}
                              | {pid for pair in STANDARDS.values() for pid in pair})
DEFAULT_PLANS = 1000


@dataclass(frozen=True)
class LintReport:
    """The problems found, sorted by place, and how many generated plans were evaluated."""

    diagnostics: tuple[Diagnostic, ...]
    plans: int
    skipped: Optional[Text] = None  # why the checks that generate plans did not run

    def render(self, lang: str = "vi") -> str:
        lines = [d.render(lang, caret=False) for d in self.diagnostics]
        if self.skipped:
            lines.append(self.skipped(lang))
        count = len(self.diagnostics)
        lines.append(f"{count} vấn đề; đã đánh giá {self.plans} kế hoạch sinh tự động" if lang == "vi"
                     else f"{count} problem(s); {self.plans} generated plans evaluated")
        return "\n".join(lines) + "\n"

    def to_dict(self, lang: str = "vi") -> dict:
        return {"problems": [d.to_dict(lang) for d in self.diagnostics], "plans": self.plans,
                "skipped": self.skipped(lang) if self.skipped else None}


def lint_policy(directory: Union[str, Path, None] = None, *, plans: int = DEFAULT_PLANS,
                progress: Optional[Callable[[], None]] = None) -> LintReport:
    """Lint the policy folder ``directory`` (default: the shipped policy); ``plans`` generated
    plans are evaluated for the checks that need them (0 skips them); ``progress`` is called after each."""
    from .engine import Policy

    with Policy.load(directory) as policy:
        found = _unused_parameters(policy) + _dates(policy) + _examples(policy) + lint_ends(policy)
        skipped = None
        explored = 0
        if plans and importlib.util.find_spec("hypothesis") is None:
            skipped = Text("Bỏ qua các kiểm tra cần sinh kế hoạch: chưa cài Hypothesis (pip install 'ag18-rules[test]')",
                           "Skipped the checks that generate plans: Hypothesis is not installed "
                           "(pip install 'ag18-rules[test]')")
        elif plans:
            exploration = _explore(policy, plans, progress)
            explored = exploration.plans
            found += _never_triggered(policy, exploration) + _unreachable_targets(policy, exploration)
    return LintReport(tuple(sorted(found, key=Diagnostic.sort_key)), explored, skipped)


# --------------------------------------------------------------------------- parameters and dates


def _unused_parameters(policy) -> list[Diagnostic]:
    used = set(ENGINE_PARAMETERS)
    for rule in policy.rules:
        for check in rule.checks:
            used.update(check.parameters.values())
            used.update(case.within_years for case in check.cases if case.within_years)
    return [Diagnostic("unused-parameter", Text(
        f"Tham số {p.id} không được quy tắc nào hay dữ kiện nào sử dụng",
        f"Parameter {p.id} is read by no rule and no derived fact"), p.span)
        for p in policy.params if p.id not in used]


def _dates(policy) -> list[Diagnostic]:
    out = []
    cited: dict[str, list] = defaultdict(list)  # document -> its entries that give an effective date
    for param in policy.params:
        entries = [entry for _, entry in param.values]
        for entry, following in zip(entries, entries[1:] + [None]):
            out += _entry_dates(param.id, entry, following)
            if entry.reference.effective:
                cited[entry.reference.document].append(entry)
    for document, entries in sorted(cited.items()):
        out += _document_dates(document, entries)
    for rule in policy.rules:
        target = rule.spec.target
        if target and rule.spec.deadline and target.deadline != rule.spec.deadline:
            out.append(Diagnostic("inconsistent-deadline", Text(
                f"Quy tắc {rule.id} có hạn {rule.spec.deadline.isoformat()} nhưng mục tiêu của nó có hạn "
                f"{target.deadline.isoformat()}",
                f"Rule {rule.id} has the deadline {rule.spec.deadline.isoformat()} but its target has "
                f"{target.deadline.isoformat()}"), target.span))
    return out


def _entry_dates(pid: str, entry, following) -> list[Diagnostic]:
    """A dated value against the date its document takes effect, and against the next value.
    (``validate`` accepts a mismatch its note explains; a value in force before its law is, or
    one that a later value replaces before its law takes effect, is still worth a second look.)"""
    out = []
    effective, since, document = entry.reference.effective, entry.since, entry.reference.document
    if effective and since < effective:
        out.append(Diagnostic("date-before-effective", Text(
            f"Giá trị của {pid} áp dụng từ {since.isoformat()}, trước ngày {document} có hiệu lực ({effective.isoformat()})",
            f"The value of {pid} applies from {since.isoformat()}, before {document} takes effect "
            f"({effective.isoformat()})"), entry.span))
    elif effective and since > effective:  # validate accepts it with a note; the note may be stale
        out.append(Diagnostic("reference-date-differs", Text(
            f"Giá trị của {pid} áp dụng từ {since.isoformat()}, nhưng căn cứ {document} ghi ngày hiệu lực "
            f"{effective.isoformat()}: hãy kiểm tra lại ngày của mục hoặc của căn cứ",
            f"The value of {pid} applies from {since.isoformat()}, but its reference {document} gives the "
            f"effective date {effective.isoformat()}: check the entry's date or the reference's"), entry.span))
    if following is not None and effective and effective >= following.since:
        out.append(Diagnostic("overlapping-dates", Text(
            f"{document} có hiệu lực từ {effective.isoformat()}, khi giá trị tiếp theo của {pid} "
            f"(từ {following.since.isoformat()}) đã thay thế nó: giá trị này không bao giờ được áp dụng",
            f"{document} takes effect on {effective.isoformat()}, when the next value of {pid} "
            f"(from {following.since.isoformat()}) has already replaced it: this value never applies"), entry.span))
    return out


def _document_dates(document: str, entries: list) -> list[Diagnostic]:
    """One legal text, cited as taking effect on different days: each citation off the most usual day."""
    days = Counter(e.reference.effective for e in entries)
    usual = max(days, key=lambda d: (days[d], -d.toordinal()))
    return [Diagnostic("document-dates", Text(
        f"{document} được ghi có hiệu lực từ {e.reference.effective.isoformat()}, nhưng ở nơi khác từ {usual.isoformat()}",
        f"{document} is cited as taking effect on {e.reference.effective.isoformat()}, elsewhere on {usual.isoformat()}"),
        e.span) for e in entries if e.reference.effective != usual]


# --------------------------------------------------------------------------- examples


@dataclass
class _RuleExamples:
    failing: bool = False
    passing: bool = False
    checks: set = field(default_factory=set)
    days: set = field(default_factory=set)
    span: Optional[Span] = None


def _examples(policy) -> list[Diagnostic]:
    from .conformance import load_cases
    from .source import load_file

    seen: dict[str, _RuleExamples] = defaultdict(_RuleExamples)
    docs = {}
    for case in load_cases(policy.directory / "rules", policy.rule_ids):
        path = case.plan.parent.parent / "tests.yaml"
        docs.setdefault(path, load_file(path))
        plan = policy.load_plan(case.plan)
        report = policy.evaluate(plan, as_of=case.as_of, fixes=False, origin=False)
        mine = [f for f in report.findings if f.rule == case.rule]
        rule_na = any(n.rule == case.rule and n.check is None and n.entity is None for n in report.not_applicable)
        state = seen[case.rule]
        state.span = state.span or docs[path].key_span(("cases",))
        state.failing |= bool(mine)
        state.passing |= not mine and not rule_na
        state.checks.update(f.check for f in mine)
        state.days.add(case.as_of or plan.effective)
    out = []
    for rule in policy.rules:
        state = seen.get(rule.id)
        if state is None:
            continue  # validate reports a rule without examples
        out += _one_sided(rule, state) + _boundaries(policy, rule, state)
        out += [Diagnostic("check-never-fails", Text(
            f"Không ví dụ nào của quy tắc {rule.id} làm kiểm tra '{c.spec.id}' báo vi phạm",
            f"No example of rule {rule.id} makes its check '{c.spec.id}' report"), c.spec.spans["id"])
            for c in rule.checks if c.spec.id not in state.checks]
    return out


def _one_sided(rule, state: _RuleExamples) -> list[Diagnostic]:
    if state.failing and state.passing:
        return []
    if not state.failing:
        vi, en = "cho thấy vi phạm", "gives a finding"
    else:
        vi, en = "cho thấy kế hoạch đạt khi quy tắc được áp dụng", "gives no finding while the rule applies"
    return [Diagnostic("one-sided-examples", Text(f"Không ví dụ nào của quy tắc {rule.id} {vi}",
                                                  f"No example of rule {rule.id} {en}"), state.span)]


def _boundaries(policy, rule, state: _RuleExamples) -> list[Diagnostic]:
    """Each date a parameter of the rule changes value needs an example on the day before and on it."""
    out = []
    for pid in sorted({pid for c in rule.checks for pid in c.parameters.values()}):
        entries = policy.params.get(pid).values
        for (_, old), (day, new) in zip(entries, entries[1:]):
            if old.value == new.value:
                continue
            missing = [d for d in (day - dt.timedelta(days=1), day) if d not in state.days]
            if missing:
                shown = ", ".join(d.isoformat() for d in missing)
                out.append(Diagnostic("boundary-untested", Text(
                    f"Tham số {pid} của quy tắc {rule.id} đổi giá trị ngày {day.isoformat()} nhưng không ví dụ "
                    f"nào được đánh giá vào ngày {shown} (dùng as_of)",
                    f"Parameter {pid} of rule {rule.id} changes on {day.isoformat()} but no example is "
                    f"evaluated on {shown} (use as_of)"), state.span))
    return out


# --------------------------------------------------------------------------- generated plans


@dataclass
class _Exploration:
    plans: int = 0
    fired: set = field(default_factory=set)  # rule/check keys that reported on some plan
    met: Counter = field(default_factory=Counter)  # target rule -> plans meeting it
    witnessed: set = field(default_factory=set)  # target rules met with no other rule's error
    broken: dict = field(default_factory=lambda: defaultdict(Counter))  # target rule -> rules it broke


def _explore(policy, count: int, on_plan: Optional[Callable[[], None]] = None) -> _Exploration:
    """Evaluate ``count`` generated plans, the same ones on every run (a seeded generator)."""
    from .testing import sample_plans

    found = _Exploration()
    targets = [r.id for r in policy.rules if r.spec.target]
    for _, plan in sample_plans(policy, count):
        report = policy.evaluate(plan, fixes=False, origin=False)
        found.plans += 1
        if on_plan is not None:
            on_plan()
        found.fired.update(f"{f.rule}/{f.check}" for f in report.findings)
        errors = {f.rule for f in report.findings if f.severity == "error"}  # a waived breach is still one
        for progress in report.targets:
            if progress.status == "met" and progress.rule in targets:
                found.met[progress.rule] += 1
                broken = errors - {progress.rule}
                if broken:
                    found.broken[progress.rule].update(broken)
                else:
                    found.witnessed.add(progress.rule)
    return found


def _never_triggered(policy, found: _Exploration) -> list[Diagnostic]:
    out = []
    for rule in policy.rules:
        for check in rule.checks:
            if check.key in found.fired:
                continue
            silent = [pid for pid in sorted(set(check.parameters.values()))
                      if all(entry.value is None for _, entry in policy.params.get(pid).values)]
            why_vi = f"; tham số {', '.join(silent)} không có giá trị ở bất kỳ ngày nào" if silent else ""
            why_en = f"; parameter {', '.join(silent)} has no value on any date" if silent else ""
            out.append(Diagnostic("never-triggered", Text(
                f"Không kế hoạch nào trong {found.plans} kế hoạch sinh tự động làm kiểm tra {check.key} báo vi phạm{why_vi}",
                f"None of {found.plans} generated plans makes check {check.key} report{why_en}"),
                check.spec.spans["id"]))
    return out


def _unreachable_targets(policy, found: _Exploration) -> list[Diagnostic]:
    out = []
    for rule in policy.rules:
        if not rule.spec.target or rule.id in found.witnessed:
            continue
        vi = f"Trong {found.plans} kế hoạch sinh tự động, không kế hoạch nào đạt mục tiêu của quy tắc {rule.id}"
        en = f"None of {found.plans} generated plans meets the target of rule {rule.id}"
        met = found.met[rule.id]
        if met:
            broken = ", ".join(f"{r} ({n})" for r, n in found.broken[rule.id].most_common())
            vi += f" mà không vi phạm một quy định cấm: cả {met} kế hoạch đạt mục tiêu đều vi phạm {broken}"
            en += f" without breaking a prohibition: all {met} that meet it break {broken}"
        out.append(Diagnostic("unreachable-target", Text(vi, en), rule.spec.target.span))
    return out

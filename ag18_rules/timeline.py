"""``ag18 timeline PLAN``: a plan's findings on every date the law in force changes.

Between the plan's effective date and ``until`` (by default the day after the last deadline, when
warnings turn into errors), the plan is evaluated with the public :meth:`Policy.evaluate` on each
date where something the rules read changes: a parameter's dated entry, a check's end, a severity
case's last day or window, a rule's deadline.  The result says, date by date and with the documents
that take effect that day, which findings appear, which disappear, which change severity, and which
checks stop applying (a subject that ended).  Officers planning for 2026–2030 see what their plan
will face, and when.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Optional

from .errors import Text
from .serial import JsonForm

__all__ = ["Change", "Timeline", "TimelineStep", "timeline"]

DAY = dt.timedelta(days=1)
#: at most this many dates are evaluated: the cost is bounded by the policy's size, not the plan's values
MAX_DATES = 400


@dataclass(frozen=True)
class Change:
    """A finding that appears, disappears or changes severity; or a check that stops applying."""

    kind: str  # appear | disappear | severity | not_applicable
    rule: str
    check: Optional[str]
    entity: Optional[str]
    severity: Optional[str]
    before: Optional[str] = None  # the severity the day before (kind "severity")
    message: Optional[Text] = None

    def to_dict(self, lang: str = "vi") -> dict:
        out = {"kind": self.kind, "rule": self.rule, "check": self.check, "entity": self.entity,
               "severity": self.severity}
        if self.before is not None:
            out["from"] = self.before
        if self.message is not None:
            out["message"] = self.message(lang)
        return out


@dataclass(frozen=True)
class TimelineStep:
    """One date: why it is on the timeline (the documents taking effect) and what changes."""

    date: dt.date
    documents: tuple[str, ...]
    changes: tuple[Change, ...]
    counts: tuple[int, int, int]  # unwaived errors, warnings, infos on this date

    def to_dict(self, lang: str = "vi") -> dict:
        error, warning, info = self.counts
        return {"date": self.date.isoformat(), "documents": list(self.documents),
                "summary": {"error": error, "warning": warning, "info": info},
                "changes": [c.to_dict(lang) for c in self.changes]}


@dataclass(frozen=True)
class Timeline(JsonForm):
    plan: str
    start: dt.date
    until: dt.date
    steps: tuple[TimelineStep, ...]

    def to_dict(self, lang: str = "vi") -> dict:
        return {"format": "ag18-timeline/1", "plan": self.plan, "from": self.start.isoformat(),
                "until": self.until.isoformat(), "dates": [s.to_dict(lang) for s in self.steps]}

    def render(self, lang: str = "vi") -> str:
        vi = lang != "en"
        lines = [(f"Diễn biến theo thời gian của đề án {self.plan}, từ {self.start.isoformat()} đến {self.until.isoformat()}"
                  if vi else f"Timeline of plan {self.plan}, from {self.start.isoformat()} to {self.until.isoformat()}")]
        for step in self.steps:
            error, warning, info = step.counts
            lines.append("")
            head = f"{step.date.isoformat()}  " + ("; ".join(step.documents) or ("ngày hiệu lực của đề án" if vi
                                                                                 else "the plan's effective date"))
            lines.append(head)
            lines.append(f"    {'lỗi' if vi else 'errors'} {error}, {'cảnh báo' if vi else 'warnings'} {warning}, "
                         f"{'thông tin' if vi else 'info'} {info}")
            for c in step.changes:
                lines.append("    " + _change_line(c, lang))
        return "\n".join(lines) + "\n"


_MARK = {"appear": "+", "disappear": "-", "severity": "~", "not_applicable": "∅"}


def _change_line(c: Change, lang: str) -> str:
    where = f"{c.rule}/{c.check}" if c.check else c.rule
    if c.kind == "not_applicable":
        label = "không còn áp dụng" if lang != "en" else "no longer applies"
        return f"{_MARK[c.kind]} {where}: {label} — {c.message(lang) if c.message else ''}"
    severity = f"{c.before} → {c.severity}" if c.kind == "severity" else c.severity
    text = f"{_MARK[c.kind]} {severity:<8} {where} {c.entity or ''}".rstrip()
    return text + (f": {c.message(lang)}" if c.message is not None and c.kind != "disappear" else "")


# --------------------------------------------------------------------------- dates


def _last_day(case, effective: dt.date, params) -> Optional[dt.date]:
    last = case.last_day(effective, params)
    return None if last in (None, dt.date.max) else last


def change_dates(policy, effective: dt.date) -> dict[dt.date, list[str]]:
    """Every date on which something a rule reads may change, with the documents behind it."""
    dates: dict[dt.date, list[str]] = {}

    def add(day: dt.date, document: str) -> None:
        docs = dates.setdefault(day, [])
        if document not in docs:
            docs.append(document)

    for rule in policy.rules:
        spec = rule.spec
        for deadline in (spec.deadline, spec.target.deadline if spec.target else None):
            if deadline is not None:
                add(deadline + DAY, _deadline_text(spec.id, deadline))
        for check in rule.checks:
            for pid in check.parameters.values():
                for since, entry in policy.params.get(pid).values:
                    add(since, entry.reference.document)
            if check.spec.ends is not None:
                add(check.spec.ends.date, check.spec.ends.document)
            for case in check.cases:
                last = _last_day(case, effective, policy.params)
                if last is not None:
                    add(last + DAY, _case_text(rule.id, check.spec.id, last))
                if case.within_years is not None:
                    for since, entry in policy.params.get(case.within_years).values:
                        add(since, entry.reference.document)
    return dates


def _deadline_text(rule_id: str, deadline: dt.date) -> str:
    return f"{rule_id}: deadline {deadline.isoformat()}"


def _case_text(rule_id: str, check_id: str, last: dt.date) -> str:
    return f"{rule_id}/{check_id}: until {last.isoformat()}"


def last_deadline(policy, effective: dt.date) -> dt.date:
    """The latest deadline, end of a severity window or last day of a severity case."""
    days = [d for r in policy.rules for d in (r.spec.deadline, r.spec.target.deadline if r.spec.target else None) if d]
    days += [d for r in policy.rules for c in r.checks for case in c.cases
             if (d := _last_day(case, effective, policy.params)) is not None]
    return max(days, default=effective)


# --------------------------------------------------------------------------- evaluation


def timeline(policy, plan, *, until: Optional[dt.date] = None, start: Optional[dt.date] = None) -> Timeline:
    """The plan's findings on its effective date (or ``start``) and on every later date up to ``until``
    where the law in force changes; each step lists only what changed since the step before."""
    plan = policy.load_plan(plan)
    start = start or plan.effective
    until = until or last_deadline(policy, plan.effective) + DAY
    documents = change_dates(policy, plan.effective)
    days = [start] + sorted(d for d in documents if start < d <= until)
    ended = _end_reasons(policy)
    steps, previous = [], None
    for day in days[:MAX_DATES]:
        report = policy.evaluate(plan, as_of=day)
        state = _state(report)
        changes = _changes(previous, state, ended) if previous is not None else _initial(state)
        if previous is None or changes:
            steps.append(TimelineStep(day, tuple(documents.get(day, ())) if day != start else (), tuple(changes),
                                      _counts(report)))
        previous = state
    return Timeline(plan.id, start, until, tuple(steps))


def _state(report) -> tuple[dict, dict]:
    findings = {(f.rule, f.check, f.entity.id if f.entity else None): f for f in report.findings}
    not_applicable = {(n.rule, n.check): n for n in report.not_applicable if n.entity is None}
    return findings, not_applicable


def _counts(report) -> tuple[int, int, int]:
    live = [f for f in report.findings if not f.waived]
    return tuple(sum(1 for f in live if f.severity == s) for s in ("error", "warning", "info"))


def _initial(state) -> list[Change]:
    findings, _ = state
    return [Change("appear", r, c, e, f.severity, message=f.message) for (r, c, e), f in sorted(findings.items(), key=_key)]


def _end_reasons(policy) -> frozenset[str]:
    """The *not applicable* texts (English) that say a check's subject ended."""
    from .ends import check_ends

    return frozenset(end.reason.en for r in policy.rules for c in r.checks for end in check_ends(c, policy.params))


def _changes(previous, state, ended: frozenset = frozenset()) -> list[Change]:
    old, old_na = previous
    new, new_na = state
    out = []
    for key, f in sorted(new.items(), key=_key):
        before = old.get(key)
        if before is None:
            out.append(Change("appear", *key, f.severity, message=f.message))
        elif before.severity != f.severity:
            out.append(Change("severity", *key, f.severity, before=before.severity, message=f.message))
    for key, f in sorted(old.items(), key=_key):
        if key not in new:
            out.append(Change("disappear", *key, f.severity, message=f.message))
    for key, n in sorted(new_na.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        was = old_na.get(key) or old_na.get((key[0], None))
        if was is None or (n.reason.en in ended and was.reason.en != n.reason.en):
            out.append(Change("not_applicable", key[0], key[1], None, None, message=n.reason))
    return out


def _key(item) -> tuple:
    (rule, check, entity), _ = item
    return rule, check or "", entity or ""

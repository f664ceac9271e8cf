"""What the policy says, for people: one rule in full (``ag18 explain RULE``) and the coverage
of the programme's clauses (``ag18 coverage``)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .ends import check_ends
from .errors import Ag18Error, Text
from .schema import closest

__all__ = ["Coverage", "coverage", "describe_rule"]


def _load(path):
    from .engine import Policy

    return Policy.load(path)


def describe_rule(path: Optional[str], rule_id: str, lang: str = "vi") -> str:
    with _load(path) as policy:
        if rule_id not in policy.rule_ids:
            hint = closest(rule_id, policy.rule_ids)
            raise Ag18Error(Text(
                f"Không có quy tắc '{rule_id}'" + (f"; có phải ý là '{hint}'?" if hint else "")
                + (" " if hint else ". ") + "Xem danh sách bằng lệnh ag18 rules.",
                f"Unknown rule '{rule_id}'" + (f"; did you mean '{hint}'?" if hint else "")
                + (" " if hint else ". ") + "List them with ag18 rules."))
        rule = policy.rule(rule_id)
        clauses = {c.id: c for c in policy.params.programme.clauses}
        spec = rule.spec
        vi = lang != "en"
        lines = [f"{spec.id}: {spec.title(lang)}",
                 f"{'Mức độ' if vi else 'Severity'}: {spec.severity}"]
        if spec.description:
            lines += ["", spec.description(lang)]
        lines.append("")
        for cid in spec.clause:
            c = clauses.get(cid)
            if c is not None:
                lines.append(f"{'Điều khoản' if vi else 'Clause'} {cid}: “{c.quote_vi}”")
                if not vi:
                    lines.append(f"  ({c.meaning_en})")
        if spec.quote:
            lines.append(f"{'Trích' if vi else 'Quote'}: “{spec.quote}”")
        if spec.needs:
            lines.append(f"{'Cần có trong kế hoạch' if vi else 'Needs in the plan'}: {', '.join(spec.needs)}")
        if spec.deadline:
            lines.append(f"{'Hạn (trước hạn: cảnh báo; sau hạn: lỗi)' if vi else 'Deadline (warning until, error after)'}: "
                         f"{spec.deadline.isoformat()}")
        if spec.target:
            t = spec.target
            lines.append(f"{'Mục tiêu' if vi else 'Target'}: {t.value} ≥ {t.target} ({t.unit}), "
                         f"{'hạn' if vi else 'deadline'} {t.deadline.isoformat()}")
        for check in rule.checks:
            c = check.spec
            lines += ["", f"[{c.id}] {'áp dụng cho' if vi else 'applies to'} {c.applies_to}"]
            if c.where:
                lines.append(f"  {'khi' if vi else 'where'}:   {c.where.text}")
            lines.append(f"  {'yêu cầu' if vi else 'require'}: {c.require.text}")
            lines += _cases(check, lang)
            for end in check_ends(check, policy.params):
                lines.append(f"  {'kết thúc' if vi else 'ends'}: {end.reason(lang)}"
                             + (f" [{end.parameter}]" if end.parameter else ""))
            for alias, pid in sorted(check.parameters.items()):
                lines += _parameter(policy.params.get(pid), alias, lang)
        return "\n".join(lines) + "\n"


def _cases(check, lang: str) -> list[str]:
    """The check's severity cases, one line each: the severity and when it holds."""
    vi = lang != "en"
    out = []
    for case, spec in zip(check.cases, check.spec.severity_cases):
        when = []
        if spec.when is not None:
            when.append(f"{'khi' if vi else 'when'} {spec.when.text}")
        if case.until is not None:
            when.append(f"{'đến hết' if vi else 'until'} {case.until.isoformat()}")
        if case.within_years is not None:
            when.append((f"trong số năm {case.within_years} kể từ ngày kế hoạch có hiệu lực" if vi else
                         f"for {case.within_years} years from the plan's effective date"))
        out.append(f"  {'mức độ' if vi else 'severity'} {case.severity}: {'; '.join(when)}")
    return out


def _parameter(param, alias: str, lang: str) -> list[str]:
    vi = lang != "en"
    by = ""
    if param.index or param.scale:
        by = f" ({'tra theo' if vi else 'by'} {', '.join(param.facts_needed())})"
    out = [f"  {alias} = {param.id}{by}: {param.description(lang)}"]
    for since, entry in param.values:
        value = "—" if entry.value is None else show_value(entry.value)
        ref = entry.reference
        article = f", {ref.article}" if ref.article else ""
        flag = "" if entry.verified else (" [chưa kiểm chứng]" if vi else " [unverified]")
        if entry.ends is not None:
            value = ("kết thúc — " if vi else "ended — ") + entry.end_reason()(lang)
        out.append(f"    {'từ' if vi else 'from'} {since.isoformat()}: {value}  ({ref.document}{article}){flag}")
    return out


def show_value(value) -> str:
    """A parameter value for people: tables as ``key: …; key: …``, brackets as ``<9: 1, <15: 2, else 3``."""
    from collections.abc import Mapping, Sequence

    if isinstance(value, Mapping):
        if "value" in value and set(value) <= {"value", "below"}:
            return (f"<{_num(value['below'])}: " if "below" in value else "") + show_value(value["value"])
        return "; ".join(f"{k}: {show_value(v)}" for k, v in value.items())
    if isinstance(value, Sequence) and not isinstance(value, str):
        parts = [show_value(v) for v in value]
        if parts and all(isinstance(v, Mapping) for v in value) and "below" not in value[-1]:
            parts[-1] = "else " + parts[-1]
        return "[" + ", ".join(parts) + "]"
    return "—" if value is None else _num(value)


def _num(x) -> str:
    if isinstance(x, float) and x.is_integer():
        return str(int(x))
    return str(x)


@dataclass(frozen=True)
class CoverageRow:
    clause: str
    section: str
    quote: str
    meaning: str
    rules: tuple[str, ...]
    served_by: tuple[str, ...]  # other clauses whose rules serve this one
    via: Optional[Text]  # how it is served without rules of its own (a report, other clauses)
    reason: Optional[Text]  # why no rule can check it from a plan
    ends: tuple = ()  # (rule/check, End) of the checks of its rules whose subject ended

    @property
    def accounted(self) -> bool:
        return bool(self.rules or self.via or self.reason)


@dataclass(frozen=True)
class Coverage:
    rows: tuple[CoverageRow, ...]
    unknown: tuple[tuple[str, str], ...]  # (rule, clause id) pairs citing no known clause

    def to_dict(self, lang: str = "vi") -> dict:
        return {
            "clauses": [{
                "clause": r.clause, "section": r.section, "quote": r.quote, "meaning": r.meaning,
                "rules": list(r.rules),
                "served_by": list(r.served_by),
                "via": r.via(lang) if r.via else None,
                "reason": r.reason(lang) if r.reason else None,
                "accounted": r.accounted,
                "ends": [{"check": key, "date": end.date.isoformat(), "reason": end.reason(lang)}
                         for key, end in r.ends],
            } for r in self.rows],
            "summary": {
                "clauses": len(self.rows),
                "checked_by_rules": sum(1 for r in self.rows if r.rules),
                "served_otherwise": sum(1 for r in self.rows if not r.rules and r.via),
                "not_checkable": sum(1 for r in self.rows if not r.rules and not r.via and r.reason),
                "unaccounted": sum(1 for r in self.rows if not r.accounted),
            },
        }

    def render(self, lang: str = "vi") -> str:
        vi = lang != "en"
        lines = []
        for r in self.rows:
            if r.rules:
                what = ", ".join(r.rules)
            elif r.via:
                what = ("phục vụ qua: " if vi else "served by: ") + r.via(lang)
                if r.served_by:
                    what += f" [{', '.join(r.served_by)}]"
            elif r.reason:
                what = ("không kiểm tra được từ kế hoạch: " if vi else "cannot be checked from a plan: ") + r.reason(lang)
            else:
                what = "CHƯA ĐƯỢC XỬ LÝ" if vi else "UNACCOUNTED"
            lines.append(f"{r.clause:<12} {what}")
            for key, end in r.ends:
                lines.append(f"{'':<12}   {'kết thúc' if vi else 'ended'}: {key} — {end.reason(lang)}")
        s = self.to_dict(lang)["summary"]
        lines.append("")
        lines.append((f"{s['clauses']} điều khoản: {s['checked_by_rules']} có quy tắc kiểm tra, "
                      f"{s['served_otherwise']} phục vụ qua báo cáo hoặc điều khoản khác, {s['not_checkable']} không kiểm tra được, "
                      f"{s['unaccounted']} chưa xử lý") if vi else
                     (f"{s['clauses']} clauses: {s['checked_by_rules']} checked by rules, "
                      f"{s['served_otherwise']} served by reports or other clauses, {s['not_checkable']} not checkable, "
                      f"{s['unaccounted']} unaccounted"))
        return "\n".join(lines) + "\n"


def coverage(path: Optional[str] = None) -> Coverage:
    with _load(path) as policy:
        clauses = policy.params.programme.clauses
        known = {c.id for c in clauses}
        rows = []
        for c in clauses:
            rules = tuple(sorted(r.id for r in policy.rules if c.id in r.spec.clause))
            ends = tuple((f"{r.id}/{check.spec.id}", end) for r in policy.rules if c.id in r.spec.clause
                         for check in r.checks for end in check_ends(check, policy.params)[:1])
            rows.append(CoverageRow(c.id, c.section, c.quote_vi, c.meaning_en, rules, c.served_by, c.via, c.reason,
                                    ends))
        unknown = tuple((r.id, cid) for r in policy.rules for cid in r.spec.clause if cid not in known)
        return Coverage(tuple(rows), unknown)

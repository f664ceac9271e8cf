"""Two versions of a plan compared: the findings that appear, disappear or change between them.

For an officer revising a draft: both versions are evaluated with the same policy (and date, when
one is given), findings are matched by rule, check and entity, and a matched finding *changes*
when its severity, waiver, values or message differ.  Nothing here evaluates; it compares reports.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .errors import Text
from .levers.text import show
from .report import REPORT_FORMAT, Finding, Report
from .serial import JsonForm

__all__ = ["DIFF_FORMAT", "FindingChange", "ReportDiff", "TEXTS", "diff_reports", "render_diff"]

DIFF_FORMAT = "ag18-diff/1"

#: every label of the text form, in both languages with the same placeholders
TEXTS = {
    "title": Text("So sánh hai phiên bản kế hoạch", "Two versions of a plan compared"),
    "from": Text("Bản trước", "Earlier"),
    "to": Text("Bản sau", "Later"),
    "verdict": Text("Kết luận: {old} → {new}", "Verdict: {old} → {new}"),
    "pass": Text("ĐẠT", "PASS"),
    "fail": Text("KHÔNG ĐẠT", "FAIL"),
    "counts": Text("lỗi {error_old} → {error_new}, cảnh báo {warning_old} → {warning_new}, thông tin {info_old} → {info_new}",
                   "errors {error_old} → {error_new}, warnings {warning_old} → {warning_new}, info {info_old} → {info_new}"),
    "appeared": Text("Vi phạm mới xuất hiện ({n})", "Findings that appear ({n})"),
    "disappeared": Text("Vi phạm không còn ({n})", "Findings that disappear ({n})"),
    "changed": Text("Vi phạm thay đổi ({n})", "Findings that change ({n})"),
    "unchanged": Text("Không đổi: {n} vi phạm", "Unchanged: {n} findings"),
    "nothing": Text("Hai phiên bản có cùng các vi phạm.", "Both versions have the same findings."),
    "error": Text("LỖI", "ERROR"),
    "warning": Text("CẢNH BÁO", "WARNING"),
    "info": Text("THÔNG TIN", "INFO"),
    "waived": Text("miễn trừ", "waived"),
    "not_waived": Text("không miễn trừ", "not waived"),
}

_COMPARED = ("severity", "waived", "values", "message")


@dataclass(frozen=True)
class FindingChange(JsonForm):
    """A finding present in both versions whose severity, waiver, values or message differ."""

    old: Finding
    new: Finding

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(name for name in _COMPARED if _facet(self.old, name) != _facet(self.new, name))

    def to_dict(self, lang: str = "vi") -> dict:
        f = self.new
        return {
            "rule": f.rule, "check": f.check,
            "entity": {"kind": f.entity.kind, "id": f.entity.id, "name": f.entity.name},
            "changed": list(self.fields),
            "from": _summary(self.old, lang),
            "to": _summary(self.new, lang),
        }


def _facet(f: Finding, name: str) -> Any:
    if name == "waived":
        return f.waived is not None
    if name == "message":
        return f.message.vi
    if name == "values":
        return dict(f.values)
    return getattr(f, name)


def _summary(f: Finding, lang: str) -> dict:
    return {"severity": f.severity, "waived": f.waived is not None, "values": dict(f.values),
            "message": f.message(lang)}


@dataclass(frozen=True)
class ReportDiff(JsonForm):
    """The findings of two evaluations, matched: appeared, disappeared, changed, and how many are unchanged."""

    old: Report
    new: Report
    appeared: tuple[Finding, ...]
    disappeared: tuple[Finding, ...]
    changed: tuple[FindingChange, ...]
    unchanged: int

    @property
    def verdict(self) -> str:
        """The later version's verdict: what the revised draft stands at."""
        return self.new.verdict

    def to_dict(self, lang: str = "vi") -> dict:
        return {
            "format": DIFF_FORMAT,
            "from": _side(self.old),
            "to": _side(self.new),
            "verdict": self.verdict,
            "appeared": [f.to_dict(lang) for f in self.appeared],
            "disappeared": [f.to_dict(lang) for f in self.disappeared],
            "changed": [c.to_dict(lang) for c in self.changed],
            "unchanged": self.unchanged,
        }



def _side(report: Report) -> dict:
    return {"format": REPORT_FORMAT, "plan": report.plan, "title": report.plan_title, "source": report.source,
            "as_of": report.as_of.isoformat(), "verdict": report.verdict, "summary": report.summary}


def _key(f: Finding) -> tuple:
    return (f.rule, f.check, f.entity.kind, f.entity.id)


def diff_reports(old: Report, new: Report) -> ReportDiff:
    """``old`` and ``new`` compared finding by finding, in the reports' stable order."""
    before = {_key(f): f for f in old.findings}
    after = {_key(f): f for f in new.findings}
    changed = tuple(FindingChange(before[k], f) for k, f in after.items()
                    if k in before and FindingChange(before[k], f).fields)
    return ReportDiff(
        old=old, new=new,
        appeared=tuple(f for k, f in after.items() if k not in before),
        disappeared=tuple(f for k, f in before.items() if k not in after),
        changed=changed,
        unchanged=sum(1 for k in after if k in before) - len(changed),
    )


def render_diff(diff: ReportDiff, lang: str = "vi") -> str:
    """The comparison as text for an officer: what the revision added, removed and changed."""
    def t(key: str, **fields: Any) -> str:
        return TEXTS[key](lang).format(**fields)

    old, new = diff.old, diff.new
    counts = {f"{s}_{side}": r.summary[s] for s in ("error", "warning", "info")
              for side, r in (("old", old), ("new", new))}
    lines = [t("title"),
             f"  {t('from')}: {_name(old)}",
             f"  {t('to')}: {_name(new)}",
             t("verdict", old=t(old.verdict), new=t(new.verdict)) + f" ({t('counts', **counts)})", ""]
    for key, sign, items in (("appeared", "+", diff.appeared), ("disappeared", "-", diff.disappeared)):
        if items:
            lines.append(t(key, n=len(items)) + ":")
            lines += [f"  {sign} {_line(f, lang, t)}" for f in items] + [""]
    if diff.changed:
        lines.append(t("changed", n=len(diff.changed)) + ":")
        for c in diff.changed:
            lines.append(f"  ~ {_line(c.new, lang, t)}")
            lines += [f"      {_delta(c, name, lang, t)}" for name in c.fields if name != "message"]
        lines.append("")
    if not (diff.appeared or diff.disappeared or diff.changed):
        lines += [t("nothing"), ""]
    lines.append(t("unchanged", n=diff.unchanged))
    return "\n".join(lines) + "\n"


def _name(report: Report) -> str:
    where = f" ({report.source})" if report.source else ""
    return f"{report.plan}{where}, {report.as_of.isoformat()}"


def _line(f: Finding, lang: str, t) -> str:
    waived = f" ({t('waived')})" if f.waived else ""
    return f"{t(f.severity)}{waived} {f.rule}/{f.check} {f.entity.name} ({f.entity.id}): {f.message(lang)}"


def _delta(c: FindingChange, name: str, lang: str, t) -> str:
    if name == "severity":
        return f"{t(c.old.severity)} → {t(c.new.severity)}"
    if name == "waived":
        return f"{t('waived' if c.old.waived else 'not_waived')} → {t('waived' if c.new.waived else 'not_waived')}"
    keys = list(dict.fromkeys([*c.old.values, *c.new.values]))
    return ", ".join(f"{k}: {show(c.old.values.get(k), lang)} → {show(c.new.values.get(k), lang)}"
                     for k in keys if c.old.values.get(k) != c.new.values.get(k))


"""Reports as text for people, in Vietnamese (default) or English.  Rendering never evaluates."""
from __future__ import annotations

from typing import Iterable, Mapping, Optional

from ..explain import show
from ..report import Finding, Report

_L = {
    "vi": {
        "plan": "Kế hoạch", "as_of": "đánh giá tại ngày", "policy": "Chính sách",
        "verdict": "Kết luận", "pass": "ĐẠT", "fail": "KHÔNG ĐẠT",
        "error": "LỖI", "warning": "CẢNH BÁO", "info": "THÔNG TIN",
        "counts": "{error} lỗi, {warning} cảnh báo, {info} thông tin; {waived} được miễn trừ; {not_applicable} không áp dụng",
        "values": "Số liệu", "basis": "Căn cứ", "since": "từ", "fix": "Cách khắc phục",
        "clause": "Điều khoản", "waived": "Đã được miễn trừ", "until": "đến",
        "unverified": "Lưu ý: tham số {names} chưa được kiểm chứng với nguyên văn văn bản pháp luật",
        "targets": "Mục tiêu", "deadline": "hạn", "gap": "còn thiếu", "not_applicable": "Không áp dụng",
        "met": "đã đạt", "on_track": "đang tiến triển", "behind": "chậm tiến độ", "missed": "không đạt",
        "none": "Không có vi phạm.", "applies": "áp dụng", "pilot": "mô hình thí điểm",
        "head": "Người đứng đầu", "entities": "đối tượng", "trace": "Điều kiện",
        "where": "Áp dụng khi", "require": "Yêu cầu", "failed": "không thỏa",
        "introduced": "do kế hoạch gây ra", "pre-existing": "đã có từ trước sắp xếp",
        "change": "Thay đổi đề xuất (đã kiểm tra lại)", "hint": "Gợi ý (chưa kiểm chứng)",
        "resolved": "Tiến bộ — vi phạm của cơ cấu trước sắp xếp được kế hoạch khắc phục",
    },
    "en": {
        "plan": "Plan", "as_of": "evaluated as of", "policy": "Policy",
        "verdict": "Verdict", "pass": "PASS", "fail": "FAIL",
        "error": "ERROR", "warning": "WARNING", "info": "INFO",
        "counts": "errors: {error}, warnings: {warning}, info: {info}; waived: {waived}; not applicable: {not_applicable}",
        "values": "Values", "basis": "Basis", "since": "since", "fix": "Fix",
        "clause": "Clause", "waived": "Waived", "until": "until",
        "unverified": "Note: parameter {names} has not been verified against the legal text",
        "targets": "Targets", "deadline": "deadline", "gap": "gap", "not_applicable": "Not applicable",
        "met": "met", "on_track": "on track", "behind": "behind", "missed": "missed",
        "none": "No violations.", "applies": "applies", "pilot": "pilot model",
        "head": "Head", "entities": "entities", "trace": "Condition",
        "where": "Applies when", "require": "Requires", "failed": "fails",
        "introduced": "introduced by the plan", "pre-existing": "already in `before`",
        "change": "Suggested change (re-checked)", "hint": "Hint (not verified)",
        "resolved": "Progress — findings of the structure before that the plan resolves",
    },
}


def render_text(report: Report, lang: str = "vi", *, quotes: Optional[Mapping[str, str]] = None,
                heads: Optional[Mapping[int, str]] = None) -> str:
    """The report as readable text; ``quotes`` maps clause ids to their Vietnamese words, and
    ``heads`` (finding position -> head and organisation) groups findings under each head."""
    L = _L["en" if lang == "en" else "vi"]
    lines = [f"{L['plan']} {report.plan}" + (f" — {report.plan_title}" if report.plan_title else ""),
             f"{L['as_of']} {report.as_of.isoformat()} · {L['policy']} {report.policy_id} {report.policy_version}",
             f"{L['verdict']}: {L[report.verdict]} ({L['counts'].format(**report.summary)})", ""]
    if not report.findings:
        lines += [L["none"], ""]
    if heads is not None:
        lines += _grouped(report.findings, heads, L, lang, quotes)
    else:
        for f in report.findings:
            lines += _finding(f, L, lang, quotes) + [""]
    if report.targets:
        lines.append(L["targets"] + ":")
        for t in report.targets:
            gap = f", {L['gap']} {t.gap:g}{t.unit}" if t.gap else ""
            lines.append(f"  {t.rule}: {t.value:g}{t.unit} / {t.target:g}{t.unit} — {L[t.status]}"
                         f" ({L['deadline']} {t.deadline.isoformat()}{gap})")
        lines.append("")
    if report.resolved:
        lines.append(L["resolved"] + ":")
        for r in report.resolved:
            lines.append(f"  {r.rule}/{r.check} {r.entity.name} ({r.entity.id}): {r.message(lang)}")
        lines.append("")
    if report.not_applicable:
        lines.append(L["not_applicable"] + ":")
        lines += _not_applicable(report, L, lang)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _not_applicable(report: Report, L, lang: str) -> list[str]:
    """One line per rule, check and reason; entities sharing a reason are counted, not listed."""
    groups: dict[tuple, list] = {}
    for n in report.not_applicable:
        key = (n.rule, n.check or "", n.reason(lang))
        groups.setdefault(key, []).append(n.entity)
    lines = []
    for (rule, check, reason), entities in groups.items():
        label = rule + (f"/{check}" if check else "")
        named = [e for e in entities if e is not None]
        if not named:
            lines.append(f"  {label}: {reason}")
        elif len(named) == 1:
            lines.append(f"  {label} {named[0].name} ({named[0].id}): {reason}")
        else:
            shown = ", ".join(e.id for e in named[:3]) + (", …" if len(named) > 3 else "")
            lines.append(f"  {label} — {len(named)} {L['entities']} ({shown}): {reason}")
    return lines


def _grouped(findings: Iterable[Finding], heads: Mapping[int, str], L, lang, quotes) -> list[str]:
    groups: dict[str, list[Finding]] = {}
    for i, f in enumerate(findings):
        groups.setdefault(heads.get(i, ""), []).append(f)
    lines = []
    for head in sorted(groups):
        lines.append(f"== {L['head']}: {head}")
        for f in groups[head]:
            lines += ["  " + x for x in _finding(f, L, lang, quotes)] + [""]
    return lines


def _finding(f: Finding, L, lang: str, quotes) -> list[str]:
    tag = L[f.severity] + (f" ({L['waived']})" if f.waived else "")
    origin = f" — {L[f.extra['origin']]}" if f.extra.get("origin") else ""
    out = [f"{tag} {f.rule} [{', '.join(f.clause)}] {f.entity.name} ({f.entity.id}){origin}",
           f"  {f.message(lang)}"]
    if f.values:
        out.append(f"  {L['values']}: " + ", ".join(f"{k} = {_v(v)}" for k, v in f.values.items()))
    for p in f.parameters:
        applies = f"; {L['applies']}: {p.bracket}" if p.bracket else ""
        out.append(f"  {L['basis']}: {p.name} = {_v(p.value)} ({L['since']} {p.since.isoformat()}; {p.reference}{applies})")
    if f.unverified:
        out.append("  " + L["unverified"].format(names=", ".join(f.unverified)))
    if f.waived:
        w = f.waived
        until = f", {L['until']} {w.expires.isoformat()}" if w.expires else ""
        out.append(f"  {L['waived']}: {w.reason} ({w.reference or L['pilot']}{until})")
    if f.fix:
        out.append(f"  {L['fix']}: {f.fix(lang)}")
    for fix in f.extra.get("fixes", ()):
        out.append(f"  {L['change' if fix.verified else 'hint']}: {fix.text(lang)}")
    if quotes:
        for cid in f.clause:
            if cid in quotes:
                out.append(f"  {L['clause']} {cid}: “{quotes[cid]}”")
    if "trace" in f.extra:
        out.append(f"  {L['trace']}:")
        where = f.extra["trace"]["where"]
        if where["expr"] != "true":
            out.append(f"    {L['where']}:")
            out += ["      " + line for line in _trace(where, L)]
        out.append(f"    {L['require']}:")
        out += ["      " + line for line in _trace(f.extra["trace"]["require"], L)]
    return out


def _trace(node: Mapping, L, depth: int = 0) -> list[str]:
    """A traced condition, one sub-expression per line with its value; ✗ marks what made it false."""
    note = f"   ✗ {L['failed']}" if node.get("failed") else ""
    lines = [f"{'  ' * depth}{node['expr']}  →  {_tv(node['value'])}{note}"]
    for child in node.get("children", ()):
        if child.get("children") or child["expr"] != _tv(child["value"]):
            lines += _trace(child, L, depth + 1)
    return lines


def _tv(value) -> str:
    """A value in a trace: strings quoted as the condition writes them, so they read apart from names."""
    return "'" + value + "'" if isinstance(value, str) else _v(value)


def _v(value) -> str:
    return show(value, none="null")

"""Reports as GitHub Actions workflow commands: one annotation per finding, on the plan's line."""
from __future__ import annotations

from typing import Any, Iterable, Optional, Sequence

__all__ = ["render_github"]

_COMMAND = {"error": "error", "warning": "warning", "info": "notice"}


def _data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _prop(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(reports: Iterable[Any], plans: Optional[Sequence[Any]] = None, *, lang: str = "vi") -> str:
    """``::error file=…,line=…,col=…,title=…::message`` lines; waived findings are notices."""
    reports = list(reports)
    plans = list(plans) if plans is not None else [None] * len(reports)
    lines = []
    for report, plan in zip(reports, plans):
        for f in report.findings:
            span = _span(plan, f)
            props = [f"file={_prop(report.source or report.plan)}"]
            if span is not None and span.line and not span.sheet:
                props += [f"line={span.line}", f"col={max(span.col, 1)}"]
            where = f" ({span.sheet}!{span.cell})" if span is not None and span.sheet else ""
            props.append(f"title={_prop(f'{f.rule}/{f.check}: {f.entity.name}')}")
            command = "notice" if f.waived else _COMMAND[f.severity]
            lines.append(f"::{command} {','.join(props)}::{_data(f.message(lang) + where)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _span(plan, f):
    """Where the finding's entity is written (the plan's header for plan-wide findings)."""
    if plan is None:
        return None
    return plan.spans.get(f.entity.id) or (plan.spans.get("plan") if f.entity.kind == "plan" else None)

"""Reports as one self-contained HTML file: styles, script and charts inline, nothing fetched.

Jinja2 templates (autoescaped) beside this module render the verdict and summary first, the
organisation trees before and after side by side, charts in inline SVG, each finding with its
values, parameters, legal references, clause and verified fix, then what was not applicable and
the plan's waivers.  :func:`render_html_fragment` gives the body alone, for a page that embeds it;
each finding's element carries ``data-rule``, ``data-entity`` and ``data-changes`` (its verified
fix as JSON).  Rendering never evaluates.
"""
from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Mapping, Optional

from ..explain import show
from ..report import Finding, Report
from .labels import LABELS, type_label
from .trees import chart_rows, entity_trees, plan_waivers

__all__ = ["render_diff_html", "render_html", "render_html_fragment", "render_scorecard_html"]


@lru_cache(maxsize=1)
def _env():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("ag18_rules.formats", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["v"] = lambda value: show(value, none="—")
    env.filters["safe_url"] = _safe_url
    return env


def _safe_url(url: Any) -> Optional[str]:
    """A link target only when it is a web address (never ``javascript:`` or a local file)."""
    text = str(url or "").strip()
    return text if text.lower().startswith(("https://", "http://")) else None


def _static(name: str) -> str:
    from importlib.resources import files

    return (files("ag18_rules.formats") / "templates" / name).read_text(encoding="utf-8")


def _finding(f: Finding, lang: str, quotes: Mapping[str, str], position: int) -> dict:
    fixes = list(f.extra.get("fixes", ()))
    verified = next((x for x in fixes if x.verified), None)
    changes = verified.to_dict(lang).get("changes", []) if verified else []
    return {
        "f": f, "n": position, "message": f.message(lang),
        "fix_text": f.fix(lang) if f.fix else None,
        "fixes": [{"verified": x.verified, "text": x.text(lang)} for x in fixes],
        "changes": json.dumps(changes, ensure_ascii=False, sort_keys=True),
        "quotes": [(cid, quotes[cid]) for cid in f.clause if cid in quotes],
        "origin": f.extra.get("origin"),
        "parameters": [{"p": p, "note": p.note(lang) if p.note else None,
                        "links": [u for u in (_safe_url(s) for s in p.source) if u],
                        "texts": [s for s in p.source if not _safe_url(s)]} for p in f.parameters],
    }


def _context(report: Report, plan: Any, lang: str, quotes: Optional[Mapping[str, str]]) -> dict:
    L = LABELS["en" if lang == "en" else "vi"]
    findings = [_finding(f, lang, quotes or {}, i) for i, f in enumerate(report.findings)]
    by_entity: dict[str, list[dict]] = {}
    for item in findings:
        by_entity.setdefault(item["f"].entity.id, []).append(item)
    return {
        "L": L, "lang": "en" if lang == "en" else "vi", "report": report, "findings": findings,
        "summary": report.summary, "trees": entity_trees(plan, by_entity, lang) if plan is not None else [],
        "chart": chart_rows(plan, by_entity) if plan is not None else None,
        "targets": report.targets,
        "not_applicable": _not_applicable(report, lang),
        "waivers": plan_waivers(plan, report.as_of) if plan is not None else [],
        "resolved": [(r, r.message(lang)) for r in report.resolved],
        "type_label": lambda t: type_label(t, lang),
    }


def _not_applicable(report: Report, lang: str) -> list[dict]:
    groups: dict[tuple, list] = {}
    for n in report.not_applicable:
        groups.setdefault((n.rule, n.check or "", n.reason(lang)), []).append(n.entity)
    return [{"rule": rule, "check": check, "reason": reason, "entities": [e for e in entities if e is not None]}
            for (rule, check, reason), entities in groups.items()]


def render_html_fragment(report: Report, plan: Any = None, lang: str = "vi", *,
                         quotes: Optional[Mapping[str, str]] = None) -> str:
    """The report's body as an HTML fragment (no ``<html>``), for a page that embeds it.

    ``plan`` (the evaluated :class:`~ag18_rules.model.Plan`) adds the organisation trees, the
    charts and the waivers; ``quotes`` maps clause ids to their words.
    """
    return _env().get_template("report_body.html").render(**_context(report, plan, lang, quotes))


def render_html(report: Report, plan: Any = None, lang: str = "vi", *,
                quotes: Optional[Mapping[str, str]] = None) -> str:
    """The report as one self-contained HTML document (inline CSS, script and SVG; no network)."""
    ctx = _context(report, plan, lang, quotes)
    body = _env().get_template("report_body.html").render(**ctx)
    title = f"{ctx['L']['report']} — {report.plan_title or report.plan}"
    return _page(title, body, ctx["lang"])


def _page(title: str, body: str, lang: str) -> str:
    from markupsafe import Markup

    return _env().get_template("page.html").render(
        title=title, body=Markup(body), lang=lang, css=Markup(_static("report.css")), js=Markup(_static("report.js")))


def render_diff_html(diff: Any, lang: str = "vi", *, quotes: Optional[Mapping[str, str]] = None) -> str:
    """``ag18 diff`` as an HTML document in the report's style."""
    L = LABELS["en" if lang == "en" else "vi"]
    sections = [(key, [_finding(f, lang, quotes or {}, i) for i, f in enumerate(found)])
                for key, found in (("appeared", diff.appeared), ("disappeared", diff.disappeared))]
    changed = [{"old": _finding(c.old, lang, {}, 0), "new": _finding(c.new, lang, {}, 0), "fields": c.fields}
               for c in diff.changed]
    body = _env().get_template("diff_body.html").render(L=L, diff=diff, sections=sections, changed=changed,
                                                         old=diff.old, new=diff.new)
    return _page(f"{L['diff']} — {diff.new.plan_title or diff.new.plan}", body, "en" if lang == "en" else "vi")


def render_scorecard_html(card: Any, lang: str = "vi") -> str:
    """``ag18 scorecard`` as an HTML document in the report's style."""
    L = LABELS["en" if lang == "en" else "vi"]
    data = card.to_dict(lang)
    body = _env().get_template("scorecard_body.html").render(L=L, card=data)
    return _page(f"{L['scorecard']} — {card.plan}", body, "en" if lang == "en" else "vi")

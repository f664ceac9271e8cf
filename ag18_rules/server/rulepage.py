"""A rule's page in the workbench: text, clause and quote, checks, parameters by date with sources."""
from __future__ import annotations

import html
from urllib.parse import urlparse

from ..describe import show_value

_WORDS = {
    "severity": ("Mức độ", "Severity"), "clause": ("Điều khoản", "Clause"), "quote": ("Trích", "Quote"),
    "needs": ("Cần có trong đề án", "Needs in the plan"), "deadline": ("Hạn", "Deadline"),
    "check": ("Kiểm tra", "Check"), "applies": ("áp dụng cho", "applies to"), "where": ("khi", "where"),
    "require": ("yêu cầu", "require"), "parameters": ("Tham số theo ngày", "Parameters by date"),
    "since": ("Từ ngày", "From"), "value": ("Giá trị", "Value"), "reference": ("Căn cứ", "Reference"),
    "sources": ("Nguồn", "Sources"), "unverified": ("chưa kiểm chứng", "unverified"),
}


def _w(key: str, lang: str) -> str:
    return html.escape(_WORDS[key][1 if lang == "en" else 0])


def _e(value) -> str:
    return html.escape("" if value is None else str(value))


def _link(url: str) -> str:
    """A source as a link only when it is a web address; anything else is shown as text."""
    if urlparse(url).scheme in ("http", "https"):
        return f'<a href="{_e(url)}" rel="noreferrer noopener">{_e(url)}</a>'
    return _e(url)


def render_rule(rule: dict, lang: str) -> str:
    parts = [f'<main class="rule"><h2>{_e(rule["id"])}: {_e(rule["title"])}</h2>',
             f'<p>{_w("severity", lang)}: <span class="sev {_e(rule["severity"])}">{_e(rule["severity"])}</span></p>']
    if rule.get("description"):
        parts.append(f'<p class="description">{_e(rule["description"])}</p>')
    for clause in rule["clauses"]:
        meaning = f'<br><small>{_e(clause["meaning_en"])}</small>' if lang == "en" else ""
        parts.append(f'<blockquote><strong>{_w("clause", lang)} {_e(clause["id"])}</strong>: '
                     f'“{_e(clause["quote"])}”{meaning}</blockquote>')
    if rule.get("quote"):
        parts.append(f'<blockquote>{_w("quote", lang)}: “{_e(rule["quote"])}”</blockquote>')
    if rule.get("needs"):
        parts.append(f'<p>{_w("needs", lang)}: {_e(", ".join(rule["needs"]))}</p>')
    if rule.get("deadline"):
        parts.append(f'<p>{_w("deadline", lang)}: {_e(rule["deadline"])}</p>')
    for check in rule["checks"]:
        parts.append(_check(check, lang))
    parts.append("</main>")
    return "".join(parts)


def _check(check: dict, lang: str) -> str:
    out = [f'<section class="check"><h3>{_w("check", lang)} {_e(check["id"])} '
           f'<small>({_w("applies", lang)} {_e(check["applies_to"])})</small></h3>']
    if check.get("where"):
        out.append(f'<p>{_w("where", lang)}: <code>{_e(check["where"])}</code></p>')
    out.append(f'<p>{_w("require", lang)}: <code>{_e(check["require"])}</code></p>')
    for param in check["parameters"]:
        out.append(_parameter(param, lang))
    out.append("</section>")
    return "".join(out)


def _parameter(param: dict, lang: str) -> str:
    rows = []
    for v in param["values"]:
        flag = "" if v.get("verified") else f' <em>[{_w("unverified", lang)}]</em>'
        sources = "<br>".join(_link(s) for s in v.get("source", ()))
        value = "—" if v["value"] is None else show_value(v["value"])
        rows.append(f'<tr><td>{_e(v["since"])}</td><td>{_e(value)}</td>'
                    f'<td>{_e(v["reference"])}{flag}</td><td>{sources}</td></tr>')
    by = f' ({_e(", ".join(param["by"]))})' if param["by"] else ""
    return (f'<h4>{_e(param["alias"])} = {_e(param["id"])}{by}</h4><p>{_e(param["description"])}</p>'
            f'<table class="params"><thead><tr><th>{_w("since", lang)}</th><th>{_w("value", lang)}</th>'
            f'<th>{_w("reference", lang)}</th><th>{_w("sources", lang)}</th></tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>')

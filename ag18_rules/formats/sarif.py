"""Reports as SARIF 2.1.0, the static-analysis format code-scanning services read.

One rule per check of the policy (its title, description, clause and quoted words as help), one
result per finding with its level, message and the plan file's line and column of the entity,
and, where a verified fix changes one scalar field of a YAML or JSON plan, that change as a SARIF
fix replacing the value in place.  A waived finding is a result with an accepted suppression.
"""
from __future__ import annotations

import json
import re
from typing import Any, Iterable, Mapping, Optional, Sequence
from urllib.parse import quote

from ..report import Finding, Report

__all__ = ["render_sarif", "SARIF_SCHEMA"]

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {"error": "error", "warning": "warning", "info": "note"}
_FIELD = re.compile(r"(before|after)\.(organizations|admin_units|tasks|people)\[([^\]]+)\]\.([a-z_]+(?:\.[a-z_]+)?)\Z")
_SCALAR = re.compile(r"[^\s,#}\]]+")


def _uri(path: Optional[str]) -> str:
    return quote((path or "plan").replace("\\", "/"), safe="/:._-~")


def _rules(policy: Any, reports: Sequence[Report], lang: str) -> list[dict]:
    rules: dict[str, dict] = {}
    clauses = {c.id: c.quote_vi for c in policy.params.programme.clauses} if policy is not None else {}
    for rule in (policy.rules if policy is not None else ()):
        spec = rule.spec
        for check in spec.checks:
            rid = f"{rule.id}/{check.id}"
            quoted = [f"{cid}: “{clauses[cid]}”" for cid in spec.clause if cid in clauses]
            help_text = "\n".join([spec.title(lang)] + quoted + ([check.fix(lang)] if check.fix else []))
            rules[rid] = {
                "id": rid, "name": rid,
                "shortDescription": {"text": spec.title(lang)},
                "fullDescription": {"text": spec.description(lang) if spec.description else spec.title(lang)},
                "help": {"text": help_text},
                "defaultConfiguration": {"level": _LEVEL.get(check.severity or spec.severity, "warning")},
                "properties": {"clause": list(spec.clause), "tags": list(spec.clause)},
            }
    for report in reports:  # findings of rules a policy object was not given for
        for f in report.findings:
            rules.setdefault(f"{f.rule}/{f.check}", {
                "id": f"{f.rule}/{f.check}", "name": f"{f.rule}/{f.check}",
                "shortDescription": {"text": f"{f.rule}/{f.check}"},
                "defaultConfiguration": {"level": _LEVEL[f.severity]},
                "properties": {"clause": list(f.clause), "tags": list(f.clause)}})
    return sorted(rules.values(), key=lambda r: r["id"])


def _location(f: Finding, plan: Any, uri: str) -> dict:
    span = _span(plan, f)
    physical: dict = {"artifactLocation": {"uri": uri}}
    if span is not None and span.line and not span.sheet:
        physical["region"] = {"startLine": span.line, "startColumn": max(span.col, 1)}
    out = {"physicalLocation": physical,
           "logicalLocations": [{"name": f.entity.name, "fullyQualifiedName": f.entity.id, "kind": "object"}]}
    if span is not None and span.sheet:
        out["properties"] = {"sheet": span.sheet, "cell": span.cell}
    return out


def _fixes(f: Finding, doc: Any, plan: Any, uri: str, lang: str) -> list[dict]:
    out = []
    for fix in f.extra.get("fixes", ()):
        if not fix.verified or doc is None:
            continue
        replacements = [r for r in (_replacement(c, doc, plan) for c in fix.changes) if r]
        if replacements and len(replacements) == len(fix.changes):
            out.append({"description": {"text": fix.text(lang)},
                        "artifactChanges": [{"artifactLocation": {"uri": uri}, "replacements": replacements}]})
    return out


def _replacement(change: Any, doc: Any, plan: Any) -> Optional[dict]:
    """The change as a replacement of a scalar value on one line of a YAML or JSON plan, or None."""
    m = _FIELD.match(change.field)
    if not m or not isinstance(change.new, (int, float, str)) or isinstance(change.new, bool):
        return None
    snap, name, entity, field = m.groups()
    items = (doc.data.get(snap) or {}).get(name) or [] if isinstance(doc.data, dict) else []
    index = next((i for i, item in enumerate(items) if isinstance(item, dict) and item.get("id") == entity), None)
    if index is None:
        return None
    path = (snap, name, index, *field.split("."))
    node = doc.data
    for step in path:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            return None
    span = doc.span(path)
    line = doc.line_text(span)
    token = _SCALAR.match(line, span.col - 1) if line and span.col else None
    if token is None or token.group() != json.dumps(node, ensure_ascii=False).strip('"'):
        return None
    new = json.dumps(change.new, ensure_ascii=False)
    return {"deletedRegion": {"startLine": span.line, "startColumn": span.col, "endLine": span.line,
                              "endColumn": span.col + len(token.group())},
            "insertedContent": {"text": new if not isinstance(change.new, str) else change.new}}


def _source_doc(plan: Any):
    """The plan's file as a document with positions, when it is YAML or JSON (for fixes)."""
    source = getattr(plan, "source", None)
    if not source or not str(source).lower().endswith((".yaml", ".yml", ".json")):
        return None
    try:
        from ..plan import MAX_PLAN_BYTES
        from ..source import load_file

        return load_file(source, max_bytes=MAX_PLAN_BYTES)
    except Exception:  # the file changed or vanished since it was evaluated: no fixes, still a result
        return None


def _result(f: Finding, index: Mapping[str, int], plan: Any, doc: Any, uri: str, lang: str) -> dict:
    rid = f"{f.rule}/{f.check}"
    result: dict = {
        "ruleId": rid, "ruleIndex": index[rid], "level": _LEVEL[f.severity],
        "message": {"text": f.message(lang)},
        "locations": [_location(f, plan, uri)],
        "partialFingerprints": {"ag18/v1": f"{rid}:{f.entity.kind}:{f.entity.id}"},
        "properties": {"entity": {"kind": f.entity.kind, "id": f.entity.id, "name": f.entity.name},
                       "values": json.loads(json.dumps(dict(f.values), default=str)),
                       "clause": list(f.clause)},
    }
    if f.extra.get("origin"):
        result["properties"]["origin"] = f.extra["origin"]
    if f.waived:
        result["suppressions"] = [{"kind": "external", "status": "accepted",
                                   "justification": f"{f.waived.reason} ({f.waived.reference or f.waived.by})"}]
    fixes = _fixes(f, doc, plan, uri, lang)
    if fixes:
        result["fixes"] = fixes
    return result


def render_sarif(reports: Iterable[Report], plans: Optional[Sequence[Any]] = None, *, policy: Any = None,
                 lang: str = "vi") -> str:
    """SARIF 2.1.0 for the reports (with their evaluated plans, for locations and fixes)."""
    from .. import __version__

    reports = list(reports)
    plans = list(plans) if plans is not None else [None] * len(reports)
    rules = _rules(policy, reports, lang)
    index = {r["id"]: i for i, r in enumerate(rules)}
    results, artifacts = [], []
    for report, plan in zip(reports, plans):
        uri = _uri(report.source or (plan.source if plan is not None else None) or report.plan)
        artifacts.append({"location": {"uri": uri}})
        doc = _source_doc(plan) if any(f.extra.get("fixes") for f in report.findings) else None
        results += [_result(f, index, plan, doc, uri, lang) for f in report.findings]
    run = {"tool": {"driver": {"name": "ag18", "version": __version__, "semanticVersion": __version__,
                               "informationUri": "https://pypi.org/project/ag18-rules/", "rules": rules}},
           "artifacts": artifacts, "columnKind": "unicodeCodePoints", "results": results,
           "language": "vi" if lang != "en" else "en"}
    return json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}, ensure_ascii=False, indent=2) + "\n"


def _span(plan, f):
    """Where the finding's entity is written (the plan's header for plan-wide findings)."""
    if plan is None:
        return None
    return plan.spans.get(f.entity.id) or (plan.spans.get("plan") if f.entity.kind == "plan" else None)

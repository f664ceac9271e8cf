"""The policy described as JSON for ``GET /v1/rules`` and the workbench's rule pages: each rule's
text, clause and quote, and its parameters by date with their legal references."""
from __future__ import annotations

from typing import Optional


def rule_summary(rule, lang: str) -> dict:
    spec = rule.spec
    return {"id": spec.id, "title": spec.title(lang), "severity": spec.severity, "clause": list(spec.clause)}


def rules(policy, lang: str) -> dict:
    return {"policy": {"id": policy.id, "version": policy.version},
            "rules": [rule_summary(r, lang) for r in policy.rules]}


def rule_detail(policy, rule_id: str, lang: str) -> Optional[dict]:
    """Everything an officer needs to read one rule, or None when the policy has no such rule."""
    if rule_id not in policy.rule_ids:
        return None
    rule = policy.rule(rule_id)
    spec = rule.spec
    clauses = {c.id: c for c in policy.params.programme.clauses}
    out = rule_summary(rule, lang)
    out.update({
        "description": spec.description(lang) if spec.description else None,
        "quote": spec.quote,
        "clauses": [{"id": cid, "quote": clauses[cid].quote_vi, "meaning_en": clauses[cid].meaning_en}
                    for cid in spec.clause if cid in clauses],
        "needs": list(spec.needs),
        "deadline": spec.deadline.isoformat() if spec.deadline else None,
        "checks": [_check(policy, check, lang) for check in rule.checks],
    })
    return out


def _check(policy, check, lang: str) -> dict:
    c = check.spec
    return {"id": c.id, "applies_to": c.applies_to,
            "where": c.where.text if c.where else None, "require": c.require.text,
            "message": c.message(lang),
            "parameters": [_parameter(policy.params.get(pid), alias, lang)
                           for alias, pid in sorted(check.parameters.items())]}


def _parameter(param, alias: str, lang: str) -> dict:
    return {"alias": alias, "id": param.id, "description": param.description(lang), "unit": param.unit,
            "by": list(param.facts_needed()),
            "values": [dict(entry.to_dict(lang), article=entry.reference.article,
                            document=entry.reference.document)
                       for _, entry in param.values]}

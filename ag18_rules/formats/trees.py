"""What the HTML report draws from the plan: organisation trees, chart rows, the waivers."""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

_SEVERITY_RANK = {"error": 0, "warning": 1, "info": 2}
MAX_CHART_ROWS = 40


def _staff(org) -> int:
    return org.staff.civil_servants + org.staff.public_employees


def _marks(findings: list[dict]) -> dict:
    live = [x for x in findings if not x["f"].waived]
    worst = min((x["f"].severity for x in live), key=_SEVERITY_RANK.get, default=None)
    return {"findings": findings, "worst": worst or ("waived" if findings else None)}


def _ordered(items, parent_of) -> list[tuple[Any, int]]:
    """Items in tree order (each after its parent) with their depth; no recursion, so depth is free."""
    ids = {x.id for x in items}
    children: dict = {}
    for x in items:
        p = parent_of(x)
        children.setdefault(p if p in ids else None, []).append(x)
    out, stack, seen = [], [(x, 0) for x in reversed(children.get(None, []))], set()
    while stack:
        node, depth = stack.pop()
        if node.id in seen:
            continue
        seen.add(node.id)
        out.append((node, depth))
        stack += [(c, depth + 1) for c in reversed(children.get(node.id, []))]
    out += [(x, 0) for x in items if x.id not in seen]  # unreachable only if the plan had a cycle
    return out


def _heads(snap) -> dict[str, str]:
    """Organisation id → the name (or id) of its head, where the plan's people say."""
    out: dict[str, str] = {}
    for person in snap.people:
        for post in person.posts:
            if post.role == "head":
                out.setdefault(post.org, person.name or person.id)
    return out


def _org_nodes(snap, side: str, other, by_entity: Mapping[str, list]) -> list[dict]:
    other_ids = {o.id for o in other.organizations} if other is not None else None
    other_names = {o.id: o.name for o in other.organizations} if other is not None else {}
    merged_into = {}
    if side == "before" and other is not None:
        for o in other.organizations:
            for src in o.formed_from:
                merged_into.setdefault(src, o.name)
    nodes, heads = [], _heads(snap)
    for org, depth in _ordered(snap.organizations, lambda o: o.parent):
        status, note = "continuing", ""
        if side == "after" and org.formed_from:
            status, note = "merged", ", ".join(other_names.get(src, src) for src in org.formed_from)
        elif side == "after" and other_ids is not None and org.id not in other_ids:
            status = "new"
        elif side == "before" and org.id in merged_into:
            status, note = "merged_away", merged_into[org.id]
        elif side == "before" and other_ids is not None and org.id not in other_ids:
            status = "dissolved"
        nodes.append({"id": org.id, "name": org.name, "type": org.type, "depth": min(depth, 12),
                      "staff": _staff(org), "deputies": org.deputies, "heads": org.heads, "status": status,
                      "head_name": heads.get(org.id),
                      "note": note, **_marks(by_entity.get(org.id, []) if side == "after" or status != "continuing"
                                            else [])})
    return nodes


def _unit_nodes(snap, by_entity: Mapping[str, list], side: str) -> list[dict]:
    nodes = []
    for unit, depth in _ordered(snap.admin_units, lambda u: u.parent):
        nodes.append({"id": unit.id, "name": unit.name, "type": unit.kind or unit.level, "depth": min(depth, 12),
                      "population": unit.population, "status": "merged" if unit.formed_from else "continuing",
                      "note": ", ".join(unit.formed_from),
                      **_marks(by_entity.get(unit.id, []) if side == "after" else [])})
    return nodes


def entity_trees(plan, by_entity: Mapping[str, list], lang: str) -> list[dict]:
    """Pairs of trees (before, after) for organisations and for administrative units, when present."""
    pairs = []
    before, after = plan.before, plan.after
    if after.organizations or (before and before.organizations):
        pairs.append({"kind": "organizations", "sides": [
            {"side": "before", "nodes": _org_nodes(before, "before", after, by_entity) if before else None},
            {"side": "after", "nodes": _org_nodes(after, "after", before, by_entity)}]})
    if after.admin_units or (before and before.admin_units):
        pairs.append({"kind": "units", "sides": [
            {"side": "units_before", "nodes": _unit_nodes(before, by_entity, "before") if before else None},
            {"side": "units_after", "nodes": _unit_nodes(after, by_entity, "after")}]})
    return pairs


def chart_rows(plan, by_entity: Mapping[str, list]) -> dict | None:
    """Bars of staff and deputies before and after, per organisation: those with findings first,
    then the largest, at most :data:`MAX_CHART_ROWS` so a province-wide plan keeps a readable page."""
    before = {o.id: o for o in plan.before.organizations} if plan.before else {}
    after = {o.id: o for o in plan.after.organizations}
    ids = list(dict.fromkeys(list(after) + list(before)))
    if not ids:
        return None

    def size(i):
        o = after.get(i) or before.get(i)
        return (0 if i in by_entity else 1, -_staff(o), i)

    shown = sorted(ids, key=size)[:MAX_CHART_ROWS]
    rows = []
    for i in shown:
        b, a = before.get(i), after.get(i)
        rows.append({"id": i, "name": (a or b).name, "flag": i in by_entity,
                     "staff": (_staff(b) if b else None, _staff(a) if a else None),
                     "deputies": (b.deputies if b else None, a.deputies if a else None)})
    top = max([v or 0 for r in rows for v in r["staff"] + r["deputies"]] + [1])
    return {"rows": rows, "max": top, "total": len(ids), "shown": len(shown)}


def plan_waivers(plan, as_of: dt.date) -> list[dict]:
    return [{"w": w, "in_force": w.in_force(as_of)} for w in plan.waivers]

"""Any valid plan, in file form: every field, every shape, compliant or not.

``after`` grows out of ``before`` (continuing ids, values near the old ones, ``formed_from``
naming old entities), so the comparisons rules make meet equal and nearly equal values, and
the numbers gravitate to the policy's thresholds.  Every reference resolves, parents come
before their children (no cycles), and a transfer always lands in ``after``.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Optional

from ..facts.catalogue import ORG_TYPES, RATINGS, TERRAINS
from ._base import (
    CHILD_TYPES, ORG_PREFIXES, ORG_WORDS, OUTCOMES, PILOT_MODEL, RETIRED, SETTLING, UNIT_KINDS, UNIT_SCALE, UNIT_WORDS,
    Choices, Ids, Knowledge, counted, head, name, put, waivers,
)

_LEVELS = ("province", "district", "commune", None)


@dataclass(frozen=True)
class Sizes:
    """(least, most) entries per list of a snapshot, and of transitions and waivers."""

    organizations: tuple[int, int]
    tasks: tuple[int, int]
    admin_units: tuple[int, int]
    people: tuple[int, int]
    transitions: tuple[int, int]
    waivers: tuple[int, int]


def any_plan(c: Choices, know: Knowledge, sizes: Sizes, effective: dt.date, want_before: Optional[bool],
             want_baseline: Optional[bool]) -> dict:
    ids = Ids(c)
    has_before = c.boolean() if want_before is None else want_before
    before = _snapshot(c, know, ids, sizes, None) if has_before else None
    after = _snapshot(c, know, ids, sizes, before)
    data = {"format": "ag18-plan/1", "plan": head(c, ids, effective)}
    if c.boolean() if want_baseline is None else want_baseline:
        staff = sum(counted(o, know.counted(effective)) for o in after.get("organizations", ()))
        data["baseline"] = {"year": 2015, "staff": know.count(c, max(10, staff * 2), base=staff * 10 // 9)}
    if before is not None:
        data["before"] = before
    data["after"] = after
    moves = _transitions(c, know, sizes.transitions, before, after)
    if moves:
        data["transitions"] = moves
    waived = waivers(c, know, sizes.waivers[1], data, effective)
    if waived:
        data["waivers"] = waived
    return data


def _snapshot(c: Choices, know: Knowledge, ids: Ids, sizes: Sizes, before: Optional[dict]) -> dict:
    orgs = _orgs(c, know, ids, sizes.organizations, before)
    people = _people(c, ids, sizes.people, [o["id"] for o in orgs])
    out = {"organizations": orgs, "tasks": _tasks(c, ids, sizes.tasks, orgs, people, before),
           "admin_units": _units(c, know, ids, sizes.admin_units, before), "people": people}
    return {k: v for k, v in out.items() if v or c.boolean()}  # an empty list, or none at all


def _continuing(c: Choices, before: Optional[dict], key: str, size: tuple[int, int]) -> tuple[list, int]:
    """The entries of ``before`` that continue into ``after`` (same id), and the list's length."""
    kept = [item for item in (before or {}).get(key, ()) if c.boolean()][:size[1]]
    return kept, c.integer(max(size[0], len(kept)), max(size[1], len(kept)))


def _orgs(c: Choices, know: Knowledge, ids: Ids, size: tuple[int, int], before: Optional[dict]) -> list[dict]:
    kept, total = _continuing(c, before, "organizations", size)
    sources = [o["id"] for o in (before or {}).get("organizations", ())]
    orgs: list[dict] = []
    for base in c.shuffled(kept + [None] * (total - len(kept))):
        oid = base["id"] if base else ids(ORG_PREFIXES)
        orgs.append(_org(c, know, oid, base or {}, orgs, sources))
    return orgs


def _org(c: Choices, know: Knowledge, oid: str, base: dict, earlier: list[dict], sources: list[str]) -> dict:
    parent = c.choice(earlier) if earlier and c.boolean() else None
    usual = CHILD_TYPES.get(parent["type"] if parent else None, ORG_TYPES)
    kind = base["type"] if base and c.boolean() else c.choice(usual if c.boolean() else ORG_TYPES)
    old = base.get("staff", {})
    staff = {k: know.count(c, 60, old.get(k)) for k in ("civil_servants", "public_employees", "contract")}
    org = {"id": oid, "name": name(c, ORG_WORDS[kind]), "type": kind}
    level = parent.get("level") if parent and c.boolean() else c.choice(_LEVELS)
    put(org, level=level, parent=parent["id"] if parent else None,
        intermediate=c.boolean() or None, effective=False if c.one_in(3) else None,
        heads=know.count(c, 3) or None, deputies=know.count(c, 16, base.get("deputies")) or None,
        staff={k: n for k, n in staff.items() if n} or None,
        job_positions=c.maybe(know.count(c, 80, sum(staff.values()))))
    if sources and c.one_in(4):
        org["formed_from"] = c.subset(sources, 1, 3)
    if c.one_in(6):
        org["pilot"] = put({"model": PILOT_MODEL}, approval=c.maybe("Quyết định 1234-QĐ/TU"),
                           exempt_from=c.subset(list(know.rule_ids) + ["quy-tac-khong-co"], 0, 2) or None)
    return org


def _ids_or_list(c: Choices, pool: list[str]) -> Any:
    """A ``lead``-style value: absent, one id, or a list of ids (empty and several included)."""
    shape = c.integer(0, 2)
    if shape == 1 and pool:
        return c.choice(pool)
    if shape == 2:
        return c.subset(pool, 0, 3)
    return None


def _tasks(c: Choices, ids: Ids, size: tuple[int, int], orgs: list[dict], people: list[dict],
           before: Optional[dict]) -> list[dict]:
    kept, total = _continuing(c, before, "tasks", size)
    org_ids, person_ids = [o["id"] for o in orgs], [p["id"] for p in people]
    out = []
    for base in kept + [None] * (total - len(kept)):
        task = {"id": base["id"] if base else ids(("t", "nv-", "task/")), "name": name(c, "Quản lý")}
        put(task, field=c.maybe("to-chuc-bo-may"), lead=_ids_or_list(c, org_ids),
            lead_person=_ids_or_list(c, person_ids), support=c.subset(org_ids, 0, 2) or None)
        if before is not None and c.one_in(5):
            task["retired"] = dict(RETIRED)
        out.append(task)
    return out


def _units(c: Choices, know: Knowledge, ids: Ids, size: tuple[int, int], before: Optional[dict]) -> list[dict]:
    kept, total = _continuing(c, before, "admin_units", size)
    levels = {u["id"]: u["level"] for u in kept}
    for _ in range(total - len(kept)):
        levels[ids(("u", "xa-", "ap/"))] = c.choice(tuple(UNIT_KINDS))
    order = sorted(levels, key=lambda uid: tuple(UNIT_KINDS).index(levels[uid]))  # parents first
    bases = {u["id"]: u for u in kept}
    sources = list((before or {}).get("admin_units", ()))
    out: list[dict] = []
    for uid in order:
        out.append(_unit(c, know, uid, levels[uid], bases.get(uid, {}), out, sources))
    return out


def _unit(c: Choices, know: Knowledge, uid: str, level: str, base: dict, earlier: list[dict],
          sources: list[dict]) -> dict:
    kind = c.choice(UNIT_KINDS[level] + (None,))
    above = {"commune": "district", "hamlet": "commune"}.get(level)
    parents = [u["id"] for u in earlier if u["level"] == above]
    unit = {"id": uid, "name": name(c, UNIT_WORDS[kind]), "level": level}
    people, homes, area = UNIT_SCALE[level]
    put(unit, kind=kind, parent=c.choice(parents) if parents and c.boolean() else None,
        terrain=c.choice(TERRAINS + (None,)),
        population=c.maybe(know.count(c, people, base.get("population"))),
        area_km2=c.maybe(know.real(c, area)),
        households=c.maybe(know.count(c, homes, base.get("households"))),
        part_time_workers=c.maybe(know.count(c, 30)))
    if c.boolean():
        unit["class"] = c.choice((1, 2, 3))
    if c.boolean():
        unit["allowance"] = put({"mode": c.choice(("lump_sum", "per_person"))},
                                fund_coefficient=c.maybe(know.real(c, 60)))
    same_level = [u["id"] for u in sources if u["level"] == level]
    if same_level and c.one_in(4):
        unit["formed_from"] = c.subset(same_level, 1, 3)
    return unit


def _people(c: Choices, ids: Ids, size: tuple[int, int], org_ids: list[str]) -> list[dict]:
    out = []
    for _ in range(c.integer(*size)):
        person: dict = {"id": ids(("p", "cb-"))}
        if org_ids and c.boolean():
            person["posts"] = [{"org": c.choice(org_ids), "role": c.choice(("head", "deputy", "member"))}
                               for _ in range(c.integer(1, 2))]
        if c.boolean():
            years = c.subset(range(2015, 2026), 1, 3)
            person["ratings"] = {str(year): c.choice(RATINGS) for year in sorted(years)}
        put(person, name=c.maybe(name(c, "Ông")))
        out.append(person)
    return out


def _transitions(c: Choices, know: Knowledge, size: tuple[int, int], before: Optional[dict],
                 after: dict) -> list[dict]:
    sources = [o["id"] for o in (before or {}).get("organizations", ())]
    targets = [o["id"] for o in after.get("organizations", ())]
    out = []
    for _ in range(c.integer(*size) if sources else 0):
        outcome = c.choice(OUTCOMES if targets else SETTLING)
        move = {"from": c.choice(sources), "outcome": outcome}
        if outcome == "transfer":
            move["to"] = c.choice(targets)
        move["count"] = know.count(c, 30)
        out.append(move)
    return out

"""Plans the shipped policy passes, built so rather than filtered out of random ones.

``after`` comes from ``before`` by keeping, merging and dissolving organisations: staff only
shrinks, category by category; every counted position removed leaves through a transition (a
transfer only to an organisation that grows by as much); every task keeps one lead or is
retired; a kept or formed organisation is an intermediate level only if it or a source was.
The numbers keep to the safe side of the thresholds the policy's parameters hold on the plan's
date (:mod:`._bounds`), so a changed cap changes the plans; a policy with rules of another kind
makes the library's test ``test_compliant_plans_pass`` fail and names the rule, rather than being
silently filtered.
"""
from __future__ import annotations

import datetime as dt
from typing import Optional

from ..facts.catalogue import ORG_TYPES, RATINGS, TERRAINS
from ._base import (
    CHILD_TYPES, ORG_PREFIXES, ORG_WORDS, PILOT_MODEL, RETIRED, SETTLING, UNIT_WORDS, Choices, Ids, Knowledge, counted,
    head, name, put, waivers,
)
from ._bounds import Bounds, bounds
from ._plans import Sizes

_CATEGORIES = ("civil_servants", "public_employees", "contract")


def compliant_plan(c: Choices, know: Knowledge, sizes: Sizes, effective: dt.date) -> dict:
    ids = Ids(c)
    safe = bounds(know.policy, effective)
    world = _Reorganisation(c, ids, know, know.counted(effective), safe)
    world.build(c.integer(max(1, sizes.organizations[0]), max(1, sizes.organizations[1])))
    people = _people(c, ids, sizes.people, [o["id"] for o in world.after])
    tasks_before, tasks_after = _tasks(c, ids, sizes.tasks, world, people)
    units_before, units_after = _units(c, ids, sizes.admin_units, safe)
    top = head(c, ids, effective)
    top["approval"] = {"status": c.choice(("submitted", "approved")), "body": "Ban Thường vụ Tỉnh ủy"}
    data = {"format": "ag18-plan/1", "plan": top}
    if c.boolean():  # half the staff of 2015 or less: any reduction target up to 50% is met
        data["baseline"] = {"year": 2015, "staff": world.counted_after() * 2 + c.integer(0, 20)}
    data["before"] = put({"organizations": world.before}, tasks=tasks_before or None,
                         admin_units=units_before or None)
    data["after"] = put({"organizations": world.after}, tasks=tasks_after or None,
                        admin_units=units_after or None, people=people or None)
    if world.transitions:
        data["transitions"] = world.transitions
    waived = waivers(c, know, sizes.waivers[1], data, effective)
    if waived:
        data["waivers"] = waived
    return data


class _Reorganisation:
    """``before``, an ``after`` that keeps to every rule, and the transitions between them."""

    def __init__(self, c: Choices, ids: Ids, know: Knowledge, categories: tuple[str, ...], safe: Bounds):
        self.c, self.ids, self.know, self.categories, self.safe = c, ids, know, categories, safe
        self.before: list[dict] = []
        self.after: list[dict] = []
        self.transitions: list[dict] = []

    def build(self, size: int) -> None:
        """Old organisations (parents first); the fate of each; the staff settled."""
        for _ in range(size):
            parents = [o["id"] for o in self.before]
            self.before.append(self._old(self.c.choice(parents) if parents and not self.c.one_in(4) else None))
        units = self._fates()
        self.after = [org for _, new in units for org in new]
        self._transfer(units)
        for old, new in units:
            self._settle(old, new)

    def _fates(self) -> list[tuple[list[dict], list[dict]]]:
        """(old, new) per settlement unit: kept, merged with siblings, or dissolved.  Roots and
        organisations with children are kept, so every parent of ``after`` is kept; where one
        can go, at least one does (fewer units, as the programme asks)."""
        with_children = {o.get("parent") for o in self.before}
        free = [o["id"] for o in self.before if o["id"] not in with_children and "parent" in o]
        fates = {oid: self.c.choice(("keep", "keep", "merge", "dissolve")) for oid in free}
        if free and all(fate == "keep" for fate in fates.values()):
            fates[self.c.choice(free)] = "dissolve"
        units: list[tuple[list[dict], list[dict]]] = []
        merging: dict[str, list[dict]] = {}
        for org in self.before:
            fate = fates.get(org["id"], "keep")
            if fate == "keep":
                units.append(([org], [self._kept(org)]))
            elif fate == "merge":
                merging.setdefault(org["parent"], []).append(org)
            else:
                units.append(([org], []))
        for siblings in merging.values():
            while siblings:
                take = self.c.integer(1, min(3, len(siblings)))
                units.append((siblings[:take], [self._formed(siblings[:take])]))
                siblings = siblings[take:]
        return units

    def _old(self, parent: Optional[str]) -> dict:
        c = self.c
        above = next((o["type"] for o in self.before if o["id"] == parent), None)
        kind = c.choice(CHILD_TYPES.get(above, ORG_TYPES)) if c.boolean() else c.choice(ORG_TYPES)
        floor = self.safe.staff_min
        staff = {"civil_servants": c.integer(floor, floor + 30), "public_employees": c.integer(0, 10),
                 "contract": c.integer(0, 5)}
        return put({"id": self.ids(ORG_PREFIXES), "name": name(c, ORG_WORDS[kind]), "type": kind},
                   level=c.choice(("province", "district", "commune", None)), parent=parent,
                   intermediate=c.boolean() or None, effective=c.boolean(), heads=c.integer(0, 1),
                   deputies=c.integer(0, 3), staff=staff)

    def _numbers(self, org: dict, sources: list[dict]) -> dict:
        """Staff no larger than the sources had, category by category; at most one deputy."""
        c = self.c
        staff = {}
        for category in _CATEGORIES:
            most = sum(s["staff"].get(category, 0) for s in sources)
            staff[category] = c.integer(min(self.safe.staff_min, most) if category == "civil_servants" else 0, most)
        deputies = c.integer(0, min(self.safe.deputies_max, sum(s.get("deputies", 0) for s in sources)))
        org.update(staff=staff, deputies=deputies, effective=True, job_positions=sum(staff.values()) + c.integer(0, 5))
        if c.one_in(6):
            org["pilot"] = {"model": PILOT_MODEL, "approval": "Quyết định 1234-QĐ/TU",
                            "exempt_from": c.subset(self.know.rule_ids, 0, 2)}
        return org

    def _kept(self, old: dict) -> dict:
        return self._numbers({k: v for k, v in old.items() if k not in ("staff", "deputies", "effective")}, [old])

    def _formed(self, sources: list[dict]) -> dict:
        first = sources[0]
        was_intermediate = any(s.get("intermediate") for s in sources)
        org = put({"id": self.ids(ORG_PREFIXES), "name": name(self.c, ORG_WORDS[first["type"]]), "type": first["type"]},
                  level=first.get("level"), parent=first.get("parent"),
                  intermediate=(was_intermediate and self.c.boolean()) or None, formed_from=[s["id"] for s in sources])
        return self._numbers(org, sources)

    def counted_after(self) -> int:
        return sum(counted(o, self.categories) for o in self.after)

    def _removed(self, old: list[dict], new: list[dict]) -> int:
        return max(0, sum(counted(o, self.categories) for o in old) - sum(counted(o, self.categories) for o in new))

    def _transfer(self, units: list[tuple[list[dict], list[dict]]]) -> None:
        """Sometimes a kept organisation keeps all its staff and receives a transfer from another unit."""
        keepers = [(old[0], new[0]) for old, new in units if len(new) == 1 and "formed_from" not in new[0]]
        if len(units) < 2 or not keepers or not self.c.boolean():
            return
        old, new = self.c.choice(keepers)
        new["staff"] = dict(old["staff"])
        new["job_positions"] = sum(new["staff"].values()) + self.c.integer(0, 5)
        givers = [(o, n) for o, n in units if o[0] is not old and self._removed(o, n) > 0]
        if givers:
            given, taken = self.c.choice(givers)
            count = self.c.integer(1, self._removed(given, taken))
            self.transitions.append({"from": given[0]["id"], "outcome": "transfer", "to": new["id"], "count": count})
            new["staff"]["civil_servants"] += count
            new["job_positions"] += count

    def _settle(self, old: list[dict], new: list[dict]) -> None:
        """Transitions out of the unit for every counted position it loses (sometimes one more)."""
        moved = sum(t["count"] for t in self.transitions if t["from"] in {o["id"] for o in old})
        missing = self._removed(old, new) - moved + self.c.integer(0, 1)
        while missing > 0:
            count = self.c.integer(1, missing)
            self.transitions.append({"from": self.c.choice([o["id"] for o in old]),
                                     "outcome": self.c.choice(SETTLING), "count": count})
            missing -= count


def _people(c: Choices, ids: Ids, size: tuple[int, int], org_ids: list[str]) -> list[dict]:
    """People whose latest rating is a pass; earlier years may be anything."""
    out = []
    for _ in range(c.integer(*size)):
        latest = c.integer(2016, 2024)
        ratings = {str(year): c.choice(RATINGS) for year in range(latest - 2, latest)}
        ratings[str(latest)] = c.choice(RATINGS[:-1])
        out.append({"id": ids(("p", "cb-")), "ratings": ratings,
                    "posts": [{"org": c.choice(org_ids), "role": c.choice(("head", "deputy", "member"))}]})
    return out


def _tasks(c: Choices, ids: Ids, size: tuple[int, int], world: _Reorganisation,
           people: list[dict]) -> tuple[list[dict], list[dict]]:
    """Tasks of ``before`` all continue (one lead each) or are retired; new tasks have one lead."""
    old_leads, new_leads = [o["id"] for o in world.before], [o["id"] for o in world.after]
    before = [{"id": ids(("t", "nv-")), "name": name(c, "Quản lý"), "lead": c.choice(old_leads)}
              for _ in range(c.integer(*size))]
    after = []
    for task in before + [None] * c.integer(0, 2):
        new = {"id": task["id"] if task else ids(("t", "nv-")), "name": name(c, "Quản lý")}
        if task and c.one_in(5):
            new["retired"] = dict(RETIRED)
        else:
            new["lead"] = c.choice(new_leads)
            if people and c.boolean():
                new["lead_person"] = c.choice([p["id"] for p in people])
        after.append(new)
    return before, after


def _units(c: Choices, ids: Ids, size: tuple[int, int], safe: Bounds) -> tuple[list[dict], list[dict]]:
    """Admin units above every standard and below every cap.  Communes name no district as
    parent, so a district's count of communes (which needs the whole district) is not at stake."""
    after: list[dict] = []
    for _ in range(c.integer(*size)):
        level = c.choice(("district", "commune", "commune", "hamlet", "hamlet"))
        communes = [u["id"] for u in after if u["level"] == "commune"]
        after.append(_unit(c, ids, level, communes, safe))
    before = [dict(u) for u in after]
    for unit in after:
        if unit["level"] != "district" and c.one_in(4):
            merged = dict(unit, id=ids(("u", "xa-")))
            before.append(merged)
            unit["formed_from"] = [unit["id"], merged["id"]]
    return before, after


_KINDS = {"district": ("huyen", "thanh_pho"), "commune": ("xa", "phuong", "thi_tran"), "hamlet": ("ap", "khom")}


def _unit(c: Choices, ids: Ids, level: str, communes: list[str], safe: Bounds) -> dict:
    kind = c.choice(_KINDS[level])
    unit = {"id": ids(("u", "xa-", "ap/")), "name": name(c, UNIT_WORDS[kind]), "level": level, "kind": kind,
            "terrain": c.choice(TERRAINS), "class": c.choice((1, 2, 3))}
    if level == "district":
        low, area = safe.district_population_min, int(safe.district_area_min)
        unit.update(population=c.integer(low, low + 300_000), area_km2=float(c.integer(area, area + 1100)))
        return unit
    if level == "commune":
        low, area = safe.commune_population_min, int(safe.commune_area_min * 10)
        unit.update(population=c.integer(low, low + 24_000), area_km2=c.integer(area, area + 1450) / 10,
                    part_time_workers=c.integer(0, safe.commune_part_time_max))
        fund = c.integer(0, int(safe.commune_fund_max * 10)) / 10
    else:
        low = safe.hamlet_households_min
        unit.update(households=c.integer(low, low + 1050), part_time_workers=c.integer(0, safe.hamlet_part_time_max))
        if communes and c.boolean():
            unit["parent"] = c.choice(communes)
        fund = c.integer(0, int(safe.hamlet_fund_max * 10)) / 10
    unit["allowance"] = {"mode": "lump_sum", "fund_coefficient": fund}
    return unit

"""The ranges compliant plans keep to, read from the policy's parameters in force on a date.

A plan stays compliant when each number sits on the safe side of every threshold that can apply
to it: the largest minimum (a population, an area, households, staff) and the smallest maximum
(a cap on deputies, part-time workers, an allowance fund).  Reading them from the policy means
an officer's change to a cap changes the plans generated, instead of breaking them.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Mapping

__all__ = ["Bounds", "bounds"]


@dataclass(frozen=True)
class Bounds:
    """Safe ranges on one date: ``*_min`` values stay at or above, ``*_max`` at or below."""

    staff_min: int  # counted civil servants of every organisation
    deputies_max: int
    district_population_min: int
    district_area_min: float
    commune_population_min: int
    commune_area_min: float
    commune_part_time_max: int
    commune_fund_max: float  # tenths
    hamlet_households_min: int
    hamlet_part_time_max: int
    hamlet_fund_max: float


def bounds(policy, day: dt.date) -> Bounds:
    """The safe ranges of ``policy`` on ``day`` (cached per policy and day)."""
    return _bounds(policy, day)


@lru_cache(maxsize=256)
def _bounds(policy, day: dt.date) -> Bounds:
    def most(*prefixes: str, default: float = 0) -> float:
        return max(_values(policy, day, prefixes), default=default)

    def least(*prefixes: str, default: float) -> float:
        """The smallest cap; a cap whose subject has ended (e.g. commune part-time posts) is 0."""
        return min(_values(policy, day, prefixes, ended=0), default=default)

    return Bounds(
        staff_min=int(most("min_staff.", default=12)) + 3,
        deputies_max=max(0, int(least("deputy.department_unit_max", "deputy.inspectorate_max",
                                      "deputy.party_unit_max", "deputy.sub_department_max",
                                      "deputy.district_office_avg", default=1))),
        district_population_min=int(most("admin_unit.huyen.population_min", "admin_unit.thanh_pho.population_min",
                                         default=150_000)) + 50_000,
        district_area_min=math.ceil(most("admin_unit.huyen.area_min", "admin_unit.thanh_pho.area_min",
                                         default=850)) + 50.0,
        commune_population_min=int(most("admin_unit.xa.population_min", "admin_unit.phuong.population_min",
                                        "admin_unit.thi_tran.population_min", default=15_000)) + 1_000,
        commune_area_min=math.ceil(most("admin_unit.xa.area_min", "admin_unit.phuong.area_min",
                                        "admin_unit.thi_tran.area_min", default=50)) + 5.0,
        # from 2026-05-31 communes have no part-time posts at all (part_time.commune_after_end_max)
        commune_part_time_max=max(0, int(least("part_time.commune_max", "part_time.commune_after_end_max", default=10))),
        commune_fund_max=max(0.0, math.floor(least("part_time.commune_fund", default=11.4) * 10 - 1) / 10),
        hamlet_households_min=int(most("hamlet.ap.households_min", "hamlet.khom.households_min", default=400)) + 50,
        hamlet_part_time_max=max(0, int(least("part_time.hamlet_max", default=3))),
        hamlet_fund_max=max(0.0, math.floor(least("part_time.hamlet_fund", default=3.0) * 10) / 10),
    )


def _values(policy, day: dt.date, prefixes: Iterable[str], ended: float | None = None) -> list[float]:
    """Every number the parameters named (or starting with) ``prefixes`` hold on ``day``: table
    leaves and bracket values, never the bracket bounds; ``ended`` for a parameter whose subject
    has ended by then (a minimum then constrains nothing, a maximum allows none)."""
    out: list[float] = []
    for param in policy.params:
        if any(param.id == p or (p.endswith(".") and param.id.startswith(p)) for p in prefixes):
            if getattr(param, "ended", None) and param.ended(day) is not None:
                out.extend(() if ended is None else (ended,))
                continue
            entry = param.in_force(day)
            if entry is not None:
                out.extend(_leaves(entry.value))
    return out


def _leaves(value: Any) -> list[float]:
    if value is None or isinstance(value, (bool, str)):
        return []
    if isinstance(value, (int, float)):
        return [value]
    if isinstance(value, Mapping):
        if "value" in value and set(value) <= {"value", "below"}:
            return _leaves(value["value"])
        return [n for item in value.values() for n in _leaves(item)]
    return [n for item in value for n in _leaves(item)]

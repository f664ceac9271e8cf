"""Facts that depend on dated parameters, added by the engine after :func:`derive`.

Decree 33/2023 (Art. 33) gives a commune one more part-time worker for each full step of
population and of area above the commune's standard; the step and the standards are dated
parameters, and the count needs whole-number division, which rule conditions do not have.
So it is computed here, once per evaluation, and rules read it as the fact ``part_time_extra``.
"""
from __future__ import annotations

import datetime as dt
import math
from typing import Mapping, Optional

from ..backends.base import Entity
from .derive import FactTable

#: commune kind -> the parameters holding its population and area standards
STANDARDS = {
    "xa": ("admin_unit.xa.population_min", "admin_unit.xa.area_min"),
    "phuong": ("admin_unit.phuong.population_min", "admin_unit.phuong.area_min"),
    "thi_tran": ("admin_unit.thi_tran.population_min", "admin_unit.thi_tran.area_min"),
}
POPULATION_STEP = "part_time.extra_step.population_divisor"
AREA_STEP = "part_time.extra_step.area_divisor"


def with_dated_facts(table: FactTable, params, as_of: dt.date) -> FactTable:
    """``table`` with ``part_time_extra`` filled in for every commune-level unit."""
    entities = []
    for entity in table.entities:
        if entity.kind == "admin_unit" and entity.values["level"] == "commune":
            values = dict(entity.values)
            values["part_time_extra"] = part_time_extra(values, params, as_of)
            entity = Entity(entity.kind, values)
        entities.append(entity)
    return FactTable(tuple(entities), table.refs)


def part_time_extra(values: Mapping, params, as_of: dt.date) -> Optional[int]:
    """Extra part-time workers a commune may have; 0 where no addition is in force."""
    if POPULATION_STEP not in params or params.get(POPULATION_STEP).in_force(as_of) is None:
        return 0
    # the step depends only on whether the parent is an urban district (quận): a commune whose
    # parent is not in the plan takes the general step
    lookup = values if values.get("parent_kind") is not None else {**values, "parent_kind": "*"}
    pop_step = params.get(POPULATION_STEP).resolve(as_of, lookup)
    area_step = params.get(AREA_STEP).resolve(as_of, values) if AREA_STEP in params else None
    ids = STANDARDS.get(values.get("kind"))
    if ids is None or pop_step is None or area_step is None:
        return None
    pop_std, area_std = (params.get(pid).resolve(as_of, values) if pid in params else None for pid in ids)
    population, area = values.get("population"), values.get("area_km2")
    if None in (pop_std, area_std, population, area):
        return None
    return _steps(population, pop_std.value, pop_step.value) + _steps(area, area_std.value, area_step.value)


def _steps(amount: float, standard: float, divisor: float) -> int:
    """Full steps of (standard / divisor) by which ``amount`` exceeds ``standard``."""
    if not standard or amount <= standard:
        return 0
    return math.floor((amount - standard) * divisor / standard + 1e-9)

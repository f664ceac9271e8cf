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
COMMUNE_CAP = "part_time.commune_max"
POPULATION_STEP = "part_time.extra_step.population_divisor"
AREA_STEP = "part_time.extra_step.area_divisor"


def with_dated_facts(table: FactTable, params, as_of: dt.date) -> FactTable:
    """``table`` with ``part_time_extra`` filled in for every commune-level unit, and the plan's
    province-wide totals of commune part-time workers and caps (Decree 33/2023's envelope)."""
    entities = []
    communes = []
    for i, entity in enumerate(table.entities):
        if entity.kind == "admin_unit" and entity.values["level"] == "commune":
            values = dict(entity.values)
            values["part_time_extra"] = part_time_extra(values, params, as_of)
            entity = Entity(entity.kind, values)
            if values["in_after"] and values.get("part_time_workers") is not None:
                communes.append((table.refs[i].name, values))
        entities.append(entity)
    if entities and entities[0].kind == "plan":
        entities[0] = Entity("plan", {**entities[0].values, **part_time_envelope(communes, params, as_of)})
    return FactTable(tuple(entities), table.refs)


def with_dated_columns(cols, params, as_of: dt.date) -> None:
    """The same, for a plan's columns (:class:`.columns.PlanColumns`): its administrative units'
    records and the plan record are replaced by their dated form."""
    (plan_ref,), (plan_values,) = cols.records("plan")
    unit_refs, unit_values = cols.records("admin_unit")
    dated = with_dated_facts(FactTable((Entity("plan", plan_values), *(Entity("admin_unit", v) for v in unit_values)),
                                       (plan_ref, *unit_refs)), params, as_of)
    cols.set_records("plan", (plan_ref,), (dated.entities[0].values,))
    cols.set_records("admin_unit", unit_refs, tuple(e.values for e in dated.entities[1:]))


def part_time_envelope(communes, params, as_of: dt.date) -> dict:
    """The plan's communes' part-time workers against the sum of their caps (class cap plus the
    additions), with each commune's figures; the caps' sum is None when one cannot be computed."""
    workers = sum(values["part_time_workers"] for _, values in communes)
    caps, shown = 0, []
    for name, values in sorted(communes, key=lambda c: (c[0], c[1]["part_time_workers"])):
        found = params.get(COMMUNE_CAP).resolve(as_of, values) if COMMUNE_CAP in params else None
        extra = values.get("part_time_extra")
        cap = None if found is None or extra is None else found.value + extra
        caps = None if caps is None or cap is None else caps + cap
        shown.append(f"{name} {values['part_time_workers']}/{cap if cap is not None else '?'}")
    return {
        "part_time_communes_after": len(communes),
        "part_time_commune_workers_after": workers,
        "part_time_commune_caps_after": caps if communes else None,
        "part_time_commune_figures": "; ".join(shown) or None,
    }


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

"""Levers: the changes an officer can make to a plan to move one fact of one entity.

The fix search (:mod:`.fixes`) reads the facts a violated check depends on and asks this module
for the levers that move them: a fact of an organisation maps back to a field of the plan
(``deputies`` -> ``after.organizations[id].deputies``), an aggregate fact of the plan to the
organisations it sums over, a missing lead to the organisation that led the task before.  A lever
is a family of edits indexed by a size ``k`` (how many units change); the search finds the
smallest ``k`` that removes the finding and verifies it.  Every sentence is in both languages,
from the templates in :data:`TEXTS`.

:data:`LEVERS` maps (entity kind, fact) to the function that builds its levers: organisations in
:mod:`.organizations`, plan totals and the approval in :mod:`.plans`, tasks in :mod:`.tasks`,
administrative units and people in :mod:`.units`.  A fact not in the table has no lever (a
household count, a terrain): the search then says that no single change removes the finding.
"""
from __future__ import annotations

from typing import Callable, Iterable, Mapping

from ..errors import Text
from .base import Change, Context, Edit, Lever
from .organizations import (
    category_levers, children_merge_levers, counted_levers, deputies_levers, effective_levers,
    group_deputies_levers, group_staff_levers, heads_levers, intermediate_levers, job_positions_levers,
    parent_deputies_levers, pilot_exemption_levers, self_merge_levers, settle_org_levers, transfers_in_levers,
)
from .plans import (
    approval_levers, plan_deputies_levers, plan_intermediate_levers, plan_merge_levers, plan_staff_levers,
    settle_plan_levers,
)
from .tasks import lead_levers, lead_person_levers
from .text import TEXTS, WORDS, say
from .units import (
    allowance_mode_levers, fund_levers, leadership_levers, part_time_levers, plan_part_time_levers, unit_merge_levers,
)

__all__ = ["Change", "Context", "Edit", "LEVERS", "Lever", "TEXTS", "WORDS", "levers_for", "say"]


def _hints(ctx: Context, fact: str) -> list[Text]:
    """Changes the plan cannot make by itself (a document, a reason): said, never verified."""
    if ctx.ref.kind == "organization" and fact == "pilot_approved":
        return [say("pilot_approval", org=ctx.ref.name)]
    if ctx.ref.kind == "task" and fact in ("retired", "in_after"):
        return [say("task_retire", task=ctx.ref.name)]
    return []


LEVERS: Mapping[tuple[str, str], Callable[[Context], list[Lever]]] = {
    ("organization", "deputies"): lambda ctx: deputies_levers(ctx, ctx.ref.id),
    ("organization", "heads"): heads_levers,
    ("organization", "civil_servants"): lambda ctx: category_levers(ctx, "civil_servants"),
    ("organization", "public_employees"): lambda ctx: category_levers(ctx, "public_employees"),
    ("organization", "contract"): lambda ctx: category_levers(ctx, "contract"),
    ("organization", "counted_staff"): counted_levers,
    ("organization", "staff_gain"): counted_levers,
    ("organization", "job_positions"): job_positions_levers,
    ("organization", "intermediate"): intermediate_levers,
    ("organization", "effective"): effective_levers,
    ("organization", "status"): self_merge_levers,
    ("organization", "parent_deputies"): parent_deputies_levers,
    ("organization", "group_staff_after"): group_staff_levers,
    ("organization", "group_deputies_after"): group_deputies_levers,
    ("organization", "children_after"): children_merge_levers,
    ("organization", "unsettled_positions"): settle_org_levers,
    ("organization", "settled_positions"): settle_org_levers,
    ("organization", "transfers_in"): transfers_in_levers,
    ("organization", "pilot_unknown_exemptions"): pilot_exemption_levers,
    ("organization", "pilot_unknown_exemption_list"): pilot_exemption_levers,
    ("plan", "approval_status"): approval_levers,
    ("plan", "staff_after"): plan_staff_levers,
    ("plan", "staff_reduction_pct"): plan_staff_levers,
    ("plan", "deputies_after"): lambda ctx: plan_deputies_levers(ctx, "deputies_after"),
    ("plan", "department_deputies_after"): lambda ctx: plan_deputies_levers(ctx, "department_deputies_after"),
    ("plan", "district_office_deputies_after"): lambda ctx: plan_deputies_levers(ctx, "district_office_deputies_after"),
    ("plan", "commune_office_deputies_after"): lambda ctx: plan_deputies_levers(ctx, "commune_office_deputies_after"),
    ("plan", "province_party_body_deputies_after"):
        lambda ctx: plan_deputies_levers(ctx, "province_party_body_deputies_after"),
    ("plan", "orgs_after"): plan_merge_levers,
    ("plan", "intermediate_after"): plan_intermediate_levers,
    ("plan", "unsettled_positions"): settle_plan_levers,
    ("plan", "settled_positions"): settle_plan_levers,
    ("plan", "part_time_commune_workers_after"): plan_part_time_levers,
    ("task", "lead_count"): lead_levers,
    ("task", "lead_list"): lead_levers,
    ("task", "in_after"): lead_levers,
    ("task", "lead_person_count"): lead_person_levers,
    ("task", "lead_person_list"): lead_person_levers,
    ("admin_unit", "part_time_workers"): part_time_levers,
    ("admin_unit", "allowance_mode"): allowance_mode_levers,
    ("admin_unit", "fund_coefficient"): fund_levers,
    ("admin_unit", "households"): unit_merge_levers,
    ("admin_unit", "population"): unit_merge_levers,
    ("admin_unit", "area_km2"): unit_merge_levers,
    ("admin_unit", "status"): unit_merge_levers,
    ("person", "is_head"): leadership_levers,
    ("person", "is_deputy"): leadership_levers,
}


def levers_for(ctx: Context, facts: Iterable[str], hints: bool = True) -> tuple[list[Lever], list[Text]]:
    """The levers that move any of ``facts`` of the finding's entity, and (``hints``) the hints no
    lever can verify."""
    levers: dict[str, Lever] = {}
    texts: dict[str, Text] = {}
    for fact in facts:
        builder = LEVERS.get((ctx.ref.kind, fact))
        for lever in builder(ctx) if builder else ():
            levers.setdefault(lever.key, lever)
        for hint in _hints(ctx, fact) if hints else ():
            texts.setdefault(hint.en, hint)
    return list(levers.values()), list(texts.values())

"""Levers on the plan as a whole: totals spread over the organisations they sum, and the approval."""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Mapping

from .. import edits
from ..facts import CATALOGUE
from ..model import Approval
from .base import Change, Context, Edit, Lever
from .organizations import deputies_cut, merge_lever, merge_order, org_path, org_ref, staff_cut, transition_edit
from .text import WORDS, measure, say

__all__ = ["approval_levers", "plan_deputies_levers", "plan_intermediate_levers", "plan_merge_levers",
           "plan_staff_levers", "settle_plan_levers"]


def plan_staff_levers(ctx: Context) -> list[Lever]:
    holders = [oid for oid, o in ctx.orgs.items() if o.staff.counted(ctx.counted) > 0]
    if not holders:
        return []
    old = ctx.values.get("staff_after")
    largest = max(holders, key=lambda oid: (ctx.orgs[oid].staff.counted(ctx.counted), oid))
    baseline = ctx.plan.baseline

    def facts_at(k: int) -> dict:
        out = {"staff_after": old - k}
        if baseline and baseline.staff > 0:
            out["staff_reduction_pct"] = round((baseline.staff - (old - k)) * 100 / baseline.staff, 4)
        return out

    def lever(key: str, members: list[str]) -> Lever:
        def build(k: int) -> Edit:
            plan, changes, parts = staff_cut(ctx, members, k)
            return Edit(plan, changes, say("plan_staff_cut", k=k, goal=ctx.goal, old=old, new=old - k, parts=parts))

        return Lever(key, 0, sum(ctx.orgs[m].staff.counted(ctx.counted) for m in members), build, facts_at)

    return [lever(f"staff-cut:{largest}", [largest]), lever("staff-cut-spread", sorted(holders))]


_DEPUTY_GROUPS: Mapping[str, Callable[[Any], bool]] = {
    "deputies_after": lambda o: True,
    "department_deputies_after": lambda o: o.type == "department",
    "district_office_deputies_after": lambda o: o.type == "district_office",
    # the offices of commune people's committees (Resolution 332/NQ-CP); the fix is verified by evaluating again
    "commune_office_deputies_after": lambda o: o.type == "internal_unit" and o.level == "commune",
    "province_party_body_deputies_after": lambda o: o.type == "party_body" and o.level == "province",
}


def plan_deputies_levers(ctx: Context, fact: str) -> list[Lever]:
    members = sorted(oid for oid, o in ctx.orgs.items() if _DEPUTY_GROUPS[fact](o) and o.deputies > 0)
    old = ctx.values.get(fact)
    if not members or old is None:
        return []

    def build(k: int) -> Edit:
        plan, changes, parts = deputies_cut(ctx, members, k)
        return Edit(plan, changes, say("plan_deputies_cut", k=k, goal=ctx.goal, measure=measure("plan", fact),
                                       old=old, new=old - k, parts=parts))

    return [Lever(f"deputies-cut:{fact}", 0, sum(ctx.orgs[m].deputies for m in members), build,
                  lambda k: {fact: old - k})]


def plan_intermediate_levers(ctx: Context) -> list[Lever]:
    flagged = sorted((oid for oid, o in ctx.orgs.items() if o.intermediate),
                     key=lambda oid: (ctx.facts("organization", oid)["was_intermediate"], oid))
    old = ctx.values.get("intermediate_after")
    if not flagged or old is None:
        return []

    def build(k: int) -> Edit:
        changes = []
        off = {oid: (lambda o: replace(o, intermediate=False)) for oid in flagged[:k]}
        plan = lambda: edits.set_orgs(ctx.plan, off)
        for oid in flagged[:k]:
            changes.append(Change(org_ref(ctx, oid), org_path(oid, "intermediate"), True, False))
        parts = ", ".join(ctx.orgs[oid].name for oid in flagged[:k])
        return Edit(plan, tuple(changes), say("plan_intermediate_off", parts=parts, old=old, new=old - k))

    return [Lever("intermediate-off-plan", 0, len(flagged), build, lambda k: {"intermediate_after": old - k})]


def approval_levers(ctx: Context) -> list[Lever]:
    current = ctx.values.get("approval_status")
    choices = CATALOGUE["plan"]["approval_status"].type.choices
    later = choices[choices.index(current) + 1:] if current in choices else choices[1:]
    approval = ctx.plan.approval or Approval()
    body = approval.body or WORDS["competent_body"]
    out = []
    for rank, status in enumerate(later):
        def build(_k: int, status=status) -> Edit:
            plan = lambda: replace(ctx.plan, approval=replace(approval, status=status))
            return Edit(plan, (Change(ctx.ref, "plan.approval.status", current, status),),
                        say("approval", body=body, old=current or WORDS["unset"], new=status))

        out.append(Lever(f"approval:{status}", rank, 1, build, lambda _k, status=status: {"approval_status": status}))
    return out


def plan_merge_levers(ctx: Context) -> list[Lever]:
    candidates = [oid for oid, o in ctx.orgs.items() if o.parent is not None]
    return merge_lever(ctx, "merge-plan", merge_order(ctx, candidates), "orgs_after", "merges_plan", 2)


# ---- settlement of removed positions


def settle_plan_levers(ctx: Context) -> list[Lever]:
    reps = [(r.id, v["unsettled_positions"]) for r, v in ctx.of_kind("organization")
            if v.get("unsettled_positions")]
    edit = transition_edit(ctx, reps) if reps else None
    if edit is None:
        return []
    return [Lever("settle-plan", 0, 1, lambda _k: edit, lambda _k: {"unsettled_positions": 0})]

"""Levers on administrative units (part-time workers, allowances, mergers) and on people (leadership posts)."""
from __future__ import annotations

from dataclasses import replace

from .. import edits
from ..errors import Text
from ..facts import CATALOGUE
from ..model import Allowance
from .base import SIBLING_LIMIT, Change, Context, Edit, Lever, merged_away
from .organizations import _cuts
from .text import WORDS, join, say, show

__all__ = ["allowance_mode_levers", "fund_levers", "leadership_levers", "part_time_levers", "plan_part_time_levers",
           "unit_merge_levers"]

def _unit(ctx: Context):
    return ctx.index.units.get(ctx.ref.id)


def plan_part_time_levers(ctx: Context) -> list[Lever]:
    """The communes' part-time workers cut by ``k`` in total, from the largest first (the
    province-wide envelope of Decree 33/2023)."""
    communes = {u.id: u for u in ctx.plan.after.admin_units if u.level == "commune" and u.part_time_workers}
    old = ctx.values.get("part_time_commune_workers_after")
    if not communes or not isinstance(old, int):
        return []
    amounts = {uid: u.part_time_workers for uid, u in communes.items()}

    def build(k: int) -> Edit:
        cuts = sorted(_cuts(amounts, k).items())
        new = {uid: amounts[uid] - cut for uid, cut in cuts}
        plan = lambda: edits.set_units(ctx.plan, {uid: (lambda u, n=n: replace(u, part_time_workers=n))  # noqa: E731
                                                  for uid, n in new.items()})
        changes = tuple(Change(ctx.ref_of("admin_unit", uid), f"after.admin_units[{uid}].part_time_workers",
                               amounts[uid], n) for uid, n in new.items())
        parts = join(Text(f"{communes[uid].name} {amounts[uid]} → {n}", f"{communes[uid].name} {amounts[uid]} → {n}")
                     for uid, n in new.items())
        return Edit(plan, changes, say("plan_part_time_cut", k=k, goal=ctx.goal, old=old, new=old - k, parts=parts))

    return [Lever("part-time-cut-plan", 0, sum(amounts.values()), build,
                  lambda k: {"part_time_commune_workers_after": old - k})]


def part_time_levers(ctx: Context) -> list[Lever]:
    unit = _unit(ctx)
    if unit is None or not unit.part_time_workers:
        return []
    old = unit.part_time_workers

    def build(k: int) -> Edit:
        plan = lambda: edits.set_unit(ctx.plan, unit.id, lambda u: replace(u, part_time_workers=old - k))
        return Edit(plan, (Change(ctx.ref, f"after.admin_units[{unit.id}].part_time_workers", old, old - k),),
                    say("part_time_down", k=k, unit=unit.name, old=old, new=old - k))

    return [Lever(f"part-time:{unit.id}", 0, old, build, lambda k: {"part_time_workers": old - k})]


def allowance_mode_levers(ctx: Context) -> list[Lever]:
    unit = _unit(ctx)
    if unit is None:
        return []
    current = unit.allowance.mode if unit.allowance else None
    out = []
    for rank, mode in enumerate(m for m in CATALOGUE["admin_unit"]["allowance_mode"].type.choices if m != current):
        allowance = replace(unit.allowance, mode=mode) if unit.allowance else Allowance(mode)

        def build(_k: int, mode=mode, allowance=allowance) -> Edit:
            plan = lambda: edits.set_unit(ctx.plan, unit.id, lambda u: replace(u, allowance=allowance))
            return Edit(plan, (Change(ctx.ref, f"after.admin_units[{unit.id}].allowance.mode", current, mode),),
                        say("allowance_mode", unit=unit.name, mode=WORDS[mode], old=current, new=mode))

        out.append(Lever(f"allowance:{unit.id}:{mode}", rank, 1, build, lambda _k, mode=mode: {"allowance_mode": mode}))
    return out


def fund_levers(ctx: Context) -> list[Lever]:
    """The lump-sum fund set to a number of the violated condition (a cap or a norm in its trace)."""
    unit = _unit(ctx)
    if unit is None or unit.allowance is None or unit.allowance.fund_coefficient is None:
        return []
    old = unit.allowance.fund_coefficient
    targets = sorted({float(n) for n in ctx.numbers if n > 0 and n != old}, key=lambda n: (abs(n - old), n))
    out = []
    for rank, new in enumerate(targets):
        def build(_k: int, new=new) -> Edit:
            allowance = replace(unit.allowance, fund_coefficient=new)
            plan = lambda: edits.set_unit(ctx.plan, unit.id, lambda u: replace(u, allowance=allowance))
            return Edit(plan, (Change(ctx.ref, f"after.admin_units[{unit.id}].allowance.fund_coefficient", old, new),),
                        say("fund_set", unit=unit.name, old=old, new=new))

        out.append(Lever(f"fund:{unit.id}:{new}", 0, 1, build, lambda _k, new=new: {"fund_coefficient": new}))
    return out


def unit_merge_levers(ctx: Context) -> list[Lever]:
    """The unit merged into a sibling of the same level (the smallest first): one lever per sibling."""
    unit = _unit(ctx)
    if unit is None or unit.parent is None:
        return []
    siblings = ctx.index.unit_siblings(unit, SIBLING_LIMIT)
    out = []
    for into in siblings:
        def build(_k: int, into=into) -> Edit:
            plan = lambda: edits.merge_unit(ctx.plan, unit.id, into.id)
            merged = edits.merged_unit(unit, into, unit.id in ctx.index.before_units)
            summary = join((Text(WORDS[f].vi.format(n=show(getattr(merged, f), "vi")),
                                  WORDS[f].en.format(n=show(getattr(merged, f), "en")))
                             for f in ("households", "population", "area_km2") if getattr(merged, f) is not None), ", ")
            target = ctx.ref_of("admin_unit", into.id)
            changes = (Change(ctx.ref, f"after.admin_units[{unit.id}]", unit.id, None),
                       Change(target, f"after.admin_units[{into.id}].formed_from",
                              list(into.formed_from), list(merged.formed_from)),
                       *(Change(target, f"after.admin_units[{into.id}].{f}", getattr(into, f), getattr(merged, f))
                         for f in ("households", "population", "area_km2") if getattr(into, f) != getattr(merged, f)))
            return Edit(plan, changes, say("merge_unit", victim=unit.name, into=into.name, summary=summary))

        out.append(Lever(f"merge-unit:{unit.id}:{into.id}", 1, 1, build, merged_away))
    return out


def _drop_posts(ctx: Context, roles: tuple[str, ...]) -> list[Lever]:
    """The person relieved of every post of ``roles`` (head, deputy) in ``after``."""
    person = ctx.index.people.get(ctx.ref.id)
    if person is None:
        return []
    posts = [p for p in person.posts if p.role in roles]
    if not posts:
        return []
    kept = tuple(p for p in person.posts if p.role not in roles)
    role = WORDS[roles[0]] if len(roles) == 1 else WORDS["leadership"]

    def build(_k: int) -> Edit:
        plan = lambda: edits.set_person(ctx.plan, person.id, lambda p: replace(p, posts=kept))
        orgs = ", ".join(dict.fromkeys(ctx.org_name(p.org) for p in posts))
        return Edit(plan, (Change(ctx.ref, f"after.people[{person.id}].posts",
                                  [{"org": p.org, "role": p.role} for p in person.posts],
                                  [{"org": p.org, "role": p.role} for p in kept]),),
                    say("person_drop_post", person=person.name or person.id, role=role, org=orgs))

    return [Lever(f"drop-{'-'.join(roles)}:{person.id}", 0, 1, build,
                  lambda _k: {f"is_{r}": False for r in roles})]


def leadership_levers(ctx: Context) -> list[Lever]:
    return [lv for roles in (("head",), ("deputy",), ("head", "deputy")) for lv in _drop_posts(ctx, roles)]

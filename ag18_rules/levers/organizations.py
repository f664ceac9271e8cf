"""Levers on organisations: deputies, heads, staff, job positions, flags, mergers, settlements, pilots."""
from __future__ import annotations

from dataclasses import replace
from typing import Callable, Iterable, Mapping, Optional

from .. import edits
from ..errors import Text
from ..facts import EntityRef
from ..model import Plan, Staff, Transition
from .base import MERGE_LIMIT, RAISE_LIMIT, Change, Context, Edit, Lever, merged_away
from .text import WORDS, capital, join, say

__all__ = [
    "category_levers", "children_merge_levers", "counted_levers", "deputies_cut", "deputies_levers", "effective_levers",
    "group_deputies_levers", "group_staff_levers", "heads_levers", "intermediate_levers", "job_positions_levers",
    "merge_lever", "merge_order", "org_path", "org_ref", "parent_deputies_levers", "pilot_exemption_levers",
    "self_merge_levers", "settle_org_levers", "staff_cut", "transfers_in_levers", "transition_edit",
]

def org_ref(ctx: Context, oid: str) -> EntityRef:
    return ctx.ref_of("organization", oid)


def org_path(oid: str, name: str) -> str:
    return f"after.organizations[{oid}].{name}"


def deputies_levers(ctx: Context, oid: str, key: str = "deputies") -> list[Lever]:
    """Deputies of ``oid`` cut by ``k``; ``key`` is the fact of the finding's entity that moves with them."""
    org = ctx.orgs.get(oid)
    if org is None or org.deputies == 0:
        return []
    old = org.deputies

    def build(k: int) -> Edit:
        plan = lambda: edits.set_org(ctx.plan, oid, lambda o: replace(o, deputies=old - k))
        return Edit(plan, (Change(org_ref(ctx, oid), org_path(oid, "deputies"), old, old - k),),
                    say("deputies_down", k=k, org=org.name, old=old, new=old - k))

    return [Lever(f"deputies-down:{oid}", 0, old, build, lambda k: {key: old - k})]


def heads_levers(ctx: Context) -> list[Lever]:
    org = ctx.orgs.get(ctx.ref.id)
    if org is None:
        return []
    old = org.heads
    out = []
    for sign, tier, limit in ((-1, 0, old), (1, 1, 3)):
        if limit <= 0:
            continue

        def build(k: int, sign=sign) -> Edit:
            new = old + sign * k
            plan = lambda: edits.set_org(ctx.plan, org.id, lambda o: replace(o, heads=new))
            return Edit(plan, (Change(ctx.ref, org_path(org.id, "heads"), old, new),),
                        say("heads_down" if sign < 0 else "heads_up", k=k, org=org.name, old=old, new=new))

        out.append(Lever(f"heads-{sign}:{org.id}", tier, limit, build, lambda k, sign=sign: {"heads": old + sign * k}))
    return out


def _staff(ctx: Context, oid: str, category: str, sign: int) -> Optional[Lever]:
    """Counted staff of one category of ``oid`` moved by ``k`` (down: tier 0; up: tier 1)."""
    org = ctx.orgs.get(oid)
    if org is None:
        return None
    old = getattr(org.staff, category)
    limit = old if sign < 0 else RAISE_LIMIT
    if limit <= 0:
        return None
    counted = category in ctx.counted
    values = ctx.values if oid == ctx.ref.id else {}

    def build(k: int) -> Edit:
        new = old + sign * k
        plan = lambda: edits.set_org(ctx.plan, oid, lambda o: replace(o, staff=replace(o.staff, **{category: new})))
        return Edit(plan, (Change(org_ref(ctx, oid), org_path(oid, f"staff.{category}"), old, new),),
                    say("staff_down" if sign < 0 else "staff_up", k=k, category=WORDS[category], org=org.name,
                        old=old, new=new))

    def facts_at(k: int) -> dict:
        out = {category: old + sign * k}
        if counted:  # every fact that sums this organisation's counted staff moves with it
            for fact in ("counted_staff", "group_staff_after", "staff_gain"):
                if values.get(fact) is not None:
                    out[fact] = values[fact] + sign * k
        return out

    return Lever(f"staff{sign:+d}:{category}:{oid}", 0 if sign < 0 else 1, limit, build,
                 facts_at if oid == ctx.ref.id else None)


def category_levers(ctx: Context, category: str) -> list[Lever]:
    return [lv for sign in (-1, 1) if (lv := _staff(ctx, ctx.ref.id, category, sign))]


def counted_levers(ctx: Context) -> list[Lever]:
    """Counted staff moved in the organisation's largest counted category (down) or its first (up)."""
    org = ctx.orgs.get(ctx.ref.id)
    if org is None or not ctx.counted:
        return []
    largest = max(ctx.counted, key=lambda c: (getattr(org.staff, c), -ctx.counted.index(c)))
    first = next((c for c in ctx.counted if getattr(org.staff, c)), ctx.counted[0])
    return [lv for lv in (_staff(ctx, org.id, largest, -1), _staff(ctx, org.id, first, 1)) if lv]


def job_positions_levers(ctx: Context) -> list[Lever]:
    org = ctx.orgs.get(ctx.ref.id)
    if org is None:
        return []
    staff = ctx.values.get("counted_staff") or 0
    if org.job_positions is None:
        def build_set(_k: int) -> Edit:
            plan = lambda: edits.set_org(ctx.plan, org.id, lambda o: replace(o, job_positions=staff))
            return Edit(plan, (Change(ctx.ref, org_path(org.id, "job_positions"), None, staff),),
                        say("positions_set", org=org.name, new=staff))

        return [Lever(f"positions-set:{org.id}", 0, 1, build_set, lambda _k: {"job_positions": staff})]
    old = org.job_positions

    def build(k: int) -> Edit:
        plan = lambda: edits.set_org(ctx.plan, org.id, lambda o: replace(o, job_positions=old + k))
        return Edit(plan, (Change(ctx.ref, org_path(org.id, "job_positions"), old, old + k),),
                    say("positions_up", k=k, org=org.name, old=old, new=old + k))

    return [Lever(f"positions-up:{org.id}", 1, RAISE_LIMIT, build, lambda k: {"job_positions": old + k})]


def _flag(ctx: Context, name: str, value: bool, template: str, tier: int) -> list[Lever]:
    org = ctx.orgs.get(ctx.ref.id)
    if org is None or getattr(org, name) == value:
        return []

    def build(_k: int) -> Edit:
        plan = lambda: edits.set_org(ctx.plan, org.id, lambda o: replace(o, **{name: value}))
        return Edit(plan, (Change(ctx.ref, org_path(org.id, name), not value, value),), say(template, org=org.name))

    return [Lever(f"{name}:{org.id}", tier, 1, build, lambda _k: {name: value})]


def intermediate_levers(ctx: Context) -> list[Lever]:
    return _flag(ctx, "intermediate", False, "intermediate_off", 0)


def effective_levers(ctx: Context) -> list[Lever]:
    return _flag(ctx, "effective", True, "effective_on", 2)


def parent_deputies_levers(ctx: Context) -> list[Lever]:
    org = ctx.orgs.get(ctx.ref.id)
    return deputies_levers(ctx, org.parent, "parent_deputies") if org and org.parent in ctx.orgs else []


def _cuts(amounts: Mapping[str, int], k: int) -> dict[str, int]:
    """``k`` units taken one at a time from whichever holder has the most left (ties: by id).

    Computed arithmetically, in time independent of the amounts and of ``k``: taking from the
    largest first levels the holders down to some level ``L + 1``; the units left over then come
    from the holders at that level, smallest id first, each down to ``L``."""
    held = sorted(((a, oid) for oid, a in amounts.items() if a > 0), key=lambda x: (-x[0], x[1]))
    if k >= sum(a for a, _ in held):
        return {oid: a for a, oid in held}
    if k <= 0:
        return {}
    # level the largest holders down, one distinct amount at a time, while that takes at most k
    taken = above = 0
    level = held[0][0]
    for amount, _ in held:
        cost = taken + above * (level - amount)
        if cost > k:
            break
        taken, level, above = cost, amount, above + 1
    # then the ``above`` holders at ``level`` go down together, and the remainder by id
    extra = (k - taken) // above
    level -= extra
    rest = k - taken - extra * above
    cut = {}
    tops = sorted(oid for a, oid in held[:above])
    for oid in tops:
        cut[oid] = amounts[oid] - level
    for oid in tops[:rest]:
        cut[oid] += 1
    return {oid: c for oid, c in cut.items() if c > 0}


def staff_cut(ctx: Context, members: Iterable[str], k: int) -> tuple[Callable[[], Plan], tuple[Change, ...], Text]:
    """Counted staff cut by ``k`` across ``members`` (the largest first), with the per-organisation parts."""
    amounts = {oid: ctx.orgs[oid].staff.counted(ctx.counted) for oid in members}
    changes, parts, new_staff = [], [], {}
    for oid, cut in sorted(_cuts(amounts, k).items()):
        org = ctx.orgs[oid]
        left = cut
        staff = org.staff
        for category in sorted(ctx.counted, key=lambda c: -getattr(staff, c)):
            take = min(left, getattr(staff, category))
            if take:
                changes.append(Change(org_ref(ctx, oid), org_path(oid, f"staff.{category}"),
                                      getattr(staff, category), getattr(staff, category) - take))
                staff = replace(staff, **{category: getattr(staff, category) - take})
                left -= take
        new_staff[oid] = lambda o, staff=staff: replace(o, staff=staff)
        part = f"{org.name} {amounts[oid]} → {amounts[oid] - cut}"
        parts.append(Text(part, part))
    return (lambda: edits.set_orgs(ctx.plan, new_staff)), tuple(changes), join(parts)


def deputies_cut(ctx: Context, members: Iterable[str], k: int) -> tuple[Callable[[], Plan], tuple[Change, ...], Text]:
    amounts = {oid: ctx.orgs[oid].deputies for oid in members}
    changes, parts, new_deputies = [], [], {}
    for oid, cut in sorted(_cuts(amounts, k).items()):
        old = amounts[oid]
        new_deputies[oid] = lambda o, new=old - cut: replace(o, deputies=new)
        changes.append(Change(org_ref(ctx, oid), org_path(oid, "deputies"), old, old - cut))
        part = f"{ctx.orgs[oid].name} {old} → {old - cut}"
        parts.append(Text(part, part))
    return (lambda: edits.set_orgs(ctx.plan, new_deputies)), tuple(changes), join(parts)


def _group_members(ctx: Context) -> list[str]:
    """The organisations of ``after`` in the finding organisation's merger group."""
    org = ctx.orgs.get(ctx.ref.id)
    if org is None:
        return []
    links = ctx.index.links
    return sorted({org.id} | {o for s in org.formed_from for o in links.get(s, ()) if o in ctx.orgs})


def group_staff_levers(ctx: Context) -> list[Lever]:
    members = _group_members(ctx)
    old = ctx.values.get("group_staff_after")
    if not members or old is None:
        return []
    limit = sum(ctx.orgs[m].staff.counted(ctx.counted) for m in members)

    def build(k: int) -> Edit:
        plan, changes, parts = staff_cut(ctx, members, k)
        return Edit(plan, changes, say("group_staff_cut", k=k, org=ctx.ref.name, old=old, new=old - k, parts=parts))

    return [Lever(f"group-staff:{ctx.ref.id}", 0, limit, build, lambda k: {"group_staff_after": old - k})]


def group_deputies_levers(ctx: Context) -> list[Lever]:
    members = _group_members(ctx)
    old = ctx.values.get("group_deputies_after")
    if not members or old is None:
        return []

    def build(k: int) -> Edit:
        plan, changes, parts = deputies_cut(ctx, members, k)
        return Edit(plan, changes, say("group_deputies_cut", k=k, org=ctx.ref.name, old=old, new=old - k, parts=parts))

    return [Lever(f"group-deputies:{ctx.ref.id}", 0, sum(ctx.orgs[m].deputies for m in members), build,
                  lambda k: {"group_deputies_after": old - k})]


# ---- merging organisations


class _Merging:
    """Organisations of ``after`` merged away one after another, followed on the search's index:
    where each goes and what its target becomes, without copying the plan (that is done only for
    the edit that is verified, by :func:`.edits.merge_org`, which this mirrors)."""

    def __init__(self, ctx: Context):
        self.ctx = ctx
        self.removed: set = set()
        self.parent: dict = {}
        self.kids: dict = {}
        self.staff: dict = {}
        self.formed: dict = {}

    def parent_of(self, oid: str) -> Optional[str]:
        return self.parent.get(oid, self.ctx.orgs[oid].parent)

    def children(self, oid: str) -> list:
        return self.kids[oid] if oid in self.kids else self.ctx.index.children.get(oid, [])

    def formed_from(self, oid: str) -> tuple:
        return self.formed.get(oid, self.ctx.orgs[oid].formed_from)

    def counted(self, oid: str) -> int:
        return self.staff.get(oid, self.ctx.orgs[oid].staff).counted(self.ctx.counted)

    def target(self, victim_id: str) -> Optional[tuple[str, bool]]:
        """Where ``victim`` goes: a sibling of the same type (sharing a source first), else its parent."""
        orgs, parent = self.ctx.orgs, self.parent_of(victim_id)
        if parent is not None:
            kind, sources = orgs[victim_id].type, set(self.formed_from(victim_id))
            siblings = [o for o in self.children(parent)
                        if o != victim_id and o not in self.removed and orgs[o].type == kind]
            if siblings:
                best = min(siblings, key=lambda o: (not set(self.formed_from(o)) & sources, self.counted(o), o))
                return best, False
        if parent in orgs and parent not in self.removed:
            return parent, True
        return None

    def merge(self, victim_id: str, into: str) -> None:
        orgs = self.ctx.orgs
        victim_staff = self.staff.get(victim_id, orgs[victim_id].staff)
        into_staff = self.staff.get(into, orgs[into].staff)
        self.staff[into] = Staff(*(getattr(into_staff, c) + getattr(victim_staff, c)
                                   for c in ("civil_servants", "public_employees", "contract")))
        own = (victim_id,) if victim_id in self.ctx.before_orgs else self.formed_from(victim_id)
        self.formed[into] = tuple(dict.fromkeys(self.formed_from(into) + own))
        moved = [c for c in self.children(victim_id) if c not in self.removed]
        for child in moved:
            self.parent[child] = into
        self.kids[into] = [*self.children(into), *moved]
        self.kids[victim_id] = []
        self.removed.add(victim_id)


def merge_order(ctx: Context, candidates: Iterable[str]) -> list[str]:
    """Organisations to merge away first: new ones, then those formed by a merger; leaves and small ones first."""
    facts = {oid: ctx.facts("organization", oid) for oid in candidates}
    rank = {"new": 0, "formed": 1, "continuing": 2}
    return sorted(facts, key=lambda oid: (rank.get(facts[oid]["status"], 3), facts[oid]["children_after"],
                                          facts[oid]["counted_staff"], oid))


def _merges(ctx: Context, order: list[str], k: int) -> tuple[Callable[[], Plan], tuple[Change, ...], Text]:
    """The first ``k`` organisations of ``order`` merged away, each into its target in the plan so far."""
    merging, pairs, changes, parts = _Merging(ctx), [], [], []
    for victim_id in order[:k]:
        into, dissolve = merging.target(victim_id)
        merging.merge(victim_id, into)
        pairs.append((victim_id, into))
        changes.append(Change(org_ref(ctx, victim_id), f"after.organizations[{victim_id}]", victim_id, None))
        changes.append(Change(org_ref(ctx, into), org_path(into, "formed_from"),
                              list(ctx.orgs[into].formed_from), list(merging.formed_from(into))))
        parts.append(say("dissolve_org" if dissolve else "merge_org", victim=ctx.org_name(victim_id),
                         into=ctx.org_name(into)))

    def plan() -> Plan:
        changed = ctx.plan
        for victim_id, into in pairs:
            changed = edits.merge_org(changed, victim_id, into)
        return changed

    return plan, tuple(changes), capital(join(parts))


def _mergeable(ctx: Context, order: list[str]) -> list[str]:
    """The longest prefix of ``order`` (at most :data:`MERGE_LIMIT`) whose members can each be merged away."""
    merging, out = _Merging(ctx), []
    for victim_id in order[:MERGE_LIMIT]:
        target = merging.target(victim_id)
        if target is None:
            break
        merging.merge(victim_id, target[0])
        out.append(victim_id)
    return out


def merge_lever(ctx: Context, key: str, order: list[str], fact: str, template: str, tier: int) -> list[Lever]:
    order = _mergeable(ctx, order)
    if not order:
        return []
    old = ctx.values.get(fact)

    def build(k: int) -> Edit:
        plan, changes, text = _merges(ctx, order, k)
        return Edit(plan, changes, say(template, merges=text, org=ctx.ref.name, old=old,
                                       new=old - k if isinstance(old, int) else None))

    if fact == "status":  # the finding's own organisation is merged away
        facts_at = merged_away
    else:
        facts_at = (lambda k: {fact: old - k}) if isinstance(old, int) and not isinstance(old, bool) else None
    return [Lever(key, tier, len(order), build, facts_at)]


def children_merge_levers(ctx: Context) -> list[Lever]:
    children = ctx.index.children.get(ctx.ref.id, [])
    return merge_lever(ctx, f"merge-children:{ctx.ref.id}", merge_order(ctx, children),
                        "children_after", "merges_children", 2)


def self_merge_levers(ctx: Context) -> list[Lever]:
    if ctx.ref.id not in ctx.orgs:
        return []
    return merge_lever(ctx, f"merge-self:{ctx.ref.id}", [ctx.ref.id], "status", "merge_self", 1)


def _unit_members(ctx: Context, rep: str) -> list[str]:
    """The organisations (before and after) linked to ``rep`` by ``formed_from``: its settlement unit."""
    links = ctx.index.links
    seen, todo = {rep}, [rep]
    while todo:
        for other in links.get(todo.pop(), ()):
            if other not in seen:
                seen.add(other)
                todo.append(other)
    return sorted(seen)


def _settle_from(ctx: Context, rep: str) -> Optional[str]:
    """The organisation of ``before`` in the unit that lost the most counted staff."""
    def loss(oid: str) -> int:
        before = ctx.before_orgs[oid].staff.counted(ctx.counted)
        after = ctx.orgs[oid].staff.counted(ctx.counted) if oid in ctx.orgs else 0
        return before - after

    members = [m for m in _unit_members(ctx, rep) if m in ctx.before_orgs]
    return max(members, key=lambda m: (loss(m), m), default=None)


def transition_edit(ctx: Context, reps: Iterable[tuple[str, int]]) -> Optional[Edit]:
    added, parts = [], []
    for rep, count in reps:
        source = _settle_from(ctx, rep)
        if source is None or count <= 0:
            return None
        added.append(Transition(from_=source, outcome="streamlining", count=count))
        parts.append(say("transition_add", count=count, org=ctx.org_name(source), org_id=source))
    if not added:
        return None
    plan = lambda: edits.add_transitions(ctx.plan, tuple(added))
    changes = tuple(Change(org_ref(ctx, t.from_), "transitions", None,
                           {"from": t.from_, "outcome": t.outcome, "count": t.count}) for t in added)
    return Edit(plan, changes, join(parts, " "))


def settle_org_levers(ctx: Context) -> list[Lever]:
    count = ctx.values.get("unsettled_positions")
    edit = transition_edit(ctx, [(ctx.ref.id, count or 0)])
    if edit is None:
        return []
    return [Lever(f"settle:{ctx.ref.id}", 0, 1, lambda _k: edit, lambda _k: {"unsettled_positions": 0})]


def transfers_in_levers(ctx: Context) -> list[Lever]:
    """Fewer posts transferred into the unit from elsewhere (the transfers become unsettled posts)."""
    members = set(_unit_members(ctx, ctx.ref.id))
    into = [(i, t) for i, t in enumerate(ctx.plan.transitions)
            if t.outcome == "transfer" and t.to in members and t.from_ not in members]
    old = ctx.values.get("transfers_in")
    if not into or not old:
        return []

    def build(k: int) -> Edit:
        left = k
        transitions = list(ctx.plan.transitions)
        changes, parts = [], []
        for i, t in sorted(into, key=lambda it: (-it[1].count, it[0])):
            take = min(left, t.count)
            if not take:
                continue
            left -= take
            transitions[i] = replace(t, count=t.count - take)
            changes.append(Change(org_ref(ctx, t.from_), f"transitions[{i}].count", t.count, t.count - take))
            part = f"{ctx.org_name(t.from_)} {t.count} → {t.count - take}"
            parts.append(Text(part, part))
        plan = lambda: replace(ctx.plan, transitions=tuple(x for x in transitions if x.count > 0))
        return Edit(plan, tuple(changes), say("transfer_cut", k=k, org=ctx.ref.name, old=old, new=old - k,
                                              parts=join(parts)))

    return [Lever(f"transfers-in:{ctx.ref.id}", 1, old, build, lambda k: {"transfers_in": old - k})]


def pilot_exemption_levers(ctx: Context) -> list[Lever]:
    org = ctx.orgs.get(ctx.ref.id)
    unknown = ctx.values.get("pilot_unknown_exemption_list")
    if org is None or org.pilot is None or not unknown:
        return []
    drop = set(unknown.split(", "))
    kept = tuple(r for r in org.pilot.exempt_from if r not in drop)

    def build(_k: int) -> Edit:
        plan = lambda: edits.set_org(ctx.plan, org.id, lambda o: replace(o, pilot=replace(o.pilot, exempt_from=kept)))
        change = Change(ctx.ref, org_path(org.id, "pilot.exempt_from"), list(org.pilot.exempt_from), list(kept))
        return Edit(plan, (change,), say("pilot_drop", org=org.name, rules=unknown))

    return [Lever(f"pilot-exempt:{org.id}", 0, 1, build,
                  lambda _k: {"pilot_unknown_exemptions": 0, "pilot_unknown_exemption_list": None})]

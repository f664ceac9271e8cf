"""Named mutations: each introduces one specific violation into a compliant plan.

A mutation edits the plan in its file form, as an officer would, and is paired with the rule it
must trigger.  Where a rule's limit depends on the date and the entity (a deputy cap by staff and
province class, a population standard by terrain), the mutation asks a python-backend policy
where the limit lies and goes one step past it, or which place has a limit on the plan's date.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, Callable, Mapping, Optional, Sequence

from ..engine import Policy
from ..errors import Text
from ..model import Plan
from ..plan import load_plan, plan_to_dict
from ._base import PILOT_MODEL, entity_ids, oracle

Order = Callable[[Sequence[Any]], list]


@dataclass(frozen=True)
class Mutation:
    """One specific violation, introduced into a compliant plan; it must trigger ``rule``.

    ``implies`` names rules the violation breaks too by its nature (a hamlet small enough to be
    merged is also below the hamlet standard).  Calling the mutation gives the mutated plan, or
    None when the plan offers no place for it; ``order`` arranges the candidate places (default:
    as they come; under Hypothesis, drawn).
    """

    name: str
    rule: str
    description: Text
    edit: Callable[["Site"], Optional[dict]]
    implies: tuple[str, ...] = ()

    def __call__(self, plan: Plan, policy: Optional[Policy] = None, order: Order = list) -> Optional[Plan]:
        site = Site(plan, oracle(policy), order)
        data = self.edit(site)
        return None if data is None else load_plan(data, rule_ids=site.policy.rule_ids)


class Site:
    """What a mutation works on: the plan (and its file form), a python policy to ask, and
    ``order``, which decides which candidate place is tried first."""

    def __init__(self, plan: Plan, policy: Policy, order: Order):
        self.plan, self.policy, self.order = plan, policy, order
        self.data = plan_to_dict(plan)
        self._facts: Optional[dict] = None

    def copy(self) -> dict:
        return _copy(self.data)

    def facts(self, kind: str) -> dict[str, Mapping]:
        """The derived facts of every entity of ``kind``, by id."""
        if self._facts is None:
            table = self.policy.facts(self.plan, self.plan.effective)
            self._facts = {}
            for ref, entity in zip(table.refs, table.entities):
                self._facts.setdefault(ref.kind, {})[ref.id] = entity.values
        return self._facts.get(kind, {})

    def plan_facts(self) -> Mapping:
        return self.facts("plan")[self.plan.id]

    def fires(self, data: dict, rule: str) -> bool:
        report = self.policy.evaluate(load_plan(data, rule_ids=self.policy.rule_ids), fixes=False, origin=False)
        return any(f.rule == rule for f in report.findings)

    def first_firing(self, rule: str, candidates: Sequence[Any], edit: Callable[[dict, Any], None]) -> Optional[dict]:
        """The plan edited at the first candidate where ``rule`` then reports a finding."""
        for candidate in self.order(list(candidates)):
            data = self.copy()
            edit(data, candidate)
            if self.fires(data, rule):
                return data
        return None

    def threshold(self, rule: str, candidates: Sequence[Any], setter: Callable[[dict, Any, int], None],
                  span: Callable[[Any], tuple[int, int]], upward: bool = True) -> Optional[dict]:
        """The plan one step past ``rule``'s limit at the first candidate that has one.

        ``setter(data, candidate, n)`` writes the value ``n``; ``span(candidate)`` is the range to
        search.  Upward: the least ``n`` at which ``rule`` reports; downward: the greatest.
        """
        for candidate in self.order(list(candidates)):
            lo, hi = span(candidate)

            def fires(n: int) -> bool:
                data = self.copy()
                setter(data, candidate, n)
                return self.fires(data, rule)

            if lo > hi or not fires(hi if upward else lo):
                continue
            while lo < hi:  # the answer stays in [lo, hi]
                if upward:
                    mid = (lo + hi) // 2
                    lo, hi = (lo, mid) if fires(mid) else (mid + 1, hi)
                else:
                    mid = (lo + hi + 1) // 2
                    lo, hi = (mid, hi) if fires(mid) else (lo, mid - 1)
            data = self.copy()
            setter(data, candidate, lo)
            return data
        return None


def _copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value


def _items(data: dict, snap: str, key: str) -> list[dict]:
    return (data.get(snap) or {}).get(key, [])


def _find(data: dict, snap: str, key: str, ident: str) -> dict:
    return next(item for item in _items(data, snap, key) if item["id"] == ident)


def _org(data: dict, ident: str, snap: str = "after") -> dict:
    return _find(data, snap, "organizations", ident)


def _fresh_id(data: dict, stem: str) -> str:
    taken = set(entity_ids(data))
    return next(f"{stem}{n}" for n in range(1, len(taken) + 2) if f"{stem}{n}" not in taken)


def _alone(data: dict) -> list[str]:
    """Organisations of ``after`` that continue from ``before`` and belong to no merger group."""
    after = _items(data, "after", "organizations")
    grouped = {s for o in after for s in o.get("formed_from", ())} | {o["id"] for o in after if o.get("formed_from")}
    old = {o["id"] for o in _items(data, "before", "organizations")}
    return [o["id"] for o in after if o["id"] in old and o["id"] not in grouped]


def _unit_of(data: dict) -> dict[str, set[str]]:
    """Each organisation id -> its settlement unit: its merger group, or itself alone."""
    members: dict[str, set[str]] = {}
    for org in _items(data, "after", "organizations"):
        group = {org["id"], *org.get("formed_from", ())}
        for ident in list(group):
            group |= members.get(ident, set())
        for ident in group:
            members[ident] = group
    return members


# --------------------------------------------------------------------------- organisations


def _deputy_beyond_cap(site: Site) -> Optional[dict]:
    def setter(data, oid, n):
        _org(data, oid)["deputies"] = n

    orgs = [o["id"] for o in _items(site.data, "after", "organizations")]
    return site.threshold("deputy-cap", orgs, setter, lambda oid: (_org(site.data, oid).get("deputies", 0) + 1, 64))


def _new_intermediate(site: Site) -> Optional[dict]:
    candidates = [oid for oid, f in site.facts("organization").items() if f["in_after"] and not f["was_intermediate"]]
    return _set_org(site, candidates, lambda org: org.update(intermediate=True))


def _new_organisations(site: Site, beyond: int) -> Optional[dict]:
    """New organisations (no staff, no deputies) until ``after`` has ``beyond`` more than ``before``."""
    if "before" not in site.data:
        return None
    data = site.copy()
    missing = len(_items(data, "before", "organizations")) - len(_items(data, "after", "organizations")) + beyond
    if missing <= 0:
        return None
    for _ in range(missing):
        data["after"]["organizations"].append({"id": _fresh_id(data, "to-chuc-moi-"), "name": "Ban Quản lý mới",
                                               "type": "other", "level": "province"})
    return data


def _staff_increase(site: Site) -> Optional[dict]:
    facts = site.plan_facts()
    orgs = [o["id"] for o in _items(site.data, "after", "organizations")]
    if facts["staff_before"] is None or not orgs:
        return None
    data = site.copy()
    added = facts["staff_before"] - facts["staff_after"] + 1
    org = _org(data, site.order(orgs)[0])
    staff = org.setdefault("staff", {})
    staff["civil_servants"] = staff.get("civil_servants", 0) + added
    if org.get("job_positions") is not None:
        org["job_positions"] += added
    if "baseline" in data and facts["staff_after"]:  # the reduction against 2015 stays where it was
        ratio = (facts["staff_after"] + added) / facts["staff_after"]
        data["baseline"]["staff"] = math.ceil(data["baseline"]["staff"] * ratio)
    return data


def _understaffed(site: Site) -> Optional[dict]:
    """The greatest civil-servant count below the minimum, taken off ``before`` as well so that no
    position is removed; public employees go too (some minimums count them)."""

    def setter(data, oid, n):
        old, new = _org(data, oid, "before"), _org(data, oid)
        for category, keep in (("public_employees", 0), ("civil_servants", n)):
            cut = new.get("staff", {}).get(category, 0) - keep
            old.setdefault("staff", {})[category] = old.get("staff", {}).get(category, 0) - cut
            new.setdefault("staff", {})[category] = keep

    def span(oid):
        old, new = _org(site.data, oid, "before").get("staff", {}), _org(site.data, oid).get("staff", {})
        room = all(old.get(k, 0) >= new.get(k, 0) for k in ("civil_servants", "public_employees"))
        return (0, new.get("civil_servants", 0) - 1) if room else (1, 0)

    return site.threshold("min-staff-for-unit", _alone(site.data), setter, span, upward=False)


def _set_org(site: Site, candidates: list[str], change: Callable[[dict], None]) -> Optional[dict]:
    if not candidates:
        return None
    data = site.copy()
    change(_org(data, site.order(candidates)[0]))
    return data


def _beyond_positions(site: Site) -> Optional[dict]:
    staff = {oid: f["counted_staff"] for oid, f in site.facts("organization").items() if f["in_after"]}
    return _set_org(site, [oid for oid, n in staff.items() if n > 0],
                    lambda org: org.update(job_positions=staff[org["id"]] - 1))


def _positions_missing(site: Site) -> Optional[dict]:
    candidates = [oid for oid, f in site.facts("organization").items() if f["in_after"] and f["counted_staff"] > 0]
    return _set_org(site, candidates, lambda org: org.pop("job_positions", None))


def _pilot_without_approval(site: Site) -> Optional[dict]:
    orgs = [o["id"] for o in _items(site.data, "after", "organizations")]
    return _set_org(site, orgs, lambda org: org.update(
        pilot={"model": PILOT_MODEL, "exempt_from": org.get("pilot", {}).get("exempt_from", [])}))


def _pilot_unknown_exemption(site: Site) -> Optional[dict]:
    orgs = [o["id"] for o in _items(site.data, "after", "organizations")]
    return _set_org(site, orgs, lambda org: org.update(
        pilot={"model": PILOT_MODEL, "approval": "Quyết định 1234-QĐ/TU", "exempt_from": ["quy-tac-khong-co"]}))


def _more_deputies(site: Site) -> Optional[dict]:
    candidates = [oid for oid in _alone(site.data) if _org(site.data, oid).get("deputies", 0) > 0]
    if not candidates:
        return None
    data = site.copy()
    oid = site.order(candidates)[0]
    _org(data, oid, "before")["deputies"] = _org(data, oid)["deputies"] - 1
    return data


def _kept_ineffective(site: Site) -> Optional[dict]:
    candidates = _alone(site.data)
    if not candidates:
        return None
    data = site.copy()
    oid = site.order(candidates)[0]
    _org(data, oid, "before")["effective"] = False
    _org(data, oid)["effective"] = False
    return data


# --------------------------------------------------------------------------- staff and transitions


def _unsettled_position(site: Site) -> Optional[dict]:
    """One position of a unit that loses staff is left without a transition."""
    unit_of = _unit_of(site.data)
    units = [(oid, f) for oid, f in site.facts("organization").items()
             if f["settlement_unit"] and (f["removed_positions"] or 0) > 0]
    for oid, facts in site.order(units):
        group = unit_of.get(oid, {oid})
        data = site.copy()
        leaving = [t for t in data.get("transitions", ()) if t["from"] in group
                   and not (t["outcome"] == "transfer" and t.get("to") in group)]
        cut = facts["settled_positions"] - facts["removed_positions"] + 1
        for move in sorted(leaving, key=lambda t: t["outcome"] == "transfer"):  # transfers last
            taken = min(cut, move["count"])
            move["count"] -= taken
            cut -= taken
        if cut <= 0:
            data["transitions"] = [t for t in data["transitions"] if t["count"] > 0]
            return data
    return None


def _transfer_without_room(site: Site) -> Optional[dict]:
    """A retirement (or the like) becomes a transfer to an organisation whose staff does not grow."""
    unit_of = _unit_of(site.data)
    gains = {oid: f["staff_gain"] for oid, f in site.facts("organization").items() if f["settlement_unit"]}
    moves = site.data.get("transitions", [])
    for index in site.order(list(range(len(moves)))):
        move = moves[index]
        group = unit_of.get(move["from"], {move["from"]})
        targets = [o["id"] for o in _items(site.data, "after", "organizations")
                   if o["id"] not in group and gains.get(o["id"], 1) <= 0]
        if move["outcome"] != "transfer" and move["count"] > 0 and targets:
            data = site.copy()
            data["transitions"][index] = {"from": move["from"], "outcome": "transfer",
                                          "to": site.order(targets)[0], "count": move["count"]}
            return data
    return None


def _below_target(site: Site) -> Optional[dict]:
    staff_after = site.plan_facts()["staff_after"]
    if not staff_after:
        return None
    return site.first_firing("staff-reduction-target", [staff_after],
                             lambda data, staff: data.update(baseline={"year": 2015, "staff": staff}))


# --------------------------------------------------------------------------- tasks, people, the plan


def _add_task(data: dict, **fields: Any) -> dict:
    data["after"].setdefault("tasks", []).append({"id": _fresh_id(data, "nv-moi-"), "name": "Quản lý nhiệm vụ mới",
                                                  **fields})
    return data


def _task_without_lead(site: Site) -> Optional[dict]:
    lead = site.order(["absent", "empty"])[0]
    return _add_task(site.copy(), **({"lead": []} if lead == "empty" else {}))


def _task_with_two_leads(site: Site) -> Optional[dict]:
    orgs = [o["id"] for o in _items(site.data, "after", "organizations")]
    return _add_task(site.copy(), lead=site.order(orgs)[:2]) if len(orgs) >= 2 else None


def _dropped_task(site: Site) -> Optional[dict]:
    if "before" not in site.data:
        return None
    data = site.copy()
    old = [t["id"] for t in _items(data, "before", "tasks")]
    if not old:  # a task of before that after forgets
        data["before"].setdefault("tasks", []).append({"id": _fresh_id(data, "nv-cu-"), "name": "Quản lý nhiệm vụ cũ"})
        return data
    gone = site.order(old)[0]
    data["after"]["tasks"] = [t for t in _items(data, "after", "tasks") if t["id"] != gone]
    return data


def _several_lead_persons(site: Site) -> Optional[dict]:
    tasks = [t["id"] for t in _items(site.data, "after", "tasks") if not t.get("retired") and "lead" in t]
    people = [p["id"] for p in _items(site.data, "after", "people")]
    if not tasks:
        return None
    data = site.copy()
    task = _find(data, "after", "tasks", site.order(tasks)[0])
    task["lead_person"] = site.order(people)[:2] if len(people) > 1 else []
    return data


def _failing_leader(site: Site) -> Optional[dict]:
    orgs = [o["id"] for o in _items(site.data, "after", "organizations")]
    if not orgs:
        return None
    data = site.copy()
    post = {"org": site.order(orgs)[0], "role": site.order(["head", "deputy"])[0]}
    data["after"].setdefault("people", []).append({
        "id": _fresh_id(data, "cb-moi-"), "posts": [post], "ratings": {"2017": "completed", "2018": "not_completed"}})
    return data


def _draft(site: Site) -> Optional[dict]:
    data = site.copy()
    data["plan"]["approval"] = {"status": "draft"}
    return data


# --------------------------------------------------------------------------- administrative units


_PART_TIME = ("xa", "phuong", "thi_tran", "ap", "khom")  # the units that have part-time workers


def _units(site: Site, kinds: tuple[str, ...]) -> list[str]:
    return [u["id"] for u in _items(site.data, "after", "admin_units") if u.get("kind") in kinds]


def _set_unit(site: Site, rule: str, kinds: tuple[str, ...], change: Callable[[dict], None]) -> Optional[dict]:
    """The first unit of these kinds where the change makes ``rule`` report (a standard in force)."""
    return site.first_firing(rule, _units(site, kinds),
                             lambda data, uid: change(_find(data, "after", "admin_units", uid)))


def _below_standard(site: Site) -> Optional[dict]:
    return _set_unit(site, "admin-unit-standard", ("huyen", "thanh_pho", "xa"), lambda u: u.update(population=1_000))


def _hamlet_to_merge(site: Site) -> Optional[dict]:
    return _set_unit(site, "hamlet-merge-required", ("ap", "khom"), lambda u: u.update(households=10))


def _over_quota(site: Site) -> Optional[dict]:
    def setter(data, uid, n):
        _find(data, "after", "admin_units", uid)["part_time_workers"] = n

    def span(uid):
        return _find(site.data, "after", "admin_units", uid).get("part_time_workers", 0) + 1, 200

    return site.threshold("part-time-quota", _units(site, _PART_TIME), setter, span)


def _fund_over_norm(site: Site) -> Optional[dict]:
    return _set_unit(site, "part-time-lump-sum", _PART_TIME,
                     lambda u: u.update(allowance={"mode": "lump_sum", "fund_coefficient": 1_000.0}))


def _per_person(site: Site) -> Optional[dict]:
    return _set_unit(site, "part-time-lump-sum", _PART_TIME,
                     lambda u: u.update(allowance={**u.get("allowance", {}), "mode": "per_person"}))


def _m(name: str, rule: str, vi: str, en: str, edit, implies: tuple[str, ...] = ()) -> tuple[str, Mutation]:
    return name, Mutation(name, rule, Text(vi, en), edit, implies)


MUTATIONS: Mapping[str, Mutation] = MappingProxyType(dict([
    _m("deputy-beyond-cap", "deputy-cap", "Một tổ chức có số cấp phó vượt mức tối đa đúng một người",
       "An organisation has one deputy more than its cap", _deputy_beyond_cap),
    _m("new-intermediate", "no-new-intermediate", "Một tổ chức trước đây không phải cấp trung gian trở thành cấp trung gian",
       "An organisation that was no intermediate level becomes one", _new_intermediate),
    _m("task-without-lead", "one-lead-organization", "Thêm một nhiệm vụ không có đơn vị chủ trì",
       "A task with no lead organisation is added", _task_without_lead),
    _m("task-with-two-leads", "one-lead-organization", "Thêm một nhiệm vụ có hai đơn vị chủ trì",
       "A task with two lead organisations is added", _task_with_two_leads),
    _m("dropped-task", "task-continuity", "Một nhiệm vụ của cơ cấu trước sắp xếp bị bỏ sót: không đơn vị nào đảm nhận, cũng không được chấm dứt",
       "A task of `before` is dropped without being retired", _dropped_task),
    _m("new-organisation", "no-unit-increase", "Thêm tổ chức mới đến mức số đầu mối nhiều hơn trước sắp xếp",
       "New organisations are added until there are more than before", lambda site: _new_organisations(site, 1)),
    _m("units-not-reduced", "fewer-units", "Thêm tổ chức mới đến mức số đầu mối bằng trước sắp xếp",
       "New organisations are added until there are as many as before", lambda site: _new_organisations(site, 0)),
    _m("staff-increase", "no-staff-increase", "Biên chế sau sắp xếp nhiều hơn trước sắp xếp một người",
       "Counted staff after ends one above staff before", _staff_increase),
    _m("unsettled-position", "affected-staff-settled", "Một biên chế bị cắt giảm không còn phương án giải quyết",
       "One removed position is left without a transition", _unsettled_position),
    _m("transfer-without-room", "affected-staff-settled", "Biên chế được điều chuyển đến một tổ chức có biên chế không tăng",
       "Positions are transferred to an organisation whose staff does not grow", _transfer_without_room),
    _m("below-target", "staff-reduction-target", "Biên chế năm gốc bằng biên chế sau sắp xếp: không giảm được gì",
       "The baseline staff equals the staff after: no reduction at all", _below_target),
    _m("understaffed-unit", "min-staff-for-unit", "Một tổ chức có ít hơn số biên chế tối thiểu đúng một người",
       "An organisation has one civil servant fewer than its minimum", _understaffed),
    _m("staff-beyond-positions", "staff-within-job-positions", "Biên chế vượt số vị trí việc làm được duyệt",
       "Counted staff exceeds the approved job positions", _beyond_positions),
    _m("positions-missing", "staff-within-job-positions", "Tổ chức có biên chế nhưng chưa có vị trí việc làm được duyệt",
       "An organisation with staff has no approved job positions", _positions_missing),
    _m("pilot-without-approval", "pilot-approved", "Mô hình thí điểm không có văn bản cho phép",
       "A pilot model cites no approval", _pilot_without_approval),
    _m("pilot-unknown-exemption", "pilot-approved", "Mô hình thí điểm được miễn trừ một quy tắc không tồn tại",
       "A pilot is exempted from a rule that does not exist", _pilot_unknown_exemption),
    _m("more-deputies", "fewer-deputies", "Một tổ chức giữ nguyên nhưng có nhiều cấp phó hơn trước",
       "A continuing organisation has more deputies than before", _more_deputies),
    _m("kept-ineffective", "ineffective-rearranged", "Một tổ chức hoạt động không hiệu quả được giữ nguyên",
       "An ineffective organisation is kept as it is", _kept_ineffective),
    _m("failing-leader", "leader-performance", "Người giữ chức vụ cấp trưởng, cấp phó bị xếp loại không hoàn thành nhiệm vụ ở năm gần nhất",
       "A head or deputy was rated not_completed in the latest year", _failing_leader),
    _m("several-lead-persons", "one-lead-person", "Một nhiệm vụ nêu nhiều người chủ trì, hoặc danh sách rỗng",
       "A task names several lead persons, or an empty list", _several_lead_persons),
    _m("draft-plan", "plan-submitted", "Đề án còn là dự thảo", "The plan is still a draft", _draft),
    _m("below-standard", "admin-unit-standard", "Một huyện, thành phố hoặc xã có dân số dưới tiêu chuẩn",
       "A district, city or commune falls below the population standard", _below_standard),
    _m("hamlet-to-merge", "hamlet-merge-required", "Một ấp, khóm có số hộ dưới một nửa tiêu chuẩn",
       "A hamlet has fewer than half the standard households", _hamlet_to_merge, ("admin-unit-standard",)),
    _m("over-quota", "part-time-quota", "Số người hoạt động không chuyên trách vượt định mức một người",
       "Part-time workers end one above the quota", _over_quota),
    _m("fund-over-norm", "part-time-lump-sum", "Quỹ phụ cấp khoán vượt định mức",
       "The lump-sum allowance fund exceeds the norm", _fund_over_norm),
    _m("per-person-allowance", "part-time-lump-sum", "Phụ cấp chi theo từng người thay vì khoán quỹ",
       "Allowances are paid per person instead of as a lump sum", _per_person),
]))

"""What generation needs: the policy's dates and numbers, a source of choices, words for names.

Every builder makes its choices through :class:`Choices`, so the same code runs choice by
choice under Hypothesis (best shrinking) or from one seed (:class:`SeededChoices`, several
times faster, for the long differential runs).
"""
from __future__ import annotations

import datetime as dt
import math
import random
from abc import ABC, abstractmethod
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping, Optional, Sequence, TypeVar

from hypothesis import strategies as st

from ..engine import Policy, shipped_policy_dir

T = TypeVar("T")

START, END = dt.date(2015, 1, 1), dt.date(2031, 12, 31)
SETTLING = ("retirement", "early_retirement", "resignation", "streamlining", "contract_end")
OUTCOMES = ("transfer",) + SETTLING
ORG_PREFIXES = ("sonv/", "ubnd-", "ts/", "o", "ban.", "P_")
UNIT_KINDS = {"district": ("huyen", "thi_xa", "thanh_pho"), "commune": ("xa", "phuong", "thi_tran"),
              "hamlet": ("ap", "khom")}
ORG_WORDS = {
    "party_committee": "Đảng ủy", "party_body": "Ban", "people_committee": "Ủy ban nhân dân",
    "people_council": "Hội đồng nhân dân", "department": "Sở", "district_office": "Phòng",
    "sub_department": "Chi cục", "internal_unit": "Phòng", "inspectorate": "Thanh tra",
    "mass_organization": "Hội", "public_service_unit": "Trung tâm", "other": "Văn phòng",
}
UNIT_WORDS = {"huyen": "Huyện", "thi_xa": "Thị xã", "thanh_pho": "Thành phố", "xa": "Xã", "phuong": "Phường",
              "thi_tran": "Thị trấn", "ap": "Ấp", "khom": "Khóm", None: "Đơn vị"}
_WORDS = ("Nội vụ", "Tài chính", "Tư pháp", "Xây dựng", "Y tế", "Giáo dục và Đào tạo", "Công Thương",
          "Tài nguyên và Môi trường", "Nông nghiệp và Phát triển nông thôn", "Văn hóa, Thể thao và Du lịch",
          "Tổ chức cán bộ", "Thi đua - Khen thưởng", "Tôn giáo", "Văn thư - Lưu trữ", "Dân vận", "Mỹ Khánh",
          "Long Xuyên", "Châu Đốc", "Tân Châu", "Tri Tôn", "Tịnh Biên", "Chợ Mới", "Phú Tân", "Thoại Sơn",
          "Châu Thành", "An Phú", "Châu Phú", "Núi Sam", "Vĩnh Mỹ", "Long Thạnh")
#: The usual units under a parent of each type (None: at the top), so that the rules about them
#: are often at stake; generation picks from these half the time, from any type otherwise.
CHILD_TYPES = {None: ("department", "party_body", "people_committee", "sub_department"),
               "department": ("internal_unit", "sub_department", "inspectorate"),
               "sub_department": ("internal_unit",), "party_body": ("internal_unit",),
               "people_committee": ("department", "district_office")}
#: How large a unit of each level is: population, households and area (km²) are drawn up to these.
UNIT_SCALE = {"district": (400_000, 100_000, 2_000.0), "commune": (40_000, 10_000, 200.0),
              "hamlet": (4_000, 1_000, 20.0)}
_REASONS = ("Sáp nhập, dôi dư trong thời gian chuyển tiếp", "Thí điểm theo Kết luận của Trung ương")
PILOT_MODEL = "Hợp nhất Văn phòng Đoàn ĐBQH, HĐND và UBND"
RETIRED = {"reason": "Chức năng được chuyển giao cho Trung ương"}


# --------------------------------------------------------------------------- choices


class Choices(ABC):
    """The choices a builder makes; subclasses decide where they come from."""

    @abstractmethod
    def integer(self, lo: int, hi: int) -> int:
        """A whole number from ``lo`` to ``hi``."""

    @abstractmethod
    def real(self, hi: float) -> float:
        """Any float from 0 to ``hi``."""

    def boolean(self) -> bool:
        return self.integer(0, 1) == 1

    def one_in(self, n: int) -> bool:
        return self.integer(0, n - 1) == 0

    def choice(self, items: Sequence[T]) -> T:
        return items[self.integer(0, len(items) - 1)]

    def subset(self, items: Sequence[T], least: int = 0, most: int = 3) -> list[T]:
        """Distinct items, from ``least`` to ``most`` of them (fewer if there are not enough)."""
        pool = list(items)
        out = []
        for _ in range(self.integer(min(least, len(pool)), min(most, len(pool)))):
            out.append(pool.pop(self.integer(0, len(pool) - 1)))
        return out

    def shuffled(self, items: Sequence[T]) -> list[T]:
        return self.subset(items, len(items), len(items))

    def maybe(self, value: T) -> Optional[T]:
        return value if self.boolean() else None


class DrawChoices(Choices):
    """Choices drawn one by one from Hypothesis, which then shrinks each of them."""

    def __init__(self, draw):
        self.draw = draw

    def integer(self, lo: int, hi: int) -> int:
        return self.draw(st.integers(lo, hi))

    def real(self, hi: float) -> float:
        return self.draw(st.floats(0, hi, allow_nan=False, allow_infinity=False))

    def choice(self, items: Sequence[T]) -> T:
        return self.draw(st.sampled_from(items))

    def shuffled(self, items: Sequence[T]) -> list[T]:
        return self.draw(st.permutations(items)) if items else []


class SeededChoices(Choices):
    """Choices from a pseudo-random generator: one Hypothesis draw (its seed) per plan, several
    times faster, but Hypothesis can shrink a failure only by trying other seeds."""

    def __init__(self, seed: int):
        self.rng = random.Random(seed)

    def integer(self, lo: int, hi: int) -> int:
        return self.rng.randint(lo, hi) if hi > lo else lo

    def real(self, hi: float) -> float:
        return self.rng.uniform(0, hi)


# --------------------------------------------------------------------------- the policy


@dataclass(frozen=True)
class Knowledge:
    """What generation takes from a policy: its rule ids, the dates its parameters change and its
    deadlines, the numbers its parameters hold (values next to them probe every threshold), and
    a python-backend policy to ask (mutations look for thresholds with it)."""

    policy: Policy
    rule_ids: tuple[str, ...]
    boundaries: tuple[dt.date, ...]
    numbers: tuple[float, ...]

    def __repr__(self) -> str:  # Hypothesis prints strategies' arguments: keep it short
        return f"<policy {self.policy.id} in {self.policy.directory}>"

    def counted(self, on: dt.date) -> tuple[str, ...]:
        """The staff categories counted towards the targets on ``on``."""
        return self.policy.counted_categories(on)

    def count(self, c: Choices, most: int, base: Optional[int] = None) -> int:
        """A count up to ``most``: anything, a small one, next to a policy number, or close to ``base``."""
        mode = c.integer(0, 2 if base is None else 4)
        near = _near_counts(self.numbers, most)
        if mode == 1:
            return c.integer(0, min(most, 12))
        if mode == 2 and near:
            return c.choice(near)
        if mode == 3:
            return base
        if mode == 4:
            return max(0, base + c.integer(-2, 2))
        return c.integer(0, most)

    def real(self, c: Choices, most: float) -> float:
        """A number from 0 to ``most``: whole, with two decimals, any float, or next to a policy
        number -- some nearer than the 4 decimals both backends keep."""
        mode = c.integer(0, 3)
        near = _near_reals(self.numbers, most)
        if mode == 1 and near:
            return c.choice(near)
        if mode == 2:
            return c.integer(0, int(most) * 100) / 100
        if mode == 3:
            return c.real(most)
        return float(c.integer(0, int(most)))


@lru_cache(maxsize=256)
def _near_counts(numbers: tuple[float, ...], most: float) -> tuple[int, ...]:
    found = {int(v) + d for v in numbers for d in (-1, 0, 1)}
    return tuple(sorted(n for n in found if 0 <= n <= most))


@lru_cache(maxsize=256)
def _near_reals(numbers: tuple[float, ...], most: float) -> tuple[float, ...]:
    found = {float(v) + d for v in numbers for d in (-0.0001, -0.00005, 0.0, 0.00004, 0.0001, 0.1)}
    return tuple(sorted(x for x in found if 0 <= x <= most))


@lru_cache(maxsize=8)
def _python_policy(directory: str) -> Policy:
    return Policy.load(directory)


def oracle(policy: Optional[Policy]) -> Policy:
    """The python-backend policy of ``policy``'s folder (default: the shipped policy)."""
    if policy is None:
        return _python_policy(str(shipped_policy_dir()))
    if policy.backend_name == "python":
        return policy
    return _python_policy(str(policy.directory))


def knowledge(policy: Optional[Policy]) -> Knowledge:
    return _knowledge_of(oracle(policy))


@lru_cache(maxsize=8)
def _knowledge_of(policy: Policy) -> Knowledge:
    dates, numbers = set(), set()
    for param in policy.params:
        for since, entry in param.values:
            dates.add(since)
            numbers.update(_numbers_in(entry.value))
    for rule in policy.rules:
        dates.update(d for d in (rule.spec.deadline, rule.spec.target and rule.spec.target.deadline) if d)
    return Knowledge(policy, tuple(sorted(policy.rule_ids)), tuple(sorted(dates)), tuple(sorted(numbers)))


def _numbers_in(value: Any) -> list[float]:
    if value is None or isinstance(value, (bool, str)):
        return []
    if isinstance(value, (int, float)):
        return [value] if math.isfinite(value) else []
    items = value.values() if isinstance(value, Mapping) else value
    return [n for item in items for n in _numbers_in(item)]


def edges(policy: Optional[Policy], start: dt.date, end: dt.date) -> list[dt.date]:
    """The days before, of and after each parameter change or deadline, from ``start`` to ``end``."""
    return sorted({d + dt.timedelta(days=k) for d in knowledge(policy).boundaries for k in (-1, 0, 1)
                   if start <= d + dt.timedelta(days=k) <= end})


def dates_near_boundaries(policy: Optional[Policy], start: dt.date, end: dt.date) -> st.SearchStrategy[dt.date]:
    """Dates from ``start`` to ``end``, often next to a parameter change or deadline."""
    near = edges(policy, start, end)
    uniform = st.dates(start, end)
    return st.one_of(uniform, st.sampled_from(near)) if near else uniform


def any_day(c: Choices, near: Sequence[dt.date], start: dt.date = START, end: dt.date = END) -> dt.date:
    """A day from ``start`` to ``end``, half the time one of ``near``."""
    if near and c.boolean():
        return c.choice(near)
    return start + dt.timedelta(days=c.integer(0, (end - start).days))


# --------------------------------------------------------------------------- small helpers


class Ids:
    """Fresh ids, unique across the plan; prefixes vary so that id order differs from list order."""

    def __init__(self, c: Choices):
        self.c = c
        self.count = 0

    def __call__(self, prefixes: Sequence[str]) -> str:
        self.count += 1
        return f"{self.c.choice(prefixes)}{self.count}"


def name(c: Choices, word: str) -> str:
    return f"{word} {c.choice(_WORDS)}"


def put(target: dict, **fields: Any) -> dict:
    """``target`` with the fields that have a value (an absent key and null mean the same)."""
    target.update({k: v for k, v in fields.items() if v is not None})
    return target


def counted(org: dict, categories: Sequence[str]) -> int:
    return sum(org.get("staff", {}).get(c, 0) for c in categories)


def entity_ids(data: dict) -> list[str]:
    """Every id of the plan: the plan's own and those of every entity in both snapshots."""
    found = {data["plan"]["id"]}
    for snap in ("before", "after"):
        for items in (data.get(snap) or {}).values():
            found.update(item["id"] for item in items)
    return sorted(found)


def head(c: Choices, ids: Ids, effective: dt.date) -> dict:
    """The plan's ``plan:`` block, approval sometimes given."""
    out = {"id": ids(("ke-hoach-", "de-an/", "plan.")), "title": name(c, "Đề án sắp xếp"), "jurisdiction": "An Giang"}
    put(out, province_class=c.choice((1, 2, 3, None)), effective=effective.isoformat())
    if c.boolean():
        out["approval"] = put({"status": c.choice(("draft", "submitted", "approved"))},
                              body=c.maybe("Ban Thường vụ Tỉnh ủy"), reference=c.maybe("Quyết định 123-QĐ/TU"))
    return out


def waivers(c: Choices, know: Knowledge, most: int, data: dict, effective: dt.date) -> list[dict]:
    """Waivers of the policy's rules, for the plan or one of its entities, some already expired."""
    if not know.rule_ids:
        return []
    entities = entity_ids(data)
    out = []
    for _ in range(c.integer(0, most)):
        rule = out[-1]["rule"] if out and c.boolean() else c.choice(know.rule_ids)  # two waivers may meet
        waiver = {"rule": rule, "entity": c.choice(entities) if c.boolean() else None, "reason": c.choice(_REASONS),
                  "approved_by": "Ban Thường vụ Tỉnh ủy", "reference": c.choice(("Công văn 456-CV/TU", "Công văn 789-CV/TU"))}
        if c.boolean():
            waiver["expires"] = (effective + dt.timedelta(days=c.integer(-3, 3))).isoformat()
        out.append(put({}, **waiver))
    return out

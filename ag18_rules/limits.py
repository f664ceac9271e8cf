"""What a plan may hold, checked at the one boundary every plan crosses (:func:`.plan.load_plan`).

The cost of every later stage (deriving facts, evaluating, searching fixes, rendering) grows with
the plan's size, never with the numbers or texts in it, as long as the plan stays inside these
limits: a bounded number of entities and nodes, texts of bounded length without characters that
break JSON or terminals, and finite numbers of bounded magnitude.  The defaults let a
province-wide plan through with room to spare and keep a plan at the limit evaluating in seconds;
an application that needs more passes its own :class:`Limits` to ``load_plan``.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from .errors import Diagnostic, Text

__all__ = ["DEFAULT_LIMITS", "MAX_PLAN_BYTES", "Limits", "boundary_problems", "entity_problems"]

# A province-wide plan of 100,000 organisations takes about 17 MB of YAML; the reader's general
# 5 MB limit is meant for rule and parameter files.  A plan file at this size holds at most about
# 450,000 entities (MAX_ENTITIES lets all of them through: a plan at both limits is checked in
# about half a minute on one core).
MAX_PLAN_BYTES = 64 * 1024 * 1024

# What YAML forbids in a stream, refused in a program's data too: NUL and the other control
# characters (tab and line breaks excepted), lone surrogates, and the non-characters U+FFFE/FFFF.
_BAD_CHARACTER = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ENTITY_LISTS = ("organizations", "tasks", "admin_units", "people")
_MAX_REPORTED = 50  # problems of one kind listed before the rest are summed up


@dataclass(frozen=True)
class Limits:
    """Bounds on one plan: raise them explicitly, e.g. ``Limits(max_entities=10**6)``.

    ``max_bytes``: file size; ``max_depth``: nesting of mappings and lists; ``max_nodes``: values
    of every kind in the whole plan; ``max_entities``: organisations, tasks, administrative units
    and people of ``before`` and ``after`` together, with transitions and waivers;
    ``max_string``: characters of any one text; ``max_number``: magnitude of any number.
    """

    max_bytes: int = MAX_PLAN_BYTES
    max_depth: int = 64
    max_nodes: int = 5_000_000
    max_entities: int = 500_000
    max_string: int = 10_000
    max_number: int = 10**15


DEFAULT_LIMITS = Limits()


def boundary_problems(doc, data: Any, limits: Limits) -> list[Diagnostic]:
    """Every value of ``data`` that no plan may hold, as diagnostics at its path in ``doc``."""
    scan = _Scan(doc, limits)
    if not _clean(data, limits):  # the common case costs one pass without paths
        scan.walk(data)
    scan.entities(data)
    return scan.finish()


def entity_problems(doc, data: Any, limits: Limits) -> list[Diagnostic]:
    """The one limit a plan whose values are all within bounds may still break: its entity count."""
    scan = _Scan(doc, limits)
    scan.entities(data)
    return scan.finish()


def _clean(data: Any, limits: Limits) -> bool:
    """True when no value of ``data`` breaks a limit (nesting is bounded by the loader)."""
    stack, nodes = [data], 0
    most, longest, bad = limits.max_number, limits.max_string, _BAD_CHARACTER.search
    isfinite = math.isfinite
    while stack:
        value = stack.pop()
        nodes += 1
        kind = type(value)
        if kind is dict:
            stack.extend(value.values())
            if not all(type(k) is str and len(k) <= longest and not bad(k) for k in value):
                return False
        elif kind is list:
            stack.extend(value)
        elif kind is str or isinstance(value, str):
            if len(value) > longest or bad(value):
                return False
        elif kind is float:
            if not isfinite(value) or abs(value) > most:
                return False
        elif kind is int and abs(value) > most:
            return False
    return nodes <= limits.max_nodes


class _Scan:
    """One pass over the plan's values; the work is bounded by ``max_nodes`` whatever they hold."""

    def __init__(self, doc, limits: Limits):
        self.doc = doc
        self.limits = limits
        self.out: list[Diagnostic] = []
        self.counts: dict[str, int] = {}

    def walk(self, data: Any) -> None:
        stack: list[tuple[Any, tuple]] = [(data, ())]
        nodes = 0
        while stack:
            value, path = stack.pop()
            nodes += 1
            if nodes > self.limits.max_nodes:
                self._too_many_nodes()
                return
            if isinstance(value, dict):
                for key, item in value.items():
                    if isinstance(key, str):
                        self._text(key, path + (key,), key=True)
                    stack.append((item, path + (key,)))
            elif isinstance(value, list):
                stack.extend((item, path + (i,)) for i, item in enumerate(value))
            elif isinstance(value, str):
                self._text(value, path)
            elif isinstance(value, float):
                if not math.isfinite(value):
                    self._report("not-finite", path, Text(
                        f"Số '{value}' không phải một số hữu hạn; hãy ghi một số cụ thể.",
                        f"'{value}' is not a finite number; write an actual number."))
                elif abs(value) > self.limits.max_number:
                    self._too_big(value, path)
            elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > self.limits.max_number:
                self._too_big(value, path)

    def _text(self, text: str, path: tuple, key: bool = False) -> None:
        if len(text) > self.limits.max_string:
            self._report("text-too-long", path, Text(
                f"Văn bản dài {len(text):,} ký tự, vượt giới hạn {self.limits.max_string:,} ký tự.".replace(",", "."),
                f"The text is {len(text):,} characters long, over the limit of {self.limits.max_string:,}."), key)
            return
        bad = _BAD_CHARACTER.search(text)
        if bad:
            code = f"U+{ord(bad.group()):04X}"
            self._report("bad-character", path, Text(
                f"Văn bản chứa ký tự không được phép {code} (ký tự điều khiển, NUL hoặc nửa cặp thay thế) "
                f"ở vị trí {bad.start() + 1}.",
                f"The text contains the character {code}, which is not allowed (a control character, NUL "
                f"or half of a surrogate pair), at position {bad.start() + 1}."), key)

    def _too_big(self, value: Any, path: tuple) -> None:
        shown = f"{value:.3g}"
        self._report("number-too-large", path, Text(
            f"Số {shown} vượt quá giới hạn độ lớn {self.limits.max_number:.0e} của một kế hoạch.",
            f"The number {shown} is beyond the limit of {self.limits.max_number:.0e} for a plan."))

    def _too_many_nodes(self) -> None:
        n = self.limits.max_nodes
        self._report("too-many-nodes", (), Text(
            f"Kế hoạch có hơn {n:,} giá trị; hãy chia nhỏ kế hoạch.".replace(",", "."),
            f"The plan holds more than {n:,} values; split it into smaller plans."))

    def entities(self, data: Any) -> None:
        """The entity lists together stay within ``max_entities``."""
        if not isinstance(data, dict):
            return
        lists = [(snap, name) for snap in ("before", "after") for name in _ENTITY_LISTS]
        total = sum(len(data[s][n]) for s, n in lists
                    if isinstance(data.get(s), dict) and isinstance(data[s].get(n), list))
        total += sum(len(data[k]) for k in ("transitions", "waivers") if isinstance(data.get(k), list))
        if total > self.limits.max_entities:
            n = self.limits.max_entities
            self._report("too-many-entities", (), Text(
                f"Kế hoạch có {total:,} đối tượng, vượt giới hạn {n:,}; hãy chia nhỏ kế hoạch.".replace(",", "."),
                f"The plan has {total:,} entities, over the limit of {n:,}; split it into smaller plans."))

    def _report(self, code: str, path: tuple, message: Text, key: bool = False) -> None:
        seen = self.counts[code] = self.counts.get(code, 0) + 1
        if seen <= _MAX_REPORTED:
            self.out.append(self.doc.diagnostic(code, message, path, key=key))

    def finish(self) -> list[Diagnostic]:
        for code, seen in sorted(self.counts.items()):
            if seen > _MAX_REPORTED:
                self.out.append(self.doc.diagnostic(code, Text(
                    f"... và {seen - _MAX_REPORTED} chỗ khác cùng lỗi '{code}'.",
                    f"... and {seen - _MAX_REPORTED} more of '{code}'."), ()))
        return self.out

"""Enumerated values in parameter files, checked against their lists when the policy loads.

A misspelt staff category (``public_employes``) or table key (``mountian``) would otherwise pass
``ag18 validate`` and fail, or silently match nothing, when a plan is evaluated.  The lists come
from the model (staff categories) and the fact catalogue (every fact with ``choices``).
"""
from __future__ import annotations

from dataclasses import fields
from typing import Any, Iterator

from . import schema
from .errors import Diagnostic, Text
from .facts.catalogue import CATALOGUE
from .model import Staff

__all__ = ["STAFF_CATEGORIES", "check_enumerations"]

STAFF_CATEGORIES = tuple(f.name for f in fields(Staff))
DEFAULT_KEY = "*"

#: parameters of unit ``categories`` and the list their values come from
CATEGORY_LISTS: dict[str, tuple[str, ...]] = {
    "staff.counted_categories": STAFF_CATEGORIES,
    "part_time.allowance_mode": CATALOGUE["admin_unit"]["allowance_mode"].type.choices,
}


def _choices(fact: str) -> tuple[str, ...]:
    """The values an index fact can take, when it is enumerated (the first kind that has it)."""
    for facts in CATALOGUE.values():
        spec = facts.get(fact)
        if spec is not None:
            return spec.type.choices
    return ()


def check_enumerations(doc, pid: str, raw: dict, base: tuple) -> list[Diagnostic]:
    """Every category value and table key of parameter ``pid`` not in its list, with did-you-mean."""
    out = []
    index = tuple(raw.get("index", ()))
    allowed = CATEGORY_LISTS.get(pid) if raw.get("unit") == "categories" else None
    values = raw.get("values")
    for key, entry in (values.items() if isinstance(values, dict) else ()):
        if isinstance(entry, dict):
            path = base + ("values", key, "value")
            for where, word, choices, is_key in _words(entry.get("value"), path, index, allowed):
                out.append(_unknown(doc, where, word, choices, is_key))
    return out


def _words(value: Any, path: tuple, index: tuple, allowed) -> Iterator[tuple[tuple, str, tuple, bool]]:
    """(path, word, its list, whether it is a table key) for each enumerated word not in its list."""
    if index and isinstance(value, dict):
        choices = _choices(index[0])
        for key, item in value.items():
            if choices and isinstance(key, str) and key != DEFAULT_KEY and key not in choices:
                yield path + (key,), key, choices, True
            yield from _words(item, path + (key,), index[1:], allowed)
    elif allowed and isinstance(value, list):
        for i, word in enumerate(value):
            if isinstance(word, dict):
                yield from _words(word.get("value"), path + (i, "value"), (), allowed)
            elif isinstance(word, str) and word not in allowed:
                yield path + (i,), word, allowed, False
    elif allowed and isinstance(value, str) and value not in allowed:
        yield path, value, allowed, False


def _unknown(doc, path: tuple, word: str, choices: tuple, is_key: bool) -> Diagnostic:
    hint = schema.closest(word, choices)
    listed = ", ".join(choices)
    vi = f"'{word}' không có trong danh sách: {listed}"
    en = f"'{word}' is not one of: {listed}"
    if hint:
        vi += f"; có phải ý là '{hint}'?"
        en += f"; did you mean '{hint}'?"
    return doc.diagnostic("unknown-value", Text(vi, en), path, key=is_key)

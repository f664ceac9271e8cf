"""Changes in the ``field`` / ``to`` form of a fix: their paths, and the edits done locally.

:func:`local_changes` turns a list of changes into model terms (:class:`.live.Changes`) when every
one of them is an edit that :class:`.live.LiveEvaluation` can evaluate locally: an attribute of
an organisation, task or administrative unit of ``after`` that does not restructure the plan, a
task added or removed, a transition added or recounted, the plan's approval or baseline.  Each
changed entity is checked as a whole against its part of the plan schema and its references are
resolved; anything it is not sure of (another field, a value the fast check does not accept, an
unusual character) answers None, and the session then loads the edited plan in full, which
validates everything and reports every problem with its field.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Callable, Mapping, Optional, Sequence

from .errors import Diagnostic, InputError, Span, Text

if TYPE_CHECKING:
    from .live import Changes, LiveEvaluation

__all__ = ["ID_LISTS", "bad_change", "local_changes", "plain", "steps"]

#: lists of a snapshot whose entries are named by id in a field path
ID_LISTS = ("organizations", "tasks", "admin_units", "people")
_STEP = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)(?:\[([^\]]*)\])?")

#: fields edited locally, per list of ``after`` (the others restructure the plan)
LOCAL_FIELDS = {
    "organizations": frozenset({"name", "type", "level", "intermediate", "effective", "heads", "deputies", "staff",
                                "job_positions", "pilot", "province_merger"}),
    "tasks": frozenset({"name", "field", "lead", "lead_person", "support", "retired"}),
    "admin_units": frozenset({"name", "terrain", "population", "area_km2", "households", "class",
                              "part_time_workers", "allowance", "ethnic_minority"}),
}
_SCHEMA_OF = {"organizations": "organization", "tasks": "task", "admin_units": "adminUnit"}
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")


def bad_change(number: int, field: str, vi: str, en: str) -> InputError:
    return InputError([Diagnostic("bad-change", Text(vi, en), Span(f"<change {number + 1}>"), field)])


def steps(field: str, number: int) -> list[tuple[str, Optional[str]]]:
    """``a.b[x].c`` as [("a", None), ("b", "x"), ("c", None)]; ids may hold dots, never ``]``."""
    out, pos = [], 0
    malformed = (f"Đường dẫn trường '{field}' không hợp lệ.", f"Malformed field path '{field}'.")
    while pos < len(field):
        match = _STEP.match(field, pos)
        if match is None:
            raise bad_change(number, field, *malformed)
        out.append((match.group(1), match.group(2)))
        pos = match.end()
        if pos < len(field):
            if field[pos] != "." or pos + 1 == len(field):
                raise bad_change(number, field, *malformed)
            pos += 1
    if not out:
        raise bad_change(number, field, "Thiếu đường dẫn trường.", "The field path is empty.")
    return out


def plain(value: Any) -> Any:
    """A change's value as file data: a private copy, tuples as lists (a fix's values may be either)."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


# --------------------------------------------------------------------------- local edits


def local_changes(live: "LiveEvaluation", changes: Sequence[Mapping[str, Any]]) -> Optional["Changes"]:
    """``changes`` in model terms when all of them can be evaluated locally and are valid; else None."""
    from .live import Changes

    edit = _Edit(live)
    for number, change in enumerate(changes):
        if not edit.take(steps(change["field"], number), plain(change["to"])):
            return None
    return edit.build(Changes())


class _Edit:
    """The entities an edit touches, as file-form mappings, until they are checked and built."""

    def __init__(self, live: "LiveEvaluation"):
        from .plan import _emit

        self.live = live
        self.emit = _emit
        self.entities: dict[tuple[str, str], Optional[dict]] = {}  # (list, id) -> mapping, None: removed
        self.transitions: Optional[list] = None
        self.head: dict[str, Optional[dict]] = {}  # "approval" / "baseline" -> mapping

    def take(self, path: list[tuple[str, Optional[str]]], to: Any) -> bool:
        if not _simple(to):
            return False
        if len(path) >= 2 and path[0] == ("after", None) and path[1][0] in LOCAL_FIELDS and path[1][1] is not None:
            return self._entity(path[1][0], path[1][1], path[2:], to)
        if path[0][0] == "transitions":
            return self._transition(path, to)
        if len(path) == 3 and path[0] == ("plan", None) and path[1] == ("approval", None) and path[2][1] is None:
            return self._head("approval", path[2][0], to)
        if len(path) == 2 and path[0] == ("baseline", None) and path[1][1] is None:
            return self._head("baseline", path[1][0], to)
        return False

    def _entity(self, name: str, ident: str, rest: list, to: Any) -> bool:
        key = (name, ident)
        if not rest:  # a whole entry: only tasks are added or removed locally
            if name != "tasks" or not (to is None or isinstance(to, dict)) or (to and to.get("id", ident) != ident):
                return False
            self.entities[key] = None if to is None else {"id": ident, **{k: v for k, v in to.items() if k != "id"}}
            return True
        if rest[0][0] not in LOCAL_FIELDS[name] or any(k is not None for _, k in rest):
            return False
        if key not in self.entities:
            current = self._current(name, ident)
            if current is None:
                return False
            self.entities[key] = self.emit(current)
        holder = self.entities[key]
        if holder is None:
            return False
        for step, _ in rest[:-1]:
            inner = holder.get(step)
            if inner is None:
                inner = holder[step] = {}
            if not isinstance(inner, dict):
                return False
            holder = inner
        if to is None:
            holder.pop(rest[-1][0], None)
        else:
            holder[rest[-1][0]] = to
        return True

    def _current(self, name: str, ident: str):
        return {"organizations": self.live.after, "tasks": self.live.tasks, "admin_units": self.live.units}[name].get(ident)

    def _transition(self, path: list, to: Any) -> bool:
        """A transition appended (``transitions`` with a mapping) or recounted (``transitions[i].count``)."""
        if self.transitions is None:
            self.transitions = [self.emit(t) for t in self.live.transitions]
        (_, key), rest = path[0], path[1:]
        if key is None and not rest and isinstance(to, dict):
            self.transitions.append(to)
            return True
        if key is not None and key.isdigit() and int(key) < len(self.transitions) and rest == [("count", None)]:
            self.transitions[int(key)]["count"] = to
            return True
        return False

    def _head(self, part: str, name: str, to: Any) -> bool:
        if part not in self.head:
            current = getattr(self.live.head, part)
            self.head[part] = self.emit(current) if current is not None else {}
        if to is None:
            self.head[part].pop(name, None)
        else:
            self.head[part][name] = to
        return True

    # ---------------------------------------------------------------- checks and model objects

    def build(self, changes: "Changes") -> Optional["Changes"]:
        from . import plan as plans

        for (name, ident), data in self.entities.items():
            if data is not None and not (_valid(_SCHEMA_OF[name], data) and self._resolves(name, data)):
                return None
            if name == "organizations":
                changes.orgs[ident] = plans._organization(data)
            elif name == "tasks":
                changes.tasks[ident] = None if data is None else plans._task(data)
            else:
                changes.units[ident] = plans._admin_unit(data)
        if self.transitions is not None:
            if not all(_valid("transition", t) and self._transfer_ok(t) for t in self.transitions):
                return None
            changes.transitions = tuple(plans._transition(t) for t in self.transitions)
        for part, data in self.head.items():
            if not _valid_head(part, data):
                return None
            changes.head[part] = plans._approval(data) if part == "approval" else plans._baseline(data)
        return changes

    def _resolves(self, name: str, data: dict) -> bool:
        """The references of a changed task resolve (organisations and units keep theirs)."""
        if name != "tasks":
            return True
        orgs = self.live.after
        ids = [*_ids(data.get("lead")), *_ids(data.get("support"))]
        people = {p.id for p in self.live.people} if "lead_person" in data else set()
        return all(i in orgs for i in ids) and all(p in people for p in _ids(data.get("lead_person")))

    def _transfer_ok(self, t: dict) -> bool:
        live = self.live
        if not live.has_before or t.get("from") not in live.before:
            return False
        if t.get("outcome") == "transfer":
            return t.get("to") in live.after
        return t.get("to") is None


def _ids(value: Any) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _simple(value: Any) -> bool:
    """Values the local path takes as they are: finite numbers, booleans, short clean text, and
    lists and mappings of them; anything else goes through the full loader and its checks."""
    if value is None or isinstance(value, (bool, int)):
        return True
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, str):
        return len(value) <= 10_000 and not _CONTROL.search(value) and unicodedata.is_normalized("NFC", value)
    if isinstance(value, list):
        return all(map(_simple, value))
    if isinstance(value, dict):
        return all(isinstance(k, str) and _simple(k) and _simple(v) for k, v in value.items())
    return False


@lru_cache(maxsize=None)
def _predicate(name: str) -> Callable[[Any], bool]:
    """The plan schema's definition ``name`` as a fast predicate (True only when certainly valid)."""
    from . import schema
    from .plan import _SchemaCompiler

    plan_schema = schema.load_schema("plan")
    defs = plan_schema.get("$defs", {})
    compiler = _SchemaCompiler(defs)
    if name in defs:
        return compiler.compile(defs[name])
    node = plan_schema["properties"][name]
    if name == "plan":
        node = node["properties"]["approval"] if "approval" in node.get("properties", {}) else node
    return compiler.compile(node)


def _valid(name: str, data: Any) -> bool:
    return _simple(data) and _predicate(name)(data)


def _valid_head(part: str, data: dict) -> bool:
    return _simple(data) and _predicate("plan" if part == "approval" else "baseline")(data)

"""Plans (format ``ag18-plan/1``): loaded, validated in full, and turned into frozen model types.

A plan is validated in two passes whose problems are reported together: its shape against the
shipped JSON Schema, then its meaning (unique ids, references that resolve, no parent cycles,
transfers that land somewhere, waivers that name real rules and entities).  Every problem is a
:class:`Diagnostic` at the offending field; all of them are raised once in an :class:`InputError`,
and nothing is built from a plan that has one.
"""
from __future__ import annotations

import datetime as dt
import gc
import os
import re
import unicodedata
from contextlib import contextmanager
from dataclasses import fields, is_dataclass, replace
from functools import lru_cache
from typing import Any, Callable, Collection, Mapping, Optional

from . import schema
from .errors import Diagnostic, InputError, Span, Text
from .model import (
    AdminUnit,
    Allowance,
    Approval,
    Baseline,
    Organization,
    Person,
    Pilot,
    Plan,
    Post,
    Retired,
    Snapshot,
    Staff,
    Task,
    Transition,
    Waiver,
)
from .labels import normalise_data
from .limits import DEFAULT_LIMITS, MAX_PLAN_BYTES, Limits, boundary_problems as _boundary, entity_problems
from .planread import SchemaCompiler as _SchemaCompiler, read_clean
from .source import Document, format_path, load_file

__all__ = ["DEFAULT_LIMITS", "MAX_PLAN_BYTES", "Limits", "derived", "load_plan", "plan_to_dict"]

FORMAT = "ag18-plan/1"
_CHECKED = "_ag18_checked"  # set on a Plan this module built: it passed every check below
SNAPSHOTS = ("before", "after")
LISTS = ("organizations", "tasks", "admin_units", "people")

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
_KINDS = {
    "district": ("huyen", "thi_xa", "thanh_pho"),
    "commune": ("xa", "phuong", "thi_tran", "dac_khu"),
    "hamlet": ("ap", "khom"),
}
_SNAP_WORDS = {"before": ("cơ cấu trước sắp xếp (before)", "`before`"),
               "after": ("cơ cấu sau sắp xếp (after)", "`after`")}
_LIST_WORDS = {"organizations": ("tổ chức", "organisation"), "tasks": ("nhiệm vụ", "task"),
               "admin_units": ("đơn vị hành chính", "administrative unit"), "people": ("người", "person")}
# A near-miss suggestion compares the word with every candidate id; after this many comparisons
# in one plan, later unknown ids get none, so a huge plan full of typos still loads in seconds.
_SUGGESTION_BUDGET = 500_000


# --------------------------------------------------------------------------- entry points


def load_plan(
    source: str | os.PathLike | Mapping | Plan | Document,
    *,
    filename: Optional[str] = None,
    rule_ids: Optional[Collection[str]] = None,
    limits: Optional[Limits] = None,
) -> Plan:
    """Load a plan from a YAML or JSON file, a mapping a program built, a :class:`Plan`, or a
    :class:`~.source.Document` read from bytes received elsewhere (an upload).

    Every kind of input passes the same checks at this one boundary: the schema, the references,
    finite numbers, text without NUL, control characters or lone surrogates, and ``limits``
    (default :data:`DEFAULT_LIMITS`).  A :class:`Plan` built by a program is normalised as a file
    would be (areas to 4 decimals, text in NFC); one this function returned is passed through.
    ``filename`` names the plan in diagnostics (default: the path, or ``<dict>``).  With
    ``rule_ids``, a waiver naming another rule is an error.  Raises :class:`InputError` with every
    problem of the plan at once.
    """
    limits = limits or DEFAULT_LIMITS
    if isinstance(source, Plan):
        if getattr(source, _CHECKED, False):
            return source
        loaded = load_plan(_plan_data(source), filename=filename or source.source or "<Plan>",
                           rule_ids=rule_ids, limits=limits)
        plan = replace(loaded, spans={**loaded.spans, **source.spans}, source=source.source)
        object.__setattr__(plan, _CHECKED, True)
        return plan
    with _collector_paused():
        doc = _document(source, filename, limits)
        doc, data, problems = _checked(doc, rule_ids, limits)
        if problems:
            raise InputError(problems)
        plan = _build_plan(doc, data)
    object.__setattr__(plan, _CHECKED, True)  # loaded here: evaluating it again needs no second check
    return plan


def _checked(doc: Document, rule_ids: Optional[Collection[str]], limits: Limits) -> tuple[Document, Any, list]:
    """The document (settled), its data in JSON's types with labels as codes, and every problem.

    One fast pass vouches for a clean plan; anything it cannot vouch for goes through the careful
    checks, which find and place every problem.
    """
    if read_clean(doc.data, limits, nfc=not doc.is_settled):
        if not doc.is_settled:  # the pass checked what settling checks
            doc = Document(doc.data, doc.filename, doc.lines, doc._root, doc._text, _json=doc.json_typed)
        data = doc.data
        problems = entity_problems(doc, data, limits)
        if not problems:
            problems = _Checker(doc, data, rule_ids).run()
    else:
        doc = doc.settle()
        normalise_data(doc.data, schema.load_schema("plan"))  # Vietnamese labels of enum values -> codes
        data = doc.data if doc.json_typed else schema.to_json_data(doc.data)
        problems = _boundary(doc, data, limits)
        if not problems:
            problems = [] if _fast_valid(data) else schema.validate(doc, "plan")
            problems += _Checker(doc, data, rule_ids).run()
    cells = getattr(doc, "problems", ())  # a workbook's cells that could not be read: one message each
    if cells:
        problems = list(cells) + [p for p in problems if p.span not in {c.span for c in cells}]
    return doc, data, problems


@contextmanager
def _collector_paused():
    """Python's cycle collector held off while a plan is read and built.

    A plan of 100,000 organisations is millions of new objects, none of them in a cycle; left
    running, the collector walks all of them again and again while they are made, which costs
    as much as the reading itself.  It runs again afterwards (and stays off if it was off).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def derived(source: Plan, plan: Plan) -> Plan:
    """``plan``, built by the library from the parts of ``source`` (e.g. its ``before`` as a plan of
    its own), passes through the boundary unchecked when ``source`` did: its values were checked."""
    if getattr(source, _CHECKED, False):
        object.__setattr__(plan, _CHECKED, True)
    return plan


def plan_to_dict(plan: Plan) -> dict:
    """The plan in its canonical file form: JSON-compatible, spec key order, defaults left out.

    ``load_plan(plan_to_dict(p), filename=p.source) == p`` for every loaded plan ``p``.
    """
    head = {"id": plan.id, "title": plan.title, "jurisdiction": plan.jurisdiction,
            "province_class": plan.province_class, "effective": plan.effective.isoformat(),
            "approval": _emit(plan.approval) if plan.approval else None}
    out: dict = {"format": FORMAT, "plan": _drop_none(head)}
    if plan.baseline:
        out["baseline"] = _emit(plan.baseline)
    if plan.before is not None:
        out["before"] = _emit(plan.before)
    out["after"] = _emit(plan.after)
    if plan.transitions:
        out["transitions"] = [_emit(t) for t in plan.transitions]
    if plan.waivers:
        out["waivers"] = [_emit(w) for w in plan.waivers]
    return out


def _document(source: Any, filename: Optional[str], limits: Limits) -> Document:
    """The loaded file, or a position-less document around a program's mapping."""
    if isinstance(source, Document):
        return replace(source, filename=filename) if filename else source
    if isinstance(source, Mapping):
        return Document(_plain(source, limits.max_depth, filename or "<dict>"), filename or "<dict>")
    if isinstance(source, str) and _looks_like_text(source):
        raise _input_error(filename or "<string>", "text-not-path",
                           "Đây là nội dung của một kế hoạch chứ không phải đường dẫn tệp; hãy truyền "
                           "đường dẫn, hoặc dữ liệu đã đọc (json.loads / yaml.safe_load).",
                           "This is the text of a plan, not a path to a file; pass a path, or the "
                           "data read from it (json.loads / yaml.safe_load).")
    if not isinstance(source, (str, os.PathLike)):
        kind = type(source).__name__
        raise _input_error(filename or "<input>", "not-a-plan",
                           f"Kế hoạch phải là đường dẫn tệp, một dict hoặc một Plan, không phải {kind}.",
                           f"A plan must be a file path, a mapping or a Plan, not {kind}.")
    if _is_sheets(source):  # a workbook or a folder of CSV files: the formats front-end reads it
        from .formats.document import load_document

        return load_document(source, filename)
    doc = load_file(source, max_bytes=limits.max_bytes, settle=False)  # settled by the checks
    return replace(doc, filename=filename) if filename else doc


def _is_sheets(source: str | os.PathLike) -> bool:
    path = os.fspath(source)
    return path.lower().endswith((".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls")) or os.path.isdir(path)


def _looks_like_text(source: str) -> bool:
    """True for plan text given where a path belongs (a path has no line break, does not open with a
    brace and is not kilobytes long)."""
    return "\n" in source or source.lstrip().startswith("{") or len(source) > 4096


def _input_error(filename: str, code: str, vi: str, en: str, path: str = "") -> InputError:
    return InputError([Diagnostic(code, Text(vi, en), Span(filename), path)])


class _TooDeep(Exception):
    """Nesting past the limit; the path is gathered on the way out (innermost step first)."""

    def __init__(self):
        super().__init__()
        self.path: list = []


def _plain(value: Any, depth: int, filename: str) -> Any:
    """A program's mappings and sequences as the dicts and lists a loaded file has (text in NFC),
    refused past ``depth`` levels as a file would be."""
    try:
        return _copy(value, depth)
    except _TooDeep as error:
        path = format_path(tuple(reversed(error.path)))
        raise _input_error(filename, "too-deep", f"Cấu trúc lồng nhau quá sâu (hơn {depth} cấp).",
                           f"The structure is nested too deeply (more than {depth} levels).", path) from None


def _copy(value: Any, left: int) -> Any:
    """:func:`_plain` of one value, ``left`` levels of nesting still allowed; exact types first,
    as this visits every value of a plan."""
    kind = type(value)
    if kind is str:
        return value if value.isascii() or unicodedata.is_normalized("NFC", value) else unicodedata.normalize("NFC", value)
    if kind is dict or kind is list or kind is tuple or isinstance(value, (Mapping, list, tuple)):
        if left <= 0:
            raise _TooDeep
        if kind is dict or isinstance(value, Mapping):
            out = {}
            for key, item in value.items():
                copied = _copy(key, left)
                try:
                    out[copied] = _copy(item, left - 1)
                except _TooDeep as error:
                    error.path.append(str(key))
                    raise
            return out
        items = []
        for index, item in enumerate(value):
            try:
                items.append(_copy(item, left - 1))
            except _TooDeep as error:
                error.path.append(index)
                raise
        return items
    if isinstance(value, str) and not unicodedata.is_normalized("NFC", value):
        return unicodedata.normalize("NFC", value)
    return value


def _plan_data(plan: Plan) -> dict:
    """A program's Plan in file form, for the checks every plan passes; a Plan whose parts are not
    the model's types is refused."""
    try:
        return plan_to_dict(plan)
    except (AttributeError, TypeError, ValueError, IndexError, KeyError) as error:
        raise _input_error(plan.source or "<Plan>", "bad-plan-object",
                           f"Đối tượng Plan không đúng kiểu ở một trường ({type(error).__name__}: {error}).",
                           f"The Plan object has a field of the wrong type ({type(error).__name__}: {error}).") from None


# --------------------------------------------------------------------------- schema fast path


def _fast_valid(data: Any) -> bool:
    """True only when ``data`` certainly meets the plan schema.

    jsonschema needs about 15 s for a plan of 100,000 organisations; this predicate, compiled from
    the same schema, takes well under a second.  It answers False for anything it does not fully
    understand, and then the full validator runs and explains every error.
    """
    return _compiled_plan_schema()(data)


@lru_cache(maxsize=None)
def _compiled_plan_schema() -> Callable[[Any], bool]:
    plan_schema = schema.load_schema("plan")
    return _SchemaCompiler(plan_schema.get("$defs", {})).compile(plan_schema)


# --------------------------------------------------------------------------- semantic checks


def _snapshot_items(data: Any, snap: str, name: str) -> list[tuple[int, dict]]:
    """(index, entry) for the mapping entries of one list of a snapshot; malformed parts skipped."""
    snapshot = data.get(snap) if isinstance(data, dict) else None
    items = snapshot.get(name) if isinstance(snapshot, dict) else None
    if not isinstance(items, list):
        return []
    return [(i, x) for i, x in enumerate(items) if isinstance(x, dict)]


def _top_items(data: Any, name: str) -> list[tuple[int, dict]]:
    items = data.get(name) if isinstance(data, dict) else None
    if not isinstance(items, list):
        return []
    return [(i, x) for i, x in enumerate(items) if isinstance(x, dict)]


def _ids_in(value: Any) -> list[tuple[tuple, str]]:
    """(path suffix, id) of an id-or-list field; non-string entries are the schema's business."""
    if isinstance(value, str):
        return [((), value)]
    if isinstance(value, list):
        return [((k,), x) for k, x in enumerate(value) if isinstance(x, str)]
    return []


class _Checker:
    """The semantic checks of one plan; each appends diagnostics, none stops the others."""

    def __init__(self, doc: Document, data: Any, rule_ids: Optional[Collection[str]]):
        self.doc = doc
        self.data = data if isinstance(data, dict) else {}
        self.rule_ids = None if rule_ids is None else frozenset(rule_ids)
        self.out: list[Diagnostic] = []
        self.comparisons_left = _SUGGESTION_BUDGET
        self.has_before = isinstance(self.data.get("before"), dict)
        self.lists = {(snap, name): _snapshot_items(self.data, snap, name) for snap in SNAPSHOTS for name in LISTS}
        self.index = {(snap, name): self._first_ids(snap, name) for snap in SNAPSHOTS for name in LISTS}

    def run(self) -> list[Diagnostic]:
        for snap in SNAPSHOTS:
            self._parents(snap, "organizations")
            self._parents(snap, "admin_units")
            self._tasks(snap)
            self._posts(snap)
            self._formed_from(snap, "organizations")
            self._formed_from(snap, "admin_units")
            self._kinds(snap)
        self._transitions()
        self._waivers()
        self._dates()
        return self.out

    # ----- helpers

    def _error(self, code: str, vi: str, en: str, path: tuple, *, key: bool = False) -> None:
        self.out.append(self.doc.diagnostic(code, Text(vi, en), path, key=key))

    def _where(self, path: tuple) -> tuple[str, str]:
        """Where an earlier entry is, in words: its line, or its field path without positions."""
        span = self.doc.span(path)
        if span.line:
            return f"dòng {span.line}", f"line {span.line}"
        return format_path(path), format_path(path)

    def _first_ids(self, snap: str, name: str) -> dict[str, int]:
        """Each id's first index in one list; later repeats are reported as duplicates."""
        first: dict[str, int] = {}
        for i, item in self.lists[(snap, name)]:
            ident = item.get("id")
            if not isinstance(ident, str):
                continue
            if ident in first:
                self._duplicate(snap, name, ident, first[ident], i)
            else:
                first[ident] = i
        return first

    def _duplicate(self, snap: str, name: str, ident: str, first: int, again: int) -> None:
        kind_vi, kind_en = _LIST_WORDS[name]
        line_vi, line_en = self._where((snap, name, first, "id"))
        self._error(
            "duplicate-id",
            f"Mã '{ident}' bị trùng: đã có một {kind_vi} khác mang mã này trong {_SNAP_WORDS[snap][0]}, "
            f"ở {line_vi}. Mỗi mã chỉ được dùng một lần trong một danh sách.",
            f"Duplicate id '{ident}': another {kind_en} of {_SNAP_WORDS[snap][1]} already has it, "
            f"at {line_en}. An id may appear only once in a list.",
            (snap, name, again, "id"),
        )

    def _suggest(self, word: str, candidates: Collection[str]) -> Optional[str]:
        """The closest candidate id, while the plan's budget of comparisons lasts."""
        self.comparisons_left -= len(candidates)
        return schema.closest(word, sorted(candidates)) if self.comparisons_left >= 0 else None

    def _resolve(self, ident: str, snap: str, name: str, path: tuple) -> None:
        """Report ``ident`` when no entry of ``name`` in ``snap`` has it."""
        known = self.index[(snap, name)]
        if ident in known:
            return
        self._unknown(ident, snap, name, path)

    def _unknown(self, ident: str, snap: str, name: str, path: tuple) -> None:
        known = self.index[(snap, name)]
        kind_vi, kind_en = _LIST_WORDS[name]
        vi = f"Không có {kind_vi} nào mang mã '{ident}' trong {_SNAP_WORDS[snap][0]}"
        en = f"No {kind_en} of {_SNAP_WORDS[snap][1]} has the id '{ident}'"
        vi, en = _ending(vi, en, self._suggest(ident, known))
        self._error("unknown-reference", vi, en, path)

    # ----- references inside one snapshot

    def _parents(self, snap: str, name: str) -> None:
        parent_of: dict[str, tuple[str, int]] = {}
        known = self.index[(snap, name)]
        for i, item in self.lists[(snap, name)]:
            parent = item.get("parent")
            if isinstance(parent, str):
                if parent not in known:
                    self._unknown(parent, snap, name, (snap, name, i, "parent"))
                    continue
                ident = item.get("id")
                if isinstance(ident, str) and ident not in parent_of:
                    parent_of[ident] = (parent, i)
        self._cycles(snap, name, parent_of)

    def _cycles(self, snap: str, name: str, parent_of: dict[str, tuple[str, int]]) -> None:
        """One ``parent-cycle`` per loop, at the parent field of its earliest entry in the file."""
        state: dict[str, int] = {}  # 1 = on the current walk, 2 = finished
        for start in parent_of:
            walk = []
            node: Optional[str] = start
            while node is not None and node not in state:
                state[node] = 1
                walk.append(node)
                node = parent_of[node][0] if node in parent_of else None
            if node is not None and state[node] == 1:
                loop = walk[walk.index(node):]
                first = min(loop, key=lambda n: parent_of[n][1])
                self._cycle(snap, name, loop, first, parent_of[first][1])
            for visited in walk:
                state[visited] = 2

    def _cycle(self, snap: str, name: str, loop: list[str], first: str, index: int) -> None:
        turn = loop.index(first)
        chain = " → ".join(loop[turn:] + loop[:turn] + [first])
        self._error(
            "parent-cycle",
            f"Quan hệ cấp trên (parent) tạo thành vòng lặp: {chain}. Một đơn vị không thể là cấp trên "
            "của chính nó, dù trực tiếp hay gián tiếp.",
            f"The parent chain loops: {chain}. A unit cannot be its own parent, directly or indirectly.",
            (snap, name, index, "parent"),
        )

    def _tasks(self, snap: str) -> None:
        orgs, people = self.index[(snap, "organizations")], self.index[(snap, "people")]
        for i, task in self.lists[(snap, "tasks")]:
            for field_name, target, known in (("lead", "organizations", orgs), ("support", "organizations", orgs),
                                              ("lead_person", "people", people)):
                value = task.get(field_name)
                if value is None or (type(value) is str and value in known):
                    continue  # the common cases, decided without building paths
                for suffix, ident in _ids_in(value):
                    if ident not in known:
                        self._unknown(ident, snap, target, (snap, "tasks", i, field_name) + suffix)
            if snap == "before" and task.get("retired") is not None:
                self._error(
                    "retired-in-before",
                    "Chỉ ghi 'retired' trong cơ cấu sau sắp xếp (after): nó cho biết nhiệm vụ được chấm dứt "
                    "có chủ đích trong kế hoạch này.",
                    "'retired' belongs in `after` only: it states that the plan deliberately ends a function.",
                    (snap, "tasks", i, "retired"), key=True,
                )

    def _posts(self, snap: str) -> None:
        for i, person in self.lists[(snap, "people")]:
            posts = person.get("posts")
            for k, post in enumerate(posts if isinstance(posts, list) else []):
                if isinstance(post, dict) and isinstance(post.get("org"), str):
                    self._resolve(post["org"], snap, "organizations", (snap, "people", i, "posts", k, "org"))

    def _formed_from(self, snap: str, name: str) -> None:
        for i, item in self.lists[(snap, name)]:
            if "formed_from" not in item:
                continue
            path = (snap, name, i, "formed_from")
            if snap == "before":
                self._error(
                    "formed-from-in-before",
                    "Chỉ ghi 'formed_from' trong cơ cấu sau sắp xếp (after), để nêu các đơn vị của 'before' "
                    "được hợp nhất vào đơn vị này.",
                    "'formed_from' belongs in `after` only, naming the units of `before` merged into this one.",
                    path, key=True,
                )
            elif not self.has_before:
                self._error(
                    "unknown-reference",
                    "'formed_from' nêu các đơn vị của cơ cấu trước sắp xếp (before), nhưng kế hoạch không có "
                    "'before'. Hãy thêm 'before' hoặc bỏ 'formed_from'.",
                    "'formed_from' names units of `before`, but the plan has no `before`. Add `before` or "
                    "remove 'formed_from'.",
                    path, key=True,
                )
            else:
                for suffix, ident in _ids_in(item["formed_from"]):
                    self._resolve(ident, "before", name, path + suffix)

    def _kinds(self, snap: str) -> None:
        for i, unit in self.lists[(snap, "admin_units")]:
            level, kind = unit.get("level"), unit.get("kind")
            allowed = _KINDS.get(level) if isinstance(level, str) else None
            if allowed and isinstance(kind, str) and kind not in allowed and kind in _ALL_KINDS:
                self._error(
                    "bad-value",
                    f"Loại đơn vị '{kind}' không thuộc cấp '{level}'; cấp '{level}' dùng: {', '.join(allowed)}.",
                    f"The kind '{kind}' does not belong to level '{level}'; level '{level}' uses: "
                    f"{', '.join(allowed)}.",
                    (snap, "admin_units", i, "kind"),
                )

    # ----- transitions, waivers, dates

    def _transitions(self) -> None:
        for i, item in _top_items(self.data, "transitions"):
            source = item.get("from")
            if isinstance(source, str):
                if self.has_before:
                    self._resolve(source, "before", "organizations", ("transitions", i, "from"))
                else:
                    self._error(
                        "unknown-reference",
                        "'from' nêu một tổ chức của cơ cấu trước sắp xếp (before), nhưng kế hoạch không có 'before'.",
                        "'from' names an organisation of `before`, but the plan has no `before`.",
                        ("transitions", i, "from"),
                    )
            self._transition_to(i, item)

    def _transition_to(self, i: int, item: dict) -> None:
        outcome, target = item.get("outcome"), item.get("to")
        if outcome == "transfer" and target is None:
            self._error(
                "transfer-needs-to",
                "Điều động (transfer) phải ghi nơi đến 'to': mã một tổ chức của cơ cấu sau sắp xếp (after).",
                "A transfer needs 'to': the id of an organisation of `after` that receives the positions.",
                ("transitions", i),
            )
        elif isinstance(target, str) and isinstance(outcome, str) and outcome != "transfer":
            self._error(
                "unexpected-to",
                f"Chỉ ghi 'to' khi outcome là 'transfer' (điều động); với '{outcome}' hãy bỏ 'to'.",
                f"'to' is only for outcome 'transfer'; remove it for '{outcome}'.",
                ("transitions", i, "to"), key=True,
            )
        elif isinstance(target, str):
            self._resolve(target, "after", "organizations", ("transitions", i, "to"))

    def _waivers(self) -> None:
        entities = self._entity_ids()
        for i, waiver in _top_items(self.data, "waivers"):
            rule = waiver.get("rule")
            if self.rule_ids is not None and isinstance(rule, str) and rule not in self.rule_ids:
                vi, en = _ending(f"Không có quy tắc nào mang mã '{rule}'", f"There is no rule '{rule}'",
                                 schema.closest(rule, sorted(self.rule_ids)))
                self._error("unknown-rule", vi, en, ("waivers", i, "rule"))
            entity = waiver.get("entity")
            if isinstance(entity, str) and entity not in entities:
                vi, en = _ending(f"Không có đối tượng nào của kế hoạch mang mã '{entity}'",
                                 f"No entity of the plan has the id '{entity}'", self._suggest(entity, entities))
                self._error("unknown-entity", vi + " Bỏ 'entity' nếu muốn miễn trừ cho cả kế hoạch.",
                            en + " Leave 'entity' out to waive the rule for the whole plan.", ("waivers", i, "entity"))

    def _entity_ids(self) -> set[str]:
        ids = {ident for known in self.index.values() for ident in known}
        plan = self.data.get("plan")
        if isinstance(plan, dict) and isinstance(plan.get("id"), str):
            ids.add(plan["id"])
        return ids

    def _dates(self) -> None:
        plan = self.data.get("plan")
        if isinstance(plan, dict):
            self._date(plan.get("effective"), ("plan", "effective"))
        for i, waiver in _top_items(self.data, "waivers"):
            self._date(waiver.get("expires"), ("waivers", i, "expires"))

    def _date(self, value: Any, path: tuple) -> None:
        if isinstance(value, str) and _parse_date(value) is None:
            self._error(
                "bad-date",
                f"Ngày '{value}' không hợp lệ; hãy ghi ngày có thật theo dạng YYYY-MM-DD, ví dụ 2021-01-01.",
                f"'{value}' is not a valid date; write a real date as YYYY-MM-DD, e.g. 2021-01-01.",
                path,
            )


def _ending(vi: str, en: str, hint: Optional[str]) -> tuple[str, str]:
    """Close a sentence, with "did you mean" when there is a near miss."""
    if hint:
        return f"{vi}; có phải là '{hint}'?", f"{en}; did you mean '{hint}'?"
    return vi + ".", en + "."


_ALL_KINDS = frozenset(k for kinds in _KINDS.values() for k in kinds)


def _parse_date(text: str) -> Optional[dt.date]:
    if not _ISO_DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


# --------------------------------------------------------------------------- building the model


def _build_plan(doc: Document, data: dict) -> Plan:
    """The frozen plan from data that passed every check (so every access below is safe)."""
    head = data["plan"]
    before = data.get("before")
    return Plan(
        id=head["id"],
        effective=dt.date.fromisoformat(head["effective"]),
        after=_snapshot(data["after"]),
        before=None if before is None else _snapshot(before),
        title=head.get("title"),
        jurisdiction=head.get("jurisdiction"),
        province_class=_int(head.get("province_class")),
        approval=_approval(head.get("approval")),
        baseline=_baseline(data.get("baseline")),
        transitions=tuple(_transition(t) for t in data.get("transitions", ())),
        waivers=tuple(_waiver(w) for w in data.get("waivers", ())),
        source=doc.filename,
        spans=_spans(doc, data),
    )


def _int(value: Any) -> Optional[int]:
    """A count as an int (JSON Schema also accepts 3.0 as an integer)."""
    return None if value is None else int(value)


def _float(value: Any) -> Optional[float]:
    """Areas and fund coefficients to 4 decimals, the precision every backend computes with."""
    return None if value is None else round(float(value), 4)


def _ids(value: Any) -> Optional[tuple[str, ...]]:
    """``lead``-style fields: absent or null → None, one id → a 1-tuple, a list → a tuple."""
    if value is None:
        return None
    return (value,) if isinstance(value, str) else tuple(value)


def _snapshot(data: dict) -> Snapshot:
    return Snapshot(
        organizations=tuple(_organization(o) for o in data.get("organizations", ())),
        tasks=tuple(_task(t) for t in data.get("tasks", ())),
        admin_units=tuple(_admin_unit(u) for u in data.get("admin_units", ())),
        people=tuple(_person(p) for p in data.get("people", ())),
    )


def _counts(d: dict, keys: tuple[str, ...]) -> None:
    """Counts as ints, in place (JSON Schema also accepts 3.0 as an integer)."""
    for key in keys:
        value = d.get(key)
        if value is not None and type(value) is not int:
            d[key] = int(value)


_ORG_COUNTS = ("heads", "deputies", "job_positions")


def _organization(d: dict) -> Organization:
    fields = dict(d)  # the file's keys are the model's field names
    _counts(fields, _ORG_COUNTS)
    staff, pilot = fields.get("staff"), fields.get("pilot")
    if staff is not None:
        fields["staff"] = Staff(**{k: v if type(v) is int else int(v) for k, v in staff.items()})
    if "formed_from" in fields:
        fields["formed_from"] = tuple(fields["formed_from"])
    if "province_merger" in fields:
        fields["province_merger"] = bool(fields["province_merger"])
    if pilot is not None:
        fields["pilot"] = Pilot(pilot["model"], pilot.get("approval"), tuple(pilot.get("exempt_from", ())))
    return Organization(**fields)


def _task(d: dict) -> Task:
    fields = dict(d)  # the file's keys are the model's field names
    for key in ("lead", "lead_person"):
        value = fields.get(key)
        if value is not None:
            fields[key] = (value,) if isinstance(value, str) else tuple(value)
    if "support" in fields:
        fields["support"] = tuple(fields["support"])
    retired = fields.get("retired")
    if retired is not None:
        fields["retired"] = Retired(retired["reason"])
    return Task(**fields)


def _admin_unit(d: dict) -> AdminUnit:
    allowance = d.get("allowance")
    return AdminUnit(
        id=d["id"], name=d["name"], level=d["level"], kind=d.get("kind"), parent=d.get("parent"),
        terrain=d.get("terrain"), population=_int(d.get("population")), area_km2=_float(d.get("area_km2")),
        households=_int(d.get("households")), class_=_int(d.get("class")),
        part_time_workers=_int(d.get("part_time_workers")),
        allowance=None if allowance is None else Allowance(allowance["mode"],
                                                           _float(allowance.get("fund_coefficient"))),
        formed_from=tuple(d.get("formed_from", ())), ethnic_minority=bool(d.get("ethnic_minority")),
    )


def _person(d: dict) -> Person:
    return Person(
        id=d["id"], name=d.get("name"),
        posts=tuple(Post(p["org"], p["role"]) for p in d.get("posts", ())),
        ratings={int(year): rating for year, rating in sorted(d.get("ratings", {}).items())},
    )


def _transition(d: dict) -> Transition:
    return Transition(from_=d["from"], outcome=d["outcome"], count=int(d["count"]), to=d.get("to"))


def _waiver(d: dict) -> Waiver:
    expires = d.get("expires")
    return Waiver(
        rule=d["rule"], reason=d["reason"], entity=d.get("entity"), approved_by=d.get("approved_by"),
        reference=d.get("reference"), expires=None if expires is None else dt.date.fromisoformat(expires),
    )


def _approval(d: Optional[dict]) -> Optional[Approval]:
    if d is None:
        return None
    return Approval(body=d.get("body"), status=d.get("status", "draft"), reference=d.get("reference"))


def _baseline(d: Optional[dict]) -> Optional[Baseline]:
    return None if d is None else Baseline(year=int(d["year"]), staff=int(d["staff"]))


class _Spans(Mapping):
    """Where each entity is written, found on first use: most evaluations never ask, and finding
    positions costs a second reading of the file (JSON) or a walk of every entity."""

    def __init__(self, doc: Document):
        if doc.lazy:  # keep only the text: the data would hold the whole file's objects alive
            from .source import reread

            self._source = reread(doc)
        else:
            self._source = lambda: doc
        self._found: Optional[dict] = None

    def _spans(self) -> dict:
        if self._found is None:
            doc = self._source()
            self._found = _entity_spans(doc, doc.data)
            self._source = None
        return self._found

    def __getitem__(self, key: str) -> Span:
        return self._spans()[key]

    def __iter__(self):
        return iter(self._spans())

    def __len__(self) -> int:
        return len(self._spans())


def _spans(doc: Document, data: dict) -> Mapping[str, Span]:
    if doc._root is None and not doc.lazy:
        return _entity_spans(doc, data)  # a program's mapping: the file name alone, found at once
    return _Spans(doc)


def _entity_spans(doc: Document, data: dict) -> dict[str, Span]:
    """Where each entity is written: ``after`` first, so a continuing entity points at its new form."""
    spans = {"plan": doc.span(("plan",))}
    for snap in ("after", "before"):
        for name in LISTS:
            for i, item in enumerate((data.get(snap) or {}).get(name, ())):
                spans.setdefault(item["id"], doc.span((snap, name, i)))
    return spans


# --------------------------------------------------------------------------- canonical form

_FILE_NAMES = {"from_": "from", "class_": "class"}
# Keys whose order in the file follows the spec rather than the dataclass.
_TRANSITION_ORDER = ("from_", "outcome", "to", "count")


def _emit(obj: Any) -> Any:
    """A model object as file data: fields at their default are left out, tuples become lists."""
    if isinstance(obj, Transition):
        return {_FILE_NAMES.get(n, n): _value(n, getattr(obj, n))
                for n in _TRANSITION_ORDER if getattr(obj, n) is not None}
    out = {}
    for f in fields(obj):
        value = getattr(obj, f.name)
        if f.name in ("lead", "lead_person") and value is not None:
            out[f.name] = value[0] if len(value) == 1 else list(value)
        elif not _is_default(f, value) or isinstance(obj, Staff):
            out[_FILE_NAMES.get(f.name, f.name)] = _value(f.name, value)
    if isinstance(obj, Staff):
        out = {k: v for k, v in out.items() if v}
    return out


def _is_default(f, value: Any) -> bool:
    default = f.default_factory() if callable(f.default_factory) else f.default
    return value is None or value == default


def _value(name: str, value: Any) -> Any:
    if is_dataclass(value):
        return _emit(value)
    if isinstance(value, tuple):
        return [_value(name, v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if name == "ratings":
        return dict(sorted(value.items()))
    return value


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}

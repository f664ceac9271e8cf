"""Dated, sourced parameters of the policy (OpenFisca-style) and the programme's clause catalogue.

A policy pack is a folder of YAML files: parameters (``ag18-policy/1``) whose values change on dated
entries, each entry with its legal reference; the pack's name (``ag18-policy-meta/1``); and the clauses
of programme 19-CTr/TU (``ag18-programme/1``).  :meth:`ParameterSet.load` checks every file against
``schemas/policy.schema.json`` and the semantic rules below, and raises every problem at once; the
loaded set is immutable and answers "which value, since when, on what authority" for an entity's facts
on a date.
"""
from __future__ import annotations

import bisect
import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Iterator, Mapping

from . import schema
from .errors import Diagnostic, InputError, Span, Text
from .serial import JsonForm
from .source import Document, format_path, load_file

__all__ = [
    "Clause", "Parameter", "ParameterSet", "PolicyMeta", "Programme", "Reference", "Resolved",
    "ValueEntry", "UNITS", "ended_reason",
]

UNITS = ("person", "percent", "coefficient", "households", "people", "km2", "count", "categories")
DEFAULT_KEY = "*"
_PARAMETERS, _META, _PROGRAMME = "ag18-policy/1", "ag18-policy-meta/1", "ag18-programme/1"
_FORMATS = (_PARAMETERS, _META, _PROGRAMME)
_SUFFIXES = (".yaml", ".yml")


# --------------------------------------------------------------------------- data types


@dataclass(frozen=True)
class Reference:
    """The legal text a value comes from; ``str()`` gives "<document>[, <article>]"."""

    document: str
    article: str | None
    effective: dt.date | None
    source: tuple[str, ...]
    confidence: str

    def __str__(self) -> str:
        return f"{self.document}, {self.article}" if self.article else self.document


@dataclass(frozen=True)
class ValueEntry(JsonForm):
    """One dated value of a parameter. ``value`` is None when no value is in force from ``since``.

    Tables are read-only mappings with string keys, bracket lists are tuples of read-only mappings
    (``below``, ``value``), lists of strings are tuples.
    """

    since: dt.date
    value: object
    reference: Reference
    verified: bool
    note_text: Text | None
    span: Span
    ends: Text | None = None  # what ended on this date (the value is then null), e.g. "the district level"

    @property
    def note(self) -> str | None:
        """The note in Vietnamese, the library's default language (``note_text`` has both)."""
        return self.note_text.vi if self.note_text else None

    def end_reason(self) -> Text | None:
        """"the district level ended on 2025-07-01 (Nghị quyết 203/2025/QH15)", or None if nothing ended here."""
        return None if self.ends is None else ended_reason(self.ends, self.since, self.reference.document)

    def to_dict(self, lang: str = "vi") -> dict:
        """The entry as plain JSON data, e.g. for ``ag18 explain``'s table of values by date."""
        out = {"since": self.since.isoformat(), "value": _plain(self.value), "reference": str(self.reference),
               "confidence": self.reference.confidence, "verified": self.verified,
               "source": list(self.reference.source)}
        if self.ends is not None:
            out["ends"] = self.end_reason()(lang)
        if self.note_text:
            out["note"] = self.note_text(lang)
        return out


def ended_reason(subject: Text, since: dt.date, document: str) -> Text:
    """Why a check no longer applies: its subject ended on ``since`` by ``document``."""
    day = since.isoformat()
    return Text(f"{subject.vi} đã kết thúc từ ngày {day} ({document})", f"{subject.en} ended on {day} ({document})")


@dataclass(frozen=True)
class Resolved(JsonForm):
    """The value of a parameter for one entity on one date, with where it comes from."""

    parameter: str
    value: object
    since: dt.date
    reference: Reference
    verified: bool
    note_text: Text | None = None
    bracket: str | None = None  # the table keys and bracket that applied, e.g. "province_class=1, civil_servants 9–14"

    @property
    def note(self) -> str | None:
        """The note in Vietnamese, the library's default language (``note_text`` has both)."""
        return self.note_text.vi if self.note_text else None

    def to_dict(self, lang: str = "vi") -> dict:
        """The form of ``parameters`` items in the JSON report (``ag18-report/1``)."""
        out = {"name": self.parameter, "value": _plain(self.value), "since": self.since.isoformat(),
               "reference": str(self.reference), "verified": self.verified}
        if self.bracket:
            out["applies"] = self.bracket
        if self.note_text:
            out["note"] = self.note_text(lang)
        out["source"] = list(self.reference.source)
        return out


@dataclass(frozen=True)
class Parameter:
    """A parameter and its values by date; a value applies from its date until the next one."""

    id: str
    description: Text
    unit: str
    index: tuple[str, ...]
    scale: str | None
    values: tuple[tuple[dt.date, ValueEntry], ...]
    span: Span

    def entry_at(self, as_of: dt.date) -> ValueEntry | None:
        """The entry in force on ``as_of``, null values included (its reference says why there is none)."""
        position = bisect.bisect_right([since for since, _ in self.values], as_of)
        return self.values[position - 1][1] if position else None

    def ended(self, as_of: dt.date) -> ValueEntry | None:
        """The entry recording that the parameter's subject ended, if it has ended by ``as_of``."""
        entry = self.entry_at(as_of)
        return entry if entry is not None and entry.ends is not None else None

    def ends(self) -> tuple[ValueEntry, ...]:
        """Every entry recording an end, in date order."""
        return tuple(entry for _, entry in self.values if entry.ends is not None)

    def in_force(self, as_of: dt.date) -> ValueEntry | None:
        """The entry in force on ``as_of``; None before the first date or while the value is null."""
        entry = self.entry_at(as_of)
        return entry if entry is not None and entry.value is not None else None

    def facts_needed(self) -> tuple[str, ...]:
        return self.index + ((self.scale,) if self.scale else ())

    def resolve(self, as_of: dt.date, facts: Mapping[str, object]) -> Resolved | None:
        """The value for an entity with these facts on ``as_of``; None when there is none (see :meth:`absence`)."""
        return self._lookup(as_of, facts)[0]

    def absence(self, as_of: dt.date, facts: Mapping[str, object]) -> Text | None:
        """Why :meth:`resolve` gives no value (a *not applicable* reason), or None when it gives one."""
        return self._lookup(as_of, facts)[1]

    def _lookup(self, as_of: dt.date, facts: Mapping[str, object]) -> tuple[Resolved | None, Text | None]:
        entry = self.entry_at(as_of)
        if entry is None:
            first = self.values[0][0].isoformat()
            return None, _message("not-yet", pid=self.id, as_of=as_of, first=first)
        if entry.value is None:
            return None, _null_reason(self.id, entry)
        value, applied = entry.value, []
        for name in self.index:
            value, step, why = _table_step(value, name, facts.get(name))
            if why is not None:
                return None, _no_value(self.id, why)
            if step:
                applied.append(step)
            if value is None:
                return None, _message("no-value-for-case", pid=self.id, case=", ".join(applied))
        if self.scale:
            value, step, why = _bracket_step(value, self.scale, facts.get(self.scale))
            if why is not None:
                return None, _no_value(self.id, why)
            if step:
                applied.append(step)
        if value is None:
            return None, _message("no-value-for-case", pid=self.id, case=", ".join(applied))
        return Resolved(self.id, value, entry.since, entry.reference, entry.verified, entry.note_text,
                        ", ".join(applied) or None), None


@dataclass(frozen=True)
class PolicyMeta:
    id: str
    version: str
    title: Text


@dataclass(frozen=True)
class Clause:
    """A clause of programme 19-CTr/TU that rules cite."""

    id: str
    section: str  # aims | targets_2021 | targets_2030 | tasks | implementation
    quote_vi: str
    meaning_en: str
    checkable: bool
    reason: Text | None = None  # why no rule can check it from a plan (exactly when not checkable)
    served_by: tuple[str, ...] = ()  # clauses whose rules serve this one
    via: Text | None = None  # how it is served when it has no rules of its own


@dataclass(frozen=True)
class Programme:
    document: str
    clauses: tuple[Clause, ...]

    def get(self, clause_id: str) -> Clause:
        return next(c for c in self.clauses if c.id == clause_id)

    def ids(self) -> tuple[str, ...]:
        return tuple(c.id for c in self.clauses)

    def __contains__(self, clause_id: object) -> bool:
        return clause_id in self.ids()


@dataclass(frozen=True)
class ParameterSet:
    """Every parameter of a policy pack, with the pack's name and its clause catalogue."""

    meta: PolicyMeta
    programme: Programme
    parameters: Mapping[str, Parameter]

    @classmethod
    def load(cls, directory: str | Path) -> "ParameterSet":
        """Load and check every ``*.yaml`` under ``directory``; raises InputError with all problems."""
        return _Loader(Path(directory)).load()

    def get(self, parameter_id: str) -> Parameter:
        return self.parameters[parameter_id]

    def __contains__(self, parameter_id: object) -> bool:
        return parameter_id in self.parameters

    def __iter__(self) -> Iterator[Parameter]:
        return iter(self.parameters.values())

    def __len__(self) -> int:
        return len(self.parameters)

    def ids(self) -> tuple[str, ...]:
        return tuple(self.parameters)


# --------------------------------------------------------------------------- resolution helpers


def _key_text(value: object) -> str:
    """A fact value as a table key: the string YAML would write for it."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def _table_step(table: Mapping, name: str, fact: object) -> tuple[object, str, Text | None]:
    """(value under the fact's key, "name=key", why there is none)."""
    if fact is None and set(table) == {DEFAULT_KEY}:
        return table[DEFAULT_KEY], "", None  # one value whatever the fact: it need not be known
    if fact is None:
        return None, "", _message("fact-missing", name=name)
    key = _key_text(fact)
    if key in table:
        return table[key], f"{name}={key}", None
    if DEFAULT_KEY in table:
        return table[DEFAULT_KEY], f"{name}={key} ({DEFAULT_KEY})", None
    return None, "", _message("no-key", name=name, key=key)


def _bracket_step(brackets: tuple, scale: str, x: object) -> tuple[object, str, Text | None]:
    """(value of the bracket that holds x, its text, why there is none)."""
    if x is None or isinstance(x, bool) or not isinstance(x, (int, float)):
        return None, "", _message("fact-not-numeric", name=scale)
    lower = None
    for bracket in brackets:
        below = bracket.get("below")
        if below is None or x < below:
            text = _bracket_text(scale, lower, below) if len(brackets) > 1 else ""
            return bracket["value"], text, None
        lower = below
    raise AssertionError("a checked bracket list ends with a bracket without 'below'")


def _bracket_text(scale: str, lower: float | None, below: float | None) -> str:
    if lower is None:
        return f"{scale} < {_num(below)}"
    if below is None:
        return f"{scale} ≥ {_num(lower)}"
    if _is_int(lower) and _is_int(below):
        top = int(below) - 1
        return f"{scale} = {_num(lower)}" if top == lower else f"{scale} {_num(lower)}–{top}"
    return f"{_num(lower)} ≤ {scale} < {_num(below)}"


def _is_int(x: float) -> bool:
    return float(x).is_integer()


def _num(x: float) -> str:
    return str(int(x)) if _is_int(x) else str(x)


def _null_reason(pid: str, entry: ValueEntry) -> Text:
    if entry.ends is not None:
        return entry.end_reason()
    note = entry.note_text
    return _message("null", pid=pid, since=entry.since, reference=entry.reference,
                    note_vi=f": {note.vi}" if note else "", note_en=f": {note.en}" if note else "")


def _no_value(pid: str, why: Text) -> Text:
    return Text(f"Tham số {pid}: {why.vi}", f"Parameter {pid}: {why.en}")


def _plain(value: object) -> object:
    """A frozen value as plain JSON data."""
    if isinstance(value, Mapping):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    return value


def _freeze(value: object) -> object:
    """Checked YAML data as read-only data: tables keyed by strings, lists as tuples."""
    if isinstance(value, dict):
        return MappingProxyType({_key_text(k): _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


# --------------------------------------------------------------------------- messages

#: What each load problem says to the officer who wrote the file, in Vietnamese and English.
_MESSAGES = {
    "not-yet": ("Tham số {pid} chưa có giá trị vào ngày {as_of} (giá trị đầu tiên áp dụng từ {first})",
                "Parameter {pid} has no value on {as_of} (its first value applies from {first})"),
    "null": ("Tham số {pid} không có giá trị từ ngày {since} ({reference}){note_vi}",
             "Parameter {pid} has no value from {since} ({reference}){note_en}"),
    "no-value-for-case": ("Tham số {pid}: không có giá trị cho trường hợp {case}",
                          "Parameter {pid}: there is no value for the case {case}"),
    "fact-missing": ("dữ kiện '{name}' không có giá trị", "the fact '{name}' has no value"),
    "fact-not-numeric": ("dữ kiện '{name}' không có giá trị số", "the fact '{name}' has no numeric value"),
    "no-key": ("không có giá trị cho {name}={key}", "there is no value for {name}={key}"),
    "file-not-found": ("Không tìm thấy thư mục chính sách.", "The policy folder was not found."),
    "unknown-format": ("Tệp phải là một bảng có khóa 'format' với một trong các giá trị: {wanted}{hint_vi}",
                       "The file must be a mapping whose 'format' is one of: {wanted}{hint_en}"),
    "missing": ("Thư mục chính sách thiếu tệp có 'format: {fmt}'.",
                "The policy folder has no file with 'format: {fmt}'."),
    "duplicate": ("Chỉ được có một tệp 'format: {fmt}'; tệp đầu tiên là {first}.",
                  "There must be one file with 'format: {fmt}'; the first is {first}."),
    "duplicate-parameter": ("Tham số '{pid}' được định nghĩa hai lần; nơi còn lại: {where}",
                            "Parameter '{pid}' is defined twice; the other place is {where}"),
    "bad-date": ("Ngày '{text}' không tồn tại.", "The date '{text}' does not exist."),
    "dates-out-of-order": ("Ngày {since} phải sau ngày {last} ở mục trước; hãy xếp các mục theo thứ tự ngày tăng dần.",
                           "Date {since} must come after {last} of the entry before; list entries in date order."),
    "missing-reference": (
        "Giá trị không có căn cứ pháp lý: hãy thêm 'reference' (văn bản, điều khoản, ngày hiệu lực, nguồn, độ tin "
        "cậy); giá trị null cũng cần căn cứ giải thích vì sao không có giá trị.",
        "The value has no legal reference: add 'reference' (document, article, effective date, source, confidence); "
        "a null value also needs one saying why there is no value."),
    "reference-date-mismatch": (
        "Ngày hiệu lực của căn cứ ({effective}) khác ngày của mục ({since}); hãy sửa lại hoặc thêm 'note' giải thích.",
        "The reference's effective date ({effective}) differs from the entry's date ({since}); correct it or add a "
        "'note' explaining why."),
    "ends-with-value": ("Một mục ghi 'ends' (đối tượng đã kết thúc) phải có 'value: null'.",
                        "An entry with 'ends' (its subject ended) must have 'value: null'."),
    "missing-note": ("Giá trị chưa được kiểm chứng (verified: false) phải có 'note' nói điều gì chưa được kiểm chứng.",
                     "An unverified value (verified: false) needs a 'note' saying what was not verified."),
    "table-too-deep": (
        "Ở đây cần một giá trị, không phải một bảng: tham số không còn dữ kiện tra cứu (index) nào cho cấp này.",
        "A value is expected here, not a table: the parameter has no further index fact for this level."),
    "table-expected": (
        "Ở đây cần một bảng theo dữ kiện '{fact}' (khóa là giá trị của dữ kiện, '*' là mặc định).",
        "A table keyed by the fact '{fact}' is expected here (keys are its values, '*' is the default)."),
    "table-key-twice": ("Khóa '{text}' bị lặp lại trong bảng (trùng với khóa '{other}').",
                        "Key '{text}' appears twice in the table (same as key '{other}')."),
    "brackets-expected": (
        "Ở đây cần danh sách các bậc theo dữ kiện '{scale}', ví dụ [{{below: 8, value: 1}}, {{value: 2}}].",
        "A list of brackets over the fact '{scale}' is expected here, e.g. [{{below: 8, value: 1}}, {{value: 2}}]."),
    "last-bracket-below": ("Bậc cuối cùng không được có 'below': nó áp dụng cho mọi giá trị còn lại.",
                           "The last bracket must have no 'below': it applies to every value above the others."),
    "bracket-needs-below": ("Mỗi bậc trừ bậc cuối phải có 'below' (áp dụng khi giá trị nhỏ hơn 'below').",
                            "Every bracket but the last needs 'below' (it applies while the value is below it)."),
    "below-not-increasing": (
        "Các mức 'below' phải tăng dần: {below} không lớn hơn {previous} của bậc trước.",
        "'below' must increase from bracket to bracket: {below} is not above the previous {previous}."),
    "brackets-without-scale": (
        "Đây là danh sách bậc nhưng tham số không khai báo 'scale' (dữ kiện để chọn bậc).",
        "These are brackets, but the parameter declares no 'scale' (the fact that picks a bracket)."),
    "bad-value": ("Giá trị phải là {want_vi}.", "The value must be {want_en}."),
    "reason-missing": ("Điều khoản không kiểm tra được (checkable: false) phải có 'reason' giải thích vì sao.",
                       "A clause that cannot be checked (checkable: false) needs a 'reason' saying why."),
    "reason-not-allowed": (
        "'reason' chỉ dành cho điều khoản không kiểm tra được; hãy dùng 'via' để nói cách điều khoản được phục vụ.",
        "'reason' is only for clauses that cannot be checked; use 'via' to say how the clause is served."),
    "unknown-clause": ("'{other}' không phải một điều khoản khác của chương trình{hint_vi}",
                       "'{other}' is not another clause of the programme{hint_en}"),
}


def _message(kind: str, **fields: object) -> Text:
    vi, en = _MESSAGES[kind]
    return Text(vi.format(**fields), en.format(**fields))


def _hint(word: str, options) -> dict[str, str]:
    """The "did you mean" tail of a message, in both languages (empty when nothing is close)."""
    hint = schema.closest(word, options)
    if not hint:
        return {"hint_vi": "", "hint_en": ""}
    return {"hint_vi": f"; có phải ý là '{hint}'?", "hint_en": f"; did you mean '{hint}'?"}


# --------------------------------------------------------------------------- loading


class _Loader:
    """Reads one policy folder, collecting every problem before raising."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.problems: list[Diagnostic] = []
        self.parameters: dict[str, Parameter] = {}
        self.defined_at: dict[str, Document] = {}
        self.meta: list[tuple[Document, PolicyMeta | None]] = []
        self.programme: list[tuple[Document, Programme | None]] = []

    def load(self) -> ParameterSet:
        if not self.directory.is_dir():
            raise InputError([Diagnostic("file-not-found", _message("file-not-found"), Span(str(self.directory)))])
        for path in self._files():
            self._file(path)
        meta = self._single(self.meta, "policy-meta", _META)
        programme = self._single(self.programme, "programme", _PROGRAMME)
        if self.problems:
            raise InputError(self.problems)
        ordered = MappingProxyType({pid: self.parameters[pid] for pid in sorted(self.parameters)})
        return ParameterSet(meta, programme, ordered)

    def _files(self) -> list[Path]:
        """The YAML files of the folder and its subfolders, in a stable order; hidden ones are skipped."""
        return sorted(p for p in self.directory.rglob("*") if p.suffix in _SUFFIXES and p.is_file()
                      and not any(part.startswith(".") for part in p.relative_to(self.directory).parts))

    def _file(self, path: Path) -> None:
        try:
            doc = load_file(path)
        except InputError as error:
            self.problems += error.diagnostics
            return
        kind = self._format(doc)
        if kind is None:
            return
        found = [_rename_unit_code(d) for d in schema.validate(doc, "policy")]
        self.problems += found
        if kind == _PARAMETERS:
            self._parameters(doc, {d.path for d in found})
        elif kind == _META:
            self.meta.append((doc, None if found else _meta(doc.data)))
        else:
            self.programme.append((doc, None if found else _programme(doc, self.problems)))

    def _format(self, doc: Document) -> str | None:
        data = doc.data
        value = data.get("format") if isinstance(data, dict) else None
        if value in _FORMATS:
            return value
        hint = _hint(value, _FORMATS) if isinstance(value, str) else _hint("", ())
        message = _message("unknown-format", wanted=", ".join(_FORMATS), **hint)
        self.problems.append(doc.diagnostic("unknown-format", message, ("format",) if isinstance(data, dict) else ()))
        return None

    def _parameters(self, doc: Document, broken: set[str]) -> None:
        """Check and keep each parameter the schema found no fault in (schema faults are already reported)."""
        parameters = doc.data.get("parameters")
        if not isinstance(parameters, dict):  # missing or not a mapping: the schema said where
            return
        for pid, raw in parameters.items():
            prefix = format_path(("parameters", pid))
            if any(p == prefix or p.startswith((prefix + ".", prefix + "[")) for p in broken):
                continue
            if self._duplicate(doc, pid):
                continue
            parameter = _parameter(doc, pid, raw, self.problems)
            if parameter is not None:
                self.parameters[pid] = parameter

    def _duplicate(self, doc: Document, pid: str) -> bool:
        """Report a parameter defined twice, at both places, each naming the other."""
        first_doc = self.defined_at.setdefault(pid, doc)
        if first_doc is doc:
            return False
        path = ("parameters", pid)
        first, second = first_doc.key_span(path), doc.key_span(path)
        for here, where in ((doc, first), (first_doc, second)):
            message = _message("duplicate-parameter", pid=pid, where=where)
            self.problems.append(here.diagnostic("duplicate-parameter", message, path, key=True))
        self.parameters.pop(pid, None)
        return True

    def _single(self, found: list, what: str, fmt: str):
        """The one file of a format the pack needs exactly once (meta, programme)."""
        if not found:
            self.problems.append(Diagnostic(f"missing-{what}", _message("missing", fmt=fmt), Span(str(self.directory))))
            return None
        for doc, _ in found[1:]:
            message = _message("duplicate", fmt=fmt, first=found[0][0].filename)
            self.problems.append(doc.diagnostic(f"duplicate-{what}", message, ("format",)))
        return found[0][1]


def _rename_unit_code(diagnostic: Diagnostic) -> Diagnostic:
    """A schema complaint about a unit gets the code officers look up: ``unknown-unit``."""
    if diagnostic.code == "bad-value" and diagnostic.path.endswith(".unit"):
        return replace(diagnostic, code="unknown-unit")
    return diagnostic


def _meta(data: dict) -> PolicyMeta:
    return PolicyMeta(data["id"], data["version"], _text(data["title"]))


def _text(data: Mapping | None) -> Text | None:
    return Text(data["vi"], data["en"]) if data else None


def _date(value: object) -> dt.date | None:
    """A date from YAML (already a date) or from a quoted ISO string; None for null or no such date."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        return None


# --------------------------------------------------------------------------- semantic checks


def _problem(doc: Document, code: str, path: tuple, kind: str | None = None, *, key: bool = False,
             **fields: object) -> Diagnostic:
    """A diagnostic with the message ``kind`` (default: the code's own) at ``path``."""
    return doc.diagnostic(code, _message(kind or code, **fields), path, key=key)


def _parameter(doc: Document, pid: str, raw: dict, problems: list[Diagnostic]) -> Parameter | None:
    """The parameter, after its semantic checks; None (with problems added) when one fails."""
    base = ("parameters", pid)
    shape = (tuple(raw.get("index", ())), raw.get("scale"), raw["unit"])
    before, entries, last = len(problems), [], None
    for key, raw_entry in raw["values"].items():
        path = base + ("values", key)
        since = _date(key)
        if since is None:
            problems.append(_problem(doc, "bad-date", path, key=True, text=key))
            continue
        if last is not None and since <= last:
            problems.append(_problem(doc, "dates-out-of-order", path, key=True, since=since, last=last))
        last = since if last is None else max(last, since)
        entry = _entry(doc, path, since, raw_entry, shape, problems)
        if entry is not None:
            entries.append((since, entry))
    from .enumerations import check_enumerations  # the fact catalogue, only once files are read

    problems.extend(check_enumerations(doc, pid, raw, base))
    if len(problems) > before:
        return None
    return Parameter(pid, _text(raw["description"]), raw["unit"], shape[0], shape[1],
                     tuple(sorted(entries, key=lambda pair: pair[0])), doc.key_span(base))


def _entry(doc: Document, path: tuple, since: dt.date, raw: dict, shape: tuple, problems: list) -> ValueEntry | None:
    """One dated entry: it has a reference whose date matches (or a note), and a value of the right shape."""
    before = len(problems)
    note, ref = raw.get("note"), raw.get("reference")
    if ref is None:
        problems.append(_problem(doc, "missing-reference", path, key=True))
    elif ref["effective"] is not None and _date(ref["effective"]) is None:
        problems.append(_problem(doc, "bad-date", path + ("reference", "effective"), text=ref["effective"]))
    elif note is None and _date(ref["effective"]) != since:
        problems.append(_problem(doc, "reference-date-mismatch", path + ("reference", "effective"),
                                 effective=ref["effective"] or "?", since=since))
    if raw["verified"] is False and note is None:
        problems.append(_problem(doc, "missing-note", path + ("verified",)))
    if raw.get("ends") is not None and raw["value"] is not None:
        problems.append(_problem(doc, "ends-with-value", path + ("ends",), key=True))
    _check_value(doc, path + ("value",), raw["value"], *shape, problems)
    if len(problems) > before:
        return None
    reference = Reference(ref["document"], ref.get("article"), _date(ref["effective"]),
                          _sources(ref["source"]), ref["confidence"])
    return ValueEntry(since, _freeze(raw["value"]), reference, raw["verified"], _text(note), doc.key_span(path),
                      _text(raw.get("ends")))


def _sources(value: str | list) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def _check_value(doc: Document, path: tuple, value: object, index: tuple, scale: str | None, unit: str,
                 problems: list) -> None:
    """The value's shape follows the parameter's index (nested tables), scale (brackets) and unit."""
    if value is None:
        return
    if index:
        _check_table(doc, path, value, index, scale, unit, problems)
    elif isinstance(value, dict):
        problems.append(_problem(doc, "bad-table", path, "table-too-deep"))
    elif scale:
        _check_brackets(doc, path, value, scale, unit, problems)
    else:
        _check_leaf(doc, path, value, unit, problems)


def _check_table(doc, path, value, index, scale, unit, problems) -> None:
    if not isinstance(value, dict) or not value:
        problems.append(_problem(doc, "bad-table", path, "table-expected", fact=index[0]))
        return
    seen: dict[str, object] = {}
    for key, item in value.items():
        text = _key_text(key)
        if text in seen:
            problems.append(_problem(doc, "bad-table", path + (key,), "table-key-twice", key=True,
                                     text=text, other=seen[text]))
        seen[text] = key
        _check_value(doc, path + (key,), item, index[1:], scale, unit, problems)


def _check_brackets(doc, path, value, scale, unit, problems) -> None:
    """Brackets: every one but the last has a 'below', and the 'below's increase."""
    if not isinstance(value, list) or not value or not all(isinstance(b, dict) for b in value):
        problems.append(_problem(doc, "bad-brackets", path, "brackets-expected", scale=scale))
        return
    previous = None
    for i, bracket in enumerate(value):
        below, last = bracket.get("below"), i == len(value) - 1
        if last and below is not None:
            problems.append(_problem(doc, "bad-brackets", path + (i, "below"), "last-bracket-below"))
        elif not last and below is None:
            problems.append(_problem(doc, "bad-brackets", path + (i,), "bracket-needs-below"))
        elif below is not None and previous is not None and below <= previous:
            problems.append(_problem(doc, "bad-brackets", path + (i, "below"), "below-not-increasing",
                                     below=_num(below), previous=_num(previous)))
        previous = below if below is not None else previous
        _check_leaf(doc, path + (i, "value"), bracket["value"], unit, problems)


def _check_leaf(doc, path, value, unit, problems) -> None:
    """A leaf is a number, or for unit 'categories' a string or a list of strings; null means no value."""
    if value is None:
        return
    if unit == "categories":
        ok = isinstance(value, str) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
        want = {"want_vi": "một chuỗi hoặc danh sách chuỗi", "want_en": "a string or a list of strings"}
    else:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        want = {"want_vi": f"một số (đơn vị {unit})", "want_en": f"a number (unit {unit})"}
    if isinstance(value, list) and not ok and all(isinstance(v, dict) for v in value):
        problems.append(_problem(doc, "bad-brackets", path, "brackets-without-scale"))
    elif not ok:
        problems.append(_problem(doc, "bad-value", path, **want))


def _programme(doc: Document, problems: list[Diagnostic]) -> Programme:
    """The clause catalogue; a clause no rule can check must say why, and served_by must name clauses."""
    clauses = doc.data["clauses"]
    out = []
    for cid, raw in clauses.items():
        path = ("clauses", cid)
        if raw["checkable"] is False and "reason" not in raw:
            problems.append(_problem(doc, "clause-reason", path + ("checkable",), "reason-missing"))
        elif raw["checkable"] is True and "reason" in raw:
            problems.append(_problem(doc, "clause-reason", path + ("reason",), "reason-not-allowed", key=True))
        others = [c for c in clauses if c != cid]
        for i, other in enumerate(raw.get("served_by", ())):
            if other not in others:
                problems.append(_problem(doc, "unknown-clause", path + ("served_by", i),
                                         other=other, **_hint(other, others)))
        out.append(Clause(cid, raw["section"], raw["quote_vi"], raw["meaning_en"], raw["checkable"],
                          _text(raw.get("reason")), tuple(raw.get("served_by", ())), _text(raw.get("via"))))
    return Programme(doc.data["document"], tuple(out))

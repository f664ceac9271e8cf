"""Rule files (``rules/<id>/<id>.yaml``) loaded and validated into :class:`RuleSpec`.

A rule is data written by policy officers: it cites its clause of the programme and states its
checks as conditions (strings in the expression language) over the facts of one kind of entity.
This module checks the file's shape; :mod:`ag18_rules.compiler` checks the conditions' meaning.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping, Optional

from . import schema
from .errors import Diagnostic, InputError, Span, Text
from .labels import normalise_data
from .source import Document, load_file

__all__ = ["CheckSpec", "EndSpec", "RuleSpec", "SeverityCase", "TargetSpec", "load_rule", "load_rules", "rule_dirs",
           "text_of"]


@dataclass(frozen=True)
class Located:
    """A string from a rule file with where it starts, for diagnostics inside it."""

    text: str
    span: Span
    style: str = ""  # the YAML scalar's first character: a quote, '|', '>' or ''


@dataclass(frozen=True)
class SeverityCase:
    """A severity that holds for some entities or dates only (a grace window, an orientation until a
    deadline, figures shown for information): written as data in the rule file, not coded per rule."""

    severity: str
    when: Optional[Located]  # a condition over the check's facts and parameters
    until: Optional[dt.date]  # holds up to and including this date
    within_years: Optional[Located]  # a parameter: years from the plan's effective date
    note: Optional[Text]  # appended to the message; may use {until}
    span: Span


@dataclass(frozen=True)
class EndSpec:
    """The check's subject ended on ``date`` by ``document``: from then it is not applicable, saying so."""

    date: dt.date
    subject: Text
    document: str
    source: tuple[str, ...]


@dataclass(frozen=True)
class CheckSpec:
    id: str
    applies_to: str
    where: Optional[Located]
    require: Located
    parameters: Mapping[str, Located]  # alias -> parameter id
    severity: Optional[str]
    values: tuple[str, ...]
    message: Text
    fix: Optional[Text]
    spans: Mapping[str, Span]  # "message.vi", "values", ... -> where it is written
    severity_cases: tuple[SeverityCase, ...] = ()
    ends: Optional[EndSpec] = None


@dataclass(frozen=True)
class TargetSpec:
    check: str
    value: str
    target: str
    unit: str
    deadline: dt.date
    span: Span


@dataclass(frozen=True)
class RuleSpec:
    id: str
    title: Text
    description: Optional[Text]
    clause: tuple[str, ...]
    quote: Optional[str]
    severity: str
    needs: tuple[str, ...]
    deadline: Optional[dt.date]  # findings are warnings up to this date
    target: Optional[TargetSpec]
    checks: tuple[CheckSpec, ...]
    file: str
    span: Span
    doc: Document


def text_of(data: Mapping) -> Text:
    return Text(vi=data["vi"], en=data["en"])


def rule_dirs(directory: Path) -> list[Path]:
    """Rule folders under ``directory``, sorted: each holds ``<name>.yaml``."""
    return sorted(p for p in Path(directory).iterdir() if p.is_dir() and (p / f"{p.name}.yaml").is_file())


def load_rules(directory: Path) -> tuple[RuleSpec, ...]:
    """Every rule under ``directory``; all problems of all files raised together."""
    specs, problems = [], []
    for folder in rule_dirs(directory):
        try:
            specs.append(load_rule(folder / f"{folder.name}.yaml"))
        except InputError as exc:
            problems.extend(exc.diagnostics)
    seen: dict[str, RuleSpec] = {}
    for spec in specs:
        if spec.id in seen:
            problems.append(spec.doc.diagnostic("duplicate-rule", Text(
                f"Mã quy tắc '{spec.id}' đã dùng ở {seen[spec.id].file}",
                f"Rule id '{spec.id}' is already used in {seen[spec.id].file}"), ("id",)))
        seen[spec.id] = spec
    if problems:
        raise InputError(problems)
    return tuple(sorted(specs, key=lambda s: s.id))


def load_rule(path: Path) -> RuleSpec:
    doc = load_file(path)
    normalise_data(doc.data, schema.load_schema("rule"))  # Vietnamese labels of enum values -> codes
    problems = schema.validate(doc, "rule") if isinstance(doc.data, dict) else [
        doc.diagnostic("bad-type", Text("Tệp quy tắc phải là một ánh xạ (khóa: giá trị)",
                                        "A rule file must be a mapping (key: value)"), ())]
    if problems:
        raise InputError(problems)
    data = doc.data
    folder = Path(path).parent.name
    if data["id"] != folder:
        problems.append(doc.diagnostic("rule-id-folder", Text(
            f"Mã quy tắc '{data['id']}' phải trùng tên thư mục '{folder}'",
            f"Rule id '{data['id']}' must equal its folder name '{folder}'"), ("id",)))
    checks = tuple(_check(doc, i, c) for i, c in enumerate(data["checks"]))
    ids = [c.id for c in checks]
    for i, cid in enumerate(ids):
        if cid in ids[:i]:
            problems.append(doc.diagnostic("duplicate-check", Text(
                f"Mã kiểm tra '{cid}' bị lặp lại", f"Check id '{cid}' is repeated"), ("checks", i, "id")))
    target = _target(doc, data.get("target"), ids, problems)
    if problems:
        raise InputError(problems)
    return RuleSpec(
        id=data["id"],
        title=text_of(data["title"]),
        description=text_of(data["description"]) if "description" in data else None,
        clause=tuple(data["clause"]),
        quote=data.get("quote"),
        severity=data["severity"],
        needs=tuple(data.get("needs", ())),
        deadline=_as_date(data.get("deadline")),
        target=target,
        checks=checks,
        file=doc.filename,
        span=doc.span(()),
        doc=doc,
    )


def _located(doc: Document, path: tuple, text: str) -> Located:
    span = doc.span(path)
    line = doc.line_text(span) or ""
    style = line[span.col - 1] if 0 < span.col <= len(line) and line[span.col - 1] in "'\"|>" else ""
    return Located(text, span, style)


def _check(doc: Document, index: int, data: Mapping) -> CheckSpec:
    base = ("checks", index)
    spans = {key: doc.span(base + (key,)) for key in data}
    for lang in ("vi", "en"):
        spans[f"message.{lang}"] = doc.span(base + ("message", lang))
        if "fix" in data:
            spans[f"fix.{lang}"] = doc.span(base + ("fix", lang))
    for i, _ in enumerate(data.get("values", ())):
        spans[f"values.{i}"] = doc.span(base + ("values", i))
    return CheckSpec(
        id=data["id"],
        applies_to=data["applies_to"],
        where=_located(doc, base + ("where",), data["where"]) if "where" in data else None,
        require=_located(doc, base + ("require",), data["require"]),
        parameters={alias: _located(doc, base + ("parameters", alias), pid)
                    for alias, pid in data.get("parameters", {}).items()},
        severity=data.get("severity"),
        values=tuple(data.get("values", ())),
        message=text_of(data["message"]),
        fix=text_of(data["fix"]) if "fix" in data else None,
        spans=spans,
        severity_cases=tuple(_case(doc, base + ("severity_cases", i), case)
                             for i, case in enumerate(data.get("severity_cases", ()))),
        ends=_ends(data.get("ends")),
    )


def _case(doc: Document, path: tuple, data: Mapping) -> SeverityCase:
    return SeverityCase(
        severity=data["severity"],
        when=_located(doc, path + ("when",), data["when"]) if "when" in data else None,
        until=_as_date(data.get("until")),
        within_years=_located(doc, path + ("within_years",), data["within_years"]) if "within_years" in data else None,
        note=text_of(data["note"]) if "note" in data else None,
        span=doc.span(path),
    )


def _ends(data: Optional[Mapping]) -> Optional[EndSpec]:
    if data is None:
        return None
    source = data.get("source", ())
    return EndSpec(_as_date(data["date"]), text_of(data["subject"]), data["document"],
                   (source,) if isinstance(source, str) else tuple(source))


def _target(doc: Document, data, check_ids: list[str], problems: list[Diagnostic]) -> Optional[TargetSpec]:
    if data is None:
        return None
    if data["check"] not in check_ids:
        problems.append(doc.diagnostic("unknown-check", Text(
            f"Mục tiêu dẫn chiếu kiểm tra '{data['check']}' không có trong quy tắc",
            f"The target names check '{data['check']}', which the rule does not have"), ("target", "check")))
    return TargetSpec(data["check"], data["value"], data["target"], data["unit"], _as_date(data["deadline"]),
                      doc.span(("target",)))


def _as_date(value) -> Optional[dt.date]:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value

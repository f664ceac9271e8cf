"""The report of one evaluation: findings, target progress, what was not applicable.

Plain frozen data with a stable JSON form (``ag18-report/1``, see ``docs/report.md``); rendering
to text lives in :mod:`ag18_rules.formats`.  Nothing here evaluates anything.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Optional

from .errors import LANGUAGES, Text, check_lang
from .facts import EntityRef
from .serial import JsonForm

__all__ = ["Finding", "NotApplicable", "ParameterUse", "Report", "Resolved", "TargetProgress", "SEVERITIES"]

SEVERITIES = ("error", "warning", "info")
REPORT_FORMAT = "ag18-report/1"


@dataclass(frozen=True)
class ParameterUse(JsonForm):
    """A parameter as a finding used it: value, since when, and its legal reference."""

    name: str
    alias: str
    value: Any
    since: dt.date
    reference: str
    verified: bool
    note: Optional[Text] = None
    source: tuple[str, ...] = ()
    bracket: Optional[str] = None

    def to_dict(self, lang: str = "vi") -> dict:
        out = {"name": self.name, "value": self.value, "since": self.since.isoformat(),
               "reference": self.reference, "verified": self.verified}
        if self.bracket:
            out["applies"] = self.bracket
        if self.note:
            out["note"] = self.note(lang)
        if self.source:
            out["source"] = list(self.source)
        return out


@dataclass(frozen=True)
class Waived(JsonForm):
    reason: str
    reference: Optional[str]
    approved_by: Optional[str]
    expires: Optional[dt.date]
    by: str = "waiver"  # waiver | pilot

    def to_dict(self, lang: str = "vi") -> dict:
        return {"by": self.by, "reason": self.reason, "reference": self.reference,
                "approved_by": self.approved_by,
                "expires": self.expires.isoformat() if self.expires else None}


@dataclass(frozen=True)
class Finding(JsonForm):
    """One violation: which rule and check, on which entity, with the values and dated parameters
    that broke it, the sentence in both languages (``message(lang)``) and the rule's advice.

    ``extra`` holds what the evaluation's options added: ``fixes`` (computed changes), ``origin``
    (introduced or pre-existing), ``trace`` and ``clauses`` (with ``explain``); ``waived`` is set
    when a waiver or an approved pilot covers it (reported, but it does not fail the plan).
    """

    rule: str
    check: str
    severity: str
    clause: tuple[str, ...]
    entity: EntityRef
    message: Text
    values: Mapping[str, Any]
    parameters: tuple[ParameterUse, ...]
    fix: Optional[Text] = None
    waived: Optional[Waived] = None
    unverified: tuple[str, ...] = ()  # parameters used whose legal text was not verified
    extra: Mapping[str, Any] = field(default_factory=dict)  # explain trees, fixes, origin

    @property
    def sort_key(self) -> tuple:
        """The report's order: rule id, entity id, check."""
        return (self.rule, self.entity.id, self.check, self.entity.kind)

    @classmethod
    def deferred(cls, build: Callable[[], dict], **decided: Any) -> "Finding":
        """A finding whose fields in ``decided`` are known and whose others (:data:`DEFERRED`:
        message, values, parameters, fix, unverified) ``build()`` gives when one is first read.
        It behaves as the finding built with every field: equal, printed, copied and pickled alike."""
        finding = object.__new__(cls)
        finding.__dict__.update(decided)
        finding.__dict__["_build"] = build
        return finding

    def with_extra(self, **items: Any) -> "Finding":
        """This finding with ``items`` added to its ``extra``; deferred fields stay deferred."""
        copy = object.__new__(type(self))
        copy.__dict__.update(self.__dict__)
        copy.__dict__["extra"] = {**self.extra, **items}
        return copy

    def __getattr__(self, name: str) -> Any:
        """A deferred field, built on first read (only reached when the attribute is not set)."""
        state = self.__dict__
        build = state.get("_build")
        if build is None or name not in DEFERRED:
            raise AttributeError(f"'Finding' object has no attribute {name!r}")
        state.update(build())
        state.pop("_build", None)
        return state[name]

    def __getstate__(self) -> dict:
        if "_build" in self.__dict__:
            self.message  # noqa: B018 - builds the deferred fields
        return dict(self.__dict__)

    def to_dict(self, lang: str = "vi") -> dict:
        """The finding as JSON data in ``lang``: one item of the report's ``findings``."""
        out = {
            "rule": self.rule,
            "check": self.check,
            "severity": self.severity,
            "clause": list(self.clause),
            "entity": {"kind": self.entity.kind, "id": self.entity.id, "name": self.entity.name},
            "message": self.message(lang),
            "values": dict(self.values),
            "parameters": [p.to_dict(lang) for p in self.parameters],
            "fix": self.fix(lang) if self.fix else None,
            "waived": self.waived.to_dict(lang) if self.waived else None,
            "unverified": list(self.unverified),
            "messages": {"vi": self.message.vi, "en": self.message.en},
        }
        for key, value in self.extra.items():
            out[key] = _jsonable(value, lang)
        return out


#: the fields of a :meth:`Finding.deferred` built when first read; no class-level default may shadow them
DEFERRED = ("message", "values", "parameters", "fix", "unverified")
for _name in DEFERRED:
    if _name in Finding.__dict__:
        delattr(Finding, _name)


def _jsonable(value: Any, lang: str) -> Any:
    """An ``extra`` value as JSON: objects that know their JSON form (fixes) give it in ``lang``."""
    if hasattr(value, "to_dict"):
        return value.to_dict(lang)
    if isinstance(value, (list, tuple)):
        return [_jsonable(v, lang) for v in value]
    return value


@dataclass(frozen=True)
class Resolved(JsonForm):
    """A finding of the structure before the plan that the plan no longer has: progress."""

    rule: str
    check: str
    severity: str
    entity: EntityRef
    message: Text

    def to_dict(self, lang: str = "vi") -> dict:
        return {"rule": self.rule, "check": self.check, "severity": self.severity,
                "entity": {"kind": self.entity.kind, "id": self.entity.id, "name": self.entity.name},
                "message": self.message(lang)}


@dataclass(frozen=True)
class TargetProgress(JsonForm):
    """Progress of a target rule (e.g. 10% fewer staff than in 2015): the value reached, the
    target, the gap, and ``status`` ``met``, ``on_track``, ``behind`` or ``missed`` by ``deadline``."""

    rule: str
    value: Optional[float]
    target: Optional[float]
    unit: str
    gap: Optional[float]
    status: str  # met | on_track | behind | missed
    deadline: dt.date

    def to_dict(self, lang: str = "vi") -> dict:
        return {"rule": self.rule, "value": self.value, "target": self.target, "unit": self.unit,
                "gap": self.gap, "status": self.status, "deadline": self.deadline.isoformat()}


@dataclass(frozen=True)
class NotApplicable(JsonForm):
    """A rule (or one check, or one entity) that could not be decided, and why: a missing input of
    the plan, or a parameter with no value in force on the date.  Never a silent pass."""

    rule: str
    reason: Text
    check: Optional[str] = None
    entity: Optional[EntityRef] = None

    @property
    def sort_key(self) -> tuple:
        return (self.rule, self.check or "", self.entity.id if self.entity else "")

    def to_dict(self, lang: str = "vi") -> dict:
        out = {"rule": self.rule, "reason": self.reason(lang)}
        if self.check:
            out["check"] = self.check
        if self.entity:
            out["entity"] = {"kind": self.entity.kind, "id": self.entity.id, "name": self.entity.name}
        return out


@dataclass(frozen=True)
class Report(JsonForm):
    """The result of one evaluation (``ag18-report/1``): findings sorted by rule and entity, target
    progress, what was not applicable, and what the plan resolved.  ``verdict`` is ``fail`` exactly
    when an unwaived error exists; ``to_json(lang)`` is what ``ag18 check --format json`` prints.
    Immutable and safe to share between threads.
    """

    plan: str
    as_of: dt.date
    policy_id: str
    policy_version: str
    findings: tuple[Finding, ...]
    targets: tuple[TargetProgress, ...]
    not_applicable: tuple[NotApplicable, ...]
    plan_title: Optional[str] = None
    source: Optional[str] = None
    resolved: tuple[Resolved, ...] = ()  # findings of `before` the plan resolves (see .origin)

    @property
    def verdict(self) -> str:
        """``fail`` when an unwaived error finding exists, else ``pass``."""
        return "fail" if any(f.severity == "error" and not f.waived for f in self.findings) else "pass"

    @property
    def summary(self) -> dict:
        """Counts of unwaived findings by severity, of waived ones and of what was not applicable."""
        counts = {s: 0 for s in SEVERITIES}
        for f in self.findings:
            if not f.waived:
                counts[f.severity] += 1
        counts["waived"] = sum(1 for f in self.findings if f.waived)
        counts["not_applicable"] = len(self.not_applicable)
        return counts

    def to_dict(self, lang: str = "vi") -> dict:
        """The report as JSON data in ``lang`` (``vi`` or ``en``); see ``docs/report.md`` and
        ``ag18 schema report``."""
        if lang not in LANGUAGES:
            raise check_lang(lang)
        return {
            "format": REPORT_FORMAT,
            "plan": self.plan,
            "as_of": self.as_of.isoformat(),
            "policy": {"id": self.policy_id, "version": self.policy_version},
            "verdict": self.verdict,
            "summary": self.summary,
            "findings": [f.to_dict(lang) for f in self.findings],
            "targets": [t.to_dict(lang) for t in self.targets],
            "not_applicable": [n.to_dict(lang) for n in self.not_applicable],
            "resolved": [r.to_dict(lang) for r in self.resolved],
        }


"""Who answers for each finding (TASK-6) and a per-organisation scorecard (IMPL-5).

The programme holds heads accountable for missed targets and feeds its results into the annual
evaluation of party organisations.  A finding belongs to an organisation of ``after``: its own
entity, the lead of a task, the organisation of a person's posts; plan-wide findings and
administrative units belong to the plan.  The scorecard's classification is an input to that
evaluation, computed from the findings alone; it is not itself a rating under party rules.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from .errors import Text
from .model import Plan
from .report import Finding, Report
from .serial import JsonForm

__all__ = ["ScoreRow", "Scorecard", "responsible", "scorecard", "CLASSES"]

CLASSES = {
    "compliant": Text("không có phát hiện", "no findings"),
    "advisory": Text("chỉ có cảnh báo hoặc thông tin", "warnings or advice only"),
    "waived": Text("vi phạm đều đã được miễn trừ", "every error is waived"),
    "non_compliant": Text("có vi phạm chưa được miễn trừ", "has unwaived errors"),
}


@dataclass(frozen=True)
class ScoreRow(JsonForm):
    org: str  # organisation id, or the plan id for plan-wide findings
    name: str
    head: Optional[str]  # person id of the head, if the plan names one
    head_name: Optional[str]
    error: int
    warning: int
    info: int
    waived: int
    rules: tuple[str, ...]

    @property
    def classification(self) -> str:
        if self.error:
            return "non_compliant"
        if self.waived:
            return "waived"
        if self.warning or self.info:
            return "advisory"
        return "compliant"

    def to_dict(self, lang: str = "vi") -> dict:
        return {"organization": self.org, "name": self.name, "head": self.head, "head_name": self.head_name,
                "error": self.error, "warning": self.warning, "info": self.info, "waived": self.waived,
                "rules": list(self.rules), "classification": self.classification,
                "classification_text": CLASSES[self.classification](lang)}


@dataclass(frozen=True)
class Scorecard(JsonForm):
    plan: str
    as_of: str
    rows: tuple[ScoreRow, ...]

    def to_dict(self, lang: str = "vi") -> dict:
        return {"format": "ag18-scorecard/1", "plan": self.plan, "as_of": self.as_of,
                "organizations": [r.to_dict(lang) for r in self.rows]}


    def render(self, lang: str = "vi") -> str:
        vi = lang != "en"
        head = ("Tổ chức", "Người đứng đầu", "Lỗi", "C.báo", "T.tin", "Miễn", "Phân loại") if vi else \
            ("Organisation", "Head", "Err", "Warn", "Info", "Waived", "Classification")
        rows = [head] + [(f"{r.name} ({r.org})", r.head_name or r.head or "—", str(r.error), str(r.warning),
                          str(r.info), str(r.waived), CLASSES[r.classification](lang)) for r in self.rows]
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        return "\n".join(lines) + "\n"


class _Index:
    """Organisations of ``after``, their heads, task leads and people's posts, by id."""

    def __init__(self, plan: Plan):
        self.plan = plan
        self.orgs = {o.id: o for o in plan.after.organizations}
        if plan.before:
            for o in plan.before.organizations:
                self.orgs.setdefault(o.id, o)
        self.people = {p.id: p for p in plan.after.people}
        self.heads: dict[str, str] = {}
        for person in sorted(plan.after.people, key=lambda p: p.id):
            for post in person.posts:
                if post.role == "head":
                    self.heads.setdefault(post.org, person.id)
        self.task_lead = {t.id: t.lead[0] for t in plan.after.tasks if t.lead}
        if plan.before:
            for t in plan.before.tasks:
                if t.lead:
                    self.task_lead.setdefault(t.id, t.lead[0])
        self.person_org = {p.id: p.posts[0].org for p in plan.after.people if p.posts}


def responsible(plan: Plan, finding: Finding, index: Optional[_Index] = None) -> str:
    """The organisation (or the plan) that answers for a finding."""
    index = index or _Index(plan)
    kind, eid = finding.entity.kind, finding.entity.id
    if kind == "organization":
        return eid
    if kind == "task":
        return index.task_lead.get(eid, plan.id)
    if kind == "person":
        return index.person_org.get(eid, plan.id)
    return plan.id


def scorecard(plan: Plan, report: Report) -> Scorecard:
    index = _Index(plan)
    rows: dict[str, dict] = {}
    for f in report.findings:
        org = responsible(plan, f, index)
        row = rows.setdefault(org, {"error": 0, "warning": 0, "info": 0, "waived": 0, "rules": set()})
        row["waived" if f.waived else f.severity] += 1
        row["rules"].add(f.rule)
    for oid in index.orgs:
        if oid in {o.id for o in plan.after.organizations}:
            rows.setdefault(oid, {"error": 0, "warning": 0, "info": 0, "waived": 0, "rules": set()})
    out = []
    for oid, row in rows.items():
        org = index.orgs.get(oid)
        head = index.heads.get(oid)
        person = index.people.get(head) if head else None
        out.append(ScoreRow(oid, org.name if org else (plan.title or plan.id), head,
                            person.name if person and person.name else None,
                            row["error"], row["warning"], row["info"], row["waived"], tuple(sorted(row["rules"]))))
    out.sort(key=lambda r: (-r.error, -r.warning, -r.info, r.org))
    return Scorecard(plan.id, report.as_of.isoformat(), tuple(out))


def head_labels(plan: Plan, report: Report, lang: str = "vi") -> dict[int, str]:
    """For each finding (by position), the head it is grouped under in the text report."""
    index = _Index(plan)
    labels = {}
    for i, f in enumerate(report.findings):
        org_id = responsible(plan, f, index)
        org = index.orgs.get(org_id)
        head = index.heads.get(org_id)
        person = index.people.get(head) if head else None
        who = (person.name or person.id) if person else ("chưa xác định" if lang != "en" else "not named")
        where = org.name if org else (plan.title or plan.id)
        labels[i] = f"{who} — {where}"
    return labels

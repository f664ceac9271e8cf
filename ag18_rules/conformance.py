"""Every rule's examples, run on every backend: what ``ag18 test`` and the test suite execute.

A rule folder holds ``tests.yaml``: cases naming an example plan and exactly the findings the
rule must report on it.  A case fails when a finding is missing, unexpected, or has other
values; the result names the rule, the example and what differed.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping, Optional, Sequence

from . import schema
from .errors import BackendUnavailable, Diagnostic, InputError, Text
from .report import Report
from .rulespec import rule_dirs
from .source import load_file

__all__ = ["Case", "CaseResult", "ExampleRun", "load_cases", "run_examples", "compare", "installed_backends"]


@dataclass(frozen=True)
class Case:
    rule: str
    index: int
    plan: Path
    as_of: Optional[dt.date]
    description: str
    findings: Optional[tuple[Mapping, ...]]
    not_applicable: Optional[bool]
    target_status: Optional[str]

    @property
    def name(self) -> str:
        return f"{self.rule}::{self.plan.name}"


@dataclass(frozen=True)
class CaseResult:
    case: Case
    backend: str
    problems: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class ExampleRun:
    results: tuple[CaseResult, ...]
    disagreements: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.results) and not self.disagreements

    def render(self, lang: str = "vi") -> str:
        lines = []
        for r in self.results:
            if not r.ok:
                head = "THẤT BẠI" if lang == "vi" else "FAIL"
                lines.append(f"{head} {r.case.name} [{r.backend}]")
                lines += [f"  {p}" for p in r.problems]
        lines += [f"{'KHÁC NHAU' if lang == 'vi' else 'DISAGREE'} {d}" for d in self.disagreements]
        passed = sum(r.ok for r in self.results)
        failed = len(self.results) - passed
        backends = sorted({r.backend for r in self.results})
        lines.append(f"{passed} passed, {failed} failed")
        lines.append(("ví dụ của các quy tắc, trên: " if lang == "vi" else "rule examples, on: ") + ", ".join(backends))
        return "\n".join(lines) + "\n"


def installed_backends() -> tuple[str, ...]:
    """``python``, and ``durable`` when its optional dependency is installed (not imported here)."""
    import importlib.util

    return ("python", "durable") if importlib.util.find_spec("durable") else ("python",)


def load_cases(rules_dir: Path, rule_ids: Iterable[str]) -> tuple[Case, ...]:
    """Every case of every rule folder; unknown rules and missing plans are diagnostics."""
    known = set(rule_ids)
    cases, problems = [], []
    for folder in rule_dirs(rules_dir):
        path = folder / "tests.yaml"
        if not path.is_file():
            problems.append(Diagnostic("missing-examples", Text(
                f"Quy tắc {folder.name} không có tệp ví dụ tests.yaml",
                f"Rule {folder.name} has no tests.yaml with its examples"), _span(folder / f"{folder.name}.yaml")))
            continue
        doc = load_file(path)
        found = schema.validate(doc, "tests")
        if found:
            problems += found
            continue
        for i, raw in enumerate(doc.data["cases"]):
            plan = folder / raw["plan"]
            if not plan.is_file():
                problems.append(doc.diagnostic("missing-plan", Text(
                    f"Không tìm thấy kế hoạch ví dụ {raw['plan']}", f"Example plan {raw['plan']} not found"),
                    ("cases", i, "plan")))
            expect = raw["expect"]
            for j, f in enumerate(expect.get("findings", ())):
                rule = f.get("rule", folder.name)
                if rule not in known:
                    problems.append(doc.diagnostic("unknown-rule", Text(
                        f"Kết quả mong đợi nêu quy tắc không tồn tại '{rule}'",
                        f"The expected outcome names an unknown rule '{rule}'"),
                        ("cases", i, "expect", "findings", j, "rule")))
            as_of = raw.get("as_of")
            cases.append(Case(
                rule=folder.name, index=i, plan=plan,
                as_of=dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of,
                description=raw.get("description", ""),
                findings=tuple(expect["findings"]) if "findings" in expect else None,
                not_applicable=expect.get("not_applicable"),
                target_status=expect.get("target_status"),
            ))
        _check_both_outcomes(folder.name, doc, problems)
    if problems:
        raise InputError(problems)
    return tuple(cases)


def _span(path: Path):
    from .errors import Span

    return Span(str(path), 1, 1)


def _check_both_outcomes(rule: str, doc, problems: list) -> None:
    cases = doc.data["cases"]
    has_pass = any(not c["expect"].get("findings") and not c["expect"].get("not_applicable") for c in cases)
    has_fail = any(c["expect"].get("findings") for c in cases)
    if not (has_pass and has_fail):
        problems.append(doc.diagnostic("one-sided-examples", Text(
            f"Ví dụ của quy tắc {rule} phải có cả trường hợp đạt và trường hợp vi phạm",
            f"The examples of rule {rule} must include both a passing and a failing case"), ("cases",)))


def compare(case: Case, report: Report) -> list[str]:
    """What differs between the case's expectation and the report, in plain words."""
    problems = []
    mine = [f for f in report.findings if f.rule == case.rule]
    if case.findings is not None:
        expected = [dict(f, rule=f.get("rule", case.rule)) for f in case.findings]
        unmatched = list(mine)
        for exp in expected:
            hit = next((f for f in unmatched if _matches(exp, f)), None)
            if hit is None:
                problems.append(f"missing finding: {_describe(exp)}")
            else:
                unmatched.remove(hit)
                problems += [f"{_describe(exp)}: value {k} is {hit.values.get(k)!r}, expected {v!r}"
                             for k, v in exp.get("values", {}).items() if hit.values.get(k) != v]
        problems += [f"unexpected finding: {f.rule}/{f.check} on {f.entity.id}: {f.message.en}" for f in unmatched]
    if case.not_applicable is not None:
        na = any(n.rule == case.rule and n.check is None and n.entity is None for n in report.not_applicable)
        if na != case.not_applicable:
            problems.append(f"rule {'is' if na else 'is not'} reported not applicable, expected the opposite")
    if case.target_status is not None:
        status = next((t.status for t in report.targets if t.rule == case.rule), None)
        if status != case.target_status:
            problems.append(f"target status is {status!r}, expected {case.target_status!r}")
    return problems


def _matches(exp: Mapping, f) -> bool:
    return (exp["rule"] == f.rule and exp["entity"] == f.entity.id
            and exp.get("check", f.check) == f.check
            and exp.get("severity", f.severity) == f.severity
            and exp.get("waived", bool(f.waived)) == bool(f.waived))


def _describe(exp: Mapping) -> str:
    check = f"/{exp['check']}" if "check" in exp else ""
    return f"{exp['rule']}{check} on {exp['entity']}"


def run_examples(directory=None, backends: Optional[Sequence[str]] = None) -> ExampleRun:
    """Run every case on every backend; also require the backends' reports to be identical."""
    from .engine import Policy, shipped_policy_dir

    root = Path(directory) if directory else shipped_policy_dir()
    backends = tuple(backends or installed_backends())
    results, outputs = [], {}
    for backend in backends:
        try:
            policy = Policy.load(root, backend=backend)
        except BackendUnavailable:
            raise
        with policy:
            cases = load_cases(root / "rules", policy.rule_ids)
            for case in cases:
                report = policy.evaluate(case.plan, as_of=case.as_of, fixes=False, origin=False)
                outputs.setdefault(case.name + f"#{case.index}", {})[backend] = report.to_json("en")
                results.append(CaseResult(case, backend, tuple(compare(case, report))))
    disagreements = tuple(
        f"{name}: {', '.join(sorted(by))} give different reports"
        for name, by in outputs.items() if len(set(by.values())) > 1
    )
    return ExampleRun(tuple(results), disagreements)

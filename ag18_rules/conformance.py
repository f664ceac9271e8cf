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
from .errors import Ag18Error, Diagnostic, InputError, Span, Text
from .labels import normalise_data
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
    span: Optional[Span] = None  # where the case starts in tests.yaml
    finding_lines: tuple[int, ...] = ()  # the line of each expected finding in tests.yaml

    @property
    def name(self) -> str:
        return f"{self.rule}::{self.plan.name}"

    def matches(self, select: str) -> bool:
        """Whether ``ag18 test -k select`` runs this case (rule id, plan file or description)."""
        needle = select.casefold()
        return any(needle in text.casefold() for text in (self.rule, self.name, str(self.plan), self.description,
                                                          self.as_of.isoformat() if self.as_of else ""))


@dataclass(frozen=True)
class CaseResult:
    case: Case
    backend: str
    problems: tuple[Text, ...]
    actual: tuple = ()  # the rule's findings on the example, for the failure message

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
        """Each failing case with its place in tests.yaml and what differed, then the counts."""
        lines = []
        for r in self.results:
            if not r.ok:
                lines += _failure(r, lang)
        lines += [TEXTS["disagree"](lang).format(what=d(lang)) for d in self.disagreements]
        passed = sum(r.ok for r in self.results)
        failed = len(self.results) - passed
        backends = ", ".join(sorted({r.backend for r in self.results})) or "-"
        lines.append(TEXTS["summary"](lang).format(passed=passed, failed=failed, backends=backends))
        return "\n".join(lines) + "\n"


#: The words of ``ag18 test``.
TEXTS = {
    "fail": Text("THẤT BẠI {where}: quy tắc {rule}, ví dụ {plan}{as_of} [{backend}]",
                 "FAIL {where}: rule {rule}, example {plan}{as_of} [{backend}]"),
    "as_of": Text(" vào ngày {day}", " on {day}"),
    "disagree": Text("KHÁC NHAU {what}", "DISAGREE {what}"),
    "disagreement": Text("{case}: các bộ máy {backends} cho báo cáo khác nhau",
                         "{case}: the backends {backends} give different reports"),
    "summary": Text("{passed} đạt, {failed} thất bại; ví dụ của các quy tắc, trên bộ máy: {backends}",
                    "{passed} passed, {failed} failed; rule examples, on: {backends}"),
    "missing": Text("thiếu vi phạm mong đợi: {finding}", "missing finding: {finding}"),
    "value": Text("{finding}: giá trị {name} là {actual}, mong đợi {expected}",
                  "{finding}: value {name} is {actual}, expected {expected}"),
    "unexpected": Text("vi phạm không mong đợi: {rule}/{check} tại {entity}: {message}",
                       "unexpected finding: {rule}/{check} on {entity}: {message}"),
    "na_is": Text("quy tắc được báo là không áp dụng, nhưng mong đợi là có áp dụng",
                  "rule is reported not applicable, expected the opposite"),
    "na_is_not": Text("quy tắc không được báo là không áp dụng, nhưng mong đợi là không áp dụng",
                      "rule is not reported not applicable, expected the opposite"),
    "target": Text("trạng thái mục tiêu là {actual}, mong đợi {expected}",
                   "target status is {actual}, expected {expected}"),
    "expected": Text("  mong đợi: {findings}", "  expected: {findings}"),
    "actual": Text("  thực tế:  {findings}", "  actual:   {findings}"),
    "none": Text("không có vi phạm", "no finding"),
    "on": Text("{rule}{check} tại {entity}", "{rule}{check} on {entity}"),
    "unknown-rule": Text("Không có quy tắc '{rule}'{hint}", "Unknown rule '{rule}'{hint}"),
    "hint": Text("; có phải ý là '{near}'?", "; did you mean '{near}'?"),
    "nothing": Text("Không có trường hợp nào khớp với -k {select}", "No case matches -k {select}"),
}


def _failure(result: "CaseResult", lang: str) -> list[str]:
    case = result.case
    as_of = TEXTS["as_of"](lang).format(day=case.as_of.isoformat()) if case.as_of else ""
    where = str(case.span) if case.span else str(case.plan)
    lines = [TEXTS["fail"](lang).format(where=where, rule=case.rule, plan=case.plan.name, as_of=as_of,
                                        backend=result.backend)]
    if case.description:
        lines.append(f"  “{case.description}”")
    lines += [f"  - {p(lang)}" for p in result.problems]
    if case.findings is not None:
        expected = [_describe(dict(f, rule=f.get("rule", case.rule)), lang) for f in case.findings]
        lines.append(TEXTS["expected"](lang).format(findings="; ".join(expected) or TEXTS["none"](lang)))
        actual = [_describe({"rule": f.rule, "check": f.check, "entity": f.entity.id}, lang)
                  for f in result.actual]
        lines.append(TEXTS["actual"](lang).format(findings="; ".join(actual) or TEXTS["none"](lang)))
    return lines


def installed_backends() -> tuple[str, ...]:
    """``python``, and ``durable`` when its optional dependency is installed (not imported here)."""
    import importlib.util

    return ("python", "durable") if importlib.util.find_spec("durable") else ("python",)


def load_cases(rules_dir: Path, rule_ids: Iterable[str]) -> tuple[Case, ...]:
    """Every case of every rule folder; unknown rules and missing plans are diagnostics.

    ``rule_ids`` may map each rule id to its check ids: then an unknown check is one too."""
    known = rule_ids if isinstance(rule_ids, Mapping) else set(rule_ids)
    cases, problems = [], []
    for folder in rule_dirs(rules_dir):
        path = folder / "tests.yaml"
        if not path.is_file():
            problems.append(Diagnostic("missing-examples", Text(
                f"Quy tắc {folder.name} không có tệp ví dụ tests.yaml",
                f"Rule {folder.name} has no tests.yaml with its examples"), _span(folder / f"{folder.name}.yaml")))
            continue
        cases += _folder_cases(folder, path, known, problems)
    if problems:
        raise InputError(problems)
    return tuple(cases)


def load_tests_file(path: Path, rule_ids: Iterable[str]) -> tuple[Case, ...]:
    """The cases of one ``tests.yaml`` (its rule is the folder it is in); problems raise InputError."""
    problems: list[Diagnostic] = []
    known = rule_ids if isinstance(rule_ids, Mapping) else set(rule_ids)
    cases = _folder_cases(Path(path).resolve().parent, Path(path), known, problems)
    if problems:
        raise InputError(problems)
    return tuple(cases)


def _folder_cases(folder: Path, path: Path, known, problems: list) -> list[Case]:
    """The cases of one rule folder's tests file; problems are appended to ``problems``."""
    cases: list[Case] = []
    doc = load_file(path)
    normalise_data(doc.data, schema.load_schema("tests"))  # Vietnamese labels of enum values -> codes
    found = schema.validate(doc, "tests")
    if found:
        problems += found
        return cases
    for i, raw in enumerate(doc.data["cases"]):
        span = doc.span(("cases", i))
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
            elif isinstance(known, Mapping):
                problems += _unknown_check(doc, rule, f.get("check"), known[rule], ("cases", i, "expect", "findings", j))
        as_of = raw.get("as_of")
        cases.append(Case(
            rule=folder.name, index=i, plan=plan,
            as_of=dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of,
            description=raw.get("description", ""),
            findings=tuple(expect["findings"]) if "findings" in expect else None,
            not_applicable=expect.get("not_applicable"),
            target_status=expect.get("target_status"),
            span=span,
            finding_lines=tuple(doc.span(("cases", i, "expect", "findings", j)).line
                                for j in range(len(expect.get("findings") or ()))),
        ))
    _check_both_outcomes(folder.name, doc, problems)
    return cases


def _unknown_check(doc, rule: str, check, checks, path: tuple) -> list[Diagnostic]:
    """An expected finding naming a check its rule does not have, with the nearest one."""
    from .schema import closest

    if not isinstance(check, str) or check in checks:
        return []
    near = closest(check, sorted(checks))
    hint = {lang: TEXTS["hint"](lang).format(near=near) if near else "" for lang in ("vi", "en")}
    return [doc.diagnostic("unknown-check", Text(
        f"Quy tắc {rule} không có kiểm tra '{check}'{hint['vi'] or '.'} Các kiểm tra: {', '.join(sorted(checks))}",
        f"Rule {rule} has no check '{check}'{hint['en'] or '.'} Its checks: {', '.join(sorted(checks))}"),
        path + ("check",))]


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


def compare(case: Case, report: Report, lang: str = "en") -> list[str]:
    """What differs between the case's expectation and the report, in plain words."""
    return [p(lang) for p in differences(case, report)]


def differences(case: Case, report: Report) -> list[Text]:
    """What differs between the case's expectation and the report, in both languages."""
    problems = []
    mine = [f for f in report.findings if f.rule == case.rule]
    if case.findings is not None:
        expected = [dict(f, rule=f.get("rule", case.rule)) for f in case.findings]
        unmatched = list(mine)
        for j, exp in enumerate(expected):
            hit = next((f for f in unmatched if _matches(exp, f)), None)
            line = case.finding_lines[j] if j < len(case.finding_lines) else 0
            found = []
            if hit is None:
                found.append(_both("missing", finding=lambda lang, e=exp: _describe(e, lang)))
            else:
                unmatched.remove(hit)
                found += [_both("value", finding=lambda lang, e=exp: _describe(e, lang), name=k,
                                actual=repr(hit.values.get(k)), expected=repr(v))
                          for k, v in exp.get("values", {}).items() if hit.values.get(k) != v]
            problems += [_at_line(p, line) for p in found]
        problems += [Text(TEXTS["unexpected"].vi.format(rule=f.rule, check=f.check, entity=f.entity.id, message=f.message.vi),
                          TEXTS["unexpected"].en.format(rule=f.rule, check=f.check, entity=f.entity.id, message=f.message.en))
                     for f in unmatched]
    if case.not_applicable is not None:
        na = any(n.rule == case.rule and n.check is None and n.entity is None for n in report.not_applicable)
        if na != case.not_applicable:
            problems.append(TEXTS["na_is" if na else "na_is_not"])
    if case.target_status is not None:
        status = next((t.status for t in report.targets if t.rule == case.rule), None)
        if status != case.target_status:
            problems.append(_both("target", actual=repr(status), expected=repr(case.target_status)))
    return problems


def _at_line(text: Text, line: int) -> Text:
    """The sentence followed by the line of tests.yaml it is about."""
    if not line:
        return text
    return Text(f"{text.vi} (dòng {line})", f"{text.en} (line {line})")


def _both(key: str, **values) -> Text:
    """A sentence of :data:`TEXTS` filled in both languages (a callable value is given the language)."""
    def fill(lang):
        return TEXTS[key](lang).format(**{k: v(lang) if callable(v) else v for k, v in values.items()})
    return Text(fill("vi"), fill("en"))


def _matches(exp: Mapping, f) -> bool:
    return (exp["rule"] == f.rule and exp["entity"] == f.entity.id
            and exp.get("check", f.check) == f.check
            and exp.get("severity", f.severity) == f.severity
            and exp.get("waived", bool(f.waived)) == bool(f.waived))


def _describe(exp: Mapping, lang: str = "en") -> str:
    check = f"/{exp['check']}" if exp.get("check") else ""
    return TEXTS["on"](lang).format(rule=exp["rule"], check=check, entity=exp["entity"])


def run_examples(directory=None, backends: Optional[Sequence[str]] = None, *,
                 rules: Optional[Sequence[str]] = None, select: Optional[str] = None) -> ExampleRun:
    """Run every case (of ``rules`` only, and matching ``select`` only, when given) on every
    backend; also require the backends' reports to be identical."""
    from .engine import Policy, shipped_policy_dir

    root = Path(directory) if directory else shipped_policy_dir()
    backends = tuple(backends or installed_backends())
    results, outputs = [], {}
    for backend in backends:
        with Policy.load(root, backend=backend) as policy:
            _known(rules or (), policy.rule_ids)
            cases = [c for c in load_cases(root / "rules", policy.rule_ids)
                     if (not rules or c.rule in rules) and (not select or c.matches(select))]
            if not cases and select:
                raise Ag18Error(Text(TEXTS["nothing"].vi.format(select=select), TEXTS["nothing"].en.format(select=select)))
            for case in cases:
                report = policy.evaluate(case.plan, as_of=case.as_of, fixes=False, origin=False)
                outputs.setdefault(case.name + f"#{case.index}", {})[backend] = report.to_json("en")
                actual = tuple(f for f in report.findings if f.rule == case.rule)
                results.append(CaseResult(case, backend, tuple(differences(case, report)), actual))
    disagreements = tuple(
        _both("disagreement", case=name, backends=", ".join(sorted(by)))
        for name, by in outputs.items() if len(set(by.values())) > 1
    )
    return ExampleRun(tuple(results), disagreements)


def _known(rules: Sequence[str], known: Iterable[str]) -> None:
    """Every rule asked for exists, else an error naming the nearest id."""
    from .schema import closest

    known = sorted(known)
    for rule in rules:
        if rule not in known:
            near = closest(rule, known)
            hint = {lang: TEXTS["hint"](lang).format(near=near) if near else "" for lang in ("vi", "en")}
            raise Ag18Error(Text(TEXTS["unknown-rule"].vi.format(rule=rule, hint=hint["vi"]),
                                 TEXTS["unknown-rule"].en.format(rule=rule, hint=hint["en"])))

"""Reports and rule examples as JUnit XML, the test-result format every CI server shows.

A report is a test suite: one failing test case per finding (rule check and entity), a skipped
case per waived finding and per check that was not applicable, and a passing case per check of
the policy that found nothing.  ``ag18 test`` results map one case per rule example and backend.
"""
from __future__ import annotations

from typing import Any, Iterable, Optional
from xml.etree import ElementTree as ET

__all__ = ["render_junit", "render_junit_examples"]


def _case(suite, classname: str, name: str) -> ET.Element:
    return ET.SubElement(suite, "testcase", classname=classname, name=name, time="0")


def _suite(root, name: str, cases: list, timestamp: Optional[str] = None) -> ET.Element:
    suite = ET.SubElement(root, "testsuite", name=name)
    for classname, name_, kind, text, detail in cases:
        case = _case(suite, classname, name_)
        if kind in ("failure", "error", "skipped"):
            sub = ET.SubElement(case, kind, message=text)
            if detail:
                sub.text = detail
    counts = {k: sum(1 for c in cases if c[2] == k) for k in ("failure", "error", "skipped")}
    suite.set("tests", str(len(cases)))
    suite.set("failures", str(counts["failure"]))
    suite.set("errors", str(counts["error"]))
    suite.set("skipped", str(counts["skipped"]))
    return suite


def _report_cases(report, policy: Any, lang: str) -> list:
    cases = []
    found = set()
    for f in report.findings:
        key = f"{f.rule}/{f.check}"
        found.add(key)
        detail = "\n".join([f"{k} = {v}" for k, v in f.values.items()] + [f"{p.name} = {p.value} ({p.reference})"
                                                                            for p in f.parameters])
        kind = "skipped" if f.waived else ("pass" if f.severity == "info" else "failure")
        cases.append((key, f"{key} {f.entity.id}", kind, f"[{f.severity}] {f.message(lang)}", detail))
    for n in report.not_applicable:
        key = n.rule + (f"/{n.check}" if n.check else "")
        found.add(key)
        cases.append((key, key + (f" {n.entity.id}" if n.entity else ""), "skipped", n.reason(lang), ""))
    for rule in (policy.rules if policy is not None else ()):
        for check in rule.spec.checks:
            key = f"{rule.id}/{check.id}"
            if key not in found:
                cases.append((key, key, "pass", "", ""))
    return sorted(cases, key=lambda c: (c[0], c[1]))


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def render_junit(reports: Iterable[Any], *, policy: Any = None, lang: str = "vi") -> str:
    """JUnit XML for the reports: a failure per error or warning finding, skipped for waived
    findings and not-applicable checks, a passing case per check of ``policy`` with no finding."""
    root = ET.Element("testsuites", name="ag18")
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in reports:
        suite = _suite(root, f"{report.plan} ({report.source or report.plan})", _report_cases(report, policy, lang))
        for k in total:
            total[k] += int(suite.get(k))
    for k, v in total.items():
        root.set(k, str(v))
    return _xml(root)


def render_junit_examples(run: Any, lang: str = "vi") -> str:
    """``ag18 test`` as JUnit XML: one case per rule example and backend, failures with what differed."""
    root = ET.Element("testsuites", name="ag18 test")
    by_rule: dict[str, list] = {}
    def said(text) -> str:  # the problems of ag18 test are sentences in both languages
        return text(lang) if callable(text) else str(text)

    for r in run.results:
        problems = [said(p) for p in r.problems]
        by_rule.setdefault(r.case.rule, []).append(
            (r.case.rule, f"{r.case.plan.name} [{r.backend}]", "pass" if r.ok else "failure",
             problems[0] if problems else "", "\n".join(problems)))
    if run.disagreements:
        by_rule["backends"] = [("backends", said(d), "failure", said(d), "") for d in run.disagreements]
    total = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for rule in sorted(by_rule):
        suite = _suite(root, rule, by_rule[rule])
        for k in total:
            total[k] += int(suite.get(k))
    for k, v in total.items():
        root.set(k, str(v))
    return _xml(root)

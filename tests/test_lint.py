"""``ag18 lint`` on a small policy built to hold one of each problem, and on the shipped policy."""
from __future__ import annotations

import io
import json
import shutil
import textwrap
from pathlib import Path

import pytest

from ag18_rules.cli import main
from ag18_rules.engine import shipped_policy_dir
from ag18_rules.lint import lint_policy

DEMO_PARAMETERS = """\
format: ag18-policy/1
parameters:
  lint.unused:
    description: {vi: Tham số không ai dùng, en: A parameter nobody reads}
    unit: count
    values:
      2018-01-01:
        value: 1
        reference: {document: Văn bản A, article: null, effective: 2018-01-01, source: x, confidence: high}
        verified: true
  lint.limit:
    description: {vi: Một mức có ngày lệch, en: A limit whose dates disagree}
    unit: count
    values:
      2020-01-01:
        value: 5
        reference: {document: Văn bản B, article: null, effective: 2020-02-01, source: x, confidence: high}
        verified: true
        note: {vi: Áp dụng sớm., en: Applied early.}
      2021-01-01:
        value: 7
        reference: {document: Văn bản C, article: null, effective: 2022-06-01, source: x, confidence: high}
        verified: true
        note: {vi: Áp dụng sớm., en: Applied early.}
      2021-06-01:
        value: 8
        reference: {document: Văn bản D, article: null, effective: 2021-06-01, source: x, confidence: high}
        verified: true
      2022-01-01:
        value: 9
        reference: {document: Văn bản D, article: null, effective: 2022-01-01, source: x, confidence: high}
        verified: true
"""

TEXTS = """\
title: {vi: Quy tắc thử, en: A demo rule}
description: {vi: Quy tắc để thử lệnh lint., en: A rule to try the lint command.}
"""

MESSAGE = """\
    message: {vi: "Kế hoạch {name} vi phạm.", en: "Plan {name} is in breach."}
    fix: {vi: "Sửa kế hoạch {name}.", en: "Correct plan {name}."}
"""

DEMO_RULE = f"""\
format: ag18-rule/1
id: lint-demo
{TEXTS}clause: [GOAL-2021-4]
quote: "Giảm tối thiểu 10% biên chế"
severity: error
needs: [baseline]
checks:
  - id: no-cut
    applies_to: plan
    require: "staff_after >= baseline_staff"
    values: [staff_after, baseline_staff]
{MESSAGE}  - id: always-holds
    applies_to: plan
    parameters: {{limit: lint.limit}}
    require: "limit >= 0"
    values: [limit]
{MESSAGE}"""

ONE_SIDED_RULE = f"""\
format: ag18-rule/1
id: lint-one-sided
{TEXTS}clause: [TASK-2c]
quote: "không được tăng thêm đầu mối và biên chế"
severity: error
needs: [before]
checks:
  - id: plan
    applies_to: plan
    require: "orgs_after < orgs_before"
    values: [orgs_before, orgs_after]
{MESSAGE}"""


def _plan(pid: str, staff: int, baseline: int | None, before: bool) -> str:
    org = f"{{id: a, name: Sở A, type: department, staff: {{civil_servants: {staff}}}}}"
    text = f"format: ag18-plan/1\nplan: {{id: {pid}, effective: 2019-06-01}}\n"
    if baseline is not None:
        text += f"baseline: {{year: 2015, staff: {baseline}}}\n"
    if before:
        text += f"before: {{organizations: [{org}]}}\n"
    return text + f"after: {{organizations: [{org}]}}\n"


def _rule(root: Path, rule: str, text: str, cases: str, plans: dict[str, str]) -> None:
    folder = root / "rules" / rule
    (folder / "examples").mkdir(parents=True)
    (folder / f"{rule}.yaml").write_text(text, encoding="utf-8")
    (folder / "tests.yaml").write_text("format: ag18-rule-tests/1\ncases:\n" + textwrap.dedent(cases), encoding="utf-8")
    for name, plan in plans.items():
        (folder / "examples" / name).write_text(plan, encoding="utf-8")


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Path:
    """The shipped parameters and two shipped rules, plus one of each problem lint looks for."""
    root = tmp_path_factory.mktemp("policy")
    shipped = shipped_policy_dir()
    shutil.copytree(shipped / "policy", root / "policy")
    (root / "policy" / "lint-demo.yaml").write_text(DEMO_PARAMETERS, encoding="utf-8")
    for rule in ("staff-reduction-target", "no-unit-increase"):
        shutil.copytree(shipped / "rules" / rule, root / "rules" / rule)
    target = root / "rules" / "staff-reduction-target" / "staff-reduction-target.yaml"
    target.write_text(target.read_text(encoding="utf-8").replace("severity: error\n", "severity: error\ndeadline: 2030-12-31\n", 1),
                      encoding="utf-8")
    _rule(root, "lint-demo", DEMO_RULE, """\
        - plan: examples/pass.yaml
          expect: {findings: []}
        - plan: examples/fail.yaml
          expect:
            findings:
              - {check: no-cut, entity: cut}
        """, {"pass.yaml": _plan("kept", 10, 10, True), "fail.yaml": _plan("cut", 9, 10, True)})
    _rule(root, "lint-one-sided", ONE_SIDED_RULE, """\
        - plan: examples/no-before.yaml
          expect: {findings: []}
        - plan: examples/fail.yaml
          expect:
            findings:
              - {check: plan, entity: same}
        """, {"no-before.yaml": _plan("alone", 5, None, False), "fail.yaml": _plan("same", 5, None, True)})
    return root


@pytest.fixture(scope="module")
def found(demo):
    report = lint_policy(demo, plans=300)
    return report, {(d.code, Path(d.span.file).relative_to(demo).as_posix(), d.span.line): d for d in report.diagnostics}


def _lines(path: Path, text: str) -> int:
    """The line of ``path`` that starts (after indentation) with ``text``."""
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
                if line.strip().startswith(text))


def test_an_unused_parameter_at_its_line(demo, found):
    report, by_place = found
    line = _lines(demo / "policy" / "lint-demo.yaml", "lint.unused:")
    d = by_place[("unused-parameter", "policy/lint-demo.yaml", line)]
    assert d.message.en == "Parameter lint.unused is read by no rule and no derived fact"
    assert "lint.limit" not in " ".join(x.message.en for x in report.diagnostics if x.code == "unused-parameter")


def test_dates_that_disagree_with_their_legal_text(demo, found):
    _, by_place = found
    params = demo / "policy" / "lint-demo.yaml"
    first, second = _lines(params, "2020-01-01:"), _lines(params, "2021-01-01:")
    assert by_place[("date-before-effective", "policy/lint-demo.yaml", first)].message.en == (
        "The value of lint.limit applies from 2020-01-01, before Văn bản B takes effect (2020-02-01)")
    assert ("date-before-effective", "policy/lint-demo.yaml", second) in by_place
    assert by_place[("overlapping-dates", "policy/lint-demo.yaml", second)].message.en == (
        "Văn bản C takes effect on 2022-06-01, when the next value of lint.limit (from 2021-06-01) "
        "has already replaced it: this value never applies")
    assert not [k for k in by_place if k[0] == "overlapping-dates" and k[2] != second]
    later = _lines(params, "2022-01-01:")
    assert by_place[("document-dates", "policy/lint-demo.yaml", later)].message.en == (
        "Văn bản D is cited as taking effect on 2022-01-01, elsewhere on 2021-06-01")


def test_a_rule_deadline_that_disagrees_with_its_target(demo, found):
    _, by_place = found
    rule = demo / "rules" / "staff-reduction-target" / "staff-reduction-target.yaml"
    d = by_place[("inconsistent-deadline", "rules/staff-reduction-target/staff-reduction-target.yaml",
                  _lines(rule, "target:") + 1)]  # the target's first line
    assert d.message.en == "Rule staff-reduction-target has the deadline 2030-12-31 but its target has 2021-12-31"


def test_a_check_that_nothing_triggers(demo, found):
    report, by_place = found
    line = _lines(demo / "rules" / "lint-demo" / "lint-demo.yaml", "- id: always-holds")
    never = by_place[("never-triggered", "rules/lint-demo/lint-demo.yaml", line)]
    assert never.message.en == f"None of {report.plans} generated plans makes check lint-demo/always-holds report"
    assert ("check-never-fails", "rules/lint-demo/lint-demo.yaml", line) in by_place
    assert report.plans == 300
    triggered = {d.message.en.split("check ")[1].split(" ")[0] for d in report.diagnostics if d.code == "never-triggered"}
    assert "lint-demo/no-cut" not in triggered and "no-unit-increase/plan" not in triggered


def test_examples_that_never_pass_while_the_rule_applies(demo, found):
    _, by_place = found
    d = by_place[("one-sided-examples", "rules/lint-one-sided/tests.yaml", 2)]
    assert d.message.en == "No example of rule lint-one-sided gives no finding while the rule applies"
    assert d.message.vi == ("Không ví dụ nào của quy tắc lint-one-sided cho thấy kế hoạch đạt khi quy tắc "
                            "được áp dụng")
    assert ("one-sided-examples", "rules/lint-demo/tests.yaml", 2) not in by_place


def test_a_date_boundary_without_examples(demo, found):
    _, by_place = found
    d = by_place[("boundary-untested", "rules/lint-demo/tests.yaml", 2)]
    assert "Parameter lint.limit of rule lint-demo changes on" in d.message.en


def test_a_target_that_only_a_breach_can_meet(demo, found):
    _, by_place = found
    rule = demo / "rules" / "staff-reduction-target" / "staff-reduction-target.yaml"
    d = by_place[("unreachable-target", "rules/staff-reduction-target/staff-reduction-target.yaml",
                  _lines(rule, "target:") + 1)]
    assert d.message.en.startswith("None of 300 generated plans meets the target of rule staff-reduction-target "
                                   "without breaking a prohibition: all ")
    met = int(d.message.en.split("all ")[1].split(" ")[0])
    assert f"that meet it break lint-demo ({met})" in d.message.en  # the prohibition every one of them breaks


def test_the_command_prints_file_line_and_code_and_exits_1(demo):
    out, err = io.StringIO(), io.StringIO()
    assert main(["lint", "--policy", str(demo), "--plans", "0", "--lang", "en"], stdout=out, stderr=err) == 1
    lines = out.getvalue().splitlines()
    assert any(line.startswith(f"{demo}/policy/lint-demo.yaml:") and ": unused-parameter: " in line for line in lines)
    assert lines[-1].endswith("problem(s); 0 generated plans evaluated")
    out = io.StringIO()
    main(["lint", "--policy", str(demo), "--plans", "0", "--format", "json"], stdout=out, stderr=err)
    data = json.loads(out.getvalue())
    assert {"file", "line", "col", "code", "message", "path"} <= set(data["problems"][0])
    assert data["plans"] == 0


def test_the_shipped_policy_has_its_targets_reachable_and_its_core_checks_triggered():
    report = lint_policy(plans=300)
    codes = {d.code for d in report.diagnostics}
    assert "unreachable-target" not in codes
    assert not {c for c in codes if c.startswith("date-") or c == "overlapping-dates"}
    never = " ".join(d.message.en for d in report.diagnostics if d.code == "never-triggered")
    for key in ("deputy-cap/department-unit", "no-new-intermediate/intermediate", "one-lead-organization/lead",
                "task-continuity/continued", "affected-staff-settled/organization", "no-staff-increase/plan"):
        assert key not in never

"""Rule files checked at load: every problem at its position, in the officer's terms."""
import shutil
import textwrap
from pathlib import Path

import pytest

from ag18_rules import InputError
from ag18_rules.compiler import compile_rules
from ag18_rules.parameters import ParameterSet
from ag18_rules.rulespec import load_rules

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def params():
    return ParameterSet.load(ROOT / "policy")


RULE = """\
format: ag18-rule/1
id: demo
title: {{vi: Thử, en: Demo}}
clause: [{clause}]
quote: "{quote}"
severity: error
checks:
  - id: one
    applies_to: {kind}
    parameters: {{{alias}: {pid}}}
    require: "{require}"
    message: {{vi: "{{name}} vi phạm", en: "{{name}} breaks it"}}
"""


def problems(tmp_path, params, **fields):
    values = dict(clause="GOAL-2021-1", quote="giảm cấp phó", kind="organization", alias="cap",
                  pid="deputy.department_unit_max", require="deputies <= cap")
    values.update(fields)
    folder = tmp_path / "rules" / "demo"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "demo.yaml").write_text(RULE.format(**values), encoding="utf-8")
    with pytest.raises(InputError) as caught:
        compile_rules(load_rules(tmp_path / "rules"), params)
    return [(d.code, d.span.line, d.span.col, d.message.en) for d in caught.value.diagnostics]


def test_a_valid_rule_compiles(tmp_path, params):
    folder = tmp_path / "rules" / "demo"
    folder.mkdir(parents=True)
    (folder / "demo.yaml").write_text(RULE.format(
        clause="GOAL-2021-1", quote="giảm cấp phó", kind="organization", alias="cap",
        pid="deputy.department_unit_max", require="deputies <= cap"), encoding="utf-8")
    [rule] = compile_rules(load_rules(tmp_path / "rules"), params)
    assert rule.checks[0].program.types["p__deputy_department_unit_max"].base == "int"


def test_unknown_parameter_with_a_suggestion(tmp_path, params):
    [(code, line, col, message)] = problems(tmp_path, params, pid="deputy.department_unit_mx")
    assert (code, line) == ("unknown-parameter", 10)
    assert "did you mean 'deputy.department_unit_max'" in message


def test_a_list_parameter_cannot_be_read_by_a_condition(tmp_path, params):
    [(code, line, _, _)] = problems(tmp_path, params, pid="staff.counted_categories", require="deputies <= 3")
    assert (code, line) == ("parameter-type", 10)


def test_a_parameter_looked_up_by_a_fact_the_kind_lacks(tmp_path, params):
    found = problems(tmp_path, params, kind="task", require="lead_count <= cap")
    assert {c for c, *_ in found} == {"parameter-index"}
    assert "looked up by fact 'province_class'" in found[0][3]


def test_an_alias_may_not_hide_a_fact(tmp_path, params):
    [(code, *_)] = problems(tmp_path, params, alias="deputies", require="heads <= 1")
    assert code == "alias-shadows-fact"


def test_unknown_clause_and_wrong_quote(tmp_path, params):
    assert [c for c, *_ in problems(tmp_path, params, clause="GOAL-2021-7")] == ["unknown-clause"]
    found = problems(tmp_path, params, quote="tăng cấp phó")
    assert [(c, line) for c, line, *_ in found] == [("quote-mismatch", 5)]


def test_condition_error_points_inside_the_quoted_expression(tmp_path, params):
    [(code, line, col, message)] = problems(tmp_path, params, require="deputies <= cap and heads = 1")
    assert (code, line, col) == ("expr-assign", 11, 15 + len("deputies <= cap and heads "))
    assert "==" in message

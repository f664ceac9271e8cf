"""The columnar evaluation of the python backend: generated from checked trees only, and equal to
the closures it replaces (outcome by outcome, and report by report)."""
from __future__ import annotations

import ast
import re
import shutil
import sys
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import ag18_rules
from ag18_rules.backends.base import CheckProgram, Entity
from ag18_rules.backends.columnar import ColumnarProgram
from ag18_rules.backends.reference import ReferenceProgram
from ag18_rules.errors import InputError
from ag18_rules.expr.codegen import Generator, literal
from ag18_rules.expr.nodes import Binary, In, Literal, Name
from ag18_rules.facts import CATALOGUE
from ag18_rules.plan import plan_to_dict
from ag18_rules.testing import compliant_plans

from test_expr import PROPERTY_ENV, conditions, value_sets

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from generate import synthetic_plan as synthetic  # noqa: E402  (the benchmarks' plans: mergers, groups, tasks)

CLASS1 = ROOT / "rules" / "deputy-cap" / "examples" / "class1-2021.yaml"


class Rows:
    """A column source over a list of value mappings (a fact missing from a mapping is None)."""

    def __init__(self, rows, names):
        self.rows, self.names = rows, names

    def size(self, kind):
        return len(self.rows)

    def column(self, kind, name):
        return [row.get(name) for row in self.rows]

    def has(self, kind, name):
        return name in self.names

    def lookup(self, kind, name):
        return None


@settings(max_examples=300, deadline=None)
@given(conditions, conditions, st.lists(value_sets, min_size=1, max_size=6))
def test_generated_loops_give_the_closures_outcomes(where, require, rows):
    programs = [CheckProgram("k/a", "organization", where, require, PROPERTY_ENV),
                CheckProgram("k/b", "organization", require, where, PROPERTY_ENV)]
    closures = ReferenceProgram(programs).run([Entity("organization", r) for r in rows])
    (found,) = ColumnarProgram(programs).run(Rows(rows, set(PROPERTY_ENV)), ["k/a", "k/b"])
    columnar = sorted((key, row, verdict) for verdict, by_check in (("violated", found.violated),
                                                                     ("unknown", found.unknown))
                      for key, hits in by_check.items() for row in hits)
    assert columnar == sorted((o.check, o.entity, o.verdict) for o in closures)


#: the same names, with ``a``, ``s`` and ``f`` always holding a value: conditions over them are written two-valued
TWO_VALUED = {**PROPERTY_ENV, **{name: replace(PROPERTY_ENV[name], nullable=False) for name in ("a", "s", "f")}}


@settings(max_examples=300, deadline=None)
@given(conditions, conditions, st.lists(value_sets, min_size=1, max_size=6), st.integers(-3, 3), st.sampled_from("pqr"),
       st.booleans())
def test_names_that_always_have_a_value_are_read_without_tests_and_mean_the_same(where, require, rows, a, s, f):
    rows = [{**row, "a": row.get("a", a) if row.get("a") is not None else a,
             "s": row.get("s") or s, "f": row.get("f") if row.get("f") is not None else f} for row in rows]
    programs = [CheckProgram("k/a", "organization", where, require, TWO_VALUED)]
    closures = ReferenceProgram(programs).run([Entity("organization", r) for r in rows])
    (found,) = ColumnarProgram(programs).run(Rows(rows, set(TWO_VALUED)), ["k/a"])
    columnar = sorted([("k/a", row, "violated") for row in found.violated["k/a"]]
                      + [("k/a", row, "unknown") for row in found.unknown["k/a"]])
    assert columnar == sorted((o.check, o.entity, o.verdict) for o in closures)


def test_a_fact_that_may_not_be_absent_always_has_a_value(policy):
    """The generated loops trust the catalogue: a fact not marked *may be absent* is never None."""
    plans = [policy.load_plan(p) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    plans.append(policy.load_plan(plan_to_dict(synthetic(300))))
    for plan in plans:
        table = policy.facts(plan, plan.effective)
        for ref, entity in zip(table.refs, table.entities):
            for name, spec in CATALOGUE[ref.kind].items():
                if not spec.type.nullable:
                    assert entity.values.get(name) is not None, (plan.id, ref, name)


@pytest.mark.parametrize("value", ["'; import os #", "a\nb", "\\'\"", "__import__('os')", "ấp", 10**15, -0.5, True, None])
def test_literals_are_written_as_python_literals_of_their_value(value):
    text = literal(value)
    assert eval(text, {"__builtins__": {}}) == value  # noqa: S307 - a literal, checked here
    assert type(eval(text, {"__builtins__": {}})) is type(value)  # noqa: S307


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), b"x", object(), [1]])
def test_anything_but_a_checked_literal_is_refused(bad):
    with pytest.raises(TypeError):
        literal(bad)
    gen = Generator({"x": "v0"}.__getitem__, lambda value: "K0")
    with pytest.raises(TypeError):
        gen.expr(Binary("==", Name("x"), Literal(bad)))


def test_names_and_options_never_reach_the_text():
    """A name is written as the caller's identifier and options are bound, whatever they say."""
    hostile = "__class__.__subclasses__()"
    bound = []
    gen = Generator({hostile: "v0"}.__getitem__, lambda value: bound.append(value) or "K0")
    text = gen.expr(In(Name(hostile), (Literal("x'); import os; ('"), Literal("\n")), False))
    assert hostile not in text and "import" not in text and "\n" not in text
    assert bound == [frozenset({"x'); import os; ('", "\n"})]


HOSTILE_RULE = """\
format: ag18-rule/1
id: hostile
title: {vi: "Tên\\" có ''nháy'' __import__", en: "Quotes' \\" and __dunder__"}
description: {vi: "x", en: "x"}
clause: [GOAL-2021-1]
quote: "giảm cấp phó"
severity: error
checks:
  - id: "q"
    applies_to: organization
    where: "in_after and (head_person == null or head_person not in ['x\\\\'); __import__(\\\\'os\\\\').system(\\\\'false', 'a\\nb']) and (pilot_unknown_exemption_list == null or pilot_unknown_exemption_list != '__builtins__')"
    parameters: {__cap__: deputy.department_director_avg}
    require: "deputies <= __cap__ or (head_person != null and head_person == '\\\"; raise SystemExit #')"
    message:
      vi: "{name}: {deputies} > {__cap__} ''\\"__import__\\"''"
      en: "{name}: {deputies} > {__cap__}"
"""


def test_hostile_rule_text_is_evaluated_as_data(tmp_path):
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    (tmp_path / "rules" / "hostile").mkdir(parents=True)
    (tmp_path / "rules" / "hostile" / "hostile.yaml").write_text(HOSTILE_RULE, encoding="utf-8")
    policy = ag18_rules.load_policy(tmp_path)
    report = policy.evaluate(CLASS1, fixes=False, origin=False)
    (generated,) = [text for text in policy._prepared._columnar.generated() if "'; raise" in text or '"; raise' in text]
    _assert_only_generated_code(generated, strings={'"; raise SystemExit #', "__builtins__"})
    # the same answers as the closures on the records of the same plan
    plan = policy.load_plan(CLASS1)
    records = policy._report(plan, plan.effective, policy.facts(plan, plan.effective))
    assert report == records
    hits = [f for f in report.findings if f.rule == "hostile"]
    assert hits and all(f.values["__cap__"] == 3 and f.values["deputies"] > 3 for f in hits)
    assert all(f.message.en.endswith(f"{f.values['deputies']} > 3") for f in hits)


GENERATED_NAME = re.compile(r"(v|m|K|c|V|U|_t)[0-9]+|[wrinCMVU]|_fix|enumerate|zip|range|run")


def _assert_only_generated_code(text: str, strings: set) -> None:
    """The generated text holds the generator's own identifiers and calls, and the rule's strings
    only as string constants (a name or a call of the rule's text would be code)."""
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, ast.Name):
            assert GENERATED_NAME.fullmatch(node.id), node.id
        elif isinstance(node, ast.Attribute):
            assert node.attr == "append", node.attr
        elif isinstance(node, (ast.Import, ast.ImportFrom, ast.Lambda, ast.ClassDef, ast.Global, ast.Raise)):
            raise AssertionError(ast.dump(node))
        elif isinstance(node, ast.Call):
            assert isinstance(node.func, (ast.Name, ast.Attribute)), ast.dump(node)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            assert node.value in strings, node.value


def test_a_rule_naming_a_dunder_fact_is_refused_at_load(tmp_path):
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    (tmp_path / "rules" / "hostile").mkdir(parents=True)
    text = HOSTILE_RULE.replace("!= '__builtins__'", "!= __class__")
    (tmp_path / "rules" / "hostile" / "hostile.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        ag18_rules.load_policy(tmp_path)
    assert any("__class__" in d.message.en for d in caught.value.diagnostics)


@pytest.fixture(scope="module")
def policy():
    return ag18_rules.load_policy()


@settings(max_examples=15, deadline=None)
@given(st.data())
def test_columns_and_records_give_the_same_report(policy, data):
    """Every shipped rule, on generated plans: the columnar evaluation and the records' evaluation agree."""
    plan = policy.load_plan(data.draw(compliant_plans(policy)))
    as_of = plan.effective
    assert policy._report_plan(plan, as_of) == policy._report(plan, as_of, policy.facts(plan, as_of))


def test_a_finding_is_the_same_read_lazily_or_all_at_once(policy):
    report = policy.evaluate(CLASS1, fixes=False, origin=False)
    again = policy.evaluate(CLASS1, fixes=False, origin=False)
    first = report.findings[0]
    assert "message" not in vars(first)  # built when first read
    assert first.to_dict() == again.findings[0].to_dict()
    assert "message" in vars(first)
    import pickle

    assert pickle.loads(pickle.dumps(again)) == report

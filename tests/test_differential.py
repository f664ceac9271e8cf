"""The two backends held equal: every generated plan gives the same report on python and durable.

The python backend is the oracle; a disagreement is a bug to fix in a backend, never a
tolerance to add here.  One run compares a few thousand plans (fast generation: one seed per
plan) of every kind: any valid plan, compliant plans and their mutations, on their own date or
another; a smaller run draws plans choice by choice, so that a failure shrinks to a small plan.
Long runs: ``python scripts/differential.py --plans 100000``.
"""
from __future__ import annotations

import difflib
import importlib.util
from collections import Counter

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import ag18_rules
from ag18_rules.plan import plan_to_dict
from ag18_rules.testing import CI, compliant_plans, effective_dates, mutants, plans

pytestmark = pytest.mark.skipif(importlib.util.find_spec("durable") is None, reason="durable_rules is not installed")

IN_SUITE = 3000  # plans compared by the fast run: about 50 s on 2 cores


@pytest.fixture(scope="module")
def backends():
    with ag18_rules.load_policy() as python, ag18_rules.load_policy(backend="durable") as durable:
        yield python, durable


def mixed_plans(fast: bool) -> st.SearchStrategy:
    """Any plan most of the time, compliant plans and their mutations the rest."""
    compliant = compliant_plans(fast=fast)
    return st.one_of(plans(fast=fast), plans(fast=fast), plans(fast=fast), compliant,
                     mutants(base=compliant).map(lambda m: m.plan))


def compare(backends, plan, as_of) -> tuple[int, int]:
    """Assert both backends give byte-identical reports; (findings, not-applicable entries) compared.

    One language suffices: messages in both are filled from the same findings, above the backend.
    """
    python, durable = backends
    want = python.evaluate(plan, as_of=as_of, fixes=False)
    have = durable.evaluate(plan, as_of=as_of, fixes=False)
    expected, got = want.to_json("en"), have.to_json("en")
    if got != expected:
        diff = "\n".join(difflib.unified_diff(expected.splitlines(), got.splitlines(), "python", "durable",
                                              lineterm="", n=2))
        plan_text = yaml.safe_dump(plan_to_dict(plan), allow_unicode=True, sort_keys=False)
        pytest.fail(f"the backends disagree (as of {as_of or plan.effective}):\n{diff}\n\nthe plan:\n{plan_text}")
    return len(want.findings), len(want.not_applicable)


def test_backends_agree_on_thousands_of_plans(backends):
    seen = Counter()

    @settings(CI, max_examples=IN_SUITE)
    @given(mixed_plans(fast=True), st.one_of(st.none(), effective_dates()))
    def run(plan, as_of):
        findings, not_applicable = compare(backends, plan, as_of)
        seen.update(plans=1, findings=findings, not_applicable=not_applicable)

    run()
    assert seen["plans"] >= IN_SUITE
    assert seen["findings"] > 5 * IN_SUITE  # the plans do exercise the rules


@settings(CI, max_examples=150)
@given(mixed_plans(fast=False), st.one_of(st.none(), effective_dates()))
def test_backends_agree_with_shrinking_plans(backends, plan, as_of):
    compare(backends, plan, as_of)


def test_every_rule_example_agrees(backends):
    """The hand-written examples too, each on its own date and on every parameter's boundary."""
    from ag18_rules.conformance import load_cases

    python, _ = backends
    cases = load_cases(python.directory / "rules", python.rule_ids)
    assert cases
    for case in cases:
        compare(backends, python.load_plan(case.plan), case.as_of)

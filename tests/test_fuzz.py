"""A few hundred fuzz cases per run: a report, or the library's error with a position, never
anything else (scripts/fuzz.py runs the same targets for minutes, each case under a deadline)."""
import importlib.util

import pytest
from hypothesis import HealthCheck, given, settings

from ag18_rules import load_policy
from ag18_rules.testing.fuzz import TARGETS, Fuzzer

RUN = settings(deadline=None, database=None, derandomize=True, print_blob=True,
               suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much))
CASES = {"plan-file": 120, "plan-structure": 80, "expression": 200, "policy-file": 25}


@pytest.fixture(scope="module")
def fuzzer():
    durable = load_policy(backend="durable") if importlib.util.find_spec("durable") else None
    with load_policy() as python:
        yield Fuzzer(python, durable)
    if durable is not None:
        durable.close()


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_fuzz_target(fuzzer, name):
    strategy, run = TARGETS[name]
    kinds = []

    @settings(RUN, max_examples=CASES[name])
    @given(strategy)
    def case(value):
        kinds.append(run(fuzzer, value))

    case()
    assert "input-error" in kinds  # the fuzzer reaches the error paths ...
    if name != "expression":
        assert {"report", "valid"} & set(kinds), kinds  # ... and inputs that still pass

"""Hypothesis strategies for plans: any valid plan, plans a policy passes, and named mutations.

Applications property-test their own plan-producing code with these; the library tests its
invariants and holds its two backends equal with them.  Plans are built in their file form
(``ag18-plan/1`` data) and loaded with :func:`~ag18_rules.plan.load_plan`, so every generated plan
is valid against the schema and every reference in it resolves.

Hypothesis is a test dependency (``pip install 'ag18-rules[test]'``): only this package and the
pytest plugin import it, and ``import ag18_rules`` never does.

>>> from hypothesis import given
>>> from ag18_rules.testing import assert_compliant, compliant_plans
>>> @given(compliant_plans())
... def test_export_keeps_plans_compliant(plan):
...     assert_compliant(my_exporter.round_trip(plan))
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Callable, Iterator, Optional, Sequence, Union

from hypothesis import HealthCheck, assume, settings
from hypothesis import strategies as st

from ..engine import Policy
from ..model import Plan
from ..plan import load_plan
from .._compliance import assert_compliant
from ._base import (
    END, START, Choices, DrawChoices, SeededChoices, any_day, dates_near_boundaries, edges, knowledge, oracle,
)
from ._compliant import compliant_plan
from ._mutations import MUTATIONS, Mutation
from ._plans import Sizes, any_plan

__all__ = [
    "CI", "Mutant", "Mutation", "assert_compliant", "compliant_plans", "effective_dates", "mutants",
    "mutations", "plans", "sample_plans",
]

Size = Union[int, tuple[int, int]]  # an upper bound, or (least, most)

#: Settings for bounded runs in continuous integration: no deadline (the durable backend answers
#: from a worker process), a modest number of examples, no example database.
CI = settings(deadline=None, max_examples=50, database=None, print_blob=True,
              suppress_health_check=(HealthCheck.too_slow, HealthCheck.data_too_large))
settings.register_profile("ag18-ci", CI)
settings.register_profile("ag18-long", CI, max_examples=5_000)

#: The named mutations, by name; each breaks one rule of the shipped policy on a compliant plan.
mutations = MUTATIONS


def effective_dates(policy: Optional[Policy] = None, *, start: dt.date = START,
                    end: dt.date = END) -> st.SearchStrategy[dt.date]:
    """Dates from ``start`` to ``end``, often the day before, of or after a day a parameter of
    ``policy`` changes or a rule's deadline."""
    return dates_near_boundaries(policy, start, end)


_ANY_SIZES = Sizes((0, 8), (0, 5), (0, 5), (0, 4), (0, 5), (0, 2))
_COMPLIANT_SIZES = Sizes((1, 8), (0, 5), (0, 6), (0, 4), (0, 0), (0, 2))


def plans(policy: Optional[Policy] = None, *, organizations: Size = 8, tasks: Size = 5, admin_units: Size = 5,
          people: Size = 4, transitions: Size = 5, waivers: Size = 2,
          dates: Optional[st.SearchStrategy[dt.date]] = None, before: Optional[bool] = None,
          baseline: Optional[bool] = None, fast: bool = False) -> st.SearchStrategy[Plan]:
    """Valid plans of every shape, compliant or not.

    Sizes are upper bounds or ``(least, most)`` per snapshot; ``before`` and ``baseline`` force
    those parts in (True) or out (False).  Waivers and pilots name rules of ``policy`` (default:
    the shipped policy); dates and numbers gravitate to its parameters' dates and thresholds.
    ``fast`` builds each plan from one drawn seed: several times faster, but Hypothesis can then
    shrink a failing plan only by trying other seeds.
    """
    know = knowledge(policy)
    sizes = _sizes(organizations, tasks, admin_units, people, transitions, waivers)
    return _plans(lambda c, day: any_plan(c, know, sizes, day, before, baseline),
                  dates if dates is not None else effective_dates(policy), fast, know.rule_ids)


def compliant_plans(policy: Optional[Policy] = None, *, organizations: Size = (1, 8), tasks: Size = 5,
                    admin_units: Size = 6, people: Size = 4, waivers: Size = 2,
                    dates: Optional[st.SearchStrategy[dt.date]] = None, fast: bool = False) -> st.SearchStrategy[Plan]:
    """Plans that ``policy`` (default: the shipped one) passes, built so rather than filtered.

    ``after`` comes from ``before`` by keeping, merging and dissolving organisations; staff only
    shrinks and every removed position has a transition; every task has one lead; admin units
    meet their standards with room to spare.
    """
    know = knowledge(policy)
    sizes = _sizes(organizations, tasks, admin_units, people, 0, waivers)
    return _plans(lambda c, day: compliant_plan(c, know, sizes, day),
                  dates if dates is not None else effective_dates(policy), fast, know.rule_ids)


def _sizes(*sizes: Size) -> Sizes:
    return Sizes(*((0, s) if isinstance(s, int) else (s[0], s[1]) for s in sizes))


def _plans(build: Callable[[Choices, dt.date], dict], dates, fast: bool, rule_ids) -> st.SearchStrategy[Plan]:
    if fast:
        data = st.tuples(dates, st.integers(0, 2**64 - 1)).map(lambda pair: build(SeededChoices(pair[1]), pair[0]))
    else:
        data = _drawn(build, dates)
    return data.map(lambda d: load_plan(d, rule_ids=rule_ids))


@st.composite
def _drawn(draw, build, dates) -> dict:
    return build(DrawChoices(draw), draw(dates))


@dataclass(frozen=True)
class Mutant:
    """A compliant plan, the mutation applied to it, and the result."""

    mutation: Mutation
    original: Plan
    plan: Plan


def mutants(policy: Optional[Policy] = None, *, only: Optional[Sequence[str]] = None,
            base: Optional[st.SearchStrategy[Plan]] = None) -> st.SearchStrategy[Mutant]:
    """A compliant plan (from ``base``, default :func:`compliant_plans`) with one mutation applied.

    The mutation is drawn from ``only`` (names of :data:`mutations`; default: all whose rule the
    policy has); the first of them that finds a place in the plan is applied.
    """
    ask = oracle(policy)
    unknown = sorted(set(only or ()) - set(MUTATIONS))
    if unknown:
        raise ValueError(f"unknown mutations: {', '.join(unknown)}; known: {', '.join(MUTATIONS)}")
    names = tuple(n for n in (only or MUTATIONS) if MUTATIONS[n].rule in ask.rule_ids)
    if not names:
        raise ValueError("none of these mutations breaks a rule of this policy")
    return _mutant(ask, names, base if base is not None else compliant_plans(policy))


@st.composite
def _mutant(draw, ask: Policy, names: Sequence[str], base) -> Mutant:
    mutant = _mutate(draw(base), ask, names, DrawChoices(draw))
    assume(mutant is not None)
    return mutant


def _mutate(plan: Plan, ask: Policy, names: Sequence[str], c: Choices) -> Optional[Mutant]:
    """The first of ``names`` (in an order ``c`` chooses) that finds a place in ``plan``, applied."""
    for name in c.shuffled(names):
        mutated = MUTATIONS[name](plan, ask, c.shuffled)
        if mutated is not None:
            return Mutant(MUTATIONS[name], plan, mutated)
    return None


def sample_plans(policy: Optional[Policy] = None, count: int = 1000, *, seed: int = 0,
                 kinds: Sequence[str] = ("any", "any", "any", "compliant", "mutant")) -> Iterator[tuple[str, Plan]]:
    """``count`` plans, each with its kind (``any``, ``compliant``, ``mutant``, in turn from ``kinds``),
    from a seeded generator rather than Hypothesis: the same plans on every run, whatever else is
    loaded.  For tools that explore a policy (``ag18 lint``); tests should use the strategies.
    """
    ask = oracle(policy)
    know = knowledge(ask)
    near = edges(ask, START, END)
    names = [n for n, m in MUTATIONS.items() if m.rule in ask.rule_ids]
    rng = random.Random(seed)
    for index in range(count):
        kind = kinds[index % len(kinds)]
        c = SeededChoices(rng.getrandbits(64))
        day = any_day(c, near)
        if kind == "any":
            yield kind, load_plan(any_plan(c, know, _ANY_SIZES, day, None, None), rule_ids=know.rule_ids)
            continue
        plan = load_plan(compliant_plan(c, know, _COMPLIANT_SIZES, day), rule_ids=know.rule_ids)
        mutant = _mutate(plan, ask, names, c) if kind == "mutant" else None
        yield ("mutant", mutant.plan) if mutant else ("compliant", plan)

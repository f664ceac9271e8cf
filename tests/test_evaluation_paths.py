"""The fast paths of an evaluation give the same answers: checks chosen by key, the collector
paused and restored, messages formatted from the placeholders they use."""
from __future__ import annotations

import datetime as dt
import gc
import importlib.util
import threading
from pathlib import Path

import pytest

from ag18_rules import load_policy
from ag18_rules.backends.base import CheckProgram, Entity, Outcome
from ag18_rules.backends.reference import ReferenceBackend
from ag18_rules.engine import _COLLECTOR_PAUSED
from ag18_rules.errors import Text
from ag18_rules.explain import fill
from ag18_rules.expr import parse
from ag18_rules.expr.types import Type

ROOT = Path(__file__).resolve().parent.parent
TYPES = {"i1": Type("int", nullable=True), "b1": Type("bool", nullable=True)}
PROGRAMS = [
    CheckProgram("org/b", "organization", parse("b1"), parse("i1 <= 2"), TYPES),
    CheckProgram("org/a", "organization", parse("true"), parse("i1 != null"), TYPES),
    CheckProgram("task/c", "task", parse("true"), parse("i1 == 1"), TYPES),
]
ENTITIES = [
    Entity("organization", {"i1": 3, "b1": True}),
    Entity("task", {"i1": 2}),
    Entity("organization", {"i1": None, "b1": None}),
    Entity("organization", {"i1": 5, "b1": False}),
    Entity("task", {"i1": None}),
]
ALL = [
    Outcome("org/a", 2, "violated"),  # a test for null is never unknown
    Outcome("org/b", 0, "violated"),
    Outcome("org/b", 2, "unknown"),
    Outcome("task/c", 1, "violated"),
    Outcome("task/c", 4, "unknown"),
]


def backends():
    yield ReferenceBackend()
    if importlib.util.find_spec("durable") is not None:
        from ag18_rules.backends.durable import DurableBackend

        yield DurableBackend()


@pytest.mark.parametrize("backend", list(backends()), ids=lambda b: b.name)
def test_run_evaluates_only_the_checks_asked_for_and_keeps_outcomes_sorted(backend):
    with backend.prepare(PROGRAMS) as prepared:
        assert prepared.run(ENTITIES) == ALL
        assert prepared.run(ENTITIES, None) == ALL
        assert prepared.run(ENTITIES, frozenset({"org/b", "task/c"})) == [o for o in ALL if o.check != "org/a"]
        assert prepared.run(ENTITIES, {"task/c", "no/such"}) == [o for o in ALL if o.check == "task/c"]
        assert prepared.run(ENTITIES, ()) == []


def test_the_engine_passes_the_checks_in_force_and_not_those_without_parameters():
    policy = load_policy()
    plan = ROOT / "rules" / "deputy-cap" / "examples" / "class1-2021.yaml"
    asked = []
    run = policy._prepared.run_columns  # the python backend evaluates a whole plan over its columns
    policy._prepared.run_columns = lambda source, checks: asked.append(set(checks)) or run(source, checks)
    report = policy.evaluate(plan, as_of=dt.date(2021, 7, 1))
    assert "deputy-cap/department-unit" in asked[0]
    assert "deputy-cap/staff-share" not in asked[0]  # its parameter is in force from 2025 only
    assert ("deputy-cap", "staff-share") in {(n.rule, n.check) for n in report.not_applicable}
    absent = {(n.rule, n.check) for n in report.not_applicable}
    assert asked[0] == {c.key for c in policy._checks
                        if (c.rule, None) not in absent and (c.rule, c.spec.id) not in absent}


@pytest.mark.parametrize("enabled", [True, False])
def test_evaluate_pauses_the_collector_and_restores_it_as_it_was(enabled):
    policy = load_policy()
    plan = ROOT / "rules" / "deputy-cap" / "examples" / "class1-2021.yaml"
    seen = []
    run = policy._prepared.run_columns
    policy._prepared.run_columns = lambda source, checks: seen.append(gc.isenabled()) or run(source, checks)
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        report = policy.evaluate(plan, fixes=False, origin=False)
        assert seen == [False] and gc.isenabled() is enabled
        policy._prepared.run_columns = lambda source, checks: 1 / 0
        with pytest.raises(ZeroDivisionError):
            policy.evaluate(plan)
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()
    assert [(f.check, f.entity.id) for f in report.findings if f.rule == "deputy-cap"] == [
        ("department-average", "dc-class1-2021"), ("inspectorate", "sonv/tt"), ("department-unit", "sonv/vp")]


def test_overlapping_pauses_restore_the_collector_when_the_last_ends():
    assert gc.isenabled()
    first_in, second_out = threading.Event(), threading.Event()

    def other() -> None:
        with _COLLECTOR_PAUSED:
            first_in.set()
            second_out.wait(5)

    thread = threading.Thread(target=other)
    thread.start()
    first_in.wait(5)
    with _COLLECTOR_PAUSED:  # entered while the other is paused, left before it
        assert not gc.isenabled()
    assert not gc.isenabled()
    second_out.set()
    thread.join(5)
    assert gc.isenabled()


class Unprintable:
    def __str__(self) -> str:
        raise AssertionError("a value the message does not use was formatted")


def test_fill_formats_only_the_placeholders_a_message_uses():
    values = {"name": "Phòng A", "cap": 2.50, "ok": True, "none": None, "unused": Unprintable()}
    text = Text("{name}: tối đa {cap}, {ok}, {none}, {missing}", "{name}: at most {cap}, {ok}, {none}, {missing}")
    assert fill(text, values) == Text("Phòng A: tối đa 2.5, true, —, {missing}",
                                      "Phòng A: at most 2.5, true, —, {missing}")

"""The ``durable`` backend: the real durable_rules engine in a real worker process.

Every expectation is checked against a small three-valued evaluator written here, independent
of the backends, and against the ``python`` reference backend; the directed tests also state
the expected verdicts literally.
"""
from __future__ import annotations

import gc
import json
from concurrent.futures import ThreadPoolExecutor
import importlib.util
import os
import random
import signal
import time
import unicodedata
import uuid
from typing import Mapping, Sequence

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ag18_rules.backends import _durable_compile as dc
from ag18_rules.backends import durable as durable_module
from ag18_rules.backends.base import CheckProgram, Entity, Outcome
from ag18_rules.backends.durable import DurableBackend, Settings
from ag18_rules.errors import BackendError, BackendUnavailable
from ag18_rules.expr import parse
from ag18_rules.expr.nodes import ARITHMETIC, Binary, In, Literal, Name, Node, Unary
from ag18_rules.expr.types import Type

pytestmark = pytest.mark.skipif(importlib.util.find_spec("durable") is None, reason="durable_rules is not installed")

TYPES: Mapping[str, Type] = {
    "i1": Type("int", True),
    "i2": Type("int", True),
    "n1": Type("number", True),
    "n2": Type("number", True),
    "b1": Type("bool", True),
    "b2": Type("bool", True),
    "s1": Type("string", True),
}


# --------------------------------------------------------------------------- the oracle


def kleene(node: Node, values: Mapping[str, object]):
    """The value of ``node`` under the project's semantics: None is unknown, Kleene logic,
    ``== null`` tests absence, float arithmetic rounded to 4 decimals."""
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Name):
        return values.get(node.name)
    if isinstance(node, Unary):
        value = kleene(node.operand, values)
        if value is None:
            return None
        return (not value) if node.op == "not" else _rounded(-value)
    if isinstance(node, In):
        value = kleene(node.item, values)
        if value is None:
            return None
        return any(value == o.value for o in node.options if o.value is not None) != node.negated
    if node.op in ("and", "or"):
        a, b = kleene(node.left, values), kleene(node.right, values)
        decisive = node.op == "or"  # True decides an or, False decides an and
        if a is decisive or b is decisive:
            return decisive
        return None if a is None or b is None else not decisive
    if node.op in ("==", "!=") and (_null(node.left) or _null(node.right)):
        tested = kleene(node.right if _null(node.left) else node.left, values)
        return (tested is None) == (node.op == "==")
    a, b = kleene(node.left, values), kleene(node.right, values)
    if a is None or b is None:
        return None
    if node.op in ARITHMETIC:
        return _rounded({"+": a + b, "-": a - b, "*": a * b}[node.op])
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b, "==": a == b, "!=": a != b}[node.op]


def _null(node: Node) -> bool:
    return isinstance(node, Literal) and node.value is None


def _rounded(value):
    return round(value, 4) if isinstance(value, float) else value


def expected(programs: Sequence[CheckProgram], entities: Sequence[Entity]) -> list[Outcome]:
    outcomes = []
    for index, entity in enumerate(entities):
        for program in programs:
            if program.kind != entity.kind:
                continue
            where = kleene(program.where, entity.values)
            require = kleene(program.require, entity.values) if where else False
            if where is None or (where and require is None):
                outcomes.append(Outcome(program.key, index, "unknown"))
            elif where and require is False:
                outcomes.append(Outcome(program.key, index, "violated"))
    return sorted(outcomes)


def reference(programs, entities) -> list[Outcome]:
    if importlib.util.find_spec("ag18_rules.backends.reference") is None:
        return expected(programs, entities)
    from ag18_rules.backends.reference import ReferenceBackend

    return ReferenceBackend().prepare(programs).run(entities)


def program(key: str, require: str, where: str = "true", kind: str = "organization", types=TYPES) -> CheckProgram:
    return CheckProgram(key, kind, parse(where), parse(require), types)


def verdicts(outcomes: Sequence[Outcome], check: str) -> dict[int, str]:
    return {o.entity: o.verdict for o in outcomes if o.check == check}


@pytest.fixture(scope="module")
def backend() -> DurableBackend:
    return DurableBackend()


def run_both(backend, programs, entities) -> list[Outcome]:
    """Run on durable, assert agreement with the oracle and the reference; the outcomes."""
    with backend.prepare(programs) as prepared:
        got = prepared.run(entities)
    assert got == expected(programs, entities)
    assert got == reference(programs, entities)
    return got


# --------------------------------------------------------------------------- operators


def entities_of(name: str, values: Sequence) -> list[Entity]:
    return [Entity("organization", {name: v}) for v in values]


@pytest.mark.parametrize(
    ("require", "values", "want"),
    [
        ("i1 < 5", [4, 5, 6, None], {1: "violated", 2: "violated", 3: "unknown"}),
        ("i1 <= 5", [4, 5, 6, None], {2: "violated", 3: "unknown"}),
        ("i1 > 5", [4, 5, 6, None], {0: "violated", 1: "violated", 3: "unknown"}),
        ("i1 >= 5", [4, 5, 6, None], {0: "violated", 3: "unknown"}),
        ("i1 == 5", [4, 5, 6, None], {0: "violated", 2: "violated", 3: "unknown"}),
        ("i1 != 5", [4, 5, 6, None], {1: "violated", 3: "unknown"}),
        ("n1 <= 2.5", [2.5, 2.5001, 2, None], {1: "violated", 3: "unknown"}),
        ("n1 == 3", [3, 3.0, 2.9999, None], {2: "violated", 3: "unknown"}),
        ("s1 == 'Phòng Tổ chức'", ["Phòng Tổ chức", "Phòng", "", None], {1: "violated", 2: "violated", 3: "unknown"}),
        ("s1 != 'a\"b'", ['a"b', "a", None], {0: "violated", 2: "unknown"}),
        ("i1 == null", [1, None], {0: "violated"}),
        ("i1 != null", [1, None], {1: "violated"}),
        ("null == i1", [1, None], {0: "violated"}),
        ("(i1 + 1) != null", [1, None], {1: "violated"}),
        ("(i1 > 2) == null", [1, 3, None], {0: "violated", 1: "violated"}),
        ("b1", [True, False, None], {1: "violated", 2: "unknown"}),
        ("not b1", [True, False, None], {0: "violated", 2: "unknown"}),
        ("b1 == true", [True, False, None], {1: "violated", 2: "unknown"}),
        ("b1 != false", [True, False, None], {1: "violated", 2: "unknown"}),
        ("i1 in [1, 3]", [1, 2, 3, None], {1: "violated", 3: "unknown"}),
        ("i1 not in [1, 3]", [1, 2, 3, None], {0: "violated", 2: "violated", 3: "unknown"}),
        ("s1 in ['a', 'b']", ["a", "c", None], {1: "violated", 2: "unknown"}),
        ("n1 in [0.5, 2]", [0.5, 2, 2.0, 1, None], {3: "violated", 4: "unknown"}),
        ("i1 + 2 == 5", [3, 4, None], {1: "violated", 2: "unknown"}),
        ("i1 - 2 < 0", [1, 2, None], {1: "violated", 2: "unknown"}),
        ("i1 * 3 >= 9", [2, 3, None], {0: "violated", 2: "unknown"}),
        ("-i1 > -3", [2, 3, None], {1: "violated", 2: "unknown"}),
        ("5 > i1", [4, 5, None], {1: "violated", 2: "unknown"}),
        ("i1 > 2.5", [2, 3, None], {0: "violated", 2: "unknown"}),
        ("i1 * 0.5 <= 1.5", [3, 4, None], {1: "violated", 2: "unknown"}),
        ("1 + 2 == 3", [None], {}),
        ("2 > 3", [None], {0: "violated"}),
    ],
)
def test_each_operator_and_null(backend, require, values, want):
    got = run_both(backend, [program("c", require)], entities_of(_first_name(require), values))
    assert verdicts(got, "c") == want


def _first_name(source: str) -> str:
    return next((n for n in TYPES if n in source), "i1")


def test_float_arithmetic_agrees_with_rounding_to_four_decimals(backend):
    # 0.1 + 0.2 is 0.30000000000000004 in floats; every backend works to 4 decimals.
    programs = [program("sum", "n1 + n2 == 0.3"), program("ratio", "i1 <= i2 * 0.1")]
    entities = [
        Entity("organization", {"n1": 0.1, "n2": 0.2, "i1": 3, "i2": 30}),
        Entity("organization", {"n1": 0.1, "n2": 0.2001, "i1": 4, "i2": 30}),
    ]
    got = run_both(backend, programs, entities)
    assert got == [Outcome("ratio", 1, "violated"), Outcome("sum", 1, "violated")]


KLEENE = [(a, b) for a in (True, False, None) for b in (True, False, None)]


def test_kleene_and_or_not(backend):
    programs = [program("and", "b1 and b2"), program("or", "b1 or b2"), program("nand", "not (b1 and b2)")]
    entities = [Entity("organization", {"b1": a, "b2": b}) for a, b in KLEENE]
    got = run_both(backend, programs, entities)
    # combos: TT TF TU FT FF FU UT UF UU
    assert verdicts(got, "and") == {1: "violated", 2: "unknown", 3: "violated", 4: "violated",
                                    5: "violated", 6: "unknown", 7: "violated", 8: "unknown"}
    assert verdicts(got, "or") == {4: "violated", 5: "unknown", 7: "unknown", 8: "unknown"}
    assert verdicts(got, "nand") == {0: "violated", 2: "unknown", 6: "unknown", 8: "unknown"}


def test_where_and_require_combine_as_documented(backend):
    check = program("c", "i2 <= 2", where="b1")
    entities = [Entity("organization", {"b1": b1, "i2": i2}) for b1 in (True, False, None) for i2 in (1, 3, None)]
    got = run_both(backend, [check], entities)
    # where true: require false -> violated, unknown -> unknown; where false: nothing;
    # where unknown: unknown whatever the requirement.
    assert verdicts(got, "c") == {1: "violated", 2: "unknown", 6: "unknown", 7: "unknown", 8: "unknown"}


def test_nested_logic_on_comparisons(backend):
    checks = [
        program("a", "(i1 > 1 or n1 < 0.5) and not (s1 == 'x' and b1)"),
        program("b", "i1 + i2 > n1 or (b1 == (i2 > 2))", where="s1 != null and (i1 == null or i1 > 0)"),
    ]
    values = [
        {"i1": 2, "i2": 1, "n1": 0.25, "s1": "x", "b1": True},
        {"i1": 0, "i2": 3, "n1": 0.75, "s1": "y", "b1": None},
        {"i1": None, "i2": None, "n1": 0.5, "s1": "x", "b1": False},
        {"i1": 1, "i2": 3, "n1": 9.5, "s1": None, "b1": True},
        {"i1": 5, "i2": -6, "n1": None, "s1": "y", "b1": True},
    ]
    run_both(backend, checks, [Entity("organization", v) for v in values])


# --------------------------------------------------------------------------- kinds and batches


def test_several_checks_over_several_kinds(backend):
    checks = [
        program("org/deputies", "i1 <= i2", kind="organization"),
        program("org/named", "s1 != null", where="b1", kind="organization"),
        program("task/lead", "i1 == 1", kind="task"),
        program("plan/staff", "n1 <= n2", kind="plan"),
    ]
    entities = [
        Entity("organization", {"i1": 3, "i2": 2, "b1": True, "s1": None}),
        Entity("task", {"i1": 2}),
        Entity("person", {"i1": 99}),  # a kind no check reads: never sent, never reported
        Entity("plan", {"n1": 10.5, "n2": 10.25}),
        Entity("task", {"i1": None}),
        Entity("organization", {"i1": 1, "i2": 2, "b1": False}),
    ]
    got = run_both(backend, checks, entities)
    assert got == [
        Outcome("org/deputies", 0, "violated"),
        Outcome("org/named", 0, "violated"),
        Outcome("plan/staff", 3, "violated"),
        Outcome("task/lead", 1, "violated"),
        Outcome("task/lead", 4, "unknown"),
    ]


def test_empty_entity_list_sends_nothing(backend):
    with backend.prepare([program("c", "i1 > 1")]) as prepared:
        with pytest.raises(BackendError):
            prepared._request_for_tests("_die", signal.SIGKILL, 10)
        assert prepared.run([]) == []
        assert prepared.run([Entity("person", {"i1": 0})]) == []
        assert prepared._worker._process is None  # nothing was sent, so no worker was needed
        assert prepared.run([Entity("organization", {"i1": 0})]) == [Outcome("c", 0, "violated")]


def test_repeated_evaluations_give_identical_outcomes(backend):
    checks = [program("c", "i1 < 3"), program("d", "b1")]
    entities = [Entity("organization", {"i1": 5, "b1": None})] * 3 + [Entity("organization", {"i1": 1, "b1": False})]
    with backend.prepare(checks) as prepared:
        runs = [prepared.run(entities) for _ in range(5)]
    assert runs[0] == expected(checks, entities)
    assert all(run == runs[0] for run in runs)
    assert len(runs[0]) == 7  # identical entities are distinct facts (each has its own number)


def test_many_batches_give_the_same_answer(backend):
    checks = [program("c", "i1 + i2 < 10", where="b1 or s1 == 'x'")]
    entities = [Entity("organization", {"i1": k % 7, "i2": (k * 3) % 11 if k % 5 else None,
                                        "b1": (None, True, False)[k % 3], "s1": "x" if k % 4 else "y"})
                for k in range(200)]
    with DurableBackend(Settings(batch_size=7)).prepare(checks) as prepared:
        assert prepared.run(entities) == expected(checks, entities)


# --------------------------------------------------------------------------- facts


def test_facts_hold_only_the_fields_read_scaled_and_normalised():
    compiled = dc.compile_programs([program("c", "n1 * 2 > i1 + 1", where="s1 == 'Phòng'")])
    encoder = durable_module._FactEncoder(compiled, 100)
    decomposed = unicodedata.normalize("NFD", "Phòng")
    fact = encoder.fact(7, Entity("organization", {"n1": 4.5, "i1": 3, "s1": decomposed, "i2": 8, "b1": None}), 3)
    keys = {spec.name: spec.key for spec in compiled.fields["organization"]}
    assert fact == {"kind": "organization", "id": 3, "_z": 0,
                    keys["n1"]: 45000, keys["i1"]: 3, keys["s1"]: "Phòng"}
    assert set(keys) == {"n1", "i1", "s1"}  # i2 and b1 are not read by the checks
    # None is an absent field; a number is quantised to 4 decimals.
    assert encoder.fact(0, Entity("organization", {"n1": 2.00004, "i1": None}), 0) == {
        "kind": "organization", "id": 0, "_z": 0, keys["n1"]: 20000}


def test_text_is_compared_in_nfc(backend):
    decomposed = unicodedata.normalize("NFD", "Phòng Tổ chức")
    with backend.prepare([program("c", "s1 == 'Phòng Tổ chức'")]) as prepared:
        assert prepared.run(entities_of("s1", [decomposed, "Phòng"])) == [Outcome("c", 1, "violated")]


@pytest.mark.parametrize(
    ("name", "value", "needs"),
    [
        ("i1", "3", "a whole number"),
        ("i1", True, "a whole number"),
        ("i1", 3.0, "a whole number"),
        ("n1", "1.5", "a number"),
        ("b1", 1, "true or false"),
        ("s1", 5, "text"),
    ],
)
def test_a_value_of_the_wrong_type_is_an_error_naming_the_field(backend, name, value, needs):
    checks = [program("c", "i1 > 0 and n1 > 0 and b1 and s1 == 'x'")]
    entities = [Entity("organization", {}), Entity("organization", {name: value})]
    with backend.prepare(checks) as prepared:
        with pytest.raises(BackendError) as error:
            prepared.run(entities)
        assert f"entity 1 (organization): the value of '{name}'" in str(error.value)
        assert needs in str(error.value)
        assert prepared.run(entities[:1]) == [Outcome("c", 0, "unknown")]  # still usable


@pytest.mark.parametrize("values", [
    {"i1": 10**17}, {"n1": 10.0**15}, {"n1": float("nan")}, {"n1": float("inf")}, {"i1": -(10**18)},
    {"s1": "x" * (durable_module.MAX_STRING + 1)},
])
def test_a_value_beyond_the_engines_range_is_evaluated_on_the_reference_path(backend, values):
    checks = [program("c", "i1 > 0 and n1 > 0 and s1 == 'x'"), program("d", "i1 < 5")]
    entities = [Entity("organization", {"i1": 1, "n1": 1.0, "s1": "x"}),
                Entity("organization", {"i1": 1, "n1": 1.0, "s1": "x", **values}),
                Entity("organization", {"i1": 9, "n1": -1.0, "s1": "y"})]
    with backend.prepare(checks) as prepared:
        got = prepared.run(entities)
        assert prepared.reference_entities == 1
        assert got == expected(checks, entities)
        assert prepared.run(entities[:1] + entities[2:]) == expected(checks, entities[:1] + entities[2:])
        assert prepared.reference_entities == 0


def test_a_bad_value_in_a_later_batch_leaves_the_worker_in_step():
    checks = [program("c", "i1 < 3")]
    good = entities_of("i1", [5, 1, 4, None, 2, 7])
    with DurableBackend(Settings(batch_size=2)).prepare(checks) as prepared:
        pid = prepared._worker._process.pid
        with pytest.raises(BackendError, match="entity 4 "):
            prepared.run(good[:4] + entities_of("i1", ["2"]) + good[5:])  # batch 3 is bad
        assert prepared.run(good) == expected(checks, good)  # no stale reply is misread
        assert prepared._worker._process.pid == pid  # and the worker was kept


def test_range_of_int_fields_shrinks_where_arithmetic_could_overflow():
    compiled = dc.compile_programs([program("c", "i1 * i2 < 10"), program("d", "i1 < 10")])
    limits = {spec.name: spec.limit for spec in compiled.fields["organization"]}
    assert limits["i1"] == limits["i2"] == 10**9  # their product stays exact in int64
    encoder = durable_module._FactEncoder(compiled, 10)
    with pytest.raises(BackendError, match="'i1' is 10000000000"):
        encoder.fact(0, Entity("organization", {"i1": 10**10}), 0)


# --------------------------------------------------------------------------- fact identity
# durable_rules files the facts of a session under a 32-bit FNV-1a hash of their id alone and
# silently drops a fact whose hash is taken, with all its outcomes.  The sids and values below
# were found by searching with a model of that hash (state.c: calculateId, storeMessage).


def _fixed_sids(monkeypatch, *sids: str) -> list[str]:
    """Make the backend draw ``sids`` first, then random ones; the list of every sid drawn."""
    drawn, queue, real = [], [uuid.UUID(sid) for sid in sids], uuid.uuid4

    def uuid4() -> uuid.UUID:
        value = queue.pop(0) if queue else real()
        drawn.append(value.hex)
        return value

    monkeypatch.setattr(durable_module.uuid, "uuid4", uuid4)
    return drawn


def test_facts_whose_content_hashes_clash_are_both_matched(backend, monkeypatch):
    # Identified by a hash of their content (with a "_seq" field and this sid), as the backend
    # once sent them, these two facts clash and the engine dropped the second.
    _fixed_sids(monkeypatch, "019c77a0202147018000000000000001")
    entities = entities_of("i1", [101934, 761])
    with backend.prepare([program("c", "i1 < 0")]) as prepared:
        assert prepared.run(entities) == [Outcome("c", 0, "violated"), Outcome("c", 1, "violated")]


def test_facts_are_numbered_in_their_batch_with_hashes_that_differ():
    encoder = durable_module._FactEncoder(dc.compile_programs([program("c", "i1 < 0")]), 3)
    batches = list(encoder.batches(entities_of("i1", range(7))))
    assert [indices for _, _, indices in batches] == [[0, 1, 2], [3, 4, 5], [6]]
    (_, sid, payload), = batches[1][0]
    assert [fact["id"] for fact in json.loads(payload)] == [0, 1, 2, -1]  # -1: the sentinel
    hashes = durable_module._number_hashes(5000)
    assert len(hashes) == 5001  # the hashes of -1 ... 4999 all differ
    assert dc.fnv1a32("sid-" + sid) not in durable_module._number_hashes(3)


def test_a_batch_size_whose_numbers_clash_is_refused():
    with pytest.raises(BackendError, match="batch size of 797,187 is too large"):
        durable_module._FactEncoder(dc.compile_programs([program("c", "i1 < 0")]), 797_187)


# The engine files a session fact, id "sid-<sid>", beside the batch's facts; with this sid its
# hash is that of fact number 790.
CLASHING_SID = "10577d684bc445989404466545db1462"


def test_a_sid_whose_session_fact_would_clash_with_a_fact_is_not_used(backend, monkeypatch):
    drawn = _fixed_sids(monkeypatch, CLASHING_SID)
    entities = entities_of("i1", range(1000))
    with backend.prepare([program("c", "i1 < 0")]) as prepared:
        assert prepared.run(entities) == [Outcome("c", k, "violated") for k in range(1000)]
    assert drawn[0] == CLASHING_SID and len(drawn) == 2  # drawn, refused, drawn again


def test_a_fact_the_engine_drops_is_an_error_not_a_missing_outcome(backend, monkeypatch):
    monkeypatch.setattr(durable_module, "_session_id", lambda taken: CLASHING_SID)
    entities = entities_of("i1", range(1000))
    with backend.prepare([program("c", "i1 < 0")]) as prepared:
        with pytest.raises(BackendError, match="dropped a fact of the batch as a duplicate"):
            prepared.run(entities)
        monkeypatch.undo()
        assert len(prepared.run(entities)) == 1000  # a fresh worker, a fresh sid


# --------------------------------------------------------------------------- what is refused


@pytest.mark.parametrize(
    ("check", "message"),
    [
        (program("c", "n1 * 0.5 > 1"), "more than 4 decimals"),
        (program("c", "n1 * n2 > 1"), "more than 4 decimals"),
        (CheckProgram("c", "organization", Literal(True), Binary("<", Name("s1"), Literal("b")), TYPES), "ordering of strings"),
        (CheckProgram("c", "organization", Literal(True), Binary(">", Name("i1"), Literal(0.00001)), TYPES), "more than 4 decimals"),
        (CheckProgram("c", "organization", Literal(True), Name("i1"), TYPES), "not true/false"),
        (CheckProgram("c", "organization", Literal(True), Name("zz"), TYPES), "no usable type"),
        (CheckProgram("c", "__end__", Literal(True), Name("b1"), TYPES), "reserved"),
    ],
)
def test_untranslatable_checks_are_refused_at_prepare(backend, check, message):
    with pytest.raises(BackendError, match=message):
        backend.prepare([check])


def test_field_name_hash_collisions_are_refused():
    assert dc.fnv1a32("id") == 926444256  # the engine's own constant for "id"
    with pytest.raises(BackendError, match="FNV-1a"):
        dc._check_hashes(["f_qvubhgme", "f_ioscofjj"])


def test_a_large_policy_is_split_over_several_rulesets(backend):
    names = {f"v{k}": Type("int", True) for k in range(90)}
    checks = [program(f"c{k}", f"v{k} != null", types=names) for k in range(90)]
    checks += [program(f"d{k}", f"v{k} <= v{(k + 1) % 90} + 3", where=f"v{(k + 2) % 90} > 1", types=names)
               for k in range(90)]
    compiled = dc.compile_programs(checks)
    assert len(compiled.rulesets) > 1  # one ruleset would overflow the engine's node stack
    entities = [Entity("organization", {}),
                Entity("organization", {f"v{k}": (k * 7) % 11 if k % 3 else None for k in range(90)}),
                Entity("organization", {f"v{k}": k for k in range(90)})]
    got = run_both(backend, checks, entities)
    assert verdicts(got, "c5") == {0: "violated"}
    assert verdicts(got, "d5") == {0: "unknown", 1: "unknown"}  # v6 is missing in both


def test_a_long_condition_is_split_into_rules_the_engine_accepts(backend):
    types = {f"{x}{k}": Type("bool", True) for x in "ab" for k in range(10)}
    where = " and ".join(f"(a{k} or b{k})" for k in range(9))
    checks = [program("big", "a9 or b9", where=where, types=types)]
    rules = [rule for ruleset in dc.compile_programs(checks).rulesets for rule in ruleset.rules]
    assert len(rules) > 3  # the unknown condition alone has 16 junctions: it was split
    assert all(r.condition.count("$and") + r.condition.count("$or") <= 15 for r in rules)
    rng = random.Random(18)
    entities = [Entity("organization", {n: rng.choice((True, True, False, None)) for n in types})
                for _ in range(300)]
    got = run_both(backend, checks, entities)
    assert {o.verdict for o in got} == {"violated", "unknown"}


# --------------------------------------------------------------------------- the worker


@pytest.mark.parametrize("signum", [signal.SIGSEGV, signal.SIGFPE, signal.SIGABRT])
def test_a_crashed_worker_is_reported_and_replaced(backend, signum):
    checks = [program("c", "i1 < 3")]
    entities = entities_of("i1", [5, 1, None])
    with backend.prepare(checks) as prepared:
        before = prepared.run(entities)
        old = prepared._worker._process.pid
        with pytest.raises(BackendError) as error:
            prepared._request_for_tests("_die", signum, 10)
        assert signal.Signals(signum).name in str(error.value)
        assert "fresh worker will be started on the next run" in str(error.value)
        _assert_gone(old)
        assert prepared.run(entities) == before == [Outcome("c", 0, "violated"), Outcome("c", 2, "unknown")]
        assert prepared._worker._process.pid != old


def test_a_hung_worker_is_killed_after_the_timeout(backend):
    with backend.prepare([program("c", "i1 < 3")]) as prepared:
        old = prepared._worker._process.pid
        started = time.monotonic()
        with pytest.raises(BackendError, match="did not answer within 1 s"):
            prepared._request_for_tests("_stall", 30, 1.0)
        assert time.monotonic() - started < 10
        _assert_gone(old)
        assert prepared.run(entities_of("i1", [4])) == [Outcome("c", 0, "violated")]


def test_an_error_inside_the_worker_is_reported_and_the_worker_replaced(backend):
    with backend.prepare([program("c", "i1 < 3")]) as prepared:
        old = prepared._worker._process.pid
        with pytest.raises(BackendError, match="engine failed while evaluating 0 entities: IndexError"):
            prepared._request_for_tests("run", [(99, "no-such-ruleset", "[]")], 10)
        _assert_gone(old)
        assert prepared.run(entities_of("i1", [4])) == [Outcome("c", 0, "violated")]


def test_threads_share_one_evaluator_safely(backend):
    checks = [program("c", "i1 < 3", where="b1 != false")]
    entities = [Entity("organization", {"i1": k % 5, "b1": (True, None, False)[k % 3]}) for k in range(300)]
    with backend.prepare(checks) as prepared:
        with ThreadPoolExecutor(4) as pool:
            results = list(pool.map(lambda _: prepared.run(entities), range(8)))
    assert all(result == expected(checks, entities) for result in results)


def test_close_stops_the_worker_and_leaves_no_process(backend):
    prepared = backend.prepare([program("c", "i1 < 3")])
    pid = prepared._worker._process.pid
    with prepared:
        assert prepared.run(entities_of("i1", [4])) == [Outcome("c", 0, "violated")]
    _assert_gone(pid)
    prepared.close()  # idempotent
    with pytest.raises(BackendError, match="closed"):
        prepared.run(entities_of("i1", [4]))


def test_a_forgotten_evaluator_stops_its_worker(backend):
    prepared = backend.prepare([program("c", "i1 < 3")])
    pid = prepared._worker._process.pid
    del prepared
    gc.collect()
    _assert_gone(pid)


def _assert_gone(pid: int) -> None:
    """The process has exited and was reaped: no zombie, no orphan."""
    for _ in range(100):
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    raise AssertionError(f"worker {pid} is still there")


def test_missing_engine_is_reported_with_the_install_hint(monkeypatch):
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "durable" else real(name, *a))
    with pytest.raises(BackendUnavailable) as error:
        DurableBackend()
    assert str(error.value) == "the durable backend needs the optional dependency: pip install 'ag18-rules[durable]'"


# --------------------------------------------------------------------------- differential


def _int_expr():
    leaf = st.one_of(st.sampled_from(["i1", "i2"]).map(Name), st.integers(-6, 6).map(Literal))
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(st.sampled_from("+-*"), inner, inner).map(lambda t: Binary(*t)),
        inner.map(lambda x: Unary("-", x))), max_leaves=3)


_DECIMALS = st.integers(-60000, 60000).map(lambda k: k / 10**4) | st.sampled_from([0.5, 0.25, 1.5, 0.0001])
_NUMBERS = st.one_of(st.integers(-6, 6), _DECIMALS)
_WORDS = st.sampled_from(["a", "ab", "", "Phòng Tổ chức", 'x"y'])


def _number_expr():
    leaf = st.one_of(st.sampled_from(["i1", "i2", "n1", "n2"]).map(Name), _NUMBERS.map(Literal))
    return st.recursive(leaf, lambda inner: st.one_of(
        st.tuples(st.sampled_from("+-"), inner, inner).map(lambda t: Binary(*t)),
        st.tuples(st.just("*"), inner, _int_expr()).map(lambda t: Binary(*t)),  # * a whole number
        inner.map(lambda x: Unary("-", x))), max_leaves=4)


def _condition():
    text = st.one_of(st.just(Name("s1")), _WORDS.map(Literal))
    value = st.one_of(_number_expr(), text, st.sampled_from(["b1", "b2"]).map(Name))
    atoms = st.one_of(
        st.tuples(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), _number_expr(), _number_expr()).map(lambda t: Binary(*t)),
        st.tuples(st.sampled_from(["==", "!="]), text, text).map(lambda t: Binary(*t)),
        st.tuples(st.sampled_from(["==", "!="]), value).map(lambda t: Binary(t[0], t[1], Literal(None))),
        st.tuples(_number_expr(), st.lists(_NUMBERS.map(Literal), max_size=3), st.booleans()).map(lambda t: In(t[0], tuple(t[1]), t[2])),
        st.tuples(st.lists(_WORDS.map(Literal), max_size=3), st.booleans()).map(lambda t: In(Name("s1"), tuple(t[0]), t[1])),
        st.sampled_from(["b1", "b2"]).map(Name),
        st.booleans().map(Literal),
    )
    return st.recursive(atoms, lambda inner: st.one_of(
        st.tuples(st.sampled_from(["and", "or", "==", "!="]), inner, inner).map(lambda t: Binary(*t)),
        inner.map(lambda x: Unary("not", x))), max_leaves=6)


_VALUES = st.fixed_dictionaries({
    "i1": st.none() | st.integers(-6, 6), "i2": st.none() | st.integers(-6, 6),
    "n1": st.none() | _NUMBERS, "n2": st.none() | _NUMBERS,
    "b1": st.none() | st.booleans(), "b2": st.none() | st.booleans(), "s1": st.none() | _WORDS,
})


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(st.tuples(_condition(), _condition()), min_size=1, max_size=6), st.lists(_VALUES, min_size=1, max_size=12))
def test_random_checks_agree_with_the_oracle_and_the_reference(pairs, rows):
    checks = [CheckProgram(f"c{k}", "organization", where, require, TYPES) for k, (where, require) in enumerate(pairs)]
    entities = [Entity("organization", row) for row in rows]
    with DurableBackend().prepare(checks) as prepared:
        got = prepared.run(entities)
    assert got == expected(checks, entities)
    assert got == reference(checks, entities)


def test_a_worker_stopped_while_a_large_request_is_written_is_killed_at_the_deadline():
    checks = [program("c", "s1 == 'x'")]
    # Far more than a pipe holds: the write itself must be bounded, not only the reply.
    entities = [Entity("organization", {"s1": f"{k:06d}" + "y" * 2000}) for k in range(3000)]
    with DurableBackend(Settings(timeout=2.0, timeout_per_fact=0.0, batch_size=5000)).prepare(checks) as prepared:
        old = prepared._worker._process.pid
        os.kill(old, signal.SIGSTOP)
        try:
            started = time.monotonic()
            with pytest.raises(BackendError, match="did not take a request within 2 s"):
                prepared.run(entities)
            assert time.monotonic() - started < 30
            _assert_gone(old)
        finally:
            try:
                os.kill(old, signal.SIGCONT)
            except ProcessLookupError:
                pass
        assert prepared.run(entities[:3]) == expected(checks, entities[:3])


def test_an_idle_worker_that_died_is_replaced_before_the_next_run(backend):
    checks = [program("c", "i1 < 3")]
    with backend.prepare(checks) as prepared:
        old = prepared._worker._process.pid
        os.kill(old, signal.SIGKILL)
        prepared._worker._process.join(10)  # dead while idle, not yet noticed
        entities = entities_of("i1", [5, 1])
        assert prepared.run(entities) == [Outcome("c", 0, "violated")]  # no error: noticed first
        assert prepared._worker._process.pid != old
        _assert_gone(old)

"""Translation of check programs into durable_rules conditions (pure; no durable import).

Every check becomes single-fact rules that the engine matches on its own.  For each
sub-expression ``e`` positive conditions are built by Kleene's rules: ``T(e)`` (true), ``F(e)``
(false), ``U(e)`` (unknown), and ``¬T(e)``, ``¬F(e)`` directly by De Morgan, since spelling
``¬F`` as ``T ∨ U`` makes nested conditions grow exponentially.  A *violated* rule is
``kind ∧ T(where) ∧ F(require)``, an *unknown* rule ``kind ∧ (U(where) ∨ (T(where) ∧
U(require)))``.  ``None`` is encoded by leaving the field out of the fact, so "unknown" is a
test for absence (``$nex``).

Numbers reach the engine as scaled integers: an ``int`` field as is, a ``number`` field times
10**4 (every backend works to 4 decimals, :data:`ag18_rules.expr.lexer.MAX_DECIMALS`).  The
engine's int64 arithmetic is then exact and equals the reference's float arithmetic rounded to
4 decimals, as long as the magnitudes stay in the ranges checked here.  A product whose exact
value may have more than 4 decimals (``number * 0.5``) would need the reference's rounding,
which the engine cannot do: it is refused at prepare time rather than answered differently.

The engine's C core enforces its limits by crashing, hanging or failing at run time
(``reference/durable-rules.md``; ``src/rules/{rete,events}.c``); every ruleset built here stays
inside them, or :class:`BackendError` is raised at prepare time:

* at most 15 ``$and``/``$or`` per rule (``MAX_SEQUENCE_EXPRESSIONS`` = 32, else error 113);
* at most 64 alpha nodes pending while one fact is matched (``MAX_STACK_SIZE``, else error 303);
* fewer than 256 rules ending on one alpha node (``BETA_LIST_LENGTH``, an unchecked overflow);
* fewer than 4096 rules per ruleset (``MAX_ACTIONS``);
* no ``$div``, no cross-fact reference, a ``kind`` test first in every rule, no float, and
  field names free of 32-bit FNV-1a collisions.

The engine also identifies the facts of a session by a 32-bit FNV-1a hash alone (``state.c``:
``storeMessage`` looks the fact's ``id`` up by that hash; without an ``id``, the id is a 64-bit
hash of the content, cut to 19 digits).  A fact whose hash is taken is silently dropped as a
duplicate, with every outcome it would have had: with content ids that happened about once in
200 runs of 10,000 organisations.  So every fact carries an explicit ``id`` (:data:`SEQ`), its
number in its session, and :mod:`.durable` keeps those numbers' hashes apart (see there).

A rule that would break a limit is split (top-level ``or`` branches become rules of their own,
an inner ``or`` is distributed), and the rules are spread over as many rulesets as needed.
"""
from __future__ import annotations

import json
import operator
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Iterable, Mapping, NamedTuple, Sequence, Union

from ..errors import BackendError
from ..expr.lexer import MAX_DECIMALS as DECIMALS
from ..expr.nodes import ARITHMETIC, EQUALITY, LOGICAL, ORDERING, Binary, In, Literal, Name, Node, Unary
from ..expr.nodes import names as names_read
from ..expr.types import Type
from .base import CheckProgram, Verdict

SENTINEL_KIND = "__end__"  # kind of the fact that closes every batch; reserved
# Engine fields besides the data fields; SEQ is durable's own ``id``: the fact's number in its session.
KIND, SEQ, SID, ZERO = "kind", "id", "sid", "_z"
RESERVED_FIELDS = (KIND, SEQ, SID, ZERO, "$s", "$forward")  # $s: durable's own

MAX_INT = 10**15  # |int| in facts and literals
MAX_DECIMAL = 10**11  # |number| that Python computes as a float: exact to 4 decimals below this
ENGINE_LIMIT = 9 * 10**18  # |scaled integer| the engine's int64 holds
MAX_JUNCTIONS = 15  # $and/$or per rule; the 16th fails with error 113
MAX_PENDING = 56  # alpha nodes pending per fact; the engine fails at 64 (error 303)
MAX_RULES_PER_NODE = 200  # rules ending on one alpha node; the engine overflows at 256
MAX_RULES = 2000  # per ruleset; the engine refuses 4096
MAX_RULES_PER_CHECK = 400  # beyond this a check is refused rather than compiled for minutes
MAX_FIELDS_PER_KIND = 240  # the engine rejects a fact with more than ~252 properties

Formula = Union[bool, "Atom", "Junction"]


# --------------------------------------------------------------------------- conditions


@dataclass(frozen=True)
class Atom:
    """One durable test on a field of the current fact, e.g. ``{"$gt": {"f3": 10}}``."""

    op: str  # $eq $neq $lt $lte $gt $gte $ex $nex
    field: str
    rvalue: str  # JSON text of the right-hand side
    shared: bool  # a literal right-hand side: the engine shares the node between rules

    @property
    def text(self) -> str:
        return '{"%s":{"%s":%s}}' % (self.op, self.field, self.rvalue)

    def to_json(self) -> dict:
        return {self.op: {self.field: json.loads(self.rvalue)}}


@dataclass(frozen=True)
class Junction:
    """``$and`` or ``$or`` of two or more conditions (never empty: constants are folded)."""

    op: str  # "$and" | "$or"
    items: tuple[Formula, ...]
    text: str

    def to_json(self) -> dict:
        return {self.op: [item.to_json() for item in self.items]}


def conj(*items: Formula) -> Formula:
    """``a ∧ b ∧ …`` flattened, de-duplicated and with constants folded."""
    return _junction("$and", items, unit=True)


def disj(*items: Formula) -> Formula:
    """``a ∨ b ∨ …`` flattened, de-duplicated and with constants folded."""
    return _junction("$or", items, unit=False)


def _junction(op: str, items: Iterable[Formula], unit: bool) -> Formula:
    flat: dict[str, Formula] = {}
    for item in items:
        if item is unit:
            continue
        if item is (not unit):
            return not unit
        parts = item.items if isinstance(item, Junction) and item.op == op else (item,)
        for part in parts:
            flat.setdefault(part.text, part)
    if not flat:
        return unit
    if len(flat) == 1:
        return next(iter(flat.values()))
    texts = sorted(flat)
    return Junction(op, tuple(flat[t] for t in texts), '{"%s":[%s]}' % (op, ",".join(texts)))


def junction_count(formula: Formula) -> int:
    """How many ``$and``/``$or`` the formula holds (each costs the engine two slots)."""
    if isinstance(formula, Junction):
        return 1 + sum(junction_count(item) for item in formula.items)
    return 0


def _present(key: str) -> Atom:
    return Atom("$ex", key, "1", True)


def _absent(key: str) -> Atom:
    return Atom("$nex", key, "1", True)


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Const:
    """A value known at compile time (``None`` is ``null``)."""

    value: object


@dataclass(frozen=True)
class Term:
    """A value the engine computes from fields of the fact.

    ``tree`` is ``("field", name)``, ``("lit", value)`` or ``(op, left, right)`` with op one of
    ``+ - *``, in the expression's own numbers; ``base`` is ``number`` or ``string``.
    """

    tree: tuple
    base: str
    names: frozenset[str]

    @property
    def plain(self) -> str | None:
        return self.tree[1] if self.tree[0] == "field" else None


Value = Union[Const, Term]

_FLIP = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
_NEGATE = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
_DURABLE_OP = {"<": "$lt", "<=": "$lte", ">": "$gt", ">=": "$gte", "==": "$eq", "!=": "$neq"}
_ARITH_OP = {"+": "$add", "-": "$sub", "*": "$mul"}


def decimals(value: object) -> int:
    """Decimal places of a number literal (``0.25`` -> 2, ``2.0`` -> 0): its engine scale."""
    if not isinstance(value, float):
        return 0
    return max(0, -Decimal(repr(value)).normalize().as_tuple().exponent)


_PYTHON_OP = {"+": operator.add, "-": operator.sub, "*": operator.mul, "<": operator.lt,
              "<=": operator.le, ">": operator.gt, ">=": operator.ge, "==": operator.eq, "!=": operator.ne}


def _fold(op: str, a, b):
    """What the reference computes for two constants (float arithmetic rounded to 4 places)."""
    result = _PYTHON_OP[op](a, b)
    return round(result, DECIMALS) if isinstance(result, float) else result


class Truth(NamedTuple):
    """When a boolean expression is true, false, unknown, not true and not false."""

    true: Formula
    false: Formula
    unknown: Formula
    not_true: Formula
    not_false: Formula


# --------------------------------------------------------------------------- translation


class _Translator:
    """T/F/U conditions of one check program's expressions."""

    def __init__(self, program: CheckProgram, keys: Mapping[str, str]):
        self._program = program
        self._keys = keys
        self.uses_zero = False
        self.comparisons: list[tuple[tuple, tuple, bool]] = []  # numeric (left, right, via _z)

    def _fail(self, node: Node, problem: str) -> BackendError:
        return BackendError(f"check {self._program.key}: {problem} (at offset {node.pos}); "
                            "the durable backend cannot translate it")

    def _base(self, name: str) -> str:
        return self._program.types[name].base

    def sort(self, node: Node) -> str:
        """``bool``, ``number``, ``string`` or ``null``: what kind of value the node yields."""
        if isinstance(node, Literal):
            if node.value is None:
                return "null"
            if isinstance(node.value, bool):
                return "bool"
            return "string" if isinstance(node.value, str) else "number"
        if isinstance(node, Name):
            base = self._base(node.name)
            return "number" if base in ("int", "number") else base
        if isinstance(node, Unary):
            return "bool" if node.op == "not" else "number"
        if isinstance(node, Binary) and node.op in ARITHMETIC:
            return "number"
        return "bool"

    # -- scales: ints as they are, numbers times 10**4, literals by their own decimals

    def scale(self, tree: tuple) -> int:
        if tree[0] == "field":
            return DECIMALS if self._base(tree[1]) == "number" else 0
        if tree[0] == "lit":
            return decimals(tree[1])
        if tree[0] == "*":
            return self.scale(tree[1]) + self.scale(tree[2])
        return max(self.scale(tree[1]), self.scale(tree[2]))

    def floating(self, tree: tuple) -> bool:
        """Whether the reference may compute the tree in floats (and round it)."""
        if tree[0] == "field":
            return self._base(tree[1]) == "number"
        if tree[0] == "lit":
            return isinstance(tree[1], float)
        return self.floating(tree[1]) or self.floating(tree[2])

    def emit(self, tree: tuple, target: int) -> str:
        """The engine's right-hand side for ``tree``, as an integer at scale ``target``."""
        if tree[0] == "lit":
            if isinstance(tree[1], str):
                return json.dumps(unicodedata.normalize("NFC", tree[1]), ensure_ascii=False)
            return str(int(Decimal(repr(tree[1])).scaleb(target)))
        own = self.scale(tree)
        if tree[0] == "field":
            text = '{"$m":"%s"}' % self._keys[tree[1]]
        elif tree[0] == "*":
            left, right = tree[1], tree[2]
            text = '{"$mul":{"$l":%s,"$r":%s}}' % (self.emit(left, self.scale(left)),
                                                     self.emit(right, self.scale(right)))
        else:
            text = '{"%s":{"$l":%s,"$r":%s}}' % (_ARITH_OP[tree[0]], self.emit(tree[1], own),
                                                   self.emit(tree[2], own))
        if target > own:
            text = '{"$mul":{"$l":%s,"$r":%d}}' % (text, 10 ** (target - own))
        return text

    # -- truth conditions

    def truth(self, node: Node) -> Truth:
        """The conditions under which the boolean node is true, false, unknown, not true and
        not false (the last two built directly by De Morgan, which keeps them small)."""
        if isinstance(node, Literal):
            if node.value is None:
                return Truth(False, False, True, True, True)
            if isinstance(node.value, bool):
                return Truth(node.value, not node.value, False, not node.value, node.value)
        elif isinstance(node, Name) and self._base(node.name) == "bool":
            key = self._keys[node.name]
            true, false, unknown = Atom("$eq", key, "true", True), Atom("$eq", key, "false", True), _absent(key)
            return Truth(true, false, unknown, disj(false, unknown), disj(true, unknown))
        elif isinstance(node, Unary) and node.op == "not":
            t = self.truth(node.operand)
            return Truth(t.false, t.true, t.unknown, t.not_false, t.not_true)
        elif isinstance(node, In):
            return self._membership(node)
        elif isinstance(node, Binary) and node.op in LOGICAL:
            return self._logical(node)
        elif isinstance(node, Binary) and (node.op in ORDERING or node.op in EQUALITY):
            return self._comparison(node)
        raise self._fail(node, "a value that is not true/false is used as a condition")

    def _logical(self, node: Binary) -> Truth:
        parts = [self.truth(item) for item in _chain(node, node.op)]
        unknown = disj(*(p.unknown for p in parts))
        # Kleene: unknown iff an operand is unknown and no operand decides the result.
        if node.op == "and":
            not_false = conj(*(p.not_false for p in parts))
            return Truth(conj(*(p.true for p in parts)), disj(*(p.false for p in parts)),
                         conj(unknown, not_false), disj(*(p.not_true for p in parts)), not_false)
        not_true = conj(*(p.not_true for p in parts))
        return Truth(disj(*(p.true for p in parts)), conj(*(p.false for p in parts)),
                     conj(unknown, not_true), not_true, disj(*(p.not_false for p in parts)))

    def _comparison(self, node: Binary) -> Truth:
        left, right, op = node.left, node.right, node.op
        if op in EQUALITY and _is_null(left):
            left, right = right, left
        if op in EQUALITY and _is_null(right):
            absent, present = self.absence(left)
            if op == "!=":
                absent, present = present, absent
            return Truth(absent, present, False, present, absent)
        sorts = {self.sort(left), self.sort(right)} - {"null"}
        if "bool" in sorts:
            if sorts != {"bool"} or op not in EQUALITY:
                raise self._fail(node, f"'{op}' between a boolean and another kind of value")
            return _boolean_equality(op, self.truth(left), self.truth(right))
        return self.compare(node, op, self.value(left), self.value(right))

    def _membership(self, node: In) -> Truth:
        options = [o for o in node.options if o.value is not None]  # null never equals a value
        absent, present = self.absence(node.item)
        if self.sort(node.item) == "bool":
            if any(not isinstance(o.value, bool) for o in options):
                raise self._fail(node, "a boolean compared with a non-boolean option")
            item = self.truth(node.item)
            results = [_boolean_equality("==", item, self.truth(o)) for o in options]
        else:
            item = self.value(node.item)
            results = [self.compare(node, "==", item, self.value(o)) for o in options]
        true = disj(*(r.true for r in results))
        false = conj(*(r.false for r in results)) if results else present
        truth = Truth(true, false, absent, disj(false, absent), disj(*(r.not_false for r in results), absent))
        if node.negated:
            truth = Truth(truth.false, truth.true, truth.unknown, truth.not_false, truth.not_true)
        return truth

    def absence(self, node: Node) -> tuple[Formula, Formula]:
        """(the node's value is null, it has a value): what ``== null`` / ``!= null`` test."""
        if self.sort(node) == "bool":
            truth = self.truth(node)
            return truth.unknown, disj(truth.true, truth.false)
        value = self.value(node)
        if isinstance(value, Const):
            return value.value is None, value.value is not None
        keys = [self._keys[name] for name in sorted(value.names)]
        return disj(*map(_absent, keys)), conj(*map(_present, keys))

    def compare(self, node: Node, op: str, left: Value, right: Value) -> Truth:
        """The truth of ``left op right`` for two numbers or two strings."""
        if any(isinstance(v, Const) and v.value is None for v in (left, right)):
            return Truth(False, False, True, True, True)
        bases = {_base(left), _base(right)}
        if len(bases) != 1:
            raise self._fail(node, f"'{op}' between a number and a string")
        if bases == {"string"} and op in ORDERING:
            raise self._fail(node, "ordering of strings is not supported (the engine compares "
                             "raw JSON bytes)")
        if isinstance(left, Const) and isinstance(right, Const):
            result = _fold(op, left.value, right.value)
            return Truth(result, not result, False, not result, result)
        names = frozenset().union(*(v.names for v in (left, right) if isinstance(v, Term)))
        true, lhs = self._atom(op, left, right)
        false, _ = self._atom(_NEGATE[op], left, right)
        # A missing field on the right of a comparison leaves the engine reading an
        # uninitialised value (the rule may fire), so each one is tested first.  The field on
        # the left needs no test: the engine only visits tests of fields the fact has.
        guards = [_present(self._keys[name]) for name in sorted(names - {lhs})]
        absent = [_absent(self._keys[name]) for name in sorted(names)]
        # Next to "a field is missing" the guards add nothing: ¬F = cmp ∨ missing.
        return Truth(conj(*guards, true), conj(*guards, false), disj(*absent),
                     disj(false, *absent), disj(true, *absent))

    def _atom(self, op: str, left: Value, right: Value) -> tuple[Atom, str | None]:
        """The test ``left op right`` with a bare field on its left, and that field's name."""
        trees = (_tree(left), _tree(right))
        target = max(map(self.scale, trees))
        plain = [isinstance(v, Term) and v.plain is not None and self.scale(v.tree) == target
                 for v in (left, right)]
        numeric = _base(left) == "number"
        if plain[0] or plain[1]:
            (field, other), op = ((trees[0], trees[1]), op) if plain[0] else ((trees[1], trees[0]), _FLIP[op])
            if numeric:
                self.comparisons.append((field, other, False))
            return Atom(_DURABLE_OP[op], self._keys[field[1]], self.emit(other, target),
                        other[0] == "lit"), field[1]
        # No bare field at the comparison's scale: test 0 op (right - left), exact in int64.
        self.uses_zero = True
        self.comparisons.append((trees[0], trees[1], True))
        rvalue = '{"$sub":{"$l":%s,"$r":%s}}' % (self.emit(trees[1], target), self.emit(trees[0], target))
        return Atom(_DURABLE_OP[op], ZERO, rvalue, False), None

    # -- values

    def value(self, node: Node) -> Value:
        """The node as a number or string the engine computes (or a folded constant)."""
        if isinstance(node, Literal) and not isinstance(node.value, bool):
            if isinstance(node.value, str):
                return Const(unicodedata.normalize("NFC", node.value))
            _check_literal(node.value, f"check {self._program.key}")
            return Const(node.value)
        if isinstance(node, Name) and self.sort(node) != "bool":
            return Term(("field", node.name), self.sort(node), frozenset((node.name,)))
        if isinstance(node, Unary) and node.op == "-":
            return self._arithmetic(node, "-", Const(0), self.value(node.operand))
        if isinstance(node, Binary) and node.op in ARITHMETIC:
            return self._arithmetic(node, node.op, self.value(node.left), self.value(node.right))
        raise self._fail(node, "a true/false value is used as a number or text")

    def _arithmetic(self, node: Node, op: str, left: Value, right: Value) -> Value:
        if _base(left) == "string" or _base(right) == "string":
            raise self._fail(node, f"'{op}' on text")
        if any(isinstance(v, Const) and v.value is None for v in (left, right)):
            return Const(None)
        if isinstance(left, Const) and isinstance(right, Const):
            return Const(_fold(op, left.value, right.value))
        tree = (op, _tree(left), _tree(right))
        if op == "*" and self.floating(tree) and self.scale(tree) > DECIMALS:
            raise self._fail(node, f"the product may have more than {DECIMALS} decimals, which the "
                             "reference rounds and the engine cannot (multiply by a whole number, "
                             "or use the python backend)")
        names = frozenset().union(*(v.names for v in (left, right) if isinstance(v, Term)))
        return Term(tree, "number", names)

    # -- ranges

    def limits(self) -> dict[str, int]:
        """For every field used in a numeric comparison, the largest power of ten below which
        its values keep the engine exact and equal to the reference."""
        found: dict[str, int] = {}
        for left, right, via_zero in self.comparisons:
            limit = next((b for b in _POWERS if self._fits(left, right, via_zero, b)), None)
            if limit is None:
                raise BackendError(f"check {self._program.key}: a comparison exceeds the durable "
                                   "engine's integer range for any input")
            for name in _tree_names(left) | _tree_names(right):
                cap = limit if self._base(name) == "int" else min(limit, MAX_DECIMAL)
                found[name] = min(found.get(name, cap), cap)
        return found

    def _fits(self, left: tuple, right: tuple, via_zero: bool, limit: int) -> bool:
        target = max(self.scale(left), self.scale(right))
        try:
            sizes = [self._size(tree, limit) * 10 ** target for tree in (left, right)]
        except OverflowError:
            return False
        total = sum(sizes) if via_zero else max(sizes)
        return total < ENGINE_LIMIT

    def _size(self, tree: tuple, limit: int) -> int:
        """Largest |value| of the tree when int fields stay below ``limit``; OverflowError when
        a step leaves the engine's int64 or, computed in floats, the 4-decimal exact range."""
        if tree[0] == "field":
            return limit if self._base(tree[1]) == "int" else min(limit, MAX_DECIMAL)
        if tree[0] == "lit":
            return abs(tree[1])
        left, right = self._size(tree[1], limit), self._size(tree[2], limit)
        size = left * right if tree[0] == "*" else left + right
        if size * 10 ** self.scale(tree) >= ENGINE_LIMIT or (self.floating(tree) and size >= MAX_DECIMAL):
            raise OverflowError
        return size


_POWERS = tuple(10**k for k in range(15, -1, -1))


def _boolean_equality(op: str, a: Truth, b: Truth) -> Truth:
    same = disj(conj(a.true, b.true), conj(a.false, b.false))
    differ = disj(conj(a.true, b.false), conj(a.false, b.true))
    if op == "!=":
        same, differ = differ, same
    unknown = disj(a.unknown, b.unknown)
    return Truth(same, differ, unknown, disj(differ, unknown), disj(same, unknown))


def _check_literal(value, where: str) -> None:
    if isinstance(value, float):
        if not (value == value and abs(value) < MAX_DECIMAL):
            raise BackendError(f"{where}: the number {value!r} is out of the durable backend's "
                               f"range (below {MAX_DECIMAL:.0e} for numbers with decimals)")
        if round(value, DECIMALS) != value:
            raise BackendError(f"{where}: the number {value!r} has more than {DECIMALS} decimals")
    elif abs(value) >= MAX_INT:
        raise BackendError(f"{where}: the number {value} is out of the durable backend's range "
                           f"(below {MAX_INT:.0e})")


def _base(value: Value) -> str:
    if isinstance(value, Term):
        return value.base
    return "string" if isinstance(value.value, str) else "number"


def _tree(value: Value) -> tuple:
    return value.tree if isinstance(value, Term) else ("lit", value.value)


def _tree_names(tree: tuple) -> set[str]:
    if tree[0] == "field":
        return {tree[1]}
    if tree[0] == "lit":
        return set()
    return _tree_names(tree[1]) | _tree_names(tree[2])


def _is_null(node: Node) -> bool:
    return isinstance(node, Literal) and node.value is None


def _chain(node: Node, op: str) -> list[Node]:
    """Operands of a chain of one logical operator, e.g. ``a and (b and c)``."""
    if isinstance(node, Binary) and node.op == op:
        return _chain(node.left, op) + _chain(node.right, op)
    return [node]


# --------------------------------------------------------------------------- the policy


@dataclass(frozen=True)
class FieldSpec:
    """A data field of a kind's facts: its name in expressions, engine key, type, scale
    (numbers are sent as integers times ``10**scale``) and magnitude limit."""

    name: str
    key: str
    type: Type
    scale: int
    limit: int  # |value| must stay below this


@dataclass(frozen=True)
class Rule:
    tag: int  # number of the rule in the compiled policy; its engine name is ``r<tag>``
    check: int  # index into Compiled.checks
    verdict: str  # a Verdict value
    condition: str  # JSON text of the pattern's condition


@dataclass(frozen=True)
class Ruleset:
    name: str
    kinds: tuple[str, ...]
    rules: tuple[Rule, ...]


@dataclass(frozen=True)
class Compiled:
    """What the adapter needs: check keys, the fact layout per kind, and the rulesets."""

    checks: tuple[str, ...]
    fields: Mapping[str, tuple[FieldSpec, ...]]  # by kind
    zero: frozenset[str]  # kinds whose facts carry the helper field ``_z`` = 0
    rulesets: tuple[Ruleset, ...]


def fnv1a32(text: str) -> int:
    """The 32-bit FNV-1a hash by which, alone, durable identifies a field name."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 16777619) & 0xFFFFFFFF
    return value


def compile_programs(programs: Sequence[CheckProgram]) -> Compiled:
    """Translate the checks into rulesets that stay inside the engine's limits."""
    _validate(programs)
    types = _field_types(programs)
    names = sorted({name for per_kind in types.values() for name in per_kind})
    keys = {name: f"f{index}" for index, name in enumerate(names)}
    _check_hashes([*keys.values(), *RESERVED_FIELDS])
    limits: dict[tuple[str, str], int] = {}
    zero: set[str] = set()
    bodies: dict[str, list[tuple[int, str, Formula]]] = {}
    for index, program in enumerate(programs):
        translator = _Translator(program, keys)
        verdicts = _verdict_formulas(translator, program)
        for name, limit in translator.limits().items():
            limits[program.kind, name] = min(limits.get((program.kind, name), limit), limit)
        if translator.uses_zero:
            zero.add(program.kind)
        try:
            for verdict, formula in verdicts:
                bodies.setdefault(program.kind, []).extend((index, verdict, b) for b in _alternatives(formula))
        except _TooLarge:
            raise _too_large(program) from None
    fields = {kind: tuple(_field_spec(kind, name, kind_types[name], keys, limits) for name in sorted(kind_types))
              for kind, kind_types in sorted(types.items())}
    parts = {kind: _pack(kind, items, programs) for kind, items in sorted(bodies.items())}
    return Compiled(tuple(p.key for p in programs), fields, frozenset(zero), _assemble(parts))


def _field_spec(kind: str, name: str, type_: Type, keys: Mapping[str, str], limits) -> FieldSpec:
    default = MAX_DECIMAL if type_.base == "number" else MAX_INT
    scale = DECIMALS if type_.base == "number" else 0
    return FieldSpec(name, keys[name], type_, scale, limits.get((kind, name), default))


def _validate(programs: Sequence[CheckProgram]) -> None:
    seen: set[str] = set()
    for program in programs:
        if program.key in seen:
            raise BackendError(f"two checks share the key {program.key!r}")
        seen.add(program.key)
        if not program.kind or program.kind == SENTINEL_KIND:
            raise BackendError(f"check {program.key}: the kind {program.kind!r} is reserved")


def _field_types(programs: Sequence[CheckProgram]) -> dict[str, dict[str, Type]]:
    """Per kind, the type of every name its checks read; one base type per name and kind."""
    types: dict[str, dict[str, Type]] = {}
    for program in programs:
        kind_types = types.setdefault(program.kind, {})
        for name in sorted(names_read(program.where) | names_read(program.require)):
            declared = program.types.get(name)
            if declared is None or declared.base not in ("int", "number", "bool", "string"):
                raise BackendError(f"check {program.key}: the name {name!r} has no usable type")
            previous = kind_types.setdefault(name, declared)
            if previous.base != declared.base:
                raise BackendError(f"the name {name!r} of kind {program.kind!r} is declared both as "
                                   f"{previous.base} and as {declared.base}")
        if len(kind_types) > MAX_FIELDS_PER_KIND:
            raise BackendError(f"the checks of kind {program.kind!r} read {len(kind_types)} fields; "
                               f"the durable engine takes at most {MAX_FIELDS_PER_KIND} per fact")
    return types


def _check_hashes(keys: list[str]) -> None:
    seen: dict[int, str] = {}
    for key in keys:
        other = seen.setdefault(fnv1a32(key), key)
        if other != key:
            raise BackendError(f"the field names {other!r} and {key!r} share a 32-bit FNV-1a hash; "
                               "the durable engine would confuse them")


def _verdict_formulas(translator: _Translator, program: CheckProgram) -> list[tuple[str, Formula]]:
    where, require = translator.truth(program.where), translator.truth(program.require)
    return [
        (Verdict.VIOLATED.value, conj(where.true, require.false)),
        (Verdict.UNKNOWN.value, disj(where.unknown, conj(where.true, require.unknown))),
    ]


def _alternatives(formula: Formula) -> list[Formula]:
    """The formula as rule bodies: one per top-level ``or`` branch, each small enough for one
    rule (an inner ``or`` is distributed while a body has too many junctions)."""
    done: list[Formula] = []
    todo = [formula]
    while todo:
        body = todo.pop()
        if body is False:
            continue
        if isinstance(body, Junction) and body.op == "$or":
            todo.extend(reversed(body.items))
        elif _rule_junctions(body) <= MAX_JUNCTIONS:
            done.append(body)
        else:
            todo.extend(reversed(_distribute(body)))
        if len(done) + len(todo) > MAX_RULES_PER_CHECK:
            raise _TooLarge
    return done


class _TooLarge(Exception):
    """A check needs more engine rules than :data:`MAX_RULES_PER_CHECK`."""


def _rule_junctions(body: Formula) -> int:
    """Junctions of ``kind ∧ body`` once the ``$and`` is flattened."""
    if body is True:
        return 0
    if isinstance(body, Junction) and body.op == "$and":
        return junction_count(body)
    return 1 + junction_count(body)


def _distribute(body: Formula) -> list[Formula]:
    """``a ∧ (b ∨ c)`` as ``[a ∧ b, a ∧ c]``, on the largest inner ``or``; [] if none."""
    if not isinstance(body, Junction):
        return []
    if body.op == "$or":
        return list(body.items)
    inner = [item for item in body.items if isinstance(item, Junction)]
    if not inner:
        return []
    widest = max(inner, key=junction_count)
    others = [item for item in body.items if item is not widest]
    return [conj(*others, branch) for branch in widest.items]


# --------------------------------------------------------------------------- packing


class _Node:
    """An alpha node of the model network: its children and the rules ending on it."""

    __slots__ = ("children", "shared", "rules")

    def __init__(self) -> None:
        self.children: list[_Node] = []
        self.shared: dict[str, _Node] = {}
        self.rules = 0


class _Network:
    """A model of the alpha network durable builds below one kind's test (rete.c:
    createAlpha, findAlpha, linkAlpha), to check the limits before the engine sees it."""

    def __init__(self) -> None:
        self.top = _Node()
        self.conditions: list[list[Formula]] = []

    def add(self, items: list[Formula]) -> None:
        node = self.top
        for item in items[1:]:  # items[0] is the kind test, modelled by ``top``
            node = self._create(node, item)
        node.rules += 1
        self.conditions.append(items)

    def _create(self, parent: _Node, formula: Formula) -> _Node:
        if isinstance(formula, Atom):
            if formula.shared and formula.text in parent.shared:
                return parent.shared[formula.text]
            child = _Node()
            parent.children.append(child)
            if formula.shared:  # tests with a $m or arithmetic right side are never shared
                parent.shared[formula.text] = child
            return child
        if formula.op == "$and":
            node = parent
            for item in formula.items:
                node = self._create(node, item)
            return node
        forward = _Node()  # $or: every branch ends on one fresh forward node
        for item in formula.items:
            self._create(parent, item).children.append(forward)
        return forward

    def without_last(self) -> "_Network":
        rebuilt = _Network()
        for condition in self.conditions[:-1]:
            rebuilt.add(condition)
        return rebuilt

    def fits(self) -> bool:
        """Within the rule count, the rules per node and the pending-node bound."""
        if len(self.conditions) > MAX_RULES:
            return False
        nodes = _walk(self.top)
        return all(n.rules <= MAX_RULES_PER_NODE for n in nodes) and _pending(self.top, {}) <= MAX_PENDING


def _pending(node: _Node, memo: dict[int, int]) -> int:
    """Worst-case growth of the engine's node stack below ``node`` if every test matches.

    The engine pushes all matching children at once, then works through them last-first, so
    the height is ``max(k, k - 1 + the highest child's)`` for ``k`` children.
    """
    if id(node) not in memo:
        k = len(node.children)
        memo[id(node)] = 0 if k == 0 else max(k, k - 1 + max(_pending(c, memo) for c in node.children))
    return memo[id(node)]


def _walk(top: _Node) -> list[_Node]:
    seen: dict[int, _Node] = {}
    stack = [top]
    while stack:
        node = stack.pop()
        if id(node) not in seen:
            seen[id(node)] = node
            stack.extend(node.children)
    return list(seen.values())


def _pack(kind: str, bodies: list[tuple[int, str, Formula]], programs: Sequence[CheckProgram]) -> list:
    """Spread one kind's rules over as few networks as keep within the limits."""
    rank: dict[str, int] = {}
    for _, _, body in bodies:
        for item in _conjuncts(body):
            if isinstance(item, Atom):
                rank[item.text] = rank.get(item.text, 0) + 1
    parts: list[tuple[_Network, list]] = []
    pending = list(bodies)
    while pending:
        check, verdict, body = pending.pop(0)
        items = [_kind_atom(kind), *sorted(_conjuncts(body), key=lambda f: _order(f, rank))]
        if _place(parts, items, (check, verdict)):
            continue
        pieces = _distribute(body)
        if not pieces or len(pending) + len(pieces) > MAX_RULES * 4:
            raise _too_large(programs[check])
        pending[:0] = [(check, verdict, piece) for piece in pieces]
    return [members for _, members in parts]


def _place(parts: list, items: list[Formula], owner: tuple[int, str]) -> bool:
    """Add the rule to the first part it fits in, or to a new part; False if it fits nowhere."""
    for index, (network, members) in enumerate(parts):
        network.add(items)
        if network.fits():
            members.append((*owner, items))
            return True
        parts[index] = (network.without_last(), members)
    network = _Network()
    network.add(items)
    if not network.fits():
        return False
    parts.append((network, [(*owner, items)]))
    return True


def _too_large(program: CheckProgram) -> BackendError:
    return BackendError(f"check {program.key} is too complex for the durable engine: its condition "
                        "would need too many engine rules (split it into simpler checks, or use "
                        "the python backend)")


def _conjuncts(body: Formula) -> tuple[Formula, ...]:
    if body is True:
        return ()
    return body.items if isinstance(body, Junction) and body.op == "$and" else (body,)


def _order(formula: Formula, rank: Mapping[str, int]) -> tuple:
    """Frequent tests first, so that rules share the engine's nodes (a smaller network)."""
    if isinstance(formula, Atom):
        return (0, -rank.get(formula.text, 0), formula.text)
    return (1, 0, formula.text)


def _kind_atom(kind: str) -> Atom:
    return Atom("$eq", KIND, json.dumps(kind, ensure_ascii=False), True)


def _assemble(parts_by_kind: Mapping[str, list]) -> tuple[Ruleset, ...]:
    """Ruleset ``j`` holds part ``j`` of every kind; rules are numbered in a stable order."""
    rulesets = []
    tag = 0
    for j in range(max((len(parts) for parts in parts_by_kind.values()), default=0)):
        rules, kinds = [], []
        for kind, parts in parts_by_kind.items():
            if j < len(parts):
                kinds.append(kind)
                for check, verdict, items in parts[j]:
                    condition = items[0].to_json() if len(items) == 1 else {"$and": [i.to_json() for i in items]}
                    rules.append(Rule(tag, check, verdict, json.dumps(condition, ensure_ascii=False)))
                    tag += 1
        if len(rules) > MAX_RULES:
            raise BackendError(f"the checks need {len(rules)} engine rules in one ruleset; the "
                               f"durable backend supports at most {MAX_RULES}")
        rulesets.append(Ruleset(f"ag18_{j}", tuple(kinds), tuple(rules)))
    return tuple(rulesets)

"""Evaluation of rule conditions: compiled closures for speed, and a tracing walk for explanations.

Both follow the three-valued semantics of :mod:`.nodes` (``None`` is *unknown*).
:func:`compile_expr` turns a tree into nested closures once, specialising the common shapes
(a name against a literal, a name against a name, a ``== null`` test) so that evaluating a
condition for one entity allocates nothing.  :func:`trace` is a plain recursive walk written
separately on purpose: it records every sub-expression's value, and the test suite checks that
the two always agree.
"""
from __future__ import annotations

import operator
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

from ..serial import JsonForm
from .lexer import MAX_DECIMALS
from .nodes import ARITHMETIC, EQUALITY, In, Literal, Name, Node, Unary, Value, children, to_source

__all__ = ["Compiled", "TraceNode", "compile_expr", "trace"]

Compiled = Callable[[Mapping[str, Value]], Value]

_ARITHMETIC = {"+": operator.add, "-": operator.sub, "*": operator.mul}
_COMPARE = {
    "==": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_MIRRORED = {"==": "==", "!=": "!=", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _is_null(node: Node) -> bool:
    return isinstance(node, Literal) and node.value is None


def _is_value(node: Node) -> bool:
    return isinstance(node, Literal) and node.value is not None


# --------------------------------------------------------------------------- compiled closures


def compile_expr(node: Node) -> Compiled:
    """A function from a mapping of name -> value to the value of ``node``; a missing name is None."""
    if isinstance(node, Literal):
        return _constant(node.value)
    if isinstance(node, Name):
        return _read(node.name)
    if isinstance(node, Unary):
        return _compile_unary(node)
    if isinstance(node, In):
        return _compile_in(node)
    if node.op == "and":
        return _compile_and(compile_expr(node.left), compile_expr(node.right))
    if node.op == "or":
        return _compile_or(compile_expr(node.left), compile_expr(node.right))
    if node.op in ARITHMETIC:
        return _compile_arithmetic(_ARITHMETIC[node.op], compile_expr(node.left), compile_expr(node.right))
    return _compile_comparison(node.op, node.left, node.right)


def _constant(value: Value) -> Compiled:
    def constant(values: Mapping[str, Value]) -> Value:
        return value

    return constant


def _read(name: str) -> Compiled:
    def read(values: Mapping[str, Value]) -> Value:
        return values.get(name)

    return read


def _compile_unary(node: Unary) -> Compiled:
    operand = compile_expr(node.operand)
    if node.op == "not":

        def negation(values: Mapping[str, Value]) -> Value:
            value = operand(values)
            return None if value is None else not value

        return negation

    def minus(values: Mapping[str, Value]) -> Value:
        value = operand(values)
        if value is None:
            return None
        result = -value  # type: ignore[operator]
        return round(result, MAX_DECIMALS) if result.__class__ is float else result

    return minus


def _compile_in(node: In) -> Compiled:
    options = frozenset(option.value for option in node.options)
    negated = node.negated
    if isinstance(node.item, Name):
        name = node.item.name

        def name_in(values: Mapping[str, Value]) -> Value:
            value = values.get(name)
            return None if value is None else (value in options) != negated

        return name_in
    item = compile_expr(node.item)

    def member(values: Mapping[str, Value]) -> Value:
        value = item(values)
        return None if value is None else (value in options) != negated

    return member


def _compile_and(left: Compiled, right: Compiled) -> Compiled:
    def conjunction(values: Mapping[str, Value]) -> Value:
        a = left(values)
        if a is False:
            return False
        b = right(values)
        if b is False:
            return False
        return None if a is None or b is None else True

    return conjunction


def _compile_or(left: Compiled, right: Compiled) -> Compiled:
    def disjunction(values: Mapping[str, Value]) -> Value:
        a = left(values)
        if a is True:
            return True
        b = right(values)
        if b is True:
            return True
        return None if a is None or b is None else False

    return disjunction


def _compile_arithmetic(op: Callable, left: Compiled, right: Compiled) -> Compiled:
    def arithmetic(values: Mapping[str, Value]) -> Value:
        a = left(values)
        if a is None:
            return None
        b = right(values)
        if b is None:
            return None
        result = op(a, b)
        return round(result, MAX_DECIMALS) if result.__class__ is float else result

    return arithmetic


def _compile_comparison(spelling: str, left: Node, right: Node) -> Compiled:
    if spelling in EQUALITY and (_is_null(left) or _is_null(right)):
        return _null_test(right if _is_null(left) else left, spelling == "==")
    if isinstance(left, Name) and _is_value(right):
        return _name_vs_literal(_COMPARE[spelling], left.name, right.value)  # type: ignore[union-attr]
    if _is_value(left) and isinstance(right, Name):
        return _name_vs_literal(_COMPARE[_MIRRORED[spelling]], right.name, left.value)  # type: ignore[union-attr]
    if isinstance(left, Name) and isinstance(right, Name):
        return _name_vs_name(_COMPARE[spelling], left.name, right.name)
    return _comparison(_COMPARE[spelling], compile_expr(left), compile_expr(right))


def _null_test(node: Node, is_null: bool) -> Compiled:
    """``x == null`` (``is_null``) or ``x != null``: never unknown."""
    if isinstance(node, Name):
        name = node.name

        def name_is_null(values: Mapping[str, Value]) -> Value:
            return (values.get(name) is None) == is_null

        return name_is_null
    operand = compile_expr(node)

    def is_null_test(values: Mapping[str, Value]) -> Value:
        return (operand(values) is None) == is_null

    return is_null_test


def _name_vs_literal(op: Callable, name: str, literal: Value) -> Compiled:
    def name_vs_literal(values: Mapping[str, Value]) -> Value:
        value = values.get(name)
        return None if value is None else op(value, literal)

    return name_vs_literal


def _name_vs_name(op: Callable, left: str, right: str) -> Compiled:
    def name_vs_name(values: Mapping[str, Value]) -> Value:
        a = values.get(left)
        if a is None:
            return None
        b = values.get(right)
        return None if b is None else op(a, b)

    return name_vs_name


def _comparison(op: Callable, left: Compiled, right: Compiled) -> Compiled:
    def comparison(values: Mapping[str, Value]) -> Value:
        a = left(values)
        if a is None:
            return None
        b = right(values)
        return None if b is None else op(a, b)

    return comparison


# --------------------------------------------------------------------------- tracing


@dataclass(frozen=True)
class TraceNode(JsonForm):
    """One sub-expression with the value it had: ``names`` holds the names it reads directly."""

    text: str
    value: Value
    children: tuple["TraceNode", ...] = ()
    names: Mapping[str, Value] = field(default_factory=dict, hash=False)

    def to_dict(self, lang: str = "vi") -> dict:
        return {
            "expr": self.text,
            "value": self.value,
            "children": [child.to_dict(lang) for child in self.children],
        }


def trace(node: Node, values: Mapping[str, Value]) -> TraceNode:
    """Evaluate ``node`` recording every sub-expression's value, to explain a finding.

    Unlike the compiled form it evaluates both sides of ``and``/``or`` so that an
    explanation can show every number involved.
    """
    if isinstance(node, Literal):
        return TraceNode(_source(node), node.value)
    if isinstance(node, Name):
        value = values.get(node.name)
        return TraceNode(node.name, value, (), {node.name: value})
    kids = children(node)
    traced = tuple(trace(kid, values) for kid in kids)
    names = {kid.name: t.value for kid, t in zip(kids, traced) if isinstance(kid, Name)}
    value = _apply(node, [t.value for t in traced])
    return TraceNode(_source(node), value, traced, names)


_SOURCES: dict[int, tuple[Node, str]] = {}


def _source(node: Node) -> str:
    """``to_source(node)``, kept per node object: a policy's conditions are traced for every finding.
    (By identity, not equality: ``Literal(1)`` equals ``Literal(True)`` but reads differently.)"""
    found = _SOURCES.get(id(node))
    if found is not None and found[0] is node:
        return found[1]
    if len(_SOURCES) >= 20_000:  # trees traced once (tests, explain of a changed policy) do not pile up
        _SOURCES.clear()
    text = to_source(node)
    _SOURCES[id(node)] = (node, text)
    return text


def _apply(node: Node, args: Sequence[Value]) -> Value:
    """The value of an operator node given its operands' values."""
    if isinstance(node, Unary):
        return _not(args[0]) if node.op == "not" else _negate(args[0])
    if isinstance(node, In):
        return None if args[0] is None else (args[0] in [o.value for o in node.options]) != node.negated
    a, b = args
    if node.op == "and":
        return False if a is False or b is False else (None if a is None or b is None else True)
    if node.op == "or":
        return True if a is True or b is True else (None if a is None or b is None else False)
    if node.op in ARITHMETIC:
        return _arithmetic(node.op, a, b)
    if node.op in EQUALITY and (_is_null(node.left) or _is_null(node.right)):
        tested = b if _is_null(node.left) else a
        return (tested is None) == (node.op == "==")
    return None if a is None or b is None else _COMPARE[node.op](a, b)


def _not(value: Value) -> Value:
    return None if value is None else not value


def _negate(value: Value) -> Value:
    if value is None:
        return None
    result = -value  # type: ignore[operator]
    return round(result, MAX_DECIMALS) if isinstance(result, float) else result


def _arithmetic(op: str, a: Value, b: Value) -> Value:
    if a is None or b is None:
        return None
    result = _ARITHMETIC[op](a, b)
    return round(result, MAX_DECIMALS) if isinstance(result, float) else result

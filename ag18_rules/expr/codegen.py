"""Rule conditions as Python source, for the columnar evaluator: generated from the checked tree only.

A condition becomes one Python expression with the three-valued semantics of :mod:`.nodes`
(``None`` is *unknown*), equal to :func:`.evaluate.compile_expr`'s closures (a differential test
checks it).  The text is never a rule file's text: names are replaced by identifiers the caller
chooses (``slot``), operators come from fixed tables, and a literal is written with ``repr`` of a
value whose type has been checked (None, bool, int, finite float or str; ``repr`` of a str is a
Python string literal whatever it holds).  A membership list is a constant the caller binds
(``constant``), so no option text is written either.  Any other node or value raises
:class:`TypeError`: the generator refuses what it does not know instead of writing it.
"""
from __future__ import annotations

import math
from typing import Callable, Optional

from .nodes import ARITHMETIC, EQUALITY, Binary, In, Literal, Name, Node, Unary, Value

__all__ = ["Generator", "literal"]

_COMPARE = {"==": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
_ARITHMETIC = {"+": "+", "-": "-", "*": "*"}


def literal(value: Value) -> str:
    """The Python text of a checked literal value."""
    kind = type(value)
    if value is None or kind is bool or kind is int:
        return repr(value)
    if kind is float and math.isfinite(value):
        return repr(value)
    if kind is str:
        return repr(value)
    raise TypeError(f"not a literal of the rule language: {kind.__name__}")


class Generator:
    """Writes expressions for one generated function; temporaries are numbered per function.

    ``slot(name)`` gives the Python expression that reads a name (a local or a lookup); it must
    return text built from the caller's own identifiers.  ``constant(value)`` binds a value (a
    frozenset of options) in the function's namespace and returns its identifier.
    """

    def __init__(self, slot: Callable[[str], str], constant: Callable[[object], str], fix: str = "_fix",
                 nullable: Callable[[str], bool] = lambda name: True):
        self._slot = slot
        self._constant = constant
        self._nullable = nullable  # whether a name can read as None (unknown); when it cannot, no test is written
        self._fix = fix  # the function quantising a float result (see MAX_DECIMALS)
        self._temps = 0

    def _temp(self) -> str:
        self._temps += 1
        return f"_t{self._temps}"

    def expr(self, node: Node) -> str:
        """The Python expression of ``node``."""
        kind = type(node)
        if kind is Literal:
            return literal(node.value)
        if kind is Name:
            return self._slot(node.name)
        if kind is Unary:
            return self._unary(node)
        if kind is In:
            return self._member(node)
        if kind is Binary:
            if node.op == "and":
                return self._logical(node, False)
            if node.op == "or":
                return self._logical(node, True)
            if node.op in _ARITHMETIC:
                return self._arithmetic(node)
            if node.op in _COMPARE:
                return self._comparison(node)
        raise TypeError(f"not a node of the rule language: {kind.__name__}")

    def may_be_unknown(self, node: Node) -> bool:
        """Whether ``node`` can evaluate to None, from the names' types: a fact that always has a
        value makes the comparisons and connectives over it two-valued, written without tests."""
        kind = type(node)
        if kind is Literal:
            return node.value is None
        if kind is Name:
            return self._nullable(node.name)
        if kind is Unary:
            return self.may_be_unknown(node.operand)
        if kind is In:
            return self.may_be_unknown(node.item)
        if node.op in EQUALITY and (_is_null(node.left) or _is_null(node.right)):
            return False
        return self.may_be_unknown(node.left) or self.may_be_unknown(node.right)

    def _operand(self, node: Node) -> tuple[str, str]:
        """(binding, reference): a literal, or a name read as a local, needs no temporary."""
        text = self.expr(node)
        if type(node) is Literal or (type(node) is Name and text.isidentifier()):
            return text, text
        temp = self._temp()
        return f"({temp} := {text})", temp

    def _guard(self, *nodes: Node) -> tuple[Optional[str], list[str]]:
        """The test that makes an operation unknown (None: it cannot be), and each operand's
        reference; an operand that is the null literal makes it always unknown (the test is ``"True"``)."""
        if any(_is_null(node) for node in nodes):
            return "True", []
        tests, refs = [], []
        for node in nodes:
            if not self.may_be_unknown(node):
                refs.append(self.expr(node))
                continue
            bind, ref = self._operand(node)
            tests.append(f"{bind} is None")
            refs.append(ref)
        return (" or ".join(tests) or None), refs

    def _unary(self, node: Unary) -> str:
        guard, refs = self._guard(node.operand)
        if guard == "True":
            return "None"
        ref = refs[0]
        if node.op == "not":
            return f"(not {ref})" if guard is None else f"(None if {guard} else not {ref})"
        if node.op == "-":
            return f"{self._fix}(-{ref})" if guard is None else f"(None if {guard} else {self._fix}(-{ref}))"
        raise TypeError(f"not an operator of the rule language: {node.op!r}")

    def _member(self, node: In) -> str:
        for option in node.options:
            literal(option.value)  # checked like any literal, though bound rather than written
        name = self._constant(frozenset(option.value for option in node.options))
        guard, refs = self._guard(node.item)
        if guard == "True":
            return "None"
        test = f"({refs[0]} {'not in' if node.negated else 'in'} {name})"
        return test if guard is None else f"(None if {guard} else {test})"

    def _logical(self, node: Binary, short: bool) -> str:
        """Kleene's ``and`` (``short`` False) or ``or`` (True): the left side decides alone when it
        is ``short``; the right side is evaluated only otherwise, as the closures do."""
        if not self.may_be_unknown(node.left):  # two-valued on the left: Python's own and/or is Kleene's
            return f"({self.expr(node.left)} {'or' if short else 'and'} {self.expr(node.right)})"
        a, b = self._temp(), self._temp()
        s = "True" if short else "False"
        other = "False" if short else "True"
        left, right = self.expr(node.left), self.expr(node.right)
        return (f"({s} if ({a} := {left}) is {s} else ({s} if ({b} := {right}) is {s} else "
                f"(None if {a} is None or {b} is None else {other})))")

    def _arithmetic(self, node: Binary) -> str:
        guard, refs = self._guard(node.left, node.right)
        if guard == "True":
            return "None"
        value = f"{self._fix}({refs[0]} {_ARITHMETIC[node.op]} {refs[1]})"
        return value if guard is None else f"(None if {guard} else {value})"

    def _comparison(self, node: Binary) -> str:
        left, right = node.left, node.right
        if node.op in EQUALITY and (_is_null(left) or _is_null(right)):
            other = right if _is_null(left) else left
            if type(other) is Literal:  # decided now: a literal is null or it is not
                return repr((other.value is None) == (node.op == "=="))
            test = "is" if node.op == "==" else "is not"
            return f"({self.expr(other)} {test} None)"
        guard, refs = self._guard(left, right)
        if guard == "True":
            return "None"  # an ordering against null is unknown, whatever the other side
        value = f"({refs[0]} {_COMPARE[node.op]} {refs[1]})"
        return value if guard is None else f"(None if {guard} else {value})"


def _is_null(node: Node) -> bool:
    return type(node) is Literal and node.value is None


assert ARITHMETIC == tuple(_ARITHMETIC)

"""Syntax tree of the rule expression language.

Rule conditions are small boolean expressions over the facts of one entity and the rule's
parameters, e.g. ``type == 'internal_unit' and deputies <= cap``.  The tree is our own (no
third-party node crosses a module boundary), immutable, and every node knows its offset in the
source text so that diagnostics point at the exact character.

Semantics (shared by every backend): values are ``int``, ``float``, ``str``, ``bool`` or
``None`` (a fact or parameter with no value).  Arithmetic and ordering comparisons with a
``None`` operand are *unknown* (``None``); ``== null`` and ``!= null`` test for absence and are
never unknown; ``and``/``or``/``not`` follow Kleene's three-valued logic.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Union

Value = Union[int, float, str, bool, None]

ARITHMETIC = ("+", "-", "*")
ORDERING = ("<", "<=", ">", ">=")
EQUALITY = ("==", "!=")
LOGICAL = ("and", "or")


@dataclass(frozen=True)
class Literal:
    value: Value
    pos: int = 0


@dataclass(frozen=True)
class Name:
    """A fact of the entity, or a parameter alias declared by the rule."""

    name: str
    pos: int = 0


@dataclass(frozen=True)
class Unary:
    op: str  # "-" or "not"
    operand: "Node"
    pos: int = 0


@dataclass(frozen=True)
class Binary:
    op: str  # one of ARITHMETIC, ORDERING, EQUALITY, LOGICAL
    left: "Node"
    right: "Node"
    pos: int = 0


@dataclass(frozen=True)
class In:
    """``item in [lit, ...]`` or ``item not in [...]``: membership in a literal list."""

    item: "Node"
    options: tuple[Literal, ...]
    negated: bool = False
    pos: int = 0


Node = Union[Literal, Name, Unary, Binary, In]


def names(node: Node) -> frozenset[str]:
    """Every name the expression reads."""
    if isinstance(node, Name):
        return frozenset((node.name,))
    if isinstance(node, Unary):
        return names(node.operand)
    if isinstance(node, Binary):
        return names(node.left) | names(node.right)
    if isinstance(node, In):
        return names(node.item)
    return frozenset()


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Unary):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, In):
        return (node.item,)
    return ()


def to_source(node: Node) -> str:
    """Canonical text of an expression (fully parenthesised where it matters)."""
    if isinstance(node, Literal):
        if node.value is None:
            return "null"
        if isinstance(node.value, bool):
            return "true" if node.value else "false"
        if isinstance(node.value, str):
            return "'" + node.value.replace("\\", "\\\\").replace("'", "\\'") + "'"
        return repr(node.value)
    if isinstance(node, Name):
        return node.name
    if isinstance(node, Unary):
        inner = to_source(node.operand)
        if not isinstance(node.operand, (Literal, Name)):
            inner = f"({inner})"
        return f"not {inner}" if node.op == "not" else f"-{inner}"
    if isinstance(node, In):
        opts = ", ".join(to_source(o) for o in node.options)
        return f"{_wrap(node.item)} {'not in' if node.negated else 'in'} [{opts}]"
    assert isinstance(node, Binary)
    return f"{_wrap(node.left)} {node.op} {_wrap(node.right)}"


def _wrap(node: Node) -> str:
    text = to_source(node)
    # ``not`` binds more loosely than comparisons and arithmetic: ``(not a) == b`` needs its
    # parentheses, or it would read back as ``not (a == b)``.
    loose = isinstance(node, (Binary, In)) or (isinstance(node, Unary) and node.op == "not")
    return f"({text})" if loose else text

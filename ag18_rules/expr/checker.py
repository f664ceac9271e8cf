"""Type checker for rule conditions.

Runs once per rule when the rule set is compiled, against the types of the facts and
parameters the rule may read, and reports *every* problem at once (an officer fixing a rule
file should see all of them in one run).  A sub-expression that already has an error gets the
type ``unknown``, which silences follow-on errors about the same mistake.
"""
from __future__ import annotations

import difflib
from typing import Mapping, Optional

from ..errors import Text
from .lexer import ExprError
from .nodes import ARITHMETIC, LOGICAL, ORDERING, Binary, In, Literal, Name, Node, Unary, Value, to_source
from .types import BOOL, INT, NUMBER, STRING, Type

__all__ = ["check"]

UNKNOWN = Type("unknown", nullable=True)  # the type of a sub-expression that has an error

_KIND = {
    "int": Text("số nguyên", "a whole number"),
    "number": Text("số", "a number"),
    "bool": Text("giá trị đúng/sai", "true/false"),
    "string": Text("chuỗi ký tự", "text"),
}
_KEYWORD_SPELLINGS = {"true": "true", "false": "false", "null": "null", "none": "null"}


def check(node: Node, env: Mapping[str, Type], *, want_bool: bool = True) -> tuple[Type, list[ExprError]]:
    """The type of ``node`` over the names in ``env``, and every problem found, sorted by position.

    When the list of problems is not empty the type is a best guess, possibly ``unknown``.
    """
    checker = _Checker(env)
    result = checker.visit(node)
    if want_bool and result is not UNKNOWN and result.base != "bool":
        checker.report("expr-not-condition", _not_condition(node, result), node.pos)
    return result, sorted(checker.errors, key=lambda e: (e.pos, e.code, e.message.en))


class _Checker:
    """One walk over the tree, collecting errors instead of stopping at the first."""

    def __init__(self, env: Mapping[str, Type]):
        self.env = env
        self.errors: list[ExprError] = []

    def report(self, code: str, message: Text, pos: int) -> None:
        self.errors.append(ExprError(code, message, pos))

    def visit(self, node: Node) -> Type:
        if isinstance(node, Literal):
            return self._literal(node)
        if isinstance(node, Name):
            return self._name(node)
        if isinstance(node, Unary):
            return self._unary(node)
        if isinstance(node, In):
            return self._membership(node)
        if node.op in LOGICAL:
            return self._logical(node)
        if node.op in ARITHMETIC:
            return self._arithmetic(node)
        if node.op in ORDERING:
            return self._ordering(node)
        return self._equality(node)

    # -- leaves

    def _literal(self, node: Literal) -> Type:
        if node.value is None:  # a null outside '== null' / '!= null'
            self.report("expr-null-misuse", _NULL_MISUSE, node.pos)
            return UNKNOWN
        return _literal_type(node.value)

    def _name(self, node: Name) -> Type:
        found = self.env.get(node.name)
        if found is None:
            self.report("expr-unknown-name", _unknown_name(node.name, self.env), node.pos)
            return UNKNOWN
        return found

    # -- operators

    def _unary(self, node: Unary) -> Type:
        operand = self.visit(node.operand)
        if node.op == "not":
            self._want_bool(node.op, node.operand, operand)
            return Type("bool", operand.nullable)
        if not self._want_number(node.op, node.operand, operand) or operand is UNKNOWN:
            return UNKNOWN
        return Type(operand.base, operand.nullable)

    def _arithmetic(self, node: Binary) -> Type:
        left, right = self.visit(node.left), self.visit(node.right)
        left_ok = self._want_number(node.op, node.left, left)
        right_ok = self._want_number(node.op, node.right, right)
        if not (left_ok and right_ok) or left is UNKNOWN or right is UNKNOWN:
            return UNKNOWN
        base = "int" if left.base == right.base == "int" else "number"
        return Type(base, left.nullable or right.nullable)

    def _ordering(self, node: Binary) -> Type:
        left, right = self.visit(node.left), self.visit(node.right)
        self._want_number(node.op, node.left, left)
        self._want_number(node.op, node.right, right)
        return Type("bool", left.nullable or right.nullable)

    def _equality(self, node: Binary) -> Type:
        if _is_null(node.left) or _is_null(node.right):
            other = node.right if _is_null(node.left) else node.left
            if not _is_null(other):
                self.visit(other)
            return BOOL  # a test for absence is never unknown
        left, right = self.visit(node.left), self.visit(node.right)
        if left is not UNKNOWN and right is not UNKNOWN:
            if not _comparable(left, right):
                self.report("expr-type-mismatch", _mismatch(node, left, right), node.pos)
            else:
                self._want_choice(node.left, left, node.right)
                self._want_choice(node.right, right, node.left)
        return Type("bool", left.nullable or right.nullable)

    def _logical(self, node: Binary) -> Type:
        left, right = self.visit(node.left), self.visit(node.right)
        self._want_bool(node.op, node.left, left)
        self._want_bool(node.op, node.right, right)
        return Type("bool", left.nullable or right.nullable)

    def _membership(self, node: In) -> Type:
        item = self.visit(node.item)
        if item is not UNKNOWN:
            for option in node.options:
                if not _comparable(item, _literal_type(option.value)):
                    self.report("expr-list-type", _list_mismatch(node.item, item, option), option.pos)
                else:
                    self._want_choice(node.item, item, option)
        return Type("bool", item.nullable)

    # -- requirements on operands

    def _want_number(self, op: str, operand: Node, found: Type) -> bool:
        if found is UNKNOWN or found.numeric:
            return True
        kind, src = _KIND[found.base], _short(operand)
        self.report(
            "expr-not-numeric",
            Text(
                f"Phép '{op}' chỉ dùng với số, nhưng {src} là {kind.vi}.",
                f"'{op}' works only with numbers, but {src} is {kind.en}.",
            ),
            operand.pos,
        )
        return False

    def _want_bool(self, op: str, operand: Node, found: Type) -> None:
        if found is UNKNOWN or found.base == "bool":
            return
        kind, src = _KIND[found.base], _short(operand)
        hint = _compare_hint(operand, found)
        self.report(
            "expr-not-bool",
            Text(
                f"Phép '{op}' cần giá trị đúng/sai, nhưng {src} là {kind.vi}.{hint.vi}",
                f"'{op}' needs a true/false value, but {src} is {kind.en}.{hint.en}",
            ),
            operand.pos,
        )

    def _want_choice(self, side: Node, found: Type, other: Node) -> None:
        """A text literal compared with an enumerated name must be one of its choices."""
        if not (found.choices and isinstance(other, Literal) and isinstance(other.value, str)):
            return
        if other.value in found.choices:
            return
        self.report("expr-unknown-choice", _unknown_choice(other.value, side, found), other.pos)


# --------------------------------------------------------------------------- helpers


def _literal_type(value: Value) -> Type:
    if isinstance(value, bool):
        return BOOL
    if isinstance(value, int):
        return INT
    if isinstance(value, float):
        return NUMBER
    return STRING


def _is_null(node: Node) -> bool:
    return isinstance(node, Literal) and node.value is None


def _comparable(a: Type, b: Type) -> bool:
    return (a.numeric and b.numeric) or a.base == b.base


def _short(node: Node, limit: int = 40) -> str:
    """The node's source for a message, quoted once and cut short if long."""
    text = to_source(node)
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return text if isinstance(node, Literal) and isinstance(node.value, str) else f"'{text}'"


def _closest(word: str, candidates) -> Optional[str]:
    matches = difflib.get_close_matches(word, sorted(candidates), n=1)
    return matches[0] if matches else None


def _did_you_mean(suggestion: Optional[str]) -> Text:
    if suggestion is None:
        return Text("", "")
    return Text(f" Có phải bạn muốn viết '{suggestion}'?", f" Did you mean '{suggestion}'?")


def _compare_hint(node: Node, found: Type) -> Text:
    if not found.numeric:
        return Text("", "")
    example = f"'{to_source(node)} > 0'"
    return Text(f" Hãy so sánh, ví dụ {example}.", f" Compare it with something, e.g. {example}.")


_NULL_MISUSE = Text(
    "Chỉ dùng null để kiểm tra thiếu giá trị: 'x == null' hoặc 'x != null'.",
    "null can only be used to test for a missing value: 'x == null' or 'x != null'.",
)


def _unknown_name(name: str, env: Mapping[str, Type]) -> Text:
    keyword = _KEYWORD_SPELLINGS.get(name.lower())
    suggestion = keyword if keyword and keyword != name else _closest(name, env)
    hint = _did_you_mean(suggestion)
    return Text(
        f"Không có dữ kiện hay tham số nào tên là '{name}'.{hint.vi}",
        f"Unknown name '{name}': no fact or parameter is called that.{hint.en}",
    )


def _unknown_choice(value: str, side: Node, found: Type) -> Text:
    src = _short(side)
    suggestion = _closest(value, found.choices)
    if suggestion is not None:
        hint = _did_you_mean(suggestion)
    else:
        listed = ", ".join(f"'{c}'" for c in found.choices)
        hint = Text(f" Các giá trị hợp lệ: {listed}.", f" Possible values: {listed}.")
    return Text(
        f"'{value}' không phải là giá trị hợp lệ của {src}.{hint.vi}",
        f"'{value}' is not a possible value of {src}.{hint.en}",
    )


def _mismatch(node: Binary, left: Type, right: Type) -> Text:
    lk, rk = _KIND[left.base], _KIND[right.base]
    ls, rs = _short(node.left), _short(node.right)
    hint = Text("", "")
    for side, other in ((node.left, right), (node.right, left)):
        if other.numeric and isinstance(side, Literal) and _looks_numeric(side.value):
            hint = Text(f" Hãy bỏ dấu nháy quanh {side.value}.", f" Remove the quotes around {side.value}.")
    return Text(
        f"Không thể so sánh {ls} ({lk.vi}) với {rs} ({rk.vi}).{hint.vi}",
        f"{ls} ({lk.en}) cannot be compared with {rs} ({rk.en}).{hint.en}",
    )


def _looks_numeric(value: Value) -> bool:
    return isinstance(value, str) and value.replace(".", "", 1).isdigit()


def _list_mismatch(item: Node, found: Type, option: Literal) -> Text:
    kind, item_kind = _KIND[_literal_type(option.value).base], _KIND[found.base]
    src, value = _short(item), to_source(option)
    return Text(
        f"Giá trị {value} trong danh sách là {kind.vi}, nhưng {src} là {item_kind.vi}.",
        f"The list value {value} is {kind.en}, but {src} is {item_kind.en}.",
    )


def _not_condition(node: Node, found: Type) -> Text:
    kind, hint = _KIND[found.base], _compare_hint(node, found)
    return Text(
        f"Điều kiện phải cho kết quả đúng hoặc sai, nhưng biểu thức này cho ra {kind.vi}.{hint.vi}",
        f"A condition must be true or false, but this expression gives {kind.en}.{hint.en}",
    )

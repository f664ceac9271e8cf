"""Recursive-descent parser for rule conditions.

Conditions are written by policy officers, so every syntax problem becomes an
:class:`ExprError` with a code, the offset of the offending character and a message in
Vietnamese and English that says how to fix it.  The language is deliberately small (no
division, no exponents, literal lists only) so that every backend evaluates it identically;
Python's own ``eval``/``ast`` are never involved.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from ..errors import Text
from .lexer import KEYWORDS, ExprError, Token, tokenize
from .nodes import EQUALITY, ORDERING, Binary, In, Literal, Name, Node, Unary, children, to_source

__all__ = ["ExprError", "parse", "MAX_LENGTH", "MAX_DEPTH"]

MAX_LENGTH = 2000
MAX_DEPTH = 50  # operators and parentheses nested inside one another
COMPARISONS = EQUALITY + ORDERING


def parse(text: str) -> Node:
    """The syntax tree of one expression; the first problem found raises :class:`ExprError`."""
    if len(text) > MAX_LENGTH:
        raise ExprError(
            "expr-too-long",
            Text(
                f"Biểu thức dài {len(text)} ký tự, vượt giới hạn {MAX_LENGTH} ký tự; hãy tách "
                "thành nhiều phép kiểm tra.",
                f"The expression is {len(text)} characters long, over the limit of "
                f"{MAX_LENGTH}; split it into several checks.",
            ),
            MAX_LENGTH,
        )
    if not text.strip():
        raise ExprError("expr-empty", Text("Điều kiện đang để trống.", "The condition is empty."), 0)
    node = _Parser(tokenize(text)).parse()
    _check_depth(node)
    return node


def _too_deep(pos: int) -> ExprError:
    return ExprError(
        "expr-too-deep",
        Text(
            f"Biểu thức lồng nhau quá {MAX_DEPTH} cấp; hãy đơn giản hóa hoặc tách thành nhiều "
            "phép kiểm tra.",
            f"The expression is nested more than {MAX_DEPTH} levels deep; simplify it or split "
            "it into several checks.",
        ),
        pos,
    )


def _check_depth(root: Node) -> None:
    """Reject trees with more than MAX_DEPTH nested operators, so no later walk recurses too far.

    Long left-associative chains (``a + a + ...``) are built by loops in the parser, so the
    parser's own nesting guard cannot see them; this walk is iterative for the same reason.
    """
    too_deep = []
    stack = [(root, 0)]
    while stack:
        node, above = stack.pop()
        kids = children(node)
        if kids and above + 1 > MAX_DEPTH:
            too_deep.append(node.pos)
        stack.extend((kid, above + 1) for kid in kids)
    if too_deep:
        raise _too_deep(min(too_deep))


class _Parser:
    """Recursive descent over the token list, one method per grammar rule."""

    def __init__(self, tokens: list[Token]):
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def parse(self) -> Node:
        node = self._or()
        token = self._peek()
        if token.kind != "end":
            raise self._trailing(token)
        return node

    # -- helpers

    def _peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.i + ahead, len(self.tokens) - 1)]

    def _next(self) -> Token:
        token = self._peek()
        self.i += 1
        return token

    @contextmanager
    def _nested(self, token: Token) -> Iterator[None]:
        """Count one level of parentheses or prefix operators, refusing to go past MAX_DEPTH."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _too_deep(token.pos)
        yield
        self.depth -= 1

    def _at_comparison(self) -> bool:
        token = self._peek()
        return (
            token.is_op(*COMPARISONS)
            or token.is_kw("in")
            or (token.is_kw("not") and self._peek(1).is_kw("in"))
        )

    # -- grammar

    def _or(self) -> Node:
        node = self._and()
        while self._peek().is_kw("or"):
            token = self._next()
            node = Binary("or", node, self._and(), token.pos)
        return node

    def _and(self) -> Node:
        node = self._not()
        while self._peek().is_kw("and"):
            token = self._next()
            node = Binary("and", node, self._not(), token.pos)
        return node

    def _not(self) -> Node:
        token = self._peek()
        if not token.is_kw("not"):
            return self._compare()
        self._next()
        with self._nested(token):
            return Unary("not", self._not(), token.pos)

    def _compare(self) -> Node:
        left = self._sum()
        if not self._at_comparison():
            return left
        token = self._next()
        if token.kind == "kw":
            node: Node = self._membership(left, token)
        else:
            node = Binary(str(token.value), left, self._sum(), token.pos)
        if self._at_comparison():
            raise self._chained(node)
        return node

    def _membership(self, item: Node, token: Token) -> In:
        negated = token.is_kw("not")
        if negated:
            self._next()  # the 'in' that _at_comparison saw
        return In(item, self._list(), negated, token.pos)

    def _sum(self) -> Node:
        node = self._product()
        while self._peek().is_op("+", "-"):
            token = self._next()
            node = Binary(str(token.value), node, self._product(), token.pos)
        return node

    def _product(self) -> Node:
        node = self._unary()
        while self._peek().is_op("*"):
            token = self._next()
            node = Binary("*", node, self._unary(), token.pos)
        return node

    def _unary(self) -> Node:
        token = self._peek()
        if not token.is_op("-"):
            return self._primary()
        self._next()
        if self._peek().kind == "num":  # a negative number is one literal, as in lists
            return Literal(-self._next().value, token.pos)  # type: ignore[operator]
        with self._nested(token):
            return Unary("-", self._unary(), token.pos)

    def _primary(self) -> Node:
        token = self._next()
        if token.kind in ("num", "str"):
            return Literal(token.value, token.pos)
        if token.kind == "name":
            return Name(str(token.value), token.pos)
        if token.kind == "kw" and token.value in ("true", "false", "null"):
            return Literal({"true": True, "false": False, "null": None}[token.value], token.pos)
        if token.is_op("("):
            with self._nested(token):
                node = self._or()
            self._close(token, ")")
            return node
        raise self._expected_value(token)

    def _close(self, opening: Token, closing: str) -> None:
        token = self._next()
        if token.is_op(closing):
            return
        if token.kind == "end":
            raise _unclosed(opening, closing)
        raise ExprError(
            "expr-unexpected",
            Text(
                f"Cần '{closing}' hoặc một phép toán nhưng gặp {token.shown().vi}.",
                f"Expected '{closing}' or an operator, found {token.shown().en}.",
            ),
            token.pos,
        )

    def _list(self) -> tuple[Literal, ...]:
        opening = self._next()
        if not opening.is_op("["):
            raise ExprError(
                "expr-list",
                Text(
                    "Sau 'in' phải là một danh sách trong ngoặc vuông, ví dụ "
                    "status in ['dissolved', 'merged_away'].",
                    "'in' must be followed by a list in square brackets, e.g. "
                    "status in ['dissolved', 'merged_away'].",
                ),
                opening.pos,
            )
        if self._peek().is_op("]"):
            raise ExprError(
                "expr-empty-list",
                Text("Danh sách đang trống; cần ít nhất một giá trị.", "The list is empty; it needs at least one value."),
                opening.pos,
            )
        options = []
        while True:
            options.append(self._list_item(opening))
            token = self._next()
            if token.is_op(","):
                if self._peek().is_op("]"):
                    self._next()
                    return tuple(options)
                continue
            if token.is_op("]"):
                return tuple(options)
            if token.kind == "end":
                raise _unclosed(opening, "]")
            raise ExprError(
                "expr-unexpected",
                Text(
                    f"Cần ',' hoặc ']' trong danh sách nhưng gặp {token.shown().vi}.",
                    f"Expected ',' or ']' in the list, found {token.shown().en}.",
                ),
                token.pos,
            )

    def _list_item(self, opening: Token) -> Literal:
        token = self._next()
        if token.kind in ("num", "str") or token.is_kw("true") or token.is_kw("false"):
            return Literal(token.value if token.kind != "kw" else token.value == "true", token.pos)
        if token.is_op("-") and self._peek().kind == "num":
            return Literal(-self._next().value, token.pos)  # type: ignore[operator]
        if token.kind == "end":
            raise _unclosed(opening, "]")
        raise ExprError("expr-list-literal", _not_a_list_value(token), token.pos)

    # -- errors that need context

    def _expected_value(self, token: Token) -> ExprError:
        if token.kind == "end":
            return ExprError(
                "expr-unexpected",
                Text(
                    "Biểu thức kết thúc quá sớm; còn thiếu một giá trị ở cuối.",
                    "The expression ends too early; a value is missing at the end.",
                ),
                token.pos,
            )
        if token.is_op(")", "]"):
            return _unmatched(token)
        return ExprError(
            "expr-unexpected",
            Text(
                "Cần một giá trị (tên, số, chuỗi trong dấu nháy, true, false hoặc null) nhưng "
                f"gặp {token.shown().vi}.",
                "Expected a value (a name, a number, text in quotes, true, false or null), "
                f"found {token.shown().en}.",
            ),
            token.pos,
        )

    def _trailing(self, token: Token) -> ExprError:
        if token.is_op(")", "]"):
            return _unmatched(token)
        word = str(token.value).lower() if token.kind == "name" else ""
        if word in KEYWORDS:
            return ExprError(
                "expr-trailing",
                Text(
                    f"Từ khóa phải viết thường: hãy viết '{word}' thay cho '{token.text}'.",
                    f"Keywords are written in lower case: write '{word}' rather than '{token.text}'.",
                ),
                token.pos,
            )
        return ExprError(
            "expr-trailing",
            Text(
                f"Thừa {token.shown().vi} sau một biểu thức đã hoàn chỉnh; có phải thiếu 'and' "
                "hoặc 'or'?",
                f"Unexpected {token.shown().en} after a complete expression; is an 'and' or "
                "'or' missing?",
            ),
            token.pos,
        )

    def _chained(self, first: Node) -> ExprError:
        token = self._next()
        example = "a < b and b < c"
        if isinstance(first, Binary) and token.kind == "op":
            try:
                third = to_source(self._sum())
                example = f"{to_source(first)} and {to_source(first.right)} {token.value} {third}"
            except ExprError:
                pass  # the rest is malformed too; the generic example still helps
        return ExprError(
            "expr-chained-comparison",
            Text(
                "Không được viết liền nhiều phép so sánh; hãy tách ra và nối bằng 'and', "
                f"ví dụ '{example}'.",
                f"Comparisons cannot be chained; write them separately joined by 'and', e.g. '{example}'.",
            ),
            token.pos,
        )


def _unclosed(opening: Token, closing: str) -> ExprError:
    return ExprError(
        "expr-unbalanced",
        Text(
            f"Dấu '{opening.text}' này chưa được đóng; hãy thêm '{closing}'.",
            f"This '{opening.text}' is never closed; add '{closing}'.",
        ),
        opening.pos,
    )


def _unmatched(token: Token) -> ExprError:
    opening = "(" if token.value == ")" else "["
    return ExprError(
        "expr-unbalanced",
        Text(
            f"Dấu '{token.text}' này không có dấu '{opening}' tương ứng.",
            f"This '{token.text}' has no matching '{opening}'.",
        ),
        token.pos,
    )


def _not_a_list_value(token: Token) -> Text:
    if token.kind == "name":
        return Text(
            f"Danh sách chỉ chứa giá trị cố định; '{token.text}' là một tên. Nếu đó là chuỗi "
            f"ký tự, hãy đặt trong dấu nháy: '{token.text}'.",
            f"A list may contain only fixed values; '{token.text}' is a name. If it is text, "
            f"put it in quotes: '{token.text}'.",
        )
    if token.is_kw("null"):
        return Text(
            "Danh sách không chứa được null; hãy viết 'x == null or x in [...]'.",
            "null cannot be in a list; write 'x == null or x in [...]'.",
        )
    return Text(
        f"Danh sách chỉ chứa giá trị cố định (số, chuỗi trong dấu nháy, true, false), không "
        f"chứa {token.shown().vi}.",
        f"A list may contain only fixed values (numbers, text in quotes, true, false), not "
        f"{token.shown().en}.",
    )

"""Tokenizer for rule conditions, and the error every phase of the language raises.

Most mistakes an officer makes are visible at this level (``=`` for ``==``, ``/``, ``&&``,
``1e5``, a curly quote, an accented name), so each gets its own code and a message saying
how to write it instead.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Optional

from ..errors import Ag18Error, Diagnostic, Span, Text
from .nodes import Value

__all__ = ["ExprError", "KEYWORDS", "MAX_DECIMALS", "Token", "tokenize"]

MAX_DECIMALS = 4  # values are quantised to 4 decimals on every backend
MAX_MAGNITUDE = 10**15  # below 2**53, so every backend holds the number exactly
KEYWORDS = frozenset({"and", "or", "not", "in", "true", "false", "null"})


class ExprError(Ag18Error):
    """One syntax or type problem in an expression; ``pos`` is the 0-based offset in its text."""

    def __init__(self, code: str, message: Text, pos: int):
        super().__init__(f"{code} at {pos}: {message.en}")
        self.code = code
        self.message = message
        self.pos = pos

    def __repr__(self) -> str:
        return f"ExprError({self.code!r}, pos={self.pos}, {self.message.en!r})"

    def diagnostic(self, span: Span, path: str = "", source_line: Optional[str] = None) -> Diagnostic:
        """This problem as a diagnostic, given ``span``: where the expression text starts."""
        return Diagnostic(self.code, self.message, span.shifted(self.pos), path, source_line)


# --------------------------------------------------------------------------- tokens


@dataclass(frozen=True)
class Token:
    """One word, number, text or operator of an expression, with where it starts."""

    kind: str  # num | str | name | kw | op | end
    value: Value  # the number or text; for kw and op, the spelling
    pos: int
    text: str  # as written

    def is_op(self, *spellings: str) -> bool:
        return self.kind == "op" and self.value in spellings

    def is_kw(self, word: str) -> bool:
        return self.kind == "kw" and self.value == word

    def shown(self) -> Text:
        """How the token is named in a message."""
        if self.kind == "end":
            return Text("cuối biểu thức", "the end of the expression")
        return Text(f"'{self.text}'", f"'{self.text}'")


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_NUMBER = re.compile(r"[0-9]+(?:\.[0-9]+)?")
_EXPONENT = re.compile(r"[0-9.]*[eE][+-]?[0-9]+")
_NUMBER_RUN = re.compile(r"[0-9A-Za-z_.]+")  # what a malformed number looks like
_OPERATORS = frozenset(("==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "(", ")", "[", "]", ","))
_ESCAPES = ("\\", "'", '"')


def _instead(spelling: str, good: str) -> tuple[str, Text]:
    return "expr-operator", Text(
        f"Không dùng '{spelling}' trong điều kiện; hãy viết '{good}'.",
        f"'{spelling}' is not an operator here; write '{good}'.",
    )


# Spellings people bring from spreadsheets, C or Python, each with its fix.
_MISUSED: dict[str, tuple[str, Text]] = {
    "&&": _instead("&&", "and"),
    "||": _instead("||", "or"),
    "<>": _instead("<>", "!="),
    "=>": _instead("=>", ">="),
    "=<": _instead("=<", "<="),
    "**": (
        "expr-operator",
        Text(
            "Không hỗ trợ lũy thừa; hãy viết thành phép nhân, ví dụ 'x * x'.",
            "Powers are not supported; write the multiplication out, e.g. 'x * x'.",
        ),
    ),
    "=": (
        "expr-assign",
        Text(
            "Không dùng '=' trong điều kiện; để so sánh bằng, hãy viết '=='.",
            "'=' cannot be used in a condition; did you mean '==' (is equal to)?",
        ),
    ),
    "/": (
        "expr-division",
        Text(
            "Không hỗ trợ phép chia. Hãy nhân cả hai vế: viết 'a * 100 <= b * 30' thay cho "
            "'a / b <= 0.3'.",
            "Division is not supported. Multiply both sides instead: write "
            "'a * 100 <= b * 30' rather than 'a / b <= 0.3'.",
        ),
    ),
    "%": (
        "expr-operator",
        Text(
            "Không dùng '%'; hãy viết tỉ lệ phần trăm dưới dạng số, ví dụ 10 thay cho 10%.",
            "'%' is not supported; write a percentage as a plain number, e.g. 10 for 10%.",
        ),
    ),
    "!": _instead("!", "not"),
    "&": _instead("&", "and"),
    "|": _instead("|", "or"),
    "≤": _instead("≤", "<="),
    "≥": _instead("≥", ">="),
    "≠": _instead("≠", "!="),
}


def tokenize(text: str) -> list[Token]:
    """Split ``text`` into tokens; the first malformed one raises :class:`ExprError`."""
    tokens = []
    i = 0
    while i < len(text):
        char = text[i]
        if char.isspace():
            i += 1
            continue
        if char in "'\"":
            token = _read_string(text, i)
        elif "0" <= char <= "9":
            token = _read_number(text, i)
        elif _NAME.match(text, i):
            token = _read_word(text, i)
        else:
            token = _read_operator(text, i)
        tokens.append(token)
        i += len(token.text)
    tokens.append(Token("end", None, len(text), ""))
    return tokens


def _read_word(text: str, i: int) -> Token:
    word = _NAME.match(text, i).group()  # type: ignore[union-attr]
    return Token("kw" if word in KEYWORDS else "name", word, i, word)


def _read_operator(text: str, i: int) -> Token:
    two, one = text[i : i + 2], text[i]
    for spelling in (two, one):
        if spelling in _OPERATORS:
            return Token("op", spelling, i, spelling)
        if spelling in _MISUSED:
            raise ExprError(*_MISUSED[spelling], i)
    raise _bad_char(text, i)


def _bad_char(text: str, i: int) -> ExprError:
    char = text[i]
    if char == "." and "0" <= text[i + 1 : i + 2] <= "9":
        return ExprError(
            "expr-bad-number",
            Text(
                "Số phải có chữ số trước dấu chấm thập phân, ví dụ 0.5 thay cho .5.",
                "A number needs a digit before the decimal point, e.g. 0.5 rather than .5.",
            ),
            i,
        )
    return ExprError("expr-bad-char", _bad_char_message(char), i)


def _bad_char_message(char: str) -> Text:
    if char in "‘’“”":
        return Text(
            f"Ký tự '{char}' không hợp lệ; hãy dùng dấu nháy thẳng ' hoặc \" quanh chuỗi ký tự.",
            f"Unexpected character '{char}'; put text between straight quotes ' or \".",
        )
    if char.isalpha():
        return Text(
            f"Ký tự '{char}' không hợp lệ; tên chỉ gồm chữ cái không dấu, chữ số và dấu '_'.",
            f"Unexpected character '{char}'; names contain only unaccented letters, digits and '_'.",
        )
    return Text(f"Ký tự '{char}' không hợp lệ ở đây.", f"Unexpected character '{char}'.")


def _read_number(text: str, i: int) -> Token:
    written = _NUMBER.match(text, i).group()
    end = i + len(written)
    exponent = _EXPONENT.match(text, i)
    if exponent and exponent.end() > end:
        raise ExprError("expr-exponent", _exponent_message(exponent.group()), i)
    if end < len(text) and _NUMBER_RUN.match(text, end):
        bad = _NUMBER_RUN.match(text, i).group()
        raise ExprError(
            "expr-bad-number",
            Text(
                f"'{bad}' không phải là số hợp lệ; hãy viết các chữ số, có thể kèm dấu chấm "
                "thập phân, ví dụ 10 hoặc 10.5.",
                f"'{bad}' is not a valid number; write digits with an optional decimal point, "
                "e.g. 10 or 10.5.",
            ),
            i,
        )
    return Token("num", _number_value(written, i), i, written)


def _exponent_message(written: str) -> Text:
    return Text(
        f"Không hỗ trợ số viết dạng lũy thừa như '{written}'; hãy viết đầy đủ các chữ số, "
        "ví dụ 100000 thay cho 1e5.",
        f"Numbers with an exponent such as '{written}' are not supported; write all the "
        "digits, e.g. 100000 rather than 1e5.",
    )


def _number_value(written: str, pos: int) -> Value:
    whole, _, decimals = written.partition(".")
    if len(decimals.rstrip("0")) > MAX_DECIMALS:
        raise ExprError(
            "expr-precision",
            Text(
                f"'{written}' có hơn {MAX_DECIMALS} chữ số thập phân; mọi giá trị được làm tròn "
                f"đến {MAX_DECIMALS} chữ số thập phân nên chỉ viết tối đa {MAX_DECIMALS} chữ số.",
                f"'{written}' has more than {MAX_DECIMALS} decimal places; values are rounded "
                f"to {MAX_DECIMALS} decimals, so write at most {MAX_DECIMALS}.",
            ),
            pos,
        )
    value = float(written) if decimals else int(whole)
    if abs(value) >= MAX_MAGNITUDE:
        raise ExprError(
            "expr-number-too-large",
            Text(
                f"Số '{written}' quá lớn; phần nguyên chỉ được có tối đa 15 chữ số.",
                f"'{written}' is too large; a number may have at most 15 digits before the "
                "decimal point.",
            ),
            pos,
        )
    return value


def _read_string(text: str, start: int) -> Token:
    quote = text[start]
    chars = []
    i = start + 1
    while i < len(text):
        char = text[i]
        if char == quote:
            return Token("str", "".join(chars), start, text[start : i + 1])
        if char == "\\":
            escaped = text[i + 1 : i + 2]
            if escaped and escaped not in _ESCAPES:
                raise ExprError(
                    "expr-bad-escape",
                    Text(
                        f"Ký tự thoát '\\{escaped}' không hợp lệ; trong chuỗi chỉ dùng được "
                        "\\\\, \\' và \\\".",
                        f"Unknown escape '\\{escaped}' in text; only \\\\, \\' and \\\" are allowed.",
                    ),
                    i,
                )
            char = escaped
            i += 1
        chars.append(char)
        i += 1
    raise ExprError(
        "expr-unterminated-string",
        Text(
            f"Chuỗi ký tự này chưa được đóng; hãy thêm dấu nháy {quote} ở cuối.",
            f"This text is never closed; add the closing quote {quote}.",
        ),
        start,
    )

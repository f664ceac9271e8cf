"""Strict JSON at the speed of the C parser, with positions only when a diagnostic needs them.

``json.loads`` reads a plan file about ten times faster than building it from YAML events, and
it is strict where the YAML reader is lenient: no trailing commas, no comments, no unquoted text.
What it lets through that the library refuses -- duplicate keys, ``NaN``/``Infinity``, nesting
deeper than :data:`.source.MAX_DEPTH`, lone surrogate escapes -- is detected here.  Every refusal
is reported by the careful YAML-event reader of :mod:`.source`, which knows the line and column
of every node; only a refusal it would not make (a trailing comma, say) is placed from the JSON
parser's own position.  Surrogate pairs written as escapes (``\\ud83d\\ude00``) are one character.
"""
from __future__ import annotations

import json
import re
import unicodedata
from typing import Any, Optional

from .errors import Diagnostic, InputError, Span, Text

__all__ = ["load_json", "settle_json"]

_ESCAPE = re.compile(r"\\u([dD][89a-fA-F][0-9a-fA-F]{2})")


class _Refused(Exception):
    """Something the careful reader must report (with its position)."""


def _pairs(pairs: list) -> dict:
    out = dict(pairs)
    if len(out) != len(pairs):
        raise _Refused
    return out


def _constant(name: str) -> Any:
    raise _Refused


def load_json(text: str, filename: str, lines: tuple[str, ...], *, settle: bool = True) -> Optional[object]:
    """The data of a JSON file; None when the careful reader should read it instead (it then
    reports every problem with its position).  Raises :class:`InputError` for what only strict
    JSON refuses.

    With ``settle=False`` the two walks over the whole data -- nesting depth and text in NFC --
    are left to the caller, who walks the data anyway: it must check both (see :func:`settle`)
    before anything else reads the data.
    """
    if not text.strip():
        return None
    try:
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_constant)
    except (_Refused, RecursionError, ValueError) as error:
        if isinstance(error, json.JSONDecodeError):
            _strict(text, filename, lines, error)
        return None
    if "\\u" in text:
        lone = _lone_escape(text)
        if lone is not None:
            raise InputError([_lone_surrogate(text, lone, filename, lines)])
    return settle_json(data, text) if settle else data


def settle_json(data: Any, text: str) -> Optional[object]:
    """``data`` read from ``text`` by json.loads, nested no deeper than :data:`.source.MAX_DEPTH`
    and with its text in NFC; None when the careful reader must read the text instead."""
    from .source import MAX_DEPTH

    if _depth_over(data, MAX_DEPTH):
        return None
    if "\\u" in text or not unicodedata.is_normalized("NFC", text):
        try:
            data = _normalise(data)
        except _Refused:
            return None
    return data


def _strict(text: str, filename: str, lines: tuple[str, ...], error: json.JSONDecodeError) -> None:
    """Raise the careful reader's diagnostics for a text json.loads refused; when that reader
    accepts it (YAML allows a trailing comma), the JSON parser's own refusal."""
    from .source import _Builder

    _Builder(filename, lines, True).build(text)  # raises InputError with positions when it can
    line = lines[error.lineno - 1] if 0 < error.lineno <= len(lines) else None
    message = Text(
        vi=f"Cú pháp JSON không hợp lệ ({error.msg}): JSON không cho phép dấu phẩy thừa cuối danh sách "
        "hay bảng, chú thích, hoặc chuỗi không đặt trong ngoặc kép.",
        en=f"Invalid JSON ({error.msg}): JSON allows no trailing comma before ] or }}, no comments and "
        "no unquoted text.",
    )
    raise InputError([Diagnostic("json-syntax", message, Span(filename, error.lineno, error.colno),
                                 source_line=line)]) from None


def _lone_surrogate(text: str, index: int, filename: str, lines: tuple[str, ...]) -> Diagnostic:
    line = text.count("\n", 0, index) + 1
    col = index - (text.rfind("\n", 0, index) + 1) + 1
    message = Text(
        vi="Mã thoát \\uD800–\\uDFFF đứng một mình không phải là ký tự; chỉ dùng chúng theo cặp "
        "(ví dụ \\ud83d\\ude00), hoặc ghi trực tiếp ký tự.",
        en="A lone \\uD800–\\uDFFF escape is not a character; use them only in pairs "
        "(e.g. \\ud83d\\ude00), or write the character itself.",
    )
    return Diagnostic("json-syntax", message, Span(filename, line, col),
                      source_line=lines[line - 1] if 0 < line <= len(lines) else None)


def _lone_escape(text: str) -> Optional[int]:
    """Where the first surrogate escape without its partner is (high then low make a pair); None
    when every one has its partner (the text itself cannot hold a surrogate: it was decoded)."""
    pending = None
    for match in _ESCAPE.finditer(text):
        high = match.group(1)[1].lower() in "89ab"
        if pending is not None:
            if not high and match.start() == pending.end():
                pending = None
                continue
            return pending.start()
        if high:
            pending = match
        else:
            return match.start()
    return pending.start() if pending is not None else None


def _depth_over(data: object, limit: int) -> bool:
    """True when containers nest more than ``limit`` deep (only containers are visited)."""
    stack = [(data, 1)]
    while stack:
        value, depth = stack.pop()
        if depth > limit:
            return True
        items = value.values() if type(value) is dict else value if type(value) is list else ()
        stack.extend((v, depth + 1) for v in items if type(v) is dict or type(v) is list)
    return False


def _nfc(text: str) -> str:
    return text if text.isascii() or unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def _normalise(data: Any) -> Any:
    """Text in NFC, as the careful reader gives it (escapes can spell a decomposed accent); the
    containers json.loads made are fixed in place, in one pass."""
    if type(data) is str:
        return _nfc(data)
    stack = [data]
    while stack:
        value = stack.pop()
        if type(value) is dict:
            if not all(k.isascii() for k in value):
                items = [(_nfc(k), v) for k, v in value.items()]
                if len({k for k, _ in items}) != len(items):
                    raise _Refused  # two keys spelt alike: the careful reader reports the duplicate
                value.clear()
                value.update(items)
            for k, v in value.items():
                if type(v) is str:
                    if not v.isascii():
                        value[k] = _nfc(v)
                elif type(v) is dict or type(v) is list:
                    stack.append(v)
        elif type(value) is list:
            for i, v in enumerate(value):
                if type(v) is str:
                    if not v.isascii():
                        value[i] = _nfc(v)
                elif type(v) is dict or type(v) is list:
                    stack.append(v)
    return data

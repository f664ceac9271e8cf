"""A spreadsheet cell's value as the plan field it fills, accepting what people type.

Accepted where unambiguous: numbers stored as text, Excel dates, ``dd/mm/yyyy`` text dates,
trailing spaces, Vietnamese labels of enumerated values, comma-separated lists of ids.  A value
that cannot be read is a problem in both languages; the caller places it at its cell.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

from ..errors import Text
from .layout import ENUMS, Column, enum_value

_INT = re.compile(r"[-+]?[0-9]+\Z")
_DECIMAL = re.compile(r"[-+]?[0-9]*[.,]?[0-9]+\Z")
_DMY = re.compile(r"([0-9]{1,2})[/.-]([0-9]{1,2})[/.-]([0-9]{4})\Z")
_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")
_SPLIT = re.compile(r"[,;\n]")
_EXCEL_EPOCH = dt.date(1899, 12, 30)
EMPTY = object()


class CellProblem(Exception):
    """A cell whose value cannot be read as its column's kind."""

    def __init__(self, text: Text):
        super().__init__(text.en)
        self.text = text


def read_cell(column: Column, value: Any) -> Any:
    """The field value for a cell (``EMPTY`` when blank); raises :class:`CellProblem`."""
    if isinstance(value, str):
        value = unicodedata.normalize("NFC", value).strip()
        if value == "":
            return EMPTY
    if value is None:
        return EMPTY
    kind = column.kind
    if column.enum:
        return _enum(column.enum, value)
    return _READERS[kind](value)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _int(value: Any) -> int:
    if isinstance(value, bool):
        raise _bad(value, "một số nguyên", "a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT.match(value.replace(" ", "")):
        return int(value.replace(" ", ""))
    raise _bad(value, "một số nguyên", "a whole number")


def _number(value: Any) -> float | int:
    if isinstance(value, bool):
        raise _bad(value, "một số", "a number")
    if isinstance(value, (int, float)) and math.isfinite(value):
        return value
    if isinstance(value, str):
        text = value.replace(" ", "")
        if _INT.match(text):
            return int(text)
        if _DECIMAL.match(text) and text.count(",") + text.count(".") == 1:
            return float(text.replace(",", "."))
    raise _bad(value, "một số (dấu thập phân là dấu phẩy hoặc dấu chấm)", "a number")


def _date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, (int, float)) and not isinstance(value, bool) and 1 <= value < 2958466:
        return (_EXCEL_EPOCH + dt.timedelta(days=int(value))).isoformat()  # an Excel serial day
    if isinstance(value, str):
        m = _DMY.match(value)
        try:
            if m:
                return dt.date(int(m[3]), int(m[2]), int(m[1])).isoformat()
            if _ISO.match(value):
                return dt.date.fromisoformat(value).isoformat()
        except ValueError:
            pass
    raise _bad(value, "một ngày (dd/mm/yyyy)", "a date (dd/mm/yyyy or YYYY-MM-DD)")


def _ids(value: Any) -> list[str]:
    text = _text(value)
    if text.replace(" ", "") == "[]":
        return []
    return [part.strip() for part in _SPLIT.split(text) if part.strip()]


def _id_or_ids(value: Any) -> Any:
    ids = _ids(value)
    return ids[0] if len(ids) == 1 else ids


def _ratings(value: Any) -> dict:
    out = {}
    for part in _SPLIT.split(_text(value)):
        if not part.strip():
            continue
        year, sep, rating = part.partition(":")
        year = year.strip()
        code = enum_value("rating", rating) if sep else None
        if not _INT.match(year) or code is None:
            raise CellProblem(Text(
                f"Không đọc được xếp loại {part.strip()!r}: ghi theo dạng „2017: Hoàn thành nhiệm vụ, "
                "2018: Hoàn thành tốt nhiệm vụ”.",
                f"Cannot read the rating {part.strip()!r}: write it as '2017: completed, 2018: good'."))
        out[str(int(year))] = code
    return out


def _enum(name: str, value: Any) -> Any:
    found = enum_value(name, _text(value))
    if found is None:
        from ..schema import closest

        labels = [labels[0] for labels in ENUMS[name].values()]
        hint = closest(_text(value), labels)
        vi_hint, en_hint = (f" Có phải là „{hint}”?", f" Did you mean {hint!r}?") if hint else ("", "")
        raise CellProblem(Text(
            f"Giá trị {_text(value)!r} không có trong danh sách; chọn một trong: {'; '.join(labels)}.{vi_hint}",
            f"{_text(value)!r} is not one of the allowed values: {'; '.join(map(str, ENUMS[name]))}.{en_hint}"))
    return found


def _bad(value: Any, vi: str, en: str) -> CellProblem:
    return CellProblem(Text(f"Giá trị {_text(value)!r} không phải {vi}.", f"{_text(value)!r} is not {en}."))


_READERS = {"text": _text, "id": _text, "int": _int, "number": _number, "date": _date, "ids": _ids,
            "idOrIds": _id_or_ids, "ratings": _ratings}


def write_cell(column: Column, value: Any, lang: str) -> Any:
    """A field value as the cell that reads back as it."""
    from .layout import enum_label

    if value is None:
        return None
    if column.enum:
        return enum_label(column.enum, value, lang)
    if column.kind == "date":
        return dt.date.fromisoformat(value) if isinstance(value, str) else value
    if column.kind in ("ids", "idOrIds"):
        if isinstance(value, str):
            return value
        return ", ".join(value) if value else "[]"
    if column.kind == "ratings":
        return ", ".join(f"{year}: {enum_label('rating', r, lang)}" for year, r in value.items())
    return value

"""One naming for serialisation on every public type: ``to_dict()`` gives JSON-ready data and
``to_json()`` the same as a string.

The text is strict JSON (no ``NaN`` or ``Infinity``: the plan boundary refuses non-finite numbers,
so meeting one here is a bug, not an input problem) and byte-identical for the same data.
"""
from __future__ import annotations

import json
from typing import Any, Optional

__all__ = ["JsonForm", "dumps"]


def dumps(data: Any, indent: Optional[int] = 2) -> str:
    """``data`` as the library writes JSON: UTF-8 text kept as is, keys in their given order."""
    return json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)


class JsonForm:
    """Mixin: ``to_json(lang)`` is ``to_dict(lang)`` written as JSON text."""

    __slots__ = ()

    def to_dict(self, lang: str = "vi") -> dict:  # pragma: no cover - every user overrides it
        raise NotImplementedError

    def to_json(self, lang: str = "vi", indent: Optional[int] = 2) -> str:
        """This object as JSON text in ``lang`` (``vi`` or ``en``)."""
        return dumps(self.to_dict(lang), indent)

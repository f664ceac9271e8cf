"""One naming for serialisation on every public type: ``to_dict()`` gives JSON-ready data and
``to_json()`` the same as a string.

The text is strict JSON (no ``NaN`` or ``Infinity``: the plan boundary refuses non-finite numbers,
so meeting one here is a bug, not an input problem) and byte-identical for the same data.

By default the text is indented for people when it is small, and compact when it is large: a
report of thousands of findings is read by programs, and Python writes compact JSON with its C
encoder, many times faster than indented JSON (which only its Python encoder writes).  The rule
depends on the data alone, so the same data always gives the same bytes, from the API, the
command line and the server alike.
"""
from __future__ import annotations

import json
from typing import Any, Literal, Optional, Union

__all__ = ["AUTO", "PRETTY_LIMIT", "JsonForm", "dumps"]

#: Output up to this many characters (counted compact) is indented; longer output stays compact.
PRETTY_LIMIT = 1_000_000
#: The default layout: indented up to :data:`PRETTY_LIMIT`, compact above.
AUTO = "auto"

Indent = Union[Optional[int], Literal["auto"]]


def dumps(data: Any, indent: Indent = AUTO) -> str:
    """``data`` as the library writes JSON: UTF-8 text kept as is, keys in their given order.

    ``indent``: :data:`AUTO` (indented by 2 when small, compact -- no spaces -- when large), a
    number of spaces, or None for one line with the standard separators.
    """
    if indent != AUTO:
        return json.dumps(data, ensure_ascii=False, indent=indent, allow_nan=False)
    compact = json.dumps(data, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    if len(compact) > PRETTY_LIMIT:
        return compact
    return json.dumps(data, ensure_ascii=False, indent=2, allow_nan=False)


class JsonForm:
    """Mixin: ``to_json(lang)`` is ``to_dict(lang)`` written as JSON text."""

    __slots__ = ()

    def to_dict(self, lang: str = "vi") -> dict:  # pragma: no cover - every user overrides it
        raise NotImplementedError

    def to_json(self, lang: str = "vi", indent: Indent = AUTO) -> str:
        """This object as JSON text in ``lang`` (``vi`` or ``en``); ``indent`` as in :func:`dumps`."""
        return dumps(self.to_dict(lang), indent)

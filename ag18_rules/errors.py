"""Exceptions and diagnostics.

Every problem a person can cause (a malformed plan, rule or parameter file) becomes a
:class:`Diagnostic` with a position and a message in Vietnamese and English.  Diagnostics are
collected, sorted and raised once inside an :class:`InputError`; nothing is evaluated after one.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterable

from .serial import JsonForm

__all__ = [
    "LANGUAGES",
    "Ag18Error",
    "BackendError",
    "BackendUnavailable",
    "Diagnostic",
    "InputError",
    "OptionError",
    "Span",
    "Text",
    "check_lang",
]

LANGUAGES = ("vi", "en")
DIAGNOSTICS_FORMAT = "ag18-diagnostics/1"


@dataclass(frozen=True, order=True)
class Span:
    """A position in a source file: 1-based line and column.

    A position in a workbook also names its ``sheet`` and ``cell`` (``D7``); ``line`` and ``col``
    are then the cell's row and column numbers, so spans still sort in reading order.
    """

    file: str
    line: int = 0
    col: int = 0
    sheet: str = ""
    cell: str = ""

    def __str__(self) -> str:
        if self.sheet:
            return f"{self.file}:{self.sheet}!{self.cell}" if self.cell else f"{self.file}:{self.sheet}"
        if self.line:
            return f"{self.file}:{self.line}:{self.col}"
        return self.file

    def shifted(self, offset: int) -> "Span":
        """The span ``offset`` characters further along the same line."""
        return Span(self.file, self.line, self.col + offset) if self.line and not self.sheet else self


@dataclass(frozen=True)
class Text:
    """A sentence in both languages the library speaks."""

    vi: str
    en: str

    def __call__(self, lang: str = "vi") -> str:
        if lang == "en":
            return self.en
        if lang == "vi":
            return self.vi
        raise check_lang(lang)


@dataclass(frozen=True)
class Diagnostic(JsonForm):
    """One problem in an input, with where it is and what was expected."""

    code: str
    message: Text
    span: Span
    path: str = ""  # the field's path, e.g. ``after.organizations[3].parent``
    source_line: str | None = field(default=None, compare=False)

    def sort_key(self) -> tuple:
        """Diagnostics are reported by file, line and column."""
        return (self.span.file, self.span.line, self.span.col, self.code, self.path)

    def render(self, lang: str = "vi", *, caret: bool = True) -> str:
        """``file:line:col: code: message (path)``, with the source line and a caret under the spot."""
        where = f" ({self.path})" if self.path else ""
        text = f"{self.span}: {self.code}: {self.message(lang)}{where}"
        if caret and self.source_line is not None and self.span.col:
            line = self.source_line.rstrip("\n")
            text += f"\n    {line}\n    {' ' * (self.span.col - 1)}^"
        return text

    def to_dict(self, lang: str = "vi") -> dict:
        """The diagnostic as JSON data (one item of ``ag18-diagnostics/1``)."""
        return {
            "file": self.span.file,
            "line": self.span.line,
            "col": self.span.col,
            "code": self.code,
            "path": self.path,
            "message": self.message(lang),
            **({"sheet": self.span.sheet, "cell": self.span.cell} if self.span.sheet else {}),
        }


class Ag18Error(Exception):
    """Root of every exception the library raises on purpose: catch it to handle any bad input.

    ``exit_code`` is what ``ag18`` exits with for it (2: bad input or usage).  Raised with a
    :class:`Text`, it speaks both languages: ``str()`` gives the English, and :meth:`message` the
    sentence in the language asked for.
    """

    exit_code = 2

    def __init__(self, *args):
        self.text = args[0] if args and isinstance(args[0], Text) else None
        super().__init__(*((self.text.en, *args[1:]) if self.text else args))

    def message(self, lang: str = "vi") -> str:
        """What went wrong, in ``lang`` when the error was raised with a :class:`Text`."""
        return self.text(lang) if self.text else str(self)


class OptionError(Ag18Error, ValueError):
    """An argument of a library call has a value it cannot take (a date that is not a date,
    a language other than ``vi``/``en``, a plan that is neither a path, a mapping nor a Plan).

    Also a :class:`ValueError`, so code written for the standard library's errors keeps working.
    """


def check_lang(lang: object) -> OptionError:
    """The error for a language the library does not speak (raise it)."""
    shown = repr(lang) if len(repr(lang)) <= 40 else repr(lang)[:37] + "..."
    return OptionError(f"lang must be one of {', '.join(map(repr, LANGUAGES))}, not {shown}")


class InputError(Ag18Error):
    """One or more inputs are malformed; carries every diagnostic, sorted."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        unique = {(d.sort_key(), d.message.en): d for d in diagnostics}
        self.diagnostics: tuple[Diagnostic, ...] = tuple(
            sorted(unique.values(), key=Diagnostic.sort_key)
        )
        super().__init__("\n".join(d.render("en", caret=False) for d in self.diagnostics))

    def render(self, lang: str = "vi") -> str:
        """Every diagnostic as ``file:line:col: code: message``, with a caret under the spot."""
        return "\n".join(d.render(lang) for d in self.diagnostics)

    def to_dict(self, lang: str = "vi") -> dict:
        """The diagnostics as ``ag18-diagnostics/1`` data (``ag18 schema diagnostics``)."""
        return {"format": DIAGNOSTICS_FORMAT, "diagnostics": [d.to_dict(lang) for d in self.diagnostics]}

    def to_json(self, lang: str = "vi", indent: int | None = 2) -> str:
        """:meth:`to_dict` as JSON text."""
        from .serial import dumps

        return dumps(self.to_dict(lang), indent)


class BackendError(Ag18Error):
    """An evaluation backend failed (for durable_rules: its worker crashed or hung)."""


class BackendUnavailable(BackendError):
    """The requested backend is not installed."""

"""argparse in the command's language: its own words ("usage:", "options", its errors) in Vietnamese.

cli.py writes every help string of its own as ``t(vi, en)``; the words argparse adds itself come
from its English templates.  :func:`parser_class` gives an ``ArgumentParser`` subclass that sets
the section titles and the ``-h`` help in the language, and translates each error message by
matching argparse's templates, without touching the shared ``argparse`` module.
"""
from __future__ import annotations

import argparse
import re
from typing import NoReturn

from .errors import Text

__all__ = ["ERRORS", "WORDS", "parser_class", "translate_error"]

#: argparse's fixed words.
WORDS = {
    "usage": Text("cách dùng: ", "usage: "),
    "positionals": Text("đối số vị trí", "positional arguments"),
    "options": Text("tùy chọn", "options"),
    "help": Text("hiện trợ giúp này rồi thoát", "show this help message and exit"),
    "error": Text("{prog}: lỗi: {message}\n", "{prog}: error: {message}\n"),
    "hint": Text("Xem '{prog} -h' để biết cách dùng.\n", "See '{prog} -h' for usage.\n"),
}

#: argparse's error templates (as regular expressions over its English) and their Vietnamese.
ERRORS: tuple[tuple[str, Text], ...] = (
    (r"argument (?P<a>.+?): (?P<m>.+)", Text("đối số {a}: {m}", "argument {a}: {m}")),
    (r"the following arguments are required: (?P<a>.+)",
     Text("thiếu các đối số bắt buộc: {a}", "the following arguments are required: {a}")),
    (r"unrecognized arguments: (?P<a>.+)", Text("đối số không nhận ra: {a}", "unrecognized arguments: {a}")),
    (r"invalid choice: (?P<v>.+) \(choose from (?P<c>.+)\)",
     Text("lựa chọn không hợp lệ: {v} (chọn một trong {c})", "invalid choice: {v} (choose from {c})")),
    (r"expected one argument", Text("cần đúng một giá trị", "expected one argument")),
    (r"expected at most one argument", Text("cần nhiều nhất một giá trị", "expected at most one argument")),
    (r"expected at least one argument", Text("cần ít nhất một giá trị", "expected at least one argument")),
    (r"invalid (?P<t>\S+) value: (?P<v>.+)", Text("giá trị {t} không hợp lệ: {v}", "invalid {t} value: {v}")),
    (r"ambiguous option: (?P<o>.+) could match (?P<m>.+)",
     Text("tùy chọn mơ hồ: {o} có thể là {m}", "ambiguous option: {o} could match {m}")),
    (r"not allowed with argument (?P<a>.+)", Text("không được dùng cùng đối số {a}", "not allowed with argument {a}")),
    (r"one of the arguments (?P<a>.+) is required",
     Text("cần một trong các đối số {a}", "one of the arguments {a} is required")),
    (r"ignored explicit argument (?P<a>.+)", Text("bỏ qua giá trị {a}", "ignored explicit argument {a}")),
    (r"unexpected option string: (?P<a>.+)", Text("tùy chọn không mong đợi: {a}", "unexpected option string: {a}")),
    (r"not a date \(YYYY-MM-DD\): (?P<v>.+)", Text("không phải ngày (YYYY-MM-DD): {v}", "not a date (YYYY-MM-DD): {v}")),
    (r"not a count: (?P<v>.+)", Text("không phải số đếm: {v}", "not a count: {v}")),
)
_COMPILED = tuple((re.compile(pattern + r"\Z", re.S), text) for pattern, text in ERRORS)


def translate_error(message: str, lang: str) -> str:
    """An argparse error message in ``lang`` (nested templates translated inside out)."""
    if lang == "en":
        return message
    for pattern, text in _COMPILED:
        match = pattern.match(message)
        if match:
            parts = {k: translate_error(v, lang) if k == "m" else v for k, v in match.groupdict().items()}
            return text(lang).format(**parts)
    return message


class _Formatter(argparse.HelpFormatter):
    lang = "vi"

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, prefix if prefix is not None else WORDS["usage"](self.lang))


def parser_class(lang: str) -> type[argparse.ArgumentParser]:
    """An ArgumentParser class speaking ``lang``; subcommand parsers are made of the same class."""
    formatter = type("Formatter", (_Formatter,), {"lang": lang})

    class Parser(argparse.ArgumentParser):
        def __init__(self, *args, **kwargs):
            kwargs.setdefault("formatter_class", formatter)
            wants_help = kwargs.pop("add_help", True)
            super().__init__(*args, add_help=False, **kwargs)
            self._positionals.title = WORDS["positionals"](lang)
            self._optionals.title = WORDS["options"](lang)
            if wants_help:
                self.add_argument("-h", "--help", action="help", default=argparse.SUPPRESS,
                                  help=WORDS["help"](lang))

        def error(self, message: str) -> NoReturn:
            self.print_usage(self._stderr())
            text = translate_error(message, lang)
            self.exit(2, WORDS["error"](lang).format(prog=self.prog, message=text)
                      + WORDS["hint"](lang).format(prog=self.prog))

        @staticmethod
        def _stderr():
            import sys

            return sys.stderr

    Parser.lang = lang
    return Parser

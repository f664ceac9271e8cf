"""Safe loading of YAML and JSON written by people, with the line and column of every node.

PyYAML only parses (its event stream); this module builds the plain Python data itself, so no tag
can construct an object, scalars follow the YAML 1.2 rules people expect (``no`` stays a string),
and every refusal (too large, too deep, alias bombs, duplicate keys) is a :class:`Diagnostic` with
a position, raised in one :class:`InputError`.

Positions are found when a diagnostic needs one.  JSON is read by ``json.loads`` (C) and YAML
from libyaml's events (``CSafeLoader``; PyYAML's pure-Python parser where libyaml is missing)
without recording where nodes start; a file the quick reading cannot accept as it is (a syntax
error, a duplicate key, an anchor, a tag, ...) is read by the careful :class:`_Builder`, which
records every position and reports every problem.  A clean file's positions are read from its
text, by the same careful reader, the first time a span is asked for.
"""
from __future__ import annotations

import codecs
import datetime as dt
import json
import os
import re
import stat
import unicodedata
from array import array
from collections.abc import Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Callable, Mapping, NoReturn

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

from .errors import Diagnostic, InputError, Span, Text
from .yamlread import COLLECTION_TAGS, STR_TAG, UNUSUAL, quick_build, resolve_plain

try:  # libyaml gives the same events and marks, about ten times faster
    from yaml import CSafeLoader as _Parser
except ImportError:  # pragma: no cover - depends on how PyYAML was built
    from yaml import SafeLoader as _Parser

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_NODES",
    "Document",
    "format_path",
    "load_bytes",
    "load_file",
    "load_text",
    "unsaved",
]

MAX_BYTES = 5 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 1_000_000  # nodes that aliases may add; the file's own nodes are bounded by its size

_JSON_LITERAL = re.compile(
    r"true|false|null|-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?\Z"
)
# Characters YAML forbids in a stream; checked up front so both parsers report them alike.
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SURROGATE_PAIR = re.compile(r"\\u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}")
_PLAIN_KEY = re.compile(r"[^.\[\]\s\"']+\Z")
_LEADING_SPACE = re.compile(r"[ \t\r\n]*")


# ----------------------------------------------------------------- positions and documents


def _pack(mark) -> int:
    """A PyYAML mark (0-based) as one integer, so a container's positions fit in one array."""
    return mark.line << 32 | mark.column


def _span(filename: str, packed: int) -> Span:
    return Span(filename, (packed >> 32) + 1, (packed & 0xFFFFFFFF) + 1)


@dataclass(frozen=True, slots=True)
class _Marks:
    """Start positions inside one container, kept beside the data rather than in it.

    A mapping stores its key then its value for each entry, in the dict's order; a sequence stores
    one position per item.  ``children`` holds the marks of each entry's value (None for scalars).
    """

    starts: array
    children: tuple


@dataclass(frozen=True)
class Document:
    """Data loaded from one file, with the position of every key and value for diagnostics.

    A Document built without positions (e.g. around a dict given by a program) answers every span
    with the file name alone.
    """

    data: object
    filename: str
    lines: tuple[str, ...] = field(default=(), repr=False)
    _root: tuple[int, _Marks | None] | None = field(default=None, repr=False, compare=False)
    # the text, when positions are found only once a diagnostic asks for one (JSON read by json.loads)
    _text: str | None = field(default=None, repr=False, compare=False)
    # JSON read with load_file(settle=False): depth and NFC not yet checked (see :meth:`settle`)
    _unsettled: bool = field(default=False, repr=False, compare=False)
    # read by json.loads: only JSON's types (no dates), and JSON syntax when positions are found
    _json: bool = field(default=False, repr=False, compare=False)

    @property
    def is_settled(self) -> bool:
        """False for JSON read with ``load_file(..., settle=False)`` until :meth:`settle` is called:
        its nesting depth is unchecked and its text may not be in NFC yet."""
        return not self._unsettled

    def settle(self) -> Document:
        """This document with every check of loading done: itself when it is settled; the careful
        reader's :class:`InputError` (with positions) when the data nests too deep or two keys
        become one in NFC."""
        if not self._unsettled:
            return self
        from .jsonload import settle_json

        data = settle_json(self.data, self._text)
        if data is not None:
            return Document(data, self.filename, self.lines, self._root, self._text, _json=True)
        data, root = _Builder(self.filename, self.lines, True).build(self._text)
        return Document(data, self.filename, self.lines, root)

    @property
    def json_typed(self) -> bool:
        """True when the data has only JSON's types (read by the JSON parser): no dates to convert."""
        return self._json

    @property
    def lazy(self) -> bool:
        """True when positions are found from the text on first need, not read along with the data."""
        return self._root is None and self._text is not None

    @property
    def _marks(self) -> tuple[int, _Marks | None] | None:
        """The positions of every node: read along with the data, or on first need."""
        if self._root is None and self._text is not None and not getattr(self, "_no_marks", False):
            # libyaml refuses surrogate-pair escapes that JSON allows; one of the same length keeps
            # every position where it is
            text = _SURROGATE_PAIR.sub(r"\\u0041\\u0041", self._text) if self._json else self._text
            try:
                _, root = _Builder(self.filename, self.lines, self._json).build(text)
            except InputError:  # not expected for text json.loads read; then: file-only positions
                object.__setattr__(self, "_no_marks", True)
                return None
            object.__setattr__(self, "_root", root)
        return self._root

    def span(self, path: tuple) -> Span:
        """The position of the value at ``path``, or of its deepest existing ancestor."""
        return self._locate(path)[1]

    def key_span(self, path: tuple) -> Span:
        """The position of the key of the path's last step, when that step is an existing key."""
        key, value = self._locate(path)
        return key or value

    def line_text(self, span: Span) -> str | None:
        """The source line a span points into, for a caret under it."""
        if span.file == self.filename and 1 <= span.line <= len(self.lines):
            return self.lines[span.line - 1]
        return None

    def diagnostic(self, code: str, message: Text, path: tuple, *, key: bool = False) -> Diagnostic:
        """A diagnostic about the value (or, with ``key``, the key) at ``path``."""
        span = self.key_span(path) if key else self.span(path)
        return Diagnostic(code, message, span, format_path(path), self.line_text(span))

    def _locate(self, path: tuple) -> tuple[Span | None, Span]:
        """(key span of the last step if it is an existing key, span of the deepest value found)."""
        if not path and self._root is None and self._text is not None:
            start = _LEADING_SPACE.match(self._text).end()  # the whole document: no second reading
            if "\r" not in self._text[:start]:
                line_start = self._text.rfind("\n", 0, start) + 1
                return None, Span(self.filename, self._text.count("\n", 0, start) + 1, start - line_start + 1)
        root = self._marks
        if root is None:
            return None, Span(self.filename)
        value, (pos, marks) = self.data, root
        key_pos = None
        for step in path:
            found = _step(value, marks, step)
            if found is None:
                return None, _span(self.filename, pos)
            value, key_pos, pos, marks = found
        key_span = None if key_pos is None else _span(self.filename, key_pos)
        return key_span, _span(self.filename, pos)


def _step(value: object, marks: _Marks | None, step: object) -> tuple | None:
    """(child value, key position or None, value position, child marks) of one path step."""
    if marks is None:
        return None
    if isinstance(value, dict):
        for index, key in enumerate(value):
            if type(key) is type(step) and key == step:
                key_pos, value_pos = marks.starts[2 * index : 2 * index + 2]
                return value[key], key_pos, value_pos, marks.children[index]
        return None
    if isinstance(value, list) and type(step) is int and 0 <= step < len(value):
        return value[step], None, marks.starts[step], marks.children[step]
    return None


def format_path(path: tuple) -> str:
    """A field path for people: ``("after", "organizations", 3, "parent")`` becomes
    ``after.organizations[3].parent``; keys that would read ambiguously are quoted."""
    out = []
    for step in path:
        if isinstance(step, int) and not isinstance(step, bool):
            out.append(f"[{step}]")
        elif isinstance(step, str) and not _PLAIN_KEY.match(step):
            out.append(f"[{json.dumps(step, ensure_ascii=False)}]")
        else:
            out.append(("." if out else "") + str(step))
    return "".join(out)


# ----------------------------------------------------------------- entry points


def load_file(path: str | os.PathLike, *, max_bytes: int = MAX_BYTES, settle: bool = True) -> Document:
    """Load a YAML or JSON file (strict JSON if named ``.json``); refuse it past ``max_bytes``.

    ``settle=False`` leaves two walks over a JSON file's data to a caller that walks it anyway
    (the plan loader): the document is then not :attr:`~Document.is_settled` until
    :meth:`Document.settle`.
    """
    filename = os.fsdecode(path)
    buffers = _UNSAVED.get()
    if buffers:  # an editor's unsaved text stands for the file (see :func:`unsaved`)
        text = buffers.get(os.path.abspath(filename))
        if text is not None:
            return load_text(text, filename)
    text = _decode(_read(filename, max_bytes), filename)  # the bytes are let go before reading
    return _load(text, filename, settle)


_UNSAVED: ContextVar[Mapping[str, str]] = ContextVar("ag18_unsaved", default={})


@contextmanager
def unsaved(texts: Mapping[str, str]):
    """Within the block, :func:`load_file` reads these texts (by absolute path) instead of the
    files: the language server validates what the officer is typing, before it is saved."""
    token = _UNSAVED.set({os.path.abspath(k): v for k, v in texts.items()})
    try:
        yield
    finally:
        _UNSAVED.reset(token)


def load_bytes(raw: bytes, filename: str, *, max_bytes: int = MAX_BYTES) -> Document:
    """Load YAML or JSON bytes received from elsewhere (an upload), named ``filename`` in diagnostics."""
    if len(raw) > max_bytes:
        raise _file_error(filename, "too-large", *_too_large_text(len(raw), max_bytes))
    return _load(_decode(raw, filename), filename)


def load_text(text: str, filename: str = "<string>") -> Document:
    """Load YAML or JSON text; ``filename`` names it in diagnostics (``.json``: strict JSON)."""
    return _load(text.removeprefix("\ufeff"), filename)


def _read(filename: str, max_bytes: int) -> bytes:
    """The file's bytes; its size is checked before anything is read."""
    try:
        info = os.stat(filename)
        if not stat.S_ISREG(info.st_mode):
            raise _file_error(filename, "not-a-file", *_not_a_file_text(info))
        if info.st_size > max_bytes:
            raise _file_error(filename, "too-large", *_too_large_text(info.st_size, max_bytes))
        with open(filename, "rb") as stream:
            raw = stream.read(max_bytes + 1)  # the file may have grown since stat
    except FileNotFoundError:
        vi, en = "Không tìm thấy tệp.", "File not found."
        raise _file_error(filename, "file-not-found", vi, en) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        vi, en = f"Không đọc được tệp ({reason}).", f"The file cannot be read ({reason})."
        raise _file_error(filename, "file-unreadable", vi, en) from None
    if len(raw) > max_bytes:
        raise _file_error(filename, "too-large", *_too_large_text(len(raw), max_bytes))
    return raw


def _file_error(filename: str, code: str, vi: str, en: str) -> InputError:
    return InputError([Diagnostic(code, Text(vi=vi, en=en), Span(filename))])


def _not_a_file_text(info: os.stat_result) -> tuple[str, str]:
    if stat.S_ISDIR(info.st_mode):
        return "Đây là một thư mục, không phải một tệp.", "This is a directory, not a file."
    return "Đây không phải là một tệp thông thường.", "This is not a regular file."


def _vi_number(n: int) -> str:
    """A number as Vietnamese writes it: 1.000.000."""
    return f"{n:,}".replace(",", ".")


def _too_large_text(size: int, limit: int) -> tuple[str, str]:
    return (
        f"Tệp quá lớn ({_vi_number(size)} byte); giới hạn là {_vi_number(limit)} byte.",
        f"The file is too large ({size:,} bytes); the limit is {limit:,} bytes.",
    )


def _decode(raw: bytes, filename: str) -> str:
    """UTF-8 text (UTF-16 when the file starts with its byte-order mark, as Notepad may save)."""
    utf16 = raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    encoding, name = ("utf-16", "UTF-16") if utf16 else ("utf-8-sig", "UTF-8")
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        before = raw[: error.start].decode(encoding, errors="replace")
        line_start = before.rfind("\n") + 1
        span = Span(filename, before.count("\n") + 1, len(before) - line_start + 1)
        bad = raw[error.start]
        message = Text(
            vi=f"Tệp không phải văn bản {name} hợp lệ (byte 0x{bad:02X} không hợp lệ). "
            "Hãy lưu lại tệp với bảng mã UTF-8.",
            en=f"The file is not valid {name} text (invalid byte 0x{bad:02X}). "
            "Save the file again with UTF-8 encoding.",
        )
        raise InputError([Diagnostic("encoding", message, span)]) from None


class _Lines(Sequence):
    """A text's lines, split when first read: diagnostics read a few, and a large file has
    millions, which as a tuple would take as much memory as its data."""

    __slots__ = ("_text", "_lines")

    def __init__(self, text: str):
        self._text: str | None = text
        self._lines: tuple[str, ...] | None = None

    def _split(self) -> tuple[str, ...]:
        if self._lines is None:
            self._lines, self._text = tuple(self._text.splitlines()), None
        return self._lines

    def __getitem__(self, index):
        return self._split()[index]

    def __len__(self) -> int:
        return len(self._split())

    def __iter__(self):
        return iter(self._split())

    def __eq__(self, other: object) -> bool:
        return tuple(self) == (tuple(other) if isinstance(other, (tuple, list, _Lines)) else other)

    def __hash__(self) -> int:
        return hash(self._split())

    def __repr__(self) -> str:
        return repr(self._split())


def _load(text: str, filename: str, settle: bool = True, json_mode: bool | None = None) -> Document:
    """Read ``text``; ``json_mode`` (default: by the file name) holds it to strict JSON."""
    json_mode = _is_json(filename) if json_mode is None else json_mode
    lines = _Lines(text)
    bad = _NOT_PRINTABLE.search(text)
    if bad:
        raise InputError([_bad_character(text, bad.start(), filename, lines)])
    if json_mode:
        from .jsonload import load_json

        data = load_json(text, filename, lines, settle=settle)
        if data is not None:
            return Document(data, filename, lines, None, text, not settle, _json=True)
    else:
        data = quick_build(text, _Parser, MAX_DEPTH)
        if data is not UNUSUAL:  # positions are found on first need (most files never need one)
            return Document(data, filename, lines, None, text)
    builder = _Builder(filename, lines, json_mode)
    data, root = builder.build(text)
    return Document(data, filename, lines, root)


def reread(doc: Document) -> Callable[[], Document]:
    """A way to read a lazy document again later, holding only its text: a loaded plan keeps
    this, not its file's data, for the positions it may be asked for."""
    text, filename, json_mode = doc._text, doc.filename, doc._json
    return lambda: _load(text, filename, True, json_mode)


def _is_json(filename: str) -> bool:
    """Whether to hold the text to JSON syntax; other text is YAML, which JSON nearly is."""
    return os.path.splitext(filename)[1].lower() == ".json"


def _bad_character(text: str, index: int, filename: str, lines: tuple[str, ...]) -> Diagnostic:
    line_start = text.rfind("\n", 0, index) + 1
    line = text.count("\n", 0, index) + 1
    span = Span(filename, line, index - line_start + 1)
    code = ord(text[index])
    message = Text(
        vi=f"Tệp chứa ký tự điều khiển không được phép (U+{code:04X}).",
        en=f"The file contains a control character that is not allowed (U+{code:04X}).",
    )
    return Diagnostic("encoding", message, span, source_line=lines[line - 1] if lines else None)


# ----------------------------------------------------------------- building data from events

_TOO_DEEP = Text(
    vi=f"Cấu trúc lồng nhau quá sâu (hơn {MAX_DEPTH} cấp).",
    en=f"The structure is nested too deeply (more than {MAX_DEPTH} levels).",
)
_AWAITING_KEY = object()
_SKIP_VALUE = object()  # the key was refused; its value is read and dropped


class _Frame:
    """A container being built: its data, the positions inside it, and the key awaiting a value."""

    __slots__ = ("value", "pos", "anchor", "nodes_before", "starts", "children", "key", "key_pos")

    def __init__(self, value: dict | list, pos: int, anchor: str | None, nodes_before: int):
        self.value = value
        self.pos = pos
        self.anchor = anchor
        self.nodes_before = nodes_before
        self.starts = array("q")
        self.children: list = []
        self.key = _AWAITING_KEY
        self.key_pos = 0


class _Builder:
    """Turns one parser's event stream into plain data plus positions, refusing what is unsafe.

    Aliases share the anchored object (as PyYAML does) but count their full size each time they are
    used, so an alias bomb is refused after a handful of events, never expanded.  The budget
    applies to what aliases add: a large plan written out in full is limited by its byte size.
    """

    def __init__(self, filename: str, lines: tuple[str, ...], json_mode: bool):
        self.filename = filename
        self.lines = lines
        self.json_mode = json_mode
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[object, int, _Marks | None]] = {}
        self.nodes = 0  # every node, an alias counting as the whole anchored value
        self.expanded = 0  # the part of ``nodes`` that aliases added
        self.documents = 0
        self.root: tuple[object, int, _Marks | None] = (None, 0, None)
        self.diagnostics: list[Diagnostic] = []

    def build(self, text: str) -> tuple[object, tuple[int, _Marks | None]]:
        """(data, (root position, root marks)); raises InputError with every problem found."""
        parser = _Parser(text)  # cannot fail: the characters it would refuse were checked before
        try:
            self._consume(parser.get_event)
        except yaml.YAMLError as error:
            raise InputError([*self.diagnostics, self._syntax_error(error)]) from None
        finally:
            parser.dispose()
        if self.diagnostics:
            raise InputError(self.diagnostics)
        data, pos, marks = self.root
        return data, (pos, marks)

    def _consume(self, next_event) -> None:
        while True:
            event = next_event()
            kind = type(event)
            if kind is ScalarEvent:
                self._scalar(event)
            elif kind is MappingStartEvent or kind is SequenceStartEvent:
                self._start(event, {} if kind is MappingStartEvent else [])
            elif kind is MappingEndEvent or kind is SequenceEndEvent:
                self._end()
            elif kind is AliasEvent:
                self._alias(event)
            elif kind is DocumentStartEvent:
                self._document(event)
            elif kind is StreamEndEvent:
                return

    # ----- events

    def _document(self, event) -> None:
        self.documents += 1
        if self.documents > 1:
            self._fatal(event.start_mark, "multiple-documents", Text(
                vi="Tệp chứa nhiều tài liệu YAML (ngăn cách bởi '---'); mỗi tệp chỉ được chứa "
                "một tài liệu.",
                en="The file holds several YAML documents (separated by '---'); a file must hold "
                "exactly one.",
            ))

    def _scalar(self, event) -> None:
        self.nodes += 1
        if self.json_mode:
            self._check_json(event)
        value = self._scalar_value(event)
        if event.anchor is not None:
            self.anchors[event.anchor] = (value, 1, None)
        self._deliver(value, _pack(event.start_mark), None, event)

    def _start(self, event, value: dict | list) -> None:
        if len(self.stack) >= MAX_DEPTH:
            self._fatal(event.start_mark, "too-deep", _TOO_DEEP)
        self.nodes += 1
        if self.json_mode:
            self._check_json(event)
        if event.tag not in (None, "!", COLLECTION_TAGS[type(event)]):
            self._tag_error(event)
        self.stack.append(_Frame(value, _pack(event.start_mark), event.anchor, self.nodes - 1))

    def _end(self) -> None:
        frame = self.stack.pop()
        marks = _Marks(frame.starts, tuple(frame.children))
        if frame.anchor is not None:
            self.anchors[frame.anchor] = (frame.value, self.nodes - frame.nodes_before, marks)
        self._deliver(frame.value, frame.pos, marks, None)

    def _alias(self, event) -> None:
        if self.json_mode:
            self._check_json(event)
        name = event.anchor
        if name not in self.anchors:
            self._fatal(event.start_mark, "yaml-syntax", Text(
                vi=f"Bí danh '*{name}' chưa được định nghĩa (cần có '&{name}' ở phía trước).",
                en=f"The alias '*{name}' is not defined (an anchor '&{name}' must come before it).",
            ))
        value, size, marks = self.anchors[name]
        self._expand(size, event)
        self._deliver(value, _pack(event.start_mark), marks, None)

    # ----- placing a finished node

    def _deliver(self, value: object, pos: int, marks: _Marks | None, event) -> None:
        if not self.stack:
            self.root = (value, pos, marks)
            return
        frame = self.stack[-1]
        if type(frame.value) is list:
            frame.value.append(value)
            frame.starts.append(pos)
            frame.children.append(marks)
        elif frame.key is _AWAITING_KEY:
            frame.key = self._checked_key(value, pos, event)
            frame.key_pos = pos
        else:
            self._add_entry(frame, value, pos, marks)
            frame.key = _AWAITING_KEY

    def _checked_key(self, key: object, pos: int, event) -> object:
        """The key, or _SKIP_VALUE after recording why it cannot be one."""
        plain = event is not None and event.tag is None and event.implicit[0]
        if plain and event.value == "<<":
            self._error(pos, "merge-key", Text(
                vi="Không hỗ trợ khóa gộp YAML '<<'; hãy viết đầy đủ các trường.",
                en="YAML merge keys '<<' are not supported; write the fields out in full.",
            ))
            return _SKIP_VALUE
        if isinstance(key, (str, dt.date)) or (isinstance(key, int) and not isinstance(key, bool)):
            return key
        vi, en = _describe(key)
        self._error(pos, "bad-key", Text(
            vi=f"Khóa không hợp lệ: khóa là {vi}, nhưng phải là chuỗi, số nguyên hoặc ngày "
            "(YYYY-MM-DD).",
            en=f"Invalid key: the key is {en}, but it must be a string, an integer or a date "
            "(YYYY-MM-DD).",
        ))
        return _SKIP_VALUE

    def _add_entry(self, frame: _Frame, value: object, pos: int, marks: _Marks | None) -> None:
        key, mapping = frame.key, frame.value
        if key is _SKIP_VALUE:
            return
        if key in mapping:
            first = frame.starts[2 * list(mapping).index(key)]
            line = (first >> 32) + 1
            self._error(frame.key_pos, "duplicate-key", Text(
                vi=f"Khóa '{key}' bị lặp lại (lần đầu ở dòng {line}).",
                en=f"Key '{key}' is repeated (first at line {line}).",
            ))
            return
        mapping[key] = value
        frame.starts.append(frame.key_pos)
        frame.starts.append(pos)
        frame.children.append(marks)

    # ----- scalars

    def _scalar_value(self, event) -> object:
        value = self._raw_scalar(event)
        # one spelling per text: a name typed with combining accents equals the precomposed one
        if type(value) is str and not unicodedata.is_normalized("NFC", value):
            value = unicodedata.normalize("NFC", value)
        return value

    def _raw_scalar(self, event) -> object:
        tag = event.tag
        if tag is None and event.implicit[0]:
            try:
                return resolve_plain(event.value)
            except ValueError:
                self._error(_pack(event.start_mark), "bad-date", Text(
                    vi=f"Ngày '{event.value}' không tồn tại.",
                    en=f"The date '{event.value}' does not exist.",
                ))
                return event.value
        if tag not in (None, "!", STR_TAG):
            self._tag_error(event)
        return event.value

    def _check_json(self, event) -> None:
        """Hold a JSON file to JSON: YAML-only syntax would be read here but break other tools."""
        if type(event) is AliasEvent or event.anchor is not None or event.tag is not None:
            bad = True
        elif type(event) is ScalarEvent:
            bad = event.style != '"' and not _JSON_LITERAL.match(event.value)
        else:
            bad = not event.flow_style
        if bad:
            self._error(_pack(event.start_mark), "json-syntax", Text(
                vi="Cú pháp này không phải JSON: chuỗi phải đặt trong ngoặc kép, và không dùng "
                "cú pháp riêng của YAML (thụt lề, neo &, bí danh *, thẻ !).",
                en="This is not JSON syntax: strings must be in double quotes, and YAML-only "
                "syntax (indentation, anchors &, aliases *, tags !) is not allowed.",
            ))

    def _tag_error(self, event) -> None:
        tag = event.tag.replace("tag:yaml.org,2002:", "!!")
        self._error(_pack(event.start_mark), "yaml-tag", Text(
            vi=f"Không hỗ trợ thẻ YAML '{tag}'; hãy chỉ dùng giá trị thông thường.",
            en=f"The YAML tag '{tag}' is not supported; use plain values only.",
        ))

    # ----- problems

    def _expand(self, size: int, event) -> None:
        self.nodes += size
        self.expanded += size
        if self.expanded > MAX_NODES:
            self._fatal(event.start_mark, "too-many-nodes", Text(
                vi=f"Tài liệu mở rộng ra quá nhiều phần tử (hơn {_vi_number(MAX_NODES)}), "
                "thường do các bí danh YAML (*tên) lồng nhau.",
                en=f"The document expands to too many elements (more than {MAX_NODES:,}), "
                "usually because of nested YAML aliases (*name).",
            ))

    def _error(self, pos: int, code: str, message: Text) -> None:
        span = _span(self.filename, pos)
        self.diagnostics.append(Diagnostic(code, message, span, source_line=self._line(span.line)))

    def _fatal(self, mark, code: str, message: Text) -> NoReturn:
        self._error(_pack(mark), code, message)
        raise InputError(self.diagnostics)

    def _line(self, line: int) -> str | None:
        return self.lines[line - 1] if 1 <= line <= len(self.lines) else None

    def _syntax_error(self, error: yaml.YAMLError) -> Diagnostic:
        """PyYAML's account of a syntax error, with its position and a hint for common slips."""
        mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
        span = _span(self.filename, _pack(mark) if mark else 0)
        problem = getattr(error, "problem", None) or str(error)
        if "maximum nesting depth" in problem:  # libyaml's own limit, met when it scans ahead
            return Diagnostic("too-deep", _TOO_DEEP, span, source_line=self._line(span.line))
        context = getattr(error, "context", None)
        if not self.json_mode:  # the officer's slip, where they must look, in their language
            from .yamlerrors import explain

            cmark = getattr(error, "context_mark", None)
            try:
                found = explain(problem, span.line, span.col, context, cmark.line + 1 if cmark else 0,
                                cmark.column + 1 if cmark else 0, self.lines)
            except Exception:  # a better sentence is a courtesy: never let it hide the error itself
                found = None
            if found is not None:
                at = Span(self.filename, found.line, found.col)
                return Diagnostic(found.code, found.message, at, source_line=self._line(found.line))
        detail = f"{problem} ({context})" if context else problem
        hint_vi, hint_en = _syntax_hint(problem, self._line(span.line), span.col)
        language = "JSON" if self.json_mode else "YAML"
        message = Text(
            vi=f"Lỗi cú pháp {language}: {detail}.{hint_vi}",
            en=f"{language} syntax error: {detail}.{hint_en}",
        )
        code = "json-syntax" if self.json_mode else "yaml-syntax"
        return Diagnostic(code, message, span, source_line=self._line(span.line))


def _syntax_hint(problem: str, line: str | None, col: int) -> tuple[str, str]:
    """A sentence for common slips: tabs, a colon YAML reads as a key, JSON surrogate pairs."""
    if line is not None and line[col - 1 : col] == "\t":
        return (
            " YAML không cho phép dùng phím Tab để thụt lề; hãy dùng dấu cách.",
            " YAML does not allow tabs for indentation; use spaces.",
        )
    if "mapping values are not allowed" in problem:
        return (
            " Có thể thiếu dấu cách sau dấu hai chấm, thụt lề sai, hoặc một giá trị chứa ': ' "
            "cần đặt trong ngoặc kép.",
            " A space may be missing after a colon, the indentation may be wrong, or a value "
            "containing ': ' needs double quotes.",
        )
    if "invalid Unicode character escape" in problem:
        return (
            " Hãy ghi trực tiếp ký tự thay cho cặp mã \\uD800–\\uDFFF.",
            " Write the character itself instead of a \\uD800–\\uDFFF surrogate pair.",
        )
    return "", ""


def _describe(value: object) -> tuple[str, str]:
    """What a refused key is, in words for people."""
    if isinstance(value, list):
        return "một danh sách", "a list"
    if isinstance(value, dict):
        return "một bảng khóa–giá trị", "a mapping"
    if isinstance(value, bool):
        word = str(value).lower()
        return f"giá trị đúng/sai '{word}'", f"the true/false value '{word}'"
    if value is None:
        return "giá trị rỗng", "empty (null)"
    return f"số thực {value}", f"the decimal number {value}"

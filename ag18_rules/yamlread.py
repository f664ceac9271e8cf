"""YAML read from its events into plain data, without positions.

The careful reader of :mod:`.source` records where every node starts, so that a diagnostic can
point at it, and that costs as much as the rest of the reading.  Most files need no diagnostic:
:func:`quick_build` reads them without positions, exactly as the careful reader would, and gives
up (:data:`UNUSUAL`) on anything the careful reader must report or count; then the careful reader
reads the file.  Scalars follow the YAML 1.2 rules people expect (:func:`resolve_plain`).
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata

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

__all__ = ["COLLECTION_TAGS", "STR_TAG", "UNUSUAL", "quick_build", "resolve_plain"]

STR_TAG = "tag:yaml.org,2002:str"
COLLECTION_TAGS = {
    MappingStartEvent: "tag:yaml.org,2002:map",
    SequenceStartEvent: "tag:yaml.org,2002:seq",
}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_SPECIAL_FLOATS = {".inf": math.inf, "+.inf": math.inf, "-.inf": -math.inf, ".nan": math.nan}
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})\Z")


class _Unusual(Exception):
    """Something only the careful reader can report (or count) with its position."""


UNUSUAL = object()
_AWAITING = object()  # a mapping's next node is a key


def quick_build(text: str, parser: type, max_depth: int) -> object:
    """The data of a YAML text, read without positions, or :data:`UNUSUAL` when anything in it
    -- a syntax error, a duplicate or merge key, a tag, an anchor or alias, a second document,
    nesting past ``max_depth`` -- needs the careful reader of :mod:`.source`, which reports it.

    What it accepts it reads exactly as the careful reader does; it only skips recording where
    every node starts, which costs as much as the rest of the reading.
    """
    events = parser(text)
    try:
        return _events(events.get_event, max_depth)
    except (_Unusual, ValueError, yaml.YAMLError):  # ValueError: a date that does not exist
        return UNUSUAL
    finally:
        events.dispose()


def _events(next_event, max_depth: int) -> object:
    stack: list[list] = []  # [container, key awaited or given] per open collection
    root, documents = None, 0
    normalized, normalize = unicodedata.is_normalized, unicodedata.normalize
    while True:
        event = next_event()
        kind = type(event)
        plain_merge = False
        if kind is ScalarEvent:
            if event.anchor is not None:
                raise _Unusual
            tag, value = event.tag, event.value
            if tag is None and event.implicit[0]:
                plain_merge = value == "<<"
                value = resolve_plain(value)
            elif tag is not None and tag != "!" and tag != STR_TAG:
                raise _Unusual
            if type(value) is str and not value.isascii() and not normalized("NFC", value):
                value = normalize("NFC", value)
        elif kind is MappingStartEvent or kind is SequenceStartEvent:
            if event.anchor is not None or event.tag not in (None, "!", COLLECTION_TAGS[kind]):
                raise _Unusual
            if len(stack) >= max_depth:
                raise _Unusual
            stack.append([{} if kind is MappingStartEvent else [], _AWAITING])
            continue
        elif kind is MappingEndEvent or kind is SequenceEndEvent:
            value = stack.pop()[0]
        elif kind is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _Unusual
            continue
        elif kind is StreamEndEvent:
            return root
        elif kind is AliasEvent:
            raise _Unusual
        else:
            continue
        if not stack:
            root = value
            continue
        frame = stack[-1]
        container = frame[0]
        if type(container) is list:
            container.append(value)
        elif frame[1] is _AWAITING:
            key_type = type(value)
            if plain_merge or not (key_type is str or key_type is int or key_type is dt.date):
                raise _Unusual
            frame[1] = value
        else:
            key = frame[1]
            if key in container:
                raise _Unusual
            container[key] = value
            frame[1] = _AWAITING


def resolve_plain(text: str) -> object:
    """YAML 1.2 core scalars as people mean them: only true/false are booleans, ISO dates are dates.

    Raises ValueError for a date-shaped value that is not a real date (2019-02-30).
    """
    if not text or text == "~":
        return None
    if text[0] in "0123456789+-.":
        if _INT.match(text):
            try:
                return int(text)
            except ValueError:  # longer than Python's int-from-text limit: keep the text
                return text
        if _FLOAT.match(text):
            return float(text)
        date = _DATE.match(text)
        if date:
            return dt.date(*map(int, date.groups()))
        return _SPECIAL_FLOATS.get(text.lower(), text)
    if len(text) in (4, 5):
        lowered = text.lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
        if lowered == "null":
            return None
    return text

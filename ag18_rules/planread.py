"""One pass over a loaded plan that proves it clean, at close to the speed of reading it.

Loading used to walk a plan five times after parsing it: Vietnamese labels to codes, YAML dates to
text, the boundary checks of :mod:`.limits`, a schema predicate, and a copy.  :func:`read_clean`
does all of it in one walk compiled from the shipped plan schema: each entity's fields are checked
in one loop with the common shapes (an id, a text, a count, an enumeration) handled inline, and
texts are collected to be checked in bulk (length, forbidden characters, id pattern) by the C
code of ``re`` and ``max``.  It answers True only when the plan certainly passes the schema and
the boundary checks; on anything else it answers False and the careful checks of :mod:`.plan`
run and explain every problem with its position.  The labels it has turned into codes by then are
the codes the careful path would give them, so nothing needs undoing.

The schema predicate :class:`SchemaCompiler` is the exact part: the fast loop falls back to it
for any value whose shape it does not inline.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache
from typing import Any, Callable, Mapping, Optional

from . import labels, schema

__all__ = ["SchemaCompiler", "read_clean"]

_ANNOTATIONS = frozenset({"$schema", "$id", "$defs", "$comment", "title", "description", "format",
                          "default", "examples"})
_OBJECT_KEYWORDS = frozenset({"properties", "additionalProperties", "required"})
# What YAML forbids in a stream, refused in any text of a plan (see :mod:`.limits`).
_BAD_CHARACTER = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


# --------------------------------------------------------------------------- exact predicate


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _same(a: Any, b: Any) -> bool:
    """JSON equality as jsonschema's ``enum`` and ``const`` use it (true is not 1)."""
    if isinstance(a, bool) or isinstance(b, bool) or a is None or b is None:
        return a is b
    if _is_number(a) and _is_number(b):
        return a == b
    return type(a) is type(b) and isinstance(a, str) and a == b


class SchemaCompiler:
    """Compiles the JSON Schema subset the plan schema uses into one Python predicate, True only
    when a value certainly meets the schema (False for anything it does not fully understand)."""

    def __init__(self, defs: Mapping[str, Any]):
        self.defs = defs
        self.compiled: dict[str, Callable[[Any], bool]] = {}

    def compile(self, node: Mapping[str, Any]) -> Callable[[Any], bool]:
        checks = [self._keyword(k, v, node) for k, v in node.items() if k not in _ANNOTATIONS | _OBJECT_KEYWORDS]
        if _OBJECT_KEYWORDS & node.keys():
            checks.append(self._object(node))
        return _all_of(checks)

    def _ref(self, ref: str) -> Callable[[Any], bool]:
        name = ref.removeprefix("#/$defs/")
        if name == ref or name not in self.defs:
            return _never
        if name not in self.compiled:
            self.compiled[name] = _never  # a recursive reference is left to jsonschema
            self.compiled[name] = self.compile(self.defs[name])
        return self.compiled[name]

    def _keyword(self, key: str, arg: Any, node: Mapping[str, Any]) -> Callable[[Any], bool]:
        if key == "$ref":
            return self._ref(arg)
        if key == "type":
            return _type_test([arg] if isinstance(arg, str) else arg, dates=schema.wants_date(node))
        if key == "enum" and all(isinstance(e, str) for e in arg):
            names = frozenset(arg)
            return lambda v: isinstance(v, str) and v in names
        if key == "enum":
            return lambda v: any(_same(v, e) for e in arg)
        if key == "const":
            return lambda v: _same(v, arg)
        if key == "pattern":
            regex = re.compile(arg)
            return lambda v: not isinstance(v, str) or regex.search(v) is not None
        if key == "minimum":
            return lambda v: not _is_number(v) or v >= arg
        if key == "items" and isinstance(arg, dict):
            item = self.compile(arg)
            return lambda v: not isinstance(v, list) or all(map(item, v))
        if key == "propertyNames" and isinstance(arg, dict):
            name = self.compile(arg)
            return lambda v: not isinstance(v, dict) or all(map(name, v))
        return _never  # a keyword this subset does not know: let jsonschema decide

    def _object(self, node: Mapping[str, Any]) -> Callable[[Any], bool]:
        """``properties``, ``additionalProperties`` and ``required`` in one pass over the keys."""
        props = {k: self.compile(s) for k, s in node.get("properties", {}).items()}
        more = node.get("additionalProperties", True)
        extra = None if more is True else _never if more is False else self.compile(more)
        required = tuple(node.get("required", ()))

        def check(value: Any) -> bool:
            if not isinstance(value, dict):
                return True
            if not all(k in value for k in required):
                return False
            for key, item in value.items():
                test = props.get(key, extra)
                if test is not None and not test(item):
                    return False
            return True

        return check


def _never(value: Any) -> bool:
    return False


def _all_of(checks: list[Callable[[Any], bool]]) -> Callable[[Any], bool]:
    if not checks:
        return lambda value: True
    first, rest = checks[0], checks[1:]
    if not rest:
        return first
    others = _all_of(rest)
    return lambda value: first(value) and others(value)


_EXACT_TYPES = {"string": str, "object": dict, "array": list, "boolean": bool, "null": type(None)}


def _type_test(names: list[str], dates: bool = False) -> Callable[[Any], bool]:
    """JSON Schema ``type`` over exactly the builtin types loaded data has (true is not an integer);
    a YAML date is text only where the schema asks for a date (``dates``)."""
    exact = frozenset(_EXACT_TYPES[n] for n in names if n in _EXACT_TYPES)
    if dates and str in exact:
        exact |= {schema.DateText}
    number, integer = "number" in names, "integer" in names or "number" in names

    def test(value: Any) -> bool:
        kind = type(value)
        if kind in exact:
            return True
        if kind is int:
            return integer
        return kind is float and (number or (integer and value.is_integer()))

    return test


# --------------------------------------------------------------------------- the one-pass reader


class _Unsure(Exception):
    """The fast pass cannot vouch for a value: the careful checks must look."""


class _Pass:
    """What one reading collects: texts to check in bulk, ids by pattern, counts, and the
    mappings whose YAML keys (``2019:``) become text once the whole plan is known clean."""

    __slots__ = ("texts", "ids", "most", "nodes", "rekey")

    def __init__(self, most: int, patterns):
        self.texts: list[str] = []
        self.ids: dict[Any, list[str]] = {search: [] for search in patterns}
        self.most = most
        self.nodes = 1
        self.rekey: dict[int, dict] = {}  # by identity: comparing mappings would cost their size


# How a field is read inline: by its kind, the rest by the field's exact reader.
_CALL, _TEXT, _ID, _COUNT, _ENUM, _BOOL, _OBJECT = range(7)


class _Field:
    """One schema node, compiled: the inline kind, its argument, and the exact reader."""

    __slots__ = ("kind", "arg", "nullable", "read")

    def __init__(self, kind: int, arg: Any, nullable: bool, read: Callable[[Any, _Pass], Any]):
        self.kind, self.arg, self.nullable, self.read = kind, arg, nullable, read


def _unsure(value: Any, state: _Pass) -> Any:
    raise _Unsure


class _ReaderCompiler:
    """Compiles schema nodes into :class:`_Field` readers (one per ``$defs`` entry, shared)."""

    def __init__(self, defs: Mapping[str, Any]):
        self.defs = defs
        self.exact = SchemaCompiler(defs)
        self.named: dict[str, _Field] = {}
        self.patterns: dict[str, Callable] = {}  # each id pattern's search, its ids checked together

    def field(self, node: Mapping[str, Any]) -> _Field:
        keys = node.keys() - _ANNOTATIONS
        if keys == {"$ref"}:
            return self._ref(node["$ref"])
        types = node.get("type")
        types = [types] if isinstance(types, str) else list(types or [])
        nullable = "null" in types
        shape = (keys - {"type"}, tuple(t for t in types if t != "null"))
        read = self._reader(node)
        if shape == (set(), ("string",)) and not schema.wants_date(node):
            return _Field(_TEXT, None, nullable, read)
        if shape == ({"pattern"}, ("string",)):
            search = self.patterns.setdefault(node["pattern"], re.compile(node["pattern"]).search)
            return _Field(_ID, search, nullable, read)
        if shape == ({"minimum"}, ("integer",)) and isinstance(node["minimum"], int):
            return _Field(_COUNT, node["minimum"], nullable, read)
        if shape == (set(), ("boolean",)):
            return _Field(_BOOL, None, nullable, read)
        if shape[1] == ("object",) and shape[0] and shape[0] <= _MAPPING:
            return _Field(_OBJECT, self._mapping(node), nullable, read)
        if keys == {"enum"} and all(isinstance(e, str) or e is None for e in node["enum"]):
            return _Field(_ENUM, frozenset(e for e in node["enum"] if e is not None), None in node["enum"], read)
        return _Field(_CALL, None, False, read)

    def _ref(self, ref: str) -> _Field:
        name = ref.removeprefix("#/$defs/")
        if name == ref or name not in self.defs:
            return _Field(_CALL, None, False, _unsure)
        if name not in self.named:
            self.named[name] = _Field(_CALL, None, False, _unsure)  # a loop is left to the careful path
            self.named[name] = self.field(self.defs[name])
        return self.named[name]

    def _reader(self, node: Mapping[str, Any]) -> Callable[[Any, _Pass], Any]:
        """The exact reader of one node: converts what the careful path converts (a label to its
        code, a YAML date to text where a date belongs), checks every keyword, reads inside."""
        test = self.exact.compile({k: v for k, v in node.items() if k not in _STRUCTURE})
        enum = node.get("enum") if isinstance(node.get("enum"), list) else None
        name = labels.enum_name(enum) if enum else None
        codes = frozenset(e for e in enum if isinstance(e, str)) if name else frozenset()
        dates = schema.wants_date(node)
        ref = self._ref(node["$ref"]).read if "$ref" in node else None
        mapping = self._mapping(node) if _MAPPING & node.keys() else None
        items = self.field(node["items"]) if isinstance(node.get("items"), dict) else None

        def read(value: Any, state: _Pass) -> Any:
            if name and type(value) is str and value not in codes:
                value = labels.normalise_enum(name, value) or value
            elif dates and type(value) is dt.date:
                value = schema.DateText(value.isoformat())
            if ref is not None:
                value = ref(value, state)
            if not test(value):
                raise _Unsure
            if mapping is not None and type(value) is dict:
                mapping(value, state)
            elif items is not None and type(value) is list:
                _read_list(value, items, state)
            return value

        return read

    def _mapping(self, node: Mapping[str, Any]) -> Callable[[dict, _Pass], None]:
        props = {k: self.field(s) for k, s in node.get("properties", {}).items()}
        more = node.get("additionalProperties", True)
        if more is True:  # any key with any value: the fast pass does not follow it
            return _unsure
        extra = None if more is False else self.field(more)
        names = self.exact.compile(node["propertyNames"]) if isinstance(node.get("propertyNames"), dict) else None
        required = tuple(node.get("required", ()))

        def read(value: dict, state: _Pass) -> None:
            for key in required:
                if key not in value:
                    raise _Unsure
            state.nodes += len(value)
            texts, ids, most = state.texts, state.ids, state.most
            for key, item in value.items():
                spec = props.get(key) if type(key) is str else None
                if spec is None:
                    spec = _extra_key(key, extra, names, value, state)
                # _inline, written out: this loop runs for every field of every entity
                kind, kind_of = spec.kind, type(item)
                if kind == _TEXT:
                    if kind_of is str:
                        texts.append(item)
                        continue
                elif kind == _ID:
                    if kind_of is str:
                        ids[spec.arg].append(item)
                        continue
                elif kind == _OBJECT:
                    if kind_of is dict:
                        spec.arg(item, state)
                        continue
                elif kind == _COUNT:
                    if kind_of is int and spec.arg <= item <= most:
                        continue
                elif kind == _ENUM:
                    if kind_of is str and item in spec.arg:
                        continue
                elif kind == _BOOL and kind_of is bool:
                    continue
                if item is None and spec.nullable:
                    continue
                _call(spec, value, key, item, state)

        return read


_MAPPING = frozenset({"properties", "additionalProperties", "required", "propertyNames"})
_STRUCTURE = _MAPPING | {"items", "$ref"}


def _extra_key(key: Any, extra: Optional[_Field], names, mapping: dict, state: _Pass) -> _Field:
    """The reader of a key the schema does not name; a YAML integer key is read as its text."""
    if extra is None:
        raise _Unsure
    if type(key) is int:
        state.rekey[id(mapping)] = mapping
        key = str(key)
    if type(key) is not str or (names is not None and not names(key)):
        raise _Unsure
    state.texts.append(key)
    return extra


def _inline(spec: _Field, item: Any, state: _Pass) -> bool:
    """True when ``item`` is certainly right for ``spec`` by a test of its common shape."""
    kind, kind_of = spec.kind, type(item)
    if kind == _TEXT:
        if kind_of is str:
            state.texts.append(item)
            return True
    elif kind == _ID:
        if kind_of is str:
            state.ids[spec.arg].append(item)
            return True
    elif kind == _OBJECT:
        if kind_of is dict:
            spec.arg(item, state)
            return True
    elif kind == _COUNT:
        if kind_of is int and spec.arg <= item <= state.most:
            return True
    elif kind == _ENUM:
        if kind_of is str and item in spec.arg:
            return True
    elif kind == _BOOL:
        if kind_of is bool:
            return True
    return item is None and spec.nullable


def _call(spec: _Field, container: Any, key: Any, item: Any, state: _Pass) -> None:
    """Read ``item`` exactly; store what it became (a code for a label); bound a scalar."""
    new = spec.read(item, state)
    if new is not item:
        container[key] = new
    kind = type(new)
    if kind is str or kind is schema.DateText:
        state.texts.append(new)
    elif kind is float:
        if not math.isfinite(new) or abs(new) > state.most:
            raise _Unsure
    elif kind is int and abs(new) > state.most:
        raise _Unsure


def _read_list(value: list, spec: _Field, state: _Pass) -> None:
    state.nodes += len(value)
    if spec.kind == _OBJECT:
        mapping = spec.arg
        for index, item in enumerate(value):
            if type(item) is dict:
                mapping(item, state)
            else:
                _call(spec, value, index, item, state)
        return
    if spec.kind == _CALL:
        for index, item in enumerate(value):
            _call(spec, value, index, item, state)
        return
    for index, item in enumerate(value):
        if not _inline(spec, item, state):
            _call(spec, value, index, item, state)


@lru_cache(maxsize=None)
def _plan_reader() -> tuple[Callable[[Any, _Pass], Any], tuple]:
    """The plan schema's exact reader, and the searches of its id patterns."""
    plan_schema = schema.load_schema("plan")
    compiler = _ReaderCompiler(plan_schema.get("$defs", {}))
    return compiler.field(plan_schema).read, tuple(compiler.patterns.values())


def read_clean(data: Any, limits, *, nfc: bool = False) -> bool:
    """True when ``data`` (a plan as loaded) certainly meets the plan schema and ``limits``; its
    labels are then codes and its YAML dates and keys text, as the careful path would make them.
    With ``nfc``, also only when every text is in NFC (JSON read without settling).

    False means nothing but "look carefully": the data may hold labels already turned into codes.
    """
    if type(data) is not dict:
        return False
    read, patterns = _plan_reader()
    state = _Pass(limits.max_number, patterns)
    try:
        read(data, state)
    except (_Unsure, RecursionError):
        return False
    if not _texts_clean(state, limits.max_string, nfc) or state.nodes > limits.max_nodes:
        return False
    for mapping in state.rekey.values():
        text = {str(k): v for k, v in mapping.items()}
        if len(text) != len(mapping):
            return False  # 2019 and '2019' both: the careful path reports it
        mapping.clear()
        mapping.update(text)
    return True


def _texts_clean(state: _Pass, longest: int, nfc: bool) -> bool:
    """Every text within ``longest`` characters and free of forbidden characters (with ``nfc``,
    in NFC); every id matching its pattern: checked in bulk, in C.  Texts are joined with a line
    break, which no character composes with, so the whole is in NFC exactly when each text is."""
    texts = state.texts
    if texts:
        joined = "\n".join(texts)
        if max(map(len, texts)) > longest or _BAD_CHARACTER.search(joined):
            return False
        if nfc and not joined.isascii() and not unicodedata.is_normalized("NFC", joined):
            return False
    for search, ids in state.ids.items():
        if ids and max(map(len, ids)) > longest or not all(map(search, ids)):
            return False
    return True

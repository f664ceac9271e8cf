"""JSON Schema validation with diagnostics written for people.

The schemas shipped in ``ag18_rules/schemas/`` are the contract for editors; this module runs
them and turns every error into a :class:`~ag18_rules.errors.Diagnostic` at the position of the
offending field, in Vietnamese and English, with "did you mean" for misspelt keys and values.
"""
from __future__ import annotations

import datetime as dt
import difflib
import json
from functools import lru_cache
from importlib import resources
from typing import Any, Iterable

import jsonschema

from . import labels
from .errors import Diagnostic, Text

__all__ = ["DateText", "closest", "load_schema", "report_problems", "to_json_data", "validate", "wants_date"]


@lru_cache(maxsize=None)
def load_schema(name: str) -> dict:
    """The shipped schema ``name`` (``plan``, ``rule``, ``policy``, ``tests``)."""
    text = resources.files("ag18_rules").joinpath("schemas", f"{name}.schema.json").read_text("utf-8")
    return json.loads(text)


class DateText(str):
    """A YAML date (``2018-04-19`` unquoted) as JSON text: valid only where the schema asks for a
    date, so a date written where text belongs (a ``quote:``, a name) is reported, not crashed on."""

    __slots__ = ()


def wants_date(node: Any) -> bool:
    """True when a schema node describes a date written YYYY-MM-DD."""
    if not isinstance(node, dict):
        return False
    return node.get("format") == "date" or "{4}-" in str(node.get("pattern", ""))


def _type(validator, types, instance, node):
    if isinstance(instance, DateText) and not wants_date(node):
        yield jsonschema.ValidationError(f"{instance} is a date, not text", validator="date-as-text")
        return
    yield from _TYPE(validator, types, instance, node)


_TYPE = jsonschema.validators.validator_for({}).VALIDATORS["type"]


@lru_cache(maxsize=None)
def _validator(name: str) -> jsonschema.protocols.Validator:
    schema = load_schema(name)
    cls = jsonschema.validators.validator_for(schema)
    return jsonschema.validators.extend(cls, {"type": _type})(schema)


@lru_cache(maxsize=None)
def _output_validator(name: str) -> jsonschema.protocols.Validator:
    schema = load_schema(name)
    return jsonschema.validators.validator_for(schema)(schema)


def report_problems(data: Any, name: str = "report") -> list[str]:
    """What keeps ``data`` (a report's ``to_dict()``, or ``{"reports": [...]}``) from meeting the
    published schema ``name`` (``report`` or ``diagnostics``): one line per problem, empty when valid."""
    validator = _output_validator(name)
    return sorted(f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
                  for e in validator.iter_errors(data))


def to_json_data(data: Any) -> Any:
    """YAML data in JSON's types: dates become ISO strings (:class:`DateText`), keys strings."""
    if isinstance(data, dict):
        return {_key(k): to_json_data(v) for k, v in data.items()}
    if isinstance(data, list):
        return [to_json_data(v) for v in data]
    if isinstance(data, dt.date):
        return DateText(data.isoformat())
    return data


def _key(k: Any) -> str:
    return k.isoformat() if isinstance(k, dt.date) else str(k)


def closest(word: str, options: Iterable[str]) -> str | None:
    match = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.6)
    return match[0] if match else None


def validate(doc, name: str, data: Any = None, base: tuple = ()) -> list[Diagnostic]:
    """Every schema error of ``data`` (default: the document's data) as diagnostics.

    ``doc`` is a :class:`ag18_rules.source.Document`; ``base`` is the path of ``data`` inside it,
    for validating one part of a document against a sub-schema.
    """
    data = doc.data if data is None else data
    validator = _validator(name)
    out = []
    for error in validator.iter_errors(to_json_data(data)):
        for leaf in _leaves(error):
            out.append(_diagnostic(doc, data, base, leaf))
    return out


def _leaves(error):
    """The most specific errors: for oneOf/anyOf, the alternatives' own errors when telling."""
    if error.context and error.validator in ("anyOf", "oneOf"):
        best = jsonschema.exceptions.best_match(error.context)
        return [best] if best is not None else [error]
    return [error]


def _real_path(data: Any, path: Iterable) -> tuple:
    """Map a JSON path (string keys) back to the YAML data's own keys (ints, dates)."""
    out = []
    node = data
    for step in path:
        if isinstance(node, dict) and step not in node:
            step = next((k for k in node if _key(k) == step), step)
        out.append(step)
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            node = None
    return tuple(out)


def _diagnostic(doc, data, base, error) -> Diagnostic:
    path = base + _real_path(data, error.absolute_path)
    v, value, schema = error.validator, error.instance, error.schema
    if v == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        extra = sorted(set(value) - set(allowed), key=str) if isinstance(value, dict) else []
        key = next((k for k in (value or {}) if _key(k) in extra), extra[0] if extra else "")
        hint = closest(_key(key), allowed)
        vi = f"Khóa '{_key(key)}' không được phép ở đây"
        en = f"Key '{_key(key)}' is not allowed here"
        if hint:
            vi += f"; có phải ý là '{hint}'?"
            en += f"; did you mean '{hint}'?"
        else:
            vi += f". Các khóa được phép: {', '.join(allowed)}"
            en += f". Allowed keys: {', '.join(allowed)}"
        return doc.diagnostic("unknown-key", Text(vi, en), path + (key,), key=True)
    if v == "required":
        missing = error.message.split("'")[1] if "'" in error.message else error.message
        return doc.diagnostic("missing-key", Text(f"Thiếu khóa bắt buộc '{missing}'",
                                                  f"Required key '{missing}' is missing"), path, key=bool(path))
    if v in ("enum", "const"):
        allowed = schema.get("enum") or [schema.get("const")]
        hint = closest(value, [a for a in allowed if isinstance(a, str)])
        name = labels.enum_name(allowed)
        near = labels.suggest_enum(name, value) if name and isinstance(value, str) else None
        listed = ", ".join(json.dumps(a, ensure_ascii=False) for a in allowed)
        vi = f"Giá trị {json.dumps(value, ensure_ascii=False)} không hợp lệ; giá trị được phép: {listed}"
        en = f"Value {json.dumps(value, ensure_ascii=False)} is not allowed; allowed values: {listed}"
        if near:  # a mistyped Vietnamese label or code: suggest the code with its label
            vi += f". Có phải ý là '{near}' ({labels.label(name, near)})?"
            en += f". Did you mean '{near}' ({labels.label(name, near, 'en')})?"
        elif hint:
            vi += f". Có phải ý là '{hint}'?"
            en += f". Did you mean '{hint}'?"
        return doc.diagnostic("bad-value", Text(vi, en), path)
    if v == "date-as-text":
        return doc.diagnostic("date-as-text", Text(
            f"{value} được đọc là một ngày, nhưng ở đây cần văn bản; hãy đặt trong dấu nháy: '{value}'",
            f"{value} reads as a date, but text is expected here; put it in quotes: '{value}'"), path)
    if v == "type":
        want = schema.get("type")
        want = " hoặc ".join(want) if isinstance(want, list) else want
        want_en = " or ".join(schema["type"]) if isinstance(schema.get("type"), list) else schema.get("type")
        got = _json_type(value)
        return doc.diagnostic("bad-type", Text(f"Cần kiểu {_vi_type(want)}, nhưng nhận được {_vi_type(got)}",
                                               f"Expected {want_en}, got {got}"), path)
    if v == "pattern" and "propertyNames" in error.relative_schema_path:  # a key, e.g. a date 25/11/2020
        return _bad_key(doc, data, path, value, schema["pattern"])
    if v == "pattern":
        form = _FORMS.get(schema["pattern"])
        vi_form = f": {form.vi}" if form else f" ({schema['pattern']})"
        en_form = f": {form.en}" if form else f" ({schema['pattern']})"
        return doc.diagnostic("bad-value", Text(
            f"Giá trị {json.dumps(value, ensure_ascii=False)} không đúng dạng quy định{vi_form}",
            f"Value {json.dumps(value, ensure_ascii=False)} does not have the required form{en_form}"), path)
    if v in ("minimum", "exclusiveMinimum"):
        return doc.diagnostic("bad-value", Text(f"Giá trị {value} phải không âm (tối thiểu {error.validator_value})",
                                                f"Value {value} is below the minimum {error.validator_value}"), path)
    if v in ("minItems", "minLength"):
        return doc.diagnostic("bad-value", Text("Không được để trống", "Must not be empty"), path)
    return doc.diagnostic("schema", Text(f"Không hợp lệ: {error.message}", f"Invalid: {error.message}"), path)


def _bad_key(doc, data, path: tuple, key: Any, pattern: str) -> Diagnostic:
    """A key that does not have the required form, at the key itself, with the ISO form of a
    ``dd/mm/yyyy`` date."""
    from .yamlerrors import date_hint

    node = doc.data
    for step in path:
        node = node[step] if isinstance(node, (dict, list)) else None
    real = next((k for k in node if _key(k) == key), key) if isinstance(node, dict) else key
    hint = date_hint(key)
    form = _FORMS.get(pattern) or Text(pattern, pattern)
    message = hint or Text(f"Khóa {json.dumps(key, ensure_ascii=False)} không đúng dạng quy định: {form.vi}",
                           f"Key {json.dumps(key, ensure_ascii=False)} does not have the required form: {form.en}")
    return doc.diagnostic("bad-date" if hint else "bad-key", message, path + (real,), key=True)


_FORMS = {
    "^[0-9]{4}-[0-9]{2}-[0-9]{2}$": Text("ngày dạng YYYY-MM-DD", "a date written YYYY-MM-DD"),
    "^[A-Za-z0-9_./-]+$(?!\\n)": Text("chỉ gồm chữ cái không dấu, chữ số và các ký tự - _ . /",
                               "only unaccented letters, digits and - _ . /"),
    "^[a-z0-9][a-z0-9-]*$": Text("chữ thường không dấu, chữ số và dấu gạch ngang, ví dụ deputy-cap",
                                 "lower-case unaccented letters, digits and hyphens, e.g. deputy-cap"),
    "^\\d{4}-\\d{2}-\\d{2}$": Text("ngày dạng YYYY-MM-DD", "a date written YYYY-MM-DD"),
    "^[A-Za-z_][A-Za-z0-9_]*$": Text("tên dữ kiện: chữ cái không dấu, chữ số và dấu gạch dưới",
                                     "a fact name: unaccented letters, digits and underscores"),
    "^[a-z0-9_]+(\\.[a-z0-9_]+)*$": Text("mã tham số, ví dụ deputy.department_unit_max",
                                          "a parameter id, e.g. deputy.department_unit_max"),
    "^[0-9]{4}$": Text("một năm gồm 4 chữ số", "a four-digit year"),
}


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


_VI_TYPES = {"string": "chuỗi", "integer": "số nguyên", "number": "số", "boolean": "true/false",
             "object": "ánh xạ (khóa: giá trị)", "array": "danh sách", "null": "rỗng (null)"}


def _vi_type(name: str) -> str:
    return " hoặc ".join(_VI_TYPES.get(n.strip(), n) for n in str(name).split(" hoặc "))

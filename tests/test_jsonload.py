"""JSON plans read by the C parser: strict JSON, the same data and positions as the careful reader."""
import json

import pytest

from ag18_rules.errors import InputError
from ag18_rules.source import _Builder, load_text


def problems(text, name="p.json"):
    with pytest.raises(InputError) as caught:
        load_text(text, name)
    return [(d.code, d.span.line, d.span.col) for d in caught.value.diagnostics]


def test_trailing_commas_are_refused_at_their_place():
    assert problems('{"a": [1, 2,]}') == [("json-syntax", 1, 13)]
    assert problems('{\n  "a": 1,\n}\n') == [("json-syntax", 3, 1)]


def test_nan_and_infinity_are_refused():
    assert problems('{"a": NaN}')[0][0] == "json-syntax"
    assert problems('{"a": [Infinity]}')[0][0] == "json-syntax"
    assert problems('{"a": -Infinity}')[0][0] == "json-syntax"


def test_duplicate_keys_are_refused_with_the_careful_readers_position():
    assert problems('{"x": {"a": 1,\n "a": 2}}') == [("duplicate-key", 2, 2)]


def test_surrogate_pair_escapes_are_one_character_and_lone_ones_are_refused():
    doc = load_text('{"name": "c\\ud83d\\ude00"}', "p.json")
    assert doc.data == {"name": "c\U0001F600"}
    assert problems('{"name": "c\\ud83d"}') == [("json-syntax", 1, 12)]
    assert problems('{"name": "\\ude00x"}') == [("json-syntax", 1, 11)]


def test_escaped_accents_are_normalised_like_typed_ones():
    assert load_text('{"n": "Vie\\u0323\\u0302t"}', "p.json").data == {"n": "Việt"}
    assert load_text('{"n": "Vie\u0323\u0302t"}', "p.json").data == {"n": "Việt"}


def test_too_deep_is_refused_by_the_careful_reader():
    assert problems("[" * 70 + "]" * 70)[0][0] == "too-deep"


def test_same_data_and_positions_as_the_careful_reader():
    text = json.dumps({"plan": {"id": "p", "items": [1, 2.5, True, None, "2021-01-01", {"k": "v"}]}},
                      indent=2)
    doc = load_text(text, "p.json")
    careful, root = _Builder("p.json", tuple(text.splitlines()), True).build(text)
    assert doc.data == careful
    assert doc._root is None  # no position read yet
    assert doc.span(("plan", "items", 5, "k")).line == 11
    assert doc.span(("plan", "items", 5, "k")) == doc.span(("plan", "items", 5, "k"))


def test_positions_are_found_in_a_file_with_surrogate_pair_escapes():
    text = '{"a": "\\ud83d\\ude00",\n "b": {"c": 1}}'
    doc = load_text(text, "p.json")
    assert doc.data == {"a": "\U0001F600", "b": {"c": 1}}
    span = doc.span(("b", "c"))
    assert (span.line, span.col) == (2, 13)

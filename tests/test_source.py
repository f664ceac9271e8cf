"""Tests for ag18_rules.source: safe loading with the position of every key and value."""
from __future__ import annotations

import datetime as dt
import math
import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
import yaml

from ag18_rules import source
from ag18_rules.errors import InputError, Span, Text
from ag18_rules.source import Document, format_path, load_file, load_text

PLAN = textwrap.dedent(
    """\
    format: ag18-plan/1
    plan:
      id: ag-sonv-2019
      effective: 2019-07-01
    after:
      organizations:
        - id: sonv
          type: department
        - id: sonv/phong-tccb
          parent: sonv
          staff: {civil_servants: 9, contract: 1}
          formed_from: [sonv/phong-a, sonv/phong-b]
      people:
        - id: p-017
          ratings: {2017: completed, 2018: not_completed}
    """
)


def problems(text: str, filename: str = "plan.yaml") -> list[tuple[str, int, int]]:
    """(code, line, col) of every diagnostic raised while loading ``text``."""
    with pytest.raises(InputError) as caught:
        load_text(text, filename)
    return [(d.code, d.span.line, d.span.col) for d in caught.value.diagnostics]


def only_diagnostic(text: str, filename: str = "plan.yaml"):
    with pytest.raises(InputError) as caught:
        load_text(text, filename)
    (diagnostic,) = caught.value.diagnostics
    return diagnostic


# --------------------------------------------------------------------------- data and spans


def test_data_is_plain_python():
    doc = load_text(PLAN, "plan.yaml")
    assert doc.data["plan"] == {"id": "ag-sonv-2019", "effective": dt.date(2019, 7, 1)}
    org = doc.data["after"]["organizations"][1]
    assert org["staff"] == {"civil_servants": 9, "contract": 1}
    assert org["formed_from"] == ["sonv/phong-a", "sonv/phong-b"]
    assert doc.filename == "plan.yaml"
    assert doc.lines[9] == "      parent: sonv"


def test_value_and_key_spans_of_nested_fields():
    doc = load_text(PLAN, "plan.yaml")
    assert doc.span(("plan", "id")) == Span("plan.yaml", 3, 7)
    assert doc.key_span(("plan", "id")) == Span("plan.yaml", 3, 3)
    assert doc.span(("after", "organizations", 1, "parent")) == Span("plan.yaml", 10, 15)
    assert doc.key_span(("after", "organizations", 1, "parent")) == Span("plan.yaml", 10, 7)
    contract = ("after", "organizations", 1, "staff", "contract")
    assert doc.span(contract) == Span("plan.yaml", 11, 44)
    assert doc.key_span(contract) == Span("plan.yaml", 11, 34)
    # a block mapping starts at its first key; the root at 1:1
    assert doc.span(("plan",)) == Span("plan.yaml", 3, 3)
    assert doc.span(()) == Span("plan.yaml", 1, 1)


def test_list_items_are_addressed_by_index():
    doc = load_text(PLAN, "plan.yaml")
    assert doc.span(("after", "organizations", 0)) == Span("plan.yaml", 7, 7)
    assert doc.span(("after", "organizations", 1)) == Span("plan.yaml", 9, 7)
    assert doc.span(("after", "organizations", 1, "formed_from", 1)) == Span("plan.yaml", 12, 35)
    # the key span of a list item is the item itself
    assert doc.key_span(("after", "organizations", 1)) == Span("plan.yaml", 9, 7)


def test_missing_path_points_at_deepest_existing_ancestor():
    doc = load_text(PLAN, "plan.yaml")
    org = ("after", "organizations", 0)
    assert doc.span(org + ("parent",)) == doc.span(org) == Span("plan.yaml", 7, 7)
    assert doc.key_span(org + ("parent",)) == Span("plan.yaml", 7, 7)
    assert doc.span(("after", "organizations", 7, "id")) == Span("plan.yaml", 7, 5)
    assert doc.span(("after", "organizations", "0")) == Span("plan.yaml", 7, 5)  # a str is no index
    assert doc.span(("plan", "id", "deeper")) == Span("plan.yaml", 3, 7)  # below a scalar


def test_empty_value_points_after_its_colon():
    doc = load_text("org:\n  parent:\n  id: x\n", "p.yaml")
    assert doc.data == {"org": {"parent": None, "id": "x"}}
    assert doc.span(("org", "parent")) == Span("p.yaml", 2, 10)
    assert doc.key_span(("org", "parent")) == Span("p.yaml", 2, 3)


def test_line_text_and_diagnostic_helper():
    doc = load_text(PLAN, "plan.yaml")
    path = ("after", "organizations", 1, "parent")
    message = Text(vi="Không có tổ chức cha 'sonv'.", en="No parent organisation 'sonv'.")
    diagnostic = doc.diagnostic("unknown-parent", message, path)
    assert diagnostic.code == "unknown-parent"
    assert diagnostic.span == Span("plan.yaml", 10, 15)
    assert diagnostic.path == "after.organizations[1].parent"
    assert diagnostic.source_line == "      parent: sonv"
    assert diagnostic.render("en").splitlines() == [
        "plan.yaml:10:15: unknown-parent: No parent organisation 'sonv'."
        " (after.organizations[1].parent)",
        "          parent: sonv",
        "                  ^",
    ]
    assert doc.diagnostic("x", message, path, key=True).span == Span("plan.yaml", 10, 7)
    assert doc.line_text(Span("plan.yaml", 99, 1)) is None
    assert doc.line_text(Span("other.yaml", 1, 1)) is None


def test_document_without_positions_answers_with_the_file_name():
    doc = Document({"a": [1]}, "<dict>")
    assert doc.span(("a", 0)) == Span("<dict>")
    assert doc.diagnostic("x", Text("v", "e"), ("a", 0)).render("en") == "<dict>: x: e (a[0])"


def test_aliases_share_the_anchored_value_and_its_positions():
    doc = load_text("base: &b {heads: 1}\ncopy: *b\n", "a.yaml")
    assert doc.data == {"base": {"heads": 1}, "copy": {"heads": 1}}
    assert doc.span(("copy",)) == Span("a.yaml", 2, 7)
    assert doc.span(("copy", "heads")) == Span("a.yaml", 1, 18)


# --------------------------------------------------------------------------- scalars for people


def test_only_true_and_false_are_booleans():
    doc = load_text("[yes, no, on, off, y, n, true, False, TRUE, 'true']")
    assert doc.data == ["yes", "no", "on", "off", "y", "n", True, False, True, "true"]


def test_nulls_numbers_and_strings():
    doc = load_text("[~, null, NULL, '', 7, -3, 007, 1.5, 1e3, .inf, 0x1A, 1_000, '7', 3.0.1]")
    assert doc.data[:4] == [None, None, None, ""]
    assert doc.data[4:10] == [7, -3, 7, 1.5, 1000.0, math.inf]
    assert doc.data[10:] == ["0x1A", "1_000", "7", "3.0.1"]
    assert type(doc.data[8]) is float
    assert load_text("a:\nb: ''\n").data == {"a": None, "b": ""}


def test_dates_and_integer_and_date_keys():
    text = "effective: 2019-07-01\nquoted: '2019-07-01'\nstamp: 2019-07-01T10:00:00\n" \
        "ratings: {2017: good, '2018': completed}\nvalues:\n  2020-11-25: {value: 2}\n"
    doc = load_text(text)
    assert doc.data["effective"] == dt.date(2019, 7, 1)
    assert doc.data["quoted"] == "2019-07-01"
    assert doc.data["stamp"] == "2019-07-01T10:00:00"
    assert doc.data["ratings"] == {2017: "good", "2018": "completed"}
    assert doc.data["values"] == {dt.date(2020, 11, 25): {"value": 2}}
    assert doc.span(("ratings", 2017)) == Span("<string>", 4, 17)
    assert doc.span(("ratings", "2017")) == Span("<string>", 4, 10)  # key types must match
    assert doc.span(("values", dt.date(2020, 11, 25), "value")) == Span("<string>", 6, 23)


def test_impossible_date_is_reported():
    diagnostic = only_diagnostic("effective: 2019-02-30\n")
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.col) == ("bad-date", 1, 12)
    assert diagnostic.message.vi == "Ngày '2019-02-30' không tồn tại."


def test_explicit_str_tag_keeps_text():
    assert load_text("a: !!str 2017\nb: ! yes\n").data == {"a": "2017", "b": "yes"}


# --------------------------------------------------------------------------- problems in the text


def test_duplicate_key_points_at_second_and_names_first_line():
    text = "organizations:\n  - id: a\n    parent: x\n    name: A\n    parent: y\n"
    diagnostic = only_diagnostic(text)
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.col) == ("duplicate-key", 5, 5)
    assert diagnostic.message.vi == "Khóa 'parent' bị lặp lại (lần đầu ở dòng 3)."
    assert diagnostic.message.en == "Key 'parent' is repeated (first at line 3)."
    assert diagnostic.source_line == "    parent: y"


def test_int_key_and_string_key_are_different_keys_but_01_repeats_1():
    assert load_text("{1: a, '1': b}").data == {1: "a", "1": "b"}
    assert problems("{1: a, 01: b}") == [("duplicate-key", 1, 8)]


def test_all_problems_are_collected_and_sorted():
    text = "b: 1\nb: 2\n<<: {x: 1}\n[1, 2]: list\ntrue: bool\nd: 2019-13-01\ne: !foo 1\n"
    assert problems(text) == [
        ("duplicate-key", 2, 1),
        ("merge-key", 3, 1),
        ("bad-key", 4, 1),
        ("bad-key", 5, 1),
        ("bad-date", 6, 4),
        ("yaml-tag", 7, 4),
    ]


def test_custom_and_python_tags_are_refused():
    text = "a: !!python/object/apply:os.system ['echo hi']\nb: !foo x\nc: !!set {x}\n"
    diagnostics = problems(text)
    assert diagnostics == [("yaml-tag", 1, 4), ("yaml-tag", 2, 4), ("yaml-tag", 3, 4)]
    message = only_diagnostic("a: !!python/object:os.system x\n").message
    assert message.en == (
        "The YAML tag '!!python/object:os.system' is not supported; use plain values only."
    )


def test_syntax_error_has_problem_position_and_text():
    diagnostic = only_diagnostic("plan:\n  id: x\n  title: [a, b\nafter: {}\n")
    # at the bracket left open, not where the scanner gave up (4:6); see tests/test_broken_files.py
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.col) == ("yaml-unclosed-bracket", 3, 10)
    assert "'[' opened on line 3 is not closed" in diagnostic.message.en
    assert diagnostic.message.vi.startswith("Dấu '[' mở ở dòng 3 chưa được đóng")
    diagnostic = only_diagnostic("a: b\nc: [\n")
    assert diagnostic.code.startswith("yaml-")


def test_tab_indentation_gets_a_hint():
    diagnostic = only_diagnostic("plan:\n\tid: x\n")
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.col) == ("yaml-tab", 2, 1)
    assert "Tab" in diagnostic.message.vi and "tab" in diagnostic.message.en


def test_undefined_alias():
    diagnostic = only_diagnostic("a: &x [*x]\n")
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.col) == ("yaml-syntax", 1, 8)
    assert "'*x'" in diagnostic.message.en


def test_multiple_documents_are_refused_at_the_second():
    assert problems("a: 1\n---\nb: 2\n") == [("multiple-documents", 2, 1)]
    assert load_text("---\na: 1\n...\n").data == {"a": 1}


def test_empty_input_gives_none():
    assert load_text("").data is None
    assert load_text("# only a comment\n").data is None
    assert load_text("").span(("plan",)) == Span("<string>", 1, 1)


def test_control_character_is_an_encoding_problem():
    diagnostic = only_diagnostic("a: x\nb: y\x0cz\n")
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.col) == ("encoding", 2, 5)
    assert "U+000C" in diagnostic.message.en


# --------------------------------------------------------------------------- resource limits


def billion_laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for level in range(1, levels):
        prev, name = chr(ord("a") + level - 1), chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_without_being_built():
    diagnostic = only_diagnostic(billion_laughs())
    assert diagnostic.code == "too-many-nodes"
    assert diagnostic.span.line == 7  # 9**7 > 1,000,000: refused at the first alias past the budget


def test_moderate_alias_use_is_allowed():
    doc = load_text(billion_laughs(levels=5))
    assert len(doc.data["e"]) == 9 and doc.data["e"][0][0][0][0] == ["lol"] * 9


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_nesting_up_to_the_limit_is_fine_and_deeper_is_refused():
    assert load_text(nested(source.MAX_DEPTH)).span((0,) * (source.MAX_DEPTH - 1)) == Span(
        "<string>", 1, source.MAX_DEPTH
    )
    assert problems(nested(source.MAX_DEPTH + 1)) == [("too-deep", 1, source.MAX_DEPTH + 1)]


def test_very_deep_nesting_is_refused_quickly():
    assert [code for code, _, _ in problems(nested(1_000_000))] == ["too-deep"]
    assert problems("{a: " * 100_000) == [("too-deep", 1, 4 * source.MAX_DEPTH + 1)]
    block = "".join(" " * i + "- \n" for i in range(0, 2 * (source.MAX_DEPTH + 5), 2))
    assert problems(block) == [("too-deep", source.MAX_DEPTH + 1, 2 * source.MAX_DEPTH + 1)]


# --------------------------------------------------------------------------- files


def test_load_file_reads_yaml_with_file_name_in_spans(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN, encoding="utf-8")
    doc = load_file(path)
    assert doc.filename == str(path)
    assert doc.span(("plan", "id")) == Span(str(path), 3, 7)


def test_file_just_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"a: 12345\n")  # 9 bytes
    assert load_file(path, max_bytes=9).data == {"a": 12345}
    with pytest.raises(InputError) as caught:
        load_file(path, max_bytes=8)
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.code == "too-large"
    assert diagnostic.span == Span(str(path))
    assert diagnostic.message.en == "The file is too large (9 bytes); the limit is 8 bytes."
    assert diagnostic.message.vi == "Tệp quá lớn (9 byte); giới hạn là 8 byte."


def test_size_is_checked_before_reading(tmp_path):
    path = tmp_path / "huge.yaml"
    with open(path, "wb") as stream:
        stream.truncate(2**40)  # sparse: a terabyte that is never read
    with pytest.raises(InputError) as caught:
        load_file(path)
    assert [d.code for d in caught.value.diagnostics] == ["too-large"]
    assert "5.242.880 byte" in caught.value.diagnostics[0].message.vi


def test_missing_file_and_directory(tmp_path):
    with pytest.raises(InputError) as caught:
        load_file(tmp_path / "nope.yaml")
    assert [d.code for d in caught.value.diagnostics] == ["file-not-found"]
    with pytest.raises(InputError) as caught:
        load_file(tmp_path)
    assert [d.code for d in caught.value.diagnostics] == ["not-a-file"]
    assert caught.value.diagnostics[0].message.vi == "Đây là một thư mục, không phải một tệp."


def test_invalid_utf8_is_reported_with_its_position(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes("name: Sở Nội vụ\nnote: ab".encode("utf-8") + b"\xff\xfe cd\n")
    with pytest.raises(InputError) as caught:
        load_file(path)
    (diagnostic,) = caught.value.diagnostics
    assert (diagnostic.code, diagnostic.span.line, diagnostic.span.col) == ("encoding", 2, 9)
    assert "0xFF" in diagnostic.message.en


def test_utf8_and_utf16_byte_order_marks(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_bytes("\ufeffname: Sở Nội vụ\n".encode("utf-8"))
    assert load_file(path).data == {"name": "Sở Nội vụ"}
    path.write_bytes("name: Sở Nội vụ\n".encode("utf-16"))
    assert load_file(path).span(("name",)) == Span(str(path), 1, 7)


# --------------------------------------------------------------------------- JSON


JSON_PLAN = (
    '{\n\t"plan": {"id": "x\\/y", "effective": "2019-07-01"},\n'
    '\t"after": {"organizations": [\n'
    '\t\t{"id": "a", "heads": 1, "deputies": 2.5, "intermediate": false, "parent": null}\n'
    "\t]}\n}\n"
)


def test_json_is_parsed_with_spans_tabs_and_escaped_slash(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(JSON_PLAN, encoding="utf-8")
    doc = load_file(path)
    assert doc.data["plan"] == {"id": "x/y", "effective": "2019-07-01"}  # JSON strings stay strings
    assert doc.data["after"]["organizations"][0] == {
        "id": "a", "heads": 1, "deputies": 2.5, "intermediate": False, "parent": None,
    }
    org = ("after", "organizations", 0)
    assert doc.span(org + ("deputies",)) == Span(str(path), 4, 39)
    assert doc.key_span(org + ("deputies",)) == Span(str(path), 4, 27)
    assert doc.span(("plan", "id")) == Span(str(path), 2, 17)


def test_json_duplicate_keys_and_yaml_only_syntax_are_errors():
    assert problems('{"a": 1, "a": 2}', "p.json") == [("duplicate-key", 1, 10)]
    assert problems('{"a": yes, b: 1, "c": \'x\'}', "p.json") == [
        ("json-syntax", 1, 7), ("json-syntax", 1, 12), ("json-syntax", 1, 23),
    ]
    assert problems("a: 1\n", "p.json") == [("json-syntax", 1, 1)]


def test_json_syntax_error_uses_json_code():
    diagnostic = only_diagnostic('{"a": [1, 2}\n', "p.json")
    assert (diagnostic.code, diagnostic.span.line) == ("json-syntax", 1)
    assert diagnostic.message.en.startswith("JSON syntax error:")


def test_only_a_json_file_name_asks_for_strict_json():
    assert problems("{a: 1}", "p.json") == [("json-syntax", 1, 2)]
    assert load_text("{a: 1}").data == {"a": 1}
    assert load_text('{"a": [1, true, null]}').data == {"a": [1, True, None]}


# --------------------------------------------------------------------------- paths and parsers


@pytest.mark.parametrize(
    ("path", "text"),
    [
        (("after", "organizations", 3, "parent"), "after.organizations[3].parent"),
        ((), ""),
        ((0, "id"), "[0].id"),
        (("people", 2, "ratings", 2017), "people[2].ratings[2017]"),
        (("values", dt.date(2020, 11, 25), "value"), "values.2020-11-25.value"),
        (("labels", "a.b", "c d"), 'labels["a.b"]["c d"]'),
    ],
)
def test_format_path(path, text):
    assert format_path(path) == text


def test_pure_python_parser_gives_the_same_data_and_spans(monkeypatch):
    def every_span(doc, value, path=()):
        spans = [(path, doc.span(path), doc.key_span(path))]
        if not isinstance(value, (dict, list)):
            return spans
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for step, child in items:
            spans += every_span(doc, child, path + (step,))
        return spans

    fast = load_text(PLAN, "plan.yaml")
    monkeypatch.setattr(source, "_Parser", yaml.SafeLoader)
    slow = load_text(PLAN, "plan.yaml")
    assert slow.data == fast.data
    assert every_span(slow, slow.data) == every_span(fast, fast.data)
    assert len(every_span(fast, fast.data)) == 25


WORDS = st.text(alphabet="abcxyzđồơưạ_", min_size=1, max_size=8)
SCALARS = st.none() | st.booleans() | st.integers(-10**6, 10**6) | WORDS
TREES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(WORDS | st.integers(0, 3000), inner, max_size=4),
    max_leaves=25,
)


def scalar_text(value) -> str:
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    return str(value)


@settings(max_examples=150, deadline=None)
@given(tree=st.dictionaries(WORDS, TREES, min_size=1, max_size=4), flow=st.booleans())
def test_every_key_span_points_at_its_key(tree, flow):
    text = yaml.safe_dump(tree, allow_unicode=True, default_flow_style=flow, width=60)
    doc = load_text(text, "gen.yaml")
    assert doc.data == tree

    def check(value, path):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for step, child in items:
            span = doc.key_span(path + (step,))
            at = doc.line_text(span)[span.col - 1 :]
            if isinstance(value, dict):
                assert at.lstrip("'\"").startswith(str(step)), (text, path + (step,), span)
            if isinstance(child, (dict, list)):
                check(child, path + (step,))
            else:
                span = doc.span(path + (step,))
                at = doc.line_text(span)[span.col - 1 :]
                assert at.lstrip("'\"").startswith(scalar_text(child)), (text, path + (step,), span)

    check(tree, ())

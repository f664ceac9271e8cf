"""Loading plans fast: the one-pass reader agrees with the careful checks, positions are found
only when a diagnostic needs one and are then exact, and JSON output is compact only when large."""
from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from ag18_rules import labels, schema, serial, source, yamlread
from ag18_rules.engine import Policy
from ag18_rules.errors import InputError
from ag18_rules.limits import Limits, boundary_problems
from ag18_rules.plan import load_plan, plan_to_dict
from ag18_rules.planread import read_clean
from ag18_rules.source import Document, load_file, load_text
from tests.cli_run import run
from tests.test_plan import _dicts  # every mapping of a plan's data, for the mutation tests

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SONV = EXAMPLES / "sonv-offices-2021.yaml"
_BASE = plan_to_dict(load_plan(SONV))
_BASE["after"]["admin_units"] = plan_to_dict(load_plan(EXAMPLES / "hamlets-2020.yaml"))["after"]["admin_units"][:3]
_BASE["after"]["people"] = [{"id": "n1", "name": "Nguyễn Văn A", "posts": [{"org": _BASE["after"]["organizations"][0]["id"],
                                                                         "role": "head"}],
                             "ratings": {"2019": "good", "2020": "completed"}}]
LIMITS = Limits(max_string=40, max_number=10**6, max_nodes=5_000)


def careful(data, limits: Limits) -> tuple[bool, object]:
    """What the careful path makes of ``data``: (no boundary or schema problem, data in JSON's types)."""
    doc = Document(data, "<dict>")
    labels.normalise_data(data, schema.load_schema("plan"))
    json_data = schema.to_json_data(data)
    clean = not boundary_problems(doc, json_data, limits) and not schema.validate(doc, "plan", json_data)
    return clean, json_data


def _edits():
    values = st.one_of(
        st.none(), st.booleans(), st.integers(-3, 3), st.sampled_from([10**7, -10**7, 2019, 3.0, 2.5, float("inf")]),
        st.sampled_from(["", "x", "a b", "department", "sở", "Sở", "phòng", "lump_sum", "khoán", "tốt", "2021-01-01",
                         "ubnd", "a\x00b", "x" * 50, "bad id!", "2019-02-30"]),
        st.just(dt.date(2021, 1, 1)), st.just([]), st.just({}), st.just(["ubnd"]), st.just({"2019": "tốt"}),
        st.just({2019: "good"}), st.just({"civil_servants": 3.0})
    )
    keys = st.sampled_from(["id", "name", "type", "level", "parent", "heads", "staff", "lead", "kind", "class",
                            "ratings", "posts", "count", "outcome", "to", "mode", "terrain", "effective", "extra",
                            "formed_from", "support", "role", "expires", "year"])
    return st.lists(st.tuples(st.integers(0, 10_000), keys, values), max_size=3)


@settings(max_examples=400, deadline=None)
@given(_edits())
def test_the_fast_pass_vouches_only_for_what_the_careful_checks_pass(edits):
    data = copy.deepcopy(_BASE)
    targets = list(_dicts(data))
    for index, key, value in edits:
        targets[index % len(targets)][key] = copy.deepcopy(value)
    fast, slow = copy.deepcopy(data), copy.deepcopy(data)
    clean, expected = careful(slow, LIMITS)
    if read_clean(fast, LIMITS):
        assert clean
        assert fast == expected  # labels became the same codes, dates and year keys the same text
        assert json.dumps(fast, ensure_ascii=False) == json.dumps(expected, ensure_ascii=False)  # key order too


def test_a_clean_plan_takes_the_fast_pass_and_labels_become_codes():
    data = copy.deepcopy(_BASE)
    data["after"]["organizations"][0]["type"] = "Sở"
    data["after"]["people"][0]["ratings"] = {2019: "tốt"}
    data["plan"]["effective"] = dt.date(2021, 1, 1)
    assert read_clean(data, Limits())
    assert data["after"]["organizations"][0]["type"] == "department"
    assert data["after"]["people"][0]["ratings"] == {"2019": "good"}
    assert type(data["plan"]["effective"]) is schema.DateText


@pytest.mark.parametrize("edit, code", [
    (lambda d: d["after"]["organizations"][1].update(name="a\x00b"), "bad-character"),
    (lambda d: d["after"]["organizations"][1].update(heads=10**16), "number-too-large"),
    (lambda d: d["after"]["organizations"][1].update(name="x" * 10_001), "text-too-long"),
    (lambda d: d["after"]["organizations"][1].update(parent="bad id!"), "bad-value"),
])
def test_what_the_fast_pass_refuses_is_reported_by_the_careful_checks(edit, code):
    data = copy.deepcopy(_BASE)
    edit(data)
    assert not read_clean(copy.deepcopy(data), Limits())
    with pytest.raises(InputError) as info:
        load_plan(data)
    assert code in {d.code for d in info.value.diagnostics}
    assert any(d.path.startswith("after.organizations[1]") for d in info.value.diagnostics)


# --------------------------------------------------------------------------- JSON files


def _big_plan(n: int) -> dict:
    orgs = [{"id": "ubnd", "name": "Ủy ban nhân dân tỉnh", "type": "people_committee", "level": "province"}]
    orgs += [{"id": f"o{i}", "name": f"Phòng số {i}", "type": "internal_unit", "parent": "ubnd", "heads": 1,
              "deputies": 1, "staff": {"civil_servants": 5}} for i in range(n)]
    return {"format": "ag18-plan/1", "plan": {"id": "big", "effective": "2021-07-01"}, "after": {"organizations": orgs}}


@pytest.mark.parametrize("suffix", ["json", "yaml"])
def test_an_error_deep_in_a_big_file_is_placed_exactly(tmp_path, suffix):
    data = _big_plan(3000)
    data["after"]["organizations"][2345]["parent"] = "nowhere"
    path = tmp_path / f"big.{suffix}"
    text = json.dumps(data, indent=1) if suffix == "json" else yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_plan(path)
    [found] = info.value.diagnostics
    lines = path.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "nowhere" in text)
    column = lines[line - 1].index('"nowhere"' if suffix == "json" else "nowhere") + 1  # JSON: at the quote
    assert (found.code, found.path) == ("unknown-reference", "after.organizations[2345].parent")
    assert (found.span.line, found.span.col) == (line, column)
    assert found.source_line == lines[line - 1]


def test_a_json_plan_is_read_once_when_it_is_clean(tmp_path):
    path = tmp_path / "big.json"
    path.write_text(json.dumps(_big_plan(200)), encoding="utf-8")  # escapes for every accented letter
    plan = load_plan(path)
    assert plan.after.organizations[1].name == "Phòng số 0"
    assert plan.spans["o7"].line == 1 and plan.spans["o7"].col > 1  # found on first use, from the text


def test_a_plan_too_large_as_a_whole_is_placed_without_a_second_reading(tmp_path):
    path = tmp_path / "big.json"
    path.write_text("\n\n  " + json.dumps(_big_plan(50)), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_plan(path, limits=Limits(max_entities=10))
    [found] = info.value.diagnostics
    assert (found.code, found.span.line, found.span.col) == ("too-many-entities", 3, 3)


def test_json_escapes_of_decomposed_letters_are_read_in_nfc(tmp_path):
    data = _big_plan(2)
    data["after"]["organizations"][1]["name"] = "Pho\u0300ng"  # o + combining grave: escaped by json.dumps
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert load_plan(path).after.organizations[1].name == "Phòng"


def test_json_nested_too_deep_where_text_belongs_is_refused_with_its_position(tmp_path):
    data = _big_plan(2)
    text = json.dumps(data, ensure_ascii=False).replace('"Phòng số 1"', "[" * 70 + "]" * 70)
    assert "[" * 70 in text
    path = tmp_path / "plan.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_plan(path)
    [found] = info.value.diagnostics
    assert found.code == "too-deep" and found.span.line == 1 and found.span.col > 1


def test_a_document_read_unsettled_settles_as_a_settled_one_reads(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"a": "Pho\u0300ng", "b": [1, 2]}), encoding="utf-8")
    lazy = load_file(path, settle=False)
    assert not lazy.is_settled
    assert lazy.settle().data == load_file(path).data == {"a": "Phòng", "b": [1, 2]}
    assert lazy.settle().is_settled and load_file(path).is_settled


# --------------------------------------------------------------------------- YAML


_YAML = """\
format: ag18-plan/1
plan: {id: p, effective: 2021-01-01}
after:
  organizations:
  - {id: ubnd, name: Ủy ban, type: people_committee, level: tỉnh}
  - id: vp
    name: Văn phòng
    type: phòng
    parent: ubnd
    deputies: 2
  people:
  - id: n1
    ratings: {2019: tốt, 2020: hoàn thành}
"""


def test_yaml_dates_labels_and_year_keys_load_as_before(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(_YAML, encoding="utf-8")
    plan = load_plan(path)
    assert plan.effective == dt.date(2021, 1, 1)
    assert [o.type for o in plan.after.organizations] == ["people_committee", "district_office"]
    assert plan.after.organizations[0].level == "province"
    assert plan.after.people[0].ratings == {2019: "good", 2020: "completed"}
    assert plan.spans["vp"].line == 6


def test_a_clean_yaml_file_is_read_without_positions_until_one_is_asked_for(tmp_path):
    doc = load_text(_YAML, "plan.yaml")
    assert doc.lazy and doc.data["after"]["organizations"][1]["deputies"] == 2
    assert (doc.span(("after", "organizations", 1, "deputies")).line, doc.key_span(("after",)).col) == (10, 1)
    with pytest.raises(InputError) as info:  # a duplicate key: the careful reader places it
        load_text(_YAML + "format: again\n", "plan.yaml")
    assert [(d.code, d.span.line, d.span.col) for d in info.value.diagnostics] == [("duplicate-key", 14, 1)]


@pytest.mark.parametrize("text", [
    "a: 1\na: 2\n", "a: {<<: {b: 1}}\n", "a: !!python/name:os.system x\n",
    "a: 1\n---\nb: 2\n", "a: [1\n", "a: 2019-02-30\n", "[1, 2]: x\n", "a: " + "[" * 70 + "]" * 70 + "\n",
])
def test_the_quick_reading_leaves_every_problem_to_the_careful_reader(text):
    assert yamlread.quick_build(text, source._Parser, source.MAX_DEPTH) is yamlread.UNUSUAL
    with pytest.raises(InputError):
        load_text(text, "file.yaml")


def test_anchors_and_aliases_are_read_by_the_careful_reader_which_counts_them():
    text = "a: &x [1, 2]\nb: *x\n"
    assert yamlread.quick_build(text, source._Parser, source.MAX_DEPTH) is yamlread.UNUSUAL
    doc = load_text(text, "file.yaml")
    assert doc.data == {"a": [1, 2], "b": [1, 2]} and not doc.lazy


def test_the_quick_reading_gives_the_careful_readers_data():
    text = _YAML + "extra:\n  - {2019-01-01: x, 7: y, 'no': no, n: ~, f: 1.5, big: 1e3, s: 'é'}\n  - [-1, +2, .inf]\n"
    quick = yamlread.quick_build(text, source._Parser, source.MAX_DEPTH)
    careful, _ = source._Builder("file.yaml", (), False).build(text)
    assert repr(quick) == repr(careful)
    assert quick["extra"][0] == {dt.date(2019, 1, 1): "x", 7: "y", "no": "no", "n": None, "f": 1.5, "big": 1000.0,
                                 "s": "é"}


def test_the_pure_python_parser_reads_as_libyaml_does(tmp_path, monkeypatch):
    text = _YAML + "  tasks:\n  - {id: t, name: T, lead: [vp, nowhere]}\n"
    path = tmp_path / "plan.yaml"
    path.write_text(text, encoding="utf-8")
    found = {}
    for name, parser in (("c", getattr(yaml, "CSafeLoader", yaml.SafeLoader)), ("python", yaml.SafeLoader)):
        monkeypatch.setattr(source, "_Parser", parser)
        doc = load_text(text, "plan.yaml")
        with pytest.raises(InputError) as info:
            load_plan(path)
        found[name] = (doc.data, [(d.code, d.span.line, d.span.col, d.path) for d in info.value.diagnostics])
    assert found["c"] == found["python"]
    assert found["c"][1] == [("unknown-reference", 15, 33, "after.tasks[0].lead[1]")]


# --------------------------------------------------------------------------- JSON output


def test_small_json_is_indented_and_large_json_compact():
    small = {"findings": [{"rule": "deputy-cap", "entity": f"o{i}"} for i in range(3)]}
    large = {"findings": [{"rule": "deputy-cap", "entity": f"o{i}", "message": "Phó " * 20} for i in range(20_000)]}
    assert serial.dumps(small) == json.dumps(small, ensure_ascii=False, indent=2)
    text = serial.dumps(large)
    assert "\n" not in text and ", " not in text.replace("Phó ", "") and len(text) > serial.PRETTY_LIMIT
    assert json.loads(text) == large and serial.dumps(large) == text  # the same bytes each time
    assert serial.dumps(large, indent=2).count("\n") > 20_000  # asked for, indentation is given


def test_the_command_writes_several_reports_as_the_library_does():
    policy = Policy.load()
    plans = [EXAMPLES / "sonv-offices-2021.yaml", EXAMPLES / "hamlets-2020.yaml"]
    code, out, _ = run("check", "--format", "json", "--no-fixes", *plans)
    reports = [policy.evaluate(load_plan(p), fixes=False).to_dict("vi") for p in plans]
    assert out == serial.dumps({"reports": reports}) + "\n"
    assert code == 1 and out.startswith('{\n  "reports": [')


# --------------------------------------------------------------------------- a program's data


def test_a_programs_data_nested_too_deep_is_refused_at_its_path():
    data = _big_plan(1)
    deep: list = []
    for _ in range(70):
        deep = [deep]
    data["after"]["organizations"][1]["name"] = deep
    with pytest.raises(InputError) as info:
        load_plan(data)
    [found] = info.value.diagnostics
    assert (found.code, found.path) == ("too-deep", "after.organizations[1].name" + "[0]" * 60)


def test_a_programs_mappings_and_tuples_are_read_as_a_files_dicts_and_lists():
    from types import MappingProxyType

    data = _big_plan(2)
    data["after"]["organizations"] = tuple(MappingProxyType(o) for o in data["after"]["organizations"])
    data["after"]["organizations"][1]["staff"]["civil_servants"] = 5
    data["plan"] = MappingProxyType({"id": "big", "effective": "2021-07-01", "title": "Ke\u0302\u0301 hoạch"})
    plan = load_plan(data)
    assert plan.title == "Kế hoạch" and len(plan.after.organizations) == 3

"""Plans: loading, the schema, the semantic checks, the model and the canonical form."""
from __future__ import annotations

import datetime as dt
import json
import textwrap
import time
from dataclasses import replace
from pathlib import Path

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ag18_rules import schema
from ag18_rules.errors import InputError, Span
from ag18_rules.model import Plan
from ag18_rules.plan import _fast_valid, load_plan, plan_to_dict

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))
HEAD = "format: ag18-plan/1\nplan: {id: p, effective: 2021-01-01}\n"


def write(tmp_path: Path, text: str, name: str = "plan.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def problems(tmp_path: Path, text: str, name: str = "plan.yaml", **kwargs) -> list[tuple]:
    """(code, line, col, path) of every diagnostic the plan raises."""
    with pytest.raises(InputError) as info:
        load_plan(write(tmp_path, text, name), **kwargs)
    return [(d.code, d.span.line, d.span.col, d.path) for d in info.value.diagnostics]


def minimal(**after) -> dict:
    return {"format": "ag18-plan/1", "plan": {"id": "p", "effective": "2021-01-01"}, "after": after}


# --------------------------------------------------------------------------- examples


def test_examples_are_present():
    names = {p.name for p in EXAMPLE_FILES}
    assert {"sonv-offices-2021.yaml", "sonv-offices-2021-draft1.yaml", "sonv-offices-2021-draft2.yaml",
            "hamlets-2020.yaml", "district-party-2019.yaml", "province-2021.yaml"} <= names


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_every_example_loads(path):
    plan = load_plan(path)
    assert isinstance(plan, Plan)
    assert plan.source == str(path)
    assert plan.spans["plan"].line > 0


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.name)
def test_plan_to_dict_round_trips(path):
    plan = load_plan(path)
    data = plan_to_dict(plan)
    assert load_plan(data, filename=plan.source) == plan
    assert json.loads(json.dumps(data, ensure_ascii=False)) == json.loads(json.dumps(data))  # JSON-compatible


def test_sonv_example_in_detail():
    plan = load_plan(EXAMPLES / "sonv-offices-2021.yaml")
    after = {o.id: o for o in plan.after.organizations}
    merged = after["sonv/phong-tccb-ccvc"]
    assert merged.formed_from == ("sonv/phong-tcbc", "sonv/phong-ccvc")
    assert (merged.deputies, merged.staff.civil_servants, merged.job_positions) == (3, 12, 12)
    tasks = {t.id: t for t in plan.after.tasks}
    assert tasks["kiem-tra-cong-vu"].lead == ("sonv/thanh-tra", "sonv/phong-cchc")
    assert tasks["quan-ly-bien-che"].lead == ("sonv/phong-tccb-ccvc",)
    assert tasks["quan-ly-bien-che"].lead_person == ("p-tccb-01",)
    assert tasks["quan-ly-hoi"].lead_person is None
    assert plan.effective == dt.date(2021, 1, 1)
    assert plan.province_class == 1 and plan.baseline.staff == 99
    person = next(p for p in plan.after.people if p.id == "p-gd-01")
    assert person.ratings == {2018: "good", 2019: "excellent", 2020: "good"}
    assert [(t.from_, t.outcome, t.to, t.count) for t in plan.transitions][2] == (
        "sonv/phong-ccvc", "transfer", "sonv/van-phong", 1)
    # a continuing entity's span points at its `after` form
    assert plan.spans["sonv/phong-tccb-ccvc"].line > plan.spans["sonv/chi-cuc-vtlt"].line


def test_hamlet_example_units():
    plan = load_plan(EXAMPLES / "hamlets-2020.yaml")
    units = {u.id: u for u in plan.after.admin_units}
    assert units["bp/ap-binh-duc"].households == 760
    assert units["bp/ap-binh-duc"].formed_from == ("bp/ap-binh-khanh",)
    assert units["ol/ap-long-thuan"].households == 350
    assert units["bp"].class_ == 2 and units["bp"].allowance.fund_coefficient == 13.7
    assert "bp/ap-binh-khanh" not in units


def test_generated_province_is_up_to_date(tmp_path):
    """The committed file is exactly what the generator writes, and it is a plan of the stated size."""
    import runpy

    generator = runpy.run_path(str(EXAMPLES / "generate_province.py"))
    out = tmp_path / "province.yaml"
    assert generator["main"](["generate_province.py", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (EXAMPLES / "province-2021.yaml").read_text(encoding="utf-8")
    plan = load_plan(out)
    levels = [u.level for u in plan.after.admin_units]
    assert levels.count("commune") == 156 and levels.count("hamlet") == 880
    assert [u.level for u in plan.before.admin_units].count("hamlet") == 888
    assert sum(1 for o in plan.after.organizations if o.type == "department") == 20


# --------------------------------------------------------------------------- every error code, with its position


def test_unknown_key_points_at_the_key_and_suggests(tmp_path):
    text = HEAD + "after:\n  organizations:\n    - id: a\n      name: A\n      type: department\n      parnet: b\n"
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_plan(path)
    [d] = info.value.diagnostics
    assert (d.code, d.span, d.path) == ("unknown-key", Span(str(path), 8, 7), "after.organizations[0].parnet")
    assert "'parent'" in d.message.en and "'parent'" in d.message.vi


def test_missing_key_points_at_the_mapping(tmp_path):
    text = HEAD + "after:\n  organizations:\n    - id: a\n      type: department\n"
    assert problems(tmp_path, text) == [("missing-key", 5, 7, "after.organizations[0]")]


def test_missing_top_level_keys(tmp_path):
    assert problems(tmp_path, "format: ag18-plan/1\nplan: {id: p}\n") == [
        ("missing-key", 1, 1, ""), ("missing-key", 2, 1, "plan")]


def test_bad_type(tmp_path):
    text = HEAD + "after:\n  organizations:\n    - {id: a, name: A, type: department, heads: two}\n"
    assert problems(tmp_path, text) == [("bad-type", 5, 49, "after.organizations[0].heads")]


def test_bad_enum_value_suggests_the_closest(tmp_path):
    path = write(tmp_path, HEAD + "after:\n  organizations:\n    - {id: a, name: A, type: intrnal_unit}\n")
    with pytest.raises(InputError) as info:
        load_plan(path)
    [d] = info.value.diagnostics
    assert (d.code, d.span.line, d.span.col, d.path) == ("bad-value", 5, 30, "after.organizations[0].type")
    assert "internal_unit" in d.message.en


def test_negative_count_and_bad_id(tmp_path):
    text = HEAD + "after:\n  organizations:\n    - {id: a b, name: A, type: department, deputies: -1}\n"
    assert problems(tmp_path, text) == [
        ("bad-value", 5, 12, "after.organizations[0].id"),
        ("bad-value", 5, 54, "after.organizations[0].deputies"),
    ]


def test_kind_must_match_level(tmp_path):
    text = HEAD + "after:\n  admin_units:\n    - {id: x, name: X, level: commune, kind: ap}\n"
    assert problems(tmp_path, text) == [("bad-value", 5, 46, "after.admin_units[0].kind")]


def test_duplicate_id_names_the_first_line(tmp_path):
    text = HEAD + ("after:\n  organizations:\n    - {id: a, name: A, type: department}\n"
                   "    - {id: a, name: A2, type: department}\n")
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_plan(path)
    [d] = info.value.diagnostics
    assert (d.code, d.span.line, d.span.col, d.path) == ("duplicate-id", 6, 12, "after.organizations[1].id")
    assert "line 5" in d.message.en and "dòng 5" in d.message.vi


def test_same_id_in_different_lists_is_fine(tmp_path):
    text = HEAD + ("after:\n  organizations:\n    - {id: a, name: A, type: department}\n"
                   "  tasks:\n    - {id: a, name: T, lead: a}\n")
    assert load_plan(write(tmp_path, text)).after.tasks[0].lead == ("a",)


def test_unknown_references_in_every_field(tmp_path):
    text = HEAD + textwrap.dedent("""\
        before:
          organizations:
            - {id: old, name: Old, type: department}
          admin_units:
            - {id: u-old, name: U, level: hamlet}
        after:
          organizations:
            - {id: a, name: A, type: department, parent: nowhere}
            - {id: b, name: B, type: department, formed_from: [old, gone]}
          admin_units:
            - {id: u, name: U, level: hamlet, parent: no-commune, formed_from: [u-gone]}
          tasks:
            - {id: t, name: T, lead: x, support: [a, y], lead_person: nobody}
            - {id: t2, name: T2, lead: [a, z]}
          people:
            - {id: p1, posts: [{org: q, role: head}]}
        transitions:
          - {from: missing, outcome: transfer, to: absent, count: 1}
        """)
    assert problems(tmp_path, text) == [
        ("unknown-reference", 10, 50, "after.organizations[0].parent"),
        ("unknown-reference", 11, 61, "after.organizations[1].formed_from[1]"),
        ("unknown-reference", 13, 47, "after.admin_units[0].parent"),
        ("unknown-reference", 13, 73, "after.admin_units[0].formed_from[0]"),
        ("unknown-reference", 15, 30, "after.tasks[0].lead"),
        ("unknown-reference", 15, 46, "after.tasks[0].support[1]"),
        ("unknown-reference", 15, 63, "after.tasks[0].lead_person"),
        ("unknown-reference", 16, 36, "after.tasks[1].lead[1]"),
        ("unknown-reference", 18, 30, "after.people[0].posts[0].org"),
        ("unknown-reference", 20, 12, "transitions[0].from"),
        ("unknown-reference", 20, 44, "transitions[0].to"),
    ]


def test_unknown_reference_suggests_a_near_id(tmp_path):
    text = HEAD + ("after:\n  organizations:\n    - {id: sonv/phong-tccb, name: A, type: internal_unit}\n"
                   "  tasks:\n    - {id: t, name: T, lead: sonv/phong-tcb}\n")
    with pytest.raises(InputError) as info:
        load_plan(write(tmp_path, text))
    assert "did you mean 'sonv/phong-tccb'" in info.value.diagnostics[0].message.en


def test_parent_of_other_snapshot_does_not_resolve(tmp_path):
    text = HEAD + ("before:\n  organizations:\n    - {id: a, name: A, type: department}\n"
                   "after:\n  organizations:\n    - {id: b, name: B, type: internal_unit, parent: a}\n")
    assert problems(tmp_path, text) == [("unknown-reference", 8, 53, "after.organizations[0].parent")]


def test_formed_from_in_before(tmp_path):
    text = HEAD + ("before:\n  organizations:\n    - {id: a, name: A, type: department, formed_from: [a]}\n"
                   "after:\n  organizations: []\n")
    assert problems(tmp_path, text) == [("formed-from-in-before", 5, 42, "before.organizations[0].formed_from")]


def test_formed_from_without_before(tmp_path):
    text = HEAD + "after:\n  organizations:\n    - {id: a, name: A, type: department, formed_from: [x]}\n"
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_plan(path)
    [d] = info.value.diagnostics
    assert (d.code, d.span.line, d.span.col) == ("unknown-reference", 5, 42)
    assert "no `before`" in d.message.en


def test_parent_cycle_reported_once_at_its_first_member(tmp_path):
    text = HEAD + ("after:\n  organizations:\n"
                   "    - {id: a, name: A, type: department, parent: c}\n"
                   "    - {id: b, name: B, type: department, parent: a}\n"
                   "    - {id: c, name: C, type: department, parent: b}\n"
                   "    - {id: d, name: D, type: department, parent: d}\n"
                   "    - {id: e, name: E, type: department, parent: a}\n")
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_plan(path)
    found = [(d.code, d.span.line, d.span.col, d.path) for d in info.value.diagnostics]
    assert found == [("parent-cycle", 5, 50, "after.organizations[0].parent"),
                     ("parent-cycle", 8, 50, "after.organizations[3].parent")]
    assert "a → c → b → a" in info.value.diagnostics[0].message.en


def test_admin_unit_parent_cycle(tmp_path):
    text = HEAD + ("after:\n  admin_units:\n"
                   "    - {id: x, name: X, level: commune, parent: y}\n"
                   "    - {id: y, name: Y, level: district, parent: x}\n")
    assert problems(tmp_path, text) == [("parent-cycle", 5, 48, "after.admin_units[0].parent")]


def test_transfer_needs_to_and_to_only_for_transfers(tmp_path):
    text = HEAD + ("before:\n  organizations:\n    - {id: a, name: A, type: department}\n"
                   "after:\n  organizations:\n    - {id: a, name: A, type: department}\n"
                   "transitions:\n  - {from: a, outcome: transfer, count: 1}\n"
                   "  - {from: a, outcome: retirement, to: a, count: 1}\n")
    assert problems(tmp_path, text) == [
        ("transfer-needs-to", 10, 5, "transitions[0]"),
        ("unexpected-to", 11, 36, "transitions[1].to"),
    ]


def test_waiver_rule_and_entity(tmp_path):
    text = HEAD + ("after:\n  organizations:\n    - {id: sonv, name: A, type: department}\n"
                   "waivers:\n  - {rule: deputy-cp, entity: snv, reason: r}\n"
                   "  - {rule: deputy-cap, entity: p, reason: plan-wide by the plan id}\n")
    path = write(tmp_path, text)
    with pytest.raises(InputError) as info:
        load_plan(path, rule_ids=["deputy-cap", "fewer-units"])
    found = [(d.code, d.span.line, d.span.col, d.path) for d in info.value.diagnostics]
    assert found == [("unknown-rule", 7, 12, "waivers[0].rule"), ("unknown-entity", 7, 31, "waivers[0].entity")]
    assert "did you mean 'deputy-cap'" in info.value.diagnostics[0].message.en
    assert "did you mean 'sonv'" in info.value.diagnostics[1].message.en


def test_waiver_rule_not_checked_without_rule_ids(tmp_path):
    text = HEAD + "after: {}\nwaivers:\n  - {rule: anything, reason: r}\n"
    assert load_plan(write(tmp_path, text)).waivers[0].rule == "anything"


def test_bad_date_in_json_and_yaml(tmp_path):
    data = minimal()
    data["plan"]["effective"] = "2021-13-01"
    data["waivers"] = [{"rule": "x", "reason": "r", "expires": "31/12/2022"}]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_plan(path)
    found = [(d.code, d.span.line, d.span.col, d.path) for d in info.value.diagnostics]
    assert found == [("bad-date", 5, 16, "plan.effective"), ("bad-date", 12, 15, "waivers[0].expires")]
    # an impossible unquoted YAML date is refused while the file is read
    assert problems(tmp_path, "format: ag18-plan/1\nplan: {id: p, effective: 2021-02-30}\nafter: {}\n") == [
        ("bad-date", 2, 26, "")]


def test_retired_in_before(tmp_path):
    text = HEAD + ("before:\n  tasks:\n    - {id: t, name: T, retired: {reason: r}}\n"
                   "after: {}\n")
    assert problems(tmp_path, text) == [("retired-in-before", 5, 24, "before.tasks[0].retired")]


def test_every_problem_is_reported_at_once(tmp_path):
    text = HEAD + ("after:\n  organizations:\n"
                   "    - {id: a, name: A, type: departmnt}\n"
                   "    - {id: a, name: B, type: department, parent: zz}\n")
    assert problems(tmp_path, text) == [
        ("bad-value", 5, 30, "after.organizations[0].type"),
        ("duplicate-id", 6, 12, "after.organizations[1].id"),
        ("unknown-reference", 6, 50, "after.organizations[1].parent"),
    ]


@pytest.mark.parametrize("text", [
    "", "- a\n- b\n", "just text\n", "format: ag18-plan/1\nplan: 3\nafter: null\n",
    HEAD + "after:\n  organizations: [1, null, {id: 5}]\n  tasks: {}\n",
    HEAD + "after: {organizations: [{id: a, name: A, type: department, staff: 3, pilot: {}}]}\ntransitions: [x]\n",
    HEAD + "after: {}\nbefore: {people: [{id: p, posts: [{org: 1, role: boss}], ratings: {x: 1}}]}\n",
])
def test_malformed_plans_raise_input_error_not_a_traceback(tmp_path, text):
    with pytest.raises(InputError) as info:
        load_plan(write(tmp_path, text))
    assert info.value.diagnostics


def test_file_not_found_is_an_input_error(tmp_path):
    with pytest.raises(InputError) as info:
        load_plan(tmp_path / "missing.yaml")
    assert info.value.diagnostics[0].code == "file-not-found"


# --------------------------------------------------------------------------- forms of input


def test_yaml_and_json_forms_give_equal_plans(tmp_path):
    yaml_plan = load_plan(EXAMPLES / "district-party-2019.yaml")
    path = tmp_path / "same.json"
    path.write_text(json.dumps(plan_to_dict(yaml_plan), ensure_ascii=False, indent=2), encoding="utf-8")
    json_plan = load_plan(path)
    assert replace(json_plan, source=None) == replace(yaml_plan, source=None)
    assert json_plan.spans["cx/ubkt"].line > 0


def test_dict_input_has_file_only_spans():
    data = minimal(organizations=[{"id": "a", "name": "A", "type": "department"}])
    plan = load_plan(data)
    assert plan.source == "<dict>" and plan.spans["a"] == Span("<dict>")
    with pytest.raises(InputError) as info:
        load_plan(minimal(organizations=[{"id": "a", "name": "A", "type": "department", "parent": "b"}]),
                  filename="app")
    [d] = info.value.diagnostics
    assert (d.code, d.span, d.path) == ("unknown-reference", Span("app"), "after.organizations[0].parent")


def test_dict_duplicate_names_the_first_path():
    data = minimal(organizations=[{"id": "a", "name": "A", "type": "department"}] * 2)
    with pytest.raises(InputError) as info:
        load_plan(data)
    assert "after.organizations[0].id" in info.value.diagnostics[0].message.en


def test_dict_input_accepts_tuples_and_dates():
    data = minimal(tasks=({"id": "t", "name": "T", "support": ()},))
    data["plan"]["effective"] = dt.date(2021, 1, 1)
    plan = load_plan(data)
    assert plan.effective == dt.date(2021, 1, 1) and plan.after.tasks[0].support == ()


def test_filename_renames_a_file_in_diagnostics(tmp_path):
    path = write(tmp_path, HEAD + "after: {organizations: [{id: a, name: A, type: x}]}\n")
    with pytest.raises(InputError) as info:
        load_plan(path, filename="đề-án.yaml")
    assert info.value.diagnostics[0].span == Span("đề-án.yaml", 3, 48)


# --------------------------------------------------------------------------- values in the model


@pytest.mark.parametrize("written, expected", [
    ("", None), (", lead: null", None), (", lead: a", ("a",)), (", lead: []", ()), (", lead: [a]", ("a",)),
    (", lead: [a, b]", ("a", "b")),
])
def test_lead_forms_in_yaml(tmp_path, written, expected):
    text = HEAD + ("after:\n  organizations:\n    - {id: a, name: A, type: other}\n"
                   "    - {id: b, name: B, type: other}\n"
                   f"  tasks:\n    - {{id: t, name: T{written}}}\n")
    assert load_plan(write(tmp_path, text)).after.tasks[0].lead == expected


@pytest.mark.parametrize("lead, expected, canonical", [
    (None, None, "absent"), ("a", ("a",), "a"), ([], (), []), (["a"], ("a",), "a"),
    (["a", "b"], ("a", "b"), ["a", "b"]),
])
def test_lead_values_and_their_canonical_form(lead, expected, canonical):
    task = {"id": "t", "name": "T", "lead_person": lead}
    if lead is not None:
        task["lead"] = lead
    people = [{"id": x} for x in "ab"]
    data = minimal(organizations=[{"id": x, "name": x, "type": "other"} for x in "ab"], people=people, tasks=[task])
    loaded = load_plan(data).after.tasks[0]
    assert loaded.lead == loaded.lead_person == expected
    assert plan_to_dict(load_plan(data))["after"]["tasks"][0].get("lead", "absent") == canonical


def test_dates_as_yaml_dates_and_strings_agree(tmp_path):
    yaml_date = load_plan(write(tmp_path, HEAD + "after: {}\nwaivers: [{rule: r, reason: x, expires: 2022-12-31}]\n"))
    text = 'format: ag18-plan/1\nplan: {id: p, effective: "2021-01-01"}\nafter: {}\n'
    text += 'waivers: [{rule: r, reason: x, expires: "2022-12-31"}]\n'
    string_date = load_plan(write(tmp_path, text, "b.yaml"))
    assert yaml_date.effective == string_date.effective == dt.date(2021, 1, 1)
    assert yaml_date.waivers == string_date.waivers
    assert yaml_date.waivers[0].expires == dt.date(2022, 12, 31)


def test_rating_years_as_int_and_str(tmp_path):
    ints = load_plan(write(tmp_path, HEAD + "after: {people: [{id: p, ratings: {2017: completed, 2018: good}}]}\n"))
    strs = load_plan(write(tmp_path, HEAD + 'after: {people: [{id: p, ratings: {"2017": completed, "2018": good}}]}\n',
                           "b.yaml"))
    from_dict = load_plan(minimal(people=[{"id": "p", "ratings": {2018: "good", "2017": "completed"}}]))
    assert ints.after.people == strs.after.people == from_dict.after.people
    assert ints.after.people[0].ratings == {2017: "completed", 2018: "good"}


def test_null_means_absent_for_optional_fields():
    data = minimal(organizations=[{"id": "a", "name": "A", "type": "other", "parent": None, "level": None,
                                   "job_positions": None, "pilot": None}],
                   tasks=[{"id": "t", "name": "T", "field": None, "retired": None}])
    data["before"] = None
    data["baseline"] = None
    plan = load_plan(data)
    assert plan.before is None and plan.baseline is None
    assert plan.after.organizations[0].parent is None and plan.after.tasks[0].retired is None


def test_defaults_and_conversions():
    data = minimal(
        organizations=[{"id": "a", "name": "A", "type": "other", "staff": {"contract": 2},
                        "pilot": {"model": "m", "exempt_from": ["no-unit-increase"]}}],
        admin_units=[{"id": "u", "name": "U", "level": "commune", "kind": "xa", "class": 3, "area_km2": 24,
                      "allowance": {"mode": "lump_sum"}}])
    plan = load_plan(data)
    org, unit = plan.after.organizations[0], plan.after.admin_units[0]
    assert (org.intermediate, org.effective, org.heads, org.deputies) == (False, True, 0, 0)
    assert (org.staff.civil_servants, org.staff.contract) == (0, 2)
    assert org.pilot.exempt_from == ("no-unit-increase",) and org.pilot.approval is None
    assert unit.class_ == 3 and unit.area_km2 == 24.0 and isinstance(unit.area_km2, float)
    assert unit.allowance.fund_coefficient is None
    assert plan.approval is None and plan.before is None and plan.transitions == ()


def test_plan_to_dict_is_canonical():
    data = minimal(organizations=[{"deputies": 2, "type": "other", "name": "A", "id": "a", "heads": 0}])
    data["plan"]["approval"] = None
    out = plan_to_dict(load_plan(data))
    assert list(out) == ["format", "plan", "after"]
    assert out["after"]["organizations"] == [{"id": "a", "name": "A", "type": "other", "deputies": 2}]
    assert out["plan"] == {"id": "p", "effective": "2021-01-01"}


# --------------------------------------------------------------------------- the schema and its fast path


def test_schema_is_valid_draft_2020_12_and_closed():
    plan_schema = schema.load_schema("plan")
    jsonschema.Draft202012Validator.check_schema(plan_schema)

    def objects(node):
        if isinstance(node, dict):
            if "object" in (node.get("type") if isinstance(node.get("type"), list) else [node.get("type")]):
                yield node
            for value in node.values():
                yield from objects(value)

    closed = list(objects(plan_schema))
    assert len(closed) >= 15
    assert all(o.get("additionalProperties") is False or "$ref" in o or "propertyNames" in o for o in closed)


def _mutations():
    """Small edits of a valid plan, valid or not, for comparing the fast path with jsonschema."""
    values = st.one_of(st.none(), st.booleans(), st.integers(-3, 3), st.floats(-2, 2, allow_nan=False),
                       st.sampled_from(["", "a b", "x", "department", "2021-01-01", "lump_sum", "transfer"]),
                       st.just([]), st.just({}), st.just(["a"]))
    keys = st.sampled_from(["id", "name", "type", "level", "parent", "heads", "staff", "lead", "kind",
                            "class", "ratings", "posts", "count", "outcome", "to", "mode", "extra", "from"])
    return st.lists(st.tuples(st.integers(0, 10_000), keys, values), max_size=3)


_VALID = plan_to_dict(load_plan(EXAMPLES / "sonv-offices-2021.yaml"))
_VALID["after"]["admin_units"] = plan_to_dict(load_plan(EXAMPLES / "hamlets-2020.yaml"))["after"]["admin_units"][:3]


def _dicts(node):
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _dicts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _dicts(value)


@settings(max_examples=300, deadline=None)
@given(_mutations())
def test_fast_path_agrees_with_jsonschema(edits):
    data = json.loads(json.dumps(_VALID))
    targets = list(_dicts(data))
    for index, key, value in edits:
        targets[index % len(targets)][key] = value
    validator = jsonschema.Draft202012Validator(schema.load_schema("plan"))
    assert _fast_valid(data) == validator.is_valid(data)


def test_large_plan_loads_quickly():
    orgs = [{"id": f"o/{i}", "name": f"Phòng {i}", "type": "internal_unit", "parent": f"o/{i // 10}" if i else None,
             "heads": 1, "deputies": 1, "staff": {"civil_servants": 7}, "job_positions": 7} for i in range(20_000)]
    tasks = [{"id": f"t/{i}", "name": "T", "lead": f"o/{i}"} for i in range(2_000)]
    start = time.perf_counter()
    plan = load_plan(minimal(organizations=orgs, tasks=tasks))
    assert len(plan.after.organizations) == 20_000
    assert time.perf_counter() - start < 10  # about 1 s; jsonschema alone would take about 3 s


@settings(max_examples=300, deadline=None)
@given(_mutations())
def test_any_edit_gives_a_plan_or_an_input_error(edits):
    data = json.loads(json.dumps(_VALID))
    targets = list(_dicts(data))
    for index, key, value in edits:
        targets[index % len(targets)][key] = value
    try:
        plan = load_plan(data)
    except InputError as error:
        assert error.diagnostics and all(d.code for d in error.diagnostics)
    else:
        assert load_plan(plan_to_dict(plan)) == plan

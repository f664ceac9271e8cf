"""Vietnamese labels of enum values: accepted in plans and rules, normalised at load, suggested when near."""
from __future__ import annotations

import textwrap

import pytest

from ag18_rules.errors import InputError
from ag18_rules.labels import ENUM_LABELS, fold, label, normalise_enum, suggest_enum
from ag18_rules.plan import load_plan
from ag18_rules.schema import load_schema


@pytest.mark.parametrize("name,text,code", [
    ("organization.type", "sở", "department"), ("organization.type", "Sở", "department"),
    ("organization.type", "so", "department"), ("organization.type", "phòng", "district_office"),
    ("organization.type", "chi cục", "sub_department"), ("organization.type", "Chi Cuc", "sub_department"),
    ("organization.level", "tỉnh", "province"), ("organization.level", "huyen", "district"),
    ("organization.level", "xã", "commune"), ("admin_unit.kind", "ấp", "ap"), ("admin_unit.kind", "khóm", "khom"),
    ("admin_unit.kind", "thị trấn", "thi_tran"), ("admin_unit.level", "ấp", "hamlet"),
    ("admin_unit.terrain", "đồng bằng", "plains"), ("admin_unit.terrain", "dong bang", "plains"),
    ("admin_unit.terrain", "miền núi", "mountain"), ("admin_unit.terrain", "MIEN NUI", "mountain"),
    ("severity", "cảnh báo", "warning"), ("severity", "lỗi", "error"), ("admin_unit.kind", "thi_xa", "thi_xa"),
])
def test_labels_with_or_without_diacritics_give_the_code(name, text, code):
    assert normalise_enum(name, text) == code


def test_unknown_text_gives_none_and_a_near_miss_gives_a_suggestion():
    assert normalise_enum("admin_unit.kind", "làng") is None
    assert suggest_enum("admin_unit.kind", "ấpp") == "ap"
    assert suggest_enum("admin_unit.terrain", "dong bag") == "plains"


def test_every_enum_of_the_schemas_has_labels_for_every_value():
    def enums(node):
        if isinstance(node, dict):
            if isinstance(node.get("enum"), list) and all(isinstance(v, (str, type(None))) for v in node["enum"]):
                yield frozenset(v for v in node["enum"] if v is not None)
            for v in node.values():
                yield from enums(v)
        elif isinstance(node, list):
            for v in node:
                yield from enums(v)
    tables = {frozenset(v) for v in ENUM_LABELS.values()}
    for name in ("plan", "rule"):
        for values in enums(load_schema(name)):
            if values <= {"ag18-plan/1", "ag18-rule/1", "before", "baseline", "people", "admin_units"}:
                continue
            assert values in tables, sorted(values)


def test_folding_keeps_labels_distinct_within_each_enum():
    for name, table in ENUM_LABELS.items():
        folded = [fold(t.vi) for t in table.values()]
        assert len(folded) == len(set(folded)), name
    assert label("admin_unit.kind", "ap") == "ấp" and label("admin_unit.kind", "ap", "en") == "rural hamlet"


PLAN = """\
format: ag18-plan/1
plan: {id: p, effective: 2021-01-01}
after:
  organizations:
    - {id: so, name: Sở Nội vụ, type: sở, level: tỉnh}
    - {id: cc, name: Chi cục, type: chi cục, level: Tinh, parent: so}
  admin_units:
    - {id: x, name: Xã A, level: xã, kind: xã, terrain: miền núi}
    - {id: y, name: Ấp B, level: ấp, kind: %s, parent: x}
"""


def test_a_plan_written_with_vietnamese_labels_loads_with_the_codes(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN % "ấp", encoding="utf-8")
    plan = load_plan(path)
    assert [(o.type, o.level) for o in plan.after.organizations] == [
        ("department", "province"), ("sub_department", "province")]
    assert [(u.level, u.kind, u.terrain) for u in plan.after.admin_units] == [
        ("commune", "xa", "mountain"), ("hamlet", "ap", None)]


def test_a_mistyped_label_is_reported_at_its_place_with_the_code_and_label_suggested(tmp_path):
    path = tmp_path / "plan.yaml"
    path.write_text(PLAN % "ấpp", encoding="utf-8")
    with pytest.raises(InputError) as info:
        load_plan(path)
    [d] = info.value.diagnostics
    assert (d.code, d.span.line, d.path) == ("bad-value", 9, "after.admin_units[1].kind")
    assert "Có phải ý là 'ap' (ấp)?" in d.message.vi and "Did you mean 'ap' (rural hamlet)?" in d.message.en

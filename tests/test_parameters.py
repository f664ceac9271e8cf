"""Dated parameters: the shipped AG18 policy, lookups by date, table and bracket, and every load error."""
from __future__ import annotations

import datetime as dt
import re
import textwrap
from pathlib import Path

import pytest

from ag18_rules.errors import InputError
from ag18_rules.facts.catalogue import CATALOGUE
from ag18_rules.parameters import ParameterSet, UNITS

ROOT = Path(__file__).resolve().parents[1]
POLICY = ROOT / "policy"
PROGRAMME_MD = next((p for p in (ROOT / "docs" / "programme.md", Path("/work/shared/programme.md")) if p.exists()), None)

D = dt.date.fromisoformat


@pytest.fixture(scope="module")
def policy() -> ParameterSet:
    return ParameterSet.load(POLICY)


def value(policy, pid, day, **facts):
    resolved = policy.get(pid).resolve(D(day), facts)
    return None if resolved is None else resolved.value


# --------------------------------------------------------------------------- the shipped policy


def test_shipped_policy_loads_with_its_name(policy):
    assert policy.meta.id == "ag18"
    assert policy.meta.version == "2026.11"
    assert policy.meta.title.vi.startswith("Chương trình hành động 19-CTr/TU")
    assert "staff.counted_categories" in policy and "no.such.parameter" not in policy
    assert list(policy.ids()) == sorted(policy.ids())


def test_every_entry_has_a_reference_and_every_unverified_one_a_note(policy):
    for parameter in policy:
        assert parameter.unit in UNITS
        assert parameter.values, parameter.id
        for since, entry in parameter.values:
            ref = entry.reference
            assert ref.document and ref.source and ref.confidence, (parameter.id, since)
            if not entry.verified or ref.effective != since:
                assert entry.note_text is not None and entry.note_text.vi and entry.note_text.en, (parameter.id, since)


def test_every_lookup_fact_is_in_the_fact_catalogue(policy):
    known = {name for facts in CATALOGUE.values() for name in facts}
    for parameter in policy:
        assert set(parameter.facts_needed()) <= known, parameter.id


def test_values_are_read_only(policy):
    entry = policy.get("min_staff.department_unit").in_force(D("2021-01-01"))
    with pytest.raises(TypeError):
        entry.value["1"] = 99
    with pytest.raises(TypeError):
        policy.parameters["x"] = None


# --------------------------------------------------------------------------- resolution by date


@pytest.mark.parametrize("pid, before, on, facts, old, new", [
    ("staff_reduction.min_pct", "2018-04-18", "2018-04-19", {}, None, 10),
    ("deputy.department_unit_max", "2020-11-24", "2020-11-25", {"province_class": 1, "civil_servants": 9}, None, 2),
    ("deputy.department_unit_max", "2025-02-28", "2025-03-01", {"province_class": 1, "civil_servants": 9}, 2, None),
    ("deputy.department_director_max", "2014-05-19", "2014-05-20", {}, None, 3),
    ("deputy.department_director_max", "2020-11-24", "2020-11-25", {}, 3, None),
    ("deputy.district_office_max", "2014-06-19", "2014-06-20", {}, None, 3),
    ("deputy.district_office_max", "2020-11-24", "2020-11-25", {}, 3, None),
    ("deputy.district_office_avg", "2025-06-30", "2025-07-01", {}, None, None),
    ("deputy.inspectorate_max", "2025-06-30", "2025-07-01", {"civil_servants": 8}, None, None),
    ("deputy.commune_office_avg", "2025-10-14", "2025-10-15", {}, None, 2),
    ("deputy.merger_surplus_years", "2025-02-28", "2025-03-01", {}, None, 5),
    ("min_staff.sub_department_unit", "2025-02-28", "2025-03-01", {}, None, 5),
    ("deputy.department_unit_max", "2025-12-31", "2026-01-01", {"province_class": 1, "civil_servants": 10}, None, 2),
    ("deputy.inspectorate_max", "2020-11-24", "2020-11-25", {"civil_servants": 8}, None, 2),
    ("deputy.district_office_avg", "2020-11-24", "2020-11-25", {}, None, 2),
    ("deputy.department_director_avg", "2025-12-31", "2026-01-01", {}, None, 3),
    ("deputy.party_advisory_total_max", "2023-11-30", "2023-12-01", {}, 15, 18),
    ("deputy.party_unit_max", "2023-11-30", "2023-12-01", {"counted_staff": 10}, None, 3),
    ("deputy.party_unit_max", "2023-11-30", "2023-12-01", {"counted_staff": 9}, 1, 2),
    ("deputy.staff_share_max_pct", "2025-08-28", "2025-08-29", {}, None, 50),
    ("min_staff.department_unit", "2020-11-24", "2020-11-25", {"province_class": 2}, None, 5),
    ("min_staff.sub_department", "2020-11-24", "2020-11-25", {}, None, 12),
    ("min_staff.party_unit", "2023-11-30", "2023-12-01", {}, None, 5),
    ("admin_unit.huyen.communes_min", "2022-12-31", "2023-01-01", {}, None, 13),
    ("admin_unit.xa.population_min", "2016-05-24", "2016-05-25", {"terrain": "plains"}, None, 8000),
    ("hamlet.ap.households_min", "2012-10-14", "2012-10-15", {"terrain": "plains"}, None, 200),
    ("hamlet.ap.households_min", "2018-02-28", "2018-03-01", {"terrain": "plains"}, 200, 500),
    ("hamlet.ap.households_min", "2018-02-28", "2018-03-01", {"terrain": "mountain"}, 100, 200),
    ("hamlet.ap.households_min", "2019-01-19", "2019-01-20", {"terrain": "plains"}, 500, 350),
    ("hamlet.khom.households_min", "2018-02-28", "2018-03-01", {"terrain": "plains"}, 250, 500),
    ("hamlet.khom.households_min", "2019-01-19", "2019-01-20", {"terrain": "mountain"}, 300, 400),
    ("admin_unit.xa.population_min", "2025-12-31", "2026-01-01", {"terrain": "plains"}, 8000, 16000),
    ("admin_unit.xa.population_min", "2025-12-31", "2026-01-01", {"terrain": "island"}, 8000, 2500),
    ("admin_unit.xa.area_min", "2025-12-31", "2026-01-01", {"terrain": "mountain"}, 50, 100),
    ("admin_unit.phuong.population_min", "2025-12-31", "2026-01-01", {"parent_kind": "thanh_pho"}, 7000, 21000),
    ("admin_unit.population_standard_pct", "2025-12-31", "2026-01-01", {"reduced_standard": True}, 100, 50),
    ("admin_unit.huyen.area_min", "2025-06-30", "2025-07-01", {"terrain": "plains"}, 450, None),
    ("admin_unit.rearrange_below_pct", "2019-03-11", "2019-03-12", {}, None, 50),
    ("admin_unit.rearrange_below_pct", "2025-12-31", "2026-01-01", {}, 70, 100),
    ("hamlet.merge_below_pct", "2019-01-19", "2019-01-20", {}, None, 50),
    ("part_time.commune_max", "2019-06-24", "2019-06-25", {"unit_class": 1}, 22, 14),
    ("part_time.commune_max", "2019-06-24", "2019-06-25", {"unit_class": 3}, 19, 10),
    ("part_time.commune_max", "2026-05-30", "2026-05-31", {"unit_class": 1}, 14, None),
    ("part_time.commune_after_end_max", "2026-05-30", "2026-05-31", {}, None, 0),
    ("part_time.commune_allocation", "2023-07-31", "2023-08-01", {}, "per_commune", "province_envelope"),
    ("part_time.commune_fund", "2019-06-24", "2019-06-25", {"unit_class": 2}, None, 13.7),
    ("part_time.commune_fund", "2023-07-31", "2023-08-01", {"unit_class": 1}, 16.0, 21.0),
    ("part_time.commune_fund", "2023-07-31", "2023-08-01", {"unit_class": 3}, 11.4, 15.0),
    ("part_time.commune_fund_extra_per_person", "2023-07-31", "2023-08-01", {}, None, 1.5),
    ("part_time.hamlet_max", "2023-07-31", "2023-08-01", {}, None, 3),
    ("part_time.extra_step.population_divisor", "2023-07-31", "2023-08-01", {"parent_kind": "huyen"}, None, 2),
    ("part_time.allowance_mode", "2018-12-31", "2019-01-01", {}, None, "lump_sum"),
])
def test_value_on_both_sides_of_each_boundary(policy, pid, before, on, facts, old, new):
    assert value(policy, pid, before, **facts) == old
    assert value(policy, pid, on, **facts) == new
    if new is not None:
        assert policy.get(pid).resolve(D(on), facts).since == D(on)


def test_department_unit_cap_by_class_and_bracket(policy):
    on = "2021-06-01"
    assert value(policy, "deputy.department_unit_max", on, province_class=1, civil_servants=8) == 1
    assert value(policy, "deputy.department_unit_max", on, province_class=1, civil_servants=9) == 2
    assert value(policy, "deputy.department_unit_max", on, province_class=2, civil_servants=8) == 2
    assert value(policy, "deputy.department_unit_max", on, province_class=3, civil_servants=7) == 1
    assert value(policy, "deputy.department_unit_max", on, province_class=3, civil_servants=14) == 2
    assert value(policy, "deputy.department_unit_max", on, province_class=3, civil_servants=15) == 3
    resolved = policy.get("deputy.department_unit_max").resolve(D(on), {"province_class": 1, "civil_servants": 9})
    assert resolved.bracket == "province_class=1, civil_servants 9–14"
    assert str(resolved.reference) == "Nghị định 107/2020/NĐ-CP"
    assert resolved.verified is True


def test_decree_370_ignores_province_class_and_says_the_default_applied(policy):
    resolved = policy.get("deputy.department_unit_max").resolve(D("2026-03-01"), {"province_class": 3, "civil_servants": 9})
    assert resolved.value == 1
    assert resolved.bracket == "province_class=3 (*), civil_servants < 10"


def test_sub_department_brackets_and_cut_off_cases(policy):
    p = policy.get("deputy.sub_department_max")
    assert [p.resolve(D("2021-01-01"), {"internal_units_after": n}).value for n in (0, 1, 3, 4, 7)] == [2, 1, 1, 2, 2]
    assert p.resolve(D("2026-01-01"), {"internal_units_after": 2}).value == 1
    assert p.resolve(D("2026-01-01"), {"internal_units_after": 0}) is None
    assert "internal_units_after < 1" in p.absence(D("2026-01-01"), {"internal_units_after": 0}).en


def test_hamlet_fund_by_kind_terrain_and_households(policy):
    def fund(day, kind, terrain, households):
        return value(policy, "part_time.hamlet_fund", day, kind=kind, terrain=terrain, households=households)
    assert fund("2020-01-01", "ap", "plains", 349) == 3.0
    assert fund("2020-01-01", "ap", "plains", 350) == 5.0
    assert fund("2020-01-01", "ap", "border", 10) == 5.0
    assert fund("2020-01-01", "khom", "plains", 900) == 3.0
    assert fund("2023-08-01", "khom", "plains", 499) == 4.5
    assert fund("2023-08-01", "khom", "plains", 500) == 6.0
    assert fund("2023-08-01", "ap", "mountain", 349) == 4.5
    resolved = policy.get("part_time.hamlet_fund").resolve(D("2023-08-01"), {"kind": "ap", "terrain": "plains", "households": 400})
    assert resolved.bracket == "kind=ap, terrain=plains (*), households ≥ 350"


def test_tables_by_terrain_and_parent_kind(policy):
    assert value(policy, "admin_unit.xa.population_min", "2020-01-01", terrain="mountain") == 5000
    assert value(policy, "admin_unit.huyen.area_min", "2020-01-01", terrain="border") == 450
    assert value(policy, "admin_unit.phuong.population_min", "2020-01-01", parent_kind="thi_xa") == 5000
    assert value(policy, "admin_unit.phuong.area_min", "2020-01-01") == 5.5
    assert value(policy, "part_time.extra_step.population_divisor", "2024-01-01", parent_kind="quan") == 3
    assert value(policy, "hamlet.ap.households_min", "2020-01-01", terrain="border") == 100


def test_counted_categories_is_a_list_of_strings(policy):
    resolved = policy.get("staff.counted_categories").resolve(D("2020-01-01"), {})
    assert resolved.value == ("civil_servants", "public_employees")
    assert resolved.to_dict("en")["value"] == ["civil_servants", "public_employees"]
    assert resolved.verified is False


def test_no_value_is_none_with_a_reason(policy):
    ndd = policy.get("deputy.department_unit_max")
    assert ndd.in_force(D("2019-07-01")) is None
    assert ndd.entry_at(D("2019-07-01")).reference.document == "Nghị định 24/2014/NĐ-CP"
    assert ndd.resolve(D("2019-07-01"), {"province_class": 1, "civil_servants": 9}) is None
    reason = ndd.absence(D("2019-07-01"), {"province_class": 1, "civil_servants": 9})
    assert reason.en.startswith("Parameter deputy.department_unit_max has no value from 2014-05-20 (Nghị định 24/2014/NĐ-CP)")
    assert policy.get("deputy.sub_department_max").in_force(D("2019-07-01")) is None
    assert "first value applies from 2020-11-25" in policy.get("deputy.sub_department_max").absence(D("2019-07-01"), {}).en


def test_missing_fact_unknown_key_and_null_leaf_give_none(policy):
    cap = policy.get("deputy.department_unit_max")
    assert cap.resolve(D("2021-01-01"), {"province_class": None, "civil_servants": 9}) is None
    assert "'province_class' has no value" in cap.absence(D("2021-01-01"), {"civil_servants": 9}).en
    assert cap.resolve(D("2021-01-01"), {"province_class": 4, "civil_servants": 9}) is None
    assert "no value for province_class=4" in cap.absence(D("2021-01-01"), {"province_class": 4, "civil_servants": 9}).en
    assert cap.resolve(D("2021-01-01"), {"province_class": 1, "civil_servants": None}) is None
    khom = policy.get("hamlet.khom.households_min")
    assert khom.resolve(D("2020-01-01"), {"terrain": "border"}) is None
    assert khom.absence(D("2020-01-01"), {"terrain": "border"}).en == \
        "Parameter hamlet.khom.households_min: there is no value for the case terrain=border"
    assert value(policy, "admin_unit.phuong.population_min", "2020-01-01", parent_kind="huyen") is None
    assert policy.get("deputy.party_unit_max").resolve(D("2023-01-01"), {"counted_staff": 10}) is None


def test_resolved_to_json_names_value_date_reference(policy):
    resolved = policy.get("deputy.district_office_avg").resolve(D("2021-01-01"), {})
    out = resolved.to_dict("en")
    assert out["name"] == "deputy.district_office_avg"
    assert out["value"] == 2
    assert out["since"] == "2020-11-25"
    assert out["reference"] == "Nghị định 108/2020/NĐ-CP, Điều 1, khoản 3"
    assert out["verified"] is True  # confirmed by the 2026 references (nhandan, baophapluat)
    assert out["note"].startswith("Verbatim: \"Bình quân mỗi phòng có 02 Phó Trưởng phòng\"")
    assert resolved.to_dict("vi")["note"].startswith("Nguyên văn")
    assert resolved.note == resolved.note_text.vi
    assert "applies" not in out


# --------------------------------------------------------------------------- the programme


def _programme_md_rows() -> list[tuple[str, str]]:
    text = PROGRAMME_MD.read_text(encoding="utf-8")
    return re.findall(r'^\| ([A-Z]+-[0-9]+(?:-[0-9]+)?[a-z]?) \| "(.*)" \| .* \|$', text, re.M)


@pytest.mark.skipif(PROGRAMME_MD is None, reason="programme.md is not available")
def test_programme_has_the_26_clauses_of_programme_md_with_their_exact_quotes(policy):
    rows = _programme_md_rows()
    assert len(rows) == 26
    assert policy.programme.ids() == tuple(cid for cid, _ in rows)
    for cid, quote in rows:
        assert policy.programme.get(cid).quote_vi == quote


def test_clauses_no_rule_can_check_say_why(policy):
    unchecked = {c.id for c in policy.programme.clauses if not c.checkable}
    assert unchecked == {"AIM-3", "TASK-5", "TASK-7", "TASK-8a", "IMPL-2", "IMPL-3", "IMPL-4"}
    for clause in policy.programme.clauses:
        assert (clause.reason is not None) == (not clause.checkable), clause.id
        assert set(clause.served_by) <= set(policy.programme.ids()) - {clause.id}
    assert policy.programme.get("AIM-1").served_by[0] == "GOAL-2021-1"
    assert policy.programme.get("TASK-6").via.en.startswith("Findings are grouped under the head")


# --------------------------------------------------------------------------- load errors

META = """\
format: ag18-policy-meta/1
id: test
version: "1"
title: {vi: Thử, en: Test}
"""

PROGRAMME = """\
format: ag18-programme/1
document: Chương trình thử
clauses:
  AIM-1:
    section: aims
    quote_vi: "một"
    meaning_en: "one"
    checkable: true
"""

REF = "{document: Nghị định 1/2020/NĐ-CP, effective: 2020-01-01, source: https://example.vn/a, confidence: high}"


def _pack(tmp_path: Path, files: dict[str, str], *, meta: bool = True, programme: bool = True) -> Path:
    if meta:
        files = {"policy.yaml": META, **files}
    if programme:
        files = {"programme.yaml": PROGRAMME, **files}
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(textwrap.dedent(text), encoding="utf-8")
    return tmp_path


def _errors(tmp_path: Path, files: dict[str, str], **kw) -> list:
    with pytest.raises(InputError) as caught:
        ParameterSet.load(_pack(tmp_path, files, **kw))
    return list(caught.value.diagnostics)


def _at(text: str, needle: str) -> tuple[int, int]:
    """1-based (line, column) of the first occurrence of needle in the dedented text."""
    text = textwrap.dedent(text)
    index = text.index(needle)
    line = text.count("\n", 0, index) + 1
    return line, index - (text.rfind("\n", 0, index) + 1) + 1


def _one(diagnostics, code):
    found = [d for d in diagnostics if d.code == code]
    assert len(found) == 1, [d.render("en") for d in diagnostics]
    return found[0]


def _param_file(values: str, head: str = "unit: person") -> str:
    return (
        "format: ag18-policy/1\n"
        "parameters:\n"
        "  a.b:\n"
        "    description: {vi: Thử, en: Test}\n"
        f"    {head}\n"
        "    values:\n" + textwrap.indent(textwrap.dedent(values), "      ")
    )


def test_a_good_small_pack_loads(tmp_path):
    text = _param_file(f"""\
        2020-01-01:
          value: 3
          reference: {REF}
          verified: true
        """)
    policy = ParameterSet.load(_pack(tmp_path, {"p.yaml": text}))
    assert policy.get("a.b").resolve(D("2020-01-01"), {}).value == 3
    assert policy.get("a.b").span.line == 3


def test_a_null_sub_table_means_no_value_for_that_case(tmp_path):
    text = _param_file(f"""\
        2020-01-01:
          value:
            ap: null
            khom: {{"*": [{{below: 500, value: 4.5}}, {{value: 6.0}}]}}
          reference: {REF}
          verified: true
        """, head="unit: coefficient\n    index: [kind, terrain]\n    scale: households")
    p = ParameterSet.load(_pack(tmp_path, {"p.yaml": text})).get("a.b")
    facts = {"kind": "ap", "terrain": "plains", "households": 100}
    assert p.resolve(D("2020-06-01"), facts) is None
    assert p.absence(D("2020-06-01"), facts).en == "Parameter a.b: there is no value for the case kind=ap"
    assert p.resolve(D("2020-06-01"), {**facts, "kind": "khom"}).value == 4.5
    assert p.resolve(D("2020-06-01"), {**facts, "kind": "khom", "households": "many"}) is None


def test_dates_out_of_order(tmp_path):
    text = _param_file(f"""\
        2021-01-01:
          value: 3
          reference: {REF}
          verified: true
          note: {{vi: Ghi chú, en: Note}}
        2020-01-01:
          value: 2
          reference: {REF}
          verified: true
        """)
    d = _one(_errors(tmp_path, {"p.yaml": text}), "dates-out-of-order")
    assert (d.span.line, d.span.col) == _at(text, "2020-01-01:")
    assert d.span.file.endswith("p.yaml")
    assert "2020-01-01 must come after 2021-01-01" in d.message.en


def test_missing_reference(tmp_path):
    text = _param_file("""\
        2020-01-01:
          value: 3
          verified: true
        """)
    d = _one(_errors(tmp_path, {"p.yaml": text}), "missing-reference")
    assert (d.span.line, d.span.col) == _at(text, "2020-01-01:")
    assert d.path == 'parameters["a.b"].values.2020-01-01'


def test_unverified_without_note(tmp_path):
    text = _param_file(f"""\
        2020-01-01:
          value: 3
          reference: {REF}
          verified: false
        """)
    d = _one(_errors(tmp_path, {"p.yaml": text}), "missing-note")
    assert (d.span.line, d.span.col) == _at(text, "false")


def test_reference_date_mismatch_unless_a_note_explains(tmp_path):
    text = _param_file(f"""\
        2020-02-01:
          value: 3
          reference: {REF}
          verified: true
        2021-01-01:
          value: 4
          reference: {REF}
          verified: true
          note: {{vi: Ngày khác vì lý do X, en: The dates differ because of X}}
        """)
    d = _one(_errors(tmp_path, {"p.yaml": text}), "reference-date-mismatch")
    assert (d.span.line, d.span.col) == _at(text, "2020-01-01")
    assert "(2020-01-01) differs from the entry's date (2020-02-01)" in d.message.en


@pytest.mark.parametrize("brackets, needle, words", [
    ("[{below: 8, value: 1}, {below: 15, value: 2}]", "15", "last bracket must have no 'below'"),
    ("[{below: 8, value: 1}, {below: 8, value: 2}, {value: 3}]", "8, value: 2", "'below' must increase"),
    ("[{value: 1}, {value: 2}]", "{value: 1}", "Every bracket but the last needs 'below'"),
    ("7", "7\n", "A list of brackets over the fact 'civil_servants'"),
])
def test_bad_brackets(tmp_path, brackets, needle, words):
    text = _param_file(f"""\
        2020-01-01:
          value: {brackets}
          reference: {REF}
          verified: true
        """, head="unit: person\n    scale: civil_servants")
    d = _one(_errors(tmp_path, {"p.yaml": text}), "bad-brackets")
    assert (d.span.line, d.span.col) == _at(text, needle)
    assert words in d.message.en


def test_brackets_without_scale(tmp_path):
    text = _param_file(f"""\
        2020-01-01:
          value: [{{below: 8, value: 1}}, {{value: 2}}]
          reference: {REF}
          verified: true
        """)
    d = _one(_errors(tmp_path, {"p.yaml": text}), "bad-brackets")
    assert "declares no 'scale'" in d.message.en


def test_table_leaves_with_inconsistent_depth(tmp_path):
    text = _param_file(f"""\
        2020-01-01:
          value:
            1: 6
            2: {{mountain: 5}}
          reference: {REF}
          verified: true
        """, head="unit: person\n    index: [province_class]")
    d = _one(_errors(tmp_path, {"p.yaml": text}), "bad-table")
    assert (d.span.line, d.span.col) == _at(text, "{mountain: 5}")
    assert "not a table" in d.message.en


def test_table_expected_for_an_indexed_parameter(tmp_path):
    text = _param_file(f"""\
        2020-01-01:
          value: 6
          reference: {REF}
          verified: true
        """, head="unit: person\n    index: [province_class]")
    d = _one(_errors(tmp_path, {"p.yaml": text}), "bad-table")
    assert (d.span.line, d.span.col) == _at(text, "6")
    assert "keyed by the fact 'province_class'" in d.message.en


def test_leaf_of_the_wrong_type(tmp_path):
    text = _param_file(f"""\
        2020-01-01:
          value: many
          reference: {REF}
          verified: true
        """)
    d = _one(_errors(tmp_path, {"p.yaml": text}), "bad-value")
    assert (d.span.line, d.span.col) == _at(text, "many")


def test_unknown_unit_suggests_the_nearest(tmp_path):
    text = _param_file(f"""\
        2020-01-01:
          value: 3
          reference: {REF}
          verified: true
        """, head="unit: persons")
    d = _one(_errors(tmp_path, {"p.yaml": text}), "unknown-unit")
    assert (d.span.line, d.span.col) == _at(text, "persons")
    assert "Did you mean 'person'?" in d.message.en


def test_unknown_key_suggests_the_nearest(tmp_path):
    text = _param_file(f"""\
        2020-01-01:
          value: 3
          refernce: {REF}
          verified: true
        """)
    d = _one(_errors(tmp_path, {"p.yaml": text}), "unknown-key")
    assert (d.span.line, d.span.col) == _at(text, "refernce")
    assert "did you mean 'reference'?" in d.message.en


def test_misspelt_bracket_key_suggests_the_nearest(tmp_path):
    text = _param_file(f"""\
        2020-01-01:
          value: [{{below: 8, vlaue: 1}}, {{value: 2}}]
          reference: {REF}
          verified: true
        """, head="unit: person\n    scale: civil_servants")
    found = _errors(tmp_path, {"p.yaml": text})
    d = _one(found, "unknown-key")
    assert (d.span.line, d.span.col) == _at(text, "vlaue")
    assert "did you mean 'value'?" in d.message.en
    assert _one(found, "missing-key").path == 'parameters["a.b"].values.2020-01-01.value[0]'


def test_duplicate_parameter_names_both_places(tmp_path):
    text = _param_file(f"""\
        2020-01-01:
          value: 3
          reference: {REF}
          verified: true
        """)
    found = [d for d in _errors(tmp_path, {"one.yaml": text, "sub/two.yaml": text}) if d.code == "duplicate-parameter"]
    assert [(Path(d.span.file).name, d.span.line, d.span.col) for d in found] == [("one.yaml", 3, 3), ("two.yaml", 3, 3)]
    assert found[0].message.en.endswith(f"the other place is {tmp_path / 'sub' / 'two.yaml'}:3:3")
    assert found[1].message.en.endswith(f"the other place is {tmp_path / 'one.yaml'}:3:3")


def test_every_problem_is_reported_at_once(tmp_path):
    bad = _param_file("""\
        2021-01-01:
          value: 3
          verified: false
        2020-01-01:
          value: 2
          verified: true
        """)
    codes = sorted(d.code for d in _errors(tmp_path, {"p.yaml": bad, "q.yaml": "format: ag18-polcy/1\n"}))
    assert codes == ["dates-out-of-order", "missing-note", "missing-reference", "missing-reference", "unknown-format"]


def test_unknown_format_suggests_the_nearest(tmp_path):
    d = _one(_errors(tmp_path, {"q.yaml": "format: ag18-polcy/1\n"}), "unknown-format")
    assert (d.span.line, d.span.col) == (1, 9)
    assert "did you mean 'ag18-policy/1'?" in d.message.en


def test_meta_and_programme_are_required(tmp_path):
    codes = {d.code for d in _errors(tmp_path, {}, meta=False, programme=False)}
    assert codes == {"missing-policy-meta", "missing-programme"}


def test_programme_clause_checks(tmp_path):
    text = PROGRAMME + (
        "  AIM-2:\n"
        "    section: aims\n"
        '    quote_vi: "hai"\n'
        '    meaning_en: "two"\n'
        "    checkable: false\n"
        "  AIM-3:\n"
        "    section: aims\n"
        '    quote_vi: "ba"\n'
        '    meaning_en: "three"\n'
        "    checkable: true\n"
        "    served_by: [AIM-11]\n"
    )
    found = _errors(tmp_path, {"programme.yaml": text}, programme=False)
    reason = _one(found, "clause-reason")
    assert (reason.span.line, reason.span.col) == _at(text, "false")
    unknown = _one(found, "unknown-clause")
    assert (unknown.span.line, unknown.span.col) == _at(text, "AIM-11")
    assert "did you mean 'AIM-1'?" in unknown.message.en


def test_quoted_dates_that_do_not_exist(tmp_path):
    text = _param_file("""\
        "2020-02-30":
          value: 3
          reference: {document: X, effective: 2020-02-28, source: s, confidence: low}
          verified: true
        2021-01-01:
          value: 3
          reference: {document: X, effective: "2021-02-31", source: s, confidence: low}
          verified: true
        """)
    found = [d for d in _errors(tmp_path, {"p.yaml": text}) if d.code == "bad-date"]
    assert [(d.span.line, d.span.col) for d in found] == [_at(text, '"2020-02-30"'), _at(text, '"2021-02-31"')]


def test_missing_folder(tmp_path):
    with pytest.raises(InputError) as caught:
        ParameterSet.load(tmp_path / "nowhere")
    assert [d.code for d in caught.value.diagnostics] == ["file-not-found"]


def test_an_ended_subject_is_the_reason_with_its_date_and_document(policy):
    """The district level ended on 2025-07-01: the parameter has no value and says why, in both languages."""
    avg = policy.get("deputy.district_office_avg")
    assert avg.in_force(D("2025-07-01")) is None
    assert avg.ended(D("2025-06-30")) is None
    assert avg.ended(D("2025-07-01")).since == D("2025-07-01")
    why = avg.absence(D("2025-07-01"), {})
    assert why.en == "The district level ended on 2025-07-01 (Nghị quyết 203/2025/QH15)"
    assert why.vi == "Cấp huyện đã kết thúc từ ngày 2025-07-01 (Nghị quyết 203/2025/QH15)"
    inspect = policy.get("deputy.inspectorate_max").absence(D("2026-01-01"), {"civil_servants": 9})
    assert inspect.en == "The department inspectorates ended on 2025-07-01 (Luật Thanh tra 84/2025/QH15)"
    assert [e.since for e in policy.get("part_time.commune_max").ends()] == [D("2026-05-31")]
    assert avg.ends()[0].to_dict("en")["ends"] == why.en


def test_a_table_with_only_a_default_needs_no_fact(policy):
    """From 2026 a ward's standard no longer depends on its parent, which no longer exists."""
    ward = policy.get("admin_unit.phuong.population_min")
    assert ward.resolve(D("2026-01-01"), {"parent_kind": None}).value == 21000
    assert ward.resolve(D("2025-01-01"), {"parent_kind": None}) is None


def test_an_end_needs_a_null_value(tmp_path):
    import shutil
    from ag18_rules.errors import InputError
    from ag18_rules.parameters import ParameterSet
    from ag18_rules.engine import shipped_policy_dir
    shutil.copytree(shipped_policy_dir() / "policy", tmp_path / "policy")
    path = tmp_path / "policy" / "deputies.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("        value: null\n        ends: {vi: Thanh tra sở", "        value: [{value: 2}]\n        ends: {vi: Thanh tra sở"),
                    encoding="utf-8")
    with pytest.raises(InputError) as caught:
        ParameterSet.load(tmp_path / "policy")
    (problem,) = caught.value.diagnostics
    assert problem.code == "ends-with-value"
    assert problem.span.file.endswith("deputies.yaml")

"""Explanations: the condition as a tree with every sub-expression's value, the failing part marked,
in text and in JSON, for every rule of the catalogue; and rule messages checked when rules load."""
import json
import shutil
from pathlib import Path

import pytest

import ag18_rules
from ag18_rules import explain
from ag18_rules.errors import InputError
from ag18_rules.explain import blame
from ag18_rules.expr import parse, trace
from cli_run import run

ROOT = Path(__file__).resolve().parent.parent
CLASS1 = ROOT / "rules" / "deputy-cap" / "examples" / "class1-2021.yaml"
PLANS = sorted((ROOT / "rules").glob("*/examples/*.yaml"))


@pytest.fixture(scope="module")
def policy():
    with ag18_rules.load_policy() as p:
        yield p


def block(text: str, header: str) -> list:
    """The lines of the finding whose first line is ``header``, up to the blank line after it."""
    lines = text.splitlines()
    start = lines.index(header)
    return lines[start:lines.index("", start)]


# --------------------------------------------------------------------------- text


def test_explain_text_marks_the_failing_comparison_with_its_numbers():
    code, out, _ = run("check", CLASS1, "--explain", "--no-fixes")
    assert code == 1
    lines = block(out, "LỖI deputy-cap [GOAL-2021-1] Thanh tra Sở (sonv/tt)")
    assert lines[lines.index("  Điều kiện:"):] == [
        "  Điều kiện:",
        "    Áp dụng khi:",
        "      in_after and (type == 'inspectorate')  →  true",
        "        in_after  →  true",
        "        type == 'inspectorate'  →  true",
        "          type  →  'inspectorate'",
        "    Yêu cầu:",
        "      deputies <= cap  →  false   ✗ không thỏa",
        "        deputies  →  2",
        "        cap  →  1",
    ]
    assert ("  Căn cứ: deputy.inspectorate_max = 1 (từ 2020-11-25; Nghị định 107/2020/NĐ-CP; "
            "áp dụng: civil_servants < 8)") in lines
    assert any(line.startswith("  Điều khoản GOAL-2021-1: “") for line in lines)


def test_explain_text_in_english_and_a_plan_wide_condition():
    _, out, _ = run("check", CLASS1, "--explain", "--no-fixes", "--lang", "en")
    lines = block(out, "ERROR deputy-cap [GOAL-2021-1] Sở Nội vụ (tỉnh loại I) sau khi Nghị định 107/2020/NĐ-CP "
                       "có hiệu lực (dc-class1-2021)")
    assert lines[lines.index("  Condition:"):] == [
        "  Condition:",
        "    Applies when:",
        "      (departments_after > 0) and (province_merger_departments_after == 0)  →  true",
        "        departments_after > 0  →  true",
        "          departments_after  →  1",
        "        province_merger_departments_after == 0  →  true",
        "          province_merger_departments_after  →  0",
        "    Requires:",
        "      department_deputies_after <= (departments_after * average)  →  false   ✗ fails",
        "        department_deputies_after  →  4",
        "        departments_after * average  →  3",
        "          departments_after  →  1",
        "          average  →  3",
    ]


def test_explain_json_carries_the_same_tree_with_values_and_blame(policy):
    code, out, _ = run("check", CLASS1, "--explain", "--no-fixes", "--format", "json")
    f = next(x for x in json.loads(out)["findings"] if x["entity"]["id"] == "sonv/tt")
    assert f["trace"]["require"] == {
        "expr": "deputies <= cap", "value": False, "failed": True, "children": [
            {"expr": "deputies", "value": 2, "failed": False, "children": []},
            {"expr": "cap", "value": 1, "failed": False, "children": []},
        ]}
    where = f["trace"]["where"]
    assert (where["expr"], where["value"], where["failed"]) == ("in_after and (type == 'inspectorate')", True, False)
    assert [(c["expr"], c["value"]) for c in where["children"]] == [("in_after", True), ("type == 'inspectorate'", True)]
    quote = next(c.quote_vi for c in policy.params.programme.clauses if c.id == "GOAL-2021-1")
    assert f["clauses"] == [{"id": "GOAL-2021-1", "quote": quote}]
    (param,) = f["parameters"]
    assert (param["name"], param["value"], param["since"], param["verified"], param["applies"]) == (
        "deputy.inspectorate_max", 1, "2020-11-25", True, "civil_servants < 8")
    assert param["reference"].startswith("Nghị định 107/2020/NĐ-CP")


# --------------------------------------------------------------------------- blame


def blamed(source: str, **values):
    node = parse(source)
    return blame(node, trace(node, values))


def failed(tree) -> list:
    return ([tree["expr"]] if tree["failed"] else []) + [e for c in tree["children"] for e in failed(c)]


def test_a_false_and_blames_only_its_false_operands():
    tree = blamed("in_after and deputies <= cap and counted_staff > 0", in_after=True, deputies=3, cap=2,
                  counted_staff=5)
    assert failed(tree) == ["(in_after and (deputies <= cap)) and (counted_staff > 0)",
                            "in_after and (deputies <= cap)", "deputies <= cap"]


def test_a_false_or_blames_both_sides_and_not_stops_the_blame():
    tree = blamed("retired or (in_after and lead_count >= 1)", retired=False, in_after=True, lead_count=0)
    assert failed(tree) == ["retired or (in_after and (lead_count >= 1))", "retired",
                            "in_after and (lead_count >= 1)", "lead_count >= 1"]
    assert failed(blamed("not pilot", pilot=True)) == ["not pilot"]


def test_a_condition_that_holds_blames_nothing():
    assert failed(blamed("deputies <= cap", deputies=1, cap=2)) == []


# --------------------------------------------------------------------------- every rule


def _explained(policy):
    for path in PLANS:
        for f in policy.evaluate(path, explain=True).findings:
            yield f


def _leaves(tree) -> list:
    """The failed nodes where the blame stops: none of their children is failed."""
    if not tree["failed"]:
        return []
    below = [leaf for c in tree["children"] for leaf in _leaves(c)]
    return below or [tree]


def _names(tree) -> dict:
    out = {tree["expr"]: tree["value"]} if not tree["children"] and tree["expr"][:1].isalpha() \
        and tree["expr"] not in ("true", "false", "null") else {}
    for c in tree["children"]:
        out.update(_names(c))
    return out


def test_every_rule_of_the_catalogue_explains_its_findings(policy):
    explained = {}
    for f in _explained(policy):
        require, where = f.extra["trace"]["require"], f.extra["trace"]["where"]
        assert require["value"] is False and require["failed"] is True, (f.rule, f.check)
        assert where["value"] is True and where["failed"] is False, (f.rule, f.check)
        assert _leaves(require), (f.rule, f.check)
        names = {**_names(where), **_names(require)}
        for name, value in f.values.items():  # the tree shows the same numbers as the finding
            if name in names:
                assert names[name] == value, (f.rule, f.check, name)
        explained.setdefault(f.rule, set()).add(f.check)
    assert set(explained) == {r.id for r in policy.rules}


def test_tracing_off_costs_nothing(policy, monkeypatch):
    def refuse(*_):
        raise AssertionError("traced while explanations are off")

    monkeypatch.setattr(explain, "trace", refuse)
    report = policy.evaluate(CLASS1)
    assert report.findings and all("trace" not in f.extra for f in report.findings)
    with pytest.raises(AssertionError):
        policy.evaluate(CLASS1, explain=True)


# --------------------------------------------------------------------------- bad rules


RULE = """\
format: ag18-rule/1
id: x
title: {vi: Số cấp phó, en: Deputies}
description: {vi: Số cấp phó trong giới hạn., en: Deputies within the cap.}
clause: [GOAL-2021-1]
quote: "giảm cấp phó"
severity: error
checks:
  - id: cap
    applies_to: organization
    require: "deputies <= 2"
    message:
      vi: "{name} có {deputiez} cấp phó."
      en: "{name} has {deputies} deputies."
"""


def test_a_message_placeholder_that_is_no_fact_is_an_error_at_load_with_its_position(tmp_path):
    shutil.copytree(ROOT / "policy", tmp_path / "policy")
    (tmp_path / "rules" / "x").mkdir(parents=True)
    path = tmp_path / "rules" / "x" / "x.yaml"
    path.write_text(RULE, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        ag18_rules.load_policy(tmp_path)
    (d,) = caught.value.diagnostics
    assert d.code == "unknown-placeholder"
    assert (d.span.file, d.span.line, d.span.col) == (str(path), 13, 11)
    assert d.message.en == "Placeholder {deputiez} is not a fact or parameter of check 'cap'; did you mean {deputies}?"
    code, _, err = run("check", "--policy", tmp_path, CLASS1)
    assert code == 2 and f"{path}:13:11: unknown-placeholder:" in err

"""The public Python surface: small, stable, and what the README shows."""
import datetime as dt
from pathlib import Path

import ag18_rules

ROOT = Path(__file__).resolve().parent.parent


def test_public_names_are_exactly_these():
    assert sorted(ag18_rules.__all__) == sorted([
        "Ag18Error", "BackendError", "BackendUnavailable", "Delta", "Diagnostic", "Finding", "InputError",
        "Limits", "NotApplicable", "OptionError", "Plan", "Policy", "Report", "Session", "TargetProgress",
        "load_plan", "load_policy",
    ])
    for name in ag18_rules.__all__:
        assert getattr(ag18_rules, name) is not None


def test_evaluate_a_path_a_dict_and_a_plan_alike():
    policy = ag18_rules.load_policy()
    path = ROOT / "rules" / "one-lead-organization" / "examples" / "fail.yaml"
    by_path = policy.evaluate(path)
    plan = ag18_rules.load_plan(path)
    assert policy.evaluate(plan).to_json() == by_path.to_json()
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert policy.evaluate(data).findings == by_path.findings
    assert by_path.verdict == "fail"
    assert [(f.rule, f.check, f.entity.id) for f in by_path.findings if f.rule == "one-lead-organization"] == [
        ("one-lead-organization", "lead", "bien-che"),
        ("one-lead-organization", "lead", "dia-gioi"),
        ("one-lead-organization", "lead-missing", "thi-dua"),
    ]


def test_as_of_is_an_argument_of_each_evaluation():
    policy = ag18_rules.load_policy()
    path = ROOT / "rules" / "staff-reduction-target" / "examples" / "behind-2020.yaml"
    early = policy.evaluate(path)
    late = policy.evaluate(path, as_of=dt.date(2022, 1, 1))
    assert [f.severity for f in early.findings if f.rule == "staff-reduction-target"] == ["warning"]
    assert [f.severity for f in late.findings if f.rule == "staff-reduction-target"] == ["error"]
    assert [(t.status, t.value, t.target, t.gap) for t in late.targets] == [("missed", 7.6271, 10, 2.3729)]


def test_waiver_marks_the_finding_and_keeps_it(tmp_path):
    policy = ag18_rules.load_policy()
    src = (ROOT / "rules" / "deputy-cap" / "examples" / "class1-2021.yaml").read_text(encoding="utf-8")
    waived = src + ("waivers:\n  - {rule: deputy-cap, entity: sonv/vp, reason: 'Sáp nhập, dôi dư cấp phó',"
                    " approved_by: Ban Thường vụ Tỉnh ủy, reference: Công văn 456-CV/TU, expires: 2022-12-31}\n")
    path = tmp_path / "w.yaml"
    path.write_text(waived, encoding="utf-8")
    report = policy.evaluate(path)
    vp = next(f for f in report.findings if f.entity.id == "sonv/vp")
    assert vp.waived is not None and vp.waived.reference == "Công văn 456-CV/TU"
    assert report.summary["waived"] == 1 and report.summary["error"] == 2
    expired = policy.evaluate(path, as_of=dt.date(2023, 1, 1))
    assert all(f.waived is None for f in expired.findings if f.rule == "deputy-cap")

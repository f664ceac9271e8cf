"""The realistic plans in examples/ evaluate to the findings documented in examples/README.md."""
from pathlib import Path

import pytest

import ag18_rules

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


@pytest.fixture(scope="module")
def policy():
    with ag18_rules.load_policy() as p:
        yield p


def keys(report, *, skip=("admin-unit-standard",)):
    return {(f.rule, f.check, f.entity.id, f.severity) for f in report.findings if f.rule not in skip}


def finding(report, rule, entity):
    return next(f for f in report.findings if f.rule == rule and f.entity.id == entity)


def test_department_of_home_affairs(policy):
    report = policy.evaluate(EXAMPLES / "sonv-offices-2021.yaml")
    assert report.verdict == "fail"
    assert keys(report) == {
        ("deputy-cap", "department-unit", "sonv/phong-tccb-ccvc", "error"),
        ("one-lead-organization", "lead", "kiem-tra-cong-vu", "error"),
    }
    cap = finding(report, "deputy-cap", "sonv/phong-tccb-ccvc")
    assert cap.values == {"deputies": 3, "cap": 2, "civil_servants": 12, "province_class": 1}
    assert cap.parameters[0].bracket == "province_class=1, civil_servants 9–14"
    lead = finding(report, "one-lead-organization", "kiem-tra-cong-vu")
    assert lead.values["lead_list"] == "sonv/thanh-tra, sonv/phong-cchc"
    [target] = report.targets
    assert (target.rule, target.status, target.value) == ("staff-reduction-target", "met", 10.101)


def test_drafts_of_the_same_plan(policy):
    first = policy.evaluate(EXAMPLES / "sonv-offices-2021-draft1.yaml")
    second = policy.evaluate(EXAMPLES / "sonv-offices-2021-draft2.yaml")
    assert keys(first) == {
        ("affected-staff-settled", "merger-group", "sonv/phong-vtlt", "error"),
        ("deputy-cap", "department-unit", "sonv/phong-tccb-ccvc", "error"),
        ("deputy-cap", "inspectorate", "sonv/thanh-tra", "error"),
        ("one-lead-organization", "lead", "kiem-tra-cong-vu", "error"),
        ("plan-submitted", "submitted", "ag-sonv-2021", "info"),
        ("task-continuity", "continued", "cong-tac-thanh-nien", "error"),
    }
    assert finding(first, "affected-staff-settled", "sonv/phong-vtlt").values["unsettled_positions"] == 1
    assert keys(second) == {
        ("deputy-cap", "department-unit", "sonv/phong-tccb-ccvc", "error"),
        ("min-staff-for-unit", "department-unit", "sonv/phong-cchc", "error"),
        ("one-lead-organization", "lead", "kiem-tra-cong-vu", "error"),
        ("plan-submitted", "submitted", "ag-sonv-2021", "info"),
    }
    assert finding(second, "min-staff-for-unit", "sonv/phong-cchc").values == {
        "civil_servants": 5, "minimum": 6, "province_class": 1}


def test_hamlets_merged_in_2020(policy):
    report = policy.evaluate(EXAMPLES / "hamlets-2020.yaml")
    assert keys(report, skip=()) == {
        ("hamlet-merge-required", "ap", "ol/ap-long-binh", "error"),
        ("admin-unit-standard", "ap-households", "ol/ap-long-binh", "info"),
    }
    merge = finding(report, "hamlet-merge-required", "ol/ap-long-binh")
    assert merge.values["households"] == 162 and merge.values["households_min"] == 350
    assert "162" in merge.message.vi and "162" in merge.message.en
    assert any(n.rule == "leader-performance" and n.entity is None for n in report.not_applicable)


def test_district_party_bodies(policy):
    report = policy.evaluate(EXAMPLES / "district-party-2019.yaml")
    assert keys(report) == {
        ("no-new-intermediate", "intermediate", "cx/khoi-mttq-doan-the", "error"),
        ("one-lead-organization", "lead", "phoi-hop-doan-the", "error"),
        ("plan-submitted", "submitted", "ag-chauthanh-dang-2019", "info"),
        ("task-continuity", "continued", "phoi-hop-doan-the", "error"),
    }
    assert finding(report, "no-new-intermediate", "cx/khoi-mttq-doan-the").values["status"] == "new"


def test_province_wide_plan(policy):
    report = policy.evaluate(EXAMPLES / "province-2021.yaml")
    assert keys(report) == {
        ("deputy-cap", "department-unit", "stc/phong-tai-chinh-dau-tu-va-doanh-nghiep", "error"),
        ("hamlet-merge-required", "ap", "phu-tan/thanh-loc/ap-dong-hung", "error"),
        ("min-staff-for-unit", "department-unit", "sngv/phong-hop-tac-quoc-te-va-thong-tin-doi-ngoai", "error"),
        ("part-time-quota", "commune", "tri-ton/nhon-an", "error"),
        ("staff-within-job-positions", "within", "syt/trung-tam-kiem-soat-benh-tat", "error"),
    }
    standard = [f for f in report.findings if f.rule == "admin-unit-standard"]
    # existing units below the standard get progress information; none is below a rearrangement threshold
    assert all(f.severity == "info" for f in standard)
    assert sum(1 for f in standard if f.entity.id == "chau-doc") == 1
    hamlets = [f for f in standard if f.check in ("ap-households", "khom-households")]
    assert len(hamlets) == 16
    assert finding(report, "part-time-quota", "tri-ton/nhon-an").values["cap"] == 10
    assert report.targets[0].status == "met"

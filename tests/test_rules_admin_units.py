"""The administrative-unit rules on their example plans, through the public API.

Each failing example is checked for its real reasons: which check fired on which unit, with what
severity and values, and which dated parameter (value, since when, legal reference, verified) it
used; dates with no value in force are checked for their *not applicable* reasons.
"""
import datetime as dt
from pathlib import Path

import pytest

import ag18_rules

RULES = Path(__file__).resolve().parent.parent / "rules"
NQ1211 = "Nghị quyết 1211/2016/UBTVQH13 (văn bản hợp nhất 19/VBHN-VPQH)"
TT14 = "Thông tư 14/2018/TT-BNV ngày 03/12/2018 (sửa đổi Thông tư 04/2012/TT-BNV)"
TT14_ART = TT14 + ", Điều 7 (đã sửa đổi)"
CTR19 = "Chương trình hành động 19-CTr/TU ngày 19/4/2018 của Tỉnh ủy An Giang, Nhiệm vụ, giải pháp 8"


@pytest.fixture(scope="module")
def policy():
    with ag18_rules.load_policy() as loaded:
        yield loaded


def run(policy, rule, example, as_of=None):
    """The report of ``rules/<rule>/examples/<example>`` as of ``as_of`` (default: the plan's date)."""
    return policy.evaluate(RULES / rule / "examples" / example, as_of=dt.date.fromisoformat(as_of) if as_of else None)


def findings(report, rule):
    return {(f.check, f.entity.id): f for f in report.findings if f.rule == rule}


def not_applicable(report, rule):
    return {(n.check, n.entity.id if n.entity else None): n.reason.en for n in report.not_applicable if n.rule == rule}


def used(finding, alias):
    """The parameter a finding used under ``alias``, as (name, value, since, reference, verified)."""
    p = next(p for p in finding.parameters if p.alias == alias)
    return p.name, p.value, p.since.isoformat(), p.reference, p.verified


# --------------------------------------------------------------------------- admin-unit-standard


def test_long_xuyen_units_below_the_standards_are_warnings_with_their_basis(policy):
    report = run(policy, "admin-unit-standard", "long-xuyen-2024.yaml")
    found = findings(report, "admin-unit-standard")
    assert set(found) == {
        ("thanh-pho-area", "long-xuyen"), ("phuong-area", "long-xuyen/my-binh"), ("phuong-area", "long-xuyen/my-long"),
        ("phuong-population", "long-xuyen/my-long"), ("xa-area", "long-xuyen/my-khanh"),
        ("xa-area", "long-xuyen/my-hoa-hung"),
    }
    assert {f.severity for f in found.values()} == {"warning"}
    assert report.verdict == "pass"  # warnings until the 2030 deadline

    city = found["thanh-pho-area", "long-xuyen"]
    assert city.clause == ("GOAL-2030-2",)
    assert dict(city.values) == {"area_km2": 115.4, "area_min": 150}
    assert used(city, "area_min") == ("admin_unit.thanh_pho.area_min", 150, "2016-05-25", f"{NQ1211}, Điều 5", True)
    assert city.unverified == ()

    ward = found["phuong-population", "long-xuyen/my-long"]
    assert dict(ward.values) == {"population": 6950, "population_min": 7000, "population_pct": 100,
                                 "parent_kind": "thanh_pho"}
    assert used(ward, "population_min") == ("admin_unit.phuong.population_min", 7000, "2016-05-25",
                                            f"{NQ1211}, Điều 8", True)
    assert next(p.bracket for p in ward.parameters if p.alias == "population_min") == "parent_kind=thanh_pho"
    assert "6950" in ward.message.vi and "7000" in ward.message.en

    commune = found["xa-area", "long-xuyen/my-khanh"]
    assert dict(commune.values) == {"area_km2": 24.6, "area_min": 30, "terrain": "plains"}
    assert used(commune, "area_min") == ("admin_unit.xa.area_min", 30, "2016-05-25", f"{NQ1211}, Điều 3, khoản 2", True)


def test_long_xuyen_meets_the_city_count_and_ward_share(policy):
    report = run(policy, "admin-unit-standard", "long-xuyen-2024.yaml")
    checks = {check for check, _ in findings(report, "admin-unit-standard")}
    assert not checks & {"thanh-pho-communes", "thanh-pho-wards", "thanh-pho-population"}  # 13 units, 11 wards


def test_thi_xa_and_thi_tran_standards_are_not_applicable_because_not_verified(policy):
    report = run(policy, "admin-unit-standard", "compliant-2024.yaml")
    assert findings(report, "admin-unit-standard") == {}
    na = not_applicable(report, "admin-unit-standard")
    assert set(na) == {("thi-xa-population", None), ("thi-xa-area", None),
                       ("thi-tran-population", None), ("thi-tran-area", None),
                       ("dac-khu-population", None), ("dac-khu-area", None)}  # đặc khu exist from 2025-07-01
    assert na["thi-tran-area", None] == (
        f"Parameter admin_unit.thi_tran.area_min has no value from 2016-05-25 ({NQ1211}): "
        "The standards for thị xã and thị trấn in Resolution 1211/2016/UBTVQH13 were not verified.")


@pytest.mark.parametrize("as_of, severity, verdict", [
    ("2026-01-01", "warning", "pass"),
    ("2030-12-31", "warning", "pass"),
    ("2031-01-01", "error", "fail"),
])
def test_a_unit_below_the_standard_is_a_warning_until_the_2030_deadline(policy, as_of, severity, verdict):
    report = run(policy, "admin-unit-standard", "communes-2026.yaml", as_of)
    found = findings(report, "admin-unit-standard")
    assert set(found) == {("xa-population", "xa-binh-hoa"), ("xa-area", "xa-nui-cam"),
                          ("phuong-population", "phuong-my-thoi")}
    assert {f.severity for f in found.values()} == {severity}
    assert report.verdict == verdict


def test_mountain_units_are_held_to_the_mountain_figures(policy):
    report = run(policy, "admin-unit-standard", "tri-ton-2024.yaml")
    found = findings(report, "admin-unit-standard")
    assert set(found) == {("huyen-area", "tri-ton"), ("xa-population", "tri-ton/nui-to")}  # Lê Trì meets 5,000 / 50
    district = found["huyen-area", "tri-ton"]
    assert dict(district.values) == {"area_km2": 600.4, "area_min": 850, "terrain": "mountain"}
    assert used(district, "area_min") == ("admin_unit.huyen.area_min", 850, "2016-05-25", f"{NQ1211}, Điều 2, khoản 2", True)
    assert next(p.bracket for p in district.parameters) == "terrain=mountain"
    commune = found["xa-population", "tri-ton/nui-to"]
    assert dict(commune.values) == {"population": 4800, "population_min": 5000, "population_pct": 100,
                                    "terrain": "mountain"}
    assert used(commune, "population_min") == ("admin_unit.xa.population_min", 5000, "2016-05-25",
                                               f"{NQ1211}, Điều 3, khoản 1", True)


def test_a_district_needs_13_commune_level_units_from_2023(policy):
    report = run(policy, "admin-unit-standard", "cho-moi-draft-2024.yaml")
    district = findings(report, "admin-unit-standard")["huyen-communes", "cho-moi"]
    assert dict(district.values) == {"communes": 12, "communes_min": 13, "towns": 1, "towns_min": 1}
    nq27 = "Nghị quyết 27/2022/UBTVQH15 (sửa đổi Nghị quyết 1211/2016/UBTVQH13), Điều 2, khoản 3 (đã sửa đổi)"
    assert used(district, "communes_min") == ("admin_unit.huyen.communes_min", 13, "2023-01-01", nq27, True)
    assert used(district, "towns_min") == ("admin_unit.huyen.towns_min", 1, "2023-01-01", nq27, True)
    area = findings(report, "admin-unit-standard")["huyen-area", "cho-moi"]
    assert dict(area.values) == {"area_km2": 369.6, "area_min": 450, "terrain": "plains"}
    assert next(p.bracket for p in area.parameters) == "terrain=plains (*)"

    before = run(policy, "admin-unit-standard", "cho-moi-draft-2024.yaml", "2022-12-31")
    assert set(findings(before, "admin-unit-standard")) == {("huyen-area", "cho-moi")}
    reason = not_applicable(before, "admin-unit-standard")["huyen-communes", None]
    assert reason.startswith("Parameter admin_unit.huyen.communes_min has no value from 2016-05-25")
    assert "there is no value before 01/01/2023" in reason


def test_hamlet_standards_change_with_circular_14_2018(policy):
    old = run(policy, "admin-unit-standard", "hamlets-2019.yaml", "2018-02-28")
    assert set(findings(old, "admin-unit-standard")) == {("ap-households", "bp/ap-binh-khanh")}
    binh_khanh = findings(old, "admin-unit-standard")["ap-households", "bp/ap-binh-khanh"]
    assert used(binh_khanh, "households_min") == (
        "hamlet.ap.households_min", 200, "2012-10-15", "Thông tư 04/2012/TT-BNV ngày 31/8/2012 (bản gốc), Điều 7", True)

    tt09 = "Thông tư 09/2017/TT-BNV ngày 29/12/2017 (sửa đổi Thông tư 04/2012/TT-BNV), Điều 7 (đã sửa đổi)"
    mid = run(policy, "admin-unit-standard", "hamlets-2019.yaml", "2019-01-19")
    found = findings(mid, "admin-unit-standard")
    assert set(found) == {("ap-households", "bp/ap-binh-khanh"), ("ap-households", "le-tri/ap-trung-an"),
                          ("khom-households", "my-binh/khom-dong-thinh"), ("khom-households", "tri-ton/khom-3")}
    assert used(found["ap-households", "bp/ap-binh-khanh"], "households_min") == (
        "hamlet.ap.households_min", 500, "2018-03-01", tt09, True)
    assert used(found["khom-households", "tri-ton/khom-3"], "households_min")[1] == 300
    assert "Parameter hamlet.ap.households_min: there is no value for the case terrain=border" in \
        not_applicable(mid, "admin-unit-standard")["ap-households", "vinh-xuong/ap-vinh-thanh"]

    new = run(policy, "admin-unit-standard", "hamlets-2019.yaml", "2019-01-20")
    found = findings(new, "admin-unit-standard")
    assert set(found) == {("ap-households", "bp/ap-binh-khanh"), ("ap-households", "le-tri/ap-trung-an"),
                          ("khom-households", "my-binh/khom-dong-thinh"), ("khom-households", "tri-ton/khom-3")}
    mountain = found["ap-households", "le-tri/ap-trung-an"]
    assert dict(mountain.values) == {"households": 160, "households_min": 350, "terrain": "mountain"}
    assert used(mountain, "households_min") == ("hamlet.ap.households_min", 350, "2019-01-20", TT14_ART, True)
    khom = found["khom-households", "my-binh/khom-dong-thinh"]
    assert used(khom, "households_min") == ("hamlet.khom.households_min", 400, "2019-01-20", TT14_ART, False)
    # the tiers are regional: a mountain khóm of a southern province takes the southern figure
    assert used(found["khom-households", "tri-ton/khom-3"], "households_min")[:2] == ("hamlet.khom.households_min", 400)


def test_admin_unit_rules_are_not_applicable_without_admin_units(policy):
    report = policy.evaluate(RULES / "no-unit-increase" / "examples" / "no-before.yaml")
    for rule in ("admin-unit-standard", "hamlet-merge-required", "part-time-quota", "part-time-lump-sum"):
        assert not_applicable(report, rule) == {(None, None): "the plan lists no `admin_units`"}


# --------------------------------------------------------------------------- hamlet-merge-required


def test_an_ap_below_half_the_standard_must_be_merged(policy):
    report = run(policy, "hamlet-merge-required", "binh-khanh-kept-2020.yaml")
    found = findings(report, "hamlet-merge-required")
    assert set(found) == {("ap", "bp/ap-binh-khanh"), ("khom", "my-binh/khom-dong-thinh"),
                          ("khom", "tri-ton/khom-3")}  # not Bình Tây (175)
    assert report.verdict == "fail"

    ap = found["ap", "bp/ap-binh-khanh"]
    assert ap.severity == "error"
    assert dict(ap.values) == {"households": 141, "households_min": 350, "merge_below": 50, "terrain": "plains"}
    assert used(ap, "households_min") == ("hamlet.ap.households_min", 350, "2019-01-20", TT14_ART, True)
    assert used(ap, "merge_below") == ("hamlet.merge_below_pct", 50, "2019-01-20", TT14, False)
    assert ap.unverified == ("hamlet.merge_below_pct",)
    assert ap.message.en == ("Ấp Bình Khánh has 141 households, below 50% of the standard of 350 for an ấp, "
                             "so it must be merged with a neighbouring hamlet.")

    khom = found["khom", "my-binh/khom-dong-thinh"]
    assert dict(khom.values) == {"households": 190, "households_min": 400, "merge_below": 50, "terrain": "plains"}
    assert dict(found["khom", "tri-ton/khom-3"].values)["households_min"] == 400


def test_no_merger_is_mandatory_before_circular_14_2018(policy):
    report = run(policy, "hamlet-merge-required", "binh-khanh-kept-2020.yaml", "2019-01-19")
    assert findings(report, "hamlet-merge-required") == {}
    na = not_applicable(report, "hamlet-merge-required")
    assert set(na) == {("ap", None), ("khom", None)}
    assert na["ap", None].startswith("Parameter hamlet.merge_below_pct has no value from 2012-10-15")
    assert "No mandatory merge rule was found before Circular 14/2018/TT-BNV" in na["ap", None]


def test_the_real_2020_mergers_pass(policy):
    report = run(policy, "hamlet-merge-required", "binh-khanh-merged-2020.yaml")
    assert findings(report, "hamlet-merge-required") == {}
    assert not_applicable(report, "hamlet-merge-required") == {}


# --------------------------------------------------------------------------- part-time-quota


def test_each_commune_class_above_its_decree_34_cap(policy):
    report = run(policy, "part-time-quota", "over-2020.yaml", "2019-06-25")
    found = findings(report, "part-time-quota")
    expected = {"long-xuyen/my-binh": (15, 14, 1), "long-xuyen/my-khanh": (13, 12, 2), "long-xuyen/my-hoa-hung": (11, 10, 3)}
    assert set(found) == {("commune", uid) for uid in expected}
    for uid, (workers, cap, klass) in expected.items():
        f = found["commune", uid]
        assert f.severity == "error"
        assert dict(f.values) == {"part_time_workers": workers, "cap": cap, "part_time_extra": 0, "unit_class": klass}
        assert used(f, "cap") == ("part_time.commune_max", cap, "2019-06-25", "Nghị định 34/2019/NĐ-CP, Điều 2", True)
        assert next(p.bracket for p in f.parameters if p.alias == "cap") == f"unit_class={klass}"
    # 2020: no verified cap per hamlet yet
    assert not_applicable(report, "part-time-quota")["hamlet", None].startswith(
        "Parameter part_time.hamlet_max has no value from 2019-06-25 (Nghị định 34/2019/NĐ-CP)")


def test_no_cap_is_in_force_the_day_before_decree_34(policy):
    report = run(policy, "part-time-quota", "over-2020.yaml", "2019-06-24")
    # Decree 92/2009 as amended by Decree 29/2013: 22 / 20 / 19, which every commune meets
    assert findings(report, "part-time-quota") == {}
    na = not_applicable(report, "part-time-quota")
    assert set(na) == {("hamlet", None), ("commune-ended", None)}
    assert na["hamlet", None] == ("Parameter part_time.hamlet_max has no value on 2019-06-24 "
                                  "(its first value applies from 2019-06-25)")


def test_decree_33_adds_workers_for_population_and_area(policy):
    before = run(policy, "part-time-quota", "extra-2023.yaml", "2023-07-31")
    assert set(findings(before, "part-time-quota")) == {
        ("commune", "cho-moi/tt-cho-moi"), ("commune", "cho-moi/long-dien-a"), ("commune", "cho-moi/my-hoi-dong")}
    assert dict(findings(before, "part-time-quota")["commune", "cho-moi/long-dien-a"].values) == {
        "part_time_workers": 15, "cap": 12, "part_time_extra": 0, "unit_class": 2}

    after = run(policy, "part-time-quota", "extra-2023.yaml", "2023-08-01")
    found = findings(after, "part-time-quota")
    # Long Điền A: 16,500 people and 62.4 km² give 2 + 1 extra workers, so 15 <= 12 + 3
    assert set(found) == {("commune", "cho-moi/my-hoi-dong"), ("hamlet", "cho-moi/long-dien-a/ap-long-hoa")}
    commune = found["commune", "cho-moi/my-hoi-dong"]
    assert dict(commune.values) == {"part_time_workers": 11, "cap": 10, "part_time_extra": 0, "unit_class": 3}
    assert used(commune, "cap") == ("part_time.commune_max", 10, "2023-08-01", "Nghị định 33/2023/NĐ-CP, Điều 33", True)
    assert commune.severity == "info"  # Decree 33/2023: a commune's own cap only counts towards the province total
    hamlet = found["hamlet", "cho-moi/long-dien-a/ap-long-hoa"]
    assert dict(hamlet.values) == {"part_time_workers": 4, "cap": 3}
    assert used(hamlet, "cap") == ("part_time.hamlet_max", 3, "2023-08-01", "Nghị định 33/2023/NĐ-CP", True)
    # the standards of thị trấn are not verified: its addition is unknown and 15 > 14 cannot be judged
    na = not_applicable(after, "part-time-quota")
    assert na["commune", "cho-moi/tt-cho-moi"] == (
        "missing data — part_time_extra: cannot be computed: population, area, kind or its standard is missing")
    # nor can the province-wide total, which needs every commune's cap
    assert na["province-envelope", "ptq-extra-2023"].startswith("missing data — part_time_commune_caps_after: "
                                                                "the cap of a commune cannot be computed")
    assert na["commune-ended", None] == ("Parameter part_time.commune_after_end_max has no value on 2023-08-01 "
                                         "(its first value applies from 2026-05-31)")
    assert len(na) == 3


def test_units_at_their_caps_pass_under_both_decrees(policy):
    for as_of in ("2020-07-01", "2023-08-01"):
        assert findings(run(policy, "part-time-quota", "within-2020.yaml", as_of), "part-time-quota") == {}


# --------------------------------------------------------------------------- part-time-lump-sum


def test_no_lump_sum_is_required_before_2019(policy):
    report = run(policy, "part-time-lump-sum", "lump-sum-2019.yaml", "2018-12-31")
    assert findings(report, "part-time-lump-sum") == {}
    na = not_applicable(report, "part-time-lump-sum")
    assert set(na) == {("lump-sum", None), ("commune-fund", None), ("commune-fund-extra", None), ("hamlet-fund", None)}
    assert na["lump-sum", None] == (
        f"Parameter part_time.allowance_mode has no value from 2018-04-19 ({CTR19}): The programme requires the "
        "lump sum \"from 2019\" (\"thực hiện từ năm 2019\"); before that there is no requirement.")


@pytest.mark.parametrize("as_of", ["2019-01-01", "2019-06-24"])
def test_from_2019_a_commune_paying_per_person_is_an_error(policy, as_of):
    report = run(policy, "part-time-lump-sum", "lump-sum-2019.yaml", as_of)
    found = findings(report, "part-time-lump-sum")
    assert set(found) == {("lump-sum", "long-xuyen/my-khanh")}
    f = found["lump-sum", "long-xuyen/my-khanh"]
    assert f.severity == "error" and f.clause == ("TASK-8b",)
    assert dict(f.values) == {"allowance_mode": "per_person", "mode": "lump_sum"}
    assert used(f, "mode") == ("part_time.allowance_mode", "lump_sum", "2019-01-01", CTR19, True)
    # the fund norm of Decree 34/2019 is not yet in force
    assert not_applicable(report, "part-time-lump-sum")["commune-fund", None].startswith(
        "Parameter part_time.commune_fund has no value from 2018-04-19")


def test_decree_34_fund_norms_by_class_and_households(policy):
    report = run(policy, "part-time-lump-sum", "lump-sum-2019.yaml", "2019-06-25")
    found = findings(report, "part-time-lump-sum")
    assert set(found) == {("lump-sum", "long-xuyen/my-khanh"), ("commune-fund", "long-xuyen/my-hoa-hung"),
                          ("hamlet-fund", "long-xuyen/my-khanh/ap-my-khanh-1")}
    commune = found["commune-fund", "long-xuyen/my-hoa-hung"]
    assert dict(commune.values) == {"fund_coefficient": 12.0, "fund": 11.4, "unit_class": 3}
    assert used(commune, "fund") == ("part_time.commune_fund", 11.4, "2019-06-25", "Nghị định 34/2019/NĐ-CP, Điều 2", True)
    hamlet = found["hamlet-fund", "long-xuyen/my-khanh/ap-my-khanh-1"]
    assert dict(hamlet.values) == {"fund_coefficient": 5.0, "fund": 3.0, "households": 300, "terrain": "plains"}
    assert used(hamlet, "fund") == ("part_time.hamlet_fund", 3.0, "2019-06-25", "Nghị định 34/2019/NĐ-CP, Điều 2, khoản 6", True)
    assert next(p.bracket for p in hamlet.parameters) == "kind=ap, terrain=plains (*), households < 350"
    assert not_applicable(report, "part-time-lump-sum")["commune-fund-extra", None].endswith(
        "so there is no addition before 01/8/2023.")


def test_decree_33_fund_norms_the_day_before_and_the_day_it_takes_effect(policy):
    before = run(policy, "part-time-lump-sum", "fund-2023.yaml", "2023-07-31")
    assert {(c, e): dict(f.values)["fund"] for (c, e), f in findings(before, "part-time-lump-sum").items()} == {
        ("commune-fund", "cho-moi/tt-cho-moi"): 16.0, ("commune-fund", "cho-moi/long-dien-a"): 13.7,
        ("commune-fund", "cho-moi/my-hoi-dong"): 11.4, ("hamlet-fund", "cho-moi/long-dien-a/ap-long-hoa"): 5.0,
        ("hamlet-fund", "cho-moi/long-dien-a/ap-long-phu"): 3.0, ("hamlet-fund", "cho-moi/tt-cho-moi/khom-thi-1"): 3.0,
    }

    after = run(policy, "part-time-lump-sum", "fund-2023.yaml", "2023-08-01")
    found = findings(after, "part-time-lump-sum")
    assert set(found) == {("commune-fund-extra", "cho-moi/long-dien-a"), ("hamlet-fund", "cho-moi/tt-cho-moi/khom-thi-1")}
    commune = found["commune-fund-extra", "cho-moi/long-dien-a"]
    assert dict(commune.values) == {"fund_coefficient": 23.0, "fund": 18.0, "extra_fund": 1.5, "part_time_extra": 3,
                                    "unit_class": 2}
    art34 = "Nghị định 33/2023/NĐ-CP, Điều 34, khoản 1"
    assert used(commune, "fund") == ("part_time.commune_fund", 18.0, "2023-08-01", art34, True)
    assert used(commune, "extra_fund") == ("part_time.commune_fund_extra_per_person", 1.5, "2023-08-01", art34, True)
    khom = found["hamlet-fund", "cho-moi/tt-cho-moi/khom-thi-1"]
    assert used(khom, "fund") == ("part_time.hamlet_fund", 4.5, "2023-08-01", "Nghị định 33/2023/NĐ-CP, Điều 34, khoản 2", True)
    assert next(p.bracket for p in khom.parameters) == "kind=khom, terrain=plains (*), households < 500"
    assert khom.unverified == ()


def test_decree_33_norms_met_pass(policy):
    report = run(policy, "part-time-lump-sum", "compliant-2024.yaml")
    assert findings(report, "part-time-lump-sum") == {}
    assert not_applicable(report, "part-time-lump-sum") == {}

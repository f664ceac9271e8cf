"""The policy brought up to 2026: subjects that ended, severity cases written as data, the law's own
thresholds, the real An Giang plans, and ``ag18 timeline``.  Every assertion names the rule, check,
entity and values (or the reason) it expects."""
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

import ag18_rules
from ag18_rules.cli import main
from ag18_rules.engine import shipped_policy_dir
from ag18_rules.errors import InputError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
D = dt.date.fromisoformat
DISTRICT_END_EN = "The district level ended on 2025-07-01 (Nghị quyết 203/2025/QH15)"
DISTRICT_END_VI = "Cấp huyện đã kết thúc từ ngày 2025-07-01 (Nghị quyết 203/2025/QH15)"


@pytest.fixture(scope="module")
def policy():
    with ag18_rules.load_policy() as loaded:
        yield loaded


def findings(report, rule=None):
    return {(f.rule, f.check, f.entity.id): f for f in report.findings if rule in (None, f.rule)}


def not_applicable(report):
    return {(n.rule, n.check, n.entity.id if n.entity else None): n.reason for n in report.not_applicable}


def run(*argv):
    import io

    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


# --------------------------------------------------------------------------- ends


def test_district_checks_end_with_their_reason_in_both_languages(policy):
    report = policy.evaluate(ROOT / "rules/admin-unit-standard/examples/cho-moi-draft-2024.yaml", as_of=D("2025-07-01"))
    assert findings(report, "admin-unit-standard") == {}
    na = not_applicable(report)
    for check in ("huyen-area", "huyen-communes", "thanh-pho-area", "thi-xa-population", "huyen-rearrangement"):
        assert na["admin-unit-standard", check, None].en == DISTRICT_END_EN
        assert na["admin-unit-standard", check, None].vi == DISTRICT_END_VI
    assert na["deputy-cap", "district-office-average", None].en == DISTRICT_END_EN
    assert na["deputy-cap", "inspectorate", None].en == \
        "The department inspectorates ended on 2025-07-01 (Luật Thanh tra 84/2025/QH15)"
    assert na["admin-unit-standard", "thi-tran-area", None].en.startswith("The thị trấn (with the district level) ended")
    day_before = policy.evaluate(ROOT / "rules/admin-unit-standard/examples/cho-moi-draft-2024.yaml",
                                 as_of=D("2025-06-30"))
    assert set(findings(day_before, "admin-unit-standard")) == {
        ("admin-unit-standard", "huyen-area", "cho-moi"), ("admin-unit-standard", "huyen-communes", "cho-moi")}


def test_commune_part_time_posts_end_and_become_a_finding(policy):
    path = ROOT / "rules/part-time-quota/examples/envelope-2024.yaml"
    before = policy.evaluate(path, as_of=D("2026-05-30"))
    assert set(findings(before, "part-time-quota")) == {("part-time-quota", "commune", "xa-hoa-an")}
    after = policy.evaluate(path, as_of=D("2026-05-31"))
    found = findings(after, "part-time-quota")
    assert set(found) == {("part-time-quota", "commune-ended", u) for u in ("xa-hoa-an", "xa-hoa-binh", "xa-hoa-lac")}
    ended = found["part-time-quota", "commune-ended", "xa-hoa-an"]
    assert ended.severity == "error" and dict(ended.values) == {"part_time_workers": 16, "allowed": 0}
    assert "12/CV-BCĐ" in ended.message.en and "hamlets keep theirs" in ended.message.en
    na = not_applicable(after)
    assert na["part-time-quota", "commune", None].en.startswith("Commune-level part-time posts ended on 2026-05-31")
    assert na["part-time-quota", "province-envelope", None].en.startswith("Commune-level part-time posts ended")
    assert ("part-time-quota", "hamlet", None) not in na  # hamlets keep their part-time workers


def test_a_check_can_end_itself(tmp_path):
    """A check's own ``ends`` makes it not applicable from that date with the same kind of reason."""
    target = tmp_path / "pack"
    shutil.copytree(shipped_policy_dir() / "policy", target / "policy")
    shutil.copytree(shipped_policy_dir() / "rules", target / "rules")
    path = target / "rules" / "one-lead-person" / "one-lead-person.yaml"
    text = path.read_text(encoding="utf-8")
    head, tail = text.split("    message:", 1)
    path.write_text(head + "    ends: {date: '2024-01-01', subject: {vi: Chức danh thử, en: The test post}, "
                    "document: Văn bản thử}\n    message:" + tail, encoding="utf-8")
    plan = ROOT / "rules/one-lead-person/examples"
    example = sorted(plan.glob("*.yaml"))[0]
    with ag18_rules.load_policy(target) as p:
        report = p.evaluate(example, as_of=D("2024-01-01"))
        assert not findings(report, "one-lead-person")
        reasons = [n.reason.en for n in report.not_applicable if n.rule == "one-lead-person"]
        assert reasons == ["The test post ended on 2024-01-01 (Văn bản thử)"]


def test_explain_and_coverage_show_the_ends():
    code, out, _ = run("explain", "deputy-cap", "--lang", "en")
    assert code == 0
    assert "  ends: The department inspectorates ended on 2025-07-01 (Luật Thanh tra 84/2025/QH15) " \
           "[deputy.inspectorate_max]" in out
    assert "from 2025-07-01: ended — The district level ended on 2025-07-01 (Nghị quyết 203/2025/QH15)" in out
    assert "from 2014-05-20: 3  (Nghị định 24/2014/NĐ-CP, Điều 6)" in out
    assert "severity warning: when status == 'formed'" in out and "until 2030-12-31" in out
    code, out, _ = run("coverage", "--format", "json", "--lang", "en")
    rows = {r["clause"]: r for r in json.loads(out)["clauses"]}
    ends = {e["check"]: e for e in rows["GOAL-2030-2"]["ends"]}
    assert ends["admin-unit-standard/huyen-area"] == {
        "check": "admin-unit-standard/huyen-area", "date": "2025-07-01", "reason": DISTRICT_END_EN}
    assert {e["check"] for e in rows["TASK-8b"]["ends"]} >= {"part-time-quota/commune", "part-time-lump-sum/commune-fund"}
    code, out, _ = run("coverage", "--lang", "vi")
    assert "kết thúc: deputy-cap/inspectorate — Thanh tra sở đã kết thúc từ ngày 2025-07-01" in out


def _pack(tmp_path):
    target = tmp_path / "pack"
    shutil.copytree(shipped_policy_dir() / "policy", target / "policy")
    shutil.copytree(shipped_policy_dir() / "rules", target / "rules")
    return target


def test_lint_flags_a_check_that_outlives_its_subject(tmp_path):
    from ag18_rules.lint import lint_policy

    target = _pack(tmp_path)
    rule = target / "rules" / "admin-unit-standard" / "admin-unit-standard.yaml"
    text = rule.read_text(encoding="utf-8")
    # a new check on thành phố whose parameter does not end with the district level
    extra = text.replace("checks:\n", "checks:\n  - id: thanh-pho-extra\n    applies_to: admin_unit\n"
                         "    where: \"in_after and level == 'district' and kind == 'thanh_pho' and communes > 0\"\n"
                         "    parameters: {share: admin_unit.rearrange_below_pct}\n    require: \"wards * 100 >= communes * share\"\n"
                         "    message: {vi: \"{name} thử\", en: \"{name} test\"}\n", 1)
    rule.write_text(extra, encoding="utf-8")
    params = target / "policy" / "deputies.yaml"
    ptext = params.read_text(encoding="utf-8")
    marker = "        ends: {vi: Thanh tra sở"
    i = ptext.index(marker)
    j = ptext.index("\n\n", i)
    revived = ("\n      2026-06-01:\n        value: [{value: 2}]\n        reference: {document: Văn bản thử, article: null, "
               "effective: 2026-06-01, source: thử, confidence: low}\n        verified: false\n        note: {vi: thử, en: test}")
    params.write_text(ptext[:j] + revived + ptext[j:], encoding="utf-8")
    report = lint_policy(target, plans=0)
    by_code = {}
    for d in report.diagnostics:
        by_code.setdefault(d.code, []).append(d)
    [outlives] = [d for d in by_code["runs-after-end"] if "thanh-pho-extra" in d.message.en]
    assert outlives.message.en.startswith("Check admin-unit-standard/thanh-pho-extra still runs from 2025-07-01")
    assert DISTRICT_END_EN in outlives.message.en
    assert outlives.span.file.endswith("admin-unit-standard.yaml")
    [again] = by_code["end-revived"]
    assert "deputy.inspectorate_max has a value again from 2026-06-01" in again.message.en
    assert again.span.file.endswith("deputies.yaml")


def test_the_shipped_policy_has_no_check_outliving_its_subject():
    from ag18_rules.lint import lint_policy

    report = lint_policy(plans=0)
    assert [d for d in report.diagnostics if d.code in ("runs-after-end", "end-revived")] == []


# --------------------------------------------------------------------------- severity cases


def test_a_severity_case_with_an_unknown_name_is_reported_at_its_place(tmp_path):
    target = _pack(tmp_path)
    rule = target / "rules" / "deputy-cap" / "deputy-cap.yaml"
    text = rule.read_text(encoding="utf-8")
    text = text.replace('when: "status == \'formed\' and group_deputies_before != null and deputies <= group_deputies_before"',
                        'when: "status == \'formed\' and group_deputys_before != null"', 1)
    text = text.replace("within_years: deputy.merger_surplus_years", "within_years: deputy.merger_surplus_yeras", 1)
    rule.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as caught:
        ag18_rules.load_policy(target)
    codes = {(d.code, d.span.line) for d in caught.value.diagnostics}
    lines = text.splitlines()
    when_line = next(i for i, line in enumerate(lines, 1) if "group_deputys_before" in line)
    years_line = next(i for i, line in enumerate(lines, 1) if "merger_surplus_yeras" in line)
    assert ("unknown-name", when_line) in codes or any(c[1] == when_line for c in codes)
    assert ("unknown-parameter", years_line) in codes
    [years] = [d for d in caught.value.diagnostics if d.code == "unknown-parameter"]
    assert "did you mean 'deputy.merger_surplus_years'" in years.message.en


def test_surplus_deputies_are_a_warning_naming_the_resolve_by_date(policy):
    path = EXAMPLES / "an-giang-departments-2026.yaml"
    report = policy.evaluate(path)
    found = findings(report, "deputy-cap")
    assert set(found) == {("deputy-cap", "department-unit", "snv/tccb"), ("deputy-cap", "department-unit", "stc/ns")}
    surplus = found["deputy-cap", "department-unit", "snv/tccb"]
    assert surplus.severity == "warning"
    assert dict(surplus.values) == {"deputies": 3, "cap": 1, "civil_servants": 9, "province_class": 1,
                                    "until": "2030-12-31"}
    assert "until 2030-12-31 (Decree 45/2025/NĐ-CP, Art. 24; Decree 370/2025/NĐ-CP)" in surplus.message.en
    assert "đến hết 2030-12-31" in surplus.message.vi
    beyond = found["deputy-cap", "department-unit", "stc/ns"]
    assert beyond.severity == "error" and "until" not in beyond.values  # 4 deputies, its sources had 3
    assert report.verdict == "fail"
    later = findings(policy.evaluate(path, as_of=D("2031-01-01")), "deputy-cap")
    assert later["deputy-cap", "department-unit", "snv/tccb"].severity == "error"


def test_a_plan_dated_before_decree_45_gets_no_window(policy):
    plan = policy.load_plan(EXAMPLES / "an-giang-departments-2026.yaml")
    from dataclasses import replace

    early = replace(plan, effective=D("2025-02-01"))
    found = findings(policy.evaluate(early, as_of=D("2026-01-01")), "deputy-cap")
    assert found["deputy-cap", "department-unit", "snv/tccb"].severity == "error"


def test_two_province_merger_gives_one_more_deputy_director(policy):
    report = policy.evaluate(EXAMPLES / "an-giang-departments-2026.yaml")
    assert ("deputy-cap", "department-average-merger", "ag-so-hop-nhat-2026") not in findings(report)
    assert ("deputy-cap", "department-average", None) not in not_applicable(report)
    plan = policy.load_plan(EXAMPLES / "an-giang-departments-2026.yaml")
    from dataclasses import replace

    orgs = tuple(replace(o, province_merger=False) if o.type == "department" else o for o in plan.after.organizations)
    plain = replace(plan, after=replace(plan.after, organizations=orgs))
    found = findings(policy.evaluate(plain), "deputy-cap")
    average = found["deputy-cap", "department-average", "ag-so-hop-nhat-2026"]
    assert dict(average.values)["department_deputies_after"] == 8 and dict(average.values)["average"] == 3
    assert average.severity == "warning" and average.values["until"] == "2030-12-31"  # within the sources' 12


# --------------------------------------------------------------------------- real plans


def test_an_giang_2020_hamlet_mergers(policy):
    path = EXAMPLES / "an-giang-hamlet-mergers-2020.yaml"
    report = policy.evaluate(path)
    assert report.as_of == D("2020-07-10")
    assert findings(report, "hamlet-merge-required") == {}
    assert findings(report, "admin-unit-standard") == {}
    na = {(n.rule, n.check, n.entity.id): n.reason.en for n in report.not_applicable if n.entity}
    assert na["hamlet-merge-required", "ap", "ah/ap-vo-ba"] == "missing data — households: the unit gives no `households`"
    # without the mergers, the three absorbed ấp were below 175 households (50 % of 350): they had to merge
    plan = policy.load_plan(path)
    from dataclasses import replace

    kept = replace(plan, after=plan.before, before=None)
    found = findings(policy.evaluate(kept), "hamlet-merge-required")
    assert {k[2]: dict(f.values)["households"] for k, f in found.items()} == {
        "bp/ap-binh-khanh": 141, "ol/ap-long-son": 138, "ah/ap-rau-tan": 124}
    assert {f.severity for f in found.values()} == {"error"}


@pytest.mark.parametrize("as_of", ["2025-07-01", "2026-06-01"])
def test_an_giang_2025_commune_arrangement(policy, as_of):
    report = policy.evaluate(EXAMPLES / "an-giang-communes-2025.yaml", as_of=D(as_of))
    plan = policy.load_plan(EXAMPLES / "an-giang-communes-2025.yaml")
    kinds = [u.kind for u in plan.after.admin_units]
    assert (len(kinds), kinds.count("xa"), kinds.count("phuong"), kinds.count("dac_khu")) == (102, 85, 14, 3)
    assert report.findings == () and report.verdict == "pass"
    na = not_applicable(report)
    assert na["admin-unit-standard", "huyen-population", None].en == DISTRICT_END_EN
    assert na["admin-unit-standard", "dac-khu-population", None].en.startswith(
        "Parameter admin_unit.dac_khu.population_min has no value from 2025-07-01")
    assert "the unit gives no `population`" in na["admin-unit-standard", "xa-population", "xa-01"].en
    if as_of == "2026-06-01":
        assert na["part-time-quota", "commune", None].en.startswith("Commune-level part-time posts ended on 2026-05-31")
        assert "the unit gives no `part_time_workers`" in na["part-time-quota", "commune-ended", "xa-01"].en


def test_ethnic_minority_and_border_units_need_half_the_population_standard(policy):
    report = policy.evaluate(ROOT / "rules/admin-unit-standard/examples/communes-2026.yaml")
    found = findings(report, "admin-unit-standard")
    assert ("admin-unit-standard", "xa-population", "xa-o-lam") not in found  # ethnic minority: 9,000 ≥ 8,000
    assert ("admin-unit-standard", "xa-population", "xa-vinh-gia") not in found  # border: 8,500 ≥ 8,000
    plan = policy.load_plan(ROOT / "rules/admin-unit-standard/examples/communes-2026.yaml")
    assert next(u for u in plan.after.admin_units if u.id == "xa-o-lam").ethnic_minority is True


# --------------------------------------------------------------------------- timeline


def test_timeline_lists_what_appears_and_disappears_with_the_documents(policy):
    from ag18_rules.timeline import timeline

    result = timeline(policy, EXAMPLES / "an-giang-departments-2026.yaml")
    assert (result.start, result.until) == (D("2026-01-01"), D("2031-01-01"))
    first, last = result.steps[0], result.steps[-1]
    assert first.date == D("2026-01-01") and first.counts == (1, 2, 0)
    assert {(c.kind, c.check, c.entity, c.severity) for c in first.changes} >= {
        ("appear", "department-unit", "snv/tccb", "warning"), ("appear", "department-unit", "stc/ns", "error")}
    assert last.date == D("2031-01-01")
    assert [(c.kind, c.check, c.entity, c.before, c.severity) for c in last.changes] == [
        ("severity", "department-unit", "snv/tccb", "warning", "error")]
    assert "deputy-cap/department-unit: until 2030-12-31" in last.documents


def test_timeline_shows_the_ends_and_the_2026_standards(policy):
    from ag18_rules.timeline import timeline

    result = timeline(policy, ROOT / "rules/part-time-quota/examples/envelope-2024.yaml", until=D("2026-06-01"))
    steps = {s.date: s for s in result.steps}
    ended = steps[D("2025-07-01")]
    assert "Nghị quyết 203/2025/QH15" in ended.documents
    assert ("not_applicable", "admin-unit-standard", "huyen-area") in {(c.kind, c.rule, c.check) for c in ended.changes}
    standards = steps[D("2026-01-01")]
    assert "Nghị quyết 112/2025/UBTVQH15 (thay thế Nghị quyết 1211/2016/UBTVQH13)" in standards.documents
    assert ("appear", "xa-population", "xa-hoa-an") in {(c.kind, c.check, c.entity) for c in standards.changes}
    posts = steps[D("2026-05-31")]
    kinds = {(c.kind, c.check, c.entity) for c in posts.changes}
    assert ("appear", "commune-ended", "xa-hoa-an") in kinds and ("disappear", "commune", "xa-hoa-an") in kinds
    assert max(result.steps, key=lambda s: s.date).date <= D("2026-06-01")


def test_timeline_command_text_and_json():
    code, out, _ = run("timeline", str(EXAMPLES / "an-giang-departments-2026.yaml"), "--format", "json", "--lang", "en")
    assert code == 0
    data = json.loads(out)
    assert data["format"] == "ag18-timeline/1" and data["plan"] == "ag-so-hop-nhat-2026"
    assert [d["date"] for d in data["dates"]] == ["2026-01-01", "2031-01-01"]
    assert data["dates"][1]["changes"] == [{
        "kind": "severity", "rule": "deputy-cap", "check": "department-unit", "entity": "snv/tccb",
        "severity": "error", "from": "warning",
        "message": "Phòng Tổ chức - Biên chế has 3 deputies, above the cap of 1 for a department office with 9 "
                   "civil-servant posts (province class 1)."}]
    code, again, _ = run("timeline", str(EXAMPLES / "an-giang-departments-2026.yaml"), "--format", "json", "--lang", "en")
    assert again == out  # deterministic
    code, text, _ = run("timeline", str(EXAMPLES / "an-giang-departments-2026.yaml"), "--until", "2027-01-01")
    assert code == 0 and text.startswith("Diễn biến theo thời gian của đề án ag-so-hop-nhat-2026, từ 2026-01-01 "
                                         "đến 2027-01-01")
    assert "~" not in text
    code, _, err = run("timeline", str(EXAMPLES / "missing.yaml"))
    assert code == 2 and "Traceback" not in err

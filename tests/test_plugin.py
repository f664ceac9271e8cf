"""The pytest plugin, run as applications run it: in a fresh pytest, in a temporary project."""
from __future__ import annotations

import shutil
import textwrap

import pytest

from ag18_rules.engine import shipped_policy_dir

pytest_plugins = ["pytester"]

FAILING_PLAN = """
    PLAN = {
        "format": "ag18-plan/1",
        "plan": {"id": "de-an-thu", "effective": "2021-03-01"},
        "after": {
            "organizations": [{"id": "so-nv", "name": "Sở Nội vụ", "type": "department"}],
            "tasks": [{"id": "bien-che", "name": "Quản lý biên chế"}],
        },
    }
"""


@pytest.fixture
def policy_copy(pytester):
    """A policy folder in the temporary project: the shipped parameters and one rule."""
    shipped = shipped_policy_dir()
    shutil.copytree(shipped / "policy", pytester.path / "policy")
    shutil.copytree(shipped / "rules" / "one-lead-organization", pytester.path / "rules" / "one-lead-organization")
    return pytester.path


def test_assert_compliant_lists_the_findings_in_the_officers_words(pytester):
    pytester.makepyfile(FAILING_PLAN + textwrap.dedent("""
        from ag18_rules.testing import assert_compliant

        def test_plan():
            assert_compliant(PLAN)
    """))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines([
        "*Kế hoạch de-an-thu không đạt chính sách ag18 * (ngày đánh giá 2021-03-01): 1 lỗi*",
        "*- [[]one-lead-organization] Quản lý biên chế (bien-che): *",
        "*Cách khắc phục: *",
    ])
    assert "Traceback" not in result.stdout.str()


def test_the_fixture_and_english_messages_come_from_the_ini_file(pytester):
    pytester.makeini("[pytest]\nag18_lang = en\n")
    pytester.makepyfile(FAILING_PLAN + textwrap.dedent("""
        from ag18_rules.pytest_plugin import assert_compliant

        def test_fixture(ag18_policy):
            assert "one-lead-organization" in ag18_policy.rule_ids
            assert ag18_policy.backend_name == "python"

        def test_plan(ag18_policy):
            assert_compliant(PLAN, ag18_policy)
    """))
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*Plan de-an-thu does not pass policy ag18 * (as of 2021-03-01): 1 error(s)*",
                                 "*- [[]one-lead-organization] Quản lý biên chế (bien-che): *", "*Fix: *"])


def test_a_compliant_plan_passes_and_warnings_fail_only_when_strict(pytester):
    pytester.makepyfile(textwrap.dedent("""
        import pytest
        from ag18_rules.testing import assert_compliant

        ORG = {"id": "so-nv", "name": "Sở Nội vụ", "type": "department"}
        PLAN = {"format": "ag18-plan/1", "plan": {"id": "p", "effective": "2021-03-01",
                "approval": {"status": "approved"}},
                "before": {"organizations": [ORG]}, "after": {"organizations": [ORG]}}

        def test_passes():
            report = assert_compliant(PLAN)
            assert report.verdict == "pass"
            assert [f.rule for f in report.findings] == ["fewer-units"]

        def test_strict():
            with pytest.raises(AssertionError, match="1 cảnh báo"):
                assert_compliant(PLAN, strict=True)
    """))
    pytester.runpytest_subprocess("-p", "no:cacheprovider").assert_outcomes(passed=2)


def test_rule_examples_are_collected_only_on_request(pytester, policy_copy):
    pytester.makepyfile("def test_nothing():\n    pass\n")
    plain = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--collect-only", "-q")
    assert "tests.yaml" not in plain.stdout.str()
    asked = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ag18-examples=.", "-v",
                                          "--ag18-backend=python")
    asked.assert_outcomes(passed=3)
    asked.stdout.fnmatch_lines(["*rules/one-lead-organization/tests.yaml::pass.yaml PASSED*",
                                "*rules/one-lead-organization/tests.yaml::fail.yaml PASSED*"])


def test_a_failing_example_says_what_differs(pytester, policy_copy):
    tests = policy_copy / "rules" / "one-lead-organization" / "tests.yaml"
    tests.write_text(tests.read_text(encoding="utf-8").replace("entity: dia-gioi", "entity: dia-chinh"),
                     encoding="utf-8")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ag18-examples=.", "--ag18-backend=python")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*one-lead-organization: fail.yaml*",
        "*[[]python] missing finding: one-lead-organization/lead on dia-chinh*",
        "*[[]python] unexpected finding: one-lead-organization/lead on dia-gioi*",
    ])
    assert "Traceback" not in result.stdout.str()


def test_the_ini_option_collects_examples_on_full_runs_only(pytester, policy_copy):
    pytester.makeini("[pytest]\nag18_examples = .\n")
    pytester.makepyfile(test_one="def test_one():\n    pass\n")
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ag18-backend=python").assert_outcomes(passed=3)
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "test_one.py").assert_outcomes(passed=1)


def test_examples_run_on_both_backends_when_asked(pytester, policy_copy):
    pytest.importorskip("durable")
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "--ag18-examples=.",
                                           "--ag18-backend=python", "--ag18-backend=durable")
    result.assert_outcomes(passed=2)


def test_the_plugin_costs_nothing_where_it_is_not_used(pytester):
    """Loaded in every project, it loads no policy and imports neither Hypothesis nor the strategies."""
    pytester.makepyfile(textwrap.dedent("""
        import sys

        def test_untouched():
            plugin = sys.modules["ag18_rules.pytest_plugin"]
            assert plugin._loaded == {}
            assert "hypothesis" not in sys.modules
            assert "ag18_rules.testing" not in sys.modules
    """))
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:hypothesispytest",
                                  "-p", "no:schemathesis").assert_outcomes(passed=1)


def test_the_ci_profile_can_be_chosen_on_the_command_line(pytester):
    pytester.makepyfile(textwrap.dedent("""
        from hypothesis import settings

        def test_profile():
            assert settings.get_current_profile_name() == "ag18-ci"
            assert settings.default.deadline is None and settings.default.max_examples == 50
    """))
    pytester.runpytest_subprocess("-p", "no:cacheprovider", "--hypothesis-profile=ag18-ci").assert_outcomes(passed=1)

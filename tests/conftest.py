"""Every report the test suite turns into JSON is checked against the published report schema."""
import functools

import pytest

from ag18_rules.report import Report
from ag18_rules.schema import report_problems


@pytest.fixture(autouse=True, scope="session")
def _every_report_meets_its_schema():
    """Wraps ``Report.to_dict`` (and so ``to_json`` and ``ag18 check --format json``) for the session."""
    original = Report.to_dict

    @functools.wraps(original)
    def checked(self, lang="vi"):
        data = original(self, lang)
        problems = report_problems(data)
        assert not problems, f"the report of {self.plan} breaks report.schema.json: {problems[:5]}"
        return data

    Report.to_dict = checked
    yield
    Report.to_dict = original

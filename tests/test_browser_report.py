"""The HTML report in a real headless Chromium: it loads offline with no console error and no
network request, shows every finding with its entity and every organisation, and shows a
``<script>`` in a name as text.  A screenshot is kept in test-artifacts/."""
from pathlib import Path

import pytest

from ag18_rules.engine import Policy
from ag18_rules.formats import render_html

from browser import ARTIFACTS, open_page, require_browser

ROOT = Path(__file__).resolve().parent.parent
DRAFT1 = ROOT / "examples" / "sonv-offices-2021-draft1.yaml"
HOSTILE = "Thanh tra <script>document.title='pwned'</script> Sở"


@pytest.fixture(scope="module")
def report_page(tmp_path_factory):
    require_browser()
    folder = tmp_path_factory.mktemp("browser")
    text = DRAFT1.read_text(encoding="utf-8").replace("name: Thanh tra Sở", f'name: "{HOSTILE}"', 1)
    (folder / "plan.yaml").write_text(text, encoding="utf-8")
    with Policy.load() as policy:
        plan = policy.load_plan(folder / "plan.yaml")
        report = policy.evaluate(plan, fixes=True, origin=True)
        quotes = {c.id: c.quote_vi for c in policy.params.programme.clauses}
    page = folder / "report.html"
    page.write_text(render_html(report, plan, quotes=quotes), encoding="utf-8")
    return plan, report, page


def test_report_loads_offline_and_shows_every_finding_and_organisation(report_page):
    plan, report, path = report_page
    with open_page(path.as_uri()) as page:
        assert page.console_errors == []
        assert page.network_requests == []
        text = page.text()
        for finding in report.findings:
            assert finding.entity.name in text, finding.entity.name
        articles = page.page.locator("article.finding")
        assert articles.count() == len(report.findings)
        for snap, side in ((plan.before, "before"), (plan.after, "after")):
            shown = page.page.locator(f".tree-{side} li.node").evaluate_all("els => els.map(e => e.dataset.entity)")
            assert shown == [o for o in shown] and sorted(shown) == sorted(o.id for o in snap.organizations)
        assert HOSTILE in text and page.page.title() != "pwned"
        shot = page.screenshot(ARTIFACTS / "report.png")
    assert shot.stat().st_size > 10_000


def test_severity_filter_hides_and_shows_findings(report_page):
    _, report, path = report_page
    errors = sum(1 for f in report.findings if f.severity == "error")
    with open_page(path.as_uri()) as page:
        page.page.uncheck("[data-filter='error']")
        assert page.page.locator("article.finding:visible").count() == len(report.findings) - errors
        page.page.check("[data-filter='error']")
        assert page.page.locator("article.finding:visible").count() == len(report.findings)
        assert page.console_errors == []


def test_report_prints_to_a4_with_a_page_per_section(report_page):
    import re

    _, _, path = report_page
    with open_page(path.as_uri()) as page:
        pdf = page.page.pdf(format="A4")
        page.page.emulate_media(media="print")
        assert page.page.locator("button[data-action='print']").is_hidden()
    assert pdf.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 5  # verdict, trees, charts, findings, not applicable

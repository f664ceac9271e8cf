"""Take the README's screenshot of the HTML report (docs/img/report.png) in headless Chromium.

    .venv/bin/python scripts/report_screenshot.py [PLAN] [OUT.png]

Uses the same browser helper as the tests (Debian's chromium, driven by Playwright).
"""
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from browser import open_page  # noqa: E402

from ag18_rules.engine import Policy  # noqa: E402
from ag18_rules.formats import render_html  # noqa: E402


def main(plan_path: str, out: str) -> None:
    import os

    os.chdir(ROOT)  # the report names the plan as given: relative to the repository
    with Policy.load() as policy:
        plan = policy.load_plan(plan_path)
        report = policy.evaluate(plan, fixes=True, origin=True)
        quotes = {c.id: c.quote_vi for c in policy.params.programme.clauses}
    with tempfile.TemporaryDirectory() as tmp:
        page_path = Path(tmp) / "report.html"
        page_path.write_text(render_html(report, plan, quotes=quotes), encoding="utf-8")
        with open_page(page_path.as_uri(), width=1200, height=1500) as page:
            assert not page.console_errors and not page.network_requests
            page.screenshot(out, full_page=False)
    print(out)


if __name__ == "__main__":
    args = sys.argv[1:]
    main(args[0] if args else "examples/sonv-offices-2021-draft1.yaml",
         args[1] if len(args) > 1 else str(ROOT / "docs" / "img" / "report.png"))

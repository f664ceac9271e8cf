"""The workbench end to end in headless Chromium, as an officer uses it: upload the bundled
example, see its two errors, apply both suggested fixes (the server restarted in between, the
session still there), see the verdict turn to pass, download the plan and check it with ag18."""
from __future__ import annotations

import pytest

from serving import EXAMPLES, ag18, running

browser = pytest.importorskip("browser", reason="the headless-browser helper (tests/browser.py) is not here")
expect = pytest.importorskip("playwright.sync_api", reason="Playwright is not installed").expect
EXAMPLE = EXAMPLES / "sonv-offices-2021.yaml"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running(tmp_path_factory.mktemp("workbench") / "sessions.sqlite3") as s:
        yield s


def errors(page) -> list[str]:
    """The entities of the error findings on the page (read without evaluating script: the page's
    Content-Security-Policy forbids eval, as it should)."""
    return [item.get_attribute("data-entity") for item in page.locator(".finding[data-severity=error]").all()]


def test_upload_apply_both_fixes_across_a_restart_and_download_a_passing_plan(server, tmp_path):
    browser.require_browser()
    with browser.open_page(server.url + "/", offline=False) as view:
        page = view.page
        assert "Bàn làm việc" in page.inner_text("h1")
        page.set_input_files("#file", str(EXAMPLE))
        page.wait_for_selector("#verdict[data-verdict=fail]")
        assert len(errors(page)) == 2
        if page.locator("#report [data-filter=error]").count():  # the HTML report's severity filter
            page.uncheck("#report [data-filter=error]")
            assert not page.locator(".finding[data-severity=error]").first.is_visible()
            page.check("#report [data-filter=error]")
        names = page.inner_text("#session")
        assert "Phòng Tổ chức, biên chế và Công chức, viên chức" in names
        page.click(".finding[data-severity=error] >> nth=0 >> button.apply")
        expect(page.locator(".finding[data-severity=error]")).to_have_count(1)
        assert "1" in page.inner_text("#note")

        server.restart()  # what was applied is in the store; the page reloads the session by its id
        page.reload()
        page.wait_for_selector("#verdict[data-verdict=fail]")
        assert len(errors(page)) == 1
        page.click(".finding[data-severity=error] >> nth=0 >> button.apply")
        page.wait_for_selector("#verdict[data-verdict=pass]")
        assert errors(page) == []
        view.screenshot(browser.ARTIFACTS / "workbench-pass.png")

        with page.expect_download() as download:
            page.click("#download-yaml")
        fixed = tmp_path / "fixed.yaml"
        download.value.save_as(fixed)
        assert ag18("check", str(fixed)).returncode == 0

        page.click("#undo")
        page.wait_for_selector("#verdict[data-verdict=fail]")
        assert view.console_errors == []
        assert all(u.startswith(server.url) for u in view.network_requests)


def test_english_page_and_a_rule_page_with_parameters_and_sources(server):
    browser.require_browser()
    with browser.open_page(server.url + "/rules/deputy-cap?lang=en", offline=False) as view:
        text = view.text()
        assert "GOAL-2021-1" in text and "Nghị định 107/2020/NĐ-CP" in text and "2020-11-25" in text
        assert view.page.get_attribute("html", "lang") == "en"
        view.page.goto(server.url + "/?lang=en")
        assert "Plan-checking workbench" in view.page.inner_text("h1")
        assert view.console_errors == []


def test_a_bad_plan_shows_its_diagnostics_as_text(server, tmp_path):
    browser.require_browser()
    bad = tmp_path / "bad.yaml"
    bad.write_text(EXAMPLE.read_text().replace("deputies: 3", "deputies: '<script>alert(1)</script>'", 1))
    with browser.open_page(server.url + "/", offline=False) as view:
        view.page.set_input_files("#file", str(bad))
        view.page.wait_for_selector("#problems:not([hidden]) li")
        assert "deputies" in view.page.inner_text("#problems")
        assert view.page.query_selector("#problems script") is None
        # Chromium logs the refused upload itself (status 422); nothing else may appear
        assert [e for e in view.console_errors if "status of 422" not in e] == []

"""A headless Chromium for tests: open a page, collect its console errors and network requests,
take a screenshot.

The browser is Debian's ``chromium`` package (``apt-get install -y chromium``), driven by
Playwright's Python package through ``executable_path``: no browser is downloaded.  Tests call
:func:`require_browser` first, which skips them with the reason when no browser is installed.

    with open_page("file:///tmp/report.html") as page:
        assert page.console_errors == []
        page.screenshot("artifacts/report.png")
"""
from __future__ import annotations

import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional

import pytest

ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
_CANDIDATES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium_path() -> Optional[str]:
    """The browser to drive: ``AG18_CHROMIUM`` if set, else the first Chromium on PATH."""
    if os.environ.get("AG18_CHROMIUM"):
        return os.environ["AG18_CHROMIUM"]
    return next((p for p in map(shutil.which, _CANDIDATES) if p), None)


def require_browser() -> str:
    """The browser's path, or skip the test saying how to install one."""
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        pytest.skip("Playwright's Python package is not installed (pip install playwright; no `playwright install`)")
    path = chromium_path()
    if path is None:
        pytest.skip("no Chromium installed: apt-get install -y chromium (or set AG18_CHROMIUM)")
    return path


@dataclass
class Page:
    """An open page and what it did: console errors, page errors and every network request."""

    page: object
    console_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def network_requests(self) -> list[str]:
        """Requests other than the page's own document and inline ``data:`` URLs."""
        return [u for u in self.requests[1:] if not u.startswith(("data:", "about:"))]

    def text(self) -> str:
        return self.page.inner_text("body")

    def screenshot(self, path: str | Path, *, full_page: bool = True) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(path), full_page=full_page)
        return path


@contextmanager
def open_page(url: str, *, width: int = 1280, height: int = 900, offline: bool = True) -> Iterator[Page]:
    """``url`` in a fresh headless Chromium; with ``offline``, the page cannot reach any network."""
    from playwright.sync_api import sync_playwright

    executable = require_browser()
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=executable, headless=True,
                                     args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"])
        try:
            context = browser.new_context(viewport={"width": width, "height": height}, offline=offline)
            raw = context.new_page()
            page = Page(raw)
            raw.on("console", lambda m: page.console_errors.append(m.text) if m.type == "error" else None)
            raw.on("pageerror", lambda e: page.console_errors.append(str(e)))
            raw.on("request", lambda r: page.requests.append(r.url))
            raw.goto(url, wait_until="load")
            yield page
        finally:
            browser.close()

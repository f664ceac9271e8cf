"""Where the server meets :mod:`ag18_rules.formats` (HTML and SARIF reports, Excel plans and the
Excel template).  Every use goes through here, so an installation without a format answers with a
clear problem instead of failing.

The formats package reads and writes workbooks by path; the server gives it a private temporary
file that it created itself (never a path named by a request) and removes it at once.
"""
from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from typing import Iterator, Optional

from .tasks import XLSX, Problem

MEDIA = {"html": "text/html; charset=utf-8", "sarif": "application/sarif+json"}


def _formats(what: str):
    try:
        from .. import formats
        from ..formats import commands
    except ImportError:
        raise Problem(406, "format-unavailable", detail=what) from None
    return formats, commands


@contextmanager
def _scratch(suffix: str) -> Iterator[str]:
    handle, path = tempfile.mkstemp(prefix="ag18-", suffix=suffix)
    os.close(handle)
    try:
        yield path
    finally:
        os.unlink(path)


def render(policy, plan, report, fmt: str, lang: str) -> dict:
    """The report in ``fmt`` (``html`` or ``sarif``) as ``ag18 check --format FMT`` writes it."""
    _, commands = _formats(fmt)
    quotes = {c.id: c.quote_vi for c in policy.params.programme.clauses}
    text = commands.render_check(fmt, [report], [plan], policy, lang, quotes=quotes)
    return {"text": text, "media": MEDIA[fmt], "verdict": report.verdict}


def fragment(policy, plan, report, lang: str) -> Optional[str]:
    """The HTML report's body for the workbench to show (its findings carry their fix's changes in
    ``data-changes``), or None without the formats package."""
    try:
        from ..formats import render_html_fragment
    except ImportError:
        return None
    quotes = {c.id: c.quote_vi for c in policy.params.programme.clauses}
    return render_html_fragment(report, plan, lang, quotes=quotes)


def static(name: str) -> Optional[bytes]:
    """A stylesheet or script of the HTML report (``report.css``, ``report.js``), for the workbench."""
    try:
        from importlib.resources import files

        return (files("ag18_rules.formats") / "templates" / name).read_bytes()
    except (ImportError, ModuleNotFoundError, FileNotFoundError, OSError):
        return None


def read_xlsx(policy, body: bytes, filename: str):
    """The plan in an uploaded workbook, every problem placed at its sheet and cell."""
    try:
        from ..formats import document  # noqa: F401
    except ImportError:
        raise Problem(415, "xlsx-unsupported") from None
    from ..plan import load_plan

    with _scratch(".xlsx") as path:
        with open(path, "wb") as f:
            f.write(body)
        return load_plan(path, filename=filename, rule_ids=policy.rule_ids)


def plan_xlsx(plan, lang: str = "vi") -> bytes:
    """The plan as a workbook in the template's layout."""
    from ..plan import plan_to_dict

    formats, _ = _formats("xlsx")
    with _scratch(".xlsx") as path:
        formats.write_xlsx(plan_to_dict(plan), path, lang)
        with open(path, "rb") as f:
            return f.read()


def plan_yaml(data: dict) -> str:
    """The plan as YAML, as ``ag18 convert`` writes it when the formats package is there."""
    try:
        from ..formats.commands import dump_yaml
    except ImportError:
        import yaml

        return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)
    return dump_yaml(data)


def template_xlsx(lang: str) -> Optional[bytes]:
    """The empty plan workbook an officer fills in, or None without the formats package."""
    try:
        from ..formats import write_template
    except ImportError:
        return None
    with _scratch(".xlsx") as path:
        write_template(path, lang)
        with open(path, "rb") as f:
            return f.read()


__all__ = ["XLSX", "plan_xlsx", "plan_yaml", "read_xlsx", "render", "template_xlsx"]

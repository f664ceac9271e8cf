"""Readers and writers of outside formats, above the core.

In: XLSX workbooks and folders of CSV files (the plan template's sheets).  Out: text, HTML,
SARIF, JUnit XML and GitHub annotations for reports; XLSX for plans and the empty template.
openpyxl and Jinja2 are imported only when a function that needs them is called, so
``import ag18_rules`` stays fast.
"""
from __future__ import annotations

from importlib import import_module

from .text import render_text

__all__ = [
    "PLAN_SUFFIXES", "load_document", "read_csv_dir", "read_xlsx", "render_github", "render_html",
    "render_html_fragment", "render_junit", "render_sarif", "render_text", "write_template", "write_xlsx",
]

#: Suffixes of workbook files the plan loader reads with :func:`read_xlsx`.
PLAN_SUFFIXES = (".xlsx", ".xlsm", ".xltx", ".xltm", ".xlsb", ".xls")

_LAZY = {
    "read_xlsx": "xlsx", "read_csv_dir": "csvdir", "write_template": "template", "write_xlsx": "template",
    "render_html": "html", "render_html_fragment": "html", "render_sarif": "sarif", "render_junit": "junit",
    "render_github": "github", "load_document": "document",
}


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

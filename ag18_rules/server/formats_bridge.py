"""Where the server meets :mod:`ag18_rules.formats` (HTML and SARIF reports, Excel plans and the
Excel template).  Every use goes through here, so an installation without a format answers with a
clear problem instead of failing."""
from __future__ import annotations

from typing import Optional

from .tasks import XLSX, Problem


def render(policy, plan, report, fmt: str, lang: str) -> dict:
    """The report in ``fmt`` (``html`` or ``sarif``) as ``ag18 check --format FMT`` writes it."""
    raise Problem(406, "format-unavailable", detail=fmt)


def plan_xlsx(plan) -> bytes:
    raise Problem(406, "format-unavailable", detail="xlsx")


def template_xlsx(lang: str) -> Optional[bytes]:
    return None


__all__ = ["XLSX", "plan_xlsx", "render", "template_xlsx"]

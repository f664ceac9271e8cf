"""Checking plans in tests, without pytest or Hypothesis: :func:`assert_compliant` and the policies
it and the pytest plugin share.

Both :mod:`ag18_rules.pytest_plugin` (which imports pytest) and :mod:`ag18_rules.testing` (which
imports Hypothesis) use this module, so each imports only its own test dependency.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Optional, Union

__all__ = ["assert_compliant", "describe_failures"]

_WORDS = {
    "vi": {"fails": "Kế hoạch {plan} không đạt chính sách {policy} {version} (ngày đánh giá {as_of}): {count}",
           "error": "lỗi", "warning": "cảnh báo", "fix": "Cách khắc phục"},
    "en": {"fails": "Plan {plan} does not pass policy {policy} {version} (as of {as_of}): {count}",
           "error": "error(s)", "warning": "warning(s)", "fix": "Fix"},
}


class _Settings:
    """What the command line and the ini file chose; read by the fixture and assert_compliant."""

    policy_dir: Optional[str] = None
    backend: str = "python"
    lang: str = "vi"


_loaded: dict[tuple[str, str], Any] = {}


def _policy(directory: Union[str, Path, None], backend: str):
    """One policy per folder and backend for the whole session, closed when pytest ends."""
    from .engine import Policy, shipped_policy_dir

    key = (str(Path(directory).resolve() if directory else shipped_policy_dir()), backend)
    if key not in _loaded:
        _loaded[key] = Policy.load(key[0], backend=backend)
    return _loaded[key]


def assert_compliant(plan: Any, policy: Any = None, *, as_of: Optional[dt.date] = None,
                     lang: Optional[str] = None, strict: bool = False) -> Any:
    """Fail unless ``policy`` passes ``plan`` (no unwaived error; with ``strict``, no warning
    either); the message lists the findings as officers read them.  Returns the report.

    ``plan`` is a path, a mapping or a loaded plan; ``policy`` defaults to the configured one.
    """
    __tracebackhide__ = True
    policy = policy if policy is not None else _policy(_Settings.policy_dir, "python")
    report = policy.evaluate(plan, as_of=as_of, fixes=False, origin=False)
    severities = ("error", "warning") if strict else ("error",)
    failing = [f for f in report.findings if f.severity in severities and not f.waived]
    if failing:
        raise AssertionError(describe_failures(report, failing, lang or _Settings.lang))
    return report


def describe_failures(report: Any, findings: list, lang: str) -> str:
    """The failing findings in the officer's words: rule, entity, message and fix."""
    words = _WORDS["en" if lang == "en" else "vi"]
    counts = {s: sum(1 for f in findings if f.severity == s) for s in ("error", "warning")}
    count = ", ".join(f"{n} {words[s]}" for s, n in counts.items() if n)
    lines = [words["fails"].format(plan=report.plan, policy=report.policy_id, version=report.policy_version,
                                   as_of=report.as_of.isoformat(), count=count)]
    for f in findings:
        lines.append(f"- [{f.rule}] {f.entity.name} ({f.entity.id}): {f.message(lang)}")
        if f.fix:
            lines.append(f"  {words['fix']}: {f.fix(lang)}")
    return "\n".join(lines)

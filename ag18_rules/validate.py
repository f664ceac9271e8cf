"""``ag18 validate``: rule files, parameter files and plans checked without evaluating.

With no path, the whole policy folder is checked: its parameters, its rules (conditions
type-checked against the fact catalogue) and every rule's examples.  Every problem of every
file is collected and reported together.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from .errors import Diagnostic, InputError, Text

__all__ = ["validate_paths", "validate_policy_dir"]


def _collect(problems: list[Diagnostic], func, *args):
    try:
        return func(*args)
    except InputError as exc:
        problems.extend(exc.diagnostics)
        return None


def validate_policy_dir(root: Path, problems: list[Diagnostic]):
    """Parameters, rules and examples of one policy folder; returns its rule ids if they load."""
    from .compiler import compile_rules
    from .conformance import load_cases
    from .parameters import ParameterSet
    from .plan import load_plan
    from .rulespec import load_rules

    params = _collect(problems, ParameterSet.load, root / "policy")
    specs = _collect(problems, load_rules, root / "rules")
    if params is None or specs is None:
        return None
    rules = _collect(problems, compile_rules, specs, params)
    if rules is None:
        return None
    ids = frozenset(r.id for r in rules)
    cases = _collect(problems, load_cases, root / "rules", ids) or ()
    for plan in sorted({c.plan for c in cases}):
        _collect(problems, _plan, load_plan, plan, ids)
    return ids


def _plan(load_plan, path: Path, rule_ids):
    return load_plan(path, rule_ids=rule_ids)


def _sniff(path: Path) -> str:
    from .formats import PLAN_SUFFIXES
    from .source import load_file

    if path.suffix.lower() in PLAN_SUFFIXES or path.is_dir():  # a workbook or CSV sheets can only be a plan
        return "ag18-plan/1"
    doc = load_file(path)
    fmt = doc.data.get("format") if isinstance(doc.data, dict) else None
    return str(fmt or "")


def validate_paths(paths: Sequence[Path], *, policy: Optional[str] = None):
    from .compiler import compile_rules
    from .engine import shipped_policy_dir
    from .parameters import ParameterSet
    from .plan import load_plan
    from .rulespec import load_rule

    problems: list[Diagnostic] = []
    root = Path(policy) if policy else shipped_policy_dir()
    checked = 0
    if not paths:
        validate_policy_dir(root, problems)
        checked = 1
        what = Text(f"Chính sách {root} hợp lệ (tham số, quy tắc, ví dụ).",
                    f"Policy {root} is valid (parameters, rules, examples).")
        return problems, what
    ids = validate_policy_dir(root, []) or frozenset()
    params = None
    files = []
    for path in paths:
        if path.is_dir() and (path / "policy").is_dir() and (path / "rules").is_dir():
            checked += 1
            validate_policy_dir(path, problems)
        elif path.is_dir():
            files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json"))
        else:
            files.append(path)
    for path in files:
        checked += 1
        fmt = _collect(problems, _sniff, path)
        if fmt is None:
            continue
        if fmt == "ag18-rule/1":
            spec = _collect(problems, load_rule, path)
            if spec is not None:
                params = params or _collect(problems, ParameterSet.load, root / "policy")
                if params is not None:
                    _collect(problems, compile_rules, [spec], params)
        elif fmt in ("ag18-policy/1", "ag18-policy-meta/1", "ag18-programme/1"):
            _collect(problems, ParameterSet.load, path.parent)
        else:
            _collect(problems, _plan, load_plan, path, ids or None)
    what = Text(f"{checked} tệp hợp lệ.", f"{checked} files valid.")
    return problems, what

"""``ag18 validate``: rule files, parameter files and plans checked without evaluating.

With no path, the whole policy folder is checked: its parameters, its rules (conditions
type-checked against the fact catalogue) and every rule's examples.  Every problem of every
file is collected and reported together.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional, Sequence

from .errors import Diagnostic, InputError, Text

__all__ = ["FORMATS", "kind_of", "validate_file", "validate_paths", "validate_policy_dir"]


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
    checks = {r.id: frozenset(c.spec.id for c in r.checks) for r in rules}
    cases = _collect(problems, load_cases, root / "rules", checks) or ()
    for plan in sorted({c.plan for c in cases}):
        _collect(problems, _plan, load_plan, plan, ids)
    return ids


def _plan(load_plan, path: Path, rule_ids):
    return load_plan(path, rule_ids=rule_ids)


#: The ``format:`` of each kind of file.
FORMATS = {
    "ag18-plan/1": "plan",
    "ag18-rule/1": "rule",
    "ag18-rule-tests/1": "tests",
    "ag18-policy/1": "parameters",
    "ag18-policy-meta/1": "parameters",
    "ag18-programme/1": "programme",
    "ag18-lint-baseline/1": "baseline",
}


def kind_of(path: Path, data: object) -> tuple[str, Optional[str]]:
    """(kind, format written) of a loaded file: by its ``format:`` key, else by its place in the
    folder (``rules/<id>/tests.yaml``, ``rules/<id>/<id>.yaml``, ``policy/*.yaml``), else a plan."""
    fmt = data.get("format") if isinstance(data, dict) else None
    if isinstance(fmt, str) and fmt in FORMATS:
        return FORMATS[fmt], fmt
    path = Path(path)
    if path.name in ("tests.yaml", "tests.yml"):
        kind = "tests"
    elif path.name == "lint-baseline.yaml":
        kind = "baseline"
    elif path.parent.parent.name == "rules" and path.stem == path.parent.name:
        kind = "rule"
    elif path.parent.name == "policy":
        kind = "programme" if path.stem == "programme" else "parameters"
    else:
        kind = "plan"
    return kind, fmt if isinstance(fmt, str) else None


def _unknown_format(doc, fmt: str, kind: str) -> Diagnostic:
    from .schema import closest

    near = closest(fmt, list(FORMATS)) or next(f for f, k in FORMATS.items() if k == kind)
    return doc.diagnostic("unknown-format", Text(
        f"Định dạng '{fmt}' không được hỗ trợ; có phải ý là '{near}'?",
        f"The format '{fmt}' is not supported; did you mean '{near}'?"), ("format",))


def _check_ids(root: Path) -> dict:
    """Each rule of the folder (as written, compiled or not) -> its check ids."""
    from .rulespec import load_rules

    specs = _collect([], load_rules, Path(root) / "rules") or ()
    return {s.id: frozenset(c.id for c in s.checks) for s in specs}


class _Validator:
    """Validates files one by one, each as what it is, against the policy each belongs to."""

    def __init__(self, root: Path, problems: list[Diagnostic]):
        self.root, self.problems = root, problems
        self._ids: dict[Path, frozenset] = {}
        self._params: dict[Path, object] = {}

    def policy_of(self, path: Path) -> Path:
        from .discover import is_policy_dir

        for folder in Path(path).resolve().parents:
            if is_policy_dir(folder):
                return folder
        return self.root

    def rule_ids(self, root: Path) -> frozenset:
        if root not in self._ids:
            self._ids[root] = validate_policy_dir(root, []) or frozenset()
        return self._ids[root]

    def params(self, root: Path):
        from .parameters import ParameterSet

        if root not in self._params:
            self._params[root] = _collect(self.problems, ParameterSet.load, root / "policy")
        return self._params[root]

    def file(self, path: Path) -> None:
        from .formats import PLAN_SUFFIXES
        from .source import load_file

        if Path(path).suffix.lower() in PLAN_SUFFIXES:  # a workbook or CSV sheets can only be a plan
            return self._plan(path)
        doc = _collect(self.problems, load_file, path)
        if doc is None:
            return
        kind, fmt = kind_of(path, doc.data)
        if fmt is not None and fmt not in FORMATS:
            self.problems.append(_unknown_format(doc, fmt, kind))
            return
        getattr(self, "_" + kind)(path)

    def _plan(self, path: Path) -> None:
        from .plan import load_plan

        ids = self.rule_ids(self.policy_of(path))
        _collect(self.problems, _plan, load_plan, path, ids or None)

    def _rule(self, path: Path) -> None:
        from .compiler import compile_rules
        from .rulespec import load_rule

        spec = _collect(self.problems, load_rule, path)
        params = self.params(self.policy_of(path)) if spec is not None else None
        if params is not None:
            _collect(self.problems, compile_rules, [spec], params)

    def _tests(self, path: Path) -> None:
        from .conformance import load_tests_file

        root = self.policy_of(path)
        ids = self.rule_ids(root) | {Path(path).resolve().parent.name}
        checks = _check_ids(root)
        known = {r: checks[r] for r in ids if r in checks} if set(ids) <= set(checks) else ids
        cases = _collect(self.problems, load_tests_file, path, known) or ()
        for plan in sorted({c.plan for c in cases if c.plan.is_file()}):
            self._plan(plan)

    def _parameters(self, path: Path) -> None:
        from . import schema
        from .parameters import ParameterSet
        from .source import load_file

        folder = Path(path).parent
        if (folder / "policy.yaml").is_file() or folder.name == "policy":
            _collect(self.problems, ParameterSet.load, folder)
        else:  # a file on its own: its schema
            doc = _collect(self.problems, load_file, path)
            if doc is not None:
                self.problems.extend(schema.validate(doc, "policy"))

    _programme = _parameters

    def _baseline(self, path: Path) -> None:
        from .lintbaseline import load_baseline

        _collect(self.problems, load_baseline, Path(path).parent)


def validate_file(path: Path, root: Path, *, rule_ids: Optional[frozenset] = None, params=None) -> list[Diagnostic]:
    """Every problem of one file, read as what it is, against the policy folder ``root``.

    ``rule_ids`` and ``params`` are that policy's, when the caller has them loaded already (the
    language server validates on every keystroke)."""
    problems: list[Diagnostic] = []
    checker = _Validator(Path(root), problems)
    if rule_ids is not None:
        checker._ids[Path(root)] = rule_ids
    if params is not None:
        checker._params[Path(root)] = params
    checker.file(Path(path))
    return problems


def validate_paths(paths: Sequence[Path], *, policy: Optional[str] = None):
    """Validate ``paths`` (none: the whole policy folder ``policy``); (problems, summary Text)."""
    from .discover import is_policy_dir
    from .engine import shipped_policy_dir

    problems: list[Diagnostic] = []
    root = Path(policy) if policy else shipped_policy_dir()
    if not paths:
        validate_policy_dir(root, problems)
        what = Text(f"Chính sách {root} hợp lệ (tham số, quy tắc, ví dụ).",
                    f"Policy {root} is valid (parameters, rules, examples).")
        return problems, what
    checker = _Validator(root, problems)
    checked = 0
    for path in paths:
        if path.is_dir() and is_policy_dir(path):
            checked += 1
            validate_policy_dir(path, problems)
            continue
        files = sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml", ".json")) if path.is_dir() else [path]
        for file in files:
            checked += 1
            checker.file(file)
    what = Text(f"{checked} tệp hợp lệ.", f"{checked} files valid.")
    return problems, what

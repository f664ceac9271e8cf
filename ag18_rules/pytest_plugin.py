"""The pytest plugin of ag18-rules: rule examples as test items, a policy fixture, assert_compliant.

pytest loads it in every project that installs the package (entry point ``pytest11``), so it
costs next to nothing unless used: it imports neither Hypothesis nor the strategies, a policy is
loaded by the first test that needs one, and rule examples are collected only on request::

    pytest --ag18-examples              # the examples of the configured (or shipped) policy
    pytest --ag18-examples=my-policy    # those of the policy folder my-policy/ (policy/, rules/)

or in the ini file ``ag18_examples = <policy folder>`` (collected on full runs) or ``= true``
(collected wherever pytest walks into a rules folder).  Each case of a rule's ``tests.yaml`` is
one item, named after its plan and date, run on every selected backend; the backends' reports
must also be identical.  ``--hypothesis-profile=ag18-ci`` (or ``ag18-long``) loads the settings
of :data:`ag18_rules.testing.CI`.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Optional

import pytest

from ._compliance import _loaded, _policy, _Settings, assert_compliant, describe_failures

__all__ = ["assert_compliant", "describe_failures"]

_TRUE = ("true", "yes", "1", "on")


# --------------------------------------------------------------------------- options


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ag18", "ag18-rules: reorganisation plans checked against a policy")
    group.addoption("--ag18-examples", nargs="?", const="", default=None, metavar="DIR", dest="ag18_examples",
                    help="collect every rule's examples as test items, from the policy folder DIR "
                         "(default: --ag18-policy, or the shipped policy)")
    group.addoption("--ag18-policy", metavar="DIR", dest="ag18_policy",
                    help="policy folder for the ag18_policy fixture and assert_compliant (default: the shipped policy)")
    group.addoption("--ag18-backend", action="append", choices=("python", "durable"), dest="ag18_backends",
                    help="backend for the examples (repeatable; default: every installed backend); "
                         "the first one also serves the ag18_policy fixture")
    parser.addini("ag18_examples", "collect rule examples: a policy folder, or 'true' for rule folders pytest walks",
                  default="")
    parser.addini("ag18_policy", "policy folder for the ag18_policy fixture and assert_compliant", default="")
    parser.addini("ag18_lang", "language of assert_compliant's messages: vi or en", default="vi")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "ag18_example: a rule example collected by the ag18 plugin")
    if str(config.getoption("hypothesis_profile", None) or "").startswith("ag18-"):
        import ag18_rules.testing  # noqa: F401  (registers the ag18-ci and ag18-long profiles first)

    _Settings.policy_dir = _policy_option(config)
    _Settings.backend = (config.getoption("ag18_backends") or ["python"])[0]
    _Settings.lang = "en" if config.getini("ag18_lang") == "en" else "vi"
    folder = _examples_folder(config)
    if folder is not None:
        config.args.append(str(folder / "rules"))


def pytest_unconfigure(config: pytest.Config) -> None:
    for policy in _loaded.values():
        policy.close()
    _loaded.clear()


def _policy_option(config: pytest.Config) -> Optional[str]:
    given = config.getoption("ag18_policy")
    if given:
        return str(Path(given).resolve())
    ini = config.getini("ag18_policy")
    return str((config.rootpath / ini).resolve()) if ini else None


def _examples_folder(config: pytest.Config) -> Optional[Path]:
    """The policy folder whose rules/ is added to the collection: from the command line always,
    from the ini file only on a full run (so one test file can still be run alone)."""
    given = config.getoption("ag18_examples")
    if given is not None:
        return Path(given).resolve() if given else _default_policy_dir()
    ini = config.getini("ag18_examples")
    if ini and ini.lower() not in _TRUE and config.args_source != pytest.Config.ArgsSource.ARGS:
        return (config.rootpath / ini).resolve()
    return None


def _default_policy_dir() -> Path:
    if _Settings.policy_dir:
        return Path(_Settings.policy_dir)
    from .engine import shipped_policy_dir

    return shipped_policy_dir()


def _examples_enabled(config: pytest.Config) -> bool:
    return config.getoption("ag18_examples") is not None or bool(config.getini("ag18_examples"))


# --------------------------------------------------------------------------- policies

@pytest.fixture(scope="session")
def ag18_policy():
    """The policy of ``--ag18-policy`` (or the ini ``ag18_policy``, or the shipped one), on the
    first ``--ag18-backend``; loaded once per session and closed at its end."""
    return _policy(_Settings.policy_dir, _Settings.backend)


# --------------------------------------------------------------------------- rule examples


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> Optional[pytest.Collector]:
    if file_path.name != "tests.yaml" or not _examples_enabled(parent.config):
        return None
    rule_dir = file_path.parent
    root = rule_dir.parent.parent
    if not (rule_dir / f"{rule_dir.name}.yaml").is_file() or not (root / "policy").is_dir():
        return None
    return RuleExamples.from_parent(parent, path=file_path)


class ExampleFailed(Exception):
    """A rule example whose findings differ from its expectation, or backends that disagree."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


class RuleExamples(pytest.File):
    """The cases of one rule's ``tests.yaml``, one item each."""

    def collect(self):
        from .conformance import installed_backends

        root = self.path.parent.parent.parent
        rule = self.path.parent.name
        policy = _policy(root, "python")
        cases = _cases(str(root / "rules"), policy.rule_ids)
        backends = tuple(self.config.getoption("ag18_backends") or installed_backends())
        names: dict[str, int] = {}
        for case in (c for c in cases if c.rule == rule):
            name = case.plan.name + (f"@{case.as_of.isoformat()}" if case.as_of else "")
            names[name] = names.get(name, 0) + 1
            label = name if names[name] == 1 else f"{name}#{names[name]}"
            yield RuleExample.from_parent(self, name=label, case=case, root=root, backends=backends)


@lru_cache(maxsize=8)
def _cases(rules_dir: str, rule_ids: frozenset) -> tuple:
    """Every case of a rules folder, read once per session (all rules' files are checked together)."""
    from .conformance import load_cases

    return load_cases(Path(rules_dir), rule_ids)


class RuleExample(pytest.Item):
    """One case: the plan evaluated on each backend, compared with the findings it expects."""

    def __init__(self, *, case, root: Path, backends: tuple[str, ...], **kwargs):
        super().__init__(**kwargs)
        self.case, self.root, self.backends = case, root, backends
        self.add_marker("ag18_example")

    def runtest(self) -> None:
        from .conformance import compare

        problems, outputs = [], {}
        for backend in self.backends:
            report = _policy(self.root, backend).evaluate(self.case.plan, as_of=self.case.as_of, fixes=False, origin=False)
            outputs[backend] = report.to_json("en")
            problems += [f"[{backend}] {p}" for p in compare(self.case, report)]
        if len(set(outputs.values())) > 1:
            problems.append(f"the backends {', '.join(outputs)} give different reports for this plan")
        if problems:
            raise ExampleFailed(problems)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ExampleFailed):
            head = f"{self.case.rule}: {self.case.plan.name}"
            if self.case.description:
                head += f" — {self.case.description}"
            return "\n".join([head] + [f"  {p}" for p in excinfo.value.problems])
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, None, f"{self.case.rule}: {self.name}"

"""ag18-rules: reorganisation plans checked against An Giang's programme 19-CTr/TU.

>>> import ag18_rules
>>> policy = ag18_rules.load_policy()              # the shipped AG18 policy, python backend
>>> report = policy.evaluate("plan.yaml")           # a path, a dict or a loaded Plan
>>> report.verdict, report.findings, report.targets

The Python API is described in docs/api.md.
"""
from .engine import Policy, load_policy
from .errors import Ag18Error, BackendError, BackendUnavailable, Diagnostic, InputError, OptionError
from .limits import Limits
from .model import Plan
from .plan import load_plan
from .report import Finding, NotApplicable, Report, TargetProgress
from .session import Delta, Session

__all__ = [
    "Ag18Error",
    "BackendError",
    "BackendUnavailable",
    "Delta",
    "Diagnostic",
    "Finding",
    "InputError",
    "Limits",
    "NotApplicable",
    "OptionError",
    "Plan",
    "Policy",
    "Report",
    "Session",
    "TargetProgress",
    "load_plan",
    "load_policy",
]
__version__ = "0.1.0"

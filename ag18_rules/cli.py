"""The ``ag18`` command.  The only module that reads ``sys.argv`` or calls ``sys.exit``.

Exit codes: 0 success (no unwaived error), 1 an error finding or a failing example,
2 bad input or usage.  Bad input never produces a traceback.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Optional, Sequence, TextIO

from .errors import Ag18Error, InputError
from .fixes import FixOptions

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def main(argv: Optional[Sequence[str]] = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage problem
        return EXIT_INPUT if exc.code else EXIT_OK
    lang = getattr(args, "lang", "vi")
    try:
        return args.run(args, out, err)
    except InputError as exc:
        err.write(exc.render(lang) + "\n")
        return EXIT_INPUT
    except Ag18Error as exc:
        err.write(f"ag18: {exc}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except RecursionError:
        err.write("ag18: input nested too deeply\n")
        return EXIT_INPUT
    except Exception as exc:  # an internal error: say so plainly, keep the traceback opt-in
        if os.environ.get("AG18_DEBUG"):
            raise
        err.write(f"ag18: internal error ({type(exc).__name__}: {exc}); set AG18_DEBUG=1 for details\n")
        return 70


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ag18", description="Check reorganisation plans against programme 19-CTr/TU.")
    sub = p.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def command(name, func, help_):
        c = sub.add_parser(name, help=help_, description=help_)
        c.set_defaults(run=func)
        c.add_argument("--lang", choices=("vi", "en"), default="vi", help="language of messages (default vi)")
        return c

    def policy_args(c, backend=True):
        c.add_argument("--policy", metavar="DIR", help="policy folder with policy/ and rules/ (default: the shipped AG18 policy)")
        if backend:
            c.add_argument("--backend", choices=("python", "durable"), default="python")

    c = command("check", _check, "evaluate plans against the policy")
    c.add_argument("plans", nargs="+", metavar="PLAN")
    policy_args(c)
    c.add_argument("--as-of", type=_date, metavar="DATE", help="evaluation date (default: each plan's effective date)")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.add_argument("--explain", action="store_true", help="show each failing condition with its values")
    c.add_argument("--by-head", action="store_true", help="group findings under the head of each organisation")
    _fix_args(c)

    c = command("diff", _diff, "the findings that appear, disappear or change between two versions of a plan; "
                               "exit 0 when the later version has no unwaived error, 1 when it has one, 2 on bad input")
    c.add_argument("old", metavar="PLAN_A", help="the earlier version")
    c.add_argument("new", metavar="PLAN_B", help="the later version")
    policy_args(c)
    c.add_argument("--as-of", type=_date, metavar="DATE", help="evaluation date (default: each plan's effective date)")
    c.add_argument("--format", choices=("text", "json"), default="text")

    c = command("scorecard", _scorecard, "per-organisation scorecard of a plan's findings (annual evaluation)")
    c.add_argument("plan", metavar="PLAN")
    policy_args(c)
    c.add_argument("--as-of", type=_date, metavar="DATE")
    c.add_argument("--format", choices=("text", "json"), default="text")

    c = command("validate", _validate, "validate rule, parameter and plan files without evaluating")
    c.add_argument("paths", nargs="*", metavar="PATH")
    policy_args(c, backend=False)

    c = command("test", _test, "run every rule's pass/fail examples on every backend")
    c.add_argument("directory", nargs="?", metavar="DIR", help="policy folder (default: the shipped policy)")
    c.add_argument("--backend", action="append", choices=("python", "durable"),
                   help="backend to run (repeatable; default: every installed backend)")

    c = command("lint", _lint, "problems of a valid policy: untriggerable checks, one-sided examples, "
                               "unused parameters, inconsistent dates, unreachable targets")
    policy_args(c, backend=False)
    c.add_argument("--plans", type=_count, default=1000, metavar="N",
                   help="generated plans to evaluate (default 1000; 0 skips the checks that need them)")
    c.add_argument("--format", choices=("text", "json"), default="text")

    c = command("rules", _rules, "list the rules")
    policy_args(c, backend=False)

    c = command("explain", _explain_rule, "show a rule: text, clause, parameters by date")
    c.add_argument("rule")
    policy_args(c, backend=False)

    c = command("coverage", _coverage, "every clause of the programme and the rules that check it")
    policy_args(c, backend=False)
    c.add_argument("--format", choices=("text", "json"), default="text")

    c = command("schema", _schema, "print a JSON Schema (plan, rule, policy, tests; report, diagnostics: the JSON output)")
    c.add_argument("which", choices=("plan", "rule", "policy", "tests", "report", "diagnostics"))
    return p


def _policy(args, backend: str = "python"):
    from .engine import Policy

    return Policy.load(args.policy, backend=backend)


def _fix_args(c) -> None:
    c.add_argument("--no-fixes", action="store_true",
                   help="do not search for the change that removes each finding (the search re-evaluates the plan)")
    c.add_argument("--max-fixes", type=_count, default=FixOptions.limit, metavar="N",
                   help=f"findings that get a fix verified by re-evaluation, errors first (default {FixOptions.limit}); "
                        "the others get an unverified hint")


def _count(text: str) -> int:
    if not text.isdigit():
        raise argparse.ArgumentTypeError(f"not a count: {text!r}")
    return int(text)


def _diff(args, out, err) -> int:
    from .diff import diff_reports, render_diff

    with _policy(args, args.backend) as policy:
        old, new = policy.load_plan(args.old), policy.load_plan(args.new)  # both validated before either is evaluated
        result = diff_reports(policy.evaluate(old, as_of=args.as_of, fixes=False, origin=False),
                              policy.evaluate(new, as_of=args.as_of, fixes=False, origin=False))
    out.write(result.to_json(args.lang) + "\n" if args.format == "json" else render_diff(result, args.lang))
    return EXIT_FINDINGS if result.verdict == "fail" else EXIT_OK


def _check(args, out, err) -> int:
    from .render import render_text

    worst = EXIT_OK
    with _policy(args, args.backend) as policy:
        plans = [policy.load_plan(p) for p in args.plans]  # all plans validated before any is evaluated
        fixes = FixOptions(limit=args.max_fixes) if not args.no_fixes else False
        reports = [policy.evaluate(p, as_of=args.as_of, explain=args.explain, fixes=fixes, origin=True)
                   for p in plans]
        quotes = {c.id: c.quote_vi for c in policy.params.programme.clauses}
    if args.format == "json":
        if args.by_head:
            from .accountability import scorecard

            cards = [scorecard(p, r).to_dict(args.lang) for p, r in zip(plans, reports)]
            data = [dict(r.to_dict(args.lang), scorecard=c) for r, c in zip(reports, cards)]
            out.write(json.dumps(data[0] if len(data) == 1 else {"reports": data}, ensure_ascii=False, indent=2) + "\n")
        elif len(reports) == 1:
            out.write(reports[0].to_json(args.lang) + "\n")
        else:
            data = {"reports": [r.to_dict(args.lang) for r in reports]}
            out.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    else:
        from .accountability import head_labels

        out.write("\n".join(
            render_text(r, args.lang, quotes=quotes, heads=head_labels(p, r, args.lang) if args.by_head else None)
            for p, r in zip(plans, reports)))
    for r in reports:
        if r.verdict == "fail":
            worst = EXIT_FINDINGS
    return worst


def _scorecard(args, out, err) -> int:
    from .accountability import scorecard

    with _policy(args, args.backend) as policy:
        plan = policy.load_plan(args.plan)
        card = scorecard(plan, policy.evaluate(plan, as_of=args.as_of, fixes=False, origin=False))
    out.write((card.to_json(args.lang) + "\n") if args.format == "json" else card.render(args.lang))
    return EXIT_OK


def _validate(args, out, err) -> int:
    from .validate import validate_paths

    problems, summary = validate_paths([Path(p) for p in args.paths], policy=args.policy)
    if problems:
        raise InputError(problems)
    out.write(summary(args.lang) + "\n")
    return EXIT_OK


def _test(args, out, err) -> int:
    from .conformance import run_examples

    result = run_examples(args.directory, backends=args.backend)
    out.write(result.render(args.lang))
    return EXIT_OK if result.ok else EXIT_FINDINGS


def _lint(args, out, err) -> int:
    from .lint import lint_policy

    report = lint_policy(args.policy, plans=args.plans)
    if args.format == "json":
        out.write(json.dumps(report.to_dict(args.lang), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(report.render(args.lang))
    return EXIT_FINDINGS if report.diagnostics else EXIT_OK


def _rules(args, out, err) -> int:
    from .engine import Policy

    with Policy.load(args.policy) as policy:
        width = max(len(r.id) for r in policy.rules)
        for r in policy.rules:
            title = r.spec.title(args.lang)
            out.write(f"{r.id:<{width}}  {r.spec.severity:<7}  {', '.join(r.spec.clause):<22}  {title}\n")
    return EXIT_OK


def _explain_rule(args, out, err) -> int:
    from .describe import describe_rule

    out.write(describe_rule(args.policy, args.rule, args.lang))
    return EXIT_OK


def _coverage(args, out, err) -> int:
    from .describe import coverage

    table = coverage(args.policy)
    if args.format == "json":
        out.write(json.dumps(table.to_dict(args.lang), ensure_ascii=False, indent=2) + "\n")
    else:
        out.write(table.render(args.lang))
    return EXIT_OK


def _schema(args, out, err) -> int:
    from .schema import load_schema

    out.write(json.dumps(load_schema(args.which), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK

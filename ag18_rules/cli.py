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
from typing import Mapping, Optional, Sequence, TextIO

from .errors import Ag18Error, InputError, Text
from .fixes import FixOptions

EXIT_OK, EXIT_FINDINGS, EXIT_INPUT = 0, 1, 2


def main(argv: Optional[Sequence[str]] = None, *, stdout: TextIO | None = None,
         stderr: TextIO | None = None) -> int:
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    parser = _parser(requested_lang(argv))
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse already printed the usage problem
        return EXIT_INPUT if exc.code else EXIT_OK
    lang = getattr(args, "lang", None) or requested_lang(argv)
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


def requested_lang(argv: Optional[Sequence[str]], environ: Mapping[str, str] = os.environ) -> str:
    """The language asked for before parsing: ``--lang`` on the command line, then ``AG18_LANG``,
    then Vietnamese.  Help and usage text are built in it, so they are known before argparse runs."""
    args = list(argv if argv is not None else sys.argv[1:])
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return "en" if args[i + 1] == "en" else "vi"
        if arg.startswith("--lang="):
            return "en" if arg.split("=", 1)[1] == "en" else "vi"
    return "en" if environ.get("AG18_LANG", "").lower().startswith("en") else "vi"


def _parser(lang: str = "vi") -> argparse.ArgumentParser:
    def t(vi: str, en: str) -> str:
        """A help or usage string in the command's language."""
        return Text(vi, en)(lang)

    p = argparse.ArgumentParser(prog="ag18", description=t(
        "Kiểm tra đề án sắp xếp tổ chức bộ máy theo Chương trình 19-CTr/TU.",
        "Check reorganisation plans against programme 19-CTr/TU."))
    sub = p.add_subparsers(dest="command", required=True, metavar=t("LỆNH", "COMMAND"))

    def command(name, func, help_):
        c = sub.add_parser(name, help=help_, description=help_)
        c.set_defaults(run=func)
        c.add_argument("--lang", choices=("vi", "en"), default=lang,
                       help=t("ngôn ngữ của thông báo (mặc định vi, hoặc biến AG18_LANG)",
                              "language of messages (default vi, or the AG18_LANG variable)"))
        return c

    def policy_args(c, backend=True):
        c.add_argument("--policy", metavar=t("THƯ_MỤC", "DIR"), help=t(
            "thư mục chính sách có policy/ và rules/ (mặc định: chính sách AG18 kèm theo)",
            "policy folder with policy/ and rules/ (default: the shipped AG18 policy)"))
        if backend:
            c.add_argument("--backend", choices=("python", "durable"), default="python",
                           help=t("bộ máy đánh giá (mặc định python)", "evaluation backend (default python)"))

    def as_of(c, vi="ngày đánh giá (mặc định: ngày hiệu lực của từng đề án)",
              en="evaluation date (default: each plan's effective date)"):
        c.add_argument("--as-of", type=_date, metavar=t("NGÀY", "DATE"), help=t(vi, en))

    def fmt(c):
        c.add_argument("--format", choices=("text", "json"), default="text",
                       help=t("định dạng đầu ra (mặc định text)", "output format (default text)"))

    plan_ = t("ĐỀ_ÁN", "PLAN")

    c = command("check", _check, t("đánh giá đề án theo chính sách", "evaluate plans against the policy"))
    c.add_argument("plans", nargs="+", metavar=plan_)
    policy_args(c)
    as_of(c)
    fmt(c)
    c.add_argument("--explain", action="store_true", help=t(
        "hiện từng điều kiện không đạt cùng các giá trị", "show each failing condition with its values"))
    c.add_argument("--by-head", action="store_true", help=t(
        "nhóm vi phạm theo người đứng đầu từng tổ chức", "group findings under the head of each organisation"))
    c.add_argument("--jobs", "-j", type=int, default=1, metavar="N", help=t(
        "đánh giá nhiều đề án song song trên N tiến trình (mặc định 1)",
        "evaluate many plans in parallel on N processes (default 1)"))
    _fix_args(c, t)

    c = command("diff", _diff, t(
        "các vi phạm xuất hiện, mất đi hoặc thay đổi giữa hai phiên bản đề án; mã thoát 0 khi phiên bản sau "
        "không còn lỗi chưa miễn trừ, 1 khi còn, 2 khi đầu vào sai",
        "the findings that appear, disappear or change between two versions of a plan; "
        "exit 0 when the later version has no unwaived error, 1 when it has one, 2 on bad input"))
    c.add_argument("old", metavar=t("ĐỀ_ÁN_A", "PLAN_A"), help=t("phiên bản trước", "the earlier version"))
    c.add_argument("new", metavar=t("ĐỀ_ÁN_B", "PLAN_B"), help=t("phiên bản sau", "the later version"))
    policy_args(c)
    as_of(c)
    fmt(c)

    c = command("scorecard", _scorecard, t(
        "bảng điểm vi phạm theo từng tổ chức (đánh giá hằng năm)",
        "per-organisation scorecard of a plan's findings (annual evaluation)"))
    c.add_argument("plan", metavar=plan_)
    policy_args(c)
    as_of(c)
    fmt(c)

    c = command("validate", _validate, t(
        "kiểm tra tệp quy tắc, tham số và đề án mà không đánh giá",
        "validate rule, parameter and plan files without evaluating"))
    c.add_argument("paths", nargs="*", metavar=t("ĐƯỜNG_DẪN", "PATH"))
    policy_args(c, backend=False)

    c = command("test", _test, t(
        "chạy các ví dụ đạt/không đạt của mọi quy tắc trên mọi bộ máy",
        "run every rule's pass/fail examples on every backend"))
    c.add_argument("directory", nargs="?", metavar=t("THƯ_MỤC", "DIR"), help=t(
        "thư mục chính sách (mặc định: chính sách kèm theo)", "policy folder (default: the shipped policy)"))
    c.add_argument("--backend", action="append", choices=("python", "durable"), help=t(
        "bộ máy cần chạy (lặp lại được; mặc định: mọi bộ máy đã cài)",
        "backend to run (repeatable; default: every installed backend)"))

    c = command("lint", _lint, t(
        "vấn đề của một chính sách hợp lệ: kiểm tra không thể kích hoạt, ví dụ một chiều, tham số không dùng, "
        "ngày không nhất quán, mục tiêu không đạt được",
        "problems of a valid policy: untriggerable checks, one-sided examples, "
        "unused parameters, inconsistent dates, unreachable targets"))
    policy_args(c, backend=False)
    c.add_argument("--plans", type=_count, default=1000, metavar="N", help=t(
        "số đề án sinh ra để đánh giá (mặc định 1000; 0 bỏ qua các kiểm tra cần chúng)",
        "generated plans to evaluate (default 1000; 0 skips the checks that need them)"))
    fmt(c)

    c = command("rules", _rules, t("liệt kê các quy tắc", "list the rules"))
    policy_args(c, backend=False)

    c = command("explain", _explain_rule, t(
        "xem một quy tắc: nội dung, điều khoản, tham số theo ngày", "show a rule: text, clause, parameters by date"))
    c.add_argument("rule", metavar=t("QUY_TẮC", "RULE"))
    policy_args(c, backend=False)

    c = command("coverage", _coverage, t(
        "mọi điều khoản của chương trình và các quy tắc kiểm tra nó",
        "every clause of the programme and the rules that check it"))
    policy_args(c, backend=False)
    fmt(c)

    c = command("schema", _schema, t("in JSON Schema (plan, rule, policy, tests; report, diagnostics: đầu ra JSON)",
                                     "print a JSON Schema (plan, rule, policy, tests; report, diagnostics: the JSON output)"))
    c.add_argument("which", choices=("plan", "rule", "policy", "tests", "report", "diagnostics"))
    return p


def _policy(args, backend: str = "python"):
    from .engine import Policy

    return Policy.load(args.policy, backend=backend)


def _fix_args(c, t) -> None:
    c.add_argument("--no-fixes", action="store_true", help=t(
        "không tìm thay đổi khắc phục từng vi phạm (việc tìm kiếm đánh giá lại đề án)",
        "do not search for the change that removes each finding (the search re-evaluates the plan)"))
    c.add_argument("--max-fixes", type=_count, default=FixOptions.limit, metavar="N", help=t(
        f"số vi phạm được kiểm chứng cách khắc phục bằng đánh giá lại, lỗi trước (mặc định {FixOptions.limit}); "
        "các vi phạm khác nhận gợi ý chưa kiểm chứng",
        f"findings that get a fix verified by re-evaluation, errors first (default {FixOptions.limit}); "
        "the others get an unverified hint"))


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
        fixes = FixOptions(limit=args.max_fixes) if not args.no_fixes else False
        options = dict(as_of=args.as_of, explain=args.explain, fixes=fixes, origin=True)
        if args.jobs > 1 and len(args.plans) > 1 and not args.by_head:
            plans = args.plans
            reports = _check_many(policy, args.plans, args.jobs, options, err)
        else:
            plans = [policy.load_plan(p) for p in args.plans]  # all plans validated before any is evaluated
            reports = [policy.evaluate(p, **options) for p in plans]
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


def _check_many(policy, paths, jobs: int, options: dict, err) -> list:
    """Plans evaluated on ``jobs`` processes (each loads and validates its plans), with a counter
    on standard error when it is a terminal."""
    from concurrent.futures import ProcessPoolExecutor

    def progress(done: int, total: int) -> None:
        err.write(f"\r{done}/{total}" + ("\n" if done == total else ""))
        err.flush()

    tty = getattr(err, "isatty", lambda: False)()
    with ProcessPoolExecutor(jobs) as pool:
        return list(policy.evaluate_many(paths, executor=pool, progress=progress if tty else False, **options))


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

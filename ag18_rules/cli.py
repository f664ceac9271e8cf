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
        _use_policy(args, out, err, lang)
        return args.run(args, out, err)
    except InputError as exc:
        if getattr(args, "format", None) == "json":  # machines read the problems where they read reports
            from .formats.commands import diagnostics_json, write_output

            try:
                write_output(diagnostics_json(exc, lang), getattr(args, "output", None), out)
            except InputError:
                out.write(diagnostics_json(exc, lang))
        err.write(exc.render(lang) + "\n")
        return EXIT_INPUT
    except Ag18Error as exc:
        err.write(f"ag18: {exc.message(lang)}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except RecursionError:
        err.write("ag18: " + Text("dữ liệu vào lồng nhau quá sâu", "input nested too deeply")(lang) + "\n")
        return EXIT_INPUT
    except Exception as exc:  # an internal error: say so plainly, keep the traceback opt-in
        if os.environ.get("AG18_DEBUG"):
            raise
        err.write("ag18: " + Text(
            f"lỗi nội bộ ({type(exc).__name__}: {exc}); đặt AG18_DEBUG=1 để xem chi tiết",
            f"internal error ({type(exc).__name__}: {exc}); set AG18_DEBUG=1 for details")(lang) + "\n")
        return 70


def _use_policy(args, out: TextIO, err: TextIO, lang: str) -> None:
    """Resolve the policy folder of a command that uses one (``--policy``, the folder being edited,
    or the shipped policy).  When it is not the shipped policy (the default of every command), the
    first line says which folder is used, on stderr: stdout stays the command's result alone, so
    JSON and other machine-readable output is valid and text output is unchanged."""
    if not hasattr(args, "policy"):
        return
    from .discover import find_policy, test_targets
    from .engine import shipped_policy_dir

    if args.command == "test":
        found, args.rules = test_targets(args.directory, args.policy)
    else:
        found = find_policy(args.policy)
    args.policy = str(found.directory)
    if not getattr(args, "quiet", False) and found.directory != shipped_policy_dir().resolve():
        err.write(found.announce(lang) + "\n")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None  # see argtext.ERRORS


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

    from .argtext import parser_class

    p = parser_class(lang)(prog="ag18", description=t(
        "Kiểm tra đề án sắp xếp tổ chức bộ máy theo Chương trình 19-CTr/TU.",
        "Check reorganisation plans against programme 19-CTr/TU."))
    from . import __version__

    p.add_argument("--version", action="version", version=f"ag18 {__version__}",
                   help=t("in phiên bản rồi thoát", "print the version and exit"))
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
            "thư mục chính sách có policy/ và rules/ (mặc định: thư mục chính sách gần nhất từ thư mục "
            "hiện tại trở lên, hoặc tệp ag18.toml chỉ nó; nếu không có: chính sách AG18 kèm theo)",
            "policy folder with policy/ and rules/ (default: the nearest policy folder from the current "
            "directory upward, or the one an ag18.toml names; else the shipped AG18 policy)"))
        if backend:
            c.add_argument("--backend", choices=("python", "durable"), default="python",
                           help=t("bộ máy đánh giá (mặc định python)", "evaluation backend (default python)"))

    def as_of(c, vi="ngày đánh giá (mặc định: ngày hiệu lực của từng đề án)",
              en="evaluation date (default: each plan's effective date)"):
        c.add_argument("--as-of", type=_date, metavar=t("NGÀY", "DATE"), help=t(vi, en))

    def fmt(c, choices=("text", "json")):
        c.add_argument("--format", choices=choices, default="text",
                       help=t("định dạng đầu ra (mặc định text)", "output format (default text)"))
        output(c)

    def output(c):
        c.add_argument("-o", "--output", metavar=t("TỆP", "FILE"), help=t(
            "ghi kết quả vào tệp thay vì đầu ra chuẩn", "write the output to FILE instead of standard output"))
        c.add_argument("-q", "--quiet", action="store_true", help=t(
            "chỉ in các vi phạm, không in tóm tắt hay thanh tiến độ", "print only findings: no summary, no progress bar"))
        c.add_argument("--color", choices=("auto", "always", "never"), default="auto", help=t(
            "tô màu khi in ra màn hình (mặc định auto; tắt khi chuyển hướng hoặc có NO_COLOR)",
            "colour on a terminal (default auto; off when piped or with NO_COLOR)"))

    def levels(c):
        c.add_argument("--fail-level", choices=("error", "warning", "info"), default="error", help=t(
            "mã thoát 1 khi có vi phạm chưa miễn trừ từ mức này trở lên (mặc định error)",
            "exit 1 when an unwaived finding is at least this severe (default error)"))
        c.add_argument("--exit-zero", action="store_true", help=t(
            "luôn thoát với mã 0 khi đánh giá xong, kể cả khi có vi phạm",
            "exit 0 whenever evaluation completes, even with findings"))

    plan_ = t("ĐỀ_ÁN", "PLAN")

    c = command("check", _check, t(
        "đánh giá đề án theo chính sách (tệp YAML, JSON, XLSX, thư mục, hoặc - cho đầu vào chuẩn)",
        "evaluate plans against the policy (YAML, JSON, XLSX files, folders, or - for standard input)"))
    c.add_argument("plans", nargs="+", metavar=plan_)
    policy_args(c)
    as_of(c)
    fmt(c, ("text", "json", "html", "sarif", "junit", "github"))
    levels(c)
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
    fmt(c, ("text", "json", "html"))

    c = command("scorecard", _scorecard, t(
        "bảng điểm vi phạm theo từng tổ chức (đánh giá hằng năm)",
        "per-organisation scorecard of a plan's findings (annual evaluation)"))
    c.add_argument("plan", metavar=plan_)
    policy_args(c)
    as_of(c)
    fmt(c, ("text", "json", "html"))

    c = command("timeline", _timeline, t(
        "vi phạm của đề án vào mỗi ngày quy định có hiệu lực thay đổi, từ ngày hiệu lực của đề án đến --until",
        "the plan's findings on each date the law in force changes, from its effective date to --until"))
    c.add_argument("plan", metavar=plan_)
    c.add_argument("--until", type=_date, metavar=t("NGÀY", "DATE"), help=t(
        "ngày cuối (mặc định: ngày sau thời hạn cuối cùng, khi cảnh báo thành lỗi)",
        "the last date (default: the day after the last deadline, when warnings become errors)"))
    policy_args(c)
    fmt(c)

    c = command("validate", _validate, t(
        "kiểm tra tệp quy tắc, tham số và đề án mà không đánh giá",
        "validate rule, parameter and plan files without evaluating"))
    c.add_argument("paths", nargs="*", metavar=t("ĐƯỜNG_DẪN", "PATH"))
    policy_args(c, backend=False)

    c = command("test", _test, t(
        "chạy các ví dụ đạt/không đạt của mọi quy tắc trên mọi bộ máy",
        "run every rule's pass/fail examples on every backend"))
    c.add_argument("directory", nargs="*", metavar=t("ĐƯỜNG_DẪN", "PATH"), help=t(
        "thư mục chính sách, hoặc thư mục quy tắc rules/<mã> để chỉ chạy quy tắc đó (lặp lại được)",
        "a policy folder, or a rule folder rules/<id> to run that rule only (repeatable)"))
    c.add_argument("--backend", action="append", choices=("python", "durable"), help=t(
        "bộ máy cần chạy (lặp lại được; mặc định: mọi bộ máy đã cài)",
        "backend to run (repeatable; default: every installed backend)"))
    c.add_argument("-k", dest="select", metavar=t("TÊN", "NAME"), help=t(
        "chỉ chạy các trường hợp có TÊN trong mã quy tắc, tên tệp ví dụ hoặc mô tả",
        "run only the cases whose rule id, example file name or description contains NAME"))
    c.add_argument("--policy", metavar=t("THƯ_MỤC", "DIR"), help=t(
        "thư mục chính sách (mặc định: thư mục chính sách gần nhất từ thư mục hiện tại trở lên)",
        "policy folder (default: the nearest policy folder from the current directory upward)"))
    fmt(c, ("text", "junit"))

    c = command("lint", _lint, t(
        "vấn đề của một chính sách hợp lệ: kiểm tra không thể kích hoạt, ví dụ một chiều, tham số không dùng, "
        "ngày không nhất quán, mục tiêu không đạt được",
        "problems of a valid policy: untriggerable checks, one-sided examples, "
        "unused parameters, inconsistent dates, unreachable targets"))
    policy_args(c, backend=False)
    c.add_argument("--write-baseline", action="store_true", help=t(
        "ghi mọi vấn đề hiện có vào tệp nền lint-baseline.yaml trong thư mục chính sách; sau đó chỉ vấn đề mới "
        "làm lệnh thất bại", "record every current problem in the baseline file lint-baseline.yaml of the policy "
        "folder; from then on only new problems fail"))
    c.add_argument("--no-baseline", action="store_true", help=t(
        "bỏ qua tệp nền, báo mọi vấn đề", "ignore the baseline file and report every problem"))
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

    c = command("lsp", _lsp, t(
        "máy chủ ngôn ngữ (LSP) cho trình soạn thảo, qua stdin/stdout; cần ag18-rules[lsp]",
        "language server (LSP) for editors, over stdin/stdout; needs ag18-rules[lsp]"))
    c.add_argument("--stdio", action="store_true", help=t(
        "nói chuyện qua stdin/stdout (mặc định; nhận cho tương thích với trình soạn thảo)",
        "speak over stdin/stdout (the default; accepted for editors that pass it)"))

    c = command("serve", _serve, t(
        "máy chủ HTTP: API dưới /v1 (OpenAPI tại /openapi.json) và bàn làm việc trên trình duyệt tại /",
        "HTTP server: the API under /v1 (OpenAPI at /openapi.json) and the browser workbench at /"))
    _serve_args(c, t)

    c = command("template", _template, t(
        "tạo bảng tính Excel mẫu để điền đề án", "write an Excel workbook to fill in a plan"))
    c.add_argument("out", metavar=t("TỆP.xlsx", "FILE.xlsx"))

    c = command("convert", _convert, t(
        "chuyển đề án giữa YAML, JSON và XLSX (theo đuôi tệp)", "convert a plan between YAML, JSON and XLSX (by suffix)"))
    c.add_argument("source", metavar=t("VÀO", "IN"), help=t("đề án (YAML, JSON, XLSX, thư mục CSV hoặc -)",
                                                            "a plan (YAML, JSON, XLSX, a CSV folder or -)"))
    c.add_argument("dest", metavar=t("RA", "OUT"), help=t("tệp .yaml, .json hoặc .xlsx", "a .yaml, .json or .xlsx file"))

    c = command("schema", _schema, t(
        "in ra JSON Schema cho trình soạn thảo (plan, rule, policy, tests; report, diagnostics: đầu ra JSON)",
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
    if args.format == "html":
        from .formats.html import render_diff_html

        text = render_diff_html(result, args.lang)
    else:
        text = result.to_json(args.lang) + "\n" if args.format == "json" else render_diff(result, args.lang)
    _emit(args, text, out)
    return EXIT_FINDINGS if result.verdict == "fail" else EXIT_OK


def _timeline(args, out, err) -> int:
    from .timeline import timeline

    with _policy(args, args.backend) as policy:
        result = timeline(policy, args.plan, until=args.until)
    _emit(args, result.to_json(args.lang) + "\n" if args.format == "json" else result.render(args.lang), out)
    return EXIT_OK


def _check(args, out, err) -> int:
    from .formats import render_text
    from .formats.commands import exit_code, expand_plans, load_plans, quiet_lines, render_check
    from .formats.progress import Progress

    with _policy(args, args.backend) as policy:
        names = expand_plans(args.plans)
        label = Text("Đang đánh giá", "Evaluating")(args.lang)
        with Progress(2 * len(names), label, err, enabled=not args.quiet) as progress:
            fixes = FixOptions(limit=args.max_fixes) if not args.no_fixes else False
            options = dict(as_of=args.as_of, explain=args.explain, fixes=fixes, origin=True)
            if _in_parallel(args, names):  # each worker loads, validates and evaluates its plans
                plans = names
                reports = _check_many(policy, names, args.jobs, options, progress)
            else:
                plans = load_plans(policy, names, progress)  # all plans validated before any is evaluated
                reports = []
                for p in plans:
                    reports.append(policy.evaluate(p, **options))
                    progress.step()
        quotes = {c.id: c.quote_vi for c in policy.params.programme.clauses}
        if args.format == "json":
            text = _check_json(args, plans, reports)
        elif args.format != "text":
            text = render_check(args.format, reports, plans, policy, args.lang, quotes=quotes)
        elif args.quiet:
            text = quiet_lines(reports, args.lang)
        else:
            from .accountability import head_labels

            text = "\n".join(
                render_text(r, args.lang, quotes=quotes, heads=head_labels(p, r, args.lang) if args.by_head else None)
                for p, r in zip(plans, reports))
    _emit(args, text, out)
    return exit_code(reports, args.fail_level, args.exit_zero)


def _check_json(args, plans, reports) -> str:
    from .serial import dumps

    if args.by_head:
        from .accountability import scorecard

        cards = [scorecard(p, r).to_dict(args.lang) for p, r in zip(plans, reports)]
        data = [dict(r.to_dict(args.lang), scorecard=c) for r, c in zip(reports, cards)]
        return dumps(data[0] if len(data) == 1 else {"reports": data}) + "\n"
    if len(reports) == 1:
        return reports[0].to_json(args.lang) + "\n"
    return dumps({"reports": [r.to_dict(args.lang) for r in reports]}) + "\n"  # compact when large


def _emit(args, text: str, out) -> None:
    """Output to ``-o`` or standard output; a text report in colour on a terminal."""
    from .formats.commands import colour_wanted, paint, write_output

    output = getattr(args, "output", None)
    if args.format == "text" and output in (None, "-") and colour_wanted(getattr(args, "color", "never"), out):
        text = paint(text)
    write_output(text, output, out)


def _in_parallel(args, names) -> bool:
    """``--jobs`` takes effect for several plan files read as text or JSON reports (the other
    formats and --by-head need the loaded plans here)."""
    return (args.jobs > 1 and len(names) > 1 and not args.by_head and args.format in ("text", "json")
            and all(n != "-" and os.path.isfile(n) for n in names))


def _check_many(policy, paths, jobs: int, options: dict, progress) -> list:
    """Plans evaluated on ``jobs`` processes (each loads and validates its plans), in their order."""
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(jobs) as pool:
        return list(policy.evaluate_many(paths, executor=pool, progress=lambda done, total: progress.step(2),
                                         **options))


def _scorecard(args, out, err) -> int:
    from .accountability import scorecard

    with _policy(args, args.backend) as policy:
        plan = policy.load_plan(args.plan)
        card = scorecard(plan, policy.evaluate(plan, as_of=args.as_of, fixes=False, origin=False))
    if args.format == "html":
        from .formats.html import render_scorecard_html

        text = render_scorecard_html(card, args.lang)
    else:
        text = (card.to_json(args.lang) + "\n") if args.format == "json" else card.render(args.lang)
    _emit(args, text, out)
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

    result = run_examples(args.policy, backends=args.backend, rules=args.rules, select=args.select)
    if args.format == "junit":
        from .formats.junit import render_junit_examples

        _emit(args, render_junit_examples(result, args.lang), out)
    else:
        _emit(args, result.render(args.lang), out)
    return EXIT_OK if result.ok else EXIT_FINDINGS


def _lint(args, out, err) -> int:
    from .formats.progress import Progress
    from .lint import lint_policy
    from .lintrun import finish_lint

    label = Text("Đang đánh giá đề án sinh ra", "Evaluating generated plans")(args.lang)
    with Progress(args.plans, label, err, enabled=not args.quiet) as progress:
        report = lint_policy(args.policy, plans=args.plans, progress=progress.step)
    return finish_lint(args, report, err, lambda text: _emit(args, text, out))


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
        _emit(args, json.dumps(table.to_dict(args.lang), ensure_ascii=False, indent=2) + "\n", out)
    else:
        _emit(args, table.render(args.lang), out)
    return EXIT_OK


def _lsp(args, out, err) -> int:
    from .lsp import serve

    serve(args.lang)
    return EXIT_OK


def _serve_args(c, t) -> None:
    c.add_argument("--host", default="127.0.0.1", help=t(
        "địa chỉ lắng nghe (mặc định 127.0.0.1, chỉ máy này)", "address to listen on (default 127.0.0.1, this machine only)"))
    c.add_argument("--port", type=int, default=8018, help=t("cổng (mặc định 8018)", "port (default 8018)"))
    c.add_argument("--policy", metavar=t("THƯ_MỤC", "DIR"), help=t(
        "thư mục chính sách (mặc định: chính sách AG18 kèm theo)", "policy folder (default: the shipped AG18 policy)"))
    c.add_argument("--workers", type=_count, default=1, metavar="N", help=t(
        "số tiến trình máy chủ (mặc định 1)", "server processes (default 1)"))
    c.add_argument("--store", metavar=t("TỆP", "PATH"), help=t(
        "tệp SQLite lưu các phiên (mặc định ~/.local/state/ag18/sessions.sqlite3)",
        "SQLite file that keeps the sessions (default ~/.local/state/ag18/sessions.sqlite3)"))
    c.add_argument("--timeout", type=float, default=30.0, metavar=t("GIÂY", "SECONDS"), help=t(
        "thời gian tối đa của một lần đánh giá (mặc định 30)", "longest one evaluation may take (default 30)"))
    c.add_argument("--max-body", type=_count, default=20, metavar="MB", help=t(
        "kích thước tối đa của nội dung gửi lên, MB (mặc định 20)", "largest request body in MB (default 20)"))
    c.add_argument("--session-ttl", type=float, default=168.0, metavar=t("GIỜ", "HOURS"), help=t(
        "phiên không dùng quá số giờ này thì bị xoá (mặc định 168)", "idle sessions are removed after this many hours (default 168)"))
    c.add_argument("--max-sessions", type=_count, default=1000, metavar="N", help=t(
        "số phiên tối đa (mặc định 1000)", "most sessions kept (default 1000)"))
    c.add_argument("--cors", action="append", default=[], metavar=t("NGUỒN", "ORIGIN"), help=t(
        "cho phép trang web từ nguồn này gọi API (lặp lại được; mặc định tắt)",
        "let pages from this origin call the API (repeatable; off by default)"))


def _serve(args, out, err) -> int:
    from .server.serve import serve

    return serve(host=args.host, port=args.port, policy=args.policy, workers=args.workers, store=args.store,
                 deadline=args.timeout, body_limit=args.max_body * 1024 * 1024, session_ttl=args.session_ttl * 3600,
                 max_sessions=args.max_sessions, cors=args.cors, lang=args.lang, err=err)


def _template(args, out, err) -> int:
    from .formats.commands import run_template

    return run_template(args.out, args.lang, out)


def _convert(args, out, err) -> int:
    from .formats.commands import run_convert

    return run_convert(args.source, args.dest, args.lang, out)


def _schema(args, out, err) -> int:
    from .schema import load_schema

    out.write(json.dumps(load_schema(args.which), ensure_ascii=False, indent=2) + "\n")
    return EXIT_OK

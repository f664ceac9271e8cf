"""What the command line does with formats: which plans an argument names, where output goes,
colour, exit codes by level, ``ag18 template`` and ``ag18 convert``.

:mod:`ag18_rules.cli` registers the commands and options; their work is here, so the CLI stays
a thin layer of argument parsing.
"""
from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Optional, Sequence, TextIO

from ..errors import Diagnostic, InputError, Span, Text

PLAN_FILES = (".yaml", ".yml", ".json", ".xlsx")
LEVELS = ("error", "warning", "info")
_CSV_PLAN = ("đề án.csv", "plan.csv")


# ----------------------------------------------------------------------- which plans


def is_csv_plan(folder: Path) -> bool:
    """A folder holding the template's sheets as CSV files is one plan."""
    import unicodedata

    return any(unicodedata.normalize("NFC", p.name).casefold() in _CSV_PLAN for p in folder.glob("*.csv"))


def expand_plans(args: Sequence[str]) -> list[str]:
    """Plan arguments as plan sources: a folder of plans gives every plan under it (sorted, hidden
    folders skipped); a folder of CSV sheets is one plan; ``-`` is standard input."""
    out: list[str] = []
    for arg in args:
        path = Path(arg)
        if arg != "-" and path.is_dir() and not is_csv_plan(path):
            found = sorted(str(p) for p in path.rglob("*") if p.suffix.lower() in PLAN_FILES and p.is_file()
                           and not any(part.startswith(".") for part in p.relative_to(path).parts))
            found += sorted(str(p) for p in path.rglob("*") if p.is_dir() and is_csv_plan(p))
            if not found:
                raise InputError([Diagnostic("no-plans", Text(
                    "Thư mục không có đề án nào (.yaml, .yml, .json, .xlsx).",
                    "The folder holds no plans (.yaml, .yml, .json, .xlsx)."), Span(arg))])
            out += found
        else:
            out.append(arg)
    return out


@contextmanager
def plan_source(arg: str, stdin: Optional[Any] = None) -> Iterator[tuple[str, Optional[str]]]:
    """(path to load, name for messages): ``-`` is standard input kept in a temporary file, whose
    suffix follows its content (a workbook, JSON or YAML)."""
    if arg != "-":
        yield arg, None
        return
    stream = stdin if stdin is not None else sys.stdin.buffer
    from ..plan import MAX_PLAN_BYTES

    data = stream.read(MAX_PLAN_BYTES + 1)
    if isinstance(data, str):
        data = data.encode("utf-8")
    suffix = ".xlsx" if data[:2] == b"PK" else ".json" if data.lstrip()[:1] in (b"{", b"[") else ".yaml"
    fd, name = tempfile.mkstemp(suffix=suffix, prefix="ag18-stdin-")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        yield name, "<stdin>"
    finally:
        os.unlink(name)


def load_plans(policy, args: Sequence[str], progress=None) -> list:
    """Every plan named, all validated before any is evaluated; problems of all of them at once."""
    plans, problems = [], []
    for arg in expand_plans(args):
        try:
            with plan_source(arg) as (path, name):
                plans.append(policy.load_plan(path) if name is None else _load_named(policy, path, name))
        except InputError as exc:
            problems += exc.diagnostics
        if progress:
            progress.step()
    if problems:
        raise InputError(problems)
    return plans


def _load_named(policy, path: str, name: str):
    from ..plan import load_plan

    return load_plan(path, filename=name, rule_ids=policy.rule_ids)


# ----------------------------------------------------------------------- output


def write_output(text: str, output: Optional[str], out: TextIO) -> None:
    """``text`` to the ``-o`` file (written whole, UTF-8) or to standard output."""
    if output in (None, "-"):
        out.write(text)
        return
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        raise InputError([Diagnostic("output-unwritable", Text(
            f"Không ghi được tệp kết quả ({error.strerror}).", f"The output file cannot be written ({error.strerror})."),
            Span(output))]) from None


def colour_wanted(choice: str, stream: TextIO, environ=os.environ) -> bool:
    """Colour on a terminal, off when piped, with ``NO_COLOR`` set or ``--color never``."""
    if choice == "always":
        return True
    if choice == "never" or environ.get("NO_COLOR") or environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    return bool(isatty and isatty())


_PAINT = [
    (re.compile(r"^(\s*)(LỖI|ERROR)\b", re.M), "\033[1;31m"),
    (re.compile(r"^(\s*)(CẢNH BÁO|WARNING)\b", re.M), "\033[1;33m"),
    (re.compile(r"^(\s*)(THÔNG TIN|INFO)\b", re.M), "\033[1;34m"),
    (re.compile(r"(?<=: )(KHÔNG ĐẠT|FAIL)\b"), "\033[1;31m"),
    (re.compile(r"(?<=: )(ĐẠT|PASS)\b"), "\033[1;32m"),
]


def paint(text: str) -> str:
    """Severity words and the verdict of a text report in terminal colours."""
    for pattern, colour in _PAINT:
        if pattern.groups == 2:
            text = pattern.sub(lambda m, c=colour: f"{m.group(1)}{c}{m.group(2)}\033[0m", text)
        else:
            text = pattern.sub(lambda m, c=colour: f"{c}{m.group(1)}\033[0m", text)
    return text


def exit_code(reports: Sequence, fail_level: str, exit_zero: bool) -> int:
    """1 when an unwaived finding is at least as severe as ``fail_level``; 0 with ``--exit-zero``."""
    if exit_zero:
        return 0
    worst = LEVELS.index(fail_level)
    for report in reports:
        if any(not f.waived and LEVELS.index(f.severity) <= worst for f in report.findings):
            return 1
    return 0


def quiet_lines(reports: Sequence, lang: str) -> str:
    """``-q``: one line per unwaived finding, nothing else."""
    lines = []
    for r in reports:
        for f in r.findings:
            if not f.waived:
                lines.append(f"{r.source or r.plan}: {f.severity}: {f.rule}/{f.check} {f.entity.id}: {f.message(lang)}")
    return "\n".join(lines) + ("\n" if lines else "")


def diagnostics_json(error: InputError, lang: str) -> str:
    """Bad input as ``ag18-diagnostics/1`` JSON, the fields of each diagnostic as the text has them."""
    return error.to_json(lang) + "\n"


# ----------------------------------------------------------------------- rendering a check


def render_check(fmt: str, reports: list, plans: list, policy, lang: str, *, quotes=None, heads=None) -> str:
    """The reports of ``ag18 check`` in ``fmt`` (text, json, html, sarif, junit, github)."""
    if fmt == "html":
        from .html import render_html

        return "\n".join(render_html(r, p, lang, quotes=quotes) for r, p in zip(reports, plans))
    if fmt == "sarif":
        from .sarif import render_sarif

        return render_sarif(reports, plans, policy=policy, lang=lang)
    if fmt == "junit":
        from .junit import render_junit

        return render_junit(reports, policy=policy, lang=lang)
    if fmt == "github":
        from .github import render_github

        return render_github(reports, plans, lang=lang)
    raise ValueError(fmt)


# ----------------------------------------------------------------------- template and convert


def run_template(output: str, lang: str, out: TextIO) -> int:
    from .template import write_template

    if not output.lower().endswith(".xlsx"):
        raise InputError([Diagnostic("output-suffix", Text(
            "Tệp mẫu phải có đuôi .xlsx.", "The template file must end in .xlsx."), Span(output))])
    try:
        write_template(output, lang)
    except OSError as error:
        raise InputError([Diagnostic("output-unwritable", Text(
            f"Không ghi được tệp ({error.strerror}).", f"The file cannot be written ({error.strerror})."),
            Span(output))]) from None
    out.write(Text(f"Đã tạo mẫu đề án {output}.", f"Wrote the plan template {output}.")(lang) + "\n")
    return 0


def run_convert(source: str, output: str, lang: str, out: TextIO) -> int:
    """A plan from YAML, JSON, XLSX or CSV sheets into YAML, JSON or XLSX (by ``output``'s suffix)."""
    from ..plan import load_plan, plan_to_dict

    suffix = Path(output).suffix.lower()
    if suffix not in (".yaml", ".yml", ".json", ".xlsx") and output != "-":
        raise InputError([Diagnostic("output-suffix", Text(
            "Tệp đích phải có đuôi .yaml, .yml, .json hoặc .xlsx.",
            "The output must end in .yaml, .yml, .json or .xlsx."), Span(output))])
    with plan_source(source) as (path, name):
        plan = load_plan(path, filename=name)
    data = plan_to_dict(plan)
    if suffix == ".xlsx":
        from .template import write_xlsx

        write_xlsx(data, output, lang)
    elif suffix == ".json":
        write_output(json.dumps(data, ensure_ascii=False, indent=2) + "\n", output, out)
    else:
        write_output(dump_yaml(data), output, out)
    return 0


def dump_yaml(data: dict) -> str:
    """Plan data as YAML in the spec's key order, Vietnamese written as is."""
    import yaml

    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100)

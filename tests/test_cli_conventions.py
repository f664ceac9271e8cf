"""Conventions users expect of a checker: --version, -o, -q, colour, stdin, folders, exit levels,
JSON diagnostics on bad input, a progress bar only on a terminal."""
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from ag18_rules.cli import main
from ag18_rules.formats.progress import Progress

ROOT = Path(__file__).resolve().parent.parent
DRAFT1 = ROOT / "examples" / "sonv-offices-2021-draft1.yaml"
HAMLETS = ROOT / "examples" / "hamlets-2020.yaml"
PASSING = ROOT / "rules" / "deputy-cap" / "examples" / "compliant-2021.yaml"


class Tty(io.StringIO):
    def isatty(self):
        return True


def run(*argv, stdout=None):
    out, err = stdout or io.StringIO(), io.StringIO()
    code = main([str(a) for a in argv], stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_version():
    out = subprocess.run([sys.executable, "-m", "ag18_rules", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("ag18 0.")


def test_output_file_for_every_format(tmp_path):
    for fmt in ("text", "json", "html", "sarif", "junit", "github"):
        target = tmp_path / f"r.{fmt}"
        code, out, _ = run("check", DRAFT1, "--no-fixes", "--format", fmt, "-o", target)
        assert code == 1 and out == "" and target.stat().st_size > 100
    assert json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["verdict"] == "fail"
    code, _, err = run("check", DRAFT1, "-o", tmp_path / "missing" / "r.txt")
    assert code == 2 and "output-unwritable" in err


def test_quiet_prints_only_findings():
    code, out, _ = run("check", DRAFT1, "-q", "--no-fixes")
    lines = out.splitlines()
    assert code == 1 and len(lines) == 6 and "Kết luận" not in out
    assert f"{DRAFT1}: error: deputy-cap/inspectorate sonv/thanh-tra: Thanh tra Sở có 2 phó" in out
    code, out, _ = run("check", PASSING, "-q")
    assert code == 0 and all(line.startswith(f"{PASSING}: ") for line in out.splitlines())


def test_colour_on_a_terminal_only_and_never_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    _, out, _ = run("check", DRAFT1, "--no-fixes", stdout=Tty())
    assert "\033[1;31mKHÔNG ĐẠT\033[0m" in out and "\033[1;31mLỖI\033[0m" in out
    assert "\033[" not in run("check", DRAFT1, "--no-fixes")[1]  # piped
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\033[" not in run("check", DRAFT1, "--no-fixes", stdout=Tty())[1]
    assert "\033[" in run("check", DRAFT1, "--no-fixes", "--color", "always")[1]


def test_dash_reads_the_plan_from_standard_input():
    out = subprocess.run([sys.executable, "-m", "ag18_rules", "check", "-", "-q", "--no-fixes"],
                         input=HAMLETS.read_bytes(), capture_output=True)
    assert out.returncode == 1
    # an existing hamlet below the standard is progress information; hamlet-merge-required makes it an error
    assert out.stdout.decode().startswith("<stdin>: info: admin-unit-standard/ap-households ol/ap-long-binh")
    bad = subprocess.run([sys.executable, "-m", "ag18_rules", "check", "-"], input=b"format: x\n", capture_output=True)
    assert bad.returncode == 2 and bad.stderr.decode().startswith("<stdin>:")


def test_a_folder_checks_every_plan_under_it(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "one.yaml").write_bytes(DRAFT1.read_bytes())
    (tmp_path / "two.yaml").write_bytes(PASSING.read_bytes())
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "x.yaml").write_text("not a plan", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("ignored", encoding="utf-8")
    code, out, _ = run("check", tmp_path, "--format", "json", "--no-fixes")
    reports = json.loads(out)["reports"]
    assert code == 1 and [r["plan"] for r in reports] == ["ag-sonv-2021", "dc-compliant-2021"]
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = run("check", empty)
    assert code == 2 and "no-plans" in err


def test_fail_level_and_exit_zero(tmp_path):
    assert run("check", HAMLETS, "--no-fixes")[0] == 1
    text = PASSING.read_text(encoding="utf-8")
    code, out, _ = run("check", PASSING, "--format", "json")
    summary = json.loads(out)["summary"]
    assert code == 0 and summary["error"] == 0
    level = "info" if summary["info"] else "warning"
    expect = 1 if summary["info"] or summary["warning"] else 0
    assert run("check", PASSING, "--fail-level", level)[0] == expect
    assert run("check", DRAFT1, "--no-fixes", "--exit-zero")[0] == 0
    assert run("check", tmp_path / "missing.yaml", "--exit-zero")[0] == 2  # bad input is never zero
    assert text


def test_bad_input_with_format_json_writes_diagnostics_to_stdout(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("format: ag18-plan/1\nplan: {id: x, effective: 2021-01-01}\n"
                   "after: {organizations: [{id: a, name: A, type: nope}]}\n", encoding="utf-8")
    code, out, err = run("check", bad, "--format", "json", "--lang", "en")
    data = json.loads(out)
    assert code == 2 and data["format"] == "ag18-diagnostics/1"
    (d,) = data["diagnostics"]
    assert (d["file"], d["line"], d["col"], d["code"]) == (str(bad), 3, 48, "bad-value")
    assert d["path"] == "after.organizations[0].type" and "nope" in d["message"]
    assert f"{bad}:3:48: bad-value:" in err


def test_progress_bar_only_on_a_terminal_and_only_after_a_second():
    ticks = iter([0.0, 0.5, 1.5, 2.0, 3.0])
    tty = Tty()
    with Progress(3, "Đang đánh giá", tty, clock=lambda: next(ticks)) as bar:
        bar.step()
        assert tty.getvalue() == ""  # under a second: nothing drawn
        bar.step()
        assert "Đang đánh giá [####################..........] 2/3" in tty.getvalue()
    assert tty.getvalue().endswith("\r\033[K")
    piped = io.StringIO()
    with Progress(3, "x", piped, clock=lambda: 10.0) as bar:
        bar.step()
    assert piped.getvalue() == ""
    quiet = Tty()
    with Progress(3, "x", quiet, enabled=False, clock=lambda: 10.0) as bar:
        bar.step()
    assert quiet.getvalue() == ""


@pytest.mark.parametrize("argv", [["check", "--help"], ["template", "--help"], ["convert", "--help"]])
def test_help_of_new_options_in_both_languages(argv, capsys):
    assert main(argv + ["--lang", "en"]) == 0
    en = capsys.readouterr().out
    assert main(argv) == 0
    vi = capsys.readouterr().out
    assert en != vi
    if argv[0] == "check":
        assert "--fail-level" in en and "exit 1 when an unwaived finding" in " ".join(en.split())
        assert "mã thoát 1 khi có vi phạm chưa miễn trừ" in " ".join(vi.split())


def test_lint_reports_each_generated_plan_to_its_progress_bar():
    from ag18_rules.lint import lint_policy

    seen = []
    report = lint_policy(plans=3, progress=lambda: seen.append(1))
    assert report.plans == 3 and len(seen) == 3

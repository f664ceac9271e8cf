"""Rule and parameter files that validate also evaluate: templates, text fields, enumerations."""
import shutil
from pathlib import Path

import pytest

from ag18_rules import InputError, load_policy
from ag18_rules.cli import main

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def policy_dir(tmp_path):
    """A private copy of the shipped policy to break."""
    for part in ("policy", "rules"):
        shutil.copytree(ROOT / part, tmp_path / part)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _problems(directory: Path) -> list:
    with pytest.raises(InputError) as error:
        load_policy(directory)
    return list(error.value.diagnostics)


@pytest.mark.parametrize("placeholder", ["{deputies:d}", "{deputies!x}", "{deputies:>100000000}", "{deputies!r}",
                                         "{deputies.real}", "{deputies[0]}", "{0}", "{}"])
def test_a_message_placeholder_with_a_format_spec_or_conversion_is_refused_at_load(policy_dir, placeholder, capsys):
    rule = policy_dir / "rules" / "deputy-cap" / "deputy-cap.yaml"
    line = next(i for i, text in enumerate(rule.read_text(encoding="utf-8").splitlines(), 1)
                if '{name} có {deputies} cấp phó' in text)
    _edit(rule, '{name} có {deputies} cấp phó', '{name} có ' + placeholder + ' cấp phó')
    problems = _problems(policy_dir)
    assert [(d.code, Path(d.span.file).name, d.span.line) for d in problems] == [("bad-placeholder", "deputy-cap.yaml", line)]
    assert placeholder in problems[0].message("en")
    assert main(["validate", "--policy", str(policy_dir)]) == 2
    assert f"deputy-cap.yaml:{line}:" in capsys.readouterr().err


def test_a_date_in_a_rule_quote_is_a_diagnostic_not_a_crash(policy_dir, capsys):
    rule = policy_dir / "rules" / "deputy-cap" / "deputy-cap.yaml"
    text = rule.read_text(encoding="utf-8")
    start = text.index("\nquote:") + 1
    end = text.index("\n", start)
    rule.write_text(text[:start] + "quote: 2018-04-19" + text[end:], encoding="utf-8")
    problems = _problems(policy_dir)
    assert [(d.code, d.path) for d in problems] == [("date-as-text", "quote")]
    assert "'2018-04-19'" in problems[0].message("en")
    assert main(["validate", "--policy", str(policy_dir)]) == 2
    err = capsys.readouterr().err
    assert "date-as-text" in err and "Traceback" not in err


def test_a_date_in_a_programme_quote_is_a_diagnostic(policy_dir):
    programme = policy_dir / "policy" / "programme.yaml"
    _edit(programme, 'quote_vi: "Tiếp tục đổi mới, sắp xếp tổ chức bộ máy ... tinh gọn, hoạt động hiệu lực, hiệu quả"',
          "quote_vi: 2018-04-19")
    problems = _problems(policy_dir)
    assert [(d.code, d.path, d.span.line) for d in problems] == [("date-as-text", "clauses.AIM-1.quote_vi", 9)]


def test_a_misspelt_staff_category_is_refused_at_load_with_did_you_mean(policy_dir, capsys):
    _edit(policy_dir / "policy" / "staff.yaml", "value: [civil_servants, public_employees]",
          "value: [civil_servants, public_employes]")
    problems = _problems(policy_dir)
    assert [(d.code, d.span.line, d.span.col) for d in problems] == [("unknown-value", 11, 33)]
    assert "did you mean 'public_employees'?" in problems[0].message("en")
    assert main(["validate", "--policy", str(policy_dir)]) == 2
    assert main(["check", "--policy", str(policy_dir), str(ROOT / "examples" / "hamlets-2020.yaml")]) == 2
    assert "Traceback" not in capsys.readouterr().err


def test_a_misspelt_table_key_of_an_enumerated_fact_is_refused(policy_dir):
    _edit(policy_dir / "policy" / "admin-units.yaml", "value: {mountain: 80000", "value: {mountian: 80000")
    problems = _problems(policy_dir)
    assert [(d.code, d.span.line) for d in problems] == [("unknown-value", 19)]
    assert "did you mean 'mountain'?" in problems[0].message("en")


def test_the_shipped_policy_has_no_unknown_enumerated_value():
    assert load_policy().rules


@pytest.mark.parametrize("replacement", ["parameters:", "parameter:", "parameters: []"])
def test_a_parameter_file_without_its_parameters_mapping_is_a_diagnostic(policy_dir, replacement):
    """Found by scripts/fuzz.py: a missing or null `parameters:` crashed the loader."""
    path = policy_dir / "policy" / "staff.yaml"
    text = path.read_text(encoding="utf-8")
    cut = text.index("parameters:")
    path.write_text(text[:cut] + replacement + "\n", encoding="utf-8")
    problems = _problems(policy_dir)
    assert problems and all(Path(d.span.file).name == "staff.yaml" and d.span.line >= 1 for d in problems
                            if Path(d.span.file).name == "staff.yaml")
    assert any(Path(d.span.file).name == "staff.yaml" for d in problems)

"""Two languages, complete: every title, message, label and fix sentence in Vietnamese and English,
with the same placeholders in both."""
import re
import string
from pathlib import Path

import pytest

import ag18_rules
from ag18_rules import diff
from ag18_rules.formats import text as render
from ag18_rules.engine import NEEDS
from ag18_rules.errors import Text
from ag18_rules.facts import CATALOGUE
from ag18_rules.fixes import NO_FIX_TEXTS, FixOptions
from ag18_rules.levers import TEXTS, WORDS

ROOT = Path(__file__).resolve().parent.parent
PLANS = sorted((ROOT / "rules").glob("*/examples/*.yaml")) + sorted((ROOT / "examples").glob("sonv-*.yaml"))
VIETNAMESE = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.IGNORECASE)
WORD = re.compile(r"[^\W\d_]{2,}")
LEFT_OVER = re.compile(r"\{[A-Za-z_]+\}")


def placeholders(template: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def problems(where: str, text: Text) -> list:
    """What is wrong with one bilingual text: a language missing, placeholders that differ,
    Vietnamese without its diacritics."""
    out = []
    if not text.vi.strip() or not text.en.strip():
        out.append(f"{where}: a language is missing: {text!r}")
    elif placeholders(text.vi) != placeholders(text.en):
        out.append(f"{where}: placeholders differ: {sorted(placeholders(text.vi))} vs {sorted(placeholders(text.en))}")
    prose = [w for w in WORD.findall(string.Formatter().vformat(text.vi, (), _Blank())) if not w.isupper()]
    if len(prose) >= 2 and not VIETNAMESE.search(text.vi):
        out.append(f"{where}: the Vietnamese has no diacritics: {text.vi!r}")
    return out


class _Blank(dict):
    def __missing__(self, key):
        return ""


def test_the_checker_catches_a_missing_translation_and_different_placeholders():
    assert problems("x", Text("Giảm {k} cấp phó", "")) == ["x: a language is missing: Text(vi='Giảm {k} cấp phó', en='')"]
    assert problems("x", Text("Giảm {k} cấp phó tại {org}", "Cut {n} deputies at {org}")) == [
        "x: placeholders differ: ['k', 'org'] vs ['n', 'org']"]
    assert problems("x", Text("Giam cap pho tai {org}", "Cut deputies at {org}")) == [
        "x: the Vietnamese has no diacritics: 'Giam cap pho tai {org}'"]
    assert problems("x", Text("Giảm cấp phó tại {org}", "Cut deputies at {org}")) == []


@pytest.mark.parametrize("table,name", [(TEXTS, "levers.TEXTS"), (WORDS, "levers.WORDS"),
                                        (NO_FIX_TEXTS, "fixes.NO_FIX_TEXTS"), (diff.TEXTS, "diff.TEXTS")])
def test_every_sentence_of_fixes_and_diffs_is_in_both_languages(table, name):
    found = [p for key, text in table.items() for p in problems(f"{name}[{key}]", text)]
    assert found == []


def test_report_labels_have_both_languages_with_the_same_placeholders():
    vi, en = render._L["vi"], render._L["en"]
    assert set(vi) == set(en)
    found = [p for key in vi for p in problems(f"render[{key}]", Text(vi[key], en[key]))]
    assert found == []


def test_engine_and_fact_catalogue_texts():
    found = [p for need, (_, text) in NEEDS.items() for p in problems(f"needs[{need}]", text)]
    for kind, facts in CATALOGUE.items():
        for spec in facts.values():
            found += problems(f"{kind}.{spec.name}.doc", spec.doc)
            if spec.missing:
                found += problems(f"{kind}.{spec.name}.missing", spec.missing)
    assert found == []


@pytest.fixture(scope="module")
def policy():
    with ag18_rules.load_policy() as p:
        yield p


def test_every_rule_title_description_message_and_fix(policy):
    found = []
    for rule in policy.rules:
        spec = rule.spec
        found += problems(f"{rule.id}.title", spec.title) + problems(f"{rule.id}.description", spec.description)
        for check in spec.checks:
            found += problems(f"{rule.id}/{check.id}.message", check.message)
            if check.fix:
                found += problems(f"{rule.id}/{check.id}.fix", check.fix)
    assert found == []


@pytest.mark.parametrize("path", PLANS, ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_every_produced_message_and_fix_is_filled_in_both_languages(policy, path):
    report = policy.evaluate(path, fixes=FixOptions(limit=10_000), origin=True)
    for f in report.findings:
        texts = [("message", f.message)] + [("fix", x.text) for x in f.extra.get("fixes", ())]
        for what, text in texts:
            assert text.vi and text.en and text.vi != text.en, (f.rule, what, text)
            for lang in ("vi", "en"):
                assert not LEFT_OVER.search(text(lang)), (f.rule, what, text(lang))


# --------------------------------------------------------------------------- the command line


def _parser_texts(lang: str) -> dict:
    """Every help, description and metavar of ``ag18`` and its subcommands, by place."""
    import argparse

    from ag18_rules.cli import _parser

    out = {}

    def walk(parser, where):
        out[f"{where}.description"] = parser.description or ""
        for action in parser._actions:
            name = "/".join(action.option_strings) or action.dest
            if action.help and action.help != argparse.SUPPRESS:
                out[f"{where} {name}.help"] = action.help
            if isinstance(action.metavar, str):
                out[f"{where} {name}.metavar"] = action.metavar
            if isinstance(action, argparse._SubParsersAction):
                for command, sub in action.choices.items():
                    walk(sub, f"{where} {command}")
        for group in parser._action_groups:
            out[f"{where} group[{group.title}]"] = group.title or ""
    walk(_parser(lang), "ag18")
    return out


def test_every_help_text_of_the_command_line_is_in_both_languages():
    vi, en = _parser_texts("vi"), _parser_texts("en")
    vi_by_place = {k.split(" group[")[0] + (" group" if " group[" in k else ""): v for k, v in vi.items()}
    en_by_place = {k.split(" group[")[0] + (" group" if " group[" in k else ""): v for k, v in en.items()}
    assert set(vi_by_place) == set(en_by_place)
    found = []
    for place, text in vi_by_place.items():
        other = en_by_place[place]
        if place.endswith(".metavar") and text.isupper() and text.isascii() and text == other:
            continue  # N, a placeholder that reads the same in both languages
        if place.endswith(".metavar") and text == other:
            found.append(f"{place}: the same in both languages: {text!r}")
        found += problems(place, Text(text, other)) if text != other else (
            [f"{place}: not translated: {text!r}"] if WORD.search(text) else [])
    assert found == []


def test_the_words_argparse_adds_are_translated():
    from ag18_rules import argtext

    found = [p for key, text in argtext.WORDS.items() for p in problems(f"argtext.WORDS[{key}]", text)]
    found += [p for pattern, text in argtext.ERRORS for p in problems(f"argtext.ERRORS[{pattern}]", text)]
    assert found == []
    assert argtext.translate_error("argument --as-of: invalid choice: 'x' (choose from 'a', 'b')", "vi") == \
        "đối số --as-of: lựa chọn không hợp lệ: 'x' (chọn một trong 'a', 'b')"
    assert argtext.translate_error("the following arguments are required: PLAN", "en") == \
        "the following arguments are required: PLAN"


def test_the_officer_facing_tables_are_in_both_languages():
    from ag18_rules import conformance, lintrun
    from ag18_rules.labels import ENUM_LABELS

    tables = [("conformance.TEXTS", conformance.TEXTS), ("lintrun.TEXTS", lintrun.TEXTS)]
    found = [p for name, table in tables for key, text in table.items() for p in problems(f"{name}[{key}]", text)]
    for name, values in ENUM_LABELS.items():
        for code, text in values.items():
            if not text.vi.strip() or not text.en.strip():
                found.append(f"labels[{name}][{code}]: a language is missing")
    assert found == []


@pytest.mark.parametrize("argv", [
    ["check", "no-such-plan.yaml"], ["explain", "no-such-rule"], ["test", "no-such-rule"],
    ["validate", "no-such-file.yaml"], ["check"], ["lint", "--plans", "many"], ["rules", "--policy", "tests"],
    ["check", "x.yaml", "--backend", "drools"], ["test", "-k", "no-such-case", "--backend", "python"],
], ids=lambda a: " ".join(a))
def test_every_line_a_failing_command_prints_is_vietnamese_by_default(argv, tmp_path, monkeypatch, capsys):
    from ag18_rules.cli import main

    monkeypatch.chdir(ROOT)
    import io

    out, err = io.StringIO(), io.StringIO()
    assert main(argv, stdout=out, stderr=err) == 2
    text = err.getvalue() + capsys.readouterr().err
    for line in text.splitlines():
        if line.startswith(("cách dùng:", "    ", "  ")) or not WORD.search(line):
            continue  # the usage synopsis and quoted source lines are not sentences
        assert VIETNAMESE.search(line), f"English-only line in Vietnamese mode: {line!r}"


def test_the_first_line_naming_the_policy_is_in_both_languages(tmp_path):
    from ag18_rules.discover import Found

    found = []
    for how in ("option", "argument", "folder", "config", "shipped"):
        f = Found(tmp_path, how, tmp_path / "ag18.toml")
        found += problems(f"discover.announce[{how}]", Text(f.announce("vi"), f.announce("en")))
    assert found == []

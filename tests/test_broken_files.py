"""The corpus of broken files: each YAML or rule mistake an officer makes, reported at the line and
column where they must look, with its code, in Vietnamese with a caret, and in English on request.

Each file under ``tests/data/broken/`` starts with ``# expect: LINE:COL CODE (KIND)``; KIND says how
it is read: ``yaml`` (any file), ``rule`` (a rule, compiled against the shipped parameters) or
``parameters`` (a parameter file added to a copy of the shipped policy/).
"""
from __future__ import annotations

import re
import shutil
from functools import lru_cache
from pathlib import Path

import pytest

from ag18_rules.errors import InputError

BROKEN = Path(__file__).resolve().parent / "data" / "broken"
FILES = sorted(BROKEN.glob("*.yaml"))
HEADER = re.compile(r"# expect: (\d+):(\d+) ([a-z-]+) \((yaml|rule|parameters)\)\n")
VIETNAMESE = re.compile("[àáạảãâầấậẩẫăằắặẳẵèéẹẻẽêềếệểễìíịỉĩòóọỏõôồốộổỗơờớợởỡùúụủũưừứựửữỳýỵỷỹđ]", re.I)


@lru_cache(maxsize=1)
def _shipped_parameters():
    from ag18_rules.engine import shipped_policy_dir
    from ag18_rules.parameters import ParameterSet

    return ParameterSet.load(shipped_policy_dir() / "policy")


def diagnostics_of(path: Path, kind: str, tmp: Path | None = None) -> tuple:
    """The diagnostics raised when ``path`` is read as ``kind``."""
    import tempfile

    from ag18_rules.compiler import compile_rules
    from ag18_rules.engine import shipped_policy_dir
    from ag18_rules.parameters import ParameterSet
    from ag18_rules.rulespec import load_rule
    from ag18_rules.source import load_file

    tmp = tmp or Path(tempfile.mkdtemp())
    try:
        if kind == "yaml":
            load_file(path)
        elif kind == "rule":
            folder = tmp / "broken"
            folder.mkdir()
            shutil.copy(path, folder / "broken.yaml")
            compile_rules([load_rule(folder / "broken.yaml")], _shipped_parameters())
        else:
            shutil.copytree(shipped_policy_dir() / "policy", tmp / "policy")
            shutil.copy(path, tmp / "policy" / "broken.yaml")
            ParameterSet.load(tmp / "policy")
    except InputError as error:
        return error.diagnostics
    raise AssertionError(f"{path.name} was accepted")


def test_the_corpus_covers_at_least_forty_mistakes_of_every_kind():
    assert len(FILES) >= 40
    codes = {HEADER.match(f.read_text(encoding="utf-8")).group(3) for f in FILES}
    assert {"yaml-missing-colon", "yaml-indent", "yaml-tab", "yaml-unclosed-quote", "yaml-unclosed-bracket",
            "yaml-stray-dash", "yaml-quote-value", "bad-date", "bad-template"} <= codes


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_each_broken_file_is_reported_where_the_officer_must_look(path, tmp_path):
    text = path.read_text(encoding="utf-8")
    line, col, code, kind = HEADER.match(text).groups()
    diagnostics = diagnostics_of(path, kind, tmp_path)
    first = diagnostics[0]
    assert (first.span.line, first.span.col, first.code) == (int(line), int(col), code), first.render("en")
    if kind == "yaml":
        assert len(diagnostics) == 1, [d.render("en") for d in diagnostics]
    assert VIETNAMESE.search(first.message.vi), first.message.vi
    assert first.message.en and first.message.en != first.message.vi
    shown = first.render("vi")
    source = text.splitlines()[int(line) - 1]
    if first.source_line is not None:
        assert first.source_line == source
        assert shown.splitlines()[-1] == "    " + " " * (int(col) - 1) + "^"
    assert "Traceback" not in shown


# --------------------------------------------------------------------------- any slip, anywhere

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

SOURCES = [ROOT_FILE.read_text(encoding="utf-8") for ROOT_FILE in (
    BROKEN.parent.parent.parent / "rules" / "deputy-cap" / "deputy-cap.yaml",
    BROKEN.parent.parent.parent / "rules" / "deputy-cap" / "tests.yaml",
    BROKEN.parent.parent.parent / "rules" / "deputy-cap" / "examples" / "class1-2021.yaml",
)]
SLIPS = ["", ":", " ", "\t", '"', "'", "[", "]", "{", "}", "-", "- ", "\n", "#", "@", "`", ": ", "  ", "%", "&", "*", "|", ">"]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(range(len(SOURCES))), st.data())
def test_a_slip_anywhere_gives_a_diagnostic_inside_the_file_never_a_crash(which, data):
    from ag18_rules.source import load_text

    text = SOURCES[which]
    at = data.draw(st.integers(0, len(text)))
    cut = data.draw(st.integers(0, 3))
    slip = data.draw(st.sampled_from(SLIPS))
    broken = text[:at] + slip + text[at + cut:]
    try:
        load_text(broken, "slip.yaml")
    except InputError as error:
        lines = broken.splitlines()
        for d in error.diagnostics:
            assert 1 <= d.span.line <= len(lines) + 1 and d.span.col >= 1, (d.render("en"), broken)
            assert d.message.vi and d.message.en

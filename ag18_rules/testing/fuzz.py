"""Fuzz targets: whatever a person or a program feeds the library, the answer is a report, or the
library's own error with a position -- never anything else.

Each target takes one generated input and returns the outcome's kind (``"report"``,
``"input-error"``, ``"valid"``); it raises :class:`FuzzFailure` when the property breaks (another
exception escaped, a diagnostic has no position, two backends disagree).  Hypothesis drives the
targets in the test suite (a few hundred cases) and in ``scripts/fuzz.py --minutes N``, which also
holds every case to a deadline.  Inputs:

* plan files as bytes: mutated example plans (YAML and JSON text), and raw bytes;
* plan structure: example plans with one node replaced by an awkward value, through both backends;
* the expression language: token soups and mutated conditions, parsed and type-checked;
* rule and parameter files: the shipped files with their text mutated, loaded and evaluated.
"""
from __future__ import annotations

import copy
import functools
import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Optional

from hypothesis import strategies as st

from ..engine import Policy, shipped_policy_dir
from ..errors import Ag18Error, InputError
from ..expr import ExprError, check, compile_expr, parse
from ..facts.catalogue import CATALOGUE

__all__ = ["FuzzFailure", "Fuzzer", "TARGETS"]


class FuzzFailure(AssertionError):
    """The property broke: the input and what happened instead of a report or the library's error."""


# --------------------------------------------------------------------------- inputs

_AWKWARD_TEXT = ["", " ", "\t", "\n", "{", "}", "[", "]", ":", ": ", "- ", "#", "&a ", "*a", "!!python/object:os.system",
                 "!!binary", "? ", "|", ">", "'", '"', "\\", ".inf", "-.inf", ".nan", "1e309", "0x1F", "0o17", "~",
                 "null", "yes", "no", "2021-02-30", "9" * 40, "\u00a0", "\u200b", "\ufeff", "ấp", "\x00", "\x1b",
                 "%YAML 1.1\n", "---\n", "...\n", "<<: *a\n", "\r\n", "\\ud800", "\\u0000", ",", "[1, 2", "{a: 1"]
_AWKWARD_VALUES = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([10**9, 10**14, 10**15 + 1, 123456.5, 1e-9, -1, 0.12345]),
    st.text(max_size=30), st.sampled_from(["p\n", "a\x00b", "\ud800", "x" * 20_000, "sonv/vp", "2021-01-01"]),
    st.lists(st.integers(), max_size=3), st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)


@functools.lru_cache(maxsize=None)
def _examples() -> tuple[str, ...]:
    """The rule examples shipped with the policy, as paths relative to it."""
    root = shipped_policy_dir()
    return tuple(str(p.relative_to(root)) for p in sorted(root.glob("rules/*/examples/*.yaml")))


@functools.lru_cache(maxsize=None)
def _example_text(name: str) -> str:
    return (shipped_policy_dir() / name).read_text(encoding="utf-8")


@functools.lru_cache(maxsize=None)
def _example_data(name: str) -> dict:
    from ..source import load_text
    from ..schema import to_json_data

    return to_json_data(load_text(_example_text(name), name).data)


@st.composite
def mutated_text(draw, base: str) -> str:
    """``base`` with a few edits: a span deleted, a line doubled or moved, awkward text inserted."""
    text = base
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        at = draw(st.integers(0, len(text)))
        kind = draw(st.integers(0, 3))
        if kind == 0:
            text = text[:at] + text[at + draw(st.integers(1, 40)):]
        elif kind == 1:
            text = text[:at] + draw(st.sampled_from(_AWKWARD_TEXT)) + text[at:]
        elif kind == 2:
            lines = text.split("\n")
            i = draw(st.integers(0, len(lines) - 1))
            lines.insert(draw(st.integers(0, len(lines))), lines[i])
            text = "\n".join(lines)
        else:
            text = text[:at] + draw(st.text(max_size=8)) + text[at:]
    return text


@st.composite
def plan_files(draw) -> tuple[str, bytes]:
    """(suffix, bytes) of a plan file: a mutated example as YAML or JSON, or raw bytes."""
    name = draw(st.sampled_from(_examples()))
    kind = draw(st.integers(0, 4))
    if kind == 0:
        return ".yaml", draw(st.binary(max_size=400))
    if kind in (1, 2):
        text = json.dumps(_example_data(name), ensure_ascii=draw(st.booleans()), indent=draw(st.sampled_from([None, 1])))
        return ".json", draw(mutated_text(text)).encode("utf-8", "surrogatepass")
    return ".yaml", draw(mutated_text(_example_text(name))).encode("utf-8", "surrogatepass")


def _paths(data: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, prefix + (key,))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, prefix + (i,))
    return out


@st.composite
def plan_structures(draw) -> dict:
    """An example plan with one to three nodes replaced by awkward values, or deleted; or with its
    numbers replaced by valid ones of any size and precision (to hold the backends equal)."""
    data = copy.deepcopy(_example_data(draw(st.sampled_from(_examples()))))
    if draw(st.booleans()):
        return _renumbered(draw, data)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        path = draw(st.sampled_from(paths))
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        if draw(st.integers(0, 4)) == 0 and isinstance(parent, dict):
            parent.pop(path[-1], None)
        else:
            parent[path[-1]] = draw(_AWKWARD_VALUES)
    return data


def _renumbered(draw, data: dict) -> dict:
    """Every third or so number of ``data`` replaced by one of the same kind the schema accepts."""
    for path in _paths(data):
        if not path or path[0] in ("format", "plan", "baseline"):
            continue
        parent = data
        for step in path[:-1]:
            parent = parent[step]
        value = parent[path[-1]]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not draw(st.integers(0, 2)) == 0:
            continue
        if isinstance(value, int):
            parent[path[-1]] = draw(st.one_of(st.integers(0, 50), st.integers(0, 10**15),
                                              st.sampled_from([10**9, 10**9 + 1, 2**31, 2**53 + 1, 10**14])))
        else:
            parent[path[-1]] = draw(st.one_of(st.floats(0, 100, allow_nan=False), st.floats(0, 1e15, allow_nan=False),
                                              st.sampled_from([0.00005, 1.23456789, 99999.99995, 123456.5])))
    return data


_NAMES = sorted({name for facts in CATALOGUE.values() for name in facts})
_TOKENS = ["and", "or", "not", "in", "true", "false", "null", "(", ")", "[", "]", ",", "+", "-", "*", "/", "%",
           "==", "!=", "<", "<=", ">", ">=", "=", "!", "'", '"', "'x'", "1", "0", "1.5", "1e3", "9" * 30,
           "0.12345", "p.x", ".", "_", "@", "\\", "\x00", "ấp"]


def _operand(draw, kind: str, depth: int) -> str:
    """A well-typed condition over the facts of ``kind``: comparisons joined by and, or, not."""
    if depth > 0 and draw(st.integers(0, 2)) == 0:
        op = draw(st.sampled_from(["and", "or"]))
        return f"({_operand(draw, kind, depth - 1)} {op} {_operand(draw, kind, depth - 1)})"
    if depth > 0 and draw(st.integers(0, 5)) == 0:
        return f"not {_operand(draw, kind, depth - 1)}"
    name = draw(st.sampled_from(sorted(CATALOGUE[kind])))
    spec = CATALOGUE[kind][name].type
    if spec.base in ("int", "number"):
        op = draw(st.sampled_from(["<", "<=", ">", ">=", "==", "!="]))
        number = draw(st.one_of(st.integers(-5, 10**6), st.sampled_from(["0.5", "1.2345", "1e3", "10 * 2"])))
        arithmetic = draw(st.sampled_from(["", " + 1", " * 2", " - " + name, " / 3"]))
        return f"{name}{arithmetic} {op} {number}"
    if spec.base == "bool":
        return draw(st.sampled_from([name, f"{name} == true", f"{name} != false"]))
    if spec.choices:
        return f"{name} in [{', '.join(repr(c) for c in spec.choices[:2])}]"
    return f"{name} != ''"


@st.composite
def expressions(draw) -> tuple[str, str]:
    """(applies_to kind, condition text): well-typed conditions, token soups over real fact names,
    and mutated conditions."""
    kind = draw(st.sampled_from(sorted(CATALOGUE)))
    if draw(st.booleans()):
        text = _operand(draw, kind, 3)
        return kind, draw(mutated_text(text)) if draw(st.integers(0, 3)) == 0 else text
    names = sorted(CATALOGUE[kind])
    tokens = draw(st.lists(st.one_of(st.sampled_from(_TOKENS), st.sampled_from(names), st.sampled_from(_NAMES)),
                           max_size=25))
    text = " ".join(tokens)
    if draw(st.booleans()):
        text = draw(mutated_text(text or "x"))
    return kind, text


@functools.lru_cache(maxsize=None)
def _policy_files() -> tuple[tuple[str, str], ...]:
    """(path relative to the policy folder, text) of every rule and parameter file shipped."""
    root = shipped_policy_dir()
    files = sorted(root.glob("rules/*/*.yaml")) + sorted(root.glob("policy/*.yaml"))
    return tuple((str(p.relative_to(root)), p.read_text(encoding="utf-8")) for p in files
                 if p.name != "tests.yaml")


@st.composite
def policy_files(draw) -> tuple[str, str]:
    """(relative path, mutated text) of one rule or parameter file."""
    path, text = draw(st.sampled_from(_policy_files()))
    return path, draw(mutated_text(text))


def _value_rows(kind: str) -> list[dict]:
    """Fact values of ``kind`` at the edges: all missing, zeros, ones, large, and the choices."""
    rows: list[dict] = [{}]
    for pick in (0, 1, 10**15, -1):
        row = {}
        for name, spec in CATALOGUE[kind].items():
            if spec.type.base == "int":
                row[name] = pick
            elif spec.type.base == "number":
                row[name] = pick / 3
            elif spec.type.base == "bool":
                row[name] = bool(pick > 0)
            else:
                row[name] = spec.type.choices[0] if spec.type.choices else str(pick)
        rows.append(row)
    return rows


# --------------------------------------------------------------------------- the property


def _positioned(error: InputError, *, need_line: bool) -> None:
    """Every diagnostic names its file, and a line when the input was a file."""
    if not error.diagnostics:
        raise FuzzFailure("an InputError without diagnostics")
    for d in error.diagnostics:
        about_a_file = Path(d.span.file).is_file()  # not a folder, nor a mapping given by a program
        if not d.span.file or (need_line and about_a_file and d.span.line < 1 and d.code not in _WHOLE_FILE):
            raise FuzzFailure(f"a diagnostic without a position: {d.render('en', caret=False)}")
        d.render("vi")
        json.dumps(d.to_dict("en"))


# codes about a whole file or input rather than a place in it
_WHOLE_FILE = frozenset({"file-not-found", "not-a-file", "too-large", "encoding", "empty", "too-many-entities",
                         "too-many-nodes", "missing", "duplicate", "unknown-format", "bad-type"})


def _report_ok(report) -> str:
    text = report.to_json("en")
    json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(FuzzFailure(f"{name} in a report")))
    text.encode("utf-8")
    return text


@dataclass
class Fuzzer:
    """The targets, with the policies they evaluate with (the durable one optional)."""

    python: Policy
    durable: Optional[Policy] = None

    def plan_file(self, case: tuple[str, bytes]) -> str:
        suffix, raw = case
        with tempfile.TemporaryDirectory(prefix="ag18-fuzz-") as folder:
            path = Path(folder) / f"plan{suffix}"
            path.write_bytes(raw)
            return self._plan(path, need_line=True)

    def plan_structure(self, data: dict) -> str:
        return self._plan(data, need_line=False)

    def _plan(self, source: Any, need_line: bool) -> str:
        try:
            plan = self.python.load_plan(source)
        except InputError as error:
            _positioned(error, need_line=need_line)
            return "input-error"
        except Ag18Error as error:
            raise FuzzFailure(f"{type(error).__name__} instead of an InputError: {error}") from error
        want = _report_ok(self.python.evaluate(plan, fixes=False))
        if self.durable is not None:
            got = _report_ok(self.durable.evaluate(plan, fixes=False))
            if got != want:
                raise FuzzFailure("the backends disagree on a plan the schema accepts")
        _report_ok(self.python.evaluate(plan))  # the fix search too, on the reference backend
        return "report"

    def expression(self, case: tuple[str, str]) -> str:
        kind, text = case
        try:
            node = parse(text)
            env = {name: spec.type for name, spec in CATALOGUE[kind].items()}
            _, problems = check(node, env)
        except ExprError as error:
            if not 0 <= error.pos <= len(text):
                raise FuzzFailure(f"an expression error outside its text: {error!r}") from error
            return "input-error"
        for problem in problems:
            if not isinstance(problem, ExprError) or not 0 <= problem.pos <= len(text):
                raise FuzzFailure(f"a type problem without a position: {problem!r}")
        if problems:
            return "input-error"
        run = compile_expr(node)
        for values in _value_rows(kind):
            if run(values) not in (True, False, None):
                raise FuzzFailure(f"a condition gave a value that is not true, false or unknown: {text}")
        return "valid"

    def policy_file(self, case: tuple[str, str]) -> str:
        relative, text = case
        root = shipped_policy_dir()
        with tempfile.TemporaryDirectory(prefix="ag18-fuzz-") as folder:
            target = Path(folder)
            other = "policy" if relative.startswith("rules/") else "rules"
            (target / other).symlink_to(root / other)  # the half not mutated is used as shipped
            for rel, original in _policy_files():
                if not rel.startswith(other + "/"):
                    (target / rel).parent.mkdir(parents=True, exist_ok=True)
                    (target / rel).write_text(original, encoding="utf-8")
            (target / relative).write_bytes(text.encode("utf-8", "surrogatepass"))
            try:
                policy = Policy.load(target)
            except InputError as error:
                _positioned(error, need_line=True)
                return "input-error"
            except Ag18Error as error:
                raise FuzzFailure(f"{type(error).__name__} instead of an InputError: {error}") from error
            with policy:  # a policy that loads also evaluates
                for name in _examples()[:3]:
                    _report_ok(policy.evaluate(_example_data(name), fixes=False))
            return "valid"


#: target name -> (strategy, how to run one case on a Fuzzer)
TARGETS: dict[str, tuple[st.SearchStrategy, Callable[[Fuzzer, Any], str]]] = {
    "plan-file": (plan_files(), Fuzzer.plan_file),
    "plan-structure": (plan_structures(), Fuzzer.plan_structure),
    "expression": (expressions(), Fuzzer.expression),
    "policy-file": (policy_files(), Fuzzer.policy_file),
}

"""The python backend on columns: the checks in force on one entity kind, in one generated loop.

For each entity kind and set of checks, one Python function is generated from the checks'
type-checked trees (:mod:`..expr.codegen`) and compiled once per policy: it walks the columns of
the facts the checks read, in one pass, and appends each violated or undecided row to that
check's list.  Parameter values are read from per-evaluation lookups keyed by the facts a
parameter depends on, so a parameter is resolved once per distinct key, and only for the rows
whose condition reads it.

Code generation rather than closures over columns: a closure per operator per row costs a
Python call each, which was most of the evaluation; a generated loop evaluates a condition with
local variables and inline operators.  It is written only from the checked tree (identifiers the
generator numbers, operators from fixed tables, literals as ``repr`` of type-checked values), and
executed with no builtins but ``enumerate``, ``zip`` and ``range``.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Optional, Protocol, Sequence

from ..expr.codegen import Generator
from ..expr.lexer import MAX_DECIMALS
from ..expr.nodes import names as names_of
from .base import CheckProgram

__all__ = ["ColumnSource", "ColumnarProgram", "KindOutcomes"]

_BUILTINS = {"enumerate": enumerate, "zip": zip, "range": range}


def _fix(value):
    """A float result quantised as every backend quantises it."""
    return round(value, MAX_DECIMALS) if value.__class__ is float else value


class ColumnSource(Protocol):
    """The facts of one evaluation, as the columnar program reads them."""

    def size(self, kind: str) -> int: ...

    def column(self, kind: str, name: str) -> list: ...

    def has(self, kind: str, name: str) -> bool: ...

    def lookup(self, kind: str, name: str) -> Optional[tuple[tuple[str, ...], Mapping]]:
        """For a parameter's field: the facts its value depends on, and a mapping from their values
        (one value, or a tuple of several; ``()`` for none) to the parameter's value.  None for a fact."""


@dataclass(frozen=True)
class KindOutcomes:
    """What one kind's checks gave: per check key, the rows violated and the rows undecided."""

    kind: str
    violated: Mapping[str, list[int]]
    unknown: Mapping[str, list[int]]


@dataclass(frozen=True)
class _Function:
    fn: Callable
    columns: tuple[str, ...]  # fact columns, in the function's order
    lookups: tuple[tuple[str, tuple[str, ...]], ...]  # (parameter field, its key facts)
    keys: tuple[str, ...]  # check keys, in the function's order
    source: str  # the generated text, for inspection


class ColumnarProgram:
    """The checks of a policy, evaluated over columns; functions generated on first use."""

    def __init__(self, programs: Sequence[CheckProgram]):
        self._programs = {p.key: p for p in programs}
        self._functions: dict[tuple, _Function] = {}

    def run(self, source: ColumnSource, checks: Sequence[str]) -> list[KindOutcomes]:
        """The checks ``checks`` (keys) on every entity of their kind."""
        by_kind: dict[str, list[str]] = {}
        for key in sorted(checks):
            by_kind.setdefault(self._programs[key].kind, []).append(key)
        out = []
        for kind in sorted(by_kind):
            keys = tuple(by_kind[kind])
            function = self._function(kind, keys, source)
            n = source.size(kind)
            columns = [source.column(kind, name) for name in function.columns]
            maps = []
            for name, facts in function.lookups:
                _, mapping = source.lookup(kind, name)
                maps.append(mapping[()] if not facts else mapping)
            violated = [[] for _ in keys]
            unknown = [[] for _ in keys]
            function.fn(columns, maps, violated, unknown, n)
            out.append(KindOutcomes(kind, dict(zip(keys, violated)), dict(zip(keys, unknown))))
        return out

    def generated(self) -> list[str]:
        """The text of every function generated so far (for inspection and tests)."""
        return [f.source for f in self._functions.values()]

    def _function(self, kind: str, keys: tuple[str, ...], source: ColumnSource) -> _Function:
        names = sorted({n for key in keys for n in names_of(self._programs[key].where) | names_of(self._programs[key].require)})
        shapes = tuple((name, source.lookup(kind, name)) for name in names)
        cache_key = (kind, keys, tuple((name, found[0] if found else None) for name, found in shapes))
        found = self._functions.get(cache_key)
        if found is None:
            found = self._functions[cache_key] = _generate(kind, keys, self._programs, shapes, source)
        return found


def _generate(kind: str, keys: tuple[str, ...], programs: Mapping[str, CheckProgram], shapes, source) -> _Function:
    columns: list[str] = []
    lookups: list[tuple[str, tuple[str, ...]]] = []
    local: dict[str, str] = {}
    constants: dict[str, object] = {}

    def column(name: str) -> str:
        if not source.has(kind, name):
            return "None"  # not a fact of this kind: no value
        if name not in local:
            local[name] = f"v{len(columns)}"
            columns.append(name)
        return local[name]

    slots: dict[str, str] = {}
    for name, found in shapes:
        if found is None:
            slots[name] = column(name)
            continue
        facts = found[0]
        j = len(lookups)
        lookups.append((name, tuple(facts)))
        if not facts:
            slots[name] = f"m{j}"
        elif len(facts) == 1:
            slots[name] = f"m{j}[{column(facts[0])}]"
        else:
            slots[name] = f"m{j}[({', '.join(column(f) for f in facts)},)]"

    def constant(value: object) -> str:
        name = f"K{len(constants)}"
        constants[name] = value
        return name

    types = {name: typ for key in keys for name, typ in programs[key].types.items()}
    lookups_by_name = {name for name, _ in lookups}

    def nullable(name: str) -> bool:
        """A parameter may have no value for a row, and a fact the catalogue says may be absent; a
        name that is not a fact of this kind reads as None."""
        typ = types.get(name)
        return name in lookups_by_name or slots[name] == "None" or typ is None or typ.nullable

    gen = Generator(slots.__getitem__, constant, nullable=nullable)
    body = []
    for c, key in enumerate(keys):
        program = programs[key]
        require = [f"            r = {gen.expr(program.require)}"]
        if gen.may_be_unknown(program.require):
            require += ["            if r is None:", f"                U{c}(i)", "            elif not r:"]
        else:
            require += ["            if not r:"]
        require.append(f"                V{c}(i)")
        if gen.may_be_unknown(program.where):
            body += [f"        w = {gen.expr(program.where)}", "        if w is None:", f"            U{c}(i)",
                     "        elif w:", *require]
        else:
            body += [f"        if {gen.expr(program.where)}:", *require]
    head = ["def run(C, M, V, U, n):"]
    head += [f"    c{j} = C[{j}]" for j in range(len(columns))]
    head += [f"    m{j} = M[{j}]" for j in range(len(lookups))]
    head += [f"    V{c} = V[{c}].append\n    U{c} = U[{c}].append" for c in range(len(keys))]
    if not columns:
        head.append("    for i in range(n):")
    elif len(columns) == 1:
        head.append("    for i, v0 in enumerate(c0):")
    else:
        unpack = ", ".join(f"v{j}" for j in range(len(columns)))
        head.append(f"    for i, ({unpack}) in enumerate(zip({', '.join(f'c{j}' for j in range(len(columns)))})):")
    text = "\n".join(head + body) + "\n"
    namespace = {"__builtins__": _BUILTINS, "_fix": _fix, **constants}
    exec(compile(text, "<ag18 checks>", "exec"), namespace)  # noqa: S102 - generated from checked trees only
    return _Function(namespace["run"], tuple(columns), tuple(lookups), keys, text)

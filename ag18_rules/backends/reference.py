"""The ``python`` backend: conditions compiled once into closures, the oracle for the others."""
from __future__ import annotations

from operator import attrgetter
from typing import Collection, Optional, Sequence

from ..expr import compile_expr
from .base import CheckProgram, Entity, Outcome
from .columnar import ColumnarProgram, ColumnSource, KindOutcomes

VIOLATED, UNKNOWN = "violated", "unknown"
_ORDER = attrgetter("check", "entity", "verdict")  # Outcome's own order, without its slow __lt__


class ReferenceBackend:
    name = "python"

    def prepare(self, programs: Sequence[CheckProgram]) -> "ReferenceProgram":
        return ReferenceProgram(programs)


class ReferenceProgram:
    def __init__(self, programs: Sequence[CheckProgram]):
        self._programs = tuple((p.key, p.kind, compile_expr(p.where), compile_expr(p.require)) for p in programs)
        self._columnar = ColumnarProgram(programs)

    def run_columns(self, source: ColumnSource, checks: Collection[str]) -> list[KindOutcomes]:
        """The checks ``checks`` over the columns of a whole plan, one generated loop per entity
        kind (see :mod:`.columnar`); the same outcomes as :meth:`run` on the same facts."""
        return self._columnar.run(source, sorted(checks))

    def run(self, entities: Sequence[Entity], checks: Optional[Collection[str]] = None) -> list[Outcome]:
        """The checks in ``checks`` (None: all) on every entity of their kind, one entity at a time
        (each entity's values are read while they are in the processor's cache)."""
        by_kind: dict[str, list] = {}
        for key, kind, where, require in self._programs:
            if checks is None or key in checks:
                by_kind.setdefault(kind, []).append((key, where, require))
        out = []
        for index, entity in enumerate(entities):
            values = entity.values
            for key, where, require in by_kind.get(entity.kind, ()):
                applies = where(values)
                if applies is None:
                    out.append(Outcome(key, index, UNKNOWN))
                elif applies:
                    holds = require(values)
                    if holds is None:
                        out.append(Outcome(key, index, UNKNOWN))
                    elif not holds:
                        out.append(Outcome(key, index, VIOLATED))
        out.sort(key=_ORDER)
        return out

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

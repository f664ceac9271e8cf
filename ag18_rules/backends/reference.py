"""The ``python`` backend: conditions compiled once into closures, the oracle for the others."""
from __future__ import annotations

from typing import Sequence

from ..expr import compile_expr
from .base import CheckProgram, Entity, Outcome

VIOLATED, UNKNOWN = "violated", "unknown"


class ReferenceBackend:
    name = "python"

    def prepare(self, programs: Sequence[CheckProgram]) -> "ReferenceProgram":
        return ReferenceProgram(programs)


class ReferenceProgram:
    def __init__(self, programs: Sequence[CheckProgram]):
        by_kind: dict[str, list] = {}
        for p in programs:
            by_kind.setdefault(p.kind, []).append((p.key, compile_expr(p.where), compile_expr(p.require)))
        self._by_kind = by_kind

    def run(self, entities: Sequence[Entity]) -> list[Outcome]:
        out = []
        for index, entity in enumerate(entities):
            values = entity.values
            for key, where, require in self._by_kind.get(entity.kind, ()):
                applies = where(values)
                if applies is None:
                    out.append(Outcome(key, index, UNKNOWN))
                elif applies:
                    holds = require(values)
                    if holds is None:
                        out.append(Outcome(key, index, UNKNOWN))
                    elif not holds:
                        out.append(Outcome(key, index, VIOLATED))
        out.sort()
        return out

    def close(self) -> None:
        """Nothing to release."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

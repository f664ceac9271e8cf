"""The evaluated entities as the later stages read them: from columns, or from a table of records.

An evaluation of a whole plan on the python backend keeps the plan's facts as columns
(:class:`.facts.columns.PlanColumns`) and parameter values as lookups keyed by the facts each
parameter depends on (:class:`Lookup`); :class:`ColumnRows` is the column source the backend
reads and the view of one row that findings read (:class:`RowView`), so a row's facts are
gathered only for the entities with a finding.  Evaluations of a table of records (the durable
backend, the parts of a plan an edit re-checks) give the same view through :class:`TableRows`.
"""
from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from typing import Any, Iterator, Mapping, Optional, Sequence

from .backends.base import Entity
from .compiler import CompiledCheck, param_field
from .facts import CATALOGUE, EntityRef, FactTable
from .facts.columns import ORG_FACTS, TASK_FACTS, PlanColumns

__all__ = ["ColumnRows", "Lookup", "Records", "RowView", "TableRows"]

KINDS = ("plan", "organization", "task", "admin_unit", "person")
LOOKUP_KEYS = 4096  # keys a parameter's lookup keeps across evaluations before it starts afresh


class Lookup(dict):
    """A parameter's values by the values of the facts it depends on, resolved on first use;
    ``hits`` keeps the resolved entries (value, date, legal reference) for the findings."""

    __slots__ = ("parameter", "as_of", "facts", "hits")

    def __init__(self, parameter, as_of: dt.date, facts: tuple[str, ...]):
        super().__init__()
        self.parameter, self.as_of, self.facts = parameter, as_of, facts
        self.hits: dict = {}

    def __missing__(self, key):
        values = key if len(self.facts) > 1 else (() if not self.facts else (key,))
        hit = self.parameter.resolve(self.as_of, dict(zip(self.facts, values)))
        self.hits[key] = hit
        value = self[key] = hit.value if hit is not None else None
        return value

    def key_of(self, read) -> Any:
        """The key of an entity whose facts ``read(name)`` gives."""
        if not self.facts:
            return ()
        if len(self.facts) == 1:
            return read(self.facts[0])
        return tuple(read(f) for f in self.facts)

    def hit(self, key):
        if key not in self.hits:
            self[key]  # noqa: B018 - resolves and records the hit
        return self.hits[key]


class ColumnRows:
    """A plan's columns and the parameter lookups of the checks in force, on one date."""

    def __init__(self, cols: PlanColumns, params, checks: Sequence[CompiledCheck], as_of: dt.date,
                 cache: Optional[dict] = None):
        """``cache``: lookups kept by (parameter id, date) across evaluations (a parameter's value
        depends only on the date and the facts it is looked up by)."""
        self.cols = cols
        self._cache = cache if cache is not None else {}
        self.params = params
        self.as_of = as_of
        self._pids: dict[str, list[str]] = {}  # kind -> parameter ids its checks read, sorted
        for check in checks:
            self._pids.setdefault(check.spec.applies_to, []).extend(check.parameters.values())
        self._pids = {kind: sorted(set(pids)) for kind, pids in self._pids.items()}
        self._fields = {kind: {param_field(pid): pid for pid in pids} for kind, pids in self._pids.items()}
        self._lookups: dict[str, Lookup] = {}
        self._index: dict[str, dict[str, int]] = {}
        self._all: dict[str, list] = {}  # kind -> every fact's column, for whole records

    # ---------------------------------------------------------------- as the backend reads it

    def size(self, kind: str) -> int:
        return self.cols.size(kind)

    def column(self, kind: str, name: str) -> list:
        if kind == "plan":
            return [self.cols.records("plan")[1][0].get(name)]
        return self.cols.column(kind, name)

    def has(self, kind: str, name: str) -> bool:
        return self.cols.has(kind, name)

    def lookup(self, kind: str, name: str) -> Optional[tuple[tuple[str, ...], Lookup]]:
        pid = self._fields.get(kind, {}).get(name)
        if pid is None:
            return None
        found = self._lookups.get(pid)
        if found is None:
            found = self._cache.get((pid, self.as_of))
            if found is None or len(found) > LOOKUP_KEYS:  # kept small: a few keys per plan are usual
                if len(self._cache) > LOOKUP_KEYS:  # many dates: start afresh
                    self._cache.clear()
                param = self.params.get(pid)
                found = self._cache[(pid, self.as_of)] = Lookup(param, self.as_of, tuple(param.facts_needed()))
            self._lookups[pid] = found
        return found.facts, found

    # ---------------------------------------------------------------- as findings read it

    def ref(self, kind: str, row: int) -> EntityRef:
        if kind in ("organization", "task"):
            ref = object.__new__(EntityRef)  # as EntityRef(kind, id, name) builds it, without the frozen init's checks
            ref.__dict__.update(kind=kind, id=self.cols.ids(kind)[row], name=self.cols.names(kind)[row])
            return ref
        return self.cols.records(kind)[0][row]

    def values(self, kind: str, row: int) -> "RowView":
        return RowView(self, kind, row)

    def resolved(self, kind: str, row: int) -> dict:
        """The parameters the kind's checks read, as resolved for this row (None: no value)."""
        out = {}
        view = self.values(kind, row)
        for pid in self._pids.get(kind, ()):
            lookup = self.lookup(kind, param_field(pid))[1]
            out[pid] = lookup.hit(lookup.key_of(view.get))
        return out

    def value(self, kind: str, row: int, name: str) -> Any:
        found = self.lookup(kind, name)
        if found is not None:
            lookup = found[1]
            return lookup[lookup.key_of(lambda fact: self.value(kind, row, fact))]
        if kind == "plan":
            return self.cols.records("plan")[1][0].get(name)
        if not self.cols.has(kind, name):
            return None
        return self.cols.column(kind, name)[row]

    def record(self, kind: str, row: int) -> dict:
        """The row's facts as :func:`.facts.derive.derive` gives them (its record; no parameters)."""
        if kind in ("organization", "task"):
            names = ORG_FACTS if kind == "organization" else TASK_FACTS
            columns = self._all.get(kind)
            if columns is None:
                columns = self._all[kind] = [self.cols.column(kind, name) for name in names]
            return {name: column[row] for name, column in zip(names, columns)}
        return dict(self.cols.records(kind)[1][row])

    def row_of(self, kind: str, eid: str) -> Optional[int]:
        """The row of the ``kind`` entity ``eid`` (None when the plan has none)."""
        index = self._index.get(kind)
        if index is None:
            index = self._index[kind] = {e: i for i, e in enumerate(self.cols.ids(kind))}
        return index.get(eid)

    def names(self, kind: str) -> list[str]:
        """Every name a row of ``kind`` has: its facts, then the parameter fields its checks read."""
        if kind == "plan":
            facts = list(self.cols.records("plan")[1][0])
        else:
            facts = list(CATALOGUE[kind])
        return facts + sorted(self._fields.get(kind, {}))


class RowView(Mapping):
    """One entity's facts and parameter values, read from the columns when asked for."""

    __slots__ = ("_rows", "_kind", "_row")

    def __init__(self, rows: ColumnRows, kind: str, row: int):
        self._rows, self._kind, self._row = rows, kind, row

    def __getitem__(self, name: str) -> Any:
        if name not in self:
            raise KeyError(name)
        return self._rows.value(self._kind, self._row, name)

    def get(self, name: str, default: Any = None) -> Any:
        return self[name] if name in self else default

    def __contains__(self, name: object) -> bool:
        rows = self._rows
        return (rows.cols.has(self._kind, name) if self._kind != "plan" else name in rows.cols.records("plan")[1][0]) \
            or name in rows._fields.get(self._kind, ())

    def __iter__(self) -> Iterator[str]:
        return iter(self._rows.names(self._kind))

    def __len__(self) -> int:
        return len(self._rows.names(self._kind))


class TableRows:
    """The same view over a table of records and the parameters resolved per entity (index = row)."""

    def __init__(self, table: FactTable, entities: Sequence[Entity], resolved: Sequence[Mapping]):
        self.table, self.entities, self._resolved = table, entities, resolved

    def ref(self, kind: str, row: int) -> EntityRef:
        return self.table.refs[row]

    def values(self, kind: str, row: int) -> Mapping:
        return self.entities[row].values

    def resolved(self, kind: str, row: int) -> Mapping:
        return self._resolved[row]


_GONE = object()


class Records(MutableMapping):
    """Every entity's record by (kind, id) -> (reference, facts), read when first asked for, and
    changed in place by the edits kept (sessions).  Over a whole plan's columns
    (:meth:`of_columns`) a record is gathered only for the entities something reads."""

    def __init__(self, ids, load):
        self._ids = ids  # kind -> the ids of that kind, in row order
        self._load = load  # (kind, id) -> (reference, facts), or None
        self._read: dict = {}
        self._changed: dict = {}

    @classmethod
    def of_columns(cls, rows: ColumnRows) -> "Records":
        def load(kind: str, eid: str):
            row = rows.row_of(kind, eid)
            return None if row is None else (rows.ref(kind, row), rows.record(kind, row))
        return cls(rows.cols.ids, load)

    @classmethod
    def of_table(cls, table: FactTable) -> "Records":
        found = {(r.kind, r.id): (r, e.values) for r, e in zip(table.refs, table.entities)}
        ids: dict = {}
        for kind, eid in found:
            ids.setdefault(kind, []).append(eid)
        return cls(lambda kind: ids.get(kind, []), lambda kind, eid: found.get((kind, eid)))

    def __getitem__(self, key):
        found = self._changed.get(key)
        if found is _GONE:
            raise KeyError(key)
        if found is not None:
            return found
        found = self._read.get(key)
        if found is None:
            found = self._load(*key)
            if found is None:
                raise KeyError(key)
            self._read[key] = found
        return found

    def __setitem__(self, key, value) -> None:
        self._changed[key] = value

    def __delitem__(self, key) -> None:
        self[key]  # noqa: B018 - KeyError when there is none
        self._changed[key] = _GONE

    def of_kind(self, kind: str) -> list:
        """The keys of the ``kind`` entities: the plan's in row order, then those added."""
        base = [(kind, eid) for eid in self._ids(kind)]
        known = set(base)
        added = [k for k, v in self._changed.items() if k[0] == kind and v is not _GONE and k not in known]
        return [k for k in base if self._changed.get(k) is not _GONE] + added

    def __iter__(self) -> Iterator:
        for kind in KINDS:
            yield from self.of_kind(kind)

    def __len__(self) -> int:
        return sum(1 for _ in self)

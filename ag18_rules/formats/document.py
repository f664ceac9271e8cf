"""Workbooks and CSV folders as plan documents: the same data a YAML file gives, located by cell."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Optional

from ..errors import Diagnostic, InputError, Span
from ..source import Document


@dataclass(frozen=True)
class CellDocument(Document):
    """A plan read from sheets: every field path answers with its sheet and cell.

    ``problems`` are the cells that could not be read at all; the plan loader reports them
    together with its own diagnostics.
    """

    cells: dict = field(default_factory=dict, repr=False, compare=False)
    problems: tuple[Diagnostic, ...] = ()

    def _locate(self, path: tuple) -> tuple[Span | None, Span]:
        for n in range(len(path), 0, -1):
            span = self.cells.get(tuple(path[:n]))
            if span is not None:
                return None, span
        return None, Span(self.filename)


def load_document(source: str | os.PathLike, filename: Optional[str] = None) -> CellDocument:
    """A workbook (by suffix) or a folder of CSV files as a plan document."""
    path = os.fspath(source)
    if os.path.isdir(path):
        from .csvdir import read_csv_dir

        out = read_csv_dir(path, filename=filename)
    else:
        from .xlsx import read_xlsx

        out = read_xlsx(path, filename=filename)
    if any(p.code == "empty-workbook" for p in out.problems):
        raise InputError(out.problems)  # nothing to check: the schema's missing keys would only repeat it
    return CellDocument(out.data, filename or path, cells=out.cells, problems=tuple(out.problems))

"""A folder of CSV files, one per sheet of the plan template (same file names and headers).

``Đề án.csv`` (or ``plan.csv``) holds the plan's fields; ``Tổ chức sau.csv`` the organisations
after, and so on.  Files are UTF-8 (a byte-order mark is fine) with a comma or a semicolon as
separator, as spreadsheet programs export them.
"""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path
from typing import Optional

from ..errors import Diagnostic, InputError, Span, Text
from .sheets import Assembled, RawSheet, assemble

MAX_CSV_BYTES = 64 * 1024 * 1024  # all files of the folder together


def read_csv_dir(folder: str | os.PathLike, *, filename: Optional[str] = None) -> Assembled:
    """The plan data of a folder of CSV files, with the cell of every field (``file.csv!D7``)."""
    from .template import example_rows

    root = Path(folder)
    name = filename or os.fspath(folder)
    files = sorted(p for p in root.iterdir() if p.suffix.lower() == ".csv" and p.is_file())
    if sum(p.stat().st_size for p in files) > MAX_CSV_BYTES:
        raise InputError([Diagnostic("too-large", Text(
            f"Các tệp CSV quá lớn; giới hạn là {MAX_CSV_BYTES:,} byte.".replace(",", "."),
            f"The CSV files are too large; the limit is {MAX_CSV_BYTES:,} bytes."), Span(name))])
    sheets = [RawSheet(p.stem, _rows(p, name)) for p in files]
    return assemble(name, sheets, example_rows())


def _rows(path: Path, folder: str) -> list[tuple[int, list]]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError([Diagnostic("encoding", Text(
            "Tệp CSV không phải văn bản UTF-8; hãy xuất lại với bảng mã UTF-8.",
            "The CSV file is not UTF-8 text; export it again as UTF-8."), Span(f"{folder}/{path.name}"))]) from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    rows = []
    for number, cells in enumerate(csv.reader(io.StringIO(text), delimiter=delimiter), start=1):
        if any(c.strip() for c in cells):
            rows.append((number, [c if c.strip() else None for c in cells]))
    return rows

"""Excel workbooks (``.xlsx``): plans read with every field's cell, plans and templates written.

The container is checked before openpyxl opens it, so a huge file, a zip bomb, a macro-enabled or
a password-protected workbook is refused quickly with bounded memory.  Merged cells, formulas
without a computed value and hidden rows holding data are refused with their cell: each would
let the sheet say something other than what the officer sees.
"""
from __future__ import annotations

import os
import warnings
import zipfile
from typing import Any, Optional

from ..errors import Diagnostic, InputError, Span, Text
from ..source import _vi_number
from .sheets import Assembled, RawSheet, assemble, column_letter

MAX_XLSX_BYTES = 20 * 1024 * 1024
# The XML inside: openpyxl holds every cell in memory (about 650 MB and tens of seconds for 32 MB
# of cells), so larger plans belong in YAML or CSV.  24 MB is some 30,000 filled rows.
MAX_UNCOMPRESSED = 24 * 1024 * 1024
MAX_COLUMNS = 256  # far beyond any sheet of the template; a cell at XFD costs nothing
MAX_MEMBERS = 2000
MAX_RATIO = 200  # a member that inflates more than this is a zip bomb, not a spreadsheet
_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an encrypted workbook or an old .xls
_MACRO_SUFFIXES = (".xlsm", ".xltm", ".xlsb", ".xlam")
SUFFIXES = (".xlsx", ".xltx") + _MACRO_SUFFIXES + (".xls",)


def _refuse(filename: str, code: str, vi: str, en: str) -> InputError:
    return InputError([Diagnostic(code, Text(vi, en), Span(filename))])


def check_container(path: str, filename: Optional[str] = None) -> None:
    """Refuse what is not a plain, reasonably sized workbook before anything is inflated."""
    name = filename or path
    if path.lower().endswith(_MACRO_SUFFIXES):
        raise _refuse(name, "macro-workbook", "Tệp Excel có macro không được chấp nhận; hãy lưu thành .xlsx.",
                      "Macro-enabled workbooks are refused; save the file as .xlsx.")
    try:
        size = os.stat(path).st_size
        with open(path, "rb") as stream:
            head = stream.read(8)
    except OSError as error:
        raise _refuse(name, "file-unreadable", f"Không đọc được tệp ({error.strerror}).",
                      f"The file cannot be read ({error.strerror}).") from None
    if size > MAX_XLSX_BYTES:
        raise _refuse(name, "too-large", f"Tệp quá lớn ({_vi_number(size)} byte); giới hạn là "
                      f"{_vi_number(MAX_XLSX_BYTES)} byte. Với đề án rất lớn, hãy dùng YAML hoặc CSV.",
                      f"The workbook is too large ({size:,} bytes); the limit is {MAX_XLSX_BYTES:,} bytes. "
                      "Use YAML or CSV for very large plans.")
    if head == _OLE:
        raise _refuse(name, "protected-workbook",
                      "Tệp được đặt mật khẩu hoặc là định dạng .xls cũ; hãy bỏ mật khẩu và lưu thành .xlsx.",
                      "The workbook is password-protected or an old .xls file; remove the password "
                      "and save it as .xlsx.")
    if not zipfile.is_zipfile(path):
        raise _refuse(name, "not-a-workbook", "Tệp không phải là bảng tính Excel (.xlsx).",
                      "The file is not an Excel workbook (.xlsx).")
    _check_members(path, name)


def _check_members(path: str, name: str) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            content_types = archive.read("[Content_Types].xml") if len(members) <= MAX_MEMBERS else b""
    except (zipfile.BadZipFile, KeyError, OSError, EOFError, RuntimeError, NotImplementedError):
        raise _refuse(name, "not-a-workbook", "Tệp bảng tính bị hỏng hoặc không phải .xlsx.",
                      "The workbook is damaged or not an .xlsx file.") from None
    total = sum(m.file_size for m in members)
    bomb = any(m.file_size > 1_000_000 and m.file_size > MAX_RATIO * max(m.compress_size, 1) for m in members)
    if len(members) > MAX_MEMBERS or bomb:
        raise _refuse(name, "zip-bomb", "Tệp bảng tính giải nén ra quá lớn (có thể là tệp độc hại); không đọc.",
                      "The workbook inflates to far more than its size (a zip bomb?); it is not read.")
    if total > MAX_UNCOMPRESSED:
        raise _refuse(name, "too-large", f"Bảng tính chứa quá nhiều dữ liệu ({_vi_number(total)} byte khi giải nén; "
                      f"giới hạn {_vi_number(MAX_UNCOMPRESSED)}). Với đề án rất lớn, hãy dùng YAML hoặc CSV.",
                      f"The workbook holds too much data ({total:,} bytes unpacked; the limit is "
                      f"{MAX_UNCOMPRESSED:,}). Use YAML or CSV for very large plans.")
    if any(m.filename.lower().endswith("vbaproject.bin") for m in members) or b"macroEnabled" in content_types:
        raise _refuse(name, "macro-workbook", "Tệp Excel có macro không được chấp nhận; hãy lưu thành .xlsx.",
                      "Macro-enabled workbooks are refused; save the file as .xlsx.")


def _has_formulas(path: str) -> bool:
    with zipfile.ZipFile(path) as archive:
        for member in archive.infolist():
            if member.filename.startswith("xl/worksheets/") and member.filename.endswith(".xml"):
                data = archive.read(member)
                if b"<f>" in data or b"<f " in data or b":f>" in data:
                    return True
    return False


def _open(path: str, name: str, data_only: bool):
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return openpyxl.load_workbook(path, data_only=data_only)
    except Exception as error:  # openpyxl raises many kinds on a damaged file
        raise _refuse(name, "not-a-workbook", f"Không mở được bảng tính ({type(error).__name__}).",
                      f"The workbook cannot be opened ({type(error).__name__}).") from None


def read_xlsx(path: str | os.PathLike, *, filename: Optional[str] = None) -> Assembled:
    """The plan data of a workbook, the cell of every field, and the problems found in its cells."""
    from .template import example_rows

    path = os.fspath(path)
    name = filename or path
    check_container(path, name)
    book = _open(path, name, data_only=True)
    formulas = _open(path, name, data_only=False) if _has_formulas(path) else None
    problems: list[Diagnostic] = []
    sheets = []
    for ws in book.worksheets:
        if _skipped(ws.title):
            continue
        sheets.append(RawSheet(ws.title, _rows(ws, name, problems, formulas)))
    out = assemble(name, sheets, example_rows())
    out.problems[:0] = problems
    return out


def _skipped(title: str) -> bool:
    """The template's own sheets: the guide and the hidden lists behind the drop-downs."""
    from .layout import GUIDE_SHEET, LISTS_SHEET, fold

    return fold(title) in (fold(GUIDE_SHEET[0]), fold(GUIDE_SHEET[1]), fold(LISTS_SHEET))


def _rows(ws, name: str, problems: list, formulas) -> list[tuple[int, list]]:
    """The non-empty rows of a sheet, from the cells it stores (never its nominal dimensions)."""
    cells: dict[int, dict[int, Any]] = {}
    beyond = None
    for (row, col), cell in ws._cells.items():  # only stored cells: a far styled cell costs nothing
        if cell.value is not None and not (isinstance(cell.value, str) and not cell.value.strip()):
            if col > MAX_COLUMNS:
                beyond = min(beyond or (row, col), (row, col))
                continue
            cells.setdefault(row, {})[col] = cell.value
    if beyond is not None:
        row, col = beyond
        problems.append(Diagnostic("cell-out-of-range", Text(
            f"Ô {column_letter(col)}{row} nằm ngoài các cột của mẫu: hãy xóa dữ liệu ở đó.",
            f"The cell {column_letter(col)}{row} is beyond the template's columns: delete what is there."),
            Span(name, row, col, ws.title, f"{column_letter(col)}{row}")))
    if formulas is not None:
        _formulas(formulas[ws.title], ws, name, problems, cells)
    for merged in ws.merged_cells.ranges:
        problems.append(Diagnostic("merged-cells", Text(
            f"Ô gộp {merged.coord} không được dùng: hãy bỏ gộp và ghi giá trị vào từng ô.",
            f"Merged cells {merged.coord} are not allowed: unmerge them and fill each cell."),
            Span(name, merged.min_row, merged.min_col, ws.title, f"{column_letter(merged.min_col)}{merged.min_row}")))
    for row in sorted(cells):
        dim = ws.row_dimensions.get(row) if hasattr(ws.row_dimensions, "get") else None
        if dim is not None and dim.hidden:
            col = min(cells[row])
            problems.append(Diagnostic("hidden-row", Text(
                f"Dòng {row} đang bị ẩn nhưng có dữ liệu: hãy hiện dòng này hoặc xóa nó.",
                f"Row {row} is hidden but holds data: unhide it or delete it."),
                Span(name, row, col, ws.title, f"{column_letter(col)}{row}")))
    return [(row, [cells[row].get(c) for c in range(1, max(cells[row]) + 1)]) for row in sorted(cells)]


def _formulas(fws, ws, name: str, problems: list, cells: dict) -> None:
    for (row, col), cell in fws._cells.items():
        if cell.data_type == "f" and (row not in cells or col not in cells[row]):
            problems.append(Diagnostic("formula-without-value", Text(
                "Ô có công thức nhưng chưa có giá trị tính sẵn: hãy mở tệp trong Excel hoặc LibreOffice, "
                "lưu lại, hoặc thay công thức bằng giá trị.",
                "The cell holds a formula without a computed value: open and save the file in Excel or "
                "LibreOffice, or replace the formula with its value."),
                Span(name, row, col, ws.title, f"{column_letter(col)}{row}")))

"""Workbooks written: a plan as an ``.xlsx`` file, and the empty template officers fill in.

Both follow :mod:`.layout`: Vietnamese headers (the field name in a note), drop-downs for every
enumerated column, number and date formats, a frozen header row, and a guide sheet that explains
each column.  The template adds one example row per sheet, which the reader skips while it is
left unchanged.
"""
from __future__ import annotations

import os
from functools import lru_cache
from typing import Any, Iterator, Mapping, Optional

from .cells import write_cell
from .layout import ENUMS, GUIDE_SHEET, LISTS_SHEET, PLAN_FIELDS, PLAN_SHEET, SHEETS, Column, Sheet, enum_label
from .sheets import _as_example, column_letter

EXAMPLES: dict[str, dict] = {
    "organizations_before": {"id": "sonv/phong-tccb", "name": "Phòng Tổ chức cán bộ", "type": "internal_unit",
                             "level": "province", "parent": "sonv", "heads": 1, "deputies": 2,
                             "staff.civil_servants": 9, "staff.contract": 1},
    "organizations_after": {"id": "sonv/phong-tccb-cchc", "name": "Phòng Tổ chức cán bộ và Cải cách hành chính",
                            "type": "internal_unit", "level": "province", "parent": "sonv", "heads": 1,
                            "deputies": 2, "staff.civil_servants": 14,
                            "formed_from": ["sonv/phong-tccb", "sonv/phong-cchc"]},
    "tasks_before": {"id": "quan-ly-bien-che", "name": "Quản lý biên chế công chức", "field": "to-chuc-bo-may",
                     "lead": "sonv/phong-tccb", "support": ["stc"]},
    "tasks_after": {"id": "quan-ly-bien-che", "name": "Quản lý biên chế công chức", "field": "to-chuc-bo-may",
                    "lead": "sonv/phong-tccb-cchc", "support": ["stc"]},
    "admin_units": {"snapshot": "after", "id": "ct/xa-my-khanh", "name": "Xã Mỹ Khánh", "level": "commune",
                    "kind": "xa", "parent": "tp-long-xuyen", "terrain": "plains", "population": 14230,
                    "area_km2": 24.6, "households": 3050, "class": 2, "part_time_workers": 12,
                    "allowance.mode": "lump_sum", "allowance.fund_coefficient": 13.7},
    "people": {"snapshot": "after", "id": "p-017", "name": "Nguyễn Văn A", "posts.org": "sonv/phong-tccb-cchc",
               "posts.role": "head", "ratings": {"2017": "completed", "2018": "good"}},
    "transitions": {"from": "sonv/phong-cchc", "outcome": "transfer", "to": "sonv/phong-tccb-cchc", "count": 2},
    "waivers": {"rule": "deputy-cap", "entity": "sonv/phong-tccb-cchc",
                "reason": "Sáp nhập, dôi dư cấp phó trong thời gian chuyển tiếp",
                "approved_by": "Ban Thường vụ Tỉnh ủy", "reference": "Công văn 456-CV/TU", "expires": "2022-12-31"},
}
PLAN_EXAMPLE = {"plan.id": "ag-sonv-2019", "plan.title": "Đề án sắp xếp các phòng thuộc Sở Nội vụ",
                "plan.jurisdiction": "An Giang", "plan.province_class": 1, "plan.effective": "2019-07-01",
                "plan.approval.body": "Ban Thường vụ Tỉnh ủy", "plan.approval.status": "draft",
                "baseline.year": 2015, "baseline.staff": 118, "before": True}
_FORMATS = {"int": "#,##0", "number": "0.0###", "date": "dd/mm/yyyy"}


@lru_cache(maxsize=1)
def example_rows() -> dict[str, tuple[dict, ...]]:
    """Each sheet's example row as the reader compares it, in both languages."""
    out = {}
    for sheet in SHEETS:
        rows = []
        for lang in ("vi", "en"):
            cells = [write_cell(c, EXAMPLES[sheet.key].get(c.key), lang) for c in sheet.columns]
            rows.append(_as_example(cells, dict(enumerate(sheet.columns, start=1))))
        out[sheet.key] = tuple(rows)
    return out


def write_template(path: str | os.PathLike, lang: str = "vi") -> None:
    """An empty plan workbook with one example row per sheet, for an officer to fill in."""
    book = _book(lang, {}, {key: [dict(ex)] for key, ex in EXAMPLES.items()}, example=True)
    book.save(os.fspath(path))


def write_xlsx(plan: Any, path: str | os.PathLike, lang: str = "vi") -> None:
    """A plan (a :class:`~ag18_rules.model.Plan` or its file data) as a workbook the reader reads back."""
    from ..plan import plan_to_dict

    data = plan if isinstance(plan, Mapping) else plan_to_dict(plan)
    book = _book(lang, _plan_fields(data), {s.key: list(_rows(data, s)) for s in SHEETS})
    book.save(os.fspath(path))


def _plan_fields(data: Mapping) -> dict:
    out = {}
    for column in PLAN_FIELDS:
        if column.field == ("before",):
            out["before"] = data.get("before") is not None
            continue
        value = _get(data, column.field)
        if column.field == ("plan", "approval", "status") and _get(data, ("plan", "approval")) is not None:
            value = value or "draft"  # an approval with every default still says the plan has one
        if value is not None:
            out[column.key] = value
    return out


def _get(item: Mapping, path: tuple) -> Any:
    for step in path:
        if not isinstance(item, Mapping) or step not in item:
            return None
        item = item[step]
    return item


def _flat(item: Mapping, sheet: Sheet, extra: Optional[dict] = None) -> dict:
    row = {c.key: _get(item, c.field) for c in sheet.columns if _get(item, c.field) is not None}
    row.update(extra or {})
    return row


def _rows(data: Mapping, sheet: Sheet) -> Iterator[dict]:
    if sheet.target[0] in ("transitions", "waivers"):
        for item in data.get(sheet.target[0]) or ():
            yield _flat(item, sheet)
        return
    snaps = (sheet.snapshot,) if sheet.snapshot else ("before", "after")
    for snap in snaps:
        for item in (data.get(snap) or {}).get(sheet.target[0], ()):
            if sheet.key != "people":
                yield _flat(item, sheet, None if sheet.snapshot else {"snapshot": snap})
                continue
            posts = item.get("posts") or [None]
            for i, post in enumerate(posts):
                row = {"snapshot": snap, "id": item["id"]}
                if i == 0:
                    row.update({k: item[k] for k in ("name", "ratings") if item.get(k) is not None})
                if post:
                    row.update({"posts.org": post["org"], "posts.role": post["role"]})
                yield row


# ----------------------------------------------------------------------- the workbook


def _book(lang: str, plan: dict, rows: dict[str, list[dict]], example: bool = False):
    from openpyxl import Workbook

    book = Workbook()
    lists = _lists_sheet(book, lang)
    _plan_sheet(book.active, lang, plan, lists, example)
    for sheet in SHEETS:
        _data_sheet(book.create_sheet(sheet.name(lang)), sheet, lang, rows.get(sheet.key, ()), lists, example)
    _guide_sheet(book.create_sheet(GUIDE_SHEET[lang == "en"]), lang)
    book.move_sheet(LISTS_SHEET, offset=len(book.sheetnames))
    return book


def _styles():
    from openpyxl.styles import Alignment, Font, PatternFill

    return {"head": Font(bold=True, color="FFFFFF"), "fill": PatternFill("solid", fgColor="1F4E79"),
            "example": Font(italic=True, color="7F7F7F"), "wrap": Alignment(wrap_text=True, vertical="top")}


def _lists_sheet(book, lang: str) -> dict[str, str]:
    """A hidden sheet holding each enumeration's labels; drop-downs refer to its ranges."""
    ws = book.create_sheet(LISTS_SHEET)
    ws.sheet_state = "hidden"
    refs = {}
    for col, (name, values) in enumerate(ENUMS.items(), start=1):
        ws.cell(1, col, name)
        for row, value in enumerate(values, start=2):
            ws.cell(row, col, enum_label(name, value, lang))
        letter = column_letter(col)
        refs[name] = f"{LISTS_SHEET}!${letter}$2:${letter}${len(values) + 1}"
    return refs


def _validation(ws, column: Column, lists: dict, cells: str, lang: str) -> None:
    from openpyxl.worksheet.datavalidation import DataValidation

    if not column.enum:
        return
    dv = DataValidation(type="list", formula1=lists[column.enum], allow_blank=True, showErrorMessage=False)
    dv.promptTitle = column.label(lang)[:32]
    dv.prompt = column.help(lang)[:250]
    dv.add(cells)
    ws.add_data_validation(dv)


def _plan_sheet(ws, lang: str, values: dict, lists: dict, example: bool) -> None:
    from openpyxl.comments import Comment

    st = _styles()
    ws.title = PLAN_SHEET[lang == "en"]
    heads = ("Trường", "Giá trị", "Tên trường", "Ví dụ") if lang != "en" else ("Field", "Value", "Key", "Example")
    for col, text in enumerate(heads if example else heads[:3], start=1):
        cell = ws.cell(1, col, text)
        cell.font, cell.fill = st["head"], st["fill"]
    for row, column in enumerate(PLAN_FIELDS, start=2):
        ws.cell(row, 1, column.label(lang)).comment = Comment(column.help(lang), "ag18")
        cell = ws.cell(row, 2, write_cell(column, values.get(column.key), lang))
        cell.number_format = _FORMATS.get(column.kind, "@" if column.kind in ("id", "text") else "General")
        ws.cell(row, 3, column.key).font = st["example"]
        if example:
            ex = ws.cell(row, 4, write_cell(column, PLAN_EXAMPLE.get(column.key), lang))
            ex.font = st["example"]
            ex.number_format = _FORMATS.get(column.kind, "General")
        _validation(ws, column, lists, f"B{row}", lang)
    for letter, width in zip("ABCD", (30, 44, 24, 40)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "B2"


def _data_sheet(ws, sheet: Sheet, lang: str, rows, lists: dict, example: bool) -> None:
    from openpyxl.comments import Comment

    st = _styles()
    for col, column in enumerate(sheet.columns, start=1):
        cell = ws.cell(1, col, column.label(lang))
        cell.font, cell.fill, cell.alignment = st["head"], st["fill"], st["wrap"]
        cell.comment = Comment(f"{column.key}\n{column.help(lang)}", "ag18")
        letter = column_letter(col)
        ws.column_dimensions[letter].width = column.width
        _validation(ws, column, lists, f"{letter}2:{letter}5000", lang)
    for r, values in enumerate(rows, start=2):
        for col, column in enumerate(sheet.columns, start=1):
            cell = ws.cell(r, col, write_cell(column, values.get(column.key), lang))
            if column.kind in _FORMATS:
                cell.number_format = _FORMATS[column.kind]
            elif column.kind in ("id", "text", "ids", "idOrIds"):
                cell.number_format = "@"  # ids such as 01 stay text
            if example:
                cell.font = st["example"]
    ws.freeze_panes = "B2"
    ws.row_dimensions[1].height = 32


def _guide_sheet(ws, lang: str) -> None:
    st = _styles()
    vi = lang != "en"
    heads = ("Trang", "Cột", "Tên trường", "Ý nghĩa", "Giá trị được chọn") if vi else \
        ("Sheet", "Column", "Key", "Meaning", "Allowed values")
    intro = ("Điền mỗi tổ chức, nhiệm vụ, đơn vị, người… trên một dòng. Dòng ví dụ (chữ nghiêng) được bỏ qua "
             "nếu để nguyên; hãy ghi đè hoặc xóa. Không gộp ô, không ẩn dòng có dữ liệu. Ngày ghi dd/mm/yyyy; "
             "danh sách mã cách nhau bởi dấu phẩy. Kiểm tra bằng: ag18 check de-an.xlsx --format html -o bao-cao.html"
             if vi else
             "One organisation, task, unit or person per row. The example row (italic) is skipped while "
             "unchanged; overwrite or delete it. Do not merge cells or hide rows with data. Dates dd/mm/yyyy; "
             "lists of ids separated by commas. Check with: ag18 check plan.xlsx --format html -o report.html")
    ws.cell(1, 1, intro).alignment = st["wrap"]
    ws.merge_cells("A1:E1")
    ws.row_dimensions[1].height = 60
    for col, text in enumerate(heads, start=1):
        cell = ws.cell(2, col, text)
        cell.font, cell.fill = st["head"], st["fill"]
    row = 3
    groups = [(PLAN_SHEET[not vi], PLAN_FIELDS)] + [(s.name(lang), s.columns) for s in SHEETS]
    for name, columns in groups:
        for column in columns:
            allowed = ", ".join(enum_label(column.enum, v, lang) for v in ENUMS[column.enum]) if column.enum else ""
            for col, text in enumerate((name, column.label(lang), column.key, column.help(lang), allowed), start=1):
                ws.cell(row, col, text).alignment = st["wrap"]
            row += 1
    for letter, width in zip("ABCDE", (22, 26, 26, 60, 50)):
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = "A3"

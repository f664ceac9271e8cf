"""Rows of sheets (from a workbook or a folder of CSV files) assembled into plan data.

The result is the same ``ag18-plan/1`` data a YAML file gives, plus the cell of every field, so
the plan loader's diagnostics land on the cell: ``plan.xlsx:Tổ chức sau!D7``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Optional

from ..errors import Diagnostic, Span, Text
from ..schema import closest
from .cells import EMPTY, CellProblem, read_cell
from .layout import (
    GUIDE_SHEET, LISTS_SHEET, PLAN_FIELDS, PLAN_SHEET, SHEETS, Column, Sheet, column_by_label, fold,
    sheet_by_name,
)

FORMAT = "ag18-plan/1"


def column_letter(index: int) -> str:
    """``1`` → ``A``, ``28`` → ``AB``."""
    out = ""
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out


@dataclass
class RawSheet:
    """A sheet as read: its name and its non-empty rows as (row number, cell values)."""

    name: str
    rows: list[tuple[int, list]]


@dataclass
class Assembled:
    """Plan data, the cell of each field path, and the problems found on the way."""

    data: dict
    cells: dict[tuple, Span] = field(default_factory=dict)
    problems: list[Diagnostic] = field(default_factory=list)


class _Assembler:
    def __init__(self, filename: str, example_rows: Optional[dict] = None):
        self.filename = filename
        self.out = Assembled({"format": FORMAT, "plan": {}})
        self.examples = example_rows or {}
        self.has_before: Optional[bool] = None
        self.people: dict[tuple, int] = {}

    def span(self, sheet: str, row: int, col: int) -> Span:
        return Span(self.filename, row, col, sheet, f"{column_letter(col)}{row}")

    def problem(self, span: Span, code: str, vi: str, en: str, path: tuple = ()) -> None:
        from ..source import format_path

        self.out.problems.append(Diagnostic(code, Text(vi, en), span, format_path(path)))

    # ------------------------------------------------------------------ sheets

    def add(self, raw: RawSheet) -> None:
        key = fold(raw.name)
        if key in (fold(PLAN_SHEET[0]), fold(PLAN_SHEET[1]), "plan"):
            self.plan_sheet(raw)
        elif key in (fold(GUIDE_SHEET[0]), fold(GUIDE_SHEET[1]), fold(LISTS_SHEET)):
            return
        elif (sheet := sheet_by_name(raw.name)) is not None:
            self.rows_sheet(raw, sheet)
        elif raw.rows:
            names = [PLAN_SHEET[0]] + [s.vi for s in SHEETS]
            hint = closest(raw.name, names)
            vi_hint = f" Có phải là „{hint}”?" if hint else ""
            en_hint = f" Did you mean {hint!r}?" if hint else ""
            self.problem(Span(self.filename, 0, 0, raw.name), "unknown-sheet",
                         f"Trang tính {raw.name!r} không thuộc mẫu đề án; các trang là: {', '.join(names)}.{vi_hint}",
                         f"The sheet {raw.name!r} is not part of the plan template; the sheets are: "
                         f"{', '.join(s.en for s in SHEETS)}.{en_hint}")

    def plan_sheet(self, raw: RawSheet) -> None:
        for row, cells in raw.rows:
            cells = list(cells) + [None] * 3
            label = cells[2] if isinstance(cells[2], str) and cells[2].strip() else cells[0]
            if label is None or (isinstance(label, str) and not label.strip()):
                continue
            column = column_by_label(PLAN_FIELDS, str(label))
            if column is None:
                if row == 1:
                    continue  # the header row
                self.problem(self.span(raw.name, row, 1), "unknown-field",
                             f"Không có trường {str(label)!r} trong trang Đề án.",
                             f"The plan sheet has no field {str(label)!r}.")
                continue
            value = self.read(raw.name, row, 2, column, cells[1], column.field)
            if value is EMPTY:
                continue
            if column.field == ("before",):
                self.has_before = value
                continue
            self.put(self.out.data, column.field, value)
            self.out.cells[column.field] = self.span(raw.name, row, 2)
        self.out.cells.setdefault(("plan",), Span(self.filename, 1, 1, raw.name, "A1"))

    def rows_sheet(self, raw: RawSheet, sheet: Sheet) -> None:
        if not raw.rows:
            return
        header_row, header = raw.rows[0]
        columns = self.header(raw.name, header_row, header, sheet)
        examples = self.examples.get(sheet.key, ())
        for row, cells in raw.rows[1:]:
            values = [None if c is None or (isinstance(c, str) and not c.strip()) else c for c in cells]
            if not any(v is not None for v in values):
                continue
            if examples and _as_example(values, columns) in examples:
                continue  # the template's example row, left as it was
            self.row(raw.name, row, values, columns, sheet)

    def header(self, name: str, row: int, cells: list, sheet: Sheet) -> dict[int, Column]:
        columns: dict[int, Column] = {}
        for i, label in enumerate(cells, start=1):
            if label is None or (isinstance(label, str) and not label.strip()):
                continue
            column = column_by_label(sheet.columns, str(label))
            if column is None:
                hint = closest(str(label), [c.vi for c in sheet.columns])
                self.problem(self.span(name, row, i), "unknown-column",
                             f"Cột {str(label)!r} không có trong mẫu" + (f"; có phải „{hint}”?" if hint else "."),
                             f"Unknown column {str(label)!r}" + (f"; did you mean {hint!r}?" if hint else "."))
            elif column in columns.values():
                self.problem(self.span(name, row, i), "duplicate-column",
                             f"Cột {column.vi!r} xuất hiện hai lần.", f"The column {column.en!r} appears twice.")
            else:
                columns[i] = column
        return columns

    def row(self, name: str, row: int, values: list, columns: dict[int, Column], sheet: Sheet) -> None:
        start = len(self.out.problems)
        path = self._row(name, row, values, columns, sheet)
        if path is not None:  # the row's unreadable cells, named by their full field path
            from dataclasses import replace

            from ..source import format_path

            for i in range(start, len(self.out.problems)):
                p = self.out.problems[i]
                if p.code == "cell-value":
                    self.out.problems[i] = replace(p, path=format_path(path) + "." + p.path)

    def _row(self, name: str, row: int, values: list, columns: dict[int, Column], sheet: Sheet):
        item: dict = {}
        where: dict[tuple, Span] = {}
        snap = sheet.snapshot
        for i, column in columns.items():
            value = self.read(name, row, i, column, values[i - 1] if i <= len(values) else None, column.field)
            if value is EMPTY:
                continue
            if column.field == ("snapshot",):
                snap = value
                continue
            self.put(item, column.field, value)
            where[column.field] = self.span(name, row, i)
        first = self.span(name, row, min(columns) if columns else 1)
        top = sheet.target[0] in ("transitions", "waivers")
        if snap is None and not top:
            self.problem(first, "missing-snapshot", "Thiếu cột „Cơ cấu” (trước hoặc sau sắp xếp).",
                         "The 'Snapshot' column (before or after) is empty.")
            return
        if sheet.key == "people":
            return self.person(snap, item, where, first)
        base = sheet.target if top else (snap,) + sheet.target
        items = self.list_at(base)
        path = base + (len(items),)
        items.append(item)
        self.out.cells[path] = first
        for fld, span in where.items():
            self.out.cells[path + fld] = span
        return path

    def person(self, snap: str, item: dict, where: dict, first: Span) -> None:
        post = item.pop("posts", None)
        key = (snap, item.get("id"))
        people = self.list_at((snap, "people"))
        if key not in self.people or key[1] is None:
            self.people[key] = len(people)
            people.append({k: v for k, v in item.items()})
            base = (snap, "people", len(people) - 1)
            self.out.cells[base] = first
            for fld, span in where.items():
                if fld[0] != "posts":
                    self.out.cells[base + fld] = span
        person = people[self.people[key]]
        base = (snap, "people", self.people[key])
        for fld in ("name", "ratings"):
            if fld in item and person.get(fld, item[fld]) != item[fld]:
                self.problem(where[(fld,)], "conflicting-person", "Người này đã có giá trị khác ở dòng trước.",
                             "This person has a different value on an earlier row.", base + (fld,))
            elif fld in item:
                person[fld] = item[fld]
        if post:
            posts = person.setdefault("posts", [])
            path = base + ("posts", len(posts))
            posts.append(post)
            self.out.cells[path] = first
            for fld, span in where.items():
                if fld[0] == "posts":
                    self.out.cells[path + fld[1:]] = span
        return base

    # ------------------------------------------------------------------ values

    def read(self, name: str, row: int, col: int, column: Column, value: Any, path: tuple) -> Any:
        try:
            return read_cell(column, value)
        except CellProblem as problem:
            self.problem(self.span(name, row, col), "cell-value", problem.text.vi, problem.text.en, path)
            return value.strip() if isinstance(value, str) else value  # kept, so nothing else is reported missing

    def list_at(self, path: tuple) -> list:
        node = self.out.data
        for step in path[:-1]:
            node = node.setdefault(step, {})
        return node.setdefault(path[-1], [])

    @staticmethod
    def put(node: dict, path: tuple, value: Any) -> None:
        for step in path[:-1]:
            node = node.setdefault(step, {})
        node[path[-1]] = value

    def finish(self) -> Assembled:
        data = self.out.data
        if self.has_before is False and data.get("before"):
            self.problem(Span(self.filename, 0, 0, PLAN_SHEET[0]), "before-contradiction",
                         "Trang Đề án ghi không có cơ cấu trước sắp xếp, nhưng các trang „… trước” có dữ liệu.",
                         "The plan sheet says there is no structure before, but the 'before' sheets have rows.")
        if self.has_before and "before" not in data:
            data["before"] = {}
        data.setdefault("after", {})
        keys = ("format", "plan", "baseline", "before", "after", "transitions", "waivers")
        self.out.data = {k: data[k] for k in keys if k in data}
        return self.out


def _as_example(values: list, columns: dict[int, Column]) -> dict:
    """A row as compared with the template's example rows: column key → folded text."""
    return {c.key: _norm(values[i - 1]) for i, c in columns.items() if i <= len(values) and values[i - 1] is not None}


def _norm(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if hasattr(value, "date") and callable(value.date):
        value = value.date()
    return fold(str(value))


def assemble(filename: str, sheets: list[RawSheet], example_rows: Optional[dict] = None) -> Assembled:
    """Plan data from sheets read in order; ``example_rows`` (sheet key → row) are skipped."""
    assembler = _Assembler(filename, example_rows)
    for raw in sheets:
        assembler.add(raw)
    out = assembler.finish()
    if not out.data["plan"] and not any(out.data.get(k) for k in ("after", "before", "transitions", "waivers")) \
            and not out.problems:
        out.problems.append(Diagnostic("empty-workbook", Text(
            "Tệp không có dữ liệu đề án: hãy điền trang „Đề án” và các trang tổ chức (tạo mẫu bằng `ag18 template`).",
            "The file holds no plan: fill in the 'Plan' sheet and the organisation sheets "
            "(make a template with `ag18 template`)."), Span(filename)))
    return out



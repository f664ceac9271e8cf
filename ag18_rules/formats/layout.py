"""The spreadsheet form of a plan: which sheet holds which part, and what each column means.

One table describes it, and the XLSX reader and writer, the CSV folder reader and the template
all follow that table, so a workbook the template makes is one the reader accepts.  Enumerated
values have Vietnamese labels (the drop-down entries); the reader accepts the label, the English
label or the file value itself.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Optional

from ..errors import Text
from ..labels import ENUM_LABELS, normalise_enum
from ..labels import fold as fold_label

# The enumerations of a plan are labelled once, in :mod:`ag18_rules.labels` (the table plans, rules
# and the language server use too); a column names its enumeration by the workbook's short name.
SHARED_ENUMS = {
    "type": "organization.type", "org_level": "organization.level", "unit_level": "admin_unit.level",
    "kind": "admin_unit.kind", "terrain": "admin_unit.terrain", "outcome": "transition.outcome",
    "role": "post.role", "rating": "person.rating", "status": "approval.status", "mode": "allowance.mode",
}


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


# Enumerations of the workbook alone: which snapshot a row belongs to, yes/no cells, class numbers.
_WORKBOOK_ENUMS: dict[str, dict] = {
    "snapshot": {"before": ("Trước sắp xếp", "Before"), "after": ("Sau sắp xếp", "After")},
    "bool": {True: ("Có", "Yes"), False: ("Không", "No")},
    "class": {1: ("1", "1"), 2: ("2", "2"), 3: ("3", "3")},
}
_WORKBOOK_ALIASES = {
    "bool": {"x": True, "true": True, "yes": True, "1": True, "co": True,
             "false": False, "no": False, "0": False, "khong": False},
    "class": {"i": 1, "ii": 2, "iii": 3, "loai i": 1, "loai ii": 2, "loai iii": 3},
    "snapshot": {"truoc": "before", "sau": "after"},
}

#: every enumeration of the workbook: value -> (Vietnamese drop-down label, English label)
ENUMS: dict[str, dict] = {
    **{short: {code: (_capitalised(text.vi), _capitalised(text.en)) for code, text in ENUM_LABELS[name].items()}
       for short, name in SHARED_ENUMS.items()},
    **_WORKBOOK_ENUMS,
}


def fold(text: str) -> str:
    """A label as compared: NFC, trimmed, case-folded, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def enum_value(enum: str, text: str):
    """The file value a cell's text stands for (its code, label or another spelling officers use,
    with or without diacritics), or None when it names none."""
    if enum in SHARED_ENUMS:
        return normalise_enum(SHARED_ENUMS[enum], text)
    key = fold_label(text)
    for value, labels in _WORKBOOK_ENUMS[enum].items():
        if key in (fold_label(str(value)), fold_label(labels[0]), fold_label(labels[1])):
            return value
    return _WORKBOOK_ALIASES.get(enum, {}).get(key)


def enum_label(enum: str, value, lang: str) -> str:
    """The drop-down label of a value (Vietnamese labels, or the value itself in English)."""
    labels = ENUMS[enum].get(value)
    if labels is None:
        return str(value)
    return labels[0] if lang != "en" else (labels[1] if enum in ("bool",) else str(value))


@dataclass(frozen=True)
class Column:
    """One column: the field it fills (a path inside the row's item), its label and its kind.

    Kinds: ``text``, ``id``, ``int``, ``number``, ``bool``, ``date``, ``ids`` (a comma-separated
    list), ``idOrIds`` (one id or a list), ``ratings`` (``2017: completed, 2018: good``), and
    ``enum:<name>``.
    """

    field: tuple
    vi: str
    en: str
    kind: str = "text"
    help: Text = Text("", "")
    width: int = 16

    @property
    def key(self) -> str:
        return ".".join(self.field)

    def label(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi

    @property
    def enum(self) -> Optional[str]:
        return self.kind.split(":", 1)[1] if self.kind.startswith("enum:") else None


@dataclass(frozen=True)
class Sheet:
    """A sheet of rows: the list it fills, in one snapshot or in the one its ``snapshot`` column names."""

    key: str
    vi: str
    en: str
    target: tuple  # ("organizations",) inside a snapshot, or ("transitions",) at the top
    columns: tuple[Column, ...]
    snapshot: Optional[str] = None  # before | after | None: a "snapshot" column says
    per_snapshot: bool = False  # True: rows go to target inside the snapshot

    def name(self, lang: str) -> str:
        return self.en if lang == "en" else self.vi


def _c(field: str, vi: str, en: str, kind: str = "text", help_vi: str = "", help_en: str = "", width: int = 16):
    return Column(tuple(field.split(".")), vi, en, kind, Text(help_vi, help_en), width)


_SNAP = _c("snapshot", "Cơ cấu", "Snapshot", "enum:snapshot", "Trước sắp xếp hoặc sau sắp xếp.",
           "Before or after the plan.", 15)
_ORG = (
    _c("id", "Mã", "Id", "id", "Mã định danh: chữ không dấu, số, - _ . /; giữ nguyên mã khi tổ chức tiếp tục.",
       "Identifier: letters without diacritics, digits, - _ . /; keep it while the organisation continues.", 20),
    _c("name", "Tên tổ chức", "Name", "text", "Tên đầy đủ.", "Full name.", 36),
    _c("type", "Loại", "Type", "enum:type", "Loại tổ chức (chọn trong danh sách).", "Kind of organisation.", 24),
    _c("level", "Cấp", "Level", "enum:org_level", "Cấp tỉnh, huyện hoặc xã.", "Province, district or commune.", 12),
    _c("parent", "Mã tổ chức cấp trên", "Parent id", "id", "Mã của tổ chức cấp trên trong cùng cơ cấu.",
       "Id of the parent organisation in the same snapshot.", 20),
    _c("intermediate", "Cấp trung gian", "Intermediate", "enum:bool", "Có nếu là cấp trung gian.",
       "Yes for an intermediate level.", 12),
    _c("effective", "Hoạt động hiệu quả", "Effective", "enum:bool",
       "Không nếu được đánh giá hoạt động không hiệu quả (mặc định Có).",
       "No when assessed as operating ineffectively (default Yes).", 12),
    _c("heads", "Số cấp trưởng", "Heads", "int", "Số người đứng đầu.", "Number of heads.", 10),
    _c("deputies", "Số cấp phó", "Deputies", "int", "Số cấp phó.", "Number of deputies.", 10),
    _c("staff.civil_servants", "Biên chế công chức", "Civil servants", "int", "Cán bộ, công chức.",
       "Civil servants.", 12),
    _c("staff.public_employees", "Số lượng viên chức", "Public employees", "int", "Viên chức.",
       "Public employees.", 12),
    _c("staff.contract", "Hợp đồng lao động", "Contract workers", "int", "Hợp đồng lao động.",
       "Contract workers.", 12),
    _c("job_positions", "Vị trí việc làm", "Job positions", "int", "Số vị trí việc làm được duyệt.",
       "Approved job positions.", 12),
    _c("formed_from", "Hợp nhất từ", "Formed from", "ids",
       "Mã các tổ chức trước sắp xếp được hợp nhất vào, cách nhau bởi dấu phẩy.",
       "Ids of the organisations before that were merged into this one, separated by commas.", 24),
    _c("pilot.model", "Mô hình thí điểm", "Pilot model", "text", "Mô hình thí điểm, nếu có.",
       "The pilot model, if any.", 24),
    _c("pilot.approval", "Quyết định thí điểm", "Pilot approval", "text", "Văn bản cho phép thí điểm.",
       "The decision approving the pilot.", 20),
    _c("pilot.exempt_from", "Thí điểm miễn quy tắc", "Pilot exempt from", "ids",
       "Mã các quy tắc mô hình thí điểm được miễn, cách nhau bởi dấu phẩy.",
       "Rule ids the pilot is exempt from, separated by commas.", 20),
    _c("province_merger", "Sở hợp nhất 2 tỉnh", "Province merger", "enum:bool",
       "Có nếu là sở hình thành khi hợp nhất 2 tỉnh (Nghị định 370/2025/NĐ-CP).",
       "Yes for a department formed when two provinces merged (Decree 370/2025).", 12),
)
_TASK = (
    _c("id", "Mã", "Id", "id", "Mã nhiệm vụ.", "Task id.", 20),
    _c("name", "Tên nhiệm vụ", "Name", "text", "Chức năng, nhiệm vụ.", "The function or duty.", 36),
    _c("field", "Lĩnh vực", "Field", "text", "Lĩnh vực quản lý.", "Management field.", 18),
    _c("lead", "Tổ chức chủ trì", "Lead", "idOrIds",
       "Mã tổ chức chủ trì; nhiều mã cách nhau bởi dấu phẩy; [] nếu không có.",
       "Lead organisation id; several separated by commas; [] for none.", 20),
    _c("lead_person", "Người chủ trì", "Lead person", "idOrIds", "Mã người chủ trì.", "Lead person id.", 16),
    _c("support", "Tổ chức phối hợp", "Support", "ids", "Mã các tổ chức phối hợp, cách nhau bởi dấu phẩy.",
       "Supporting organisation ids, separated by commas.", 20),
    _c("retired.reason", "Lý do chấm dứt", "Retired because", "text",
       "Chỉ ghi khi chức năng được chấm dứt có chủ đích.", "Only when the function is deliberately ended.", 24),
)
_UNIT = (
    _SNAP,
    _c("id", "Mã", "Id", "id", "Mã đơn vị hành chính.", "Unit id.", 20),
    _c("name", "Tên đơn vị", "Name", "text", "Tên đơn vị hành chính.", "Name of the unit.", 28),
    _c("level", "Cấp", "Level", "enum:unit_level", "Cấp huyện, xã hoặc ấp, khóm.", "District, commune or hamlet.", 12),
    _c("kind", "Loại đơn vị", "Kind", "enum:kind", "Huyện, thị xã, thành phố, xã, phường, thị trấn, ấp, khóm.",
       "huyen, thi_xa, thanh_pho, xa, phuong, thi_tran, dac_khu, ap, khom.", 12),
    _c("parent", "Mã đơn vị cấp trên", "Parent id", "id", "Mã đơn vị cấp trên.", "Parent unit id.", 20),
    _c("terrain", "Địa bàn", "Terrain", "enum:terrain", "Đồng bằng, miền núi, biên giới, hải đảo.",
       "Plains, mountain, border, island.", 12),
    _c("population", "Dân số", "Population", "int", "Số dân.", "Population.", 12),
    _c("area_km2", "Diện tích (km²)", "Area (km²)", "number", "Diện tích tự nhiên, km².", "Area in km².", 12),
    _c("households", "Số hộ", "Households", "int", "Số hộ gia đình.", "Households.", 10),
    _c("class", "Loại xã", "Class", "enum:class", "Phân loại 1, 2 hoặc 3.", "Class 1, 2 or 3.", 8),
    _c("part_time_workers", "Người không chuyên trách", "Part-time workers", "int",
       "Người hoạt động không chuyên trách.", "Part-time workers.", 12),
    _c("allowance.mode", "Cách khoán phụ cấp", "Allowance mode", "enum:mode", "Khoán quỹ hoặc theo số người.",
       "Lump sum or per person.", 14),
    _c("allowance.fund_coefficient", "Hệ số quỹ phụ cấp", "Fund coefficient", "number",
       "Quỹ phụ cấp theo bội số lương cơ sở.", "Fund as a multiple of the base salary.", 12),
    _c("formed_from", "Hợp nhất từ", "Formed from", "ids", "Mã các đơn vị được nhập vào, cách nhau bởi dấu phẩy.",
       "Ids of the merged units, separated by commas.", 20),
    _c("ethnic_minority", "Yếu tố dân tộc thiểu số", "Ethnic minority", "enum:bool",
       "Có nếu đơn vị có yếu tố dân tộc thiểu số (Nghị quyết 112/2025/UBTVQH15).",
       "Yes for a unit with ethnic-minority factors (Resolution 112/2025).", 12),
)
_PEOPLE = (
    _SNAP,
    _c("id", "Mã người", "Person id", "id", "Mã định danh (có thể là bí danh); một dòng cho mỗi chức vụ.",
       "Identifier (a pseudonym is fine); one row per post.", 14),
    _c("name", "Họ và tên", "Name", "text", "Họ tên (không bắt buộc).", "Name (optional).", 24),
    _c("posts.org", "Mã tổ chức", "Organisation id", "id", "Tổ chức nơi giữ chức vụ.", "Where the post is.", 20),
    _c("posts.role", "Chức vụ", "Role", "enum:role", "Cấp trưởng, cấp phó hoặc thành viên.",
       "Head, deputy or member.", 14),
    _c("ratings", "Xếp loại", "Ratings", "ratings",
       "Theo năm, ví dụ: 2017: Hoàn thành nhiệm vụ, 2018: Hoàn thành tốt nhiệm vụ.",
       "By year, e.g. 2017: completed, 2018: good.", 36),
)
_TRANSITION = (
    _c("from", "Từ tổ chức", "From", "id", "Mã tổ chức trước sắp xếp.", "Organisation of before.", 20),
    _c("outcome", "Hình thức", "Outcome", "enum:outcome", "Điều chuyển, nghỉ hưu, tinh giản …",
       "Transfer, retirement, streamlining …", 20),
    _c("to", "Đến tổ chức", "To", "id", "Bắt buộc khi điều chuyển: tổ chức sau sắp xếp.",
       "Required for a transfer: an organisation of after.", 20),
    _c("count", "Số người", "Count", "int", "Số người.", "Number of people.", 10),
)
_WAIVER = (
    _c("rule", "Quy tắc", "Rule", "id", "Mã quy tắc được miễn trừ.", "Rule id.", 20),
    _c("entity", "Đối tượng", "Entity", "id", "Mã đối tượng; để trống để miễn cho cả đề án.",
       "Entity id; empty for the whole plan.", 20),
    _c("reason", "Lý do", "Reason", "text", "Lý do miễn trừ.", "Why.", 36),
    _c("approved_by", "Người/cơ quan phê duyệt", "Approved by", "text", "Ai phê duyệt.", "Who approved.", 24),
    _c("reference", "Văn bản", "Reference", "text", "Số văn bản.", "Document number.", 20),
    _c("expires", "Hết hạn", "Expires", "date", "Ngày hết hạn (dd/mm/yyyy).", "Expiry date.", 12),
)

SHEETS: tuple[Sheet, ...] = (
    Sheet("organizations_before", "Tổ chức trước", "Organisations before", ("organizations",), _ORG, "before"),
    Sheet("organizations_after", "Tổ chức sau", "Organisations after", ("organizations",), _ORG, "after"),
    Sheet("tasks_before", "Nhiệm vụ trước", "Tasks before", ("tasks",), _TASK, "before"),
    Sheet("tasks_after", "Nhiệm vụ sau", "Tasks after", ("tasks",), _TASK, "after"),
    Sheet("admin_units", "Đơn vị hành chính", "Administrative units", ("admin_units",), _UNIT),
    Sheet("people", "Người và chức vụ", "People and posts", ("people",), _PEOPLE),
    Sheet("transitions", "Chuyển tiếp", "Transitions", ("transitions",), _TRANSITION),
    Sheet("waivers", "Miễn trừ", "Waivers", ("waivers",), _WAIVER),
)

# The plan sheet: one field per row (label, value, field name).
PLAN_SHEET = ("Đề án", "Plan")
PLAN_FIELDS: tuple[Column, ...] = (
    _c("plan.id", "Mã đề án", "Plan id", "id", "Mã định danh của đề án.", "The plan's identifier."),
    _c("plan.title", "Tên đề án", "Title", "text", "Tên đầy đủ của đề án.", "The plan's title."),
    _c("plan.jurisdiction", "Tỉnh", "Jurisdiction", "text", "Tỉnh, ví dụ An Giang.", "The province."),
    _c("plan.province_class", "Loại tỉnh", "Province class", "enum:class", "Loại 1, 2 hoặc 3.", "Class 1, 2 or 3."),
    _c("plan.effective", "Ngày hiệu lực", "Effective", "date", "Ngày đề án có hiệu lực (dd/mm/yyyy).",
       "The date the plan takes effect."),
    _c("plan.approval.body", "Cơ quan phê duyệt", "Approving body", "text", "Ví dụ Ban Thường vụ Tỉnh ủy.",
       "e.g. the Standing Committee."),
    _c("plan.approval.status", "Tình trạng phê duyệt", "Approval status", "enum:status",
       "Dự thảo, đã trình, đã phê duyệt.", "Draft, submitted, approved."),
    _c("plan.approval.reference", "Số quyết định phê duyệt", "Approval reference", "text",
       "Số quyết định khi đã phê duyệt.", "Decision number once approved."),
    _c("baseline.year", "Năm gốc", "Baseline year", "int", "Năm so sánh biên chế (thường 2015).",
       "Baseline year (usually 2015)."),
    _c("baseline.staff", "Biên chế năm gốc", "Baseline staff", "int", "Biên chế được tính trong năm gốc.",
       "Counted staff in the baseline year."),
    _c("before", "Có cơ cấu trước sắp xếp", "Has a structure before", "enum:bool",
       "Không nếu đề án chỉ nêu cơ cấu sau sắp xếp.", "No when the plan states only the structure after."),
)
GUIDE_SHEET = ("Hướng dẫn", "Guide")
LISTS_SHEET = "_lists"


def sheet_by_name(name: str) -> Optional[Sheet]:
    key = fold(name)
    for sheet in SHEETS:
        if key in (fold(sheet.vi), fold(sheet.en), fold(sheet.key)):
            return sheet
    return None


def column_by_label(sheet_columns: tuple[Column, ...], label: str) -> Optional[Column]:
    key = fold(label)
    for column in sheet_columns:
        if key in (fold(column.vi), fold(column.en), fold(column.key)):
            return column
    return None

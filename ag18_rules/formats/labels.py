"""Words of the HTML report, SARIF and JUnit output, in Vietnamese and English."""
from __future__ import annotations

from .layout import ENUMS
from .text import _L

_HTML = {
    "vi": {
        "report": "Báo cáo kiểm tra đề án", "summary": "Tóm tắt", "findings": "Các vi phạm",
        "trees": "Cơ cấu tổ chức trước và sau sắp xếp", "before": "Trước sắp xếp", "after": "Sau sắp xếp",
        "units_before": "Đơn vị hành chính trước sắp xếp", "units_after": "Đơn vị hành chính sau sắp xếp",
        "charts": "Biểu đồ", "staff_chart": "Biên chế và cấp phó theo tổ chức (trước → sau)",
        "targets_chart": "Tiến độ các mục tiêu đến hạn", "staff": "biên chế", "deputies": "cấp phó",
        "heads": "cấp trưởng", "new": "thành lập mới", "merged": "hợp nhất từ", "merged_away": "sáp nhập vào",
        "dissolved": "giải thể", "continuing": "", "waivers": "Miễn trừ đã được phê duyệt",
        "rule": "Quy tắc", "entity": "Đối tượng", "reason": "Lý do", "approved_by": "Phê duyệt",
        "reference": "Văn bản", "expires": "Hết hạn", "expired": "đã hết hạn", "in_force": "còn hiệu lực",
        "parameter": "Tham số", "value": "Giá trị", "source": "nguồn", "shown_of": "Hiển thị {shown} trên {total} tổ chức (có vi phạm và lớn nhất).",
        "diff": "So sánh hai phiên bản đề án", "appeared": "Vi phạm mới xuất hiện", "disappeared": "Vi phạm đã khắc phục",
        "changed": "Vi phạm thay đổi", "unchanged": "không đổi", "scorecard": "Bảng điểm theo tổ chức",
        "organisation": "Tổ chức", "head": "Người đứng đầu", "classification": "Phân loại",
        "errors": "Lỗi", "warnings": "Cảnh báo", "infos": "Thông tin", "waived_n": "Miễn trừ",
        "no_plan": "", "progress": "đạt", "finding_count": "vi phạm", "print": "In báo cáo",
        "generated": "Chính sách", "from_to": "từ {old} đến {new}",
    },
    "en": {
        "report": "Plan check report", "summary": "Summary", "findings": "Findings",
        "trees": "Organisations before and after", "before": "Before", "after": "After",
        "units_before": "Administrative units before", "units_after": "Administrative units after",
        "charts": "Charts", "staff_chart": "Staff and deputies per organisation (before → after)",
        "targets_chart": "Targets' progress to their deadlines", "staff": "staff", "deputies": "deputies",
        "heads": "heads", "new": "new", "merged": "merged from", "merged_away": "merged into",
        "dissolved": "dissolved", "continuing": "", "waivers": "Approved waivers",
        "rule": "Rule", "entity": "Entity", "reason": "Reason", "approved_by": "Approved by",
        "reference": "Reference", "expires": "Expires", "expired": "expired", "in_force": "in force",
        "parameter": "Parameter", "value": "Value", "source": "source", "shown_of": "Showing {shown} of {total} organisations (those with findings and the largest).",
        "diff": "Two versions of a plan compared", "appeared": "New findings", "disappeared": "Findings resolved",
        "changed": "Changed findings", "unchanged": "unchanged", "scorecard": "Scorecard by organisation",
        "organisation": "Organisation", "head": "Head", "classification": "Classification",
        "errors": "Errors", "warnings": "Warnings", "infos": "Info", "waived_n": "Waived",
        "no_plan": "", "progress": "at", "finding_count": "findings", "print": "Print",
        "generated": "Policy", "from_to": "from {old} to {new}",
    },
}
LABELS = {lang: {**_L[lang], **_HTML[lang]} for lang in ("vi", "en")}


def type_label(value: str, lang: str) -> str:
    """An organisation type or unit kind as people say it (``Sở``), its code in English."""
    for enum in ("type", "kind"):
        labels = ENUMS[enum].get(value)
        if labels:
            return labels[0] if lang != "en" else labels[1]
    return value or ""

"""The sentences of fixes, in Vietnamese and English with the same placeholders, and how they are filled."""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from ..errors import Text
from ..facts import CATALOGUE

__all__ = ["TEXTS", "WORDS", "capital", "join", "measure", "say", "show"]

#: every sentence a fix can say, with named placeholders; both languages use the same ones
TEXTS: Mapping[str, Text] = {
    "deputies_down": Text("Giảm {k} cấp phó tại {org} ({old} → {new}).",
                          "Cut the deputies of {org} by {k} ({old} → {new})."),
    "heads_down": Text("Giảm {k} cấp trưởng tại {org} ({old} → {new}).",
                       "Cut the heads of {org} by {k} ({old} → {new})."),
    "heads_up": Text("Bổ sung {k} cấp trưởng cho {org} ({old} → {new}).",
                     "Raise the heads of {org} by {k} ({old} → {new})."),
    "staff_down": Text("Giảm {k} biên chế {category} của {org} ({old} → {new}).",
                       "Cut the {category} posts of {org} by {k} ({old} → {new})."),
    "staff_up": Text("Bổ sung {k} biên chế {category} cho {org} ({old} → {new}).",
                     "Raise the {category} posts of {org} by {k} ({old} → {new})."),
    "positions_set": Text("Phê duyệt và ghi {new} vị trí việc làm cho {org} (job_positions: chưa có → {new}).",
                          "Approve and record {new} job positions for {org} (job_positions: none → {new})."),
    "positions_up": Text("Tăng số vị trí việc làm được duyệt của {org} thêm {k} ({old} → {new}).",
                         "Raise the approved job positions of {org} by {k} ({old} → {new})."),
    "intermediate_off": Text("Không tổ chức {org} thành cấp trung gian (intermediate: true → false).",
                             "Do not make {org} an intermediate level (intermediate: true → false)."),
    "effective_on": Text("Kiện toàn {org} để hoạt động hiệu quả và ghi nhận trong đề án (effective: false → true).",
                         "Reorganise {org} so that it operates effectively, and record it (effective: false → true)."),
    "group_staff_cut": Text("Giảm {k} biên chế được tính của nhóm sáp nhập {org} ({old} → {new}): {parts}.",
                            "Cut the counted staff of the merger group of {org} by {k} ({old} → {new}): {parts}."),
    "group_deputies_cut": Text("Giảm {k} cấp phó của nhóm sáp nhập {org} ({old} → {new}): {parts}.",
                               "Cut the deputies of the merger group of {org} by {k} ({old} → {new}): {parts}."),
    "plan_staff_cut": Text("Cắt thêm {k} biên chế được tính để đạt yêu cầu “{goal}” (tổng biên chế {old} → {new}): {parts}.",
                           "Cut the counted staff by {k} more to meet “{goal}” (total {old} → {new}): {parts}."),
    "plan_deputies_cut": Text("Giảm {k} cấp phó để đạt yêu cầu “{goal}” ({measure}: {old} → {new}): {parts}.",
                              "Cut the deputies by {k} to meet “{goal}” ({measure}: {old} → {new}): {parts}."),
    "plan_intermediate_off": Text("Không tổ chức cấp trung gian tại {parts} (số tổ chức trung gian: {old} → {new}).",
                                  "Do not make {parts} intermediate levels (intermediate organisations: {old} → {new})."),
    "merge_org": Text("sáp nhập {victim} vào {into}", "merge {victim} into {into}"),
    "dissolve_org": Text("giải thể {victim}, chuyển đơn vị trực thuộc, biên chế và nhiệm vụ về {into}",
                         "dissolve {victim} and move its units, staff and tasks to {into}"),
    "merges_plan": Text("{merges} (số đầu mối: {old} → {new}).", "{merges} (organisations: {old} → {new})."),
    "merges_children": Text("{merges} (số đầu mối trực thuộc {org}: {old} → {new}).",
                            "{merges} (units directly under {org}: {old} → {new})."),
    "merge_self": Text("{merges}.", "{merges}."),
    "transition_add": Text(
        "Bổ sung phương án cho {count} biên chế dôi dư của {org} (chuyển công tác, nghỉ hưu hoặc tinh giản biên chế;"
        " transitions: from {org_id}, count {count}).",
        "Plan an outcome for each removed post of {org}, {count} in all (transfer, retirement or streamlining;"
        " transitions: from {org_id}, count {count})."),
    "transfer_cut": Text("Giảm {k} biên chế điều chuyển đến {org} ({old} → {new}): {parts}.",
                         "Cut the posts transferred into {org} by {k} ({old} → {new}): {parts}."),
    "pilot_drop": Text("Bỏ khỏi danh sách miễn trừ của mô hình thí điểm {org} các quy tắc không tồn tại: {rules}.",
                       "Remove the rules that do not exist from the exemptions of the pilot {org}: {rules}."),
    "pilot_approval": Text("Ghi số văn bản cho phép thực hiện mô hình thí điểm {org} (pilot.approval); "
                           "văn bản này phải do cấp có thẩm quyền ban hành.",
                           "Cite the document that approves the pilot {org} (pilot.approval); "
                           "only the competent body can issue it."),
    "task_one_lead": Text("Giao {lead} làm đơn vị chủ trì duy nhất của nhiệm vụ “{task}”, chuyển {others} sang phối hợp.",
                          "Make {lead} the only lead of task “{task}” and move {others} to support."),
    "task_lead_successor": Text("Giao {lead} chủ trì nhiệm vụ “{task}” (trước sắp xếp do {old} chủ trì).",
                                "Make {lead} the lead of task “{task}” (led by {old} before the rearrangement)."),
    "task_lead_support": Text("Giao {lead} (đang phối hợp) chủ trì nhiệm vụ “{task}”.",
                              "Make {lead}, now supporting, the lead of task “{task}”."),
    "task_restore_same": Text("Giữ nhiệm vụ “{task}” trong cơ cấu sau sắp xếp, tiếp tục do {lead} chủ trì.",
                              "Keep task “{task}” in the structure after the rearrangement, still led by {lead}."),
    "task_restore": Text("Đưa nhiệm vụ “{task}” vào cơ cấu sau sắp xếp và giao {lead} chủ trì (trước sắp xếp do {old} chủ trì).",
                         "Keep task “{task}” in the structure after the rearrangement, led by {lead} (led by {old} before)."),
    "task_retire": Text("Nếu nhiệm vụ “{task}” chấm dứt, ghi rõ lý do (retired: {{reason: ...}}).",
                        "If task “{task}” ends, state why (retired: {{reason: ...}})."),
    "task_one_person": Text("Chỉ giao {person} chủ trì nhiệm vụ “{task}” (bỏ {others} khỏi danh sách người chủ trì).",
                            "Make {person} the only lead person of task “{task}” (remove {others} from its lead persons)."),
    "task_head_person": Text("Giao {person}, người đứng đầu {org}, chủ trì nhiệm vụ “{task}”.",
                             "Make {person}, head of {org}, the lead person of task “{task}”."),
    "plan_part_time_cut": Text("Giảm {k} người hoạt động không chuyên trách cấp xã để đạt yêu cầu “{goal}” "
                               "(tổng {old} → {new}): {parts}.",
                               "Cut the communes' part-time workers by {k} to meet “{goal}” (total {old} → {new}): {parts}."),
    "part_time_down": Text("Giảm {k} người hoạt động không chuyên trách tại {unit} ({old} → {new}).",
                           "Cut the part-time workers of {unit} by {k} ({old} → {new})."),
    "allowance_mode": Text("Chi phụ cấp cho người hoạt động không chuyên trách tại {unit} {mode} (allowance.mode: {old} → {new}).",
                           "Pay the part-time allowance of {unit} {mode} (allowance.mode: {old} → {new})."),
    "fund_set": Text("Điều chỉnh quỹ phụ cấp khoán của {unit} về {new} lần mức lương cơ sở (hiện {old}).",
                     "Set the lump-sum allowance fund of {unit} to {new} × the base salary (now {old})."),
    "merge_unit": Text("Sáp nhập {victim} vào {into} (sau sáp nhập: {summary}).",
                       "Merge {victim} into {into} (after the merger: {summary})."),
    "person_drop_post": Text("Không bố trí {person} giữ chức vụ {role} tại {org}.",
                             "Do not appoint {person} as {role} of {org}."),
    "approval": Text("Trình đề án lên {body} (trạng thái phê duyệt: {old} → {new}).",
                     "Submit the plan to {body} (approval status: {old} → {new})."),
}

#: words that fill placeholders, in both languages
WORDS: Mapping[str, Text] = {
    "civil_servants": Text("công chức", "civil-servant"),
    "public_employees": Text("viên chức", "public-employee"),
    "contract": Text("hợp đồng lao động", "contract"),
    "lump_sum": Text("theo hình thức khoán quỹ phụ cấp", "as a lump sum"),
    "per_person": Text("theo từng người", "per person"),
    "head": Text("cấp trưởng", "head"),
    "deputy": Text("cấp phó", "deputy"),
    "competent_body": Text("cấp có thẩm quyền", "the competent body"),
    "unset": Text("chưa ghi", "not stated"),
    "leadership": Text("lãnh đạo", "a leader"),
    "households": Text("{n} hộ", "{n} households"),
    "population": Text("{n} người", "{n} inhabitants"),
    "area_km2": Text("{n} km²", "{n} km²"),
}


def say(key: str, **fields: Any) -> Text:
    """The template ``key`` filled in both languages; a :class:`Text` field gives each language its own."""
    template = TEXTS[key]
    return Text(template.vi.format(**_in(fields, "vi")), template.en.format(**_in(fields, "en")))


def _in(fields: Mapping[str, Any], lang: str) -> dict:
    return {k: v(lang) if isinstance(v, Text) else show(v, lang) for k, v in fields.items()}


def show(value: Any, lang: str = "vi") -> str:
    """A value as an officer reads it: Vietnamese writes 11,4 and 37.830; English 11.4 and 37,830."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        text = f"{value:.4f}".rstrip("0").rstrip(".")
        return text.replace(".", ",") if lang == "vi" else text
    if isinstance(value, int) and abs(value) >= 10000:  # years and small counts stay as written
        text = f"{value:,}"
        return text.replace(",", ".") if lang == "vi" else text
    return str(value)


def join(parts: Iterable[Text], sep: str = "; ") -> Text:
    parts = list(parts)
    return Text(sep.join(p.vi for p in parts), sep.join(p.en for p in parts))


def capital(text: Text) -> Text:
    return Text(text.vi[:1].upper() + text.vi[1:], text.en[:1].upper() + text.en[1:])


def measure(kind: str, fact: str) -> Text:
    """A fact's description as a phrase inside a sentence (its first letter lowered)."""
    doc = CATALOGUE[kind][fact].doc
    return Text(doc.vi[:1].lower() + doc.vi[1:], doc.en[:1].lower() + doc.en[1:])

"""The fact catalogue: every fact a rule condition may read, by entity kind.

Facts are derived from a plan by :mod:`.derive`; rules are conditions over them.  Each fact has
a type (checked when a rule is loaded), a description in both languages, and -- for facts
that can be absent -- the reason they are absent, which becomes the *not applicable* reason.
``docs/facts.md`` is generated from this table (``python -m ag18_rules.facts``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from ..errors import Text
from ..expr.types import Type

KINDS = ("plan", "organization", "task", "admin_unit", "person")

ORG_TYPES = (
    "party_committee", "party_body", "people_committee", "people_council", "department",
    "district_office", "sub_department", "internal_unit", "inspectorate",
    "mass_organization", "public_service_unit", "other",
)
LEVELS = ("province", "district", "commune")
STATUSES = ("new", "continuing", "formed", "merged_away", "dissolved")
UNIT_LEVELS = ("district", "commune", "hamlet")
UNIT_KINDS = ("huyen", "thi_xa", "thanh_pho", "quan", "xa", "phuong", "thi_tran", "dac_khu", "ap", "khom")
TERRAINS = ("plains", "mountain", "border", "island")
RATINGS = ("excellent", "good", "completed", "not_completed")
APPROVAL = ("draft", "submitted", "approved")


@dataclass(frozen=True)
class FactSpec:
    name: str
    type: Type
    doc: Text
    missing: Text | None = None  # why the fact can have no value


def _f(name, base, vi, en, *, missing=None, choices=()):
    nullable = missing is not None
    why = Text(*missing) if missing else None
    return FactSpec(name, Type(base, nullable, tuple(choices)), Text(vi, en), why)


NO_BEFORE = ("kế hoạch không có cấu trúc `before` (trước sắp xếp)", "the plan has no `before` structure")
NOT_IN_BEFORE = ("tổ chức không có trong `before`", "the organisation is not in `before`")
NOT_IN_AFTER = ("tổ chức không còn trong `after`", "the organisation is not in `after`")
NO_GROUP = ("tổ chức không thuộc nhóm sáp nhập nào", "the organisation is in no merger group")
NO_PARENT = ("tổ chức không có tổ chức cấp trên trong kế hoạch", "the organisation has no parent in the plan")
NOT_SETTLEMENT = (
    "chỉ tính cho tổ chức đại diện của một tổ chức hoặc một nhóm sáp nhập (settlement_unit)",
    "only computed on the entity that represents an organisation or a merger group (settlement_unit)",
)
NO_PROVINCE_CLASS = ("kế hoạch không ghi `province_class` (loại đơn vị hành chính cấp tỉnh)", "the plan gives no `province_class`")

_PLAN = [
    _f("has_before", "bool", "Kế hoạch có cấu trúc trước sắp xếp", "The plan states the structure before"),
    _f("has_baseline", "bool", "Kế hoạch có số biên chế năm gốc (2015)", "The plan states the baseline staff"),
    _f("has_people", "bool", "Kế hoạch có danh sách người (sau sắp xếp)", "The plan lists people (after)"),
    _f("has_admin_units", "bool", "Kế hoạch có đơn vị hành chính", "The plan lists administrative units"),
    _f("province_class", "int", "Loại đơn vị hành chính cấp tỉnh (1, 2, 3)", "Province class (1, 2, 3)", missing=NO_PROVINCE_CLASS),
    _f("approval_status", "string", "Trạng thái phê duyệt của đề án", "Approval status of the plan",
       missing=("kế hoạch không ghi `approval`", "the plan gives no `approval`"), choices=APPROVAL),
    _f("orgs_before", "int", "Số đầu mối trước sắp xếp", "Organisations before", missing=NO_BEFORE),
    _f("orgs_after", "int", "Số đầu mối sau sắp xếp", "Organisations after"),
    _f("staff_before", "int", "Tổng biên chế được tính trước sắp xếp", "Counted staff before", missing=NO_BEFORE),
    _f("staff_after", "int", "Tổng biên chế được tính sau sắp xếp", "Counted staff after"),
    _f("deputies_before", "int", "Tổng số cấp phó trước sắp xếp", "Deputies before", missing=NO_BEFORE),
    _f("deputies_after", "int", "Tổng số cấp phó sau sắp xếp", "Deputies after"),
    _f("intermediate_after", "int", "Số tổ chức trung gian sau sắp xếp", "Intermediate organisations after"),
    _f("baseline_year", "int", "Năm gốc", "Baseline year", missing=("kế hoạch không có `baseline`", "the plan has no `baseline`")),
    _f("baseline_staff", "int", "Biên chế năm gốc", "Baseline staff", missing=("kế hoạch không có `baseline`", "the plan has no `baseline`")),
    _f("staff_reduction_pct", "number", "Tỷ lệ giảm biên chế so với năm gốc (%)", "Staff reduction against the baseline (%)",
       missing=("kế hoạch không có `baseline` hoặc biên chế năm gốc bằng 0", "the plan has no `baseline`, or its staff is 0")),
    _f("departments_after", "int", "Số sở và tương đương sau sắp xếp", "Departments after"),
    _f("department_deputies_after", "int", "Tổng số phó giám đốc sở sau sắp xếp", "Deputy directors of departments after"),
    _f("district_offices_after", "int", "Số phòng chuyên môn cấp huyện sau sắp xếp", "District offices after"),
    _f("district_office_deputies_after", "int", "Tổng số phó trưởng phòng chuyên môn cấp huyện", "Deputy heads of district offices after"),
    _f("department_deputies_before", "int", "Tổng số phó giám đốc sở trước sắp xếp", "Deputy directors of departments before",
       missing=NO_BEFORE),
    _f("merged_departments_after", "int", "Số sở hình thành do hợp nhất, sáp nhập (formed_from)",
       "Departments formed by merging others (formed_from)"),
    _f("province_merger_departments_after", "int", "Số sở hình thành khi hợp nhất 2 tỉnh (province_merger)",
       "Departments formed when two provinces merged (province_merger)"),
    _f("commune_offices_after", "int", "Số phòng chuyên môn thuộc UBND cấp xã sau sắp xếp",
       "Specialised offices of commune people's committees after (internal units of a commune-level people_committee)"),
    _f("commune_office_deputies_after", "int", "Tổng số cấp phó các phòng chuyên môn thuộc UBND cấp xã",
       "Deputies of the commune people's committees' offices after"),
    _f("part_time_communes_after", "int", "Số đơn vị cấp xã sau sắp xếp có ghi số người hoạt động không chuyên trách",
       "Commune-level units of `after` that give their part-time workers"),
    _f("part_time_commune_workers_after", "int", "Tổng số người hoạt động không chuyên trách của các đơn vị cấp xã",
       "Part-time workers of the communes in total"),
    _f("part_time_commune_caps_after", "int",
       "Tổng mức tối đa (theo loại cộng phần tăng thêm) của các đơn vị cấp xã: số tổng của tỉnh theo Nghị định 33/2023",
       "The communes' caps (class cap plus additions) in total: the province-wide envelope of Decree 33/2023",
       missing=("không tính được mức của một đơn vị cấp xã (thiếu loại, dân số, diện tích hoặc tiêu chuẩn)",
                "the cap of a commune cannot be computed (class, population, area or its standard is missing)")),
    _f("part_time_commune_figures", "string", "Số người / mức tối đa của từng đơn vị cấp xã",
       "Each commune's part-time workers / cap",
       missing=("kế hoạch không ghi số người hoạt động không chuyên trách của đơn vị cấp xã nào",
                "the plan gives no commune's part-time workers")),
    _f("province_party_bodies_after", "int", "Số cơ quan tham mưu, giúp việc Tỉnh ủy", "Provincial party advisory bodies after"),
    _f("province_party_body_deputies_after", "int", "Tổng số cấp phó các cơ quan tham mưu, giúp việc Tỉnh ủy",
       "Deputies of the provincial party advisory bodies after"),
    _f("removed_positions", "int", "Tổng biên chế bị cắt giảm của các tổ chức", "Counted positions removed in total", missing=NO_BEFORE),
    _f("settled_positions", "int", "Tổng biên chế dôi dư đã có phương án", "Removed positions matched by transitions", missing=NO_BEFORE),
    _f("unsettled_positions", "int", "Tổng biên chế dôi dư chưa có phương án", "Removed positions not matched by transitions", missing=NO_BEFORE),
]

_ORG = [
    _f("status", "string", "Tình trạng qua sắp xếp: mới, giữ nguyên, hình thành do sáp nhập, bị sáp nhập, giải thể",
       "What the plan does to it: new, continuing, formed (merger), merged_away, dissolved", choices=STATUSES),
    _f("in_before", "bool", "Có trong cấu trúc trước sắp xếp", "Present in `before`"),
    _f("in_after", "bool", "Có trong cấu trúc sau sắp xếp", "Present in `after`"),
    _f("type", "string", "Loại tổ chức", "Organisation type", choices=ORG_TYPES),
    _f("level", "string", "Cấp (tỉnh, huyện, xã)", "Level (province, district, commune)",
       missing=("tổ chức không ghi `level`", "the organisation gives no `level`"), choices=LEVELS),
    _f("parent_type", "string", "Loại của tổ chức cấp trên", "Type of the parent organisation", missing=NO_PARENT, choices=ORG_TYPES),
    _f("intermediate", "bool", "Là cấp trung gian", "Is an intermediate level"),
    _f("was_intermediate", "bool", "Đã là cấp trung gian trước sắp xếp, hoặc hình thành từ một tổ chức trung gian",
       "Was intermediate before, or was formed from an intermediate organisation"),
    _f("effective", "bool", "Được đánh giá hoạt động hiệu quả", "Assessed as operating effectively"),
    _f("heads", "int", "Số cấp trưởng", "Heads"),
    _f("deputies", "int", "Số cấp phó", "Deputies"),
    _f("civil_servants", "int", "Biên chế cán bộ, công chức", "Civil servant posts"),
    _f("public_employees", "int", "Biên chế viên chức", "Public employee posts"),
    _f("contract", "int", "Hợp đồng lao động", "Contract staff"),
    _f("counted_staff", "int", "Biên chế được tính (theo tham số staff.counted_categories)", "Counted staff (categories of staff.counted_categories)"),
    _f("job_positions", "int", "Số vị trí việc làm được duyệt", "Approved job positions",
       missing=("tổ chức không ghi `job_positions`", "the organisation gives no `job_positions`")),
    _f("deputies_before", "int", "Số cấp phó trước sắp xếp", "Deputies before", missing=NOT_IN_BEFORE),
    _f("counted_staff_before", "int", "Biên chế được tính trước sắp xếp", "Counted staff before", missing=NOT_IN_BEFORE),
    _f("effective_before", "bool", "Được đánh giá hoạt động hiệu quả trước sắp xếp", "Assessed as effective before", missing=NOT_IN_BEFORE),
    _f("children_after", "int", "Số đầu mối trực thuộc sau sắp xếp", "Direct children after"),
    _f("children_before", "int", "Số đầu mối trực thuộc trước sắp xếp", "Direct children before", missing=NOT_IN_BEFORE),
    _f("internal_units_after", "int", "Số phòng và tương đương trực thuộc sau sắp xếp", "Internal units (phòng) directly under it after"),
    _f("parent_deputies", "int", "Số cấp phó của tổ chức cấp trên", "Deputies of the parent organisation", missing=NO_PARENT),
    _f("province_class", "int", "Loại đơn vị hành chính cấp tỉnh (của kế hoạch)", "Province class (of the plan)", missing=NO_PROVINCE_CLASS),
    _f("sources", "int", "Số tổ chức được sáp nhập vào (formed_from)", "Organisations merged into it (formed_from)"),
    _f("group_lead", "bool", "Là tổ chức đại diện của một nhóm sáp nhập", "Represents a merger group"),
    _f("group_size", "int", "Số tổ chức trong nhóm sáp nhập (trước và sau)", "Organisations in the merger group (before and after)", missing=NO_GROUP),
    _f("group_staff_before", "int", "Biên chế được tính của nhóm sáp nhập trước sắp xếp", "Counted staff of the merger group before", missing=NO_GROUP),
    _f("group_staff_after", "int", "Biên chế được tính của nhóm sáp nhập sau sắp xếp", "Counted staff of the merger group after", missing=NO_GROUP),
    _f("group_deputies_before", "int", "Số cấp phó của nhóm sáp nhập trước sắp xếp", "Deputies of the merger group before", missing=NO_GROUP),
    _f("group_deputies_after", "int", "Số cấp phó của nhóm sáp nhập sau sắp xếp", "Deputies of the merger group after", missing=NO_GROUP),
    _f("settlement_unit", "bool", "Là đơn vị tính biên chế dôi dư (tổ chức hoặc nhóm sáp nhập)", "Accounts for removed positions (an organisation or a merger group)"),
    _f("removed_positions", "int", "Biên chế được tính bị cắt giảm", "Counted positions removed", missing=NOT_SETTLEMENT),
    _f("settled_positions", "int", "Biên chế dôi dư đã có phương án (transitions)", "Removed positions matched by transitions", missing=NOT_SETTLEMENT),
    _f("unsettled_positions", "int", "Biên chế dôi dư chưa có phương án", "Removed positions not matched by transitions", missing=NOT_SETTLEMENT),
    _f("transfers_in", "int", "Biên chế điều chuyển đến từ nơi khác", "Positions transferred in from elsewhere", missing=NOT_SETTLEMENT),
    _f("staff_gain", "int", "Biên chế tăng thêm (sau trừ trước)", "Counted staff gained (after minus before)", missing=NOT_SETTLEMENT),
    _f("pilot", "bool", "Là mô hình thí điểm", "Is a pilot model"),
    _f("pilot_approved", "bool", "Mô hình thí điểm có văn bản cho phép", "The pilot cites its approval"),
    _f("pilot_unknown_exemptions", "int", "Số quy tắc không tồn tại trong danh sách miễn trừ của mô hình thí điểm",
       "Exemptions of the pilot that name no existing rule"),
    _f("pilot_unknown_exemption_list", "string", "Các quy tắc không tồn tại được miễn trừ", "The unknown rules the pilot names",
       missing=("không có quy tắc lạ", "no unknown rule")),
    _f("head_person", "string", "Người đứng đầu (mã người)", "Head of the organisation (person id)",
       missing=("kế hoạch không ghi người đứng đầu", "the plan names no head")),
]

_TASK = [
    _f("in_before", "bool", "Có trong cấu trúc trước sắp xếp", "Present in `before`"),
    _f("in_after", "bool", "Có trong cấu trúc sau sắp xếp", "Present in `after`"),
    _f("retired", "bool", "Được chủ động chấm dứt, có lý do (retired)", "Deliberately ended with a reason (retired)"),
    _f("lead_count", "int", "Số đơn vị chủ trì", "Number of lead organisations",
       missing=("nhiệm vụ không ghi `lead`", "the task gives no `lead`")),
    _f("lead_person_count", "int", "Số người chủ trì", "Number of lead persons",
       missing=("nhiệm vụ không ghi `lead_person`", "the task gives no `lead_person`")),
    _f("support_count", "int", "Số đơn vị phối hợp", "Number of supporting organisations"),
    _f("lead_list", "string", "Các đơn vị chủ trì", "The lead organisations",
       missing=("nhiệm vụ không ghi `lead`", "the task gives no `lead`")),
    _f("lead_person_list", "string", "Những người chủ trì (mã người)", "The lead persons (person ids)",
       missing=("nhiệm vụ không nêu người chủ trì nào (`lead_person` không có hoặc rỗng)",
                "the task names no lead person (`lead_person` absent or empty)")),
]

_UNIT = [
    _f("status", "string", "Tình trạng qua sắp xếp", "What the plan does to it", choices=STATUSES),
    _f("in_before", "bool", "Có trong cấu trúc trước sắp xếp", "Present in `before`"),
    _f("in_after", "bool", "Có trong cấu trúc sau sắp xếp", "Present in `after`"),
    _f("level", "string", "Cấp: huyện, xã, khóm/ấp", "Level: district, commune, hamlet", choices=UNIT_LEVELS),
    _f("kind", "string", "Loại: huyện, thị xã, thành phố, xã, phường, thị trấn, ấp, khóm", "Kind", choices=UNIT_KINDS,
       missing=("đơn vị không ghi `kind`", "the unit gives no `kind`")),
    _f("parent_kind", "string", "Loại của đơn vị cấp trên", "Kind of the parent unit", choices=UNIT_KINDS,
       missing=("đơn vị không có đơn vị cấp trên ghi `kind`", "the unit has no parent with a `kind`")),
    _f("terrain", "string", "Địa hình: đồng bằng, miền núi, biên giới, hải đảo", "Terrain", choices=TERRAINS,
       missing=("đơn vị không ghi `terrain`", "the unit gives no `terrain`")),
    _f("mountain", "bool", "Thuộc miền núi, vùng cao", "Mountain or highland"),
    _f("border_island", "bool", "Thuộc biên giới hoặc hải đảo", "Border or island"),
    _f("ethnic_minority", "bool", "Có yếu tố dân tộc thiểu số (Nghị quyết 112/2025/UBTVQH15)",
       "Has ethnic-minority factors (Resolution 112/2025/UBTVQH15)"),
    _f("reduced_standard", "bool", "Có yếu tố dân tộc thiểu số hoặc biên giới: từ 2026 chỉ cần 50% tiêu chuẩn dân số",
       "Ethnic-minority or border unit: from 2026 it needs 50% of the population standard"),
    _f("population", "int", "Quy mô dân số (người)", "Population",
       missing=("đơn vị không ghi `population`", "the unit gives no `population`")),
    _f("area_km2", "number", "Diện tích tự nhiên (km²)", "Natural area (km²)",
       missing=("đơn vị không ghi `area_km2`", "the unit gives no `area_km2`")),
    _f("households", "int", "Số hộ gia đình", "Households",
       missing=("đơn vị không ghi `households`", "the unit gives no `households`")),
    _f("unit_class", "int", "Phân loại đơn vị hành chính (1, 2, 3)", "Unit class (1, 2, 3)",
       missing=("đơn vị không ghi `class`", "the unit gives no `class`")),
    _f("part_time_workers", "int", "Số người hoạt động không chuyên trách", "Part-time workers",
       missing=("đơn vị không ghi `part_time_workers`", "the unit gives no `part_time_workers`")),
    _f("allowance_mode", "string", "Cách chi phụ cấp: khoán hoặc theo người", "Allowance mode: lump_sum or per_person",
       choices=("lump_sum", "per_person"), missing=("đơn vị không ghi `allowance`", "the unit gives no `allowance`")),
    _f("fund_coefficient", "number", "Quỹ phụ cấp khoán (hệ số × lương cơ sở)", "Allowance fund (× base salary)",
       missing=("đơn vị không ghi `allowance.fund_coefficient`", "the unit gives no `allowance.fund_coefficient`")),
    _f("part_time_extra", "int", "Số người hoạt động không chuyên trách được tăng thêm theo dân số và diện tích (Nghị định 33/2023)",
       "Extra part-time workers allowed for population and area above the standard (Decree 33/2023); 0 while no addition is in force",
       missing=("không tính được: thiếu dân số, diện tích, loại đơn vị hoặc tiêu chuẩn của nó",
                "cannot be computed: population, area, kind or its standard is missing")),
    _f("communes", "int", "Số đơn vị cấp xã trực thuộc", "Commune-level units under it"),
    _f("towns", "int", "Số thị trấn trực thuộc", "Towns (thị trấn) under it"),
    _f("wards", "int", "Số phường trực thuộc", "Wards (phường) under it"),
    _f("sources", "int", "Số đơn vị được sáp nhập vào (formed_from)", "Units merged into it (formed_from)"),
]

_PERSON = [
    _f("is_head", "bool", "Giữ chức vụ cấp trưởng (sau sắp xếp)", "Holds a head post (after)"),
    _f("is_deputy", "bool", "Giữ chức vụ cấp phó (sau sắp xếp)", "Holds a deputy post (after)"),
    _f("posts", "int", "Số chức danh đảm nhiệm (kể cả kiêm nhiệm)", "Posts held (concurrent posts included)"),
    _f("latest_rating", "string", "Xếp loại năm gần nhất", "Rating of the latest rated year", choices=RATINGS,
       missing=("người này chưa có xếp loại", "the person has no rating")),
    _f("latest_rating_year", "int", "Năm xếp loại gần nhất", "Latest rated year",
       missing=("người này chưa có xếp loại", "the person has no rating")),
]

CATALOGUE: Mapping[str, Mapping[str, FactSpec]] = {
    kind: {f.name: f for f in facts}
    for kind, facts in (("plan", _PLAN), ("organization", _ORG), ("task", _TASK),
                        ("admin_unit", _UNIT), ("person", _PERSON))
}

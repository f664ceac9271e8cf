"""Vietnamese labels of the enumerated values in plans and rules: one table for every front-end.

Officers write ``kind: ấp``, ``level: tỉnh`` or ``type: sở``; the files keep English codes
(``ap``, ``province``, ``department``).  :data:`ENUM_LABELS` names each value in both languages,
:data:`ALIASES` adds the other spellings officers use, and :func:`normalise_enum` maps any of
them, with or without diacritics and in any case, to the code.  Loading normalises plans and rules
with :func:`normalise_data`; a near miss is suggested by :func:`suggest_enum`.  Spreadsheet
drop-downs use the same labels.
"""
from __future__ import annotations

import difflib
import unicodedata
from typing import Any, Mapping, Optional

from .errors import Text

__all__ = ["ALIASES", "ENUM_LABELS", "enum_name", "fold", "label", "normalise_data", "normalise_enum",
           "suggest_enum"]

ENUM_LABELS: dict[str, dict[str, Text]] = {
    "organization.type": {
        "party_committee": Text("cấp ủy", "party committee"),
        "party_body": Text("ban, cơ quan tham mưu của cấp ủy", "party body"),
        "people_committee": Text("ủy ban nhân dân", "people's committee"),
        "people_council": Text("hội đồng nhân dân", "people's council"),
        "department": Text("sở", "department"),
        "district_office": Text("phòng chuyên môn cấp huyện", "district office"),
        "sub_department": Text("chi cục", "sub-department"),
        "internal_unit": Text("phòng, ban, văn phòng nội bộ", "internal unit"),
        "inspectorate": Text("thanh tra", "inspectorate"),
        "mass_organization": Text("đoàn thể", "mass organisation"),
        "public_service_unit": Text("đơn vị sự nghiệp công lập", "public service unit"),
        "other": Text("khác", "other"),
    },
    "organization.level": {
        "province": Text("tỉnh", "province"),
        "district": Text("huyện", "district"),
        "commune": Text("xã", "commune"),
    },
    "admin_unit.level": {
        "district": Text("cấp huyện", "district"),
        "commune": Text("cấp xã", "commune"),
        "hamlet": Text("ấp, khóm", "hamlet"),
    },
    "admin_unit.kind": {
        "huyen": Text("huyện", "rural district"),
        "thi_xa": Text("thị xã", "town"),
        "thanh_pho": Text("thành phố", "city"),
        "xa": Text("xã", "rural commune"),
        "phuong": Text("phường", "ward"),
        "thi_tran": Text("thị trấn", "township"),
        "dac_khu": Text("đặc khu", "special zone"),
        "ap": Text("ấp", "rural hamlet"),
        "khom": Text("khóm", "urban hamlet"),
    },
    "admin_unit.terrain": {
        "plains": Text("đồng bằng", "plains"),
        "mountain": Text("miền núi", "mountain"),
        "border": Text("biên giới", "border"),
        "island": Text("hải đảo", "island"),
    },
    "approval.status": {
        "draft": Text("dự thảo", "draft"),
        "submitted": Text("đã trình", "submitted"),
        "approved": Text("đã phê duyệt", "approved"),
    },
    "allowance.mode": {
        "lump_sum": Text("khoán", "lump sum"),
        "per_person": Text("theo người", "per person"),
    },
    "post.role": {
        "head": Text("người đứng đầu", "head"),
        "deputy": Text("cấp phó", "deputy"),
        "member": Text("thành viên", "member"),
    },
    "person.rating": {
        "excellent": Text("hoàn thành xuất sắc nhiệm vụ", "excellent"),
        "good": Text("hoàn thành tốt nhiệm vụ", "good"),
        "completed": Text("hoàn thành nhiệm vụ", "completed"),
        "not_completed": Text("không hoàn thành nhiệm vụ", "not completed"),
    },
    "transition.outcome": {
        "transfer": Text("điều động", "transfer"),
        "retirement": Text("nghỉ hưu", "retirement"),
        "early_retirement": Text("nghỉ hưu trước tuổi", "early retirement"),
        "resignation": Text("thôi việc", "resignation"),
        "streamlining": Text("tinh giản biên chế", "streamlining"),
        "contract_end": Text("chấm dứt hợp đồng", "contract end"),
    },
    "severity": {
        "error": Text("lỗi", "error"),
        "warning": Text("cảnh báo", "warning"),
        "info": Text("thông tin", "info"),
    },
    "check.applies_to": {
        "plan": Text("đề án", "plan"),
        "organization": Text("tổ chức", "organisation"),
        "task": Text("nhiệm vụ", "task"),
        "admin_unit": Text("đơn vị hành chính", "administrative unit"),
        "person": Text("người", "person"),
    },
}

#: Other spellings officers use for a value, besides its code and its label.
ALIASES: dict[str, dict[str, str]] = {
    "organization.type": {
        "tỉnh ủy": "party_committee", "huyện ủy": "party_committee", "đảng ủy": "party_committee",
        "ban đảng": "party_body", "ubnd": "people_committee", "hđnd": "people_council",
        "phòng": "district_office", "phòng chuyên môn": "district_office",
        "phòng thuộc sở": "internal_unit", "đơn vị trực thuộc": "internal_unit",
        "đơn vị bên trong": "internal_unit", "mặt trận, đoàn thể": "mass_organization",
        "mặt trận tổ quốc": "mass_organization", "tổ chức chính trị - xã hội": "mass_organization",
        "đơn vị sự nghiệp": "public_service_unit",
    },
    "organization.level": {"cấp tỉnh": "province", "cấp huyện": "district", "cấp xã": "commune"},
    "admin_unit.level": {"huyện": "district", "xã": "commune", "ấp": "hamlet", "khóm": "hamlet"},
    "admin_unit.terrain": {"núi": "mountain", "đảo": "island"},
    "approval.status": {"đã duyệt": "approved", "nháp": "draft"},
    "post.role": {"trưởng": "head", "phó": "deputy", "cấp trưởng": "head"},
    "person.rating": {"xuất sắc": "excellent", "tốt": "good", "hoàn thành": "completed",
                      "không hoàn thành": "not_completed"},
    "transition.outcome": {"chuyển công tác": "transfer", "điều chuyển": "transfer", "nghỉ việc": "resignation"},
    "allowance.mode": {"khoán quỹ": "lump_sum", "theo số người": "per_person"},
    "check.applies_to": {"cá nhân": "person", "kế hoạch": "plan"},
}


def fold(text: str) -> str:
    """Text compared the way officers read it: no diacritics, no case, ``_`` and spaces alike."""
    decomposed = unicodedata.normalize("NFD", text.strip().lower().replace("đ", "d"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.replace("_", " ").replace("-", " - ").split()).replace(" - ", "-")


def _spellings(name: str) -> dict[str, str]:
    """Every folded spelling of the enumeration ``name`` -> its code."""
    table = {}
    for code, text in ENUM_LABELS[name].items():
        table[fold(text.vi)] = table[fold(text.en)] = code
    for alias, code in ALIASES.get(name, {}).items():
        table[fold(alias)] = code
    for code in ENUM_LABELS[name]:
        table[fold(code)] = code
    return table


_SPELLINGS = {name: _spellings(name) for name in ENUM_LABELS}
_BY_VALUES = {frozenset(values): name for name, values in ENUM_LABELS.items()}


def normalise_enum(name: str, text: str) -> Optional[str]:
    """The code of enumeration ``name`` that ``text`` spells (a code, label or alias), else None."""
    if not isinstance(text, str) or name not in _SPELLINGS:
        return None
    return _SPELLINGS[name].get(fold(text))


def label(name: str, code: str, lang: str = "vi") -> str:
    """The label of ``code`` in ``lang``; the code itself when it has none."""
    text = ENUM_LABELS.get(name, {}).get(code)
    return text(lang) if text else code


def suggest_enum(name: str, text: str) -> Optional[str]:
    """The code whose spelling is nearest to ``text`` (a typo of a label or code), or None."""
    if not isinstance(text, str) or name not in _SPELLINGS:
        return None
    table = _SPELLINGS[name]
    near = difflib.get_close_matches(fold(text), list(table), n=1, cutoff=0.6)
    return table[near[0]] if near else None


def enum_name(allowed) -> Optional[str]:
    """The enumeration whose codes are the strings of a schema's ``enum`` list, if it is one of ours."""
    return _BY_VALUES.get(frozenset(a for a in allowed if isinstance(a, str)))


def normalise_data(data: Any, schema: Mapping) -> Any:
    """Replace, in place, every label or alias in ``data`` by its code, where ``schema`` (a JSON
    Schema with local ``$ref``s) expects one of our enumerations; returns ``data``.

    The walk follows the data, so its cost is bounded by the size of the input.
    """
    _walk(data, schema, schema.get("$defs", {}), 0)
    return data


def _resolve(node: Any, defs: Mapping) -> Mapping:
    for _ in range(16):  # a chain of references, never a loop
        ref = node.get("$ref") if type(node) is dict or isinstance(node, Mapping) else None
        if not (isinstance(ref, str) and ref.startswith("#/$defs/")):
            break
        node = defs.get(ref.rsplit("/", 1)[1], {})
    return node if type(node) is dict or isinstance(node, Mapping) else {}


def _fixed(value: Any, node: Mapping) -> Any:
    """``value`` as a code when ``node`` lists one of our enumerations and ``value`` spells it."""
    allowed = node.get("enum")
    if type(value) is not str and not isinstance(value, str) or not isinstance(allowed, list) or value in allowed:
        return value
    name = enum_name(allowed)
    return (normalise_enum(name, value) or value) if name else value


def _walk(data: Any, node: Mapping, defs: Mapping, depth: int, shapes: Optional[dict] = None) -> None:
    """Schemas are plain dicts, so the common tests are on exact types (a ``typing.Mapping``
    check costs a hundred times more, and this walk visits every value of a plan); each schema
    node's children are resolved once per walk (``shapes``)."""
    shapes = {} if shapes is None else shapes
    node = _resolve(node, defs)
    if depth > 64 or not node:
        return
    if isinstance(data, dict):
        props, extra = _shape(node, defs, shapes)
        for key, value in data.items():
            child = props.get(key, extra) if type(key) is str or isinstance(key, str) else extra
            if child:
                data[key] = _fixed(value, child)
                if type(value) is dict or type(value) is list or isinstance(value, (dict, list)):
                    _walk(data[key], child, defs, depth + 1, shapes)
    elif isinstance(data, list):
        item = _resolve(node.get("items") or {}, defs)
        if item:
            for i, value in enumerate(data):
                data[i] = _fixed(value, item)
                if type(value) is dict or type(value) is list or isinstance(value, (dict, list)):
                    _walk(data[i], item, defs, depth + 1, shapes)


def _shape(node: Mapping, defs: Mapping, shapes: dict) -> tuple[dict, Mapping]:
    """(resolved node of each property, resolved node of other keys) of a mapping's schema."""
    found = shapes.get(id(node))
    if found is None or found[0] is not node:
        props, extra = node.get("properties", {}), node.get("additionalProperties")
        extra = _resolve(extra, defs) if extra else {}
        resolved = {k: (_resolve(v, defs) if v else {}) for k, v in props.items()} if isinstance(props, Mapping) else {}
        found = shapes[id(node)] = (node, resolved, extra)
    return found[1], found[2]

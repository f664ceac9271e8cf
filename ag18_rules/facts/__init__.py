"""Facts derived from a plan, and the catalogue that documents them."""
from .catalogue import CATALOGUE, KINDS, FactSpec
from .dated import with_dated_facts
from .derive import EntityRef, FactTable, derive

__all__ = ["CATALOGUE", "KINDS", "EntityRef", "FactSpec", "FactTable", "derive", "render_markdown", "with_dated_facts"]


def render_markdown() -> str:
    """The fact catalogue as Markdown, for ``docs/facts.md`` (officers read it there)."""
    out = [
        "# Fact catalogue / Danh mục dữ kiện",
        "",
        "Rule conditions (`where`, `require`) read these facts of the entity they apply to.",
        "Điều kiện của quy tắc đọc các dữ kiện dưới đây của đối tượng mà quy tắc áp dụng.",
        "A fact marked *may be absent* has no value in the case given; a condition that needs",
        "it is then *not applicable* for that entity, with that reason.",
        "",
        "Generated from `ag18_rules/facts/catalogue.py` by `python -m ag18_rules.facts`.",
    ]
    for kind in KINDS:
        out += ["", f"## `{kind}`", "", "| fact | type | Tiếng Việt | English | may be absent when |",
                "|---|---|---|---|---|"]
        for spec in CATALOGUE[kind].values():
            typ = spec.type.base + (f" ({', '.join(spec.type.choices)})" if spec.type.choices else "")
            missing = spec.missing.en if spec.missing else ""
            out.append(f"| `{spec.name}` | {typ} | {spec.doc.vi} | {spec.doc.en} | {missing} |")
    return "\n".join(out) + "\n"

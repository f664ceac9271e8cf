"""Rule specs -> a compiled, backend-neutral rule set, built once per policy.

Each check's conditions are parsed and type-checked against the fact catalogue and the types of
the parameters it names; every problem of every rule is reported together, at its position in
the rule file.  Parameter aliases are rewritten to field names shared by all rules
(``p__<parameter id>``), so a parameter is resolved once per entity whoever reads it.
"""
from __future__ import annotations

import datetime as dt
import re
import string
from collections import ChainMap
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable, Iterable, Mapping, Optional

from .backends.base import CheckProgram
from .errors import Diagnostic, InputError, Span, Text
from .expr import ExprError, check, compile_expr, parse
from .expr.nodes import Binary, In, Literal, Name, Node, Unary
from .expr.types import Type
from .facts import CATALOGUE
from .parameters import ParameterSet
from .rulespec import CheckSpec, Located, RuleSpec
from .schema import closest

__all__ = ["CompiledCase", "CompiledCheck", "CompiledRule", "compile_rules", "param_field", "PLACEHOLDER_EXTRAS"]

#: placeholders every message may use besides the check's facts and parameters
PLACEHOLDER_EXTRAS = ("id", "name")


@lru_cache(maxsize=None)
def param_field(parameter_id: str) -> str:
    """The fact field that carries a parameter's resolved value for an entity."""
    return "p__" + re.sub(r"[^A-Za-z0-9]", "_", parameter_id)


@dataclass(frozen=True)
class CompiledCase:
    """A severity case of a check, ready to decide a finding's severity (see :class:`SeverityCase`)."""

    severity: str
    when_fn: Optional[Callable[[Mapping], object]]
    until: Optional[dt.date]
    within_years: Optional[str]  # parameter id
    note: Optional[Text]

    def last_day(self, plan_effective: Optional[dt.date], params) -> Optional[dt.date]:
        """The last day the case can hold: its ``until``, or the end of its window of years from the
        plan's effective date (the parameter read on that date); ``date.max`` when unbounded, None
        when the window has no value (then the case never holds)."""
        if self.within_years is None:
            return self.until or dt.date.max
        found = params.get(self.within_years).resolve(plan_effective, {}) if plan_effective else None
        if found is None:
            return None
        years = int(found.value)
        try:
            end = plan_effective.replace(year=plan_effective.year + years)
        except ValueError:  # 29 February
            end = plan_effective.replace(year=plan_effective.year + years, day=28)
        last = end - dt.timedelta(days=1)
        return min(last, self.until) if self.until else last

    def holds(self, as_of: dt.date, values: Mapping, plan_effective: Optional[dt.date], params) -> Optional[dt.date]:
        """The case's last day when it holds for an entity with ``values`` on ``as_of``, else None."""
        if self.when_fn is not None and self.when_fn(values) is not True:
            return None
        last = self.last_day(plan_effective, params)
        return last if last is not None and as_of <= last else None


@dataclass(frozen=True)
class CompiledCheck:
    rule: str
    spec: CheckSpec
    program: CheckProgram
    where_fn: Callable[[Mapping], object]
    require_fn: Callable[[Mapping], object]
    where_source: Node  # with the author's names, for explanations
    require_source: Node
    parameters: Mapping[str, str]  # alias -> parameter id
    cases: tuple[CompiledCase, ...] = ()

    def severity_case(self, as_of: dt.date, values: Mapping, plan_effective: Optional[dt.date],
                      params) -> Optional[tuple[CompiledCase, dt.date]]:
        """The first severity case that holds for an entity on ``as_of``, with its last day; None if none."""
        for case in self.cases:
            last = case.holds(as_of, values, plan_effective, params)
            if last is not None:
                return case, last
        return None

    def cases_on(self, as_of: dt.date, plan_effective: Optional[dt.date], params) -> tuple:
        """The severity cases that can hold on ``as_of`` for a plan in effect from ``plan_effective``,
        each with its last day (the date alone decides that; ``when`` then decides per entity)."""
        out = []
        for case in self.cases:
            last = case.last_day(plan_effective, params)
            if last is not None and as_of <= last:
                out.append((case, last))
        return tuple(out)

    @property
    def key(self) -> str:
        return self.program.key

    def alias_values(self, values: Mapping) -> Mapping:
        """The entity's values under the names the rule's author wrote (the parameters' aliases
        over its facts; the facts are read from ``values`` when asked for)."""
        return ChainMap({alias: values.get(param_field(pid)) for alias, pid in self.parameters.items()}, values)


@dataclass(frozen=True)
class CompiledRule:
    spec: RuleSpec
    checks: tuple[CompiledCheck, ...]

    @property
    def id(self) -> str:
        return self.spec.id


def compile_rules(specs: Iterable[RuleSpec], params: ParameterSet) -> tuple[CompiledRule, ...]:
    problems: list[Diagnostic] = []
    clause_ids = _clause_ids(params)
    rules = []
    for spec in specs:
        problems += _check_clauses(spec, clause_ids, params)
        checks = []
        for c in spec.checks:
            compiled = _compile_check(spec, c, params, problems)
            if compiled is not None:
                checks.append(compiled)
        if spec.target is not None:
            problems += _check_target(spec)
        rules.append(CompiledRule(spec, tuple(checks)))
    if problems:
        raise InputError(problems)
    return tuple(rules)


def _clause_ids(params: ParameterSet) -> Mapping[str, object]:
    programme = getattr(params, "programme", None)
    clauses = getattr(programme, "clauses", None) or ()
    return {c.id: c for c in clauses}


def _hint(hint: Optional[str], form: str = "'%s'") -> Text:
    """The "did you mean" tail of a message, empty when there is no near miss."""
    if not hint:
        return Text("", "")
    return Text(f"; có phải ý là {form % hint}?", f"; did you mean {form % hint}?")


def _check_clauses(spec: RuleSpec, clauses: Mapping[str, object], params) -> list[Diagnostic]:
    out = []
    for i, cid in enumerate(spec.clause):
        if cid not in clauses:
            hint = closest(cid, clauses)
            out.append(spec.doc.diagnostic("unknown-clause", Text(
                f"Điều khoản '{cid}' không có trong chương trình 19-CTr/TU" + _hint(hint).vi,
                f"Clause '{cid}' is not in programme 19-CTr/TU" + _hint(hint).en),
                ("clause", i)))
    if spec.quote and clauses and not out:
        quotes = " ".join(_norm(getattr(clauses[c], "quote_vi", "")) for c in spec.clause)
        for part in re.split(r"\.\.\.|…", spec.quote):
            if _norm(part) and _norm(part) not in quotes:
                out.append(spec.doc.diagnostic("quote-mismatch", Text(
                    f"Trích dẫn không khớp nguyên văn điều khoản {', '.join(spec.clause)}: \"{part.strip()}\"",
                    f"The quote does not match the words of clause {', '.join(spec.clause)}: \"{part.strip()}\""),
                    ("quote",)))
                break
    return out


def _norm(text: str) -> str:
    return " ".join(text.replace("\u201c", "").replace("\u201d", "").replace('"', "").split()).strip(" .,;")


def _param_type(param) -> Optional[Type]:
    """The type conditions see for a parameter: the common type of its leaves (None for a list)."""
    leaves = []

    def walk(value):
        if isinstance(value, Mapping):
            is_bracket = "value" in value and set(value) <= {"value", "below"}
            for leaf in ([value["value"]] if is_bracket else value.values()):
                walk(leaf)
        elif isinstance(value, (list, tuple)):
            if value and all(isinstance(v, str) for v in value):
                leaves.append(tuple(value))  # a list of names, e.g. staff categories
            for item in value:
                if not isinstance(item, str):
                    walk(item)
        elif value is not None:
            leaves.append(value)

    for _, entry in param.values:
        walk(entry.value)
    if any(isinstance(v, tuple) for v in leaves):
        return None
    if not leaves:
        return Type("number", True)
    if all(isinstance(v, bool) for v in leaves):
        return Type("bool", True)
    if all(isinstance(v, str) for v in leaves):
        return Type("string", True)
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in leaves):
        return Type("int" if all(isinstance(v, int) for v in leaves) else "number", True)
    return None


def _compile_check(rule: RuleSpec, c: CheckSpec, params: ParameterSet, problems: list) -> Optional[CompiledCheck]:
    facts = CATALOGUE[c.applies_to]
    env: dict[str, Type] = {name: spec.type for name, spec in facts.items()}
    fields: dict[str, str] = {}
    ok = True
    for alias, located in c.parameters.items():
        pid = located.text
        if alias in facts:
            problems.append(_at(located, "alias-shadows-fact", Text(
                f"Tên '{alias}' trùng với một dữ kiện; hãy đặt tên khác cho tham số",
                f"The name '{alias}' is already a fact; give the parameter another name")))
            ok = False
            continue
        if pid not in params:
            hint = closest(pid, params.ids())
            problems.append(_at(located, "unknown-parameter", Text(
                f"Tham số '{pid}' không có trong chính sách" + _hint(hint).vi,
                f"Parameter '{pid}' is not in the policy" + _hint(hint).en)))
            ok = False
            env[alias] = Type("number", True)  # keeps the conditions' own problems from cascading
            continue
        param = params.get(pid)
        for needed in param.facts_needed():
            if needed not in facts:
                problems.append(_at(located, "parameter-index", Text(
                    f"Tham số '{pid}' tra theo dữ kiện '{needed}', nhưng đối tượng '{c.applies_to}' không có dữ kiện này",
                    f"Parameter '{pid}' is looked up by fact '{needed}', which '{c.applies_to}' entities do not have")))
                ok = False
        typ = _param_type(param)
        if typ is None:
            problems.append(_at(located, "parameter-type", Text(
                f"Tham số '{pid}' không phải là số, chuỗi hay đúng/sai nên không dùng được trong điều kiện",
                f"Parameter '{pid}' is not a number, string or boolean, so conditions cannot use it")))
            ok = False
            continue
        env[alias] = typ
        fields[alias] = param_field(pid)

    where = _expr(c.where, env, problems) if c.where else Literal(True)
    require = _expr(c.require, env, problems)
    placeholders_ok = _check_placeholders(rule, c, env, problems)
    values_ok = _check_values(rule, c, env, problems)
    if where is None or require is None or not ok or not placeholders_ok or not values_ok:
        return None
    types = {fields.get(n, n): env[n] for n in env}
    w, r = _rename(where, fields), _rename(require, fields)
    program = CheckProgram(
        key=f"{rule.id}/{c.id}", kind=c.applies_to, where=w, require=r,
        types={n: types[n] for n in sorted(_names(w) | _names(r))},
    )
    cases = _compile_cases(c, env, fields, params, problems)
    if cases is None:
        return None
    return CompiledCheck(rule.id, c, program, compile_expr(w), compile_expr(r), where, require,
                         {a: l.text for a, l in c.parameters.items()}, cases)


def _compile_cases(c: CheckSpec, env: Mapping[str, Type], fields: Mapping[str, str], params: ParameterSet,
                   problems: list) -> Optional[tuple[CompiledCase, ...]]:
    """The check's severity cases: conditions type-checked like ``where``, windows naming a parameter,
    notes using only the check's placeholders and {until}."""
    out, ok = [], True
    for i, case in enumerate(c.severity_cases):
        when = _expr(case.when, env, problems) if case.when is not None else None
        if case.when is not None and when is None:
            ok = False
        years = case.within_years.text if case.within_years is not None else None
        if years is not None and years not in params:
            hint = closest(years, params.ids())
            problems.append(_at(case.within_years, "unknown-parameter", Text(
                f"Tham số '{years}' không có trong chính sách" + _hint(hint).vi,
                f"Parameter '{years}' is not in the policy" + _hint(hint).en)))
            ok = False
        if case.note is not None and not _note_ok(case.note, env, case.span, problems):
            ok = False
        out.append(CompiledCase(case.severity, compile_expr(_rename(when, fields)) if when is not None else None,
                                case.until, years, case.note))
    return tuple(out) if ok else None


def _note_ok(note: Text, env: Mapping[str, Type], span: Span, problems: list) -> bool:
    allowed = set(env) | set(PLACEHOLDER_EXTRAS) | {"until"}
    for lang in ("vi", "en"):
        try:
            names = {f for _, f, _, _ in string.Formatter().parse(getattr(note, lang)) if f is not None}
        except ValueError as exc:
            problems.append(Diagnostic("bad-template", Text(f"Mẫu câu không hợp lệ: {exc}",
                                                            f"Malformed message template: {exc}"), span))
            return False
        for name in sorted(names - allowed):
            problems.append(Diagnostic("unknown-placeholder", Text(
                f"Chỗ trống {{{name}}} không phải dữ kiện, tham số của kiểm tra hay {{until}}",
                f"Placeholder {{{name}}} is not a fact or parameter of the check, nor {{until}}"), span))
            return False
    return True


def _expr(located: Located, env: Mapping[str, Type], problems: list) -> Optional[Node]:
    try:
        node = parse(located.text)
    except ExprError as exc:
        problems.append(_at(located, exc.code, exc.message, exc.pos))
        return None
    typ, errors = check(node, env, want_bool=True)
    for exc in errors:
        problems.append(_at(located, exc.code, exc.message, exc.pos))
    return None if errors else node


def _at(located: Located, code: str, message: Text, pos: int = 0) -> Diagnostic:
    """A diagnostic at character ``pos`` of an expression written in a rule file."""
    span = located.span
    if located.style in ("'", '"'):
        span = span.shifted(pos + 1)
    elif located.style in ("|", ">"):
        before = located.text[:pos]
        line = before.count("\n")
        col = pos - (before.rfind("\n") + 1)
        span = Span(span.file, span.line + 1 + line, _indent_col(located) + col)
    else:
        span = span.shifted(pos)
    return Diagnostic(code, message, span, path="")


def _indent_col(located: Located) -> int:
    return max(1, located.span.col + 2)


def _bad_template(rule: RuleSpec, span, template: str, exc: ValueError) -> Diagnostic:
    """A malformed message template, at the brace at fault, with what to write instead."""
    from .yamlerrors import template_problem

    found = template_problem(template)
    if found is None:
        return Diagnostic("bad-template", Text(f"Mẫu câu không hợp lệ: {exc}", f"Malformed message template: {exc}"), span)
    offset, message = found
    line = rule.doc.line_text(span) if rule.doc is not None else None
    quoted = line is not None and line[span.col - 1: span.col] in ("'", '"')
    if line is not None and span.col and line[span.col - 1 + quoted:].startswith(template[: offset + 1]):
        span = span.shifted(offset + quoted)  # a one-line value: point at the brace itself
    return Diagnostic("bad-template", message, span, source_line=line)


def _check_placeholders(rule: RuleSpec, c: CheckSpec, env, problems) -> bool:
    ok = True
    for part in ("message", "fix"):
        text = getattr(c, part)
        if text is None:
            continue
        names = {}
        for lang in ("vi", "en"):
            try:
                fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(getattr(text, lang))
                          if f is not None]
            except ValueError as exc:
                problems.append(_bad_template(rule, c.spans[f"{part}.{lang}"], getattr(text, lang), exc))
                return False
            bad = next((_placeholder(f, spec, conv) for f, spec, conv in fields
                        if spec or conv or not _PLACEHOLDER.fullmatch(f)), None)
            if bad is not None:
                problems.append(Diagnostic("bad-placeholder", Text(
                    f"Chỗ trống {bad} không hợp lệ: chỉ được ghi tên trong ngoặc nhọn, ví dụ {{deputies}} "
                    "(không định dạng, không chuyển đổi); muốn viết dấu ngoặc thì ghi {{ hoặc }}",
                    f"Placeholder {bad} is not allowed: write a name in braces only, e.g. {{deputies}} "
                    "(no format spec or conversion); write {{ or }} for a literal brace"),
                    c.spans[f"{part}.{lang}"]))
                return False
            names[lang] = {f for f, _, _ in fields}
            for name in sorted(names[lang]):
                if name not in env and name not in PLACEHOLDER_EXTRAS:
                    hint = closest(name, list(env) + list(PLACEHOLDER_EXTRAS))
                    problems.append(Diagnostic("unknown-placeholder", Text(
                        f"Chỗ trống {{{name}}} không phải dữ kiện hay tham số của kiểm tra '{c.id}'"
                        + _hint(hint, "{%s}").vi,
                        f"Placeholder {{{name}}} is not a fact or parameter of check '{c.id}'"
                        + _hint(hint, "{%s}").en), c.spans[f"{part}.{lang}"]))
                    ok = False
        if ok and names.get("vi") != names.get("en"):
            problems.append(Diagnostic("placeholder-mismatch", Text(
                f"Hai bản tiếng Việt và tiếng Anh dùng chỗ trống khác nhau: {sorted(names['vi'])} và {sorted(names['en'])}",
                f"The Vietnamese and English texts use different placeholders: {sorted(names['vi'])} and {sorted(names['en'])}"),
                c.spans[f"{part}.en"]))
            ok = False
    return ok


_PLACEHOLDER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _placeholder(name: str, spec: str, conversion: str | None) -> str:
    """A placeholder as it was written, for the message that refuses it."""
    return "{" + name + (f"!{conversion}" if conversion else "") + (f":{spec}" if spec else "") + "}"


def _check_values(rule: RuleSpec, c: CheckSpec, env, problems) -> bool:
    ok = True
    for i, name in enumerate(c.values):
        if name not in env:
            hint = closest(name, env)
            problems.append(Diagnostic("unknown-value", Text(
                f"'{name}' không phải dữ kiện hay tham số của kiểm tra '{c.id}'" + _hint(hint).vi,
                f"'{name}' is not a fact or parameter of check '{c.id}'" + _hint(hint).en),
                c.spans.get(f"values.{i}", rule.span)))
            ok = False
    return ok


def _check_target(rule: RuleSpec) -> list[Diagnostic]:
    t = rule.target
    check_spec = next((c for c in rule.checks if c.id == t.check), None)
    if check_spec is None:
        return []
    out = []
    if check_spec.applies_to != "plan":
        out.append(Diagnostic("target-not-plan", Text(
            "Kiểm tra của mục tiêu phải áp dụng cho cả kế hoạch (applies_to: plan)",
            "A target's check must apply to the whole plan (applies_to: plan)"), t.span))
    if t.value not in CATALOGUE["plan"]:
        out.append(Diagnostic("unknown-value", Text(
            f"'{t.value}' không phải dữ kiện của kế hoạch", f"'{t.value}' is not a plan fact"), t.span))
    if t.target not in check_spec.parameters:
        out.append(Diagnostic("unknown-value", Text(
            f"'{t.target}' không phải tham số của kiểm tra '{t.check}'",
            f"'{t.target}' is not a parameter of check '{t.check}'"), t.span))
    return out


def _names(node: Node) -> set[str]:
    from .expr.nodes import names

    return set(names(node))


def _rename(node: Node, fields: Mapping[str, str]) -> Node:
    if isinstance(node, Name):
        return Name(fields.get(node.name, node.name), node.pos)
    if isinstance(node, Unary):
        return Unary(node.op, _rename(node.operand, fields), node.pos)
    if isinstance(node, Binary):
        return Binary(node.op, _rename(node.left, fields), _rename(node.right, fields), node.pos)
    if isinstance(node, In):
        return In(_rename(node.item, fields), node.options, node.negated, node.pos)
    return node

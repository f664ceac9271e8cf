"""What the language server knows about a file, without any LSP type: diagnostics, completion,
hover and definitions for rule, tests, parameter and plan files.

Diagnostics are exactly ``ag18 validate``'s, run on the unsaved text (:func:`ag18_rules.source.
unsaved`); completion, hover and definitions read the policy folder the file belongs to (the same
discovery as the command line).  Positions here are 0-based (line, character), as LSP counts.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Optional

from ..errors import Diagnostic, InputError, Span, Text

__all__ = ["Analysis", "Item", "Location", "PolicyIndex"]

_WORD = re.compile(r"[A-Za-z0-9_.\-/]+")
_KEY_BEFORE = re.compile(r"(?:^|[\s{,\-])([A-Za-z_][A-Za-z0-9_]*):\s*(?:\[[^\]]*)?([^:{}\[\],]*)$")
_IDENT_TAIL = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*$")
_EXPRESSION_KEYS = {"where", "require", "when", "values", "unless"}
_ID_KEYS = {"parent": "organizations", "lead": "organizations", "support": "organizations",
            "formed_from": "organizations", "lead_person": "people", "organization": "organizations",
            "from": "organizations", "to": "organizations"}
_ENUM_KEYS = {"severity": ("severity",), "applies_to": ("check.applies_to",),
              "type": ("organization.type",), "level": ("organization.level", "admin_unit.level"),
              "kind": ("admin_unit.kind",), "terrain": ("admin_unit.terrain",), "status": ("approval.status",),
              "mode": ("allowance.mode",), "role": ("post.role",), "outcome": ("transition.outcome",)}


@dataclass(frozen=True)
class Item:
    """A completion: the text inserted, what it is (fact, parameter, enum, rule, clause, id), a note."""

    label: str
    kind: str
    detail: str = ""


@dataclass(frozen=True)
class Location:
    """A place in a file: path and 0-based line and character."""

    path: str
    line: int
    character: int


class PolicyIndex:
    """The policy folder a file belongs to, loaded once and reloaded when one of its files changes."""

    def __init__(self):
        self._cache: dict[Path, tuple[tuple, dict]] = {}

    def root_of(self, path: Path) -> Path:
        from ..discover import find_policy

        return find_policy(start=path.parent).directory

    def get(self, root: Path) -> dict:
        """{"params", "rules", "rule_ids"} of the policy in ``root``; parts that fail to load are None."""
        signature = _signature(root)
        cached = self._cache.get(root)
        if cached and cached[0] == signature:
            return cached[1]
        info = _load_policy(root)
        self._cache[root] = (signature, info)
        return info


def _signature(root: Path) -> tuple:
    """Every YAML file of the policy with its modification time: a change means reload."""
    out = []
    for sub in ("policy", "rules"):
        for dirpath, _, files in os.walk(root / sub):
            for name in files:
                if name.endswith((".yaml", ".yml", ".json")):
                    path = os.path.join(dirpath, name)
                    try:
                        out.append((path, os.stat(path).st_mtime_ns))
                    except OSError:
                        continue
    return tuple(sorted(out))


def _load_policy(root: Path) -> dict:
    from ..compiler import compile_rules
    from ..parameters import ParameterSet
    from ..rulespec import load_rules

    info: dict = {"params": None, "rules": (), "specs": ()}
    try:
        info["params"] = ParameterSet.load(root / "policy")
        info["specs"] = load_rules(root / "rules")
        info["rules"] = compile_rules(info["specs"], info["params"])
    except InputError:
        pass
    info["rule_ids"] = frozenset(s.id for s in info["specs"])
    return info


class Analysis:
    """One file's text, read as what it is, against the policy it belongs to."""

    def __init__(self, path: str, text: str, index: PolicyIndex):
        from ..validate import kind_of

        self.path = Path(path)
        self.text = text
        self.lines = text.splitlines()
        self.index = index
        self.setup_problems: tuple[Diagnostic, ...] = ()
        try:
            self.root = index.root_of(self.path)
        except InputError as error:  # e.g. an ag18.toml naming no policy folder: said on this file
            from ..engine import shipped_policy_dir

            self.setup_problems, self.root = error.diagnostics, shipped_policy_dir()
        self.policy = index.get(self.root)
        self.doc = _parse(text, str(self.path))
        self.kind = kind_of(self.path, self.doc.data if self.doc else None)[0]

    # ----------------------------------------------------------------- diagnostics

    def diagnostics(self) -> list[Diagnostic]:
        """What ``ag18 validate FILE`` reports for this text, limited to this file."""
        from ..source import unsaved
        from ..validate import validate_file

        if not self.is_ours():
            return []  # another tool's YAML file (a CI config, a compose file): not ours to judge
        if self.setup_problems:
            return [_here(d, self.path) for d in self.setup_problems]
        params = self.policy["params"] if self.kind == "rule" else None  # other kinds load what they edit
        with unsaved({str(self.path): self.text}):
            problems = validate_file(self.path, self.root, rule_ids=self.policy["rule_ids"], params=params)
        mine = os.path.abspath(self.path)
        return [d for d in problems if d.span.file and os.path.abspath(d.span.file) == mine]

    def is_ours(self) -> bool:
        """A file of ours: it names an ag18 format, or sits in the policy/ or rules/ of a policy folder."""
        if re.search(r"^format:\s*[\"']?ag18-", self.text, re.M):
            return True
        from ..discover import is_policy_dir

        resolved = self.path.resolve()
        return any(part.name in ("policy", "rules") and is_policy_dir(part.parent) for part in resolved.parents)

    # ----------------------------------------------------------------- completion

    def complete(self, line: int, character: int) -> list[Item]:
        prefix = self.lines[line][:character] if line < len(self.lines) else ""
        match = _KEY_BEFORE.search(prefix)
        key = match.group(1) if match else None
        parent = self._parent_key(line)
        in_flow = re.search(r"parameters:\s*\{[^}]*:\s*[^,}]*$", prefix)
        if self.kind == "rule" and ((parent == "parameters" and match) or in_flow):
            return self._parameters()
        if key is None and prefix.strip().startswith("-"):
            key = parent
        if key in _EXPRESSION_KEYS or (key is None and parent in _EXPRESSION_KEYS):
            return self._facts(line) + self._aliases(line)
        if key == "clause":
            return self._clauses()
        if key in _ENUM_KEYS:
            return self._enum(_ENUM_KEYS[key])
        if key in _ID_KEYS:
            return self._ids(_ID_KEYS[key])
        if key == "rule":
            return [Item(r, "rule") for r in sorted(self.policy["rule_ids"])]
        if key == "check":
            return self._checks()
        if self.kind == "parameters" or key == "parameter":
            return self._parameters()
        return []

    def _parent_key(self, line: int) -> Optional[str]:
        """The key of the block the line is in (the nearest line above with less indentation)."""
        here = self.lines[line] if line < len(self.lines) else ""
        indent = len(here) - len(here.lstrip(" "))
        for i in range(line - 1, -1, -1):
            text = self.lines[i]
            if not text.strip() or text.lstrip().startswith("#"):
                continue
            lead = len(text) - len(text.lstrip(" "))
            if lead < indent:
                found = re.match(r"\s*(?:-\s+)?([A-Za-z_][A-Za-z0-9_]*):", text)
                return found.group(1) if found else None
        return None

    def _facts(self, line: int) -> list[Item]:
        from ..facts import CATALOGUE

        kinds = [self._applies_to(line)] if self._applies_to(line) in CATALOGUE else list(CATALOGUE)
        seen, out = set(), []
        for kind in kinds:
            for name, spec in CATALOGUE[kind].items():
                if name not in seen:
                    seen.add(name)
                    out.append(Item(name, "fact", f"{spec.type} — {spec.doc('vi')}"))
        return out

    def _applies_to(self, line: int) -> Optional[str]:
        for i in range(line, -1, -1):
            found = re.match(r"\s*(?:-\s+)?applies_to:\s*(\w+)", self.lines[i] if i < len(self.lines) else "")
            if found:
                return found.group(1)
            if re.match(r"\s*-\s+id:", self.lines[i] if i < len(self.lines) else ""):
                break
        return None

    def _aliases(self, line: int) -> list[Item]:
        params = self.policy["params"]
        data = self.doc.data if self.doc else None
        out = []
        for check in (data.get("checks") or []) if isinstance(data, dict) else []:
            for alias, pid in ((check.get("parameters") or {}) if isinstance(check, dict) else {}).items():
                detail = params.get(pid).description("vi") if params and pid in params.ids() else str(pid)
                out.append(Item(str(alias), "parameter", detail))
        return sorted(set(out), key=lambda i: i.label)

    def _parameters(self) -> list[Item]:
        params = self.policy["params"]
        if params is None:
            return []
        return [Item(p.id, "parameter", p.description("vi")) for p in params]

    def _clauses(self) -> list[Item]:
        params = self.policy["params"]
        if params is None:
            return []
        return [Item(c.id, "clause", c.quote_vi) for c in params.programme.clauses]

    def _enum(self, names) -> list[Item]:
        from ..labels import ENUM_LABELS

        out = []
        for name in names:
            for code, text in ENUM_LABELS[name].items():
                out.append(Item(code, "enum", f"{text.vi} ({text.en})"))
        return out

    def _ids(self, collection: str) -> list[Item]:
        data = self.doc.data if self.doc else None
        out = {}
        for snap in ("before", "after"):
            part = data.get(snap) if isinstance(data, dict) else None
            for item in (part.get(collection) or []) if isinstance(part, dict) else []:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    out[item["id"]] = Item(item["id"], "id", str(item.get("name", "")))
        return list(out.values())

    def _checks(self) -> list[Item]:
        rule = self.path.resolve().parent.name
        for spec in self.policy["specs"]:
            if spec.id == rule:
                return [Item(c.id, "check", c.message.vi if c.message else "") for c in spec.checks]
        return []

    # ----------------------------------------------------------------- hover and definition

    def word_at(self, line: int, character: int) -> Optional[str]:
        text = self.lines[line] if line < len(self.lines) else ""
        for match in _WORD.finditer(text):
            if match.start() <= character <= match.end():
                return match.group(0).strip(".-/")
        return None

    def hover(self, line: int, character: int, lang: str = "vi") -> Optional[str]:
        """Markdown about the word under the cursor: a fact, a parameter, a clause or a rule."""
        from ..facts import CATALOGUE

        word = self.word_at(line, character)
        if not word:
            return None
        params = self.policy["params"]
        if params is not None and word in params.ids():
            return _parameter_markdown(params.get(word), lang)
        alias = self._alias_target(word)
        if params is not None and alias in params.ids():
            return f"`{word}` = `{alias}`\n\n" + _parameter_markdown(params.get(alias), lang)
        if params is not None:
            clause = next((c for c in params.programme.clauses if c.id == word), None)
            if clause is not None:
                meaning = f"\n\n{clause.meaning_en}" if lang == "en" else ""
                return f"**{clause.id}** ({clause.section})\n\n> {clause.quote_vi}{meaning}"
        for kind, facts in CATALOGUE.items():
            if word in facts:
                spec = facts[word]
                shown = spec.type.base + ("?" if spec.type.nullable else "")
                text = f"**{word}** ({kind}, `{shown}`)\n\n{spec.doc(lang)}"
                if spec.missing:
                    text += "\n\n" + Text("Có thể không có giá trị: ", "May be absent: ")(lang) + spec.missing(lang)
                return text
        spec = next((s for s in self.policy["specs"] if s.id == word), None)
        if spec is not None:
            return f"**{spec.id}** ({spec.severity}, {', '.join(spec.clause)})\n\n{spec.title(lang)}"
        return None

    def _alias_target(self, word: str) -> Optional[str]:
        data = self.doc.data if self.doc else None
        for check in (data.get("checks") or []) if isinstance(data, dict) else []:
            mapping = check.get("parameters") if isinstance(check, dict) else None
            if isinstance(mapping, dict) and isinstance(mapping.get(word), str):
                return mapping[word]
        return None

    def definition(self, line: int, character: int) -> Optional[Location]:
        """A parameter id (or alias) → its entry in policy/; a plan's parent/lead → the organisation."""
        word = self.word_at(line, character)
        if not word:
            return None
        params = self.policy["params"]
        target = word if params is not None and word in params.ids() else self._alias_target(word)
        if params is not None and target in params.ids():
            span = params.get(target).span
            return Location(span.file, max(span.line - 1, 0), max(span.col - 1, 0))
        if self.kind == "plan" and self.doc is not None:
            return self._entity(word)
        return None

    def _entity(self, ident: str) -> Optional[Location]:
        data = self.doc.data
        for snap in ("after", "before"):
            part = data.get(snap) if isinstance(data, dict) else None
            for collection in ("organizations", "tasks", "people", "admin_units"):
                items = part.get(collection) if isinstance(part, dict) else None
                for i, item in enumerate(items or []):
                    if isinstance(item, dict) and item.get("id") == ident:
                        span = self.doc.span((snap, collection, i, "id"))
                        return Location(str(self.path), span.line - 1, max(span.col - 1, 0))
        return None


def _parse(text: str, filename: str):
    from ..source import load_text

    try:
        return load_text(text, filename)
    except InputError:
        return None


def _parameter_markdown(param, lang: str) -> str:
    from ..describe import show_value

    lines = [f"**{param.id}** ({param.unit})", "", param.description(lang), ""]
    for since, entry in param.values:
        value = "—" if entry.value is None else show_value(entry.value)
        ref = entry.reference
        article = f", {ref.article}" if ref.article else ""
        word = Text("từ", "from")(lang)
        flag = "" if entry.verified else Text(" *(chưa kiểm chứng)*", " *(unverified)*")(lang)
        lines.append(f"- {word} {since.isoformat()}: **{value}** — {ref.document}{article}{flag}")
    return "\n".join(lines)


def _here(d: Diagnostic, path: Path) -> Diagnostic:
    """A problem of another file (the folder's ag18.toml) shown at the top of this one, saying where."""
    return Diagnostic(d.code, Text(f"{d.span}: {d.message.vi}", f"{d.span}: {d.message.en}"), Span(str(path), 1, 1))


def span_of(diagnostic: Diagnostic) -> tuple[int, int]:
    """The diagnostic's 0-based (line, character); a file-level one points at the start."""
    span: Span = diagnostic.span
    return max(span.line - 1, 0), max(span.col - 1, 0)

"""Imports go one way down the pipeline: the stages after an evaluation never import the engine."""
import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "ag18_rules"
STAGES = ["explain.py", "fixes.py", "origin.py", "live.py", "changes.py", "session.py", "edits.py",
          "stages.py", *(f"levers/{p.name}" for p in sorted((PACKAGE / "levers").glob("*.py"))),
          *(f"facts/{p.name}" for p in sorted((PACKAGE / "facts").glob("*.py")))]


def imported(path: Path) -> set:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            names.add(("." * node.level) + (node.module or ""))
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
    return names


def test_no_stage_after_evaluation_imports_the_engine():
    for name in STAGES:
        found = {m for m in imported(PACKAGE / name) if m.rsplit(".", 1)[-1] == "engine"}
        assert not found, f"{name} imports {found}"

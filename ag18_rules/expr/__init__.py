"""The rule expression language: parse, type-check, compile, trace.

``parse`` turns a condition written in a rule file into a tree of :mod:`.nodes`; ``check``
type-checks it against the facts and parameters a rule may read; ``compile_expr`` builds a fast
evaluator once; ``trace`` evaluates with every sub-expression's value, for explanations.
"""
from __future__ import annotations

from .checker import check
from .evaluate import Compiled, TraceNode, compile_expr, trace
from .lexer import ExprError
from .parser import parse

__all__ = ["Compiled", "ExprError", "TraceNode", "check", "compile_expr", "parse", "trace"]

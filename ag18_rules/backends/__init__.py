"""Evaluation backends behind one protocol (:mod:`.base`).

``python`` (:mod:`.reference`) is the default and the oracle; ``durable`` (:mod:`.durable`)
runs the same checks on durable_rules, in a supervised worker process.
"""
from __future__ import annotations

from .base import Backend, CheckProgram, Entity, Outcome, Verdict

__all__ = ["Backend", "CheckProgram", "Entity", "Outcome", "Verdict", "get_backend", "BACKENDS"]

BACKENDS = ("python", "durable")


def get_backend(name: str) -> Backend:
    """The backend called ``name``; :class:`~ag18_rules.errors.BackendUnavailable` if absent."""
    if name == "python":
        from .reference import ReferenceBackend

        return ReferenceBackend()
    if name == "durable":
        from .durable import DurableBackend

        return DurableBackend()
    from ..errors import OptionError, Text

    raise OptionError(Text(f"Không có bộ máy đánh giá '{name}'; hãy chọn một trong: {', '.join(BACKENDS)}",
                           f"unknown backend {name!r}; choose one of: {', '.join(BACKENDS)}"))

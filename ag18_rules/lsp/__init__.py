"""``ag18 lsp``: a language server for rule, tests, parameter and plan files, for any editor
that speaks LSP (VS Code, Neovim…).  See docs/lsp.md.

:mod:`.analysis` holds what the server knows, free of LSP types; :mod:`.server` speaks the
protocol through pygls (the ``ag18-rules[lsp]`` extra), imported only when the server starts.
"""
from __future__ import annotations

from ..errors import Ag18Error, Text

__all__ = ["serve"]

INSTALL_HINT = Text("Máy chủ ngôn ngữ cần gói phụ thuộc tùy chọn: pip install 'ag18-rules[lsp]'",
                    "the language server needs the optional dependency: pip install 'ag18-rules[lsp]'")


def serve(lang: str = "vi") -> None:
    """Run the language server over stdin/stdout until the editor closes it."""
    try:
        from .server import build_server
    except ImportError as error:  # pygls or lsprotocol missing
        raise Ag18Error(INSTALL_HINT) from error
    build_server(lang).start_io()

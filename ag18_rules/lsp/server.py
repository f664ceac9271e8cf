"""The LSP side of ``ag18 lsp``: pygls features that call :mod:`.analysis`.

Documents are synchronised in full; every open or change publishes the diagnostics ``ag18
validate`` would report for the unsaved text.  Hover and completion answer in the server's
language (``--lang``/``AG18_LANG``, Vietnamese by default).
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import from_fs_path, to_fs_path

from .analysis import Analysis, PolicyIndex, span_of

__all__ = ["build_server"]

_KINDS = {"fact": types.CompletionItemKind.Field, "parameter": types.CompletionItemKind.Constant,
          "enum": types.CompletionItemKind.EnumMember, "rule": types.CompletionItemKind.Module,
          "clause": types.CompletionItemKind.Reference, "id": types.CompletionItemKind.Value,
          "check": types.CompletionItemKind.Function}
_SEVERITY = types.DiagnosticSeverity.Error


def _version() -> str:
    try:
        return version("ag18-rules")
    except PackageNotFoundError:  # pragma: no cover - running from a source tree
        return "0"


def build_server(lang: str = "vi") -> LanguageServer:
    """A language server answering in ``lang``; started by :func:`ag18_rules.lsp.serve`."""
    server = LanguageServer("ag18-rules", _version(), text_document_sync_kind=types.TextDocumentSyncKind.Full)
    index = PolicyIndex()

    def analysis(uri: str) -> Analysis:
        document = server.workspace.get_text_document(uri)
        return Analysis(to_fs_path(uri) or uri, document.source, index)

    def publish(uri: str) -> None:
        found = analysis(uri).diagnostics()
        server.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=uri, diagnostics=[_diagnostic(d, lang) for d in found]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(params: types.DidOpenTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(params: types.DidChangeTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(params: types.DidSaveTextDocumentParams) -> None:
        publish(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_COMPLETION,
                    types.CompletionOptions(trigger_characters=[" ", ":", "[", ",", "-"]))
    def completion(params: types.CompletionParams) -> types.CompletionList:
        items = analysis(params.text_document.uri).complete(params.position.line, params.position.character)
        return types.CompletionList(is_incomplete=False, items=[
            types.CompletionItem(label=i.label, kind=_KINDS.get(i.kind), detail=i.detail or None) for i in items])

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(params: types.HoverParams):
        text = analysis(params.text_document.uri).hover(params.position.line, params.position.character, lang)
        if text is None:
            return None
        return types.Hover(contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=text))

    @server.feature(types.TEXT_DOCUMENT_DEFINITION)
    def definition(params: types.DefinitionParams):
        found = analysis(params.text_document.uri).definition(params.position.line, params.position.character)
        if found is None:
            return None
        at = types.Position(line=found.line, character=found.character)
        return types.Location(uri=from_fs_path(found.path), range=types.Range(start=at, end=at))

    return server


def _diagnostic(d, lang: str) -> types.Diagnostic:
    line, character = span_of(d)
    end = types.Position(line=line, character=character + 1)
    return types.Diagnostic(
        range=types.Range(start=types.Position(line=line, character=character), end=end),
        message=d.message(lang) + (f" ({d.path})" if d.path else ""),
        severity=_SEVERITY, code=d.code, source="ag18")

"""The pygls language server: document sync, diagnostics, code actions and hover.

Imported only by `lintslim server` (pygls is an optional dependency).  Documents are synced in full
(the client sends the whole text on each change): a Dockerfile is small, and the server's text can
then never drift from the editor's, whatever line separators the text holds.

Diagnostics are published on open and save at once, and after a change once the document has been
quiet for `debounce` seconds (a new change cancels the pending lint).  Initialization options:
`{"debounceMs": 200}`.
"""

from __future__ import annotations

import asyncio
from typing import Any

from lsprotocol import types as lsp
from pygls.lsp.server import LanguageServer

from lintslim import __version__
from lintslim.engine.registry import default_registry
from lintslim.lsp.actions import FIX_ALL_KIND, EditSupport, code_actions
from lintslim.lsp.analysis import Analysis, ConfigCache, analyse, fix_all, is_config_file, is_lintable, uri_to_path
from lintslim.lsp.convert import findings_at, hover_markdown, lsp_diagnostics, lsp_range, offset_of, rule_page, span_of
from lintslim.lsp.positions import UTF16
from lintslim.runner import FileReport
from lintslim.syntax.source import Span

DEFAULT_DEBOUNCE = 0.2  # seconds of quiet after a change before it is linted


def debounce_option(options: Any, default: float = DEFAULT_DEBOUNCE) -> float:
    """The `debounceMs` initialization option in seconds; the default when absent or not a number."""
    value = options.get("debounceMs") if isinstance(options, dict) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value) / 1000
    return default


class LintslimServer(LanguageServer):
    """The server and what it remembers: open Dockerfiles, their last lint, pending lints, loaded configs."""

    def __init__(self) -> None:
        super().__init__("lintslim", __version__, text_document_sync_kind=lsp.TextDocumentSyncKind.Full)
        self.registry = default_registry()
        self.configs = ConfigCache(self.registry)
        self.debounce = DEFAULT_DEBOUNCE
        self.open_dockerfiles: set[str] = set()  # URIs of the open documents that are linted
        self.analyses: dict[str, Analysis] = {}  # the last lint of each open Dockerfile
        self.pending: dict[str, asyncio.Task[None]] = {}  # debounced lints not yet run
        self.pages: dict[str, str] = {}  # rule code -> its page for hovers, rendered once

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        if encoding is None:
            return UTF16
        return encoding.value if isinstance(encoding, lsp.PositionEncodingKind) else str(encoding)

    def analyse(self, uri: str) -> Analysis:
        document = self.workspace.get_text_document(uri)
        root = uri_to_path(self.workspace.root_uri) if self.workspace.root_uri else None
        analysis = analyse(uri, document.source, document.version, self.registry, self.configs, root, self.encoding)
        self.analyses[uri] = analysis
        return analysis

    def current(self, uri: str) -> Analysis | None:
        """The lint of the document's current text (linting now if the last one is stale); None if not linted."""
        if uri not in self.open_dockerfiles:
            return None
        analysis = self.analyses.get(uri)
        if analysis is not None and analysis.text == self.workspace.get_text_document(uri).source:
            return analysis
        return self.analyse(uri)

    def lint_now(self, uri: str) -> None:
        self.cancel(uri)
        if uri not in self.open_dockerfiles:
            return
        analysis = self.analyse(uri)
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, version=analysis.version, diagnostics=lsp_diagnostics(analysis))
        )

    def lint_later(self, uri: str) -> None:
        self.cancel(uri)
        self.pending[uri] = asyncio.get_running_loop().create_task(self._lint_after_quiet(uri))

    async def _lint_after_quiet(self, uri: str) -> None:
        await asyncio.sleep(self.debounce)
        self.pending.pop(uri, None)
        self.lint_now(uri)

    def cancel(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()

    def close(self, uri: str) -> None:
        self.cancel(uri)
        self.analyses.pop(uri, None)
        if uri in self.open_dockerfiles:
            self.open_dockerfiles.discard(uri)
            self.text_document_publish_diagnostics(lsp.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def page(self, code: str) -> str:
        if code not in self.pages:
            rule = self.registry.get(code)
            try:
                from lintslim.docs import render_markdown

                self.pages[code] = rule_page(render_markdown(rule))
            except Exception:  # no case files shipped, or one is broken: the docstring still explains the rule
                self.pages[code] = f"# {rule.code} {rule.name}\n\n{rule.documentation()}"
        return self.pages[code]


def build_server() -> LintslimServer:
    server = LintslimServer()

    @server.feature(lsp.INITIALIZE)
    def initialize(ls: LintslimServer, params: lsp.InitializeParams) -> None:
        ls.debounce = debounce_option(params.initialization_options)

    @server.feature(lsp.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: LintslimServer, params: lsp.DidOpenTextDocumentParams) -> None:
        document = params.text_document
        if is_lintable(document.uri, document.language_id):
            ls.open_dockerfiles.add(document.uri)
            ls.lint_now(document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: LintslimServer, params: lsp.DidChangeTextDocumentParams) -> None:
        if params.text_document.uri in ls.open_dockerfiles:
            ls.lint_later(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: LintslimServer, params: lsp.DidSaveTextDocumentParams) -> None:
        if is_config_file(params.text_document.uri):  # settings may have changed for every open Dockerfile
            ls.configs.clear()
            for uri in sorted(ls.open_dockerfiles):
                ls.lint_now(uri)
        elif params.text_document.uri in ls.open_dockerfiles:
            ls.lint_now(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LintslimServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    def code_action(ls: LintslimServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
        analysis = ls.current(params.text_document.uri)
        if analysis is None:
            return None
        support = EditSupport.of(ls.client_capabilities)
        only = params.context.only
        asked = only is not None or params.context.trigger_kind == lsp.CodeActionTriggerKind.Invoked

        def fix_everything() -> FileReport | None:
            return fix_all(analysis, ls.registry, create_files=support.create_files)

        span = span_of(analysis.positions, params.range)
        return code_actions(analysis, span, only, support, fix_everything, include_fix_all=asked)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    def hover(ls: LintslimServer, params: lsp.HoverParams) -> lsp.Hover | None:
        analysis = ls.current(params.text_document.uri)
        if analysis is None or analysis.redactor is None:
            return None
        offset = offset_of(analysis.positions, params.position)
        findings = findings_at(analysis, Span(offset, offset))
        if not findings:
            return None
        markdown = hover_markdown([(d, ls.page(d.code)) for d in findings], analysis.redactor)
        return lsp.Hover(
            contents=lsp.MarkupContent(kind=lsp.MarkupKind.Markdown, value=markdown),
            range=lsp_range(analysis.positions, findings[0].span),
        )

    return server

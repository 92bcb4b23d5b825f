"""The pygls language server: document sync, diagnostics, code actions and hover.

Imported only by `lintslim server` (pygls is an optional dependency).  Documents are synced in full
(the client sends the whole text on each change): a Dockerfile is small, and the server's text can
then never drift from the editor's, whatever line separators the text holds.

Diagnostics are published on open and save at once, and after a change once the document has been
quiet for `debounce` seconds (a new change cancels the pending lint).  Initialization options:
`{"debounceMs": 200}`.

Lints run on one worker thread (`LintWorker`), never on the event loop: a document that takes long
to check (the engine is far from linear on some inputs of hundreds of kilobytes) leaves the server
answering requests about the other documents.  Only the newest text of a document is linted: a lint
queued for a text that has changed since is dropped before it starts.  A document over the size
`lintslim check` accepts gets one "too large" diagnostic instead of findings.
"""

from __future__ import annotations

import asyncio
import logging
import queue
import sys
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import IO, Any, BinaryIO, TypeVar

from lsprotocol import types as lsp
from pygls.exceptions import FeatureRequestError
from pygls.io_ import StdoutWriter
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from lintslim import __version__
from lintslim.analysis.shellcheck import ShellCheckSession, notice
from lintslim.engine.registry import default_registry
from lintslim.lsp.actions import FIX_ALL_KIND, EditSupport, code_actions, wanted
from lintslim.lsp.analysis import Analysis, ConfigCache, analyse, fix_all, is_config_file, is_lintable, uri_to_path
from lintslim.lsp.convert import findings_at, hover_markdown, lsp_diagnostics, lsp_range, offset_of, rule_page, span_of
from lintslim.lsp.positions import UTF16
from lintslim.lsp.wire import FrameReader, LintslimProtocol, serve_messages
from lintslim.runner import FileReport
from lintslim.syntax.source import Span

DEFAULT_DEBOUNCE = 0.2  # seconds of quiet after a change before it is linted
_log = logging.getLogger(__name__)
T = TypeVar("T")


def debounce_option(options: Any, default: float = DEFAULT_DEBOUNCE) -> float:
    """The `debounceMs` initialization option in seconds; the default when absent or not a number."""
    value = options.get("debounceMs") if isinstance(options, dict) else None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value) / 1000
    return default


class LintWorker:
    """One daemon thread running jobs in the order they were given.

    One thread, so the engine and the caches it fills (settings, ShellCheck results) are never used
    by two lints at once; a daemon, so a long lint does not hold the process up after `exit`.
    """

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue[tuple[Future[Any], Callable[[], Any]]] = queue.SimpleQueue()
        threading.Thread(target=self._run, name="lintslim-lint", daemon=True).start()

    def submit(self, job: Callable[[], T]) -> asyncio.Future[T]:
        """Run `job` on the worker; its result as an asyncio future of the running loop."""
        done: Future[T] = Future()
        self._jobs.put((done, job))
        return asyncio.wrap_future(done)

    def _run(self) -> None:
        while True:
            done, job = self._jobs.get()
            if not done.set_running_or_notify_cancel():
                continue
            try:
                done.set_result(job())
            except BaseException as error:  # handed to the awaiting request, which answers with an error
                done.set_exception(error)


@dataclass
class LintJob:
    """A lint of one version of a document, queued or running on the worker."""

    uri: str
    version: int | None
    text: str
    result: asyncio.Future[Analysis | None] | None = field(default=None, repr=False)

    def describes(self, document: TextDocument) -> bool:
        return self.version == document.version and self.text == document.source


def describes(analysis: Analysis, document: TextDocument) -> bool:
    return analysis.version == document.version and analysis.text == document.source


class LintslimServer(LanguageServer):
    """The server and what it remembers: open Dockerfiles, their last lint, pending lints, loaded configs."""

    def __init__(self) -> None:
        sync = lsp.TextDocumentSyncKind.Full
        super().__init__("lintslim", __version__, text_document_sync_kind=sync, protocol_cls=LintslimProtocol)
        self.registry = default_registry()
        self.configs = ConfigCache(self.registry)  # used on the worker thread only
        self.shellcheck = ShellCheckSession()  # likewise; one lookup of the binary for the server's life
        self.shellcheck_noticed = False
        self.worker = LintWorker()
        self.debounce = DEFAULT_DEBOUNCE
        self.open_dockerfiles: set[str] = set()  # URIs of the open documents that are linted
        self.analyses: dict[str, Analysis] = {}  # the last lint of each open Dockerfile
        self.jobs: dict[str, LintJob] = {}  # the newest lint asked for each document
        self.published: dict[str, Analysis] = {}  # what was last published for each document
        self.pending: dict[str, asyncio.Task[None]] = {}  # debounced lints not yet run
        self.pages: dict[str, str] = {}  # rule code -> its page for hovers, rendered once
        self.exit_code = 0

    @property
    def encoding(self) -> str:
        encoding = self.workspace.position_encoding
        if encoding is None:
            return UTF16
        return encoding.value if isinstance(encoding, lsp.PositionEncodingKind) else str(encoding)

    def start_io(self, stdin: IO[bytes] | None = None, stdout: BinaryIO | None = None) -> None:
        """Serve over standard input and output with lintslim's tolerant reader (see `lintslim.lsp.wire`)."""
        self._stop_event = stop = threading.Event()
        self.protocol.set_writer(StdoutWriter(stdout or sys.stdout.buffer))
        reader = FrameReader(stdin or sys.stdin.buffer)
        assert isinstance(self.protocol, LintslimProtocol)
        try:
            asyncio.run(serve_messages(reader, self.protocol, stop, self.thread_pool))
        except BrokenPipeError:
            _log.error("the client closed the connection")
        except SystemExit as leaving:  # pygls's `exit`: 0 after `shutdown`, 1 without
            self.exit_code = leaving.code if isinstance(leaving.code, int) else 0
        except KeyboardInterrupt:
            pass
        finally:
            self.shutdown()  # type: ignore[no-untyped-call]  # pygls leaves it untyped

    def report_server_error(self, error: Exception, source: Any) -> None:
        """A failure outside any request (a change to a document never opened): logged in one line.

        pygls would show it to the person at the editor, who can do nothing about it.  A failed
        request was answered with the error, and pygls logged it already.
        """
        if source is not FeatureRequestError:
            _log.warning("%s: %s", type(error).__name__, str(error)[:200])

    # --- linting ---------------------------------------------------------------------------------

    def _submit(self, uri: str) -> LintJob:
        document = self.workspace.get_text_document(uri)
        job = LintJob(uri, document.version, document.source)
        root = uri_to_path(self.workspace.root_uri) if self.workspace.root_uri else None
        encoding = self.encoding

        def run() -> Analysis | None:  # on the worker
            if self.jobs.get(uri) is not job:  # the document changed (or closed) while this waited
                return None
            return analyse(uri, job.text, job.version, self.registry, self.configs, root, encoding, self.shellcheck)

        self.jobs[uri] = job
        job.result = self.worker.submit(run)
        return job

    async def current(self, uri: str) -> Analysis | None:
        """The lint of the document's current text (waiting for it, or asking for it); None if not linted."""
        while uri in self.open_dockerfiles:
            document = self.workspace.get_text_document(uri)
            cached = self.analyses.get(uri)
            if cached is not None and describes(cached, document):
                return cached
            job = self.jobs.get(uri)
            if job is None or not job.describes(document):
                job = self._submit(uri)
            assert job.result is not None
            analysis = await asyncio.shield(job.result)  # others may wait for the same lint
            if analysis is None:
                continue  # dropped for a newer text: lint that one
            if self.jobs.get(uri) is job and uri in self.open_dockerfiles:
                self.analyses[uri] = analysis
                self._say_if_shellcheck_is_missing()
                self._publish(analysis)  # whoever asked for it, a request too: the editor shows it at once
            return analysis
        return None

    async def publish(self, uri: str) -> None:
        """Publish the diagnostics of the document's current text (unless they were already)."""
        analysis = await self.current(uri)
        if analysis is not None:
            self._publish(analysis)

    def _publish(self, analysis: Analysis) -> None:
        uri = analysis.uri
        if uri not in self.open_dockerfiles or self.published.get(uri) is analysis:
            return
        if analysis.version != self.workspace.get_text_document(uri).version:
            return  # changed meanwhile: the lint of the change will publish
        self.published[uri] = analysis
        self.text_document_publish_diagnostics(
            lsp.PublishDiagnosticsParams(uri=uri, version=analysis.version, diagnostics=lsp_diagnostics(analysis))
        )

    def lint_now(self, uri: str) -> None:
        self._schedule(uri, self.publish(uri))

    def relint(self, uri: str) -> None:
        """Lint again even if the text is the same (on save: the build context may have changed)."""
        self.analyses.pop(uri, None)
        self.jobs.pop(uri, None)
        self.lint_now(uri)

    def lint_later(self, uri: str) -> None:
        self._schedule(uri, self._publish_after_quiet(uri))

    async def _publish_after_quiet(self, uri: str) -> None:
        await asyncio.sleep(self.debounce)
        await self.publish(uri)

    def _schedule(self, uri: str, work: Any) -> None:
        self.cancel(uri)
        task = asyncio.get_running_loop().create_task(work)
        self.pending[uri] = task
        task.add_done_callback(lambda done: self.pending.pop(uri, None) if self.pending.get(uri) is done else None)

    def cancel(self, uri: str) -> None:
        task = self.pending.pop(uri, None)
        if task is not None:
            task.cancel()

    async def in_worker(self, job: Callable[[], T]) -> T:
        """Run engine work (a fix-all) on the worker thread, after the lints queued before it."""
        return await self.worker.submit(job)

    def reload_configs(self) -> None:
        """A config file changed: forget the settings and every lint, and lint the open Dockerfiles again."""
        self.worker.submit(self.configs.clear)  # on the worker, which uses the cache; lints queued after see it
        self.analyses.clear()
        self.jobs.clear()
        for uri in sorted(self.open_dockerfiles):
            self.lint_now(uri)

    def _say_if_shellcheck_is_missing(self) -> None:
        """Once in the server's life, as `lintslim check` does once a run: the SC checks are off."""
        if self.shellcheck.missing and not self.shellcheck_noticed:
            self.shellcheck_noticed = True
            message = notice().strip().removeprefix("lintslim: note: ")
            self.window_show_message(lsp.ShowMessageParams(type=lsp.MessageType.Info, message=f"lintslim: {message}"))

    def close(self, uri: str) -> None:
        self.cancel(uri)
        self.analyses.pop(uri, None)
        self.jobs.pop(uri, None)
        self.published.pop(uri, None)
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
            ls.reload_configs()
        elif params.text_document.uri in ls.open_dockerfiles:
            ls.relint(params.text_document.uri)

    @server.feature(lsp.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: LintslimServer, params: lsp.DidCloseTextDocumentParams) -> None:
        ls.close(params.text_document.uri)

    @server.feature(
        lsp.TEXT_DOCUMENT_CODE_ACTION,
        lsp.CodeActionOptions(code_action_kinds=[lsp.CodeActionKind.QuickFix, FIX_ALL_KIND]),
    )
    async def code_action(ls: LintslimServer, params: lsp.CodeActionParams) -> list[lsp.CodeAction] | None:
        analysis = await ls.current(params.text_document.uri)
        if analysis is None:
            return None
        support = EditSupport.of(ls.client_capabilities)
        only = params.context.only
        asked = only is not None or params.context.trigger_kind == lsp.CodeActionTriggerKind.Invoked
        fixed: FileReport | None = None
        if asked and wanted(FIX_ALL_KIND, only):  # the fix loop lints again: on the worker, as lints are

            def fix_everything() -> FileReport | None:
                return fix_all(analysis, ls.registry, create_files=support.create_files, shellcheck=ls.shellcheck)

            fixed = await ls.in_worker(fix_everything)
        span = span_of(analysis.positions, params.range)
        return code_actions(analysis, span, only, support, lambda: fixed, include_fix_all=asked)

    @server.feature(lsp.TEXT_DOCUMENT_HOVER)
    async def hover(ls: LintslimServer, params: lsp.HoverParams) -> lsp.Hover | None:
        analysis = await ls.current(params.text_document.uri)
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

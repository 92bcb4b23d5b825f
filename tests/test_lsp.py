"""The language server end to end: pytest-lsp drives `python -m lintslim server` over stdio, as VS Code would.

One server serves the whole module (its start-up is most of the cost); each test works on its own
files in a temporary workspace, so the tests do not see each other's documents.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pygls", reason="the language server needs pygls (pip install 'lintslim[lsp]')")
pytest_lsp = pytest.importorskip("pytest_lsp", reason="these tests need pytest-lsp")

from lsprotocol import types as lsp  # noqa: E402
from pygls.protocol import default_converter  # noqa: E402
from pygls.workspace import TextDocument  # noqa: E402
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

pytestmark = pytest.mark.asyncio(loop_scope="module")
WAIT_SECONDS = 60.0  # generous: the machine is shared; a healthy server answers in well under a second


class RecordingClient(LanguageClient):
    """pytest-lsp's client, also keeping every publishDiagnostics with its document version."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[lsp.PublishDiagnosticsParams] = []


def _record(client: RecordingClient, params: lsp.PublishDiagnosticsParams) -> None:
    client.diagnostics[params.uri] = params.diagnostics
    client.published.append(params)


def _make_client() -> RecordingClient:
    client = RecordingClient(converter_factory=default_converter)
    register_lsp_features(client, {**DEFAULT_CLIENT_FEATURES, lsp.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: _record})
    return client


@pytest.fixture(scope="module")
def workspace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("workspace")


@pytest_lsp.fixture(
    scope="module",
    config=ClientServerConfig(server_command=[sys.executable, "-m", "lintslim", "server"], client_factory=_make_client),
)
async def client(lsp_client: RecordingClient, workspace: Path) -> AsyncIterator[None]:
    params = lsp.InitializeParams(
        capabilities=client_capabilities("visual-studio-code"),
        root_uri=workspace.as_uri(),
        initialization_options={"debounceMs": 50},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


# --- helpers -------------------------------------------------------------------------------------


async def published(client: RecordingClient, uri: str, version: int | None) -> list[lsp.Diagnostic]:
    """The diagnostics published for this version of the document (waiting for them)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while loop.time() < deadline:
        for params in reversed(client.published):
            if params.uri == uri and params.version == version:
                return list(params.diagnostics)
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics published for {uri} version {version}")


async def published_after(client: RecordingClient, uri: str, count: int) -> lsp.PublishDiagnosticsParams:
    """The first diagnostics published for the document after the first `count` publications of the session."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while loop.time() < deadline:
        for params in client.published[count:]:
            if params.uri == uri:
                return params
        await asyncio.sleep(0.01)
    raise AssertionError(f"no diagnostics published for {uri} after publication {count}")


def write(folder: Path, text: str, name: str = "Dockerfile") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8", newline="")
    return path


async def open_document(client: RecordingClient, path: Path, text: str | None = None) -> list[lsp.Diagnostic]:
    text = path.read_text(encoding="utf-8") if text is None else text
    item = lsp.TextDocumentItem(uri=path.as_uri(), language_id="dockerfile", version=1, text=text)
    client.text_document_did_open(lsp.DidOpenTextDocumentParams(text_document=item))
    return await published(client, path.as_uri(), 1)


def change(client: RecordingClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        lsp.DidChangeTextDocumentParams(
            text_document=lsp.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[lsp.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def close(client: RecordingClient, uri: str) -> None:
    client.text_document_did_close(lsp.DidCloseTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=uri)))


async def actions_at(
    client: RecordingClient, uri: str, range_: lsp.Range, only: list[str] | None = None
) -> list[lsp.CodeAction]:
    params = lsp.CodeActionParams(
        text_document=lsp.TextDocumentIdentifier(uri=uri),
        range=range_,
        context=lsp.CodeActionContext(diagnostics=[], only=only, trigger_kind=lsp.CodeActionTriggerKind.Invoked),
    )
    result = await client.text_document_code_action_async(params)
    return [action for action in result or [] if isinstance(action, lsp.CodeAction)]


def apply(text: str, uri: str, edit: lsp.WorkspaceEdit | None, version: int) -> str:
    """The text after the client applies the edit's changes to this document (pygls' own UTF-16 positions)."""
    assert edit is not None and edit.document_changes is not None
    document = TextDocument(uri, text)
    edits: list[lsp.TextEdit] = []
    for change_ in edit.document_changes:
        if isinstance(change_, lsp.TextDocumentEdit) and change_.text_document.uri == uri:
            assert change_.text_document.version == version  # versioned: a stale buffer rejects it
            edits += [e for e in change_.edits if isinstance(e, lsp.TextEdit)]
    spans = sorted(
        (
            (document.offset_at_position(e.range.start), document.offset_at_position(e.range.end), e.new_text)
            for e in edits
        ),
        reverse=True,
    )
    for start, end, new_text in spans:
        text = text[:start] + new_text + text[end:]
    return text


def cli_findings(path: Path) -> list[tuple[str, int, int, int, int]]:
    """(code, line, column, end line, end column) from `lintslim check --output-format json`, made 0-based."""
    run = subprocess.run(
        [sys.executable, "-m", "lintslim", "check", "--output-format", "json", "--exit-zero", str(path)],
        capture_output=True,
        text=True,
        check=True,
    )
    return [
        (d["code"], d["line"] - 1, d["column"] - 1, d["end_line"] - 1, d["end_column"] - 1)
        for d in json.loads(run.stdout)
    ]


def lsp_findings(diagnostics: list[lsp.Diagnostic]) -> list[tuple[str, int, int, int, int]]:
    return [
        (str(d.code), d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character)
        for d in diagnostics
    ]


def by_code(diagnostics: list[lsp.Diagnostic], code: str) -> lsp.Diagnostic:
    return next(d for d in diagnostics if d.code == code)


FINDINGS = "FROM python:3.12\nWORKDIR app\nADD app.py /app/\nCMD python /app/app.py\n"
CLEAN = 'FROM python:3.12\nWORKDIR /app\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]\n'


# --- tests ---------------------------------------------------------------------------------------


async def test_diagnostics_appear_then_clear_on_fix_and_close(client: RecordingClient, workspace: Path) -> None:
    path = write(workspace / "appear", FINDINGS)
    uri = path.as_uri()
    diagnostics = await open_document(client, path)

    assert lsp_findings(diagnostics) == cli_findings(path)
    assert {d.code for d in diagnostics} >= {"LS501", "LS502", "LS503"}
    add = by_code(diagnostics, "LS503")
    assert add.range == lsp.Range(start=lsp.Position(line=2, character=0), end=lsp.Position(line=2, character=3))
    assert add.severity == lsp.DiagnosticSeverity.Warning
    assert add.source == "lintslim"
    assert add.code_description is not None
    assert add.code_description.href == "https://github.com/lintslim/lintslim/blob/main/docs/rules/LS503.md"
    assert add.message == "`ADD` used for local file: app.py"

    change(client, uri, 2, CLEAN)
    assert await published(client, uri, 2) == []

    change(client, uri, 3, FINDINGS)
    assert len(await published(client, uri, 3)) == len(diagnostics)
    close(client, uri)
    assert await published(client, uri, None) == []


async def test_quick_fix_edit_gives_the_fixed_dockerfile(client: RecordingClient, workspace: Path) -> None:
    path = write(workspace / "quickfix", FINDINGS)
    diagnostics = await open_document(client, path)
    actions = await actions_at(client, path.as_uri(), by_code(diagnostics, "LS503").range)

    fix = next(a for a in actions if a.title == "Fix LS503: Replace `ADD` with `COPY`")
    assert fix.kind == lsp.CodeActionKind.QuickFix and fix.is_preferred
    assert apply(FINDINGS, path.as_uri(), fix.edit, 1) == FINDINGS.replace("ADD app.py", "COPY app.py")

    cmd_actions = await actions_at(client, path.as_uri(), by_code(diagnostics, "LS502").range)
    unsafe = next(a for a in cmd_actions if a.title.startswith("Fix LS502:"))
    assert unsafe.title.endswith("(unsafe)") and not unsafe.is_preferred
    assert apply(FINDINGS, path.as_uri(), unsafe.edit, 1).endswith('CMD ["python", "/app/app.py"]\n')
    close(client, path.as_uri())


async def test_fix_all_matches_lintslim_check_fix(client: RecordingClient, workspace: Path, tmp_path: Path) -> None:
    text = "FROM python:3.12\nWORKDIR app\nADD app.py /app/\nADD lib.py /app/\nCMD python /app/app.py\n"
    path = write(workspace / "fixall", text)
    await open_document(client, path)
    whole = lsp.Range(start=lsp.Position(line=0, character=0), end=lsp.Position(line=5, character=0))

    actions = await actions_at(client, path.as_uri(), whole, only=[lsp.CodeActionKind.SourceFixAll.value])
    assert [a.kind for a in actions] == ["source.fixAll.lintslim"]
    fixed = apply(text, path.as_uri(), actions[0].edit, 1)

    copy = write(tmp_path / "cli", text)
    subprocess.run([sys.executable, "-m", "lintslim", "check", "--fix", "--exit-zero", str(copy)], check=True)
    assert fixed == copy.read_text(encoding="utf-8")
    assert fixed != text
    close(client, path.as_uri())


async def test_ignore_action_silences_the_finding(client: RecordingClient, workspace: Path) -> None:
    text = "FROM python:3.12 AS build\n    # lintslim: ignore=LS501\n    ADD app.py /app/\n"
    path = write(workspace / "ignore", text)
    uri = path.as_uri()
    diagnostics = await open_document(client, path)
    actions = await actions_at(client, uri, by_code(diagnostics, "LS503").range)

    ignore = next(a for a in actions if a.title == "Ignore LS503 for this instruction")
    ignored = apply(text, uri, ignore.edit, 1)
    assert ignored == "FROM python:3.12 AS build\n    # lintslim: ignore=LS501,LS503\n    ADD app.py /app/\n"
    change(client, uri, 2, ignored)
    assert "LS503" not in {d.code for d in await published(client, uri, 2)}

    bare = "FROM python:3.12\n  ADD app.py /app/\n"
    change(client, uri, 3, bare)
    add = by_code(await published(client, uri, 3), "LS503")
    ignore = next(a for a in await actions_at(client, uri, add.range) if a.title.startswith("Ignore LS503"))
    assert apply(bare, uri, ignore.edit, 3) == "FROM python:3.12\n  # lintslim: ignore=LS503\n  ADD app.py /app/\n"
    close(client, uri)


async def test_hover_shows_the_message_then_the_rule_page(client: RecordingClient, workspace: Path) -> None:
    path = write(workspace / "hover", FINDINGS)
    await open_document(client, path)
    params = lsp.HoverParams(
        text_document=lsp.TextDocumentIdentifier(uri=path.as_uri()), position=lsp.Position(line=2, character=1)
    )
    hover = await client.text_document_hover_async(params)

    assert hover is not None and isinstance(hover.contents, lsp.MarkupContent)
    assert hover.contents.kind == lsp.MarkupKind.Markdown
    text = hover.contents.value
    assert text.startswith("**LS503** (prefer-copy-over-add): `ADD` used for local file: app.py")
    assert "# LS503 prefer-copy-over-add" in text and "## Why is this bad?" in text
    assert "<!--" not in text
    assert hover.range == lsp.Range(start=lsp.Position(line=2, character=0), end=lsp.Position(line=2, character=3))

    params.position = lsp.Position(line=0, character=2)  # FROM: nothing found there
    assert await client.text_document_hover_async(params) is None
    close(client, path.as_uri())


async def test_project_config_is_honoured_and_reloaded(client: RecordingClient, workspace: Path) -> None:
    folder = workspace / "configured 100%41, a:b"  # a space, a literal %41, a comma and a colon in the URI
    config = write(folder, '[tool.lintslim]\nignore = ["LS503"]\n', "pyproject.toml")
    path = write(folder / "service", FINDINGS)
    uri = path.as_uri()
    codes = {d.code for d in await open_document(client, path)}
    assert "LS503" not in codes and "LS502" in codes

    config.write_text('[tool.lintslim]\nignore = ["LS502"]\n', encoding="utf-8")
    saved = lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=config.as_uri()))
    before = len(client.published)
    client.text_document_did_save(saved)  # saving the config re-checks the open Dockerfile, unchanged
    relinted = await published_after(client, uri, before)
    assert relinted.version == 1
    codes = {d.code for d in relinted.diagnostics}
    assert "LS503" in codes and "LS502" not in codes

    config.write_text('[tool.lintslim]\nignore = ["LS999"]\n', encoding="utf-8")
    change(client, uri, 3, FINDINGS)
    [problem] = await published(client, uri, 3)
    assert problem.range.start.line == 0 and problem.severity == lsp.DiagnosticSeverity.Error
    assert "configuration error" in problem.message and "LS999" in problem.message

    config.write_text('[tool.lintslim]\nignore = ["LS503"]\n', encoding="utf-8")
    change(client, uri, 4, FINDINGS)  # the server survived and reads the repaired file
    assert "LS502" in {d.code for d in await published(client, uri, 4)}
    close(client, uri)


async def test_columns_are_utf16_code_units(client: RecordingClient, workspace: Path) -> None:
    text = 'FROM python:3.12\nENV GREETING="🐳 hi" API_TOKEN=abcdefgh12345678\nWORKDIR 🐳app\n'
    path = write(workspace / "emoji", text)
    diagnostics = await open_document(client, path)

    secret = by_code(diagnostics, "LS201")  # the emoji before it is one code point but two UTF-16 units
    assert secret.range == lsp.Range(start=lsp.Position(line=1, character=21), end=lsp.Position(line=1, character=30))
    workdir = by_code(diagnostics, "LS501")
    assert workdir.range == lsp.Range(start=lsp.Position(line=2, character=8), end=lsp.Position(line=2, character=13))
    assert "abcdefgh12345678" not in " ".join(d.message for d in diagnostics)
    close(client, path.as_uri())


async def test_malformed_documents_and_rapid_edits_do_not_crash_it(client: RecordingClient, workspace: Path) -> None:
    path = write(workspace / "malformed", "FROM alpine\n")
    uri = path.as_uri()
    await open_document(client, path)
    nasty = [
        "\x00\x01\x02\ufffd\x7f\x0c\x1c\u2028FROM\x00 alpine\r\rRUN \x0b\n",
        "FROM alpine\nRUN <<EOF\necho never terminated\n",
        "FROM alpine\nRUN echo " + "x" * 200_000 + "\n",
        "",
    ]
    for version, text in enumerate(nasty, start=2):
        change(client, uri, version, text)
        diagnostics = await published(client, uri, version)
        assert all(d.source == "lintslim" for d in diagnostics)

    final = ""
    before = len(client.published)
    for version in range(10, 60):  # 50 edits with no pause: only the last one need be linted
        final = FINDINGS.replace("app.py", f"app{version}.py")
        change(client, uri, version, final)
    diagnostics = await published(client, uri, 59)
    copy = write(workspace / "malformed-final", final)
    assert lsp_findings(diagnostics) == cli_findings(copy)
    change(client, uri, 60, CLEAN)  # published after any lint the burst scheduled
    assert await published(client, uri, 60) == []
    burst = [p for p in client.published[before:] if p.uri == uri and p.version != 60]
    assert len(burst) < 50  # debounced: an edit cancels the lint the one before it scheduled
    close(client, uri)


async def test_a_fix_creating_a_file_is_a_create_file_operation(client: RecordingClient, workspace: Path) -> None:
    folder = workspace / "context"
    write(folder, "API_KEY=x\n", ".env")
    path = write(folder, "FROM python:3.12\nWORKDIR /app\nCOPY . /app/\n")
    diagnostics = await open_document(client, path)
    actions = await actions_at(client, path.as_uri(), by_code(diagnostics, "LS106").range)

    create = next(a for a in actions if a.title.startswith("Fix LS106:"))
    assert create.edit is not None and create.edit.document_changes is not None
    operation, fill = create.edit.document_changes
    assert isinstance(operation, lsp.CreateFile) and operation.uri == (folder / ".dockerignore").as_uri()
    assert isinstance(fill, lsp.TextDocumentEdit) and "**/.env" in fill.edits[0].new_text
    assert not (folder / ".dockerignore").exists()  # offered, not written: the client applies it
    close(client, path.as_uri())


async def test_a_saved_hadolint_config_relints_open_dockerfiles(client: RecordingClient, workspace: Path) -> None:
    folder = workspace / "hadolint"
    path = write(folder, FINDINGS)
    uri = path.as_uri()
    assert "LS503" in {d.code for d in await open_document(client, path)}

    config = write(folder, "ignored:\n  - DL3020\n", ".hadolint.yaml")  # read when there is no lintslim config
    before = len(client.published)
    client.text_document_did_save(
        lsp.DidSaveTextDocumentParams(text_document=lsp.TextDocumentIdentifier(uri=config.as_uri()))
    )
    relinted = await published_after(client, uri, before)
    assert relinted.version == 1
    codes = {d.code for d in relinted.diagnostics}
    assert "LS503" not in codes and "LS502" in codes
    close(client, uri)

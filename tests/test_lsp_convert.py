"""The language server's pure parts: positions, edits, redaction, config reloads (no client needed)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.registry import default_registry
from lintslim.engine.rule import Diagnostic, Severity
from lintslim.lsp.analysis import ConfigCache, analyse, fix_all, is_lintable, uri_to_path
from lintslim.lsp.positions import UTF8, UTF16, UTF32, LspPosition, PositionMap
from lintslim.runner import FileReport
from lintslim.syntax.parser import parse
from lintslim.syntax.source import Span

lsp = pytest.importorskip("lsprotocol.types", reason="the language server needs pygls (pip install 'lintslim[lsp]')")

from lintslim.lsp.actions import EditSupport, fix_all_action, ignore_edit, quick_fix, text_changes, wanted  # noqa: E402
from lintslim.lsp.convert import hover_markdown, lsp_diagnostics, to_lsp_diagnostic  # noqa: E402
from lintslim.lsp.features import debounce_option  # noqa: E402

SECRET = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"  # a GitHub token's shape, not a real one


# --- positions ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("encoding", "character"), [(UTF16, 7), (UTF8, 9), (UTF32, 6)])
def test_columns_after_an_astral_character_count_code_units(encoding: str, character: int) -> None:
    text = "FROM x\nRUN 🐳 ab\n"
    positions = PositionMap(text, encoding)
    offset = text.index("ab")
    assert positions.position(offset) == LspPosition(1, character)
    assert positions.offset(LspPosition(1, character)) == offset


def test_lines_break_at_crlf_cr_and_lf_only() -> None:
    text = "a\r\nb\rc\x0cd\ne"
    positions = PositionMap(text)
    assert positions.position(text.index("b")) == LspPosition(1, 0)
    assert positions.position(text.index("c")) == LspPosition(2, 0)
    assert positions.position(text.index("d")) == LspPosition(2, 2)  # a form feed is not a line break in LSP
    assert positions.position(text.index("e")) == LspPosition(3, 0)
    assert positions.position(2) == LspPosition(0, 1)  # between \r and \n: the end of line 0


def test_positions_past_the_end_clamp() -> None:
    positions = PositionMap("ab\ncd")
    assert positions.offset(LspPosition(0, 99)) == 2
    assert positions.offset(LspPosition(7, 0)) == 5
    assert positions.offset(LspPosition(1, 1)) == 4


# --- edits ----------------------------------------------------------------------------------------


def _apply(text: str, edits: list[Edit]) -> str:
    for edit in sorted(edits, key=lambda e: e.span.start, reverse=True):
        text = text[: edit.span.start] + edit.content + text[edit.span.end :]
    return text


def test_fix_all_changes_are_the_changed_characters_of_changed_lines() -> None:
    old = "FROM a\nADD x /\nRUN b\nWORKDIR app\nADD y /\n"
    new = "# syntax=docker/dockerfile:1\nFROM a\nCOPY x /\nRUN b\nWORKDIR /app\nCOPY y /\n"
    changes = text_changes(old, new)
    edits = [Edit(before, new[after.start : after.end]) for before, after in changes]
    assert _apply(old, edits) == new
    assert [(old[e.span.start : e.span.end], e.content) for e in edits] == [
        ("", "# syntax=docker/dockerfile:1\n"),
        ("ADD", "COPY"),
        ("", "/"),
        ("ADD", "COPY"),
    ]


def test_fix_all_is_offered_when_a_fixed_line_holds_a_secret(tmp_path: Path) -> None:
    text = (
        "FROM public.ecr.aws/lambda/python:3.12\n"
        f'RUN yum install -y gcc && curl -H "Authorization: token {SECRET}" https://example.com/x\n'
        "ADD app.py /var/task/\n"
    )
    path = tmp_path / "Dockerfile"
    path.write_text(text, encoding="utf-8")
    # the two rules this is about; more fixes on the secret's line would make the edits show it (refused)
    (tmp_path / ".lintslim.yaml").write_text("select: [LS408, LS503]\n", encoding="utf-8")
    registry = default_registry()
    analysis = analyse(path.as_uri(), text, 1, registry, ConfigCache(registry))
    fixed = fix_all(analysis, registry, create_files=False)
    assert fixed is not None
    action = fix_all_action(analysis, fixed, EditSupport())
    assert action is not None and action.edit is not None and action.edit.changes is not None
    assert [edit.new_text for edit in action.edit.changes[path.as_uri()]] == ["dnf", "COPY"]
    assert SECRET not in str(action)


def test_fix_all_is_not_offered_when_an_edit_shows_part_of_a_secret(tmp_path: Path) -> None:
    text = f"FROM alpine\nENV GITHUB_TOKEN={SECRET[:-4]}\n"
    registry = default_registry()
    analysis = analyse((tmp_path / "Dockerfile").as_uri(), text, 1, registry, ConfigCache(registry))
    completed = text.replace(SECRET[:-4], SECRET)  # the edit would insert the token's last characters only
    fixed = FileReport(analysis.report_path, completed, text)
    assert fix_all_action(analysis, fixed, EditSupport()) is None


def _finding(text: str, needle: str) -> Diagnostic:
    start = text.index(needle)
    return Diagnostic("LS503", "prefer-copy-over-add", "m", Span(start, start + 3), Severity.WARNING)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FROM a\r\n\tADD x /\r\n", "FROM a\r\n\t# lintslim: ignore=LS503\r\n\tADD x /\r\n"),
        ("\ufeffADD x /", "\ufeff# lintslim: ignore=LS503\nADD x /"),
        (
            "FROM a\n# lintslim: ignore=LS501 -- legacy layout\n# why\nADD x /\n",
            "FROM a\n# lintslim: ignore=LS501,LS503 -- legacy layout\n# why\nADD x /\n",
        ),
        (
            "FROM a\n# hadolint ignore=DL3000\nADD x /\n",
            "FROM a\n# hadolint ignore=DL3000\n# lintslim: ignore=LS503\nADD x /\n",
        ),
    ],
)
def test_ignore_edit(text: str, expected: str) -> None:
    edit = ignore_edit(parse(text, "Dockerfile"), _finding(text, "ADD"))
    assert edit is not None
    assert _apply(text, [edit]) == expected


# --- redaction, kinds, options ------------------------------------------------------------------


def test_no_secret_in_a_diagnostic_a_hover_or_a_fix(tmp_path: Path) -> None:
    text = f"FROM alpine\nENV GITHUB_TOKEN={SECRET}\n"
    path = tmp_path / "Dockerfile"
    path.write_text(text, encoding="utf-8")
    analysis = analyse(path.as_uri(), text, 1, default_registry(), ConfigCache(default_registry()))
    assert analysis.redactor is not None and analysis.report is not None
    assert analysis.report.diagnostics and SECRET not in str(lsp_diagnostics(analysis))

    start = text.index(SECRET)
    leaky = Diagnostic(
        "LS201",
        "secret-in-arg-env",
        f"found {SECRET}",
        Span(start, start + 4),
        Severity.WARNING,
        Fix.safe(f"Move {SECRET} out", Edit.insert(0, f"# {SECRET}\n")),
    )
    assert SECRET not in to_lsp_diagnostic(leaky, analysis.positions, analysis.redactor).message
    assert SECRET not in hover_markdown([(leaky, "page")], analysis.redactor)
    assert quick_fix(analysis, leaky, EditSupport(document_changes=True)) is None  # its edit would need masking

    harmless = Diagnostic(
        "LS201", "n", "m", Span(0, 4), Severity.WARNING, Fix.safe(f"Use {SECRET}", Edit.insert(0, "#"))
    )
    action = quick_fix(analysis, harmless, EditSupport(document_changes=True))
    assert action is not None and SECRET not in action.title


def test_without_document_changes_edits_are_plain_changes(tmp_path: Path) -> None:
    text = "FROM alpine\nADD x /x\n"
    uri = (tmp_path / "Dockerfile").as_uri()
    analysis = analyse(uri, text, 3, default_registry(), ConfigCache(default_registry()))
    assert analysis.report is not None
    [add] = [d for d in analysis.report.diagnostics if d.code == "LS503"]
    action = quick_fix(analysis, add, EditSupport())
    assert action is not None and action.edit is not None
    assert action.edit.document_changes is None
    assert action.edit.changes is not None and action.edit.changes[uri][0].new_text == "COPY"


def test_requested_kinds_cover_their_subkinds() -> None:
    assert wanted("source.fixAll.lintslim", None)
    assert wanted("source.fixAll.lintslim", ["source"])
    assert wanted("source.fixAll.lintslim", ["source.fixAll"])
    assert not wanted("source.fixAll.lintslim", ["quickfix"])
    assert not wanted("source.fixAllX", ["source.fixAll"])


def test_debounce_option() -> None:
    assert debounce_option({"debounceMs": 500}) == 0.5
    assert debounce_option({"debounceMs": 0}) == 0.0
    assert debounce_option({"debounceMs": "fast"}, 0.2) == 0.2
    assert debounce_option(None, 0.2) == 0.2


def test_which_documents_are_linted() -> None:
    assert is_lintable("file:///x/anything", "dockerfile")
    assert is_lintable("file:///x/Containerfile.dev", None)
    assert is_lintable("untitled:Dockerfile", "plaintext")
    assert not is_lintable("file:///x/pyproject.toml", "toml")
    assert uri_to_path("untitled:Untitled-1") is None
    assert uri_to_path("file:///tmp/a%20b/Dockerfile") == Path("/tmp/a b/Dockerfile")
    odd = Path("/tmp/50%41 off, a:b/Dockerfile")  # a literal %41 must not turn into A
    assert uri_to_path(odd.as_uri()) == odd


def test_config_changes_are_picked_up_without_a_restart(tmp_path: Path) -> None:
    configs = ConfigCache(default_registry())
    dockerfile = tmp_path / "svc" / "Dockerfile"
    dockerfile.parent.mkdir()
    assert configs.settings_for(dockerfile).ignore == ()
    (tmp_path / ".lintslim.yaml").write_text("ignore: [LS503]\n", encoding="utf-8")
    assert configs.settings_for(dockerfile).ignore == ("LS503",)  # a new file is found
    (tmp_path / ".lintslim.yaml").write_text("ignore: [LS501, LS502]\n", encoding="utf-8")
    assert configs.settings_for(dockerfile).ignore == ("LS501", "LS502")  # a changed one is reloaded


def test_a_file_the_config_excludes_gets_no_findings_and_no_fixes(tmp_path: Path) -> None:
    (tmp_path / ".lintslim.yaml").write_text("exclude: [vendor/**]\n", encoding="utf-8")
    registry = default_registry()
    configs = ConfigCache(registry)
    text = "FROM python:3.12\nADD app.py /app/\n"
    vendored = analyse((tmp_path / "vendor" / "Dockerfile").as_uri(), text, 1, registry, configs)
    assert lsp_diagnostics(vendored) == [] and fix_all(vendored, registry, create_files=False) is None
    own = analyse((tmp_path / "app" / "Dockerfile").as_uri(), text, 1, registry, configs)
    assert [d.code for d in lsp_diagnostics(own)] == ["LS503"]


def test_an_unsaved_buffer_gets_the_workspace_config_and_no_context(tmp_path: Path) -> None:
    (tmp_path / ".lintslim.yaml").write_text("ignore: [LS503]\n", encoding="utf-8")
    registry = default_registry()
    text = "FROM python:3.12\nWORKDIR app\nADD app.py /app/\n"
    analysis = analyse("untitled:Untitled-1", text, 1, registry, ConfigCache(registry), workspace_root=tmp_path)
    assert analysis.report is not None and analysis.inputs is not None
    assert analysis.inputs.context_dir is None
    assert {d.code for d in analysis.report.diagnostics} == {"LS501"}


# --- the command ----------------------------------------------------------------------------------


def test_check_never_imports_the_language_server_packages(tmp_path: Path) -> None:
    path = tmp_path / "Dockerfile"
    path.write_text("FROM python:3.12\nADD app.py /app/\n", encoding="utf-8")
    code = (
        "import sys; from lintslim.cli import main; main(['check', '--exit-zero', sys.argv[1]]); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pygls', 'lsprotocol', 'cattrs')))"
    )
    run = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    assert run.stdout.strip().splitlines()[-1] == "[]"


def test_server_without_pygls_says_how_to_install_it() -> None:
    code = "import sys; sys.modules['pygls'] = None; from lintslim.cli import main; sys.exit(main(['server']))"
    run = subprocess.run(
        [sys.executable, "-c", code], check=False, capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    assert run.returncode == 2
    assert run.stderr == "lintslim: error: the language server needs pygls: pip install 'lintslim[lsp]'\n"

"""Code actions: a quick fix per fixable finding, "ignore LSxxx for this instruction", and fix all.

Edits go in versioned `TextDocumentEdit`s when the client takes them, so a client whose buffer
changed since the lint rejects them instead of applying them in the wrong place.  A fix that creates
a file (LS106's `.dockerignore`) is offered as a `CreateFile` plus an edit filling it, only to clients
that support resource operations; others do not see it.  An edit whose text would have to be masked
(it holds a secret) is not offered: the title and preview a client shows must not show one.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types as lsp

from lintslim.engine.fixes import Applicability, Edit, Fix
from lintslim.engine.rule import Diagnostic
from lintslim.engine.suppress import ignore_codes_end
from lintslim.lsp.analysis import Analysis
from lintslim.lsp.convert import findings_at, text_edit, to_lsp_diagnostic
from lintslim.output import report_redactor
from lintslim.runner import FileReport
from lintslim.secrets.redact import Redactor
from lintslim.syntax.nodes import Dockerfile
from lintslim.syntax.source import BOM, Span

FIX_ALL_KIND = f"{lsp.CodeActionKind.SourceFixAll.value}.lintslim"


@dataclass(frozen=True)
class EditSupport:
    """What the client's `workspace.workspaceEdit` capabilities allow."""

    document_changes: bool = False  # versioned TextDocumentEdits
    create_files: bool = False  # CreateFile resource operations

    @classmethod
    def of(cls, capabilities: lsp.ClientCapabilities) -> EditSupport:
        workspace_edit = capabilities.workspace.workspace_edit if capabilities.workspace else None
        if workspace_edit is None or not workspace_edit.document_changes:
            return cls()
        operations = workspace_edit.resource_operations or []
        return cls(True, lsp.ResourceOperationKind.Create in operations)


def wanted(kind: str, only: Sequence[str] | None) -> bool:
    """Whether a client asking for `only` kinds wants an action of `kind` (`source` covers `source.fixAll.x`)."""
    return only is None or any(kind == asked or kind.startswith(f"{asked}.") for asked in only)


# --- edits ----------------------------------------------------------------------------------------


def text_changes(old: str, new: str) -> list[tuple[Span, Span]]:
    """Where `new` differs from `old`, as (span in `old`, span in `new`) pairs.

    A diff by lines, then narrowed: a run of changed lines replaced by as many lines is taken line
    by line, and each change loses the characters its old and new text begin and end with alike.
    So a fix-all edit holds what the fixes changed, not the rest of the line, which may hold a
    secret (`fix_all_action` declines an edit that shows one).  Linear in the text, where a diff by
    characters can be quadratic."""
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    old_starts = list(itertools.accumulate(map(len, old_lines), initial=0))
    new_starts = list(itertools.accumulate(map(len, new_lines), initial=0))
    changes = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False).get_opcodes():
        if tag == "replace" and i2 - i1 == j2 - j1:
            runs = [(i, i + 1, j, j + 1) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
        else:
            runs = [] if tag == "equal" else [(i1, i2, j1, j2)]
        for start, end, new_start, new_end in runs:
            old_span, new_span = (
                Span(old_starts[start], old_starts[end]),
                Span(new_starts[new_start], new_starts[new_end]),
            )
            changes.append(_narrowed(old, old_span, new, new_span))
    return changes


def _narrowed(old: str, old_span: Span, new: str, new_span: Span) -> tuple[Span, Span]:
    """The spans less the characters their texts begin and end with alike."""
    old_text, new_text = old[old_span.start : old_span.end], new[new_span.start : new_span.end]
    prefix = _alike_length(old_text, new_text)
    suffix = _alike_length(old_text[prefix:][::-1], new_text[prefix:][::-1])
    return Span(old_span.start + prefix, old_span.end - suffix), Span(new_span.start + prefix, new_span.end - suffix)


def _alike_length(first: str, second: str) -> int:
    """How many characters `first` and `second` begin with alike."""
    length = 0
    for a, b in zip(first, second, strict=False):
        if a != b:
            break
        length += 1
    return length


def ignore_edit(dockerfile: Dockerfile, diagnostic: Diagnostic) -> Edit | None:
    """The edit that suppresses `diagnostic` on its instruction: the code added to the instruction's
    `# lintslim: ignore=` pragma, or a new pragma line above it with its indentation.  None when the
    finding is not on an instruction (a pragma could not cover it)."""
    start = diagnostic.span.start
    instruction = next((i for i in dockerfile.instructions if i.span.start <= start <= i.span.end), None)
    if instruction is None:
        return None
    text = dockerfile.text
    for comment in reversed(instruction.comments):
        codes_end = ignore_codes_end(comment, text)
        if codes_end is not None:
            return Edit.insert(codes_end, f",{diagnostic.code}")
    lines = dockerfile.lines
    line_start = lines.line_start(instruction.start_line)
    if line_start == 0 and text.startswith(BOM):
        line_start = len(BOM)
    indent = text[line_start : instruction.span.start]
    if indent.strip():
        indent = ""
    line = instruction.start_line
    line_break = text[lines.line_end(line) : lines.line_end(line, keep_newline=True)] or "\n"
    return Edit.insert(line_start, f"{indent}# lintslim: ignore={diagnostic.code}{line_break}")


def _masks(redactor: Redactor, texts: Sequence[str]) -> bool:
    return any(redactor.scrub(text) != text for text in texts)


def workspace_edit(
    analysis: Analysis, edits: Sequence[Edit], new_files: dict[Path, str], support: EditSupport
) -> lsp.WorkspaceEdit:
    text_edits = [text_edit(analysis.positions, edit) for edit in edits]
    if not support.document_changes:
        return lsp.WorkspaceEdit(changes={analysis.uri: text_edits})
    identifier = lsp.OptionalVersionedTextDocumentIdentifier(uri=analysis.uri, version=analysis.version)
    changes: list[lsp.TextDocumentEdit | lsp.CreateFile | lsp.RenameFile | lsp.DeleteFile] = []
    if text_edits:
        changes.append(lsp.TextDocumentEdit(text_document=identifier, edits=list(text_edits)))
    for path, content in new_files.items():
        uri = path.as_uri()
        # neither overwrite nor ignore: if the file appeared meanwhile, the client refuses the edit
        changes.append(lsp.CreateFile(uri=uri, options=lsp.CreateFileOptions(overwrite=False, ignore_if_exists=False)))
        start = lsp.Position(line=0, character=0)
        fill = lsp.TextEdit(range=lsp.Range(start=start, end=start), new_text=content)
        changes.append(
            lsp.TextDocumentEdit(
                text_document=lsp.OptionalVersionedTextDocumentIdentifier(uri=uri, version=None), edits=[fill]
            )
        )
    return lsp.WorkspaceEdit(document_changes=changes)


# --- actions --------------------------------------------------------------------------------------


def _created_files(analysis: Analysis, fix: Fix, support: EditSupport) -> dict[Path, str] | None:
    """The files the fix creates, by absolute path; None when they cannot be offered."""
    if not fix.new_files:
        return {}
    context = analysis.inputs.context_dir if analysis.inputs is not None else None
    if not support.create_files or context is None:
        return None
    return {context / file.path: file.content for file in fix.new_files}


def quick_fix(analysis: Analysis, diagnostic: Diagnostic, support: EditSupport) -> lsp.CodeAction | None:
    """The finding's own fix, as `--fix` would apply it alone; None without one that can be offered."""
    fix, redactor = diagnostic.fix, analysis.redactor
    if fix is None or fix.applicability is Applicability.DISPLAY_ONLY or redactor is None:
        return None
    created = _created_files(analysis, fix, support)
    if created is None or _masks(redactor, [edit.content for edit in fix.edits] + list(created.values())):
        return None
    unsafe = fix.applicability is Applicability.UNSAFE
    title = f"Fix {diagnostic.code}: {redactor.scrub(fix.title)}" + (" (unsafe)" if unsafe else "")
    return lsp.CodeAction(
        title=title,
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[to_lsp_diagnostic(diagnostic, analysis.positions, redactor)],
        is_preferred=not unsafe,
        edit=workspace_edit(analysis, fix.edits, created, support),
    )


def ignore_action(analysis: Analysis, diagnostic: Diagnostic, edit: Edit, support: EditSupport) -> lsp.CodeAction:
    assert analysis.redactor is not None
    return lsp.CodeAction(
        title=f"Ignore {diagnostic.code} for this instruction",
        kind=lsp.CodeActionKind.QuickFix,
        diagnostics=[to_lsp_diagnostic(diagnostic, analysis.positions, analysis.redactor)],
        edit=workspace_edit(analysis, [edit], {}, support),
    )


def ignore_actions(analysis: Analysis, findings: Sequence[Diagnostic], support: EditSupport) -> list[lsp.CodeAction]:
    """One "ignore" action per code and instruction among `findings`."""
    dockerfile = analysis.report.dockerfile if analysis.report is not None else None
    if dockerfile is None or analysis.redactor is None:
        return []
    edits: dict[Edit, Diagnostic] = {}
    for diagnostic in findings:
        edit = ignore_edit(dockerfile, diagnostic)
        if edit is not None:
            edits.setdefault(edit, diagnostic)
    return [ignore_action(analysis, diagnostic, edit, support) for edit, diagnostic in edits.items()]


def fix_all_action(analysis: Analysis, fixed: FileReport, support: EditSupport) -> lsp.CodeAction | None:
    """The whole document fixed, as a minimal set of edits; None when nothing changes or an edit shows a secret."""
    changes = text_changes(analysis.text, fixed.text)
    if not changes and not fixed.new_files:
        return None
    secrets = report_redactor(fixed)
    if any(new.start < secret.end and secret.start < new.end for _, new in changes for secret in secrets.spans):
        return None
    edits = [Edit(old, fixed.text[new.start : new.end]) for old, new in changes]
    if _masks(secrets, [edit.content for edit in edits] + list(fixed.new_files.values())):
        return None
    return lsp.CodeAction(
        title="Fix all auto-fixable lintslim findings",
        kind=FIX_ALL_KIND,
        edit=workspace_edit(analysis, edits, dict(fixed.new_files), support),
    )


def code_actions(
    analysis: Analysis,
    span: Span,
    only: Sequence[str] | None,
    support: EditSupport,
    fix_everything: Callable[[], FileReport | None],
    *,
    include_fix_all: bool,
) -> list[lsp.CodeAction]:
    """The actions for a requested range.  `fix_everything` runs the fix loop, which costs more than
    a lint: it is called only with `include_fix_all` (the caller's judgement: an explicit request)
    and when `only` allows the fix-all kind."""
    actions: list[lsp.CodeAction] = []
    if wanted(lsp.CodeActionKind.QuickFix.value, only):
        findings = findings_at(analysis, span)
        actions += [action for d in findings if (action := quick_fix(analysis, d, support)) is not None]
        actions += ignore_actions(analysis, findings, support)
    if include_fix_all and wanted(FIX_ALL_KIND, only):
        fixed = fix_everything()
        action = fix_all_action(analysis, fixed, support) if fixed is not None else None
        if action is not None:
            actions.append(action)
    return actions

"""lintslim's findings as LSP diagnostics and hovers (lsprotocol types; no server needed).

Every text shown to the person at the editor goes through the document's redactor: messages, hover
text and problem reports never show a secret (see `lintslim.output`).
"""

from __future__ import annotations

from lsprotocol import types as lsp

from lintslim.engine.fixes import Edit
from lintslim.engine.rule import Diagnostic, Severity
from lintslim.lsp.analysis import Analysis
from lintslim.lsp.positions import LspPosition, PositionMap
from lintslim.secrets.redact import Redactor
from lintslim.syntax.source import Span

SOURCE = "lintslim"
SEVERITIES = {
    Severity.ERROR: lsp.DiagnosticSeverity.Error,
    Severity.WARNING: lsp.DiagnosticSeverity.Warning,
    Severity.INFO: lsp.DiagnosticSeverity.Information,
    Severity.STYLE: lsp.DiagnosticSeverity.Hint,
}


def lsp_position(position: LspPosition) -> lsp.Position:
    return lsp.Position(line=position.line, character=position.character)


def lsp_range(positions: PositionMap, span: Span) -> lsp.Range:
    return lsp.Range(start=lsp_position(positions.position(span.start)), end=lsp_position(positions.position(span.end)))


def offset_of(positions: PositionMap, position: lsp.Position) -> int:
    return positions.offset(LspPosition(position.line, position.character))


def span_of(positions: PositionMap, range_: lsp.Range) -> Span:
    start, end = offset_of(positions, range_.start), offset_of(positions, range_.end)
    return Span(min(start, end), max(start, end))


def text_edit(positions: PositionMap, edit: Edit) -> lsp.TextEdit:
    return lsp.TextEdit(range=lsp_range(positions, edit.span), new_text=edit.content)


def to_lsp_diagnostic(diagnostic: Diagnostic, positions: PositionMap, redactor: Redactor) -> lsp.Diagnostic:
    return lsp.Diagnostic(
        range=lsp_range(positions, diagnostic.span),
        message=redactor.scrub(diagnostic.message),
        severity=SEVERITIES[diagnostic.severity],
        code=diagnostic.code,
        code_description=lsp.CodeDescription(href=diagnostic.url),
        source=SOURCE,
    )


def problem_diagnostic(message: str, positions: PositionMap) -> lsp.Diagnostic:
    """A document-wide problem (a bad config, a rule's crash) shown on the first line."""
    first_line_end = positions.offset(LspPosition(0, 1 << 30))
    return lsp.Diagnostic(
        range=lsp_range(positions, Span(0, first_line_end)),
        message=message,
        severity=lsp.DiagnosticSeverity.Error,
        source=SOURCE,
    )


def lsp_diagnostics(analysis: Analysis) -> list[lsp.Diagnostic]:
    """What to publish for an analysis: its findings, or the problem that prevented them."""
    if analysis.problem is not None:
        return [problem_diagnostic(analysis.problem, analysis.positions)]
    if analysis.report is None or analysis.redactor is None:
        return []
    redactor = analysis.redactor
    return [to_lsp_diagnostic(d, analysis.positions, redactor) for d in analysis.report.diagnostics]


def findings_at(analysis: Analysis, span: Span) -> list[Diagnostic]:
    """The findings whose span touches `span` (both ends included, so a cursor at a finding's end counts)."""
    if analysis.report is None or analysis.problem is not None:
        return []
    return [d for d in analysis.report.diagnostics if d.span.start <= span.end and span.start <= d.span.end]


def rule_page(markdown: str) -> str:
    """A rule's documentation page without the generated-file comment (a hover shows it as text)."""
    lines = markdown.splitlines()
    while lines and (lines[0].startswith("<!--") or not lines[0].strip()):
        lines.pop(0)
    return "\n".join(lines)


def hover_markdown(findings: list[tuple[Diagnostic, str]], redactor: Redactor) -> str:
    """For each finding under the cursor: its message, then its rule's page (`rule_page`) and link."""
    parts = []
    for diagnostic, page in findings:
        message = redactor.scrub(diagnostic.message)
        link = f"[{diagnostic.code} documentation]({diagnostic.url})"
        parts.append(f"**{diagnostic.code}** ({diagnostic.name}): {message}\n\n{page}\n\n{link}")
    return "\n\n---\n\n".join(parts)

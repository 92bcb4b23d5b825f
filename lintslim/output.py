"""Output formats: full (default), concise, json and github.  Positions are 1-based; end columns are
exclusive (they point just past the last character), as in LSP and ruff's JSON.

No format prints a secret.  `report_redactor` finds the secrets of a file's text (with
`lintslim.secrets`, whichever rules ran, plus the spans rules mark in `Diagnostic.redact`), and every
writer masks them: source lines in `full`, messages and fix titles everywhere, the replacement text
of fix edits in `json` (such an edit is marked `"redacted": true`: it is not the text to apply), and
diff lines for `--diff`.  The one exception is `check --fix -`, whose standard output is the fixed
file itself.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, TextIO

from lintslim.engine.fixes import Applicability, Edit
from lintslim.engine.rule import Diagnostic
from lintslim.runner import FileReport, fails, fixable_counts
from lintslim.secrets.detect import find_secrets
from lintslim.secrets.redact import Redactor
from lintslim.syntax.parser import parse
from lintslim.syntax.source import LineIndex

FORMATS = ("full", "concise", "json", "github")
_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice", "style": "notice"}


def _positions(index: LineIndex, diagnostic: Diagnostic) -> tuple[int, int, int, int]:
    start = index.position(diagnostic.span.start)
    end = index.end_position(diagnostic.span)
    return start.line, start.column, end.line, end.column


def _marker(diagnostic: Diagnostic, unsafe: bool) -> str:
    fix = diagnostic.fix
    if fix is None:
        return ""
    if fix.applicability is Applicability.SAFE or (unsafe and fix.applicability is Applicability.UNSAFE):
        return " [*]"
    return ""


def _index(report: FileReport) -> LineIndex:
    return report.dockerfile.lines if report.dockerfile is not None else LineIndex(report.text)


def report_redactor(report: FileReport) -> Redactor:
    """The secrets of a report's text, and of the original text when fixes changed it (for diffs)."""
    spans = [span for diagnostic in report.diagnostics for span in diagnostic.redact]
    dockerfile = report.dockerfile if report.dockerfile is not None else parse(report.text, report.path)
    if dockerfile.text == report.text:
        spans += [secret.span for secret in find_secrets(dockerfile)]
    original_values: list[str] = []
    if report.original != report.text:
        original = parse(report.original, report.path)
        original_values = [report.original[s.span.start : s.span.end] for s in find_secrets(original)]
    return Redactor.build(report.text, spans, original_values)


def _edit_record(index: LineIndex, edit: Edit, redactor: Redactor) -> dict[str, Any]:
    start, end = index.position(edit.span.start), index.end_position(edit.span)
    content = redactor.scrub(edit.content)
    record = {
        "start": edit.span.start,
        "end": edit.span.end,
        "line": start.line,
        "column": start.column,
        "end_line": end.line,
        "end_column": end.column,
        "content": content,
    }
    if content != edit.content:
        record["redacted"] = True
    return record


def diagnostic_record(report: FileReport, diagnostic: Diagnostic, redactor: Redactor | None = None) -> dict[str, Any]:
    redactor = redactor if redactor is not None else report_redactor(report)
    index = _index(report)
    line, column, end_line, end_column = _positions(index, diagnostic)
    fix = None
    if diagnostic.fix is not None:
        fix = {
            "applicability": diagnostic.fix.applicability.value,
            "title": redactor.scrub(diagnostic.fix.title),
            "edits": [_edit_record(index, edit, redactor) for edit in diagnostic.fix.edits],
            "new_files": [
                {"path": file.path, "content": redactor.scrub(file.content)} for file in diagnostic.fix.new_files
            ],
        }
    return {
        "path": report.path,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "code": diagnostic.code,
        "name": diagnostic.name,
        "severity": diagnostic.severity.value,
        "message": redactor.scrub(diagnostic.message),
        "url": diagnostic.url,
        "fix": fix,
    }


class JsonArrayWriter:
    """Writes one JSON array of findings, record by record, so memory does not grow with the file count."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0

    def write(self, report: FileReport) -> None:
        redactor = report_redactor(report) if report.diagnostics else None
        for diagnostic in report.diagnostics:
            self.out.write("[\n" if self.count == 0 else ",\n")
            record = json.dumps(diagnostic_record(report, diagnostic, redactor), indent=2, ensure_ascii=False)
            self.out.write("  " + record.replace("\n", "\n  "))
            self.count += 1

    def close(self) -> None:
        self.out.write("[]\n" if self.count == 0 else "\n]\n")


def _github_escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def write_github(report: FileReport, out: TextIO) -> None:
    if not report.diagnostics:
        return
    index = _index(report)
    redactor = report_redactor(report)
    for d in report.diagnostics:
        line, column, end_line, end_column = _positions(index, d)
        properties = ",".join(
            [
                f"file={_github_escape(report.path, property_value=True)}",
                f"line={line}",
                f"col={column}",
                f"endLine={end_line}",
                f"endColumn={end_column}",
                f"title={_github_escape(f'{d.code} ({d.name})', property_value=True)}",
            ]
        )
        message = _github_escape(redactor.scrub(d.message))
        out.write(f"::{_GITHUB_LEVEL[d.severity.value]} {properties}::{message}\n")


def write_concise(report: FileReport, out: TextIO, unsafe: bool = False) -> None:
    if not report.diagnostics:
        return
    index = _index(report)
    redactor = report_redactor(report)
    for d in report.diagnostics:
        line, column, _, _ = _positions(index, d)
        out.write(f"{report.path}:{line}:{column}: {d.code}{_marker(d, unsafe)} {redactor.scrub(d.message)}\n")


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text


_SEVERITY_COLOR = {"error": "1;31", "warning": "1;33", "info": "1;36", "style": "1;34"}


def write_full(report: FileReport, out: TextIO, *, unsafe: bool = False, color: bool = False) -> None:
    if not report.diagnostics:
        return
    style = _Style(color)
    index = _index(report)
    redactor = report_redactor(report)
    for d in report.diagnostics:
        line, column, end_line, end_column = _positions(index, d)
        header = f"{style(report.path, '1')}:{line}:{column}: {style(d.code, _SEVERITY_COLOR[d.severity.value])}"
        out.write(f"{header}{_marker(d, unsafe)} {redactor.scrub(d.message)}  [{d.severity.value}]\n")
        _excerpt(out, index, (line, column, end_line, end_column), style, redactor)
        if d.fix is not None:
            kind = d.fix.applicability.value
            out.write(f"{'':>6} = fix ({kind}): {redactor.scrub(d.fix.title)}\n")
        out.write(f"{'':>6} = docs: {d.url}\n\n")


def _excerpt(
    out: TextIO, index: LineIndex, where: tuple[int, int, int, int], style: _Style, redactor: Redactor
) -> None:
    line, column, end_line, end_column = where
    last = min(end_line, line + 4)
    for number in range(line, last + 1):
        end = index.line_end(number)
        masked = redactor.line(end - len(index.line_text(number)), end)
        text = masked.text.replace("\t", " ")
        out.write(f"{number:>5} | {text}\n")
        first = masked.column(column) if number == line else 1
        stop = masked.column(end_column) if number == end_line else len(text) + 1
        if stop > first:
            out.write(f"{'':>5} | {' ' * (first - 1)}{style('^' * (stop - first), '1;31')}\n")
    if last < end_line:
        out.write(f"{'':>5} | ... ({end_line - last} more lines)\n")


@dataclass
class Tally:
    """Running totals over the files of a run: what the summary line and the exit code need."""

    findings: int = 0
    safe: int = 0
    unsafe: int = 0
    fixed: int = 0
    files_changed: int = 0
    failing: bool = False

    def add(self, report: FileReport) -> None:
        safe, unsafe = fixable_counts(report.diagnostics)
        self.findings += len(report.diagnostics)
        self.safe += safe
        self.unsafe += unsafe
        self.fixed += sum(report.applied.values())
        self.files_changed += report.changed
        self.failing = self.failing or fails(report)


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def summary(tally: Tally, *, fixing: bool, unsafe: bool) -> str:
    parts = []
    if fixing and tally.fixed:
        parts.append(f"Fixed {_plural(tally.fixed, 'finding')} in {_plural(tally.files_changed, 'file')}.")
    if not tally.findings:
        parts.append("No findings remain." if tally.fixed else "All checks passed.")
        return " ".join(parts)
    offers = []
    if tally.safe:
        offers.append(f"{tally.safe} fixable with `--fix`")
    if tally.unsafe:
        more = "more " if tally.safe else ""
        offers.append(f"{tally.unsafe} unsafe" if unsafe else f"{tally.unsafe} {more}with `--fix --unsafe-fixes`")
    parts.append(f"Found {_plural(tally.findings, 'finding')}" + (f" ({', '.join(offers)})" if offers else "") + ".")
    return " ".join(parts)

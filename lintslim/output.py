"""Output formats: full (default), concise, json and github.  Positions are 1-based; end columns are
exclusive (they point just past the last character), as in LSP and ruff's JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from lintslim.engine.fixes import Applicability
from lintslim.engine.rule import Diagnostic
from lintslim.runner import FileReport, fixable_counts
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


def diagnostic_record(report: FileReport, diagnostic: Diagnostic) -> dict[str, Any]:
    index = LineIndex(report.text) if report.dockerfile is None else report.dockerfile.lines
    line, column, end_line, end_column = _positions(index, diagnostic)
    fix = None
    if diagnostic.fix is not None:
        fix = {
            "applicability": diagnostic.fix.applicability.value,
            "title": diagnostic.fix.title,
            "edits": [
                {
                    "start": edit.span.start,
                    "end": edit.span.end,
                    "line": index.position(edit.span.start).line,
                    "column": index.position(edit.span.start).column,
                    "end_line": index.end_position(edit.span).line,
                    "end_column": index.end_position(edit.span).column,
                    "content": edit.content,
                }
                for edit in diagnostic.fix.edits
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
        "message": diagnostic.message,
        "url": diagnostic.url,
        "fix": fix,
    }


def write_json(reports: Sequence[FileReport], out: TextIO) -> None:
    records = [diagnostic_record(report, d) for report in reports for d in report.diagnostics]
    json.dump(records, out, indent=2, ensure_ascii=False)
    out.write("\n")


def _github_escape(text: str, *, property_value: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def write_github(reports: Sequence[FileReport], out: TextIO) -> None:
    for report in reports:
        index = report.dockerfile.lines if report.dockerfile else LineIndex(report.text)
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
            out.write(f"::{_GITHUB_LEVEL[d.severity.value]} {properties}::{_github_escape(d.message)}\n")


def write_concise(reports: Sequence[FileReport], out: TextIO, unsafe: bool = False) -> None:
    for report in reports:
        index = report.dockerfile.lines if report.dockerfile else LineIndex(report.text)
        for d in report.diagnostics:
            line, column, _, _ = _positions(index, d)
            out.write(f"{report.path}:{line}:{column}: {d.code}{_marker(d, unsafe)} {d.message}\n")


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text


_SEVERITY_COLOR = {"error": "1;31", "warning": "1;33", "info": "1;36", "style": "1;34"}


def write_full(reports: Sequence[FileReport], out: TextIO, *, unsafe: bool = False, color: bool = False) -> None:
    style = _Style(color)
    for report in reports:
        index = report.dockerfile.lines if report.dockerfile else LineIndex(report.text)
        for d in report.diagnostics:
            line, column, end_line, end_column = _positions(index, d)
            header = f"{style(report.path, '1')}:{line}:{column}: {style(d.code, _SEVERITY_COLOR[d.severity.value])}"
            out.write(f"{header}{_marker(d, unsafe)} {d.message}  [{d.severity.value}]\n")
            _excerpt(out, index, line, column, end_line, end_column, style)
            if d.fix is not None:
                kind = d.fix.applicability.value
                out.write(f"{'':>6} = fix ({kind}): {d.fix.title}\n")
            out.write(f"{'':>6} = docs: {d.url}\n\n")


def _excerpt(
    out: TextIO, index: LineIndex, line: int, column: int, end_line: int, end_column: int, style: _Style
) -> None:
    last = min(end_line, line + 4)
    for number in range(line, last + 1):
        text = index.line_text(number).replace("\t", " ")
        out.write(f"{number:>5} | {text}\n")
        first = column if number == line else 1
        stop = end_column if number == end_line else len(text) + 1
        if stop > first:
            out.write(f"{'':>5} | {' ' * (first - 1)}{style('^' * (stop - first), '1;31')}\n")
    if last < end_line:
        out.write(f"{'':>5} | ... ({end_line - last} more lines)\n")


def summary(reports: Sequence[FileReport], *, fixing: bool, unsafe: bool) -> str:
    diagnostics = [d for report in reports for d in report.diagnostics]
    fixed = sum(sum(report.applied.values()) for report in reports)
    parts = []
    if fixing and fixed:
        files = sum(1 for report in reports if report.changed)
        parts.append(f"Fixed {fixed} finding{'s' if fixed != 1 else ''} in {files} file{'s' if files != 1 else ''}.")
    if not diagnostics:
        parts.append("All checks passed." if not fixed else "No findings remain.")
        return " ".join(parts)
    safe, unsafe_count = fixable_counts(diagnostics)
    text = f"Found {len(diagnostics)} finding{'s' if len(diagnostics) != 1 else ''}"
    offers = []
    if safe:
        offers.append(f"{safe} fixable with `--fix`")
    if unsafe_count:
        more = "more " if safe else ""
        offers.append(f"{unsafe_count} {more}with `--fix --unsafe-fixes`" if not unsafe else f"{unsafe_count} unsafe")
    parts.append(text + (f" ({', '.join(offers)})" if offers else "") + ".")
    return " ".join(parts)

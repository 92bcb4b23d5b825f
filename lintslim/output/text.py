"""The line formats: `full` (with source excerpts), `concise` (one line a finding) and `github`
(GitHub Actions workflow commands, which GitHub shows as annotations on the diff)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TextIO

from lintslim.engine.rule import Diagnostic, Rule
from lintslim.output.common import (
    ReportOptions,
    fix_marker,
    line_index,
    masked_line,
    positions,
    report_redactor,
)
from lintslim.runner import FileReport
from lintslim.secrets.redact import Redactor
from lintslim.syntax.source import LineIndex

_GITHUB_LEVEL = {"error": "error", "warning": "warning", "info": "notice", "style": "notice"}
_SEVERITY_COLOR = {"error": "1;31", "warning": "1;33", "info": "1;36", "style": "1;34"}


class _LineReporter:
    """A format that writes each finding as it comes; `finding` writes one, given its file's line
    index and redactor (made once a file)."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.options = options

    def write(self, report: FileReport, rules: Sequence[type[Rule]] = ()) -> None:
        if not report.diagnostics:
            return
        index = line_index(report)
        redactor = report_redactor(report)
        for diagnostic in report.diagnostics:
            self.finding(report.path, diagnostic, index, redactor)

    def finding(self, path: str, d: Diagnostic, index: LineIndex, redactor: Redactor) -> None:
        raise NotImplementedError

    def error(self, path: str, message: str) -> None:
        pass  # the stderr line reports it

    def finish(self) -> None:
        pass


class ConciseReporter(_LineReporter):
    """`path:line:column: CODE [*] message`, one line a finding."""

    def finding(self, path: str, d: Diagnostic, index: LineIndex, redactor: Redactor) -> None:
        line, column, _, _ = positions(index, d)
        marker = fix_marker(d, self.options.unsafe)
        self.out.write(f"{path}:{line}:{column}: {d.code}{marker} {redactor.scrub(d.message)}\n")


def github_escape(text: str, *, property_value: bool = False) -> str:
    """Escape for a workflow command: `%`, CR and LF always; `:` and `,` too in a property's value."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if property_value:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


class GithubReporter(_LineReporter):
    """`::warning file=…,line=…,col=…,endLine=…,endColumn=…,title=LS503 (name)::message` lines.

    The title starts with the code, so `title=LS503` still prefixes it; the rule's name after it
    tells a reviewer what the annotation is about without a click.
    """

    def finding(self, path: str, d: Diagnostic, index: LineIndex, redactor: Redactor) -> None:
        line, column, end_line, end_column = positions(index, d)
        properties = ",".join(
            [
                f"file={github_escape(path, property_value=True)}",
                f"line={line}",
                f"col={column}",
                f"endLine={end_line}",
                f"endColumn={end_column}",
                f"title={github_escape(f'{d.code} ({d.name})', property_value=True)}",
            ]
        )
        message = github_escape(redactor.scrub(d.message))
        self.out.write(f"::{_GITHUB_LEVEL[d.severity.value]} {properties}::{message}\n")


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if self.color else text


class FullReporter(_LineReporter):
    """Each finding with its source lines (secrets masked), a caret under its span, its fix and docs link."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        super().__init__(out, options)
        self.style = _Style(options.color)

    def finding(self, path: str, d: Diagnostic, index: LineIndex, redactor: Redactor) -> None:
        style, out = self.style, self.out
        line, column, end_line, end_column = positions(index, d)
        header = f"{style(path, '1')}:{line}:{column}: {style(d.code, _SEVERITY_COLOR[d.severity.value])}"
        marker = fix_marker(d, self.options.unsafe)
        out.write(f"{header}{marker} {redactor.scrub(d.message)}  [{d.severity.value}]\n")
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
        masked = masked_line(index, redactor, number)
        text = masked.text.replace("\t", " ")
        out.write(f"{number:>5} | {text}\n")
        first = masked.column(column) if number == line else 1
        stop = masked.column(end_column) if number == end_line else len(text) + 1
        if stop > first:
            out.write(f"{'':>5} | {' ' * (first - 1)}{style('^' * (stop - first), '1;31')}\n")
    if last < end_line:
        out.write(f"{'':>5} | ... ({end_line - last} more lines)\n")

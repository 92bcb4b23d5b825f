"""What every format shares: positions, the redactor, paths relative to the root, the run's totals."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, TextIO

from lintslim.engine.fixes import Applicability, Edit
from lintslim.engine.rule import Diagnostic, Rule
from lintslim.runner import FileReport, fails, fixable_counts
from lintslim.secrets.detect import find_secrets
from lintslim.secrets.redact import MaskedLine, Redactor
from lintslim.syntax.parser import parse
from lintslim.syntax.source import LineIndex


@dataclass(frozen=True)
class ReportOptions:
    """What the command line tells every format."""

    unsafe: bool = False  # unsafe fixes count as fixable (`--unsafe-fixes`): the ` [*]` marker
    color: bool = False
    root: Path = field(default_factory=Path.cwd)  # SARIF and GitLab paths are relative to this


class Reporter(Protocol):
    """One output format: `write` each file's report as it is checked, then `finish` the run.

    `rules` are the rules that ran on the file (SARIF lists them).  Formats that are one document
    (SARIF, JUnit, GitLab) keep what they need of each finding until `finish`, never the file texts.
    """

    def __init__(self, out: TextIO, options: ReportOptions) -> None: ...

    def write(self, report: FileReport, rules: Sequence[type[Rule]] = ()) -> None: ...

    def error(self, path: str, message: str) -> None:
        """A file that could not be checked (the message is masked and already on stderr): the
        document formats record it, the line formats leave it to the stderr line."""

    def finish(self) -> None: ...


def positions(index: LineIndex, diagnostic: Diagnostic) -> tuple[int, int, int, int]:
    """(line, column, end line, end column) of a finding: 1-based, code points, end column exclusive."""
    start = index.position(diagnostic.span.start)
    end = index.end_position(diagnostic.span)
    return start.line, start.column, end.line, end.column


def fix_marker(diagnostic: Diagnostic, unsafe: bool) -> str:
    """` [*]` after the code of a finding that `--fix` (with `unsafe`: `--fix --unsafe-fixes`) fixes."""
    fix = diagnostic.fix
    if fix is None:
        return ""
    if fix.applicability is Applicability.SAFE or (unsafe and fix.applicability is Applicability.UNSAFE):
        return " [*]"
    return ""


def relative_path(path: str, root: Path) -> str | None:
    """`path` relative to `root`, `/`-separated, as CI systems want it; None when it is outside `root`."""
    try:
        relative = Path(os.path.relpath(os.path.abspath(path), root))
    except ValueError:  # another drive (Windows)
        return None
    if relative.parts[:1] == ("..",):
        return None
    return relative.as_posix()


def edit_range(index: LineIndex, edit: Edit) -> tuple[int, int, int, int]:
    """(line, column, end line, end column) of a fix edit: the exact end, not `end_position`'s, since
    an edit that takes a line's newline must delete it."""
    start, end = index.position(edit.span.start), index.position(edit.span.end)
    return start.line, start.column, end.line, end.column


def line_index(report: FileReport) -> LineIndex:
    return report.dockerfile.lines if report.dockerfile is not None else LineIndex(report.text)


def masked_line(index: LineIndex, redactor: Redactor, number: int) -> MaskedLine:
    """Line `number` of the text (without its newline) with its secrets masked."""
    end = index.line_end(number)
    return redactor.line(end - len(index.line_text(number)), end)


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


def masked_error(report: FileReport) -> str:
    """The error with the file's secrets masked: a rule's exception may quote the text it choked on."""
    assert report.error is not None
    try:
        return report_redactor(report).scrub(report.error)
    except Exception:  # finding the secrets failed too: say what failed, quote nothing
        return (
            report.error.split(": internal error", 1)[0]
            + ": internal error (details withheld: they may quote a secret)"
        )


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


def plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' if count != 1 else ''}"


def summary(tally: Tally, *, fixing: bool, unsafe: bool) -> str:
    parts = []
    if fixing and tally.fixed:
        parts.append(f"Fixed {plural(tally.fixed, 'finding')} in {plural(tally.files_changed, 'file')}.")
    if not tally.findings:
        parts.append("No findings remain." if tally.fixed else "All checks passed.")
        return " ".join(parts)
    offers = []
    if tally.safe:
        offers.append(f"{tally.safe} fixable with `--fix`")
    if tally.unsafe:
        more = "more " if tally.safe else ""
        offers.append(f"{tally.unsafe} unsafe" if unsafe else f"{tally.unsafe} {more}with `--fix --unsafe-fixes`")
    parts.append(f"Found {plural(tally.findings, 'finding')}" + (f" ({', '.join(offers)})" if offers else "") + ".")
    return " ".join(parts)

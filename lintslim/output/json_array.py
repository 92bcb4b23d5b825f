"""The `json` format: one array of finding records (see `diagnostic_record`), written record by record."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from lintslim.engine.fixes import Edit
from lintslim.engine.rule import Diagnostic, Rule
from lintslim.output.common import ReportOptions, edit_range, line_index, positions, report_redactor
from lintslim.runner import FileReport
from lintslim.secrets.redact import Redactor
from lintslim.syntax.source import LineIndex


def _edit_record(index: LineIndex, edit: Edit, redactor: Redactor) -> dict[str, Any]:
    line, column, end_line, end_column = edit_range(index, edit)
    content = redactor.scrub(edit.content)
    record = {
        "start": edit.span.start,
        "end": edit.span.end,
        "line": line,
        "column": column,
        "end_line": end_line,
        "end_column": end_column,
        "content": content,
    }
    if content != edit.content:
        record["redacted"] = True
    return record


def diagnostic_record(path: str, diagnostic: Diagnostic, index: LineIndex, redactor: Redactor) -> dict[str, Any]:
    """A finding as the `json` format writes it (messages, titles and edit contents masked)."""
    line, column, end_line, end_column = positions(index, diagnostic)
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
        "path": path,
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


class JsonArrayStream:
    """Writes a JSON array one element at a time, so memory does not grow with the file count."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0

    def add(self, element: Any) -> None:
        self.out.write("[\n" if self.count == 0 else ",\n")
        self.out.write("  " + json.dumps(element, indent=2, ensure_ascii=False).replace("\n", "\n  "))
        self.count += 1

    def close(self) -> None:
        self.out.write("[]\n" if self.count == 0 else "\n]\n")


class JsonReporter:
    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.array = JsonArrayStream(out)

    def write(self, report: FileReport, rules: Sequence[type[Rule]] = ()) -> None:
        if not report.diagnostics:
            return
        index, redactor = line_index(report), report_redactor(report)
        for diagnostic in report.diagnostics:
            self.array.add(diagnostic_record(report.path, diagnostic, index, redactor))

    def error(self, path: str, message: str) -> None:
        pass  # the stderr line reports it; the array holds findings only

    def finish(self) -> None:
        self.array.close()

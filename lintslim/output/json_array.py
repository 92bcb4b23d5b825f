"""The `json` format: one array of finding records (see `diagnostic_record`), written record by record."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TextIO

from lintslim.engine.rule import Rule
from lintslim.output.common import ReportOptions, diagnostic_record, report_redactor
from lintslim.runner import FileReport


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
        redactor = report_redactor(report) if report.diagnostics else None
        for diagnostic in report.diagnostics:
            self.array.add(diagnostic_record(report, diagnostic, redactor))

    def finish(self) -> None:
        self.array.close()

"""The `gitlab` format: GitLab's Code Quality report (`artifacts: reports: codequality:`), a JSON
array of `{description, check_name, fingerprint, severity, location: {path, lines: {begin, end}}}`.

GitLab matches findings across pipelines by `fingerprint` and shows only the first of findings that
share one.  So the fingerprint hashes what identifies a finding while the file is edited around
it: the path, the rule, the text of its first line (stripped, secrets masked: the hash of a line
with a short password in it could be guessed back), and which occurrence of that triple it is in
the file.  Not the line number, which every edit above the finding would change.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import TextIO

from lintslim.engine.rule import Rule
from lintslim.output.common import (
    ReportOptions,
    line_index,
    masked_line,
    positions,
    relative_path,
    report_redactor,
)
from lintslim.output.json_array import JsonArrayStream
from lintslim.runner import FileReport

SEVERITY = {"style": "info", "info": "minor", "warning": "major", "error": "critical"}


def fingerprint(path: str, code: str, line_text: str, occurrence: int) -> str:
    key = "\0".join((path, code, line_text, str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class GitlabReporter:
    """Streams the array: each finding is complete when its file is checked."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.array = JsonArrayStream(out)
        self.root = options.root

    def write(self, report: FileReport, rules: Sequence[type[Rule]] = ()) -> None:
        if not report.diagnostics:
            return
        index = line_index(report)
        redactor = report_redactor(report)
        path = relative_path(report.path, self.root) or report.path
        seen: Counter[tuple[str, str]] = Counter()
        for d in report.diagnostics:
            line, _, end_line, _ = positions(index, d)
            text = masked_line(index, redactor, line).text.strip()
            occurrence = seen[d.code, text]
            seen[d.code, text] += 1
            self.array.add(
                {
                    "description": f"{d.code}: {redactor.scrub(d.message)}",
                    "check_name": d.code,
                    "fingerprint": fingerprint(path, d.code, text, occurrence),
                    "severity": SEVERITY[d.severity.value],
                    "location": {"path": path, "lines": {"begin": line, "end": end_line}},
                }
            )

    def error(self, path: str, message: str) -> None:
        pass  # Code Quality reports hold findings only

    def finish(self) -> None:
        self.array.close()

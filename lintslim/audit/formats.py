"""The audit's outputs: each format takes every file's result as it arrives, then the run's totals.

`summary` is for people on a terminal; `json` and `jsonl` hold one record per finding (with its
repository and path) and one per file that could not be checked; `jsonl` is written line by line
for runs too large to hold.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Protocol, TextIO

from lintslim.audit.aggregate import AuditTotals
from lintslim.audit.model import FileResult
from lintslim.output.json_array import JsonArrayStream

AUDIT_FORMATS = ("summary", "json", "jsonl", "sarif")


class AuditReporter(Protocol):
    def write(self, result: FileResult) -> None: ...

    def finish(self, totals: AuditTotals) -> None: ...


def finding_records(result: FileResult) -> list[dict[str, Any]]:
    """The file's findings (or its error) as json records."""
    base = {"repository": result.repository, "path": result.path}
    if result.error is not None:
        return [{**base, "error": result.error}]
    records = []
    for finding in result.findings:
        savings = [s.saving_mb for s in result.savings if s.code == finding.code and s.line == finding.line]
        records.append({**base, **asdict(finding), "estimated_saving_mb": savings[0] if savings else None})
    return records


class JsonLinesReporter:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, result: FileResult) -> None:
        for record in finding_records(result):
            self.out.write(json.dumps(record, ensure_ascii=False) + "\n")

    def finish(self, totals: AuditTotals) -> None:
        self.out.flush()


class JsonReporter:
    def __init__(self, out: TextIO) -> None:
        self.array = JsonArrayStream(out)

    def write(self, result: FileResult) -> None:
        for record in finding_records(result):
            self.array.add(record)

    def finish(self, totals: AuditTotals) -> None:
        self.array.close()


class SummaryReporter:
    """Plain totals (a first version; the rich tables come next)."""

    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, result: FileResult) -> None:
        pass

    def finish(self, totals: AuditTotals) -> None:
        out = self.out
        out.write(f"{totals.checked} Dockerfiles checked in {len(totals.repositories)} repositories: ")
        out.write(f"{totals.findings} findings, {len(totals.errors)} not checked.\n")
        for rule in totals.ranked_rules():
            out.write(f"  {rule.code} {rule.name}: {rule.findings} in {rule.files} files\n")


def make_audit_reporter(name: str, out: TextIO) -> AuditReporter:
    reporters: dict[str, type[JsonLinesReporter] | type[JsonReporter] | type[SummaryReporter]] = {
        "summary": SummaryReporter,
        "json": JsonReporter,
        "jsonl": JsonLinesReporter,
    }
    return reporters[name](out)

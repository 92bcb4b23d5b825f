"""The audit's outputs: each format takes every file's result as it arrives, then the run's totals.

`summary` (the default) is tables for people (`lintslim.audit.summary`, rich); `sarif` is one
SARIF 2.1.0 log for the whole audit (`lintslim.audit.sarif`); `json` and `jsonl` hold the same
records, `json` as one array and `jsonl` one record a line, each file's lines flushed as it is
checked, for runs too large to hold.  Both are written as results arrive: memory does not grow
with the number of findings.

Records (`json` and `jsonl`), one per finding, in the order files were found::

    {"repository": "services", "path": "services/api/Dockerfile",
     "code": "LS101", "name": "missing-multi-stage", "family": "build", "severity": "warning",
     "message": "...", "line": 4, "column": 5, "end_line": 4, "end_column": 21,
     "url": "https://.../LS101.md", "fix": {...} or null, "estimated_saving_mb": 812.3 or null}

`path` is the file as found below its root; `fix` is as `lintslim check --output-format json`
writes it (`applicability`, `title`, `edits`, `new_files`); `estimated_saving_mb` is an estimate
of what the fix would take off the final image (from the knowledge base's sourced sizes), `null`
when the fix does not change the base or a size is unknown.  A file that could not be checked is
one record with `error` instead of the finding fields::

    {"repository": "services", "path": "services/old/Dockerfile", "error": "..."}

Files the configuration excludes give no record.  There is no closing summary record: every line
of a `jsonl` file is a finding or an error, so `jq` filters need no special case (the totals are
what `--output-format summary` and `--html` show).  Messages, fix titles and edit contents are
masked in the worker: no record holds a secret.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any, Protocol, TextIO

from lintslim.audit.aggregate import AuditTotals
from lintslim.audit.model import FileResult, Finding


class AuditReporter(Protocol):
    def write(self, result: FileResult) -> None: ...

    def finish(self, totals: AuditTotals) -> None: ...


def finding_saving(result: FileResult, finding: Finding) -> float | None:
    """The estimated MB the finding's fix would save, None when there is no figure."""
    return next((s.saving_mb for s in result.savings if s.code == finding.code and s.line == finding.line), None)


def finding_records(result: FileResult) -> list[dict[str, Any]]:
    """The file's findings (or its error) as json records; none for an excluded file."""
    base = {"repository": result.repository, "path": result.path}
    if result.error is not None:
        return [{**base, "error": result.error}]
    return [
        {**base, **asdict(finding), "estimated_saving_mb": finding_saving(result, finding)}
        for finding in result.findings
    ]


class JsonLinesReporter:
    def __init__(self, out: TextIO) -> None:
        self.out = out

    def write(self, result: FileResult) -> None:
        records = finding_records(result)
        if records:
            self.out.write("".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records))
            self.out.flush()  # a reader following the file sees each file's records as it is checked

    def finish(self, totals: AuditTotals) -> None:
        self.out.flush()


class JsonReporter:
    def __init__(self, out: TextIO) -> None:
        from lintslim.output.json_array import JsonArrayStream

        self.array = JsonArrayStream(out)

    def write(self, result: FileResult) -> None:
        for record in finding_records(result):
            self.array.add(record)

    def finish(self, totals: AuditTotals) -> None:
        self.array.close()


def make_audit_reporter(name: str, out: TextIO, fix: bool = False) -> AuditReporter:
    """The reporter for `--output-format name`; rich and the SARIF rule texts load only when asked for.

    `fix`: the audit writes fixes (the summary then reports them, even when there were none).
    """
    if name == "summary":
        from lintslim.audit.summary import SummaryReporter

        return SummaryReporter(out, fix)
    if name == "sarif":
        from lintslim.audit.sarif import AuditSarifReporter

        return AuditSarifReporter(out)
    if name == "json":
        return JsonReporter(out)
    if name == "jsonl":
        return JsonLinesReporter(out)
    raise ValueError(f"unknown audit format {name!r}")

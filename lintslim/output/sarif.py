"""The `sarif` format: one SARIF 2.1.0 log with one run, for GitHub code scanning and SARIF viewers.

The driver lists every rule that ran (id, name, summary, the "What it does" text, the rule page as
`helpUri` and as `help`, the default level, the family as a tag; the secrets family also carries
GitHub's `security` tag).  Each result has its rule, level, masked message and region; a fix becomes
`fixes[].artifactChanges` when it can be applied as written: not a display-only fix, not one that
creates files, and not one whose text the redactor had to mask (it would not be the text to apply).

Paths are relative to the working directory under `%SRCROOT%` (declared in `originalUriBaseIds`),
as GitHub needs them; a file outside it gets an absolute `file:` URI.  Columns count code points
(`columnKind: unicodeCodePoints`); end columns are exclusive, as SARIF's `endColumn` is.
GitHub computes `partialFingerprints` itself when the log is uploaded with `upload-sarif`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote

from lintslim import __version__
from lintslim.docs import docstring_sections
from lintslim.engine.fixes import Applicability
from lintslim.engine.rule import DOCS_URL, Family, Rule
from lintslim.output.common import ReportOptions, line_index, relative_path, report_redactor
from lintslim.output.json_array import diagnostic_record
from lintslim.runner import FileReport

SCHEMA_URI = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
INFORMATION_URI = "https://github.com/lintslim/lintslim"
SRCROOT = "%SRCROOT%"
LEVELS = {"error": "error", "warning": "warning", "info": "note", "style": "note"}


class SarifReporter:
    """Keeps each finding's result object (and the rules seen) until `finish` writes the log."""

    def __init__(self, out: TextIO, options: ReportOptions) -> None:
        self.out = out
        self.root = options.root
        self.rules: dict[str, type[Rule]] = {}
        self.results: list[tuple[str, dict[str, Any]]] = []  # (rule code, result without ruleIndex)
        self.notifications: list[dict[str, Any]] = []  # files that could not be checked

    def write(self, report: FileReport, rules: Sequence[type[Rule]] = ()) -> None:
        for rule in rules:
            self.rules.setdefault(rule.code, rule)
        if not report.diagnostics:
            return
        index = line_index(report)
        redactor = report_redactor(report)
        artifact = artifact_location(report.path, self.root)
        for diagnostic in report.diagnostics:
            record = diagnostic_record(report.path, diagnostic, index, redactor)
            self.results.append((diagnostic.code, sarif_result(record, artifact)))

    def error(self, path: str, message: str) -> None:
        location = {"physicalLocation": {"artifactLocation": artifact_location(path, self.root)}}
        self.notifications.append({"level": "error", "message": {"text": message}, "locations": [location]})

    def finish(self) -> None:
        codes = sorted(self.rules)
        rule_index = {code: position for position, code in enumerate(codes)}
        results = []
        for code, result in self.results:
            reference = {"ruleId": code, "ruleIndex": rule_index[code]} if code in rule_index else {"ruleId": code}
            results.append({**reference, **result})
        log = {
            "$schema": SCHEMA_URI,
            "version": "2.1.0",
            "runs": [
                {
                    "tool": {
                        "driver": {
                            "name": "lintslim",
                            "version": __version__,
                            "informationUri": INFORMATION_URI,
                            "rules": [rule_descriptor(self.rules[code]) for code in codes],
                        }
                    },
                    "invocations": [
                        {
                            "executionSuccessful": not self.notifications,
                            "toolExecutionNotifications": self.notifications,
                        }
                    ],
                    "originalUriBaseIds": {SRCROOT: {"uri": directory_uri(self.root)}},
                    "columnKind": "unicodeCodePoints",
                    "results": results,
                }
            ],
        }
        json.dump(log, self.out, indent=2, ensure_ascii=False)
        self.out.write("\n")


def rule_descriptor(rule: type[Rule]) -> dict[str, Any]:
    """A rule as SARIF's reportingDescriptor; its texts are the rule's docstring (no secrets there)."""
    url = DOCS_URL.format(code=rule.code)
    what = docstring_sections(rule).get("What it does") or rule.summary()
    tags = [rule.family().slug]
    if rule.family() is Family.SECRETS:
        tags.append("security")
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": {"text": rule.summary()},
        "fullDescription": {"text": what, "markdown": what},
        "helpUri": url,
        "help": {
            "text": f"{rule.documentation()}\n\n{url}",
            "markdown": f"# {rule.code} {rule.name}\n\n{rule.documentation()}\n\n[Rule page]({url})",
        },
        "defaultConfiguration": {"level": LEVELS[rule.severity.value]},
        "properties": {"tags": tags},
    }


def artifact_location(path: str, root: Path) -> dict[str, Any]:
    """`path` as a URI relative to `%SRCROOT%` (the working directory), else an absolute `file:` URI."""
    relative = relative_path(path, root)
    if relative is None:
        return {"uri": Path(path).resolve().as_uri()}
    return {"uri": quote(relative), "uriBaseId": SRCROOT}


def directory_uri(directory: Path) -> str:
    uri = directory.resolve().as_uri()
    return uri if uri.endswith("/") else uri + "/"


def region(line: int, column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": line, "startColumn": column, "endLine": end_line, "endColumn": end_column}


def sarif_result(record: Mapping[str, Any], artifact: dict[str, Any]) -> dict[str, Any]:
    """A finding's `json` record (already masked: `diagnostic_record`) as a SARIF result, without its rule."""
    where = region(record["line"], record["column"], record["end_line"], record["end_column"])
    result: dict[str, Any] = {
        "level": LEVELS[record["severity"]],
        "message": {"text": record["message"]},
        "locations": [{"physicalLocation": {"artifactLocation": artifact, "region": where}}],
    }
    fix = sarif_fix(record["fix"], artifact) if record["fix"] is not None else None
    if fix is not None:
        result["fixes"] = [fix]
    return result


def sarif_fix(fix: Mapping[str, Any], artifact: dict[str, Any]) -> dict[str, Any] | None:
    """A `json` record's fix as SARIF replacements, or None when it is not text to apply as it stands."""
    edits = fix["edits"]
    if fix["applicability"] == Applicability.DISPLAY_ONLY.value or fix["new_files"] or not edits:
        return None
    if any(edit.get("redacted") for edit in edits):
        return None  # the content holds a secret: printing it masked would make a wrong fix
    replacements = []
    for edit in edits:
        replacement: dict[str, Any] = {
            "deletedRegion": region(edit["line"], edit["column"], edit["end_line"], edit["end_column"])
        }
        if edit["content"]:
            replacement["insertedContent"] = {"text": edit["content"]}
        replacements.append(replacement)
    return {
        "description": {"text": fix["title"]},
        "artifactChanges": [{"artifactLocation": artifact, "replacements": replacements}],
        "properties": {"applicability": fix["applicability"]},
    }

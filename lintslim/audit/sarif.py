"""The audit's `sarif` format: one SARIF 2.1.0 log, one run, for the whole audit.

Files are named relative to their repository: each repository gets one `originalUriBaseIds`
entry (`REPO0`, `REPO1`, ... in the order repositories first appear, each the repository's
absolute `file:` URI, with the repository's name as its description), and every location is the
file's path below it with that `uriBaseId`.  One `%SRCROOT%` cannot serve an audit of many
repositories, and a viewer (or a script splitting the log per repository for GitHub code
scanning) then finds each file under its own repository.

The driver lists the rules that produced findings (`lintslim.output.sarif.rule_descriptor`),
indexed in the order they first appear.  Each result has its rule, level, masked message, region
(1-based, code points, end column exclusive) and, in `properties`, its repository and the
estimated saving in MB when there is one; a fix becomes `fixes[].artifactChanges` on the same
terms as `lintslim check --output-format sarif` (not display-only, no new files, no masked text).
Files that could not be checked are `toolExecutionNotifications` (and the run's
`executionSuccessful` is then false).

The log is streamed: results are written as files are checked and the run's other members
(driver, invocations, base URIs) after them, so memory does not grow with the findings.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path, PurePosixPath
from typing import Any, TextIO
from urllib.parse import quote

from lintslim import __version__
from lintslim.audit.aggregate import AuditTotals
from lintslim.audit.formats import finding_saving
from lintslim.audit.model import FileResult, Finding
from lintslim.engine.registry import Registry, default_registry
from lintslim.output.sarif import INFORMATION_URI, SCHEMA_URI, directory_uri, rule_descriptor, sarif_result

RESULT_INDENT = " " * 8  # results sit in runs[0].results


class AuditSarifReporter:
    def __init__(self, out: TextIO, registry: Registry | None = None) -> None:
        self.out = out
        self.registry = registry or default_registry()
        self.rules: dict[str, Finding] = {}  # code -> its first finding, in order of first appearance
        self.rule_index: dict[str, int] = {}
        self.bases: dict[str, tuple[str, str, str]] = {}  # repository -> (base id, directory URI, name)
        self.notifications: list[dict[str, Any]] = []
        self.results = 0
        head = {"$schema": SCHEMA_URI, "version": "2.1.0"}
        out.write("{\n" + _members(head, "") + ',\n  "runs": [\n    {\n')
        out.write('      "columnKind": "unicodeCodePoints",\n      "results": [')

    def write(self, result: FileResult) -> None:
        if result.excluded or (result.error is None and not result.findings):
            return  # nothing to say: the repository gets a base URI only once it has a result or a notification
        location = self._artifact(result)
        if result.error is not None:
            self.notifications.append(
                {"level": "error", "message": {"text": result.error}, "locations": [_physical(location)]}
            )
            return
        for finding in result.findings:
            self.rules.setdefault(finding.code, finding)
            index = self.rule_index.setdefault(finding.code, len(self.rule_index))
            record = {"ruleId": finding.code, "ruleIndex": index, **sarif_result(asdict(finding), location)}
            record["properties"] = {"repository": result.repository}
            saving = finding_saving(result, finding)
            if saving is not None:
                record["properties"]["estimatedSavingMb"] = saving
            self.out.write(",\n" if self.results else "\n")
            text = json.dumps(record, indent=2, ensure_ascii=False)
            self.out.write(RESULT_INDENT + text.replace("\n", "\n" + RESULT_INDENT))
            self.results += 1

    def finish(self, totals: AuditTotals) -> None:
        rest = {
            "tool": {
                "driver": {
                    "name": "lintslim",
                    "version": __version__,
                    "informationUri": INFORMATION_URI,
                    "rules": [self._descriptor(finding) for finding in self.rules.values()],
                }
            },
            "invocations": [
                {"executionSuccessful": not self.notifications, "toolExecutionNotifications": self.notifications}
            ],
            "originalUriBaseIds": {
                base: {"uri": uri, "description": {"text": name}} for base, uri, name in self.bases.values()
            },
        }
        self.out.write(("\n      ]" if self.results else "]") + ",\n")
        self.out.write(_members(rest, "    ") + "\n    }\n  ]\n}\n")
        self.out.flush()

    def _artifact(self, result: FileResult) -> dict[str, Any]:
        if result.repository not in self.bases:
            directory = _repository_directory(result.path, result.relative)
            self.bases[result.repository] = (f"REPO{len(self.bases)}", directory_uri(directory), result.repository)
        return {"uri": quote(result.relative), "uriBaseId": self.bases[result.repository][0]}

    def _descriptor(self, finding: Finding) -> dict[str, Any]:
        rule = self.registry.exact(finding.code)
        if rule is not None:
            return rule_descriptor(rule)
        return {"id": finding.code, "name": finding.name, "helpUri": finding.url}  # a rule this registry lacks


def _physical(artifact: dict[str, Any]) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": artifact}}


def _repository_directory(path: str, relative: str) -> Path:
    """The repository's directory: `path` less its `relative` part."""
    return Path(path).parents[len(PurePosixPath(relative).parts) - 1]


def _members(value: dict[str, Any], indent: str) -> str:
    """A JSON object's members without its braces (indented by two), each line also indented by `indent`."""
    lines = json.dumps(value, indent=2, ensure_ascii=False).split("\n")[1:-1]
    return "\n".join(indent + line for line in lines)

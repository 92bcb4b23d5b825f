"""Output formats of `lintslim check`: full, concise, json, github, sarif, junit and gitlab (and `auto`).

Each format is a `Reporter` (see `common.py`): `write(report)` for each file as it is checked, then
`finish()`.  `make_reporter` builds one by name, importing its module only then.  Positions are
1-based; columns count code points; end columns are exclusive (they point just past the last
character), as in LSP, ruff's JSON and SARIF.

No format prints a secret.  `report_redactor` finds the secrets of a file's text (with
`lintslim.secrets`, whichever rules ran, plus the spans rules mark in `Diagnostic.redact`), and every
writer masks them: source lines in `full`, messages and fix titles everywhere, the replacement text
of fix edits in `json` (such an edit is marked `"redacted": true`: it is not the text to apply; SARIF
leaves such a fix out), the line text GitLab fingerprints hash, and diff lines for `--diff`.  The one
exception is `check --fix -`, whose standard output is the fixed file itself.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import TextIO, cast

from lintslim.output.common import (
    Reporter,
    ReportOptions,
    Tally,
    masked_error,
    report_redactor,
    summary,
)

__all__ = [
    "FORMATS",
    "SUMMARY_FORMATS",
    "ReportOptions",
    "Reporter",
    "Tally",
    "make_reporter",
    "masked_error",
    "report_redactor",
    "resolve_format",
    "summary",
]

# name: (module, class); `auto` is resolved to one of these by `resolve_format`
_REPORTERS = {
    "full": ("lintslim.output.text", "FullReporter"),
    "concise": ("lintslim.output.text", "ConciseReporter"),
    "json": ("lintslim.output.json_array", "JsonReporter"),
    "github": ("lintslim.output.text", "GithubReporter"),
    "sarif": ("lintslim.output.sarif", "SarifReporter"),
    "junit": ("lintslim.output.junit", "JunitReporter"),
    "gitlab": ("lintslim.output.gitlab", "GitlabReporter"),
}
FORMATS = ("auto", *_REPORTERS)
SUMMARY_FORMATS = frozenset({"full", "concise"})  # the formats for people, which end with a summary line


def resolve_format(name: str, environ: Mapping[str, str]) -> str:
    """`auto` is `github` under GitHub Actions (annotations on the diff), else `full`."""
    if name != "auto":
        return name
    return "github" if environ.get("GITHUB_ACTIONS") == "true" else "full"


def make_reporter(name: str, out: TextIO, options: ReportOptions) -> Reporter:
    module, attribute = _REPORTERS[name]
    reporter_class = getattr(importlib.import_module(module), attribute)
    return cast(Reporter, reporter_class(out, options))

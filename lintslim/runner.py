"""Checking one file end to end: the unit of work the CLI, the audit and the language server share."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from lintslim.config import Settings
from lintslim.engine.fixes import Applicability
from lintslim.engine.linter import Linter, RuleCrash, fix_text
from lintslim.engine.registry import Registry
from lintslim.engine.rule import Diagnostic, Severity
from lintslim.syntax.nodes import Dockerfile
from lintslim.syntax.parser import parse


@dataclass(frozen=True)
class FixMode:
    apply: bool = False  # compute fixes (--fix or --diff)
    unsafe: bool = False
    new_files: bool = True  # allow fixes that create files in the build context (never for standard input)


@dataclass
class FileReport:
    path: str
    text: str  # the text the diagnostics refer to (the fixed text when fixes were applied)
    original: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    dockerfile: Dockerfile | None = None
    applied: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)  # fix rollbacks, non-convergence
    error: str | None = None  # the file could not be checked
    fail_on: Severity = Severity.STYLE  # the threshold of the settings this file was checked with
    new_files: dict[Path, str] = field(default_factory=dict)  # files fixes create, to be written if absent

    @property
    def text_changed(self) -> bool:
        return self.text != self.original

    @property
    def changed(self) -> bool:
        """The text changed, or fixes create files."""
        return self.text_changed or bool(self.new_files)


def check_text(
    text: str,
    path: str,
    settings: Settings,
    registry: Registry,
    mode: FixMode = FixMode(),
    context_dir: Path | None = None,
) -> FileReport:
    """Lint (and with `mode.apply`, fix) one Dockerfile's text.  Never raises for a rule's bug."""
    linter = Linter.for_path(registry, settings, path, context_dir)
    report = FileReport(path, text, text, fail_on=settings.fail_on)
    try:
        if mode.apply:
            outcome = fix_text(linter, text, path, unsafe=mode.unsafe, new_files=mode.new_files and bool(context_dir))
            report.text, report.applied, report.problems = outcome.text, outcome.applied, outcome.problems
            report.dockerfile, report.diagnostics = outcome.dockerfile, outcome.diagnostics
            if context_dir is not None:
                report.new_files = {context_dir / relative: content for relative, content in outcome.new_files.items()}
        else:
            report.dockerfile = parse(text, path)
            report.diagnostics = linter.lint(report.dockerfile)
    except RuleCrash as crash:
        report.text = text
        report.error = f"{path}: {crash}"
    except RecursionError:
        report.text = text
        report.error = f"{path}: input nested too deeply to check"
    return report


def fixable_counts(diagnostics: list[Diagnostic]) -> tuple[int, int]:
    """(safe, unsafe) fixes on offer."""
    safe = sum(1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.SAFE)
    unsafe = sum(1 for d in diagnostics if d.fix and d.fix.applicability is Applicability.UNSAFE)
    return safe, unsafe


def fails(report: FileReport) -> bool:
    return any(d.severity.rank >= report.fail_on.rank for d in report.diagnostics)

"""Checking one file end to end: the unit of work the CLI, the audit and the language server share."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from lintslim.config import Settings
from lintslim.engine.fixes import Applicability
from lintslim.engine.linter import Linter, RuleCrash, fix_text
from lintslim.engine.registry import Registry
from lintslim.engine.rule import Diagnostic, Severity
from lintslim.syntax.nodes import Dockerfile

if TYPE_CHECKING:
    from lintslim.analysis.shellcheck import ShellCheckSession
    from lintslim.context.sam import SamTemplates, TemplateCache


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


@dataclass(frozen=True)
class BuildInputs:
    """What `docker build` (or `sam build`) would be given besides the Dockerfile."""

    context_dir: Path | None
    build_args: Mapping[str, str] = field(default_factory=dict)
    templates: SamTemplates | None = None  # the SAM/CloudFormation templates around the Dockerfile


def build_inputs(
    path: str,
    context: Path | None = None,
    build_args: Mapping[str, str] | None = None,
    template_cache: TemplateCache | None = None,
) -> BuildInputs:
    """The build context and build arguments for the Dockerfile at `path`.

    Given ones win.  Otherwise a SAM/CloudFormation template that builds this Dockerfile supplies its
    `DockerContext` and `DockerBuildArgs`, as `sam build` would; else the context is the Dockerfile's
    directory, as `docker build -f` users usually have it.  Standard input gets the current directory.
    """
    if path == "-":
        return BuildInputs(context or Path.cwd(), dict(build_args or {}))
    from lintslim.context.sam import SamTemplates

    templates = SamTemplates(path, template_cache)
    function = templates.function
    if context is None:
        context = function.context_path if function is not None else Path(path).parent
    template_args = function.build_args if function is not None else {}
    return BuildInputs(context, {**template_args, **(build_args or {})}, templates)


def check_text(
    text: str,
    path: str,
    settings: Settings,
    registry: Registry,
    mode: FixMode = FixMode(),
    context_dir: Path | None = None,
    build_args: Mapping[str, str] | None = None,
    templates: SamTemplates | None = None,
    shellcheck: ShellCheckSession | None = None,
) -> FileReport:
    """Lint (and with `mode.apply`, fix) one Dockerfile's text.  Never raises for a rule's bug.

    `shellcheck` is the run's ShellCheck session, shared by its files (it batches their scripts).
    """
    linter = Linter.for_path(registry, settings, path, context_dir, build_args, templates, shellcheck)
    report = FileReport(path, text, text, fail_on=settings.fail_on)
    try:
        if mode.apply:
            outcome = fix_text(linter, text, path, unsafe=mode.unsafe, new_files=mode.new_files and bool(context_dir))
            report.text, report.applied, report.problems = outcome.text, outcome.applied, outcome.problems
            report.dockerfile, report.diagnostics = outcome.dockerfile, outcome.diagnostics
            if context_dir is not None:
                report.new_files = {context_dir / relative: content for relative, content in outcome.new_files.items()}
        else:
            report.dockerfile = linter.parse(text, path)
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

"""The per-file work of an audit, the same on a local process pool and on a Dask cluster.

`audit_batch` is a plain function of picklable arguments: a batch of files checked by one `Worker`
(the rule registry, config lookups and loaded settings), so a repository's config is read once a
batch, and afresh for every batch: pool processes and Dask workers outlive a run, and the next run
must see config files edited since.  It never raises: a file that cannot be read, a bad config, or
a rule that crashes becomes an error record.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from lintslim.analysis.savings import ImageProfile, Saving, estimate_savings, image_profile
from lintslim.audit.model import AuditOptions, AuditTask, FileResult, Finding
from lintslim.config import ConfigError, SettingsCache, resolve_settings
from lintslim.context.sam import TemplateCache
from lintslim.engine.registry import Registry, default_registry
from lintslim.engine.rule import Family
from lintslim.files import InputError, SourceFile, create_if_absent, read_source, write_atomic
from lintslim.output.common import line_index, masked_error, report_redactor
from lintslim.output.json_array import diagnostic_record
from lintslim.runner import FileReport, FixMode, build_inputs, check_text, fails

if TYPE_CHECKING:
    from lintslim.analysis.shellcheck import ShellCheckSession

PARSE_ERROR = "LS900"


@dataclass
class Worker:
    """What a batch reuses from file to file: the rules, and the config files and SAM templates read."""

    options: AuditOptions
    registry: Registry = field(default_factory=default_registry)
    settings: SettingsCache = field(default_factory=SettingsCache)
    templates: TemplateCache = field(default_factory=TemplateCache)
    shellcheck: ShellCheckSession | None = None  # checks the batch's RUN scripts in few ShellCheck processes

    def run(self, task: AuditTask) -> FileResult:
        started = time.perf_counter()
        try:
            result = self._check(task)
        except Exception as error:  # a bug of ours: a record, and the run goes on (the text may quote a secret)
            result = _error(task, f"{task.path}: internal error ({type(error).__name__}); details withheld")
        if self.shellcheck is not None and self.shellcheck.missing:
            result = replace(result, shellcheck_missing=True)
        return _timed(result, time.perf_counter() - started)

    def _check(self, task: AuditTask) -> FileResult:
        options = self.options
        explicit = Path(options.config) if options.config else None
        try:
            found = resolve_settings(Path(task.path), self.registry, explicit, self.settings)
            settings = options.overrides.apply(found)
        except ConfigError as error:
            return _error(task, str(error))
        if settings.is_excluded(task.path):
            return FileResult(task.path, task.repository, task.relative, excluded=True)
        try:
            source = read_source(task.path)
        except InputError as error:
            return _error(task, str(error))
        inputs = build_inputs(source.path, template_cache=self.templates)
        mode = FixMode(apply=options.fix, unsafe=settings.unsafe_fixes)
        report = check_text(
            source.text, source.path, settings, self.registry, mode, inputs.context_dir, inputs.build_args,
            inputs.templates, self.shellcheck,
        )  # fmt: skip
        if report.error is not None:
            return _error(task, masked_error(report))
        if not options.fix:
            return _result(task, report, False, (), tuple(report.problems))
        try:
            written = _write_text(report, source)
        except InputError as error:  # as `check --fix`: an error record, the file keeps its findings unfixed
            return _error(task, str(error))
        created, problems = _create_files(report)
        return _result(task, report, written, created, (*report.problems, *problems))


def _write_text(report: FileReport, source: SourceFile) -> bool:
    """Write the fixed text, unless the file changed since `source` was read (InputError then)."""
    if not report.text_changed:
        return False
    write_atomic(report.path, report.text, source.mtime_ns, original=source.raw)
    return True


def _create_files(report: FileReport) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Create the files fixes add (a `.dockerignore`), each only if nothing is there: (created, problems)."""
    created: list[str] = []
    problems: list[str] = []
    for path, content in report.new_files.items():
        try:
            if create_if_absent(path, content):
                created.append(str(path))
            else:
                problems.append(f"{path} already exists; left as it is, not created")
        except OSError as error:
            problems.append(f"{path}: cannot create: {error.strerror or error}")
    return tuple(created), tuple(problems)


def _result(
    task: AuditTask, report: FileReport, written: bool, created: tuple[str, ...], problems: tuple[str, ...]
) -> FileResult:
    index, redactor = line_index(report), report_redactor(report)
    findings = []
    for diagnostic in report.diagnostics:
        record = diagnostic_record(report.path, diagnostic, index, redactor)
        findings.append(
            Finding(
                code=diagnostic.code,
                name=diagnostic.name,
                family=Family.of_code(diagnostic.code).slug,
                severity=record["severity"],
                message=record["message"],
                line=record["line"],
                column=record["column"],
                end_line=record["end_line"],
                end_column=record["end_column"],
                url=record["url"],
                fix=record["fix"],
            )
        )
    dockerfile = report.dockerfile
    image: ImageProfile | None = None
    savings: tuple[Saving, ...] = ()
    if dockerfile is not None:  # image names are masked too: a base's name may come from a secret ARG default
        profile = image_profile(dockerfile)
        image = profile.masked(redactor.scrub)
        estimated = estimate_savings(dockerfile, report.diagnostics, profile)
        savings = tuple(saving.masked(redactor.scrub) for saving in estimated)
    return FileResult(
        task.path,
        task.repository,
        task.relative,
        findings=tuple(findings),
        failing=fails(report),
        parse_error=any(d.code == PARSE_ERROR for d in report.diagnostics),
        image=image,
        savings=savings,
        fixed=tuple(sorted(report.applied.items())),
        created=created,
        written=written,
        problems=tuple(redactor.scrub(problem) for problem in problems),
    )


def _error(task: AuditTask, message: str) -> FileResult:
    return FileResult(task.path, task.repository, task.relative, error=message)


def _timed(result: FileResult, seconds: float) -> FileResult:
    return replace(result, seconds=round(seconds, 6))


def audit_batch(tasks: Sequence[AuditTask], options: AuditOptions) -> list[FileResult]:
    """A batch of files, checked one after the other by one worker (ShellCheck reads the batch ahead)."""
    from lintslim.analysis.shellcheck import ShellCheckSession

    worker = Worker(options, shellcheck=ShellCheckSession(plan=[task.path for task in tasks]))
    return [worker.run(task) for task in tasks]

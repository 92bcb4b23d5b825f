"""`lintslim audit ROOT...`: discover, check in parallel, and report across repositories.

Exit codes: 0 no finding at or above `fail-on`; 1 findings remain; 2 a usage or configuration
error, a root that is not a directory, no Dockerfile under any root, or a file that could not be read
or checked.  Such a file is a record in the report (and counted in the summary), never the end of
the run: the report is complete, and the exit code says it has holes, as `check`'s does.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Generator, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from lintslim.audit.aggregate import AuditTotals
from lintslim.audit.discovery import discover_tasks
from lintslim.audit.engine import run
from lintslim.audit.formats import AuditReporter, make_audit_reporter
from lintslim.audit.model import AuditOptions, AuditTask, FileResult
from lintslim.files import InputError

if TYPE_CHECKING:
    from lintslim.audit.progress import Advance

EXIT_OK, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


@dataclass(frozen=True)
class AuditRequest:
    """What the command line asked for."""

    roots: tuple[str, ...]
    options: AuditOptions
    output_format: str = "summary"
    output: Path | None = None  # write the format here instead of standard output
    html: Path | None = None
    jobs: int | None = None  # None: every core
    engine: str = "local"
    scheduler: str | None = None  # the Dask scheduler's address
    progress: bool | None = None  # None: on when standard error is a terminal
    exit_zero: bool = False


def collect_tasks(roots: tuple[str, ...]) -> list[AuditTask]:
    found = discover_tasks(roots)
    if not found:
        raise InputError(f"no Dockerfile found under {', '.join(roots)}")
    return found


def run_audit(request: AuditRequest) -> int:
    """Check every file, feeding the totals, the output format and the progress bar as results arrive.

    Ctrl-C stops the pool (work queued is dropped) and reaches `main`, which exits 130.
    """
    _check_config(request.options)  # once, here: not the same error as a record for every file
    work = collect_tasks(request.roots)
    if request.html is not None:
        _check_writable(request.html)  # before the run, not after an hour of it
    out = _open_output(request.output)
    try:
        reporter: AuditReporter = make_audit_reporter(request.output_format, out, fix=request.options.fix)
        totals = AuditTotals()
        results = run(work, request.options, request.engine, request.jobs, request.scheduler)
        try:
            with _progress(request.progress, len(work)) as advance:
                for result in results:
                    totals.add(result)
                    reporter.write(result)
                    advance(result)
        finally:
            _close(results)
        reporter.finish(totals)
        if request.html is not None:
            from lintslim.audit.html import write_html_report

            write_html_report(request.html, totals)
    finally:
        if out is not sys.stdout:
            out.close()
    if request.options.fix and request.output_format != "summary":
        sys.stderr.write(fixes_line(totals) + "\n")  # the summary has its own section; other formats list findings
    if totals.shellcheck_missing:  # once a run, on stderr, as `check` does
        from lintslim.analysis.shellcheck import notice

        sys.stderr.write(notice())
    if totals.errors:
        return EXIT_ERROR
    if request.exit_zero or not totals.failing:
        return EXIT_OK
    return EXIT_FINDINGS


def _check_config(options: AuditOptions) -> None:
    """`--config` names one file for every repository: one that cannot be read or is invalid is a usage error."""
    if options.config is not None:
        from lintslim.config import resolve_settings
        from lintslim.engine.registry import default_registry

        resolve_settings(None, default_registry(), Path(options.config))


def _open_output(path: Path | None) -> TextIO:
    if path is None:
        return sys.stdout
    try:
        return open(path, "w", encoding="utf-8")  # closed by run_audit
    except OSError as error:
        raise InputError(f"{path}: cannot write the report: {error.strerror or error}") from None


def _check_writable(path: Path) -> None:
    directory = path.parent
    if path.is_dir():
        raise InputError(f"{path}: is a directory; --html needs a file name")
    if not directory.is_dir():
        raise InputError(f"{path}: cannot write the HTML report: no directory {directory}")
    if not os.access(directory, os.W_OK):
        raise InputError(f"{path}: cannot write the HTML report: {directory} is not writable")


def _progress(flag: bool | None, total: int) -> AbstractContextManager[Advance]:
    if not (flag if flag is not None else sys.stderr.isatty()):
        return nullcontext(_no_progress)
    from lintslim.audit.progress import progress_bar

    return progress_bar(total, sys.stderr)


def _no_progress(result: FileResult) -> None:
    pass


def _close(results: Iterator[FileResult]) -> None:
    """Stop the engine (its pool) when the loop ended early: Ctrl-C, a closed output."""
    if isinstance(results, Generator):
        results.close()


def fixes_line(totals: AuditTotals) -> str:
    """What `--fix` changed, in one line."""
    applied = sum(totals.fixed.values())
    per_rule = ", ".join(f"{code} {count}" for code, count in sorted(totals.fixed.items()))
    line = f"lintslim: --fix applied {_count(applied, 'fix', 'fixes')} ({per_rule or 'none'}); "
    line += f"{_count(len(totals.written), 'file')} written, {_count(len(totals.created), 'file')} created"
    if totals.problems:
        line += f", {_count(len(totals.problems), 'problem')} (see the records)"
    return line


def _count(number: int, one: str, many: str | None = None) -> str:
    return f"{number} {one if number == 1 else many or one + 's'}"

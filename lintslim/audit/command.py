"""`lintslim audit ROOT...`: discover, check in parallel, and report across repositories.

Exit codes: 0 no finding at or above `fail-on`; 1 findings remain; 2 a usage or configuration
error, a root that is not a directory, or no Dockerfile under any root.  A file that cannot be read
or checked is a record in the report (and counted in the summary), never the end of the run.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from lintslim.audit.aggregate import AuditTotals
from lintslim.audit.discovery import repositories, tasks
from lintslim.audit.engine import run
from lintslim.audit.formats import AuditReporter, make_audit_reporter
from lintslim.audit.model import AuditOptions, AuditTask
from lintslim.files import InputError

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
    found = [task for repository in repositories(roots) for task in tasks(repository)]
    if not found:
        raise InputError(f"no Dockerfile found under {', '.join(roots)}")
    return found


def run_audit(request: AuditRequest) -> int:
    work = collect_tasks(request.roots)
    out: TextIO = open(request.output, "w", encoding="utf-8") if request.output else sys.stdout  # noqa: SIM115
    try:
        reporter: AuditReporter = make_audit_reporter(request.output_format, out)
        totals = AuditTotals()
        for result in run(work, request.options, request.engine, request.jobs, request.scheduler):
            totals.add(result)
            reporter.write(result)
        reporter.finish(totals)
        if request.html is not None:
            from lintslim.audit.html import write_html_report

            write_html_report(request.html, totals)
    finally:
        if out is not sys.stdout:
            out.close()
    if request.exit_zero or not totals.failing:
        return EXIT_OK
    return EXIT_FINDINGS

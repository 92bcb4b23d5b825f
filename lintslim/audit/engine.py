"""Running the per-file work: a local process pool (the default) or a Dask cluster."""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial

from lintslim.audit.model import AuditOptions, AuditTask, FileResult
from lintslim.audit.worker import audit_file


def run_local(tasks: Sequence[AuditTask], options: AuditOptions, jobs: int | None = None) -> Iterator[FileResult]:
    """Results in the order of `tasks`; `jobs=1` checks in this process (no pool)."""
    jobs = jobs or os.cpu_count() or 1
    if jobs == 1 or len(tasks) < 2:
        for task in tasks:
            yield audit_file(task, options)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(partial(audit_file, options=options), tasks, chunksize=8)


def run(
    tasks: Sequence[AuditTask], options: AuditOptions, engine: str, jobs: int | None, scheduler: str | None
) -> Iterator[FileResult]:
    """Results in the order of `tasks`, from the engine asked for."""
    if engine == "dask":
        from lintslim.audit.dask_engine import run_dask

        return run_dask(tasks, options, scheduler)
    return run_local(tasks, options, jobs)

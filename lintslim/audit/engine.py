"""Running the per-file work: a local process pool (the default) or a Dask cluster.

The local pool takes the files in batches (a few files a task, so that a fast file costs little
in inter-process traffic), keeps only a bounded number of batches in flight (memory stays flat on
huge runs, and a consumer that stops reading stops the work), and yields results in the order of
the tasks, so every run of the same files prints the same report.

A worker process can die under a file (the kernel's OOM killer, a crash in an extension): the
pool is then broken and every batch in flight is lost.  Those files are re-run one at a time in
a fresh single-process pool, which tells the file that kills its process (an error record) from
the innocent ones (their real results); the rest of the run goes on in a new pool.
"""

from __future__ import annotations

import os
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from lintslim.audit.model import AuditOptions, AuditTask, FileResult
from lintslim.audit.worker import audit_batch

Work = Callable[[Sequence[AuditTask], AuditOptions], list[FileResult]]  # a batch's work (`audit_batch`)
InFlight = deque[tuple[list[AuditTask], "Future[list[FileResult]]"]]  # batches submitted, in task order
BATCHES_IN_FLIGHT_PER_PROCESS = 4
LARGEST_BATCH = 16


def default_jobs() -> int:
    """The cores this process may run on (its CPU affinity set where the OS has one; not a cgroup quota)."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0)) or 1
    return os.cpu_count() or 1


def batches(tasks: Sequence[AuditTask], jobs: int, together: bool) -> list[list[AuditTask]]:
    """Split the tasks into batches of a size that keeps every process busy to the end.

    `together`: never split the Dockerfiles of one directory (they share a build context, and with
    `--fix` one may create the `.dockerignore` the next one reads: in one batch they run in order).
    """
    size = max(1, min(LARGEST_BATCH, len(tasks) // (jobs * 8)))
    split: list[list[AuditTask]] = []
    current: list[AuditTask] = []
    for task in tasks:
        if len(current) >= size and not (together and _directory(task) == _directory(current[-1])):
            split.append(current)
            current = []
        current.append(task)
    if current:
        split.append(current)
    return split


def _directory(task: AuditTask) -> str:
    return os.path.dirname(task.path)


def _ignore_interrupts() -> None:
    """In a pool process: Ctrl-C is for the parent, which cancels the pool (no traceback per worker)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def _pool(processes: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(max_workers=processes, initializer=_ignore_interrupts)


def died(task: AuditTask) -> FileResult:
    message = f"{task.path}: the worker process checking it died (killed, or out of memory); not checked"
    return FileResult(task.path, task.repository, task.relative, error=message)


def rerun_alone(tasks: Sequence[AuditTask], options: AuditOptions, work: Work) -> Iterator[FileResult]:
    """Each file in turn in a fresh single-process pool: a file that kills its process is an error record."""
    pool: ProcessPoolExecutor | None = None
    try:
        for task in tasks:
            pool = pool or _pool(1)
            try:
                yield from pool.submit(work, [task], options).result()
            except BrokenProcessPool:
                yield died(task)
                pool.shutdown(wait=True)
                pool = None
    finally:
        if pool is not None:
            pool.shutdown(wait=True, cancel_futures=True)


@dataclass
class PoolRun:
    """A run over a local pool, replacing the pool when a worker process dies."""

    options: AuditOptions
    jobs: int
    work: Work

    def results(self, split: list[list[AuditTask]]) -> Iterator[FileResult]:
        waiting = deque(split)
        while waiting:
            yield from self._until_broken(waiting)

    def _until_broken(self, waiting: deque[list[AuditTask]]) -> Iterator[FileResult]:
        """Run batches from `waiting` in one pool until it is done or broken; recover what a break lost."""
        pool = _pool(min(self.jobs, len(waiting)))
        in_flight: InFlight = deque()
        broken = False
        try:
            while (waiting or in_flight) and not broken:
                broken = not self._fill(pool, waiting, in_flight)
                if not broken:
                    try:
                        results = in_flight[0][1].result()
                    except BrokenProcessPool:
                        broken = True
                        continue
                    in_flight.popleft()
                    yield from results
        except BaseException:  # Ctrl-C, or the consumer stopped reading: drop the work queued
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        if broken:
            # a pool broken before taking a batch loses the next one, so that every pool makes progress
            lost: list[tuple[list[AuditTask], Future[list[FileResult]] | None]] = [*in_flight]
            yield from self._recover(lost or [(waiting.popleft(), None)])

    def _fill(
        self,
        pool: ProcessPoolExecutor,
        waiting: deque[list[AuditTask]],
        in_flight: InFlight,
    ) -> bool:
        """Submit batches up to the bound; False when the pool turns out to be broken."""
        while waiting and len(in_flight) < self.jobs * BATCHES_IN_FLIGHT_PER_PROCESS:
            try:
                future = pool.submit(self.work, waiting[0], self.options)
            except BrokenProcessPool:
                return False
            in_flight.append((waiting.popleft(), future))
        return True

    def _recover(self, lost: Sequence[tuple[list[AuditTask], Future[list[FileResult]] | None]]) -> Iterator[FileResult]:
        """The batches in flight when the pool broke: results of those that finished, the others re-run alone."""
        for batch, future in lost:
            if future is not None and future.exception() is None:
                yield from future.result()
            else:
                yield from rerun_alone(batch, self.options, self.work)


def run_local(
    tasks: Sequence[AuditTask], options: AuditOptions, jobs: int | None = None, work: Work = audit_batch
) -> Iterator[FileResult]:
    """Results in the order of `tasks`; `jobs=1` checks in this process (no pool), batch by batch.

    `work` is the per-batch function (any picklable function of the tasks and the options).
    """
    jobs = jobs or default_jobs()
    split = batches(tasks, jobs, together=options.fix)
    if jobs == 1 or len(tasks) < 2:
        for batch in split:
            yield from work(batch, options)
        return
    yield from PoolRun(options, jobs, work).results(split)


def run(
    tasks: Sequence[AuditTask], options: AuditOptions, engine: str, jobs: int | None, scheduler: str | None
) -> Iterator[FileResult]:
    """Results in the order of `tasks`, from the engine asked for."""
    if engine == "dask":
        from lintslim.audit.dask_engine import run_dask

        return run_dask(tasks, options, scheduler, jobs)
    return run_local(tasks, options, jobs)

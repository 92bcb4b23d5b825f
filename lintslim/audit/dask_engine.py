# mypy: disable-error-code="no-untyped-call"
# (distributed leaves Client, LocalCluster and their methods unannotated)
"""The audit's per-file work on a Dask cluster (`lintslim audit --engine dask --scheduler ADDRESS`).

The audit's work (`worker.audit_batch`, as in the local pool) runs on the cluster's workers, in
the local pool's batches (a few files per Dask task: one task per file would spend more on scheduling
than on checking).  A bounded window of batches is in flight; results come back in the order of the
tasks, each batch as soon as every batch before it is done.

The workers read the files themselves: they must see them at the same absolute paths as this
process (a shared filesystem), and run the same lintslim version.  Both are checked on every
connected worker before the first batch is sent.  Paths are sent absolute (a remote worker's
working directory is not ours) and shown as found, so the records equal the local engine's.

Without `--scheduler`, a `LocalCluster` (one single-threaded worker process per core) is started
for the run and closed after it: a way to try the engine, and to test it, without a cluster.
`distributed` is imported only here, and only when the engine is asked for.
"""

from __future__ import annotations

import os
import signal
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import lintslim
from lintslim.audit.engine import BATCHES_IN_FLIGHT_PER_PROCESS, batches, default_jobs
from lintslim.audit.model import AuditOptions, AuditTask, FileResult
from lintslim.audit.worker import audit_batch
from lintslim.files import InputError

if TYPE_CHECKING:
    from distributed import Client, Future, LocalCluster

CONNECT_TIMEOUT_SECONDS = 5  # to reach the scheduler, and for it to have one worker
INSTALL_HINT = "pip install 'lintslim[dask]'"
# The scheduler serves HTTP even without a dashboard, by default on port 8787 (with a warning when
# that is taken): a free port on the loopback interface instead, and no dashboard.
QUIET_SCHEDULER: dict[str, Any] = {"dashboard_address": "127.0.0.1:0", "scheduler_kwargs": {"dashboard": False}}


def run_dask(
    tasks: Sequence[AuditTask], options: AuditOptions, scheduler: str | None, jobs: int | None = None
) -> Iterator[FileResult]:
    """Results in the order of `tasks`, checked on the Dask cluster at `scheduler` (None: a local one
    of `jobs` processes, one a core by default).

    Connecting and checking the workers happen now (an `InputError` for each problem, exit code 2);
    the batches run as the returned iterator is consumed.
    """
    if not tasks:
        return iter(())
    _require_distributed()
    cluster = _local_cluster(jobs or default_jobs()) if scheduler is None else None
    address = cluster.scheduler_address if cluster is not None else str(scheduler)
    try:
        client = _connect(address)
        try:
            _check_workers(client, address, _sent(tasks[0]).path)
        except BaseException:
            client.close()
            raise
    except BaseException:
        if cluster is not None:
            cluster.close()
        raise
    return _results(client, cluster, tasks, _sent_options(options))


def worker_view(path: str) -> tuple[bool, str]:
    """Run on every worker before the audit: can it see `path`, and which lintslim does it run?"""
    return os.path.exists(path), lintslim.__version__


# --- connecting -------------------------------------------------------------------------------------------


def _require_distributed() -> None:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise InputError(f"--engine dask needs Dask's distributed scheduler: {INSTALL_HINT}") from None


def _local_cluster(processes: int) -> LocalCluster:
    import logging

    from distributed import LocalCluster

    with _children_ignore_interrupts():
        return LocalCluster(
            n_workers=processes,
            threads_per_worker=1,  # the checks are pure Python: a second thread would wait on the GIL
            processes=True,
            silence_logs=logging.ERROR,
            **QUIET_SCHEDULER,
        )


@contextmanager
def _children_ignore_interrupts() -> Iterator[None]:
    """Ctrl-C reaches the whole process group: the worker processes started meanwhile ignore it (an
    ignored signal stays ignored in a child), so that only this process stops, cancels and closes them,
    and no worker prints a traceback."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


def _connect(address: str) -> Client:
    from distributed import Client
    from distributed.comm.addressing import resolve_address
    from distributed.exceptions import WorkerStartTimeoutError  # asyncio's TimeoutError (not the builtin on 3.10)

    # Checked first: a Client built on a malformed address prints a traceback when it is collected.
    try:
        resolve_address(address)
    except ValueError as error:
        raise InputError(f"--scheduler {address}: not a Dask scheduler address ({error})") from None
    except OSError as error:
        raise InputError(f"--scheduler {address}: cannot resolve the host ({error.strerror or error})") from None
    try:
        client = Client(address, timeout=CONNECT_TIMEOUT_SECONDS, set_as_default=False)
    except OSError:
        raise InputError(
            f"--scheduler {address}: no Dask scheduler answered within {CONNECT_TIMEOUT_SECONDS} s"
        ) from None
    try:
        client.wait_for_workers(1, timeout=CONNECT_TIMEOUT_SECONDS)
    except WorkerStartTimeoutError:
        client.close()
        raise InputError(
            f"--scheduler {address}: the scheduler has no worker (none joined within {CONNECT_TIMEOUT_SECONDS} s)"
        ) from None
    return client


def _check_workers(client: Client, address: str, path: str) -> None:
    """Every worker must run this lintslim and see the files where this process sees them."""
    try:
        views: dict[str, tuple[bool, str]] = client.run(worker_view, path)
    except Exception as error:  # the workers cannot unpickle the probe: no lintslim there
        raise InputError(
            f"the Dask workers at {address} cannot run lintslim ({type(error).__name__}): "
            f"install it on them ({INSTALL_HINT})"
        ) from None
    versions = sorted({version for _, version in views.values()} - {lintslim.__version__})
    if versions:
        raise InputError(
            f"the Dask workers at {address} run lintslim {', '.join(versions)}, not {lintslim.__version__}: "
            "install the same version on them"
        )
    blind = [worker for worker, (sees, _) in views.items() if not sees]
    if blind:
        raise InputError(
            f"{len(blind)} of {len(views)} Dask workers at {address} cannot see {path}: "
            "the workers must see the audited files at the same paths (a shared filesystem)"
        )


# --- running ----------------------------------------------------------------------------------------------


def _results(
    client: Client, cluster: LocalCluster | None, tasks: Sequence[AuditTask], options: AuditOptions
) -> Iterator[FileResult]:
    threads = sum(client.nthreads().values()) or 1
    # the local pool's batches: a few files a Dask task, and with --fix a directory's Dockerfiles in one
    # batch, in order (a fix of one may create the .dockerignore the next one reads)
    split = batches(tasks, threads, together=options.fix)
    window = BATCHES_IN_FLIGHT_PER_PROCESS * threads  # every thread stays busy; memory stays bounded
    in_flight: deque[tuple[Sequence[AuditTask], Future[list[FileResult]]]] = deque()
    try:
        for batch in split:
            in_flight.append((batch, _submit(client, batch, options)))
            if len(in_flight) >= window:
                yield from _oldest_done(in_flight)
        while in_flight:
            yield from _oldest_done(in_flight)
    finally:  # Ctrl-C, or a consumer that stopped early: nothing keeps running on the cluster
        client.cancel([future for _, future in in_flight])
        client.close()
        if cluster is not None:
            cluster.close()


def _submit(client: Client, batch: Sequence[AuditTask], options: AuditOptions) -> Future[list[FileResult]]:
    sent = [_sent(task) for task in batch]
    # retries: a batch whose worker died is run once more elsewhere before its files become errors
    return client.submit(audit_batch, sent, options, retries=1, pure=False)


def _oldest_done(in_flight: deque[tuple[Sequence[AuditTask], Future[list[FileResult]]]]) -> list[FileResult]:
    """The oldest batch's results, waited for; it leaves the window only then (Ctrl-C still cancels it)."""
    results = _collected(*in_flight[0])
    in_flight.popleft()
    return results


def _collected(batch: Sequence[AuditTask], future: Future[list[FileResult]]) -> list[FileResult]:
    try:
        results = future.result()
    except Exception as error:  # lost twice (KilledWorker), cancelled (an Exception here), or the cluster went away
        reason = f"not checked: its batch failed on the Dask cluster ({type(error).__name__})"
        return [FileResult(task.path, task.repository, task.relative, error=f"{task.path}: {reason}") for task in batch]
    return [_as_found(result, task) for result, task in zip(results, batch, strict=True)]


# --- paths: absolute on the cluster, as found in the report -----------------------------------------------


def _sent(task: AuditTask) -> AuditTask:
    return replace(task, path=os.path.join(os.getcwd(), task.path))


def _sent_options(options: AuditOptions) -> AuditOptions:
    if options.config is None:
        return options
    return replace(options, config=os.path.join(os.getcwd(), options.config))


def _as_found(result: FileResult, task: AuditTask) -> FileResult:
    """The result with the paths this process would have shown: the worker saw them under our directory.

    Paths derived on the worker (a created `.dockerignore`, a message naming the file) begin with the
    working directory that `_sent` put in front; only relative paths were given one.
    """
    if os.path.isabs(task.path):
        return replace(result, path=task.path)
    prefix = os.path.join(os.getcwd(), "")

    def shown(text: str) -> str:
        return text.removeprefix(prefix)

    return replace(
        result,
        path=task.path,
        error=shown(result.error) if result.error is not None else None,
        created=tuple(map(shown, result.created)),
        problems=tuple(map(shown, result.problems)),
    )

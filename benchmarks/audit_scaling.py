"""How `lintslim audit` time grows with the number of files and shrinks with processes.  Not a test.

    python benchmarks/audit_scaling.py                # 25, 50 and 100 % of the corpus, -j 1 and -j <cores>
    python benchmarks/audit_scaling.py --shares 25 --repeat 1   # a quick look

The corpus is rebuilt in a temporary directory as repositories (`<owner>__<repo>/<path>`, each with
a `.git` directory: the layout of `tests/corpus_tree.py`), keeping an even share of the manifest's
rows so that every share has the same mix of repositories.  Each run is the command a user types:

    lintslim audit ROOT --output-format jsonl -o /dev/null --no-progress -j N

`bench.py` runs this too and prints the table with its own.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TextIO

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))  # tests/ is not a package: its corpus helper is imported by path

from corpus_tree import MANIFEST, corpus_files  # noqa: E402

SHARES = (25, 50, 100)


def share_tree(destination: Path, percent: int) -> int:
    """Copy `percent` % of the manifest's rows, evenly spread, into repositories under `destination`.

    Returns the number of files copied.  Row i is kept when i·p/100 and (i+1)·p/100 fall on either
    side of a whole number, which keeps exactly the share asked for, spread over the whole manifest.
    """
    copied = 0
    for index, file in enumerate(corpus_files()):
        if index * percent // 100 == (index + 1) * percent // 100:
            continue
        repository = destination / file.repo.replace("/", "__")
        (repository / ".git").mkdir(parents=True, exist_ok=True)
        target = repository / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(MANIFEST.parent / file.corpus_path, target)
        copied += 1
    return copied


def audited_files(root: Path) -> int | None:
    """How many files the audit's discovery finds under `root` (None when its API is not the one known here)."""
    try:
        from lintslim.audit.discovery import discover_tasks

        return len(discover_tasks([str(root)]))
    except (ImportError, TypeError, AttributeError):
        return None


@dataclass
class AuditRun:
    share: int  # percent of the corpus
    files: int  # files the audit checks (files copied, when discovery could not be asked)
    jobs: int
    repeats: int
    wall_s_median: float
    wall_s_min: float
    files_per_s: float
    ms_per_file: float  # median wall time / files: constant when time grows linearly with files
    peak_rss_mib: float  # the largest process (the audit's own or one of its pool workers)
    exit_codes: list[int]


def time_audit(lintslim: Sequence[str], root: Path, jobs: int) -> tuple[float, int, int]:
    """One audit: wall seconds, ru_maxrss (KiB) of the process and its reaped workers, exit code."""
    command = [*lintslim, "audit", str(root), "--output-format", "jsonl", "-o", os.devnull, "--no-progress"]
    start = time.perf_counter()
    proc = subprocess.Popen([*command, "-j", str(jobs)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)  # the child's rusage includes the pool workers it waited for
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss, proc.returncode


def measure(
    lintslim: Sequence[str], shares: Sequence[int], job_counts: Sequence[int], repeat: int, log: Callable[[str], None]
) -> list[AuditRun]:
    runs: list[AuditRun] = []
    with tempfile.TemporaryDirectory(prefix="lintslim-bench-audit-") as scratch:
        for share in shares:
            root = Path(scratch, f"share-{share}")
            copied = share_tree(root, share)
            files = audited_files(root) or copied
            time_audit(lintslim, root, max(job_counts))  # warm-up: the page cache, the .pyc files
            for jobs in job_counts:
                log(f"audit: {share} % of the corpus ({files} files), -j {jobs}, {repeat} run(s)")
                timed = [time_audit(lintslim, root, jobs) for _ in range(repeat)]
                median = statistics.median(wall for wall, _, _ in timed)
                runs.append(
                    AuditRun(
                        share=share,
                        files=files,
                        jobs=jobs,
                        repeats=repeat,
                        wall_s_median=median,
                        wall_s_min=min(wall for wall, _, _ in timed),
                        files_per_s=files / median,
                        ms_per_file=median / files * 1000,
                        peak_rss_mib=max(rss for _, rss, _ in timed) / 1024,
                        exit_codes=sorted({code for _, _, code in timed}),
                    )
                )
            shutil.rmtree(root)
    return runs


def print_table(rows: Sequence[dict[str, Any]], out: TextIO) -> None:
    out.write("\n== lintslim audit ROOT --output-format jsonl -o /dev/null --no-progress -j N\n")
    out.write(f"  {'share':>5} {'files':>6} {'jobs':>4} {'wall s':>7} {'min s':>7} {'files/s':>8} {'ms/file':>8} "
              f"{'RSS MiB':>8} {'speed-up':>8}  exit\n")  # fmt: skip
    single = {row["share"]: row["wall_s_median"] for row in rows if row["jobs"] == 1}
    for row in rows:
        speedup = single.get(row["share"], float("nan")) / row["wall_s_median"]
        out.write(
            f"  {row['share']:>4}% {row['files']:>6} {row['jobs']:>4} {row['wall_s_median']:>7.2f} "
            f"{row['wall_s_min']:>7.2f} {row['files_per_s']:>8.0f} {row['ms_per_file']:>8.2f} "
            f"{row['peak_rss_mib']:>8.1f} {speedup:>7.2f}x  {row['exit_codes']}\n"
        )
    out.write("  (ms/file steady across shares = linear in files; speed-up = the -j 1 wall time / this one;\n"
              "   RSS = the largest single process, the audit's or a pool worker's)\n")  # fmt: skip


def lintslim_command() -> list[str]:
    beside = Path(sys.executable).with_name("lintslim")
    found = str(beside) if beside.is_file() else shutil.which("lintslim")
    if not found:
        sys.stderr.write("audit_scaling: error: the `lintslim` command is not installed (pip install -e .)\n")
        sys.exit(2)
    return [found]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time `lintslim audit` over shares of ../shared/corpus.")
    parser.add_argument("--shares", type=int, nargs="+", default=list(SHARES), help="percentages (default 25 50 100)")
    parser.add_argument("--jobs", type=int, nargs="+", help="process counts (default: 1 and the core count)")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout; the table goes to stderr")
    args = parser.parse_args(argv)
    if not MANIFEST.is_file():
        sys.stderr.write(f"audit_scaling: error: no corpus manifest at {MANIFEST}\n")
        return 2
    if any(not 0 < share <= 100 for share in args.shares) or args.repeat < 1:
        parser.error("--shares take 1..100 and --repeat a positive number")
    jobs = args.jobs or sorted({1, os.cpu_count() or 1})

    def log(message: str) -> None:
        sys.stderr.write(f"audit_scaling: {message}\n")

    rows = [asdict(run) for run in measure(lintslim_command(), args.shares, jobs, args.repeat, log)]
    print_table(rows, sys.stderr if args.json else sys.stdout)
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark lintslim (and hadolint, when installed) over the shared corpus of real Dockerfiles.

Not a test: it prints figures.  Run from anywhere:

    python benchmarks/bench.py                   # whole corpus, hadolint too when on PATH
    python benchmarks/bench.py --limit 200 --repeat 1 --no-hadolint   # a quick look
    python benchmarks/bench.py --json > bench.json   # table on stderr, one JSON object on stdout

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import importlib.util
import json
import os
import platform
import pstats
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any, TextIO

import lintslim
from lintslim.config import Settings
from lintslim.engine.registry import default_registry
from lintslim.files import InputError, read_source
from lintslim.runner import check_text
from lintslim.syntax.parser import parse

REPO = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
MANIFEST = CORPUS / "MANIFEST.tsv"
EXAMPLE = REPO / "examples" / "Dockerfile"


# --- small helpers ------------------------------------------------------------------------------------


def log(message: str) -> None:
    sys.stderr.write(f"bench: {message}\n")
    sys.stderr.flush()


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile (`fraction` in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def batches(files: Sequence[str], count: int) -> list[list[str]]:
    """Round-robin split: repositories sit together in the manifest, so this balances the cores."""
    return [chunk for chunk in (list(files[index::count]) for index in range(count)) if chunk]


def version_of(command: Sequence[str]) -> str:
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    return (result.stdout or result.stderr).strip().splitlines()[0] if result.returncode == 0 else "?"


# --- the corpus ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Corpus:
    files: list[str]  # paths relative to CORPUS, in manifest order
    total_bytes: int


def load_corpus(limit: int | None) -> Corpus:
    if not MANIFEST.is_file():
        sys.stderr.write(f"bench: error: no corpus manifest at {MANIFEST} (the corpus sits beside the checkout)\n")
        sys.exit(2)
    with MANIFEST.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    rows = rows[:limit] if limit else rows
    return Corpus([row["corpus_path"] for row in rows], sum(int(row["bytes"]) for row in rows))


# --- subprocess runs over the corpus --------------------------------------------------------------------


@dataclass
class BatchRun:
    wall_s: float
    exit_codes: list[int]
    max_rss_kib: int  # the largest ru_maxrss among the batch processes
    stdout: list[str]
    stderr: list[str]


def run_batches(command: Sequence[str], chunks: Sequence[Sequence[str]]) -> BatchRun:
    """Start one process per chunk at once (cwd = corpus), wait for all; wall time covers start to last exit."""
    with tempfile.TemporaryDirectory(prefix="lintslim-bench-") as scratch:
        outs = [Path(scratch, f"{index}.out") for index in range(len(chunks))]
        errs = [Path(scratch, f"{index}.err") for index in range(len(chunks))]
        handles = [(out.open("wb"), err.open("wb")) for out, err in zip(outs, errs, strict=True)]
        start = time.perf_counter()
        procs = [
            subprocess.Popen([*command, *chunk], cwd=CORPUS, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
            for chunk, (out, err) in zip(chunks, handles, strict=True)
        ]
        codes, rss = [], 0
        for proc in procs:  # os.wait4 gives each child's own rusage (RUSAGE_CHILDREN would pool them)
            _, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = os.waitstatus_to_exitcode(status)
            codes.append(proc.returncode)
            rss = max(rss, usage.ru_maxrss)
        wall = time.perf_counter() - start
        for out, err in handles:
            out.close()
            err.close()
        stdout = [path.read_text(encoding="utf-8", errors="replace") for path in outs]
        stderr = [path.read_text(encoding="utf-8", errors="replace") for path in errs]
    return BatchRun(wall, codes, rss, stdout, stderr)


@dataclass
class CorpusFigures:
    tool: str
    files: int
    batches: int
    repeats: int
    wall_s_median: float
    wall_s_min: float
    files_per_s: float  # from the median wall time
    kib_per_s: float
    peak_rss_mib: float
    batch_exit_codes: list[int]
    error_files: int  # files the tool could not check (an error on stderr), not files with findings
    files_with_findings: int
    findings: int
    error_samples: list[str] = field(default_factory=list)


def _lintslim_outcome(run: BatchRun) -> tuple[int, int, list[str]]:
    errors = [line for text in run.stderr for line in text.splitlines() if line.startswith("lintslim: error:")]
    diagnostics = [entry for text in run.stdout if text.strip() for entry in json.loads(text)]
    return len({d["path"] for d in diagnostics}), len(diagnostics), errors


def _hadolint_outcome(run: BatchRun) -> tuple[int, int, list[str]]:
    errors = [line for text in run.stderr for line in text.splitlines() if line.strip()]
    diagnostics = [entry for text in run.stdout if text.strip() for entry in json.loads(text)]
    return len({d["file"] for d in diagnostics}), len(diagnostics), errors


def measure_corpus(
    tool: str,
    command: Sequence[str],
    corpus: Corpus,
    cores: int,
    repeat: int,
    outcome: Callable[[BatchRun], tuple[int, int, list[str]]],
) -> CorpusFigures:
    chunks = batches(corpus.files, cores)
    log(f"{tool}: warm-up over {len(corpus.files)} files in {len(chunks)} batches")
    run_batches(command, chunks)
    runs = []
    for index in range(repeat):
        log(f"{tool}: timed run {index + 1}/{repeat}")
        runs.append(run_batches(command, chunks))
    walls = [run.wall_s for run in runs]
    median = statistics.median(walls)
    with_findings, findings, errors = outcome(runs[-1])
    return CorpusFigures(
        tool=tool,
        files=len(corpus.files),
        batches=len(chunks),
        repeats=repeat,
        wall_s_median=median,
        wall_s_min=min(walls),
        files_per_s=len(corpus.files) / median,
        kib_per_s=corpus.total_bytes / 1024 / median,
        peak_rss_mib=max(run.max_rss_kib for run in runs) / 1024,
        batch_exit_codes=runs[-1].exit_codes,
        error_files=len(errors),
        files_with_findings=with_findings,
        findings=findings,
        error_samples=errors[:3],
    )


# --- in-process -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    path: str  # relative to the corpus, as the CLI run reports it
    text: str


def load_texts(corpus: Corpus) -> tuple[list[Loaded], list[str]]:
    """Read and decode every file the way the CLI does; unreadable files are input errors, kept aside."""
    loaded, errors = [], []
    for relative in corpus.files:
        try:
            loaded.append(Loaded(relative, read_source(str(CORPUS / relative)).text))
        except InputError as error:
            errors.append(str(error))
    return loaded, errors


@dataclass
class InProcessFigures:
    stage: str
    files: int
    repeats: int
    files_per_s: float  # from the median total over the repeats
    ms_per_file_median: float
    ms_per_file_p99: float
    ms_per_file_max: float
    input_errors: int  # files read_source rejected (the CLI exits 2 for these)
    check_errors: int  # FileReport.error set, or an exception escaped
    files_with_parse_errors: int  # Dockerfile.errors non-empty: findings (LS900), not errors
    peak_rss_mib: float  # this process's ru_maxrss after the stage


def _parse_only(item: Loaded) -> tuple[bool, bool]:
    return bool(parse(item.text, item.path).errors), False


def _make_check() -> Callable[[Loaded], tuple[bool, bool]]:
    settings, registry = Settings(), default_registry()

    def check(item: Loaded) -> tuple[bool, bool]:
        report = check_text(item.text, item.path, settings, registry, context_dir=(CORPUS / item.path).parent)
        has_parse_errors = report.dockerfile is not None and bool(report.dockerfile.errors)
        return has_parse_errors, report.error is not None

    return check


def time_in_process(
    stage: str, work: Callable[[Loaded], tuple[bool, bool]], items: Sequence[Loaded], repeat: int, input_errors: int
) -> InProcessFigures:
    for item in items:  # warm-up: imports, caches, branch predictors
        work(item)
    totals: list[float] = []
    samples: list[float] = []
    parse_errors = check_errors = 0
    for _ in range(repeat):
        parse_errors = check_errors = 0
        total = 0.0
        for item in items:
            start = time.perf_counter()
            try:
                has_parse_errors, failed = work(item)
            except Exception:
                has_parse_errors, failed = False, True
            elapsed = time.perf_counter() - start
            total += elapsed
            samples.append(elapsed)
            parse_errors += has_parse_errors
            check_errors += failed
        totals.append(total)
    return InProcessFigures(
        stage=stage,
        files=len(items),
        repeats=repeat,
        files_per_s=len(items) / statistics.median(totals),
        ms_per_file_median=statistics.median(samples) * 1000,
        ms_per_file_p99=percentile(samples, 0.99) * 1000,
        ms_per_file_max=max(samples) * 1000,
        input_errors=input_errors,
        check_errors=check_errors,
        files_with_parse_errors=parse_errors,
        peak_rss_mib=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    )


def profile_check(items: Sequence[Loaded], top: int) -> str:
    """cProfile of the parse+lint loop, sorted by cumulative time (the `python -m cProfile -s cumtime` view)."""
    check = _make_check()
    profiler = cProfile.Profile()
    profiler.enable()
    for item in items:
        check(item)
    profiler.disable()
    buffer = StringIO()
    pstats.Stats(profiler, stream=buffer).strip_dirs().sort_stats("cumulative").print_stats(top)
    return buffer.getvalue()


# --- one file, start-up ---------------------------------------------------------------------------------------


@dataclass
class OneFile:
    command: str
    runs: int
    ms_median: float
    ms_min: float
    exit_codes: list[int]


def time_command(
    label: str, command: Sequence[str], runs: int, env: dict[str, str] | None = None, cwd: Path = REPO
) -> OneFile:
    subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)  # warm-up (and .pyc writing)
    times, codes = [], set()
    for _ in range(runs):
        start = time.perf_counter()
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
        codes.add(result.returncode)
    return OneFile(label, runs, statistics.median(times) * 1000, min(times) * 1000, sorted(codes))


def copy_env(root: Path, write_bytecode: bool) -> dict[str, str]:
    """An environment that imports a fresh copy of the lintslim package (no .pyc) placed under `root`.

    With `write_bytecode`, the first run writes the copy's .pyc files and later runs read them; without,
    every run compiles lintslim from source.  The standard library is imported as usual either way, and the
    checkout is never written to.
    """
    shutil.copytree(Path(lintslim.__file__).parent, root / "lintslim", ignore=shutil.ignore_patterns("__pycache__"))
    skip = {"PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX"}
    env = {key: value for key, value in os.environ.items() if key not in skip}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), os.environ.get("PYTHONPATH")]))
    if not write_bytecode:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    probe = [sys.executable, "-c", "import lintslim; print(lintslim.__file__)"]
    imported = subprocess.run(probe, cwd=root, env=env, capture_output=True, text=True, check=True).stdout.strip()
    if not Path(imported).is_relative_to(root):
        raise RuntimeError(f"the copy of lintslim under {root} is not the one imported ({imported})")
    return env


def bytecode_state() -> str:
    """Whether the runs "as installed" find lintslim's .pyc files, and whether Python writes them."""
    source = Path(lintslim.__file__).with_name("cli.py")
    present = Path(importlib.util.cache_from_source(str(source))).is_file()
    writing = "not written (PYTHONDONTWRITEBYTECODE)" if sys.dont_write_bytecode else "written"
    return f"lintslim .pyc {'present' if present else 'absent'}, {writing}"


def import_time_ms(module: str, env: dict[str, str], cwd: Path) -> float:
    """The cumulative import time `python -X importtime` reports for `module` (median of 5 runs)."""
    pattern = re.compile(rf"^import time:\s+\d+\s+\|\s+(\d+)\s+\|\s*{re.escape(module)}$")
    values = []
    for _ in range(5):
        command = [sys.executable, "-X", "importtime", "-c", f"import {module}"]
        result = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, check=True)
        matches = [int(m.group(1)) for line in result.stderr.splitlines() if (m := pattern.match(line))]
        values.append(matches[-1] / 1000 if matches else float("nan"))
    return statistics.median(values)


def measure_one_file(lintslim: list[str], hadolint: str | None, runs: int) -> tuple[list[OneFile], dict[str, float]]:
    example = str(EXAMPLE.relative_to(REPO))
    check = [*lintslim, "check", example]
    importing = [sys.executable, "-c", "import lintslim.cli"]
    with (  # `python -c` puts its cwd first on sys.path: run it beside the copy, away from the checkout
        tempfile.TemporaryDirectory(prefix="lintslim-bench-nopyc-") as fresh,
        tempfile.TemporaryDirectory(prefix="lintslim-bench-pyc-") as compiled,
    ):
        fresh_root, compiled_root = Path(fresh), Path(compiled)
        cold, cached = copy_env(fresh_root, write_bytecode=False), copy_env(compiled_root, write_bytecode=True)
        rows = [
            time_command(f"lintslim check {example}", check, runs),
            time_command(f"lintslim check {example} (no .pyc)", check, runs, cold),
            time_command(f"lintslim check {example} (.pyc cached)", check, runs, cached),
        ]
        if hadolint:
            rows.append(time_command(f"hadolint {example}", [hadolint, example], runs))
        rows += [
            time_command('python -c "import lintslim.cli" (no .pyc)', importing, runs, cold, fresh_root),
            time_command('python -c "import lintslim.cli" (.pyc cached)', importing, runs, cached, compiled_root),
            time_command("python -c pass", [sys.executable, "-c", "pass"], runs),
        ]
        startup = {
            "importtime_lintslim_cli_no_pyc_ms": import_time_ms("lintslim.cli", cold, fresh_root),
            "importtime_lintslim_cli_pyc_cached_ms": import_time_ms("lintslim.cli", cached, compiled_root),
        }
    return rows, startup


# --- report ----------------------------------------------------------------------------------------------------


def machine_facts(corpus: Corpus, cores: int, lintslim: list[str], hadolint: str | None) -> dict[str, Any]:
    return {
        "cores": cores,
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "lintslim": version_of([*lintslim, "--version"]),
        "hadolint": version_of([hadolint, "--version"]) if hadolint else "not run",
        "files": len(corpus.files),
        "corpus_kib": round(corpus.total_bytes / 1024),
        "bytecode": bytecode_state(),
    }


def print_table(results: dict[str, Any], out: TextIO) -> None:
    facts = results["machine"]
    out.write("\n== machine\n")
    for key, value in facts.items():
        out.write(f"  {key:<12} {value}\n")
    out.write("\n== corpus, real command, one batch per core\n")
    out.write(f"  {'tool':<9} {'files/s':>8} {'KiB/s':>8} {'wall s':>8} {'min s':>7} {'RSS MiB':>8} "
              f"{'errors':>7} {'w/ finds':>8} {'findings':>8}  exit codes\n")  # fmt: skip
    for row in results["corpus"]:
        out.write(
            f"  {row['tool']:<9} {row['files_per_s']:>8.1f} {row['kib_per_s']:>8.0f} {row['wall_s_median']:>8.2f} "
            f"{row['wall_s_min']:>7.2f} {row['peak_rss_mib']:>8.1f} {row['error_files']:>7} "
            f"{row['files_with_findings']:>8} {row['findings']:>8}  {row['batch_exit_codes']}\n"
        )
        for sample in row["error_samples"]:
            out.write(f"            e.g. {sample[:110]}\n")
    if results.get("ratio_lintslim_over_hadolint") is not None:
        out.write(f"  lintslim/hadolint throughput ratio: {results['ratio_lintslim_over_hadolint']:.2f}x\n")
    out.write("\n== in-process, one core (lintslim API, files read beforehand)\n")
    out.write(f"  {'stage':<11} {'files/s':>8} {'ms med':>7} {'ms p99':>7} {'ms max':>7} {'input err':>9} "
              f"{'check err':>9} {'w/ LS900':>8} {'RSS MiB':>8}\n")  # fmt: skip
    for row in results["in_process"]:
        out.write(
            f"  {row['stage']:<11} {row['files_per_s']:>8.0f} {row['ms_per_file_median']:>7.2f} "
            f"{row['ms_per_file_p99']:>7.2f} {row['ms_per_file_max']:>7.1f} {row['input_errors']:>9} "
            f"{row['check_errors']:>9} {row['files_with_parse_errors']:>8} {row['peak_rss_mib']:>8.1f}\n"
        )
    out.write("\n== one file (examples/Dockerfile), wall time per process\n")
    for row in results["one_file"]:
        out.write(f"  {row['command']:<50} median {row['ms_median']:>7.1f} ms   min {row['ms_min']:>7.1f} ms   "
                  f"exit {row['exit_codes']}\n")  # fmt: skip
    startup = results["startup"]
    out.write(
        f"  import lintslim.cli, -X importtime cumulative: {startup['importtime_lintslim_cli_no_pyc_ms']:.1f} ms "
        f"(no .pyc), {startup['importtime_lintslim_cli_pyc_cached_ms']:.1f} ms (.pyc cached)\n"
    )
    out.write("\n")


# --- main ------------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark lintslim (and hadolint) over ../shared/corpus.")
    parser.add_argument("--limit", type=int, help="only the first N files of the manifest")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each corpus measurement (default 3)")
    parser.add_argument("--runs", type=int, default=20, help="runs of each one-file command (default 20)")
    parser.add_argument("--no-hadolint", action="store_true", help="skip hadolint even when it is on PATH")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout; the table goes to stderr")
    parser.add_argument("--profile", type=int, metavar="N", help="also cProfile the parse+lint loop over N files")
    args = parser.parse_args(argv)
    if args.repeat < 1 or args.runs < 1 or (args.limit is not None and args.limit < 1):
        parser.error("--limit, --repeat and --runs take a positive number")
    return args


def lintslim_command() -> list[str]:
    """The installed console script (next to this interpreter first), as a user would run it."""
    beside = Path(sys.executable).with_name("lintslim")
    found = str(beside) if beside.is_file() else shutil.which("lintslim")
    if not found:
        sys.stderr.write("bench: error: the `lintslim` command is not installed (pip install -e .)\n")
        sys.exit(2)
    return [found]


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    corpus = load_corpus(args.limit)
    cores = os.cpu_count() or 1
    lintslim = lintslim_command()
    hadolint = None if args.no_hadolint else shutil.which("hadolint")
    results: dict[str, Any] = {"machine": machine_facts(corpus, cores, lintslim, hadolint)}

    log("in-process: reading the corpus")
    items, input_errors = load_texts(corpus)
    log("in-process: parse only")
    parse_only = time_in_process("parse", _parse_only, items, args.repeat, len(input_errors))
    log("in-process: parse + lint")
    parse_lint = time_in_process("parse+lint", _make_check(), items, args.repeat, len(input_errors))
    results["in_process"] = [asdict(parse_only), asdict(parse_lint)]

    lint_cmd = [*lintslim, "check", "--output-format", "json", "--exit-zero"]
    corpus_rows = [measure_corpus("lintslim", lint_cmd, corpus, cores, args.repeat, _lintslim_outcome)]
    if hadolint:
        hadolint_cmd = [hadolint, "--no-fail", "--format", "json"]
        corpus_rows.append(measure_corpus("hadolint", hadolint_cmd, corpus, cores, args.repeat, _hadolint_outcome))
    results["corpus"] = [asdict(row) for row in corpus_rows]
    results["ratio_lintslim_over_hadolint"] = (
        corpus_rows[0].files_per_s / corpus_rows[1].files_per_s if len(corpus_rows) > 1 else None
    )

    log(f"one file: {args.runs} runs each")
    one_file, results["startup"] = measure_one_file(lintslim, hadolint, args.runs)
    results["one_file"] = [asdict(row) for row in one_file]

    print_table(results, sys.stderr if args.json else sys.stdout)
    if args.profile:
        log(f"profiling parse+lint over {min(args.profile, len(items))} files")
        sys.stderr.write(profile_check(items[: args.profile], 25))
    if args.json:
        json.dump(results, sys.stdout, indent=2)
        sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())

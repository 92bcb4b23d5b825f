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
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from io import StringIO
from pathlib import Path
from typing import Any, TextIO

import audit_scaling

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
    max_rss_kib: int  # the largest ru_maxrss among the processes (a process's own reaped children included)
    stdout: list[str]
    stderr: list[str]


def run_processes(commands: Sequence[Sequence[str]], parallel: int, cwd: Path) -> BatchRun:
    """Run `commands`, at most `parallel` at a time; wall time covers the first start to the last exit."""
    with tempfile.TemporaryDirectory(prefix="lintslim-bench-") as scratch:
        outs = [Path(scratch, f"{index}.out") for index in range(len(commands))]
        errs = [Path(scratch, f"{index}.err") for index in range(len(commands))]

        def run(index: int) -> tuple[int, int]:
            with outs[index].open("wb") as out, errs[index].open("wb") as err:
                proc = subprocess.Popen(commands[index], cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
                # os.wait4 gives this child's own rusage (RUSAGE_CHILDREN would pool every child's)
                _, status, usage = os.wait4(proc.pid, 0)
                proc.returncode = os.waitstatus_to_exitcode(status)
            return proc.returncode, usage.ru_maxrss

        start = time.perf_counter()
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            finished = list(pool.map(run, range(len(commands))))
        wall = time.perf_counter() - start
        stdout = [path.read_text(encoding="utf-8", errors="replace") for path in outs]
        stderr = [path.read_text(encoding="utf-8", errors="replace") for path in errs]
    return BatchRun(wall, [code for code, _ in finished], max(rss for _, rss in finished), stdout, stderr)


def run_batches(command: Sequence[str], chunks: Sequence[Sequence[str]]) -> BatchRun:
    """One process per chunk, all at once, in the corpus directory."""
    return run_processes([[*command, *chunk] for chunk in chunks], len(chunks), CORPUS)


@dataclass
class CorpusFigures:
    tool: str
    mode: str  # how the files were handed to the tool
    files: int
    processes: int
    repeats: int
    wall_s_median: float
    wall_s_min: float
    files_per_s: float  # from the median wall time
    kib_per_s: float
    peak_rss_mib: float
    exit_codes: dict[int, int]  # exit code -> processes, last run
    error_files: int  # files the tool could not check (an error on stderr), not files with findings
    files_with_findings: int
    findings: int
    error_samples: list[str] = field(default_factory=list)


Outcome = Callable[[BatchRun], tuple[int, int, list[str]]]  # files with findings, findings, error lines


def _lintslim_outcome(run: BatchRun) -> tuple[int, int, list[str]]:
    errors = [line for text in run.stderr for line in text.splitlines() if line.startswith("lintslim: error:")]
    diagnostics = [entry for text in run.stdout if text.strip() for entry in json.loads(text)]
    return len({d["path"] for d in diagnostics}), len(diagnostics), errors


def _hadolint_outcome(run: BatchRun) -> tuple[int, int, list[str]]:
    errors = [line for text in run.stderr for line in text.splitlines() if line.strip()]
    diagnostics = [entry for text in run.stdout if text.strip() for entry in json.loads(text)]
    return len({d["file"] for d in diagnostics}), len(diagnostics), errors


def _tally_outcome(run: BatchRun) -> tuple[int, int, list[str]]:
    """tally's JSON is `{"files": [{"file", "violations": [...]}], ...}`; a file it cannot lint prints
    `Error: ...` and no JSON."""
    errors = [line for text in run.stderr for line in text.splitlines() if line.startswith("Error:")]
    reports = [json.loads(text) for text in run.stdout if text.strip()]
    per_file = [len(entry.get("violations") or []) for report in reports for entry in report.get("files") or []]
    return sum(1 for count in per_file if count), sum(per_file), errors


@dataclass(frozen=True)
class CorpusRunner:
    """How one tool is run over a list of corpus files (paths relative to CORPUS)."""

    tool: str
    mode: str
    processes: Callable[[int], int]  # files -> processes started
    run: Callable[[Sequence[str]], BatchRun]
    outcome: Outcome
    warm_up_files: int = 100  # an untimed first run over this many files, spread over the corpus


def batch_runner(tool: str, command: Sequence[str], cores: int, outcome: Outcome) -> CorpusRunner:
    """The files split round-robin into one batch (one process) per core, all batches at once."""
    return CorpusRunner(
        tool,
        "one batch a core",
        lambda count: min(count, cores),
        lambda files: run_batches(command, batches(files, cores)),
        outcome,
    )


def tally_runner(tally: str, tree: Path, names: dict[str, str], cores: int) -> CorpusRunner:
    """tally stops a whole batch at the first file it cannot parse (and templates are common here),
    so it gets one process per file, `cores` at a time, each file copied under a name it accepts."""
    command = [tally, "lint", "--format", "json", "--fail-level", "none", "--slow-checks", "off", "--no-color"]
    return CorpusRunner(
        "tally",
        "a process a file",
        lambda count: count,
        lambda files: run_processes([[*command, names[file]] for file in files], cores, tree),
        _tally_outcome,
        warm_up_files=2 * cores,  # a process a file: each file is its own cold start anyway
    )


def tally_tree(corpus: Corpus, destination: Path) -> dict[str, str]:
    """Copy each corpus file to `destination/<n>/Dockerfile`: tally lints only files named like Dockerfiles."""
    names = {}
    for index, relative in enumerate(corpus.files):
        name = f"{index:05d}/Dockerfile"
        (destination / name).parent.mkdir(parents=True)
        shutil.copyfile(CORPUS / relative, destination / name)
        names[relative] = name
    return names


def warm_up_sample(files: Sequence[str], size: int = 100) -> list[str]:
    """Files spread over the whole list (the manifest groups repositories), for an untimed first run."""
    step = max(1, len(files) // size)
    return list(files[::step][:size])


def even_sample(corpus: Corpus, size: int) -> Corpus:
    """`size` files spread evenly over the manifest, for a tool too slow to run on every file."""
    if size >= len(corpus.files):
        return corpus
    files = [corpus.files[index * len(corpus.files) // size] for index in range(size)]
    return Corpus(files, sum((CORPUS / file).stat().st_size for file in files))


def measure_corpus(runner: CorpusRunner, corpus: Corpus, repeat: int) -> CorpusFigures:
    warm = warm_up_sample(corpus.files, runner.warm_up_files)
    log(f"{runner.tool}: warm-up over {len(warm)} files")
    runner.run(warm)
    runs = []
    for index in range(repeat):
        log(f"{runner.tool}: timed run {index + 1}/{repeat} over {len(corpus.files)} files ({runner.mode})")
        runs.append(runner.run(corpus.files))
    walls = [run.wall_s for run in runs]
    median = statistics.median(walls)
    with_findings, findings, errors = runner.outcome(runs[-1])
    return CorpusFigures(
        tool=runner.tool,
        mode=runner.mode,
        files=len(corpus.files),
        processes=runner.processes(len(corpus.files)),
        repeats=repeat,
        wall_s_median=median,
        wall_s_min=min(walls),
        files_per_s=len(corpus.files) / median,
        kib_per_s=corpus.total_bytes / 1024 / median,
        peak_rss_mib=max(run.max_rss_kib for run in runs) / 1024,
        exit_codes=dict(sorted(Counter(runs[-1].exit_codes).items())),
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


@dataclass(frozen=True)
class Peers:
    """The other linters' commands, when installed (None when absent or skipped)."""

    hadolint: str | None
    tally: str | None


@dataclass(frozen=True)
class OneFileInput:
    label: str
    path: Path  # absolute
    lines: int
    bytes: int


def median_corpus_files(count: int) -> list[tuple[str, int]]:
    """The `count` manifest rows around the median size (the whole manifest, whatever --limit says)."""
    with MANIFEST.open(newline="", encoding="utf-8") as handle:
        rows = sorted(csv.DictReader(handle, delimiter="\t"), key=lambda row: (int(row["bytes"]), row["corpus_path"]))
    middle = max(0, len(rows) // 2 - count // 2)
    return [(row["corpus_path"], int(row["bytes"])) for row in rows[middle : middle + count]]


def one_file_inputs(scratch: Path, count: int) -> list[OneFileInput]:
    """examples/Dockerfile, and median-size corpus files copied to `<scratch>/median-<n>/Dockerfile`
    (tally lints only files named like Dockerfiles; every tool gets the same copy)."""
    inputs = [OneFileInput(str(EXAMPLE.relative_to(REPO)), EXAMPLE, *_size(EXAMPLE))]
    for index, (relative, _) in enumerate(median_corpus_files(count), start=1):
        copy = scratch / f"median-{index}" / "Dockerfile"
        copy.parent.mkdir(parents=True)
        shutil.copyfile(CORPUS / relative, copy)
        inputs.append(OneFileInput(f"median-{index}: {relative.split('/', 2)[-1]}", copy, *_size(copy)))
    return inputs


def _size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return data.count(b"\n"), len(data)


@dataclass
class OneFileRow:
    file: str
    lines: int
    bytes: int
    lintslim: OneFile
    hadolint: OneFile | None
    tally: OneFile | None


def measure_one_file_inputs(
    lintslim: list[str], peers: Peers, inputs: Sequence[OneFileInput], runs: int
) -> list[OneFileRow]:
    rows = []
    for item in inputs:
        log(f"one file: {item.label}")
        target = str(item.path)
        rows.append(
            OneFileRow(
                item.label,
                item.lines,
                item.bytes,
                time_command("lintslim check", [*lintslim, "check", target], runs),
                time_command("hadolint", [peers.hadolint, target], runs) if peers.hadolint else None,
                time_command("tally lint", [peers.tally, "lint", "--slow-checks", "off", target], runs)
                if peers.tally
                else None,
            )
        )
    return rows


def measure_startup(lintslim: list[str], runs: int) -> tuple[list[OneFile], dict[str, float]]:
    """examples/Dockerfile with lintslim compiled from source on every run, and with cached .pyc files."""
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
            time_command(f"lintslim check {example} (no .pyc)", check, runs, cold),
            time_command(f"lintslim check {example} (.pyc cached)", check, runs, cached),
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


def machine_facts(corpus: Corpus, cores: int, lintslim: list[str], peers: Peers) -> dict[str, Any]:
    return {
        "cores": cores,
        "cpu": platform.processor() or platform.machine(),
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "lintslim": version_of([*lintslim, "--version"]),
        "hadolint": version_of([peers.hadolint, "--version"]) if peers.hadolint else "not run",
        "tally": version_of([peers.tally, "--version"]) if peers.tally else "not run",
        "files": len(corpus.files),
        "corpus_kib": round(corpus.total_bytes / 1024),
        "bytecode": bytecode_state(),
    }


def _codes(counts: dict[Any, int]) -> str:
    return " ".join(f"{code}x{count}" for code, count in counts.items())


def _write_corpus(results: dict[str, Any], out: TextIO) -> None:
    out.write("\n== corpus, real command (lintslim and hadolint: one batch a core; tally: a process a file, "
              "cores at a time, on the files counted)\n")  # fmt: skip
    out.write(f"  {'tool':<9} {'files':>5} {'files/s':>8} {'KiB/s':>8} {'wall s':>8} {'min s':>7} {'runs':>4} "
              f"{'RSS MiB':>8} {'errors':>7} {'w/ finds':>8} {'findings':>8}  exit code x processes\n")  # fmt: skip
    for row in results["corpus"]:
        out.write(
            f"  {row['tool']:<9} {row['files']:>5} {row['files_per_s']:>8.1f} {row['kib_per_s']:>8.0f} "
            f"{row['wall_s_median']:>8.2f} {row['wall_s_min']:>7.2f} {row['repeats']:>4} {row['peak_rss_mib']:>8.1f} "
            f"{row['error_files']:>7} {row['files_with_findings']:>8} {row['findings']:>8}  "
            f"{_codes(row['exit_codes'])}\n"
        )
        for sample in row["error_samples"]:
            out.write(f"            e.g. {sample[:110]}\n")


def _write_in_process(results: dict[str, Any], out: TextIO) -> None:
    out.write("\n== in-process, one core (lintslim API, files read beforehand)\n")
    out.write(f"  {'stage':<11} {'files/s':>8} {'ms med':>7} {'ms p99':>7} {'ms max':>7} {'input err':>9} "
              f"{'check err':>9} {'w/ LS900':>8} {'RSS MiB':>8}\n")  # fmt: skip
    for row in results["in_process"]:
        out.write(
            f"  {row['stage']:<11} {row['files_per_s']:>8.0f} {row['ms_per_file_median']:>7.2f} "
            f"{row['ms_per_file_p99']:>7.2f} {row['ms_per_file_max']:>7.1f} {row['input_errors']:>9} "
            f"{row['check_errors']:>9} {row['files_with_parse_errors']:>8} {row['peak_rss_mib']:>8.1f}\n"
        )


def _ms(row: dict[str, Any] | None) -> str:
    return f"{row['ms_median']:>9.1f}" if row else f"{'-':>9}"


def _write_one_file(results: dict[str, Any], out: TextIO) -> None:
    out.write("\n== one file, wall time per process (median ms; lintslim as installed)\n")
    out.write(f"  {'file':<62} {'lines':>5} {'lintslim':>9} {'hadolint':>9} {'tally':>9}\n")
    for row in results["one_file"]:
        out.write(f"  {row['file'][:62]:<62} {row['lines']:>5} {_ms(row['lintslim'])} {_ms(row['hadolint'])} "
                  f"{_ms(row['tally'])}\n")  # fmt: skip
    out.write("  start-up detail (examples/Dockerfile):\n")
    for row in results["startup_runs"]:
        out.write(f"    {row['command']:<50} median {row['ms_median']:>7.1f} ms   min {row['ms_min']:>7.1f} ms   "
                  f"exit {row['exit_codes']}\n")  # fmt: skip
    startup = results["startup"]
    out.write(
        f"    import lintslim.cli, -X importtime cumulative: {startup['importtime_lintslim_cli_no_pyc_ms']:.1f} ms "
        f"(no .pyc), {startup['importtime_lintslim_cli_pyc_cached_ms']:.1f} ms (.pyc cached)\n"
    )


def _write_lsp(results: dict[str, Any], out: TextIO) -> None:
    lsp = results.get("lsp_relint")
    out.write("\n== language server re-lint after an edit (in process, generated 300-line file; "
              "benchmarks/lsp_relint.py)\n")  # fmt: skip
    if lsp is None:
        out.write("  not run (--no-lsp)\n")
    elif "skipped" in lsp:
        out.write(f"  not run: {lsp['skipped']}\n")
    else:
        out.write(f"  {lsp['runs']} edits: median {lsp['ms_median']:.1f} ms, p95 {lsp['ms_p95']:.1f} ms, "
                  f"max {lsp['ms_max']:.1f} ms (target {lsp['target_ms']:.0f} ms)\n")  # fmt: skip


def targets(results: dict[str, Any]) -> list[tuple[str, str, bool | None]]:
    """Issue 6's performance targets, each with the figure that meets or misses it (None: not measured)."""
    found: list[tuple[str, str, bool | None]] = []
    tools = {row["tool"]: row for row in results["corpus"]}
    lintslim = tools["lintslim"]
    for peer, factor in (("hadolint", 3.0), ("tally", 1.0)):
        if peer in tools:
            ratio = lintslim["files_per_s"] / tools[peer]["files_per_s"]
            found.append((f"batch files/s >= {factor:g}x {peer}'s", f"{ratio:.1f}x", ratio >= factor))
    for row in results["one_file"]:
        if row["hadolint"]:
            mine, theirs = row["lintslim"]["ms_median"], row["hadolint"]["ms_median"]
            label = f"one file <= hadolint ({row['file'][:30]})"
            found.append((label, f"{mine:.0f} ms vs {theirs:.0f} ms", mine <= theirs))
    found.append(("batch peak RSS <= 150 MiB", f"{lintslim['peak_rss_mib']:.0f} MiB", lintslim["peak_rss_mib"] <= 150))
    audit = results.get("audit") or []
    if audit:
        largest = max(row["peak_rss_mib"] for row in audit)
        found.append(("audit peak RSS <= 150 MiB (a process)", f"{largest:.0f} MiB", largest <= 150))
        single = [row["ms_per_file"] for row in audit if row["jobs"] == 1]
        spread = max(single) / min(single) if single else float("nan")
        found.append(("audit time linear in files (ms/file, -j 1)", f"max/min {spread:.2f}", spread <= 1.25))
        full = [row for row in audit if row["share"] == max(r["share"] for r in audit)]
        if len(full) > 1:
            speedup = full[0]["wall_s_median"] / full[-1]["wall_s_median"]
            found.append((f"audit faster with -j {full[-1]['jobs']}", f"{speedup:.2f}x", speedup > 1.2))
    lsp = results.get("lsp_relint")
    if lsp and "ms_median" in lsp:
        median = lsp["ms_median"]
        found.append(("LSP re-lint, 300 lines, median", f"{median:.1f} ms", median <= lsp["target_ms"]))
    return found


def print_table(results: dict[str, Any], out: TextIO) -> None:
    out.write("\n== machine\n")
    for key, value in results["machine"].items():
        out.write(f"  {key:<12} {value}\n")
    _write_corpus(results, out)
    _write_in_process(results, out)
    _write_one_file(results, out)
    if results.get("audit"):
        audit_scaling.print_table(results["audit"], out)
    _write_lsp(results, out)
    out.write("\n== targets (issue 6)\n")
    for label, figure, met in targets(results):
        verdict = "not measured" if met is None else ("met" if met else "MISSED")
        out.write(f"  {label:<52} {figure:>22}  {verdict}\n")
    out.write("\n")


# --- main ------------------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark lintslim, hadolint and tally over ../shared/corpus.")
    parser.add_argument("--limit", type=int, help="only the first N files of the manifest")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each lintslim measurement (default 3)")
    parser.add_argument("--peer-repeat", type=int, default=1, help="timed corpus runs of hadolint, tally (default 1)")
    parser.add_argument("--runs", type=int, default=20, help="runs of each one-file command (default 20)")
    parser.add_argument("--median-files", type=int, default=2, help="median-size corpus files timed alone (default 2)")
    parser.add_argument("--no-hadolint", action="store_true", help="skip hadolint even when it is on PATH")
    parser.add_argument("--no-tally", action="store_true", help="skip tally even when it is on PATH")
    parser.add_argument(
        "--tally-files",
        type=int,
        default=400,
        help="tally's corpus run: an even sample of N files (0: all; default 400)",
    )
    parser.add_argument("--no-audit", action="store_true", help="skip the audit scaling runs")
    parser.add_argument("--no-lsp", action="store_true", help="skip the language server re-lint figure")
    parser.add_argument("--json", action="store_true", help="one JSON object on stdout; the table goes to stderr")
    parser.add_argument("--profile", type=int, metavar="N", help="also cProfile the parse+lint loop over N files")
    args = parser.parse_args(argv)
    counts = (args.repeat, args.peer_repeat, args.runs, args.limit or 1, args.median_files + 1, args.tally_files + 1)
    if min(counts) < 1:
        parser.error("--limit, --repeat, --peer-repeat and --runs take a positive number")
    return args


def lintslim_command() -> list[str]:
    """The installed console script (next to this interpreter first), as a user would run it."""
    beside = Path(sys.executable).with_name("lintslim")
    found = str(beside) if beside.is_file() else shutil.which("lintslim")
    if not found:
        sys.stderr.write("bench: error: the `lintslim` command is not installed (pip install -e .)\n")
        sys.exit(2)
    return [found]


def find_peers(args: argparse.Namespace) -> Peers:
    def beside_or_path(name: str) -> str | None:
        beside = Path(sys.executable).with_name(name)
        return str(beside) if beside.is_file() else shutil.which(name)

    return Peers(
        None if args.no_hadolint else beside_or_path("hadolint"), None if args.no_tally else beside_or_path("tally")
    )


def lsp_relint_figure(runs: int = 50) -> dict[str, Any]:
    """The re-lint of `lsp_relint.py` on its generated 300-line file (it needs the `lsp` extra)."""
    try:
        import lsp_relint
    except ImportError as error:
        return {"skipped": f"the language server is not installed ({error.name})"}
    with tempfile.TemporaryDirectory(prefix="lintslim-bench-lsp-") as scratch:
        path = Path(scratch) / "Dockerfile"
        text = lsp_relint.realistic_dockerfile()
        path.write_text(text, encoding="utf-8")
        times = lsp_relint.relint_times(path, text, runs)
    return {
        "runs": runs,
        "ms_median": statistics.median(times),
        "ms_p95": percentile(times, 0.95),
        "ms_max": max(times),
        "target_ms": lsp_relint.TARGET_MS,
    }


def measure_corpus_runs(
    args: argparse.Namespace, corpus: Corpus, cores: int, lintslim: list[str], peers: Peers
) -> list[CorpusFigures]:
    lint_cmd = [*lintslim, "check", "--output-format", "json", "--exit-zero"]
    rows = [measure_corpus(batch_runner("lintslim", lint_cmd, cores, _lintslim_outcome), corpus, args.repeat)]
    if peers.hadolint:
        hadolint_cmd = [peers.hadolint, "--no-fail", "--format", "json"]
        runner = batch_runner("hadolint", hadolint_cmd, cores, _hadolint_outcome)
        rows.append(measure_corpus(runner, corpus, args.peer_repeat))
    if peers.tally:
        sample = even_sample(corpus, args.tally_files) if args.tally_files else corpus
        with tempfile.TemporaryDirectory(prefix="lintslim-bench-tally-") as scratch:
            names = tally_tree(sample, Path(scratch))
            runner = tally_runner(peers.tally, Path(scratch), names, cores)
            rows.append(measure_corpus(runner, sample, args.peer_repeat))
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    corpus = load_corpus(args.limit)
    cores = os.cpu_count() or 1
    lintslim = lintslim_command()
    peers = find_peers(args)
    results: dict[str, Any] = {"machine": machine_facts(corpus, cores, lintslim, peers)}

    log("in-process: reading the corpus")
    items, input_errors = load_texts(corpus)
    log("in-process: parse only")
    parse_only = time_in_process("parse", _parse_only, items, args.repeat, len(input_errors))
    log("in-process: parse + lint")
    parse_lint = time_in_process("parse+lint", _make_check(), items, args.repeat, len(input_errors))
    results["in_process"] = [asdict(parse_only), asdict(parse_lint)]

    results["corpus"] = [asdict(row) for row in measure_corpus_runs(args, corpus, cores, lintslim, peers)]

    log(f"one file: {args.runs} runs each")
    with tempfile.TemporaryDirectory(prefix="lintslim-bench-one-") as scratch:
        inputs = one_file_inputs(Path(scratch), args.median_files)
        results["one_file"] = [asdict(row) for row in measure_one_file_inputs(lintslim, peers, inputs, args.runs)]
    startup_runs, results["startup"] = measure_startup(lintslim, args.runs)
    results["startup_runs"] = [asdict(row) for row in startup_runs]

    if not args.no_audit:
        shares = [25] if args.limit else list(audit_scaling.SHARES)  # --limit: a quick look, one share
        jobs = sorted({1, cores})
        audit_runs = audit_scaling.measure(lintslim, shares, jobs, 1 if args.limit else args.repeat, log)
        results["audit"] = [asdict(row) for row in audit_runs]
    if not args.no_lsp:
        log("language server re-lint")
        results["lsp_relint"] = lsp_relint_figure()

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

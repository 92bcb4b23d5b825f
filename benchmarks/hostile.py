"""Hostile inputs through `lintslim check`: wall time, peak memory and the result of each.  Not a test.

    python benchmarks/hostile.py                 # every case at full size (a few minutes)
    python benchmarks/hostile.py --scale 0.1     # a quick look at a tenth of the sizes
    python benchmarks/hostile.py --only heredoc  # the cases whose name holds a word

Each case is written into a temporary directory (its build context) and checked in its own process,
`python -m lintslim check --output-format concise Dockerfile` (with `--no-shellcheck`, also
`--ignore LS590`: ShellCheck's own time on one huge RUN dwarfs lintslim's), so the peak RSS printed is that one
process's (`os.wait4`).  A case that runs past --timeout is killed and shown as such.  The sizes are
issue 8's: a 10 MB file, a 1 MB line, 100,000 continuation lines and RUNs, a heredoc that never
ends, `$(` nested 5,000 deep, a 5,000-stage chain; then the long near-miss lines that made regular
expressions backtrack (see tests/test_regex_safety.py).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Case:
    name: str
    build: Callable[[Path, float], None]  # writes Dockerfile (and any context files) for a scale


def _dockerfile(directory: Path, text: str) -> None:
    (directory / "Dockerfile").write_text(text, encoding="utf-8")


def _count(base: int, scale: float) -> int:
    return max(1, int(base * scale))


def ten_megabytes(directory: Path, scale: float) -> None:
    line = "RUN echo " + "x" * 90 + "\n"
    _dockerfile(directory, "FROM alpine:3.20\n" + line * _count(10_000_000 // len(line), scale))


def megabyte_line(directory: Path, scale: float) -> None:
    _dockerfile(directory, "FROM alpine:3.20\nRUN echo " + "a" * _count(1_000_000, scale) + "\n")


def continuations(directory: Path, scale: float) -> None:
    _dockerfile(
        directory, "FROM alpine:3.20\nRUN true \\\n" + "    && echo a \\\n" * _count(100_000, scale) + "    && true\n"
    )


def many_runs(directory: Path, scale: float) -> None:
    body = "".join(f"RUN echo {i}\n" for i in range(_count(100_000, scale)))
    _dockerfile(directory, "FROM alpine:3.20\n" + body)


def endless_heredoc(directory: Path, scale: float) -> None:
    _dockerfile(directory, "FROM alpine:3.20\nRUN <<EOF\n" + "echo never closed\n" * _count(100_000, scale))


def nested_substitutions(directory: Path, scale: float) -> None:
    depth = _count(5_000, scale)
    _dockerfile(directory, "FROM alpine:3.20\nRUN echo " + "$(" * depth + "true" + ")" * depth + "\n")


def stage_chain(directory: Path, scale: float) -> None:
    stages = "".join(f"FROM s{i - 1} AS s{i}\nRUN true\n" for i in range(1, _count(5_000, scale)))
    _dockerfile(directory, "FROM alpine:3.20 AS s0\n" + stages)


def directive_blanks(directory: Path, scale: float) -> None:
    _dockerfile(directory, "# escape=`" + " " * _count(100_000, scale) + "x\nFROM alpine:3.20\n")


def heredoc_marker_blanks(directory: Path, scale: float) -> None:
    _dockerfile(directory, "FROM alpine:3.20\nRUN cat <<" + " " * _count(100_000, scale) + "<x\n")


def extldflags_blanks(directory: Path, scale: float) -> None:
    blanks = " " * _count(100_000, scale)
    _dockerfile(directory, f"FROM golang:1.22\nRUN go build -ldflags \"-extldflags{blanks}'\n")


def entrypoint_variable(directory: Path, scale: float) -> None:
    name = "b" * _count(100_000, scale)
    _dockerfile(directory, f'FROM public.ecr.aws/lambda/provided:al2023\nENTRYPOINT ["${{a{name}"]\n')


def star_dockerignore(directory: Path, scale: float) -> None:
    (directory / ".dockerignore").write_text("a" + "*a" * 12 + "b\n")
    for index in range(_count(200, scale)):
        (directory / ("a" * 60 + str(index))).write_text("x\n")
    _dockerfile(directory, "FROM alpine:3.20\nCOPY . /app\n")


CASES = [
    Case("10 MB file", ten_megabytes),
    Case("1 MB single line", megabyte_line),
    Case("100,000 continuation lines", continuations),
    Case("100,000 RUNs", many_runs),
    Case("heredoc never ends", endless_heredoc),
    Case("$( nested 5,000 deep", nested_substitutions),
    Case("5,000-stage chain", stage_chain),
    Case("directive + 100,000 blanks", directive_blanks),
    Case("heredoc marker + 100,000 blanks", heredoc_marker_blanks),
    Case("-extldflags + 100,000 blanks", extldflags_blanks),
    Case("ENTRYPOINT ${a + 100,000 letters", entrypoint_variable),
    Case(".dockerignore a*a*...*b, 200 long names", star_dockerignore),
]


@dataclass(frozen=True)
class Result:
    seconds: float
    peak_mib: float
    exit_code: int | None  # None: killed at the timeout
    summary: str


def run_case(case: Case, scale: float, timeout: float, extra: tuple[str, ...] = ()) -> Result:
    with tempfile.TemporaryDirectory(prefix="lintslim-hostile-") as temporary:
        directory = Path(temporary)
        case.build(directory, scale)
        command = [sys.executable, "-m", "lintslim", "check", "--output-format", "concise", *extra, "Dockerfile"]
        env = {**os.environ, "NO_COLOR": "1"}
        out, err = directory / ".stdout", directory / ".stderr"
        started = time.perf_counter()
        with out.open("w") as stdout, err.open("w") as stderr:
            process = subprocess.Popen(command, cwd=directory, stdout=stdout, stderr=stderr, env=env)
            status, usage = _wait(process.pid, started + timeout)
        seconds = time.perf_counter() - started
        if status is None:
            return Result(seconds, _mib(usage), None, "killed at the timeout")
        code = os.waitstatus_to_exitcode(status)
        return Result(seconds, _mib(usage), code, _summary(code, out.read_text(), err.read_text()))


def _wait(pid: int, deadline: float) -> tuple[int | None, object]:
    """Wait for the child with wait4, which gives its own resource usage; kill it at the deadline
    (status None then)."""
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            return status, usage
        if time.perf_counter() > deadline:
            os.kill(pid, signal.SIGKILL)
            return None, os.wait4(pid, 0)[2]
        time.sleep(0.02)


def _mib(usage: object | None) -> float:
    maxrss = getattr(usage, "ru_maxrss", 0)
    return maxrss / 1024  # KiB on Linux


def _summary(code: int, stdout: str, stderr: str) -> str:
    if code == 2:
        return stderr.strip().splitlines()[0] if stderr.strip() else "exit 2"
    codes = sorted({line.split()[1] for line in stdout.splitlines() if line.count(":") >= 3 and " LS" in line})
    tail = stdout.strip().splitlines()[-1] if stdout.strip() else ""
    return f"{tail} {' '.join(codes[:8])}".strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--scale", type=float, default=1.0, help="size factor for every case (default 1)")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a case is killed")
    parser.add_argument("--only", default="", help="run only the cases whose name contains this")
    parser.add_argument(
        "--no-shellcheck", action="store_true", help="pass --ignore LS590 (ShellCheck's own time grows fast)"
    )
    args = parser.parse_args()
    extra = ("--ignore", "LS590") if args.no_shellcheck else ()
    print(f"{'case':42} {'seconds':>8} {'peak MiB':>9} {'exit':>5}  result", flush=True)
    for case in CASES:
        if args.only.lower() not in case.name.lower():
            continue
        result = run_case(case, args.scale, args.timeout, extra)
        exit_code = "-" if result.exit_code is None else str(result.exit_code)
        print(f"{case.name:42} {result.seconds:8.2f} {result.peak_mib:9.0f} {exit_code:>5}  {result.summary[:90]}")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())

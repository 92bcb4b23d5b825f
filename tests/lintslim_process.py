"""`python -m lintslim …` in a child process, as a user's shell runs it: for the tests of exit codes,
one-line errors and anything that must not hang the test run (the timeout fails it instead)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path


def run_lintslim(
    *args: str | Path,
    cwd: Path,
    stdin: bytes | None = None,
    env: Mapping[str, str] | None = None,
    drop: tuple[str, ...] = ("LINTSLIM_",),
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """Run lintslim with the environment's variables starting with `drop` removed and `env` added.

    Output is decoded without newline translation, so CRLF written by lintslim stays visible.
    """
    environment = {key: value for key, value in os.environ.items() if not key.startswith(drop)}
    environment.update(NO_COLOR="1", PYTHONIOENCODING="utf-8", **(env or {}))
    completed = subprocess.run(
        [sys.executable, "-m", "lintslim", *map(str, args)],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        env=environment,
        timeout=timeout,
        check=False,
    )
    return subprocess.CompletedProcess(
        completed.args, completed.returncode, completed.stdout.decode("utf-8"), completed.stderr.decode("utf-8")
    )

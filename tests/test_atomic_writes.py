"""A fix killed at any point of its write (issue 8): the Dockerfile is the original or the fixed file,
byte for byte, never a part of either; its mode and CRLF line endings are kept; a temporary file left
behind is never taken for a Dockerfile.

A real `lintslim check --fix` runs in a subprocess with a `sitecustomize.py` on PYTHONPATH that
wraps the calls `write_atomic` makes on its temporary file and ends the process with `os._exit(137)`
(what SIGKILL leaves: no cleanup, no `finally`) at the chosen step.
"""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from lintslim.files import _temporary_beside, discover, is_dockerfile_name

# Wraps only calls about lintslim's temporary file (its name ends `.lintslim`), so nothing else the
# run does (ShellCheck's scratch files, imports) can trip the fault.
FAULT_INJECTOR = """
import os, tempfile

STEP = os.environ.get("LINTSLIM_FAULT_STEP", "")
KILLED = 137
temporaries = set()
descriptors = set()

def die(step):
    if step == STEP:
        os._exit(KILLED)

real_mkstemp = tempfile.mkstemp
def mkstemp(*args, **kwargs):
    if kwargs.get("suffix") == ".lintslim":
        die("before-create")
    fd, name = real_mkstemp(*args, **kwargs)
    if name.endswith(".lintslim"):
        temporaries.add(name); descriptors.add(fd)
        die("created")
    return fd, name
tempfile.mkstemp = mkstemp

class HalfWriter:
    def __init__(self, file):
        self._file = file
    def write(self, data):
        if STEP == "mid-write":
            self._file.write(data[: len(data) // 2]); self._file.flush(); os._exit(KILLED)
        written = self._file.write(data)
        self._file.flush()
        die("written")
        return written
    def __getattr__(self, name):
        return getattr(self._file, name)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return self._file.__exit__(*exc)

real_fdopen = os.fdopen
def fdopen(fd, *args, **kwargs):
    file = real_fdopen(fd, *args, **kwargs)
    return HalfWriter(file) if fd in descriptors else file
os.fdopen = fdopen

real_fsync = os.fsync
def fsync(fd):
    real_fsync(fd)
    if fd in descriptors:
        die("synced")
os.fsync = fsync

real_chmod = os.chmod
def chmod(path, *args, **kwargs):
    real_chmod(path, *args, **kwargs)
    if str(path) in temporaries:
        die("chmodded")
os.chmod = chmod

real_replace = os.replace
def replace(source, target, *args, **kwargs):
    if str(source) in temporaries:
        die("before-rename")
    real_replace(source, target, *args, **kwargs)
    if str(source) in temporaries:
        die("renamed")
os.replace = replace
"""

STEPS = ["before-create", "created", "mid-write", "written", "synced", "chmodded", "before-rename", "renamed"]
ORIGINAL = b"FROM python:3.12\r\nWORKDIR /app\r\nADD app.py /app/\r\nADD lib.py /app/\r\n"
MODE = 0o640


def run_fix(path: Path, faults: Path, step: str | None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(faults), os.environ.get("PYTHONPATH")]))}
    if step is not None:
        env["LINTSLIM_FAULT_STEP"] = step
    command = [sys.executable, "-m", "lintslim", "check", "--fix", "--exit-zero", "--select", "LS503", str(path)]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=False)


@pytest.fixture(scope="module")
def faults(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("faults")
    (folder / "sitecustomize.py").write_text(FAULT_INJECTOR, encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def fixed(tmp_path_factory: pytest.TempPathFactory, faults: Path) -> bytes:
    """What `check --fix` writes when nothing goes wrong (the injector loaded, no step chosen)."""
    path = tmp_path_factory.mktemp("clean") / "Dockerfile"
    path.write_bytes(ORIGINAL)
    run = run_fix(path, faults, None)
    assert run.returncode == 0, run.stderr
    result = path.read_bytes()
    assert result == ORIGINAL.replace(b"ADD", b"COPY")
    return result


@pytest.mark.parametrize("step", STEPS)
def test_a_fix_killed_at_any_step_leaves_the_original_or_the_fixed_file(
    tmp_path: Path, faults: Path, fixed: bytes, step: str
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(ORIGINAL)
    path.chmod(MODE)

    run = run_fix(path, faults, step)

    assert run.returncode == 137, run.stderr  # the fault fired: the step was reached
    assert path.read_bytes() == (fixed if step == "renamed" else ORIGINAL)
    assert stat.S_IMODE(path.stat().st_mode) == MODE
    assert b"\n" not in path.read_bytes().replace(b"\r\n", b"")  # CRLF kept, no bare LF
    leftovers = [p.name for p in tmp_path.iterdir() if p.name != "Dockerfile"]
    assert len(leftovers) <= 1 and all(name.startswith(".Dockerfile.") for name in leftovers)
    assert list(discover(tmp_path)) == [path]  # a leftover temporary file is never linted


def test_a_rerun_after_a_kill_fixes_the_file_and_leaves_the_leftover_alone(
    tmp_path: Path, faults: Path, fixed: bytes
) -> None:
    path = tmp_path / "Dockerfile"
    path.write_bytes(ORIGINAL)
    assert run_fix(path, faults, "synced").returncode == 137
    [leftover] = [p for p in tmp_path.iterdir() if p != path]
    assert leftover.read_bytes() == fixed  # the whole new text, never renamed

    assert run_fix(path, faults, None).returncode == 0
    assert path.read_bytes() == fixed
    assert leftover.exists()  # it may be another run's, still writing: not ours to delete


@pytest.mark.parametrize(
    "name",
    ["Dockerfile", "Dockerfile.dev", "Dockerfile-alpine", "api.Dockerfile", "x.dockerfile", "Containerfile", "odd"],
)
def test_temporary_files_are_never_named_like_dockerfiles(tmp_path: Path, name: str) -> None:
    target = tmp_path / name
    target.write_text("FROM a\n", encoding="utf-8")
    for _ in range(20):  # random names: a few draws of them
        handle, temporary = _temporary_beside(target)
        os.close(handle)
        assert not is_dockerfile_name(Path(temporary).name), temporary
    assert [p.name for p in discover(tmp_path)] == ([name] if is_dockerfile_name(name) else [])

"""Hostile input: files that are not what they claim to be, planted where lintslim reads.

A FIFO named `.dockerignore`, `template.yaml` or `.gitignore` would block a plain `open()` forever,
hanging a CI job until its timeout.  Every read goes through `files.read_regular`, which opens without
blocking and refuses anything but a regular file.  The commands run in a subprocess with a timeout,
so a regression fails the test instead of hanging the suite.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from lintslim_process import run_lintslim

from lintslim.files import NotRegularFileError, read_regular

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs POSIX FIFOs")

DOCKERFILE = "FROM alpine:3.20\nCOPY . /app\nUSER 65532\n"


run = run_lintslim  # its timeout fails a test whose read blocks, instead of hanging it


def test_read_regular_refuses_a_fifo_without_blocking(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(NotRegularFileError):
        read_regular(fifo, 1024)


def test_read_regular_reads_one_byte_past_the_limit(tmp_path: Path) -> None:
    file = tmp_path / "big"
    file.write_bytes(b"x" * 100)
    assert read_regular(file, 10) == b"x" * 11  # the caller sees the file is over its limit
    assert read_regular(file, 100) == b"x" * 100


def test_fifo_named_dockerfile_is_an_input_error(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "Dockerfile")
    result = run("check", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "lintslim: error: Dockerfile: not a regular file"


@pytest.mark.parametrize("name", [".dockerignore", "template.yaml"])  # a SAM template as a FIFO: no template
def test_a_fifo_context_file_is_not_waited_on(tmp_path: Path, name: str) -> None:
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    os.mkfifo(tmp_path / name)
    result = run("check", "--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr


def test_audit_skips_a_fifo_gitignore(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "Dockerfile").write_text(DOCKERFILE)
    os.mkfifo(tmp_path / ".gitignore")
    os.mkfifo(tmp_path / ".dockerignore")
    result = run("audit", "--no-progress", "--output-format", "jsonl", ".", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert all('"error"' not in line for line in result.stdout.splitlines())  # the Dockerfile was checked


def test_a_long_chain_of_stages_is_checked_without_a_rule_crash(tmp_path: Path) -> None:
    """Each stage builds on the one before: deeper than Python's recursion limit (scopes, ENV names
    and the SHELL in force were computed recursively along the chain, and LS101 crashed)."""
    stages = [
        "FROM alpine:3.20 AS s0\n",
        *(f"FROM s{i - 1} AS s{i}\nENV V{i}=$V{i - 1}\nRUN true\n" for i in range(1, 1500)),
    ]
    (tmp_path / "Dockerfile").write_text("".join(stages))
    result = run("check", "--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    assert "internal error" not in result.stderr


# --- expressions that backtracked on long near misses (see tests/test_regex_safety.py) ---------------


def test_directive_value_after_long_blank_runs_is_found_exactly() -> None:
    from lintslim.syntax.parser import parse

    blanks = " \t" * 5_000
    dockerfile = parse(f"# escape={blanks}`{blanks}\nFROM alpine:3.20\n")
    assert [(d.name, d.value) for d in dockerfile.directives] == [("escape", "`")]
    assert [d.value for d in parse("# syntax= \nFROM alpine:3.20\n").directives] == [" "]  # blanks only: as before


def test_heredoc_marker_after_long_blank_run() -> None:
    from lintslim.syntax.parser import parse

    dockerfile = parse("FROM alpine:3.20\nRUN cat <<" + " " * 5_000 + "<x\n")
    assert dockerfile.instructions[-1].heredocs == ()  # `<` in the word: no heredoc, as BuildKit reads it


def test_credential_assignment_lines_take_the_value_on_their_own_line() -> None:
    from lintslim.context.credentials import holds_credential

    assert holds_credential("npm credentials", "//registry.npmjs.org/:_authToken=abc123\n")
    assert not holds_credential("npm credentials", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n")
    assert not holds_credential("PyPI credentials", "password:\n\nusername = me\n")  # `\s` ran into the next line
    assert not holds_credential("PyPI credentials", "password" + " " * 20_000 + "\n")


# --- size bounds (the timings are in benchmarks/hostile.py) ---------------------------------------------


def test_heredoc_that_never_ends_is_one_ls900_finding(tmp_path: Path) -> None:
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\nRUN <<EOF\n" + "echo never closed\n" * 2_000)
    result = run("check", "--select", "LS900", "--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    findings = [line for line in result.stdout.splitlines() if " LS900 " in line]
    assert len(findings) == 1
    assert findings[0] == "Dockerfile:2:5: LS900 Unterminated heredoc"  # one line, where the heredoc starts


def test_file_over_the_size_limit_is_a_one_line_error(tmp_path: Path) -> None:
    from lintslim.files import MAX_DOCKERFILE_BYTES

    line = "RUN echo " + "x" * 90 + "\n"
    (tmp_path / "Dockerfile").write_text("FROM alpine:3.20\n" + line * (MAX_DOCKERFILE_BYTES // len(line) + 1))
    result = run("check", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.strip().startswith("lintslim: error: Dockerfile: file too large (")
    assert len(result.stderr.strip().splitlines()) == 1


def test_deeply_nested_command_substitution_gives_findings_not_a_recursion_error(tmp_path: Path) -> None:
    depth = 5_000
    (tmp_path / "Dockerfile").write_text(
        "FROM alpine:3.20\nRUN apk add curl && echo " + "$(" * depth + "true" + ")" * depth + "\n"
    )
    result = run("check", "--ignore", "LS590", "--output-format", "concise", "Dockerfile", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    assert "LS533" in result.stdout  # `apk add` without --no-cache: the RUN was read past the nesting
    assert "internal error" not in result.stderr and "RecursionError" not in result.stderr

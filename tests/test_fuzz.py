"""Fuzzing: generated and mutated Dockerfiles give findings (or LS900), never an exception.

Two sources of input, both through the whole pipeline (parse, every rule including the opt-in ones,
then the fix loop with unsafe fixes):

- a grammar of Dockerfiles: instructions in any case, flags, JSON and shell forms, heredocs (closed
  or not), continuation lines with comments and blank lines inside, parser directives, odd
  whitespace, CRLF line ends and a BOM;
- real files of `../shared/corpus` with bytes flipped, cut short, or lines duplicated.

The suite runs a fast profile.  The longer one runs before an issue is resolved:
`LINTSLIM_FUZZ=long pytest tests/test_fuzz.py` (see `PROFILES`).  The per-example deadline is a hang
detector, not a speed target: a typical example takes a few milliseconds.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest

hypothesis = pytest.importorskip("hypothesis", reason="the fuzz tests need hypothesis (the test extra)")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from lintslim.config import Settings  # noqa: E402
from lintslim.engine.registry import default_registry  # noqa: E402
from lintslim.files import InputError, decode  # noqa: E402
from lintslim.runner import FixMode, check_text  # noqa: E402
from lintslim.syntax.parser import parse  # noqa: E402

PROFILES = {"fast": 150, "long": 5000}
PROFILE = os.environ.get("LINTSLIM_FUZZ", "fast")
for _name, _examples in PROFILES.items():
    settings.register_profile(
        _name,
        max_examples=_examples,
        deadline=timedelta(seconds=10),
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
        derandomize=_name == "fast",  # the suite is repeatable; the long run explores
        print_blob=True,
    )
settings.load_profile(PROFILE)

REGISTRY = default_registry()
EVERY_RULE = Settings(select=tuple(rule.code for rule in REGISTRY.rules))  # opt-in rules too
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

# --- the grammar ------------------------------------------------------------------------------------

KEYWORDS = [
    "FROM", "RUN", "CMD", "ENTRYPOINT", "COPY", "ADD", "ENV", "ARG", "LABEL", "EXPOSE", "USER", "WORKDIR",
    "VOLUME", "SHELL", "HEALTHCHECK", "ONBUILD", "STOPSIGNAL", "MAINTAINER", "BOGUS",
]  # fmt: skip
FLAGS = [
    "--from=build", "--from=0", "--chown=1000:1000", "--chmod=755", "--link", "--platform=$BUILDPLATFORM",
    "--platform=linux/amd64", "--mount=type=cache,target=/root/.cache/pip", "--mount=type=secret,id=npm",
    "--mount=type=bind,from=build,source=/out,target=/in", "--network=none", "--security=insecure",
    "--interval=30s", "--exclude=*.md", "--parents", "--keep-git-dir", "--checksum=sha256:00", "--",
]  # fmt: skip
WORDS = [
    "alpine:3.20", "python:3.12-slim", "golang:1.22 AS build", "scratch", "${IMAGE:-debian}", "$BASE", "build",
    "apt-get install -y curl", "apt-get update", "pip install flask", "npm ci", "apk add --no-cache git",
    "rm -rf /var/lib/apt/lists/*", "cd /app", "make", "go build -o /out/app .", "echo $HOME", "set -o pipefail",
    "curl -fsSL https://example.com | sh", "wget -q http://x", "sudo make install", "/app", ".", "app.py",
    "requirements.txt", "./", "/usr/local/bin/", '["python", "app.py"]', '["sh", "-c", "echo hi"]', "[", '["',
    "KEY=value", 'KEY="a b"', "KEY value", "PATH=$PATH:/x", "80/tcp", "8080:80", "root", "1000:1000",
    "AWS_SECRET_ACCESS_KEY=AKIAIOSFODNN7EXAMPLE", "ghp_" + "a" * 36, "&&", "||", "|", ";", "\\", "`", "$(",
    ")", "${", "}", "'", '"', "#", "<<EOF", "<<-EOT", '<<"END"', "NONE", "CMD true", "--", "é", "\t", "\u00a0",
]  # fmt: skip
DIRECTIVES = ["# syntax=docker/dockerfile:1", "# escape=`", "# escape=\\", "# check=skip=all", "# check=error=true"]


@st.composite
def instruction(draw: st.DrawFn) -> str:
    keyword = draw(st.sampled_from(KEYWORDS))
    keyword = draw(st.sampled_from([keyword, keyword.lower(), keyword.capitalize()]))
    parts = [keyword, *draw(st.lists(st.sampled_from(FLAGS), max_size=2))]
    parts += draw(st.lists(st.sampled_from(WORDS), max_size=6))
    separator = draw(st.sampled_from([" ", "  ", "\t", " \\\n  ", " \\\n# inside\n  ", " \\\n\n  "]))
    line = separator.join(parts)
    if draw(st.booleans()) and keyword.upper() in ("RUN", "COPY"):
        body = draw(st.lists(st.sampled_from(WORDS), max_size=4))
        terminator = draw(st.sampled_from(["EOF\n", "", "  EOF\n", "EOT\n"]))  # closed, never closed, indented
        line = f"{line} <<EOF\n{' '.join(body)}\n{terminator}"
    return line


@st.composite
def dockerfile(draw: st.DrawFn) -> str:
    lines = draw(st.lists(st.sampled_from(DIRECTIVES), max_size=2))
    lines += draw(st.lists(st.one_of(instruction(), st.just("# a comment"), st.just(""), st.just("   ")), max_size=12))
    text = "\n".join(lines) + draw(st.sampled_from(["\n", "", "\n\n", "\\\n"]))
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        text = "\ufeff" + text
    return text


def assert_checked(text: str) -> None:
    """The whole pipeline on `text`: a report with findings, never an exception or a rule crash."""
    report = check_text(text, "Dockerfile", EVERY_RULE, REGISTRY, FixMode(apply=True, unsafe=True, new_files=False))
    assert report.error is None, report.error
    parse(report.text)  # the fixed text parses again (BuildKit's acceptance is checked on the corpus)


@given(dockerfile())
def test_generated_dockerfiles_never_raise(text: str) -> None:
    assert_checked(text)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=300))
def test_arbitrary_text_never_raises(text: str) -> None:
    assert_checked(text)


# --- mutations of real files ----------------------------------------------------------------------------


def corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    files = sorted(path for path in CORPUS.rglob("*") if path.is_file() and not path.name.startswith("MANIFEST"))
    return files[:: max(1, len(files) // 400)]  # an even sample: reading 3,388 files per example is not the point


SAMPLE = corpus_files()
needs_corpus = pytest.mark.skipif(not SAMPLE, reason=f"the corpus is not at {CORPUS}")


@st.composite
def mutated(draw: st.DrawFn) -> bytes:
    raw = bytearray(draw(st.sampled_from(SAMPLE)).read_bytes())
    kind = draw(st.sampled_from(["flip", "truncate", "duplicate", "all"]))
    if kind in ("flip", "all") and raw:
        for _ in range(draw(st.integers(1, 8))):
            position = draw(st.integers(0, len(raw) - 1))
            raw[position] ^= 1 << draw(st.integers(0, 7))
    if kind in ("truncate", "all") and raw:
        raw = raw[: draw(st.integers(0, len(raw)))]
    if kind in ("duplicate", "all"):
        lines = bytes(raw).splitlines(keepends=True)
        if lines:
            index = draw(st.integers(0, len(lines) - 1))
            lines[index:index] = [lines[index]] * draw(st.integers(1, 3))
        raw = bytearray(b"".join(lines))
    return bytes(raw)


@needs_corpus
@settings(suppress_health_check=list(HealthCheck))
@given(mutated())
def test_mutated_corpus_files_never_raise(raw: bytes) -> None:
    try:
        text = decode(raw, "Dockerfile")
    except InputError as error:  # not UTF-8, binary, empty: the one-line error, exit 2
        assert str(error).startswith("Dockerfile: ")
        return
    assert_checked(text)

"""Conformance of `lintslim.syntax.parser` with BuildKit's own Dockerfile parser.

Three sources of truth, all beside the checkout in `../shared` (the tests skip when it is absent):

* `buildkit-parser-testfiles/`: BuildKit's parser conformance cases (moby/buildkit
  `frontend/dockerfile/parser/testfiles`, commit in `SOURCE.txt`).  Each folder with a `result` file must
  dump (`tests/buildkit_dump.py`, BuildKit's `Node.Dump()`) to exactly that file; each `_negative/` input
  must be rejected with an error of phase "parse"; `_testfile-line/` must give BuildKit's line numbers.
* The PyPI package `dockerfile`, which wraps BuildKit's Go parser: the oracle for line numbers and for
  the whole corpus `corpus/MANIFEST.tsv` (keywords, start/end lines, flags, values, exec form, heredocs,
  and whether the file is rejected at all).
* For comparison only, `dockerfile-parse` (the library first proposed for lintslim): how often it agrees
  with BuildKit on keywords and lines.  That figure is printed and never fails the test.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

if importlib.util.find_spec("lintslim") is None:  # pragma: no cover - depends on how pytest is run
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from buildkit_dump import dump

from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.parser import parse

try:
    from dockerfile_parse import DockerfileParser  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - an optional peer, only compared against
    DockerfileParser = None

SHARED = Path(__file__).resolve().parents[2] / "shared"
TESTFILES = SHARED / "buildkit-parser-testfiles"
CORPUS = SHARED / "corpus"
MANIFEST = CORPUS / "MANIFEST.tsv"
MAX_LISTED = 20

if not TESTFILES.is_dir():
    pytest.skip(
        f"BuildKit parser conformance files not found at {TESTFILES} (../shared is absent)",
        allow_module_level=True,
    )


def _oracle() -> ModuleType:
    """The `dockerfile` package (BuildKit's Go parser), or skip the test."""
    module: ModuleType = pytest.importorskip(
        "dockerfile", reason="the `dockerfile` package (BuildKit's parser, the oracle) is not installed"
    )
    return module


def _result_cases() -> list[Path]:
    return sorted(path for path in TESTFILES.iterdir() if (path / "result").is_file())


def _negative_cases() -> list[Path]:
    """`_negative/` holds plain files and folders with a `Dockerfile`; return the Dockerfiles."""
    cases: list[Path] = []
    for path in sorted((TESTFILES / "_negative").iterdir()):
        if path.is_dir():
            cases.append(path / "Dockerfile")
        elif path.is_file():
            cases.append(path)
    return cases


def _read(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def _parse_errors(dockerfile: Dockerfile) -> list[str]:
    return [f"{error.message} (line {error.line})" for error in dockerfile.errors if error.phase == "parse"]


# --- BuildKit's conformance folders -------------------------------------------------------------


def test_conformance_folders_are_found() -> None:
    assert len(_result_cases()) >= 30
    assert len(_negative_cases()) >= 4


@pytest.mark.parametrize("case", _result_cases(), ids=lambda path: path.name)
def test_buildkit_testfile(case: Path) -> None:
    dockerfile = parse(_read(case / "Dockerfile"), str(case / "Dockerfile"))
    assert dump(dockerfile) == _read(case / "result")
    assert _parse_errors(dockerfile) == []


@pytest.mark.parametrize(
    "case", _negative_cases(), ids=lambda path: path.parent.name if path.name == "Dockerfile" else path.name
)
def test_buildkit_negative(case: Path) -> None:
    dockerfile = parse(_read(case), str(case))
    assert _parse_errors(dockerfile), f"BuildKit rejects {case}, lintslim reports no parse error"


def test_buildkit_negatives_are_rejected_by_the_oracle() -> None:
    """The oracle agrees that the negative cases are invalid (keeps the corpus comparison honest)."""
    oracle = _oracle()
    for case in _negative_cases():
        with pytest.raises(oracle.GoParseError):
            oracle.parse_string(_read(case))


def test_testfile_line_numbers() -> None:
    oracle = _oracle()
    text = _read(TESTFILES / "_testfile-line" / "Dockerfile")
    expected = [(_keyword(command), command.start_line, command.end_line) for command in oracle.parse_string(text)]
    got = [(i.keyword, i.start_line, i.end_line) for i in parse(text).instructions]
    assert got == expected
    # BuildKit's parser_test.go TestLineInformation: continuations over blank lines and comments count.
    assert got == [("FROM", 5, 5), ("ENV", 11, 12), ("RUN", 17, 31)]


# --- the corpus against BuildKit -----------------------------------------------------------------


def _keyword(command: Any) -> str:
    """The oracle's keyword, upper-cased as ours (`cmd` is None for a line BuildKit reads as empty)."""
    return str(command.cmd or "").upper()


def _pairs(instruction: Instruction) -> tuple[str, ...]:
    return tuple(
        text
        for pair in instruction.key_values
        for text in (pair.key.value, pair.value.value if pair.value is not None else "")
    )


def _values(instruction: Instruction) -> tuple[str, ...]:
    """Our arguments the way the oracle lists them (for ONBUILD, those of the wrapped instruction)."""
    target = instruction.effective
    if target is not instruction and target.keyword == "ONBUILD":
        # `ONBUILD ONBUILD x`: the wrapper lists the value of the inner ONBUILD's child-holder node.
        return ("",) if target.inner is not None else ()
    if not target.is_known:
        return ("",)  # BuildKit's parseIgnore yields one empty node
    if target.keyword in {"ENV", "LABEL"}:
        return _pairs(target)  # the oracle drops the `=` / "" separators of the dump
    return target.values


def _disagreements(dockerfile: Dockerfile, commands: Sequence[Any] | None, rejection: str = "") -> list[str]:
    """How our parse differs from the oracle's commands (None: the oracle rejected the file)."""
    errors = _parse_errors(dockerfile)
    if commands is None:
        return [] if errors else [f"BuildKit rejects it ({rejection}), lintslim reports no parse error"]
    problems = [f"lintslim reports a parse error BuildKit does not: {error}" for error in errors]
    ours = dockerfile.instructions
    if len(ours) != len(commands):
        problems.append(f"{len(ours)} instructions, BuildKit has {len(commands)}")
    for instruction, command in zip(ours, commands, strict=False):
        where = f"line {command.start_line} {_keyword(command)}"
        checks = [
            ("keyword", instruction.keyword, _keyword(command)),
            ("lines", (instruction.start_line, instruction.end_line), (command.start_line, command.end_line)),
            ("flags", tuple(flag.text for flag in instruction.flags), tuple(command.flags)),
            ("values", _values(instruction), tuple(command.value)),
            ("exec form", instruction.effective.is_json, command.json),
        ]
        # For ONBUILD the wrapper reports the heredocs of the wrapped node, which BuildKit leaves empty.
        if instruction.keyword != "ONBUILD":
            checks.append(
                (
                    "heredocs",
                    tuple((h.name, h.content) for h in instruction.heredocs),
                    tuple((h.name, h.content) for h in command.heredocs),
                )
            )
        problems += [f"{where}: {what} {got!r} != BuildKit {want!r}" for what, got, want in checks if got != want]
    return problems


def test_disagreements_are_detected() -> None:
    """The comparison itself: a fabricated BuildKit answer that differs is reported."""
    oracle = _oracle()
    text = "FROM alpine AS build\nENV A=1 B=2\n"
    commands = oracle.parse_string(text)
    dockerfile = parse(text)
    assert _disagreements(dockerfile, commands) == []
    changed = (commands[0], commands[1]._replace(value=("A", "1", "B", "3"), end_line=3))
    assert _disagreements(dockerfile, changed) == [
        "line 2 ENV: lines (2, 2) != BuildKit (2, 3)",
        "line 2 ENV: values ('A', '1', 'B', '2') != BuildKit ('A', '1', 'B', '3')",
    ]
    assert _disagreements(dockerfile, None, "boom") == ["BuildKit rejects it (boom), lintslim reports no parse error"]
    with pytest.raises(oracle.GoParseError):
        oracle.parse_string("CMD [1]\n")
    problems = _disagreements(parse("CMD [1]\n"), oracle.parse_string('CMD ["1"]\n'))
    assert problems[0].startswith("lintslim reports a parse error BuildKit does not: when using JSON array syntax")


@dataclass(frozen=True)
class _CorpusFile:
    path: str
    repo: str
    raw: bytes


def _corpus() -> Iterator[_CorpusFile]:
    with MANIFEST.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle, delimiter="\t"):
            yield _CorpusFile(row["corpus_path"], row["repo"], (CORPUS / row["corpus_path"]).read_bytes())


def _dockerfile_parse_lines(raw: bytes) -> list[tuple[str, int, int]] | None:
    """Keywords and 1-based lines as `dockerfile-parse` reads them; None when it fails."""
    try:
        structure = DockerfileParser(fileobj=io.BytesIO(raw)).structure
    except Exception:  # any failure is a disagreement, nothing more
        return None
    return [
        (item["instruction"], item["startline"] + 1, item["endline"] + 1)
        for item in structure
        if item["instruction"] != "COMMENT"
    ]


def _rate(agree: int, total: int) -> str:
    return f"{100 * agree / total:.2f}%" if total else "n/a"


def _by_repository(results: dict[str, list[bool]]) -> str:
    """The mean of per-repository agreement rates (a few repositories hold most of the corpus)."""
    rates = [sum(values) / len(values) for values in results.values() if values]
    return f"{100 * sum(rates) / len(rates):.2f}%" if rates else "n/a"


def _report(request: pytest.FixtureRequest, record_property: Callable[[str, object], None], lines: list[str]) -> None:
    """Print the figures (`pytest -s`), record them as properties and add them to the terminal summary."""
    for number, line in enumerate(lines):
        print(line)
        record_property(f"corpus_summary_{number}", line)

    class _Summary:
        @staticmethod
        def pytest_terminal_summary(terminalreporter: Any) -> None:
            terminalreporter.write_sep("-", "parser conformance")
            for line in lines:
                terminalreporter.write_line(line)

    manager = request.config.pluginmanager
    if not manager.has_plugin("lintslim-corpus-summary"):
        manager.register(_Summary(), "lintslim-corpus-summary")


def test_corpus_agrees_with_buildkit(
    request: pytest.FixtureRequest, record_property: Callable[[str, object], None]
) -> None:
    oracle = _oracle()
    if not MANIFEST.is_file():
        pytest.skip(f"corpus manifest not found at {MANIFEST}")
    have_dockerfile_parse = DockerfileParser is not None

    disagreements: list[str] = []
    accepted = agree = both_rejected = only_buildkit_rejects = total = 0
    ours_by_repo: dict[str, list[bool]] = defaultdict(list)
    peer_agree = 0
    peer_by_repo: dict[str, list[bool]] = defaultdict(list)
    for item in _corpus():
        total += 1
        text = item.raw.decode("utf-8")
        ours = parse(text, item.path)
        try:
            commands: tuple[Any, ...] | None = oracle.parse_string(text)
            rejection = ""
        except oracle.GoParseError as error:
            commands, rejection = None, str(error)
        problems = _disagreements(ours, commands, rejection)
        disagreements += [f"{item.path}: {problem}" for problem in problems]
        if commands is None:
            if problems:
                only_buildkit_rejects += 1
            else:
                both_rejected += 1
            continue
        accepted += 1
        agree += not problems
        ours_by_repo[item.repo].append(not problems)
        if have_dockerfile_parse:
            expected = [(_keyword(command), command.start_line, command.end_line) for command in commands]
            same = _dockerfile_parse_lines(item.raw) == expected
            peer_agree += same
            peer_by_repo[item.repo].append(same)

    assert total > 3000, f"the corpus manifest lists only {total} files"
    summary = f"corpus: {agree}/{accepted} files agree ({_rate(agree, accepted)}), "
    summary += f"{both_rejected} rejected by BuildKit and by lintslim"
    if only_buildkit_rejects:
        summary += f", {only_buildkit_rejects} rejected by BuildKit only"
    summary += f"; per repository {_by_repository(ours_by_repo)}"
    lines = [summary]
    if have_dockerfile_parse:
        lines.append(
            f"dockerfile-parse: {peer_agree}/{accepted} files agree with BuildKit on instruction keywords and lines "
            f"({_rate(peer_agree, accepted)}; per repository {_by_repository(peer_by_repo)})"
        )
    else:
        lines.append("dockerfile-parse: not installed, no comparison")
    _report(request, record_property, lines)

    listed = "\n".join(disagreements[:MAX_LISTED])
    assert not disagreements, f"{len(disagreements)} disagreements with BuildKit (first {MAX_LISTED}):\n{listed}"

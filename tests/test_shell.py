"""The shell command splitter: commands, words and their exact source spans."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintslim.syntax.parser import parse
from lintslim.syntax.shell import Command, shell_commands, shell_words_in_force, split_commands
from lintslim.syntax.source import Span

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def _commands(text: str, line: int | None = None) -> list[Command]:
    dockerfile = parse(text)
    found: list[Command] = []
    for instruction in dockerfile.instructions:
        if line is None or instruction.start_line == line:
            found.extend(shell_commands(dockerfile, instruction))
    return found


def _plain(text: str) -> list[tuple[str | None, tuple[str, ...]]]:
    return [(command.name, command.args) for command in split_commands(text, Span)]


def test_control_operators_split_commands() -> None:
    assert _plain("a 1 && b 2 || c; d | e & f") == [
        ("a", ("1",)), ("b", ("2",)), ("c", ()), ("d", ()), ("e", ()), ("f", ()),
    ]  # fmt: skip
    assert [command.operator for command in split_commands("a && b || c; d | e", Span)] == ["", "&&", "||", ";", "|"]


def test_quotes_and_escapes_are_removed_from_values() -> None:
    assert _plain("""echo 'a b' "c \\"d\\"" e\\ f $'g'""") == [("echo", ("a b", 'c "d"', "e f", "g"))]


def test_substitutions_stay_inside_their_word() -> None:
    assert _plain('pip install "$(cat reqs.txt | head -1)" ${EXTRA:-x y}') == [
        ("pip", ("install", "$(cat reqs.txt | head -1)", "${EXTRA:-x y}"))
    ]


def test_assignments_and_wrappers() -> None:
    (command,) = split_commands("CGO_ENABLED=0 sudo -u app env -i GOOS=linux /usr/local/go/bin/go build .", Span)
    assert command.assignments == {"CGO_ENABLED": "0", "GOOS": "linux"}
    assert command.name == "go"
    assert command.args == ("build", ".")


def test_reserved_words_and_comments_are_skipped() -> None:
    text = "if [ -f go.mod ]; then go mod download; else echo none; fi # trailing\nwhile true; do sleep 1; done"
    assert [name for name, _ in _plain(text)] == ["[", "go", "echo", "true", "sleep"]


def test_redirections_are_not_arguments() -> None:
    (command,) = split_commands("make all >/dev/null 2>&1 </tmp/in", Span)
    assert command.args == ("all",)
    assert [redirect.operator for redirect in command.redirects] == [">", "2>&1", "<"]
    assert command.redirects[0].target is not None and command.redirects[0].target.value == "/dev/null"


def test_heredoc_inside_a_script_is_data() -> None:
    script = "cat <<'X' > /etc/app.conf\nrm -rf /\nX\necho done\n"
    assert [name for name, _ in _plain(script)] == ["cat", "echo"]


def test_continuations_and_comment_lines_map_back_to_the_source() -> None:
    text = "FROM alpine\nRUN apk add \\\n# the compiler\n    gcc \\\n    make && echo ok\n"
    commands = _commands(text, 2)
    assert [command.name for command in commands] == ["apk", "echo"]
    for command in commands:
        for word in command.argv:
            assert text[word.span.start : word.span.end] == word.raw
    assert text[commands[0].argv[-1].span.start : commands[0].argv[-1].span.end] == "make"


def test_heredoc_script_commands_and_spans() -> None:
    text = "FROM alpine\nRUN <<EOF\nset -e\napk add gcc\nEOF\nRUN python3 <<EOF\nprint('not shell')\nEOF\n"
    commands = _commands(text)
    assert [command.name for command in commands] == [None, "set", "apk", "python3"]
    apk = commands[2]
    assert apk.in_heredoc and text[apk.span.start : apk.span.end] == "apk add gcc"


def test_shell_fed_heredoc_and_non_shell_shebang() -> None:
    fed = "FROM alpine\nRUN bash -e <<EOF\nmake install\nEOF\n"
    assert [command.name for command in _commands(fed)][-1] == "make"
    python = "FROM alpine\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n"
    assert [command.name for command in _commands(python)] == [None]


def test_exec_form() -> None:
    text = 'FROM alpine\nRUN ["sh", "-c", "npm ci && npm run build"]\nRUN ["make", "all"]\n'
    commands = _commands(text)
    assert [(command.name, command.args) for command in commands] == [
        ("npm", ("ci",)), ("npm", ("run", "build")), ("make", ("all",)),
    ]  # fmt: skip
    assert text[commands[1].span.start : commands[1].span.end] == "npm run build"


def test_non_posix_shell_is_not_read() -> None:
    text = 'FROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN Get-ChildItem; dir\n'
    assert _commands(text, 3) == []
    bash = 'FROM debian\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\nFROM 0 AS next\nRUN curl x | sh\n'
    assert [command.name for command in _commands(bash, 4)] == ["curl", "sh"]


SHELLS_BY_PRAGMA = """\
# hadolint shell=pwsh
FROM mcr.microsoft.com/powershell AS tools
RUN Get-ChildItem
SHELL ["/bin/bash", "-c"]
RUN ls
FROM tools AS child
RUN ls
FROM debian AS other
RUN ls
# lintslim: shell=/bin/zsh
RUN ls
FROM debian AS last
RUN ls
"""


def test_shell_pragmas_and_shell_instructions_in_force() -> None:
    dockerfile = parse(SHELLS_BY_PRAGMA)
    by_line = {
        dockerfile.lines.position(instruction.span.start).line: shell_words_in_force(dockerfile, instruction)
        for instruction in dockerfile.instructions
        if instruction.keyword == "RUN"
    }
    assert by_line == {
        3: ("pwsh",),  # the pragma above the first FROM is every stage's default
        5: ("/bin/bash", "-c"),  # a SHELL instruction overrides it
        7: ("/bin/bash", "-c"),  # inherited through FROM <stage>
        9: ("pwsh",),
        11: ("/bin/zsh",),  # a pragma inside a stage: from its instruction on
        13: ("pwsh",),
    }
    assert _commands(SHELLS_BY_PRAGMA, 3) == []  # PowerShell is not read as POSIX shell
    assert [command.name for command in _commands(SHELLS_BY_PRAGMA, 11)] == ["ls"]


def test_shell_pragma_above_a_later_from_is_that_stage_s() -> None:
    text = "FROM debian\nRUN ls\n# hadolint shell=powershell\nFROM mcr.microsoft.com/windows/servercore\nRUN dir\n"
    dockerfile = parse(text)
    runs = [instruction for instruction in dockerfile.instructions if instruction.keyword == "RUN"]
    assert [shell_words_in_force(dockerfile, run) for run in runs] == [None, ("powershell",)]


def _corpus_files() -> list[Path]:
    if not CORPUS.is_dir():
        return []
    return sorted(path for path in CORPUS.rglob("*") if path.is_file() and path.name != "MANIFEST.tsv")


@pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is absent: the corpus check needs it")
def test_corpus_words_map_to_their_source_text() -> None:
    """On every real RUN in the corpus, each shell-form word's span holds its raw text."""
    checked = 0
    for path in _corpus_files():
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        dockerfile = parse(text)
        for instruction in dockerfile.instructions:
            if instruction.effective.is_json:
                continue
            for command in shell_commands(dockerfile, instruction):
                for word in command.words:
                    source = text[word.span.start : word.span.end]
                    if "\n" in source:  # a word continued over lines: its ends still match
                        assert (source[0], source[-1]) == (word.raw[0], word.raw[-1]), (path, word)
                    else:
                        assert source == word.raw, (path, word)
                    checked += 1
    assert checked > 100_000


def test_healthcheck_command() -> None:
    text = "FROM alpine\nHEALTHCHECK --interval=5s CMD curl -f http://localhost/ \\\n  || exit 1\nHEALTHCHECK NONE\n"
    commands = _commands(text)
    assert [(command.name, command.args) for command in commands] == [
        ("curl", ("-f", "http://localhost/")), ("exit", ("1",)),
    ]  # fmt: skip
    assert text[commands[0].span.start : commands[0].span.end] == "curl -f http://localhost/"
    exec_form = 'FROM alpine\nHEALTHCHECK CMD ["wget", "-q", "--spider", "http://localhost/"]\n'
    assert [command.name for command in _commands(exec_form)] == ["wget"]


def test_subshell_nesting_between_commands() -> None:
    commands = split_commands("(cd /tmp && make) && go build; f() { x; }; ( (a) ); b", Span)
    nesting = [(command.name, command.leaves, command.enters) for command in commands]
    assert nesting == [("cd", 0, 1), ("make", 0, 0), ("go", 1, 0), ("f", 0, 0), ("x", 0, 0), ("a", 0, 2), ("b", 2, 0)]


def test_case_patterns_and_heredoc_data_are_not_subshells() -> None:
    script = "case $1 in a) cd /x ;; esac\ncat <<X > f\n(not a subshell\nX\nmake\n"
    assert [(command.name, command.leaves, command.enters) for command in split_commands(script, Span)] == [
        ("case", 0, 0), ("cd", 0, 0), ("esac", 0, 0), ("cat", 0, 0), ("make", 0, 0),
    ]  # fmt: skip

"""Unit tests of the lossless model built by `lintslim.syntax.parser`: every span is checked by slicing the source."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("lintslim") is None:  # pragma: no cover - depends on how pytest is run
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lintslim.syntax.nodes import Dockerfile, Heredoc, Instruction, LineKind
from lintslim.syntax.parser import parse
from lintslim.syntax.source import LineIndex, Span

TESTFILES = Path(__file__).resolve().parents[2] / "shared" / "buildkit-parser-testfiles"


def cut(text: str, span: Span | None) -> str:
    assert span is not None
    return text[span.start : span.end]


def only(dockerfile: Dockerfile, keyword: str) -> Instruction:
    found = [i for i in dockerfile.instructions if i.keyword == keyword]
    assert len(found) == 1, f"expected one {keyword}, found {len(found)}"
    return found[0]


def kinds(dockerfile: Dockerfile) -> list[str]:
    return [kind.value for kind in dockerfile.line_kinds]


def errors(dockerfile: Dockerfile) -> list[tuple[str, str, int]]:
    return [(error.phase, error.message, error.line) for error in dockerfile.errors]


# --- keywords, flags, arguments ----------------------------------------------------------------


def test_keyword_is_upper_case_and_its_span_keeps_the_source_spelling() -> None:
    text = "from alpine:3.20 AS Build\n  run echo hi\n"
    dockerfile = parse(text)
    first, second = dockerfile.instructions
    assert (first.keyword, cut(text, first.keyword_span)) == ("FROM", "from")
    assert (second.keyword, cut(text, second.keyword_span)) == ("RUN", "run")
    assert cut(text, second.span) == "run echo hi"
    assert [(i.start_line, i.end_line, i.index) for i in dockerfile.instructions] == [(1, 1, 0), (2, 2, 1)]
    assert [(a.value, cut(text, a.span)) for a in first.args] == [
        ("alpine:3.20", "alpine:3.20"),
        ("AS", "AS"),
        ("Build", "Build"),
    ]
    assert errors(dockerfile) == []


def test_flags_name_value_and_spans() -> None:
    text = "FROM a\nCOPY --from=build --chmod=755 --link src/ /app/\n"
    copy = only(parse(text), "COPY")
    assert [(f.name, f.value, cut(text, f.span)) for f in copy.flags] == [
        ("from", "build", "--from=build"),
        ("chmod", "755", "--chmod=755"),
        ("link", None, "--link"),
    ]
    assert [cut(text, f.value_span) for f in copy.flags[:2]] == ["build", "755"]
    assert copy.flags[2].value_span is None
    assert [f.text for f in copy.flags] == ["--from=build", "--chmod=755", "--link"]
    assert copy.flag("chmod") is copy.flags[1]
    assert copy.flag("chown") is None
    assert [(a.value, cut(text, a.span)) for a in copy.args] == [("src/", "src/"), ("/app/", "/app/")]
    assert copy.rest is not None and cut(text, copy.rest.span) == copy.rest.value == "src/ /app/"


def test_flag_value_loses_quotes_but_its_span_keeps_them() -> None:
    text = 'RUN --mount=type=cache,target="/root/.cache" --mount=type=secret,id=npm pip install x\n'
    run = only(parse(text), "RUN")
    first, second = run.flags_named("mount")
    assert first.value == "type=cache,target=/root/.cache"
    assert cut(text, first.value_span) == 'type=cache,target="/root/.cache"'
    assert cut(text, first.span) == '--mount=type=cache,target="/root/.cache"'
    assert (second.value, cut(text, second.value_span)) == ("type=secret,id=npm", "type=secret,id=npm")
    assert run.values == ("pip install x",)
    assert run.is_shell_form


def test_flags_stop_at_double_dash() -> None:
    text = "COPY --link -- --weird /dst\n"
    copy = only(parse(text), "COPY")
    assert [f.text for f in copy.flags] == ["--link"]
    assert [(a.value, cut(text, a.span)) for a in copy.args] == [("--weird", "--weird"), ("/dst", "/dst")]


def test_json_form_args_span_the_quoted_strings() -> None:
    text = 'FROM a\nCMD ["a b", "c\\"d", "\\u0041"]\n'
    cmd = only(parse(text), "CMD")
    assert cmd.is_json and not cmd.is_shell_form
    assert cmd.values == ("a b", 'c"d', "A")
    assert [cut(text, a.span) for a in cmd.args] == ['"a b"', '"c\\"d"', '"\\u0041"']


def test_json_form_over_continuation_lines() -> None:
    text = 'ENTRYPOINT ["python", \\\n    "-m", "app"]\n'
    dockerfile = parse(text)
    entrypoint = only(dockerfile, "ENTRYPOINT")
    assert (entrypoint.start_line, entrypoint.end_line) == (1, 2)
    assert [cut(text, a.span) for a in entrypoint.args] == ['"python"', '"-m"', '"app"']
    assert dockerfile.lines.position(entrypoint.args[1].span.start).line == 2
    assert kinds(dockerfile) == ["instruction", "continuation"]


def test_invalid_json_is_shell_form() -> None:
    text = "CMD ['single', 'quotes']\n"
    cmd = only(parse(text), "CMD")
    assert not cmd.is_json and cmd.is_shell_form
    assert [(a.value, cut(text, a.span)) for a in cmd.args] == [("['single', 'quotes']", "['single', 'quotes']")]


def test_json_lone_surrogate_becomes_replacement_character() -> None:
    """Go's encoding/json turns an unpaired `\\ud800` into U+FFFD (checked against BuildKit's parser)."""
    text = 'RUN ["\\ud800x", "\\ud83d\\ude00"]\n'
    run = only(parse(text), "RUN")
    assert run.values == ("\ufffdx", "\U0001f600")


def test_healthcheck_args() -> None:
    text = 'HEALTHCHECK --interval=30s --retries=3 CMD ["curl", "-f", "http://localhost/"]\n'
    health = only(parse(text), "HEALTHCHECK")
    assert [f.text for f in health.flags] == ["--interval=30s", "--retries=3"]
    assert health.is_json
    assert [(a.value, cut(text, a.span)) for a in health.args] == [
        ("CMD", "CMD"),
        ("curl", '"curl"'),
        ("-f", '"-f"'),
        ("http://localhost/", '"http://localhost/"'),
    ]


# --- ENV, LABEL, ARG -----------------------------------------------------------------------------


def test_env_equals_form_key_values() -> None:
    text = 'ENV A=1 B="two words" \\\n    C=\n'
    env = only(parse(text), "ENV")
    pairs = env.key_values
    assert [(p.key.value, cut(text, p.key.span)) for p in pairs] == [("A", "A"), ("B", "B"), ("C", "C")]
    values = [(p.value.value, cut(text, p.value.span)) for p in pairs if p.value is not None]
    assert values == [("1", "1"), ('"two words"', '"two words"'), ("", "")]
    assert pairs[2].value is not None and pairs[2].value.span.start == text.index("C=") + 2
    assert not any(p.legacy for p in pairs)
    # BuildKit's dump: key, value, "=" for each pair
    assert env.values == ("A", "1", "=", "B", '"two words"', "=", "C", "", "=")


def test_env_legacy_form_key_value() -> None:
    text = "ENV LEGACY some value here  \n"
    env = only(parse(text), "ENV")
    (pair,) = env.key_values
    assert pair.legacy
    assert (pair.key.value, cut(text, pair.key.span)) == ("LEGACY", "LEGACY")
    assert pair.value is not None
    assert (pair.value.value, cut(text, pair.value.span)) == ("some value here", "some value here")
    assert env.values == ("LEGACY", "some value here", "")


def test_label_with_quoted_key() -> None:
    text = 'LABEL org.opencontainers.image.title=app "a key"="a value"\n'
    label = only(parse(text), "LABEL")
    assert [(p.key.value, cut(text, p.key.span)) for p in label.key_values] == [
        ("org.opencontainers.image.title", "org.opencontainers.image.title"),
        ('"a key"', '"a key"'),
    ]
    assert [cut(text, p.value.span) for p in label.key_values if p.value is not None] == ["app", '"a value"']


def test_arg_with_and_without_default() -> None:
    text = "ARG NAME\nARG VERSION=1.2 OTHER\n"
    first, second = parse(text).instructions
    (name,) = first.key_values
    assert (name.key.value, cut(text, name.key.span), name.value) == ("NAME", "NAME", None)
    version, other = second.key_values
    assert version.value is not None
    assert (version.key.value, version.value.value, cut(text, version.value.span)) == ("VERSION", "1.2", "1.2")
    assert (other.key.value, other.value) == ("OTHER", None)
    assert second.values == ("VERSION=1.2", "OTHER")
    assert [cut(text, a.span) for a in second.args] == ["VERSION=1.2", "OTHER"]


def test_env_without_value_is_a_parse_error() -> None:
    dockerfile = parse("FROM a\nENV PATH\nUSER app\n")
    assert errors(dockerfile) == [("parse", "ENV must have two arguments", 2)]
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "ENV", "USER"]


# --- heredocs ------------------------------------------------------------------------------------


def heredoc_parts(text: str, heredoc: Heredoc) -> tuple[str, str, str | None]:
    terminator = cut(text, heredoc.terminator) if heredoc.terminator is not None else None
    return cut(text, heredoc.marker), cut(text, heredoc.body), terminator


def test_heredoc_spans_and_content() -> None:
    text = "FROM a\nRUN <<EOF\necho one\necho two\nEOF\nUSER app\n"
    dockerfile = parse(text)
    run = only(dockerfile, "RUN")
    (heredoc,) = run.heredocs
    assert (heredoc.name, heredoc.chomp, heredoc.expand, heredoc.file_descriptor) == ("EOF", False, True, 0)
    assert heredoc_parts(text, heredoc) == ("<<EOF", "echo one\necho two\n", "EOF")
    assert heredoc.content == heredoc.text == "echo one\necho two\n"
    assert (run.start_line, run.end_line) == (2, 5)
    assert cut(text, run.span) == "RUN <<EOF\necho one\necho two\nEOF"
    assert run.values == ("<<EOF",)
    assert kinds(dockerfile) == [
        "instruction",
        "instruction",
        "heredoc-body",
        "heredoc-body",
        "heredoc-end",
        "instruction",
    ]
    assert only(dockerfile, "USER").start_line == 6


def test_heredoc_chomp_strips_leading_tabs_in_text() -> None:
    text = "RUN <<-END\n\t\techo\n\tdone\n\tEND\n"
    (heredoc,) = only(parse(text), "RUN").heredocs
    assert heredoc.chomp
    assert heredoc.content == "\t\techo\n\tdone\n"
    assert heredoc.text == "echo\ndone\n"
    assert heredoc_parts(text, heredoc) == ("<<-END", "\t\techo\n\tdone\n", "\tEND")


@pytest.mark.parametrize("marker", ['<<"EOF"', "<<'EOF'", '<<E"O"F'])
def test_quoted_heredoc_marker_does_not_expand(marker: str) -> None:
    text = f"RUN {marker} sh\necho $HOME\nEOF\n"
    (heredoc,) = only(parse(text), "RUN").heredocs
    assert (heredoc.name, heredoc.expand) == ("EOF", False)
    assert cut(text, heredoc.marker) == marker
    assert heredoc.content == "echo $HOME\n"


def test_several_heredocs_on_one_line() -> None:
    text = "RUN <<A 3<<-B cat /dev/fd/3\na body\nA\n\tb body\n\tB\nCMD x\n"
    run = only(parse(text), "RUN")
    first, second = run.heredocs
    assert (first.name, first.file_descriptor, first.chomp) == ("A", 0, False)
    assert (second.name, second.file_descriptor, second.chomp) == ("B", 3, True)
    assert heredoc_parts(text, first) == ("<<A", "a body\n", "A")
    assert heredoc_parts(text, second) == ("3<<-B", "\tb body\n", "\tB")
    assert (run.start_line, run.end_line) == (1, 5)


def test_heredoc_on_copy() -> None:
    text = "COPY --chmod=644 <<EOF /etc/app.conf\nkey = value\nEOF\n"
    copy = only(parse(text), "COPY")
    (heredoc,) = copy.heredocs
    assert heredoc_parts(text, heredoc) == ("<<EOF", "key = value\n", "EOF")
    assert copy.values == ("<<EOF", "/etc/app.conf")
    assert [f.text for f in copy.flags] == ["--chmod=644"]


def test_heredoc_in_onbuild() -> None:
    text = "ONBUILD RUN <<EOF\nmake\nEOF\n"
    onbuild = only(parse(text), "ONBUILD")
    assert onbuild.inner is not None and onbuild.effective is onbuild.inner
    assert onbuild.inner.keyword == "RUN"
    assert cut(text, onbuild.inner.keyword_span) == "RUN"
    assert cut(text, onbuild.inner.span) == "RUN <<EOF\nmake\nEOF"
    assert cut(text, onbuild.span) == text.rstrip("\n")
    for instruction in (onbuild, onbuild.inner):
        (heredoc,) = instruction.heredocs
        assert heredoc_parts(text, heredoc) == ("<<EOF", "make\n", "EOF")
        assert (instruction.start_line, instruction.end_line) == (1, 3)


def test_heredoc_not_read_for_json_form_or_other_instructions() -> None:
    text = 'COPY ["<<EOF", "/x"]\nENV A=<<EOF\n'
    dockerfile = parse(text)
    assert [i.heredocs for i in dockerfile.instructions] == [(), ()]
    assert kinds(dockerfile) == ["instruction", "instruction"]


def test_unterminated_heredoc_runs_to_end_of_file() -> None:
    text = "FROM a\nRUN <<EOF\nline one\nline two"
    dockerfile = parse(text)
    run = only(dockerfile, "RUN")
    (heredoc,) = run.heredocs
    assert heredoc.terminator is None
    assert cut(text, heredoc.body) == heredoc.content == "line one\nline two"
    assert heredoc.body.end == len(text)
    assert errors(dockerfile) == [("parse", "unterminated heredoc", 2)]
    assert dockerfile.errors[0].span == heredoc.marker
    assert (run.start_line, run.end_line) == (2, 4)
    assert kinds(dockerfile)[2:] == ["heredoc-body", "heredoc-body"]


def test_heredoc_words_split_on_unicode_space() -> None:
    """BuildKit's lexer ends words at any Unicode space: `COPY\\f<<EOF` has a heredoc."""
    text = "COPY\f<<EOF /x\nbody\nEOF\n"
    (heredoc,) = only(parse(text), "COPY").heredocs
    assert heredoc_parts(text, heredoc) == ("<<EOF", "body\n", "EOF")


def test_unterminated_quote_means_no_heredoc() -> None:
    """BuildKit's heredoc lexer fails on an open quote, and then finds no heredoc on the line."""
    text = "FROM a\nRUN cat <<EOF it's\nUSER app\n"
    dockerfile = parse(text)
    assert only(dockerfile, "RUN").heredocs == ()
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "RUN", "USER"]
    assert errors(dockerfile) == []


# --- continuation lines, escape, directives --------------------------------------------------------


def test_continuation_with_comments_and_blank_lines() -> None:
    text = "FROM a\nRUN apt-get update \\\n  # refresh the index\n\n  && apt-get install -y curl\nCMD x\n"
    dockerfile = parse(text)
    run = only(dockerfile, "RUN")
    assert kinds(dockerfile) == [
        "instruction",
        "instruction",
        "continuation-comment",
        "empty-continuation",
        "continuation",
        "instruction",
    ]
    assert dockerfile.line_kinds[2:4] == (LineKind.CONTINUATION_COMMENT, LineKind.EMPTY_CONTINUATION)
    assert (run.start_line, run.end_line) == (2, 5)
    assert run.values == ("apt-get update   && apt-get install -y curl",)
    assert cut(text, run.args[0].span) == "apt-get update \\\n  # refresh the index\n\n  && apt-get install -y curl"
    (comment,) = dockerfile.comments
    assert (comment.text, comment.line, comment.inside_instruction) == ("refresh the index", 3, True)
    assert cut(text, comment.span) == "# refresh the index"
    assert dockerfile.instruction_at_line(4) is run
    assert dockerfile.instruction_at_line(6) is only(dockerfile, "CMD")


def test_escape_directive_backtick_windows_style() -> None:
    text = (
        "# escape=`\n"
        "FROM mcr.microsoft.com/windows/servercore:ltsc2022\n"
        "RUN New-Item -ItemType Directory C:\\app `\n"
        "    -Force\n"
        "COPY app\\ C:\\app\\\n"
    )
    dockerfile = parse(text)
    assert dockerfile.escape == "`"
    (directive,) = dockerfile.directives
    assert (directive.name, directive.value, directive.line) == ("escape", "`", 1)
    assert (cut(text, directive.span), cut(text, directive.value_span)) == ("# escape=`", "`")
    run, copy = dockerfile.instructions[1:]
    assert (run.start_line, run.end_line) == (3, 4)
    assert run.values == ("New-Item -ItemType Directory C:\\app     -Force",)
    assert [(a.value, cut(text, a.span)) for a in copy.args] == [("app\\", "app\\"), ("C:\\app\\", "C:\\app\\")]
    assert kinds(dockerfile) == ["directive", "instruction", "instruction", "continuation", "instruction"]


def test_directives_syntax_escape_check() -> None:
    text = "# syntax=docker/dockerfile:1.7\n#  check = skip=JSONArgsRecommended\n# ESCAPE=\\\nFROM a\n"
    dockerfile = parse(text)
    assert [(d.name, d.value, d.line) for d in dockerfile.directives] == [
        ("syntax", "docker/dockerfile:1.7", 1),
        ("check", "skip=JSONArgsRecommended", 2),
        ("escape", "\\", 3),
    ]
    check = dockerfile.directive("check")
    assert check is not None
    assert cut(text, check.span) == "#  check = skip=JSONArgsRecommended"
    assert cut(text, check.value_span) == "skip=JSONArgsRecommended"
    assert dockerfile.directive("platform") is None
    assert kinds(dockerfile) == ["directive", "directive", "directive", "instruction"]
    assert only(dockerfile, "FROM").comments == ()  # directives are not the comment block of FROM
    assert errors(dockerfile) == []


def test_directive_after_a_comment_is_a_comment() -> None:
    text = "# a comment\n# escape=`\nFROM a\nRUN echo \\\n  hi\n"
    dockerfile = parse(text)
    assert dockerfile.directives == ()
    assert dockerfile.escape == "\\"
    assert kinds(dockerfile) == ["comment", "comment", "instruction", "instruction", "continuation"]
    assert [c.text for c in only(dockerfile, "FROM").comments] == ["a comment", "escape=`"]


def test_unknown_directive_ends_the_directive_block() -> None:
    dockerfile = parse("# foo=bar\n# syntax=x\nFROM a\n")
    assert dockerfile.directives == ()
    assert kinds(dockerfile)[:2] == ["comment", "comment"]


@pytest.mark.parametrize("name", ["syntax", "escape", "check"])
def test_duplicate_directive_is_a_parse_error(name: str) -> None:
    value = "`" if name == "escape" else "x"
    text = f"# {name}={value}\n# {name}={value}\nFROM a\n"
    dockerfile = parse(text)
    assert errors(dockerfile) == [("parse", f"only one {name} parser directive can be used", 2)]
    assert cut(text, dockerfile.errors[0].span) == f"# {name}={value}"
    assert [i.keyword for i in dockerfile.instructions] == ["FROM"]


def test_invalid_escape_directive_is_a_parse_error() -> None:
    text = "# escape=x\nFROM a\n"
    dockerfile = parse(text)
    assert errors(dockerfile) == [("parse", "invalid escape token 'x' does not match ` or \\", 1)]
    assert cut(text, dockerfile.errors[0].span) == "x"
    assert dockerfile.escape == "\\"


# --- line endings and BOM ----------------------------------------------------------------------


def all_spans(dockerfile: Dockerfile) -> list[Span]:
    spans: list[Span] = []
    for directive in dockerfile.directives:
        spans += [directive.span, directive.value_span]
    spans += [comment.span for comment in dockerfile.comments]
    for outer in dockerfile.instructions:
        for instruction in (outer, outer.inner) if outer.inner is not None else (outer,):
            spans += [instruction.span, instruction.keyword_span]
            spans += [flag.span for flag in instruction.flags]
            spans += [flag.value_span for flag in instruction.flags if flag.value_span is not None]
            spans += [token.span for token in instruction.args]
            for pair in instruction.key_values:
                spans += [pair.key.span] + ([pair.value.span] if pair.value is not None else [])
            for heredoc in instruction.heredocs:
                spans += [heredoc.marker] + ([heredoc.terminator] if heredoc.terminator is not None else [])
    return spans


def test_crlf_spans_never_end_in_carriage_return() -> None:
    text = (
        "# syntax=docker/dockerfile:1\r\n"
        "# the base\r\n"
        "FROM alpine AS build\r\n"
        "RUN apk add \\\r\n"
        "    curl\r\n"
        'ENV A=1 B="2"\r\n'
        'CMD ["sh"]\r\n'
        "RUN <<EOF\r\n"
        "echo hi\r\n"
        "EOF\r\n"
    )
    dockerfile = parse(text)
    assert errors(dockerfile) == []
    assert [(i.keyword, i.start_line, i.end_line) for i in dockerfile.instructions] == [
        ("FROM", 3, 3),
        ("RUN", 4, 5),
        ("ENV", 6, 6),
        ("CMD", 7, 7),
        ("RUN", 8, 10),
    ]
    for span in all_spans(dockerfile):
        piece = cut(text, span)
        assert not piece.endswith(("\r", "\n")), piece
    tokens = [span for span in all_spans(dockerfile) if span not in {i.span for i in dockerfile.instructions}]
    for span in tokens:  # a token holds a `\r` only where it crosses a continuation
        piece = cut(text, span)
        assert "\r" not in piece.replace("\\\r\n", ""), piece
    assert [cut(text, i.span) for i in dockerfile.instructions[2:4]] == ['ENV A=1 B="2"', 'CMD ["sh"]']
    assert dockerfile.instructions[1].values == ("apk add     curl",)
    heredoc = dockerfile.instructions[4].heredocs[0]
    assert heredoc.content == "echo hi\r\n"  # BuildKit keeps the body's line endings
    assert cut(text, heredoc.terminator) == "EOF"
    lines = dockerfile.lines
    assert lines.line_count == 10
    assert text[lines.line_start(3) : lines.line_end(3)] == "FROM alpine AS build"
    assert text[lines.line_start(3) : lines.line_end(3, keep_newline=True)] == "FROM alpine AS build\r\n"
    assert lines.line_text(2) == "# the base"
    assert cut(text, dockerfile.comments[1].span) == "# the base"


def test_line_index() -> None:
    text = "ab\r\ncd\n\nlast"
    lines = LineIndex(text)
    assert lines.line_count == 4
    assert [lines.line_end(n) for n in range(1, 5)] == [2, 6, 7, 12]
    assert [lines.line_end(n, keep_newline=True) for n in range(1, 5)] == [4, 7, 8, 12]
    assert [lines.line_text(n) for n in range(1, 5)] == ["ab", "cd", "", "last"]
    assert lines.line_of(0) == 1 and lines.line_of(4) == 2 and lines.line_of(12) == 4
    position = lines.position(text.index("d"))
    assert (position.line, position.column) == (2, 2)
    assert lines.offset(4, 2) == text.index("ast")
    end = lines.end_position(Span(4, 7))  # "cd\n": the end stays on line 2
    assert (end.line, end.column) == (2, 3)
    assert LineIndex("a\n").line_count == 1
    assert LineIndex("").line_count == 1


def test_utf8_bom_keeps_positions_right() -> None:
    text = "\ufeff# syntax=docker/dockerfile:1\nFROM alpine\nRUN echo hé\n"
    dockerfile = parse(text)
    assert dockerfile.has_bom
    assert errors(dockerfile) == []
    (directive,) = dockerfile.directives
    assert directive.span.start == 1
    assert cut(text, directive.span) == "# syntax=docker/dockerfile:1"
    from_, run = dockerfile.instructions
    assert cut(text, from_.keyword_span) == "FROM"
    assert from_.start_line == 2
    assert cut(text, run.args[0].span) == "echo hé"

    bare = "\ufeffFROM alpine\n"
    (instruction,) = parse(bare).instructions
    assert (instruction.keyword, instruction.keyword_span) == ("FROM", Span(1, 5))
    assert cut(bare, instruction.span) == "FROM alpine"


# --- errors --------------------------------------------------------------------------------------


def test_unknown_instruction_is_a_build_error() -> None:
    text = "FROM a\nFOO bar\nUSER app\n"
    dockerfile = parse(text)
    foo = dockerfile.instructions[1]
    assert (foo.keyword, foo.is_known, foo.error) == ("FOO", False, "unknown instruction: FOO")
    assert foo.args == ()
    assert errors(dockerfile) == [("build", "unknown instruction: FOO", 2)]
    assert cut(text, dockerfile.errors[0].span) == "FOO"
    assert only(dockerfile, "USER").start_line == 3


def test_json_with_non_strings_is_a_parse_error_and_parsing_goes_on() -> None:
    text = "FROM a\nCMD [1]\nUSER app\nRUN echo hi\n"
    dockerfile = parse(text)
    assert errors(dockerfile) == [
        ("parse", "when using JSON array syntax, arrays must be comprised of strings only", 2)
    ]
    cmd = only(dockerfile, "CMD")
    assert cmd.error == dockerfile.errors[0].message
    assert cut(text, dockerfile.errors[0].span) == "CMD"
    assert [i.keyword for i in dockerfile.instructions] == ["FROM", "CMD", "USER", "RUN"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("ONBUILD FROM x\n", "FROM isn't allowed as an ONBUILD trigger"),
        ("ONBUILD ONBUILD RUN x\n", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
        ("LABEL\n", "LABEL requires at least one argument"),
    ],
)
def test_build_time_errors(text: str, message: str) -> None:
    assert errors(parse(text)) == [("build", message, 1)]


NO_DESTINATION = "requires at least two arguments, but only one was provided. Destination could not be determined"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("FROM alpine:3.20 as", "FROM requires either one or three arguments"),
        ("FROM a AS b c", "FROM requires either one or three arguments"),
        ("FROM a b c", "FROM requires either one or three arguments"),
        ("FROM --platform=linux/amd64", "FROM requires either one or three arguments"),
        (
            "FROM a AS 1build",
            'invalid name for build stage: "1build", name can\'t start with a number or contain symbols',
        ),
        ("FROM a AS b@c", 'invalid name for build stage: "b@c", name can\'t start with a number or contain symbols'),
        ("COPY onlyone", "COPY " + NO_DESTINATION),
        ('COPY ["onlyone"]', "COPY " + NO_DESTINATION),
        ("ADD --chmod=644 onlyone", "ADD " + NO_DESTINATION),
        ("COPY", "COPY " + NO_DESTINATION),
        ("USER", "USER requires exactly one argument"),
        ("WORKDIR", "WORKDIR requires exactly one argument"),
        ("MAINTAINER", "MAINTAINER requires exactly one argument"),
        ("STOPSIGNAL", "STOPSIGNAL requires exactly one argument"),
        ("EXPOSE", "EXPOSE requires at least one argument"),
        ("VOLUME", "VOLUME requires at least one argument"),
        ('VOLUME ["/data", " "]', "VOLUME specified can not be an empty string"),
        ("ARG", "ARG requires at least one argument"),
        ("ARG =1", "ARG names can not be blank"),
        ("ENV =1", "ENV names can not be blank"),
        ("LABEL a=1 =2", "LABEL names can not be blank"),
        ("ONBUILD", "ONBUILD requires at least one argument"),
        ("ONBUILD MAINTAINER me", "MAINTAINER isn't allowed as an ONBUILD trigger"),
        ("onbuild from x", "FROM isn't allowed as an ONBUILD trigger"),
        ("ONBUILD FROM", "FROM isn't allowed as an ONBUILD trigger"),  # the trigger is checked first
        ("ONBUILD COPY onlyone", "COPY " + NO_DESTINATION),  # fails in the build that runs it
        ("HEALTHCHECK", "HEALTHCHECK requires at least one argument"),
        ("HEALTHCHECK NONE --interval=5s", "HEALTHCHECK NONE takes no arguments"),
        ("HEALTHCHECK CMD", "Missing command after HEALTHCHECK CMD"),
        ("HEALTHCHECK --retries=3 CMD []", "Missing command after HEALTHCHECK CMD"),
        ("HEALTHCHECK curl -f localhost", 'Unknown type "CURL" in HEALTHCHECK (try CMD)'),
        ("SHELL", "SHELL requires at least one argument"),
        ("SHELL []", "SHELL requires at least one argument"),
        ("SHELL /bin/bash -c", "SHELL requires the arguments to be in JSON form"),
        (
            'SHELL ["C:\\Windows\\cmd.exe", "/S"]',
            'SHELL requires the arguments to be in JSON form. It looks like \'["c:\\windows\\cmd.exe", "/s"]\' '
            "includes a file path without an escaped back-slash. "
            'JSON requires back-slashes to be escaped such as ["c:\\\\path\\\\to\\\\file.exe", "/parameter"]',
        ),
    ],
)
def test_instruction_errors_of_buildkits_instructions_package(line: str, message: str) -> None:
    """Arity and form errors BuildKit's line parser lets through and `ParseInstruction` rejects."""
    text = f"FROM alpine:3.20\n{line}\nRUN echo next\n" if not line.upper().startswith("FROM") else line + "\n"
    dockerfile = parse(text)
    line_number = 1 if line.upper().startswith("FROM") else 2
    assert errors(dockerfile) == [("build", message, line_number)]
    instruction = dockerfile.instructions[line_number - 1]
    assert instruction.error == message
    assert dockerfile.errors[0].span == instruction.keyword_span  # where BuildKit's error points: the instruction
    assert cut(text, dockerfile.errors[0].span).upper() == instruction.keyword
    assert dockerfile.instructions[-1].keyword in ("RUN", "FROM")  # parsing went on


@pytest.mark.parametrize(
    "line",
    [
        "FROM a AS Build_1.x-y",  # BuildKit lower-cases the name before checking it
        "FROM --platform=$BUILDPLATFORM golang:1.23 AS build",
        "COPY <<EOF /etc/app.conf\nkey=value\nEOF",
        'COPY ["a b", "/dest/"]',
        "USER 1000:1000",
        "WORKDIR /app",
        "STOPSIGNAL SIGTERM",
        "EXPOSE 80/tcp",
        'VOLUME ["/data"]',
        "ARG A B=1",
        "HEALTHCHECK NONE",
        "HEALTHCHECK --interval=5s CMD curl -f localhost",
        "healthcheck cmd true",
        'SHELL ["/bin/bash", "-o", "pipefail", "-c"]',
        "ONBUILD RUN echo hi",
        "RUN",  # BuildKit's instructions package has no arity check for RUN, CMD and ENTRYPOINT
        "CMD",
    ],
)
def test_instructions_buildkit_accepts(line: str) -> None:
    text = f"FROM alpine:3.20\n{line}\n" if not line.startswith("FROM") else line + "\n"
    assert errors(parse(text)) == []


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n", "\ufeff"])
def test_file_without_instructions_is_a_parse_error(text: str) -> None:
    dockerfile = parse(text)
    assert dockerfile.instructions == ()
    assert errors(dockerfile) == [("parse", "file with no instructions", 1)]


# --- whole-file invariants and comments ------------------------------------------------------


SAMPLE = """\
# syntax=docker/dockerfile:1
# check=error=true

# global args
ARG BASE=python:3.12-slim
FROM ${BASE} AS build
# install
# dependencies
RUN --mount=type=cache,target=/root/.cache \\
    # inside
    pip install -r requirements.txt

COPY --from=build --chown=app:app ["src", "/app/src"]
ENV PATH=/app/bin:$PATH \\
    LANG=C.UTF-8
LABEL a=b "c d"="e f"
run <<EOF cat > /x
hello
EOF
ONBUILD COPY . /src
healthcheck CMD curl -f http://localhost/ || exit 1
EXPOSE 80/tcp 443
VOLUME ["/data"]
SHELL ["/bin/bash", "-c"]
STOPSIGNAL SIGTERM
WORKDIR /app
USER app
MAINTAINER someone
CMD ["python", "-m", "app"]
ENTRYPOINT exec app
"""


def check_invariants(text: str, dockerfile: Dockerfile) -> None:
    previous_end = 0
    for instruction in dockerfile.instructions:
        piece = cut(text, instruction.span)
        assert piece[: len(instruction.keyword)].upper() == instruction.keyword, piece
        assert cut(text, instruction.keyword_span).upper() == instruction.keyword
        assert instruction.keyword_span.start == instruction.span.start
        assert instruction.span.start >= previous_end, "instructions overlap"
        previous_end = instruction.span.end
        assert dockerfile.lines.line_of(instruction.span.start) == instruction.start_line
        assert dockerfile.lines.line_of(max(instruction.span.end - 1, instruction.span.start)) == instruction.end_line
        assert not piece.endswith(("\n", "\r")), piece  # trailing blanks of the last line stay in
        parts = [flag.span for flag in instruction.flags] + [token.span for token in instruction.args]
        for heredoc in instruction.heredocs:
            parts += [heredoc.marker, heredoc.body]
        for part in parts:
            assert instruction.span.contains(part), (piece, cut(text, part))
    assert [i.index for i in dockerfile.instructions] == list(range(len(dockerfile.instructions)))
    assert len(dockerfile.line_kinds) == dockerfile.lines.line_count


def test_every_instruction_span_starts_with_its_keyword() -> None:
    dockerfile = parse(SAMPLE)
    assert errors(dockerfile) == []
    assert [i.keyword for i in dockerfile.instructions] == [
        "ARG", "FROM", "RUN", "COPY", "ENV", "LABEL", "RUN", "ONBUILD", "HEALTHCHECK", "EXPOSE", "VOLUME",
        "SHELL", "STOPSIGNAL", "WORKDIR", "USER", "MAINTAINER", "CMD", "ENTRYPOINT",
    ]  # fmt: skip
    check_invariants(SAMPLE, dockerfile)
    assert cut(SAMPLE, dockerfile.instructions[6].span) == "run <<EOF cat > /x\nhello\nEOF"


@pytest.mark.skipif(not TESTFILES.is_dir(), reason="BuildKit's parser test files (../shared) are absent")
def test_invariants_hold_on_buildkit_testfiles() -> None:
    checked = 0
    for path in sorted(TESTFILES.rglob("Dockerfile")):
        text = path.read_text(encoding="utf-8")
        check_invariants(text, parse(text, str(path)))
        checked += 1
    assert checked >= 30


def test_comment_block_directly_above() -> None:
    dockerfile = parse(SAMPLE)
    comments = [(i.keyword, [c.text for c in i.comments]) for i in dockerfile.instructions[:5]]
    assert comments == [
        ("ARG", ["global args"]),
        ("FROM", []),
        ("RUN", ["install", "dependencies"]),
        ("COPY", []),  # a blank line separates it from the RUN
        ("ENV", []),
    ]
    run = dockerfile.instructions[2]
    assert [(c.text, c.inside_instruction) for c in dockerfile.comments if c.line == 10] == [("inside", True)]
    assert [cut(SAMPLE, c.span) for c in run.comments] == ["# install", "# dependencies"]


def test_blank_line_breaks_the_comment_block() -> None:
    text = "FROM a\n# far away\n\n# close\n  # indented\nRUN x\n# trailing\n"
    dockerfile = parse(text)
    run = only(dockerfile, "RUN")
    assert [(c.text, c.line) for c in run.comments] == [("close", 4), ("indented", 5)]
    assert cut(text, run.comments[1].span) == "# indented"
    assert [c.text for c in dockerfile.comments] == ["far away", "close", "indented", "trailing"]
    assert kinds(dockerfile) == ["instruction", "comment", "blank", "comment", "comment", "instruction", "comment"]

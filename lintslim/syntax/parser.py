"""A lossless Dockerfile parser that reads files the way BuildKit's parser does.

It follows the behaviour of moby/buildkit `frontend/dockerfile/parser` (checked against BuildKit's own
conformance files and the `dockerfile` package, which wraps the Go parser) while keeping what BuildKit
throws away: the exact span of every keyword, flag, argument, comment, directive and heredoc, and the
role of every physical line.  Where BuildKit would stop at an error, this parser records the error and
goes on, so a linter or an editor still sees the rest of the file.
"""

from __future__ import annotations

import bisect
import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace

from lintslim.syntax.instruction_checks import instruction_error
from lintslim.syntax.nodes import (
    KNOWN_INSTRUCTIONS,
    Comment,
    Directive,
    Dockerfile,
    Flag,
    Heredoc,
    Instruction,
    KeyValue,
    LineKind,
    ParseError,
    Token,
)
from lintslim.syntax.source import BOM, LineIndex, Span

# Go's unicode.IsSpace, which BuildKit uses to trim lines and find words.
GO_SPACE = (
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a"
    "\u2028\u2029\u202f\u205f\u3000"
)
# BuildKit's reWhitespace: the separators of whitespace-delimited arguments.
_SEPARATOR = re.compile(r"[\t\v\f\r ]+")
_NOT_SEPARATOR = re.compile(r"[^\t\v\f\r ]+")
# The directive's name up to its `=`; the value is found by `_directive_value` with string methods:
# `=[ \t]*(.+?)[ \t]*$` took time quadratic in a run of blanks (a 100 KB first line: 100 s).
_DIRECTIVE = re.compile(r"#[ \t]*([a-zA-Z][a-zA-Z0-9]*)[ \t]*=")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# The name starts at its first non-blank character, so the blank run has one way to end (with
# `[\t\n\f\r ]*([^<]*)$` a long run of blanks before a `<` took quadratic time).
_HEREDOC = re.compile(r"(\d*)<<(-?)[\t\n\f\r ]*([^<\t\n\f\r ][^<]*)?$")
VALID_DIRECTIVES = frozenset({"escape", "syntax", "check"})
HEREDOC_INSTRUCTIONS = frozenset({"ADD", "COPY", "RUN"})
NOT_STRING_ARRAY = "when using JSON array syntax, arrays must be comprised of strings only"
MAX_ONBUILD_DEPTH = 4  # BuildKit forbids ONBUILD ONBUILD; keep recursion bounded on hostile input


class LogicalLine:
    """An instruction's logical line (continuations joined) with a map back to source offsets."""

    __slots__ = ("end_offset", "length", "logical_starts", "parts", "source_starts")

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.logical_starts: list[int] = []
        self.source_starts: list[int] = []
        self.length = 0
        self.end_offset = 0

    def add(self, text: str, source_start: int) -> None:
        self.end_offset = source_start + len(text)
        if not text:
            return
        self.parts.append(text)
        self.logical_starts.append(self.length)
        self.source_starts.append(source_start)
        self.length += len(text)

    def text(self) -> str:
        return "".join(self.parts)

    def source(self, index: int) -> int:
        """The source offset of logical character `index` (or the end, for `index == length`)."""
        if len(self.parts) == 1:  # most instructions fit on one line
            return self.source_starts[0] + min(index, self.length)
        if not self.parts:
            return self.end_offset
        if index >= self.length:
            return self.source_starts[-1] + len(self.parts[-1])
        k = bisect.bisect_right(self.logical_starts, index) - 1
        return self.source_starts[k] + index - self.logical_starts[k]

    def index_of(self, offset: int) -> int:
        """The logical index of source `offset` (which must fall inside one of the joined parts)."""
        k = max(0, bisect.bisect_right(self.source_starts, offset) - 1)
        if not self.parts:
            return 0
        return self.logical_starts[k] + min(max(offset - self.source_starts[k], 0), len(self.parts[k]))

    def span(self, start: int, end: int) -> Span:
        if end <= start:
            point = self.source(start)
            return Span(point, point)
        return Span(self.source(start), self.source(end - 1) + 1)

    def token(self, value: str, start: int, end: int) -> Token:
        return Token(value, self.span(start, end))


@dataclass
class _Node:
    """What BuildKit's per-instruction parsing yields, in logical-line coordinates turned into tokens."""

    args: list[Token]
    key_values: list[KeyValue]
    is_json: bool = False
    error: str | None = None  # BuildKit's parser rejects this
    invalid: str | None = None  # the parser accepts it, the build does not


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start] in GO_SPACE:
        start += 1
    while end > start and text[end - 1] in GO_SPACE:
        end -= 1
    return start, end


def _trim_continuation(line: str, escape: str) -> tuple[str, bool]:
    """Remove a trailing escape token (plus spaces and tabs after it); report whether the line ends.

    As in BuildKit, a doubled escape token at the end (`foo\\\\`) is an escaped character, not a
    continuation, unless the line holds nothing but the token.
    """
    end = len(line)
    while end and line[end - 1] in " \t":
        end -= 1
    if end and line[end - 1] == escape and (end == 1 or line[end - 2] != escape):
        return line[: end - 1], False
    return line, True


def _is_comment(line: str) -> bool:
    return line.lstrip(GO_SPACE).startswith("#")


# --- argument grammars (BuildKit's dispatch table) ----------------------------------------------


def _whitespace_words(logical: LogicalLine, text: str, start: int, end: int) -> _Node:
    words = [logical.token(m.group(), m.start(), m.end()) for m in _NOT_SEPARATOR.finditer(text, start, end)]
    return _Node(words, [])


def _single_string(logical: LogicalLine, text: str, start: int, end: int) -> _Node:
    if start == end:
        return _Node([], [])
    return _Node([logical.token(text[start:end], start, end)], [])


def _json_string_spans(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Where the string literals of a flat JSON array are (their quotes included)."""
    spans: list[tuple[int, int]] = []
    i = start
    while i < end:
        if text[i] == '"':
            j = i + 1
            while j < end and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            spans.append((i, min(j + 1, end)))
            i = j + 1
        else:
            i += 1
    return spans


def _reject_constant(name: str) -> object:
    raise ValueError(f"not JSON: {name}")  # Go's encoding/json has no NaN or Infinity


_JSON_DECODER = json.JSONDecoder(parse_constant=_reject_constant)


def _parse_json(logical: LogicalLine, text: str, start: int, end: int) -> _Node | None:
    """A JSON (exec form) argument list, or None when the text is not a JSON array."""
    while start < end and text[start] in GO_SPACE:
        start += 1
    if start == end or text[start] != "[":
        return None
    # BuildKit decodes with json.NewDecoder(...).Decode: the first value counts, text after it is ignored.
    try:
        value, length = _JSON_DECODER.raw_decode(text[start:end])
    except (ValueError, RecursionError):
        return None
    if not isinstance(value, list):
        return None
    if not all(isinstance(item, str) for item in value):
        return _Node([], [], is_json=True, error=NOT_STRING_ARRAY)
    spans = _json_string_spans(text, start, start + length)
    if len(spans) != len(value):  # cannot happen for a flat array of strings; stay safe
        spans = [(start, end)] * len(value)
    args = [
        logical.token(_LONE_SURROGATE.sub("\ufffd", item), a, b)  # as Go's encoding/json decodes them
        for item, (a, b) in zip(value, spans, strict=True)
    ]
    return _Node(args, [], is_json=True)


def _maybe_json(logical: LogicalLine, text: str, start: int, end: int) -> _Node:
    if start == end:
        return _Node([], [])
    node = _parse_json(logical, text, start, end)
    if node is not None:
        return node
    return _single_string(logical, text, start, end)


def _maybe_json_to_list(logical: LogicalLine, text: str, start: int, end: int) -> _Node:
    node = _parse_json(logical, text, start, end)
    if node is not None:
        return node
    return _whitespace_words(logical, text, start, end)


def _parse_words(text: str, start: int, end: int, escape: str) -> list[tuple[str, int, int]]:
    """BuildKit's parseWords: split on spaces outside quotes; quotes and escapes stay in the words."""
    words: list[tuple[str, int, int]] = []
    word: list[str] = []
    word_start = start
    blank_ok = False
    quote = ""
    in_word = in_quote = False
    pos = start
    while pos < end:
        ch = text[pos]
        if not in_word and not in_quote:
            if ch in GO_SPACE:
                pos += 1
                continue
            in_word, word_start = True, pos
        if in_quote:
            if ch == quote:
                in_quote, in_word = False, True
            if ch == escape and quote != "'":
                if pos + 1 == end:
                    in_quote, in_word = False, True
                    pos += 1
                    continue
                word.append(ch)
                pos += 1
                ch = text[pos]
            word.append(ch)
            pos += 1
            continue
        # in a word
        if ch in GO_SPACE:
            if blank_ok or word:
                words.append(("".join(word), word_start, pos))
            word, blank_ok, in_word = [], False, False
            pos += 1
            continue
        if ch in "'\"":
            quote, blank_ok, in_quote, in_word = ch, True, True, False
        if ch == escape:
            if pos + 1 == end:
                pos += 1
                continue
            word.append(ch)
            pos += 1
            ch = text[pos]
        word.append(ch)
        pos += 1
    if (in_word or in_quote) and (blank_ok or word):
        words.append(("".join(word), word_start, end))
    return words


def _name_value(keyword: str) -> Callable[[LogicalLine, str, int, int, str], _Node]:
    def parse(logical: LogicalLine, text: str, start: int, end: int, escape: str) -> _Node:
        words = _parse_words(text, start, end, escape)
        if not words:
            return _Node([], [], invalid=f"{keyword} requires at least one argument")
        if "=" not in words[0][0]:  # legacy `KEY name value`
            match = _SEPARATOR.search(text, start, end)
            if match is None:
                return _Node([], [], error=f"{keyword} must have two arguments")
            key = logical.token(text[start : match.start()], start, match.start())
            legacy_value = logical.token(text[match.end() : end], match.end(), end)
            separator = logical.token("", end, end)
            return _Node([key, legacy_value, separator], [KeyValue(key, legacy_value, legacy=True)])
        args: list[Token] = []
        pairs: list[KeyValue] = []
        for word, a, b in words:
            if "=" not in word:
                message = f"Syntax error - can't find = in {json.dumps(word)}. Must be of the form: name=value"
                return _Node(args, pairs, error=message)
            name, value = word.split("=", 1)
            equals = text.index("=", a, b)
            key_token = logical.token(name, a, equals)
            value_token = logical.token(value, equals + 1, b)
            args += [key_token, value_token, logical.token("=", equals, equals + 1)]
            pairs.append(KeyValue(key_token, value_token))
        return _Node(args, pairs)

    return parse


def _parse_arg(logical: LogicalLine, text: str, start: int, end: int, escape: str) -> _Node:
    args: list[Token] = []
    pairs: list[KeyValue] = []
    for word, a, b in _parse_words(text, start, end, escape):
        args.append(logical.token(word, a, b))
        if "=" in word:
            name, value = word.split("=", 1)
            equals = text.index("=", a, b)
            pairs.append(KeyValue(logical.token(name, a, equals), logical.token(value, equals + 1, b)))
        else:
            pairs.append(KeyValue(logical.token(word, a, b), None))
    return _Node(args, pairs)


def _parse_healthcheck(logical: LogicalLine, text: str, start: int, end: int) -> _Node:
    sep = start
    while sep < end and text[sep] not in GO_SPACE:
        sep += 1
    if sep == start:
        return _Node([], [])
    following = sep
    while following < end and text[following] in GO_SPACE:
        following += 1
    command = _maybe_json(logical, text, following, end)
    command.args.insert(0, logical.token(text[start:sep], start, sep))
    return command


def _dispatch(keyword: str, logical: LogicalLine, text: str, start: int, end: int, escape: str) -> _Node:
    if keyword in {"RUN", "CMD", "ENTRYPOINT", "SHELL"}:
        return _maybe_json(logical, text, start, end)
    if keyword in {"ADD", "COPY", "VOLUME"}:
        return _maybe_json_to_list(logical, text, start, end)
    if keyword in {"FROM", "EXPOSE"}:
        return _whitespace_words(logical, text, start, end)
    if keyword in {"MAINTAINER", "STOPSIGNAL", "USER", "WORKDIR"}:
        return _single_string(logical, text, start, end)
    if keyword in {"ENV", "LABEL"}:
        return _name_value(keyword)(logical, text, start, end, escape)
    if keyword == "ARG":
        return _parse_arg(logical, text, start, end, escape)
    if keyword == "HEALTHCHECK":
        return _parse_healthcheck(logical, text, start, end)
    return _Node([], [])


# --- flags and the command line ------------------------------------------------------------------


def _extract_flags(text: str, start: int, end: int) -> tuple[list[tuple[str, int, int]], int]:
    """BuildKit's extractBuilderFlags: the leading `--name[=value]` words (unquoted), and where the rest starts."""
    flags: list[tuple[str, int, int]] = []
    pos = start
    while pos < end:
        while pos < end and text[pos] in GO_SPACE:
            pos += 1
        if pos >= end:
            return flags, end
        if not text.startswith("--", pos) or pos + 1 >= end:
            return flags, pos
        word: list[str] = []
        word_start = pos
        blank_ok = False
        quote = ""
        while pos < end:
            ch = text[pos]
            if quote:
                if ch == quote:
                    quote = ""
                    pos += 1
                    continue
            elif ch in GO_SPACE:
                break
            elif ch in "'\"":
                quote, blank_ok = ch, True
                pos += 1
                continue
            if ch == "\\":
                if pos + 1 == end:
                    pos += 1
                    quote = ""
                    continue
                pos += 1
                ch = text[pos]
            word.append(ch)
            pos += 1
        value = "".join(word)
        if value == "--":
            while pos < end and text[pos] in GO_SPACE:
                pos += 1
            return flags, pos
        if blank_ok or value:
            flags.append((value, word_start, pos))
    return flags, end


def _make_flag(logical: LogicalLine, text: str, value: str, start: int, end: int) -> Flag:
    body = value[2:]
    name, equals, flag_value = body.partition("=")
    value_span = None
    if equals:
        raw_equals = text.find("=", start, end)
        value_span = logical.span(raw_equals + 1, end) if raw_equals != -1 else None
    return Flag(name, flag_value if equals else None, logical.span(start, end), value_span)


def _build_instruction(
    logical: LogicalLine, text: str, start: int, end: int, escape: str, depth: int = 0
) -> tuple[Instruction, _Node]:
    """Parse one instruction from `text[start:end]` (a logical line or an ONBUILD tail)."""
    start, end = _strip_span(text, start, end)
    separator = _SEPARATOR.search(text, start, end)
    command_end = separator.start() if separator else end
    keyword_token = logical.token(text[start:command_end], start, command_end)
    keyword = keyword_token.value.upper()
    flags: list[Flag] = []
    rest_start = rest_end = end
    if separator:
        raw_flags, rest_start = _extract_flags(text, separator.end(), end)
        flags = [_make_flag(logical, text, value, a, b) for value, a, b in raw_flags]
        rest_start, rest_end = _strip_span(text, rest_start, end)
    rest = logical.token(text[rest_start:rest_end], rest_start, rest_end) if rest_start < rest_end else None
    inner: Instruction | None = None
    if keyword == "ONBUILD":
        node = _Node([], [])
        if rest is not None:
            if depth >= MAX_ONBUILD_DEPTH:
                node.error = "ONBUILD nested too deeply"
            else:
                inner, inner_node = _build_instruction(logical, text, rest_start, rest_end, escape, depth + 1)
                node.error = inner_node.error  # the trigger's own build-time errors: see instruction_error
                node.is_json = inner_node.is_json
    else:
        node = _dispatch(keyword, logical, text, rest_start, rest_end, escape)
    instruction = Instruction(
        keyword=keyword,
        keyword_span=keyword_token.span,
        span=logical.span(start, end),
        start_line=0,
        end_line=0,
        flags=tuple(flags),
        rest=rest,
        args=tuple(node.args),
        key_values=tuple(node.key_values),
        is_json=node.is_json,
        inner=inner,
        error=node.error or node.invalid,
    )
    if node.error is None and node.invalid is None:  # what BuildKit's instructions package rejects
        node.invalid = instruction_error(instruction)
        if node.invalid is not None:
            instruction = replace(instruction, error=node.invalid)
    return instruction, node


# --- heredocs -----------------------------------------------------------------------------------


def _raw_words(text: str) -> list[tuple[str, int, int]]:
    """Shell-like words with quotes and escapes kept (BuildKit lexes heredoc markers this way).

    As in BuildKit's lexer, words end at any Unicode space, and an unterminated quote makes the
    lexing fail: the line then has no heredocs at all.
    """
    words: list[tuple[str, int, int]] = []
    pos, end = 0, len(text)
    while pos < end:
        while pos < end and text[pos] in GO_SPACE:
            pos += 1
        if pos >= end:
            break
        start, quote = pos, ""
        while pos < end:
            ch = text[pos]
            if quote:
                if ch == quote:
                    quote = ""
                elif ch == "\\" and quote == '"' and pos + 1 < end:
                    pos += 1
            elif ch in GO_SPACE:
                break
            elif ch in "'\"":
                quote = ch
            elif ch == "\\" and pos + 1 < end:
                pos += 1
            pos += 1
        if quote:
            return []
        words.append((text[start:pos], start, pos))
    return words


def _unquote(word: str) -> str:
    out: list[str] = []
    quote = ""
    i = 0
    while i < len(word):
        ch = word[i]
        if quote:
            if ch == quote:
                quote = ""
            elif ch == "\\" and quote == '"' and i + 1 < len(word) and word[i + 1] in '"\\$':
                i += 1
                out.append(word[i])
            else:
                out.append(ch)
        elif ch in "'\"":
            quote = ch
        elif ch == "\\" and i + 1 < len(word):
            i += 1
            out.append(word[i])
        else:
            out.append(ch)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class _Marker:
    name: str
    chomp: bool
    expand: bool
    fd: int
    start: int
    end: int


def _directive_value(raw: str, start: int) -> tuple[int, int] | None:
    """Where a directive's value is in its line (`start`: after the `=`): past the blanks after `=`,
    before the blanks ending the line; a value of blanks only is its last blank, None when empty
    (what `[ \t]*(.+?)[ \t]*$` matched, in linear time)."""
    begin = len(raw) - len(raw[start:].lstrip(" \t"))
    end = len(raw.rstrip(" \t"))
    if begin < end:
        return begin, end
    return (len(raw) - 1, len(raw)) if start < len(raw) else None


def _heredoc_markers(text: str) -> list[_Marker]:
    markers: list[_Marker] = []
    for word, start, end in _raw_words(text):
        match = _HEREDOC.match(word)
        if match is None or not match.group(3):
            continue
        name = _unquote(match.group(3))
        if not name:
            continue
        quoted = any(q in match.group(3) for q in "'\"")
        fd = int(match.group(1)) if match.group(1) else 0
        markers.append(_Marker(name, match.group(2) == "-", not quoted, fd, start, end))
    return markers


# --- the file -----------------------------------------------------------------------------------


class _Reader:
    """Walks the physical lines once, building the model."""

    def __init__(self, text: str, path: str | None) -> None:
        self.text = text
        self.path = path
        self.index = LineIndex(text)
        self.count = self.index.line_count
        self.kinds: list[LineKind] = [LineKind.BLANK] * self.count
        self.escape = "\\"
        self.directives: list[Directive] = []
        self.comments: list[Comment] = []
        self.instructions: list[Instruction] = []
        self.errors: list[ParseError] = []
        self.has_bom = text.startswith(BOM)

    def line(self, number: int) -> tuple[str, int]:
        """A line's text without its newline, and its start offset (after a BOM on line 1)."""
        start = self.index.line_start(number)
        if number == 1 and self.has_bom:
            start += 1
        return self.text[start : self.index.line_end(number)], start

    def error(self, message: str, span: Span, line: int) -> None:
        self.errors.append(ParseError(message, span, line))

    def read_directives(self) -> int:
        """Parse the directive block; return the first line after it."""
        seen: set[str] = set()
        number = 1
        while number <= self.count:
            raw, offset = self.line(number)
            lead = len(raw) - len(raw.lstrip(GO_SPACE))
            match = _DIRECTIVE.match(raw, lead)
            found = _directive_value(raw, match.end()) if match is not None else None
            if match is None or found is None or match.group(1).lower() not in VALID_DIRECTIVES:
                break
            name = match.group(1).lower()
            span = Span(offset + lead, offset + len(raw))
            if name in seen:
                self.error(f"only one {name} parser directive can be used", span, number)
            seen.add(name)
            value = raw[found[0] : found[1]]
            value_span = Span(offset + found[0], offset + found[1])
            self.directives.append(Directive(name, value, span, value_span, number))
            self.comments.append(Comment(raw[lead + 1 :].strip(GO_SPACE), span, number))
            self.kinds[number - 1] = LineKind.DIRECTIVE
            if name == "escape":
                if value in ("\\", "`"):
                    self.escape = value
                else:
                    self.error(f"invalid escape token '{value}' does not match ` or \\", value_span, number)
            number += 1
        return number

    def comment(self, raw: str, offset: int, number: int, *, inside: bool) -> Comment:
        lead = len(raw) - len(raw.lstrip(GO_SPACE))
        comment = Comment(raw[lead + 1 :].strip(GO_SPACE), Span(offset + lead, offset + len(raw)), number, inside)
        self.comments.append(comment)
        self.kinds[number - 1] = LineKind.CONTINUATION_COMMENT if inside else LineKind.COMMENT
        return comment

    def read(self) -> Dockerfile:
        number = self.read_directives()
        block: list[Comment] = []  # the comments directly above the next instruction
        while number <= self.count:
            raw, offset = self.line(number)
            if _is_comment(raw):
                block.append(self.comment(raw, offset, number, inside=False))
                number += 1
                continue
            lead = len(raw) - len(raw.lstrip(GO_SPACE))
            first, ends = _trim_continuation(raw[lead:], self.escape)
            if ends and not first:
                block = []
                number += 1
                continue
            number = self.read_instruction(number, first, offset + lead, ends, tuple(block))
            block = []
        if not self.instructions and not self.errors:
            self.error("file with no instructions", Span(0, 0), 1)
        return Dockerfile(
            text=self.text,
            path=self.path,
            escape=self.escape,
            directives=tuple(self.directives),
            comments=tuple(self.comments),
            instructions=tuple(self.instructions),
            errors=tuple(self.errors),
            line_kinds=tuple(self.kinds),
            has_bom=self.has_bom,
            lines=self.index,
        )

    def read_instruction(self, number: int, first: str, offset: int, ends: bool, above: tuple[Comment, ...]) -> int:
        start_line = number
        self.kinds[number - 1] = LineKind.INSTRUCTION
        logical = LogicalLine()
        logical.add(first, offset)
        while not ends and number < self.count:
            number += 1
            raw, line_offset = self.line(number)
            if _is_comment(raw):
                self.comment(raw, line_offset, number, inside=True)
                continue
            if not raw.strip(GO_SPACE):
                self.kinds[number - 1] = LineKind.EMPTY_CONTINUATION
                continue
            self.kinds[number - 1] = LineKind.CONTINUATION
            part, ends = _trim_continuation(raw, self.escape)
            logical.add(part, line_offset)
        text = logical.text()
        instruction, node = _build_instruction(logical, text, 0, len(text), self.escape)
        heredocs: list[Heredoc] = []
        target = instruction.effective
        if target.keyword in HEREDOC_INSTRUCTIONS and not target.is_json and "<<" in text:
            for marker in _heredoc_markers(text):
                heredoc, number = self.read_heredoc(marker, logical, number)
                heredocs.append(heredoc)
                if heredoc.terminator is None:
                    break
        end_offset = self.index.line_end(number)
        instruction = replace(
            instruction,
            span=Span(instruction.keyword_span.start, max(end_offset, instruction.keyword_span.end)),
            start_line=start_line,
            end_line=number,
            heredocs=tuple(heredocs),
            comments=above,
            index=len(self.instructions),
        )
        if instruction.inner is not None:
            inner_span = Span(instruction.inner.span.start, instruction.span.end)
            inner = replace(
                instruction.inner, span=inner_span, start_line=start_line, end_line=number, heredocs=tuple(heredocs)
            )
            instruction = replace(instruction, inner=inner)
        if node.error:
            self.error(node.error, instruction.keyword_span, start_line)
        elif node.invalid:
            self.errors.append(ParseError(node.invalid, instruction.keyword_span, start_line, phase="build"))
        self.instructions.append(instruction)
        return number + 1

    def read_heredoc(self, marker: _Marker, logical: LogicalLine, number: int) -> tuple[Heredoc, int]:
        body_start = self.index.line_end(number, keep_newline=True)
        parts: list[str] = []
        terminator: Span | None = None
        while number < self.count:
            number += 1
            start = self.index.line_start(number)
            raw = self.text[start : self.index.line_end(number, keep_newline=True)]
            candidate = raw.rstrip("\r\n")
            if marker.chomp:
                candidate = candidate.lstrip("\t")
            if candidate == marker.name:
                self.kinds[number - 1] = LineKind.HEREDOC_END
                terminator = Span(start, self.index.line_end(number))
                break
            self.kinds[number - 1] = LineKind.HEREDOC_BODY
            parts.append(raw)
        body_end = terminator.start if terminator else len(self.text)
        marker_span = logical.span(marker.start, marker.end)
        if terminator is None:
            self.error("unterminated heredoc", marker_span, self.index.line_of(marker_span.start))
        content = "".join(parts)
        heredoc = Heredoc(
            marker.name, marker.chomp, marker.expand, marker.fd, marker_span,
            Span(min(body_start, body_end), body_end), terminator, content,
        )  # fmt: skip
        return heredoc, number


def logical_line(dockerfile: Dockerfile, instruction: Instruction) -> LogicalLine:
    """Rebuild an instruction's logical line (keyword to last continuation) with its source map."""
    logical = LogicalLine()
    lines = dockerfile.lines
    for number in range(instruction.start_line, instruction.end_line + 1):
        kind = dockerfile.line_kinds[number - 1]
        if number == instruction.start_line:
            start = instruction.keyword_span.start
        elif kind is LineKind.CONTINUATION:
            start = lines.line_start(number)
        elif kind in (LineKind.CONTINUATION_COMMENT, LineKind.EMPTY_CONTINUATION):
            continue
        else:
            break  # heredoc bodies follow the logical line
        part, ends = _trim_continuation(dockerfile.text[start : lines.line_end(number)], dockerfile.escape)
        logical.add(part, start)
        if ends:
            break
    return logical


def parse(text: str, path: str | None = None, build_args: Mapping[str, str] | None = None) -> Dockerfile:
    """Parse Dockerfile text.  Never raises on content: problems become `Dockerfile.errors`.

    `build_args` (`--build-arg NAME=VALUE`) override the defaults of the ARGs the file declares.
    """
    document = _Reader(text, path).read()
    return replace(document, build_args=dict(build_args)) if build_args else document


__all__ = ["GO_SPACE", "KNOWN_INSTRUCTIONS", "LogicalLine", "logical_line", "parse"]

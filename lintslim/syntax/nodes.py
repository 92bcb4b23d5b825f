"""The lossless Dockerfile model: plain frozen dataclasses with exact spans into the source text."""

from __future__ import annotations

import bisect
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

from lintslim.syntax.source import LineIndex, Span

if TYPE_CHECKING:
    from lintslim.syntax.stages import BuildGraph

# Instructions BuildKit knows (frontend/dockerfile/command).  Anything else fails the build.
KNOWN_INSTRUCTIONS = frozenset(
    {
        "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL",
        "MAINTAINER", "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
    }
)  # fmt: skip


class LineKind(enum.Enum):
    """What a physical line is, as BuildKit reads it."""

    DIRECTIVE = "directive"
    COMMENT = "comment"
    BLANK = "blank"
    INSTRUCTION = "instruction"  # the first line of an instruction
    CONTINUATION = "continuation"
    CONTINUATION_COMMENT = "continuation-comment"  # a comment inside a continued instruction (dropped by BuildKit)
    EMPTY_CONTINUATION = "empty-continuation"  # a blank line inside a continued instruction (deprecated)
    HEREDOC_BODY = "heredoc-body"
    HEREDOC_END = "heredoc-end"


@dataclass(frozen=True, slots=True)
class Token:
    """A value as BuildKit's parser produces it, and the source text it came from."""

    value: str
    span: Span


@dataclass(frozen=True, slots=True)
class Flag:
    """An instruction flag such as `--from=build` or `--link`; `value` is None when there is no `=`."""

    name: str
    value: str | None
    span: Span
    value_span: Span | None

    @property
    def text(self) -> str:
        return f"--{self.name}" if self.value is None else f"--{self.name}={self.value}"


@dataclass(frozen=True, slots=True)
class KeyValue:
    """One `key=value` (or legacy `key value`) pair of ENV, LABEL or ARG.  Values keep their quotes."""

    key: Token
    value: Token | None  # None for `ARG name` without a default
    legacy: bool = False  # the old `ENV key value` form


@dataclass(frozen=True, slots=True)
class Heredoc:
    """A here-document attached to RUN, COPY or ADD (`<<EOF`, `<<-EOF`, `<<"EOF"`, `3<<EOF`)."""

    name: str
    chomp: bool  # `<<-`: leading tabs are stripped from the body
    expand: bool  # False when the marker is quoted: no variable expansion in the body
    file_descriptor: int
    marker: Span  # the `<<EOF` word on the instruction line
    body: Span  # the body lines, with their newlines
    terminator: Span | None  # None when the heredoc never ends (a parse error)
    content: str  # the raw body as BuildKit reads it

    @property
    def text(self) -> str:
        """The body as the build sees it: with `<<-`, leading tabs removed from each line."""
        if not self.chomp:
            return self.content
        return "".join(line.lstrip("\t") for line in self.content.splitlines(keepends=True))


@dataclass(frozen=True, slots=True)
class Comment:
    """A whole-line comment; `text` is what follows `#`, stripped."""

    text: str
    span: Span  # from `#` to the end of the line (no newline)
    line: int
    inside_instruction: bool = False


@dataclass(frozen=True, slots=True)
class Directive:
    """A parser directive at the top of the file: `# syntax=`, `# escape=` or `# check=`."""

    name: str  # lower-case
    value: str
    span: Span
    value_span: Span
    line: int


@dataclass(frozen=True, slots=True)
class ParseError:
    """Content the build would reject.  Reported as LS900 at its place; parsing goes on after it."""

    message: str
    span: Span
    line: int
    # "parse": BuildKit's parser rejects the file; "build": the parser accepts it but the build fails
    # on it (an unknown instruction, an ONBUILD trigger that is not allowed, an empty ENV).
    phase: str = "parse"


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction with every part located in the source.

    `args` is BuildKit's parsed argument list (the dump in its conformance tests): whitespace-split
    words, JSON array strings, the raw string of shell form, or key, value, separator triples.
    """

    keyword: str  # upper-case
    keyword_span: Span
    span: Span  # the whole instruction: continuation lines and heredoc bodies included, no final newline
    start_line: int
    end_line: int
    flags: tuple[Flag, ...] = ()
    rest: Token | None = None  # the argument text after the flags, continuations joined
    args: tuple[Token, ...] = ()
    key_values: tuple[KeyValue, ...] = ()
    is_json: bool = False
    heredocs: tuple[Heredoc, ...] = ()
    inner: Instruction | None = None  # the instruction ONBUILD wraps
    comments: tuple[Comment, ...] = ()  # the comment block directly above
    error: str | None = None  # set when BuildKit rejects this instruction
    index: int = 0  # position among the file's instructions

    @property
    def is_known(self) -> bool:
        return self.keyword in KNOWN_INSTRUCTIONS

    @property
    def effective(self) -> Instruction:
        """The instruction that acts: the wrapped one for ONBUILD, else itself."""
        return self.inner if self.inner is not None else self

    @property
    def is_shell_form(self) -> bool:
        return self.keyword in {"RUN", "CMD", "ENTRYPOINT"} and not self.is_json and self.rest is not None

    def flag(self, name: str) -> Flag | None:
        for flag in self.flags:
            if flag.name == name:
                return flag
        return None

    def flags_named(self, name: str) -> tuple[Flag, ...]:
        return tuple(flag for flag in self.flags if flag.name == name)

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(token.value for token in self.args)


@dataclass(frozen=True)
class Dockerfile:
    """A parsed Dockerfile: the source, its directives, comments, instructions and per-line roles."""

    text: str
    path: str | None
    escape: str
    directives: tuple[Directive, ...]
    comments: tuple[Comment, ...]
    instructions: tuple[Instruction, ...]
    errors: tuple[ParseError, ...]
    line_kinds: tuple[LineKind, ...]  # index 0 is line 1
    lines: LineIndex = field(repr=False, compare=False)  # built once by the parser, shared by every consumer
    has_bom: bool = False
    # `--build-arg` values (from the command line or a SAM template): they override declared ARGs' defaults.
    build_args: Mapping[str, str] = field(default_factory=dict, compare=False)

    def directive(self, name: str) -> Directive | None:
        for directive in self.directives:
            if directive.name == name:
                return directive
        return None

    @cached_property
    def graph(self) -> BuildGraph:
        """Stages, their bases with ARGs resolved, variable scopes and `COPY --from` links."""
        from lintslim.syntax.stages import build_graph

        return build_graph(self)

    @cached_property
    def memo(self) -> dict[tuple[object, ...], object]:
        """Per-document results of analyses several rules share, keyed by (analysis name, arguments…)."""
        return {}

    @cached_property
    def _start_lines(self) -> list[int]:
        return [instruction.start_line for instruction in self.instructions]

    def instruction_at_line(self, line: int) -> Instruction | None:
        """The instruction whose lines (continuations and heredoc bodies included) hold `line`, if any.

        Instructions follow each other without overlapping, so the candidate is the last one starting
        at or before `line` (a bisection: editors and rules ask this per line).
        """
        position = bisect.bisect_right(self._start_lines, line)
        if not position:
            return None
        instruction = self.instructions[position - 1]
        return instruction if line <= instruction.end_line else None

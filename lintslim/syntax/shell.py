"""The shell commands a RUN executes, as simple commands whose words keep exact source spans.

This is a tolerant splitter, not a POSIX parser: it cuts the text into simple commands on control
operators (`&&`, `||`, `;`, `|`, `&`, newlines, subshell parentheses), strips quotes, sets
redirections apart and skips reserved words (`if`, `then`, `do`…), which is what rules need to ask
"which programs run here, with which arguments".  Substitutions (`$(…)`, backticks, `${…}`) stay
inside their word, unexpanded: the shell, not BuildKit, expands them at build time.  It never
fails: text it cannot make sense of becomes words all the same.

Sources of commands for one instruction: the shell-form text (continuations joined, spans mapped
back through the logical line), heredoc bodies that the shell runs as a script (`RUN <<EOF`,
`RUN bash <<EOF`), and exec form (`RUN ["sh", "-c", "…"]` is split; other arrays are one command).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from lintslim.syntax.nodes import Dockerfile, Instruction, Token
from lintslim.syntax.source import Span
from lintslim.syntax.stages import Stage

POSIX_SHELLS = frozenset({"sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "busybox"})
# Words that open or close compound commands: the simple command starts after them.
_RESERVED = frozenset({"if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "{", "}", "time"})
# Programs that run the command given after their own options and arguments.
_WRAPPERS = frozenset({"sudo", "env", "exec", "nohup", "nice", "command", "gosu", "su-exec", "chronic", "eatmydata"})
_WRAPPER_OPTIONS_WITH_VALUE = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U", "-T"}),
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "exec": frozenset({"-a"}),
}
_USER_ARGUMENT = frozenset({"gosu", "su-exec"})  # `gosu user cmd…`
_BLANK = " \t\r"
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")  # a shell variable name (ASCII, as POSIX says)
# Characters that need the careful word reader; runs of anything else are taken in one step.
_PLAIN_RUN = re.compile(r"[^\s;&|()<>\\'\"$`]+")
_WORD_END = frozenset(" \t\r\n;&|()")  # `<`/`>` are left out: `<(` is a process substitution


SpanOf = Callable[[int, int], Span]  # maps offsets in the split text to a span of the source


@dataclass(frozen=True, slots=True)
class Word:
    """One shell word: `raw` as written, `value` with quotes and backslash escapes removed.

    `start`/`end` are offsets in the text that was split; `span` maps them to the source on demand
    (most words are never reported, and mapping through continuation lines costs a bisect).
    """

    raw: str
    value: str
    start: int
    end: int
    span_of: SpanOf = field(compare=False, repr=False)
    quoted: bool = False

    @property
    def span(self) -> Span:
        return self.span_of(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Redirect:
    """A redirection such as `> /dev/null` or `2>&1`; `target` is None when the operator has no word."""

    operator: str
    target: Word | None
    start: int
    end: int
    span_of: SpanOf = field(compare=False, repr=False)

    @property
    def span(self) -> Span:
        return self.span_of(self.start, self.end)


@dataclass(frozen=True, slots=True)
class Command:
    """A simple command: its words (leading assignments included), redirections and place."""

    words: tuple[Word, ...]
    start: int
    end: int
    span_of: SpanOf = field(compare=False, repr=False)
    operator: str = ""  # the control operator before it ("" for the first command)
    redirects: tuple[Redirect, ...] = ()
    in_heredoc: bool = False  # read from a heredoc body rather than the instruction line
    # Subshells that ended, then began, between the previous command of the same script and this one:
    # `(cd /tmp && make) && go build` gives `cd` enters=1 and `go` leaves=1.
    leaves: int = 0
    enters: int = 0
    # `NAME=value` words before the program (including those given to `env`), and the program
    # with its arguments past them and past wrappers (`sudo`, `env`, `exec`…); set once, here.
    assignments: dict[str, str] = field(init=False, compare=False)
    argv: tuple[Word, ...] = field(init=False, compare=False)
    # The program's base name (`/usr/bin/pip3` → `pip3`), or None for a bare assignment.
    name: str | None = field(init=False, compare=False)

    def __post_init__(self) -> None:
        assignments, argv = _split(self.words)
        object.__setattr__(self, "assignments", assignments)
        object.__setattr__(self, "argv", argv)
        object.__setattr__(self, "name", argv[0].value.rsplit("/", 1)[-1] if argv else None)

    @property
    def span(self) -> Span:
        return self.span_of(self.start, self.end)

    @property
    def args(self) -> tuple[str, ...]:
        """The arguments' values, without the program."""
        return tuple(word.value for word in self.argv[1:])


def _assignment(word: Word) -> tuple[str, str] | None:
    name, equals, value = word.value.partition("=")
    if not equals or not _NAME.fullmatch(name) or not word.raw.startswith(name):
        return None
    return name, value


def _split(words: tuple[Word, ...]) -> tuple[dict[str, str], tuple[Word, ...]]:
    assignments: dict[str, str] = {}
    index = 0
    while index < len(words):
        pair = _assignment(words[index])
        if pair is None:
            break
        assignments[pair[0]] = pair[1]
        index += 1
    while index < len(words) and (program := words[index].value.rsplit("/", 1)[-1]) in _WRAPPERS:
        index += 1
        needs_value = _WRAPPER_OPTIONS_WITH_VALUE.get(program, frozenset())
        while index < len(words):
            value = words[index].value
            if value == "--":
                index += 1
                break
            if program == "env" and (pair := _assignment(words[index])) is not None:
                assignments[pair[0]] = pair[1]
            elif not value.startswith("-") or value == "-":
                break
            index += 2 if value in needs_value else 1
        if program in _USER_ARGUMENT:
            index += 1
    return assignments, words[index:]


# --- the tokenizer ----------------------------------------------------------------------------


@dataclass
class _Builder:
    """Accumulates words and commands while scanning one text."""

    span_of: SpanOf
    in_heredoc: bool
    commands: list[Command] = field(default_factory=list)
    words: list[Word] = field(default_factory=list)
    redirects: list[Redirect] = field(default_factory=list)
    operator: str = ""
    pending_redirect: tuple[str, int, int] | None = None  # operator, start, end
    heredoc_markers: list[tuple[str, bool]] = field(default_factory=list)  # name, strip tabs
    depth: int = 0  # subshells open
    closed: int = 0  # subshells ended since the last command
    opened: int = 0  # subshells begun since the last command (a `(…)` pair with no command inside cancels)
    in_case: int = 0  # inside `case … esac`, where `a)` is a pattern, not the end of a subshell

    def add_word(self, word: Word, start: int) -> None:
        if self.pending_redirect is not None:
            operator, op_start, _ = self.pending_redirect
            self.pending_redirect = None
            self.redirects.append(Redirect(operator, word, op_start, word.end, self.span_of))
            if operator in ("<<", "<<-"):
                self.heredoc_markers.append((word.value, operator == "<<-"))
            return
        if not self.words and word.value in _RESERVED and not word.quoted:
            return
        self.words.append(word)

    def end_command(self, operator: str) -> None:
        self.flush_redirect()
        if self.words or self.redirects:
            parts: list[Word | Redirect] = [*self.words, *self.redirects]
            start, end = min(part.start for part in parts), max(part.end for part in parts)
            leaves = min(self.closed, self.depth)
            self.depth += self.opened - leaves
            command = Command(
                tuple(self.words), start, end, self.span_of, self.operator, tuple(self.redirects), self.in_heredoc,
                leaves, self.opened,
            )  # fmt: skip
            self.commands.append(command)
            self.closed = self.opened = 0
            if command.name == "case":
                self.in_case += 1
            elif command.name == "esac" and self.in_case:
                self.in_case -= 1
        self.words, self.redirects = [], []
        self.operator = operator

    def parenthesis(self, char: str) -> None:
        """Count a subshell parenthesis (after `end_command` has closed the command before it)."""
        if self.in_case:
            return
        if char == "(":
            self.opened += 1
        elif self.opened:
            self.opened -= 1
        else:
            self.closed += 1

    def flush_redirect(self) -> None:
        if self.pending_redirect is not None:
            operator, start, end = self.pending_redirect
            self.redirects.append(Redirect(operator, None, start, end, self.span_of))
            self.pending_redirect = None


# One token at the start of a word: what the splitter does next depends on which group matched.
_TOKEN = re.compile(
    r"""
    (?P<blank>[ \t\r]+)
    | (?P<continuation>\\\n)                     # a line continuation inside a heredoc script
    | (?P<newline>\n)
    | (?P<comment>\#[^\n]*)
    | (?P<operator>&&|\|\||;;|\|&|;|\||&(?!>)|\(|\))
    | (?P<redirect>\d*(?:<<<|<<-|<<|>>|>&|<&|>\||<>|>|<)|&>>?)
    | (?P<plain>[^\s;&|()<>\\'"$`]+(?=[ \t\r\n;&|()]|$))   # a word with nothing special in it
    """,
    re.VERBOSE,
)


def split_commands(text: str, span_of: SpanOf, *, in_heredoc: bool = False) -> list[Command]:
    """Split shell `text` into simple commands; `span_of(start, end)` maps text offsets to the source."""
    builder = _Builder(span_of, in_heredoc)
    index, length = 0, len(text)
    while index < length:
        token = _TOKEN.match(text, index)
        kind = token.lastgroup if token is not None else None
        if token is None or kind is None:
            word, end = _read_word(text, index, span_of)
            builder.add_word(word, index)
            index = end
            continue
        end = token.end()
        if kind == "plain":
            value = token.group()
            builder.add_word(Word(value, value, index, end, span_of), index)
        elif kind == "newline":
            builder.end_command("\n")
            end = _skip_heredoc_bodies(text, end, builder.heredoc_markers)
            builder.heredoc_markers.clear()
        elif kind == "operator":
            builder.end_command(token.group())
            if token.group() in ("(", ")"):
                builder.parenthesis(token.group())
        elif kind == "redirect":
            end = _redirect(builder, text, index, end)
        index = end  # blanks, continuations and comments are skipped
    builder.end_command("")
    return builder.commands


def _redirect(builder: _Builder, text: str, start: int, end: int) -> int:
    """Record a redirection operator; `>&2`, `<&-` take their target with them.  Returns where to go on."""
    builder.flush_redirect()
    operator = text[start:end]
    if operator.endswith("&") and end < len(text) and (text[end].isdigit() or text[end] == "-"):
        builder.redirects.append(Redirect(operator + text[end], None, start, end + 1, builder.span_of))
        return end + 1
    builder.pending_redirect = (operator, start, end)
    return end


def _read_word(text: str, index: int, span_of: SpanOf) -> tuple[Word, int]:
    start = index
    plain = _PLAIN_RUN.match(text, index)
    if plain is not None:
        end = plain.end()
        if end >= len(text) or text[end] in _WORD_END:  # the common case: a word with nothing special
            return Word(plain.group(), plain.group(), start, end, span_of), end
    value: list[str] = []
    quoted = False
    length = len(text)
    while index < length:
        if plain is not None and index == start:  # the plain prefix is already known
            value.append(plain.group())
            index = plain.end()
            continue
        ch = text[index]
        if ch in _BLANK or ch == "\n" or (ch in ";&|()<>" and not (ch in "<>" and text.startswith("(", index + 1))):
            break
        if ch == "\\":
            if text.startswith("\n", index + 1):
                index += 2
                continue
            value.append(text[index + 1 : index + 2])
            index += 2
            quoted = True
        elif ch == "'":
            end = text.find("'", index + 1)
            end = length if end == -1 else end
            value.append(text[index + 1 : end])
            index, quoted = end + 1, True
        elif ch == '"':
            index = _read_double_quoted(text, index + 1, value)
            quoted = True
        elif ch == "$" and text.startswith("'", index + 1):
            end = text.find("'", index + 2)
            end = length if end == -1 else end
            value.append(text[index + 2 : end])
            index, quoted = end + 1, True
        elif ch == "$" and index + 1 < length and text[index + 1] in "({":
            end = _balanced(text, index + 1)
            value.append(text[index:end])
            index = end
        elif ch == "`":
            end = text.find("`", index + 1)
            end = length if end == -1 else end + 1
            value.append(text[index:end])
            index = end
        else:
            value.append(ch)
            index += 1
    index = min(index, length)
    return Word(text[start:index], "".join(value), start, index, span_of, quoted), index


def _read_double_quoted(text: str, index: int, value: list[str]) -> int:
    length = len(text)
    while index < length and text[index] != '"':
        ch = text[index]
        if ch == "\\" and index + 1 < length:
            following = text[index + 1]
            if following == "\n":
                index += 2
                continue
            value.append(following if following in '$`"\\' else ch + following)
            index += 2
        elif ch == "$" and index + 1 < length and text[index + 1] in "({":
            end = _balanced(text, index + 1)
            value.append(text[index:end])
            index = end
        else:
            value.append(ch)
            index += 1
    return index + 1


def _balanced(text: str, index: int) -> int:
    """The offset just past the bracket group opening at `index` (quotes inside are skipped)."""
    opening = text[index]
    closing = ")" if opening == "(" else "}"
    depth = 0
    length = len(text)
    while index < length:
        ch = text[index]
        if ch == opening:
            depth += 1
        elif ch == closing:
            depth -= 1
            if depth == 0:
                return index + 1
        elif ch == "\\":
            index += 1
        elif ch in "'\"":
            end = text.find(ch, index + 1)
            index = length if end == -1 else end
        index += 1
    return length


def _skip_heredoc_bodies(text: str, index: int, markers: list[tuple[str, bool]]) -> int:
    """Past the bodies of heredocs opened on the line just ended (`cat <<EOF > file` in a script)."""
    for name, strip_tabs in markers:
        while index < len(text):
            newline = text.find("\n", index)
            end = len(text) if newline == -1 else newline
            line = text[index:end].rstrip("\r")
            index = end + 1
            if (line.lstrip("\t") if strip_tabs else line) == name:
                break
    return min(index, len(text))


# --- instructions -------------------------------------------------------------------------------


def shell_commands(dockerfile: Dockerfile, instruction: Instruction) -> tuple[Command, ...]:
    """The simple commands a RUN, CMD, ENTRYPOINT or `HEALTHCHECK CMD` runs, in order.

    Empty when the stage's SHELL is not a POSIX shell (PowerShell, cmd), which we do not read.
    Computed once per instruction and document: several rules ask.
    """
    key = ("shell", instruction.index)
    cached = dockerfile.memo.get(key)
    if cached is None:
        cached = dockerfile.memo[key] = tuple(_commands(dockerfile, instruction.effective))
    assert isinstance(cached, tuple)
    return cached


def _commands(dockerfile: Dockerfile, instruction: Instruction) -> list[Command]:
    script = _script(instruction)
    if script is None or not _posix_shell(dockerfile, instruction):
        return []
    if instruction.is_json:
        return _exec_form_commands(instruction.args[1:] if instruction.keyword == "HEALTHCHECK" else instruction.args)
    from lintslim.syntax.parser import logical_line

    logical = logical_line(dockerfile, instruction)
    offset = logical.index_of(script.span.start)
    text = logical.text()[offset : offset + len(script.value)]
    commands = split_commands(text, lambda start, end: logical.span(offset + start, offset + end))
    for heredoc in instruction.heredocs:
        if _runs_as_script(commands, heredoc.name, heredoc.content):
            commands.extend(split_commands(heredoc.content, _shifted(heredoc.body.start), in_heredoc=True))
    return commands


def _script(instruction: Instruction) -> Token | None:
    """The command text of RUN, CMD, ENTRYPOINT or `HEALTHCHECK CMD` (None for anything else)."""
    if instruction.keyword == "HEALTHCHECK":
        args = instruction.args
        if len(args) < 2 or args[0].value.upper() != "CMD":
            return None  # HEALTHCHECK NONE
        return args[1]
    if instruction.keyword in ("RUN", "CMD", "ENTRYPOINT"):
        return instruction.rest
    return None


def _shifted(base: int) -> SpanOf:
    return lambda start, end: Span(base + start, base + end)


def _fixed(span: Span) -> SpanOf:
    """For words whose characters cannot be mapped one by one (JSON strings with escapes)."""
    return lambda start, end: span


def _runs_as_script(commands: list[Command], name: str, body: str) -> bool:
    """Whether the shell runs a heredoc body: `RUN <<EOF` alone, or fed to a shell (`RUN bash <<EOF`)."""
    first_line = body.split("\n", 1)[0]
    if first_line.startswith("#!"):
        interpreter = [word.rsplit("/", 1)[-1] for word in first_line[2:].split()]
        if interpreter[:1] == ["env"]:
            interpreter = [word for word in interpreter[1:] if not word.startswith("-")]
        if interpreter[:1] and interpreter[0] not in POSIX_SHELLS:
            return False
    for command in commands:
        for redirect in command.redirects:
            if redirect.operator.lstrip("0123456789") in ("<<", "<<-") and redirect.target is not None:
                if redirect.target.value != name:
                    continue
                if not command.argv:
                    return True
                return command.name in POSIX_SHELLS and "-c" not in command.args
    return False


def _exec_form_commands(tokens: tuple[Token, ...]) -> list[Command]:
    if not tokens:
        return []
    program = tokens[0].value.rsplit("/", 1)[-1]
    if program in POSIX_SHELLS and len(tokens) >= 3 and tokens[1].value == "-c":
        script = tokens[2]
        raw_inner = len(script.span) - 2
        if raw_inner == len(script.value):  # no JSON escapes: offsets map one to one
            return split_commands(script.value, _shifted(script.span.start + 1))
        return split_commands(script.value, _fixed(script.span))
    words = tuple(Word(token.value, token.value, 0, 0, _fixed(token.span), quoted=True) for token in tokens)
    return [Command(words, 0, 0, _fixed(Span(tokens[0].span.start, tokens[-1].span.end)))]


def _posix_shell(dockerfile: Dockerfile, instruction: Instruction) -> bool:
    """Whether the shell in force at `instruction` (inherited through `FROM <stage>`) is a POSIX shell."""
    shell = shell_words_in_force(dockerfile, instruction)
    if shell is None:
        return True
    return shell[0].rsplit("/", 1)[-1].removesuffix(".exe") in POSIX_SHELLS


# `# hadolint shell=pwsh` (or `# lintslim: shell=pwsh`) says which shell runs the RUN lines below it,
# for images whose default shell is not `/bin/sh` and that set it in the base image, not here.
_SHELL_PRAGMA = re.compile(r"(?:hadolint\s+|lintslim\s*:\s*)shell\s*=\s*(\S+)", re.IGNORECASE)

Shell = tuple[str, ...]  # the shell's words, as `SHELL [...]` writes them


def shell_words_in_force(dockerfile: Dockerfile, instruction: Instruction) -> Shell | None:
    """The shell that runs `instruction`'s shell form; None for the default (`/bin/sh -c` on Linux).

    It is the last `SHELL [...]` before the instruction in its stage or the stages it builds on
    (`FROM <stage>`), or a shell pragma above an instruction, in force from that instruction on.  A
    pragma in the comments above the first FROM sets the default of every stage, as in hadolint.
    """
    stage = dockerfile.graph.stage_of(instruction)
    if stage is None:
        return None
    here = [shell for start, shell in _shell_changes(dockerfile, stage) if start <= instruction.index]
    if here:
        return here[-1]
    return _inherited_shell(dockerfile, stage)


def _inherited_shell(dockerfile: Dockerfile, stage: Stage) -> Shell | None:
    """The shell a stage starts with: the last one its base stages set, else the file's default.

    Memoised per stage, and filled for every stage walked, so a long `FROM <stage>` chain costs one
    walk, not one per RUN.
    """
    graph = dockerfile.graph
    walked: list[tuple[str, int]] = []
    answer: Shell | None = None
    current = stage
    while len(walked) <= len(graph.stages):  # a bound, should a chain ever loop
        key = ("inherited-shell", current.index)
        if key in dockerfile.memo:
            known = dockerfile.memo[key]
            answer = known if isinstance(known, tuple) else None
            break
        walked.append(key)
        if current.base_stage is None:  # the chain's root: it starts with the file's default
            answer = _file_default_shell(dockerfile)
            break
        current = graph.stages[current.base_stage]
        changes = _shell_changes(dockerfile, current)
        if changes:
            answer = changes[-1][1]
            break
    for key in walked:
        dockerfile.memo[key] = answer
    return answer


def _shell_changes(dockerfile: Dockerfile, stage: Stage) -> tuple[tuple[int, Shell], ...]:
    """Where a stage changes its shell: (index of the first instruction the shell runs, the shell),
    from its `SHELL [...]` instructions and its shell pragmas (memoised: asked for every RUN)."""
    key = ("shell-changes", stage.index)
    found = dockerfile.memo.get(key)
    if found is None:
        changes: list[tuple[int, Shell]] = []
        for candidate in stage.instructions:
            if candidate.keyword == "FROM":
                continue  # a pragma above a FROM is the stage's default: see below
            pragma = _shell_pragma(candidate)
            if pragma is not None:
                changes.append((candidate.index, pragma))
            if candidate.keyword == "SHELL" and candidate.is_json and candidate.args:
                changes.append((candidate.index + 1, tuple(token.value for token in candidate.args)))
        above_from = _shell_pragma(stage.from_instruction)
        if above_from is not None and stage.from_instruction.index > _first_from_index(dockerfile):
            changes.insert(0, (stage.from_instruction.index, above_from))
        found = dockerfile.memo[key] = tuple(changes)
    assert isinstance(found, tuple)
    return found


def _shell_pragma(instruction: Instruction) -> Shell | None:
    """The shell a pragma in the comments above `instruction` names (the last one), else None."""
    found = None
    for comment in instruction.comments:
        match = _SHELL_PRAGMA.match(comment.text)
        if match:
            found = (match.group(1),)
    return found


def _first_from_index(dockerfile: Dockerfile) -> int:
    stages = dockerfile.graph.stages
    return stages[0].from_instruction.index if stages else -1


def _file_default_shell(dockerfile: Dockerfile) -> Shell | None:
    """The shell a pragma above the first FROM (or above a global ARG before it) names, else None."""
    first = _first_from_index(dockerfile)
    found = None
    for instruction in dockerfile.instructions[: first + 1]:
        found = _shell_pragma(instruction) or found
    return found


def iter_run_commands(
    dockerfile: Dockerfile, instructions: tuple[Instruction, ...]
) -> Iterator[tuple[Instruction, Command]]:
    """Every (RUN instruction, command) pair in `instructions`, in order."""
    for instruction in instructions:
        if instruction.effective.keyword != "RUN" or instruction.inner is not None:
            continue
        for command in shell_commands(dockerfile, instruction):
            yield instruction, command

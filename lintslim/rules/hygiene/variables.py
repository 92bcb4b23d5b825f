"""Rules about ARG, ENV and LABEL and the variables instructions use (LS561, LS570, LS572)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from collections.abc import Set as AbstractSet
from typing import NamedTuple

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.rules.hygiene._instruction_helpers import base_env_names
from lintslim.syntax.nodes import Dockerfile, Instruction, KeyValue, Token
from lintslim.syntax.shellwords import ShellWordError, process_word, referenced_variables
from lintslim.syntax.source import Span
from lintslim.syntax.stages import AUTOMATIC_ARGS, BuildGraph, Stage

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# Instructions whose words BuildKit expands itself; RUN, CMD, ENTRYPOINT and HEALTHCHECK are shell
# text (the shell's business), FROM is UndefinedArgInFrom's, ONBUILD triggers expand in a later build.
_EXPANDED_REST = frozenset({"STOPSIGNAL", "USER", "WORKDIR"})
_EXPANDED_ARGS = frozenset({"ADD", "COPY", "EXPOSE", "VOLUME"})
_EXPANDED_FLAGS = frozenset({"chown", "chmod", "from"})
# BuildKit's automatic platform ARGs: a stage sees them only once it declares them (`ARG TARGETARCH`).
_PLATFORM_ARGS = frozenset(name for name in AUTOMATIC_ARGS if name.startswith(("TARGET", "BUILD")))


def reference_span(dockerfile: Dockerfile, token: Token, name: str) -> Span:
    """Where `$name` or `${name…}` is written inside `token` (the whole token when not found)."""
    source = dockerfile.text[token.span.start : token.span.end]
    match = re.search(r"\$(\{)?" + re.escape(name) + r"(?![A-Za-z0-9_])", source)
    if match is None:
        return token.span
    end = match.end() + (1 if match.group(1) and source[match.end() : match.end() + 1] == "}" else 0)
    return Span(token.span.start + match.start(), token.span.start + end)


def _names(word: str, escape: str) -> list[str]:
    return sorted(name for name in referenced_variables(word, escape=escape) if _NAME.fullmatch(name))


class EnvSameInstructionReference(Rule):
    """`ENV` that uses a variable an earlier pair of the same `ENV` sets.

    ## What it does
    Flags `ENV A=1 B=$A`: a value that refers to a variable set by an earlier pair of the same
    instruction.  `ENV PATH=/opt/bin:$PATH` (a variable extending itself) is fine.  Unlike
    hadolint's DL3044, the reference is flagged even when the variable had a value before (it is
    the old value that is used, which surprises more), and a reference to a pair further right
    (`ENV B=$A A=1`) is not, since reading left to right gives the right idea.

    ## Why is this bad?
    BuildKit expands every value of one `ENV` with the variables as they were before the
    instruction: `B` gets the earlier value of `A`, or an empty string, not `1`.  Split the
    instruction in two.
    """

    code = "LS561"
    name = "env-same-instruction-reference"
    severity = Severity.ERROR
    aliases = ("DL3044",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        escape = ctx.dockerfile.escape
        for instruction in ctx.dockerfile.instructions:
            target = instruction.effective
            if target.keyword != "ENV":
                continue
            set_before: dict[str, str] = {}  # names set by the pairs to the left, with their new value
            for pair in target.key_values:
                if pair.value is not None:
                    for name in _names(pair.value.value, escape):
                        if name in set_before and not self._same_value(ctx, instruction, name, set_before[name]):
                            yield self._report(ctx, instruction, pair.value, name, set_before[name])
                    set_before[pair.key.value] = pair.value.value

    @staticmethod
    def _same_value(ctx: RuleContext, instruction: Instruction, name: str, new: str) -> bool:
        """Whether the pair gave `name` the value it had already (`ENV V=$V` re-exporting an ARG)."""
        escape = ctx.dockerfile.escape
        if referenced_variables(new, escape=escape) == {name}:
            try:
                return process_word(new, {name: "<value>"}, escape=escape).value == "<value>"
            except ShellWordError:
                return False
        scope = ctx.graph.scope_at(instruction)
        resolved = ctx.graph.resolve(new, instruction)
        return name in scope.values and resolved.complete and resolved.value == scope.values[name]

    def _report(self, ctx: RuleContext, instruction: Instruction, value: Token, name: str, new: str) -> Diagnostic:
        scope = ctx.graph.scope_at(instruction)
        if name in scope.values:
            old = f"its earlier value `{scope.values[name]}`"
        elif name in scope.unknown:
            old = "its value from before this `ENV`"
        else:
            old = "an empty string"
        return self.report(
            reference_span(ctx.dockerfile, value, name),
            f"`${name}` expands to {old}, not `{new}`: one `ENV` expands its values before setting any; "
            "split the instruction",
        )


class LegacyKeyValueFormat(Rule):
    """`ENV key value` or `LABEL key value` (the legacy form without `=`).

    ## What it does
    Flags `ENV` and `LABEL` written with a space instead of `=` between key and value.  `ARG` has no
    such form (`ARG NAME value` is an error BuildKit reports).

    ## Why is this bad?
    The legacy form takes the whole rest of the line as one value, so `ENV A 1 B 2` sets `A` to
    `1 B 2`, and it is deprecated: BuildKit warns (LegacyKeyValueFormat).

    ## Fix safety
    The fix writes `key=value`, double-quoting a value with spaces.  It is safe: the value reads
    back exactly the same (checked by expanding both forms).  No fix is offered when quoting would
    change the value (it holds quotes or escapes) or the value spans several lines.
    """

    code = "LS570"
    name = "legacy-key-value-format"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("LegacyKeyValueFormat",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for instruction in ctx.dockerfile.instructions:
            target = instruction.effective
            if target.keyword not in ("ENV", "LABEL"):
                continue
            for pair in target.key_values:
                if pair.legacy and pair.value is not None:
                    yield self.report(
                        pair.key.span.cover(pair.value.span),
                        f"Legacy `{target.keyword} {pair.key.value} value` form: write "
                        f"`{target.keyword} {pair.key.value}=…`",
                        fix=self._fix(ctx.dockerfile, pair),
                    )

    @staticmethod
    def _fix(dockerfile: Dockerfile, pair: KeyValue) -> Fix | None:
        assert pair.value is not None
        raw = dockerfile.text[pair.value.span.start : pair.value.span.end]
        if raw != pair.value.value or "\n" in raw:
            return None
        value = _one_word(raw, dockerfile.escape)
        if value is None:
            return None
        separator = Span(pair.key.span.end, pair.value.span.start)
        edits = [Edit.replace(separator, "=")]
        if value != raw:
            edits.append(Edit.replace(pair.value.span, value))
        return Fix.safe(f"Write `{pair.key.value}={value}`", *edits)


def _one_word(value: str, escape: str) -> str | None:
    """`value` written as one `key=value` word that expands exactly as the legacy value did."""
    if not _has_unquoted_space(value, escape):
        candidate = value
    elif any(ch in value for ch in ('"', "'", escape)):
        return None
    else:
        candidate = f'"{value}"'
    env = {name: f"<{name}>" for name in referenced_variables(value, escape=escape)}
    try:
        same = process_word(value, env, escape=escape).value == process_word(candidate, env, escape=escape).value
    except ShellWordError:
        return None
    return candidate if same else None


def _has_unquoted_space(value: str, escape: str) -> bool:
    """Whether BuildKit's word splitter would cut `value` in several words."""
    quote = ""
    escaped = False
    for ch in value:
        if escaped:
            escaped = False
        elif ch == escape:  # BuildKit's word splitter honours it inside quotes too
            escaped = True
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in ('"', "'"):
            quote = ch
        elif ch.isspace():
            return True
    return False


class _Word(NamedTuple):
    """A word BuildKit expands, with the names the pairs to its left in the same instruction set."""

    token: Token
    set_before: frozenset[str] = frozenset()
    sets: str | None = None  # the name its own `KEY=value` pair sets (a self-reference extends it)


def _stage_words(instruction: Instruction) -> Iterator[_Word]:
    """The words of an instruction that BuildKit expands with the stage's variables."""
    keyword = instruction.keyword
    if keyword in _EXPANDED_REST and instruction.rest is not None:
        yield _Word(instruction.rest)
    elif keyword in _EXPANDED_ARGS:
        yield from (_Word(token) for token in instruction.args)
    elif keyword in ("ENV", "LABEL", "ARG"):
        set_before: frozenset[str] = frozenset()
        for pair in instruction.key_values:
            if keyword != "ARG":
                yield _Word(pair.key, set_before)
            if pair.value is not None:
                yield _Word(pair.value, set_before, pair.key.value if keyword != "LABEL" else None)
            if keyword != "LABEL":
                set_before |= {pair.key.value}
    for flag in instruction.flags:
        if flag.name in _EXPANDED_FLAGS and flag.value is not None and flag.value_span is not None:
            yield _Word(Token(flag.value, flag.value_span))


def _declared_anywhere(dockerfile: Dockerfile) -> frozenset[str]:
    """Every name an ARG or ENV of the file declares, in any stage or before the first FROM."""
    declared = {
        pair.key.value
        for instruction in dockerfile.instructions
        if instruction.keyword in ("ARG", "ENV")
        for pair in instruction.key_values
    }
    return frozenset(declared | _PLATFORM_ARGS)


def _arg_and_env_names(instruction: Instruction) -> Iterator[str]:
    if instruction.keyword in ("ARG", "ENV"):
        yield from (pair.key.value for pair in instruction.key_values)


def _last_declarations(stage: Stage) -> dict[str, int]:
    """Each name the stage's ARGs and ENVs declare, with the index of the last instruction declaring it."""
    return {name: instruction.index for instruction in stage.instructions for name in _arg_and_env_names(instruction)}


def _with_inherited_args(graph: BuildGraph) -> Iterator[tuple[Stage, AbstractSet[str]]]:
    """Every stage, with the ARG names the stages it builds on (`FROM <stage>`) declare: BuildKit
    passes their values on.

    Stages come depth first along the `FROM <stage>` tree, and the names are a live view of the
    chain being walked (read it before asking for the next stage).  Each ARG is added and removed
    once, so a long chain stays linear: collecting each stage's ancestry instead was quadratic.
    """
    children: dict[int, list[int]] = {}
    roots: list[int] = []
    for stage in graph.stages:
        base = stage.base_stage
        if base is not None and base < stage.index:  # a stage builds only on an earlier one
            children.setdefault(base, []).append(stage.index)
        else:
            roots.append(stage.index)
    declared: Counter[str] = Counter()  # ARG names of the chain above the stage, with how many declare them
    todo: list[tuple[int, bool]] = [(index, True) for index in reversed(roots)]
    while todo:
        index, entering = todo.pop()
        own = _own_args(graph.stages[index])
        if not entering:
            declared.subtract(own)
            for name in own:
                if declared[name] <= 0:
                    del declared[name]
            continue
        yield graph.stages[index], declared.keys()
        declared.update(own)
        todo.append((index, False))
        todo.extend((child, True) for child in reversed(children.get(index, ())))


def _own_args(stage: Stage) -> list[str]:
    return [pair.key.value for i in stage.instructions if i.keyword == "ARG" for pair in i.key_values]


class UndefinedVar(Rule):
    """A variable no `ARG` or `ENV` defines where an instruction uses it.

    ## What it does
    Flags `$NAME` and `${NAME…}` in the words BuildKit expands itself (`COPY`/`ADD` paths and
    `--chown`/`--chmod`/`--from`, `ENV`, `LABEL`, `ARG` defaults, `EXPOSE`, `USER`, `WORKDIR`,
    `VOLUME`, `STOPSIGNAL`) when, at that point, no `ARG` of the stage (or of a stage it builds on)
    declares it and no `ENV` of the stage chain or of the base image sets it.  As in BuildKit, a
    global `ARG` (before the first `FROM`) counts only once the stage declares it again with `ARG
    NAME`, automatic arguments such as `TARGETARCH` too, and `${NAME:-default}` is flagged as well.
    Variables inside `RUN`, `CMD`, `ENTRYPOINT` and `HEALTHCHECK` are the shell's, not this rule's.

    lintslim knows the environment of common base images (`golang` sets `GOPATH`, `python` sets
    `PYTHON_VERSION`…).  On a base image it does not know, it flags only names the file declares
    somewhere else (a global `ARG` not declared again, an `ENV` of an unrelated stage), since the
    image may set any other.

    ## Why is this bad?
    An undefined variable expands to an empty string without any error: `COPY app-$VERSION.jar`
    copies `app-.jar`, `WORKDIR $HOME/app` is `/app`.
    """

    code = "LS572"
    name = "undefined-var"
    severity = Severity.WARNING
    aliases = ("UndefinedVar",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        elsewhere = _declared_anywhere(ctx.dockerfile)
        for stage, inherited in _with_inherited_args(graph):
            if not graph.root_stage(stage).base.complete:
                continue  # `FROM base-$TARGETARCH`: which stage (and which ARGs) it builds on is unknown
            image_env = base_env_names(graph, stage)  # None: an image lintslim does not know
            known_env = image_env or frozenset()
            declared_last: dict[str, int] | None = None  # made for the stage's first finding only
            for instruction in stage.instructions[1:]:
                scope = graph.scope_at(instruction)
                for word in _stage_words(instruction):
                    for name in _names(word.token.value, ctx.dockerfile.escape):
                        # A name an earlier pair of the same instruction sets: for ENV it is LS561's (a
                        # clearer message); an ARG pair sees the ones to its left (BuildKit's dispatchArg).
                        if scope.knows(name) or name in word.set_before or name in known_env:
                            continue
                        if name in inherited:
                            continue
                        if image_env is None and (name not in elsewhere or name == word.sets):
                            continue  # an unknown image may set it (`ENV PATH=/opt/bin:$PATH` extends it)
                        if declared_last is None:
                            declared_last = _last_declarations(stage)
                        yield self.report(
                            reference_span(ctx.dockerfile, word.token, name),
                            self._message(graph, instruction, name, declared_last),
                        )

    @staticmethod
    def _message(graph: BuildGraph, instruction: Instruction, name: str, declared_last: dict[str, int]) -> str:
        if graph.global_scope.knows(name):
            hint = f"it is a global `ARG`: declare `ARG {name}` in this stage to use it"
        elif declared_last.get(name, -1) > instruction.index:
            hint = "it is declared only further down"
        else:
            hint = "no `ARG` or `ENV` before it defines it"
        return f"`${name}` is undefined here and expands to an empty string: {hint}"

"""Rules about how instructions are laid out: consecutive RUNs, keyword casing, empty continuation
lines (LS563, LS569, LS571)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Option, Rule, RuleContext, Severity
from lintslim.rules._edits import newline_of
from lintslim.syntax.nodes import Dockerfile, Instruction, LineKind
from lintslim.syntax.shell import shell_commands
from lintslim.syntax.source import Span

# Operators after which `&& next` keeps its meaning: the merged RUN still fails when either part does.
_CHAIN_OPERATORS = frozenset({"", "&&", "|"})


def _flags_text(instruction: Instruction) -> tuple[str, ...]:
    return tuple(sorted(flag.text for flag in instruction.flags))


class ConsecutiveRun(Rule):
    """Consecutive `RUN` instructions that could be one.

    ## What it does
    Flags a `RUN` that directly follows another `RUN` in a stage that becomes an image (the final
    stage and the stages it builds on; stages only used to build others are skipped, hadolint#1056),
    when both are shell form with the same flags (`--mount`, `--network`, `--security`) and each
    runs at most `max-commands` commands (2 by default, as hadolint): a `RUN` that already chains
    several commands was split off on purpose, usually to keep a cache boundary.  Not flagged: a
    `RUN` with a here-document (hadolint#805: `&&` cannot join it), and a `RUN` with a comment
    above it, which documents it as a step of its own (hadolint flags across comments).

    ## Why is this bad?
    Each `RUN` is a layer.  Files one `RUN` creates and a later one deletes stay in the image, and
    many small layers slow pulls.

    ## Fix safety
    The fix joins the second command to the first with ` && \\`.  It is unsafe: the layers and
    their cache change.  It is offered only when joining keeps the meaning: the first command does
    not end in `;`, `&` or a shell comment, and the second uses only `&&` and pipes.
    """

    code = "LS563"
    name = "consecutive-run"
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3059",)
    options = {  # noqa: RUF012 - read-only metadata, as on every rule
        "max-commands": Option(
            int, 2, "flag only RUNs of at most this many commands (a longer one is a deliberate step)"
        ),
    }

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        limit = int(ctx.options.get("max-commands", 2))
        images = graph.image_stages()
        for stage in graph.stages:
            if stage.index not in images:
                continue
            body = stage.instructions[1:]
            for previous, current in itertools.pairwise(body):
                if self._joinable(ctx.dockerfile, previous, current, limit):
                    yield self.report(
                        current.keyword_span,
                        f"`RUN` right after the `RUN` on line {previous.start_line}: join them into one layer",
                        fix=self._fix(ctx.dockerfile, previous, current),
                    )

    @staticmethod
    def _joinable(dockerfile: Dockerfile, previous: Instruction, current: Instruction, limit: int) -> bool:
        return (
            previous.keyword == current.keyword == "RUN"
            and not current.comments
            and previous.is_shell_form
            and current.is_shell_form
            and not previous.heredocs
            and not current.heredocs
            and _flags_text(previous) == _flags_text(current)
            and 0 < len(shell_commands(dockerfile, previous)) <= limit
            and 0 < len(shell_commands(dockerfile, current)) <= limit
        )

    @staticmethod
    def _fix(dockerfile: Dockerfile, previous: Instruction, current: Instruction) -> Fix | None:
        assert previous.rest is not None and current.rest is not None
        first = previous.rest.value.rstrip()
        if "#" in first or first.endswith((";", "&", "|")):
            return None
        if any(command.operator not in _CHAIN_OPERATORS for command in shell_commands(dockerfile, current)):
            return None
        end = previous.rest.span.end
        separator = f" && {dockerfile.escape}{newline_of(dockerfile)}{_continuation_indent(dockerfile, previous)}"
        return Fix.unsafe("Join with the `RUN` above", Edit.replace(Span(end, current.rest.span.start), separator))


def _continuation_indent(dockerfile: Dockerfile, instruction: Instruction) -> str:
    """The indentation the instruction's continuation lines use, or four spaces."""
    lines = dockerfile.lines
    for number in range(instruction.start_line + 1, instruction.end_line + 1):
        if dockerfile.line_kinds[number - 1] is LineKind.CONTINUATION:
            line = lines.line_text(number)
            return line[: len(line) - len(line.lstrip(" \t"))]
    return "    "


def _keywords(instruction: Instruction) -> Iterator[Span]:
    yield instruction.keyword_span
    if instruction.inner is not None:
        yield instruction.inner.keyword_span


class ConsistentInstructionCasing(Rule):
    """Instruction keywords in a casing other than the file's.

    ## What it does
    Counts the keywords written all in lower case and all in upper case (ONBUILD triggers and the
    `ARG`s before `FROM` included) and flags every keyword not in the majority's casing, upper case
    on a tie, and any keyword in mixed case (`Run`).

    ## Why is this bad?
    Keywords are case-insensitive, but a file that mixes `RUN` and `run` is harder to scan, and
    BuildKit warns about it (ConsistentInstructionCasing).

    ## Fix safety
    The fix rewrites the keyword in the majority's casing.  It is safe: BuildKit reads keywords in
    any case.
    """

    code = "LS569"
    name = "consistent-instruction-casing"
    severity = Severity.STYLE
    fix_availability = FixAvailability.ALWAYS
    aliases = ("ConsistentInstructionCasing",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        text = ctx.text
        spans = [
            span
            for instruction in ctx.dockerfile.instructions
            if instruction.is_known
            for span in _keywords(instruction)
        ]
        words = [text[span.start : span.end] for span in spans]
        lower = sum(word.islower() for word in words)
        upper = sum(word.isupper() for word in words)
        casing = "lower" if lower > upper else "upper"
        for span, word in zip(spans, words, strict=True):
            wanted = word.lower() if casing == "lower" else word.upper()
            if word != wanted:
                yield self.report(
                    span,
                    f"`{word}` should be {casing} case like most instructions of the file",
                    fix=Fix.safe(f"Write `{wanted}`", Edit.replace(span, wanted)),
                )


class NoEmptyContinuation(Rule):
    """An empty line inside a continued instruction.

    ## What it does
    Flags blank lines between the lines of an instruction continued with `\\` (or the `# escape=`
    character).  Comment lines there are fine; here-document bodies are not continuations.

    ## Why is this bad?
    BuildKit skips such a line today and warns that it will become an error (NoEmptyContinuation).
    It also reads as the end of the instruction to a person, who then misreads the next line.

    ## Fix safety
    The fix deletes the empty line.  It is safe: BuildKit ignores that line already.
    """

    code = "LS571"
    name = "no-empty-continuation"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    aliases = ("NoEmptyContinuation",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        lines = ctx.dockerfile.lines
        kinds = ctx.dockerfile.line_kinds
        # instruction by instruction (an empty continuation line is inside one): asking which
        # instruction holds each line scanned them all again, quadratic on big files
        for instruction in ctx.dockerfile.instructions:
            for number in range(instruction.start_line, min(instruction.end_line, len(kinds)) + 1):
                if kinds[number - 1] is not LineKind.EMPTY_CONTINUATION:
                    continue
                line = Span(lines.line_start(number), lines.line_end(number, keep_newline=True))
                yield self.report(
                    Span(line.start, lines.line_end(number)),
                    f"Empty line inside the continued `{instruction.keyword}`: it will become an error in a "
                    "future BuildKit",
                    fix=Fix.safe("Delete the empty line", Edit.delete(line)),
                )

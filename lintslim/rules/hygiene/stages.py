"""Stage rules: stage names, `COPY --from` and `RUN --mount=from=` references (LS515–LS520, LS523)."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.rules.hygiene._stage_helpers import (
    Reference,
    image_token,
    name_token,
    source,
    stage_references,
)
from lintslim.rules.hygiene.base_images import likely_stage_typo
from lintslim.syntax.image import parse_image
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Stage

RESERVED_STAGE_NAMES = frozenset({"scratch", "context"})


class DuplicateStageName(Rule):
    """Two stages have the same name.

    ## What it does
    Flags the name of a stage when an earlier stage already has it.  Names are compared
    case-insensitively, as BuildKit does (`AS Build` and `AS build` are the same stage name;
    hadolint's DL3024 misses that).

    ## Why is this bad?
    `COPY --from=build`, `FROM build` and `docker build --target build` can only mean one of them:
    one stage is silently unreachable, or the wrong one is used.
    """

    code = "LS515"
    name = "duplicate-stage-name"
    severity = Severity.ERROR
    aliases = ("DL3024", "DuplicateStageName")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        first: dict[str, Stage] = {}
        for stage in ctx.graph.stages:
            token = name_token(stage)
            if token is None or stage.name is None:
                continue
            if stage.name in first:
                line = first[stage.name].from_instruction.start_line
                yield self.report(token.span, f"Stage name `{token.value}` is already used by the stage on line {line}")
            else:
                first[stage.name] = stage


class ReservedStageName(Rule):
    """A stage is named `scratch` or `context`.

    ## What it does
    Flags a stage named with a word BuildKit reserves (case-insensitive): `scratch` (the empty
    image) and `context` (the build context in `--from=context`).

    ## Why is this bad?
    `FROM scratch` and named build contexts mean something else already; a stage with that name
    makes every reference ambiguous to readers, and BuildKit reports it.
    """

    code = "LS516"
    name = "reserved-stage-name"
    severity = Severity.WARNING
    aliases = ("DL3063", "ReservedStageName")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for stage in ctx.graph.stages:
            token = name_token(stage)
            if token is not None and stage.name in RESERVED_STAGE_NAMES:
                yield self.report(token.span, f"`{token.value}` is a reserved word, not a stage name")


class StageNameCasing(Rule):
    """A stage name has upper-case letters.

    ## What it does
    Flags `FROM image AS Builder`, as BuildKit's `StageNameCasing` does.

    ## Why is this bad?
    BuildKit lower-cases stage names, so `--from=Builder` and `--from=builder` are the same stage
    while `FROM Builder` is read as an image name, which cannot have capitals; writing names in
    lower case everywhere avoids the mismatch.

    ## Fix safety
    Safe: the fix lower-cases the name and every reference to it written out in the file (`FROM`,
    `COPY --from=`, `RUN --mount=…,from=`); BuildKit already compared them without case (and
    `docker build --target` does too).  References through variables are left as they are.
    """

    code = "LS517"
    name = "stage-name-casing"
    severity = Severity.STYLE
    fix_availability = FixAvailability.ALWAYS
    aliases = ("StageNameCasing",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        references: dict[str, list[Span]] | None = None  # gathered once, for the first name to fix
        for stage in graph.stages:
            token = name_token(stage)
            if token is None or token.value == token.value.lower():
                continue
            if references is None:
                references = _written_references(graph)
            lowered = token.value.lower()
            edits = [Edit.replace(token.span, lowered)]
            edits += [Edit.replace(span, lowered) for span in references.get(lowered, ())]
            fix = Fix.safe(f"Rename the stage `{lowered}`", *edits)
            yield self.report(token.span, f"Stage name `{token.value}` should be lower case", fix=fix)


def _written_references(graph: BuildGraph) -> dict[str, list[Span]]:
    """Spans that name a stage literally but not in lower case, by the lower-cased name.

    One pass for the file: looking them up again for each stage name was quadratic.
    """
    dockerfile = graph.dockerfile
    found: dict[str, list[Span]] = {}
    for stage in graph.stages:
        token = image_token(stage)
        if token is not None and token.value != token.value.lower():
            found.setdefault(token.value.lower(), []).append(token.span)
    for reference in stage_references(graph):
        text = reference.text
        if text != text.lower() and source(dockerfile, reference.span) == text:
            found.setdefault(text.lower(), []).append(reference.span)
    return found


class FromAsCasing(Rule):
    """`AS` is not written in the case of `FROM`.

    ## What it does
    Flags `FROM image as name` and `from image AS name`, as BuildKit's `FromAsCasing` does.  A
    `FROM` keyword in mixed case (`From`) is left alone: its casing is another rule's business.

    ## Why is this bad?
    Mixed casing on one line reads as a mistake and hides the stage name among the arguments.

    ## Fix safety
    Safe: the fix writes `AS` in the keyword's case; keywords are case-insensitive.
    """

    code = "LS518"
    name = "from-as-casing"
    severity = Severity.STYLE
    fix_availability = FixAvailability.ALWAYS
    aliases = ("FromAsCasing",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        dockerfile = ctx.dockerfile
        for stage in ctx.graph.stages:
            instruction = stage.from_instruction
            if len(instruction.args) != 3 or instruction.args[1].value.lower() != "as":
                continue
            keyword = source(dockerfile, instruction.keyword_span)
            as_token = instruction.args[1]
            if keyword.islower():
                wanted = "as"
            elif keyword.isupper():
                wanted = "AS"
            else:
                continue
            if as_token.value != wanted:
                fix = Fix.safe(f"Write `{wanted}`", Edit.replace(as_token.span, wanted))
                yield self.report(as_token.span, f"`{as_token.value}` should match the case of `{keyword}`", fix=fix)


class CopyFromUndefinedStage(Rule):
    """`COPY --from` names a stage that is not defined before it.

    ## What it does
    Flags `COPY --from=` and `RUN --mount=…,from=` when the word names:

    - a stage defined later in the file (by name or index), or an index past the last stage;
    - no stage, but is a bare name one letter from a stage name or a prefix of one
      (`--from=buidler`, `--from=build` with only `AS builder`): most likely a typo;
    - nothing valid: not a stage, and not an image reference either (upper case, spaces).

    Any other word is an image reference, which `--from` accepts: `--from=nginx:1.27`,
    `--from=busybox`, `--from=ghcr.io/org/tool` are not flagged (hadolint's DL3022 flags those
    without a tag, issues #718 and #859); `untagged-image` (LS510) reports the ones without a tag.

    ## Why is this bad?
    A typo in a stage name turns a stage reference into an image pull of that name, which fails
    or, worse, finds a stranger's image.  A reference to a later stage reads backwards, and the
    classic builder pulls an image of that name instead.
    """

    code = "LS519"
    name = "copy-from-undefined-stage"
    severity = Severity.WARNING
    aliases = ("DL3022",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for reference in stage_references(graph):
            if not reference.resolved.complete:
                continue
            message = _undefined_reason(graph, reference)
            if message is not None:
                yield self.report(reference.span, message)


def _undefined_reason(graph: BuildGraph, reference: Reference) -> str | None:
    value = reference.resolved.value
    target = reference.target
    if target is not None:
        if target.index > reference.stage.index:
            return f"`--from={reference.text}` names stage `{target.label}`, which is defined after this one"
        return None
    if reference.is_index:
        return f"`--from={reference.text}`: there is no stage {value} (the file has {len(graph.stages)})"
    similar = likely_stage_typo(graph, value)
    if similar is not None:
        return f"`--from={reference.text}` is not a stage of this file: did you mean `{similar}`?"
    if parse_image(value) is None:
        return f"`--from={reference.text}` is neither a stage of this file nor an image reference"
    return None


class CopyFromOwnStage(Rule):
    """`COPY --from` names the stage it is in.

    ## What it does
    Flags `COPY --from=` and `RUN --mount=…,from=` that name their own stage, by name
    (case-insensitive) or index.

    ## Why is this bad?
    A stage cannot read its own result while it is being built: BuildKit stops with a circular
    dependency error.  Copy within the stage with `RUN cp`, or from the stage it builds on.
    """

    code = "LS520"
    name = "copy-from-own-stage"
    severity = Severity.ERROR
    aliases = ("DL3023",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for reference in stage_references(ctx.graph):
            if reference.target is not None and reference.target.index == reference.stage.index:
                yield self.report(reference.span, f"`--from={reference.text}` names the stage it is in")


class CopyEntireFilesystem(Rule):
    """`COPY --from=<stage> / /` copies a whole filesystem.

    ## What it does
    Flags a `COPY --from` whose source is `/` (or `.`: `--from` sources are relative to the other
    stage's root) and whose destination is `/` (after resolving ARGs and ENV), as hadolint's DL3067
    does, except in a stage built `FROM scratch`: there it is the usual way to flatten an image into
    one layer, and the copy is the point.

    ## Why is this bad?
    Everything comes along: package caches, compilers, `/etc/passwd`, `/proc` placeholders, and
    the layers stack on top of the stage's own files, doubling the size.  Build on that stage with
    `FROM <stage>` instead, or copy the directories the image needs.
    """

    code = "LS523"
    name = "copy-entire-filesystem"
    severity = Severity.WARNING
    aliases = ("DL3067",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        for stage in graph.stages:
            if graph.builds_on_scratch(stage):
                continue
            for instruction in stage.instructions[1:]:
                if instruction.keyword != "COPY" or instruction.flag("from") is None or len(instruction.args) < 2:
                    continue
                paths = [graph.resolve(token.value, instruction) for token in instruction.args]
                if not all(path.complete for path in paths):
                    continue
                if _is_root(paths[-1].value) and any(_is_source_root(path.value) for path in paths[:-1]):
                    flag = instruction.flag("from")
                    assert flag is not None
                    yield self.report(
                        instruction.rest.span if instruction.rest else flag.span,
                        f"`COPY {flag.text} / /` copies a whole filesystem",
                    )


def _is_root(path: str) -> bool:
    return path.startswith("/") and posixpath.normpath(path) in ("/", "//")


def _is_source_root(path: str) -> bool:
    """Whether a `COPY --from` source is the other stage's root: sources there are relative to that
    root, not to any WORKDIR, so `.` and `./` are `/` too."""
    return path != "" and _is_root("/" + path)

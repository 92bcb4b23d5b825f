"""Rules about single instructions: COPY/ADD destinations, EXPOSE ports, repeated CMD/ENTRYPOINT/
HEALTHCHECK, and instructions before the first FROM (LS560, LS562, LS564–LS568)."""

from __future__ import annotations

from collections.abc import Iterator

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.rules._edits import instruction_block, removal_span
from lintslim.rules.hygiene._instruction_helpers import base_workdir, port_range_problem, split_port_spec
from lintslim.rules.hygiene.workdir_relative_path import is_absolute
from lintslim.syntax.nodes import Dockerfile, Instruction, Token
from lintslim.syntax.stages import BuildGraph

_COPY_KEYWORDS = ("COPY", "ADD")
_ONCE_PER_STAGE = ("CMD", "ENTRYPOINT", "HEALTHCHECK")
_PROTOCOLS = ("tcp", "udp", "sctp")


def _literal(dockerfile: Dockerfile, token: Token) -> bool:
    """Whether the token's source text is its value: no quotes, escapes, variables or line breaks."""
    return dockerfile.text[token.span.start : token.span.end] == token.value and "$" not in token.value


class CopyMultipleSourcesNeedDirectory(Rule):
    """`COPY` or `ADD` with several sources into a destination without a trailing `/`.

    ## What it does
    Flags `COPY` and `ADD` (also as `ONBUILD` triggers) with two or more sources, here-documents
    included, whose destination does not end with `/`.  A destination of `.` is not flagged:
    BuildKit reads it as the working directory.  Destinations made of variables are resolved first,
    and left alone when they cannot be.  A single wildcard source is not flagged, as hadolint's DL3021
    does not: it may well match one file.

    ## Why is this bad?
    The classic builder (and Podman's in some cases) stops with "When using COPY with more than one
    source file, the destination must be a directory and end with a /".  BuildKit accepts it, and
    when the destination does not exist yet it copies every source to that one path, each over the
    one before (moby/buildkit#1853): the image holds only the last file.

    ## Fix safety
    The fix appends `/`.  It is unsafe: when the destination did not exist, the image gets a
    directory with every source in it instead of one file, which is what was meant but not what the
    build did.
    """

    code = "LS560"
    name = "copy-multiple-sources-need-directory"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3021",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for instruction in ctx.dockerfile.instructions:
            target = instruction.effective
            if target.keyword not in _COPY_KEYWORDS or len(target.args) < 3:
                continue
            destination = target.args[-1]
            resolved = ctx.graph.resolve(destination.value, instruction)
            if not resolved.complete or resolved.value in (".", "") or resolved.value.endswith(("/", "\\")):
                continue
            yield self.report(
                destination.span,
                f"`{target.keyword}` of {len(target.args) - 1} sources into `{destination.value}`, "
                "which does not end with `/`",
                fix=self._fix(ctx.dockerfile, destination),
            )

    @staticmethod
    def _fix(dockerfile: Dockerfile, destination: Token) -> Fix | None:
        raw = dockerfile.text[destination.span.start : destination.span.end]
        if "\n" in raw:
            return None
        end = destination.span.end - 1 if raw[-1:] in ('"', "'") and len(raw) > 1 else destination.span.end
        return Fix.unsafe("Add `/` to the destination", Edit.insert(end, "/"))


class CopyRelativeDestination(Rule):
    """`COPY` or `ADD` to a relative destination while no `WORKDIR` is set.

    ## What it does
    Flags a `COPY` or `ADD` whose destination is relative (`.`, `app/`) when neither the stage nor
    a stage it builds on has set a `WORKDIR` before it, and the base image is not known to set one
    itself (`golang` works in `/go`, `tomcat` in `/usr/local/tomcat`, AWS Lambda images in
    `/var/task`…).  hadolint's DL3045 does not know what base images set, and flags those too.

    ## Why is this bad?
    A relative destination resolves against the working directory, which then comes from the base
    image: usually `/`, so `COPY . .` spreads the build context over the root of the filesystem, and
    the day the base image sets a `WORKDIR` the files move.  Set `WORKDIR` first, or copy to an
    absolute path.
    """

    code = "LS562"
    name = "copy-relative-destination"
    severity = Severity.WARNING
    aliases = ("DL3045",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        workdir_stages: set[int] = set()  # stages whose working directory is set by the end
        for stage in graph.stages:
            has_workdir = stage.base_stage in workdir_stages or (
                stage.base_stage is None and base_workdir(graph, stage) is not None
            )
            for instruction in stage.instructions[1:]:
                if instruction.keyword == "WORKDIR":
                    has_workdir = True
                elif instruction.keyword in _COPY_KEYWORDS and not has_workdir and len(instruction.args) >= 2:
                    yield from self._relative(graph, instruction)
            if has_workdir:
                workdir_stages.add(stage.index)

    def _relative(self, graph: BuildGraph, instruction: Instruction) -> Iterator[Diagnostic]:
        destination = instruction.args[-1]
        resolved = graph.resolve(destination.value, instruction)
        if resolved.complete and not is_absolute(resolved.value):
            yield self.report(
                destination.span,
                f"`{instruction.keyword}` to the relative `{destination.value}` with no `WORKDIR` set: "
                "it lands wherever the base image's working directory is",
            )


class MultipleInstructions(Rule):
    """More than one `CMD`, `ENTRYPOINT` or `HEALTHCHECK` in a stage.

    ## What it does
    Flags every `CMD`, `ENTRYPOINT` and `HEALTHCHECK` that a later one of the same kind in the same
    stage overrides (the earlier ones, as BuildKit's MultipleInstructionsDisallowed does; hadolint's
    DL4003, DL4004 and DL3012 point at the later one).  A stage overriding what the stage it builds
    on set is fine and not flagged, and neither are `ONBUILD` triggers.  One rule stands for the
    three hadolint codes, so ignoring any of them ignores all three kinds.

    ## Why is this bad?
    Only the last one takes effect.  The earlier ones are dead code that a reader may take for the
    command the image runs.

    ## Fix safety
    The fix deletes the overridden instruction; comment lines above it stay.  The image is the
    same, but the fix is unsafe: the earlier instruction may be the one that was meant, with the
    later one left over from debugging.
    """

    code = "LS564"
    name = "multiple-instructions"
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    aliases = ("DL4003", "DL4004", "DL3012", "MultipleInstructionsDisallowed")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for stage in ctx.graph.stages:
            for keyword in _ONCE_PER_STAGE:
                found = [i for i in stage.instructions if i.keyword == keyword]
                for earlier in found[:-1]:
                    # comments above stay: they may be about more than this one instruction
                    block = removal_span(ctx.text, instruction_block(ctx.dockerfile, earlier, comments=False))
                    yield self.report(
                        earlier.keyword_span,
                        f"`{keyword}` overridden by the one on line {found[-1].start_line}: only the last "
                        f"`{keyword}` of a stage takes effect",
                        fix=Fix.unsafe(f"Delete the overridden `{keyword}`", Edit.delete(block)),
                    )


def _expose_words(ctx: RuleContext) -> Iterator[tuple[Instruction, Token, list[str]]]:
    """Each EXPOSE word with the port specs it expands to (words whose variables are unknown are left out)."""
    for instruction in ctx.dockerfile.instructions:
        if instruction.keyword != "EXPOSE":
            continue
        for token in instruction.args:
            resolved = ctx.graph.resolve(token.value, instruction)
            if resolved.complete:
                yield instruction, token, resolved.value.split()


class ExposeInvalidPort(Rule):
    """`EXPOSE` of a port BuildKit rejects.

    ## What it does
    Flags an `EXPOSE` word whose port is not a number from 0 to 65535, whose range ends before it
    starts, or whose protocol is not `tcp`, `udp` or `sctp`.  Ports given through variables are
    checked with the values lintslim can resolve, and left alone when it cannot.

    ## Why is this bad?
    The build stops there with "invalid containerPort" or "invalid proto".
    """

    code = "LS565"
    name = "expose-invalid-port"
    severity = Severity.ERROR
    aliases = ("DL3011",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for _, token, specs in _expose_words(ctx):
            for spec in specs:
                problem = self._problem(spec)
                if problem is not None:
                    yield self.report(token.span, f"`EXPOSE {spec}`: {problem}")
                    break

    @staticmethod
    def _problem(spec: str) -> str | None:
        _, host, container, proto = split_port_spec(spec)
        if proto.lower() not in ("", *_PROTOCOLS):
            return f"`{proto}` is not a protocol (tcp, udp or sctp)"
        return port_range_problem(container) or (port_range_problem(host) if host else None)


class ExposeInvalidFormat(Rule):
    """`EXPOSE` with an IP address or a host port.

    ## What it does
    Flags `EXPOSE 8080:80` and `EXPOSE 127.0.0.1:80:80`: a host port or address in `EXPOSE`.

    ## Why is this bad?
    `EXPOSE` only records which container ports the image listens on; the host side is chosen at
    `docker run -p`.  BuildKit ignores the host part (it records `80/tcp` here) and warns that it
    will become an error; hadolint cannot parse the file at all.

    ## Fix safety
    The fix keeps the container port and protocol.  It is safe: the image records the same
    exposed ports.
    """

    code = "LS566"
    name = "expose-invalid-format"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("ExposeInvalidFormat",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for _, token, specs in _expose_words(ctx):
            mapped = [spec for spec in specs if ":" in spec]
            if not mapped:
                continue
            fix = None
            if _literal(ctx.dockerfile, token):
                kept = token.value.rpartition(":")[2]
                fix = Fix.safe(f"Expose only the container port: `{kept}`", Edit.replace(token.span, kept))
            yield self.report(
                token.span,
                f"`EXPOSE {mapped[0]}` maps a host port or address; `EXPOSE` takes container ports only",
                fix=fix,
            )


class ExposeProtoCasing(Rule):
    """`EXPOSE` protocol not in lower case.

    ## What it does
    Flags `EXPOSE 80/TCP` and other protocols written in upper or mixed case.

    ## Why is this bad?
    BuildKit lower-cases the protocol and warns about it; other tools that read the Dockerfile may
    not.  `80/tcp` is how the image config records it.

    ## Fix safety
    The fix lower-cases the protocol.  It is safe: BuildKit records the same port.
    """

    code = "LS567"
    name = "expose-proto-casing"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("ExposeProtoCasing",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for _, token, specs in _expose_words(ctx):
            protocols = [split_port_spec(spec)[3] for spec in specs]
            upper = [proto for proto in protocols if proto != proto.lower() and proto.lower() in _PROTOCOLS]
            if not upper:
                continue
            fix = None
            if _literal(ctx.dockerfile, token):
                slash = token.value.index("/")
                lowered = token.value[:slash] + token.value[slash:].lower()
                fix = Fix.safe(f"Write `{lowered}`", Edit.replace(token.span, lowered))
            yield self.report(token.span, f"Protocol `{upper[0]}` should be lower case", fix=fix)


class InstructionBeforeFrom(Rule):
    """An instruction other than `ARG` before the first `FROM`.

    ## What it does
    Flags every instruction above the first `FROM` except `ARG` (parser directives and comments
    are not instructions).

    ## Why is this bad?
    Before `FROM` there is no stage to apply it to: BuildKit stops with "no build stage in current
    context".  Only `ARG` may come first, to declare values `FROM` lines use.
    """

    code = "LS568"
    name = "instruction-before-from"
    severity = Severity.ERROR
    aliases = ("DL3061",)

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        for instruction in ctx.dockerfile.instructions:
            if instruction.keyword == "FROM":
                return
            if instruction.keyword != "ARG" and instruction.is_known:
                yield self.report(
                    instruction.keyword_span,
                    f"`{instruction.keyword}` before the first `FROM`: only `ARG` may come before it",
                )

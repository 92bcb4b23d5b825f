from __future__ import annotations

import datetime
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lintslim.analysis.aws_lambda import LambdaImage, lambda_image
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Option, Rule, RuleContext, Severity
from lintslim.knowledge.images import image_facts
from lintslim.knowledge.lambda_runtimes import (
    ECR_PREFIX,
    Runtime,
    Support,
    aws_repository,
    image_name,
    runtime_of,
    runtime_of_name,
    runtime_table,
)
from lintslim.rules.aws_lambda._shared import lambda_reason
from lintslim.syntax.shell import shell_commands
from lintslim.syntax.source import Span
from lintslim.syntax.stages import BuildGraph, Stage

# `provided:al2` (optionally single-arch) written out in full: the only base the fix rewrites.
_PROVIDED_AL2 = re.compile(
    r"(?P<name>(?:public\.ecr\.aws/lambda/|(?:docker\.io/)?amazon/aws-lambda-)provided):al2(?P<arch>-arm64|-x86_64)?"
)
# Commands that exist on Amazon Linux 2 only: AL2023 has dnf (microdnf in the minimal images).
_AL2_ONLY_COMMANDS = frozenset({"yum", "amazon-linux-extras", "yum-config-manager"})


@dataclass(frozen=True)
class _Base:
    """The image a stage chain starts from, as the rule reads it."""

    stage: Stage  # the root stage (its FROM names the image)
    shown: str  # the reference, variables expanded as far as they go
    prefix: str  # how the publisher is written: public.ecr.aws/lambda/ or amazon/aws-lambda-
    runtime: Runtime | None


class LambdaDeprecatedBase(Rule):
    """A Lambda image builds on a base image AWS no longer supports.

    ## What it does
    Looks at the base image of the function image, and of the build stages whose results reach it,
    and flags:

    - an AWS Lambda base image (`public.ecr.aws/lambda/*`, `amazon/aws-lambda-*`) whose managed
      runtime is past its deprecation date: `python:3.9`, `nodejs:18`, `go:1`, `provided:al2`,
      `java:8` (Amazon Linux 1), `dotnet:6` and the others in lintslim's runtime table, which
      keeps each date with its source.  Architecture tags (`3.9-arm64`), dated builds
      (`3.9.2024.01.05.12`), digests and tags set through an `ARG` are read too;
    - a runtime whose deprecation is near (within `notice-days`, 120 by default: the notice AWS
      Trusted Advisor gives), as info;
    - the final image building on another image the knowledge base marks deprecated, such as
      `amazonlinux:2`.

    The finding names the replacement: the newest runtime of the same language that is still
    supported (`provided:al2023` for `go:1` and `provided:al2`).  The date is compared with the day
    lintslim runs, so a base that is fine today is reported once its date has passed.

    ## Why is this bad?
    From its deprecation date AWS stops patching the runtime and its base image, and the function
    is no longer eligible for technical support.  Lambda keeps invoking it, and since Lambda cannot
    tell which runtime a container image carries it does not block deploying it either: nothing but
    a linter says that every rebuild ships an unpatched operating system and language runtime.
    Amazon Linux 2 reached end of life on 2026-06-30.

    Moving to a newer runtime is a code change (a new language version; `provided:al2023` also
    brings glibc 2.34, OpenSSL 3 and `dnf` instead of `yum`): test the function on the new base.

    ## Fix safety
    Only `provided:al2` gets a fix: it becomes `provided:al2023` (keeping an `-arm64`/`-x86_64`
    suffix), when the reference is written out without a digest and no stage built on it runs
    `yum` or `amazon-linux-extras`, which AL2023 does not have.  The fix is unsafe: binaries
    copied in were linked against AL2's libraries and may need the newer ones (OpenSSL 1.0 is gone),
    and scripts may still assume AL2.  Language runtime bumps get no fix: they need code changes.
    """

    code = "LS407"
    name = "lambda-deprecated-base"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    options = {  # noqa: RUF012 - read-only metadata, as on every rule
        "notice-days": Option(int, 120, "report (as info) a runtime deprecated within this many days; 0 turns it off"),
    }

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        yield from self.findings(ctx, datetime.date.today())

    def findings(self, ctx: RuleContext, today: datetime.date) -> Iterator[Diagnostic]:
        """The findings as of `today` (the check passes the lint day)."""
        image = lambda_image(ctx)
        if image is None:
            return
        notice = max(0, int(ctx.options.get("notice-days", 120)))
        graph = ctx.graph
        for base in _bases(graph, image):
            final = base.stage.index == graph.ancestry(image.stage)[-1].index
            if base.runtime is not None:
                diagnostic = self._runtime_finding(ctx, base, today, notice, final)
            else:
                diagnostic = self._facts_finding(base, image, final)
            if diagnostic is not None:
                yield diagnostic

    def _runtime_finding(
        self, ctx: RuleContext, base: _Base, today: datetime.date, notice: int, final: bool
    ) -> Diagnostic | None:
        runtime = base.runtime
        if runtime is None or runtime.deprecated is None:
            return None
        support = runtime.support(today, notice)
        if support is Support.SUPPORTED:
            return None
        what = f"`{base.shown}` is the base image of the `{runtime.id}` runtime"
        if not final:
            what = f"Build stage `{base.stage.label}` copies its work into the function image: {what}"
        advice = _advice(runtime, base.prefix, today)
        if support is Support.ENDING:
            days = (runtime.deprecated - today).days
            message = (
                f"{what}: AWS deprecates it on {runtime.deprecated} (in {days} days) and stops patching it{advice}"
            )
            return self.report(_token_span(base.stage), message, severity=Severity.INFO)
        message = f"{what}, deprecated on {runtime.deprecated}: AWS no longer patches it{advice}"
        return self.report(_token_span(base.stage), message, fix=_fix(ctx, base))

    def _facts_finding(self, base: _Base, image: LambdaImage, final: bool) -> Diagnostic | None:
        facts = image_facts(base.stage.image)
        if facts is None or not facts.deprecated or not (final or facts.lambda_):
            return None
        because = "" if facts.lambda_ else lambda_reason(image)
        message = f"The function image builds on `{base.shown}`, which is deprecated{because}: {facts.deprecated}"
        return self.report(_token_span(base.stage), message)


def _bases(graph: BuildGraph, image: LambdaImage) -> Iterator[_Base]:
    """The root stages of the final image and of the stages whose results reach it, each once."""
    seen: set[int] = set()
    order = [image.stage.index, *sorted(graph.reaching_final() - {image.stage.index})]
    for index in order:
        root = graph.ancestry(graph.stages[index])[-1]
        if root.index in seen or root.base_stage is not None or not root.from_instruction.args:
            continue
        seen.add(root.index)
        base = _base(root)
        if base is not None:
            yield base


def _base(root: Stage) -> _Base | None:
    if root.image is not None:
        found = aws_repository(root.image.familiar)
        prefix = found[0] if found is not None else ECR_PREFIX
        shown = root.image.raw.split("@", 1)[0] + ("@…" if root.image.digest else "")
        return _Base(root, shown, prefix, runtime_of(root.image))
    return _partial_base(root)


def _partial_base(root: Stage) -> _Base | None:
    """`public.ecr.aws/lambda/python:3.9-${ARCH}`: an AWS repository and a tag whose runtime part is known
    (the variable follows a dash, so it can only pick the architecture)."""
    name, colon, tag = root.from_instruction.args[0].value.rpartition(":")
    if not colon or "$" in name or "/" in tag or "-$" not in tag:
        return None
    found = aws_repository(name.removeprefix("docker.io/"))
    if found is None:
        return None
    known = tag.split("-$", 1)[0]
    if "$" in known:
        return None
    return _Base(root, f"{name}:{tag}", found[0], runtime_of_name(name.removeprefix("docker.io/"), known))


def _advice(runtime: Runtime, prefix: str, today: datetime.date) -> str:
    successor = runtime_table().successor(runtime, today)
    if successor is None or successor.id == runtime.id:
        return ""
    if runtime.replacement:
        return f"; move to the `{successor.id}` runtime: `{image_name(successor, prefix)}`"
    return f"; build on `{image_name(successor, prefix)}`"


def _token_span(stage: Stage) -> Span:
    return stage.from_instruction.args[0].span


def _fix(ctx: RuleContext, base: _Base) -> Fix | None:
    if base.runtime is None or base.runtime.id != "provided.al2":
        return None
    span = _token_span(base.stage)
    written = ctx.text[span.start : span.end]
    match = _PROVIDED_AL2.fullmatch(written)
    if match is None or _uses_al2_tools(ctx.graph, base.stage):
        return None
    replacement = f"{match.group('name')}:al2023{match.group('arch') or ''}"
    return Fix.unsafe(f"Build on `{replacement}`", Edit.replace(span, replacement))


def _uses_al2_tools(graph: BuildGraph, root: Stage) -> bool:
    """Whether a stage built on `root` runs a command Amazon Linux 2023 does not have."""
    for stage in graph.stages:
        if graph.ancestry(stage)[-1].index != root.index:
            continue
        for instruction in stage.instructions:
            if instruction.keyword != "RUN":
                continue
            if any(command.name in _AL2_ONLY_COMMANDS for command in shell_commands(graph.dockerfile, instruction)):
                return True
    return False

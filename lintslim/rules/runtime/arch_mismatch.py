from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lintslim.analysis.artifacts import artifacts
from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity
from lintslim.knowledge import image_architecture
from lintslim.rules.runtime._shared import base_label, is_runnable
from lintslim.syntax.stages import BuildGraph, Stage


class ArchMismatch(Rule):
    """A binary built for one CPU architecture is copied into an image for another.

    ## What it does
    Compares the target architecture of each binary a `COPY --from=<stage>` brings into an image
    (from `GOARCH`, a Rust `--target` triple, a cross compiler such as `aarch64-linux-gnu-gcc`, or
    the build stage's pinned `--platform`) with the image's architecture (its `FROM --platform`, an
    architecture namespace such as `arm64v8/alpine`, or a single-architecture tag such as
    `latest-arm64`).  Only definite mismatches are reported: an architecture that follows the build
    (`$TARGETARCH`, `$BUILDPLATFORM`, a multi-architecture tag, no `--platform`) is unknown.
    `scratch` stages without `ENTRYPOINT` or `CMD` (export stages) are skipped.

    When a SAM/CloudFormation template above the Dockerfile builds a Lambda function from it, the
    function's `Architectures` (`x86_64`, the default, or `arm64`) is the architecture of the final
    image: `sam build` builds it for that platform.  A base image pinned to the other architecture
    is reported on its `FROM`, and binaries are compared with the function's architecture when the
    image itself does not pin one.

    ## Why is this bad?
    The kernel cannot run the binary: the container fails with `exec format error` (or runs slowly
    under emulation when binfmt is installed).  Lambda runs a function only on the architecture it
    is configured for, so an image for the other one fails at its first invocation.  For multi-platform builds, build on
    `--platform=$BUILDPLATFORM` and set `GOARCH=$TARGETARCH` (or the matching Rust target) so both
    sides follow the requested platform.
    """

    code = "LS305"
    name = "arch-mismatch"
    severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        found = artifacts(ctx)
        function = _function_architecture(ctx)
        seen: set[tuple[int, int]] = set()
        for stage in graph.images():
            arch = _image_arch(graph, stage)
            if function is not None and stage is graph.final:
                if arch is not None and arch != function.arch:
                    yield self._function_mismatch(graph, stage, arch, function)
                    continue
                arch = function.arch  # `sam build` builds the image for the function's platform
            if arch is None or (graph.builds_on_scratch(stage) and not is_runnable(graph, stage)):
                continue
            for artifact in found.carried_by(graph.chain_instructions(stage)):
                if artifact.arch is None or artifact.arch == arch or artifact.os not in (None, "linux"):
                    continue
                span = artifact.trail[-1].source
                if (span.start, artifact.command.span.start) in seen:
                    continue
                seen.add((span.start, artifact.command.span.start))
                built_for = f"`{artifact.target}`" if artifact.target else artifact.arch
                yield self.report(
                    span,
                    f"{artifact.label} is built for {built_for}, but the image "
                    f"({base_label(graph, stage)}) is {arch}: it will fail with `exec format error`",
                )

    def _function_mismatch(
        self, graph: BuildGraph, stage: Stage, arch: str, function: _FunctionArchitecture
    ) -> Diagnostic:
        platform = stage.from_instruction.flag("platform")
        where = platform if platform is not None and graph.platform(stage) is not None else None
        span = where.span if where is not None else stage.from_instruction.args[0].span
        return self.report(
            span,
            f"Function `{function.name}` in `{function.template}` runs on {function.setting} (`Architectures`), "
            f"but the image ({base_label(graph, stage)}) is {arch}: Lambda cannot start it",
        )


@dataclass(frozen=True)
class _FunctionArchitecture:
    name: str  # the template's logical id
    template: str  # the template's file name
    setting: str  # as the template says it: x86_64 or arm64
    arch: str  # Go's name: amd64 or arm64


def _function_architecture(ctx: RuleContext) -> _FunctionArchitecture | None:
    """The architecture of the Lambda functions templates build from this Dockerfile, when they agree on one."""
    functions = ctx.sam_templates.functions if ctx.sam_templates is not None else ()
    settings = {setting for function in functions for setting in function.architectures or ("?",)}
    if len(settings) != 1:
        return None
    function = functions[0]
    setting = settings.pop()
    arch = _LAMBDA_ARCHITECTURES.get(setting)
    if arch is None:
        return None
    return _FunctionArchitecture(function.logical_id, function.template.name, setting, arch)


_LAMBDA_ARCHITECTURES = {"x86_64": "amd64", "arm64": "arm64"}  # Lambda's names -> Go's


def _image_arch(graph: BuildGraph, stage: Stage) -> str | None:
    platform = graph.platform(stage)
    if platform is not None and not platform.complete:
        return None  # a --platform we cannot resolve decides
    return image_architecture(graph.root_image(stage), platform.value if platform is not None else None)

from __future__ import annotations

from collections.abc import Iterator

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

    ## Why is this bad?
    The kernel cannot run the binary: the container fails with `exec format error` (or runs slowly
    under emulation when binfmt is installed).  For multi-platform builds, build on
    `--platform=$BUILDPLATFORM` and set `GOARCH=$TARGETARCH` (or the matching Rust target) so both
    sides follow the requested platform.
    """

    code = "LS305"
    name = "arch-mismatch"
    severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        found = artifacts(ctx)
        seen: set[tuple[int, int]] = set()
        for stage in graph.images():
            arch = _image_arch(graph, stage)
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


def _image_arch(graph: BuildGraph, stage: Stage) -> str | None:
    platform = graph.platform(stage)
    if platform is not None and not platform.complete:
        return None  # a --platform we cannot resolve decides
    return image_architecture(graph.root_image(stage), platform.value if platform is not None else None)

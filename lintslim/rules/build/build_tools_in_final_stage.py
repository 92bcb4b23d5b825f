from __future__ import annotations

import posixpath
from collections.abc import Iterator

from lintslim.analysis.artifacts import artifacts
from lintslim.analysis.toolchain import build_steps, tool_installs, toolchain_purpose
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.knowledge import ImageFacts, image_facts, runtime_image
from lintslim.knowledge.runtime import DISTROLESS_USERS
from lintslim.rules.build._shared import known_user, program_paths
from lintslim.syntax.nodes import Instruction
from lintslim.syntax.shell import shell_commands
from lintslim.syntax.stages import Stage

_INTERPRETED = frozenset({"python", "node", "java", "dotnet"})


class BuildToolsInFinalStage(Rule):
    """The final stage of a multi-stage build ships a toolchain.

    ## What it does
    In a Dockerfile whose final stage copies from build stages, flags:

    - a final stage based on a build image (`golang`, `rust`, `maven`, `gradle`, full `node` or
      `python`, a JDK, the .NET SDK, `gcc`, `cgr.dev/chainguard/go`, Chainguard `-dev` tags…) per
      the knowledge base;
    - compilers or development packages (`build-essential`, `gcc`, `*-dev`, `*-devel`…) that the
      final stage installs and no removal in the same `RUN` takes out again.

    The base is judged only when the final `FROM` names a known image: not when it names another
    stage or an image lintslim does not know, or an `ARG` it cannot resolve.  Images meant to be
    toolchains (dev containers, images whose command opens a shell or runs a build tool) are left
    alone.

    ## Why is this bad?
    The point of the build stages is that the image you ship holds the program and what it needs
    to run, not the compiler.  A final stage on `golang` or `maven` puts hundreds of megabytes of
    toolchain, and its vulnerabilities, back into the image.

    ## Fix safety
    When the final stage only copies artifacts in (no build command), the fix swaps the base image
    for the runtime image the knowledge base suggests, keeping `AS name` and flags: the `-slim`
    variant for Python and Node, the Temurin JRE of the same major version for Maven, Gradle and
    JDK images, the ASP.NET runtime for the .NET SDK, and for Go, Rust and C binaries copied in
    (as the artifact model places and links them) `distroless/static:nonroot` (statically linked) or
    `distroless/cc:nonroot` (glibc), when the final stage needs no shell: no `RUN`, no `HEALTHCHECK`,
    and an exec-form command that runs a copied binary (`nonroot` because distroless has no release
    tags; it runs the program as user 65532 unless the stage sets a `USER`).  It is unsafe: the
    runtime image lacks what the build image had (compilers, headers, libraries, a shell for
    distroless), which the program may still have used.  Installs are reported without a
    fix: moving them to a build stage needs a person.
    """

    code = "LS102"
    name = "build-tools-in-final-stage"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        final = graph.final
        if final is None or not graph.reads_other_stages(final):
            return
        dockerfile = ctx.dockerfile
        if toolchain_purpose(dockerfile, graph, final) is not None:
            return
        instructions = graph.chain_instructions(final)
        yield from self._toolchain_base(ctx, final, instructions)
        for install in tool_installs(dockerfile, instructions):
            if install.kept:
                names = "`, `".join(install.kept)
                yield self.report(
                    install.span,
                    f"The final image keeps `{names}` installed here; install build tools in a build stage, "
                    "or remove them in the same `RUN`",
                )

    def _toolchain_base(
        self, ctx: RuleContext, final: Stage, instructions: tuple[Instruction, ...]
    ) -> Iterator[Diagnostic]:
        if final.base_stage is not None or final.image is None or not final.from_instruction.args:
            return
        facts = image_facts(final.image)
        if facts is None or not facts.is_toolchain:
            return
        word = final.from_instruction.args[0]
        if build_steps(ctx.dockerfile, instructions):
            yield self.report(
                word.span,
                f"The final stage builds on the build image `{final.base.value}`; "
                "build in a build stage and copy the result into a runtime image",
            )
            return
        runtime = _runtime_for(ctx, final, facts)
        fix = None
        if runtime is not None:
            fix = Fix.unsafe(f"Use `{runtime}` as the final base", Edit.replace(word.span, runtime))
        yield self.report(
            word.span,
            f"The final stage only copies build results in, but runs on the build image `{final.base.value}`",
            fix=fix,
        )


def _runtime_for(ctx: RuleContext, final: Stage, facts: ImageFacts) -> str | None:
    """The runtime base for what the final stage runs: by the image's language, else by the binaries' linkage."""
    if facts.language in _INTERPRETED:
        return runtime_image(final.image, facts.language)
    copied = [artifact for artifact in artifacts(ctx).in_stage(final.index) if artifact.stage != final.index]
    linkages = {artifact.linkage for artifact in copied}
    if len(linkages) != 1:
        return None
    linkage = linkages.pop()
    paths = {artifact.path for artifact in copied if artifact.path is not None}
    if linkage not in ("static", "glibc") or not _runs_without_shell(ctx, final, paths):
        return None
    return runtime_image(None, linkage)


def _runs_without_shell(ctx: RuleContext, final: Stage, binaries: set[str]) -> bool:
    """No RUN, no shell-form command or health check, and the command runs one of the copied binaries."""
    commands: list[Instruction] = []
    workdir = "/"
    for instruction in final.instructions[1:]:
        keyword = instruction.keyword
        if keyword in ("RUN", "ONBUILD", "SHELL") or (keyword == "HEALTHCHECK" and instruction.values[:1] != ("NONE",)):
            return False
        if (
            keyword == "USER"
            and instruction.rest is not None
            and not known_user(instruction.rest.value, DISTROLESS_USERS)
        ):
            return False
        if keyword == "WORKDIR" and instruction.rest is not None:
            resolved = ctx.graph.resolve(instruction.rest.value, instruction)
            if not resolved.complete:
                return False
            workdir = posixpath.normpath(posixpath.join(workdir, resolved.value))
        if keyword in ("CMD", "ENTRYPOINT"):
            if not instruction.is_json:
                return False
            commands.append(instruction)
    entrypoint = [i for i in commands if i.keyword == "ENTRYPOINT"]
    runs = entrypoint[-1:] or commands[-1:]
    if not runs or not runs[0].args:
        return False
    program = shell_commands(ctx.dockerfile, runs[0])
    if len(program) != 1 or not program[0].argv:
        return False
    return bool(program_paths(program[0].argv[0].value, workdir) & binaries)

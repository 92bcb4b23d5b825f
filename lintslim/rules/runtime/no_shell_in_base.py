from __future__ import annotations

import json
import re
from collections.abc import Iterator

from lintslim.analysis.artifacts import Artifacts, artifacts
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.knowledge import ImageFacts, stage_facts
from lintslim.rules._edits import keyword_case, line_after
from lintslim.rules.hygiene.json_args_recommended import exec_form
from lintslim.rules.runtime._shared import base_label, brings_unknown_tree, copies
from lintslim.syntax.nodes import Dockerfile, Instruction, LineKind, Token
from lintslim.syntax.shell import POSIX_SHELLS
from lintslim.syntax.stages import BuildGraph, Stage

# A copy of a shell: a path naming one, or all of /bin.
_SHELL_PATH = re.compile(r"(^|/)(sh|bash|ash|dash|busybox)$|^/?(usr/)?bin/?$")
_DEFAULT_SHELL = "/bin/sh"


class NoShellInBase(Rule):
    """A step needs `/bin/sh`, and the base image has none.

    ## What it does
    In stages that build on an image without `/bin/sh` (`scratch`, distroless without `:debug`,
    Chainguard images without `-dev`, chiseled .NET images), flags:

    - `RUN` in shell form (heredoc scripts included), or in exec form with a shell the image lacks
      (`RUN ["/bin/sh", "-c", "…"]`), also as an `ONBUILD` trigger: the build fails;
    - shell-form `CMD`, `ENTRYPOINT` and `HEALTHCHECK CMD` that the image uses (the last of each in
      an image stage and the stages it builds on): the container fails to start, or its health
      check always fails.

    A `SHELL` instruction, or a copy that brings a shell (`COPY --from=busybox:musl /bin/busybox
    /bin/sh`), earlier in the stage or a stage it builds on ends the check: the stage then has the
    shell it asks for.  Distroless `:debug` images keep busybox at `/busybox/sh`, not `/bin/sh`.

    ## Why is this bad?
    Shell form means `/bin/sh -c "<command>"`.  Without `/bin/sh`, BuildKit cannot run the step
    (`exec: "/bin/sh": stat /bin/sh: no such file or directory`) and the runtime cannot start the
    command.  Run build steps in a build stage and copy their result, and write commands in exec
    (JSON) form.

    ## Fix safety
    On a distroless `:debug` image the fix adds `SHELL ["/busybox/sh", "-c"]` after the stage's
    `FROM`; it is safe, as nothing shell-form can run in that stage without it.  Otherwise a
    shell-form `CMD`, `ENTRYPOINT` or `HEALTHCHECK CMD` that is a plain word list (no variables,
    operators, quotes that matter, globs or builtins) is rewritten in exec form.  That fix is safe
    on `scratch` when it cannot change how `CMD` and `ENTRYPOINT` combine (no `ENTRYPOINT` beside a
    fixed `CMD`, no `CMD` beside a fixed `ENTRYPOINT`), since the shell form cannot run at all; on
    other bases it is unsafe, as the image may set an `ENTRYPOINT` of its own (the distroless
    language images do) that an exec-form `CMD` becomes arguments to.  A `RUN` has no fix.
    """

    code = "LS304"
    name = "no-shell-in-base"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        found = artifacts(ctx)
        used = _used_commands(graph)
        for stage in graph.stages:
            facts = stage_facts(graph, stage)
            if facts is None or facts.shell is None or (facts.shell and not facts.shell_path):
                continue
            if _has_shell_before(graph, stage, found):
                continue
            for instruction in stage.instructions[1:]:
                if _brings_shell(graph, stage, instruction, found):
                    break
                diagnostic = self._check(ctx.dockerfile, graph, stage, facts, instruction, used)
                if diagnostic is not None:
                    yield diagnostic

    def _check(
        self,
        dockerfile: Dockerfile,
        graph: BuildGraph,
        stage: Stage,
        facts: ImageFacts,
        instruction: Instruction,
        used: set[int],
    ) -> Diagnostic | None:
        target = instruction.effective
        base = base_label(graph, stage)
        where = (
            f"{base} has its shell at `{facts.shell_path}`, not `/bin/sh`"
            if facts.shell_path
            else f"{base} has no shell"
        )
        debug_fix = _shell_fix(dockerfile, stage, facts)
        if target.keyword == "RUN":
            shell = _exec_form_shell(target, facts)
            if not target.is_shell_form and shell is None:
                return None
            form = f'`RUN ["{shell}", …]` runs `{shell}`' if shell else "`RUN` in shell form runs `/bin/sh -c`"
            if instruction.inner is not None:
                outcome = "builds from this image will fail"
            else:
                outcome = "the build will fail" + ("" if debug_fix else " (run this step in a build stage)")
            return self.report(target.keyword_span, f"{form}, and {where}: {outcome}", fix=debug_fix)
        command = _shell_form_command(target)
        if command is None or instruction.index not in used:
            return None
        keyword = "HEALTHCHECK CMD" if target.keyword == "HEALTHCHECK" else target.keyword
        outcome = (
            "the health check will always fail" if keyword == "HEALTHCHECK CMD" else "the container will fail to start"
        )
        fix = debug_fix or _exec_fix(dockerfile, graph, stage, target, command)
        return self.report(
            command.span, f"Shell-form `{keyword}` runs under `/bin/sh -c`, and {where}: {outcome}", fix=fix
        )


def _used_commands(graph: BuildGraph) -> set[int]:
    """The CMD, ENTRYPOINT and HEALTHCHECK each image uses: the last of each kind in its chain."""
    used: set[int] = set()
    for stage in graph.images():
        last: dict[str, int] = {}
        for instruction in graph.chain_instructions(stage):
            if instruction.keyword in ("CMD", "ENTRYPOINT", "HEALTHCHECK"):
                last[instruction.keyword] = instruction.index
        used |= set(last.values())
    return used


def _has_shell_before(graph: BuildGraph, stage: Stage, found: Artifacts) -> bool:
    """Whether a stage this one builds on set a SHELL or brought a shell in."""
    for parent in graph.chain(stage)[:-1]:
        if any(_brings_shell(graph, parent, instruction, found) for instruction in parent.instructions[1:]):
            return True
    return False


def _brings_shell(graph: BuildGraph, stage: Stage, instruction: Instruction, found: Artifacts) -> bool:
    if instruction.keyword == "SHELL":
        return True
    if instruction.keyword not in ("COPY", "ADD"):
        return False
    for copy in copies(graph, stage):
        if copy.instruction is instruction:
            return brings_unknown_tree(copy, found) or any(_SHELL_PATH.search(path) for path in copy.paths())
    return False


def _exec_form_shell(instruction: Instruction, facts: ImageFacts) -> str | None:
    """The shell an exec-form RUN starts when the image lacks it (`RUN ["/bin/sh", "-c", …]`)."""
    if not instruction.is_json or not instruction.args:
        return None
    program = instruction.args[0].value
    if program.rsplit("/", 1)[-1] not in POSIX_SHELLS or program == facts.shell_path:
        return None
    return program


def _shell_form_command(instruction: Instruction) -> Token | None:
    """The command text of a shell-form CMD, ENTRYPOINT or HEALTHCHECK CMD."""
    if instruction.keyword in ("CMD", "ENTRYPOINT") and instruction.is_shell_form:
        return instruction.rest
    healthcheck = instruction.keyword == "HEALTHCHECK" and not instruction.is_json and len(instruction.args) == 2
    return instruction.args[1] if healthcheck and instruction.args[0].value.upper() == "CMD" else None


def _shell_fix(dockerfile: Dockerfile, stage: Stage, facts: ImageFacts) -> Fix | None:
    """`SHELL ["<shell>", "-c"]` after the FROM, for images whose shell is not at /bin/sh."""
    if not facts.shell_path or facts.shell_path == _DEFAULT_SHELL:
        return None
    line = f'{keyword_case(dockerfile, stage.from_instruction, "SHELL")} ["{facts.shell_path}", "-c"]'
    return Fix.safe(f"Use the image's shell: `{line}`", line_after(dockerfile, stage.from_instruction, line))


def _exec_fix(
    dockerfile: Dockerfile, graph: BuildGraph, stage: Stage, instruction: Instruction, command: Token
) -> Fix | None:
    if dockerfile.escape != "\\":
        return None
    kinds = dockerfile.line_kinds[instruction.start_line - 1 : instruction.end_line]
    if LineKind.CONTINUATION_COMMENT in kinds:
        return None
    words = exec_form(command.value)
    if words is None:
        return None
    array = "[" + ", ".join(json.dumps(word, ensure_ascii=False) for word in words) + "]"
    edit = Edit.replace(command.span, array)
    title = f"Use exec form: `{array}`"
    if graph.builds_on_scratch(stage) and not _combines(graph, stage, instruction.keyword):
        return Fix.safe(title, edit)
    return Fix.unsafe(title, edit)


def _combines(graph: BuildGraph, stage: Stage, keyword: str) -> bool:
    """Whether an image using `stage` sets the instruction that a fixed CMD or ENTRYPOINT combines with."""
    other = {"CMD": "ENTRYPOINT", "ENTRYPOINT": "CMD"}.get(keyword)
    if other is None:
        return False
    images = [target for target in graph.images() if stage in graph.ancestry(target)]
    return any(item.keyword == other for image in images for item in graph.chain_instructions(image))

from __future__ import annotations

import re
from collections.abc import Iterator

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.syntax.nodes import Instruction
from lintslim.syntax.source import Span

_WINDOWS_ABSOLUTE = re.compile(r"[A-Za-z]:[\\/]|[\\/]")


def is_absolute(path: str) -> bool:
    return path.startswith("/") or bool(_WINDOWS_ABSOLUTE.match(path))


class WorkdirRelativePath(Rule):
    """`WORKDIR` is relative, and no absolute `WORKDIR` came before it in the stage.

    ## What it does
    Flags a relative `WORKDIR` in a stage that has not set an absolute one yet (itself or through
    the stage it builds on).  Relative paths after an absolute `WORKDIR` are fine and not flagged,
    unlike hadolint's DL3000.

    ## Why is this bad?
    A relative `WORKDIR` resolves against the base image's working directory, which you do not
    control: the day the base image changes it, your files land somewhere else.

    ## Fix safety
    The fix makes the path absolute by resolving it against `/`.  It is unsafe: it is what most base
    images use, but an image with another `WORKDIR` would put files elsewhere after the fix.  Only
    the first relative `WORKDIR` (in a stage and the stages it builds on) gets the fix: the ones
    after it are relative to it, and become fine once it is fixed.
    """

    code = "LS501"
    name = "workdir-relative-path"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3000", "WorkdirRelativePath")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        absolute_stages: set[int] = set()
        moved_stages: set[int] = set()  # a relative WORKDIR already moved away from the base image's
        for stage in graph.stages:
            anchored = stage.base_stage in absolute_stages
            moved = stage.base_stage in moved_stages
            for instruction in stage.instructions[1:]:
                if instruction.keyword != "WORKDIR" or instruction.rest is None:
                    continue
                resolved = graph.resolve(instruction.rest.value, instruction)
                if not resolved.complete:
                    anchored = True  # cannot tell; do not guess after it either
                    continue
                if is_absolute(resolved.value):
                    anchored = True
                elif not anchored:
                    yield self.report(
                        instruction.rest.span,
                        f"Relative `WORKDIR {instruction.rest.value}` depends on the base image's working directory",
                        # only the first one is relative to the base image's directory; fixing it fixes the rest
                        fix=None if moved else self._fix(instruction),
                    )
                    moved = True
            if anchored:
                absolute_stages.add(stage.index)
            elif moved:
                moved_stages.add(stage.index)

    @staticmethod
    def _fix(instruction: Instruction) -> Fix | None:
        assert instruction.rest is not None
        if "\\" in instruction.rest.value or instruction.rest.value.startswith("$"):
            return None
        path = instruction.rest.value.removeprefix("./")
        start = instruction.rest.span.start
        dot_slash = Span(start, start + len(instruction.rest.value) - len(path))  # empty unless `./`
        return Fix.unsafe(f"Make the path absolute: `/{path}`", Edit.replace(dot_slash, "/"))

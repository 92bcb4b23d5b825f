from __future__ import annotations

import json
import re
import shlex
from collections.abc import Iterator

from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.syntax.nodes import Dockerfile, Instruction, LineKind

# A command made only of these characters means the same with or without a shell around it.
_PLAIN_COMMAND = re.compile(r"""[A-Za-z0-9_@%+=:,./\-'" \t]+""")


def exec_form(command: str) -> list[str] | None:
    """The argv a shell would build from `command`, when no shell feature is in play."""
    if not _PLAIN_COMMAND.fullmatch(command):
        return None
    try:
        words = shlex.split(command, posix=True)
    except ValueError:
        return None
    return words or None


def _has_comment_lines(dockerfile: Dockerfile, instruction: Instruction) -> bool:
    kinds = dockerfile.line_kinds[instruction.start_line - 1 : instruction.end_line]
    return LineKind.CONTINUATION_COMMENT in kinds


class JsonArgsRecommended(Rule):
    """`CMD` or `ENTRYPOINT` in shell form.

    ## What it does
    Flags `CMD` and `ENTRYPOINT` written as a plain command line instead of a JSON array, in every
    stage that can become an image (stages used only to build others are skipped).

    ## Why is this bad?
    Shell form runs the command as `/bin/sh -c "…"`: the shell is PID 1, so `docker stop` sends
    SIGTERM to the shell, not to your program, which is killed after the timeout instead of shutting
    down cleanly.  Images without a shell (scratch, distroless) cannot run shell form at all.

    ## Fix safety
    The fix rewrites the command as a JSON array when it uses no shell feature (no variables, pipes,
    redirections, globs, `&&` or escapes).  It is unsafe: the program then receives signals itself
    and runs without a shell, which is the point but is still a change in behaviour.
    """

    code = "LS502"
    name = "json-args-recommended"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3025", "JSONArgsRecommended")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        build_only = graph.build_only()
        for stage in graph.stages:
            if stage.index in build_only:
                continue
            custom_shell = False
            for instruction in stage.instructions:
                custom_shell = custom_shell or instruction.keyword == "SHELL"
                if instruction.keyword not in ("CMD", "ENTRYPOINT") or not instruction.is_shell_form:
                    continue
                assert instruction.rest is not None
                fix = None if custom_shell else self._fix(ctx.dockerfile, instruction)
                yield self.report(
                    instruction.rest.span,
                    f"Shell-form `{instruction.keyword}`: the command runs under `/bin/sh -c` and misses signals",
                    fix=fix,
                )

    @staticmethod
    def _fix(dockerfile: Dockerfile, instruction: Instruction) -> Fix | None:
        assert instruction.rest is not None
        if dockerfile.escape != "\\" or _has_comment_lines(dockerfile, instruction):
            return None
        words = exec_form(instruction.rest.value)
        if words is None:
            return None
        array = "[" + ", ".join(json.dumps(word, ensure_ascii=False) for word in words) + "]"
        return Fix.unsafe(f"Use exec form: `{array}`", Edit.replace(instruction.rest.span, array))

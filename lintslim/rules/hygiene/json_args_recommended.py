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
_ASSIGNMENT = re.compile(r"[A-Za-z_][A-Za-z0-9_]*=")
# Commands the shell runs itself: there is no program of that name to run without a shell.
_SHELL_ONLY = frozenset(
    {".", ":", "alias", "cd", "eval", "exec", "exit", "export", "readonly", "set", "shift", "source",
     "trap", "ulimit", "umask", "unset", "wait"}
)  # fmt: skip


def exec_form(command: str) -> list[str] | None:
    """The argv a shell would build from `command`, when no shell feature is in play.

    A leading `exec` is dropped: the shell would replace itself with the program, which exec form
    runs directly.  A leading variable assignment (`PORT=80 app`) or a shell builtin has no argv.
    """
    if not _PLAIN_COMMAND.fullmatch(command):
        return None
    try:
        words = shlex.split(command, posix=True)
    except ValueError:
        return None
    if words[:1] == ["exec"]:
        words = words[1:]  # exec's own options (`exec -a name app`) start with `-` and are refused below
    if not words or words[0].startswith("-") or _ASSIGNMENT.match(words[0]) or words[0] in _SHELL_ONLY:
        return None
    return words


def _has_comment_lines(dockerfile: Dockerfile, instruction: Instruction) -> bool:
    kinds = dockerfile.line_kinds[instruction.start_line - 1 : instruction.end_line]
    return LineKind.CONTINUATION_COMMENT in kinds


class JsonArgsRecommended(Rule):
    """`CMD` or `ENTRYPOINT` in shell form.

    ## What it does
    Flags `CMD` and `ENTRYPOINT` written as a plain command line instead of a JSON array, in every
    stage that can become an image and in the stages those build on, which pass their `CMD` and
    `ENTRYPOINT` on (stages used only to build others are skipped).

    ## Why is this bad?
    Shell form runs the command as `/bin/sh -c "…"`: the shell is PID 1, so `docker stop` sends
    SIGTERM to the shell, not to your program, which is killed after the timeout instead of shutting
    down cleanly.  Images without a shell (scratch, distroless) cannot run shell form at all.

    ## Fix safety
    The fix rewrites the command as a JSON array when it uses no shell feature (no variables, pipes,
    redirections, globs, `&&`, escapes, builtins or leading `VAR=value`; a leading `exec` is dropped)
    and the stage keeps the default shell.  It is unsafe: the program then receives signals itself
    and runs without a shell, which is the point but is still a change in behaviour.
    """

    code = "LS502"
    name = "json-args-recommended"
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    aliases = ("DL3025", "JSONArgsRecommended")

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        graph = ctx.graph
        images = graph.image_stages()
        shell_stages: set[int] = set()  # stages that set a SHELL (their children inherit it)
        for stage in graph.stages:
            custom_shell = stage.base_stage in shell_stages
            if custom_shell or any(instruction.keyword == "SHELL" for instruction in stage.instructions):
                shell_stages.add(stage.index)
            if stage.index not in images:
                continue
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

from __future__ import annotations

from collections.abc import Iterator

from lintslim.analysis.aws_lambda import LambdaImage, Reason, lambda_image
from lintslim.engine.rule import Diagnostic, Option, Rule, RuleContext, Severity
from lintslim.rules.aws_lambda._shared import lambda_reason
from lintslim.syntax.nodes import Instruction

IGNORED = ("USER", "EXPOSE", "HEALTHCHECK", "VOLUME", "STOPSIGNAL")
# What Lambda does instead, for the message.
_INSTEAD = {
    "USER": "the function runs as a user Lambda chooses, so the files it reads must be readable by any user",
    "EXPOSE": "Lambda sends events through its Runtime API, not to a port",
    "HEALTHCHECK": "Lambda never runs it; a function that fails to start fails its invocations",
    "VOLUME": "only /tmp is writable at run time, and nothing is mounted",
    "STOPSIGNAL": "Lambda manages the execution environment's shutdown itself",
}
# An interactive shell as the image's command: a build or CI environment, not a function.
_SHELLS = frozenset({"sh", "bash", "ash", "zsh", "dash"})


class LambdaIgnoredInstruction(Rule):
    """A Lambda function image sets what Lambda ignores: `USER`, `EXPOSE`, `HEALTHCHECK`, `VOLUME`, `STOPSIGNAL`.

    ## What it does
    Flags these instructions in the function image (the final stage and the stages it builds on;
    build stages do not matter):

    - every `EXPOSE`, `HEALTHCHECK`, `VOLUME` and `STOPSIGNAL`;
    - the last `USER`, which sets the image's user (earlier ones only choose who runs the `RUN`
      steps after them, which does matter for the build).  `USER root` is flagged too.

    Images that are not only Lambda functions are left alone: an image that carries the AWS
    Lambda Web Adapter on a plain base (it is made to run on ECS or a laptop as well, where these
    instructions count), and an image whose command is an interactive shell with the entry point
    cleared (`ENTRYPOINT []` + `CMD ["/bin/bash"]`, such as the SAM build images built on Lambda
    bases).  The `instructions` option narrows the list, for example to keep `USER` for local runs.

    ## Why is this bad?
    Lambda reads only `ENTRYPOINT`, `CMD`, `WORKDIR` and `ENV` from the image and "ignores the values
    of any unsupported container image settings".  A `USER` is the costly one: the function runs as
    Lambda's own unprivileged user whatever the image says, while `docker run` (and the runtime
    interface emulator) honour it, so permissions tested locally are not the ones Lambda uses.  The
    others promise things (a port, a health check, a volume, a stop signal) that never happen.
    Remove them, or keep them knowingly when the same image also runs elsewhere.
    """

    code = "LS406"
    name = "lambda-ignored-instruction"
    severity = Severity.INFO
    options = {  # noqa: RUF012 - read-only metadata, as on every rule
        "instructions": Option(list, list(IGNORED), "the ignored instructions to report"),
    }

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        image = lambda_image(ctx)
        if image is None or _runs_elsewhere(image) or _is_build_environment(image):
            return
        wanted = {keyword.upper() for keyword in ctx.options.get("instructions", IGNORED)}
        because = lambda_reason(image)
        for instruction in _ignored(ctx.graph.chain_instructions(image.stage), wanted):
            keyword = instruction.keyword
            message = f"Lambda ignores `{keyword}`{because}: {_INSTEAD[keyword]}"
            yield self.report(instruction.keyword_span, message)


def _ignored(instructions: tuple[Instruction, ...], wanted: set[str]) -> list[Instruction]:
    """The instructions to report, in file order: all of them but the `USER`s before the last."""
    found = [instruction for instruction in instructions if instruction.keyword in wanted]
    users = [instruction for instruction in found if instruction.keyword == "USER"]
    return [instruction for instruction in found if instruction.keyword != "USER" or instruction is users[-1]]


def _runs_elsewhere(image: LambdaImage) -> bool:
    """An image made to run on Lambda and off it: the Web Adapter on a base that is not Lambda's."""
    return image.has(Reason.WEB_ADAPTER) and not image.on_aws_base


def _is_build_environment(image: LambdaImage) -> bool:
    """`ENTRYPOINT []` and an interactive shell (or nothing) as the command: a toolbox on a Lambda base."""
    if image.entrypoint != ():
        return False
    if not image.cmd:
        return True
    return len(image.cmd) == 1 and image.cmd[0].rsplit("/", 1)[-1] in _SHELLS

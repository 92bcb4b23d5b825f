from __future__ import annotations

import re
from collections.abc import Iterator

from lintslim.analysis.aws_lambda import LambdaImage, lambda_image
from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import shell_commands
from lintslim.syntax.source import Span

# The emulator's release binaries (`aws-lambda-rie`, `-arm64`, `-x86_64`) and the directory its README
# downloads them to (`~/.aws-lambda-rie`), as the last part of a path or URL.
_RIE_FILE = re.compile(r"(?:^|/)\.?aws-lambda-rie(?:-arm64|-x86_64)?/?$")
_RIE_PROJECT = "aws-lambda-runtime-interface-emulator"  # its repository, in release URLs and clones
_FETCHERS = frozenset({"curl", "wget", "gh", "git"})
_TESTS = frozenset({"[", "[[", "test"})  # a download next to one of these is conditional
_RUNTIME_API = "AWS_LAMBDA_RUNTIME_API"  # what an entry script tests to tell Lambda from a local run
_AWS_BASE_RIE = "/usr/local/bin/aws-lambda-rie"  # where the AWS bases keep it (/lambda-entrypoint.sh runs it)
_MOUNT = "docker run -v ~/.aws-lambda-rie:/aws-lambda --entrypoint /aws-lambda/aws-lambda-rie …"


class LambdaEmulatorInImage(Rule):
    """The Lambda runtime interface emulator is baked into the function image.

    ## What it does
    Flags an `ADD`, `COPY` or a `RUN` download (`curl`, `wget`, `gh`, `git`) that puts the AWS Lambda
    Runtime Interface Emulator (`aws-lambda-rie`, `aws-lambda-rie-arm64`, its release URLs or its
    repository) into the function image: the final stage or a stage it builds on.  Fetching it in a
    separate test stage is fine, and so is a download the `RUN` makes only under a condition
    (`if [ "$LOCAL_DEV" = true ]; then curl …; fi`): that is a test build chosen by a build argument.

    It is a warning when the image runs the emulator as its command (`ENTRYPOINT` or, with the entry
    point cleared, `CMD`) instead of through an entry script that checks `AWS_LAMBDA_RUNTIME_API`:
    deployed to Lambda, that image cannot serve the function.  Otherwise it is info: an entry script
    that starts the emulator only when `AWS_LAMBDA_RUNTIME_API` is unset works on Lambda, and the
    emulator is only dead weight there.

    ## Why is this bad?
    The emulator is a local test tool: it turns HTTP requests on port 8080 into invocations.  On
    Lambda it is never needed, so it adds several MB to every deployment of the function.  The AWS
    base images (`public.ecr.aws/lambda/*`) already include it as `/usr/local/bin/aws-lambda-rie`
    and their entry point starts it when run outside Lambda (`docker run -p 9000:8080 image`), so a
    copy on them is redundant.  For other
    bases, AWS documents mounting it at test time instead:
    `docker run -v ~/.aws-lambda-rie:/aws-lambda --entrypoint /aws-lambda/aws-lambda-rie image …`,
    or add it in a test stage built with `--target`.

    An image whose command is the emulator itself only works locally: on Lambda the emulator
    would stand in for the Runtime API the function should poll, and the function would never
    receive an event.
    """

    code = "LS409"
    name = "lambda-emulator-in-image"
    severity = Severity.WARNING

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        image = lambda_image(ctx)
        if image is None:
            return
        runs = _runs_emulator(ctx.dockerfile, image)
        for instruction in ctx.graph.chain_instructions(image.stage):
            span = _brings_emulator(ctx.dockerfile, instruction)
            if span is None:
                continue
            if runs is not None:
                yield self.report(span, _running_message(runs, image))
            else:
                yield self.report(span, _weight_message(image), severity=Severity.INFO)


def _weight_message(image: LambdaImage) -> str:
    if image.on_aws_base:
        return (
            f"The AWS base image already has the Lambda runtime interface emulator at `{_AWS_BASE_RIE}` (its "
            "entry point starts it outside Lambda): this copy only adds weight to the function image"
        )
    return (
        "The Lambda runtime interface emulator is a local test tool: in the function image (a Lambda image: "
        f"{image.explanation}) it is dead weight of several MB; mount it when testing (`{_MOUNT}`) or add it in "
        "a test stage"
    )


def _running_message(where: int, image: LambdaImage) -> str:
    command = f"as its command (line {where})" if where else "as its command (the template's ImageConfig)"
    instead = (
        "use the base image's own entry point, which starts its emulator only outside Lambda"
        if image.on_aws_base
        else f"start it from an entry script only when `{_RUNTIME_API}` is unset, or only when testing"
    )
    return (
        f"The image runs the Lambda runtime interface emulator {command}: deployed to Lambda, it would stand in "
        f"for the Runtime API and the function would get no events; {instead}"
    )


def _brings_emulator(dockerfile: Dockerfile, instruction: Instruction) -> Span | None:
    """Where an instruction adds the emulator to the image: the source (or destination) or the URL."""
    if instruction.keyword in ("ADD", "COPY") and instruction.args:
        for token in instruction.args:
            if _names_emulator(token.value):
                return token.span
        return None
    if instruction.keyword != "RUN":
        return None
    commands = shell_commands(dockerfile, instruction)
    if any(command.name in _TESTS for command in commands):
        return None  # fetched only when a build argument asks for it: a test build, not the function's
    for command in commands:
        if command.name not in _FETCHERS:
            continue
        for word in command.argv[1:]:
            if _names_emulator(word.value):
                return word.span
    return None


def _names_emulator(word: str) -> bool:
    return _RIE_PROJECT in word or _RIE_FILE.search(word) is not None


def _runs_emulator(dockerfile: Dockerfile, image: LambdaImage) -> int | None:
    """The line of the ENTRYPOINT or CMD that runs the emulator directly, if the image does (0 when a template
    override does); None when it does not, or runs it from a script that checks `AWS_LAMBDA_RUNTIME_API`."""
    if image.entrypoint:
        return _line_if_emulator(image.entrypoint[0], image.entrypoint_instruction)
    if image.entrypoint_instruction is not None and image.entrypoint is None:
        return _shell_form_runs(dockerfile, image.entrypoint_instruction)
    if image.entrypoint is None and image.on_aws_base:
        return None  # the base's own entry point, which starts the emulator only outside Lambda
    if image.cmd:
        return _line_if_emulator(image.cmd[0], image.cmd_instruction)
    if image.cmd_instruction is not None:
        return _shell_form_runs(dockerfile, image.cmd_instruction)
    return None


def _line_if_emulator(program: str, instruction: Instruction | None) -> int | None:
    if _RIE_FILE.search(program) is None:
        return None
    return instruction.start_line if instruction is not None else 0


def _shell_form_runs(dockerfile: Dockerfile, instruction: Instruction) -> int | None:
    """A shell-form command that runs the emulator without testing `AWS_LAMBDA_RUNTIME_API`."""
    text = dockerfile.text[instruction.span.start : instruction.span.end]
    if _RUNTIME_API in text:
        return None
    for command in shell_commands(dockerfile, instruction):
        if command.name is not None and _RIE_FILE.search(command.name):
            return instruction.start_line
    return None

"""What a Lambda image starts: its ENTRYPOINT and CMD as Lambda runs them (LS401, LS405).

Lambda runs the image's ENTRYPOINT with the CMD as its arguments (the template's ImageConfig
overrides either); on the AWS bases the ENTRYPOINT is `/lambda-entrypoint.sh`, which takes the
handler (the CMD) as its single argument, and so does a runtime interface client run as the
ENTRYPOINT (`python -m awslambdaric app.handler`).
"""

from __future__ import annotations

import json

from lintslim.analysis.aws_lambda import AWS_ENTRYPOINT, LambdaImage
from lintslim.engine.fixes import Edit
from lintslim.rules.hygiene.json_args_recommended import exec_form
from lintslim.syntax.nodes import Dockerfile, Instruction, LineKind
from lintslim.syntax.stages import BuildGraph


def command_words(instruction: Instruction | None) -> tuple[str, ...] | None:
    """The words of a CMD or ENTRYPOINT: its exec form, or a shell form that is a plain word list."""
    if instruction is None:
        return None
    if instruction.is_json:
        return tuple(token.value for token in instruction.args)
    if instruction.rest is None:
        return None
    words = exec_form(instruction.rest.value)
    return tuple(words) if words is not None else None


def cmd_words(graph: BuildGraph, image: LambdaImage) -> tuple[str, ...] | None:
    """The CMD Lambda passes: the template's Command, else the image's CMD when it is in force."""
    if image.cmd_instruction is None:
        return image.cmd
    return command_words(image.cmd_instruction) if cmd_in_force(graph, image) else None


def cmd_in_force(graph: BuildGraph, image: LambdaImage) -> bool:
    """Whether the image's CMD instruction survives: an ENTRYPOINT in a later stage than the CMD's
    resets an inherited CMD (BuildKit keeps only a CMD set in the ENTRYPOINT's own stage)."""
    cmd, entrypoint = image.cmd_instruction, image.entrypoint_instruction
    if cmd is None:
        return False
    if entrypoint is None or entrypoint.index < cmd.index:
        return True
    return graph.stage_of(cmd) is graph.stage_of(entrypoint)


def handler_entrypoint(image: LambdaImage) -> str | None:
    """How the entrypoint that takes the CMD as a handler is named in messages, or None when the
    entrypoint is a program of the author's (its arguments may be anything)."""
    if image.on_aws_base and image.entrypoint_instruction is None and image.entrypoint is None:
        return f"the base image's `{AWS_ENTRYPOINT}`"
    if image.entrypoint and image.entrypoint[0] == AWS_ENTRYPOINT:
        return f"`{AWS_ENTRYPOINT}`"
    client = image.runtime_client
    if client is not None and client.how == "entrypoint" and image.entrypoint:
        return f"the runtime interface client `{client.package}`"
    return None


def exec_form_edit(dockerfile: Dockerfile, instruction: Instruction) -> tuple[Edit, str] | None:
    """The edit that writes a shell-form CMD or ENTRYPOINT as a JSON array, and that array, when the
    command is a plain word list (no variables, operators, globs) and the line has no comment lines."""
    if instruction.is_json or instruction.rest is None or dockerfile.escape != "\\":
        return None
    if LineKind.CONTINUATION_COMMENT in dockerfile.line_kinds[instruction.start_line - 1 : instruction.end_line]:
        return None
    words = exec_form(instruction.rest.value)
    if words is None:
        return None
    array = "[" + ", ".join(json.dumps(word, ensure_ascii=False) for word in words) + "]"
    return Edit.replace(instruction.rest.span, array), array

"""LS402's resolution of a Lambda handler, imported by the rule only when there is a handler to resolve."""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING

from lintslim.analysis.aws_lambda import LambdaImage
from lintslim.analysis.function_files import FunctionDirectory, function_directory
from lintslim.analysis.handlers import Resolution, Resolved, resolve_node_handler, resolve_python_handler
from lintslim.engine.rule import RuleContext
from lintslim.rules.aws_lambda._shared import lambda_reason
from lintslim.syntax.source import Span

if TYPE_CHECKING:
    from lintslim.context.build_context import BuildContext

_FINDINGS = frozenset(
    {Resolved.MISSING_MODULE, Resolved.MISSING_NAME, Resolved.BAD_SIGNATURE, Resolved.UNPARSABLE, Resolved.MALFORMED}
)
_PYTHON_ERRORS = {
    Resolved.MISSING_MODULE: "`Runtime.ImportModuleError`",
    Resolved.MISSING_NAME: "`Runtime.HandlerNotFound`",
    Resolved.UNPARSABLE: "`Runtime.UserCodeSyntaxError`",
    Resolved.BAD_SIGNATURE: "a `TypeError`",
}
_VERBS = {
    Resolved.BAD_SIGNATURE: "cannot be called as `handler(event, context)`",
    Resolved.UNPARSABLE: "cannot be imported",
    Resolved.MALFORMED: "cannot work",
}
_NODE_ERRORS = {
    Resolved.MISSING_MODULE: "`Runtime.ImportModuleError`",
    Resolved.MISSING_NAME: "`Runtime.HandlerNotFound`",
    Resolved.MALFORMED: "`Runtime.MalformedHandlerName`",
}


def unresolved(ctx: RuleContext, context: BuildContext, image: LambdaImage, handler: str) -> tuple[Span, str] | None:
    """Where and why `handler` does not resolve in the image's function directory; None when it does
    (or when nothing can be told)."""
    directory = function_directory(ctx.graph, image, context)
    if directory is None:
        return None
    language = image.language or _language_from_files(handler, directory)
    if language == "python":
        resolution = resolve_python_handler(handler, directory.view(context, language))
    elif language == "node":
        resolution = resolve_node_handler(handler, directory.view(context, language))
    else:
        return None
    missing = resolution.status is Resolved.MISSING_MODULE
    ignored = directory.ignored_source(_module_files(handler, language) if missing else [], context)
    ignore_file = context.ignore_file.name if context.ignore_file is not None else "the ignore file"
    problem = _problem(resolution, language, directory, (ignored, ignore_file) if ignored else None)
    return None if problem is None else (_span(image), _message(image, resolution, problem))


def _language_from_files(handler: str, directory: FunctionDirectory) -> str | None:
    """Python or Node.js, from the module file the handler names among the copied files."""
    for language in ("python", "node"):
        if any(path in directory.files for path in _module_files(handler, language)):
            return language
    return None


def _problem(
    resolution: Resolution, language: str, directory: FunctionDirectory, ignored: tuple[str, str] | None
) -> str | None:
    """What goes wrong, as the rest of a sentence; None when nothing does (or nothing can be told)."""
    status = resolution.status
    where = f"`{resolution.module_path}` line {resolution.line}" if resolution.line else f"`{resolution.module_path}`"
    if language == "python" and status is Resolved.FUNCTION_OK and resolution.is_async and not resolution.decorated:
        return (
            f"never runs: `{resolution.name}` ({where}) is an `async def`, which the Python runtime calls without "
            "awaiting, and the coroutine it gets cannot be serialised (`Runtime.MarshalError`); make it a plain "
            "`def` that runs the coroutine with `asyncio.run(...)`"
        )
    if status not in _FINDINGS:
        return None
    reason = resolution.reason.replace("the function directory", f"the function directory `{directory.root}`")
    if status is Resolved.UNPARSABLE and resolution.line:
        reason += f" (line {resolution.line})"
    if status is Resolved.BAD_SIGNATURE:
        reason = f"`{resolution.name}` ({where}) takes fewer than two positional arguments"
    if ignored is not None:
        reason += f"; `{ignored[0]}` is in the build context, but `{ignored[1]}` leaves it out"
    if resolution.compiled_from is not None:
        reason += f"; only the TypeScript source `{resolution.compiled_from}` is there, and nothing compiles it"
    suggestion = _suggestion(resolution)
    if suggestion is not None:
        reason += f" (did you mean `{suggestion}`?)"
    errors = _PYTHON_ERRORS if language == "python" else _NODE_ERRORS
    outcome = errors.get(status)
    failure = f"every invocation fails with {outcome}" if outcome else "every invocation fails"
    verb = _VERBS.get(status, "does not resolve")
    return f"{verb}: {reason}; {failure}"


def _suggestion(resolution: Resolution) -> str | None:
    """The handler string with the closest existing name in place of the missing one."""
    if not resolution.suggestions:
        return None
    best = resolution.suggestions[0]
    handler, name = resolution.handler, resolution.name
    if resolution.status is Resolved.MISSING_NAME:
        first = name.split(".", 1)[0]
        start = len(handler) - len(name)
        return handler[:start] + best + handler[start + len(first) :]
    if resolution.status is Resolved.MISSING_MODULE:
        return f"{best}.{name}"
    return None


def _span(image: LambdaImage) -> Span:
    """The CMD's handler string; for a handler the template gives, the final stage's base image."""
    if image.cmd_instruction is not None and image.cmd_instruction.args:
        return image.cmd_instruction.args[0].span
    source = image.stage.from_instruction
    return source.args[0].span if source.args else source.span


def _module_files(handler: str, language: str) -> list[str]:
    """The files the module a handler names may be (relative to the function directory).  The handler
    never starts with `./`: `is_handler` turns such words away."""
    if language == "python":
        module = handler.rsplit(".", 1)[0].replace(".", "/")
        return [f"{module}.py", f"{module}/__init__.py"]
    head, base = posixpath.split(handler)
    module = posixpath.join(head, base.split(".", 1)[0])
    return [f"{module}{extension}" for extension in (".js", ".mjs", ".cjs")]


def _message(image: LambdaImage, resolution: Resolution, problem: str) -> str:
    function = image.template_function
    if image.cmd_instruction is None and function is not None:
        subject = (
            f"The handler `{resolution.handler}` that `{function.template.name}` gives function "
            f"`{function.logical_id}` (`ImageConfig.Command`)"
        )
    else:
        subject = f"The handler `{resolution.handler}`"
    return f"{subject} {problem}{lambda_reason(image)}"

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from typing import TYPE_CHECKING

from lintslim.analysis.aws_lambda import AWS_ENTRYPOINT, LambdaImage, is_handler, lambda_images
from lintslim.analysis.function_files import FunctionDirectory, function_directory
from lintslim.analysis.handlers import Resolution, Resolved, resolve_node_handler, resolve_python_handler
from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity
from lintslim.rules.aws_lambda._shared import lambda_reason
from lintslim.syntax.source import Span

if TYPE_CHECKING:
    from lintslim.context.build_context import BuildContext

_FINDINGS = frozenset(
    {Resolved.MISSING_MODULE, Resolved.MISSING_NAME, Resolved.BAD_SIGNATURE, Resolved.UNPARSABLE, Resolved.MALFORMED}
)
# Programs that run a script or a command line: an ENTRYPOINT naming one does not pass CMD to a runtime client.
_INTERPRETERS = frozenset(
    {"sh", "bash", "dash", "ash", "zsh", "node", "nodejs", "deno", "bun", "java", "dotnet", "ruby", "php", "uvicorn",
     "gunicorn", "npm", "yarn", "pnpm", "tini", "dumb-init"}
)  # fmt: skip
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


class HandlerUnresolved(Rule):
    """The Lambda handler names a module or function the image does not hold.

    ## What it does
    Resolves the handler of a Lambda function image (its exec-form `CMD ["module.function"]`, or the
    `ImageConfig.Command` of each SAM/CloudFormation function built from it) against the code the
    Dockerfile copies from the build context into the function directory (`WORKDIR`;
    `LAMBDA_TASK_ROOT`, `/var/task`, on AWS base images), and flags a handler that cannot work:

    - Python (`module.function`, `pkg/sub.function`): the module file is missing (a `.dockerignore`
      that excludes it counts), it has a syntax error, it has no module-level `function`, or
      `function` is a `def` that cannot take `(event, context)`, or an `async def` (below);
    - Node.js (`file.export`): neither `file.js`, `file.mjs` nor `file.cjs` is there, or the file
      does not export the name (a text check of `exports.x =`, `module.exports = {…}`, `export …`).

    The message names the closest existing function or module ("did you mean `app.handler`?").
    Python modules are parsed with libcst, never imported or run.  A name bound by an assignment or
    an import (`handler = Mangum(app)`), by a decorator, conditionally or dynamically cannot be
    checked and is left alone, and so is any module where the image may hold content we cannot
    read: what a RUN writes there (`npm run build`, `tsc`, `pip install .`), an archive ADD unpacks,
    or `COPY --from` brings from an image or from a build stage's own RUN steps and base image (the
    files a build stage copied from the context are followed through it).  Dependency installs
    (`pip install -r requirements.txt --target …`, `npm ci`) add only the packages their manifests
    name.  A handler the template gives is reported on the final stage's `FROM`, as the Dockerfile
    does not show it.

    An `async def` handler is reported: the Python runtime interface client (`awslambdaric`, which
    the AWS Python base images run) calls the handler as `request_handler(event, lambda_context)`
    and serialises what it returns without awaiting it (`awslambdaric/bootstrap.py`,
    `handle_event_request`, in aws/aws-lambda-python-runtime-interface-client up to its 2025
    sources), so the body never runs and the call fails with `Runtime.MarshalError` ("Object of type
    coroutine is not JSON serializable").  A decorated `async def` may be wrapped into a plain
    function, and is left alone.

    The rule needs the build context (`--context`, or the Dockerfile's directory) and stays silent
    without it, when the context holds nothing but Dockerfiles, and for Java, .NET, Ruby, Go, Rust
    and custom runtimes (their handlers name compiled code or a class the context does not show).

    ## Why is this bad?
    Lambda loads the handler when the function starts, so a handler that does not resolve fails
    every invocation (`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`,
    `Runtime.UserCodeSyntaxError`) while the image builds and pushes without complaint.  A typo in
    CMD, a module left out by `.dockerignore`, a package path that does not match where `COPY` put
    the files, or a TypeScript source copied without compiling it are found only after deploying.
    """

    code = "LS402"
    name = "lambda-handler-unresolved"
    severity = Severity.ERROR

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        context = ctx.build_context
        if context is None or not context.usable or context.holds_only_dockerfiles():
            return
        checked: set[str] = set()
        for image in lambda_images(ctx):  # one per template function with its own ImageConfig
            handler = _handler(image)
            if handler is None or handler in checked or image.language not in (None, "python", "node"):
                continue
            checked.add(handler)
            yield from self._check_handler(ctx, context, image, handler)

    def _check_handler(
        self, ctx: RuleContext, context: BuildContext, image: LambdaImage, handler: str
    ) -> Iterator[Diagnostic]:
        directory = function_directory(ctx.graph, image, context)
        if directory is None:
            return
        language = image.language or _language_from_files(handler, directory)
        if language == "python":
            resolution = resolve_python_handler(handler, directory.view(context, language))
        elif language == "node":
            resolution = resolve_node_handler(handler, directory.view(context, language))
        else:
            return
        missing = resolution.status is Resolved.MISSING_MODULE
        ignored = directory.ignored_source(_module_files(handler, language) if missing else [], context)
        ignore_file = context.ignore_file.name if context.ignore_file is not None else "the ignore file"
        problem = _problem(resolution, language, directory, (ignored, ignore_file) if ignored else None)
        if problem is not None:
            yield self.report(_span(image), _message(image, resolution, problem))


def _handler(image: LambdaImage) -> str | None:
    """The handler string, when the command is a single word the runtime takes for one."""
    if image.cmd is None or len(image.cmd) != 1 or not _cmd_is_handler(image):
        return None
    handler = image.cmd[0]
    return handler if is_handler(handler) else None  # `/bin/bash`, `app.py`: a program or a file, LS405's matter


def _cmd_is_handler(image: LambdaImage) -> bool:
    """Whether CMD is passed to a runtime client as the handler (not run as a program or a script's argument)."""
    entrypoint = image.entrypoint
    if not entrypoint:
        return image.on_aws_base  # the base's own `/lambda-entrypoint.sh`
    if entrypoint[0] == AWS_ENTRYPOINT:
        return True
    client = image.runtime_client
    if client is not None and client.how == "entrypoint":
        return True
    has_client = image.base_has_ric or (client is not None and client.how == "installed")
    program = posixpath.basename(entrypoint[0])
    is_script = program not in _INTERPRETERS and not program.startswith("python")
    return has_client and is_script  # an entry script that starts the client with "$@"


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

from __future__ import annotations

import posixpath
from collections.abc import Iterator

from lintslim.analysis.aws_lambda import AWS_ENTRYPOINT, LambdaImage, is_handler, lambda_images
from lintslim.engine.rule import Diagnostic, Rule, RuleContext, Severity

# Programs that run a script or a command line: an ENTRYPOINT naming one does not pass CMD to a runtime client.
_INTERPRETERS = frozenset(
    {"sh", "bash", "dash", "ash", "zsh", "node", "nodejs", "deno", "bun", "java", "dotnet", "ruby", "php", "uvicorn",
     "gunicorn", "npm", "yarn", "pnpm", "tini", "dumb-init"}
)  # fmt: skip


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
            # Resolving (the function directory's walk, libcst for Python) is imported only when a
            # handler is there to resolve: most Dockerfiles are no Lambda image.
            from lintslim.rules.aws_lambda._resolution import unresolved

            found = unresolved(ctx, context, image, handler)
            if found is not None:
                yield self.report(*found)


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

from __future__ import annotations

import shlex
from collections.abc import Iterator

from lintslim.analysis.aws_lambda import LambdaImage, Reason, is_handler, lambda_image, ric_in_words
from lintslim.analysis.dependencies import working_directories
from lintslim.engine.fixes import Edit, Fix
from lintslim.engine.rule import Diagnostic, FixAvailability, Rule, RuleContext, Severity
from lintslim.rules._edits import instruction_block, keyword_case, newline_of
from lintslim.rules.aws_lambda._entry import cmd_in_force, cmd_words, command_words
from lintslim.rules.aws_lambda._shared import lambda_reason
from lintslim.rules.runtime._shared import base_label
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.stages import BuildGraph

# What to add, per language (reference §2.9).
_CLIENTS = {
    "python": '`awslambdaric` (`pip install awslambdaric`, then `ENTRYPOINT ["/usr/local/bin/python", "-m", '
    '"awslambdaric"]`)',
    "node": '`aws-lambda-ric` (`npm install aws-lambda-ric`, then `ENTRYPOINT ["/usr/local/bin/npx", '
    '"aws-lambda-ric"]`)',
    "java": "`com.amazonaws:aws-lambda-java-runtime-interface-client`, run through its main class "
    "`com.amazonaws.services.lambda.runtime.api.client.AWSLambda`",
    "ruby": '`aws_lambda_ric` (`gem install aws_lambda_ric`, then `ENTRYPOINT ["aws_lambda_ric"]`)',
    "dotnet": "`Amazon.Lambda.RuntimeSupport` (NuGet), built into the function's executable",
    "go": "`github.com/aws/aws-lambda-go` (`lambda.Start` in the binary, run as the ENTRYPOINT)",
    "rust": "the `lambda_runtime` crate (`lambda_runtime::run` in the binary, run as the ENTRYPOINT)",
}
_ANY_CLIENT = "the runtime interface client of its language (`awslambdaric`, `aws-lambda-ric`, ...) as the ENTRYPOINT"
# Docker Official Images of Python on Debian: the interpreter is /usr/local/bin/python, pip is installed,
# and awslambdaric publishes manylinux wheels for them (Alpine would need a C++ toolchain to build it).
_OFFICIAL_PYTHON = frozenset({"python", "python-slim"})
_PYTHON = "/usr/local/bin/python"
# ENV names that change which interpreter, or which import path, `python -m awslambdaric` gets.
_PYTHON_SETUP = frozenset({"PATH", "VIRTUAL_ENV", "PYTHONHOME", "PYTHONSAFEPATH", "PYTHONNOUSERSITE"})


class MissingRic(Rule):
    """A Lambda image on a base without a runtime interface client, and nothing in it runs one.

    ## What it does
    Runs on the final image when it is a Lambda function image: it builds on an AWS Lambda base,
    reproduces AWS's layout (`ENTRYPOINT ["/lambda-entrypoint.sh"]`), a SAM/CloudFormation template
    builds a `PackageType: Image` function from it, it installs or runs a runtime interface client
    (RIC), it carries the Lambda Web Adapter, its CMD names a handler whose file is in the build
    context, or the `lambda` setting says so.  It flags an image on a known non-AWS base (`python`,
    `node`, `debian`, `scratch`...) that has no RIC, when what it starts is a handler string
    (`CMD ["app.handler"]`, or the template's `Command`) or nothing at all (no ENTRYPOINT or CMD):
    nothing in it implements the Lambda Runtime API.

    It does not flag: the AWS language bases (they carry the RIC); an image that installs, links or
    runs one (python `awslambdaric`, node `aws-lambda-ric`, java
    `aws-lambda-java-runtime-interface-client`, ruby `aws_lambda_ric`, dotnet
    `Amazon.Lambda.RuntimeSupport`; Go's `aws-lambda-go` and Rust's `lambda_runtime` are linked
    into the binary, seen through the build context's `go.mod` / `Cargo.toml`); AWS's own base image
    layout; an image with the Lambda Web Adapter (the adapter is what talks to Lambda); an image
    whose ENTRYPOINT or CMD starts a program of its own (`["/main"]`, `["python", "loop.py"]`: it
    may implement the Runtime API itself, as custom runtimes do); and an image on an unknown base,
    which may well be a Lambda base of its own.

    On the OS-only AWS bases (`public.ecr.aws/lambda/provided`), which carry no RIC, the base's
    entrypoint runs a `bootstrap`; the image is flagged only when its CMD is a handler string and
    nothing in it mentions a `bootstrap` or `/var/runtime` (a custom runtime's place) and the build
    context has no `bootstrap` at its root: a Go or Rust binary run as the ENTRYPOINT, or copied as
    `bootstrap`, is a custom runtime.

    The finding is on the CMD (or the final `FROM` when the image sets none).

    ## Why is this bad?
    Lambda does not call a handler itself: a process in the image must fetch invocations from the
    Runtime API and call the handler, which is what a RIC does.  Without one the function fails at
    its first cold start (`Runtime.InvalidEntrypoint` or `Runtime.ExitError`), which no
    `docker build` shows.  AWS: "To make the image compatible with Lambda, you must include a
    runtime interface client for your language in the image."

    ## Fix safety
    For a Python function on a Docker Official Python image on Debian (`python:3.12`,
    `python:3.12-slim`) whose handler is an exec-form `CMD` in the final stage, the fix adds, before
    the CMD, `RUN /usr/local/bin/python -m pip install --no-cache-dir --target <WORKDIR> awslambdaric`
    and `ENTRYPOINT ["/usr/local/bin/python", "-m", "awslambdaric"]`, AWS's own layout for other
    bases.  The client lands in the function directory, and `python -m` puts the current directory
    first on `sys.path`: Lambda starts the process in the WORKDIR, so `awslambdaric` and the handler
    module import from there.  It is offered only when every piece is known: the WORKDIR is set and
    the template does not move it, and no `ENV` changes `PATH` or the Python setup (a virtualenv
    would need its own interpreter), no `USER` may lack write access, no `SHELL` is set.  The fix is
    unsafe: it downloads a package and changes what the image runs.
    """

    code = "LS401"
    name = "lambda-missing-ric"
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES

    def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
        image = lambda_image(ctx)
        if image is None or not _may_lack_client(image):
            return
        graph = ctx.graph
        if _starts_own_program(graph, image):
            return
        cmd = cmd_words(graph, image)
        if image.cmd_instruction is not None and cmd_in_force(graph, image) and cmd is None:
            return  # a shell CMD we cannot read
        if cmd and (len(cmd) != 1 or not is_handler(cmd[0])):
            return  # a program of its own
        if image.on_aws_base:
            in_context = ctx.build_context is not None and ctx.build_context.exists("bootstrap")
            if cmd and not in_context and not _brings_bootstrap(ctx.dockerfile, graph, image):
                yield self._provided(graph, image, cmd[0])
            return
        yield self._plain(ctx.dockerfile, graph, image, cmd[0] if cmd else None)

    def _provided(self, graph: BuildGraph, image: LambdaImage, handler: str) -> Diagnostic:
        where = self._where(graph, image)
        return self.report(
            where.span,
            f"Nothing in this image runs the handler `{handler}`: {base_label(graph, image.stage)} is an OS-only "
            f"base with no runtime interface client, and the image brings no `bootstrap`; add "
            f"{_CLIENTS.get(image.language or '', _ANY_CLIENT)}, or use the AWS base image of its language",
        )

    def _plain(self, dockerfile: Dockerfile, graph: BuildGraph, image: LambdaImage, handler: str | None) -> Diagnostic:
        runs = f"the handler `{handler}`" if handler else "a function (it sets no ENTRYPOINT or CMD)"
        message = (
            f"Nothing in this image runs {runs}: {base_label(graph, image.stage)} has no Lambda runtime interface "
            f"client and no ENTRYPOINT starts one; add {_CLIENTS.get(image.language or '', _ANY_CLIENT)}"
            f"{lambda_reason(image)}"
        )
        return self.report(self._where(graph, image).span, message, fix=_python_fix(dockerfile, graph, image))

    @staticmethod
    def _where(graph: BuildGraph, image: LambdaImage) -> Instruction:
        if image.cmd_instruction is not None and cmd_in_force(graph, image):
            return image.cmd_instruction
        return image.stage.from_instruction


def _may_lack_client(image: LambdaImage) -> bool:
    """Whether the image may lack a RIC: none found, not AWS's layout, no Web Adapter, a known base
    that is not an AWS language base."""
    if image.runtime_client is not None or image.has(Reason.AWS_LAYOUT) or image.has(Reason.WEB_ADAPTER):
        return False
    return image.base is not None and not image.base_has_ric


def _starts_own_program(graph: BuildGraph, image: LambdaImage) -> bool:
    """Whether an ENTRYPOINT of the image's own starts (whatever it is), or the CMD runs a RIC."""
    entrypoint = image.entrypoint
    if entrypoint is None and image.entrypoint_instruction is not None:
        return True  # a shell-form ENTRYPOINT
    if entrypoint:
        return True
    cmd = cmd_words(graph, image) or ()
    return ric_in_words(cmd) is not None


def _brings_bootstrap(dockerfile: Dockerfile, graph: BuildGraph, image: LambdaImage) -> bool:
    """Whether the image may bring a custom runtime: an instruction mentions `bootstrap` or `/var/runtime`."""
    for instruction in graph.chain_instructions(image.stage):
        if instruction.keyword in ("FROM", "CMD"):
            continue
        text = dockerfile.text[instruction.span.start : instruction.span.end].lower()
        if "bootstrap" in text or "/var/runtime" in text or "lambda_runtime_dir" in text:
            return True
    return False


# --- the fix --------------------------------------------------------------------------------------


def _python_fix(dockerfile: Dockerfile, graph: BuildGraph, image: LambdaImage) -> Fix | None:
    """Install awslambdaric into the function directory and run it as the ENTRYPOINT (see the docs)."""
    cmd = image.cmd_instruction
    if image.language != "python" or image.base is None or image.base.id not in _OFFICIAL_PYTHON:
        return None
    if cmd is None or not cmd.is_json or graph.stage_of(cmd) is not image.stage or command_words(cmd) is None:
        return None
    directory = working_directories(graph, image.stage).get(cmd.index)
    if directory is None or not directory.startswith("/") or "$" in directory or "?" in directory:
        return None
    if image.function_directory != directory or not _plain_python_setup(graph, image):
        return None
    newline = newline_of(dockerfile)
    run = keyword_case(dockerfile, cmd, "RUN")
    entrypoint = keyword_case(dockerfile, cmd, "ENTRYPOINT")
    lines = (
        f"{run} {_PYTHON} -m pip install --no-cache-dir --target {shlex.quote(directory)} awslambdaric{newline}"
        f'{entrypoint} ["{_PYTHON}", "-m", "awslambdaric"]{newline}'
    )
    start = instruction_block(dockerfile, cmd).start
    return Fix.unsafe(
        f'Install `awslambdaric` into `{directory}` and run it: `ENTRYPOINT ["{_PYTHON}", "-m", "awslambdaric"]`',
        Edit.insert(start, lines),
    )


def _plain_python_setup(graph: BuildGraph, image: LambdaImage) -> bool:
    for instruction in graph.chain_instructions(image.stage):
        if instruction.keyword in ("USER", "SHELL"):
            return False
        if instruction.keyword == "ENV" and any(pair.key.value in _PYTHON_SETUP for pair in instruction.key_values):
            return False
    return True

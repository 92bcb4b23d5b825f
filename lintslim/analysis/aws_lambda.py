"""Whether the image a Dockerfile builds is an AWS Lambda function image, and why we think so.

The LS4xx rules run only on Lambda images, and say in their messages what made us think so.
Evidence, strongest first (several may hold; all are recorded):

- the final image builds on an AWS Lambda base (`public.ecr.aws/lambda/*`, `amazon/aws-lambda-*`:
  the knowledge base's `lambda = true`);
- it reproduces the AWS base layout: `ENTRYPOINT ["/lambda-entrypoint.sh"]` (AWS's own base image
  Dockerfiles, built `FROM scratch`);
- a SAM/CloudFormation template above the Dockerfile has a `PackageType: Image` function built from it;
- a runtime interface client (RIC) is run as the ENTRYPOINT or installed in a stage the final image
  is made from: python `awslambdaric`, node `aws-lambda-ric`, java
  `aws-lambda-java-runtime-interface-client` (main class `…api.client.AWSLambda`), ruby
  `aws_lambda_ric`, dotnet `Amazon.Lambda.RuntimeSupport`; Go (`github.com/aws/aws-lambda-go`) and
  Rust (`lambda_runtime`) link it into the binary, so their `go.mod` / `Cargo.toml` in the build
  context tell, when the Dockerfile builds that project;
- the AWS Lambda Web Adapter copied into `/opt/extensions/` (it runs a web app as the function);
- a handler-style CMD (`["app.handler"]`, `["pkg.Class::handleRequest"]`) on a plain base, when the
  file it names is in the build context (a strong hint: the image cannot run anything else); not a
  file name (`["app.py"]`), nor a CMD an interpreter ENTRYPOINT runs (`["python", "-m"]`);
- the configuration: `lambda = true` (or a glob in `lambda = [...]` matching the file).  `lambda = false`
  overrides everything above: the file is never taken for a Lambda image.

Facts from `../shared/reference/base-images-and-lambda.md` §2.
"""

from __future__ import annotations

import enum
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Protocol

from lintslim.analysis.dependencies import UNKNOWN_WORKDIR, working_directories
from lintslim.analysis.paths import context_join, has_glob, join
from lintslim.context.build_context import context_path
from lintslim.knowledge.images import ImageFacts, image_facts, stage_facts
from lintslim.syntax.image import parse_image
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.shell import Command, shell_commands
from lintslim.syntax.stages import BuildGraph, Resolved, Scope, Stage, expand

if TYPE_CHECKING:
    from lintslim.context.sam import ImageFunction, SamTemplates
    from lintslim.engine.rule import RuleContext

LAMBDA_TASK_ROOT = "/var/task"  # ENV LAMBDA_TASK_ROOT and WORKDIR of every AWS base image
LAMBDA_RUNTIME_DIR = "/var/runtime"
# What every AWS base image sets in its image config (aws/aws-lambda-base-images Dockerfiles): no ENV
# line of the Dockerfile shows them, so `graph.resolve` cannot; Lambda reserves both names.
AWS_BASE_ENV: Mapping[str, str] = MappingProxyType(
    {"LAMBDA_TASK_ROOT": LAMBDA_TASK_ROOT, "LAMBDA_RUNTIME_DIR": LAMBDA_RUNTIME_DIR}
)
AWS_ENTRYPOINT = "/lambda-entrypoint.sh"
WEB_ADAPTER_IMAGE = re.compile(r"(?:^|/)aws-lambda-adapter(?::|@|$)")
JAVA_RIC_MAIN_CLASS = "com.amazonaws.services.lambda.runtime.api.client.AWSLambda"


# How detection works, for the docs of every LS4xx rule (`lintslim rule LS401`, docs/rules/LS4xx.md).
DETECTION_SUMMARY = """\
This rule runs only on AWS Lambda images: the final image builds on an AWS Lambda base
(`public.ecr.aws/lambda/*`, `amazon/aws-lambda-*`) or reproduces its layout
(`ENTRYPOINT ["/lambda-entrypoint.sh"]`); a SAM/CloudFormation template above the Dockerfile
builds a `PackageType: Image` function from it; it runs or installs a runtime interface client
(`awslambdaric`, `aws-lambda-ric`, `aws_lambda_ric`, the Java client, `Amazon.Lambda.RuntimeSupport`,
or a Go/Rust project on `aws-lambda-go`/`lambda_runtime`); it copies in the Lambda Web Adapter;
its `CMD` is a handler (`app.handler`) whose file is in the build context; or the configuration
says so (`lambda = true`, or a glob in `lambda = [...]`).  `lambda = false` turns detection off.
See [Lambda images](../lambda.md)."""


class Reason(enum.Enum):
    """Why an image is taken for a Lambda image; the value is a short tag for output."""

    AWS_BASE = "aws-base"
    AWS_LAYOUT = "aws-layout"
    TEMPLATE = "template"
    RUNTIME_CLIENT = "runtime-client"
    WEB_ADAPTER = "web-adapter"
    HANDLER_CMD = "handler-cmd"
    CONFIG = "config"


@dataclass(frozen=True)
class Evidence:
    reason: Reason
    detail: str  # a phrase for messages: "it builds on `public.ecr.aws/lambda/python:3.12`, an AWS Lambda base"
    instruction: Instruction | None = None  # where it shows, when it shows in the Dockerfile


@dataclass(frozen=True)
class RuntimeClient:
    """A runtime interface client the image carries."""

    language: str
    package: str
    how: str  # "entrypoint"/"cmd" (run by ENTRYPOINT/CMD), "installed" (a RUN installs it), "linked" (Go/Rust)
    instruction: Instruction | None = None


@dataclass(frozen=True)
class LambdaImage:
    """The final image of a Dockerfile, as a Lambda function image."""

    stage: Stage  # the final stage
    evidence: tuple[Evidence, ...]  # strongest first; never empty
    language: str | None  # python, node, java, dotnet, ruby, go, rust; None when unknown (custom runtime)
    base: ImageFacts | None  # facts of the image the final stage builds on (None when unknown)
    runtime_client: RuntimeClient | None  # one the Dockerfile adds (AWS bases bring their own: `base_has_ric`)
    function_directory: str | None  # where the code goes: WORKDIR (LAMBDA_TASK_ROOT on AWS bases)
    template_function: ImageFunction | None  # the SAM/CloudFormation function built from this Dockerfile
    cmd: tuple[str, ...] | None  # the handler: the template's ImageConfig.Command, else the final CMD (exec form)
    cmd_instruction: Instruction | None  # the CMD instruction, when the command comes from the Dockerfile
    entrypoint: tuple[str, ...] | None  # the template's ImageConfig.EntryPoint, else the final ENTRYPOINT
    entrypoint_instruction: Instruction | None

    @property
    def reason(self) -> Reason:
        return self.evidence[0].reason

    @property
    def explanation(self) -> str:
        """Why this is a Lambda image, for messages: the strongest evidence."""
        return self.evidence[0].detail

    @property
    def on_aws_base(self) -> bool:
        return self.base is not None and bool(self.base.lambda_)

    @property
    def base_has_ric(self) -> bool:
        """Whether the base image brings a runtime interface client (AWS language bases; not `provided`)."""
        return self.on_aws_base and self.base is not None and self.base.ric is not False

    @property
    def distro(self) -> str | None:
        """`al2` or `al2023` for Amazon Linux based bases (package manager, glibc version); None when unknown."""
        return self.base.distro if self.base is not None else None

    @property
    def architectures(self) -> tuple[str, ...] | None:
        """The template's `Architectures` (x86_64 / arm64), when a template builds this image."""
        return self.template_function.architectures if self.template_function is not None else None

    def has(self, reason: Reason) -> bool:
        return any(item.reason is reason for item in self.evidence)


class ContextFiles(Protocol):
    """What is read from the build context (BuildContext provides it)."""

    def exists(self, relative: str) -> bool: ...

    def read_text(self, relative: str) -> str | None: ...


def lambda_image(
    source: RuleContext | Dockerfile,
    build_context: ContextFiles | None = None,
    templates: SamTemplates | None = None,
    config: bool | None = None,
) -> LambdaImage | None:
    """The final image as a Lambda image, or None when nothing says it is one.

    Given a RuleContext, its build context, templates and `lambda` config are used; computed once per
    document and context.  `config` True makes the image a Lambda image, False never.
    """
    if isinstance(source, Dockerfile):
        dockerfile = source
    else:
        dockerfile = source.dockerfile
        build_context = source.build_context
        templates = source.sam_templates
        config = source.lambda_config
    if config is False:
        return None
    key = ("aws_lambda", "image")
    cached = dockerfile.memo.get(key)
    if isinstance(cached, tuple) and cached[0] is build_context and cached[1] is templates and cached[2] is config:
        result: LambdaImage | None = cached[3]
        return result
    function = templates.function if templates is not None else None
    result = _detect(dockerfile.graph, build_context, function, config)
    dockerfile.memo[key] = (build_context, templates, config, result)
    return result


def lambda_images(ctx: RuleContext) -> tuple[LambdaImage, ...]:
    """The final image as each function built from it runs it: several template functions often share
    one Dockerfile and differ in their `ImageConfig` (`Command: [orders.handler]`, `[users.handler]`).

    `lambda_image(ctx)` first, then one per other function of the same build context whose
    `ImageConfig` differs; empty when the image is no Lambda image.
    """
    image = lambda_image(ctx)
    if image is None:
        return ()
    first = image.template_function
    if first is None or ctx.sam_templates is None:
        return (image,)
    found = [image]
    seen = {_image_config(first)}
    for function in ctx.sam_templates.functions:
        if _image_config(function) in seen or _context_of(function) != _context_of(first):
            continue
        seen.add(_image_config(function))
        other = _detect(ctx.graph, ctx.build_context, function, ctx.lambda_config)
        if other is not None:
            found.append(other)
    return tuple(found)


def _image_config(function: ImageFunction) -> tuple[object, ...]:
    return function.command, function.entry_point, function.working_directory


def _context_of(function: ImageFunction) -> str:
    return posixpath.normpath(function.context_path.as_posix())


# --- detection ------------------------------------------------------------------------------------


def _detect(
    graph: BuildGraph, context: ContextFiles | None, function: ImageFunction | None, config: bool | None
) -> LambdaImage | None:
    final = graph.final
    if final is None:
        return None
    facts = stage_facts(graph, final) or _facts_of_partial_reference(graph, final)
    chain = graph.chain_instructions(final)
    entrypoint, entrypoint_instruction = _effective(chain, "ENTRYPOINT", function.entry_point if function else None)
    cmd, cmd_instruction = _effective(chain, "CMD", function.command if function else None)
    client = _runtime_client(graph, (entrypoint_instruction, entrypoint), (cmd_instruction, cmd), context)
    evidence = list(_evidence(graph, final, facts, entrypoint, function, client))
    language = _language(facts, client, cmd)
    if not evidence:
        handler = _handler_in_context(graph, cmd_instruction, cmd, entrypoint, context)
        if handler is not None:
            evidence.append(handler[0])
            language = language or handler[1]
    if config:
        evidence.append(Evidence(Reason.CONFIG, "the configuration says it is one (the `lambda` setting)"))
    if not evidence:
        return None
    return LambdaImage(
        stage=final,
        evidence=tuple(evidence),
        language=language,
        base=facts,
        runtime_client=client,
        function_directory=_function_directory(graph, final, facts, function),
        template_function=function,
        cmd=cmd,
        cmd_instruction=cmd_instruction,
        entrypoint=entrypoint,
        entrypoint_instruction=entrypoint_instruction,
    )


def _effective(
    chain: tuple[Instruction, ...], keyword: str, override: tuple[str, ...] | None
) -> tuple[tuple[str, ...] | None, Instruction | None]:
    """CMD or ENTRYPOINT as the function runs it: the template's ImageConfig override, else the last one
    in the image (its exec-form words; None for shell form), with the instruction it comes from."""
    if override:
        return override, None
    instruction = _last(chain, keyword)
    return _exec_words(instruction), instruction


def _evidence(
    graph: BuildGraph,
    final: Stage,
    facts: ImageFacts | None,
    entrypoint: tuple[str, ...] | None,
    function: ImageFunction | None,
    client: RuntimeClient | None,
) -> Iterator[Evidence]:
    if facts is not None and facts.lambda_:
        image = graph.root_image(final)
        name = image.raw if image is not None else graph.ancestry(final)[-1].from_instruction.args[0].value
        yield Evidence(Reason.AWS_BASE, f"it builds on `{name}`, an AWS Lambda base image", final.from_instruction)
    if entrypoint and entrypoint[0] == AWS_ENTRYPOINT:
        yield Evidence(Reason.AWS_LAYOUT, f"its ENTRYPOINT is AWS's `{AWS_ENTRYPOINT}`")
    if function is not None:
        yield Evidence(
            Reason.TEMPLATE, f"`{function.template.name}` builds function `{function.logical_id}` from this Dockerfile"
        )
    if client is not None:
        verb = {"entrypoint": "runs", "cmd": "runs", "installed": "installs", "linked": "links"}[client.how]
        yield Evidence(
            Reason.RUNTIME_CLIENT,
            f"it {verb} the Lambda runtime interface client `{client.package}`",
            client.instruction,
        )
    adapter = _web_adapter(graph, final)
    if adapter is not None:
        yield Evidence(Reason.WEB_ADAPTER, "it copies the AWS Lambda Web Adapter into `/opt/extensions/`", adapter)


def _facts_of_partial_reference(graph: BuildGraph, final: Stage) -> ImageFacts | None:
    """Lambda base facts for `FROM public.ecr.aws/lambda/python:3.12-${ARCH}` (a tag we cannot resolve).

    The repository decides that it is an AWS base; the tag's resolved prefix (`3.12`) still tells the
    generation when it is enough, and gives unknown facts otherwise.
    """
    root = graph.ancestry(final)[-1]
    if root.base_stage is not None or not root.from_instruction.args:
        return None
    repository, colon, tag = root.from_instruction.args[0].value.rpartition(":")
    if not colon or "/" in tag or "$" in repository or "$" not in tag:
        return None
    prefix = tag.split("$", 1)[0].rstrip("-_.") or "latest"
    facts = image_facts(parse_image(f"{repository}:{prefix}"))
    return facts if facts is not None and facts.lambda_ else None


def _last(instructions: Iterable[Instruction], keyword: str) -> Instruction | None:
    found = None
    for instruction in instructions:
        if instruction.keyword == keyword:
            found = instruction
    return found


def _exec_words(instruction: Instruction | None) -> tuple[str, ...] | None:
    """The exec-form words of CMD/ENTRYPOINT (None for shell form or when absent)."""
    if instruction is None or not instruction.is_json:
        return None
    return tuple(token.value for token in instruction.args)


# --- runtime interface clients --------------------------------------------------------------------

# Package (as installers name it) -> language; matched as whole words, versions and extras allowed.
_RIC_PACKAGES = {
    "awslambdaric": "python",
    "aws-lambda-ric": "node",
    "aws_lambda_ric": "ruby",
    "aws-lambda-java-runtime-interface-client": "java",
    "amazon.lambda.runtimesupport": "dotnet",
}
_INSTALLERS = frozenset(
    {"pip", "pip3", "uv", "poetry", "pipenv", "npm", "yarn", "pnpm", "npx", "gem", "bundle", "mvn", "gradle", "dotnet"}
)
# A package named in a word: alone, with a version or extras (`awslambdaric==2.0`, `aws-lambda-ric@3`,
# `group:artifact:2.4`), or as a file (`awslambdaric-2.0.tar.gz`, `Amazon.Lambda.RuntimeSupport.csproj`);
# not a longer name that starts the same (`awslambdaric-stubs`).
_RIC_WORD = re.compile(
    r"(?:^|[/:])(?P<package>" + "|".join(re.escape(package) for package in _RIC_PACKAGES) + r")"
    r"(?=$|[=<>!~\[;@:,\s]|[-_.]\d|[-_.]test\b|\.(?:tar\.gz|tgz|whl|zip|gem|jar|csproj|nupkg)$)",
    re.IGNORECASE,
)


def ric_in_words(words: Iterable[str]) -> tuple[str, str] | None:
    """(package, language) of a RIC named among words."""
    for word in words:
        if word.endswith(JAVA_RIC_MAIN_CLASS):
            return "aws-lambda-java-runtime-interface-client", "java"
        match = _RIC_WORD.search(word)
        if match is not None:
            language = _RIC_PACKAGES[match.group("package").lower()]
            return ("Amazon.Lambda.RuntimeSupport" if language == "dotnet" else match.group("package")), language
    return None


_Effective = tuple[Instruction | None, tuple[str, ...] | None]  # an instruction and its exec-form words


def _runtime_client(
    graph: BuildGraph, entrypoint: _Effective, cmd: _Effective, context: ContextFiles | None
) -> RuntimeClient | None:
    """The RIC the ENTRYPOINT runs, else the CMD (`["python", "-m", "awslambdaric", "app.handler"]`
    without an ENTRYPOINT), else one a RUN installs, else one a Go/Rust project links."""
    for how, (instruction, words) in (("entrypoint", entrypoint), ("cmd", cmd)):
        found = ric_in_words(words) if words else None
        if found is not None:
            return RuntimeClient(found[1], found[0], how, instruction)
        if how == "entrypoint" and (words or instruction is not None):
            break  # an ENTRYPOINT runs: the CMD is its arguments, not a program
    for instruction, command in _reaching_commands(graph):
        if command.name not in _INSTALLERS and not _is_python_pip(command):
            continue
        found = ric_in_words(command.args)
        if found is not None:
            return RuntimeClient(found[1], found[0], "installed", instruction)
    return _linked_client(graph, context)


def _is_python_pip(command: Command) -> bool:
    """`python -m pip …`."""
    return bool(command.name and command.name.startswith("python") and command.args[:2] == ("-m", "pip"))


def _reaching_commands(graph: BuildGraph) -> Iterator[tuple[Instruction, Command]]:
    """RUN commands of the stages whose results can reach the final image."""
    reaching = graph.reaching_final()
    for stage in graph.stages:
        if stage.index not in reaching:
            continue
        for instruction in stage.instructions:
            if instruction.effective.keyword == "RUN" and instruction.inner is None:
                for command in shell_commands(graph.dockerfile, instruction):
                    yield instruction, command


# Go and Rust link the client in: their module file names it, and a build command compiles the project.
_LINKED = (
    ("go", "go.mod", re.compile(r"github\.com/aws/aws-lambda-go\b"), "github.com/aws/aws-lambda-go", ("go",)),
    ("rust", "Cargo.toml", re.compile(r"^\s*lambda_runtime\s*=", re.M), "lambda_runtime", ("cargo",)),
)


def _linked_client(graph: BuildGraph, context: ContextFiles | None) -> RuntimeClient | None:
    if context is None:
        return None
    builds = [(instruction, command.name) for instruction, command in _reaching_commands(graph) if command.name]
    for language, manifest, pattern, package, programs in _LINKED:
        builder = next((instruction for instruction, name in builds if name in programs), None)
        if builder is None:
            continue
        for directory in _copied_directories(graph):
            text = context.read_text(context_join(directory, manifest))
            if text is not None and pattern.search(text):
                return RuntimeClient(language, package, "linked", builder)
    return None


def _copied_directories(graph: BuildGraph) -> list[str]:
    """The context root and the directories COPY/ADD take from the context in stages reaching the final image."""
    found = ["."]
    reaching = graph.reaching_final()
    for stage in graph.stages:
        if stage.index not in reaching:
            continue
        for instruction in stage.instructions:
            if instruction.keyword not in ("COPY", "ADD") or instruction.flag("from") is not None:
                continue
            for token in instruction.args[:-1]:
                path = context_path(token.value.rstrip("/"))
                if path not in found and "$" not in path and not has_glob(path) and "." not in path:
                    found.append(path)
    return found[:20]


def _web_adapter(graph: BuildGraph, final: Stage) -> Instruction | None:
    for instruction in graph.chain_instructions(final):
        source = instruction.flag("from") if instruction.keyword == "COPY" else None
        if source is not None and source.value is not None and WEB_ADAPTER_IMAGE.search(source.value.split("@")[0]):
            return instruction
    return None


# --- handler-style CMD on a plain base -------------------------------------------------------------

# A handler as the runtimes name it: `app.handler`, `src/app.handler`, `pkg.Class::handleRequest`,
# `Assembly::Namespace.Class::Method`, `app.App::Handler.process`; never a path to a program.
_HANDLER_WORD = re.compile(r"[A-Za-z_$][\w$-]*(?:(?:\.|::|/)[A-Za-z_$][\w$-]*)*(?:\.|::)[A-Za-z_$][\w$]*")


# `hello.js`, `main.jar`, `start.sh` name files (a script for the base image's own ENTRYPOINT), not handlers.
_FILE_EXTENSIONS = frozenset(
    {"js", "mjs", "cjs", "ts", "py", "pyc", "rb", "jar", "war", "class", "dll", "exe", "so", "bin", "sh", "bash",
     "php", "pl", "lua", "wasm", "json", "yaml", "yml", "toml", "ini", "conf", "txt", "zip"}
)  # fmt: skip


def is_handler(word: str) -> bool:
    """Whether a CMD word names a handler (`app.handler`) rather than a program or file (`/main`, `hello.js`)."""
    if word.startswith(("/", ".")) or _HANDLER_WORD.fullmatch(word) is None:
        return False
    return "::" in word or word.rsplit(".", 1)[-1].lower() not in _FILE_EXTENSIONS


# Programs that take a script, module or file as their first argument (`ENTRYPOINT ["node"]` with
# `CMD ["index.js"]`, `ENTRYPOINT ["python", "-m"]` with `CMD ["main.run"]`): a CMD after them is not
# a handler.  Shells are not among them: an entry script may start a runtime client with "$@".
_SCRIPT_RUNNERS = re.compile(r"(?:python|pypy|node|nodejs|deno|bun|ruby|php|perl|java)[\d.]*")

_HANDLER = re.compile(r"(?P<module>[A-Za-z_][\w-]*(?:[./][A-Za-z_][\w-]*)*)\.(?P<function>[A-Za-z_$][\w$]*)")
_JAVA_HANDLER = re.compile(r"(?P<module>[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+)(?:::[A-Za-z_]\w*)?")
_HANDLER_FILES = ((".py", "python"), (".js", "node"), (".mjs", "node"), (".cjs", "node"), (".rb", "ruby"))


def _handler_in_context(
    graph: BuildGraph,
    instruction: Instruction | None,
    cmd: tuple[str, ...] | None,
    entrypoint: tuple[str, ...] | None,
    context: ContextFiles | None,
) -> tuple[Evidence, str] | None:
    """A CMD that is a single handler name whose file is in the build context, and the file's language;
    not a file name (`app.py`), nor the argument of an interpreter the ENTRYPOINT runs."""
    if context is None or cmd is None or len(cmd) != 1 or not is_handler(cmd[0]):
        return None
    if entrypoint and _SCRIPT_RUNNERS.fullmatch(posixpath.basename(entrypoint[0])):
        return None
    match = _HANDLER.fullmatch(cmd[0])
    if match is None:
        return None
    module = match.group("module").replace(".", "/")
    for directory in _copied_directories(graph):
        for extension, language in _HANDLER_FILES:
            relative = context_join(directory, module + extension)
            if context.exists(relative):
                detail = f"its CMD names the handler `{cmd[0]}` and `{relative}` is in the build context"
                return Evidence(Reason.HANDLER_CMD, detail, instruction), language
    return None


def handler_language(handler: str) -> str | None:
    """The language a handler string's shape suggests: `pkg.Class::method` is Java (or .NET with two `::`)."""
    if handler.count("::") == 2:
        return "dotnet"
    if "::" in handler and _JAVA_HANDLER.fullmatch(handler):
        return "java"
    return None


# --- what else is recorded ------------------------------------------------------------------------

_AWS_REPOSITORY_LANGUAGE = re.compile(r"(?:lambda/|aws-lambda-)(python|nodejs|java|dotnet|ruby|go)\b")
_LANGUAGES = {"nodejs": "node"}


def _language(facts: ImageFacts | None, client: RuntimeClient | None, cmd: tuple[str, ...] | None) -> str | None:
    if facts is not None and facts.lambda_:
        match = _AWS_REPOSITORY_LANGUAGE.search(facts.key)
        if match is not None:
            return _LANGUAGES.get(match.group(1), match.group(1))
    if client is not None:
        return client.language
    if facts is not None and facts.language:
        return facts.language
    if cmd is not None and len(cmd) == 1:
        return handler_language(cmd[0])
    return None


def _function_directory(
    graph: BuildGraph, final: Stage, facts: ImageFacts | None, function: ImageFunction | None
) -> str | None:
    if function is not None and function.working_directory:
        return function.working_directory
    return final_workdir(graph, final, on_aws_base=facts is not None and bool(facts.lambda_))


# --- what the AWS bases set ------------------------------------------------------------------------


def aws_base_scope(graph: BuildGraph, instruction: Instruction, on_aws_base: bool) -> Scope:
    """The variables visible to `instruction`, with `AWS_BASE_ENV` on an AWS base (what the
    Dockerfile sets itself wins)."""
    scope = graph.scope_at(instruction)
    if not on_aws_base:
        return scope
    return Scope({**AWS_BASE_ENV, **scope.values}, scope.unknown - AWS_BASE_ENV.keys())


def resolve_on_aws_base(graph: BuildGraph, word: str, instruction: Instruction, on_aws_base: bool) -> Resolved:
    """`graph.resolve`, knowing `${LAMBDA_TASK_ROOT}` and `${LAMBDA_RUNTIME_DIR}` on an AWS base."""
    return expand(word, aws_base_scope(graph, instruction, on_aws_base), graph.dockerfile.escape)


def final_workdir(graph: BuildGraph, stage: Stage, *, on_aws_base: bool) -> str | None:
    """The WORKDIR the Dockerfile leaves `stage` in (on an AWS base, `/var/task` unless it sets one);
    None when it cannot be resolved or lies below the base image's unknown working directory."""
    workdir = workdir_at(graph, stage, -1, on_aws_base=on_aws_base)
    return None if workdir is None or workdir.startswith(UNKNOWN_WORKDIR) else workdir


def workdir_at(graph: BuildGraph, stage: Stage, index: int, *, on_aws_base: bool) -> str | None:
    """The WORKDIR in force at instruction `index` of a stage of the final image (-1: after its last).

    Off an AWS base, as `working_directories` gives it (paths below the unknown base directory start
    with `UNKNOWN_WORKDIR`); on one, the base's `/var/task` where the Dockerfile sets none, with
    `${LAMBDA_TASK_ROOT}` known.  None when a WORKDIR cannot be resolved.
    """
    if not on_aws_base:
        return working_directories(graph, stage).get(index)
    current: str | None = LAMBDA_TASK_ROOT
    for instruction in graph.chain_instructions(stage):
        if index != -1 and instruction.index >= index:
            break
        if instruction.keyword == "WORKDIR" and instruction.rest is not None:
            resolved = resolve_on_aws_base(graph, instruction.rest.value, instruction, on_aws_base)
            if not resolved.complete:
                current = None
            elif resolved.value.startswith("/") or current is not None:
                current = join(current or "/", resolved.value)
    return current

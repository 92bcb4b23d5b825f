"""Lambda image detection: AWS bases, runtime interface clients, templates, handler CMDs, and the facts recorded."""

from __future__ import annotations

from pathlib import Path

import pytest

from lintslim.analysis.aws_lambda import (
    AWS_BASE_ENV,
    LAMBDA_TASK_ROOT,
    Reason,
    handler_language,
    lambda_image,
    resolve_on_aws_base,
)
from lintslim.context.build_context import BuildContext
from lintslim.context.sam import SamTemplates
from lintslim.engine.rule import RuleContext
from lintslim.knowledge.images import stage_facts
from lintslim.syntax.parser import parse

CORPUS_LAMBDA = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "lambda"


def context_with(tmp_path: Path, files: dict[str, str]) -> BuildContext:
    for relative, content in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(content, encoding="utf-8")
    return BuildContext(tmp_path)


def test_aws_python_base() -> None:
    image = lambda_image(
        parse(
            "FROM public.ecr.aws/lambda/python:3.12\n"
            "COPY requirements.txt ${LAMBDA_TASK_ROOT}\n"
            'RUN pip install -r requirements.txt --target "${LAMBDA_TASK_ROOT}"\n'
            'COPY app.py ${LAMBDA_TASK_ROOT}\nCMD [ "app.handler" ]\n'
        )
    )
    assert image is not None
    assert image.reason is Reason.AWS_BASE
    assert image.explanation == "it builds on `public.ecr.aws/lambda/python:3.12`, an AWS Lambda base image"
    assert image.language == "python"
    assert image.on_aws_base and image.base_has_ric
    assert image.distro == "al2023"
    assert image.function_directory == LAMBDA_TASK_ROOT
    assert image.cmd == ("app.handler",)
    assert image.cmd_instruction is not None and image.cmd_instruction.keyword == "CMD"
    assert image.runtime_client is None and image.template_function is None


@pytest.mark.parametrize(
    ("reference", "language", "distro"),
    [
        ("public.ecr.aws/lambda/nodejs:18", "node", "al2"),
        ("public.ecr.aws/lambda/nodejs:22", "node", "al2023"),
        ("public.ecr.aws/lambda/java:8.al2", "java", "al2"),
        ("public.ecr.aws/lambda/java:21", "java", "al2023"),
        ("public.ecr.aws/lambda/python:3.11", "python", "al2"),
        ("amazon/aws-lambda-dotnet:8", "dotnet", "al2023"),
        ("public.ecr.aws/lambda/python:3.12-${IMAGE_ARCH}", "python", "al2023"),  # the arch suffix is unresolved
        ("public.ecr.aws/lambda/nodejs:$VERSION", "node", None),
    ],
)
def test_aws_language_bases(reference: str, language: str, distro: str | None) -> None:
    image = lambda_image(parse(f'ARG IMAGE_ARCH\nARG VERSION\nFROM {reference}\nCMD ["app.handler"]\n'))
    assert image is not None and image.reason is Reason.AWS_BASE
    assert (image.language, image.distro) == (language, distro)
    assert reference in image.explanation


def test_provided_base_has_no_runtime_client_and_go_links_it(tmp_path: Path) -> None:
    text = (
        "FROM golang:1.23 AS build\nWORKDIR /src\nCOPY . .\nRUN go build -tags lambda.norpc -o /main .\n"
        'FROM public.ecr.aws/lambda/provided:al2023\nCOPY --from=build /main ./main\nENTRYPOINT ["./main"]\n'
    )
    bare = lambda_image(parse(text))
    assert bare is not None and bare.reason is Reason.AWS_BASE
    assert not bare.base_has_ric and bare.distro == "al2023" and bare.runtime_client is None
    context = context_with(
        tmp_path, {"go.mod": "module example.com/fn\n\nrequire github.com/aws/aws-lambda-go v1.47.0\n"}
    )
    linked = lambda_image(parse(text), context)
    assert linked is not None and linked.runtime_client is not None
    assert (linked.runtime_client.language, linked.runtime_client.how) == ("go", "linked")
    assert linked.has(Reason.RUNTIME_CLIENT) and linked.reason is Reason.AWS_BASE
    assert linked.entrypoint == ("./main",)


def test_rust_on_a_static_base_links_the_client(tmp_path: Path) -> None:
    text = (
        "FROM rust:1.82 AS build\nWORKDIR /src\nCOPY fn/ .\n"
        "RUN cargo build --release --target x86_64-unknown-linux-musl\n"
        "FROM gcr.io/distroless/static-debian12\n"
        "COPY --from=build /src/target/x86_64-unknown-linux-musl/release/fn /fn\n"
        'ENTRYPOINT ["/fn"]\n'
    )
    context = context_with(tmp_path, {"fn/Cargo.toml": '[dependencies]\nlambda_runtime = "0.13"\ntokio = "1"\n'})
    image = lambda_image(parse(text), context)
    assert image is not None and image.reason is Reason.RUNTIME_CLIENT
    assert image.language == "rust" and not image.on_aws_base
    assert image.explanation == "it links the Lambda runtime interface client `lambda_runtime`"
    other = context_with(tmp_path / "other", {"fn/Cargo.toml": '[dependencies]\naxum = "0.7"\n'})
    assert lambda_image(parse(text), other) is None


def test_python_runtime_client_on_a_slim_base() -> None:
    dockerfile = parse(
        'ARG FUNCTION_DIR="/function"\n'
        "FROM python:3.12-slim AS build\nARG FUNCTION_DIR\nCOPY app/ ${FUNCTION_DIR}\n"
        'RUN pip install --target ${FUNCTION_DIR} "awslambdaric>=2.0" boto3\n'
        "FROM python:3.12-slim\nARG FUNCTION_DIR\nWORKDIR ${FUNCTION_DIR}\n"
        "COPY --from=build ${FUNCTION_DIR} ${FUNCTION_DIR}\n"
        'ENTRYPOINT [ "/usr/local/bin/python", "-m", "awslambdaric" ]\nCMD [ "app.handler" ]\n'
    )
    image = lambda_image(dockerfile)
    assert image is not None and image.reason is Reason.RUNTIME_CLIENT
    assert image.runtime_client is not None
    assert (image.runtime_client.package, image.runtime_client.how) == ("awslambdaric", "entrypoint")
    assert image.explanation == "it runs the Lambda runtime interface client `awslambdaric`"
    assert image.language == "python" and not image.on_aws_base and not image.base_has_ric
    assert image.function_directory == "/function"
    assert image.distro is None


def test_runtime_client_installed_without_entrypoint() -> None:
    image = lambda_image(parse("FROM node:20-slim\nWORKDIR /function\nRUN npm install aws-lambda-ric@3\n"))
    assert image is not None and image.runtime_client is not None
    assert (image.runtime_client.package, image.runtime_client.how, image.language) == (
        "aws-lambda-ric",
        "installed",
        "node",
    )
    assert image.runtime_client.instruction is not None and image.runtime_client.instruction.keyword == "RUN"


@pytest.mark.parametrize(
    ("text", "package", "language"),
    [
        ('FROM ruby:3.3\nRUN gem install aws_lambda_ric\nENTRYPOINT ["aws_lambda_ric"]\n', "aws_lambda_ric", "ruby"),
        ('FROM python:3.12\nRUN python -m pip install awslambdaric\nCMD ["app.handler"]\n', "awslambdaric", "python"),
        (
            'FROM eclipse-temurin:21-jre\nENTRYPOINT ["/usr/bin/java", "-cp", "/function/*", '
            '"com.amazonaws.services.lambda.runtime.api.client.AWSLambda"]\nCMD ["example.App::handleRequest"]\n',
            "aws-lambda-java-runtime-interface-client",
            "java",
        ),
        (
            "FROM mcr.microsoft.com/dotnet/sdk:8.0 AS build\nRUN dotnet add package Amazon.Lambda.RuntimeSupport\n"
            "FROM build\n",
            "Amazon.Lambda.RuntimeSupport",
            "dotnet",
        ),
    ],
)
def test_runtime_clients_per_language(text: str, package: str, language: str) -> None:
    image = lambda_image(parse(text))
    assert image is not None and image.runtime_client is not None
    assert (image.runtime_client.package, image.language) == (package, language)


def test_runtime_client_in_a_stage_the_image_does_not_use_is_not_evidence() -> None:
    text = (
        "FROM python:3.12 AS tests\nRUN pip install awslambdaric pytest\n"
        'FROM python:3.12-slim\nCOPY app.py .\nCMD ["python", "app.py"]\n'
    )
    assert lambda_image(parse(text)) is None


@pytest.mark.parametrize(
    "words",
    [
        "awslambdaric==2.2.1 boto3",
        "'awslambdaric[extra]>=2'",
        "./dist/awslambdaric-2.0.4.tar.gz",
        "awslambdaric-test.tar.gz",
        "/wheels/awslambdaric-2.0.4-cp312-cp312-manylinux_2_17_x86_64.whl",
    ],
)
def test_python_client_spellings(words: str) -> None:
    image = lambda_image(parse(f"FROM python:3.12\nRUN pip install {words}\n"))
    assert image is not None and image.runtime_client is not None
    assert image.runtime_client.package == "awslambdaric"


@pytest.mark.parametrize(
    "text",
    [
        "FROM python:3.12\nRUN pip install awslambdaric-stubs aws-lambda-powertools\n",
        "FROM python:3.12\nRUN pip install awslambdaricotta\n",
        "FROM python:3.12\nRUN echo awslambdaric\n",  # not an installer
        "FROM node:20\nRUN npm install aws-lambda-ric-helpers\n",
    ],
)
def test_similar_names_are_not_the_client(text: str) -> None:
    assert lambda_image(parse(text)) is None


def test_maven_coordinates_name_the_java_client() -> None:
    text = (
        "FROM maven:3.9-eclipse-temurin-21\n"
        "RUN mvn dependency:get -Dartifact=com.amazonaws:aws-lambda-java-runtime-interface-client:2.6.0\n"
    )
    image = lambda_image(parse(text))
    assert image is not None and image.runtime_client is not None and image.language == "java"


def test_handler_cmd_counts_only_when_the_file_is_in_the_context(tmp_path: Path) -> None:
    text = 'FROM python:3.12-slim\nWORKDIR /app\nCOPY src/ .\nCMD ["handlers.orders.handle"]\n'
    assert lambda_image(parse(text)) is None  # no context: nothing to check against
    assert lambda_image(parse(text), context_with(tmp_path / "empty", {"README.md": ""})) is None
    context = context_with(tmp_path / "full", {"src/handlers/orders.py": "def handle(event, context): ...\n"})
    image = lambda_image(parse(text), context)
    assert image is not None and image.reason is Reason.HANDLER_CMD
    assert image.explanation == (
        "its CMD names the handler `handlers.orders.handle` and `src/handlers/orders.py` is in the build context"
    )
    assert image.language == "python" and image.function_directory == "/app"


def test_handler_cmd_node_file_at_the_context_root(tmp_path: Path) -> None:
    context = context_with(tmp_path, {"index.mjs": "export const handler = async () => {};\n"})
    image = lambda_image(parse('FROM node:22-slim\nCOPY index.mjs ./\nCMD ["index.handler"]\n'), context)
    assert image is not None and image.language == "node"
    assert lambda_image(parse('FROM node:22-slim\nCMD ["node", "index.mjs"]\n'), context) is None


@pytest.mark.parametrize(
    ("text", "files"),
    [
        # A file name is a script for the base image's own entrypoint, not `module.function`.
        ('FROM python:3.12-alpine\nWORKDIR /app\nCOPY . .\nENTRYPOINT ["python"]\nCMD ["app.py"]\n', {"app.py": ""}),
        ('FROM node:20-alpine\nCOPY index.js ./\nCMD ["index.js"]\n', {"index.js": ""}),
        # An interpreter as the ENTRYPOINT takes the CMD as its module or script.
        ('FROM python:3.12-slim\nCOPY main.py ./\nENTRYPOINT ["python", "-m"]\nCMD ["main.run"]\n', {"main.py": ""}),
        (
            'FROM node:20-slim\nCOPY server.js ./\nENTRYPOINT ["/usr/local/bin/node"]\nCMD ["server.start"]\n',
            {"server.js": ""},
        ),
    ],
)
def test_a_cmd_that_only_looks_like_a_handler(tmp_path: Path, text: str, files: dict[str, str]) -> None:
    assert lambda_image(parse(text), context_with(tmp_path, files)) is None


def test_handler_cmd_behind_an_entry_script_counts(tmp_path: Path) -> None:
    context = context_with(tmp_path, {"app.py": "def handler(event, context): ...\n", "entry.sh": ""})
    text = 'FROM python:3.12-slim\nCOPY . ./\nENTRYPOINT ["/entry.sh"]\nCMD ["app.handler"]\n'
    image = lambda_image(parse(text), context)
    assert image is not None and image.reason is Reason.HANDLER_CMD


def test_web_adapter() -> None:
    text = (
        "FROM public.ecr.aws/docker/library/python:3.12-slim\n"
        "COPY --from=public.ecr.aws/awsguru/aws-lambda-adapter:0.9.1 /lambda-adapter /opt/extensions/lambda-adapter\n"
        'WORKDIR /var/task\nCMD ["gunicorn", "-b=:8080", "app:app"]\n'
    )
    image = lambda_image(parse(text))
    assert image is not None and image.reason is Reason.WEB_ADAPTER
    assert image.language == "python" and image.runtime_client is None
    assert image.evidence[0].instruction is not None and image.evidence[0].instruction.keyword == "COPY"


def test_aws_base_layout_from_scratch() -> None:
    text = (
        "FROM scratch\nADD python3.12-x86_64.tar.xz /\nENV LAMBDA_TASK_ROOT=/var/task\nWORKDIR /var/task\n"
        'ENTRYPOINT ["/lambda-entrypoint.sh"]\n'
    )
    image = lambda_image(parse(text))
    assert image is not None and image.reason is Reason.AWS_LAYOUT
    assert image.function_directory == "/var/task"


@pytest.mark.parametrize(
    "text",
    [
        "",
        'FROM python:3.12-slim\nRUN pip install flask\nCMD ["flask", "run"]\n',
        "FROM amazonlinux:2023\nRUN dnf install -y python3\n",
        "FROM public.ecr.aws/lambda/python:3.12 AS build\nRUN pip install -t /out requests\n"
        "FROM debian:12-slim\nCOPY --from=build /out /out\n",  # the Lambda base only builds
    ],
)
def test_not_lambda_images(text: str) -> None:
    assert lambda_image(parse(text)) is None


def test_template_function(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "template.yaml").write_text(
        "Transform: AWS::Serverless-2016-10-31\nGlobals:\n  Function:\n    Architectures: [arm64]\n"
        "Resources:\n  Api:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n"
        '      ImageConfig:\n        Command: ["api.main.handler"]\n        WorkingDirectory: /srv\n'
        "    Metadata:\n      DockerContext: ./api\n      Dockerfile: Dockerfile\n",
        encoding="utf-8",
    )
    dockerfile_path = tmp_path / "api" / "Dockerfile"
    dockerfile_path.parent.mkdir()
    text = 'FROM python:3.12-slim\nRUN pip install flask\nCMD ["app.handler"]\n'
    dockerfile_path.write_text(text, encoding="utf-8")
    dockerfile = parse(text, str(dockerfile_path))
    context = RuleContext(dockerfile, sam_templates=SamTemplates(dockerfile_path))
    image = lambda_image(context)
    assert image is not None and image.reason is Reason.TEMPLATE
    assert image.explanation == "`template.yaml` builds function `Api` from this Dockerfile"
    assert image.cmd == ("api.main.handler",) and image.cmd_instruction is None  # the template overrides CMD
    assert image.function_directory == "/srv"
    assert image.architectures == ("arm64",)
    assert lambda_image(parse(text)) is None  # without the template, nothing says Lambda


def test_template_entry_point_overrides_the_dockerfile(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n"
        "      ImageConfig:\n        EntryPoint: [/usr/local/bin/python, -m, awslambdaric]\n"
        "    Metadata:\n      DockerContext: .\n",
        encoding="utf-8",
    )
    text = 'FROM python:3.12-slim\nRUN pip install --target /function awslambdaric\nENTRYPOINT ["python"]\n'
    dockerfile = parse(text, str(tmp_path / "Dockerfile"))
    image = lambda_image(dockerfile, None, SamTemplates(tmp_path / "Dockerfile"))
    assert image is not None and [item.reason for item in image.evidence] == [Reason.TEMPLATE, Reason.RUNTIME_CLIENT]
    assert image.entrypoint == ("/usr/local/bin/python", "-m", "awslambdaric") and image.entrypoint_instruction is None
    assert image.runtime_client is not None and image.runtime_client.how == "entrypoint"
    assert image.architectures == ("x86_64",)  # the default


def test_result_follows_the_context(tmp_path: Path) -> None:
    dockerfile = parse('FROM python:3.12-slim\nCOPY . .\nCMD ["app.handler"]\n')
    assert lambda_image(dockerfile) is None
    image = lambda_image(dockerfile, context_with(tmp_path, {"app.py": ""}))
    assert image is not None and image.reason is Reason.HANDLER_CMD


def test_linter_gives_rules_the_templates(tmp_path: Path) -> None:
    from collections.abc import Iterator

    from lintslim.config import Settings
    from lintslim.engine.linter import Linter
    from lintslim.engine.registry import Registry
    from lintslim.engine.rule import Diagnostic, Rule, Severity
    from lintslim.syntax.source import Span

    class Probe(Rule):
        """Reports why the image is a Lambda image."""

        code = "LS499"
        name = "probe"
        severity = Severity.INFO

        def check(self, ctx: RuleContext) -> Iterator[Diagnostic]:
            image = lambda_image(ctx)
            if image is not None:
                yield self.report(Span(0, 4), image.reason.value)

    (tmp_path / "template.yml").write_text(
        "Resources:\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties: {PackageType: Image}\n"
        "    Metadata: {DockerContext: .}\n",
        encoding="utf-8",
    )
    linter = Linter(Registry((Probe,)), Settings(), (Probe,), tmp_path)
    templates = linter.sam_templates(None)
    assert templates is not None and templates.dockerfile_path == tmp_path / "Dockerfile"
    _, diagnostics = linter.lint_text("FROM python:3.12-slim\n")  # no path: the context's Dockerfile
    assert [d.message for d in diagnostics] == ["template"]
    assert Linter(Registry((Probe,)), Settings(), (Probe,)).sam_templates("Dockerfile") is None


def test_handler_language() -> None:
    assert handler_language("Assembly::Namespace.Function::Handler") == "dotnet"
    assert handler_language("example.App::handleRequest") == "java"
    assert handler_language("app.handler") is None


@pytest.mark.skipif(not CORPUS_LAMBDA.is_dir(), reason="the corpus is not available")
def test_every_corpus_lambda_file_on_an_aws_base_is_detected() -> None:
    on_aws_base = 0
    for path in sorted(CORPUS_LAMBDA.rglob("*")):
        if not path.is_file():
            continue
        dockerfile = parse(path.read_text(encoding="utf-8", errors="replace"), str(path))
        final = dockerfile.graph.final
        facts = stage_facts(dockerfile.graph, final) if final is not None else None
        if facts is None or not facts.lambda_:
            continue
        on_aws_base += 1
        image = lambda_image(dockerfile)
        assert image is not None and image.on_aws_base, path
    assert on_aws_base >= 50


PLAIN_HANDLER_IMAGE = 'FROM python:3.12-slim\nCOPY app.py /function/\nWORKDIR /function\nCMD ["app.handler"]\n'


def test_config_true_makes_a_plain_image_a_lambda_image() -> None:
    dockerfile = parse(PLAIN_HANDLER_IMAGE)
    assert lambda_image(dockerfile) is None  # no context: the handler file cannot be seen
    image = lambda_image(dockerfile, config=True)
    assert image is not None and image.reason is Reason.CONFIG
    assert image.function_directory == "/function" and image.language == "python"  # from the base image


def test_config_true_is_the_weakest_evidence() -> None:
    image = lambda_image(parse('FROM public.ecr.aws/lambda/python:3.12\nCMD ["app.handler"]\n'), config=True)
    assert image is not None
    assert [item.reason for item in image.evidence] == [Reason.AWS_BASE, Reason.CONFIG]


def test_config_false_overrides_an_aws_base() -> None:
    dockerfile = parse('FROM public.ecr.aws/lambda/python:3.12\nCMD ["app.handler"]\n')
    assert lambda_image(dockerfile, config=False) is None
    assert lambda_image(dockerfile) is not None  # the cached answer is per config


def test_config_reaches_rules_through_the_rule_context() -> None:
    dockerfile = parse(PLAIN_HANDLER_IMAGE)
    image = lambda_image(RuleContext(dockerfile, lambda_config=True))
    assert image is not None and image.reason is Reason.CONFIG


def test_runtime_client_run_by_the_cmd() -> None:
    image = lambda_image(parse('FROM python:3.12-slim\nCMD ["python", "-m", "awslambdaric", "app.handler"]\n'))
    assert image is not None and image.runtime_client is not None
    assert (image.runtime_client.how, image.runtime_client.package) == ("cmd", "awslambdaric")
    # with an ENTRYPOINT, the CMD is only its arguments
    shadowed = parse('FROM python:3.12-slim\nENTRYPOINT ["/app/start"]\nCMD ["python", "-m", "awslambdaric"]\n')
    assert lambda_image(shadowed) is None


@pytest.mark.parametrize(
    ("text", "directory"),
    [
        ('FROM public.ecr.aws/lambda/python:3.12\nWORKDIR ${LAMBDA_TASK_ROOT}\nCMD ["app.handler"]\n', "/var/task"),
        (
            'FROM public.ecr.aws/lambda/python:3.12\nWORKDIR $LAMBDA_TASK_ROOT/src\nCMD ["app.handler"]\n',
            "/var/task/src",
        ),
        ('FROM public.ecr.aws/lambda/python:3.12\nWORKDIR src\nCMD ["app.handler"]\n', "/var/task/src"),
        ("FROM public.ecr.aws/lambda/python:3.12\nENV LAMBDA_TASK_ROOT=/app\nWORKDIR ${LAMBDA_TASK_ROOT}\n", "/app"),
        # Off an AWS base nothing sets the variable, and a directory below the base's own is unknown.
        ('FROM python:3.12-slim\nWORKDIR ${LAMBDA_TASK_ROOT}\nENTRYPOINT ["python", "-m", "awslambdaric"]\n', None),
        ('FROM python:3.12-slim\nWORKDIR src\nENTRYPOINT ["python", "-m", "awslambdaric"]\n', None),
        ('FROM python:3.12-slim\nWORKDIR /function\nENTRYPOINT ["python", "-m", "awslambdaric"]\n', "/function"),
    ],
)
def test_function_directory_knows_what_the_aws_base_sets(text: str, directory: str | None) -> None:
    image = lambda_image(parse(text))
    assert image is not None
    assert image.function_directory == directory


def test_resolve_on_aws_base_only_there() -> None:
    dockerfile = parse("FROM public.ecr.aws/lambda/provided:al2023\nCOPY bootstrap ${LAMBDA_RUNTIME_DIR}/\n")
    instruction = dockerfile.instructions[1]
    on_base = resolve_on_aws_base(dockerfile.graph, "${LAMBDA_RUNTIME_DIR}/bootstrap", instruction, True)
    assert (on_base.value, on_base.complete) == ("/var/runtime/bootstrap", True)
    assert AWS_BASE_ENV["LAMBDA_TASK_ROOT"] == LAMBDA_TASK_ROOT
    assert not resolve_on_aws_base(dockerfile.graph, "${LAMBDA_RUNTIME_DIR}/x", instruction, False).complete


def _lint_ls404(directory: Path, text: str) -> list[str]:
    from lintslim.config import Settings
    from lintslim.engine.linter import Linter
    from lintslim.engine.registry import Registry
    from lintslim.rules.aws_lambda.extension_not_executable import LambdaExtensionNotExecutable

    rules = (LambdaExtensionNotExecutable,)
    linter = Linter(Registry(rules), Settings(select=("LS404",)), rules, directory)
    return [diagnostic.message for diagnostic in linter.lint_text(text)[1]]


def test_extensions_executable_in_the_checkout_keep_that_mode(tmp_path: Path) -> None:
    """COPY keeps the mode the build context shows: 755 files are fine, one 644 file is not."""
    (tmp_path / "extensions").mkdir()
    agent, helper, wrapper = tmp_path / "extensions/agent", tmp_path / "extensions/helper", tmp_path / "wrapper.sh"
    for path in (agent, helper, wrapper):
        path.write_text("#!/bin/sh\n", encoding="utf-8")
        path.chmod(0o755)
    text = (
        "FROM public.ecr.aws/lambda/python:3.12\nCOPY extensions/ /opt/extensions/\n"
        'COPY wrapper.sh /opt/\nENV AWS_LAMBDA_EXEC_WRAPPER=/opt/wrapper.sh\nCMD ["app.handler"]\n'
    )
    assert _lint_ls404(tmp_path, text) == []
    helper.chmod(0o744)  # the owner only: Lambda's user is not the owner
    wrapper.chmod(0o644)
    messages = _lint_ls404(tmp_path, text)
    assert len(messages) == 2
    assert messages[0].startswith("`extensions/` is copied into `/opt/extensions/` without `--chmod`")
    assert messages[1].startswith("`AWS_LAMBDA_EXEC_WRAPPER` names `/opt/wrapper.sh`")

"""The function directory of a Lambda image (`lintslim.analysis.function_files`), built from real contexts."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from lintslim.analysis.aws_lambda import lambda_image
from lintslim.analysis.function_files import FunctionDirectory, function_directory
from lintslim.context.build_context import BuildContext
from lintslim.syntax.parser import parse

AWS_PYTHON = "FROM public.ecr.aws/lambda/python:3.12\n"
AWS_NODE = "FROM public.ecr.aws/lambda/nodejs:20\n"
HANDLER = "def handler(event, context):\n    return event\n"


def build(tmp_path: Path, dockerfile: str, files: Mapping[str, str]) -> tuple[FunctionDirectory, BuildContext]:
    for relative, text in files.items():
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)
    context = BuildContext(tmp_path)
    parsed = parse(dockerfile, str(tmp_path / "Dockerfile"))
    image = lambda_image(parsed, context)
    assert image is not None
    directory = function_directory(parsed.graph, image, context)
    assert directory is not None
    return directory, context


def test_lambda_task_root_resolves_on_aws_bases_and_a_file_goes_inside_it(tmp_path: Path) -> None:
    dockerfile = (
        AWS_PYTHON + 'COPY app.py ${LAMBDA_TASK_ROOT}\nCOPY src/ ${LAMBDA_TASK_ROOT}/lib/\nCMD ["app.handler"]\n'
    )
    directory, context = build(tmp_path, dockerfile, {"app.py": HANDLER, "src/util.py": "X = 1\n"})
    assert directory.roots == ("/var/task",)
    assert directory.files == {"app.py": "app.py", "lib/util.py": "src/util.py"}
    view = directory.view(context, "python")
    assert view.read("app.py") == HANDLER
    assert view.exists("lib") and view.exists("lib/util.py") and not view.exists("lib/other.py")


def test_workdir_from_lambda_task_root_and_relative_destinations(tmp_path: Path) -> None:
    dockerfile = AWS_PYTHON + 'WORKDIR ${LAMBDA_TASK_ROOT}/fn\nCOPY *.py ./\nCMD ["app.handler"]\n'
    directory, _ = build(tmp_path, dockerfile, {"app.py": HANDLER, "util.py": "", "README.md": ""})
    assert directory.roots == ("/var/task/fn", "/var/task")
    assert set(directory.files) == {"app.py", "util.py", "fn/app.py", "fn/util.py"}  # as /var/task sees them


def test_ignored_files_do_not_land_and_are_named_when_asked(tmp_path: Path) -> None:
    dockerfile = AWS_PYTHON + 'COPY . ${LAMBDA_TASK_ROOT}/\nCMD ["app.handler"]\n'
    directory, context = build(tmp_path, dockerfile, {".dockerignore": "app.py\n", "app.py": HANDLER, "b.py": ""})
    assert "app.py" not in directory.files and "b.py" in directory.files
    assert directory.ignored_source(["app.py"], context) == "app.py"
    assert directory.ignored_source(["b.py"], context) is None


def test_copy_from_a_stage_is_unknown_content_and_covers_earlier_files(tmp_path: Path) -> None:
    dockerfile = (
        "FROM node:20 AS build\nRUN echo\n" + AWS_NODE + "COPY index.js ./\n"
        'COPY --from=build /app/dist/ ./\nCMD ["index.handler"]\n'
    )
    directory, context = build(tmp_path, dockerfile, {"index.js": "exports.other = 1;\n"})
    assert "." in directory.opaque
    view = directory.view(context, "node")
    assert view.exists("anything.js")
    assert view.read("index.js") is None  # there, but a later copy may have replaced it


def test_copy_from_a_single_file_leaves_the_rest_known(tmp_path: Path) -> None:
    dockerfile = AWS_PYTHON + 'COPY --from=build /out/config.json ./\nCOPY app.py ./\nCMD ["app.handler"]\n'
    directory, context = build(tmp_path, dockerfile, {"app.py": HANDLER})
    view = directory.view(context, "python")
    assert view.exists("config.json") and not view.exists("other.py")
    assert view.read("app.py") == HANDLER


def test_pip_target_adds_the_requirement_names(tmp_path: Path) -> None:
    dockerfile = (
        AWS_PYTHON + "COPY requirements.txt more.txt .\n"
        'RUN pip install -r requirements.txt --target "${LAMBDA_TASK_ROOT}"\nCMD ["app.handler"]\n'
    )
    requirements = "Requests==2.32 \\\n    --hash=sha256:00\nPyYAML[extra]>=6 ; python_version > '3'\n-r more.txt\n"
    files = {"requirements.txt": requirements, "more.txt": "aws-lambda-powertools\n"}
    directory, context = build(tmp_path, dockerfile, files)
    assert directory.installed == {".": frozenset({"requests", "pyyaml", "aws_lambda_powertools"})}
    view = directory.view(context, "python")
    assert view.exists("requests/__init__.py") and view.exists("aws_lambda_powertools")
    assert not view.exists("app.py") and not view.exists("app/__init__.py")


@pytest.mark.parametrize(
    ("run", "requirements"),
    [
        ("pip install -r requirements.txt -t .", "-e .\n"),
        ("pip install -r requirements.txt -t .", "git+https://github.com/org/lib.git\n"),
        ("pip install -t . ./vendor/lib", ""),
        ("pip install -r missing.txt -t .", ""),
    ],
)
def test_pip_target_with_unknown_names_is_unknown_content(tmp_path: Path, run: str, requirements: str) -> None:
    dockerfile = AWS_PYTHON + f'COPY requirements.txt .\nRUN {run}\nCMD ["app.handler"]\n'
    directory, _ = build(tmp_path, dockerfile, {"requirements.txt": requirements})
    assert "." in directory.opaque


def test_pip_into_site_packages_is_foreign_to_the_function_directory(tmp_path: Path) -> None:
    named = AWS_PYTHON + "RUN pip install mangum 'fastapi>=0.100'\nCMD [\"app.handler\"]\n"
    directory, context = build(tmp_path, named, {})
    assert directory.foreign == frozenset({"mangum", "fastapi"}) and not directory.opaque
    assert directory.view(context, "python").exists("mangum/__init__.py")
    assert not directory.view(context, "node").exists("mangum/__init__.py")
    project = AWS_PYTHON + 'COPY . /src\nRUN pip install /src\nCMD ["app.handler"]\n'
    assert build(tmp_path, project, {})[0].foreign is None


def test_known_modules_win_over_foreign_ones(tmp_path: Path) -> None:
    dockerfile = AWS_PYTHON + 'ENV PYTHONPATH=/opt/lib\nCOPY app.py ./\nCMD ["app.handler"]\n'
    directory, context = build(tmp_path, dockerfile, {"app.py": HANDLER})
    view = directory.view(context, "python")
    assert directory.foreign is None
    assert view.exists("other/__init__.py")
    assert not view.exists("app/__init__.py") and view.exists("app.py")


def test_npm_ci_adds_the_dependencies_to_node_modules(tmp_path: Path) -> None:
    dockerfile = AWS_NODE + 'COPY package*.json ./\nRUN npm ci --omit=dev\nCMD ["index.handler"]\n'
    package = '{"dependencies": {"uuid": "^9"}, "devDependencies": {"@types/node": "^20"}}'
    directory, context = build(tmp_path, dockerfile, {"package.json": package, "package-lock.json": "{}"})
    assert directory.installed == {".": frozenset({"uuid", "@types/node"})}
    view = directory.view(context, "node")
    assert view.exists("node_modules/uuid") and view.exists("node_modules/@types/node/index.d.ts")
    assert not view.exists("node_modules/index") and not view.exists("index.js")


def test_npm_ci_running_lifecycle_scripts_is_unknown_content(tmp_path: Path) -> None:
    dockerfile = AWS_NODE + 'COPY package.json ./\nRUN npm ci\nCMD ["index.handler"]\n'
    package = '{"scripts": {"prepare": "tsc"}, "dependencies": {}}'
    directory, _ = build(tmp_path, dockerfile, {"package.json": package})
    assert "." in directory.opaque


@pytest.mark.parametrize(
    ("run", "opaque"),
    [
        ("npm run build", {"."}),
        ("cd /tmp && unzip layer.zip -d ${LAMBDA_TASK_ROOT}/vendor", {"vendor"}),
        ("curl -sSLo /usr/local/bin/rie https://example.com/rie && chmod +x /usr/local/bin/rie", set()),
        ("dnf install -y gcc && rm -rf /var/cache/dnf", set()),
        ("cp /tmp/settings.py ./settings.py", {"settings.py"}),
        ("python -c 'import app' && python -m compileall .", set()),
        ("echo ok > ${LAMBDA_TASK_ROOT}/VERSION", {"VERSION"}),
        ("cp -r /tmp/out/* $TARGET", {".", "node_modules"}),  # anywhere, node_modules included
    ],
)
def test_run_commands_that_write_into_the_function_directory(tmp_path: Path, run: str, opaque: set[str]) -> None:
    directory, _ = build(tmp_path, AWS_PYTHON + f'RUN {run}\nCMD ["app.handler"]\n', {})
    assert set(directory.opaque) == opaque


def test_unresolvable_destination_may_be_anywhere(tmp_path: Path) -> None:
    dockerfile = AWS_PYTHON + 'ARG DEST\nCOPY app.py $DEST\nCMD ["app.handler"]\n'
    directory, _ = build(tmp_path, dockerfile, {"app.py": HANDLER})
    assert "." in directory.opaque and directory.files == {}


def test_archive_add_and_context_node_modules_are_unknown_content(tmp_path: Path) -> None:
    dockerfile = AWS_NODE + 'ADD layer.tar.gz ./vendor/\nCOPY . ./\nCMD ["index.handler"]\n'
    directory, _ = build(tmp_path, dockerfile, {"layer.tar.gz": "", "node_modules/x/index.js": "", "index.js": ""})
    assert {"vendor", "node_modules"} <= directory.opaque
    assert "index.js" in directory.files and "node_modules/x/index.js" not in directory.files


def test_template_working_directory_wins(tmp_path: Path) -> None:
    template = (
        "Resources:\n  Fn:\n    Type: AWS::Serverless::Function\n    Properties:\n      PackageType: Image\n"
        "      ImageConfig:\n        WorkingDirectory: /srv\n    Metadata:\n      Dockerfile: Dockerfile\n"
    )
    dockerfile = "FROM python:3.12\nRUN pip install awslambdaric\nCOPY app.py /srv/\n"
    dockerfile += 'ENTRYPOINT ["python", "-m", "awslambdaric"]\nCMD ["app.handler"]\n'
    (tmp_path / "Dockerfile").write_text(dockerfile)
    (tmp_path / "template.yaml").write_text(template)
    (tmp_path / "app.py").write_text(HANDLER)
    from lintslim.context.sam import SamTemplates

    context = BuildContext(tmp_path)
    parsed = parse(dockerfile, str(tmp_path / "Dockerfile"))
    image = lambda_image(parsed, context, SamTemplates(tmp_path / "Dockerfile"))
    assert image is not None and image.template_function is not None
    directory = function_directory(parsed.graph, image, context)
    assert directory is not None
    assert directory.roots == ("/srv",) and "app.py" in directory.files


# ---------------------------------------------------------------------------------------- start-up cost

_PROBE = """
import sys
from lintslim.cli import main
main(["check", "--exit-zero", "--output-format", "concise", sys.argv[1]])
print("libcst" in sys.modules)
"""


def _libcst_loaded(tmp_path: Path, name: str, dockerfile: str, files: Mapping[str, str]) -> bool:
    project = tmp_path / name
    project.mkdir()
    (project / "Dockerfile").write_text(dockerfile)
    for relative, text in files.items():
        (project / relative).write_text(text)
    probe = [sys.executable, "-c", _PROBE, str(project / "Dockerfile")]
    output = subprocess.run(probe, capture_output=True, text=True, check=True, cwd=project)
    return output.stdout.strip().splitlines()[-1] == "True"


def test_libcst_is_imported_only_for_a_python_handler(tmp_path: Path) -> None:
    plain = 'FROM python:3.12-slim\nCOPY app.py /app/\nCMD ["python", "/app/app.py"]\n'
    node = AWS_NODE + 'COPY index.mjs ./\nCMD ["index.handler"]\n'
    python = AWS_PYTHON + 'COPY app.py ./\nCMD ["app.handler"]\n'
    assert not _libcst_loaded(tmp_path, "plain", plain, {"app.py": "print(1)\n"})
    assert not _libcst_loaded(tmp_path, "node", node, {"index.mjs": "export const handler = () => 1;\n"})
    assert _libcst_loaded(tmp_path, "python", python, {"app.py": HANDLER})


def test_a_build_stage_hands_over_what_it_knows(tmp_path: Path) -> None:
    dockerfile = (
        "FROM python:3.12-slim AS build\nWORKDIR /function\nRUN curl -O https://example.com/data.bin\n"
        "COPY app.py requirements.txt ./\nRUN pip install -t /function -r requirements.txt\n"
        "FROM python:3.12-slim AS runtime\nRUN pip install awslambdaric\nWORKDIR /function\n"
        "COPY --from=build /function/ ./\nCOPY --from=build /function/app.py ./copy.py\n"
        "COPY --from=build /usr/local/lib/ /opt/lib/\n"
        'ENTRYPOINT ["python", "-m", "awslambdaric"]\nCMD ["app.handler"]\n'
    )
    directory, context = build(tmp_path, dockerfile, {"app.py": HANDLER, "requirements.txt": "boto3\n"})
    assert directory.files == {"app.py": "app.py", "requirements.txt": "requirements.txt", "copy.py": "app.py"}
    assert directory.installed == {".": frozenset({"boto3"})}
    assert "." in directory.opaque  # curl -O wrote into the stage's /function (before the copies)
    assert directory.view(context, "python").read("copy.py") == HANDLER


def test_a_stage_directory_from_its_base_image_is_unknown(tmp_path: Path) -> None:
    dockerfile = (
        "FROM node:20 AS build\nWORKDIR /build\nCOPY index.js ./\n"
        + AWS_NODE
        + 'COPY --from=build /build/ ./\nCOPY --from=build /usr/lib/node_modules/ ./lib/\nCMD ["index.handler"]\n'
    )
    directory, _ = build(tmp_path, dockerfile, {"index.js": "exports.handler = 1;\n"})
    assert directory.files == {"index.js": "index.js"}
    assert directory.opaque == {"lib"}

"""The toolchain analysis: build commands, toolchain package installs and their removal, image purpose."""

from __future__ import annotations

import re

import pytest

from lintslim.analysis.toolchain import (
    build_steps,
    command_ecosystem,
    installs_matching,
    is_compiler_package,
    is_pip_install,
    is_toolchain_package,
    package_name,
    tool_installs,
    toolchain_purpose,
    uses_base_toolchain,
)
from lintslim.knowledge import image_facts
from lintslim.syntax.image import parse_image
from lintslim.syntax.parser import parse
from lintslim.syntax.shell import split_commands
from lintslim.syntax.source import Span


def _ecosystem(text: str) -> str | None:
    (command,) = split_commands(text, Span)
    return command_ecosystem(command)


@pytest.mark.parametrize(
    ("command", "ecosystem"),
    [
        ("CGO_ENABLED=0 go build -o /out/app ./cmd/app", "go"),
        ("go install ./...", "go"),
        ("go mod download", None),
        ("cargo build --release --locked", "rust"),
        ("cargo fetch", None),
        ("mvn -B -DskipTests package", "java-maven"),
        ("./mvnw dependency:go-offline", None),
        ("./gradlew --no-daemon :app:bootJar", "java-gradle"),
        ("gradle --version", None),
        ("npm run build", "node"),
        ("npm run build:prod -- --mode production", "node"),
        ("npm run test", None),
        ("npm ci --omit=dev", None),
        ("yarn build", "node"),
        ("pnpm run build", "node"),
        ("npx tsc -p .", "node"),
        ("dotnet publish -c Release -o /app", "dotnet"),
        ("dotnet restore", None),
        ("gcc -O2 -o hello hello.c", "c"),
        ("make -j4", "c"),
        ("cmake --build build", "c"),
        ("sudo -u builder make install", "c"),
    ],
)
def test_build_commands(command: str, ecosystem: str | None) -> None:
    assert _ecosystem(command) == ecosystem


@pytest.mark.parametrize(
    ("command", "installs"),
    [
        ("pip install -r requirements.txt", True),
        ("pip3 install --no-cache-dir flask==3.0", True),
        ("python -m pip install .", True),
        ("uv pip install -r requirements.txt", True),
        ("python3 setup.py build_ext --inplace", True),
        ("pip install --upgrade pip setuptools wheel", False),
        ("pip freeze", False),
        ("python app.py", False),
    ],
)
def test_pip_installs(command: str, installs: bool) -> None:
    (parsed,) = split_commands(command, Span)
    assert is_pip_install(parsed) is installs


@pytest.mark.parametrize(
    ("package", "toolchain"),
    [
        ("build-essential", True),
        ("gcc=4:12.2.0-3", True),
        ("g++-12", True),
        ("libpq-dev", True),
        ("python3-devel", True),
        ("musl-dev", True),
        ("openjdk-17-jdk-headless", True),
        ("gcc/bookworm-backports", True),
        ("ca-certificates", False),
        ("libpq5", False),
        ("udev", False),
        ("curl", False),
    ],
)
def test_toolchain_packages(package: str, toolchain: bool) -> None:
    assert is_toolchain_package(package) is toolchain


@pytest.mark.parametrize(
    ("package", "compiler"), [("gcc", True), ("build-base", True), ("golang-1.22-go", True), ("libpq-dev", False)]
)
def test_compiler_packages(package: str, compiler: bool) -> None:
    assert is_compiler_package(package) is compiler


def test_package_name_strips_pins() -> None:
    assert [package_name(word) for word in ("gcc=4:12", "musl-dev~=1.2", "libc6-dev:arm64", "Make")] == [
        "gcc",
        "musl-dev",
        "libc6-dev",
        "make",
    ]


@pytest.mark.parametrize(
    ("command", "matches"),
    [
        ("apt-get install -y --no-install-recommends ca-certificates", True),
        ("apk add --no-cache ca-certificates=20240226-r0", True),
        ("dnf -y install ca-certificates", True),
        ("apt-get remove ca-certificates", False),
        ("apk add $PACKAGES", False),
        ("pip install ca-certificates", False),
    ],
)
def test_installs_matching_reads_the_words_as_written(command: str, matches: bool) -> None:
    (parsed,) = split_commands(command, Span)
    assert installs_matching(parsed, re.compile(r"ca-certificates([=<>~].*)?")) is matches


def _installs(text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
    dockerfile = parse(text)
    return [(install.packages, install.kept) for install in tool_installs(dockerfile, dockerfile.instructions)]


def test_virtual_group_removed_in_the_same_run() -> None:
    text = (
        "FROM python:3.12-alpine\n"
        "RUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install -r r.txt && apk del .build-deps\n"
    )
    assert _installs(text) == [(("gcc", "musl-dev"), ())]


def test_removal_in_a_later_run_does_not_count() -> None:
    text = "FROM debian:12\nRUN apt-get install -y gcc make\nRUN apt-get purge -y gcc make\n"
    assert _installs(text) == [(("gcc", "make"), ("gcc", "make"))]


def test_partial_purge_keeps_the_rest() -> None:
    text = "FROM debian:12\nRUN apt-get install -y gcc libpq-dev curl && apt-get purge -y --auto-remove gcc\n"
    assert _installs(text) == [(("gcc", "libpq-dev"), ("libpq-dev",))]


def test_variables_expand_from_the_run_and_env() -> None:
    text = (
        "FROM debian:12\n"
        'ENV TOOLS="make cmake"\n'
        "RUN deps='gcc libc6-dev'; apt-get install -y $deps $TOOLS && apt-get purge -y $deps\n"
    )
    assert _installs(text) == [(("gcc", "libc6-dev", "make", "cmake"), ("make", "cmake"))]


def test_apt_mark_auto_idiom_removes_everything() -> None:
    text = (
        "FROM debian:12\n"
        'RUN saved="$(apt-mark showmanual)"; apt-get install -y gcc libssl-dev; make; '
        "apt-mark auto '.*' > /dev/null; apt-mark manual $saved; apt-get purge -y --auto-remove\n"
    )
    assert _installs(text) == [(("gcc", "libssl-dev"), ())]


def test_options_with_values_are_not_packages() -> None:
    text = "FROM debian:12\nRUN apt-get -o Dpkg::Options::=--force-confold install -y -t bookworm-backports gcc\n"
    assert _installs(text) == [(("gcc",), ("gcc",))]


def test_pip_counts_as_a_build_after_a_compiler_install() -> None:
    text = (
        "FROM python:3.12-slim\n"
        "RUN pip install -r base.txt\n"
        "RUN apt-get install -y gcc\n"
        "RUN pip install -r requirements.txt\n"
    )
    dockerfile = parse(text)
    steps = build_steps(dockerfile, dockerfile.instructions)
    assert [(step.ecosystem, step.instruction.start_line, step.label) for step in steps] == [
        ("python-native", 4, "pip install")
    ]
    assert text[steps[0].span.start : steps[0].span.end] == "pip install -r requirements.txt"


def test_step_labels() -> None:
    dockerfile = parse('FROM golang:1.23\nRUN make -j "$nproc" install && npm run build -- --prod\n')
    assert [step.label for step in build_steps(dockerfile, dockerfile.instructions)] == [
        "make install",
        "npm run build",
    ]


@pytest.mark.parametrize(
    ("image", "command", "uses"),
    [
        ("golang:1.23", "go build -o /app .", True),
        ("eclipse-temurin:21-jdk", "make", False),
        ("eclipse-temurin:21-jdk", "mvn package", True),
        ("python:3.12", "make", True),
        ("buildpack-deps:bookworm", "cargo build", True),
        ("python:3.12-slim", "make", False),
    ],
)
def test_steps_using_the_base_toolchain(image: str, command: str, uses: bool) -> None:
    dockerfile = parse(f"FROM {image}\nRUN {command}\n")
    (step,) = build_steps(dockerfile, dockerfile.instructions)
    facts = image_facts(parse_image(image))
    assert facts is not None
    assert uses_base_toolchain(step, facts) is uses


@pytest.mark.parametrize(
    ("tail", "purpose"),
    [
        ('CMD ["./server"]', None),
        ('ENTRYPOINT ["tini", "--"]\nCMD ["node", "server.js"]', None),
        ('ENTRYPOINT ["/docker-entrypoint.sh"]', None),
        ('ENTRYPOINT ["/usr/local/bin/mvn-entrypoint.sh"]\nCMD ["mvn"]', "its command runs `mvn`"),
        ('ENTRYPOINT ["go"]', "its command runs `go`"),
        ('CMD ["bash"]', "its command opens a shell"),
        ('CMD ["python3"]', "its command opens an interactive interpreter"),
        ('CMD ["php", "-a"]', "its command opens an interactive interpreter"),
        ('CMD ["npm", "run", "dev"]', "its command runs `npm run dev`, not a start script"),
        ('CMD ["npm", "start"]', None),
        ("CMD sleep infinity", "its command runs `sleep`"),
        ('CMD ["dotnet", "run"]', "its command runs `dotnet run`"),
        ('CMD ["dotnet", "Api.dll"]', None),
        ("RUN true", "it sets no command that runs an application"),
        ('LABEL devcontainer.metadata="[]"\nCMD ["./server"]', "it is a dev container"),
    ],
)
def test_toolchain_purpose(tail: str, purpose: str | None) -> None:
    dockerfile = parse(f"FROM golang:1.23\n{tail}\n")
    assert toolchain_purpose(dockerfile, dockerfile.graph, dockerfile.graph.stages[-1]) == purpose


def test_stage_names_and_paths_mark_dev_images() -> None:
    dockerfile = parse('FROM golang:1.23 AS dev\nCMD ["./server"]\n')
    assert toolchain_purpose(dockerfile, dockerfile.graph, dockerfile.graph.stages[-1]) == "its stage is named `dev`"
    dockerfile = parse('FROM golang:1.23\nCMD ["./server"]\n', ".devcontainer/Dockerfile")
    assert toolchain_purpose(dockerfile, dockerfile.graph, dockerfile.graph.stages[-1]) == "it is a dev container"


def test_ls101_rewrites_do_not_trip_ls102() -> None:
    """The runtime stage LS101 writes is what LS102 asks for: neither rule flags the result."""
    from pathlib import Path

    from lintslim.config import settings_from_mapping
    from lintslim.docs import load_case_file
    from lintslim.engine.linter import Linter
    from lintslim.engine.registry import default_registry

    registry = default_registry()
    linter = Linter.for_path(registry, settings_from_mapping({"select": ["LS101", "LS102"]}, registry), None)
    cases = load_case_file(Path(__file__).resolve().parent.parent / "rules" / "LS101.yml")
    rewrites = [case["unsafe_fix"] for case in cases.values() if "unsafe_fix" in case]
    assert len(rewrites) >= 8
    for text in rewrites:
        assert linter.lint_text(text)[1] == []

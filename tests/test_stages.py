"""Tests of image references (`lintslim.syntax.image`) and the stage graph (`lintslim.syntax.stages`)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

if importlib.util.find_spec("lintslim") is None:  # pragma: no cover - depends on how pytest is run
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from lintslim.syntax.image import ImageRef, parse_image
from lintslim.syntax.nodes import Dockerfile, Instruction
from lintslim.syntax.parser import parse
from lintslim.syntax.shellwords import process_words
from lintslim.syntax.stages import BuildGraph, Scope, expand, mount_options

DIGEST = "sha256:" + "0123456789abcdef" * 4


def image(reference: str) -> ImageRef:
    ref = parse_image(reference)
    assert ref is not None, f"{reference!r} should parse"
    return ref


def graph_of(text: str) -> tuple[Dockerfile, BuildGraph]:
    dockerfile = parse(text)
    assert [e for e in dockerfile.errors if e.phase == "parse"] == []
    return dockerfile, dockerfile.graph


def at_line(dockerfile: Dockerfile, line: int) -> Instruction:
    instruction = dockerfile.instruction_at_line(line)
    assert instruction is not None, f"no instruction on line {line}"
    return instruction


# --- image references ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reference", "registry", "path", "tag", "digest"),
    [
        ("python", None, "python", None, None),
        ("python:3.12-slim", None, "python", "3.12-slim", None),
        ("library/python:3.12", None, "library/python", "3.12", None),
        ("bitnami/redis:7.4", None, "bitnami/redis", "7.4", None),
        ("docker.io/library/python:3", "docker.io", "library/python", "3", None),
        ("ghcr.io/owner/app:1.0@" + DIGEST, "ghcr.io", "owner/app", "1.0", DIGEST),
        ("python@" + DIGEST, None, "python", None, DIGEST),
        ("localhost:5000/team/app:dev", "localhost:5000", "team/app", "dev", None),
        ("localhost/app", "localhost", "app", None, None),
        ("[::1]:5000/app:1", "[::1]:5000", "app", "1", None),
        ("public.ecr.aws/lambda/python:3.12", "public.ecr.aws", "lambda/python", "3.12", None),
        ("registry.example.com:443/a/b/c", "registry.example.com:443", "a/b/c", None, None),
        ("localhost:5000", None, "localhost", "5000", None),  # no slash: a Docker Hub name and a tag
        ("  python:3  ", None, "python", "3", None),
    ],
)
def test_parse_image_parts(
    reference: str, registry: str | None, path: str, tag: str | None, digest: str | None
) -> None:
    ref = image(reference)
    assert (ref.registry, ref.path, ref.tag, ref.digest) == (registry, path, tag, digest)
    assert ref.raw == reference.strip()
    assert ref.is_pinned == (digest is not None)


@pytest.mark.parametrize(
    ("reference", "domain", "repository", "name", "familiar", "normalized"),
    [
        ("python", "docker.io", "library/python", "python", "python", "docker.io/library/python:latest"),
        ("python:3.12", "docker.io", "library/python", "python", "python", "docker.io/library/python:3.12"),
        ("library/python", "docker.io", "library/python", "python", "python", "docker.io/library/python:latest"),
        ("docker.io/python:3", "docker.io", "library/python", "python", "python", "docker.io/library/python:3"),
        ("docker.io/library/node", "docker.io", "library/node", "node", "node", "docker.io/library/node:latest"),
        ("index.docker.io/node", "docker.io", "library/node", "node", "node", "docker.io/library/node:latest"),
        ("bitnami/redis", "docker.io", "bitnami/redis", "redis", "bitnami/redis", "docker.io/bitnami/redis:latest"),
        (
            "python:3.12@" + DIGEST,
            "docker.io",
            "library/python",
            "python",
            "python",
            "docker.io/library/python:3.12@" + DIGEST,
        ),
        ("python@" + DIGEST, "docker.io", "library/python", "python", "python", "docker.io/library/python@" + DIGEST),
        (
            "localhost:5000/team/app",
            "localhost:5000",
            "team/app",
            "app",
            "localhost:5000/team/app",
            "localhost:5000/team/app:latest",
        ),
        (
            "public.ecr.aws/lambda/python:3.12",
            "public.ecr.aws",
            "lambda/python",
            "python",
            "public.ecr.aws/lambda/python",
            "public.ecr.aws/lambda/python:3.12",
        ),
    ],
)
def test_image_normal_forms(
    reference: str, domain: str, repository: str, name: str, familiar: str, normalized: str
) -> None:
    ref = image(reference)
    assert (ref.domain, ref.repository, ref.name, ref.familiar, ref.normalized) == (
        domain,
        repository,
        name,
        familiar,
        normalized,
    )


@pytest.mark.parametrize(
    "reference",
    [
        "",
        "Python:3",  # upper case in the repository
        "library/Python",
        "${BASE}",
        "$BASE:3",
        "python:${TAG}",
        "app:",  # empty tag
        "app:tag:extra",
        "python:3.12é",  # tags are ASCII only (Go's \w)
        "a//b",
        "python@sha256:xyz",
        "python @" + DIGEST,
        "-python",
    ],
)
def test_invalid_references_are_none(reference: str) -> None:
    assert parse_image(reference) is None


def test_scratch() -> None:
    assert image("scratch").is_scratch
    assert not image("scratchy").is_scratch
    assert not image("example.com/scratch").is_scratch


# --- stages ----------------------------------------------------------------------------------------


MULTISTAGE = """\
ARG BASE=python
ARG TAG=3.12
ARG IMAGE=${BASE}:${TAG}
ARG NOVAL
FROM ${IMAGE}-slim AS Build
ARG TAG
ENV APP=/app
RUN --mount=type=cache,target=/root/.cache pip install -r requirements.txt
FROM ${NOVAL:-alpine:3.20} AS runtime
FROM build AS test
RUN echo $APP
COPY --from=BUILD /a /b
COPY --from=0 /a /b
COPY --from=nginx:1.27 /etc/nginx /etc/nginx
RUN --mount=type=bind,from=runtime,target=/x --mount=type=bind,source=.,target=/src make
FROM $NOVAL AS unresolved
FROM runtime
COPY --from=test /x /y
"""


def test_stage_names_are_case_insensitive() -> None:
    _, graph = graph_of(MULTISTAGE)
    assert [stage.name for stage in graph.stages] == ["build", "runtime", "test", "unresolved", None]
    assert [stage.label for stage in graph.stages] == ["build", "runtime", "test", "unresolved", "4"]
    build = graph.stage_named("BUILD")
    assert build is not None and build.index == 0
    by_index = graph.stage_named("1")
    assert by_index is not None and by_index.name == "runtime"
    assert graph.stage_named("5") is None
    assert graph.stage_named("missing") is None
    assert graph.final is graph.stages[-1]


def test_from_resolved_through_global_args() -> None:
    _, graph = graph_of(MULTISTAGE)
    build, runtime, test, unresolved, final = graph.stages
    assert graph.global_scope.values == {"BASE": "python", "TAG": "3.12", "IMAGE": "python:3.12"}
    assert "NOVAL" in graph.global_scope.unknown
    assert (build.base.value, build.base.complete) == ("python:3.12-slim", True)  # chained ARG defaults
    assert build.image is not None and build.image.normalized == "docker.io/library/python:3.12-slim"
    assert (runtime.base.value, runtime.base.complete) == ("alpine:3.20", True)  # ${VAR:-default}
    assert runtime.image is not None and runtime.image.familiar == "alpine"
    # An ARG without a default may be set with --build-arg: the base is unknown
    assert unresolved.base.complete is False
    assert unresolved.base.unresolved == frozenset({"NOVAL"})
    assert (unresolved.image, unresolved.base_stage) == (None, None)
    # FROM <previous stage>
    assert (test.base_stage, test.image) == (0, None)
    assert (final.base_stage, final.image) == (1, None)
    assert build.base_stage is None and runtime.base_stage is None


def test_stage_instructions_and_stage_of() -> None:
    dockerfile, graph = graph_of(MULTISTAGE)
    assert [i.keyword for i in graph.stages[0].instructions] == ["FROM", "ARG", "ENV", "RUN"]
    assert graph.stages[0].from_instruction is at_line(dockerfile, 5)
    stage = graph.stage_of(at_line(dockerfile, 12))
    assert stage is not None and stage.name == "test"
    assert graph.stage_of(at_line(dockerfile, 1)) is None  # a global ARG


def test_platform_flag() -> None:
    _, graph = graph_of("FROM --platform=$BUILDPLATFORM golang:1.23 AS build\nFROM scratch\n")
    assert [stage.platform for stage in graph.stages] == ["$BUILDPLATFORM", None]
    scratch = graph.stages[1].image
    assert scratch is not None and scratch.is_scratch


def test_links_from_copy_and_run_mount() -> None:
    dockerfile, graph = graph_of(MULTISTAGE)
    links = [(link.instruction.start_line, link.stage, link.reference, link.source_stage) for link in graph.links]
    assert links == [
        (12, 2, "BUILD", 0),
        (13, 2, "0", 0),
        (14, 2, "nginx:1.27", None),
        (15, 2, "runtime", 1),
        (18, 4, "test", 2),
    ]
    nginx = graph.links[2].source_image
    assert nginx is not None and nginx.normalized == "docker.io/library/nginx:1.27"
    assert all(link.source_image is None for link in graph.links if link.source_stage is not None)
    assert graph.links[3].instruction is at_line(dockerfile, 15)


def test_link_reference_with_variable() -> None:
    _, graph = graph_of("FROM alpine AS build\nFROM alpine\nARG SRC\nCOPY --from=${SRC:-build} /a /b\n")
    (link,) = graph.links
    assert (link.reference, link.source_stage) == ("${SRC:-build}", 0)


def test_reaching_final_and_build_only() -> None:
    _, graph = graph_of(MULTISTAGE)
    # final (4) builds on runtime (1) and copies from test (2); test builds on build (0) and reads runtime
    assert graph.reaching_final() == frozenset({0, 1, 2, 4})
    assert graph.build_only() == frozenset({0, 1, 2})  # `unresolved` (3) is used by nothing
    _, single = graph_of("FROM alpine\nRUN true\n")
    assert single.reaching_final() == frozenset({0})
    assert single.build_only() == frozenset()
    _, unused = graph_of("FROM alpine AS lint\nRUN lint\nFROM alpine AS app\nCMD app\n")
    assert unused.reaching_final() == frozenset({1})
    assert unused.build_only() == frozenset()


def test_no_stages() -> None:
    dockerfile, graph = graph_of("ARG A=1\n")
    assert graph.stages == () and graph.final is None
    assert graph.reaching_final() == frozenset()
    assert graph.scope_at(dockerfile.instructions[0]).values == {"A": "1"}


# --- variable scopes -----------------------------------------------------------------------------


SCOPES = """\
ARG VERSION=1.2
ARG SECRET
FROM alpine AS base
RUN echo before
ARG VERSION
ARG SECRET
ARG LOCAL=x-${VERSION}
ENV HOME_DIR=/home/app GREETING="hello world"
RUN echo after
FROM base AS child
ENV DERIVED=${HOME_DIR}/bin
RUN echo child
FROM child AS grandchild
RUN echo grandchild
FROM alpine AS other
RUN echo other
"""


def test_global_arg_visible_only_after_redeclaration() -> None:
    dockerfile, graph = graph_of(SCOPES)
    before = graph.scope_at(at_line(dockerfile, 4))
    assert not before.knows("VERSION")
    after = graph.scope_at(at_line(dockerfile, 9))
    assert after.values["VERSION"] == "1.2"
    assert after.values["LOCAL"] == "x-1.2"
    assert "SECRET" in after.unknown and "SECRET" not in after.values  # declared, no value we can know
    assert graph.resolve("v${VERSION}", at_line(dockerfile, 9)) == expand("v1.2", Scope())
    unresolved = graph.resolve("$SECRET", at_line(dockerfile, 9))
    assert (unresolved.complete, unresolved.unresolved) == (False, frozenset({"SECRET"}))
    # the global scope itself, for FROM lines
    assert graph.scope_at(at_line(dockerfile, 1)).values == {"VERSION": "1.2"}


def test_env_values_are_unquoted() -> None:
    dockerfile, graph = graph_of(SCOPES)
    scope = graph.scope_at(at_line(dockerfile, 9))
    assert scope.values["HOME_DIR"] == "/home/app"
    assert scope.values["GREETING"] == "hello world"


def test_env_is_inherited_from_parent_stages_args_are_not() -> None:
    dockerfile, graph = graph_of(SCOPES)
    child = graph.scope_at(at_line(dockerfile, 12))
    assert child.values == {"HOME_DIR": "/home/app", "GREETING": "hello world", "DERIVED": "/home/app/bin"}
    assert not child.knows("VERSION") and not child.knows("LOCAL") and not child.knows("SECRET")
    grandchild = graph.scope_at(at_line(dockerfile, 14))
    assert grandchild.values == {"HOME_DIR": "/home/app", "GREETING": "hello world", "DERIVED": "/home/app/bin"}
    other = graph.scope_at(at_line(dockerfile, 16))
    assert other.values == {} and other.unknown == frozenset()


def test_scope_stops_at_the_instruction() -> None:
    dockerfile, graph = graph_of("FROM alpine\nENV A=1\nRUN echo\nENV A=2 B=$A\nRUN echo\n")
    assert graph.scope_at(at_line(dockerfile, 2)).values == {}
    assert graph.scope_at(at_line(dockerfile, 3)).values == {"A": "1"}
    # one ENV line expands with the values from before it, as the build does
    assert graph.scope_at(at_line(dockerfile, 5)).values == {"A": "2", "B": "1"}


def test_automatic_platform_args_are_unknown() -> None:
    dockerfile, graph = graph_of("FROM alpine\nARG TARGETARCH\nRUN echo $TARGETARCH\n")
    assert "TARGETARCH" in graph.global_scope.unknown
    scope = graph.scope_at(at_line(dockerfile, 3))
    assert "TARGETARCH" in scope.unknown and "TARGETARCH" not in scope.values


def test_expand() -> None:
    scope = Scope({"B": "b"}, frozenset({"U"}))
    assert expand("${A:-x}-$B", scope) == expand("x-b", Scope())
    assert expand("plain", scope).complete
    missing = expand("$U/$NOPE", scope)
    assert (missing.value, missing.complete, missing.unresolved) == ("/", False, frozenset({"U", "NOPE"}))
    broken = expand("${A", scope)
    assert (broken.value, broken.complete) == ("${A", False)
    assert expand("`$B", scope, escape="`").value == "$B"


# --- --mount options -------------------------------------------------------------------------------


def test_mount_options() -> None:
    text = (
        "FROM alpine\n"
        "RUN --mount=type=cache,target=/root/.cache,from=build,ro"
        " --mount=target=/src,Source=."
        ' --mount="type=secret,id=npm, required"'
        " go build\n"
    )
    dockerfile = parse(text)
    cache, bind, secret = dockerfile.instructions[1].flags_named("mount")
    assert mount_options(cache) == {"type": "cache", "target": "/root/.cache", "from": "build", "ro": "true"}
    assert mount_options(bind) == {"target": "/src", "source": ".", "type": "bind"}  # keys lower-cased
    assert mount_options(secret) == {"type": "secret", "id": "npm", "required": "true"}


def test_image_stages_are_the_unreferenced_stages_and_their_bases() -> None:
    graph = parse(
        "FROM golang:1.23 AS build\nRUN go build -o /app\n"
        "FROM alpine:3.20 AS base\nENV X=1\n"
        "FROM base AS runtime\nCOPY --from=build /app /app\n"
        "FROM alpine:3.20 AS debug\n"
        "FROM runtime\n"
    ).graph
    assert graph.build_only() == {0, 1, 2}
    assert graph.image_stages() == {1, 2, 3, 4}  # base and runtime pass their settings on to the final stage
    assert [stage.index for stage in graph.images()] == [3, 4]


def test_reads_other_stages() -> None:
    dockerfile = parse(
        "FROM golang:1.23 AS build\nRUN go build -o /app .\n"
        "FROM alpine:3.20 AS base\n"
        "FROM base\nCOPY --from=build /app /app\n"
    )
    graph = dockerfile.graph
    assert graph.reads_other_stages(graph.stages[2])
    assert not graph.reads_other_stages(graph.stages[1])
    chained = parse("FROM golang:1.23 AS base\nRUN go build -o /app .\nFROM base\nCOPY --from=base /app /bin/app\n")
    assert not chained.graph.reads_other_stages(chained.graph.stages[1])


def test_chains_descendants_and_reaching_stages() -> None:
    _, graph = graph_of(MULTISTAGE)
    build, runtime, test, _, final = graph.stages
    assert [stage.index for stage in graph.chain(test)] == [0, 2]
    assert [instruction.keyword for instruction in graph.chain_instructions(test)] == [
        "ARG", "ENV", "RUN", "RUN", "COPY", "COPY", "COPY", "RUN",
    ]  # fmt: skip
    assert graph.descendants(build) == {2} and graph.descendants(runtime) == {4} and graph.descendants(final) == set()
    assert graph.reaching(final) == [1, 2, 0]  # its base, what it copies from, then what those read
    assert graph.reaching(build) == []
    assert (build.reference, runtime.reference, final.reference) == ("Build", "runtime", "4")


def test_platform_and_scratch_along_the_ancestry() -> None:
    _, graph = graph_of(
        "ARG ARCH=arm64\nFROM --platform=linux/$ARCH scratch AS base\nFROM base AS app\n"
        "FROM --platform=$BUILDPLATFORM golang:1.23\nFROM alpine\n"
    )
    base, app, build, plain = graph.stages
    platform = graph.platform(app)
    assert platform is not None and (platform.value, platform.complete) == ("linux/arm64", True)
    unknown = graph.platform(build)
    assert unknown is not None and not unknown.complete
    assert graph.platform(plain) is None
    assert graph.builds_on_scratch(app) and graph.builds_on_scratch(base) and not graph.builds_on_scratch(plain)


def test_build_args_override_declared_arg_defaults() -> None:
    text = (
        "ARG PYTHON=3.9\nFROM public.ecr.aws/lambda/python:${PYTHON}\n"
        "ARG PYTHON\nARG MODE=debug\nARG TARGETARCH\nENV SHOWN=${MODE}-${PYTHON}-${TARGETARCH:-unknown}\n"
        'CMD ["app.handler"]\n'
    )
    plain = parse(text)
    assert plain.graph.stages[0].base.value == "public.ecr.aws/lambda/python:3.9"
    given = parse(text, build_args={"PYTHON": "3.13", "MODE": "release", "UNDECLARED": "x", "TARGETARCH": "arm64"})
    assert given.graph.stages[0].base.value == "public.ecr.aws/lambda/python:3.13"
    scope = given.graph.scope_at(given.instructions[-1])
    assert scope.values["SHOWN"] == "release-3.13-unknown"  # the platform ARGs come from the builder, not --build-arg
    assert "UNDECLARED" not in scope.values  # a build argument nothing declares sets nothing
    assert plain.graph.scope_at(plain.instructions[-1]).values["SHOWN"] == "debug-3.9-unknown"


# --- expansion order and quoting (BuildKit's dispatchArg / EnvCommand.Expand) ----------------------


def test_arg_pairs_expand_left_to_right() -> None:
    dockerfile, graph = graph_of("FROM alpine\nARG C=1 D=$C E=${D}-x\nARG C=2 F=$C\nRUN echo\n")
    scope = graph.scope_at(at_line(dockerfile, 4))
    assert scope.values == {"C": "2", "D": "1", "E": "1-x", "F": "2"}
    assert scope.unknown == frozenset()


def test_global_arg_pairs_expand_left_to_right() -> None:
    _, graph = graph_of("ARG REPO=docker.io/library IMAGE=${REPO}/python\nFROM ${IMAGE}:3.12\n")
    assert graph.stages[0].base.value == "docker.io/library/python:3.12"


def test_env_pairs_expand_with_the_scope_before_the_instruction() -> None:
    dockerfile, graph = graph_of("FROM alpine\nENV A=1\nENV A=2 B=$A\nENV C=3 D=$C\nRUN echo\n")
    scope = graph.scope_at(at_line(dockerfile, 5))
    assert scope.values == {"A": "2", "B": "1", "C": "3"}
    assert scope.unknown == {"D"}  # C was not set before the instruction, and is not a build argument


def test_values_are_expanded_once_with_their_quotes() -> None:
    dockerfile, graph = graph_of(
        "FROM alpine\nARG A=1\nARG SINGLE='$A' DOUBLE=\"$A\"\nENV PATHS=\"a\\\\b\" E='${A}'\nRUN echo\n"
    )
    scope = graph.scope_at(at_line(dockerfile, 5))
    assert scope.values["SINGLE"] == "$A"  # single quotes keep `$` literal
    assert scope.values["DOUBLE"] == "1"  # double quotes expand (it was expanded away to "")
    assert scope.values["PATHS"] == "a\\b"  # one backslash left, not none
    assert scope.values["E"] == "${A}"


def test_backtick_escape_keeps_backslashes_in_values() -> None:
    dockerfile, graph = graph_of('# escape=`\nFROM alpine\nENV DIR="C:\\tools" X=a``b\nRUN echo\n')
    scope = graph.scope_at(at_line(dockerfile, 4))
    assert scope.values == {"DIR": "C:\\tools", "X": "a`b"}


# --- scopes as views of one history per stage -----------------------------------------------------


def test_each_instruction_keeps_its_own_scope() -> None:
    dockerfile, graph = graph_of("FROM alpine\nARG A=1\nRUN echo\nARG A\nRUN echo\nENV A=3 B=x\nRUN echo\n")
    first, second, third = (graph.scope_at(at_line(dockerfile, line)) for line in (3, 5, 7))
    assert (first.values, first.unknown) == ({"A": "1"}, frozenset())
    assert (second.values, second.unknown) == ({}, frozenset({"A"}))  # no default: a value we cannot know
    assert (third.values, third.unknown) == ({"A": "3", "B": "x"}, frozenset())
    assert first.values == {"A": "1"}  # asking later scopes changed nothing in an earlier one
    assert dict(first.values) == {"A": "1"} and len(first.values) == 1 and list(first.values) == ["A"]
    assert first.values.get("B") is None and "B" not in first.values and not first.knows("B")
    with pytest.raises(KeyError):
        first.values["B"]


def test_scope_views_behave_as_the_mapping_and_set_they_replace() -> None:
    dockerfile, graph = graph_of("FROM alpine\nARG U V W=1\nRUN echo\n")
    scope = graph.scope_at(at_line(dockerfile, 3))
    assert scope.unknown == {"U", "V"} and {"U", "V"} == scope.unknown
    assert scope.unknown - {"U"} == frozenset({"V"}) and isinstance(scope.unknown - {"U"}, frozenset)
    assert sorted(scope.unknown | {"X"}) == ["U", "V", "X"]
    assert hash(scope.unknown) == hash(frozenset({"U", "V"}))
    assert {**scope.values, "Z": "2"} == {"W": "1", "Z": "2"}
    assert dict.fromkeys(scope.unknown) == {"U": None, "V": None}


def test_env_carries_down_a_chain_and_args_do_not() -> None:
    dockerfile, graph = graph_of(
        "FROM alpine AS a\nENV X=1 Y=$UNSET\nARG Q=2\nENV X=3\n"
        "FROM a AS b\nARG X=$X-b\nENV W=$Q\n"
        "FROM b AS c\nRUN echo\n"
        "FROM a AS sibling\nRUN echo\n"
    )
    c = graph.scope_at(at_line(dockerfile, 9))
    assert c.values == {"X": "3-b"}  # X is an ENV of the chain: its last value in b carries over
    assert c.unknown == {"Y", "W"}  # Q was b's ARG-less name: W has no value we can know
    sibling = graph.scope_at(at_line(dockerfile, 11))
    assert (sibling.values, sibling.unknown) == ({"X": "3"}, frozenset({"Y"}))


def test_long_env_chain_sees_every_ancestor() -> None:
    size = 1200  # deeper than Python's recursion limit (1,000): the walk up the chain must not recurse
    text = "FROM alpine AS s0\nENV E0=0\n" + "".join(
        f"FROM s{i - 1} AS s{i}\nENV E{i}=$E{i - 1}\n" for i in range(1, size)
    )
    dockerfile = parse(text + "RUN echo\n")
    scope = dockerfile.graph.scope_at(dockerfile.instructions[-1])
    assert scope.values["E1199"] == "0" and scope.values["E0"] == "0" and len(scope.values) == size


# --- image stages and lines ----------------------------------------------------------------------


def test_image_stages_on_one_long_chain() -> None:
    half = 300
    text = "FROM alpine AS s0\n" + "".join(f"FROM s{i - 1} AS s{i}\n" for i in range(1, half))
    text += "".join(f"FROM s{half - 1} AS leaf{i}\nRUN echo\n" for i in range(half))
    text += "FROM alpine AS unused\nFROM alpine AS builder\nFROM s10 AS final\nCOPY --from=builder / /\n"
    graph = parse(text).graph
    images = graph.image_stages()
    builder = graph.stage_named("builder")
    assert builder is not None and builder.index not in images  # copied from: a build step, not an image
    assert images == frozenset(range(len(graph.stages))) - {builder.index}


def test_instruction_at_line() -> None:
    text = "# c\nFROM alpine\n\nRUN a \\\n  b\n# between\nCOPY <<EOF /x\nbody\nEOF\nCMD x\n"
    dockerfile = parse(text)
    expected = [None, "FROM", None, "RUN", "RUN", None, "COPY", "COPY", "COPY", "CMD", None]
    found = [dockerfile.instruction_at_line(line) for line in range(0, 11)]
    assert [None if item is None else item.keyword for item in found] == [None, *expected[:-1]]
    assert dockerfile.instruction_at_line(11) is None and dockerfile.instruction_at_line(-1) is None


def test_long_values_are_expanded_whole() -> None:
    value = "x" * 100_000 + " y\u3000z"  # quadratic before: a 1 MB value took 39 s to expand
    dockerfile, graph = graph_of(f'FROM alpine\nENV A="{value}"\nENV B=$A C="$A"\nRUN echo\n')
    scope = graph.scope_at(at_line(dockerfile, 4))
    assert scope.values["A"] == scope.values["B"] == scope.values["C"] == value
    split = process_words("$A", {"A": value})
    assert split.words == ("x" * 100_000, "y", "z") and split.value == value

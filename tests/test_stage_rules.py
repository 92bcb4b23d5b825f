"""Base image, stage and USER rules (LS510-LS525): what case files cannot show, such as messages and matching."""

from __future__ import annotations

import pytest

from lintslim.config import settings_from_mapping
from lintslim.engine.linter import Linter
from lintslim.engine.registry import default_registry
from lintslim.rules.hygiene._stage_helpers import edit_distance, looks_like
from lintslim.rules.hygiene.base_images import parse_platform, registry_allowed
from lintslim.syntax.image import parse_image


def _messages(code: str, text: str) -> list[str]:
    registry = default_registry()
    linter = Linter.for_path(registry, settings_from_mapping({"select": [code]}, registry), None, None)
    _, diagnostics = linter.lint_text(text)
    return [diagnostic.message for diagnostic in diagnostics if diagnostic.code == code]


@pytest.mark.parametrize(
    ("allowed", "image", "expected"),
    [
        (["docker.io"], "python:3.12", True),
        (["hub.docker.com"], "docker.io/library/python:3.12", True),
        (["docker.io"], "index.docker.io/library/python:3.12", True),
        (["ghcr.io"], "python:3.12", False),
        (["*.gcr.io"], "eu.gcr.io/project/app:1", True),
        (["*.gcr.io"], "gcr.io/project/app:1", False),
        (["registry.*"], "registry.example.com/app:1", True),
        (["REGISTRY.example.com"], "Registry.Example.com/app:1", True),
        (["*"], "quay.io/org/app:1", True),
        (["localhost:5000"], "localhost:5000/app:1", True),
        (["localhost"], "localhost:5000/app:1", False),
    ],
)
def test_registry_matching_follows_hadolint(allowed: list[str], image: str, expected: bool) -> None:
    parsed = parse_image(image)
    assert parsed is not None
    assert registry_allowed(parsed, allowed) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("linux/amd64", ("linux", "amd64")),
        ("linux/x86_64", ("linux", "amd64")),
        ("linux/arm64/v8", ("linux", "arm64")),
        ("Linux/AArch64", ("linux", "arm64")),
        ("windows", ("windows", "amd64")),
        ("arm64", ("linux", "arm64")),
        ("linux/", None),
        ("a/b/c/d", None),
    ],
)
def test_parse_platform(text: str, expected: tuple[str, str] | None) -> None:
    assert parse_platform(text) == expected


def test_edit_distance_counts_a_swap_as_one_edit() -> None:
    assert edit_distance("buidler", "builder") == 1
    assert edit_distance("build", "builder") == 2
    assert edit_distance("node", "base") == 3


def test_looks_like_takes_typos_and_prefixes_but_not_other_short_names() -> None:
    assert looks_like("bulder", ["base", "builder"]) == "builder"
    assert looks_like("build", ["build-web"]) == "build-web"
    assert looks_like("node", ["base", "nodes"]) == "nodes"
    assert looks_like("go", ["gx"]) is None  # too short to call it a typo
    assert looks_like("busybox", ["build", "base"]) is None


def test_misspelt_stage_message_suggests_the_stage() -> None:
    text = "FROM golang:1.22 AS builder\nFROM alpine:3.20\nCOPY --from=buidler /app /app\n"
    assert _messages("LS519", text) == ["`--from=buidler` is not a stage of this file: did you mean `builder`?"]


def test_undefined_arg_message_points_to_the_stage_arg_or_a_near_name() -> None:
    inside = "FROM alpine:3.20\nARG VERSION=3.12\nFROM python:${VERSION}\n"
    assert "inside a stage is not seen by FROM" in _messages("LS521", inside)[0]
    near = "ARG BASE_IMAGE=alpine:3.20\nFROM $BASE_IMAG\n"
    assert _messages("LS521", near) == ["`BASE_IMAG` is not declared by a global ARG (did you mean `BASE_IMAGE`?)"]


def test_root_message_names_a_non_root_base_user() -> None:
    text = "FROM gcr.io/distroless/static-debian12:nonroot\nUSER root\n"
    assert _messages("LS524", text) == [
        "The image runs as root: the last `USER` is `root` (the base image runs as `nonroot`)"
    ]
    assert _messages("LS524", "FROM python:3.12-slim\nUSER root\n") == [
        "The image runs as root: the last `USER` is `root`"
    ]
    through_arg = "FROM python:3.12-slim\nARG RUN_AS=0\nUSER ${RUN_AS}:0\n"
    assert _messages("LS524", through_arg) == ["The image runs as root: the last `USER` is `${RUN_AS}:0` (`0`)"]


def test_untagged_message_shows_the_resolved_image() -> None:
    text = "ARG BASE=quay.io/jupyter/base-notebook\nFROM $BASE\n"
    assert _messages("LS510", text) == [
        "Image `$BASE` (`quay.io/jupyter/base-notebook`) has no tag: builds pull whatever `latest` is"
    ]


def test_hadolint_codes_select_the_rules() -> None:
    text = "FROM ubuntu:latest AS Build\nUSER root\n"
    registry = default_registry()
    selected = settings_from_mapping({"select": ["DL3007", "DL3002", "StageNameCasing"]}, registry)
    linter = Linter.for_path(registry, selected, None, None)
    _, diagnostics = linter.lint_text(text)
    assert sorted(diagnostic.code for diagnostic in diagnostics) == ["LS511", "LS517", "LS524"]

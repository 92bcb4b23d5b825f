"""The base-image knowledge base: lookups, variants, unknown images and runtime suggestions."""

from __future__ import annotations

import re

import pytest

from lintslim.knowledge import image_architecture, image_facts, runtime_image
from lintslim.knowledge.images import knowledge_base
from lintslim.syntax.image import parse_image


def _facts(reference: str):  # type: ignore[no-untyped-def]
    return image_facts(parse_image(reference))


@pytest.mark.parametrize(
    ("reference", "entry", "libc", "shell", "role"),
    [
        ("scratch", "scratch", "none", False, "runtime"),
        ("python:3.12", "python", "glibc", True, "toolchain"),
        ("docker.io/library/python:3.12-slim-bookworm", "python-slim", "glibc", True, "runtime"),
        ("python:3.12-alpine3.20", "python-alpine", "musl", True, "runtime"),
        ("node:20-bookworm-slim", "node-slim", "glibc", True, "runtime"),
        ("golang:1.23-alpine", "golang-alpine", "musl", True, "toolchain"),
        ("golang:1.23@sha256:" + "a" * 64, "golang", "glibc", True, "toolchain"),
        ("gcr.io/distroless/static-debian12:nonroot", "distroless-static", "none", False, "runtime"),
        ("gcr.io/distroless/cc-debian12", "distroless-glibc", "glibc", False, "runtime"),
        ("cgr.dev/chainguard/static:latest", "chainguard-static", "none", False, "runtime"),
        ("cgr.dev/chainguard/python:latest-dev", "chainguard-dev", "glibc", True, "toolchain"),
        ("public.ecr.aws/lambda/provided:al2023", "lambda-provided-al2023", "glibc", True, "runtime"),
        ("arm64v8/alpine:3.20", "alpine", "musl", True, "os"),
        ("public.ecr.aws/docker/library/debian:bookworm-slim", "debian", "glibc", True, "os"),
    ],
)
def test_known_images(reference: str, entry: str, libc: str, shell: bool, role: str) -> None:
    facts = _facts(reference)
    assert facts is not None
    assert (facts.id, facts.libc, facts.shell, facts.role) == (entry, libc, shell, role)


@pytest.mark.parametrize("reference", ["myorg/app:1.0", "ghcr.io/acme/python:3.12", "python:3.12-windowsservercore"])
def test_unknown_images_are_unknown(reference: str) -> None:
    assert _facts(reference) is None
    assert image_facts(None) is None


def test_tag_variants_override_facts() -> None:
    debug = _facts("gcr.io/distroless/static-debian12:debug-nonroot")
    assert debug is not None and debug.shell is True and debug.uid == 65532
    plain = _facts("gcr.io/distroless/static-debian12")
    assert plain is not None and plain.shell is False and plain.uid == 0


def test_distroless_debug_shell_is_not_at_bin_sh() -> None:
    debug = _facts("gcr.io/distroless/base-debian12:debug")
    assert debug is not None and debug.shell is True and debug.shell_path == "/busybox/sh"
    assert _facts("alpine:3.20").shell_path is None  # type: ignore[union-attr]  # /bin/sh


def test_ca_bundle_paths_by_family() -> None:
    assert _facts("alpine:3.20").ca_bundle == "/etc/ssl/certs/ca-certificates.crt"  # type: ignore[union-attr]
    assert _facts("amazonlinux:2023").ca_bundle == "/etc/pki/tls/certs/ca-bundle.crt"  # type: ignore[union-attr]
    assert _facts("debian:bookworm").has_ca_bundle is False  # type: ignore[union-attr]
    assert _facts("maven:3.9-eclipse-temurin-21").libc is None  # type: ignore[union-attr]  # unknown stays unknown


@pytest.mark.parametrize(
    ("reference", "platform", "arch"),
    [
        ("public.ecr.aws/lambda/python:3.12-arm64", None, "arm64"),
        ("public.ecr.aws/lambda/python:3.12-x86_64", None, "amd64"),
        ("gcr.io/distroless/static:latest-arm64", None, "arm64"),
        ("arm64v8/python:3.12", None, "arm64"),
        ("python:3.12", "linux/arm64", "arm64"),
        ("python:3.12", "linux/amd64", "amd64"),
        ("python:3.12", "$BUILDPLATFORM", None),
        ("python:3.12", None, None),
    ],
)
def test_architecture(reference: str, platform: str | None, arch: str | None) -> None:
    assert image_architecture(parse_image(reference), platform) == arch


@pytest.mark.parametrize(
    ("reference", "need", "runtime"),
    [
        ("python:3.12", "python", "python:3.12-slim"),
        ("python:3.12-bookworm", "python", "python:3.12-slim-bookworm"),
        ("python", "python", "python:slim"),
        ("node:20", "node", "node:20-slim"),
        ("node:20-bookworm", "node", "node:20-bookworm-slim"),
        ("maven:3.9-eclipse-temurin-21", "java", "eclipse-temurin:21-jre"),
        ("gradle:8-jdk17", "java", "eclipse-temurin:17-jre"),
        ("gradle:8.5", "java", None),
        ("mcr.microsoft.com/dotnet/sdk:8.0", "dotnet", "mcr.microsoft.com/dotnet/aspnet:8.0"),
        ("golang:1.23", "static", "gcr.io/distroless/static-debian13:nonroot"),
        ("rust:1.80", "glibc", "gcr.io/distroless/cc-debian13:nonroot"),
    ],
)
def test_runtime_suggestions(reference: str, need: str, runtime: str | None) -> None:
    assert runtime_image(parse_image(reference), need) == runtime


def test_data_file_is_consistent() -> None:
    base = knowledge_base()
    for entry in base.entries:
        assert entry.facts.sources, f"{entry.facts.id} has no source"
        assert set(entry.facts.sources) <= set(base.sources), f"{entry.facts.id} cites an unknown source"
        for pattern in entry.patterns:
            assert not re.fullmatch(pattern, ""), f"{entry.facts.id}: a pattern matches the empty key"
    ids = [entry.facts.id for entry in base.entries]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize(
    ("reference", "distro", "package_manager"),
    [
        ("public.ecr.aws/lambda/python:3.12", "al2023", "microdnf"),
        ("public.ecr.aws/lambda/python:3.11-arm64", "al2", "yum"),
        ("public.ecr.aws/lambda/nodejs:18.2024.01.01", "al2", "yum"),
        ("public.ecr.aws/lambda/nodejs:22", "al2023", "microdnf"),
        ("public.ecr.aws/lambda/java:8.al2", "al2", "yum"),
        ("public.ecr.aws/lambda/java:21", "al2023", "microdnf"),
        ("amazon/aws-lambda-dotnet:8", "al2023", "microdnf"),
        ("public.ecr.aws/lambda/ruby:3.3", None, None),  # not in the sources: unknown
        ("public.ecr.aws/lambda/provided:al2", "al2", "yum"),
        ("amazonlinux:2023", "al2023", "dnf"),
    ],
)
def test_amazon_linux_generation(reference: str, distro: str | None, package_manager: str | None) -> None:
    facts = _facts(reference)
    assert facts is not None and facts.lambda_ is not False
    assert (facts.distro, facts.package_manager) == (distro, package_manager)


def test_lambda_runtime_images_carry_the_runtime_interface_client() -> None:
    assert _facts("public.ecr.aws/lambda/python:3.12").ric is True  # type: ignore[union-attr]
    assert _facts("public.ecr.aws/lambda/provided:al2023").ric is False  # type: ignore[union-attr]

"""Which runtime image to suggest for an artifact built on a toolchain image.

Suggestions follow the knowledge base's sources: fully static binaries go to distroless/static
(CA bundle, tzdata, /etc/passwd and /tmp included), glibc-linked ones to distroless/cc, Python and
Node apps to the `-slim` variant of the same version, Java to the Temurin JRE of the same major
version, .NET to the ASP.NET runtime of the same tag.  The Debian 12 distroless images reached
end of support in September 2026 (distroless SUPPORT_POLICY.md), so Debian 13 ones are suggested.
"""

from __future__ import annotations

import re

from lintslim.syntax.image import ImageRef

STATIC_RUNTIME = "gcr.io/distroless/static-debian13:nonroot"
GLIBC_RUNTIME = "gcr.io/distroless/cc-debian13:nonroot"
STATIC_RUNTIME_CHAINGUARD = "cgr.dev/chainguard/static"
# The users the distroless images define (root 0, nobody 65534, nonroot 65532; distroless
# base/testdata/base.yaml): any other user name cannot be resolved there.
DISTROLESS_USERS = frozenset({"root", "nonroot", "nobody"})

_DEBIAN_SUITES = "trixie|bookworm|bullseye|buster"
_PYTHON_TAG = re.compile(rf"(?P<version>\d+(?:\.\d+)*|latest)?(?:-?(?P<suite>{_DEBIAN_SUITES}))?")
_NODE_TAG = re.compile(rf"(?P<version>\d+(?:\.\d+)*|lts|current|latest|[a-z]+?)?(?:-(?P<suite>{_DEBIAN_SUITES}))?")
_JDK_IN_TAG = re.compile(r"(?:jdk-?|temurin-)(\d{1,2})(?=[.\-u_]|$)")  # maven:3.9-eclipse-temurin-21, gradle:8-jdk17
_LEADING_VERSION = re.compile(r"(\d{1,2})(?=[.\-u_]|$)")  # eclipse-temurin:21-jdk


def runtime_image(image: ImageRef | None, need: str) -> str | None:
    """The runtime base for an artifact; `need` is "static", "glibc", "python", "node", "java" or "dotnet".

    None when no suggestion follows from what we know (an unusual tag, an unknown image).
    """
    if need == "static":
        return STATIC_RUNTIME
    if need == "glibc":
        return GLIBC_RUNTIME
    if image is None:
        return None
    tag = image.tag or "latest"
    if need == "python" and image.name == "python":
        return _slim(image, tag, _PYTHON_TAG, node_style=False)
    if need == "node" and image.name == "node":
        return _slim(image, tag, _NODE_TAG, node_style=True)
    if need == "java":
        match = _JDK_IN_TAG.search(tag)
        if match is None and image.name in ("eclipse-temurin", "openjdk", "amazoncorretto"):
            match = _LEADING_VERSION.match(tag)
        return f"eclipse-temurin:{match.group(1)}-jre" if match else None
    if need == "dotnet" and image.name == "sdk" and "dotnet" in image.path:
        return f"mcr.microsoft.com/dotnet/aspnet:{tag}"
    return None


def _slim(image: ImageRef, tag: str, pattern: re.Pattern[str], *, node_style: bool) -> str | None:
    """`python:3.12-bookworm` → `python:3.12-slim-bookworm`; `node:20-bookworm` → `node:20-bookworm-slim`."""
    match = pattern.fullmatch(tag)
    if match is None:
        return None
    version = match.group("version")
    suite = match.group("suite")
    if version in (None, "latest"):
        version = None
    parts = (
        [part for part in (version, suite, "slim") if part]
        if node_style
        else [part for part in (version, "slim", suite) if part]
    )
    return f"{image.familiar}:{'-'.join(parts)}"

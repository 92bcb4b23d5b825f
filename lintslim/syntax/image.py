"""Image references as Docker reads them: `[registry/]path[:tag][@digest]`."""

from __future__ import annotations

import re
from dataclasses import dataclass

DEFAULT_REGISTRY = "docker.io"
_DIGEST = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}")
_TAG = re.compile(r"[\w][\w.-]{0,127}", re.ASCII)  # Go's \w is ASCII-only
_PATH_COMPONENT = re.compile(r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*")
_REGISTRY = re.compile(
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)(?:\.[a-zA-Z0-9-]+)*(?::[0-9]+)?"  # host[:port]
    r"|\[[0-9a-fA-F:]+\](?::[0-9]+)?"  # [ipv6][:port]
)


@dataclass(frozen=True, slots=True)
class ImageRef:
    """A parsed image reference.  `registry` is None when the reference names none (Docker Hub)."""

    raw: str
    registry: str | None
    path: str  # as written, without registry, tag or digest
    tag: str | None
    digest: str | None

    @property
    def domain(self) -> str:
        """The registry host as Docker normalizes it (`index.docker.io` is `docker.io`)."""
        if self.registry is None or self.registry == "index.docker.io":
            return DEFAULT_REGISTRY
        return self.registry

    @property
    def repository(self) -> str:
        """The full path on its registry: Docker Hub's official images live under `library/`."""
        if self.registry in (None, DEFAULT_REGISTRY, "index.docker.io") and "/" not in self.path:
            return f"library/{self.path}"
        return self.path

    @property
    def name(self) -> str:
        """The last path component (`python` for `docker.io/library/python:3.12`)."""
        return self.path.rsplit("/", 1)[-1]

    @property
    def familiar(self) -> str:
        """The short form people write: no `docker.io/`, no `library/`."""
        registry = self.registry if self.registry not in (None, DEFAULT_REGISTRY, "index.docker.io") else None
        path = self.path.removeprefix("library/") if registry is None else self.path
        return f"{registry}/{path}" if registry else path

    @property
    def normalized(self) -> str:
        """`docker.io/library/python:3.12@sha256:...`; no tag or digest means `:latest`."""
        text = f"{self.domain}/{self.repository}"
        if self.tag or not self.digest:
            text += f":{self.tag or 'latest'}"
        if self.digest:
            text += f"@{self.digest}"
        return text

    @property
    def is_scratch(self) -> bool:
        return self.registry is None and self.path == "scratch"

    @property
    def is_pinned(self) -> bool:
        return self.digest is not None


def parse_image(reference: str) -> ImageRef | None:
    """Parse a reference; None when it is not valid (unresolved variables, upper case, bad characters)."""
    text = reference.strip()
    if not text or any(c.isspace() for c in text):
        return None
    digest = None
    if "@" in text:
        text, digest = text.split("@", 1)
        if not _DIGEST.fullmatch(digest):
            return None
    tag = None
    last_slash = text.rfind("/")
    colon = text.rfind(":")
    if colon > last_slash:
        text, tag = text[:colon], text[colon + 1 :]
        if not _TAG.fullmatch(tag):
            return None
    registry = None
    first, sep, remainder = text.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first.startswith("[")):
        if not _REGISTRY.fullmatch(first):
            return None
        registry, text = first, remainder
    if not text or not all(_PATH_COMPONENT.fullmatch(part) for part in text.split("/")):
        return None
    return ImageRef(reference.strip(), registry, text, tag, digest)

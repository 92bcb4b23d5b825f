"""AWS Lambda managed runtimes, the base image tags that carry them, and when AWS deprecates them.

The data is `lambda_runtimes.toml` (every date with its source).  Whether a runtime is deprecated
depends on the day you ask: every function here takes `today`, so callers decide (rules pass the
lint day, tests a fixed one).  An image the data does not describe gives None, never a guess.
"""

from __future__ import annotations

import datetime
import enum
import functools
import re
from dataclasses import dataclass
from typing import Any

from lintslim.knowledge._data import load_data_file
from lintslim.syntax.image import ImageRef

# Where AWS publishes the base images: ECR Public, and the Docker Hub mirror (`amazon/aws-lambda-python`).
ECR_PREFIX = "public.ecr.aws/lambda/"
DOCKER_HUB_PREFIX = "amazon/aws-lambda-"
# Tag decorations that name the same runtime: an architecture, a dated build (`3.12.2024.01.05.12`).
_ARCH_SUFFIX = re.compile(r"-(?:arm64|x86_64)$")
_BUILD_SUFFIX = re.compile(r"\.\d{4}\.\d{2}\.\d{2}(?:\.\d{2})?$")


class Support(enum.Enum):
    """Where a runtime stands on a given day."""

    SUPPORTED = "supported"
    ENDING = "ending"  # deprecated within the notice period
    DEPRECATED = "deprecated"


@dataclass(frozen=True)
class Runtime:
    id: str  # python3.9
    name: str  # Python 3.9
    repository: str  # python (public.ecr.aws/lambda/python)
    tag: str  # 3.9
    deprecated: datetime.date | None  # None: no source gives a date
    block_create: datetime.date | None = None
    block_update: datetime.date | None = None
    replacement: str | None = None  # a runtime of another repository to move to (go1.x -> provided.al2023)
    sources: tuple[str, ...] = ()

    def support(self, today: datetime.date, notice_days: int = 0) -> Support:
        """DEPRECATED from the deprecation day on; ENDING in the `notice_days` before it."""
        if self.deprecated is None:
            return Support.SUPPORTED
        if today >= self.deprecated:
            return Support.DEPRECATED
        if (self.deprecated - today).days <= notice_days:
            return Support.ENDING
        return Support.SUPPORTED


@dataclass(frozen=True)
class RuntimeTable:
    runtimes: tuple[Runtime, ...]  # newest first within each repository
    sources: dict[str, str]

    def get(self, runtime_id: str) -> Runtime | None:
        return next((runtime for runtime in self.runtimes if runtime.id == runtime_id), None)

    def for_tag(self, repository: str, tag: str) -> Runtime | None:
        """The runtime of `public.ecr.aws/lambda/<repository>:<tag>`, arch and dated-build tags included."""
        tag = base_tag(tag)
        return next((r for r in self.runtimes if r.repository == repository and r.tag == tag), None)

    def successor(self, runtime: Runtime, today: datetime.date) -> Runtime | None:
        """What to move to: the newest runtime of the same repository (or of the replacement's) that is
        still supported on `today`; None when there is none."""
        target = self.get(runtime.replacement) if runtime.replacement else runtime
        if target is None:
            return None
        for candidate in self.runtimes:
            if candidate.repository == target.repository and candidate.support(today) is not Support.DEPRECATED:
                return candidate
        return None


def base_tag(tag: str) -> str:
    """The runtime part of a base image tag: `3.12` for `3.12-arm64` and `3.12.2024.01.05.12`."""
    tag = _ARCH_SUFFIX.sub("", tag)
    tag = _BUILD_SUFFIX.sub("", tag)
    return _ARCH_SUFFIX.sub("", tag)


def aws_repository(familiar: str) -> tuple[str, str] | None:
    """(prefix, repository) of an AWS Lambda base image name: `("public.ecr.aws/lambda/", "python")`."""
    for prefix in (ECR_PREFIX, DOCKER_HUB_PREFIX):
        if familiar.startswith(prefix) and "/" not in familiar[len(prefix) :]:
            return prefix, familiar[len(prefix) :]
    return None


def runtime_of(image: ImageRef | None) -> Runtime | None:
    """The managed runtime an AWS Lambda base image carries; None for other images and unknown tags."""
    if image is None or image.tag is None:
        return None
    return runtime_of_name(image.familiar, image.tag)


def runtime_of_name(familiar: str, tag: str) -> Runtime | None:
    """`runtime_of` for a name (`public.ecr.aws/lambda/python`, no registry defaults) and a tag."""
    found = aws_repository(familiar)
    return runtime_table().for_tag(found[1], tag) if found is not None else None


def image_name(runtime: Runtime, prefix: str = ECR_PREFIX) -> str:
    """The base image of a runtime, under the same publisher as the image it replaces."""
    return f"{prefix}{runtime.repository}:{runtime.tag}"


def _date(value: Any) -> datetime.date | None:
    if value is None or isinstance(value, datetime.date):
        return value
    raise ValueError(f"lambda_runtimes.toml: {value!r} is not a date")


def _runtime(raw: dict[str, Any]) -> Runtime:
    return Runtime(
        id=raw["id"],
        name=raw["name"],
        repository=raw["repository"],
        tag=raw["tag"],
        deprecated=_date(raw.get("deprecated")),
        block_create=_date(raw.get("block_create")),
        block_update=_date(raw.get("block_update")),
        replacement=raw.get("replacement"),
        sources=tuple(raw.get("sources", ())),
    )


@functools.cache
def runtime_table() -> RuntimeTable:
    """The data file, read once per process (it is immutable)."""
    data = load_data_file("lambda_runtimes.toml")
    return RuntimeTable(tuple(_runtime(raw) for raw in data["runtime"]), dict(data["sources"]))

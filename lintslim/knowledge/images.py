"""Facts about base images, looked up by image reference in `base_images.toml`.

An image the data file does not describe is unknown: `image_facts` returns None and no rule
guesses.  Facts the file leaves out for a known image are None too (tri-state).
"""

from __future__ import annotations

import functools
import re
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any

from lintslim.knowledge._data import load_data_file
from lintslim.syntax.image import ImageRef

if TYPE_CHECKING:
    from lintslim.syntax.stages import BuildGraph, Stage

# Docker Hub namespaces that publish the official images for one architecture (docker-library/official-images).
ARCH_NAMESPACES = {
    "amd64": "amd64", "arm64v8": "arm64", "arm32v7": "arm", "arm32v6": "arm", "arm32v5": "arm",
    "i386": "386", "ppc64le": "ppc64le", "s390x": "s390x", "riscv64": "riscv64", "mips64le": "mips64le",
}  # fmt: skip
# Tag suffixes of single-architecture tags (distroless `latest-arm64`, Lambda `3.12-x86_64`).
_ARCH_SUFFIX = re.compile(r"(?:^|-)(amd64|x86_64|arm64|aarch64|arm64v8|armv7|arm|i386|386|ppc64le|s390x|riscv64)$")
_ARCH_ALIASES = {"x86_64": "amd64", "aarch64": "arm64", "arm64v8": "arm64", "armv7": "arm", "i386": "386"}
_ECR_OFFICIAL_MIRROR = "public.ecr.aws/docker/library/"
_FACT_NAMES = (
    "libc", "shell", "package_manager", "ca_bundle", "tzdata", "passwd", "user", "uid", "compiler",
    "role", "language", "lambda_", "ric", "deprecated", "size_mb", "shell_path", "distro",
    "size_source", "size_as_of", "size_image",
)  # fmt: skip


@dataclass(frozen=True)
class ImageFacts:
    """What is known about one base image; every fact is None when unknown."""

    id: str
    family: str
    key: str  # the normalised reference that matched
    libc: str | None = None  # "glibc", "musl" or "none"
    shell: bool | None = None
    shell_path: str | None = None  # where the POSIX shell is when it is not /bin/sh (RUN needs /bin/sh)
    distro: str | None = None  # "al2" or "al2023" for Amazon Linux based images (package manager, glibc)
    package_manager: str | None = None
    ca_bundle: str | None = None  # "" when the image has no CA bundle
    tzdata: bool | None = None
    passwd: bool | None = None
    user: str | None = None
    uid: int | None = None
    compiler: bool | None = None
    role: str | None = None  # "runtime", "toolchain" or "os"
    language: str | None = None
    lambda_: bool | None = None
    ric: bool | None = None
    deprecated: str | None = None
    size_mb: float | None = None  # uncompressed, linux/amd64, from a source; never a guess
    size_source: str | None = None  # the [sources] key the size comes from
    size_as_of: str | None = None  # when it was measured
    size_image: str | None = None  # the exact image measured (other tags of the entry are assumed similar)
    sources: tuple[str, ...] = field(default=(), compare=False)

    @property
    def has_ca_bundle(self) -> bool | None:
        return None if self.ca_bundle is None else bool(self.ca_bundle)

    @property
    def is_toolchain(self) -> bool:
        return self.role == "toolchain"


@dataclass(frozen=True)
class _Variant:
    pattern: re.Pattern[str]
    facts: dict[str, Any]
    whole_key: bool = False  # the pattern matches the whole key, not only the tag

    def applies(self, key: str, tag: str) -> bool:
        return self.pattern.fullmatch(key if self.whole_key else tag) is not None


@dataclass(frozen=True)
class _Entry:
    patterns: tuple[re.Pattern[str], ...]
    facts: ImageFacts
    variants: tuple[_Variant, ...]


@dataclass(frozen=True)
class KnowledgeBase:
    entries: tuple[_Entry, ...]
    sources: dict[str, str]
    found: dict[str, ImageFacts | None] = field(default_factory=dict, compare=False)  # lookups already made

    def lookup(self, key: str) -> ImageFacts | None:
        if key not in self.found:
            self.found[key] = self._match(key)
        return self.found[key]

    def _match(self, key: str) -> ImageFacts | None:
        tag = key.rsplit(":", 1)[-1]
        for entry in self.entries:
            if any(pattern.fullmatch(key) for pattern in entry.patterns):
                facts = replace(entry.facts, key=key)
                for variant in entry.variants:
                    if variant.applies(key, tag):
                        facts = replace(facts, **variant.facts)
                return facts
        return None


def _facts_from(raw: dict[str, Any]) -> dict[str, Any]:
    known = {name.rstrip("_"): name for name in _FACT_NAMES}
    facts = {}
    for key, value in raw.items():
        if key in known:
            facts[known[key]] = value
    return facts


def _entry(raw: dict[str, Any]) -> _Entry:
    facts = ImageFacts(
        id=raw["id"], family=raw["family"], key="", sources=tuple(raw.get("sources", ())), **_facts_from(raw)
    )
    variants = tuple(
        _Variant(re.compile(item.get("key", item.get("tag"))), _facts_from(item), "key" in item)
        for item in raw.get("variant", ())
    )
    return _Entry(tuple(re.compile(pattern) for pattern in raw["match"]), facts, variants)


@functools.cache
def knowledge_base() -> KnowledgeBase:
    """The data file, read once per process (it is immutable)."""
    data = load_data_file("base_images.toml")
    return KnowledgeBase(tuple(_entry(raw) for raw in data["image"]), dict(data["sources"]))


@dataclass(frozen=True)
class SizeFact:
    """One sourced size of the data file: for a whole entry, or for the tags (or keys) of one variant."""

    entry: str  # the entry's id
    variant: str | None  # the variant's pattern (`tag = …`, or `key = …`), None for the entry itself
    size_mb: float
    image: str | None  # the exact image measured
    as_of: str | None
    source_key: str | None
    source: str | None  # the source's text


def size_facts() -> list[SizeFact]:
    """Every size the data file gives, in file order (the table of docs/savings.md)."""
    base = knowledge_base()
    found = []
    for entry in base.entries:
        sized = [(None, _size_of(asdict(entry.facts)))] + [
            (("key = " if variant.whole_key else "tag = ") + variant.pattern.pattern, _size_of(variant.facts))
            for variant in entry.variants
        ]
        for pattern, size in sized:
            if size is not None:
                mb, image, as_of, key = size
                found.append(SizeFact(entry.facts.id, pattern, mb, image, as_of, key, base.sources.get(key or "")))
    return found


def _size_of(facts: dict[str, Any]) -> tuple[float, str | None, str | None, str | None] | None:
    if facts.get("size_mb") is None:
        return None
    return float(facts["size_mb"]), facts.get("size_image"), facts.get("size_as_of"), facts.get("size_source")


def lookup_key(image: ImageRef) -> str:
    """`repository:tag` as the data file matches it: no docker.io, library/, digest or arch namespace."""
    familiar = image.familiar
    if familiar.startswith(_ECR_OFFICIAL_MIRROR):
        familiar = familiar.removeprefix(_ECR_OFFICIAL_MIRROR)
    namespace, slash, rest = familiar.partition("/")
    if slash and namespace in ARCH_NAMESPACES and image.registry is None:
        familiar = rest.removeprefix("library/")
    return f"{familiar}:{image.tag or 'latest'}"


def image_facts(image: ImageRef | None) -> ImageFacts | None:
    """What the knowledge base knows about `image`, or None when the image is unknown."""
    if image is None:
        return None
    return knowledge_base().lookup(lookup_key(image))


def image_architecture(image: ImageRef | None, platform: str | None = None) -> str | None:
    """The CPU architecture an image reference pins (Go's names: amd64, arm64…), or None.

    `--platform=linux/arm64` wins; then an architecture namespace (`arm64v8/python`), then a
    single-architecture tag suffix (`latest-arm64`, `3.12-x86_64`).  Multi-arch tags give None.
    """
    if platform:
        parts = platform.strip().lower().split("/")
        if len(parts) >= 2 and parts[1] and "$" not in parts[1]:
            return _ARCH_ALIASES.get(parts[1], parts[1])
    if image is None:
        return None
    namespace = image.familiar.split("/", 1)[0]
    if image.registry is None and "/" in image.familiar and namespace in ARCH_NAMESPACES:
        return ARCH_NAMESPACES[namespace]
    match = _ARCH_SUFFIX.search(image.tag or "")
    if match is None:
        return None
    return _ARCH_ALIASES.get(match.group(1), match.group(1))


def stage_facts(graph: BuildGraph, stage: Stage) -> ImageFacts | None:
    """Facts about the image a stage builds on (following `FROM <stage>` to its root image)."""
    return image_facts(graph.root_image(stage))

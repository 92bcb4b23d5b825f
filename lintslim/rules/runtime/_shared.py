"""What the LS3xx rules ask of an image stage: how to name its base, whether it runs a program, what
the copies along its chain bring in, the ENV it sets, the packages it installs, and where CA bundles are."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from lintslim.analysis.artifacts import Artifacts
from lintslim.analysis.paths import REMOTE
from lintslim.analysis.toolchain import installs_matching
from lintslim.knowledge.runtime import STATIC_RUNTIME, STATIC_RUNTIME_CHAINGUARD
from lintslim.syntax.nodes import Dockerfile, Instruction, KeyValue, Token
from lintslim.syntax.shell import iter_run_commands
from lintslim.syntax.stages import BuildGraph, Stage

DEBIAN_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"  # Debian, Ubuntu, Alpine, Wolfi, distroless
RHEL_BUNDLE = "/etc/pki/tls/certs/ca-bundle.crt"  # Fedora, RHEL, Amazon Linux, Lambda bases
STATIC_SUGGESTION = f"`{STATIC_RUNTIME}` or `{STATIC_RUNTIME_CHAINGUARD}`"
# ADD unpacks local tar archives: what they hold is unknown.
_ARCHIVE = re.compile(r"\.(tar|tgz|tbz2?|txz|tzst)(\.[a-z0-9]+)?$|\.tar\.", re.IGNORECASE)
_CA_PACKAGE = re.compile(r"ca-certificates([=<>~].*)?")
# Where each package manager's `ca-certificates` package writes the bundle.
_CA_BUNDLE_OF_MANAGER = {"apt-get": DEBIAN_BUNDLE, "apt": DEBIAN_BUNDLE, "apk": DEBIAN_BUNDLE, "dnf": RHEL_BUNDLE,
                         "yum": RHEL_BUNDLE, "microdnf": RHEL_BUNDLE, "tdnf": RHEL_BUNDLE}  # fmt: skip


def base_label(graph: BuildGraph, stage: Stage) -> str:
    """How messages name the image a stage builds on: `` `alpine:3.20` ``, `` `scratch` ``."""
    image = graph.root_image(stage)
    if image is None:
        return "the base image"
    return f"`{image.familiar}`" if image.is_scratch else f"`{image.familiar}:{image.tag or 'latest'}`"


def is_runnable(graph: BuildGraph, stage: Stage) -> bool:
    """Whether the image says what Linux program to run.  `FROM scratch` stages without ENTRYPOINT
    or CMD are usually export stages (`docker build --output`), whose files are never run in the
    image; WebAssembly images (`--platform=wasi/wasm`, a `.wasm` entry point) run in a Wasm runtime."""
    platform = graph.platform(stage)
    known = platform.value if platform is not None and platform.complete else ""
    if "wasi" in known or "wasm" in known:
        return False
    commands = [item for item in graph.chain_instructions(stage) if item.keyword in ("ENTRYPOINT", "CMD")]
    return bool(commands) and not any(
        item.args and item.args[0].value.endswith(".wasm") for item in commands if item.keyword == "ENTRYPOINT"
    )


def runnable_scratch_images(graph: BuildGraph) -> list[Stage]:
    """The image stages that build on `scratch` and say what Linux program to run."""
    return [stage for stage in graph.images() if graph.builds_on_scratch(stage) and is_runnable(graph, stage)]


@dataclass(frozen=True)
class CopyPaths:
    """A COPY or ADD with its sources and destination resolved (None where a variable is unknown)."""

    instruction: Instruction
    sources: tuple[tuple[Token, str | None], ...]
    dest: str | None
    dest_token: Token

    @property
    def from_stage_or_image(self) -> bool:
        return self.instruction.flag("from") is not None

    def paths(self) -> Iterator[str]:
        yield from (source for _, source in self.sources if source is not None)
        if self.dest is not None:
            yield self.dest


def copies(graph: BuildGraph, stage: Stage) -> list[CopyPaths]:
    """The COPY and ADD instructions of the stage's chain (not ONBUILD ones), resolved."""
    found = []
    for instruction in graph.chain_instructions(stage):
        if instruction.keyword not in ("COPY", "ADD") or len(instruction.args) < 2:
            continue
        *sources, dest = instruction.args
        resolved = tuple((token, _resolved(graph, token, instruction)) for token in sources if not instruction.heredocs)
        found.append(CopyPaths(instruction, resolved, _resolved(graph, dest, instruction), dest))
    return found


def _resolved(graph: BuildGraph, token: Token, instruction: Instruction) -> str | None:
    resolved = graph.resolve(token.value, instruction)
    return resolved.value if resolved.complete else None


def brings_unknown_tree(copy: CopyPaths, found: Artifacts | None = None) -> bool:
    """A copy whose content we cannot know could hold any file: an archive or URL `ADD` fetches or
    unpacks, a whole filesystem (`COPY --from=<stage> / /`), anything copied to `/` (a root
    filesystem, an install prefix such as `/opt`), a source with an unknown variable.  A binary of
    the artifact model copied to `/` is a known file (`COPY --from=build /out/app /`)."""
    if copy.dest is None or any(source is None for _, source in copy.sources):
        return True
    if copy.instruction.keyword == "ADD" and any(
        source and (_ARCHIVE.search(source) or REMOTE.match(source)) for _, source in copy.sources
    ):
        return True
    if copy.dest.strip("/.") == "":  # a tree put at the root: a root filesystem, a stage's install prefix
        return not _only_binaries(copy, found)
    return copy.from_stage_or_image and any((source or "").strip("/.") == "" for _, source in copy.sources)


def _only_binaries(copy: CopyPaths, found: Artifacts | None) -> bool:
    """Whether each source of the copy names a binary the artifact model follows, as a file."""
    if found is None:
        return False
    carried = found.carried(copy.instruction)
    return all(
        path is not None
        and any(
            artifact.trail[-1].source == token.span and artifact.name == posixpath.basename(path.rstrip("/"))
            for artifact in carried
        )
        for token, path in copy.sources
    )


def provides(
    graph: BuildGraph,
    stage: Stage,
    pattern: re.Pattern[str],
    directories: tuple[str, ...],
    before: Instruction | None = None,
    found: Artifacts | None = None,
) -> bool:
    """Whether the chain's copies (those before `before`, if given) may bring a file: a path matching
    `pattern`, a copy of or into one of `directories` (where the file lives), or content we cannot know."""
    for copy in copies(graph, stage):
        if before is not None and copy.instruction.index >= before.index:
            break
        if brings_unknown_tree(copy, found):
            return True
        if any(pattern.search(path) or "/" + path.strip("/") in directories for path in copy.paths()):
            return True
    return False


def env_setting(graph: BuildGraph, stage: Stage, name: str) -> tuple[Instruction, KeyValue, str | None] | None:
    """The last `ENV name=…` in the chain: the instruction, the pair, its value (None if unknown)."""
    found = None
    for instruction in graph.chain_instructions(stage):
        if instruction.keyword != "ENV":
            continue
        for pair in instruction.key_values:
            if pair.key.value == name and pair.value is not None:
                resolved = graph.resolve(pair.value.value, instruction)
                found = (instruction, pair, resolved.value if resolved.complete else None)
    return found


def installs_package(dockerfile: Dockerfile, graph: BuildGraph, stage: Stage, package: re.Pattern[str]) -> str | None:
    """The package manager of the first RUN in the chain that installs a package matching `package`."""
    for _, command in iter_run_commands(dockerfile, graph.chain_instructions(stage)):
        if installs_matching(command, package):
            return command.name
    return None


def installed_ca_bundle(dockerfile: Dockerfile, graph: BuildGraph, stage: Stage) -> str | None:
    """Where the `ca-certificates` package that the stage's chain installs puts the bundle, by the
    package manager; None when no RUN installs it, or with a manager we do not know."""
    return _CA_BUNDLE_OF_MANAGER.get(installs_package(dockerfile, graph, stage, _CA_PACKAGE) or "")
